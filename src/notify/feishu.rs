//! Feishu / Lark custom bot (自定义机器人): `{"msg_type":"text","content":{"text":...}}`,
//! with signature verification (签名校验) when the bot has a secret: `timestamp` (seconds,
//! as a string) and `sign` = Base64(HMAC-SHA256(key = "timestamp\nsecret", message = ""))
//! in the body. The reply is JSON; `code` 0 is success (older replies say `StatusCode`).

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use url::Url;

use super::{by_status, coded, json_code, no_code, Request, Verdict};

/// The signature for `timestamp` (seconds) and `secret`, as Feishu defines it.
pub fn sign(timestamp: i64, secret: &str) -> String {
    let key = format!("{timestamp}\n{secret}");
    let mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub fn request(url: &Url, secret: Option<&str>, now: jiff::Timestamp, text: &str) -> Request {
    let mut body = json!({
        "msg_type": "text",
        "content": { "text": text },
    });
    if let Some(secret) = secret {
        let timestamp = now.as_second();
        body["timestamp"] = json!(timestamp.to_string());
        body["sign"] = json!(sign(timestamp, secret));
    }
    Request {
        url: url.clone(),
        body,
    }
}

pub fn verdict(status: u16, body: &str) -> Verdict {
    let said =
        json_code(body, "code", "msg").or_else(|| json_code(body, "StatusCode", "StatusMessage"));
    match said {
        Some((0, _)) if status < 300 => Verdict::Accepted,
        // Feishu's rate limits (11232 "frequency limited", 9499 "too many request").
        Some((code @ (11232 | 9499), message)) => Verdict::Busy(coded("code", code, message)),
        Some((code, message)) if status < 500 && status != 429 => {
            Verdict::Refused(coded("code", code, message))
        }
        _ if (200..300).contains(&status) => Verdict::Refused(no_code(status, "code", body)),
        _ => by_status(status, body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(
            verdict(200, r#"{"code":0,"data":{},"msg":"success"}"#),
            Verdict::Accepted
        );
        assert_eq!(
            verdict(200, r#"{"StatusCode":0,"StatusMessage":"success"}"#),
            Verdict::Accepted
        );
        assert_eq!(
            verdict(
                200,
                r#"{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}"#
            ),
            Verdict::Refused(coded(
                "code",
                19021,
                "sign match fail or timestamp is not within one hour from current time".into()
            ))
        );
        assert!(matches!(verdict(502, "bad gateway"), Verdict::Busy(_)));
        assert!(matches!(
            verdict(200, r#"{"code":11232,"msg":"frequency limited"}"#),
            Verdict::Busy(_)
        ));
    }

    #[test]
    fn unsigned_without_a_secret() {
        let url = Url::parse("https://open.feishu.cn/open-apis/bot/v2/hook/x").unwrap();
        let r = request(&url, None, jiff::Timestamp::UNIX_EPOCH, "hi");
        assert_eq!(
            r.body,
            json!({"msg_type": "text", "content": {"text": "hi"}})
        );
    }
}
