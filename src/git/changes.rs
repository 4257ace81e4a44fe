//! What `check-master` asks of history: commit details, and whether a commit's change is
//! present in another commit's tree (an in-memory cherry-pick that changes nothing), and
//! if not, which of the lines it added are missing there.

use std::collections::HashMap;

use git2::{Diff, DiffOptions, Oid};

use crate::error::Result;
use crate::oid::ObjectId;

use super::repo::{git_error, to_id};
use super::tree_diff::Lookup;
use super::Repo;

/// A commit as a finding names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: ObjectId,
    pub subject: String,
    pub author: String,
    /// `YYYY-MM-DD` of the author date.
    pub date: String,
    pub parents: Vec<ObjectId>,
}

/// Lines a commit added to one file that another tree lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingLines {
    pub path: String,
    /// The missing lines, in file order; empty for a binary file (judged as a whole).
    pub lines: Vec<String>,
    pub binary: bool,
    /// Every missing line is there but for whitespace (indentation, line endings).
    pub whitespace_only: bool,
    /// Where the first missing line stood (1-based), in the version that had it.
    pub at: Option<usize>,
}

impl Repo {
    pub fn commit_info(&self, id: &ObjectId) -> Result<CommitInfo> {
        let commit = self.raw().find_commit(self.oid(id)?).map_err(git_error)?;
        let author = commit.author();
        let date = jiff::Timestamp::from_second(author.when().seconds())
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        Ok(CommitInfo {
            id: id.clone(),
            subject: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                .into_owned(),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            date,
            parents: commit.parent_ids().map(to_id).collect(),
        })
    }

    pub fn merge_base(&self, a: &ObjectId, b: &ObjectId) -> Result<Option<ObjectId>> {
        match self.raw().merge_base(self.oid(a)?, self.oid(b)?) {
            Ok(oid) => Ok(Some(to_id(oid))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_error(e)),
        }
    }

    /// Whether the change `commit` made is in `onto` already: cherry-picking it onto
    /// `onto` in memory gives `onto`'s own tree. (This sees through cherry-picks,
    /// rebases, squashes and renames, which commit ids do not.)
    pub fn change_present(&self, commit: &ObjectId, onto: &ObjectId) -> Result<bool> {
        let repo = self.raw();
        let picked = repo.find_commit(self.oid(commit)?).map_err(git_error)?;
        if picked.parent_count() != 1 {
            return Ok(true);
        }
        let target = repo.find_commit(self.oid(onto)?).map_err(git_error)?;
        let parent_tree = picked.parent(0).and_then(|p| p.tree()).map_err(git_error)?;
        let picked_tree = picked.tree().map_err(git_error)?;
        let target_tree = target.tree().map_err(git_error)?;
        let mut paths = Vec::new();
        super::tree_diff::changed(repo, Some(&parent_tree), Some(&picked_tree), "", &mut |p| {
            paths.push(p.to_string())
        })?;
        // The cherry-pick, file by file (what merge_trees would do, without building an
        // index of the whole tree): a file is fine when `onto` already holds the commit's
        // version, or when merging the commit's change into `onto`'s version changes
        // nothing.
        let mut moved_context = false;
        let mut base_at = Lookup::new(repo, &parent_tree);
        let mut ours_at = Lookup::new(repo, &target_tree);
        let mut theirs_at = Lookup::new(repo, &picked_tree);
        for path in &paths {
            let (base, ours, theirs) = (base_at.id(path)?, ours_at.id(path)?, theirs_at.id(path)?);
            if ours == theirs {
                continue;
            }
            if ours == base {
                // `onto` still has the file as it was before the commit.
                return Ok(false);
            }
            let (Some(base), Some(ours), Some(theirs)) = (base, ours, theirs) else {
                // Added or deleted on one side and changed on the other: the conflict a
                // cherry-pick would stop at. Judged by the lines below.
                moved_context = true;
                continue;
            };
            let blob = |oid| repo.find_blob(oid).map_err(git_error);
            let (b, o, t) = (blob(base)?, blob(ours)?, blob(theirs)?);
            if o.is_binary() || t.is_binary() {
                return Ok(false);
            }
            let mut anc = git2::MergeFileInput::new();
            anc.content(b.content());
            let mut our = git2::MergeFileInput::new();
            our.content(o.content());
            let mut their = git2::MergeFileInput::new();
            their.content(t.content());
            let merged = git2::merge_file(&anc, &our, &their, None).map_err(git_error)?;
            if !merged.is_automergeable() {
                moved_context = true;
            } else if merged.content() != o.content() {
                return Ok(false);
            }
        }
        if moved_context {
            // The context moved; judge by the lines themselves.
            return Ok(self.missing_lines(commit, onto)?.is_empty());
        }
        Ok(true)
    }

    /// The full message of `commit` (subject and body).
    pub fn commit_message(&self, id: &ObjectId) -> Result<String> {
        let commit = self.raw().find_commit(self.oid(id)?).map_err(git_error)?;
        Ok(String::from_utf8_lossy(commit.message_bytes()).into_owned())
    }

