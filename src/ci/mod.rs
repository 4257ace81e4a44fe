//! CI as a front door to the policy engine: which CI runs the job (`detect`), which ref
//! update its event stands for (`events`), and the findings in the CI's own format
//! (`output`). The rules are the hooks' rules; only the way in and out differs.

pub mod detect;
pub mod events;
pub mod output;

pub use detect::Service;
pub use events::Event;
