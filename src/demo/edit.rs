//! The demo's editor: what a person changes in a plan by hand (front-matter fields,
//! ticked and filled-in checklist items, table rows), done on the text so the file
//! stays the template's file with only those lines changed. Pure: text in, text out.

use crate::i18n::Lang;
use crate::messages::Msg;

use super::steps::Edit;

/// The edited text, or what the edit could not find (`item \`submit-scope\``).
pub fn apply(text: &str, edit: &Edit, lang: Lang, placeholder: &str) -> Result<String, Box<Msg>> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (key, value) in &edit.set {
        set(&mut lines, key, value.get(lang))?;
    }
    for (id, value) in &edit.fill {
        let i = item_line(&lines, id)?;
        if !lines[i].contains(placeholder) {
            return Err(Box::new(Msg::DemoWhatPlaceholder {
                placeholder: placeholder.into(),
                id: id.clone(),
            }));
        }
        lines[i] = lines[i].replacen(placeholder, value.get(lang), 1);
        lines[i] = lines[i].replacen("- [ ]", "- [x]", 1);
    }
    for id in &edit.tick {
        let i = item_line(&lines, id)?;
        lines[i] = lines[i].replacen("- [ ]", "- [x]", 1);
    }
    // From the last table back, so replacing rows moves no table still to be found.
    let mut tables: Vec<_> = edit.table.iter().collect();
    tables.sort_by_key(|t| std::cmp::Reverse(t.n));
    for table in tables {
        fill_table(&mut lines, table.n, table.rows.get(lang), placeholder)?;
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// The lines of `new` that differ from `old`: (line number from 1, text).
pub fn changed_lines(old: &str, new: &str) -> Vec<(usize, String)> {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Insert)
        .filter_map(|c| {
            let line = c.new_index()? + 1;
            Some((line, c.value().trim_end_matches('\n').to_string()))
        })
        .collect()
}

/// The line of the checklist item `id` (`<!-- id: submit-scope -->`).
fn item_line(lines: &[String], id: &str) -> Result<usize, Box<Msg>> {
    let marker = format!("<!-- id: {id} -->");
    lines
        .iter()
        .position(|l| l.contains(&marker))
        .ok_or_else(|| Box::new(Msg::DemoWhatItem { id: id.into() }))
}

/// Sets a front-matter key (`a` or `a.b`, one level of nesting) to `value`, keeping a
/// trailing `  # comment`.
fn set(lines: &mut [String], key: &str, value: &str) -> Result<(), Box<Msg>> {
    let missing = || Box::new(Msg::DemoWhatKey { key: key.into() });
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Err(missing());
    }
    let close = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "---")
        .map(|i| i + 1)
        .ok_or_else(missing)?;
    let (parent, name) = match key.split_once('.') {
        Some((parent, name)) => (Some(parent), name),
        None => (None, key),
    };
    let start = match parent {
        None => 1,
        Some(parent) => {
            let prefix = format!("{parent}:");
            1 + lines[1..close]
                .iter()
                .position(|l| l.starts_with(&prefix))
                .ok_or_else(missing)?
                + 1
        }
    };
    let prefix = format!("{name}:");
    let i = (start..close)
        .find(|&i| {
            let line = &lines[i];
            let indented = line.starts_with(' ');
            line.trim_start().starts_with(&prefix) && indented == parent.is_some()
        })
        .ok_or_else(missing)?;
    let line = &lines[i];
    let indent = &line[..line.len() - line.trim_start().len()];
    let comment = line.find("  # ").map(|at| &line[at..]).unwrap_or("");
    lines[i] = format!("{indent}{name}: {value}{comment}");
    Ok(())
}

