//! `shipgate status`: one screen that says where a repository stands (hooks, policy,
//! the release in preparation, closed gates, the last release's check-master verdict,
//! server enforcement), each line with the command that moves it on. `--format json`
//! gives the same as a versioned document (`"schema": 1`).

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::check_master::Verdict;
use crate::cli::{Format, StatusArgs};
use crate::error::{Result, EXIT_OK};
use crate::messages::Msg;
use crate::plan::PlanFinding;
use crate::status::gates::Closed;
use crate::status::plans::Progress;
use crate::status::{
    self, Asked, HookState, LastRelease, ServerHow, Source, Status, WorkingCopy, REMOTE,
};
use crate::ui::{Tone, Ui};
use crate::Context;

use super::repo_dir;

/// How many of a stage's missing things the text shows; `plan check` shows them all.
const SHOWN: usize = 5;

pub fn run(ctx: &Context, args: &StatusArgs) -> Result<u8> {
    let dir = repo_dir(args.repo.as_deref())?;
    let status = status::gather(&dir, args.offline, ctx.env.now())?;
    ctx.adopt(&status.config);
    let ui = ctx.ui();
    match args.format {
        Format::Json => {
            let json =
                serde_json::to_string_pretty(&json(&ui, &status)).expect("a status serializes");
            ui.line(&json);
        }
        Format::Text => text(&ui, &status),
    }
    Ok(EXIT_OK)
}

/// Lines under a label: the label once, then the lines aligned after it.
struct Screen<'a> {
    ui: &'a Ui,
    width: usize,
    hints: Vec<Msg>,
}

impl Screen<'_> {
    fn section(&self, label: &Msg, lines: &[(String, Tone)]) {
        let label = self.ui.text(label);
        for (i, (line, tone)) in lines.iter().enumerate() {
            let head = if i == 0 { label.as_str() } else { "" };
            let pad = " ".repeat(self.width.saturating_sub(head.width()) + 2);
            self.ui
                .line(&format!("{head}{pad}{}", self.ui.paint_out(*tone, line)));
        }
    }
}

fn text(ui: &Ui, status: &Status) {
    let labels = [
        Msg::StatusLabelHooks,
        Msg::StatusLabelPolicy,
        Msg::StatusLabelPreparing,
        Msg::StatusLabelGates,
        Msg::StatusLabelLast,
        Msg::StatusLabelServer,
    ];
    let width = labels.iter().map(|l| ui.text(l).width()).max().unwrap_or(0);
    let mut screen = Screen {
        ui,
        width,
        hints: Vec::new(),
    };
    let branch = status
        .branch
        .clone()
        .unwrap_or_else(|| ui.text(&Msg::StatusDetached));
    ui.say(&Msg::StatusHeader {
        repo: status.root.display().to_string(),
        branch,
    });
    for (path, err) in &status.broken {
        let _ = path;
        ui.warning(&err.message);
    }
    let hooks = hook_lines(ui, status, &mut screen.hints);
    screen.section(&Msg::StatusLabelHooks, &hooks);
    let policy = policy_lines(ui, status, &mut screen.hints);
    screen.section(&Msg::StatusLabelPolicy, &policy);
    let preparing = preparing_lines(ui, status, &mut screen.hints);
    screen.section(&Msg::StatusLabelPreparing, &preparing);
    // A closed gate is what blocks the next release: its way out comes first.
    let mut gate_hints = Vec::new();
    let gates = gate_lines(ui, status, &mut gate_hints);
    screen.hints.splice(0..0, gate_hints);
    screen.section(&Msg::StatusLabelGates, &gates);
    let last = last_lines(ui, status, &mut screen.hints);
    screen.section(&Msg::StatusLabelLast, &last);
    let server = server_lines(ui, status, &mut screen.hints);
    screen.section(&Msg::StatusLabelServer, &server);
    let mut shown: Vec<&Msg> = Vec::new();
    for hint in &screen.hints {
        if !shown.contains(&hint) {
            ui.hint(hint);
            shown.push(hint);
        }
    }
}

