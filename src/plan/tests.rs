//! Every template, in both languages, renders to a plan that `check` refuses while
//! empty and accepts once filled in; hostile documents fail cleanly.

use std::path::Path;

use super::render::{self, Data};
use super::*;
use crate::config::Config;
use crate::i18n::Lang;

fn config() -> Config {
    let mut config = Config::default();
    config.people.owners = vec!["zhangsan".into()];
    config.people.tech_leads = vec!["lisi".into()];
    config.people.qa = vec!["wangwu".into()];
    config
}

fn data() -> Data {
    Data {
        version: "v2.3.0".into(),
        service: "order-api".into(),
        date: "2026-11-26".into(),
        owner: "zhangsan".into(),
        tech_lead: "lisi".into(),
        qa: "wangwu".into(),
        rollback_to: "v2.2.4".into(),
        incident: "INC-4711".into(),
        reason: "支付回调超时".into(),
        changes: vec![render::Change {
            id: "abc1234".into(),
            subject: "Merge branch 'feature/coupon' into release".into(),
        }],
    }
}

fn rendered(kind: Kind, lang: Lang) -> String {
    let name = render::file_name(kind, lang);
    render::render(&name, render::built_in(&name).unwrap(), &data()).unwrap()
}

/// What an author does: fill every placeholder, tick every box, record approvals and
/// the minutes observed.
fn fill(text: &str) -> String {
    text.replace("（待填写）", "已填写")
        .replace("(to fill in)", "done")
        .replace("- [ ]", "- [x]")
        .replace("approvals: []", "approvals: [zhangsan, lisi]")
        .replace("observed_minutes: 0", "observed_minutes: 7")
}

fn plan(text: &str) -> Plan {
    parse(text.as_bytes(), Path::new("docs/releases/v2.3.0.md")).unwrap()
}

fn findings(text: &str, stage: Stage) -> Vec<PlanFinding> {
    let config = config();
    let tags = vec!["v2.2.4".to_string()];
    check(
        &plan(text),
        &Context {
            config: &config,
            tags: &tags,
        },
        stage,
    )
}

#[test]
fn every_template_refuses_empty_and_accepts_filled() {
    for kind in Kind::ALL {
        for lang in [Lang::ZhCn, Lang::En] {
            let text = rendered(kind, lang);
            let empty = findings(&text, Stage::Done);
            assert!(
                !empty.is_empty(),
                "{kind:?} {lang:?}: an empty plan must not pass"
            );
            let missing: Vec<_> = empty
                .iter()
                .filter(|f| matches!(f.message, Msg::PlanItemMissing { .. }))
                .collect();
            assert!(
                missing.is_empty(),
                "{kind:?} {lang:?}: template lacks items: {missing:?}"
            );
            let filled = fill(&text);
            assert_eq!(
                findings(&filled, Stage::Done),
                vec![],
                "{kind:?} {lang:?} filled in"
            );
        }
    }
}

#[test]
fn stages_ask_only_for_what_is_due() {
    let text = rendered(Kind::Feature, Lang::En);
    // Fill only the test-submission part.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // The client snapshot package table is the first table row still to fill in.
    let mut first_row = true;
    for line in lines.iter_mut() {
        if line.contains("id: submit-") || line.contains("id: client-snapshot") {
            *line = fill(line);
        }
        if first_row && line.starts_with("| (to fill in)") {
            *line = "| none | | | | | | |".to_string();
            first_row = false;
        }
        if line.starts_with("swimlane:") || line.starts_with("approvals:") {
            *line = fill(&line.replace("(to fill in)", "lane-7"));
        }
    }
    let text = lines.join("\n");
    assert_eq!(findings(&text, Stage::SubmitTest), vec![]);
    let at_tag = findings(&text, Stage::Tag);
    let ids: Vec<_> = at_tag.iter().filter_map(|f| f.item.as_deref()).collect();
    assert!(ids.contains(&"qa-verified-st"), "{ids:?}");
    assert!(ids.contains(&"release-pr-approved"), "{ids:?}");
    assert!(!ids.contains(&"announce-done"), "{ids:?}");
}

