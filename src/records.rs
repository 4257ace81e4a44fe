//! Team records, held by the server under `refs/shipgate/` rather than in one person's
//! clone (DESIGN.md, "Trust, the server side and team records"):
//!
//! - `refs/shipgate/audit`: the server's audit log, a chain of commits with one entry
//!   each (its message and its `entry.json`), appended by `pre-receive` for every
//!   emergency push (`git push -o shipgate.emergency=REASON`) and every rollback record
//!   published. Each emergency push leaves a debt: the next normal release waits for the
//!   emergency plan (E5).
//! - `refs/shipgate/rollback/<version>`: a blob holding a rollback record, created by
//!   `shipgate rollback` (R1). While it exists, no release goes out until that version's
//!   plan carries its written problem analysis, confirmed by an owner or TL (R3, R4).
//!
//! Clients may create a rollback record and nothing else here; the audit log is written
//! by the hook alone; nothing under `refs/shipgate/` is moved or deleted by a push.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::plan::check::parse_version;
use crate::policy::{Debt, RefUpdate};

/// Where the records live.
pub const PREFIX: &str = "refs/shipgate/";
/// The audit log's chain of commits.
pub const AUDIT_REF: &str = "refs/shipgate/audit";
/// A rollback record per version: `refs/shipgate/rollback/v1.1.0`.
pub const ROLLBACK_PREFIX: &str = "refs/shipgate/rollback/";
/// The fetch refspec that brings the records into a clone (and keeps them current).
pub const FETCH_REFSPEC: &str = "+refs/shipgate/*:refs/shipgate/*";
/// The file in each audit commit's tree that holds its entry.
pub const AUDIT_FILE: &str = "entry.json";
/// The push option that asks for an emergency push (E1), with its reason as value.
pub const OPTION_EMERGENCY: &str = "shipgate.emergency";
/// The push option naming the incident of an emergency push.
pub const OPTION_INCIDENT: &str = "shipgate.incident";
/// The largest rollback record a server takes.
pub const MAX_RECORD: usize = 16 * 1024;

/// Audit actions.
pub const ACTION_EMERGENCY: &str = "emergency";
pub const ACTION_ROLLBACK: &str = "rollback";

/// What `shipgate rollback` publishes under `refs/shipgate/rollback/<version>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackRecord {
    /// The release rolled back.
    pub version: String,
    /// When (RFC 3339).
    pub at: String,
    /// The release rolled back to.
    pub to: String,
    pub reason: String,
    /// Who ran `shipgate rollback`, as their git names them (the server's audit entry
    /// names the pusher as the host does).
    pub by: String,
}

impl RollbackRecord {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a record serializes") + "\n"
    }

    /// A record as published: JSON, small, its version a version.
    pub fn parse(bytes: &[u8]) -> Option<RollbackRecord> {
        if bytes.len() > MAX_RECORD {
            return None;
        }
        let record: RollbackRecord = serde_json::from_slice(bytes).ok()?;
        parse_version(&record.version)?;
        Some(record)
    }
}

/// One ref an audited push changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefChange {
    #[serde(rename = "ref")]
    pub refname: String,
    pub old: String,
    pub new: String,
}

/// One entry of the server's audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub when: Timestamp,
    /// The pusher, as the host names them.
    pub who: String,
    /// `emergency` or `rollback`.
    pub action: String,
    pub reason: String,
    pub incident: Option<String>,
    pub refs: Vec<RefChange>,
}