fn hook_lines(ui: &Ui, status: &Status, hints: &mut Vec<Msg>) -> Vec<(String, Tone)> {
    // Hooks in the same state share a line.
    let mut groups: Vec<(&HookState, Vec<&str>)> = Vec::new();
    for hook in &status.hooks {
        match groups.iter_mut().find(|(state, _)| **state == hook.state) {
            Some((_, names)) => names.push(hook.name),
            None => groups.push((&hook.state, vec![hook.name])),
        }
    }
    groups
        .into_iter()
        .map(|(state, names)| {
            let hooks = names.join(&ui.text(&Msg::ListSeparator));
            let (msg, tone) = match state {
                HookState::Installed {
                    binary,
                    found: true,
                } => (
                    Msg::StatusHooksInstalled {
                        hooks,
                        binary: binary.display().to_string(),
                    },
                    Tone::Good,
                ),
                HookState::Installed {
                    binary,
                    found: false,
                } => {
                    hints.push(Msg::HintStatusDoctor);
                    (
                        Msg::StatusHooksBinaryMissing {
                            hooks,
                            binary: binary.display().to_string(),
                        },
                        Tone::Bad,
                    )
                }
                HookState::Missing => {
                    hints.push(Msg::HintInstall);
                    (Msg::StatusHooksMissing { hooks }, Tone::Bad)
                }
                HookState::Foreign => {
                    hints.push(Msg::HintStatusDoctor);
                    (Msg::StatusHooksForeign { hooks }, Tone::Warn)
                }
                HookState::Stale { version } => {
                    hints.push(Msg::HintInstall);
                    (
                        Msg::StatusHooksStale {
                            hooks,
                            version: version.to_string(),
                            current: crate::shim::SHIM_VERSION.to_string(),
                        },
                        Tone::Bad,
                    )
                }
                HookState::NotExecutable => {
                    hints.push(Msg::HintInstall);
                    (Msg::StatusHooksNotExecutable { hooks }, Tone::Bad)
                }
            };
            (ui.text(&msg), tone)
        })
        .collect()
}

fn policy_lines(ui: &Ui, status: &Status, hints: &mut Vec<Msg>) -> Vec<(String, Tone)> {
    let remote = REMOTE.to_string();
    let policy = &status.policy;
    let mut lines = Vec::new();
    let source = match &policy.source {
        Source::Remote { source } => Msg::StatusPolicyRemote {
            remote: remote.clone(),
            source: source.clone(),
        },
        Source::RemoteDefaults => Msg::StatusPolicyRemoteDefaults {
            remote: remote.clone(),
        },
        Source::RemoteUnfetched { branch, id } => {
            hints.push(Msg::HintFetchBranch {
                remote: remote.clone(),
                branch: branch.clone(),
            });
            Msg::StatusPolicyRemoteUnfetched {
                remote: remote.clone(),
                branch: branch.clone(),
                id: id.short().to_string(),
            }
        }
        Source::Committed { refname } => Msg::StatusPolicyCommitted {
            refname: refname.clone(),
        },
        Source::WorkingTree => Msg::StatusPolicyWorkingTree,
        Source::Defaults => Msg::StatusPolicyDefaults,
    };
    lines.push((ui.text(&source), Tone::Plain));
    match &policy.asked {
        Asked::Yes { .. } => {}
        Asked::Offline => lines.push((
            ui.text(&Msg::StatusAskedOffline {
                remote: remote.clone(),
            }),
            Tone::Plain,
        )),
        Asked::NoRemote => lines.push((
            ui.text(&Msg::StatusNoRemote {
                remote: remote.clone(),
            }),
            Tone::Plain,
        )),
        Asked::Failed(err) => {
            lines.push((
                ui.text(&Msg::StatusAskedFailed {
                    remote: remote.clone(),
                    detail: ui.text(&err.message),
                }),
                Tone::Warn,
            ));
            hints.push(Msg::HintStatusOffline);
        }
    }
    match &policy.working {
        WorkingCopy::Absent | WorkingCopy::Same => {}
        WorkingCopy::Differs => lines.push((ui.text(&Msg::StatusWorkingDiffers), Tone::Warn)),
        WorkingCopy::Invalid(err) => {
            lines.push((
                ui.text(&Msg::StatusWorkingInvalid {
                    detail: ui.text(&err.message),
                }),
                Tone::Bad,
            ));
            hints.extend(err.hints.iter().cloned());
        }
    }
    lines
}

