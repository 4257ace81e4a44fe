//! What a CI event asks to judge, as the ref update it stands for on the server:
//!
//! - a pull request (GitHub) or merge request (GitLab) into a branch: the update of the
//!   target branch from its tip to the merge of the head into it;
//! - a push: the pushed ref from `before` to `after`;
//! - a tag pipeline: the creation of the tag.
//!
//! This module only reads what the CI says (its variables, GitHub's event file); turning
//! revisions into commits is the command's work, in the repository.

use serde_json::Value;
use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::messages::Msg;

use super::Service;

/// The all-zero id git uses for "no such ref".
pub const ZERO: &str = "0000000000000000000000000000000000000000";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A pull or merge request of `head` into the branch `target` (a full ref name).
    Review {
        target: String,
        /// The source branch, for messages (`feature/coupon`).
        source: String,
        head: String,
        /// What the CI names as the target's commit: the base GitHub recorded, or on
        /// GitLab the target's tip or else the merge base.
        base: Option<String>,
        /// A merge the CI already made and checked out (GitHub's `refs/pull/N/merge`,
        /// GitLab's merged-results commit), if it did.
        merged: Option<String>,
    },
    /// The ref `refname` moved from `before` (zeros: created) to `after` (zeros: deleted).
    Push {
        refname: String,
        before: String,
        after: String,
    },
    /// An event that updates no ref (a schedule, a manual run).
    Other { name: String },
}

type Vars = BTreeMap<&'static str, String>;

/// The event of this job.
pub fn read(service: Service, vars: &Vars) -> Result<Event> {
    match service {
        Service::GitHub => github(vars),
        Service::GitLab => gitlab(vars),
    }
}

fn need<'a>(vars: &'a Vars, name: &str, service: Service, event: &str) -> Result<&'a str> {
    vars.get(name).map(String::as_str).ok_or_else(|| {
        Error::new(Msg::CiVarMissing {
            name: name.to_string(),
            service: service.name().to_string(),
            event: event.to_string(),
        })
    })
}

fn github(vars: &Vars) -> Result<Event> {
    let service = Service::GitHub;
    let name = vars.get("GITHUB_EVENT_NAME").cloned().unwrap_or_default();
    let event = |field: &str| -> Result<Value> {
        let path = need(vars, "GITHUB_EVENT_PATH", service, &name)?;
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(Msg::CiEventUnreadable {
                path: path.to_string(),
                detail: e.to_string(),
            })
        })?;
        let json: Value = serde_json::from_str(&text).map_err(|e| {
            Error::new(Msg::CiEventUnreadable {
                path: path.to_string(),
                detail: e.to_string(),
            })
        })?;
        json.pointer(field).cloned().ok_or_else(|| {
            Error::new(Msg::CiEventField {
                path: path.to_string(),
                field: field.trim_start_matches('/').replace('/', "."),
            })
        })
    };
    let text = |v: Value| v.as_str().map(str::to_string);
    match name.as_str() {
        "pull_request" | "pull_request_target" => {
            let base_ref = need(vars, "GITHUB_BASE_REF", service, &name)?;
            let source = need(vars, "GITHUB_HEAD_REF", service, &name)?.to_string();
            let head = text(event("/pull_request/head/sha")?).unwrap_or_default();
            let base = event("/pull_request/base/sha").ok().and_then(text);
            // For `pull_request` GitHub checks out the merge it made (`GITHUB_SHA`); for
            // `pull_request_target` `GITHUB_SHA` is the base branch's tip.
            let merged = (name == "pull_request")
                .then(|| vars.get("GITHUB_SHA").cloned())
                .flatten();
            Ok(Event::Review {
                target: full_branch(base_ref),
                source,
                head,
                base,
                merged,
            })
        }
        "push" => {
            let refname = need(vars, "GITHUB_REF", service, &name)?.to_string();
            let before = text(event("/before")?).unwrap_or_else(|| ZERO.to_string());
            let after = match event("/after").ok().and_then(text) {
                Some(after) => after,
                None => need(vars, "GITHUB_SHA", service, &name)?.to_string(),
            };
            Ok(Event::Push {
                refname,
                before,
                after,
            })
        }
        _ => Ok(Event::Other { name }),
    }
}

