//! The repository read in-process with libgit2: what the hooks and the policy engine
//! need, with every history walk bounded by the commits to hide.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Repository};

use crate::error::{Error, Result};
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::policy::{Commit, CommitState, FileLines, History, LineChange, MergeDifference, Tips};

use super::remote::RemoteRefs;

/// The name the remote's own branches go by among the refs, when a view is set: not a
/// name a configured remote can have, so nothing local is mistaken for it.
const VIEW: &str = "@remote";

/// The most of a document (config, plan) read from history: longer ones are cut one byte
/// past this, and both parsers refuse anything longer than this.
pub const READ_LIMIT: usize = crate::plan::MAX_PLAN_BYTES;

/// A local tag as listed: full name, target, and the commit packed-refs says an
/// annotated tag peels to.
type LocalTag = (String, Option<Oid>, Option<Oid>);

pub struct Repo {
    repo: Repository,
    /// Branches, remote-tracking branches and tags (unpeeled), read once (see `refs.rs`):
    /// thousands of tags are listed at each read, so the rules share one.
    refs: std::cell::OnceCell<Vec<(String, ObjectId)>>,
    /// The local tags read in the same pass (without a view).
    tags: std::cell::OnceCell<Vec<LocalTag>>,
    /// What the receiving side has, when it said so itself (`git ls-remote`): then its
    /// branches stand for every remote-tracking ref, and its tags for the local ones.
    view: Option<RemoteRefs>,
    /// Tags created by the push being judged, with the commits they peel to: a release
    /// counts through tags the remote has or receives in the same push.
    pushed_tags: Vec<(String, ObjectId)>,
    /// Parents and commit time of the commits read while walking ancestry (see
    /// `graph.rs`), shared by every question one process asks.
    pub(super) graph: std::cell::RefCell<foldhash::HashMap<Oid, super::graph::Node>>,
    /// What each commit asked about changed (see `changes.rs`), read once.
    pub(super) changes:
        std::cell::RefCell<foldhash::HashMap<Oid, std::rc::Rc<super::changes::Change>>>,
    /// What `change_present` answered, per commit and versions of its files.
    pub(super) present: std::cell::RefCell<super::changes::Answers>,
    /// The walks attribution follows (see `remerge.rs`), listed once.
    pub(super) steps: std::cell::RefCell<super::remerge::Steps>,
    /// Set once objects this process makes (re-merged files, virtual merge bases) are
    /// kept in memory instead of the repository's object store (see `scratch_objects`).
    scratch: std::cell::OnceCell<()>,
    /// Virtual merge bases made (see `virtual_base.rs`): their trees, per the commits
    /// each was merged from, in order.
    pub(super) virtual_bases: std::cell::RefCell<foldhash::HashMap<Vec<Oid>, Oid>>,
    /// Blobs' chunks counted for finding renames (see `renames.rs`), kept across merges.
    pub(super) signatures: std::cell::RefCell<super::renames::Signatures>,
}

impl Repo {
    /// The repository a hook runs in, as git's exported environment describes it.
    pub fn open_from_env() -> Result<Repo> {
        let path = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        // git itself checked `safe.directory` before it ran the hook; libgit2 checking
        // again would only read the global config once more.
        // SAFETY: a process-wide libgit2 option, set before any repository is opened
        // and while no other thread uses libgit2.
        let _ = unsafe { git2::opts::set_verify_owner_validation(false) };
        tune_object_reading();
        Repository::open_from_env()
            .map(Repo::new)
            .map_err(|e| open_error(&path, &e))
    }

