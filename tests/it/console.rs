//! The process from the keyboard: `shipgate status`, `plan list`, `rules`, `explain`,
//! the man pages and completion, end to end through the real binary in real
//! repositories (hooks installed, a bare `origin`, releases tagged and merged, a
//! rollback whose analysis is owed, the next release in preparation), in both languages.

use std::fs;
use std::process::Output;

use crate::common::*;
use crate::plans::{merge_into_release, plan_path, released_branch};
use crate::policy::{service, write_plan};

/// v1.0.0 and v1.1.0 released (v1.1.0 merged into master by QA), v1.1.0 rolled back
/// (its record published to origin, its analysis not written), and the next release,
/// the bug fix v1.2.0, rendered and half filled in on `feature/fix`.
fn in_flight(env: &TestEnv) -> TestRepo<'_> {
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
    // QA merges the tag into master (F13).
    repo.git(&["switch", "-q", "master"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge tag 'v1.1.0'",
        "v1.1.0",
    ]);
    assert_ok(&repo.git_output(&["push", "origin", "master"]));

    // Alerts storm: v1.1.0 is rolled back, the record published to origin.
    repo.git(&["switch", "-q", "-c", "feature/fix", "release"]);
    assert_ok(&repo.shipgate(&[
        "rollback",
        "--version",
        "v1.1.0",
        "--reason",
        "订单创建 5xx",
    ]));
    repo.git(&["commit", "-q", "-am", "rollback of v1.1.0 recorded"]);

    // The fix's plan: people and approvals filled in, the checklist not yet.
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "bugfix", "--version", "v1.2.0"]));
    let path = plan_path(&repo, "v1.2.0");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("approvals: []", "approvals: [zhangsan, lisi]"),
    )
    .unwrap();
    repo.git(&["add", "docs"]);
    repo.git(&["commit", "-q", "-m", "plan v1.2.0"]);
    repo
}

fn json(out: &Output) -> serde_json::Value {
    assert_ok(out);
    serde_json::from_slice(&out.stdout).expect("status prints JSON")
}

#[test]
fn status_says_where_the_release_stands() {
    let env = TestEnv::new();
    let repo = in_flight(&env);
    let out = repo.shipgate(&["status"]);
    assert_ok(&out);
    let text = stdout(&out);
    let err = stderr(&out);
    for expected in [
        "shipgate status: [ROOT]/order-api (on feature/fix)".to_string(),
        "hooks         pre-commit, pre-merge-commit, pre-push: installed, run [BIN]".to_string(),
        "policy        committed on origin's production branch: `master@".to_string(),
        "preparing     v1.2.0 (bugfix), `docs/releases/v1.2.0.md`".to_string(),
        "passes stage `submit-test`".to_string(),
        "stage `release` still needs".to_string(),
        "[F6] item `release-pr-approved` is not ticked".to_string(),
        "gates         [R3] v1.1.0 was rolled back: its problem analysis in \
         `docs/releases/v1.1.0.md` still needs 5; nothing is released until it is written \
         and confirmed"
            .to_string(),
        // Production runs the version it went back to: said before the verdict.
        "last release  v1.1.0: rolled back to v1.0.0 at 2026-11-01T02:00:00+00:00; \
         production runs v1.0.0"
            .to_string(),
        "              v1.1.0: check-master is clean (master has everything v1.1.0 carries)"
            .to_string(),
        "server        not enforced: origin does not advertise `refs/shipgate/enforced`"
            .to_string(),
    ] {
        let text = env.normalize(&text);
        assert!(text.contains(&expected), "{expected}\nnot in:\n{text}");
    }
    // Each closed or unfinished thing comes with the command that moves it on.
    let origin = env.root().join("origin.git");
    for hint in [
        "hint: what stage `release` needs, line by line: `shipgate plan check v1.2.0 --stage release`"
            .to_string(),
        "hint: write the problem analysis at the end of `docs/releases/v1.1.0.md`".to_string(),
        format!(
            "hint: run `shipgate install --server --repo {}`",
            origin.display()
        ),
    ] {
        assert!(err.contains(&hint), "{hint}\nnot in:\n{err}");
    }
    // The closed gate blocks the next release: its way out is the first hint.
    assert!(
        err.find("hint: write the problem analysis") < err.find("hint: what stage `release`"),
        "{err}"
    );
    insta::assert_snapshot!(env.normalize(&text));

    // The hint runs as printed, and then a server enforces the rules.
    assert_ok(&repo.shipgate(&["install", "--server", "--repo", origin.to_str().unwrap()]));
    let text = stdout(&repo.shipgate(&["status"]));
    assert!(
        text.contains("server        enforced: origin advertises `refs/shipgate/enforced`"),
        "{text}"
    );
    // Offline, the fetched copy of the marker speaks (install set up the refspec).
    repo.git(&["fetch", "-q", "origin"]);
    let text = stdout(&repo.shipgate(&["status", "--offline"]));
    assert!(
        text.contains(
            "policy        committed at `refs/remotes/origin/master` (this clone's copy)"
        ),
        "{text}"
    );
    assert!(
        text.contains("origin was not asked (`--offline`)"),
        "{text}"
    );
    assert!(
        text.contains(
            "enforced as of the last fetch: this clone has origin's `refs/shipgate/enforced`"
        ),
        "{text}"
    );
}

