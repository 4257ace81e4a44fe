//! The branch and push rules end to end: real `git commit`, `git merge` and `git push` to
//! a local bare `origin`, with shipgate's hooks installed. Each rule is shown refusing and
//! its legitimate path passing.

use std::fs;
use std::path::Path;

use crate::common::*;

/// A service repo with `master`, `release`, `test` and `feature/coupon` (two commits) on a
/// bare origin, shipgate installed.
pub fn service(env: &TestEnv) -> TestRepo<'_> {
    let origin = env.bare("origin.git");
    let repo = env.repo("order-api");
    repo.git(&["branch", "-m", "master"]);
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    repo.install();
    let config = fs::read_to_string(repo.path.join(".shipgate.toml")).unwrap();
    let config = config
        .replace("owners = []", "owners = [\"zhangsan\"]")
        .replace("tech_leads = []", "tech_leads = [\"lisi\"]")
        .replace("qa = []", "qa = [\"wangwu\"]");
    fs::write(repo.path.join(".shipgate.toml"), config).unwrap();
    write_plan(&repo, "v1.0.0");
    repo.git(&["add", "."]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "shipgate policy and the plan for v1.0.0",
    ]);
    repo.git(&["branch", "release"]);
    repo.git(&["branch", "test"]);
    repo.git(&["push", "-q", "origin", "master", "release", "test"]);
    repo.git(&["switch", "-q", "-c", "feature/coupon"]);
    write(&repo, "coupon.txt", "stacking\n");
    repo.git(&["commit", "-q", "-m", "coupon: stacking rules"]);
    write(&repo, "coupon.txt", "stacking\nlimits\n");
    repo.git(&["commit", "-q", "-am", "coupon: limits"]);
    repo.git(&["push", "-q", "origin", "feature/coupon"]);
    repo
}

/// A feature plan for `version`, rendered by `shipgate plan new` and filled in the way
/// its author would: every placeholder written, every box ticked, approvals recorded.
pub fn write_plan(repo: &TestRepo, version: &str) {
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "feature", "--version", version]));
    let path = repo.path.join(format!("docs/releases/{version}.md"));
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, fill_plan(&text)).unwrap();
}

pub fn fill_plan(text: &str) -> String {
    text.replace("（待填写）", "已填写")
        .replace("(to fill in)", "done")
        .replace("- [ ]", "- [x]")
        .replace("approvals: []", "approvals: [zhangsan, lisi]")
        .replace("observed_minutes: 0", "observed_minutes: 7")
}

/// `feature/coupon` merged into release as a reviewed PR would be (not pushed).
pub fn merge_coupon_into_release(repo: &TestRepo) {
    repo.git(&["switch", "-q", "release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "feature/coupon",
    ]);
}

fn write(repo: &TestRepo, file: &str, text: &str) {
    fs::write(repo.path.join(file), text).unwrap();
    repo.git(&["add", file]);
}

fn run(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    repo.git_output(args)
}

fn remote_tip(env: &TestEnv, branch: &str) -> String {
    env.git(&env.root().join("origin.git"), &["rev-parse", branch])
        .trim()
        .to_string()
}

#[test]
fn direct_commits_on_protected_branches_are_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    for branch in ["master", "release", "test"] {
        repo.git(&["switch", "-q", branch]);
        write(&repo, "hotfix.txt", branch);
        let out = run(&repo, &["commit", "-m", "quick fix"]);
        let err = refused(&out);
        if branch == "release" {
            insta::assert_snapshot!(env.normalize(&err));
        }
        assert!(
            err.contains(&format!("direct commits to `{branch}` are refused")),
            "{err}"
        );
        repo.git(&["reset", "-q", "--hard"]);
    }
    repo.git(&["switch", "-q", "feature/coupon"]);
    write(&repo, "coupon.txt", "ok\n");
    assert_ok(&run(&repo, &["commit", "-m", "dev branches are free"]));
}

#[test]
fn refusals_speak_chinese() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "release"]);
    write(&repo, "hotfix.txt", "x");
    let out = env
        .command("git", &repo.path)
        .args(["commit", "-m", "quick fix"])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    insta::assert_snapshot!(env.normalize(&refused(&out)));
}