    /// The repository around `path`.
    pub fn discover(path: &Path) -> Result<Repo> {
        tune_object_reading();
        // One search and one open: git2's `Repository::discover` searches, then opens
        // what it found with a second search of its own. Across file systems and with no
        // ceiling, as `discover` searches.
        Repository::open_ext(
            path,
            git2::RepositoryOpenFlags::CROSS_FS,
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .map(Repo::new)
        .map_err(|e| open_error(path, &e))
    }

    fn new(repo: Repository) -> Repo {
        Repo {
            repo,
            refs: std::cell::OnceCell::new(),
            tags: std::cell::OnceCell::new(),
            view: None,
            pushed_tags: Vec::new(),
            graph: Default::default(),
            changes: Default::default(),
            present: Default::default(),
            steps: Default::default(),
            scratch: std::cell::OnceCell::new(),
            virtual_bases: Default::default(),
            signatures: Default::default(),
        }
    }

    /// From now on, the receiving side's refs are `view` (its own answer), not the
    /// remote-tracking refs and local tags of this clone.
    pub fn set_view(&mut self, view: RemoteRefs) {
        self.view = Some(view);
        self.refs = std::cell::OnceCell::new();
    }

    pub fn view(&self) -> Option<&RemoteRefs> {
        self.view.as_ref()
    }

    /// Counts the tags that `updates` create (`(full ref name, new id)`) as existing, each
    /// with the commit it peels to.
    pub fn add_pushed_tags(&mut self, updates: &[(String, ObjectId)]) -> Result<()> {
        for (name, id) in updates {
            if id.is_zero() || !name.starts_with("refs/tags/") {
                continue;
            }
            if let Some(commit) = self.peel_to_commit(id)? {
                self.pushed_tags.push((name.clone(), commit));
            }
        }
        self.refs = std::cell::OnceCell::new();
        Ok(())
    }

    /// The commit an object (a commit, or a tag of one) stands for, if it is here.
    pub fn peel_to_commit(&self, id: &ObjectId) -> Result<Option<ObjectId>> {
        let oid = self.oid(id)?;
        match self.repo.find_object(oid, None) {
            Ok(object) => Ok(object.peel_to_commit().ok().map(|c| to_id(c.id()))),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_error(e)),
        }
    }

    /// The local branches (`refs/heads/*`) and their tips.
    fn local_heads(&self) -> Result<Vec<(String, ObjectId)>> {
        Ok(super::refs::under(&self.repo, &["refs/heads/"])?
            .into_iter()
            .filter_map(|r| Some((r.name, to_id(r.target?))))
            .collect())
    }

    /// The branches whose short name `matches`, as `(shown name, tip)`: `origin`'s
    /// remote-tracking branch (`origin/release`, what was pushed and deployed) where there
    /// is one, else the local branch (`release`).
    pub fn branches_named(
        &self,
        matches: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<(String, ObjectId)>> {
        let mut remote = Vec::new();
        let mut local = Vec::new();
        for (name, id) in self.ref_list()? {
            if let Some(short) = name.strip_prefix("refs/remotes/origin/") {
                if short != "HEAD" && matches(short) {
                    remote.push((short.to_string(), format!("origin/{short}"), id.clone()));
                }
            } else if let Some(short) = name.strip_prefix("refs/heads/") {
                if matches(short) {
                    local.push((short.to_string(), short.to_string(), id.clone()));
                }
            }
        }
        let mut out: Vec<(String, ObjectId)> = Vec::new();
        for (short, shown, id) in remote.iter().chain(&local) {
            let taken = remote.iter().any(|(r, ..)| r == short) && shown == short;
            if !taken {
                out.push((shown.clone(), id.clone()));
            }
        }
        Ok(out)
    }

    /// Whether this clone's history can be trusted to be whole and true: not shallow,
    /// and without `info/grafts` rewriting parents. `None` when it can, else what is wrong.
    pub fn untrustworthy_history(&self) -> Option<&'static str> {
        if self.repo.is_shallow() {
            return Some("shallow");
        }
        if self.common_dir().join("info").join("grafts").exists() {
            return Some("grafts");
        }
        None
    }

