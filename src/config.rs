//! `.shipgate.toml`: the team's policy (branches, tag pattern, plan dir, people, language).
//!
//! Unknown keys are errors (a typo in a protection setting must never turn protection
//! off) and every error names the file, line and column. The default file shipped in
//! `templates/shipgate.toml` deserializes to `Config::default()`.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use glob::{MatchOptions, Pattern};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::git::{RemoteRefs, Repo};
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::oid::ObjectId;
use crate::policy::History;

/// The config file's name, at the repository root.
pub const FILE_NAME: &str = ".shipgate.toml";

/// The text `shipgate install` writes when a repository has no config yet, with English
/// comments.
pub const DEFAULT_TOML: &str = include_str!("../templates/shipgate.toml");

/// The same file with Chinese comments: the same keys and values, line for line.
pub const DEFAULT_TOML_ZH: &str = include_str!("../templates/shipgate.zh-CN.toml");

/// The default config as a person reading `lang` gets it (`install`, `config default`).
pub fn default_toml(lang: Lang) -> &'static str {
    match lang {
        Lang::En => DEFAULT_TOML,
        Lang::ZhCn => DEFAULT_TOML_ZH,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Message and template language; `None` defers to the locale.
    pub lang: Option<Lang>,
    pub branches: Branches,
    pub tags: Tags,
    pub plans: Plans,
    pub people: People,
    pub emergency: Emergency,
    pub check_master: CheckMaster,
    /// The chat robots `shipgate announce --send` posts the on-call notices to
    /// (`[[notify]]` tables; last, as TOML writes arrays of tables after plain tables).
    pub notify: Vec<crate::notify::Robot>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckMaster {
    /// Paths whose findings are INFO: generated output (`dist/**`, `*.min.js`), matched
    /// as `.gitattributes` patterns are (no `/`: any directory).
    pub generated: Vec<PathGlob>,
}

/// A path pattern (glob syntax), checked when the config is read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PathGlob(String);

impl PathGlob {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PathGlob {
    type Error = String;

    fn try_from(text: String) -> Result<PathGlob, String> {
        Pattern::new(text.trim_start_matches('/')).map_err(|e| {
            Msg::ConfigNotGlob {
                value: text.clone(),
                detail: e.to_string(),
            }
            .encode()
        })?;
        Ok(PathGlob(text))
    }
}

impl From<PathGlob> for String {
    fn from(g: PathGlob) -> String {
        g.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Branches {
    /// The production branch (`master`).
    pub production: RefPattern,
    /// Release branch patterns (`release`, `release/*`).
    pub release: Vec<RefPattern>,
    /// The test-submission branch (`test`).
    pub test: RefPattern,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tags {
    /// Release tag pattern (`v*`).
    pub release: RefPattern,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Plans {
    /// Plan directory, relative to the repository root.
    pub dir: RelativeDir,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct People {
    pub owners: Vec<String>,
    pub tech_leads: Vec<String>,
    pub qa: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Emergency {
    /// How long `shipgate emergency start` opens the window for, unless told otherwise.
    pub window: Window,
}

impl Default for Emergency {
    fn default() -> Emergency {
        Emergency {
            window: Window::try_from("2h".to_string()).expect("the default window is valid"),
        }
    }
}

/// A positive duration of at most a day, written `2h`, `90m`, `1h 30m`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Window {
    text: String,
    duration: jiff::SignedDuration,
}

impl Window {
    pub fn duration(&self) -> jiff::SignedDuration {
        self.duration
    }
}

impl TryFrom<String> for Window {
    type Error = String;

    fn try_from(text: String) -> Result<Window, String> {
        let duration = parse_duration(&text).map_err(|m| m.encode())?;
        Ok(Window { text, duration })
    }
}

impl From<Window> for String {
    fn from(w: Window) -> String {
        w.text
    }
}

/// Parses `2h`, `90m`, `1h 30m` (jiff's friendly format); positive and at most 24 hours.
pub fn parse_duration(text: &str) -> Result<jiff::SignedDuration, Box<Msg>> {
    let duration: jiff::SignedDuration =
        text.parse()
            .map_err(|e: jiff::Error| Msg::DurationInvalid {
                value: text.into(),
                detail: e.to_string(),
            })?;
    if duration.is_negative() || duration.is_zero() {
        return Err(Box::new(Msg::DurationNotPositive { value: text.into() }));
    }
    if duration > jiff::SignedDuration::from_hours(24) {
        return Err(Box::new(Msg::DurationTooLong { value: text.into() }));
    }
    Ok(duration)
}

/// The production branch when the config names none.
const DEFAULT_PRODUCTION: &str = "master";

impl Default for Branches {
    fn default() -> Branches {
        Branches {
            production: RefPattern::known(DEFAULT_PRODUCTION),
            release: vec![RefPattern::known("release"), RefPattern::known("release/*")],
            test: RefPattern::known("test"),
        }
    }
}

impl Default for Tags {
    fn default() -> Tags {
        Tags {
            release: RefPattern::known("v*"),
        }
    }
}

impl Default for Plans {
    fn default() -> Plans {
        Plans {
            dir: RelativeDir(PathBuf::from("docs/releases")),
        }
    }
}

impl Branches {
    /// Whether a short branch name (`release/2.3`) is one the process protects.
    pub fn is_protected(&self, branch: &str) -> bool {
        self.production.matches(branch) || self.test.matches(branch) || self.is_release(branch)
    }

    pub fn is_release(&self, branch: &str) -> bool {
        self.release.iter().any(|p| p.matches(branch))
    }
}

/// A branch or tag name, or a glob over them: `*` stops at `/`, `**` crosses it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RefPattern {
    text: String,
    pattern: Pattern,
}

impl RefPattern {
    /// A pattern known to be valid (the built-in defaults).
    fn known(text: &str) -> RefPattern {
        RefPattern::try_from(text.to_string()).expect("built-in patterns are valid")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, name: &str) -> bool {
        let options = MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        self.pattern.matches_with(name, options)
    }
}

impl TryFrom<String> for RefPattern {
    type Error = String;

    fn try_from(text: String) -> Result<RefPattern, String> {
        if text.is_empty() {
            return Err(Msg::RefPatternEmpty.encode());
        }
        if let Some(bad) = text
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '~' | '^' | ':' | '\\'))
        {
            return Err(Msg::RefPatternChar {
                value: text.clone(),
                bad: format!("{bad:?}"),
            }
            .encode());
        }
        if text.starts_with("refs/") {
            return Err(Msg::RefPatternFull {
                value: text.clone(),
                short: text
                    .trim_start_matches("refs/heads/")
                    .trim_start_matches("refs/tags/")
                    .into(),
            }
            .encode());
        }
        let pattern = Pattern::new(&text).map_err(|e| {
            Msg::ConfigNotGlob {
                value: text.clone(),
                detail: e.to_string(),
            }
            .encode()
        })?;
        Ok(RefPattern { text, pattern })
    }
}

impl From<RefPattern> for String {
    fn from(p: RefPattern) -> String {
        p.text
    }
}

impl fmt::Debug for RefPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl fmt::Display for RefPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A directory inside the repository: relative, no `..`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RelativeDir(PathBuf);

impl RelativeDir {
    pub fn as_path(&self) -> &Path {
        &self.0
    }
}

impl TryFrom<String> for RelativeDir {
    type Error = String;

    fn try_from(text: String) -> Result<RelativeDir, String> {
        let path = PathBuf::from(&text);
        let inside = !text.is_empty()
            && path
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if inside {
            // `./docs/releases` and `docs/releases/` name the same folder as
            // `docs/releases`; git trees know only the last form.
            let normal: PathBuf = path
                .components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .collect();
            if normal.as_os_str().is_empty() {
                return Err(Msg::DirNoFolder { value: text }.encode());
            }
            Ok(RelativeDir(normal))
        } else {
            Err(Msg::DirOutside { value: text }.encode())
        }
    }
}

impl From<RelativeDir> for String {
    fn from(d: RelativeDir) -> String {
        d.0.to_string_lossy().into_owned()
    }
}

/// The largest config shipgate reads (the same as a plan's).
pub const MAX_CONFIG_BYTES: usize = crate::plan::MAX_PLAN_BYTES;

/// Parses config text; `path` is only used to name the file in errors.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Config> {
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(invalid(
            path,
            1,
            1,
            Msg::ConfigTooLarge {
                max: MAX_CONFIG_BYTES.to_string(),
            },
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        invalid(path, line, column, Msg::NotUtf8)
    })?;
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let (line, column) = line_column(text.as_bytes(), offset);
        let detail = crate::serde_errors::explain(e.message());
        invalid(path, line, column, detail).in_lang(lang_of(text))
    })
}

/// The policy in force for a repository: the `.shipgate.toml` committed on the
/// production branch (the remote's copy first, then the local branch), else the working
/// tree's file, else the defaults. Reading the committed copy means an uncommitted or
/// branch-local edit cannot switch protection off; the working tree's file names the
/// production branch to look on, and serves until a config is committed there.
pub fn in_force(repo: &Repo, remote: Option<&str>) -> Result<Config> {
    let remote = remote.filter(|r| repo.is_remote(r)).unwrap_or("origin");
    // The committed policy is looked for on the branches that can be production without
    // asking the working tree: `master`, and the remote's default branch. A config found
    // there names the production branch; its copy there is the policy.
    let mut names = vec![DEFAULT_PRODUCTION.to_string()];
    if let Some(head) = repo.remote_default_branch(remote) {
        if !names.contains(&head) {
            names.insert(0, head);
        }
    }
    for name in &names {
        if let Some(config) = committed(repo, remote, name)? {
            let production = config.branches.production.as_str();
            if production == name {
                return Ok(config);
            }
            return Ok(committed(repo, remote, production)?.unwrap_or(config));
        }
    }
    // Nothing committed where production usually is: the working tree's file names the
    // production branch, and its committed copy wins over the file itself.
    let local = match repo.workdir() {
        Some(dir) => load(&dir.join(FILE_NAME))?,
        None => None,
    };
    let production = local
        .as_ref()
        .map_or(DEFAULT_PRODUCTION, |c| c.branches.production.as_str());
    // A production branch among those just looked at has nothing committed: it is not
    // read twice.
    let found = if names.iter().any(|n| n == production) {
        None
    } else {
        committed(repo, remote, production)?
    };
    Ok(found.or(local).unwrap_or_default())
}

/// Where the policy of a push comes from when the remote was asked.
#[derive(Debug)]
pub enum RemotePolicy {
    /// Committed on the remote's production branch (or, for the push that creates that
    /// branch, on the commit it is created at): `source` names the ref for messages.
    Committed { config: Box<Config>, source: String },
    /// Nothing committed where production is: the defaults, never the working tree.
    Defaults,
    /// The remote's production branch is at a commit this clone has not fetched.
    Unfetched { branch: String, id: ObjectId },
}

/// The policy as the remote has it: `.shipgate.toml` committed at the tip of the
/// remote's production branch, as the remote itself advertised it (`view`). The default
/// production branch (`master`) is looked at first, then the branch the remote's `HEAD`
/// names; a config found there names the production branch, whose copy is the policy.
/// A push to an empty remote (`creates`: full ref name and new id of what it creates)
/// brings the policy it is created with.
/// Nothing in the clone (remote-tracking refs, `origin/HEAD`, the working tree) counts.
pub fn at_remote(
    repo: &Repo,
    view: &RemoteRefs,
    creates: &[(String, ObjectId)],
) -> Result<RemotePolicy> {
    // The default production branch first: the remote's HEAD may name any branch (a
    // git-flow `develop` that anyone may push to), so it is asked only after.
    let mut names = vec![DEFAULT_PRODUCTION.to_string()];
    if let Some(head) = &view.head {
        if !names.contains(head) {
            names.push(head.clone());
        }
    }
    // An empty remote is being set up: the push that creates its branches brings the
    // policy. On a remote with branches, only what it has counts.
    let empty = !view
        .refs
        .iter()
        .any(|(name, _)| name.starts_with("refs/heads/"));
    let tip = |branch: &str| -> Option<ObjectId> {
        view.branch(branch).cloned().or_else(|| {
            creates
                .iter()
                .filter(|_| empty)
                .find(|(name, _)| name.strip_prefix("refs/heads/") == Some(branch))
                .map(|(_, id)| id.clone())
        })
    };
    let read = |branch: &str, tip: &ObjectId| -> Result<Option<RemotePolicy>> {
        if !repo.has(tip)? {
            return Ok(Some(RemotePolicy::Unfetched {
                branch: branch.to_string(),
                id: tip.clone(),
            }));
        }
        let source = format!("{branch}@{}:{FILE_NAME}", tip.short());
        Ok(match repo.read_file(tip, FILE_NAME)? {
            Some(bytes) => Some(RemotePolicy::Committed {
                config: Box::new(parse(&bytes, Path::new(&source))?),
                source,
            }),
            None => None,
        })
    };
    for name in &names {
        let Some(at) = tip(name) else { continue };
        let found = match read(name, &at)? {
            Some(RemotePolicy::Committed { config, source }) => (config, source),
            Some(other) => return Ok(other),
            None => continue,
        };
        // The config names the production branch: its copy there is the policy.
        let production = found.0.branches.production.as_str().to_string();
        if production == *name || production.contains(['*', '?', '[']) {
            return Ok(RemotePolicy::Committed {
                config: found.0,
                source: found.1,
            });
        }
        if let Some(at) = tip(&production) {
            if let Some(policy) = read(&production, &at)? {
                return Ok(policy);
            }
        }
        return Ok(RemotePolicy::Committed {
            config: found.0,
            source: found.1,
        });
    }
    Ok(RemotePolicy::Defaults)
}

/// The config committed on `branch`: the remote's copy first, then the local branch.
fn committed(repo: &Repo, remote: &str, branch: &str) -> Result<Option<Config>> {
    if branch.contains(['*', '?', '[']) {
        return Ok(None);
    }
    for refname in [
        format!("refs/remotes/{remote}/{branch}"),
        format!("refs/heads/{branch}"),
    ] {
        if let Some(bytes) = repo.blob_at(&refname, FILE_NAME)? {
            let shown = format!("{refname}:{FILE_NAME}");
            return parse(&bytes, Path::new(&shown)).map(Some);
        }
    }
    Ok(None)
}

/// Reads and parses `path`; `Ok(None)` when the file does not exist.
pub fn load(path: &Path) -> Result<Option<Config>> {
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, &e)),
    }
}

