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

/// Nanoseconds this thread has run on a CPU (Linux), to tell a loaded machine from a slow decoder.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Runs passes for `seconds`: frames decoded, the wall time it took, and the CPU time if known.
fn run(decoder: &mut FrameDecoder, frames: &[OwnedFrame], seconds: f64) -> (usize, Duration, Option<Duration>) {
    let limit = Duration::from_secs_f64(seconds);
    let cpu_start = thread_cpu_ns();
    let start = Instant::now();
    let mut passes = 0;
    loop {
        pass(decoder, frames);
        passes += 1;
        let elapsed = start.elapsed();
        if elapsed >= limit {
            let cpu = cpu_start
                .zip(thread_cpu_ns())
                .map(|(a, b)| Duration::from_nanos(b.saturating_sub(a)));
            return (passes * frames.len(), elapsed, cpu);
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

    let _ = run(&mut decoder, &frames, warmup);
    let (count, elapsed, cpu) = run(&mut decoder, &frames, seconds);
    let rate = count as f64 / elapsed.as_secs_f64();
    let on_cpu = cpu.map_or_else(String::new, |cpu| {
        format!(
            "; on-CPU {} frames/s",
            (count as f64 / cpu.as_secs_f64()).round() as u64
        )
    });
    println!(
        "sio: {} frames/s ({count} frames in {:.2} s{on_cpu}; {} frames per pass = {packets} packets + {pings} pings)",
        rate.round() as u64,
        elapsed.as_secs_f64(),
        frames.len(),
    );
}