    /// `(full ref name, target)` of every branch, remote-tracking branch and tag. With a
    /// view, the remote-tracking branches are the view's (named `refs/remotes/{VIEW}/…`)
    /// and the tags are the view's and the pushed ones: local tags count for nothing.
    /// Annotated tags are listed peeled when the view or the push peeled them.
    fn ref_list(&self) -> Result<&[(String, ObjectId)]> {
        if let Some(refs) = self.refs.get() {
            return Ok(refs);
        }
        if let Some(view) = &self.view {
            // The remote's own answer stands for the remote-tracking refs and the tags;
            // the local branches are read only when asked (see `local_heads`).
            let mut refs = Vec::new();
            for (name, id) in &view.refs {
                if let Some(branch) = name.strip_prefix("refs/heads/") {
                    refs.push((format!("refs/remotes/{VIEW}/{branch}"), id.clone()));
                } else {
                    let peeled = view.peeled.get(name).unwrap_or(id);
                    refs.push((name.clone(), peeled.clone()));
                }
            }
            refs.extend(self.pushed_tags.iter().cloned());
            return Ok(self.refs.get_or_init(|| refs));
        }
        // One listing for the rules that ask: the tags are kept with their peeled ids
        // for `tagged_commits`, which so needs no pass of its own.
        let mut refs = Vec::new();
        let mut tags = Vec::new();
        let wanted = ["refs/heads/", "refs/remotes/", "refs/tags/"];
        for listed in super::refs::under(&self.repo, &wanted)? {
            if let Some(target) = listed.target {
                refs.push((listed.name.clone(), to_id(target)));
            }
            if listed.name.starts_with("refs/tags/") {
                tags.push((listed.name, listed.target, listed.peeled));
            }
        }
        refs.extend(self.pushed_tags.iter().cloned());
        let _ = self.tags.set(tags);
        Ok(self.refs.get_or_init(|| refs))
    }

    /// The git dir shared by all worktrees.
    pub fn common_dir(&self) -> PathBuf {
        self.repo.commondir().to_path_buf()
    }

    pub fn workdir(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
    }

    /// Every entry of the repository's effective config (system, global, local), in the
    /// order git reads them.
    pub fn config_entries(&self) -> Result<Vec<(String, String)>> {
        let config = self
            .repo
            .config()
            .and_then(|mut c| c.snapshot())
            .map_err(git_error)?;
        let mut out = Vec::new();
        let mut entries = config.entries(None).map_err(git_error)?;
        while let Some(entry) = entries.next() {
            let entry = entry.map_err(git_error)?;
            if let (Ok(name), Ok(value)) = (entry.name(), entry.value()) {
                out.push((name.to_string(), value.to_string()));
            }
        }
        Ok(out)
    }

