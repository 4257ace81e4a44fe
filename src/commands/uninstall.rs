//! `shipgate uninstall`: remove shipgate's shims only, put foreign hooks back byte for
//! byte, and leave `.shipgate.toml` and the plan documents alone.

use std::fs;
use std::path::Path;

use crate::cli::UninstallArgs;
use crate::config;
use crate::error::{io_at, Result, EXIT_OK};
use crate::git::{self, Location};
use crate::messages::Msg;
use crate::shim::{self, HookFile};
use crate::ui::{Tone, Ui};
use crate::Context;

use super::{over_fleet, repo_dir, FleetRow};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Removal {
    Removed,
    /// Removed, and the foreign hook it stood in for is back.
    Restored,
    NotInstalled,
    /// Somebody else's hook: not ours to remove.
    Foreign,
}

pub fn run(ctx: &Context, args: &UninstallArgs) -> Result<u8> {
    if args.server {
        return crate::server::uninstall::run(ctx, args);
    }
    let ui = ctx.ui();
    if let Some(dir) = &args.target.all {
        return over_fleet(&ui, dir, |found| {
            match git::locate(&found.path).and_then(|loc| uninstall(&loc, args.dry_run)) {
                Ok(hooks) => {
                    let removed = hooks
                        .iter()
                        .any(|(_, r)| matches!(r, Removal::Removed | Removal::Restored));
                    let state = match (removed, args.dry_run) {
                        (true, false) => Msg::StateRemoved,
                        (true, true) => Msg::StateWouldRemove,
                        (false, _) => Msg::StateNotInstalled,
                    };
                    FleetRow {
                        repo: found.path.clone(),
                        result: ui.text(&state),
                        tone: Tone::Good,
                        failed: false,
                    }
                }
                Err(err) => FleetRow {
                    repo: found.path.clone(),
                    result: ui.text(&Msg::StateFailed {
                        why: ui.text(&err.message),
                    }),
                    tone: Tone::Bad,
                    failed: true,
                },
            }
        });
    }
    let location = git::locate(&repo_dir(args.target.repo.as_deref())?)?;
    let hooks = uninstall(&location, args.dry_run)?;
    report(&ui, &location, &hooks, args.dry_run);
    Ok(EXIT_OK)
}

fn uninstall(location: &Location, dry_run: bool) -> Result<Vec<(&'static str, Removal)>> {
    let dir = &location.hooks_dir;
    let mut done = Vec::new();
    for &hook in shim::HOOKS {
        let path = dir.join(hook);
        let backup = dir.join(shim::backup_name(hook));
        let has_backup = fs::symlink_metadata(&backup).is_ok();
        let removal = match shim::inspect(&path).map_err(io_at(&path))? {
            HookFile::Foreign => Removal::Foreign,
            HookFile::Missing if !has_backup => Removal::NotInstalled,
            found => {
                if !dry_run {
                    if found != HookFile::Missing {
                        fs::remove_file(&path).map_err(io_at(&path))?;
                    }
                    if has_backup {
                        restore(&backup, &path)?;
                    }
                }
                if has_backup {
                    Removal::Restored
                } else {
                    Removal::Removed
                }
            }
        };
        done.push((hook, removal));
    }
    Ok(done)
}

/// Puts the foreign hook back: a rename, so content and mode are exactly as they were.
fn restore(backup: &Path, path: &Path) -> Result<()> {
    fs::rename(backup, path).map_err(io_at(backup))
}

fn report(ui: &Ui, location: &Location, hooks: &[(&str, Removal)], dry_run: bool) {
    let repo = location.display_root().display().to_string();
    let hooks_dir = location.hooks_dir.display().to_string();
    ui.say(&if dry_run {
        Msg::DryRunHeader { repo, hooks_dir }
    } else {
        Msg::InstallHeader { repo, hooks_dir }
    });
    let rows: Vec<_> = hooks
        .iter()
        .map(|(hook, removal)| {
            let state = match (removal, dry_run) {
                (Removal::Removed, false) => Msg::StateRemoved,
                (Removal::Removed, true) => Msg::StateWouldRemove,
                (Removal::Restored, false) => Msg::StateRestored,
                (Removal::Restored, true) => Msg::StateWouldRestore,
                (Removal::NotInstalled, _) => Msg::StateNotInstalled,
                (Removal::Foreign, _) => Msg::HookForeignLeft,
            };
            vec![
                (hook.to_string(), Tone::Plain),
                (ui.text(&state), Tone::Plain),
            ]
        })
        .collect();
    ui.table(
        &[ui.text(&Msg::ColumnHook), ui.text(&Msg::ColumnResult)],
        &rows,
    );
    if let Some(top) = &location.toplevel {
        ui.say(&Msg::ConfigLeft {
            path: top.join(config::FILE_NAME).display().to_string(),
        });
    }
}
