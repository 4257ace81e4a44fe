//! The rollback gate (R3, R4) and the emergency-debt gate (E5) against a determined
//! pusher: every attack goes through a real `git push` to a bare origin with the hooks
//! installed and is refused, while the same push with `--no-verify` (plain git) goes
//! through, so each test shows the rule, not git. A debt the remote already holds can
//! be paid, never deleted, moved, renamed or edited away.

use std::fs;
use std::process::Output;

use crate::common::*;
use crate::plans::{merge_into_release, plan_path, released_branch};
use crate::policy::{fill_plan, service, write_plan};

/// v1.0.0 and v1.1.0 shipped, then v1.1.0 rolled back: `shipgate rollback` recorded it
/// on a dev branch and the record (plans only, no code) was pushed to release, so the
/// remote holds the debt.
fn rolled_back(env: &TestEnv) -> TestRepo<'_> {
    let repo = service(env);
    released_branch(&repo);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    assert_ok(&repo.git_output(&["push", "origin", "v1.0.0"]));
    repo.git(&["switch", "-q", "-c", "feature/v1.1", "master"]);
    write_plan(&repo, "v1.1.0");
    fs::write(repo.path.join("orders.txt"), "v1.1\n").unwrap();
    repo.git(&["add", "docs", "orders.txt"]);
    repo.git(&["commit", "-q", "-m", "orders v1.1 and its plan"]);
    merge_into_release(&repo, "feature/v1.1");
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo.git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    assert_ok(&repo.git_output(&["push", "origin", "v1.1.0"]));

    repo.git(&["switch", "-q", "-c", "feature/rollback", "release"]);
    assert_ok(&repo.shipgate(&[
        "rollback",
        "--version",
        "v1.1.0",
        "--reason",
        "订单创建 5xx",
    ]));
    repo.git(&["commit", "-q", "-am", "rollback of v1.1.0 recorded"]);
    merge_into_release(&repo, "feature/rollback");
    // Publishing the record releases nothing: it is let through.
    assert_ok(&repo.git_output(&["push", "origin", "release"]));
    repo
}

/// On a dev branch from the remote's release: `change`, then the next release (code and
/// its complete plan v1.1.1), merged into release as a reviewed PR; the push's output.
fn next_release(repo: &TestRepo, branch: &str, change: impl FnOnce(&TestRepo)) -> Output {
    repo.git(&["switch", "-q", "-c", branch, "origin/release"]);
    change(repo);
    write_plan(repo, "v1.1.1");
    fs::write(repo.path.join("orders.txt"), "v1.1.1\n").unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "orders v1.1.1 and its plan"]);
    merge_into_release(repo, branch);
    repo.git_output(&["push", "origin", "release"])
}

fn refused(out: &Output) -> String {
    assert_code(out, 1);
    stderr(out)
}

/// The same push without the hooks (plain git) goes through: the refusal was shipgate's.
fn plain_git_allows(repo: &TestRepo) {
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "release"]));
    let origin = repo.env.root().join("origin.git");
    assert_eq!(
        repo.env.git(&origin, &["rev-parse", "release"]),
        repo.git(&["rev-parse", "release"]),
    );
}

fn accepted_release(repo: &TestRepo) -> String {
    repo.git(&["rev-parse", "--short=7", "origin/release"])
        .trim()
        .to_string()
}

fn assert_plan_gone(err: &str, commit: &str) {
    assert!(
        err.contains(&format!(
            "[R3] release: v1.1.0 was rolled back (recorded in `docs/releases/v1.1.0.md` at {commit}) \
             and its problem analysis is owed, but the pushed commit has no plan with \
             `version: v1.1.0` at `docs/releases/v1.1.0.md`"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "hint: bring the plan back as it was recorded: `git checkout {commit} -- docs/releases/v1.1.0.md`"
        )),
        "{err}"
    );
}

fn assert_record_gone(err: &str, commit: &str) {
    assert!(
        err.contains(&format!(
            "[R3] release: v1.1.0 was rolled back (recorded in `docs/releases/v1.1.0.md` at {commit}) \
             and its problem analysis is owed, but `docs/releases/v1.1.0.md` in the pushed commit \
             no longer records the rollback"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "`git checkout {commit} -- docs/releases/v1.1.0.md`"
        )),
        "{err}"
    );
}

/// The plan of v1.1.0 with its analysis written, confirmed by `who`.
fn analysis(repo: &TestRepo, who: &str) {
    let path = plan_path(repo, "v1.1.0");
    let text = fs::read_to_string(&path).unwrap();
    let written = text
        .replace("(to fill in)", "written")
        .replace("- [ ] Timeline", "- [x] Timeline")
        .replace("- [ ] Root cause", "- [x] Root cause")
        .replace("- [ ] Why tests", "- [x] Why tests")
        .replace("- [ ] Fix and follow-up", "- [x] Fix and follow-up")
        .replace("confirmed_by: \"\"", &format!("confirmed_by: \"{who}\""));
    fs::write(&path, written).unwrap();
}