    /// Who is acting: `user.name <user.email>` from git's config.
    pub fn user(&self) -> Option<String> {
        let config = self.repo.config().ok()?;
        let name = config.get_string("user.name").ok();
        let email = config.get_string("user.email").ok();
        match (name, email) {
            (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
            (Some(n), None) => Some(n),
            (None, Some(e)) => Some(format!("<{e}>")),
            (None, None) => None,
        }
    }

    /// Commits on HEAD's first-parent chain since `since` (a revision), newest first;
    /// all of them when `since` is `None`. At most `limit`.
    pub fn first_parent_since(&self, since: Option<&str>, limit: usize) -> Result<Vec<Commit>> {
        let head = match self.repo.head() {
            Ok(head) => head.peel_to_commit().map_err(git_error)?.id(),
            Err(_) => return Ok(Vec::new()),
        };
        let mut walk = self.repo.revwalk().map_err(git_error)?;
        walk.simplify_first_parent().map_err(git_error)?;
        walk.push(head).map_err(git_error)?;
        if let Some(since) = since {
            let hide = self.resolve(since)?;
            walk.hide(self.oid(&hide)?).map_err(git_error)?;
        }
        walk.take(limit)
            .map(|oid| self.commit(oid.map_err(git_error)?))
            .collect()
    }

    /// The branch the remote's HEAD names (`refs/remotes/origin/HEAD` → `main`), if known.
    pub fn remote_default_branch(&self, remote: &str) -> Option<String> {
        let head = self
            .repo
            .find_reference(&format!("refs/remotes/{remote}/HEAD"))
            .ok()?;
        let target = head.symbolic_target().ok().flatten()?;
        target
            .strip_prefix(&format!("refs/remotes/{remote}/"))
            .map(str::to_string)
    }

    /// Whether `name` is a configured remote (rather than a URL or path).
    pub fn is_remote(&self, name: &str) -> bool {
        self.repo.find_remote(name).is_ok()
    }

    /// The branch HEAD is on, its commit, and what is being merged.
    pub fn commit_state(&self) -> Result<CommitState> {
        let head_ref = self.repo.find_reference("HEAD").map_err(git_error)?;
        let branch = head_ref
            .symbolic_target()
            .ok()
            .flatten()
            .and_then(|t| t.strip_prefix("refs/heads/"))
            .map(str::to_string);
        let head = match self.repo.head() {
            Ok(r) => r.target().map(to_id),
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                None
            }
            Err(e) => return Err(git_error(e)),
        };
        // MERGE_HEAD lives in the worktree's own git dir: one id per merged commit.
        let merge_file = self.repo.path().join("MERGE_HEAD");
        let merge_heads = match std::fs::read_to_string(&merge_file) {
            Ok(text) => text
                .lines()
                .filter_map(|l| ObjectId::parse(l.trim()))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(&merge_file, &e)),
        };
        Ok(CommitState {
            branch,
            head,
            merge_heads,
            merge_source: None,
            staged: Vec::new(),
        })
    }

    /// The file at `path` in the tree of the commit `refname` points at, if both exist.
    pub fn blob_at(&self, refname: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let target = match self.repo.find_reference(refname) {
            Ok(r) => r.peel(git2::ObjectType::Any).map_err(git_error)?.id(),
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(git_error(e)),
        };
        self.file_in(target, path)
    }

    /// The blob at `path` in the tree of `object` (a commit or a tag of one).
    fn file_in(&self, object: Oid, path: &str) -> Result<Option<Vec<u8>>> {
        let tree = self
            .repo
            .find_object(object, None)
            .and_then(|o| o.peel_to_tree())
            .map_err(git_error)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(git_error(e)),
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
        self.blob_capped(entry.id(), path)
    }

    /// The first `READ_LIMIT + 1` bytes of blob `id` (all of a shorter one), without
    /// reading more of a longer one; `None` if `id` is no blob. `path` names it in errors.
    pub(super) fn blob_capped(&self, id: Oid, path: &str) -> Result<Option<Vec<u8>>> {
        // Documents (config, plans) are small; a hostile one is not read whole. What is
        // returned past the limit is cut, and every reader refuses a file that long.
        let odb = self.repo.odb().map_err(git_error)?;
        let (size, _) = odb.read_header(id).map_err(git_error)?;
        if size > READ_LIMIT {
            if let Ok(mut reader) = odb.reader(id).map(|(r, _, _)| r) {
                let mut bytes = Vec::with_capacity(READ_LIMIT + 1);
                std::io::Read::take(&mut reader, READ_LIMIT as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(Path::new(path), &e))?;
                return Ok(Some(bytes));
            }
        }
        let object = self.repo.find_object(id, None).map_err(git_error)?;
        Ok(object.as_blob().map(|b| {
            let content = b.content();
            content[..content.len().min(READ_LIMIT + 1)].to_vec()
        }))
    }

    /// Resolves a revision (`HEAD`, `release`, an id) to a commit id. A zero id stays
    /// zero (a ref that does not exist).
    pub fn resolve(&self, rev: &str) -> Result<ObjectId> {
        if let Some(id) = ObjectId::parse(rev).filter(ObjectId::is_zero) {
            return Ok(id);
        }
        let bad = |detail: String| {
            Error::new(Msg::BadRevision {
                rev: rev.to_string(),
                detail,
            })
        };
        let object = self
            .repo
            .revparse_single(rev)
            .map_err(|e| bad(e.message().to_string()))?;
        let commit = object
            .peel_to_commit()
            .map_err(|e| bad(e.message().to_string()))?;
        Ok(to_id(commit.id()))
    }

    /// Keeps the repository open until the process exits, for a command whose process
    /// ends right after it: freeing libgit2's object caches and unmapping its packs one by
    /// one costs more than the exit, which reclaims them all at once. Nothing is
    /// written on close: every handle here only reads (see `scratch_objects`).
    pub fn close_at_exit(self) {
        std::mem::forget(self);
    }

    pub(super) fn raw(&self) -> &Repository {
        &self.repo
    }

    /// From now on, objects this handle writes (libgit2's merges write every merged file
    /// and virtual base) go to memory, not into the repository: a check only reads, and
    /// the repository may be a server's, a quarantine or read-only. Reads still find
    /// everything the repository has.
    pub(super) fn scratch_objects(&self) -> Result<()> {
        if self.scratch.get().is_none() {
            let odb = self.repo.odb().map_err(git_error)?;
            // Above the loose (1) and pack (2) backends: libgit2 writes to the first
            // backend by priority that can.
            odb.add_new_mempack_backend(1000).map_err(git_error)?;
            // Nor are the trees written (virtual merge bases) checked entry by entry
            // against the object store: their ids come from trees this process read, the
            // check would read every file's header again, and in a partial clone fail
            // on a file no merge needs (libgit2's own merge never writes that tree).
            git2::opts::strict_object_creation(false);
            let _ = self.scratch.set(());
        }
        Ok(())
    }

    pub(super) fn oid(&self, id: &ObjectId) -> Result<Oid> {
        if id.is_sha256() {
            return Err(Error::new(Msg::Sha256Unsupported {
                path: self.repo.path().display().to_string(),
            })
            .hint(Msg::HintSha256));
        }
        Oid::from_str(id.as_str()).map_err(git_error)
    }

    fn commit(&self, oid: Oid) -> Result<Commit> {
        let commit = self.repo.find_commit(oid).map_err(git_error)?;
        Ok(Commit {
            id: to_id(oid),
            parents: commit.parent_ids().map(to_id).collect(),
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                .into_owned(),
        })
    }
}

