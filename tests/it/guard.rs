//! House rules checked on the source: only `src/git/` touches git, only `src/ui.rs`
//! prints, only `src/env.rs` reads the environment, only `main.rs` exits.

use std::fs;
use std::path::Path;

fn sources() -> Vec<(String, String)> {
    walkdir_sources(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")))
}

fn walkdir_sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walkdir_sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .display()
                .to_string();
            out.push((rel, fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

fn offenders(needles: &[&str], allowed: impl Fn(&str) -> bool) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(path, _)| !allowed(path))
        .filter(|(_, text)| needles.iter().any(|n| text.contains(n)))
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn only_the_git_module_touches_git() {
    let found = offenders(&["git2::", "Command::new(\"git\")"], |p| {
        p.starts_with("src/git/")
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn only_ui_prints() {
    let found = offenders(&["println!", "eprintln!", "print!(", "eprint!("], |p| {
        p == "src/ui.rs"
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn only_env_reads_the_environment() {
    let found = offenders(&["env::var"], |p| p == "src/env.rs");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn only_main_exits() {
    let found = offenders(&["process::exit"], |p| p == "src/main.rs");
    assert!(found.is_empty(), "{found:?}");
}
