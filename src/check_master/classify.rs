//! The kind of a difference: changelogs, version files and generated files are
//! information, not loss.

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

use super::{Finding, Kind, Reason, Severity};

/// The most of `.gitattributes` read: a bound, not a limit anyone meets.
pub(super) const MAX_ATTRIBUTES_BYTES: usize = 256 * 1024;

/// Generated paths: `linguist-generated` in the root `.gitattributes` committed at the
/// tag, and the config's globs. A pattern without `/` matches a file's name in any
/// directory, one with `/` the whole path from the root (as in `.gitattributes`); the
/// last line that matches decides (`-linguist-generated` unsets).
pub(super) struct Generated {
    patterns: Vec<(glob::Pattern, bool, bool)>,
}

impl Generated {
    pub(super) fn at(
        repo: &Repo,
        tag_commit: &ObjectId,
        globs: &[crate::config::PathGlob],
    ) -> Result<Generated> {
        let attributes = History::read_file(repo, tag_commit, ".gitattributes")?;
        let attributes = attributes.map(|bytes| {
            let bytes = &bytes[..bytes.len().min(MAX_ATTRIBUTES_BYTES)];
            String::from_utf8_lossy(bytes).into_owned()
        });
        let globs: Vec<&str> = globs.iter().map(|g| g.as_str()).collect();
        Ok(Generated::parse(attributes.as_deref(), &globs))
    }

    /// From the text of a `.gitattributes` and the config's globs.
    pub(super) fn parse(attributes: Option<&str>, globs: &[&str]) -> Generated {
        let mut patterns = Vec::new();
        let mut push = |pattern: &str, generated: bool| {
            let pattern = pattern.trim_start_matches('/');
            let whole_path = pattern.contains('/');
            if let Ok(p) = glob::Pattern::new(pattern) {
                patterns.push((p, whole_path, generated));
            }
        };
        for line in attributes.unwrap_or_default().lines() {
            let mut words = line.split_whitespace();
            let Some(pattern) = words.next() else {
                continue;
            };
            if pattern.starts_with('#') || pattern.starts_with('!') {
                continue;
            }
            for attr in words {
                match attr {
                    "linguist-generated" | "linguist-generated=true" => push(pattern, true),
                    "-linguist-generated" | "!linguist-generated" | "linguist-generated=false" => {
                        push(pattern, false)
                    }
                    _ => {}
                }
            }
        }
        for g in globs {
            push(g, true);
        }
        Generated { patterns }
    }

    pub(super) fn matches(&self, path: &str) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        self.patterns
            .iter()
            .rev()
            .find(|(p, whole_path, _)| {
                p.matches_with(if *whole_path { path } else { name }, options)
            })
            .is_some_and(|(_, _, generated)| *generated)
    }
}

/// A changelog: its differences are bookkeeping, not code.
pub(super) fn is_changelog(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [
        "changelog",
        "changes",
        "history",
        "news",
        "release-notes",
        "release_notes",
    ]
    .iter()
    .any(|stem| name == *stem || name.starts_with(&format!("{stem}.")))
        || name == "version"
        || name.starts_with("version.")
}

/// A build manifest whose version field each release bumps.
pub(super) fn is_manifest(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [
        "package.json",
        "pom.xml",
        "Cargo.toml",
        "build.gradle",
        "build.gradle.kts",
        "gradle.properties",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "composer.json",
    ]
    .contains(&name)
}

/// Generated files are rebuilt, not written: what differs in them is information.
pub(super) fn generated(
    repo: &Repo,
    tag_commit: &ObjectId,
    globs: &[crate::config::PathGlob],
    findings: &mut [Finding],
) -> Result<()> {
    let generated = Generated::at(repo, tag_commit, globs)?;
    for f in findings.iter_mut() {
        if f.severity > Severity::Info
            && !f.files.is_empty()
            && f.files.iter().all(|m| generated.matches(&m.path))
        {
            f.severity = Severity::Info;
            if f.kind == Kind::MergeDropped {
                f.reason = Some(Reason::Generated);
            }
        }
    }
    Ok(())
}
