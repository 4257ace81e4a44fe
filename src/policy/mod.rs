//! The policy engine: given the configuration, what is about to happen (ref updates, or a
//! commit) and read access to history, it returns findings. It never prints and never
//! exits, and it does not know whether the updates came from `pre-push`, `pre-receive`
//! or a CI job, so every front door applies the same rules.
//!
//! History is read through the `History` trait; the git module implements it with every
//! walk bounded by what the remote already has.

mod branches;
mod merges;
mod plans;

use std::collections::{HashMap, HashSet};

use crate::config::Config;
use crate::error::Result;
use crate::messages::Msg;
use crate::oid::ObjectId;

pub use branches::{check_commit, check_updates, check_updates_recorded, short as short_ref};
pub use plans::{plan_record, post_release_hints, released_plan_path, sh_word, Debt};

/// One ref about to change: `old` or `new` is all zeros for a creation or a deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// The full ref name on the receiving side (`refs/heads/release`).
    pub refname: String,
    pub old: ObjectId,
    pub new: ObjectId,
    /// The pushing side's ref (`refs/heads/feature/x`), when known: used in hints.
    pub source: Option<String>,
}

impl RefUpdate {
    pub fn is_create(&self) -> bool {
        self.old.is_zero()
    }

    pub fn is_delete(&self) -> bool {
        self.new.is_zero()
    }
}

/// A commit as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
    pub summary: String,
}

impl Commit {
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

/// Read access to history. Every walk takes what to hide, so its cost follows what is
/// new, never the size of the repository.
pub trait History {
    /// Whether the object exists here (a remote's id may not have been fetched).
    fn has(&self, id: &ObjectId) -> Result<bool>;
    /// Whether `ancestor` is `descendant` or one of its ancestors.
    fn is_ancestor(&self, ancestor: &ObjectId, descendant: &ObjectId) -> Result<bool>;
    /// Commits reachable from `tips` and not from `hide`, newest first; with
    /// `first_parent`, only along first parents.
    fn walk(&self, tips: &[ObjectId], hide: &[ObjectId], first_parent: bool)
        -> Result<Vec<Commit>>;
    /// Tips of the branches whose short name `matches`, from the refs `tips` names.
    fn branch_tips(&self, matches: &dyn Fn(&str) -> bool, tips: Tips<'_>) -> Result<Vec<ObjectId>>;
    /// Names of the tags whose short name `matches` (not peeled: cheap).
    fn tag_names(&self, matches: &dyn Fn(&str) -> bool) -> Result<Vec<String>>;
    /// The commit the tag `name` points at (peeled), if the tag exists.
    fn tag_commit(&self, name: &str) -> Result<Option<ObjectId>>;
    /// The file at `path` in the tree of `commit` (a tag is peeled), if it exists.
    fn read_file(&self, commit: &ObjectId, path: &str) -> Result<Option<Vec<u8>>>;
    /// The names of the files directly in directory `dir` of `commit`'s tree.
    fn list_dir(&self, commit: &ObjectId, dir: &str) -> Result<Vec<String>>;
    /// Commits pointed at by tags whose short name `matches` (annotated tags peeled),
    /// with the tag names.
    fn tagged_commits(
        &self,
        matches: &dyn Fn(&str) -> bool,
    ) -> Result<HashMap<ObjectId, Vec<String>>>;
    /// Local branches that contain `id`, for naming a culprit in a refusal's hint.
    fn local_branches_containing(&self, id: &ObjectId) -> Result<Vec<String>>;
    /// Whether the trees of commits `a` and `b` are the same everywhere outside the
    /// directory `dir`: read along `dir`'s path only, never a whole tree.
    fn same_outside(&self, a: &ObjectId, b: &ObjectId, dir: &str) -> Result<bool>;
    /// The paths where merge `merge`'s recorded tree differs from merging its parents
    /// again: the content the merge commit itself added, removed or resolved.
    fn merge_differences(&self, merge: &ObjectId) -> Result<Vec<MergeDifference>>;
    /// What commit `id` changed against its first parent, line by line (bounded: a
    /// binary or very large file is named with no lines); `None` for a root commit.
    fn line_change(&self, id: &ObjectId) -> Result<Option<LineChange>>;
}

/// One path where a merge's recorded result is not what merging its parents gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeDifference {
    pub path: String,
    /// The parents did not merge cleanly here: the recorded result is a resolution.
    pub conflicted: bool,
    /// Some version is not text.
    pub binary: bool,
    /// The path in the first parent, the merged parent, the recorded result, and the
    /// automatic merge (`None`: absent; for a conflict, the text with conflict markers).
    pub ours: Option<String>,
    pub theirs: Option<String>,
    pub result: Option<String>,
    pub auto: Option<String>,
}

/// Which branch refs to read tips from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tips<'a> {
    /// `refs/heads/*`
    Local,
    /// `refs/remotes/<name>/*`
    Remote(&'a str),
    /// `refs/remotes/*/*`
    AllRemotes,
    /// Local and remote-tracking branches.
    Everywhere,
}

/// Where the rules run, which decides what counts as already accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side<'a> {
    /// A developer's repository, pushing to `remote` (a name or a URL); `None` for a
    /// commit. The remote-tracking branches say what the remote already has.
    Client { remote: Option<&'a str> },
    /// The receiving repository: its own branches are what it has.
    Server,
}

impl<'a> Side<'a> {
    /// The refs that hold what the receiving side already accepted.
    pub fn accepted(self) -> Tips<'a> {
        match self {
            Side::Client {
                remote: Some(remote),
            } if is_remote_name(remote) => Tips::Remote(remote),
            Side::Client { .. } => Tips::AllRemotes,
            Side::Server => Tips::Local,
        }
    }

