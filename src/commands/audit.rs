//! `shipgate audit`: the team's records as the server holds them under `refs/shipgate/`:
//! the audit log (emergency pushes, rollback records published) and the rollback
//! records. Works on the server's bare repository, and on a clone that fetched
//! `+refs/shipgate/*:refs/shipgate/*`.

use serde::Serialize;

use crate::cli::{AuditArgs, Format};
use crate::emergency::show_time;
use crate::error::{Result, EXIT_OK};
use crate::git::Repo;
use crate::messages::Msg;
use crate::records::{self, AuditRecord, RollbackRecord};
use crate::ui::Tone;
use crate::Context;

use super::repo_dir;

#[derive(Serialize)]
struct Report {
    schema: u32,
    audit: Vec<AuditRecord>,
    rollbacks: Vec<Rollback>,
}

#[derive(Serialize)]
struct Rollback {
    #[serde(rename = "ref")]
    refname: String,
    /// `None` when the ref does not point at a readable record.
    record: Option<RollbackRecord>,
}

pub fn run(ctx: &Context, args: &AuditArgs) -> Result<u8> {
    let repo = Repo::discover(&repo_dir(args.repo.as_deref())?)?;
    let audit = records::audit_log(&repo)?;
    let mut rollbacks = Vec::new();
    for (refname, id) in repo.refs_under(records::ROLLBACK_PREFIX)? {
        let record = repo
            .small_blob(&id, records::MAX_RECORD)?
            .and_then(|bytes| RollbackRecord::parse(&bytes));
        rollbacks.push(Rollback { refname, record });
    }
    let ui = ctx.ui();
    if args.format == Format::Json {
        let report = Report {
            schema: 1,
            audit,
            rollbacks,
        };
        ui.line(&serde_json::to_string_pretty(&report).expect("a report serializes"));
        return Ok(EXIT_OK);
    }
    if audit.is_empty() {
        ui.say(&Msg::AuditEmpty);
        ui.hint(&Msg::HintAuditFetch);
    } else {
        let header = [
            Msg::ColumnWhen,
            Msg::ColumnWho,
            Msg::ColumnAction,
            Msg::ColumnRef,
            Msg::ColumnOldNew,
            Msg::ColumnReason,
            Msg::ColumnIncident,
        ]
        .iter()
        .map(|m| ui.text(m))
        .collect::<Vec<_>>();
        let short = |id: &str| {
            if id.bytes().all(|b| b == b'0') {
                "-".to_string()
            } else {
                id.get(..7).unwrap_or(id).to_string()
            }
        };
        let mut rows: Vec<Vec<(String, Tone)>> = Vec::new();
        for entry in &audit {
            for change in &entry.refs {
                rows.push(vec![
                    (show_time(entry.when), Tone::Plain),
                    (entry.who.clone(), Tone::Plain),
                    (entry.action.clone(), Tone::Warn),
                    (
                        crate::policy::short_ref(&change.refname).to_string(),
                        Tone::Plain,
                    ),
                    (
                        format!("{} → {}", short(&change.old), short(&change.new)),
                        Tone::Plain,
                    ),
                    (entry.reason.clone(), Tone::Plain),
                    (
                        entry.incident.clone().unwrap_or_else(|| "-".into()),
                        Tone::Plain,
                    ),
                ]);
            }
        }
        ui.table(&header, &rows);
    }
    for rollback in &rollbacks {
        let line = match &rollback.record {
            Some(r) => format!(
                "{}: {} → {} ({}, {}): {}",
                rollback.refname, r.version, r.to, r.at, r.by, r.reason
            ),
            None => format!("{}: ?", rollback.refname),
        };
        ui.line(&line);
    }
    Ok(EXIT_OK)
}
