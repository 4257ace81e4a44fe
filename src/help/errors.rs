//! clap's complaints about a command line (an unknown option, a bad value, a missing
//! argument) said in Chinese: the same facts clap gathered (`ContextKind`), worded by
//! the `[clap.errors]` texts of `zh-CN.toml`. clap's free-form English tips are left
//! out; the suggestions it computed (a similar option, subcommand or value) are kept.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::catalog;
use crate::i18n::Lang;

/// The text of `err` in Chinese, as clap would print it in English, or `None` when clap
/// says nothing (help, the version).
pub fn chinese(err: &clap::Error) -> Option<String> {
    let words = &catalog().clap.errors;
    let say = |key: &str, fill: &[(&str, String)]| -> String {
        let mut text = words
            .get(key)
            .unwrap_or_else(|| {
                panic!(
                    "src/help/zh-CN.toml has `{key}` in [clap.errors]: a test renders every kind"
                )
            })
            .clone();
        for (name, value) in fill {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    };
    let string = |kind: ContextKind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let strings = |kind: ContextKind| match err.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let number = |kind: ContextKind| match err.get(kind) {
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let code = |s: &str| format!("`{s}`");
    let arg = string(ContextKind::InvalidArg).map(|a| code(&a));
    let value = string(ContextKind::InvalidValue).map(|v| code(&v));
    let listed = |values: Vec<String>| {
        values
            .iter()
            .map(|v| code(v))
            .collect::<Vec<_>>()
            .join("、")
    };

    let mut lines: Vec<String> = Vec::new();
    let sentence = match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::DisplayVersion => return None,
        ErrorKind::ArgumentConflict => {
            let prior = strings(ContextKind::PriorArg);
            match (&arg, string(ContextKind::InvalidSubcommand)) {
                (Some(a), _) if prior.len() == 1 && code(&prior[0]) == *a => {
                    say("argument_repeated", &[("arg", a.clone())])
                }
                (Some(a), _) => say(
                    "argument_conflict",
                    &[("arg", a.clone()), ("other", listed(prior))],
                ),
                (None, Some(sub)) => say(
                    "subcommand_conflict",
                    &[("arg", code(&sub)), ("other", listed(prior))],
                ),
                (None, None) => say("other", &[]),
            }
        }
        ErrorKind::NoEquals => say("no_equals", &[("arg", arg.clone().unwrap_or_default())]),
        ErrorKind::InvalidValue => {
            let possible = strings(ContextKind::ValidValue);
            if !possible.is_empty() {
                lines.push(say("possible_values", &[("values", listed(possible))]));
            }
            match &value {
                Some(v) if v != "``" => say(
                    "invalid_value",
                    &[
                        ("arg", arg.clone().unwrap_or_default()),
                        ("value", v.clone()),
                    ],
                ),
                _ => say(
                    "value_required",
                    &[("arg", arg.clone().unwrap_or_default())],
                ),
            }
        }
        ErrorKind::InvalidSubcommand => say(
            "invalid_subcommand",
            &[(
                "value",
                string(ContextKind::InvalidSubcommand)
                    .map(|s| code(&s))
                    .unwrap_or_default(),
            )],
        ),
        ErrorKind::MissingRequiredArgument => {
            for missing in strings(ContextKind::InvalidArg) {
                lines.push(missing);
            }
            say("missing_required", &[])
        }
        ErrorKind::MissingSubcommand => {
            let subcommands = strings(ContextKind::ValidSubcommand);
            if !subcommands.is_empty() {
                lines.push(say("subcommands", &[("values", listed(subcommands))]));
            }
            say(
                "missing_subcommand",
                &[(
                    "arg",
                    string(ContextKind::InvalidSubcommand)
                        .map(|s| code(&s))
                        .unwrap_or_default(),
                )],
            )
        }
        ErrorKind::TooManyValues => say(
            "too_many_values",
            &[
                ("arg", arg.clone().unwrap_or_default()),
                ("value", value.clone().unwrap_or_default()),
            ],
        ),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => say(
            "wrong_number_of_values",
            &[
                ("arg", arg.clone().unwrap_or_default()),
                (
                    "expected",
                    number(ContextKind::MinValues)
                        .or_else(|| number(ContextKind::ExpectedNumValues))
                        .unwrap_or_default(),
                ),
                (
                    "actual",
                    number(ContextKind::ActualNumValues).unwrap_or_default(),
                ),
            ],
        ),
        ErrorKind::ValueValidation => say(
            "invalid_value",
            &[
                ("arg", arg.clone().unwrap_or_default()),
                ("value", value.clone().unwrap_or_default()),
            ],
        ),
        ErrorKind::UnknownArgument => say(
            "unknown_argument",
            &[("arg", arg.clone().unwrap_or_default())],
        ),
        ErrorKind::InvalidUtf8 => say("invalid_utf8", &[]),
        _ => say("other", &[]),
    };

    let mut text = format!("{}{sentence}\n", words["prefix"]);
    for line in &lines {
        text.push_str(&format!("  {line}\n"));
    }
    let mut suggested = false;
    for (kind, key) in [
        (ContextKind::SuggestedSubcommand, "suggested_subcommand"),
        (ContextKind::SuggestedArg, "suggested_arg"),
        (ContextKind::SuggestedValue, "suggested_value"),
    ] {
        let similar = strings(kind);
        if !similar.is_empty() {
            if !suggested {
                text.push('\n');
                suggested = true;
            }
            text.push_str(&format!("  {}\n", say(key, &[("value", listed(similar))])));
        }
    }
    if let Some(ContextValue::StyledStr(usage)) = err.get(ContextKind::Usage) {
        text.push('\n');
        text.push_str(&super::headings(&usage.to_string(), Lang::ZhCn));
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&say("more", &[("help", code("--help"))]));
    text.push('\n');
    Some(text)
}

/// The keys `[clap.errors]` must have: what `chinese` says.
#[cfg(test)]
pub const KEYS: &[&str] = &[
    "prefix",
    "argument_conflict",
    "argument_repeated",
    "subcommand_conflict",
    "no_equals",
    "value_required",
    "invalid_value",
    "possible_values",
    "invalid_subcommand",
    "missing_required",
    "missing_subcommand",
    "subcommands",
    "too_many_values",
    "wrong_number_of_values",
    "unknown_argument",
    "invalid_utf8",
    "other",
    "suggested_arg",
    "suggested_subcommand",
    "suggested_value",
    "more",
];

/// The texts are complete: every key `chinese` uses, nothing else.
#[cfg(test)]
pub fn check(errors: &std::collections::BTreeMap<String, String>) -> Result<(), String> {
    let have: Vec<&str> = errors.keys().map(String::as_str).collect();
    let mut want = KEYS.to_vec();
    want.sort_unstable();
    if have == want {
        Ok(())
    } else {
        Err(format!("[clap.errors] has {have:?}, wants {want:?}"))
    }
}