#[test]
fn status_speaks_chinese_and_reports_what_changes() {
    let env = TestEnv::new();
    let repo = in_flight(&env);
    let out = env
        .command(BIN, &repo.path)
        .args(["status"])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_ok(&out);
    let text = env.normalize(&stdout(&out));
    for expected in [
        "shipgate 状态：[ROOT]/order-api（当前分支 feature/fix）",
        "钩子      pre-commit、pre-merge-commit、pre-push：已安装，运行",
        "准备中    v1.2.0（Bug 修复上线），`docs/releases/v1.2.0.md`",
        "闸门      [R3] v1.1.0 已回滚：`docs/releases/v1.1.0.md` 中的问题分析还缺 5 项",
        "上次上线  v1.1.0：已于 2026-11-01T02:00:00+00:00 回滚到 v1.0.0，线上运行的是 v1.0.0",
        "          v1.1.0：check-master 通过",
        "服务器端  未强制：origin 没有公布 `refs/shipgate/enforced`",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in:\n{text}");
    }
    insta::assert_snapshot!(text);
    assert!(stderr(&out).contains("提示："), "{}", stderr(&out));

    // The analysis written but not confirmed: the gate is R4 now.
    let path = plan_path(&repo, "v1.1.0");
    let written = fs::read_to_string(&path)
        .unwrap()
        .replace("(to fill in)", "written")
        .replace("- [ ] Timeline", "- [x] Timeline")
        .replace("- [ ] Root cause", "- [x] Root cause")
        .replace("- [ ] Why tests", "- [x] Why tests")
        .replace("- [ ] Fix and follow-up", "- [x] Fix and follow-up");
    fs::write(&path, &written).unwrap();
    let text = stdout(&repo.shipgate(&["status"]));
    assert!(
        text.contains("[R4] v1.1.0 was rolled back: its problem analysis in `docs/releases/v1.1.0.md` still needs 1"),
        "{text}"
    );
    // Confirmed by the tech lead: the gate opens.
    fs::write(
        &path,
        written.replace("confirmed_by: \"\"", "confirmed_by: \"lisi\""),
    )
    .unwrap();
    let text = stdout(&repo.shipgate(&["status"]));
    assert!(
        text.contains("gates         open: no rollback analysis and no emergency plan owed"),
        "{text}"
    );
    // Deleting the plan pays nothing: the record on origin still owes it.
    fs::remove_file(&path).unwrap();
    let text = stdout(&repo.shipgate(&["status"]));
    assert!(
        text.contains("[R3] v1.1.0 was rolled back and its problem analysis is owed, but there is no plan at `docs/releases/v1.1.0.md`"),
        "{text}"
    );
}

