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
    // As in a clone: no objects but the history's (git's own merges left their merged
    // files and virtual bases behind).
    let gc = env
        .command("git", &dir)
        .args(["gc", "--quiet", "--prune=now"])
        .output()
        .unwrap();
    assert_ok(&gc);
    let before = objects(&dir);
    let out = env.shipgate(&dir, &all);
    // A check reads: re-merging (virtual bases, merged files) writes nothing into the
    // repository it checks, which may be a server's or read-only.
    assert_eq!(objects(&dir), before, "{name}: check-master wrote objects");
    (out, dir)
}

/// Every file under the repository's object store.
fn objects(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir.join(".git/objects"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .collect();
    files.sort();
    files
}

fn verdict(env: &TestEnv, name: &str) -> (i32, serde_json::Value) {
    let (out, _) = run(env, name, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}: {}", stderr(&out)));
    (out.status.code().unwrap(), json)
}

/// Every fixture: its verdict, its exit code, and its findings as `SEVERITY:kind[:reason]`.
const FIXTURES: &[(&str, &str, i32, &[&str])] = &[
    // Clean.
    ("textbook", "clean", 0, &[]),
    ("reverted-in-release", "clean", 0, &[]),
    ("revert-after", "clean", 0, &["INFO:changed-later"]),
    ("hotfix-cherry-picked", "clean", 0, &[]),
    // ... and changed again in the release before the tag: taken (same patch id), then
    // superseded there; so is a release change master took under another id and changed.
    (
        "hotfix-picked-superseded",
        "clean",
        0,
        &["INFO:merge-dropped:picked-then-changed"],
    ),
    (
        "tag-change-picked-on-master",
        "lost",
        1,
        &[
            "LOST:hotfix-missing-from-tag",
            "INFO:merge-dropped:picked-then-changed",
        ],
    ),
    (
        "whitespace",
        "clean",
        0,
        &[
            "INFO:hotfix-missing-from-tag",
            "INFO:merge-dropped:whitespace",
        ],
    ),
    ("deleted-one-side", "clean", 0, &[]),
    ("binary-one-side", "clean", 0, &[]),
    ("fast-forward", "clean", 0, &[]),
    ("rebase-ff", "clean", 0, &[]),
    ("squash-correct", "clean", 0, &[]),
    ("changed-later", "clean", 0, &["INFO:changed-later"]),
    (
        "version-conflict",
        "clean",
        0,
        &[
            "INFO:hotfix-missing-from-tag",
            "INFO:merge-dropped:version-line",
        ],
    ),
    (
        "merge-adds-line",
        "clean",
        0,
        &["INFO:merge-dropped:added-by-merge"],
    ),
    // Lost.
    (
        "conflict-dropped-tag-line",
        "lost",
        1,
        &[
            "LOST:hotfix-missing-from-tag",
            "REVIEW:merge-dropped:conflict-decision",
        ],
    ),
    (
        "conflict-wholesale",
        "lost",
        1,
        &[
            "LOST:hotfix-missing-from-tag",
            "REVIEW:merge-dropped:conflict-decision",
            "LOST:merge-dropped:cleanly-merged",
        ],
    ),
    (
        "clean-restored",
        "lost",
        1,
        &["LOST:merge-dropped:cleanly-merged"],
    ),
    (
        "never-merged",
        "not-merged",
        1,
        &["LOST:tag-change-missing"],
    ),
    (
        "qa-fix-after-merge",
        "lost",
        1,
        &["LOST:tag-change-missing"],
    ),
    ("ours", "lost", 1, &["LOST:merge-dropped:cleanly-merged"]),
    (
        "hotfix-missing",
        "lost",
        1,
        &["LOST:hotfix-missing-from-tag"],
    ),
    // ... but not a fix master itself rewrote before the release came in.
    ("hotfix-changed-on-master", "clean", 0, &[]),
    (
        "squash-dropped-hunk",
        "lost",
        1,
        &["LOST:tag-change-missing"],
    ),
    // A later commit on master that silently puts the pre-release lines back.
    ("silent-undo", "review", 1, &["REVIEW:undone-later"]),
    // ... and by a later merge that takes the file from an old branch wholesale.
    ("undone-by-merge", "review", 1, &["REVIEW:undone-later"]),
    (
        "modify-delete",
        "review",
        1,
        &["REVIEW:merge-dropped:modify-delete"],
    ),
    // A pre-release's change rewritten far along the line production took later.
    (
        "prerelease-superseded-far",
        "clean",
        0,
        &["INFO:tag-change-missing:superseded"],
    ),
    // A release commit production cherry-picked with -x, moved in the release since.
    // (The merge's modify/delete decision on the old file stays for a reviewer.)
    (
        "hotfix-picked-x-moved",
        "review",
        1,
        &["REVIEW:merge-dropped:modify-delete"],
    ),
    // Production rolling back its own early copy of the release's change: no hotfix.
    ("hotfix-rolled-back-release-redoes", "clean", 0, &[]),
    // ... unlike a revert of a hotfix the release took from production.
    (
        "hotfix-reverted-after-back-merge",
        "lost",
        1,
        &["LOST:hotfix-missing-from-tag"],
    ),
    // Production's revert, made before the release came in, wins the merge silently.
    (
        "revert-on-master-won",
        "review",
        1,
        &["REVIEW:reverted-on-master", "REVIEW:reverted-on-master"],
    ),
    // A conflict side's line its side never changed: dropped for the other side's change.
    (
        "conflict-base-line",
        "clean",
        0,
        &[
            "INFO:merge-dropped:base-line",
            "INFO:merge-dropped:base-line",
        ],
    ),
    // A file the merge itself added: nothing brought back, nothing lost.
    (
        "merge-adds-own-file",
        "clean",
        0,
        &["INFO:merge-dropped:added-by-merge"],
    ),
    // A heading's underline is no conflict separator.
    (
        "conflict-rst-underline",
        "review",
        1,
        &["REVIEW:merge-dropped:conflict-decision"],
    ),
    // A line that mentions versions in code is no version line.
    (
        "version-word-in-code",
        "review",
        1,
        &["REVIEW:merge-dropped:conflict-decision"],
    ),
    // Control characters without a NUL byte: text to git, merged line by line.
    ("control-chars", "clean", 0, &[]),
    (
        "binary-conflict",
        "lost",
        1,
        &[
            "LOST:hotfix-missing-from-tag",
            "REVIEW:merge-dropped:binary-conflict",
        ],
    ),
    ("octopus", "lost", 1, &["LOST:merge-dropped:cleanly-merged"]),
    // Release cycles of real shapes: the newest release is clean, the older one's loss is
    // its own (see `a_cycle_ends_where_the_previous_release_reached_master`).
    ("cycle-tag-on-merge", "clean", 0, &[]),
    ("cycle-fast-forward", "clean", 0, &[]),
    ("cycle-tagged-after-merge", "clean", 0, &[]),
    // The final release judges its whole line, pre-releases included (see
    // `a_prerelease_cycle_starts_after_the_prerelease_before_it`).
    (
        "cycle-prerelease-line",
        "lost",
        1,
        &["LOST:merge-dropped:cleanly-merged"],
    ),
    // ... and the untagged merges production took since the previous release are judged
    // with the next tagged one.
    (
        "cycle-untagged-merges",
        "lost",
        1,
        &["LOST:merge-dropped:cleanly-merged"],
    ),
    // git's merge semantics: a criss-cross merge is re-merged over a virtual base.
    ("criss-cross", "clean", 0, &[]),
    // ... whose virtual base has conflicts: resolved alike on both sides.
    (
        "criss-cross-virtual-base",
        "clean",
        0,
        &[
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
        ],
    ),
    // ... over three merge bases, the first two conflicting in the virtual base.
    (
        "criss-cross-three-bases",
        "clean",
        0,
        &[
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
        ],
    ),
    // ... and twice over: the virtual base of bases that are criss-cross merges.
    (
        "criss-cross-recursive",
        "clean",
        0,
        &[
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
            "INFO:merge-dropped:edited",
        ],
    ),
    // ... and renames: a file renamed on one side and edited on the other is one file.
    ("rename-edit", "clean", 0, &[]),
    // ... and a renamed file's conflict is judged at its new path, as git merged it.
    (
        "rename-edit-conflict",
        "review",
        1,
        &["REVIEW:merge-dropped:conflict-decision"],
    ),
    // The kind of a difference: an edit is not a loss, a changelog is bookkeeping.
    (
        "edited-in-merge",
        "clean",
        0,
        &["INFO:merge-dropped:edited", "INFO:merge-dropped:edited"],
    ),
    // A merge between development branches is the developer's; one that drops the
    // release line's lines is not.
    (
        "dev-branch-merge",
        "clean",
        0,
        &["INFO:merge-dropped:dev-branches"],
    ),
    (
        "sync-merge-dropped",
        "lost",
        1,
        &["LOST:merge-dropped:cleanly-merged"],
    ),
    // A file another line added, left out of a merge that took the rest of that line,
    // with the same commit's lines in the code using it: a decision to confirm.
    (
        "merge-drops-added-file",
        "review",
        1,
        &[
            "REVIEW:merge-dropped:left-out",
            "REVIEW:merge-dropped:left-out",
        ],
    ),
    // ... but a conflict the developer decided there is theirs, shown in the branch's
    // reviewed merge.
    (
        "sync-merge-conflict",
        "clean",
        0,
        &["INFO:merge-dropped:decided-on-branch"],
    ),
    (
        "sync-merge-modify-delete",
        "clean",
        0,
        &["INFO:merge-dropped:decided-on-branch"],
    ),
    (
        "changelog-conflict",
        "clean",
        0,
        &[
            "INFO:hotfix-missing-from-tag",
            "INFO:merge-dropped:changelog",
        ],
    ),
    // Generated files (`linguist-generated`, `[check_master] generated`) are rebuilt.
    (
        "generated-files",
        "clean",
        0,
        &[
            "INFO:hotfix-missing-from-tag",
            "INFO:merge-dropped:generated",
            "INFO:merge-dropped:generated",
            "INFO:merge-dropped:moved",
        ],
    ),
    // ... named by a subdirectory's `.gitattributes` too.
    (
        "generated-subdir",
        "clean",
        0,
        &["INFO:hotfix-missing-from-tag"],
    ),
    // Minified CSS is built (linguist's rule); a hand-written stylesheet is not.
    (
        "minified",
        "review",
        1,
        &[
            "INFO:merge-dropped:generated",
            "REVIEW:merge-dropped:conflict-decision",
        ],
    ),
    // A deletion the automatic merge keeps and the result undoes is not silence.
    (
        "brought-back-file",
        "review",
        1,
        &["REVIEW:merge-dropped:brought-back"],
    ),
    (
        "brought-back-line",
        "review",
        1,
        &["REVIEW:merge-dropped:brought-back"],
    ),
    // E4: an emergency fix on release that master lacks is reported until merged back
    // (or cherry-picked); the next release's reviewed merges are not.
    (
        "emergency-not-on-master",
        "review",
        1,
        &["REVIEW:release-not-on-master"],
    ),
    ("emergency-merged-back", "clean", 0, &[]),
    // Lines a merge dropped and a later commit of the release put back before the tag.
    (
        "dropped-then-repaired",
        "clean",
        0,
        &["INFO:merge-dropped:repaired-before-tag"],
    ),
    // A fix of an older line merged forward and superseded there by the newer line's own
    // version: INFO naming the forward merge (the newer release's check judges that
    // merge), not LOST.
    (
        "merged-forward-superseded",
        "clean",
        0,
        &["INFO:tag-change-missing:superseded"],
    ),
    // A merge that writes its own version of a file (an adaptation by hand in a sync
    // merge, a file replaced by a library) is a decision to confirm, not a loss.
    (
        "sync-merge-adapted",
        "review",
        1,
        &["REVIEW:merge-dropped:rewritten"],
    ),
    (
        "deleted-in-merge",
        "review",
        1,
        &[
            "INFO:merge-dropped:dev-branches",
            "REVIEW:merge-dropped:deleted-in-merge",
        ],
    ),
];

fn findings(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut s = format!(
                "{}:{}",
                f["severity"].as_str().unwrap(),
                f["kind"].as_str().unwrap()
            );
            if let Some(reason) = f["reason"].as_str() {
                s.push(':');
                s.push_str(reason);
            }
            s
        })
        .collect()
}

