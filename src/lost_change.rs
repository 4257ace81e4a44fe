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
//! changes are there).

use std::collections::{HashMap, HashSet, VecDeque};

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
    /// A change of the tag that was on production and that a later commit there, not a
    /// revert, put back to what production had before the release (a silent undo).
    UndoneLater,
    /// A merge of the cycle whose recorded result drops lines that re-merging its
    /// parents keeps.
    MergeDropped,
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
}

/// Checks `tag` (at `tag_commit`) against the production branch `master` (at
/// `master_commit`).
pub fn check(
    repo: &Repo,
    tag: &str,
    tag_commit: &ObjectId,
    master: &str,
    master_commit: &ObjectId,
    options: &Options,
) -> Result<Report> {
    let since = options.since;
    let merged = repo.is_ancestor(tag_commit, master_commit)?;
    let mut hide_extra: Vec<ObjectId> = since.into_iter().cloned().collect();
    // The shapes a release takes on its way to master: `before` is production as it was
    // before the release came in, `sides` what the integration merged into it.
    let (integration, before, sides) = if merged {
        let point = integration_point(repo, tag_commit, master_commit)?;
        let info = repo.commit_info(&point)?;
        if point != *tag_commit {
            let before = info.parents.first().cloned();
            (Some(info), before, vec![tag_commit.clone()])
        } else if info.parents.len() > 1 {
            // The tag sits on master's merge that brought its release in (git-flow's
            // `finish` tags that merge): the merge is the integration.
            let before = info.parents.first().cloned();
            let sides = info.parents[1..].to_vec();
            (Some(info), before, sides)
        } else {
            // Fast-forwarded, or tagged on master after the merge: nothing was merged
            // at the tag itself; the cycle's merges below are still judged.
            (Some(info), None, Vec::new())
        }
    } else {
        (None, Some(master_commit.clone()), vec![tag_commit.clone()])
    };
    // Where the previous release reached master: nothing before it is this cycle's.
    let below = before.clone().unwrap_or_else(|| tag_commit.clone());
    let previous = match since {
        Some(_) => Vec::new(),
        None => previous_releases(repo, tag_commit, &below)?,
    };
    let mut findings = Vec::new();
    let mut tag_changes = 0;

    if let Some(before) = &before {
        let judged_at = integration.as_ref().map_or(master_commit, |i| &i.id);
        // (a) The tag's own changes, at the integration result.
        let mut hide = vec![before.clone()];
        hide.append(&mut hide_extra.clone());
        let own = repo.walk(std::slice::from_ref(tag_commit), &hide, false)?;
        let release: HashSet<&ObjectId> = own.iter().map(|c| &c.id).collect();
        for commit in &own {
            if commit.is_merge() || commit.parents.is_empty() {
                continue;
            }
            tag_changes += 1;
            if repo.change_present(&commit.id, judged_at)? {
                if merged
                    && judged_at != master_commit
                    && !repo.change_present(&commit.id, master_commit)?
                {
                    // Who took it away: a revert or a rewrite is information; a commit
                    // that silently puts the pre-release lines back is not.
                    let by = later_change(repo, &commit.id, judged_at, master_commit)?;
                    let undone = match &by {
                        Some(by) => {
                            repo.undo_present(&commit.id, by)?
                                && !explicit_revert(&repo.commit_message(by)?, &release)
                        }
                        None => false,
                    };
                    let (kind, severity) = if undone {
                        (Kind::UndoneLater, Severity::Review)
                    } else {
                        (Kind::ChangedLater, Severity::Info)
                    };
                    let by = by.map(|by| repo.commit_info(&by)).transpose()?;
                    findings.push(finding(
                        repo,
                        kind,
                        severity,
                        &commit.id,
                        master_commit,
                        by,
                    )?);
                }
                continue;
            }
            // A change the release itself reverted before it was tagged is not the tag's.
            if !repo.change_present(&commit.id, tag_commit)? {
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
        hide_extra.extend(sides.iter().cloned());
        hide_extra.extend(previous.iter().cloned());
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

    // (c) Every merge of the cycle, re-merged.
    let fork = match &before {
        Some(before) => repo.merge_base(tag_commit, before)?,
        None => None,
    };
    // The cycle starts where the release line left master and after the previous
    // release reached it, or at `since` when given (which may reach further back: every
    // merge after it is judged). It ends where the tag reached master: later merges are
    // later cycles'.
    let hide: Vec<ObjectId> = match since {
        Some(since) => vec![since.clone()],
        None => fork.into_iter().chain(previous.iter().cloned()).collect(),
    };
    let end = integration.as_ref().map_or(master_commit, |i| &i.id);
    // The release line and production: the first-parent chains of the tag, of what the
    // integration merged, and of production. A merge off them is a merge between
    // development branches, whose result reached the release line through a reviewed
    // merge (where its drops show in the diff) and whose loss of the tag's lines (a)
    // still catches.
    // (Production's chain, and what each of its merges merged: the release branches.)
    let mut tips = vec![tag_commit.clone()];
    tips.extend(sides.iter().cloned());
    for commit in repo.walk(std::slice::from_ref(end), &hide, true)? {
        tips.extend(commit.parents.iter().skip(1).cloned());
        tips.push(commit.id);
    }
    let mainline: HashSet<ObjectId> = repo
        .walk(&tips, &hide, true)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut merged_findings = Vec::new();
    let merges: Vec<ObjectId> = repo
        .walk(&[end.clone(), tag_commit.clone()], &hide, false)?
        .into_iter()
        .filter(|c| c.is_merge())
        .map(|c| c.id)
        .collect();
    for (n, merge) in merges.iter().enumerate() {
        if let Some(progress) = options.progress {
            progress(n + 1, merges.len());
        }
        merged_findings.extend(judge_merge(repo, merge, &mainline)?);
    }
    // A tag change that a merge finding explains precisely is reported there only:
    // lines it names, and files it judged as a whole.
    // (Sets, not scans: a hostile merge may drop tens of thousands of lines.)
    let merged_files = || {
        merged_findings
            .iter()
            .filter(|m| m.reason != Some(Reason::DevBranches))
            .flat_map(|m| m.files.iter())
    };
    let whole: HashSet<&str> = merged_files()
        .filter(|mf| mf.binary)
        .map(|mf| mf.path.as_str())
        .collect();
    let explained: HashSet<(&str, &str)> = merged_files()
        .flat_map(|mf| mf.lines.iter().map(|l| (mf.path.as_str(), l.as_str())))
        .collect();
    for finding in findings
        .iter_mut()
        .filter(|f| f.kind == Kind::TagChangeMissing)
    {
        finding
            .files
            .retain(|file| !whole.contains(file.path.as_str()));
        for file in finding.files.iter_mut() {
            let before = file.lines.len();
            let path = file.path.as_str();
            file.lines
                .retain(|line| !explained.contains(&(path, line.as_str())));
            if file.lines.len() != before {
                // The first line moved to a merge finding: its number no longer applies.
                file.at = None;
            }
        }
        finding.files.retain(|f| f.binary || !f.lines.is_empty());
    }
    findings.retain(|f| f.kind != Kind::TagChangeMissing || !f.files.is_empty());
    findings.extend(merged_findings);
    // Generated files are rebuilt, not written: what differs in them is information.
    let generated = Generated::at(repo, tag_commit, options.generated)?;
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

/// How many release tags `previous_releases` tries, newest version first, before it gives
/// up bounding the cycle (a repository with thousands of tags stays cheap).
const MAX_TAGS_TRIED: usize = 64;

/// Where the releases before this one reached production, as far as `below` (production
/// before this release came in) has them: the three newest by version (so a release branch
/// merged forward, X.y into X+1.y, is bounded by X+1's releases too), each with the commit
/// on production's first-parent chain that brought it in. Hiding these bounds the cycle:
/// what a previous release brought was judged with that release. Tags are releases by
/// name (a version in it), not by the configured pattern: a bound needs no policy.
fn previous_releases(
    repo: &Repo,
    tag_commit: &ObjectId,
    below: &ObjectId,
) -> Result<Vec<ObjectId>> {
    let tagged = repo.tagged_commits(&|t| release_version(t).is_some())?;
    let mut tags: Vec<(Vec<u64>, ObjectId)> = tagged
        .into_iter()
        .filter(|(commit, _)| commit != tag_commit)
        .filter_map(|(commit, names)| {
            let version = names.iter().filter_map(|n| release_version(n)).max()?;
            Some((version, commit))
        })
        .collect();
    tags.sort_by(|a, b| b.cmp(a));
    let mut found: Vec<ObjectId> = Vec::new();
    for (_, commit) in tags.into_iter().take(MAX_TAGS_TRIED) {
        if found.len() >= 3 {
            break;
        }
        if repo.is_ancestor(&commit, below)? {
            found.push(commit);
        }
    }
    let mut bounds = found.clone();
    for commit in &found {
        let point = integration_point(repo, commit, below)?;
        if !bounds.contains(&point) {
            bounds.push(point);
        }
    }
    Ok(bounds)
}

/// The version a release tag names (`v1.2.3`, `1.2`, `release-2.0.1-rc1`: its leading
/// dotted numbers), for ordering releases; `None` for a tag that names no version.
fn release_version(name: &str) -> Option<Vec<u64>> {
    let rest = name.trim_start_matches(|c: char| !c.is_ascii_digit());
    if name.len() - rest.len() > 16 {
        return None;
    }
    let mut parts = Vec::new();
    for part in rest.split('.') {
        let digits = part.len() - part.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            break;
        }
        parts.push(part[..digits].parse().ok()?);
        if digits != part.len() {
            break;
        }
    }
    (parts.len() >= 2).then_some(parts)
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
    let mut next = None;
    for commit in repo.walk(
        std::slice::from_ref(master),
        std::slice::from_ref(tag),
        true,
    )? {
        if repo.is_ancestor(tag, &commit.id)? {
            next = commit.parents.first().cloned();
            point = commit.id;
        } else {
            return Ok(point);
        }
    }
    // The chain runs through the tag itself: master had it before any merge since (the
    // merges after it, even one whose other side branched from the tag, merged others).
    if master == tag || next.as_ref() == Some(tag) {
        return Ok(tag.clone());
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

/// The commit on production after the integration (up to `master`) that took away the
/// change `commit` made: the oldest one whose parent has the change and that lacks it.
/// `None` when no single commit did (a merge dropped it, say).
fn later_change(
    repo: &Repo,
    commit: &ObjectId,
    integration: &ObjectId,
    master: &ObjectId,
) -> Result<Option<ObjectId>> {
    let later = repo.walk(
        std::slice::from_ref(master),
        std::slice::from_ref(integration),
        false,
    )?;
    // Oldest first: the walk lists children before their parents.
    for c in later.iter().rev() {
        let [parent] = c.parents.as_slice() else {
            continue;
        };
        if repo.change_present(commit, parent)? && !repo.change_present(commit, &c.id)? {
            return Ok(Some(c.id.clone()));
        }
    }
    Ok(None)
}

/// Whether a commit's message says it is a revert of the release: git's
/// `This reverts commit <id>.` naming one of the release's commits, or, without such a
/// line, a subject `Revert "…"`. A line naming some other commit is not the release's
/// revert.
fn explicit_revert(message: &str, release: &HashSet<&ObjectId>) -> bool {
    let named: Vec<&str> = message
        .lines()
        .filter_map(|l| l.trim().strip_prefix("This reverts commit "))
        .map(|rest| rest.trim_end_matches(['.', ',']).trim())
        .map(|rest| rest.split_whitespace().next().unwrap_or(""))
        .collect();
    if named.is_empty() {
        return message.starts_with("Revert \"");
    }
    named.iter().any(|id| {
        id.len() >= 7
            && id.bytes().all(|b| b.is_ascii_hexdigit())
            && release
                .iter()
                .any(|c| c.to_string().starts_with(&id.to_ascii_lowercase()))
    })
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
    // Whitespace, line endings, changelogs and version lines are information, not loss.
    let benign = !files.is_empty()
        && files.iter().all(|f| {
            !f.binary
                && (f.whitespace_only
                    || is_changelog(&f.path)
                    || f.lines
                        .iter()
                        .all(|l| l.to_ascii_lowercase().contains("version")))
        });
    let severity = if benign { Severity::Info } else { severity };
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
        reason: None,
    })
}

/// Where a line of a re-merged file came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Region {
    Clean,
    Ours,
    Theirs,
}

/// The re-merged text's lines, each with its region; conflict markers removed.
fn regions(auto: &str) -> Vec<(&str, Region)> {
    let mut out = Vec::new();
    let mut region = Region::Clean;
    for line in auto.lines() {
        if line.starts_with("<<<<<<<") {
            region = Region::Ours;
        } else if line.starts_with("=======") && region == Region::Ours {
            region = Region::Theirs;
        } else if line.starts_with(">>>>>>>") && region == Region::Theirs {
            region = Region::Clean;
        } else {
            out.push((line, region));
        }
    }
    out
}

/// For each line of `merged`: whether it lines up with a line that `side` inserted
/// relative to `base`.
fn provenance(base: Option<&str>, side: Option<&str>, merged: &[&str]) -> Vec<bool> {
    let mut out = vec![false; merged.len()];
    let Some(side) = side else {
        return out;
    };
    let base_lines: Vec<&str> = base.unwrap_or_default().lines().collect();
    let side_lines: Vec<&str> = side.lines().collect();
    let mut inserted = vec![true; side_lines.len()];
    for (_, new) in align(&base_lines, &side_lines) {
        inserted[new] = false;
    }
    for (old, new) in align(&side_lines, merged) {
        out[new] = inserted[old];
    }
    out
}

/// The most lines the middle of two texts (what is left once their common first and
/// last lines are set aside) may have for an exact alignment: Myers' diff costs up to
/// the square of it, and a hostile merge (a 60 000-line file rewritten on one side)
/// would otherwise take minutes.
pub const MAX_ALIGNED_LINES: usize = 4_000;

/// Pairs of (index in `old`, index in `new`) of the lines the two texts share. Exact
/// (a longest alignment, by Myers) when the middle is at most `MAX_ALIGNED_LINES`;
/// beyond that, each line of the middle of `old` is paired with the first unpaired equal
/// line of `new`, in linear time. Both agree on what matters for a loss: a line `new`
/// lacks (or has fewer copies of) is unpaired either way; only which copy of a repeated
/// line is paired, and so moves, may differ. Deterministic, so client and server judge
/// alike, whatever the machine's speed.
fn align(old: &[&str], new: &[&str]) -> Vec<(usize, usize)> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|i| (i, i)).collect();
    if old_mid.len() + new_mid.len() <= MAX_ALIGNED_LINES {
        for op in similar::capture_diff_slices(similar::Algorithm::Myers, old_mid, new_mid) {
            if let similar::DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = op
            {
                pairs.extend((0..len).map(|k| (prefix + old_index + k, prefix + new_index + k)));
            }
        }
    } else {
        let mut unpaired: HashMap<&str, VecDeque<usize>> = HashMap::new();
        for (j, line) in new_mid.iter().enumerate() {
            unpaired.entry(line).or_default().push_back(j);
        }
        for (i, line) in old_mid.iter().enumerate() {
            if let Some(j) = unpaired.get_mut(line).and_then(VecDeque::pop_front) {
                pairs.push((prefix + i, prefix + j));
            }
        }
    }
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    pairs.extend((0..suffix).map(|k| (old_end + k, new_end + k)));
    pairs
}

