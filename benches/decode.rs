//! Decode benchmarks (divan) on the frame mix of `benches/mix.txt`.
//!
//!     cargo bench --bench decode
//!     cargo bench --bench decode -- frame        # only benchmarks whose path matches
//!
//! - `frame::mix`: every frame of the mix through one [`FrameDecoder`] (Engine.IO v4,
//!   default parser), as the client engine feeds it; throughput in frames.
//! - `frame::one`: one kind of traffic at a time (a heartbeat, a small event, a
//!   ~1 KiB JSON event, a binary event = header + 1 KiB attachment).
//! - `sio_decode`, `eio_decode`: the Socket.IO and Engine.IO layers alone.
//! - `payload_split`: a 20-record polling body, rev 4 and rev 3.

mod common;

use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use sio::proto::eio::{self, EioVersion, Frame, OwnedFrame, Packet};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::proto::{payload, sio as sio_packet};

fn main() {
    divan::main();
}

static MIX: LazyLock<Vec<OwnedFrame>> = LazyLock::new(common::load_mix);

/// A small event, the heartbeat of a chat.
const SMALL_EVENT: &str = r#"42["chat",{"user":"ann","text":"hi there"}]"#;
/// A small event with a namespace and an ack id.
const SMALL_EVENT_NSP_ACK: &str = r#"42/chat,17["chat",{"user":"ann","text":"hi there"}]"#;

fn text_frames() -> impl Iterator<Item = &'static str> {
    MIX.iter().filter_map(|f| match f {
        OwnedFrame::Text(t) => Some(t.as_str()),
        OwnedFrame::Binary(_) => None,
    })
}

/// The first ~1 KiB JSON event of the mix.
fn json_1k() -> &'static str {
    text_frames()
        .find(|t| t.len() >= 1000 && t.starts_with("42"))
        .expect("mix has a 1 KiB event")
}

/// The first binary event of the mix: its header and its attachment.
fn binary_event() -> [Frame<'static>; 2] {
    let i = MIX
        .iter()
        .position(|f| matches!(f, OwnedFrame::Binary(_)))
        .expect("mix has a binary frame");
    [MIX[i - 1].as_frame(), MIX[i].as_frame()]
}

mod frame {
    use super::*;

    /// The whole mix, in order, through one decoder that lives across iterations.
    #[divan::bench]
    fn mix(bencher: Bencher) {
        let frames = &*MIX;
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        bencher.counter(ItemsCount::new(frames.len())).bench_local(|| {
            for f in frames {
                black_box(decoder.decode(black_box(f.as_frame())));
            }
        });
    }

    /// One kind of traffic; a binary event counts as its two frames.
    #[divan::bench(args = ["heartbeat", "small_event", "small_event_nsp_ack", "json_1k", "binary_event_1k"])]
    fn one(bencher: Bencher, kind: &str) {
        let frames: Vec<Frame<'static>> = match kind {
            "heartbeat" => vec![Frame::Text("2")],
            "small_event" => vec![Frame::Text(SMALL_EVENT)],
            "small_event_nsp_ack" => vec![Frame::Text(SMALL_EVENT_NSP_ACK)],
            "json_1k" => vec![Frame::Text(json_1k())],
            "binary_event_1k" => binary_event().to_vec(),
            other => unreachable!("{other}"),
        };
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        bencher.counter(ItemsCount::new(frames.len())).bench_local(|| {
            for f in &frames {
                black_box(decoder.decode(black_box(*f)));
            }
        });
    }
}

/// `sio::decode` alone, on the Engine.IO message data (without its `4`).
#[divan::bench(args = ["small_event", "small_event_nsp_ack", "json_1k", "binary_header"])]
fn sio_decode(bencher: Bencher, kind: &str) {
    let text = match kind {
        "small_event" => SMALL_EVENT,
        "small_event_nsp_ack" => SMALL_EVENT_NSP_ACK,
        "json_1k" => json_1k(),
        "binary_header" => match binary_event()[0] {
            Frame::Text(t) => t,
            Frame::Binary(_) => unreachable!("a header is text"),
        },
        other => unreachable!("{other}"),
    };
    let data = &text[1..];
    assert!(sio_packet::decode(data, sio_packet::SioVersion::V5).is_ok(), "{data}");
    bencher
        .counter(BytesCount::of_str(data))
        .bench(|| sio_packet::decode(black_box(data), sio_packet::SioVersion::V5));
}

/// `eio::decode` alone.
#[divan::bench(args = ["heartbeat", "small_event", "json_1k", "binary_1k"])]
fn eio_decode(bencher: Bencher, kind: &str) {
    let frame = match kind {
        "heartbeat" => Frame::Text("2"),
        "small_event" => Frame::Text(SMALL_EVENT),
        "json_1k" => Frame::Text(json_1k()),
        "binary_1k" => binary_event()[1],
        other => unreachable!("{other}"),
    };
    bencher.bench(|| eio::decode(black_box(frame), EioVersion::V4));
}

/// A polling body of the mix's first 20 text frames.
fn polling_body(version: EioVersion) -> Vec<u8> {
    let packets: Vec<Packet<'static>> = text_frames()
        .take(20)
        .map(|t| eio::decode_text(t, EioVersion::V4).expect("valid").into_owned())
        .collect();
    payload::join_text(&packets, version).into_bytes()
}

/// `payload::split` of a 20-record body (rev 4 `\x1e` records, rev 3 length prefixes).
#[divan::bench(args = ["v4", "v3"])]
fn payload_split(bencher: Bencher, version: &str) {
    let version = match version {
        "v4" => EioVersion::V4,
        _ => EioVersion::V3,
    };
    let body = polling_body(version);
    let split = payload::split(&body, version);
    assert_eq!((split.records.len(), split.error), (20, None));
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| payload::split(black_box(&body), version));
}
