//! `shipgate ci`: the CI front door. It reads which event the job runs for (a pull or
//! merge request, a push, a tag), turns it into the ref update the server takes or would
//! take, judges that update with the hooks' rules as the server had it before the event,
//! and reports in the CI's own format: annotations on GitHub, a code-quality report on
//! GitLab. Unlike a hook, nothing here can be skipped: no emergency window counts.

use std::path::Path;

use crate::ci::{self, events::Event, output, Service};
use crate::cli::{CiArgs, CiFormat};
use crate::config::{self, Config, RemotePolicy};
use crate::error::{Error, Result, EXIT_OK, EXIT_REFUSED};
use crate::git::{RemoteRefs, Repo};
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::policy::{self, short_ref, Bypass, History, RefKind, RefUpdate, Side};
use crate::Context;

use super::repo_dir;

/// The remote a CI clone was made from.
const REMOTE: &str = "origin";

pub fn run(ctx: &Context, args: &CiArgs) -> Result<u8> {
    let service = ci::detect::detect(&ctx.env.ci).ok_or_else(|| {
        Error::new(Msg::CiUnknown)
            .hint(Msg::HintCiGitHub)
            .hint(Msg::HintCiGitLab)
            .hint(Msg::HintCiElsewhere)
    })?;
    let format = match (args.format, service) {
        (CiFormat::Auto, Service::GitHub) => CiFormat::Github,
        (CiFormat::Auto, Service::GitLab) => CiFormat::Gitlab,
        (format, _) => format,
    };
    let event = ci::events::read(service, &ctx.env.ci)?;
    let ui = ctx.ui();
    if let Event::Other { name } = &event {
        ui.say(&Msg::CiNothingToJudge {
            event: name.clone(),
        });
        if format == CiFormat::Gitlab {
            write_report(ctx, &args.report, &[])?;
        }
        return Ok(EXIT_OK);
    }

    let mut repo = Repo::discover(&repo_dir(args.repo.as_deref())?)?;
    if let Some(why) = repo.untrustworthy_history() {
        return Err(Error::new(Msg::CiHistoryIncomplete {
            why: Box::new(match why {
                "shallow" => Msg::WhyShallow,
                _ => Msg::WhyGrafts,
            }),
        })
        .hint(Msg::HintCiFetchDepth));
    }
    let mut view = repo.tracking_view(REMOTE)?;
    let (update, what) = match event {
        Event::Review {
            target,
            source,
            head,
            base,
            merged,
        } => {
            let update = review(&repo, &view, target, &source, &head, base, merged)?;
            (update, Msg::CiWhatReview { source })
        }
        Event::Push {
            refname,
            before,
            after,
        } => {
            let update = RefUpdate {
                refname,
                old: commit(&repo, "before", &before)?,
                new: commit(&repo, "after", &after)?,
                source: None,
            };
            (update, Msg::CiWhatPush)
        }
        Event::Other { .. } => unreachable!("handled above"),
    };
    ui.say(&Msg::CiJudging {
        what: ui.text(&what),
        refname: update.refname.clone(),
        old: update.old.short().to_string(),
        new: update.new.short().to_string(),
    });

    // The server as it was before the event: the ref at `old` (absent for a creation).
    before_event(&repo, &mut view, &update)?;
    let creates: Vec<(String, ObjectId)> = if update.is_create() {
        vec![(update.refname.clone(), update.new.clone())]
    } else {
        Vec::new()
    };
    let config = policy_before(&repo, &view, &creates)?;
    ctx.adopt(&config);
    let ui = ctx.ui();
    repo.set_view(view);
    repo.add_pushed_tags(&creates)?;

    let side = Side::Client {
        remote: Some(REMOTE),
    };
    let mut findings = policy::check_updates(
        &config,
        std::slice::from_ref(&update),
        &repo,
        side,
        Bypass::default(),
        &[],
    )?;
    // F14, as the pre-push hook applies it to the production branch.
    if !policy::refused(&findings) && RefKind::of(&config, &update.refname) == RefKind::Production {
        let accepted = policy::accepted_tips(&config, &repo, side)?;
        findings.extend(crate::check_master::gate(
            &repo, &config, &update, &accepted,
        )?);
    }

    let lang = ui.lang;
    for finding in &findings {
        let lines = match format {
            CiFormat::Github => output::github(finding, lang),
            _ => output::plain(finding, lang),
        };
        for line in lines {
            ui.line(&line);
        }
    }
    if format == CiFormat::Gitlab {
        let issues = output::code_quality(&findings, lang, config::FILE_NAME);
        write_report(ctx, &args.report, &issues)?;
    }
    let refname = short_ref(&update.refname).to_string();
    if policy::refused(&findings) {
        ui.say(&Msg::CiRefused {
            refname,
            count: findings.len().to_string(),
        });
        Ok(EXIT_REFUSED)
    } else {
        ui.say(&Msg::CiPasses { refname });
        Ok(EXIT_OK)
    }
}

