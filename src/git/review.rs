//! What a CI job needs to judge an event the server already took: the receiving side's
//! refs as the job's clone fetched them, and the merge a pull request would make.

use git2::{MergeOptions, Signature, Time};

use crate::error::Result;
use crate::oid::ObjectId;

use super::remote::RemoteRefs;
use super::repo::{git_error, to_id};
use super::Repo;

impl Repo {
    /// The branches of `remote` (its remote-tracking refs) and the tags of this clone,
    /// as if the remote had advertised them: in a CI job the clone was just fetched from
    /// the server, so they are what the server has.
    pub fn tracking_view(&self, remote: &str) -> Result<RemoteRefs> {
        let raw = self.raw();
        let mut view = RemoteRefs::default();
        let prefix = format!("refs/remotes/{remote}/");
        // Only these refs are read, not a forge's `refs/pull/*` (see `refs.rs`).
        for listed in super::refs::under(raw, &[&prefix, "refs/tags/"])? {
            let Some(target) = listed.target else {
                continue;
            };
            let name = listed.name;
            if let Some(branch) = name.strip_prefix(&prefix) {
                if branch != "HEAD" {
                    view.refs
                        .push((format!("refs/heads/{branch}"), to_id(target)));
                }
            } else if name.starts_with("refs/tags/") {
                // Peeled as libgit2 peels a ref: from the id packed-refs gives, if any.
                let peeled = raw
                    .find_object(listed.peeled.unwrap_or(target), None)
                    .and_then(|object| object.peel_to_commit());
                if let Ok(commit) = peeled {
                    if commit.id() != target {
                        view.peeled.insert(name.clone(), to_id(commit.id()));
                    }
                }
                view.refs.push((name, to_id(target)));
            }
        }
        view.head = self.remote_default_branch(remote);
        Ok(view)
    }

    /// The merge commit of `head` into `base` that merging a pull request would record
    /// (always a true merge, as a reviewed merge is), written as an object but on no ref;
    /// `None` when the two do not merge cleanly. Dated like `head`, so the same inputs
    /// give the same id.
    pub fn review_merge(
        &self,
        base: &ObjectId,
        head: &ObjectId,
        message: &str,
    ) -> Result<Option<ObjectId>> {
        let raw = self.raw();
        let ours = raw.find_commit(self.oid(base)?).map_err(git_error)?;
        let theirs = raw.find_commit(self.oid(head)?).map_err(git_error)?;
        let mut index = raw
            .merge_commits(&ours, &theirs, Some(&MergeOptions::new()))
            .map_err(git_error)?;
        if index.has_conflicts() {
            return Ok(None);
        }
        let tree = index.write_tree_to(raw).map_err(git_error)?;
        let tree = raw.find_tree(tree).map_err(git_error)?;
        let when = theirs.committer().when();
        let who = Signature::new(
            "shipgate",
            "shipgate@invalid",
            &Time::new(when.seconds(), when.offset_minutes()),
        )
        .map_err(git_error)?;
        let id = raw
            .commit(None, &who, &who, message, &tree, &[&ours, &theirs])
            .map_err(git_error)?;
        Ok(Some(to_id(id)))
    }
}
