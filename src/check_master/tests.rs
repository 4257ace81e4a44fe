//! Unit tests of check-master's pure steps.

#[test]
fn provenance_is_by_alignment_not_by_line_sets() {
    let base = "fn a() {\n}\n";
    let ours = "fn a() {\n}\nfn b() {\n}\n";
    let merged = ["fn a() {", "}", "fn b() {", "}"];
    // The second `}` is ours (it closes `fn b`), though `}` is in the base too.
    assert_eq!(
        super::judge::provenance(Some(base), Some(ours), &merged),
        [false, false, true, true]
    );
    assert_eq!(
        super::judge::provenance(Some(base), None, &merged),
        [false; 4]
    );
}

#[test]
fn alignment_past_the_cap_still_finds_every_lost_line() {
    use super::judge::{align, MAX_ALIGNED_LINES};
    // Every line rewritten, a few lines lost: far past the cap.
    let n = MAX_ALIGNED_LINES * 5;
    let old: Vec<String> = (0..n).map(|i| format!("line {i}")).collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let mut new: Vec<&str> = old.iter().rev().copied().collect();
    new.retain(|l| *l != "line 7" && *l != "line 12345");
    let pairs = align(&old, &new);
    let mut kept = vec![false; old.len()];
    for (o, n) in &pairs {
        assert_eq!(old[*o], new[*n]);
        kept[*o] = true;
    }
    let lost: Vec<&str> = (0..old.len())
        .filter(|&i| !kept[i])
        .map(|i| old[i])
        .collect();
    assert_eq!(lost, ["line 7", "line 12345"]);
    // Past the cap, a repeated line loses only the copies that are gone.
    let mut old = vec!["x"; MAX_ALIGNED_LINES];
    old.extend(["}", "a", "}", "b", "}"]);
    let mut new = vec!["y"; MAX_ALIGNED_LINES];
    new.extend(["b", "}", "a", "}"]);
    let mut pairs = align(&old, &new);
    pairs.sort();
    let kept: Vec<&str> = pairs.iter().map(|(o, _)| old[*o]).collect();
    // Three `}` in, two out: one copy is unpaired.
    assert_eq!(kept, ["}", "a", "b", "}"]);
    // Small inputs align exactly, common ends included.
    assert_eq!(
        align(&["a", "b", "c", "d"], &["a", "x", "c", "d"]),
        [(0, 0), (2, 2), (3, 3)]
    );
}

#[test]
fn regions_follow_conflict_markers() {
    let n = crate::git::CONFLICT_MARKER_SIZE;
    let (open, sep, close) = ("<".repeat(n), "=".repeat(n), ">".repeat(n));
    let auto = format!("a\n{open} ours\nb\n{sep}\nc\n{close} theirs\nd\n");
    let got = super::judge::regions(&auto);
    use super::judge::Region::*;
    assert_eq!(
        got,
        [("a", Clean), ("b", Ours), ("c", Theirs), ("d", Clean)]
    );
    // A heading's underline, git's own marker length, or longer: lines of the file.
    let auto = format!("{open}\nInstall\n=======\n=========\n{sep}\n{close}\n");
    assert_eq!(
        super::judge::regions(&auto),
        [("Install", Ours), ("=======", Ours), ("=========", Ours)]
    );
}

#[test]
fn generated_paths_follow_gitattributes_and_config_globs() {
    let attributes = "# build output\n\
        *.gen.go linguist-generated\n\
        /api/*.pb.go linguist-generated=true\n\
        vendor/** linguist-generated\n\
        vendor/keep.go -linguist-generated\n\
        *.txt text\n";
    let g = super::classify::Generated::parse(&[("", attributes)], &["dist/**", "*.min.js"]);
    for path in [
        "a.gen.go",
        "deep/dir/b.gen.go",
        "api/x.pb.go",
        "vendor/lib/c.go",
        "dist/app.js",
        "web/static/app.min.js",
    ] {
        assert!(g.matches(path), "{path}");
    }
    for path in [
        "api/sub/x.pb.go",
        "src/api/x.pb.go",
        "vendor/keep.go",
        "notes.txt",
        "src/dist/app.js",
        "app.js",
    ] {
        assert!(!g.matches(path), "{path}");
    }
    assert!(!super::classify::Generated::parse(&[], &[]).matches("a.gen.go"));
    // Lock files are generated unless the repository says otherwise.
    let g = super::classify::Generated::parse(&[], &[]);
    assert!(g.matches("composer.lock") && g.matches("web/yarn.lock"));
    let g = super::classify::Generated::parse(&[("", "yarn.lock -linguist-generated\n")], &[]);
    assert!(!g.matches("yarn.lock") && g.matches("Cargo.lock"));
    // A subdirectory's `.gitattributes` speaks of the paths below it, relative to it, and
    // decides over the root's.
    let g = super::classify::Generated::parse(
        &[
            ("", "*.pb.go linguist-generated\n"),
            (
                "api",
                "v1/*.go linguist-generated\nkeep.pb.go -linguist-generated\n",
            ),
        ],
        &[],
    );
    assert!(g.matches("api/v1/x.go") && g.matches("api/a.pb.go") && g.matches("b.pb.go"));
    assert!(!g.matches("api/keep.pb.go") && !g.matches("v1/x.go") && !g.matches("web/v1/x.go"));
}

