//! Issue 13 point 8: the details shipgate writes itself (a config value it refuses, a
//! plan it cannot read, a duration it cannot take, a robot's refusal) are said in the
//! reader's language, Chinese sentences around any outside words (quoted “…”), and the
//! English pages hold no Chinese; completions describe in the reader's language; a
//! Chinese `--help` is wrapped at the terminal's width counting CJK as two columns.

use std::fs;

use crate::common::*;

/// Names and abbreviations that stay as they are in Chinese text.
const NAMES: &[&str] = &[
    "shipgate", "git", "HTTP", "TLS", "URL", "TOML", "UTF", "webhook", "feishu", "dingtalk",
    "wecom", "slack", "https", "http", "OPTIONS", "VERSION", "KIND", "PATH", "LANG",
];

/// `line` without what stands between `open` and `close`.
fn outside(line: &str, open: char, close: char) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in line.chars() {
        if !inside && c == open {
            inside = true;
        } else if inside && c == close {
            inside = false;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// The prose of a line: code (`…`), outside words (“…”) and quoted values ("…") taken
/// out.
fn prose(line: &str) -> String {
    outside(&outside(&outside(line, '`', '`'), '“', '”'), '"', '"')
}

/// English words (three letters or more) in the prose of `text`, apart from names, and
/// from paths, ids, versions and locations (words with `/`, `.`, `:`, `_`, digits, ...).
pub fn english_words(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let prose = prose(line);
        let tokens = prose.split(|c: char| !c.is_ascii_graphic());
        for token in tokens {
            if token
                .chars()
                .any(|c| "/.:_=@<>[]{}#$".contains(c) || c.is_ascii_digit())
            {
                continue;
            }
            let word = token.trim_matches(|c: char| !c.is_ascii_alphabetic());
            if word.len() >= 3
                && word.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
                && !NAMES.contains(&word)
            {
                found.push(format!("{word} in {line}"));
            }
        }
    }
    found
}

/// Chinese characters in the prose of `text`.
fn chinese(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            prose(line)
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "，。：；（）、".contains(c))
        })
        .map(str::to_string)
        .collect()
}

/// What `shipgate --lang <lang> <args>` says, both streams, after checking the exit code.
fn said(repo: &TestRepo, lang: &str, args: &[&str], code: i32) -> String {
    let mut all = vec!["--lang", lang];
    all.extend_from_slice(args);
    let out = repo.shipgate(&all);
    assert_code(&out, code);
    format!("{}{}", stdout(&out), stderr(&out))
}

/// Says `args` in both languages: Chinese with no English of shipgate's own and
/// containing `zh`, English with no Chinese and containing `en`.
fn both(repo: &TestRepo, args: &[&str], code: i32, zh: &str, en: &str) {
    let text = said(repo, "zh-CN", args, code);
    assert!(text.contains("错误："), "{text}");
    assert!(text.contains(zh), "{zh}\nnot in:\n{text}");
    let words = english_words(&text);
    assert!(words.is_empty(), "{words:#?}\n{text}");
    let text = said(repo, "en", args, code);
    assert!(text.contains("error: "), "{text}");
    assert!(text.contains(en), "{en}\nnot in:\n{text}");
    assert!(chinese(&text).is_empty(), "{:#?}", chinese(&text));
}

#[test]
fn the_check_itself_finds_english_and_chinese() {
    assert_eq!(
        english_words("错误：a.toml:1:2: 分支或标签的模式不能为空").len(),
        0
    );
    assert_eq!(
        english_words("错误：`x` 不是有效的时长（“not a duration”）").len(),
        0
    );
    assert_eq!(
        english_words("错误：a.toml:1:2: 分支 cannot be empty").len(),
        2
    );
    assert_eq!(chinese("error: `分支` “不”").len(), 0);
    assert_eq!(chinese("error: 分支").len(), 1);
}

