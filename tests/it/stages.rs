//! Every stage of a release reachable from the keyboard, through real git: a clone with
//! shipgate's hooks pushing to a bare origin that runs shipgate's `pre-receive` too, so
//! each push below is judged twice (client, then server). Post-release items recorded
//! after the tag (by a reviewed merge, or by a commit that changes only the released
//! plan), register tables that cannot pass with template cells, `plan check` picking the
//! next stage, rollback targets across emergency and rolled-back releases, the change
//! list, and the first release that brings a team's policy to production.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::*;
use crate::plans::{merge_into_release, plan_path};
use crate::policy::{fill_plan, service};

/// The checklist items due after the release (F13–F22).
const POST: &[&str] = &[
    "tag-merged-master",
    "check-master",
    "build-tag",
    "rollback-ready",
    "announce-start",
    "canary",
    "observe-logs",
    "observe-exceptions",
    "data-check",
    "qa-verified-prod",
    "announce-done",
];

/// A plan filled in the way its author does before QA tags: every item up to the tag
/// ticked and written, every register table answered, the post-release items and
/// `observed_minutes` left as the template has them.
pub(crate) fn fill_until_tag(text: &str) -> String {
    text.lines()
        .map(|line| {
            let post = POST
                .iter()
                .any(|id| line.contains(&format!("<!-- id: {id} -->")));
            if post || line.starts_with("observed_minutes:") {
                line.to_string()
            } else {
                fill_plan(line)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `service()` with shipgate's `pre-receive` on its origin too.
fn guarded(env: &TestEnv) -> TestRepo<'_> {
    let repo = service(env);
    let origin = env.root().join("origin.git");
    assert_ok(&env.shipgate(
        &env.root(),
        &["install", "--server", "--repo", origin.to_str().unwrap()],
    ));
    repo
}

/// `git push` (hooks and all) as `who`, as the server names its pushers.
fn push_as(repo: &TestRepo, who: &str, args: &[&str]) -> Output {
    repo.env
        .command("git", &repo.path)
        .arg("push")
        .args(args)
        .env("SHIPGATE_PUSHER", who)
        .output()
        .unwrap()
}

fn origin_tip(env: &TestEnv, rev: &str) -> String {
    env.git(&env.root().join("origin.git"), &["rev-parse", rev])
        .trim()
        .to_string()
}

/// v1.0.0 (the fixture's plan, complete) released: merged into release, tagged, merged
/// into master, every push as QA where the server asks for QA.
fn release_v100(repo: &TestRepo) {
    merge_into_release(repo, "feature/coupon");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    assert_ok(&push_as(repo, "wangwu", &["origin", "v1.0.0"]));
    repo.git(&["switch", "-q", "master"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge tag 'v1.0.0'",
        "v1.0.0",
    ]);
    assert_ok(&push_as(repo, "wangwu", &["origin", "master"]));
}

/// v1.1.0 released with its plan filled up to the tag: returns what the tag push and
/// QA's merge of the tag printed (stderr of each).
fn release_v110(repo: &TestRepo) -> (String, String) {
    release_v100(repo);
    repo.git(&["switch", "-q", "-c", "feature/orders", "origin/release"]);
    fs::write(repo.path.join("orders.txt"), "batch create\n").unwrap();
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v1.1.0"]));
    let path = plan_path(repo, "v1.1.0");
    fs::write(&path, fill_until_tag(&fs::read_to_string(&path).unwrap())).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "orders: batch create, and the plan of v1.1.0",
    ]);
    merge_into_release(repo, "feature/orders");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    let tagged = push_as(repo, "wangwu", &["origin", "v1.1.0"]);
    assert_ok(&tagged);
    repo.git(&["switch", "-q", "master"]);
    let merged = repo.git_output(&["merge", "--no-ff", "-m", "Merge tag 'v1.1.0'", "v1.1.0"]);
    assert_ok(&merged);
    assert_ok(&push_as(repo, "wangwu", &["origin", "master"]));
    (stderr(&tagged), stderr(&merged))
}

/// The last backquoted command of the first hint line that contains `needle`.
fn hint_command(text: &str, needle: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains("hint:") && l.contains(needle))
        .unwrap_or_else(|| panic!("no hint with {needle:?} in:\n{text}"));
    let parts: Vec<&str> = line.split('`').collect();
    assert!(parts.len() >= 3, "no command in {line:?}");
    parts[parts.len() - 2].to_string()
}

/// Runs `command` in `sh` in the repository, with `EDITOR` set to `editor` if given.
fn run_hint(repo: &TestRepo, command: &str, editor: Option<&Path>) -> Output {
    let mut cmd = repo.env.command("sh", &repo.path);
    cmd.args(["-c", command]);
    if let Some(editor) = editor {
        cmd.env("EDITOR", editor);
    }
    cmd.output().unwrap()
}

