//! Socket.IO packets in the default (JSON text) encoding, protocol revisions 4 and 5.
//!
//! The input is the data of an Engine.IO message without its leading `4`:
//! `2/admin,7["chat",{"text":"hi"}]`. Decoding follows socket.io-parser 4.2.7
//! (revision 5) and 3.4 (revision 4): the same frames are accepted and refused,
//! and the quirks the reference tolerates are reported as [`Quirk`]s so the user
//! sees them. A few frames real servers send that the reference rejects, but whose
//! intent is clear (python-socketio's DISCONNECT with a payload), are read too, each
//! with a quirk that names the sender and the reference's verdict. JSON data is
//! validated in one pass and kept as the exact text that crossed the wire.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::json_scan::{self, Head, Scan, Shape};

/// The Socket.IO protocol revision: 4 for Socket.IO 1.x/2.x, 5 for 3.x/4.x.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum SioVersion {
    V4,
    V5,
}

impl SioVersion {
    pub fn number(self) -> u8 {
        match self {
            SioVersion::V4 => 4,
            SioVersion::V5 => 5,
        }
    }
}

impl From<SioVersion> for u8 {
    fn from(v: SioVersion) -> u8 {
        v.number()
    }
}

impl TryFrom<u8> for SioVersion {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        match n {
            4 => Ok(SioVersion::V4),
            5 => Ok(SioVersion::V5),
            other => Err(format!("Socket.IO protocol {other} is not supported (4 or 5)")),
        }
    }
}

/// The largest integer a JavaScript number holds exactly; ack ids beyond it get rounded by JS peers.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// socket.io-parser's default `maxAttachments`.
pub const MAX_ATTACHMENTS: u32 = 10;

/// Event names the reference client and server refuse to emit (and parser ≥ 4.2.4 to receive).
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PacketType {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    /// CONNECT_ERROR in revision 5, ERROR in revision 4.
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}

impl PacketType {
    pub const ALL: [PacketType; 7] = [
        PacketType::Connect,
        PacketType::Disconnect,
        PacketType::Event,
        PacketType::Ack,
        PacketType::ConnectError,
        PacketType::BinaryEvent,
        PacketType::BinaryAck,
    ];

    pub fn from_digit(d: u8) -> Option<PacketType> {
        Self::ALL.get(usize::from(d.wrapping_sub(b'0'))).copied()
    }

    pub fn digit(self) -> char {
        char::from(b'0' + self as u8)
    }

    pub fn is_binary(self) -> bool {
        matches!(self, PacketType::BinaryEvent | PacketType::BinaryAck)
    }

    pub fn is_event(self) -> bool {
        matches!(self, PacketType::Event | PacketType::BinaryEvent)
    }

    pub fn is_ack(self) -> bool {
        matches!(self, PacketType::Ack | PacketType::BinaryAck)
    }

    /// The name the given revision's documentation uses.
    pub fn name(self, version: SioVersion) -> &'static str {
        match self {
            PacketType::Connect => "CONNECT",
            PacketType::Disconnect => "DISCONNECT",
            PacketType::Event => "EVENT",
            PacketType::Ack => "ACK",
            PacketType::ConnectError if version == SioVersion::V4 => "ERROR",
            PacketType::ConnectError => "CONNECT_ERROR",
            PacketType::BinaryEvent => "BINARY_EVENT",
            PacketType::BinaryAck => "BINARY_ACK",
        }
    }
}

/// A Socket.IO packet. `data` is the JSON text exactly as it was (or will be) on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    pub kind: PacketType,
    /// Announced attachment count; only binary packets have one.
    pub attachments: Option<u32>,
    pub nsp: Cow<'a, str>,
    pub id: Option<u64>,
    pub data: Option<Cow<'a, str>>,
}

impl<'a> Packet<'a> {
    pub fn new(kind: PacketType, nsp: impl Into<Cow<'a, str>>) -> Self {
        Packet {
            kind,
            attachments: None,
            nsp: nsp.into(),
            id: None,
            data: None,
        }
    }

    pub fn with_id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the JSON data; the text must be valid JSON (leading white space would be read as an ack id).
    pub fn with_data(mut self, json: impl Into<Cow<'a, str>>) -> Self {
        self.data = Some(json.into());
        self
    }

