//! Bytes → `payload::split` for Engine.IO 3 and 4, then each record through
//! `eio::decode` and, in order, through a `FrameDecoder` (`frame::decode_payload`).
//! Records must lie inside the body, and a body joined again from the decoded
//! packets must split into the same packets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sio::proto::eio::{self, EioVersion, Frame};
use sio::proto::frame::{FrameDecoder, Parser, decode_payload};
use sio::proto::payload;

fuzz_target!(|data: &[u8]| {
    for version in [EioVersion::V3, EioVersion::V4] {
        let split = payload::split(data, version);
        let range = data.as_ptr_range();
        let mut packets = Vec::new();
        for record in &split.records {
            let bytes = match record {
                Frame::Text(t) => t.as_bytes(),
                Frame::Binary(b) => b,
            };
            let r = bytes.as_ptr_range();
            assert!(range.start <= r.start && r.end <= range.end, "record outside the body");
            if let Ok(p) = eio::decode(*record, version) {
                packets.push(p);
            }
        }

        // Re-joining what decoded gives the same packets back.
        if !packets.is_empty() {
            let body = payload::join_text(&packets, version);
            let (again, error) = payload::decode_all(body.as_bytes(), version);
            assert_eq!(error, None, "joined body {body:?} does not split");
            let again: Vec<_> = again.into_iter().map(|p| p.expect("joined packet decodes")).collect();
            assert_eq!(again, packets, "joined body {body:?}");
        }

        for parser in [Parser::Default, Parser::Msgpack] {
            let mut decoder = FrameDecoder::new(version, parser);
            let _ = decode_payload(&mut decoder, data);
            let _ = decoder.finish();
        }
    }
});
