//! `sio tap`: start the proxy and print (and record) what passes until Ctrl-C
//! (exit 130) or --for (exit 0). Lines on stdin act on a session from the middle.

use super::common::{Observer, run_for};
use super::exit;
use tokio::io::AsyncBufReadExt;

use crate::cli::{TapArgs, parse_duration};
use crate::output::pace::FlushTimer;
use crate::record::Direction;
use crate::tap::{Controls, Options};

pub fn run(args: &TapArgs) -> u8 {
    // A proxy serves many connections at once: every core, unlike the one-client commands.
    // The front end runs as a task on a worker, beside the proxy: handing it a record
    // then wakes no other thread (block_on's main thread would be woken for each one).
    let args = args.clone();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt.block_on(async move {
            tokio::spawn(async move { tap(&args).await })
                .await
                .unwrap_or_else(|e| exit::fail(exit::FAILURE, format!("tap: {e}")))
        }),
        Err(e) => exit::fail(exit::FAILURE, format!("cannot start the runtime: {e}")),
    }
}

async fn tap(args: &TapArgs) -> u8 {
    // A URL the tap cannot use is the user's to fix (exit 2), not a failure of the tap.
    if let Err(e) = crate::tap::parse_upstream(&args.upstream) {
        return exit::fail(exit::USAGE, format!("tap: {e}"));
    }
    let printer = args.output.printer(Vec::new());
    let mut observer = match Observer::recording_to(printer, args.record.as_deref(), args.record_secrets) {
        Ok(o) => o,
        Err(e) => return exit::fail(exit::USAGE, e),
    };
    let options = Options {
        upstream: args.upstream.clone(),
        listen: args.listen,
        insecure: args.insecure,
        ca_cert: args.ca_cert.clone(),
        parser: args.parser.map(Into::into),
        max_message: crate::engine::DEFAULT_MAX_PAYLOAD,
        record_buffer: 4096,
    };
    let mut running = match crate::tap::start(options).await {
        Ok(r) => r,
        Err(e) => return exit::fail(exit::FAILURE, format!("tap: {e}")),
    };
    if !running.addr.ip().is_loopback() {
        eprintln!(
            "sio: WARNING: listening on {}, which is not a loopback address. Anyone who can reach \
             this machine can reach {} through it. Use this on trusted networks only.",
            running.addr.ip(),
            args.upstream
        );
    }
    eprintln!("listening on http://{} → {}", running.addr, args.upstream);
    let until = run_for(args.duration);
    tokio::pin!(until);
    let controls = running.controls();
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut flush = FlushTimer::default();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let code = loop {
        tokio::select! {
            r = running.records.recv() => match r {
                Some(record) => {
                    observer.observe(&record);
                    if flush.after_record(!running.records.is_empty()) {
                        observer.flush();
                    }
                }
                None => break exit::fail(exit::FAILURE, "tap: the proxy stopped"),
            },
            _ = flush.due() => observer.flush(),
            line = stdin.next_line(), if stdin_open => match line {
                Ok(Some(line)) => {
                    if let Err(e) = act(&controls, &line).await {
                        eprintln!("sio: tap: {e}");
                    }
                }
                // No more commands; the tap goes on.
                Ok(None) | Err(_) => stdin_open = false,
            },
            _ = &mut ctrl_c => break exit::INTERRUPTED,
            _ = &mut until => break exit::OK,
        }
    };
    observer.flush();
    code
}

const USAGE: &str = "commands: cut SID | delay SID in|out DUR (0 ends the delay)";

/// One command from stdin: acting on a session from the middle.
async fn act(controls: &Controls, line: &str) -> Result<(), String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [] => Ok(()),
        ["cut", sid] => controls.cut(sid).await,
        ["delay", sid, way, duration] => {
            let dir = match *way {
                "in" => Direction::In,
                "out" => Direction::Out,
                other => return Err(format!("delay: {other:?} is not in or out; {USAGE}")),
            };
            let by = parse_duration(duration).map_err(|e| format!("delay: {e}"))?;
            controls.delay(sid, dir, by).await
        }
        _ => Err(format!("{line:?} is not a tap command; {USAGE}")),
    }
}
