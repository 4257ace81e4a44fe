//! The checklist every plan carries: each item's stable, language-independent id, which
//! kinds of release have it, the stage by which it must be ticked, and the process rule
//! it serves. Templates (zh-CN and en) mark each item with `<!-- id: ... -->`; the
//! checker reads only ids, never the words around them.

use super::{Kind, Stage};

/// One checklist item of the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: &'static str,
    pub rule: &'static str,
    pub stage: Stage,
    pub kinds: &'static [Kind],
}

use Kind::{Bugfix as B, Emergency as E, Feature as F, Optimization as O};
use Stage::{Done, Release, SubmitTest, Tag};

/// Every item, in document order.
pub const ITEMS: &[Item] = &[
    // Test submission (提测), feature releases only.
    item("submit-scope", "F4", SubmitTest, &[F]),
    item("submit-risks", "F4", SubmitTest, &[F]),
    item("submit-env-changes", "F4", SubmitTest, &[F]),
    item("submit-pr-approved", "F3", SubmitTest, &[F]),
    item("client-snapshot-packages", "F5", SubmitTest, &[F]),
    // Into the release branch.
    item("release-pr-approved", "F6", Release, &[F, O, B]),
    item("rollback-plan", "F16", Release, &[F, O, B]),
    // Pre-release, before QA tags.
    item("middleware-changes", "F8", Tag, &[F, O]),
    item("st-deployed", "F9", Tag, &[F, O, B]),
    item("client-release-packages", "F10", Tag, &[F]),
    item("mcc-changes", "F11", Tag, &[F, O]),
    item("qa-verified-st", "F12", Tag, &[F]),
    // Formal release.
    item("tag-merged-master", "F13", Done, &[F, O, B, E]),
    item("check-master", "F14", Done, &[F, O, B, E]),
    item("build-tag", "F15", Done, &[F, O, B]),
    item("rollback-ready", "F16", Done, &[F, O, B, E]),
    item("announce-start", "F17", Done, &[F, O, B, E]),
    item("canary", "F18", Done, &[F, O, B, E]),
    item("observe-logs", "F19", Done, &[F, O, B, E]),
    item("observe-exceptions", "F19", Done, &[F, O, B, E]),
    item("data-check", "F20", Done, &[F, O]),
    item("qa-verified-prod", "F21", Done, &[F]),
    item("announce-done", "F22", Done, &[F, O, B, E]),
    // Emergency only: what was done, written afterwards (E3, E5).
    item("emergency-cause", "E5", Done, &[E]),
    item("emergency-fix", "E5", Done, &[E]),
];

/// The problem-analysis items `shipgate rollback` appends (R3).
pub const ANALYSIS: &[Item] = &[
    item("analysis-timeline", "R3", Done, &[F, O, B, E]),
    item("analysis-root-cause", "R3", Done, &[F, O, B, E]),
    item("analysis-gates", "R3", Done, &[F, O, B, E]),
    item("analysis-actions", "R3", Done, &[F, O, B, E]),
];

/// A register the plan keeps as a table, marked `<!-- table: id -->` in the templates
/// (the id is the checklist item's that refers to it). Due with that item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSpec {
    pub id: &'static str,
    pub rule: &'static str,
    pub stage: Stage,
    pub kinds: &'static [Kind],
}

/// Every table, in document order.
pub const TABLES: &[TableSpec] = &[
    table("client-snapshot-packages", "F5", SubmitTest, &[F]),
    table("middleware-changes", "F8", Tag, &[F, O]),
    table("mcc-changes", "F11", Tag, &[F, O]),
    table("client-release-packages", "F10", Tag, &[F]),
];

const fn table(
    id: &'static str,
    rule: &'static str,
    stage: Stage,
    kinds: &'static [Kind],
) -> TableSpec {
    TableSpec {
        id,
        rule,
        stage,
        kinds,
    }
}

/// The tables a plan of `kind` must carry.
pub fn tables_for(kind: Kind) -> impl Iterator<Item = &'static TableSpec> {
    TABLES.iter().filter(move |t| t.kinds.contains(&kind))
}

/// Item ids that declare a middleware or config-centre change: a bug-fix plan must not
/// carry them (B3).
pub const CHANGE_ITEMS: &[&str] = &["middleware-changes", "mcc-changes"];

const fn item(id: &'static str, rule: &'static str, stage: Stage, kinds: &'static [Kind]) -> Item {
    Item {
        id,
        rule,
        stage,
        kinds,
    }
}

/// The items a plan of `kind` must carry.
pub fn for_kind(kind: Kind) -> impl Iterator<Item = &'static Item> {
    ITEMS.iter().filter(move |i| i.kinds.contains(&kind))
}
