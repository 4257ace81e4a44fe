//! `.shipgate.toml` from arbitrary bytes: an error naming the place, or a config.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = shipgate::config::parse(data, std::path::Path::new(".shipgate.toml"));
});
