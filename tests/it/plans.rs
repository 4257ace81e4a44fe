//! Release plans end to end: `plan new`, `plan check`, `init`, `rollback`, and the gates
//! the hooks apply on pushes to `release` and on release tags.

use std::fs;

use crate::common::*;
use crate::policy::{fill_plan, service, write_plan};

pub(crate) fn plan_path(repo: &TestRepo, version: &str) -> std::path::PathBuf {
    repo.path.join(format!("docs/releases/{version}.md"))
}

/// `git merge --no-ff BRANCH` on release, as a reviewed PR merge does.
pub(crate) fn merge_into_release(repo: &TestRepo, branch: &str) {
    repo.git(&["switch", "-q", "release"]);
    let message = format!("Merge branch '{branch}' into release");
    repo.git(&["merge", "-q", "--no-ff", "-m", &message, branch]);
}

/// feature/coupon merged into release and pushed (the fixture's v1.0.0 plan covers it).
pub(crate) fn released_branch(repo: &TestRepo) {
    merge_into_release(repo, "feature/coupon");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
}

#[test]
fn plan_new_renders_prefilled_and_never_overwrites() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["tag", "v1.0.0", "master"]);
    let out = repo.shipgate(&[
        "--lang",
        "zh-CN",
        "plan",
        "new",
        "--kind",
        "feature",
        "--version",
        "v1.1.0",
    ]);
    assert_ok(&out);
    let text = fs::read_to_string(plan_path(&repo, "v1.1.0")).unwrap();
    for expected in [
        "kind: feature",
        "version: \"v1.1.0\"",
        // The service is named after the remote (`origin.git` here), not the folder.
        "service: \"origin\"",
        "owner: \"zhangsan\"",
        "tech_lead: \"lisi\"",
        "qa: \"wangwu\"",
        "rollback_to: \"v1.0.0\"",
        "# origin 发布计划 v1.1.0（需求上线）",
        "coupon: limits",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    let out = repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v1.1.0"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("already exists; shipgate never overwrites a plan"));
    fs::write(
        plan_path(&repo, "v1.1.0"),
        text.replace("qa: \"wangwu\"", "qa: \"zhaoliu\""),
    )
    .unwrap();
    let out = repo.shipgate(&[
        "--lang",
        "zh-CN",
        "plan",
        "new",
        "--kind",
        "feature",
        "--version",
        "v1.1.0",
        "--diff",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("-qa: \"zhaoliu\"\n+qa: \"wangwu\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn plan_check_says_what_is_missing_then_passes() {
    let env = TestEnv::new();
    let repo = service(&env);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.0.1"]));
    let out = repo.shipgate(&["plan", "check", "v1.0.1", "--stage", "release"]);
    insta::assert_snapshot!(env.transcript(&out));
    let out = repo.shipgate(&[
        "plan", "check", "v1.0.1", "--format", "json", "--stage", "done",
    ]);
    assert_code(&out, 1);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["passes"], false);
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["item"] == "st-deployed"));

    let path = plan_path(&repo, "v1.0.1");
    let filled = fill_plan(&fs::read_to_string(&path).unwrap());
    fs::write(&path, filled).unwrap();
    let out = repo.shipgate(&["plan", "check", "v1.0.1"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "docs/releases/v1.0.1.md: ready for stage `done`\n"
    );
    // B3: a bug fix that changes middleware is no bug fix.
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("middleware_change: false", "middleware_change: true"),
    )
    .unwrap();
    let out = repo.shipgate(&["plan", "check", "v1.0.1", "--stage", "submit-test"]);
    assert_code(&out, 1);
    assert!(stdout(&out).contains("[B3]"), "{}", stdout(&out));
}

