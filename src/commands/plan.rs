//! `shipgate plan new` and `shipgate plan check`: render a release plan from its
//! template, and say what it still needs before a stage.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::{Format, PlanCheckArgs, PlanNewArgs};
use crate::config::{self, Config};
use crate::error::{io_at, Error, Result, EXIT_OK, EXIT_REFUSED};
use crate::git::Repo;
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::plan::{self, render, Kind, Plan, PlanFinding};
use crate::Context;

use super::repo_dir;

/// A repository's plan directory and what plans are checked against.
pub struct Workspace {
    pub repo: Repo,
    pub config: Config,
    pub top: PathBuf,
    /// `<top>/<plans.dir>`
    pub dir: PathBuf,
}

impl Workspace {
    pub fn open(ctx: &Context, repo: Option<&Path>) -> Result<Workspace> {
        let dir = repo_dir(repo)?;
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
        let dir = top.join(config.plans.dir.as_path());
        Ok(Workspace {
            repo,
            config,
            top,
            dir,
        })
    }

    /// The plan file for a version.
    pub fn plan_path(&self, version: &str) -> PathBuf {
        self.dir.join(format!("{version}.md"))
    }

    /// The path as the user reads it: relative to the repository root.
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.top)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    pub fn release_tags(&self) -> Result<Vec<String>> {
        let pattern = &self.config.tags.release;
        crate::policy::History::tag_names(&self.repo, &|t| pattern.matches(t))
    }

    /// A template: the team's copy in `<plans dir>/templates/`, else the built-in one.
    pub fn template(&self, name: &str) -> Result<(String, String)> {
        let own = self.dir.join("templates").join(name);
        match fs::read_to_string(&own) {
            Ok(text) => Ok((self.shown(&own), text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let text = render::built_in(name)
                    .expect("every kind and language has a built-in template");
                Ok((name.to_string(), text.to_string()))
            }
            Err(e) => Err(Error::io(&own, &e)),
        }
    }

    /// Reads and parses the plan at `path`.
    pub fn load(&self, path: &Path) -> Result<Plan> {
        // At most one byte more than a plan may have: enough to refuse a huge file
        // without holding all of it.
        let read = || -> std::io::Result<Vec<u8>> {
            use std::io::Read;
            let mut bytes = Vec::new();
            fs::File::open(path)?
                .take(plan::MAX_PLAN_BYTES as u64 + 1)
                .read_to_end(&mut bytes)?;
            Ok(bytes)
        };
        let bytes = read().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::new(Msg::PlanMissing {
                    path: self.shown(path),
                })
                .hint(Msg::HintPlanNew)
            } else {
                Error::io(path, &e)
            }
        })?;
        plan::parse(&bytes, Path::new(&self.shown(path)))
    }
}

pub fn new(ctx: &Context, args: &PlanNewArgs) -> Result<u8> {
    let ws = Workspace::open(ctx, args.repo.as_deref())?;
    let lang = ctx.lang();
    if plan::check::parse_version(&args.version).is_none() {
        return Err(Error::new(Msg::PlanVersionInvalid {
            version: args.version.clone(),
        }));
    }
    let path = ws.plan_path(&args.version);
    let date = ctx.env.today().to_string();
    let text = render_plan(&ws, args.kind, &args.version, lang, date)?;
    let ui = ctx.ui();
    if path.exists() {
        if !args.diff {
            return Err(Error::new(Msg::PlanExists {
                path: ws.shown(&path),
            })
            .hint(Msg::HintPlanDiff {
                kind: args.kind.name().into(),
                version: args.version.clone(),
            }));
        }
        let existing = fs::read_to_string(&path).map_err(io_at(&path))?;
        let shown = ws.shown(&path);
        let diff = similar::TextDiff::from_lines(&existing, &text);
        ui.raw(
            &diff
                .unified_diff()
                .header(&shown, &format!("{shown} (fresh from the template)"))
                .to_string(),
        );
        return Ok(EXIT_OK);
    }
    fs::create_dir_all(&ws.dir).map_err(io_at(&ws.dir))?;
    fs::write(&path, &text).map_err(io_at(&path))?;
    ui.say(&Msg::PlanWritten {
        path: ws.shown(&path),
    });
    // The first stage this kind of plan is checked at.
    let stage = match args.kind {
        Kind::Feature => plan::Stage::SubmitTest,
        Kind::Optimization | Kind::Bugfix => plan::Stage::Release,
        Kind::Emergency => plan::Stage::Done,
    };
    ui.hint(&Msg::HintPlanNext {
        version: args.version.clone(),
        stage: stage.name().into(),
    });
    Ok(EXIT_OK)
}

