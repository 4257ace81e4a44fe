//! `shipgate ci` in real repositories: the developer's repo pushes to a bare `origin` as
//! a server without shipgate would accept it, the CI job's clone is a full clone of that
//! origin, and the job's environment is set as GitHub Actions or GitLab CI set it
//! (GitHub's event JSON file included). Each event is shown refused and passing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::*;
use crate::policy::service;

/// The CI job's checkout: a full clone of `origin.git`, every branch as a
/// remote-tracking ref (what `actions/checkout` with `fetch-depth: 0` gives).
fn ci_clone(env: &TestEnv, name: &str) -> PathBuf {
    let path = env.root().join(name);
    let origin = env.root().join("origin.git");
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
    );
    path
}

fn ci(env: &TestEnv, dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    env.command(BIN, dir)
        .arg("ci")
        .args(args)
        .envs(vars.iter().copied())
        .output()
        .expect("shipgate runs")
}

fn rev(env: &TestEnv, dir: &Path, rev: &str) -> String {
    env.git(dir, &["rev-parse", rev]).trim().to_string()
}

fn write(repo: &TestRepo, file: &str, text: &str) {
    fs::write(repo.path.join(file), text).unwrap();
    repo.git(&["add", file]);
}

/// `feature/stacking`: one commit of its own and a merge of `test`, which carries a
/// commit made on `test` and test's own merge (F6). Pushed to origin.
fn contaminated_branch(repo: &TestRepo) {
    repo.git(&["switch", "-q", "test"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/coupon' into test",
        "feature/coupon",
    ]);
    write(repo, "debug.txt", "test-only logging\n");
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "test env: verbose logging",
    ]);
    repo.git(&["push", "-q", "--no-verify", "origin", "test"]);
    repo.git(&["switch", "-q", "-c", "feature/stacking", "master"]);
    write(repo, "stacking.txt", "v1\n");
    repo.git(&["commit", "-q", "-m", "stacking: first cut"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'test' into feature/stacking",
        "test",
    ]);
    repo.git(&["push", "-q", "origin", "feature/stacking"]);
}

/// The job environment of a GitHub pull request of `source` into `target`: GitHub made
/// the merge (`refs/pull/7/merge`) and checked it out; its event file names both tips.
fn github_pull_request(
    env: &TestEnv,
    clone: &Path,
    source: &str,
    target: &str,
) -> Vec<(String, String)> {
    let base = rev(env, clone, &format!("origin/{target}"));
    let head = rev(env, clone, &format!("origin/{source}"));
    env.git(clone, &["switch", "-q", "--detach", &base]);
    env.git(
        clone,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            &format!("Merge {head} into {base}"),
            &head,
        ],
    );
    let merge = rev(env, clone, "HEAD");
    let event = env.root().join("pull_request.json");
    fs::write(
        &event,
        format!(
            r#"{{"action": "synchronize", "number": 7,
                "pull_request": {{"number": 7, "head": {{"ref": "{source}", "sha": "{head}"}},
                                  "base": {{"ref": "{target}", "sha": "{base}"}}}}}}"#
        ),
    )
    .unwrap();
    vec![
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_EVENT_NAME".into(), "pull_request".into()),
        ("GITHUB_EVENT_PATH".into(), event.display().to_string()),
        ("GITHUB_REF".into(), "refs/pull/7/merge".into()),
        ("GITHUB_SHA".into(), merge),
        ("GITHUB_BASE_REF".into(), target.into()),
        ("GITHUB_HEAD_REF".into(), source.into()),
    ]
}

/// The job environment of a GitHub push of `refname` from `before` to `after`.
fn github_push(env: &TestEnv, refname: &str, before: &str, after: &str) -> Vec<(String, String)> {
    let event = env.root().join("push.json");
    fs::write(
        &event,
        format!(
            r#"{{"ref": "{refname}", "before": "{before}", "after": "{after}", "forced": false}}"#
        ),
    )
    .unwrap();
    vec![
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_EVENT_NAME".into(), "push".into()),
        ("GITHUB_EVENT_PATH".into(), event.display().to_string()),
        ("GITHUB_REF".into(), refname.into()),
        ("GITHUB_SHA".into(), after.into()),
    ]
}