#[test]
fn a_revert_names_the_release() {
    let ours = crate::oid::ObjectId::parse(&"ab12".repeat(10)).unwrap();
    let release: std::collections::HashSet<&crate::oid::ObjectId> = [&ours].into();
    let revert = |m: &str| super::later::explicit_revert(m, &release);
    assert!(revert(&format!(
        "Revert \"feature: coupon\"\n\nThis reverts commit {ours}.\n"
    )));
    assert!(revert("tidy\n\nThis reverts commit ab12ab12.\n"));
    assert!(revert("Revert \"feature: coupon\"\n"));
    let other = "cd34".repeat(10);
    assert!(!revert(&format!(
        "Revert \"x\"\n\nThis reverts commit {other}.\n"
    )));
    assert!(!revert("sync app.txt from the ops branch\n"));
    assert!(!revert("Reverting to the old coupons\n"));
}

#[test]
fn ids_are_stable() {
    assert_eq!(
        super::attribution::stable_id("TagChangeMissing:abc:src/a.rs"),
        super::attribution::stable_id("TagChangeMissing:abc:src/a.rs")
    );
    assert_eq!(super::attribution::stable_id(""), "cbf29ce48422");
}

#[test]
fn release_versions_dotted_dashed_or_underscored() {
    use super::cycle::release_version as v;
    assert_eq!(v("v1.2.3"), Some(vec![1, 2, 3]));
    assert_eq!(v("release-2.0.1-rc1"), Some(vec![2, 0, 1]));
    assert_eq!(v("1.0.0-rc1"), Some(vec![1, 0, 0]));
    assert_eq!(v("2.0rc3"), Some(vec![2, 0]));
    // Numbers joined by dashes or underscores, where no dot follows the first.
    assert_eq!(v("oc-android-1-3-12"), Some(vec![1, 3, 12]));
    assert_eq!(v("REL_1_2"), Some(vec![1, 2]));
    // One number is no version; nor is a long prefix before it.
    assert_eq!(v("v2"), None);
    assert_eq!(v("1-rc1"), None);
    assert_eq!(v("oc-JB-workaround-2"), None);
    assert_eq!(v("build"), None);
}

#[test]
fn prereleases_by_name() {
    use super::cycle::is_prerelease as pre;
    for name in [
        "v3.0.0a7",
        "v3.0.0b1",
        "1.3.2rc1",
        "1.4.0-beta.1",
        "2.0-RC",
        "5.0.0.M2",
        "1.0-SNAPSHOT",
        "release-2.0.1-rc1",
        "v6.0-alpha",
        "2.0rc3",
    ] {
        assert!(pre(name), "{name}");
    }
    // A date-named release's letter is a patch; a word that names no stage is no
    // pre-release; nor is a name without a version.
    for name in [
        "v3.0.0",
        "2024-01a",
        "2022-12b",
        "1.2.3-hotfix",
        "oc-android-1-3-12",
        "1.0.0-final",
        "v1.2-1",
        "beta",
        "v2",
    ] {
        assert!(!pre(name), "{name}");
    }
}

proptest::proptest! {
    /// Telling a rewrite by the characters two lines share first gives the diff's answer.
    #[test]
    fn similar_line_answers_as_the_character_diff(
        old in "[a-d ()é]{0,40}",
        new in "[a-d ()é]{0,40}",
    ) {
        let by_diff = !old.is_empty()
            && !new.is_empty()
            && similar::TextDiff::from_chars(old.as_str(), new.as_str()).ratio() >= 0.6;
        proptest::prop_assert_eq!(super::judge::similar_line(&old, &new), by_diff);
    }
}

#[test]
fn a_version_line_sets_a_version() {
    use super::classify::is_version_line;
    for line in [
        "version = \"1.4.2\"",
        "    versionName \"2.0\"",
        "__version__ = '1.2.3'",
        "VERSION=1.2",
        "        versionCode 42",
        "const APP_VERSION = '2.0.1-rc1';",
    ] {
        assert!(is_version_line(line), "{line}");
    }
    for line in [
        "if !is_supported_version() { return; }",
        "widgetToAdd = new GitflowUnsupportedVersionWidget(myProject);",
        "let v = 1.5; // no name",
        "    log(\"start\");",
    ] {
        assert!(!is_version_line(line), "{line}");
    }
}

#[test]
fn changelogs_by_name() {
    use super::classify::is_changelog;
    for path in [
        "CHANGELOG.md",
        "docs/changelog.rst",
        "docs/changelog-0.x.rst",
        "CHANGES_2.0.md",
        "NEWS",
        "HISTORY.txt",
        "VERSION",
    ] {
        assert!(is_changelog(path), "{path}");
    }
    for path in [
        "src/news-feed.js",
        "history-panel.tsx",
        "changes_view.py",
        "app.txt",
    ] {
        assert!(!is_changelog(path), "{path}");
    }
}
