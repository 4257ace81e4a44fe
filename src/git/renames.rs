//! The renames a merge needs, found as git's merge-ort finds them before libgit2 is
//! asked: only a path one side deleted and the other side changed (or deleted too) can
//! merge differently for being renamed ("relevant" sources, merge-ort's
//! `relevant_sources`), and an exact rename (the same blob under a new path) needs no
//! similarity measure.
//!
//! libgit2's `merge_trees` compares every deleted path with every added one, whatever
//! the other side did, and computes a similarity signature of each, exact renames
//! included: a side that moved its source tree (`src/` to `src/main/java/`, fifty files)
//! costs a hundred signatures and five thousand comparisons in every merge across it,
//! where git reads nothing. Here the trees are rewritten first: a deleted path the other
//! side kept as it was is left out of all three (deleted either way, as without the
//! rename), and an exact rename of a path the other side changed is applied to the base
//! and the other side (the file sits at its new path in all three, to merge as one
//! file). A relevant source with no exact twin is paired as git pairs it: the added
//! file most like it by git's measure (`diffcore-delta.c`: bytes of lines, or 64-byte
//! chunks of longer ones, that both hold, over the larger size), at least half alike.
//! Only what git's own rules do not settle here (a link, a file that became a
//! directory, a path both sides deleted, a target already taken) goes to libgit2's
//! rename detection.

use git2::{FileMode, Oid, Repository, Tree};

use crate::error::Result;

use super::repo::git_error;
use super::tree_diff::{changed, Lookup};

/// The three trees of a merge, renames applied; `inexact`: some relevant source is left
/// for libgit2's similarity search.
pub(super) struct Prepared<'r> {
    pub base: Tree<'r>,
    pub ours: Tree<'r>,
    pub theirs: Tree<'r>,
    pub inexact: bool,
    /// Paths that conflict whatever the trees merge to, with the base's blob there: a
    /// file renamed on one side and deleted on the other, or renamed to two paths.
    pub conflicts: Conflicts,
    /// The new paths of the renames applied: a renamed file is merged there.
    pub targets: Vec<String>,
}

/// A directory's mode in a tree entry.
const TREE: i32 = 0o040000;

/// Paths in conflict whatever the trees merge to, each with the base's, ours and
/// theirs blobs there.
pub(super) type Conflicts = Vec<(String, [Option<Oid>; 3])>;

/// An entry's id and mode, if it is a file (`100644` or `100755`).
fn file_entry(lookup: &mut Lookup, path: &str) -> Result<Option<(Oid, FileMode)>> {
    Ok(match lookup.entry(path)? {
        Some((id, 0o100644)) => Some((id, FileMode::Blob)),
        Some((id, 0o100755)) => Some((id, FileMode::BlobExecutable)),
        _ => None,
    })
}

/// Whether a new file can be written at `path` of the tree: nothing there, and no file
/// where one of its directories would be.
fn free(lookup: &mut Lookup, path: &str) -> Result<bool> {
    if lookup.entry(path)?.is_some() {
        return Ok(false);
    }
    let mut end = 0;
    for part in path.split('/') {
        end += part.len();
        if end >= path.len() {
            break;
        }
        match lookup.entry(&path[..end])? {
            None => return Ok(true),
            Some((_, TREE)) => {}
            Some(_) => return Ok(false),
        }
        end += 1;
    }
    Ok(true)
}

/// The merge of two versions of a file over `base`, as the blob both sides of a
/// rename/rename get in git; `None` when it conflicts (each side's own version is kept).
fn merge_contents(
    repo: &Repository,
    base: Oid,
    ours: Oid,
    theirs: Oid,
) -> Result<Option<(Oid, Oid)>> {
    if ours == base || ours == theirs {
        return Ok(Some((theirs, theirs)));
    }
    if theirs == base {
        return Ok(Some((ours, ours)));
    }
    let (base, ours, theirs) = (
        repo.find_blob(base).map_err(git_error)?,
        repo.find_blob(ours).map_err(git_error)?,
        repo.find_blob(theirs).map_err(git_error)?,
    );
    fn input<'b>(blob: &'b git2::Blob) -> git2::MergeFileInput<'b> {
        let mut input = git2::MergeFileInput::new();
        input.content(blob.content());
        input
    }
    let merged =
        git2::merge_file(&input(&base), &input(&ours), &input(&theirs), None).map_err(git_error)?;
    if !merged.is_automergeable() {
        return Ok(None);
    }
    let id = repo.blob(merged.content()).map_err(git_error)?;
    Ok(Some((id, id)))
}

