//! Receiving clients for the flood and ack measurements of `benches/flood/run.sh`.
//!
//!     flood engine URL --transport websocket|polling [--n N --size S] [--on-connect] [--rt multi|current]
//!     flood bare   URL [--n N --size S] [--on-connect] [--rt multi|current]
//!     flood ack    URL [--n N] [--warmup W] [--rt multi|current]
//!
//! Every mode runs as one spawned task on a tokio runtime (multi-thread by default, as `sio`
//! uses; `--rt current` for a single thread); `--on-main` runs it in `block_on` instead, on
//! the main thread, where `sio listen` runs its consumer loop.
//! - `engine`: the sio engine (`sio::engine::connect`), every frame decoded into a record and
//!   each record consumed by this program; emits `flood {n, size}` once "/" is connected
//!   (unless `--on-connect`: the server floods on its own), counts complete "flood" events
//!   until "flood-done" (or, with `--on-connect`, until N of them), then leaves.
//! - `bare`: the floor for this stack. tokio-tungstenite only: open the Engine.IO WebSocket,
//!   send `40`, answer `2` with `3`, request the flood, count `42["flood",` frames.
//! - `ack`: W warm-up acks, then N sequential `emit("ping", i)` with ack=true, timed at the
//!   caller (`Handle::emit` until its reply); prints p50/p90/p99/max in microseconds.
//! - `sizes -`: the in-memory size of a record and its parts (what every frame moves
//!   through the engine's channels).
//!
//! Each prints one JSON line on stdout: what it counted, the wall time of the flood phase
//! and its own CPU time and peak RSS from /proc/self (run.sh uses /usr/bin/time as well).
//! `cargo bench` passes `--bench`; it is ignored.

use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use sio::engine::{Options, TransportMode};
use sio::record::{Body, Direction};
use tokio_tungstenite::tungstenite::Message;

struct Args {
    mode: String,
    url: String,
    transport: TransportMode,
    n: u64,
    size: u64,
    on_connect: bool,
    current_thread: bool,
    on_main: bool,
    warmup: u64,
}

fn parse_args() -> Args {
    let raw: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut positional = Vec::new();
    let mut args = Args {
        mode: String::new(),
        url: String::new(),
        transport: TransportMode::Websocket,
        n: 200_000,
        size: 100,
        on_connect: false,
        current_thread: false,
        on_main: false,
        warmup: 500,
    };
    let mut i = 0;
    let value = |i: usize| -> &str {
        raw.get(i + 1)
            .map(String::as_str)
            .unwrap_or_else(|| fail(&format!("{} needs a value", raw[i])))
    };
    while i < raw.len() {
        match raw[i].as_str() {
            "--transport" => {
                args.transport = match value(i) {
                    "websocket" => TransportMode::Websocket,
                    "polling" => TransportMode::Polling,
                    "auto" => TransportMode::Auto,
                    other => fail(&format!("unknown transport {other}")),
                };
                i += 1;
            }
            "--n" => {
                args.n = value(i).parse().unwrap_or_else(|_| fail("--n N"));
                i += 1;
            }
            "--size" => {
                args.size = value(i).parse().unwrap_or_else(|_| fail("--size S"));
                i += 1;
            }
            "--warmup" => {
                args.warmup = value(i).parse().unwrap_or_else(|_| fail("--warmup W"));
                i += 1;
            }
            "--rt" => {
                args.current_thread = match value(i) {
                    "current" => true,
                    "multi" => false,
                    other => fail(&format!("unknown runtime {other}")),
                };
                i += 1;
            }
            "--on-connect" => args.on_connect = true,
            "--on-main" => args.on_main = true,
            flag if flag.starts_with("--") => fail(&format!("unknown flag {flag}")),
            other => positional.push(other.to_string()),
        }
        i += 1;
    }
    if positional.len() != 2 {
        fail("usage: flood engine|bare|ack URL [flags]");
    }
    args.mode = positional[0].clone();
    args.url = positional[1].clone();
    args
}

