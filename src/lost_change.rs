//! check-master (F14): is everything the release tag carries on the production branch,
//! and does the tag carry everything production already had?
//!
//! Bounded by the release cycle: the tag's own commits are those `master` did not have
//! before it integrated the tag, production's are those the tag lacks; nothing older is
//! read. Each commit is judged by its change, not its id: an in-memory cherry-pick onto
//! the other side that changes nothing means present, whatever happened to ids on the way
//! (cherry-picks, rebases, squashes, renames). What this slice judges:
//! (a) tag changes missing from the integration result (LOST), (b) production changes the
//! tag lacks (LOST: the release would regress them), (d) tag changes present at
//! integration but gone from the tip later (INFO: a revert or a rewrite), and a tag not
//! merged at all (its own verdict; a tag squashed into master counts as merged when its
//! changes are there).

use serde::Serialize;

use crate::error::Result;
use crate::git::{CommitInfo, MissingLines, Repo};
use crate::oid::ObjectId;
use crate::policy::History;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Info,
    Review,
    Lost,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A change of the tag that the integrating merge did not keep.
    TagChangeMissing,
    /// A change production had (a hotfix) that the tag lacks.
    HotfixMissingFromTag,
    /// A change of the tag that was on production and is gone from its tip since.
    ChangedLater,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Clean,
    Review,
    Lost,
    NotMerged,
}

#[derive(Clone, Debug)]
pub struct Finding {
    /// Stable across runs: the kind, the commit and the files.
    pub id: String,
    pub severity: Severity,
    pub kind: Kind,
    pub commit: CommitInfo,
    pub files: Vec<MissingLines>,
    /// The merge that dropped it, when one did.
    pub merge: Option<CommitInfo>,
}