#[test]
fn status_json_is_versioned_and_complete() {
    let env = TestEnv::new();
    let repo = in_flight(&env);
    let status = json(&repo.shipgate(&["status", "--format", "json"]));
    assert_eq!(status["schema"], 1);
    assert_eq!(status["branch"], "feature/fix");
    let hooks = status["hooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 3);
    assert!(hooks.iter().all(|h| h["state"] == "installed"));
    assert_eq!(status["policy"]["source"], "remote");
    assert_eq!(status["policy"]["remote_asked"], "yes");
    assert_eq!(status["policy"]["working_tree"], "same");
    assert_eq!(status["preparing"]["version"], "v1.2.0");
    assert_eq!(status["preparing"]["kind"], "bugfix");
    assert_eq!(status["preparing"]["stage_reached"], "submit-test");
    assert_eq!(status["preparing"]["next_stage"], "release");
    assert!(status["preparing"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["item"] == "release-pr-approved" && f["rule"] == "F6"));
    let closed = status["gates"]["closed"].as_array().unwrap();
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert_eq!(closed[0]["rule"], "R3");
    assert_eq!(closed[0]["reason"], "rollback-analysis");
    assert_eq!(closed[0]["version"], "v1.1.0");
    assert_eq!(closed[0]["missing"].as_array().unwrap().len(), 5);
    assert_eq!(status["last_release"]["tag"], "v1.1.0");
    assert_eq!(status["last_release"]["verdict"], "clean");
    assert_eq!(status["server"]["enforced"], false);
    assert_eq!(status["server"]["how"], "advertised");
}

#[test]
fn status_outside_the_happy_path() {
    let env = TestEnv::new();
    // No hooks, no remote, no plans, no config.
    let repo = env.repo("scratch");
    let out = repo.shipgate(&["status"]);
    assert_ok(&out);
    let text = stdout(&out);
    for expected in [
        "hooks         pre-commit, pre-merge-commit, pre-push: not installed",
        "policy        the built-in defaults (there is no `.shipgate.toml`)",
        "there is no remote `origin`",
        "preparing     there are no plans in `docs/releases`",
        "last release  no release tag yet",
        "server        none: there is no remote `origin`",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in:\n{text}");
    }
    assert!(stderr(&out).contains("hint: run `shipgate install`"));
    // A remote that cannot be reached is said, and the clone's own view stands in.
    repo.git(&["remote", "add", "origin", "/nonexistent/origin.git"]);
    let out = repo.shipgate(&["status"]);
    assert_ok(&out);
    assert!(
        stdout(&out)
            .contains("origin could not be asked: cannot ask the remote `/nonexistent/origin.git`"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("hint: look without asking the remote: `shipgate status --offline`")
    );
    assert!(stdout(&repo.shipgate(&["status", "--offline"]))
        .contains("origin was not asked (`--offline`)"));
    // A bare repository is the server's: status says where to look instead.
    let bare = env.bare("server.git");
    let out = env.shipgate(&bare, &["status"]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("is a bare repository"), "{err}");
    assert!(
        err.contains(&format!(
            "hint: on the server, check its hook instead: `shipgate doctor --server --repo {}`",
            bare.display()
        )),
        "{err}"
    );
}

#[test]
fn an_emergency_window_used_leaves_an_emergency_plan_owed() {
    let env = TestEnv::new();
    let repo = service(&env);
    released_branch(&repo);
    assert_ok(&repo.shipgate(&[
        "emergency",
        "start",
        "--reason",
        "payment callback timeout",
        "--incident",
        "INC-4711",
    ]));
    repo.git(&["switch", "-q", "release"]);
    fs::write(repo.path.join("hotfix.txt"), "fix\n").unwrap();
    repo.git(&["add", "hotfix.txt"]);
    repo.git(&["commit", "-q", "-m", "hotfix"]);
    let text = stdout(&repo.shipgate(&["status"]));
    assert!(
        text.contains("[E1] an emergency window is open until"),
        "{text}"
    );
    assert!(
        text.contains("[E5] an emergency window was used on 2026-11-01 (incident INC-4711): no normal release until its emergency plan passes `done`"),
        "{text}"
    );
    let status = json(&repo.shipgate(&["status", "--format", "json"]));
    let closed = status["gates"]["closed"].as_array().unwrap();
    assert_eq!(closed[0]["rule"], "E5");
    assert_eq!(closed[0]["incident"], "INC-4711");
    assert!(status["gates"]["emergency_window"]["reason"] == "payment callback timeout");
}

#[test]
fn plan_list_shows_every_plan_with_its_stage_and_state() {
    let env = TestEnv::new();
    let repo = in_flight(&env);
    // A plan that does not parse is listed, with why.
    fs::write(plan_path(&repo, "v0.9.0"), "no front matter\n").unwrap();
    let out = repo.shipgate(&["plan", "list"]);
    assert_ok(&out);
    let text = stdout(&out);
    insta::assert_snapshot!(text);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["version", "kind", "stage", "state"]);
    assert_eq!(
        rows[1],
        ["v0.9.0", "-", "-", "unreadable"],
        "sorted by version"
    );
    assert_eq!(rows[2], ["v1.0.0", "feature", "done", "released"]);
    assert_eq!(
        rows[3],
        ["v1.1.0", "feature", "done", "rolled", "back,", "analysis", "owed"]
    );
    assert_eq!(rows[4], ["v1.2.0", "bugfix", "submit-test", "draft"]);
    assert!(
        stderr(&out).contains("docs/releases/v0.9.0.md:1:"),
        "{}",
        stderr(&out)
    );

    let out = repo.shipgate(&["--lang", "zh-CN", "plan", "list"]);
    let text = stdout(&out);
    assert!(text.contains("已回滚，欠问题分析"), "{text}");
    assert!(text.contains("草稿"), "{text}");
    assert!(text.contains("`docs/releases` 中共 4 份发布计划"), "{text}");

    let list = json(&repo.shipgate(&["plan", "list", "--format", "json"]));
    assert_eq!(list["schema"], 1);
    let plans = list["plans"].as_array().unwrap();
    let states: Vec<&str> = plans.iter().map(|p| p["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["unreadable", "released", "analysis-owed", "draft"]);
    assert_eq!(plans[3]["stage"], "submit-test");
    assert_eq!(plans[3]["kind"], "bugfix");
    assert!(plans[0]["error"].as_str().unwrap().contains("v0.9.0.md:1"));
}

#[test]
fn rules_and_explain_in_both_languages() {
    let env = TestEnv::new();
    let out = env.shipgate(&env.root(), &["rules"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("  ")
                && l.trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| "FBER".contains(c))
                && l.trim_start()
                    .chars()
                    .nth(1)
                    .is_some_and(|c| c.is_ascii_digit()))
            .count(),
        37,
        "one line per rule:\n{text}"
    );
    for expected in [
        "Feature release (需求上线)",
        "  F6   A day before release, PR the development branch — never the `test` branch — into `release`, 2 approvals",
        "Emergency release (紧急上线)",
        "  R4   The owner or the TL confirms the analysis and the fix",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in:\n{text}");
    }
    assert!(stderr(&out).contains("`shipgate explain F6`"));

    let out = env.shipgate(&env.root(), &["--lang", "zh-CN", "rules"]);
    let text = stdout(&out);
    assert!(
        text.contains("  F1   提测使用的分支必须为 test 分支"),
        "{text}"
    );
    assert!(text.contains("异常回滚"), "{text}");

    let out = env.shipgate(&env.root(), &["explain", "f14"]);
    assert_ok(&out);
    insta::assert_snapshot!(stdout(&out));
    let out = env.shipgate(&env.root(), &["--lang", "zh-CN", "explain", "F12"]);
    assert_ok(&out);
    insta::assert_snapshot!(stdout(&out));

    // Every command explain prints is one shipgate runs.
    let repo = in_flight(&env);
    let out = repo.shipgate(&["explain", "R3"]);
    let text = stdout(&out);
    assert!(text.contains("run         shipgate status"), "{text}");
    assert_ok(&repo.shipgate(&["plan", "list"]));

    let out = env.shipgate(&env.root(), &["explain", "F23"]);
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        "error: there is no rule `F23`: the rules are F1–F22, B1–B5, E1–E5, R1–R5\n\
         hint: list them all: `shipgate rules`\n"
    );
}

#[test]
fn explain_reads_the_repository_language() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    fs::write(repo.path.join(".shipgate.toml"), "lang = \"zh-CN\"\n").unwrap();
    let text = stdout(&repo.shipgate(&["explain", "E5"]));
    assert!(text.starts_with("E5 · 紧急上线\n补充上线文档"), "{text}");
}