/// The job environment of a GitLab merge-request pipeline (not a merged-results one:
/// the commit is the source branch's head).
fn gitlab_merge_request(
    env: &TestEnv,
    clone: &Path,
    source: &str,
    target: &str,
) -> Vec<(String, String)> {
    let head = rev(env, clone, &format!("origin/{source}"));
    let base = env
        .git(
            clone,
            &[
                "merge-base",
                &format!("origin/{source}"),
                &format!("origin/{target}"),
            ],
        )
        .trim()
        .to_string();
    env.git(clone, &["switch", "-q", "--detach", &head]);
    vec![
        ("GITLAB_CI".into(), "true".into()),
        ("CI_PIPELINE_SOURCE".into(), "merge_request_event".into()),
        ("CI_COMMIT_SHA".into(), head),
        ("CI_COMMIT_BEFORE_SHA".into(), "0".repeat(40)),
        ("CI_COMMIT_REF_NAME".into(), source.into()),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME".into(), target.into()),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME".into(), source.into()),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA".into(), base),
    ]
}

fn pairs(vars: &[(String, String)]) -> Vec<(&str, &str)> {
    vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn github_pull_request_bringing_test_commits_into_release_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    contaminated_branch(&repo);
    let clone = ci_clone(&env, "job");
    let vars = github_pull_request(&env, &clone, "feature/stacking", "release");
    let out = ci(&env, &clone, &pairs(&vars), &[]);
    assert_code(&out, 1);
    let stdout = stdout(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    let merge = &vars.iter().find(|(k, _)| k == "GITHUB_SHA").unwrap().1;
    let base = rev(&env, &clone, "origin/release");
    assert_eq!(
        lines[0],
        format!(
            "shipgate: judging the merge of `feature/stacking`: `refs/heads/release` {} -> {}",
            &base[..7],
            &merge[..7]
        )
    );
    let error = lines
        .iter()
        .find(|l| l.starts_with("::error "))
        .expect("an ::error line");
    assert!(
        error.starts_with(
            "::error title=shipgate [F6] release::[F6] release: 2 commit(s) made on `test` \
             would enter `release`"
        ),
        "{error}"
    );
    // One line per annotation: the finding's own lines are joined with %0A.
    assert!(error.contains("%0A    "), "{error}");
    assert!(error.contains("test env: verbose logging"), "{error}");
    assert!(error.contains("%0Ahint: "), "{error}");
    assert_eq!(
        *lines.last().unwrap(),
        "shipgate: `release`: refused (1 finding(s))"
    );
    insta::assert_snapshot!(env.normalize(&stdout));
}

#[test]
fn github_pull_request_of_a_clean_feature_passes() {
    let env = TestEnv::new();
    let repo = service(&env);
    contaminated_branch(&repo);
    let clone = ci_clone(&env, "job");
    let vars = github_pull_request(&env, &clone, "feature/coupon", "release");
    let out = ci(&env, &clone, &pairs(&vars), &[]);
    assert_ok(&out);
    let stdout = stdout(&out);
    assert!(!stdout.contains("::error"), "{stdout}");
    assert!(
        stdout.ends_with("shipgate: `release`: nothing refused\n"),
        "{stdout}"
    );
}

#[test]
fn github_push_moving_master_to_a_non_tag_is_refused() {
    let env = TestEnv::new();
    let repo = service(&env);
    let before = rev(&env, &repo.path, "master");
    repo.git(&["switch", "-q", "master"]);
    write(&repo, "hotfix.txt", "x\n");
    repo.git(&["commit", "-q", "--no-verify", "-m", "sneaky fix on master"]);
    // The server has no hook: the push goes in, and CI is what sees it.
    repo.git(&["push", "-q", "--no-verify", "origin", "master"]);
    let after = rev(&env, &repo.path, "master");
    let clone = ci_clone(&env, "job");
    let vars = github_push(&env, "refs/heads/master", &before, &after);
    let out = ci(&env, &clone, &pairs(&vars), &[]);
    assert_code(&out, 1);
    let stdout = stdout(&out);
    assert!(
        stdout.contains("\n::error title=shipgate [F13] master::[F13] master: "),
        "{stdout}"
    );
    insta::assert_snapshot!(env.normalize(&stdout));

    // The same push judged as text, in Chinese.
    let out = env
        .command(BIN, &clone)
        .args(["ci", "--format", "text"])
        .envs(pairs(&vars))
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_code(&out, 1);
    assert!(
        stdout_of(&out).contains("错误：[F13] master："),
        "{}",
        stdout_of(&out)
    );
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn github_tag_push_with_an_unfinished_plan_points_at_its_lines() {
    let env = TestEnv::new();
    let repo = service(&env);
    // The release: coupon merged, a plan for v1.1.0 rendered but not filled in.
    repo.git(&["switch", "-q", "release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "feature/coupon",
    ]);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v1.1.0"]));
    repo.git(&["add", "docs"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "plan for v1.1.0"]);
    repo.git(&["tag", "v1.1.0"]);
    repo.git(&["push", "-q", "--no-verify", "origin", "release", "v1.1.0"]);
    let clone = ci_clone(&env, "job");
    let tag = rev(&env, &clone, "v1.1.0");
    let vars = github_push(&env, "refs/tags/v1.1.0", &"0".repeat(40), &tag);
    let out = ci(&env, &clone, &pairs(&vars), &[]);
    assert_code(&out, 1);
    let stdout = stdout(&out);
    let annotations: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error file=docs/releases/v1.1.0.md,line="))
        .collect();
    assert!(!annotations.is_empty(), "{stdout}");
    for line in &annotations {
        // `file=…,line=N,title=shipgate [F7] v1.1.0::what`
        let rest = line
            .strip_prefix("::error file=docs/releases/v1.1.0.md,line=")
            .unwrap();
        let (number, rest) = rest.split_once(',').unwrap();
        assert!(number.parse::<usize>().unwrap() > 1, "{line}");
        assert!(rest.starts_with("title=shipgate ["), "{line}");
    }
    insta::assert_snapshot!(env.normalize(&stdout));
}

#[test]
fn gitlab_merge_requests_write_a_code_quality_report() {
    let env = TestEnv::new();
    let repo = service(&env);
    contaminated_branch(&repo);
    let clone = ci_clone(&env, "job");

    // Test-branch code into release: refused, and the report says why.
    let vars = gitlab_merge_request(&env, &clone, "feature/stacking", "release");
    let out = ci(&env, &clone, &pairs(&vars), &[]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("\nerror: [F6] release: 2 commit(s) made on `test` would enter `release`: "),
        "{text}"
    );
    assert!(
        text.contains("shipgate: code-quality report written to `gl-code-quality-report.json`"),
        "{text}"
    );
    let report = clone.join("gl-code-quality-report.json");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    let issues = json.as_array().unwrap();
    assert_eq!(issues.len(), 1, "{json:#}");
    let issue = &issues[0];
    assert_eq!(issue["check_name"], "shipgate/F6");
    assert_eq!(issue["severity"], "blocker");
    assert_eq!(issue["location"]["path"], ".shipgate.toml");
    assert_eq!(issue["location"]["lines"]["begin"], 1);
    let description = issue["description"].as_str().unwrap();
    assert!(
        description.starts_with("[F6] release: 2 commit(s) made on `test` would enter `release`: "),
        "{description}"
    );
    let fingerprint = issue["fingerprint"].as_str().unwrap();
    assert_eq!(fingerprint.len(), 64);
    assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));

    // The same MR judged again gives the same fingerprint (GitLab tracks issues by it).
    let again = ci(&env, &clone, &pairs(&vars), &[]);
    assert_code(&again, 1);
    let json2: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json2[0]["fingerprint"], fingerprint);

    // A clean feature: passes, and the report is empty.
    let vars = gitlab_merge_request(&env, &clone, "feature/coupon", "release");
    let out = ci(&env, &clone, &pairs(&vars), &[]);
    assert_ok(&out);
    assert_eq!(fs::read_to_string(&report).unwrap(), "[]\n");
}

