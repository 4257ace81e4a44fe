//! The on-call group's chat robot in the demo: a stand-in for a WeCom group robot
//! (企业微信群机器人) on 127.0.0.1, inside the demo's own process, so `shipgate announce
//! ... --send` posts its notices over real HTTP as it would to WeCom, and nothing leaves
//! the machine. It answers as WeCom documents its webhook: `errcode` 0 for a text message
//! sent to its address and key, `93000` for another address or key, `40008` for anything
//! that is not a text message. It lives as long as the demo.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::messages::Msg;

/// The variable the demo's `.shipgate.toml` names in `url_env`: the webhook address stays
/// out of the repository, as the README advises for a robot without signing.
pub const URL_ENV: &str = "SHIPGATE_WECOM_WEBHOOK";
/// The webhook's path, as WeCom's (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send`).
const PATH: &str = "/cgi-bin/webhook/send";
/// The robot's key: the only credential a WeCom webhook has.
const KEY: &str = "order-api-oncall";
/// More than any notice (WeCom takes 2048 bytes of text): the rest is not read.
const MAX_BODY: u64 = 64 * 1024;

pub struct Robot {
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    heard: Arc<Mutex<Vec<String>>>,
    url: String,
}

impl Robot {
    /// Listens on a free port of 127.0.0.1 and answers until dropped.
    pub fn start() -> Result<Robot> {
        let failed = |detail: String| Error::new(Msg::DemoRobotFailed { detail });
        let server = tiny_http::Server::http("127.0.0.1:0").map_err(|e| failed(e.to_string()))?;
        let port = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| failed("no IP address to listen on".into()))?
            .port();
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (server, stop, heard) = (server.clone(), stop.clone(), heard.clone());
            std::thread::Builder::new()
                .name("demo-robot".into())
                .spawn(move || serve(&server, &stop, &heard))
                .map_err(|e| failed(e.to_string()))?
        };
        Ok(Robot {
            server,
            stop,
            thread: Some(thread),
            heard,
            url: format!("http://127.0.0.1:{port}{PATH}?key={KEY}"),
        })
    }

    /// The webhook address, key included (for `URL_ENV`; never printed whole).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many notices it took.
    pub fn heard(&self) -> usize {
        self.heard.lock().map(|h| h.len()).unwrap_or(0)
    }
}

impl Drop for Robot {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(server: &tiny_http::Server, stop: &AtomicBool, heard: &Mutex<Vec<String>>) {
    while !stop.load(Ordering::SeqCst) {
        // `recv` fails when unblocked at the end, or on one client's broken connection.
        let Ok(mut request) = server.recv() else {
            continue;
        };
        let mut body = String::new();
        let read = request
            .as_reader()
            .take(MAX_BODY)
            .read_to_string(&mut body)
            .is_ok();
        let post = *request.method() == tiny_http::Method::Post;
        let (errcode, errmsg) = match answer(post && read, request.url(), &body) {
            Ok(text) => {
                if let Ok(mut heard) = heard.lock() {
                    heard.push(text);
                }
                (0, "ok")
            }
            Err(refusal) => refusal,
        };
        let reply = serde_json::json!({ "errcode": errcode, "errmsg": errmsg }).to_string();
        let json = tiny_http::Header::from_bytes("Content-Type", "application/json")
            .expect("a constant, valid header");
        let _ = request.respond(tiny_http::Response::from_string(reply).with_header(json));
    }
}

/// What WeCom answers a request: the message's text, or its error code and message.
fn answer(post: bool, url: &str, body: &str) -> std::result::Result<String, (i64, &'static str)> {
    let invalid_url = (93000, "invalid webhook url");
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let keyed = query.split('&').any(|pair| pair == format!("key={KEY}"));
    if !post || path != PATH || !keyed {
        return Err(invalid_url);
    }
    let message: serde_json::Value =
        serde_json::from_str(body).map_err(|_| (40008, "invalid message type"))?;
    match (
        message["msgtype"].as_str(),
        message["text"]["content"].as_str(),
    ) {
        (Some("text"), Some(content)) if !content.trim().is_empty() => Ok(content.to_string()),
        _ => Err((40008, "invalid message type")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_answers_as_wecom_documents() {
        let url = format!("{PATH}?key={KEY}");
        let text = r#"{"msgtype":"text","text":{"content":"order-api v2.3.0"}}"#;
        assert_eq!(answer(true, &url, text), Ok("order-api v2.3.0".into()));
        assert_eq!(answer(false, &url, text).unwrap_err().0, 93000);
        assert_eq!(
            answer(true, &format!("{PATH}?key=other"), text)
                .unwrap_err()
                .0,
            93000
        );
        assert_eq!(answer(true, "/send?key=x", text).unwrap_err().0, 93000);
        let markdown = r#"{"msgtype":"markdown","markdown":{"content":"x"}}"#;
        assert_eq!(answer(true, &url, markdown).unwrap_err().0, 40008);
        assert_eq!(answer(true, &url, "not json").unwrap_err().0, 40008);
    }
}