#[test]
fn reviewed_merge_into_release_is_pushed() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "release"]);
    let out = run(
        &repo,
        &[
            "merge",
            "--no-ff",
            "-m",
            "Merge branch 'feature/coupon' into release",
            "feature/coupon",
        ],
    );
    assert_ok(&out);
    let out = run(&repo, &["push", "origin", "release"]);
    assert_ok(&out);
    assert_eq!(
        remote_tip(&env, "release"),
        repo.git(&["rev-parse", "release"]).trim()
    );
}

#[test]
fn pushes_that_slip_past_other_hook_managers_are_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    let before = remote_tip(&env, "release");

    // `git push origin feat release`: the second ref carries a direct commit.
    repo.git(&["switch", "-q", "release"]);
    write(&repo, "hotfix.txt", "x");
    repo.git(&["commit", "-q", "--no-verify", "-m", "direct fix on release"]);
    repo.git(&["switch", "-q", "feature/coupon"]);
    let err = refused(&run(
        &repo,
        &["push", "origin", "feature/coupon", "release"],
    ));
    insta::assert_snapshot!("push_feat_release", env.normalize(&err));

    // `git push origin :release`
    let err = refused(&run(&repo, &["push", "origin", ":release"]));
    assert!(err.contains("deleting `release` is refused"), "{err}");

    // `git push -f origin release` after rewriting it
    repo.git(&["switch", "-q", "release"]);
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.git(&["commit", "-q", "--amend", "--no-verify", "-m", "rewritten"]);
    let err = refused(&run(&repo, &["push", "-f", "origin", "release"]));
    assert!(
        err.contains("rewrites `release` (not a fast-forward)"),
        "{err}"
    );

    // `git push origin HEAD:release` from a dev branch
    repo.git(&["switch", "-q", "feature/coupon"]);
    let err = refused(&run(&repo, &["push", "origin", "HEAD:release"]));
    assert!(
        err.contains("2 commit(s) would land on `release` without a reviewed merge"),
        "{err}"
    );
    let err = refused(&run(
        &repo,
        &["push", "origin", "feature/coupon:refs/heads/release"],
    ));
    assert!(err.contains("without a reviewed merge"), "{err}");

    // to a URL rather than a remote name
    let url = env.root().join("origin.git");
    let err = refused(&run(
        &repo,
        &["push", url.to_str().unwrap(), "HEAD:release"],
    ));
    assert!(err.contains("without a reviewed merge"), "{err}");

    assert_eq!(
        remote_tip(&env, "release"),
        before,
        "nothing reached the remote"
    );
}

/// A development branch that merged `test`: the commit path and the push path.
#[test]
fn test_branch_code_never_reaches_release() {
    let env = TestEnv::new();
    let repo = service(&env);
    // Someone's fix made directly on test (bypassing the hooks), and a merge into test.
    repo.git(&["switch", "-q", "test"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/coupon' into test",
        "feature/coupon",
    ]);
    write(&repo, "debug.txt", "test-only logging\n");
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "test env: verbose logging",
    ]);
    repo.git(&["push", "-q", "--no-verify", "origin", "test"]);
    // feature/stacking pulls test in
    repo.git(&["switch", "-q", "-c", "feature/stacking", "master"]);
    write(&repo, "stacking.txt", "v1\n");
    repo.git(&["commit", "-q", "-m", "stacking: first cut"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'test' into feature/stacking",
        "test",
    ]);

    // commit path: merging it into release
    repo.git(&["switch", "-q", "release"]);
    let err = refused(&run(
        &repo,
        &[
            "merge",
            "--no-ff",
            "-m",
            "Merge feature/stacking",
            "feature/stacking",
        ],
    ));
    assert!(
        err.contains("[F6] release: 2 commit(s) made on `test` would enter `release`"),
        "{err}"
    );
    assert!(err.contains("test env: verbose logging"), "{err}");
    repo.git(&["merge", "--abort"]);

    // push path: the merge made with --no-verify
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "--no-verify",
        "-m",
        "Merge feature/stacking",
        "feature/stacking",
    ]);
    let err = refused(&run(&repo, &["push", "origin", "release"]));
    insta::assert_snapshot!(env.normalize(&err));

    // the rebuilt branch (the hint's own command) goes through
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&["switch", "-q", "feature/stacking"]);
    let rebuild = "git switch -c feature/stacking-clean origin/release && \
                   git cherry-pick $(git rev-list --reverse --no-merges --first-parent feature/stacking ^origin/release)";
    let out = env
        .command("sh", &repo.path)
        .args(["-c", rebuild])
        .output()
        .unwrap();
    assert_ok(&out);
    repo.git(&["switch", "-q", "release"]);
    assert_ok(&run(
        &repo,
        &[
            "merge",
            "--no-ff",
            "-m",
            "Merge feature/stacking-clean",
            "feature/stacking-clean",
        ],
    ));
    assert_ok(&run(&repo, &["push", "origin", "release"]));
}

