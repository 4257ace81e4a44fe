//! The server side: `shipgate install --server` puts a `pre-receive` hook in a bare
//! repository, and a clone with no hooks at all, pushing with `--no-verify`, is refused
//! for every bypass the client rules name; the legitimate flow passes end to end; and a
//! refused push leaves no ref or object behind. The same matrix runs over each transport
//! (`Transport`): `file://` (where a hookless copy of the server also takes every bypass),
//! a real `git daemon`, nginx with fcgiwrap and `git http-backend`, and gitolite behind
//! sshd, all on 127.0.0.1 only (a test that cannot start its server fails under
//! `SHIPGATE_REQUIRE_SERVERS=1`, and is skipped with a reason otherwise).

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::policy::write_plan;

pub(crate) const QA: &str = "wangwu";

/// A service repository served from `origin.git` with the server hook installed, and
/// `dev`, a clone with no hooks at all.
pub(crate) struct Served<'a> {
    pub(crate) env: &'a TestEnv,
    pub(crate) bare: PathBuf,
    pub(crate) dev: TestRepo<'a>,
}

impl<'a> Served<'a> {
    pub(crate) fn new(env: &'a TestEnv) -> Served<'a> {
        let bare = env.bare("origin.git");
        let dev = env.repo("dev");
        dev.git(&["branch", "-m", "master"]);
        let url = format!("file://{}", bare.display());
        dev.git(&["remote", "add", "origin", &url]);
        let config = stdout(&dev.shipgate(&["config", "default"]))
            .replace("owners = []", "owners = [\"zhangsan\"]")
            .replace("tech_leads = []", "tech_leads = [\"lisi\"]")
            .replace("qa = []", "qa = [\"wangwu\"]");
        fs::write(dev.path.join(".shipgate.toml"), config).unwrap();
        write_plan(&dev, "v1.0.0");
        dev.git(&["add", "."]);
        dev.git(&[
            "commit",
            "-q",
            "-m",
            "shipgate policy and the plan for v1.0.0",
        ]);
        dev.git(&["branch", "release"]);
        dev.git(&["branch", "test"]);
        dev.git(&["tag", "v1.0.0"]);
        dev.git(&[
            "push", "-q", "origin", "master", "release", "test", "v1.0.0",
        ]);
        dev.git(&["switch", "-q", "-c", "feature/coupon"]);
        write(&dev, "coupon.txt", "stacking\n");
        dev.git(&["commit", "-q", "-m", "coupon: stacking rules"]);
        write(&dev, "coupon.txt", "stacking\nlimits\n");
        dev.git(&["commit", "-q", "-am", "coupon: limits"]);
        dev.git(&["push", "-q", "origin", "feature/coupon"]);
        let bare_arg = bare.to_str().unwrap().to_string();
        assert_ok(&env.shipgate(&env.root(), &["install", "--server", "--repo", &bare_arg]));
        assert!(dev.hooks_dir().read_dir().map_or(true, |d| d
            .filter_map(|e| e.ok())
            .all(|e| e.file_name().to_string_lossy().ends_with(".sample"))));
        Served { env, bare, dev }
    }

    /// `git push --no-verify <to> <refspecs>` from `dev` as `pusher` (the receiving hook
    /// inherits a `file://` push's environment).
    pub(crate) fn push_to(&self, to: &str, pusher: Option<&str>, refspecs: &[&str]) -> Output {
        let mut cmd = self.env.command("git", &self.dev.path);
        cmd.args(["push", "--no-verify", to]).args(refspecs);
        if let Some(pusher) = pusher {
            cmd.env("SHIPGATE_PUSHER", pusher);
        }
        cmd.output().unwrap()
    }

    pub(crate) fn push(&self, pusher: Option<&str>, refspecs: &[&str]) -> Output {
        self.push_to("origin", pusher, refspecs)
    }

    /// A copy of the server's repository as it is now, without any hook.
    pub(crate) fn open_copy(&self, name: &str) -> String {
        let path = self.env.root().join(name);
        self.env.git(
            &self.env.root(),
            &[
                "clone",
                "-q",
                "--mirror",
                self.bare.to_str().unwrap(),
                path.to_str().unwrap(),
            ],
        );
        assert!(!path.join("hooks/pre-receive").exists());
        format!("file://{}", path.display())
    }

    pub(crate) fn refs(&self) -> String {
        self.env.git(&self.bare, &["for-each-ref"])
    }

    /// Pushes `refspecs` as QA over `file://` to the guarded server (refused with `rule`,
    /// no ref changed) and to a hookless copy of it (accepted).
    pub(crate) fn bypass(&self, name: &str, rule: &str, refspecs: &[&str]) {
        let copy = |name: &str| self.open_copy(&format!("open-{name}.git"));
        bypass(
            self,
            &Transport::file(self),
            Some(&copy),
            name,
            rule,
            refspecs,
        );
    }

    pub(crate) fn detach(&self, at: &str) {
        self.dev.git(&["switch", "-q", "--detach", at]);
    }
}

pub(crate) fn write(repo: &TestRepo, file: &str, text: &str) {
    fs::write(repo.path.join(file), text).unwrap();
    repo.git(&["add", file]);
}

/// How a test reaches the guarded server: a push from `dev` with `--no-verify` as one of
/// the people in the policy, and the bare repository that server serves (the one whose
/// refs and objects must not move when it refuses).
pub(crate) struct Transport<'t> {
    env: &'t TestEnv,
    bare: PathBuf,
    push: Push<'t>,
}

