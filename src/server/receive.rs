//! `shipgate hook pre-receive`: judges every ref update of a push with the same engine as
//! the client's `pre-push`, from the server's own refs, and refuses the whole push on any
//! block (git applies a push all or nothing when `pre-receive` refuses, and drops the
//! quarantined objects).
//!
//! The team's records live here too (`crate::records`): a system owner or tech lead may
//! push under an emergency with `-o shipgate.emergency=<reason>` (E1), anyone may create
//! a rollback record `refs/shipgate/rollback/<version>` (R1), and both are appended to
//! the audit log `refs/shipgate/audit`. The log is written here, after every check has
//! passed and only then: a refused push leaves nothing, and an accepted one cannot land
//! unrecorded (were the log written in `post-receive`, a failing or missing
//! `post-receive` would let an emergency push through with no debt). The entries are
//! written into the repository's own object store, not the push's quarantine.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result, EXIT_MALFUNCTION, EXIT_OK, EXIT_REFUSED};
use crate::git::Repo;
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::policy::{self, Bypass, Finding, History, RefKind, RefUpdate, Severity, Side};
use crate::records::{self, AuditRecord, RollbackRecord};
use crate::Context;

/// The most standard input a push may hand the hook: 16 MiB is some 100 000 ref lines.
pub const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// The most ref updates one push may carry.
pub const MAX_UPDATES: usize = 100_000;

pub fn run(ctx: &Context) -> Result<u8> {
    let judged = judge(ctx, std::io::stdin().lock());
    let ui = if ctx.env.gitlab {
        ctx.ui().for_gitlab()
    } else {
        ctx.ui()
    };
    match judged {
        Ok(judged) => {
            for finding in &judged.findings {
                ui.finding(finding);
            }
            if policy::refused(&judged.findings) {
                let count = judged
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Block)
                    .count();
                ui.error(&Msg::ReceiveRefused {
                    count: count.to_string(),
                });
                return Ok(EXIT_REFUSED);
            }
            // Everything passed: record, and refuse the push if it cannot be recorded.
            for entry in &judged.audit {
                if let Err(err) = records::append(&judged.dir, entry) {
                    ui.report(&err);
                    return Ok(EXIT_MALFUNCTION);
                }
                ui.warning(&recorded(entry));
            }
            Ok(EXIT_OK)
        }
        // Reported here so GitLab shows it too; any failure refuses the push.
        Err(err) => {
            ui.report(&err);
            Ok(EXIT_MALFUNCTION)
        }
    }
}

/// What the hook decided about a push.
struct Judged {
    findings: Vec<Finding>,
    /// The audit entries to append if the push is accepted.
    audit: Vec<AuditRecord>,
    /// The repository's git dir, where they go.
    dir: std::path::PathBuf,
}

/// What the pusher is told about an entry once it is in the log.
fn recorded(entry: &AuditRecord) -> Msg {
    match entry.action.as_str() {
        records::ACTION_ROLLBACK => {
            let refname = entry
                .refs
                .first()
                .map_or_else(String::new, |r| r.refname.clone());
            Msg::RollbackRecordAccepted {
                version: records::rollback_version(&refname)
                    .unwrap_or_default()
                    .to_string(),
                refname,
            }
        }
        _ => Msg::EmergencyPushRecorded {
            who: entry.who.clone(),
            reason: entry.reason.clone(),
            incident: entry.incident.clone().unwrap_or_else(|| "-".into()),
        },
    }
}

