//! `shipgate plan list`: every plan in the plan directory, oldest version first, with
//! its kind, the last stage it passes and its state (draft, released, rolled back,
//! analysis owed). `--format json` gives the same as a versioned document.

use serde::Serialize;

use crate::cli::{Format, PlanListArgs};
use crate::config;
use crate::error::{Error, Result, EXIT_OK};
use crate::git::Repo;
use crate::messages::Msg;
use crate::policy::History;
use crate::records;
use crate::status::plans::{self, State};
use crate::ui::Tone;
use crate::Context;

use super::repo_dir;

/// One row of the list.
struct Row {
    version: String,
    file: String,
    kind: Option<&'static str>,
    stage: Option<&'static str>,
    state: Result<State, Error>,
}

#[derive(Serialize)]
struct Json {
    schema: u32,
    dir: String,
    plans: Vec<JsonPlan>,
}

#[derive(Serialize)]
struct JsonPlan {
    version: String,
    file: String,
    kind: Option<&'static str>,
    /// The last stage the plan passes; `null` before the first.
    stage: Option<&'static str>,
    /// `draft`, `released`, `rolled-back`, `analysis-owed`, or `unreadable`.
    state: &'static str,
    error: Option<String>,
}

pub fn run(ctx: &Context, args: &PlanListArgs) -> Result<u8> {
    let dir = repo_dir(args.repo.as_deref())?;
    let repo = Repo::discover(&dir)?;
    let top = repo.workdir().ok_or_else(|| {
        Error::new(Msg::NotAGitRepo {
            path: dir.display().to_string(),
        })
        .hint(Msg::HintNotAGitRepo)
    })?;
    let top = top.canonicalize().unwrap_or(top);
    let config = config::in_force(&repo, None)?;
    ctx.adopt(&config);
    let plans_dir = config.plans.dir.as_path().to_path_buf();
    let shown_dir = plans_dir.display().to_string();
    let pattern = &config.tags.release;
    let tags = repo.tag_names(&|t| pattern.matches(t))?;
    let recorded = records::rolled_back(&repo)?;
    let rows: Vec<Row> = plans::read_dir(&top.join(&plans_dir), &top)?
        .into_iter()
        .map(|listed| match listed.plan {
            Ok(plan) => Row {
                version: plan.meta.version.clone(),
                file: listed.shown,
                kind: Some(plan.meta.kind.name()),
                stage: plans::progress(&plan, &config, &tags)
                    .reached
                    .map(|s| s.name()),
                state: Ok(plans::state(&plan, &config, &tags, &recorded)),
            },
            Err(err) => Row {
                version: listed.version,
                file: listed.shown,
                kind: None,
                stage: None,
                state: Err(err),
            },
        })
        .collect();
    let ui = ctx.ui();
    if args.format == Format::Json {
        let json = Json {
            schema: 1,
            dir: shown_dir,
            plans: rows
                .iter()
                .map(|r| JsonPlan {
                    version: r.version.clone(),
                    file: r.file.clone(),
                    kind: r.kind,
                    stage: r.stage,
                    state: r.state.as_ref().map_or("unreadable", |s| s.name()),
                    error: r.state.as_ref().err().map(|e| ui.text(&e.message)),
                })
                .collect(),
        };
        ui.line(&serde_json::to_string_pretty(&json).expect("a list serializes"));
        return Ok(EXIT_OK);
    }
    if rows.is_empty() {
        ui.say(&Msg::PlanNone { dir: shown_dir });
        ui.hint(&Msg::HintPlanNew {
            kind: "feature".into(),
            version: crate::plan::check::next_version_for(
                crate::plan::Kind::Feature,
                &tags,
                &|t| pattern.matches(t),
            ),
        });
        return Ok(EXIT_OK);
    }
    let table: Vec<Vec<(String, Tone)>> = rows
        .iter()
        .map(|r| {
            let (state, tone) = match &r.state {
                Ok(State::Draft) => (ui.text(&Msg::PlanStateDraft), Tone::Plain),
                Ok(State::Released) => (ui.text(&Msg::PlanStateReleased), Tone::Good),
                Ok(State::RolledBack) => (ui.text(&Msg::PlanStateRolledBack), Tone::Warn),
                Ok(State::AnalysisOwed) => (ui.text(&Msg::PlanStateAnalysisOwed), Tone::Bad),
                Err(_) => (ui.text(&Msg::PlanStateUnreadable), Tone::Bad),
            };
            vec![
                (r.version.clone(), Tone::Plain),
                (r.kind.unwrap_or("-").to_string(), Tone::Plain),
                (r.stage.unwrap_or("-").to_string(), Tone::Plain),
                (state, tone),
            ]
        })
        .collect();
    ui.table(
        &[
            ui.text(&Msg::ColumnVersion),
            ui.text(&Msg::ColumnKind),
            ui.text(&Msg::ColumnStage),
            ui.text(&Msg::ColumnState),
        ],
        &table,
    );
    ui.say(&Msg::PlanListSummary {
        count: rows.len().to_string(),
        dir: shown_dir,
    });
    for row in &rows {
        if let Err(err) = &row.state {
            ui.warning(&err.message);
            for hint in &err.hints {
                ui.hint(hint);
            }
        }
    }
    Ok(EXIT_OK)
}
