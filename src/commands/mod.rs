//! One module per subcommand; each takes the parsed arguments and returns an exit code.

pub mod audit;
pub mod check_master;
pub mod check_push;
pub mod ci;
pub mod completions;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod emergency;
pub mod hook;
pub mod init;
pub mod install;
pub mod plan;
pub mod rollback;
pub mod truth;
pub mod uninstall;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, EXIT_OK, EXIT_REFUSED};
use crate::fleet;
use crate::messages::Msg;
use crate::ui::{Tone, Ui};

/// The repository a single-repo command works on: `--repo`, or the current directory.
pub(crate) fn repo_dir(repo: Option<&Path>) -> Result<PathBuf> {
    match repo {
        Some(path) => Ok(path.to_path_buf()),
        None => std::env::current_dir().map_err(|e| Error::io(Path::new("."), &e)),
    }
}

/// One repository's line in a fleet table.
pub struct FleetRow {
    pub repo: PathBuf,
    pub result: String,
    pub tone: Tone,
    pub failed: bool,
}

/// Runs `each` on every repository under `dir`, prints one table and returns exit 1 if
/// any repository failed.
pub(crate) fn over_fleet(
    ui: &Ui,
    dir: &Path,
    mut each: impl FnMut(&fleet::Found) -> FleetRow,
) -> Result<u8> {
    if !dir.is_dir() {
        return Err(Error::io(
            dir,
            &std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        ));
    }
    let (found, unreadable) = fleet::find_repositories(dir);
    for problem in &unreadable {
        ui.warning(&Msg::FleetWalkError {
            path: problem.path.display().to_string(),
            detail: problem.detail.clone(),
        });
    }
    if found.is_empty() {
        ui.warning(&Msg::FleetNoRepos {
            dir: dir.display().to_string(),
        });
        return Ok(EXIT_OK);
    }
    let rows: Vec<FleetRow> = found.iter().map(&mut each).collect();
    let failed = rows.iter().filter(|r| r.failed).count();
    ui.table(
        &[ui.text(&Msg::FleetColumnRepo), ui.text(&Msg::ColumnResult)],
        &rows
            .iter()
            .map(|r| {
                vec![
                    (r.repo.display().to_string(), Tone::Plain),
                    (r.result.clone(), r.tone),
                ]
            })
            .collect::<Vec<_>>(),
    );
    ui.say(&Msg::FleetSummary {
        total: rows.len().to_string(),
        ok: (rows.len() - failed).to_string(),
        failed: failed.to_string(),
    });
    if failed > 0 {
        Ok(EXIT_REFUSED)
    } else {
        Ok(EXIT_OK)
    }
}
