//! `shipgate uninstall --server`: removes shipgate's `pre-receive` from every layout it
//! may be in, puts a kept foreign hook back byte for byte, and deletes the marker ref so
//! clients no longer read that this server enforces the rules.

use std::fs;

use crate::cli::UninstallArgs;
use crate::commands::{over_fleet, repo_dir, FleetRow};
use crate::error::{io_at, Result, EXIT_OK};
use crate::git;
use crate::messages::Msg;
use crate::shim::{self, HookFile};
use crate::ui::Tone;
use crate::Context;

use super::install::{locate_bare, split};
use super::{Layout, MARKER_REF};

pub fn run(ctx: &Context, args: &UninstallArgs) -> Result<u8> {
    let ui = ctx.ui();
    if let Some(dir) = &args.target.all {
        return over_fleet(&ui, dir, |found| {
            if !found.bare {
                return FleetRow {
                    repo: found.path.clone(),
                    result: ui.text(&Msg::StateSkippedNotBare),
                    tone: Tone::Plain,
                    failed: false,
                };
            }
            match uninstall(&found.path, args.dry_run) {
                Ok(state) => FleetRow {
                    repo: found.path.clone(),
                    result: ui.text(&state),
                    tone: Tone::Good,
                    failed: false,
                },
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
    let dir = repo_dir(args.target.repo.as_deref())?;
    let state = uninstall(&dir, args.dry_run)?;
    ui.say(&state);
    if state == Msg::StateRemoved || state == Msg::StateRestored {
        ui.say(&Msg::ServerRemoved);
    }
    Ok(EXIT_OK)
}

fn uninstall(dir: &std::path::Path, dry_run: bool) -> Result<Msg> {
    let location = locate_bare(dir)?;
    let mut removed = false;
    let mut restored = false;
    for layout in Layout::ALL {
        // A layout whose place does not exist here (no gitolite home) holds nothing.
        let Ok(path) = layout.hook_path(&location) else {
            continue;
        };
        let (folder, name) = split(&path);
        let backup = folder.join(shim::backup_name(&name));
        let has_backup = layout.chains_foreign() && fs::symlink_metadata(&backup).is_ok();
        match shim::inspect(&path).map_err(io_at(&path))? {
            HookFile::Foreign => continue,
            HookFile::Missing if !has_backup => continue,
            found => {
                if !dry_run {
                    if found != HookFile::Missing {
                        fs::remove_file(&path).map_err(io_at(&path))?;
                    }
                    if has_backup {
                        // A rename keeps content and mode exactly as they were.
                        fs::rename(&backup, &path).map_err(io_at(&backup))?;
                    }
                }
                removed = true;
                restored |= has_backup;
            }
        }
    }
    let marked = git::has_ref(&location.common_dir, MARKER_REF)?;
    if marked && !dry_run {
        git::delete_ref(&location.common_dir, MARKER_REF)?;
    }
    Ok(match (removed || marked, restored, dry_run) {
        (false, _, _) => Msg::StateNotInstalled,
        (true, true, false) => Msg::StateRestored,
        (true, true, true) => Msg::StateWouldRestore,
        (true, false, false) => Msg::StateRemoved,
        (true, false, true) => Msg::StateWouldRemove,
    })
}
