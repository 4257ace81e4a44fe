//! git's merge of two commits with several merge bases (a criss-cross history), made
//! as libgit2's `git_merge_commits` makes it (`compute_base`, `create_virtual_base` in
//! its `merge.c`), but with the merge bases found in the shared commit graph
//! (`graph.rs`): libgit2 would parse history again, of its own, for every merge and
//! every level of the virtual base.
//!
//! The bases, oldest first, are merged pairwise into a virtual base: each pair over its
//! own merge bases (found the same way, recursively), its conflicting regions kept as
//! conflict-marked text, as libgit2 and git do. The two commits are then merged over
//! that base.

use git2::{Binding, Index, MergeOptions, Oid, Tree};
use libgit2_sys as raw;

use crate::error::Result;

use super::repo::git_error;
use super::Repo;

/// libgit2's `GIT_MERGE_VIRTUAL_BASE` (`git2/merge.h`; libgit2-sys names only the older
/// flags): merge as for a virtual base, conflicting regions kept with their markers.
const GIT_MERGE_VIRTUAL_BASE: u32 = 1 << 4;

/// One side of a merge as libgit2's `create_virtual_base` sees it: a commit, or the
/// merge of several (a virtual base) held as a tree.
#[derive(Clone)]
struct Side {
    tree: Oid,
    /// The commits it was made of (the commit itself for a real one): a virtual
    /// commit's merge bases with another commit are theirs.
    heads: Vec<Oid>,
}

impl Repo {
    /// git's merge of `ours` and `theirs`, whose merge bases, as `merge_bases_many`
    /// orders them, are `bases` (already known to the caller), renames found.
    /// Also the paths that conflict whatever the index says and the new paths of
    /// renamed files (`Prepared::conflicts`, `Prepared::targets`).
    pub(super) fn merge_over_bases(
        &self,
        ours: Oid,
        theirs: Oid,
        bases: &[Oid],
    ) -> Result<(Index, super::renames::Conflicts, Vec<String>, Vec<String>)> {
        let base = self.fold_bases(bases)?;
        let repo = self.raw();
        let tree_of = |oid: Oid| {
            repo.find_commit(oid)
                .and_then(|c| c.tree())
                .map_err(git_error)
        };
        let (ours, theirs) = (tree_of(ours)?, tree_of(theirs)?);
        let base = match base {
            Some(side) => repo.find_tree(side.tree).map_err(git_error)?,
            None => repo
                .treebuilder(None)
                .and_then(|b| b.write())
                .and_then(|oid| repo.find_tree(oid))
                .map_err(git_error)?,
        };
        // The renames that matter found first, as git finds them (see `renames.rs`);
        // libgit2 looks for the rest, if any are left.
        let prepared = super::renames::prepare(repo, &self.signatures, &base, &ours, &theirs)?;
        let mut options = MergeOptions::new();
        options.find_renames(prepared.inexact);
        let (trees, same) =
            without_unchanged(repo, [&prepared.base, &prepared.ours, &prepared.theirs])?;
        let index = repo
            .merge_trees(&trees[0], &trees[1], &trees[2], Some(&options))
            .map_err(git_error)?;
        Ok((index, prepared.conflicts, prepared.targets, same))
    }

    /// libgit2's `compute_base` once the bases are known: none, one, or (oldest first)
    /// each next base merged into those before it.
    fn fold_bases(&self, bases: &[Oid]) -> Result<Option<Side>> {
        let mut oldest_first = bases.iter().rev();
        let Some(&first) = oldest_first.next() else {
            return Ok(None);
        };
        let mut base = self.real_side(first)?;
        for &other in oldest_first {
            base = self.virtual_base(&base, &self.real_side(other)?)?;
        }
        Ok(Some(base))
    }

    fn real_side(&self, commit: Oid) -> Result<Side> {
        let tree = self.raw().find_commit(commit).map_err(git_error)?.tree_id();
        Ok(Side {
            tree,
            heads: vec![commit],
        })
    }