#[test]
fn hostile_plans_are_clear_errors() {
    let env = TestEnv::new();
    let repo = service(&env);
    let path = plan_path(&repo, "v9.0.0");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![b'a'; 50 * 1024 * 1024], "a plan may be at most"),
        (b"---\nkind: feature\nversion: v9.0.0\nowner: \xff\n---\n".to_vec(), ":4: the file is not valid UTF-8"),
        (b"---\n- just\n- a list\n---\n".to_vec(), "front matter"),
        (b"---\nkind: release\nversion: v9.0.0\n---\n".to_vec(), "release"),
        (b"---\nkind: feature\nversion: v9.0.0\n".to_vec(), "never closed"),
        (b"---\nkind: feature\nversion: v9.0.0\nowner: [unclosed\n---\n".to_vec(), "docs/releases/v9.0.0.md:4:"),
        (b"---\na: &a [x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d]\n---\n".to_vec(), "docs/releases/v9.0.0.md:"),
    ];
    for (bytes, expected) in cases {
        fs::write(&path, &bytes).unwrap();
        let out = repo.shipgate(&["plan", "check", "v9.0.0"]);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(err.starts_with("error: docs/releases/v9.0.0.md:"), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn release_push_needs_a_plan_for_the_release() {
    let env = TestEnv::new();
    let repo = service(&env);
    // Mark v1.0.0 as shipped, so the next push to release prepares a release without plan.
    released_branch(&repo);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    assert_ok(&repo.git_output(&["push", "origin", "v1.0.0"]));
    repo.git(&["switch", "-q", "-c", "feature/next", "master"]);
    fs::write(repo.path.join("next.txt"), "next\n").unwrap();
    repo.git(&["add", "next.txt"]);
    repo.git(&["commit", "-q", "-m", "next feature"]);
    merge_into_release(&repo, "feature/next");
    let out = repo.git_output(&["push", "origin", "release"]);
    assert!(
        stderr(&out).contains("[F7] release: no plan for the release being prepared"),
        "{}",
        stderr(&out)
    );

    // An incomplete plan names what is missing.
    repo.git(&["switch", "-q", "feature/next"]);
    assert_ok(&repo.shipgate(&[
        "plan",
        "new",
        "--kind",
        "optimization",
        "--version",
        "v1.1.0",
    ]));
    repo.git(&["add", "docs"]);
    repo.git(&["commit", "-q", "-m", "plan v1.1.0"]);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/next",
        "feature/next",
    ]);
    let out = repo.git_output(&["push", "origin", "release"]);
    insta::assert_snapshot!(env.normalize(&stderr(&out)));

    // Filled in: accepted.
    repo.git(&["switch", "-q", "feature/next"]);
    let path = plan_path(&repo, "v1.1.0");
    fs::write(&path, fill_plan(&fs::read_to_string(&path).unwrap())).unwrap();
    repo.git(&["commit", "-q", "-am", "plan v1.1.0 filled in"]);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/next",
        "feature/next",
    ]);
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
}

