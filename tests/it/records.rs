//! Team records held by the server under `refs/shipgate/`: the emergency push option
//! (E1) and its audit log, the emergency plan it leaves owed (E5), rollback records
//! published by `shipgate rollback` (R1, R3, R4). Every push is a real `git push` over
//! `file://` to a bare repository with `shipgate install --server`, from clones without
//! any hook; where the server refuses, the same push to a hookless copy of it goes
//! through, so the refusal is shipgate's, not git's.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::*;
use crate::policy::{fill_plan, write_plan};
use crate::server::{write, Served, QA};

const REASON: &str = "payment callback timeout";
const INCIDENT: &str = "INC-4711";

/// `git push --no-verify [-o option]... origin <refspecs>` from `repo` as `pusher`.
fn push_with(
    repo: &TestRepo,
    to: &str,
    pusher: Option<&str>,
    options: &[&str],
    refspecs: &[&str],
) -> Output {
    let mut cmd = repo.env.command("git", &repo.path);
    cmd.args(["push", "--no-verify"]);
    for option in options {
        cmd.args(["-o", option]);
    }
    cmd.arg(to).args(refspecs);
    if let Some(pusher) = pusher {
        cmd.env("SHIPGATE_PUSHER", pusher);
    }
    cmd.output().unwrap()
}

fn emergency_options() -> [String; 2] {
    [
        format!("shipgate.emergency={REASON}"),
        format!("shipgate.incident={INCIDENT}"),
    ]
}

fn refused(out: &Output) -> String {
    let err = stderr(out);
    assert!(!out.status.success(), "accepted:\n{err}");
    assert!(err.contains("pre-receive hook declined"), "{err}");
    err
}

/// A hookless copy of the server that takes push options, as plain git would.
fn open_copy(s: &Served, name: &str) -> String {
    let url = s.open_copy(name);
    let path = url.strip_prefix("file://").unwrap();
    s.env.git(
        Path::new(path),
        &["config", "receive.advertisePushOptions", "true"],
    );
    url
}

/// A direct fix committed on release (no PR), as in an emergency.
fn hotfix(s: &Served) -> String {
    s.detach("release");
    write(&s.dev, "callback.txt", "timeout 3s\n");
    s.dev
        .git(&["commit", "-q", "-m", "fix: payment callback timeout"]);
    s.dev.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// lisi (a tech lead) pushes the hotfix straight to release under an emergency.
fn emergency_pushed(s: &Served) -> String {
    let fix = hotfix(s);
    let options = emergency_options();
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let out = push_with(
        &s.dev,
        "origin",
        Some("lisi"),
        &options,
        &["HEAD:refs/heads/release"],
    );
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("[E1] release:"), "{err}");
    assert!(
        err.contains(&format!(
            "emergency push by lisi recorded in the server's audit log (`refs/shipgate/audit`): \
             {REASON} (incident {INCIDENT})"
        )),
        "{err}"
    );
    fix
}

/// lisi pushes a side branch with the emergency options: logged, and owing a plan.
fn emergency_noted(s: &Served) {
    let options = emergency_options();
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let out = push_with(
        &s.dev,
        "origin",
        Some("lisi"),
        &options,
        &["feature/coupon:refs/heads/hotfix/callback"],
    );
    assert_ok(&out);
    assert!(
        stderr(&out).contains("emergency push by lisi recorded"),
        "{}",
        stderr(&out)
    );
}

/// A teammate's clone made after the fact: it never saw any window or record.
fn teammate<'a>(s: &Served<'a>, name: &str) -> TestRepo<'a> {
    let path = s.env.root().join(name);
    s.env.git(
        &s.env.root(),
        &[
            "clone",
            "-q",
            "-b",
            "master",
            s.bare.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
    );
    TestRepo { env: s.env, path }
}