fn preparing_lines(ui: &Ui, status: &Status, hints: &mut Vec<Msg>) -> Vec<(String, Tone)> {
    let Some(prepared) = &status.preparing else {
        let dir = status.plans_dir.clone();
        let none = if status.plan_count == 0 {
            Msg::PlanNone { dir }
        } else {
            Msg::StatusPreparingNone { dir }
        };
        if status.broken.is_empty() {
            hints.push(Msg::HintPlanNew {
                kind: status.suggested.0.name().into(),
                version: status.suggested.1.clone(),
            });
        }
        return vec![(ui.text(&none), Tone::Plain)];
    };
    let mut lines = vec![(
        ui.text(&Msg::StatusPreparing {
            version: prepared.version.clone(),
            kind: prepared.kind.name().to_string(),
            kind_zh: prepared.kind.words().render(crate::i18n::Lang::ZhCn),
            file: prepared.file.clone(),
        }),
        Tone::Plain,
    )];
    lines.push((reached(ui, &prepared.progress), Tone::Plain));
    match &prepared.progress.next {
        None => {}
        Some((stage, missing)) => {
            lines.push((
                ui.text(&Msg::StatusStageNext {
                    stage: stage.name().to_string(),
                    count: missing.len().to_string(),
                }),
                Tone::Warn,
            ));
            lines.extend(findings(ui, &prepared.file, missing));
            hints.push(Msg::HintPlanCheckStage {
                version: prepared.version.clone(),
                stage: stage.name().to_string(),
            });
        }
    }
    lines
}

fn reached(ui: &Ui, progress: &Progress) -> String {
    match (progress.reached, &progress.next) {
        (_, None) => ui.text(&Msg::StatusStageComplete),
        (None, Some(_)) => ui.text(&Msg::StatusStageNone),
        (Some(stage), Some(_)) => ui.text(&Msg::StatusStageReached {
            stage: stage.name().to_string(),
        }),
    }
}

/// The first few findings, `file:line: [rule] what`, and how many more there are.
fn findings(ui: &Ui, file: &str, missing: &[PlanFinding]) -> Vec<(String, Tone)> {
    let mut lines: Vec<(String, Tone)> = missing
        .iter()
        .take(SHOWN)
        .map(|f| {
            (
                format!("  {file}:{}: [{}] {}", f.line, f.rule, ui.text(&f.message)),
                Tone::Plain,
            )
        })
        .collect();
    if missing.len() > SHOWN {
        lines.push((
            format!(
                "  {}",
                ui.text(&Msg::StatusMore {
                    count: (missing.len() - SHOWN).to_string()
                })
            ),
            Tone::Plain,
        ));
    }
    lines
}

