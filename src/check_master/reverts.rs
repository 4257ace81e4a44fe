//! Production's reverts that won the release's merge. A change production had, reverted
//! there before the release came in, that the release branch carries (merged into the
//! release line again, say, after a fix merged into master by mistake was reverted
//! there): the change sits in the merge base, so git's merge keeps the revert without a
//! conflict and the released tree lacks a change its release branch had. Nothing was
//! dropped by any merge; production and the release disagree, and git decided silently.

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

use super::attribution::finding;
use super::cycle::Cycle;
use super::{Finding, Kind, Severity};

/// How many commits below a revert are searched for the commit its subject names.
const MAX_SEARCHED: usize = 500;

/// REVIEW findings for the changes the release branch carries that a revert of
/// production's, made before the release came in, kept out of the integration merge.
/// Only where the tag holds the revert (the tag sits on the merge, as git-flow tags it):
/// a tag without it is told that it lacks a production change (`HotfixMissingFromTag`).
pub(super) fn judge(repo: &Repo, cycle: &Cycle) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let Some(integration) = &cycle.integration else {
        return Ok(findings);
    };
    if !cycle.merged || integration.parents.len() < 2 {
        return Ok(findings);
    }
    // Production's own commits of the cycle: what the release lacks.
    for commit in cycle.production(repo)? {
        if commit.is_merge() || commit.parents.is_empty() {
            continue;
        }
        // Cheap questions first: a revert names what it reverts in its subject.
        let message = repo.commit_message(&commit.id)?;
        if !message.starts_with("Revert \"") && !message.contains("This reverts commit ") {
            continue;
        }
        if !repo.change_present(&commit.id, cycle.tag)? {
            continue;
        }
        let Some(reverted) = reverted_commit(repo, &commit.id, &message)? else {
            continue;
        };
        if repo.change_present(&reverted, &integration.id)? {
            continue;
        }
        // The release carries the change: it has the commit and has not undone it
        // (changed again since, perhaps: then a cherry-pick of it would not apply clean).
        let mut carried = false;
        for side in &cycle.sides {
            carried |= repo.is_ancestor(&reverted, side)? && !repo.undo_present(&reverted, side)?;
        }
        if carried {
            let by = repo.commit_info(&commit.id)?;
            findings.push(finding(
                repo,
                Kind::RevertedOnMaster,
                Severity::Review,
                &reverted,
                &integration.id,
                Some(by),
            )?);
        }
    }
    Ok(findings)
}

/// The commit `revert` undoes, as its message names it: git's `This reverts commit
/// <id>.`, else a subject `Revert "<subject>"` (GitHub's revert button may leave the
/// body out) matched against the commits below it, newest first. Only a commit whose
/// change `revert` really undoes counts.
fn reverted_commit(repo: &Repo, revert: &ObjectId, message: &str) -> Result<Option<ObjectId>> {
    for id in super::later::reverts_named(message) {
        if !super::later::names_a_commit(id) {
            continue;
        }
        let Ok(reverted) = repo.resolve(id) else {
            continue;
        };
        if undoes(repo, revert, &reverted)? {
            return Ok(Some(reverted));
        }
    }
    let subject = message.lines().next().unwrap_or("");
    let Some(named) = subject
        .strip_prefix("Revert \"")
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return Ok(None);
    };
    let info = repo.commit_info(revert)?;
    let Some(parent) = info.parents.first() else {
        return Ok(None);
    };
    // GitHub cuts a long title short with `…` in its revert's subject.
    let (named, cut) = match named
        .strip_suffix('…')
        .or_else(|| named.strip_suffix("..."))
    {
        Some(start) => (start, true),
        None => (named, false),
    };
    let wanted = |id: &ObjectId| {
        repo.commit_message(id).is_ok_and(|m| {
            let subject = m.lines().next().unwrap_or("");
            subject == named || cut && subject.starts_with(named)
        })
    };
    for candidate in repo.newest_matching(parent, &wanted, 1, MAX_SEARCHED)? {
        if undoes(repo, revert, &candidate)? {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// Whether `revert` undoes the change `reverted` made: its parent has the change, and
/// it does not (its files back to what they were before `reverted`).
fn undoes(repo: &Repo, revert: &ObjectId, reverted: &ObjectId) -> Result<bool> {
    if reverted == revert {
        return Ok(false);
    }
    let info = repo.commit_info(revert)?;
    let Some(parent) = info.parents.first() else {
        return Ok(false);
    };
    Ok(repo.change_present(reverted, parent)? && repo.undo_present(reverted, revert)?)
}
