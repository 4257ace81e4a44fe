//! `shipgate hook <name> [args]`: the entry point the installed shims exec.
//!
//! It parses what git handed the hook (reading all of standard input, so git never dies
//! of SIGPIPE), reads the policy in force and any open emergency window, asks the policy
//! engine, prints the findings and records what an emergency window let through.

use jiff::Timestamp;

use crate::cli::HookArgs;
use crate::config::{self, Config};
use crate::emergency::{self, AuditEntry, Store, Window};
use crate::error::{Result, EXIT_OK, EXIT_REFUSED};
use crate::git::Repo;
use crate::hook::{self, HookEvent};
use crate::messages::Msg;
use crate::policy::{self, Bypass, Debt, Finding, RefKind, RefUpdate, Side};
use crate::records;
use crate::ui::Ui;
use crate::Context;

pub fn run(ctx: &Context, args: &HookArgs) -> Result<u8> {
    // The server's front door: same engine, the server's own refs and policy.
    if args.name == "pre-receive" {
        return crate::server::receive::run(ctx);
    }
    // pre-commit runs its pre-push stage with no standard input: the push comes in
    // its `PRE_COMMIT_*` variables instead (see `pre_commit_push`).
    let from_pre_commit =
        args.name == "pre-push" && args.args.first().is_some_and(|a| a == FROM_PRE_COMMIT);
    let event = if from_pre_commit {
        HookEvent::PrePush(pre_commit_push(&ctx.env)?)
    } else {
        hook::parse(&args.name, &args.args, std::io::stdin().lock())?
    };
    if let HookEvent::PrePush(push) = &event {
        if push.updates.is_empty() {
            return Ok(EXIT_OK);
        }
    }
    let mut repo = match Repo::open_from_env() {
        Ok(repo) => repo,
        Err(err) if matches!(*err.message, Msg::Sha256Unsupported { .. }) => {
            return sha256_fallback(&event, err)
        }
        Err(err) => return Err(err),
    };
    let remote = match &event {
        HookEvent::PrePush(push) => Some(push.remote.as_str()),
        _ => None,
    };
    let mut config = config::in_force(&repo, remote)?;
    ctx.adopt(&config);
    // A push of a protected ref is judged by what the remote says it has, under the
    // policy committed on the remote's production branch (see `truth`).
    let mut updates: Vec<RefUpdate> = Vec::new();
    if let HookEvent::PrePush(push) = &event {
        updates = push
            .updates
            .iter()
            .map(|u| RefUpdate {
                refname: u.remote_ref.clone(),
                old: u.remote.clone(),
                new: u.local.clone(),
                source: u.local_ref.clone(),
            })
            .collect();
        let dir = std::env::current_dir()
            .map_err(|e| crate::error::Error::io(std::path::Path::new("."), &e))?;
        if from_pre_commit {
            pre_commit_old(&repo, &config, &mut updates, &dir, &push.url)?;
        }
        let (judging, distrust) =
            super::truth::establish(&mut repo, config, &updates, &dir, &push.url, &push.remote)?;
        config = judging;
        ctx.adopt(&config);
        if policy::refused(&distrust) {
            report(&ctx.ui(), &distrust);
            return Ok(EXIT_REFUSED);
        }
    }
    let store = Store::new(&repo.common_dir());
    let now = ctx.env.now();
    let window = store.open_window(now)?;
    // E4: production merging back a release tip an emergency push set (by the audit log
    // this clone fetched; the server decides by its own) is judged as under the window.
    let merge_back = match &event {
        HookEvent::PrePush(_)
            if updates
                .iter()
                .any(|u| RefKind::of(&config, &u.refname) == RefKind::Production) =>
        {
            let tips = records::emergency_tips(&config, &records::audit_log(&repo)?);
            policy::merges_back_emergency(&config, &repo, &updates, &tips)?
        }
        HookEvent::PrePush(_) => false,
        _ => {
            let merging: Vec<crate::oid::ObjectId> = ctx
                .env
                .merging
                .iter()
                .filter_map(|(id, _)| crate::oid::ObjectId::parse(id))
                .collect();
            // Asked only during a merge: a commit on a development branch costs nothing.
            let on_production = || -> crate::error::Result<bool> {
                Ok(repo.commit_state()?.branch.is_some_and(|b| {
                    RefKind::of(&config, &format!("refs/heads/{b}")) == RefKind::Production
                }))
            };
            if !merging.is_empty() && on_production()? {
                let tips = records::emergency_tips(&config, &records::audit_log(&repo)?);
                merging.iter().any(|m| tips.contains(m))
            } else {
                false
            }
        }
    };
    let bypass = Bypass {
        emergency: window.is_some() || merge_back,
    };
    let ui = ctx.ui();
    if let Some(w) = &window {
        ui.warning(&Msg::EmergencyBanner {
            until: emergency::show_time(w.until),
            reason: w.reason.clone(),
        });
    }

    let (findings, audited) = match &event {
        HookEvent::PreCommit | HookEvent::PreMergeCommit => {
            let mut state = repo.commit_state()?;
            // During pre-merge-commit git has not written MERGE_HEAD yet; it names the
            // merged commits in its environment instead.
            if state.merge_heads.is_empty() {
                state.merge_heads = ctx
                    .env
                    .merging
                    .iter()
                    .filter_map(|(id, _)| crate::oid::ObjectId::parse(id))
                    .collect();
            }
            state.merge_source = ctx.env.merging.first().map(|(_, name)| name.clone());
            // An ordinary commit on a release branch may record a released version's
            // plan alone: read what it changes (two paths tell; a few more let a refusal
            // find the released plan among them and say how to commit it alone).
            if let Some(branch) = &state.branch {
                let kind = RefKind::of(&config, &format!("refs/heads/{branch}"));
                if kind == RefKind::Release && state.merge_heads.is_empty() {
                    state.staged = repo.staged_paths(20)?;
                }
            }
            let findings = policy::check_commit(&config, &state, &repo, bypass)?;
            let audited = match (&state.branch, &state.head) {
                (Some(branch), Some(head)) => vec![(
                    "commit",
                    RefUpdate {
                        refname: format!("refs/heads/{branch}"),
                        old: head.clone(),
                        new: policy_pending(head),
                        source: None,
                    },
                )],
                _ => Vec::new(),
            };
            (findings, audited)
        }
        HookEvent::PrePush(push) => {
            let mut findings = policy::check_updates(
                &config,
                &updates,
                &repo,
                Side::Client {
                    remote: Some(&push.remote),
                },
                bypass,
                &emergency_debts(&store)?,
            )?;
            // F14: a production update that merges a release tag must lose nothing.
            if !policy::refused(&findings) {
                let side = Side::Client {
                    remote: Some(&push.remote),
                };
                for update in &updates {
                    if RefKind::of(&config, &update.refname) == RefKind::Production {
                        let accepted = policy::accepted_tips(&config, &repo, side)?;
                        findings.extend(crate::check_master::gate(
                            &repo, &config, update, &accepted,
                        )?);
                    }
                }
            }
            (findings, updates.into_iter().map(|u| ("push", u)).collect())
        }
    };
    report(&ui, &findings);
    if policy::refused(&findings) {
        return Ok(EXIT_REFUSED);
    }
    // A release tag going out, or merged into production: how to record what happens
    // after it (F15–F22) in its plan.
    for hint in released(&config, &repo, &event, &audited, &ctx.env.merging)? {
        ui.hint(&hint);
    }
    if let Some(window) = &window {
        let who = super::emergency::who(ctx, &repo);
        record(&store, &config, &who, window, now, &audited)?;
    }
    Ok(EXIT_OK)
}