/// QA tags the release, merges the tag into master, pushes both at once.
#[test]
fn qa_flow_and_master_only_takes_release_tags() {
    let env = TestEnv::new();
    let repo = service(&env);
    merge_coupon_into_release(&repo);
    repo.git(&["push", "-q", "origin", "release"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    repo.git(&["switch", "-q", "master"]);
    // merging a commit that is no release tag is refused
    let err = refused(&run(
        &repo,
        &["merge", "--no-ff", "-m", "Merge feature", "feature/coupon"],
    ));
    assert!(err.contains("[F13]"), "{err}");
    repo.git(&["merge", "--abort"]);
    assert_ok(&run(
        &repo,
        &["merge", "--no-ff", "-m", "Merge tag 'v1.0.0'", "v1.0.0"],
    ));
    assert_ok(&run(
        &repo,
        &["push", "--atomic", "origin", "master", "v1.0.0"],
    ));

    // master moved to a commit that is not a release tag
    write(&repo, "hotfix.txt", "x");
    repo.git(&["commit", "-q", "--no-verify", "-m", "sneaky fix on master"]);
    let err = refused(&run(&repo, &["push", "origin", "master"]));
    insta::assert_snapshot!(env.normalize(&err));

    // the pushed tag can neither move nor go
    repo.git(&["reset", "-q", "--hard", "origin/master"]);
    repo.git(&["tag", "-f", "-a", "v1.0.0", "-m", "moved", "feature/coupon"]);
    let err = refused(&run(&repo, &["push", "-f", "origin", "v1.0.0"]));
    assert!(err.contains("moving the release tag `v1.0.0`"), "{err}");
    let err = refused(&run(&repo, &["push", "origin", ":refs/tags/v1.0.0"]));
    assert!(
        err.contains("deleting the release tag `v1.0.0` is refused"),
        "{err}"
    );
}

#[test]
fn emergency_window_allows_logs_and_closes() {
    let env = TestEnv::new();
    let repo = service(&env);
    let out = repo.shipgate(&[
        "emergency",
        "start",
        "--reason",
        "支付回调超时",
        "--incident",
        "INC-4711",
    ]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("emergency window open until"),
        "{}",
        stderr(&out)
    );

    repo.git(&["switch", "-q", "release"]);
    write(&repo, "fix.txt", "timeout 3s\n");
    let out = run(&repo, &["commit", "-m", "fix: payment callback timeout"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("EMERGENCY WINDOW OPEN"),
        "{}",
        stderr(&out)
    );
    let out = run(&repo, &["push", "origin", "release"]);
    assert_ok(&out);
    // deletions and force pushes still hold
    let err = refused(&run(&repo, &["push", "origin", ":release"]));
    assert!(err.contains("deleting `release` is refused"), "{err}");

    let out = repo.shipgate(&["emergency", "log"]);
    assert_ok(&out);
    let log = stdout(&out);
    for needle in [
        " start ",
        " commit ",
        " push ",
        " release ",
        "支付回调超时 [INC-4711]",
        "Li Si <lisi@example.com>",
    ] {
        assert!(log.contains(needle), "{needle} missing from\n{log}");
    }
    assert_eq!(
        log.lines().filter(|l| l.contains(" push ")).count(),
        1,
        "{log}"
    );

    assert_ok(&repo.shipgate(&["emergency", "end"]));
    write(&repo, "fix.txt", "timeout 5s\n");
    let err = refused(&run(&repo, &["commit", "-m", "after the window"]));
    assert!(
        err.contains("direct commits to `release` are refused"),
        "{err}"
    );
    assert!(stdout(&repo.shipgate(&["emergency", "log"])).contains(" end "));
}

/// E4: an emergency fix committed on release and deployed from it is reported by
/// check-master until it reaches master; the restore command it prints is accepted under
/// the emergency window, and then the report is clean.
#[test]
fn check_master_reports_an_emergency_fix_until_it_is_merged_back() {
    let env = TestEnv::new();
    let repo = service(&env);
    merge_coupon_into_release(&repo);
    repo.git(&["push", "-q", "origin", "release"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    repo.git(&["switch", "-q", "master"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge tag 'v1.0.0'",
        "v1.0.0",
    ]);
    assert_ok(&run(
        &repo,
        &["push", "--atomic", "origin", "master", "v1.0.0"],
    ));

    assert_ok(&repo.shipgate(&["emergency", "start", "--reason", "支付回调超时"]));
    repo.git(&["switch", "-q", "release"]);
    write(&repo, "fix.txt", "timeout 3s\n");
    assert_ok(&run(
        &repo,
        &["commit", "-m", "fix: payment callback timeout"],
    ));
    assert_ok(&run(&repo, &["push", "origin", "release"]));

    let out = repo.shipgate(&["check-master"]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("is on `origin/release` but not on master yet"),
        "{text}"
    );
    assert!(text.contains("(E4)"), "{text}");
    let restore = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("restore: "))
        .unwrap_or_else(|| panic!("no restore command in\n{text}"))
        .to_string();
    assert_eq!(
        restore,
        "git switch master && git merge --no-ff origin/release && git push origin master"
    );
    // The printed command, run as printed in sh, is accepted by the hooks.
    let out = env
        .command("sh", &repo.path)
        .args(["-c", &restore])
        .output()
        .unwrap();
    assert_ok(&out);
    let out = repo.shipgate(&["check-master"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("verdict: CLEAN"), "{}", stdout(&out));
}

#[test]
fn emergency_window_expires() {
    let env = TestEnv::new();
    let repo = service(&env);
    assert_ok(&repo.shipgate(&["emergency", "start", "--reason", "outage", "--for", "1s"]));
    let err = stderr(&repo.shipgate(&["emergency", "start", "--reason", "again"]));
    assert!(err.contains("already open"), "{err}");
    env.set_now("2026-11-01T10:00:02+08:00");
    repo.git(&["switch", "-q", "release"]);
    write(&repo, "fix.txt", "x");
    let err = refused(&run(&repo, &["commit", "-m", "too late"]));
    assert!(
        err.contains("direct commits to `release` are refused"),
        "{err}"
    );
    assert!(stdout(&repo.shipgate(&["emergency", "status"])).contains("expired"));
    let out = repo.shipgate(&["emergency", "start", "--reason", "x", "--for", "forever"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("`forever` is not a duration"));
}

#[test]
fn check_push_judges_without_pushing() {
    let env = TestEnv::new();
    let repo = service(&env);
    let out = repo.shipgate(&[
        "check-push",
        "--ref",
        "release",
        "--old",
        "origin/release",
        "--new",
        "feature/coupon",
    ]);
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("without a reviewed merge"),
        "{}",
        stderr(&out)
    );
    let out = repo.shipgate(&[
        "check-push",
        "--ref",
        "refs/heads/feature/coupon",
        "--old",
        "origin/feature/coupon",
        "--new",
        "feature/coupon",
    ]);
    assert_ok(&out);
    assert!(stdout(&out).contains("no rule refuses this update"));
    let out = repo.shipgate(&[
        "check-push",
        "--ref",
        "release",
        "--old",
        "nope",
        "--new",
        "HEAD",
    ]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("`nope` does not name a commit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn policy_comes_from_the_production_branch() {
    let env = TestEnv::new();
    let repo = service(&env);
    // A branch-local edit cannot switch protection off.
    repo.git(&["switch", "-q", "release"]);
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nrelease = [\"nothing\"]\n",
    )
    .unwrap();
    write(&repo, "fix.txt", "x");
    let err = refused(&run(&repo, &["commit", "-m", "sneaky"]));
    assert!(err.contains("direct commits to `release`"), "{err}");
    // A broken config is a malfunction naming the place, and fails closed.
    repo.git(&["checkout", "--", ".shipgate.toml"]);
    repo.git(&["switch", "-q", "feature/coupon"]);
    repo.git(&["switch", "-q", "master"]);
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nproduction = \"master\"\nrelese = []\n",
    )
    .unwrap();
    repo.git(&["commit", "-q", "--no-verify", "-am", "typo"]);
    repo.git(&["push", "-q", "--no-verify", "origin", "master"]);
    repo.git(&["switch", "-q", "feature/coupon"]);
    write(&repo, "coupon.txt", "more\n");
    let out = run(&repo, &["commit", "-m", "x"]);
    let err = refused(&out);
    assert_code(&out, 1);
    assert!(
        err.contains(
            "error: refs/remotes/origin/master:.shipgate.toml:3:1: unknown field `relese`"
        ),
        "{err}"
    );
}

#[test]
fn first_commit_and_detached_head_are_free() {
    let env = TestEnv::new();
    let dir = env.root().join("new");
    fs::create_dir(&dir).unwrap();
    env.git(&dir, &["init", "-q", "-b", "master"]);
    assert_ok(&env.shipgate(&dir, &["install"]));
    env.git(&dir, &["add", ".shipgate.toml"]);
    assert_ok(&env.git_output(&dir, &["commit", "-m", "initial"]));
    env.git(&dir, &["switch", "-q", "--detach"]);
    assert_ok(&env.git_output(&dir, &["commit", "--allow-empty", "-m", "detached"]));
    let _ = Path::new("");
}

/// libgit2 cannot read SHA-256 repositories: what touches nothing protected goes
/// through, the rest fails closed with a clear error.
#[test]
fn sha256_repositories() {
    let env = TestEnv::new();
    let dir = env.root().join("sha256");
    fs::create_dir(&dir).unwrap();
    env.git(
        &dir,
        &["init", "-q", "-b", "master", "--object-format=sha256"],
    );
    env.git(&dir, &["commit", "-q", "--allow-empty", "-m", "initial"]);
    let origin = env.root().join("origin256.git");
    env.git(
        &env.root(),
        &[
            "init",
            "-q",
            "--bare",
            "--object-format=sha256",
            origin.to_str().unwrap(),
        ],
    );
    env.git(&dir, &["remote", "add", "origin", origin.to_str().unwrap()]);
    assert_ok(&env.shipgate(&dir, &["install"]));
    env.git(&dir, &["switch", "-q", "-c", "feature/x"]);
    assert_ok(&env.git_output(&dir, &["commit", "--allow-empty", "-m", "dev work"]));
    assert_ok(&env.git_output(&dir, &["push", "origin", "feature/x"]));
    env.git(&dir, &["switch", "-q", "master"]);
    let out = env.git_output(&dir, &["commit", "--allow-empty", "-m", "direct"]);
    let err = refused(&out);
    assert!(
        err.contains("is a SHA-256 repository, which libgit2 cannot read yet"),
        "{err}"
    );
    let out = env.git_output(&dir, &["push", "origin", "feature/x:release"]);
    assert!(refused(&out).contains("SHA-256"));
}

#[test]
fn lightweight_tag_fast_forward_of_master() {
    let env = TestEnv::new();
    let repo = service(&env);
    merge_coupon_into_release(&repo);
    repo.git(&["tag", "v1.0.0"]);
    repo.git(&["push", "-q", "origin", "release", "v1.0.0"]);
    repo.git(&["switch", "-q", "master"]);
    repo.git(&["merge", "-q", "--ff-only", "v1.0.0"]);
    assert_ok(&run(&repo, &["push", "origin", "master"]));
}

/// Someone else moved `release` on the remote; this clone never fetched it.
#[test]
fn force_push_over_unfetched_work_says_fetch_first() {
    let env = TestEnv::new();
    let repo = service(&env);
    let other = env.root().join("other-clone");
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            env.root().join("origin.git").to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    env.git(&other, &["switch", "-q", "release"]);
    env.git(
        &other,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge coupon",
            "origin/feature/coupon",
        ],
    );
    env.git(&other, &["push", "-q", "--no-verify", "origin", "release"]);

    repo.git(&["switch", "-q", "release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "--no-verify",
        "-m",
        "Merge coupon here",
        "feature/coupon",
    ]);
    let err = refused(&run(&repo, &["push", "-f", "origin", "release"]));
    assert!(
        err.contains("the remote's `release` is at ")
            && err.contains("which this clone has not fetched"),
        "{err}"
    );
    assert!(
        err.contains("hint: fetch it, then push again: `git fetch origin release`"),
        "{err}"
    );
}

/// F14 at the push: QA's merge of the tag into master threw the release away (`-s ours`).
#[test]
fn pushing_a_lossy_merge_of_the_tag_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    merge_coupon_into_release(&repo);
    repo.git(&["push", "-q", "origin", "release"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    repo.git(&["switch", "-q", "master"]);
    repo.git(&[
        "merge",
        "-q",
        "-s",
        "ours",
        "--no-verify",
        "-m",
        "Merge tag 'v1.0.0'",
        "v1.0.0",
    ]);
    let out = run(&repo, &["push", "--atomic", "origin", "master", "v1.0.0"]);
    let err = refused(&out);
    assert!(
        err.contains("[F14] master: merging `v1.0.0` loses changes"),
        "{err}"
    );
    assert!(err.contains("coupon.txt: LOST"), "{err}");
    assert!(
        err.contains("shipgate check-master v1.0.0 --master"),
        "{err}"
    );
    // The same check for CI.
    let out = repo.shipgate(&[
        "check-push",
        "--ref",
        "master",
        "--old",
        "origin/master",
        "--new",
        "master",
    ]);
    assert_code(&out, 1);
    // check-master names the loss, its commit and merge, and a restore command that runs
    // as printed and whose branch the hooks take (from there: a reviewed merge).
    let out = repo.shipgate(&["check-master", "v1.0.0", "--master", "master"]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("LOST"), "{text}");
    assert!(text.contains("Merge tag 'v1.0.0'"), "{text}");
    let restore = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("restore: "))
        .unwrap_or_else(|| panic!("no restore command in\n{text}"))
        .split("   (see:")
        .next()
        .unwrap()
        .to_string();
    let out = env
        .command("sh", &repo.path)
        .args(["-c", &restore])
        .output()
        .unwrap();
    assert_ok(&out);
    let branch = repo.git(&["branch", "--show-current"]).trim().to_string();
    assert!(branch.starts_with("restore/"), "{branch}");
    assert_ok(&run(&repo, &["push", "origin", &branch]));
    repo.git(&["switch", "-q", "master"]);
    // Done right, it goes through.
    repo.git(&["reset", "-q", "--hard", "origin/master"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge tag 'v1.0.0'",
        "v1.0.0",
    ]);
    assert_ok(&run(
        &repo,
        &["push", "--atomic", "origin", "master", "v1.0.0"],
    ));
}

/// The policy is the one committed where the remote's default branch is, even when the
/// production branch is `main` and the working tree's file says otherwise.
#[test]
fn a_local_edit_cannot_rename_the_production_branch_away() {
    let env = TestEnv::new();
    let origin = env.bare("origin-main.git");
    let seed = env.repo("seed");
    seed.git(&["branch", "-m", "main"]);
    fs::write(
        seed.path.join(".shipgate.toml"),
        "[branches]\nproduction = \"main\"\n",
    )
    .unwrap();
    seed.git(&["add", ".shipgate.toml"]);
    seed.git(&["commit", "-q", "-m", "policy"]);
    seed.git(&["push", "-q", origin.to_str().unwrap(), "main"]);
    env.git(&origin, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    let clone = env.root().join("clone");
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    assert_ok(&env.shipgate(&clone, &["install"]));
    fs::write(
        clone.join(".shipgate.toml"),
        "[branches]\nproduction = \"zzz\"\n",
    )
    .unwrap();
    let out = env.git_output(&clone, &["commit", "-am", "sneaky"]);
    let err = refused(&out);
    assert!(
        err.contains("direct commits to `main` are refused"),
        "{err}"
    );
}
