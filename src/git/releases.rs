//! What the release-plan commands and the commit hook read from the repository beyond
//! the policy engine's `History`: the paths a commit about to be made changes (so a
//! commit that records a released version's plan alone can be told from code), and the
//! fixes and features since a release (a plan's change list).

use git2::Sort;

use crate::error::Result;
use crate::oid::ObjectId;
use crate::policy::{Commit, History};

use super::repo::{git_error, to_id, Repo};

impl Repo {
    /// The paths the index changes against HEAD's tree (what `git commit` is about to
    /// record), at most `limit + 1` of them: callers only ask whether there are few.
    /// Empty on an unborn branch.
    pub fn staged_paths(&self, limit: usize) -> Result<Vec<String>> {
        let repo = self.raw();
        let head = match repo.head().and_then(|h| h.peel_to_tree()) {
            Ok(tree) => tree,
            Err(_) => return Ok(Vec::new()),
        };
        // `git commit` runs hooks with `GIT_INDEX_FILE` naming the index it will commit
        // (a temporary one for `git commit -a` or `git commit PATH`); libgit2 opened from
        // the environment reads that one.
        let index = repo.index().map_err(git_error)?;
        let diff = repo
            .diff_tree_to_index(Some(&head), Some(&index), None)
            .map_err(git_error)?;
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path().map(|p| p.to_string_lossy().into_owned()) {
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                }
            }
            if paths.len() > limit {
                break;
            }
        }
        Ok(paths)
    }

    /// The commits on HEAD that `since` (a commit) does not have and that are not merges,
    /// newest first, at most `limit`; commits that change nothing outside `skip_dir` (the
    /// plans directory: plan records, not fixes or features) are left out.
    pub fn changes_since(
        &self,
        since: Option<&ObjectId>,
        skip_dir: &str,
        limit: usize,
    ) -> Result<Vec<Commit>> {
        let repo = self.raw();
        let head = match repo.head().and_then(|h| h.peel_to_commit()) {
            Ok(commit) => commit.id(),
            Err(_) => return Ok(Vec::new()),
        };
        let mut walk = repo.revwalk().map_err(git_error)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
            .map_err(git_error)?;
        walk.push(head).map_err(git_error)?;
        if let Some(since) = since {
            walk.hide(self.oid(since)?).map_err(git_error)?;
        }
        let mut out = Vec::new();
        // Walked at most this many commits, merges and plan records included.
        for oid in walk.take(limit.saturating_mul(4)) {
            let oid = oid.map_err(git_error)?;
            let commit = repo.find_commit(oid).map_err(git_error)?;
            if commit.parent_count() > 1 {
                continue;
            }
            let id = to_id(oid);
            if let Some(parent) = commit.parent_ids().next().map(to_id) {
                if self.same_outside(&parent, &id, skip_dir)? {
                    continue;
                }
            }
            out.push(Commit {
                id,
                parents: commit.parent_ids().map(to_id).collect(),
                summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                    .into_owned(),
            });
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }
}
