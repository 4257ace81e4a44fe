//! `shipgate announce start|canary|done|rollback --version V [--send | --record]`: the
//! on-call group's notice of a release moment (F17, F18, F22, R2), filled from the
//! release's plan and the config, printed always; `--send` posts it to every chat robot
//! of `.shipgate.toml` and records it in the plan; `--record` records a notice posted by
//! hand. Printing alone changes nothing, so a notice can be previewed freely.
//!
//! The plan is read and written in the working tree, as `plan check` and `rollback` do:
//! the record is an edit for the user to commit with the release's other post-release
//! records, and a rollback notice follows `shipgate rollback`'s uncommitted record.

use std::fs;

use crate::cli::AnnounceArgs;
use crate::config::Config;
use crate::error::{io_at, Error, Result, EXIT_MALFUNCTION, EXIT_OK, EXIT_REFUSED};
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::notify::{self, http::Transport, render, Moment, Outcome, Target, Webhook};
use crate::plan::{self, Plan};
use crate::Context;

use super::plan::Workspace;

pub fn run(ctx: &Context, args: &AnnounceArgs) -> Result<u8> {
    let ws = Workspace::open(ctx, args.repo.as_deref())?;
    if plan::check::parse_version(&args.version).is_none() {
        return Err(Error::new(Msg::PlanVersionInvalid {
            version: args.version.clone(),
        }));
    }
    let path = ws.plan_path(&args.version);
    let plan = ws.load(&path)?;
    let shown = ws.shown(&path);
    if plan.meta.version != args.version {
        return Err(Error::new(Msg::AnnouncePlanVersion {
            path: shown,
            found: plan.meta.version.clone(),
            version: args.version.clone(),
        }));
    }
    let text = fs::read_to_string(&path).map_err(io_at(&path))?;
    let lang = ctx.lang();
    let moment = args.moment;
    let at = ctx
        .env
        .now()
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M %:z")
        .to_string();
    let by = name_only(&super::emergency::who(ctx, &ws.repo));
    let notice = notice(&ws, &plan, &text, moment, lang, &shown, &by, &at);

    let ui = ctx.ui();
    let printed = render::render(moment, lang, &notice)?;
    ui.raw(&printed);
    if !printed.ends_with('\n') {
        ui.line("");
    }
    let hint_args = || (moment.name().to_string(), args.version.clone());

    if !args.send && !args.record {
        ui.note(&Msg::AnnouncePreview);
        let (moment, version) = hint_args();
        ui.hint(&if ws.config.notify.is_empty() {
            Msg::HintAnnounceByHand { moment, version }
        } else {
            Msg::HintAnnounceSend { moment, version }
        });
        return Ok(EXIT_OK);
    }

    let mut outcomes: Vec<(Target, Outcome)> = Vec::new();
    if args.send {
        let targets = targets(ctx, &ws.config, args)?;
        let transport = Transport::new(ctx.env.https_proxy().as_ref())
            .map_err(|detail| Error::new(Msg::AnnounceProxyInvalid { detail }))?;
        for target in targets {
            let text = render::render_within(moment, lang, &notice, target.kind.max_text_bytes())?;
            let text = text.trim_end();
            let outcome = notify::deliver(&transport, &target, text, &|| ctx.env.now());
            let robot = target.kind.name().to_string();
            let url = notify::shown_url(&target.url);
            match &outcome {
                Outcome::Delivered => ui.note(&Msg::AnnounceSent { robot, url }),
                Outcome::Refused(detail) => ui.error(&Msg::AnnounceRefused {
                    robot,
                    url,
                    detail: Box::new(detail.clone()),
                }),
                Outcome::Unreachable { detail, tries } => ui.error(&Msg::AnnounceUnreachable {
                    robot,
                    url,
                    tries: tries.to_string(),
                    detail: Box::new(detail.clone()),
                }),
            }
            outcomes.push((target, outcome));
        }
    }

    let refused = outcomes
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Refused(_)));
    let unreachable = outcomes
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Unreachable { .. }));
    let (moment_name, version) = hint_args();
    if refused {
        ui.hint(&Msg::HintAnnounceAgain {
            moment: moment_name.clone(),
            version: version.clone(),
        });
    }
    if unreachable {
        ui.hint(&Msg::HintAnnounceRetry {
            moment: moment_name,
            version,
        });
    }

    let names = |wanted: &dyn Fn(&Outcome) -> bool| {
        crate::messages::list(
            outcomes
                .iter()
                .filter(|(_, o)| wanted(o))
                .map(|(t, _)| t.kind.name()),
        )
    };
    let delivered = names(&|o| *o == Outcome::Delivered);
    let failed = names(&|o| *o != Outcome::Delivered);
    let label = ui.text(&moment.label());
    let entry = if args.record {
        Some(Msg::AnnounceEntryByHand {
            at,
            notice: label.clone(),
            by,
        })
    } else if delivered.is_empty() {
        None
    } else if failed.is_empty() {
        Some(Msg::AnnounceEntrySent {
            at,
            notice: label.clone(),
            by,
            robots: delivered,
        })
    } else {
        Some(Msg::AnnounceEntryPartial {
            at,
            notice: label.clone(),
            by,
            robots: delivered,
            failed: failed.clone(),
        })
    };
    if let Some(entry) = entry {
        // The checklist item is ticked only when the notice reached every robot (or was
        // posted by hand): a group that did not hear of the release was not told.
        let item = moment
            .item()
            .filter(|id| failed.is_empty() && plan.item(id).is_some());
        record(ctx, &path, &shown, &plan, &text, item, &ui.text(&entry))?;
        ui.note(&Msg::AnnounceRecorded {
            notice: label,
            path: shown.clone(),
        });
        if let Some(item) = item.filter(|id| plan.item(id).is_some_and(|w| !w.checked)) {
            ui.note(&Msg::AnnounceTicked {
                item: item.to_string(),
                path: shown.clone(),
            });
        }
        ui.hint(&Msg::HintAnnounceCommit { path: shown });
    }

    // Exit 1 when a robot said no; 2 when one could not be reached at all (shipgate could
    // not do its job), which outranks a refusal.
    Ok(if unreachable {
        EXIT_MALFUNCTION
    } else if refused {
        EXIT_REFUSED
    } else {
        EXIT_OK
    })
}

