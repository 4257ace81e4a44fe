//! `shipgate doctor --server`: proves a bare repository's push will run shipgate's
//! `pre-receive` with a working binary of this version, that push options and the marker
//! ref are there, and which policy the server judges by.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::DoctorArgs;
use crate::commands::install::{check_hooks_dir, is_executable, why_git_ignores};
use crate::commands::{over_fleet, repo_dir, FleetRow};
use crate::error::{Result, EXIT_OK, EXIT_REFUSED};
use crate::git::{self, Location, Repo};
use crate::messages::Msg;
use crate::shim::{self, HookFile};
use crate::ui::{Tone, Ui};
use crate::Context;

use super::install::locate_bare;
use super::{Layout, MARKER_REF, SERVER_SHIM_VERSION};

/// One line of the report: what, its state, and the hint when it is a problem.
struct Check {
    what: Msg,
    status: Msg,
    problem: Option<Msg>,
}

pub fn run(ctx: &Context, args: &DoctorArgs) -> Result<u8> {
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
            let (result, failed) = match locate_bare(&found.path).map(|l| diagnose(&l)) {
                Err(err) => (ui.text(&err.message), true),
                Ok(checks) => match checks.iter().find(|c| c.problem.is_some()) {
                    None => (ui.text(&Msg::Ok), false),
                    Some(first) => (
                        format!("{} {}", ui.text(&first.what), ui.text(&first.status)),
                        true,
                    ),
                },
            };
            FleetRow {
                repo: found.path.clone(),
                tone: if failed { Tone::Bad } else { Tone::Good },
                result,
                failed,
            }
        });
    }
    let location = locate_bare(&repo_dir(args.target.repo.as_deref())?)?;
    let checks = diagnose(&location);
    report(&ui, &location, &checks);
    if checks.iter().any(|c| c.problem.is_some()) {
        Ok(EXIT_REFUSED)
    } else {
        Ok(EXIT_OK)
    }
}

fn diagnose(location: &Location) -> Vec<Check> {
    let repo = location.common_dir.display().to_string();
    let install = || Msg::HintInstallServer { repo: repo.clone() };
    let mut checks = Vec::new();
    for layout in Layout::ALL {
        let Ok(path) = layout.hook_path(location) else {
            continue;
        };
        if let Ok(HookFile::Shim { version, binary }) = shim::inspect(&path) {
            if layout == Layout::Plain {
                if let Err(err) = check_hooks_dir(location) {
                    checks.push(Check {
                        what: Msg::Literal {
                            text: "core.hooksPath".into(),
                        },
                        status: *err.message,
                        problem: err.hints.into_iter().next(),
                    });
                }
            }
            checks.push(check_hook(layout, &path, version, &binary, install()));
            if layout == Layout::Gitolite && !gitolite_runs(location, &path) {
                checks.push(Check {
                    what: Msg::Literal {
                        text: "gitolite".into(),
                    },
                    status: Msg::DoctorGitoliteOff,
                    problem: Some(Msg::GitoliteEnable {
                        script: path.display().to_string(),
                    }),
                });
            }
        }
    }
    if checks.is_empty() {
        checks.push(Check {
            what: Msg::Literal {
                text: "pre-receive".into(),
            },
            status: Msg::DoctorHookMissing,
            problem: Some(install()),
        });
    }
    let options = git::config_value(&location.common_dir, "receive.advertisePushOptions");
    let on = matches!(options.as_ref().map(|o| o.as_deref()), Ok(Some("true")));
    checks.push(Check {
        what: Msg::Literal {
            text: "receive.advertisePushOptions".into(),
        },
        status: if on {
            Msg::Ok
        } else {
            Msg::DoctorPushOptionsOff
        },
        problem: (!on).then(install),
    });
    let marked = git::has_ref(&location.common_dir, MARKER_REF).unwrap_or(false);
    checks.push(Check {
        what: Msg::Literal {
            text: MARKER_REF.into(),
        },
        status: if marked {
            Msg::Ok
        } else {
            Msg::DoctorMarkerMissing
        },
        problem: (!marked).then(install),
    });
    let policy = Repo::discover(&location.common_dir).and_then(|r| super::policy::read(&r));
    checks.push(match policy {
        Ok((_, source)) => Check {
            what: Msg::DoctorPolicy,
            status: match source {
                Some(source) => Msg::DoctorServerPolicy { source },
                None => Msg::PolicyDefaults,
            },
            problem: None,
        },
        Err(err) => Check {
            what: Msg::DoctorPolicy,
            problem: err.hints.first().cloned().or(Some(Msg::HintHookIgnored)),
            status: *err.message,
        },
    });
    checks
}

