//! The command line, as clap derive types only. Dispatch lives in `lib.rs`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::i18n::Lang;

/// Makes a team's release process real: git hooks, plan documents and checks.
#[derive(Debug, Parser)]
#[command(
    name = "shipgate",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Language of messages [default: config `lang`, then LC_ALL/LC_MESSAGES/LANG, then en]
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install shipgate's git hooks (and a default .shipgate.toml) into a repository
    Install(Lazy<InstallArgs>),
    /// Remove shipgate's hooks and put back any hook they replaced
    Uninstall(Lazy<UninstallArgs>),
    /// Check that git will run every shipgate hook, with the right binary and a valid config
    Doctor(Lazy<DoctorArgs>),
    /// Work with .shipgate.toml
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write and check release-plan documents
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Record a rollback in the release's plan and require a problem analysis (R1, R3)
    Rollback(Lazy<RollbackArgs>),
    /// Copy the built-in plan templates into the plan directory for the team to adapt
    Init(Lazy<InitArgs>),
    /// Check that master lost nothing when the release tag was merged into it (F14)
    CheckMaster(Lazy<CheckMasterArgs>),
    /// Judge a ref update by the branch and tag rules without pushing (for people and CI)
    CheckPush(Lazy<CheckPushArgs>),
    /// Judge the pull request, merge request or push a CI job runs for (GitHub Actions, GitLab CI)
    Ci(Lazy<CiArgs>),
    /// Open, close and audit an emergency window for direct commits to release (E1)
    #[command(subcommand)]
    Emergency(EmergencyCommand),
    /// Show the team's records the server holds: emergency pushes and rollbacks (E1, R1)
    Audit(Lazy<AuditArgs>),
    /// Print a shell completion script
    Completions(Lazy<CompletionsArgs>),
    /// Entry point for the installed hook shims (not for direct use)
    #[command(hide = true)]
    Hook(Lazy<HookArgs>),
    /// Walk the whole release process on a throw-away service repository and its server:
    /// every step, every refusal and the command that gets past it
    Demo(Lazy<DemoArgs>),
    /// Where this repository stands: hooks, policy, the release in preparation, closed
    /// gates, the last release's check-master verdict, server enforcement
    Status(Lazy<StatusArgs>),
    /// List every rule of the release process, one line each (F, B, E, R)
    Rules,
    /// Show one rule of the process and how shipgate serves it
    Explain(Lazy<ExplainArgs>),
    /// Write the man pages (shipgate.1 and one per subcommand)
    Man(Lazy<ManArgs>),
    /// Print the on-call group's notice of a release moment and post it to the team's chat
    /// robots (F17, F18, F22, R2)
    Announce(Lazy<AnnounceArgs>),
}

/// Which repositories a command works on.
#[derive(Debug, Args)]
pub struct Target {
    /// The repository (any directory inside it) [default: the current directory]
    #[arg(long, value_name = "PATH", conflicts_with = "all")]
    pub repo: Option<PathBuf>,

    /// Every git repository found under DIR (a fleet of service repositories)
    #[arg(long, value_name = "DIR")]
    pub all: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub target: Target,

    /// Show what would be done, write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Replace shims written by a newer shipgate with this version's
    #[arg(long)]
    pub force: bool,

    /// Install the server-side pre-receive hook into a bare repository (with --all: every
    /// bare repository under DIR)
    #[arg(long)]
    pub server: bool,

    /// Where the git host runs server hooks from [default: plain]
    #[arg(long, value_enum, requires = "server")]
    pub layout: Option<crate::server::Layout>,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    #[command(flatten)]
    pub target: Target,

    /// Remove the server-side pre-receive hook (whatever the layout) instead
    #[arg(long)]
    pub server: bool,

    /// Show what would be done, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub target: Target,

    /// Check the server-side pre-receive hook of a bare repository instead
    #[arg(long)]
    pub server: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate .shipgate.toml; errors name the line and column
    Check(Lazy<ConfigCheckArgs>),
    /// Print the built-in default .shipgate.toml
    Default,
}

#[derive(Debug, Args)]
pub struct ConfigCheckArgs {
    /// The repository whose .shipgate.toml to check [default: the current directory]
    #[arg(long, value_name = "PATH", conflicts_with = "file")]
    pub repo: Option<PathBuf>,

