//! Re-merging a merge commit's parents to see what its recorded result left out.
//!
//! The cheap thing first: a path changed on one side only should hold that side's
//! version, a path changed identically on both sides that version; only a path changed
//! differently on both sides needs a file merge (libgit2's `merge_file`, in memory, no
//! index). Only the paths whose recorded result differs from the re-merge are returned,
//! with the texts a judgement needs.

use git2::{MergeFileInput, Oid, Tree};

use crate::error::Result;
use crate::oid::ObjectId;

use super::repo::{git_error, to_id};
use super::tree_diff::Lookup;
use super::Repo;

/// One path where a merge's recorded result differs from re-merging its parents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remerged {
    pub path: String,
    /// The parent merged in (1 for an ordinary merge; octopus merges are re-merged one
    /// parent at a time against the first).
    pub parent: usize,
    pub first_parent: ObjectId,
    pub other_parent: ObjectId,
    pub base_commit: ObjectId,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
    pub result: Option<String>,
    /// The re-merged text, with `<<<<<<<` / `=======` / `>>>>>>>` markers around the
    /// conflicts when it did not merge cleanly; `None` when a side deleted the file.
    pub auto: Option<String>,
    pub conflicted: bool,
    /// Some version of the file is not text: judged as a whole.
    pub binary: bool,
}

impl Repo {
    /// What merge `id` did differently from re-merging its parents.
    pub fn remerge(&self, id: &ObjectId) -> Result<Vec<Remerged>> {
        let repo = self.raw();
        let merge = repo.find_commit(self.oid(id)?).map_err(git_error)?;
        if merge.parent_count() < 2 {
            return Ok(Vec::new());
        }
        let result = merge.tree().map_err(git_error)?;
        let first = merge.parent(0).map_err(git_error)?;
        let parents: Vec<Tree> = merge
            .parents()
            .map(|p| p.tree())
            .collect::<std::result::Result<_, _>>()
            .map_err(git_error)?;
        let mut out = Vec::new();
        for n in 1..merge.parent_count() {
            let other = merge.parent(n).map_err(git_error)?;
            // Unrelated histories (`--allow-unrelated-histories`) have no common ancestor:
            // they merge as if from an empty tree, so nothing the merge adds goes unseen.
            // Lines are then attributed by walking the merged side alone.
            let found = self.fast_merge_base(first.id(), other.id())?;
            let base = found.unwrap_or_else(|| first.id());
            let base_tree = match found {
                Some(base) => repo
                    .find_commit(base)
                    .and_then(|c| c.tree())
                    .map_err(git_error)?,
                None => {
                    let empty = repo
                        .treebuilder(None)
                        .and_then(|b| b.write())
                        .map_err(git_error)?;
                    repo.find_tree(empty).map_err(git_error)?
                }
            };
            let ours = first.tree().map_err(git_error)?;
            let theirs = other.tree().map_err(git_error)?;
            // Each tree's directories read once for all paths (see `Lookup`).
            let mut base_at = Lookup::new(repo, &base_tree);
            let mut result_at = Lookup::new(repo, &result);
            let mut parents_at: Vec<Lookup> =
                parents.iter().map(|t| Lookup::new(repo, t)).collect();
            // Criss-cross histories have several merge bases; git merges them into a
            // virtual one. Asked for only once a path differs from the cheap re-merge.
            let mut virtual_merge: Option<Option<Virtual>> = None;
            for path in candidate_paths(repo, &base_tree, &ours, &theirs, &result)? {
                let (mut b, o, t, r) = (
                    base_at.id(&path)?,
                    parents_at[0].id(&path)?,
                    parents_at[n].id(&path)?,
                    result_at.id(&path)?,
                );
                // What a merge of this path gives, when no file merge is needed.
                let mut trivial = if o == t {
                    Some(o)
                } else if o == b {
                    Some(t)
                } else if t == b {
                    Some(o)
                } else {
                    None
                };
                if trivial == Some(r) {
                    continue;
                }
                if virtual_merge.is_none() {
                    virtual_merge = Some(self.virtual_merge(first.id(), other.id())?);
                }
                if let Some(Some(virt)) = &virtual_merge {
                    match virt.get(&path) {
                        // git's recursive merge resolves the path: that is the re-merge.
                        Some(VirtualPath::Merged(oid)) => trivial = Some(Some(*oid)),
                        // A conflict over the virtual base's version.
                        Some(VirtualPath::Conflict(ancestor)) => {
                            b = *ancestor;
                            trivial = None;
                        }
                        None => trivial = Some(None),
                    }
                    if trivial == Some(r) {
                        continue;
                    }
                }
                // An octopus merge: what another merged parent brought is not this
                // parent's loss.
                let mut from_other = false;
                for (k, at) in parents_at.iter_mut().enumerate() {
                    if k != 0 && k != n && r != b && at.id(&path)? == r {
                        from_other = true;
                        break;
                    }
                }
                if from_other {
                    continue;
                }
                let text = |oid: Option<Oid>| -> Result<(Option<String>, bool)> {
                    match oid {
                        None => Ok((None, false)),
                        Some(oid) => {
                            let blob = repo.find_blob(oid).map_err(git_error)?;
                            Ok((
                                Some(String::from_utf8_lossy(blob.content()).into_owned()),
                                blob.is_binary(),
                            ))
                        }
                    }
                };
                let (base_text, b_bin) = text(b)?;
                let (ours_text, o_bin) = text(o)?;
                let (theirs_text, t_bin) = text(t)?;
                let (result_text, r_bin) = text(r)?;
                let binary = b_bin || o_bin || t_bin || r_bin;
                let (auto, conflicted) = match (trivial, &ours_text, &theirs_text) {
                    (Some(oid), _, _) => (text(oid)?.0, false),
                    (None, Some(ours_text), Some(theirs_text)) if !binary => {
                        let base_bytes = base_text.clone().unwrap_or_default();
                        let mut anc = MergeFileInput::new();
                        anc.content(base_bytes.as_bytes());
                        let mut our = MergeFileInput::new();
                        our.content(ours_text.as_bytes());
                        let mut their = MergeFileInput::new();
                        their.content(theirs_text.as_bytes());
                        let merged =
                            git2::merge_file(&anc, &our, &their, None).map_err(git_error)?;
                        let clean = merged.is_automergeable();
                        let content = String::from_utf8_lossy(merged.content()).into_owned();
                        if clean && Some(&content) == result_text.as_ref() {
                            continue;
                        }
                        (Some(content), !clean)
                    }
                    // Modified on one side, deleted on the other; or binary on both.
                    _ => (None, true),
                };
                out.push(Remerged {
                    path,
                    parent: n,
                    first_parent: to_id(first.id()),
                    other_parent: to_id(other.id()),
                    base_commit: to_id(base),
                    base: base_text,
                    ours: ours_text,
                    theirs: theirs_text,
                    result: result_text,
                    auto,
                    conflicted,
                    binary,
                });
            }
        }
        Ok(out)
    }
}

