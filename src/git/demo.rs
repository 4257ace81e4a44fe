//! Runs the commands of `shipgate demo` (git, and shipgate itself) in a hermetic
//! environment: no system or global git config, no inherited `GIT_*` or locale
//! variables, a fixed identity and clock per step, so the demo's repositories and commit
//! ids are the same on every machine and the real hooks fire as they would for a person.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};
use crate::messages::Msg;

/// What a demo command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Program {
    Git,
    /// This shipgate binary (`std::env::current_exe`), which the hooks also call.
    Shipgate(PathBuf),
}

/// The environment every demo command runs in.
#[derive(Clone, Debug, Default)]
pub struct Hermetic {
    vars: Vec<(OsString, OsString)>,
}

impl Hermetic {
    /// Only `PATH` (so git and `sh` are found) and `HOME` are kept from the caller.
    pub fn new(path: Option<&OsStr>, home: &Path) -> Hermetic {
        let mut env = Hermetic::default();
        if let Some(path) = path {
            env.set("PATH", path);
        }
        env.set("HOME", home.as_os_str());
        for (name, value) in [
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GIT_TERMINAL_PROMPT", "0"),
            ("GIT_EDITOR", "true"),
            ("GIT_PAGER", "cat"),
            ("TZ", "UTC"),
            ("NO_COLOR", "1"),
            // git's own messages stay in English (gettext reads LANGUAGE first), whatever
            // `LANG` says to shipgate.
            ("LANGUAGE", "en"),
        ] {
            env.set(name, OsStr::new(value));
        }
        env
    }

    /// Sets (or replaces) one variable.
    pub fn set(&mut self, name: &str, value: &OsStr) {
        let name = OsString::from(name);
        self.vars.retain(|(n, _)| *n != name);
        self.vars.push((name, value.to_os_string()));
    }
}

/// What a command did: its exit code (`None` when a signal ended it) and everything it
/// wrote, standard output and standard error interleaved as a terminal shows them.
#[derive(Clone, Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub output: String,
}

/// Runs `program` with `args` in `dir`, with nothing but `env`'s variables and no
/// standard input.
pub fn run(program: &Program, args: &[String], dir: &Path, env: &Hermetic) -> Result<Ran> {
    let mut cmd = match program {
        Program::Git => Command::new("git"),
        Program::Shipgate(path) => Command::new(path),
    };
    let (mut reader, writer) = std::io::pipe().map_err(|e| Error::io(dir, &e))?;
    let writer_err = writer.try_clone().map_err(|e| Error::io(dir, &e))?;
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.vars.iter().map(|(n, v)| (n, v)))
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_err);
    let mut child = cmd.spawn().map_err(|e| match program {
        Program::Git => Error::new(Msg::GitMissing {
            detail: e.to_string(),
        })
        .hint(Msg::HintGitMissing),
        Program::Shipgate(path) => Error::io(path, &e),
    })?;
    // The command holds the pipe's writing ends: drop them, so reading ends when the
    // child (and every process it started) has closed its copies.
    drop(cmd);
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(dir, &e))?;
    let status = child.wait().map_err(|e| Error::io(dir, &e))?;
    Ok(Ran {
        code: status.code(),
        output: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// The branch HEAD is on in the demo repository at `dir` (`None` when detached or when
/// `dir` is no repository), as the prompt shows it.
pub fn branch(dir: &Path, env: &Hermetic) -> Result<Option<String>> {
    let args = ["symbolic-ref", "-q", "--short", "HEAD"].map(String::from);
    let ran = run(&Program::Git, &args, dir, env)?;
    Ok((ran.code == Some(0)).then(|| ran.output.trim_end().to_string()))
}
