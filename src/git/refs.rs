//! Branches, remote-tracking branches and tags read by name prefix with gitoxide's ref
//! store instead of libgit2's listing.
//!
//! libgit2 lists refs (a glob too) by parsing the whole packed-refs file into a sorted
//! cache and copying it for the iterator; a forge's mirror or a server holds thousands of
//! refs no rule asks about (`refs/pull/*`, `refs/merge-requests/*`, keep-around refs), so
//! every hook and check paid for all of them. gitoxide walks the loose refs under each
//! prefix and binary-searches a sorted packed-refs file (memory-mapped) for the prefix's
//! first ref. Where it cannot stand in for libgit2 (a reftable store, a namespace, a ref it
//! cannot read), and where packed-refs is small enough for libgit2 to be the faster,
//! libgit2 lists as before.

use std::collections::HashSet;
use std::path::Path;

use git2::{Oid, Repository};

use crate::error::Result;

use super::repo::git_error;

/// A ref as listed: its full name, the object it points at (`None` for a symbolic ref),
/// and the id packed-refs says it peels to (its `^` line; `None` for a loose ref), as
/// libgit2's `target()` and `target_peel()` give them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Listed {
    pub name: String,
    pub target: Option<Oid>,
    pub peeled: Option<Oid>,
}

/// The refs whose full names start with one of `prefixes` (each ending in `/`, given in
/// sorted order), skipping names that are not UTF-8, in the order libgit2 lists them:
/// the loose refs by name, then by name the packed ones no loose ref overrides.
pub(super) fn under(repo: &Repository, prefixes: &[&str]) -> Result<Vec<Listed>> {
    debug_assert!(prefixes.windows(2).all(|w| w[0] < w[1]));
    debug_assert!(prefixes.iter().all(|p| p.ends_with('/')));
    if many_packed_refs(repo.commondir()) {
        if let Some(listed) = with_gitoxide(repo, prefixes) {
            return Ok(listed);
        }
    }
    with_libgit2(repo, prefixes)
}

/// The size of packed-refs from which gitoxide lists faster than libgit2 (a few hundred
/// refs). gitoxide's first use in a process has a fixed cost: its byte searches and hex
/// decoding ask the CPU for its features once, with a dozen `cpuid` instructions that a
/// virtual machine traps (6.5 µs each on the 2-core test machine: 0.12 ms in all), while
/// libgit2 parses about 7 µs of packed refs per KiB there. Below this size libgit2 is as
/// fast or faster; far above it, gitoxide's cost stays flat.
const MANY_PACKED_REFS_BYTES: u64 = 16 * 1024;

/// Whether packed-refs is large enough for gitoxide to be worth its fixed cost.
fn many_packed_refs(common: &Path) -> bool {
    std::fs::metadata(common.join("packed-refs")).is_ok_and(|m| m.len() >= MANY_PACKED_REFS_BYTES)
}

