//! An in-memory history for the policy engine's own tests: commits, branches and tags as
//! plain values, so each rule's refusal and legitimate path is shown without a process.
//! (The integration tests drive the same rules through real git.)

use std::collections::{HashMap, HashSet};

use super::*;
use crate::config::Config;

#[derive(Default)]
struct Fake {
    commits: HashMap<ObjectId, Commit>,
    order: Vec<ObjectId>,
    /// (full ref name, target)
    refs: Vec<(String, ObjectId)>,
}

impl Fake {
    fn commit(&mut self, summary: &str, parents: &[&ObjectId]) -> ObjectId {
        let id = ObjectId::parse(&format!("{:040x}", self.order.len() + 1)).unwrap();
        self.commits.insert(
            id.clone(),
            Commit {
                id: id.clone(),
                parents: parents.iter().map(|p| (*p).clone()).collect(),
                summary: summary.to_string(),
            },
        );
        self.order.push(id.clone());
        id
    }

    fn set(&mut self, refname: &str, id: &ObjectId) {
        self.refs.retain(|(n, _)| n != refname);
        self.refs.push((refname.to_string(), id.clone()));
    }

    fn reachable(&self, tips: &[ObjectId], first_parent: bool) -> HashSet<ObjectId> {
        let mut seen = HashSet::new();
        let mut todo: Vec<ObjectId> = tips.to_vec();
        while let Some(id) = todo.pop() {
            if seen.insert(id.clone()) {
                let parents = &self.commits[&id].parents;
                let take = if first_parent { 1 } else { parents.len() };
                todo.extend(parents.iter().take(take).cloned());
            }
        }
        seen
    }
}

impl History for Fake {
    fn has(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.commits.contains_key(id))
    }

    fn is_ancestor(&self, ancestor: &ObjectId, descendant: &ObjectId) -> Result<bool> {
        Ok(self
            .reachable(std::slice::from_ref(descendant), false)
            .contains(ancestor))
    }

    fn walk(
        &self,
        tips: &[ObjectId],
        hide: &[ObjectId],
        first_parent: bool,
    ) -> Result<Vec<Commit>> {
        let hidden = self.reachable(hide, false);
        let mut shown = HashSet::new();
        let mut todo: Vec<ObjectId> = tips.to_vec();
        while let Some(id) = todo.pop() {
            if hidden.contains(&id) || !shown.insert(id.clone()) {
                continue;
            }
            let parents = &self.commits[&id].parents;
            let take = if first_parent { 1 } else { parents.len() };
            todo.extend(parents.iter().take(take).cloned());
        }
        Ok(self
            .order
            .iter()
            .rev()
            .filter(|id| shown.contains(*id))
            .map(|id| self.commits[id].clone())
            .collect())
    }

    fn branch_tips(&self, matches: &dyn Fn(&str) -> bool, tips: Tips<'_>) -> Result<Vec<ObjectId>> {
        Ok(self
            .refs
            .iter()
            .filter_map(|(name, id)| {
                let local = || name.strip_prefix("refs/heads/");
                let remote = |only: Option<&str>| {
                    let rest = name.strip_prefix("refs/remotes/")?;
                    match only {
                        Some(r) => rest.strip_prefix(r)?.strip_prefix('/'),
                        None => rest.split_once('/').map(|(_, b)| b),
                    }
                };
                let short = match tips {
                    Tips::Local => local(),
                    Tips::Remote(r) => remote(Some(r)),
                    Tips::AllRemotes => remote(None),
                    Tips::Everywhere => local().or_else(|| remote(None)),
                }?;
                matches(short).then(|| id.clone())
            })
            .collect())
    }

    fn tag_names(&self, matches: &dyn Fn(&str) -> bool) -> Result<Vec<String>> {
        Ok(self
            .refs
            .iter()
            .filter_map(|(n, _)| n.strip_prefix("refs/tags/"))
            .filter(|t| matches(t))
            .map(str::to_string)
            .collect())
    }

    fn tag_commit(&self, name: &str) -> Result<Option<ObjectId>> {
        let refname = format!("refs/tags/{name}");
        Ok(self
            .refs
            .iter()
            .find(|(n, _)| *n == refname)
            .map(|(_, id)| id.clone()))
    }

    fn read_file(&self, _commit: &ObjectId, _path: &str) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }

    fn list_dir(&self, _commit: &ObjectId, _dir: &str) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    fn merge_differences(&self, _merge: &ObjectId) -> Result<Vec<MergeDifference>> {
        Ok(Vec::new())
    }

    fn line_change(&self, _id: &ObjectId) -> Result<Option<LineChange>> {
        Ok(None)
    }

    fn local_branches_containing(&self, id: &ObjectId) -> Result<Vec<String>> {
        Ok(self
            .refs
            .iter()
            .filter_map(|(name, tip)| {
                let short = name.strip_prefix("refs/heads/")?;
                self.reachable(std::slice::from_ref(tip), false)
                    .contains(id)
                    .then(|| short.to_string())
            })
            .collect())
    }

    fn tagged_commits(
        &self,
        matches: &dyn Fn(&str) -> bool,
    ) -> Result<HashMap<ObjectId, Vec<String>>> {
        let mut out: HashMap<ObjectId, Vec<String>> = HashMap::new();
        for (name, id) in &self.refs {
            if let Some(tag) = name.strip_prefix("refs/tags/") {
                if matches(tag) {
                    out.entry(id.clone()).or_default().push(tag.to_string());
                }
            }
        }
        Ok(out)
    }

    fn same_outside(&self, a: &ObjectId, b: &ObjectId, _dir: &str) -> Result<bool> {
        // No trees here: only a commit is the same as itself.
        Ok(a == b)
    }
}

