//! The only code that talks to git: runs `git` for install-time questions and, on the
//! hook path, reads the repository in-process.
//!
//! Install-time questions (where does git run hooks from, which config scope set
//! `core.hooksPath`) are answered by git itself, so shipgate agrees with the git that
//! will run the hooks: worktrees, submodules and `core.hooksPath` included.

mod bare;
mod changes;
pub mod demo;
mod graph;
mod records;
mod refs;
mod releases;
mod remerge;
mod remote;
mod renames;
mod repo;
mod review;
mod revwalk;
mod tree_diff;
mod virtual_base;

mod inventory;
mod patch_id;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use bare::{config_value, delete_ref, has_ref, set_config, set_marker};
pub use changes::{CommitInfo, MissingLines};
pub use records::{add_fetch_refspec, append_record, push_record, write_blob};
pub use remerge::{Remerged, CONFLICT_MARKER_SIZE};
pub use remote::{ls_remote, RemoteRefs};
pub use repo::Repo;

pub use inventory::push_url;

use crate::error::{Error, Result};
use crate::messages::Msg;

/// Where a repository keeps things, as git reports them (absolute paths).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The working tree's top level; `None` for a bare repository.
    pub toplevel: Option<PathBuf>,
    /// The git directory shared by all worktrees (`.git`, or `.git/modules/<name>`).
    pub common_dir: PathBuf,
    /// The directory git runs hooks from.
    pub hooks_dir: PathBuf,
    /// `core.hooksPath`, when set, with the config scope that set it.
    pub hooks_path: Option<HooksPathSetting>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HooksPathSetting {
    /// `local`, `worktree`, `global`, `system` or `command` (git's `--show-scope` words).
    pub scope: String,
    pub value: String,
}

impl HooksPathSetting {
    /// Whether the setting belongs to this repository alone.
    pub fn is_repository_scope(&self) -> bool {
        matches!(self.scope.as_str(), "local" | "worktree")
    }
}

impl Location {
    /// The repository as a user would name it: the working tree, or the bare git dir.
    pub fn display_root(&self) -> &Path {
        self.toplevel.as_deref().unwrap_or(&self.common_dir)
    }

    /// Whether `path` lies inside this repository (its working tree or its git dir).
    pub fn contains(&self, path: &Path) -> bool {
        let path = normalize(path);
        let inside = |root: &Path| path.starts_with(normalize(root));
        self.toplevel.as_deref().is_some_and(inside) || inside(&self.common_dir)
    }
}

/// Asks git where the repository around `dir` keeps its hooks.
pub fn locate(dir: &Path) -> Result<Location> {
    let out = git(
        dir,
        &[
            "rev-parse",
            "--path-format=absolute",
            "--is-bare-repository",
            "--git-common-dir",
            "--git-path",
            "hooks",
        ],
    )?;
    let mut lines = out.lines();
    let mut next = || lines.next().map(str::to_string).unwrap_or_default();
    let bare = next() == "true";
    let common_dir = PathBuf::from(next());
    let hooks_dir = PathBuf::from(next());
    let toplevel = if bare {
        None
    } else {
        let top = git(dir, &["rev-parse", "--show-toplevel"])?;
        Some(PathBuf::from(top.trim_end()))
    };
    Ok(Location {
        toplevel,
        common_dir,
        hooks_dir,
        hooks_path: hooks_path_setting(dir)?,
    })
}

/// The hooks directory git uses right now (asked afresh, to verify an install).
pub fn hooks_dir(dir: &Path) -> Result<PathBuf> {
    let out = git(
        dir,
        &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
    )?;
    Ok(PathBuf::from(out.trim_end()))
}

/// The branch HEAD is on, asked of git itself (for repositories libgit2 cannot open).
pub fn current_branch(dir: &Path) -> Result<Option<String>> {
    let out = run(dir, &["symbolic-ref", "-q", "--short", "HEAD"])?;
    // Exit 1: HEAD is detached.
    if out.status.code() == Some(1) {
        return Ok(None);
    }
    let name = checked(dir, &["symbolic-ref", "-q", "--short", "HEAD"], out)?;
    Ok(Some(name.trim_end().to_string()))
}

