//! `shipgate install` / `uninstall` in every kind of repository git has, with the hooks
//! really fired by `git commit` and `git push`.

use std::fs;
use std::os::unix::fs::symlink;

use crate::common::*;

#[test]
fn install_report_and_default_config() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let out = repo.shipgate(&["install"]);
    insta::assert_snapshot!(env.transcript(&out));
    let config = fs::read_to_string(repo.path.join(".shipgate.toml")).unwrap();
    assert!(config.contains("production = \"master\""));
    // Every hook is an executable shim that records this binary.
    for hook in ["pre-commit", "pre-merge-commit", "pre-push"] {
        let path = repo.hooks_dir().join(hook);
        assert_eq!(mode(&path), 0o755, "{hook}");
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&format!("bin='{BIN}'")),
            "{hook} records the binary"
        );
    }
}

#[test]
fn reinstall_is_idempotent_and_keeps_the_config() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    fs::write(repo.path.join(".shipgate.toml"), "lang = \"en\"\n").unwrap();
    repo.install();
    let out = repo.install();
    insta::assert_snapshot!(env.transcript(&out));
    assert_eq!(
        fs::read_to_string(repo.path.join(".shipgate.toml")).unwrap(),
        "lang = \"en\"\n",
        "an existing config is never overwritten"
    );
}

#[test]
fn stale_shim_is_upgraded_and_newer_one_refused() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    repo.install();
    let hook = repo.hooks_dir().join("pre-commit");
    let text = fs::read_to_string(&hook).unwrap();
    fs::write(
        &hook,
        text.replace("shipgate-shim version=2", "shipgate-shim version=0"),
    )
    .unwrap();
    let out = repo.install();
    assert!(
        stdout(&out).contains("pre-commit        upgraded"),
        "{}",
        stdout(&out)
    );

    fs::write(
        &hook,
        text.replace("shipgate-shim version=2", "shipgate-shim version=9"),
    )
    .unwrap();
    let out = repo.shipgate(&["install"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("newer shipgate (shim version 9)"),
        "{}",
        stderr(&out)
    );
    assert_ok(&repo.shipgate(&["install", "--force"]));
    assert!(fs::read_to_string(&hook).unwrap().contains("version=2"));
}

#[test]
fn foreign_hooks_run_first_and_are_restored_byte_identical() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let origin = env.bare("origin.git");
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    let hooks = repo.hooks_dir();
    let seen = env.root().join("seen-by-foreign-hook");
    let pre_push = format!(
        "#!/bin/sh\n# team hook\necho \"$1\" >'{}'\ncat >>'{}'\n",
        seen.display(),
        seen.display()
    );
    write_script(&hooks.join("pre-push"), &pre_push, 0o750);
    write_script(
        &hooks.join("pre-commit"),
        "#!/bin/sh\necho 'foreign pre-commit says no' >&2\nexit 3\n",
        0o700,
    );
    symlink("pre-commit", hooks.join("pre-merge-commit")).unwrap();

    let out = repo.install();
    insta::assert_snapshot!(env.transcript(&out));

    // The foreign pre-commit still refuses, with its own exit code honoured.
    let out = repo.git_output(&["commit", "--allow-empty", "-m", "x"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("foreign pre-commit says no"));

    // The foreign pre-push gets the arguments and the very same stdin as shipgate.
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["push", "-q", "origin", "main"]);
    let seen_text = fs::read_to_string(&seen).unwrap();
    assert_eq!(
        seen_text,
        format!(
            "origin\nrefs/heads/main {} refs/heads/main {}\n",
            head.trim(),
            "0".repeat(40)
        )
    );

    let out = repo.shipgate(&["uninstall"]);
    insta::assert_snapshot!(env.transcript(&out));
    assert_eq!(
        fs::read_to_string(hooks.join("pre-push")).unwrap(),
        pre_push
    );
    assert_eq!(mode(&hooks.join("pre-push")), 0o750);
    assert_eq!(mode(&hooks.join("pre-commit")), 0o700);
    assert_eq!(
        fs::read_link(hooks.join("pre-merge-commit"))
            .unwrap()
            .to_str(),
        Some("pre-commit")
    );
    assert!(!hooks.join("pre-push.pre-shipgate").exists());
    assert!(
        repo.path.join(".shipgate.toml").exists(),
        "uninstall leaves the config"
    );
}

