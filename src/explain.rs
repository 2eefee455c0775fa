//! Frames explained for people: which characters are which layer, and a one-line
//! meaning. Shared by `sio decode`, the printers and the TUI's detail pane.
//! Output is structured (parts with a [`Tone`]); front ends choose colours.

use std::fmt::Write as _;

use crate::proto::eio::{self, EioVersion};
use crate::proto::frame::{Decoded, JsonText, SioLayer};
use crate::proto::sio::{self, PacketType, SioVersion};
use crate::record::Raw;

/// What a piece of text is about, so a front end can colour it consistently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Heartbeat,
    Event,
    Ack,
    Connect,
    Disconnect,
    Error,
    Binary,
    Transport,
    Plain,
}

/// One slice of the raw frame and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The characters of the frame this part covers (hex for binary).
    pub text: String,
    /// The layer or field: "Engine.IO", "Socket.IO", "namespace", "ack id", "data"…
    pub label: &'static str,
    pub meaning: String,
    pub tone: Tone,
}

fn part(text: impl Into<String>, label: &'static str, meaning: impl Into<String>, tone: Tone) -> Part {
    Part {
        text: text.into(),
        label,
        meaning: meaning.into(),
        tone,
    }
}

/// The tone of a decoded frame as a whole.
pub fn tone(decoded: &Decoded) -> Tone {
    if decoded.error.is_some() {
        return Tone::Error;
    }
    if let Some(sio) = &decoded.sio {
        return sio_tone(sio.kind);
    }
    if decoded.attachment.is_some() {
        return Tone::Binary;
    }
    decoded.eio.as_ref().map_or(Tone::Plain, |e| eio_tone(e.kind))
}

/// The tone of a state record, by its state name.
pub fn state_tone(state: &str) -> Tone {
    match state {
        "namespace failed" | "disconnected" | "closed" | "upgrade failed" | "malformed payload" => Tone::Error,
        "reconnecting" | "namespace disconnected" | "namespace left" | "heartbeat withheld" => Tone::Disconnect,
        "ack" => Tone::Ack,
        "heartbeat" | "heartbeat mode" => Tone::Heartbeat,
        _ => Tone::Connect,
    }
}

fn eio_tone(kind: eio::PacketType) -> Tone {
    match kind {
        eio::PacketType::Ping | eio::PacketType::Pong => Tone::Heartbeat,
        eio::PacketType::Open => Tone::Connect,
        eio::PacketType::Close => Tone::Disconnect,
        eio::PacketType::Upgrade | eio::PacketType::Noop => Tone::Transport,
        eio::PacketType::Message => Tone::Plain,
    }
}

fn sio_tone(kind: PacketType) -> Tone {
    match kind {
        PacketType::Connect => Tone::Connect,
        PacketType::Disconnect => Tone::Disconnect,
        PacketType::Event => Tone::Event,
        PacketType::Ack => Tone::Ack,
        PacketType::ConnectError => Tone::Error,
        PacketType::BinaryEvent | PacketType::BinaryAck => Tone::Binary,
    }
}

fn eio_meaning(kind: eio::PacketType, data: Option<&str>, version: EioVersion) -> String {
    let probe = data == Some("probe");
    match (kind, version) {
        (eio::PacketType::Open, _) => "open: the server's handshake".into(),
        (eio::PacketType::Close, _) => "close: end of the Engine.IO session".into(),
        (eio::PacketType::Ping, _) if probe => "ping probe: tests the new WebSocket during the upgrade".into(),
        (eio::PacketType::Pong, _) if probe => "pong probe: the server accepts the upgrade probe".into(),
        (eio::PacketType::Ping, EioVersion::V4) => "ping: heartbeat from the server (the client answers 3)".into(),
        (eio::PacketType::Ping, EioVersion::V3) => "ping: heartbeat from the client (the server answers 3)".into(),
        (eio::PacketType::Pong, _) => "pong: heartbeat answer".into(),
        (eio::PacketType::Message, _) => "message".into(),
        (eio::PacketType::Upgrade, _) => "upgrade: the client commits to the new transport".into(),
        (eio::PacketType::Noop, _) => "noop: releases a pending poll".into(),
    }
}

