//! The one integration-test binary: real git repositories in temp dirs, the real `git`
//! binary, real hooks firing on `git commit` and `git push` to a local bare `origin`.

mod common;

mod check_master;
mod ci;

mod config;
mod demo;
mod doctor;
mod fleet;
mod gates;
mod guard;
mod hook_managers;
mod hooks;
mod hostile;
mod install;
mod merges;
mod notify;
mod plans;
mod policy;
mod props;
mod records;
mod server;
mod stages;
mod test_branch;
mod trust;

mod console;
mod language;
mod readme;

mod zh_details;
