//! Notices to the on-call group (`shipgate announce`, F17, F18, F22, R2): the real binary
//! posts to a real HTTP server on 127.0.0.1 standing in for each chat service, and each
//! request is checked against the vendor's documented payload and signature, the
//! signature recomputed here with an HMAC written from its definition (RFC 2104).

use std::collections::VecDeque;
use std::fs;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::*;

/// `SHIPGATE_NOW` (2026-11-01T10:00:00+08:00) in seconds since 1970.
const NOW_SECS: i64 = 1_793_498_400;
const FEISHU_SECRET: &str = "feishu-secret-4f1c9a";
const DINGTALK_SECRET: &str = "SECdingtalk-secret-7d2e0b";
const FEISHU_TOKEN: &str = "feishu-token-0a1b2c3d";
const DINGTALK_TOKEN: &str = "dingtalk-token-4e5f6a7b";
const WECOM_KEY: &str = "wecom-key-8c9d0e1f";
const SLACK_TOKEN: &str = "slack-token-2a3b4c5d";

/// One request the server saw.
#[derive(Clone, Debug)]
struct Seen {
    /// Path and query, as sent.
    url: String,
    content_type: String,
    body: String,
}

impl Seen {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the robot was sent JSON")
    }
}

/// A local HTTP server answering as the four chat services do, or as scripted.
struct Robots {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Answers to give before the default ones, in order: (status, body).
    script: Arc<Mutex<VecDeque<(u16, String)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Robots {
    fn start() -> Robots {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a port on 127.0.0.1");
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Mutex<VecDeque<(u16, String)>>> = Arc::new(Mutex::new(VecDeque::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, script, stop) = (seen.clone(), script.clone(), stop.clone());
            std::thread::spawn(move || {
                // Bounded: the server stops with the test, and after a minute regardless.
                let deadline = Instant::now() + Duration::from_secs(60);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(50))
                    else {
                        continue;
                    };
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let url = request.url().to_string();
                    let content_type = request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Content-Type"))
                        .map(|h| h.value.to_string())
                        .unwrap_or_default();
                    seen.lock().unwrap().push(Seen {
                        url: url.clone(),
                        content_type,
                        body,
                    });
                    let (status, answer) = script
                        .lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or_else(|| (200, default_answer(&url).to_string()));
                    let _ = request
                        .respond(tiny_http::Response::from_string(answer).with_status_code(status));
                }
            })
        };
        Robots {
            port,
            seen,
            script,
            stop,
            thread: Some(thread),
        }
    }

    fn then_answer(&self, status: u16, body: &str) {
        self.script
            .lock()
            .unwrap()
            .push_back((status, body.to_string()));
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn feishu(&self) -> String {
        format!(
            "[[notify]]\nrobot = \"feishu\"\nurl = \"{}/feishu/open-apis/bot/v2/hook/{FEISHU_TOKEN}\"\nsecret_env = \"FEISHU_SECRET\"\n",
            self.base()
        )
    }

    fn dingtalk(&self) -> String {
        format!(
            "[[notify]]\nrobot = \"dingtalk\"\nurl = \"{}/dingtalk/robot/send?access_token={DINGTALK_TOKEN}\"\nsecret_env = \"DINGTALK_SECRET\"\n",
            self.base()
        )
    }

    fn wecom(&self) -> String {
        format!(
            "[[notify]]\nrobot = \"wecom\"\nurl = \"{}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}\"\n",
            self.base()
        )
    }

    /// Slack's webhook comes from a variable (`url_env`), as a team keeping it out of
    /// the repository would set it.
    fn slack(&self) -> String {
        "[[notify]]\nrobot = \"slack\"\nurl_env = \"SLACK_WEBHOOK\"\n".to_string()
    }

    fn wecom_url(&self) -> String {
        format!("{}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}", self.base())
    }

    fn slack_url(&self) -> String {
        format!("{}/slack/services/T000/B000/{SLACK_TOKEN}", self.base())
    }
}

