//! `shipgate check-master`: after QA merged the release tag into master, did master lose
//! anything, and does the tag lack anything master had (F14)?

use serde::Serialize;

use crate::check_master::{self, Kind, Report, Severity, Verdict};
use crate::cli::{CheckMasterArgs, FailOn, Format};
use crate::config;
use crate::error::{Error, Result, EXIT_OK, EXIT_REFUSED};
use crate::git::Repo;
use crate::messages::Msg;
use crate::plan::check::parse_version;
use crate::policy::History;
use crate::ui::{Tone, Ui};
use crate::Context;

use super::repo_dir;

pub fn run(ctx: &Context, args: &CheckMasterArgs) -> Result<u8> {
    let repo = Repo::discover(&repo_dir(args.repo.as_deref())?)?;
    let config = config::in_force(&repo, None)?;
    ctx.adopt(&config);
    let pattern = &config.tags.release;
    let newest = repo
        .tag_names(&|t| pattern.matches(t))?
        .into_iter()
        .filter_map(|t| parse_version(&t).map(|v| (v, t)))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, t)| t);
    let tag = match (&args.tag, &newest) {
        (Some(tag), _) => tag.clone(),
        (None, Some(newest)) => newest.clone(),
        (None, None) => {
            return Err(Error::new(Msg::NoReleaseTag {
                pattern: pattern.to_string(),
            })
            .hint(Msg::HintNameTag))
        }
    };
    let tag_commit = repo
        .resolve(&format!("refs/tags/{tag}"))
        .or_else(|_| repo.resolve(&tag))?;
    let production = config.branches.production.as_str().to_string();
    let master = match &args.master {
        Some(master) => master.clone(),
        None => ["refs/heads/", "refs/remotes/origin/"]
            .iter()
            .map(|prefix| format!("{prefix}{production}"))
            .find(|name| repo.resolve(name).is_ok())
            .ok_or_else(|| {
                Error::new(Msg::NoProductionBranch {
                    branch: production.clone(),
                })
                .hint(Msg::HintFetchMaster {
                    branch: production.clone(),
                })
            })?,
    };
    let master_commit = repo.resolve(&master)?;
    let since = args.since.as_deref().map(|r| repo.resolve(r)).transpose()?;
    // E4: checking the newest release, also what the release branches have that
    // production lacks (an emergency fix not merged back yet).
    let release = if newest.as_deref() == Some(tag.as_str()) {
        repo.branches_named(&|b| config.branches.is_release(b))?
    } else {
        Vec::new()
    };
    let plans_dir = config.plans.dir.as_path().to_string_lossy();
    let plans_dir = plans_dir.trim_end_matches('/');
    let master_shown = crate::policy::short_ref(&master).to_string();
    let ui = ctx.ui();
    let progress = ui.progress();
    let tell = |n: usize, m: usize| {
        progress.show(&Msg::CmProgress {
            n: n.to_string(),
            m: m.to_string(),
        })
    };
    let report = check_master::check(
        &repo,
        &tag,
        &tag_commit,
        &master_shown,
        &master_commit,
        &check_master::Options {
            since: since.as_ref(),
            generated: &config.check_master.generated,
            progress: Some(&tell),
            release: &release,
            plans: plans_dir,
        },
    )?;
    drop(progress);
    match args.format {
        Format::Text => text(&ui, &report, args.verbose),
        Format::Json => {
            ui.line(&serde_json::to_string_pretty(&json(&report)).expect("a report serializes"))
        }
    }
    let failing = match report.verdict {
        Verdict::Clean => false,
        Verdict::Lost | Verdict::NotMerged => true,
        Verdict::Review => args.fail_on == FailOn::Review,
    };
    repo.close_at_exit();
    Ok(if failing { EXIT_REFUSED } else { EXIT_OK })
}

