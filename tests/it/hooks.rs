//! The hidden `shipgate hook` entry point, as the shims call it.

use std::io::Write;
use std::process::Stdio;

use crate::common::*;

fn hook(env: &TestEnv, dir: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    let mut child = env
        .command(BIN, dir)
        .arg("hook")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn malformed_push_input_names_the_line() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let zero = "0".repeat(40);
    let input = format!(
        "refs/heads/a {zero} refs/heads/a {zero}\nrefs/heads/b nothex refs/heads/b {zero}\n"
    );
    let out = hook(
        &env,
        &repo.path,
        &["pre-push", "origin", "/srv/app.git"],
        &input,
    );
    insta::assert_snapshot!(env.transcript(&out));
}

#[test]
fn unknown_hook_is_a_malfunction() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let out = hook(&env, &repo.path, &["post-frobnicate"], "");
    assert_code(&out, 2);
    assert!(stderr(&out).contains("`post-frobnicate` is not a hook shipgate handles"));
}

#[test]
fn push_through_installed_hooks_reads_all_input() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let origin = env.bare("origin.git");
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    repo.install();
    for i in 0..200 {
        repo.git(&["branch", &format!("feature/b{i}")]);
    }
    let out = repo.git_output(&["push", "origin", "--all"]);
    assert_ok(&out);
    let pushed = env.git(&origin, &["for-each-ref", "--format=%(refname)"]);
    assert_eq!(pushed.lines().count(), 201);
}
