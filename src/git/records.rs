//! Team records under `refs/shipgate/` as git holds them: refs that point at a blob (a
//! rollback record) or at a chain of commits (the audit log, one entry per commit).
//! Being refs, they survive `git gc` and travel with `git fetch` of their refspec.

use std::path::Path;

use git2::{ErrorCode, ObjectType, Repository, Signature, Sort, Time};

use crate::error::Result;
use crate::oid::ObjectId;

use super::repo::{git_error, to_id, Repo};

/// How often appending retries when another push appended to the same chain first.
const APPEND_TRIES: usize = 20;

impl Repo {
    /// The object `refname` points at (not peeled), if the ref exists.
    pub fn ref_target(&self, refname: &str) -> Result<Option<ObjectId>> {
        match self.raw().find_reference(refname) {
            Ok(reference) => Ok(reference.target().map(to_id)),
            Err(e) if e.code() == ErrorCode::NotFound || e.code() == ErrorCode::InvalidSpec => {
                Ok(None)
            }
            Err(e) => Err(git_error(e)),
        }
    }

    /// The refs whose names start with `prefix` (`refs/shipgate/rollback/`), with the
    /// objects they point at, sorted by name.
    pub fn refs_under(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>> {
        let mut out: Vec<(String, ObjectId)> = super::refs::under(self.raw(), &[prefix])?
            .into_iter()
            .filter_map(|listed| Some((listed.name, to_id(listed.target?))))
            .collect();
        out.sort();
        Ok(out)
    }

    /// The content of `id` if it is a blob here of at most `limit` bytes; `None` when
    /// it is missing, not a blob, or larger.
    pub fn small_blob(&self, id: &ObjectId, limit: usize) -> Result<Option<Vec<u8>>> {
        let oid = self.oid(id)?;
        let odb = self.raw().odb().map_err(git_error)?;
        let (size, kind) = match odb.read_header(oid) {
            Ok(header) => header,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(git_error(e)),
        };
        if kind != ObjectType::Blob || size > limit {
            return Ok(None);
        }
        let blob = self.raw().find_blob(oid).map_err(git_error)?;
        Ok(Some(blob.content().to_vec()))
    }

    /// The messages of the commits on `refname`'s first-parent chain, oldest first;
    /// empty when the ref does not exist.
    pub fn chain_messages(&self, refname: &str) -> Result<Vec<String>> {
        let Some(tip) = self.ref_target(refname)? else {
            return Ok(Vec::new());
        };
        let repo = self.raw();
        let mut walk = repo.revwalk().map_err(git_error)?;
        walk.simplify_first_parent().map_err(git_error)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .map_err(git_error)?;
        walk.push(self.oid(&tip)?).map_err(git_error)?;
        let mut messages = Vec::new();
        for oid in walk {
            let commit = repo
                .find_commit(oid.map_err(git_error)?)
                .map_err(git_error)?;
            messages.push(String::from_utf8_lossy(commit.message_bytes()).into_owned());
        }
        Ok(messages)
    }
}

/// Appends a commit to the chain at `refname` in the repository at `dir`: its message
/// is `subject`, a blank line and `entry`; its tree holds `entry` as `file`; its parent
/// is the chain's tip. Written to the repository's own object store (opened by path, so
/// a push's quarantine directory is not where it goes), and the ref moved only from the
/// tip it was built on, retrying when another push appended first.
pub fn append_record(
    dir: &Path,
    refname: &str,
    file: &str,
    subject: &str,
    entry: &str,
    seconds: i64,
) -> Result<ObjectId> {
    let repo = Repository::open(dir).map_err(git_error)?;
    let blob = repo.blob(entry.as_bytes()).map_err(git_error)?;
    let mut tree = repo.treebuilder(None).map_err(git_error)?;
    tree.insert(file, blob, 0o100644).map_err(git_error)?;
    let tree = repo
        .find_tree(tree.write().map_err(git_error)?)
        .map_err(git_error)?;
    let who = Signature::new("shipgate", "shipgate@localhost", &Time::new(seconds, 0))
        .map_err(git_error)?;
    let message = format!("{subject}\n\n{entry}\n");
    let mut last = None;
    for _ in 0..APPEND_TRIES {
        let parent = match repo.find_reference(refname) {
            Ok(r) => Some(r.peel_to_commit().map_err(git_error)?),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(git_error(e)),
        };
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let commit = repo
            .commit(None, &who, &who, &message, &tree, &parents)
            .map_err(git_error)?;
        let moved = match &parent {
            Some(p) => repo.reference_matching(refname, commit, true, p.id(), subject),
            None => repo.reference(refname, commit, false, subject),
        };
        match moved {
            Ok(_) => return Ok(to_id(commit)),
            Err(e) => last = Some(e),
        }
    }
    Err(git_error(last.expect("tried at least once")))
}

/// Writes `content` as a blob into the repository at `dir`, returning its id.
pub fn write_blob(dir: &Path, content: &[u8]) -> Result<ObjectId> {
    let repo = Repository::open(dir).map_err(git_error)?;
    repo.blob(content).map(to_id).map_err(git_error)
}

/// `git push --no-verify <remote> <id>:<refname>` from the repository at `dir`: publishes
/// a record (the server judges it; the client's own hooks have no rule for it). The
/// error is git's first line of complaint.
pub fn push_record(
    dir: &Path,
    remote: &str,
    id: &ObjectId,
    refname: &str,
) -> std::result::Result<(), Box<crate::messages::Msg>> {
    let spec = format!("{}:{refname}", id.as_str());
    let args = ["push", "--quiet", "--no-verify", remote, spec.as_str()];
    match super::run(dir, &args) {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let lines: Vec<&str> = stderr
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            Err(Box::new(crate::messages::Msg::Verbatim {
                text: lines.join("\n"),
            }))
        }
        Err(err) => Err(err.message),
    }
}

/// Adds `refspec` to the fetch refspecs of `remote` in the repository at `dir`, unless it
/// is there already or the remote does not exist. Returns whether it was added.
pub fn add_fetch_refspec(dir: &Path, remote: &str, refspec: &str) -> Result<bool> {
    if super::config_value(dir, &format!("remote.{remote}.url"))?.is_none() {
        return Ok(false);
    }
    let key = format!("remote.{remote}.fetch");
    let out = super::run(dir, &["config", "--get-all", &key])?;
    let present = String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == refspec);
    if present {
        return Ok(false);
    }
    super::git(dir, &["config", "--local", "--add", &key, refspec])?;
    Ok(true)
}
