//! Decode throughput on `benches/mix.txt`, printed the way `benches/node_parsers.js`
//! prints it, so `benches/compare.sh` can set the two side by side.
//!
//!     cargo bench --bench throughput -- [--seconds S] [--warmup S]
//!
//! Each frame goes through one long-lived [`FrameDecoder`] (Engine.IO v4, default
//! parser), as the client engine feeds it: Engine.IO, then Socket.IO, then binary
//! reassembly, building the same [`Decoded`] a record carries.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use sio::proto::eio::{EioVersion, OwnedFrame};
use sio::proto::frame::{Decoded, FrameDecoder, Parser};

fn arg(args: &[String], name: &str, fallback: f64) -> f64 {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} takes a number of seconds")),
        None => fallback,
    }
}

fn pass(decoder: &mut FrameDecoder, frames: &[OwnedFrame]) {
    for frame in frames {
        black_box(decoder.decode(black_box(frame.as_frame())));
    }
}

/// Runs passes for `seconds`: frames decoded and the time it took.
fn run(decoder: &mut FrameDecoder, frames: &[OwnedFrame], seconds: f64) -> (usize, Duration) {
    let limit = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut passes = 0;
    loop {
        pass(decoder, frames);
        passes += 1;
        let elapsed = start.elapsed();
        if elapsed >= limit {
            return (passes * frames.len(), elapsed);
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; ignore anything we do not know.
    let args: Vec<String> = std::env::args().collect();
    let seconds = arg(&args, "--seconds", 3.0);
    let warmup = arg(&args, "--warmup", 1.0);

    let frames = common::load_mix();
    let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);

    // Sanity: one pass decodes every frame without error, each message exactly once.
    let (mut packets, mut pings) = (0, 0);
    for frame in &frames {
        let out: Decoded = decoder.decode(frame.as_frame());
        if let Some(e) = &out.error {
            panic!("mix frame does not decode: {e:?}");
        }
        match (&out.sio, &out.eio) {
            (Some(sio), _) if sio.complete => packets += 1,
            (Some(_), _) => {}
            (None, Some(eio)) if eio.kind == sio::proto::eio::PacketType::Ping => pings += 1,
            _ => {}
        }
    }
    assert!(decoder.finish().is_none(), "the mix ends inside a binary packet");

    run(&mut decoder, &frames, warmup);
    let (count, elapsed) = run(&mut decoder, &frames, seconds);
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "sio: {} frames/s ({count} frames in {:.2} s; {} frames per pass = {packets} packets + {pings} pings)",
        rate.round() as u64,
        elapsed.as_secs_f64(),
        frames.len(),
    );
}