#[test]
fn approvals_need_an_owner_and_a_tech_lead() {
    let text = fill(&rendered(Kind::Optimization, Lang::ZhCn));
    let one = text.replace(
        "approvals: [zhangsan, lisi]",
        "approvals: [zhangsan, zhangsan]",
    );
    let messages: Vec<_> = findings(&one, Stage::Release)
        .into_iter()
        .map(|f| f.message)
        .collect();
    assert!(messages.contains(&Msg::PlanApprovalsCount { count: "1".into() }));
    assert!(messages
        .iter()
        .any(|m| matches!(m, Msg::PlanApprovalsNoTechLead { .. })));
}

#[test]
fn rollback_target_must_be_an_older_tag() {
    let text = fill(&rendered(Kind::Bugfix, Lang::En));
    let wrong = text.replace("rollback_to: \"v2.2.4\"", "rollback_to: \"v9.0.0\"");
    let f = findings(&wrong, Stage::Release);
    assert!(f.iter().any(|f| f.rule == "F16"), "{f:?}");
}

#[test]
fn bugfix_declaring_a_change_is_refused() {
    let text = fill(&rendered(Kind::Bugfix, Lang::ZhCn));
    let changed = text.replace("middleware_change: false", "middleware_change: true");
    let f = findings(&changed, Stage::SubmitTest);
    assert_eq!(f.iter().filter(|f| f.rule == "B3").count(), 1, "{f:?}");
}

#[test]
fn observation_needs_five_minutes() {
    let text = fill(&rendered(Kind::Feature, Lang::ZhCn))
        .replace("observed_minutes: 7", "observed_minutes: 3");
    let f = findings(&text, Stage::Done);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule, "F19");
    assert!(findings(&text, Stage::Tag).is_empty());
}

#[test]
fn version_must_match_file_and_be_a_version() {
    let text = fill(&rendered(Kind::Feature, Lang::En));
    let config = config();
    let tags = vec!["v2.2.4".to_string()];
    let ctx = Context {
        config: &config,
        tags: &tags,
    };
    let other = parse(text.as_bytes(), Path::new("docs/releases/v2.4.0.md")).unwrap();
    assert!(check(&other, &ctx, Stage::Done)
        .iter()
        .any(|f| matches!(f.message, Msg::PlanVersionFile { .. })));
    let bad = text.replace("version: \"v2.3.0\"", "version: \"soon\"");
    assert!(findings(&bad, Stage::Done)
        .iter()
        .any(|f| matches!(f.message, Msg::PlanVersionInvalid { .. })));
}

#[test]
fn items_carry_lines() {
    let text = rendered(Kind::Feature, Lang::ZhCn);
    let p = plan(&text);
    let item = p.item("qa-verified-st").unwrap();
    assert!(text
        .lines()
        .nth(item.line - 1)
        .unwrap()
        .contains("id: qa-verified-st"));
    assert!(!item.checked);
}

fn error(bytes: &[u8]) -> String {
    parse(bytes, Path::new("p.md"))
        .unwrap_err()
        .render(Lang::En)
}

#[test]
fn hostile_documents_fail_cleanly() {
    // An alias bomb: a billion laughs in nine lines.
    let mut bomb = String::from("---\nkind: feature\nversion: v1.0.0\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .into_iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "{}: &{} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n",
            name,
            name,
            p = prev
        ));
    }
    bomb.push_str("---\n");
    let err = error(bomb.as_bytes());
    assert!(err.starts_with("p.md:"), "{err}");

    let big = vec![b'x'; 50 * 1024 * 1024];
    assert!(error(&big).contains("a plan may be at most"));
    assert!(error(b"---\nkind: feature\nversion: \xff\n---\n")
        .starts_with("p.md:3: the file is not valid UTF-8"));
    assert!(
        error(b"---\n- a\n- b\n---\n").contains("front matter"),
        "{}",
        error(b"---\n- a\n- b\n---\n")
    );
    assert!(error(b"---\nkind: hotfix\nversion: v1.0.0\n---\n").contains("hotfix"));
    assert!(error(b"---\nkind: feature\nversion: v1.0.0\n").contains("never closed"));
    assert!(error(b"# no front matter\n").contains("starts with a `---` line"));
    assert!(error(b"---\nkind: feature\nversion: v1.0.0\nvrsion: x\n---\n").contains("vrsion"));
}

const HEAD: &str = "---\nkind: feature\nversion: v1.0.0\n";

fn message(bytes: &[u8]) -> Msg {
    *parse(bytes, Path::new("p.md")).unwrap_err().message
}

