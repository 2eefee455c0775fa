//! A string → the JSON scanner `sio::decode` judges payloads with, against serde_json:
//! whatever the scanner accepts, serde_json accepts with the same shape and reads as a
//! value; the last string argument it finds is the parsed value's. Also from the second
//! byte on, so inputs that start inside a string or a number get scanned. And the
//! placeholder check of binary headers, which reads no value, against one done on the
//! parsed value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sio::proto::binary::{BinaryError, Message, check_placeholders, visit_placeholders};
use sio::proto::json_scan::fast_shape_check;
use sio::proto::sio::{Packet, PacketType};

fn placeholders_as_a_value_has_them(text: &str) {
    // Where no Value holds the text the verdicts may differ in their words (and with
    // serde_json's raw_value feature a Value reads one key its own way): skip it.
    let Ok(value) = serde_json::from_str::<Value>(text) else { return };
    let mut nums = Vec::new();
    visit_placeholders(&value, &mut |n| nums.push(n.clone()));
    for count in 0..3 {
        let message = Message {
            packet: Packet::new(PacketType::BinaryEvent, "/").with_data(text.to_owned()),
            attachments: vec![Vec::new(); count],
        };
        let expected = match nums.iter().find(|n| n.as_u64().is_none_or(|n| n as usize >= count)) {
            Some(num) => Err(BinaryError::IllegalPlaceholder(format!(
                "placeholder num {num} does not name one of the {count} attachments"
            ))),
            None => Ok(()),
        };
        assert_eq!(check_placeholders(&message), expected, "{text:?} with {count} attachments");
    }
}

fuzz_target!(|text: &str| {
    fast_shape_check(text);
    if let Some(rest) = text.get(1..) {
        fast_shape_check(rest);
    }
    placeholders_as_a_value_has_them(text);
});
