//! Plan gates on pushes: a release branch only takes a push whose plan passes stage
//! `release` (F7), a release tag only a plan passing stage `tag`; while a rolled-back
//! release lacks its confirmed problem analysis nothing is released (R3, R4); and after
//! an emergency window was used, the next normal release waits for the emergency plan
//! (E5). Plans are read from the pushed commit, never from the working tree.
//!
//! A debt the receiving side already holds cannot be deleted, only paid: the rollback
//! records are collected from the plans at the commits the remote already accepted as
//! well as from the pushed commit, and each is paid only by a plan of that version, in
//! the plans directory of the pushed commit, with its analysis written and confirmed.
//! Only the plans directory of those few commits is read; history is never walked.

use std::collections::HashMap;
use std::path::Path;

use crate::config::Config;
use crate::error::Result;
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::plan::{self, check::parse_version, Kind, Plan, Stage};

use super::{Commit, Finding, History, RefKind, Severity, Tips};

/// An emergency window that was used and whose emergency plan is owed (E5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debt {
    /// The day the window opened (`2026-11-26`).
    pub date: String,
    pub incident: Option<String>,
}

/// What the gates read: the plans at one commit.
pub struct Plans<'a> {
    pub config: &'a Config,
    pub history: &'a dyn History,
    pub commit: &'a ObjectId,
    /// Release tags that exist (with the one being pushed, when it is a tag).
    pub tags: Vec<String>,
    /// Production and release tips the receiving side has.
    pub accepted: Vec<ObjectId>,
    /// Versions with a rollback record the receiving side holds as a ref
    /// (`refs/shipgate/rollback/<version>`): owed whatever the plans say.
    pub recorded: &'a [String],
}