fn gate_lines(ui: &Ui, status: &Status, hints: &mut Vec<Msg>) -> Vec<(String, Tone)> {
    let mut lines = Vec::new();
    if let Some(window) = &status.window {
        lines.push((
            ui.text(&Msg::StatusWindowOpen {
                until: crate::emergency::show_time(window.until),
                reason: window.reason.clone(),
            }),
            Tone::Warn,
        ));
    }
    if status.closed.is_empty() {
        lines.push((ui.text(&Msg::StatusGatesOpen), Tone::Good));
    }
    for gate in &status.closed {
        match gate {
            Closed::RollbackPlanMissing { version, expected } => {
                lines.push((
                    ui.text(&Msg::StatusGateRollbackPlanMissing {
                        version: version.clone(),
                        expected: expected.clone(),
                    }),
                    Tone::Bad,
                ));
                hints.push(Msg::HintRollbackAnalysis {
                    path: expected.clone(),
                    version: version.clone(),
                });
            }
            Closed::RollbackRecordGone { version, path } => {
                lines.push((
                    ui.text(&Msg::StatusGateRollbackRecordGone {
                        version: version.clone(),
                        path: path.clone(),
                    }),
                    Tone::Bad,
                ));
                hints.push(Msg::HintRollbackAnalysis {
                    path: path.clone(),
                    version: version.clone(),
                });
            }
            Closed::RollbackAnalysis {
                version,
                path,
                problems,
            } => {
                lines.push((
                    ui.text(&Msg::StatusGateAnalysis {
                        rule: gate.rule().to_string(),
                        version: version.clone(),
                        path: path.clone(),
                        count: problems.len().to_string(),
                    }),
                    Tone::Bad,
                ));
                lines.extend(findings(ui, path, problems));
                hints.push(Msg::HintRollbackAnalysis {
                    path: path.clone(),
                    version: version.clone(),
                });
            }
            Closed::EmergencyPlanOwed { debt } => {
                lines.push((
                    ui.text(&Msg::StatusGateEmergency {
                        date: debt.date.clone(),
                        incident: debt.incident.clone().unwrap_or_else(|| "-".into()),
                    }),
                    Tone::Bad,
                ));
                match &status.emergency_plan {
                    // Being written: what it still needs.
                    Some(version) => hints.push(Msg::HintPlanCheckStage {
                        version: version.clone(),
                        stage: "done".into(),
                    }),
                    None => hints.push(Msg::HintEmergencyPlan {
                        version: status.next_version.clone(),
                    }),
                }
            }
        }
    }
    lines
}

fn last_lines(ui: &Ui, status: &Status, hints: &mut Vec<Msg>) -> Vec<(String, Tone)> {
    let Some(LastRelease {
        tag,
        rolled_back,
        verdict,
        plan,
    }) = &status.last
    else {
        return vec![(ui.text(&Msg::StatusLastNone), Tone::Plain)];
    };
    let tag = tag.clone();
    let mut lines = Vec::new();
    // Production no longer runs it: say so before anything else about it.
    if let Some(back) = rolled_back {
        let msg = if back.to.is_empty() {
            Msg::StatusLastRolledBackRecorded { tag: tag.clone() }
        } else {
            Msg::StatusLastRolledBack {
                tag: tag.clone(),
                to: back.to.clone(),
                at: back.at.clone(),
            }
        };
        lines.push((ui.text(&msg), Tone::Warn));
    }
    match verdict {
        Ok(checked) => {
            let master = checked.master.clone();
            let (msg, tone) = match checked.verdict {
                Verdict::Clean => (
                    Msg::StatusLastClean {
                        tag: tag.clone(),
                        master,
                    },
                    Tone::Good,
                ),
                Verdict::Lost => (
                    Msg::StatusLastLost {
                        tag: tag.clone(),
                        master,
                        count: checked.lost.to_string(),
                    },
                    Tone::Bad,
                ),
                Verdict::Review => (
                    Msg::StatusLastReview {
                        tag: tag.clone(),
                        master,
                        count: checked.review.to_string(),
                    },
                    Tone::Warn,
                ),
                Verdict::NotMerged => (
                    Msg::StatusLastNotMerged {
                        tag: tag.clone(),
                        master,
                    },
                    Tone::Warn,
                ),
            };
            if checked.verdict == Verdict::NotMerged {
                hints.push(Msg::HintMergeTag { tag: tag.clone() });
            } else if checked.verdict != Verdict::Clean {
                hints.push(Msg::HintCheckMasterTag { tag: tag.clone() });
            }
            lines.push((ui.text(&msg), tone));
        }
        Err(why) => lines.push((
            ui.text(&Msg::StatusLastNotChecked {
                tag: tag.clone(),
                why: ui.text(why),
            }),
            Tone::Warn,
        )),
    }
    if let Some((file, progress)) = plan {
        let summary = match &progress.next {
            None => ui.text(&Msg::StatusStageComplete),
            Some((stage, missing)) => {
                hints.push(Msg::HintPlanCheckStage {
                    version: tag.clone(),
                    stage: stage.name().to_string(),
                });
                format!(
                    "{}; {}",
                    reached(ui, progress),
                    ui.text(&Msg::StatusStageNextShort {
                        stage: stage.name().to_string(),
                        count: missing.len().to_string(),
                    })
                )
            }
        };
        lines.push((
            ui.text(&Msg::StatusLastPlan {
                file: file.clone(),
                progress: summary,
            }),
            Tone::Plain,
        ));
    }
    lines
}