fn check_hook(layout: Layout, path: &Path, version: u32, recorded: &Path, install: Msg) -> Check {
    let what = Msg::HookWithLayout {
        hook: "pre-receive".into(),
        layout: layout.name().into(),
    };
    let problem = |status: Msg, hint: Msg| Check {
        what: what.clone(),
        status,
        problem: Some(hint),
    };
    if why_git_ignores(path).is_some() {
        let path = path.display().to_string();
        return problem(
            Msg::DoctorHookNotExecutable { path: path.clone() },
            Msg::HintChmod { path },
        );
    }
    if version != SERVER_SHIM_VERSION {
        return problem(
            Msg::DoctorHookStale {
                version: version.to_string(),
                current: SERVER_SHIM_VERSION.to_string(),
            },
            install,
        );
    }
    // A server hook runs with the host's thin environment: the recorded binary is what
    // counts (PATH is only the shim's fallback).
    if !is_executable(recorded) {
        return problem(
            Msg::DoctorBinaryMissing {
                recorded: recorded.display().to_string(),
            },
            Msg::HintInstallBinary,
        );
    }
    let ours = env!("CARGO_PKG_VERSION");
    match version_of(recorded) {
        Err(detail) => problem(
            Msg::DoctorBinaryBroken {
                binary: recorded.display().to_string(),
                detail,
            },
            Msg::HintInstallBinary,
        ),
        Ok(theirs) if theirs != ours => problem(
            Msg::DoctorBinaryVersion {
                binary: recorded.display().to_string(),
                theirs,
                ours: ours.to_string(),
            },
            install,
        ),
        Ok(theirs) => Check {
            what,
            status: Msg::DoctorHookOk {
                binary: recorded.display().to_string(),
                version: theirs,
            },
            problem: None,
        },
    }
}

/// Whether gitolite linked the repo-specific `script` into this repository's hooks
/// (`hooks/pre-receive.h00-shipgate`, made by `gitolite setup` when the conf names it).
fn gitolite_runs(location: &Location, script: &Path) -> bool {
    let script = git::normalize(script);
    let Ok(entries) = std::fs::read_dir(location.common_dir.join("hooks")) else {
        return false;
    };
    entries.filter_map(|e| e.ok()).any(|entry| {
        entry
            .file_name()
            .to_string_lossy()
            .starts_with("pre-receive.h")
            && git::normalize(&entry.path()) == script
    })
}

/// `binary --version`.
fn version_of(binary: &Path) -> std::result::Result<String, Box<Msg>> {
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
}

fn report(ui: &Ui, location: &Location, checks: &[Check]) {
    let hook: PathBuf = Layout::Plain
        .hook_path(location)
        .unwrap_or_else(|_| location.hooks_dir.join("pre-receive"));
    ui.say(&Msg::ServerInstallHeader {
        repo: location.common_dir.display().to_string(),
        hook: hook.display().to_string(),
    });
    let rows: Vec<_> = checks
        .iter()
        .map(|c| {
            let tone = if c.problem.is_some() {
                Tone::Bad
            } else {
                Tone::Good
            };
            vec![(ui.text(&c.what), Tone::Plain), (ui.text(&c.status), tone)]
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
    if problems.is_empty() {
        ui.say(&Msg::DoctorAllGood);
    } else {
        ui.error(&Msg::DoctorProblems {
            count: problems.len().to_string(),
        });
    }
}
