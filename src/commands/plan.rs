//! `shipgate plan new` and `shipgate plan check`: render a release plan from its
//! template, and say what it still needs before a stage (or, without one, before the
//! next stage it has not passed, grouped by stage).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::{Format, PlanCheckArgs, PlanNewArgs};
use crate::config::{self, Config};
use crate::error::{io_at, Error, Result, EXIT_OK, EXIT_REFUSED};
use crate::git::Repo;
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::plan::{self, render, Kind, Plan, PlanFinding, Stage};
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
                let version = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Error::new(Msg::PlanMissing {
                    path: self.shown(path),
                })
                .hint(Msg::HintPlanNew {
                    kind: Kind::Feature.name().into(),
                    version,
                })
            } else {
                Error::io(path, &e)
            }
        })?;
        plan::parse(&bytes, Path::new(&self.shown(path)))
    }

    /// Every plan directly in the plans directory of the working tree that parses (one
    /// that does not is `plan check`'s to report, not a reason to stop here).
    pub fn plans(&self) -> Vec<Plan> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
            .collect();
        names.sort();
        names.iter().filter_map(|p| self.load(p).ok()).collect()
    }

    /// What production can go back to (F16): the release tags and the emergency
    /// releases, less every rolled-back release (its plan here records the rollback, or
    /// the remote's rollback record, fetched as `refs/shipgate/rollback/<version>`, names
    /// it).
    pub fn rollback_targets(&self) -> Result<Vec<String>> {
        let tags = self.release_tags()?;
        let recorded = crate::records::rolled_back(&self.repo)?;
        Ok(plan::check::rollback_targets(
            &tags,
            &self.plans(),
            &recorded,
        ))
    }

    /// The version after the newest release tag a plan of `kind` would take, spelled to
    /// match the tag pattern.
    pub fn next_version(&self, kind: Kind) -> Result<String> {
        let tags = self.release_tags()?;
        Ok(plan::check::next_version_for(kind, &tags, &|t| {
            self.config.tags.release.matches(t)
        }))
    }

    /// Refuses (exit 2) a version that is no release version here: not like v1.2.3, or
    /// not matching the tag pattern. The hint gives the spelling that does match, when
    /// one does (`2.3.0` for `v*` is `v2.3.0`), as the command `retry` builds from it.
    pub fn check_version(&self, version: &str, retry: &dyn Fn(&str) -> String) -> Result<()> {
        let pattern = &self.config.tags.release;
        let fits = |v: &str| plan::check::parse_version(v).is_some() && pattern.matches(v);
        if fits(version) {
            return Ok(());
        }
        let other = match version.strip_prefix('v') {
            Some(bare) => bare.to_string(),
            None => format!("v{version}"),
        };
        let error = Error::new(Msg::PlanVersionPattern {
            version: version.to_string(),
            pattern: pattern.to_string(),
        });
        Err(if fits(&other) {
            error.hint(Msg::HintVersionLike {
                command: retry(&other),
            })
        } else {
            error.hint(Msg::HintVersionTags {
                pattern: pattern.to_string(),
            })
        })
    }

    /// The service's name: the basename of `origin`'s URL without `.git`
    /// (`git@host:team/order-api.git` → `order-api`), else the repository's folder name.
    pub fn service(&self) -> Result<Option<String>> {
        let url = self
            .repo
            .config_entries()?
            .into_iter()
            .find(|(k, _)| k == "remote.origin.url")
            .map(|(_, v)| v);
        let from_url = url.and_then(|url| {
            let url = url.trim().trim_end_matches('/');
            let base = url.rsplit(['/', ':', '\\']).next()?;
            let base = base.strip_suffix(".git").unwrap_or(base);
            (!base.is_empty()).then(|| base.to_string())
        });
        Ok(from_url.or_else(|| {
            self.top
                .file_name()
                .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
        }))
    }
}

