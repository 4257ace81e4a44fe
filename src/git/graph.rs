//! The commit graph as one process walks it: each commit's parents and time read once
//! and kept in the repository handle, so that ancestry questions and merge bases (a
//! check-master run asks hundreds) share the reading instead of each parsing the same
//! commits again, as libgit2's own ancestry check does per call.

use std::collections::hash_map::Entry;
use std::collections::BinaryHeap;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::rc::Rc;

use git2::Oid;

use crate::error::Result;
use crate::oid::ObjectId;

use super::repo::{git_error, to_id};
use super::Repo;

/// A commit's parents and commit time (shared, so that handing them out copies nothing).
pub(super) type Node = (Rc<[Oid]>, i64);

impl Repo {
    /// The parents and commit time of `oid`, read once per process.
    pub(super) fn node(&self, oid: Oid) -> Result<Node> {
        if let Some(known) = self.graph.borrow().get(&oid) {
            return Ok(known.clone());
        }
        let commit = self.raw().find_commit(oid).map_err(git_error)?;
        let node = (commit.parent_ids().collect(), commit.time().seconds());
        self.graph.borrow_mut().insert(oid, node.clone());
        Ok(node)
    }

    /// Whether `ancestor` is reachable from `descendant` (or is it): see `Paint`.
    pub(super) fn reaches(&self, ancestor: Oid, descendant: Oid) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        let mut paint = Paint::new(self, ancestor, descendant)?;
        loop {
            if let Some(answer) = paint.step(self)? {
                return Ok(answer);
            }
        }
    }

    /// The best common ancestors of `a` and `b` (`git merge-base --all`), in libgit2's
    /// order (see `merge_bases_many`).
    pub(super) fn merge_bases(&self, a: Oid, b: Oid) -> Result<Vec<Oid>> {
        self.merge_bases_many(a, &[b])
    }

    /// The best common ancestors of `one` and a merge of `twos` (see `Painting::bases`).
    pub(super) fn merge_bases_many(&self, one: Oid, twos: &[Oid]) -> Result<Vec<Oid>> {
        Ok(self.painting(one, twos)?.bases(self)?.to_vec())
    }

    /// The painting that finds the merge bases of `one` and a merge of `twos`, not begun.
    pub(super) fn painting(&self, one: Oid, twos: &[Oid]) -> Result<Painting> {
        let mut painting = Painting {
            flags: HashMap::from_iter([(one, FROM_ANCESTOR)]),
            queue: Pqueue::default(),
            not_stale: 1 + twos.len(),
            found: Vec::new(),
            bases: None,
        };
        if twos.contains(&one) {
            // libgit2: a commit repeated is the merge base.
            painting.not_stale = 0;
            painting.found.push(one);
            painting.bases = Some(vec![one]);
            return Ok(painting);
        }
        painting.queue.insert((self.node(one)?.1, one, true));
        for &two in twos {
            *painting.flags.entry(two).or_default() |= FROM_DESCENDANT;
            painting.queue.insert((self.node(two)?.1, two, true));
        }
        Ok(painting)
    }

    /// `bases` without those below another (no best common ancestor), in their order.
    fn without_redundant(&self, bases: Vec<Oid>) -> Result<Vec<Oid>> {
        let mut best = Vec::new();
        for (i, &base) in bases.iter().enumerate() {
            let mut below_another = false;
            for (j, &other) in bases.iter().enumerate() {
                if i != j && self.reaches(base, other)? {
                    below_another = true;
                    break;
                }
            }
            if !below_another {
                best.push(base);
            }
        }
        Ok(best)
    }

    /// The first `want` commits `wanted` picks in `start`'s history, looking at no more
    /// than `limit` commits, walking back newest first as git does: the newest (by commit
    /// time) of the commits whose children were walked comes next. It reads only the
    /// commits it looks at (and their parents' times), so stopping early saves the rest
    /// of the history.
    pub fn newest_matching(
        &self,
        start: &ObjectId,
        wanted: &dyn Fn(&ObjectId) -> bool,
        want: usize,
        limit: usize,
    ) -> Result<Vec<ObjectId>> {
        let start = self.oid(start)?;
        let mut queue = BinaryHeap::from([(self.node(start)?.1, start)]);
        let mut seen = HashSet::from_iter([start]);
        let mut out = Vec::new();
        for _ in 0..limit {
            let Some((_, oid)) = queue.pop() else { break };
            let id = to_id(oid);
            if wanted(&id) {
                out.push(id);
                if out.len() >= want {
                    break;
                }
            }
            for &parent in self.node(oid)?.0.iter() {
                if seen.insert(parent) {
                    queue.push((self.node(parent)?.1, parent));
                }
            }
        }
        Ok(out)
    }
}

