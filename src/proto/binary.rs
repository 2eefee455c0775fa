//! Binary packets: a BINARY_EVENT/BINARY_ACK header followed by its attachments.
//!
//! The header's JSON holds `{"_placeholder":true,"num":i}` where each binary value
//! was; the attachments follow as separate binary Engine.IO messages. One
//! [`Reassembler`] serves a whole connection (not a namespace), as in the reference.

use serde_json::Value;

use super::sio::{Packet, PacketType};

/// A Socket.IO packet together with the binary attachments it announced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub packet: Packet<'static>,
    pub attachments: Vec<Vec<u8>>,
}

/// Why a binary packet could not be put together.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BinaryError {
    #[error("got binary data when not reconstructing a packet (no binary header is waiting for attachments)")]
    UnexpectedBinary,
    #[error("got plaintext data when reconstructing a packet: {announced} attachments announced, {received} received")]
    UnexpectedText { announced: u32, received: u32 },
    #[error("{announced} attachments announced, {received} received")]
    Incomplete { announced: u32, received: u32 },
    #[error("illegal attachments: {0}")]
    IllegalPlaceholder(String),
}

/// What feeding the reassembler produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// A packet is whole (a plain packet at once, a binary one with its last attachment).
    Complete(Message),
    /// A binary header or attachment was taken; more attachments are due.
    Waiting { received: u32, announced: u32 },
}

#[derive(Debug, Default)]
pub struct Reassembler {
    pending: Option<Message>,
}

impl Reassembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a header is waiting for attachments.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Takes a decoded text packet. A binary header starts a reconstruction; anything
    /// else is complete at once. A text packet during a reconstruction is an error:
    /// the half-built packet is abandoned so the stream can go on.
    pub fn push_packet(&mut self, packet: Packet<'static>) -> Result<Step, BinaryError> {
        if let Some(e) = self.interrupt() {
            return Err(e);
        }
        match packet.attachments {
            Some(n) if packet.kind.is_binary() && n > 0 => {
                self.pending = Some(Message {
                    packet,
                    attachments: Vec::with_capacity(n as usize),
                });
                Ok(Step::Waiting {
                    received: 0,
                    announced: n,
                })
            }
            _ => Ok(Step::Complete(Message {
                packet,
                attachments: Vec::new(),
            })),
        }
    }

    /// Text arrived while attachments were due: abandons the half-built packet.
    pub fn interrupt(&mut self) -> Option<BinaryError> {
        self.pending.take().map(|m| BinaryError::UnexpectedText {
            announced: m.packet.attachments.unwrap_or(0),
            received: m.attachments.len() as u32,
        })
    }

    /// Takes one binary attachment.
    pub fn push_binary(&mut self, bytes: Vec<u8>) -> Result<Step, BinaryError> {
        let Some(pending) = self.pending.as_mut() else {
            return Err(BinaryError::UnexpectedBinary);
        };
        pending.attachments.push(bytes);
        let announced = pending.packet.attachments.unwrap_or(0);
        let received = pending.attachments.len() as u32;
        if received < announced {
            return Ok(Step::Waiting { received, announced });
        }
        let message = self.pending.take().ok_or(BinaryError::UnexpectedBinary)?;
        check_placeholders(&message)?;
        Ok(Step::Complete(message))
    }

    /// Ends the stream (connection closed): a half-built packet is reported.
    pub fn finish(&mut self) -> Result<(), BinaryError> {
        match self.pending.take() {
            None => Ok(()),
            Some(m) => Err(BinaryError::Incomplete {
                announced: m.packet.attachments.unwrap_or(0),
                received: m.attachments.len() as u32,
            }),
        }
    }
}

/// Every placeholder must point at an attachment, as `_reconstructPacket` demands.
pub fn check_placeholders(message: &Message) -> Result<(), BinaryError> {
    let Some(data) = &message.packet.data else {
        return Ok(());
    };
    let value: Value =
        serde_json::from_str(data).map_err(|e| BinaryError::IllegalPlaceholder(format!("header JSON: {e}")))?;
    let count = message.attachments.len();
    let mut problem = None;
    visit_placeholders(&value, &mut |num| {
        let ok = num.as_u64().is_some_and(|n| (n as usize) < count);
        if !ok && problem.is_none() {
            problem = Some(format!(
                "placeholder num {num} does not name one of the {count} attachments"
            ));
        }
    });
    problem.map_or(Ok(()), |p| Err(BinaryError::IllegalPlaceholder(p)))
}

