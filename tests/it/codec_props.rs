//! Property tests of the codec: round trips for generated packets of both
//! revisions, and no panic (or hang) on arbitrary input.

use proptest::prelude::*;
use sio::proto::eio::{self, BinaryForm, EioVersion, Frame};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::proto::sio::{self as sp, PacketType, SioVersion};
use sio::proto::{msgpack, payload};

fn json_leaf() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        (-1e12f64..1e12).prop_map(serde_json::Value::from),
        ".*".prop_map(serde_json::Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    json_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec(("[a-z_]{0,6}", inner), 0..6)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn event_name(version: SioVersion) -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        ".*".prop_filter("not reserved", move |s: &String| version == SioVersion::V4
            || !sp::RESERVED_EVENTS.contains(&s.as_str()))
            .prop_map(serde_json::Value::from),
        any::<u32>().prop_map(serde_json::Value::from),
    ]
}

fn namespace() -> impl Strategy<Value = String> {
    prop_oneof![Just("/".to_string()), "/[^,]{1,12}".prop_map(|s| s)]
}

/// A packet that a reference encoder could produce, for the given revision.
fn packet(version: SioVersion) -> impl Strategy<Value = sp::Packet<'static>> {
    let id = proptest::option::of(0u64..=sp::MAX_SAFE_INTEGER);
    let args = prop::collection::vec(json_value(), 0..4);
    (
        0u8..7,
        namespace(),
        id,
        event_name(version),
        args,
        json_value(),
        1u32..=10,
    )
        .prop_map(move |(kind, nsp, id, name, args, any, attachments)| {
            let kind = PacketType::ALL[kind as usize];
            let mut p = sp::Packet::new(kind, nsp);
            match kind {
                PacketType::Connect => {
                    p.data = Some(serde_json::json!({ "token": any }).to_string().into());
                }
                PacketType::Disconnect => {}
                PacketType::ConnectError => {
                    p.data = Some(serde_json::json!({ "message": "no", "data": any }).to_string().into());
                }
                PacketType::Event | PacketType::BinaryEvent => {
                    let mut items = vec![name];
                    items.extend(args);
                    p.data = Some(serde_json::Value::Array(items).to_string().into());
                    p.id = id;
                }
                PacketType::Ack | PacketType::BinaryAck => {
                    p.data = Some(serde_json::Value::Array(args).to_string().into());
                    p.id = id;
                }
            }
            if kind.is_binary() {
                p.attachments = Some(attachments);
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn socketio_round_trip_v5(p in packet(SioVersion::V5)) {
        let text = sp::encode(&p);
        let decoded = sp::decode(&text, SioVersion::V5).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(decoded.packet, p);
        prop_assert!(decoded.quirks.is_empty());
    }

    #[test]
    fn socketio_round_trip_v4(p in packet(SioVersion::V4)) {
        let text = sp::encode(&p);
        let decoded = sp::decode(&text, SioVersion::V4).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(decoded.packet, p);
    }

    #[test]
    fn engineio_round_trip(kind in 0u8..7, text in ".*", bytes in prop::collection::vec(any::<u8>(), 0..64), v3 in any::<bool>(), raw in any::<bool>()) {
        let version = if v3 { EioVersion::V3 } else { EioVersion::V4 };
        let form = if raw { BinaryForm::Raw } else { BinaryForm::Base64 };
        let text_packet = eio::Packet::text(eio::PacketType::ALL[kind as usize], text);
        let binary_packet = eio::Packet::binary(bytes);
        for p in [text_packet, binary_packet] {
            let frame = eio::encode(&p, version, form);
            prop_assert_eq!(eio::decode(frame.as_frame(), version).expect("own encoding decodes"), p.clone());
        }
    }

    #[test]
    fn payload_round_trip(texts in prop::collection::vec("[^\u{1e}]+", 1..6), blobs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..16), 0..3), v3 in any::<bool>()) {
        let version = if v3 { EioVersion::V3 } else { EioVersion::V4 };
        let mut packets: Vec<eio::Packet<'static>> = texts.into_iter().map(|t| eio::Packet::text(eio::PacketType::Message, t)).collect();
        packets.extend(blobs.into_iter().map(eio::Packet::binary));
        let body = payload::join_text(&packets, version);
        let (decoded, err) = payload::decode_all(body.as_bytes(), version);
        prop_assert_eq!(err, None);
        let decoded: Vec<_> = decoded.into_iter().map(|p| p.expect("valid").into_owned()).collect();
        prop_assert_eq!(&decoded, &packets);
        if v3 {
            let body = payload::join_v3_binary(&packets);
            let (decoded, err) = payload::decode_all(&body, version);
            prop_assert_eq!(err, None);
            let decoded: Vec<_> = decoded.into_iter().map(|p| p.expect("valid").into_owned()).collect();
            prop_assert_eq!(decoded, packets);
        }
    }

    #[test]
    fn msgpack_round_trip(p in packet(SioVersion::V5)) {
        // msgpack has no BINARY_* types and no attachment count.
        prop_assume!(!p.kind.is_binary());
        let bytes = msgpack::encode(&p, &[]).expect("encodes");
        let message = msgpack::decode(&bytes).expect("decodes");
        let expected: serde_json::Value = p.data.as_deref().map(|d| serde_json::from_str(d).expect("json")).unwrap_or(serde_json::Value::Null);
        let got: serde_json::Value = message.packet.data.as_deref().map(|d| serde_json::from_str(d).expect("json")).unwrap_or(serde_json::Value::Null);
        prop_assert_eq!(got, expected);
        prop_assert_eq!(message.packet.kind, p.kind);
        prop_assert_eq!(message.packet.nsp, p.nsp);
        prop_assert_eq!(message.packet.id, p.id);
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".*", v3 in any::<bool>()) {
        let version = if v3 { EioVersion::V3 } else { EioVersion::V4 };
        let mut d = FrameDecoder::new(version, Parser::Default);
        let _ = d.decode(Frame::Text(&s));
        let _ = d.decode(Frame::Text(&format!("4{s}")));
        let _ = d.decode(Frame::Text(&format!("45{s}")));
        let _ = payload::split(s.as_bytes(), version);
        let _ = sp::decode(&s, SioVersion::V4);
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..256), v3 in any::<bool>()) {
        let version = if v3 { EioVersion::V3 } else { EioVersion::V4 };
        for parser in [Parser::Default, Parser::Msgpack] {
            let mut d = FrameDecoder::new(version, parser);
            let _ = d.decode(Frame::Binary(&b));
            let _ = d.decode(Frame::Text(&String::from_utf8_lossy(&b)));
            let _ = d.finish();
        }
        let _ = payload::split(&b, version);
    }
}
