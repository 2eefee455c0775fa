//! The human form of a record: one line with time, direction, transport, the
//! raw frame (cut to fit) and its meaning. Server text is sanitised.

use colored::Colorize;

use super::explain_text::paint;
use super::sanitize::sanitize;
use crate::explain::{self, Tone};
use crate::proto::eio;
use crate::record::{Body, Direction, Raw, Record, Transport};

/// Longest raw frame shown before it is cut.
const RAW_WIDTH: usize = 60;

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// Whether a record belongs to the Engine.IO or transport layer (hidden unless asked).
pub fn is_engine_layer(record: &Record) -> bool {
    match &record.body {
        Body::Http(_) => true,
        Body::State(s) => matches!(s.state.as_str(), "heartbeat" | "heartbeat withheld"),
        Body::Frame(f) => {
            f.decoded.sio.is_none()
                && f.decoded.error.is_none()
                && f.decoded.attachment.is_none()
                && f.decoded
                    .eio
                    .as_ref()
                    .is_some_and(|e| e.kind != eio::PacketType::Message)
        }
    }
}

/// One line, no newline.
pub fn line(record: &Record) -> String {
    let time = record.time.clock().dimmed();
    // Several connections in one stream (`sio tap`): each line names its own.
    let time = match &record.conn {
        Some(conn) => format!("{time} {}", format!("[{}]", sanitize(conn)).cyan()),
        None => time.to_string(),
    };
    match &record.body {
        Body::Frame(f) => {
            let arrow = match f.dir {
                Some(Direction::In) => "↓",
                Some(Direction::Out) => "↑",
                None => "·",
            };
            let transport = match f.transport {
                Some(Transport::Websocket) => "ws",
                Some(Transport::Polling) => "poll",
                None => "",
            };
            let raw = match &f.raw {
                Raw::Text { text } => cut(&sanitize(text), RAW_WIDTH),
                Raw::Binary(b) => format!("<{} bytes> {}", b.0.len(), explain::hex_preview(&b.0, 8)),
            };
            let tone = explain::tone(&f.decoded);
            let meaning = sanitize(&explain::summary(&f.decoded)).into_owned();
            format!(
                "{time} {arrow} {transport:<4} {}  {}",
                paint(&raw, tone),
                paint(&meaning, tone).bold()
            )
        }
        Body::State(s) => {
            let tone = explain::state_tone(&s.state);
            let detail = s.detail.as_deref().map(sanitize).unwrap_or_default();
            format!("{time} • {}  {detail}", paint(&s.state, tone).bold())
        }
        Body::Http(h) => {
            let outcome = match (&h.status, &h.error) {
                (_, Some(e)) => paint(&format!("✗ {}", sanitize(e)), Tone::Error).to_string(),
                (Some(status), None) => format!("{status}"),
                (None, None) => "…".into(),
            };
            let ms = h.millis.map(|m| format!(" {m:.0} ms")).unwrap_or_default();
            let size = h.body_length.map(|n| format!(" {n} B")).unwrap_or_default();
            format!(
                "{time} ⇄ {}",
                paint(
                    &format!("{} {} → {outcome}{ms}{size}", h.method, sanitize(&h.url)),
                    Tone::Transport
                )
            )
        }
    }
}
