//! What a person sees of a repository when asking where it stands or completing a
//! command line: its branch names and the URL a push to a remote goes to.

use std::path::Path;

use git2::BranchType;

use crate::error::Result;

use super::repo::{git_error, Repo};

impl Repo {
    /// The short names of the branches of `kind`: `release` for a local branch,
    /// `origin/release` for a remote-tracking one (never `origin/HEAD`), sorted.
    fn branch_names_of(&self, kind: BranchType) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for branch in self.raw().branches(Some(kind)).map_err(git_error)? {
            let (branch, _) = branch.map_err(git_error)?;
            if let Ok(Some(name)) = branch.name() {
                if !name.ends_with("/HEAD") {
                    names.push(name.to_string());
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// Local branches by short name (`master`, `feature/coupon`), sorted.
    pub fn local_branch_names(&self) -> Result<Vec<String>> {
        self.branch_names_of(BranchType::Local)
    }

    /// Remote-tracking branches by short name (`origin/master`), sorted.
    pub fn remote_branch_names(&self) -> Result<Vec<String>> {
        self.branch_names_of(BranchType::Remote)
    }
}

/// The URL `git push <remote>` goes to from the repository at `dir`, every rewrite
/// (`pushurl`, `insteadOf`, `pushInsteadOf`) applied, as git itself reports it; `None`
/// when there is no such remote.
pub fn push_url(dir: &Path, remote: &str) -> Result<Option<String>> {
    if super::config_value(dir, &format!("remote.{remote}.url"))?.is_none() {
        return Ok(None);
    }
    let url = super::git(dir, &["remote", "get-url", "--push", remote])?;
    Ok(Some(url.trim_end().to_string()))
}
