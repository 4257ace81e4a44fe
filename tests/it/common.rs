//! A hermetic test environment: no inherited `GIT_*` variables, no global or system git
//! config but our own, fixed names and dates so commit ids are reproducible, and a PATH
//! without any installed shipgate.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use assert_cmd::assert::OutputAssertExt;
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_shipgate");

/// The fixed clock every test runs on (`SHIPGATE_NOW`), the same moment as the commit
/// dates: plans, records and emergency windows do not depend on the day the suite runs.
pub const NOW: &str = "2026-11-01T10:00:00+08:00";

pub struct TestEnv {
    root: TempDir,
    /// `SHIPGATE_NOW` for the commands from now on (see `NOW`).
    now: std::cell::RefCell<String>,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let root = tempfile::Builder::new()
            .prefix("shipgate-test")
            .tempdir()
            .expect("temp dir");
        let env = TestEnv {
            root,
            now: std::cell::RefCell::new(NOW.to_string()),
        };
        fs::create_dir_all(env.home()).unwrap();
        fs::write(
            env.global_config(),
            "[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n\
             [advice]\n\tdetachedHead = false\n",
        )
        .unwrap();
        env
    }

    /// Moves the clock shipgate runs on (`SHIPGATE_NOW`) for the commands that follow.
    pub fn set_now(&self, now: &str) {
        *self.now.borrow_mut() = now.to_string();
    }

    /// The temp dir everything lives in (canonical, so it matches what git prints).
    pub fn root(&self) -> PathBuf {
        self.root.path().canonicalize().unwrap()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    pub fn global_config(&self) -> PathBuf {
        self.home().join(".gitconfig")
    }

    /// A command with the hermetic environment.
    pub fn command(&self, program: impl AsRef<OsStr>, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", self.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.global_config())
            .env("GIT_AUTHOR_NAME", "Li Si")
            .env("GIT_AUTHOR_EMAIL", "lisi@example.com")
            .env("GIT_AUTHOR_DATE", "2026-11-01T10:00:00+08:00")
            .env("GIT_COMMITTER_NAME", "Li Si")
            .env("GIT_COMMITTER_EMAIL", "lisi@example.com")
            .env("GIT_COMMITTER_DATE", "2026-11-01T10:00:00+08:00")
            .env("SHIPGATE_NOW", self.now.borrow().as_str())
            .env("TZ", "UTC")
            .env("LANG", "C")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs git in `dir`; panics with its output if it fails.
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        self.command("git", dir)
            .args(args)
            .output()
            .expect("git runs")
    }

    pub fn shipgate(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(BIN, dir)
            .args(args)
            .output()
            .expect("shipgate runs")
    }

    /// A new repository with one commit on `main`.
    pub fn repo(&self, name: &str) -> TestRepo<'_> {
        let path = self.root().join(name);
        fs::create_dir_all(&path).unwrap();
        self.git(&path, &["init", "-q"]);
        let repo = TestRepo { env: self, path };
        repo.commit("initial commit");
        repo
    }

    /// A bare repository (an `origin` to push to).
    pub fn bare(&self, name: &str) -> PathBuf {
        let path = self.root().join(name);
        self.git(
            &self.root(),
            &["init", "-q", "--bare", path.to_str().unwrap()],
        );
        path
    }

    /// Replaces temp paths and the binary path so snapshots are stable.
    pub fn normalize(&self, text: &str) -> String {
        text.replace(BIN, "[BIN]")
            .replace(&self.root().display().to_string(), "[ROOT]")
    }

    /// Exit code, stdout and stderr, as a user would see them.
    pub fn transcript(&self, out: &Output) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            out.status.code().map_or("signal".into(), |c| c.to_string()),
            self.normalize(&String::from_utf8_lossy(&out.stdout)),
            self.normalize(&String::from_utf8_lossy(&out.stderr)),
        )
    }
}

pub struct TestRepo<'a> {
    pub env: &'a TestEnv,
    pub path: PathBuf,
}

impl TestRepo<'_> {
    pub fn git(&self, args: &[&str]) -> String {
        self.env.git(&self.path, args)
    }

    pub fn git_output(&self, args: &[&str]) -> Output {
        self.env.git_output(&self.path, args)
    }

    pub fn shipgate(&self, args: &[&str]) -> Output {
        self.env.shipgate(&self.path, args)
    }

    /// `shipgate install` that must succeed.
    pub fn install(&self) -> Output {
        let out = self.shipgate(&["install"]);
        assert_ok(&out);
        out
    }

    /// `git merge --no-ff` of `rev` with `message`, past the commit hooks (history a test
    /// sets up; the push is what it judges).
    pub fn merge_unchecked(&self, rev: &str, message: &str) {
        self.git(&["merge", "-q", "--no-ff", "--no-verify", "-m", message, rev]);
    }

    pub fn commit(&self, message: &str) {
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    pub fn hooks_dir(&self) -> PathBuf {
        PathBuf::from(
            self.git(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
                .trim_end(),
        )
    }
}

/// Asserts exit 0; on failure assert_cmd prints the command's stdout and stderr.
pub fn assert_ok(out: &Output) {
    out.clone().assert().success();
}

/// Asserts an exact exit code, with the same diagnostics.
pub fn assert_code(out: &Output, code: i32) {
    out.clone().assert().code(code);
}

/// Whether a test that cannot find a tool or start a server must fail rather than skip:
/// under CI (`CI=true`) or when `var` (`SHIPGATE_REQUIRE_TOOLS`,
/// `SHIPGATE_REQUIRE_SERVERS`) is `1`.
pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1") || std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Asserts the command was refused (any failure) and returns what it said on stderr.
pub fn refused(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a refusal:\n{}",
        stderr(out)
    );
    stderr(out)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes an executable script.
pub fn write_script(path: &Path, text: &str, mode: u32) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

pub fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}
