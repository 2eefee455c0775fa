//! The frame mix both Rust benchmarks decode: `benches/mix.txt`, written by
//! `benches/gen_mix.js` and read by `benches/node_parsers.js` too.

use sio::proto::eio::OwnedFrame;

/// The path of the mix, whatever directory the bench runs from.
pub const MIX_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/mix.txt");

/// The frames of `mix.txt` in order (`in ws t "<json string>"` / `in ws b <hex>`).
pub fn load_mix() -> Vec<OwnedFrame> {
    let text = std::fs::read_to_string(MIX_PATH).unwrap_or_else(|e| panic!("{MIX_PATH}: {e}"));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> OwnedFrame {
    let mut parts = line.splitn(4, ' ');
    let (Some(_dir), Some("ws"), Some(kind), Some(data)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        panic!("bad mix line: {line}")
    };
    match kind {
        "t" => OwnedFrame::Text(serde_json::from_str(data).unwrap_or_else(|e| panic!("bad text frame {data}: {e}"))),
        "b" => OwnedFrame::Binary(hex(data)),
        _ => panic!("bad mix line: {line}"),
    }
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}