/// Reads the push from `input` and returns the findings about it.
fn judge(ctx: &Context, input: impl Read) -> Result<Judged> {
    let updates = parse(input)?;
    if updates.is_empty() {
        return Ok(Judged {
            findings: Vec::new(),
            audit: Vec::new(),
            dir: std::path::PathBuf::new(),
        });
    }
    // From git's environment: the quarantine directory holds the pushed objects.
    let mut repo = Repo::open_from_env()?;
    let dir = repo.common_dir();
    let (config, _source) = super::policy::read(&repo)?;
    ctx.adopt(&config);
    // Tags created in the same push count as releases.
    let creates: Vec<_> = updates
        .iter()
        .filter(|u| u.is_create())
        .map(|u| (u.refname.clone(), u.new.clone()))
        .collect();
    repo.add_pushed_tags(&creates)?;

    let pusher = ctx.env.pusher.as_deref();
    let deciders: Vec<String> = config
        .people
        .owners
        .iter()
        .chain(&config.people.tech_leads)
        .cloned()
        .collect();
    let people = if deciders.is_empty() {
        "-".to_string()
    } else {
        crate::messages::list(&deciders)
    };
    let (mut findings, emergency) = emergency(
        &ctx.env.push_options,
        &updates[0].refname,
        pusher,
        &deciders,
        &people,
    );
    let (record_findings, created) = self::records(&repo, &updates)?;
    findings.extend(record_findings);
    findings.extend(super::pusher::role_findings(&config, &updates, pusher));

    let log = records::audit_log(&repo)?;
    let debts = records::debts(&log);
    // E4: after an emergency, production may take the merge of a release tip an owner or
    // TL pushed under it (the audit log names it), from whoever may move production:
    // the fix goes back to master without a second emergency push.
    let merge_back = emergency.is_none()
        && policy::merges_back_emergency(
            &config,
            &repo,
            &updates,
            &records::emergency_tips(&config, &log),
        )?;
    let mut rollbacks = records::rolled_back(&repo)?;
    rollbacks.extend(created.iter().map(|(_, record)| record.version.clone()));
    findings.extend(policy::check_updates_recorded(
        &config,
        &updates,
        &repo,
        Side::Server,
        Bypass {
            emergency: emergency.is_some() || merge_back,
        },
        &debts,
        &rollbacks,
    )?);
    // The client's emergency window does not open here: offer the push option instead.
    for finding in &mut findings {
        let branch = policy::short_ref(&finding.refname).to_string();
        for hint in &mut finding.hints {
            match hint {
                Msg::HintEmergency { reason } => {
                    *hint = Msg::HintEmergencyPushOption {
                        people: people.clone(),
                        branch: branch.clone(),
                        reason: reason.clone(),
                    }
                }
                Msg::HintEmergencyIncident => {
                    *hint = Msg::HintEmergencyPushIncident {
                        people: people.clone(),
                        branch: branch.clone(),
                    }
                }
                _ => {}
            }
        }
    }
    // F14: a production update that merges a release tag must lose nothing.
    if !policy::refused(&findings) {
        for update in &updates {
            if RefKind::of(&config, &update.refname) == RefKind::Production {
                let accepted = policy::accepted_tips(&config, &repo, Side::Server)?;
                findings.extend(crate::check_master::gate(
                    &repo, &config, update, &accepted,
                )?);
            }
        }
    }

    let now = ctx.env.now();
    let who = pusher.unwrap_or("unknown");
    let mut audit = Vec::new();
    if let Some(e) = &emergency {
        let all: Vec<&RefUpdate> = updates.iter().collect();
        audit.push(AuditRecord::new(
            now,
            who,
            records::ACTION_EMERGENCY,
            &e.reason,
            e.incident.as_deref(),
            &all,
        ));
    }
    for (update, record) in &created {
        audit.push(AuditRecord::new(
            now,
            who,
            records::ACTION_ROLLBACK,
            &record.reason,
            None,
            &[update],
        ));
    }
    Ok(Judged {
        findings,
        audit,
        dir,
    })
}

/// E1 on the server: the push options, and whether the pusher may push under an
/// emergency (a configured system owner or tech lead, as the host names them).
fn emergency(
    options: &[String],
    refname: &str,
    pusher: Option<&str>,
    deciders: &[String],
    people: &str,
) -> (Vec<Finding>, Option<records::Emergency>) {
    let asked = match records::push_options(options) {
        Ok(None) => return (Vec::new(), None),
        Ok(Some(asked)) => asked,
        Err(message) => {
            // The reason the push tried to give, if any, in the command that gives it right.
            let reason = options
                .iter()
                .filter_map(|o| o.split_once('='))
                .find(|(key, _)| key.contains("emerg"))
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty());
            let branch = policy::short_ref(refname).to_string();
            let finding =
                Finding::new(Severity::Block, "E1", refname, *message).hint(match reason {
                    Some(reason) => Msg::HintPushOptions {
                        branch,
                        reason: policy::sh_word(&reason),
                    },
                    None => Msg::HintEmergencyPushIncident {
                        people: people.to_string(),
                        branch,
                    },
                });
            return (vec![finding], None);
        }
    };
    let refusal = match pusher {
        None => Finding::new(
            Severity::Block,
            "E1",
            refname,
            Msg::EmergencyPusherUnknown {
                people: people.to_string(),
            },
        )
        .hint(Msg::HintPusherIdentity),
        Some(p) if deciders.iter().any(|d| d == p) => return (Vec::new(), Some(asked)),
        Some(p) => Finding::new(
            Severity::Block,
            "E1",
            refname,
            Msg::EmergencyNotAllowed {
                pusher: p.to_string(),
                people: people.to_string(),
            },
        )
        .hint(Msg::HintEmergencyAsk {
            people: people.to_string(),
        }),
    };
    (vec![refusal], None)
}

/// Rollback records a push creates, with their updates.
type Created<'u> = Vec<(&'u RefUpdate, RollbackRecord)>;

