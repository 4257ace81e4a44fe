//! The plan rules, stage by stage: version and file name agree, two approvals from an
//! owner and a tech lead (F3, F6), a rollback target that exists (F16), every checklist
//! item due by the stage ticked and filled in, at least five minutes observed (F19), no
//! middleware or config change in a bug fix (B3), and after a rollback a written,
//! confirmed problem analysis (R3, R4).

use serde::Serialize;

use crate::config::Config;
use crate::messages::Msg;

use super::{has_placeholder, items, Kind, Plan, Stage};

/// What the checks need besides the plan.
pub struct Context<'a> {
    pub config: &'a Config,
    /// The release tags that exist.
    pub tags: &'a [String],
}

/// One thing wrong with a plan, where it is and which rule it serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanFinding {
    pub line: usize,
    /// The checklist item, when the finding is about one.
    pub item: Option<String>,
    pub rule: &'static str,
    #[serde(skip)]
    pub message: Msg,
}

/// Everything that keeps `plan` from passing `stage`.
pub fn check(plan: &Plan, ctx: &Context, stage: Stage) -> Vec<PlanFinding> {
    let mut out = Vec::new();
    let meta = &plan.meta;
    let mut at = |line: usize, item: Option<&str>, rule: &'static str, message: Msg| {
        out.push(PlanFinding {
            line,
            item: item.map(str::to_string),
            rule,
            message,
        })
    };

    // Version: a release version, named like its file and its tag.
    let version_line = plan.field_line("version");
    match parse_version(&meta.version) {
        None => at(
            version_line,
            None,
            "F7",
            Msg::PlanVersionInvalid {
                version: meta.version.clone(),
            },
        ),
        Some(_) => {
            let expected = format!("{}.md", meta.version);
            let file = plan
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            if file != expected {
                at(
                    version_line,
                    None,
                    "F7",
                    Msg::PlanVersionFile {
                        version: meta.version.clone(),
                        file,
                    },
                );
            }
            if !ctx.config.tags.release.matches(&meta.version) {
                at(
                    version_line,
                    None,
                    "F7",
                    Msg::PlanVersionTag {
                        version: meta.version.clone(),
                        pattern: ctx.config.tags.release.to_string(),
                    },
                );
            }
        }
    }

    // People: filled in from the start.
    for (field, value) in [
        ("service", &meta.service),
        ("owner", &meta.owner),
        ("tech_lead", &meta.tech_lead),
    ] {
        if blank(value) {
            at(
                plan.field_line(field),
                None,
                "F7",
                Msg::PlanFieldEmpty {
                    field: field.into(),
                },
            );
        }
    }
    if meta.kind == Kind::Feature && blank(meta.swimlane.as_deref().unwrap_or("")) {
        at(
            plan.field_line("swimlane"),
            None,
            "F2",
            Msg::PlanFieldEmpty {
                field: "swimlane".into(),
            },
        );
    }

    // Approvals: two, one owner and one tech lead (F3 for the test PR, F6 for release).
    let approvals_due = stage >= Stage::Release || meta.kind == Kind::Feature;
    if approvals_due && meta.kind != Kind::Emergency {
        check_approvals(plan, ctx.config, &mut at);
    }

    // Rollback target (F16): an existing release tag older than this version.
    if stage >= Stage::Release {
        check_rollback_to(plan, ctx.tags, &mut at);
    }

    // B3: a bug fix changes no middleware and no config.
    if meta.kind == Kind::Bugfix {
        if meta.middleware_change || meta.config_change {
            let field = if meta.middleware_change {
                "middleware_change"
            } else {
                "config_change"
            };
            at(plan.field_line(field), None, "B3", Msg::PlanBugfixChange);
        }
        for written in plan
            .items
            .iter()
            .filter(|w| items::CHANGE_ITEMS.contains(&w.id.as_str()))
        {
            at(written.line, Some(&written.id), "B3", Msg::PlanBugfixChange);
        }
    }

    // The checklist.
    // A map, not a list: a hostile plan may carry tens of thousands of items.
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for written in &plan.items {
        if let Some(first) = seen.get(written.id.as_str()) {
            at(
                written.line,
                Some(&written.id),
                "F7",
                Msg::PlanDuplicateItem {
                    id: written.id.clone(),
                    first: first.to_string(),
                },
            );
        } else {
            seen.insert(&written.id, written.line);
        }
    }
    for item in items::for_kind(meta.kind).filter(|i| i.stage <= stage) {
        check_item(plan, item, &mut at);
    }
    if stage >= Stage::Done {
        let minutes = meta.observed_minutes.unwrap_or(0);
        if minutes < 5 {
            at(
                plan.field_line("observed_minutes"),
                None,
                "F19",
                Msg::PlanObserved {
                    minutes: minutes.to_string(),
                },
            );
        }
        if meta.kind == Kind::Emergency && blank(meta.reason.as_deref().unwrap_or("")) {
            at(
                plan.field_line("reason"),
                None,
                "E5",
                Msg::PlanFieldEmpty {
                    field: "reason".into(),
                },
            );
        }
    }

    // After a rollback: the problem analysis, written and confirmed (R3, R4).
    if meta.rollback.is_some() {
        for problem in analysis_problems(plan, ctx.config) {
            out.push(problem);
        }
    }
    out.sort_by_key(|f| f.line);
    out
}

