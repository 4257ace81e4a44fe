//! shipgate wired in through other hook managers, with the real tools: pre-commit (from
//! PyPI) using the hooks this repository ships in `.pre-commit-hooks.yaml`, and lefthook
//! (from npm) using the README's recipe. Each one: a real `git commit` on a protected
//! branch refused and on a dev branch passing, a real `git push` of a direct commit to
//! `release` refused and a reviewed merge pushed.
//!
//! The tools must be on PATH. When one is missing the test says so and passes, unless
//! `SHIPGATE_REQUIRE_TOOLS=1` (set by `.ci/run`, which installs them) makes it fail.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::*;
use crate::policy::service;

/// The shipped pre-commit manifest.
const MANIFEST: &str = include_str!("../../.pre-commit-hooks.yaml");

/// The directory holding `tool` on the real PATH, or `None` after saying why the test
/// is skipped (a failure when `SHIPGATE_REQUIRE_TOOLS=1`).
fn find_tool(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        if dir.join(tool).is_file() {
            return Some(dir);
        }
    }
    assert!(
        !required("SHIPGATE_REQUIRE_TOOLS"),
        "`{tool}` is not on PATH under CI or SHIPGATE_REQUIRE_TOOLS=1: install it (see .ci/run)"
    );
    eprintln!(
        "skipped: `{tool}` is not on PATH (set SHIPGATE_REQUIRE_TOOLS=1 to make this a failure)"
    );
    None
}

/// A PATH with `shipgate` (this build), the tool's directory, and the usual ones.
fn path_with(env: &TestEnv, tool_dir: &Path) -> String {
    let bin = env.root().join("bin");
    if !bin.exists() {
        fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(BIN, bin.join("shipgate")).unwrap();
    }
    format!(
        "{}:{}:/usr/local/bin:/usr/bin:/bin",
        bin.display(),
        tool_dir.display()
    )
}

fn run(env: &TestEnv, dir: &Path, path: &str, program: &str, args: &[&str]) -> Output {
    env.command(program, dir)
        .env("PATH", path)
        .args(args)
        .output()
        .expect("runs")
}

fn all_output(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

fn remote_tip(env: &TestEnv, branch: &str) -> String {
    env.git(&env.root().join("origin.git"), &["rev-parse", branch])
        .trim()
        .to_string()
}

/// The service repository with shipgate's own hooks taken out again: only the hook
/// manager is left to call shipgate.
fn bare_service(env: &TestEnv) -> TestRepo<'_> {
    let repo = service(env);
    assert_ok(&repo.shipgate(&["uninstall"]));
    repo
}

/// The four real git operations every hook manager must get right.
fn commit_and_push_through(env: &TestEnv, repo: &TestRepo, path: &str, tool: &str) {
    let git = |args: &[&str]| run(env, &repo.path, path, "git", args);

    // A commit on release is refused; on a dev branch it goes through.
    git(&["switch", "-q", "release"])
        .status
        .success()
        .then_some(())
        .unwrap();
    fs::write(repo.path.join("hotfix.txt"), "x\n").unwrap();
    assert_ok(&git(&["add", "hotfix.txt"]));
    let out = git(&["commit", "-m", "quick fix"]);
    assert!(!out.status.success(), "{tool}: commit on release passed");
    assert!(
        all_output(&out).contains("direct commits to `release` are refused"),
        "{tool}: {}",
        all_output(&out)
    );
    assert_ok(&git(&["reset", "-q", "--hard"]));
    assert_ok(&git(&["switch", "-q", "feature/coupon"]));
    fs::write(repo.path.join("coupon.txt"), "stacking\nlimits\ncaps\n").unwrap();
    assert_ok(&git(&["add", "coupon.txt"]));
    let out = git(&["commit", "-m", "coupon: caps"]);
    assert_ok(&out);
    assert_ok(&git(&["push", "-q", "origin", "feature/coupon"]));

    // A direct commit on release (made with --no-verify) cannot be pushed.
    let before = remote_tip(env, "release");
    assert_ok(&git(&["switch", "-q", "release"]));
    fs::write(repo.path.join("hotfix.txt"), "x\n").unwrap();
    assert_ok(&git(&["add", "hotfix.txt"]));
    assert_ok(&git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "direct fix on release",
    ]));
    let out = git(&["push", "origin", "release"]);
    assert!(
        !out.status.success(),
        "{tool}: push of a direct commit passed"
    );
    assert!(
        all_output(&out).contains("would land on `release` without a reviewed merge"),
        "{tool}: {}",
        all_output(&out)
    );
    assert_eq!(remote_tip(env, "release"), before);

    // The reviewed merge of the dev branch is pushed.
    assert_ok(&git(&["reset", "-q", "--hard", "origin/release"]));
    assert_ok(&git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/coupon' into release",
        "feature/coupon",
    ]));
    let out = git(&["push", "origin", "release"]);
    assert_ok(&out);
    assert_eq!(
        remote_tip(env, "release"),
        repo.git(&["rev-parse", "release"]).trim()
    );
}