impl Repo {
    /// The ids `walk` would give, without reading each commit's summary.
    pub fn reachable(&self, tips: &[ObjectId], hide: &[ObjectId]) -> Result<Vec<ObjectId>> {
        Ok(self
            .walk_here(tips, hide, false)?
            .into_iter()
            .map(to_id)
            .collect())
    }

    fn walk_here(
        &self,
        tips: &[ObjectId],
        hide: &[ObjectId],
        first_parent: bool,
    ) -> Result<Vec<Oid>> {
        let tips = tips
            .iter()
            .map(|tip| self.oid(tip))
            .collect::<Result<Vec<_>>>()?;
        let mut hidden = Vec::new();
        for id in hide {
            let oid = self.oid(id)?;
            // A hide point this repository lacks hides nothing here.
            if self.repo.odb().map_err(git_error)?.exists(oid) {
                hidden.push(oid);
            }
        }
        self.walk_oids(&tips, &hidden, first_parent)
    }
}

impl History for Repo {
    fn has(&self, id: &ObjectId) -> Result<bool> {
        let oid = self.oid(id)?;
        let odb = self.repo.odb().map_err(git_error)?;
        Ok(odb.exists(oid))
    }

    fn is_ancestor(&self, ancestor: &ObjectId, descendant: &ObjectId) -> Result<bool> {
        let (a, d) = (self.oid(ancestor)?, self.oid(descendant)?);
        if a == d {
            return Ok(true);
        }
        // An object this clone lacks (the remote has what was never fetched) is not known
        // to be anyone's ancestor: every caller then judges more strictly.
        let odb = self.repo.odb().map_err(git_error)?;
        if !odb.exists(a) || !odb.exists(d) {
            return Ok(false);
        }
        self.reaches(a, d)
    }

