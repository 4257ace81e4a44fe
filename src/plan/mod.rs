//! Release-plan documents: one Markdown file per release with a YAML front matter block
//! for the machine-checked fields and task-list items, each with a stable id, for the
//! checklist. This module parses them (bounded against hostile input) and checks them
//! against the process, stage by stage; it reads text and returns findings.

pub mod check;
mod items;
pub mod render;

use std::fmt;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::messages::Msg;

pub use check::{check, Context, PlanFinding};
pub use items::{Item, TableSpec, ANALYSIS, ITEMS, TABLES};

/// A plan larger than this is refused before it is parsed.
pub const MAX_PLAN_BYTES: usize = 1024 * 1024;

/// The kinds of release the process knows, each with its own template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// 需求上线: driven by a product requirement
    Feature,
    /// 技术优化上线: technical optimisation, no QA
    Optimization,
    /// Bug 修复上线: a bug fix, no middleware or config change
    Bugfix,
    /// 紧急上线: production is affected; the plan is written afterwards
    Emergency,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Feature,
        Kind::Optimization,
        Kind::Bugfix,
        Kind::Emergency,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Feature => "feature",
            Kind::Optimization => "optimization",
            Kind::Bugfix => "bugfix",
            Kind::Emergency => "emergency",
        }
    }

    /// The kind in words (`feature release`, `需求上线`), for people rather than flags.
    pub fn words(self) -> Msg {
        match self {
            Kind::Feature => Msg::NoticeKindFeature,
            Kind::Optimization => Msg::NoticeKindOptimization,
            Kind::Bugfix => Msg::NoticeKindBugfix,
            Kind::Emergency => Msg::NoticeKindEmergency,
        }
    }
}

/// The moments a plan is checked at, in order; each requires everything before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Submitting for testing (提测)
    SubmitTest,
    /// Pushing to the release branch
    Release,
    /// Creating the release tag
    Tag,
    /// After the release
    Done,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::SubmitTest => "submit-test",
            Stage::Release => "release",
            Stage::Tag => "tag",
            Stage::Done => "done",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The front matter: what the checks read as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub kind: Kind,
    pub version: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub tech_lead: String,
    #[serde(default)]
    pub qa: Option<String>,
    #[serde(default)]
    pub approvals: Vec<String>,
    #[serde(default)]
    pub rollback_to: Option<String>,
    #[serde(default)]
    pub swimlane: Option<String>,
    #[serde(default)]
    pub middleware_change: bool,
    #[serde(default)]
    pub config_change: bool,
    #[serde(default)]
    pub observed_minutes: Option<u32>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub incident: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub rollback: Option<Rollback>,
}

/// What `shipgate rollback` records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    pub at: String,
    pub to: String,
    pub reason: String,
    #[serde(default)]
    pub by: String,
    /// The owner or tech lead who confirmed the problem analysis (R4).
    #[serde(default)]
    pub confirmed_by: Option<String>,
}

/// A checklist item as written in a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub id: String,
    pub checked: bool,
    /// 1-based line of the item.
    pub line: usize,
    /// The item's text (and its nested content), for placeholder checks.
    pub text: String,
}

/// A table as written in a plan, found by the `<!-- table: id -->` comment before it (or
/// in its heading): the client-package, middleware and config-change registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenTable {
    pub id: String,
    /// 1-based line of the table's header row.
    pub line: usize,
    /// The header cells (column names, as the template wrote them).
    pub columns: Vec<String>,
    /// The data rows: each row's line and cells (their text, trimmed).
    pub rows: Vec<(usize, Vec<String>)>,
}

/// A parsed plan document.
#[derive(Clone, Debug)]
pub struct Plan {
    pub path: PathBuf,
    pub meta: Meta,
    /// The front matter as written, for finding a field's line.
    pub front_matter: String,
    pub items: Vec<Written>,
    /// The tables that carry a `<!-- table: id -->` mark.
    pub tables: Vec<WrittenTable>,
    /// Whether the body still holds template placeholders anywhere.
    pub body_placeholders: usize,
}

/// Template text that means "not filled in yet".
pub const PLACEHOLDERS: &[&str] = &["（待填写", "(to fill in"];

pub fn has_placeholder(text: &str) -> bool {
    PLACEHOLDERS.iter().any(|p| text.contains(p))
}

impl Plan {
    /// The line of a front-matter field (`approvals:`), for findings; 1 if absent.
    pub fn field_line(&self, field: &str) -> usize {
        let prefix = format!("{field}:");
        self.front_matter
            .lines()
            .position(|l| l.starts_with(&prefix))
            .map_or(1, |i| i + 2)
    }