    /// Every ref that may hold a branch's commits.
    pub fn anywhere(self) -> Tips<'a> {
        match self {
            Side::Client { .. } => Tips::Everywhere,
            Side::Server => Tips::Local,
        }
    }

    /// The remote's name for commands in hints (`origin` when pushing to a URL).
    pub fn remote_name(self) -> &'a str {
        match self {
            Side::Client {
                remote: Some(remote),
            } if is_remote_name(remote) => remote,
            _ => "origin",
        }
    }
}

/// A configured remote's name, as opposed to a URL or a path.
pub fn is_remote_name(remote: &str) -> bool {
    !remote.is_empty() && !remote.contains(['/', ':', '\\']) && !remote.starts_with('.')
}

/// What kind of ref an update touches, by the configured branch and tag model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Production,
    Release,
    Test,
    ReleaseTag,
    Other,
}

impl RefKind {
    pub fn of(config: &Config, refname: &str) -> RefKind {
        let b = &config.branches;
        if let Some(branch) = refname.strip_prefix("refs/heads/") {
            if b.production.matches(branch) {
                RefKind::Production
            } else if b.is_release(branch) {
                RefKind::Release
            } else if b.test.matches(branch) {
                RefKind::Test
            } else {
                RefKind::Other
            }
        } else if let Some(tag) = refname.strip_prefix("refs/tags/") {
            if config.tags.release.matches(tag) {
                RefKind::ReleaseTag
            } else {
                RefKind::Other
            }
        } else {
            RefKind::Other
        }
    }

    pub fn is_protected_branch(self) -> bool {
        matches!(self, RefKind::Production | RefKind::Release | RefKind::Test)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Said, and allowed.
    Warn,
    /// Refused: exit 1.
    Block,
}

/// One commit named by a finding, with what it has to do with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitLine {
    pub id: ObjectId,
    pub summary: String,
    pub note: Option<Msg>,
}

/// A decision about one ref or commit, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// The process rule it enforces (`F6`), or the DESIGN.md row (`protect`).
    pub rule: &'static str,
    /// The ref it is about (`refs/heads/release`).
    pub refname: String,
    pub message: Msg,
    pub commits: Vec<CommitLine>,
    /// How many more commits there were than `commits` lists.
    pub more: usize,
    /// Lines of a plan that keep it from passing: `(file:line, what)`.
    pub places: Vec<(String, Msg)>,
    pub hints: Vec<Msg>,
}

impl Finding {
    pub fn new(severity: Severity, rule: &'static str, refname: &str, message: Msg) -> Finding {
        Finding {
            severity,
            rule,
            refname: refname.to_string(),
            message,
            commits: Vec::new(),
            more: 0,
            places: Vec::new(),
            hints: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: Msg) -> Finding {
        self.hints.push(hint);
        self
    }

    /// Lists commits, at most `LISTED` of them.
    fn with_commits(mut self, lines: Vec<CommitLine>) -> Finding {
        self.more = lines.len().saturating_sub(LISTED);
        self.commits = lines.into_iter().take(LISTED).collect();
        self
    }
}

/// How many commits a finding lists before "and N more".
pub const LISTED: usize = 10;

/// Whether any finding refuses.
pub fn refused(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Block)
}

