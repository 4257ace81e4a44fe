//! The process's rules by id (F1–F22, B1–B5, E1–E5, R1–R5), in both languages, and how
//! shipgate serves each: the hooks that check it, the commands that do it, the plan
//! checklist items that carry it. The texts live in `rules.toml` beside this file,
//! compiled in; `RULES.md` beside it is the process page they are held to.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::i18n::Lang;
use crate::plan::{self, Item};

/// The rule texts, as shipped.
const DATA: &str = include_str!("rules.toml");

/// A family of rules (`F`, `B`, `E`, `R`): one kind of release or moment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub prefix: String,
    en: String,
    zh: String,
    #[serde(default)]
    note_en: Option<String>,
    #[serde(default)]
    note_zh: Option<String>,
}

impl Group {
    pub fn title(&self, lang: Lang) -> &str {
        pick(lang, &self.en, &self.zh)
    }

    pub fn note(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => self.note_en.as_deref(),
            Lang::ZhCn => self.note_zh.as_deref(),
        }
    }
}

/// One rule of the process.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    en: String,
    zh: String,
    how_en: String,
    how_zh: String,
    /// The git hooks that check it (`pre-push`, `pre-receive`, ...; `ci` is `shipgate ci`).
    pub hooks: Vec<String>,
    /// Commands that do or check it, as a person types them.
    pub run: Vec<String>,
    #[serde(default)]
    note_en: Option<String>,
    #[serde(default)]
    note_zh: Option<String>,
}

impl Rule {
    /// The rule itself, as the process states it.
    pub fn text(&self, lang: Lang) -> String {
        plain(pick(lang, &self.en, &self.zh))
    }

    /// How the process page says shipgate serves it.
    pub fn how(&self, lang: Lang) -> String {
        plain(pick(lang, &self.how_en, &self.how_zh))
    }

    /// Where shipgate serves it differently from what the "how" planned.
    pub fn note(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => self.note_en.as_deref(),
            Lang::ZhCn => self.note_zh.as_deref(),
        }
    }

    /// The family it belongs to (`F` of `F12`).
    pub fn prefix(&self) -> &str {
        self.id.trim_end_matches(|c: char| c.is_ascii_digit())
    }

    /// The plan checklist items that carry it, in document order (the problem-analysis
    /// items last).
    pub fn items(&self) -> Vec<&'static Item> {
        plan::ITEMS
            .iter()
            .chain(plan::ANALYSIS)
            .filter(|i| i.rule == self.id)
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    group: Vec<Group>,
    rule: Vec<Rule>,
}

fn data() -> &'static Data {
    static DATA_PARSED: OnceLock<Data> = OnceLock::new();
    DATA_PARSED.get_or_init(|| {
        toml::from_str(DATA).expect("src/rules/rules.toml parses: a unit test reads it")
    })
}

/// Every group, in the process's order.
pub fn groups() -> &'static [Group] {
    &data().group
}

/// Every rule, in the process's order.
pub fn all() -> &'static [Rule] {
    &data().rule
}

/// The rule `id` (`f6` and `F6` alike).
pub fn find(id: &str) -> Option<&'static Rule> {
    let id = id.trim();
    all().iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The rules of one group.
pub fn of_group(prefix: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    all().iter().filter(move |r| r.prefix() == prefix)
}

/// The valid ids as ranges, for messages: `F1–F22, B1–B5, E1–E5, R1–R5` (a message
/// list: `F1–F22、B1–B5、…` in Chinese).
pub fn id_ranges() -> String {
    let ranges = groups()
        .iter()
        .filter_map(|g| {
            let ids: Vec<&str> = of_group(&g.prefix).map(|r| r.id.as_str()).collect();
            match (ids.first(), ids.last()) {
                (Some(first), Some(last)) if first != last => Some(format!("{first}–{last}")),
                (Some(first), _) => Some(first.to_string()),
                _ => None,
            }
        })
        .collect::<Vec<_>>();
    crate::messages::list(ranges)
}

