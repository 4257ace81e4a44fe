//! Branch and tag rules: protected branches take no direct commits, deletions or force
//! pushes (F1, E1); `release` takes no commit made on `test` (F6); `master` only moves to a
//! release tag (F13); pushed release tags never move or disappear.

use std::collections::HashMap;

use crate::config::Config;
use crate::error::Result;
use crate::messages::Msg;
use crate::oid::ObjectId;

use super::plans::{self, Debt};
use super::{
    made_on_test, Bypass, Commit, CommitLine, CommitState, CopyIndex, Finding, History, LineChange,
    MadeOnTest, RefKind, RefUpdate, Severity, Side, Tips,
};

/// Judges ref updates (from `pre-push`, `pre-receive` or a CI job). `side` says where
/// the rules run, and so what the receiving side already has.
pub fn check_updates(
    config: &Config,
    updates: &[RefUpdate],
    history: &dyn History,
    side: Side,
    bypass: Bypass,
    debts: &[Debt],
) -> Result<Vec<Finding>> {
    check_updates_recorded(config, updates, history, side, bypass, debts, &[])
}

/// `check_updates`, with the versions a rollback record names (`refs/shipgate/rollback/*`
/// on the server): each owes its confirmed problem analysis whatever the plans say (R3).
pub fn check_updates_recorded(
    config: &Config,
    updates: &[RefUpdate],
    history: &dyn History,
    side: Side,
    bypass: Bypass,
    debts: &[Debt],
    rollbacks: &[String],
) -> Result<Vec<Finding>> {
    let mut rules = Rules {
        config,
        history,
        side,
        bypass,
        debts,
        rollbacks,
        test: None,
        tagged: None,
        // A first push of the production branch sets the repository up: what it brings
        // is accepted for the other refs of the same push too.
        bootstrap: updates
            .iter()
            .filter(|u| u.is_create() && RefKind::of(config, &u.refname) == RefKind::Production)
            .map(|u| u.new.clone())
            .collect(),
        pushed_release: updates
            .iter()
            .filter(|u| !u.is_delete() && RefKind::of(config, &u.refname) == RefKind::Release)
            .map(|u| u.new.clone())
            .collect(),
        on_release: Vec::new(),
    };
    let mut findings = Vec::new();
    for update in updates {
        match RefKind::of(config, &update.refname) {
            RefKind::Other => {}
            RefKind::ReleaseTag => findings.extend(rules.tag(update)?),
            kind => findings.extend(rules.branch(update, kind)?),
        }
    }
    Ok(findings)
}

/// Judges a commit about to be made (`pre-commit`, `pre-merge-commit`).
pub fn check_commit(
    config: &Config,
    state: &CommitState,
    history: &dyn History,
    bypass: Bypass,
) -> Result<Vec<Finding>> {
    // Detached HEAD (rebase, bisect, a look at an old commit): no branch moves here; the
    // push is where the result is judged.
    let Some(branch) = &state.branch else {
        return Ok(Vec::new());
    };
    let refname = format!("refs/heads/{branch}");
    let kind = RefKind::of(config, &refname);
    // An unborn branch: the repository's first commit has nothing to protect yet.
    if !kind.is_protected_branch() || state.head.is_none() {
        return Ok(Vec::new());
    }
    let mut rules = Rules {
        config,
        history,
        side: Side::Client { remote: None },
        bypass,
        debts: &[],
        rollbacks: &[],
        test: None,
        tagged: None,
        bootstrap: Vec::new(),
        pushed_release: Vec::new(),
        on_release: Vec::new(),
    };
    if state.merge_heads.is_empty() {
        // A commit that changes only the plan of a released version records what
        // happened after the release (canary, minutes observed, exceptions, done): it
        // changes no code, so a release branch takes it directly (see `plan_record`).
        if kind == RefKind::Release
            && !rules.bypass.emergency
            && plans::released_plan_path(config, history, &state.staged)?.is_some()
        {
            return Ok(Vec::new());
        }
        let mut finding = rules.direct_commit(branch, kind)?;
        // A released plan changed together with something else: the plan alone goes
        // straight on, the rest through a development branch. Said first, since it is
        // what the person meant to commit here.
        if kind == RefKind::Release && finding.severity == Severity::Block {
            let mut released = Vec::new();
            for path in &state.staged {
                if let Some(version) =
                    plans::released_plan_path(config, history, std::slice::from_ref(path))?
                {
                    released.push((version, path));
                }
            }
            if let [(version, path)] = released.as_slice() {
                finding.hints.insert(
                    0,
                    Msg::HintCommitPlanAlone {
                        version: version.clone(),
                        path: plans::sh_word(path),
                        branch: branch.clone(),
                    },
                );
            }
        }
        return Ok(vec![finding]);
    }
    let mut findings = Vec::new();
    match kind {
        RefKind::Production => {
            // What the remote's production branch has (a `git pull` of it) may be merged.
            let b = &config.branches;
            let production = history.branch_tips(
                &|n| b.production.matches(n),
                Side::Client { remote: None }.accepted(),
            )?;
            for merged in &state.merge_heads {
                if !rules.may_enter_production(merged)?
                    && !rules.already_has(merged, &production)?
                {
                    findings.push(
                        Finding::new(
                            Severity::Block,
                            "F13",
                            &refname,
                            Msg::MergeNotReleaseTag {
                                branch: branch.clone(),
                                commit: merged.short().to_string(),
                            },
                        )
                        .hint(rules.release_tag_example(branch, state.head.as_ref())?),
                    );
                }
            }
        }
        RefKind::Release => {
            let mut hide = state.head.iter().cloned().collect::<Vec<_>>();
            hide.extend(rules.accepted_tips()?);
            let range = history.walk(&state.merge_heads, &hide, false)?;
            let source = state.merge_source.clone();
            findings.extend(rules.test_contamination(&refname, branch, &range, source)?);
        }
        _ => {}
    }
    // The merge stops short of its commit and stays in progress: first the way back.
    for finding in findings
        .iter_mut()
        .filter(|f| f.severity == Severity::Block)
    {
        finding.hints.insert(0, Msg::HintMergeAbort);
    }
    Ok(findings)
}