/// Renders the template of `kind` for `version`, filled from git and the config.
pub fn render_plan(
    ws: &Workspace,
    kind: Kind,
    version: &str,
    lang: Lang,
    date: String,
) -> Result<String> {
    let placeholder = match lang {
        Lang::En => "(to fill in)",
        Lang::ZhCn => "（待填写）",
    };
    let first = |names: &[String]| {
        names
            .first()
            .cloned()
            .unwrap_or_else(|| placeholder.to_string())
    };
    let tags = ws.release_tags()?;
    let previous = plan::check::previous_release(&tags, version);
    let commits = ws.repo.first_parent_since(previous.as_deref(), 200)?;
    // Merges say what came in (one per reviewed PR); without any, every commit does.
    let merges: Vec<_> = commits.iter().filter(|c| c.is_merge()).collect();
    let listed = if merges.is_empty() {
        commits.iter().collect()
    } else {
        merges
    };
    let data = render::Data {
        version: version.to_string(),
        service: ws
            .top
            .file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
            .unwrap_or_else(|| placeholder.to_string()),
        date,
        owner: first(&ws.config.people.owners),
        tech_lead: first(&ws.config.people.tech_leads),
        qa: first(&ws.config.people.qa),
        rollback_to: previous.unwrap_or_else(|| "none".to_string()),
        // An emergency plan is written after the window: it names the last window's
        // incident (from the audit log; the window itself may be closed by now).
        incident: crate::emergency::Store::new(&ws.repo.common_dir())
            .log()?
            .into_iter()
            .rev()
            .find(|e| e.action == "start")
            .and_then(|e| e.incident)
            // Else the server's log, when this clone fetched `refs/shipgate/*`.
            .or_else(|| {
                crate::records::audit_log(&ws.repo)
                    .ok()?
                    .into_iter()
                    .rev()
                    .find(|e| e.action == crate::records::ACTION_EMERGENCY)
                    .and_then(|e| e.incident)
            })
            .unwrap_or_else(|| placeholder.to_string()),
        changes: listed
            .into_iter()
            .map(|c| render::Change {
                id: c.id.short().to_string(),
                subject: c.summary.clone(),
            })
            .collect(),
    };
    let (name, template) = ws.template(&render::file_name(kind, lang))?;
    render::render(&name, &template, &data)
}

#[derive(Serialize)]
struct Report<'a> {
    schema: u32,
    file: String,
    version: &'a str,
    kind: &'static str,
    stage: &'static str,
    passes: bool,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    line: usize,
    item: Option<&'a str>,
    rule: &'static str,
    message: String,
}

pub fn check(ctx: &Context, args: &PlanCheckArgs) -> Result<u8> {
    let ws = Workspace::open(ctx, args.repo.as_deref())?;
    let path = match &args.version {
        Some(version) => ws.plan_path(version),
        None => newest_plan(&ws)?,
    };
    let plan = ws.load(&path)?;
    let tags = ws.release_tags()?;
    let findings = plan::check(
        &plan,
        &plan::Context {
            config: &ws.config,
            tags: &tags,
        },
        args.stage,
    );
    let ui = ctx.ui();
    let shown = ws.shown(&path);
    match args.format {
        Format::Json => {
            let report = Report {
                schema: 1,
                file: shown.clone(),
                version: &plan.meta.version,
                kind: plan.meta.kind.name(),
                stage: args.stage.name(),
                passes: findings.is_empty(),
                findings: findings
                    .iter()
                    .map(|f| JsonFinding {
                        line: f.line,
                        item: f.item.as_deref(),
                        rule: f.rule,
                        message: ui.text(&f.message),
                    })
                    .collect(),
            };
            let json = serde_json::to_string_pretty(&report).expect("a report serializes");
            ui.line(&json);
        }
        Format::Text => report_text(ctx, &shown, &plan, &findings, args.stage),
    }
    Ok(if findings.is_empty() {
        EXIT_OK
    } else {
        EXIT_REFUSED
    })
}

fn report_text(
    ctx: &Context,
    shown: &str,
    plan: &Plan,
    findings: &[PlanFinding],
    stage: plan::Stage,
) {
    let ui = ctx.ui();
    if findings.is_empty() {
        ui.say(&Msg::PlanPasses {
            path: shown.to_string(),
            stage: stage.name().into(),
        });
        return;
    }
    for finding in findings {
        ui.plan_finding(shown, finding);
    }
    ui.error(&Msg::PlanProblems {
        path: shown.to_string(),
        stage: stage.name().into(),
        count: findings.len().to_string(),
    });
    ui.hint(&Msg::HintPlanFill {
        version: plan.meta.version.clone(),
        stage: stage.name().into(),
    });
}

/// The plan with the highest version in the plan directory.
fn newest_plan(ws: &Workspace) -> Result<PathBuf> {
    let entries = match fs::read_dir(&ws.dir) {
        Ok(entries) => entries,
        Err(_) => {
            return Err(Error::new(Msg::PlanNone {
                dir: ws.shown(&ws.dir),
            })
            .hint(Msg::HintPlanNew))
        }
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_suffix(".md")?;
            plan::check::parse_version(version).map(|v| (v, e.path()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, path)| path)
        .ok_or_else(|| {
            Error::new(Msg::PlanNone {
                dir: ws.shown(&ws.dir),
            })
            .hint(Msg::HintPlanNew)
        })
}