/// `git push --no-verify` of some refspecs, as the person named.
type Push<'t> = Box<dyn Fn(&str, &[&str]) -> Output + 't>;

impl<'t> Transport<'t> {
    pub(crate) fn new(
        env: &'t TestEnv,
        bare: &Path,
        push: impl Fn(&str, &[&str]) -> Output + 't,
    ) -> Transport<'t> {
        Transport {
            env,
            bare: bare.to_path_buf(),
            push: Box::new(push),
        }
    }

    /// `file://` to `origin.git`: the receiving hook inherits the pushing side's
    /// environment, so `SHIPGATE_PUSHER` names the pusher.
    pub(crate) fn file(s: &'t Served<'t>) -> Transport<'t> {
        Transport::new(s.env, &s.bare, |who, refspecs| s.push(Some(who), refspecs))
    }

    pub(crate) fn push(&self, who: &str, refspecs: &[&str]) -> Output {
        (self.push)(who, refspecs)
    }

    pub(crate) fn refs(&self) -> String {
        self.env.git(&self.bare, &["for-each-ref"])
    }

    fn objects(&self) -> String {
        self.env.git(&self.bare, &["count-objects", "-v"])
    }

    /// Puts the served repository's refs back as `snapshot` (from `refs()`) had them.
    fn reset(&self, snapshot: &str) {
        let parse = |text: &str| -> Vec<(String, String)> {
            text.lines()
                .map(|line| {
                    let (oid, name) = line.split_once('\t').unwrap();
                    (oid.split(' ').next().unwrap().to_string(), name.to_string())
                })
                .collect()
        };
        let wanted = parse(snapshot);
        for (_, name) in parse(&self.refs()) {
            if !wanted.iter().any(|(_, w)| *w == name) {
                self.env.git(&self.bare, &["update-ref", "-d", &name]);
            }
        }
        for (oid, name) in &wanted {
            self.env.git(&self.bare, &["update-ref", name, oid]);
        }
        assert_eq!(self.refs(), snapshot);
    }
}

/// The whole matrix over one transport: refusals leave nothing behind, every bypass
/// category is refused, and (from the same starting refs) the legitimate flow lands on
/// master.
pub(crate) fn matrix(s: &Served, t: &Transport) {
    let start = t.refs();
    a_refused_push_leaves_nothing_behind(s, t);
    every_bypass_is_refused(s, t, None);
    t.reset(&start);
    the_release_flow_passes(s, t, || {});
}

/// Pushes `refspecs` as QA: refused with `rule`, nothing moved; when `open` (a hookless
/// copy of the server, taken just before) is given, it accepts the same push.
fn bypass(
    s: &Served,
    t: &Transport,
    open: Option<&dyn Fn(&str) -> String>,
    name: &str,
    rule: &str,
    refspecs: &[&str],
) {
    let open = open.map(|copy| copy(name));
    let before = t.refs();
    let out = t.push(QA, refspecs);
    let err = stderr(&out);
    assert!(
        !out.status.success(),
        "{name}: the server accepted it:\n{err}"
    );
    assert!(err.contains(rule), "{name}: no {rule} in:\n{err}");
    assert!(
        err.contains("remote: hint:"),
        "{name}: no way out in:\n{err}"
    );
    assert!(err.contains("no ref was updated"), "{name}:\n{err}");
    assert!(err.contains("pre-receive hook declined"), "{name}:\n{err}");
    assert_eq!(t.refs(), before, "{name}: a ref moved");
    if let Some(open) = open {
        let out = s.push_to(&open, Some(QA), refspecs);
        assert!(
            out.status.success(),
            "{name}: the hookless copy refused it:\n{}",
            stderr(&out)
        );
    }
}