fn server_lines(ui: &Ui, status: &Status, hints: &mut Vec<Msg>) -> Vec<(String, Tone)> {
    let remote = REMOTE.to_string();
    let server = &status.server;
    let (msg, tone) = match (server.how, server.enforced) {
        (ServerHow::NoRemote, _) => (Msg::StatusServerNoRemote { remote }, Tone::Warn),
        (ServerHow::Advertised, Some(true)) => (Msg::StatusServerAdvertised { remote }, Tone::Good),
        (ServerHow::Advertised, _) => {
            if let Some(path) = &server.local_path {
                hints.push(Msg::HintInstallServer {
                    repo: path.display().to_string(),
                });
            }
            (Msg::StatusServerNotAdvertised { remote }, Tone::Warn)
        }
        (ServerHow::Fetched, _) => (Msg::StatusServerFetched { remote }, Tone::Good),
        (ServerHow::Unknown, _) => (Msg::StatusServerUnknown { remote }, Tone::Plain),
    };
    vec![(ui.text(&msg), tone)]
}

// ----- --format json (schema 1) -----

#[derive(Serialize)]
struct Json {
    schema: u32,
    repo: String,
    branch: Option<String>,
    hooks: Vec<JsonHook>,
    policy: JsonPolicy,
    plans_dir: String,
    unreadable_plans: Vec<JsonUnreadable>,
    preparing: Option<JsonPrepared>,
    gates: JsonGates,
    last_release: Option<JsonLast>,
    server: JsonServer,
}

#[derive(Serialize)]
struct JsonHook {
    hook: &'static str,
    /// `installed`, `missing`, `foreign`, `stale`, `not-executable`.
    state: &'static str,
    binary: Option<String>,
    binary_exists: Option<bool>,
}

#[derive(Serialize)]
struct JsonPolicy {
    /// `remote`, `remote-defaults`, `remote-unfetched`, `committed`, `working-tree`,
    /// `defaults`.
    source: &'static str,
    /// `master@1a2b3c4:.shipgate.toml` (remote) or `refs/remotes/origin/master` (committed).
    at: Option<String>,
    /// `yes`, `offline`, `no-remote`, `failed`.
    remote_asked: &'static str,
    remote_error: Option<String>,
    /// `absent`, `same`, `differs`, `invalid`.
    working_tree: &'static str,
}

#[derive(Serialize)]
struct JsonUnreadable {
    file: String,
    error: String,
}

#[derive(Serialize)]
struct JsonPrepared {
    version: String,
    kind: &'static str,
    file: String,
    stage_reached: Option<&'static str>,
    next_stage: Option<&'static str>,
    missing: Vec<JsonFinding>,
}

#[derive(Serialize)]
struct JsonFinding {
    file: String,
    line: usize,
    item: Option<String>,
    rule: &'static str,
    message: String,
}

#[derive(Serialize)]
struct JsonGates {
    closed: Vec<JsonGate>,
    emergency_window: Option<JsonWindow>,
}

