//! `shipgate hook pre-receive`: judges every ref update of a push with the same engine as
//! the client's `pre-push`, from the server's own refs, and refuses the whole push on any
//! block (git applies a push all or nothing when `pre-receive` refuses, and drops the
//! quarantined objects).
//!
//! Emergency windows are a client-side bypass today; here the bypass is closed (the
//! emergency push option comes with the records under `refs/shipgate/`).

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result, EXIT_MALFUNCTION, EXIT_OK, EXIT_REFUSED};
use crate::git::Repo;
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::policy::{self, Bypass, Finding, RefKind, RefUpdate, Severity, Side};
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
        Ok(findings) => {
            for finding in &findings {
                ui.finding(finding);
            }
            if policy::refused(&findings) {
                let count = findings
                    .iter()
                    .filter(|f| f.severity == Severity::Block)
                    .count();
                ui.error(&Msg::ReceiveRefused {
                    count: count.to_string(),
                });
                Ok(EXIT_REFUSED)
            } else {
                Ok(EXIT_OK)
            }
        }
        // Reported here so GitLab shows it too; any failure refuses the push.
        Err(err) => {
            ui.report(&err);
            Ok(EXIT_MALFUNCTION)
        }
    }
}

/// Reads the push from `input` and returns the findings about it.
fn judge(ctx: &Context, input: impl Read) -> Result<Vec<Finding>> {
    let updates = parse(input)?;
    if updates.is_empty() {
        return Ok(Vec::new());
    }
    // From git's environment: the quarantine directory holds the pushed objects.
    let mut repo = Repo::open_from_env()?;
    let (config, _source) = super::policy::read(&repo)?;
    ctx.adopt(&config);
    // Tags created in the same push count as releases.
    let creates: Vec<_> = updates
        .iter()
        .filter(|u| u.is_create())
        .map(|u| (u.refname.clone(), u.new.clone()))
        .collect();
    repo.add_pushed_tags(&creates)?;

    let mut findings = records(&updates);
    findings.extend(super::pusher::role_findings(
        &config,
        &updates,
        ctx.env.pusher.as_deref(),
    ));
    findings.extend(policy::check_updates(
        &config,
        &updates,
        &repo,
        Side::Server,
        Bypass::default(),
        &[],
    )?);
    // The emergency bypass is closed here: say so instead of offering it.
    for finding in &mut findings {
        for hint in &mut finding.hints {
            if *hint == Msg::HintEmergency {
                *hint = Msg::HintEmergencyServer;
            }
        }
    }
    // F14: a production update that merges a release tag must lose nothing.
    if !policy::refused(&findings) {
        for update in &updates {
            if RefKind::of(&config, &update.refname) == RefKind::Production {
                let accepted = policy::accepted_tips(&config, &repo, Side::Server)?;
                findings.extend(crate::lost_change::gate(&repo, &config, update, &accepted)?);
            }
        }
    }
    Ok(findings)
}

/// Records under `refs/shipgate/` are the server's own: no push touches them.
fn records(updates: &[RefUpdate]) -> Vec<Finding> {
    updates
        .iter()
        .filter(|u| u.refname.starts_with("refs/shipgate/"))
        .map(|u| {
            Finding::new(
                Severity::Block,
                "records",
                &u.refname,
                Msg::RecordRefPushed {
                    refname: u.refname.clone(),
                },
            )
            .hint(Msg::HintRecordRef)
        })
        .collect()
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
    fn records_are_the_servers_own() {
        let updates = parse(format!("{Z} {A} refs/shipgate/enforced\n").as_bytes()).unwrap();
        assert_eq!(records(&updates).len(), 1);
    }
}