/// The listing read with gitoxide; `None` where libgit2 must answer instead.
fn with_gitoxide(repo: &Repository, prefixes: &[&str]) -> Option<Vec<Listed>> {
    // Under a namespace (`GIT_NAMESPACE`) libgit2 lists the namespace's loose refs; only
    // libgit2 itself answers that the same way.
    if repo.namespace_bytes().is_some() {
        return None;
    }
    // Branches, remote-tracking branches and tags are shared by all worktrees: they
    // live in the common dir (libgit2 resolved `GIT_DIR`, `GIT_COMMON_DIR`, bare
    // repositories and linked worktrees to it).
    let common = repo.commondir();
    if !is_files_store(common) {
        return None;
    }
    let store = gix_ref::file::Store::at(common.to_path_buf(), gix_hash::Kind::Sha1);
    let mut listed = Vec::new();
    // Every loose name under the prefixes, UTF-8 or not: each overrides its packed twin.
    let mut loose = HashSet::new();
    for prefix in prefixes {
        for reference in store.loose_iter_prefixed((*prefix).try_into().ok()?).ok()? {
            // A loose ref gitoxide cannot read (half-written, broken): libgit2 decides.
            let reference = reference.ok()?;
            let name = reference.name.as_bstr().to_vec();
            let target = match &reference.target {
                gix_ref::Target::Object(id) => Some(to_oid(id)?),
                gix_ref::Target::Symbolic(_) => None,
            };
            if let Ok(text) = std::str::from_utf8(&name) {
                listed.push(Listed {
                    name: text.to_string(),
                    target,
                    peeled: None,
                });
            }
            loose.insert(name);
        }
    }
    if let Some(packed) = store.open_packed_buffer().ok()? {
        for prefix in prefixes {
            for reference in packed.iter_prefixed((*prefix).into()).ok()? {
                let reference = reference.ok()?;
                let name = reference.name.as_bstr();
                if loose.contains(name.as_ref() as &[u8]) {
                    continue;
                }
                let Ok(text) = std::str::from_utf8(name) else {
                    continue;
                };
                let peeled = match reference.object {
                    Some(_) => Some(to_oid(&reference.object())?),
                    None => None,
                };
                listed.push(Listed {
                    name: text.to_string(),
                    target: Some(to_oid(&reference.target())?),
                    peeled,
                });
            }
        }
    }
    Some(listed)
}

/// Whether the refs are kept as files (loose refs and packed-refs), the store gitoxide
/// reads here: a reftable store (`extensions.refStorage = reftable`) keeps its tables
/// in `reftable/` and leaves `refs/heads` a plain file so that older gits stop.
fn is_files_store(common: &Path) -> bool {
    !common.join("reftable").exists() && !common.join("refs").join("heads").is_file()
}

fn to_oid(id: &gix_hash::oid) -> Option<Oid> {
    Oid::from_bytes(id.as_bytes()).ok()
}

