//! The commit graph as one process walks it: each commit's parents and time read once
//! and kept in the repository handle, so that ancestry questions and merge bases (a
//! check-master run asks hundreds) share the reading instead of each parsing the same
//! commits again, as libgit2's own ancestry check does per call.

use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, HashSet};
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

    /// The best common ancestors of `a` and `b` (`git merge-base --all`), in the order
    /// the painting found them: git's painting collects the common ancestors no other
    /// one found is below, then those that are another's ancestor are dropped.
    pub(super) fn merge_bases(&self, a: Oid, b: Oid) -> Result<Vec<Oid>> {
        if a == b {
            return Ok(vec![a]);
        }
        const BOTH: u8 = FROM_ANCESTOR | FROM_DESCENDANT;
        let mut flags: HashMap<Oid, u8> = HashMap::from([(a, FROM_ANCESTOR), (b, FROM_DESCENDANT)]);
        let mut queue: BinaryHeap<(i64, Oid, bool)> = BinaryHeap::new();
        queue.push((self.node(a)?.1, a, true));
        queue.push((self.node(b)?.1, b, true));
        let mut not_stale = 2usize;
        let mut found: Vec<Oid> = Vec::new();
        while not_stale > 0 {
            let Some((_, oid, counted)) = queue.pop() else {
                break;
            };
            if counted {
                not_stale -= 1;
            }
            let mut flag = flags[&oid] & (BOTH | STALE);
            if flag == BOTH {
                if !found.contains(&oid) {
                    found.push(oid);
                }
                flag |= STALE;
            }
            for &parent in self.node(oid)?.0.iter() {
                let known = flags.entry(parent).or_default();
                if *known & flag == flag {
                    continue;
                }
                *known |= flag;
                let fresh = *known & STALE == 0;
                queue.push((self.node(parent)?.1, parent, fresh));
                not_stale += usize::from(fresh);
            }
        }
        let mut best = Vec::new();
        for (i, &base) in found.iter().enumerate() {
            let mut below_another = false;
            for (j, &other) in found.iter().enumerate() {
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
        let mut seen = HashSet::from([start]);
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
