//! The one error type: what went wrong with shipgate itself (exit 2), with hints.
//!
//! A refusal is not an error: it is a finding (exit 1). `Error` is for the cases where
//! shipgate could not do its job: a bad config, an unreadable repository, bad input.
//! Each carries a catalog message naming the file, ref or value, and hints that say what
//! to do next.

use std::fmt;
use std::path::Path;

use crate::i18n::Lang;
use crate::messages::Msg;

/// Exit code for success (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit code for a refusal, or lost changes found.
pub const EXIT_REFUSED: u8 = 1;
/// Exit code for "shipgate could not do its job".
pub const EXIT_MALFUNCTION: u8 = 2;

#[derive(Debug)]
pub struct Error {
    /// Boxed: errors travel up through every `Result`, messages can be large.
    pub message: Box<Msg>,
    pub hints: Vec<Msg>,
    /// The language the input that failed asks for, when it says one but cannot be read
    /// (a `.shipgate.toml` with `lang = "zh-CN"` and a bad value): the error is told in
    /// it, as the config's other messages would be.
    pub lang: Option<Lang>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(message: Msg) -> Error {
        Error {
            message: Box::new(message),
            hints: Vec::new(),
            lang: None,
        }
    }

    pub fn hint(mut self, hint: Msg) -> Error {
        self.hints.push(hint);
        self
    }

    /// The error, told in `lang` unless the command line names a language.
    pub fn in_lang(mut self, lang: Option<Lang>) -> Error {
        self.lang = lang;
        self
    }

    /// An I/O failure on `path`.
    pub fn io(path: &Path, err: &std::io::Error) -> Error {
        Error::new(Msg::Io {
            path: path.display().to_string(),
            detail: err.to_string(),
        })
    }

    /// The message in one language, for places that embed it (a fleet table cell).
    pub fn render(&self, lang: Lang) -> String {
        self.message.render(lang)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message.render(Lang::En))
    }
}

impl std::error::Error for Error {}

/// `io_result.map_err(io_at(path))`, the common case.
pub fn io_at(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |err| Error::io(path, &err)
}