#[test]
fn config_details_are_said_in_the_readers_language() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    for (config, zh, en) in [
        (
            "[branches]\nrelease = [\"release\", \"\"]\n",
            "分支或标签的模式不能为空",
            "a branch or tag pattern cannot be empty",
        ),
        (
            "[branches]\nprotectd = [\"x\"]\n",
            "未知字段 `protectd`，可用的字段：`production`、`release`、`test`",
            "unknown field `protectd`, expected one of `production`, `release`, `test`",
        ),
        (
            "[emergency]\nwindow = \"25h\"\n",
            "`25h` 超过 24 小时",
            "`25h` is longer than 24 hours",
        ),
        (
            "[emergency]\nwindow = \"forever\"\n",
            "`forever` 不是有效的时长（“",
            "`forever` is not a duration (",
        ),
        (
            "[tags]\nrelease = \"refs/tags/v*\"\n",
            "请写短名称（`v*`），而不是完整的引用",
            "write the short name (`v*`), not the full ref",
        ),
        (
            "[plans]\ndir = \"../elsewhere\"\n",
            "必须是仓库内的目录",
            "must be a directory inside the repository",
        ),
        (
            "[check_master]\ngenerated = [\"dist/[\"]\n",
            "`dist/[` 不是有效的通配符模式（“",
            "`dist/[` is not a glob pattern (",
        ),
        (
            "[[notify]]\nrobot = \"wecom\"\nurl = \"http://chat.example.com/hook/k\"\n",
            "wecom 群机器人：http://chat.example.com/hook/… 的 webhook 地址必须使用 https",
            "wecom robot: the webhook URL for http://chat.example.com/hook/… must use https",
        ),
        (
            "[[notify]]\nrobot = \"feishu\"\n",
            "必须给出 `url`（webhook 地址）或 `url_env`",
            "`url` (the webhook address) or `url_env` (the variable holding it) is required",
        ),
        (
            "[[notify]]\nrobot = \"slack\"\nurl = \"https://hooks.slack.com/x\"\nsecret_env = \"S\"\n",
            "slack 群机器人不签名：请删除 `secret_env`",
            "slack robots are not signed: remove `secret_env`",
        ),
        (
            "[[notify]]\nrobot = \"teams\"\nurl = \"https://x\"\n",
            "`teams` 不是可用的值，可用的值：`feishu`、`dingtalk`、`wecom`、`slack`",
            "unknown variant `teams`",
        ),
        (
            "[[notify]]\nrobot = \"feishu\"\nurl_env = \"A-B\"\n",
            "`url_env` 须为环境变量名",
            "`url_env` names an environment variable",
        ),
        (
            "[people]\nowners = \"zhangsan\"\n",
            "类型不对：这里是字符串 \"zhangsan\"，应为数组",
            "invalid type: a string \"zhangsan\", expected a sequence",
        ),
        ("lang = 5\n", "类型不对：应为字符串或表", "expected a string or a table"),
        ("[branches\n", "解析器报告：“unclosed table", "unclosed table"),
    ] {
        fs::write(repo.path.join(".shipgate.toml"), config).unwrap();
        both(&repo, &["config", "check"], 2, zh, en);
    }
    fs::write(repo.path.join(".shipgate.toml"), b"lang = \"en\"\n# \xff\n").unwrap();
    both(
        &repo,
        &["config", "check"],
        2,
        "文件不是有效的 UTF-8 编码",
        "the file is not valid UTF-8",
    );
}

#[test]
fn plan_and_emergency_details_are_said_in_the_readers_language() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let dir = repo.path.join("docs/releases");
    fs::create_dir_all(&dir).unwrap();
    for (plan, zh, en) in [
        (
            "no front matter\n",
            "发布计划须以一行 `---` 开始",
            "a plan starts with a `---` line",
        ),
        (
            "---\nkind: feature\n",
            "第 1 行打开的文件头没有以一行 `---` 结束",
            "never closed by a `---` line",
        ),
        (
            "---\nkind: feature\nversion: v1.0.0\nfrob: 1\n---\n# x\n",
            "文件头：未知字段 `frob`，可用的字段：`kind`、`version`",
            "front matter: unknown field `frob`, expected one of `kind`, `version`",
        ),
        (
            "---\nkind: featur\nversion: v1.0.0\n---\n",
            "文件头：`featur` 不是可用的值，可用的值：`feature`、`optimization`",
            "front matter: unknown variant `featur`",
        ),
        (
            "---\nversion: v1.0.0\n---\n",
            "文件头：缺少字段 `kind`",
            "front matter: missing field `kind`",
        ),
        (
            "---\nkind: feature\nversion: [1]\n---\n",
            "文件头：类型不对：应为字符串",
            "front matter: expected a string",
        ),
    ] {
        fs::write(dir.join("v1.0.0.md"), plan).unwrap();
        both(&repo, &["plan", "check", "v1.0.0"], 2, zh, en);
    }
    let start = ["emergency", "start", "--reason", "x", "--for"];
    let forever: Vec<&str> = start.iter().copied().chain(["forever"]).collect();
    both(
        &repo,
        &forever,
        2,
        "紧急窗口的时长不能是 `forever`：`forever` 不是有效的时长（“",
        "the emergency window cannot last `forever`: `forever` is not a duration (",
    );
    let zero: Vec<&str> = start.iter().copied().chain(["0m"]).collect();
    both(
        &repo,
        &zero,
        2,
        "`0m` 必须大于零",
        "`0m` must be longer than zero",
    );
}

/// What the completion script gets for the words after `shipgate` in `shell`.
fn complete(repo: &TestRepo, shell: &str, words: &[&str], lang: &str) -> String {
    let mut cmd = repo.env.command(BIN, &repo.path);
    cmd.env("SHIPGATE_COMPLETE", shell)
        .env("LANG", lang)
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .arg("--")
        .args(words);
    let out = cmd.output().unwrap();
    assert_ok(&out);
    stdout(&out)
}

