//! Plan templates: the built-in ones (zh-CN and en, one per kind, plus the problem
//! analysis), a team's own copies in `<plans dir>/templates/`, and rendering them with
//! handlebars (strict, no HTML escaping) from git and config data.

use handlebars::{Handlebars, RenderErrorReason};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::messages::Msg;

use super::Kind;

/// `(file name, text)` of every built-in template.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "feature.zh-CN.md",
        include_str!("../../templates/plans/feature.zh-CN.md"),
    ),
    (
        "feature.en.md",
        include_str!("../../templates/plans/feature.en.md"),
    ),
    (
        "optimization.zh-CN.md",
        include_str!("../../templates/plans/optimization.zh-CN.md"),
    ),
    (
        "optimization.en.md",
        include_str!("../../templates/plans/optimization.en.md"),
    ),
    (
        "bugfix.zh-CN.md",
        include_str!("../../templates/plans/bugfix.zh-CN.md"),
    ),
    (
        "bugfix.en.md",
        include_str!("../../templates/plans/bugfix.en.md"),
    ),
    (
        "emergency.zh-CN.md",
        include_str!("../../templates/plans/emergency.zh-CN.md"),
    ),
    (
        "emergency.en.md",
        include_str!("../../templates/plans/emergency.en.md"),
    ),
    (
        "analysis.zh-CN.md",
        include_str!("../../templates/plans/analysis.zh-CN.md"),
    ),
    (
        "analysis.en.md",
        include_str!("../../templates/plans/analysis.en.md"),
    ),
];

/// The template file name for a kind in a language.
pub fn file_name(kind: Kind, lang: Lang) -> String {
    format!("{}.{}.md", kind.name(), lang.tag())
}

pub fn analysis_file_name(lang: Lang) -> String {
    format!("analysis.{}.md", lang.tag())
}

pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// A change since the previous release, for the plan's change list.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub id: String,
    pub subject: String,
}

/// What a plan template is rendered from.
#[derive(Clone, Debug, Serialize)]
pub struct Data {
    pub version: String,
    pub service: String,
    pub date: String,
    pub owner: String,
    pub tech_lead: String,
    pub qa: String,
    pub rollback_to: String,
    pub incident: String,
    /// The last emergency window's reason (an emergency plan's `reason:`).
    pub reason: String,
    pub changes: Vec<Change>,
}

/// Renders `template` (named `name` in errors) with `data`.
pub fn render(name: &str, template: &str, data: &Data) -> Result<String> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("yaml", Box::new(yaml_helper));
    hb.render_template(template, data).map_err(|e| {
        let line = e.line_no.map_or_else(|| "?".to_string(), |l| l.to_string());
        let detail = match e.reason() {
            RenderErrorReason::TemplateError(t) => t.to_string(),
            other => other.to_string(),
        };
        Error::new(Msg::TemplateInvalid {
            name: name.to_string(),
            line,
            detail,
        })
    })
}

/// `{{yaml value}}`: the value as a quoted YAML string (a JSON string is valid YAML), so
/// any service name or reason lands in the front matter as text.
fn yaml_helper(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let value = h
        .param(0)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("yaml", 0))?
        .value();
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let quoted =
        serde_json::to_string(&text).map_err(|e| RenderErrorReason::Other(e.to_string()))?;
    out.write(&quoted)?;
    Ok(())
}
