//! socket.io-msgpack-parser 3.x (Socket.IO 3/4): each packet is one msgpack map.
//!
//! A packet travels as one binary Engine.IO message holding a msgpack map with the
//! keys `type` (0-4), `nsp`, and optionally `data` and `id`, encoded by notepack.io.
//! Binary values are embedded natively, so there are no BINARY_* packets.
//!
//! [`decode`] turns such a message into the representation the rest of `sio` uses
//! for every parser: a [`Packet`] whose `data` is JSON text plus the binary values
//! as attachments, each replaced in the JSON by `{"_placeholder":true,"num":i}`.
//! notepack's extensions are rendered as follows:
//!
//! | msgpack | JSON |
//! |---|---|
//! | bin8/16/32 (Buffer), ext8/16/32 type 0 (ArrayBuffer) | `{"_placeholder":true,"num":i}` + attachment |
//! | fixext1 type 0 (`undefined`) | as `data`: no data; in an array: `null`; in a map: key omitted |
//! | fixext8 type 0 (Date) | `{"_date":<ms since epoch>}` |
//! | any other ext | `{"_ext":<type>,"base64":"…"}` |
//! | float NaN / ±inf | `null` |
//! | map key that is not a string | the key's JSON text (`1`, `null`, `[1,2]`; binary as `{"_binary":"<base64>"}`) |
//!
//! [`encode`] is the inverse: placeholders become bin values, and objects shaped
//! exactly like `{"_date":<int>}` or `{"_ext":<int>,"base64":"…"}` become the
//! extension they stand for, so `decode(encode(p)) == p` for what `decode` yields.
//!
//! Key order written by [`encode`] follows what the Node server writes for its own
//! packets, so its frames re-encode byte for byte: `id`, `type`, `data`, `nsp` for
//! an ACK (the server builds `{id, type, data}` and adds `nsp`), and `type`, `data`,
//! `id`, `nsp` for everything else (`{type, data}`, then `id` for an ack request,
//! then `nsp`). Absent `data` and `id` are left out rather than written as `undefined`.

use std::borrow::Cow;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::binary::Message;
use super::sio::{Packet, PacketType, Quirk};

/// How deeply msgpack arrays and maps may nest, the packet's own map included.
/// It keeps the rendered JSON (which adds a level for placeholders, dates and
/// exts) under serde_json's recursion limit of 128, so the data can be parsed again.
pub const MAX_DEPTH: usize = 100;

