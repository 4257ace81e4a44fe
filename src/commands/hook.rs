//! `shipgate hook <name> [args]`: the entry point the installed shims exec.
//!
//! It parses what git handed the hook (reading all of standard input, so git never dies
//! of SIGPIPE) and hands the event to the policy engine.

use crate::cli::HookArgs;
use crate::error::{Result, EXIT_OK};
use crate::hook;
use crate::Context;

pub fn run(_ctx: &Context, args: &HookArgs) -> Result<u8> {
    let _event = hook::parse(&args.name, &args.args, std::io::stdin().lock())?;
    Ok(EXIT_OK)
}
