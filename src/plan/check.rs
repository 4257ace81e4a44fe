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
    for spec in items::tables_for(meta.kind).filter(|t| t.stage <= stage) {
        check_table(plan, spec, &mut at);
    }
    // B3 again: a bug fix has no change tables; one that lists changes declares them.
    if meta.kind == Kind::Bugfix {
        for written in plan.tables.iter().filter(|t| {
            items::CHANGE_ITEMS.contains(&t.id.as_str()) && table_answer(t) == Answer::Lists
        }) {
            at(written.line, Some(&written.id), "B3", Msg::PlanBugfixChange);
        }
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

/// What a table says, read row by row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// One row whose first cell is `none` (无): nothing to register.
    None,
    /// Rows that register entries, every cell filled in.
    Lists,
    /// Anything else: no rows, cells still holding template text, `none` among entries.
    Unfinished,
}

/// Cell text that means "not written yet": empty, the templates' placeholder, or the
/// words people leave for later.
fn unfilled(cell: &str) -> bool {
    const LATER: &[&str] = &["tbd", "todo", "待定", "待补充", "...", "…"];
    let cell = cell.trim();
    cell.is_empty() || has_placeholder(cell) || LATER.contains(&cell.to_lowercase().as_str())
}

/// `none` or `无`: the explicit answer that there is nothing to register.
fn says_none(cell: &str) -> bool {
    let cell = cell.trim().trim_end_matches(['.', '。']).to_lowercase();
    cell == "none" || cell == "无"
}

fn table_answer(table: &super::WrittenTable) -> Answer {
    match table.rows.as_slice() {
        [] => Answer::Unfinished,
        [(_, cells)] if cells.first().is_some_and(|c| says_none(c)) => {
            if cells[1..]
                .iter()
                .any(|c| !c.trim().is_empty() && unfilled(c))
            {
                Answer::Unfinished
            } else {
                Answer::None
            }
        }
        rows => {
            let done = rows.iter().all(|(_, cells)| {
                !cells.first().is_some_and(|c| says_none(c)) && !cells.iter().any(|c| unfilled(c))
            });
            if done {
                Answer::Lists
            } else {
                Answer::Unfinished
            }
        }
    }
}

/// A register table (F5, F8, F10, F11): present, every row's cells written, or one row
/// that says `none`; and in agreement with its front-matter flag, if it has one.
fn check_table(
    plan: &Plan,
    spec: &items::TableSpec,
    at: &mut impl FnMut(usize, Option<&str>, &'static str, Msg),
) {
    let Some(table) = plan.table(spec.id) else {
        at(
            1,
            Some(spec.id),
            spec.rule,
            Msg::PlanTableMissing {
                id: spec.id.into(),
                kind: plan.meta.kind.name().into(),
            },
        );
        return;
    };
    let id = || spec.id.to_string();
    if table.rows.is_empty() {
        at(
            table.line,
            Some(spec.id),
            spec.rule,
            Msg::PlanTableEmpty { id: id() },
        );
        return;
    }
    let single_none =
        table.rows.len() == 1 && table.rows[0].1.first().is_some_and(|c| says_none(c));
    for (line, cells) in &table.rows {
        if cells.first().is_some_and(|c| says_none(c)) {
            if !single_none {
                at(
                    *line,
                    Some(spec.id),
                    spec.rule,
                    Msg::PlanTableNoneMixed { id: id() },
                );
            } else if cells[1..]
                .iter()
                .any(|c| !c.trim().is_empty() && unfilled(c))
            {
                at(
                    *line,
                    Some(spec.id),
                    spec.rule,
                    Msg::PlanTableNoneCells { id: id() },
                );
            }
            continue;
        }
        let missing: Vec<String> = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| unfilled(c))
            .map(|(i, _)| {
                table
                    .columns
                    .get(i)
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .unwrap_or_else(|| (i + 1).to_string())
            })
            .collect();
        if !missing.is_empty() {
            at(
                *line,
                Some(spec.id),
                spec.rule,
                Msg::PlanTableCells {
                    id: id(),
                    columns: crate::messages::list(&missing),
                },
            );
        }
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

/// The releases production can go back to (F16): the release tags and the emergency
/// releases (an emergency plan names its version, tagged or not), less every release
/// that was rolled back (its plan records the rollback, or `rolled_back` names it: a
/// rollback record the remote holds). A rolled-back release is no rollback target.
pub fn rollback_targets(tags: &[String], plans: &[Plan], rolled_back: &[String]) -> Vec<String> {
    let same = |a: &str, b: &str| {
        a == b || (parse_version(a).is_some() && parse_version(a) == parse_version(b))
    };
    let mut out: Vec<String> = tags.to_vec();
    for plan in plans.iter().filter(|p| p.meta.kind == Kind::Emergency) {
        if !out.iter().any(|t| same(t, &plan.meta.version)) {
            out.push(plan.meta.version.clone());
        }
    }
    let back: Vec<&str> = plans
        .iter()
        .filter(|p| {
            p.meta.rollback.is_some()
                || p.meta.status.as_deref().map(str::trim) == Some("rolled-back")
        })
        .map(|p| p.meta.version.as_str())
        .chain(rolled_back.iter().map(String::as_str))
        .collect();
    out.retain(|t| !back.iter().any(|b| same(t, b)));
    out
}

/// The version after the newest release in `tags` (its patch number plus one, written
/// like that tag), or the first release `v1.0.0` when there is none; one that `matches`
/// the tag pattern when either spelling does (`v1.2.4` or `1.2.4`).
pub fn next_version(tags: &[String], matches: &dyn Fn(&str) -> bool) -> String {
    bumped(tags, matches, false)
}

/// The version a new plan of `kind` would take: a feature release bumps the minor
/// version (`v2.2.4` → `v2.3.0`), every other kind the patch (`v2.2.4` → `v2.2.5`).
pub fn next_version_for(kind: Kind, tags: &[String], matches: &dyn Fn(&str) -> bool) -> String {
    bumped(tags, matches, kind == Kind::Feature)
}

fn bumped(tags: &[String], matches: &dyn Fn(&str) -> bool, minor: bool) -> String {
    let newest = tags
        .iter()
        .filter_map(|t| parse_version(t).map(|v| (v, t)))
        .max_by(|a, b| a.0.cmp(&b.0));
    let (next, prefixed) = match newest {
        Some((v, tag)) => (
            if minor {
                semver::Version::new(v.major, v.minor + 1, 0)
            } else {
                semver::Version::new(v.major, v.minor, v.patch + 1)
            },
            tag.trim().starts_with('v'),
        ),
        None => (semver::Version::new(1, 0, 0), true),
    };
    let (first, second) = (format!("v{next}"), next.to_string());
    let (first, second) = if prefixed {
        (first, second)
    } else {
        (second, first)
    };
    if matches(&first) || !matches(&second) {
        first
    } else {
        second
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
        crate::messages::list(people)
    }
}
