//! The cycle's own commits, judged by their change: (a) the tag's changes missing from
//! the integration result (LOST), or present there and gone from production's tip since
//! (INFO for a revert or a rewrite, REVIEW for a silent undo); (b) production's changes
//! the tag lacks (LOST: deploying the tag would undo them).

use std::collections::HashSet;

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

use super::attribution::finding;
use super::cycle::Cycle;
use super::{Finding, Kind, Severity};

/// The findings of (a) and (b), and how many changes the tag has of its own.
pub(super) fn judge(repo: &Repo, cycle: &Cycle) -> Result<(Vec<Finding>, usize)> {
    let mut findings = Vec::new();
    let mut tag_changes = 0;
    let Some(before) = &cycle.before else {
        return Ok((findings, tag_changes));
    };
    let judged_at = cycle.judged_at();
    // (a) The tag's own changes, at the integration result.
    let mut hide = vec![before.clone()];
    hide.extend(cycle.since.into_iter().cloned());
    let own = repo.walk(std::slice::from_ref(cycle.tag), &hide, false)?;
    let release: HashSet<&ObjectId> = own.iter().map(|c| &c.id).collect();
    for commit in &own {
        if commit.is_merge() || commit.parents.is_empty() {
            continue;
        }
        tag_changes += 1;
        // Where the integration has the tag's version of every file the commit changed,
        // the change is there exactly when the tag still has it: nothing to report,
        // unless production moved on since (then whether it is there still matters).
        if (!cycle.merged || judged_at == cycle.master)
            && repo.same_versions(&commit.id, judged_at, cycle.tag)?
        {
            continue;
        }
        if repo.change_present(&commit.id, judged_at)? {
            if cycle.merged
                && judged_at != cycle.master
                && !repo.change_present(&commit.id, cycle.master)?
            {
                // Who took it away: a revert or a rewrite is information; a commit
                // that silently puts the pre-release lines back is not.
                let by = super::later::later_change(repo, &commit.id, judged_at, cycle.master)?;
                let undone = match &by {
                    Some(by) => {
                        repo.undo_present(&commit.id, by)?
                            && !super::later::explicit_revert(&repo.commit_message(by)?, &release)
                    }
                    None => false,
                };
                let (kind, severity) = if undone {
                    (Kind::UndoneLater, Severity::Review)
                } else {
                    (Kind::ChangedLater, Severity::Info)
                };
                let by = by.map(|by| repo.commit_info(&by)).transpose()?;
                findings.push(finding(repo, kind, severity, &commit.id, cycle.master, by)?);
            }
            continue;
        }
        // A change the release itself reverted before it was tagged is not the tag's.
        if !repo.change_present(&commit.id, cycle.tag)? {
            continue;
        }
        let merge = cycle.integration.clone().filter(|i| i.parents.len() > 1);
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
    let mut hide_extra: Vec<ObjectId> = cycle.since.into_iter().cloned().collect();
    hide_extra.extend(cycle.sides.iter().cloned());
    hide_extra.extend(cycle.previous.iter().cloned());
    for commit in repo.walk(std::slice::from_ref(before), &hide_extra, false)? {
        if commit.is_merge() || commit.parents.is_empty() {
            continue;
        }
        if !repo.change_present(&commit.id, cycle.tag)? {
            findings.push(finding(
                repo,
                Kind::HotfixMissingFromTag,
                Severity::Lost,
                &commit.id,
                cycle.tag,
                None,
            )?);
        }
    }
    Ok((findings, tag_changes))
}
