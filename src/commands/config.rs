//! `shipgate config check` and `shipgate config default`.

use std::path::PathBuf;

use crate::cli::ConfigCheckArgs;
use crate::config;
use crate::error::{Result, EXIT_OK};
use crate::git;
use crate::messages::Msg;
use crate::Context;

use super::repo_dir;

/// Validates a config file; a broken one is an error (exit 2) naming line and column.
pub fn check(ctx: &Context, args: &ConfigCheckArgs) -> Result<u8> {
    let path: PathBuf = match &args.file {
        Some(file) => file.clone(),
        None => {
            let location = git::locate(&repo_dir(args.repo.as_deref())?)?;
            location.display_root().join(config::FILE_NAME)
        }
    };
    let shown = path.display().to_string();
    match config::load(&path)? {
        Some(config) => {
            ctx.adopt(&config);
            ctx.ui().say(&Msg::ConfigOk { path: shown });
        }
        None => {
            let ui = ctx.ui();
            ui.warning(&Msg::ConfigMissing { path: shown });
            ui.hint(&Msg::HintConfigMissing);
        }
    }
    Ok(EXIT_OK)
}

/// Prints the default config, the same text `install` writes (comments in the language
/// in force).
pub fn print_default(ctx: &Context) -> Result<u8> {
    ctx.ui().raw(config::default_toml(ctx.lang()));
    Ok(EXIT_OK)
}
