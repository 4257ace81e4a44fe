//! History walks (`walk`: tips, minus what hidden commits reach, in topological order)
//! over the commit graph one process has read (`graph.rs`), so that the many walks of one
//! check read each commit once. libgit2's own revwalk reads every commit again per walk:
//! its raw object cache misses any commit that was also looked up whole, as the graph's
//! reads do. The order and the set are libgit2's exactly (`git_revwalk` with
//! `GIT_SORT_TOPOLOGICAL`, libgit2 1.9: `prepare_walk`, `limit_list`,
//! `sort_in_topological_order`), clock skew and all, so that what a walk yields does not
//! depend on which of the two walked.

use std::collections::VecDeque;

use foldhash::{HashMap, HashMapExt};

use git2::Oid;

use crate::error::Result;

use super::Repo;

/// How many times `limit_list` goes on once only hidden commits are left, in case a
/// commit dated wrong is still to come (libgit2's `SLOP`).
const SLOP: u32 = 5;

/// One commit as one walk sees it (libgit2's `git_commit_list_node`).
struct Node {
    oid: Oid,
    time: i64,
    /// Read by this walk (libgit2 only knows the parents of commits it parsed).
    parents: Option<Vec<usize>>,
    seen: bool,
    uninteresting: bool,
    added: bool,
    /// libgit2 counts in 16 bits.
    in_degree: u16,
}

struct Walk<'r> {
    repo: &'r Repo,
    nodes: Vec<Node>,
    index: HashMap<Oid, usize>,
    first_parent: bool,
}

impl Repo {
    /// The commits `tips` reach and no commit of `hide` does, children before parents, in
    /// libgit2's topological order; only first parents followed from the tips with
    /// `first_parent`. Every commit of `hide` must be here.
    pub(super) fn walk_oids(
        &self,
        tips: &[Oid],
        hide: &[Oid],
        first_parent: bool,
    ) -> Result<Vec<Oid>> {
        let mut walk = Walk {
            repo: self,
            nodes: Vec::new(),
            index: HashMap::new(),
            first_parent,
        };
        walk.run(tips, hide)
    }
}

