//! `shipgate completions <shell>`: a completion script for bash, zsh, fish, elvish or
//! PowerShell, generated from the same clap definition the binary parses with.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Result, EXIT_OK};
use crate::Context;

pub fn run(ctx: &Context, args: &CompletionsArgs) -> Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "shipgate", &mut script);
    ctx.ui().raw(&String::from_utf8_lossy(&script));
    Ok(EXIT_OK)
}