/// An `EDITOR` that records the post-release items: every box ticked, every placeholder
/// answered, seven minutes observed.
fn recording_editor(env: &TestEnv) -> std::path::PathBuf {
    let path = env.root().join("record-post-release.sh");
    write_script(
        &path,
        "#!/bin/sh\nsed -i -e 's/- \\[ \\]/- [x]/' -e 's/(to fill in)/none/g' \
         -e 's/observed_minutes: 0/observed_minutes: 7/' \"$1\"\n",
        0o755,
    );
    path
}

#[test]
fn post_release_items_come_in_by_a_reviewed_merge() {
    let env = TestEnv::new();
    let repo = guarded(&env);
    let (tagged, merged) = release_v110(&repo);
    // After the tag push and after QA's merge of the tag: how to record the rest.
    for said in [&tagged, &merged] {
        assert!(
            said.contains("hint: once v1.1.0 is deployed, record its canary")
                && said.contains("`shipgate plan check v1.1.0 --stage done`"),
            "{said}"
        );
    }
    assert_code(
        &repo.shipgate(&["plan", "check", "v1.1.0", "--stage", "done"]),
        1,
    );
    repo.git(&["switch", "-q", "-c", "post/v1.1.0", "origin/release"]);
    let path = plan_path(&repo, "v1.1.0");
    fs::write(&path, fill_plan(&fs::read_to_string(&path).unwrap())).unwrap();
    repo.git(&[
        "commit",
        "-q",
        "-am",
        "v1.1.0: canary, minutes observed, done",
    ]);
    // The merge passes the commit hooks; the push passes the client's pre-push and the
    // server's pre-receive.
    merge_into_release(&repo, "post/v1.1.0");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    assert_eq!(
        origin_tip(&env, "release"),
        repo.git(&["rev-parse", "HEAD"]).trim()
    );
    let done = repo.shipgate(&["plan", "check", "v1.1.0", "--stage", "done"]);
    assert_ok(&done);
    assert_eq!(
        stdout(&done),
        "docs/releases/v1.1.0.md: ready for stage `done`\n"
    );
}

#[test]
fn post_release_items_recorded_straight_on_release_as_the_hint_says() {
    let env = TestEnv::new();
    let repo = guarded(&env);
    let (tagged, _) = release_v110(&repo);
    let command = hint_command(&tagged, "once v1.1.0 is deployed");
    assert!(
        command.contains("git commit -m \"v1.1.0: post-release record\" docs/releases/v1.1.0.md"),
        "{command}"
    );
    // The hint, run as printed: edit (the editor ticks the boxes), commit the plan alone
    // on release (pre-commit), push it (pre-push, then the server's pre-receive).
    let out = run_hint(&repo, &command, Some(&recording_editor(&env)));
    assert_ok(&out);
    assert_eq!(
        origin_tip(&env, "release"),
        repo.git(&["rev-parse", "release"]).trim()
    );
    assert_ok(&repo.shipgate(&["plan", "check", "v1.1.0", "--stage", "done"]));
    // A record of the plan alone is no fix master lacks (E4): check-master stays clean.
    let out = repo.shipgate(&["check-master", "v1.1.0"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("verdict: CLEAN"), "{}", stdout(&out));
    // The server alone takes such a commit too (no client hooks: `--no-verify`).
    let text = fs::read_to_string(plan_path(&repo, "v1.1.0")).unwrap();
    fs::write(
        plan_path(&repo, "v1.1.0"),
        text.replace("observed_minutes: 7", "observed_minutes: 12"),
    )
    .unwrap();
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-am",
        "v1.1.0: watched longer",
    ]);
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
}

/// What a direct commit tries, and how it makes the change.
type Attempt<'a> = (&'a str, Box<dyn Fn(&TestRepo) + 'a>);

