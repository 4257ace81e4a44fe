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
}

impl Env {
    pub fn read() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        // POSIX: the first of LC_ALL, LC_MESSAGES, LANG that is set decides.
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| var(name))
            .and_then(|value| Lang::from_locale(&value));
        Env {
            locale,
            no_color: var("NO_COLOR").is_some(),
            path: std::env::var_os("PATH"),
            ident: ident(var("GIT_COMMITTER_NAME"), var("GIT_COMMITTER_EMAIL"))
                .or_else(|| ident(var("GIT_AUTHOR_NAME"), var("GIT_AUTHOR_EMAIL"))),
            user: var("USER").or_else(|| var("LOGNAME")),
            merging: std::env::vars_os()
                .filter_map(|(name, value)| {
                    let id = name.to_str()?.strip_prefix("GITHEAD_")?;
                    Some((id.to_string(), value.to_string_lossy().into_owned()))
                })
                .collect(),
        }
    }
}

fn ident(name: Option<String>, email: Option<String>) -> Option<String> {
    match (name, email) {
        (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
        (Some(n), None) => Some(n),
        _ => None,
    }
}
