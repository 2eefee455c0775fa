//! Engine.IO packets, revisions 3 and 4: one packet in, one value out.
//!
//! A packet reaches us framed by its transport as text or binary (a WebSocket
//! message, or one record of a polling payload, see [`super::payload`]). The
//! decoders borrow from their input, so the hot path copies nothing unless
//! base64 has to be undone.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

/// The Engine.IO protocol revision: 3 for Socket.IO 1.x/2.x servers, 4 for 3.x/4.x.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum EioVersion {
    V3,
    V4,
}

impl EioVersion {
    pub fn number(self) -> u8 {
        match self {
            EioVersion::V3 => 3,
            EioVersion::V4 => 4,
        }
    }
}

impl From<EioVersion> for u8 {
    fn from(v: EioVersion) -> u8 {
        v.number()
    }
}

impl TryFrom<u8> for EioVersion {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        match n {
            3 => Ok(EioVersion::V3),
            4 => Ok(EioVersion::V4),
            other => Err(format!("Engine.IO version {other} is not supported (3 or 4)")),
        }
    }
}

impl fmt::Display for EioVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// The seven Engine.IO packet types; the digit is the wire form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PacketType {
    Open = 0,
    Close = 1,
    Ping = 2,
    Pong = 3,
    Message = 4,
    Upgrade = 5,
    Noop = 6,
}

impl PacketType {
    pub const ALL: [PacketType; 7] = [
        PacketType::Open,
        PacketType::Close,
        PacketType::Ping,
        PacketType::Pong,
        PacketType::Message,
        PacketType::Upgrade,
        PacketType::Noop,
    ];

    pub fn from_digit(d: u8) -> Option<PacketType> {
        Self::ALL.get(usize::from(d.wrapping_sub(b'0'))).copied()
    }

    pub fn from_byte(b: u8) -> Option<PacketType> {
        Self::ALL.get(usize::from(b)).copied()
    }

    pub fn digit(self) -> char {
        char::from(b'0' + self as u8)
    }

    pub fn name(self) -> &'static str {
        match self {
            PacketType::Open => "open",
            PacketType::Close => "close",
            PacketType::Ping => "ping",
            PacketType::Pong => "pong",
            PacketType::Message => "message",
            PacketType::Upgrade => "upgrade",
            PacketType::Noop => "noop",
        }
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One Engine.IO packet as framed by its transport: a WebSocket message, or
/// one record of a polling payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

/// An owned [`Frame`], as produced by the encoders.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OwnedFrame {
    Text(String),
    Binary(Vec<u8>),
}

impl OwnedFrame {
    pub fn as_frame(&self) -> Frame<'_> {
        match self {
            OwnedFrame::Text(s) => Frame::Text(s),
            OwnedFrame::Binary(b) => Frame::Binary(b),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            OwnedFrame::Text(s) => s.len(),
            OwnedFrame::Binary(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Frame<'_> {
    pub fn to_owned_frame(self) -> OwnedFrame {
        match self {
            Frame::Text(s) => OwnedFrame::Text(s.to_owned()),
            Frame::Binary(b) => OwnedFrame::Binary(b.to_vec()),
        }
    }
}

/// What a packet carries after its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data<'a> {
    Text(Cow<'a, str>),
    Binary(Cow<'a, [u8]>),
}

/// How a binary packet travelled, so it can be written back the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BinaryForm {
    /// A binary WebSocket message or binary polling record.
    Raw,
    /// A text frame `b<base64>` (rev 4) or `b4<base64>` (rev 3).
    Base64,
}

/// A decoded Engine.IO packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    pub kind: PacketType,
    pub data: Data<'a>,
}

impl<'a> Packet<'a> {
    pub fn text(kind: PacketType, data: impl Into<Cow<'a, str>>) -> Self {
        Packet {
            kind,
            data: Data::Text(data.into()),
        }
    }

    pub fn binary(data: impl Into<Cow<'a, [u8]>>) -> Self {
        Packet {
            kind: PacketType::Message,
            data: Data::Binary(data.into()),
        }
    }