/// What one merge dropped, judged path by path.
fn judge_merge(
    repo: &Repo,
    merge: &ObjectId,
    mainline: &HashSet<ObjectId>,
) -> Result<Vec<Finding>> {
    let info = repo.commit_info(merge)?;
    let mut out = Vec::new();
    for r in repo.remerge(merge)? {
        // (severity, reason, side tip, lines)
        // (severity, reason, side tip, first line number, lines)
        // (severity, reason, side tip, lines)
        type Group = (Severity, Reason, Option<ObjectId>, Vec<String>);
        let mut groups: Vec<Group> = Vec::new();
        let mut add =
            |severity: Severity, reason: Reason, side: Option<ObjectId>, line: Option<String>| {
                match groups
                    .iter_mut()
                    .find(|g| g.0 == severity && g.1 == reason && g.2 == side)
                {
                    Some(group) => group.3.extend(line),
                    None => groups.push((severity, reason, side, line.into_iter().collect())),
                }
            };
        let ours_side = Some(r.first_parent.clone());
        let theirs_side = Some(r.other_parent.clone());
        if r.auto.is_none() && !r.conflicted && r.result.is_some() {
            // One side deleted the file, the other left it alone: the automatic merge
            // deletes it, and the result has it back.
            let side = if r.ours.is_none() {
                ours_side.clone()
            } else {
                theirs_side.clone()
            };
            let lines = if r.binary {
                Vec::new()
            } else {
                r.result
                    .as_deref()
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect()
            };
            groups.push((Severity::Review, Reason::BroughtBack, side, lines));
        } else if r.binary || r.auto.is_none() {
            let changed = |v: &Option<String>| v != &r.base;
            let side = if changed(&r.theirs) {
                theirs_side.clone()
            } else {
                ours_side.clone()
            };
            let (severity, reason) = match (&r.ours, &r.theirs, &r.result) {
                (None, Some(_), _) | (Some(_), None, _)
                    if changed(&r.ours) && changed(&r.theirs) =>
                {
                    (Severity::Review, Reason::ModifyDelete)
                }
                (_, _, None) => (Severity::Lost, Reason::FileDropped),
                _ if r.binary && changed(&r.ours) && changed(&r.theirs) => {
                    (Severity::Review, Reason::BinaryConflict)
                }
                _ if r.binary => (Severity::Lost, Reason::BinaryDropped),
                _ => (Severity::Review, Reason::ModifyDelete),
            };
            add(severity, reason, side, None);
        } else {
            let auto = r.auto.as_deref().unwrap_or_default();
            let result = r.result.as_deref().unwrap_or_default();
            let auto_lines = regions(auto);
            let result_lines: Vec<&str> = result.lines().collect();
            let texts: Vec<&str> = auto_lines.iter().map(|(l, _)| *l).collect();
            let mut kept = vec![false; texts.len()];
            // Where each kept line stands in the result, and which lines of the result
            // no line of the re-merge lines up with (what the merge itself wrote).
            let mut kept_at: Vec<Option<usize>> = vec![None; texts.len()];
            let mut written = vec![true; result_lines.len()];
            for (old, new) in align(&texts, &result_lines) {
                kept[old] = true;
                kept_at[old] = Some(new);
                written[new] = false;
            }
            let dropped: Vec<(usize, &str, Region)> = (0..texts.len())
                .filter(|&i| !kept[i])
                .map(|i| (i, auto_lines[i].0, auto_lines[i].1))
                .collect();
            // Which side brought each line of the re-merge, by alignment: a line of the
            // re-merge that lines up with a line a side inserted (relative to the base)
            // came from that side. Repeated lines such as `}` are told apart by position.
            let from_ours = provenance(r.base.as_deref(), r.ours.as_deref(), &texts);
            let from_theirs = provenance(r.base.as_deref(), r.theirs.as_deref(), &texts);
            // Lookups by hashing: a hostile merge drops tens of thousands of lines.
            let lines_of = |text: &Option<String>| -> HashSet<String> {
                text.as_deref()
                    .map(|t| t.lines().map(str::to_string).collect())
                    .unwrap_or_default()
            };
            let (ours_lines, theirs_lines) = (lines_of(&r.ours), lines_of(&r.theirs));
            let in_result: HashSet<&str> = result_lines.iter().copied().collect();
            // Per trimmed line, the distinct ways the result writes it.
            let mut spellings: HashMap<&str, HashSet<&str>> = HashMap::new();
            for line in &result_lines {
                spellings.entry(line.trim()).or_default().insert(line);
            }
            let base_lines = lines_of(&r.base);
            let bookkeeping = is_changelog(&r.path);
            let manifest = is_manifest(&r.path);
            // For each line of the re-merge, the part of the result between its nearest
            // kept neighbours: where a rewrite of it would stand.
            let mut after = vec![0usize; texts.len()];
            let mut last = 0;
            for i in 0..texts.len() {
                after[i] = last;
                if let Some(j) = kept_at[i] {
                    last = j + 1;
                }
            }
            let mut before = vec![result_lines.len(); texts.len()];
            let mut next = result_lines.len();
            for i in (0..texts.len()).rev() {
                before[i] = next;
                if let Some(j) = kept_at[i] {
                    next = j;
                }
            }
            for (index, line, region) in &dropped {
                if line.trim().is_empty() {
                    continue;
                }
                let trimmed = line.trim();
                let side = match region {
                    Region::Ours => ours_side.clone(),
                    Region::Theirs => theirs_side.clone(),
                    Region::Clean if from_theirs[*index] => theirs_side.clone(),
                    Region::Clean if from_ours[*index] => ours_side.clone(),
                    Region::Clean => None,
                };
                let respelled = spellings
                    .get(trimmed)
                    .is_some_and(|s| s.iter().any(|l| l != line));
                let (severity, reason) = if respelled {
                    (Severity::Info, Reason::Whitespace)
                } else if in_result.contains(line) && trimmed.len() > 3 {
                    (Severity::Info, Reason::Moved)
                } else if *region == Region::Ours && theirs_lines.contains(*line)
                    || *region == Region::Theirs && ours_lines.contains(*line)
                {
                    (Severity::Info, Reason::Superseded)
                } else if *region != Region::Clean
                    && trimmed.to_ascii_lowercase().contains("version")
                {
                    (Severity::Info, Reason::VersionLine)
                } else if *region == Region::Clean {
                    (Severity::Lost, Reason::CleanlyMerged)
                } else {
                    (Severity::Review, Reason::ConflictDecision)
                };
                if severity > Severity::Info {
                    if bookkeeping || manifest && trimmed.to_ascii_lowercase().contains("version") {
                        add(
                            Severity::Info,
                            Reason::Changelog,
                            None,
                            Some(line.to_string()),
                        );
                        continue;
                    }
                    // A rewrite of the line: a similar line the merge wrote in its place
                    // that neither the base nor the other side had (restoring what they
                    // had is the loss this check is for).
                    let other_side = if side == theirs_side {
                        &ours_lines
                    } else {
                        &theirs_lines
                    };
                    let rewritten = (after[*index]..before[*index].max(after[*index]))
                        .filter(|&j| written[j])
                        .map(|j| result_lines[j])
                        .find(|new| {
                            !base_lines.contains(*new)
                                && !other_side.contains(*new)
                                && similar_line(trimmed, new.trim())
                        });
                    if let Some(new) = rewritten {
                        // Clean code rewritten by the merge still wants a look; a conflict
                        // resolved by writing a new line is how conflicts get resolved.
                        let severity = if *region == Region::Clean {
                            Severity::Review
                        } else {
                            Severity::Info
                        };
                        add(
                            severity,
                            Reason::Edited,
                            side,
                            Some(format!("{line} → {}", new.trim())),
                        );
                        continue;
                    }
                }
                add(severity, reason, side, Some(line.to_string()));
            }
            if dropped.is_empty() && result_lines.len() > texts.len() {
                // What the merge wrote that the base had and exactly one side deleted
                // (the automatic merge keeps it deleted): a deletion undone.
                let mut brought_back = false;
                for (j, line) in result_lines.iter().enumerate() {
                    let (in_ours, in_theirs) =
                        (ours_lines.contains(*line), theirs_lines.contains(*line));
                    if written[j]
                        && !line.trim().is_empty()
                        && base_lines.contains(*line)
                        && in_ours != in_theirs
                    {
                        let side = if in_ours {
                            theirs_side.clone()
                        } else {
                            ours_side.clone()
                        };
                        add(
                            Severity::Review,
                            Reason::BroughtBack,
                            side,
                            Some(line.to_string()),
                        );
                        brought_back = true;
                    }
                }
                if !brought_back {
                    add(Severity::Info, Reason::AddedByMerge, None, None);
                }
            }
        }
        for (mut severity, mut reason, side, lines) in groups {
            // A merge between development branches: only lines it took from the release
            // line (a sync merge dropping them) keep their weight.
            let from_mainline = side.as_ref().is_some_and(|s| mainline.contains(s));
            if severity > Severity::Info && !mainline.contains(merge) && !from_mainline {
                severity = Severity::Info;
                reason = Reason::DevBranches;
            }
            // Name the commit that introduced the dropped lines, on the side they came from.
            let introduced = match (&side, lines.first()) {
                (Some(tip), _) if severity > Severity::Info && reason == Reason::BroughtBack => {
                    // Whoever deleted it: the file, or the line.
                    let line = lines.first().filter(|_| r.auto.is_some());
                    repo.removing(&r.path, line.map(String::as_str), tip, &r.base_commit)?
                }
                (Some(tip), Some(line)) if severity > Severity::Info => {
                    let line = match reason {
                        Reason::Edited => line.split(" → ").next().unwrap_or(line),
                        _ => line,
                    };
                    repo.introducing(&r.path, line, tip, &r.base_commit)?
                }
                _ => None,
            };
            let commit = match introduced.or(side) {
                Some(id) => repo.commit_info(&id)?,
                None => info.clone(),
            };
            let key = format!(
                "MergeDropped:{merge}:{}:{reason:?}:{severity:?}:{}",
                r.path, commit.id
            );
            out.push(Finding {
                id: stable_id(&key),
                severity,
                kind: Kind::MergeDropped,
                commit,
                files: vec![MissingLines {
                    path: r.path.clone(),
                    binary: r.binary || r.auto.is_none() && reason != Reason::BroughtBack,
                    lines,
                    whitespace_only: reason == Reason::Whitespace,
                    // A position in the re-merged text matches no file anyone has.
                    at: None,
                }],
                merge: Some(info.clone()),
                reason: Some(reason),
            });
        }
    }
    Ok(out)
}