impl Drop for Robots {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What each service answers when it accepts a message, as its documentation shows.
fn default_answer(url: &str) -> &'static str {
    if url.starts_with("/feishu/") {
        r#"{"code":0,"data":{},"msg":"success"}"#
    } else if url.starts_with("/slack/") {
        "ok"
    } else {
        r#"{"errcode":0,"errmsg":"ok"}"#
    }
}

/// HMAC-SHA256 from its definition (RFC 2104), independent of the code under test.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::digest([pad(0x36), message.to_vec()].concat());
    Sha256::digest([pad(0x5c), inner.to_vec()].concat()).to_vec()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn the_test_hmac_is_hmac() {
    // RFC 4231, test case 2.
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

/// order-api with releases v1.0.0 and (tagged) v1.1.0, whose plan was rendered by
/// `plan new`; the policy, with `robots`, committed on master.
fn service<'a>(env: &'a TestEnv, robots: &str) -> TestRepo<'a> {
    let repo = env.repo("order-api");
    repo.git(&["branch", "-m", "master"]);
    fs::write(
        repo.path.join(".shipgate.toml"),
        format!(
            "[people]\nowners = [\"zhangsan\"]\ntech_leads = [\"lisi\"]\nqa = [\"wangwu\"]\n\n{robots}"
        ),
    )
    .unwrap();
    repo.git(&["add", ".shipgate.toml"]);
    repo.git(&["commit", "-q", "-m", "shipgate policy"]);
    repo.git(&["tag", "v1.0.0"]);
    // Real changes: an empty commit is no fix or feature, and "changes since" skips it.
    fs::write(repo.path.join("coupon.txt"), "stacking\n").unwrap();
    repo.git(&["add", "coupon.txt"]);
    repo.commit("coupon: stacking rules");
    fs::write(repo.path.join("coupon.txt"), "stacking\nlimits\n").unwrap();
    repo.git(&["commit", "-q", "-am", "coupon: limits & caps <beta>"]);
    assert_ok(&repo.shipgate(&["plan", "new", "--kind", "feature", "--version", "v1.1.0"]));
    repo.git(&["add", "docs"]);
    repo.git(&["commit", "-q", "-m", "plan for v1.1.0"]);
    repo.git(&["tag", "v1.1.0"]);
    repo
}

fn plan(repo: &TestRepo) -> String {
    fs::read_to_string(repo.path.join("docs/releases/v1.1.0.md")).unwrap()
}

/// `shipgate announce ...` with the robots' secrets (and Slack's webhook) set.
fn announce(repo: &TestRepo, robots: &Robots, args: &[&str]) -> Output {
    repo.env
        .command(BIN, &repo.path)
        .arg("announce")
        .args(args)
        .env("FEISHU_SECRET", FEISHU_SECRET)
        .env("DINGTALK_SECRET", DINGTALK_SECRET)
        .env("SLACK_WEBHOOK", robots.slack_url())
        .env("WECOM_WEBHOOK", robots.wecom_url())
        .output()
        .expect("shipgate runs")
}

/// Output with the server's port replaced, for snapshots.
fn transcript(repo: &TestRepo, robots: &Robots, out: &Output) -> String {
    repo.env
        .transcript(out)
        .replace(&robots.port.to_string(), "[PORT]")
}

/// Nothing secret in what the user sees: the signing secrets, the webhooks' tokens.
fn assert_no_secrets(out: &Output) {
    let shown = format!("{}{}", stdout(out), stderr(out));
    for secret in [
        FEISHU_SECRET,
        DINGTALK_SECRET,
        FEISHU_TOKEN,
        DINGTALK_TOKEN,
        WECOM_KEY,
        SLACK_TOKEN,
    ] {
        assert!(!shown.contains(secret), "`{secret}` was shown:\n{shown}");
    }
}

