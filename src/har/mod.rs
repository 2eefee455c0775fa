//! Browser HAR files as records. A HAR saved from DevTools holds a page's
//! Engine.IO long-polling requests and answers as entries, and (Chrome) its
//! WebSocket messages; [`read`] turns them into the records every front end
//! takes, one connection per Engine.IO session (`conn` is its sid), decoded by
//! the tap's per-session decoder, with the project's one codec. No IO: the
//! caller reads the file.

pub mod shape;

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use serde_json::json;

use crate::proto::eio::{EioVersion, Frame, Handshake};
use crate::proto::frame::Parser;
use crate::record::{Body, Direction, HttpRecord, Record, Timestamp, Transport};
use crate::tap::session::{Client, Session, state};
use crate::tap::wsframe::WsMessage;
use shape::{Entry, HarFile};

pub use shape::looks_like_har;

/// The largest HAR read (it is parsed whole).
pub const MAX_HAR_BYTES: usize = 1 << 30;

/// What a HAR held.
#[derive(Debug)]
pub struct Loaded {
    pub records: Vec<Record>,
    /// The browser or tool that wrote it (`log.creator`), e.g. `WebInspector 537.36`.
    pub creator: String,
    pub sessions: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HarError {
    #[error("not a HAR file: {0}")]
    NotHar(String),
    #[error("no Socket.IO traffic in the HAR: {0}")]
    NoSocketIo(String),
}

/// What an entry's URL says about Engine.IO.
#[derive(Debug, PartialEq, Eq)]
struct EioUrl {
    eio: EioVersion,
    transport: Transport,
    sid: Option<String>,
}

/// `Some` for an Engine.IO request (`EIO=` and `transport=` in the query): its
/// revision, transport and sid, or why sio cannot read it.
fn engine_io(url: &str) -> Option<Result<EioUrl, String>> {
    let parsed = url::Url::parse(url).ok()?;
    let mut eio = None;
    let mut transport = None;
    let mut sid = None;
    for (k, v) in parsed.query_pairs() {
        match &*k {
            "EIO" => eio = Some(v.into_owned()),
            "transport" => transport = Some(v.into_owned()),
            "sid" => sid = Some(v.into_owned()).filter(|s| !s.is_empty()),
            _ => {}
        }
    }
    let (eio, transport) = (eio?, transport?);
    let eio = match eio.as_str() {
        "3" => EioVersion::V3,
        "4" => EioVersion::V4,
        other => return Some(Err(format!("EIO={other} is no Engine.IO revision sio reads (3 or 4)"))),
    };
    let transport = match transport.as_str() {
        "polling" => Transport::Polling,
        "websocket" => Transport::Websocket,
        other => return Some(Err(format!("transport={other} is neither polling nor websocket"))),
    };
    Some(Ok(EioUrl { eio, transport, sid }))
}

/// A HAR time: RFC 3339 with any fraction and a `Z` or `±HH:MM` offset.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let (clock, offset_secs) = if let Some(rest) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        (rest, 0i64)
    } else {
        let at = s.len().checked_sub(6)?;
        let (rest, offset) = s.split_at(at);
        let sign = match offset.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let (h, m) = offset.get(1..)?.split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        (rest, sign * (h * 3600 + m * 60))
    };
    // Seconds, and up to six digits of the fraction, as Timestamp reads them.
    let (whole, fraction) = match clock.split_once('.') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => (w, &f[..f.len().min(6)]),
        Some(_) => return None,
        None => (clock, ""),
    };
    let text = if fraction.is_empty() {
        format!("{whole}Z")
    } else {
        format!("{whole}.{fraction}Z")
    };
    let local: Timestamp = text.parse().ok()?;
    let micros = i64::try_from(local.micros).ok()? - offset_secs * 1_000_000;
    Some(Timestamp {
        micros: u64::try_from(micros).ok()?,
    })
}

fn seconds_to_time(seconds: f64) -> Option<Timestamp> {
    (seconds.is_finite() && seconds >= 0.0).then(|| Timestamp {
        micros: (seconds * 1e6).round() as u64,
    })
}

/// What happened, in the order of time.
enum What<'a> {
    Polling(Direction, Cow<'a, [u8]>),
    WebSocket(Direction, WsMessage),
    Http(HttpRecord),
    /// Something the HAR does not hold, or holds broken: a state record.
    Note(&'static str, String),
}

struct Event<'a> {
    at: Timestamp,
    session: usize,
    what: What<'a>,
}

