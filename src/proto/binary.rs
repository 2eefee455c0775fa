//! Binary packets: a BINARY_EVENT/BINARY_ACK header followed by its attachments.
//!
//! The header's JSON holds `{"_placeholder":true,"num":i}` where each binary value
//! was; the attachments follow as separate binary Engine.IO messages. One
//! [`Reassembler`] serves a whole connection (not a namespace), as in the reference.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::json_scan;
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
    let count = message.attachments.len();
    // Placeholders as encoders write them, all in range: nothing else can be wrong. Anything
    // else (a num out of range included) gets the full reading, for its verdict and its words.
    if json_scan::placeholder_nums(data).is_some_and(|nums| nums.iter().all(|&n| n < count as u64)) {
        return Ok(());
    }
    let mut de = serde_json::Deserializer::from_str(data);
    let nums = PlaceholderNums
        .deserialize(&mut de)
        .and_then(|nums| de.end().map(|()| nums))
        .map_err(|e| BinaryError::IllegalPlaceholder(format!("header JSON: {e}")))?;
    match nums.iter().find(|num| num.as_u64().is_none_or(|n| n as usize >= count)) {
        Some(num) => Err(BinaryError::IllegalPlaceholder(format!(
            "placeholder num {num} does not name one of the {count} attachments"
        ))),
        None => Ok(()),
    }
}

/// The `num`s [`visit_placeholders`] finds in the parsed value, in its order, read in one
/// pass that builds only the placeholders' keys. It parses as strictly as a `Value`
/// does, so what a `Value` refuses is refused here too.
struct PlaceholderNums;

impl<'de> DeserializeSeed<'de> for PlaceholderNums {
    type Value = Vec<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PlaceholderNums {
    type Value = Vec<Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Vec<Value>, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Vec<Value>, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Vec<Value>, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Vec<Value>, E> {
        Ok(Vec::new())
    }
    fn visit_str<E>(self, _: &str) -> Result<Vec<Value>, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E>(self) -> Result<Vec<Value>, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let mut nums = Vec::new();
        while let Some(more) = seq.next_element_seed(PlaceholderNums)? {
            nums.extend(more);
        }
        Ok(nums)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Value>, A::Error> {
        let mut entries = Entries::default();
        let (mut is_placeholder, mut num) = (false, None);
        while let Some(Key(key)) = map.next_key()? {
            let nums = match key.as_ref() {
                // These two decide whether the object is a placeholder: read them whole.
                "_placeholder" | "num" => {
                    let value: Value = map.next_value()?;
                    let mut nums = Vec::new();
                    visit_placeholders(&value, &mut |n| nums.push(n.clone()));
                    if key == "num" {
                        num = Some(value);
                    } else {
                        is_placeholder = value == Value::Bool(true);
                    }
                    nums
                }
                _ => map.next_value_seed(PlaceholderNums)?,
            };
            entries.set(key, nums);
        }
        if is_placeholder {
            return Ok(vec![num.unwrap_or(Value::Null)]);
        }
        Ok(entries.list.into_iter().flat_map(|(_, nums)| nums).collect())
    }
}

/// An object's keys in the order a parsed `Value` keeps them: a repeated key takes the
/// last value but keeps its first place (as JSON.parse does too).
#[derive(Default)]
struct Entries<'de> {
    list: Vec<(Cow<'de, str>, Vec<Value>)>,
    /// Where each key sits, once the object is too large to search from end to end.
    index: HashMap<Cow<'de, str>, usize>,
}

impl<'de> Entries<'de> {
    const SEARCHED: usize = 16;

    fn set(&mut self, key: Cow<'de, str>, nums: Vec<Value>) {
        let at = if self.list.len() <= Self::SEARCHED {
            self.list.iter().position(|(k, _)| *k == key)
        } else {
            if self.index.is_empty() {
                self.index = self.list.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect();
            }
            self.index.get(&key).copied()
        };
        match at {
            Some(i) => self.list[i].1 = nums,
            None => {
                if !self.index.is_empty() {
                    self.index.insert(key.clone(), self.list.len());
                }
                self.list.push((key, nums));
            }
        }
    }
}

/// An object key, borrowed from the text unless it had escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor).map(Key)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
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
    use proptest::prelude::*;

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

    fn message(data: &str, attachments: usize) -> Message {
        Message {
            packet: Packet::new(PacketType::BinaryEvent, "/").with_data(data.to_string()),
            attachments: vec![Vec::new(); attachments],
        }
    }