/// Every category of bypass the client rules name, pushed by QA from a clone with no
/// hooks: each refused. `open` makes a hookless copy of the server to show each is a
/// push plain git takes.
pub(crate) fn every_bypass_is_refused(
    s: &Served,
    t: &Transport,
    open: Option<&dyn Fn(&str) -> String>,
) {
    let dev = &s.dev;
    let refuse = |name: &str, rule: &str, refspecs: &[&str]| {
        bypass(s, t, open, name, rule, refspecs);
    };

    s.detach("release");
    dev.commit("hotfix straight on release");
    refuse("direct-release", "[E1]", &["HEAD:refs/heads/release"]);

    // A pushed config that unprotects release changes nothing: the server's rules stand.
    let config = fs::read_to_string(dev.path.join(".shipgate.toml")).unwrap();
    write(
        dev,
        ".shipgate.toml",
        &config.replace(
            "release = [\"release\", \"release/*\"]",
            "release = [\"rel\"]",
        ),
    );
    dev.git(&["commit", "-q", "-am", "release is no longer protected"]);
    refuse("config-in-push", "[E1]", &["HEAD:refs/heads/release"]);

    s.detach("test");
    dev.commit("fix straight on test");
    refuse("direct-test", "[F1]", &["HEAD:refs/heads/test"]);

    s.detach("master");
    dev.commit("fix straight on master");
    refuse("direct-master", "[F13]", &["HEAD:refs/heads/master"]);

    refuse("delete-release", "[protect]", &[":refs/heads/release"]);
    refuse(
        "force-release",
        "[protect]",
        &["+master~1:refs/heads/release"],
    );

    // F6: a development branch that merged `test` brings test's commits into release.
    dev.git(&["switch", "-q", "-c", "feature/a", "master"]);
    write(dev, "a.txt", "a\n");
    dev.git(&["commit", "-q", "-m", "a: first"]);
    s.detach("test");
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/a into test",
        "feature/a",
    ]);
    assert_ok(&t.push(QA, &["HEAD:refs/heads/test"]));
    let test = dev.git(&["rev-parse", "HEAD"]).trim().to_string();
    dev.git(&["switch", "-q", "-c", "feature/b", "master"]);
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge test into feature/b",
        &test,
    ]);
    s.detach("release");
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/b",
        "feature/b",
    ]);
    refuse(
        "test-code-into-release",
        "[F6]",
        &["HEAD:refs/heads/release"],
    );

    s.detach("master");
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature",
        "feature/coupon",
    ]);
    refuse("master-to-a-non-tag", "[F13]", &["HEAD:refs/heads/master"]);

    refuse(
        "tag-moved",
        "[protect]",
        &["+feature/coupon:refs/tags/v1.0.0"],
    );
    refuse("tag-deleted", "[protect]", &[":refs/tags/v1.0.0"]);

    s.detach("release");
    dev.git(&["merge", "-q", "--no-ff", "--no-commit", "feature/coupon"]);
    write(dev, "evil.txt", "added in the merge itself\n");
    dev.git(&["commit", "-q", "-m", "Merge feature/coupon"]);
    refuse("evil-merge", "[merge]", &["HEAD:refs/heads/release"]);

    s.detach("release");
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "feature/coupon",
    ]);
    refuse("release-without-plan", "[F7]", &["HEAD:refs/heads/release"]);

    refuse("records", "[records]", &["+master:refs/shipgate/enforced"]);
}

/// feature → test → release with a filled plan → QA's tag → the tag merged into master,
/// pushed by `lisi` (a tech lead, not QA) except where only QA may: the tag and master,
/// which refuse `lisi` by name. `before_qa_tags` runs with the tag made and refused.
pub(crate) fn the_release_flow_passes(s: &Served, t: &Transport, before_qa_tags: impl FnOnce()) {
    let dev = &s.dev;
    dev.git(&["switch", "-q", "feature/coupon"]);
    write_plan(dev, "v1.1.0");
    dev.git(&["add", "."]);
    dev.git(&["commit", "-q", "-m", "plan for v1.1.0"]);
    assert_ok(&t.push("lisi", &["feature/coupon"]));
    dev.git(&["switch", "-q", "test"]);
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon into test",
        "feature/coupon",
    ]);
    assert_ok(&t.push("lisi", &["test"]));
    dev.git(&["switch", "-q", "release"]);
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature/coupon",
        "feature/coupon",
    ]);
    assert_ok(&t.push("lisi", &["release"]));

    dev.git(&["tag", "-a", "v1.1.0", "-m", "release 1.1.0"]);
    let out = t.push("lisi", &["v1.1.0"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("remote: error: [F13] v1.1.0: only QA (wangwu) may create the release tag `v1.1.0`, and `lisi` is not QA"),
        "{err}"
    );
    before_qa_tags();
    assert_ok(&t.push(QA, &["v1.1.0"]));

    dev.git(&["switch", "-q", "master"]);
    dev.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge tag 'v1.1.0'",
        "v1.1.0",
    ]);
    let out = t.push("lisi", &["master"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("only QA (wangwu) may move `master`"),
        "{}",
        stderr(&out)
    );
    assert_ok(&t.push(QA, &["master"]));
    for name in ["master", "release", "test", "v1.1.0"] {
        assert_eq!(
            t.env.git(&t.bare, &["rev-parse", name]),
            dev.git(&["rev-parse", name]),
            "{name} on the server"
        );
    }
}