#[test]
fn completions_describe_in_the_readers_language() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    let fish = complete(&repo, "fish", &["shipgate", "pl"], "zh_CN.UTF-8");
    assert_eq!(fish, "plan\t生成和检查发布计划\n");
    let fish = complete(&repo, "fish", &["shipgate", "pl"], "C");
    assert_eq!(fish, "plan\tWrite and check release-plan documents\n");
    // `--lang` on the line being completed wins over the locale.
    let fish = complete(
        &repo,
        "fish",
        &["shipgate", "--lang", "en", "pl"],
        "zh_CN.UTF-8",
    );
    assert_eq!(fish, "plan\tWrite and check release-plan documents\n");
    let zsh = complete(
        &repo,
        "zsh",
        &["shipgate", "plan", "new", "--di"],
        "zh_CN.UTF-8",
    );
    assert!(zsh.contains("--diff:发布计划已存在时，不拒绝"), "{zsh}");
    // The repository's `lang` too, as for `--help`.
    fs::write(repo.path.join(".shipgate.toml"), "lang = \"zh-CN\"\n").unwrap();
    let zsh = complete(&repo, "zsh", &["shipgate", "plan", "new", "--di"], "C");
    assert!(zsh.contains("--diff:发布计划已存在时，不拒绝"), "{zsh}");
    assert!(
        english_words(&zsh.replace(['-', ':'], " ")).len() <= 1,
        "{zsh}"
    );
}

/// Display width: CJK characters and full-width punctuation take two columns.
fn width(line: &str) -> usize {
    line.chars()
        .map(|c| {
            let wide = ('\u{1100}'..='\u{115f}').contains(&c)
                || ('\u{2e80}'..='\u{a4cf}').contains(&c)
                || ('\u{ac00}'..='\u{d7a3}').contains(&c)
                || ('\u{f900}'..='\u{faff}').contains(&c)
                || ('\u{fe30}'..='\u{fe4f}').contains(&c)
                || ('\u{ff00}'..='\u{ff60}').contains(&c)
                || ('\u{ffe0}'..='\u{ffe6}').contains(&c);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn chinese_help_wraps_at_the_terminal_width() {
    let env = TestEnv::new();
    let page = |columns: Option<&str>, args: &[&str]| {
        let mut cmd = env.command(BIN, &env.root());
        cmd.args(args).env("LANG", "zh_CN.UTF-8");
        if let Some(columns) = columns {
            cmd.env("COLUMNS", columns);
        }
        let out = cmd.output().unwrap();
        assert_ok(&out);
        stdout(&out)
    };
    for (columns, limit) in [(None, 100), (Some("60"), 60), (Some("300"), 100)] {
        for args in [&["--help"][..], &["plan", "new", "--help"], &["-h"]] {
            let text = page(columns, args);
            let wide: Vec<&str> = text.lines().filter(|l| width(l) > limit).collect();
            assert!(wide.is_empty(), "{columns:?} {args:?}: {wide:#?}\n{text}");
        }
    }
    let text = page(Some("60"), &["plan", "new", "--help"]);
    // Broken between Chinese characters, the continuation under the text it continues;
    // a code span is never cut, no line starts with closing punctuation.
    assert!(
        text.contains(
            "          提示信息的语言（可选值：en、zh-CN；默认：配置中的\n          `lang`，"
        ),
        "{text}"
    );
    for line in text.lines() {
        assert_eq!(
            line.matches('`').count() % 2,
            0,
            "a code span is cut: {line}"
        );
        let start = line.trim_start();
        assert!(!start.starts_with(['，', '。', '：', '）', '、']), "{line}");
    }
    let text = page(Some("60"), &["--help"]);
    assert!(
        text.contains("      --lang <LANG>  提示信息的语言（可选值：en、zh-CN；默\n                     认：配置中的 `lang`，"),
        "{text}"
    );
    // English pages stay clap's own.
    let out = env.shipgate(&env.root(), &["plan", "new", "--help"]);
    assert!(stdout(&out).contains("Usage: shipgate plan new"));
}

/// A config that says `lang = "zh-CN"` but cannot be read is refused in Chinese, as its
/// other messages would be; `--lang` still wins.
#[test]
fn a_broken_config_is_refused_in_the_language_it_names() {
    let env = TestEnv::new();
    let repo = env.repo("app");
    fs::write(
        repo.path.join(".shipgate.toml"),
        "lang = \"zh-CN\"\n\n[emergency]\nwindow = \"25h\"\n",
    )
    .unwrap();
    let out = repo.shipgate(&["config", "check"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("`25h` 超过 24 小时"),
        "{}",
        stderr(&out)
    );
    assert!(english_words(&stderr(&out)).is_empty(), "{}", stderr(&out));
    let out = repo.shipgate(&["--lang", "en", "config", "check"]);
    assert!(
        stderr(&out).contains("`25h` is longer than 24 hours"),
        "{}",
        stderr(&out)
    );
}