/// Why bytes are not a socket.io-msgpack-parser packet, or a packet cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MsgpackError {
    #[error("empty binary message: a msgpack packet is at least one byte")]
    Empty,
    #[error("msgpack: unexpected end of input at byte {at} ({what} that starts at byte {start} is cut short)")]
    UnexpectedEnd {
        at: usize,
        start: usize,
        what: &'static str,
    },
    #[error("msgpack: byte 0xc1 at byte {at} is not a valid marker (it is never used)")]
    InvalidMarker { at: usize },
    #[error("msgpack: arrays and maps nest deeper than {max} levels at byte {at}")]
    TooDeep { at: usize, max: usize },
    #[error("trailing bytes after the packet at byte {at}: {count} more byte(s)")]
    TrailingBytes { at: usize, count: usize },
    #[error("the packet is {found} (first byte 0x{first:02x}), not a msgpack map")]
    NotAMap { found: String, first: u8 },
    #[error("missing packet type: the map has no \"type\" key")]
    MissingType,
    #[error("invalid packet type {found} (expected an integer 0-4)")]
    InvalidType { found: String },
    #[error("missing nsp: the map has no \"nsp\" key")]
    MissingNsp,
    #[error("invalid namespace: nsp is {found}, not a string")]
    InvalidNsp { found: String },
    #[error("invalid packet id {found}: {reason}")]
    InvalidId { found: String, reason: &'static str },
    #[error("invalid payload: {reason}")]
    InvalidPayload { reason: String },
    #[error("cannot encode: the data is not valid JSON at byte {at}: {reason}")]
    InvalidJson { at: usize, reason: String },
    #[error("cannot encode: placeholder num {num} does not name one of the {count} attachments")]
    MissingAttachment { num: String, count: usize },
    #[error("cannot encode: attachment {index} is not used by any placeholder ({count} given)")]
    UnusedAttachment { index: usize, count: usize },
    #[error("cannot encode: {what} of {len} is too long for msgpack (at most 4294967295)")]
    TooLong { what: &'static str, len: usize },
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// One decoded msgpack value, borrowing from the input.
#[derive(Debug, PartialEq)]
enum Node<'a> {
    Nil,
    /// notepack's `undefined` (fixext1 type 0).
    Undefined,
    Bool(bool),
    /// Any integer ≥ 0, whatever its encoding.
    UInt(u64),
    /// A negative integer.
    Int(i64),
    /// float32 (widened, as JavaScript sees it) or float64.
    Float(f64),
    Str(Cow<'a, str>),
    /// bin8/16/32 (Buffer) or ext8/16/32 type 0 (ArrayBuffer).
    Bin(&'a [u8]),
    /// notepack's Date (fixext8 type 0): ms since the epoch.
    Date(i64),
    Ext(i8, &'a [u8]),
    Array(Vec<Node<'a>>),
    Map(Vec<(Node<'a>, Node<'a>)>),
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, what: &'static str, start: usize) -> Result<&'a [u8], MsgpackError> {
        let end = self.pos.saturating_add(n);
        let bytes = self.buf.get(self.pos..end).ok_or(MsgpackError::UnexpectedEnd {
            at: self.buf.len(),
            start,
            what,
        })?;
        self.pos = end;
        Ok(bytes)
    }

    fn array_of<const N: usize>(&mut self, what: &'static str, start: usize) -> Result<[u8; N], MsgpackError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what, start)?);
        Ok(out)
    }

    fn u8(&mut self, what: &'static str, start: usize) -> Result<u8, MsgpackError> {
        Ok(self.array_of::<1>(what, start)?[0])
    }

    fn u16(&mut self, what: &'static str, start: usize) -> Result<usize, MsgpackError> {
        Ok(usize::from(u16::from_be_bytes(self.array_of(what, start)?)))
    }

    fn u32(&mut self, what: &'static str, start: usize) -> Result<usize, MsgpackError> {
        let n = u32::from_be_bytes(self.array_of(what, start)?);
        // On a 16-bit target a length this large cannot fit anyway: it is cut short.
        usize::try_from(n).map_err(|_| MsgpackError::UnexpectedEnd {
            at: self.buf.len(),
            start,
            what,
        })
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, MsgpackError> {
        let start = self.pos;
        let marker = self.u8("a value", start)?;
        let node = match marker {
            0x00..=0x7f => Node::UInt(u64::from(marker)),
            0x80..=0x8f => self.map(usize::from(marker & 0x0f), depth, start)?,
            0x90..=0x9f => self.array(usize::from(marker & 0x0f), depth, start)?,
            0xa0..=0xbf => self.str(usize::from(marker & 0x1f), start)?,
            0xc0 => Node::Nil,
            0xc1 => return Err(MsgpackError::InvalidMarker { at: start }),
            0xc2 => Node::Bool(false),
            0xc3 => Node::Bool(true),
            0xc4 => {
                let n = usize::from(self.u8("a bin8", start)?);
                Node::Bin(self.take(n, "a bin8", start)?)
            }
            0xc5 => {
                let n = self.u16("a bin16", start)?;
                Node::Bin(self.take(n, "a bin16", start)?)
            }
            0xc6 => {
                let n = self.u32("a bin32", start)?;
                Node::Bin(self.take(n, "a bin32", start)?)
            }
            0xc7 => {
                let n = usize::from(self.u8("an ext8", start)?);
                self.ext(n, "an ext8", start)?
            }
            0xc8 => {
                let n = self.u16("an ext16", start)?;
                self.ext(n, "an ext16", start)?
            }
            0xc9 => {
                let n = self.u32("an ext32", start)?;
                self.ext(n, "an ext32", start)?
            }
            0xca => Node::Float(f64::from(f32::from_be_bytes(self.array_of("a float32", start)?))),
            0xcb => Node::Float(f64::from_be_bytes(self.array_of("a float64", start)?)),
            0xcc => Node::UInt(u64::from(self.u8("a uint8", start)?)),
            0xcd => Node::UInt(u64::from(u16::from_be_bytes(self.array_of("a uint16", start)?))),
            0xce => Node::UInt(u64::from(u32::from_be_bytes(self.array_of("a uint32", start)?))),
            0xcf => Node::UInt(u64::from_be_bytes(self.array_of("a uint64", start)?)),
            0xd0 => int(i64::from(i8::from_be_bytes(self.array_of("an int8", start)?))),
            0xd1 => int(i64::from(i16::from_be_bytes(self.array_of("an int16", start)?))),
            0xd2 => int(i64::from(i32::from_be_bytes(self.array_of("an int32", start)?))),
            0xd3 => int(i64::from_be_bytes(self.array_of("an int64", start)?)),
            0xd4 => self.fixext(1, "a fixext1", start)?,
            0xd5 => self.fixext(2, "a fixext2", start)?,
            0xd6 => self.fixext(4, "a fixext4", start)?,
            0xd7 => self.fixext(8, "a fixext8", start)?,
            0xd8 => self.fixext(16, "a fixext16", start)?,
            0xd9 => {
                let n = usize::from(self.u8("a str8", start)?);
                self.str(n, start)?
            }
            0xda => {
                let n = self.u16("a str16", start)?;
                self.str(n, start)?
            }
            0xdb => {
                let n = self.u32("a str32", start)?;
                self.str(n, start)?
            }
            0xdc => {
                let n = self.u16("an array16", start)?;
                self.array(n, depth, start)?
            }
            0xdd => {
                let n = self.u32("an array32", start)?;
                self.array(n, depth, start)?
            }
            0xde => {
                let n = self.u16("a map16", start)?;
                self.map(n, depth, start)?
            }
            0xdf => {
                let n = self.u32("a map32", start)?;
                self.map(n, depth, start)?
            }
            0xe0..=0xff => Node::Int(i64::from(marker as i8)),
        };
        Ok(node)
    }

    fn str(&mut self, n: usize, start: usize) -> Result<Node<'a>, MsgpackError> {
        let bytes = self.take(n, "a string", start)?;
        // notepack (Buffer#toString) replaces invalid UTF-8 the same way.
        Ok(Node::Str(String::from_utf8_lossy(bytes)))
    }

    fn ext(&mut self, n: usize, what: &'static str, start: usize) -> Result<Node<'a>, MsgpackError> {
        let kind = i8::from_be_bytes(self.array_of(what, start)?);
        let bytes = self.take(n, what, start)?;
        Ok(if kind == 0 {
            Node::Bin(bytes)
        } else {
            Node::Ext(kind, bytes)
        })
    }

    fn fixext(&mut self, n: usize, what: &'static str, start: usize) -> Result<Node<'a>, MsgpackError> {
        let kind = i8::from_be_bytes(self.array_of(what, start)?);
        let bytes = self.take(n, what, start)?;
        Ok(match (kind, bytes) {
            (0, [_]) => Node::Undefined,
            (0, &[a, b, c, d, e, f, g, h]) => Node::Date(i64::from_be_bytes([a, b, c, d, e, f, g, h])),
            _ => Node::Ext(kind, bytes),
        })
    }

    fn enter(&self, depth: usize, start: usize) -> Result<(), MsgpackError> {
        if depth >= MAX_DEPTH {
            return Err(MsgpackError::TooDeep {
                at: start,
                max: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn array(&mut self, len: usize, depth: usize, start: usize) -> Result<Node<'a>, MsgpackError> {
        self.enter(depth, start)?;
        // Every element takes at least one byte: never reserve more than the input holds.
        let mut items = Vec::with_capacity(len.min(self.remaining()));
        for _ in 0..len {
            items.push(self.value(depth + 1)?);
        }
        Ok(Node::Array(items))
    }

    fn map(&mut self, len: usize, depth: usize, start: usize) -> Result<Node<'a>, MsgpackError> {
        self.enter(depth, start)?;
        let mut entries = Vec::with_capacity(len.min(self.remaining() / 2));
        for _ in 0..len {
            let key = self.value(depth + 1)?;
            let value = self.value(depth + 1)?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

fn int(v: i64) -> Node<'static> {
    match u64::try_from(v) {
        Ok(u) => Node::UInt(u),
        Err(_) => Node::Int(v),
    }
}

/// Decodes one binary Engine.IO message of socket.io-msgpack-parser 3.x.
///
/// Validation follows the default text parser: CONNECT data absent or an object,
/// DISCONNECT no data, CONNECT_ERROR a string or an object, EVENT a non-empty array
/// whose first element is a string or a number, ACK an array, `id` absent or an
/// integer ≥ 0, `nsp` a string. Unknown keys (the JS client's `options`) are ignored.
pub fn decode(bytes: &[u8]) -> Result<Message, MsgpackError> {
    decode_with_quirks(bytes).map(|(message, _)| message)
}

/// Like [`decode`], also naming the dialects it read: python-socketio's DISCONNECT with
/// `data: nil` or with a refusal, and a string CONNECT_ERROR.
pub fn decode_with_quirks(bytes: &[u8]) -> Result<(Message, Vec<Quirk>), MsgpackError> {
    let first = *bytes.first().ok_or(MsgpackError::Empty)?;
    let mut reader = Reader { buf: bytes, pos: 0 };
    let root = reader.value(0)?;
    let Node::Map(entries) = root else {
        return Err(MsgpackError::NotAMap {
            found: show(&root),
            first,
        });
    };
    if reader.pos < bytes.len() {
        return Err(MsgpackError::TrailingBytes {
            at: reader.pos,
            count: bytes.len() - reader.pos,
        });
    }

    // Later keys win, as in a JavaScript object; `undefined` counts as absent.
    let (mut ty, mut nsp, mut data, mut id) = (None, None, None, None);
    for (key, value) in entries {
        let Node::Str(key) = key else { continue };
        let slot = match key.as_ref() {
            "type" => &mut ty,
            "nsp" => &mut nsp,
            "data" => &mut data,
            "id" => &mut id,
            _ => continue,
        };
        *slot = Some(value).filter(|v| *v != Node::Undefined);
    }

    let kind = match &ty {
        None => return Err(MsgpackError::MissingType),
        Some(t) => match whole_number(t) {
            Some(0) => PacketType::Connect,
            Some(1) => PacketType::Disconnect,
            Some(2) => PacketType::Event,
            Some(3) => PacketType::Ack,
            Some(4) => PacketType::ConnectError,
            _ => return Err(MsgpackError::InvalidType { found: show(t) }),
        },
    };
    let nsp = match nsp {
        None => return Err(MsgpackError::MissingNsp),
        Some(Node::Str(s)) => s.into_owned(),
        Some(other) => return Err(MsgpackError::InvalidNsp { found: show(&other) }),
    };
    let mut quirks = Vec::new();
    if kind == PacketType::Disconnect && data == Some(Node::Nil) {
        // python-socketio writes `data: nil` into every packet; a DISCONNECT's means none.
        data = None;
        quirks.push(Quirk::DisconnectWithNilData);
    }
    check_payload(kind, data.as_ref())?;
    quirks.extend(dialect_of(kind, data.as_ref()));
    let id = match &id {
        None => None,
        Some(n) => Some(ack_id(n)?),
    };

    let mut attachments = Vec::new();
    let data = data.map(|d| {
        let mut json = String::new();
        write_json(&d, &mut json, Some(&mut attachments));
        Cow::Owned(json)
    });
    let message = Message {
        packet: Packet {
            kind,
            attachments: None,
            nsp: Cow::Owned(nsp),
            id,
            data,
        },
        attachments,
    };
    Ok((message, quirks))
}

/// Data socket.io-msgpack-parser judges one way and a real server sends with a clear
/// intent (see [`Quirk`]): accepted by [`check_payload`], named here.
fn dialect_of(kind: PacketType, data: Option<&Node<'_>>) -> Option<Quirk> {
    match (kind, data) {
        (PacketType::Disconnect, Some(Node::Map(_))) => Some(Quirk::DisconnectWithPayload),
        (PacketType::ConnectError, Some(Node::Str(_))) => Some(Quirk::StringConnectError),
        _ => None,
    }
}

/// The value as a non-negative whole number, as `Number.isInteger` sees it.
fn whole_number(node: &Node<'_>) -> Option<u64> {
    match *node {
        Node::UInt(n) => Some(n),
        // 2^64 is exact in f64; everything below it that is whole fits a u64.
        Node::Float(f) if f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f) => Some(f as u64),
        _ => None,
    }
}

fn ack_id(node: &Node<'_>) -> Result<u64, MsgpackError> {
    if let Some(n) = whole_number(node) {
        return Ok(n);
    }
    let reason = match *node {
        Node::Int(_) => "ack ids are never negative",
        Node::Float(f) if f.is_finite() && f.fract() == 0.0 && f < 0.0 => "ack ids are never negative",
        Node::Float(f) if f.is_finite() && f.fract() == 0.0 => "it is too large",
        _ => "it is not an integer",
    };
    Err(MsgpackError::InvalidId {
        found: show(node),
        reason,
    })
}

fn check_payload(kind: PacketType, data: Option<&Node<'_>>) -> Result<(), MsgpackError> {
    let invalid = |reason: String| Err(MsgpackError::InvalidPayload { reason });
    match (kind, data) {
        (PacketType::Connect, None | Some(Node::Map(_))) => Ok(()),
        (PacketType::Connect, Some(d)) => invalid(format!("CONNECT payload is {}, not an object", shape(d))),
        // python-socketio's refusal with always_connect (a quirk).
        (PacketType::Disconnect, None | Some(Node::Map(_))) => Ok(()),
        (PacketType::Disconnect, Some(d)) => invalid(format!("DISCONNECT carries no payload (found {})", shape(d))),
        (PacketType::ConnectError, Some(Node::Str(_) | Node::Map(_))) => Ok(()),
        (PacketType::ConnectError, None) => {
            invalid("CONNECT_ERROR payload is missing (a string or an object is required)".into())
        }
        (PacketType::ConnectError, Some(d)) => invalid(format!(
            "CONNECT_ERROR payload is {}, not a string or an object",
            shape(d)
        )),
        (PacketType::Ack | PacketType::BinaryAck, Some(Node::Array(_))) => Ok(()),
        (PacketType::Ack | PacketType::BinaryAck, None) => {
            invalid("ack payload is missing (an array is required)".into())
        }
        (PacketType::Ack | PacketType::BinaryAck, Some(d)) => {
            invalid(format!("ack payload is {}, not an array", shape(d)))
        }
        (PacketType::Event | PacketType::BinaryEvent, Some(Node::Array(items))) => match items.first() {
            None => invalid("event payload is an empty array (no event name)".into()),
            Some(Node::Str(_) | Node::UInt(_) | Node::Int(_) | Node::Float(_)) => Ok(()),
            Some(other) => invalid(format!("event name is {}, not a string or a number", shape(other))),
        },
        (PacketType::Event | PacketType::BinaryEvent, None) => {
            invalid("event payload is missing (a non-empty array is required)".into())
        }
        (PacketType::Event | PacketType::BinaryEvent, Some(d)) => {
            invalid(format!("event payload is {}, not an array", shape(d)))
        }
    }
}

/// What kind of value a node is, for messages.
fn shape(node: &Node<'_>) -> &'static str {
    match node {
        Node::Nil => "null",
        Node::Undefined => "undefined",
        Node::Bool(_) => "a boolean",
        Node::UInt(_) | Node::Int(_) | Node::Float(_) => "a number",
        Node::Str(_) => "a string",
        Node::Bin(_) => "binary data",
        Node::Date(_) => "a date",
        Node::Ext(..) => "an ext value",
        Node::Array(_) => "an array",
        Node::Map(_) => "a map",
    }
}

/// A short description of a value, for messages: scalars as themselves.
fn show(node: &Node<'_>) -> String {
    match node {
        Node::Nil => "null".into(),
        Node::Undefined => "undefined".into(),
        Node::Bool(b) => b.to_string(),
        Node::UInt(n) => n.to_string(),
        Node::Int(n) => n.to_string(),
        Node::Float(f) => f.to_string(),
        Node::Str(s) if s.chars().count() > 40 => {
            let head: String = s.chars().take(40).collect();
            format!("{head:?}…")
        }
        Node::Str(s) => format!("{s:?}"),
        Node::Bin(b) => format!("binary data ({} bytes)", b.len()),
        Node::Ext(t, _) => format!("an ext value (type {t})"),
        other => shape(other).into(),
    }
}

/// Writes a node as JSON. With `attachments`, binary values become placeholders and
/// their bytes are collected; without (map keys), they are written as base64.
fn write_json(node: &Node<'_>, out: &mut String, mut attachments: Option<&mut Vec<Vec<u8>>>) {
    match node {
        Node::Nil | Node::Undefined => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::UInt(n) => {
            let _ = write!(out, "{n}");
        }
        Node::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Node::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.push_str("null"),
        },
        Node::Str(s) => write_json_str(s, out),
        Node::Bin(bytes) => match attachments {
            Some(list) => {
                let _ = write!(out, r#"{{"_placeholder":true,"num":{}}}"#, list.len());
                list.push(bytes.to_vec());
            }
            None => {
                out.push_str(r#"{"_binary":""#);
                BASE64.encode_string(bytes, out);
                out.push_str(r#""}"#);
            }
        },
        Node::Date(ms) => {
            let _ = write!(out, r#"{{"_date":{ms}}}"#);
        }
        Node::Ext(kind, bytes) => {
            let _ = write!(out, r#"{{"_ext":{kind},"base64":""#);
            BASE64.encode_string(bytes, out);
            out.push_str(r#""}"#);
        }
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, attachments.as_deref_mut());
            }
            out.push(']');
        }
        Node::Map(entries) => {
            out.push('{');
            let mut first = true;
            for (key, value) in entries {
                if *value == Node::Undefined {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                match key {
                    Node::Str(k) => write_json_str(k, out),
                    Node::Undefined => out.push_str(r#""undefined""#),
                    other => {
                        let mut text = String::new();
                        write_json(other, &mut text, None);
                        write_json_str(&text, out);
                    }
                }
                out.push(':');
                write_json(value, out, attachments.as_deref_mut());
            }
            out.push('}');
        }
    }
}

/// A JSON string literal, escaped as serde_json escapes it.
fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/// Encodes a packet as socket.io-msgpack-parser 3.x does, replacing each
/// `{"_placeholder":true,"num":i}` in the JSON data by `attachments[i]` as a msgpack bin.
///
/// Key order: `id`, `type`, `data`, `nsp` for ACK; `type`, `data`, `id`, `nsp` otherwise
/// (what the Node server writes). BINARY_EVENT/BINARY_ACK are written as EVENT/ACK,
/// since msgpack carries binary inline. The payload is not validated, so malformed
/// packets can be sent on purpose; every attachment must be used by a placeholder.
pub fn encode(packet: &Packet<'_>, attachments: &[Vec<u8>]) -> Result<Vec<u8>, MsgpackError> {
    let type_number: u64 = match packet.kind {
        PacketType::Connect => 0,
        PacketType::Disconnect => 1,
        PacketType::Event | PacketType::BinaryEvent => 2,
        PacketType::Ack | PacketType::BinaryAck => 3,
        PacketType::ConnectError => 4,
    };
    let data = match &packet.data {
        Some(text) => Some(parse_json(text)?),
        None => None,
    };

    let mut w = Writer {
        out: Vec::with_capacity(
            16 + packet.nsp.len()
                + packet.data.as_ref().map_or(0, |d| d.len())
                + attachments.iter().map(|a| a.len() + 5).sum::<usize>(),
        ),
        attachments,
        used: vec![false; attachments.len()],
    };
    let fields = 2 + usize::from(data.is_some()) + usize::from(packet.id.is_some());
    w.map_header(fields)?;
    let id_first = packet.kind.is_ack();
    if let Some(id) = packet.id.filter(|_| id_first) {
        w.str("id")?;
        w.uint(id);
    }
    w.str("type")?;
    w.uint(type_number);
    if let Some(data) = &data {
        w.str("data")?;
        w.value(data)?;
    }
    if let Some(id) = packet.id.filter(|_| !id_first) {
        w.str("id")?;
        w.uint(id);
    }
    w.str("nsp")?;
    w.str(&packet.nsp)?;

    if let Some(index) = w.used.iter().position(|used| !used) {
        return Err(MsgpackError::UnusedAttachment {
            index,
            count: attachments.len(),
        });
    }
    Ok(w.out)
}

struct Writer<'a> {
    out: Vec<u8>,
    attachments: &'a [Vec<u8>],
    used: Vec<bool>,
}

impl Writer<'_> {
    fn len32(what: &'static str, len: usize) -> Result<u32, MsgpackError> {
        u32::try_from(len).map_err(|_| MsgpackError::TooLong { what, len })
    }

    /// A marker followed by a length in 1, 2 or 4 bytes, whichever is smallest.
    fn sized(&mut self, what: &'static str, len: usize, markers: [u8; 3]) -> Result<(), MsgpackError> {
        let n = Self::len32(what, len)?;
        if let Ok(n) = u8::try_from(n) {
            self.out.extend_from_slice(&[markers[0], n]);
        } else if let Ok(n) = u16::try_from(n) {
            self.out.push(markers[1]);
            self.out.extend_from_slice(&n.to_be_bytes());
        } else {
            self.out.push(markers[2]);
            self.out.extend_from_slice(&n.to_be_bytes());
        }
        Ok(())
    }

    /// An array or map header: the fix form below 16, else 16 or 32 bits.
    fn container(&mut self, what: &'static str, len: usize, fix: u8, m16: u8, m32: u8) -> Result<(), MsgpackError> {
        let n = Self::len32(what, len)?;
        if n < 16 {
            self.out.push(fix | n as u8);
        } else if let Ok(n) = u16::try_from(n) {
            self.out.push(m16);
            self.out.extend_from_slice(&n.to_be_bytes());
        } else {
            self.out.push(m32);
            self.out.extend_from_slice(&n.to_be_bytes());
        }
        Ok(())
    }

    fn map_header(&mut self, len: usize) -> Result<(), MsgpackError> {
        self.container("a map", len, 0x80, 0xde, 0xdf)
    }

    fn str(&mut self, s: &str) -> Result<(), MsgpackError> {
        if s.len() < 32 {
            self.out.push(0xa0 | s.len() as u8);
        } else {
            self.sized("a string", s.len(), [0xd9, 0xda, 0xdb])?;
        }
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn bin(&mut self, bytes: &[u8]) -> Result<(), MsgpackError> {
        self.sized("binary data", bytes.len(), [0xc4, 0xc5, 0xc6])?;
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    fn ext(&mut self, kind: i8, bytes: &[u8]) -> Result<(), MsgpackError> {
        let fixed = match bytes.len() {
            1 => Some(0xd4),
            2 => Some(0xd5),
            4 => Some(0xd6),
            8 => Some(0xd7),
            16 => Some(0xd8),
            _ => None,
        };
        match fixed {
            Some(marker) => self.out.push(marker),
            None => self.sized("an ext value", bytes.len(), [0xc7, 0xc8, 0xc9])?,
        }
        self.out.extend_from_slice(&kind.to_be_bytes());
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    fn uint(&mut self, n: u64) {
        if n < 0x80 {
            self.out.push(n as u8);
        } else if let Ok(n) = u8::try_from(n) {
            self.out.extend_from_slice(&[0xcc, n]);
        } else if let Ok(n) = u16::try_from(n) {
            self.out.push(0xcd);
            self.out.extend_from_slice(&n.to_be_bytes());
        } else if let Ok(n) = u32::try_from(n) {
            self.out.push(0xce);
            self.out.extend_from_slice(&n.to_be_bytes());
        } else {
            self.out.push(0xcf);
            self.out.extend_from_slice(&n.to_be_bytes());
        }
    }

    fn int(&mut self, n: i64) {
        if let Ok(u) = u64::try_from(n) {
            self.uint(u);
        } else if n >= -32 {
            self.out.push(n as u8);
        } else if let Ok(n) = i8::try_from(n) {
            self.out.push(0xd0);
            self.out.extend_from_slice(&n.to_be_bytes());
        } else if let Ok(n) = i16::try_from(n) {
            self.out.push(0xd1);
            self.out.extend_from_slice(&n.to_be_bytes());
        } else if let Ok(n) = i32::try_from(n) {
            self.out.push(0xd2);
            self.out.extend_from_slice(&n.to_be_bytes());
        } else {
            self.out.push(0xd3);
            self.out.extend_from_slice(&n.to_be_bytes());
        }
    }

    fn value(&mut self, value: &Json) -> Result<(), MsgpackError> {
        match value {
            Json::Null => self.out.push(0xc0),
            Json::Bool(false) => self.out.push(0xc2),
            Json::Bool(true) => self.out.push(0xc3),
            Json::UInt(n) => self.uint(*n),
            Json::Int(n) => self.int(*n),
            Json::Float(f) => {
                self.out.push(0xcb);
                self.out.extend_from_slice(&f.to_be_bytes());
            }
            Json::Str(s) => self.str(s)?,
            Json::Array(items) => {
                self.container("an array", items.len(), 0x90, 0xdc, 0xdd)?;
                for item in items {
                    self.value(item)?;
                }
            }
            Json::Object(entries) => {
                if matches!(get(entries, "_placeholder"), Some(Json::Bool(true))) {
                    return self.placeholder(get(entries, "num"));
                }
                if let Some(ms) = date_of(entries) {
                    self.out.extend_from_slice(&[0xd7, 0x00]);
                    self.out.extend_from_slice(&ms.to_be_bytes());
                    return Ok(());
                }
                if let Some((kind, bytes)) = ext_of(entries) {
                    return self.ext(kind, &bytes);
                }
                self.map_header(entries.len())?;
                for (key, item) in entries {
                    self.str(key)?;
                    self.value(item)?;
                }
            }
        }
        Ok(())
    }

    /// `{"_placeholder":true,"num":i}`: attachment `i` as a bin, as `_reconstructPacket` reads it.
    fn placeholder(&mut self, num: Option<&Json>) -> Result<(), MsgpackError> {
        let count = self.attachments.len();
        let attachments = self.attachments;
        let found = match num {
            Some(Json::UInt(n)) => usize::try_from(*n)
                .ok()
                .and_then(|i| attachments.get(i).map(|bytes| (i, bytes))),
            _ => None,
        };
        let Some((index, bytes)) = found else {
            return Err(MsgpackError::MissingAttachment {
                num: num.map_or_else(|| "(missing)".into(), Json::describe),
                count,
            });
        };
        if let Some(used) = self.used.get_mut(index) {
            *used = true;
        }
        self.bin(bytes)
    }
}

/// The value of `key` in a JSON object; the last one wins, as in JavaScript.
fn get<'j>(entries: &'j [(String, Json)], key: &str) -> Option<&'j Json> {
    entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// `{"_date": <integer>}` and nothing else: a notepack Date.
fn date_of(entries: &[(String, Json)]) -> Option<i64> {
    match entries {
        [(key, Json::UInt(n))] if key == "_date" => i64::try_from(*n).ok(),
        [(key, Json::Int(n))] if key == "_date" => Some(*n),
        _ => None,
    }
}

/// `{"_ext": <type>, "base64": "<bytes>"}` and nothing else: a msgpack ext value.
fn ext_of(entries: &[(String, Json)]) -> Option<(i8, Vec<u8>)> {
    let [(k1, v1), (k2, v2)] = entries else {
        return None;
    };
    let (kind, data) = match (k1.as_str(), k2.as_str()) {
        ("_ext", "base64") => (v1, v2),
        ("base64", "_ext") => (v2, v1),
        _ => return None,
    };
    let kind = match kind {
        Json::UInt(n) => i8::try_from(*n).ok()?,
        Json::Int(n) => i8::try_from(*n).ok()?,
        _ => return None,
    };
    let Json::Str(data) = data else {
        return None;
    };
    Some((kind, BASE64.decode(data).ok()?))
}

// ---------------------------------------------------------------------------
// JSON reading for encode
// ---------------------------------------------------------------------------

/// JSON data read exactly. serde_json (without its `float_roundtrip` feature) can
/// round a float to a neighbouring value and merges duplicate keys; this keeps
/// the value the text spells, so what `decode` rendered encodes back to the same bytes.
#[derive(Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    UInt(u64),
    /// A negative integer.
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn describe(&self) -> String {
        match self {
            Json::Null => "null".into(),
            Json::Bool(b) => b.to_string(),
            Json::UInt(n) => n.to_string(),
            Json::Int(n) => n.to_string(),
            Json::Float(f) => f.to_string(),
            Json::Str(s) => format!("{s:?}"),
            Json::Array(_) => "an array".into(),
            Json::Object(_) => "an object".into(),
        }
    }
}

/// How deeply JSON arrays and objects may nest in data given to [`encode`] (as serde_json).
const JSON_MAX_DEPTH: usize = 127;

fn parse_json(text: &str) -> Result<Json, MsgpackError> {
    let mut p = JsonReader { text, pos: 0 };
    p.space();
    let value = p.value(0)?;
    p.space();
    if p.pos < text.len() {
        return Err(p.error("trailing characters after the JSON value"));
    }
    Ok(value)
}

struct JsonReader<'a> {
    text: &'a str,
    pos: usize,
}

impl JsonReader<'_> {
    fn error(&self, reason: impl Into<String>) -> MsgpackError {
        MsgpackError::InvalidJson {
            at: self.pos,
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), MsgpackError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn unexpected(&self, expected: &str) -> MsgpackError {
        match self.text.get(self.pos..).and_then(|rest| rest.chars().next()) {
            None => self.error(format!("unexpected end of the data (expected {expected})")),
            Some(c) => self.error(format!("unexpected {c:?} (expected {expected})")),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, MsgpackError> {
        match self.peek() {
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.enter(depth)?;
                self.pos += 1;
                self.space();
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            self.space();
                        }
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.unexpected("',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.enter(depth)?;
                self.pos += 1;
                self.space();
                let mut entries = Vec::new();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(entries));
                }
                loop {
                    if self.peek() != Some(b'"') {
                        return Err(self.unexpected("a string key"));
                    }
                    let key = self.string()?;
                    self.space();
                    self.expect(b':', "':'")?;
                    self.space();
                    entries.push((key, self.value(depth + 1)?));
                    self.space();
                    match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            self.space();
                        }
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Json::Object(entries));
                        }
                        _ => return Err(self.unexpected("',' or '}'")),
                    }
                }
            }
            _ => Err(self.unexpected("a JSON value")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), MsgpackError> {
        if depth >= JSON_MAX_DEPTH {
            return Err(self.error(format!("arrays and objects nest deeper than {JSON_MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, MsgpackError> {
        if self.text.get(self.pos..).is_some_and(|rest| rest.starts_with(word)) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, MsgpackError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.unexpected("a digit")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.unexpected("a digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        let literal = self.text.get(start..self.pos).unwrap_or_default();
        if integer {
            // As serde_json: `-0` is the float -0.0, integers too large become floats.
            if negative {
                if let Ok(n) = literal.parse::<i64>()
                    && n != 0
                {
                    return Ok(Json::Int(n));
                }
            } else if let Ok(n) = literal.parse::<u64>() {
                return Ok(Json::UInt(n));
            }
        }
        match literal.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Json::Float(f)),
            _ => Err(MsgpackError::InvalidJson {
                at: start,
                reason: format!("number {literal} is out of range"),
            }),
        }
    }

    fn string(&mut self) -> Result<String, MsgpackError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            // The run stops at an ASCII byte, so both ends are char boundaries.
            out.push_str(self.text.get(run..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in a string (it must be escaped)")),
                None => {
                    return Err(MsgpackError::InvalidJson {
                        at: self.pos,
                        reason: format!("unterminated string that starts at byte {open}"),
                    });
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, MsgpackError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{08}',
            Some(b'f') => '\u{0c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                return match first {
                    0xd800..=0xdbff => {
                        if self.text.get(self.pos..).is_some_and(|rest| rest.starts_with("\\u")) {
                            self.pos += 2;
                            let second = self.hex4()?;
                            if (0xdc00..=0xdfff).contains(&second) {
                                let code = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
                                return char::from_u32(code).ok_or_else(|| self.error("invalid surrogate pair"));
                            }
                        }
                        Err(self.error("lone leading surrogate in a \\u escape"))
                    }
                    0xdc00..=0xdfff => Err(self.error("lone trailing surrogate in a \\u escape")),
                    code => char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape")),
                };
            }
            _ => return Err(self.unexpected("an escape character")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, MsgpackError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("a \\u escape needs 4 hex digits"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.error("a \\u escape needs 4 hex digits"))?;
        self.pos += 4;
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Bytes written as in protocol.md: hex groups and `"quoted"` ASCII text.
    fn bytes(spec: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for token in spec.split_whitespace() {
            if let Some(text) = token.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                out.extend_from_slice(text.as_bytes());
            } else {
                assert!(token.len() % 2 == 0, "odd hex token {token}");
                for i in (0..token.len()).step_by(2) {
                    out.push(u8::from_str_radix(&token[i..i + 2], 16).expect("hex"));
                }
            }
        }
        out
    }

    fn ok(spec: &str) -> Message {
        decode(&bytes(spec)).expect("valid packet")
    }

    fn err(spec: &str) -> String {
        decode(&bytes(spec)).expect_err("invalid packet").to_string()
    }

    fn packet(kind: PacketType, nsp: &str, id: Option<u64>, data: Option<&str>) -> Packet<'static> {
        Packet {
            kind,
            attachments: None,
            nsp: Cow::Owned(nsp.into()),
            id,
            data: data.map(|d| Cow::Owned(d.into())),
        }
    }

    fn message(packet: Packet<'static>, attachments: Vec<Vec<u8>>) -> Message {
        Message { packet, attachments }
    }

    const CONNECT_ROOT: &str = r#"83 a4 74797065 00  a4 64617461 d4 00 00  a3 6e7370 a1 2f"#;
    const CONNECT_ADMIN: &str = r#"83 a4 "type" 00  a4 "data" 81 a5 "token" a1 "x"  a3 "nsp" a6 "/admin""#;
    const CONNECT_REPLY: &str =
        r#"83 a4 "type" 00  a4 "data" 82 a3 "sid" b4 "wZX3oN0bSVIhsaknAAAI"  a3 "pid" d4 00 00  a3 "nsp" a1 "/""#;
    const SERVER_EVENT: &str = r#"83 a4 "type" 02  a4 "data" 92 a7 "welcome" a2 "hi"  a3 "nsp" a1 "/""#;
    const CLIENT_EVENT_ACK: &str = r#"85 a4 "type" 02  a4 "data" 92 a4 "echo" a1 "x"  a7 "options" 81 a8 "compress" c3  a2 "id" 00  a3 "nsp" a1 "/""#;
    const SERVER_ACK: &str = r#"84 a2 "id" 00  a4 "type" 03  a4 "data" 91 a1 "x"  a3 "nsp" a1 "/""#;

    #[test]
    fn real_frames_decode() {
        assert_eq!(
            ok(CONNECT_ROOT),
            message(packet(PacketType::Connect, "/", None, None), vec![])
        );
        assert_eq!(
            ok(CONNECT_ADMIN),
            message(
                packet(PacketType::Connect, "/admin", None, Some(r#"{"token":"x"}"#)),
                vec![]
            )
        );
        // `pid: undefined` inside the data disappears, as in JSON.stringify.
        assert_eq!(
            ok(CONNECT_REPLY),
            message(
                packet(
                    PacketType::Connect,
                    "/",
                    None,
                    Some(r#"{"sid":"wZX3oN0bSVIhsaknAAAI"}"#)
                ),
                vec![]
            )
        );
        assert_eq!(
            ok(SERVER_EVENT),
            message(
                packet(PacketType::Event, "/", None, Some(r#"["welcome","hi"]"#)),
                vec![]
            )
        );
        assert_eq!(
            ok(CLIENT_EVENT_ACK),
            message(packet(PacketType::Event, "/", Some(0), Some(r#"["echo","x"]"#)), vec![])
        );
        assert_eq!(
            ok(SERVER_ACK),
            message(packet(PacketType::Ack, "/", Some(0), Some(r#"["x"]"#)), vec![])
        );
    }

    #[test]
    fn python_socketio_dialect_decodes_with_its_quirk() {
        // (frame as python-socketio 5.18 sent it, packet, quirks)
        let cases: Vec<(&str, Packet<'static>, Vec<Quirk>)> = vec![
            // `disconnect-me`: every python-socketio packet carries `data`, nil here.
            (
                r#"83 a4 "type" 01 a4 "data" c0 a3 "nsp" a1 "/""#,
                packet(PacketType::Disconnect, "/", None, None),
                vec![Quirk::DisconnectWithNilData],
            ),
            // always_connect=True refusing /admin: the refusal rides on the DISCONNECT.
            (
                r#"83 a4 "type" 01 a4 "data" 81 a7 "message" ae "not" 20 "authorized" a3 "nsp" a6 "/admin""#,
                packet(
                    PacketType::Disconnect,
                    "/admin",
                    None,
                    Some(r#"{"message":"not authorized"}"#),
                ),
                vec![Quirk::DisconnectWithPayload],
            ),
            // An unknown namespace.
            (
                r#"83 a4 "type" 04 a4 "data" b1 "Unable" 20 "to" 20 "connect" a3 "nsp" a5 "/nope""#,
                packet(PacketType::ConnectError, "/nope", None, Some(r#""Unable to connect""#)),
                vec![Quirk::StringConnectError],
            ),
            // What the reference sends has no quirk.
            (
                r#"82 a4 "type" 01 a3 "nsp" a1 "/""#,
                packet(PacketType::Disconnect, "/", None, None),
                vec![],
            ),
        ];
        for (spec, want, quirks) in cases {
            let (got, found) = decode_with_quirks(&bytes(spec)).unwrap_or_else(|e| panic!("{spec}: {e}"));
            assert_eq!(got, message(want, vec![]), "{spec}");
            assert_eq!(found, quirks, "{spec}");
        }
        // A DISCONNECT whose data is neither nil nor a map stays malformed.
        assert!(decode(&bytes(r#"83 a4 "type" 01 a4 "data" a1 "x" a3 "nsp" a1 "/""#)).is_err());
    }

    #[test]
    fn server_frames_reencode_byte_for_byte() {
        for spec in [SERVER_EVENT, SERVER_ACK] {
            let m = ok(spec);
            assert_eq!(encode(&m.packet, &m.attachments), Ok(bytes(spec)), "{spec}");
        }
        // The CONNECT reply's `pid: undefined` cannot survive JSON: the rest is exact.
        let m = ok(CONNECT_REPLY);
        assert_eq!(
            encode(&m.packet, &m.attachments),
            Ok(bytes(
                r#"83 a4 "type" 00  a4 "data" 81 a3 "sid" b4 "wZX3oN0bSVIhsaknAAAI"  a3 "nsp" a1 "/""#
            ))
        );
        // A server DISCONNECT is `{type, nsp}`; the detection probe without data too.
        let p = packet(PacketType::Disconnect, "/admin", None, None);
        assert_eq!(encode(&p, &[]), Ok(bytes(r#"82 a4 "type" 01 a3 "nsp" a6 "/admin""#)));
        let p = packet(PacketType::Connect, "/", None, None);
        assert_eq!(encode(&p, &[]), Ok(bytes(r#"82 a4 74797065 00 a3 6e7370 a1 2f"#)));
        // The client's EVENT order minus `options`: type, data, id, nsp.
        let m = ok(CLIENT_EVENT_ACK);
        assert_eq!(
            encode(&m.packet, &m.attachments),
            Ok(bytes(
                r#"84 a4 "type" 02  a4 "data" 92 a4 "echo" a1 "x"  a2 "id" 00  a3 "nsp" a1 "/""#
            ))
        );
    }

    #[test]
    fn binary_values_become_placeholders() {
        // Buffer, then an ArrayBuffer (ext8 type 0) nested in a map, depth first.
        let m = ok(r#"83 a4 "type" 02 a3 "nsp" a1 "/" a4 "data" 93 a6 "upload" c4 03 010203 81 a1 "f" c7 02 00 0405"#);
        assert_eq!(
            m.packet.data.as_deref(),
            Some(r#"["upload",{"_placeholder":true,"num":0},{"f":{"_placeholder":true,"num":1}}]"#)
        );
        assert_eq!(m.attachments, [vec![1, 2, 3], vec![4, 5]]);
        assert_eq!(m.packet.kind, PacketType::Event);
        assert_eq!(m.packet.attachments, None);
        // An 8-byte ArrayBuffer (ext8) is not a Date (fixext8).
        let m = ok(
            r#"83 a4 "type" 02 a3 "nsp" a1 "/" a4 "data" 93 a1 "d" c7 08 00 0000018c7a3b2c00 d7 00 0000018c7a3b2c00"#,
        );
        assert_eq!(
            m.packet.data.as_deref(),
            Some(r#"["d",{"_placeholder":true,"num":0},{"_date":1702857747456}]"#)
        );
        assert_eq!(m.attachments, [vec![0, 0, 1, 0x8c, 0x7a, 0x3b, 0x2c, 0]]);
        // Binary in a key or in an ignored key is not an attachment.
        let m = ok(r#"84 a4 "type" 02 a3 "nsp" a1 "/" a7 "options" c4 01 ff a4 "data" 92 a1 "k" 81 c4 01 ff 01"#);
        assert_eq!(m.packet.data.as_deref(), Some(r#"["k",{"{\"_binary\":\"/w==\"}":1}]"#));
        assert!(m.attachments.is_empty());
    }

    #[test]
    fn notepack_extensions() {
        // undefined: null in arrays, omitted in maps, "no data" at the top.
        let m = ok(r#"83 a4 "type" 03 a3 "nsp" a1 "/" a4 "data" 93 d4 00 00 82 a1 "a" d4 00 00 a1 "b" 01 d4 00 00"#);
        assert_eq!(m.packet.data.as_deref(), Some(r#"[null,{"b":1},null]"#));
        // Negative dates, other exts, fixext2 type 0.
        let m = ok(
            r#"83 a4 "type" 03 a3 "nsp" a1 "/" a4 "data" 94 d7 00 ffffffffffffffff d4 05 07 c7 03 fe 616263 d5 00 0102"#,
        );
        assert_eq!(
            m.packet.data.as_deref(),
            Some(r#"[{"_date":-1},{"_ext":5,"base64":"Bw=="},{"_ext":-2,"base64":"YWJj"},{"_ext":0,"base64":"AQI="}]"#)
        );
        // Floats, NaN, infinity, integers of every width, non-string keys.
        let m = ok(
            r#"83 a4 "type" 03 a3 "nsp" a1 "/" a4 "data" 9c ca 3fc00000 cb 7ff8000000000000 cb 7ff0000000000000 cc ff cd ffff ce ffffffff cf ffffffffffffffff d0 80 d3 8000000000000000 e0 d2 00000005 84 01 a1 "a" c0 02 c3 03 92 01 02 04"#,
        );
        assert_eq!(
            m.packet.data.as_deref(),
            Some(
                r#"[1.5,null,null,255,65535,4294967295,18446744073709551615,-128,-9223372036854775808,-32,5,{"1":"a","null":2,"true":3,"[1,2]":4}]"#
            )
        );
        // str8/16, array16, map16 and escapes.
        let m = ok(r#"83 a4 "type" 03 a3 "nsp" a1 "/" a4 "data" 92 d9 03 "a\"" da 0003 0a0109"#);
        assert_eq!(m.packet.data.as_deref(), Some(r#"["a\\\"","\n\u0001\t"]"#));
    }

    #[test]
    fn keys_in_any_order_and_unknown_keys() {
        let m = ok(r#"85 a3 "nsp" a1 "/" a2 "id" cd 0100 a5 "extra" 93 01 02 03 a4 "data" 91 a1 "e" a4 "type" 02"#);
        assert_eq!(m.packet, packet(PacketType::Event, "/", Some(256), Some(r#"["e"]"#)));
        // Later keys win; undefined counts as absent; whole floats are integers.
        let m = ok(r#"84 a4 "type" 05 a3 "nsp" a1 "/" a4 "type" cb 3ff0000000000000 a2 "id" d4 00 00"#);
        assert_eq!(m.packet, packet(PacketType::Disconnect, "/", None, None));
    }

    #[test]
    fn validation_errors() {
        let frame = |fields: &str, n: &str| format!("{n} a4 \"type\" {fields}");
        assert_eq!(
            err(&frame(r#"07 a3 "nsp" a1 "/""#, "82")),
            "invalid packet type 7 (expected an integer 0-4)"
        );
        assert_eq!(
            err(&frame(r#"a1 "2" a3 "nsp" a1 "/""#, "82")),
            "invalid packet type \"2\" (expected an integer 0-4)"
        );
        assert_eq!(
            err(r#"81 a3 "nsp" a1 "/""#),
            "missing packet type: the map has no \"type\" key"
        );
        assert_eq!(err(&frame("00", "81")), "missing nsp: the map has no \"nsp\" key");
        assert_eq!(
            err(&frame(r#"00 a3 "nsp" 01"#, "82")),
            "invalid namespace: nsp is 1, not a string"
        );
        assert_eq!(
            err(&frame(r#"02 a3 "nsp" a1 "/" a4 "data" a1 "x""#, "83")),
            "invalid payload: event payload is a string, not an array"
        );
        assert_eq!(
            err(&frame(r#"02 a3 "nsp" a1 "/""#, "82")),
            "invalid payload: event payload is missing (a non-empty array is required)"
        );
        assert_eq!(
            err(&frame(r#"02 a3 "nsp" a1 "/" a4 "data" 90"#, "83")),
            "invalid payload: event payload is an empty array (no event name)"
        );
        assert_eq!(
            err(&frame(r#"02 a3 "nsp" a1 "/" a4 "data" 91 c0"#, "83")),
            "invalid payload: event name is null, not a string or a number"
        );
        assert!(decode(&bytes(&frame(r#"02 a3 "nsp" a1 "/" a4 "data" 91 07"#, "83"))).is_ok());
        assert_eq!(
            err(&frame(r#"03 a3 "nsp" a1 "/" a4 "data" 80"#, "83")),
            "invalid payload: ack payload is a map, not an array"
        );
        assert_eq!(
            err(&frame(r#"00 a3 "nsp" a1 "/" a4 "data" c0"#, "83")),
            "invalid payload: CONNECT payload is null, not an object"
        );
        assert_eq!(
            err(&frame(r#"01 a3 "nsp" a1 "/" a4 "data" 91 01"#, "83")),
            "invalid payload: DISCONNECT carries no payload (found an array)"
        );
        assert!(decode(&bytes(&frame(r#"04 a3 "nsp" a1 "/" a4 "data" a1 "x""#, "83"))).is_ok());
        assert_eq!(
            err(&frame(r#"04 a3 "nsp" a1 "/" a4 "data" 90"#, "83")),
            "invalid payload: CONNECT_ERROR payload is an array, not a string or an object"
        );
        assert_eq!(
            err(&frame(r#"03 a3 "nsp" a1 "/" a4 "data" 90 a2 "id" ff"#, "84")),
            "invalid packet id -1: ack ids are never negative"
        );
        assert_eq!(
            err(&frame(
                r#"03 a3 "nsp" a1 "/" a4 "data" 90 a2 "id" cb 3ff8000000000000"#,
                "84"
            )),
            "invalid packet id 1.5: it is not an integer"
        );
        assert_eq!(
            err(&frame(r#"03 a3 "nsp" a1 "/" a4 "data" 90 a2 "id" a1 "1""#, "84")),
            "invalid packet id \"1\": it is not an integer"
        );
        assert_eq!(err("34 30"), "the packet is 52 (first byte 0x34), not a msgpack map");
        assert_eq!(err(""), "empty binary message: a msgpack packet is at least one byte");
    }

    #[test]
    fn malformed_msgpack() {
        assert_eq!(
            err(&format!("{SERVER_ACK} c0")),
            "trailing bytes after the packet at byte 25: 1 more byte(s)"
        );
        assert_eq!(
            err(r#"83 a4 "type""#),
            "msgpack: unexpected end of input at byte 6 (a value that starts at byte 6 is cut short)"
        );
        assert_eq!(
            err(r#"81 a4 "ty""#),
            "msgpack: unexpected end of input at byte 4 (a string that starts at byte 1 is cut short)"
        );
        assert_eq!(
            err("81 c1 00"),
            "msgpack: byte 0xc1 at byte 1 is not a valid marker (it is never used)"
        );
        // Huge announced lengths fail fast, without reserving memory.
        for spec in [
            "dd ffffffff",
            "df ffffffff c0",
            "c6 ffffffff 00",
            "db ffffffff",
            "c9 ffffffff 00",
        ] {
            assert!(err(spec).starts_with("msgpack: unexpected end of input"), "{spec}");
        }
        // Every prefix of every real frame is an error, never a panic.
        for spec in [
            CONNECT_ROOT,
            CONNECT_ADMIN,
            CONNECT_REPLY,
            SERVER_EVENT,
            CLIENT_EVENT_ACK,
            SERVER_ACK,
        ] {
            let full = bytes(spec);
            for end in 0..full.len() {
                assert!(decode(&full[..end]).is_err(), "{spec} cut at {end}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        for marker in [0x91u8, 0x81] {
            let mut deep = bytes(r#"83 a4 "type" 02 a3 "nsp" a1 "/" a4 "data" 92 a1 "x""#);
            for _ in 0..100_000 {
                deep.push(marker);
                if marker == 0x81 {
                    deep.push(0x01);
                }
            }
            deep.push(0xc0);
            let e = decode(&deep).expect_err("too deep");
            assert!(matches!(e, MsgpackError::TooDeep { max: MAX_DEPTH, .. }), "{e}");
        }
        let top = vec![0x91; 100_000];
        assert!(matches!(decode(&top), Err(MsgpackError::TooDeep { .. })));
    }

    #[test]
    fn deepest_allowed_data_round_trips() {
        // The packet map, the data array and MAX_DEPTH - 2 more levels, with binary inside.
        let mut text = String::from(r#"["x","#);
        let inner = MAX_DEPTH - 2;
        text.push_str(&"[".repeat(inner));
        text.push_str(r#"{"_placeholder":true,"num":0}"#);
        text.push_str(&"]".repeat(inner));
        text.push(']');
        let p = packet(PacketType::Event, "/", None, Some(&text));
        let bytes = encode(&p, &[vec![9]]).expect("encodes");
        let m = decode(&bytes).expect("decodes");
        assert_eq!(m, message(p.clone(), vec![vec![9]]));
        // The text parser reads it too.
        assert!(serde_json::from_str::<Value>(&text).is_ok());
        // One level more is refused.
        let deeper = format!(r#"["x",[{}]]"#, &text[5..text.len() - 1]);
        let bytes = encode(&packet(PacketType::Event, "/", None, Some(&deeper)), &[vec![9]]).expect("encodes");
        assert!(matches!(decode(&bytes), Err(MsgpackError::TooDeep { .. })));
    }

    #[test]
    fn round_trips() {
        let long = "é".repeat(200);
        let many: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        let wide: Vec<String> = (0..17).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let cases: Vec<(Packet<'static>, Vec<Vec<u8>>)> = vec![
            (packet(PacketType::Connect, "/", None, None), vec![]),
            (
                packet(PacketType::Connect, "/admin", None, Some(r#"{"token":"x"}"#)),
                vec![],
            ),
            (packet(PacketType::Disconnect, "/admin", None, None), vec![]),
            (
                packet(
                    PacketType::Event,
                    "/chat",
                    Some(13),
                    Some(
                        r#"["chat",{"text":"hi \"you\"\n","n":-5,"f":1.5,"g":-0.0,"h":1e+300,"big":18446744073709551615,"neg":-9223372036854775808,"ok":true,"no":null}]"#,
                    ),
                ),
                vec![],
            ),
            (
                packet(
                    PacketType::Event,
                    "/",
                    Some(u64::MAX),
                    Some(
                        r#"["upload",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":1}],{"a":{"_placeholder":true,"num":2}}]"#,
                    ),
                ),
                vec![vec![1, 2, 3], vec![], vec![7; 300]],
            ),
            (
                packet(
                    PacketType::Event,
                    "/",
                    None,
                    Some(r#"[42,{"_date":1703000000000},{"_ext":5,"base64":"AQIDBAU="},{"_ext":-3,"base64":"AQ=="}]"#),
                ),
                vec![],
            ),
            (packet(PacketType::Ack, "/", Some(7), Some("[]")), vec![]),
            (
                packet(
                    PacketType::Ack,
                    "/admin",
                    Some(70000),
                    Some(r#"[{"_placeholder":true,"num":0}]"#),
                ),
                vec![vec![0xff; 70000]],
            ),
            (
                packet(PacketType::ConnectError, "/", None, Some(r#""Not authorized""#)),
                vec![],
            ),
            (
                packet(
                    PacketType::ConnectError,
                    "/admin",
                    None,
                    Some(r#"{"message":"Not authorized","data":{"reason":"bad token"}}"#),
                ),
                vec![],
            ),
            (
                packet(
                    PacketType::Event,
                    &format!("/{long}"),
                    None,
                    Some(&format!(r#"["{long}",[{}],{{{}}}]"#, many.join(","), wide.join(","))),
                ),
                vec![],
            ),
        ];
        for (p, atts) in cases {
            let encoded = encode(&p, &atts).unwrap_or_else(|e| panic!("{p:?}: {e}"));
            let decoded = decode(&encoded).unwrap_or_else(|e| panic!("{p:?}: {e}"));
            assert_eq!(decoded, message(p, atts));
        }
    }

    #[test]
    fn encode_details() {
        // Smallest integer forms, float64 for fractions.
        let p = packet(
            PacketType::Ack,
            "/",
            None,
            Some("[127,128,-32,-33,256,65536,4294967296,-129,-32769,-2147483649,0.5]"),
        );
        let b = encode(&p, &[]).expect("encodes");
        let expected = bytes(
            r#"83 a4 "type" 03 a4 "data" 9b 7f cc80 e0 d0df cd0100 ce00010000 cf0000000100000000 d1ff7f d2ffff7fff d3ffffffff7fffffff cb3fe0000000000000 a3 "nsp" a1 "/""#,
        );
        assert_eq!(b, expected);
        // Binary types become EVENT/ACK.
        let p = packet(
            PacketType::BinaryEvent,
            "/",
            None,
            Some(r#"["u",{"_placeholder":true,"num":0}]"#),
        )
        .with_attachments(1);
        let b = encode(&p, &[vec![1]]).expect("encodes");
        assert_eq!(
            b,
            bytes(r#"83 a4 "type" 02 a4 "data" 92 a1 "u" c4 01 01 a3 "nsp" a1 "/""#)
        );
        // Errors.
        assert_eq!(
            encode(&packet(PacketType::Event, "/", None, Some("[")), &[])
                .expect_err("bad json")
                .to_string(),
            "cannot encode: the data is not valid JSON at byte 1: unexpected end of the data (expected a JSON value)"
        );
        assert_eq!(
            encode(&p, &[]).expect_err("missing").to_string(),
            "cannot encode: placeholder num 0 does not name one of the 0 attachments"
        );
        assert_eq!(
            encode(&p, &[vec![1], vec![2]]).expect_err("unused").to_string(),
            "cannot encode: attachment 1 is not used by any placeholder (2 given)"
        );
    }

    #[test]
    fn json_reader() {
        let json = |text: &str| parse_json(text);
        let bad = |text: &str| json(text).expect_err(text).to_string();
        // Floats are read exactly (serde_json's default parser can be one ulp off here).
        assert_eq!(json("-1.94105412148415e-149"), Ok(Json::Float(-1.94105412148415e-149)));
        assert_eq!(json("-0"), Ok(Json::Float(-0.0)));
        assert_eq!(json("-9223372036854775808"), Ok(Json::Int(i64::MIN)));
        assert_eq!(json("18446744073709551616"), Ok(Json::Float(18446744073709551616.0)));
        assert_eq!(json(" 1E2 "), Ok(Json::Float(100.0)));
        // Duplicate keys stay, escapes and surrogate pairs are decoded.
        assert_eq!(
            json(r#"{"a":1,"a":2}"#),
            Ok(Json::Object(vec![
                ("a".into(), Json::UInt(1)),
                ("a".into(), Json::UInt(2))
            ]))
        );
        assert_eq!(
            json(r#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é""#),
            Ok(Json::Str("\"\\/\u{8}\u{c}\n\r\t\u{e9}😀é".into()))
        );
        assert_eq!(
            bad("[1,]"),
            "cannot encode: the data is not valid JSON at byte 3: unexpected ']' (expected a JSON value)"
        );
        assert_eq!(
            bad("[1 2]"),
            "cannot encode: the data is not valid JSON at byte 3: unexpected '2' (expected ',' or ']')"
        );
        assert_eq!(
            bad("01"),
            "cannot encode: the data is not valid JSON at byte 1: trailing characters after the JSON value"
        );
        assert_eq!(
            bad("1e999"),
            "cannot encode: the data is not valid JSON at byte 0: number 1e999 is out of range"
        );
        assert_eq!(
            bad(r#""\ud800""#),
            "cannot encode: the data is not valid JSON at byte 7: lone leading surrogate in a \\u escape"
        );
        assert_eq!(
            bad("\"a\nb\""),
            "cannot encode: the data is not valid JSON at byte 2: control character in a string (it must be escaped)"
        );
        assert_eq!(
            bad(r#""abc"#),
            "cannot encode: the data is not valid JSON at byte 4: unterminated string that starts at byte 0"
        );
        assert_eq!(
            bad("{1:2}"),
            "cannot encode: the data is not valid JSON at byte 1: unexpected '1' (expected a string key)"
        );
        for text in [
            "",
            "-",
            "1.",
            ".5",
            "1e",
            "nul",
            "[",
            "{\"a\"",
            "{\"a\":",
            r#""\x""#,
            r#""\u12""#,
            "\u{a0}1",
        ] {
            assert!(json(text).is_err(), "{text:?}");
        }
        // Nesting is bounded like serde_json's.
        let deep = format!("{}{}", "[".repeat(JSON_MAX_DEPTH), "]".repeat(JSON_MAX_DEPTH));
        assert!(json(&deep).is_ok());
        let deeper = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(bad(&deeper).ends_with("arrays and objects nest deeper than 127 levels"));
        // Duplicate keys survive a round trip through msgpack.
        let p = packet(PacketType::Event, "/", None, Some(r#"["e",{"a":1,"a":2}]"#));
        assert_eq!(decode(&encode(&p, &[]).expect("encodes")), Ok(message(p, vec![])));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec(("[a-z\u{0}-\u{1f}\"\\\\é]{0,6}", inner), 0..8)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    fn frames() -> Vec<Vec<u8>> {
        [
            CONNECT_ROOT,
            CONNECT_ADMIN,
            CONNECT_REPLY,
            SERVER_EVENT,
            CLIENT_EVENT_ACK,
            SERVER_ACK,
        ]
        .iter()
        .map(|s| bytes(s))
        .collect()
    }

    proptest! {
        // Failures are reported, not saved to files beside the crate.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn decode_never_panics(input in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&input);
        }

        #[test]
        fn decode_of_mutated_frames_never_panics(
            which in 0usize..6,
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        ) {
            let mut frame = frames()[which].clone();
            for (at, byte, op) in edits {
                let i = at.index(frame.len() + 1);
                match op {
                    0 if i < frame.len() => frame[i] = byte,
                    1 => frame.insert(i, byte),
                    _ if i < frame.len() => { frame.remove(i); }
                    _ => {}
                }
            }
            if let Ok(m) = decode(&frame) {
                // Whatever decodes is JSON, and re-encodes to the same packet.
                if let Some(data) = &m.packet.data {
                    prop_assert!(serde_json::from_str::<Value>(data).is_ok(), "{}", data);
                }
                let again = encode(&m.packet, &m.attachments).expect("re-encodes");
                prop_assert_eq!(decode(&again), Ok(m));
            }
        }

        #[test]
        fn json_data_round_trips(value in json_value(), id in proptest::option::of(any::<u64>())) {
            let text = serde_json::to_string(&Value::Array(vec![Value::from("ev"), value]))
                .expect("serializes");
            let p = packet(PacketType::Event, "/", id, Some(&text));
            let encoded = encode(&p, &[]).expect("encodes");
            prop_assert_eq!(decode(&encoded).expect("decodes"), message(p, vec![]));
        }
    }
}
