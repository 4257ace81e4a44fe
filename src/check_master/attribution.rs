//! A finding's who and where: the commit that introduced the lines, the files and
//! lines missing, and an id that stays the same across runs.

use std::collections::HashSet;

use crate::error::Result;
use crate::git::{CommitInfo, Repo};
use crate::oid::ObjectId;

use super::classify::{is_changelog, is_version_line};
use super::{Finding, Kind, Reason, Severity};

pub(super) fn finding(
    repo: &Repo,
    kind: Kind,
    severity: Severity,
    commit: &ObjectId,
    judged_at: &ObjectId,
    merge: Option<CommitInfo>,
) -> Result<Finding> {
    let files = repo.missing_lines(commit, judged_at)?;
    // Whitespace, line endings, changelogs and version lines are information, not loss.
    let benign = !files.is_empty()
        && files.iter().all(|f| {
            !f.binary
                && (f.whitespace_only
                    || is_changelog(&f.path)
                    || f.lines.iter().all(|l| is_version_line(l)))
        });
    let severity = if benign { Severity::Info } else { severity };
    let mut key = format!("{kind:?}:{commit}");
    for file in &files {
        key.push(':');
        key.push_str(&file.path);
    }
    Ok(Finding {
        id: stable_id(&key),
        severity,
        kind,
        commit: repo.commit_info(commit)?,
        files,
        merge,
        reason: None,
        branch: None,
    })
}

/// FNV-1a, 64 bits, as 12 hex digits: short, and the same on every machine and version.
pub(super) fn stable_id(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")[..12].to_string()
}

/// A tag change that a merge finding explains precisely is reported there only: the
/// lines it names, and the files it judged as a whole. (Sets, not scans: a hostile merge
/// may drop tens of thousands of lines.)
pub(super) fn leave_to_merges(findings: &mut Vec<Finding>, merged: &[Finding]) {
    let merged_files = || {
        merged
            .iter()
            .filter(|m| m.reason != Some(Reason::DevBranches))
            .flat_map(|m| m.files.iter())
    };
    let whole: HashSet<&str> = merged_files()
        .filter(|mf| mf.binary)
        .map(|mf| mf.path.as_str())
        .collect();
    let explained: HashSet<(&str, &str)> = merged_files()
        .flat_map(|mf| mf.lines.iter().map(|l| (mf.path.as_str(), l.as_str())))
        .collect();
    for finding in findings
        .iter_mut()
        .filter(|f| f.kind == Kind::TagChangeMissing)
    {
        finding
            .files
            .retain(|file| !whole.contains(file.path.as_str()));
        for file in finding.files.iter_mut() {
            let before = file.lines.len();
            let path = file.path.as_str();
            file.lines
                .retain(|line| !explained.contains(&(path, line.as_str())));
            if file.lines.len() != before {
                // The first line moved to a merge finding: its number no longer applies.
                file.at = None;
            }
        }
        finding.files.retain(|f| f.binary || !f.lines.is_empty());
    }
    findings.retain(|f| f.kind != Kind::TagChangeMissing || !f.files.is_empty());
}
