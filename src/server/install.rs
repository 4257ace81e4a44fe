//! `shipgate install --server`: the `pre-receive` hook in a bare repository, where its
//! git host runs it (see `Layout`); a foreign `pre-receive` is kept, chained and restored
//! on uninstall as on the client. It also turns on push options and sets the marker ref
//! that tells clients this server enforces the rules.

use std::fs;
use std::path::{Path, PathBuf};

use crate::cli::InstallArgs;
use crate::commands::install::{apply, current_binary, why_git_ignores, HookChange};
use crate::commands::{over_fleet, repo_dir, FleetRow};
use crate::error::{io_at, Error, Result, EXIT_OK};
use crate::git::{self, Location};
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::shim::{self, sh_quote, HookFile};
use crate::ui::{Tone, Ui};
use crate::Context;

use super::{Layout, MARKER_REF, SERVER_SHIM_VERSION};

const TEMPLATE: &str = include_str!("../../hooks/pre-receive.sh");

/// What the marker ref's blob says to whoever reads it.
const MARKER_TEXT: &str = "shipgate's pre-receive hook judges every push to this repository\n";

/// What was (or would be) done to one repository.
pub struct Installed {
    repo: PathBuf,
    hook: PathBuf,
    layout: Layout,
    change: HookChange,
    dry_run: bool,
}

impl Installed {
    fn state(&self) -> Msg {
        match (self.change, self.dry_run) {
            (HookChange::Install | HookChange::InstallKeepingForeign, false) => Msg::StateInstalled,
            (HookChange::Install | HookChange::InstallKeepingForeign, true) => {
                Msg::StateWouldInstall
            }
            (HookChange::Upgrade, false) => Msg::StateUpgraded,
            (HookChange::Upgrade, true) => Msg::StateWouldUpgrade,
            (HookChange::Current, _) => Msg::StateCurrent,
        }
    }
}

pub fn run(ctx: &Context, args: &InstallArgs) -> Result<u8> {
    let binary = current_binary()?;
    let layout = args.layout.unwrap_or(Layout::Plain);
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
            match install(&found.path, &binary, ctx.lang(), layout, args) {
                Ok(done) => FleetRow {
                    repo: found.path.clone(),
                    result: ui.text(&done.state()),
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
    let done = install(&dir, &binary, ctx.lang(), layout, args)?;
    report(&ui, &done);
    Ok(EXIT_OK)
}

/// The bare repository at `dir`, as git locates it; anything else is refused.
pub fn locate_bare(dir: &Path) -> Result<Location> {
    let location = git::locate(dir)?;
    if location.toplevel.is_some() {
        return Err(Error::new(Msg::ServerNotBare {
            path: location.display_root().display().to_string(),
        })
        .hint(Msg::HintServerNotBare));
    }
    Ok(location)
}

fn install(
    dir: &Path,
    binary: &Path,
    lang: Lang,
    layout: Layout,
    args: &InstallArgs,
) -> Result<Installed> {
    let location = locate_bare(dir)?;
    if layout == Layout::Plain {
        crate::commands::install::check_hooks_dir(&location)?;
    }
    let path = layout.hook_path(&location)?;
    let (folder, name) = split(&path);
    let wanted = render(binary, lang, layout == Layout::Gitlab);
    let change = match shim::inspect(&path).map_err(io_at(&path))? {
        HookFile::Missing => HookChange::Install,
        HookFile::Foreign if layout.chains_foreign() => {
            let backup = folder.join(shim::backup_name(&name));
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
        HookFile::Foreign => {
            let shown = path.display().to_string();
            return Err(Error::new(Msg::ServerForeignHook {
                path: shown.clone(),
            })
            .hint(Msg::HintServerForeignHook { path: shown }));
        }
        HookFile::Shim { version, .. } if version > SERVER_SHIM_VERSION && !args.force => {
            return Err(Error::new(Msg::NewerShim {
                path: path.display().to_string(),
                version: version.to_string(),
            })
            .hint(Msg::HintNewerShim));
        }
        HookFile::Shim { .. } => {
            let same = fs::read(&path).map_err(io_at(&path))? == wanted.as_bytes();
            if same && why_git_ignores(&path).is_none() {
                HookChange::Current
            } else {
                HookChange::Upgrade
            }
        }
    };
    if !args.dry_run {
        apply(&folder, &name, change, &wanted)?;
        git::set_config(&location.common_dir, "receive.advertisePushOptions", "true")?;
        git::set_marker(&location.common_dir, MARKER_REF, MARKER_TEXT)?;
        if let Some(why) = why_git_ignores(&path) {
            return Err(Error::new(Msg::HookIgnored {
                path: path.display().to_string(),
                why: Box::new(why),
            })
            .hint(Msg::HintHookIgnored));
        }
    }
    Ok(Installed {
        repo: location.common_dir.clone(),
        hook: path,
        layout,
        change,
        dry_run: args.dry_run,
    })
}

/// The folder a hook file is in, and its name.
pub fn split(path: &Path) -> (PathBuf, String) {
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (folder, name)
}

/// The server shim, recording `binary`; under GitLab its one message carries the prefix
/// that GitLab's web UI shows.
pub fn render(binary: &Path, lang: Lang, gitlab: bool) -> String {
    let missing = format!(
        "{}{}",
        if gitlab { "GL-HOOK-ERR: " } else { "" },
        lang.labelled(
            &Msg::PrefixError.render(lang),
            &Msg::ShimBinaryMissing {
                hook: "pre-receive".into(),
                binary: binary.display().to_string(),
            }
            .render(lang),
        )
    );
    TEMPLATE
        .replace("{{version}}", &SERVER_SHIM_VERSION.to_string())
        .replace("{{binary}}", &sh_quote(&binary.to_string_lossy()))
        .replace("{{missing_message}}", &sh_quote(&missing))
}

fn report(ui: &Ui, done: &Installed) {
    ui.say(&Msg::ServerInstallHeader {
        repo: done.repo.display().to_string(),
        hook: done.hook.display().to_string(),
    });
    let mut state = ui.text(&done.state());
    if done.change == HookChange::InstallKeepingForeign {
        let kept = Msg::HookKeptForeign {
            backup: shim::backup_name("pre-receive"),
        };
        state = ui.text(&Msg::StateAndNote {
            state: Box::new(done.state()),
            note: Box::new(kept),
        });
    }
    ui.table(
        &[ui.text(&Msg::ColumnHook), ui.text(&Msg::ColumnResult)],
        &[vec![
            (
                ui.text(&Msg::HookServerLayout {
                    layout: done.layout.name().into(),
                }),
                Tone::Plain,
            ),
            (state, Tone::Good),
        ]],
    );
    if done.dry_run {
        return;
    }
    ui.say(&Msg::ServerInstalled {
        options: "true".into(),
    });
    if done.layout == Layout::Gitolite {
        ui.hint(&Msg::GitoliteEnable {
            script: done.hook.display().to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_shim_is_a_shim_without_skip() {
        let text = render(Path::new("/opt/shipgate"), Lang::En, true);
        assert!(!text.contains("{{"), "every placeholder is filled");
        assert!(
            !text.contains("${SHIPGATE_SKIP"),
            "the server cannot be skipped"
        );
        assert!(text.contains("'GL-HOOK-ERR: error: shipgate is not installed"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pre-receive");
        fs::write(&path, &text).unwrap();
        assert_eq!(
            shim::inspect(&path).unwrap(),
            HookFile::Shim {
                version: SERVER_SHIM_VERSION,
                binary: PathBuf::from("/opt/shipgate")
            }
        );
    }
}
