//! Where a repository stands, gathered in one place for `shipgate status`: the hooks
//! git will run and the binary they exec, where the policy comes from, the release in
//! preparation and how far its plan has come, the gates that are closed and why, the
//! last release's check-master verdict, and whether a server enforces the rules. It
//! returns data; `commands::status` renders it.
//!
//! The remote is asked once (`git ls-remote`, as a push of a protected branch asks it),
//! unless `offline`: then, and when the remote cannot be reached, what this clone fetched
//! stands in, and the report says so.

pub mod gates;
pub mod plans;

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::check_master::{self, Severity, Verdict};
use crate::config::{self, Config, RemotePolicy};
use crate::emergency::{Store, Window};
use crate::error::{Error, Result};
use crate::git::{self, RemoteRefs, Repo};
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::plan::{Kind, Plan};
use crate::policy::History;
use crate::records;
use crate::shim::{self, HookFile, SHIM_VERSION};

use self::gates::{Closed, Found};
use self::plans::Progress;

/// The remote whose answer counts, as for the hooks' default.
pub const REMOTE: &str = "origin";

/// Everything `shipgate status` shows.
pub struct Status {
    /// The working tree's top.
    pub root: PathBuf,
    /// The branch HEAD is on (`None` when detached).
    pub branch: Option<String>,
    pub hooks: Vec<Hook>,
    pub policy: Policy,
    /// The policy the rest was judged by.
    pub config: Config,
    /// The plan directory, relative to the top.
    pub plans_dir: String,
    /// The version after the newest release tag and plan, a patch bump: an emergency
    /// plan's.
    pub next_version: String,
    /// The plan `plan new` would most likely be asked for next: the fix (`bugfix`, a
    /// patch bump) after a rollback, else a feature release (a minor bump).
    pub suggested: (Kind, String),
    /// The newest emergency plan in the working tree, if one is being written.
    pub emergency_plan: Option<String>,
    /// Plan files that could not be read, with why.
    pub broken: Vec<(String, Error)>,
    /// How many plans the plan directory holds (read or not).
    pub plan_count: usize,
    /// The newest plan no release tag has shipped yet.
    pub preparing: Option<Prepared>,
    pub closed: Vec<Closed>,
    /// An emergency window open now (E1).
    pub window: Option<Window>,
    pub last: Option<LastRelease>,
    pub server: Server,
}

