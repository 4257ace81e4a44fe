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
//! integration but gone from the tip later (INFO: a revert or a rewrite; REVIEW when a
//! later commit that is no revert put the pre-release lines back), and a tag not
//! merged at all (its own verdict; a tag squashed into master counts as merged when its
//! changes are there); (e) a change the release branch carries that production reverted
//! before the release came in, the revert kept by the merge (REVIEW).

mod attribution;
mod changes;
mod classify;
mod cycle;
mod equivalent;
mod gate;
mod judge;
mod later;
mod pending;
mod reverts;
#[cfg(test)]
mod tests;

pub use gate::gate;
pub use judge::MAX_ALIGNED_LINES;

use serde::Serialize;

use crate::error::Result;
use crate::git::{CommitInfo, MissingLines, Repo};
use crate::oid::ObjectId;

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
    /// A change of the tag that was on production and that a later commit there, not a
    /// revert, put back to what production had before the release (a silent undo).
    UndoneLater,
    /// A merge of the cycle whose recorded result drops lines that re-merging its
    /// parents keeps.
    MergeDropped,
    /// A commit made on a release branch (an emergency fix, E1) that production does not
    /// have yet: merge it back (E4).
    ReleaseNotOnMaster,
    /// A change the release branch carries that production reverted before the release
    /// came in: the merge kept the revert (the change sits in the merge base), so what
    /// is released lacks it.
    RevertedOnMaster,
}

/// Why a merge's dropped lines have the severity they have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Merged cleanly, then gone from the result.
    CleanlyMerged,
    /// A conflict decision dropped one side's line.
    ConflictDecision,
    /// The other side of the conflict has the line too.
    Superseded,
    /// Only whitespace or line endings differ.
    Whitespace,
    /// The line stands elsewhere in the result.
    Moved,
    /// A conflict over a version line.
    VersionLine,
    /// The merge added lines and dropped none.
    AddedByMerge,
    /// A binary file changed on both sides, resolved to one.
    BinaryConflict,
    /// A binary file's change did not survive the merge.
    BinaryDropped,
    /// Modified on one side, deleted on the other.
    ModifyDelete,
    /// The merge deleted a file a parent changed.
    FileDropped,
    /// The merge deleted a file both parents have: a decision written by hand.
    DeletedInMerge,
    /// Dropped by a merge the release went through, and back in the tag: a later commit
    /// of the release restored it before it shipped.
    RepairedBeforeTag,
    /// Merged cleanly, and gone from a result the merge wrote itself (neither parent's
    /// version nor the base's): an adaptation by hand, for a reviewer to confirm.
    Rewritten,
    /// The line stands in the result rewritten (`old → new`), not restored to what the
    /// base or the other side had: a merge clean on it is REVIEW, a conflict INFO.
    Edited,
    /// A changelog, or a version file or line of a manifest: information.
    Changelog,
    /// A merge between development branches dropped lines that were not the release
    /// line's: reviewed where the branch was merged onto the release line.
    DevBranches,
    /// A generated file (`linguist-generated` in the tag's `.gitattributes`, or
    /// `[check_master] generated` in the config): rebuilt, not written by hand.
    Generated,
    /// A side deleted the file or the line, the automatic merge keeps it deleted, and
    /// the merge's result has it back: a deletion undone.
    BroughtBack,
    /// A conflict decision against lines whose commit the other side took under another
    /// id (a cherry-pick, the same patch id) and changed again since: superseded there.
    PickedThenChanged,
    /// A conflict (lines, modify/delete, binary) a development branch decided when it
    /// merged the release line in (a sync merge): the developer's decision, shown in the
    /// branch's reviewed merge onto the release line.
    DecidedOnBranch,
    /// A conflict side's line that the side left as the base had it, dropped for the
    /// other side's change or deletion of it: no side's work is lost.
    BaseLine,
    /// A file one side added, left out of a merge that took that side's other changes
    /// (git keeps a cleanly added file through any conflict resolution: removed on
    /// purpose), and the lines the same commit changed elsewhere: for a reviewer.
    LeftOut,
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
    /// For merge findings: why the severity.
    pub reason: Option<Reason>,
    /// For a release commit not yet on production: the release branch holding it.
    pub branch: Option<OnBranch>,
}

/// The release branch a commit production lacks is on (E4).
#[derive(Clone, Debug)]
pub struct OnBranch {
    /// As shown: `origin/release`, or `release` without a remote-tracking branch.
    pub name: String,
    /// Whether only direct commits follow it there, so that merging the branch brings
    /// nothing but emergency fixes (no reviewed merge of the next release).
    pub only_fixes_follow: bool,
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

/// How a check runs, beyond what it checks.
#[derive(Default)]
pub struct Options<'a> {
    /// Bounds the cycle further: findings before it are accepted.
    pub since: Option<&'a ObjectId>,
    /// Glob patterns of generated paths (the config's `[check_master] generated`).
    pub generated: &'a [crate::config::PathGlob],
    /// Told `(n, m)` before the n-th of the cycle's m merges is re-merged.
    pub progress: Option<&'a dyn Fn(usize, usize)>,
    /// Release branches `(shown name, tip)` whose own commits production should have
    /// (E4); empty: not asked.
    pub release: &'a [(String, ObjectId)],
    /// The plans directory (`plans.dir`): a release-branch commit that changes nothing
    /// outside it (a post-release record, which release takes after the tag) is no fix
    /// production lacks. Empty: every commit counts.
    pub plans: &'a str,
}

/// Checks `tag` (at `tag_commit`) against the production branch `master` (at
/// `master_commit`): bound the cycle, judge the tag's and production's own changes, re-merge
/// the cycle's merges, then weigh what was found.
pub fn check(
    repo: &Repo,
    tag: &str,
    tag_commit: &ObjectId,
    master: &str,
    master_commit: &ObjectId,
    options: &Options,
) -> Result<Report> {
    let cycle = cycle::Cycle::of(repo, tag_commit, tag, master_commit, options.since)?;
    let (mut findings, tag_changes) = changes::judge(repo, &cycle)?;
    findings.extend(reverts::judge(repo, &cycle)?);
    let candidates = cycle.merges(repo)?;
    let mut merged_findings = Vec::new();
    for (n, merge) in candidates.merges.iter().enumerate() {
        if let Some(progress) = options.progress {
            progress(n + 1, candidates.merges.len());
        }
        merged_findings.extend(judge::judge_merge(repo, merge, &candidates.mainline)?);
    }
    judge::repaired_before_tag(repo, tag_commit, &candidates.in_tag, &mut merged_findings)?;
    attribution::leave_to_merges(&mut findings, &merged_findings);
    findings.extend(merged_findings);
    findings.extend(pending::release_not_on_master(
        repo,
        options.release,
        master_commit,
        tag_commit,
        options.plans,
    )?);
    classify::generated(repo, tag_commit, options.generated, &mut findings)?;
    let merged = cycle.merged;
    let integration = cycle.integration;

    let worst = findings.iter().map(|f| f.severity).max();
    // Not merged by history may still be merged by content (a squash): the tag is "not
    // merged" only when none of its changes reached master.
    let tag_missing = findings
        .iter()
        .filter(|f| f.kind == Kind::TagChangeMissing)
        .count();
    let never_integrated =
        !merged && !cycle::release_line_reached_master(repo, tag_commit, master_commit)?;
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
