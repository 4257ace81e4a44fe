//! Equivalence by patch id: a change taken onto another line by cherry-pick, and changed
//! again there since, is no longer present by content (an in-memory cherry-pick of it
//! conflicts), yet that line had it. Its twin, the commit with the same patch id (git's
//! `git patch-id --stable`), says so.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

/// How many commits of a line are read for their patch ids: each is a diff, and a line
/// of thousands of commits is not searched for ever (what is not found stays a finding).
const MAX_EXAMINED: usize = 2_000;

/// The non-merge commits reachable from `tips` and not from `hide`, grouped by the paths
/// they changed (a twin changed the same paths), read when first asked; their patch ids
/// are computed only for the commits that share a changed commit's paths.
pub(super) struct Twins<'r> {
    repo: &'r Repo,
    tips: Vec<ObjectId>,
    hide: Vec<ObjectId>,
    /// Changed paths → the line's commits that changed exactly those, in walk order.
    by_paths: OnceCell<HashMap<Vec<String>, Vec<ObjectId>>>,
    patch_ids: RefCell<HashMap<ObjectId, Option<ObjectId>>>,
}

impl<'r> Twins<'r> {
    pub(super) fn new(repo: &'r Repo, tips: Vec<ObjectId>, hide: Vec<ObjectId>) -> Self {
        Twins {
            repo,
            tips,
            hide,
            by_paths: OnceCell::new(),
            patch_ids: RefCell::new(HashMap::new()),
        }
    }

    fn patch_id(&self, commit: &ObjectId) -> Result<Option<ObjectId>> {
        if let Some(id) = self.patch_ids.borrow().get(commit) {
            return Ok(id.clone());
        }
        let id = self.repo.patch_id(commit)?;
        self.patch_ids
            .borrow_mut()
            .insert(commit.clone(), id.clone());
        Ok(id)
    }

    /// The commit of the line with the patch id of `commit`, other than `commit` itself,
    /// that made the same change.
    pub(super) fn of(&self, commit: &ObjectId) -> Result<Option<ObjectId>> {
        let Some(paths) = self.repo.changed_paths(commit)? else {
            return Ok(None);
        };
        let by_paths = match self.by_paths.get() {
            Some(by_paths) => by_paths,
            None => {
                let mut by_paths: HashMap<Vec<String>, Vec<ObjectId>> = HashMap::new();
                let line = self.repo.walk(&self.tips, &self.hide, false)?;
                for c in line
                    .iter()
                    .filter(|c| !c.is_merge() && !c.parents.is_empty())
                    .take(MAX_EXAMINED)
                {
                    if let Some(changed) = self.repo.changed_paths(&c.id)? {
                        by_paths.entry(changed).or_default().push(c.id.clone());
                    }
                }
                self.by_paths.get_or_init(|| by_paths)
            }
        };
        let Some(candidates) = by_paths.get(&paths) else {
            return Ok(None);
        };
        let Some(id) = self.patch_id(commit)? else {
            return Ok(None);
        };
        // The first of the line with that patch id, as a map from patch ids would keep.
        let mut first = None;
        for candidate in candidates {
            if self.patch_id(candidate)?.as_ref() == Some(&id) {
                first = Some(candidate);
                break;
            }
        }
        // The patch id leaves whitespace out; the twin must hold the change as it was
        // written (a re-indentation with tabs is no twin of one with spaces).
        match first.filter(|twin| *twin != commit) {
            Some(twin) if self.repo.change_present(commit, twin)? => Ok(Some(twin.clone())),
            _ => Ok(None),
        }
    }
}