/// On `repo`, the next normal release: code and its complete plan `version` on a dev
/// branch from the server's release, merged into release as a reviewed PR would be.
fn next_release(repo: &TestRepo, branch: &str, version: &str, change: impl FnOnce(&TestRepo)) {
    repo.git(&["fetch", "-q", "origin"]);
    repo.git(&["switch", "-q", "-C", branch, "origin/release"]);
    write_plan(repo, version);
    fs::write(repo.path.join("orders.txt"), format!("{version}\n")).unwrap();
    change(repo);
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        &format!("orders {version} and its plan"),
    ]);
    repo.git(&["switch", "-q", "-C", "release", "origin/release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        &format!("Merge {branch}"),
        branch,
    ]);
}

fn audit_json(env: &TestEnv, repo: &Path) -> serde_json::Value {
    let out = env.shipgate(
        repo,
        &[
            "audit",
            "--repo",
            repo.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_owners_emergency_push_is_accepted_and_logged_and_anyone_elses_refused() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    let fix = hotfix(&s);
    let before = s.refs();
    let options = emergency_options();
    let options: Vec<&str> = options.iter().map(String::as_str).collect();

    // QA is no owner or tech lead: refused, named, and nothing moved or was logged.
    let out = push_with(
        &s.dev,
        "origin",
        Some(QA),
        &options,
        &["HEAD:refs/heads/release"],
    );
    let err = refused(&out);
    assert!(
        err.contains(
            "[E1] release: `wangwu` may not push under an emergency: only the system owners \
             and tech leads (zhangsan, lisi) may (E1)"
        ),
        "{err}"
    );
    // Nobody named by the host: refused too.
    let err = refused(&push_with(
        &s.dev,
        "origin",
        None,
        &options,
        &["HEAD:refs/heads/release"],
    ));
    assert!(
        err.contains("this server cannot tell who is pushing"),
        "{err}"
    );
    // An emergency without a reason is no emergency.
    let err = refused(&push_with(
        &s.dev,
        "origin",
        Some("lisi"),
        &["shipgate.emergency="],
        &["HEAD:refs/heads/release"],
    ));
    assert!(err.contains("an emergency push needs its reason"), "{err}");
    // Without the option the owner's direct commit is refused as ever, with the way out.
    let err = refused(&s.push(Some("lisi"), &["HEAD:refs/heads/release"]));
    assert!(err.contains("[E1]"), "{err}");
    assert!(err.contains("-o shipgate.emergency="), "{err}");
    assert_eq!(s.refs(), before);
    assert!(!s.refs().contains("refs/shipgate/audit"));
    // Plain git takes QA's push with the same options.
    let open = open_copy(&s, "open-emergency.git");
    assert_ok(&push_with(
        &s.dev,
        &open,
        Some(QA),
        &options,
        &["HEAD:refs/heads/release"],
    ));

    // The tech lead's emergency push: accepted with a warning, and logged.
    let fix_again = emergency_pushed(&s);
    assert_eq!(fix_again, fix);
    assert_eq!(env.git(&s.bare, &["rev-parse", "release"]).trim(), fix);
    let log = audit_json(&env, &s.bare);
    let entries = log["audit"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    let entry = &entries[0];
    assert_eq!(entry["who"], "lisi");
    assert_eq!(entry["action"], "emergency");
    assert_eq!(entry["reason"], REASON);
    assert_eq!(entry["incident"], INCIDENT);
    assert_eq!(entry["when"], "2026-11-01T02:00:00Z");
    assert_eq!(entry["refs"][0]["ref"], "refs/heads/release");
    assert_eq!(entry["refs"][0]["new"], fix.as_str());
    // The log is a commit chain a person can read with git alone.
    let shown = env.git(&s.bare, &["show", "refs/shipgate/audit:entry.json"]);
    assert!(shown.contains(REASON), "{shown}");

    // `shipgate audit` as people read it.
    let out = env.shipgate(&s.bare, &["audit"]);
    assert_ok(&out);
    let text = stdout(&out);
    for expected in ["lisi", "emergency", "release", REASON, INCIDENT, &fix[..7]] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
}

#[test]
fn an_emergency_debt_blocks_the_next_release_from_any_clone_until_its_plan_lands() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    emergency_pushed(&s);

    // A teammate who never saw the emergency: their normal release is refused.
    let mate = teammate(&s, "mate");
    next_release(&mate, "feature/next", "v1.1.0", |_| {});
    let err = refused(&push_with(&mate, "origin", None, &[], &["release"]));
    assert!(
        err.contains(&format!(
            "[E5] release: an emergency window used on 2026-11-01 (incident {INCIDENT}) has no \
             emergency plan that passes `done` yet"
        )),
        "{err}"
    );
    let open = open_copy(&s, "open-e5.git");
    assert_ok(&push_with(&mate, &open, None, &[], &["release"]));

    // The clone reads the log once it fetches the records.
    let out = mate.shipgate(&["audit"]);
    assert!(
        stdout(&out).contains("the audit log is empty"),
        "{}",
        stdout(&out)
    );
    mate.git(&["fetch", "-q", "origin", "+refs/shipgate/*:refs/shipgate/*"]);
    let out = mate.shipgate(&["audit"]);
    assert_ok(&out);
    assert!(stdout(&out).contains(REASON), "{}", stdout(&out));

    // With the emergency plan written and complete, the same release goes through.
    next_release(&mate, "feature/next-2", "v1.1.0", |repo| {
        assert_ok(&repo.shipgate(&["plan", "new", "--kind", "emergency", "--version", "v1.0.1"]));
        let path = repo.path.join("docs/releases/v1.0.1.md");
        let text = fs::read_to_string(&path).unwrap();
        // The incident comes from the server's log the clone fetched.
        assert!(
            text.contains(&format!("incident: \"{INCIDENT}\"")),
            "{text}"
        );
        fs::write(&path, fill_plan(&text)).unwrap();
    });
    let out = push_with(&mate, "origin", None, &[], &["release"]);
    assert_ok(&out);
}

/// v1.1.0 released from `dev` (v1.0.0 before it), then rolled back by lisi with
/// `shipgate rollback`, which publishes the record; the plan's change stays local.
fn rolled_back(s: &Served) -> Output {
    let dev = &s.dev;
    write_plan(dev, "v1.1.0");
    dev.git(&["add", "."]);
    dev.git(&["commit", "-q", "-m", "plan for v1.1.0"]);
    dev.git(&["switch", "-q", "release"]);
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "feature/coupon",
    ]);
    assert_ok(&s.push(None, &["release"]));
    dev.git(&["tag", "-a", "v1.1.0", "-m", "release 1.1.0"]);
    assert_ok(&s.push(Some(QA), &["v1.1.0"]));

    dev.git(&["switch", "-q", "-c", "feature/rollback", "release"]);
    let mut cmd = s.env.command(BIN, &dev.path);
    cmd.args([
        "rollback",
        "--version",
        "v1.1.0",
        "--reason",
        "订单创建 5xx",
    ])
    .env("SHIPGATE_PUSHER", "lisi");
    cmd.output().unwrap()
}

