//! After the integration: which later commit on production took a release change away,
//! and whether it says it is a revert.

use std::collections::HashSet;

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

/// The commit on production after the integration (up to `master`) that took away the
/// change `commit` made: the oldest one whose (first) parent has the change and that
/// lacks it, a merge too (a later merge whose result put the old lines back). `None`
/// when no single commit did.
pub(super) fn later_change(
    repo: &Repo,
    commit: &ObjectId,
    integration: &ObjectId,
    master: &ObjectId,
) -> Result<Option<ObjectId>> {
    let later = repo.walk(
        std::slice::from_ref(master),
        std::slice::from_ref(integration),
        false,
    )?;
    // Oldest first: the walk lists children before their parents.
    for c in later.iter().rev() {
        let Some(parent) = c.parents.first() else {
            continue;
        };
        if repo.change_present(commit, parent)? && !repo.change_present(commit, &c.id)? {
            return Ok(Some(c.id.clone()));
        }
    }
    Ok(None)
}

/// Whether a message's text can name a commit: 7 to 64 hex digits, as git abbreviates.
pub(super) fn names_a_commit(id: &str) -> bool {
    (7..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The ids a message's `This reverts commit <id>.` lines name, as written.
pub(super) fn reverts_named(message: &str) -> Vec<&str> {
    message
        .lines()
        .filter_map(|l| l.trim().strip_prefix("This reverts commit "))
        .map(|rest| rest.trim_end_matches(['.', ',']).trim())
        .map(|rest| rest.split_whitespace().next().unwrap_or(""))
        .collect()
}

/// Whether a commit's message says it is a revert of the release: git's
/// `This reverts commit <id>.` naming one of the release's commits, or, without such a
/// line, a subject `Revert "…"`. A line naming some other commit is not the release's
/// revert.
pub(super) fn explicit_revert(message: &str, release: &HashSet<&ObjectId>) -> bool {
    let named = reverts_named(message);
    if named.is_empty() {
        return message.starts_with("Revert \"");
    }
    named.iter().any(|id| {
        names_a_commit(id)
            && release
                .iter()
                .any(|c| c.to_string().starts_with(&id.to_ascii_lowercase()))
    })
}
