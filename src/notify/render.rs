//! The notice's text: the built-in templates (one per moment, zh-CN and en, compiled
//! in), the data they are rendered from (read from the plan and the config), and fitting
//! the text into what a robot accepts.

use handlebars::{Handlebars, RenderErrorReason};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::messages::Msg;

use super::Moment;

/// `(file name, text)` of every built-in notice template.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "start.zh-CN.txt",
        include_str!("../../templates/notices/start.zh-CN.txt"),
    ),
    (
        "start.en.txt",
        include_str!("../../templates/notices/start.en.txt"),
    ),
    (
        "canary.zh-CN.txt",
        include_str!("../../templates/notices/canary.zh-CN.txt"),
    ),
    (
        "canary.en.txt",
        include_str!("../../templates/notices/canary.en.txt"),
    ),
    (
        "done.zh-CN.txt",
        include_str!("../../templates/notices/done.zh-CN.txt"),
    ),
    (
        "done.en.txt",
        include_str!("../../templates/notices/done.en.txt"),
    ),
    (
        "rollback.zh-CN.txt",
        include_str!("../../templates/notices/rollback.zh-CN.txt"),
    ),
    (
        "rollback.en.txt",
        include_str!("../../templates/notices/rollback.en.txt"),
    ),
];

/// The most changes a notice lists; the rest are counted ("… and 3 more in the plan").
pub const MAX_CHANGES: usize = 10;
/// The most characters of one change a notice shows.
const MAX_CHANGE_CHARS: usize = 100;

/// The template file name for a moment in a language.
pub fn file_name(moment: Moment, lang: Lang) -> String {
    format!("{}.{}.txt", moment.name(), lang.tag())
}

/// What a notice template is rendered from.
#[derive(Clone, Debug, Serialize)]
pub struct Notice {
    /// `start`, `canary`, `done`, `rollback`.
    pub moment: &'static str,
    pub service: String,
    pub version: String,
    /// The kind of release in words (`feature release`, `需求上线`).
    pub kind: String,
    pub owner: String,
    pub tech_lead: String,
    pub rollback_to: String,
    /// Why the release was rolled back, as `shipgate rollback` recorded it (else empty).
    pub reason: String,
    pub observed_minutes: String,
    /// The plan's change list, at most `MAX_CHANGES`.
    pub changes: Vec<String>,
    /// How many changes the notice leaves out.
    pub more: usize,
    /// The plan's path in the repository.
    pub plan: String,
    pub by: String,
    pub at: String,
}

/// Renders the notice for `moment` in `lang`.
pub fn render(moment: Moment, lang: Lang, notice: &Notice) -> Result<String> {
    let name = file_name(moment, lang);
    let template = BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .expect("every moment has a built-in template in every language");
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(template, notice).map_err(|e| {
        let line = e.line_no.map_or_else(|| "?".to_string(), |l| l.to_string());
        let detail = match e.reason() {
            RenderErrorReason::TemplateError(t) => t.to_string(),
            other => other.to_string(),
        };
        Error::new(Msg::TemplateInvalid {
            name: name.clone(),
            line,
            detail,
        })
    })
}

/// The notice rendered to at most `max_bytes`: changes are left out (and counted) until
/// it fits; a text that still does not fit is cut at a line, then at a character.
pub fn render_within(
    moment: Moment,
    lang: Lang,
    notice: &Notice,
    max_bytes: usize,
) -> Result<String> {
    let mut notice = notice.clone();
    loop {
        let text = render(moment, lang, &notice)?;
        if text.len() <= max_bytes {
            return Ok(text);
        }
        if notice.changes.pop().is_some() {
            notice.more += 1;
            continue;
        }
        return Ok(cut(&text, max_bytes));
    }
}

/// `text` cut to at most `max` bytes, ending in `…`: at the last whole line that fits,
/// else at a character.
fn cut(text: &str, max: usize) -> String {
    let room = max.saturating_sub('…'.len_utf8());
    let mut end = room.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let head = match head.rfind('\n') {
        Some(line_end) if line_end > 0 => &head[..=line_end],
        _ => head,
    };
    format!("{head}…")
}