    pub fn into_owned(self) -> Packet<'static> {
        Packet {
            kind: self.kind,
            data: match self.data {
                Data::Text(t) => Data::Text(Cow::Owned(t.into_owned())),
                Data::Binary(b) => Data::Binary(Cow::Owned(b.into_owned())),
            },
        }
    }

    /// The text after the type digit, if this is a text packet.
    pub fn text_data(&self) -> Option<&str> {
        match &self.data {
            Data::Text(t) => Some(t),
            Data::Binary(_) => None,
        }
    }

    /// `2probe` / `3probe`: the upgrade probe and its answer.
    pub fn is_probe(&self) -> bool {
        matches!(self.kind, PacketType::Ping | PacketType::Pong) && self.text_data() == Some("probe")
    }
}

/// Why a frame is not an Engine.IO packet. Positions are byte offsets into the frame.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EioError {
    #[error("empty frame: an Engine.IO packet starts with a type digit 0-6")]
    Empty,
    #[error("unknown Engine.IO packet type {found} at byte {at} (expected a digit 0-6, or b for base64 binary)")]
    UnknownType { found: String, at: usize },
    #[error("base64 binary packet is not valid base64: {reason}")]
    Base64 { reason: String },
    #[error("revision 3 binary packet has type byte {0} (expected 0-6)")]
    UnknownBinaryType(u8),
}

fn describe_char(s: &str) -> String {
    match s.chars().next() {
        Some(c) if c.is_ascii_graphic() => format!("{c:?}"),
        Some(c) => format!("{:?} (U+{:04X})", c, c as u32),
        None => "nothing".into(),
    }
}

/// Decodes one framed packet.
pub fn decode(frame: Frame<'_>, version: EioVersion) -> Result<Packet<'_>, EioError> {
    match frame {
        Frame::Text(text) => decode_text(text, version),
        Frame::Binary(bytes) => decode_binary(bytes, version),
    }
}

/// Decodes a text frame: `<digit><data>`, or `b…` for a base64 binary message.
pub fn decode_text(text: &str, version: EioVersion) -> Result<Packet<'_>, EioError> {
    let first = *text.as_bytes().first().ok_or(EioError::Empty)?;
    if first == b'b' {
        return decode_base64(&text[1..], version);
    }
    match PacketType::from_digit(first) {
        Some(kind) => Ok(Packet::text(kind, &text[1..])),
        None => Err(EioError::UnknownType {
            found: describe_char(text),
            at: 0,
        }),
    }
}

fn decode_base64(rest: &str, version: EioVersion) -> Result<Packet<'static>, EioError> {
    let (kind, encoded) = match version {
        EioVersion::V4 => (PacketType::Message, rest),
        EioVersion::V3 => {
            // Rev 3 keeps the type digit inside: `b4AQID`.
            let Some(&d) = rest.as_bytes().first() else {
                return Err(EioError::UnknownType {
                    found: "nothing".into(),
                    at: 1,
                });
            };
            let kind = PacketType::from_digit(d).ok_or_else(|| EioError::UnknownType {
                found: describe_char(rest),
                at: 1,
            })?;
            (kind, &rest[1..])
        }
    };
    let bytes = decode_base64_lenient(encoded)?;
    Ok(Packet {
        kind,
        data: Data::Binary(Cow::Owned(bytes)),
    })
}

/// Base64 as Node decodes it: padding optional.
pub fn decode_base64_lenient(encoded: &str) -> Result<Vec<u8>, EioError> {
    let trimmed = encoded.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .map_err(|e| EioError::Base64 { reason: e.to_string() })
}

/// Decodes a binary frame: raw message bytes (rev 4) or a type byte then data (rev 3).
pub fn decode_binary(bytes: &[u8], version: EioVersion) -> Result<Packet<'_>, EioError> {
    match version {
        EioVersion::V4 => Ok(Packet::binary(bytes)),
        EioVersion::V3 => {
            let (&kind, data) = bytes.split_first().ok_or(EioError::Empty)?;
            let kind = PacketType::from_byte(kind).ok_or(EioError::UnknownBinaryType(kind))?;
            Ok(Packet {
                kind,
                data: Data::Binary(Cow::Borrowed(data)),
            })
        }
    }
}

