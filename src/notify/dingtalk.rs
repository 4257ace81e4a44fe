//! DingTalk custom robot (自定义机器人): `{"msgtype":"text","text":{"content":...}}`, with
//! signing (加签) when the robot has a secret: `timestamp` (milliseconds) and `sign` =
//! urlEncode(Base64(HMAC-SHA256(key = secret, message = "timestamp\nsecret"))) appended
//! to the webhook URL as query parameters. The reply is JSON; `errcode` 0 is success.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use url::Url;

use super::{by_status, coded, json_code, no_code, Request, Verdict};

/// The signature for `timestamp` (milliseconds) and `secret`, before URL encoding.
pub fn sign(timestamp: i64, secret: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub fn request(url: &Url, secret: Option<&str>, now: jiff::Timestamp, text: &str) -> Request {
    let mut url = url.clone();
    if let Some(secret) = secret {
        let timestamp = now.as_millisecond();
        // `append_pair` percent-encodes as a form does (`+` → %2B, `/` → %2F, `=` → %3D),
        // which is the urlEncode DingTalk asks for.
        url.query_pairs_mut()
            .append_pair("timestamp", &timestamp.to_string())
            .append_pair("sign", &sign(timestamp, secret));
    }
    Request {
        url,
        body: json!({
            "msgtype": "text",
            "text": { "content": text },
        }),
    }
}

pub fn verdict(status: u16, body: &str) -> Verdict {
    match json_code(body, "errcode", "errmsg") {
        Some((0, _)) if status < 300 => Verdict::Accepted,
        // DingTalk's "system busy" (-1) is worth another try.
        Some((-1, message)) => Verdict::Busy(coded("errcode", -1, message)),
        Some((code, message)) if status < 500 && status != 429 => {
            Verdict::Refused(coded("errcode", code, message))
        }
        _ if (200..300).contains(&status) => Verdict::Refused(no_code(status, "errcode", body)),
        _ => by_status(status, body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(
            verdict(200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Verdict::Accepted
        );
        assert_eq!(
            verdict(200, r#"{"errcode":310000,"errmsg":"sign not match"}"#),
            Verdict::Refused(coded("errcode", 310000, "sign not match".into()))
        );
        assert!(matches!(verdict(503, ""), Verdict::Busy(_)));
    }

    #[test]
    fn the_signature_goes_into_the_query_url_encoded() {
        let url = Url::parse("https://oapi.dingtalk.com/robot/send?access_token=t").unwrap();
        let now = jiff::Timestamp::from_millisecond(1_577_000_000_123).unwrap();
        let r = request(&url, Some("SECxyz"), now, "hi");
        let query = r.url.query().unwrap();
        assert!(
            query.starts_with("access_token=t&timestamp=1577000000123&sign="),
            "{query}"
        );
        let encoded = query.rsplit("sign=").next().unwrap();
        assert!(!encoded.contains(['+', '/', '=']), "{encoded}");
    }
}