fn restore(finding: &check_master::Finding) -> Option<String> {
    let commit = finding.commit.id.short();
    match finding.kind {
        Kind::MergeDropped => {
            let merge = finding.merge.as_ref()?.id.short();
            let path = &finding.files.first()?.path;
            match finding.severity {
                Severity::Lost if finding.commit.id != finding.merge.as_ref()?.id => Some(format!(
                    "git switch -c restore/{commit} master && git cherry-pick {commit}   (see: git show --remerge-diff {merge} -- {path})"
                )),
                Severity::Info => None,
                _ => Some(format!("git show --remerge-diff {merge} -- {path}")),
            }
        }
        Kind::TagChangeMissing => Some(format!(
            "git switch -c restore/{commit} master && git cherry-pick {commit}"
        )),
        Kind::HotfixMissingFromTag => Some(format!(
            "git switch -c carry/{commit} release && git cherry-pick {commit}"
        )),
        Kind::ChangedLater => None,
        Kind::UndoneLater | Kind::RevertedOnMaster => Some(format!(
            "git switch -c restore/{commit} master && git cherry-pick {commit}"
        )),
        // Merging the branch is accepted on production under the emergency window (E4)
        // when nothing but direct commits (the emergency's) follows the fix: a reviewed
        // merge after it is the next release in preparation, which only its tag brings.
        Kind::ReleaseNotOnMaster => {
            let branch = finding.branch.as_ref().filter(|b| b.only_fixes_follow)?;
            Some(format!(
                "git switch master && git merge --no-ff {} && git push origin master",
                branch.name
            ))
        }
    }
}

/// How many dropped lines a finding shows without `--verbose`.
const LINES_SHOWN: usize = 8;

/// How many characters of a line are shown without `--verbose`: a minified file's one
/// line would otherwise fill the screen.
const LINE_SHOWN: usize = 160;

/// `line`, cut after `LINE_SHOWN` characters with `…` when longer.
fn cut(line: &str) -> std::borrow::Cow<'_, str> {
    match line.char_indices().nth(LINE_SHOWN) {
        Some((end, _)) => format!("{} …", &line[..end]).into(),
        None => line.into(),
    }
}

