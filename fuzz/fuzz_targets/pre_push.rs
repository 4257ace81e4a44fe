//! git's pre-push standard input from arbitrary bytes: an error naming the line, or the
//! ref updates.
#![no_main]

use std::ffi::OsString;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let args = [OsString::from("origin"), OsString::from("/srv/git/app.git")];
    let _ = shipgate::hook::parse("pre-push", &args, data);
});
