//! Polling payloads: many Engine.IO packets in one HTTP body.
//!
//! Rev 4 joins records with the byte 0x1E. Rev 3 prefixes each record with its
//! length in UTF-16 code units (`5:4hello`), or, for bodies that carry binary,
//! uses a byte framing (`00 <digits> FF <bytes>`). Splitting stops at the first
//! framing error, as the reference decoder does, and keeps what came before.

use std::fmt::Write as _;

use super::eio::{BinaryForm, Data, EioError, EioVersion, Frame, Packet, encode};

/// The rev-4 record separator.
pub const SEPARATOR: u8 = 0x1e;

/// A body split into records, and the framing error that stopped the split, if any.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Split<'a> {
    pub records: Vec<Frame<'a>>,
    pub error: Option<PayloadError>,
}

/// Why a polling body could not be split further.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("empty payload: a polling body holds at least one packet")]
    Empty,
    #[error("record {index} (at byte {at}) is not valid UTF-8")]
    NotUtf8 { index: usize, at: usize },
    #[error("record {index} (at byte {at}): length prefix {found:?} is not a number")]
    BadLength { index: usize, at: usize, found: String },
    #[error("record {index} (at byte {at}): length {declared} runs past the end of the payload ({available} left)")]
    Truncated {
        index: usize,
        at: usize,
        declared: usize,
        available: usize,
    },
    #[error("record {index} (at byte {at}): length {declared} ends inside a character (lengths count UTF-16 units)")]
    SplitsCharacter { index: usize, at: usize, declared: usize },
    #[error("record {index} (at byte {at}): {found:?} has no ':' after its length")]
    MissingColon { index: usize, at: usize, found: String },
    #[error("record {index} (at byte {at}): binary payload record kind {kind} (expected 0 text or 1 binary)")]
    BadBinaryKind { index: usize, at: usize, kind: u8 },
    #[error(
        "record {index} (at byte {at}): binary payload length digit {byte:#04x} (expected 0-9 or the 0xFF terminator)"
    )]
    BadBinaryLength { index: usize, at: usize, byte: u8 },
}

/// Splits a polling body into its records.
pub fn split(body: &[u8], version: EioVersion) -> Split<'_> {
    match version {
        EioVersion::V4 => split_v4(body),
        EioVersion::V3 if matches!(body.first(), Some(0 | 1)) => split_v3_binary(body),
        EioVersion::V3 => split_v3_text(body),
    }
}

fn split_v4(body: &[u8]) -> Split<'_> {
    let mut out = Split::default();
    if body.is_empty() {
        out.error = Some(PayloadError::Empty);
        return out;
    }
    let mut at = 0;
    for (index, record) in body.split(|&b| b == SEPARATOR).enumerate() {
        match std::str::from_utf8(record) {
            Ok(text) => out.records.push(Frame::Text(text)),
            Err(e) => {
                out.error = Some(PayloadError::NotUtf8 {
                    index,
                    at: at + e.valid_up_to(),
                });
                return out;
            }
        }
        at += record.len() + 1;
    }
    out
}

fn split_v3_text(body: &[u8]) -> Split<'_> {
    let mut out = Split::default();
    if body.is_empty() {
        out.error = Some(PayloadError::Empty);
        return out;
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            // Split what is valid, then report where the bad bytes start.
            let valid = &body[..e.valid_up_to()];
            let mut partial = split_v3_text(valid);
            if partial.error.is_none() || matches!(partial.error, Some(PayloadError::Truncated { .. })) {
                partial.error = Some(PayloadError::NotUtf8 {
                    index: partial.records.len(),
                    at: e.valid_up_to(),
                });
            }
            return partial;
        }
    };
    let mut pos = 0;
    let mut index = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let Some(colon) = rest.find(':') else {
            out.error = Some(PayloadError::MissingColon {
                index,
                at: pos,
                found: rest.chars().take(20).collect(),
            });
            return out;
        };
        let digits = &rest[..colon];
        let declared = match digits.parse::<usize>() {
            Ok(n) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => {
                out.error = Some(PayloadError::BadLength {
                    index,
                    at: pos,
                    found: digits.chars().take(20).collect(),
                });
                return out;
            }
        };
        let start = pos + colon + 1;
        match take_utf16_units(&text[start..], declared) {
            Ok(len) => {
                // A `0:` record carries no packet; the reference skips it.
                if len > 0 {
                    out.records.push(Frame::Text(&text[start..start + len]));
                }
                pos = start + len;
            }
            Err(TakeError::Short(available)) => {
                out.error = Some(PayloadError::Truncated {
                    index,
                    at: pos,
                    declared,
                    available,
                });
                return out;
            }
            Err(TakeError::Splits) => {
                out.error = Some(PayloadError::SplitsCharacter {
                    index,
                    at: pos,
                    declared,
                });
                return out;
            }
        }
        index += 1;
    }
    out
}