/// What is missing from a rolled-back plan's problem analysis: the items (R3) and the
/// confirmation by an owner or tech lead (R4). Empty when there was no rollback.
pub fn analysis_problems(plan: &Plan, config: &Config) -> Vec<PlanFinding> {
    let mut out = Vec::new();
    let Some(rollback) = &plan.meta.rollback else {
        return out;
    };
    let mut at = |line: usize, item: Option<&str>, rule: &'static str, message: Msg| {
        out.push(PlanFinding {
            line,
            item: item.map(str::to_string),
            rule,
            message,
        })
    };
    for item in items::ANALYSIS {
        check_item(plan, item, &mut at);
    }
    let deciders: Vec<&String> = config
        .people
        .owners
        .iter()
        .chain(&config.people.tech_leads)
        .collect();
    let confirmed = rollback
        .confirmed_by
        .as_ref()
        .is_some_and(|who| deciders.contains(&who));
    if !confirmed {
        at(
            plan.field_line("rollback"),
            None,
            "R4",
            Msg::PlanAnalysisUnconfirmed {
                people: people_list(&deciders),
            },
        );
    }
    out
}

fn check_item(
    plan: &Plan,
    item: &items::Item,
    at: &mut impl FnMut(usize, Option<&str>, &'static str, Msg),
) {
    match plan.item(item.id) {
        None => at(
            1,
            Some(item.id),
            item.rule,
            Msg::PlanItemMissing {
                id: item.id.into(),
                kind: plan.meta.kind.name().into(),
            },
        ),
        Some(written) if has_placeholder(&written.text) => at(
            written.line,
            Some(item.id),
            item.rule,
            Msg::PlanItemPlaceholder { id: item.id.into() },
        ),
        Some(written) if !written.checked => at(
            written.line,
            Some(item.id),
            item.rule,
            Msg::PlanItemUnticked {
                id: item.id.into(),
                text: written.text.clone(),
            },
        ),
        Some(_) => {}
    }
}

fn check_approvals(
    plan: &Plan,
    config: &Config,
    at: &mut impl FnMut(usize, Option<&str>, &'static str, Msg),
) {
    let line = plan.field_line("approvals");
    let people = &config.people;
    if people.owners.is_empty() || people.tech_leads.is_empty() {
        at(line, None, "F3", Msg::PlanPeopleUnset);
        return;
    }
    let approvals: Vec<&String> = plan.meta.approvals.iter().filter(|a| !blank(a)).collect();
    let mut distinct = approvals.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < 2 {
        at(
            line,
            None,
            "F3",
            Msg::PlanApprovalsCount {
                count: distinct.len().to_string(),
            },
        );
    }
    if !approvals.iter().any(|a| people.owners.contains(a)) {
        at(
            line,
            None,
            "F3",
            Msg::PlanApprovalsNoOwner {
                people: people_list(&people.owners.iter().collect::<Vec<_>>()),
            },
        );
    }
    if !approvals.iter().any(|a| people.tech_leads.contains(a)) {
        at(
            line,
            None,
            "F3",
            Msg::PlanApprovalsNoTechLead {
                people: people_list(&people.tech_leads.iter().collect::<Vec<_>>()),
            },
        );
    }
}

fn check_rollback_to(
    plan: &Plan,
    tags: &[String],
    at: &mut impl FnMut(usize, Option<&str>, &'static str, Msg),
) {
    let line = plan.field_line("rollback_to");
    let value = plan.meta.rollback_to.as_deref().unwrap_or("").trim();
    let earlier = previous_release(tags, &plan.meta.version);
    // The very first release has nothing to roll back to.
    if value == "none" && earlier.is_none() {
        return;
    }
    let older = match (parse_version(value), parse_version(&plan.meta.version)) {
        (Some(target), Some(this)) => target < this,
        _ => false,
    };
    if blank(value) || !tags.iter().any(|t| t == value) || !older {
        at(
            line,
            None,
            "F16",
            Msg::PlanRollbackTo {
                value: value.to_string(),
                version: plan.meta.version.clone(),
                suggestion: earlier.unwrap_or_else(|| "none".into()),
            },
        );
    }
}

/// The newest release tag older than `version`.
pub fn previous_release(tags: &[String], version: &str) -> Option<String> {
    let this = parse_version(version)?;
    tags.iter()
        .filter_map(|t| parse_version(t).map(|v| (v, t)))
        .filter(|(v, _)| *v < this)
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, t)| t.clone())
}

/// `v2.3.0` or `2.3.0` (semantic versioning) as a comparable version.
pub fn parse_version(text: &str) -> Option<semver::Version> {
    let text = text.trim();
    semver::Version::parse(text.strip_prefix('v').unwrap_or(text)).ok()
}

fn blank(value: &str) -> bool {
    value.trim().is_empty() || has_placeholder(value)
}

fn people_list(people: &[&String]) -> String {
    if people.is_empty() {
        "-".into()
    } else {
        people
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