fn pick<'a>(lang: Lang, en: &'a str, zh: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

/// Markdown emphasis as a terminal shows it: `**x**` is `x`.
fn plain(text: &str) -> String {
    text.replace("**", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The process page the rules are held to (a copy of the team's RULES.md).
    const PAGE: &str = include_str!("RULES.md");

    /// `(id, rule, how)` of every table row of the page whose first cell is a rule id.
    fn page_rows() -> Vec<(String, String, String)> {
        PAGE.lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line
                    .trim()
                    .strip_prefix('|')?
                    .strip_suffix('|')?
                    .split(" | ")
                    .map(str::trim)
                    .collect();
                let [id, rule, how] = cells.as_slice() else {
                    return None;
                };
                let family = id.trim_end_matches(|c: char| c.is_ascii_digit());
                let numbered = family.len() < id.len() && ["F", "B", "E", "R"].contains(&family);
                numbered.then(|| (id.to_string(), rule.to_string(), how.to_string()))
            })
            .collect()
    }

    #[test]
    fn every_rule_of_the_process_page_is_explained_in_both_languages() {
        let rows = page_rows();
        assert_eq!(rows.len(), 37, "F1–F22, B1–B5, E1–E5, R1–R5");
        let ids: Vec<&str> = all().iter().map(|r| r.id.as_str()).collect();
        let page_ids: Vec<&str> = rows.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(ids, page_ids, "the same rules, in the same order");
        for (id, rule, how) in &rows {
            let entry = find(id).unwrap();
            assert_eq!(&entry.en, rule, "{id}: English text as on the page");
            assert_eq!(&entry.how_en, how, "{id}: English how as on the page");
            for lang in [Lang::En, Lang::ZhCn] {
                assert!(!entry.text(lang).trim().is_empty(), "{id} {lang:?}");
                assert!(!entry.how(lang).trim().is_empty(), "{id} {lang:?}");
            }
            assert!(
                entry
                    .zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{id}: the Chinese text is Chinese"
            );
            assert_eq!(
                entry.note_en.is_some(),
                entry.note_zh.is_some(),
                "{id}: a note in both languages or none"
            );
            assert!(
                groups().iter().any(|g| g.prefix == entry.prefix()),
                "{id} has a group"
            );
        }
    }

    #[test]
    fn every_rule_a_checklist_item_cites_exists() {
        for item in plan::ITEMS.iter().chain(plan::ANALYSIS) {
            assert!(
                find(item.rule).is_some(),
                "item {} cites {}",
                item.id,
                item.rule
            );
        }
    }

    #[test]
    fn ids_are_found_in_any_case_and_ranges_name_them_all() {
        assert_eq!(find("f6").map(|r| r.id.as_str()), Some("F6"));
        assert!(find("F23").is_none());
        assert_eq!(
            id_ranges().replace('\u{1f}', ", "),
            "F1–F22, B1–B5, E1–E5, R1–R5"
        );
    }

    #[test]
    fn the_commands_are_shipgate_command_lines() {
        use clap::{CommandFactory, Parser};
        let has_announce = crate::cli::Cli::command()
            .find_subcommand("announce")
            .is_some();
        for rule in all() {
            for line in &rule.run {
                let words: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(words.first(), Some(&"shipgate"), "{}: {line}", rule.id);
                let parsed = crate::cli::Cli::try_parse_from(&words);
                // `announce` comes with the on-call notices (issue 13, point 6).
                // Until that command is merged, its lines are checked by name only.
                let announce = words.get(1) == Some(&"announce") && !has_announce;
                assert!(
                    parsed.is_ok() || announce,
                    "{}: `{line}` is not a shipgate command line: {:?}",
                    rule.id,
                    parsed.err().map(|e| e.to_string())
                );
            }
        }
    }
}