/// The argument that makes `shipgate hook pre-push` read the push from pre-commit.
const FROM_PRE_COMMIT: &str = "--from-pre-commit";

/// The push as pre-commit describes it to a `pre-push` stage hook. pre-commit passes one
/// ref only (the first one it does not skip), never a deletion, and nothing at all for a
/// push that brings no new commit (a tag of a pushed commit): the server-side hook and
/// `shipgate ci` judge those. Its `PRE_COMMIT_FROM_REF` is the remote's id only when the
/// remote has the ref; `pre_commit_old` asks the remote where it matters.
fn pre_commit_push(env: &crate::env::Env) -> Result<hook::PrePush> {
    let var = |name: &str| env.pre_commit.get(name).cloned();
    let need = |name: &str| {
        var(name).ok_or_else(|| {
            crate::error::Error::new(Msg::PreCommitVarMissing { name: name.into() })
                .hint(Msg::HintPreCommitStage)
        })
    };
    let remote = need("PRE_COMMIT_REMOTE_NAME")?;
    let url = need("PRE_COMMIT_REMOTE_URL")?;
    let remote_ref = need("PRE_COMMIT_REMOTE_BRANCH")?;
    let local_ref = var("PRE_COMMIT_LOCAL_BRANCH");
    // A push of a whole new history (its root commit included) comes without refs.
    let local = match var("PRE_COMMIT_TO_REF") {
        Some(to) => crate::oid::ObjectId::parse(&to),
        None => None,
    };
    let local = match local {
        Some(id) => id,
        None => Repo::open_from_env()?.resolve(local_ref.as_deref().unwrap_or(&remote_ref))?,
    };
    let remote_id = var("PRE_COMMIT_FROM_REF")
        .and_then(|id| crate::oid::ObjectId::parse(&id))
        .unwrap_or_else(|| crate::oid::ObjectId::zero(local.as_str().len()));
    Ok(hook::PrePush {
        remote,
        url,
        updates: vec![hook::PushUpdate {
            local_ref,
            local,
            remote_ref,
            remote: remote_id,
        }],
    })
}

/// For a protected ref, what the remote itself says the ref is at: pre-commit's
/// `PRE_COMMIT_FROM_REF` is some older commit of the pushed history when the remote
/// lacks the ref (or this clone lacks the remote's commit), which must not pass for the
/// remote's value. Other refs keep it: no rule reads their old value.
fn pre_commit_old(
    repo: &Repo,
    config: &Config,
    updates: &mut [RefUpdate],
    dir: &std::path::Path,
    url: &str,
) -> Result<()> {
    let protected = super::truth::protected_by(config);
    if !updates.iter().any(|u| protected(&u.refname)) {
        return Ok(());
    }
    let view = crate::git::ls_remote(repo, dir, url)?;
    for update in updates.iter_mut().filter(|u| protected(&u.refname)) {
        update.old = view
            .refs
            .iter()
            .find(|(name, _)| *name == update.refname)
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| crate::oid::ObjectId::zero(update.new.as_str().len()));
    }
    Ok(())
}

