//! Notices to the on-call group (F17, F18, F22, R2): the chat robots a team configures in
//! `.shipgate.toml` (`[[notify]]`), the notice rendered from its template, and posting it
//! to each robot as its vendor documents (payload, signature, what a refusal looks like).
//!
//! The robots' own modules build a request and read a reply; `http` carries them with
//! timeouts and retries; `record` writes what was announced into the plan. Nothing here
//! prints: the command reports the outcomes.

pub mod dingtalk;
pub mod feishu;
pub mod http;
pub mod record;
pub mod render;
pub mod slack;
pub mod wecom;

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::messages::Msg;

/// The moments of a release the on-call group hears about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Moment {
    /// The release starts (F17)
    Start,
    /// One machine runs the release; the rest wait until it looks right (F18)
    Canary,
    /// Every machine runs the release (F22)
    Done,
    /// The release was rolled back (R2)
    Rollback,
}

impl Moment {
    pub fn name(self) -> &'static str {
        match self {
            Moment::Start => "start",
            Moment::Canary => "canary",
            Moment::Done => "done",
            Moment::Rollback => "rollback",
        }
    }

    /// The process rule the notice serves.
    pub fn rule(self) -> &'static str {
        match self {
            Moment::Start => "F17",
            Moment::Canary => "F18",
            Moment::Done => "F22",
            Moment::Rollback => "R2",
        }
    }

    /// The plan's checklist item this notice fulfils, if there is one. The canary notice
    /// fulfils none: item `canary` says the canary *looked right*, which only a person
    /// watching it can tick; a rollback has no checklist item of its own.
    pub fn item(self) -> Option<&'static str> {
        match self {
            Moment::Start => Some("announce-start"),
            Moment::Done => Some("announce-done"),
            Moment::Canary | Moment::Rollback => None,
        }
    }

    /// How the plan's record of announcements names this notice.
    pub fn label(self) -> Msg {
        match self {
            Moment::Start => Msg::NoticeStart,
            Moment::Canary => Msg::NoticeCanary,
            Moment::Done => Msg::NoticeDone,
            Moment::Rollback => Msg::NoticeRollback,
        }
    }
}

/// The chat services shipgate can post to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RobotKind {
    /// Feishu / Lark custom bot (自定义机器人), optionally signed
    Feishu,
    /// DingTalk custom robot (自定义机器人), optionally signed (加签)
    Dingtalk,
    /// WeCom group robot (企业微信群机器人); no signing
    Wecom,
    /// Slack incoming webhook; no signing
    Slack,
}

impl RobotKind {
    pub fn name(self) -> &'static str {
        match self {
            RobotKind::Feishu => "feishu",
            RobotKind::Dingtalk => "dingtalk",
            RobotKind::Wecom => "wecom",
            RobotKind::Slack => "slack",
        }
    }

    /// Whether the vendor defines a request signature with a shared secret.
    pub fn signs(self) -> bool {
        matches!(self, RobotKind::Feishu | RobotKind::Dingtalk)
    }

    /// The most a message's text may have, in bytes, as the vendor documents it (WeCom:
    /// 2048 bytes of UTF-8; Feishu: a 20 KB request body; DingTalk: 20 000 bytes; Slack
    /// truncates past 40 000 characters and advises far less).
    pub fn max_text_bytes(self) -> usize {
        match self {
            RobotKind::Wecom => 2048,
            RobotKind::Feishu | RobotKind::Dingtalk => 18 * 1024,
            RobotKind::Slack => 36 * 1024,
        }
    }
}

