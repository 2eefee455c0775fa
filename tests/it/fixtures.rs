//! Frames captured from real Node servers (tests/fixtures, written by
//! tests/peers/capture.js): every one decodes without error, and text frames
//! re-encode byte for byte.

use sio::proto::eio::{self, BinaryForm, EioVersion, Frame};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::proto::payload;
use sio::proto::sio::{self as sp, SioVersion};

/// One captured line: direction, transport, and the frame or body.
struct Captured {
    line: usize,
    dir: String,
    bytes: Vec<u8>,
    text: bool,
    payload: bool,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("fixture hex"))
        .collect()
}

fn load(name: &str) -> Vec<Captured> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture file");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(4, ' ');
        let (dir, _transport, form, data) = (
            fields.next().expect("dir"),
            fields.next().expect("transport"),
            fields.next().expect("form"),
            fields.next().expect("data"),
        );
        let (bytes, text) = if data.starts_with('"') {
            let s: String = serde_json::from_str(data).expect("fixture string");
            (s.into_bytes(), true)
        } else {
            (hex(data), false)
        };
        out.push(Captured {
            line: i + 1,
            dir: dir.to_string(),
            bytes,
            text,
            payload: form == "p",
        });
    }
    out
}

fn check(name: &str, version: EioVersion) -> usize {
    let sio_version = if version == EioVersion::V4 {
        SioVersion::V5
    } else {
        SioVersion::V4
    };
    let frames = load(name);
    assert!(frames.len() > 50, "{name} holds too few frames");
    // Each direction has its own binary reassembly state.
    let mut inbound = FrameDecoder::new(version, Parser::Default);
    let mut outbound = FrameDecoder::new(version, Parser::Default);
    let mut checked = 0;
    for c in &frames {
        let decoder = if c.dir == "in" { &mut inbound } else { &mut outbound };
        let records: Vec<Frame<'_>> = if c.payload {
            let split = payload::split(&c.bytes, version);
            assert_eq!(split.error, None, "{name}:{} payload", c.line);
            split.records
        } else if c.text {
            vec![Frame::Text(std::str::from_utf8(&c.bytes).expect("utf-8"))]
        } else {
            vec![Frame::Binary(&c.bytes)]
        };
        for frame in &records {
            let decoded = decoder.decode(*frame);
            assert_eq!(decoded.error, None, "{name}:{} {frame:?}", c.line);
            // Re-encode: Engine.IO, and Socket.IO for text messages.
            let packet = eio::decode(*frame, version).expect("decodes");
            let form = match frame {
                Frame::Text(_) => BinaryForm::Base64,
                Frame::Binary(_) => BinaryForm::Raw,
            };
            assert_eq!(
                eio::encode(&packet, version, form).as_frame(),
                *frame,
                "{name}:{}",
                c.line
            );
            if let (eio::PacketType::Message, Some(text)) = (packet.kind, packet.text_data()) {
                let sio_packet = sp::decode(text, sio_version).expect("socket.io decodes").packet;
                assert_eq!(sp::encode(&sio_packet), text, "{name}:{} re-encodes", c.line);
            }
            checked += 1;
        }
        if c.payload {
            let packets: Vec<_> = records
                .iter()
                .map(|f| eio::decode(*f, version).expect("decodes"))
                .collect();
            let rejoined = if c.text {
                payload::join_text(&packets, version).into_bytes()
            } else {
                payload::join_v3_binary(&packets)
            };
            assert_eq!(rejoined, c.bytes, "{name}:{} payload re-joins", c.line);
        }
    }
    assert!(inbound.finish().is_none() && outbound.finish().is_none());
    checked
}

#[test]
fn node_v4_frames_decode_and_re_encode() {
    assert!(check("frames-node-v4.txt", EioVersion::V4) > 80);
}

#[test]
fn node_v2_frames_decode_and_re_encode() {
    assert!(check("frames-node-v2.txt", EioVersion::V3) > 80);
}