/// The plan of v1.1.0 in `repo` with its analysis written, confirmed by `who`.
fn analysis(repo: &TestRepo, who: &str) {
    let path = repo.path.join("docs/releases/v1.1.0.md");
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

const RECORD: &str = "refs/shipgate/rollback/v1.1.0";

#[test]
fn a_published_rollback_stops_every_clones_release_until_the_analysis_is_confirmed() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    let out = rolled_back(&s);
    assert_ok(&out);
    let err = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        err.contains(&format!(
            "rollback record published to `origin` as `{RECORD}`"
        )),
        "{err}"
    );
    let record = env.git(&s.bare, &["cat-file", "-p", RECORD]);
    assert!(record.contains("\"reason\": \"订单创建 5xx\""), "{record}");
    assert!(record.contains("\"to\": \"v1.0.0\""), "{record}");
    let log = audit_json(&env, &s.bare);
    assert_eq!(log["audit"][0]["action"], "rollback");
    assert_eq!(log["audit"][0]["who"], "lisi");
    assert_eq!(log["rollbacks"][0]["ref"], RECORD);
    assert_eq!(log["rollbacks"][0]["record"]["version"], "v1.1.0");

    // A teammate's clone that never saw the rollback: the next release is refused.
    let mate = teammate(&s, "mate");
    next_release(&mate, "feature/next", "v1.1.1", |_| {});
    let err = refused(&push_with(&mate, "origin", None, &[], &["release"]));
    assert!(
        err.contains(&format!(
            "[R3] release: v1.1.0 was rolled back (the server holds `{RECORD}`) and its problem \
             analysis is owed, but `docs/releases/v1.1.0.md` in the pushed commit does not record \
             the rollback"
        )),
        "{err}"
    );
    let open = open_copy(&s, "open-rollback.git");
    assert_ok(&push_with(&mate, &open, None, &[], &["release"]));
    // So is a release tag on what the server has.
    mate.git(&["tag", "-a", "v1.1.1", "-m", "v1.1.1", "origin/release"]);
    let err = refused(&push_with(&mate, "origin", Some(QA), &[], &["v1.1.1"]));
    assert!(err.contains("v1.1.0 was rolled back"), "{err}");
    mate.git(&["tag", "-d", "v1.1.1"]);

    // Deleting or moving the plan does not lift it: the record is the ref.
    for (branch, change) in [("feature/delete", "delete"), ("feature/move", "move")] {
        next_release(&mate, branch, "v1.1.1", |repo| {
            let plan = repo.path.join("docs/releases/v1.1.0.md");
            if change == "move" {
                fs::create_dir_all(repo.path.join("docs/releases/old")).unwrap();
                fs::rename(&plan, repo.path.join("docs/releases/old/v1.1.0.md")).unwrap();
            } else {
                fs::remove_file(&plan).unwrap();
            }
        });
        let err = refused(&push_with(&mate, "origin", None, &[], &["release"]));
        assert!(
            err.contains(&format!(
                "[R3] release: v1.1.0 was rolled back (the server holds `{RECORD}`) and its \
                 problem analysis is owed, but the pushed commit has no plan with \
                 `version: v1.1.0` at `docs/releases/v1.1.0.md`"
            )),
            "{change}: {err}"
        );
    }

    // Written, but confirmed by QA: still refused.
    let dev = &s.dev;
    analysis(dev, QA);
    dev.git(&["commit", "-q", "-am", "rollback of v1.1.0 and its analysis"]);
    next_release(dev, "feature/fix", "v1.1.1", |_| {});
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/rollback",
        "feature/rollback",
    ]);
    let err = refused(&s.push(None, &["release"]));
    assert!(
        err.contains(
            "rollback.confirmed_by must name the system owner or tech lead (zhangsan, lisi)"
        ),
        "{err}"
    );

    // Confirmed by the tech lead and published (plans alone), then the teammate's
    // release goes through once it carries the plan.
    dev.git(&["switch", "-q", "feature/rollback"]);
    analysis(dev, "lisi");
    let path = dev.path.join("docs/releases/v1.1.0.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("confirmed_by: \"wangwu\"", "confirmed_by: \"lisi\""),
    )
    .unwrap();
    dev.git(&["commit", "-q", "-am", "analysis confirmed by lisi"]);
    dev.git(&["switch", "-q", "-C", "release", "origin/release"]);
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/rollback",
        "feature/rollback",
    ]);
    assert_ok(&s.push(None, &["release"]));
    next_release(&mate, "feature/next-3", "v1.1.1", |_| {});
    assert_ok(&push_with(&mate, "origin", None, &[], &["release"]));
}