    /// A config file to check instead
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// The git hook being run (`pre-commit`, `pre-merge-commit`, `pre-push`, `pre-receive`)
    pub name: String,

    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

#[derive(Debug, Args)]
pub struct CheckPushArgs {
    /// The ref being updated on the receiving side (`release`, `refs/heads/release`, `refs/tags/v1.2.0`)
    #[arg(long = "ref", value_name = "REF")]
    pub refname: String,

    /// What the ref points at now (a revision, or 40 zeros for a new ref)
    #[arg(long, value_name = "OLD")]
    pub old: String,

    /// What it would point at (a revision, or 40 zeros for a deletion)
    #[arg(long, value_name = "NEW")]
    pub new: String,

    /// The remote whose remote-tracking branches say what it already has [default: origin]
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CiArgs {
    /// How to report: `auto` is GitHub workflow commands on GitHub Actions, text and a
    /// code-quality report on GitLab CI
    #[arg(long, value_enum, default_value = "auto")]
    pub format: CiFormat,

    /// Where the GitLab code-quality report goes
    #[arg(
        long,
        value_name = "FILE",
        default_value = "gl-code-quality-report.json"
    )]
    pub report: PathBuf,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CiFormat {
    Auto,
    Github,
    Gitlab,
    Text,
}

#[derive(Debug, Subcommand)]
pub enum EmergencyCommand {
    /// Open a time-limited window in which direct commits and pushes to release are allowed
    Start(Lazy<EmergencyStartArgs>),
    /// Close the window now
    End(Lazy<EmergencyRepoArgs>),
    /// Say whether a window is open, until when and why
    Status(Lazy<EmergencyRepoArgs>),
    /// Show everything recorded under emergency windows
    Log(Lazy<EmergencyRepoArgs>),
}

#[derive(Debug, Args)]
pub struct EmergencyStartArgs {
    /// Why: what is broken in production (recorded with every action)
    #[arg(long)]
    pub reason: String,

    /// The incident ticket, if there is one
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,

    /// How long the window stays open, e.g. `90m` [default: config `emergency.window`, 2h]
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: Option<String>,

    #[command(flatten)]
    pub repo: EmergencyRepoArgs,
}

#[derive(Debug, Args)]
pub struct EmergencyRepoArgs {
    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Render a new plan from its template, pre-filled from git and .shipgate.toml
    New(Lazy<PlanNewArgs>),
    /// Say what a plan still needs before a stage; exit 1 if anything
    Check(Lazy<PlanCheckArgs>),
    /// List every plan with its version, kind, stage reached and state
    List(Lazy<PlanListArgs>),
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct PlanNewArgs {
    /// The kind of release
    #[arg(long, value_enum)]
    pub kind: crate::plan::Kind,

    /// The version being released, as it will be tagged (`v2.3.0`)
    #[arg(long)]
    pub version: String,

    /// Show how an existing plan differs from a fresh render instead of refusing
    #[arg(long)]
    pub diff: bool,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct PlanCheckArgs {
    /// The plan's version [default: the newest plan in the plan directory]
    pub version: Option<String>,

    /// Check what is due by this stage [default: the next stage the plan has not
    /// passed, with what is missing grouped by stage]
    #[arg(long, value_enum)]
    pub stage: Option<crate::plan::Stage>,

    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct RollbackArgs {
    /// The release that is being rolled back (`v2.4.0`)
    #[arg(long)]
    pub version: String,

    /// The release to roll back to [default: the release tag before VERSION]
    #[arg(long, value_name = "TAG")]
    pub to: Option<String>,

    /// What went wrong
    #[arg(long)]
    pub reason: String,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The repository: the server's bare repository, or a clone that fetched
    /// `+refs/shipgate/*:refs/shipgate/*` [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }

    /// A subcommand's arguments are defined when it is built (`Lazy`): building must
    /// not change its help, which its doc comment set before, nor put the inherited
    /// global arguments before its own.
    #[test]
    fn building_a_subcommand_keeps_its_help_and_argument_order() {
        fn abouts(cmd: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let path = format!("{path} {}", sub.get_name());
                let about = |a: Option<&clap::builder::StyledStr>| {
                    a.map(ToString::to_string).unwrap_or_default()
                };
                out.push((
                    path.clone(),
                    format!(
                        "{} | {}",
                        about(sub.get_about()),
                        about(sub.get_long_about())
                    ),
                ));
                abouts(sub, &path, out);
            }
        }
        let (mut before, mut after) = (Vec::new(), Vec::new());
        abouts(&super::Cli::command(), "shipgate", &mut before);
        let mut built = super::Cli::command();
        built.build();
        abouts(&built, "shipgate", &mut after);
        assert!(before.len() > 25, "{before:?}");
        assert_eq!(before, after);
        // The inherited `--lang` comes after a subcommand's own arguments (completions
        // list them in this order), as when they were defined before it was inherited.
        fn order(cmd: &clap::Command, checked: &mut usize) {
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let ids: Vec<(bool, String)> = sub
                    .get_arguments()
                    .filter(|a| {
                        !matches!(
                            a.get_action(),
                            clap::ArgAction::Help | clap::ArgAction::Version
                        )
                    })
                    .map(|a| (a.is_global_set(), a.get_id().to_string()))
                    .collect();
                let first_global = ids.iter().position(|(global, _)| *global);
                let last_own = ids.iter().rposition(|(global, _)| !*global);
                if let (Some(g), Some(o)) = (first_global, last_own) {
                    assert!(g > o, "{}: {ids:?}", sub.get_name());
                    *checked += 1;
                }
                order(sub, checked);
            }
        }
        let mut checked = 0;
        order(&built, &mut checked);
        assert!(checked > 20, "{checked}");
    }
}

#[derive(Debug, Args)]
pub struct CheckMasterArgs {
    /// The release tag [default: the newest release tag]
    pub tag: Option<String>,