/// Lowercase hex of at most `max` bytes, with an ellipsis when cut.
pub fn hex_preview(bytes: &[u8], max: usize) -> String {
    let mut s = String::with_capacity(bytes.len().min(max) * 3);
    for (i, b) in bytes.iter().take(max).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{b:02x}");
    }
    if bytes.len() > max {
        s.push_str(" …");
    }
    s
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Explains a frame part by part.
pub fn parts(raw: &Raw, decoded: &Decoded, version: EioVersion) -> Vec<Part> {
    let mut out = Vec::new();
    let text = match raw {
        Raw::Binary(bytes) => {
            explain_binary_frame(&bytes.0, decoded, version, &mut out);
            return out;
        }
        Raw::Text { text } => text.as_str(),
    };
    let Some(first) = text.chars().next() else {
        out.push(part("", "Engine.IO", "empty frame", Tone::Error));
        append_error(decoded, &mut out);
        return out;
    };
    let Some(eio) = &decoded.eio else {
        out.push(part(first.to_string(), "Engine.IO", "not a packet type", Tone::Error));
        append_error(decoded, &mut out);
        return out;
    };
    if first == 'b' {
        let skip = if version == EioVersion::V3 { 2 } else { 1 };
        let head: String = text.chars().take(skip).collect();
        out.push(part(
            head,
            "Engine.IO",
            "b: binary message written as base64 text",
            Tone::Binary,
        ));
        let body: String = text.chars().skip(skip).collect();
        out.push(part(body, "base64", "binary data", Tone::Binary));
        explain_attachment(decoded, &mut out);
        append_error(decoded, &mut out);
        return out;
    }
    out.push(part(
        first.to_string(),
        "Engine.IO",
        eio_meaning(eio.kind, eio.data.as_deref(), version),
        eio_tone(eio.kind),
    ));
    let rest = &text[first.len_utf8()..];
    if eio.kind == eio::PacketType::Message {
        explain_sio_text(rest, decoded, &mut out, sio_version(version));
    } else if let Some(h) = &eio.handshake {
        let mut meaning = format!(
            "sid {}, ping every {} ms, timeout {} ms, upgrades {:?}",
            h.sid, h.ping_interval, h.ping_timeout, h.upgrades
        );
        if let Some(max) = h.max_payload {
            let _ = write!(meaning, ", maxPayload {max}");
        }
        out.push(part(rest, "handshake", meaning, Tone::Connect));
    } else if !rest.is_empty() {
        out.push(part(rest, "data", format!("{rest:?}"), Tone::Plain));
    }
    append_error(decoded, &mut out);
    out
}

fn sio_version(eio: EioVersion) -> SioVersion {
    match eio {
        EioVersion::V3 => SioVersion::V4,
        EioVersion::V4 => SioVersion::V5,
    }
}

fn explain_sio_text(s: &str, decoded: &Decoded, out: &mut Vec<Part>, version: SioVersion) {
    let Some(first) = s.chars().next() else {
        return;
    };
    let Some(kind) = sio::PacketType::from_digit(first as u8).filter(|_| first.is_ascii_digit()) else {
        out.push(part(first.to_string(), "Socket.IO", "not a packet type", Tone::Error));
        return;
    };
    out.push(part(first.to_string(), "Socket.IO", kind.name(version), sio_tone(kind)));
    // The layout of a valid packet; for an invalid one, what can still be read.
    let layout = match sio::decode_with_layout(s, version) {
        Ok((_, layout)) => layout,
        Err(_) => {
            let rest = &s[1..];
            if !rest.is_empty() {
                out.push(part(rest, "rest", "not decoded (see the error)", Tone::Error));
            }
            return;
        }
    };
    if let Some(r) = layout.attachments {
        let n = s[r.start..r.end - 1].to_string();
        out.push(part(
            &s[r.clone()],
            "attachments",
            format!("{n} binary attachment(s) follow as separate frames"),
            Tone::Binary,
        ));
    }
    if let Some(r) = layout.nsp {
        let nsp = s[r.clone()].trim_end_matches(',');
        out.push(part(&s[r.clone()], "namespace", nsp.to_string(), Tone::Plain));
    }
    if let Some(r) = layout.id {
        let id = decoded
            .sio
            .as_ref()
            .and_then(|p| p.id)
            .map_or_else(|| s[r.clone()].to_string(), |i| i.to_string());
        let meaning = if kind.is_ack() {
            format!("ack id {id}: answers the emit with this id")
        } else {
            format!("ack id {id}: the sender waits for an ACK with this id")
        };
        out.push(part(&s[r], "ack id", meaning, Tone::Ack));
    }
    if let Some(r) = layout.data {
        let meaning = decoded.sio.as_ref().map_or_else(String::new, data_meaning);
        out.push(part(&s[r], "data", meaning, sio_tone(kind)));
    }
    append_quirks(decoded, out);
}