enum TakeError {
    Short(usize),
    Splits,
}

/// Byte length of the first `units` UTF-16 code units of `s`.
fn take_utf16_units(s: &str, units: usize) -> Result<usize, TakeError> {
    let mut counted = 0;
    for (i, c) in s.char_indices() {
        if counted == units {
            return Ok(i);
        }
        counted += c.len_utf16();
        if counted > units {
            return Err(TakeError::Splits);
        }
    }
    if counted == units {
        Ok(s.len())
    } else {
        Err(TakeError::Short(counted))
    }
}

fn split_v3_binary(body: &[u8]) -> Split<'_> {
    let mut out = Split::default();
    let mut pos = 0;
    let mut index = 0;
    while pos < body.len() {
        let at = pos;
        let kind = body[pos];
        if kind > 1 {
            out.error = Some(PayloadError::BadBinaryKind { index, at, kind });
            return out;
        }
        pos += 1;
        let mut declared: usize = 0;
        loop {
            match body.get(pos) {
                Some(0xff) => break,
                Some(&d) if d <= 9 && declared < usize::MAX / 100 => {
                    declared = declared * 10 + usize::from(d);
                    pos += 1;
                }
                Some(&byte) => {
                    out.error = Some(PayloadError::BadBinaryLength { index, at: pos, byte });
                    return out;
                }
                None => {
                    out.error = Some(PayloadError::Truncated {
                        index,
                        at,
                        declared,
                        available: 0,
                    });
                    return out;
                }
            }
        }
        pos += 1;
        let available = body.len() - pos;
        if declared > available {
            out.error = Some(PayloadError::Truncated {
                index,
                at,
                declared,
                available,
            });
            return out;
        }
        let bytes = &body[pos..pos + declared];
        if kind == 0 {
            match std::str::from_utf8(bytes) {
                Ok(t) => out.records.push(Frame::Text(t)),
                Err(e) => {
                    out.error = Some(PayloadError::NotUtf8 {
                        index,
                        at: pos + e.valid_up_to(),
                    });
                    return out;
                }
            }
        } else {
            out.records.push(Frame::Binary(bytes));
        }
        pos += declared;
        index += 1;
    }
    out
}