fn basename(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// Blobs of at most this many bytes are measured for inexact renames; a larger one is
/// paired only with its exact twin (reading it whole is no price for one merge).
const MAX_MEASURED: usize = 16 << 20;

/// At most this many (source, target) pairs are measured per side and merge: git's
/// `merge.renameLimit` gives up the same way on a side with too many of both.
const MAX_PAIRS: usize = 1_000_000;

/// git's scale of rename scores (`MAX_SCORE`), and its default minimum: half alike.
const MAX_SCORE: u64 = 60_000;
const MIN_SCORE: u64 = MAX_SCORE / 2;

/// A relevant rename source: the base's file, and the other side's changed version
/// (`None`: the other side deleted it too).
#[derive(Clone, Copy)]
struct Source<'p> {
    path: &'p str,
    base: (Oid, FileMode),
    kept: Option<(Oid, FileMode)>,
}

/// The rewrites of the three trees (base, ours, theirs).
#[derive(Default)]
struct Rewrite {
    updates: [git2::build::TreeUpdateBuilder; 3],
    touched: [bool; 3],
    conflicts: Conflicts,
    targets: Vec<String>,
}

impl Rewrite {
    fn remove(&mut self, tree: usize, path: &str) {
        self.updates[tree].remove(path);
        self.touched[tree] = true;
    }

    fn upsert(&mut self, tree: usize, path: &str, (id, mode): (Oid, FileMode)) {
        self.updates[tree].upsert(path, id, mode);
        self.touched[tree] = true;
    }

    /// `source.path` renamed to `target` on one side: the base's version moved there,
    /// and the other side's (`other`) if it kept one.
    fn rename(&mut self, other: usize, source: &Source, target: &str) {
        self.targets.push(target.to_string());
        self.remove(0, source.path);
        self.upsert(0, target, source.base);
        if let Some(kept) = source.kept {
            self.remove(1 + other, source.path);
            self.upsert(1 + other, target, kept);
        }
    }
}

