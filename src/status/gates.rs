//! The gates that keep a release from going out, as `shipgate status` reports them: a
//! rolled-back release whose problem analysis is owed (R3, R4) and an emergency window
//! whose emergency plan is owed (E5). The debts are collected as the hooks collect them
//! (plans at the tips the remote accepted, rollback records, the emergency logs); what
//! pays them is judged on the working tree's plans, as `plan check` judges a plan. The
//! hooks judge the pushed commit: a debt paid here is paid there once it is pushed.

use crate::config::Config;
use crate::plan::{self, Kind, Plan, PlanFinding, Stage};
use crate::policy::Debt;

use super::plans::{records_rollback, same_version};

/// A gate that is closed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Closed {
    /// `version` was rolled back and its analysis is owed: no plan of that version in
    /// the plan directory (`expected` is where it belongs).
    RollbackPlanMissing { version: String, expected: String },
    /// The plan of `version` no longer records its rollback (`rollback:` and
    /// `status: rolled-back`), while a record elsewhere does.
    RollbackRecordGone { version: String, path: String },
    /// The analysis of `version` is not written or not confirmed.
    RollbackAnalysis {
        version: String,
        path: String,
        problems: Vec<PlanFinding>,
    },
    /// An emergency window was used on `debt.date` and no emergency plan covers it.
    EmergencyPlanOwed { debt: Debt },
}

impl Closed {
    /// The process rule that keeps the gate closed.
    pub fn rule(&self) -> &'static str {
        match self {
            Closed::RollbackAnalysis { problems, .. }
                if problems.iter().all(|p| p.rule == "R4") =>
            {
                "R4"
            }
            Closed::EmergencyPlanOwed { .. } => "E5",
            _ => "R3",
        }
    }
}

/// A plan as the gates see it: where it was found.
pub struct Found<'a> {
    pub plan: &'a Plan,
    /// The path it was read from, relative to the repository's top.
    pub path: &'a str,
}

/// What the rollback gate owes and whether the working tree pays it.
///
/// `recorded_in` are plans that record rollbacks (at the accepted tips and in the
/// working tree), `records` the versions with a rollback record ref; `working` the
/// working tree's plans, `dir` the plans directory.
pub fn rollback_debts(
    recorded_in: &[&Plan],
    records: &[String],
    working: &[Found],
    dir: &str,
    config: &Config,
) -> Vec<Closed> {
    let mut owed: Vec<String> = Vec::new();
    let versions = recorded_in
        .iter()
        .filter(|p| records_rollback(p))
        .map(|p| p.meta.version.clone())
        .chain(records.iter().cloned());
    for version in versions {
        if !owed.iter().any(|o| same_version(o, &version)) {
            owed.push(version);
        }
    }
    let mut closed = Vec::new();
    for version in owed {
        let expected = format!("{dir}/{version}.md");
        let here = working
            .iter()
            .find(|f| f.path == expected && same_version(&f.plan.meta.version, &version));
        match here {
            None => closed.push(Closed::RollbackPlanMissing { version, expected }),
            Some(found) if found.plan.meta.rollback.is_none() || !rolled_back(found.plan) => closed
                .push(Closed::RollbackRecordGone {
                    version,
                    path: expected,
                }),
            Some(found) => {
                let problems = plan::check::analysis_problems(found.plan, config);
                if !problems.is_empty() {
                    closed.push(Closed::RollbackAnalysis {
                        version,
                        path: expected,
                        problems,
                    });
                }
            }
        }
    }
    closed
}

fn rolled_back(plan: &Plan) -> bool {
    plan.meta.status.as_deref().map(str::trim) == Some("rolled-back")
}

/// The emergency windows whose plan is owed: a debt is paid by an emergency plan
/// directly in the plans directory, dated on or after the window's day, naming its
/// incident (when the window named one), that passes stage `done` (as the E5 gate of
/// `policy::plans` judges it).
pub fn emergency_debts(
    debts: &[Debt],
    working: &[Found],
    config: &Config,
    tags: &[String],
) -> Vec<Closed> {
    let day = |text: &str| text.trim().parse::<jiff::civil::Date>().ok();
    let mut closed = Vec::new();
    for debt in debts {
        let covered = working.iter().any(|f| {
            let p = f.plan;
            p.meta.kind == Kind::Emergency
                && matches!(
                    (day(&p.meta.date), day(&debt.date)),
                    (Some(written), Some(opened)) if written >= opened
                )
                && debt
                    .incident
                    .as_ref()
                    .is_none_or(|i| p.meta.incident.as_deref() == Some(i.as_str()))
                && plan::check(p, &plan::Context { config, tags }, Stage::Done).is_empty()
        });
        if !covered {
            closed.push(Closed::EmergencyPlanOwed { debt: debt.clone() });
        }
    }
    closed
}

