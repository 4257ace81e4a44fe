//! The commit graph as one process walks it: each commit's parents and time read once
//! and kept in the repository handle, so that ancestry questions and merge bases (a
//! check-master run asks hundreds) share the reading instead of each parsing the same
//! commits again, as libgit2's own ancestry check does per call.

use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};

use git2::Oid;

use crate::error::Result;

use super::repo::git_error;
use super::Repo;

/// A commit's parents and commit time.
pub(super) type Node = (Vec<Oid>, i64);

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

    /// Whether `ancestor` is reachable from `descendant` (or is it). git's own way
    /// (`paint_down_to_common`): paint both commits' ancestors, newest first; a commit
    /// painted from both is a common ancestor, and what lies below one cannot lead to
    /// `ancestor` (it is `ancestor`'s own history), so the walk stops once only such
    /// commits are left. Commit times only order the walk: the answer is exact whatever
    /// the clocks said.
    pub(super) fn reaches(&self, ancestor: Oid, descendant: Oid) -> Result<bool> {
        const FROM_ANCESTOR: u8 = 1;
        const FROM_DESCENDANT: u8 = 2;
        const STALE: u8 = 4;
        if ancestor == descendant {
            return Ok(true);
        }
        let mut flags: HashMap<Oid, u8> = HashMap::new();
        // The flags each commit last passed on to its parents.
        let mut passed: HashMap<Oid, u8> = HashMap::new();
        // (time, commit, whether it counted as not stale when queued)
        let mut queue: BinaryHeap<(i64, Oid, bool)> = BinaryHeap::new();
        let mut not_stale = 0usize;
        for (oid, flag) in [(ancestor, FROM_ANCESTOR), (descendant, FROM_DESCENDANT)] {
            flags.insert(oid, flag);
            queue.push((self.node(oid)?.1, oid, true));
            not_stale += 1;
        }
        while not_stale > 0 {
            let Some((_, oid, counted)) = queue.pop() else {
                break;
            };
            if counted {
                not_stale -= 1;
            }
            let mut flag = flags[&oid];
            match passed.entry(oid) {
                Entry::Occupied(e) if *e.get() == flag => continue,
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
            for parent in self.node(oid)?.0 {
                let known = flags.entry(parent).or_default();
                if *known & flag == flag {
                    continue;
                }
                *known |= flag;
                if parent == ancestor && *known & FROM_DESCENDANT != 0 {
                    return Ok(true);
                }
                let fresh = *known & STALE == 0;
                queue.push((self.node(parent)?.1, parent, fresh));
                not_stale += usize::from(fresh);
            }
        }
        Ok(false)
    }
}