    pub fn with_attachments(mut self, n: u32) -> Self {
        self.attachments = Some(n);
        self
    }

    pub fn into_owned(self) -> Packet<'static> {
        Packet {
            kind: self.kind,
            attachments: self.attachments,
            nsp: Cow::Owned(self.nsp.into_owned()),
            id: self.id,
            data: self.data.map(|d| Cow::Owned(d.into_owned())),
        }
    }
}

/// Something the reference decoder tolerates but a careful peer should not send, or a
/// dialect: a frame a real server sends that the reference rejects or misreads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "quirk")]
pub enum Quirk {
    /// `40/admin` without the comma the encoder always writes.
    NamespaceWithoutComma,
    /// JavaScript reads white space as the digit 0 inside an ack id.
    WhitespaceInAckId,
    /// `4201[…]`: leading zeros in the ack id.
    LeadingZerosInAckId,
    /// An ack id a JavaScript peer cannot hold exactly.
    AckIdBeyondSafeInteger,
    /// A DISCONNECT carrying an object: python-socketio with `always_connect=True` sends a
    /// refusal so (`41/admin,{"message":"not authorized"}`); the reference parsers reject it.
    DisconnectWithPayload,
    /// A msgpack DISCONNECT `{type: 1, data: nil, nsp}`, as python-socketio's encoder writes
    /// every packet; socket.io-msgpack-parser wants `data` absent.
    DisconnectWithNilData,
    /// A revision-5 CONNECT_ERROR whose data is a string (the revision-4 form), as
    /// python-socketio refuses an unknown namespace: `44/nope,"Unable to connect"`.
    StringConnectError,
    /// An event on a namespace whose CONNECT is not answered yet. Only the engine knows
    /// that, so it adds this one; the codec never does.
    EventBeforeConnect,
}

impl fmt::Display for Quirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quirk::NamespaceWithoutComma => "namespace not followed by ',' (accepted by socket.io-parser)",
            Quirk::WhitespaceInAckId => "white space in the ack id (JavaScript reads it as 0)",
            Quirk::LeadingZerosInAckId => "leading zeros in the ack id",
            Quirk::AckIdBeyondSafeInteger => "ack id above 2^53-1: a JavaScript peer rounds it",
            Quirk::DisconnectWithPayload => {
                "DISCONNECT with a payload, as python-socketio (always_connect=True) sends a refused \
                 connection: socket.io-parser rejects it (invalid payload), so the JS client drops the \
                 connection with \"parse error\" and reconnects; read here as the namespace's disconnect"
            }
            Quirk::DisconnectWithNilData => {
                "DISCONNECT with data nil, as python-socketio's msgpack encoder writes it: \
                 socket.io-msgpack-parser rejects it (invalid payload), so the JS client reports \
                 \"parse error\" and reconnects instead of \"io server disconnect\"; read here as the \
                 namespace's disconnect"
            }
            Quirk::StringConnectError => {
                "CONNECT_ERROR with a string, the Socket.IO 2.x form (python-socketio refuses an unknown \
                 namespace so): socket.io-client 3+ takes the message from an object, so it reports \
                 connect_error with an empty message"
            }
            Quirk::EventBeforeConnect => {
                "event before the namespace's CONNECT reply (python-socketio sends what its connect \
                 handler emits first; socket.io replays missed events first when it recovers a session): \
                 socket.io-client holds it and delivers it right after connect"
            }
        })
    }
}

/// Why a string is not a Socket.IO packet. `at` counts bytes into the Socket.IO string
/// (the Engine.IO message data, without its leading `4`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SioError {
    #[error("empty Socket.IO packet: a message needs at least a packet type")]
    Empty,
    #[error("unknown packet type {found} at byte {at} (expected a digit 0-6)")]
    UnknownType { found: String, at: usize },
    #[error("illegal attachments at byte {at}: {reason}")]
    IllegalAttachments { at: usize, reason: String },
    #[error("too many attachments: {count} announced, the limit is {max}")]
    TooManyAttachments { count: u64, max: u32 },
    #[error("ack id {digits} at byte {at} overflows")]
    AckIdOverflow { at: usize, digits: String },
    #[error("ack id {digits:?} at byte {at} is not a number")]
    AckIdNotNumber { at: usize, digits: String },
    #[error("invalid payload at byte {at}: {reason}")]
    InvalidJson { at: usize, reason: String },
    #[error("invalid payload: {reason}")]
    InvalidPayload { reason: String },
}