#[test]
fn a_direct_commit_on_release_may_change_a_released_plan_and_nothing_else() {
    let env = TestEnv::new();
    let repo = guarded(&env);
    release_v110(&repo);
    repo.git(&["switch", "-q", "release"]);
    let plan = plan_path(&repo, "v1.1.0");
    let original = fs::read_to_string(&plan).unwrap();
    let reset = |repo: &TestRepo| {
        repo.git(&["reset", "-q", "--hard", "origin/release"]);
        repo.git(&["clean", "-q", "-fd"]);
    };
    // Each attempt: refused by the commit hook, then (committed past it) by the
    // client's pre-push, then (pushed past that) by the server.
    let attempts: Vec<Attempt> = vec![
        (
            "the plan and code",
            Box::new(|repo: &TestRepo| {
                fs::write(&plan, fill_plan(&original)).unwrap();
                fs::write(repo.path.join("orders.txt"), "sneaked in\n").unwrap();
            }),
        ),
        (
            "the plan of a version not released",
            Box::new(|repo: &TestRepo| {
                assert_ok(&repo.shipgate(&[
                    "plan",
                    "new",
                    "--kind",
                    "bugfix",
                    "--version",
                    "v1.1.1",
                ]));
            }),
        ),
        (
            "the released plan and a template beside it",
            Box::new(|repo: &TestRepo| {
                fs::write(&plan, fill_plan(&original)).unwrap();
                fs::create_dir_all(repo.path.join("docs/releases/templates")).unwrap();
                fs::write(
                    repo.path.join("docs/releases/templates/feature.en.md"),
                    "x\n",
                )
                .unwrap();
            }),
        ),
    ];
    for (n, (what, change)) in attempts.iter().enumerate() {
        change(&repo);
        repo.git(&["add", "-A"]);
        let out = repo.git_output(&["commit", "-m", what]);
        assert!(
            refused(&out).contains("direct commits to `release` are refused"),
            "{what}: {}",
            stderr(&out)
        );
        // With the released plan among the paths, the refusal says how to commit the
        // plan alone.
        assert_eq!(
            stderr(&out).contains("is the plan of released v1.1.0"),
            n != 1,
            "{what}: {}",
            stderr(&out)
        );
        if n == 0 {
            // That command, run as printed, is taken by the commit hook (the code stays
            // staged, for a development branch).
            let command = hint_command(&stderr(&out), "is the plan of released v1.1.0");
            assert_eq!(
                command,
                "git commit -m \"v1.1.0: post-release record\" docs/releases/v1.1.0.md"
            );
            assert_ok(&run_hint(&repo, &command, None));
            assert_eq!(
                repo.git(&["diff", "--cached", "--name-only"]).trim(),
                "orders.txt"
            );
            repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
        }
        repo.git(&["commit", "-q", "--no-verify", "-m", what]);
        let out = repo.git_output(&["push", "origin", "release"]);
        assert!(
            refused(&out).contains("[E1] release:"),
            "{what}: {}",
            stderr(&out)
        );
        let out = repo.git_output(&["push", "--no-verify", "origin", "release"]);
        assert!(
            refused(&out).contains("remote: error: [E1] release:"),
            "{what}: {}",
            stderr(&out)
        );
        reset(&repo);
    }
    // A plan that changes which version it is: the commit hook sees one released plan
    // changed; the push reads it and refuses, client and server alike.
    fs::write(
        &plan,
        fill_plan(&original).replace("version: \"v1.1.0\"", "version: \"v1.0.0\""),
    )
    .unwrap();
    assert_ok(&repo.git_output(&["commit", "-qam", "renamed plan"]));
    assert!(refused(&repo.git_output(&["push", "origin", "release"])).contains("[E1]"));
    assert!(
        refused(&repo.git_output(&["push", "--no-verify", "origin", "release"]))
            .contains("remote: error: [E1]")
    );
    reset(&repo);
    // Nor a plan re-dated (an old plan must not pass for a new release's, E5).
    fs::write(
        &plan,
        fill_plan(&original).replace("date: \"2026-11-01\"", "date: \"2026-12-24\""),
    )
    .unwrap();
    assert_ok(&repo.git_output(&["commit", "-qam", "re-dated plan"]));
    assert!(refused(&repo.git_output(&["push", "origin", "release"])).contains("[E1]"));
    assert!(
        refused(&repo.git_output(&["push", "--no-verify", "origin", "release"]))
            .contains("remote: error: [E1]")
    );
    reset(&repo);
    // The legitimate record passes all three.
    fs::write(&plan, fill_plan(&original)).unwrap();
    assert_ok(&repo.git_output(&["commit", "-qam", "v1.1.0: post-release record"]));
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
}