/// The plan's change list: the items under its "Changes since …" / "变更列表" heading,
/// as plain text (code spans without their backticks), placeholders left out.
pub fn changes_of(plan_text: &str) -> Vec<String> {
    let mut changes = Vec::new();
    let mut heading: Option<String> = None;
    let mut in_changes = false;
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    for event in Parser::new(plan_text) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H2 => {
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(level)) if level <= HeadingLevel::H2 => {
                let text = heading.take().unwrap_or_default();
                in_changes = is_changes_heading(&text);
            }
            Event::Start(Tag::Item) if in_changes => {
                depth += 1;
                if depth == 1 {
                    current = Some(String::new());
                }
            }
            Event::End(TagEnd::Item) if in_changes => {
                if depth == 1 {
                    if let Some(text) = current.take() {
                        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !text.is_empty() && !crate::plan::has_placeholder(&text) {
                            changes.push(shorten(&text));
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&text);
                } else if let Some(item) = current.as_mut() {
                    item.push_str(&text);
                }
            }
            // `<beta>` in a commit subject is text to a reader, HTML to Markdown.
            Event::InlineHtml(html) if !html.starts_with("<!--") => {
                if let Some(item) = current.as_mut() {
                    item.push_str(&html);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(item) = current.as_mut() {
                    item.push(' ');
                }
            }
            _ => {}
        }
    }
    changes
}

/// The headings the plan templates give the change list (en and zh-CN).
fn is_changes_heading(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("Changes since") || text.starts_with("变更列表")
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CHANGE_CHARS {
        return text.to_string();
    }
    let mut short: String = text.chars().take(MAX_CHANGE_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            moment: "start",
            service: "order-api".into(),
            version: "v2.3.0".into(),
            kind: "feature release".into(),
            owner: "zhangsan".into(),
            tech_lead: "lisi".into(),
            rollback_to: "v2.2.4".into(),
            reason: String::new(),
            observed_minutes: "7".into(),
            changes: (1..=3).map(|n| format!("c{n} change number {n}")).collect(),
            more: 0,
            plan: "docs/releases/v2.3.0.md".into(),
            by: "Li Si".into(),
            at: "2026-11-01 02:00 +00:00".into(),
        }
    }

    #[test]
    fn every_template_renders_in_both_languages() {
        for moment in [
            Moment::Start,
            Moment::Canary,
            Moment::Done,
            Moment::Rollback,
        ] {
            for lang in [Lang::En, Lang::ZhCn] {
                let text = render(moment, lang, &notice()).unwrap();
                assert!(
                    text.contains("order-api v2.3.0"),
                    "{moment:?} {lang:?}:\n{text}"
                );
                assert!(text.contains("docs/releases/v2.3.0.md"), "{text}");
                assert!(!text.contains("{{"), "{text}");
            }
        }
    }

    #[test]
    fn a_notice_too_long_for_a_robot_lists_fewer_changes() {
        let mut long = notice();
        long.changes = (0..10)
            .map(|n| format!("{n} {}", "变更".repeat(45)))
            .collect();
        let full = render(Moment::Start, Lang::ZhCn, &long).unwrap();
        assert!(full.len() > 2048);
        let fitted = render_within(Moment::Start, Lang::ZhCn, &long, 2048).unwrap();
        assert!(fitted.len() <= 2048, "{}", fitted.len());
        assert!(fitted.contains("另有"), "{fitted}");
        assert!(
            fitted.contains("发布计划：docs/releases/v2.3.0.md"),
            "{fitted}"
        );
        let cut_short = render_within(Moment::Start, Lang::ZhCn, &long, 40).unwrap();
        assert!(
            cut_short.len() <= 40 && cut_short.ends_with('…'),
            "{cut_short}"
        );
    }

    #[test]
    fn changes_come_from_the_plans_change_list() {
        let text = "---\nkind: feature\n---\n# Plan\n\n## Release\n\n- [ ] not a change <!-- id: canary -->\n\n## Changes since v1.0.0\n\n- `abc1234` coupon: limits\n- `def5678` Merge branch 'feature/x' <beta>\n  nested\n- (to fill in)\n\n## Problem analysis\n\n- [ ] Timeline <!-- id: analysis-timeline -->\n";
        assert_eq!(
            changes_of(text),
            [
                "abc1234 coupon: limits",
                "def5678 Merge branch 'feature/x' <beta> nested"
            ]
        );
        let zh = "## 变更列表（自 v1.0.0 以来）\n\n- `abc1234` 优惠券：限额\n";
        assert_eq!(changes_of(zh), ["abc1234 优惠券：限额"]);
    }
}