fn gitlab(vars: &Vars) -> Result<Event> {
    let service = Service::GitLab;
    let source = vars.get("CI_PIPELINE_SOURCE").cloned().unwrap_or_default();
    let get = |name: &str| vars.get(name).filter(|v| !is_zero(v)).cloned();
    if source == "merge_request_event" {
        let target = need(
            vars,
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
            service,
            &source,
        )?;
        let head = need(vars, "CI_COMMIT_SHA", service, &source)?.to_string();
        let merged_result =
            vars.get("CI_MERGE_REQUEST_EVENT_TYPE").map(String::as_str) == Some("merged_result");
        return Ok(Event::Review {
            target: full_branch(target),
            source: get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME").unwrap_or_else(|| head.clone()),
            base: get("CI_MERGE_REQUEST_TARGET_BRANCH_SHA")
                .or_else(|| get("CI_MERGE_REQUEST_DIFF_BASE_SHA")),
            merged: merged_result.then(|| head.clone()),
            head,
        });
    }
    // A tag pipeline: the tag was created (GitLab runs no pipeline for a deleted tag).
    if let Some(tag) = get("CI_COMMIT_TAG") {
        let after = need(vars, "CI_COMMIT_SHA", service, "tag")?.to_string();
        return Ok(Event::Push {
            refname: format!("refs/tags/{tag}"),
            before: ZERO.to_string(),
            after,
        });
    }
    if source == "push" {
        let branch = need(vars, "CI_COMMIT_REF_NAME", service, &source)?;
        let after = need(vars, "CI_COMMIT_SHA", service, &source)?.to_string();
        return Ok(Event::Push {
            refname: full_branch(branch),
            before: get("CI_COMMIT_BEFORE_SHA").unwrap_or_else(|| ZERO.to_string()),
            after,
        });
    }
    Ok(Event::Other { name: source })
}

fn full_branch(name: &str) -> String {
    if name.starts_with("refs/") {
        name.to_string()
    } else {
        format!("refs/heads/{name}")
    }
}

fn is_zero(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&'static str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn gitlab_merge_request_into_release() {
        let event = read(
            Service::GitLab,
            &vars(&[
                ("CI_PIPELINE_SOURCE", "merge_request_event"),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "release"),
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/x"),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "abc"),
                ("CI_COMMIT_SHA", "def"),
                ("CI_COMMIT_BEFORE_SHA", ZERO),
            ]),
        )
        .unwrap();
        assert_eq!(
            event,
            Event::Review {
                target: "refs/heads/release".into(),
                source: "feature/x".into(),
                head: "def".into(),
                base: Some("abc".into()),
                merged: None,
            }
        );
    }

    #[test]
    fn gitlab_tag_pipeline_creates_the_tag() {
        let event = read(
            Service::GitLab,
            &vars(&[
                ("CI_PIPELINE_SOURCE", "push"),
                ("CI_COMMIT_TAG", "v1.2.0"),
                ("CI_COMMIT_REF_NAME", "v1.2.0"),
                ("CI_COMMIT_SHA", "def"),
            ]),
        )
        .unwrap();
        assert_eq!(
            event,
            Event::Push {
                refname: "refs/tags/v1.2.0".into(),
                before: ZERO.into(),
                after: "def".into()
            }
        );
    }

    #[test]
    fn schedules_judge_nothing_and_missing_variables_are_named() {
        let event = read(
            Service::GitLab,
            &vars(&[("CI_PIPELINE_SOURCE", "schedule")]),
        );
        assert_eq!(
            event.unwrap(),
            Event::Other {
                name: "schedule".into()
            }
        );
        let err = read(Service::GitHub, &vars(&[("GITHUB_EVENT_NAME", "push")]))
            .unwrap_err()
            .render(crate::i18n::Lang::En);
        assert!(err.starts_with("`GITHUB_REF` is not set"), "{err}");
    }
}