#[test]
fn release_tag_needs_a_complete_plan() {
    let env = TestEnv::new();
    let repo = service(&env);
    released_branch(&repo);
    // No plan for v2.0.0 at all.
    repo.git(&["tag", "v2.0.0"]);
    let out = repo.git_output(&["push", "origin", "v2.0.0"]);
    assert!(
        stderr(&out).contains("release tag `v2.0.0` has no plan"),
        "{}",
        stderr(&out)
    );
    repo.git(&["tag", "-d", "v2.0.0"]);

    // v1.0.0's plan, with QA's ST verification unticked.
    repo.git(&["switch", "-q", "-c", "feature/plan-fix", "master"]);
    let path = plan_path(&repo, "v1.0.0");
    let text = fs::read_to_string(&path).unwrap();
    let unticked = text
        .lines()
        .map(|l| {
            if l.contains("id: qa-verified-st") {
                l.replace("- [x]", "- [ ]")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(&path, unticked).unwrap();
    repo.git(&["commit", "-q", "-am", "QA has not verified yet"]);
    merge_into_release(&repo, "feature/plan-fix");
    let out = repo.git_output(&["push", "origin", "release"]);
    assert_ok(&out);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    let out = repo.git_output(&["push", "origin", "v1.0.0"]);
    let err = stderr(&out);
    assert!(err.contains("is not ready for stage `tag`"), "{err}");
    assert!(err.contains("item `qa-verified-st` is not ticked"), "{err}");
    repo.git(&["tag", "-d", "v1.0.0"]);

    // Ticked: the tag goes out.
    repo.git(&["switch", "-q", "feature/plan-fix"]);
    fs::write(&path, text).unwrap();
    repo.git(&["commit", "-q", "-am", "QA verified on ST"]);
    merge_into_release(&repo, "feature/plan-fix");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    assert_ok(&repo.git_output(&["push", "origin", "v1.0.0"]));
}

#[test]
fn after_a_rollback_nothing_ships_until_the_analysis_is_confirmed() {
    let env = TestEnv::new();
    let repo = service(&env);
    released_branch(&repo);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    assert_ok(&repo.git_output(&["push", "origin", "v1.0.0"]));
    // v1.1.0 ships too.
    repo.git(&["switch", "-q", "-c", "feature/v1.1", "master"]);
    write_plan(&repo, "v1.1.0");
    repo.git(&["add", "docs"]);
    repo.git(&["commit", "-q", "-m", "plan v1.1.0"]);
    merge_into_release(&repo, "feature/v1.1");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    assert_ok(&repo.git_output(&["push", "origin", "v1.1.0"]));

    // Alerts storm: roll v1.1.0 back (to v1.0.0, the release before it).
    repo.git(&["switch", "-q", "-c", "feature/rollback-v1", "release"]);
    let bad = repo.shipgate(&[
        "rollback",
        "--version",
        "v1.1.0",
        "--to",
        "v2.0.0",
        "--reason",
        "x",
    ]);
    assert_code(&bad, 2);
    assert!(stderr(&bad).contains("`v2.0.0` is not a release tag older than v1.1.0"));
    let out = repo.shipgate(&[
        "rollback",
        "--version",
        "v1.1.0",
        "--reason",
        "订单创建 5xx",
    ]);
    assert_ok(&out);
    insta::assert_snapshot!(env.normalize(&stderr(&out)));
    let text = fs::read_to_string(plan_path(&repo, "v1.1.0")).unwrap();
    assert!(text.contains("status: rolled-back\n"), "{text}");
    assert!(
        text.contains("  to: \"v1.0.0\"\n  reason: \"订单创建 5xx\"\n"),
        "{text}"
    );
    assert!(
        text.contains("## Problem analysis (required after a rollback)"),
        "{text}"
    );
    let again = repo.shipgate(&["rollback", "--version", "v1.1.0", "--reason", "again"]);
    assert_code(&again, 2);
    assert!(stderr(&again).contains("already records a rollback"));
    repo.git(&["commit", "-q", "-am", "rollback of v1.1.0 recorded"]);

    // The next release (code, not only plans) is refused, naming the plan and what is
    // missing.
    write_plan(&repo, "v1.1.1");
    fs::write(repo.path.join("fix.txt"), "fix\n").unwrap();
    repo.git(&["add", "docs", "fix.txt"]);
    repo.git(&["commit", "-q", "-m", "fix and plan v1.1.1"]);
    merge_into_release(&repo, "feature/rollback-v1");
    let out = repo.git_output(&["push", "origin", "release"]);
    let err = stderr(&out);
    assert!(
        err.contains("[R3] release: v1.1.0 was rolled back"),
        "{err}"
    );
    assert!(
        err.contains("item `analysis-root-cause` still holds template text"),
        "{err}"
    );
    assert!(err.contains("rollback.confirmed_by must name"), "{err}");

    // Written but not confirmed by an owner or TL: still refused.
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&["switch", "-q", "feature/rollback-v1"]);
    let path = plan_path(&repo, "v1.1.0");
    let text = fs::read_to_string(&path).unwrap();
    let written = text
        .replace("(to fill in)", "written")
        .replace("- [ ] Timeline", "- [x] Timeline")
        .replace("- [ ] Root cause", "- [x] Root cause")
        .replace("- [ ] Why tests", "- [x] Why tests")
        .replace("- [ ] Fix and follow-up", "- [x] Fix and follow-up");
    fs::write(
        &path,
        written.replace("confirmed_by: \"\"", "confirmed_by: \"wangwu\""),
    )
    .unwrap();
    repo.git(&["commit", "-q", "-am", "analysis written"]);
    merge_into_release(&repo, "feature/rollback-v1");
    let err = stderr(&repo.git_output(&["push", "origin", "release"]));
    assert!(
        err.contains(
            "rollback.confirmed_by must name the system owner or tech lead (zhangsan, lisi)"
        ),
        "{err}"
    );

    // Confirmed by the TL: the release goes through.
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&["switch", "-q", "feature/rollback-v1"]);
    fs::write(
        &path,
        written.replace("confirmed_by: \"\"", "confirmed_by: \"lisi\""),
    )
    .unwrap();
    repo.git(&["commit", "-q", "-am", "analysis confirmed by lisi"]);
    merge_into_release(&repo, "feature/rollback-v1");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
}

#[test]
fn emergency_window_leaves_a_plan_to_write() {
    let env = TestEnv::new();
    let repo = service(&env);
    assert_ok(&repo.shipgate(&[
        "emergency",
        "start",
        "--reason",
        "payment callback timeout",
        "--incident",
        "INC-4711",
    ]));
    repo.git(&["switch", "-q", "release"]);
    fs::write(repo.path.join("fix.txt"), "timeout 3s\n").unwrap();
    repo.git(&["add", "fix.txt"]);
    assert_ok(&repo.git_output(&["commit", "-m", "fix: callback timeout"]));
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    assert_ok(&repo.shipgate(&["emergency", "end"]));

    // The next normal release waits for the emergency plan.
    repo.git(&["switch", "-q", "-c", "feature/after", "master"]);
    fs::write(repo.path.join("after.txt"), "after\n").unwrap();
    repo.git(&["add", "after.txt"]);
    repo.git(&["commit", "-q", "-m", "after the emergency"]);
    merge_into_release(&repo, "feature/after");
    let err = stderr(&repo.git_output(&["push", "origin", "release"]));
    assert!(
        err.contains("[E5] release: an emergency window used on"),
        "{err}"
    );
    assert!(err.contains("(incident INC-4711)"), "{err}");

    // Written and complete: released.
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    repo.git(&["switch", "-q", "feature/after"]);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "emergency", "--version", "v1.0.1"]));
    let path = plan_path(&repo, "v1.0.1");
    let text = fill_plan(&fs::read_to_string(&path).unwrap());
    assert!(
        text.contains("incident: \"INC-4711\""),
        "the window's incident is pre-filled:\n{text}"
    );
    fs::write(&path, text).unwrap();
    repo.git(&["add", "docs"]);
    repo.git(&["commit", "-q", "-m", "emergency plan v1.0.1"]);
    merge_into_release(&repo, "feature/after");
    let out = repo.git_output(&["push", "origin", "release"]);
    assert_ok(&out);
}