impl SioError {
    /// The same error with its position moved by `by` bytes (e.g. 1 for the Engine.IO type digit).
    pub fn shifted(self, by: usize) -> SioError {
        match self {
            SioError::UnknownType { found, at } => SioError::UnknownType { found, at: at + by },
            SioError::IllegalAttachments { at, reason } => SioError::IllegalAttachments { at: at + by, reason },
            SioError::AckIdOverflow { at, digits } => SioError::AckIdOverflow { at: at + by, digits },
            SioError::AckIdNotNumber { at, digits } => SioError::AckIdNotNumber { at: at + by, digits },
            SioError::InvalidJson { at, reason } => SioError::InvalidJson { at: at + by, reason },
            other => other,
        }
    }
}

/// A decoded packet and the quirks the decoder tolerated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub packet: Packet<'a>,
    pub quirks: Vec<Quirk>,
    /// What the validating pass read from the data.
    pub info: DataInfo<'a>,
}

/// What the one pass over a packet's JSON data learns besides its validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataInfo<'a> {
    /// The event name of an EVENT / BINARY_EVENT (a number as its text).
    pub event: Option<Cow<'a, str>>,
    /// Whether the data also reads as a `serde_json::Value` (true without data). Validation
    /// skips what it need not read as leniently as the reference does, so it passes a few
    /// texts a `Value` cannot hold: numbers beyond f64, lone surrogate escapes, deep nesting.
    pub is_value: bool,
}

impl Default for DataInfo<'_> {
    fn default() -> Self {
        DataInfo {
            event: None,
            is_value: true,
        }
    }
}

/// [`DataInfo`] for data that did not come through [`decode`] (msgpack, a completed binary
/// packet): one pass, building no value. Invalid JSON is no value and no event.
pub fn data_info(kind: PacketType, data: &str) -> DataInfo<'_> {
    match json_scan::scan(data) {
        Ok(scan) => DataInfo::of(kind, scan),
        Err(_) => DataInfo {
            event: None,
            is_value: false,
        },
    }
}

impl<'a> DataInfo<'a> {
    fn of(kind: PacketType, scan: Scan<'a>) -> Self {
        // An event's name is the first element of its array, a string or a number (as text).
        let event = match scan.shape {
            Shape::Array {
                first: Some(Head::String(name)),
                ..
            } if kind.is_event() => Some(name),
            Shape::Array {
                first: Some(Head::Number(n)),
                ..
            } if kind.is_event() => Some(Cow::Owned(n.to_string())),
            _ => None,
        };
        DataInfo {
            event,
            is_value: scan.is_value,
        }
    }
}

/// Where each part of a packet sits in its string, for explanations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub attachments: Option<std::ops::Range<usize>>,
    pub nsp: Option<std::ops::Range<usize>>,
    pub id: Option<std::ops::Range<usize>>,
    pub data: Option<std::ops::Range<usize>>,
}

/// Decodes a Socket.IO packet string.
pub fn decode(s: &str, version: SioVersion) -> Result<Decoded<'_>, SioError> {
    decode_with_layout(s, version).map(|(d, _)| d)
}