impl Plans<'_> {
    /// Whether the release `version` has shipped: its tag points at a commit the
    /// receiving side's production or release branches already have. (A tag pushed
    /// together with its release is not shipped yet.)
    fn shipped(&self, version: &str) -> Result<bool> {
        let Some(commit) = self.history.tag_commit(version)? else {
            return Ok(false);
        };
        for tip in &self.accepted {
            if self.history.is_ancestor(&commit, tip)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the pushed commit brings nothing but plans: outside the plans directory
    /// its tree is the same as a commit the receiving side already has, so it releases
    /// nothing (it publishes a rollback record, an analysis, a plan being written).
    fn only_plans(&self) -> Result<bool> {
        let dir = self.dir();
        for tip in &self.accepted {
            if self.history.has(tip)? && self.history.same_outside(tip, self.commit, &dir)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Every plan directly in the plans directory at `commit`, whatever its file is
    /// called: what the rollback and emergency gates read. One that cannot be parsed is
    /// left out (in the pushed commit the stage gates report it); `cache` parses a file
    /// that several commits share once.
    fn records(&self, commit: &ObjectId, cache: &mut Cache) -> Result<Vec<Plan>> {
        let dir = self.dir();
        let mut plans = Vec::new();
        for name in self.history.list_dir(commit, &dir)? {
            if !name.ends_with(".md") {
                continue;
            }
            let path = format!("{dir}/{name}");
            let Some(bytes) = self.history.read_file(commit, &path)? else {
                continue;
            };
            let parsed = cache
                .entry((path, bytes))
                .or_insert_with_key(|(path, bytes)| plan::parse(bytes, Path::new(path)).ok());
            plans.extend(parsed.clone());
        }
        Ok(plans)
    }

    fn dir(&self) -> String {
        self.config
            .plans
            .dir
            .as_path()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string()
    }

    /// Every plan at the commit, parsed; an unreadable one is a finding, not an error.
    fn all(&self, refname: &str, findings: &mut Vec<Finding>) -> Result<Vec<Plan>> {
        let dir = self.dir();
        let mut plans = Vec::new();
        for name in self.history.list_dir(self.commit, &dir)? {
            let Some(version) = name.strip_suffix(".md") else {
                continue;
            };
            if parse_version(version).is_none() {
                continue;
            }
            if let Some(plan) = self.load(version, refname, findings)? {
                plans.push(plan);
            }
        }
        Ok(plans)
    }

    fn load(
        &self,
        version: &str,
        refname: &str,
        findings: &mut Vec<Finding>,
    ) -> Result<Option<Plan>> {
        let path = format!("{}/{version}.md", self.dir());
        let Some(bytes) = self.history.read_file(self.commit, &path)? else {
            return Ok(None);
        };
        match plan::parse(&bytes, Path::new(&path)) {
            Ok(plan) => Ok(Some(plan)),
            Err(err) => {
                let mut finding = Finding::new(Severity::Block, "F7", refname, *err.message);
                finding.hints = err.hints;
                findings.push(finding);
                Ok(None)
            }
        }
    }
}

/// Parsed plans by `(path, content)`: the accepted tips and the pushed commit mostly
/// share their plan files.
type Cache = HashMap<(String, Vec<u8>), Option<Plan>>;

/// The gates for a push to a release branch (`branch` is its short name).
pub fn release_push(
    plans: &Plans,
    refname: &str,
    branch: &str,
    emergency: bool,
    debts: &[Debt],
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let all = plans.all(refname, &mut findings)?;
    let mut cache = Cache::new();
    let pushed = plans.records(plans.commit, &mut cache)?;
    // A push of plans alone releases nothing: it may publish a rollback record or an
    // unfinished analysis, but it must still carry every record the remote has.
    let only_plans = plans.only_plans()?;
    rollback_gate(
        plans,
        &pushed,
        &mut cache,
        only_plans,
        refname,
        &mut findings,
    )?;
    if emergency || only_plans {
        // E1: the emergency plan is written afterwards (E5).
        return Ok(findings);
    }
    debt_gate(plans, &pushed, debts, refname, &mut findings);
    // The release being prepared: `release/<version>` names it; on a single release
    // branch it is the newest plan that no release tag has shipped yet.
    let named = branch
        .rsplit_once('/')
        .map(|(_, v)| v)
        .filter(|v| parse_version(v).is_some());
    let suggested = named.map(str::to_string).unwrap_or_else(|| {
        plan::check::next_version(&plans.tags, &|t| plans.config.tags.release.matches(t))
    });
    let target = match named {
        Some(version) => all.iter().find(|p| same_version(&p.meta.version, version)),
        None => {
            let mut candidates = Vec::new();
            for plan in all.iter().filter(|p| p.meta.kind != Kind::Emergency) {
                if !plans.shipped(&plan.meta.version)? {
                    if let Some(v) = parse_version(&plan.meta.version) {
                        candidates.push((v, plan));
                    }
                }
            }
            candidates
                .into_iter()
                .max_by(|a, b| a.0.cmp(&b.0))
                .map(|(_, p)| p)
        }
    };
    match target {
        None => findings.push(
            Finding::new(
                Severity::Block,
                "F7",
                refname,
                Msg::GateNoPlan {
                    branch: branch.to_string(),
                    dir: plans.dir(),
                    version: suggested.clone(),
                },
            )
            .hint(Msg::HintPlanNewFor { version: suggested }),
        ),
        Some(plan) => {
            // Outside a window an emergency plan is complete or it is no plan.
            let stage = if plan.meta.kind == Kind::Emergency {
                Stage::Done
            } else {
                Stage::Release
            };
            stage_gate(plans, &all, plan, stage, refname, &mut findings)
        }
    }
    Ok(findings)
}

/// The gates for creating the release tag `tag`.
pub fn tag_create(
    plans: &Plans,
    refname: &str,
    tag: &str,
    emergency: bool,
    debts: &[Debt],
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let all = plans.all(refname, &mut findings)?;
    let mut cache = Cache::new();
    let pushed = plans.records(plans.commit, &mut cache)?;
    rollback_gate(plans, &pushed, &mut cache, false, refname, &mut findings)?;
    if emergency {
        return Ok(findings);
    }
    match all.iter().find(|p| p.meta.version == tag) {
        None => findings.push(
            Finding::new(
                Severity::Block,
                "F7",
                refname,
                Msg::GateNoTagPlan {
                    tag: tag.to_string(),
                    path: format!("{}/{tag}.md", plans.dir()),
                },
            )
            .hint(Msg::HintPlanNewFor {
                version: tag.to_string(),
            }),
        ),
        // The emergency plan is written after the fact: outside a window, complete.
        Some(plan) if plan.meta.kind == Kind::Emergency => {
            stage_gate(plans, &all, plan, Stage::Done, refname, &mut findings)
        }
        Some(plan) => {
            debt_gate(plans, &pushed, debts, refname, &mut findings);
            stage_gate(plans, &all, plan, Stage::Tag, refname, &mut findings);
        }
    }
    // The refused tag stays in the pusher's clone: how to take it back.
    if findings.iter().any(|f| f.severity == Severity::Block) {
        if let Some(last) = findings.last_mut() {
            last.hints.push(Msg::HintTagDelete {
                tag: tag.to_string(),
            });
        }
    }
    Ok(findings)
}

fn stage_gate(
    plans: &Plans,
    all: &[Plan],
    plan: &Plan,
    stage: Stage,
    refname: &str,
    out: &mut Vec<Finding>,
) {
    // What production can go back to: releases less the rolled-back ones (F16).
    let targets = plan::check::rollback_targets(&plans.tags, all, plans.recorded);
    let adopting = adopting(plans);
    let problems = plan::check(
        plan,
        &plan::Context {
            config: adopting.as_ref().unwrap_or(plans.config),
            tags: &targets,
        },
        stage,
    );
    if problems.is_empty() {
        return;
    }
    let path = plan.path.display().to_string();
    let mut finding = Finding::new(
        Severity::Block,
        "F7",
        refname,
        Msg::GatePlanIncomplete {
            path: path.clone(),
            stage: stage.name().into(),
            count: problems.len().to_string(),
        },
    )
    .hint(Msg::HintPlanFill {
        version: plan.meta.version.clone(),
        stage: stage.name().into(),
    });
    finding.places = places(&path, problems);
    out.push(finding);
}

/// While the policy in force names no system owners or no tech leads (the remote's
/// production branch has no `.shipgate.toml` yet, so the defaults apply), a plan's
/// approvals cannot be checked against anyone, and no release could ever bring the
/// policy to production: the `[people]` of the config in the pushed commit stand in for
/// the plan's approvals (F3), and only for them. Approvals are the plan's own record of a
/// review either way; once a release brings the policy to production, its people count.
fn adopting(plans: &Plans) -> Option<Config> {
    let people = &plans.config.people;
    if !people.owners.is_empty() && !people.tech_leads.is_empty() {
        return None;
    }
    let bytes = plans
        .history
        .read_file(plans.commit, crate::config::FILE_NAME)
        .ok()??;
    let pushed = crate::config::parse(&bytes, Path::new(crate::config::FILE_NAME)).ok()?;
    let mut config = plans.config.clone();
    config.people = pushed.people;
    Some(config)
}

/// A rolled-back release whose problem analysis is owed, and where its record was seen.
struct Owed {
    version: String,
    /// The commit that holds the record: one the receiving side accepted, or the pushed one.
    commit: ObjectId,
    path: String,
    /// Whether the receiving side already holds the record (then it cannot be dropped).
    accepted: bool,
    /// The record is a ref (`refs/shipgate/rollback/<version>`), not a plan.
    by_ref: bool,
}

/// Whether a plan records a rollback: `shipgate rollback` writes both marks, either one
/// is enough to owe the analysis.
fn records_rollback(plan: &Plan) -> bool {
    plan.meta.rollback.is_some() || rolled_back(plan)
}

fn rolled_back(plan: &Plan) -> bool {
    plan.meta.status.as_deref().map(str::trim) == Some("rolled-back")
}

/// R3, R4: a rolled-back release without its written, confirmed analysis stops releases.
/// The debts are the rollback records at the commits the receiving side accepted and in
/// the pushed commit; each is paid only by the plan `<dir>/<version>.md` of the pushed
/// commit, with `version:` saying so, the record intact and the analysis confirmed by an
/// owner or tech lead. With `carry_only` (a push of plans alone) an unpaid debt may be
/// carried, never dropped.
fn rollback_gate(
    plans: &Plans,
    pushed: &[Plan],
    cache: &mut Cache,
    carry_only: bool,
    refname: &str,
    out: &mut Vec<Finding>,
) -> Result<()> {
    let mut owed: Vec<Owed> = Vec::new();
    let mut add = |plan: &Plan, commit: &ObjectId, accepted: bool| {
        if records_rollback(plan)
            && !owed
                .iter()
                .any(|o| same_version(&o.version, &plan.meta.version))
        {
            owed.push(Owed {
                version: plan.meta.version.clone(),
                commit: commit.clone(),
                path: plan.path.display().to_string(),
                accepted,
                by_ref: false,
            });
        }
    };
    let mut seen: Vec<&ObjectId> = Vec::new();
    for tip in &plans.accepted {
        if seen.contains(&tip) || !plans.history.has(tip)? {
            continue;
        }
        seen.push(tip);
        for plan in plans.records(tip, cache)? {
            add(&plan, tip, true);
        }
    }
    for plan in pushed {
        add(plan, plans.commit, false);
    }
    // A record held as a ref outlives any plan: a push of plans alone (which releases
    // nothing) may still be on its way to paying it.
    if !carry_only {
        for version in plans.recorded {
            if !owed.iter().any(|o| same_version(&o.version, version)) {
                owed.push(Owed {
                    version: version.clone(),
                    commit: plans.commit.clone(),
                    path: format!("{}{version}", crate::records::ROLLBACK_PREFIX),
                    accepted: true,
                    by_ref: true,
                });
            }
        }
    }

    let dir = plans.dir();
    for debt in owed {
        let expected = format!("{dir}/{}.md", debt.version);
        let here = pushed.iter().find(|p| {
            same_version(&p.meta.version, &debt.version) && p.path == Path::new(&expected)
        });
        let restore = |finding: Finding| {
            let finding = if debt.by_ref {
                finding.hint(Msg::HintRollbackRefRestore {
                    version: debt.version.clone(),
                    expected: expected.clone(),
                    refname: debt.path.clone(),
                })
            } else if debt.accepted {
                finding.hint(Msg::HintRollbackRestore {
                    commit: debt.commit.short().to_string(),
                    path: debt.path.clone(),
                })
            } else {
                finding.hint(Msg::HintRollbackRename {
                    from: debt.path.clone(),
                    to: expected.clone(),
                })
            };
            finding.hint(Msg::HintRollbackAnalysis {
                path: expected.clone(),
                version: debt.version.clone(),
            })
        };
        match here {
            None if debt.by_ref => out.push(restore(Finding::new(
                Severity::Block,
                "R3",
                refname,
                Msg::GateRollbackRefPlanGone {
                    version: debt.version.clone(),
                    refname: debt.path.clone(),
                    expected: expected.clone(),
                },
            ))),
            Some(plan) if debt.by_ref && (plan.meta.rollback.is_none() || !rolled_back(plan)) => {
                out.push(restore(Finding::new(
                    Severity::Block,
                    "R3",
                    refname,
                    Msg::GateRollbackRefRecordGone {
                        version: debt.version.clone(),
                        refname: debt.path.clone(),
                        expected: expected.clone(),
                    },
                )))
            }
            None => out.push(restore(Finding::new(
                Severity::Block,
                "R3",
                refname,
                Msg::GateRollbackPlanGone {
                    version: debt.version.clone(),
                    path: debt.path.clone(),
                    commit: debt.commit.short().to_string(),
                    expected: expected.clone(),
                },
            ))),
            Some(plan) if plan.meta.rollback.is_none() || !rolled_back(plan) => {
                out.push(restore(Finding::new(
                    Severity::Block,
                    "R3",
                    refname,
                    Msg::GateRollbackRecordGone {
                        version: debt.version.clone(),
                        path: debt.path.clone(),
                        commit: debt.commit.short().to_string(),
                        expected: expected.clone(),
                    },
                )))
            }
            Some(_) if carry_only => {}
            Some(plan) => {
                let problems = plan::check::analysis_problems(plan, plans.config);
                if problems.is_empty() {
                    continue;
                }
                let mut finding = Finding::new(
                    Severity::Block,
                    "R3",
                    refname,
                    Msg::GateRollbackAnalysis {
                        version: plan.meta.version.clone(),
                        path: expected.clone(),
                    },
                )
                .hint(Msg::HintRollbackAnalysis {
                    path: expected.clone(),
                    version: plan.meta.version.clone(),
                });
                finding.places = places(&expected, problems);
                out.push(finding);
            }
        }
    }
    Ok(())
}

/// E5: every used emergency window is covered by an emergency plan that passes `done`,
/// found by its front matter among the plans directly in the plans directory and dated
/// (a real date) on or after the day the window opened.
fn debt_gate(
    plans: &Plans,
    pushed: &[Plan],
    debts: &[Debt],
    refname: &str,
    out: &mut Vec<Finding>,
) {
    let day = |text: &str| text.trim().parse::<jiff::civil::Date>().ok();
    // The emergency release is the one after the newest release tag.
    let version = plan::check::next_version(&plans.tags, &|t| plans.config.tags.release.matches(t));
    let targets = plan::check::rollback_targets(&plans.tags, pushed, plans.recorded);
    for debt in debts {
        let covered = pushed.iter().any(|p| {
            p.meta.kind == Kind::Emergency
                && matches!(
                    (day(&p.meta.date), day(&debt.date)),
                    (Some(written), Some(opened)) if written >= opened
                )
                && debt
                    .incident
                    .as_ref()
                    .is_none_or(|i| p.meta.incident.as_deref() == Some(i.as_str()))
                && plan::check(
                    p,
                    &plan::Context {
                        config: plans.config,
                        tags: &targets,
                    },
                    Stage::Done,
                )
                .is_empty()
        });
        if !covered {
            out.push(
                Finding::new(
                    Severity::Block,
                    "E5",
                    refname,
                    Msg::GateEmergencyDebt {
                        date: debt.date.clone(),
                        incident: debt.incident.clone().unwrap_or_else(|| "-".into()),
                    },
                )
                .hint(Msg::HintEmergencyPlanWhere {
                    dir: plans.dir(),
                    date: debt.date.clone(),
                    version: version.clone(),
                })
                .hint(Msg::HintEmergencyPlan {
                    version: version.clone(),
                }),
            );
        }
    }
}

/// A plan's problems as `(file:line, what)` lines of a finding.
fn places(path: &str, problems: Vec<plan::PlanFinding>) -> Vec<(String, Msg)> {
    problems
        .into_iter()
        .map(|p| (format!("{path}:{}", p.line), p.message))
        .collect()
}

/// `v2.3.0` and `2.3.0` name the same release.
fn same_version(a: &str, b: &str) -> bool {
    a == b || (parse_version(a).is_some() && parse_version(a) == parse_version(b))
}

/// The plan of a released version, when a commit about to be made changes that file and
/// nothing else (`staged`: the paths it changes): `<plans dir>/<version>.md` for a
/// release tag this repository has, already committed. The commit hook lets such a
/// commit onto a release branch; the push is judged again by `plan_record`.
pub fn released_plan_path(
    config: &Config,
    history: &dyn History,
    staged: &[String],
) -> Result<Option<String>> {
    let [path] = staged else {
        return Ok(None);
    };
    let dir = config
        .plans
        .dir
        .as_path()
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    let Some(version) = path
        .strip_prefix(&format!("{dir}/"))
        .and_then(|name| name.strip_suffix(".md"))
        .filter(|v| !v.contains('/'))
    else {
        return Ok(None);
    };
    if !config.tags.release.matches(version) || history.tag_commit(version)?.is_none() {
        return Ok(None);
    }
    Ok(Some(version.to_string()))
}

/// Whether `commit` records the plan of a released version and nothing else: one parent,
/// the only change `<plans dir>/<version>.md` of a release tag the receiving side has,
/// a plan before and after that still names `version:`, with the same kind, date and
/// incident. A release branch takes such a
/// commit directly: it changes no code, and after the tag there is no reviewed merge
/// left to bring the canary, the minutes observed and the completion notice in (F15–F22).
/// Returns the version.
pub fn plan_record(
    config: &Config,
    history: &dyn History,
    commit: &Commit,
) -> Result<Option<String>> {
    let [parent] = commit.parents.as_slice() else {
        return Ok(None);
    };
    let dir = config
        .plans
        .dir
        .as_path()
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    if !history.same_outside(parent, &commit.id, &dir)? {
        return Ok(None);
    }
    // Which plan changed: the one file directly in the plans directory whose content
    // differs; then nothing else in the directory (subdirectories included) may differ.
    let mut names = history.list_dir(&commit.id, &dir)?;
    for name in history.list_dir(parent, &dir)? {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut changed = None;
    for name in names.iter().filter(|n| n.ends_with(".md")) {
        let path = format!("{dir}/{name}");
        let (before, after) = (
            history.read_file(parent, &path)?,
            history.read_file(&commit.id, &path)?,
        );
        if before != after {
            if changed.is_some() {
                return Ok(None);
            }
            changed = Some((name.clone(), before, after));
        }
    }
    let Some((name, Some(before), Some(after))) = changed else {
        return Ok(None);
    };
    let path = format!("{dir}/{name}");
    let Some(version) = name.strip_suffix(".md") else {
        return Ok(None);
    };
    if !history.same_outside(parent, &commit.id, &path)?
        || !config.tags.release.matches(version)
        || history.tag_commit(version)?.is_none()
    {
        return Ok(None);
    }
    // Still this version's plan, and the same release: its kind, date and incident
    // stay (an old emergency plan re-dated could otherwise pay a new window's debt, E5).
    let parse = |bytes: &[u8]| {
        plan::parse(bytes, Path::new(&path))
            .ok()
            .filter(|p| same_version(&p.meta.version, version))
    };
    let (Some(before), Some(after)) = (parse(&before), parse(&after)) else {
        return Ok(None);
    };
    let (b, a) = (&before.meta, &after.meta);
    if (b.kind, &b.date, &b.incident) != (a.kind, &a.date, &a.incident) {
        return Ok(None);
    }
    Ok(Some(version.to_string()))
}

/// The hint after a release tag is accepted or merged into production: how to record
/// the post-release items (F15–F22) of its plan. `remote` is the remote's name.
pub fn post_release_hints(
    config: &Config,
    history: &dyn History,
    tag: &str,
    remote: &str,
) -> Result<Vec<Msg>> {
    let dir = config
        .plans
        .dir
        .as_path()
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    // The release branch the tag was made on: `release/<tag>` when there is one, else
    // the first plain release branch name.
    let named = format!("release/{tag}");
    let b = &config.branches;
    let branch = if RefKind::of(config, &format!("refs/heads/{named}")) == RefKind::Release
        && !history
            .branch_tips(&|n| n == named, Tips::Everywhere)?
            .is_empty()
    {
        named
    } else {
        b.release
            .iter()
            .map(ToString::to_string)
            .find(|n| !n.contains(['*', '?', '[']))
            .unwrap_or_else(|| "release".to_string())
    };
    Ok(vec![
        Msg::HintRecordPostRelease {
            version: tag.to_string(),
            path: format!("{dir}/{tag}.md"),
            remote: remote.to_string(),
            branch,
        },
        Msg::HintPostReleaseCheck {
            version: tag.to_string(),
        },
    ])
}

/// `text` as one word for `sh`: single-quoted, with any `'` closed, escaped and reopened.
pub fn sh_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}
