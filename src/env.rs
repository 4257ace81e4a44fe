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
        }
    }
}
