//! Findings in a CI's own words: GitHub workflow commands (`::error file=…,line=…,
//! title=…::message`), which become annotations on the pull request, and GitLab's
//! code-quality report, which the merge request widget shows. Pure: strings in, strings
//! out; the command prints them and writes the report.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::i18n::Lang;
use crate::messages::Msg;
use crate::policy::{short_ref, Finding, Severity};

/// Where a finding points in a file, when a place names one (`docs/releases/v1.md:12`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePlace {
    pub path: String,
    pub line: Option<usize>,
    pub what: String,
}

/// A finding as lines of text in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// `[F6] release: <message>`
    pub headline: String,
    /// The commits and places it names, indented as the hooks print them.
    pub details: Vec<String>,
    /// `hint: …` lines.
    pub hints: Vec<String>,
    pub files: Vec<FilePlace>,
}

pub fn text(finding: &Finding, lang: Lang) -> Text {
    let target = short_ref(&finding.refname);
    let headline = format!(
        "[{}] {target}{}{}",
        finding.rule,
        lang.colon(),
        finding.message.render(lang)
    );
    let mut details = Vec::new();
    for commit in &finding.commits {
        let note = commit
            .note
            .as_ref()
            .map(|n| lang.aside(&n.render(lang)))
            .unwrap_or_default();
        details.push(format!(
            "    {} {}{note}",
            commit.id.short(),
            commit.summary
        ));
    }
    let mut files = Vec::new();
    for (place, what) in &finding.places {
        let what = what.render(lang);
        if place.is_empty() {
            details.push(format!("    {what}"));
            continue;
        }
        details.push(format!("    {place}: {what}"));
        let (path, line) = match place.rsplit_once(':') {
            Some((path, line)) if !path.is_empty() && line.parse::<usize>().is_ok() => {
                (path.to_string(), line.parse().ok())
            }
            _ => (place.clone(), None),
        };
        files.push(FilePlace { path, line, what });
    }
    if finding.more > 0 {
        let more = Msg::MoreCommits {
            count: finding.more.to_string(),
        };
        details.push(format!("    {}", more.render(lang)));
    }
    let hint = Msg::PrefixHint.render(lang);
    let hints = finding
        .hints
        .iter()
        .map(|h| lang.labelled(&hint, &h.render(lang)))
        .collect();
    Text {
        headline,
        details,
        hints,
        files,
    }
}

/// The lines a terminal shows for a finding: `error: [F6] release: …`, details, hints.
pub fn plain(finding: &Finding, lang: Lang) -> Vec<String> {
    let text = text(finding, lang);
    let prefix = match finding.severity {
        Severity::Block => Msg::PrefixError,
        Severity::Warn => Msg::PrefixWarning,
    }
    .render(lang);
    let mut lines = vec![lang.labelled(&prefix, &text.headline)];
    lines.extend(text.details);
    lines.extend(text.hints);
    lines
}

/// GitHub workflow commands for a finding: one annotation with the whole finding, and
/// one on each file line it names.
pub fn github(finding: &Finding, lang: Lang) -> Vec<String> {
    let command = match finding.severity {
        Severity::Block => "error",
        Severity::Warn => "warning",
    };
    let text = text(finding, lang);
    let title = format!(
        "shipgate [{}] {}",
        finding.rule,
        short_ref(&finding.refname)
    );
    let mut body = vec![text.headline.clone()];
    body.extend(text.details.iter().cloned());
    body.extend(text.hints.iter().cloned());
    let mut lines = vec![format!(
        "::{command} title={}::{}",
        escape_property(&title),
        escape_data(&body.join("\n"))
    )];
    for place in &text.files {
        let mut props = vec![format!("file={}", escape_property(&place.path))];
        if let Some(line) = place.line {
            props.push(format!("line={line}"));
        }
        props.push(format!("title={}", escape_property(&title)));
        lines.push(format!(
            "::{command} {}::{}",
            props.join(","),
            escape_data(&place.what)
        ));
    }
    lines
}

/// A workflow command's message, escaped as GitHub's toolkit does (`escapeData`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (`escapeProperty`): also `:` and `,`, which
/// would end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One entry of GitLab's code-quality report (the subset of the Code Climate format
/// GitLab reads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub description: String,
    pub check_name: String,
    pub fingerprint: String,
    pub severity: &'static str,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub lines: Lines,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lines {
    pub begin: usize,
}

/// The report's entries: one for each file line a finding names, else one for the
/// finding on the policy file (`policy_file`, whose rule it is). Fingerprints hash the
/// English text, so they stay the same whatever language the job speaks.
pub fn code_quality(findings: &[Finding], lang: Lang, policy_file: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    for finding in findings {
        let shown = text(finding, lang);
        let english = text(finding, Lang::En);
        let severity = match finding.severity {
            Severity::Block => "blocker",
            Severity::Warn => "minor",
        };
        let check_name = format!("shipgate/{}", finding.rule);
        let first_hint = |t: &Text| {
            t.hints
                .first()
                .map(|h| match lang {
                    Lang::En => format!(" ({h})"),
                    Lang::ZhCn => format!("（{h}）"),
                })
                .unwrap_or_default()
        };
        let mut entry = |description: String, key: String, path: &str, line: usize| {
            let mut hash = Sha256::new();
            for part in [&check_name, &finding.refname, &key, path] {
                hash.update(part.as_bytes());
                hash.update([0]);
            }
            hash.update(line.to_string().as_bytes());
            issues.push(Issue {
                description,
                check_name: check_name.clone(),
                fingerprint: hex(&hash.finalize()),
                severity,
                location: Location {
                    path: path.to_string(),
                    lines: Lines { begin: line },
                },
            });
        };
        if shown.files.is_empty() {
            entry(
                format!("{}{}", shown.headline, first_hint(&shown)),
                english.headline.clone(),
                policy_file,
                1,
            );
        }
        for (place, en) in shown.files.iter().zip(&english.files) {
            entry(
                format!("{}{}{}", shown.headline, lang.colon(), place.what),
                format!("{}\0{}", english.headline, en.what),
                &place.path,
                place.line.unwrap_or(1),
            );
        }
    }
    issues
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_github_toolkit() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("docs/a:b,c%\n"), "docs/a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn file_places_become_annotations_and_report_entries() {
        let mut finding = Finding::new(
            Severity::Block,
            "F7",
            "refs/heads/release",
            Msg::HookUnknown { name: "x".into() },
        );
        finding.places.push((
            "docs/releases/v1.0.0.md:12".into(),
            Msg::HookUnknown { name: "y".into() },
        ));
        finding.places.push((String::new(), Msg::HintHookUnknown));
        let lines = github(&finding, Lang::En);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("::error title=shipgate [F7] release::[F7] release: "));
        assert_eq!(
            lines[1],
            "::error file=docs/releases/v1.0.0.md,line=12,title=shipgate [F7] release::\
             `y` is not a hook shipgate handles"
        );
        let issues = code_quality(&[finding.clone()], Lang::ZhCn, ".shipgate.toml");
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].location.path, "docs/releases/v1.0.0.md");
        assert_eq!(issues[0].location.lines.begin, 12);
        assert_eq!(issues[0].fingerprint.len(), 64);
        // The same finding in another language has the same fingerprint.
        let en = code_quality(&[finding], Lang::En, ".shipgate.toml");
        assert_eq!(issues[0].fingerprint, en[0].fingerprint);
        assert_ne!(issues[0].description, en[0].description);
    }
}
