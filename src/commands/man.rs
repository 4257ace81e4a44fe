//! `shipgate man [--out DIR]`: the man pages, rendered from the same clap definition the
//! binary parses with, so they never drift from `--help`: `shipgate.1` on standard
//! output, or with `--out` that page and one per subcommand (`shipgate-plan-check.1`)
//! in DIR, for `MANPATH` or `/usr/local/share/man/man1`.

use std::fs;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::error::{io_at, Result, EXIT_OK};
use crate::messages::Msg;
use crate::Context;

pub fn run(ctx: &Context, args: &ManArgs) -> Result<u8> {
    let ui = ctx.ui();
    let pages = pages(ctx.lang());
    match &args.out {
        None => {
            let (_, text) = pages
                .into_iter()
                .next()
                .expect("the first page is shipgate.1");
            ui.raw(&text);
        }
        Some(dir) => {
            fs::create_dir_all(dir).map_err(io_at(dir))?;
            for (name, text) in &pages {
                let path = dir.join(name);
                fs::write(&path, text).map_err(io_at(&path))?;
            }
            ui.say(&Msg::ManWritten {
                count: pages.len().to_string(),
                dir: dir.display().to_string(),
            });
            ui.hint(&Msg::HintManRead {
                page: Path::new(dir).join("shipgate.1").display().to_string(),
            });
        }
    }
    Ok(EXIT_OK)
}

/// Every page as `(file name, roff)`: `shipgate.1` first, then one per visible
/// subcommand, depth first (`shipgate-plan.1`, `shipgate-plan-new.1`, ...).
/// The texts are those of `--help` in `lang`; the man page's own section names stay as
/// man(7) has them.
pub fn pages(lang: crate::i18n::Lang) -> Vec<(String, String)> {
    let mut cmd = crate::help::localised(Cli::command().disable_help_subcommand(true), lang);
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, &mut out);
    out
}

fn collect(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut roff = Vec::new();
    man.render(&mut roff)
        .expect("rendering into memory cannot fail");
    out.push((
        man.get_filename(),
        String::from_utf8_lossy(&roff).into_owned(),
    ));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out);
    }
}