    /// The production branch to check [default: the configured one, local or remote-tracking]
    #[arg(long = "master", value_name = "REF")]
    pub master: Option<String>,

    /// Ignore changes at or before this revision (accept what was reviewed before)
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,

    /// Which findings make the exit code 1
    #[arg(long, value_enum, default_value = "review")]
    pub fail_on: FailOn,

    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// List INFO findings and every dropped line (text output)
    #[arg(long, short)]
    pub verbose: bool,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Only code that is gone (and a tag not merged at all)
    Lost,
    /// Also conflict decisions to review
    Review,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the demo's repositories in DIR (which must not exist, or be empty) and keep
    /// them to look at [default: a temporary directory, removed afterwards]
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,

    /// Run the script in FILE instead of the built-in one (to try new steps; the format
    /// is described at the top of templates/demo.toml)
    #[arg(long, value_name = "FILE", hide = true)]
    pub script: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// Do not ask the remote (policy and server enforcement then come from what this
    /// clone fetched)
    #[arg(long)]
    pub offline: bool,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule's id: F1–F22, B1–B5, E1–E5, R1–R5
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write shipgate.1 and one page per subcommand into DIR [default: print shipgate.1]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanListArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct AnnounceArgs {
    /// Which notice: the release starts, the canary runs, the release is done, it was
    /// rolled back
    #[arg(value_enum)]
    pub moment: crate::notify::Moment,

    /// The release (`v2.3.0`); the notice is filled from its plan
    #[arg(long)]
    pub version: String,

    /// Post the notice to every robot in `.shipgate.toml` (`[[notify]]`) and record it in
    /// the plan [default: only print it]
    #[arg(long)]
    pub send: bool,

    /// Record in the plan that the printed notice was posted by hand
    #[arg(long, conflicts_with = "send")]
    pub record: bool,

    /// The repository [default: the current directory]
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

/// A subcommand's arguments, defined only when that subcommand is parsed, or when the
/// whole command line is built for help, man pages and completions: one run builds the
/// arguments of the subcommand it runs, not of every subcommand (clap's `Command::defer`).
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| defined_first(cmd, T::augment_args))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| defined_first(cmd, T::augment_args_for_update))
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }

    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Lazy)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(
        &mut self,
        matches: &mut clap::ArgMatches,
    ) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// `augment` applied to a subcommand as clap builds it, leaving it as if its arguments
/// had been defined first, as they were before they were deferred: its own help (its
/// variant's doc comment, already set) is kept rather than a flattened struct's doc
/// comment (`Target`'s), and the global arguments the parent has already handed down
/// (`--lang`) come after its own, where completions list them.
fn defined_first(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let inherited: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    let mut cmd = augment(cmd);
    for id in inherited {
        // `mut_arg` takes the argument out and puts it back last.
        cmd = cmd.mut_arg(id, |arg| arg);
    }
    let cmd = match about {
        Some(about) => cmd.about(about),
        None => cmd.about(None::<&'static str>),
    };
    match long_about {
        Some(long_about) => cmd.long_about(long_about),
        None => cmd.long_about(None::<&'static str>),
    }
}
