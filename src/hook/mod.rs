//! What git hands a hook, parsed: which hook, its arguments and its standard input.
//!
//! The rules that judge these events live in the policy engine; this module only turns
//! git's calling conventions into values, and rejects input it cannot read with the line
//! and the reason.

use std::ffi::OsString;
use std::io::Read;

use crate::error::{Error, Result};
use crate::messages::Msg;
pub use crate::oid::ObjectId;

/// A hook invocation, as git made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookEvent {
    /// `git commit` is about to record a commit (no arguments, no input).
    PreCommit,
    /// `git merge` is about to record a merge commit it made without conflicts.
    PreMergeCommit,
    PrePush(PrePush),
}

/// `pre-push <remote> <url>` with one line per ref on standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrePush {
    /// The remote's name, or its URL when the push named a URL.
    pub remote: String,
    pub url: String,
    pub updates: Vec<PushUpdate>,
}

/// One `<local ref> <local id> <remote ref> <remote id>` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushUpdate {
    /// `None` when the remote ref is being deleted (git writes `(delete)`).
    pub local_ref: Option<String>,
    pub local: ObjectId,
    pub remote_ref: String,
    /// All zeros when the remote ref does not exist yet.
    pub remote: ObjectId,
}

/// Parses one hook invocation. `input` is read to the end for hooks that take input:
/// git may die of SIGPIPE if a hook leaves its input unread.
pub fn parse(name: &str, args: &[OsString], input: impl Read) -> Result<HookEvent> {
    match name {
        "pre-commit" => Ok(HookEvent::PreCommit),
        "pre-merge-commit" => Ok(HookEvent::PreMergeCommit),
        "pre-push" => {
            let arg = |i: usize| {
                args.get(i)
                    .map(|a| a.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            Ok(HookEvent::PrePush(PrePush {
                remote: arg(0),
                url: arg(1),
                updates: parse_push_lines(input)?,
            }))
        }
        _ => Err(Error::new(Msg::HookUnknown { name: name.into() }).hint(Msg::HintHookUnknown)),
    }
}

fn parse_push_lines(mut input: impl Read) -> Result<Vec<PushUpdate>> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(std::path::Path::new("<stdin>"), &e))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut updates = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = (index + 1).to_string();
        let fields: Vec<&str> = line.split(' ').collect();
        let [local_ref, local, remote_ref, remote] = fields[..] else {
            return Err(Error::new(Msg::PushLineFields {
                line: number,
                text: line.to_string(),
            }));
        };
        let id = |value: &str| {
            ObjectId::parse(value).ok_or_else(|| {
                Error::new(Msg::PushLineObjectId {
                    line: number.clone(),
                    text: line.to_string(),
                    value: value.into(),
                })
            })
        };
        updates.push(PushUpdate {
            local_ref: (local_ref != "(delete)").then(|| local_ref.to_string()),
            local: id(local)?,
            remote_ref: remote_ref.to_string(),
            remote: id(remote)?,
        });
    }
    Ok(updates)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    fn push(input: &str) -> Result<HookEvent> {
        let args = [OsString::from("origin"), OsString::from("/srv/git/app.git")];
        parse("pre-push", &args, input.as_bytes())
    }

    #[test]
    fn every_push_line_is_read() {
        let input = format!(
            "refs/heads/feat {A} refs/heads/feat {Z}\n(delete) {Z} refs/heads/release {A}\n"
        );
        let HookEvent::PrePush(p) = push(&input).unwrap() else {
            panic!("not a push")
        };
        assert_eq!(p.remote, "origin");
        assert_eq!(p.updates.len(), 2);
        assert!(p.updates[0].remote.is_zero());
        assert_eq!(p.updates[1].local_ref, None);
        assert!(p.updates[1].local.is_zero());
        assert_eq!(p.updates[1].remote_ref, "refs/heads/release");
    }

    #[test]
    fn sha256_ids_and_empty_input() {
        let long = "a".repeat(64);
        let input = format!("refs/heads/x {long} refs/heads/x {}\n", "0".repeat(64));
        let HookEvent::PrePush(p) = push(&input).unwrap() else {
            panic!()
        };
        assert!(p.updates[0].remote.is_zero());
        let HookEvent::PrePush(p) = push("").unwrap() else {
            panic!()
        };
        assert!(p.updates.is_empty());
    }

    #[test]
    fn malformed_lines_name_line_and_reason() {
        let err = push(&format!(
            "refs/heads/a {A} refs/heads/a {A}\nrefs/heads/b xyz refs/heads/b {A}\n"
        ))
        .unwrap_err()
        .render(crate::i18n::Lang::En);
        assert!(
            err.starts_with("pre-push input line 2 `refs/heads/b xyz"),
            "{err}"
        );
        assert!(err.ends_with("`xyz` is not an object id"), "{err}");
        let err = push("just three fields\n")
            .unwrap_err()
            .render(crate::i18n::Lang::En);
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn unknown_hook_is_an_error() {
        assert!(parse("post-frob", &[], &b""[..]).is_err());
    }
}
