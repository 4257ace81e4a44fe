//! Shell completion that knows the repository: `shipgate completions <shell>` prints a
//! small script that, at every TAB, calls the binary back (`SHIPGATE_COMPLETE=<shell>
//! shipgate -- <words>`), and `complete` answers from the same clap definition the
//! binary parses with, plus what the repository holds: plan versions and release tags
//! where a version goes, branch names where a branch goes, rule ids for `explain`.
//! Nothing is generated ahead of time, so a new plan or branch completes at once.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use clap::{ArgAction, CommandFactory};
use clap_complete::engine::{ArgValueCandidates, ArgValueCompleter, CompletionCandidate};
use clap_complete::env::Shells;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, Result, EXIT_MALFUNCTION, EXIT_OK};
use crate::git::Repo;
use crate::messages::Msg;
use crate::policy::History;
use crate::Context;

/// The variable the script sets when it calls the binary back.
pub const VAR: &str = "SHIPGATE_COMPLETE";

/// `shipgate completions <shell>`: the script to source.
pub fn run(ctx: &Context, args: &CompletionsArgs) -> Result<u8> {
    let name = shell_name(args.shell);
    let shell = find(name)?;
    // The binary itself, by its absolute path (like the hook shims): completion works
    // whatever PATH the shell has.
    let completer = super::install::current_binary()?;
    let mut script = Vec::new();
    shell
        .write_registration(
            VAR,
            "shipgate",
            "shipgate",
            &completer.to_string_lossy(),
            &mut script,
        )
        .map_err(|e| Error::io(&completer, &e))?;
    ctx.ui().raw(&String::from_utf8_lossy(&script));
    Ok(EXIT_OK)
}

/// The call back from the script: `args` are the binary's own (`shipgate -- shipgate
/// plan check v`), `shell` the value of `SHIPGATE_COMPLETE`. Prints the candidates the
/// way that shell reads them.
pub fn complete(ctx: &Context, shell: &str, args: &[OsString]) -> Result<u8> {
    let completer = find(shell)?;
    // `shipgate -- <the command line>`: what follows the first `--` is being completed.
    let words: Vec<OsString> = match args.iter().position(|a| a == "--") {
        Some(i) => args[i + 1..].to_vec(),
        None => Vec::new(),
    };
    if words.is_empty() {
        return Ok(EXIT_OK);
    }
    let dir = std::env::current_dir().ok();
    // The descriptions zsh and fish show beside the candidates are the help texts of
    // the commands and options: in the reader's language, as `--help` is.
    let lang = crate::help::language(&words, &ctx.env);
    let mut cmd = command(dir.clone(), lang);
    let mut out = Vec::new();
    if completer
        .write_complete(&mut cmd, words, dir.as_deref(), &mut out)
        .is_err()
    {
        // A shell gets nothing rather than an error in the middle of its line.
        return Ok(EXIT_MALFUNCTION);
    }
    ctx.ui().raw(&String::from_utf8_lossy(&out));
    Ok(EXIT_OK)
}

fn shell_name(shell: clap_complete::Shell) -> &'static str {
    match shell {
        clap_complete::Shell::Bash => "bash",
        clap_complete::Shell::Elvish => "elvish",
        clap_complete::Shell::Fish => "fish",
        clap_complete::Shell::PowerShell => "powershell",
        clap_complete::Shell::Zsh => "zsh",
        _ => "unknown",
    }
}

fn find(name: &str) -> Result<&'static dyn clap_complete::env::EnvCompleter> {
    const SHELLS: Shells<'static> = Shells::builtins();
    // `$SHELL` may be a path (`/bin/bash`).
    let short = Path::new(name)
        .file_stem()
        .map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
    SHELLS.completer(&short).ok_or_else(|| {
        Error::new(Msg::CompletionShellUnknown {
            shell: name.to_string(),
            shells: crate::messages::list(SHELLS.names()),
        })
        .hint(Msg::HintCompletions)
    })
}

/// What an argument holds, by its id in the clap definition.
#[derive(Clone, Copy)]
enum Holds {
    /// A plan version or release tag (`plan check VERSION`, `--version`).
    Version,
    /// A release tag (`check-master TAG`, `rollback --to`).
    Tag,
    /// A branch (`--master`, `check-push --ref`).
    Branch,
    /// Any revision: branches and tags (`--old`, `--new`, `--since`).
    Revision,
}

