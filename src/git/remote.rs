//! What the remote itself says it has: one `git ls-remote --symref` round trip, made only
//! when a push touches a protected ref. On a client everything local (remote-tracking
//! refs, `origin/HEAD`, local tags) can be forged or stale; the remote's own answer
//! cannot be forged from the clone.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::messages::Msg;
use crate::oid::ObjectId;

use super::Repo;

/// How long the remote may take to answer before the push is refused.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The most an answer may be: a hostile or broken remote cannot exhaust memory.
const MAX_ANSWER: u64 = 256 * 1024 * 1024;

/// The branches and tags a remote has, as it advertised them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteRefs {
    /// The branch the remote's `HEAD` names (`master`), if it said.
    pub head: Option<String>,
    /// `(full ref name, target)` of every branch and tag (tags unpeeled).
    pub refs: Vec<(String, ObjectId)>,
    /// Annotated tags' commits: `refs/tags/v1.2.0` → the commit it peels to.
    pub peeled: HashMap<String, ObjectId>,
    /// The team's records it advertises under `refs/shipgate/` (the server's marker,
    /// rollback records, the audit log), for `shipgate status`; no rule reads them here.
    pub records: Vec<(String, ObjectId)>,
}

impl RemoteRefs {
    /// The tip of branch `name`, if the remote has it.
    pub fn branch(&self, name: &str) -> Option<&ObjectId> {
        let full = format!("refs/heads/{name}");
        self.refs.iter().find(|(n, _)| *n == full).map(|(_, id)| id)
    }

    /// Parses `git ls-remote --symref` output.
    pub fn parse(text: &str) -> RemoteRefs {
        let mut out = RemoteRefs::default();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("ref: ") {
                // `ref: refs/heads/master<TAB>HEAD`
                if let Some((target, "HEAD")) = rest.split_once('\t') {
                    out.head = target.strip_prefix("refs/heads/").map(str::to_string);
                }
                continue;
            }
            let Some((id, name)) = line.split_once('\t') else {
                continue;
            };
            let Some(id) = ObjectId::parse(id.trim()) else {
                continue;
            };
            if let Some(tag) = name.strip_suffix("^{}") {
                out.peeled.insert(tag.to_string(), id);
            } else if name.starts_with("refs/heads/") || name.starts_with("refs/tags/") {
                out.refs.push((name.to_string(), id));
            } else if name.starts_with(crate::records::PREFIX) {
                out.records.push((name.to_string(), id));
            }
        }
        out
    }
}

/// Asks the remote at `url` (as `git push` named it to the hook, every rewrite applied)
/// for its branches and tags. The question runs outside the repository, with none of its
/// config or the pusher's own config files: only their transport and credential settings
/// (`credential.*`, `http.*`, `ssh.*`, `protocol.*`, `core.sshCommand`, `core.askPass`,
/// `core.gitProxy`) are carried over, so an `insteadOf` rewrite or a `remote.<url>.url`
/// cannot send the question somewhere the push does not go. `dir` is where git ran the
/// hook: a relative path means what it meant to git.
pub fn ls_remote(repo: &Repo, dir: &Path, url: &str) -> Result<RemoteRefs> {
    let failed = |detail: Msg| {
        Error::new(Msg::RemoteUnreachable {
            url: url.to_string(),
            detail: Box::new(detail),
        })
        .hint(Msg::HintRemoteUnreachable {
            url: crate::policy::sh_word(url),
        })
    };
    let target = absolute_url(dir, url);
    let config = TransportConfig::write(repo)?;
    let mut command = Command::new("git");
    command
        .current_dir(std::env::temp_dir())
        .args(["ls-remote", "--symref", "--", &target])
        .env("LC_ALL", "C")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &config.path)
        // Never wait for a password prompt inside a hook: the push already holds the
        // credentials it needs, and a hook has no terminal of its own to ask on.
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_COMMON_DIR",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_PREFIX",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_NAMESPACE",
    ] {
        command.env_remove(var);
    }
    let mut child = command.spawn().map_err(|e| {
        Error::new(Msg::GitMissing {
            detail: e.to_string(),
        })
        .hint(Msg::HintGitMissing)
    })?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stdout).take(MAX_ANSWER).read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut bytes);
        bytes
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(Msg::NoAnswerIn {
                    secs: TIMEOUT.as_secs().to_string(),
                }));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => {
                return Err(failed(Msg::Verbatim {
                    text: e.to_string(),
                }))
            }
        }
    };
    let bytes = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let text = String::from_utf8_lossy(&err);
        let detail = match text.lines().find(|l| !l.trim().is_empty()) {
            Some(line) => Msg::Verbatim {
                text: line.trim_start_matches("fatal: ").to_string(),
            },
            None => Msg::NoOutput,
        };
        return Err(failed(detail));
    }
    // Ref names are bytes to git; one that is not UTF-8 cannot be a branch or tag the
    // rules name, so a lossy reading is only paid for when needed.
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(RemoteRefs::parse(text)),
        Err(_) => Ok(RemoteRefs::parse(&String::from_utf8_lossy(&bytes))),
    }
}