struct Rules<'a> {
    config: &'a Config,
    history: &'a dyn History,
    side: Side<'a>,
    bypass: Bypass,
    /// Emergency windows whose plan is owed (E5).
    debts: &'a [Debt],
    /// Versions with a rollback record held by the receiving side (R3).
    rollbacks: &'a [String],
    /// Commits made on `test`, computed when first needed.
    test: Option<MadeOnTest>,
    /// Release-tagged commits, loaded when first needed.
    tagged: Option<HashMap<ObjectId, Vec<String>>>,
    /// Production branches this push creates (see `check_updates`).
    bootstrap: Vec<ObjectId>,
    /// Release branch tips this push sets.
    pushed_release: Vec<ObjectId>,
    /// Release-tagged commits already judged: on a release branch or not.
    on_release: Vec<(ObjectId, bool)>,
}

impl Rules<'_> {
    fn branch(&mut self, update: &RefUpdate, kind: RefKind) -> Result<Vec<Finding>> {
        let refname = update.refname.as_str();
        let branch = short(refname).to_string();
        let remote = self.side.remote_name().to_string();
        if update.is_delete() {
            return Ok(vec![Finding::new(
                Severity::Block,
                "protect",
                refname,
                Msg::BranchDelete {
                    branch: branch.clone(),
                },
            )
            .hint(Msg::HintBranchDelete { branch, remote })]);
        }
        if !update.is_create() {
            if !self.history.has(&update.old)? {
                return Ok(vec![Finding::new(
                    Severity::Block,
                    "protect",
                    refname,
                    Msg::FetchFirst {
                        branch,
                        old: update.old.short().to_string(),
                    },
                )
                .hint(Msg::HintFetchFirst { remote })]);
            }
            if !self.history.is_ancestor(&update.old, &update.new)? {
                return Ok(vec![Finding::new(
                    Severity::Block,
                    "protect",
                    refname,
                    Msg::ForcePush {
                        branch: branch.clone(),
                    },
                )
                .hint(Msg::HintForcePush { remote, branch })]);
            }
        } else if kind == RefKind::Production {
            // The production branch's first push: the repository is being set up.
            return Ok(vec![Finding::new(
                Severity::Warn,
                "F13",
                refname,
                Msg::ProductionCreated { branch },
            )]);
        }

        // What the receiving side already has is not judged again.
        let mut hide = self.accepted_tips()?;
        if !update.is_create() {
            hide.push(update.old.clone());
        }
        let mut findings = Vec::new();
        match kind {
            RefKind::Release => {
                let range = self
                    .history
                    .walk(std::slice::from_ref(&update.new), &hide, false)?;
                let source = update
                    .source
                    .as_deref()
                    .map(|s| short(s).to_string())
                    .filter(|s| {
                        s != "HEAD"
                            && RefKind::of(self.config, &format!("refs/heads/{s}"))
                                == RefKind::Other
                    });
                findings.extend(self.test_contamination(refname, &branch, &range, source)?);
                findings.extend(self.merges_only(update, &hide, "E1")?);
                findings.extend(self.merge_contents(update, &hide, kind)?);
                // A push that brings nothing new (a release branch created from what the
                // remote has) releases nothing and needs no plan.
                if range.is_empty() {
                    return Ok(findings);
                }
                let plans = plans::Plans {
                    config: self.config,
                    history: self.history,
                    commit: &update.new,
                    tags: self.release_tags(None)?,
                    accepted: self.accepted_tips()?,
                    recorded: self.rollbacks,
                };
                findings.extend(plans::release_push(
                    &plans,
                    refname,
                    &branch,
                    self.bypass.emergency,
                    self.debts,
                )?);
            }
            RefKind::Test => {
                findings.extend(self.merges_only(update, &hide, "F1")?);
                findings.extend(self.keeps_first_parent(update, &hide)?);
            }
            RefKind::Production => {
                findings.extend(self.production(update, &hide)?);
                findings.extend(self.merge_contents(update, &hide, kind)?);
            }
            RefKind::ReleaseTag | RefKind::Other => {}
        }
        Ok(findings)
    }

    /// Release and test branches receive merges (reviewed PRs): every commit on the new
    /// first-parent chain must be one. On a release branch an open emergency window
    /// turns the refusal into a warning (E1).
    fn merges_only(
        &self,
        update: &RefUpdate,
        hide: &[ObjectId],
        rule: &'static str,
    ) -> Result<Option<Finding>> {
        let chain = self
            .history
            .walk(std::slice::from_ref(&update.new), hide, true)?;
        let mut direct: Vec<CommitLine> = Vec::new();
        for commit in chain.iter().filter(|c| !c.is_merge()) {
            // A release branch takes a commit that records a released version's plan
            // alone (post-release items): it changes no code.
            if rule == "E1" && plans::plan_record(self.config, self.history, commit)?.is_some() {
                continue;
            }
            direct.push(line(commit, None));
        }
        if direct.is_empty() {
            return Ok(None);
        }
        let reason = direct
            .first()
            .map(|c| c.summary.clone())
            .filter(|s| !s.trim().is_empty());
        let branch = short(&update.refname).to_string();
        let count = direct.len().to_string();
        let emergency = rule == "E1" && self.bypass.emergency;
        let finding = if emergency {
            Finding::new(
                Severity::Warn,
                rule,
                &update.refname,
                Msg::DirectCommitsUnderEmergency { branch, count },
            )
        } else {
            let source = update
                .source
                .as_deref()
                .map(short)
                .filter(|s| *s != branch && *s != "HEAD")
                .filter(|s| RefKind::of(self.config, &format!("refs/heads/{s}")) == RefKind::Other)
                .map(str::to_string);
            let remote = self.side.remote_name().to_string();
            let finding = Finding::new(
                Severity::Block,
                rule,
                &update.refname,
                Msg::DirectCommitsPushed {
                    branch: branch.clone(),
                    count,
                },
            );
            let mut finding = match source {
                Some(source) => finding.hint(Msg::HintPushBranchForReview {
                    remote,
                    source,
                    branch,
                }),
                None => {
                    let new = self.fresh_branch(&format!("feature/{branch}-work"))?;
                    finding.hint(Msg::HintMoveToDevBranch {
                        remote,
                        branch,
                        new,
                    })
                }
            };
            if rule == "E1" {
                finding = finding.hint(match reason {
                    Some(reason) => Msg::HintEmergency {
                        reason: super::sh_word(&reason),
                    },
                    None => Msg::HintEmergencyIncident,
                });
            }
            finding
        };
        Ok(Some(finding.with_commits(direct)))
    }

    /// Commits of `range` (not themselves made on `test`) that carry the change of a
    /// commit made on `test` under another id: a cherry-pick, a rebased copy, or a squash
    /// that includes it. Bounded: `None` when there is more to compare than a hook may
    /// spend (the caller refuses: it cannot tell).
    fn copies_of_test(
        &self,
        range: &[Commit],
        test: &MadeOnTest,
    ) -> Result<Option<Vec<(Commit, ObjectId)>>> {
        const COPY_LIMIT: usize = 1000;
        const COMPARE_BUDGET: usize = 20_000_000;
        let candidates: Vec<&Commit> = range
            .iter()
            .filter(|c| !c.is_merge() && !test.ids.contains(&c.id))
            .collect();
        if test.fixes.is_empty() || candidates.is_empty() {
            return Ok(Some(Vec::new()));
        }
        if candidates.len() > COPY_LIMIT || test.fixes.len() > COPY_LIMIT {
            return Ok(None);
        }
        let in_range: std::collections::HashSet<&ObjectId> = range.iter().map(|c| &c.id).collect();
        let mut originals: Vec<(ObjectId, LineChange)> = Vec::new();
        for fix in &test.fixes {
            if in_range.contains(fix) {
                continue;
            }
            if let Some(change) = self.history.line_change(fix)? {
                originals.push((fix.clone(), change));
            }
        }
        let index = CopyIndex::new(originals);
        let mut copies = Vec::new();
        // Lines compared in all: a history built to make the comparison slow is refused
        // rather than let through unexamined.
        let mut budget = COMPARE_BUDGET;
        for commit in candidates {
            if index.is_empty() {
                break;
            }
            let Some(change) = self.history.line_change(&commit.id)? else {
                continue;
            };
            match index.find(&change, &mut budget) {
                Ok(Some(original)) => copies.push((commit.clone(), original.clone())),
                Ok(None) => {}
                Err(()) => return Ok(None),
            }
        }
        Ok(Some(copies))
    }

    /// `test`'s first-parent chain must go on from what the receiving side has: which
    /// commits were made on `test` is read from that chain, so a merge that takes another
    /// first parent (a "foxtrot", forged or from `git pull`) would hide them.
    fn keeps_first_parent(&self, update: &RefUpdate, hide: &[ObjectId]) -> Result<Option<Finding>> {
        if update.is_create() {
            return Ok(None);
        }
        let chain = self
            .history
            .walk(std::slice::from_ref(&update.new), hide, true)?;
        let Some(oldest) = chain.last() else {
            return Ok(None);
        };
        if oldest.parents.first() == Some(&update.old) {
            return Ok(None);
        }
        let branch = short(&update.refname).to_string();
        Ok(Some(
            Finding::new(
                Severity::Block,
                "F6",
                &update.refname,
                Msg::FirstParentLeaves {
                    branch: branch.clone(),
                    old: update.old.short().to_string(),
                },
            )
            .with_commits(vec![line(oldest, None)])
            .hint(Msg::HintFirstParent {
                remote: self.side.remote_name().to_string(),
                branch,
            }),
        ))
    }

    /// The merges the push adds to the branch's first-parent chain, judged by content.
    fn merge_contents(
        &self,
        update: &RefUpdate,
        hide: &[ObjectId],
        kind: RefKind,
    ) -> Result<Vec<Finding>> {
        let chain = self
            .history
            .walk(std::slice::from_ref(&update.new), hide, true)?;
        super::merges::judge(
            self.history,
            &update.refname,
            kind,
            &chain,
            self.bypass.emergency,
        )
    }

    /// F6: nothing made on `test` may become reachable from a release branch.
    fn test_contamination(
        &mut self,
        refname: &str,
        branch: &str,
        range: &[Commit],
        source: Option<String>,
    ) -> Result<Option<Finding>> {
        if range.is_empty() {
            return Ok(None);
        }
        let test_branch = self.config.branches.test.to_string();
        let test = self.test_commits()?.clone();
        let bad: Vec<&Commit> = range.iter().filter(|c| test.ids.contains(&c.id)).collect();
        let Some(copies) = self.copies_of_test(range, &test)? else {
            return Ok(Some(
                Finding::new(
                    Severity::Block,
                    "F6",
                    refname,
                    Msg::CopiesUnchecked {
                        branch: branch.to_string(),
                        test: test_branch.clone(),
                        commits: range.len().to_string(),
                        fixes: test.fixes.len().to_string(),
                    },
                )
                .hint(Msg::HintCopiesUnchecked {
                    test: test_branch.clone(),
                }),
            ));
        };
        if bad.is_empty() && copies.is_empty() {
            return Ok(None);
        }
        // The merges that pulled `test` into the branch being pushed.
        let entries: Vec<&Commit> = range
            .iter()
            .filter(|c| {
                !test.ids.contains(&c.id) && c.parents.iter().skip(1).any(|p| test.ids.contains(p))
            })
            .collect();
        let mut lines: Vec<CommitLine> = entries
            .iter()
            .map(|c| {
                line(
                    c,
                    Some(Msg::NoteMergedTest {
                        test: test_branch.clone(),
                    }),
                )
            })
            .collect();
        lines.extend(bad.iter().map(|c| {
            line(
                c,
                Some(Msg::NoteMadeOnTest {
                    test: test_branch.clone(),
                }),
            )
        }));
        lines.extend(copies.iter().map(|(c, original)| {
            line(
                c,
                Some(Msg::NoteCopyOfTest {
                    test: test_branch.clone(),
                    commit: original.short().to_string(),
                }),
            )
        }));
        let count = bad.len() + copies.len();
        // Name the development branch that pulled `test` in: the one pushed or merged,
        // else a local branch holding the merge (only worked out when refusing).
        let entry = entries.first().map(|c| c.id.clone());
        let source = match (source, &entry) {
            (Some(source), _) => Some(source),
            (None, Some(merge)) => self
                .history
                .local_branches_containing(merge)?
                .into_iter()
                .find(|b| RefKind::of(self.config, &format!("refs/heads/{b}")) == RefKind::Other),
            (None, None) => None,
        };
        let upstream = match self.side.accepted() {
            Tips::Remote(remote) => format!("{remote}/{branch}"),
            _ => format!("{}/{branch}", self.side.remote_name()),
        };
        let finding = Finding::new(
            Severity::Block,
            "F6",
            refname,
            Msg::TestCodeInRelease {
                branch: branch.to_string(),
                test: test_branch.clone(),
                count: count.to_string(),
            },
        );
        let merge = entry
            .as_ref()
            .or_else(|| copies.first().map(|(c, _)| &c.id))
            .map_or_else(String::new, |m| m.short().to_string());
        // `test` itself (or another protected branch) being merged or pushed: there is no
        // development branch to rebuild, only the one that was tested to merge instead.
        let protected =
            |name: &str| RefKind::of(self.config, &format!("refs/heads/{name}")) != RefKind::Other;
        let itself = match &source {
            Some(source) => protected(source),
            None => entry.is_none() && copies.is_empty(),
        };
        if itself {
            // The development branches test merged, newest first: merge one of those.
            let mut tested = None;
            for commit in bad.iter().filter(|c| c.is_merge()) {
                for parent in commit.parents.iter().skip(1) {
                    tested = self
                        .history
                        .local_branches_containing(parent)?
                        .into_iter()
                        .find(|b| !protected(b));
                    if tested.is_some() {
                        break;
                    }
                }
                if tested.is_some() {
                    break;
                }
            }
            let finding = finding.hint(match tested {
                Some(dev) => Msg::HintMergeDevBranch {
                    test: test_branch,
                    branch: branch.to_string(),
                    dev,
                },
                None => Msg::HintListDevBranches {
                    test: test_branch,
                    branch: branch.to_string(),
                    upstream,
                },
            });
            let mut finding = finding;
            finding.more = lines.len().saturating_sub(super::LISTED);
            finding.commits = lines.into_iter().take(super::LISTED).collect();
            return Ok(Some(finding));
        }
        let finding = match source {
            Some(source) => finding
                .hint(Msg::HintRebuildWithoutTest {
                    source: source.clone(),
                    test: test_branch,
                    merge,
                })
                .hint(Msg::HintRebuildCommand {
                    new: self.fresh_branch(&format!("{source}-clean"))?,
                    from: source,
                    upstream,
                }),
            // No branch to name: rebuild from the merge that pulled `test` in (its
            // first-parent chain is the branch's own work up to that merge).
            None => finding
                .hint(Msg::HintRebuildUnnamed {
                    test: test_branch,
                    merge: merge.clone(),
                })
                .hint(Msg::HintRebuildCommand {
                    new: self.fresh_branch(&format!("rebuild-{merge}"))?,
                    from: merge,
                    upstream,
                }),
        };
        // Entry merges first: they are what the developer can act on.
        let mut finding = finding;
        finding.more = lines.len().saturating_sub(super::LISTED);
        finding.commits = lines.into_iter().take(super::LISTED).collect();
        Ok(Some(finding))
    }

    /// F13: every commit the production branch's first-parent chain gains is a release
    /// tag, or a merge of one (under an emergency window also a merge of a release tip).
    fn production(&mut self, update: &RefUpdate, hide: &[ObjectId]) -> Result<Option<Finding>> {
        let chain = self
            .history
            .walk(std::slice::from_ref(&update.new), hide, true)?;
        for commit in &chain {
            if self.is_release_tag(&commit.id)? {
                // Everything below a release tag is that release's history.
                return Ok(None);
            }
            // A merge of a release tag: one parent is a release (tag, or under an
            // emergency window a release tip), and everything else it merges the
            // receiving side has already. (A merge whose first parent is the tag and whose
            // other parent is new code would otherwise carry that code in.)
            let mut merged_ok = false;
            // A merge of what the receiving side already has (`git pull` after another
            // QA pushed): the first parent stays on the chain and is judged in turn.
            if commit.is_merge() {
                let b = &self.config.branches;
                let mut production = self
                    .history
                    .branch_tips(&|n| b.production.matches(n), self.side.accepted())?;
                if !update.is_create() {
                    production.push(update.old.clone());
                }
                let mut others_accepted = true;
                for other in commit.parents.iter().skip(1) {
                    if !self.already_has(other, &production)? {
                        others_accepted = false;
                        break;
                    }
                }
                merged_ok |= others_accepted;
            }
            if commit.is_merge() && !merged_ok {
                for (i, parent) in commit.parents.iter().enumerate() {
                    if !self.may_enter_production(parent)? {
                        continue;
                    }
                    let mut others_accepted = true;
                    for (j, other) in commit.parents.iter().enumerate() {
                        if j != i
                            && !self.may_enter_production(other)?
                            && !self.already_has(other, hide)?
                        {
                            others_accepted = false;
                        }
                    }
                    merged_ok |= others_accepted;
                }
            }
            if !merged_ok {
                let branch = short(&update.refname).to_string();
                return Ok(Some(
                    Finding::new(
                        Severity::Block,
                        "F13",
                        &update.refname,
                        Msg::ProductionNotReleaseTag {
                            branch: branch.clone(),
                            commit: commit.id.short().to_string(),
                        },
                    )
                    .with_commits(vec![line(commit, None)])
                    .hint(self.release_tag_example(&branch, Some(&update.old))?)
                    .hint(Msg::HintMoveToDevBranch {
                        remote: self.side.remote_name().to_string(),
                        new: self.fresh_branch(&format!("feature/{branch}-work"))?,
                        branch,
                    }),
                ));
            }
        }
        Ok(None)
    }

    /// Whether `commit` may be merged into the production branch: a release tag points
    /// at it, or an emergency window is open and it is a release branch's tip (E4).
    fn may_enter_production(&mut self, commit: &ObjectId) -> Result<bool> {
        if self.is_release_tag(commit)? {
            return Ok(true);
        }
        if self.bypass.emergency {
            // The release tip the receiving side has, or one this push sets: a local
            // release branch nobody reviewed is no release.
            let b = &self.config.branches;
            let from = match self.side {
                Side::Client { remote: None } => self.side.anywhere(),
                _ => self.side.accepted(),
            };
            let mut tips = self.history.branch_tips(&|n| b.is_release(n), from)?;
            tips.extend(self.pushed_release.iter().cloned());
            return Ok(tips.contains(commit));
        }
        Ok(false)
    }

    /// Whether a release tag points at `commit` and the commit is on a release branch:
    /// one the receiving side has, or one this push updates. (A tag made anywhere else,
    /// say on a local commit nobody reviewed, is no release.)
    fn is_release_tag(&mut self, commit: &ObjectId) -> Result<bool> {
        if !self.tagged()?.contains_key(commit) {
            return Ok(false);
        }
        if let Some(known) = self.on_release.iter().find(|(c, _)| c == commit) {
            return Ok(known.1);
        }
        let b = &self.config.branches;
        let tips_from = match self.side {
            // A local merge (pre-merge-commit): the local release branch counts too.
            Side::Client { remote: None } => self.side.anywhere(),
            _ => self.side.accepted(),
        };
        let mut tips = self.history.branch_tips(&|n| b.is_release(n), tips_from)?;
        tips.extend(self.pushed_release.iter().cloned());
        let mut on = false;
        for tip in &tips {
            if self.history.is_ancestor(commit, tip)? {
                on = true;
                break;
            }
        }
        self.on_release.push((commit.clone(), on));
        Ok(on)
    }

    /// Whether `commit` is on a release branch the receiving side has, or on one this push
    /// updates.
    fn on_release_branch(&mut self, commit: &ObjectId) -> Result<bool> {
        let b = &self.config.branches;
        let mut tips = self
            .history
            .branch_tips(&|n| b.is_release(n), self.side.accepted())?;
        tips.extend(self.pushed_release.iter().cloned());
        for tip in &tips {
            if self.history.is_ancestor(commit, tip)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the receiving side already has `commit` (it is below one of `hide`).
    fn already_has(&self, commit: &ObjectId, hide: &[ObjectId]) -> Result<bool> {
        for tip in hide {
            if self.history.has(tip)? && self.history.is_ancestor(commit, tip)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn direct_commit(&mut self, branch: &str, kind: RefKind) -> Result<Finding> {
        let refname = format!("refs/heads/{branch}");
        let new = self.fresh_branch(&format!("feature/{branch}-work"))?;
        let branch = branch.to_string();
        Ok(match kind {
            RefKind::Release if self.bypass.emergency => Finding::new(
                Severity::Warn,
                "E1",
                &refname,
                Msg::DirectCommitUnderEmergency { branch },
            ),
            RefKind::Production => Finding::new(
                Severity::Block,
                "F13",
                &refname,
                Msg::DirectCommit {
                    branch: branch.clone(),
                },
            )
            .hint(Msg::HintProductionOnlyTags { branch })
            .hint(Msg::HintUseDevBranch {
                branch: self.release_branch_name(),
                new,
            }),
            _ => {
                let rule = if kind == RefKind::Test { "F1" } else { "E1" };
                let mut finding = Finding::new(
                    Severity::Block,
                    rule,
                    &refname,
                    Msg::DirectCommit {
                        branch: branch.clone(),
                    },
                )
                .hint(Msg::HintUseDevBranch { branch, new });
                if kind == RefKind::Release {
                    finding = finding.hint(Msg::HintEmergencyIncident);
                }
                finding
            }
        })
    }

    /// A development branch name for a hint's `git switch -c`: `candidate`, or with `-2`,
    /// `-3`, ... when that is a protected branch or one this repository already has.
    fn fresh_branch(&self, candidate: &str) -> Result<String> {
        for n in 1..100 {
            let name = if n == 1 {
                candidate.to_string()
            } else {
                format!("{candidate}-{n}")
            };
            let protected =
                RefKind::of(self.config, &format!("refs/heads/{name}")) != RefKind::Other;
            if !protected
                && self
                    .history
                    .branch_tips(&|b| b == name, Tips::Local)?
                    .is_empty()
            {
                return Ok(name);
            }
        }
        Ok(format!("{candidate}-new"))
    }

    /// The release branch a hint names: the first configured one that is a plain name.
    fn release_branch_name(&self) -> String {
        self.config
            .branches
            .release
            .iter()
            .map(ToString::to_string)
            .find(|b| !b.contains(['*', '?', '[']))
            .unwrap_or_else(|| "release".to_string())
    }

    /// How the production branch moves, with a real release tag to merge when there is
    /// one it does not have yet (the newest by version), else in words.
    fn release_tag_example(&mut self, branch: &str, tip: Option<&ObjectId>) -> Result<Msg> {
        let mut tagged: Vec<(semver::Version, String, ObjectId)> = self
            .tagged()?
            .iter()
            .flat_map(|(commit, names)| {
                names.iter().filter_map(move |n| {
                    crate::plan::check::parse_version(n).map(|v| (v, n.clone(), commit.clone()))
                })
            })
            .collect();
        tagged.sort_by(|a, b| b.0.cmp(&a.0));
        for (_, tag, commit) in tagged.into_iter().take(20) {
            let merged = match tip.filter(|t| !t.is_zero()) {
                Some(tip) => self.history.has(tip)? && self.history.is_ancestor(&commit, tip)?,
                None => false,
            };
            if !merged {
                return Ok(Msg::HintMergeReleaseTag {
                    branch: branch.to_string(),
                    tag,
                });
            }
        }
        Ok(Msg::HintProductionOnlyTags {
            branch: branch.to_string(),
        })
    }

    /// Production and release tips the receiving side already has: their commits were
    /// judged when they arrived.
    fn accepted_tips(&self) -> Result<Vec<ObjectId>> {
        let b = &self.config.branches;
        let mut tips = self.history.branch_tips(
            &|n| b.production.matches(n) || b.is_release(n),
            self.side.accepted(),
        )?;
        tips.extend(self.bootstrap.iter().cloned());
        Ok(tips)
    }

    fn test_commits(&mut self) -> Result<&MadeOnTest> {
        if self.test.is_none() {
            let accepted = self.accepted_tips()?;
            self.test = Some(made_on_test(
                self.config,
                self.history,
                self.side,
                &accepted,
            )?);
        }
        Ok(self.test.as_ref().expect("just computed"))
    }

    fn tagged(&mut self) -> Result<&HashMap<ObjectId, Vec<String>>> {
        if self.tagged.is_none() {
            let pattern = &self.config.tags.release;
            self.tagged = Some(self.history.tagged_commits(&|t| pattern.matches(t))?);
        }
        Ok(self.tagged.as_ref().expect("just loaded"))
    }
}

impl Rules<'_> {
    fn tag(&mut self, update: &RefUpdate) -> Result<Option<Finding>> {
        if let Some(finding) = check_tag(update) {
            return Ok(Some(finding));
        }
        if !update.is_create() {
            return Ok(None);
        }
        let tag = short(&update.refname).to_string();
        // A release is tagged on a release branch: the remote's, or one this push updates.
        // (A tag on a commit nobody merged into release would release unreviewed code.)
        let commit = self
            .history
            .tag_commit(&tag)?
            .unwrap_or_else(|| update.new.clone());
        if !self.on_release_branch(&commit)? {
            let branch = self
                .config
                .branches
                .release
                .first()
                .map_or_else(|| "release".to_string(), ToString::to_string);
            return Ok(Some(
                Finding::new(
                    Severity::Block,
                    "F13",
                    &update.refname,
                    Msg::TagNotOnRelease {
                        tag: tag.clone(),
                        commit: commit.short().to_string(),
                    },
                )
                .hint(Msg::HintTagOnRelease {
                    tag,
                    remote: self.side.remote_name().to_string(),
                    branch,
                }),
            ));
        }
        let plans = plans::Plans {
            config: self.config,
            history: self.history,
            commit: &update.new,
            tags: self.release_tags(Some(&tag))?,
            accepted: self.accepted_tips()?,
            recorded: self.rollbacks,
        };
        let findings = plans::tag_create(
            &plans,
            &update.refname,
            &tag,
            self.bypass.emergency,
            self.debts,
        )?;
        // One finding per tag: the gates' findings are listed together.
        Ok(merge(findings))
    }

    /// The release tags that exist, and `also` (being pushed).
    fn release_tags(&mut self, also: Option<&str>) -> Result<Vec<String>> {
        let pattern = &self.config.tags.release;
        let mut tags = self.history.tag_names(&|t| pattern.matches(t))?;
        tags.extend(
            also.filter(|t| !tags.iter().any(|x| x == t))
                .map(str::to_string),
        );
        Ok(tags)
    }
}

/// Several findings about one tag, as the first with the others' places appended.
fn merge(findings: Vec<Finding>) -> Option<Finding> {
    let mut iter = findings.into_iter();
    let mut first = iter.next()?;
    for other in iter {
        first.places.push((String::new(), other.message));
        first.places.extend(other.places);
        first.hints.extend(other.hints);
    }
    Some(first)
}

fn check_tag(update: &RefUpdate) -> Option<Finding> {
    let tag = short(&update.refname).to_string();
    if update.is_delete() {
        Some(
            Finding::new(
                Severity::Block,
                "protect",
                &update.refname,
                Msg::TagDelete { tag: tag.clone() },
            )
            .hint(Msg::HintTagFixed { tag }),
        )
    } else if !update.is_create() && update.old != update.new {
        Some(
            Finding::new(
                Severity::Block,
                "protect",
                &update.refname,
                Msg::TagMove {
                    tag: tag.clone(),
                    old: update.old.short().to_string(),
                    new: update.new.short().to_string(),
                },
            )
            .hint(Msg::HintTagFixed { tag }),
        )
    } else {
        None
    }
}

fn line(commit: &Commit, note: Option<Msg>) -> CommitLine {
    CommitLine {
        id: commit.id.clone(),
        summary: commit.summary.clone(),
        note,
    }
}

/// `refs/heads/release` → `release`, `refs/tags/v1` → `v1`.
pub fn short(refname: &str) -> &str {
    refname
        .strip_prefix("refs/heads/")
        .or_else(|| refname.strip_prefix("refs/tags/"))
        .unwrap_or(refname)
}