#[test]
fn register_tables_cannot_pass_with_template_cells() {
    let env = TestEnv::new();
    let repo = guarded(&env);
    release_v100(&repo);
    repo.git(&["switch", "-q", "-c", "feature/orders", "origin/release"]);
    fs::write(repo.path.join("orders.txt"), "batch create\n").unwrap();
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v1.1.0"]));
    let path = plan_path(&repo, "v1.1.0");
    let rendered = fs::read_to_string(&path).unwrap();
    // Everything filled but the tables, which keep the template's `(to fill in)` rows.
    let tables_untouched: String = fill_until_tag(&rendered)
        .lines()
        .zip(rendered.lines())
        .map(|(filled, template)| {
            if template.starts_with('|') {
                template
            } else {
                filled
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    fs::write(&path, &tables_untouched).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "orders and the plan of v1.1.0"]);
    merge_into_release(&repo, "feature/orders");
    // The client package table is due when the code goes to test, so by release too.
    for args in [
        &["push", "origin", "release"][..],
        &["push", "--no-verify", "origin", "release"][..],
    ] {
        let err = refused(&repo.git_output(args));
        assert!(
            err.contains("table `client-snapshot-packages`: Platform, Version, Build number")
                && !err.contains("table `middleware-changes`"),
            "{err}"
        );
    }
    // `none` answers it (first cell, the others cleared).
    repo.git(&["switch", "-q", "feature/orders"]);
    let snapshot_none = tables_untouched.replacen(
        "| (to fill in) | (to fill in) | (to fill in) | (to fill in) | (to fill in) | (to fill in) | (to fill in) |",
        "| none | | | | | | |",
        1,
    );
    fs::write(&path, &snapshot_none).unwrap();
    repo.git(&["commit", "-q", "-am", "v1.1.0: no client package"]);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    merge_into_release(&repo, "feature/orders");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    // The tag needs the middleware, MCC and client release tables answered.
    repo.git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    let err = refused(&push_as(&repo, "wangwu", &["origin", "v1.1.0"]));
    for table in [
        "middleware-changes",
        "mcc-changes",
        "client-release-packages",
    ] {
        assert!(err.contains(&format!("table `{table}`:")), "{table}: {err}");
    }
    assert!(err.contains("hint: the refused tag stays in this clone: delete it, and tag again once the above is fixed: `git tag -d v1.1.0`"), "{err}");
    let err = refused(&push_as(
        &repo,
        "wangwu",
        &["--no-verify", "origin", "v1.1.0"],
    ));
    assert!(err.contains("remote: error: [F7] v1.1.0"), "{err}");
    assert!(err.contains("table `mcc-changes`"), "{err}");
    // Answered: a real row for the middleware, `无` for MCC, `none` with template text
    // left beside it for the client packages (refused), then cleared (accepted).
    assert_ok(&run_hint(&repo, "git tag -d v1.1.0", None));
    repo.git(&["switch", "-q", "feature/orders"]);
    let answered = snapshot_none
        .replacen(
            "| (to fill in) | (to fill in) | (to fill in) |\n",
            "| Redis | new key `orders:batch` | `DEL orders:batch` |\n",
            1,
        )
        .replacen(
            "| (to fill in) | (to fill in) | (to fill in) | (to fill in) |\n",
            "| 无 | | | |\n",
            1,
        );
    let half = answered.replacen(
        "| (to fill in) | (to fill in) | (to fill in) | (to fill in) | (to fill in) | (to fill in) | (to fill in) |",
        "| none | (to fill in) | | | | | |",
        1,
    );
    fs::write(&path, &half).unwrap();
    let out = repo.shipgate(&["plan", "check", "v1.1.0", "--stage", "tag"]);
    assert!(
        stdout(&out).contains("table `client-release-packages` says `none`, but the rest of its row still holds template text"),
        "{}",
        stdout(&out)
    );
    fs::write(&path, half.replace("| none | (to fill in) |", "| none | |")).unwrap();
    assert_ok(&repo.shipgate(&["plan", "check", "v1.1.0", "--stage", "tag"]));
    repo.git(&["commit", "-q", "-am", "v1.1.0: pre-release registers"]);
    repo.git(&["switch", "-q", "release"]);
    merge_into_release(&repo, "feature/orders");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    assert_ok(&push_as(&repo, "wangwu", &["origin", "v1.1.0"]));
}

#[test]
fn plan_check_without_a_stage_checks_the_next_one() {
    let env = TestEnv::new();
    let repo = service(&env);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v1.1.0"]));
    let out = repo.shipgate(&["plan", "check", "v1.1.0"]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(text.starts_with("docs/releases/v1.1.0.md: next stage `submit-test`\nbefore stage `submit-test`, 10 thing(s) to do:\n"), "{text}");
    assert!(text.contains("then before stage `release`: 2 more (`shipgate plan check v1.1.0 --stage release` lists them)"), "{text}");
    assert!(
        !text.contains("[F12]"),
        "the tag's items are only counted: {text}"
    );
    assert!(stderr(&out).contains("hint: fill in and tick those items ([x]), commit, then run `shipgate plan check v1.1.0 --stage submit-test` again"));

    // Test submission written: the next stage is `release`, what it adds listed.
    let path = plan_path(&repo, "v1.1.0");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = Vec::new();
    let mut first_row = true;
    for line in text.lines() {
        let mut line = line.to_string();
        if line.contains("id: submit-") || line.contains("id: client-snapshot") {
            line = fill_plan(&line);
        }
        if line.starts_with("swimlane:") {
            line = "swimlane: \"coupon-lane\"".into();
        }
        if line.starts_with("approvals:") {
            line = fill_plan(&line);
        }
        if first_row && line.starts_with("| (to fill in)") {
            line = "| 无 | | | | | | |".into();
            first_row = false;
        }
        lines.push(line);
    }
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = repo.shipgate(&["plan", "check", "v1.1.0"]);
    let text = stdout(&out);
    assert!(
        text.starts_with("docs/releases/v1.1.0.md: next stage `release` (passes submit-test)\nbefore stage `release`, 2 thing(s) to do:\n"),
        "{text}"
    );
    let out = repo.shipgate(&["plan", "check", "v1.1.0", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stage"], "release");
    assert_eq!(json["passes"], false);
    let stages: Vec<(String, bool)> = json["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["passes"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("submit-test".to_string(), true),
            ("release".to_string(), false),
            ("tag".to_string(), false),
            ("done".to_string(), false)
        ]
    );
    // A bug fix has no test submission: its first stage is `release`.
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.0.1"]));
    let out = repo.shipgate(&["plan", "check", "v1.0.1"]);
    assert!(stdout(&out).starts_with("docs/releases/v1.0.1.md: next stage `release`\n"));
    // Complete: every stage passes.
    fs::write(&path, fill_plan(&fs::read_to_string(&path).unwrap())).unwrap();
    let out = repo.shipgate(&["plan", "check", "v1.1.0"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "docs/releases/v1.1.0.md: ready for stage `done`\n"
    );
}

#[test]
fn versions_follow_the_tag_pattern_and_the_service_is_the_remotes() {
    let env = TestEnv::new();
    let repo = env.repo("checkout");
    repo.git(&[
        "remote",
        "add",
        "origin",
        "git@git.example.com:team/order-api.git",
    ]);
    let out = repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "2.3.0"]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("error: `2.3.0` is not a release version here: release tags match `v*`"),
        "{err}"
    );
    let command = hint_command(&err, "did you mean");
    assert_eq!(command, "shipgate plan new --kind feature --version v2.3.0");
    let out = repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v2.3.0"]);
    assert_ok(&out);
    let text = fs::read_to_string(plan_path(&repo, "v2.3.0")).unwrap();
    assert!(text.contains("service: \"order-api\""), "{text}");
    assert!(text.ends_with('\n'));
    for args in [
        &["plan", "check", "2.3.0"][..],
        &["plan", "check", "soon", "--stage", "tag"][..],
        &["rollback", "--version", "2.3.0", "--reason", "x"][..],
    ] {
        let out = repo.shipgate(args);
        assert_code(&out, 2);
        assert!(stderr(&out).contains("release tags match `v*`"), "{args:?}");
    }
    assert!(stderr(&repo.shipgate(&["plan", "check", "2.3.0"]))
        .contains("did you mean: `shipgate plan check v2.3.0`"));
    assert!(stderr(&repo.shipgate(&["plan", "check", "soon"]))
        .contains("hint: see the release tags this repository has: `git tag --list 'v*'`"));
}

#[test]
fn rollback_targets_skip_rolled_back_releases_and_count_emergencies() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0", "master"]);
    // After v1.0.0: an emergency release v1.0.1 (its plan, never tagged), fixes and
    // features merged, and a commit that only records v1.0.0's plan.
    repo.git(&["switch", "-q", "-c", "dev", "master"]);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "emergency", "--version", "v1.0.1"]));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "emergency plan of v1.0.1"]);
    fs::write(repo.path.join("pay.txt"), "retry\n").unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "fix: payment callback retry"]);
    let v100 = plan_path(&repo, "v1.0.0");
    let text = fs::read_to_string(&v100).unwrap();
    fs::write(
        &v100,
        text.replace("observed_minutes: 7", "observed_minutes: 9"),
    )
    .unwrap();
    repo.git(&["commit", "-q", "-am", "v1.0.0: post-release record"]);
    repo.merge_unchecked("feature/coupon", "Merge branch 'feature/coupon' into dev");
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v1.1.0"]));
    let text = fs::read_to_string(plan_path(&repo, "v1.1.0")).unwrap();
    assert!(
        text.contains("rollback_to: \"v1.0.1\""),
        "emergency counts:\n{text}"
    );
    let changes = text.split("## Changes since v1.0.1").nth(1).unwrap();
    for subject in [
        "fix: payment callback retry",
        "coupon: limits",
        "coupon: stacking rules",
    ] {
        assert!(changes.contains(subject), "{subject}:\n{changes}");
    }
    for noise in ["Merge branch", "post-release record", "emergency plan"] {
        assert!(!changes.contains(noise), "{noise}:\n{changes}");
    }
    // v1.1.0 shipped and was rolled back, to the second and to v1.0.1.
    fs::write(plan_path(&repo, "v1.1.0"), fill_plan(&text)).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "plan of v1.1.0"]);
    repo.git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    env.set_now("2026-11-01T10:00:00.123456789+08:00");
    let out = repo.shipgate(&[
        "rollback",
        "--version",
        "v1.1.0",
        "--reason",
        "订单创建 5xx",
    ]);
    assert!(
        stderr(&out).contains("rolled back v1.1.0 to v1.0.1"),
        "{}",
        stderr(&out)
    );
    let rolled = fs::read_to_string(plan_path(&repo, "v1.1.0")).unwrap();
    assert!(
        rolled.contains("  at: \"2026-11-01T02:00:00+00:00\"\n"),
        "{rolled}"
    );
    // The next plan does not go back to the rolled-back release, and lists v1.1.0's
    // changes too: production never kept them.
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.1.1"]));
    let next = fs::read_to_string(plan_path(&repo, "v1.1.1")).unwrap();
    assert!(next.contains("rollback_to: \"v1.0.1\""), "{next}");
    assert!(next.contains("coupon: limits"), "{next}");
    // A plan naming the rolled-back release is refused with the right target.
    let named = next.replace("rollback_to: \"v1.0.1\"", "rollback_to: \"v1.1.0\"");
    fs::write(plan_path(&repo, "v1.1.1"), fill_plan(&named)).unwrap();
    let out = repo.shipgate(&["plan", "check", "v1.1.1", "--stage", "release"]);
    assert!(
        stdout(&out).contains("[F16] rollback_to `v1.1.0` is not a release older than v1.1.1 that production can go back to (a release tag or an emergency release, not rolled back); the previous release is `v1.0.1`"),
        "{}",
        stdout(&out)
    );
    // `shipgate rollback` will not name it either.
    repo.git(&["tag", "-a", "v1.1.1", "-m", "v1.1.1"]);
    let out = repo.shipgate(&[
        "rollback",
        "--version",
        "v1.1.1",
        "--to",
        "v1.1.0",
        "--reason",
        "x",
    ]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("`v1.1.0` is not a release tag older than v1.1.1"));
}