/// Puts `rows` in place of the placeholder rows of the `n`-th table.
fn fill_table(
    lines: &mut Vec<String>,
    n: usize,
    rows: &[Vec<String>],
    placeholder: &str,
) -> Result<(), Box<Msg>> {
    let is_row = |l: &String| l.trim_start().starts_with('|');
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| is_row(&lines[i]) && (i == 0 || !is_row(&lines[i - 1])))
        .collect();
    let start = *starts
        .get(n)
        .ok_or_else(|| Msg::DemoWhatTable { n: n.to_string() })?;
    let end = (start..lines.len())
        .find(|&i| !is_row(&lines[i]))
        .unwrap_or(lines.len());
    // Header and separator stay; the rows still to be filled in go.
    let placeholders: Vec<usize> = (start + 2..end)
        .filter(|&i| {
            lines[i]
                .trim()
                .trim_matches('|')
                .split('|')
                .all(|cell| cell.trim() == placeholder)
        })
        .collect();
    let Some(&first) = placeholders.first() else {
        return Err(Box::new(Msg::DemoWhatRows {
            placeholder: placeholder.into(),
            n: n.to_string(),
        }));
    };
    for &i in placeholders.iter().rev() {
        lines.remove(i);
    }
    for (k, row) in rows.iter().enumerate() {
        lines.insert(first + k, format!("| {} |", row.join(" | ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::steps::{Local, Table};

    const PLAN: &str = "---\nkind: feature\napprovals: []  # two logins\nrollback:\n  at: \"x\"\n  confirmed_by: \"\"  # owner or TL\nstatus: draft\n---\n\n- [ ] Scope: (to fill in) <!-- id: submit-scope -->\n- [ ] Deployed <!-- id: st-deployed -->\n\n| a | b |\n|---|---|\n| (to fill in) | (to fill in) |\n\ntext\n\n| c |\n|---|\n| (to fill in) |\n";

    fn edit() -> Edit {
        toml::from_str(
            r#"
            edit = "docs/releases/v1.md"
            tick = ["st-deployed"]
            set = { approvals = "[zhangsan, lisi]", "rollback.confirmed_by" = '"zhangsan"' }
            fill = { submit-scope = { en = "coupons", zh-CN = "优惠券" } }
            "#,
        )
        .unwrap()
    }

    #[test]
    fn sets_ticks_fills_and_keeps_comments() {
        let mut edit = edit();
        edit.table.push(Table {
            n: 0,
            rows: Local::Same(vec![
                vec!["1".into(), "2".into()],
                vec!["3".into(), "4".into()],
            ]),
        });
        edit.table.push(Table {
            n: 1,
            rows: Local::Same(vec![vec!["none".into()]]),
        });
        let out = apply(PLAN, &edit, Lang::En, "(to fill in)").unwrap();
        assert!(out.contains("approvals: [zhangsan, lisi]  # two logins\n"));
        assert!(out.contains("  confirmed_by: \"zhangsan\"  # owner or TL\n"));
        assert!(out.contains("- [x] Scope: coupons <!-- id: submit-scope -->"));
        assert!(out.contains("- [x] Deployed <!-- id: st-deployed -->"));
        assert!(out.contains("|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\ntext"));
        assert!(out.contains("|---|\n| none |\n"));
        let changed = changed_lines(PLAN, &out);
        assert_eq!(
            changed[0],
            (3, "approvals: [zhangsan, lisi]  # two logins".into())
        );
        assert_eq!(changed.len(), 7);
    }

    #[test]
    fn what_is_not_there_is_named() {
        let mut edit = edit();
        edit.tick = vec!["no-such-item".into()];
        assert_eq!(
            apply(PLAN, &edit, Lang::En, "(to fill in)")
                .unwrap_err()
                .render(Lang::En),
            "item `no-such-item`"
        );
        let mut edit = crate::demo::edit::tests::edit();
        edit.set.insert("nowhere".into(), Local::Same("1".into()));
        assert!(apply(PLAN, &edit, Lang::En, "(to fill in)")
            .unwrap_err()
            .render(Lang::En)
            .contains("`nowhere`"));
    }
}
