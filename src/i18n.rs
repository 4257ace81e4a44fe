//! Which language a user reads: `--lang`, then config `lang`, then the locale, then English.

use serde::{Deserialize, Serialize};

/// A language every user-facing message and template exists in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
pub enum Lang {
    #[serde(rename = "en")]
    #[value(name = "en")]
    En,
    #[serde(rename = "zh-CN")]
    #[value(name = "zh-CN", alias = "zh", alias = "zh_CN")]
    ZhCn,
}

impl Lang {
    /// The tag written in config files and accepted by `--lang`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Reads a POSIX locale value (`zh_CN.UTF-8`, `en_US`, `C`): `zh*` is Chinese,
    /// anything else set is English, empty is "not set".
    pub fn from_locale(value: &str) -> Option<Lang> {
        let value = value.trim();
        if value.is_empty() {
            None
        } else if value.to_ascii_lowercase().starts_with("zh") {
            Some(Lang::ZhCn)
        } else {
            Some(Lang::En)
        }
    }

    /// The first of the given choices that is set, English when none is.
    pub fn resolve(cli: Option<Lang>, config: Option<Lang>, locale: Option<Lang>) -> Lang {
        cli.or(config).or(locale).unwrap_or(Lang::En)
    }

    /// `label` (`error:`, `错误：`) followed by `text`: English puts a space after its
    /// colon; a Chinese full-width colon carries its own space (docs/glossary.md).
    pub fn labelled(self, label: &str, text: &str) -> String {
        match self {
            Lang::En => format!("{label} {text}"),
            Lang::ZhCn => format!("{label}{text}"),
        }
    }

    /// The colon between a name and what is said of it (`release: …`, `release：…`).
    pub fn colon(self) -> &'static str {
        match self {
            Lang::En => ": ",
            Lang::ZhCn => "：",
        }
    }

    /// A remark in parentheses after a text: `  (remark)` in English, `（备注）` in Chinese.
    pub fn aside(self, remark: &str) -> String {
        match self {
            Lang::En => format!("  ({remark})"),
            Lang::ZhCn => format!("（{remark}）"),
        }
    }
}

/// What docs/glossary.md asks of Chinese text, for the tests of every catalog and
/// template: its terms, and Chinese punctuation in prose.
#[cfg(test)]
pub mod style {
    /// Forms docs/glossary.md forbids in Chinese prose, with what to write instead.
    const FORBIDDEN: &[(&str, &str)] = &[
        ("上线计划", "发布计划"),
        ("计划文档", "发布计划"),
        ("owner", "系统负责人"),
        ("TL", "技术负责人"),
        ("tag", "标签 / 发布标签"),
        ("金丝雀", "灰度"),
        ("事故", "故障"),
        ("回退", "还原 (revert) / 回滚 (rollback)"),
        ("shim", "钩子脚本"),
        ("垫片", "钩子脚本"),
        ("条目", "检查项"),
        ("front matter", "文件头"),
    ];

