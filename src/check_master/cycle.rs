//! The release cycle's bounds: where the release reached production, and where the
//! releases before it did, so that nothing older is judged again.

use crate::error::Result;
use std::collections::HashSet;

use crate::git::{CommitInfo, Repo};
use crate::oid::ObjectId;
use crate::policy::History;

/// How many tagged commits `previous_releases` collects walking back, and how many
/// commits it walks at most.
const MAX_TAGGED: usize = 32;
const MAX_WALKED: usize = 20_000;

/// How many older release lines (major.minor) bound a cycle besides the newest releases.
const MAX_LINES: usize = 8;

/// How many of the newest releases bound a cycle, each with where it reached production.
const NEWEST: usize = 3;

/// Where the releases before this one reached production, as far as `below` (production
/// before this release came in) has them: the release tags met first walking back from
/// `below` (newest commits first), so what production had just before, whatever the
/// versions of tags elsewhere; the three newest, each with the commit on production's
/// first-parent chain that brought it in, and besides them the newest release of each
/// older line met (major.minor, up to MAX_LINES: a line merged forward, 1.6.x into 1.7,
/// is bounded by its own releases). Hiding these bounds the cycle: what a previous
/// release brought was judged with that release. Tags are releases by name (a version
/// in it), not by the configured pattern: a bound needs no policy. The walk stops after
/// MAX_TAGGED tagged commits or MAX_WALKED commits, so a huge history stays cheap. And
/// it stops early when production's history below, what the releases met so far hide set
/// aside, has no tagged commit left: every release met later is hidden already (a tag
/// the newest has, with where it came in, no later on production's first-parent chain
/// than where the newest came in), and hiding it again changes nothing. So what is read
/// is the last cycle, not the whole history.
pub(super) fn previous_releases(
    repo: &Repo,
    tag_commit: &ObjectId,
    below: &ObjectId,
) -> Result<Vec<ObjectId>> {
    let tagged = repo.tagged_commits(&|t| release_version(t).is_some())?;
    let wanted = |c: &ObjectId| c != tag_commit && tagged.contains_key(c);
    let unhidden_release = |bounds: &[ObjectId]| -> Result<bool> {
        let unhidden = repo.walk(std::slice::from_ref(below), bounds, false)?;
        Ok(unhidden.iter().any(|c| wanted(&c.id)))
    };
    let newest = repo.newest_matching(below, &wanted, 1, MAX_WALKED)?;
    let bounds = with_integration_points(repo, &newest, below)?;
    if newest.is_empty() || !unhidden_release(&bounds)? {
        return Ok(bounds);
    }
    let newest = repo.newest_matching(below, &wanted, NEWEST, MAX_WALKED)?;
    let mut bounds = with_integration_points(repo, &newest, below)?;
    if newest.len() < NEWEST {
        // The walk met every release it could: no older line is left.
        return Ok(bounds);
    }
    if !unhidden_release(&bounds)? {
        return Ok(bounds);
    }
    let version = |c: &ObjectId| -> Option<Vec<u64>> {
        tagged
            .get(c)?
            .iter()
            .filter_map(|n| release_version(n))
            .max()
    };
    let met = repo.newest_matching(below, &wanted, MAX_TAGGED, MAX_WALKED)?;
    let line = |v: &[u64]| (v[0], v.get(1).copied().unwrap_or(0));
    let mut lines: Vec<(u64, u64)> = newest
        .iter()
        .filter_map(&version)
        .map(|v| line(&v))
        .collect();
    for commit in met.iter().skip(NEWEST) {
        let Some(v) = version(commit) else { continue };
        if lines.len() >= MAX_LINES {
            break;
        }
        if !lines.contains(&line(&v)) {
            lines.push(line(&v));
            bounds.push(commit.clone());
        }
    }
    Ok(bounds)
}

