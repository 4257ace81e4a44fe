//! Slack incoming webhook: `{"text": ...}` to the webhook URL (its last path segment is
//! the credential; no signing). Success is HTTP 200 with the body `ok`; a refusal is a
//! 4xx with a short reason (`invalid_payload`, `no_service`, `channel_is_archived`, ...).
//! Slack reads `&`, `<` and `>` as markup, so they are escaped as its docs ask.

use serde_json::json;
use url::Url;

use super::{by_status, http_status, Request, Verdict};

/// Text with Slack's three control characters escaped (`&amp;`, `&lt;`, `&gt;`).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn request(url: &Url, text: &str) -> Request {
    Request {
        url: url.clone(),
        body: json!({ "text": escape(text) }),
    }
}

pub fn verdict(status: u16, body: &str) -> Verdict {
    match status {
        200..=299 if body.trim() == "ok" || said_ok(body) => Verdict::Accepted,
        200..=299 => Verdict::Refused(http_status(status, body)),
        _ => by_status(status, body),
    }
}

/// Workflow webhooks answer `{"ok": true}` rather than `ok`.
fn said_ok(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body)
        .is_ok_and(|v| v.get("ok") == Some(&serde_json::Value::Bool(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(verdict(200, "ok"), Verdict::Accepted);
        assert_eq!(verdict(200, r#"{"ok":true}"#), Verdict::Accepted);
        assert!(matches!(verdict(200, ""), Verdict::Refused(_)));
        assert_eq!(
            verdict(400, "invalid_payload"),
            Verdict::Refused(http_status(400, "invalid_payload"))
        );
        assert_eq!(
            verdict(404, "no_service"),
            Verdict::Refused(http_status(404, "no_service"))
        );
        assert!(matches!(verdict(429, "rate_limited"), Verdict::Busy(_)));
        assert!(matches!(verdict(500, ""), Verdict::Busy(_)));
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("a <b> & c"), "a &lt;b&gt; &amp; c");
    }
}
