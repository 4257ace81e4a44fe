//! Where each git host runs a repository's `pre-receive` hook from.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::git::Location;
use crate::messages::Msg;

/// How the git host runs server hooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// Plain bare repositories (git daemon, ssh, http-backend): `hooks/pre-receive`
    Plain,
    /// GitLab server hooks: `custom_hooks/pre-receive.d/shipgate`
    Gitlab,
    /// Gitea and Forgejo: `hooks/pre-receive.d/shipgate`
    Gitea,
    /// gitolite repo-specific hooks: `$LOCAL_CODE/hooks/repo-specific/shipgate`
    Gitolite,
}

impl Layout {
    pub const ALL: [Layout; 4] = [
        Layout::Plain,
        Layout::Gitlab,
        Layout::Gitea,
        Layout::Gitolite,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layout::Plain => "plain",
            Layout::Gitlab => "gitlab",
            Layout::Gitea => "gitea",
            Layout::Gitolite => "gitolite",
        }
    }

    /// Where the hook for the repository at `location` goes.
    pub fn hook_path(self, location: &Location) -> Result<PathBuf> {
        let repo = &location.common_dir;
        Ok(match self {
            Layout::Plain => location.hooks_dir.join("pre-receive"),
            Layout::Gitlab => repo.join("custom_hooks/pre-receive.d/shipgate"),
            Layout::Gitea => repo.join("hooks/pre-receive.d/shipgate"),
            Layout::Gitolite => gitolite_home(repo)
                .ok_or_else(|| {
                    Error::new(Msg::GitoliteHomeMissing {
                        repo: repo.display().to_string(),
                    })
                    .hint(Msg::HintGitoliteHome)
                })?
                .join(".gitolite/local/hooks/repo-specific/shipgate"),
        })
    }

    /// Whether the host runs this file as *the* `pre-receive` hook, so a foreign hook
    /// found there is kept and chained; in a `*.d` folder the host runs every file itself.
    pub fn chains_foreign(self) -> bool {
        self == Layout::Plain
    }
}

/// The gitolite user's home above a repository: the first folder with `.gitolite.rc`.
fn gitolite_home(repo: &Path) -> Option<PathBuf> {
    repo.ancestors()
        .skip(1)
        .find(|dir| dir.join(".gitolite.rc").is_file())
        .map(Path::to_path_buf)
}
