//! The one place that reads environment variables, so their meaning is documented once.

use std::ffi::OsString;

use crate::i18n::Lang;

/// What shipgate takes from its environment.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// The language the locale variables ask for (`LC_ALL`, then `LC_MESSAGES`, then `LANG`).
    pub locale: Option<Lang>,
    /// `NO_COLOR` set to anything non-empty turns colour off (<https://no-color.org>).
    pub no_color: bool,
    /// `PATH`, to find `shipgate` the way a hook shim would.
    pub path: Option<OsString>,
    /// Who acts, as git would name them: `GIT_COMMITTER_NAME` / `_EMAIL` (or the
    /// author's), which take precedence over git's `user.name` config.
    pub ident: Option<String>,
    /// `USER` (or `LOGNAME`): who acts, when git knows no name at all.
    pub user: Option<String>,
    /// The commits `git merge` is merging, from its `GITHEAD_<id>=<name>` variables:
    /// during `pre-merge-commit` git has not written `MERGE_HEAD` yet.
    pub merging: Vec<(String, String)>,
    /// `SHIPGATE_NOW`: a fixed clock (an RFC 3339 time, or `@` and seconds since 1970, as
    /// `SOURCE_DATE_EPOCH` counts them) for everything shipgate dates: plans, rollback
    /// records, emergency windows and the audit log. Tests and demos set it so the same
    /// steps give the same commits on any day.
    pub fixed_now: Option<jiff::Timestamp>,
    /// What a CI service says about the job (`shipgate ci`): the variables in `CI_VARS`
    /// that are set and not empty.
    pub ci: std::collections::BTreeMap<&'static str, String>,
    /// What pre-commit says about a push it runs its pre-push stage for (it hands hooks
    /// no standard input): the variables in `PRE_COMMIT_VARS` that are set.
    pub pre_commit: std::collections::BTreeMap<&'static str, String>,
    /// Who pushes, on a server (`pre-receive`): the first set of `SHIPGATE_PUSHER` (an
    /// admin's wrapper), `GL_USERNAME` (GitLab), `GITEA_PUSHER_NAME` (Gitea, Forgejo),
    /// `GL_USER` (gitolite), `REMOTE_USER` (HTTP authentication).
    pub pusher: Option<String>,
    /// `GL_ID` or `GL_USERNAME` is set: the hook runs under GitLab, which shows in its
    /// web UI only the hook's lines that start with `GL-HOOK-ERR: `.
    pub gitlab: bool,
    /// The push options a push carries (`git push -o KEY=VALUE`), as git hands them to
    /// `pre-receive` in `GIT_PUSH_OPTION_COUNT` and `GIT_PUSH_OPTION_<n>` (only when the
    /// repository sets `receive.advertisePushOptions`). Empty when there are none.
    pub push_options: Vec<String>,
    /// `SHIPGATE_COMPLETE`: the shell (`bash`, `zsh`, ...) whose completion script is
    /// calling the binary back for candidates (`shipgate completions`). Unset, empty or
    /// `0`: a normal run.
    pub complete: Option<String>,
    /// `COLUMNS`: the terminal's width when the output is not a terminal itself (a
    /// Chinese `--help` is wrapped at it, at most 100 columns).
    pub columns: Option<usize>,
}

/// The CI variables `shipgate ci` reads. GitHub Actions: `GITHUB_ACTIONS` says it is
/// GitHub; the event's name, its JSON file, the ref, and for pull requests the base and
/// head branches. GitLab CI: `GITLAB_CI` says it is GitLab; the pipeline's source, the
/// commit and the one before it, the ref, the tag, and for merge requests the target
/// branch, its tip, the diff base and whether the commit is a merged result.
pub const CI_VARS: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_REF",
    "GITHUB_SHA",
    "GITHUB_BASE_REF",
    "GITHUB_HEAD_REF",
    "GITLAB_CI",
    "CI_PIPELINE_SOURCE",
    "CI_COMMIT_SHA",
    "CI_COMMIT_BEFORE_SHA",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_TAG",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    "CI_MERGE_REQUEST_EVENT_TYPE",
];

/// The variables pre-commit sets for a hook of its `pre-push` stage, in place of the
/// `<local ref> <local id> <remote ref> <remote id>` lines git gives a pre-push hook.
pub const PRE_COMMIT_VARS: &[&str] = &[
    "PRE_COMMIT_FROM_REF",
    "PRE_COMMIT_TO_REF",
    "PRE_COMMIT_REMOTE_NAME",
    "PRE_COMMIT_REMOTE_URL",
    "PRE_COMMIT_REMOTE_BRANCH",
    "PRE_COMMIT_LOCAL_BRANCH",
];