/// The only paths where a merge can have lost something: those the merged side changed
/// (its change must be in the result) and those where the result differs from the first
/// parent (something happened there). A path only the first parent changed and the
/// result kept needs no look. Two tree diffs, no content read.
fn candidate_paths(
    repo: &git2::Repository,
    base: &Tree,
    ours: &Tree,
    theirs: &Tree,
    result: &Tree,
) -> Result<Vec<String>> {
    let mut paths = std::collections::BTreeSet::new();
    for (from, to) in [(base, theirs), (ours, result)] {
        super::tree_diff::changed(repo, Some(from), Some(to), "", &mut |path| {
            paths.insert(path.to_string());
        })?;
    }
    Ok(paths.into_iter().collect())
}

/// Per path, what git's recursive merge of a criss-cross merge's parents gives.
type Virtual = std::collections::HashMap<String, VirtualPath>;

enum VirtualPath {
    /// Merged without conflict, to this blob.
    Merged(Oid),
    /// A conflict; the virtual merge base's blob, if it had the path.
    Conflict(Option<Oid>),
}

impl Repo {
    /// For parents with more than one merge base (a criss-cross history), what git's
    /// recursive merge (a virtual merge base, rename detection) gives, path by path;
    /// `None` when there is a single base (the cheap per-path re-merge agrees with git).
    fn virtual_merge(&self, ours: Oid, theirs: Oid) -> Result<Option<Virtual>> {
        let repo = self.raw();
        match repo.merge_bases(ours, theirs) {
            Ok(bases) if bases.len() > 1 => {}
            Ok(_) => return Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(git_error(e)),
        }
        let (ours, theirs) = (
            repo.find_commit(ours).map_err(git_error)?,
            repo.find_commit(theirs).map_err(git_error)?,
        );
        let index = repo
            .merge_commits(&ours, &theirs, Some(&git2::MergeOptions::new()))
            .map_err(git_error)?;
        let mut out = Virtual::new();
        for entry in index.iter() {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            let stage = (entry.flags >> 12) & 3;
            match stage {
                0 => {
                    out.insert(path, VirtualPath::Merged(entry.id));
                }
                1 => {
                    out.insert(path, VirtualPath::Conflict(Some(entry.id)));
                }
                _ => {
                    out.entry(path).or_insert(VirtualPath::Conflict(None));
                }
            }
        }
        Ok(Some(out))
    }

