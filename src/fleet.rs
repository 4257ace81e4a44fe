//! Finds every git repository under a folder, for `--all DIR`.
//!
//! Working trees are found by their `.git` (a directory, or a file for worktrees and
//! submodules) and searched further, since repositories nest; bare repositories are found
//! by their layout and not entered. `.git` internals, dependency and build folders are
//! skipped, symlinks are followed but never round a loop, and a repository reached twice
//! is listed once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// Folders that hold no service repositories of the team's own.
const SKIPPED: &[&str] = &[".git", "node_modules", "target", "vendor", "third_party"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub bare: bool,
}

/// A folder the walk could not read (a loop is not one: it is simply not followed).
#[derive(Clone, Debug)]
pub struct Unreadable {
    pub path: PathBuf,
    pub detail: String,
}

pub fn find_repositories(dir: &Path) -> (Vec<Found>, Vec<Unreadable>) {
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    let mut seen = HashSet::new();
    let mut walk = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                if err.loop_ancestor().is_none() {
                    unreadable.push(Unreadable {
                        path: err.path().unwrap_or(dir).to_path_buf(),
                        detail: err
                            .io_error()
                            .map_or_else(|| err.to_string(), |e| e.to_string()),
                    });
                }
                continue;
            }
        };
        if !entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path();
        let skipped = entry
            .file_name()
            .to_str()
            .is_some_and(|name| SKIPPED.contains(&name));
        if skipped && entry.depth() > 0 {
            walk.skip_current_dir();
            continue;
        }
        let work_tree = path.join(".git").exists();
        let bare = !work_tree && is_bare_layout(path);
        if !(work_tree || bare) {
            continue;
        }
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if seen.insert(key) {
            found.push(Found {
                path: path.to_path_buf(),
                bare,
            });
        }
        if bare {
            walk.skip_current_dir();
        }
    }
    (found, unreadable)
}

/// A bare repository's git dir: `HEAD`, `objects/` and `refs/` side by side.
fn is_bare_layout(path: &Path) -> bool {
    path.join("HEAD").is_file() && path.join("objects").is_dir() && path.join("refs").is_dir()
}
