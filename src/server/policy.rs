//! The policy a server judges a push by: what it held before the push, never what the
//! pusher sends. The `.shipgate.toml` committed at its own production tip, else an
//! admin-owned `shipgate.toml` beside the bare repository's `config`, else the defaults.

use std::path::Path;

use crate::config::{self, Config, RemotePolicy};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::messages::Msg;

/// The admin's policy file in the bare repository (beside `config`).
pub const ADMIN_FILE: &str = "shipgate.toml";

/// The policy in force on this server, and where it came from (`None`: the defaults).
pub fn read(repo: &Repo) -> Result<(Config, Option<String>)> {
    let own = repo.own_branches()?;
    // No creations count: a push that creates the production branch does not bring
    // its own rules.
    match config::at_remote(repo, &own, &[])? {
        RemotePolicy::Committed { config, source } => Ok((*config, Some(source))),
        RemotePolicy::Unfetched { branch, id } => Err(Error::new(Msg::ServerTipMissing {
            branch,
            id: id.to_string(),
        })),
        RemotePolicy::Defaults => {
            let path = repo.common_dir().join(ADMIN_FILE);
            match config::load(&path)? {
                Some(config) => Ok((config, Some(shown(&path)))),
                None => Ok((Config::default(), None)),
            }
        }
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}