/// The `lang` a config that cannot be read as a whole still says plainly.
fn lang_of(text: &str) -> Option<Lang> {
    use clap::ValueEnum;
    let table: toml::Table = toml::from_str(text).ok()?;
    Lang::from_str(table.get("lang")?.as_str()?, true).ok()
}

fn invalid(path: &Path, line: usize, column: usize, detail: Msg) -> Error {
    let path = path.display().to_string();
    Error::new(Msg::ConfigInvalid {
        path: path.clone(),
        line: line.to_string(),
        column: column.to_string(),
        detail: Box::new(detail),
    })
    .hint(Msg::HintConfigInvalid { path })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config> {
        parse(text.as_bytes(), Path::new(".shipgate.toml"))
    }

    fn error_text(text: &str) -> String {
        parse_str(text).unwrap_err().render(Lang::En)
    }

    #[test]
    fn shipped_default_equals_default() {
        for lang in [Lang::En, Lang::ZhCn] {
            assert_eq!(parse_str(default_toml(lang)).unwrap(), Config::default());
        }
    }

    /// The two shipped defaults differ in their comments only, commented examples
    /// included: the keys, values and commented-out settings are the same lines.
    #[test]
    fn shipped_defaults_differ_only_in_comments() {
        let settings = |text: &str| -> Vec<String> {
            text.lines()
                .map(|l| l.strip_prefix("# ").unwrap_or(l))
                .filter(|l| {
                    l.starts_with('[')
                        || l.split_once(" = ").is_some_and(|(key, _)| {
                            !key.is_empty()
                                && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        })
                })
                .map(str::to_string)
                .collect()
        };
        let en = settings(DEFAULT_TOML);
        assert!(en.len() > 20, "{en:?}");
        assert_eq!(settings(DEFAULT_TOML_ZH), en);
    }

    #[test]
    fn empty_file_is_default() {
        assert_eq!(parse_str("").unwrap(), Config::default());
    }

    #[test]
    fn generated_globs_are_checked() {
        let config =
            parse_str("[check_master]\ngenerated = [\"dist/**\", \"*.min.js\"]\n").unwrap();
        let globs: Vec<&str> = config
            .check_master
            .generated
            .iter()
            .map(PathGlob::as_str)
            .collect();
        assert_eq!(globs, ["dist/**", "*.min.js"]);
        let err = error_text("[check_master]\ngenerated = [\"dist/[\"]\n");
        assert!(err.contains("`dist/[` is not a glob pattern"), "{err}");
        let err = error_text("[check_master]\ngenerate = []\n");
        assert!(err.contains("unknown field `generate`"), "{err}");
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = error_text("[branches]\nproduction = \"main\"\nprotectd = [\"x\"]\n");
        assert!(
            err.starts_with(".shipgate.toml:3:1: unknown field `protectd`"),
            "{err}"
        );
    }

    #[test]
    fn bad_value_names_its_position() {
        let err = error_text("lang = \"fr\"\n");
        assert!(
            err.starts_with(".shipgate.toml:1:8: unknown variant `fr`"),
            "{err}"
        );
        let err = error_text("[tags]\nrelease = \"v[\"\n");
        assert!(err.starts_with(".shipgate.toml:2:11:"), "{err}");
        let err = error_text("[plans]\ndir = \"../elsewhere\"\n");
        assert!(err.contains("inside the repository"), "{err}");
        let config = parse_str("[plans]\ndir = \"./docs/releases/\"\n").unwrap();
        assert_eq!(config.plans.dir.as_path(), Path::new("docs/releases"));
    }

    #[test]
    fn syntax_error_and_bad_utf8() {
        let err = error_text("[branches\n");
        assert!(err.starts_with(".shipgate.toml:1:"), "{err}");
        let err = parse(b"lang = \"en\"\n# \xff\n", Path::new("x.toml"))
            .unwrap_err()
            .render(Lang::En);
        assert_eq!(err, "x.toml:2:3: the file is not valid UTF-8");
    }

    #[test]
    fn emergency_window() {
        let config = parse_str("[emergency]\nwindow = \"90m\"\n").unwrap();
        assert_eq!(config.emergency.window.duration().as_secs(), 5400);
        let err = error_text("[emergency]\nwindow = \"forever\"\n");
        assert!(
            err.starts_with(".shipgate.toml:2:10: `forever` is not a duration"),
            "{err}"
        );
        let err = error_text("[emergency]\nwindow = \"25h\"\n");
        assert!(err.contains("longer than 24 hours"), "{err}");
    }

    #[test]
    fn notify_robots() {
        let config = parse_str(
            "[[notify]]\nrobot = \"feishu\"\nurl = \"https://open.feishu.cn/open-apis/bot/v2/hook/t\"\nsecret_env = \"FEISHU_SECRET\"\n\n[[notify]]\nrobot = \"slack\"\nurl_env = \"SLACK_WEBHOOK\"\n",
        )
        .unwrap();
        assert_eq!(config.notify.len(), 2);
        assert_eq!(config.notify[0].kind, crate::notify::RobotKind::Feishu);
        assert_eq!(
            config.notify[1].url,
            crate::notify::Webhook::Env("SLACK_WEBHOOK".into())
        );
        // The commented examples of the default files are valid tables.
        for lang in [Lang::En, Lang::ZhCn] {
            let examples: String = default_toml(lang)
                .lines()
                .skip_while(|l| !l.starts_with("# [[notify]]"))
                .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
                .collect();
            assert_eq!(parse_str(&examples).unwrap().notify.len(), 4);
        }
        let err = error_text(
            "[[notify]]\nrobot = \"wecom\"\nurl = \"https://q/x?key=k\"\nsecret_env = \"S\"\n",
        );
        assert!(
            err.starts_with(".shipgate.toml:1:1: wecom robots are not signed"),
            "{err}"
        );
        let err = error_text(
            "[[notify]]\nrobot = \"slack\"\nurl = \"https://h/s/tok\"\nchannel = \"x\"\n",
        );
        assert!(err.contains("unknown field `channel`"), "{err}");
    }

    #[test]
    fn protected_branches() {
        let b = Branches::default();
        for name in ["master", "release", "release/2.3", "test"] {
            assert!(b.is_protected(name), "{name}");
        }
        for name in ["feature/x", "release/2.3/x", "masterx", "testing"] {
            assert!(!b.is_protected(name), "{name}");
        }
    }
}
