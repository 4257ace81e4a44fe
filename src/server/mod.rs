//! The server side: the `pre-receive` front door to the same policy engine, who pushes,
//! and installing the hook where each git host runs server hooks from.
//!
//! The server is authoritative (DESIGN.md, "Trust, the server side and team records"):
//! it judges every ref update of a push from its own refs before the push, under the
//! policy committed on its own production branch, and nothing the pusher sends can
//! change those rules.

pub mod doctor;
pub mod install;
mod layout;
mod policy;
mod pusher;
pub mod receive;
pub mod uninstall;

pub use layout::Layout;
pub use policy::{read as policy_in_force, ADMIN_FILE};
pub use pusher::role_findings;

/// The ref a guarded repository advertises, so clients can tell that a server enforces
/// the rules (`git ls-remote origin refs/shipgate/enforced`).
pub const MARKER_REF: &str = "refs/shipgate/enforced";

/// The version in the server shim's marker line, bumped when `hooks/pre-receive.sh`
/// changes so `install --server` rewrites it and `doctor --server` calls it stale.
pub const SERVER_SHIM_VERSION: u32 = 1;
