//! `shipgate doctor`: proves git will run every shipgate hook, names the binary each one
//! execs and whether its version matches, and checks the config; one hint per problem.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::DoctorArgs;
use crate::config;
use crate::error::{Result, EXIT_OK, EXIT_REFUSED};
use crate::git::{self, Location};
use crate::messages::Msg;
use crate::shim::{self, HookFile, SHIM_VERSION};
use crate::ui::{Tone, Ui};
use crate::Context;

use super::install::{check_hooks_dir, is_executable};
use super::{over_fleet, repo_dir, FleetRow};

/// One line of the doctor's report.
struct Check {
    what: String,
    status: Msg,
    /// `None` when the line is fine (or only a warning without a hint).
    problem: Option<Msg>,
    warning: bool,
}

pub fn run(ctx: &Context, args: &DoctorArgs) -> Result<u8> {
    if args.server {
        return crate::server::doctor::run(ctx, args);
    }
    let mut versions = Versions::default();
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
            let checks = git::locate(&found.path).map(|loc| diagnose(&loc, ctx, &mut versions));
            let (result, failed) = match checks {
                Err(err) => (ui.text(&err.message), true),
                Ok(checks) => {
                    let problems: Vec<_> = checks.iter().filter(|c| c.problem.is_some()).collect();
                    match problems.first() {
                        None => (ui.text(&Msg::Ok), false),
                        Some(first) => (
                            format!(
                                "{}: {} {}",
                                ui.text(&Msg::DoctorProblems {
                                    count: problems.len().to_string()
                                }),
                                first.what,
                                ui.text(&first.status)
                            ),
                            true,
                        ),
                    }
                }
            };
            FleetRow {
                repo: found.path.clone(),
                tone: if failed { Tone::Bad } else { Tone::Good },
                result,
                failed,
            }
        });
    }
    let location = git::locate(&repo_dir(args.target.repo.as_deref())?)?;
    let checks = diagnose(&location, ctx, &mut versions);
    let ui = ctx.ui();
    report(&ui, &location, &checks);
    if checks.iter().any(|c| c.problem.is_some()) {
        Ok(EXIT_REFUSED)
    } else {
        Ok(EXIT_OK)
    }
}

fn diagnose(location: &Location, ctx: &Context, versions: &mut Versions) -> Vec<Check> {
    let mut checks = Vec::new();
    if location.toplevel.is_none() {
        checks.push(Check {
            what: location.display_root().display().to_string(),
            status: Msg::StateSkippedBare,
            problem: None,
            warning: false,
        });
        return checks;
    }
    if let Err(err) = check_hooks_dir(location) {
        checks.push(Check {
            what: "core.hooksPath".into(),
            status: *err.message,
            problem: err.hints.into_iter().next(),
            warning: false,
        });
    }
    for hook in shim::HOOKS {
        checks.push(check_hook(location, hook, ctx, versions));
    }
    checks.push(check_config(location, ctx));
    checks
}