#[test]
fn foreign_hook_and_a_leftover_backup_are_both_kept() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let hooks = repo.hooks_dir();
    write_script(&hooks.join("pre-commit"), "#!/bin/sh\nexit 0\n", 0o755);
    write_script(
        &hooks.join("pre-commit.pre-shipgate"),
        "#!/bin/sh\nexit 1\n",
        0o755,
    );
    let out = repo.shipgate(&["install"]);
    insta::assert_snapshot!(env.transcript(&out));
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
}

#[test]
fn skip_is_announced_and_foreign_hooks_still_run() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let marker = env.root().join("foreign-ran");
    write_script(
        &repo.hooks_dir().join("pre-commit"),
        &format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
        0o755,
    );
    repo.install();
    let out = env
        .command("git", &repo.path)
        .args(["commit", "--allow-empty", "-m", "skipped"])
        .env("SHIPGATE_SKIP", "1")
        .output()
        .unwrap();
    assert_ok(&out);
    insta::assert_snapshot!(env.normalize(&stderr(&out)));
    assert!(
        marker.exists(),
        "SHIPGATE_SKIP skips shipgate, not the team's own hook"
    );
}

#[test]
fn missing_binary_fails_closed_and_path_is_the_fallback() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let bin_dir = env.root().join("bin");
    fs::create_dir(&bin_dir).unwrap();
    let copy = bin_dir.join("shipgate");
    fs::copy(BIN, &copy).unwrap();
    let out = env.shipgate(&repo.path, &["--version"]);
    assert_ok(&out);
    let install = env
        .command(&copy, &repo.path)
        .arg("install")
        .output()
        .unwrap();
    assert_ok(&install);
    fs::rename(&copy, bin_dir.join("elsewhere")).unwrap();

    let out = repo.git_output(&["commit", "--allow-empty", "-m", "x"]);
    assert!(!out.status.success(), "no binary: the commit is refused");
    insta::assert_snapshot!(env.normalize(&stderr(&out)));
    assert_eq!(stderr(&out).lines().count(), 1, "one line");

    // With shipgate on PATH the recorded path is not needed.
    fs::rename(bin_dir.join("elsewhere"), &copy).unwrap();
    fs::rename(&copy, bin_dir.join("moved")).unwrap();
    let path_dir = env.root().join("path");
    fs::create_dir(&path_dir).unwrap();
    fs::rename(bin_dir.join("moved"), path_dir.join("shipgate")).unwrap();
    let out = env
        .command("git", &repo.path)
        .args(["commit", "--allow-empty", "-m", "y"])
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", path_dir.display()),
        )
        .output()
        .unwrap();
    assert_ok(&out);
}

#[test]
fn worktree_installs_into_the_shared_hooks() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let tree = env.root().join("app-feature");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature/x",
        tree.to_str().unwrap(),
    ]);
    let out = env.shipgate(&tree, &["install"]);
    assert_ok(&out);
    assert!(stdout(&out).contains(&format!(
        "hooks in {}",
        repo.path.join(".git/hooks").display()
    )));
    assert!(
        tree.join(".shipgate.toml").exists(),
        "config goes to the worktree's top level"
    );
    assert_fires(&env, &tree);
    assert_fires(&env, &repo.path);
}

#[test]
fn submodule_installs_into_its_own_git_dir() {
    let env = TestEnv::new();
    let lib = env.repo("lib");
    let app = env.repo("app");
    app.git(&["submodule", "add", "-q", lib.path.to_str().unwrap(), "lib"]);
    let sub = app.path.join("lib");
    let out = env.shipgate(&sub, &["install"]);
    assert_ok(&out);
    let hooks = app.path.join(".git/modules/lib/hooks");
    assert!(
        stdout(&out).contains(&format!("hooks in {}", hooks.display())),
        "{}",
        stdout(&out)
    );
    assert!(hooks.join("pre-commit").exists());
    assert_fires(&env, &sub);
}

#[test]
fn local_hooks_path_is_honoured() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    let out = repo.shipgate(&["install"]);
    assert_ok(&out);
    assert!(repo.path.join(".githooks/pre-push").exists());
    assert!(!repo.path.join(".git/hooks/pre-push").exists());
    assert_fires(&env, &repo.path);
}