/// Encodes a packet for a transport that carries binary frames (WebSocket, rev-3 binary payload).
pub fn encode(packet: &Packet<'_>, version: EioVersion, form: BinaryForm) -> OwnedFrame {
    match (&packet.data, form) {
        (Data::Text(t), _) => {
            let mut s = String::with_capacity(t.len() + 1);
            s.push(packet.kind.digit());
            s.push_str(t);
            OwnedFrame::Text(s)
        }
        (Data::Binary(b), BinaryForm::Base64) => OwnedFrame::Text(encode_base64_text(packet.kind, b, version)),
        (Data::Binary(b), BinaryForm::Raw) => match version {
            EioVersion::V4 => OwnedFrame::Binary(b.to_vec()),
            EioVersion::V3 => {
                let mut v = Vec::with_capacity(b.len() + 1);
                v.push(packet.kind as u8);
                v.extend_from_slice(b);
                OwnedFrame::Binary(v)
            }
        },
    }
}

fn encode_base64_text(kind: PacketType, bytes: &[u8], version: EioVersion) -> String {
    let mut s = String::with_capacity(bytes.len() * 4 / 3 + 6);
    s.push('b');
    if version == EioVersion::V3 {
        s.push(kind.digit());
    }
    BASE64.encode_string(bytes, &mut s);
    s
}

/// The open packet's JSON: the session the server handed out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    pub sid: String,
    #[serde(default)]
    pub upgrades: Vec<String>,
    pub ping_interval: u64,
    pub ping_timeout: u64,
    /// Only engine.io ≥ 6.2 (socket.io ≥ 4.5) sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload: Option<u64>,
    /// Fields this version of sio does not know, kept so nothing is hidden.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Handshake {
    /// Parses the data of an open packet, naming the field that is wrong.
    pub fn parse(data: &str) -> Result<Handshake, String> {
        serde_json::from_str(data).map_err(|e| format!("open packet is not a valid handshake: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_packets_of_every_type() {
        for (i, kind) in PacketType::ALL.iter().enumerate() {
            let frame = format!("{i}x");
            let p = decode_text(&frame, EioVersion::V4).expect("valid");
            assert_eq!(p.kind, *kind);
            assert_eq!(p.text_data(), Some("x"));
        }
    }

    #[test]
    fn unknown_type_names_the_character() {
        let err = decode_text("9", EioVersion::V4).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown Engine.IO packet type '9' at byte 0 (expected a digit 0-6, or b for base64 binary)"
        );
        assert_eq!(decode_text("", EioVersion::V4), Err(EioError::Empty));
    }

    #[test]
    fn base64_binary_by_revision() {
        let p = decode_text("bAQID", EioVersion::V4).expect("valid");
        assert_eq!(p, Packet::binary(vec![1, 2, 3]));
        let p = decode_text("b4AQID", EioVersion::V3).expect("valid");
        assert_eq!(p, Packet::binary(vec![1, 2, 3]));
        assert_eq!(
            decode_text("b", EioVersion::V4).expect("empty binary"),
            Packet::binary(vec![])
        );
        assert!(decode_text("b!!", EioVersion::V4).is_err());
    }

    #[test]
    fn binary_frames_by_revision() {
        assert_eq!(
            decode_binary(&[1, 2, 3], EioVersion::V4).expect("v4"),
            Packet::binary(vec![1, 2, 3])
        );
        assert_eq!(
            decode_binary(&[4, 1, 2, 3], EioVersion::V3).expect("v3"),
            Packet::binary(vec![1, 2, 3])
        );
        assert_eq!(decode_binary(&[9], EioVersion::V3), Err(EioError::UnknownBinaryType(9)));
        assert_eq!(decode_binary(&[], EioVersion::V3), Err(EioError::Empty));
    }

    #[test]
    fn handshake_keeps_unknown_fields() {
        let h = Handshake::parse(r#"{"sid":"a","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000,"x":1}"#)
            .expect("valid");
        assert_eq!(h.max_payload, Some(1_000_000));
        assert_eq!(h.extra.get("x"), Some(&serde_json::json!(1)));
        let err = Handshake::parse(r#"{"sid":"a"}"#).unwrap_err();
        assert!(err.contains("pingInterval"), "{err}");
    }
}