    fn is_cjk(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    const FULL_WIDTH: &str = "，。：；（）“”、？！";

    /// The text without what is not prose: code in backticks, `{placeholders}` and
    /// `{{handlebars}}`.
    fn prose(text: &str) -> String {
        let mut out = String::new();
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 {
                out.push_str("CODE");
                continue;
            }
            let mut depth = 0;
            for c in part.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            out.push_str("ARG");
                        }
                    }
                    _ if depth == 0 => out.push(c),
                    _ => {}
                }
            }
        }
        out
    }

    /// Everything in `text` that breaks the glossary's rules, described.
    pub fn problems(text: &str) -> Vec<String> {
        let prose = prose(text);
        let mut found = Vec::new();
        for (bad, good) in FORBIDDEN {
            let ascii = bad.is_ascii();
            let hit = prose.match_indices(bad).any(|(at, _)| {
                // An ASCII term counts as a word of its own (`TL`, not `TLS`).
                !ascii
                    || (!prose[..at].ends_with(|c: char| c.is_ascii_alphanumeric())
                        && !prose[at + bad.len()..]
                            .starts_with(|c: char| c.is_ascii_alphanumeric()))
            });
            if hit {
                found.push(format!("`{bad}`: write {good}"));
            }
        }
        let chars: Vec<char> = prose.chars().collect();
        for pair in chars.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if (is_cjk(a) && ",;:()?!".contains(b)) || (",;:()?!".contains(a) && is_cjk(b)) {
                found.push(format!("half-width `{a}{b}`: use full-width punctuation"));
            }
            if (a == ' ' && FULL_WIDTH.contains(b)) || (FULL_WIDTH.contains(a) && b == ' ') {
                found.push(format!("space beside full-width punctuation: `{a}{b}`"));
            }
        }
        found
    }

    /// The prose of a Markdown or text template line: no comments, list markers, table
    /// pipes or the spaces around them.
    fn template_prose(line: &str) -> Vec<String> {
        let mut line = line.to_string();
        while let (Some(start), Some(end)) = (line.find("<!--"), line.find("-->")) {
            if end < start {
                break;
            }
            line.replace_range(start..end + 3, "");
        }
        let line = line.trim();
        let line = ["- [ ] ", "- [x] ", "- ", "### ", "## ", "# "]
            .iter()
            .find_map(|m| line.strip_prefix(m))
            .unwrap_or(line);
        if line.starts_with('|') {
            line.split('|')
                .map(|cell| cell.trim().to_string())
                .collect()
        } else {
            vec![line.to_string()]
        }
    }

    /// Plan and notice templates: every line; YAML front matter: its comments.
    #[test]
    fn templates_follow_the_glossary() {
        let templates = [
            (
                "feature",
                include_str!("../templates/plans/feature.zh-CN.md"),
            ),
            (
                "optimization",
                include_str!("../templates/plans/optimization.zh-CN.md"),
            ),
            ("bugfix", include_str!("../templates/plans/bugfix.zh-CN.md")),
            (
                "emergency",
                include_str!("../templates/plans/emergency.zh-CN.md"),
            ),
            (
                "analysis",
                include_str!("../templates/plans/analysis.zh-CN.md"),
            ),
            (
                "start",
                include_str!("../templates/notices/start.zh-CN.txt"),
            ),
            (
                "canary",
                include_str!("../templates/notices/canary.zh-CN.txt"),
            ),
            ("done", include_str!("../templates/notices/done.zh-CN.txt")),
            (
                "rollback",
                include_str!("../templates/notices/rollback.zh-CN.txt"),
            ),
        ];
        let mut wrong = Vec::new();
        for (name, text) in templates {
            for (n, line) in text.lines().enumerate() {
                let texts = match line.split_once("  # ") {
                    Some((_, comment)) => vec![comment.to_string()],
                    None if line.contains(": ") && !line.contains(|c: char| c > '\u{7f}') => {
                        vec![]
                    }
                    None => template_prose(line),
                };
                for text in texts {
                    for problem in problems(&text) {
                        wrong.push(format!("{name}:{}: {problem}\n    {line}", n + 1));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    /// The default config's comments, the rules' renderings (their `zh` texts quote the
    /// team's document and keep its words) and the Chinese `--help`.
    #[test]
    fn config_rules_and_help_follow_the_glossary() {
        let mut texts: Vec<(String, String)> = Vec::new();
        for line in crate::config::DEFAULT_TOML_ZH.lines() {
            if let Some(comment) = line.strip_prefix('#') {
                texts.push(("shipgate.zh-CN.toml".into(), comment.trim().to_string()));
            }
        }
        for group in crate::rules::groups() {
            texts.push((
                group.prefix.clone(),
                group.title(super::Lang::ZhCn).to_string(),
            ));
            if let Some(note) = group.note(super::Lang::ZhCn) {
                texts.push((group.prefix.clone(), note.to_string()));
            }
        }
        for rule in crate::rules::all() {
            texts.push((rule.id.clone(), rule.how(super::Lang::ZhCn)));
            if let Some(note) = rule.note(super::Lang::ZhCn) {
                texts.push((rule.id.clone(), note.to_string()));
            }
        }
        let help = crate::help::catalog();
        for (path, command) in &help.command {
            texts.push((path.clone(), command.about.clone()));
            texts.extend(command.long_about.iter().map(|l| (path.clone(), l.clone())));
            for (id, arg) in &command.args {
                let place = format!("{path} {id}");
                texts.push((place.clone(), arg.help().to_string()));
                texts.extend(arg.long_help().map(|l| (place.clone(), l.to_string())));
                texts.extend(arg.default().map(|l| (place.clone(), l.to_string())));
            }
        }
        for (id, values) in &help.values {
            texts.extend(values.values().map(|v| (id.clone(), v.clone())));
        }
        let words = &help.clap;
        for word in [
            &words.help,
            &words.help_more,
            &words.help_summary,
            &words.version,
        ] {
            texts.push(("clap".into(), word.clone()));
        }
        for word in [&words.help_command, &words.help_command_arg, &words.default] {
            texts.push(("clap".into(), word.clone()));
        }
        texts.extend(words.headings.values().map(|h| ("clap".into(), h.clone())));
        let mut wrong = Vec::new();
        for (place, text) in &texts {
            for problem in problems(text) {
                wrong.push(format!("{place}: {problem}\n    {text}"));
            }
        }
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    /// The demo's narration: every `zh-CN` text of `templates/demo.toml` (titles, what
    /// is said, commit messages).
    #[test]
    fn demo_script_follows_the_glossary() {
        fn walk(value: &toml::Value, place: &str, zh: bool, out: &mut Vec<(String, String)>) {
            match value {
                toml::Value::String(s) if zh => out.push((place.to_string(), s.clone())),
                toml::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, &format!("{place}[{i}]"), zh, out);
                    }
                }
                toml::Value::Table(table) => {
                    for (key, item) in table {
                        walk(item, &format!("{place}.{key}"), zh || key == "zh-CN", out);
                    }
                }
                _ => {}
            }
        }
        let script: toml::Value =
            toml::from_str(crate::demo::steps::SCRIPT).expect("templates/demo.toml parses");
        let mut texts = Vec::new();
        walk(&script, "demo", false, &mut texts);
        assert!(texts.len() > 50, "the walk found the zh-CN texts");
        let mut wrong = Vec::new();
        for (place, text) in &texts {
            for line in text.lines() {
                for problem in problems(line) {
                    wrong.push(format!("{place}: {problem}\n    {line}"));
                }
            }
        }
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    #[test]
    fn problems_are_found() {
        assert!(problems("由系统负责人或技术负责人确认：`git tag -d {tag}`").is_empty());
        assert_eq!(problems("由系统 owner 或 TL 确认").len(), 2);
        assert_eq!(problems("没有上线 tag（`{pattern}`）").len(), 1);
        assert_eq!(problems("无法读取(文件)").len(), 3);
        assert_eq!(problems("错误： 无法读取").len(), 1);
        assert!(problems("TLS 与 tags 不算").is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_values() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_locale("zh_TW"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale("C"), Some(Lang::En));
        assert_eq!(Lang::from_locale(""), None);
    }

    #[test]
    fn precedence() {
        use Lang::*;
        assert_eq!(Lang::resolve(Some(En), Some(ZhCn), Some(ZhCn)), En);
        assert_eq!(Lang::resolve(None, Some(ZhCn), Some(En)), ZhCn);
        assert_eq!(Lang::resolve(None, None, Some(ZhCn)), ZhCn);
        assert_eq!(Lang::resolve(None, None, None), En);
    }

    #[test]
    fn chinese_punctuation_carries_its_own_space() {
        assert_eq!(Lang::En.labelled("error:", "x"), "error: x");
        assert_eq!(Lang::ZhCn.labelled("错误：", "x"), "错误：x");
        assert_eq!(
            format!("release{}拒绝", Lang::ZhCn.colon()),
            "release：拒绝"
        );
        assert_eq!(Lang::ZhCn.aside("在 `test` 上产生"), "（在 `test` 上产生）");
        assert_eq!(Lang::En.aside("made on `test`"), "  (made on `test`)");
    }
}