#[test]
fn a_document_end_marker_cannot_hide_a_record() {
    // `...` ends the YAML document: what follows it would be read by nobody.
    let text = format!("{HEAD}status: released\n...\nstatus: rolled-back\nrollback: {{at: x, to: v0.9.0, reason: r}}\n---\n# body\n");
    assert_eq!(
        message(text.as_bytes()),
        Msg::PlanYamlDocumentMarker {
            path: "p.md".into(),
            line: "5".into(),
            marker: "...".into(),
        }
    );
    // With a comment after it, and `---` with more on its line (a second document).
    let text = format!("{HEAD}... # end\nstatus: rolled-back\n---\n");
    assert!(
        matches!(message(text.as_bytes()), Msg::PlanYamlDocumentMarker { line, .. } if line == "4")
    );
    let text = format!("{HEAD}--- !second\nstatus: rolled-back\n---\n");
    assert!(
        matches!(message(text.as_bytes()), Msg::PlanYamlDocumentMarker { marker, .. } if marker == "---")
    );
    // `...` in a value, or indented in a block scalar, is just text.
    let text = format!("{HEAD}reason: |\n  ...\n  wait\n---\n");
    assert_eq!(plan_at(&text).meta.reason.as_deref(), Some("...\nwait\n"));
}

fn plan_at(text: &str) -> Plan {
    parse(text.as_bytes(), Path::new("p.md")).unwrap()
}

#[test]
fn a_field_written_twice_is_refused_with_its_line() {
    let text = format!("{HEAD}status: rolled-back\nowner: a\nstatus: released\n---\n");
    assert_eq!(
        message(text.as_bytes()),
        Msg::PlanYamlDuplicateKey {
            path: "p.md".into(),
            line: "6".into(),
            key: "status".into(),
        }
    );
    // Spelled differently, the key is still the same key.
    let text = format!("{HEAD}status: rolled-back\n\"status\": released\n---\n");
    assert!(
        matches!(message(text.as_bytes()), Msg::PlanYamlDuplicateKey { line, .. } if line == "5")
    );
    let text = format!("{HEAD}? status\n: rolled-back\nstatus: released\n---\n");
    assert!(matches!(
        message(text.as_bytes()),
        Msg::PlanYamlDuplicateKey { .. }
    ));
    // Two rollback blocks: the second would hide the first.
    let block = "rollback:\n  at: \"2026-11-01\"\n  to: v0.9.0\n  reason: broke\n";
    let text = format!("{HEAD}{block}{block}---\n");
    assert!(
        matches!(message(text.as_bytes()), Msg::PlanYamlDuplicateKey { key, line, .. } if key == "rollback" && line == "8")
    );
    // And inside a block.
    let text = format!("{HEAD}rollback:\n  at: x\n  to: v0.9.0\n  reason: r\n  confirmed_by: a\n  confirmed_by: b\n---\n");
    assert!(
        matches!(message(text.as_bytes()), Msg::PlanYamlDuplicateKey { key, .. } if key == "confirmed_by")
    );
}

#[test]
fn merge_keys_anchors_and_aliases_are_refused() {
    let text = format!("{HEAD}<<: {{status: released}}\n---\n");
    assert_eq!(
        message(text.as_bytes()),
        Msg::PlanYamlMergeKey {
            path: "p.md".into(),
            line: "4".into(),
        }
    );
    let text = format!("{HEAD}owner: &o zhangsan\ntech_lead: *o\n---\n");
    assert!(matches!(message(text.as_bytes()), Msg::PlanYamlAlias { line, .. } if line == "4"));
    let text = format!("{HEAD}tech_lead: *o\n---\n");
    assert!(matches!(
        message(text.as_bytes()),
        Msg::PlanYamlAlias { .. }
    ));
    // The shadowing trick: a merged mapping whose fields the document then overrides.
    let text = format!(
        "{HEAD}rollback: &r\n  at: x\n  to: v0.9.0\n  reason: r\n<<: {{rollback: *r}}\n---\n"
    );
    assert!(matches!(
        message(text.as_bytes()),
        Msg::PlanYamlAlias { .. } | Msg::PlanYamlMergeKey { .. }
    ));
}

