//! The demo's script as data: `templates/demo.toml`, compiled in. Each step is one
//! moment of the process (SCENARIOS.md): who acts, when, what they are told, and the
//! commands they type, each with what the process expects of it (accepted, or refused
//! with the rule ids the refusal must show). Adding a step is an edit of the data file;
//! the runner (`super::run`) needs no change.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::messages::Msg;

/// The script shipped with the binary.
pub const SCRIPT: &str = include_str!("../../templates/demo.toml");

/// The whole demo.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// What the template's unfilled fields say, per language (`(to fill in)`).
    pub placeholder: Text,
    /// What the demo says before the first step: the service and its history.
    pub intro: Text,
    /// The team; the first one set the repository up (the seed's author).
    pub people: Vec<Person>,
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

/// Text every reader sees: both languages, always.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    #[serde(rename = "zh-CN")]
    pub zh: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        }
    }
}

/// A value that is either the same in both languages or given per language (a commit
/// message, a table cell).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Local<T> {
    Per {
        en: T,
        #[serde(rename = "zh-CN")]
        zh: T,
    },
    Same(T),
}

impl<T> Local<T> {
    pub fn get(&self, lang: Lang) -> &T {
        match self {
            Local::Same(value) => value,
            Local::Per { en, zh } => match lang {
                Lang::En => en,
                Lang::ZhCn => zh,
            },
        }
    }
}

/// Someone on the team (or the platform team).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The login: `SHIPGATE_PUSHER` on the server, the e-mail's local part.
    pub login: String,
    /// The name git records as author and committer.
    pub name: String,
    pub role: Text,
    /// The list of `.shipgate.toml`'s `[people]` the login goes into (`owners`,
    /// `tech_leads`, `qa`), if any.
    #[serde(default)]
    pub config: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    /// The login of who acts (an action may name someone else).
    pub who: String,
    /// The moment it happens (RFC 3339): commit dates and shipgate's clock.
    pub at: String,
    pub title: Text,
    pub say: Text,
    #[serde(rename = "do")]
    pub actions: Vec<Action>,
}

/// One thing a person does: type a command, edit a file, write a file.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Action {
    Run(Run),
    Edit(Edit),
    Write(Write),
}

impl Action {
    pub fn common(&self) -> Common<'_> {
        match self {
            Action::Run(a) => a.common(),
            Action::Edit(a) => a.common(),
            Action::Write(a) => a.common(),
        }
    }
}

/// What every action may carry, read from whichever kind it is.
pub struct Common<'a> {
    /// Narration printed before the action.
    pub say: Option<&'a Text>,
    /// This action starts the way past the refusal before it (printed as such).
    pub past: bool,
    /// Who does it, when not the step's person.
    pub who: Option<&'a str>,
    /// The directory, relative to the demo's root [default: the service clone].
    pub dir: Option<&'a str>,
}

macro_rules! common_fields {
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        pub struct $name {
            $($body)*
            /// Narration printed before the action.
            #[serde(default)]
            pub say: Option<Text>,
            /// This action starts the way past the refusal before it.
            #[serde(default)]
            pub past: bool,
            /// Who does it, when not the step's person.
            #[serde(default)]
            pub who: Option<String>,
            /// The directory, relative to the demo's root [default: the service clone].
            #[serde(default, rename = "in")]
            pub dir: Option<String>,
        }

        impl $name {
            pub fn common(&self) -> Common<'_> {
                Common {
                    say: self.say.as_ref(),
                    past: self.past,
                    who: self.who.as_deref(),
                    dir: self.dir.as_deref(),
                }
            }
        }
    };
}

common_fields! {
/// A command, as typed: `git ...` or `shipgate ...`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub run: Local<Vec<String>>,
    /// The process refuses it: exit 1, and the output names all of these.
    #[serde(default)]
    pub refused: Option<Local<Vec<String>>>,
    /// It is accepted and its output names all of these.
    #[serde(default)]
    pub shows: Option<Local<Vec<String>>>,
}
}

