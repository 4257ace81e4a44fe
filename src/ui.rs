//! The only code that prints: git-style `error:` / `warning:` / `hint:` lines on stderr,
//! results and tables on stdout, colour only on a terminal and never with `NO_COLOR`.

use std::io::{IsTerminal, Write};

use unicode_width::UnicodeWidthStr;

use crate::env::Env;
use crate::error::Error;
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::policy::{Finding, Severity};

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[36m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// A single updating line on stderr; see `Ui::progress`.
pub struct Progress<'a> {
    ui: &'a Ui,
    started: std::time::Instant,
    tty: bool,
    shown: std::cell::Cell<bool>,
}

impl Progress<'_> {
    /// Shows `msg` in place of the previous progress line, once a second has passed.
    pub fn show(&self, msg: &Msg) {
        if !self.tty || self.started.elapsed() < std::time::Duration::from_secs(1) {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{}{}", self.ui.err_prefix, self.ui.text(msg));
        let _ = err.flush();
        self.shown.set(true);
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        if self.shown.get() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

/// How a table cell or a line should stand out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Warn,
    Bad,
}

pub struct Ui {
    pub lang: Lang,
    colour_out: bool,
    colour_err: bool,
    /// Put before every line on stderr: `GL-HOOK-ERR: ` when a server hook runs under
    /// GitLab, which shows only such lines in its web UI.
    err_prefix: &'static str,
}

impl Ui {
    pub fn new(lang: Lang, env: &Env) -> Ui {
        Ui {
            lang,
            colour_out: !env.no_color && std::io::stdout().is_terminal(),
            colour_err: !env.no_color && std::io::stderr().is_terminal(),
            err_prefix: "",
        }
    }

    /// Marks every stderr line for GitLab's web UI (`GL-HOOK-ERR: `).
    pub fn for_gitlab(mut self) -> Ui {
        self.err_prefix = "GL-HOOK-ERR: ";
        self
    }

    /// The message in this UI's language.
    pub fn text(&self, msg: &Msg) -> String {
        msg.render(self.lang)
    }

    pub fn error(&self, msg: &Msg) {
        self.prefixed(Msg::PrefixError, RED, msg);
    }

    pub fn warning(&self, msg: &Msg) {
        self.prefixed(Msg::PrefixWarning, YELLOW, msg);
    }

    pub fn hint(&self, msg: &Msg) {
        self.prefixed(Msg::PrefixHint, CYAN, msg);
    }

    /// An error with all its hints.
    pub fn report(&self, err: &Error) {
        self.error(&err.message);
        for hint in &err.hints {
            self.hint(hint);
        }
    }

    /// A policy finding: `error: [F6] release: ...`, the commits it names, its hints.
    pub fn finding(&self, finding: &Finding) {
        let (prefix, colour) = match finding.severity {
            Severity::Block => (Msg::PrefixError, RED),
            Severity::Warn => (Msg::PrefixWarning, YELLOW),
        };
        let prefix = paint(self.colour_err, colour, &self.text(&prefix));
        let target = crate::policy::short_ref(&finding.refname);
        let mut err = std::io::stderr().lock();
        let headline = format!(
            "[{}] {target}{}{}",
            finding.rule,
            self.lang.colon(),
            self.text(&finding.message)
        );
        let _ = writeln!(
            err,
            "{}{}",
            self.err_prefix,
            self.lang.labelled(&prefix, &headline)
        );
        for commit in &finding.commits {
            let id = paint(self.colour_err, YELLOW, commit.id.short());
            let note = commit
                .note
                .as_ref()
                .map(|n| self.lang.aside(&self.text(n)))
                .unwrap_or_default();
            let _ = writeln!(err, "{}    {id} {}{note}", self.err_prefix, commit.summary);
        }
        for (place, what) in &finding.places {
            if place.is_empty() {
                let _ = writeln!(err, "{}    {}", self.err_prefix, self.text(what));
            } else {
                let _ = writeln!(err, "{}    {place}: {}", self.err_prefix, self.text(what));
            }
        }
        if finding.more > 0 {
            let more = Msg::MoreCommits {
                count: finding.more.to_string(),
            };
            let _ = writeln!(err, "{}    {}", self.err_prefix, self.text(&more));
        }
        drop(err);
        for hint in &finding.hints {
            self.hint(hint);
        }
    }

    /// A plan finding: `docs/releases/v2.3.0.md:48: [F12] item ... is not ticked`.
    pub fn plan_finding(&self, path: &str, finding: &crate::plan::PlanFinding) {
        let place = paint(self.colour_out, BOLD, &format!("{path}:{}:", finding.line));
        self.line(&format!(
            "{place} [{}] {}",
            finding.rule,
            self.text(&finding.message)
        ));
    }

    fn prefixed(&self, prefix: Msg, colour: &str, msg: &Msg) {
        let prefix = self.text(&prefix);
        let prefix = paint(self.colour_err, colour, &prefix);
        // A broken pipe or closed stderr is not worth failing over.
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}{}",
            self.err_prefix,
            self.lang.labelled(&prefix, &self.text(msg))
        );
    }

    /// A progress line on stderr for work that may take a while: nothing for its first
    /// second, and nothing at all unless stderr is a terminal (logs, tests and CI see
    /// stable output). Cleared when dropped.
    pub fn progress(&self) -> Progress<'_> {
        Progress {
            ui: self,
            started: std::time::Instant::now(),
            tty: std::io::stderr().is_terminal(),
            shown: std::cell::Cell::new(false),
        }
    }

    /// A line of ordinary output.
    pub fn say(&self, msg: &Msg) {
        self.line(&self.text(msg));
    }

    pub fn line(&self, text: &str) {
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    /// `text` coloured for stdout by tone (only on a terminal, never with NO_COLOR).
    pub fn paint_out(&self, tone: Tone, text: &str) -> String {
        let colour = match tone {
            Tone::Plain => return text.to_string(),
            Tone::Good => GREEN,
            Tone::Warn => YELLOW,
            Tone::Bad => RED,
        };
        paint(self.colour_out, colour, text)
    }

    /// Raw text on stdout, as is (completion scripts, default config).
    pub fn raw(&self, text: &str) {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }

    /// A line of commentary on stderr, without a prefix: what was done beside the
    /// command's output on stdout (so stdout can be piped on its own).
    pub fn note(&self, msg: &Msg) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}{}",
            self.err_prefix,
            self.text(msg)
        );
    }

    /// A table with a bold header; columns padded by display width (CJK counts double).
    pub fn table(&self, header: &[String], rows: &[Vec<(String, Tone)>]) {
        let columns = header.len();
        let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
        for row in rows {
            for (i, (cell, _)) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = std::io::stdout().lock();
        let header_line = join_padded(
            header.iter().map(|h| (h.as_str(), Tone::Plain)),
            &widths,
            |s, _| paint(self.colour_out, BOLD, s),
        );
        let _ = writeln!(out, "{header_line}");
        for row in rows {
            let line = join_padded(
                row.iter().map(|(c, t)| (c.as_str(), *t)),
                &widths,
                |s, tone| {
                    let colour = match tone {
                        Tone::Plain => return s.to_string(),
                        Tone::Good => GREEN,
                        Tone::Warn => YELLOW,
                        Tone::Bad => RED,
                    };
                    paint(self.colour_out, colour, s)
                },
            );
            let _ = writeln!(out, "{line}");
        }
    }

    /// A help page clap rendered, `plain` and styled (`ansi`): styled only on a terminal
    /// without `NO_COLOR`; on stdout, or on stderr when it answers a command line that is
    /// missing its subcommand.
    pub fn help(&self, plain: &str, ansi: &str, stderr: bool) {
        let colour = if stderr {
            self.colour_err
        } else {
            self.colour_out
        };
        let text = if colour { ansi } else { plain };
        let _ = if stderr {
            std::io::stderr().lock().write_all(text.as_bytes())
        } else {
            std::io::stdout().lock().write_all(text.as_bytes())
        };
    }
}

fn join_padded<'a>(
    cells: impl Iterator<Item = (&'a str, Tone)>,
    widths: &[usize],
    style: impl Fn(&str, Tone) -> String,
) -> String {
    let cells: Vec<_> = cells.collect();
    let last = cells.len().saturating_sub(1);
    let mut line = String::new();
    for (i, (cell, tone)) in cells.into_iter().enumerate() {
        line.push_str(&style(cell, tone));
        if i < last {
            let pad = widths[i].saturating_sub(cell.width()) + 2;
            line.push_str(&" ".repeat(pad));
        }
    }
    line
}

fn paint(on: bool, colour: &str, text: &str) -> String {
    if on {
        format!("{colour}{text}{RESET}")
    } else {
        text.to_string()
    }
}