/// A client hook and what git will run for it.
pub struct Hook {
    pub name: &'static str,
    pub state: HookState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookState {
    /// shipgate's shim, current and executable; `found` is whether its binary is there.
    Installed {
        binary: PathBuf,
        found: bool,
    },
    Missing,
    /// Somebody else's hook (a hook manager may call shipgate from it).
    Foreign,
    /// A shim of another version: `shipgate install` rewrites it.
    Stale {
        version: u32,
    },
    /// shipgate's shim, not executable: git ignores it.
    NotExecutable,
}

/// Where the policy in force comes from.
pub struct Policy {
    pub source: Source,
    pub asked: Asked,
    /// The working tree's `.shipgate.toml` against the policy in force.
    pub working: WorkingCopy,
}

#[derive(Debug)]
pub enum Source {
    /// Committed on the remote's production branch, as the remote itself said
    /// (`master@1a2b3c4:.shipgate.toml`).
    Remote { source: String },
    /// The remote was asked and has no config committed where production is: defaults.
    RemoteDefaults,
    /// The remote's production branch is at a commit this clone has not fetched; the
    /// clone's own guess stands in until it is.
    RemoteUnfetched { branch: String, id: ObjectId },
    /// Not asked: the copy committed at `refname` (`refs/remotes/origin/master`).
    Committed { refname: String },
    /// Not asked and nothing committed: the working tree's file.
    WorkingTree,
    /// Nothing anywhere: the built-in defaults.
    Defaults,
}

/// Whether the remote was asked, and if not why.
pub enum Asked {
    Yes { url: String },
    Offline,
    NoRemote,
    Failed(Error),
}

pub enum WorkingCopy {
    Absent,
    Same,
    Differs,
    Invalid(Error),
}

/// The release in preparation.
pub struct Prepared {
    pub version: String,
    pub kind: Kind,
    pub file: String,
    pub progress: Progress,
}

/// The newest release and what check-master says of it.
pub struct LastRelease {
    pub tag: String,
    /// Rolled back: the version production went back to and when, as its plan records
    /// them (empty when only a rollback record says so).
    pub rolled_back: Option<RolledBack>,
    pub verdict: Result<Checked, Msg>,
    /// Its plan, and how far it has come (post-release items are due after the tag).
    pub plan: Option<(String, Progress)>,
}

pub struct RolledBack {
    pub to: String,
    pub at: String,
}

pub struct Checked {
    pub verdict: Verdict,
    pub master: String,
    pub lost: usize,
    pub review: usize,
}

/// Whether a server enforces the rules: the marker `shipgate install --server` sets,
/// `refs/shipgate/enforced`, as the remote advertises it (or as this clone fetched it
/// when the remote was not asked).
pub struct Server {
    pub enforced: Option<bool>,
    pub how: ServerHow,
    /// The remote's URL when it is a repository on this machine (so the hint can name
    /// the exact `install --server` command).
    pub local_path: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerHow {
    /// The remote's own answer.
    Advertised,
    /// This clone's copy of the remote's records (`+refs/shipgate/*:refs/shipgate/*`).
    Fetched,
    /// Not asked, and no fetched marker.
    Unknown,
    /// No remote `origin`.
    NoRemote,
}

/// Gathers the status of the repository around `dir`; `now` is the clock (for open
/// emergency windows).
pub fn gather(dir: &Path, offline: bool, now: Timestamp) -> Result<Status> {
    let location = git::locate(dir)?;
    let Some(top) = location.toplevel.clone() else {
        let path = location.common_dir.display().to_string();
        return Err(
            Error::new(Msg::StatusBare { path: path.clone() }).hint(Msg::HintStatusBare { path })
        );
    };
    let repo = Repo::discover(&top)?;
    let branch = git::current_branch(&top)?;
    let hooks = hooks(&location.hooks_dir);
    let guess = config::in_force(&repo, Some(REMOTE))?;

    // The remote's own answer, once.
    let (asked, view) = match git::push_url(&top, REMOTE)? {
        None => (Asked::NoRemote, None),
        Some(_) if offline => (Asked::Offline, None),
        Some(url) => match git::ls_remote(&repo, &top, &url) {
            Ok(view) => (Asked::Yes { url }, Some(view)),
            Err(err) => (Asked::Failed(err), None),
        },
    };
    let (source, config) = match &view {
        Some(view) => match config::at_remote(&repo, view, &[])? {
            RemotePolicy::Committed { config, source } => (Source::Remote { source }, *config),
            RemotePolicy::Defaults => (Source::RemoteDefaults, Config::default()),
            RemotePolicy::Unfetched { branch, id } => {
                (Source::RemoteUnfetched { branch, id }, guess)
            }
        },
        None => (local_source(&repo, &guess, &top)?, guess),
    };
    let working = match config::load(&top.join(config::FILE_NAME)) {
        Ok(None) => WorkingCopy::Absent,
        Ok(Some(copy)) if copy == config => WorkingCopy::Same,
        Ok(Some(_)) => WorkingCopy::Differs,
        Err(err) => WorkingCopy::Invalid(err),
    };

    // Release tags: the remote's when it answered (a tag only this clone has releases
    // nothing), else this clone's.
    let pattern = &config.tags.release;
    let tags: Vec<String> = match &view {
        Some(view) => view
            .refs
            .iter()
            .filter_map(|(name, _)| name.strip_prefix("refs/tags/"))
            .filter(|t| pattern.matches(t))
            .map(str::to_string)
            .collect(),
        None => repo.tag_names(&|t| pattern.matches(t))?,
    };

    // The plans in the working tree.
    let plans_dir = config
        .plans
        .dir
        .as_path()
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    let mut broken = Vec::new();
    let mut working_plans: Vec<(String, Plan)> = Vec::new();
    for entry in plans::read_dir(&top.join(&plans_dir), &top)? {
        match entry.plan {
            Ok(plan) => working_plans.push((entry.shown, plan)),
            Err(err) => broken.push((entry.shown, err)),
        }
    }

    // Rollback records: this clone's copies and the remote's own.
    let mut recorded = records::rolled_back(&repo)?;
    if let Some(view) = &view {
        for (name, _) in &view.records {
            if let Some(version) = records::rollback_version(name) {
                if !recorded.iter().any(|v| plans::same_version(v, version)) {
                    recorded.push(version.to_string());
                }
            }
        }
    }

    let preparing = working_plans
        .iter()
        .rev()
        .find(|(_, p)| {
            !tags.iter().any(|t| plans::same_version(t, &p.meta.version))
                && !plans::records_rollback(p)
        })
        .map(|(shown, plan)| Prepared {
            version: plan.meta.version.clone(),
            kind: plan.meta.kind,
            file: shown.clone(),
            progress: plans::progress(plan, &config, &tags),
        });

    // The gates.
    let at_tips = accepted_plans(&repo, &config, view.as_ref(), &plans_dir)?;
    let found: Vec<Found> = working_plans
        .iter()
        .map(|(shown, plan)| Found { plan, path: shown })
        .collect();
    let recorded_in: Vec<&Plan> = at_tips
        .iter()
        .chain(working_plans.iter().map(|(_, p)| p))
        .collect();
    let mut closed = gates::rollback_debts(&recorded_in, &recorded, &found, &plans_dir, &config);
    let store = Store::new(&repo.common_dir());
    let debts = gates::merge_debts(
        crate::commands::hook::emergency_debts(&store)?,
        records::debts(&records::audit_log(&repo)?),
    );
    closed.extend(gates::emergency_debts(&debts, &found, &config, &tags));
    let window = store.open_window(now)?;

    let last = last_release(&repo, &config, &working_plans, &tags, &recorded)?;
    let plan_count = working_plans.len() + broken.len();
    // The version a new plan would take: after the newest release tag and every plan
    // already written (a plan new for a version that has one is refused).
    let taken: Vec<String> = tags
        .iter()
        .cloned()
        .chain(working_plans.iter().map(|(_, p)| p.meta.version.clone()))
        .collect();
    let next_version = crate::plan::check::next_version(&taken, &|t| pattern.matches(t));
    let after_rollback = last.as_ref().is_some_and(|l| l.rolled_back.is_some());
    let kind = if after_rollback {
        Kind::Bugfix
    } else {
        Kind::Feature
    };
    let suggested = (
        kind,
        crate::plan::check::next_version_for(kind, &taken, &|t| pattern.matches(t)),
    );
    // An emergency plan being written pays the E5 debt: point at it, not at a new one.
    let emergency_plan = working_plans
        .iter()
        .filter(|(_, p)| p.meta.kind == crate::plan::Kind::Emergency)
        .map(|(_, p)| p.meta.version.clone())
        .max_by(|a, b| {
            crate::plan::check::parse_version(a).cmp(&crate::plan::check::parse_version(b))
        });
    let server = server(&repo, &top, &asked, view.as_ref())?;
    Ok(Status {
        root: top,
        branch,
        hooks,
        policy: Policy {
            source,
            asked,
            working,
        },
        config,
        next_version,
        suggested,
        emergency_plan,

        plans_dir,
        broken,
        plan_count,
        preparing,
        closed,
        window,
        last,
        server,
    })
}

fn hooks(dir: &Path) -> Vec<Hook> {
    shim::HOOKS
        .iter()
        .map(|&name| {
            let path = dir.join(name);
            let state = match shim::inspect(&path) {
                Ok(HookFile::Missing) => HookState::Missing,
                Ok(HookFile::Foreign) | Err(_) => HookState::Foreign,
                Ok(HookFile::Shim { version, .. }) if version != SHIM_VERSION => {
                    HookState::Stale { version }
                }
                Ok(HookFile::Shim { .. }) if !crate::commands::install::is_executable(&path) => {
                    HookState::NotExecutable
                }
                Ok(HookFile::Shim { binary, .. }) => HookState::Installed {
                    found: crate::commands::install::is_executable(&binary),
                    binary,
                },
            };
            Hook { name, state }
        })
        .collect()
}

/// Where this clone's own guess of the policy comes from, in the order
/// `config::in_force` looks: the production branch's committed copy (remote-tracking,
/// then local), else the working tree's file, else the defaults.
fn local_source(repo: &Repo, guess: &Config, top: &Path) -> Result<Source> {
    let production = guess.branches.production.as_str();
    if !production.contains(['*', '?', '[']) {
        for refname in [
            format!("refs/remotes/{REMOTE}/{production}"),
            format!("refs/heads/{production}"),
        ] {
            if repo.blob_at(&refname, config::FILE_NAME)?.is_some() {
                return Ok(Source::Committed { refname });
            }
        }
    }
    if top.join(config::FILE_NAME).is_file() {
        Ok(Source::WorkingTree)
    } else {
        Ok(Source::Defaults)
    }
}

/// The plans at the tips of the production and release branches the remote accepted
/// (its answer, else this clone's remote-tracking branches) that this clone has.
fn accepted_plans(
    repo: &Repo,
    config: &Config,
    view: Option<&RemoteRefs>,
    dir: &str,
) -> Result<Vec<Plan>> {
    let branches = &config.branches;
    let watched = |branch: &str| branches.production.matches(branch) || branches.is_release(branch);
    let mut tips: Vec<ObjectId> = Vec::new();
    match view {
        Some(view) => {
            for (name, id) in &view.refs {
                if name.strip_prefix("refs/heads/").is_some_and(watched) {
                    tips.push(id.clone());
                }
            }
        }
        None => {
            for name in repo.remote_branch_names()? {
                if name
                    .strip_prefix(&format!("{REMOTE}/"))
                    .is_some_and(watched)
                {
                    tips.push(repo.resolve(&format!("refs/remotes/{name}"))?);
                }
            }
        }
    }
    tips.sort();
    tips.dedup();
    let mut out = Vec::new();
    for tip in tips {
        if !repo.has(&tip)? {
            continue;
        }
        for name in repo.list_dir(&tip, dir)? {
            if !name.ends_with(".md") {
                continue;
            }
            let path = format!("{dir}/{name}");
            if let Some(bytes) = repo.read_file(&tip, &path)? {
                // One that does not parse records nothing the gates could read either.
                if let Ok(plan) = crate::plan::parse(&bytes, Path::new(&path)) {
                    out.push(plan);
                }
            }
        }
    }
    Ok(out)
}

/// The newest release tag this clone has, checked with check-master against the
/// production branch (local, else remote-tracking).
fn last_release(
    repo: &Repo,
    config: &Config,
    working: &[(String, Plan)],
    known: &[String],
    recorded: &[String],
) -> Result<Option<LastRelease>> {
    let pattern = &config.tags.release;
    let local = repo.tag_names(&|t| pattern.matches(t))?;
    let Some(tag) = local
        .iter()
        .filter(|t| known.contains(t))
        .filter_map(|t| crate::plan::check::parse_version(t).map(|v| (v, t)))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, t)| t.clone())
    else {
        return Ok(None);
    };
    let found = working
        .iter()
        .find(|(_, p)| plans::same_version(&p.meta.version, &tag));
    let plan = found.map(|(shown, p)| (shown.clone(), plans::progress(p, config, known)));
    let rolled_back = match found.and_then(|(_, p)| p.meta.rollback.as_ref()) {
        Some(rollback) => Some(RolledBack {
            to: rollback.to.trim().to_string(),
            at: rollback.at.trim().to_string(),
        }),
        None => (found.is_some_and(|(_, p)| plans::records_rollback(p))
            || recorded.iter().any(|v| plans::same_version(v, &tag)))
        .then(|| RolledBack {
            to: String::new(),
            at: String::new(),
        }),
    };
    let production = config.branches.production.as_str().to_string();
    let master = ["refs/heads/", &format!("refs/remotes/{REMOTE}/")]
        .iter()
        .map(|prefix| format!("{prefix}{production}"))
        .find(|name| repo.resolve(name).is_ok());
    let verdict = match master {
        None => Err(Msg::StatusNoProduction { branch: production }),
        Some(master) => {
            let tag_commit = repo
                .resolve(&format!("refs/tags/{tag}"))
                .or_else(|_| repo.resolve(&tag))?;
            let master_commit = repo.resolve(&master)?;
            let shown = crate::policy::short_ref(&master).to_string();
            // As `check-master` does for the newest release: with the release branches'
            // emergency fixes master lacks (E4).
            let release = repo.branches_named(&|b| config.branches.is_release(b))?;
            let plans_dir = config.plans.dir.as_path().to_string_lossy();
            let plans_dir = plans_dir.trim_end_matches('/');
            match check_master::check(
                repo,
                &tag,
                &tag_commit,
                &shown,
                &master_commit,
                &check_master::Options {
                    since: None,
                    generated: &config.check_master.generated,
                    progress: None,
                    release: &release,
                    plans: plans_dir,
                },
            ) {
                Ok(report) => Ok(Checked {
                    verdict: report.verdict,
                    master: shown,
                    lost: count(&report, Severity::Lost),
                    review: count(&report, Severity::Review),
                }),
                Err(err) => Err(*err.message),
            }
        }
    };
    Ok(Some(LastRelease {
        tag,
        rolled_back,
        verdict,
        plan,
    }))
}

fn count(report: &check_master::Report, severity: Severity) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.severity == severity)
        .count()
}

fn server(repo: &Repo, top: &Path, asked: &Asked, view: Option<&RemoteRefs>) -> Result<Server> {
    let marker = crate::server::MARKER_REF;
    let (enforced, how) = match (asked, view) {
        (Asked::NoRemote, _) => (None, ServerHow::NoRemote),
        (_, Some(view)) => (
            Some(view.records.iter().any(|(name, _)| name == marker)),
            ServerHow::Advertised,
        ),
        (_, None) => match repo.ref_target(marker)? {
            Some(_) => (Some(true), ServerHow::Fetched),
            None => (None, ServerHow::Unknown),
        },
    };
    // A remote on this machine can be named in the exact `install --server` command.
    let local_path = match git::push_url(top, REMOTE)? {
        Some(url) if !url.contains("://") => {
            let path = top.join(&url);
            path.is_dir().then(|| git::normalize(&path))
        }
        Some(url) => url
            .strip_prefix("file://")
            .map(PathBuf::from)
            .filter(|p| p.is_dir()),
        None => None,
    };
    Ok(Server {
        enforced,
        how,
        local_path,
    })
}