fn edit_plan(repo: &TestRepo, edit: impl FnOnce(String) -> String) {
    let path = plan_path(repo, "v1.1.0");
    let text = fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    fs::write(&path, edited).unwrap();
}

#[test]
fn the_legitimate_path_confirmed_analysis_releases() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    // Unpaid: the next release is refused.
    let err = refused(&next_release(&repo, "feature/early", |_| {}));
    assert!(
        err.contains(
            "[R3] release: v1.1.0 was rolled back and its problem analysis is not written"
        ),
        "{err}"
    );
    repo.git(&["reset", "-q", "--hard", "origin/release"]);
    // Written and confirmed by the TL: released.
    let out = next_release(&repo, "feature/fixed", |repo| analysis(repo, "lisi"));
    assert_ok(&out);
    // Paid stays paid only while the record is kept: the remote now holds the confirmed
    // analysis, and deleting it later is refused like any other deletion.
    let commit = accepted_release(&repo);
    repo.git(&["switch", "-q", "-c", "feature/tidy", "origin/release"]);
    repo.git(&["rm", "-q", "docs/releases/v1.1.0.md"]);
    fs::write(repo.path.join("orders.txt"), "v1.1.2\n").unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "tidy old plans"]);
    merge_into_release(&repo, "feature/tidy");
    assert_plan_gone(
        &refused(&repo.git_output(&["push", "origin", "release"])),
        &commit,
    );
    plain_git_allows(&repo);
}

#[test]
fn deleting_the_rolled_back_plan_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    let commit = accepted_release(&repo);
    // Deleting it in a push of plans alone is refused too: a record is carried, not dropped.
    repo.git(&["switch", "-q", "-c", "feature/forget", "origin/release"]);
    repo.git(&["rm", "-q", "docs/releases/v1.1.0.md"]);
    repo.git(&["commit", "-q", "-m", "forget v1.1.0"]);
    merge_into_release(&repo, "feature/forget");
    assert_plan_gone(
        &refused(&repo.git_output(&["push", "origin", "release"])),
        &commit,
    );
    repo.git(&["reset", "-q", "--hard", "origin/release"]);

    let out = next_release(&repo, "feature/delete", |repo| {
        repo.git(&["rm", "-q", "docs/releases/v1.1.0.md"]);
    });
    assert_plan_gone(&refused(&out), &commit);
    plain_git_allows(&repo);
}

#[test]
fn renaming_the_rolled_back_plan_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    let commit = accepted_release(&repo);
    let out = next_release(&repo, "feature/rename", |repo| {
        repo.git(&[
            "mv",
            "docs/releases/v1.1.0.md",
            "docs/releases/v1.1.0-old.md",
        ]);
    });
    assert_plan_gone(&refused(&out), &commit);
    plain_git_allows(&repo);
}

#[test]
fn moving_the_rolled_back_plan_out_of_the_plans_dir_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    let commit = accepted_release(&repo);
    let out = next_release(&repo, "feature/move", |repo| {
        fs::create_dir_all(repo.path.join("docs/old")).unwrap();
        repo.git(&["mv", "docs/releases/v1.1.0.md", "docs/old/v1.1.0.md"]);
    });
    assert_plan_gone(&refused(&out), &commit);
    plain_git_allows(&repo);
}

#[test]
fn moving_the_rolled_back_plan_into_a_subdirectory_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    let commit = accepted_release(&repo);
    let out = next_release(&repo, "feature/archive", |repo| {
        fs::create_dir_all(repo.path.join("docs/releases/archive")).unwrap();
        repo.git(&[
            "mv",
            "docs/releases/v1.1.0.md",
            "docs/releases/archive/v1.1.0.md",
        ]);
    });
    assert_plan_gone(&refused(&out), &commit);
    plain_git_allows(&repo);
}

#[test]
fn dropping_the_rolled_back_status_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    let commit = accepted_release(&repo);
    let out = next_release(&repo, "feature/status", |repo| {
        edit_plan(repo, |t| {
            t.replace("status: rolled-back\n", "status: done\n")
        });
    });
    assert_record_gone(&refused(&out), &commit);
    plain_git_allows(&repo);
}

#[test]
fn dropping_the_rollback_block_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    let commit = accepted_release(&repo);
    let out = next_release(&repo, "feature/record", |repo| {
        edit_plan(repo, |t| {
            let mut in_block = false;
            t.split_inclusive('\n')
                .filter(|l| {
                    if l.starts_with("rollback:") {
                        in_block = true;
                    } else if !l.starts_with("  ") {
                        in_block = false;
                    }
                    !in_block
                })
                .collect()
        });
    });
    assert_record_gone(&refused(&out), &commit);
    plain_git_allows(&repo);
}