fn text(ui: &Ui, report: &Report, verbose: bool) {
    let how = match &report.integration {
        None => ui.text(&Msg::CmNotMerged),
        // A tag on master's merge itself (git-flow) was merged, not fast-forwarded.
        Some(i) if i.id == report.tag_commit && i.parents.len() < 2 => ui.text(&Msg::CmFastForward),
        Some(i) => ui.text(&Msg::CmMergedBy {
            commit: i.id.short().to_string(),
            subject: i.subject.clone(),
        }),
    };
    ui.line(&ui.text(&Msg::CmHeader {
        tag: report.tag.clone(),
        master: report.master.clone(),
        how,
    }));
    // One screen per release: findings grouped by file, worst first within a file; INFO
    // only counted unless asked for.
    let mut shown: Vec<&check_master::Finding> = report
        .findings
        .iter()
        .filter(|f| verbose || f.severity > Severity::Info)
        .collect();
    let path_of = |f: &check_master::Finding| f.files.first().map(|m| m.path.clone());
    shown.sort_by(|a, b| {
        path_of(a)
            .cmp(&path_of(b))
            .then(b.severity.cmp(&a.severity))
    });
    let hidden = report.findings.len() - shown.len();
    let mut group: Option<Option<String>> = None;
    for f in shown {
        if group.as_ref() != Some(&path_of(f)) {
            group = Some(path_of(f));
            if let Some(path) = path_of(f) {
                ui.line(&ui.paint_out(Tone::Plain, &format!("{path}:")));
            }
        }
        let c = &f.commit;
        let (commit, subject, author, date) = (
            c.id.short().to_string(),
            c.subject.clone(),
            c.author.clone(),
            c.date.clone(),
        );
        let what = match f.kind {
            Kind::TagChangeMissing => Msg::CmTagChangeMissing {
                commit,
                subject,
                author,
                date,
            },
            Kind::HotfixMissingFromTag => Msg::CmHotfixMissing {
                commit,
                subject,
                author,
                date,
            },
            Kind::ChangedLater => Msg::CmChangedLater { commit, subject },
            Kind::UndoneLater => Msg::CmUndoneLater { commit, subject },
            Kind::RevertedOnMaster => Msg::CmRevertedOnMaster {
                commit,
                subject,
                author,
                date,
            },
            Kind::ReleaseNotOnMaster => Msg::CmReleaseNotOnMaster {
                commit,
                subject,
                author,
                date,
                branch: f
                    .branch
                    .as_ref()
                    .map(|b| b.name.clone())
                    .unwrap_or_default(),
            },
            Kind::MergeDropped => {
                let merge = f.merge.as_ref().expect("merge findings name their merge");
                Msg::CmMergeDropped {
                    merge: merge.id.short().to_string(),
                    subject: merge.subject.clone(),
                    reason: ui.text(&reason_msg(f.reason)),
                    commit,
                    introduced: f.commit.subject.clone(),
                    author,
                    date,
                }
            }
        };
        let severity = match f.severity {
            Severity::Lost => ui.paint_out(Tone::Bad, "LOST  "),
            Severity::Review => ui.paint_out(Tone::Warn, "REVIEW"),
            Severity::Info => ui.paint_out(Tone::Plain, "INFO  "),
        };
        ui.line(&format!("{severity} {}  {}", f.id, ui.text(&what)));
        for file in &f.files {
            if file.binary {
                ui.line(&format!(
                    "         {}",
                    ui.text(&Msg::CmBinary {
                        path: file.path.clone()
                    })
                ));
                continue;
            }
            let place = match file.at {
                Some(at) => format!("{}:{at}", file.path),
                None => file.path.clone(),
            };
            let count = file.lines.len().to_string();
            let back = f.reason == Some(check_master::Reason::BroughtBack);
            let (head, sign) = if back {
                (Msg::CmFileBroughtBack { path: place, count }, "+")
            } else {
                (Msg::CmFileLines { path: place, count }, "-")
            };
            ui.line(&format!("         {}", ui.text(&head)));
            let limit = if verbose { usize::MAX } else { LINES_SHOWN };
            for line in file.lines.iter().take(limit) {
                let line = if verbose { line.as_str() } else { &cut(line) };
                ui.line(&format!(
                    "           {}",
                    ui.paint_out(Tone::Bad, &format!("{sign} {line}"))
                ));
            }
            if file.lines.len() > limit {
                ui.line(&format!(
                    "           {}",
                    ui.text(&Msg::CmMoreLines {
                        count: (file.lines.len() - limit).to_string()
                    })
                ));
            }
        }
        if let Some(merge) = f.merge.as_ref().filter(|_| f.kind != Kind::MergeDropped) {
            ui.line(&format!(
                "         {}",
                ui.text(&Msg::CmDroppedBy {
                    commit: merge.id.short().to_string(),
                    subject: merge.subject.clone()
                })
            ));
        }
        if let Some(command) = restore(f) {
            ui.line(&format!(
                "         {}",
                ui.text(&Msg::CmRestore { command })
            ));
        }
    }
    if hidden > 0 {
        ui.line(&ui.text(&Msg::CmInfoHidden {
            count: hidden.to_string(),
        }));
    }
    let count = report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .count()
        .to_string();
    match report.verdict {
        Verdict::Clean => ui.say(&Msg::CmVerdictClean),
        Verdict::Lost => ui.say(&Msg::CmVerdictLost { count }),
        Verdict::Review => ui.say(&Msg::CmVerdictReview { count }),
        Verdict::NotMerged => {
            ui.say(&Msg::CmVerdictNotMerged {
                tag: report.tag.clone(),
                master: report.master.clone(),
            });
            ui.hint(&Msg::HintMergeTag {
                tag: report.tag.clone(),
            });
        }
    }
    // `--since` accepts a cycle's findings; a release commit master lacks stays until
    // merged back.
    let acceptable = report
        .findings
        .iter()
        .any(|f| f.severity > Severity::Info && f.kind != Kind::ReleaseNotOnMaster);
    if matches!(report.verdict, Verdict::Lost | Verdict::Review) && acceptable {
        ui.hint(&Msg::HintAccept {
            rev: report.master_commit.short().to_string(),
        });
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: u32,
    tag: &'a str,
    tag_commit: String,
    master: &'a str,
    master_commit: String,
    integration: Option<String>,
    verdict: Verdict,
    findings: Vec<JsonFinding>,
}

#[derive(Serialize)]
struct JsonFinding {
    id: String,
    severity: Severity,
    kind: Kind,
    commit: JsonCommit,
    files: Vec<JsonFile>,
    merge: Option<JsonCommit>,
    restore: Option<String>,
    reason: Option<check_master::Reason>,
    /// For `release-not-on-master`: the release branch holding the commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
}

#[derive(Serialize)]
struct JsonCommit {
    id: String,
    subject: String,
    author: String,
    date: String,
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    line: Option<usize>,
    binary: bool,
    lines: Vec<String>,
}

fn json(report: &Report) -> JsonReport<'_> {
    let commit = |c: &crate::git::CommitInfo| JsonCommit {
        id: c.id.to_string(),
        subject: c.subject.clone(),
        author: c.author.clone(),
        date: c.date.clone(),
    };
    JsonReport {
        schema: 1,
        tag: &report.tag,
        tag_commit: report.tag_commit.to_string(),
        master: &report.master,
        master_commit: report.master_commit.to_string(),
        integration: report.integration.as_ref().map(|i| i.id.to_string()),
        verdict: report.verdict,
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding {
                id: f.id.clone(),
                severity: f.severity,
                kind: f.kind,
                commit: commit(&f.commit),
                files: f
                    .files
                    .iter()
                    .map(|m| JsonFile {
                        path: m.path.clone(),
                        line: m.at,
                        binary: m.binary,
                        lines: m.lines.clone(),
                    })
                    .collect(),
                merge: f.merge.as_ref().map(commit),
                restore: restore(f),
                reason: f.reason,
                branch: f.branch.as_ref().map(|b| b.name.clone()),
            })
            .collect(),
    }
}

