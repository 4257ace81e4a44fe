//! `shipgate rules` and `shipgate explain ID`: the process's rules in the reader's
//! language, one line each or one in full with how shipgate serves it.

use unicode_width::UnicodeWidthStr;

use crate::cli::ExplainArgs;
use crate::error::{Error, Result, EXIT_OK};
use crate::messages::Msg;
use crate::plan::Stage;
use crate::rules::{self, Rule};
use crate::ui::{Tone, Ui};
use crate::Context;

/// Inside a repository, its configured `lang` decides (as for every command); outside
/// one, or with a config that does not read, `--lang` and the locale do.
fn adopt_repository_language(ctx: &Context) {
    let Ok(dir) = super::repo_dir(None) else {
        return;
    };
    if let Ok(repo) = crate::git::Repo::discover(&dir) {
        if let Ok(config) = crate::config::in_force(&repo, None) {
            ctx.adopt(&config);
        }
    }
}

pub fn list(ctx: &Context) -> Result<u8> {
    adopt_repository_language(ctx);
    let ui = ctx.ui();
    let lang = ui.lang;
    let width = rules::all().iter().map(|r| r.id.width()).max().unwrap_or(0);
    for (n, group) in rules::groups().iter().enumerate() {
        if n > 0 {
            ui.line("");
        }
        ui.line(&ui.paint_out(Tone::Plain, group.title(lang)));
        for rule in rules::of_group(&group.prefix) {
            ui.line(&format!("  {:width$}  {}", rule.id, rule.text(lang)));
        }
        if let Some(note) = group.note(lang) {
            ui.line(&format!("  {note}"));
        }
    }
    ui.hint(&Msg::HintExplain);
    Ok(EXIT_OK)
}

pub fn explain(ctx: &Context, args: &ExplainArgs) -> Result<u8> {
    adopt_repository_language(ctx);
    let Some(rule) = rules::find(&args.id) else {
        return Err(Error::new(Msg::RuleUnknown {
            id: args.id.clone(),
            ids: rules::id_ranges(),
        })
        .hint(Msg::HintRules));
    };
    show(&ctx.ui(), rule);
    Ok(EXIT_OK)
}

fn show(ui: &Ui, rule: &Rule) {
    let lang = ui.lang;
    let group = rules::groups()
        .iter()
        .find(|g| g.prefix == rule.prefix())
        .map(|g| g.title(lang))
        .unwrap_or_default();
    ui.line(&format!("{} · {group}", rule.id));
    ui.line(&rule.text(lang));
    ui.line("");

    let items = rule.items();
    // Items due on the release branch or at the tag are checked by the push gates too.
    let mut hook_names: Vec<&str> = rule.hooks.iter().map(String::as_str).collect();
    if items
        .iter()
        .any(|i| matches!(i.stage, Stage::Release | Stage::Tag))
    {
        for gate in ["pre-push", "pre-receive", "ci"] {
            if !hook_names.contains(&gate) {
                hook_names.push(gate);
            }
        }
    }
    let hooks: Vec<String> = hook_names
        .into_iter()
        .map(|h| match h {
            "ci" => "shipgate ci".to_string(),
            "pre-receive" => ui.text(&Msg::ExplainServerHook { hook: h.into() }),
            other => other.to_string(),
        })
        .collect();
    // The commands: the rule's own, then `plan check` at each stage its items are due.
    let mut run: Vec<String> = rule.run.clone();
    for item in &items {
        let command = format!("shipgate plan check --stage {}", item.stage.name());
        if !run.contains(&command) {
            run.push(command);
        }
    }

    let mut fields: Vec<(Msg, Vec<String>)> = vec![(Msg::ExplainHow, vec![rule.how(lang)])];
    if !hooks.is_empty() {
        fields.push((
            Msg::ExplainHooks,
            vec![hooks.join(&ui.text(&Msg::ListSeparator))],
        ));
    }
    if !items.is_empty() {
        fields.push((
            Msg::ExplainItems,
            items
                .iter()
                .map(|i| {
                    ui.text(&Msg::ExplainItem {
                        id: i.id.to_string(),
                        stage: i.stage.name().to_string(),
                    })
                })
                .collect(),
        ));
    }
    if !run.is_empty() {
        fields.push((Msg::ExplainRun, run));
    }
    if hooks.is_empty() && items.is_empty() && rule.run.is_empty() {
        fields.push((Msg::ExplainHooks, vec![ui.text(&Msg::ExplainNone)]));
    }
    if let Some(note) = rule.note(lang) {
        fields.push((Msg::ExplainNote, vec![note.to_string()]));
    }
    let labels: Vec<String> = fields.iter().map(|(label, _)| ui.text(label)).collect();
    let width = labels.iter().map(|l| l.width()).max().unwrap_or(0);
    for (label, (_, values)) in labels.iter().zip(&fields) {
        for (i, value) in values.iter().enumerate() {
            let head = if i == 0 { label.as_str() } else { "" };
            let pad = " ".repeat(width.saturating_sub(head.width()) + 2);
            ui.line(&format!("{head}{pad}{value}"));
        }
    }
}