    fn walk(
        &self,
        tips: &[ObjectId],
        hide: &[ObjectId],
        first_parent: bool,
    ) -> Result<Vec<Commit>> {
        self.walk_here(tips, hide, first_parent)?
            .into_iter()
            .map(|oid| self.commit(oid))
            .collect()
    }

    fn branch_tips(&self, matches: &dyn Fn(&str) -> bool, tips: Tips<'_>) -> Result<Vec<ObjectId>> {
        let mut found = Vec::new();
        // With the remote's answer, its branches are the tips everywhere but `Local`.
        let local;
        let (refs, tips) = match (&self.view, tips) {
            (Some(_), Tips::Local) => {
                local = self.local_heads()?;
                (&local[..], Tips::Local)
            }
            (Some(_), _) => (self.ref_list()?, Tips::AllRemotes),
            (None, tips) => (self.ref_list()?, tips),
        };
        for (name, target) in refs {
            let local = || name.strip_prefix("refs/heads/");
            let remote = |only: Option<&str>| {
                let rest = name.strip_prefix("refs/remotes/")?;
                match only {
                    Some(r) => rest.strip_prefix(r)?.strip_prefix('/'),
                    None => rest.split_once('/').map(|(_, b)| b),
                }
            };
            let short = match tips {
                Tips::Local => local(),
                Tips::Remote(r) => remote(Some(r)),
                Tips::AllRemotes => remote(None),
                Tips::Everywhere => local().or_else(|| remote(None)),
            };
            if let Some(short) = short {
                if short != "HEAD" && matches(short) && !found.contains(target) {
                    found.push(target.clone());
                }
            }
        }
        Ok(found)
    }

    fn tag_names(&self, matches: &dyn Fn(&str) -> bool) -> Result<Vec<String>> {
        Ok(self
            .ref_list()?
            .iter()
            .filter_map(|(name, _)| name.strip_prefix("refs/tags/"))
            .filter(|t| matches(t))
            .map(str::to_string)
            .collect())
    }

    fn tag_commit(&self, name: &str) -> Result<Option<ObjectId>> {
        let full = format!("refs/tags/{name}");
        if let Some((_, id)) = self.pushed_tags.iter().find(|(n, _)| *n == full) {
            return Ok(Some(id.clone()));
        }
        if self.view.is_some() {
            return Ok(self
                .ref_list()?
                .iter()
                .find(|(n, _)| *n == full)
                .map(|(_, id)| id.clone()));
        }
        match self.repo.find_reference(&format!("refs/tags/{name}")) {
            Ok(reference) => Ok(reference.peel_to_commit().ok().map(|c| to_id(c.id()))),
            Err(e) if e.code() == ErrorCode::NotFound || e.code() == ErrorCode::InvalidSpec => {
                Ok(None)
            }
            Err(e) => Err(git_error(e)),
        }
    }

    fn read_file(&self, commit: &ObjectId, path: &str) -> Result<Option<Vec<u8>>> {
        self.file_in(self.oid(commit)?, path)
    }

    fn list_dir(&self, commit: &ObjectId, dir: &str) -> Result<Vec<String>> {
        let tree = self
            .repo
            .find_object(self.oid(commit)?, None)
            .and_then(|o| o.peel_to_tree())
            .map_err(git_error)?;
        let entry = match tree.get_path(Path::new(dir)) {
            Ok(entry) => entry,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(git_error(e)),
        };
        let object = entry.to_object(&self.repo).map_err(git_error)?;
        let Some(dir) = object.as_tree() else {
            return Ok(Vec::new());
        };
        Ok(dir
            .iter()
            .filter(|e| e.kind() == Some(git2::ObjectType::Blob))
            .filter_map(|e| e.name().ok().map(str::to_string))
            .collect())
    }

    fn local_branches_containing(&self, id: &ObjectId) -> Result<Vec<String>> {
        let oid = self.oid(id)?;
        let mut names = Vec::new();
        let local;
        let refs = if self.view.is_some() {
            local = self.local_heads()?;
            &local[..]
        } else {
            self.ref_list()?
        };
        for (name, tip) in refs {
            let Some(short) = name.strip_prefix("refs/heads/") else {
                continue;
            };
            let tip = self.oid(tip)?;
            if tip == oid || self.repo.graph_descendant_of(tip, oid).map_err(git_error)? {
                names.push(short.to_string());
            }
        }
        Ok(names)
    }