pub fn new(ctx: &Context, args: &PlanNewArgs) -> Result<u8> {
    let ws = Workspace::open(ctx, args.repo.as_deref())?;
    let lang = ctx.lang();
    let kind = args.kind.name();
    ws.check_version(&args.version, &|v| {
        format!("shipgate plan new --kind {kind} --version {v}")
    })?;
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
                .header(
                    &shown,
                    &ui.text(&Msg::PlanDiffFresh {
                        path: shown.clone(),
                    }),
                )
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
    // The previous release: what production runs before this one and goes back to if
    // it must (emergency releases count, rolled-back ones do not).
    let targets = ws.rollback_targets()?;
    let previous = plan::check::previous_release(&targets, version);
    // The fixes and features since then: the commits that are not merges and change
    // more than plans. An emergency release may have no tag; then since the newest
    // tagged release before it.
    let mut older: Vec<&String> = targets
        .iter()
        .filter(|t| {
            matches!(
                (plan::check::parse_version(t), plan::check::parse_version(version)),
                (Some(t), Some(v)) if t < v
            )
        })
        .collect();
    older.sort_by_key(|t| std::cmp::Reverse(plan::check::parse_version(t)));
    let since = older.iter().find_map(|t| ws.repo.resolve(t).ok());
    let plans_dir = ws.config.plans.dir.as_path().to_string_lossy().to_string();
    let changes = ws.repo.changes_since(since.as_ref(), &plans_dir, 200)?;
    // The last emergency: its incident and reason, for an emergency plan written after
    // the window (the window itself may be closed by now). The clone's own log first,
    // else the server's log when this clone fetched `refs/shipgate/*`.
    let emergency = crate::emergency::Store::new(&ws.repo.common_dir())
        .log()?
        .into_iter()
        .rev()
        .find(|e| e.action == "start")
        .map(|e| (e.incident, e.reason))
        .or_else(|| {
            crate::records::audit_log(&ws.repo)
                .ok()?
                .into_iter()
                .rev()
                .find(|e| e.action == crate::records::ACTION_EMERGENCY)
                .map(|e| (e.incident, e.reason))
        });
    let data = render::Data {
        version: version.to_string(),
        service: ws.service()?.unwrap_or_else(|| placeholder.to_string()),
        date,
        owner: first(&ws.config.people.owners),
        tech_lead: first(&ws.config.people.tech_leads),
        qa: first(&ws.config.people.qa),
        rollback_to: previous.unwrap_or_else(|| "none".to_string()),
        incident: emergency
            .as_ref()
            .and_then(|(incident, _)| incident.clone())
            .unwrap_or_else(|| placeholder.to_string()),
        reason: emergency
            .map(|(_, reason)| reason)
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| placeholder.to_string()),
        changes: changes
            .into_iter()
            .map(|c| render::Change {
                id: c.id.short().to_string(),
                subject: c.summary.clone(),
            })
            .collect(),
    };
    let (name, template) = ws.template(&render::file_name(kind, lang))?;
    let mut text = render::render(&name, &template, &data)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[derive(Serialize)]
struct Report<'a> {
    schema: u32,
    file: String,
    version: &'a str,
    kind: &'static str,
    /// The stage checked: the one asked for, or without `--stage` the next one the plan
    /// has not passed (`done` when it passes every stage).
    stage: &'static str,
    passes: bool,
    findings: Vec<JsonFinding<'a>>,
    /// Without `--stage`: every stage of the plan's kind, in order, with how many things
    /// are due by it that no earlier stage asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    stages: Option<Vec<JsonStage>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    line: usize,
    item: Option<&'a str>,
    rule: &'static str,
    message: String,
}

#[derive(Serialize)]
struct JsonStage {
    stage: &'static str,
    passes: bool,
    /// Things due by this stage that no earlier stage asked for.
    new: usize,
}

/// The stages a plan of `kind` goes through, in order: an optimisation or bug-fix release
/// has no test submission, an emergency plan is written after the fact and checked once.
fn stages_for(kind: Kind) -> &'static [Stage] {
    match kind {
        Kind::Feature => &[Stage::SubmitTest, Stage::Release, Stage::Tag, Stage::Done],
        Kind::Optimization | Kind::Bugfix => &[Stage::Release, Stage::Tag, Stage::Done],
        Kind::Emergency => &[Stage::Done],
    }
}

/// One stage's findings, and those of them no earlier stage had.
struct StageResult {
    stage: Stage,
    findings: Vec<PlanFinding>,
    new: Vec<PlanFinding>,
}

