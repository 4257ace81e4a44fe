//! `shipgate demo [--keep DIR]`: walks the whole release process on a throw-away service
//! repository (see `crate::demo`).

use crate::cli::DemoArgs;
use crate::error::{io_at, Result};
use crate::Context;

pub fn run(ctx: &Context, args: &DemoArgs) -> Result<u8> {
    let script = match &args.script {
        Some(path) => Some(std::fs::read_to_string(path).map_err(io_at(path))?),
        None => None,
    };
    let options = crate::demo::Options {
        keep: args.keep.as_deref(),
        exe: super::install::current_binary()?,
        script,
    };
    crate::demo::run(ctx, &options)
}