/// The data the notice is rendered from: the plan's front matter and change list, and
/// who announces when.
#[allow(clippy::too_many_arguments)]
fn notice(
    ws: &Workspace,
    plan: &Plan,
    text: &str,
    moment: Moment,
    lang: Lang,
    shown: &str,
    by: &str,
    at: &str,
) -> render::Notice {
    let meta = &plan.meta;
    let given = |value: &str| {
        if value.trim().is_empty() || plan::has_placeholder(value) {
            "-".to_string()
        } else {
            value.trim().to_string()
        }
    };
    let recorded = meta
        .rollback
        .as_ref()
        .filter(|_| moment == Moment::Rollback);
    let rollback_to = match recorded {
        Some(rollback) => rollback.to.clone(),
        None => meta.rollback_to.clone().unwrap_or_default(),
    };
    let service = if given(&meta.service) == "-" {
        ws.top
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "-".into())
    } else {
        given(&meta.service)
    };
    let mut changes = render::changes_of(text);
    let more = changes.len().saturating_sub(render::MAX_CHANGES);
    changes.truncate(render::MAX_CHANGES);
    let kind = meta.kind.words();
    render::Notice {
        moment: moment.name(),
        service,
        version: meta.version.clone(),
        kind: kind.render(lang),
        owner: given(&meta.owner),
        tech_lead: given(&meta.tech_lead),
        rollback_to: given(&rollback_to),
        reason: recorded.map(|r| r.reason.clone()).unwrap_or_default(),
        observed_minutes: meta.observed_minutes.unwrap_or(0).to_string(),
        changes,
        more,
        plan: shown.to_string(),
        by: by.to_string(),
        at: at.to_string(),
    }
}

