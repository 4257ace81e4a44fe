//! The repository read in-process with libgit2: what the hooks and the policy engine
//! need, with every history walk bounded by the commits to hide.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Repository, Sort};

use crate::error::{Error, Result};
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::policy::{Commit, CommitState, History, Tips};

pub struct Repo {
    repo: Repository,
    /// Branches, remote-tracking branches and tags (unpeeled), read once: every libgit2
    /// ref listing walks all refs (thousands of tags included), so the rules share one.
    refs: std::cell::OnceCell<Vec<(String, ObjectId)>>,
    /// Parents and commit time of commits read while finding merge bases, shared by all
    /// the merges one check-master run re-merges.
    pub(super) graph: std::cell::RefCell<std::collections::HashMap<Oid, (Vec<Oid>, i64)>>,
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
        Repository::open_from_env()
            .map(Repo::new)
            .map_err(|e| open_error(&path, &e))
    }

    /// The repository around `path`.
    pub fn discover(path: &Path) -> Result<Repo> {
        Repository::discover(path)
            .map(Repo::new)
            .map_err(|e| open_error(path, &e))
    }

    fn new(repo: Repository) -> Repo {
        Repo {
            repo,
            refs: std::cell::OnceCell::new(),
            graph: std::cell::RefCell::new(std::collections::HashMap::new()),
        }
    }

    /// `(full ref name, target)` of every branch, remote-tracking branch and tag.
    fn ref_list(&self) -> Result<&[(String, ObjectId)]> {
        if let Some(refs) = self.refs.get() {
            return Ok(refs);
        }
        // One pass over all refs: each libgit2 listing (a glob too) walks every packed
        // ref, so two globs would cost twice what one unfiltered pass does.
        let mut refs = Vec::new();
        for reference in self.repo.references().map_err(git_error)? {
            let reference = reference.map_err(git_error)?;
            let Ok(name) = reference.name() else { continue };
            let wanted = ["refs/heads/", "refs/remotes/", "refs/tags/"];
            if !wanted.iter().any(|prefix| name.starts_with(prefix)) {
                continue;
            }
            if let Some(target) = reference.target() {
                refs.push((name.to_string(), to_id(target)));
            }
        }
        Ok(self.refs.get_or_init(|| refs))
    }

    /// The git dir shared by all worktrees.
    pub fn common_dir(&self) -> PathBuf {
        self.repo.commondir().to_path_buf()
    }

    pub fn workdir(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
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
        let object = entry.to_object(&self.repo).map_err(git_error)?;
        Ok(object.as_blob().map(|b| b.content().to_vec()))
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

    pub(super) fn raw(&self) -> &Repository {
        &self.repo
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

impl History for Repo {
    fn has(&self, id: &ObjectId) -> Result<bool> {
        let oid = self.oid(id)?;
        let odb = self.repo.odb().map_err(git_error)?;
        Ok(odb.exists(oid))
    }

    fn is_ancestor(&self, ancestor: &ObjectId, descendant: &ObjectId) -> Result<bool> {
        let (a, d) = (self.oid(ancestor)?, self.oid(descendant)?);
        Ok(a == d || self.repo.graph_descendant_of(d, a).map_err(git_error)?)
    }

    fn walk(
        &self,
        tips: &[ObjectId],
        hide: &[ObjectId],
        first_parent: bool,
    ) -> Result<Vec<Commit>> {
        let mut walk = self.repo.revwalk().map_err(git_error)?;
        walk.set_sorting(Sort::TOPOLOGICAL).map_err(git_error)?;
        if first_parent {
            walk.simplify_first_parent().map_err(git_error)?;
        }
        for tip in tips {
            walk.push(self.oid(tip)?).map_err(git_error)?;
        }
        for id in hide {
            let oid = self.oid(id)?;
            // A hide point this repository lacks hides nothing here.
            if self.repo.odb().map_err(git_error)?.exists(oid) {
                walk.hide(oid).map_err(git_error)?;
            }
        }
        walk.map(|oid| self.commit(oid.map_err(git_error)?))
            .collect()
    }

    fn branch_tips(&self, matches: &dyn Fn(&str) -> bool, tips: Tips<'_>) -> Result<Vec<ObjectId>> {
        let mut found = Vec::new();
        for (name, target) in self.ref_list()? {
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
        for (name, tip) in self.ref_list()? {
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

    fn tagged_commits(
        &self,
        matches: &dyn Fn(&str) -> bool,
    ) -> Result<HashMap<ObjectId, Vec<String>>> {
        let mut tagged: HashMap<ObjectId, Vec<String>> = HashMap::new();
        for reference in self
            .repo
            .references_glob("refs/tags/*")
            .map_err(git_error)?
        {
            let reference = reference.map_err(git_error)?;
            let Some(name) = reference
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/tags/"))
            else {
                continue;
            };
            if !matches(name) {
                continue;
            }
            // A tag on something other than a commit is no release.
            if let Ok(commit) = reference.peel_to_commit() {
                tagged
                    .entry(to_id(commit.id()))
                    .or_default()
                    .push(name.to_string());
            }
        }
        Ok(tagged)
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

pub(super) fn to_id(oid: Oid) -> ObjectId {
    ObjectId::parse(&oid.to_string()).expect("libgit2 prints valid object ids")
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
    Error::new(Msg::GitOpen {
        path: path.display().to_string(),
        detail: message.to_string(),
    })
}
