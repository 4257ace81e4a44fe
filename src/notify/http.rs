//! Carrying a robot's request: HTTPS (rustls, the Mozilla roots compiled in) or plain
//! HTTP to this machine, bounded in time, retried when trying again can help (a refused
//! or failed connection, a 5xx, a rate limit) and never when the robot said no. No
//! redirects are followed: a webhook that moved is a configuration to fix.

use std::time::Duration;

use ureq::{Agent, Proxy, ProxyProtocol};

use super::{Outcome, Request, Verdict};
use crate::messages::Msg;

/// How long to wait for a connection (DNS, TCP, TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one try may take in all.
pub const TRY_TIMEOUT: Duration = Duration::from_secs(15);
/// Tries per robot.
pub const ATTEMPTS: u32 = 3;
/// The wait before the second try; it doubles before each further one.
pub const BACKOFF: Duration = Duration::from_millis(500);
/// The longest a rate limit's `Retry-After` is honoured for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// The most of a reply that is read.
const MAX_REPLY_BYTES: u64 = 64 * 1024;

/// A proxy to reach the robots through, as `HTTPS_PROXY` / `NO_PROXY` give it.
#[derive(Clone, Debug)]
pub struct ProxySetting {
    /// The variable it came from, for messages.
    pub var: &'static str,
    pub url: String,
    pub no_proxy: Option<String>,
}

pub struct Transport {
    agent: Agent,
}

impl Transport {
    /// A transport through `proxy`, if any. The error is the reason a proxy setting is
    /// unusable (never its password).
    pub fn new(proxy: Option<&ProxySetting>) -> Result<Transport, Box<Msg>> {
        let proxy = proxy.map(build_proxy).transpose()?;
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(proxy)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(TRY_TIMEOUT))
            .user_agent(concat!("shipgate/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Transport {
            agent: config.new_agent(),
        })
    }

    /// Posts the request `build` makes (once per try, so a signature is always fresh)
    /// and judges each reply with `judge`.
    pub fn post(
        &self,
        build: impl Fn() -> Request,
        judge: impl Fn(u16, &str) -> Verdict,
    ) -> Outcome {
        let mut last = Msg::TransportNotSent;
        for attempt in 0..ATTEMPTS {
            let request = build();
            let mut wait = BACKOFF * 2u32.pow(attempt);
            let body = request.body.to_string();
            let sent = self
                .agent
                .post(request.url.as_str())
                .header("content-type", "application/json; charset=utf-8")
                .send(body.as_str());
            match sent {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER));
                    let body = response
                        .body_mut()
                        .with_config()
                        .limit(MAX_REPLY_BYTES)
                        .read_to_string()
                        .unwrap_or_default();
                    match judge(status, &body) {
                        Verdict::Accepted => return Outcome::Delivered,
                        Verdict::Refused(why) => return Outcome::Refused(why),
                        Verdict::Busy(why) => {
                            last = why;
                            if let Some(after) = retry_after {
                                wait = after;
                            }
                        }
                    }
                }
                Err(err) => {
                    last = describe(&err);
                    if !worth_retrying(&err) {
                        return Outcome::Unreachable {
                            detail: last,
                            tries: attempt + 1,
                        };
                    }
                }
            }
            if attempt + 1 < ATTEMPTS {
                std::thread::sleep(wait);
            }
        }
        Outcome::Unreachable {
            detail: last,
            tries: ATTEMPTS,
        }
    }
}

/// Errors of reaching the robot, where another try may get through. A reply that
/// started and broke off is not retried: the robot may have posted the message.
fn worth_retrying(err: &ureq::Error) -> bool {
    use std::io::ErrorKind as K;
    match err {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => true,
        ureq::Error::Timeout(t) => matches!(t, ureq::Timeout::Resolve | ureq::Timeout::Connect),
        ureq::Error::Io(e) => matches!(
            e.kind(),
            K::ConnectionRefused | K::ConnectionReset | K::ConnectionAborted | K::NotConnected
        ),
        _ => false,
    }
}