struct Known {
    name: String,
    eio: EioVersion,
    transport: Transport,
    user_agent: Option<String>,
    url: String,
}

/// The bytes of a `postData` or `content`: `None` when the HAR left the body out.
fn body_bytes<'a>(body: Option<&'a shape::Body<'a>>) -> Option<Result<Cow<'a, [u8]>, String>> {
    let body = body?;
    let text = body.text.as_deref()?;
    Some(match body.encoding.as_deref() {
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(Cow::Owned)
            .map_err(|e| format!("the body says base64 but is not: {e}")),
        _ => Ok(Cow::Borrowed(text.as_bytes())),
    })
}

fn header(headers: &[shape::Header], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.clone())
}

fn pairs(headers: &[shape::Header]) -> Vec<(String, String)> {
    headers.iter().map(|h| (h.name.clone(), h.value.clone())).collect()
}

/// The sid an open packet in `frame` announces (a handshake answer).
fn handshake_sid(frame: &[u8], eio: EioVersion) -> Option<String> {
    let records = crate::proto::payload::split(frame, eio).records;
    records.into_iter().find_map(|f| match f {
        Frame::Text(t) => t
            .strip_prefix('0')
            .and_then(|h| Handshake::parse(h).ok())
            .map(|h| h.sid),
        Frame::Binary(_) => None,
    })
}

/// Reads the Engine.IO traffic of a HAR file's bytes. `parser`: None notices
/// msgpack from binary frames, as the tap does.
pub fn read(bytes: &[u8], parser: Option<Parser>) -> Result<Loaded, HarError> {
    if bytes.len() > MAX_HAR_BYTES {
        return Err(HarError::NotHar(format!(
            "{} bytes, more than the {} MiB sio reads",
            bytes.len(),
            MAX_HAR_BYTES >> 20
        )));
    }
    let file: HarFile<'_> = serde_json::from_slice(bytes).map_err(|e| HarError::NotHar(e.to_string()))?;
    let creator = file
        .log
        .creator
        .as_ref()
        .map(|c| format!("{} {}", c.name, c.version).trim().to_string())
        .unwrap_or_default();
    let entries = &file.log.entries;
    let mut sessions: Vec<Known> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut unnamed = 0usize;
    let mut unreadable = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let number = index + 1;
        let eio_url = match engine_io(&entry.request.url) {
            None => continue,
            Some(Ok(u)) => u,
            Some(Err(why)) => {
                unreadable.push(format!("entry {number}: {why}"));
                continue;
            }
        };
        let started = parse_time(&entry.started).ok_or_else(|| {
            HarError::NotHar(format!(
                "entry {number}: startedDateTime {:?} is not an RFC 3339 time",
                entry.started
            ))
        })?;
        let name = eio_url
            .sid
            .clone()
            .or_else(|| first_sid(entry, eio_url.eio, eio_url.transport))
            .unwrap_or_else(|| {
                unnamed += 1;
                format!("c{unnamed}")
            });
        let session = *by_name.entry(name.clone()).or_insert_with(|| {
            sessions.push(Known {
                name,
                eio: eio_url.eio,
                transport: eio_url.transport,
                user_agent: header(&entry.request.headers, "user-agent"),
                url: entry.request.url.clone(),
            });
            sessions.len() - 1
        });
        entry_events(entry, number, started, session, eio_url.transport, &mut events);
    }
    if sessions.is_empty() {
        let why = if !unreadable.is_empty() {
            unreadable.join("; ")
        } else if entries.is_empty() {
            "it holds no entries".to_string()
        } else {
            format!(
                "none of its {} entries is an Engine.IO request (a URL with EIO= and transport=)",
                entries.len()
            )
        };
        return Err(HarError::NoSocketIo(why));
    }
    // Stable: what happened at one instant keeps the order the HAR gave it.
    events.sort_by_key(|e| e.at);
    let mut decoders: Vec<Session> = sessions
        .iter()
        .map(|k| {
            let client = Client {
                peer: "the browser".into(),
                user_agent: k.user_agent.clone(),
            };
            Session::new(k.name.clone(), k.eio, parser, k.transport, client)
        })
        .collect();
    let mut announced = vec![false; sessions.len()];
    let mut records = Vec::with_capacity(events.len() + sessions.len());
    let push = |records: &mut Vec<Record>, at: Timestamp, conn: &str, body: Body| {
        records.push(Record {
            seq: records.len() as u64,
            time: at,
            conn: Some(conn.to_string()),
            body,
        });
    };
    for note in &unreadable {
        records.push(Record {
            seq: records.len() as u64,
            time: events.first().map_or(Timestamp { micros: 0 }, |e| e.at),
            conn: None,
            body: state("har entry skipped", Some(note.clone()), json!({})),
        });
    }
    for event in events {
        let known = &sessions[event.session];
        if !announced[event.session] {
            announced[event.session] = true;
            let ua = known.user_agent.as_deref().unwrap_or("no user agent");
            let body = state(
                "session",
                Some(format!(
                    "{} from the HAR ({ua}), Engine.IO {}, over {}",
                    known.name,
                    known.eio.number(),
                    known.transport
                )),
                json!({
                    "sid": known.name,
                    "user_agent": known.user_agent,
                    "eio": known.eio.number(),
                    "transport": known.transport.to_string(),
                    "url": known.url,
                    "source": "har",
                }),
            );
            push(&mut records, event.at, &known.name, body);
        }
        let decoder = &mut decoders[event.session];
        let bodies = match event.what {
            What::Polling(dir, bytes) => decoder.polling(dir, &bytes),
            What::WebSocket(dir, message) => decoder.websocket(dir, message),
            What::Http(http) => vec![Body::Http(http)],
            What::Note(name, detail) => vec![state(name, Some(detail), json!({}))],
        };
        for body in bodies {
            push(&mut records, event.at, &known.name, body);
        }
    }
    Ok(Loaded {
        records,
        creator,
        sessions: sessions.len(),
    })
}