/// Decodes and also says where each part was, so a caller can explain the packet.
pub fn decode_with_layout(s: &str, version: SioVersion) -> Result<(Decoded<'_>, Layout), SioError> {
    let bytes = s.as_bytes();
    let first = *bytes.first().ok_or(SioError::Empty)?;
    let kind = PacketType::from_digit(first).ok_or_else(|| SioError::UnknownType {
        found: first_char(s),
        at: 0,
    })?;
    let mut quirks = Vec::new();
    let mut layout = Layout::default();
    let mut pos = 1;

    let mut attachments = None;
    if kind.is_binary() {
        let dash = s[pos..].find('-').map(|d| pos + d);
        let Some(dash) = dash else {
            return Err(SioError::IllegalAttachments {
                at: pos,
                reason: "the attachment count must be followed by '-'".into(),
            });
        };
        let digits = &s[pos..dash];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SioError::IllegalAttachments {
                at: pos,
                reason: format!("count {digits:?} is not a number"),
            });
        }
        let count: u64 = digits.parse().unwrap_or(u64::MAX);
        if count == 0 {
            return Err(SioError::IllegalAttachments {
                at: pos,
                reason: "a binary packet announces at least 1 attachment".into(),
            });
        }
        if count > u64::from(MAX_ATTACHMENTS) {
            return Err(SioError::TooManyAttachments {
                count,
                max: MAX_ATTACHMENTS,
            });
        }
        attachments = Some(count as u32);
        layout.attachments = Some(pos..dash + 1);
        pos = dash + 1;
    }

    let mut nsp: &str = "/";
    if bytes.get(pos) == Some(&b'/') {
        match s[pos..].find(',') {
            Some(comma) => {
                nsp = &s[pos..pos + comma];
                layout.nsp = Some(pos..pos + comma + 1);
                pos += comma + 1;
            }
            None => {
                nsp = &s[pos..];
                layout.nsp = Some(pos..s.len());
                pos = s.len();
                quirks.push(Quirk::NamespaceWithoutComma);
            }
        }
    }

    let mut id = None;
    let id_start = pos;
    while pos < bytes.len() && is_js_digit(bytes[pos]) {
        pos += 1;
    }
    if pos > id_start {
        let raw = &s[id_start..pos];
        id = Some(parse_ack_id(raw, id_start, &mut quirks)?);
        layout.id = Some(id_start..pos);
    }

    let mut info = DataInfo::default();
    let data = if pos < s.len() {
        let json = &s[pos..];
        info = validate_payload(kind, version, json, pos, &mut quirks)?;
        layout.data = Some(pos..s.len());
        Some(Cow::Borrowed(json))
    } else {
        None
    };

    Ok((
        Decoded {
            packet: Packet {
                kind,
                attachments,
                nsp: Cow::Borrowed(nsp),
                id,
                data,
            },
            quirks,
            info,
        },
        layout,
    ))
}

/// JavaScript's `Number(c) == c` holds for ASCII digits and for white space (read as 0).
fn is_js_digit(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn parse_ack_id(raw: &str, at: usize, quirks: &mut Vec<Quirk>) -> Result<u64, SioError> {
    let trimmed = raw.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
    if trimmed.len() != raw.len() || trimmed.is_empty() {
        quirks.push(Quirk::WhitespaceInAckId);
    }
    if trimmed.is_empty() {
        // `Number("  ")` is 0.
        return Ok(0);
    }
    if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SioError::AckIdNotNumber {
            at,
            digits: raw.to_string(),
        });
    }
    if trimmed.len() > 1 && trimmed.starts_with('0') {
        quirks.push(Quirk::LeadingZerosInAckId);
    }
    let id: u64 = trimmed.parse().map_err(|_| SioError::AckIdOverflow {
        at,
        digits: trimmed.to_string(),
    })?;
    if id > MAX_SAFE_INTEGER {
        quirks.push(Quirk::AckIdBeyondSafeInteger);
    }
    Ok(id)
}

fn first_char(s: &str) -> String {
    match s.chars().next() {
        Some(c) if c.is_ascii_graphic() => format!("{c:?}"),
        Some(c) => format!("{:?} (U+{:04X})", c, c as u32),
        None => "nothing".into(),
    }
}

/// Judges the data as the reference does, in one pass that also reads its [`DataInfo`].
fn validate_payload<'a>(
    kind: PacketType,
    version: SioVersion,
    json: &'a str,
    at: usize,
    quirks: &mut Vec<Quirk>,
) -> Result<DataInfo<'a>, SioError> {
    let scan = json_scan::scan(json).map_err(|e| SioError::InvalidJson {
        at: at + json_error_offset(json, &e),
        reason: format!("JSON {}", strip_position(&e)),
    })?;
    judge_payload(kind, version, &scan.shape)?;
    quirks.extend(dialect_of(kind, version, &scan.shape));
    Ok(DataInfo::of(kind, scan))
}

