//! `shipgate init`: copy the built-in plan templates into `<plans dir>/templates/`, where
//! `plan new` and `rollback` prefer them; a file already there is never touched.

use std::fs;
use std::io::Write;

use crate::cli::InitArgs;
use crate::error::{io_at, Error, Result, EXIT_OK};
use crate::messages::Msg;
use crate::plan::render;
use crate::Context;

use super::plan::Workspace;

pub fn run(ctx: &Context, args: &InitArgs) -> Result<u8> {
    let ws = Workspace::open(ctx, args.repo.as_deref())?;
    let dir = ws.dir.join("templates");
    fs::create_dir_all(&dir).map_err(io_at(&dir))?;
    let ui = ctx.ui();
    for (name, text) in render::BUILT_IN {
        let path = dir.join(name);
        let shown = ws.shown(&path);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes()).map_err(io_at(&path))?;
                ui.say(&Msg::TemplateWritten { path: shown });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                ui.say(&Msg::TemplateKept { path: shown });
            }
            Err(e) => return Err(Error::io(&path, &e)),
        }
    }
    ui.hint(&Msg::HintTemplates);
    Ok(EXIT_OK)
}