/// The debts of both logs, each once.
pub fn merge_debts(mut local: Vec<Debt>, server: Vec<Debt>) -> Vec<Debt> {
    for debt in server {
        if !local.contains(&debt) {
            local.push(debt);
        }
    }
    local
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(path: &str, front: &str, body: &str) -> Plan {
        let text = format!("---\n{front}---\n{body}");
        plan::parse(text.as_bytes(), Path::new(path)).unwrap()
    }

    fn config() -> Config {
        let mut config = Config::default();
        config.people.owners = vec!["zs".into()];
        config.people.tech_leads = vec!["ls".into()];
        config
    }

    const ROLLED: &str = "kind: bugfix\nversion: v1.1.0\nstatus: rolled-back\nrollback:\n  at: x\n  to: v1.0.0\n  reason: r\n";

    fn analysis(ticked: bool) -> String {
        plan::ANALYSIS
            .iter()
            .map(|i| {
                format!(
                    "- [{}] a <!-- id: {} -->\n",
                    if ticked { "x" } else { " " },
                    i.id
                )
            })
            .collect()
    }

    #[test]
    fn a_rollback_debt_stays_until_the_working_tree_pays_it() {
        let config = config();
        let dir = "docs/releases";
        let at_tip = parse("docs/releases/v1.1.0.md", ROLLED, "");
        // The plan is gone from the working tree: owed, with where it belongs.
        let closed = rollback_debts(&[&at_tip], &[], &[], dir, &config);
        assert_eq!(
            closed,
            vec![Closed::RollbackPlanMissing {
                version: "v1.1.0".into(),
                expected: "docs/releases/v1.1.0.md".into()
            }]
        );
        assert_eq!(closed[0].rule(), "R3");
        // Written but not confirmed: R4.
        let written = parse(
            "docs/releases/v1.1.0.md",
            &format!("{ROLLED}  confirmed_by: \"\"\n"),
            &analysis(true),
        );
        let found = [Found {
            plan: &written,
            path: "docs/releases/v1.1.0.md",
        }];
        let closed = rollback_debts(&[&at_tip], &[], &found, dir, &config);
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].rule(), "R4");
        // Confirmed by the TL: paid.
        let paid = parse(
            "docs/releases/v1.1.0.md",
            &format!("{ROLLED}  confirmed_by: ls\n"),
            &analysis(true),
        );
        let found = [Found {
            plan: &paid,
            path: "docs/releases/v1.1.0.md",
        }];
        assert!(rollback_debts(&[&at_tip], &["v1.1.0".into()], &found, dir, &config).is_empty());
        // A record ref alone is a debt too, and a plan without the record does not pay it.
        let plain = parse(
            "docs/releases/v1.1.0.md",
            "kind: bugfix\nversion: v1.1.0\n",
            "",
        );
        let found = [Found {
            plan: &plain,
            path: "docs/releases/v1.1.0.md",
        }];
        assert!(matches!(
            rollback_debts(&[], &["v1.1.0".into()], &found, dir, &config).as_slice(),
            [Closed::RollbackRecordGone { .. }]
        ));
    }

    #[test]
    fn an_emergency_debt_is_paid_by_a_complete_emergency_plan_dated_after_it() {
        let config = config();
        let debt = Debt {
            date: "2026-11-01".into(),
            incident: Some("INC-1".into()),
        };
        let closed = emergency_debts(std::slice::from_ref(&debt), &[], &config, &[]);
        assert_eq!(
            closed,
            vec![Closed::EmergencyPlanOwed { debt: debt.clone() }]
        );
        assert_eq!(closed[0].rule(), "E5");
        let body: String = plan::ITEMS
            .iter()
            .filter(|i| i.kinds.contains(&Kind::Emergency))
            .map(|i| format!("- [x] done <!-- id: {} -->\n", i.id))
            .collect();
        let front = |date: &str| {
            format!(
                "kind: emergency\nversion: v1.0.1\nservice: s\nowner: zs\ntech_lead: ls\n\
                 date: \"{date}\"\nincident: INC-1\nreason: r\nobserved_minutes: 9\nrollback_to: none\n"
            )
        };
        let early = parse("docs/releases/v1.0.1.md", &front("2026-10-31"), &body);
        let found = [Found {
            plan: &early,
            path: "docs/releases/v1.0.1.md",
        }];
        assert_eq!(
            emergency_debts(std::slice::from_ref(&debt), &found, &config, &[]).len(),
            1
        );
        let written = parse("docs/releases/v1.0.1.md", &front("2026-11-01"), &body);
        let found = [Found {
            plan: &written,
            path: "docs/releases/v1.0.1.md",
        }];
        assert!(emergency_debts(&[debt], &found, &config, &[]).is_empty());
    }
}
