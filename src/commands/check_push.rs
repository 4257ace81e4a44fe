//! `shipgate check-push`: the policy engine on one ref update, without pushing. For a
//! person asking "would this push pass?", and for a CI job judging a merge request.

use crate::cli::CheckPushArgs;
use crate::config;
use crate::error::{Result, EXIT_OK, EXIT_REFUSED};
use crate::git::Repo;
use crate::messages::Msg;
use crate::policy::{self, Bypass, RefKind, RefUpdate, Side};
use crate::Context;

use super::hook::report;
use super::repo_dir;

pub fn run(ctx: &Context, args: &CheckPushArgs) -> Result<u8> {
    let repo = Repo::discover(&repo_dir(args.repo.as_deref())?)?;
    let remote = args.remote.as_deref().unwrap_or("origin");
    let config = config::in_force(&repo, Some(remote))?;
    ctx.adopt(&config);
    let refname = if args.refname.starts_with("refs/") {
        args.refname.clone()
    } else {
        format!("refs/heads/{}", args.refname)
    };
    let update = RefUpdate {
        refname: refname.clone(),
        old: repo.resolve(&args.old)?,
        new: repo.resolve(&args.new)?,
        source: None,
    };
    // An emergency window is a client-side bypass for the person who opened it; a
    // manual or CI check judges by the rules alone.
    let side = Side::Client {
        remote: Some(remote),
    };
    let mut findings = policy::check_updates(
        &config,
        std::slice::from_ref(&update),
        &repo,
        side,
        Bypass::default(),
        &[],
    )?;
    // F14, as the pre-push hook applies it.
    if !policy::refused(&findings) && RefKind::of(&config, &update.refname) == RefKind::Production {
        let accepted = policy::accepted_tips(&config, &repo, side)?;
        findings.extend(crate::check_master::gate(
            &repo, &config, &update, &accepted,
        )?);
    }
    let ui = ctx.ui();
    report(&ui, &findings);
    if policy::refused(&findings) {
        Ok(EXIT_REFUSED)
    } else {
        ui.say(&Msg::CheckPushOk { refname });
        Ok(EXIT_OK)
    }
}