/// master ── m1; release at m1; origin/* the same; test with a test-only fix merged on it;
/// feature/clean with two commits; feature/dirty that merged test.
struct World {
    h: Fake,
    m1: ObjectId,
    test_fix: ObjectId,
    test_merge: ObjectId,
    clean: ObjectId,
    dirty: ObjectId,
    dirty_merge: ObjectId,
}

fn world() -> World {
    let mut h = Fake::default();
    let m1 = h.commit("initial", &[]);
    for r in [
        "refs/heads/master",
        "refs/heads/release",
        "refs/remotes/origin/master",
        "refs/remotes/origin/release",
    ] {
        h.set(r, &m1);
    }
    let other = h.commit("other feature", &[&m1]);
    let test_merge = h.commit("Merge branch 'feature/other' into test", &[&m1, &other]);
    let test_fix = h.commit("quick fix made on test", &[&test_merge]);
    h.set("refs/remotes/origin/test", &test_fix);
    let c1 = h.commit("coupon: model", &[&m1]);
    let clean = h.commit("coupon: api", &[&c1]);
    h.set("refs/heads/feature/clean", &clean);
    let d1 = h.commit("stacking: model", &[&m1]);
    let dirty_merge = h.commit("Merge branch 'test' into feature/dirty", &[&d1, &test_fix]);
    let dirty = h.commit("stacking: api", &[&dirty_merge]);
    h.set("refs/heads/feature/dirty", &dirty);
    World {
        h,
        m1,
        test_fix,
        test_merge,
        clean,
        dirty,
        dirty_merge,
    }
}

fn update(refname: &str, old: &ObjectId, new: &ObjectId, source: &str) -> RefUpdate {
    RefUpdate {
        refname: refname.into(),
        old: old.clone(),
        new: new.clone(),
        source: Some(source.into()),
    }
}

fn push(h: &Fake, updates: &[RefUpdate], bypass: Bypass) -> Vec<Finding> {
    check_updates(
        &Config::default(),
        updates,
        h,
        Side::Client {
            remote: Some("origin"),
        },
        bypass,
        &[],
    )
    .unwrap()
    .into_iter()
    // Plan gates (F7) read plans from commits, which this history has none of; they are
    // shown end to end in the integration tests.
    .filter(|f| f.rule != "F7")
    .collect()
}

fn rules(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    findings.iter().map(|f| (f.rule, f.severity)).collect()
}

fn zero() -> ObjectId {
    ObjectId::zero(40)
}

#[test]
fn reviewed_merge_into_release_passes() {
    let mut w = world();
    let merge = w.h.commit(
        "Merge branch 'feature/clean' into release",
        &[&w.m1, &w.clean],
    );
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/release",
            &w.m1,
            &merge,
            "refs/heads/release",
        )],
        Bypass::default(),
    );
    assert_eq!(findings, vec![]);
}

#[test]
fn direct_commits_to_release_are_refused_unless_emergency() {
    let w = world();
    let u = update(
        "refs/heads/release",
        &w.m1,
        &w.clean,
        "refs/heads/feature/clean",
    );
    let findings = push(&w.h, std::slice::from_ref(&u), Bypass::default());
    assert_eq!(rules(&findings), vec![("E1", Severity::Block)]);
    assert_eq!(findings[0].commits.len(), 2);
    assert!(findings[0].hints.iter().any(
        |h| matches!(h, Msg::HintPushBranchForReview { source, .. } if source == "feature/clean")
    ));
    let findings = push(&w.h, &[u], Bypass { emergency: true });
    assert_eq!(rules(&findings), vec![("E1", Severity::Warn)]);
}

