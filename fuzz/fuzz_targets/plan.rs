//! Plan documents (front matter and Markdown body) from arbitrary bytes: an error or a
//! plan, never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("docs/releases/v1.0.0.md");
    if let Ok(plan) = shipgate::plan::parse(data, path) {
        // The checks must cope with whatever parsed.
        let config = shipgate::config::Config::default();
        let tags = vec!["v0.9.0".to_string()];
        let ctx = shipgate::plan::Context {
            config: &config,
            tags: &tags,
        };
        let _ = shipgate::plan::check(&plan, &ctx, shipgate::plan::Stage::Done);
    }
});