/// A local path made absolute against `dir`; URLs (`scheme://…`, `host:path`) as given.
fn absolute_url(dir: &Path, url: &str) -> String {
    let scp_like = url
        .split_once(':')
        .is_some_and(|(host, _)| !host.contains('/'));
    if url.contains("://") || scp_like || Path::new(url).is_absolute() {
        return url.to_string();
    }
    dir.join(url).to_string_lossy().into_owned()
}

/// The transport and credential settings of the repository's config, in a file of their
/// own (removed when dropped).
struct TransportConfig {
    path: std::path::PathBuf,
}

impl TransportConfig {
    const KEPT: &'static [&'static str] = &[
        "credential.",
        "http.",
        "ssh.",
        "protocol.",
        "core.sshcommand",
        "core.askpass",
        "core.gitproxy",
    ];

    fn write(repo: &Repo) -> Result<TransportConfig> {
        let mut text = String::new();
        for (name, value) in repo.config_entries()? {
            let lower = name.to_ascii_lowercase();
            if !Self::KEPT.iter().any(|k| lower.starts_with(k)) {
                continue;
            }
            let (section, rest) = name.split_once('.').unwrap_or((&name, ""));
            let (subsection, key) = match rest.rsplit_once('.') {
                Some((sub, key)) => (Some(sub), key),
                None => (None, rest),
            };
            match subsection {
                Some(sub) => text.push_str(&format!("[{section} \"{}\"]\n", escape(sub))),
                None => text.push_str(&format!("[{section}]\n")),
            }
            text.push_str(&format!("\t{key} = \"{}\"\n", escape(&value)));
        }
        let path = std::env::temp_dir().join(format!(
            "shipgate-ls-remote-{}-{}.gitconfig",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::write(&path, text).map_err(|e| Error::io(&path, &e))?;
        Ok(TransportConfig { path })
    }
}

impl Drop for TransportConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A value or subsection name inside double quotes in a git config file.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_symref_heads_tags_and_peeled() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let text = format!(
            "ref: refs/heads/master\tHEAD\n{a}\tHEAD\n{a}\trefs/heads/master\n\
             {b}\trefs/tags/v1.0.0\n{a}\trefs/tags/v1.0.0^{{}}\n{a}\trefs/pull/1/head\n\
             {b}\trefs/shipgate/enforced\n"
        );
        let refs = RemoteRefs::parse(&text);
        assert_eq!(refs.head.as_deref(), Some("master"));
        assert_eq!(refs.refs.len(), 2);
        assert_eq!(refs.branch("master").unwrap().as_str(), a);
        assert_eq!(refs.peeled["refs/tags/v1.0.0"].as_str(), a);
        assert_eq!(refs.records.len(), 1);
        assert_eq!(refs.records[0].0, "refs/shipgate/enforced");
    }

    #[test]
    fn relative_paths_are_made_absolute_and_urls_kept() {
        let dir = Path::new("/work/repo");
        assert_eq!(
            absolute_url(dir, "../origin.git"),
            "/work/repo/../origin.git"
        );
        assert_eq!(absolute_url(dir, "/srv/o.git"), "/srv/o.git");
        assert_eq!(absolute_url(dir, "file:///srv/o.git"), "file:///srv/o.git");
        assert_eq!(
            absolute_url(dir, "git@host:team/o.git"),
            "git@host:team/o.git"
        );
    }

    #[test]
    fn config_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
    }
}