/// Records under `refs/shipgate/` are the server's own: a push may create a rollback
/// record (`refs/shipgate/rollback/<version>`, a record naming that version, of a
/// release tag this repository has) and touch nothing else there. Returns the findings
/// and the records created.
fn records<'u>(repo: &Repo, updates: &'u [RefUpdate]) -> Result<(Vec<Finding>, Created<'u>)> {
    let mut findings = Vec::new();
    let mut created = Vec::new();
    for update in updates
        .iter()
        .filter(|u| u.refname.starts_with(records::PREFIX))
    {
        let refname = update.refname.clone();
        let refuse = |message: Msg, hint: Msg| {
            Finding::new(Severity::Block, "records", &update.refname, message).hint(hint)
        };
        let Some(version) = records::rollback_version(&refname) else {
            findings.push(refuse(
                Msg::RecordRefPushed {
                    refname: refname.clone(),
                },
                Msg::HintRecordRef,
            ));
            continue;
        };
        if !update.is_create() || update.is_delete() {
            findings.push(refuse(
                Msg::RollbackRecordMoved {
                    refname: refname.clone(),
                },
                Msg::HintRecordRef,
            ));
            continue;
        }
        let record = repo
            .small_blob(&update.new, records::MAX_RECORD)?
            .and_then(|bytes| RollbackRecord::parse(&bytes))
            .filter(|r| {
                crate::plan::check::parse_version(&r.version)
                    == crate::plan::check::parse_version(version)
            });
        let Some(record) = record else {
            findings.push(refuse(
                Msg::RollbackRecordUnreadable {
                    refname: refname.clone(),
                },
                Msg::HintRollbackRecord,
            ));
            continue;
        };
        if repo.tag_commit(version)?.is_none() {
            findings.push(refuse(
                Msg::RollbackRecordNoRelease {
                    refname: refname.clone(),
                    version: version.to_string(),
                },
                Msg::HintRollbackRecord,
            ));
            continue;
        }
        created.push((update, record));
    }
    Ok((findings, created))
}

/// Parses `<old> <new> <ref>` lines, refusing input larger than `MAX_INPUT` or with more
/// than `MAX_UPDATES` lines. All of it is read, so git never dies of SIGPIPE.
pub fn parse(input: impl Read) -> Result<Vec<RefUpdate>> {
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(Path::new("<stdin>"), &e))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(Error::new(Msg::ReceiveTooLarge {
            limit: MAX_INPUT.to_string(),
        })
        .hint(Msg::HintReceiveSplit));
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut updates = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if updates.len() == MAX_UPDATES {
            return Err(Error::new(Msg::ReceiveTooMany {
                limit: MAX_UPDATES.to_string(),
            })
            .hint(Msg::HintReceiveSplit));
        }
        let number = (index + 1).to_string();
        let fields: Vec<&str> = line.split(' ').collect();
        let [old, new, refname] = fields[..] else {
            return Err(Error::new(Msg::ReceiveLineFields {
                line: number,
                text: line.to_string(),
            }));
        };
        let id = |value: &str| {
            ObjectId::parse(value).ok_or_else(|| {
                Error::new(Msg::ReceiveLineObjectId {
                    line: number.clone(),
                    text: line.to_string(),
                    value: value.into(),
                })
            })
        };
        updates.push(RefUpdate {
            refname: refname.to_string(),
            old: id(old)?,
            new: id(new)?,
            source: None,
        });
    }
    Ok(updates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn every_line_is_read() {
        let input = format!("{Z} {A} refs/tags/v1.0.0\n{A} {Z} refs/heads/release\n");
        let updates = parse(input.as_bytes()).unwrap();
        assert_eq!(updates.len(), 2);
        assert!(updates[0].is_create());
        assert!(updates[1].is_delete());
        assert_eq!(updates[1].refname, "refs/heads/release");
    }

    #[test]
    fn malformed_and_absurd_input_is_refused() {
        let err = parse(format!("{A} xyz refs/heads/a\n").as_bytes())
            .unwrap_err()
            .render(Lang::En);
        assert!(err.ends_with("`xyz` is not an object id"), "{err}");
        let err = parse(&b"two fields\n"[..]).unwrap_err().render(Lang::En);
        assert!(err.contains("line 1"), "{err}");
        let line = format!("{Z} {A} refs/heads/x\n");
        let many = line.repeat(MAX_UPDATES + 1);
        let err = parse(many.as_bytes()).unwrap_err().render(Lang::En);
        assert!(err.contains("more than 100000 refs"), "{err}");
        let huge = std::io::repeat(b'x').take(MAX_INPUT + 10);
        let err = parse(huge).unwrap_err().render(Lang::En);
        assert!(err.contains("larger than"), "{err}");
    }

    #[test]
    fn only_owners_and_tech_leads_push_under_an_emergency() {
        let options = vec!["shipgate.emergency=down".to_string()];
        let deciders = vec!["zhangsan".to_string(), "lisi".to_string()];
        let ask = |pusher| emergency(&options, "refs/heads/release", pusher, &deciders, "x");
        let (findings, granted) = ask(Some("lisi"));
        assert!(findings.is_empty() && granted.is_some());
        let (findings, granted) = ask(Some("wangwu"));
        assert!(granted.is_none());
        assert!(matches!(
            findings[0].message,
            Msg::EmergencyNotAllowed { .. }
        ));
        let (findings, granted) = ask(None);
        assert!(granted.is_none());
        assert!(matches!(
            findings[0].message,
            Msg::EmergencyPusherUnknown { .. }
        ));
        let (findings, granted) = emergency(&[], "r", Some("lisi"), &deciders, "x");
        assert!(findings.is_empty() && granted.is_none());
    }
}
