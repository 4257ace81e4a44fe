//! F6 by content and history shape: what was made on `test` stays out of `release` when
//! it arrives under another id (cherry-pick, squash, rebase) or behind a "foxtrot" merge
//! that swapped test's first parent. Each push is also shown taken by plain git.

use std::fs;

use crate::common::*;
use crate::policy::service;

/// A fix committed straight on `test` (past the hooks, as before shipgate or by a clone
/// without them), pushed.
fn fix_on_test(repo: &TestRepo) -> String {
    repo.git(&["switch", "-q", "test"]);
    fs::write(
        repo.path.join("logging.conf"),
        "level = debug\nsink = test-cluster\n",
    )
    .unwrap();
    repo.git(&["add", "logging.conf"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "test env: verbose logging",
    ]);
    repo.git(&["push", "-q", "--no-verify", "origin", "test"]);
    repo.git(&["rev-parse", "--short", "HEAD"])
        .trim()
        .to_string()
}

/// `feature/x` from release with a commit of its own.
fn feature(repo: &TestRepo) {
    repo.git(&["switch", "-q", "-c", "feature/x", "release"]);
    fs::write(repo.path.join("x.txt"), "x\n").unwrap();
    repo.git(&["add", "x.txt"]);
    repo.git(&["commit", "-q", "-m", "x: the feature"]);
}

fn release_it(repo: &TestRepo) -> std::process::Output {
    repo.git(&["switch", "-q", "release"]);
    repo.merge_unchecked("feature/x", "Merge feature/x");
    repo.git_output(&["push", "origin", "release"])
}

#[test]
fn a_cherry_picked_test_commit_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    let fix = fix_on_test(&repo);
    feature(&repo);
    repo.git(&["cherry-pick", "test"]);
    let err = refused(&release_it(&repo));
    assert!(
        err.contains("[F6] release: 1 commit(s) made on `test` would enter `release`"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "test env: verbose logging  (a copy of {fix}, made on `test`)"
        )),
        "{err}"
    );
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}

#[test]
fn a_squash_that_includes_a_test_commit_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    let fix = fix_on_test(&repo);
    feature(&repo);
    repo.git(&["merge", "-q", "--squash", "test"]);
    fs::write(repo.path.join("x.txt"), "x\nmore\n").unwrap();
    repo.git(&["add", "x.txt"]);
    repo.git(&["commit", "-q", "-m", "x: everything in one commit"]);
    let err = refused(&release_it(&repo));
    assert!(
        err.contains(&format!("(a copy of {fix}, made on `test`)")),
        "{err}"
    );
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}

#[test]
fn a_rebase_that_replays_test_commits_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    let fix = fix_on_test(&repo);
    feature(&repo);
    repo.merge_unchecked("test", "Merge branch 'test' into feature/x");
    // Flattened: the merge of test is gone, its commits are replayed under new ids.
    repo.git(&["rebase", "-q", "release"]);
    let err = refused(&release_it(&repo));
    assert!(
        err.contains(&format!("(a copy of {fix}, made on `test`)")),
        "{err}"
    );
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}

/// `git pull` on a stale `test` swaps its first parent: test's earlier merges end up
/// behind the second parent of the pull's merge, and still count as made on `test`.
#[test]
fn a_foxtrot_merge_does_not_hide_tests_history() {
    let env = TestEnv::new();
    let repo = service(&env);
    // test takes feature/coupon by a merge, as a PR would.
    repo.git(&["switch", "-q", "test"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/coupon' into test",
        "feature/coupon",
    ]);
    repo.git(&["push", "-q", "origin", "test"]);
    let into_test = repo
        .git(&["rev-parse", "--short", "HEAD"])
        .trim()
        .to_string();
    // A development branch that took test in at that point.
    feature(&repo);
    repo.merge_unchecked("test", "Merge branch 'test' into feature/x");
    // Someone with a stale test merges another branch locally, then pulls.
    repo.git(&["switch", "-q", "-c", "feature/two", "master"]);
    fs::write(repo.path.join("two.txt"), "two\n").unwrap();
    repo.git(&["add", "two.txt"]);
    repo.git(&["commit", "-q", "-m", "two"]);
    repo.git(&["switch", "-q", "-C", "stale-test", "master"]);
    repo.merge_unchecked("feature/two", "Merge branch 'feature/two' into test");
    repo.merge_unchecked("origin/test", "Merge branch 'test' of origin into test");
    // shipgate refuses that push (test's first parent must go on from the remote's);
    // it happened before shipgate was installed.
    let err = refused(&repo.git_output(&["push", "origin", "stale-test:test"]));
    assert!(
        err.contains("takes `test`'s history off the remote's"),
        "{err}"
    );
    repo.git(&["push", "-q", "--no-verify", "origin", "stale-test:test"]);
    // test's first parent no longer leads to the merge of feature/coupon.
    let first_parents = env.git(
        &env.root().join("origin.git"),
        &["log", "--first-parent", "--format=%h", "test"],
    );
    assert!(!first_parents.contains(&into_test), "{first_parents}");

    let err = refused(&release_it(&repo));
    assert!(
        err.contains(&format!(
            "{into_test} Merge branch 'feature/coupon' into test  (made on `test`)"
        )),
        "{err}"
    );
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}

/// The legitimate path: a development branch that never took `test` in, released after
/// test received it.
#[test]
fn a_branch_that_went_through_test_is_released() {
    let env = TestEnv::new();
    let repo = service(&env);
    fix_on_test(&repo);
    feature(&repo);
    repo.git(&["push", "-q", "origin", "feature/x"]);
    repo.git(&["switch", "-q", "test"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/x' into test",
        "feature/x",
    ]);
    repo.git(&["push", "-q", "origin", "test"]);
    let out = release_it(&repo);
    // Only the plan is owed (this push releases v1.0.0's plan; the rules of F6 pass).
    assert!(!stderr(&out).contains("[F6]"), "{}", stderr(&out));
}