/// The sid of a handshake entry (no `sid=` in its URL): from the open packet it answered.
fn first_sid(entry: &Entry<'_>, eio: EioVersion, transport: Transport) -> Option<String> {
    match transport {
        Transport::Polling => {
            let content = entry.response.as_ref().and_then(|r| r.content.as_ref());
            let bytes = body_bytes(content)?.ok()?;
            handshake_sid(&bytes, eio)
        }
        Transport::Websocket => entry
            .websocket_messages
            .as_ref()?
            .iter()
            .find(|m| m.kind == "receive" && m.opcode == 1)
            .and_then(|m| handshake_sid(m.data.as_bytes(), eio)),
    }
}

/// The events of one Engine.IO entry.
fn entry_events<'a>(
    entry: &'a Entry<'a>,
    number: usize,
    started: Timestamp,
    session: usize,
    transport: Transport,
    events: &mut Vec<Event<'a>>,
) {
    let millis = entry.time.filter(|t| t.is_finite() && *t >= 0.0);
    let ended = Timestamp {
        micros: started.micros + millis.map_or(0, |m| (m * 1000.0).round() as u64),
    };
    let response = entry.response.as_ref();
    let status = response.map_or(0, |r| r.status);
    let content = response.and_then(|r| r.content.as_ref());
    let answer = body_bytes(content);
    let http = HttpRecord {
        method: entry.request.method.clone(),
        url: entry.request.url.clone(),
        status: u16::try_from(status).ok().filter(|s| *s > 0),
        request_headers: pairs(&entry.request.headers),
        response_headers: response.map(|r| pairs(&r.headers)).unwrap_or_default(),
        body_length: match &answer {
            Some(Ok(b)) => Some(b.len()),
            _ => None,
        },
        millis,
        error: (status <= 0).then(|| "no answer in the HAR (the request failed or was cut)".to_string()),
    };
    let mut push = |at: Timestamp, what: What<'a>| events.push(Event { at, session, what });
    let left_out = |what: &str, body: Option<&shape::Body<'_>>| {
        let why = body
            .and_then(|b| b.comment.clone())
            .unwrap_or_else(|| "the HAR was saved without it".into());
        format!(
            "entry {number} ({} {}): {what} not in the HAR: {why}",
            entry.request.method, entry.request.url
        )
    };
    match transport {
        Transport::Websocket => {
            push(started, What::Http(http));
            let Some(messages) = &entry.websocket_messages else {
                push(
                    started,
                    What::Note(
                        "har gap",
                        format!(
                            "entry {number}: the WebSocket's messages are not in the HAR \
                             (Firefox does not save them; Chrome's DevTools do)"
                        ),
                    ),
                );
                return;
            };
            for (i, m) in messages.iter().enumerate() {
                let at = seconds_to_time(m.time).unwrap_or(started);
                match websocket_message(m) {
                    Ok(what) => push(at, what),
                    Err(why) => push(
                        at,
                        What::Note("har malformed", format!("entry {number}, message {}: {why}", i + 1)),
                    ),
                }
            }
        }
        Transport::Polling => {
            let is_post = entry.request.method.eq_ignore_ascii_case("POST");
            if is_post {
                match body_bytes(entry.request.post_data.as_ref()) {
                    Some(Ok(bytes)) => push(started, What::Polling(Direction::Out, bytes)),
                    Some(Err(why)) => push(started, What::Note("har malformed", format!("entry {number}: {why}"))),
                    None => push(
                        started,
                        What::Note(
                            "har gap",
                            left_out("the request body", entry.request.post_data.as_ref()),
                        ),
                    ),
                }
            }
            push(ended, What::Http(http));
            if is_post || status <= 0 {
                return;
            }
            match answer {
                Some(Ok(bytes)) if status == 200 => push(ended, What::Polling(Direction::In, bytes)),
                Some(Ok(bytes)) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let shown: String = text.chars().take(200).collect();
                    push(
                        ended,
                        What::Note("request refused", format!("entry {number}: answered {status} {shown}")),
                    );
                }
                Some(Err(why)) => push(ended, What::Note("har malformed", format!("entry {number}: {why}"))),
                None => push(ended, What::Note("har gap", left_out("the answer's body", content))),
            }
        }
    }
}

