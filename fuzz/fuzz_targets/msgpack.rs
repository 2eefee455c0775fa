//! Bytes → `msgpack::decode`. When it decodes, `msgpack::encode` of the result must
//! succeed and decode again to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sio::proto::msgpack;

fuzz_target!(|data: &[u8]| {
    let Ok(message) = msgpack::decode(data) else {
        return;
    };
    let encoded = msgpack::encode(&message.packet, &message.attachments)
        .unwrap_or_else(|e| panic!("decoded {message:?} but it does not encode: {e}"));
    match msgpack::decode(&encoded) {
        Ok(again) => assert_eq!(again, message, "re-encoded as {encoded:02x?}"),
        Err(e) => panic!("decoded {message:?}, re-encoded as {encoded:02x?}, which does not decode: {e}"),
    }
});