#[test]
fn records_are_created_only_as_named_and_never_moved_or_deleted() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    assert_ok(&rolled_back(&s));
    emergency_noted(&s);
    let dev = &s.dev;
    dev.git(&["fetch", "-q", "origin", "+refs/shipgate/*:refs/shipgate/*"]);
    s.bypass("delete-rollback", "[records]", &[&format!(":{RECORD}")]);
    s.bypass(
        "move-rollback",
        "[records]",
        &[&format!("+master:{RECORD}")],
    );
    s.bypass("delete-audit", "[records]", &[":refs/shipgate/audit"]);
    s.bypass(
        "rewrite-audit",
        "[records]",
        &["+master:refs/shipgate/audit"],
    );
    s.bypass("delete-marker", "[records]", &[":refs/shipgate/enforced"]);
    s.bypass("create-other", "[records]", &["master:refs/shipgate/other"]);

    // A rollback record for a release this server never tagged, or one that is no
    // record at all, is not taken either.
    let blob = |text: &str| {
        let file = dev.path.join("record.json");
        fs::write(&file, text).unwrap();
        let id = dev.git(&["hash-object", "-w", "record.json"]);
        fs::remove_file(&file).unwrap();
        id.trim().to_string()
    };
    let forged = blob(
        "{\"version\": \"v9.9.9\", \"at\": \"now\", \"to\": \"v1.0.0\", \"reason\": \"x\", \"by\": \"x\"}",
    );
    s.bypass(
        "record-without-release",
        "has no release tag `v9.9.9`",
        &[&format!("{forged}:refs/shipgate/rollback/v9.9.9")],
    );
    let garbage = blob("not a record\n");
    s.bypass(
        "record-not-a-record",
        "does not point at a rollback record",
        &[&format!("{garbage}:refs/shipgate/rollback/v1.0.0")],
    );
}

