//! Wraps Chinese help pages by display width. clap wraps only at spaces and, without its
//! `unicode` feature, counts a Chinese character as one column: a Chinese sentence, which
//! has no spaces, came out as one line far wider than the terminal. For Chinese, clap
//! does not wrap (`term_width(0)`) and every line of the page it renders is wrapped here:
//! between any two Chinese characters or at a space, never inside a Latin word or a
//! `code` span, never before closing punctuation (`，。）”`) or after opening punctuation
//! (`（“`), counting CJK characters as two columns; continuation lines keep the hanging
//! indent clap gives the line (the help column of an option or a command, the text of a
//! `- value：` item).

use unicode_width::UnicodeWidthChar;

/// The widest a help page is made: the terminal's width (`COLUMNS` when the output is
/// not a terminal), at most 100 columns, 100 when nothing says.
pub const MAX_WIDTH: usize = 100;

/// Punctuation a line never starts with.
const NO_BREAK_BEFORE: &str = "，。：；）”’、？！…》」』】,.:;)!?";
/// Punctuation a line never ends with.
const NO_BREAK_AFTER: &str = "（“‘《「『【(";

/// The width to wrap a help page at, from the terminal or `columns` (`COLUMNS`).
pub fn width(columns: Option<usize>) -> usize {
    let terminal = terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
    terminal
        .or(columns)
        .filter(|&w| w > 20)
        .unwrap_or(MAX_WIDTH)
        .min(MAX_WIDTH)
}

/// `text` with every line wider than `width` columns wrapped.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        if display_width(body) <= width {
            out.push_str(line);
            continue;
        }
        wrap_line(body, width, &mut out);
        out.push_str(end);
    }
    out
}

/// The display width of `text`, terminal escapes (`\x1b[1m`) counting nothing.
pub fn display_width(text: &str) -> usize {
    let mut width = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            width += c.width().unwrap_or(0);
        }
    }
    width
}

/// The length of the terminal escapes `text` starts with.
fn escapes(text: &str) -> usize {
    let mut len = 0;
    while text[len..].starts_with('\x1b') {
        match text[len..].find(|c: char| c.is_ascii_alphabetic()) {
            Some(end) => len += end + 1,
            None => break,
        }
    }
    len
}

fn is_wide(c: char) -> bool {
    c.width() == Some(2)
}

/// Where the text of `line` starts (bytes) and the hanging indent of its continuation
/// lines (columns).
fn hanging(line: &str) -> (usize, usize) {
    let lead = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[lead..];
    // `用法：shipgate …`: the usage goes on under itself.
    let usage = rest
        .trim_start_matches(|c: char| c == '\x1b' || c == '[' || c.is_ascii_digit() || c == 'm');
    if usage.starts_with("用法：") {
        let start = lead + (rest.len() - usage.len()) + "用法：".len();
        let start = start + escapes(&line[start..]);
        return (start, display_width(&line[..start]));
    }
    // `- feature：…`: an item of a list of values.
    if rest.starts_with("- ") {
        return (lead, lead + 2);
    }
    // `  -f, --format <FORMAT>  text` or `  install   text`: text after the first run of
    // two or more spaces, when the line starts with an option or a command name.
    let first = rest
        .trim_start_matches(|c: char| c == '\x1b' || c == '[' || c.is_ascii_digit() || c == 'm')
        .chars()
        .next();
    if first.is_some_and(|c| c == '-' || c.is_ascii_alphanumeric()) {
        if let Some(gap) = rest.find("  ") {
            let after = &rest[gap..];
            let text = gap + after.len() - after.trim_start_matches(' ').len();
            if text < rest.len() {
                let start = lead + text;
                return (start, display_width(&line[..start]));
            }
        }
    }
    (lead, lead)
}

/// One unit the wrapper never breaks: a Chinese character with the punctuation glued to
/// it, or a run of other characters; `space` when a space stood before it.
struct Unit {
    text: String,
    width: usize,
    space: bool,
}