/// Every `hint:` line (git's `remote: hint:` included) of `text`: none may hold a
/// `<placeholder>`, each ends with a command in backquotes.
fn assert_hints_run(text: &str) {
    let hints: Vec<&str> = text.lines().filter(|l| l.contains("hint:")).collect();
    assert!(!hints.is_empty(), "no hints in:\n{text}");
    for hint in hints {
        let placeholder = hint.split('<').skip(1).any(|rest| {
            !rest.starts_with("!--")
                && rest.split('>').next().is_some_and(|inside| {
                    rest.contains('>') && !inside.is_empty() && !inside.contains(' ')
                })
        });
        assert!(!placeholder, "a placeholder in {hint:?}");
        assert!(
            hint.matches('`').count() >= 2 || hint.trim_start().starts_with("hint:   git"),
            "no command in {hint:?}"
        );
    }
}

#[test]
fn refusals_leave_you_where_you_were_and_their_hints_run() {
    let env = TestEnv::new();
    let repo = guarded(&env);
    release_v100(&repo);

    // A direct commit on each protected branch: the hint's `git switch -c` keeps the
    // staged change, and the commit then goes through on the new branch.
    for branch in ["release", "master", "test"] {
        repo.git(&["switch", "-q", branch]);
        fs::write(repo.path.join("quick.txt"), branch).unwrap();
        repo.git(&["add", "quick.txt"]);
        let err = refused(&repo.git_output(&["commit", "-m", "quick fix"]));
        assert_hints_run(&err);
        let switch = hint_command(&err, "commit on a development branch");
        assert_eq!(switch, format!("git switch -c feature/{branch}-work"));
        assert_ok(&run_hint(&repo, &switch, None));
        assert_ok(&repo.git_output(&["commit", "-q", "-m", "quick fix"]));
    }

    // A merge that brings test's commits into release: refused mid-merge; the first
    // hint aborts it, the last rebuilds the branch so that release takes it.
    repo.git(&["switch", "-q", "test"]);
    repo.git(&["reset", "-q", "--hard", "origin/test"]);
    repo.merge_unchecked("feature/coupon", "Merge branch 'feature/coupon' into test");
    assert_ok(&repo.git_output(&["push", "origin", "test"]));
    // `test` itself merged into release: abort, then merge the branch that was tested.
    repo.git(&["switch", "-q", "release"]);
    let err = refused(&repo.git_output(&["merge", "--no-ff", "-m", "Merge test", "test"]));
    assert_hints_run(&err);
    let instead = hint_command(&err, "takes the development branch that was tested");
    assert!(
        instead.starts_with("git merge --no-ff feature/"),
        "{instead}"
    );
    assert_ok(&run_hint(&repo, "git merge --abort", None));
    assert_ok(&run_hint(&repo, &instead, None));
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&["switch", "-q", "-c", "feature/stacking", "origin/release"]);
    repo.merge_unchecked("test", "Merge branch 'test' into feature/stacking");
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.0.1"]));
    let path = plan_path(&repo, "v1.0.1");
    fs::write(&path, fill_plan(&fs::read_to_string(&path).unwrap())).unwrap();
    fs::write(repo.path.join("stacking.txt"), "stack\n").unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "stacking, and the plan of v1.0.1"]);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    let err = refused(&repo.git_output(&[
        "merge",
        "--no-ff",
        "-m",
        "Merge feature/stacking",
        "feature/stacking",
    ]));
    assert_hints_run(&err);
    let first = err.lines().find(|l| l.starts_with("hint:")).unwrap();
    assert_eq!(
        first,
        "hint: the merge is refused and still in progress: go back to where you were with `git merge --abort`"
    );
    assert!(repo.path.join(".git/MERGE_HEAD").exists());
    assert_ok(&run_hint(&repo, "git merge --abort", None));
    assert!(!repo.path.join(".git/MERGE_HEAD").exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let rebuild = err
        .lines()
        .rev()
        .find(|l| l.starts_with("hint:   git switch"))
        .unwrap();
    let rebuild = rebuild.trim_start_matches("hint:").trim();
    assert!(
        rebuild.starts_with("git switch -c feature/stacking-clean origin/release"),
        "{rebuild}"
    );
    assert_ok(&run_hint(&repo, rebuild, None));
    merge_into_release(&repo, "feature/stacking-clean");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));

    // A tag refused by the plan gate: `git tag -d` with its real name takes it back.
    // A tag off the release branch, and a tag whose plan is not ready for it.
    repo.git(&["switch", "-q", "-c", "feature/next", "origin/release"]);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.0.2"]));
    let path = plan_path(&repo, "v1.0.2");
    let text = fill_until_tag(&fs::read_to_string(&path).unwrap());
    fs::write(
        &path,
        text.replace(
            "- [x] The `release` branch is built",
            "- [ ] The `release` branch is built",
        ),
    )
    .unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "plan of v1.0.2, not deployed to ST yet",
    ]);
    repo.git(&["tag", "v1.0.2"]);
    let err = refused(&push_as(&repo, "wangwu", &["origin", "v1.0.2"]));
    assert!(err.contains("is on no release branch"), "{err}");
    assert_hints_run(&err);
    assert_ok(&run_hint(
        &repo,
        &hint_command(&err, "a release is tagged on"),
        None,
    ));
    assert_eq!(repo.git(&["tag", "--list", "v1.0.2"]), "");
    merge_into_release(&repo, "feature/next");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "v1.0.2"]);
    let err = refused(&push_as(&repo, "wangwu", &["origin", "v1.0.2"]));
    assert!(err.contains("item `st-deployed` is not ticked"), "{err}");
    assert_hints_run(&err);
    assert_ok(&run_hint(
        &repo,
        &hint_command(&err, "the refused tag stays"),
        None,
    ));
    assert_eq!(repo.git(&["tag", "--list", "v1.0.2"]), "");

    // A release push with a direct commit in it: the hint moves it to a branch and puts
    // release back; release then has nothing to push, the branch goes for review.
    fs::write(repo.path.join("hot.txt"), "hot\n").unwrap();
    repo.git(&["add", "hot.txt"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "hotfix: \"quoted\" $HOME",
    ]);
    let err = refused(&repo.git_output(&["push", "origin", "release"]));
    assert_hints_run(&err);
    assert!(
        err.contains("`shipgate emergency start --reason 'hotfix: \"quoted\" $HOME'`"),
        "the reason is one sh word: {err}"
    );
    let server = refused(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
    assert_hints_run(&server);
    assert!(
        server
            .contains("`git push -o shipgate.emergency='hotfix: \"quoted\" $HOME' origin release`"),
        "{server}"
    );
    let moved = hint_command(&err, "move these commits");
    assert_ok(&run_hint(&repo, &moved, None));
    assert_eq!(
        repo.git(&["rev-parse", "release"]),
        repo.git(&["rev-parse", "origin/release"])
    );
    assert_ok(&repo.git_output(&["push", "origin", "release"]));

    // Deleting a protected branch, and moving master to what is no release tag.
    let err = refused(&repo.git_output(&["push", "origin", ":release"]));
    assert_hints_run(&err);
    assert_ok(&run_hint(
        &repo,
        &hint_command(&err, "stays on the remote"),
        None,
    ));
    repo.git(&["switch", "-q", "master"]);
    repo.git(&["reset", "-q", "--hard", "origin/master"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "--allow-empty",
        "-m",
        "sneaky",
    ]);
    let err = refused(&push_as(&repo, "wangwu", &["origin", "master"]));
    assert_hints_run(&err);
    assert_ok(&run_hint(
        &repo,
        &hint_command(&err, "move these commits"),
        None,
    ));
    assert_ok(&push_as(&repo, "wangwu", &["origin", "master"]));
    // In Chinese too.
    repo.git(&["switch", "-q", "release"]);
    fs::write(repo.path.join("quick.txt"), "zh").unwrap();
    repo.git(&["add", "quick.txt"]);
    let out = repo.git_output(&["commit", "-m", "x"]);
    let out_zh = env
        .command("git", &repo.path)
        .args(["commit", "-m", "x"])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_hints_run(&stderr(&out).replace("提示：", "hint:"));
    assert_hints_run(&stderr(&out_zh).replace("提示：", "hint:"));
}

