//! The demo's throw-away world: a directory (a temporary one, or `--keep DIR`) holding
//! `order-api.git`, the team's server repository with the service's history up to its last
//! release, and later the service clone `order-api`. Everything runs under a hermetic
//! environment with one identity and one clock per step.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{io_at, Error, Result};
use crate::git::demo::{self as rungit, Hermetic, Program, Ran};
use crate::i18n::Lang;
use crate::messages::Msg;

use super::steps::Person;

/// The server repository, in the demo's root.
pub const ORIGIN: &str = "order-api.git";
/// The service clone, in the demo's root.
pub const SERVICE: &str = "order-api";
/// The release the service shipped before the demo starts.
pub const LAST_RELEASE: &str = "v2.2.4";
/// When it shipped.
const SEED_AT: &str = "2026-10-20T10:00:00+08:00";

pub struct World {
    /// Where everything is (canonical).
    pub root: PathBuf,
    /// Removed when dropped, unless kept.
    temp: Option<tempfile::TempDir>,
    base: Hermetic,
    /// This binary: what `shipgate` in a step runs, and what the hooks call.
    pub exe: PathBuf,
    lang: Lang,
}

impl World {
    /// A fresh world in `keep` (which must not exist, or be an empty directory) or in
    /// a temporary directory.
    pub fn create(
        keep: Option<&Path>,
        exe: PathBuf,
        path: Option<&OsStr>,
        lang: Lang,
    ) -> Result<World> {
        let (root, temp) = match keep {
            Some(dir) => {
                claim(dir)?;
                (dir.canonicalize().map_err(io_at(dir))?, None)
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("shipgate-demo-")
                    .tempdir()
                    .map_err(|e| Error::io(&std::env::temp_dir(), &e))?;
                let root = temp.path().canonicalize().map_err(io_at(temp.path()))?;
                (root, Some(temp))
            }
        };
        let mut base = Hermetic::new(path, &root);
        // Never find a repository around the demo's directory.
        base.set("GIT_CEILING_DIRECTORIES", root.as_os_str());
        // The team's clock: China Standard Time, as the steps' times (+08:00) are. A
        // POSIX TZ string, so no time-zone database is needed.
        base.set("TZ", OsStr::new("CST-8"));
        base.set(
            "LANG",
            OsStr::new(match lang {
                Lang::En => "en_US.UTF-8",
                Lang::ZhCn => "zh_CN.UTF-8",
            }),
        );
        Ok(World {
            root,
            temp,
            base,
            exe,
            lang,
        })
    }