    pub fn item(&self, id: &str) -> Option<&Written> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn table(&self, id: &str) -> Option<&WrittenTable> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Parses a plan; `path` names it in errors. Every failure names the file and, where
/// there is one, the line.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Plan> {
    let shown = path.display().to_string();
    let invalid = |message: Msg| {
        Error::new(message).hint(Msg::HintPlanInvalid {
            path: shown.clone(),
        })
    };
    let bad = |line: usize, detail: Msg| {
        Error::new(Msg::PlanInvalid {
            path: shown.clone(),
            line: line.to_string(),
            detail: Box::new(detail),
        })
        .hint(Msg::HintPlanInvalid {
            path: shown.clone(),
        })
    };
    if bytes.len() > MAX_PLAN_BYTES {
        return Err(bad(
            1,
            // (Callers may read one byte past the limit and no more.)
            Msg::PlanTooLarge {
                max: MAX_PLAN_BYTES.to_string(),
            },
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        bad(line, Msg::NotUtf8)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Err(bad(1, Msg::PlanNoFrontMatter));
    };
    // The front matter ends at the first `---` line. A YAML document marker inside it
    // (`...`, or `---` followed by more on its line) would end the YAML early: what
    // follows would be hidden from the checks while a reader of the file sees it, so it
    // is refused rather than guessed at.
    let mut offset = 0;
    let mut closing = None;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" {
            closing = Some((offset, offset + line.len()));
            break;
        }
        if let Some(marker) = ["...", "---"]
            .into_iter()
            .find(|m| is_document_marker(trimmed, m))
        {
            return Err(invalid(Msg::PlanYamlDocumentMarker {
                path: shown.clone(),
                line: (index + 2).to_string(),
                marker: marker.into(),
            }));
        }
        offset += line.len();
    }
    let Some((end, body_start)) = closing else {
        return Err(bad(1, Msg::PlanFrontMatterOpen));
    };
    let front_matter = &rest[..end];
    let body = &rest[body_start..];
    let body_line = front_matter.lines().count() + 3;

    let meta: Meta = serde_saphyr::from_str_with_options(front_matter, yaml_options())
        .map_err(|e| yaml_error(&e, &shown, &bad))?;

    let (items, tables, body_placeholders) =
        scan_body(body, body_line).map_err(|(line, limit)| {
            invalid(Msg::PlanNestedTooDeep {
                path: shown.clone(),
                line: line.to_string(),
                limit: limit.to_string(),
            })
        })?;
    Ok(Plan {
        path: path.to_path_buf(),
        meta,
        front_matter: front_matter.to_string(),
        items,
        tables,
        body_placeholders,
    })
}

/// Limits that keep a hostile front matter cheap (shallow, small) and rules that keep it
/// honest: no anchors or aliases, no merge keys, no key written twice. A plan's front
/// matter is a flat record; each of those would let one value shadow another, so that
/// what a reader sees is not what the checks read.
fn yaml_options() -> serde_saphyr::Options {
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    aliases.max_total_replayed_events = 0;
    aliases.max_replay_stack_depth = 0;
    aliases.max_alias_expansions_per_anchor = 0;
    let mut options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_aliases: 0,
            max_anchors: 0,
            max_depth: MAX_YAML_DEPTH,
            max_nodes: 4_096,
            max_events: 16_384,
            max_documents: 1,
            max_total_scalar_bytes: 256 * 1024,
        },
        alias_limits: aliases,
    };
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::Error;
    options.merge_keys = serde_saphyr::options::MergeKeyPolicy::Error;
    options
}

/// How deep the front matter may nest (mappings and sequences).
pub const MAX_YAML_DEPTH: usize = 16;

/// How deep lists and block quotes may nest in a plan's body.
pub const MAX_BODY_DEPTH: usize = 32;

/// `...`, or `--- something`: a YAML document marker that is not the closing `---`.
fn is_document_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// The front matter's YAML error as a catalog message, at the file's line. The tricks
/// that could hide a field get their own message; anything else keeps the parser's words.
fn yaml_error(err: &serde_saphyr::Error, shown: &str, bad: &dyn Fn(usize, Msg) -> Error) -> Error {
    use serde_saphyr::budget::BudgetBreach;
    use serde_saphyr::Error as Y;
    // The parser counts lines from the front matter's start, which is the file's line 2.
    let line = err.location().map_or(0, |l| l.line() as usize) + 1;
    let mut inner = err;
    while let Y::WithSnippet { error, .. } | Y::AliasError { error, .. } = inner {
        inner = error;
    }
    let path = shown.to_string();
    let at = line.to_string();
    let message = match inner {
        Y::DuplicateMappingKey { key, .. } => Some(Msg::PlanYamlDuplicateKey {
            path,
            line: at,
            key: key.clone().unwrap_or_else(|| "?".into()),
        }),
        Y::MergeKeyNotAllowed { .. } => Some(Msg::PlanYamlMergeKey { path, line: at }),
        Y::Budget {
            breach: BudgetBreach::Anchors { .. } | BudgetBreach::Aliases { .. },
            ..
        }
        | Y::UnknownAnchor { .. } => Some(Msg::PlanYamlAlias { path, line: at }),
        Y::Budget {
            breach: BudgetBreach::Depth { .. },
            ..
        } => Some(Msg::PlanYamlTooDeep {
            path,
            line: at,
            limit: MAX_YAML_DEPTH.to_string(),
        }),
        Y::Budget { .. } => Some(Msg::PlanYamlTooBig { path, line: at }),
        _ => None,
    };
    if let Some(message) = message {
        return Error::new(message).hint(Msg::HintPlanInvalid {
            path: shown.to_string(),
        });
    }
    let detail = err.to_string();
    let detail = detail.lines().next().unwrap_or_default();
    // The prefix has the file's line already, so keep only what went wrong.
    let detail = detail.trim_start_matches("error: ");
    let detail = match detail.split_once(": ") {
        Some((place, rest)) if place.starts_with("line ") => rest,
        _ => detail,
    };
    bad(
        line,
        Msg::PlanFrontMatter {
            detail: Box::new(crate::serde_errors::explain(detail)),
        },
    )
}