/// The clap definition with a completer on every argument that names something in the
/// repository; `dir` is where the shell is.
pub fn command(dir: Option<PathBuf>, lang: crate::i18n::Lang) -> clap::Command {
    let mut cmd = crate::help::localised(Cli::command(), lang);
    cmd = attach(cmd, &dir);
    cmd.mut_subcommand("explain", |explain| {
        explain.mut_arg("id", |arg| {
            arg.add(ArgValueCandidates::new(|| {
                crate::rules::all()
                    .iter()
                    .map(|r| CompletionCandidate::new(&r.id))
                    .collect()
            }))
        })
    })
}

fn attach(cmd: clap::Command, dir: &Option<PathBuf>) -> clap::Command {
    let ids: Vec<(String, Holds)> = cmd
        .get_arguments()
        .filter(|arg| !matches!(arg.get_action(), ArgAction::Help | ArgAction::Version))
        .filter_map(|arg| {
            let holds = match (cmd.get_name(), arg.get_id().as_str()) {
                // A new plan's version is one that does not exist yet.
                ("new", "version") => return None,
                (_, "version") => Holds::Version,
                (_, "tag") | (_, "to") => Holds::Tag,
                (_, "master") | (_, "refname") => Holds::Branch,
                (_, "old") | (_, "new") | (_, "since") => Holds::Revision,
                _ => return None,
            };
            Some((arg.get_id().to_string(), holds))
        })
        .collect();
    // In place: the arguments keep their order, the one completions list them in when
    // their display orders tie (a subcommand's own first, then the inherited `--lang`).
    let mut cmd = cmd.mut_args(|arg| {
        let Some(&(_, holds)) = ids.iter().find(|(id, _)| arg.get_id() == id.as_str()) else {
            return arg;
        };
        let dir = dir.clone();
        arg.add(ArgValueCompleter::new(move |current: &OsStr| {
            candidates(dir.as_deref(), holds, &current.to_string_lossy())
        }))
    });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let dir = dir.clone();
        cmd = cmd.mut_subcommand(name, move |sub| attach(sub, &dir));
    }
    cmd
}

/// The names in the repository around `dir` that an argument of `holds` takes and that
/// start with `prefix`; nothing outside a repository.
fn candidates(dir: Option<&Path>, holds: Holds, prefix: &str) -> Vec<CompletionCandidate> {
    let Some(repo) = dir.and_then(|d| Repo::discover(d).ok()) else {
        return Vec::new();
    };
    let names = match holds {
        Holds::Version => versions(&repo),
        Holds::Tag => tags(&repo),
        Holds::Branch => branches(&repo),
        Holds::Revision => {
            let mut all = branches(&repo);
            all.extend(tags(&repo));
            all
        }
    };
    let mut seen: Vec<String> = Vec::new();
    for name in names {
        if name.starts_with(prefix) && !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen.into_iter().map(CompletionCandidate::new).collect()
}

/// The plans' versions (the plan directory of the working tree), then the release tags,
/// newest first.
fn versions(repo: &Repo) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(top), Ok(config)) = (repo.workdir(), crate::config::in_force(repo, None)) {
        let dir = top.join(config.plans.dir.as_path());
        if let Ok(listed) = crate::status::plans::read_dir(&dir, &top) {
            out.extend(listed.into_iter().rev().map(|l| l.version));
        }
    }
    for tag in tags(repo) {
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// Release tags (by the policy's pattern), newest first.
fn tags(repo: &Repo) -> Vec<String> {
    let Ok(config) = crate::config::in_force(repo, None) else {
        return Vec::new();
    };
    let pattern = &config.tags.release;
    let mut tags: Vec<(Option<semver::Version>, String)> = repo
        .tag_names(&|t| pattern.matches(t))
        .unwrap_or_default()
        .into_iter()
        .map(|t| (crate::plan::check::parse_version(&t), t))
        .collect();
    tags.sort();
    tags.into_iter().rev().map(|(_, t)| t).collect()
}

/// Local branches, then remote-tracking ones (`origin/release`).
fn branches(repo: &Repo) -> Vec<String> {
    let mut out = repo.local_branch_names().unwrap_or_default();
    out.extend(repo.remote_branch_names().unwrap_or_default());
    out
}