/// The trees of a merge of `ours` and `theirs` over `base`, irrelevant rename sources
/// left out and renames applied (see the module's comment).
pub(super) fn prepare<'r>(
    repo: &'r Repository,
    signatures: &'r std::cell::RefCell<Signatures>,
    base: &Tree<'r>,
    ours: &Tree<'r>,
    theirs: &Tree<'r>,
) -> Result<Prepared<'r>> {
    let sides = [ours, theirs];
    let mut changes: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for (side, tree) in sides.iter().enumerate() {
        changed(repo, Some(base), Some(tree), "", &mut |path| {
            changes[side].push(path.to_string())
        })?;
    }
    let mut base_at = Lookup::new(repo, base);
    let mut at = [Lookup::new(repo, ours), Lookup::new(repo, theirs)];
    let mut rewrite = Rewrite::default();
    let mut measure = Measure::new(repo, signatures)?;
    let mut inexact = false;
    // Per side, the renames found: (source, target).
    let mut plans: [Vec<(Source, &str, Oid)>; 2] = [Vec::new(), Vec::new()];
    for side in 0..2 {
        let other = 1 - side;
        // Files the side added, in path order: rename targets, and which are taken.
        let mut targets: Vec<(&str, Oid, bool)> = Vec::new();
        let mut by_id: foldhash::HashMap<Oid, Vec<usize>> = Default::default();
        let mut sources = Vec::new();
        for path in &changes[side] {
            match (base_at.entry(path)?, at[side].entry(path)?) {
                // A file where a directory was, or the reverse: left to libgit2.
                (Some((_, b)), Some((_, h))) if (b == TREE) != (h == TREE) => inexact = true,
                (None, Some(_)) => {
                    if let Some((id, _)) = file_entry(&mut at[side], path)? {
                        by_id.entry(id).or_default().push(targets.len());
                        targets.push((path, id, false));
                    }
                }
                (Some(_), None) => sources.push(path.as_str()),
                _ => {}
            }
        }
        let mut left = Vec::new();
        for path in sources {
            let kept = at[other].entry(path)?;
            if kept == base_at.entry(path)? {
                // Deleted on one side, untouched on the other: deleted, renamed or not.
                rewrite.remove(0, path);
                rewrite.remove(1 + other, path);
                continue;
            }
            let kept_file = file_entry(&mut at[other], path)?;
            let Some(base) =
                file_entry(&mut base_at, path)?.filter(|_| kept.is_none() || kept_file.is_some())
            else {
                // A link or a submodule, or a directory now: left to libgit2.
                inexact = true;
                continue;
            };
            if measure.size(base.0)? == 0 {
                // git pairs no empty file.
                continue;
            }
            let source = Source {
                path,
                base,
                kept: kept_file,
            };
            // An exact twin, one of the same name first.
            let twins = by_id.get(&base.0).map_or(&[][..], Vec::as_slice);
            let open = |same_name: bool| {
                twins.iter().copied().find(|&k| {
                    !targets[k].2 && (!same_name || basename(targets[k].0) == basename(path))
                })
            };
            match open(true).or_else(|| open(false)) {
                Some(k) => {
                    targets[k].2 = true;
                    plans[side].push((source, targets[k].0, targets[k].1));
                }
                None => left.push(source),
            }
        }
        for (source, target) in measure.pairs(&left, &mut targets)? {
            plans[side].push((left[source], targets[target].0, targets[target].1));
        }
    }
    // Per side, source path -> (target, its blob): the other side's rename of a path
    // both deleted, found without a search.
    let renamed_from: [foldhash::HashMap<&str, (&str, Oid)>; 2] = [0, 1].map(|side| {
        plans[side]
            .iter()
            .map(|(source, target, id)| (source.path, (*target, *id)))
            .collect()
    });
    for side in 0..2 {
        let other = 1 - side;
        for &(source, target, id) in &plans[side] {
            if source.kept.is_some() {
                // Renamed on one side, changed on the other: one file, at the new path.
                if free(&mut at[other], target)? && free(&mut base_at, target)? {
                    rewrite.rename(other, &source, target);
                } else {
                    inexact = true;
                }
                continue;
            }
            // Deleted on both sides: renamed on one (rename/delete), or on both.
            let theirs = renamed_from[other].get(source.path).copied();
            match theirs {
                None => {
                    if free(&mut at[other], target)? && free(&mut base_at, target)? {
                        rewrite.rename(other, &source, target);
                        let mut sides = [Some(source.base.0), None, None];
                        sides[1 + side] = Some(id);
                        rewrite.conflicts.push((target.to_string(), sides));
                    } else {
                        inexact = true;
                    }
                }
                // Both renamed it to the same path: one file there.
                Some((same, _)) if same == target => {
                    if side == 0 {
                        if free(&mut base_at, target)? {
                            rewrite.rename(other, &source, target);
                        } else {
                            inexact = true;
                        }
                    }
                }
                // Renamed to two paths (rename/rename): git leaves the base's version at
                // the old path and the sides' versions merged at both new ones, all in
                // conflict.
                Some((second, second_id)) => {
                    if side == 0 {
                        let merged = merge_contents(repo, source.base.0, id, second_id)?;
                        let (mine, yours) = merged.unwrap_or((id, second_id));
                        rewrite
                            .conflicts
                            .push((source.path.to_string(), [Some(source.base.0), None, None]));
                        rewrite
                            .conflicts
                            .push((target.to_string(), [None, Some(mine), None]));
                        rewrite
                            .conflicts
                            .push((second.to_string(), [None, None, Some(yours)]));
                    }
                }
            }
        }
    }
    let mut trees = [base, ours, theirs].map(Tree::clone).into_iter();
    let mut next = |k: usize| -> Result<Tree<'r>> {
        let tree = trees.next().expect("three trees");
        if !rewrite.touched[k] {
            return Ok(tree);
        }
        let id = rewrite.updates[k]
            .create_updated(repo, &tree)
            .map_err(git_error)?;
        repo.find_tree(id).map_err(git_error)
    };
    let (base, ours, theirs) = (next(0)?, next(1)?, next(2)?);
    Ok(Prepared {
        base,
        ours,
        theirs,
        inexact,
        conflicts: rewrite.conflicts,
        targets: rewrite.targets,
    })
}

/// A blob's chunks for the similarity measure: bytes per chunk hash.
type Chunks = std::rc::Rc<foldhash::HashMap<u64, u64>>;

/// How many bytes of blobs the chunks kept across merges (`Signatures`) may stand for.
const MAX_KEPT: usize = 32 << 20;

/// Blobs' chunks counted by one process, kept across its merges: the merges of one
/// release mostly pair the same deleted and added files. Up to `MAX_KEPT` bytes of
/// blobs; past that, each merge counts its own.
#[derive(Default)]
pub(super) struct Signatures {
    chunks: foldhash::HashMap<Oid, Chunks>,
    bytes: usize,
}