/// A pull or merge request as the update of its target branch: from the target's tip to
/// the merge of the head into it. The merge the CI made is judged as it is; otherwise
/// shipgate makes the merge a reviewed PR would record (the objects only, on no ref).
fn review(
    repo: &Repo,
    view: &RemoteRefs,
    target: String,
    source: &str,
    head: &str,
    base: Option<String>,
    merged: Option<String>,
) -> Result<RefUpdate> {
    let head = commit(repo, "head", head)?;
    let source_ref = Some(format!("refs/heads/{source}"));
    if let Some(merged) = merged {
        let merged = commit(repo, "merge", &merged)?;
        let parents = repo.commit_info(&merged)?.parents;
        if parents.len() > 1 && parents[1..].contains(&head) {
            return Ok(RefUpdate {
                refname: target,
                old: parents[0].clone(),
                new: merged,
                source: source_ref,
            });
        }
    }
    let branch = short_ref(&target).to_string();
    let old = match (view.branch(&branch), base) {
        (Some(tip), _) => tip.clone(),
        (None, Some(base)) => commit(repo, "base", &base)?,
        (None, None) => {
            return Err(Error::new(Msg::CiCommitMissing {
                what: branch.clone(),
                id: format!("{REMOTE}/{branch}"),
            })
            .hint(Msg::HintCiFetchAll))
        }
    };
    let message = format!("Merge branch '{source}' into {branch}");
    let new = repo.review_merge(&old, &head, &message)?.ok_or_else(|| {
        Error::new(Msg::CiMergeConflict {
            source: source.to_string(),
            target: branch.clone(),
        })
        .hint(Msg::HintCiMergeConflict {
            target: branch.clone(),
        })
    })?;
    Ok(RefUpdate {
        refname: target,
        old,
        new,
        source: source_ref,
    })
}

/// A commit the event names, which must be in the clone (zeros stay zeros).
fn commit(repo: &Repo, what: &str, rev: &str) -> Result<ObjectId> {
    let id = match ObjectId::parse(rev) {
        Some(id) if id.is_zero() => return Ok(id),
        Some(id) => id,
        None => repo.resolve(rev)?,
    };
    if repo.has(&id)? {
        Ok(id)
    } else {
        Err(Error::new(Msg::CiCommitMissing {
            what: what.to_string(),
            id: id.to_string(),
        })
        .hint(Msg::HintCiFetchAll))
    }
}

/// Puts the updated ref back where it was before the event: a CI clone is fetched after
/// the server took the push, and what the push brings must not count as accepted.
fn before_event(repo: &Repo, view: &mut RemoteRefs, update: &RefUpdate) -> Result<()> {
    view.refs.retain(|(name, _)| *name != update.refname);
    view.peeled.remove(&update.refname);
    if !update.old.is_zero() {
        view.refs.push((update.refname.clone(), update.old.clone()));
        if update.refname.starts_with("refs/tags/") {
            if let Some(peeled) = repo.peel_to_commit(&update.old)? {
                if peeled != update.old {
                    view.peeled.insert(update.refname.clone(), peeled);
                }
            }
        }
    }
    Ok(())
}

/// The policy the server had before the event: committed on its production branch.
fn policy_before(repo: &Repo, view: &RemoteRefs, creates: &[(String, ObjectId)]) -> Result<Config> {
    match config::at_remote(repo, view, creates)? {
        RemotePolicy::Committed { config, .. } => Ok(*config),
        RemotePolicy::Defaults => Ok(Config::default()),
        RemotePolicy::Unfetched { branch, id } => Err(Error::new(Msg::CiCommitMissing {
            what: branch,
            id: id.to_string(),
        })
        .hint(Msg::HintCiFetchAll)),
    }
}

/// Writes GitLab's code-quality report (an empty list when nothing was found, so the
/// merge request shows the earlier findings as fixed).
fn write_report(ctx: &Context, path: &Path, issues: &[output::Issue]) -> Result<()> {
    let json = serde_json::to_string_pretty(issues).expect("a report serializes");
    std::fs::write(path, json + "\n").map_err(|e| Error::io(path, &e))?;
    ctx.ui().say(&Msg::CiReportWritten {
        path: path.display().to_string(),
    });
    Ok(())
}