#[derive(Serialize)]
struct JsonGate {
    rule: &'static str,
    /// `rollback-plan-missing`, `rollback-record-gone`, `rollback-analysis`,
    /// `emergency-plan-owed`.
    reason: &'static str,
    version: Option<String>,
    file: Option<String>,
    date: Option<String>,
    incident: Option<String>,
    missing: Vec<JsonFinding>,
    message: String,
}

#[derive(Serialize)]
struct JsonWindow {
    until: String,
    reason: String,
}

#[derive(Serialize)]
struct JsonLast {
    tag: String,
    /// Present when the release was rolled back; `to` and `at` as its plan records them.
    rolled_back: Option<JsonRolledBack>,
    checked: bool,
    verdict: Option<Verdict>,
    master: Option<String>,
    lost: usize,
    review: usize,
    not_checked_because: Option<String>,
    plan: Option<JsonPlanProgress>,
}

#[derive(Serialize)]
struct JsonRolledBack {
    to: Option<String>,
    at: Option<String>,
}

#[derive(Serialize)]
struct JsonPlanProgress {
    file: String,
    stage_reached: Option<&'static str>,
    next_stage: Option<&'static str>,
    missing: usize,
}

#[derive(Serialize)]
struct JsonServer {
    remote: &'static str,
    /// `true`/`false`, or `null` when it cannot be known.
    enforced: Option<bool>,
    /// `advertised`, `fetched`, `unknown`, `no-remote`.
    how: &'static str,
}

fn json_findings(ui: &Ui, file: &str, findings: &[PlanFinding]) -> Vec<JsonFinding> {
    findings
        .iter()
        .map(|f| JsonFinding {
            file: file.to_string(),
            line: f.line,
            item: f.item.clone(),
            rule: f.rule,
            message: ui.text(&f.message),
        })
        .collect()
}