/// The releases `found`, each followed by the commit on `below`'s first-parent chain that
/// brought it in (when that is another commit).
fn with_integration_points(
    repo: &Repo,
    found: &[ObjectId],
    below: &ObjectId,
) -> Result<Vec<ObjectId>> {
    let mut bounds = found.to_vec();
    for commit in found {
        let point = integration_point(repo, commit, below)?;
        if !bounds.contains(&point) {
            bounds.push(point);
        }
    }
    Ok(bounds)
}

/// The version a release tag names (`v1.2.3`, `1.2`, `release-2.0.1-rc1`,
/// `oc-android-1-3-12`: its leading numbers, at least two), for ordering releases; `None`
/// for a tag that names no version.
pub(super) fn release_version(name: &str) -> Option<Vec<u64>> {
    let rest = name.trim_start_matches(|c: char| !c.is_ascii_digit());
    if name.len() - rest.len() > 16 {
        return None;
    }
    // Dotted (`1.2.3`, `1.0.0-rc1`), or dashed or underscored where no dot follows the
    // first number (`oc-android-1-3-12`, `REL_1_2`).
    let separator = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '_'))
        .unwrap_or('.');
    let mut parts = Vec::new();
    for part in rest.split(separator) {
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

/// Whether a release tag names a pre-release: after its version, a pre-release word
/// (`v3.0.0a7`, `1.3.2rc1`, `1.4.0-beta.1`, `2.0-RC`, `5.0.0.M2`, `1.0-SNAPSHOT`). A
/// lone letter counts only with a number after it (`a7`, `b1`, `c2`): a date-named
/// release's `2024-01a` is its first patch, not an alpha.
pub(super) fn is_prerelease(name: &str) -> bool {
    let Some(version) = release_version(name) else {
        return false;
    };
    // Past the prefix and the version's numbers and separators.
    let rest = name.trim_start_matches(|c: char| !c.is_ascii_digit());
    let mut numbers = version.len();
    let mut suffix = rest;
    while numbers > 0 {
        suffix = suffix.trim_start_matches(|c: char| c.is_ascii_digit());
        numbers -= 1;
        if numbers > 0 {
            suffix = suffix.get(1..).unwrap_or("");
        }
    }
    let suffix = suffix.trim_start_matches(['.', '-', '_', '+', '~']);
    let word: String = suffix
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    let numbered = suffix[word.len()..]
        .trim_start_matches(['.', '-', '_'])
        .starts_with(|c: char| c.is_ascii_digit());
    match word.as_str() {
        "a" | "b" | "c" | "m" => numbered,
        "alpha" | "beta" | "rc" | "cr" | "pre" | "preview" | "dev" | "milestone" | "snapshot"
        | "ea" | "nightly" => true,
        _ => false,
    }
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
    /// For a pre-release, the pre-releases of its version in its own history that
    /// production before it lacked (never merged by themselves): what
    /// each brought is judged with that one, so this one's own changes and merges start
    /// after them. The final's check judges the whole line since production's last
    /// release. Empty for a final release, and with `since`.
    pub(super) earlier: Vec<ObjectId>,
    /// `--since`: findings before it are accepted.
    pub(super) since: Option<&'a ObjectId>,
    /// Production's own commits of the cycle, read once (see `production`).
    production: std::cell::OnceCell<Vec<crate::policy::Commit>>,
}

/// The merges a check re-merges, and the first-parent lines that tell a merge on the
/// release line from one between development branches.
pub(super) struct Candidates {
    pub(super) merges: Vec<ObjectId>,
    pub(super) mainline: HashSet<ObjectId>,
    /// The cycle's commits in the tag's history (so, with `merges`, which merges the tag
    /// has: one walk, where an ancestry question per merge walks from the tag each time).
    pub(super) in_tag: HashSet<ObjectId>,
}

impl<'a> Cycle<'a> {
    pub(super) fn of(
        repo: &Repo,
        tag: &'a ObjectId,
        name: &str,
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
        let earlier = match (&before, since) {
            (Some(before), None) if is_prerelease(name) => {
                // Only pre-releases of the same version (`v3.0.0a6` for `v3.0.0a7`): a
                // tag of another name pushed onto the line bounds nothing.
                let version = release_version(name);
                let tagged =
                    repo.tagged_commits(&|t| is_prerelease(t) && release_version(t) == version)?;
                repo.reachable(std::slice::from_ref(tag), std::slice::from_ref(before))?
                    .into_iter()
                    .filter(|id| id != tag && tagged.contains_key(id))
                    .collect()
            }
            _ => Vec::new(),
        };
        Ok(Cycle {
            tag,
            master,
            merged,
            integration,
            before,
            sides,
            previous,
            earlier,
            since,
            production: std::cell::OnceCell::new(),
        })
    }

    /// Production's own commits of the cycle, children before parents: what production
    /// had before the release came in and the release lacks, since the previous release
    /// (or `since`). Empty without a production before the release (fast-forwarded).
    pub(super) fn production(&self, repo: &Repo) -> Result<&[crate::policy::Commit]> {
        if let Some(known) = self.production.get() {
            return Ok(known);
        }
        let mut commits = Vec::new();
        if let Some(before) = &self.before {
            let mut hide: Vec<ObjectId> = self.since.into_iter().cloned().collect();
            hide.extend(self.sides.iter().cloned());
            hide.extend(self.previous.iter().cloned());
            commits = repo.walk(std::slice::from_ref(before), &hide, false)?;
        }
        Ok(self.production.get_or_init(|| commits))
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
        // Bounded by where the previous releases reached production and where the
        // release line last left it: the merge base of production before the release
        // came in and what the integration merged (the tag, or the release branch's tip
        // when the tag sits on the merge). Not the tag's own merge base with production,
        // which for a tag on the merge is production itself: production's earlier,
        // untagged merges of the same release line (several pull requests from
        // `staging` before the tagged one) would belong to no release's cycle.
        let mut forks = Vec::new();
        if let Some(before) = &self.before {
            for side in &self.sides {
                forks.extend(repo.merge_base(side, before)?);
            }
        }
        let hide: Vec<ObjectId> = match self.since {
            Some(since) => vec![since.clone()],
            None => forks
                .into_iter()
                .chain(self.previous.iter().cloned())
                .chain(self.earlier.iter().cloned())
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
            // When the tag sits on production's chain itself (fast-forwarded, or a release
            // line whose tags are production's), the chain below it is the release line,
            // and what its merges merged are development branches (or another line's
            // pulls), not release branches, unless the merge says it merged one.
            let release_line_merge = self.before.is_some()
                || commit.summary.to_ascii_lowercase().contains("release")
                || commit.summary.to_ascii_lowercase().contains("hotfix");
            if release_line_merge {
                tips.extend(commit.parents.iter().skip(1).cloned());
            }
            tips.push(commit.id);
        }
        let mainline: HashSet<ObjectId> = repo
            .walk(&tips, &hide, true)?
            .into_iter()
            .map(|c| c.id)
            .collect();
        // The merges the release or production went through, and the integration
        // itself. When the integration brought in more than the tag (the tag's line was
        // merged forward into a newer release line, and production took that line), the
        // newer line's merges are the newer release's, judged with it.
        let mut tips = vec![self.tag.clone()];
        tips.extend(self.before.iter().cloned());
        let ours: HashSet<ObjectId> = repo
            .walk(&tips, &hide, false)?
            .into_iter()
            .filter(|c| c.is_merge())
            .map(|c| c.id)
            .collect();
        let merges: Vec<ObjectId> = repo
            .walk(&[end.clone(), self.tag.clone()], &hide, false)?
            .into_iter()
            .filter(|c| c.is_merge() && (c.id == *end || ours.contains(&c.id)))
            .map(|c| c.id)
            .collect();
        let in_tag = repo
            .reachable(std::slice::from_ref(self.tag), &hide)?
            .into_iter()
            .collect();
        Ok(Candidates {
            merges,
            mainline,
            in_tag,
        })
    }
}