#[test]
fn every_robot_gets_the_payload_and_signature_its_vendor_defines() {
    let env = TestEnv::new();
    let robots = Robots::start();
    let config = [
        robots.feishu(),
        robots.dingtalk(),
        robots.wecom(),
        robots.slack(),
    ]
    .join("\n");
    let repo = service(&env, &config);
    let out = announce(&repo, &robots, &["start", "--version", "v1.1.0", "--send"]);
    assert_ok(&out);
    assert_no_secrets(&out);
    let notice = stdout(&out);
    assert!(
        notice.starts_with("[Release starting] order-api v1.1.0 (feature release)\n"),
        "{notice}"
    );
    let seen = robots.seen();
    assert_eq!(seen.len(), 4, "{seen:#?}");
    for request in &seen {
        assert!(
            request.content_type.starts_with("application/json"),
            "{request:?}"
        );
    }

    // Feishu: timestamp (seconds, a string) and sign in the body; the key is
    // "timestamp\nsecret" and the message empty.
    let feishu = seen[0].json();
    assert_eq!(
        seen[0].url,
        format!("/feishu/open-apis/bot/v2/hook/{FEISHU_TOKEN}")
    );
    assert_eq!(feishu["timestamp"], json!(NOW_SECS.to_string()));
    let key = format!("{NOW_SECS}\n{FEISHU_SECRET}");
    assert_eq!(
        feishu["sign"],
        json!(b64(&hmac_sha256(key.as_bytes(), b"")))
    );
    assert_eq!(feishu["msg_type"], json!("text"));
    assert_eq!(feishu["content"]["text"], json!(notice.trim_end()));

    // DingTalk: timestamp (milliseconds) and the URL-encoded sign in the query; the key
    // is the secret and the message "timestamp\nsecret".
    let url = url::Url::parse(&format!("http://x{}", seen[1].url)).unwrap();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let millis = (NOW_SECS * 1000).to_string();
    let message = format!("{millis}\n{DINGTALK_SECRET}");
    let sign = b64(&hmac_sha256(DINGTALK_SECRET.as_bytes(), message.as_bytes()));
    assert_eq!(
        query,
        [
            ("access_token".to_string(), DINGTALK_TOKEN.to_string()),
            ("timestamp".to_string(), millis),
            ("sign".to_string(), sign.clone()),
        ]
    );
    let raw_sign = seen[1].url.rsplit("sign=").next().unwrap();
    assert!(
        !raw_sign.contains(['+', '/', '=']),
        "not URL-encoded: {raw_sign}"
    );
    assert_eq!(
        seen[1].json(),
        json!({"msgtype": "text", "text": {"content": notice.trim_end()}})
    );

    // WeCom: no signature; the key stays the URL's.
    assert_eq!(
        seen[2].url,
        format!("/wecom/cgi-bin/webhook/send?key={WECOM_KEY}")
    );
    assert_eq!(
        seen[2].json(),
        json!({"msgtype": "text", "text": {"content": notice.trim_end()}})
    );

    // Slack: {"text": ...} with `&`, `<`, `>` escaped as Slack asks.
    assert_eq!(
        seen[3].url,
        format!("/slack/services/T000/B000/{SLACK_TOKEN}")
    );
    let slack = seen[3].json()["text"].as_str().unwrap().to_string();
    assert!(
        slack.contains("coupon: limits &amp; caps &lt;beta&gt;"),
        "{slack}"
    );
    assert!(notice.contains("coupon: limits & caps <beta>"), "{notice}");

    // Said on stderr without the tokens; recorded in the plan with the item ticked.
    let said = stderr(&out);
    let base = robots.base();
    for line in [
        format!("sent to feishu ({base}/feishu/open-apis/bot/v2/hook/…)"),
        format!("sent to dingtalk ({base}/dingtalk/robot/…)"),
        format!("sent to wecom ({base}/wecom/cgi-bin/webhook/…)"),
        format!("sent to slack ({base}/slack/services/T000/B000/…)"),
        "recorded the release start notice in `docs/releases/v1.1.0.md`".to_string(),
        "ticked `announce-start` in `docs/releases/v1.1.0.md`".to_string(),
        "hint: commit the plan with the release's other post-release records: `git add docs/releases/v1.1.0.md`".to_string(),
    ] {
        assert!(said.contains(&line), "{line} missing from:\n{said}");
    }
    let text = plan(&repo);
    assert!(
        text.contains(
            "- [x] Release announced in the on-call group (值班群) <!-- id: announce-start -->"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\n## Announcements\n\n- 2026-11-01 02:00 +00:00 · release start notice (Li Si): sent to feishu, dingtalk, wecom, slack\n"
        ),
        "{text}"
    );
    // The plan still reads as a plan, and only that box changed.
    assert_eq!(
        repo.git(&["diff", "--numstat"]).trim(),
        "5\t1\tdocs/releases/v1.1.0.md"
    );
    // `plan check` sees F17 done and F22 (the completion notice) still owed.
    let out = repo.shipgate(&["plan", "check", "v1.1.0", "--stage", "done"]);
    let report = stdout(&out);
    assert!(
        report.contains("[F22]") && !report.contains("[F17]"),
        "{report}"
    );
}

