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
use super::equivalent::Twins;
use super::{Finding, Kind, Reason, Severity};

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
    hide.extend(cycle.earlier.iter().cloned());
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
        let mut missing = finding(
            repo,
            Kind::TagChangeMissing,
            Severity::Lost,
            &commit.id,
            judged_at,
            merge,
        )?;
        if let Some(forward) = merged_forward(repo, cycle, &commit.id, &missing)? {
            // The release line was merged forward into the line production took, and
            // that merge superseded the change (a conflict resolved for the newer line's
            // own version): judged with that line's release, information here.
            missing.severity = Severity::Info;
            missing.reason = Some(Reason::Superseded);
            missing.merge = Some(repo.commit_info(&forward)?);
        }
        findings.push(missing);
    }
    // (b) Production's changes the tag lacks: deploying the tag would undo them.
    // What production took: the tag, or, when the tag came in inside a later line (a
    // beta or an older line's tag merged with the release after it), that line: a hotfix
    // the old tag lacks and the line production took has was not undone by anything.
    let took: Vec<ObjectId> = match &cycle.integration {
        Some(i)
            if i.parents.len() > 1 && i.id != *cycle.tag && !i.parents[1..].contains(cycle.tag) =>
        {
            i.parents[1..].to_vec()
        }
        _ => vec![cycle.tag.clone()],
    };
    // The line production took, by patch id: a hotfix cherry-picked into the release and
    // changed there again before the tag was taken, then superseded by the release.
    let taken = Twins::new(repo, took.clone(), vec![before.clone()]);
    let production = cycle.production(repo)?;
    for (at, commit) in production.iter().enumerate() {
        if commit.is_merge() || commit.parents.is_empty() {
            continue;
        }
        let mut present = false;
        for t in &took {
            if repo.change_present(&commit.id, t)? {
                present = true;
                break;
            }
        }
        // Production itself changed those lines again before the release came in (a
        // later fix on the same line): deploying the tag cannot undo what production no
        // longer had; the later commit is judged on its own.
        if !present && !repo.change_present(&commit.id, before)? {
            present = true;
        }
        if !present
            && taken.of(&commit.id)?.is_some()
            && !repo.undo_present(&commit.id, cycle.tag)?
        {
            present = true;
        }
        // A copy production took of a release commit (`git cherry-pick -x`), the
        // original in the line production took: the release holds it, in whatever form
        // it has since (moved, rewritten), unless it undid it.
        if !present && picked_from_release(repo, &commit.id, &took)? {
            present = true;
        }
        // Production rolling back its own early copy of the release's change (pushed
        // to master by accident, then rolled back): production's net change is none,
        // and the tag carrying the change is the release's, not an undoing.
        if !present && rolls_back_release_change(repo, cycle, commit, &production[at + 1..])? {
            present = true;
        }
        if !present {
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

/// Whether production's `commit` says it is a copy of a commit (`git cherry-pick -x`:
/// "(cherry picked from commit <id>)") that a line of `took` has and has not undone.
fn picked_from_release(repo: &Repo, commit: &ObjectId, took: &[ObjectId]) -> Result<bool> {
    let message = repo.commit_message(commit)?;
    for rest in message.split("(cherry picked from commit ").skip(1) {
        let id = rest.split(')').next().unwrap_or("").trim();
        if !super::later::names_a_commit(id) {
            continue;
        }
        let Ok(original) = repo.resolve(id) else {
            continue;
        };
        for line in took {
            if repo.is_ancestor(&original, line)? && !repo.undo_present(&original, line)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// How many of production's older commits `rolls_back_release_change` compares with.
const MAX_ROLLED_BACK: usize = 200;

/// Whether production's `commit` puts back, in every file it changes, what was there
/// before an older production commit of the cycle (`older`, newest first) changed it,
/// and right after that commit (nothing else touched them), where the release carries
/// that older commit's change by its own commits: the release side has the change but
/// not the commit. (A release that took the older commit from production, a hotfix
/// merged back into development and then reverted on production, would bring back what
/// production reverted: that stays a production change the tag lacks.)
fn rolls_back_release_change(
    repo: &Repo,
    cycle: &Cycle,
    commit: &crate::policy::Commit,
    older: &[crate::policy::Commit],
) -> Result<bool> {
    let Some(parent) = commit.parents.first() else {
        return Ok(false);
    };
    for early in older
        .iter()
        .filter(|c| !c.is_merge() && c.parents.len() == 1)
        .take(MAX_ROLLED_BACK)
    {
        if !repo.same_versions(&commit.id, &commit.id, &early.parents[0])?
            || !repo.same_versions(&commit.id, parent, &early.id)?
        {
            continue;
        }
        for side in &cycle.sides {
            if repo.change_present(&early.id, side)? && !repo.is_ancestor(&early.id, side)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// How many commits of the line production took `merged_forward` looks at (mopidy's v3
/// line rewrote a pre-release's change 338 commits after it).
const MAX_FORWARD_EXAMINED: usize = 1_000;

/// When the tag reached production inside another line (its release branch merged
/// forward, X.y into X+1.y, and production merged X+1.y): the merge on that line that
/// brought `commit` in and superseded its lines, if one did. Superseded means each line
/// the change misses at the integration was dropped there by a conflict decision, for
/// the other side's own version, or rewritten; lines that merged cleanly and vanished
/// stay a loss.
fn merged_forward(
    repo: &Repo,
    cycle: &Cycle,
    commit: &ObjectId,
    missing: &Finding,
) -> Result<Option<ObjectId>> {
    let (Some(integration), Some(before)) = (&cycle.integration, &cycle.before) else {
        return Ok(None);
    };
    for side in integration.parents.iter().skip(1) {
        if side == cycle.tag
            || !repo.is_ancestor(cycle.tag, side)?
            || repo.change_present(commit, side)?
        {
            continue;
        }
        // Oldest first: the commit on the other line that took the change away, after
        // the merge that brought it in.
        let line = repo.walk(
            std::slice::from_ref(side),
            std::slice::from_ref(before),
            false,
        )?;
        // The commits of that line that contain `commit`, in one pass oldest first (a
        // commit contains it when a parent does), not one ancestry question per commit.
        let on_line: HashSet<&ObjectId> = line.iter().map(|c| &c.id).collect();
        let mut holding: HashSet<ObjectId> = HashSet::new();
        holding.insert(commit.clone());
        // A parent below the line (production's before) holds it only if production did.
        let below = repo.is_ancestor(commit, before)?;
        for c in line.iter().rev() {
            let mut holds = false;
            for p in &c.parents {
                holds |= holding.contains(p)
                    || below && !on_line.contains(p) && repo.is_ancestor(commit, p)?;
                if holds {
                    break;
                }
            }
            if holds {
                holding.insert(c.id.clone());
            }
        }
        let contains = |id: &ObjectId| holding.contains(id);
        let mut examined = 0;
        for c in line.iter().rev() {
            let Some(first) = c.parents.first() else {
                continue;
            };
            if !holding.contains(&c.id) || c.id == *commit {
                continue;
            }
            // Bounded: a line of thousands of commits is not searched for ever; what is
            // not found stays LOST.
            examined += 1;
            if examined > MAX_FORWARD_EXAMINED {
                return Ok(None);
            }
            if repo.change_present(commit, &c.id)? {
                continue;
            }
            // Had it before this commit (on its first parent, or on the parent that
            // brought it in)?
            let mut had = false;
            for p in &c.parents {
                if contains(p) && repo.change_present(commit, p)? {
                    had = true;
                    break;
                }
            }
            if !had {
                continue;
            }
            if !c.is_merge() {
                // A commit of the newer line rewrote it: superseded there, unless it put
                // back what was there before (a silent undo stays for a reviewer).
                return Ok((!repo.undo_present(commit, &c.id)?
                    || repo.change_present(commit, first)?)
                .then(|| c.id.clone()));
            }
            let own: HashSet<ObjectId> = std::iter::once(c.id.clone()).collect();
            let judged = super::judge::judge_merge(repo, &c.id, &own)?;
            let superseded = |path: &str, line: &str| {
                judged.iter().any(|f| {
                    f.files.iter().any(|file| {
                        file.path == path
                            && file
                                .lines
                                .iter()
                                .any(|l| l == line || l.split(" → ").next() == Some(line))
                    }) && matches!(
                        f.reason,
                        Some(
                            Reason::ConflictDecision
                                | Reason::Superseded
                                | Reason::Edited
                                | Reason::Whitespace
                                | Reason::Moved
                                | Reason::VersionLine
                        )
                    )
                })
            };
            let all = !missing.files.is_empty()
                && missing.files.iter().all(|file| {
                    !file.binary
                        && file
                            .lines
                            .iter()
                            .all(|line| line.trim().is_empty() || superseded(&file.path, line))
                });
            return Ok(all.then(|| c.id.clone()));
        }
    }
    Ok(None)
}