/// The most of `.gitattributes` read: a bound, not a limit anyone meets.
const MAX_ATTRIBUTES_BYTES: usize = 256 * 1024;

/// Generated paths: `linguist-generated` in the root `.gitattributes` committed at the
/// tag, and the config's globs. A pattern without `/` matches a file's name in any
/// directory, one with `/` the whole path from the root (as in `.gitattributes`); the
/// last line that matches decides (`-linguist-generated` unsets).
struct Generated {
    patterns: Vec<(glob::Pattern, bool, bool)>,
}

impl Generated {
    fn at(
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
    fn parse(attributes: Option<&str>, globs: &[&str]) -> Generated {
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

    fn matches(&self, path: &str) -> bool {
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
fn is_changelog(path: &str) -> bool {
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
fn is_manifest(path: &str) -> bool {
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

/// Whether `new` reads as a rewrite of `old`: most of their characters line up.
fn similar_line(old: &str, new: &str) -> bool {
    if old.is_empty() || new.is_empty() || old.len().max(new.len()) > 400 {
        return false;
    }
    similar::TextDiff::from_chars(old, new).ratio() >= 0.6
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

/// The pre-push side of F14: when an update moves the production branch onto a merge of
/// a release tag, the merge must not lose anything (LOST or REVIEW refuse). One finding
/// per tag merged by the update, naming what was lost.
pub fn gate(
    repo: &Repo,
    config: &crate::config::Config,
    update: &crate::policy::RefUpdate,
    accepted: &[ObjectId],
) -> Result<Vec<crate::policy::Finding>> {
    use crate::messages::Msg;
    use crate::policy::{Finding as Refusal, Severity as Level};
    if update.is_delete() {
        return Ok(Vec::new());
    }
    let mut hide: Vec<ObjectId> = accepted.to_vec();
    if !update.is_create() {
        hide.push(update.old.clone());
    }
    let pattern = &config.tags.release;
    let tagged = repo.tagged_commits(&|t| pattern.matches(t))?;
    let mut out = Vec::new();
    for commit in repo.walk(std::slice::from_ref(&update.new), &hide, true)? {
        for parent in commit
            .parents
            .iter()
            .skip(1)
            .chain(std::iter::once(&commit.id))
        {
            let Some(names) = tagged.get(parent) else {
                continue;
            };
            let Some(tag) = names.first() else { continue };
            let report = check(
                repo,
                tag,
                parent,
                crate::policy::short_ref(&update.refname),
                &update.new,
                &Options {
                    generated: &config.check_master.generated,
                    ..Options::default()
                },
            )?;
            let bad: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Review)
                .collect();
            if bad.is_empty() {
                continue;
            }
            let mut refusal = Refusal::new(
                Level::Block,
                "F14",
                &update.refname,
                Msg::GateLostChanges {
                    tag: tag.clone(),
                    count: bad.len().to_string(),
                },
            )
            .hint(Msg::HintCheckMaster {
                tag: tag.clone(),
                new: update.new.short().to_string(),
            });
            refusal.places = bad
                .iter()
                .flat_map(|f| {
                    f.files.iter().map(move |file| {
                        let what = Msg::GateLostLine {
                            severity: format!("{:?}", f.severity).to_uppercase(),
                            commit: f.commit.id.short().to_string(),
                            subject: f.commit.subject.clone(),
                            count: file.lines.len().to_string(),
                        };
                        (file.path.clone(), what)
                    })
                })
                .collect();
            out.push(refusal);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn provenance_is_by_alignment_not_by_line_sets() {
        let base = "fn a() {\n}\n";
        let ours = "fn a() {\n}\nfn b() {\n}\n";
        let merged = ["fn a() {", "}", "fn b() {", "}"];
        // The second `}` is ours (it closes `fn b`), though `}` is in the base too.
        assert_eq!(
            super::provenance(Some(base), Some(ours), &merged),
            [false, false, true, true]
        );
        assert_eq!(super::provenance(Some(base), None, &merged), [false; 4]);
    }

    #[test]
    fn alignment_past_the_cap_still_finds_every_lost_line() {
        use super::{align, MAX_ALIGNED_LINES};
        // Every line rewritten, a few lines lost: far past the cap.
        let n = MAX_ALIGNED_LINES * 5;
        let old: Vec<String> = (0..n).map(|i| format!("line {i}")).collect();
        let old: Vec<&str> = old.iter().map(String::as_str).collect();
        let mut new: Vec<&str> = old.iter().rev().copied().collect();
        new.retain(|l| *l != "line 7" && *l != "line 12345");
        let pairs = align(&old, &new);
        let mut kept = vec![false; old.len()];
        for (o, n) in &pairs {
            assert_eq!(old[*o], new[*n]);
            kept[*o] = true;
        }
        let lost: Vec<&str> = (0..old.len())
            .filter(|&i| !kept[i])
            .map(|i| old[i])
            .collect();
        assert_eq!(lost, ["line 7", "line 12345"]);
        // Past the cap, a repeated line loses only the copies that are gone.
        let mut old = vec!["x"; MAX_ALIGNED_LINES];
        old.extend(["}", "a", "}", "b", "}"]);
        let mut new = vec!["y"; MAX_ALIGNED_LINES];
        new.extend(["b", "}", "a", "}"]);
        let mut pairs = align(&old, &new);
        pairs.sort();
        let kept: Vec<&str> = pairs.iter().map(|(o, _)| old[*o]).collect();
        // Three `}` in, two out: one copy is unpaired.
        assert_eq!(kept, ["}", "a", "b", "}"]);
        // Small inputs align exactly, common ends included.
        assert_eq!(
            align(&["a", "b", "c", "d"], &["a", "x", "c", "d"]),
            [(0, 0), (2, 2), (3, 3)]
        );
    }

    #[test]
    fn regions_follow_conflict_markers() {
        let auto = "a\n<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs\nd\n";
        let got = super::regions(auto);
        use super::Region::*;
        assert_eq!(
            got,
            [("a", Clean), ("b", Ours), ("c", Theirs), ("d", Clean)]
        );
    }

    #[test]
    fn generated_paths_follow_gitattributes_and_config_globs() {
        let attributes = "# build output\n\
            *.gen.go linguist-generated\n\
            /api/*.pb.go linguist-generated=true\n\
            vendor/** linguist-generated\n\
            vendor/keep.go -linguist-generated\n\
            *.txt text\n";
        let g = super::Generated::parse(Some(attributes), &["dist/**", "*.min.js"]);
        for path in [
            "a.gen.go",
            "deep/dir/b.gen.go",
            "api/x.pb.go",
            "vendor/lib/c.go",
            "dist/app.js",
            "web/static/app.min.js",
        ] {
            assert!(g.matches(path), "{path}");
        }
        for path in [
            "api/sub/x.pb.go",
            "src/api/x.pb.go",
            "vendor/keep.go",
            "notes.txt",
            "src/dist/app.js",
            "app.js",
        ] {
            assert!(!g.matches(path), "{path}");
        }
        assert!(!super::Generated::parse(None, &[]).matches("a.gen.go"));
    }

    #[test]
    fn a_revert_names_the_release() {
        let ours = crate::oid::ObjectId::parse(&"ab12".repeat(10)).unwrap();
        let release: std::collections::HashSet<&crate::oid::ObjectId> = [&ours].into();
        let revert = |m: &str| super::explicit_revert(m, &release);
        assert!(revert(&format!(
            "Revert \"feature: coupon\"\n\nThis reverts commit {ours}.\n"
        )));
        assert!(revert("tidy\n\nThis reverts commit ab12ab12.\n"));
        assert!(revert("Revert \"feature: coupon\"\n"));
        let other = "cd34".repeat(10);
        assert!(!revert(&format!(
            "Revert \"x\"\n\nThis reverts commit {other}.\n"
        )));
        assert!(!revert("sync app.txt from the ops branch\n"));
        assert!(!revert("Reverting to the old coupons\n"));
    }

    #[test]
    fn ids_are_stable() {
        assert_eq!(
            super::stable_id("TagChangeMissing:abc:src/a.rs"),
            super::stable_id("TagChangeMissing:abc:src/a.rs")
        );
        assert_eq!(super::stable_id(""), "cbf29ce48422");
    }
}
