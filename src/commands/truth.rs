//! What a client may believe about the receiving side before it judges a push.
//!
//! Everything in a clone can be forged or stale: remote-tracking refs, `origin/HEAD`,
//! local tags, the working tree's config, grafts, a shallow history. So a push that
//! touches a protected ref (by this clone's best guess of the policy, or by the
//! defaults, whichever protects more) asks the remote itself, once, which branches and
//! tags it has; the policy is then the config committed on the remote's production
//! branch, and "already accepted" means what the remote said it has. When the clone
//! cannot know (history not fetched, shallow, grafted), the push is refused with the
//! command that fixes it. Pushes of development branches ask nothing and cost nothing.

use std::path::Path;

use crate::config::{self, Config, RemotePolicy};
use crate::error::Result;
use crate::git::{self, Repo};
use crate::messages::Msg;
use crate::policy::{Finding, History, RefKind, RefUpdate, Severity};

/// Whether a ref is protected by `config` or by the defaults, whichever protects more:
/// what a clone may decide without asking the remote (an edit of its own view of the
/// policy can add protection, never take it away).
pub fn protected_by(config: &Config) -> impl Fn(&str) -> bool + '_ {
    let defaults = Config::default();
    move |refname| {
        RefKind::of(config, refname) != RefKind::Other
            || RefKind::of(&defaults, refname) != RefKind::Other
    }
}

/// The policy that judges `updates`, and refusals for what the clone cannot know.
/// `guess` is the policy this clone would use on its own; `dir` is where git runs the
/// hook (so a relative `url` means what it meant to git); `remote` is the remote as the
/// push named it (a name or a URL), for hints.
pub fn establish(
    repo: &mut Repo,
    guess: Config,
    updates: &[RefUpdate],
    dir: &Path,
    url: &str,
    remote: &str,
) -> Result<(Config, Vec<Finding>)> {
    let guessed = protected_by(&guess);
    let first = updates.iter().find(|u| guessed(&u.refname));
    drop(guessed);
    let Some(first) = first else {
        return Ok((guess, Vec::new()));
    };
    let refname = first.refname.clone();
    let refuse = |message: Msg, hint: Msg| {
        Finding::new(Severity::Block, "trust", &refname, message).hint(hint)
    };
    match repo.untrustworthy_history() {
        Some("shallow") => {
            return Ok((
                guess,
                vec![refuse(
                    Msg::HistoryShallow {
                        refname: refname.clone(),
                    },
                    Msg::HintUnshallow {
                        remote: remote.to_string(),
                    },
                )],
            ))
        }
        Some(_) => {
            return Ok((
                guess,
                vec![refuse(
                    Msg::HistoryGrafts {
                        refname: refname.clone(),
                    },
                    Msg::HintRemoveGrafts,
                )],
            ))
        }
        None => {}
    }

    let view = git::ls_remote(repo, dir, url)?;
    // git's own connection told the hook what the pushed refs are at: the answer must
    // agree, or it did not come from where the push goes.
    for update in updates {
        let answered = view
            .refs
            .iter()
            .find(|(name, _)| *name == update.refname)
            .map(|(_, id)| id.clone());
        let agrees = match &answered {
            Some(id) => !update.is_create() && *id == update.old,
            None => update.is_create(),
        };
        if !agrees {
            let finding = Finding::new(
                Severity::Block,
                "trust",
                &update.refname,
                Msg::RemoteAnswerDisagrees {
                    refname: update.refname.clone(),
                    push: short_or_none(&update.old),
                    answer: answered
                        .as_ref()
                        .map_or_else(|| "-".to_string(), |id| id.short().to_string()),
                },
            )
            .hint(Msg::HintRemoteAnswerDisagrees);
            return Ok((guess, vec![finding]));
        }
    }
    let creates: Vec<_> = updates
        .iter()
        .filter(|u| u.is_create())
        .map(|u| (u.refname.clone(), u.new.clone()))
        .collect();
    let config = match config::at_remote(repo, &view, &creates)? {
        RemotePolicy::Committed { config, .. } => *config,
        RemotePolicy::Defaults => Config::default(),
        RemotePolicy::Unfetched { branch, id } => {
            let finding = refuse(
                Msg::RemoteTipUnfetched {
                    branch: branch.clone(),
                    id: id.short().to_string(),
                    refname: refname.clone(),
                },
                Msg::HintFetchBranch {
                    remote: remote.to_string(),
                    branch,
                },
            );
            return Ok((guess, vec![finding]));
        }
    };

    // The protected branches' tips the remote has: the rules walk from them (what was
    // accepted, what was made on `test`), so each must be here.
    let mut findings = Vec::new();
    if updates
        .iter()
        .any(|u| RefKind::of(&config, &u.refname) != RefKind::Other)
    {
        let b = &config.branches;
        for (name, id) in &view.refs {
            let Some(branch) = name.strip_prefix("refs/heads/") else {
                continue;
            };
            let watched =
                b.production.matches(branch) || b.is_release(branch) || b.test.matches(branch);
            if watched && !repo.has(id)? {
                findings.push(refuse(
                    Msg::RemoteTipUnfetched {
                        branch: branch.to_string(),
                        id: id.short().to_string(),
                        refname: refname.clone(),
                    },
                    Msg::HintFetchBranch {
                        remote: remote.to_string(),
                        branch: branch.to_string(),
                    },
                ));
            }
        }
    }
    repo.set_view(view);
    repo.add_pushed_tags(&creates)?;
    Ok((config, findings))
}

/// An id for a message, `-` for none.
fn short_or_none(id: &crate::oid::ObjectId) -> String {
    if id.is_zero() {
        "-".to_string()
    } else {
        id.short().to_string()
    }
}