fn json(ui: &Ui, status: &Status) -> Json {
    let policy = &status.policy;
    let (source, at) = match &policy.source {
        Source::Remote { source } => ("remote", Some(source.clone())),
        Source::RemoteDefaults => ("remote-defaults", None),
        Source::RemoteUnfetched { branch, id } => {
            ("remote-unfetched", Some(format!("{branch}@{}", id.short())))
        }
        Source::Committed { refname } => ("committed", Some(refname.clone())),
        Source::WorkingTree => ("working-tree", Some(crate::config::FILE_NAME.to_string())),
        Source::Defaults => ("defaults", None),
    };
    let (remote_asked, remote_error) = match &policy.asked {
        Asked::Yes { .. } => ("yes", None),
        Asked::Offline => ("offline", None),
        Asked::NoRemote => ("no-remote", None),
        Asked::Failed(err) => ("failed", Some(ui.text(&err.message))),
    };
    let working_tree = match &policy.working {
        WorkingCopy::Absent => "absent",
        WorkingCopy::Same => "same",
        WorkingCopy::Differs => "differs",
        WorkingCopy::Invalid(_) => "invalid",
    };
    let hooks = status
        .hooks
        .iter()
        .map(|h| {
            let (state, binary, exists) = match &h.state {
                HookState::Installed { binary, found } => (
                    "installed",
                    Some(binary.display().to_string()),
                    Some(*found),
                ),
                HookState::Missing => ("missing", None, None),
                HookState::Foreign => ("foreign", None, None),
                HookState::Stale { .. } => ("stale", None, None),
                HookState::NotExecutable => ("not-executable", None, None),
            };
            JsonHook {
                hook: h.name,
                state,
                binary,
                binary_exists: exists,
            }
        })
        .collect();
    let preparing = status.preparing.as_ref().map(|p| JsonPrepared {
        version: p.version.clone(),
        kind: p.kind.name(),
        file: p.file.clone(),
        stage_reached: p.progress.reached.map(|s| s.name()),
        next_stage: p.progress.next.as_ref().map(|(s, _)| s.name()),
        missing: p
            .progress
            .next
            .as_ref()
            .map(|(_, missing)| json_findings(ui, &p.file, missing))
            .unwrap_or_default(),
    });
    let closed = status
        .closed
        .iter()
        .map(|gate| {
            let mut out = JsonGate {
                rule: gate.rule(),
                reason: "",
                version: None,
                file: None,
                date: None,
                incident: None,
                missing: Vec::new(),
                message: String::new(),
            };
            match gate {
                Closed::RollbackPlanMissing { version, expected } => {
                    out.reason = "rollback-plan-missing";
                    out.version = Some(version.clone());
                    out.file = Some(expected.clone());
                    out.message = ui.text(&Msg::StatusGateRollbackPlanMissing {
                        version: version.clone(),
                        expected: expected.clone(),
                    });
                }
                Closed::RollbackRecordGone { version, path } => {
                    out.reason = "rollback-record-gone";
                    out.version = Some(version.clone());
                    out.file = Some(path.clone());
                    out.message = ui.text(&Msg::StatusGateRollbackRecordGone {
                        version: version.clone(),
                        path: path.clone(),
                    });
                }
                Closed::RollbackAnalysis {
                    version,
                    path,
                    problems,
                } => {
                    out.reason = "rollback-analysis";
                    out.version = Some(version.clone());
                    out.file = Some(path.clone());
                    out.missing = json_findings(ui, path, problems);
                    out.message = ui.text(&Msg::StatusGateAnalysis {
                        rule: gate.rule().to_string(),
                        version: version.clone(),
                        path: path.clone(),
                        count: problems.len().to_string(),
                    });
                }
                Closed::EmergencyPlanOwed { debt } => {
                    out.reason = "emergency-plan-owed";
                    out.date = Some(debt.date.clone());
                    out.incident = debt.incident.clone();
                    out.message = ui.text(&Msg::StatusGateEmergency {
                        date: debt.date.clone(),
                        incident: debt.incident.clone().unwrap_or_else(|| "-".into()),
                    });
                }
            }
            out
        })
        .collect();
    let last_release = status.last.as_ref().map(|last| {
        let (checked, verdict, master, lost, review, why) = match &last.verdict {
            Ok(c) => (
                true,
                Some(c.verdict),
                Some(c.master.clone()),
                c.lost,
                c.review,
                None,
            ),
            Err(why) => (false, None, None, 0, 0, Some(ui.text(why))),
        };
        JsonLast {
            tag: last.tag.clone(),
            rolled_back: last.rolled_back.as_ref().map(|back| JsonRolledBack {
                to: (!back.to.is_empty()).then(|| back.to.clone()),
                at: (!back.at.is_empty()).then(|| back.at.clone()),
            }),
            checked,
            verdict,
            master,
            lost,
            review,
            not_checked_because: why,
            plan: last.plan.as_ref().map(|(file, progress)| JsonPlanProgress {
                file: file.clone(),
                stage_reached: progress.reached.map(|s| s.name()),
                next_stage: progress.next.as_ref().map(|(s, _)| s.name()),
                missing: progress.next.as_ref().map_or(0, |(_, m)| m.len()),
            }),
        }
    });
    let how = match status.server.how {
        ServerHow::Advertised => "advertised",
        ServerHow::Fetched => "fetched",
        ServerHow::Unknown => "unknown",
        ServerHow::NoRemote => "no-remote",
    };
    Json {
        schema: 1,
        repo: status.root.display().to_string(),
        branch: status.branch.clone(),
        hooks,
        policy: JsonPolicy {
            source,
            at,
            remote_asked,
            remote_error,
            working_tree,
        },
        plans_dir: status.plans_dir.clone(),
        unreadable_plans: status
            .broken
            .iter()
            .map(|(file, err)| JsonUnreadable {
                file: file.clone(),
                error: ui.text(&err.message),
            })
            .collect(),
        preparing,
        gates: JsonGates {
            closed,
            emergency_window: status.window.as_ref().map(|w| JsonWindow {
                until: w.until.to_string(),
                reason: w.reason.clone(),
            }),
        },
        last_release,
        server: JsonServer {
            remote: REMOTE,
            enforced: status.server.enforced,
            how,
        },
    }
}