/// Calls `f` with the `num` of each placeholder, depth first.
pub fn visit_placeholders(value: &Value, f: &mut impl FnMut(&Value)) {
    match value {
        Value::Object(map) if map.get("_placeholder") == Some(&Value::Bool(true)) => {
            f(map.get("num").unwrap_or(&Value::Null));
        }
        Value::Object(map) => map.values().for_each(|v| visit_placeholders(v, f)),
        Value::Array(items) => items.iter().for_each(|v| visit_placeholders(v, f)),
        _ => {}
    }
}

/// The placeholder that stands for attachment `num`.
pub fn placeholder(num: usize) -> Value {
    serde_json::json!({"_placeholder": true, "num": num})
}

/// Builds the packets that carry `data` with `attachments`: a BINARY_* header when
/// there are attachments, the plain type otherwise. `data` must already hold the
/// placeholders, numbered in attachment order.
pub fn deconstruct(
    kind: PacketType,
    nsp: &str,
    id: Option<u64>,
    data: &Value,
    attachments: &[Vec<u8>],
) -> Packet<'static> {
    let kind = match (kind, attachments.is_empty()) {
        (PacketType::Event | PacketType::BinaryEvent, false) => PacketType::BinaryEvent,
        (PacketType::Ack | PacketType::BinaryAck, false) => PacketType::BinaryAck,
        (PacketType::BinaryEvent, true) => PacketType::Event,
        (PacketType::BinaryAck, true) => PacketType::Ack,
        (other, _) => other,
    };
    let mut p = Packet::new(kind, nsp.to_string()).with_data(data.to_string());
    p.id = id;
    if kind.is_binary() {
        p.attachments = Some(attachments.len() as u32);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::sio::{SioVersion, decode};

    fn header(s: &str) -> Packet<'static> {
        decode(s, SioVersion::V5).expect("valid").packet.into_owned()
    }

    #[test]
    fn header_then_attachments() {
        let mut r = Reassembler::new();
        let step = r.push_packet(header(r#"51-["upload",{"_placeholder":true,"num":0}]"#));
        assert_eq!(
            step,
            Ok(Step::Waiting {
                received: 0,
                announced: 1
            })
        );
        let Ok(Step::Complete(m)) = r.push_binary(vec![1, 2, 3]) else {
            panic!("complete")
        };
        assert_eq!(m.attachments, [vec![1, 2, 3]]);
        assert!(!r.is_pending());
    }

    #[test]
    fn stray_and_missing_attachments() {
        let mut r = Reassembler::new();
        assert_eq!(r.push_binary(vec![1]), Err(BinaryError::UnexpectedBinary));
        r.push_packet(header(r#"52-["u",{"_placeholder":true,"num":0}]"#))
            .expect("header");
        r.push_binary(vec![1]).expect("first");
        assert_eq!(
            r.push_packet(header(r#"2["x"]"#)),
            Err(BinaryError::UnexpectedText {
                announced: 2,
                received: 1
            })
        );
        // The stream goes on after the error.
        assert!(matches!(r.push_packet(header(r#"2["x"]"#)), Ok(Step::Complete(_))));
        r.push_packet(header(r#"52-["u",{"_placeholder":true,"num":0}]"#))
            .expect("header");
        r.push_binary(vec![1]).expect("first");
        assert_eq!(
            r.finish(),
            Err(BinaryError::Incomplete {
                announced: 2,
                received: 1
            })
        );
    }

    #[test]
    fn placeholder_out_of_range() {
        let mut r = Reassembler::new();
        r.push_packet(header(r#"51-["u",{"_placeholder":true,"num":5}]"#))
            .expect("header");
        assert!(matches!(
            r.push_binary(vec![1]),
            Err(BinaryError::IllegalPlaceholder(_))
        ));
        r.push_packet(header(r#"51-["u",{"_placeholder":true,"num":"0"}]"#))
            .expect("header");
        assert!(matches!(
            r.push_binary(vec![1]),
            Err(BinaryError::IllegalPlaceholder(_))
        ));
    }

    #[test]
    fn deconstruct_picks_the_binary_type() {
        let data = serde_json::json!(["upload", placeholder(0)]);
        let p = deconstruct(PacketType::Event, "/", Some(3), &data, &[vec![1]]);
        assert_eq!(
            crate::proto::sio::encode(&p),
            r#"51-3["upload",{"_placeholder":true,"num":0}]"#
        );
    }
}