#[test]
fn confirmation_by_someone_not_owner_or_tl_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    // wangwu is QA: written, but not confirmed by an owner or TL.
    let out = next_release(&repo, "feature/qa-confirms", |repo| {
        analysis(repo, "wangwu")
    });
    let err = refused(&out);
    assert!(
        err.contains("[R3] release: v1.1.0 was rolled back and its problem analysis is not written and confirmed"),
        "{err}"
    );
    assert!(
        err.contains(
            "rollback.confirmed_by must name the system owner or tech lead (zhangsan, lisi)"
        ),
        "{err}"
    );
    plain_git_allows(&repo);
}

#[test]
fn changing_the_plans_version_is_refused() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    let commit = accepted_release(&repo);
    // The analysis is even written and confirmed, but under another version's name.
    let out = next_release(&repo, "feature/version", |repo| {
        analysis(repo, "lisi");
        edit_plan(repo, |t| {
            t.replace("version: \"v1.1.0\"", "version: \"v1.0.9\"")
        });
    });
    assert_plan_gone(&refused(&out), &commit);
    plain_git_allows(&repo);
}

#[test]
fn a_release_tag_waits_for_the_analysis_too() {
    let env = TestEnv::new();
    let repo = rolled_back(&env);
    // The remote's release holds the unpaid record; tagging it releases it.
    repo.git(&["switch", "-q", "release"]);
    repo.git(&["tag", "-a", "v1.1.1", "-m", "v1.1.1"]);
    let err = refused(&repo.git_output(&["push", "origin", "v1.1.1"]));
    assert!(err.contains("v1.1.0 was rolled back"), "{err}");
    assert_ok(&repo.git_output(&["push", "--no-verify", "origin", "v1.1.1"]));
}

/// An emergency window used on release, then the next normal release on a dev branch,
/// with the emergency plan v1.0.1 written by `plan new` and filled in, then `tamper`ed.
fn after_emergency(repo: &TestRepo, branch: &str, tamper: impl FnOnce(&TestRepo)) -> Output {
    repo.git(&["switch", "-q", "-c", branch, "master"]);
    fs::write(repo.path.join("after.txt"), "after\n").unwrap();
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "emergency", "--version", "v1.0.1"]));
    let path = plan_path(repo, "v1.0.1");
    fs::write(&path, fill_plan(&fs::read_to_string(&path).unwrap())).unwrap();
    tamper(repo);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "after the emergency, with its plan"]);
    merge_into_release(repo, branch);
    repo.git_output(&["push", "origin", "release"])
}

fn emergency_used(env: &TestEnv) -> TestRepo<'_> {
    let repo = service(env);
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
    repo
}

fn assert_e5(err: &str) {
    assert!(
        err.contains("[E5] release: an emergency window used on 2026-11-01 (incident INC-4711)"),
        "{err}"
    );
    assert!(err.contains("a `date:` of 2026-11-01 or later"), "{err}");
}

#[test]
fn an_emergency_plan_moved_into_a_subdirectory_pays_nothing() {
    let env = TestEnv::new();
    let repo = emergency_used(&env);
    let out = after_emergency(&repo, "feature/after", |repo| {
        fs::create_dir_all(repo.path.join("docs/releases/emergency")).unwrap();
        fs::rename(
            plan_path(repo, "v1.0.1"),
            repo.path.join("docs/releases/emergency/v1.0.1.md"),
        )
        .unwrap();
    });
    assert_e5(&refused(&out));
    plain_git_allows(&repo);
}

#[test]
fn a_renamed_emergency_plan_pays_nothing() {
    let env = TestEnv::new();
    let repo = emergency_used(&env);
    let out = after_emergency(&repo, "feature/after", |repo| {
        fs::rename(
            plan_path(repo, "v1.0.1"),
            repo.path.join("docs/releases/incident-4711.md"),
        )
        .unwrap();
    });
    assert_e5(&refused(&out));
    plain_git_allows(&repo);
}

#[test]
fn an_emergency_plan_dated_before_the_window_pays_nothing() {
    let env = TestEnv::new();
    let repo = emergency_used(&env);
    for (branch, date) in [
        ("feature/backdated", "2026-10-31"),
        ("feature/undated", "soon"),
    ] {
        let out = after_emergency(&repo, branch, |repo| {
            let path = plan_path(repo, "v1.0.1");
            let text = fs::read_to_string(&path).unwrap();
            let dated = text.replace("date: \"2026-11-01\"", &format!("date: \"{date}\""));
            assert_ne!(dated, text);
            fs::write(&path, dated).unwrap();
        });
        assert_e5(&refused(&out));
        repo.git(&["reset", "-q", "--hard", "origin/release"]);
        repo.git(&["switch", "-q", "master"]);
        repo.git(&["branch", "-q", "-D", branch]);
    }
    // Dated on the window's day, where it belongs: released.
    assert_ok(&after_emergency(&repo, "feature/after", |_| {}));
}