    /// Keeps the directory after the demo (on `--keep`, or to look at a failure).
    pub fn keep(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = temp.keep();
        }
    }

    /// Sets a variable for every command of the demo (and the hooks they fire).
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.base.set(name, OsStr::new(value));
    }

    /// Whether the directory goes when the demo ends.
    pub fn is_temporary(&self) -> bool {
        self.temp.is_some()
    }

    /// The environment `person` works in at `at`.
    pub fn env(&self, person: &Person, at: &str) -> Hermetic {
        let mut env = self.base.clone();
        let email = format!("{}@order-api.example", person.login);
        for (name, value) in [
            ("GIT_AUTHOR_NAME", person.name.as_str()),
            ("GIT_COMMITTER_NAME", &person.name),
            ("GIT_AUTHOR_EMAIL", &email),
            ("GIT_COMMITTER_EMAIL", &email),
            ("GIT_AUTHOR_DATE", at),
            ("GIT_COMMITTER_DATE", at),
            ("SHIPGATE_NOW", at),
            // What a git host tells the server hook about who pushes.
            ("SHIPGATE_PUSHER", &person.login),
            ("USER", &person.login),
        ] {
            env.set(name, OsStr::new(value));
        }
        env
    }

    /// Runs a step's command (`git ...` or `shipgate ...`) in `dir`.
    pub fn run(&self, words: &[String], dir: &Path, env: &Hermetic) -> Result<Ran> {
        let program = match words.first().map(String::as_str) {
            Some("shipgate") => Program::Shipgate(self.exe.clone()),
            _ => Program::Git,
        };
        rungit::run(&program, &words[1..], dir, env)
    }

    /// `order-api.git`: master, release and test at the last release, its tag, and the
    /// committed `.shipgate.toml` naming the team, as the service stood before the demo.
    pub fn seed(&self, people: &[Person]) -> Result<()> {
        let owner = people
            .first()
            .ok_or_else(|| seed_error(Msg::DemoNoPeople))?;
        let env = self.env(owner, SEED_AT);
        let git = |dir: &Path, args: &[&str]| -> Result<()> {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let ran = rungit::run(&Program::Git, &args, dir, &env)?;
            if ran.code == Some(0) {
                Ok(())
            } else {
                Err(seed_error(Msg::DemoSeedGit {
                    command: format!("git {}", args.join(" ")),
                    output: ran.output.trim().to_string(),
                }))
            }
        };
        git(
            &self.root,
            &["init", "-q", "--bare", "-b", "master", ORIGIN],
        )?;
        let seed = self.root.join(".seed");
        git(&self.root, &["clone", "-q", ORIGIN, ".seed"])?;
        let write = |path: &str, text: &str| -> Result<()> {
            let file = seed.join(path);
            if let Some(dir) = file.parent() {
                fs::create_dir_all(dir).map_err(io_at(dir))?;
            }
            fs::write(&file, text).map_err(io_at(&file))
        };
        write(".shipgate.toml", &self.config(people))?;
        write("src/orders.rs", ORDERS_RS)?;
        git(&seed, &["add", "-A"])?;
        git(
            &seed,
            &["commit", "-q", "-m", "orders: create and list orders"],
        )?;
        let message = format!("release {LAST_RELEASE}");
        git(&seed, &["tag", "-a", LAST_RELEASE, "-m", &message])?;
        git(&seed, &["branch", "release"])?;
        git(&seed, &["branch", "test"])?;
        git(
            &seed,
            &[
                "push",
                "-q",
                "origin",
                "master",
                "release",
                "test",
                LAST_RELEASE,
            ],
        )?;
        fs::remove_dir_all(&seed).map_err(io_at(&seed))
    }

    /// The default `.shipgate.toml` with the team's people, the demo's language and the
    /// on-call group's robot (its address in an environment variable, never committed).
    fn config(&self, people: &[Person]) -> String {
        let logins = |list: &str| {
            people
                .iter()
                .filter(|p| p.config.as_deref() == Some(list))
                .map(|p| format!("\"{}\"", p.login))
                .collect::<Vec<_>>()
                .join(", ")
        };
        crate::config::DEFAULT_TOML
            .replace(
                "# lang = \"zh-CN\"",
                &format!("lang = \"{}\"", self.lang.tag()),
            )
            .replace("owners = []", &format!("owners = [{}]", logins("owners")))
            .replace(
                "tech_leads = []",
                &format!("tech_leads = [{}]", logins("tech_leads")),
            )
            .replace("qa = []", &format!("qa = [{}]", logins("qa")))
            + &format!(
                "\n# The on-call group's WeCom robot; its address (which carries its key) is in\n\
                 # the environment, not in the repository.\n\
                 [[notify]]\nrobot = \"wecom\"\nurl_env = \"{}\"\n",
                super::robot::URL_ENV
            )
    }

    /// How a path in the world is shown: relative to the root, `.` for the root.
    pub fn shown(&self, dir: &Path) -> String {
        match dir.strip_prefix(&self.root) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
            Ok(rel) => rel.display().to_string(),
            Err(_) => dir.display().to_string(),
        }
    }
}

const ORDERS_RS: &str = "//! Orders: create and list.\n\npub fn create(amount_cents: u64) -> u64 {\n    amount_cents\n}\n";

fn seed_error(detail: Msg) -> Error {
    Error::new(Msg::DemoSeedFailed {
        detail: Box::new(detail),
    })
}

/// `--keep DIR` must not exist or be an empty directory: the demo never writes over a
/// user's files.
fn claim(dir: &Path) -> Result<()> {
    let empty = match fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return fs::create_dir_all(dir).map_err(io_at(dir));
        }
        // A file, or something unreadable: not ours to use.
        Err(_) => false,
    };
    if empty {
        return Ok(());
    }
    let shown = dir.display().to_string();
    let free = (1..)
        .map(|n| format!("{}-{n}", shown.trim_end_matches('/')))
        .find(|candidate| fs::symlink_metadata(candidate).is_err())
        .expect("some numbered name is free");
    Err(
        Error::new(Msg::DemoKeepNotEmpty { path: shown }).hint(Msg::HintDemoKeep {
            command: format!("shipgate demo --keep {}", super::shell_word(&free)),
        }),
    )
}
