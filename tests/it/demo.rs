//! `shipgate demo`: the whole process walked end to end on throw-away repositories, with
//! the real hooks on the real git, in both languages; its refusals are the process's,
//! `--keep DIR` leaves repositories to look at (never writing over a user's files), and
//! a step that goes otherwise than the script expects stops the demo with exit 1.

use std::fs;

use shipgate::i18n::Lang;
use shipgate::messages::Msg;

use crate::common::*;

/// Runs the demo with `args`; its output.
fn demo(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut all = vec!["demo"];
    all.extend_from_slice(args);
    env.shipgate(&env.root(), &all)
}

/// The head of the on-call notice of `moment` in `lang` for v2.3.0, as its template
/// (`templates/notices/`) starts it: `[Release starting] order-api v2.3.0`.
fn notice_head(moment: &str, lang: &str) -> String {
    let path = format!(
        "{}/templates/notices/{moment}.{lang}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let template = fs::read_to_string(&path).unwrap();
    let tag = template.split("{{").next().unwrap();
    assert!(
        template[tag.len()..].starts_with("{{service}} {{version}}"),
        "{path}"
    );
    format!("{tag}order-api v2.3.0")
}

/// Where `needle` first appears in `text` at or after `from`, or a failure naming it.
fn after(text: &str, from: usize, needle: &str) -> usize {
    from + text[from..]
        .find(needle)
        .unwrap_or_else(|| panic!("missing {needle:?} after byte {from} in:\n{text}"))
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
        // the notices to the on-call group, through its robot on 127.0.0.1
        "  the on-call group (值班群): its WeCom group robot is a stand-in at http://127.0.0.1:",
        "[Release starting] order-api v2.3.0 (feature release)",
        "[Canary] order-api v2.3.0 (feature release) now runs on one machine",
        "[Release done] order-api v2.3.0 (feature release) now runs on every machine",
        "[Rollback] order-api v2.3.0 (feature release) is being rolled back to v2.2.4",
        "sent to wecom (http://127.0.0.1:",
        "ticked `announce-start` in `docs/releases/v2.3.0.md`",
        "ticked `announce-done` in `docs/releases/v2.3.0.md`",
        // the post-release records: stage done passes; code with them is refused
        "docs/releases/v2.3.0.md: ready for stage `done`",
        "error: [E1] release: direct commits to `release` are refused",
        "hint: `docs/releases/v2.3.0.md` is the plan of released v2.3.0: `release` takes a commit of that file alone",
        "$ git commit -m 'v2.3.0: post-release record' docs/releases/v2.3.0.md",
        // the rollback, its gate on the client and on the server, then open
        "refs/shipgate/rollback/v2.3.0",
        "error: [R3] release: v2.3.0 was rolled back",
        "remote: error: [R3] release:",
        "  → the way past it:",
        "✓ all ",
        "the on-call group's robot received 4 notice(s)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // `shipgate status` after install, after the rollback, and once the gate is open.
    let first = after(&text, 0, "$ shipgate status");
    let open = "gates         open: no rollback analysis and no emergency plan owed";
    after(&text, first, open);
    after(
        &text,
        first,
        "server        enforced: origin advertises `refs/shipgate/enforced`",
    );
    let rolled = after(&text, first, "$ shipgate rollback --version v2.3.0");
    let second = after(&text, rolled, "$ shipgate status");
    let closed = after(
        &text,
        second,
        "gates         [R3] v2.3.0 was rolled back: its problem analysis in \
         `docs/releases/v2.3.0.md` still needs 5; nothing is released until it is written and confirmed",
    );
    assert!(!text[second..closed].contains(open), "{}", &text[second..]);
    let third = text.rfind("$ shipgate status").unwrap();
    assert!(third > closed);
    after(&text, third, open);
    after(&text, third, "preparing     v2.3.1 (bugfix)");
    // A post-release record on release is no fix master lacks: check-master stays clean.
    after(
        &text,
        third,
        "last release  v2.3.0: rolled back to v2.2.4 at 2026-11-05T14:00:00+08:00; production runs v2.2.4",
    );
    after(
        &text,
        third,
        "v2.3.0: check-master is clean (master has everything v2.3.0 carries)",
    );
    // The plan-only record reached the server.
    let record = after(
        &text,
        0,
        "$ git commit -m 'v2.3.0: post-release record' docs/releases/v2.3.0.md",
    );
    let pushed = after(&text, record, "$ git push origin release");
    assert!(
        text[pushed..]
            .lines()
            .nth(2)
            .unwrap()
            .ends_with("release -> release"),
        "{}",
        &text[pushed..]
    );
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
        "李四 order-api (release)$ git commit -m 'v2.3.0: 上线后记录' docs/releases/v2.3.0.md",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // What the catalog and the templates say in Chinese (their wording may be polished;
    // the demo must print it).
    let zh = |msg: Msg| msg.render(Lang::ZhCn);
    let mut expected = vec![
        zh(Msg::DemoRobot {
            url: "\u{1}".into(),
        })
        .split('\u{1}')
        .next()
        .unwrap()
        .to_string(),
        zh(Msg::PlanPasses {
            path: "docs/releases/v2.3.0.md".into(),
            stage: "done".into(),
        }),
        zh(Msg::DirectCommit {
            branch: "release".into(),
        }),
        zh(Msg::HintCommitPlanAlone {
            version: "v2.3.0".into(),
            path: "docs/releases/v2.3.0.md".into(),
            branch: "release".into(),
        }),
        zh(Msg::StatusGateAnalysis {
            rule: "R3".into(),
            version: "v2.3.0".into(),
            path: "docs/releases/v2.3.0.md".into(),
            count: "5".into(),
        }),
        zh(Msg::StatusLastClean {
            tag: "v2.3.0".into(),
            master: "master".into(),
        }),
        zh(Msg::DemoRobotHeard { count: "4".into() }),
    ];
    for moment in ["start", "canary", "done", "rollback"] {
        expected.push(notice_head(moment, "zh-CN"));
    }
    for expected in &expected {
        assert!(
            text.contains(expected.as_str()),
            "missing {expected:?} in:\n{text}"
        );
    }
    // The gates are open at the start and again at the end, closed after the rollback.
    let open = zh(Msg::StatusGatesOpen);
    let closed = text.find(&expected[4]).unwrap();
    assert!(text[..closed].contains(&open), "{text}");
    assert!(text[closed..].contains(&open), "{text}");
    // One term per concept in the narration: 发布计划, 系统负责人, 技术负责人.
    let narration: String = text
        .lines()
        .filter(|l| !l.starts_with("  "))
        .collect::<Vec<_>>()
        .join("\n");
    for term in ["发布计划", "系统负责人", "技术负责人"] {
        assert!(narration.contains(term), "no {term} in:\n{narration}");
    }
    for other in ["上线计划", "计划文档", " TL", "owner"] {
        assert!(
            !narration.contains(other),
            "{other:?} in the narration:\n{narration}"
        );
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
    let origin = kept.join("order-api.git");
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
