//! The trust boundary, end to end: nothing in a clone that the pusher controls stands in
//! for what the remote has or switches the rules off. Each attack is a real `git push`
//! to a local bare `origin` that shipgate refuses, and that plain git (`--no-verify`)
//! would have taken, so the test shows the rule and not git.

use std::fs;

use crate::common::*;
use crate::policy::{merge_coupon_into_release, service};

/// A direct commit on the local `release` (the commit hook skipped, as `--no-verify` or a
/// clone without hooks would).
fn direct_commit_on_release(repo: &TestRepo) -> String {
    repo.git(&["switch", "-q", "release"]);
    fs::write(repo.path.join("hotfix.txt"), "skip review\n").unwrap();
    repo.git(&["add", "hotfix.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "direct fix on release"]);
    repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// The same push without shipgate's hook: git itself takes it.
fn plain_git_takes(repo: &TestRepo, args: &[&str]) {
    let mut full = vec!["push", "--no-verify"];
    full.extend_from_slice(args);
    assert_ok(&repo.git_output(&full));
}

#[test]
fn a_forged_remote_tracking_ref_is_not_what_the_remote_has() {
    let env = TestEnv::new();
    let repo = service(&env);
    let direct = direct_commit_on_release(&repo);
    // "The remote already has it": a lie told to the clone.
    repo.git(&["update-ref", "refs/remotes/origin/release", &direct]);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(
        err.contains("[E1] release: 1 commit(s) would land on `release`"),
        "{err}"
    );
    plain_git_takes(&repo, &["origin", "release"]);
}

#[test]
fn a_forged_origin_head_cannot_choose_the_policy() {
    let env = TestEnv::new();
    let repo = service(&env);
    // A branch whose committed policy protects nothing, made the "default branch".
    repo.git(&["switch", "-q", "-c", "lax", "master"]);
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nproduction = \"lax\"\nrelease = [\"nothing\"]\ntest = \"nothing-either\"\n",
    )
    .unwrap();
    repo.git(&["commit", "-q", "--no-verify", "-am", "lax policy"]);
    repo.git(&["update-ref", "refs/remotes/origin/lax", "HEAD"]);
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/lax",
    ]);
    repo.git(&["switch", "-q", "master"]);
    direct_commit_on_release(&repo);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(err.contains("[E1] release"), "{err}");
    plain_git_takes(&repo, &["origin", "release"]);
}

#[test]
fn another_remotes_refs_do_not_count_when_pushing_to_a_url() {
    let env = TestEnv::new();
    let repo = service(&env);
    let direct = direct_commit_on_release(&repo);
    repo.git(&["update-ref", "refs/remotes/fake/release", &direct]);
    let url = env.root().join("origin.git");
    let url = url.to_str().unwrap();
    let err = refused(&repo.git_output(&["push", url, "release"]));
    assert!(err.contains("[E1] release"), "{err}");
    plain_git_takes(&repo, &[url, "release"]);
}

#[test]
fn a_push_url_is_judged_by_what_it_has_not_by_the_fetch_url() {
    let env = TestEnv::new();
    let repo = service(&env);
    // The pusher's own scratch repository is what `origin` fetches from; pushes go to the
    // team's repository.
    let scratch = env.bare("scratch.git");
    let direct = direct_commit_on_release(&repo);
    repo.git(&[
        "push",
        "-q",
        "--no-verify",
        scratch.to_str().unwrap(),
        "release",
    ]);
    repo.git(&["remote", "set-url", "origin", scratch.to_str().unwrap()]);
    let team = env.root().join("origin.git");
    repo.git(&[
        "remote",
        "set-url",
        "--push",
        "origin",
        team.to_str().unwrap(),
    ]);
    repo.git(&["fetch", "-q", "origin"]);
    assert_eq!(repo.git(&["rev-parse", "origin/release"]).trim(), direct);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(err.contains("[E1] release"), "{err}");
    plain_git_takes(&repo, &["origin", "release"]);
}

#[test]
fn the_working_tree_config_cannot_switch_protection_off() {
    let env = TestEnv::new();
    let origin = env.bare("origin.git");
    let repo = env.repo("fresh");
    repo.git(&["branch", "-m", "master"]);
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    repo.install();
    repo.git(&["branch", "release"]);
    repo.git(&["push", "-q", "origin", "master", "release"]);
    // Nothing committed on master yet: the working tree's file is all the clone knows.
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nrelease = [\"nothing\"]\n",
    )
    .unwrap();
    direct_commit_on_release(&repo);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(err.contains("[E1] release"), "{err}");
    plain_git_takes(&repo, &["origin", "release"]);
}

