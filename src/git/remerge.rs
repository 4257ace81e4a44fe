//! Re-merging a merge commit's parents to see what its recorded result left out.
//!
//! The cheap thing first: a path changed on one side only should hold that side's
//! version, a path changed identically on both sides that version; only a path changed
//! differently on both sides needs a file merge (libgit2's `merge_file`, in memory, no
//! index). Only the paths whose recorded result differs from the re-merge are returned,
//! with the texts a judgement needs.

use std::rc::Rc;

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
    /// The re-merged text, with `<<<…` / `===…` / `>>>…` markers of
    /// `CONFLICT_MARKER_SIZE` characters around the conflicts when it did not merge
    /// cleanly; `None` when a side deleted the file.
    pub auto: Option<String>,
    pub conflicted: bool,
    /// Some version of the file is not text: judged as a whole.
    pub binary: bool,
}

/// The length of the conflict markers in a re-merged text: longer than any line a file
/// holds by chance (an RST heading's `=========` underline is no `=======` separator), so
/// that the conflict regions read back are the merge's.
pub const CONFLICT_MARKER_SIZE: usize = 32;

impl Repo {
    /// What merge `id` did differently from re-merging its parents.
    pub fn remerge(&self, id: &ObjectId) -> Result<Vec<Remerged>> {
        let repo = self.raw();
        let merge = repo.find_commit(self.oid(id)?).map_err(git_error)?;
        if merge.parent_count() < 2 {
            return Ok(Vec::new());
        }
        self.scratch_objects()?;
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
            // One painting, as libgit2's merge of the two paints: its first common
            // ancestor (the newest) for the per-path re-merge, and only if git's whole
            // merge is needed, all merge bases.
            let mut painting = self.painting(other.id(), &[first.id()])?;
            let mut found = painting.first_common(self)?;
            let start = out.len();
            'base: loop {
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
                let mut paths = candidate_paths(repo, &base_tree, &ours, &theirs, &result)?;
                // A side that deleted or added a path the cheap re-merge gets wrong may have
                // renamed it: git follows renames (a file renamed on one side and edited on
                // the other is one file), so then the re-merge is git's whole merge,
                // renames followed, asked before any path is judged: a renamed file's new
                // path passes the cheap re-merge (added on one side, kept by the result)
                // while git merged the other side's edits into it.
                let mut whole_first = false;
                for path in &paths {
                    let (b, o, t, r) = (
                        base_at.id(path)?,
                        parents_at[0].id(path)?,
                        parents_at[n].id(path)?,
                        result_at.id(path)?,
                    );
                    if cheap_merge(b, o, t) != Some(r) && [o, t, b].iter().any(Option::is_none) {
                        // The painting is finished first (see below).
                        if let [only] = painting.bases(self)? {
                            if found != Some(*only) {
                                found = Some(*only);
                                out.truncate(start);
                                continue 'base;
                            }
                        }
                        whole_first = true;
                        break;
                    }
                }
                if whole_first {
                    let whole =
                        self.virtual_merge(first.id(), other.id(), painting.bases(self)?, true)?;
                    // A renamed file is judged at its new path, where git merged it (the
                    // other side's changes included), even where neither diff above
                    // names it.
                    if let Some((_, targets)) = &whole {
                        paths.extend(targets.iter().cloned());
                        paths.sort_unstable();
                        paths.dedup();
                    }
                    virtual_merge = Some(whole.map(|(merged, _)| merged));
                }
                for path in paths {
                    let (mut b, mut o, mut t, r) = (
                        base_at.id(&path)?,
                        parents_at[0].id(&path)?,
                        parents_at[n].id(&path)?,
                        result_at.id(&path)?,
                    );
                    let mut trivial = cheap_merge(b, o, t);
                    if trivial == Some(r) && !whole_first {
                        continue;
                    }
                    // The first path that asks finishes the painting. The first common
                    // ancestor found is the newest by commit time; where clocks tie or run
                    // wrong it may be an ancestor of a better one (the best being git's
                    // only merge base): then the re-merge starts again over that one.
                    if virtual_merge.is_none() {
                        if let [only] = painting.bases(self)? {
                            if found != Some(*only) {
                                found = Some(*only);
                                out.truncate(start);
                                continue 'base;
                            }
                        }
                    }
                    if virtual_merge.is_none() {
                        virtual_merge = Some(
                            self.virtual_merge(
                                first.id(),
                                other.id(),
                                painting.bases(self)?,
                                false,
                            )?
                            .map(|(merged, _)| merged),
                        );
                    }
                    if let Some(Some(virt)) = &virtual_merge {
                        match merged_at(virt, &path, o, t) {
                            // git's recursive merge resolves the path: that is the re-merge.
                            Some(VirtualPath::Merged(oid)) => trivial = Some(Some(oid)),
                            // A conflict over the virtual base's version, between the
                            // sides' versions git merged there (a side's renamed file
                            // included: it sits at this path in git's merge).
                            Some(VirtualPath::Conflict([ancestor, mine, yours])) => {
                                (b, o, t) = (ancestor, mine, yours);
                                trivial = None;
                            }
                            None => trivial = Some(None),
                            Some(VirtualPath::Unchanged) => {
                                unreachable!("merged_at answers for what is unchanged")
                            }
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
                    // Bytes first: most paths merge cleanly to the result, and need no
                    // text at all (a copy and a UTF-8 check of every version).
                    let read = |oid: Option<Oid>| -> Result<Option<git2::Blob>> {
                        oid.map(|oid| repo.find_blob(oid).map_err(git_error))
                            .transpose()
                    };
                    let content = |blob: &Option<git2::Blob>| -> Option<Vec<u8>> {
                        blob.as_ref().map(|b| b.content().to_vec())
                    };
                    let (base_blob, ours_blob, theirs_blob, result_blob) =
                        (read(b)?, read(o)?, read(t)?, read(r)?);
                    let binary = [&base_blob, &ours_blob, &theirs_blob, &result_blob]
                        .into_iter()
                        .flatten()
                        .any(|blob| super::is_binary(blob.content()));
                    let (auto, conflicted): (Option<Vec<u8>>, bool) =
                        match (trivial, &ours_blob, &theirs_blob) {
                            // Mostly a version just read: copied, not read again.
                            (Some(oid), _, _) => match [
                                (b, &base_blob),
                                (o, &ours_blob),
                                (t, &theirs_blob),
                                (r, &result_blob),
                            ]
                            .into_iter()
                            .find(|(version, _)| *version == oid)
                            {
                                Some((_, known)) => (content(known), false),
                                None => (content(&read(oid)?), false),
                            },
                            (None, Some(ours_blob), Some(theirs_blob)) if !binary => {
                                let mut anc = MergeFileInput::new();
                                anc.content(
                                    base_blob.as_ref().map(|b| b.content()).unwrap_or_default(),
                                );
                                let mut our = MergeFileInput::new();
                                our.content(ours_blob.content());
                                let mut their = MergeFileInput::new();
                                their.content(theirs_blob.content());
                                let mut options = git2::MergeFileOptions::new();
                                options.marker_size(CONFLICT_MARKER_SIZE as u16);
                                let merged =
                                    git2::merge_file(&anc, &our, &their, Some(&mut options))
                                        .map_err(git_error)?;
                                let clean = merged.is_automergeable();
                                if clean
                                    && result_blob.as_ref().map(|b| b.content())
                                        == Some(merged.content())
                                {
                                    continue;
                                }
                                (Some(merged.content().to_vec()), !clean)
                            }
                            // Modified on one side, deleted on the other; or binary on both.
                            _ => (None, true),
                        };
                    let text =
                        |blob: &Option<git2::Blob>| blob.as_ref().map(|b| super::text(b.content()));
                    let (base_text, ours_text, theirs_text, result_text) = (
                        text(&base_blob),
                        text(&ours_blob),
                        text(&theirs_blob),
                        text(&result_blob),
                    );
                    let auto = auto.map(|bytes| match String::from_utf8(bytes) {
                        Ok(text) => text,
                        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    });
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
                break;
            }
        }
        Ok(out)
    }
}

/// What a merge of a path gives when no file merge is needed (one side changed it, or
/// both alike), from the base's, ours and theirs entries; `None`: a file merge is.
fn cheap_merge(b: Option<Oid>, o: Option<Oid>, t: Option<Oid>) -> Option<Option<Oid>> {
    if o == t {
        Some(o)
    } else if o == b {
        Some(t)
    } else if t == b {
        Some(o)
    } else {
        None
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
pub(super) type Virtual = foldhash::HashMap<String, VirtualPath>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum VirtualPath {
    /// Merged without conflict, to this blob.
    Merged(Oid),
    /// A conflict: the (virtual) merge base's blob, ours and theirs, where there are.
    Conflict([Option<Oid>; 3]),
    /// The same in the base, ours and theirs (a file, or a directory and all it holds):
    /// not merged, ours as it is.
    Unchanged,
}

/// What git's merge gave at `path`, where the merged commits hold `ours` and `theirs`:
/// its own entry, or, in what was the same in the merge's three trees (an unchanged
/// file, or a path in an unchanged directory), ours as it is. There the sides differ
/// only where the merge's trees had the path left out, a file one side deleted and the
/// other left alone, or a renamed file's old path: gone from the merge. `None` where
/// the merge has no file.
pub(super) fn merged_at(
    merged: &Virtual,
    path: &str,
    ours: Option<Oid>,
    theirs: Option<Oid>,
) -> Option<VirtualPath> {
    let found = merged.get(path).or_else(|| {
        path.match_indices('/')
            .map(|(at, _)| &path[..at])
            .find_map(|dir| merged.get(dir))
            .filter(|found| **found == VirtualPath::Unchanged)
    })?;
    match found {
        VirtualPath::Unchanged => match ours {
            Some(oid) if ours == theirs => Some(VirtualPath::Merged(oid)),
            _ => None,
        },
        other => Some(other.clone()),
    }
}

/// What a merge's index says of each path: merged, or conflicting between which blobs.
pub(super) fn per_path(index: &git2::Index) -> Virtual {
    let mut out = Virtual::default();
    for entry in index.iter() {
        let path = super::text(&entry.path);
        match (entry.flags >> 12) & 3 {
            0 => {
                out.insert(path, VirtualPath::Merged(entry.id));
            }
            stage => {
                if let VirtualPath::Conflict(sides) =
                    out.entry(path).or_insert(VirtualPath::Conflict([None; 3]))
                {
                    sides[usize::from(stage - 1)] = Some(entry.id);
                }
            }
        }
    }
    out
}

impl Repo {
    /// What git's merge of the two commits gives, path by path (a virtual merge base for
    /// parents with more than one, rename detection): for criss-cross histories, and with
    /// `renames` whenever a side deleted or added a path. `bases`: their merge bases, as
    /// `merge_bases_many` orders them. `None` when neither applies (the cheap per-path
    /// re-merge agrees with git). Also the new paths of the files git merged renamed.
    pub(super) fn virtual_merge(
        &self,
        ours: Oid,
        theirs: Oid,
        bases: &[Oid],
        renames: bool,
    ) -> Result<Option<(Virtual, Vec<String>)>> {
        if bases.is_empty() || bases.len() < 2 && !renames {
            return Ok(None);
        }
        let (index, conflicts, targets, same) = self.merge_over_bases(ours, theirs, bases)?;
        let mut merged = per_path(&index);
        for (path, sides) in conflicts {
            merged.insert(path, VirtualPath::Conflict(sides));
        }
        for path in same {
            merged.insert(path, VirtualPath::Unchanged);
        }
        Ok(Some((merged, targets)))
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
        let mut versions = Versions::new(self, path, line);
        let mut found = None;
        for step in self.steps(tip, base)?.iter() {
            let (Some(parent), false) = (step.first_parent, step.merge) else {
                continue;
            };
            if let Some((before, after)) = versions.changed(parent, step.id)? {
                if versions.count(after)? < versions.count(before)? {
                    found = Some(to_id(step.id));
                }
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
        let mut versions = Versions::new(self, path, Some(line));
        let mut found = None;
        for step in self.steps(tip, base)?.iter().filter(|s| !s.merge) {
            let (before, after) = match step.first_parent {
                Some(parent) => match versions.changed(parent, step.id)? {
                    Some(pair) => pair,
                    None => continue,
                },
                None => (None, versions.at(step.id)?),
            };
            if versions.count(after)? > versions.count(before)? {
                found = Some(step.id);
            }
        }
        Ok(found.map(to_id))
    }

    /// The commits between `base` and `tip` (as `History::walk` lists them: children
    /// before parents), read once per process: a merge's findings ask about the same
    /// side many times, one path or line at a time.
    fn steps(&self, tip: &ObjectId, base: &ObjectId) -> Result<Rc<[Step]>> {
        let key = (self.oid(tip)?, self.oid(base)?);
        if let Some(known) = self.steps.borrow().get(&key) {
            return Ok(known.clone());
        }
        let walk = crate::policy::History::walk(
            self,
            std::slice::from_ref(tip),
            std::slice::from_ref(base),
            false,
        )?;
        let steps: Rc<[Step]> = walk
            .iter()
            .map(|c| -> Result<Step> {
                Ok(Step {
                    id: self.oid(&c.id)?,
                    first_parent: c.parents.first().map(|p| self.oid(p)).transpose()?,
                    merge: c.is_merge(),
                })
            })
            .collect::<Result<_>>()?;
        self.steps.borrow_mut().insert(key, steps.clone());
        Ok(steps)
    }
}

/// A commit of the walk `introducing` and `removing` follow.
pub(super) struct Step {
    id: Oid,
    first_parent: Option<Oid>,
    merge: bool,
}

/// Per (tip, base): the walk between them.
pub(super) type Steps = foldhash::HashMap<(Oid, Oid), Rc<[Step]>>;

/// One file's versions along a walk, blame-like: a commit whose entry for the path is
/// its parent's has the same lines, so only commits that changed the file are read, and
/// each version of it once.
struct Versions<'a> {
    repo: &'a Repo,
    path: &'a str,
    /// `None`: whether the file is there at all.
    line: Option<&'a str>,
    entries: foldhash::HashMap<Oid, Option<Oid>>,
    counts: foldhash::HashMap<Oid, usize>,
}

impl<'a> Versions<'a> {
    fn new(repo: &'a Repo, path: &'a str, line: Option<&'a str>) -> Versions<'a> {
        Versions {
            repo,
            path,
            line,
            entries: Default::default(),
            counts: Default::default(),
        }
    }

    /// The blob at the path in `commit`, if there is one (`History::read_file`'s file).
    fn at(&mut self, commit: Oid) -> Result<Option<Oid>> {
        if let Some(known) = self.entries.get(&commit) {
            return Ok(*known);
        }
        let tree = self
            .repo
            .raw()
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(git_error)?;
        let blob = match tree.get_path(std::path::Path::new(self.path)) {
            Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => Some(entry.id()),
            Ok(_) => None,
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(git_error(e)),
        };
        self.entries.insert(commit, blob);
        Ok(blob)
    }

    /// The versions before and after `commit` (of `parent`, and its own) when they
    /// differ; `None` when the commit left the file as it was.
    #[allow(clippy::type_complexity)]
    fn changed(&mut self, parent: Oid, commit: Oid) -> Result<Option<(Option<Oid>, Option<Oid>)>> {
        let (before, after) = (self.at(parent)?, self.at(commit)?);
        Ok((before != after).then_some((before, after)))
    }

    /// How many copies of the line a version holds (with no line: 1 when there is a
    /// file), read as `History::read_file` reads it.
    fn count(&mut self, blob: Option<Oid>) -> Result<usize> {
        let Some(blob) = blob else {
            return Ok(0);
        };
        if let Some(known) = self.counts.get(&blob) {
            return Ok(*known);
        }
        let count = match (self.repo.blob_capped(blob, self.path)?, self.line) {
            (None, _) => 0,
            (Some(_), None) => 1,
            (Some(text), Some(line)) => String::from_utf8_lossy(&text)
                .lines()
                .filter(|l| *l == line)
                .count(),
        };
        self.counts.insert(blob, count);
        Ok(count)
    }
}