fn append_quirks(decoded: &Decoded, out: &mut Vec<Part>) {
    if let Some(sio) = &decoded.sio {
        for q in &sio.quirks {
            out.push(part("", "quirk", q.to_string(), Tone::Plain));
        }
    }
}

fn data_meaning(sio: &SioLayer) -> String {
    let Some(data) = sio.data.as_ref().map(JsonText::value) else {
        return String::new();
    };
    match (sio.kind, &data) {
        (k, serde_json::Value::Array(items)) if k.is_event() => {
            let name = sio.event.as_deref().unwrap_or("?");
            format!("event {name:?}, {}", plural(items.len().saturating_sub(1), "argument"))
        }
        (k, serde_json::Value::Array(items)) if k.is_ack() => plural(items.len(), "ack argument"),
        (PacketType::Connect, v) => match v.get("sid") {
            Some(sid) => format!("connected, socket id {sid}"),
            None => "auth payload".into(),
        },
        (PacketType::ConnectError, v) => match v.get("message") {
            Some(m) => format!("refused: {m}"),
            None => format!("refused: {v}"),
        },
        _ => "payload".into(),
    }
}

fn explain_binary_frame(bytes: &[u8], decoded: &Decoded, version: EioVersion, out: &mut Vec<Part>) {
    if version == EioVersion::V3 && !bytes.is_empty() {
        out.push(part(
            hex_preview(&bytes[..1], 1),
            "Engine.IO",
            "type byte (revision 3 binary frame)",
            Tone::Binary,
        ));
        out.push(part(
            hex_preview(&bytes[1..], 16),
            "binary",
            format!("{} bytes", bytes.len() - 1),
            Tone::Binary,
        ));
    } else {
        out.push(part(
            hex_preview(bytes, 16),
            "binary",
            format!("binary message, {} bytes", bytes.len()),
            Tone::Binary,
        ));
    }
    explain_attachment(decoded, out);
    append_error(decoded, out);
}

fn explain_attachment(decoded: &Decoded, out: &mut Vec<Part>) {
    if let Some(a) = decoded.attachment {
        out.push(part(
            "",
            "attachment",
            format!("attachment {} of {}", a.index, a.announced),
            Tone::Binary,
        ));
    }
    if decoded.attachment.is_none()
        && let Some(sio) = &decoded.sio
    {
        // msgpack: the whole Socket.IO packet lives in the binary frame.
        out.push(part("", "Socket.IO", summary(decoded), sio_tone(sio.kind)));
        append_quirks(decoded, out);
    }
}

fn append_error(decoded: &Decoded, out: &mut Vec<Part>) {
    if let Some(e) = &decoded.error {
        out.push(part("", "error", e.message.clone(), Tone::Error));
    }
}

/// A one-line meaning: `EVENT /admin "chat" ack#7 {"text":"hi"}`.
pub fn summary(decoded: &Decoded) -> String {
    summary_with(decoded, true)
}

/// The meaning, with or without the arguments (rendering them parses the data: the
/// filter leaves them out where the raw frame already holds them as they read).
pub fn summary_with(decoded: &Decoded, with_args: bool) -> String {
    let mut s = String::new();
    if let Some(sio) = &decoded.sio {
        s.push_str(sio.kind.name(sio.version));
        if sio.nsp != "/" {
            let _ = write!(s, " {}", sio.nsp);
        }
        if let Some(event) = &sio.event {
            let _ = write!(s, " {event:?}");
        }
        if let Some(id) = sio.id {
            let _ = write!(s, " #{id}");
        }
        let args = if with_args { args_preview(sio) } else { String::new() };
        if !args.is_empty() {
            let _ = write!(s, " {args}");
        }
        if !sio.complete {
            let _ = write!(
                s,
                " (waiting for {})",
                plural(sio.announced.unwrap_or(0) as usize, "attachment")
            );
        }
        if let Some(a) = decoded.attachment {
            let _ = write!(s, " (attachment {} of {} completes it)", a.index, a.announced);
        }
    } else if let Some(a) = decoded.attachment {
        let _ = write!(s, "attachment {} of {}", a.index, a.announced);
    } else if let Some(eio) = decoded.eio.as_ref().filter(|e| e.kind != eio::PacketType::Message) {
        s.push_str(&eio.kind.name().to_uppercase());
        if let Some(h) = &eio.handshake {
            let _ = write!(s, " sid {} ping {}/{} ms", h.sid, h.ping_interval, h.ping_timeout);
        } else if eio.data.as_deref() == Some("probe") {
            s.push_str(" probe");
        } else if let Some(d) = &eio.data {
            let _ = write!(s, " {d:?}");
        }
    }
    if let Some(e) = &decoded.error {
        if !s.is_empty() {
            s.push_str(" · ");
        }
        let _ = write!(s, "malformed: {}", e.message);
    }
    s
}