#[test]
fn a_single_branch_clone_must_fetch_test_before_releasing() {
    let env = TestEnv::new();
    let repo = service(&env);
    // A development branch that took test's commits in, pushed (dev pushes are free).
    repo.git(&["switch", "-q", "test"]);
    fs::write(repo.path.join("test-only.txt"), "test env logging\n").unwrap();
    repo.git(&["add", "test-only.txt"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "test env: verbose logging",
    ]);
    repo.git(&["push", "-q", "--no-verify", "origin", "test"]);
    repo.git(&["switch", "-q", "-c", "feature/bad", "feature/coupon"]);
    repo.merge_unchecked("test", "Merge test");
    repo.git(&["push", "-q", "origin", "feature/bad"]);
    // test moves on: its tip is not among what the branch carries.
    repo.git(&["switch", "-q", "test"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "--allow-empty",
        "-m",
        "test env: more logging",
    ]);
    repo.git(&["push", "-q", "--no-verify", "origin", "test"]);

    let clone = env.root().join("single");
    // file:// so git transfers what the branch needs, as over a network (a plain path
    // would copy every object).
    let url = format!("file://{}", env.root().join("origin.git").display());
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            "--single-branch",
            "--branch",
            "release",
            "--no-tags",
            &url,
            clone.to_str().unwrap(),
        ],
    );
    assert_ok(&env.shipgate(&clone, &["install"]));
    env.git(
        &clone,
        &["fetch", "-q", "origin", "feature/bad:feature/bad"],
    );
    env.git(
        &clone,
        &[
            "merge",
            "-q",
            "--no-ff",
            "--no-verify",
            "-m",
            "Merge feature/bad",
            "feature/bad",
        ],
    );
    let err = refused(&env.git_output(&clone, &["push", "origin", "release"]));
    assert!(err.contains("the remote's `test` is at"), "{err}");
    assert!(err.contains("`git fetch origin test`"), "{err}");
    // Fetched: now shipgate can see what the branch carries, and says so.
    env.git(&clone, &["fetch", "-q", "origin", "test"]);
    let err = refused(&env.git_output(&clone, &["push", "origin", "release"]));
    assert!(err.contains("[F6] release"), "{err}");
    assert_ok(&env.git_output(&clone, &["push", "--no-verify", "origin", "release"]));
}

#[test]
fn a_shallow_clone_cannot_push_protected_refs() {
    let env = TestEnv::new();
    service(&env);
    let clone = env.root().join("shallow");
    let origin = env.root().join("origin.git");
    let url = format!("file://{}", origin.display());
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "release",
            &url,
            clone.to_str().unwrap(),
        ],
    );
    assert_ok(&env.shipgate(&clone, &["install"]));
    fs::write(clone.join("x.txt"), "x\n").unwrap();
    env.git(&clone, &["add", "x.txt"]);
    env.git(&clone, &["commit", "-q", "--no-verify", "-m", "direct"]);
    let err = refused(&env.git_output(&clone, &["push", "origin", "release"]));
    assert!(err.contains("this clone is shallow"), "{err}");
    assert!(err.contains("git fetch --unshallow origin"), "{err}");
    // A development branch from the same clone still goes.
    env.git(&clone, &["switch", "-q", "-c", "feature/ok"]);
    assert_ok(&env.git_output(&clone, &["push", "-q", "origin", "feature/ok"]));
    assert_ok(&env.git_output(&clone, &["push", "--no-verify", "origin", "release"]));
}

#[test]
fn grafts_cannot_dress_a_direct_commit_as_a_merge() {
    let env = TestEnv::new();
    let repo = service(&env);
    let direct = direct_commit_on_release(&repo);
    let parent = repo.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let coupon = repo
        .git(&["rev-parse", "feature/coupon"])
        .trim()
        .to_string();
    fs::write(
        repo.path.join(".git/info/grafts"),
        format!("{direct} {parent} {coupon}\n"),
    )
    .unwrap();
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(
        err.contains("`.git/info/grafts` rewrites commit parents"),
        "{err}"
    );
    plain_git_takes(&repo, &["origin", "release"]);
}

#[test]
fn replace_refs_cannot_dress_a_direct_commit_as_a_merge() {
    let env = TestEnv::new();
    let repo = service(&env);
    direct_commit_on_release(&repo);
    repo.git(&["replace", "--graft", "HEAD", "HEAD~1", "feature/coupon"]);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert!(
        err.contains("[E1] release: 1 commit(s) would land on `release`"),
        "{err}"
    );
    plain_git_takes(&repo, &["origin", "release"]);
}

