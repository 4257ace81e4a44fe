//! `shipgate demo`: the whole process walked end to end on throw-away repositories, with
//! the real hooks on the real git, in both languages; its refusals are the process's,
//! `--keep DIR` leaves repositories to look at (never writing over a user's files), and
//! a step that goes otherwise than the script expects stops the demo with exit 1.

use std::fs;

use crate::common::*;

/// Runs the demo with `args`; its output.
fn demo(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut all = vec!["demo"];
    all.extend_from_slice(args);
    env.shipgate(&env.root(), &all)
}

#[test]
fn the_demo_walks_the_process_in_english() {
    let env = TestEnv::new();
    let out = demo(&env, &["--lang", "en"]);
    assert_ok(&out);
    let text = stdout(&out);
    for expected in [
        // a direct commit on test (F1), then the reviewed merge
        "error: [F1] test: direct commits to `test` are refused",
        "$ git merge --no-ff -m \"Merge branch 'feature/coupon-stacking' into test\" feature/coupon-stacking",
        // the plan: what is missing, then complete
        "[F3] approvals",
        "docs/releases/v2.3.0.md: ready for stage `release`",
        // test merged into release (F6), then the feature branch
        "error: [F6] release:",
        "$ git merge --abort",
        // the tag without a complete plan, then accepted with master, atomically
        "error: [F7] v2.3.0: `docs/releases/v2.3.0.md` is not ready for stage `tag`",
        "* [new tag]         v2.3.0 -> v2.3.0",
        // check-master's verdict
        "verdict: CLEAN",
        // the rollback, its gate on the client and on the server, then open
        "refs/shipgate/rollback/v2.3.0",
        "error: [R3] release: v2.3.0 was rolled back",
        "remote: error: [R3] release:",
        "  → the way past it:",
        "✓ all ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The last push is the one the gate let through.
    let last = text.rfind("$ git push origin release").unwrap();
    assert!(
        text[last..].contains("release -> release"),
        "{}",
        &text[last..]
    );
    assert!(!text.contains("error: demo step"), "{text}");
    // Nothing is left behind.
    assert!(
        text.contains("the throw-away repositories were removed"),
        "{text}"
    );
}

#[test]
fn the_demo_walks_the_process_in_chinese() {
    let env = TestEnv::new();
    let out = demo(&env, &["--lang", "zh-CN"]);
    assert_ok(&out);
    let text = stdout(&out);
    for expected in [
        "错误：[F1] test：拒绝直接向 `test` 提交",
        "错误：[F6] release：",
        "错误：[F7] v2.3.0：",
        "错误：[R3] release：v2.3.0 已回滚",
        "remote: 错误：[R3] release：",
        "结论：CLEAN",
        "  → 正确的做法：",
        "李四 order-api (test)$ git commit -m 优惠券叠加，提测",
        "✓ 全部 ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        !text.contains("the way past it"),
        "English in the Chinese demo:\n{text}"
    );
}

#[test]
fn keep_leaves_an_inspectable_repository_and_never_writes_over_files() {
    let env = TestEnv::new();
    let kept = env.root().join("kept");
    let out = demo(&env, &["--lang", "en", "--keep", kept.to_str().unwrap()]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains(&format!(
            "the repositories stay in `{}`: `cd {}/order-api && git log --oneline --graph --all`",
            kept.display(),
            kept.display()
        )),
        "{}",
        stdout(&out)
    );
    let service = kept.join("order-api");
    let origin = kept.join("origin.git");
    // The release, the fix and the records are there, on the clone and on the server.
    assert!(env.git(&service, &["tag"]).lines().any(|t| t == "v2.3.0"));
    assert_eq!(
        env.git(&service, &["rev-parse", "release"]),
        env.git(&origin, &["rev-parse", "release"])
    );
    env.git(
        &origin,
        &["rev-parse", "--verify", "refs/shipgate/rollback/v2.3.0"],
    );
    env.git(
        &origin,
        &["rev-parse", "--verify", "refs/shipgate/enforced"],
    );
    let plan = fs::read_to_string(service.join("docs/releases/v2.3.0.md")).unwrap();
    assert!(plan.contains("confirmed_by: \"zhangsan\""), "{plan}");
    // The hooks are shipgate's and call this binary: a later commit there is judged too.
    assert_ok(&env.shipgate(&service, &["doctor"]));
    env.git(&service, &["switch", "-q", "test"]);
    let err = refused(&env.git_output(&service, &["commit", "--allow-empty", "-m", "x"]));
    assert!(err.contains("[F1]"), "{err}");

    // Again into the same directory: refused, nothing touched.
    let before = env.git(&origin, &["for-each-ref"]);
    let out = demo(&env, &["--keep", kept.to_str().unwrap()]);
    assert_code(&out, 2);
    let err = env.normalize(&stderr(&out));
    assert_eq!(
        err,
        "error: `[ROOT]/kept` exists and is not an empty directory; the demo never writes over files\n\
         hint: keep the demo in a new directory: `shipgate demo --keep [ROOT]/kept-1`\n"
    );
    assert_eq!(env.git(&origin, &["for-each-ref"]), before);
    // A file is no directory to keep the demo in either.
    let file = env.root().join("notes.txt");
    fs::write(&file, "mine\n").unwrap();
    assert_code(&demo(&env, &["--keep", file.to_str().unwrap()]), 2);
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine\n");
    // An empty directory is fine.
    let empty = env.root().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_ok(&demo(&env, &["--keep", empty.to_str().unwrap()]));
    assert!(empty.join("order-api/.git").is_dir());
}

#[test]
fn a_step_that_goes_otherwise_stops_the_demo_with_exit_1() {
    let env = TestEnv::new();
    // The script as shipped, except that it expects the feature branch's push refused.
    let shipped =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/demo.toml")).unwrap();
    let push = "run = [\"git\", \"push\", \"-u\", \"origin\", \"feature/coupon-stacking\"]\n";
    assert!(shipped.contains(push));
    let wrong = shipped.replacen(
        push,
        &format!(
            "{push}refused = [\"[F1]\"]\n\n[[step.do]]\npast = true\nrun = [\"git\", \"status\"]\n"
        ),
        1,
    );
    let script = env.root().join("wrong.toml");
    fs::write(&script, wrong).unwrap();
    let kept = env.root().join("kept");
    let out = demo(
        &env,
        &[
            "--lang",
            "en",
            "--script",
            script.to_str().unwrap(),
            "--keep",
            kept.to_str().unwrap(),
        ],
    );
    assert_code(&out, 1);
    let err = env.normalize(&stderr(&out));
    assert!(
        err.contains(
            "error: demo step 3 (feature): `git push -u origin feature/coupon-stacking` was \
             accepted, but the process refuses it ([F1])"
        ),
        "{err}"
    );
    assert!(
        err.contains("hint: the repositories are left as they were, to look at: `cd [ROOT]/kept`"),
        "{err}"
    );
    // It stopped there.
    let text = stdout(&out);
    assert!(text.contains("── 3/"), "{text}");
    assert!(!text.contains("── 4/"), "{text}");
    assert!(!text.contains("✓"), "{text}");
}