#[test]
fn global_hooks_path_is_refused_and_nothing_written() {
    let env = TestEnv::new();
    let shared = env.root().join("global-hooks");
    fs::create_dir(&shared).unwrap();
    let repo = env.repo("app");
    env.git(
        &repo.path,
        &[
            "config",
            "--global",
            "core.hooksPath",
            shared.to_str().unwrap(),
        ],
    );
    let out = repo.shipgate(&["install"]);
    insta::assert_snapshot!(env.transcript(&out));
    assert_eq!(fs::read_dir(&shared).unwrap().count(), 0);

    // The first way out it names works.
    repo.git(&["config", "--local", "core.hooksPath", ".git/hooks"]);
    assert_ok(&repo.shipgate(&["install"]));
    assert_fires(&env, &repo.path);
}

#[test]
fn local_hooks_path_outside_the_repository_is_refused() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let outside = env.root().join("elsewhere");
    repo.git(&["config", "core.hooksPath", outside.to_str().unwrap()]);
    let out = repo.shipgate(&["install"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("outside the repository"),
        "{}",
        stderr(&out)
    );
    assert!(!outside.exists());
}

#[test]
fn dry_run_writes_nothing() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let out = repo.shipgate(&["install", "--dry-run"]);
    insta::assert_snapshot!(env.transcript(&out));
    assert!(!repo.hooks_dir().join("pre-commit").exists());
    assert!(!repo.path.join(".shipgate.toml").exists());
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let env = TestEnv::new();
    let dir = env.root().join("plain");
    fs::create_dir(&dir).unwrap();
    let out = env.shipgate(&dir, &["install"]);
    insta::assert_snapshot!(env.transcript(&out));
    // Every command that needs a repository says so in the same words, with the way out.
    for args in [
        &["check-master"][..],
        &["plan", "check", "v1.0.0"],
        &["announce", "start", "--version", "v1.0.0"],
        &["status"],
    ] {
        let out = env.shipgate(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("is not inside a git repository")
                && err.contains("hint: run shipgate inside a service repository"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn chinese_output_from_flag_config_and_locale() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let out = repo.shipgate(&["--lang", "zh-CN", "install"]);
    insta::assert_snapshot!(env.transcript(&out));

    // The repository's `lang` wins over the locale; `--lang` over both.
    let other = env.repo("other");
    fs::write(other.path.join(".shipgate.toml"), "lang = \"zh-CN\"\n").unwrap();
    let out = other.shipgate(&["install"]);
    assert!(stdout(&out).contains("已安装"), "{}", stdout(&out));
    let out = other.shipgate(&["--lang", "en", "doctor"]);
    assert!(stdout(&out).contains("all good"), "{}", stdout(&out));
    let out = env
        .command(BIN, &repo.path)
        .arg("doctor")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("一切正常"), "{}", stdout(&out));
    // The shims speak the install language too.
    let out = env
        .command("git", &other.path)
        .args(["commit", "--allow-empty", "-m", "x"])
        .env("SHIPGATE_SKIP", "1")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("跳过了 shipgate 检查"),
        "{}",
        stderr(&out)
    );
}

/// Proves git runs shipgate's pre-commit in `dir`: with SHIPGATE_SKIP the shim announces
/// itself, without it the commit goes through shipgate and succeeds.
fn assert_fires(env: &TestEnv, dir: &std::path::Path) {
    let out = env
        .command("git", dir)
        .args(["commit", "--allow-empty", "-m", "skip"])
        .env("SHIPGATE_SKIP", "1")
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(
        stderr(&out).contains("SHIPGATE_SKIP=1"),
        "hook did not fire in {}: {}",
        dir.display(),
        stderr(&out)
    );
    let out = env.git_output(dir, &["commit", "--allow-empty", "-m", "checked"]);
    assert_ok(&out);
}

/// A hook that is a symlink to another repository's shipgate shim is kept, and the two
/// shims do not call each other forever.
#[test]
fn symlinked_shim_from_another_repository_does_not_recurse() {
    let env = TestEnv::new();
    let a = env.repo("a");
    a.install();
    let b = env.repo("b");
    std::os::unix::fs::symlink(
        a.hooks_dir().join("pre-commit"),
        b.hooks_dir().join("pre-commit"),
    )
    .unwrap();
    b.install();
    let out = env
        .command("timeout", &b.path)
        .args(["20", "git", "commit", "--allow-empty", "-m", "x"])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_ok(&b.shipgate(&["uninstall"]));
    assert!(fs::symlink_metadata(b.hooks_dir().join("pre-commit"))
        .unwrap()
        .file_type()
        .is_symlink());
}