#[derive(Clone, Debug)]
pub struct Report {
    pub tag: String,
    pub tag_commit: ObjectId,
    pub master: String,
    pub master_commit: ObjectId,
    /// The commit on the production branch that brought the tag in.
    pub integration: Option<CommitInfo>,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

/// Checks `tag` (at `tag_commit`) against the production branch `master` (at
/// `master_commit`); `since` bounds the cycle further (findings before it are accepted).
pub fn check(
    repo: &Repo,
    tag: &str,
    tag_commit: &ObjectId,
    master: &str,
    master_commit: &ObjectId,
    since: Option<&ObjectId>,
) -> Result<Report> {
    let merged = repo.is_ancestor(tag_commit, master_commit)?;
    let mut hide_extra: Vec<ObjectId> = since.into_iter().cloned().collect();
    let (integration, before) = if merged {
        let point = integration_point(repo, tag_commit, master_commit)?;
        let info = repo.commit_info(&point)?;
        // Production as it was before the tag came in (for a fast-forward, the tag's
        // own parent line: nothing was merged, nothing can have been dropped).
        let before = if point == *tag_commit {
            None
        } else {
            info.parents.first().cloned()
        };
        (Some(info), before)
    } else {
        (None, Some(master_commit.clone()))
    };
    let mut findings = Vec::new();
    let mut tag_changes = 0;

    if let Some(before) = &before {
        let judged_at = integration.as_ref().map_or(master_commit, |i| &i.id);
        // (a) The tag's own changes, at the integration result.
        let mut hide = vec![before.clone()];
        hide.append(&mut hide_extra.clone());
        for commit in repo.walk(std::slice::from_ref(tag_commit), &hide, false)? {
            if commit.is_merge() || commit.parents.is_empty() {
                continue;
            }
            tag_changes += 1;
            if repo.change_present(&commit.id, judged_at)? {
                if merged
                    && judged_at != master_commit
                    && !repo.change_present(&commit.id, master_commit)?
                {
                    findings.push(finding(
                        repo,
                        Kind::ChangedLater,
                        Severity::Info,
                        &commit.id,
                        master_commit,
                        None,
                    )?);
                }
                continue;
            }
            let merge = integration.clone().filter(|i| i.parents.len() > 1);
            findings.push(finding(
                repo,
                Kind::TagChangeMissing,
                Severity::Lost,
                &commit.id,
                judged_at,
                merge,
            )?);
        }
        // (b) Production's changes the tag lacks: deploying the tag would undo them.
        hide_extra.push(tag_commit.clone());
        for commit in repo.walk(std::slice::from_ref(before), &hide_extra, false)? {
            if commit.is_merge() || commit.parents.is_empty() {
                continue;
            }
            if !repo.change_present(&commit.id, tag_commit)? {
                findings.push(finding(
                    repo,
                    Kind::HotfixMissingFromTag,
                    Severity::Lost,
                    &commit.id,
                    tag_commit,
                    None,
                )?);
            }
        }
    }

    let worst = findings.iter().map(|f| f.severity).max();
    // Not merged by history may still be merged by content (a squash): the tag is "not
    // merged" only when none of its changes reached master.
    let tag_missing = findings
        .iter()
        .filter(|f| f.kind == Kind::TagChangeMissing)
        .count();
    let never_integrated =
        !merged && !release_line_reached_master(repo, tag_commit, master_commit)?;
    let verdict = match (merged, worst) {
        (false, _) if never_integrated && tag_missing == tag_changes => Verdict::NotMerged,
        (_, Some(Severity::Lost)) => Verdict::Lost,
        (_, Some(Severity::Review)) => Verdict::Review,
        _ => Verdict::Clean,
    };
    Ok(Report {
        tag: tag.to_string(),
        tag_commit: tag_commit.clone(),
        master: master.to_string(),
        master_commit: master_commit.clone(),
        integration,
        verdict,
        findings,
    })
}

/// Whether some commit of the tag's release line reached master by history: the tag's
/// first-parent chain, followed down to what master has, meets master somewhere other
/// than on master's own first-parent chain (a merge of the release branch, say, before
/// QA's last fix was tagged).
fn release_line_reached_master(repo: &Repo, tag: &ObjectId, master: &ObjectId) -> Result<bool> {
    let line = repo.walk(
        std::slice::from_ref(tag),
        std::slice::from_ref(master),
        true,
    )?;
    let Some(last) = line.last() else {
        return Ok(true);
    };
    let Some(meet) = last.parents.first() else {
        return Ok(false);
    };
    // Is `meet` on master's first-parent chain? Walk that chain down to it.
    let chain = repo.walk(
        std::slice::from_ref(master),
        std::slice::from_ref(meet),
        true,
    )?;
    let on_chain = match chain.last() {
        None => master == meet,
        Some(oldest) => oldest.parents.first() == Some(meet),
    };
    Ok(!on_chain)
}

/// The first commit on the production branch's first-parent chain that contains the
/// tag: the merge that brought it in, or the tag itself after a fast-forward.
fn integration_point(repo: &Repo, tag: &ObjectId, master: &ObjectId) -> Result<ObjectId> {
    let mut point = master.clone();
    for commit in repo.walk(
        std::slice::from_ref(master),
        std::slice::from_ref(tag),
        true,
    )? {
        if repo.is_ancestor(tag, &commit.id)? {
            point = commit.id;
        } else {
            return Ok(point);
        }
    }
    // The chain reached the tag itself: a fast-forward (or the tag is the tip).
    let first_parent_reaches_tag = repo.is_ancestor(tag, &point)?;
    Ok(
        if first_parent_reaches_tag && point != *tag && !is_merge_of(repo, &point, tag)? {
            tag.clone()
        } else {
            point
        },
    )
}

/// Whether `commit` is a merge with `tag` reachable through a non-first parent.
fn is_merge_of(repo: &Repo, commit: &ObjectId, tag: &ObjectId) -> Result<bool> {
    let info = repo.commit_info(commit)?;
    for parent in info.parents.iter().skip(1) {
        if repo.is_ancestor(tag, parent)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn finding(
    repo: &Repo,
    kind: Kind,
    severity: Severity,
    commit: &ObjectId,
    judged_at: &ObjectId,
    merge: Option<CommitInfo>,
) -> Result<Finding> {
    let files = repo.missing_lines(commit, judged_at)?;
    let mut key = format!("{kind:?}:{commit}");
    for file in &files {
        key.push(':');
        key.push_str(&file.path);
    }
    Ok(Finding {
        id: stable_id(&key),
        severity,
        kind,
        commit: repo.commit_info(commit)?,
        files,
        merge,
    })
}

/// FNV-1a, 64 bits, as 12 hex digits: short, and the same on every machine and version.
fn stable_id(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")[..12].to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_stable() {
        assert_eq!(
            super::stable_id("TagChangeMissing:abc:src/a.rs"),
            super::stable_id("TagChangeMissing:abc:src/a.rs")
        );
        assert_eq!(super::stable_id(""), "cbf29ce48422");
    }
}
