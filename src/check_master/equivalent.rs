//! Equivalence by patch id: a change taken onto another line by cherry-pick, and changed
//! again there since, is no longer present by content (an in-memory cherry-pick of it
//! conflicts), yet that line had it. Its twin, the commit with the same patch id (git's
//! `git patch-id --stable`), says so.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

/// How many commits of a line are read for their patch ids: each is a diff, and a line
/// of thousands of commits is not searched for ever (what is not found stays a finding).
const MAX_EXAMINED: usize = 2_000;

/// The non-merge commits reachable from `tips` and not from `hide`, by patch id; read
/// when first asked.
pub(super) struct Twins<'r> {
    repo: &'r Repo,
    tips: Vec<ObjectId>,
    hide: Vec<ObjectId>,
    ids: OnceCell<HashMap<ObjectId, ObjectId>>,
}

impl<'r> Twins<'r> {
    pub(super) fn new(repo: &'r Repo, tips: Vec<ObjectId>, hide: Vec<ObjectId>) -> Self {
        Twins {
            repo,
            tips,
            hide,
            ids: OnceCell::new(),
        }
    }

    /// The commit of the line with the patch id of `commit`, other than `commit` itself,
    /// that made the same change.
    pub(super) fn of(&self, commit: &ObjectId) -> Result<Option<ObjectId>> {
        let Some(id) = self.repo.patch_id(commit)? else {
            return Ok(None);
        };
        let ids = match self.ids.get() {
            Some(ids) => ids,
            None => {
                let mut ids = HashMap::new();
                let line = self.repo.walk(&self.tips, &self.hide, false)?;
                for c in line
                    .iter()
                    .filter(|c| !c.is_merge() && !c.parents.is_empty())
                    .take(MAX_EXAMINED)
                {
                    if let Some(p) = self.repo.patch_id(&c.id)? {
                        ids.entry(p).or_insert_with(|| c.id.clone());
                    }
                }
                self.ids.get_or_init(|| ids)
            }
        };
        // The patch id leaves whitespace out; the twin must hold the change as it was
        // written (a re-indentation with tabs is no twin of one with spaces).
        match ids.get(&id).filter(|twin| *twin != commit) {
            Some(twin) if self.repo.change_present(commit, twin)? => Ok(Some(twin.clone())),
            _ => Ok(None),
        }
    }
}