#[test]
fn gitlab_tag_pipeline_judges_the_tag_creation() {
    let env = TestEnv::new();
    let repo = service(&env);
    repo.git(&["switch", "-q", "release"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "feature/coupon",
    ]);
    repo.git(&["push", "-q", "origin", "release"]);
    // v1.0.0 has a finished plan; v9.0.0 has none.
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release 1.0.0"]);
    repo.git(&["tag", "-a", "v9.0.0", "-m", "no plan"]);
    repo.git(&["push", "-q", "--no-verify", "origin", "v1.0.0", "v9.0.0"]);
    let clone = ci_clone(&env, "job");
    let commit = rev(&env, &clone, "origin/release");
    let pipeline = |tag: &str| {
        vec![
            ("GITLAB_CI", "true".to_string()),
            ("CI_PIPELINE_SOURCE", "push".to_string()),
            ("CI_COMMIT_TAG", tag.to_string()),
            ("CI_COMMIT_REF_NAME", tag.to_string()),
            ("CI_COMMIT_SHA", commit.clone()),
            ("CI_COMMIT_BEFORE_SHA", "0".repeat(40)),
        ]
    };
    let run = |tag: &str| {
        env.command(BIN, &clone)
            .args(["ci", "--report", "report.json"])
            .envs(pipeline(tag))
            .output()
            .unwrap()
    };
    let out = run("v1.0.0");
    assert_ok(&out);
    assert!(
        stdout(&out).contains("shipgate: `v1.0.0`: nothing refused"),
        "{}",
        stdout(&out)
    );
    let out = run("v9.0.0");
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("error: [F7] v9.0.0: "),
        "{}",
        stdout(&out)
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(clone.join("report.json")).unwrap()).unwrap();
    assert_eq!(json[0]["check_name"], "shipgate/F7");
}

