//! `shipgate doctor`: proves git will run each hook, and names the problem when not.

use std::fs;

use crate::common::*;

#[test]
fn healthy_repository() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    repo.install();
    let out = repo.shipgate(&["doctor"]);
    insta::assert_snapshot!(env.transcript(&out));
}

#[test]
fn hook_without_exec_bit() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    repo.install();
    let hook = repo.hooks_dir().join("pre-push");
    write_script(&hook, &fs::read_to_string(&hook).unwrap(), 0o644);
    let out = repo.shipgate(&["doctor"]);
    insta::assert_snapshot!(env.transcript(&out));
    // install repairs it
    assert_ok(&repo.shipgate(&["install"]));
    assert_ok(&repo.shipgate(&["doctor"]));
}

#[test]
fn missing_foreign_and_broken_config() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    repo.install();
    let hooks = repo.hooks_dir();
    fs::remove_file(hooks.join("pre-commit")).unwrap();
    write_script(
        &hooks.join("pre-merge-commit"),
        "#!/bin/sh\nexit 0\n",
        0o755,
    );
    fs::write(
        repo.path.join(".shipgate.toml"),
        "[branches]\nprodution = \"main\"\n",
    )
    .unwrap();
    let out = repo.shipgate(&["doctor"]);
    insta::assert_snapshot!(env.transcript(&out));
}

#[test]
fn binary_version_mismatch_and_missing_binary() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    repo.install();
    let old = env.root().join("old-shipgate");
    write_script(&old, "#!/bin/sh\necho 'shipgate 0.0.1'\n", 0o755);
    let hook = repo.hooks_dir().join("pre-commit");
    let text = fs::read_to_string(&hook).unwrap();
    fs::write(&hook, text.replace(BIN, old.to_str().unwrap())).unwrap();
    let out = repo.shipgate(&["doctor"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("version 0.0.1; this shipgate is"),
        "{}",
        stdout(&out)
    );

    fs::remove_file(&old).unwrap();
    let out = repo.shipgate(&["doctor"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("is gone and `shipgate` is not on PATH"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("hint: run `./install.sh`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn not_installed_at_all() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let out = repo.shipgate(&["doctor"]);
    assert_code(&out, 1);
    assert_eq!(
        stdout(&out).matches("missing").count(),
        3,
        "{}",
        stdout(&out)
    );
}