/// Quarantine: a refused push (one protected ref and one harmless one) leaves neither
/// ref, nor the objects it brought, on the server.
pub(crate) fn a_refused_push_leaves_nothing_behind(s: &Served, t: &Transport) {
    let before = (t.refs(), t.objects());
    s.detach("release");
    write(&s.dev, "secret.txt", "a blob the server must not keep\n");
    s.dev.git(&["commit", "-q", "-m", "straight on release"]);
    let id = s.dev.git(&["rev-parse", "HEAD"]).trim().to_string();
    let blob = s
        .dev
        .git(&["rev-parse", "HEAD:secret.txt"])
        .trim()
        .to_string();
    let out = t.push(
        QA,
        &["HEAD:refs/heads/release", "HEAD:refs/heads/feature/ok"],
    );
    assert!(!out.status.success(), "{}", stderr(&out));
    // All or nothing: the harmless feature branch in the same push did not land either.
    assert_eq!((t.refs(), t.objects()), before);
    for object in [&id, &blob] {
        let out = t.env.git_output(&t.bare, &["cat-file", "-e", object]);
        assert!(!out.status.success(), "{object} stayed on the server");
    }
}

#[test]
fn over_file_urls_the_matrix_holds_and_plain_git_takes_every_bypass() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    let t = Transport::file(&s);
    let start = t.refs();
    a_refused_push_leaves_nothing_behind(&s, &t);
    let copy = |name: &str| s.open_copy(&format!("open-{name}.git"));
    every_bypass_is_refused(&s, &t, Some(&copy));
    t.reset(&start);
    the_release_flow_passes(&s, &t, || {
        // Over file:// nothing but the environment names the pusher; without it, none.
        let out = s.push(None, &["v1.1.0"]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{err}");
        assert!(err.contains("cannot tell who is pushing"), "{err}");
        assert!(err.contains("SHIPGATE_PUSHER"), "{err}");
    });
}

#[test]
fn gitlab_sees_the_refusal_and_the_pusher_comes_from_the_host() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    s.detach("release");
    s.dev.commit("hotfix straight on release");
    let out = env
        .command("git", &s.dev.path)
        .args(["push", "--no-verify", "origin", "HEAD:refs/heads/release"])
        .env("GL_ID", "user-7")
        .env("GL_USERNAME", QA)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("remote: GL-HOOK-ERR: error: [E1] release:"),
        "{err}"
    );
    assert!(err.contains("remote: GL-HOOK-ERR: hint:"), "{err}");
}

