//! The reader's language end to end: `--help` in Chinese whether the language comes from
//! `--lang`, the repository's `lang` or the locale, and the default config written with
//! comments in the installer's language.

use std::fs;

use crate::common::*;

/// Lines of a help page with English words in a row outside code (option names, value
/// names and values are single words), or clap's English headings and phrases.
fn english_lines(text: &str) -> Vec<String> {
    let english = |w: &str| {
        w.len() > 1
            && w.chars().all(|c| c.is_ascii_alphabetic())
            && !w.chars().all(|c| c.is_ascii_uppercase())
    };
    text.lines()
        .filter(|line| {
            let prose: String = line
                .split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, p)| p)
                .collect();
            let prose = prose.replace("GitHub Actions", "");
            let usage = prose.starts_with("用法：");
            let phrase = prose
                .split(|c: char| "（）：；、，。".contains(c))
                .any(|part| {
                    let words: Vec<&str> = part.split_whitespace().collect();
                    words.windows(2).any(|w| english(w[0]) && english(w[1]))
                });
            let clap = [
                "Usage",
                "Options",
                "Commands",
                "Arguments",
                "Print",
                "default:",
            ]
            .iter()
            .any(|w| prose.contains(w));
            (phrase && !usage) || clap
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn help_speaks_chinese_from_the_locale_the_flag_and_the_config() {
    let env = TestEnv::new();
    // The locale.
    let out = env
        .command(BIN, &env.root())
        .arg("--help")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        english_lines(&text).is_empty(),
        "{:?}\n{text}",
        english_lines(&text)
    );
    insta::assert_snapshot!("help_zh", text);

    // `--lang`, anywhere on the line, over the locale `C` the tests run with; a
    // subcommand's long help lists the values of its value arguments in Chinese.
    let out = env.shipgate(&env.root(), &["plan", "new", "--help", "--lang", "zh-CN"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        english_lines(&text).is_empty(),
        "{:?}\n{text}",
        english_lines(&text)
    );
    for expected in [
        "用法：shipgate plan new [OPTIONS] --kind <KIND> --version <VERSION>",
        "选项：",
        "可选值：\n          - feature：需求上线：由产品需求推动",
        "要上线的版本，即将要打的发布标签（`v2.3.0`）",
        "打印帮助（用 `-h` 查看摘要）",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in:\n{text}");
    }

    // The repository's `lang`, over the locale.
    let repo = env.repo("app");
    fs::write(repo.path.join(".shipgate.toml"), "lang = \"zh-CN\"\n").unwrap();
    let out = repo.shipgate(&["check-master", "-h"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("检查发布标签合并进 master 时没有丢失任何代码（F14）"),
        "{text}"
    );
    assert!(
        text.contains("--format <FORMAT>    输出格式（可选值：text、json；默认：text）"),
        "{text}"
    );
    assert!(english_lines(&text).is_empty(), "{text}");
    // `--lang en` over the repository's `lang`: clap's English page, as it always was.
    let out = repo.shipgate(&["--lang", "en", "check-master", "-h"]);
    assert!(
        stdout(&out).starts_with("Check that master lost nothing"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("Usage: shipgate check-master"));

    // `help` and a missing subcommand (help on stderr, exit 2) speak it too.
    let out = repo.shipgate(&["help", "emergency", "start"]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("开启一个限时窗口"),
        "{}",
        stdout(&out)
    );
    let out = repo.shipgate(&["emergency"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("命令：\n  start"), "{}", stderr(&out));
    assert!(english_lines(&stderr(&out)).is_empty(), "{}", stderr(&out));
}

/// A command line clap cannot take is refused in the same language, exit 2.
#[test]
fn bad_arguments_are_refused_in_chinese() {
    let env = TestEnv::new();
    let out = env
        .command(BIN, &env.root())
        .args(["plan", "check", "--stage", "later"])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_code(&out, 2);
    insta::assert_snapshot!("bad_stage_zh", stderr(&out));
    let out = env.shipgate(&env.root(), &["plan", "check", "--stage", "later"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("error: invalid value 'later' for '--stage <STAGE>'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn man_pages_in_chinese() {
    let env = TestEnv::new();
    let out = env.shipgate(&env.root(), &["--lang", "zh-CN", "man"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("shipgate \\- 把团队的上线流程落到实处：git 钩子、发布计划和检查"),
        "{text}"
    );
    assert!(!text.contains("Print help"), "{text}");
}

#[test]
fn the_default_config_speaks_the_installers_language() {
    let env = TestEnv::new();
    let out = env.shipgate(&env.root(), &["--lang", "zh-CN", "config", "default"]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("# .shipgate.toml：本服务的上线策略"),
        "{}",
        stdout(&out)
    );

    let zh = env.repo("zh");
    let out = env
        .command(BIN, &zh.path)
        .arg("install")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_ok(&out);
    let written = fs::read_to_string(zh.path.join(".shipgate.toml")).unwrap();
    assert!(
        written.contains("# 生产分支。它只能前进到发布标签指向的提交。"),
        "{written}"
    );
    assert_ok(&zh.shipgate(&["config", "check"]));

    let en = env.repo("en");
    en.install();
    let written = fs::read_to_string(en.path.join(".shipgate.toml")).unwrap();
    assert!(written.contains("# The production branch."), "{written}");
}
