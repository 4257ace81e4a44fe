//! Property tests for the parsers that read untrusted input: plans, the config and
//! git's pre-push input never panic, whatever the bytes; valid pre-push lines read back
//! as written. (The `fuzz/` targets explore the same entry points, coverage-guided.)

use std::ffi::OsString;
use std::path::Path;

use proptest::prelude::*;
use shipgate::hook::{self, HookEvent};

/// Pieces a near-valid plan is made of, and the tricks a hostile one uses.
const PLAN_PIECES: &[&str] = &[
    "---\n",
    "...\n",
    "--- x\n",
    "kind: feature\n",
    "version: v1.0.0\n",
    "status: released\n",
    "status: rolled-back\n",
    "rollback:\n",
    "  at: x\n",
    "  to: v0.9.0\n",
    "  reason: r\n",
    "<<: {status: x}\n",
    "a: &a [1]\n",
    "b: *a\n",
    "approvals: [a, b]\n",
    "[[[[",
    "]]]]",
    "- [ ] x <!-- id: a -->\n",
    "- [x] ",
    "  - ",
    "> ",
    "1. ",
    "* ",
    "<!--id:z-->",
    "\n",
    "（待填写）",
    "`code`",
    "| a | b |\n|---|---|\n",
    "\u{feff}",
    "\r\n",
    "\t",
    "\"",
    "'",
    "#",
];

/// Pieces of a near-valid config.
const CONFIG_PIECES: &[&str] = &[
    "[branches]\n",
    "production = \"master\"\n",
    "release = [\"release\", \"release/*\"]\n",
    "[tags]\n",
    "release = \"v*\"\n",
    "[people]\n",
    "owners = [\"a\"]\n",
    "lang = \"en\"\n",
    "[plans]\n",
    "dir = \"docs/releases\"\n",
    "[[x]]\n",
    "a = [[[[",
    "]]]]",
    "{",
    "}",
    "=",
    "\"",
    "'''",
    "\n",
    "#",
    "x.y.z = 1\n",
    "\u{0}",
];

fn pieces(set: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(set), 0..max).prop_map(|v| v.concat())
}

fn push(input: &[u8]) -> shipgate::error::Result<HookEvent> {
    let args = [OsString::from("origin"), OsString::from("/srv/app.git")];
    hook::parse("pre-push", &args, input)
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9a-f]{40}", "[0-9a-f]{64}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn plan_parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = shipgate::plan::parse(&bytes, Path::new("p.md"));
        let mut framed = b"---\nkind: feature\nversion: v1.0.0\n".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = shipgate::plan::parse(&framed, Path::new("p.md"));
    }

    #[test]
    fn plan_parse_never_panics_on_near_valid_plans(text in pieces(PLAN_PIECES, 64)) {
        let text = format!("---\nkind: feature\nversion: v1.0.0\n{text}");
        if let Ok(plan) = shipgate::plan::parse(text.as_bytes(), Path::new("p.md")) {
            // What parses has its items on lines of the file.
            let lines = text.lines().count() + 1;
            prop_assert!(plan.items.iter().all(|i| i.line >= 1 && i.line <= lines));
        }
    }

    #[test]
    fn config_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048),
                                 text in pieces(CONFIG_PIECES, 64)) {
        let _ = shipgate::config::parse(&bytes, Path::new(".shipgate.toml"));
        let _ = shipgate::config::parse(text.as_bytes(), Path::new(".shipgate.toml"));
    }

    #[test]
    fn pre_push_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = push(&bytes);
    }

    #[test]
    fn valid_pre_push_lines_round_trip(
        lines in prop::collection::vec(
            (prop::option::of("refs/(heads|tags)/[a-z0-9._/-]{1,24}"), id(),
             "refs/(heads|tags)/[a-z0-9._/-]{1,24}", id()),
            0..8,
        )
    ) {
        let mut input = String::new();
        for (local_ref, local, remote_ref, remote) in &lines {
            // A deletion has no local ref, and git sends the zero id for it.
            let local = if local_ref.is_some() { local.clone() } else { "0".repeat(local.len()) };
            let shown = local_ref.as_deref().unwrap_or("(delete)");
            input.push_str(&format!("{shown} {local} {remote_ref} {remote}\n"));
        }
        let HookEvent::PrePush(parsed) = push(input.as_bytes()).unwrap() else {
            panic!("pre-push parses to a push");
        };
        prop_assert_eq!(parsed.updates.len(), lines.len());
        for (update, (local_ref, local, remote_ref, remote)) in parsed.updates.iter().zip(&lines) {
            prop_assert_eq!(&update.local_ref, local_ref);
            if local_ref.is_some() {
                prop_assert_eq!(update.local.as_str(), local.as_str());
            } else {
                prop_assert!(update.local.is_zero());
            }
            prop_assert_eq!(&update.remote_ref, remote_ref);
            prop_assert_eq!(update.remote.as_str(), remote.as_str());
            // And it writes back as git wrote it.
            let written = format!(
                "{} {} {} {}",
                update.local_ref.as_deref().unwrap_or("(delete)"),
                update.local,
                update.remote_ref,
                update.remote
            );
            prop_assert!(input.lines().any(|l| l == written));
        }
    }
}