common_fields! {
/// An edit of a file in an editor: front-matter fields set, checklist items ticked or
/// filled in (found by their `<!-- id: ... -->`), tables filled.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub edit: String,
    /// Front-matter keys (`rollback.confirmed_by` for a nested one) and their new YAML
    /// values; a comment after the value is kept.
    #[serde(default)]
    pub set: BTreeMap<String, Local<String>>,
    /// Items to tick.
    #[serde(default)]
    pub tick: Vec<String>,
    /// Items whose placeholder gets this text (and which are ticked).
    #[serde(default)]
    pub fill: BTreeMap<String, Local<String>>,
    #[serde(default)]
    pub table: Vec<Table>,
}
}

/// The rows of the `n`-th Markdown table of the file (from 0), in place of the
/// placeholder rows.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub n: usize,
    pub rows: Local<Vec<Vec<String>>>,
}

common_fields! {
/// A file written whole (code being changed).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Write {
    pub write: String,
    pub text: Local<String>,
}
}

/// A script (`SCRIPT`, or one being written), parsed and checked.
pub fn parse(text: &str) -> Result<Script> {
    let script: Script = toml::from_str(text).map_err(|e| {
        Error::new(Msg::DemoBadScript {
            detail: Box::new(crate::serde_errors::explain(e.message())),
        })
    })?;
    validate(&script).map_err(|detail| Error::new(Msg::DemoBadScript { detail }))?;
    Ok(script)
}

/// What the types cannot say: people exist, commands are git or shipgate, every
/// refusal is followed by the way past it.
fn validate(script: &Script) -> Result<(), Box<Msg>> {
    let known = |login: &str| script.people.iter().any(|p| p.login == login);
    for step in &script.steps {
        if !known(&step.who) {
            return Err(Box::new(Msg::DemoStepPerson {
                step: step.id.clone(),
                who: step.who.clone(),
            }));
        }
        if step.at.parse::<jiff::Timestamp>().is_err() {
            return Err(Box::new(Msg::DemoStepTime {
                step: step.id.clone(),
                at: step.at.clone(),
            }));
        }
        let mut owed = false;
        for action in &step.actions {
            let common = action.common();
            if let Some(who) = common.who {
                if !known(who) {
                    return Err(Box::new(Msg::DemoStepPerson {
                        step: step.id.clone(),
                        who: who.to_string(),
                    }));
                }
            }
            if common.past {
                owed = false;
            }
            if let Action::Run(run) = action {
                for lang in [Lang::En, Lang::ZhCn] {
                    match run.run.get(lang).first().map(String::as_str) {
                        Some("git" | "shipgate") => {}
                        _ => {
                            return Err(Box::new(Msg::DemoStepCommand {
                                step: step.id.clone(),
                            }))
                        }
                    }
                }
                if run.refused.is_some() {
                    owed = true;
                }
            }
        }
        if owed {
            return Err(Box::new(Msg::DemoStepNoPast {
                step: step.id.clone(),
            }));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_script_parses_and_holds_together() {
        let script = parse(SCRIPT).expect("templates/demo.toml is a valid script");
        assert!(script.steps.len() >= 10);
        let mut ids: Vec<&str> = script.steps.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), script.steps.len(), "step ids are unique");
        for step in &script.steps {
            assert!(!step.title.en.is_empty() && !step.title.zh.is_empty());
            assert!(!step.say.en.is_empty() && !step.say.zh.is_empty());
        }
    }

    #[test]
    fn a_refusal_without_the_way_past_is_refused() {
        let text = r#"
            placeholder = { en = "(to fill in)", zh-CN = "（待填写）" }
            intro = { en = "i", zh-CN = "i" }
            [[people]]
            login = "lisi"
            name = "李四"
            role = { en = "TL", zh-CN = "技术负责人" }
            [[step]]
            id = "s"
            who = "lisi"
            at = "2026-11-02T10:00:00+08:00"
            title = { en = "t", zh-CN = "t" }
            say = { en = "s", zh-CN = "s" }
            [[step.do]]
            run = ["git", "commit"]
            refused = ["[F1]"]
        "#;
        let script: Script = toml::from_str(text).unwrap();
        assert!(validate(&script)
            .unwrap_err()
            .render(Lang::En)
            .contains("way past"));
    }
}
