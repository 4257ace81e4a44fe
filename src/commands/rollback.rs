//! `shipgate rollback`: name the rollback target, record the rollback in the release's
//! plan (status, time, target, reason, who) and append the problem-analysis section that
//! must be written and confirmed before the next release (R1, R3, R4). The record is
//! also published to the remote as `refs/shipgate/rollback/<version>`, so the server
//! holds the debt for every clone, whatever later happens to the plan.

use std::fs;

use crate::cli::RollbackArgs;
use crate::error::{io_at, Error, Result, EXIT_OK};
use crate::git::{self, Repo};
use crate::messages::Msg;
use crate::plan::{self, render};
use crate::records::{self, RollbackRecord};
use crate::Context;

use super::plan::Workspace;

pub fn run(ctx: &Context, args: &RollbackArgs) -> Result<u8> {
    let ws = Workspace::open(ctx, args.repo.as_deref())?;
    ws.check_version(&args.version, &|v| {
        format!(
            "shipgate rollback --version {v} --reason {}",
            crate::policy::sh_word(&args.reason)
        )
    })?;
    let path = ws.plan_path(&args.version);
    let plan = ws.load(&path)?;
    let shown = ws.shown(&path);
    if let Some(done) = &plan.meta.rollback {
        return Err(Error::new(Msg::RollbackAlready {
            path: shown,
            to: done.to.clone(),
            at: done.at.clone(),
        }));
    }
    // What production can go back to: release tags and emergency releases, never a
    // release that was itself rolled back.
    let tags = ws.rollback_targets()?;
    let target = match &args.to {
        Some(to) => {
            let older = match (
                plan::check::parse_version(to),
                plan::check::parse_version(&args.version),
            ) {
                (Some(target), Some(this)) => target < this,
                _ => false,
            };
            if !older || !tags.contains(to) {
                return Err(Error::new(Msg::RollbackBadTarget {
                    to: to.clone(),
                    version: args.version.clone(),
                }));
            }
            to.clone()
        }
        None => plan::check::previous_release(&tags, &args.version).ok_or_else(|| {
            Error::new(Msg::RollbackNoTarget {
                version: args.version.clone(),
            })
        })?,
    };
    let who = super::emergency::who(ctx, &ws.repo);
    // To the second, in this machine's time zone with its offset: a record people read.
    let at = ctx
        .env
        .now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| ctx.env.now())
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let quote = |s: &str| serde_json::to_string(s).expect("strings serialize");
    let record = format!(
        "rollback:\n  at: {}\n  to: {}\n  reason: {}\n  by: {}\n  confirmed_by: \"\"  # {}\n",
        quote(&at),
        quote(&target),
        quote(&args.reason),
        quote(&who),
        Msg::RollbackConfirmedByComment.render(ctx.lang()),
    );

    let text = fs::read_to_string(&path).map_err(io_at(&path))?;
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    // The front matter ends at the second `---` line, as the parser reads it (a `...`
    // line inside it is refused, so the plan just parsed has none).
    let closing = |lines: &[&str]| {
        lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == "---")
            .map(|i| i + 1)
            .expect("a parsed plan has a closed front matter")
    };
    let close = closing(&lines);
    let status = "status: rolled-back\n";
    match lines[..close].iter().position(|l| l.starts_with("status:")) {
        Some(i) => lines[i] = status,
        None => lines.insert(close, status),
    }
    let close = closing(&lines);
    lines.insert(close, &record);
    let mut updated = lines.concat();
    let (_, analysis) = ws.template(&render::analysis_file_name(ctx.lang()))?;
    if !updated.ends_with('\n') {
        updated.push('\n');
    }
    updated.push('\n');
    updated.push_str(&analysis);
    // What was written must still be a plan, and read back as the record written.
    let written = plan::parse(updated.as_bytes(), std::path::Path::new(&shown))?;
    let recorded = written.meta.status.as_deref() == Some("rolled-back")
        && written
            .meta
            .rollback
            .as_ref()
            .is_some_and(|r| r.to == target && r.at == at && r.reason == args.reason);
    if !recorded {
        return Err(Error::new(Msg::RollbackNotRecorded { path: shown }));
    }
    let tmp = path.with_extension("md.shipgate-tmp");
    fs::write(&tmp, &updated).map_err(io_at(&tmp))?;
    fs::rename(&tmp, &path).map_err(io_at(&path))?;

    let ui = ctx.ui();
    ui.warning(&Msg::RollbackRecorded {
        version: args.version.clone(),
        to: target.clone(),
        path: shown.clone(),
    });
    ui.hint(&Msg::HintRollbackAnalysis {
        path: shown,
        version: args.version.clone(),
    });
    let record = RollbackRecord {
        version: args.version.clone(),
        at,
        to: target,
        reason: args.reason.clone(),
        by: who,
    };
    publish(ctx, &ws.repo, &record)
}

/// The remote the rollback record goes to.
const REMOTE: &str = "origin";

/// Publishes the record as `refs/shipgate/rollback/<version>` on the remote, where every
/// clone's release is judged against it (R3). Without a remote the plan holds it alone.
fn publish(ctx: &Context, repo: &Repo, record: &RollbackRecord) -> Result<u8> {
    let ui = ctx.ui();
    if !repo.is_remote(REMOTE) {
        ui.warning(&Msg::RecordNoRemote {
            remote: REMOTE.into(),
        });
        return Ok(EXIT_OK);
    }
    let refname = format!("{}{}", records::ROLLBACK_PREFIX, record.version);
    let id = git::write_blob(&repo.common_dir(), record.to_json().as_bytes())?;
    let dir = repo.workdir().unwrap_or_else(|| repo.common_dir());
    match git::push_record(&dir, REMOTE, &id, &refname) {
        Ok(()) => {
            ui.say(&Msg::RecordPublished {
                refname,
                remote: REMOTE.into(),
            });
            Ok(EXIT_OK)
        }
        Err(detail) => Err(Error::new(Msg::RecordNotPublished {
            refname: refname.clone(),
            remote: REMOTE.into(),
            detail,
        })
        .hint(Msg::HintRecordPublish {
            remote: REMOTE.into(),
            id: id.as_str().to_string(),
            refname,
        })),
    }
}
