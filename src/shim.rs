//! The hook shims: the small POSIX sh scripts git runs, which exec the shipgate binary.
//!
//! One template (`hooks/shim.sh`) is rendered per hook. Its second line is a marker with
//! the shim version, so `install` can tell its own hooks (current or stale) from foreign
//! ones, and `doctor` can tell which binary a hook will run.

use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::messages::Msg;

/// Bumped whenever the template changes, so `install` upgrades existing shims.
pub const SHIM_VERSION: u32 = 2;

/// The hooks shipgate installs.
pub const HOOKS: &[&str] = &["pre-commit", "pre-merge-commit", "pre-push"];

/// Hooks that git feeds on standard input.
const STDIN_HOOKS: &[&str] = &["pre-push", "pre-receive", "post-rewrite"];

const TEMPLATE: &str = include_str!("../hooks/shim.sh");
const MARKER: &str = "# shipgate-shim version=";

/// Where a foreign hook is kept while shipgate's shim stands in its place.
pub fn backup_name(hook: &str) -> String {
    format!("{hook}.pre-shipgate")
}

/// The shim for `hook`, recording `binary` and carrying its messages in `lang`.
pub fn render(hook: &str, binary: &Path, lang: Lang) -> String {
    let skip = lang.labelled(
        &Msg::PrefixWarning.render(lang),
        &Msg::ShimSkip { hook: hook.into() }.render(lang),
    );
    let missing = lang.labelled(
        &Msg::PrefixError.render(lang),
        &Msg::ShimBinaryMissing {
            hook: hook.into(),
            binary: binary.display().to_string(),
        }
        .render(lang),
    );
    TEMPLATE
        .replace("{{version}}", &SHIM_VERSION.to_string())
        .replace("{{hook}}", hook)
        .replace("{{binary}}", &sh_quote(&binary.to_string_lossy()))
        .replace(
            "{{stdin}}",
            if STDIN_HOOKS.contains(&hook) {
                "1"
            } else {
                "0"
            },
        )
        .replace("{{skip_message}}", &sh_quote(&skip))
        .replace("{{missing_message}}", &sh_quote(&missing))
}

/// What a file in the hooks directory is, as far as shipgate is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookFile {
    Missing,
    /// A shipgate shim: its version and the binary it records.
    Shim {
        version: u32,
        binary: PathBuf,
    },
    /// Anything else: somebody else's hook.
    Foreign,
}

/// Classifies the hook file at `path`. A symlink is foreign (it is kept as it is, and
/// restored as a symlink), whatever it points to.
pub fn inspect(path: &Path) -> std::io::Result<HookFile> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HookFile::Missing),
        Err(e) => return Err(e),
    };
    // Shims are small regular files; never read a large or special file whole.
    if !meta.is_file() || meta.len() > 64 * 1024 {
        return Ok(HookFile::Foreign);
    }
    let text = std::fs::read(path)?;
    Ok(parse(&String::from_utf8_lossy(&text)).unwrap_or(HookFile::Foreign))
}

/// Reads the marker and the recorded binary out of a shim's text.
fn parse(text: &str) -> Option<HookFile> {
    let mut lines = text.lines();
    if lines.next() != Some("#!/bin/sh") {
        return None;
    }
    let version = lines
        .next()?
        .strip_prefix(MARKER)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let binary = text
        .lines()
        .find_map(|l| l.strip_prefix("bin="))
        .and_then(sh_unquote)?;
    Some(HookFile::Shim {
        version,
        binary: PathBuf::from(binary),
    })
}

/// Single-quotes `s` for sh: `it's` becomes `'it'\''s'`.
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The inverse of `sh_quote`, for the values shipgate itself wrote.
fn sh_unquote(s: &str) -> Option<String> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace(r"'\''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_shim_is_recognised() {
        let binary = Path::new("/opt/it's here/shipgate");
        let text = render("pre-push", binary, Lang::En);
        assert_eq!(
            parse(&text),
            Some(HookFile::Shim {
                version: SHIM_VERSION,
                binary: binary.to_path_buf()
            })
        );
        assert!(text.contains("if [ 1 = 1 ]"), "pre-push keeps its stdin");
        assert!(!text.contains("{{"), "every placeholder is filled");
    }

    #[test]
    fn commit_hooks_do_not_buffer_stdin() {
        let text = render("pre-commit", Path::new("/bin/shipgate"), Lang::ZhCn);
        assert!(text.contains("if [ 0 = 1 ]"));
        assert!(text.contains("SHIPGATE_SKIP=1：本次 pre-commit"));
    }

    #[test]
    fn foreign_scripts_are_not_shims() {
        assert_eq!(parse("#!/bin/sh\nexit 0\n"), None);
        assert_eq!(parse("#!/bin/bash\n# shipgate-shim version=1\n"), None);
        assert_eq!(parse(""), None);
    }
}
