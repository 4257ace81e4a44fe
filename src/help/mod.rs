//! `--help` in the reader's language. The clap definition (`cli.rs`, its `///` docs) is
//! English; for zh-CN the command tree gets the texts of `zh-CN.toml` beside this file,
//! one per command and per argument, and clap's own words (the headings, `Print help`,
//! `[default: …]`, `[possible values: …]`) are said in Chinese too, so a Chinese reader
//! meets no English sentence: only option names, value names and values stay ASCII.
//!
//! Only the help path pays for this: a normal run parses with the English tree, and
//! when clap answers with help, shipgate works out the language (`--lang` on the command
//! line, the repository's `lang`, the locale) and, for Chinese, renders it again from
//! the localised tree.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::sync::OnceLock;

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command, CommandFactory};
use serde::Deserialize;

use crate::cli::Cli;
use crate::env::Env;
use crate::error::{EXIT_MALFUNCTION, EXIT_OK};
use crate::i18n::Lang;
use crate::ui::Ui;

/// The Chinese texts, as shipped.
const ZH: &str = include_str!("zh-CN.toml");

/// `zh-CN.toml`: clap's own words, then one entry per command (keyed by its path,
/// `shipgate plan new`), then the help of the values of value-enum arguments (keyed by
/// the argument's id and the value's name).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub clap: ClapWords,
    pub command: BTreeMap<String, CommandHelp>,
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

/// What clap itself writes in a help page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClapWords {
    /// Headings as clap writes them (`Usage:`) and as they read in Chinese.
    pub headings: BTreeMap<String, String>,
    pub help: String,
    pub help_more: String,
    pub help_summary: String,
    pub version: String,
    pub help_command: String,
    pub help_command_arg: String,
    /// `（默认：{}）`, `{}` being the default value.
    pub default: String,
    /// `（可选值：{}）`, `{}` being the values joined by `、`.
    pub possible: String,
    /// The line that introduces the values of a long help, one per line after it.
    pub possible_list: String,
    /// What clap says of a command line it cannot take (`errors.rs`).
    pub errors: BTreeMap<String, String>,
}

/// One command's texts: `about` (one line, in lists and atop its page), `long_about`
/// (its page with `--help`, when it has more to say), and each argument's by id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandHelp {
    pub about: String,
    #[serde(default)]
    pub long_about: Option<String>,
    #[serde(default)]
    pub args: BTreeMap<String, ArgHelp>,
}

/// An argument's texts: a line; or a table with the line (`help`), the longer text
/// `--help` shows (`long_help`), and what happens when the argument is not given
/// (`default`), said after the possible values as clap says its own defaults.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ArgHelp {
    Line(String),
    Table(ArgTexts),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgTexts {
    pub help: String,
    #[serde(default)]
    pub long_help: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
}

impl ArgHelp {
    pub fn help(&self) -> &str {
        match self {
            ArgHelp::Line(help) => help,
            ArgHelp::Table(t) => &t.help,
        }
    }

    pub fn long_help(&self) -> Option<&str> {
        match self {
            ArgHelp::Line(_) => None,
            ArgHelp::Table(t) => t.long_help.as_deref(),
        }
    }

    pub fn default(&self) -> Option<&str> {
        match self {
            ArgHelp::Line(_) => None,
            ArgHelp::Table(t) => t.default.as_deref(),
        }
    }
}

/// The Chinese catalog, parsed once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| toml::from_str(ZH).expect("src/help/zh-CN.toml is valid: a test parses it"))
}

/// The command line as clap parses it, its help in `lang`.
pub fn command(lang: Lang) -> Command {
    localised(Cli::command(), lang)
}

/// `cmd` (the command line, perhaps with settings of its own, such as the man pages'
/// `disable_help_subcommand`) with its help in `lang`; built.
pub fn localised(mut cmd: Command, lang: Lang) -> Command {
    // Built first, so that every subcommand's arguments (defined when built, see
    // `cli::Lazy`) and those clap adds itself (`--help`, `--version`, `help`) and the
    // global `--lang` of every subcommand are there to be walked and given their Chinese
    // texts.
    cmd.build();
    if lang == Lang::En {
        return cmd;
    }
    let root = cmd.get_name().to_string();
    localise(cmd, &root, catalog())
}

