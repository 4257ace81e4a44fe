//! Writing an announcement into the plan's text: ticking the checklist item it fulfils
//! and adding one line under the plan's announcements section (created at the end when
//! the plan has none). Text in, text out; the command writes the file and checks that the
//! result still parses with the item ticked.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// `text` with the task-list box of the item on `line` (1-based) ticked, or `None` when
/// that line holds no unticked box.
pub fn tick(text: &str, line: usize) -> Option<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let target = lines.get_mut(line.checked_sub(1)?)?;
    let at = target.find("[ ]")?;
    let before = target[..at].trim();
    let marker = before == "-"
        || before == "*"
        || before == "+"
        || before
            .strip_suffix(['.', ')'])
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if !marker {
        return None;
    }
    target.replace_range(at..at + 3, "[x]");
    Some(lines.concat())
}

/// `text` with `entry` (one Markdown list line, without its newline) added at the end
/// of the level-2 section headed by one of `headings`; without such a section, one
/// headed `create_as` is added at the end of the document.
pub fn append(text: &str, headings: &[String], create_as: &str, entry: &str) -> String {
    match section_end(text, headings) {
        Some(end) => {
            let head = text[..end].trim_end();
            let tail = &text[end..];
            if tail.is_empty() {
                format!("{head}\n{entry}\n")
            } else {
                format!("{head}\n{entry}\n\n{tail}")
            }
        }
        None => format!("{}\n\n## {create_as}\n\n{entry}\n", text.trim_end()),
    }
}

/// Where the section headed by one of `headings` ends: the start of the next heading of
/// level 1 or 2, else the end of the text.
fn section_end(text: &str, headings: &[String]) -> Option<usize> {
    let mut in_heading: Option<(HeadingLevel, String)> = None;
    let mut found = false;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if found && level <= HeadingLevel::H2 {
                    return Some(range.start);
                }
                in_heading = Some((level, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, h)) = in_heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, h)) = in_heading.take() {
                    if level == HeadingLevel::H2 && headings.iter().any(|x| x == h.trim()) {
                        found = true;
                    }
                }
            }
            _ => {}
        }
    }
    found.then_some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["Announcements".into(), "通知记录".into()]
    }

    #[test]
    fn ticks_only_a_task_box() {
        let text = "a\n- [ ] Release announced <!-- id: announce-start -->\nb [ ] c\n";
        assert_eq!(
            tick(text, 2).unwrap(),
            "a\n- [x] Release announced <!-- id: announce-start -->\nb [ ] c\n"
        );
        assert_eq!(tick(text, 3), None);
        assert_eq!(tick(text, 9), None);
        assert_eq!(tick("  1. [ ] x\n", 1).unwrap(), "  1. [x] x\n");
    }

    #[test]
    fn creates_the_section_then_adds_to_it() {
        let plan = "# Plan\n\n## Changes since v1\n\n- a\n";
        let once = append(plan, &names(), "Announcements", "- one");
        assert_eq!(
            once,
            "# Plan\n\n## Changes since v1\n\n- a\n\n## Announcements\n\n- one\n"
        );
        let analysis = format!("{once}\n## Problem analysis\n\n- [ ] x\n");
        let twice = append(&analysis, &names(), "Announcements", "- two");
        assert_eq!(
            twice,
            "# Plan\n\n## Changes since v1\n\n- a\n\n## Announcements\n\n- one\n- two\n\n## Problem analysis\n\n- [ ] x\n"
        );
        // A zh-CN section is found by an en run too.
        let zh = "# 计划\n\n## 通知记录\n\n- 一\n";
        assert_eq!(
            append(zh, &names(), "Announcements", "- two"),
            "# 计划\n\n## 通知记录\n\n- 一\n- two\n"
        );
    }
}
