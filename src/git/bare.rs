//! The server side's questions to git: a bare repository's own refs (what it has before
//! a push), its config, and the marker ref that says shipgate guards it.

use std::path::Path;

use git2::Repository;

use crate::error::Result;
use crate::oid::ObjectId;

use super::remote::RemoteRefs;
use super::repo::{git_error, to_id, Repo};

impl Repo {
    /// This repository's own branches and where its `HEAD` points, as `git ls-remote`
    /// against it would list them: the receiving side's state before a push
    /// (quarantined objects change no ref). Tags are left out: the policy is read from
    /// a branch, and thousands of tags would cost a listing for nothing.
    pub fn own_branches(&self) -> Result<RemoteRefs> {
        let repo = self.raw();
        let mut out = RemoteRefs::default();
        if let Ok(head) = repo.find_reference("HEAD") {
            out.head = head
                .symbolic_target()
                .ok()
                .flatten()
                .and_then(|t| t.strip_prefix("refs/heads/"))
                .map(str::to_string);
        }
        // A forge's thousands of `refs/pull/*` are not read (see `refs.rs`).
        for listed in super::refs::under(repo, &["refs/heads/"])? {
            if let Some(target) = listed.target {
                out.refs.push((listed.name, to_id(target)));
            }
        }
        Ok(out)
    }
}

/// `git config <key>` of the repository at `dir` (its own config and what it inherits).
pub fn config_value(dir: &Path, key: &str) -> Result<Option<String>> {
    let out = super::run(dir, &["config", "--get", key])?;
    // `git config --get` exits 1 when the key is unset.
    if out.status.code() == Some(1) {
        return Ok(None);
    }
    let text = super::checked(dir, &["config", "--get", key], out)?;
    Ok(Some(text.trim_end().to_string()))
}

/// Sets `key` in the repository's own config.
pub fn set_config(dir: &Path, key: &str, value: &str) -> Result<()> {
    super::git(dir, &["config", "--local", key, value]).map(|_| ())
}

/// Points `refname` at a blob holding `text`, creating or replacing it.
pub fn set_marker(dir: &Path, refname: &str, text: &str) -> Result<ObjectId> {
    let repo = Repository::open(dir).map_err(git_error)?;
    let blob = repo.blob(text.as_bytes()).map_err(git_error)?;
    repo.reference(refname, blob, true, "shipgate install --server")
        .map_err(git_error)?;
    Ok(to_id(blob))
}

/// Whether `refname` exists in the repository at `dir`.
pub fn has_ref(dir: &Path, refname: &str) -> Result<bool> {
    let repo = Repository::open(dir).map_err(git_error)?;
    let found = repo.find_reference(refname).is_ok();
    Ok(found)
}

/// Deletes `refname` if it exists.
pub fn delete_ref(dir: &Path, refname: &str) -> Result<()> {
    let repo = Repository::open(dir).map_err(git_error)?;
    let found = repo.find_reference(refname);
    match found {
        Ok(mut reference) => reference.delete().map_err(git_error),
        Err(_) => Ok(()),
    }
}