/// git's similarity measure (`diffcore-delta.c`), each blob's chunks counted once.
struct Measure<'r> {
    odb: git2::Odb<'r>,
    sizes: foldhash::HashMap<Oid, usize>,
    kept: &'r std::cell::RefCell<Signatures>,
    chunks: foldhash::HashMap<Oid, Chunks>,
    hasher: foldhash::fast::FixedState,
}

impl<'r> Measure<'r> {
    fn new(repo: &'r Repository, kept: &'r std::cell::RefCell<Signatures>) -> Result<Measure<'r>> {
        Ok(Measure {
            odb: repo.odb().map_err(git_error)?,
            sizes: Default::default(),
            kept,
            chunks: Default::default(),
            hasher: foldhash::fast::FixedState::with_seed(0),
        })
    }

    fn size(&mut self, id: Oid) -> Result<usize> {
        if let Some(size) = self.sizes.get(&id) {
            return Ok(*size);
        }
        let (size, _) = self.odb.read_header(id).map_err(git_error)?;
        self.sizes.insert(id, size);
        Ok(size)
    }

    /// Bytes per chunk hash: a chunk is a line, or 64 bytes of a longer one.
    fn chunks(&mut self, id: Oid) -> Result<Chunks> {
        if let Some(known) = self.chunks.get(&id) {
            return Ok(known.clone());
        }
        if let Some(known) = self.kept.borrow().chunks.get(&id) {
            return Ok(known.clone());
        }
        let object = self.odb.read(id).map_err(git_error)?;
        let mut counts: foldhash::HashMap<u64, u64> = Default::default();
        for line in object.data().split_inclusive(|b| *b == b'\n') {
            for chunk in line.chunks(64) {
                let hash = std::hash::BuildHasher::hash_one(&self.hasher, chunk);
                *counts.entry(hash).or_default() += chunk.len() as u64;
            }
        }
        let counts = Chunks::new(counts);
        let mut kept = self.kept.borrow_mut();
        if kept.bytes + object.len() <= MAX_KEPT {
            kept.bytes += object.len();
            kept.chunks.insert(id, counts.clone());
        } else {
            self.chunks.insert(id, counts.clone());
        }
        Ok(counts)
    }

    /// git's score of a pair, 0 to `MAX_SCORE`: the bytes both hold over the larger size.
    fn score(&mut self, a: Oid, b: Oid) -> Result<u64> {
        let largest = self.size(a)?.max(self.size(b)?) as u64;
        let (a, b) = (self.chunks(a)?, self.chunks(b)?);
        let (small, large) = if a.len() <= b.len() {
            (&a, &b)
        } else {
            (&b, &a)
        };
        let common: u64 = small
            .iter()
            .map(|(hash, bytes)| large.get(hash).map_or(0, |other| (*bytes).min(*other)))
            .sum();
        Ok(common * MAX_SCORE / largest.max(1))
    }

    /// The inexact renames of `sources` among the untaken `targets`, as git's
    /// `diffcore_rename` chooses them: every pair at least half alike, best first (the
    /// same name first among equals), each source and target used once. Pairs whose
    /// sizes differ too much to be half alike are not read.
    fn pairs(
        &mut self,
        sources: &[Source],
        targets: &mut [(&str, Oid, bool)],
    ) -> Result<Vec<(usize, usize)>> {
        let open: Vec<usize> = (0..targets.len()).filter(|k| !targets[*k].2).collect();
        if sources.is_empty() || open.is_empty() || sources.len() * open.len() > MAX_PAIRS {
            return Ok(Vec::new());
        }
        let mut scored = Vec::new();
        for (s, source) in sources.iter().enumerate() {
            let from = self.size(source.base.0)?;
            for &t in &open {
                let to = self.size(targets[t].1)?;
                let (small, large) = (from.min(to), from.max(to));
                if small == 0
                    || large > MAX_MEASURED
                    || (small as u64) * MAX_SCORE < (large as u64) * MIN_SCORE
                {
                    continue;
                }
                let score = self.score(source.base.0, targets[t].1)?;
                if score >= MIN_SCORE {
                    let same_name = basename(source.path) == basename(targets[t].0);
                    scored.push((std::cmp::Reverse(score), !same_name, s, t));
                }
            }
        }
        scored.sort_unstable();
        let mut taken = vec![false; sources.len()];
        let mut out = Vec::new();
        for (_, _, s, t) in scored {
            if !taken[s] && !targets[t].2 {
                taken[s] = true;
                targets[t].2 = true;
                out.push((s, t));
            }
        }
        Ok(out)
    }
}