#[test]
fn man_pages_render() {
    let env = TestEnv::new();
    let dir = env.root().join("man");
    let out = env.shipgate(&env.root(), &["man", "--out", dir.to_str().unwrap()]);
    assert_ok(&out);
    for page in [
        "shipgate.1",
        "shipgate-status.1",
        "shipgate-plan-list.1",
        "shipgate-plan-check.1",
        "shipgate-explain.1",
        "shipgate-man.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    assert!(
        !dir.join("shipgate-hook.1").exists(),
        "the hook entry point is hidden"
    );
    let main = fs::read_to_string(dir.join("shipgate.1")).unwrap();
    assert!(main.contains(".TH shipgate 1"), "{main}");
    // The main page points at each subcommand's page.
    for sub in [
        "shipgate\\-status(1)",
        "shipgate\\-explain(1)",
        "shipgate\\-plan(1)",
    ] {
        assert!(main.contains(sub), "{sub} in:\n{main}");
    }
    // Without --out: the main page on stdout, the same text.
    let out = env.shipgate(&env.root(), &["man"]);
    assert_eq!(stdout(&out), main);

    // groff renders it as man(1) would show it.
    let rendered = env
        .command("groff", &env.root())
        .args(["-man", "-Tutf8", "-P", "-cbou"])
        .arg(dir.join("shipgate-plan-list.1"))
        .output();
    match rendered {
        Ok(out) if out.status.success() => {
            let text = stdout(&out);
            for expected in [
                "NAME",
                "shipgate-plan-list",
                "SYNOPSIS",
                "--format",
                "OPTIONS",
            ] {
                assert!(text.contains(expected), "{expected}\nnot in:\n{text}");
            }
        }
        other => assert!(
            !required("SHIPGATE_REQUIRE_TOOLS"),
            "groff is needed to render the man page: {other:?}"
        ),
    }
}