/// Finds the task-list items with an id comment, with their state, line and text.
///
/// Linear in the body: lines are counted once, front to back, and an item's text is
/// gathered only while lists nest at most `MAX_BODY_DEPTH` deep (deeper nesting is
/// refused with its line and the limit, as `Err((line, limit))`).
type Scanned = (Vec<Written>, Vec<WrittenTable>, usize);

fn scan_body(body: &str, first_line: usize) -> Result<Scanned, (usize, usize)> {
    // Lines before `offset`, counted incrementally: offsets only grow.
    let mut counted = (0usize, first_line);
    let mut line_of = |offset: usize| {
        let (from, line) = counted;
        let offset = offset.max(from);
        let line = line + body[from..offset].matches('\n').count();
        counted = (offset, line);
        line
    };
    // Open list items: (line, checked, id, text)
    let mut open: Vec<(usize, Option<bool>, Option<String>, String)> = Vec::new();
    // Open containers (lists, items, block quotes), for the depth limit.
    let mut depth = 0usize;
    let mut items = Vec::new();
    let mut placeholders = 0;
    // Tables: the last `<!-- table: id -->` mark not yet taken by a table, and the table
    // being read (a cell's text gathers in `cell`).
    let mut mark: Option<String> = None;
    let mut tables = Vec::new();
    let mut table: Option<WrittenTable> = None;
    let mut cell: Option<String> = None;
    let parser = Parser::new_ext(body, MdOptions::ENABLE_TASKLISTS | MdOptions::ENABLE_TABLES);
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::List(_) | Tag::BlockQuote(_) | Tag::Item) => {
                depth += 1;
                if depth > MAX_BODY_DEPTH {
                    return Err((line_of(range.start), MAX_BODY_DEPTH));
                }
                if matches!(event, Event::Start(Tag::Item)) {
                    open.push((line_of(range.start), None, None, String::new()));
                }
            }
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_)) => depth = depth.saturating_sub(1),
            Event::End(TagEnd::Item) => {
                depth = depth.saturating_sub(1);
                if let Some((line, checked, Some(id), text)) = open.pop() {
                    items.push(Written {
                        id,
                        checked: checked.unwrap_or(false),
                        line,
                        text: text.trim().to_string(),
                    });
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some(item) = open.last_mut() {
                    item.1 = Some(checked);
                }
            }
            Event::InlineHtml(html) | Event::Html(html) => {
                if let (Some(id), Some(item)) = (item_id(&html), open.last_mut()) {
                    item.2.get_or_insert(id);
                }
                if let Some(id) = table_id(&html) {
                    mark = Some(id);
                }
            }
            Event::Start(Tag::Table(_)) => {
                table = mark.take().map(|id| WrittenTable {
                    id,
                    line: line_of(range.start),
                    columns: Vec::new(),
                    rows: Vec::new(),
                });
            }
            Event::End(TagEnd::Table) => tables.extend(table.take()),
            Event::Start(Tag::TableRow) => {
                if let Some(table) = table.as_mut() {
                    table.rows.push((line_of(range.start), Vec::new()));
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(table), Some(text)) = (table.as_mut(), cell.take()) {
                    let text = text.trim().to_string();
                    match table.rows.last_mut() {
                        Some((_, cells)) => cells.push(text),
                        None => table.columns.push(text),
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if has_placeholder(&text) {
                    placeholders += 1;
                }
                for item in open.iter_mut() {
                    item.3.push_str(&text);
                }
                if let Some(cell) = cell.as_mut() {
                    cell.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                for item in open.iter_mut() {
                    item.3.push(' ');
                }
            }
            _ => {}
        }
    }
    items.sort_by_key(|i| i.line);
    Ok((items, tables, placeholders))
}

/// `<!-- table: middleware-changes -->` → `middleware-changes`.
fn table_id(html: &str) -> Option<String> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let id = inner.strip_prefix("table:")?.trim();
    let valid = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid.then(|| id.to_string())
}

/// `<!-- id: qa-verified-st -->` → `qa-verified-st`.
fn item_id(html: &str) -> Option<String> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let id = inner.strip_prefix("id:")?.trim();
    let valid = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid.then(|| id.to_string())
}

#[cfg(test)]
mod tests;
