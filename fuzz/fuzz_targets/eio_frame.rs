//! Bytes → `FrameDecoder::decode`, as a text frame (when UTF-8) and as a binary
//! frame, for Engine.IO 3 and 4 and both Socket.IO parsers. Then the same bytes
//! cut into a sequence of frames (at each 0xFF byte; a piece whose first byte is
//! even is sent as text when it is UTF-8), so binary reassembly state is exercised
//! across frames. Every `Decoded` must also serialise to JSON and read back equal,
//! as records do.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sio::proto::eio::{EioVersion, Frame};
use sio::proto::frame::{Decoded, FrameDecoder, Parser};

const VERSIONS: [EioVersion; 2] = [EioVersion::V3, EioVersion::V4];
const PARSERS: [Parser; 2] = [Parser::Default, Parser::Msgpack];

fn check(decoder: &mut FrameDecoder, frame: Frame<'_>) {
    let decoded = decoder.decode(frame);
    let json = serde_json::to_string(&decoded).expect("a Decoded serialises");
    let back: Decoded = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
    assert_eq!(back, decoded, "record JSON {json} reads back different");
}

fuzz_target!(|data: &[u8]| {
    let text = std::str::from_utf8(data).ok();
    for version in VERSIONS {
        for parser in PARSERS {
            let mut decoder = FrameDecoder::new(version, parser);
            if let Some(text) = text {
                check(&mut decoder, Frame::Text(text));
            }
            check(&mut decoder, Frame::Binary(data));
            let _ = decoder.finish();

            let mut decoder = FrameDecoder::new(version, parser);
            for piece in data.split(|&b| b == 0xff) {
                let frame = match (piece.first(), std::str::from_utf8(piece)) {
                    (Some(b), Ok(t)) if b % 2 == 0 => Frame::Text(t),
                    _ => Frame::Binary(piece),
                };
                check(&mut decoder, frame);
            }
            let _ = decoder.finish();
        }
    }
});
