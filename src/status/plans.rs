//! The plans in a plan directory and how far each has come: the stage it passes, the
//! next stage and what that stage still needs, and its state (draft, released, rolled
//! back, analysis owed). Read from the working tree, as `plan check` reads them.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::plan::{self, check::parse_version, Plan, PlanFinding, Stage};

/// One file of the plan directory: parsed, or why it could not be.
pub struct Listed {
    /// The path as a person reads it (relative to the repository's top).
    pub shown: String,
    /// The version its file name says (`v1.2.0` of `v1.2.0.md`).
    pub version: String,
    pub plan: std::result::Result<Plan, Error>,
}

/// Every `<version>.md` directly in `dir`, sorted by version (oldest first); other
/// files and folders (`templates/`) are not plans. A missing directory has none.
pub fn read_dir(dir: &Path, top: &Path) -> Result<Vec<Listed>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, &e)),
    };
    let mut found: Vec<(semver::Version, Listed)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(version) = name.strip_suffix(".md") else {
            continue;
        };
        let Some(parsed) = parse_version(version) else {
            continue;
        };
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let shown = path
            .strip_prefix(top)
            .unwrap_or(&path)
            .display()
            .to_string();
        let plan = read(&path).and_then(|bytes| plan::parse(&bytes, Path::new(&shown)));
        found.push((
            parsed,
            Listed {
                shown,
                version: version.to_string(),
                plan,
            },
        ));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found.into_iter().map(|(_, listed)| listed).collect())
}

/// At most one byte more than a plan may have: enough for the parser to refuse a huge
/// file without holding all of it.
fn read(path: &PathBuf) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| {
            f.take(plan::MAX_PLAN_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| Error::io(path, &e))?;
    Ok(bytes)
}

/// How far a plan has come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The last stage it passes (every stage before it passes too); `None` before the
    /// first.
    pub reached: Option<Stage>,
    /// The first stage it does not pass yet, and what that stage still needs.
    pub next: Option<(Stage, Vec<PlanFinding>)>,
}

/// The stages in their order, as `plan check --stage` names them.
pub fn stages() -> Vec<Stage> {
    <Stage as clap::ValueEnum>::value_variants().to_vec()
}

/// How far `plan` has come. A rolled-back plan's problem analysis (R3, R4) is a state of
/// its own, not a stage: its findings are left out here.
pub fn progress(plan: &Plan, config: &Config, tags: &[String]) -> Progress {
    let ctx = plan::Context { config, tags };
    let mut reached = None;
    for stage in stages() {
        let missing: Vec<PlanFinding> = plan::check(plan, &ctx, stage)
            .into_iter()
            .filter(|f| !matches!(f.rule, "R3" | "R4"))
            .collect();
        if !missing.is_empty() {
            return Progress {
                reached,
                next: Some((stage, missing)),
            };
        }
        reached = Some(stage);
    }
    Progress {
        reached,
        next: None,
    }
}

/// Where a plan's release stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// No release tag of its version yet.
    Draft,
    /// Its release tag exists.
    Released,
    /// Rolled back, its problem analysis written and confirmed.
    RolledBack,
    /// Rolled back, and its problem analysis is not written or not confirmed (R3, R4):
    /// nothing is released until it is.
    AnalysisOwed,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Released => "released",
            State::RolledBack => "rolled-back",
            State::AnalysisOwed => "analysis-owed",
        }
    }
}

/// Whether a plan records a rollback: `shipgate rollback` writes both marks, and the
/// gates take either one (see `policy::plans`).
pub fn records_rollback(plan: &Plan) -> bool {
    plan.meta.rollback.is_some()
        || plan.meta.status.as_deref().map(str::trim) == Some("rolled-back")
}