pub fn check(ctx: &Context, args: &PlanCheckArgs) -> Result<u8> {
    let ws = Workspace::open(ctx, args.repo.as_deref())?;
    let path = match &args.version {
        Some(version) => {
            ws.check_version(version, &|v| match args.stage {
                Some(stage) => format!("shipgate plan check {v} --stage {stage}"),
                None => format!("shipgate plan check {v}"),
            })?;
            ws.plan_path(version)
        }
        None => newest_plan(&ws)?,
    };
    let plan = ws.load(&path)?;
    let targets = ws.rollback_targets()?;
    let context = plan::Context {
        config: &ws.config,
        tags: &targets,
    };
    // Every stage of the kind, in order, each with what it adds.
    let mut results: Vec<StageResult> = Vec::new();
    for &stage in stages_for(plan.meta.kind) {
        let findings = plan::check(&plan, &context, stage);
        let earlier = results.last().map(|r| r.findings.as_slice()).unwrap_or(&[]);
        let new = findings
            .iter()
            .filter(|f| !earlier.contains(f))
            .cloned()
            .collect();
        results.push(StageResult {
            stage,
            findings,
            new,
        });
    }
    let (stage, findings, grouped) = match args.stage {
        Some(stage) => (stage, plan::check(&plan, &context, stage), false),
        None => {
            // The first stage not passed; `done` when every one passes.
            let next = results
                .iter()
                .find(|r| !r.findings.is_empty())
                .or(results.last())
                .expect("every kind has a stage");
            (next.stage, next.findings.clone(), true)
        }
    };
    let ui = ctx.ui();
    let shown = ws.shown(&path);
    match args.format {
        Format::Json => {
            let report = Report {
                schema: 1,
                file: shown.clone(),
                version: &plan.meta.version,
                kind: plan.meta.kind.name(),
                stage: stage.name(),
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
                stages: grouped.then(|| {
                    results
                        .iter()
                        .map(|r| JsonStage {
                            stage: r.stage.name(),
                            passes: r.findings.is_empty(),
                            new: r.new.len(),
                        })
                        .collect()
                }),
            };
            let json = serde_json::to_string_pretty(&report).expect("a report serializes");
            ui.line(&json);
        }
        Format::Text if grouped => report_grouped(ctx, &shown, &plan, &results, stage),
        Format::Text => report_text(ctx, &shown, &plan, &findings, stage),
    }
    Ok(if findings.is_empty() {
        EXIT_OK
    } else {
        EXIT_REFUSED
    })
}

fn report_text(ctx: &Context, shown: &str, plan: &Plan, findings: &[PlanFinding], stage: Stage) {
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

/// Without `--stage`: the next stage, what it still needs (grouped by the stage that
/// first asks for it), and how much each later stage adds.
fn report_grouped(ctx: &Context, shown: &str, plan: &Plan, results: &[StageResult], next: Stage) {
    let ui = ctx.ui();
    let passed: Vec<&str> = results
        .iter()
        .take_while(|r| r.findings.is_empty())
        .map(|r| r.stage.name())
        .collect();
    let due: Vec<&StageResult> = results.iter().filter(|r| r.stage <= next).collect();
    if due.last().is_some_and(|r| r.findings.is_empty()) {
        ui.say(&Msg::PlanPasses {
            path: shown.to_string(),
            stage: next.name().into(),
        });
        return;
    }
    ui.say(&if passed.is_empty() {
        Msg::PlanNextStageFirst {
            path: shown.to_string(),
            stage: next.name().into(),
        }
    } else {
        Msg::PlanNextStage {
            path: shown.to_string(),
            stage: next.name().into(),
            passed: crate::messages::list(&passed),
        }
    });
    let mut count = 0;
    for result in &due {
        if result.new.is_empty() {
            continue;
        }
        ui.say(&Msg::PlanStageGroup {
            stage: result.stage.name().into(),
            count: result.new.len().to_string(),
        });
        for finding in &result.new {
            ui.plan_finding(shown, finding);
        }
        count += result.new.len();
    }
    for later in results
        .iter()
        .filter(|r| r.stage > next && !r.new.is_empty())
    {
        ui.say(&Msg::PlanLaterStage {
            stage: later.stage.name().into(),
            count: later.new.len().to_string(),
            version: plan.meta.version.clone(),
        });
    }
    ui.error(&Msg::PlanProblems {
        path: shown.to_string(),
        stage: next.name().into(),
        count: count.to_string(),
    });
    ui.hint(&Msg::HintPlanFill {
        version: plan.meta.version.clone(),
        stage: next.name().into(),
    });
}

/// The plan with the highest version in the plan directory.
fn newest_plan(ws: &Workspace) -> Result<PathBuf> {
    let none = || -> Result<Error> {
        Ok(Error::new(Msg::PlanNone {
            dir: ws.shown(&ws.dir),
        })
        .hint(Msg::HintPlanNew {
            kind: Kind::Feature.name().into(),
            version: ws.next_version(Kind::Feature)?,
        }))
    };
    let entries = match fs::read_dir(&ws.dir) {
        Ok(entries) => entries,
        Err(_) => return Err(none()?),
    };
    match entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_suffix(".md")?;
            plan::check::parse_version(version).map(|v| (v, e.path()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
    {
        Some((_, path)) => Ok(path),
        None => Err(none()?),
    }
}
