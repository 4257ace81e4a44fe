//! The kind of a difference: changelogs, version files and generated files are
//! information, not loss.

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

use super::{Finding, Kind, Reason, Severity};

/// The most `.gitattributes` files read (the root's and those of the directories
/// findings name): a bound, not a limit anyone meets.
const MAX_ATTRIBUTE_DIRS: usize = 256;

/// The most of `.gitattributes` read: a bound, not a limit anyone meets.
pub(super) const MAX_ATTRIBUTES_BYTES: usize = 256 * 1024;

/// Generated paths: `linguist-generated` in the `.gitattributes` files committed at the
/// tag (the root's, and a subdirectory's for the paths below it, as git reads them),
/// dependency lock files, and the config's globs. A pattern without `/` matches a file's name in any
/// directory, one with `/` the whole path from the root (as in `.gitattributes`); the
/// last line that matches decides (`-linguist-generated` unsets).
pub(super) struct Generated {
    /// (directory of the `.gitattributes`, pattern, matched against the path rather than
    /// the name, generated or not)
    patterns: Vec<(String, glob::Pattern, bool, bool)>,
}

impl Generated {
    /// The root `.gitattributes` and those of the directories of `paths`, at the tag.
    pub(super) fn at(
        repo: &Repo,
        tag_commit: &ObjectId,
        globs: &[crate::config::PathGlob],
        paths: &[&str],
    ) -> Result<Generated> {
        let mut dirs: Vec<String> = vec![String::new()];
        for path in paths {
            let mut dir = String::new();
            for part in path
                .split('/')
                .rev()
                .skip(1)
                .collect::<Vec<_>>()
                .iter()
                .rev()
            {
                if !dir.is_empty() {
                    dir.push('/');
                }
                dir.push_str(part);
                if !dirs.contains(&dir) && dirs.len() < MAX_ATTRIBUTE_DIRS {
                    dirs.push(dir.clone());
                }
            }
        }
        // Shallower first: a deeper file's lines come later and so decide.
        dirs.sort_by_key(|d| {
            if d.is_empty() {
                0
            } else {
                d.matches('/').count() + 1
            }
        });
        let mut texts: Vec<(String, String)> = Vec::new();
        for dir in dirs {
            let file = if dir.is_empty() {
                ".gitattributes".to_string()
            } else {
                format!("{dir}/.gitattributes")
            };
            if let Some(bytes) = History::read_file(repo, tag_commit, &file)? {
                let bytes = &bytes[..bytes.len().min(MAX_ATTRIBUTES_BYTES)];
                texts.push((dir, String::from_utf8_lossy(bytes).into_owned()));
            }
        }
        let texts: Vec<(&str, &str)> = texts
            .iter()
            .map(|(d, t)| (d.as_str(), t.as_str()))
            .collect();
        let globs: Vec<&str> = globs.iter().map(|g| g.as_str()).collect();
        Ok(Generated::parse(&texts, &globs))
    }