fn hooks_path_setting(dir: &Path) -> Result<Option<HooksPathSetting>> {
    let out = run(dir, &["config", "--show-scope", "--get", "core.hooksPath"])?;
    // `git config --get` exits 1 when the key is unset.
    if out.status.code() == Some(1) {
        return Ok(None);
    }
    let text = checked(
        dir,
        &["config", "--show-scope", "--get", "core.hooksPath"],
        out,
    )?;
    let line = text.lines().next().unwrap_or_default();
    let (scope, value) = line.split_once('\t').unwrap_or(("unknown", line));
    Ok(Some(HooksPathSetting {
        scope: scope.to_string(),
        value: value.to_string(),
    }))
}

/// Runs git in `dir` and returns its standard output; a failure is an `Error`.
fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = run(dir, args)?;
    checked(dir, args, out)
}

fn run(dir: &Path, args: &[&str]) -> Result<Output> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    // Answer about `dir`, not about whatever repository a calling hook runs in, and in
    // words shipgate can read.
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_COMMON_DIR",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_PREFIX",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("LC_ALL", "C");
    cmd.output().map_err(|e| {
        Error::new(Msg::GitMissing {
            detail: e.to_string(),
        })
        .hint(Msg::HintGitMissing)
    })
}

fn checked(dir: &Path, args: &[&str], out: Output) -> Result<String> {
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let detail = match stderr.lines().find(|l| !l.trim().is_empty()) {
        Some(line) => Msg::verbatim(line.trim_start_matches("fatal: ")),
        None => Box::new(Msg::NoOutput),
    };
    if stderr.contains("not a git repository") || !dir.exists() {
        return Err(Error::new(Msg::NotAGitRepo {
            path: dir.display().to_string(),
        })
        .hint(Msg::HintNotAGitRepo));
    }
    Err(Error::new(Msg::GitFailed {
        command: format!("git {}", args.join(" ")),
        dir: dir.display().to_string(),
        detail,
    }))
}

/// An absolute, symlink-free form of `path`, even when its last parts do not exist yet.
pub fn normalize(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Whether git merges a file's contents as binary: a NUL byte among its first 8 000 bytes
/// (git's `buffer_is_binary`, which `ll_merge` asks of each side, as libgit2's
/// `git_merge_file` does). libgit2's `git_blob_is_binary` also says binary for a UTF-16
/// byte-order mark or one control character per 128 printable ones, so it could call
/// binary a file git merges line by line; and it costs a pass over every byte.
pub(crate) fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}

/// Bytes as text, invalid UTF-8 replaced: the common valid case checked by the fast
/// validator rather than character by character (file contents of every re-merge).
pub(crate) fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Runs `bash ARGS` in `dir` under the hermetic git environment the integration tests
/// use (no system or user config, fixed names and dates, `LANG=C`, `TZ=UTC`); fails the
/// test with bash's stderr when it fails. For unit tests that build real repositories.
#[cfg(test)]
pub(crate) fn hermetic_bash(dir: &std::path::Path, args: &[&std::ffi::OsStr]) {
    let out = std::process::Command::new("bash")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join(".gitconfig"))
        .env("GIT_AUTHOR_NAME", "Li Si")
        .env("GIT_AUTHOR_EMAIL", "lisi@example.com")
        .env("GIT_AUTHOR_DATE", "2026-11-01T10:00:00+08:00")
        .env("GIT_COMMITTER_NAME", "Li Si")
        .env("GIT_COMMITTER_EMAIL", "lisi@example.com")
        .env("GIT_COMMITTER_DATE", "2026-11-01T10:00:00+08:00")
        .env("TZ", "UTC")
        .env("LANG", "C")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
