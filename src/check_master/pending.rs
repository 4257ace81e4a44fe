//! E4: after an emergency, the fixes committed straight onto a release branch (and
//! deployed from it) must reach production too. Reported here until they have, by
//! content: a fix cherry-picked onto production counts as there.

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

use super::attribution::finding;
use super::{Finding, Kind, OnBranch, Severity};

/// The commits on each release branch's first-parent chain that are not merges (what a
/// release branch gets only under an emergency window: merges of development branches are
/// the next release in preparation) and whose change production lacks. The tag's own
/// commits are the tag's findings, not these; nor are commits that change only the
/// plans directory `plans` (post-release records: no code production lacks).
pub(super) fn release_not_on_master(
    repo: &Repo,
    release: &[(String, ObjectId)],
    master: &ObjectId,
    tag: &ObjectId,
    plans: &str,
) -> Result<Vec<Finding>> {
    let mut out: Vec<Finding> = Vec::new();
    let hide = [master.clone(), tag.clone()];
    for (branch, tip) in release {
        // Newest first: once a merge is seen, the fixes below it have one after them.
        let mut merge_seen = false;
        for commit in repo.walk(std::slice::from_ref(tip), &hide, true)? {
            if commit.is_merge() {
                merge_seen = true;
                continue;
            }
            let Some(parent) = commit.parents.first() else {
                continue;
            };
            if !plans.is_empty() && repo.same_outside(parent, &commit.id, plans)? {
                continue;
            }
            if out.iter().any(|f| f.commit.id == commit.id) {
                continue;
            }
            if repo.change_present(&commit.id, master)? {
                continue;
            }
            let mut f = finding(
                repo,
                Kind::ReleaseNotOnMaster,
                Severity::Review,
                &commit.id,
                master,
                None,
            )?;
            f.branch = Some(OnBranch {
                name: branch.clone(),
                only_fixes_follow: !merge_seen,
            });
            out.push(f);
        }
    }
    Ok(out)
}
