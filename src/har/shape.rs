//! The parts of an HTTP Archive (HAR 1.2, as browsers' DevTools save it) that
//! hold Engine.IO traffic. Everything else in the file is skipped unread.
//!
//! - Every browser: `log.entries[]` with `startedDateTime`, `time` (ms),
//!   `request` (`method`, `url`, `headers`, `postData.text`) and `response`
//!   (`status`, `headers`, `content.text`, `content.encoding` = `base64` for
//!   bytes, `content.comment` when the body was left out).
//! - Chrome (and Edge, and tools that copy it): a WebSocket is an entry with
//!   `_resourceType: "websocket"` and `_webSocketMessages[]`, each `type`
//!   (`send` | `receive`), `time` (seconds since the epoch), `opcode` (1 text,
//!   2 binary, whose `data` is base64) and `data`.
//! - Firefox: a WebSocket is an entry answered `101` and nothing else: its
//!   messages are not saved. `startedDateTime` carries the local offset
//!   (`2026-05-29T16:10:30.424+02:00`).

use std::borrow::Cow;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct HarFile<'a> {
    #[serde(borrow)]
    pub log: Log<'a>,
}

#[derive(Debug, Deserialize)]
pub struct Log<'a> {
    #[serde(default)]
    pub creator: Option<Creator>,
    #[serde(borrow)]
    pub entries: Vec<Entry<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Creator {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, Deserialize)]
pub struct Entry<'a> {
    #[serde(rename = "startedDateTime")]
    pub started: String,
    /// Milliseconds from the request to the end of the answer (-1 or absent: unknown).
    #[serde(default)]
    pub time: Option<f64>,
    #[serde(borrow)]
    pub request: Request<'a>,
    #[serde(borrow, default)]
    pub response: Option<Response<'a>>,
    #[serde(rename = "_resourceType", default)]
    pub resource_type: Option<String>,
    #[serde(rename = "_webSocketMessages", borrow, default)]
    pub websocket_messages: Option<Vec<WsMessage<'a>>>,
}

#[derive(Debug, Deserialize)]
pub struct Request<'a> {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(rename = "postData", borrow, default)]
    pub post_data: Option<Body<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Response<'a> {
    #[serde(default)]
    pub status: i64,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(borrow, default)]
    pub content: Option<Body<'a>>,
}

/// A request's `postData` or a response's `content`.
#[derive(Debug, Deserialize)]
pub struct Body<'a> {
    #[serde(borrow, default)]
    pub text: Option<Cow<'a, str>>,
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Header {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Deserialize)]
pub struct WsMessage<'a> {
    #[serde(rename = "type")]
    pub kind: String,
    /// Seconds since the epoch.
    pub time: f64,
    pub opcode: u8,
    #[serde(borrow, default)]
    pub data: Cow<'a, str>,
}

/// Whether `bytes` look like a HAR file rather than NDJSON records: the first
/// key of the first object is `log` (records begin with `seq`).
pub fn looks_like_har(bytes: &[u8]) -> bool {
    let rest = trim_start(bytes);
    let Some(rest) = rest.strip_prefix(b"{") else {
        return false;
    };
    trim_start(rest).starts_with(b"\"log\"")
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .position(|b| !b" \t\r\n".contains(b))
        .unwrap_or(bytes.len());
    // A byte-order mark some editors write.
    let rest = &bytes[skip..];
    rest.strip_prefix("\u{feff}".as_bytes()).unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hars_are_told_from_recordings() {
        assert!(looks_like_har(b"{\n  \"log\": {\"entries\": []}}"));
        assert!(looks_like_har("\u{feff}{\"log\":{}}".as_bytes()));
        assert!(!looks_like_har(
            br#"{"seq":0,"time":"2026-01-01T00:00:00Z","kind":"state"}"#
        ));
        assert!(!looks_like_har(b""));
        assert!(!looks_like_har(b"[]"));
    }
}