/// Arguments rendered compactly, binary placeholders shown as their bytes.
pub fn args_preview(sio: &SioLayer) -> String {
    let Some(data) = sio.data.as_ref().map(JsonText::value) else {
        return String::new();
    };
    if matches!(sio.kind, PacketType::Connect | PacketType::ConnectError) {
        return data.to_string();
    }
    let shown: Vec<serde_json::Value> = match data {
        serde_json::Value::Array(items) if sio.kind.is_event() => items.into_iter().skip(1).collect(),
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    shown
        .iter()
        .map(|v| render_value(v, sio))
        .collect::<Vec<_>>()
        .join(", ")
}

/// JSON text with each placeholder replaced by `<N bytes: hex…>` when its attachment is known.
pub fn render_value(value: &serde_json::Value, sio: &SioLayer) -> String {
    let mut out = String::new();
    render_into(value, sio, &mut out);
    out
}

fn render_into(value: &serde_json::Value, sio: &SioLayer, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) if map.get("_placeholder") == Some(&Value::Bool(true)) => {
            let num = map.get("num").and_then(Value::as_u64);
            match num.and_then(|n| sio.attachments.get(n as usize)) {
                Some(b) => {
                    let _ = write!(out, "<{} bytes: {}>", b.0.len(), hex_preview(&b.0, 8));
                }
                None => {
                    let _ = write!(out, "<binary #{}>", num.map_or("?".into(), |n| n.to_string()));
                }
            }
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{}:", Value::String(k.clone()));
                render_into(v, sio, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_into(v, sio, out);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::frame::{FrameDecoder, Parser};

    fn explain(frame: &str) -> (Vec<Part>, String) {
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let decoded = d.decode(eio::Frame::Text(frame));
        let raw = Raw::Text { text: frame.into() };
        (parts(&raw, &decoded, EioVersion::V4), summary(&decoded))
    }

    #[test]
    fn event_parts_cover_the_frame() {
        let frame = r#"42/admin,7["chat",{"text":"hi"}]"#;
        let (parts, summary) = explain(frame);
        let joined: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, frame);
        let labels: Vec<_> = parts.iter().map(|p| p.label).collect();
        assert_eq!(labels, ["Engine.IO", "Socket.IO", "namespace", "ack id", "data"]);
        assert_eq!(parts[1].meaning, "EVENT");
        assert_eq!(parts[4].meaning, "event \"chat\", 1 argument");
        assert_eq!(summary, r#"EVENT /admin "chat" #7 {"text":"hi"}"#);
    }

    #[test]
    fn connect_is_message_plus_connect() {
        let (parts, summary) = explain("40");
        assert_eq!(parts[0].meaning, "message");
        assert_eq!(parts[1].meaning, "CONNECT");
        assert_eq!(summary, "CONNECT");
    }

    #[test]
    fn errors_are_shown_with_what_was_read() {
        let (parts, summary) = explain("42[");
        assert_eq!(parts.last().map(|p| p.tone), Some(Tone::Error));
        assert_eq!(
            summary,
            "malformed: invalid payload at byte 3: JSON EOF while parsing a list"
        );
    }

    #[test]
    fn heartbeats_and_probes() {
        let (parts, summary) = explain("2probe");
        assert!(parts[0].meaning.contains("probe"));
        assert_eq!(summary, "PING probe");
        let (parts, _) = explain("2");
        assert_eq!(parts[0].tone, Tone::Heartbeat);
    }
}