    /// libgit2's `create_virtual_base`: `one` and `two` merged over their own merge
    /// bases (those of `two` and a merge of `one`'s heads, in that order, as libgit2
    /// asks), conflicts left in the text. Kept per pair: the merges of one release often
    /// share their bases.
    fn virtual_base(&self, one: &Side, two: &Side) -> Result<Side> {
        let heads: Vec<Oid> = one.heads.iter().chain(&two.heads).copied().collect();
        if let Some(tree) = self.virtual_bases.borrow().get(&heads) {
            return Ok(Side { tree: *tree, heads });
        }
        let asked: Vec<Oid> = two.heads.iter().chain(&one.heads).copied().collect();
        let bases = self.merge_bases_many(asked[0], &asked[1..])?;
        let base = self.fold_bases(&bases)?;
        let repo = self.raw();
        let find = |oid: Oid| repo.find_tree(oid).map_err(git_error);
        let base = base.map(|side| find(side.tree)).transpose()?;
        let index = merge_as_virtual_base(repo, base.as_ref(), &find(one.tree)?, &find(two.tree)?)?;
        let tree = tree_without_conflicts(repo, &index)?;
        self.virtual_bases.borrow_mut().insert(heads.clone(), tree);
        Ok(Side { tree, heads })
    }
}

