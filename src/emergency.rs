//! The emergency window (E1): a time-limited bypass that lets direct commits reach a
//! release branch, and the audit log of everything done to release and production
//! branches while it is open. Both live in the repository's common git dir, under
//! `shipgate/`, shared by its worktrees and never committed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::{tz::TimeZone, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{io_at, Error, Result};
use crate::messages::Msg;

/// An emergency window, as `shipgate emergency start` opened it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub started: Timestamp,
    pub until: Timestamp,
    pub reason: String,
    pub incident: Option<String>,
    pub by: String,
}

impl Window {
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.started <= now && now < self.until
    }
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub when: Timestamp,
    pub who: String,
    /// `start`, `end`, `commit` or `push`.
    pub action: String,
    #[serde(rename = "ref")]
    pub refname: String,
    pub old: String,
    pub new: String,
    pub reason: String,
    pub incident: Option<String>,
}

/// The window file and the audit log of one repository.
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in a repository's common git dir.
    pub fn new(common_dir: &Path) -> Store {
        Store {
            dir: common_dir.join("shipgate"),
        }
    }

    fn window_path(&self) -> PathBuf {
        self.dir.join("emergency.toml")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("audit.jsonl")
    }

    /// The last window opened, open or expired; `None` if there is none.
    pub fn window(&self) -> Result<Option<Window>> {
        let path = self.window_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, &e)),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| damaged(&path, crate::serde_errors::explain(e.message())))
    }

    /// The window if it is open at `now`.
    pub fn open_window(&self, now: Timestamp) -> Result<Option<Window>> {
        Ok(self.window()?.filter(|w| w.is_open(now)))
    }

    pub fn save(&self, window: &Window) -> Result<()> {
        fs::create_dir_all(&self.dir).map_err(io_at(&self.dir))?;
        let path = self.window_path();
        let text = toml::to_string(window).map_err(|e| damaged(&path, outside(&e)))?;
        let tmp = self.dir.join(".emergency.toml.tmp");
        fs::write(&tmp, text).map_err(io_at(&tmp))?;
        fs::rename(&tmp, &path).map_err(io_at(&path))
    }

    /// Removes the window file; `false` if there was none.
    pub fn clear(&self) -> Result<bool> {
        let path = self.window_path();
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(&path, &e)),
        }
    }

    /// Appends one entry; the log is only ever appended to.
    pub fn append(&self, entry: &AuditEntry) -> Result<()> {
        fs::create_dir_all(&self.dir).map_err(io_at(&self.dir))?;
        let path = self.log_path();
        let mut line = serde_json::to_string(entry).map_err(|e| damaged(&path, outside(&e)))?;
        line.push('\n');
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(io_at(&path))
    }

    pub fn log(&self) -> Result<Vec<AuditEntry>> {
        let path = self.log_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&path, &e)),
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    let detail = Msg::AtLine {
                        line: (i + 1).to_string(),
                        detail: Box::new(outside(&e)),
                    };
                    damaged(&path, detail)
                })
            })
            .collect()
    }
}

/// A serializer's own words about what went wrong.
fn outside(err: &dyn std::fmt::Display) -> Msg {
    Msg::Verbatim {
        text: err.to_string().trim().to_string(),
    }
}

fn damaged(path: &Path, detail: Msg) -> Error {
    let path = path.display().to_string();
    Error::new(Msg::EmergencyStateInvalid {
        path: path.clone(),
        detail: Box::new(detail),
    })
    .hint(Msg::HintEmergencyState { path })
}

/// A timestamp as people read it: local time, to the minute.
pub fn show_time(ts: Timestamp) -> String {
    ts.to_zoned(TimeZone::system())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_round_trip_and_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert_eq!(store.window().unwrap(), None);
        let start: Timestamp = "2026-11-26T03:00:00Z".parse().unwrap();
        let window = Window {
            started: start,
            until: "2026-11-26T05:00:00Z".parse().unwrap(),
            reason: "支付回调超时".into(),
            incident: Some("INC-4711".into()),
            by: "Li Si <lisi@example.com>".into(),
        };
        store.save(&window).unwrap();
        assert_eq!(store.window().unwrap(), Some(window.clone()));
        assert!(window.is_open("2026-11-26T04:59:59Z".parse().unwrap()));
        assert!(!window.is_open("2026-11-26T05:00:00Z".parse().unwrap()));
        let entry = AuditEntry {
            when: start,
            who: window.by.clone(),
            action: "start".into(),
            refname: String::new(),
            old: String::new(),
            new: String::new(),
            reason: window.reason.clone(),
            incident: window.incident.clone(),
        };
        store.append(&entry).unwrap();
        store.append(&entry).unwrap();
        assert_eq!(store.log().unwrap(), vec![entry.clone(), entry]);
        assert!(store.clear().unwrap());
        assert!(!store.clear().unwrap());
    }

    #[test]
    fn damaged_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        fs::create_dir_all(dir.path().join("shipgate")).unwrap();
        fs::write(store.log_path(), "{}\n").unwrap();
        let err = store.log().unwrap_err().render(crate::i18n::Lang::En);
        assert!(err.contains("audit.jsonl` is damaged: line 1"), "{err}");
    }
}