/// A transport error in words that never carry the request's URL (ureq's `BadUri` and
/// some others would print it).
fn describe(err: &ureq::Error) -> Msg {
    match err {
        ureq::Error::Timeout(t) => Msg::TransportTimeout {
            what: format!("{t:?}"),
        },
        ureq::Error::HostNotFound => Msg::TransportHostNotFound,
        ureq::Error::ConnectionFailed => Msg::TransportConnectionFailed,
        ureq::Error::Io(e) => Msg::TransportIo {
            detail: e.to_string(),
        },
        ureq::Error::Tls(what) => Msg::TransportTls {
            detail: what.to_string(),
        },
        ureq::Error::Rustls(e) => Msg::TransportTls {
            detail: e.to_string(),
        },
        ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => Msg::TransportRedirect,
        ureq::Error::Protocol(e) => Msg::TransportProtocol {
            detail: e.to_string(),
        },
        ureq::Error::InvalidProxyUrl => Msg::TransportProxyUrl,
        ureq::Error::ConnectProxyFailed(why) => Msg::TransportProxyRefused {
            detail: why.to_string(),
        },
        _ => Msg::TransportNotSent,
    }
}

/// The ureq proxy for a setting: `http://` or `https://` (a CONNECT proxy), with an
/// optional user and password and the `NO_PROXY` host list.
fn build_proxy(setting: &ProxySetting) -> Result<Proxy, Box<Msg>> {
    let text = setting.url.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| Msg::ProxyNotUrl {
        var: setting.var.into(),
        detail: e.to_string(),
    })?;
    let protocol = match url.scheme() {
        "http" => ProxyProtocol::Http,
        "https" => ProxyProtocol::Https,
        other => {
            return Err(Box::new(Msg::ProxyScheme {
                var: setting.var.into(),
                scheme: other.into(),
            }))
        }
    };
    let host = url.host_str().ok_or_else(|| Msg::ProxyNoHost {
        var: setting.var.into(),
    })?;
    let mut builder = Proxy::builder(protocol).host(host);
    if let Some(port) = url.port() {
        builder = builder.port(port);
    }
    if !url.username().is_empty() {
        builder = builder.username(&decode(url.username()));
    }
    if let Some(password) = url.password() {
        builder = builder.password(&decode(password));
    }
    // This machine is never reached through a proxy (plain http goes nowhere else).
    for entry in ["localhost", "127.*", "::1", "[::1]"] {
        builder = builder.no_proxy(entry);
    }
    for entry in setting.no_proxy.iter().flat_map(|n| n.split(',')) {
        builder = builder.no_proxy(entry.trim());
    }
    builder.build().map_err(|_| {
        Box::new(Msg::ProxyUnusable {
            var: setting.var.into(),
        })
    })
}

/// A URL's user or password as written (`%40` → `@`); the builder encodes it again.
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(url: &str) -> ProxySetting {
        ProxySetting {
            var: "HTTPS_PROXY",
            url: url.into(),
            no_proxy: Some("intranet.example, .corp".into()),
        }
    }

    #[test]
    fn proxies_from_the_environment() {
        let proxy = build_proxy(&setting("http://ops:p%40ss@proxy.corp:3128")).unwrap();
        assert_eq!(proxy.protocol(), ProxyProtocol::Http);
        assert_eq!((proxy.host(), proxy.port()), ("proxy.corp", 3128));
        assert_eq!(
            (proxy.username(), proxy.password()),
            (Some("ops"), Some("p@ss"))
        );
        let no_proxy = |url: &str| proxy.is_no_proxy(&url.parse::<ureq::http::Uri>().unwrap());
        assert!(no_proxy("http://127.0.0.1:9/x") && no_proxy("http://localhost/x"));
        assert!(no_proxy("https://intranet.example/x") && no_proxy("https://chat.corp/x"));
        assert!(!no_proxy("https://open.feishu.cn/x"));
        let proxy = build_proxy(&setting("proxy.corp:8080")).unwrap();
        assert_eq!((proxy.host(), proxy.port()), ("proxy.corp", 8080));
        let err = build_proxy(&setting("socks5://u:hidden@proxy.corp:1080"))
            .unwrap_err()
            .render(crate::i18n::Lang::En);
        assert!(
            err.contains("`HTTPS_PROXY` names a `socks5:` proxy"),
            "{err}"
        );
        assert!(!err.contains("hidden"), "{err}");
    }
}