/// Point 4: a release is a tag the remote has or receives in the same push; a tag that
/// only exists in this clone releases nothing.
#[test]
fn a_local_only_tag_is_no_release() {
    let env = TestEnv::new();
    let repo = service(&env);
    // A commit on release that no one tagged on the remote.
    repo.git(&["switch", "-q", "release"]);
    repo.merge_unchecked("feature/coupon", "Merge coupon");
    repo.git(&["push", "-q", "--no-verify", "origin", "release"]);
    repo.git(&["tag", "v1.0.0"]);
    repo.git(&["switch", "-q", "master"]);
    repo.merge_unchecked("v1.0.0", "Merge tag v1.0.0");
    let err = refused(&repo.git_output(&["push", "origin", "master"]));
    assert!(err.contains("[F13] master"), "{err}");
    plain_git_takes(&repo, &["origin", "master"]);
}

/// A release tag on a commit that no release branch has (an unreviewed development
/// commit with a complete plan) is no release.
#[test]
fn a_tag_off_the_release_branch_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "feature/coupon"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    let err = refused(&repo.git_output(&["push", "origin", "v1.0.0"]));
    assert!(
        err.contains("[F13] v1.0.0: the release tag `v1.0.0` points at"),
        "{err}"
    );
    assert!(err.contains("git tag -d v1.0.0"), "{err}");
    plain_git_takes(&repo, &["origin", "v1.0.0"]);
}

/// A bare repository beside the clone whose `master` holds a policy that protects
/// nothing: what an attacker would like the hook to read.
fn lax_remote(env: &TestEnv, repo: &TestRepo) -> std::path::PathBuf {
    repo.git(&["switch", "-q", "-c", "lax", "master"]);
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nproduction = \"nothing\"\nrelease = [\"nothing-r\"]\ntest = \"nothing-t\"\n\
         [tags]\nrelease = \"nothing-tag*\"\n",
    )
    .unwrap();
    repo.git(&["commit", "-q", "--no-verify", "-am", "lax policy"]);
    let fake = env.bare("fake.git");
    repo.git(&[
        "push",
        "-q",
        "--no-verify",
        fake.to_str().unwrap(),
        "lax:refs/heads/master",
    ]);
    repo.git(&["switch", "-q", "master"]);
    repo.git(&["branch", "-q", "-D", "lax"]);
    fake
}

fn direct_commit_on_master(repo: &TestRepo) {
    repo.git(&["switch", "-q", "master"]);
    fs::write(repo.path.join("evil.txt"), "evil\n").unwrap();
    repo.git(&["add", "evil.txt"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "direct commit on master",
    ]);
}

/// `url.<fake>.insteadOf` sends fetches (and so a plain `git ls-remote`) to a fake,
/// while `pushInsteadOf` keeps the push on the real remote: shipgate asks where the
/// push goes, with neither the repository's nor the pusher's rewrites.
#[test]
fn an_insteadof_rewrite_cannot_answer_for_the_remote() {
    let env = TestEnv::new();
    let repo = service(&env);
    let fake = lax_remote(&env, &repo);
    let origin = env.root().join("origin.git");
    let (fake, origin) = (fake.to_str().unwrap(), origin.to_str().unwrap());
    repo.git(&["config", &format!("url.{fake}.insteadOf"), origin]);
    repo.git(&["config", &format!("url.{origin}.pushInsteadOf"), origin]);
    direct_commit_on_master(&repo);
    let err = refused(&repo.git_output(&["push", "origin", "master"]));
    assert!(err.contains("[F13] master"), "{err}");
    // The same on the command line, nothing written to the config.
    repo.git(&["config", "--unset", &format!("url.{fake}.insteadOf")]);
    let out = repo.git_output(&[
        "-c",
        &format!("url.{fake}.insteadOf={origin}"),
        "push",
        "origin",
        "master",
    ]);
    assert!(refused(&out).contains("[F13] master"));
    plain_git_takes(&repo, &["origin", "master"]);
}