/// What the completion script asks for when TAB is pressed after `words` (the last one
/// is the word being completed): the candidates, one per line, as bash reads them.
fn complete(repo: &TestRepo, words: &[&str]) -> Vec<String> {
    let mut cmd = repo.env.command(BIN, &repo.path);
    cmd.env("SHIPGATE_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words);
    let out = cmd.output().unwrap();
    assert_ok(&out);
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn completion_offers_plan_versions_tags_branches_and_rule_ids() {
    let env = TestEnv::new();
    let repo = in_flight(&env);
    assert_eq!(
        complete(&repo, &["shipgate", "plan", "check", "v"]),
        ["v1.2.0", "v1.1.0", "v1.0.0"]
    );
    assert_eq!(
        complete(&repo, &["shipgate", "plan", "check", "v1.1"]),
        ["v1.1.0"]
    );
    assert_eq!(
        complete(&repo, &["shipgate", "check-master", "v"]),
        ["v1.1.0", "v1.0.0"]
    );
    let branches = complete(&repo, &["shipgate", "check-push", "--ref", "re"]);
    assert_eq!(branches, ["release"]);
    let branches = complete(&repo, &["shipgate", "check-master", "--master", ""]);
    assert!(branches.contains(&"master".to_string()), "{branches:?}");
    assert!(
        branches.contains(&"origin/master".to_string()),
        "{branches:?}"
    );
    assert_eq!(
        complete(&repo, &["shipgate", "explain", "E"]),
        ["E1", "E2", "E3", "E4", "E5"]
    );
    assert_eq!(
        complete(&repo, &["shipgate", "rollback", "--to", "v"]),
        ["v1.1.0", "v1.0.0"]
    );
    let subcommands = complete(&repo, &["shipgate", "st"]);
    assert_eq!(subcommands, ["status"]);
    // The variable alone, without the script's `--`, is an ordinary run.
    let out = env
        .command(BIN, &repo.path)
        .env("SHIPGATE_COMPLETE", "bash")
        .args(["plan", "list"])
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(stdout(&out).contains("v1.2.0"), "{}", stdout(&out));
}

#[test]
fn completion_scripts_call_the_binary_back() {
    let env = TestEnv::new();
    let repo = in_flight(&env);
    let bin = std::fs::canonicalize(BIN).unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = repo.shipgate(&["completions", shell]);
        assert_ok(&out);
        let script = stdout(&out);
        assert!(script.contains("SHIPGATE_COMPLETE"), "{shell}:\n{script}");
        assert!(
            script.contains(bin.to_str().unwrap()),
            "{shell} calls this binary back:\n{script}"
        );
    }
    // bash itself: source the script, press TAB after `shipgate plan check v`.
    let script = repo.path.join("complete.bash");
    fs::write(&script, stdout(&repo.shipgate(&["completions", "bash"]))).unwrap();
    let out = env
        .command("bash", &repo.path)
        .arg("-c")
        .arg(format!(
            "source {} && COMP_WORDS=(shipgate plan check v) && COMP_CWORD=3 && COMP_TYPE=9 \
             && _clap_complete_shipgate shipgate v plan && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(stdout(&out), "v1.2.0\nv1.1.0\nv1.0.0\n");
    // An unknown shell is named.
    let out = env
        .command(BIN, &repo.path)
        .env("SHIPGATE_COMPLETE", "tcsh")
        .args(["--", "shipgate", "st"])
        .output()
        .unwrap();
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("cannot complete for the shell `tcsh`: shipgate completes for bash, elvish, fish, powershell, zsh"),
        "{}",
        stderr(&out)
    );
}