fn check_hook(location: &Location, hook: &str, ctx: &Context, versions: &mut Versions) -> Check {
    let path = location.hooks_dir.join(hook);
    let problem = |status: Msg, hint: Msg| Check {
        what: hook.to_string(),
        status,
        problem: Some(hint),
        warning: false,
    };
    let recorded = match shim::inspect(&path) {
        Err(err) => {
            return problem(
                Msg::Io {
                    path: path.display().to_string(),
                    detail: err.to_string(),
                },
                Msg::HintInstall,
            )
        }
        Ok(HookFile::Missing) => return problem(Msg::DoctorHookMissing, Msg::HintInstall),
        Ok(HookFile::Foreign) => {
            return problem(Msg::DoctorHookForeign, Msg::HintInstallKeepsForeign)
        }
        Ok(HookFile::Shim { version, binary }) => {
            if !is_executable(&path) {
                let path = path.display().to_string();
                return problem(
                    Msg::DoctorHookNotExecutable { path: path.clone() },
                    Msg::HintChmod { path },
                );
            }
            if version != SHIM_VERSION {
                return problem(
                    Msg::DoctorHookStale {
                        version: version.to_string(),
                        current: SHIM_VERSION.to_string(),
                    },
                    Msg::HintInstall,
                );
            }
            binary
        }
    };
    // The binary the shim will exec: the recorded one, else `shipgate` on PATH.
    let binary = if is_executable(&recorded) {
        Some(recorded.clone())
    } else {
        on_path("shipgate", ctx.env.path.as_deref())
    };
    let Some(binary) = binary else {
        return problem(
            Msg::DoctorBinaryMissing {
                recorded: recorded.display().to_string(),
            },
            Msg::HintInstallBinary,
        );
    };
    let ours = env!("CARGO_PKG_VERSION");
    match versions.of(&binary) {
        Err(detail) => problem(
            Msg::DoctorBinaryBroken {
                binary: binary.display().to_string(),
                detail,
            },
            Msg::HintInstallBinary,
        ),
        Ok(theirs) if theirs != ours => problem(
            Msg::DoctorBinaryVersion {
                binary: binary.display().to_string(),
                theirs,
                ours: ours.to_string(),
            },
            Msg::HintInstall,
        ),
        Ok(theirs) => Check {
            what: hook.to_string(),
            status: Msg::DoctorHookOk {
                binary: binary.display().to_string(),
                version: theirs,
            },
            problem: None,
            warning: false,
        },
    }
}

fn check_config(location: &Location, ctx: &Context) -> Check {
    let top = location.toplevel.as_deref().unwrap_or(&location.common_dir);
    let path = top.join(config::FILE_NAME);
    let what = config::FILE_NAME.to_string();
    match config::load(&path) {
        Ok(Some(config)) => {
            ctx.adopt(&config);
            Check {
                what,
                status: Msg::Ok,
                problem: None,
                warning: false,
            }
        }
        Ok(None) => Check {
            what,
            status: Msg::ConfigMissing {
                path: path.display().to_string(),
            },
            problem: None,
            warning: true,
        },
        Err(err) => Check {
            what,
            problem: err.hints.first().cloned(),
            status: *err.message,
            warning: false,
        },
    }
}

/// `binary --version`, asked once per binary.
#[derive(Default)]
struct Versions(HashMap<PathBuf, Result<String, Box<Msg>>>);

impl Versions {
    fn of(&mut self, binary: &Path) -> Result<String, Box<Msg>> {
        self.0
            .entry(binary.to_path_buf())
            .or_insert_with(|| {
                let out = Command::new(binary)
                    .arg("--version")
                    .output()
                    .map_err(|e| Msg::Verbatim {
                        text: e.to_string(),
                    })?;
                let text = String::from_utf8_lossy(&out.stdout);
                match text.trim().strip_prefix("shipgate ") {
                    Some(version) if out.status.success() => Ok(version.to_string()),
                    _ => Err(Box::new(Msg::PrintedInstead {
                        text: text.trim().into(),
                    })),
                }
            })
            .clone()
    }
}

/// Where a shell would find `name` on `path`.
fn on_path(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn report(ui: &Ui, location: &Location, checks: &[Check]) {
    ui.say(&Msg::InstallHeader {
        repo: location.display_root().display().to_string(),
        hooks_dir: location.hooks_dir.display().to_string(),
    });
    let rows: Vec<_> = checks
        .iter()
        .map(|c| {
            let tone = match (&c.problem, c.warning) {
                (Some(_), _) => Tone::Bad,
                (None, true) => Tone::Warn,
                (None, false) => Tone::Good,
            };
            vec![(c.what.clone(), Tone::Plain), (ui.text(&c.status), tone)]
        })
        .collect();
    ui.table(
        &[ui.text(&Msg::ColumnHook), ui.text(&Msg::DoctorColumnStatus)],
        &rows,
    );
    let problems: Vec<_> = checks.iter().filter_map(|c| c.problem.as_ref()).collect();
    for hint in &problems {
        ui.hint(hint);
    }
    if checks.iter().any(|c| c.warning) {
        ui.hint(&Msg::HintConfigMissing);
    }
    if problems.is_empty() {
        ui.say(&Msg::DoctorAllGood);
    } else {
        ui.error(&Msg::DoctorProblems {
            count: problems.len().to_string(),
        });
    }
}