/// Joins packets into a text polling body (rev 4 `\x1e` records; rev 3 length
/// prefixes with binary as base64).
pub fn join_text(packets: &[Packet<'_>], version: EioVersion) -> String {
    let mut body = String::new();
    for (i, p) in packets.iter().enumerate() {
        let frame = encode(p, version, BinaryForm::Base64);
        let super::eio::OwnedFrame::Text(text) = frame else {
            unreachable!("BinaryForm::Base64 always encodes as text")
        };
        match version {
            EioVersion::V4 => {
                if i > 0 {
                    body.push(char::from(SEPARATOR));
                }
            }
            EioVersion::V3 => {
                let _ = write!(body, "{}:", text.encode_utf16().count());
            }
        }
        body.push_str(&text);
    }
    body
}

/// Joins packets into a rev-3 binary polling body (`application/octet-stream`).
pub fn join_v3_binary(packets: &[Packet<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in packets {
        let (kind, bytes) = match &p.data {
            Data::Text(_) => {
                let super::eio::OwnedFrame::Text(t) = encode(p, EioVersion::V3, BinaryForm::Raw) else {
                    unreachable!("text data encodes as text")
                };
                (0u8, t.into_bytes())
            }
            Data::Binary(_) => {
                let super::eio::OwnedFrame::Binary(b) = encode(p, EioVersion::V3, BinaryForm::Raw) else {
                    unreachable!("binary data encodes as binary")
                };
                (1u8, b)
            }
        };
        body.push(kind);
        body.extend(bytes.len().to_string().bytes().map(|d| d - b'0'));
        body.push(0xff);
        body.extend_from_slice(&bytes);
    }
    body
}

/// Splits and decodes in one go: each record's packet or error, in order.
/// Convenience for callers that do not need the raw records.
pub fn decode_all(body: &[u8], version: EioVersion) -> (Vec<Result<Packet<'_>, EioError>>, Option<PayloadError>) {
    let split = split(body, version);
    let packets = split
        .records
        .into_iter()
        .map(|f| super::eio::decode(f, version))
        .collect();
    (packets, split.error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::eio::PacketType;

    fn texts(split: &Split<'_>) -> Vec<String> {
        split
            .records
            .iter()
            .map(|f| match f {
                Frame::Text(t) => t.to_string(),
                Frame::Binary(b) => format!("<{}>", b.len()),
            })
            .collect()
    }

    #[test]
    fn v4_records() {
        let s = split(b"4hello\x1e2\x1e4world", EioVersion::V4);
        assert_eq!(texts(&s), ["4hello", "2", "4world"]);
        assert_eq!(s.error, None);
        assert_eq!(split(b"", EioVersion::V4).error, Some(PayloadError::Empty));
    }

    #[test]
    fn v3_lengths_count_utf16_units() {
        let s = split("16:42[\"echo\",\"€😀\"]2:40".as_bytes(), EioVersion::V3);
        assert_eq!(texts(&s), ["42[\"echo\",\"€😀\"]", "40"]);
        assert_eq!(s.error, None);
        assert_eq!(split(b"0:", EioVersion::V3).records.len(), 0);
    }

    #[test]
    fn v3_mismatch_keeps_what_came_before() {
        let s = split(b"6:4hello5:4world", EioVersion::V3);
        assert_eq!(texts(&s)[0], "4hello");
        assert!(s.error.is_some());
        let s = split(b"x:4", EioVersion::V3);
        assert!(matches!(s.error, Some(PayloadError::BadLength { .. })));
        let s = split(b"2:4", EioVersion::V3);
        assert!(matches!(
            s.error,
            Some(PayloadError::Truncated {
                declared: 2,
                available: 1,
                ..
            })
        ));
        let s = split("2:4😀".as_bytes(), EioVersion::V3);
        assert!(matches!(s.error, Some(PayloadError::SplitsCharacter { .. })));
    }

    #[test]
    fn v3_binary_payload() {
        let mut body = vec![0x00, 0x03, 0x06, 0xff];
        body.extend_from_slice(br#"461-7[{"_placeholder":true,"num":0}]"#);
        body.extend_from_slice(&[0x01, 0x04, 0xff, 0x04, 0x01, 0x02, 0x03]);
        let s = split(&body, EioVersion::V3);
        assert_eq!(s.error, None);
        assert_eq!(s.records.len(), 2);
        assert_eq!(s.records[1], Frame::Binary(&[4, 1, 2, 3]));
        let packets = vec![
            Packet::text(PacketType::Message, r#"61-7[{"_placeholder":true,"num":0}]"#),
            Packet::binary(vec![1, 2, 3]),
        ];
        assert_eq!(join_v3_binary(&packets), body);
    }

    #[test]
    fn join_is_the_inverse_of_split() {
        let packets = vec![
            Packet::text(PacketType::Message, "2[\"echo\",\"€😀\"]"),
            Packet::binary(vec![1, 2, 3]),
            Packet::text(PacketType::Ping, ""),
        ];
        assert_eq!(
            join_text(&packets, EioVersion::V4),
            "42[\"echo\",\"€😀\"]\x1ebAQID\x1e2"
        );
        assert_eq!(
            join_text(&packets, EioVersion::V3),
            "16:42[\"echo\",\"€😀\"]6:b4AQID1:2"
        );
        for v in [EioVersion::V3, EioVersion::V4] {
            let body = join_text(&packets, v);
            let (decoded, err) = decode_all(body.as_bytes(), v);
            assert_eq!(err, None);
            let decoded: Vec<_> = decoded.into_iter().map(|p| p.expect("valid")).collect();
            assert_eq!(decoded, packets);
        }
    }
}