#[test]
fn deep_front_matter_is_refused_not_recursed() {
    // Far deeper than any stack: flow and block nesting.
    let depth = 200_000;
    let text = format!(
        "{HEAD}reason: {}{}\n---\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    // Typed fields stop at the first level that cannot be a plan's value; the parser's
    // depth budget stops the rest. Either way: an error on the line, no recursion.
    for field in ["reason", "approvals", "rollback"] {
        let text = text.replace("reason:", &format!("{field}:"));
        let m = message(text.as_bytes());
        assert!(
            matches!(&m, Msg::PlanYamlTooDeep { line, .. } | Msg::PlanInvalid { line, .. } if line == "4"),
            "{m:?}"
        );
    }
    let mut text = String::from(HEAD);
    for level in 0..2_000 {
        text.push_str(&" ".repeat(level));
        text.push_str("a:\n");
    }
    text.push_str("---\n");
    let m = message(text.as_bytes());
    assert!(
        matches!(m, Msg::PlanYamlTooDeep { .. } | Msg::PlanInvalid { .. }),
        "{m:?}"
    );
}

#[test]
fn deep_lists_and_quotes_are_refused_with_the_line() {
    let head = format!("{HEAD}---\n# title\n\n");
    for body in [
        "- ".repeat(300_000),
        "> ".repeat(300_000),
        (0..1_000)
            .map(|d| format!("{}- [ ] x <!-- id: a{d} -->\n", "  ".repeat(d)))
            .collect(),
        "1. ".repeat(200_000),
    ] {
        let text = format!("{head}{body}x\n");
        let m = message(text.as_bytes());
        assert!(
            matches!(&m, Msg::PlanNestedTooDeep { line, limit, .. } if line.parse::<usize>().unwrap() >= 7 && limit == "32"),
            "{m:?}"
        );
    }
    // Nesting a plan needs still parses.
    let text = format!("{head}- [x] a <!-- id: a -->\n  - [ ] b <!-- id: b -->\n    > quoted\n");
    let p = plan_at(&text);
    assert_eq!(p.items.len(), 2);
    assert_eq!(p.item("b").unwrap().line, 8);
}

#[test]
fn forty_thousand_items_parse_in_one_pass() {
    let mut text = format!("{HEAD}---\n");
    for n in 0..40_000 {
        text.push_str(&format!("* [x] <!--id:i{n}-->\n"));
    }
    assert!(text.len() < MAX_PLAN_BYTES);
    let p = plan_at(&text);
    assert_eq!(p.items.len(), 40_000);
    assert_eq!(p.items[0].line, 5);
    assert_eq!(p.items[39_999].line, 40_004);
    assert_eq!(p.item("i39999").unwrap().line, 40_004);
    // All with one id: every repeat is a finding, found without comparing all pairs.
    let config = config();
    let same = plan_at(&text.replace("<!--id:i", "<!--id:z-->"));
    let found = check(
        &same,
        &Context {
            config: &config,
            tags: &[],
        },
        Stage::SubmitTest,
    );
    let repeats = found
        .iter()
        .filter(|f| matches!(f.message, Msg::PlanDuplicateItem { .. }))
        .count();
    assert_eq!(repeats, 39_999);
}

/// The register tables of a rendered plan, by id: (columns, rows).
fn tables(text: &str) -> Vec<(String, usize, usize)> {
    plan(text)
        .tables
        .iter()
        .map(|t| (t.id.clone(), t.columns.len(), t.rows.len()))
        .collect()
}

#[test]
fn register_tables_are_found_by_their_mark_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        assert_eq!(
            tables(&rendered(Kind::Feature, lang)),
            vec![
                ("client-snapshot-packages".to_string(), 7, 1),
                ("middleware-changes".to_string(), 3, 1),
                ("mcc-changes".to_string(), 4, 1),
                ("client-release-packages".to_string(), 7, 1),
            ],
            "{lang:?}"
        );
        assert_eq!(
            tables(&rendered(Kind::Optimization, lang))
                .into_iter()
                .map(|t| t.0)
                .collect::<Vec<_>>(),
            ["middleware-changes", "mcc-changes"]
        );
        assert!(tables(&rendered(Kind::Bugfix, lang)).is_empty());
    }
}

/// The optimisation plan, filled, with its middleware table's row replaced by `row`
/// (and more rows after it).
fn with_middleware_rows(rows: &[&str]) -> String {
    let text = fill(&rendered(Kind::Optimization, Lang::En));
    let filled_row = "| done | done | done |";
    assert!(text.contains(filled_row));
    text.replacen(filled_row, &rows.join("\n"), 1)
}