#[test]
fn a_server_error_is_retried_and_the_notice_delivered() {
    let env = TestEnv::new();
    let robots = Robots::start();
    let repo = service(&env, &robots.feishu());
    robots.then_answer(500, "internal error");
    robots.then_answer(502, "bad gateway");
    let out = announce(&repo, &robots, &["done", "--version", "v1.1.0", "--send"]);
    assert_ok(&out);
    let seen = robots.seen();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert_eq!(seen[0].body, seen[2].body);
    assert!(plan(&repo)
        .contains("- [x] Completion announced in the on-call group <!-- id: announce-done -->"));
}

#[test]
fn a_robot_that_refuses_exits_1_with_its_own_words_and_the_rest_still_hear() {
    let env = TestEnv::new();
    let robots = Robots::start();
    let config = [robots.dingtalk(), robots.wecom()].join("\n");
    let repo = service(&env, &config);
    // The refusal quotes the token and the secret back: neither may reach the user.
    robots.then_answer(
        200,
        &format!(
            r#"{{"errcode":310000,"errmsg":"sign not match, access_token={DINGTALK_TOKEN} secret {DINGTALK_SECRET}"}}"#
        ),
    );
    let out = announce(&repo, &robots, &["start", "--version", "v1.1.0", "--send"]);
    assert_code(&out, 1);
    assert_no_secrets(&out);
    let said = stderr(&out);
    let base = robots.base();
    assert!(
        said.contains(&format!(
            "error: dingtalk ({base}/dingtalk/robot/…) refused the notice: errcode 310000: sign not match, … secret …"
        )),
        "{said}"
    );
    assert!(
        said.contains("hint: fix the robot's `url` or `secret_env` in `.shipgate.toml` (the robot's own words are above), then send again: `shipgate announce start --version v1.1.0 --send`"),
        "{said}"
    );
    // A refusal is not retried; the next robot still gets the notice.
    assert_eq!(robots.seen().len(), 2);
    assert!(
        said.contains(&format!("sent to wecom ({base}/wecom/cgi-bin/webhook/…)")),
        "{said}"
    );
    // Recorded as it happened; the item stays open, as one group was not told.
    let text = plan(&repo);
    assert!(text.contains(
        "- [ ] Release announced in the on-call group (值班群) <!-- id: announce-start -->"
    ));
    assert!(
        text.contains("· release start notice (Li Si): sent to wecom; not delivered to dingtalk\n"),
        "{text}"
    );
}

#[test]
fn a_robot_that_cannot_be_reached_is_tried_three_times_then_exit_2() {
    let env = TestEnv::new();
    let robots = Robots::start();
    // A port nothing listens on (bound, then closed).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "[[notify]]\nrobot = \"wecom\"\nurl = \"http://127.0.0.1:{closed}/cgi-bin/webhook/send?key={WECOM_KEY}\"\n"
    );
    let repo = service(&env, &config);
    let out = announce(&repo, &robots, &["canary", "--version", "v1.1.0", "--send"]);
    assert_code(&out, 2);
    assert_no_secrets(&out);
    let said = stderr(&out);
    assert!(
        said.contains(&format!(
            "error: could not deliver the notice to wecom (http://127.0.0.1:{closed}/cgi-bin/webhook/…) in 3 tries:"
        )),
        "{said}"
    );
    assert!(said.contains("hint: once the robot can be reached, send again: `shipgate announce canary --version v1.1.0 --send`"), "{said}");
    assert!(!plan(&repo).contains("## Announcements"));
}

