//! The release cycle's bounds: where the release reached production, and where the
//! releases before it did, so that nothing older is judged again.

use crate::error::Result;
use std::collections::HashSet;

use crate::git::{CommitInfo, Repo};
use crate::oid::ObjectId;
use crate::policy::History;

/// How many release tags `previous_releases` tries, newest version first, before it gives
/// up bounding the cycle (a repository with thousands of tags stays cheap).
pub(super) const MAX_TAGS_TRIED: usize = 64;

/// Where the releases before this one reached production, as far as `below` (production
/// before this release came in) has them: the three newest by version (so a release branch
/// merged forward, X.y into X+1.y, is bounded by X+1's releases too), each with the commit
/// on production's first-parent chain that brought it in. Hiding these bounds the cycle:
/// what a previous release brought was judged with that release. Tags are releases by
/// name (a version in it), not by the configured pattern: a bound needs no policy.
pub(super) fn previous_releases(
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
    let mut below_has = repo.ancestors_of(below)?;
    for (_, commit) in tags.into_iter().take(MAX_TAGS_TRIED) {
        if found.len() >= 3 {
            break;
        }
        if below_has.contains(&commit)? {
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
pub(super) fn release_version(name: &str) -> Option<Vec<u64>> {
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
pub(super) fn release_line_reached_master(
    repo: &Repo,
    tag: &ObjectId,
    master: &ObjectId,
) -> Result<bool> {
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
pub(super) fn integration_point(
    repo: &Repo,
    tag: &ObjectId,
    master: &ObjectId,
) -> Result<ObjectId> {
    let chain = repo.walk(
        std::slice::from_ref(master),
        std::slice::from_ref(tag),
        true,
    )?;
    // The chain's commits that contain the tag come first (each one's first parent
    // containing it means it does too): find where they end by halving, not one
    // ancestry question per commit.
    let (mut lo, mut hi) = (0, chain.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if repo.is_ancestor(tag, &chain[mid].id)? {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let (point, next) = match lo.checked_sub(1).map(|last| &chain[last]) {
        Some(last) => (last.id.clone(), last.parents.first().cloned()),
        None => (master.clone(), None),
    };
    if lo < chain.len() {
        return Ok(point);
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

/// Whether `commit` is a merge with `tag` reachable through a non-first parent.
pub(super) fn is_merge_of(repo: &Repo, commit: &ObjectId, tag: &ObjectId) -> Result<bool> {
    let info = repo.commit_info(commit)?;
    for parent in info.parents.iter().skip(1) {
        if repo.is_ancestor(tag, parent)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One release's way to production, and what bounds its cycle.
pub(super) struct Cycle<'a> {
    pub(super) tag: &'a ObjectId,
    pub(super) master: &'a ObjectId,
    /// Whether the tag is in production's history.
    pub(super) merged: bool,
    /// The commit on production that brought the tag in.
    pub(super) integration: Option<CommitInfo>,
    /// Production as it was before the release came in (`None`: fast-forwarded or tagged
    /// on production after the merge, so nothing was merged at the tag itself).
    pub(super) before: Option<ObjectId>,
    /// What the integration merged into production.
    pub(super) sides: Vec<ObjectId>,
    /// Where the previous releases reached production (empty with `since`).
    pub(super) previous: Vec<ObjectId>,
    /// `--since`: findings before it are accepted.
    pub(super) since: Option<&'a ObjectId>,
}

/// The merges a check re-merges, and the first-parent lines that tell a merge on the
/// release line from one between development branches.
pub(super) struct Candidates {
    pub(super) merges: Vec<ObjectId>,
    pub(super) mainline: HashSet<ObjectId>,
}

impl<'a> Cycle<'a> {
    pub(super) fn of(
        repo: &Repo,
        tag: &'a ObjectId,
        master: &'a ObjectId,
        since: Option<&'a ObjectId>,
    ) -> Result<Cycle<'a>> {
        let merged = repo.is_ancestor(tag, master)?;
        // The shapes a release takes on its way to master.
        let (integration, before, sides) = if merged {
            let point = integration_point(repo, tag, master)?;
            let info = repo.commit_info(&point)?;
            if point != *tag {
                let before = info.parents.first().cloned();
                (Some(info), before, vec![tag.clone()])
            } else if info.parents.len() > 1 {
                // The tag sits on master's merge that brought its release in (git-flow's
                // `finish` tags that merge): the merge is the integration.
                let before = info.parents.first().cloned();
                let sides = info.parents[1..].to_vec();
                (Some(info), before, sides)
            } else {
                // Fast-forwarded, or tagged on master after the merge: nothing was merged
                // at the tag itself; the cycle's merges are still judged.
                (Some(info), None, Vec::new())
            }
        } else {
            (None, Some(master.clone()), vec![tag.clone()])
        };
        // Where the previous release reached master: nothing before it is this cycle's.
        let below = before.clone().unwrap_or_else(|| tag.clone());
        let previous = match since {
            Some(_) => Vec::new(),
            None => previous_releases(repo, tag, &below)?,
        };
        Ok(Cycle {
            tag,
            master,
            merged,
            integration,
            before,
            sides,
            previous,
            since,
        })
    }

    /// Where the tag's changes are judged: the integration result, else production's tip.
    pub(super) fn judged_at(&self) -> &ObjectId {
        self.integration.as_ref().map_or(self.master, |i| &i.id)
    }

    /// The cycle's merges. The cycle starts where the release line left master and after
    /// the previous release reached it, or at `since` when given (which may reach further
    /// back: every merge after it is judged). It ends where the tag reached master: later
    /// merges are later cycles'.
    pub(super) fn merges(&self, repo: &Repo) -> Result<Candidates> {
        let fork = match &self.before {
            Some(before) => repo.merge_base(self.tag, before)?,
            None => None,
        };
        let hide: Vec<ObjectId> = match self.since {
            Some(since) => vec![since.clone()],
            None => fork
                .into_iter()
                .chain(self.previous.iter().cloned())
                .collect(),
        };
        let end = self.judged_at();
        // The release line and production: the first-parent chains of the tag, of what
        // the integration merged, and of production (and what each of its merges merged:
        // the release branches). A merge off them is a merge between development
        // branches, whose result reached the release line through a reviewed merge (where
        // its drops show in the diff) and whose loss of the tag's lines the tag-change
        // check still catches.
        let mut tips = vec![self.tag.clone()];
        tips.extend(self.sides.iter().cloned());
        for commit in repo.walk(std::slice::from_ref(end), &hide, true)? {
            tips.extend(commit.parents.iter().skip(1).cloned());
            tips.push(commit.id);
        }
        let mainline: HashSet<ObjectId> = repo
            .walk(&tips, &hide, true)?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let merges: Vec<ObjectId> = repo
            .walk(&[end.clone(), self.tag.clone()], &hide, false)?
            .into_iter()
            .filter(|c| c.is_merge())
            .map(|c| c.id)
            .collect();
        Ok(Candidates { merges, mainline })
    }
}
