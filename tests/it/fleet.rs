//! `--all DIR`: every repository under a folder, one table.

use std::fs;
use std::os::unix::fs::symlink;

use crate::common::*;

/// services/ with two repos, one nested inside another's working tree, a bare repo, a
/// symlink loop, a plain folder, and a repo hidden in node_modules.
fn fleet(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.root().join("services");
    fs::create_dir(&dir).unwrap();
    env.repo("services/order-api");
    env.repo("services/pay-api");
    env.repo("services/pay-api/tools/nested");
    env.bare("services/mirror.git");
    fs::create_dir_all(dir.join("docs/notes")).unwrap();
    symlink("..", dir.join("docs/notes/loop")).unwrap();
    env.repo("services/web/node_modules/dep");
    dir
}

#[test]
fn install_all_prints_one_table() {
    let env = TestEnv::new();
    let dir = fleet(&env);
    let out = env.shipgate(&env.root(), &["install", "--all", "services"]);
    insta::assert_snapshot!(env.transcript(&out));
    assert!(dir
        .join("pay-api/tools/nested/.git/hooks/pre-push")
        .exists());
    assert!(!dir
        .join("web/node_modules/dep/.git/hooks/pre-push")
        .exists());
    assert!(!dir.join("mirror.git/hooks/pre-push").exists());

    let out = env.shipgate(&env.root(), &["install", "--all", "services"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out).matches("already current").count(),
        3,
        "{}",
        stdout(&out)
    );

    let out = env.shipgate(&env.root(), &["doctor", "--all", "services"]);
    insta::assert_snapshot!("doctor_all", env.transcript(&out));

    let out = env.shipgate(&env.root(), &["uninstall", "--all", "services"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out).matches("removed").count(),
        3,
        "{}",
        stdout(&out)
    );
    assert!(!dir.join("order-api/.git/hooks/pre-push").exists());
}

#[test]
fn one_failure_fails_the_run_but_not_the_others() {
    let env = TestEnv::new();
    let dir = fleet(&env);
    let hooks = dir.join("order-api/.git/hooks");
    write_script(&hooks.join("pre-push"), "#!/bin/sh\n", 0o755);
    write_script(&hooks.join("pre-push.pre-shipgate"), "#!/bin/sh\n", 0o755);
    let out = env.shipgate(&env.root(), &["install", "--all", "services"]);
    insta::assert_snapshot!(env.transcript(&out));
    assert!(dir.join("pay-api/.git/hooks/pre-push").exists());
}

#[test]
fn dry_run_over_a_fleet_writes_nothing() {
    let env = TestEnv::new();
    let dir = fleet(&env);
    let out = env.shipgate(&env.root(), &["install", "--all", "services", "--dry-run"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out).matches("would install").count(),
        3,
        "{}",
        stdout(&out)
    );
    assert!(!dir.join("order-api/.git/hooks/pre-push").exists());
    assert!(!dir.join("order-api/.shipgate.toml").exists());
}

#[test]
fn empty_or_missing_folder() {
    let env = TestEnv::new();
    let empty = env.root().join("empty");
    fs::create_dir(&empty).unwrap();
    let out = env.shipgate(&env.root(), &["install", "--all", empty.to_str().unwrap()]);
    assert_ok(&out);
    assert!(stderr(&out).contains("no git repositories found"));
    let out = env.shipgate(&env.root(), &["install", "--all", "nowhere"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("`nowhere`"), "{}", stderr(&out));
}
