//! Patch ids: a commit's change as git's `git patch-id --stable` names it (the diff to
//! its parent, line numbers and whitespace left out), so that a cherry-pick made under
//! another id is recognised even where the lines it touched changed again since; and
//! whether two commits hold the same tree.

use crate::error::Result;
use crate::oid::ObjectId;

use super::repo::{git_error, to_id};
use super::Repo;

impl Repo {
    /// The stable patch id of the change `commit` made to its only parent; `None` for a
    /// merge, a root commit, or a commit that changed nothing.
    pub fn patch_id(&self, commit: &ObjectId) -> Result<Option<ObjectId>> {
        let Some((parent, tree)) = self.single_parent_trees(commit)? else {
            return Ok(None);
        };
        if parent.id() == tree.id() {
            return Ok(None);
        }
        let diff = self
            .raw()
            .diff_tree_to_tree(Some(&parent), Some(&tree), None)
            .map_err(git_error)?;
        diff.patchid(None)
            .map(|id| Some(to_id(id)))
            .map_err(git_error)
    }

    /// The trees of `commit`'s only parent and of `commit`; `None` for a merge or a root.
    fn single_parent_trees(
        &self,
        commit: &ObjectId,
    ) -> Result<Option<(git2::Tree<'_>, git2::Tree<'_>)>> {
        let commit = self
            .raw()
            .find_commit(self.oid(commit)?)
            .map_err(git_error)?;
        if commit.parent_count() != 1 {
            return Ok(None);
        }
        let parent = commit.parent(0).and_then(|p| p.tree()).map_err(git_error)?;
        let tree = commit.tree().map_err(git_error)?;
        Ok(Some((parent, tree)))
    }

    /// Whether commits `a` and `b` hold the same tree (a merge that took one parent's
    /// content wholesale, as `git merge -s ours` does).
    pub fn same_tree(&self, a: &ObjectId, b: &ObjectId) -> Result<bool> {
        let tree = |id: &ObjectId| -> Result<git2::Oid> {
            let commit = self.raw().find_commit(self.oid(id)?).map_err(git_error)?;
            Ok(commit.tree_id())
        };
        Ok(tree(a)? == tree(b)?)
    }
}