/// Data the reference judges one way and a real server sends with a clear intent (see
/// [`Quirk`]): accepted by [`judge_payload`], named here.
fn dialect_of(kind: PacketType, version: SioVersion, shape: &Shape<'_>) -> Option<Quirk> {
    match (kind, version, shape) {
        (PacketType::Disconnect, _, Shape::Object) => Some(Quirk::DisconnectWithPayload),
        (PacketType::ConnectError, SioVersion::V5, Shape::String) => Some(Quirk::StringConnectError),
        _ => None,
    }
}

fn judge_payload(kind: PacketType, version: SioVersion, shape: &Shape<'_>) -> Result<(), SioError> {
    let invalid = |reason: String| Err(SioError::InvalidPayload { reason });
    match kind {
        PacketType::Connect => match (version, shape) {
            (_, Shape::Object) => Ok(()),
            (SioVersion::V4, Shape::Array { .. } | Shape::Null) => Ok(()),
            (SioVersion::V5, _) => invalid(format!("CONNECT payload is {}, not a JSON object", shape_name(shape))),
            (SioVersion::V4, _) => invalid(format!("CONNECT payload is {}, not a JSON object", shape_name(shape))),
        },
        PacketType::Disconnect => match shape {
            // python-socketio's refusal with always_connect (a quirk).
            Shape::Object => Ok(()),
            _ => invalid(format!("DISCONNECT carries no payload (found {})", shape_name(shape))),
        },
        PacketType::ConnectError => match (version, shape) {
            (_, Shape::String | Shape::Object) => Ok(()),
            (SioVersion::V4, Shape::Array { .. } | Shape::Null) => Ok(()),
            _ => invalid(format!(
                "{} payload is {}, not a string or an object",
                kind.name(version),
                shape_name(shape)
            )),
        },
        PacketType::Ack | PacketType::BinaryAck => match shape {
            Shape::Array { .. } => Ok(()),
            _ => invalid(format!("ack payload is {}, not a JSON array", shape_name(shape))),
        },
        PacketType::Event | PacketType::BinaryEvent => match shape {
            Shape::Array { first: None, .. } => invalid("event payload is an empty array (no event name)".into()),
            Shape::Array {
                first: Some(Head::Number(_)),
                ..
            } => Ok(()),
            Shape::Array {
                first: Some(Head::String(name)),
                ..
            } => {
                if version == SioVersion::V5 && RESERVED_EVENTS.contains(&name.as_ref()) {
                    invalid(format!("event name {name:?} is reserved"))
                } else {
                    Ok(())
                }
            }
            Shape::Array {
                first: Some(Head::Other(what)),
                ..
            } => invalid(format!("event name is {what}, not a string or a number")),
            _ => invalid(format!("event payload is {}, not a JSON array", shape_name(shape))),
        },
    }
}

