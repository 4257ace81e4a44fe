//! `shipgate config check` and `config default`.

use std::fs;

use crate::common::*;

#[test]
fn errors_name_file_line_and_column() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    fs::write(
        repo.path.join(".shipgate.toml"),
        "lang = \"zh-CN\"\n\n[branches]\nproduction = \"master\"\nrelease = [\"release\", \"\"]\n",
    )
    .unwrap();
    let out = repo.shipgate(&["config", "check"]);
    insta::assert_snapshot!(env.transcript(&out));
    let out = repo.shipgate(&["--lang", "zh-CN", "config", "check"]);
    insta::assert_snapshot!(env.transcript(&out));
}

#[test]
fn valid_missing_and_explicit_file() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let out = repo.shipgate(&["config", "check"]);
    assert_ok(&out);
    assert!(stderr(&out).contains("does not exist; the built-in defaults apply"));
    let file = env.root().join("team.toml");
    fs::write(
        &file,
        "[people]\nowners = [\"zhangsan\"]\ntech_leads = [\"lisi\"]\n",
    )
    .unwrap();
    let out = repo.shipgate(&["config", "check", "--file", file.to_str().unwrap()]);
    assert_ok(&out);
    assert_eq!(env.normalize(&stdout(&out)), "[ROOT]/team.toml: ok\n");
}

#[test]
fn default_config_is_what_install_writes() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let printed = stdout(&repo.shipgate(&["config", "default"]));
    repo.install();
    assert_eq!(
        fs::read_to_string(repo.path.join(".shipgate.toml")).unwrap(),
        printed
    );
    assert_ok(&repo.shipgate(&["config", "check"]));
}

#[test]
fn version_help_and_completions() {
    let env = TestEnv::new();
    let out = env.shipgate(&env.root(), &["--version"]);
    assert_eq!(
        stdout(&out),
        format!("shipgate {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = env.shipgate(&env.root(), &["--help"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("install"));
    assert!(
        !stdout(&out)
            .lines()
            .any(|l| l.trim_start().starts_with("hook ")),
        "the hook entry point is hidden"
    );
    for shell in ["bash", "zsh", "fish"] {
        let out = env.shipgate(&env.root(), &["completions", shell]);
        assert_ok(&out);
        assert!(stdout(&out).contains("SHIPGATE_COMPLETE"), "{shell}");
    }
    let out = env.shipgate(&env.root(), &["instal"]);
    assert_code(&out, 2);
}