/// The listing as libgit2 gives it (see `under`).
fn with_libgit2(repo: &Repository, prefixes: &[&str]) -> Result<Vec<Listed>> {
    let mut listed = Vec::new();
    for reference in repo.references().map_err(git_error)? {
        let reference = reference.map_err(git_error)?;
        // Others (GitHub's `refs/pull/*`, often most of a clone's refs) are skipped
        // before their names are read as text.
        let name = reference.name_bytes();
        if !prefixes.iter().any(|p| name.starts_with(p.as_bytes())) {
            continue;
        }
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        listed.push(Listed {
            name: name.to_string(),
            target: reference.target(),
            peeled: reference.target_peel(),
        });
    }
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use git2::Repository;

    use super::{is_files_store, many_packed_refs, with_gitoxide, with_libgit2, Listed};

    const WANTED: [&str; 3] = ["refs/heads/", "refs/remotes/", "refs/tags/"];

    /// Runs `script` with bash in `dir` under a hermetic git environment.
    fn sh(dir: &Path, script: &str) {
        crate::git::hermetic_bash(dir, &["-euc".as_ref(), script.as_ref()]);
    }

    /// gitoxide's listing of `repo`, asserted the same as libgit2's (names, targets,
    /// peeled ids, order).
    fn listed_alike(repo: &Repository, prefixes: &[&str]) -> Vec<Listed> {
        let libgit2 = with_libgit2(repo, prefixes).unwrap();
        let gitoxide = with_gitoxide(repo, prefixes).expect("gitoxide reads a files store");
        assert_eq!(gitoxide, libgit2);
        gitoxide
    }

    fn find<'a>(listed: &'a [Listed], name: &str) -> &'a Listed {
        listed
            .iter()
            .find(|l| l.name == name)
            .unwrap_or_else(|| panic!("{name} listed"))
    }

    fn id(repo: &Repository, spec: &str) -> git2::Oid {
        repo.revparse_single(spec).unwrap().id()
    }

    /// Rewrites `packed-refs` as an older git or another tool may leave it: records in
    /// reverse order (each with its `^` line), and the header without `sorted`, or none.
    fn unsort_packed_refs(git_dir: &Path, header: Option<&str>) {
        let path = git_dir.join("packed-refs");
        let text = std::fs::read(&path).unwrap();
        let mut records: Vec<Vec<u8>> = Vec::new();
        for line in text.split_inclusive(|b| *b == b'\n') {
            match line[0] {
                b'#' => {}
                b'^' => records.last_mut().unwrap().extend_from_slice(line),
                _ => records.push(line.to_vec()),
            }
        }
        assert!(records.len() > 3, "enough packed refs to be out of order");
        let mut out = header
            .map(|h| format!("{h}\n").into_bytes())
            .unwrap_or_default();
        for record in records.iter().rev() {
            out.extend_from_slice(record);
        }
        std::fs::write(&path, out).unwrap();
    }

    /// Loose and packed refs, annotated and lightweight tags (a tag of a tag too),
    /// symbolic refs, loose refs overriding packed ones, names that are not UTF-8, and
    /// refs no rule asks about: gitoxide lists what libgit2 lists, whether packed-refs
    /// is sorted or not.
    #[test]
    fn gitoxide_lists_what_libgit2_lists() {
        let dir = tempfile::tempdir().unwrap();
        sh(
            dir.path(),
            r#"
            git init -q -b main work && cd work
            git commit -q --allow-empty -m one
            git commit -q --allow-empty -m two
            git branch feature/a HEAD~1
            git branch release
            git tag v1.0.0 HEAD~1
            git tag -a -m 'release 1.1.0' v1.1.0
            git tag -a -m 'tag of a tag' v1.1.0-signed v1.1.0
            git update-ref refs/remotes/origin/main HEAD
            git update-ref refs/remotes/origin/release HEAD~1
            git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
            for n in 1 2 3 4 5 6 7 8; do git update-ref refs/pull/$n/head HEAD; done
            git update-ref refs/keep-around/a HEAD
            git update-ref $'refs/tags/caf\xe9' HEAD
            git pack-refs --all
            # After packing: loose refs, some overriding packed ones.
            git commit -q --allow-empty -m three
            git update-ref refs/remotes/origin/main HEAD
            git tag -f -a -m 'moved' v1.1.0 HEAD
            git tag v2.0.0
            git tag -a -m 'release 2.1.0' v2.1.0
            git symbolic-ref refs/tags/latest refs/tags/v2.1.0
            git branch hotfix
            "#,
        );
        let git_dir = dir.path().join("work/.git");
        let repo = Repository::open(dir.path().join("work")).unwrap();
        let packed = std::fs::read(git_dir.join("packed-refs")).unwrap();
        assert!(packed.starts_with(b"# pack-refs with: peeled fully-peeled sorted"));

        let listed = listed_alike(&repo, &WANTED);
        // What the comparison covers, so that it cannot pass on empty listings.
        let names: Vec<&str> = listed.iter().map(|l| l.name.as_str()).collect();
        assert!(names
            .iter()
            .all(|n| WANTED.iter().any(|p| n.starts_with(p))));
        assert_eq!(listed.len(), 13, "{names:?}");
        // A name that is not UTF-8 is skipped by both.
        assert!(packed.windows(5).any(|w| w == b"caf\xe9\n"));
        // The symbolic refs: listed without a target.
        assert_eq!(find(&listed, "refs/remotes/origin/HEAD").target, None);
        assert_eq!(find(&listed, "refs/tags/latest").target, None);
        // Loose refs override packed ones.
        let main = find(&listed, "refs/remotes/origin/main");
        assert_eq!(main.target, Some(id(&repo, "HEAD")));
        let moved = find(&listed, "refs/tags/v1.1.0");
        assert_eq!(
            (moved.target, moved.peeled),
            (Some(id(&repo, "v1.1.0")), None)
        );
        // Packed annotated tags with the commit packed-refs peels them to; loose and
        // lightweight ones without.
        let signed = find(&listed, "refs/tags/v1.1.0-signed");
        assert_eq!(signed.peeled, Some(id(&repo, "HEAD~1")));
        assert_ne!(signed.target, signed.peeled);
        assert_eq!(find(&listed, "refs/tags/v1.0.0").peeled, None);
        assert_eq!(find(&listed, "refs/tags/v2.1.0").peeled, None);
        // One prefix alone (the local branches), as `local_heads` asks.
        let heads = listed_alike(&repo, &["refs/heads/"]);
        assert_eq!(heads.len(), 4);

        // The same refs in a packed-refs file that does not say it is sorted, and in
        // one with no header at all.
        unsort_packed_refs(&git_dir, Some("# pack-refs with: peeled fully-peeled "));
        assert_eq!(listed_alike(&repo, &WANTED), listed);
        unsort_packed_refs(&git_dir, None);
        assert_eq!(listed_alike(&repo, &WANTED), listed);

        // Every ref loose, no packed-refs file.
        std::fs::remove_file(git_dir.join("packed-refs")).unwrap();
        let loose = listed_alike(&repo, &WANTED);
        assert_eq!(loose.len(), 8, "{loose:?}");
    }

    /// A linked worktree and a bare clone read the refs of their common dir.
    #[test]
    fn worktrees_and_bare_repositories_list_the_shared_refs() {
        let dir = tempfile::tempdir().unwrap();
        sh(
            dir.path(),
            r#"
            git init -q -b main work && cd work
            git commit -q --allow-empty -m one
            git tag -a -m 'release 1.0.0' v1.0.0
            git branch release
            git pack-refs --all
            git commit -q --allow-empty -m two
            git worktree add -q ../linked release
            cd ../linked && git commit -q --allow-empty -m 'on release'
            cd .. && git clone -q --mirror work bare.git
            "#,
        );
        let main = listed_alike(&Repository::open(dir.path().join("work")).unwrap(), &WANTED);
        let linked = listed_alike(
            &Repository::open(dir.path().join("linked")).unwrap(),
            &WANTED,
        );
        assert_eq!(linked, main);
        let release = find(&linked, "refs/heads/release");
        assert_eq!(
            release.target,
            Some(id(
                &Repository::open(dir.path().join("linked")).unwrap(),
                "HEAD"
            ))
        );
        let bare = listed_alike(
            &Repository::open(dir.path().join("bare.git")).unwrap(),
            &WANTED,
        );
        assert_eq!(bare.len(), main.len());
    }

    /// gitoxide lists only where packed-refs holds a few hundred refs or more.
    #[test]
    fn gitoxide_is_asked_only_for_many_packed_refs() {
        let dir = tempfile::tempdir().unwrap();
        sh(
            dir.path(),
            r#"
            git init -q -b main few && cd few && git commit -q --allow-empty -m one
            git init -q -b main ../many && cd ../many && git commit -q --allow-empty -m one
            for n in $(seq 300); do echo "update refs/pull/$n/head HEAD"; done | git update-ref --stdin
            git pack-refs --all
            "#,
        );
        let few = dir.path().join("few/.git");
        let many = dir.path().join("many/.git");
        assert!(!many_packed_refs(&few), "no packed-refs file");
        sh(dir.path(), "cd few && git pack-refs --all");
        assert!(few.join("packed-refs").is_file());
        assert!(!many_packed_refs(&few));
        assert!(many_packed_refs(&many));
        let repo = Repository::open(dir.path().join("many")).unwrap();
        assert_eq!(listed_alike(&repo, &WANTED).len(), 1);
    }

    /// A reftable store is left to libgit2; a files store is gitoxide's.
    #[test]
    fn only_a_files_store_is_read_by_gitoxide() {
        let dir = tempfile::tempdir().unwrap();
        sh(
            dir.path(),
            "git init -q --ref-format=reftable table && git init -q files",
        );
        assert!(!is_files_store(&dir.path().join("table/.git")));
        assert!(is_files_store(&dir.path().join("files/.git")));
    }
}
