//! Who may push what: with `people.qa` configured, only QA creates release tags and
//! moves the production branch (F13). The pusher is named by the git host (`env.rs`);
//! when it names nobody, such a push is refused rather than guessed at.

use crate::config::Config;
use crate::messages::Msg;
use crate::policy::{short_ref, Finding, RefKind, RefUpdate, Severity};

/// Refusals for updates that only QA may make, given who pushes.
pub fn role_findings(config: &Config, updates: &[RefUpdate], pusher: Option<&str>) -> Vec<Finding> {
    let qa = &config.people.qa;
    if qa.is_empty() {
        return Vec::new();
    }
    let people = crate::messages::list(qa);
    let mut findings = Vec::new();
    for update in updates {
        let kind = RefKind::of(config, &update.refname);
        let qa_only = match kind {
            RefKind::ReleaseTag => update.is_create() && !update.is_delete(),
            RefKind::Production => !update.is_delete(),
            _ => false,
        };
        if !qa_only || pusher.is_some_and(|p| qa.iter().any(|q| q == p)) {
            continue;
        }
        let target = short_ref(&update.refname).to_string();
        let finding = match pusher {
            None => Finding::new(
                Severity::Block,
                "F13",
                &update.refname,
                Msg::PusherUnknown {
                    target,
                    people: people.clone(),
                },
            )
            .hint(Msg::HintPusherIdentity),
            Some(pusher) => {
                let message = if kind == RefKind::ReleaseTag {
                    Msg::QaOnlyTag {
                        pusher: pusher.to_string(),
                        tag: target,
                        people: people.clone(),
                    }
                } else {
                    Msg::QaOnlyProduction {
                        pusher: pusher.to_string(),
                        branch: target,
                        people: people.clone(),
                    }
                };
                Finding::new(Severity::Block, "F13", &update.refname, message).hint(
                    Msg::HintAskQa {
                        people: people.clone(),
                    },
                )
            }
        };
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oid::ObjectId;

    fn update(refname: &str, old: char, new: char) -> RefUpdate {
        let id = |c: char| ObjectId::parse(&c.to_string().repeat(40)).unwrap();
        RefUpdate {
            refname: refname.into(),
            old: id(old),
            new: id(new),
            source: None,
        }
    }

    fn config(qa: &[&str]) -> Config {
        let mut config = Config::default();
        config.people.qa = qa.iter().map(|s| s.to_string()).collect();
        config
    }

    #[test]
    fn only_qa_tags_and_moves_production() {
        let updates = [
            update("refs/tags/v1.2.0", '0', 'a'),
            update("refs/heads/master", 'b', 'a'),
            update("refs/heads/feature/x", 'b', 'a'),
            update("refs/heads/release", 'b', 'a'),
        ];
        let qa = config(&["wangwu"]);
        assert!(role_findings(&qa, &updates, Some("wangwu")).is_empty());
        let refused = role_findings(&qa, &updates, Some("lisi"));
        assert_eq!(refused.len(), 2);
        assert!(matches!(refused[0].message, Msg::QaOnlyTag { .. }));
        assert!(matches!(refused[1].message, Msg::QaOnlyProduction { .. }));
        let unknown = role_findings(&qa, &updates, None);
        assert_eq!(unknown.len(), 2);
        assert!(matches!(unknown[0].message, Msg::PusherUnknown { .. }));
        assert!(role_findings(&config(&[]), &updates, None).is_empty());
    }
}
