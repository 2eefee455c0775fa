//! What the filter language costs per record: `cargo bench --bench filter`.
//!
//! Every frame of `benches/mix.txt` (heartbeats, small events, ~1 KiB JSON events,
//! binary events) decoded once into records, alternating directions; then each
//! expression is matched against 1,000,000 of them (the mix over and over), timed as a
//! whole. Prints ns per record and how many of the records it let through.

mod common;

use std::hint::black_box;
use std::time::Instant;

use sio::filter::Filter;
use sio::proto::eio::{EioVersion, OwnedFrame};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::record::{Body, Direction, FrameRecord, Raw, Record, Timestamp, Transport};

const MATCHES: usize = 1_000_000;

const EXPRESSIONS: &[&str] = &[
    "",
    "event:chat",
    "event:ch* -dir:out",
    "kind:heartbeat or kind:ack",
    "-kind:heartbeat ns:/ transport:ws",
    "data.0.user=hiro",
    "data.0.text~hello",
    "\"hiro\"",
    "/pres[a-z]+ce/",
    "zzz-not-there",
];

fn main() {
    let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
    let records: Vec<Record> = common::load_mix()
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let frame_ref = frame.as_frame();
            Record {
                seq: i as u64,
                time: Timestamp { micros: i as u64 },
                conn: None,
                body: Body::Frame(FrameRecord {
                    dir: Some(if i % 3 == 0 { Direction::Out } else { Direction::In }),
                    transport: Some(Transport::Websocket),
                    raw: match frame {
                        OwnedFrame::Text(t) => Raw::Text { text: t.clone() },
                        OwnedFrame::Binary(b) => Raw::Binary(sio::proto::frame::Bytes(b.clone())),
                    },
                    decoded: decoder.decode(frame_ref),
                }),
            }
        })
        .collect();
    println!(
        "{} records in the mix, each expression matched {MATCHES} times",
        records.len()
    );
    println!(
        "{:<36} {:>10} {:>12} {:>8}",
        "expression", "ns/record", "records/s", "passed"
    );
    for expr in EXPRESSIONS {
        let filter = Filter::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let start = Instant::now();
        let mut passed = 0usize;
        for i in 0..MATCHES {
            passed += usize::from(filter.matches(black_box(&records[i % records.len()])));
        }
        let elapsed = start.elapsed();
        let ns = elapsed.as_nanos() as f64 / MATCHES as f64;
        println!(
            "{:<36} {ns:>10.1} {:>12.0} {:>7.1}%",
            if expr.is_empty() { "(empty)" } else { expr },
            1e9 / ns,
            100.0 * passed as f64 / MATCHES as f64
        );
    }
}