fn shape_name(shape: &Shape<'_>) -> &'static str {
    match shape {
        Shape::Null => "null",
        Shape::Bool => "a boolean",
        Shape::Number => "a number",
        Shape::String => "a string",
        Shape::Object => "an object",
        Shape::Array { .. } => "an array",
    }
}

/// serde_json reports line and column; turn that into a byte offset.
fn json_error_offset(json: &str, e: &serde_json::Error) -> usize {
    if e.is_eof() {
        return json.len();
    }
    let mut offset = 0;
    for (i, line) in json.split('\n').enumerate() {
        if i + 1 == e.line() {
            return (offset + e.column().saturating_sub(1)).min(json.len());
        }
        offset += line.len() + 1;
    }
    json.len()
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Encodes a packet as socket.io-parser does: type, `N-`, `nsp,` (unless "/"), id, JSON.
pub fn encode(packet: &Packet<'_>) -> String {
    let mut s = String::with_capacity(8 + packet.nsp.len() + packet.data.as_ref().map_or(0, |d| d.len()));
    encode_into(packet, &mut s);
    s
}

/// Like [`encode`], appending to `out` (e.g. after an Engine.IO `4`).
pub fn encode_into(packet: &Packet<'_>, out: &mut String) {
    use std::fmt::Write as _;
    out.push(packet.kind.digit());
    if let Some(n) = packet.attachments.filter(|_| packet.kind.is_binary()) {
        let _ = write!(out, "{n}-");
    }
    if packet.nsp != "/" {
        out.push_str(&packet.nsp);
        out.push(',');
    }
    if let Some(id) = packet.id {
        let _ = write!(out, "{id}");
    }
    if let Some(data) = &packet.data {
        out.push_str(data);
    }
}

/// The event name of an EVENT's data (`["chat", …]` → `chat`; numbers as text).
pub fn event_name(data: &str) -> Option<String> {
    data_info(PacketType::Event, data).event.map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Packet<'_> {
        decode(s, SioVersion::V5).expect("valid").packet
    }

    fn err(s: &str) -> String {
        decode(s, SioVersion::V5).expect_err("invalid").to_string()
    }

    #[test]
    fn event_with_namespace_and_ack_id() {
        let p = ok(r#"2/admin,7["chat",{"text":"hi"}]"#);
        assert_eq!(p.kind, PacketType::Event);
        assert_eq!(p.nsp, "/admin");
        assert_eq!(p.id, Some(7));
        assert_eq!(p.data.as_deref(), Some(r#"["chat",{"text":"hi"}]"#));
    }

    #[test]
    fn binary_header() {
        let p = ok(r#"62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#);
        assert_eq!(p.kind, PacketType::BinaryAck);
        assert_eq!(p.attachments, Some(2));
        assert_eq!(p.id, Some(789));
    }

    #[test]
    fn reference_verdicts() {
        assert_eq!(err("2["), "invalid payload at byte 2: JSON EOF while parsing a list");
        assert_eq!(
            err(r#"2"notarray""#),
            "invalid payload: event payload is a string, not a JSON array"
        );
        assert_eq!(
            err("2[]"),
            "invalid payload: event payload is an empty array (no event name)"
        );
        assert_eq!(
            err(r#"2["connect"]"#),
            "invalid payload: event name \"connect\" is reserved"
        );
        assert!(decode(r#"2["connect"]"#, SioVersion::V4).is_ok());
        assert_eq!(err("7"), "unknown packet type '7' at byte 0 (expected a digit 0-6)");
        assert_eq!(
            err(r#"50-["x"]"#),
            "illegal attachments at byte 1: a binary packet announces at least 1 attachment"
        );
        assert_eq!(
            err(r#"5["x"]"#),
            "illegal attachments at byte 1: the attachment count must be followed by '-'"
        );
        assert_eq!(
            err(r#"5x-["x"]"#),
            "illegal attachments at byte 1: count \"x\" is not a number"
        );
        assert_eq!(
            err(r#"511-["x"]"#),
            "too many attachments: 11 announced, the limit is 10"
        );
        assert_eq!(
            err("1[]"),
            "invalid payload: DISCONNECT carries no payload (found an array)"
        );
        assert_eq!(
            err("0[]"),
            "invalid payload: CONNECT payload is an array, not a JSON object"
        );
        assert!(decode("0[]", SioVersion::V4).is_ok());
        assert!(err(r#"2["x"]garbage"#).starts_with("invalid payload at byte 6: JSON trailing characters"));
        assert!(err(r#"2abc["x"]"#).starts_with("invalid payload at byte 1"));
        assert_eq!(
            err("299999999999999999999999[\"x\"]"),
            "ack id 99999999999999999999999 at byte 1 overflows"
        );
    }

    #[test]
    fn quirks_are_reported() {
        let d = decode("0/admin", SioVersion::V5).expect("valid");
        assert_eq!(d.packet.nsp, "/admin");
        assert_eq!(d.quirks, [Quirk::NamespaceWithoutComma]);
        let d = decode(r#"2 ["x"]"#, SioVersion::V5).expect("valid");
        assert_eq!(d.packet.id, Some(0));
        assert_eq!(d.quirks, [Quirk::WhitespaceInAckId]);
        let d = decode(r#"201["x"]"#, SioVersion::V5).expect("valid");
        assert_eq!(d.packet.id, Some(1));
        assert_eq!(d.quirks, [Quirk::LeadingZerosInAckId]);
        // `2/admin["x"]` swallows the JSON into the namespace, as the reference does.
        let d = decode(r#"2/admin["x"]"#, SioVersion::V5).expect("valid");
        assert_eq!(d.packet.nsp, r#"/admin["x"]"#);
        assert_eq!(d.packet.data, None);
    }

    #[test]
    fn dialect_frames_decode_with_their_quirk() {
        use SioVersion::{V4, V5};
        /// (packet, revision, namespace, data, quirks)
        type Case<'a> = (&'a str, SioVersion, &'a str, Option<&'a str>, &'a [Quirk]);
        // Frames real servers send.
        let cases: &[Case<'_>] = &[
            // python-socketio, always_connect=True, refusing /admin.
            (
                r#"1/admin,{"message":"not authorized"}"#,
                V5,
                "/admin",
                Some(r#"{"message":"not authorized"}"#),
                &[Quirk::DisconnectWithPayload],
            ),
            ("1{}", V4, "/", Some("{}"), &[Quirk::DisconnectWithPayload]),
            // python-socketio refusing an unknown namespace.
            (
                r#"4/nope,"Unable to connect""#,
                V5,
                "/nope",
                Some(r#""Unable to connect""#),
                &[Quirk::StringConnectError],
            ),
            // The same string is the normal form in revision 4 (socket.io 2.x).
            (
                r#"4/admin,"not authorized""#,
                V4,
                "/admin",
                Some(r#""not authorized""#),
                &[],
            ),
            (
                r#"4{"message":"not authorized"}"#,
                V5,
                "/",
                Some(r#"{"message":"not authorized"}"#),
                &[],
            ),
            ("1/admin,", V5, "/admin", None, &[]),
        ];
        for &(text, version, nsp, data, quirks) in cases {
            let d = decode(text, version).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(d.packet.nsp, nsp, "{text}");
            assert_eq!(d.packet.data.as_deref(), data, "{text}");
            assert_eq!(d.quirks, quirks, "{text}");
            // Re-encoded, the frame is the same bytes: nothing was dropped.
            assert_eq!(encode(&d.packet), text, "{text}");
        }
        // Only an object is read as a DISCONNECT's reason; anything else stays malformed.
        for text in ["1[]", r#"1"x""#, "1null", "1true"] {
            assert!(decode(text, V5).is_err(), "{text}");
        }
    }

    #[test]
    fn quirks_name_the_sender_and_the_reference_verdict() {
        let text = Quirk::DisconnectWithPayload.to_string();
        assert!(
            text.contains("python-socketio") && text.contains("parse error"),
            "{text}"
        );
        let text = Quirk::StringConnectError.to_string();
        assert!(
            text.contains("python-socketio") && text.contains("empty message"),
            "{text}"
        );
        let json = serde_json::to_string(&Quirk::DisconnectWithNilData).expect("serialise");
        assert_eq!(json, r#"{"quirk":"disconnect_with_nil_data"}"#);
    }

    #[test]
    fn packets_without_data_decode() {
        for s in ["2", "3", "31", "4", "42"] {
            assert!(decode(s, SioVersion::V5).is_ok(), "{s}");
        }
    }

    #[test]
    fn encode_matches_the_reference_encoder() {
        let p = Packet::new(PacketType::Connect, "/admin");
        assert_eq!(encode(&p), "0/admin,");
        let p = Packet::new(PacketType::BinaryEvent, "/admin")
            .with_attachments(1)
            .with_id(1)
            .with_data(r#"["up",{"_placeholder":true,"num":0}]"#);
        assert_eq!(encode(&p), r#"51-/admin,1["up",{"_placeholder":true,"num":0}]"#);
        assert_eq!(ok(&encode(&p)), p);
    }

    #[test]
    fn event_names() {
        assert_eq!(event_name(r#"["chat",1]"#).as_deref(), Some("chat"));
        assert_eq!(event_name("[7]").as_deref(), Some("7"));
        assert_eq!(event_name("[]"), None);
    }
}
