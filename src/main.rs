//! The `shipgate` binary: parse the command line, run it, map the outcome to an exit code.
//!
//! Everything else lives in the library (`shipgate::run`); this file stays tiny so the
//! hook hot path does no work before dispatch.

use std::process::ExitCode;

fn main() -> ExitCode {
    // `run` prints its own errors through `ui`; all that is left is the exit code.
    ExitCode::from(shipgate::run(std::env::args_os()))
}