#[test]
fn test_branch_code_never_reaches_release() {
    let mut w = world();
    let merge = w.h.commit(
        "Merge branch 'feature/dirty' into release",
        &[&w.m1, &w.dirty],
    );
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/release",
            &w.m1,
            &merge,
            "refs/heads/release",
        )],
        Bypass { emergency: true },
    );
    assert_eq!(
        rules(&findings),
        vec![("F6", Severity::Block)],
        "an emergency does not excuse F6"
    );
    let listed: Vec<&ObjectId> = findings[0].commits.iter().map(|c| &c.id).collect();
    assert_eq!(
        listed,
        vec![&w.dirty_merge, &w.test_fix, &w.test_merge],
        "the merge that pulled test in comes first"
    );
    assert_eq!(
        findings[0].message,
        Msg::TestCodeInRelease {
            branch: "release".into(),
            test: "test".into(),
            count: "2".into()
        }
    );
}

#[test]
fn deletion_force_and_unknown_remote_state() {
    let mut w = world();
    let findings = push(
        &w.h,
        &[update("refs/heads/release", &w.m1, &zero(), "(delete)")],
        Bypass { emergency: true },
    );
    assert_eq!(rules(&findings), vec![("protect", Severity::Block)]);
    // release moved sideways: not a fast-forward
    let side = w.h.commit("Merge side", &[&w.clean, &w.m1]);
    let ahead = w.h.commit("Merge ahead", &[&w.m1, &w.clean]);
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/release",
            &ahead,
            &side,
            "refs/heads/release",
        )],
        Bypass::default(),
    );
    assert_eq!(
        findings[0].message,
        Msg::ForcePush {
            branch: "release".into()
        }
    );
    let unknown = ObjectId::parse(&"e".repeat(40)).unwrap();
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/master",
            &unknown,
            &w.m1,
            "refs/heads/master",
        )],
        Bypass::default(),
    );
    assert!(matches!(findings[0].message, Msg::FetchFirst { .. }));
}

#[test]
fn master_only_moves_to_release_tags() {
    let mut w = world();
    let rel = w.h.commit(
        "Merge branch 'feature/clean' into release",
        &[&w.m1, &w.clean],
    );
    w.h.set("refs/tags/v1.0.0", &rel);
    w.h.set("refs/remotes/origin/release", &rel);
    // fast-forward to the tag
    assert_eq!(
        push(
            &w.h,
            &[update(
                "refs/heads/master",
                &w.m1,
                &rel,
                "refs/heads/master"
            )],
            Bypass::default()
        ),
        vec![]
    );
    // a merge of the tag
    let hotfix = w.h.commit("hotfix on master", &[&w.m1]);
    w.h.set("refs/remotes/origin/master", &hotfix);
    let merge = w.h.commit("Merge tag 'v1.0.0'", &[&hotfix, &rel]);
    assert_eq!(
        push(
            &w.h,
            &[update(
                "refs/heads/master",
                &hotfix,
                &merge,
                "refs/heads/master"
            )],
            Bypass::default()
        ),
        vec![]
    );
    // anything else
    let direct = w.h.commit("direct", &[&merge]);
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/master",
            &merge,
            &direct,
            "refs/heads/master",
        )],
        Bypass::default(),
    );
    assert_eq!(rules(&findings), vec![("F13", Severity::Block)]);
    assert_eq!(findings[0].commits[0].id, direct);
    // A merge of a development commit master does not have (merging one master already
    // has, as `git pull` does, brings nothing and is judged by its content).
    let feature = w.h.commit("feature", &[&w.m1]);
    let merge_feature = w.h.commit("Merge feature", &[&merge, &feature]);
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/master",
            &merge,
            &merge_feature,
            "refs/heads/master",
        )],
        Bypass::default(),
    );
    assert_eq!(rules(&findings), vec![("F13", Severity::Block)]);
    // The tag as first parent does not carry new code in.
    let evil = w.h.commit("evil", &[&merge]);
    let on_tag = w.h.commit("Merge evil into the tag", &[&rel, &evil]);
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/master",
            &merge,
            &on_tag,
            "refs/heads/master",
        )],
        Bypass::default(),
    );
    assert_eq!(rules(&findings), vec![("F13", Severity::Block)]);
    // A tag made on an unreviewed commit is no release.
    w.h.set("refs/tags/v6.6.6", &evil);
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/master",
            &merge,
            &evil,
            "refs/heads/master",
        )],
        Bypass::default(),
    );
    assert_eq!(rules(&findings), vec![("F13", Severity::Block)]);
}