fn table_messages(text: &str, stage: Stage) -> Vec<Msg> {
    findings(text, stage)
        .into_iter()
        .filter(|f| f.item.as_deref() == Some("middleware-changes"))
        .map(|f| f.message)
        .collect()
}

#[test]
fn register_tables_refuse_template_cells_and_take_none() {
    let id = || "middleware-changes".to_string();
    // Filled rows, and the explicit `none` / `无` (other cells empty or `-`), pass.
    for rows in [
        &["| MySQL | add index `idx_order` | `DROP INDEX idx_order` |"][..],
        &["| none | | |"],
        &["| 无 | | |"],
        &["| None. | - | - |"],
        &[
            "| Redis | new key | `DEL k` |",
            "| ES | mapping | reindex |",
        ],
    ] {
        assert_eq!(
            table_messages(&with_middleware_rows(rows), Stage::Tag),
            vec![],
            "{rows:?}"
        );
    }
    // Not yet due at `release`.
    let template = with_middleware_rows(&["| (to fill in) | (to fill in) | (to fill in) |"]);
    assert_eq!(table_messages(&template, Stage::Release), vec![]);
    for (rows, expected) in [
        (
            &["| (to fill in) | (to fill in) | (to fill in) |"][..],
            Msg::PlanTableCells {
                id: id(),
                columns: crate::messages::list(["Type (DB/ES/Redis)", "Change", "Rollback script"]),
            },
        ),
        (
            &["| MySQL |  | TBD |"],
            Msg::PlanTableCells {
                id: id(),
                columns: crate::messages::list(["Change", "Rollback script"]),
            },
        ),
        (
            &["| （待填写） | x | y |"],
            Msg::PlanTableCells {
                id: id(),
                columns: "Type (DB/ES/Redis)".into(),
            },
        ),
        (
            &["| none | (to fill in) | (to fill in) |"],
            Msg::PlanTableNoneCells { id: id() },
        ),
        (
            &["| none | | |", "| MySQL | add index | drop index |"],
            Msg::PlanTableNoneMixed { id: id() },
        ),
    ] {
        assert_eq!(
            table_messages(&with_middleware_rows(rows), Stage::Tag),
            vec![expected],
            "{rows:?}"
        );
    }
    // No rows at all, and no table at all.
    let text = fill(&rendered(Kind::Optimization, Lang::En));
    let headless = text.replacen("| done | done | done |\n", "", 1);
    assert_eq!(
        table_messages(&headless, Stage::Tag),
        vec![Msg::PlanTableEmpty { id: id() }]
    );
    let unmarked = text.replace(" <!-- table: middleware-changes -->", "");
    assert_eq!(
        table_messages(&unmarked, Stage::Tag),
        vec![Msg::PlanTableMissing {
            id: id(),
            kind: "optimization".into()
        }]
    );
}

#[test]
fn rollback_targets_and_the_next_version() {
    let tags: Vec<String> = ["v1.0.0", "v1.1.0", "v1.2.0"].map(String::from).to_vec();
    let emergency = plan(&fill(&rendered(Kind::Emergency, Lang::En)).replace("v2.3.0", "v1.1.1"));
    let mut rolled = plan(&fill(&rendered(Kind::Feature, Lang::En)).replace("v2.3.0", "v1.2.0"));
    rolled.meta.status = Some("rolled-back".into());
    let targets = check::rollback_targets(&tags, &[emergency, rolled], &["v1.0.0".into()]);
    assert_eq!(targets, ["v1.1.0", "v1.1.1"]);
    assert_eq!(
        check::previous_release(&targets, "v1.3.0").as_deref(),
        Some("v1.1.1")
    );
    let any = |_: &str| true;
    assert_eq!(check::next_version(&tags, &any), "v1.2.1");
    assert_eq!(check::next_version(&[], &any), "v1.0.0");
    let bare = |t: &str| !t.starts_with('v');
    assert_eq!(check::next_version(&[], &bare), "1.0.0");
    assert_eq!(check::next_version(&["2.0.3".into()], &any), "2.0.4");
    // A feature release bumps the minor version; a fix the patch.
    assert_eq!(
        check::next_version_for(Kind::Feature, &tags, &any),
        "v1.3.0"
    );
    assert_eq!(check::next_version_for(Kind::Bugfix, &tags, &any), "v1.2.1");
    assert_eq!(check::next_version_for(Kind::Feature, &[], &any), "v1.0.0");
}
