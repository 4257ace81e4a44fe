//! `shipgate install`: write a shim per hook where git will run it, keep foreign hooks,
//! write a default `.shipgate.toml`, then prove git will run what was written.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::cli::InstallArgs;
use crate::config::{self, Config};
use crate::error::{io_at, Error, Result, EXIT_OK};
use crate::git::{self, Location};
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::shim::{self, HookFile, SHIM_VERSION};
use crate::ui::{Tone, Ui};
use crate::Context;

use super::{over_fleet, repo_dir, FleetRow};

/// What install does (or would do) to one hook file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HookChange {
    /// No hook there: write the shim.
    Install,
    /// A foreign hook there: keep it as the backup, write the shim.
    InstallKeepingForeign,
    /// An older or different shim there: rewrite it.
    Upgrade,
    /// The shim there is exactly what would be written.
    Current,
}

/// What install did about `.shipgate.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ConfigChange {
    /// The working tree has one: left alone.
    Kept,
    /// None anywhere: the default written (or, in a dry run, it would be). `unborn`:
    /// the repository has no commit yet.
    Written { unborn: bool },
    /// A branch has one committed (`at` names it when it is the production branch):
    /// none written, so no untracked copy stands in the way of `git switch` to it.
    Committed { at: Option<String> },
}

/// The result for one repository, for the single-repo report and the fleet table.
#[derive(Debug)]
pub struct Installed {
    pub location: Location,
    hooks: Vec<(&'static str, HookChange)>,
    config: Option<(PathBuf, ConfigChange)>,
    dry_run: bool,
    /// The remote that now fetches the team's records (`refs/shipgate/*`), if one was
    /// set up by this run.
    records: Option<&'static str>,
}

impl Installed {
    fn summary(&self) -> Msg {
        let any = |c: HookChange| self.hooks.iter().any(|(_, h)| *h == c);
        let installed = any(HookChange::Install) || any(HookChange::InstallKeepingForeign);
        match (installed, any(HookChange::Upgrade), self.dry_run) {
            (true, _, false) => Msg::StateInstalled,
            (true, _, true) => Msg::StateWouldInstall,
            (false, true, false) => Msg::StateUpgraded,
            (false, true, true) => Msg::StateWouldUpgrade,
            (false, false, _) => Msg::StateCurrent,
        }
    }
}

pub fn run(ctx: &Context, args: &InstallArgs) -> Result<u8> {
    if args.server {
        return crate::server::install::run(ctx, args);
    }
    let binary = current_binary()?;
    if let Some(dir) = &args.target.all {
        let ui = ctx.ui();
        return over_fleet(&ui, dir, |found| {
            if found.bare {
                return FleetRow {
                    repo: found.path.clone(),
                    result: ui.text(&Msg::StateSkippedBare),
                    tone: Tone::Plain,
                    failed: false,
                };
            }
            match git::locate(&found.path).and_then(|loc| install(loc, &binary, ctx.lang(), args)) {
                Ok(done) => FleetRow {
                    repo: found.path.clone(),
                    result: ui.text(&done.summary()),
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
    // A repository's own `lang` decides the language of its report and of its shims.
    let location = git::locate(&dir)?;
    if let Some(top) = &location.toplevel {
        if let Some(config) = config::load(&top.join(config::FILE_NAME))? {
            ctx.adopt(&config);
        }
    }
    let done = install(location, &binary, ctx.lang(), args)?;
    report(&ctx.ui(), &done);
    Ok(EXIT_OK)
}

/// The binary the shims will exec: this one, by its absolute path.
pub(crate) fn current_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| Error::io(Path::new("shipgate"), &e))?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

/// Installs into the repository at `location`.
fn install(location: Location, binary: &Path, lang: Lang, args: &InstallArgs) -> Result<Installed> {
    check_hooks_dir(&location)?;
    let hooks_dir = &location.hooks_dir;

    let mut hooks = Vec::new();
    for &hook in shim::HOOKS {
        let path = hooks_dir.join(hook);
        let wanted = shim::render(hook, binary, lang);
        let change = match shim::inspect(&path).map_err(io_at(&path))? {
            HookFile::Missing => HookChange::Install,
            HookFile::Foreign => {
                let backup = hooks_dir.join(shim::backup_name(hook));
                if fs::symlink_metadata(&backup).is_ok() {
                    return Err(Error::new(Msg::ForeignBackupExists {
                        hook: path.display().to_string(),
                        backup: backup.display().to_string(),
                    })
                    .hint(Msg::HintForeignBackupExists {
                        backup: backup.display().to_string(),
                    }));
                }
                HookChange::InstallKeepingForeign
            }
            HookFile::Shim { version, .. } if version > SHIM_VERSION && !args.force => {
                return Err(Error::new(Msg::NewerShim {
                    path: path.display().to_string(),
                    version: version.to_string(),
                })
                .hint(Msg::HintNewerShim));
            }
            HookFile::Shim { .. } => {
                let same = fs::read(&path).map_err(io_at(&path))? == wanted.as_bytes();
                if same && is_executable(&path) {
                    HookChange::Current
                } else {
                    HookChange::Upgrade
                }
            }
        };
        if !args.dry_run {
            apply(hooks_dir, hook, change, &wanted)?;
        }
        hooks.push((hook, change));
    }

    let config = match &location.toplevel {
        Some(top) => {
            let path = top.join(config::FILE_NAME);
            let change = if path.exists() {
                ConfigChange::Kept
            } else if let Some(at) = committed_config(top).ok().flatten() {
                // The team's policy is committed on a branch already: an untracked copy
                // here would only stop `git switch` to that branch.
                ConfigChange::Committed { at }
            } else if args.dry_run || write_default_config(&path, lang)? {
                ConfigChange::Written {
                    unborn: crate::git::Repo::discover(top)
                        .and_then(|r| r.resolve("HEAD"))
                        .is_err(),
                }
            } else {
                ConfigChange::Kept
            };
            Some((path, change))
        }
        None => None,
    };

    // The team's records live on the server (`refs/shipgate/*`): fetch them with the
    // branches, so `shipgate audit` and `plan new` read them in this clone too.
    let mut records = None;
    if !args.dry_run {
        verify(&location)?;
        if git::add_fetch_refspec(
            &location.common_dir,
            RECORDS_REMOTE,
            crate::records::FETCH_REFSPEC,
        )? {
            records = Some(RECORDS_REMOTE);
        }
    }
    Ok(Installed {
        location,
        hooks,
        config,
        dry_run: args.dry_run,
        records,
    })
}

/// The remote whose fetch refspecs `install` extends with the records'.
const RECORDS_REMOTE: &str = "origin";

/// Refuses hooks directories shipgate must not write to.
pub fn check_hooks_dir(location: &Location) -> Result<()> {
    let local_dir = location.common_dir.join("hooks");
    if let Some(setting) = &location.hooks_path {
        if !setting.is_repository_scope() {
            return Err(Error::new(Msg::HooksPathOutside {
                value: setting.value.clone(),
                scope: setting.scope.clone(),
            })
            .hint(Msg::HintHooksPathLocal {
                dir: local_dir.display().to_string(),
            })
            .hint(Msg::HintHooksPathUnset {
                scope: setting.scope.clone(),
            }));
        }
    }
    if !location.contains(&location.hooks_dir) {
        return Err(Error::new(Msg::HooksDirOutside {
            dir: location.hooks_dir.display().to_string(),
            repo: location.display_root().display().to_string(),
        })
        .hint(Msg::HintHooksDirOutside {
            dir: local_dir.display().to_string(),
        }));
    }
    Ok(())
}

pub(crate) fn apply(hooks_dir: &Path, hook: &str, change: HookChange, text: &str) -> Result<()> {
    if change == HookChange::Current {
        return Ok(());
    }
    fs::create_dir_all(hooks_dir).map_err(io_at(hooks_dir))?;
    let path = hooks_dir.join(hook);
    if change == HookChange::InstallKeepingForeign {
        // A rename keeps the foreign hook byte for byte, mode and all.
        let backup = hooks_dir.join(shim::backup_name(hook));
        fs::rename(&path, &backup).map_err(io_at(&path))?;
    }
    // Write beside the hook and rename over it, so git never runs a half-written shim.
    let tmp = hooks_dir.join(format!(".{hook}.shipgate-tmp"));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.set_permissions(fs::Permissions::from_mode(0o755))?;
        file.sync_all()?;
        fs::rename(&tmp, &path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(&path, &e)
    })
}

/// Whether a branch of the repository at `top` (local or remote-tracking) has
/// `.shipgate.toml` committed: `Some(Some(name))` when it is on the production branch
/// (`origin/master`, `master`), `Some(None)` on another branch, `None` nowhere. (A
/// repository libgit2 cannot read, say a SHA-256 one, is an error: the caller writes.)
fn committed_config(top: &Path) -> Result<Option<Option<String>>> {
    use crate::policy::{History, Tips};
    let repo = crate::git::Repo::discover(top)?;
    let production = config::Branches::default().production.to_string();
    for refname in [
        format!("refs/remotes/{RECORDS_REMOTE}/{production}"),
        format!("refs/heads/{production}"),
    ] {
        if repo.blob_at(&refname, config::FILE_NAME)?.is_some() {
            let shown = refname
                .strip_prefix("refs/remotes/")
                .or_else(|| refname.strip_prefix("refs/heads/"))
                .unwrap_or(&refname)
                .to_string();
            return Ok(Some(Some(shown)));
        }
    }
    for tip in repo.branch_tips(&|_| true, Tips::Everywhere)? {
        if repo.read_file(&tip, config::FILE_NAME)?.is_some() {
            return Ok(Some(None));
        }
    }
    Ok(None)
}

/// Writes the default config unless one appeared meanwhile; never overwrites.
fn write_default_config(path: &Path, lang: Lang) -> Result<bool> {
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => {
            let text = config::default_toml(lang);
            file.write_all(text.as_bytes()).map_err(io_at(path))?;
            debug_assert_eq!(
                config::parse(text.as_bytes(), path).ok(),
                Some(Config::default())
            );
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io(path, &e)),
    }
}

/// Proves git will run every hook just written: git still looks in that directory, and
/// each hook is an executable regular file.
fn verify(location: &Location) -> Result<()> {
    let dir = location.display_root();
    let now = git::hooks_dir(dir)?;
    if git::normalize(&now) != git::normalize(&location.hooks_dir) {
        return Err(Error::new(Msg::HookIgnored {
            path: location.hooks_dir.display().to_string(),
            why: Box::new(Msg::WhyWrongDir {
                dir: now.display().to_string(),
            }),
        })
        .hint(Msg::HintHookIgnored));
    }
    for hook in shim::HOOKS {
        let path = location.hooks_dir.join(hook);
        if let Some(why) = why_git_ignores(&path) {
            return Err(Error::new(Msg::HookIgnored {
                path: path.display().to_string(),
                why: Box::new(why),
            })
            .hint(Msg::HintHookIgnored));
        }
    }
    Ok(())
}

/// Why git would not run the hook at `path`, if it would not.
pub fn why_git_ignores(path: &Path) -> Option<Msg> {
    match fs::metadata(path) {
        Err(_) => Some(Msg::WhyMissing),
        Ok(meta) if !meta.is_file() => Some(Msg::WhyNotFile),
        Ok(_) if !is_executable(path) => Some(Msg::WhyNotExecutable),
        Ok(_) => None,
    }
}

pub fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn report(ui: &Ui, done: &Installed) {
    let repo = done.location.display_root().display().to_string();
    let hooks_dir = done.location.hooks_dir.display().to_string();
    ui.say(&if done.dry_run {
        Msg::DryRunHeader { repo, hooks_dir }
    } else {
        Msg::InstallHeader { repo, hooks_dir }
    });
    let rows: Vec<Vec<(String, Tone)>> = done
        .hooks
        .iter()
        .map(|(hook, change)| {
            let state = match (change, done.dry_run) {
                (HookChange::Install | HookChange::InstallKeepingForeign, false) => {
                    Msg::StateInstalled
                }
                (HookChange::Install | HookChange::InstallKeepingForeign, true) => {
                    Msg::StateWouldInstall
                }
                (HookChange::Upgrade, false) => Msg::StateUpgraded,
                (HookChange::Upgrade, true) => Msg::StateWouldUpgrade,
                (HookChange::Current, _) => Msg::StateCurrent,
            };
            let mut text = ui.text(&state);
            if *change == HookChange::InstallKeepingForeign {
                let kept = Msg::HookKeptForeign {
                    backup: shim::backup_name(hook),
                };
                text = format!("{text}; {}", ui.text(&kept));
            }
            let tone = if *change == HookChange::Current {
                Tone::Plain
            } else {
                Tone::Good
            };
            vec![(hook.to_string(), Tone::Plain), (text, tone)]
        })
        .collect();
    ui.table(
        &[ui.text(&Msg::ColumnHook), ui.text(&Msg::ColumnResult)],
        &rows,
    );
    if let Some((path, change)) = &done.config {
        let path = path.display().to_string();
        match (change, done.dry_run) {
            (ConfigChange::Written { unborn }, false) => {
                ui.say(&Msg::ConfigWritten { path });
                ui.hint(&if *unborn {
                    Msg::HintCommitConfigFirst
                } else {
                    Msg::HintCommitConfig
                });
            }
            (ConfigChange::Written { .. }, true) => ui.say(&Msg::ConfigWouldWrite { path }),
            (ConfigChange::Kept, _) => ui.say(&Msg::ConfigKept { path }),
            (ConfigChange::Committed { at: Some(at) }, _) => {
                ui.say(&Msg::ConfigCommittedOn { at: at.clone() })
            }
            (ConfigChange::Committed { at: None }, _) => ui.say(&Msg::ConfigCommittedElsewhere),
        }
    }
    if let Some(remote) = done.records {
        ui.say(&Msg::RecordsRefspecAdded {
            remote: remote.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_ignores_what_it_cannot_execute() {
        let dir = tempfile::tempdir().unwrap();
        let hook = dir.path().join("pre-commit");
        assert_eq!(why_git_ignores(&hook), Some(Msg::WhyMissing));
        fs::create_dir(&hook).unwrap();
        assert_eq!(why_git_ignores(&hook), Some(Msg::WhyNotFile));
        fs::remove_dir(&hook).unwrap();
        fs::write(&hook, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(why_git_ignores(&hook), Some(Msg::WhyNotExecutable));
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(why_git_ignores(&hook), None);
    }
}
