//! Judging one merge: re-merge its parents the way git does and say, line by line, what
//! the recorded result dropped and how much that matters.

use std::collections::{HashSet, VecDeque};

// Lines and ids keyed by foldhash (seeded per process), not SipHash: a large release
// hashes a million lines.
use foldhash::{HashMap, HashSet as LineSet};

use crate::error::Result;
use crate::git::{MissingLines, Repo, CONFLICT_MARKER_SIZE};
use crate::oid::ObjectId;
use crate::policy::History;

use super::attribution::stable_id;
use super::classify::{is_changelog, is_manifest, is_version_line};
use super::equivalent::Twins;
use super::{Finding, Kind, Reason, Severity};

/// Where a line of a re-merged file came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Region {
    Clean,
    Ours,
    Theirs,
}

/// The re-merged text's lines, each with its region; conflict markers removed. Markers
/// are whole lines of exactly `CONFLICT_MARKER_SIZE` characters (a label may follow the
/// opening and closing ones), so that no line of a file is taken for one.
pub(super) fn regions(auto: &str) -> Vec<(&str, Region)> {
    let marker = |line: &str, c: char, labelled: bool| {
        let rest = line.trim_start_matches(c);
        line.len() - rest.len() == CONFLICT_MARKER_SIZE
            && (rest.is_empty() || labelled && rest.starts_with(' '))
    };
    let mut out = Vec::new();
    let mut region = Region::Clean;
    for line in auto.lines() {
        if region == Region::Clean && marker(line, '<', true) {
            region = Region::Ours;
        } else if region == Region::Ours && marker(line, '=', false) {
            region = Region::Theirs;
        } else if region == Region::Theirs && marker(line, '>', true) {
            region = Region::Clean;
        } else {
            out.push((line, region));
        }
    }
    out
}