/// The texts of the command at `path` and of everything under it.
fn localise(mut cmd: Command, path: &str, catalog: &Catalog) -> Command {
    let words = &catalog.clap;
    // clap wraps only at spaces: a Chinese page is wrapped by `wrap` instead.
    cmd = cmd.term_width(0);
    if let Some(help) = catalog.command.get(path) {
        cmd = cmd.about(help.about.clone());
        cmd = match &help.long_about {
            Some(long) => cmd.long_about(long.clone()),
            None => cmd.long_about(None::<&'static str>),
        };
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    let root = catalog.command.get(root_of(path));
    for id in ids {
        let own = catalog.command.get(path).and_then(|c| c.args.get(&id));
        // A global argument (`--lang`) is described once, on the root command.
        let text = own.or_else(|| root.and_then(|r| r.args.get(&id)));
        cmd = cmd.mut_arg(&id, |arg| match arg.get_action() {
            // clap's own `--help` and `--version` (a subcommand may have an argument
            // called `version` of its own).
            ArgAction::Help if arg.get_long_help().is_some() => arg
                .help(words.help_more.clone())
                .long_help(words.help_summary.clone()),
            ArgAction::Help => arg.help(words.help.clone()),
            ArgAction::Version => arg.help(words.version.clone()),
            _ => match text {
                Some(text) => with_values(arg, text, catalog),
                None => arg,
            },
        });
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = format!("{path} {name}");
        cmd = cmd.mut_subcommand(&name, |sub| {
            if name == "help" {
                help_command(sub, &sub_path, catalog)
            } else {
                localise(sub, &sub_path, catalog)
            }
        });
    }
    cmd
}

/// The first word of a command path: the program.
fn root_of(path: &str) -> &str {
    path.split(' ').next().unwrap_or(path)
}

/// clap's `help` subcommand, and the copies of the command tree under it (what it can
/// give help for): each copy says what the command it stands for says.
fn help_command(mut cmd: Command, path: &str, catalog: &Catalog) -> Command {
    let words = &catalog.clap;
    let real = path.replacen(" help", "", 1);
    cmd = match catalog.command.get(&real) {
        Some(help) if !path.ends_with(" help") => cmd.about(help.about.clone()),
        _ => cmd.about(words.help_command.clone()),
    };
    if cmd.get_arguments().any(|a| a.get_id() == "subcommand") {
        cmd = cmd.mut_arg("subcommand", |a| a.help(words.help_command_arg.clone()));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = format!("{path} {name}");
        cmd = cmd.mut_subcommand(&name, |sub| help_command(sub, &sub_path, catalog));
    }
    cmd
}

/// An argument with its Chinese help, its default and possible values said in Chinese
/// (clap's English `[default: …]` and `[possible values: …]` turned off).
fn with_values(arg: Arg, text: &ArgHelp, catalog: &Catalog) -> Arg {
    let words = &catalog.clap;
    let takes_values = arg.get_action().takes_values();
    let defaults: Vec<String> = if takes_values && !arg.is_hide_default_value_set() {
        arg.get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect()
    } else {
        Vec::new()
    };
    let values: Vec<clap::builder::PossibleValue> =
        if takes_values && !arg.is_hide_possible_values_set() {
            arg.get_possible_values()
                .into_iter()
                .filter(|v| !v.is_hide_set())
                .collect()
        } else {
            Vec::new()
        };
    let default = match text.default() {
        Some(said) => Some(words.default.replace("{}", said)),
        None => (!defaults.is_empty()).then(|| words.default.replace("{}", &defaults.join("、"))),
    };
    let names: Vec<&str> = values.iter().map(|v| v.get_name()).collect();
    let possible = (!names.is_empty()).then(|| words.possible.replace("{}", &names.join("、")));
    // `-h`: the line, then `（可选值：…；默认：…）`, as clap puts them after it.
    let aside = |parts: &[&Option<String>]| -> String {
        let parts: Vec<&str> = parts.iter().filter_map(|p| p.as_deref()).collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("（{}）", parts.join("；"))
        }
    };
    let help = format!("{}{}", text.help(), aside(&[&possible, &default]));
    let long = if values.iter().any(|v| v.get_help().is_some()) {
        // `--help`: as clap does, each value on a line of its own with what it means.
        let zh = catalog.values.get(arg.get_id().as_str());
        let mut long = format!(
            "{}{}\n\n{}",
            text.long_help().unwrap_or(text.help()),
            aside(&[&default]),
            words.possible_list
        );
        for value in &values {
            let meaning = zh
                .and_then(|z| z.get(value.get_name()))
                .map(String::as_str)
                .unwrap_or_default();
            long.push_str(&format!("\n- {}：{meaning}", value.get_name()));
        }
        Some(long)
    } else {
        text.long_help()
            .map(|long| format!("{long}{}", aside(&[&possible, &default])))
    };
    let hide_default = default.is_some() || arg.is_hide_default_value_set();
    let hide_possible = possible.is_some() || arg.is_hide_possible_values_set();
    let arg = arg
        .hide_default_value(hide_default)
        .hide_possible_values(hide_possible)
        .help(help);
    match long {
        Some(long) => arg.long_help(long),
        None => arg.long_help(None::<&'static str>),
    }
}

/// The `--lang` a command line asks for, read before clap parses it (`--lang zh-CN`,
/// `--lang=zh-CN`; not after `--`).
pub fn requested_lang(args: &[OsString]) -> Option<Lang> {
    use clap::ValueEnum;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    let mut found = None;
    while let Some(word) = words.next() {
        let value = if word == "--" {
            break;
        } else if word == "--lang" {
            words.next().map(|v| v.into_owned())
        } else if let Some(value) = word.strip_prefix("--lang=") {
            Some(value.to_string())
        } else {
            continue;
        };
        if let Some(lang) = value.and_then(|v| Lang::from_str(&v, true).ok()) {
            found = Some(lang);
        }
    }
    found
}

/// The language of a help page: `--lang`, then the `lang` of the repository the command
/// runs in (the policy in force, as every command reads it), then the locale.
pub(crate) fn language(args: &[OsString], env: &Env) -> Lang {
    let config = || {
        let dir = std::env::current_dir().ok()?;
        let repo = crate::git::Repo::discover(&dir).ok()?;
        crate::config::in_force(&repo, None).ok()?.lang
    };
    let cli = requested_lang(args);
    Lang::resolve(cli, cli.is_none().then(config).flatten(), env.locale)
}

/// Reports what clap said instead of parsing (help, the version, or bad arguments) and
/// returns the exit code: 0 for help and the version, 2 for bad arguments.
pub fn report(err: clap::Error, args: &[OsString], env: &Env) -> u8 {
    let code = if err.use_stderr() {
        EXIT_MALFUNCTION
    } else {
        EXIT_OK
    };
    let is_help = matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if err.kind() == ErrorKind::DisplayVersion {
        let _ = err.print();
        return code;
    }
    let lang = language(args, env);
    if !is_help {
        match errors::chinese(&err).filter(|_| lang == Lang::ZhCn) {
            Some(text) => {
                let text = wrap::wrap(&text, wrap::width(env.columns));
                Ui::new(lang, env).help(&text, &text, true)
            }
            None => {
                let _ = err.print();
            }
        }
        return code;
    }
    let err = match lang {
        Lang::En => err,
        // The same command line against the localised tree gives the same page, in Chinese.
        Lang::ZhCn => match command(lang).try_get_matches_from(args) {
            Err(zh) if zh.kind() == err.kind() => zh,
            _ => err,
        },
    };
    let styled = err.render();
    let (plain, ansi) = match lang {
        Lang::En => (styled.to_string(), styled.ansi().to_string()),
        Lang::ZhCn => {
            let width = wrap::width(env.columns);
            (
                wrap::wrap(&headings(&styled.to_string(), lang), width),
                wrap::wrap(&headings(&styled.ansi().to_string(), lang), width),
            )
        }
    };
    Ui::new(lang, env).help(&plain, &ansi, err.use_stderr());
    code
}

/// clap's headings (`Usage:`, `Options:`, …) at the start of a line, possibly inside its
/// styling, said in `lang`.
pub fn headings(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    let words = &catalog().clap.headings;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let start = escapes_len(line);
        let rest = &line[start..];
        match words.iter().find(|(en, _)| rest.starts_with(en.as_str())) {
            Some((en, zh)) => {
                out.push_str(&line[..start]);
                out.push_str(zh);
                // `Usage: shipgate …`: the full-width colon carries its own space, so the
                // one after the heading (and after the styling that ends it) goes.
                let after = &rest[en.len()..];
                let styling = escapes_len(after);
                out.push_str(&after[..styling]);
                let after = &after[styling..];
                out.push_str(after.strip_prefix(' ').unwrap_or(after));
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The length of the terminal styling escapes (`\x1b[1m`) `text` starts with.
fn escapes_len(text: &str) -> usize {
    let mut len = 0;
    while text[len..].starts_with("\x1b[") {
        match text[len..].find('m') {
            Some(end) => len += end + 1,
            None => break,
        }
    }
    len
}

pub(crate) mod errors;
pub mod wrap;

#[cfg(test)]
mod tests;
