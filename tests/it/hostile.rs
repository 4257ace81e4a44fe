//! Hostile input: plan documents and histories built to make shipgate hang, overflow its
//! stack or run out of memory. Each must end in a clear error that names the file (or a
//! correct verdict), never a crash. Sizes are smaller than `benches/hostile.sh` uses, but
//! past every limit they test; timing is the benchmark's business, not the tests'.

use std::fs;
use std::path::PathBuf;

use crate::common::*;

const HEAD: &str = "---\nkind: feature\nversion: \"v1.0.0\"\n";

/// `shipgate plan check v1.0.0` on a plan with these bytes.
fn plan_check(env: &TestEnv, bytes: &[u8]) -> std::process::Output {
    let repo = env.repo("plans");
    let dir = repo.path.join("docs/releases");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("v1.0.0.md"), bytes).unwrap();
    repo.shipgate(&["plan", "check", "v1.0.0"])
}

/// Exit 2 with one error naming the plan, the line and `what`.
fn refused(bytes: &[u8], line: usize, what: &str) {
    let env = TestEnv::new();
    let out = plan_check(&env, bytes);
    assert_code(&out, 2);
    let err = stderr(&out);
    let expected = format!("error: docs/releases/v1.0.0.md:{line}: ");
    assert!(err.starts_with(&expected), "{expected} in:\n{err}");
    assert!(err.contains(what), "{what} in:\n{err}");
}

#[test]
fn deep_markdown_nesting_is_refused() {
    let body = format!("{HEAD}---\n# plan\n\n{}x\n", "- ".repeat(200_000));
    refused(body.as_bytes(), 7, "nest more than 32 levels deep");
    let body = format!("{HEAD}---\n{}x\n", "> ".repeat(200_000));
    refused(body.as_bytes(), 5, "nest more than 32 levels deep");
}

#[test]
fn deep_yaml_is_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!("{HEAD}approvals: {deep}\n---\n");
    refused(text.as_bytes(), 4, "front matter");
    let mut text = String::from(HEAD);
    text.push_str("rollback:\n");
    for level in 1..40 {
        text.push_str(&format!("{}k:\n", " ".repeat(level)));
    }
    text.push_str("---\n");
    refused(text.as_bytes(), 5, "front matter");
}

#[test]
fn huge_and_invalid_documents_are_refused() {
    let mut big = format!("{HEAD}---\n").into_bytes();
    big.resize(50 * 1024 * 1024, b'x');
    refused(&big, 1, "a plan may be at most 1048576 bytes");
    refused(
        format!("{HEAD}owner: \"\u{4e09}\"\n---\n")
            .replace('\u{4e09}', "\u{fffd}")
            .as_bytes()
            .iter()
            .map(|&b| if b == 0xef { 0xff } else { b })
            .collect::<Vec<_>>()
            .as_slice(),
        4,
        "not valid UTF-8",
    );
}

#[test]
fn many_checklist_items_are_each_judged() {
    let env = TestEnv::new();
    let mut text = format!("{HEAD}---\n");
    for _ in 0..40_000 {
        text.push_str("* [ ] <!--id:z-->\n");
    }
    let out = plan_check(&env, text.as_bytes());
    assert_code(&out, 1);
    let all = stdout(&out) + &stderr(&out);
    assert_eq!(all.matches("item `z` appears twice").count(), 39_999);
}

#[test]
fn yaml_tricks_that_hide_a_record_are_refused() {
    let record = "rollback:\n  at: \"2026-11-01\"\n  to: v0.9.0\n  reason: broke\n";
    for (text, line, what) in [
        (
            format!("{HEAD}status: released\n...\nstatus: rolled-back\n{record}---\n"),
            5,
            "a `...` line inside the front matter",
        ),
        (
            format!("{HEAD}status: rolled-back\nstatus: released\n---\n"),
            5,
            "`status` is written twice",
        ),
        (
            format!("{HEAD}{record}{record}---\n"),
            8,
            "`rollback` is written twice",
        ),
        (
            format!("{HEAD}<<: {{status: released}}\n---\n"),
            4,
            "merge keys",
        ),
        (
            format!("{HEAD}owner: &o zhangsan\ntech_lead: *o\n---\n"),
            4,
            "anchors and aliases",
        ),
    ] {
        refused(text.as_bytes(), line, what);
    }
}

#[test]
fn rollback_writes_what_the_parser_reads() {
    let env = TestEnv::new();
    let repo = env.repo("svc");
    repo.git(&["tag", "v0.9.0"]);
    repo.commit("v1.0.0");
    repo.git(&["tag", "v1.0.0"]);
    let dir = repo.path.join("docs/releases");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v1.0.0.md");
    // A plan that hides a record after `...` is refused as it stands, untouched.
    let hidden = format!("{HEAD}status: released\n...\nstatus: rolled-back\n---\n# v1.0.0\n");
    fs::write(&path, &hidden).unwrap();
    let out = repo.shipgate(&["rollback", "--version", "v1.0.0", "--reason", "broke"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("v1.0.0.md:5: a `...` line"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), hidden);
    // An ordinary plan: the record lands in the front matter, and reads back.
    fs::write(&path, format!("{HEAD}status: released\n---\n# v1.0.0\n")).unwrap();
    let out = repo.shipgate(&["rollback", "--version", "v1.0.0", "--reason", "broke"]);
    assert_ok(&out);
    let text = fs::read_to_string(&path).unwrap();
    let front = text.split("\n---\n").next().unwrap();
    assert!(front.contains("status: rolled-back"), "{text}");
    assert!(front.contains("rollback:\n  at:"), "{text}");
    assert_eq!(text.matches("status:").count(), 1, "{text}");
}

/// Builds the fixture `name` (with `size`) and runs `check-master --format json` in it.
fn check_master(env: &TestEnv, name: &str, size: &str) -> (i32, serde_json::Value) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/check-master")
        .join(format!("{name}.sh"));
    let dir = env.root().join(name);
    let out = env
        .command("bash", &env.root())
        .arg(&script)
        .arg(&dir)
        .arg(size)
        .output()
        .unwrap();
    assert_ok(&out);
    let out = env.shipgate(&dir, &["check-master", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}: {}", stderr(&out)));
    (out.status.code().unwrap(), json)
}

#[test]
fn a_rewritten_big_file_still_shows_the_dropped_line() {
    let env = TestEnv::new();
    let (code, json) = check_master(&env, "hostile-rewrite", "12000");
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["verdict"], "lost", "{json:#}");
    let dropped: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "merge-dropped")
        .flat_map(|f| f["files"][0]["lines"].as_array().unwrap())
        .filter_map(|l| l.as_str())
        .collect();
    // The release's line the resolution dropped, and master's side of the conflict
    // (its hotfix and the old lines); nothing the result kept.
    assert!(dropped.contains(&"rewritten 777"), "{}", dropped.len());
    assert!(dropped.contains(&"hotfix 1"), "{}", dropped.len());
    assert!(!dropped
        .iter()
        .any(|l| l.starts_with("rewritten 77") && l.len() > 13));
    assert_eq!(dropped.len(), 12_001);
}

#[test]
fn a_wide_directory_merged_at_once_is_clean() {
    let env = TestEnv::new();
    let (code, json) = check_master(&env, "hostile-wide-dir", "2000");
    assert_eq!(json["verdict"], "clean", "{json:#}");
    assert_eq!(code, 0);
}