/// The trees of a merge (base, ours, theirs) without what is the same in all three, a
/// file or a whole directory, and the paths of what was left out: libgit2's merge lists
/// every path of the three trees in its index, checking each name, where git's
/// merge-ort takes an unchanged directory whole. (Nothing left out is a rename's source
/// or target: a source is gone from a side, a target from the base.)
fn without_unchanged<'r>(
    repo: &'r git2::Repository,
    trees: [&Tree<'r>; 3],
) -> Result<([Tree<'r>; 3], Vec<String>)> {
    let mut raw_paths = Vec::new();
    unchanged(repo, trees, &mut Vec::new(), &mut raw_paths)?;
    let mut out = Vec::new();
    for tree in trees {
        if raw_paths.is_empty() {
            out.push(tree.clone());
            continue;
        }
        let mut update = git2::build::TreeUpdateBuilder::new();
        for path in &raw_paths {
            update.remove(path.as_slice());
        }
        let oid = update.create_updated(repo, tree).map_err(git_error)?;
        out.push(repo.find_tree(oid).map_err(git_error)?);
    }
    let same = raw_paths.iter().map(|path| super::text(path)).collect();
    let [base, ours, theirs]: [Tree<'r>; 3] = out
        .try_into()
        .unwrap_or_else(|_| unreachable!("three trees in, three out"));
    Ok(([base, ours, theirs], same))
}

/// The entries of `trees` (base, ours, theirs: one directory of each) that are the same
/// in all three, as paths under `dir`; directories that differ are looked into.
fn unchanged(
    repo: &git2::Repository,
    trees: [&Tree; 3],
    dir: &mut Vec<u8>,
    out: &mut Vec<Vec<u8>>,
) -> Result<()> {
    for entry in trees[1].iter() {
        let name = entry.name_bytes();
        let (Some(base), Some(theirs)) =
            (trees[0].get_name_bytes(name), trees[2].get_name_bytes(name))
        else {
            continue;
        };
        let mode = entry.filemode();
        let depth = dir.len();
        if !dir.is_empty() {
            dir.push(b'/');
        }
        dir.extend_from_slice(name);
        if base.id() == entry.id()
            && theirs.id() == entry.id()
            && base.filemode() == mode
            && theirs.filemode() == mode
        {
            out.push(dir.clone());
        } else if [base.filemode(), mode, theirs.filemode()] == [0o040000; 3] {
            let find = |id| repo.find_tree(id).map_err(git_error);
            let (b, o, t) = (find(base.id())?, find(entry.id())?, find(theirs.id())?);
            unchanged(repo, [&b, &o, &t], dir, out)?;
        }
        dir.truncate(depth);
    }
    Ok(())
}

/// `git_merge_trees` with `GIT_MERGE_VIRTUAL_BASE` (and renames found, as for the merge
/// it is the base of): a file whose regions conflict is merged all the same, into its
/// conflict-marked text (labels "Temporary merge branch 1" and "2", markers of nine);
/// what still conflicts (a file deleted on one side and changed on the other, a rename
/// on both) stays a conflict.
fn merge_as_virtual_base(
    repo: &git2::Repository,
    base: Option<&Tree>,
    one: &Tree,
    two: &Tree,
) -> Result<Index> {
    let mut options = std::mem::MaybeUninit::<raw::git_merge_options>::uninit();
    let mut out = std::ptr::null_mut();
    // SAFETY: the options are initialised by libgit2 before use; the repository and
    // trees outlive the call; the index libgit2 returns is owned by the `Index` made
    // from it (freed on drop) and by nothing else.
    unsafe {
        let code =
            raw::git_merge_init_options(options.as_mut_ptr(), raw::GIT_MERGE_OPTIONS_VERSION);
        if code < 0 {
            return Err(git_error(git2::Error::last_error(code)));
        }
        let mut options = options.assume_init();
        options.flags |= GIT_MERGE_VIRTUAL_BASE;
        let code = raw::git_merge_trees(
            &mut out,
            repo.raw(),
            base.map_or(std::ptr::null(), |t| t.raw().cast_const()),
            one.raw(),
            two.raw(),
            &options,
        );
        if code < 0 {
            return Err(git_error(git2::Error::last_error(code)));
        }
        Ok(Index::from_raw(out))
    }
}

/// The tree of a virtual base: what merged (conflicted text included); what still
/// conflicts is left out, as libgit2 leaves it out when it reads the merged index as
/// the next merge's base (its index iterator skips conflicts).
fn tree_without_conflicts(repo: &git2::Repository, index: &Index) -> Result<Oid> {
    let mut merged = Index::new().map_err(git_error)?;
    for entry in index.iter() {
        let stage = (entry.flags >> 12) & 3;
        if stage == 0 {
            merged.add(&entry).map_err(git_error)?;
        }
    }
    merged.write_tree_to(repo).map_err(git_error)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use git2::{Commit, FileMode, MergeOptions, Oid, Repository, Signature, Time};

    use super::super::remerge::{per_path, Virtual, VirtualPath};
    use super::super::Repo;

    /// The check's merge of `ours` and `theirs` over `bases`, path by path.
    fn virtual_merged(
        repo: &Repo,
        ours: Oid,
        theirs: Oid,
        bases: &[Oid],
        renames: bool,
    ) -> Virtual {
        let merged = repo.virtual_merge(ours, theirs, bases, renames).unwrap();
        merged.expect("a merge within the bounds").0
    }

    /// The paths both sides have alike, where the merge keeps them, and those of the
    /// sides the merge has no file at: asserted to be what the check's merge answers
    /// there (its own entry, or, in what was unchanged, ours as it is: see `merged_at`),
    /// then left out of both maps, which compare on the rest.
    fn agree_on_same(repo: &Repo, ours: Oid, theirs: Oid, mine: &mut Virtual, git: &mut Virtual) {
        let raw = repo.raw();
        let tree = |c: Oid| raw.find_commit(c).unwrap().tree().unwrap();
        let (o, t) = (tree(ours), tree(theirs));
        let id =
            |tree: &git2::Tree, path: &str| tree.get_path(Path::new(path)).ok().map(|e| e.id());
        let at = |path: &str| {
            let (ours, theirs) = (id(&o, path), id(&t, path));
            let answer = super::super::remerge::merged_at(mine, path, ours, theirs);
            (ours, theirs, answer)
        };
        // Every file of a side that git's merge has not: gone in the check's too.
        for side in [&o, &t] {
            side.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(git2::ObjectType::Blob) {
                    let path = format!("{dir}{}", entry.name().unwrap());
                    if !git.contains_key(&path) {
                        let (_, _, answer) = at(&path);
                        assert_eq!(answer, None, "{path}: git's merge has no file");
                    }
                }
                git2::TreeWalkResult::Ok
            })
            .unwrap();
        }
        git.retain(|path, merged| {
            let (ours, theirs, answer) = at(path);
            let VirtualPath::Merged(blob) = merged else {
                return true;
            };
            if ours != Some(*blob) || theirs != Some(*blob) {
                return true;
            }
            assert_eq!(answer.as_ref(), Some(&*merged), "{path}");
            false
        });
        mine.retain(|path, merged| match merged {
            VirtualPath::Unchanged => false,
            VirtualPath::Merged(blob) => {
                !(id(&o, path) == Some(*blob) && id(&t, path) == Some(*blob))
            }
            VirtualPath::Conflict(_) => true,
        });
    }

    /// libgit2's own merge of the two commits (its merge bases and virtual base found by
    /// itself), path by path: what `virtual_merge` must give.
    fn libgit2_merge(repo: &Repo, ours: Oid, theirs: Oid) -> Virtual {
        let raw = repo.raw();
        let (ours, theirs) = (
            raw.find_commit(ours).unwrap(),
            raw.find_commit(theirs).unwrap(),
        );
        let index = raw
            .merge_commits(&ours, &theirs, Some(&MergeOptions::new()))
            .unwrap();
        per_path(&index)
    }

    /// The paths a rename could concern in the merge of `ours` and `theirs` over their
    /// virtual base (every path added or deleted on a side, when a path deleted on one
    /// side was changed or deleted on the other), or none.
    fn renamed_paths(
        repo: &Repo,
        ours: Oid,
        theirs: Oid,
        bases: &[Oid],
    ) -> std::collections::HashSet<String> {
        let raw = repo.raw();
        let base = repo.fold_bases(bases).unwrap().unwrap();
        let base = raw.find_tree(base.tree).unwrap();
        let tree = |c: Oid| raw.find_commit(c).unwrap().tree().unwrap();
        let sides = [tree(ours), tree(theirs)];
        let entry = |t: &git2::Tree, p: &str| t.get_path(Path::new(p)).ok().map(|e| e.id());
        let (mut paths, mut relevant) = (std::collections::HashSet::new(), false);
        for (k, side) in sides.iter().enumerate() {
            let diff = raw
                .diff_tree_to_tree(Some(&base), Some(side), None)
                .unwrap();
            for delta in diff.deltas() {
                let path = delta
                    .new_file()
                    .path()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                let (before, after) = (entry(&base, &path), entry(side, &path));
                if before.is_some() && after.is_none() {
                    relevant |= entry(&sides[1 - k], &path) != before;
                }
                if before.is_none() || after.is_none() {
                    paths.insert(path);
                }
            }
        }
        if !relevant {
            paths.clear();
        }
        paths
    }

    /// Every two-parent merge of the repository's branches: (merge, first parent, second
    /// parent, their merge bases as `merge_bases_many` orders them).
    fn two_parent_merges(repo: &Repo) -> Vec<(Oid, Oid, Oid, Vec<Oid>)> {
        let mut walk = repo.raw().revwalk().unwrap();
        walk.push_glob("*").unwrap();
        let mut out = Vec::new();
        for oid in walk {
            let merge = repo.raw().find_commit(oid.unwrap()).unwrap();
            if merge.parent_count() != 2 {
                continue;
            }
            let (ours, theirs) = (merge.parent_id(0).unwrap(), merge.parent_id(1).unwrap());
            let bases = repo.merge_bases_many(theirs, &[ours]).unwrap();
            out.push((merge.id(), ours, theirs, bases));
        }
        out
    }

    /// Every two-parent merge whose parents have two or more merge bases, re-merged both
    /// ways and compared: (merges compared, most bases, how many with a conflict left,
    /// how many whose oldest two bases are criss-cross too).
    fn compare_every_criss_cross_merge(dir: &Path) -> (usize, usize, usize, usize) {
        let repo = Repo::discover(dir).unwrap();
        repo.scratch_objects().unwrap();
        let (mut compared, mut most, mut conflicted, mut deep) = (0, 0, 0, 0);
        for (merge, ours, theirs, bases) in two_parent_merges(&repo) {
            if bases.len() < 2 {
                continue;
            }
            let mut expected = libgit2_merge(&repo, ours, theirs);
            // Renames are paired as git pairs them (`renames.rs`), not as libgit2 does:
            // their paths are compared with git's own merge elsewhere.
            let renamed = renamed_paths(&repo, ours, theirs, &bases);
            expected.retain(|path, _| !renamed.contains(path));
            for renames in [false, true] {
                let mut ours_map = virtual_merged(&repo, ours, theirs, &bases, renames);
                ours_map.retain(|path, _| !renamed.contains(path));
                let mut expected = expected.clone();
                agree_on_same(&repo, ours, theirs, &mut ours_map, &mut expected);
                assert_eq!(ours_map, expected, "merge {} of {}", merge, dir.display());
            }
            compared += 1;
            most = most.max(bases.len());
            let (newer, oldest) = (bases[bases.len() - 2], bases[bases.len() - 1]);
            deep += usize::from(repo.merge_bases_many(newer, &[oldest]).unwrap().len() > 1);
            conflicted += usize::from(
                expected
                    .values()
                    .any(|p| matches!(p, super::super::remerge::VirtualPath::Conflict(_))),
            );
        }
        (compared, most, conflicted, deep)
    }

    /// Builds `tests/fixtures/check-master/NAME.sh` in `dir` as the integration tests do
    /// (a hermetic git environment, every commit at one second unless the script says).
    fn fixture(name: &str, dir: &Path) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/check-master")
            .join(format!("{name}.sh"));
        let target = dir.join(name);
        crate::git::hermetic_bash(dir, &[script.as_os_str(), target.as_os_str()]);
    }

    #[test]
    fn criss_cross_fixtures_merge_as_libgit2_merges_them() {
        let dir = tempfile::tempdir().unwrap();
        // (fixture, criss-cross merges, most merge bases)
        for (name, merges, bases) in [
            ("criss-cross", 1, 2),
            ("criss-cross-virtual-base", 1, 2),
            ("criss-cross-three-bases", 1, 3),
            // The last merge's bases are themselves criss-cross, and so are those of
            // the second cross merges.
            ("criss-cross-recursive", 3, 2),
        ] {
            fixture(name, dir.path());
            let (compared, most, _, deep) = compare_every_criss_cross_merge(&dir.path().join(name));
            assert_eq!((compared, most), (merges, bases), "{name}");
            assert_eq!(deep > 0, name == "criss-cross-recursive", "{name}");
        }
    }

    /// A small deterministic generator (xorshift), so that a failing history can be rebuilt.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n.max(1)
        }
    }

    /// A commit's tree after `i`'s work on it: lines of its files rewritten, now and then
    /// a file deleted, added or renamed (flat files of ten lines).
    fn edit(raw: &Repository, rng: &mut Rng, tree: &git2::Tree, i: usize) -> Oid {
        let mut files: Vec<(String, Vec<String>)> = tree
            .iter()
            .map(|e| {
                let blob = raw.find_blob(e.id()).unwrap();
                let text = String::from_utf8_lossy(blob.content()).into_owned();
                (
                    e.name().unwrap().to_string(),
                    text.lines().map(String::from).collect(),
                )
            })
            .collect();
        match rng.below(12) {
            0 if files.len() > 2 => {
                files.remove(rng.below(files.len() as u64) as usize);
            }
            1 if !files.is_empty() => {
                let k = rng.below(files.len() as u64) as usize;
                files[k].0 = format!("moved-{i}");
            }
            2 => files.push((
                format!("new-{i}"),
                (0..10).map(|l| format!("n{i} {l}")).collect(),
            )),
            _ => {}
        }
        for _ in 0..=rng.below(2) {
            if files.is_empty() {
                break;
            }
            let k = rng.below(files.len() as u64) as usize;
            let line = rng.below(10) as usize;
            files[k].1[line] = format!("c{i} line {line}");
        }
        let mut builder = raw.treebuilder(None).unwrap();
        for (name, lines) in &files {
            let blob = raw
                .blob(format!("{}\n", lines.join("\n")).as_bytes())
                .unwrap();
            builder.insert(name, blob, FileMode::Blob.into()).unwrap();
        }
        builder.write().unwrap()
    }

    /// The tree git's merge of the two commits gives, each conflict settled for one
    /// side's version (ours when it has one), as a developer might.
    fn merged(raw: &Repository, ours: &Commit, theirs: &Commit) -> Oid {
        let mut index = raw.merge_commits(ours, theirs, None).unwrap();
        let mut settled = Vec::new();
        for conflict in index.conflicts().unwrap() {
            let conflict = conflict.unwrap();
            settled.extend(conflict.our.or(conflict.their));
        }
        let mut clean = git2::Index::new().unwrap();
        for entry in index.iter().filter(|e| (e.flags >> 12) & 3 == 0) {
            clean.add(&entry).unwrap();
        }
        for mut entry in settled {
            entry.flags &= !(3 << 12);
            clean.add(&entry).unwrap();
        }
        index.clear().unwrap();
        clean.write_tree_to(raw).unwrap()
    }

    /// `n` commits on four branches: work, and merges of another branch's tip or recent
    /// commit (criss-cross histories, some with bases of bases criss-cross too), clocks
    /// set wrong now and then and commits sharing a second.
    fn history(raw: &Repository, rng: &mut Rng, n: usize) {
        let sig = |i: usize, rng: &mut Rng| {
            let time = match rng.below(10) {
                0 => rng.below(n as u64 * 10) as i64,
                1..=4 => (i as i64 / 4) * 40,
                _ => i as i64 * 10,
            };
            Signature::new("A", "a@example.com", &Time::new(time, 0)).unwrap()
        };
        let empty = raw.treebuilder(None).unwrap().write().unwrap();
        let mut tree = raw.find_tree(empty).unwrap();
        for k in 0..4 {
            let id = edit(raw, rng, &tree, k);
            tree = raw.find_tree(id).unwrap();
        }
        let root = raw
            .commit(None, &sig(0, rng), &sig(0, rng), "root", &tree, &[])
            .unwrap();
        // Each branch's commits, newest last.
        let mut branches: Vec<Vec<Oid>> = vec![vec![root]; 4];
        for i in 1..n {
            let b = rng.below(4) as usize;
            let tip = raw.find_commit(*branches[b].last().unwrap()).unwrap();
            let o = (b + 1 + rng.below(3) as usize) % 4;
            let recent = &branches[o][branches[o].len().saturating_sub(3)..];
            let other = recent[rng.below(recent.len() as u64) as usize];
            let merge = rng.below(2) == 0
                && other != tip.id()
                && !raw.graph_descendant_of(tip.id(), other).unwrap();
            let (tree, parents) = if merge {
                let other = raw.find_commit(other).unwrap();
                (merged(raw, &tip, &other), vec![tip, other])
            } else {
                (edit(raw, rng, &tip.tree().unwrap(), i), vec![tip])
            };
            let parents: Vec<&Commit> = parents.iter().collect();
            let (author, committer) = (sig(i, rng), sig(i, rng));
            let tree = raw.find_tree(tree).unwrap();
            let oid = raw
                .commit(None, &author, &committer, &format!("c{i}"), &tree, &parents)
                .unwrap();
            branches[b].push(oid);
        }
        for (k, commits) in branches.iter().enumerate() {
            raw.reference(
                &format!("refs/heads/b{k}"),
                *commits.last().unwrap(),
                true,
                "history",
            )
            .unwrap();
        }
    }

    /// git's own merge of two commits (`git merge-tree --write-tree`, merge-ort), path
    /// by path as `per_path` reads an index: the merged blob, or for a conflict the
    /// base's, ours and theirs blobs at that path.
    /// Also git's messages.
    fn git_merge(dir: &Path, ours: Oid, theirs: Oid) -> (Virtual, String) {
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .env_clear()
                .env("PATH", "/usr/local/bin:/usr/bin:/bin")
                .env("GIT_DIR", dir)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        let merged = git(&[
            "merge-tree",
            "--write-tree",
            &ours.to_string(),
            &theirs.to_string(),
        ]);
        let (listing, messages) = merged.split_once("\n\n").unwrap_or((&merged, ""));
        let mut lines = listing.lines();
        let tree = lines.next().unwrap().to_string();
        let mut out = Virtual::default();
        for line in lines.take_while(|l| !l.is_empty()) {
            let (meta, path) = line.split_once('\t').unwrap();
            let fields: Vec<&str> = meta.split(' ').collect();
            let conflict = out
                .entry(path.to_string())
                .or_insert(VirtualPath::Conflict([None; 3]));
            if let VirtualPath::Conflict(sides) = conflict {
                let stage: usize = fields[2].parse().unwrap();
                sides[stage - 1] = Some(Oid::from_str(fields[1]).unwrap());
            }
        }
        for line in git(&["ls-tree", "-r", &tree]).lines() {
            let (meta, path) = line.split_once('\t').unwrap();
            let id = Oid::from_str(meta.split(' ').nth(2).unwrap()).unwrap();
            out.entry(path.to_string())
                .or_insert(VirtualPath::Merged(id));
        }
        (out, messages.to_string())
    }

    #[test]
    fn random_histories_merge_renamed_files_as_git_merges_them() {
        // Merges with one merge base (no virtual base, whose conflict markers git writes
        // otherwise than libgit2): rename pairing and the merge of renamed files are
        // git's. (How many merges had a rename applied, and how many were compared.)
        let (mut renamed, mut compared) = (0, 0);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..8 {
            let dir = tempfile::tempdir().unwrap();
            let raw = Repository::init_bare(dir.path()).unwrap();
            history(&raw, &mut rng, 120);
            let repo = Repo::discover(dir.path()).unwrap();
            repo.scratch_objects().unwrap();
            for (merge, ours, theirs, bases) in two_parent_merges(&repo) {
                if bases.len() != 1 {
                    continue;
                }
                let mut ours_map = virtual_merged(&repo, ours, theirs, &bases, true);
                let (mut expected, messages) = git_merge(dir.path(), ours, theirs);
                agree_on_same(&repo, ours, theirs, &mut ours_map, &mut expected);
                if messages.contains("CONFLICT (rename/rename)") {
                    // A rename/rename: git writes the sides' merge at both new paths,
                    // conflict-marked if they conflict, where the check keeps each side's
                    // own version (see `renames::merge_contents`). The paths and the base
                    // compare.
                    for map in [&mut ours_map, &mut expected] {
                        for path in map.values_mut() {
                            if let VirtualPath::Conflict([None, mine, yours]) = path {
                                *mine = mine.map(|_| Oid::ZERO_SHA1);
                                *yours = yours.map(|_| Oid::ZERO_SHA1);
                            }
                        }
                    }
                }

                assert_eq!(ours_map, expected, "merge {}", merge);
                compared += 1;
                renamed += usize::from(!renamed_paths(&repo, ours, theirs, &bases).is_empty());
            }
        }
        // (233 merges compared, 46 with a rename that matters.)
        assert!(compared >= 200, "{compared}");
        assert!(renamed >= 40, "{renamed}");
    }

    #[test]
    fn unchanged_directories_merge_whole_as_git_merges_them() {
        let dir = tempfile::tempdir().unwrap();
        let raw = Repository::init_bare(dir.path()).unwrap();
        let sig = Signature::new("A", "a@example.com", &Time::new(0, 0)).unwrap();
        let lines = |tag: &str| (0..12).map(|l| format!("{tag} {l}\n")).collect::<String>();
        // Each commit: a base tree updated (path, content; `None` removes).
        let commit = |parent: Option<Oid>, changes: &[(&str, Option<String>)]| {
            let mut update = git2::build::TreeUpdateBuilder::new();
            for (path, content) in changes {
                match content {
                    Some(text) => {
                        let blob = raw.blob(text.as_bytes()).unwrap();
                        update.upsert(*path, blob, FileMode::Blob);
                    }
                    None => {
                        update.remove(*path);
                    }
                }
            }
            let empty = raw.treebuilder(None).unwrap().write().unwrap();
            let from = match parent {
                Some(p) => raw.find_commit(p).unwrap().tree().unwrap(),
                None => raw.find_tree(empty).unwrap(),
            };
            let tree = raw
                .find_tree(update.create_updated(&raw, &from).unwrap())
                .unwrap();
            let parents: Vec<Commit> = parent
                .iter()
                .map(|p| raw.find_commit(*p).unwrap())
                .collect();
            let parents: Vec<&Commit> = parents.iter().collect();
            raw.commit(None, &sig, &sig, "c", &tree, &parents).unwrap()
        };
        let base = commit(
            None,
            &[
                ("a/x.txt", Some(lines("x"))),
                ("a/y.txt", Some(lines("y"))),
                ("b/z.txt", Some(lines("z"))),
                ("b/deep/w.txt", Some(lines("w"))),
                ("b/gone/g.txt", Some(lines("g"))),
                ("c/d/e.txt", Some(lines("e"))),
                ("top.txt", Some(lines("top"))),
            ],
        );
        let ours = commit(
            Some(base),
            &[
                ("a/x.txt", Some(lines("x").replace("x 3", "ours 3"))),
                ("c/d/f.txt", Some(lines("f"))),
                ("top.txt", Some(lines("top").replace("top 2", "ours 2"))),
            ],
        );
        // theirs moves top.txt into a directory and edits it: the whole merge, renames found.
        let theirs = commit(
            Some(base),
            &[
                ("a/y.txt", Some(lines("y").replace("y 5", "theirs 5"))),
                ("top.txt", None),
                // Deleted where ours left it alone: gone from the merge, whose trees
                // leave it out, so that `b` is the same in all three.
                ("b/gone/g.txt", None),
                (
                    "moved/top.txt",
                    Some(lines("top").replace("top 8", "theirs 8")),
                ),
            ],
        );
        let repo = Repo::discover(dir.path()).unwrap();
        repo.scratch_objects().unwrap();
        let mut mine = virtual_merged(&repo, ours, theirs, &[base], true);
        // Left whole: `b` (and all under it but what theirs deleted) and the files alike
        // in all three.
        for same in ["b", "c/d/e.txt"] {
            assert_eq!(mine.get(same), Some(&VirtualPath::Unchanged), "{same}");
        }
        assert_eq!(mine.get("b/z.txt"), None);
        let (mut expected, _) = git_merge(dir.path(), ours, theirs);
        assert!(expected.contains_key("b/deep/w.txt"));
        agree_on_same(&repo, ours, theirs, &mut mine, &mut expected);
        assert_eq!(mine, expected);
        assert!(
            matches!(mine.get("moved/top.txt"), Some(VirtualPath::Merged(_))),
            "{mine:?}"
        );
    }

    #[test]
    fn random_criss_cross_histories_merge_as_libgit2_merges_them() {
        let (mut compared, mut most, mut conflicted, mut deep) = (0, 0, 0, 0);
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let raw = Repository::init_bare(dir.path()).unwrap();
            history(&raw, &mut rng, 120);
            let (c, m, k, d) = compare_every_criss_cross_merge(dir.path());
            compared += c;
            most = most.max(m);
            conflicted += k;
            deep += d;
        }
        // (178 merges, 113 with a conflict left, 82 with bases of bases criss-cross.)
        assert!(compared >= 150, "{compared}");
        assert!(most >= 3, "{most}");
        assert!(conflicted >= 100, "{conflicted}");
        assert!(deep >= 50, "{deep}");
    }
}