fn units(text: &str) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut space = false;
    let mut glue = false;
    let mut escape = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            escape.push(c);
            for c in chars.by_ref() {
                escape.push(c);
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        if c == ' ' {
            space = true;
            glue = false;
            continue;
        }
        let last_is_word = units
            .last()
            .and_then(|u| u.text.chars().rev().find(|c| !c.is_ascii_control()))
            .is_some_and(|l| !is_wide(l) && !NO_BREAK_AFTER.contains(l));
        let join = !space
            && !units.is_empty()
            && (glue || NO_BREAK_BEFORE.contains(c) || (!is_wide(c) && last_is_word));
        if join {
            let unit = units.last_mut().expect("not empty");
            unit.text.push_str(&escape);
            unit.text.push(c);
            unit.width += c.width().unwrap_or(0);
        } else {
            units.push(Unit {
                text: format!("{escape}{c}"),
                width: c.width().unwrap_or(0),
                space,
            });
        }
        escape.clear();
        space = false;
        glue = NO_BREAK_AFTER.contains(c);
    }
    if !escape.is_empty() {
        match units.last_mut() {
            Some(unit) => unit.text.push_str(&escape),
            None => units.push(Unit {
                text: escape,
                width: 0,
                space: false,
            }),
        }
    }
    units
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    let (start, indent) = hanging(line);
    // A hanging indent that leaves too little room starts lines at the page's indent.
    let indent = if indent > width / 2 {
        line.len() - line.trim_start_matches(' ').len()
    } else {
        indent
    };
    let head = &line[..start];
    out.push_str(head);
    let mut used = display_width(head);
    let mut empty = true;
    for unit in units(&line[start..]) {
        let gap = usize::from(unit.space && !empty);
        if !empty && used + gap + unit.width > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            used = indent;
            empty = true;
        }
        if unit.space && !empty {
            out.push(' ');
            used += 1;
        }
        out.push_str(&unit.text);
        used += unit.width;
        empty = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_wraps_between_characters_by_display_width() {
        let text = "发布计划已存在时，不拒绝，而是显示它与重新生成的模板有何不同\n";
        let wrapped = wrap(text, 20);
        for line in wrapped.lines() {
            assert!(display_width(line) <= 20, "{line:?}\n{wrapped}");
        }
        assert_eq!(wrapped.replace('\n', ""), text.trim_end());
        // Never a line that starts with closing punctuation.
        assert!(wrapped.lines().all(|l| !l.starts_with(['，', '。', '）'])));
    }

    #[test]
    fn options_keep_their_hanging_indent_and_code_stays_whole() {
        let line = "      --lang <LANG>  提示信息的语言（可选值：en、zh-CN；默认：配置中的 `lang`，其次是 `LC_ALL`、`LC_MESSAGES`、`LANG`，最后是 en）";
        let wrapped = wrap(line, 60);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines.len() > 1, "{wrapped}");
        assert!(
            lines[0].starts_with("      --lang <LANG>  提示信息"),
            "{wrapped}"
        );
        for l in &lines[1..] {
            assert!(l.starts_with(&" ".repeat(21)), "{wrapped}");
            assert!(!l[21..].starts_with(' '), "{wrapped}");
        }
        for l in &lines {
            assert!(display_width(l) <= 60, "{l:?}");
            assert_eq!(l.matches('`').count() % 2, 0, "a code span is cut: {l:?}");
        }
        let long_value = "          - emergency：紧急上线：已影响线上，发布计划事后补写，紧急上线的发布计划通过后才能正常上线";
        let wrapped = wrap(long_value, 50);
        assert!(
            wrapped
                .lines()
                .skip(1)
                .all(|l| l.starts_with(&" ".repeat(12))),
            "{wrapped}"
        );
    }

    #[test]
    fn escapes_count_nothing_and_short_lines_stay() {
        let styled = "  \x1b[1m-h\x1b[0m, \x1b[1m--help\x1b[0m  打印帮助\n";
        assert_eq!(wrap(styled, 100), styled);
        assert_eq!(display_width(styled.trim_end()), 22);
        let styled = "      \x1b[1m--lang\x1b[0m \x1b[1m<LANG>\x1b[0m  提示信息的语言（可选值：en、zh-CN；默认：配置中的 `lang`）";
        let wrapped = wrap(styled, 50);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines.len() > 1, "{wrapped}");
        for l in &lines[1..] {
            assert!(l.starts_with(&" ".repeat(21)), "{wrapped}");
        }
        assert!(lines.iter().all(|l| display_width(l) <= 50), "{wrapped}");
        let english = "Usage: shipgate plan new [OPTIONS]\n";
        assert_eq!(wrap(english, 100), english);
    }
}