impl AuditRecord {
    pub fn new(
        when: Timestamp,
        who: &str,
        action: &str,
        reason: &str,
        incident: Option<&str>,
        updates: &[&RefUpdate],
    ) -> AuditRecord {
        AuditRecord {
            when,
            who: who.to_string(),
            action: action.to_string(),
            reason: reason.to_string(),
            incident: incident.map(str::to_string),
            refs: updates
                .iter()
                .map(|u| RefChange {
                    refname: u.refname.clone(),
                    old: u.old.as_str().to_string(),
                    new: u.new.as_str().to_string(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an entry serializes")
    }

    /// The first line of its commit.
    pub fn subject(&self) -> String {
        format!("shipgate audit: {} by {}", self.action, self.who)
    }
}

/// Appends `entry` to the audit log of the repository at `dir` (its own object store).
pub fn append(dir: &std::path::Path, entry: &AuditRecord) -> Result<ObjectId> {
    crate::git::append_record(
        dir,
        AUDIT_REF,
        AUDIT_FILE,
        &entry.subject(),
        &entry.to_json(),
        entry.when.as_second(),
    )
}

/// The audit log, oldest first. An entry that does not read is named, not skipped.
pub fn audit_log(repo: &Repo) -> Result<Vec<AuditRecord>> {
    let mut out = Vec::new();
    for (n, message) in repo.chain_messages(AUDIT_REF)?.iter().enumerate() {
        let json = message
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let entry = serde_json::from_str(json).map_err(|e| {
            Error::new(Msg::AuditEntryInvalid {
                refname: AUDIT_REF.into(),
                entry: (n + 1).to_string(),
                detail: e.to_string(),
            })
        })?;
        out.push(entry);
    }
    Ok(out)
}

/// E5: every emergency push owes an emergency plan dated on or after its day (UTC, as
/// the client's windows count it); one debt per day and incident.
pub fn debts(log: &[AuditRecord]) -> Vec<Debt> {
    let mut debts: Vec<Debt> = Vec::new();
    for entry in log.iter().filter(|e| e.action == ACTION_EMERGENCY) {
        let debt = Debt {
            date: entry
                .when
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .to_string(),
            incident: entry.incident.clone(),
        };
        if !debts.contains(&debt) {
            debts.push(debt);
        }
    }
    debts
}

/// E4: the release tips emergency pushes set, by the audit log: what production may
/// merge back without a release tag.
pub fn emergency_tips(config: &crate::config::Config, log: &[AuditRecord]) -> Vec<ObjectId> {
    log.iter()
        .filter(|e| e.action == ACTION_EMERGENCY)
        .flat_map(|e| e.refs.iter())
        .filter(|r| {
            crate::policy::RefKind::of(config, &r.refname) == crate::policy::RefKind::Release
        })
        .filter_map(|r| ObjectId::parse(&r.new))
        .collect()
}

/// The versions rolled back, by the records the repository holds.
pub fn rolled_back(repo: &Repo) -> Result<Vec<String>> {
    Ok(repo
        .refs_under(ROLLBACK_PREFIX)?
        .into_iter()
        .filter_map(|(name, _)| rollback_version(&name).map(str::to_string))
        .collect())
}

/// `v1.1.0` of `refs/shipgate/rollback/v1.1.0`, when it names a version.
pub fn rollback_version(refname: &str) -> Option<&str> {
    let version = refname.strip_prefix(ROLLBACK_PREFIX)?;
    (!version.contains('/') && parse_version(version).is_some()).then_some(version)
}

/// An emergency push asked for with push options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emergency {
    pub reason: String,
    pub incident: Option<String>,
}

/// Reads shipgate's push options: `shipgate.emergency=<reason>` and
/// `shipgate.incident=<id>`. Another `shipgate.*` option, an empty reason or an incident
/// without an emergency is a mistake to refuse, not to ignore.
pub fn push_options(options: &[String]) -> std::result::Result<Option<Emergency>, Box<Msg>> {
    let mut reason = None;
    let mut incident = None;
    for option in options {
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        match key {
            OPTION_EMERGENCY => reason = Some(value.trim().to_string()),
            OPTION_INCIDENT => incident = Some(value.trim().to_string()),
            other if other.starts_with("shipgate.") => {
                return Err(Box::new(Msg::PushOptionUnknown {
                    option: option.clone(),
                }))
            }
            _ => {}
        }
    }
    match (reason, incident) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Box::new(Msg::PushOptionIncidentAlone)),
        (Some(reason), _) if reason.is_empty() => Err(Box::new(Msg::PushOptionNoReason)),
        (Some(reason), incident) => Ok(Some(Emergency {
            reason,
            incident: incident.filter(|i| !i.is_empty()),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn push_options_ask_for_an_emergency_with_a_reason() {
        assert_eq!(push_options(&options(&["ci.skip"])), Ok(None));
        assert_eq!(
            push_options(&options(&[
                "shipgate.emergency=payment callback timeout",
                "shipgate.incident=INC-4711"
            ])),
            Ok(Some(Emergency {
                reason: "payment callback timeout".into(),
                incident: Some("INC-4711".into()),
            }))
        );
        assert_eq!(
            push_options(&options(&["shipgate.emergency="])),
            Err(Box::new(Msg::PushOptionNoReason))
        );
        assert_eq!(
            push_options(&options(&["shipgate.emergency"])),
            Err(Box::new(Msg::PushOptionNoReason))
        );
        assert_eq!(
            push_options(&options(&["shipgate.incident=INC-1"])),
            Err(Box::new(Msg::PushOptionIncidentAlone))
        );
        assert!(matches!(
            push_options(&options(&["shipgate.emergancy=x"])).map_err(|m| *m),
            Err(Msg::PushOptionUnknown { .. })
        ));
    }

    #[test]
    fn rollback_refs_name_a_version() {
        assert_eq!(
            rollback_version("refs/shipgate/rollback/v1.1.0"),
            Some("v1.1.0")
        );
        assert_eq!(rollback_version("refs/shipgate/rollback/x/v1.1.0"), None);
        assert_eq!(rollback_version("refs/shipgate/rollback/latest"), None);
        assert_eq!(rollback_version("refs/shipgate/audit"), None);
    }

    #[test]
    fn records_read_back_and_debts_are_per_day_and_incident() {
        let record = RollbackRecord {
            version: "v1.1.0".into(),
            at: "2026-11-01T02:00:00Z".into(),
            to: "v1.0.0".into(),
            reason: "订单创建 5xx".into(),
            by: "Li Si <lisi@example.com>".into(),
        };
        assert_eq!(
            RollbackRecord::parse(record.to_json().as_bytes()),
            Some(record)
        );
        assert_eq!(RollbackRecord::parse(b"{\"version\": \"x\"}"), None);
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let entry = |when: &str, action: &str, incident: Option<&str>| {
            AuditRecord::new(at(when), "lisi", action, "r", incident, &[])
        };
        let log = [
            entry("2026-11-01T03:00:00Z", ACTION_EMERGENCY, Some("INC-1")),
            entry("2026-11-01T04:00:00Z", ACTION_EMERGENCY, Some("INC-1")),
            entry("2026-11-01T05:00:00Z", ACTION_ROLLBACK, None),
            entry("2026-11-02T03:00:00Z", ACTION_EMERGENCY, None),
        ];
        let debts = debts(&log);
        assert_eq!(debts.len(), 2);
        assert_eq!(debts[0].date, "2026-11-01");
        assert_eq!(debts[1].incident, None);
    }
}