#[test]
fn a_missing_secret_exits_2_names_the_variable_and_sends_nothing() {
    let env = TestEnv::new();
    let robots = Robots::start();
    let config = [robots.wecom(), robots.feishu()].join("\n");
    let repo = service(&env, &config);
    let before = plan(&repo);
    let out = repo.shipgate(&["announce", "start", "--version", "v1.1.0", "--send"]);
    assert_code(&out, 2);
    let said = stderr(&out);
    assert!(
        said.contains("error: feishu: `secret_env` names the environment variable `FEISHU_SECRET`, which is not set (or empty); nothing was sent"),
        "{said}"
    );
    assert!(
        said.contains("hint: set it without echoing it, then send: `stty -echo; read -r FEISHU_SECRET; stty echo; export FEISHU_SECRET; shipgate announce start --version v1.1.0 --send`"),
        "{said}"
    );
    assert!(robots.seen().is_empty());
    assert_eq!(plan(&repo), before);
    assert_no_secrets(&out);
}

#[test]
fn without_send_nothing_is_sent_and_nothing_recorded() {
    let env = TestEnv::new();
    let robots = Robots::start();
    let config = [robots.feishu(), robots.wecom()].join("\n");
    let repo = service(&env, &config);
    let before = plan(&repo);
    let out = announce(&repo, &robots, &["start", "--version", "v1.1.0"]);
    assert_ok(&out);
    assert!(stdout(&out).starts_with("[Release starting] order-api v1.1.0"));
    assert!(
        stderr(&out).contains("hint: post it to the team's robots and record it in the plan: `shipgate announce start --version v1.1.0 --send`"),
        "{}",
        stderr(&out)
    );
    // Give a stray request time to arrive before saying none did.
    std::thread::sleep(Duration::from_millis(200));
    assert!(robots.seen().is_empty());
    assert_eq!(plan(&repo), before);
}

