//! Which paths differ between two trees, by comparing entry ids level by level and
//! descending only into subtrees whose ids differ: what a merge check needs, without the
//! setup a full libgit2 diff costs per call.
//!
//! Bounded on hostile trees: a loop with its own stack (no recursion whose depth a
//! pushed tree chooses), one merge-join per directory (linear in its entries, however
//! many), and no deeper than `MAX_TREE_DEPTH` levels.

use git2::{ObjectType, Oid, Repository, Tree};

use crate::error::{Error, Result};
use crate::messages::Msg;

use super::repo::git_error;

/// Deeper than any path a file system can check out (PATH_MAX is 4 096 bytes, and each
/// level takes at least two): a tree nested deeper is refused, not walked.
pub const MAX_TREE_DEPTH: usize = 2_048;

/// Calls `each` with every file path (`dir/name`) whose entry differs between `a` and
/// `b` (present in one only, or with another id or mode). `None` is an empty tree.
pub fn changed(
    repo: &Repository,
    a: Option<&Tree>,
    b: Option<&Tree>,
    prefix: &str,
    each: &mut dyn FnMut(&str),
) -> Result<()> {
    // Directories still to compare: (path, depth, left tree, right tree).
    let mut pending: Vec<(String, usize, Option<Oid>, Option<Oid>)> =
        vec![(prefix.to_string(), 0, a.map(Tree::id), b.map(Tree::id))];
    while let Some((dir, depth, a, b)) = pending.pop() {
        if a == b {
            continue;
        }
        if depth > MAX_TREE_DEPTH {
            return Err(Error::new(Msg::TreeTooDeep {
                path: dir,
                limit: MAX_TREE_DEPTH.to_string(),
            }));
        }
        let tree = |id: Option<Oid>| -> Result<Option<Tree<'_>>> {
            id.map(|id| repo.find_tree(id).map_err(git_error))
                .transpose()
        };
        let (a, b) = (tree(a)?, tree(b)?);
        compare(&a, &b, &dir, depth, &mut pending, each);
    }
    Ok(())
}

/// One directory: both trees' entries are sorted by name, so merge them. Files go to
/// `each`, differing subtrees onto `pending`.
fn compare(
    a: &Option<Tree>,
    b: &Option<Tree>,
    prefix: &str,
    depth: usize,
    pending: &mut Vec<(String, usize, Option<Oid>, Option<Oid>)>,
    each: &mut dyn FnMut(&str),
) {
    let left: Vec<_> = a.as_ref().map(|t| t.iter().collect()).unwrap_or_default();
    let right: Vec<_> = b.as_ref().map(|t| t.iter().collect()).unwrap_or_default();
    let (mut i, mut j) = (0, 0);
    while i < left.len() || j < right.len() {
        let l = left.get(i);
        let r = right.get(j);
        let order = match (l, r) {
            (Some(l), Some(r)) => l.name_bytes().cmp(r.name_bytes()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, _) => std::cmp::Ordering::Greater,
        };
        let (l, r) = match order {
            std::cmp::Ordering::Less => {
                i += 1;
                (l, None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (None, r)
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                if l.map(|e| (e.id(), e.filemode())) == r.map(|e| (e.id(), e.filemode())) {
                    continue;
                }
                (l, r)
            }
        };
        let entry = l.or(r).expect("one side has the entry");
        let name = String::from_utf8_lossy(entry.name_bytes());
        let path = if prefix.is_empty() {
            name.into_owned()
        } else {
            format!("{prefix}/{name}")
        };
        let as_tree = |e: Option<&git2::TreeEntry>| {
            e.filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| e.id())
        };
        let (lt, rt) = (as_tree(l), as_tree(r));
        if lt.is_some() || rt.is_some() {
            // A file replaced by a directory (or the reverse) changed as a file too.
            let file_side = (lt.is_none() && l.is_some()) || (rt.is_none() && r.is_some());
            if file_side {
                each(&path);
            }
            pending.push((path, depth + 1, lt, rt));
        } else {
            each(&path);
        }
    }
}

/// Looks up many paths in one tree, reading each directory once. (`Tree::get_path`
/// reads every directory on the way from the object store on each call, and libgit2
/// keeps no big tree in its cache: for 10 000 files in one directory, that is 10 000
/// reads of a 400 kB tree.)
pub struct Lookup<'r> {
    repo: &'r Repository,
    root: Tree<'r>,
    /// Directory path -> its tree, `None` where the path is no directory.
    dirs: foldhash::HashMap<String, Option<Tree<'r>>>,
}