/// One ancestry question answered git's own way (`paint_down_to_common`): paint both
/// commits' ancestors, newest first; a commit painted from both is a common ancestor,
/// and what lies below one cannot lead to `ancestor` (it is `ancestor`'s own history), so
/// the walk stops once only such commits are left. Commit times only order the walk: the
/// answer is exact whatever the clocks said. One `step` at a time.
struct Paint {
    ancestor: Oid,
    flags: HashMap<Oid, u8>,
    /// The flags each commit last passed on to its parents.
    passed: HashMap<Oid, u8>,
    /// (time, commit, whether it counted as not stale when queued)
    queue: BinaryHeap<(i64, Oid, bool)>,
    not_stale: usize,
}

const FROM_ANCESTOR: u8 = 1;
const FROM_DESCENDANT: u8 = 2;
const STALE: u8 = 4;

impl Paint {
    fn new(repo: &Repo, ancestor: Oid, descendant: Oid) -> Result<Paint> {
        let mut paint = Paint {
            ancestor,
            flags: HashMap::new(),
            passed: HashMap::new(),
            queue: BinaryHeap::new(),
            not_stale: 0,
        };
        for (oid, flag) in [(ancestor, FROM_ANCESTOR), (descendant, FROM_DESCENDANT)] {
            paint.flags.insert(oid, flag);
            paint.queue.push((repo.node(oid)?.1, oid, true));
            paint.not_stale += 1;
        }
        Ok(paint)
    }

    /// Paints from the newest commit queued: `Some` once the answer is known.
    fn step(&mut self, repo: &Repo) -> Result<Option<bool>> {
        if self.not_stale == 0 {
            return Ok(Some(false));
        }
        let Some((_, oid, counted)) = self.queue.pop() else {
            return Ok(Some(false));
        };
        if counted {
            self.not_stale -= 1;
        }
        let mut flag = self.flags[&oid];
        match self.passed.entry(oid) {
            Entry::Occupied(e) if *e.get() == flag => return Ok(None),
            Entry::Occupied(mut e) => {
                e.insert(flag);
            }
            Entry::Vacant(e) => {
                e.insert(flag);
            }
        }
        if flag & (FROM_ANCESTOR | FROM_DESCENDANT) == FROM_ANCESTOR | FROM_DESCENDANT {
            flag |= STALE;
        }
        for &parent in repo.node(oid)?.0.iter() {
            let known = self.flags.entry(parent).or_default();
            if *known & flag == flag {
                continue;
            }
            *known |= flag;
            if parent == self.ancestor && *known & FROM_DESCENDANT != 0 {
                return Ok(Some(true));
            }
            let fresh = *known & STALE == 0;
            self.queue.push((repo.node(parent)?.1, parent, fresh));
            self.not_stale += usize::from(fresh);
        }
        Ok(None)
    }
}

/// libgit2's `paint_down_to_common`, which `git_merge_bases_many` runs: the ancestors of
/// `one` and of `twos` painted newest first; a commit painted from both sides is a
/// common ancestor and paints what is below it stale; the painting ends when only stale
/// commits are queued. It can stop at the first common ancestor and go on later: the
/// newest common ancestor is often all a re-merge needs, and the rest of the painting
/// (to prove there is no other) can walk far down a long-lived branch.
pub(super) struct Painting {
    flags: HashMap<Oid, u8>,
    queue: Pqueue,
    /// How many queued entries were not stale when queued: once none is left, no common
    /// ancestor remains to be found (libgit2 scans the queue for one; counting may walk
    /// a little further, where only stale commits are left to find).
    not_stale: usize,
    /// The common ancestors in the order found.
    found: Vec<Oid>,
    bases: Option<Vec<Oid>>,
}