    fn merge_differences(&self, merge: &ObjectId) -> Result<Vec<MergeDifference>> {
        Ok(self
            .remerge(merge)?
            .into_iter()
            .map(|r| MergeDifference {
                path: r.path,
                conflicted: r.conflicted,
                binary: r.binary,
                ours: r.ours,
                theirs: r.theirs,
                result: r.result,
                auto: r.auto,
            })
            .collect())
    }

    fn tagged_commits(
        &self,
        matches: &dyn Fn(&str) -> bool,
    ) -> Result<HashMap<ObjectId, Vec<String>>> {
        let mut tagged: HashMap<ObjectId, Vec<String>> = HashMap::new();
        let mut add = |name: &str, commit: ObjectId| {
            let names = tagged.entry(commit).or_default();
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        };
        for (name, commit) in &self.pushed_tags {
            let short = name.trim_start_matches("refs/tags/");
            if matches(short) {
                add(short, commit.clone());
            }
        }
        if self.view.is_some() {
            // The view lists annotated tags peeled; a tag of something other than a commit
            // is no release, which the callers' ancestry checks find out.
            for (name, id) in self.ref_list()? {
                if let Some(short) = name.strip_prefix("refs/tags/") {
                    if matches(short) {
                        add(short, id.clone());
                    }
                }
            }
            return Ok(tagged);
        }
        let odb = self.repo.odb().map_err(git_error)?;
        self.ref_list()?;
        for (full, target, peeled) in self.tags.get().map(Vec::as_slice).unwrap_or_default() {
            let Some(name) = full.strip_prefix("refs/tags/") else {
                continue;
            };
            if !matches(name) {
                continue;
            }
            // A tag on something other than a commit is no release. What libgit2's peel
            // looks up first (the peeled id packed-refs lists, else the target) is
            // known a commit from its header, without inflating it; only a tag object
            // there needs the full peel.
            let first = peeled.or(*target);
            let commit = match first.map(|id| (id, odb.read_header(id))) {
                Some((id, Ok((_, git2::ObjectType::Commit)))) => Some(id),
                Some((_, Ok((_, git2::ObjectType::Tag)))) | None => self
                    .repo
                    .find_reference(full)
                    .and_then(|r| r.peel_to_commit())
                    .ok()
                    .map(|c| c.id()),
                Some(_) => None,
            };
            if let Some(commit) = commit {
                add(name, to_id(commit));
            }
        }
        Ok(tagged)
    }