    /// Whether `onto` holds the undoing of the change `commit` made: reverting `commit`
    /// onto `onto` in memory changes nothing, every file it touched being back to what
    /// it was before the commit where the commit touched it. A file rewritten into
    /// something else (a conflict for the revert) is not an undoing.
    pub fn undo_present(&self, commit: &ObjectId, onto: &ObjectId) -> Result<bool> {
        let repo = self.raw();
        let picked = repo.find_commit(self.oid(commit)?).map_err(git_error)?;
        if picked.parent_count() != 1 {
            return Ok(false);
        }
        let target = repo.find_commit(self.oid(onto)?).map_err(git_error)?;
        let parent_tree = picked.parent(0).and_then(|p| p.tree()).map_err(git_error)?;
        let picked_tree = picked.tree().map_err(git_error)?;
        let target_tree = target.tree().map_err(git_error)?;
        let mut paths = Vec::new();
        super::tree_diff::changed(repo, Some(&parent_tree), Some(&picked_tree), "", &mut |p| {
            paths.push(p.to_string())
        })?;
        // The revert, file by file: base is the commit's version, theirs the version
        // before it.
        let mut base_at = Lookup::new(repo, &picked_tree);
        let mut ours_at = Lookup::new(repo, &target_tree);
        let mut theirs_at = Lookup::new(repo, &parent_tree);
        for path in &paths {
            let (base, ours, theirs) = (base_at.id(path)?, ours_at.id(path)?, theirs_at.id(path)?);
            if ours == theirs {
                continue;
            }
            let (Some(base), Some(ours), Some(theirs)) = (base, ours, theirs) else {
                return Ok(false);
            };
            let blob = |oid| repo.find_blob(oid).map_err(git_error);
            let (b, o, t) = (blob(base)?, blob(ours)?, blob(theirs)?);
            if o.is_binary() || t.is_binary() {
                return Ok(false);
            }
            let mut anc = git2::MergeFileInput::new();
            anc.content(b.content());
            let mut our = git2::MergeFileInput::new();
            our.content(o.content());
            let mut their = git2::MergeFileInput::new();
            their.content(t.content());
            let merged = git2::merge_file(&anc, &our, &their, None).map_err(git_error)?;
            if !merged.is_automergeable() || merged.content() != o.content() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The lines `commit` added (per file) that `onto`'s version of the file lacks.
    pub fn missing_lines(&self, commit: &ObjectId, onto: &ObjectId) -> Result<Vec<MissingLines>> {
        let repo = self.raw();
        let picked = repo.find_commit(self.oid(commit)?).map_err(git_error)?;
        let Ok(parent) = picked.parent(0) else {
            return Ok(Vec::new());
        };
        let onto_tree = repo
            .find_commit(self.oid(onto)?)
            .and_then(|c| c.tree())
            .map_err(git_error)?;
        let mut options = DiffOptions::new();
        options.context_lines(0);
        let diff = repo
            .diff_tree_to_tree(
                Some(&parent.tree().map_err(git_error)?),
                Some(&picked.tree().map_err(git_error)?),
                Some(&mut options),
            )
            .map_err(git_error)?;
        let added = added_lines(&diff)?;
        let mut missing = Vec::new();
        let mut onto_at = Lookup::new(repo, &onto_tree);
        for (path, (lines, binary, blob)) in added {
            let theirs = onto_at.id(&path)?;
            if binary {
                if theirs != Some(blob) {
                    missing.push(MissingLines {
                        path,
                        lines: Vec::new(),
                        binary: true,
                        whitespace_only: false,
                        at: None,
                    });
                }
                continue;
            }
            let content = match theirs.and_then(|id| repo.find_blob(id).ok()) {
                Some(blob) => String::from_utf8_lossy(blob.content()).into_owned(),
                None => String::new(),
            };
            let mut available: HashMap<&str, usize> = HashMap::new();
            for line in content.lines() {
                *available.entry(line).or_default() += 1;
            }
            let lost: Vec<(usize, String)> = lines
                .into_iter()
                .filter(|(_, line)| match available.get_mut(line.as_str()) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                })
                .collect();
            if !lost.is_empty() {
                let trimmed: std::collections::HashSet<&str> =
                    content.lines().map(str::trim).collect();
                let whitespace_only = lost.iter().all(|(_, l)| trimmed.contains(l.trim()));
                missing.push(MissingLines {
                    path,
                    at: lost.first().map(|(n, _)| *n),
                    lines: lost.into_iter().map(|(_, l)| l).collect(),
                    binary: false,
                    whitespace_only,
                });
            }
        }
        missing.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(missing)
    }
}

/// Per file: the added lines with their line numbers, binary or not, the new blob.
type Added = HashMap<String, (Vec<(usize, String)>, bool, Oid)>;

/// Per file: the added lines, whether the file is binary, and its new blob id.
fn added_lines(diff: &Diff) -> Result<Added> {
    // Three callbacks fill one map: share it through a RefCell.
    let added: std::cell::RefCell<Added> = std::cell::RefCell::new(HashMap::new());
    diff.foreach(
        &mut |delta, _| {
            if let Some(path) = delta.new_file().path() {
                let mut added = added.borrow_mut();
                let entry = added
                    .entry(path.to_string_lossy().into_owned())
                    .or_insert_with(|| (Vec::new(), false, delta.new_file().id()));
                entry.1 |= delta.flags().is_binary();
            }
            true
        },
        Some(&mut |delta, _| {
            if let Some(path) = delta.new_file().path() {
                if let Some(entry) = added.borrow_mut().get_mut(&*path.to_string_lossy()) {
                    entry.1 = true;
                }
            }
            true
        }),
        None,
        Some(&mut |delta, _, line| {
            if line.origin() == '+' {
                if let Some(path) = delta.new_file().path() {
                    let text = String::from_utf8_lossy(line.content());
                    let text = text.trim_end_matches(['\n', '\r']).to_string();
                    let number = line.new_lineno().unwrap_or(0) as usize;
                    if let Some(entry) = added.borrow_mut().get_mut(&*path.to_string_lossy()) {
                        entry.0.push((number, text));
                    }
                }
            }
            true
        }),
    )
    .map_err(git_error)?;
    let mut added = added.into_inner();
    // Deletions only (nothing added) leave nothing to find missing.
    added.retain(|_, (lines, binary, _)| !lines.is_empty() || *binary);
    Ok(added)
}