fn websocket_message(m: &shape::WsMessage<'_>) -> Result<What<'static>, String> {
    let dir = match m.kind.as_str() {
        "send" => Direction::Out,
        "receive" => Direction::In,
        other => return Err(format!("type {other:?} is neither send nor receive")),
    };
    let binary = || {
        base64::engine::general_purpose::STANDARD
            .decode(m.data.trim())
            .map_err(|e| format!("opcode {} data is not base64: {e}", m.opcode))
    };
    let message = match m.opcode {
        1 => WsMessage::Text(m.data.as_bytes().to_vec()),
        2 => WsMessage::Binary(binary()?),
        8 => WsMessage::Close {
            code: None,
            reason: m.data.to_string(),
        },
        9 => WsMessage::Ping(binary().unwrap_or_else(|_| m.data.as_bytes().to_vec())),
        10 => WsMessage::Pong(binary().unwrap_or_else(|_| m.data.as_bytes().to_vec())),
        other => return Err(format!("opcode {other} is no WebSocket message")),
    };
    Ok(What::WebSocket(dir, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn har_times_with_offsets() {
        let utc = parse_time("2026-05-29T14:10:30.424Z").expect("utc");
        assert_eq!(parse_time("2026-05-29T16:10:30.424+02:00"), Some(utc));
        assert_eq!(parse_time("2026-05-29T09:10:30.424-05:00"), Some(utc));
        assert_eq!(
            parse_time("2026-05-29T14:10:30.424123456Z").map(|t| t.micros - utc.micros),
            Some(123)
        );
        assert_eq!(
            parse_time("2026-05-29T14:10:30Z").map(|t| utc.micros - t.micros),
            Some(424_000)
        );
        for bad in ["", "yesterday", "2026-05-29T14:10:30.Z", "2026-05-29T14:10:30+2"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn engine_io_urls() {
        assert_eq!(
            engine_io("http://h/socket.io/?EIO=4&transport=polling&t=x&sid=abc"),
            Some(Ok(EioUrl {
                eio: EioVersion::V4,
                transport: Transport::Polling,
                sid: Some("abc".into())
            }))
        );
        assert_eq!(
            engine_io("ws://h/socket.io/?EIO=3&transport=websocket"),
            Some(Ok(EioUrl {
                eio: EioVersion::V3,
                transport: Transport::Websocket,
                sid: None
            }))
        );
        assert_eq!(engine_io("http://h/app.js"), None);
        assert!(matches!(engine_io("http://h/?EIO=9&transport=polling"), Some(Err(_))));
        assert!(matches!(engine_io("http://h/?EIO=4&transport=sse"), Some(Err(_))));
    }
}