impl fmt::Display for RobotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `[[notify]]` table of `.shipgate.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRobot", into = "RawRobot")]
pub struct Robot {
    pub kind: RobotKind,
    pub url: Webhook,
    /// The environment variable that holds the signing secret (Feishu, DingTalk).
    pub secret_env: Option<String>,
}

/// Where a robot's webhook URL comes from. The URL carries the robot's access token, so
/// a team that does not want it in the repository names a variable instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Webhook {
    /// `url = "https://..."`, checked when the config is read.
    Url(String),
    /// `url_env = "NAME"`: the URL is read from this variable when sending.
    Env(String),
}

/// The table as written.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRobot {
    robot: RobotKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_env: Option<String>,
}

impl TryFrom<RawRobot> for Robot {
    type Error = String;

    fn try_from(raw: RawRobot) -> Result<Robot, String> {
        let kind = raw.robot;
        let url = match (raw.url, raw.url_env) {
            (Some(url), None) => {
                parse_webhook(&url).map_err(|why| {
                    Msg::RobotConfig {
                        kind: kind.to_string(),
                        why,
                    }
                    .encode()
                })?;
                Webhook::Url(url)
            }
            (None, Some(name)) => {
                check_env_name(&name, "url_env").map_err(|m| m.encode())?;
                Webhook::Env(name)
            }
            (Some(_), Some(_)) => {
                return Err(Msg::RobotUrlAndEnv {
                    kind: kind.to_string(),
                }
                .encode())
            }
            (None, None) => {
                return Err(Msg::RobotUrlMissing {
                    kind: kind.to_string(),
                }
                .encode())
            }
        };
        if let Some(name) = &raw.secret_env {
            if !kind.signs() {
                return Err(Msg::RobotNotSigned {
                    kind: kind.to_string(),
                }
                .encode());
            }
            check_env_name(name, "secret_env").map_err(|m| m.encode())?;
        }
        Ok(Robot {
            kind,
            url,
            secret_env: raw.secret_env,
        })
    }
}

impl From<Robot> for RawRobot {
    fn from(r: Robot) -> RawRobot {
        let (url, url_env) = match r.url {
            Webhook::Url(url) => (Some(url), None),
            Webhook::Env(name) => (None, Some(name)),
        };
        RawRobot {
            robot: r.kind,
            url,
            url_env,
            secret_env: r.secret_env,
        }
    }
}

/// An environment variable's name as a shell writes it: `[A-Za-z_][A-Za-z0-9_]*`.
fn check_env_name(name: &str, key: &str) -> Result<(), Box<Msg>> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Box::new(Msg::EnvNameInvalid {
            key: key.into(),
            name: name.into(),
        }))
    }
}

/// Parses a webhook URL. It must be `https`, or `http` to this machine only (a local
/// relay, the tests): the URL carries the robot's token and the body the notice. Errors
/// never repeat the URL, which may hold that token.
pub fn parse_webhook(text: &str) -> Result<Url, Box<Msg>> {
    let url = Url::parse(text.trim()).map_err(|e| Msg::WebhookNotUrl {
        detail: e.to_string(),
    })?;
    let host = url.host().ok_or(Msg::WebhookNoHost)?;
    let local = match host {
        url::Host::Domain(name) => name == "localhost",
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if local => Ok(url),
        "http" => Err(Box::new(Msg::WebhookHttp {
            url: shown_url(&url),
        })),
        other => Err(Box::new(Msg::WebhookScheme {
            scheme: other.into(),
        })),
    }
}

/// A webhook URL as it may be shown: scheme, host, port and the path without its last
/// segment. The token a robot's URL carries (Feishu's and Slack's last path segment,
/// DingTalk's `access_token`, WeCom's `key`) and any user name or password never appear.
pub fn shown_url(url: &Url) -> String {
    let mut shown = format!("{}://", url.scheme());
    if let Some(host) = url.host_str() {
        shown.push_str(host);
    }
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if let Some((_, kept)) = segments.split_last() {
        for segment in kept {
            shown.push('/');
            shown.push_str(segment);
        }
        shown.push_str("/…");
    }
    shown
}

/// Everything in a webhook URL or a secret that must never be printed, for scrubbing
/// text that came from elsewhere (a robot's reply, a transport error) before it is shown.
pub fn secrets_of(url: &Url, secret: Option<&str>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    // The token is in the query where there is one (DingTalk, WeCom), else the last
    // path segment (Feishu, Slack).
    match url.query().filter(|q| !q.is_empty()) {
        Some(query) => {
            found.push(query.to_string());
            for (_, value) in url.query_pairs() {
                found.push(value.into_owned());
            }
        }
        None => {
            if let Some(segment) = url
                .path_segments()
                .and_then(|mut s| s.rfind(|s| !s.is_empty()))
            {
                found.push(segment.to_string());
            }
        }
    }
    if !url.username().is_empty() {
        found.push(url.username().to_string());
    }
    if let Some(password) = url.password() {
        found.push(password.to_string());
    }
    found.push(url.as_str().to_string());
    if let Some(secret) = secret {
        found.push(secret.to_string());
    }
    // Longest first, so a value that contains another is scrubbed whole.
    found.retain(|s| s.len() >= 4);
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    found.dedup();
    found
}

/// `text` with every one of `secrets` replaced by `…`.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_string(), |text, secret| {
        text.replace(secret.as_str(), "…")
    })
}

/// A robot ready to be posted to: its URL and secret read from the environment.
#[derive(Clone, Debug)]
pub struct Target {
    pub kind: RobotKind,
    pub url: Url,
    pub secret: Option<String>,
}

impl Target {
    fn secrets(&self) -> Vec<String> {
        secrets_of(&self.url, self.secret.as_deref())
    }
}

/// A request for one robot: where to post and the JSON to post.
#[derive(Clone, Debug)]
pub struct Request {
    pub url: Url,
    pub body: serde_json::Value,
}

/// What a robot's reply means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The robot took the message.
    Accepted,
    /// The robot said no (bad signature, unknown token, bad payload): retrying cannot help.
    Refused(Msg),
    /// The robot could not take it now (5xx, rate limit): worth another try.
    Busy(Msg),
}

/// How one robot's delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The robot's own words, scrubbed of the URL's token and the secret.
    Refused(Msg),
    /// The last transport error or busy answer, scrubbed likewise, and how many tries
    /// were made (fewer than `http::ATTEMPTS` when another could not help, e.g. TLS).
    Unreachable {
        detail: Msg,
        tries: u32,
    },
}

/// Builds the request for `target` carrying `text`, signed at `now` where the vendor
/// signs.
pub fn request(target: &Target, text: &str, now: jiff::Timestamp) -> Request {
    match target.kind {
        RobotKind::Feishu => feishu::request(&target.url, target.secret.as_deref(), now, text),
        RobotKind::Dingtalk => dingtalk::request(&target.url, target.secret.as_deref(), now, text),
        RobotKind::Wecom => wecom::request(&target.url, text),
        RobotKind::Slack => slack::request(&target.url, text),
    }
}

/// Reads a robot's reply.
pub fn verdict(kind: RobotKind, status: u16, body: &str) -> Verdict {
    match kind {
        RobotKind::Feishu => feishu::verdict(status, body),
        RobotKind::Dingtalk => dingtalk::verdict(status, body),
        RobotKind::Wecom => wecom::verdict(status, body),
        RobotKind::Slack => slack::verdict(status, body),
    }
}

/// Posts `text` to `target`: signs it (afresh for every try, from `clock`), retries
/// what is worth retrying, and returns how it ended.
pub fn deliver(
    transport: &http::Transport,
    target: &Target,
    text: &str,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Outcome {
    let secrets = target.secrets();
    let outcome = transport.post(
        || request(target, text, clock()),
        |status, body| verdict(target.kind, status, body),
    );
    match outcome {
        Outcome::Delivered => Outcome::Delivered,
        Outcome::Refused(why) => Outcome::Refused(why.map_values(&|t| scrub(&t, &secrets))),
        Outcome::Unreachable { detail, tries } => Outcome::Unreachable {
            detail: detail.map_values(&|t| scrub(&t, &secrets)),
            tries,
        },
    }
}

/// The first `max` bytes of a robot's reply, on a character boundary, for messages.
pub fn excerpt(body: &str, max: usize) -> String {
    let body = body.trim();
    if body.len() <= max {
        return body.to_string();
    }
    let mut end = max;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &body[..end])
}

/// A JSON reply's error code and message under the names a vendor uses
/// (`errcode`/`errmsg`, `code`/`msg`), or `None` when the body is not such JSON.
pub(crate) fn json_code(body: &str, code: &str, message: &str) -> Option<(i64, String)> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = value.get(code)?.as_i64()?;
    let message = value
        .get(message)
        .and_then(|m| m.as_str())
        .unwrap_or_default()
        .to_string();
    Some((code, message))
}

/// The verdict on an HTTP status that carries no vendor code: 2xx is accepted, 429 and
/// 5xx are busy, anything else is a refusal.
pub(crate) fn by_status(status: u16, body: &str) -> Verdict {
    match status {
        200..=299 => Verdict::Accepted,
        429 | 500..=599 => Verdict::Busy(http_status(status, body)),
        _ => Verdict::Refused(http_status(status, body)),
    }
}

/// An HTTP status and the start of the reply's body (the robot's own words).
pub(crate) fn http_status(status: u16, body: &str) -> Msg {
    let said = excerpt(body, 300);
    if said.is_empty() {
        Msg::RobotHttpStatus {
            status: status.to_string(),
        }
    } else {
        Msg::RobotHttpSaid {
            status: status.to_string(),
            said,
        }
    }
}

/// A vendor's error code (under `key`: `errcode`, `code`) and its own message.
pub(crate) fn coded(key: &str, code: i64, message: String) -> Msg {
    Msg::RobotCode {
        key: key.into(),
        code: code.to_string(),
        said: message,
    }
}

/// A 2xx reply without the vendor's code field `key`: the robot did not say it posted.
pub(crate) fn no_code(status: u16, key: &str, body: &str) -> Msg {
    Msg::RobotNoCode {
        status: status.to_string(),
        key: key.into(),
        said: excerpt(body, 300),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn robot(text: &str) -> Result<Robot, String> {
        #[derive(Deserialize)]
        struct One {
            notify: Vec<Robot>,
        }
        toml::from_str::<One>(text)
            .map(|mut one| one.notify.remove(0))
            .map_err(|e| crate::serde_errors::explain(e.message()).render(crate::i18n::Lang::En))
    }

    #[test]
    fn robots_are_checked_when_read() {
        let ok = robot(
            "[[notify]]\nrobot = \"dingtalk\"\nurl = \"https://oapi.dingtalk.com/robot/send?access_token=abc123\"\nsecret_env = \"DINGTALK_SECRET\"\n",
        )
        .unwrap();
        assert_eq!(ok.kind, RobotKind::Dingtalk);
        assert_eq!(ok.secret_env.as_deref(), Some("DINGTALK_SECRET"));
        let err = robot("[[notify]]\nrobot = \"wecom\"\nurl = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k\"\nsecret_env = \"X\"\n").unwrap_err();
        assert!(err.contains("wecom robots are not signed"), "{err}");
        let err = robot(
            "[[notify]]\nrobot = \"slack\"\nurl = \"http://hooks.slack.com/services/T/B/sekrit\"\n",
        )
        .unwrap_err();
        assert!(err.contains("must use https"), "{err}");
        assert!(!err.contains("sekrit"), "{err}");
        let err = robot("[[notify]]\nrobot = \"feishu\"\n").unwrap_err();
        assert!(err.contains("is required"), "{err}");
        let err = robot("[[notify]]\nrobot = \"feishu\"\nurl_env = \"A-B\"\n").unwrap_err();
        assert!(err.contains("`A-B` is not one"), "{err}");
        let err = robot("[[notify]]\nrobot = \"teams\"\nurl = \"https://x\"\n").unwrap_err();
        assert!(err.contains("unknown variant `teams`"), "{err}");
        let err = robot("[[notify]]\nrobot = \"slack\"\nurl = \"https://x/y\"\ntoken = \"t\"\n")
            .unwrap_err();
        assert!(err.contains("unknown field `token`"), "{err}");
        assert!(robot("[[notify]]\nrobot = \"slack\"\nurl = \"http://127.0.0.1:9/x\"\n").is_ok());
    }

    #[test]
    fn shown_urls_keep_no_token() {
        for (url, shown) in [
            (
                "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-token",
                "https://open.feishu.cn/open-apis/bot/v2/hook/…",
            ),
            (
                "https://oapi.dingtalk.com/robot/send?access_token=tok",
                "https://oapi.dingtalk.com/robot/…",
            ),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=tok",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/…",
            ),
            (
                "https://hooks.slack.com/services/T000/B000/XXXXtoken",
                "https://hooks.slack.com/services/T000/B000/…",
            ),
            ("http://user:pw@127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ] {
            assert_eq!(shown_url(&Url::parse(url).unwrap()), shown, "{url}");
        }
    }

    #[test]
    fn scrubbing_removes_tokens_and_secrets() {
        let url = Url::parse("https://oapi.dingtalk.com/robot/send?access_token=tok123").unwrap();
        let secrets = secrets_of(&url, Some("SECabcdef"));
        let text = scrub(
            "bad token tok123 at https://oapi.dingtalk.com/robot/send?access_token=tok123 with SECabcdef",
            &secrets,
        );
        assert!(
            !text.contains("tok123") && !text.contains("SECabcdef"),
            "{text}"
        );
    }

    #[test]
    fn excerpts_cut_on_a_character() {
        assert_eq!(excerpt("错误错误", 4), "错…");
        assert_eq!(excerpt(" ok ", 10), "ok");
    }
}