#[test]
fn install_keeps_the_foreign_hook_chains_it_and_uninstall_restores_it() {
    let env = TestEnv::new();
    let bare = env.bare("plain.git");
    let hook = bare.join("hooks/pre-receive");
    let log = env.root().join("foreign.log");
    let foreign = format!(
        "#!/bin/sh\ncat >>'{}'\n[ -e '{}.deny' ] && {{ echo foreign says no >&2; exit 3; }}\nexit 0\n",
        log.display(),
        log.display()
    );
    write_script(&hook, &foreign, 0o750);
    let repo_arg = bare.to_str().unwrap();
    let out = env.shipgate(&env.root(), &["install", "--server", "--repo", repo_arg]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("pre-receive.pre-shipgate"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        env.git(&bare, &["config", "receive.advertisePushOptions"])
            .trim(),
        "true"
    );
    assert!(env
        .git(&bare, &["cat-file", "-p", "refs/shipgate/enforced"])
        .contains("shipgate"));
    let doctor = env.shipgate(&env.root(), &["doctor", "--server", "--repo", repo_arg]);
    assert_ok(&doctor);
    assert!(
        stdout(&doctor).contains("the built-in defaults"),
        "{}",
        stdout(&doctor)
    );

    // A push runs the foreign hook first, on the same input, and its refusal stands.
    let dev = env.repo("work");
    let url = format!("file://{}", bare.display());
    dev.git(&["push", "-q", "--no-verify", &url, "main"]);
    let seen = fs::read_to_string(&log).unwrap();
    assert!(seen.ends_with(" refs/heads/main\n"), "{seen}");
    fs::write(format!("{}.deny", log.display()), "").unwrap();
    dev.commit("more");
    let out = dev.git_output(&["push", "--no-verify", &url, "main"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("foreign says no"), "{}", stderr(&out));

    // Installing again changes nothing; uninstalling puts the foreign hook back as it was.
    let again = env.shipgate(&env.root(), &["install", "--server", "--repo", repo_arg]);
    assert!(
        stdout(&again).contains("already current"),
        "{}",
        stdout(&again)
    );
    assert_ok(&env.shipgate(&env.root(), &["uninstall", "--server", "--repo", repo_arg]));
    assert_eq!(fs::read_to_string(&hook).unwrap(), foreign);
    assert_eq!(mode(&hook), 0o750);
    assert!(!bare.join("hooks/pre-receive.pre-shipgate").exists());
    assert!(!env
        .git_output(
            &bare,
            &["rev-parse", "-q", "--verify", "refs/shipgate/enforced"]
        )
        .status
        .success());
    let doctor = env.shipgate(&env.root(), &["doctor", "--server", "--repo", repo_arg]);
    assert_code(&doctor, 1);
}

#[test]
fn layouts_put_the_hook_where_each_host_runs_it() {
    let env = TestEnv::new();
    let hosts = env.root().join("hosts");
    fs::create_dir_all(&hosts).unwrap();
    let a = env.bare("hosts/a.git");
    let b = env.bare("hosts/b.git");
    env.repo("hosts/client");
    let dir = hosts.to_str().unwrap();
    let out = env.shipgate(
        &env.root(),
        &["install", "--server", "--all", dir, "--layout", "gitlab"],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("skipped: not a bare repository"),
        "{}",
        stdout(&out)
    );
    for bare in [&a, &b] {
        let hook = bare.join("custom_hooks/pre-receive.d/shipgate");
        assert!(fs::read_to_string(&hook)
            .unwrap()
            .contains("hook pre-receive"));
        assert!(!bare.join("hooks/pre-receive").exists());
    }
    assert_ok(&env.shipgate(&env.root(), &["doctor", "--server", "--all", dir]));
    let out = env.shipgate(
        &env.root(),
        &[
            "install",
            "--server",
            "--repo",
            a.to_str().unwrap(),
            "--layout",
            "gitea",
        ],
    );
    assert_ok(&out);
    assert!(a.join("hooks/pre-receive.d/shipgate").exists());
    // A file of someone else's where shipgate's would go is never overwritten.
    fs::create_dir_all(b.join("hooks/pre-receive.d")).unwrap();
    write_script(
        &b.join("hooks/pre-receive.d/shipgate"),
        "#!/bin/sh\nexit 0\n",
        0o755,
    );
    let out = env.shipgate(
        &env.root(),
        &[
            "install",
            "--server",
            "--repo",
            b.to_str().unwrap(),
            "--layout",
            "gitea",
        ],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("is not shipgate's"),
        "{}",
        stderr(&out)
    );
    // gitolite: the script goes to the gitolite home's repo-specific hooks.
    let home = env.root().join("gitolite");
    fs::create_dir_all(home.join("repositories")).unwrap();
    fs::write(home.join(".gitolite.rc"), "%RC = ();\n").unwrap();
    let g = env.bare("gitolite/repositories/svc.git");
    let out = env.shipgate(
        &env.root(),
        &[
            "install",
            "--server",
            "--repo",
            g.to_str().unwrap(),
            "--layout",
            "gitolite",
        ],
    );
    assert_ok(&out);
    assert!(home
        .join(".gitolite/local/hooks/repo-specific/shipgate")
        .exists());
    assert!(
        stderr(&out).contains("option hook.pre-receive = shipgate"),
        "{}",
        stderr(&out)
    );
    // Installed but not enabled in gitolite: doctor says gitolite will not run it.
    let doctor = env.shipgate(
        &env.root(),
        &["doctor", "--server", "--repo", g.to_str().unwrap()],
    );
    assert_code(&doctor, 1);
    assert!(
        stdout(&doctor).contains("gitolite does not run it"),
        "{}",
        stdout(&doctor)
    );
    assert_ok(&env.shipgate(&env.root(), &["uninstall", "--server", "--all", dir]));
    assert!(!a.join("custom_hooks/pre-receive.d/shipgate").exists());
    assert!(!a.join("hooks/pre-receive.d/shipgate").exists());
    // Not a bare repository: refused with the way out.
    let work = env.repo("client");
    let out = env.shipgate(&work.path, &["install", "--server"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("is not a bare repository"),
        "{}",
        stderr(&out)
    );
}

/// A `git daemon` serving the temp dir on 127.0.0.1, killed when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `git daemon` with receive-pack enabled, as `pusher`; `None` (after saying why)
/// when it cannot start and servers are not required.
fn daemon(env: &TestEnv, pusher: &str) -> Option<Daemon> {
    let unavailable = |why: String| unavailable("git daemon", why);
    let port = match free_port() {
        Ok(port) => port,
        Err(e) => return unavailable(format!("no free port on 127.0.0.1: {e}")),
    };
    let root = env.root();
    let log = fs::File::create(root.join(format!("daemon-{port}.log"))).unwrap();
    // The daemon itself, not `git daemon`: killing that wrapper would orphan it.
    let exec_path = env.git(&root, &["--exec-path"]);
    let program = PathBuf::from(exec_path.trim()).join("git-daemon");
    let child = env
        .command(&program, &root)
        .args([
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={}", root.display()),
            root.to_str().unwrap(),
        ])
        .env("SHIPGATE_PUSHER", pusher)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn();
    let mut daemon = match child {
        Ok(child) => Daemon { child, port },
        Err(e) => return unavailable(format!("cannot run: {e}")),
    };
    match wait_for_port(port, &mut [&mut daemon.child]) {
        Ok(()) => Some(daemon),
        Err(why) => unavailable(why),
    }
}

/// A server a test needs did not start: a failure under CI (`CI=true`) or
/// `SHIPGATE_REQUIRE_SERVERS=1`, else a skip that says why.
fn unavailable<T>(server: &str, why: String) -> Option<T> {
    if required("SHIPGATE_REQUIRE_SERVERS") {
        panic!("{server}: {why} (CI=true or SHIPGATE_REQUIRE_SERVERS=1)");
    }
    eprintln!("skipped: {server}: {why}");
    None
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something listens on 127.0.0.1:`port`, or one of `children` exits.
/// Counted, not timed: the suite also runs under faketime, whose clock may stand still.
fn wait_for_port(port: u16, children: &mut [&mut Child]) -> Result<(), String> {
    for _ in 0..200 {
        let addr = ([127, 0, 0, 1], port).into();
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        for child in children.iter_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("exited with {status} before listening"));
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("not listening on 127.0.0.1:{port} after 200 tries"))
}

#[test]
fn over_git_daemon_the_matrix_holds_with_the_daemons_pusher() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    let Some(lisi) = daemon(&env, "lisi") else {
        return;
    };
    let Some(wangwu) = daemon(&env, QA) else {
        return;
    };
    let url = |d: &Daemon| format!("git://127.0.0.1:{}/origin.git", d.port);
    // Each daemon's environment names its pusher; the pushing side's, which claims QA
    // every time, does not count (the flow refuses lisi's tag and master by name).
    let t = Transport::new(&env, &s.bare, |who, refspecs| {
        let daemon = match who {
            "lisi" => &lisi,
            QA => &wangwu,
            _ => panic!("no daemon runs as {who}"),
        };
        s.push_to(&url(daemon), Some(QA), refspecs)
    });
    matrix(&s, &t);

    // A tech lead's refusal offers the emergency push option, not the client command.
    s.detach("release");
    s.dev.commit("hotfix straight on release");
    let out = t.push("lisi", &["HEAD:refs/heads/release"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("remote: error: [E1] release:"), "{err}");
    assert!(err.contains("git push -o shipgate.emergency="), "{err}");
    assert!(!err.contains("shipgate emergency start"), "{err}");
}

#[test]
fn without_a_committed_policy_the_admins_file_rules_in_its_language() {
    let env = TestEnv::new();
    let bare = env.bare("svc.git");
    let dev = env.repo("svc");
    dev.git(&["branch", "-m", "master"]);
    let url = format!("file://{}", bare.display());
    dev.git(&["push", "-q", &url, "master", "master:release"]);
    let repo_arg = bare.to_str().unwrap();
    assert_ok(&env.shipgate(&env.root(), &["install", "--server", "--repo", repo_arg]));
    fs::write(
        bare.join("shipgate.toml"),
        "lang = \"zh-CN\"\n[people]\nqa = [\"wangwu\"]\n",
    )
    .unwrap();
    let doctor = env.shipgate(&env.root(), &["doctor", "--server", "--repo", repo_arg]);
    assert!(
        stdout(&doctor).contains(&format!("{}/shipgate.toml", bare.display())),
        "{}",
        stdout(&doctor)
    );
    dev.commit("hotfix straight on release");
    let out = dev.git_output(&["push", "--no-verify", &url, "master:release"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("remote: 错误：[E1] release：1 个提交"),
        "{err}"
    );
    assert!(err.contains("shipgate 拒绝了本次推送"), "{err}");
    dev.git(&["tag", "v1.0.0", "master~1"]);
    let out = dev.git_output(&["push", "--no-verify", &url, "v1.0.0"]);
    assert!(
        stderr(&out).contains("服务器无法确定推送者是谁"),
        "{}",
        stderr(&out)
    );
}

/// nginx in front of fcgiwrap and `git http-backend`, on 127.0.0.1, with basic
/// authentication: the pusher is the HTTP user (`REMOTE_USER`). Killed when dropped.
struct HttpServer {
    children: Vec<Child>,
    port: u16,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn http_server(env: &TestEnv) -> Option<HttpServer> {
    let unavailable = |why: String| unavailable("nginx + fcgiwrap", why);
    let root = env.root();
    let backend = PathBuf::from(env.git(&root, &["--exec-path"]).trim()).join("git-http-backend");
    for program in [
        Path::new("/usr/sbin/nginx"),
        Path::new("/usr/sbin/fcgiwrap"),
        &backend,
    ] {
        if !program.exists() {
            return unavailable(format!("{} is not installed", program.display()));
        }
    }
    let port = match free_port() {
        Ok(port) => port,
        Err(e) => return unavailable(format!("no free port on 127.0.0.1: {e}")),
    };
    let dir = root.join("http");
    fs::create_dir_all(dir.join("tmp")).unwrap();
    let socket = dir.join("fcgiwrap.sock");
    fs::write(dir.join("htpasswd"), "lisi:{PLAIN}pw\nwangwu:{PLAIN}pw\n").unwrap();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log;\nevents {{ worker_connections 64; }}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {d}/tmp/body;\nfastcgi_temp_path {d}/tmp/fastcgi;\n\
         proxy_temp_path {d}/tmp/proxy;\nuwsgi_temp_path {d}/tmp/uwsgi;\nscgi_temp_path {d}/tmp/scgi;\n\
         client_max_body_size 0;\nserver {{\nlisten 127.0.0.1:{port};\nlocation / {{\n\
         auth_basic \"git\";\nauth_basic_user_file {d}/htpasswd;\nfastcgi_pass unix:{sock};\n\
         include /etc/nginx/fastcgi_params;\nfastcgi_param SCRIPT_FILENAME {backend};\n\
         fastcgi_param GIT_PROJECT_ROOT {root};\nfastcgi_param GIT_HTTP_EXPORT_ALL \"\";\n\
         fastcgi_param PATH_INFO $uri;\nfastcgi_param REMOTE_USER $remote_user;\n}}\n}}\n}}\n",
        d = dir.display(),
        sock = socket.display(),
        root = root.display(),
        backend = backend.display(),
    );
    fs::write(dir.join("nginx.conf"), conf).unwrap();
    let log = |name: &str| fs::File::create(dir.join(name)).unwrap();
    let mut server = HttpServer {
        children: Vec::new(),
        port,
    };
    let fcgiwrap = env
        .command("/usr/sbin/fcgiwrap", &root)
        .arg("-s")
        .arg(format!("unix:{}", socket.display()))
        .stdout(Stdio::null())
        .stderr(log("fcgiwrap.log"))
        .spawn();
    match fcgiwrap {
        Ok(child) => server.children.push(child),
        Err(e) => return unavailable(format!("cannot run fcgiwrap: {e}")),
    }
    let nginx = env
        .command("/usr/sbin/nginx", &root)
        .arg("-p")
        .arg(&dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(log("nginx.log"))
        .spawn();
    match nginx {
        Ok(child) => server.children.push(child),
        Err(e) => return unavailable(format!("cannot run nginx: {e}")),
    }
    let mut children: Vec<&mut Child> = server.children.iter_mut().collect();
    match wait_for_port(port, &mut children) {
        Ok(()) => Some(server),
        Err(why) => {
            let errors = fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            unavailable(format!("{why}\n{errors}"))
        }
    }
}

#[test]
fn over_http_the_matrix_holds_with_the_authenticated_user_as_pusher() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    let Some(http) = http_server(&env) else {
        return;
    };
    // The HTTP user is the pusher: the client's SHIPGATE_PUSHER (QA, every time) never
    // reaches the server, and the flow refuses lisi's tag and master by name.
    let t = Transport::new(&env, &s.bare, |who, refspecs| {
        let url = format!("http://{who}:pw@127.0.0.1:{}/origin.git", http.port);
        env.command("git", &s.dev.path)
            .args([
                "-c",
                "http.lowSpeedLimit=1",
                "-c",
                "http.lowSpeedTime=30",
                "push",
                "--no-verify",
                &url,
            ])
            .args(refspecs)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("SHIPGATE_PUSHER", QA)
            .output()
            .unwrap()
    });
    matrix(&s, &t);
}

/// gitolite behind sshd on 127.0.0.1, serving a mirror of `origin.git` as `svc` with
/// shipgate as its repo-specific pre-receive hook; `lisi` and `wangwu` log in with their
/// own keys, so gitolite names the pusher (`GL_USER`). Killed when dropped.
struct Gitolite {
    sshd: Child,
    port: u16,
    user: String,
    dir: PathBuf,
    home: PathBuf,
}

impl Drop for Gitolite {
    fn drop(&mut self) {
        let _ = self.sshd.kill();
        let _ = self.sshd.wait();
    }
}

const GITOLITE_SHELL: &str = "/usr/share/gitolite3/gitolite-shell";

fn gitolite(env: &TestEnv, s: &Served) -> Option<Gitolite> {
    let unavailable = |why: String| unavailable("gitolite + sshd", why);
    for program in [
        "/usr/sbin/sshd",
        "/usr/bin/ssh",
        "/usr/bin/ssh-keygen",
        "/usr/bin/gitolite",
        GITOLITE_SHELL,
    ] {
        if !Path::new(program).exists() {
            return unavailable(format!("{program} is not installed"));
        }
    }
    let root = env.root();
    let id = |flag: &str| {
        let out = env.command("id", &root).arg(flag).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    if id("-u") != "0" {
        return unavailable("sshd lets other users log in only when it runs as root".into());
    }
    let user = id("-un");
    let dir = root.join("ssh");
    let home = root.join("gitolite");
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir_all(&home).unwrap();
    for key in ["admin", "lisi", "wangwu", "host"] {
        let path = dir.join(key);
        let out = env
            .command("/usr/bin/ssh-keygen", &root)
            .args(["-q", "-t", "ed25519", "-N", "", "-C", key, "-f"])
            .arg(&path)
            .output()
            .unwrap();
        assert_ok(&out);
    }
    let gitolite = |args: &[&str]| {
        let out = env
            .command("/usr/bin/gitolite", &home)
            .args(args)
            .env("HOME", &home)
            .output()
            .unwrap();
        assert_ok(&out);
    };
    gitolite(&["setup", "-pk", dir.join("admin.pub").to_str().unwrap()]);
    // What the README tells the admin to enable: LOCAL_CODE and repo-specific hooks.
    let rc_path = home.join(".gitolite.rc");
    let rc: String = fs::read_to_string(&rc_path)
        .unwrap()
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let enable = (trimmed.starts_with("# LOCAL_CODE") && line.contains("GL_ADMIN_BASE"))
                || trimmed == "# 'repo-specific-hooks',";
            let line = if enable {
                line.replacen("# ", "", 1)
            } else {
                line.to_string()
            };
            line + "\n"
        })
        .collect();
    fs::write(&rc_path, rc).unwrap();
    let svc = home.join("repositories/svc.git");
    env.git(
        &root,
        &[
            "clone",
            "-q",
            "--mirror",
            s.bare.to_str().unwrap(),
            svc.to_str().unwrap(),
        ],
    );
    let conf = home.join(".gitolite/conf/gitolite.conf");
    let mut text = fs::read_to_string(&conf).unwrap();
    text.push_str("repo svc\n    RW+ = lisi wangwu\n    option hook.pre-receive = shipgate\n");
    fs::write(&conf, text).unwrap();
    let out = env.shipgate(
        &root,
        &[
            "install",
            "--server",
            "--layout",
            "gitolite",
            "--repo",
            svc.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    gitolite(&["setup"]);
    let keys: String = ["lisi", "wangwu"]
        .iter()
        .map(|who| {
            let key = fs::read_to_string(dir.join(format!("{who}.pub"))).unwrap();
            format!(
                "command=\"env HOME={} {GITOLITE_SHELL} {who}\",no-port-forwarding,\
                 no-X11-forwarding,no-agent-forwarding,no-pty {}",
                home.display(),
                key.trim()
            ) + "\n"
        })
        .collect();
    fs::write(dir.join("authorized_keys"), keys).unwrap();
    let port = match free_port() {
        Ok(port) => port,
        Err(e) => return unavailable(format!("no free port on 127.0.0.1: {e}")),
    };
    fs::write(
        dir.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\nLogLevel ERROR\n",
            d = dir.display()
        ),
    )
    .unwrap();
    // sshd's privilege separation directory (a tmpfs the init system makes at boot).
    if let Err(e) = fs::create_dir_all("/run/sshd") {
        return unavailable(format!("cannot create /run/sshd: {e}"));
    }
    let log = fs::File::create(dir.join("sshd.log")).unwrap();
    let sshd = env
        .command("/usr/sbin/sshd", &root)
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(dir.join("sshd_config"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn();
    let mut server = match sshd {
        Ok(sshd) => Gitolite {
            sshd,
            port,
            user,
            dir,
            home,
        },
        Err(e) => return unavailable(format!("cannot run sshd: {e}")),
    };
    match wait_for_port(port, &mut [&mut server.sshd]) {
        Ok(()) => Some(server),
        Err(why) => {
            let log = fs::read_to_string(server.dir.join("sshd.log")).unwrap_or_default();
            unavailable(format!("{why}\n{log}"))
        }
    }
}

#[test]
fn through_gitolite_and_sshd_the_matrix_holds_with_gitolites_user() {
    let env = TestEnv::new();
    let s = Served::new(&env);
    let Some(server) = gitolite(&env, &s) else {
        return;
    };
    let svc = server.home.join("repositories/svc.git");
    let doctor = env.shipgate(
        &env.root(),
        &["doctor", "--server", "--repo", svc.to_str().unwrap()],
    );
    assert_ok(&doctor);
    // Each person logs in with their own key and gitolite names them (`GL_USER`); the
    // client's SHIPGATE_PUSHER (QA, every time) never reaches the server.
    let url = format!("ssh://{}@127.0.0.1:{}/svc", server.user, server.port);
    let t = Transport::new(&env, &svc, |who, refspecs| {
        let ssh = format!(
            "ssh -i {} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
             -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
             -o ConnectTimeout=20",
            server.dir.join(who).display()
        );
        env.command("git", &s.dev.path)
            .args(["push", "--no-verify", &url])
            .args(refspecs)
            .env("GIT_SSH_COMMAND", ssh)
            .env("SHIPGATE_PUSHER", QA)
            .output()
            .unwrap()
    });
    matrix(&s, &t);
}