/// E4: whether every update moves production and each brings in, by a merge, a release
/// tip an emergency push set (`tips`, from the audit log): the release commits
/// production lacks after an emergency, merged back. Such a push is judged as under an
/// emergency window (production may take a release tip), whoever may move production.
pub fn merges_back_emergency(
    config: &Config,
    history: &dyn History,
    updates: &[RefUpdate],
    tips: &[ObjectId],
) -> Result<bool> {
    if tips.is_empty() || updates.is_empty() {
        return Ok(false);
    }
    for update in updates {
        if RefKind::of(config, &update.refname) != RefKind::Production || update.is_delete() {
            return Ok(false);
        }
        let hide: Vec<ObjectId> = if update.is_create() {
            Vec::new()
        } else {
            vec![update.old.clone()]
        };
        let merged = history
            .walk(std::slice::from_ref(&update.new), &hide, true)?
            .iter()
            .any(|c| c.parents.iter().skip(1).any(|p| tips.contains(p)));
        if !merged {
            return Ok(false);
        }
    }
    Ok(true)
}

/// An emergency window, as the rules need it: open or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bypass {
    /// An emergency window is open: direct commits to release branches are allowed.
    pub emergency: bool,
}

/// What a commit hook sees of the repository's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitState {
    /// The branch being committed to (short name); `None` on a detached HEAD.
    pub branch: Option<String>,
    /// HEAD's commit; `None` on an unborn branch (the repository's first commit).
    pub head: Option<ObjectId>,
    /// The commits being merged (`MERGE_HEAD`), empty for an ordinary commit.
    pub merge_heads: Vec<ObjectId>,
    /// What the first merged commit was called on the command line (`feature/x`).
    pub merge_source: Option<String>,
    /// The paths the commit changes (as staged), when the hook read them: only for an
    /// ordinary commit on a release branch, which may record a released plan alone.
    pub staged: Vec<String>,
}

/// Commits on the test branch's first-parent chain that no production or release branch
/// has: test's own merge commits and direct fixes ("made on `test`", F6).
/// The production and release tips the receiving side already has.
pub fn accepted_tips(config: &Config, history: &dyn History, side: Side) -> Result<Vec<ObjectId>> {
    let b = &config.branches;
    history.branch_tips(
        &|n| b.production.matches(n) || b.is_release(n),
        side.accepted(),
    )
}

/// Commits made on `test` (F6): `test`'s first-parent chain since the accepted tips,
/// and every commit whose first parent was made on `test` (a fix committed on top of
/// test's history, a branch started from `test`). The second rule keeps a "foxtrot"
/// merge (one that swapped test's first parent, as `git pull` on a stale `test` does)
/// from hiding test's earlier merges behind its second parent.
/// `accepted` are the production and release tips the receiving side has.
fn made_on_test(
    config: &Config,
    history: &dyn History,
    side: Side,
    accepted: &[ObjectId],
) -> Result<MadeOnTest> {
    let b = &config.branches;
    let tips = history.branch_tips(&|name| b.test.matches(name), side.anywhere())?;
    if tips.is_empty() {
        return Ok(MadeOnTest::default());
    }
    let lineage = history.walk(&tips, accepted, true)?;
    let mut made: HashSet<ObjectId> = lineage.iter().map(|c| c.id.clone()).collect();
    // A merge on the chain that says it merged `test` itself (`git pull` on a stale
    // `test`) has test's earlier chain as its second parent: that is test's too. (The
    // message can only make more commits count as made on `test`, never fewer.)
    let mut todo: Vec<Commit> = lineage;
    while let Some(commit) = todo.pop() {
        let Some(second) = commit.parents.get(1) else {
            continue;
        };
        if !merged_test(&commit.summary, &|name| b.test.matches(name)) {
            continue;
        }
        for earlier in history.walk(std::slice::from_ref(second), accepted, true)? {
            if made.insert(earlier.id.clone()) {
                todo.push(earlier);
            }
        }
    }
    let mut fixes = Vec::new();
    // Newest first: walked backwards, every parent comes before its children.
    for commit in history.walk(&tips, accepted, false)?.iter().rev() {
        if commit.parents.first().is_some_and(|p| made.contains(p)) {
            made.insert(commit.id.clone());
        }
        if !commit.is_merge() && made.contains(&commit.id) {
            fixes.push(commit.id.clone());
        }
    }
    fixes.reverse();
    Ok(MadeOnTest { ids: made, fixes })
}

/// Whether a merge's summary says git merged the test branch (`is_test` names it):
/// `Merge branch 'test'`, `Merge branch 'test' of <url>`, `Merge remote-tracking branch
/// 'origin/test'`, as `git merge` and `git pull` write them.
fn merged_test(summary: &str, is_test: &dyn Fn(&str) -> bool) -> bool {
    let quoted = |rest: &str| rest.split('\'').nth(1).map(str::to_string);
    if let Some(rest) = summary.strip_prefix("Merge branch ") {
        return quoted(rest).is_some_and(|name| is_test(&name));
    }
    if let Some(rest) = summary.strip_prefix("Merge remote-tracking branch ") {
        return quoted(rest)
            .and_then(|name| name.split_once('/').map(|(_, b)| b.to_string()))
            .is_some_and(|name| is_test(&name));
    }
    false
}