fn reason_msg(reason: Option<check_master::Reason>) -> Msg {
    use check_master::Reason::*;
    match reason {
        Some(CleanlyMerged) | None => Msg::ReasonCleanlyMerged,
        Some(ConflictDecision) => Msg::ReasonConflictDecision,
        Some(Superseded) => Msg::ReasonSuperseded,
        Some(Whitespace) => Msg::ReasonWhitespace,
        Some(Moved) => Msg::ReasonMoved,
        Some(VersionLine) => Msg::ReasonVersionLine,
        Some(BaseLine) => Msg::ReasonBaseLine,
        Some(AddedByMerge) => Msg::ReasonAddedByMerge,
        Some(Edited) => Msg::ReasonEdited,
        Some(Changelog) => Msg::ReasonChangelog,
        Some(DevBranches) => Msg::ReasonDevBranches,
        Some(BinaryConflict) => Msg::ReasonBinaryConflict,
        Some(BinaryDropped) => Msg::ReasonBinaryDropped,
        Some(ModifyDelete) => Msg::ReasonModifyDelete,
        Some(Generated) => Msg::ReasonGenerated,
        Some(BroughtBack) => Msg::ReasonBroughtBack,
        Some(FileDropped) => Msg::ReasonFileDropped,
        Some(DeletedInMerge) => Msg::ReasonDeletedInMerge,
        Some(Rewritten) => Msg::ReasonRewritten,
        Some(RepairedBeforeTag) => Msg::ReasonRepairedBeforeTag,
        Some(PickedThenChanged) => Msg::ReasonPickedThenChanged,
        Some(DecidedOnBranch) => Msg::ReasonDecidedOnBranch,
        Some(LeftOut) => Msg::ReasonLeftOut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_at_a_character() {
        assert_eq!(cut("short"), "short");
        let exact = "x".repeat(LINE_SHOWN);
        assert_eq!(cut(&exact), exact);
        // Cut by characters, not bytes: never inside a CJK character.
        let long = "中".repeat(LINE_SHOWN + 1);
        assert_eq!(cut(&long), format!("{} …", "中".repeat(LINE_SHOWN)));
    }
}
