//! WeCom group robot (企业微信群机器人): `{"msgtype":"text","text":{"content":...}}` to the
//! webhook URL, whose `key` is the only credential (no signing). Text content is at most
//! 2048 bytes of UTF-8. The reply is JSON; `errcode` 0 is success.

use serde_json::json;
use url::Url;

use super::{by_status, coded, json_code, no_code, Request, Verdict};

pub fn request(url: &Url, text: &str) -> Request {
    Request {
        url: url.clone(),
        body: json!({
            "msgtype": "text",
            "text": { "content": text },
        }),
    }
}

pub fn verdict(status: u16, body: &str) -> Verdict {
    match json_code(body, "errcode", "errmsg") {
        Some((0, _)) if status < 300 => Verdict::Accepted,
        // 45009: the robot's rate limit (20 messages a minute); -1: system busy.
        Some((code @ (45009 | -1), message)) => Verdict::Busy(coded("errcode", code, message)),
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
            verdict(200, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#),
            Verdict::Refused(coded("errcode", 93000, "invalid webhook url".into()))
        );
        assert!(matches!(
            verdict(200, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#),
            Verdict::Busy(_)
        ));
    }
}
