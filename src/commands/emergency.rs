//! `shipgate emergency start | end | status | log`: the emergency bypass (E1) and its
//! audit log. Opening and closing are recorded too.

use jiff::Timestamp;

use crate::cli::{EmergencyRepoArgs, EmergencyStartArgs};
use crate::config;
use crate::emergency::{show_time, AuditEntry, Store, Window};
use crate::error::{Error, Result, EXIT_OK};
use crate::git::Repo;
use crate::messages::Msg;
use crate::ui::Tone;
use crate::Context;

use super::repo_dir;

fn open(args: &EmergencyRepoArgs) -> Result<Repo> {
    Repo::discover(&repo_dir(args.repo.as_deref())?)
}

pub fn start(ctx: &Context, args: &EmergencyStartArgs) -> Result<u8> {
    let repo = open(&args.repo)?;
    let config = config::in_force(&repo, None)?;
    ctx.adopt(&config);
    let duration = match &args.duration {
        Some(text) => config::parse_duration(text).map_err(|detail| {
            Error::new(Msg::EmergencyBadDuration {
                value: text.clone(),
                detail,
            })
            .hint(Msg::HintDuration)
        })?,
        None => config.emergency.window.duration(),
    };
    let store = Store::new(&repo.common_dir());
    let now = ctx.env.now();
    if let Some(open) = store.open_window(now)? {
        return Err(Error::new(Msg::EmergencyAlreadyOpen {
            until: show_time(open.until),
            reason: open.reason,
        })
        .hint(Msg::HintEmergencyEnd));
    }
    let by = who(ctx, &repo);
    let window = Window {
        started: now,
        until: now.checked_add(duration).map_err(|e| {
            Error::new(Msg::EmergencyBadDuration {
                value: duration.to_string(),
                detail: Msg::verbatim(e.to_string()),
            })
        })?,
        reason: args.reason.clone(),
        incident: args.incident.clone(),
        by: by.clone(),
    };
    store.save(&window)?;
    store.append(&entry(&window, &by, "start", now))?;
    let ui = ctx.ui();
    ui.warning(&Msg::EmergencyStarted {
        until: show_time(window.until),
    });
    ui.hint(&Msg::HintEmergencyDebt);
    Ok(EXIT_OK)
}

pub fn end(ctx: &Context, args: &EmergencyRepoArgs) -> Result<u8> {
    let repo = open(args)?;
    let store = Store::new(&repo.common_dir());
    let ui = ctx.ui();
    let now = ctx.env.now();
    match store.window()? {
        Some(window) => {
            store.clear()?;
            if window.is_open(now) {
                store.append(&entry(&window, &who(ctx, &repo), "end", now))?;
                ui.say(&Msg::EmergencyEnded);
            } else {
                ui.say(&Msg::EmergencyExpired {
                    at: show_time(window.until),
                });
            }
        }
        None => ui.say(&Msg::EmergencyNoneOpen),
    }
    Ok(EXIT_OK)
}

pub fn status(ctx: &Context, args: &EmergencyRepoArgs) -> Result<u8> {
    let repo = open(args)?;
    let store = Store::new(&repo.common_dir());
    let ui = ctx.ui();
    match store.window()? {
        Some(w) if w.is_open(ctx.env.now()) => ui.warning(&Msg::EmergencyStatus {
            until: show_time(w.until),
            reason: w.reason,
            by: w.by,
            started: show_time(w.started),
        }),
        Some(w) => ui.say(&Msg::EmergencyExpired {
            at: show_time(w.until),
        }),
        None => ui.say(&Msg::EmergencyNoneOpen),
    }
    Ok(EXIT_OK)
}

pub fn log(ctx: &Context, args: &EmergencyRepoArgs) -> Result<u8> {
    let repo = open(args)?;
    let entries = Store::new(&repo.common_dir()).log()?;
    let ui = ctx.ui();
    if entries.is_empty() {
        ui.say(&Msg::EmergencyLogEmpty);
        return Ok(EXIT_OK);
    }
    let header = [
        Msg::ColumnWhen,
        Msg::ColumnWho,
        Msg::ColumnAction,
        Msg::ColumnRef,
        Msg::ColumnOldNew,
        Msg::ColumnReason,
    ]
    .iter()
    .map(|m| ui.text(m))
    .collect::<Vec<_>>();
    let short = |id: &str| id.get(..7).unwrap_or(id).to_string();
    let rows: Vec<Vec<(String, Tone)>> = entries
        .iter()
        .map(|e| {
            let change = if e.refname.is_empty() {
                String::new()
            } else {
                let old = if e.old.is_empty() {
                    "-".into()
                } else {
                    short(&e.old)
                };
                let new = if e.new.is_empty() {
                    "-".into()
                } else {
                    short(&e.new)
                };
                format!("{old} → {new}")
            };
            let reason = match &e.incident {
                Some(id) => format!("{} [{id}]", e.reason),
                None => e.reason.clone(),
            };
            vec![
                (show_time(e.when), Tone::Plain),
                (e.who.clone(), Tone::Plain),
                (e.action.clone(), Tone::Warn),
                (
                    crate::policy::short_ref(&e.refname).to_string(),
                    Tone::Plain,
                ),
                (change, Tone::Plain),
                (reason, Tone::Plain),
            ]
        })
        .collect();
    ui.table(&header, &rows);
    Ok(EXIT_OK)
}

/// Who acts, as git would name them: its environment, its config, then the login.
pub fn who(ctx: &Context, repo: &Repo) -> String {
    ctx.env
        .ident
        .clone()
        .or_else(|| repo.user())
        .or_else(|| ctx.env.user.clone())
        .unwrap_or_else(|| "unknown".to_string())
}

fn entry(window: &Window, who: &str, action: &str, now: Timestamp) -> AuditEntry {
    AuditEntry {
        when: now,
        who: who.to_string(),
        action: action.to_string(),
        refname: String::new(),
        old: String::new(),
        new: String::new(),
        reason: window.reason.clone(),
        incident: window.incident.clone(),
    }
}
