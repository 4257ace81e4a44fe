//! Which paths differ between two trees, by comparing entry ids level by level and
//! descending only into subtrees whose ids differ: what a merge check needs, without the
//! setup a full libgit2 diff costs per call.

use git2::{ObjectType, Repository, Tree};

use crate::error::Result;

use super::repo::git_error;

/// Calls `each` with every file path (`dir/name`) whose entry differs between `a` and
/// `b` (present in one only, or with another id or mode). `None` is an empty tree.
pub fn changed(
    repo: &Repository,
    a: Option<&Tree>,
    b: Option<&Tree>,
    prefix: &str,
    each: &mut dyn FnMut(&str),
) -> Result<()> {
    if let (Some(a), Some(b)) = (a, b) {
        if a.id() == b.id() {
            return Ok(());
        }
    }
    // Both trees' entries are sorted by name: merge them.
    let left: Vec<_> = a.map(|t| t.iter().collect()).unwrap_or_default();
    let right: Vec<_> = b.map(|t| t.iter().collect()).unwrap_or_default();
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
        let as_tree = |e: Option<&git2::TreeEntry>| -> Result<Option<Tree<'_>>> {
            match e {
                Some(e) if e.kind() == Some(ObjectType::Tree) => {
                    Ok(Some(repo.find_tree(e.id()).map_err(git_error)?))
                }
                _ => Ok(None),
            }
        };
        let (lt, rt) = (as_tree(l)?, as_tree(r)?);
        if lt.is_some() || rt.is_some() {
            changed(repo, lt.as_ref(), rt.as_ref(), &path, each)?;
            // A file replaced by a directory (or the reverse) changed as a file too.
            let file_side = (lt.is_none() && l.is_some()) || (rt.is_none() && r.is_some());
            if file_side {
                each(&path);
            }
        } else {
            each(&path);
        }
    }
    Ok(())
}