/// Where a git host names the pushing user, most specific first.
pub const PUSHER_VARS: &[&str] = &[
    "SHIPGATE_PUSHER",
    "GL_USERNAME",
    "GITEA_PUSHER_NAME",
    "GL_USER",
    "REMOTE_USER",
];

impl Env {
    pub fn read() -> Env {
        // The environment is read once and every name below looked up in that copy, not
        // asked of libc one by one. The first of duplicate entries counts, as for getenv.
        let all: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        let value = |name: &str| {
            all.iter()
                .find(|(n, _)| n.as_os_str() == name)
                .map(|(_, v)| v)
        };
        let var = |name: &str| {
            value(name)
                .and_then(|v| v.to_str())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        // POSIX: the first of LC_ALL, LC_MESSAGES, LANG that is set decides.
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| var(name))
            .and_then(|value| Lang::from_locale(&value));
        Env {
            locale,
            no_color: var("NO_COLOR").is_some(),
            path: value("PATH").cloned(),
            ident: ident(var("GIT_COMMITTER_NAME"), var("GIT_COMMITTER_EMAIL"))
                .or_else(|| ident(var("GIT_AUTHOR_NAME"), var("GIT_AUTHOR_EMAIL"))),
            user: var("USER").or_else(|| var("LOGNAME")),
            merging: all
                .iter()
                .filter_map(|(name, value)| {
                    let id = name.to_str()?.strip_prefix("GITHEAD_")?;
                    Some((id.to_string(), value.to_string_lossy().into_owned()))
                })
                .collect(),
            fixed_now: var("SHIPGATE_NOW").and_then(|v| parse_time(&v)),
            ci: CI_VARS
                .iter()
                .filter_map(|name| Some((*name, var(name)?)))
                .collect(),
            pre_commit: PRE_COMMIT_VARS
                .iter()
                .filter_map(|name| Some((*name, var(name)?)))
                .collect(),
            pusher: PUSHER_VARS.iter().find_map(|name| var(name)),
            gitlab: var("GL_ID").is_some() || var("GL_USERNAME").is_some(),
            push_options: push_options(&var),
            complete: var("SHIPGATE_COMPLETE").filter(|v| v != "0"),
            columns: var("COLUMNS").and_then(|v| v.trim().parse().ok()),
        }
    }

    /// Now: `SHIPGATE_NOW` if set, else the system clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.fixed_now.unwrap_or_else(jiff::Timestamp::now)
    }

    /// Today's date in the machine's time zone (see `now`).
    pub fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned(jiff::tz::TimeZone::system()).date()
    }
}

/// `2026-11-01T10:00:00+08:00` or `@1793498400`; anything else is ignored, so a typo
/// falls back to the real clock rather than stopping every hook.
fn parse_time(value: &str) -> Option<jiff::Timestamp> {
    let value = value.trim();
    match value.strip_prefix('@') {
        Some(secs) => jiff::Timestamp::from_second(secs.parse().ok()?).ok(),
        None => value.parse().ok(),
    }
}

/// `GIT_PUSH_OPTION_0` .. `GIT_PUSH_OPTION_<count - 1>`; an absurd count reads none
/// past `MAX_PUSH_OPTIONS` (git itself sends far fewer).
fn push_options(var: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    const MAX_PUSH_OPTIONS: usize = 1000;
    let count = var("GIT_PUSH_OPTION_COUNT")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_PUSH_OPTIONS);
    (0..count)
        .map(|n| var(&format!("GIT_PUSH_OPTION_{n}")).unwrap_or_default())
        .collect()
}

fn ident(name: Option<String>, email: Option<String>) -> Option<String> {
    match (name, email) {
        (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
        (Some(n), None) => Some(n),
        _ => None,
    }
}

/// What `shipgate announce --send` reads, when it sends: the variables the config names
/// and the proxy settings. Read on demand, never on the hook path.
impl Env {
    /// A variable that `.shipgate.toml` names (`secret_env`, `url_env`); `None` when it
    /// is unset, empty or not UTF-8. Its value (a signing secret, a webhook URL with its
    /// token) is never printed.
    pub fn named(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    /// The proxy to reach the chat robots through: the first set of `HTTPS_PROXY`,
    /// `https_proxy`, `ALL_PROXY`, `all_proxy`, with the hosts `NO_PROXY` (or
    /// `no_proxy`) exempts, as curl reads them.
    pub fn https_proxy(&self) -> Option<crate::notify::http::ProxySetting> {
        let (var, url) = PROXY_VARS
            .iter()
            .find_map(|name| Some((*name, self.named(name)?)))?;
        Some(crate::notify::http::ProxySetting {
            var,
            url,
            no_proxy: self.named("NO_PROXY").or_else(|| self.named("no_proxy")),
        })
    }
}

/// Where a proxy for HTTPS requests is set, in the order curl consults them.
pub const PROXY_VARS: &[&str] = &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