impl Painting {
    /// The first common ancestor the painting reaches (the newest), painting until there
    /// is one; `None` when the histories are unrelated.
    pub(super) fn first_common(&mut self, repo: &Repo) -> Result<Option<Oid>> {
        while self.found.is_empty() && self.step(repo)? {}
        Ok(self.found.first().copied())
    }

    /// The best common ancestors (`git merge-base --all`), painted to the end, as libgit2
    /// orders them: newest first by commit time, and among commits of one second in the
    /// reverse of the order the painting found them. The order is part of the answer: a
    /// virtual merge base merges the bases oldest first, and which of two conflicting
    /// bases is "ours" shows in its conflict text. (libgit2 orders the painting by
    /// generation numbers when the repository has a commit-graph file; then only bases
    /// of one second may come out in another order.)
    pub(super) fn bases(&mut self, repo: &Repo) -> Result<&[Oid]> {
        if self.bases.is_none() {
            while self.step(repo)? {}
            let mut bases: Vec<Oid> = self
                .found
                .iter()
                .rev()
                .filter(|c| self.flags[c] & STALE == 0)
                .copied()
                .collect();
            // libgit2 inserts them by date one by one, after those of the same second:
            // a stable sort, newest first.
            let mut times = HashMap::new();
            for &base in &bases {
                times.insert(base, repo.node(base)?.1);
            }
            bases.sort_by_key(|b| std::cmp::Reverse(times[b]));
            if bases.len() > 1 {
                bases = repo.without_redundant(bases)?;
            }
            self.bases = Some(bases);
        }
        Ok(self.bases.as_deref().unwrap_or_default())
    }

    /// Paints from the newest commit queued; `false` once the painting is over.
    fn step(&mut self, repo: &Repo) -> Result<bool> {
        const BOTH: u8 = FROM_ANCESTOR | FROM_DESCENDANT;
        if self.not_stale == 0 {
            return Ok(false);
        }
        let Some((_, oid, counted)) = self.queue.pop() else {
            return Ok(false);
        };
        self.not_stale -= usize::from(counted);
        let mut flag = self.flags[&oid] & (BOTH | STALE);
        if flag == BOTH {
            if !self.found.contains(&oid) {
                self.found.push(oid);
            }
            flag |= STALE;
        }
        for &parent in repo.node(oid)?.0.iter() {
            let known = self.flags.entry(parent).or_default();
            if *known & flag == flag {
                continue;
            }
            *known |= flag;
            let fresh = *known & STALE == 0;
            self.queue.insert((repo.node(parent)?.1, parent, fresh));
            self.not_stale += usize::from(fresh);
        }
        Ok(true)
    }
}

/// libgit2's priority queue (`pqueue.c`), newest commit time first, ported as it is: a
/// binary heap whose order among entries of the same second (its own, neither first in
/// nor first out) decides in which order libgit2 finds merge bases of one second.
#[derive(Default)]
struct Pqueue {
    /// (commit time, commit, whether it counted as not stale when queued)
    heap: Vec<(i64, Oid, bool)>,
}

impl Pqueue {
    /// libgit2's `git_commit_list_time_cmp`: `Greater` when `a` is older.
    fn cmp(a: &(i64, Oid, bool), b: &(i64, Oid, bool)) -> std::cmp::Ordering {
        b.0.cmp(&a.0)
    }

    fn insert(&mut self, item: (i64, Oid, bool)) {
        self.heap.push(item);
        let mut el = self.heap.len() - 1;
        while el > 0 {
            let parent_el = (el - 1) >> 1;
            if Self::cmp(&self.heap[parent_el], &item).is_le() {
                break;
            }
            self.heap[el] = self.heap[parent_el];
            el = parent_el;
        }
        self.heap[el] = item;
    }