/// libgit2 cannot read SHA-256 repositories yet. What touches no protected branch or
/// release tag needs no history and goes through; anything else fails closed with the
/// error, which says so and where the check can run instead.
fn sha256_fallback(event: &HookEvent, err: crate::error::Error) -> Result<u8> {
    // The working tree's file may only add protection: a ref the defaults protect stays
    // protected whatever an uncommitted edit says (and a config git reads but libgit2
    // cannot, like `extensions.compatObjectFormat`, must not open a way around that).
    let config = config::load(std::path::Path::new(config::FILE_NAME))?.unwrap_or_default();
    let protected = super::truth::protected_by(&config);
    let touches = match event {
        HookEvent::PreCommit | HookEvent::PreMergeCommit => {
            match crate::git::current_branch(std::path::Path::new("."))? {
                Some(branch) => protected(&format!("refs/heads/{branch}")),
                None => false,
            }
        }
        HookEvent::PrePush(push) => push.updates.iter().any(|u| protected(&u.remote_ref)),
    };
    if touches {
        Err(err)
    } else {
        Ok(EXIT_OK)
    }
}

/// The hints after a release: a release tag this push creates, or a merge of one into the
/// production branch (`git merge` names what it merges in `GITHEAD_*`).
fn released(
    config: &Config,
    repo: &Repo,
    event: &HookEvent,
    actions: &[(&str, RefUpdate)],
    merging: &[(String, String)],
) -> Result<Vec<Msg>> {
    let mut hints = Vec::new();
    match event {
        HookEvent::PrePush(push) => {
            let remote = if policy::is_remote_name(&push.remote) {
                push.remote.as_str()
            } else {
                "origin"
            };
            for (_, update) in actions {
                if update.is_create() && RefKind::of(config, &update.refname) == RefKind::ReleaseTag
                {
                    let tag = policy::short_ref(&update.refname);
                    hints.extend(policy::post_release_hints(config, repo, tag, remote)?);
                }
            }
        }
        HookEvent::PreMergeCommit | HookEvent::PreCommit => {
            // Only a merge of what looks like a release tag costs a look at the branch.
            let Some(tag) = merging
                .first()
                .map(|(_, name)| name.clone())
                .filter(|name| config.tags.release.matches(name))
            else {
                return Ok(hints);
            };
            let state = repo.commit_state()?;
            let on_production = state.branch.as_ref().is_some_and(|b| {
                RefKind::of(config, &format!("refs/heads/{b}")) == RefKind::Production
            });
            if on_production {
                hints.extend(policy::post_release_hints(config, repo, &tag, "origin")?);
            }
        }
    }
    Ok(hints)
}

pub fn report(ui: &Ui, findings: &[Finding]) {
    for finding in findings {
        ui.finding(finding);
    }
}

/// Emergency windows that were used (a commit or push recorded under them): each owes
/// an emergency plan (E5).
pub(crate) fn emergency_debts(store: &Store) -> Result<Vec<Debt>> {
    let mut debts: Vec<Debt> = Vec::new();
    let mut current: Option<Debt> = None;
    for entry in store.log()? {
        match entry.action.as_str() {
            "start" => {
                current = Some(Debt {
                    date: entry
                        .when
                        .to_zoned(jiff::tz::TimeZone::UTC)
                        .date()
                        .to_string(),
                    incident: entry.incident.clone(),
                })
            }
            "commit" | "push" => {
                if let Some(debt) = current.take() {
                    debts.push(debt);
                }
            }
            _ => {}
        }
    }
    Ok(debts)
}

/// The new id of a commit not made yet: all zeros of the same width.
fn policy_pending(head: &crate::oid::ObjectId) -> crate::oid::ObjectId {
    crate::oid::ObjectId::zero(head.as_str().len())
}

/// Appends what an open emergency window let through to the audit log: every commit and
/// push that touches a release or production branch.
fn record(
    store: &Store,
    config: &Config,
    who: &str,
    window: &Window,
    now: Timestamp,
    actions: &[(&str, RefUpdate)],
) -> Result<()> {
    for (action, update) in actions {
        let kind = RefKind::of(config, &update.refname);
        if !matches!(kind, RefKind::Release | RefKind::Production) {
            continue;
        }
        let show = |id: &crate::oid::ObjectId| {
            if id.is_zero() {
                String::new()
            } else {
                id.to_string()
            }
        };
        store.append(&AuditEntry {
            when: now,
            who: who.to_string(),
            action: action.to_string(),
            refname: update.refname.clone(),
            old: show(&update.old),
            new: show(&update.new),
            reason: window.reason.clone(),
            incident: window.incident.clone(),
        })?;
    }
    Ok(())
}
