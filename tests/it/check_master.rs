//! check-master against fixture histories built by `tests/fixtures/check-master/*.sh`:
//! each asserts the verdict, the exit code and the key finding.

use std::path::PathBuf;

use crate::common::*;

/// Builds the fixture `name` and runs `shipgate check-master ARGS` in it.
fn run(env: &TestEnv, name: &str, args: &[&str]) -> (std::process::Output, PathBuf) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/check-master")
        .join(format!("{name}.sh"));
    let dir = env.root().join(name);
    let out = env
        .command("bash", &env.root())
        .arg(&script)
        .arg(&dir)
        .output()
        .unwrap();
    assert_ok(&out);
    let mut all = vec!["check-master"];
    all.extend_from_slice(args);
    (env.shipgate(&dir, &all), dir)
}

fn verdict(env: &TestEnv, name: &str) -> (i32, serde_json::Value) {
    let (out, _) = run(env, name, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}: {}", stderr(&out)));
    (out.status.code().unwrap(), json)
}

fn kinds(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["severity"].as_str().unwrap(),
                f["kind"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn clean_histories() {
    let env = TestEnv::new();
    for name in [
        "textbook",
        "fast-forward",
        "hotfix-cherry-picked",
        "squash-correct",
    ] {
        let (code, json) = verdict(&env, name);
        assert_eq!(
            (code, json["verdict"].as_str().unwrap()),
            (0, "clean"),
            "{name}: {json}"
        );
        assert!(kinds(&json).is_empty(), "{name}: {json}");
    }
}

#[test]
fn a_revert_after_the_merge_is_information() {
    let env = TestEnv::new();
    let (code, json) = verdict(&env, "revert-after");
    assert_eq!((code, json["verdict"].as_str().unwrap()), (0, "clean"));
    assert_eq!(kinds(&json), vec!["INFO:changed-later"]);
}

#[test]
fn lost_histories() {
    let env = TestEnv::new();
    let cases = [
        ("ours", vec!["LOST:tag-change-missing"]),
        ("hotfix-missing", vec!["LOST:hotfix-missing-from-tag"]),
        ("squash-dropped-hunk", vec!["LOST:tag-change-missing"]),
        ("qa-fix-after-merge", vec!["LOST:tag-change-missing"]),
        (
            "conflict-dropped-tag-line",
            vec!["LOST:tag-change-missing", "LOST:hotfix-missing-from-tag"],
        ),
    ];
    for (name, expected) in cases {
        let (code, json) = verdict(&env, name);
        assert_eq!(
            (code, json["verdict"].as_str().unwrap()),
            (1, "lost"),
            "{name}: {json}"
        );
        assert_eq!(kinds(&json), expected, "{name}");
    }
}

#[test]
fn a_tag_never_merged_is_its_own_verdict() {
    let env = TestEnv::new();
    let (code, json) = verdict(&env, "never-merged");
    assert_eq!((code, json["verdict"].as_str().unwrap()), (1, "not-merged"));
}

#[test]
fn what_a_person_reads() {
    let env = TestEnv::new();
    let (out, _) = run(&env, "ours", &[]);
    let text = env.normalize(&stdout(&out));
    // Commit ids depend on the clock; keep the shape.
    assert!(
        text.starts_with("check-master: v1.0.0 → master (merged by "),
        "{text}"
    );
    assert!(
        text.contains("\"feature: coupon\" (Li Si, 2026-11-01) is on the tag but not on master"),
        "{text}"
    );
    assert!(
        text.contains("app.txt: 1 line(s) missing\n           -     coupons();\n"),
        "{text}"
    );
    assert!(text.contains("restore: git switch -c restore/"), "{text}");
    assert!(text.ends_with("verdict: LOST: 1 finding(s)\n"), "{text}");
    let (out, _) = run(&env, "never-merged", &["--lang", "zh-CN"]);
    assert!(
        stdout(&out).contains("结论：NOT MERGED"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn since_accepts_what_was_reviewed() {
    let env = TestEnv::new();
    let (_, dir) = run(&env, "hotfix-missing", &[]);
    let out = env.shipgate(&dir, &["check-master", "--since", "master"]);
    assert_ok(&out);
    let out = env.shipgate(&dir, &["check-master", "v9.9.9"]);
    assert_code(&out, 2);
}