#[test]
fn every_fixture_history() {
    let env = TestEnv::new();
    for (name, expected_verdict, expected_code, expected) in FIXTURES {
        let (code, json) = verdict(&env, name);
        assert_eq!(
            json["verdict"].as_str().unwrap(),
            *expected_verdict,
            "{name}: {json:#}"
        );
        assert_eq!(code, *expected_code, "{name}");
        assert_eq!(findings(&json), *expected, "{name}: {json:#}");
        // An id names one finding.
        let ids: std::collections::HashSet<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), expected.len(), "{name}: ids repeat: {json:#}");
    }
}

#[test]
fn a_cycle_ends_where_the_previous_release_reached_master() {
    let env = TestEnv::new();
    for name in [
        "cycle-tag-on-merge",
        "cycle-fast-forward",
        "cycle-tagged-after-merge",
    ] {
        let (out, _) = run(&env, name, &["v1.0.0", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["verdict"], "lost", "{name}: {json:#}");
        assert_eq!(
            findings(&json),
            ["LOST:merge-dropped:cleanly-merged"],
            "{name}: {json:#}"
        );
        let lost = &json["findings"][0];
        assert_eq!(
            lost["files"][0]["lines"],
            serde_json::json!(["    audit();"])
        );
        assert_eq!(lost["commit"]["subject"], "feature: audit", "{name}");
    }
}

#[test]
fn a_prerelease_cycle_starts_after_the_prerelease_before_it() {
    let env = TestEnv::new();
    let (out, dir) = run(
        &env,
        "cycle-prerelease-line",
        &["v1.0.0-rc2", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "clean", "{json:#}");
    assert_eq!(out.status.code(), Some(0));
    // The loss is the first candidate's, merged into master with the same merge.
    let lost_in = |tag: &str| {
        let out = env.shipgate(&dir, &["check-master", tag, "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let kinds = findings(&json);
        assert_eq!(
            kinds,
            ["LOST:merge-dropped:cleanly-merged"],
            "{tag}: {json:#}"
        );
        assert_eq!(json["findings"][0]["commit"]["subject"], "feature: audit");
    };
    lost_in("v1.0.0-rc1");
    // Only a pre-release of the same version bounds: with candidate 1's tag replaced by
    // another version's, candidate 2 judges the whole line.
    for args in [
        &["tag", "v0.9.0-rc1", "v1.0.0-rc1^{}"][..],
        &["tag", "-d", "v1.0.0-rc1"][..],
    ] {
        assert_ok(&env.command("git", &dir).args(args).output().unwrap());
    }
    lost_in("v1.0.0-rc2");
}

#[test]
fn a_dashed_version_bounds_the_next_cycle() {
    let env = TestEnv::new();
    let (out, dir) = run(&env, "cycle-dashed-tags", &["v1-1-0", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "clean", "{json:#}");
    let out = env.shipgate(&dir, &["check-master", "v1-0-0", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&json), ["LOST:merge-dropped:cleanly-merged"]);
}

#[test]
fn a_clean_release_fits_in_five_lines_and_verbose_lists_info() {
    let env = TestEnv::new();
    let (out, dir) = run(&env, "version-conflict", &[]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.lines().count() <= 5, "{text}");
    assert!(
        text.contains("2 INFO finding(s) not shown (`--verbose` lists them)"),
        "{text}"
    );
    assert!(!text.contains("INFO  "), "{text}");
    let out = env.shipgate(&dir, &["check-master", "--verbose"]);
    let text = stdout(&out);
    assert_eq!(text.matches("INFO  ").count(), 2, "{text}");
    assert!(!text.contains("not shown"), "{text}");
}

#[test]
fn fail_on_lost_lets_a_review_pass() {
    let env = TestEnv::new();
    let (out, _) = run(&env, "modify-delete", &["--fail-on", "lost"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("verdict: REVIEW"), "{}", stdout(&out));
}

#[test]
fn dropped_lines_name_side_commit_and_merge() {
    let env = TestEnv::new();
    let (_, json) = verdict(&env, "conflict-wholesale");
    let lost = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["reason"] == "cleanly-merged")
        .unwrap();
    assert_eq!(lost["files"][0]["path"], "app.txt");
    assert_eq!(
        lost["files"][0]["lines"],
        serde_json::json!(["    flush_coupons();"])
    );
    assert_eq!(
        lost["commit"]["subject"], "feature: coupon",
        "the commit that introduced the line"
    );
    assert_eq!(lost["merge"]["subject"], "Merge tag 'v1.0.0'");
    assert!(lost["restore"]
        .as_str()
        .unwrap()
        .contains("git cherry-pick"));
    assert_eq!(lost["id"].as_str().unwrap().len(), 12);
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
        text.contains(
            "\"Merge tag 'v1.0.0'\": lines that merged cleanly are gone from the result; from "
        ),
        "{text}"
    );
    assert!(
        text.contains("\"feature: coupon\" (Li Si, 2026-11-01)"),
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

#[test]
fn a_deletion_brought_back_names_its_lines() {
    let env = TestEnv::new();
    let (_, json) = verdict(&env, "brought-back-line");
    let back = &json["findings"][0];
    assert_eq!(back["files"][0]["path"], "app.txt");
    assert_eq!(
        back["files"][0]["lines"],
        serde_json::json!(["    legacy_init();"])
    );
    assert_eq!(back["files"][0]["binary"], false);
    assert_eq!(
        back["commit"]["subject"], "remove legacy_init",
        "the commit that meant the deletion"
    );
    let (out, dir) = run(&env, "brought-back-file", &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["commit"]["subject"], "remove lib.txt");
    let out = env.shipgate(&dir, &["check-master"]);
    let text = stdout(&out);
    assert!(
        text.contains("lib.txt: 3 line(s) brought back\n           + pub fn start() {\n"),
        "{text}"
    );
}

#[test]
fn a_silent_undo_names_the_commit_that_undid_it() {
    let env = TestEnv::new();
    let (out, dir) = run(&env, "silent-undo", &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let undone = &json["findings"][0];
    assert_eq!(undone["commit"]["subject"], "feature: coupon");
    assert_eq!(
        undone["merge"]["subject"], "sync app.txt from the ops branch",
        "the later commit that undid it"
    );
    assert_eq!(
        undone["files"][0]["lines"],
        serde_json::json!(["    coupons();"])
    );
    // An explicit revert is named too, and stays information.
    let (_, json) = verdict(&env, "revert-after");
    assert!(json["findings"][0]["merge"]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Revert \"feature: coupon\""));
    let out = env.shipgate(&dir, &["check-master"]);
    let text = stdout(&out);
    assert!(
        text.contains("(not a revert) put its lines back to what they were before the release"),
        "{text}"
    );
    assert!(
        text.contains("dropped by ") && text.contains("\"sync app.txt from the ops branch\""),
        "{text}"
    );
}

#[test]
fn a_change_taken_under_another_id_and_changed_since_is_not_lost() {
    let env = TestEnv::new();
    // The hotfix the release cherry-picked and then changed: no loss, the conflict
    // decision names the hotfix as picked and changed on the release's side.
    let (_, json) = verdict(&env, "hotfix-picked-superseded");
    let info = &json["findings"][0];
    assert_eq!(
        info["commit"]["subject"], "hotfix: log the quota",
        "{json:#}"
    );
    assert_eq!(info["files"][0]["lines"][0], "    log(\"start\", quota());");
    // The release change master took through a hotfix branch: only master's own later
    // hotfix, which the tag lacks, is a loss.
    let (_, json) = verdict(&env, "tag-change-picked-on-master");
    assert_eq!(
        json["findings"][0]["commit"]["subject"], "hotfix: log the checked quota",
        "{json:#}"
    );
    assert_eq!(
        json["findings"][1]["commit"]["subject"], "feature: log the quota",
        "{json:#}"
    );
}