#[test]
fn the_shipped_pre_commit_manifest_names_both_hooks() {
    for (id, entry, stage) in [
        (
            "shipgate-pre-commit",
            "shipgate hook pre-commit",
            "pre-commit",
        ),
        (
            "shipgate-pre-push",
            "shipgate hook pre-push --from-pre-commit",
            "pre-push",
        ),
    ] {
        let at = MANIFEST
            .find(&format!("- id: {id}\n"))
            .unwrap_or_else(|| panic!("no hook `{id}`"));
        let hook = &MANIFEST[at..];
        let end = hook[1..].find("\n- id:").map_or(hook.len(), |e| e + 2);
        let hook = &hook[..end];
        assert!(hook.contains(&format!("\n  entry: {entry}\n")), "{hook}");
        assert!(hook.contains("\n  language: system\n"), "{hook}");
        assert!(hook.contains(&format!("\n  stages: [{stage}")), "{hook}");
        assert!(hook.contains("\n  pass_filenames: false\n"), "{hook}");
        assert!(hook.contains("\n  always_run: true\n"), "{hook}");
    }
    // pre-commit itself accepts the manifest.
    let Some(dir) = find_tool("pre-commit") else {
        return;
    };
    let env = TestEnv::new();
    let manifest = env.root().join(".pre-commit-hooks.yaml");
    fs::write(&manifest, MANIFEST).unwrap();
    let path = path_with(&env, &dir);
    let out = run(
        &env,
        &env.root(),
        &path,
        "pre-commit",
        &["validate-manifest", manifest.to_str().unwrap()],
    );
    assert_ok(&out);
}

#[test]
fn pre_commit_runs_shipgate_on_commit_and_push() {
    let Some(dir) = find_tool("pre-commit") else {
        return;
    };
    let env = TestEnv::new();
    let repo = bare_service(&env);
    let path = path_with(&env, &dir);
    // `repo: local` with the shipped hook definitions: offline, and exactly what a team
    // that points `repo:` at shipgate gets.
    let hooks: String = MANIFEST
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("    {l}\n"))
        .collect();
    fs::write(
        repo.path.join(".pre-commit-config.yaml"),
        format!("repos:\n  - repo: local\n    hooks:\n{hooks}"),
    )
    .unwrap();
    let out = run(
        &env,
        &repo.path,
        &path,
        "pre-commit",
        &[
            "install",
            "--hook-type",
            "pre-commit",
            "--hook-type",
            "pre-push",
        ],
    );
    assert_ok(&out);
    commit_and_push_through(&env, &repo, &path, "pre-commit");
}

#[test]
fn lefthook_runs_shipgate_on_commit_and_push() {
    let Some(dir) = find_tool("lefthook") else {
        return;
    };
    let env = TestEnv::new();
    let repo = bare_service(&env);
    let path = path_with(&env, &dir);
    fs::write(repo.path.join("lefthook.yml"), lefthook_recipe()).unwrap();
    let out = run(&env, &repo.path, &path, "lefthook", &["install"]);
    assert_ok(&out);
    commit_and_push_through(&env, &repo, &path, "lefthook");
}