impl Walk<'_> {
    fn lookup(&mut self, oid: Oid) -> usize {
        if let Some(&i) = self.index.get(&oid) {
            return i;
        }
        self.nodes.push(Node {
            oid,
            time: 0,
            parents: None,
            seen: false,
            uninteresting: false,
            added: false,
            in_degree: 0,
        });
        self.index.insert(oid, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn parse(&mut self, i: usize) -> Result<()> {
        if self.nodes[i].parents.is_some() {
            return Ok(());
        }
        let (parents, time) = self.repo.node(self.nodes[i].oid)?;
        let parents = parents.iter().map(|&p| self.lookup(p)).collect();
        self.nodes[i].time = time;
        self.nodes[i].parents = Some(parents);
        Ok(())
    }

    fn parents(&self, i: usize) -> &[usize] {
        self.nodes[i].parents.as_deref().unwrap_or_default()
    }

    fn run(&mut self, tips: &[Oid], hide: &[Oid]) -> Result<Vec<Oid>> {
        // git_revwalk_push / git_revwalk_hide: each prepended to the input, a commit
        // already hidden not again.
        let mut input = Vec::new();
        for (oids, uninteresting) in [(tips, false), (hide, true)] {
            for &oid in oids {
                let i = self.lookup(oid);
                if self.nodes[i].uninteresting {
                    continue;
                }
                self.nodes[i].uninteresting = uninteresting;
                input.push(i);
            }
        }
        if tips.is_empty() {
            return Ok(Vec::new());
        }
        // prepare_walk
        let mut list = VecDeque::new();
        for &i in input.iter().rev() {
            self.parse(i)?;
            if self.nodes[i].uninteresting {
                self.mark_parents_uninteresting(i);
            }
            if !self.nodes[i].seen {
                self.nodes[i].seen = true;
                list.push_back(i);
            }
        }
        let limited = self.limit_list(list)?;
        Ok(self
            .topological(&limited)
            .into_iter()
            .filter(|&i| !self.nodes[i].uninteresting)
            .map(|i| self.nodes[i].oid)
            .collect())
    }

    /// Marks hidden everything below `i` that this walk has read, up to what is hidden
    /// already (libgit2's `mark_parents_uninteresting`).
    fn mark_parents_uninteresting(&mut self, i: usize) {
        let mut stack: Vec<usize> = self.parents(i).to_vec();
        while let Some(c) = stack.pop() {
            if self.nodes[c].uninteresting {
                continue;
            }
            self.nodes[c].uninteresting = true;
            stack.extend_from_slice(self.parents(c));
        }
    }

    /// Inserts `i` after every commit of `list` that is not older (libgit2's
    /// `git_commit_list_insert_by_date`).
    fn insert_by_date(&self, i: usize, list: &mut VecDeque<usize>) {
        let time = self.nodes[i].time;
        let at = list
            .iter()
            .position(|&p| self.nodes[p].time < time)
            .unwrap_or(list.len());
        list.insert(at, i);
    }

    fn add_parents_to_list(&mut self, i: usize, list: &mut VecDeque<usize>) -> Result<()> {
        if self.nodes[i].added {
            return Ok(());
        }
        self.nodes[i].added = true;
        let parents = self.parents(i).to_vec();
        if self.nodes[i].uninteresting {
            for p in parents {
                self.nodes[p].uninteresting = true;
                self.parse(p)?;
                self.mark_parents_uninteresting(p);
                self.nodes[p].seen = true;
                self.insert_by_date(p, list);
            }
            return Ok(());
        }
        for p in parents {
            self.parse(p)?;
            if !self.nodes[p].seen {
                self.nodes[p].seen = true;
                self.insert_by_date(p, list);
            }
            if self.first_parent {
                break;
            }
        }
        Ok(())
    }

    fn still_interesting(&self, list: &VecDeque<usize>, time: i64, slop: u32) -> u32 {
        let Some(&head) = list.front() else {
            return 0;
        };
        if time <= self.nodes[head].time {
            return SLOP;
        }
        if list
            .iter()
            .any(|&i| !self.nodes[i].uninteresting || self.nodes[i].time > time)
        {
            return SLOP;
        }
        slop - 1
    }

    fn limit_list(&mut self, mut list: VecDeque<usize>) -> Result<Vec<usize>> {
        let mut slop = SLOP;
        let mut time = i64::MAX;
        let mut out = Vec::new();
        while let Some(i) = list.pop_front() {
            self.add_parents_to_list(i, &mut list)?;
            if self.nodes[i].uninteresting {
                self.mark_parents_uninteresting(i);
                slop = self.still_interesting(&list, time, slop);
                if slop > 0 {
                    continue;
                }
                break;
            }
            time = self.nodes[i].time;
            out.push(i);
        }
        Ok(out)
    }

    /// libgit2's `sort_in_topological_order` without time order: a commit comes once
    /// every child of it in `list` came.
    fn topological(&mut self, list: &[usize]) -> Vec<usize> {
        for &i in list {
            self.nodes[i].in_degree = 1;
        }
        for &i in list {
            for k in 0..self.parents(i).len() {
                let p = self.parents(i)[k];
                if self.nodes[p].in_degree > 0 {
                    self.nodes[p].in_degree = self.nodes[p].in_degree.wrapping_add(1);
                }
            }
        }
        let mut queue: Vec<usize> = list
            .iter()
            .copied()
            .filter(|&i| self.nodes[i].in_degree == 1)
            .collect();
        queue.reverse();
        let mut out = Vec::with_capacity(list.len());
        while let Some(next) = queue.pop() {
            for k in 0..self.parents(next).len() {
                let p = self.parents(next)[k];
                if self.nodes[p].in_degree == 0 {
                    continue;
                }
                self.nodes[p].in_degree -= 1;
                if self.nodes[p].in_degree == 1 {
                    queue.push(p);
                }
            }
            self.nodes[next].in_degree = 0;
            out.push(next);
        }
        out
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so that a failing graph can be rebuilt.
    pub(in crate::git) struct Rng(pub(in crate::git) u64);

    impl Rng {
        pub(in crate::git) fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// A history of `n` commits with merges (octopus ones too), clocks set wrong now and
    /// then and commits sharing a second: what libgit2's walk order is sensitive to.
    pub(in crate::git) fn history(repo: &git2::Repository, rng: &mut Rng, n: usize) -> Vec<Oid> {
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let mut commits: Vec<git2::Commit> = Vec::new();
        for i in 0..n {
            let parents = match (i, rng.below(20)) {
                (0, _) => 0,
                (1, _) | (_, 0..=13) => 1,
                (_, 14..=18) => 2,
                _ => 3,
            };
            let mut chosen: Vec<&git2::Commit> = Vec::new();
            for _ in 0..parents {
                // Mostly a recent commit, sometimes an old one (a long-lived branch).
                let back = if rng.below(4) == 0 {
                    rng.below(i as u64)
                } else {
                    rng.below(i.min(4) as u64)
                };
                let parent = &commits[i - 1 - back as usize];
                if !chosen.iter().any(|c| c.id() == parent.id()) {
                    chosen.push(parent);
                }
            }
            let time = match rng.below(10) {
                0..=2 => rng.below(n as u64 * 10) as i64,
                3..=4 => (i as i64 / 3) * 30,
                _ => i as i64 * 10,
            };
            let sig =
                git2::Signature::new("A", "a@example.com", &git2::Time::new(time, 0)).unwrap();
            let oid = repo
                .commit(None, &sig, &sig, &format!("c{i}"), &tree, &chosen)
                .unwrap();
            commits.push(repo.find_commit(oid).unwrap());
        }
        commits.iter().map(|c| c.id()).collect()
    }

    fn libgit2_walk(
        repo: &git2::Repository,
        tips: &[Oid],
        hide: &[Oid],
        first_parent: bool,
    ) -> Vec<Oid> {
        let mut walk = repo.revwalk().unwrap();
        walk.set_sorting(git2::Sort::TOPOLOGICAL).unwrap();
        if first_parent {
            walk.simplify_first_parent().unwrap();
        }
        for &tip in tips {
            walk.push(tip).unwrap();
        }
        for &h in hide {
            walk.hide(h).unwrap();
        }
        walk.map(|oid| oid.unwrap()).collect()
    }

    #[test]
    fn walks_as_libgit2_does_clock_skew_and_all() {
        let dir = tempfile::tempdir().unwrap();
        let raw = git2::Repository::init_bare(dir.path()).unwrap();
        let repo = Repo::discover(dir.path()).unwrap();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut walks = 0;
        for _ in 0..12 {
            let commits = history(&raw, &mut rng, 60);
            let pick = |rng: &mut Rng, most: u64| -> Vec<Oid> {
                (0..rng.below(most + 1))
                    .map(|_| commits[rng.below(commits.len() as u64) as usize])
                    .collect()
            };
            for _ in 0..40 {
                let mut tips = pick(&mut rng, 2);
                tips.push(commits[commits.len() - 1 - rng.below(10) as usize]);
                let hide = pick(&mut rng, 3);
                let first_parent = rng.below(2) == 0;
                assert_eq!(
                    repo.walk_oids(&tips, &hide, first_parent).unwrap(),
                    libgit2_walk(&raw, &tips, &hide, first_parent),
                    "tips {tips:?}, hide {hide:?}, first parent {first_parent}"
                );
                walks += 1;
            }
        }
        assert_eq!(walks, 480);
    }

    /// libgit2 stops five commits after only hidden ones are left; a commit dated in the
    /// future that a long hidden chain reaches is listed all the same. So is it here.
    #[test]
    fn stops_where_libgit2_stops_below_hidden_commits() {
        let dir = tempfile::tempdir().unwrap();
        let raw = git2::Repository::init_bare(dir.path()).unwrap();
        let repo = Repo::discover(dir.path()).unwrap();
        let tree = raw.treebuilder(None).unwrap().write().unwrap();
        let tree = raw.find_tree(tree).unwrap();
        let commit = |time: i64, parents: &[Oid]| {
            let sig =
                git2::Signature::new("A", "a@example.com", &git2::Time::new(time, 0)).unwrap();
            let parents: Vec<git2::Commit> = parents
                .iter()
                .map(|&p| raw.find_commit(p).unwrap())
                .collect();
            let parents: Vec<&git2::Commit> = parents.iter().collect();
            raw.commit(None, &sig, &sig, &format!("at {time}"), &tree, &parents)
                .unwrap()
        };
        let future = commit(5_000, &[]);
        let mut hidden = future;
        for time in (100..120).rev() {
            hidden = commit(time, &[hidden]);
        }
        let tip = commit(6_000, &[future]);
        let ours = repo.walk_oids(&[tip], &[hidden], false).unwrap();
        assert_eq!(ours, libgit2_walk(&raw, &[tip], &[hidden], false));
        assert_eq!(ours, [tip, future]);
    }
}
