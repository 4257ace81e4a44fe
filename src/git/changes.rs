//! What `check-master` asks of history: commit details, and whether a commit's change is
//! present in another commit's tree (an in-memory cherry-pick that changes nothing), and
//! if not, which of the lines it added are missing there.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;

use git2::{DiffOptions, Oid};

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
        let (a, b) = (self.oid(a)?, self.oid(b)?);
        // libgit2's `git_merge_base` is the first of its merge bases, in the order the
        // shared graph gives them too (`graph.rs`): no second walk of history.
        Ok(self.merge_bases(a, b)?.first().copied().map(to_id))
    }

    /// Whether the change `commit` made is in `onto` already: cherry-picking it onto
    /// `onto` in memory gives `onto`'s own tree. (This sees through cherry-picks,
    /// rebases, squashes and renames, which commit ids do not.)
    ///
    /// The answer depends only on the versions `onto` has of the files the commit
    /// changed, so it is kept per commit and versions: asked again about a tree that
    /// holds the same versions (a later commit that did not touch them), it is a lookup.
    pub fn change_present(&self, commit: &ObjectId, onto: &ObjectId) -> Result<bool> {
        let repo = self.raw();
        let change = self.change(self.oid(commit)?)?;
        if change.parents != 1 {
            return Ok(true);
        }
        let target_tree = repo
            .find_commit(self.oid(onto)?)
            .and_then(|c| c.tree())
            .map_err(git_error)?;
        let mut ours_at = Lookup::new(repo, &target_tree);
        let ours: Vec<Option<Oid>> = change
            .paths
            .iter()
            .map(|p| ours_at.id(p))
            .collect::<Result<_>>()?;
        let key = (change.commit, ours);
        if let Some(known) = self.present.borrow().get(&key) {
            return Ok(*known);
        }
        let present = self.cherry_pick_is_empty(&change, &key.1, &mut ours_at)?;
        self.present.borrow_mut().insert(key, present);
        Ok(present)
    }

    /// `change_present` once `onto`'s versions (`ours`, one per changed path) are known.
    fn cherry_pick_is_empty(
        &self,
        change: &Change,
        ours: &[Option<Oid>],
        onto: &mut Lookup,
    ) -> Result<bool> {
        let repo = self.raw();
        // The cherry-pick, file by file (what merge_trees would do, without building an
        // index of the whole tree): a file is fine when `onto` already holds the commit's
        // version, or when merging the commit's change into `onto`'s version changes
        // nothing.
        let mut moved_context = false;
        for (&(base, theirs), &ours) in change.ids.iter().zip(ours) {
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
            if super::is_binary(o.content()) || super::is_binary(t.content()) {
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
            return Ok(self.lines_missing(change, onto)?.is_empty());
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
        let change = self.change(self.oid(commit)?)?;
        if change.parents != 1 {
            return Ok(false);
        }
        let target_tree = repo
            .find_commit(self.oid(onto)?)
            .and_then(|c| c.tree())
            .map_err(git_error)?;
        let mut ours_at = Lookup::new(repo, &target_tree);
        // The revert, file by file: base is the commit's version, theirs the version
        // before it.
        for (path, &(theirs, base)) in change.paths.iter().zip(&change.ids) {
            let ours = ours_at.id(path)?;
            if ours == theirs {
                continue;
            }
            let (Some(base), Some(ours), Some(theirs)) = (base, ours, theirs) else {
                return Ok(false);
            };
            let blob = |oid| repo.find_blob(oid).map_err(git_error);
            let (b, o, t) = (blob(base)?, blob(ours)?, blob(theirs)?);
            if super::is_binary(o.content()) || super::is_binary(t.content()) {
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
        let change = self.change(self.oid(commit)?)?;
        if change.parents == 0 {
            return Ok(Vec::new());
        }
        let onto_tree = repo
            .find_commit(self.oid(onto)?)
            .and_then(|c| c.tree())
            .map_err(git_error)?;
        self.lines_missing(&change, &mut Lookup::new(repo, &onto_tree))
    }

    /// `missing_lines` of a change, against a tree.
    fn lines_missing(&self, change: &Change, onto_at: &mut Lookup) -> Result<Vec<MissingLines>> {
        let repo = self.raw();
        let added = match change.added.get() {
            Some(added) => added,
            None => {
                let added = added_lines(repo, change)?;
                change.added.get_or_init(|| added)
            }
        };
        let mut missing = Vec::new();
        for (path, file) in added {
            let theirs = onto_at.id(path)?;
            if file.binary {
                if theirs != Some(file.blob) {
                    missing.push(MissingLines {
                        path: path.clone(),
                        lines: Vec::new(),
                        binary: true,
                        whitespace_only: false,
                        at: None,
                    });
                }
                continue;
            }
            if theirs == Some(file.blob) && file.plain {
                // `onto` holds the commit's own version, which has every line it added.
                continue;
            }
            let content = match theirs.and_then(|id| repo.find_blob(id).ok()) {
                Some(blob) => super::text(blob.content()),
                None => String::new(),
            };
            let mut available: HashMap<&str, usize> = HashMap::new();
            for line in content.lines() {
                *available.entry(line).or_default() += 1;
            }
            let lost: Vec<(usize, String)> = file
                .lines
                .iter()
                .filter(|(_, line)| match available.get_mut(line.as_str()) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                })
                .cloned()
                .collect();
            if !lost.is_empty() {
                let trimmed: std::collections::HashSet<&str> =
                    content.lines().map(str::trim).collect();
                let whitespace_only = lost.iter().all(|(_, l)| trimmed.contains(l.trim()));
                missing.push(MissingLines {
                    path: path.clone(),
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

    /// The paths `commit` changed against its only parent, sorted: what two commits with
    /// the same patch id must share, found without reading a file (`None` for a merge or
    /// a root commit).
    pub fn changed_paths(&self, commit: &ObjectId) -> Result<Option<Vec<String>>> {
        let change = self.change(self.oid(commit)?)?;
        if change.parents != 1 {
            return Ok(None);
        }
        let mut paths = change.paths.clone();
        paths.sort();
        Ok(Some(paths))
    }

    /// What `commit` changed against its first parent, read once per process.
    fn change(&self, commit: Oid) -> Result<Rc<Change>> {
        if let Some(known) = self.changes.borrow().get(&commit) {
            return Ok(known.clone());
        }
        let repo = self.raw();
        let picked = repo.find_commit(commit).map_err(git_error)?;
        let tree = picked.tree().map_err(git_error)?;
        let parent_tree = match picked.parent(0) {
            Ok(parent) => Some(parent.tree().map_err(git_error)?),
            Err(_) => None,
        };
        let mut paths = Vec::new();
        let mut ids = Vec::new();
        if let Some(parent_tree) = &parent_tree {
            super::tree_diff::changed(repo, Some(parent_tree), Some(&tree), "", &mut |p| {
                paths.push(p.to_string())
            })?;
            let mut base_at = Lookup::new(repo, parent_tree);
            let mut theirs_at = Lookup::new(repo, &tree);
            for path in &paths {
                ids.push((base_at.id(path)?, theirs_at.id(path)?));
            }
        }
        let change = Rc::new(Change {
            commit,
            parents: picked.parent_count(),
            parent_tree: parent_tree.map(|t| t.id()),
            tree: tree.id(),
            paths,
            ids,
            added: OnceCell::new(),
        });
        self.changes.borrow_mut().insert(commit, change.clone());
        Ok(change)
    }

    /// Whether trees `a` and `b` (of commits) hold the same version of every file
    /// `commit` changed: then every question about the commit's change has the same
    /// answer in both.
    pub fn same_versions(&self, commit: &ObjectId, a: &ObjectId, b: &ObjectId) -> Result<bool> {
        let repo = self.raw();
        let change = self.change(self.oid(commit)?)?;
        let tree = |id: &ObjectId| -> Result<git2::Tree<'_>> {
            repo.find_commit(self.oid(id)?)
                .and_then(|c| c.tree())
                .map_err(git_error)
        };
        let (a, b) = (tree(a)?, tree(b)?);
        if a.id() == b.id() {
            return Ok(true);
        }
        let (mut a_at, mut b_at) = (Lookup::new(repo, &a), Lookup::new(repo, &b));
        for path in &change.paths {
            if a_at.id(path)? != b_at.id(path)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// What one commit changed against its first parent (see `Repo::change`).
pub(super) struct Change {
    commit: Oid,
    parents: usize,
    parent_tree: Option<Oid>,
    tree: Oid,
    /// The files whose entries differ, in tree order.
    paths: Vec<String>,
    /// Per path: the blob before and after the commit.
    ids: Vec<(Option<Oid>, Option<Oid>)>,
    /// The lines it added, per file (read when first asked).
    added: OnceCell<Vec<(String, AddedFile)>>,
}

/// The lines a commit added to one file.
struct AddedFile {
    /// The added lines with their line numbers.
    lines: Vec<(usize, String)>,
    binary: bool,
    /// The file's new blob.
    blob: Oid,
    /// Each added line reads the same as that line of the new file read whole
    /// (`str::lines`): no line ends in a second carriage return.
    plain: bool,
}

/// Per commit, what `change_present` answered for each set of versions of its files.
pub(super) type Answers = foldhash::HashMap<(Oid, Vec<Option<Oid>>), bool>;

/// Per file: the added lines, whether the file is binary, and its new blob id. The
/// diff is limited to the paths the commit changed (libgit2 then reads only the
/// directories on their way instead of both whole trees); it is the same diff.
fn added_lines(repo: &git2::Repository, change: &Change) -> Result<Vec<(String, AddedFile)>> {
    let (Some(parent_tree), true) = (change.parent_tree, !change.paths.is_empty()) else {
        return Ok(Vec::new());
    };
    let mut options = DiffOptions::new();
    options.context_lines(0);
    // A path that is no UTF-8 was read lossily: no pathspec could name it.
    if change
        .paths
        .iter()
        .all(|p| !p.contains(char::REPLACEMENT_CHARACTER))
    {
        options.disable_pathspec_match(true);
        for path in &change.paths {
            options.pathspec(path);
        }
    }
    let old = repo.find_tree(parent_tree).map_err(git_error)?;
    let new = repo.find_tree(change.tree).map_err(git_error)?;
    let diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut options))
        .map_err(git_error)?;
    // Three callbacks fill one map: share it through a RefCell.
    let added: std::cell::RefCell<HashMap<String, AddedFile>> =
        std::cell::RefCell::new(HashMap::new());
    diff.foreach(
        &mut |delta, _| {
            if let Some(path) = delta.new_file().path() {
                let mut added = added.borrow_mut();
                let entry = added
                    .entry(path.to_string_lossy().into_owned())
                    .or_insert_with(|| AddedFile {
                        lines: Vec::new(),
                        binary: false,
                        blob: delta.new_file().id(),
                        plain: true,
                    });
                entry.binary |= delta.flags().is_binary();
            }
            true
        },
        Some(&mut |delta, _| {
            if let Some(path) = delta.new_file().path() {
                if let Some(entry) = added.borrow_mut().get_mut(&*path.to_string_lossy()) {
                    entry.binary = true;
                }
            }
            true
        }),
        None,
        Some(&mut |delta, _, line| {
            if line.origin() == '+' {
                if let Some(path) = delta.new_file().path() {
                    let raw = line.content();
                    let text = String::from_utf8_lossy(raw);
                    let text = text.trim_end_matches(['\n', '\r']).to_string();
                    let number = line.new_lineno().unwrap_or(0) as usize;
                    // What `str::lines` keeps of the line: without one `\n`, and one
                    // `\r` before it.
                    let kept = match raw.strip_suffix(b"\n") {
                        Some(rest) => rest.strip_suffix(b"\r").unwrap_or(rest),
                        None => raw,
                    };
                    let plain = !kept.ends_with(b"\r") && !kept.ends_with(b"\n");
                    if let Some(entry) = added.borrow_mut().get_mut(&*path.to_string_lossy()) {
                        entry.lines.push((number, text));
                        entry.plain &= plain;
                    }
                }
            }
            true
        }),
    )
    .map_err(git_error)?;
    // Deletions only (nothing added) leave nothing to find missing.
    Ok(added
        .into_inner()
        .into_iter()
        .filter(|(_, file)| !file.lines.is_empty() || file.binary)
        .collect())
}