fn fail(message: &str) -> ! {
    eprintln!("flood: {message}");
    std::process::exit(2)
}

/// (user+sys CPU seconds, peak RSS in KiB) of this process, from /proc/self.
fn self_usage() -> (f64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (cpu, hwm)
}

fn main() {
    let args = parse_args();
    let rt = if args.current_thread {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().enable_all().build()
    }
    .unwrap_or_else(|e| fail(&format!("runtime: {e}")));
    let on_main = args.on_main;
    let work = async move {
        match args.mode.as_str() {
            "engine" => engine_flood(&args).await,
            "bare" => bare_flood(&args).await,
            "ack" => engine_ack(&args).await,
            "sizes" => sizes(),
            other => fail(&format!("unknown mode {other}")),
        }
    };
    // By default the client runs as a spawned task (on a worker thread); `--on-main` runs it
    // in `block_on` on the main thread, as `sio listen` runs its consumer loop.
    let result = if on_main {
        rt.block_on(work)
    } else {
        rt.block_on(async { tokio::spawn(work).await })
            .unwrap_or_else(|e| fail(&format!("task: {e}")))
    };
    drop(rt);
    let (cpu, rss) = self_usage();
    let mut line = result;
    line["self_cpu_s"] = json!(cpu);
    line["self_peak_rss_kib"] = json!(rss);
    println!("{line}");
}

fn options(args: &Args) -> Options {
    Options {
        url: args.url.clone(),
        transport: args.transport,
        reconnect: false,
        ..Options::default()
    }
}