#[test]
fn release_tags_are_permanent() {
    let w = world();
    let tag = "refs/tags/v1.0.0";
    assert_eq!(
        push(&w.h, &[update(tag, &zero(), &w.m1, tag)], Bypass::default()),
        vec![]
    );
    let moved = push(
        &w.h,
        &[update(tag, &w.m1, &w.clean, tag)],
        Bypass::default(),
    );
    assert!(matches!(moved[0].message, Msg::TagMove { .. }));
    let deleted = push(
        &w.h,
        &[update(tag, &w.m1, &zero(), "(delete)")],
        Bypass::default(),
    );
    assert!(matches!(deleted[0].message, Msg::TagDelete { .. }));
    // other tags and branches: anything goes
    assert_eq!(
        push(
            &w.h,
            &[update("refs/tags/nightly", &w.m1, &zero(), "(delete)")],
            Bypass::default()
        ),
        vec![]
    );
    assert_eq!(
        push(
            &w.h,
            &[update(
                "refs/heads/feature/x",
                &w.clean,
                &w.m1,
                "refs/heads/feature/x"
            )],
            Bypass::default()
        ),
        vec![]
    );
}

#[test]
fn every_update_of_a_push_is_judged() {
    let w = world();
    let findings = push(
        &w.h,
        &[
            update(
                "refs/heads/feature/clean",
                &zero(),
                &w.clean,
                "refs/heads/feature/clean",
            ),
            update("refs/heads/release", &w.m1, &w.clean, "refs/heads/release"),
        ],
        Bypass::default(),
    );
    assert_eq!(rules(&findings), vec![("E1", Severity::Block)]);
}

#[test]
fn test_takes_merges_only() {
    let mut w = world();
    let merge =
        w.h.commit("Merge feature/clean into test", &[&w.test_fix, &w.clean]);
    assert_eq!(
        push(
            &w.h,
            &[update(
                "refs/heads/test",
                &w.test_fix,
                &merge,
                "refs/heads/test"
            )],
            Bypass::default()
        ),
        vec![]
    );
    let direct = w.h.commit("fix on test", &[&merge]);
    let findings = push(
        &w.h,
        &[update(
            "refs/heads/test",
            &merge,
            &direct,
            "refs/heads/test",
        )],
        Bypass { emergency: true },
    );
    assert_eq!(rules(&findings), vec![("F1", Severity::Block)]);
}

fn commit_on(
    h: &Fake,
    branch: Option<&str>,
    head: Option<&ObjectId>,
    merging: &[&ObjectId],
    bypass: Bypass,
) -> Vec<Finding> {
    let state = CommitState {
        branch: branch.map(str::to_string),
        head: head.cloned(),
        merge_heads: merging.iter().map(|m| (*m).clone()).collect(),
        merge_source: None,
        staged: Vec::new(),
    };
    check_commit(&Config::default(), &state, h, bypass).unwrap()
}

#[test]
fn commits_on_protected_branches() {
    let mut w = world();
    let none = Bypass::default();
    for branch in ["master", "release", "release/2.3", "test"] {
        assert_eq!(
            commit_on(&w.h, Some(branch), Some(&w.m1), &[], none).len(),
            1,
            "{branch}"
        );
    }
    assert_eq!(
        commit_on(&w.h, Some("feature/x"), Some(&w.m1), &[], none),
        vec![]
    );
    assert_eq!(
        commit_on(&w.h, None, Some(&w.m1), &[], none),
        vec![],
        "detached HEAD"
    );
    assert_eq!(
        commit_on(&w.h, Some("master"), None, &[], none),
        vec![],
        "first commit"
    );
    let emergency = commit_on(
        &w.h,
        Some("release"),
        Some(&w.m1),
        &[],
        Bypass { emergency: true },
    );
    assert_eq!(rules(&emergency), vec![("E1", Severity::Warn)]);
    let on_master = commit_on(
        &w.h,
        Some("master"),
        Some(&w.m1),
        &[],
        Bypass { emergency: true },
    );
    assert_eq!(rules(&on_master), vec![("F13", Severity::Block)]);

    // merges
    assert_eq!(
        commit_on(&w.h, Some("release"), Some(&w.m1), &[&w.clean], none),
        vec![]
    );
    let dirty = commit_on(&w.h, Some("release"), Some(&w.m1), &[&w.dirty], none);
    assert_eq!(rules(&dirty), vec![("F6", Severity::Block)]);
    assert_eq!(
        commit_on(&w.h, Some("test"), Some(&w.test_fix), &[&w.dirty], none),
        vec![]
    );
    let untagged = commit_on(&w.h, Some("master"), Some(&w.m1), &[&w.clean], none);
    assert_eq!(rules(&untagged), vec![("F13", Severity::Block)]);
    w.h.set("refs/tags/v1.0.0", &w.clean);
    // A tag on a commit no release branch has is no release.
    let off_release = commit_on(&w.h, Some("master"), Some(&w.m1), &[&w.clean], none);
    assert_eq!(rules(&off_release), vec![("F13", Severity::Block)]);
    w.h.set("refs/heads/release", &w.clean);
    assert_eq!(
        commit_on(&w.h, Some("master"), Some(&w.m1), &[&w.clean], none),
        vec![]
    );
}