    fn pop(&mut self) -> Option<(i64, Oid, bool)> {
        let top = *self.heap.first()?;
        let last = self.heap.pop().expect("not empty: it has a first entry");
        if self.heap.is_empty() {
            return Some(top);
        }
        // The last entry moves to the top and sinks.
        let mut el = 0;
        loop {
            let mut kid_el = (el << 1) + 1;
            if kid_el >= self.heap.len() {
                break;
            }
            if kid_el + 1 < self.heap.len()
                && Self::cmp(&self.heap[kid_el], &self.heap[kid_el + 1]).is_gt()
            {
                kid_el += 1;
            }
            if Self::cmp(&last, &self.heap[kid_el]).is_le() {
                break;
            }
            self.heap[el] = self.heap[kid_el];
            el = kid_el;
        }
        self.heap[el] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::super::revwalk::tests::{history, Rng};
    use super::*;

    /// `n` commits on four branches that merge each other's recent commits (criss-cross
    /// histories: several merge bases), all made within `seconds` seconds, so that
    /// merge bases often share one.
    fn crossing(raw: &git2::Repository, rng: &mut Rng, n: usize, seconds: u64) -> Vec<Oid> {
        let tree = raw.treebuilder(None).unwrap().write().unwrap();
        let tree = raw.find_tree(tree).unwrap();
        let commit = |rng: &mut Rng, parents: &[Oid]| {
            let sig = git2::Signature::new(
                "A",
                "a@example.com",
                &git2::Time::new(rng.below(seconds) as i64, 0),
            )
            .unwrap();
            let parents: Vec<git2::Commit> = parents
                .iter()
                .map(|&p| raw.find_commit(p).unwrap())
                .collect();
            let parents: Vec<&git2::Commit> = parents.iter().collect();
            raw.commit(None, &sig, &sig, "c", &tree, &parents).unwrap()
        };
        let root = commit(rng, &[]);
        let mut branches = vec![vec![root]; 4];
        let mut all = vec![root];
        for _ in 1..n {
            let b = rng.below(4) as usize;
            let tip = *branches[b].last().unwrap();
            let o = (b + 1 + rng.below(3) as usize) % 4;
            let recent = &branches[o][branches[o].len().saturating_sub(3)..];
            let other = recent[rng.below(recent.len() as u64) as usize];
            let parents = if rng.below(2) == 0 && other != tip {
                vec![tip, other]
            } else {
                vec![tip]
            };
            let oid = commit(rng, &parents);
            branches[b].push(oid);
            all.push(oid);
        }
        all
    }

    /// The merge bases of random histories (merges, octopus ones, clocks set wrong,
    /// criss-cross merges, commits sharing a second) and of random sets of their
    /// commits, in libgit2's order.
    #[test]
    fn merge_bases_come_in_libgit2s_order() {
        let dir = tempfile::tempdir().unwrap();
        let raw = git2::Repository::init_bare(dir.path()).unwrap();
        let repo = Repo::discover(dir.path()).unwrap();
        let mut rng = Rng(0x853c_49e6_748f_ea9b);
        let (mut asked, mut several, mut tied) = (0, 0, 0);
        for round in 0..24 {
            let commits = match round % 2 {
                0 => history(&raw, &mut rng, 60),
                _ => crossing(&raw, &mut rng, 60, 1 + round % 3),
            };
            for _ in 0..100 {
                let ids: Vec<Oid> = (0..2 + rng.below(3))
                    .map(|_| commits[rng.below(commits.len() as u64) as usize])
                    .collect();
                let expected: Vec<Oid> = match raw.merge_bases_many(&ids) {
                    Ok(bases) => bases.iter().copied().collect(),
                    Err(e) if e.code() == git2::ErrorCode::NotFound => Vec::new(),
                    Err(e) => panic!("{e}"),
                };
                let ours = repo.merge_bases_many(ids[0], &ids[1..]).unwrap();
                assert_eq!(ours, expected, "merge bases of {ids:?}");
                // `Repo::merge_base` takes the first: libgit2's own choice of one.
                if let Ok(one) = raw.merge_base(ids[0], ids[1]) {
                    let first = repo.merge_bases(ids[0], ids[1]).unwrap();
                    assert_eq!(first.first(), Some(&one), "merge base of {ids:?}");
                }
                asked += 1;
                several += usize::from(expected.len() > 1);
                let times: HashSet<i64> =
                    expected.iter().map(|&b| repo.node(b).unwrap().1).collect();
                tied += usize::from(times.len() < expected.len());
            }
        }
        assert_eq!(asked, 2400);
        assert!(several >= 200, "{several}");
        assert!(tied >= 100, "{tied}");
    }
}