#[test]
fn init_copies_templates_and_plan_new_uses_the_team_copy() {
    let env = TestEnv::new();
    let repo = service(&env);
    let out = repo.shipgate(&["init"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out)
            .matches("wrote `docs/releases/templates/")
            .count(),
        10,
        "{}",
        stdout(&out)
    );
    let own = repo.path.join("docs/releases/templates/bugfix.en.md");
    let text = fs::read_to_string(&own).unwrap();
    fs::write(
        &own,
        text.replace("# Release plan", "# Order team release plan"),
    )
    .unwrap();
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.0.1"]));
    assert!(fs::read_to_string(plan_path(&repo, "v1.0.1"))
        .unwrap()
        .contains("# Order team release plan v1.0.1"));
    let again = repo.shipgate(&["init"]);
    assert_eq!(stdout(&again).matches("kept").count(), 10);
    // A broken team template is named with its line.
    fs::write(
        &own,
        "---\nkind: bugfix\nversion: {{yaml version}}\n{{#each changes}}\n",
    )
    .unwrap();
    let out = repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.0.2"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("template `docs/releases/templates/bugfix.en.md`"),
        "{}",
        stderr(&out)
    );
}

/// Outside an emergency window an emergency plan must be complete: `kind: emergency`
/// is no way around the gates.
#[test]
fn an_unfinished_emergency_plan_is_no_shortcut() {
    let env = TestEnv::new();
    let repo = service(&env);
    released_branch(&repo);
    repo.git(&["switch", "-q", "-c", "feature/e", "release"]);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "emergency", "--version", "v1.0.1"]));
    repo.git(&["add", "docs"]);
    repo.git(&["commit", "-q", "-m", "emergency plan, unfinished"]);
    merge_into_release(&repo, "feature/e");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.0.1", "-m", "v1.0.1"]);
    let err = stderr(&repo.git_output(&["push", "origin", "v1.0.1"]));
    assert!(err.contains("is not ready for stage `done`"), "{err}");
}