/// The state of `plan`: `recorded` are the versions with a rollback record
/// (`refs/shipgate/rollback/<version>`), `tags` the release tags that exist.
pub fn state(plan: &Plan, config: &Config, tags: &[String], recorded: &[String]) -> State {
    let version = &plan.meta.version;
    let rolled_back = records_rollback(plan) || recorded.iter().any(|v| same_version(v, version));
    if rolled_back {
        let complete =
            plan.meta.rollback.is_some() && plan::check::analysis_problems(plan, config).is_empty();
        return if complete {
            State::RolledBack
        } else {
            State::AnalysisOwed
        };
    }
    if tags.iter().any(|t| same_version(t, version)) {
        State::Released
    } else {
        State::Draft
    }
}

/// `v2.3.0` and `2.3.0` name the same release.
pub fn same_version(a: &str, b: &str) -> bool {
    a == b || (parse_version(a).is_some() && parse_version(a) == parse_version(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(front: &str, body: &str) -> Plan {
        let text = format!("---\n{front}---\n{body}");
        plan::parse(text.as_bytes(), Path::new("docs/releases/v1.1.0.md")).unwrap()
    }

    const BUGFIX: &str = "kind: bugfix\nversion: v1.1.0\nservice: s\nowner: zs\ntech_lead: ls\n\
        approvals: [zs, ls]\nrollback_to: v1.0.0\nobserved_minutes: 7\n";

    fn config() -> Config {
        let mut config = Config::default();
        config.people.owners = vec!["zs".into()];
        config.people.tech_leads = vec!["ls".into()];
        config
    }

    fn items(ids: &[&str], ticked: bool) -> String {
        ids.iter()
            .map(|id| {
                format!(
                    "- [{}] item <!-- id: {id} -->\n",
                    if ticked { "x" } else { " " }
                )
            })
            .collect()
    }

    #[test]
    fn the_stage_reached_is_the_last_that_passes() {
        let tags = vec!["v1.0.0".to_string()];
        let config = config();
        // Nothing ticked: a bug fix passes submit-test (nothing due), not release.
        let all: Vec<&str> = plan::ITEMS
            .iter()
            .filter(|i| i.kinds.contains(&plan::Kind::Bugfix))
            .map(|i| i.id)
            .collect();
        let p = plan(BUGFIX, &items(&all, false));
        let got = progress(&p, &config, &tags);
        assert_eq!(got.reached, Some(Stage::SubmitTest));
        let (next, missing) = got.next.unwrap();
        assert_eq!(next, Stage::Release);
        assert!(missing
            .iter()
            .any(|f| f.item.as_deref() == Some("release-pr-approved")));
        // Everything ticked: done.
        let p = plan(BUGFIX, &items(&all, true));
        let got = progress(&p, &config, &tags);
        assert_eq!(got.reached, stages().last().copied());
        assert_eq!(got.next, None);
        assert_eq!(state(&p, &config, &[], &[]), State::Draft);
        assert_eq!(state(&p, &config, &["v1.1.0".into()], &[]), State::Released);
        // A rollback record elsewhere makes the analysis owed.
        assert_eq!(
            state(&p, &config, &["v1.1.0".into()], &["1.1.0".into()]),
            State::AnalysisOwed
        );
    }

    #[test]
    fn a_rollback_is_owed_until_its_analysis_is_confirmed() {
        let config = config();
        let analysis: Vec<&str> = plan::ANALYSIS.iter().map(|i| i.id).collect();
        let front = |who: &str| {
            format!(
                "{BUGFIX}status: rolled-back\nrollback:\n  at: x\n  to: v1.0.0\n  reason: r\n  confirmed_by: \"{who}\"\n"
            )
        };
        let owed = plan(&front(""), &items(&analysis, true));
        assert_eq!(state(&owed, &config, &[], &[]), State::AnalysisOwed);
        let unticked = plan(&front("ls"), &items(&analysis, false));
        assert_eq!(state(&unticked, &config, &[], &[]), State::AnalysisOwed);
        let paid = plan(&front("ls"), &items(&analysis, true));
        assert_eq!(state(&paid, &config, &[], &[]), State::RolledBack);
    }
}