impl<'r> Lookup<'r> {
    pub fn new(repo: &'r Repository, root: &Tree<'r>) -> Lookup<'r> {
        Lookup {
            repo,
            root: root.clone(),
            dirs: Default::default(),
        }
    }

    /// The id of the entry at `path` (`dir/name`), if there is one.
    pub fn id(&mut self, path: &str) -> Result<Option<Oid>> {
        Ok(self.entry(path)?.map(|(id, _)| id))
    }

    /// The id and mode of the entry at `path` (`dir/name`), if there is one.
    pub fn entry(&mut self, path: &str) -> Result<Option<(Oid, i32)>> {
        let (dir, name) = match path.rsplit_once('/') {
            Some((dir, name)) => (Some(dir), name),
            None => (None, path),
        };
        let tree = match dir {
            None => Some(self.root.clone()),
            Some(dir) => self.dir(dir)?,
        };
        Ok(tree.and_then(|t| t.get_name(name).map(|e| (e.id(), e.filemode()))))
    }

    /// The tree at directory `dir`, each prefix resolved once.
    fn dir(&mut self, dir: &str) -> Result<Option<Tree<'r>>> {
        if let Some(known) = self.dirs.get(dir) {
            return Ok(known.clone());
        }
        let mut current = self.root.clone();
        let mut end = 0;
        for part in dir.split('/') {
            end += part.len();
            let prefix = &dir[..end];
            end += 1;
            let next = match self.dirs.get(prefix) {
                Some(known) => known.clone(),
                None => {
                    let next = match current.get_name(part) {
                        Some(e) if e.kind() == Some(ObjectType::Tree) => {
                            Some(self.repo.find_tree(e.id()).map_err(git_error)?)
                        }
                        _ => None,
                    };
                    self.dirs.insert(prefix.to_string(), next.clone());
                    next
                }
            };
            match next {
                Some(tree) => current = tree,
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository whose objects live in memory: deep trees cost no disk.
    fn memory_repo() -> Repository {
        let odb = git2::Odb::new().unwrap();
        odb.add_new_mempack_backend(1).unwrap();
        Repository::from_odb(odb).unwrap()
    }

    /// `a/a/a/.../a/file` with `depth` directories; the file holds `content`.
    fn deep(repo: &Repository, depth: usize, content: &[u8]) -> Oid {
        let blob = repo.blob(content).unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        builder.insert("file", blob, 0o100644).unwrap();
        let mut id = builder.write().unwrap();
        for _ in 0..depth {
            let mut builder = repo.treebuilder(None).unwrap();
            builder.insert("a", id, 0o040000).unwrap();
            id = builder.write().unwrap();
        }
        id
    }

    fn paths(repo: &Repository, a: Oid, b: Oid) -> Result<Vec<String>> {
        let (a, b) = (repo.find_tree(a).unwrap(), repo.find_tree(b).unwrap());
        let mut out = Vec::new();
        changed(repo, Some(&a), Some(&b), "", &mut |p| {
            out.push(p.to_string())
        })?;
        out.sort();
        Ok(out)
    }

    #[test]
    fn finds_changed_files_at_any_depth_up_to_the_limit() {
        let repo = memory_repo();
        let (a, b) = (deep(&repo, 3, b"1"), deep(&repo, 3, b"2"));
        assert_eq!(paths(&repo, a, b).unwrap(), ["a/a/a/file"]);
        let (a, b) = (
            deep(&repo, MAX_TREE_DEPTH, b"1"),
            deep(&repo, MAX_TREE_DEPTH, b"2"),
        );
        let found = paths(&repo, a, b).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), MAX_TREE_DEPTH * 2 + 4);
    }

    #[test]
    fn a_tree_deeper_than_the_limit_is_an_error_not_a_stack_overflow() {
        // Deep enough that one stack frame per level would overflow the stack.
        let repo = memory_repo();
        let depth = 200_000;
        let (a, b) = (deep(&repo, depth, b"1"), deep(&repo, depth, b"2"));
        let err = paths(&repo, a, b).unwrap_err();
        assert!(
            matches!(&*err.message, Msg::TreeTooDeep { limit, .. } if limit == "2048"),
            "{err:?}"
        );
    }

    #[test]
    fn lookup_finds_what_get_path_finds() {
        let repo = memory_repo();
        let root = repo.find_tree(deep(&repo, 3, b"x")).unwrap();
        let mut lookup = Lookup::new(&repo, &root);
        for path in [
            "a",
            "a/a",
            "a/a/a/file",
            "a/a/a/none",
            "b/c",
            "a/a/a/file/x",
            "file",
        ] {
            let expected = root
                .get_path(std::path::Path::new(path))
                .ok()
                .map(|e| e.id());
            assert_eq!(lookup.id(path).unwrap(), expected, "{path}");
        }
    }

    #[test]
    fn a_wide_directory_is_one_merge_join() {
        let repo = memory_repo();
        let tree = |n: usize, changed: usize| {
            let mut builder = repo.treebuilder(None).unwrap();
            for i in 0..n {
                let content = if changed > 0 && i % changed == 0 {
                    "new"
                } else {
                    "old"
                };
                let blob = repo.blob(format!("{content} {i}").as_bytes()).unwrap();
                builder.insert(format!("f{i:05}"), blob, 0o100644).unwrap();
            }
            builder.write().unwrap()
        };
        let (a, b) = (tree(10_000, 0), tree(10_000, 2));
        assert_eq!(paths(&repo, a, b).unwrap().len(), 5_000);
    }
}