/// Every configured robot with its URL and secret read from the environment, before
/// anything is sent: a robot that cannot be signed for stops the whole announcement.
fn targets(ctx: &Context, config: &Config, args: &AnnounceArgs) -> Result<Vec<Target>> {
    if config.notify.is_empty() {
        return Err(Error::new(Msg::AnnounceNoRobots).hint(Msg::HintAnnounceNoRobots));
    }
    let missing = |robot: &notify::Robot, key: &str, var: &str| {
        Error::new(Msg::AnnounceVarMissing {
            robot: robot.kind.name().into(),
            key: key.into(),
            var: var.into(),
        })
        .hint(Msg::HintAnnounceVar {
            var: var.into(),
            moment: args.moment.name().into(),
            version: args.version.clone(),
        })
    };
    config
        .notify
        .iter()
        .map(|robot| {
            let url = match &robot.url {
                Webhook::Url(url) => notify::parse_webhook(url).map_err(|detail| {
                    Error::new(Msg::AnnounceUrlInvalid {
                        robot: robot.kind.name().into(),
                        var: crate::config::FILE_NAME.into(),
                        detail,
                    })
                })?,
                Webhook::Env(var) => {
                    let value = ctx
                        .env
                        .named(var)
                        .ok_or_else(|| missing(robot, "url_env", var))?;
                    notify::parse_webhook(&value).map_err(|detail| {
                        Error::new(Msg::AnnounceUrlInvalid {
                            robot: robot.kind.name().into(),
                            var: var.clone(),
                            detail,
                        })
                    })?
                }
            };
            let secret = match &robot.secret_env {
                Some(var) => Some(
                    ctx.env
                        .named(var)
                        .ok_or_else(|| missing(robot, "secret_env", var))?,
                ),
                None => None,
            };
            Ok(Target {
                kind: robot.kind,
                url,
                secret,
            })
        })
        .collect()
}

/// Writes the announcement into the plan file: `entry` under the announcements section,
/// and `item` ticked. The result must still parse as a plan with the item ticked and
/// nothing else changed in its checklist; the file is replaced whole.
#[allow(clippy::too_many_arguments)]
fn record(
    ctx: &Context,
    path: &std::path::Path,
    shown: &str,
    plan: &Plan,
    text: &str,
    item: Option<&str>,
    entry: &str,
) -> Result<()> {
    let not_recorded = || {
        Error::new(Msg::AnnounceNotRecorded {
            path: shown.to_string(),
        })
    };
    let mut updated = text.to_string();
    if let Some(written) = item.and_then(|id| plan.item(id)) {
        if !written.checked {
            updated = notify::record::tick(&updated, written.line).ok_or_else(not_recorded)?;
        }
    }
    // "通知记录" is the section's earlier Chinese name: plans written with it go on there.
    let headings: Vec<String> = [Lang::En, Lang::ZhCn]
        .iter()
        .map(|lang| Msg::AnnounceSection.render(*lang))
        .chain(["通知记录".to_string()])
        .collect();
    let create_as = Msg::AnnounceSection.render(ctx.lang());
    updated = notify::record::append(&updated, &headings, &create_as, &format!("- {entry}"));
    let reread = plan::parse(updated.as_bytes(), std::path::Path::new(shown))?;
    let same_items = reread.items.len() == plan.items.len()
        && reread.items.iter().zip(&plan.items).all(|(after, before)| {
            after.id == before.id
                && (after.checked == before.checked || Some(after.id.as_str()) == item)
        });
    let ticked = item.is_none_or(|id| reread.item(id).is_some_and(|i| i.checked));
    if !same_items || !ticked || reread.meta != plan.meta {
        return Err(not_recorded());
    }
    let tmp = path.with_extension("md.shipgate-tmp");
    fs::write(&tmp, &updated).map_err(io_at(&tmp))?;
    fs::rename(&tmp, path).map_err(io_at(path))?;
    Ok(())
}

/// `Li Si <lisi@example.com>` → `Li Si`: a chat group needs the name, not the address.
fn name_only(who: &str) -> String {
    match who.split_once(" <") {
        Some((name, _)) if !name.trim().is_empty() => name.trim().to_string(),
        _ => who.trim_matches(['<', '>']).to_string(),
    }
}