    /// The newest common ancestor of `a` and `b`: commits are visited newest first from
    /// both, and the first reached from both is it. Parents and times are cached in the
    /// repository handle, so the many merges of one cycle share the walking.
    fn fast_merge_base(&self, a: Oid, b: Oid) -> Result<Option<Oid>> {
        use std::collections::{BinaryHeap, HashMap};
        let node = |oid: Oid| self.node(oid);
        let mut flags: HashMap<Oid, u8> = HashMap::new();
        let mut queue = BinaryHeap::new();
        for (oid, flag) in [(a, 1u8), (b, 2u8)] {
            *flags.entry(oid).or_default() |= flag;
            queue.push((node(oid)?.1, oid));
        }
        while let Some((_, oid)) = queue.pop() {
            let flag = flags[&oid];
            if flag == 3 {
                return Ok(Some(oid));
            }
            for &parent in node(oid)?.0.iter() {
                let before = flags.get(&parent).copied().unwrap_or(0);
                if before | flag != before {
                    flags.insert(parent, before | flag);
                    queue.push((node(parent)?.1, parent));
                }
            }
        }
        Ok(None)
    }

    /// The oldest commit between `base` and `tip` that deleted `path` (with `line`
    /// `None`) or removed a copy of `line` from it (it has fewer copies than its first
    /// parent), if any: who meant the deletion a merge undid.
    pub fn removing(
        &self,
        path: &str,
        line: Option<&str>,
        tip: &ObjectId,
        base: &ObjectId,
    ) -> Result<Option<ObjectId>> {
        let count = |commit: &ObjectId| -> Result<usize> {
            let text = crate::policy::History::read_file(self, commit, path)?;
            Ok(match (text, line) {
                (None, _) => 0,
                (Some(_), None) => 1,
                (Some(t), Some(line)) => String::from_utf8_lossy(&t)
                    .lines()
                    .filter(|l| *l == line)
                    .count(),
            })
        };
        let mut found = None;
        for commit in crate::policy::History::walk(
            self,
            std::slice::from_ref(tip),
            std::slice::from_ref(base),
            false,
        )? {
            let Some(parent) = commit.parents.first() else {
                continue;
            };
            if !commit.is_merge() && count(&commit.id)? < count(parent)? {
                found = Some(commit.id);
            }
        }
        Ok(found)
    }

    /// The oldest commit between `base` and `tip` that added `line` to `path` (it has
    /// more copies of the line than its first parent), if any.
    pub fn introducing(
        &self,
        path: &str,
        line: &str,
        tip: &ObjectId,
        base: &ObjectId,
    ) -> Result<Option<ObjectId>> {
        let count = |commit: &ObjectId| -> Result<usize> {
            let text = crate::policy::History::read_file(self, commit, path)?;
            Ok(text.map_or(0, |t| {
                String::from_utf8_lossy(&t)
                    .lines()
                    .filter(|l| *l == line)
                    .count()
            }))
        };
        let mut found = None;
        for commit in crate::policy::History::walk(
            self,
            std::slice::from_ref(tip),
            std::slice::from_ref(base),
            false,
        )? {
            let before = match commit.parents.first() {
                Some(parent) => count(parent)?,
                None => 0,
            };
            if count(&commit.id)? > before && !commit.is_merge() {
                found = Some(commit.id);
            }
        }
        Ok(found)
    }
}
