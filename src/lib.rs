//! shipgate: a team's release process as git hooks, plan documents and checks.
//!
//! `run` is the whole program: parse the command line, dispatch to one command, report an
//! error if there was one, and return the exit code (0 ok, 1 refused, 2 malfunction).

pub mod check_master;
pub mod ci;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod emergency;
pub mod env;
pub mod error;
pub mod fleet;
pub mod git;
pub mod hook;
pub mod i18n;
pub mod messages;
pub mod oid;
pub mod plan;
pub mod policy;
pub mod records;
pub mod serde_errors;
pub mod server;
pub mod shim;
pub mod ui;
// Notices to the on-call group (`shipgate announce`).
pub mod notify;

pub mod rules;
pub mod status;
// `--help` in the reader's language.
pub mod help;

use std::cell::Cell;
use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command, ConfigCommand, EmergencyCommand, PlanCommand};
use crate::config::Config;
use crate::env::Env;
use crate::error::{Result, EXIT_MALFUNCTION};
use crate::i18n::Lang;
use crate::ui::Ui;

/// What every command needs to know about how it was called.
pub struct Context {
    cli_lang: Option<Lang>,
    config_lang: Cell<Option<Lang>>,
    pub env: Env,
}

impl Context {
    pub fn new(cli_lang: Option<Lang>, env: Env) -> Context {
        Context {
            cli_lang,
            config_lang: Cell::new(None),
            env,
        }
    }

    /// Lets a loaded config's `lang` take part in choosing the language from now on.
    pub fn adopt(&self, config: &Config) {
        self.config_lang.set(config.lang);
    }

    pub fn lang(&self) -> Lang {
        Lang::resolve(self.cli_lang, self.config_lang.get(), self.env.locale)
    }

    pub fn ui(&self) -> Ui {
        Ui::new(self.lang(), &self.env)
    }
}

/// Runs shipgate with these arguments (the first is the program name) and returns the
/// process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    // The hook path is the hot one (every commit and push): the shims always call
    // `shipgate hook <name> [args]`, so it skips building the whole clap command.
    if args.get(1).is_some_and(|a| a == "hook") && args.len() > 2 {
        let hook = cli::HookArgs {
            name: args[2].to_string_lossy().into_owned(),
            args: args[3..].to_vec(),
        };
        return finish(&Context::new(None, Env::read()), |ctx| {
            commands::hook::run(ctx, &hook)
        });
    }
    // A completion script calling back for candidates (`shipgate completions`): it
    // sets `SHIPGATE_COMPLETE` and passes the command line after `--`.
    let env = Env::read();
    let completing = args.get(1).is_some_and(|a| a == "--");
    if let Some(shell) = env.complete.clone().filter(|_| completing) {
        return finish(&Context::new(None, env), |ctx| {
            commands::completions::complete(ctx, &shell, &args)
        });
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // --help and --version are not errors (exit 0); bad arguments are (exit 2). Help
        // is shown in the reader's language.
        Err(err) => return help::report(err, &args, &env),
    };
    let ctx = Context::new(cli.lang, env);
    finish(&ctx, |ctx| dispatch(ctx, cli.command))
}

/// Runs a command and turns its outcome into an exit code, reporting an error.
fn finish(ctx: &Context, command: impl FnOnce(&Context) -> Result<u8>) -> u8 {
    match command(ctx) {
        Ok(code) => code,
        Err(err) => {
            if ctx.config_lang.get().is_none() {
                ctx.config_lang.set(err.lang);
            }
            ctx.ui().report(&err);
            EXIT_MALFUNCTION
        }
    }
}

fn dispatch(ctx: &Context, command: Command) -> Result<u8> {
    match command {
        Command::Install(args) => commands::install::run(ctx, &args),
        Command::Uninstall(args) => commands::uninstall::run(ctx, &args),
        Command::Doctor(args) => commands::doctor::run(ctx, &args),
        Command::Config(ConfigCommand::Check(args)) => commands::config::check(ctx, &args),
        Command::Config(ConfigCommand::Default) => commands::config::print_default(ctx),
        Command::Plan(PlanCommand::New(args)) => commands::plan::new(ctx, &args),
        Command::Plan(PlanCommand::Check(args)) => commands::plan::check(ctx, &args),
        Command::Rollback(args) => commands::rollback::run(ctx, &args),
        Command::Init(args) => commands::init::run(ctx, &args),
        Command::CheckMaster(args) => commands::check_master::run(ctx, &args),
        Command::CheckPush(args) => commands::check_push::run(ctx, &args),
        Command::Ci(args) => commands::ci::run(ctx, &args),
        Command::Emergency(EmergencyCommand::Start(args)) => commands::emergency::start(ctx, &args),
        Command::Emergency(EmergencyCommand::End(args)) => commands::emergency::end(ctx, &args),
        Command::Emergency(EmergencyCommand::Status(args)) => {
            commands::emergency::status(ctx, &args)
        }
        Command::Emergency(EmergencyCommand::Log(args)) => commands::emergency::log(ctx, &args),
        Command::Audit(args) => commands::audit::run(ctx, &args),
        Command::Completions(args) => commands::completions::run(ctx, &args),
        Command::Hook(args) => commands::hook::run(ctx, &args),
        Command::Demo(args) => commands::demo::run(ctx, &args),
        Command::Status(args) => commands::status::run(ctx, &args),
        Command::Rules => commands::rules::list(ctx),
        Command::Explain(args) => commands::rules::explain(ctx, &args),
        Command::Man(args) => commands::man::run(ctx, &args),
        Command::Plan(PlanCommand::List(args)) => commands::plan_list::run(ctx, &args),
        Command::Announce(args) => commands::announce::run(ctx, &args),
    }
}
