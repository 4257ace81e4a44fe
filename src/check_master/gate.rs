//! The pre-push and pre-receive side of F14: a push that moves production onto a merge
//! of a release tag must not lose anything.

use crate::error::Result;
use crate::git::Repo;
use crate::oid::ObjectId;
use crate::policy::History;

use super::{check, Finding, Options, Severity};

/// The pre-push side of F14: when an update moves the production branch onto a merge of
/// a release tag, the merge must not lose anything (LOST or REVIEW refuse). One finding
/// per tag merged by the update, naming what was lost.
pub fn gate(
    repo: &Repo,
    config: &crate::config::Config,
    update: &crate::policy::RefUpdate,
    accepted: &[ObjectId],
) -> Result<Vec<crate::policy::Finding>> {
    use crate::messages::Msg;
    use crate::policy::{Finding as Refusal, Severity as Level};
    if update.is_delete() {
        return Ok(Vec::new());
    }
    let mut hide: Vec<ObjectId> = accepted.to_vec();
    if !update.is_create() {
        hide.push(update.old.clone());
    }
    let pattern = &config.tags.release;
    let tagged = repo.tagged_commits(&|t| pattern.matches(t))?;
    let mut out = Vec::new();
    for commit in repo.walk(std::slice::from_ref(&update.new), &hide, true)? {
        for parent in commit
            .parents
            .iter()
            .skip(1)
            .chain(std::iter::once(&commit.id))
        {
            let Some(names) = tagged.get(parent) else {
                continue;
            };
            let Some(tag) = names.first() else { continue };
            let report = check(
                repo,
                tag,
                parent,
                crate::policy::short_ref(&update.refname),
                &update.new,
                &Options {
                    generated: &config.check_master.generated,
                    ..Options::default()
                },
            )?;
            let bad: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Review)
                .collect();
            if bad.is_empty() {
                continue;
            }
            let mut refusal = Refusal::new(
                Level::Block,
                "F14",
                &update.refname,
                Msg::GateLostChanges {
                    tag: tag.clone(),
                    count: bad.len().to_string(),
                },
            )
            .hint(Msg::HintCheckMaster {
                tag: tag.clone(),
                new: update.new.short().to_string(),
            });
            refusal.places = bad
                .iter()
                .flat_map(|f| {
                    f.files.iter().map(move |file| {
                        let what = Msg::GateLostLine {
                            severity: format!("{:?}", f.severity).to_uppercase(),
                            commit: f.commit.id.short().to_string(),
                            subject: f.commit.subject.clone(),
                            count: file.lines.len().to_string(),
                        };
                        (file.path.clone(), what)
                    })
                })
                .collect();
            out.push(refusal);
        }
    }
    Ok(out)
}