    /// The check done the plain way, on the parsed value: what the streaming one must match.
    fn by_value(data: &str, count: usize) -> Result<(), BinaryError> {
        let value: Value =
            serde_json::from_str(data).map_err(|e| BinaryError::IllegalPlaceholder(format!("header JSON: {e}")))?;
        let mut nums = Vec::new();
        visit_placeholders(&value, &mut |n| nums.push(n.clone()));
        match nums.iter().find(|num| num.as_u64().is_none_or(|n| n as usize >= count)) {
            Some(num) => Err(BinaryError::IllegalPlaceholder(format!(
                "placeholder num {num} does not name one of the {count} attachments"
            ))),
            None => Ok(()),
        }
    }

    #[test]
    fn repeated_keys_count_as_a_parsed_value_has_them() {
        let p = |n: i32| format!(r#"{{"_placeholder":true,"num":{n}}}"#);
        let cases = [
            // The later value replaces the earlier: no placeholder num 9 is left.
            format!(r#"["u",{{"a":{},"a":1}}]"#, p(9)),
            // ...but keeps the earlier place: num 7 comes before num 8.
            format!(r#"["u",{{"a":1,"b":{},"a":{}}}]"#, p(8), p(7)),
            format!(r#"["u",{{"_placeholder":true,"_placeholder":false,"x":{}}}]"#, p(5)),
            format!(r#"["u",{{"num":{},"_placeholder":false}}]"#, p(6)),
            format!(
                r#"["u",{{{}}}]"#,
                (0..40)
                    .map(|i| format!(r#""k{}":{}"#, i % 25, p(i)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ];
        for data in &cases {
            assert_eq!(check_placeholders(&message(data, 1)), by_value(data, 1), "{data}");
        }
        assert!(check_placeholders(&message(&cases[0], 1)).is_ok());
    }

    fn header_data() -> impl Strategy<Value = String> {
        let num = prop_oneof![
            Just("0".to_string()),
            Just("1".to_string()),
            Just("2".to_string()),
            Just("-1".to_string()),
            Just("1.0".to_string()),
            Just("\"0\"".to_string()),
            Just("null".to_string()),
            Just("1e400".to_string()),
            Just("01".to_string()),
            Just("00".to_string()),
            Just("12".to_string()),
            Just("18446744073709551616".to_string()),
            Just("0,\"x\":1".to_string()),
        ];
        let flag = prop_oneof![Just("true"), Just("false"), Just("\"true\""), Just("1")];
        let key = prop_oneof![
            Just("a"),
            Just("b"),
            Just("num"),
            Just("_placeholder"),
            Just("c\\u0061")
        ];
        let leaf = prop_oneof![
            (flag.clone(), num.clone()).prop_map(|(f, n)| format!(r#"{{"_placeholder":{f},"num":{n}}}"#)),
            (num.clone(), flag.clone()).prop_map(|(n, f)| format!(r#"{{"num":{n},"_placeholder":{f}}}"#)),
            flag.clone().prop_map(|f| format!(r#"{{"_placeholder":{f}}}"#)),
            num,
            Just("\"s\"".to_string()),
        ];
        let data = leaf.prop_recursive(4, 24, 4, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((key.clone(), inner), 0..5).prop_map(|kv| {
                    let kv: Vec<String> = kv.into_iter().map(|(k, v)| format!(r#""{k}":{v}"#)).collect();
                    format!("{{{}}}", kv.join(","))
                }),
            ]
        });
        // Now and then a byte put in or taken out, so that broken text is checked too.
        let noise = prop_oneof![Just(""), Just(" "), Just(","), Just("}"), Just("]"), Just("0")];
        (data, any::<prop::sample::Index>(), noise, 0u8..4).prop_map(|(data, at, noise, how)| {
            let at = at.index(data.len() + 1);
            match how {
                0 => format!("{}{noise}{}", &data[..at], &data[at..]),
                1 if at < data.len() => format!("{}{}", &data[..at], &data[at + 1..]),
                _ => data,
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The checks without a parsed value give its verdict, word for word.
        #[test]
        fn streaming_check_matches_the_parsed_value(data in header_data(), count in 0usize..3) {
            prop_assert_eq!(check_placeholders(&message(&data, count)), by_value(&data, count), "{}", data);
        }
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