    fn line_change(&self, id: &ObjectId) -> Result<Option<LineChange>> {
        /// A file larger than this is named with no lines: a copy is judged by the rest.
        const FILE_LIMIT: u64 = 1024 * 1024;
        /// Lines kept in all, so a huge commit costs a bounded amount.
        const LINE_LIMIT: usize = 200_000;
        let commit = self.repo.find_commit(self.oid(id)?).map_err(git_error)?;
        let Ok(parent) = commit.parent(0) else {
            return Ok(None);
        };
        let old = parent.tree().map_err(git_error)?;
        let new = commit.tree().map_err(git_error)?;
        let mut options = git2::DiffOptions::new();
        options.context_lines(0).max_size(FILE_LIMIT as i64);
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut options))
            .map_err(git_error)?;
        let mut change = LineChange::default();
        let mut kept = 0usize;
        diff.print(git2::DiffFormat::Patch, |delta, _hunk, line| {
            let path = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            if change.files.last().map(|f| &f.path) != Some(&path) {
                change.files.push(FileLines {
                    path,
                    ..FileLines::default()
                });
            }
            let text = String::from_utf8_lossy(line.content());
            let text = text.trim();
            if text.is_empty() || kept >= LINE_LIMIT {
                return true;
            }
            let file = change.files.last_mut().expect("pushed above");
            match line.origin() {
                '+' => file.added.push(text.to_string()),
                '-' => file.removed.push(text.to_string()),
                _ => return true,
            }
            kept += 1;
            true
        })
        .map_err(git_error)?;
        Ok(Some(change))
    }

    fn same_outside(&self, a: &ObjectId, b: &ObjectId, dir: &str) -> Result<bool> {
        let tree = |id: &ObjectId| -> Result<git2::Tree<'_>> {
            self.repo
                .find_object(self.oid(id)?, None)
                .and_then(|o| o.peel_to_tree())
                .map_err(git_error)
        };
        // The entries of a tree other than `part` (a missing tree has none).
        let others = |tree: Option<&git2::Tree<'_>>, part: &str| -> Vec<(Vec<u8>, Oid, i32)> {
            tree.map(|t| {
                t.iter()
                    .filter(|e| e.name_bytes() != part.as_bytes())
                    .map(|e| (e.name_bytes().to_vec(), e.id(), e.filemode()))
                    .collect()
            })
            .unwrap_or_default()
        };
        let sub = |tree: Option<&git2::Tree<'_>>, part: &str| -> Result<Option<git2::Tree<'_>>> {
            let Some(entry) = tree.and_then(|t| t.get_name(part)) else {
                return Ok(None);
            };
            if entry.kind() != Some(git2::ObjectType::Tree) {
                return Ok(None);
            }
            let object = entry.to_object(&self.repo).map_err(git_error)?;
            Ok(object.into_tree().ok())
        };
        let mut pair = (Some(tree(a)?), Some(tree(b)?));
        for part in dir.split('/').filter(|p| !p.is_empty() && *p != ".") {
            let (ta, tb) = (pair.0.as_ref(), pair.1.as_ref());
            if ta.map(git2::Tree::id) == tb.map(git2::Tree::id) {
                return Ok(true);
            }
            if others(ta, part) != others(tb, part) {
                return Ok(false);
            }
            pair = (sub(ta, part)?, sub(tb, part)?);
        }
        Ok(true)
    }
}

/// How libgit2 reads objects, set once per process before the first repository opens.
///
/// - No re-hashing of every object read: git itself checks an object's id when it
///   receives it (`index-pack`, `unpack-objects`) and in `fsck`, not on every read, and
///   libgit2's check cost a fifth of a check-master run (SHA-1 with collision detection
///   over every commit, tree and blob read, again at each read).
/// - Trees up to 1 MiB stay in libgit2's object cache (its default keeps trees up to
///   4 kB): a check looks up the same directories of the same commits over and over, and
///   each lookup would otherwise inflate the tree again. (Blobs stay uncached: caching
///   them raised peak memory by half for no time saved.)
fn tune_object_reading() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // SAFETY: process-wide libgit2 options, set once before any repository is
        // opened and while no other thread uses libgit2.
        unsafe {
            let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 1 << 20);
        }
    });
}

pub(super) fn to_id(oid: Oid) -> ObjectId {
    ObjectId::from_raw(oid.as_bytes())
}

pub(super) fn git_error(e: git2::Error) -> Error {
    Error::new(Msg::GitRead {
        detail: e.message().to_string(),
    })
}

fn open_error(path: &Path, e: &git2::Error) -> Error {
    let message = e.message();
    if message.contains("objectformat") || message.contains("sha256") {
        return Error::new(Msg::Sha256Unsupported {
            path: path.display().to_string(),
        })
        .hint(Msg::HintSha256);
    }
    // No repository around `path` at all: the same words and way out as every command
    // that looks for one.
    if e.code() == git2::ErrorCode::NotFound && e.class() == git2::ErrorClass::Repository {
        return Error::new(Msg::NotAGitRepo {
            path: path.display().to_string(),
        })
        .hint(Msg::HintNotAGitRepo);
    }
    Error::new(Msg::GitOpen {
        path: path.display().to_string(),
        detail: message.to_string(),
    })
}