/// What was made on `test` (see `made_on_test`).
#[derive(Clone, Debug, Default)]
pub struct MadeOnTest {
    pub ids: HashSet<ObjectId>,
    /// The ones that are not merges (fixes and changes committed there), newest first:
    /// their changes must not reach a release branch under another id either.
    pub fixes: Vec<ObjectId>,
}

/// What a commit changed against its first parent, line by line, as a copy of it
/// elsewhere would change it too: per path, the lines it adds and removes (trimmed,
/// blank lines left out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineChange {
    pub files: Vec<FileLines>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileLines {
    pub path: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl LineChange {
    /// One line that any change holding this one must also have: `(path, added, line)`.
    fn key(&self) -> Option<(&str, bool, &str)> {
        self.files.iter().find_map(|f| {
            f.added
                .first()
                .map(|l| (f.path.as_str(), true, l.as_str()))
                .or_else(|| {
                    f.removed
                        .first()
                        .map(|l| (f.path.as_str(), false, l.as_str()))
                })
        })
    }
}

/// How many times each line occurs.
type LineCounts<'a> = HashMap<&'a str, usize>;

/// A change's lines counted per path (added, removed), built once and asked many times.
struct CountedChange<'a> {
    files: HashMap<&'a str, (LineCounts<'a>, LineCounts<'a>)>,
}

impl<'a> CountedChange<'a> {
    fn of(change: &'a LineChange) -> CountedChange<'a> {
        let mut files: HashMap<&str, (LineCounts, LineCounts)> = HashMap::new();
        for file in &change.files {
            let entry = files.entry(file.path.as_str()).or_default();
            for line in &file.added {
                *entry.0.entry(line.as_str()).or_default() += 1;
            }
            for line in &file.removed {
                *entry.1.entry(line.as_str()).or_default() += 1;
            }
        }
        CountedChange { files }
    }

    /// Whether this change holds all of `other`; `None` for an empty `other`.
    fn holds(&self, other: &LineChange) -> Option<bool> {
        other.key()?;
        Some(other.files.iter().all(|theirs| {
            let Some((added, removed)) = self.files.get(theirs.path.as_str()) else {
                return false;
            };
            within(&theirs.added, added) && within(&theirs.removed, removed)
        }))
    }
}

/// Whether every line of `small` is counted in `big`, as many times.
fn within(small: &[String], big: &HashMap<&str, usize>) -> bool {
    let mut used: HashMap<&str, usize> = HashMap::new();
    small.iter().all(|line| {
        let n = used.entry(line.as_str()).or_default();
        *n += 1;
        big.get(line.as_str()).is_some_and(|have| *n <= *have)
    })
}

/// The changes of commits made on `test`, indexed so a candidate is compared only with
/// those that share a line with it.
pub struct CopyIndex {
    originals: Vec<(ObjectId, LineChange)>,
    by_key: HashMap<(String, bool, String), Vec<usize>>,
}

impl CopyIndex {
    pub fn new(originals: Vec<(ObjectId, LineChange)>) -> CopyIndex {
        let mut by_key: HashMap<(String, bool, String), Vec<usize>> = HashMap::new();
        for (i, (_, change)) in originals.iter().enumerate() {
            if let Some((path, added, line)) = change.key() {
                by_key
                    .entry((path.to_string(), added, line.to_string()))
                    .or_default()
                    .push(i);
            }
        }
        CopyIndex { originals, by_key }
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The first original that `change` holds, if any. `budget` counts the lines
    /// compared; when it runs out, `Err(())`: the caller cannot tell and must not pass.
    #[allow(clippy::result_unit_err)]
    pub fn find(
        &self,
        change: &LineChange,
        budget: &mut usize,
    ) -> std::result::Result<Option<&ObjectId>, ()> {
        let counted = CountedChange::of(change);
        let mut tried = HashSet::new();
        for file in &change.files {
            for (added, lines) in [(true, &file.added), (false, &file.removed)] {
                for line in lines {
                    let key = (file.path.clone(), added, line.clone());
                    let Some(hits) = self.by_key.get(&key) else {
                        continue;
                    };
                    for &i in hits {
                        if !tried.insert(i) {
                            continue;
                        }
                        let (id, original) = &self.originals[i];
                        let cost: usize = original
                            .files
                            .iter()
                            .map(|f| f.added.len() + f.removed.len())
                            .sum();
                        *budget = budget.checked_sub(cost.max(1)).ok_or(())?;
                        if counted.holds(original) == Some(true) {
                            return Ok(Some(id));
                        }
                    }
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod fake;