#[test]
fn a_notice_posted_by_hand_is_recorded() {
    let env = TestEnv::new();
    let repo = service(&env, "");
    let out = repo.shipgate(&["announce", "start", "--version", "v1.1.0"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("hint: no robot is configured; once you have posted it by hand, record it in the plan: `shipgate announce start --version v1.1.0 --record`"),
        "{}",
        stderr(&out)
    );
    let out = repo.shipgate(&["announce", "start", "--version", "v1.1.0", "--send"]);
    assert_code(&out, 2);
    assert!(stderr(&out)
        .contains("hint: see how to add one (robot, url, secret_env): `shipgate config default`"));
    let out = repo.shipgate(&["announce", "start", "--version", "v1.1.0", "--record"]);
    assert_ok(&out);
    let text = plan(&repo);
    assert!(text.contains(
        "- [x] Release announced in the on-call group (值班群) <!-- id: announce-start -->"
    ));
    assert!(text.ends_with("## Announcements\n\n- 2026-11-01 02:00 +00:00 · release start notice (Li Si): posted by hand\n"), "{text}");
    // The canary notice ticks nothing (item `canary` says it looked right); the entries
    // accumulate under one heading.
    let out = repo.shipgate(&["announce", "canary", "--version", "v1.1.0", "--record"]);
    assert_ok(&out);
    let text = plan(&repo);
    assert!(text.contains("- [ ] Canary on one machine first"), "{text}");
    assert!(text.ends_with("(Li Si): posted by hand\n- 2026-11-01 02:00 +00:00 · canary notice (Li Si): posted by hand\n"), "{text}");
    assert_eq!(text.matches("## Announcements").count(), 1);
}

#[test]
fn notices_in_both_languages() {
    let env = TestEnv::new();
    let robots = Robots::start();
    // The webhook from a variable: the committed policy, and so every commit id in the
    // notices, does not depend on the server's port.
    let repo = service(
        &env,
        "[[notify]]\nrobot = \"wecom\"\nurl_env = \"WECOM_WEBHOOK\"\n",
    );
    let out = announce(
        &repo,
        &robots,
        &["--lang", "zh-CN", "start", "--version", "v1.1.0", "--send"],
    );
    assert_ok(&out);
    insta::assert_snapshot!("start_zh", transcript(&repo, &robots, &out));
    assert_eq!(
        robots.seen()[0].json()["text"]["content"],
        json!(stdout(&out).trim_end())
    );
    let out = announce(&repo, &robots, &["start", "--version", "v1.1.0"]);
    insta::assert_snapshot!("start_en", transcript(&repo, &robots, &out));
    // A rollback notice names the target and the reason `shipgate rollback` recorded.
    assert_ok(&repo.shipgate(&[
        "rollback",
        "--version",
        "v1.1.0",
        "--reason",
        "订单创建 5xx",
    ]));
    let out = announce(
        &repo,
        &robots,
        &[
            "--lang",
            "zh-CN",
            "rollback",
            "--version",
            "v1.1.0",
            "--send",
        ],
    );
    assert_ok(&out);
    insta::assert_snapshot!("rollback_zh", transcript(&repo, &robots, &out));
    let out = announce(&repo, &robots, &["rollback", "--version", "v1.1.0"]);
    insta::assert_snapshot!("rollback_en", transcript(&repo, &robots, &out));
    let out = announce(
        &repo,
        &robots,
        &["--lang", "zh-CN", "done", "--version", "v1.1.0"],
    );
    insta::assert_snapshot!("done_zh", transcript(&repo, &robots, &out));
    let out = announce(&repo, &robots, &["canary", "--version", "v1.1.0"]);
    insta::assert_snapshot!("canary_en", transcript(&repo, &robots, &out));
    // Both records, each in the language it was made in, under the one section made first.
    let text = plan(&repo);
    assert!(text.contains("## 周知记录\n\n- 2026-11-01 02:00 +00:00 · 上线周知（Li Si）：已发送到 wecom\n- 2026-11-01 02:00 +00:00 · 回滚周知（Li Si）：已发送到 wecom\n"), "{text}");
}

#[test]
fn a_bad_version_or_a_missing_plan_exits_2() {
    let env = TestEnv::new();
    let repo = service(&env, "");
    let out = repo.shipgate(&["announce", "start", "--version", "latest"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("version `latest` is not a release version like v1.2.3"));
    let out = repo.shipgate(&["announce", "start", "--version", "v9.0.0"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("there is no plan `docs/releases/v9.0.0.md`"));
    assert!(stdout(&out).is_empty());
}

/// A refusal and a robot that cannot be reached, told in Chinese: the robot's own words
/// and the operating system's stay as they are, quoted inside Chinese sentences.
#[test]
fn robots_failures_are_said_in_chinese_around_their_own_words() {
    let env = TestEnv::new();
    let robots = Robots::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "{}{}\n[[notify]]\nrobot = \"wecom\"\nurl = \"http://127.0.0.1:{closed}/cgi-bin/webhook/send?key={WECOM_KEY}\"\n",
        robots.dingtalk(),
        robots.feishu()
    );
    let repo = service(&env, &config);
    robots.then_answer(200, r#"{"errcode":310000,"errmsg":"sign not match"}"#);
    robots.then_answer(200, "<html>gateway</html>");
    let args = ["start", "--version", "v1.1.0", "--send", "--lang", "zh-CN"];
    let out = announce(&repo, &robots, &args);
    assert_code(&out, 2);
    assert_no_secrets(&out);
    let said = stderr(&out);
    let base = robots.base();
    for expected in [
        format!("错误：dingtalk（{base}/dingtalk/robot/…）拒绝了这条周知：答复 `errcode` 为 310000：“sign not match”"),
        format!("错误：feishu（{base}/feishu/open-apis/bot/v2/hook/…）拒绝了这条周知：HTTP 200，答复中没有 `code`：“<html>gateway</html>”"),
        format!("错误：尝试 3 次仍无法把周知送到 wecom（http://127.0.0.1:{closed}/cgi-bin/webhook/…）：网络读写出错：“"),
    ] {
        assert!(said.contains(&expected), "{expected}\nnot in:\n{said}");
    }
    let words = crate::zh_details::english_words(&said);
    assert!(words.is_empty(), "{words:#?}\n{said}");
}