/// The README's lefthook recipe: the first YAML block after its **lefthook** heading.
fn lefthook_recipe() -> String {
    let readme = include_str!("../../README.md");
    let at = readme
        .find("**lefthook**")
        .expect("the README has a lefthook recipe");
    let block = &readme[at..];
    let start = block.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = block[start..].find("```").expect("the block ends") + start;
    block[start..end].to_string()
}

/// The adapter alone, with the variables pre-commit sets (no tool needed): the push of
/// a direct commit to `release` is refused, the push of a dev branch passes, and without
/// the variables it says what it expected.
#[test]
fn from_pre_commit_reads_the_push_from_pre_commits_variables() {
    let env = TestEnv::new();
    let repo = bare_service(&env);
    let origin = env.root().join("origin.git");
    let remote_release = remote_tip(&env, "release");
    repo.git(&["switch", "-q", "release"]);
    repo.commit("direct fix on release");
    let local = repo.git(&["rev-parse", "release"]).trim().to_string();
    let hook = |vars: &[(&str, &str)]| {
        env.command(BIN, &repo.path)
            .args(["hook", "pre-push", "--from-pre-commit"])
            .envs(vars.iter().copied())
            .output()
            .unwrap()
    };
    let url = origin.to_str().unwrap();
    let out = hook(&[
        ("PRE_COMMIT_FROM_REF", &remote_release),
        ("PRE_COMMIT_TO_REF", &local),
        ("PRE_COMMIT_REMOTE_NAME", "origin"),
        ("PRE_COMMIT_REMOTE_URL", url),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/release"),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/release"),
    ]);
    assert_code(&out, 1);
    assert!(
        stderr(&out)
            .contains("[E1] release: 1 commit(s) would land on `release` without a reviewed merge"),
        "{}",
        stderr(&out)
    );
    // For a ref the remote lacks, pre-commit's FROM_REF is the parent of the first new
    // commit, not zeros: taken at its word, a new release tag would be "moved". shipgate
    // asks the remote, and judges the tag's creation.
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    let tag = repo.git(&["rev-parse", "v1.0.0"]).trim().to_string();
    let out = hook(&[
        ("PRE_COMMIT_FROM_REF", &remote_release),
        ("PRE_COMMIT_TO_REF", &tag),
        ("PRE_COMMIT_REMOTE_NAME", "origin"),
        ("PRE_COMMIT_REMOTE_URL", url),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/tags/v1.0.0"),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/tags/v1.0.0"),
    ]);
    let err = stderr(&out);
    assert!(!err.contains("moving the release tag"), "{err}");
    // The same verdict as git's own line gives shipgate's own hook.
    let mut git_hook = env
        .command(BIN, &repo.path)
        .args(["hook", "pre-push", "origin", url])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let zeros = "0".repeat(40);
    std::io::Write::write_all(
        &mut git_hook.stdin.take().unwrap(),
        format!("refs/tags/v1.0.0 {tag} refs/tags/v1.0.0 {zeros}\n").as_bytes(),
    )
    .unwrap();
    let native = git_hook.wait_with_output().unwrap();
    assert_eq!(out.status.code(), native.status.code());
    assert_eq!(err, stderr(&native));
    let feature = repo
        .git(&["rev-parse", "feature/coupon"])
        .trim()
        .to_string();
    let out = hook(&[
        ("PRE_COMMIT_FROM_REF", &remote_release),
        ("PRE_COMMIT_TO_REF", &feature),
        ("PRE_COMMIT_REMOTE_NAME", "origin"),
        ("PRE_COMMIT_REMOTE_URL", url),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/feature/coupon"),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/feature/coupon"),
    ]);
    assert_ok(&out);
    let out = hook(&[]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("error: `PRE_COMMIT_REMOTE_NAME` is not set"),
        "{}",
        stderr(&out)
    );
}
