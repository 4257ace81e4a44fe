use clap::CommandFactory;

use super::*;

/// Every command of the English tree (clap's own `help` left out), with its path.
fn commands() -> Vec<(String, Command)> {
    fn walk(cmd: &Command, path: String, out: &mut Vec<(String, Command)>) {
        out.push((path.clone(), cmd.clone()));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, cmd.get_name().to_string(), &mut out);
    out
}

/// The arguments shipgate defines (not clap's `--help` and `--version`).
fn own_args(cmd: &Command) -> Vec<&Arg> {
    cmd.get_arguments()
        .filter(|a| {
            !matches!(
                a.get_action(),
                clap::ArgAction::Help | clap::ArgAction::Version
            )
        })
        .collect()
}

#[test]
fn the_catalog_parses() {
    assert!(catalog().command.len() > 20);
}

/// A new command or argument cannot be added without its Chinese help.
#[test]
fn every_command_and_argument_has_chinese_help() {
    let catalog = catalog();
    let mut missing = Vec::new();
    for (path, cmd) in commands() {
        let Some(entry) = catalog.command.get(&path) else {
            missing.push(path);
            continue;
        };
        assert!(!entry.about.is_empty(), "{path}");
        for arg in own_args(&cmd) {
            let id = arg.get_id().as_str();
            let described = entry.args.contains_key(id)
                || (arg.is_global_set() && catalog.command["shipgate"].args.contains_key(id));
            if !described {
                missing.push(format!("{path}: argument `{id}`"));
            }
            let explained = arg
                .get_possible_values()
                .into_iter()
                .filter(|v| v.get_help().is_some());
            for value in explained {
                if !catalog
                    .values
                    .get(id)
                    .is_some_and(|v| v.contains_key(value.get_name()))
                {
                    missing.push(format!("{path}: value `{}` of `{id}`", value.get_name()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "src/help/zh-CN.toml has no Chinese help for:\n{}",
        missing.join("\n")
    );
}

/// What the catalog names exists: a renamed command or argument leaves no dead entry.
#[test]
fn the_catalog_describes_only_what_exists() {
    let commands = commands();
    for (path, entry) in &catalog().command {
        let Some((_, cmd)) = commands.iter().find(|(p, _)| p == path) else {
            panic!("src/help/zh-CN.toml describes `{path}`, which is not a command");
        };
        for id in entry.args.keys() {
            assert!(
                own_args(cmd).iter().any(|a| a.get_id() == id.as_str()),
                "src/help/zh-CN.toml describes argument `{id}` of `{path}`, which it does not have"
            );
        }
    }
}

/// English words in a row, outside code: a sentence a Chinese reader should not meet.
/// Option names, value names (`<PATH>`, `[OPTIONS]`), values and code in backticks are
/// allowed; so is the program's own command path in the usage line.
fn english_phrase(text: &str, path: &str) -> Option<String> {
    let mut prose = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 0 {
            prose.push_str(part);
        }
    }
    // The program's own command path (in the usage line) and names of products.
    let prose = prose.replace(path, "").replace("GitHub Actions", "");
    let english = |w: &str| {
        w.len() > 1
            && w.chars().all(|c| c.is_ascii_alphabetic())
            && !w.chars().all(|c| c.is_ascii_uppercase())
    };
    for line in prose.lines() {
        // The usage line: the command's path, its options and value names.
        if line.starts_with("用法：") {
            continue;
        }
        // Words in a row: separated by spaces only, not by Chinese punctuation (a list
        // of values, `text、json`, is not a phrase).
        for part in line.split(|c: char| "（）：；、，。".contains(c)) {
            let words: Vec<&str> = part.split_whitespace().collect();
            if words.windows(2).any(|w| english(w[0]) && english(w[1])) {
                return Some(line.to_string());
            }
        }
        for clap_word in [
            "Usage",
            "Options",
            "Commands",
            "Arguments",
            "Print",
            "default:",
            "possible values",
        ] {
            if line.contains(clap_word) {
                return Some(line.to_string());
            }
        }
    }
    None
}

#[test]
fn english_phrases_are_found() {
    assert!(english_phrase("  -h, --help  Print help", "shipgate").is_some());
    assert!(english_phrase(
        "用法：shipgate plan new [OPTIONS] --kind <KIND>",
        "shipgate plan new"
    )
    .is_none());
    assert!(english_phrase(
        "      --format <FORMAT>  输出格式（可选值：text、json；默认：text）",
        "x"
    )
    .is_none());
    assert!(english_phrase("把 `git tag --list` 的结果", "x").is_none());
    assert!(english_phrase("The repository", "x").is_some());
}

/// Every page, short (`-h`) and long (`--help`), in Chinese: nothing but option names,
/// value names, values and code is English.
#[test]
fn every_help_page_is_chinese() {
    let mut zh = command(Lang::ZhCn);
    let mut pages = Vec::new();
    fn walk(cmd: &mut Command, path: String, pages: &mut Vec<(String, String)>) {
        pages.push((path.clone(), cmd.render_help().to_string()));
        pages.push((path.clone(), cmd.render_long_help().to_string()));
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            let sub = cmd.find_subcommand_mut(&name).expect("listed just now");
            walk(sub, format!("{path} {name}"), pages);
        }
    }
    walk(&mut zh, "shipgate".into(), &mut pages);
    assert!(pages.len() > 50);
    for (path, page) in pages {
        let page = headings(&page, Lang::ZhCn);
        assert!(page.contains("用法："), "{path}:\n{page}");
        if let Some(line) = english_phrase(&page, &path) {
            panic!("`{path} --help` has English in it:\n{line}\n\n{page}");
        }
    }
}

#[test]
fn headings_keep_their_styling() {
    let styled = "\x1b[1m\x1b[4mUsage:\x1b[0m shipgate\n\n\x1b[1mOptions:\x1b[0m\n  -h\n";
    assert_eq!(
        headings(styled, Lang::ZhCn),
        "\x1b[1m\x1b[4m用法：\x1b[0mshipgate\n\n\x1b[1m选项：\x1b[0m\n  -h\n"
    );
    assert_eq!(headings(styled, Lang::En), styled);
}

#[test]
fn lang_on_the_command_line() {
    let args = |words: &[&str]| -> Vec<OsString> { words.iter().map(OsString::from).collect() };
    assert_eq!(requested_lang(&args(&["shipgate", "--help"])), None);
    assert_eq!(
        requested_lang(&args(&["shipgate", "--lang", "zh-CN", "plan", "--help"])),
        Some(Lang::ZhCn)
    );
    assert_eq!(
        requested_lang(&args(&["shipgate", "plan", "new", "--lang=zh", "-h"])),
        Some(Lang::ZhCn)
    );
    assert_eq!(
        requested_lang(&args(&["shipgate", "--lang", "en", "--help"])),
        Some(Lang::En)
    );
    assert_eq!(
        requested_lang(&args(&["shipgate", "hook", "--", "--lang", "zh-CN"])),
        None
    );
}

/// The localised tree parses exactly as the English one does.
#[test]
fn the_chinese_tree_is_the_same_command_line() {
    command(Lang::ZhCn).debug_assert();
    let words = [
        "shipgate", "plan", "check", "v1.2.0", "--stage", "tag", "--format", "json",
    ];
    let en = Cli::command().try_get_matches_from(words).unwrap();
    let zh = command(Lang::ZhCn).try_get_matches_from(words).unwrap();
    let stage = |m: &clap::ArgMatches| {
        let (_, plan) = m.subcommand().unwrap();
        let (_, check) = plan.subcommand().unwrap();
        check.get_one::<crate::plan::Stage>("stage").copied()
    };
    assert_eq!(stage(&en), stage(&zh));
}

/// A command line clap refuses is refused in Chinese: the facts clap found, the
/// suggestions it computed, the usage, where to read more.
#[test]
fn refused_command_lines_are_chinese() {
    errors::check(&catalog().clap.errors).unwrap();
    for (words, expected) in [
        (&["instal"][..], "错误：没有子命令 `instal`"),
        (&["plan", "check", "--stage", "nope"], "错误：`nope` 不是 `--stage <STAGE>` 的有效值\n  可选值：`submit-test`、"),
        (&["plan", "check", "--stage"], "错误：`--stage <STAGE>` 需要一个值，但没有提供"),
        (&["plan", "new"], "错误：缺少以下必需的参数：\n  --kind <KIND>\n  --version <VERSION>\n\n用法：shipgate plan new"),
        (&["check-master", "--fromat", "json"], "错误：无法识别的参数 `--fromat`\n\n  提示：有相似的参数 `--format`"),
        (&["announce", "start", "--version", "v1", "--send", "--record"], "错误：`--send` 不能与 `--record` 同时使用"),
        (&["rollback", "--reason", "x", "--reason", "y", "--version", "v1"], "错误：`--reason <REASON>` 只能使用一次"),
        (&["explain", "F1", "F2"], "错误："),
    ] {
        let line: Vec<&str> = std::iter::once("shipgate").chain(words.iter().copied()).collect();
        let err = Cli::command().try_get_matches_from(&line).unwrap_err();
        let text = errors::chinese(&err).unwrap();
        assert!(text.starts_with(expected), "{line:?}:\n{text}");
        assert!(text.ends_with("更多信息请运行 `--help`\n"), "{text}");
        if let Some(english) = english_phrase(&text, "shipgate") {
            panic!("{line:?} is refused with English in it:\n{english}\n\n{text}");
        }
    }
    let version = Cli::command()
        .try_get_matches_from(["shipgate", "--version"])
        .unwrap_err();
    assert_eq!(errors::chinese(&version), None);
}