#[test]
fn outside_ci_it_says_what_it_needs() {
    let env = TestEnv::new();
    let repo = env.repo("plain");
    let out = repo.shipgate(&["ci"]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: no CI that shipgate knows is running here"),
        "{err}"
    );
    for name in [
        "GITHUB_EVENT_PATH",
        "GITHUB_BASE_REF",
        "CI_PIPELINE_SOURCE",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
        "shipgate check-push",
    ] {
        assert!(err.contains(name), "{name}: {err}");
    }
    // A GitHub job without the event file is a malfunction that names the variable.
    let out = ci(
        &env,
        &repo.path,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/master"),
        ],
        &[],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("`GITHUB_EVENT_PATH` is not set"),
        "{}",
        stderr(&out)
    );
    // A scheduled run updates no ref.
    let out = ci(
        &env,
        &repo.path,
        &[("GITLAB_CI", "true"), ("CI_PIPELINE_SOURCE", "schedule")],
        &["--report", "r.json"],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("a `schedule` event updates no ref"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_shallow_checkout_is_a_malfunction_with_the_fix() {
    let env = TestEnv::new();
    let repo = service(&env);
    let before = rev(&env, &repo.path, "master");
    let origin = env.root().join("origin.git");
    let url = format!("file://{}", origin.display());
    let clone = env.root().join("shallow");
    env.git(
        &env.root(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "master",
            &url,
            clone.to_str().unwrap(),
        ],
    );
    let vars = github_push(&env, "refs/heads/master", &before, &before);
    let out = ci(&env, &clone, &pairs(&vars), &[]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("fetch-depth: 0"), "{}", stderr(&out));
}

#[test]
fn the_shipped_ci_integrations_run_shipgate_ci() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = fs::read_to_string(root.join("action.yml")).unwrap();
    assert!(action.contains("\n  using: composite\n"), "{action}");
    // Installed from the action's own checkout, never downloaded from elsewhere.
    assert!(
        action.contains("\"${{ github.action_path }}/install.sh\" --no-repo"),
        "{action}"
    );
    assert!(action.contains("shipgate ci --format"), "{action}");
    assert!(action.contains("fetch-depth: 0"), "{action}");
    let gitlab = fs::read_to_string(root.join("ci/gitlab/shipgate.gitlab-ci.yml")).unwrap();
    assert!(
        gitlab.contains("    - shipgate ci --format gitlab\n"),
        "{gitlab}"
    );
    assert!(
        gitlab.contains(
            "  artifacts:\n    when: always\n    reports:\n      codequality: gl-code-quality-report.json\n"
        ),
        "{gitlab}"
    );
    assert!(gitlab.contains("GIT_DEPTH: \"0\""), "{gitlab}");
    // `install.sh` knows the flag the integrations pass.
    let install = fs::read_to_string(root.join("install.sh")).unwrap();
    assert!(install.contains("--no-repo) hook_repo=no"), "install.sh");
}
