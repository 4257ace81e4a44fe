//! Merges judged by their content, not only by their parents: a merge into a release or
//! production branch may only combine what its parents hold. Code added or removed in
//! the merge commit itself (an "evil merge") is refused with the paths and lines. A
//! conflict resolution is reported on a release branch; on the production branch it
//! may only take lines that the release tag or the branch already had.

use similar::{ChangeTag, TextDiff};

use crate::error::Result;
use crate::messages::Msg;

use super::{Commit, Finding, History, MergeDifference, RefKind, Severity};

/// Lines shown per path, and paths per finding, before the rest is only counted.
const LINES_SHOWN: usize = 4;
const PATHS_SHOWN: usize = 10;
/// Texts larger than this are named, not diffed line by line.
const DIFF_LIMIT: usize = 1024 * 1024;

/// Judges the merges on the first-parent chain a push adds to `refname`.
pub(super) fn judge(
    history: &dyn History,
    refname: &str,
    kind: RefKind,
    chain: &[Commit],
    emergency: bool,
) -> Result<Vec<Finding>> {
    let branch = super::short_ref(refname).to_string();
    let mut findings = Vec::new();
    for merge in chain.iter().filter(|c| c.is_merge()) {
        let commit = merge.id.short().to_string();
        if merge.parents.len() > 2 {
            findings.push(
                Finding::new(
                    Severity::Block,
                    "merge",
                    refname,
                    Msg::OctopusMerge {
                        branch: branch.clone(),
                        commit: commit.clone(),
                    },
                )
                .hint(Msg::HintOctopus {
                    branch: branch.clone(),
                    commit,
                    first: merge.parents[0].short().to_string(),
                    merges: merge.parents[1..]
                        .iter()
                        .map(|p| format!("git merge --no-ff {}", p.short()))
                        .collect::<Vec<_>>()
                        .join(" && "),
                }),
            );
            continue;
        }
        let differences = history.merge_differences(&merge.id)?;
        let (resolved, mut evil): (Vec<_>, Vec<_>) =
            differences.into_iter().partition(|d| d.conflicted);
        if kind == RefKind::Production {
            // What a merge into production dropped is F14's to report (check-master, with
            // the lost lines and how to restore them); here only what it brought.
            evil.retain(adds_lines);
        }
        if !evil.is_empty() {
            let severity = if emergency && kind == RefKind::Release {
                Severity::Warn
            } else {
                Severity::Block
            };
            let mut finding = Finding::new(
                severity,
                "merge",
                refname,
                Msg::EvilMerge {
                    branch: branch.clone(),
                    commit: commit.clone(),
                    count: evil.len().to_string(),
                },
            )
            .hint(Msg::HintEvilMerge {
                branch: branch.clone(),
            });
            for difference in evil.iter().take(PATHS_SHOWN) {
                finding.places.push(evil_place(difference));
                finding.places.extend(line_places(
                    difference.auto.as_deref(),
                    difference.result.as_deref(),
                ));
            }
            findings.push(finding);
        }
        if resolved.is_empty() {
            continue;
        }
        match kind {
            RefKind::Production => {
                let mut places = Vec::new();
                let mut count = 0;
                for difference in &resolved {
                    let new = new_lines(difference);
                    count += new.len();
                    places.extend(
                        new.into_iter()
                            .take(LINES_SHOWN)
                            .map(|line| (difference.path.clone(), Msg::PlaceLineAdded { line })),
                    );
                }
                if count > 0 {
                    let mut finding = Finding::new(
                        Severity::Block,
                        "F14",
                        refname,
                        Msg::ResolutionAddsLines {
                            branch: branch.clone(),
                            commit: commit.clone(),
                            count: count.to_string(),
                        },
                    )
                    .hint(Msg::HintResolutionAdds {
                        branch: branch.clone(),
                    });
                    finding.places = places;
                    findings.push(finding);
                }
            }
            _ => {
                let paths: Vec<&str> = resolved.iter().map(|d| d.path.as_str()).collect();
                findings.push(Finding::new(
                    Severity::Warn,
                    "merge",
                    refname,
                    Msg::ConflictResolved {
                        branch: branch.clone(),
                        commit: commit.clone(),
                        paths: crate::messages::list(paths),
                    },
                ));
            }
        }
    }
    Ok(findings)
}

/// Whether the recorded result has lines the automatic merge does not.
fn adds_lines(difference: &MergeDifference) -> bool {
    match (&difference.auto, &difference.result) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(auto), Some(result)) => {
            let known: std::collections::HashSet<&str> = auto.lines().collect();
            difference.binary || result.lines().any(|l| !known.contains(l))
        }
    }
}

fn evil_place(difference: &MergeDifference) -> (String, Msg) {
    let path = difference.path.clone();
    let msg = match (&difference.auto, &difference.result) {
        (None, Some(_)) => Msg::PlaceMergeAdded { path },
        (Some(_), None) => Msg::PlaceMergeRemoved { path },
        _ => Msg::PlaceMergeChanged { path },
    };
    (String::new(), msg)
}

/// The first lines the merge added and removed against the automatic merge.
fn line_places(auto: Option<&str>, result: Option<&str>) -> Vec<(String, Msg)> {
    let (auto, result) = (auto.unwrap_or(""), result.unwrap_or(""));
    if auto.len() > DIFF_LIMIT || result.len() > DIFF_LIMIT {
        return Vec::new();
    }
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(200))
        .diff_lines(auto, result);
    diff.iter_all_changes()
        .filter_map(|change| {
            let line = change.value().trim_end_matches(['\n', '\r']).to_string();
            match change.tag() {
                ChangeTag::Insert => Some((String::new(), Msg::PlaceLineAdded { line })),
                ChangeTag::Delete => Some((String::new(), Msg::PlaceLineRemoved { line })),
                ChangeTag::Equal => None,
            }
        })
        .take(LINES_SHOWN)
        .collect()
}

/// Lines of a conflict resolution that neither side had (blank lines aside).
fn new_lines(difference: &MergeDifference) -> Vec<String> {
    let Some(result) = &difference.result else {
        return Vec::new();
    };
    if difference.binary {
        // A binary resolution is one side's version, or something new.
        let same =
            Some(result) == difference.ours.as_ref() || Some(result) == difference.theirs.as_ref();
        return if same {
            Vec::new()
        } else {
            vec![format!("({})", difference.path)]
        };
    }
    let known: std::collections::HashSet<&str> = [&difference.ours, &difference.theirs]
        .into_iter()
        .flatten()
        .flat_map(|text| text.lines())
        .map(str::trim_end)
        .collect();
    result
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty() && !known.contains(line))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(ours: &str, theirs: &str, result: &str) -> MergeDifference {
        MergeDifference {
            path: "app.txt".into(),
            conflicted: true,
            ours: Some(ours.into()),
            theirs: Some(theirs.into()),
            result: Some(result.into()),
            ..MergeDifference::default()
        }
    }

    #[test]
    fn a_resolution_from_either_side_adds_nothing() {
        assert!(new_lines(&diff("a\nb\n", "a\nc\n", "a\nc\nb\n")).is_empty());
        assert_eq!(
            new_lines(&diff("a\nb\n", "a\nc\n", "a\nevil()\n")),
            ["evil()"]
        );
    }

    #[test]
    fn lines_added_and_removed_are_shown() {
        let places = line_places(Some("a\nb\n"), Some("a\nx\n"));
        assert_eq!(places.len(), 2);
    }
}