/// `git ls-remote <url>` reads a `remote.<url>.url` section as if the URL were a
/// remote's name; shipgate's question does not.
#[test]
fn a_remote_section_named_like_the_url_cannot_answer_for_the_remote() {
    let env = TestEnv::new();
    let repo = service(&env);
    let fake = lax_remote(&env, &repo);
    let url = format!("file://{}", env.root().join("origin.git").display());
    repo.git(&["remote", "set-url", "origin", &url]);
    repo.git(&[
        "config",
        &format!("remote.{url}.url"),
        fake.to_str().unwrap(),
    ]);
    direct_commit_on_master(&repo);
    let err = refused(&repo.git_output(&["push", "origin", "master"]));
    assert!(err.contains("[F13] master"), "{err}");
    let err = refused(&repo.git_output(&["push", "origin", ":release"]));
    assert!(err.contains("deleting `release` is refused"), "{err}");
    plain_git_takes(&repo, &["origin", ":release"]);
}

/// A git-flow team's remote HEAD names `develop`, which anyone may push: a config there
/// naming itself production does not become the policy while `master` has one.
#[test]
fn the_remotes_head_branch_cannot_take_over_the_policy() {
    let env = TestEnv::new();
    let repo = service(&env);
    let origin = env.root().join("origin.git");
    repo.git(&["push", "-q", "origin", "master:develop"]);
    env.git(&origin, &["symbolic-ref", "HEAD", "refs/heads/develop"]);
    repo.git(&["switch", "-q", "-c", "develop", "master"]);
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nproduction = \"develop\"\nrelease = [\"nothing-r\"]\ntest = \"nothing-t\"\n",
    )
    .unwrap();
    repo.git(&["commit", "-q", "-am", "tidy config"]);
    assert_ok(&repo.git_output(&["push", "-q", "origin", "develop"]));
    direct_commit_on_master(&repo);
    let err = refused(&repo.git_output(&["push", "origin", "master"]));
    assert!(err.contains("[F13] master"), "{err}");
    plain_git_takes(&repo, &["origin", "master"]);
}

/// Under an emergency window master may take a merge of the release tip the remote has,
/// not of a local `release` nobody reviewed.
#[test]
fn an_emergency_merges_only_the_remotes_release_into_master() {
    let env = TestEnv::new();
    let repo = service(&env);
    assert_ok(&repo.shipgate(&["emergency", "start", "--reason", "prod down"]));
    repo.git(&["switch", "-q", "-C", "release", "master"]);
    fs::write(repo.path.join("unreviewed.txt"), "x\n").unwrap();
    repo.git(&["add", "unreviewed.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "unreviewed"]);
    repo.git(&["switch", "-q", "master"]);
    repo.merge_unchecked("release", "Merge branch 'release'");
    let err = refused(&repo.git_output(&["push", "origin", "master"]));
    assert!(err.contains("[F13] master"), "{err}");
    plain_git_takes(&repo, &["origin", "master"]);
}

/// A config git reads and libgit2 cannot (`extensions.compatObjectFormat`) sends the
/// hook to its SHA-256 fall-back, where the working tree's file may not lift protection.
#[test]
fn a_config_libgit2_cannot_read_does_not_open_the_gate() {
    let env = TestEnv::new();
    let repo = service(&env);
    direct_commit_on_master(&repo);
    repo.git(&["config", "core.repositoryformatversion", "1"]);
    repo.git(&["config", "extensions.compatObjectFormat", "sha256"]);
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nproduction = \"nothing\"\nrelease = [\"nothing-r\"]\ntest = \"nothing-t\"\n",
    )
    .unwrap();
    let out = repo.git_output(&["push", "origin", "master"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    let out = repo.git_output(&["push", "origin", ":release"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    plain_git_takes(&repo, &["origin", ":release"]);
}

/// The legitimate path the rules must not block: QA pulls another QA's merge of the same
/// tag into master, and pushes the pull's merge.
#[test]
fn a_pull_merge_on_master_is_accepted() {
    let env = TestEnv::new();
    let repo = service(&env);
    merge_coupon_into_release(&repo);
    repo.git(&["push", "-q", "origin", "release"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    repo.git(&["push", "-q", "origin", "v1.0.0"]);
    // Another QA merged the tag first, from their own clone.
    let other = env.root().join("other");
    let origin = env.root().join("origin.git");
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            "-b",
            "master",
            origin.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    env.git(
        &other,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge tag 'v1.0.0' (bob)",
            "v1.0.0",
        ],
    );
    env.git(&other, &["push", "-q", "origin", "master"]);
    repo.git(&["switch", "-q", "master"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge tag 'v1.0.0'",
        "v1.0.0",
    ]);
    let out = repo.git_output(&["pull", "-q", "--no-rebase", "--no-edit", "origin", "master"]);
    assert_ok(&out);
    assert_ok(&repo.git_output(&["push", "-q", "origin", "master"]));
}