async fn engine_flood(args: &Args) -> serde_json::Value {
    let (handle, mut records) = sio::engine::connect(options(args)).unwrap_or_else(|e| fail(&e));
    let mut events = 0u64;
    let mut records_seen = 0u64;
    let mut frames_in = 0u64;
    let mut started: Option<Instant> = None;
    let mut done = false;
    while let Some(record) = records.recv().await {
        records_seen += 1;
        match &record.body {
            Body::State(s) if s.state == "namespace connected" => {
                started = Some(Instant::now());
                if !args.on_connect {
                    let handle = handle.clone();
                    let (n, size) = (args.n, args.size);
                    tokio::spawn(async move {
                        if let Err(e) = handle
                            .emit("/", "flood", vec![json!({"n": n, "size": size})], Vec::new(), false)
                            .await
                        {
                            eprintln!("flood: emit failed: {e}");
                        }
                    });
                }
            }
            Body::State(s) if s.state == "closed" => {
                eprintln!("flood: closed: {}", s.detail.clone().unwrap_or_default());
                break;
            }
            Body::Frame(f) if f.dir == Some(Direction::In) => {
                frames_in += 1;
                if let Some(sio) = &f.decoded.sio
                    && sio.kind.is_event()
                    && sio.complete
                {
                    match sio.event.as_deref() {
                        Some("flood") => {
                            events += 1;
                            if args.on_connect && events >= args.n {
                                done = true;
                                break;
                            }
                        }
                        Some("flood-done") => {
                            done = true;
                            break;
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let wall = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    // Leave as `sio listen` does, but do not wait long.
    let _ = tokio::time::timeout(Duration::from_secs(2), handle.disconnect()).await;
    json!({"client": "engine", "done": done, "events": events, "records": records_seen,
           "frames_in": frames_in, "wall_s": wall})
}

async fn bare_flood(args: &Args) -> serde_json::Value {
    let base = args.url.trim_end_matches('/');
    let base = base
        .strip_prefix("http://")
        .map(|r| format!("ws://{r}"))
        .unwrap_or_else(|| base.to_string());
    let url = format!("{base}/socket.io/?EIO=4&transport=websocket");
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap_or_else(|e| fail(&format!("connect {url}: {e}")));
    let (mut sink, mut stream) = socket.split();
    let mut frames = 0u64;
    let mut events = 0u64;
    let mut started: Option<Instant> = None;
    let mut done = false;
    while let Some(message) = stream.next().await {
        let text = match message {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        frames += 1;
        let t = text.as_str();
        if t.starts_with('0') {
            // The Engine.IO open packet: join "/".
            let _ = sink.send(Message::text("40")).await;
        } else if t == "2" {
            let _ = sink.send(Message::text("3")).await;
        } else if t.starts_with("40") && started.is_none() {
            started = Some(Instant::now());
            if !args.on_connect {
                let request = format!(r#"42["flood",{{"n":{},"size":{}}}]"#, args.n, args.size);
                let _ = sink.send(Message::text(request)).await;
            }
        } else if t.starts_with(r#"42["flood","#) {
            events += 1;
            if args.on_connect && events >= args.n {
                done = true;
                break;
            }
        } else if t.starts_with(r#"42["flood-done""#) {
            done = true;
            break;
        }
    }
    let wall = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let _ = sink.send(Message::text("41")).await;
    let _ = sink.close().await;
    json!({"client": "bare", "done": done, "events": events, "frames_in": frames, "wall_s": wall})
}

async fn engine_ack(args: &Args) -> serde_json::Value {
    let (handle, mut records) = sio::engine::connect(options(args)).unwrap_or_else(|e| fail(&e));
    // Wait for "/" and keep consuming records in the background, as a front end would.
    loop {
        match records.recv().await {
            Some(r) if matches!(&r.body, Body::State(s) if s.state == "namespace connected") => break,
            Some(r) if matches!(&r.body, Body::State(s) if s.state == "closed") => fail("closed before connecting"),
            Some(_) => {}
            None => fail("engine ended"),
        }
    }
    let drain = tokio::spawn(async move {
        let mut n = 0u64;
        while records.recv().await.is_some() {
            n += 1;
        }
        n
    });
    let mut rtts_us: Vec<f64> = Vec::with_capacity(args.n as usize);
    let mut engine_rtts_us: Vec<f64> = Vec::with_capacity(args.n as usize);
    let started = Instant::now();
    for i in 0..(args.warmup + args.n) {
        let t0 = Instant::now();
        let reply = tokio::time::timeout(
            Duration::from_secs(10),
            handle.emit("/", "ping", vec![json!(i)], Vec::new(), true),
        )
        .await
        .unwrap_or_else(|_| fail(&format!("ack {i} timed out")))
        .unwrap_or_else(|e| fail(&format!("ack {i}: {e}")));
        let rtt = t0.elapsed();
        if i >= args.warmup {
            rtts_us.push(rtt.as_secs_f64() * 1e6);
            if let Some(r) = reply {
                engine_rtts_us.push(r.rtt.as_secs_f64() * 1e6);
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let _ = tokio::time::timeout(Duration::from_secs(2), handle.disconnect()).await;
    drop(handle);
    let records_after = tokio::time::timeout(Duration::from_secs(2), drain)
        .await
        .ok()
        .and_then(Result::ok);
    json!({"client": "engine", "acks": rtts_us.len(), "wall_s": wall,
           "caller": percentiles(&mut rtts_us), "engine_rtt": percentiles(&mut engine_rtts_us),
           "records_after_connect": records_after})
}

fn percentiles(v: &mut [f64]) -> serde_json::Value {
    if v.is_empty() {
        return serde_json::Value::Null;
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        v[((v.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(v.len() - 1)]
    };
    json!({"p50_us": at(0.50), "p90_us": at(0.90), "p99_us": at(0.99), "max_us": v[v.len() - 1],
           "mean_us": v.iter().sum::<f64>() / v.len() as f64})
}

fn sizes() -> serde_json::Value {
    use std::mem::size_of;
    json!({"Record": size_of::<sio::record::Record>(),
           "FrameRecord": size_of::<sio::record::FrameRecord>(),
           "Decoded": size_of::<sio::proto::frame::Decoded>(),
           "SioLayer": size_of::<sio::proto::frame::SioLayer>(),
           "EioLayer": size_of::<sio::proto::frame::EioLayer>(),
           "serde_json::Value": size_of::<serde_json::Value>()})
}
