//! A string → `sio::decode` for Socket.IO protocol 4 and 5. When it decodes,
//! `encode` of the packet must decode again to the same packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sio::proto::sio::{SioVersion, decode, decode_with_layout, encode};

fuzz_target!(|text: &str| {
    for version in [SioVersion::V4, SioVersion::V5] {
        let _ = decode_with_layout(text, version);
        let Ok(decoded) = decode(text, version) else {
            continue;
        };
        let encoded = encode(&decoded.packet);
        match decode(&encoded, version) {
            Ok(again) => assert_eq!(
                again.packet, decoded.packet,
                "{text:?} encodes as {encoded:?}, which decodes differently ({version:?})"
            ),
            Err(e) => panic!("{text:?} encodes as {encoded:?}, which does not decode ({version:?}): {e}"),
        }
    }
});