    /// From the texts of `.gitattributes` files (`(directory, text)`, the root's `""`
    /// first, deeper ones later) and the config's globs.
    pub(super) fn parse(attributes: &[(&str, &str)], globs: &[&str]) -> Generated {
        let mut patterns = Vec::new();
        let mut push = |dir: &str, pattern: &str, generated: bool| {
            let pattern = pattern.trim_start_matches('/');
            let whole_path = pattern.contains('/');
            if let Ok(p) = glob::Pattern::new(pattern) {
                patterns.push((dir.to_string(), p, whole_path, generated));
            }
        };
        // Dependency lock files are written by the package manager, not by hand: a
        // conflict in one is resolved by regenerating it. First, so that the repository's
        // `.gitattributes` (`-linguist-generated`) can say otherwise.
        for lock in LOCK_FILES {
            push("", lock, true);
        }
        for (dir, text) in attributes {
            for line in text.lines() {
                let mut words = line.split_whitespace();
                let Some(pattern) = words.next() else {
                    continue;
                };
                if pattern.starts_with('#') || pattern.starts_with('!') {
                    continue;
                }
                for attr in words {
                    match attr {
                        "linguist-generated" | "linguist-generated=true" => {
                            push(dir, pattern, true)
                        }
                        "-linguist-generated"
                        | "!linguist-generated"
                        | "linguist-generated=false" => push(dir, pattern, false),
                        _ => {}
                    }
                }
            }
        }
        for g in globs {
            push("", g, true);
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
            .find(|(dir, p, whole_path, _)| {
                // A subdirectory's `.gitattributes` speaks of paths below it, relative to it.
                let relative = if dir.is_empty() {
                    Some(path)
                } else {
                    path.strip_prefix(dir.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                };
                relative.is_some_and(|relative| {
                    p.matches_with(if *whole_path { relative } else { name }, options)
                })
            })
            .is_some_and(|(_, _, _, generated)| *generated)
    }
}

/// Lock files of package managers, generated by them.
const LOCK_FILES: &[&str] = &[
    "Cargo.lock",
    "composer.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Gemfile.lock",
    "poetry.lock",
    "Pipfile.lock",
    "go.sum",
    "gradle.lockfile",
    "packages.lock.json",
    "mix.lock",
    "pubspec.lock",
    "Podfile.lock",
];

/// A changelog: its differences are bookkeeping, not code.
pub(super) fn is_changelog(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    // A changelog per version line too: `changelog-0.x.rst`, `CHANGES_2.0.md`.
    let versioned = |rest: &str| {
        rest.starts_with(['-', '_']) && rest[1..].starts_with(|c: char| c.is_ascii_digit())
    };
    [
        "changelog",
        "changes",
        "history",
        "news",
        "release-notes",
        "release_notes",
    ]
    .iter()
    .any(|stem| {
        name.strip_prefix(stem)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || versioned(rest))
    }) || name == "version"
        || name.starts_with("version.")
}

/// A line that sets a version: it names one (`version = "1.4.2"`, `versionName "2.0"`,
/// `__version__ = '1.2.3'`, `VERSION=1.2`) and holds a version number (digits, a dot,
/// digits), or is a version code with its number (`versionCode 42`). Code that merely
/// mentions versions (`if !is_supported_version() { return; }`) is not one: dropped in a
/// conflict, it is a decision like any other line.
pub(super) fn is_version_line(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    if !lower.contains("version") {
        return false;
    }
    let bytes = lower.as_bytes();
    let dotted = bytes
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit());
    let code = (lower.contains("versioncode") || lower.contains("version_code"))
        && bytes.iter().any(u8::is_ascii_digit);
    dotted || code
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

/// Minified JavaScript and CSS are built, not written, as GitHub's linguist judges them
/// (`linguist-generated` by default): a `.js` or `.css` file whose lines average more
/// than 110 characters. Judged on the file at the tag (its first `READ_LIMIT` bytes), or
/// on the missing lines when the tag has no such file.
fn minified(
    repo: &Repo,
    tag_commit: &ObjectId,
    missing: &crate::git::MissingLines,
) -> Result<bool> {
    const AVERAGE: usize = 110;
    let path = missing.path.as_str();
    if !(path.ends_with(".js") || path.ends_with(".css")) {
        return Ok(false);
    }
    let average = |lines: &mut dyn Iterator<Item = usize>| {
        let (count, total) = lines.fold((0, 0), |(n, sum), len| (n + 1, sum + len));
        count > 0 && total / count > AVERAGE
    };
    Ok(match History::read_file(repo, tag_commit, path)? {
        Some(bytes) => average(&mut bytes.split(|b| *b == b'\n').map(<[u8]>::len)),
        None => average(&mut missing.lines.iter().map(String::len)),
    })
}

/// Generated files are rebuilt, not written: what differs in them is information.
pub(super) fn generated(
    repo: &Repo,
    tag_commit: &ObjectId,
    globs: &[crate::config::PathGlob],
    findings: &mut [Finding],
) -> Result<()> {
    let paths: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .flat_map(|f| f.files.iter().map(|m| m.path.as_str()))
        .collect();
    // Nothing to downgrade (a clean release, or only INFO): the attributes are not read
    // nor their patterns compiled.
    if paths.is_empty() {
        return Ok(());
    }
    let generated = Generated::at(repo, tag_commit, globs, &paths)?;
    for f in findings.iter_mut() {
        if f.severity <= Severity::Info || f.files.is_empty() {
            continue;
        }
        let mut all = true;
        for m in &f.files {
            if !generated.matches(&m.path) && !minified(repo, tag_commit, m)? {
                all = false;
                break;
            }
        }
        if all {
            f.severity = Severity::Info;
            if f.kind == Kind::MergeDropped {
                f.reason = Some(Reason::Generated);
            }
        }
    }
    Ok(())
}