/// For each line of `merged`: whether it lines up with a line that `side` inserted
/// relative to `base`.
pub(super) fn provenance(base: Option<&str>, side: Option<&str>, merged: &[&str]) -> Vec<bool> {
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
    // A side that inserted nothing brought no line: no second alignment needed.
    if !inserted.contains(&true) {
        return out;
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
pub(super) fn align(old: &[&str], new: &[&str]) -> Vec<(usize, usize)> {
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
        // Each line as a number, equal lines as equal numbers: the same alignment (the
        // diff sees only which lines are equal), found comparing numbers, not texts.
        let mut numbers = HashMap::default();
        let old_mid = numbered(&mut numbers, old_mid);
        let new_mid = numbered(&mut numbers, new_mid);
        for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_mid, &new_mid) {
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
        let mut unpaired: HashMap<&str, VecDeque<usize>> = HashMap::default();
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

/// `lines` as numbers: the number `numbers` gives an equal line, or the next.
fn numbered<'a>(numbers: &mut HashMap<&'a str, u32>, lines: &[&'a str]) -> Vec<u32> {
    lines
        .iter()
        .map(|line| {
            let next = numbers.len() as u32;
            *numbers.entry(*line).or_insert(next)
        })
        .collect()
}

/// What one merge dropped, judged path by path.
pub(super) fn judge_merge(
    repo: &Repo,
    merge: &ObjectId,
    mainline: &HashSet<ObjectId>,
) -> Result<Vec<Finding>> {
    let info = repo.commit_info(merge)?;
    let mut out = Vec::new();
    // Per (side, other side): the other side's own commits by patch id, read when a
    // conflict decision asks.
    let mut twins: HashMap<(ObjectId, ObjectId), Twins> = HashMap::default();
    let remerged = repo.remerge(merge)?;
    let on_release_line = mainline.contains(merge);
    // Whether the merge took a parent's content wholesale (`git merge -s ours`, or a
    // result reset to one side): then nothing it left out was chosen file by file.
    let mut wholesale = false;
    for parent in &info.parents {
        wholesale |= repo.same_tree(merge, parent)?;
    }
    for r in remerged {
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
        if r.auto.is_none() && !r.conflicted && r.result.is_some() && r.base.is_none() {
            // Neither the base nor a side had the file: the merge added it, work of its
            // own (pending changes committed with the merge), nothing of a side's lost.
            add(Severity::Info, Reason::AddedByMerge, None, None);
        } else if r.auto.is_none() && !r.conflicted && r.result.is_some() {
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
                // Both parents have it and the merge deleted it: a decision, written by
                // hand (a file moved or replaced in the merge), for a reviewer to confirm.
                (Some(_), Some(_), None) => (Severity::Review, Reason::DeletedInMerge),
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
            // (Aligned only once a dropped line of a clean region asks.)
            let from_ours = std::cell::OnceCell::new();
            let from_theirs = std::cell::OnceCell::new();
            let came_from = |from: &std::cell::OnceCell<Vec<bool>>, side: &Option<String>, i| {
                from.get_or_init(|| provenance(r.base.as_deref(), side.as_deref(), &texts))[i]
            };
            // Lookups by hashing: a hostile merge drops tens of thousands of lines.
            let lines_of = |text: &Option<String>| -> LineSet<String> {
                text.as_deref()
                    .map(|t| t.lines().map(str::to_string).collect())
                    .unwrap_or_default()
            };
            let (ours_lines, theirs_lines) = (lines_of(&r.ours), lines_of(&r.theirs));
            let in_result: LineSet<&str> = result_lines.iter().copied().collect();
            // Per trimmed line, the distinct ways the result writes it.
            let mut spellings: HashMap<&str, LineSet<&str>> = HashMap::default();
            for line in &result_lines {
                spellings.entry(line.trim()).or_default().insert(line);
            }
            let base_lines = lines_of(&r.base);
            let bookkeeping = is_changelog(&r.path);
            let own_version = r.result != r.ours && r.result != r.theirs && r.result != r.base;
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
                    Region::Clean if came_from(&from_theirs, &r.theirs, *index) => {
                        theirs_side.clone()
                    }
                    Region::Clean if came_from(&from_ours, &r.ours, *index) => ours_side.clone(),
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
                } else if *region != Region::Clean && is_version_line(trimmed) {
                    (Severity::Info, Reason::VersionLine)
                } else if *region == Region::Clean && own_version {
                    // The merge wrote a version of its own (neither parent's nor the
                    // base's): it adapted the file by hand, as sync merges do when the
                    // other side renamed an API. A decision for a reviewer; a result that
                    // is one side's file wholesale is the loss this check is for.
                    let reason = match r.result {
                        None => Reason::DeletedInMerge,
                        Some(_) => Reason::Rewritten,
                    };
                    (Severity::Review, reason)
                } else if *region == Region::Clean
                    && !wholesale
                    && r.result.is_none()
                    && r.base.is_none()
                {
                    // A file one side added, left out of a merge that took that side's
                    // other changes: removed on purpose (git keeps a cleanly added file
                    // through every conflict resolution), as a line that keeps its own
                    // version of what the file provided does; for a reviewer to confirm.
                    (Severity::Review, Reason::LeftOut)
                } else if *region == Region::Clean {
                    (Severity::Lost, Reason::CleanlyMerged)
                } else if on_release_line
                    && (*region == Region::Ours && !came_from(&from_ours, &r.ours, *index)
                        || *region == Region::Theirs && !came_from(&from_theirs, &r.theirs, *index))
                {
                    // A line of the base its side left alone, which the other side
                    // changed or deleted: dropping it takes that change, no side's work.
                    // (Asked last, and only on the release line: a merge between
                    // development branches has its conflicts judged INFO anyway, and the
                    // alignment costs.)
                    (Severity::Info, Reason::BaseLine)
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
                        // An edit is not a loss: the line stands, rewritten into
                        // something neither the base nor the other side had (restoring
                        // what they had is the loss this check is for). On the real
                        // histories measured every such edit was deliberate (a typo
                        // fixed, a setting changed), and a merge that writes code on
                        // release or master is refused at the push by content.
                        let severity = Severity::Info;
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
            // A conflict decided there (a branch synced with the release line, both having
            // changed the lines, or one deleted the file the other changed) is the
            // developer's too: the reviewed merge of the branch onto the release line
            // shows it. Lines dropped without a conflict stay.
            let from_mainline = side.as_ref().is_some_and(|s| mainline.contains(s));
            if severity > Severity::Info && !mainline.contains(merge) {
                if !from_mainline {
                    severity = Severity::Info;
                    reason = Reason::DevBranches;
                } else if matches!(
                    reason,
                    Reason::ConflictDecision | Reason::ModifyDelete | Reason::BinaryConflict
                ) {
                    severity = Severity::Info;
                    reason = Reason::DecidedOnBranch;
                }
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
            // A conflict decision against lines the other side took under another id (a
            // cherry-pick) and changed again since: superseded there, not lost.
            if let (Some(tip), Some(id), Reason::ConflictDecision) = (&side, &introduced, reason) {
                let other = if *tip == r.first_parent {
                    &r.other_parent
                } else {
                    &r.first_parent
                };
                let twins = twins
                    .entry((tip.clone(), other.clone()))
                    .or_insert_with(|| Twins::new(repo, vec![other.clone()], vec![tip.clone()]));
                if twins.of(id)?.is_some() {
                    severity = Severity::Info;
                    reason = Reason::PickedThenChanged;
                }
            }
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
                branch: None,
            });
        }
    }
    // A commit whose new file the merge left out on purpose: the lines the same commit
    // changed elsewhere (the code using that file) were left out with it, one decision.
    let left_out: HashSet<ObjectId> = out
        .iter()
        .filter(|f| f.reason == Some(Reason::LeftOut))
        .map(|f| f.commit.id.clone())
        .collect();
    for f in &mut out {
        if f.severity == Severity::Lost
            && f.reason == Some(Reason::CleanlyMerged)
            && left_out.contains(&f.commit.id)
        {
            f.severity = Severity::Review;
            f.reason = Some(Reason::LeftOut);
        }
    }
    Ok(out)
}

/// Whether `new` reads as a rewrite of `old`: most of their characters line up.
pub(super) fn similar_line(old: &str, new: &str) -> bool {
    if old.is_empty() || new.is_empty() || old.len().max(new.len()) > 400 {
        return false;
    }
    // The characters that line up are at most those the two have in common: when even
    // they are too few, no diff is needed (the same sum as `ratio`'s, so the same answer).
    let (common, total) = chars_in_common(old, new);
    if (2.0 * common as f32 / total as f32) < 0.6 {
        return false;
    }
    similar::TextDiff::from_chars(old, new).ratio() >= 0.6
}

/// How many characters two texts have in common, each counted as often as both have
/// it, and how many they have together.
fn chars_in_common(old: &str, new: &str) -> (usize, usize) {
    let (mut old, mut new): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    old.sort_unstable();
    new.sort_unstable();
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < old.len() && j < new.len() {
        match old[i].cmp(&new[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => (common, i, j) = (common + 1, i + 1, j + 1),
        }
    }
    (common, old.len() + new.len())
}

/// A merge before the tag that dropped lines the tag has again (a later commit or merge
/// of the release put them back) lost nothing of the release: information. Only merges
/// the tag contains (`in_tag`: commits known to be in its history; any other is asked);
/// the lines are compared as the tag's file holds them.
pub(super) fn repaired_before_tag(
    repo: &Repo,
    tag: &ObjectId,
    in_tag: &std::collections::HashSet<ObjectId>,
    findings: &mut [Finding],
) -> Result<()> {
    let mut files: HashMap<String, Option<LineSet<String>>> = HashMap::default();
    for f in findings.iter_mut() {
        let Some(merge) = &f.merge else { continue };
        if f.severity == Severity::Info
            || f.reason == Some(Reason::BroughtBack)
            || f.files.iter().any(|m| m.binary || m.lines.is_empty())
            || merge.id == *tag
            || !(in_tag.contains(&merge.id) || repo.is_ancestor(&merge.id, tag)?)
        {
            continue;
        }
        let mut all = true;
        for m in &f.files {
            let at_tag = match files.get(&m.path) {
                Some(lines) => lines,
                None => {
                    let text = repo.read_file(tag, &m.path)?.map(|b| {
                        String::from_utf8_lossy(&b)
                            .lines()
                            .map(str::to_string)
                            .collect()
                    });
                    files.entry(m.path.clone()).or_insert(text)
                }
            };
            let Some(at_tag) = at_tag else {
                all = false;
                break;
            };
            // Back as it was, or back and edited since (a similar line that starts the
            // same way: `date:'dd/MM/yy'` restored as `date:'yyyy-MM-dd'`).
            all &= m.lines.iter().all(|l| {
                let line = l.split(" → ").next().unwrap_or(l);
                let start: String = line.trim().chars().take(10).collect();
                line.trim().is_empty()
                    || at_tag.contains(line)
                    || at_tag.iter().any(|t| {
                        t.trim().starts_with(&start) && similar_line(line.trim(), t.trim())
                    })
            });
        }
        if all {
            f.severity = Severity::Info;
            f.reason = Some(Reason::RepairedBeforeTag);
        }
    }
    Ok(())
}
