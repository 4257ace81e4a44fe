//! Merges judged by content, end to end: code added or removed in a merge commit itself
//! is refused on `release` and `master`; a conflict resolution is reported on `release`
//! and may only take existing lines on `master`. Plain git (`--no-verify`) takes each.

use std::fs;

use crate::common::*;
use crate::policy::{merge_coupon_into_release, service};

/// `git merge --no-commit` of `branch` into the current branch; `edit` changes the
/// result before the merge is committed.
fn merge_with(repo: &TestRepo, branch: &str, edit: impl FnOnce(&TestRepo)) {
    let out = repo.git_output(&["merge", "--no-ff", "--no-commit", "--no-verify", branch]);
    let _ = out; // a conflict leaves the files for `edit` to resolve
    edit(repo);
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        &format!("Merge {branch}"),
    ]);
}

#[test]
fn code_added_in_a_merge_into_release_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "release"]);
    merge_with(&repo, "feature/coupon", |repo| {
        fs::write(repo.path.join("backdoor.txt"), "let everyone in\n").unwrap();
        fs::write(
            repo.path.join("coupon.txt"),
            "stacking\nlimits\nfree for admins\n",
        )
        .unwrap();
    });
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(err.contains("[merge] release: merge "), "{err}");
    assert!(
        err.contains("changes 2 file(s) beyond what merging its parents gives"),
        "{err}"
    );
    assert!(
        err.contains("backdoor.txt: added by the merge itself"),
        "{err}"
    );
    assert!(
        err.contains("coupon.txt: differs from the automatic merge"),
        "{err}"
    );
    assert!(err.contains("+ free for admins"), "{err}");
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}

#[test]
fn code_removed_in_a_merge_into_release_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "release"]);
    merge_with(&repo, "feature/coupon", |repo| {
        fs::write(repo.path.join("coupon.txt"), "stacking\n").unwrap();
    });
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(
        err.contains("coupon.txt: differs from the automatic merge"),
        "{err}"
    );
    assert!(err.contains("- limits"), "{err}");
    // Done honestly, the same merge goes.
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "feature/coupon",
    ]);
    assert_ok(&repo.git_output(&["push", "-q", "origin", "release"]));
}

#[test]
fn a_conflict_resolution_on_release_is_reported_not_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    // Another feature already changed the same line on release.
    repo.git(&["switch", "-q", "-c", "feature/other", "master"]);
    fs::write(repo.path.join("coupon.txt"), "other rules\n").unwrap();
    repo.git(&["add", "coupon.txt"]);
    repo.git(&["commit", "-q", "-m", "other: coupon rules"]);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/other",
        "feature/other",
    ]);
    repo.git(&["push", "-q", "origin", "release"]);
    merge_with(&repo, "feature/coupon", |repo| {
        fs::write(
            repo.path.join("coupon.txt"),
            "other rules\nstacking\nlimits\n",
        )
        .unwrap();
    });
    let out = repo.git_output(&["push", "origin", "release"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("resolved conflicts in: coupon.txt"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_octopus_merge_into_release_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "-c", "feature/two", "master"]);
    fs::write(repo.path.join("two.txt"), "two\n").unwrap();
    repo.git(&["add", "two.txt"]);
    repo.git(&["commit", "-q", "-m", "two"]);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "--no-verify",
        "-m",
        "Merge both",
        "feature/coupon",
        "feature/two",
    ]);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(err.contains("merges more than two parents"), "{err}");
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}

/// QA's merge of the tag into master may not carry code of its own.
#[test]
fn code_added_in_the_merge_of_a_tag_into_master_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    merge_coupon_into_release(&repo);
    repo.git(&["push", "-q", "origin", "release"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    repo.git(&["switch", "-q", "master"]);
    merge_with(&repo, "v1.0.0", |repo| {
        fs::write(
            repo.path.join("coupon.txt"),
            "stacking\nlimits\nunreviewed\n",
        )
        .unwrap();
    });
    let err = refused(&repo.git_output(&["push", "--atomic", "origin", "master", "v1.0.0"]));
    assert!(err.contains("[merge] master: merge "), "{err}");
    assert!(err.contains("+ unreviewed"), "{err}");
    assert_ok(&repo.git_output(&[
        "push",
        "--no-verify",
        "--atomic",
        "origin",
        "master",
        "v1.0.0",
    ]));
}

/// On master a conflict may only be resolved with lines the tag or master already had.
#[test]
fn a_resolution_on_master_may_not_add_lines() {
    let env = TestEnv::new();
    let repo = service(&env);
    // master holds a line the release does not (set up past the hooks).
    repo.git(&["switch", "-q", "master"]);
    fs::write(repo.path.join("coupon.txt"), "master's own rule\n").unwrap();
    repo.git(&["add", "coupon.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "master-only change"]);
    repo.git(&["push", "-q", "--no-verify", "origin", "master"]);
    merge_coupon_into_release(&repo);
    repo.git(&["push", "-q", "origin", "release"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    repo.git(&["switch", "-q", "master"]);
    merge_with(&repo, "v1.0.0", |repo| {
        fs::write(
            repo.path.join("coupon.txt"),
            "stacking\nlimits\nmaster's own rule\nsneaked in\n",
        )
        .unwrap();
    });
    let err = refused(&repo.git_output(&["push", "--atomic", "origin", "master", "v1.0.0"]));
    assert!(
        err.contains(
            "resolves conflicts with 1 line(s) that neither the release tag nor `master` had"
        ),
        "{err}"
    );
    assert!(err.contains("coupon.txt:   + sneaked in"), "{err}");
    // Resolved from the two sides only: the resolution itself is not refused (what
    // check-master then makes of master's own line is F14's business).
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    merge_with(&repo, "v1.0.0", |repo| {
        fs::write(
            repo.path.join("coupon.txt"),
            "stacking\nlimits\nmaster's own rule\n",
        )
        .unwrap();
    });
    let out = repo.git_output(&["push", "--atomic", "origin", "master", "v1.0.0"]);
    assert!(
        !stderr(&out).contains("resolves conflicts with"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("[merge]"), "{}", stderr(&out));
}

/// A merge of an unrelated history has no merge base: it is judged against an empty one,
/// so what the merge commit adds is still seen.
#[test]
fn code_added_in_a_merge_of_unrelated_histories_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "--orphan", "feature/vendor"]);
    repo.git(&["clean", "-fdq"]);
    fs::write(repo.path.join("vendor.txt"), "lib\n").unwrap();
    repo.git(&["add", "vendor.txt"]);
    repo.git(&["commit", "-q", "-m", "vendor"]);
    repo.git(&["switch", "-q", "-f", "release"]);
    let _ = repo.git_output(&[
        "merge",
        "--no-ff",
        "--no-commit",
        "--no-verify",
        "--allow-unrelated-histories",
        "feature/vendor",
    ]);
    fs::write(repo.path.join("backdoor.txt"), "let everyone in\n").unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "Merge branch 'feature/vendor' into release",
    ]);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(
        err.contains("backdoor.txt: added by the merge itself"),
        "{err}"
    );
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}