#[test]
fn records_survive_gc_and_a_fresh_clone() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    assert_ok(&rolled_back(&s));
    emergency_noted(&s);
    let before = audit_json(&env, &s.bare);
    env.git(&s.bare, &["reflog", "expire", "--expire=now", "--all"]);
    env.git(&s.bare, &["gc", "-q", "--prune=now"]);
    assert_eq!(audit_json(&env, &s.bare), before);
    assert_eq!(before["audit"].as_array().unwrap().len(), 2, "{before}");

    // A fresh clone with the client hooks fetches the records with its branches.
    let mate = teammate(&s, "mate");
    assert_ok(&mate.shipgate(&["install"]));
    let fetch = mate.git(&["config", "--get-all", "remote.origin.fetch"]);
    assert!(
        fetch.contains("+refs/shipgate/*:refs/shipgate/*"),
        "{fetch}"
    );
    // Twice is once.
    assert_ok(&mate.shipgate(&["install"]));
    let again = mate.git(&["config", "--get-all", "remote.origin.fetch"]);
    assert_eq!(again, fetch);
    mate.git(&["fetch", "-q", "origin"]);
    assert_eq!(audit_json(&env, &mate.path), before);
    // And the server still holds the gate.
    next_release(&mate, "feature/next", "v1.1.1", |_| {});
    let err = refused(&push_with(&mate, "origin", None, &[], &["release"]));
    assert!(
        err.contains(&format!("the server holds `{RECORD}`")),
        "{err}"
    );
}

/// E4 on the server: after a tech lead's emergency push to release, QA merges that
/// release tip back into master without a tag, and the server takes it; a merge of
/// anything else untagged stays refused.
#[test]
fn qa_merges_an_emergency_fix_back_into_master_without_a_tag() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    let fix = emergency_pushed(&s);

    // Not the emergency's tip: refused as ever (F13).
    s.dev
        .git(&["switch", "-q", "-C", "master", "origin/master"]);
    s.dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "origin/feature/coupon",
    ]);
    let err = refused(&s.push(Some(QA), &["master"]));
    assert!(err.contains("[F13] master"), "{err}");

    // The emergency's release tip: taken, and check-master has nothing left to say (E4).
    s.dev.git(&["reset", "-q", "--hard", "origin/master"]);
    s.dev.git(&["fetch", "-q", "origin"]);
    s.dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'release' (emergency fix back)",
        &fix,
    ]);
    let out = s.push(Some(QA), &["master"]);
    assert_ok(&out);
    assert_eq!(
        env.git(&s.bare, &["rev-parse", "master^2"]).trim(),
        fix.as_str()
    );
}
