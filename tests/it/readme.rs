//! The README is a user's only manual, so it is held to what the binary does: every
//! `$ shipgate …` example parses with the binary's own command line, every subcommand and
//! option the examples use is run by some test or by the demo, every `#anchor` link lands
//! on a heading, the command table names every option, and the `console` transcripts are
//! what the walk `tests/fixtures/readme/day.toml` prints when it is run here.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser as _};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use shipgate::cli::Cli;

use crate::common::*;

/// Where the README's transcripts say the walk ran, and the binary its hooks ran.
const DAY_ROOT: &str = "/tmp/day";
const DAY_BINARY: &str = "/home/lisi/.cargo/bin/shipgate";
/// A line of a transcript that stands for output left out.
const ELISION: &str = "…";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    fs::read_to_string(manifest_dir().join("README.md")).expect("README.md is readable")
}

/// A fenced code block of the README: its info string, its text, and the line of the
/// README it starts on (for messages).
struct Block {
    info: String,
    text: String,
    line: usize,
}

/// What the README holds that these tests look at.
struct Doc {
    blocks: Vec<Block>,
    /// Every heading's anchor, as GitHub makes them (duplicates numbered).
    anchors: Vec<String>,
    /// Every `#anchor` a link points at, with the line it is on.
    links: Vec<(String, usize)>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

fn parse(text: &str) -> Doc {
    let mut doc = Doc {
        blocks: Vec::new(),
        anchors: Vec::new(),
        links: Vec::new(),
    };
    let mut heading: Option<String> = None;
    let mut block: Option<Block> = None;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let title = heading.take().expect("a heading ends after it starts");
                let base = slug(&title);
                let mut anchor = base.clone();
                let mut n = 0;
                while doc.anchors.contains(&anchor) {
                    n += 1;
                    anchor = format!("{base}-{n}");
                }
                doc.anchors.push(anchor);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                block = Some(Block {
                    info,
                    text: String::new(),
                    line: line_of(text, range.start),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                doc.blocks
                    .push(block.take().expect("a block ends after it starts"));
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(anchor) = dest_url.strip_prefix('#') {
                    doc.links
                        .push((anchor.to_string(), line_of(text, range.start)));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(b) = block.as_mut() {
                    b.text.push_str(&t);
                } else if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    doc
}

/// GitHub's anchor for a heading: lower case, every character that is not a letter,
/// digit, `_`, `-` or space dropped, spaces turned into `-`.
fn slug(title: &str) -> String {
    title
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The examples: lines of code blocks that start with `$ ` (a prompt), without it. Other
/// lines are output, file contents or syntax (`shipgate plan check [V] [--stage S]`).
fn examples(doc: &Doc) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for block in &doc.blocks {
        for (n, line) in block.text.lines().enumerate() {
            if let Some(command) = line.strip_prefix("$ ") {
                found.push((command.to_string(), block.line + 1 + n));
            }
        }
    }
    found
}

/// The `shipgate` invocations of one command line, as words: shell words (quotes and
/// comments as sh reads them), split at pipes and lists, without redirections and
/// leading variable assignments.
fn invocations(command: &str) -> Vec<Vec<String>> {
    let words = shlex::split(command)
        .unwrap_or_else(|| panic!("README example is not valid shell: {command}"));
    let mut found = Vec::new();
    for segment in words.split(|w| matches!(w.as_str(), "|" | "||" | "&&" | ";")) {
        let mut words: Vec<String> = Vec::new();
        let mut skip = false;
        for word in segment {
            if skip {
                skip = false;
            } else if matches!(word.as_str(), ">" | ">>" | "<" | "2>") {
                skip = true;
            } else if !word.starts_with('>') && !word.starts_with("2>") {
                words.push(word.clone());
            }
        }
        let start = words
            .iter()
            .position(|w| !w.contains('=') || w.starts_with('-'))
            .unwrap_or(words.len());
        if words.get(start).is_some_and(|w| w == "shipgate") {
            found.push(words[start..].to_vec());
        }
    }
    found
}

/// The subcommand path an invocation names (`["plan", "check"]`).
fn subcommand_path(words: &[String]) -> Vec<String> {
    let mut command = Cli::command();
    let mut path = Vec::new();
    let mut rest = words[1..].iter();
    while let Some(word) = rest.next() {
        if word == "--lang" {
            rest.next();
            continue;
        }
        let Some(sub) = command.find_subcommand(word).cloned() else {
            break;
        };
        path.push(word.clone());
        command = sub;
    }
    path
}

/// The text of every test and demo script: what "run by a test or by the demo" is
/// looked for in (this file excepted).
fn exercised() -> String {
    let root = manifest_dir();
    let mut text = String::new();
    let mut files = vec![
        root.join("templates/demo.toml"),
        root.join("tests/fixtures/readme/day.toml"),
    ];
    for entry in fs::read_dir(root.join("tests/it")).expect("tests/it is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "readme.rs")
        {
            files.push(path);
        }
    }
    for file in files {
        text.push_str(&fs::read_to_string(&file).expect("a test file is readable"));
        text.push('\n');
    }
    text
}

#[test]
fn every_example_in_the_readme_parses() {
    let doc = parse(&readme());
    let mut count = 0;
    let mut bad = Vec::new();
    for (command, line) in examples(&doc) {
        for words in invocations(&command) {
            count += 1;
            if let Err(err) = Cli::try_parse_from(&words) {
                bad.push(format!("README.md:{line}: `{command}`: {}", err.kind()));
            }
        }
    }
    assert!(count >= 40, "only {count} `$ shipgate` examples found");
    assert!(
        bad.is_empty(),
        "examples that do not parse:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_subcommand_and_option_in_the_readme_is_run_by_a_test_or_the_demo() {
    let doc = parse(&readme());
    let corpus = exercised();
    let mut missing = Vec::new();
    for (command, line) in examples(&doc) {
        for words in invocations(&command) {
            let path = subcommand_path(&words);
            assert!(
                !path.is_empty(),
                "README.md:{line}: `{command}` names no subcommand"
            );
            let quoted = path
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let run = [
                format!("[{quoted}"),
                format!("\"shipgate\", {quoted}"),
                format!("\"en\", {quoted}"),
                format!("\"zh-CN\", {quoted}"),
            ]
            .iter()
            .any(|p| corpus.contains(p.as_str()));
            if !run {
                missing.push(format!("README.md:{line}: `shipgate {}`", path.join(" ")));
            }
            for word in &words {
                let Some(option) = word.strip_prefix("--").map(|o| o.split('=').next()) else {
                    continue;
                };
                let option = option.unwrap_or_default();
                if !corpus.contains(&format!("\"--{option}\""))
                    && !corpus.contains(&format!("\"--{option}="))
                {
                    missing.push(format!("README.md:{line}: `--{option}` in `{command}`"));
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "used in the README, run by no test and not by the demo:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_link_to_a_heading_lands_on_one() {
    let doc = parse(&readme());
    assert!(doc
        .anchors
        .contains(&"a-day-with-shipgate-release-v230".to_string()));
    let broken: Vec<String> = doc
        .links
        .iter()
        .filter(|(anchor, _)| !doc.anchors.contains(anchor))
        .map(|(anchor, line)| format!("README.md:{line}: #{anchor}"))
        .collect();
    assert!(!doc.links.is_empty());
    assert!(
        broken.is_empty(),
        "links to headings that do not exist:\n{}",
        broken.join("\n")
    );
}

/// Every visible subcommand, as its path from the top.
fn leaf_commands(
    command: &clap::Command,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, clap::Command)>,
) {
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        path.push(sub.get_name().to_string());
        if sub.has_subcommands() {
            leaf_commands(sub, path, out);
        } else {
            out.push((path.clone(), sub.clone()));
        }
        path.pop();
    }
}

#[test]
fn the_command_table_names_every_command_and_option() {
    let text = readme();
    let mut leaves = Vec::new();
    // Built: a subcommand's arguments are defined when it is built (`cli::Lazy`).
    let mut command = Cli::command();
    command.build();
    leaf_commands(&command, &mut Vec::new(), &mut leaves);
    assert!(leaves.len() >= 25, "{} subcommands", leaves.len());
    let mut missing = Vec::new();
    for (path, command) in leaves {
        let head = format!("| `shipgate {}", path.join(" "));
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.strip_prefix(&head)
                    .is_some_and(|rest| rest.starts_with([' ', '`', '\\']))
            })
            .collect();
        if rows.is_empty() {
            missing.push(format!("no row for `shipgate {}`", path.join(" ")));
            continue;
        }
        let synopsis: String = rows
            .iter()
            .map(|r| r.split(" | ").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ");
        for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
            let Some(long) = arg.get_long() else { continue };
            if matches!(long, "help" | "version" | "lang") {
                continue;
            }
            if !synopsis.contains(&format!("--{long}")) {
                missing.push(format!("`shipgate {}`: `--{long}`", path.join(" ")));
            }
            if !arg.get_action().takes_values() {
                continue;
            }
            for value in arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
            {
                if !synopsis.contains(value.get_name()) {
                    missing.push(format!(
                        "`shipgate {} --{long}`: value `{}`",
                        path.join(" "),
                        value.get_name()
                    ));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the README's command table lacks:\n{}",
        missing.join("\n")
    );
}

/// One command of a transcript and the lines of output shown under it.
#[derive(Debug)]
struct Shown {
    command: String,
    output: Vec<String>,
    line: usize,
}

/// The README's `console` blocks, as commands and their output.
fn transcripts(doc: &Doc) -> Vec<Shown> {
    let mut shown: Vec<Shown> = Vec::new();
    for block in doc.blocks.iter().filter(|b| b.info == "console") {
        for (n, line) in block.text.lines().enumerate() {
            if let Some(command) = line.strip_prefix("$ ") {
                shown.push(Shown {
                    command: command.to_string(),
                    output: Vec::new(),
                    line: block.line + 1 + n,
                });
            } else {
                let last = shown.last_mut().unwrap_or_else(|| {
                    panic!(
                        "README.md:{}: a console block starts with output",
                        block.line
                    )
                });
                last.output.push(line.to_string());
            }
        }
    }
    shown
}

/// What the demo printed, as commands and their output: a command line is the person's
/// prompt (`  李四 order-api (test)$ git ...`), its output the lines indented under it.
fn demo_transcript(text: &str) -> Vec<Shown> {
    let mut ran: Vec<Shown> = Vec::new();
    let mut open = false;
    for (n, line) in text.lines().enumerate() {
        if let Some(output) = line.strip_prefix("      ") {
            if open {
                if let Some(last) = ran.last_mut() {
                    last.output.push(output.to_string());
                }
            }
        } else if let Some(prompt) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            match prompt.split_once("$ ") {
                Some((_, command)) => {
                    ran.push(Shown {
                        command: command.to_string(),
                        output: Vec::new(),
                        line: n + 1,
                    });
                    open = true;
                }
                None => open = false,
            }
        } else if !line.is_empty() {
            open = false;
        }
    }
    ran
}

/// Whether `shown` (with `…` for lines left out) is what `printed` was: the shown runs
/// of lines appear in order, each contiguous, the first at the start and the last at
/// the end unless a `…` stands there.
fn output_matches(shown: &[String], printed: &[String]) -> Result<(), String> {
    if shown.is_empty() {
        return if printed.is_empty() {
            Ok(())
        } else {
            Err("output is printed: show it, or `…` for it".to_string())
        };
    }
    let runs: Vec<&[String]> = shown.split(|l| l.trim() == ELISION).collect();
    let last = runs.len() - 1;
    let mut at = 0;
    for (i, run) in runs.iter().enumerate() {
        if run.is_empty() {
            continue;
        }
        if printed.len() < at + run.len() {
            return Err(format!("these lines are not printed:\n{}", run.join("\n")));
        }
        let found = (at..=printed.len() - run.len())
            .filter(|&start| i != 0 || start == 0)
            .filter(|&start| i != last || start + run.len() == printed.len())
            .find(|&start| printed[start..].starts_with(run));
        match found {
            Some(start) => at = start + run.len(),
            None => {
                return Err(format!(
                    "these lines are not printed{}:\n{}",
                    match (i == 0, i == last) {
                        (true, true) => ", or not all of it",
                        (true, false) => " first",
                        (false, true) => " last",
                        (false, false) => "",
                    },
                    run.join("\n")
                ))
            }
        }
    }
    Ok(())
}

#[test]
fn the_readme_transcripts_are_what_the_walk_prints() {
    let env = TestEnv::new();
    let day = env.root().join("day");
    let script = manifest_dir().join("tests/fixtures/readme/day.toml");
    let out = env.shipgate(
        &env.root(),
        &[
            "demo",
            "--lang",
            "en",
            "--script",
            script.to_str().unwrap(),
            "--keep",
            day.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    let mut printed = stdout(&out);
    for binary in [PathBuf::from(BIN), Path::new(BIN).canonicalize().unwrap()] {
        printed = printed.replace(&binary.display().to_string(), DAY_BINARY);
    }
    let printed = printed.replace(&day.display().to_string(), DAY_ROOT);
    let ran = demo_transcript(&printed);
    assert!(ran.len() > 50, "{} commands in:\n{printed}", ran.len());

    let shown = transcripts(&parse(&readme()));
    assert!(shown.len() > 40, "{} commands shown", shown.len());
    let mut next = 0;
    for step in &shown {
        let Some(i) = ran[next..].iter().position(|r| r.command == step.command) else {
            panic!(
                "README.md:{}: `{}` is not run by the walk (after its command {}), or not in this order",
                step.line, step.command, next
            );
        };
        let done = &ran[next + i];
        if let Err(why) = output_matches(&step.output, &done.output) {
            panic!(
                "README.md:{}: `{}`: {why}\n--- printed (walk output line {}):\n{}",
                step.line,
                step.command,
                done.line,
                done.output.join("\n")
            );
        }
        next += i + 1;
    }
}

#[test]
fn the_transcript_matcher_is_strict() {
    let printed: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
    let check = |shown: &[&str]| {
        let shown: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
        output_matches(&shown, &printed).is_ok()
    };
    assert!(check(&["a", "b", "c", "d"]));
    assert!(check(&["a", ELISION, "d"]));
    assert!(check(&[ELISION, "c", ELISION]));
    assert!(check(&[ELISION]));
    assert!(
        !check(&["b", "c", "d"]),
        "the first line shown is the first printed"
    );
    assert!(
        !check(&["a", "b"]),
        "the last line shown is the last printed"
    );
    assert!(
        !check(&["a", "c", ELISION]),
        "lines shown together are printed together"
    );
    assert!(!check(&[ELISION, "c", "b", ELISION]), "in order");
    assert!(!check(&[ELISION, "x", ELISION]), "only what was printed");
    assert!(
        output_matches(&[], &printed).is_err(),
        "output left out is shown as `…`"
    );
    assert!(output_matches(&[], &[]).is_ok());
    let repeated: Vec<String> = ["x", "d", "y", "d"].map(String::from).to_vec();
    let shown: Vec<String> = [ELISION, "d"].map(String::from).to_vec();
    assert!(
        output_matches(&shown, &repeated).is_ok(),
        "the last run is matched at the end"
    );
}

#[test]
fn the_configuration_table_names_every_key_of_the_default_file() {
    let text = readme();
    let default = fs::read_to_string(manifest_dir().join("templates/shipgate.toml"))
        .expect("the default config is readable");
    let table: toml::Table = default.parse().expect("the default config parses");
    // The keys the default file leaves commented out, as it shows them.
    let mut keys = vec!["lang".to_string(), "notify".to_string()];
    for (section, value) in &table {
        let inner = value
            .as_table()
            .expect("every key of the default file is in a table");
        keys.extend(inner.keys().map(|key| format!("{section}.{key}")));
    }
    assert!(keys.len() >= 12, "{keys:?}");
    for robot_key in ["robot", "url", "url_env", "secret_env"] {
        assert!(
            default.contains(&format!("#   {robot_key} ")),
            "the default file documents `{robot_key}`"
        );
        keys.push(robot_key.to_string());
    }
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| !text.contains(&format!("\n| `{key}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "keys of `.shipgate.toml` without a row in the README: {missing:?}"
    );
}