#[test]
fn install_leaves_no_config_in_the_way_of_git_switch() {
    let env = TestEnv::new();
    let origin = env.bare("origin.git");
    // A teammate committed the policy on a branch that is not checked out.
    let first = env.repo("first");
    first.git(&["branch", "-m", "master"]);
    first.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    first.git(&["push", "-q", "origin", "master"]);
    first.git(&["switch", "-q", "-c", "feature/policy"]);
    fs::write(
        first.path.join(".shipgate.toml"),
        stdout(&first.shipgate(&["config", "default"])),
    )
    .unwrap();
    first.git(&["add", ".shipgate.toml"]);
    first.git(&["commit", "-q", "-m", "shipgate policy"]);
    first.git(&["push", "-q", "origin", "feature/policy"]);

    let clone = env.root().join("clone");
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    let out = env.shipgate(&clone, &["install"]);
    assert_ok(&out);
    assert!(!clone.join(".shipgate.toml").exists());
    assert!(
        stdout(&out).contains(
            "`.shipgate.toml` is committed on a branch of this repository: no copy written here"
        ),
        "{}",
        stdout(&out)
    );
    assert_ok(&env.git_output(&clone, &["switch", "feature/policy"]));
    assert!(clone.join(".shipgate.toml").exists());

    // Nothing committed anywhere: written, and the hint commits it so that switching
    // between branches works.
    let lone = env.repo("lone");
    lone.git(&["branch", "-m", "master"]);
    lone.git(&["branch", "other"]);
    let out = lone.shipgate(&["install"]);
    assert!(lone.path.join(".shipgate.toml").exists());
    let command = hint_command(&stderr(&out), "commit it on a development branch");
    assert_ok(&run_hint(&lone, &command, None));
    assert_ok(&lone.git_output(&["switch", "other"]));
    assert_ok(&lone.git_output(&["switch", "feature/shipgate-policy"]));
    // On the production branch: named as the policy.
    let again = lone.shipgate(&["install"]);
    assert!(stdout(&again).contains("kept the existing config"));
    lone.git(&["switch", "-q", "master"]);
    lone.git(&["merge", "-q", "--no-verify", "feature/shipgate-policy"]);
    lone.git(&["switch", "-q", "other"]);
    let out = lone.shipgate(&["install"]);
    assert!(
        stdout(&out).contains("`.shipgate.toml` is committed on `master`: that is the policy"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn install_sh_names_a_missing_repo_before_building() {
    let env = TestEnv::new();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let missing = env.root().join("no-such-repo");
    let out = env
        .command("sh", &env.root())
        .arg(&script)
        .args(["--prefix", env.root().join("prefix").to_str().unwrap()])
        .args(["--repo", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "install.sh: error: --repo {}: no such directory\n",
            missing.display()
        )
    );
    assert!(
        !env.root().join("prefix").exists(),
        "nothing built or installed"
    );
    // The build shows cargo's own progress: nothing hides it.
    let text = fs::read_to_string(&script).unwrap();
    assert!(
        text.contains("cargo build --release --locked"),
        "install.sh builds"
    );
    assert!(
        !text.contains("--quiet"),
        "install.sh hides cargo's progress"
    );
}

#[test]
fn the_first_release_brings_the_policy_to_production() {
    let env = TestEnv::new();
    let origin = env.bare("origin.git");
    assert_ok(&env.shipgate(
        &env.root(),
        &["install", "--server", "--repo", origin.to_str().unwrap()],
    ));
    // A service that has been running without shipgate: master, release and test on
    // the remote, no policy committed anywhere, so the defaults (no people) apply.
    let repo = env.repo("order-api");
    repo.git(&["branch", "-m", "master"]);
    repo.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    repo.git(&[
        "push",
        "-q",
        "origin",
        "master",
        "master:release",
        "master:test",
    ]);
    repo.git(&["fetch", "-q", "origin"]);
    let out = repo.shipgate(&["install"]);
    let command = hint_command(&stderr(&out), "commit it on a development branch");
    let config = fs::read_to_string(repo.path.join(".shipgate.toml"))
        .unwrap()
        .replace("owners = []", "owners = [\"zhangsan\"]")
        .replace("tech_leads = []", "tech_leads = [\"lisi\"]")
        .replace("qa = []", "qa = [\"wangwu\"]");
    fs::write(repo.path.join(".shipgate.toml"), config).unwrap();
    assert_ok(&run_hint(&repo, &command, None));
    assert_ok(&repo.shipgate(&[
        "plan",
        "new",
        "--kind",
        "optimization",
        "--version",
        "v1.0.0",
    ]));
    let path = plan_path(&repo, "v1.0.0");
    fs::write(&path, fill_plan(&fs::read_to_string(&path).unwrap())).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "plan of v1.0.0"]);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/shipgate-policy",
        "feature/shipgate-policy",
    ]);
    // The release brings the people that the plan's approvals name.
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    assert_ok(&repo.git_output(&["push", "origin", "v1.0.0"]));
    repo.git(&["switch", "-q", "master"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge tag 'v1.0.0'",
        "v1.0.0",
    ]);
    assert_ok(&repo.git_output(&["push", "origin", "master"]));
    // From now on the policy is master's: QA only tags, as it names.
    let on_master = env.git(&origin, &["show", "master:.shipgate.toml"]);
    assert!(on_master.contains("qa = [\"wangwu\"]"));
}
