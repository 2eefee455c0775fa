//! `sio tap`: start the proxy and show (and record) what passes until Ctrl-C
//! (exit 130), `q` in the TUI, or --for (exit 0). On a terminal, the TUI; otherwise
//! printed records, and lines on stdin act on a session from the middle.

use super::common::{Observer, run_for};
use super::exit;
use tokio::io::AsyncBufReadExt;

use crate::cli::TapArgs;
use crate::output::pace::FlushTimer;
use crate::tap::{Controls, Options, Running};

pub fn run(args: &TapArgs) -> u8 {
    // One thread, as the one-client commands: the proxy's connection tasks, the upstream
    // client's and the front end hand each other work without waking other threads.
    // Measured beside the multi-thread runtime (benches/tap/run.sh, 2 cores): polling
    // emit→ack through the tap added ~270 µs instead of ~355, a flood cost the tap
    // ~3.6 µs of CPU per event instead of ~6.7.
    match super::common::runtime() {
        Ok(rt) => rt.block_on(tap(args)),
        Err(code) => code,
    }
}

async fn tap(args: &TapArgs) -> u8 {
    let filter = match args.filter.parse() {
        Ok(f) => f,
        Err(code) => return code,
    };
    // A URL the tap cannot use is the user's to fix (exit 2), not a failure of the tap.
    if let Err(e) = crate::tap::parse_upstream(&args.upstream) {
        return exit::fail(exit::USAGE, format!("tap: {e}"));
    }
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
    use std::io::IsTerminal as _;
    let tui = !args.no_tui
        && !args.output.json
        && !args.output.raw
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal();
    if tui {
        return ui(args, running, filter).await;
    }
    let printer = args.output.printer(Vec::new()).with_filter(filter);
    let mut observer = match Observer::recording_to(printer, args.record.as_deref(), args.record_secrets) {
        Ok(o) => o,
        Err(e) => return exit::fail(exit::USAGE, e),
    };
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

/// The TUI: records go to the file as they come, then to the screen (the tap waits for
/// a screen that falls behind, so nothing queues without a bound).
async fn ui(args: &TapArgs, mut running: Running, filter: crate::filter::Filter) -> u8 {
    // The screen is the printer here: the observer only records.
    let mut file = match Observer::recording_to(
        args.output.printer(Vec::new()),
        args.record.as_deref(),
        args.record_secrets,
    ) {
        Ok(o) => o,
        Err(e) => return exit::fail(exit::USAGE, e),
    };
    let (tx, rx) = tokio::sync::mpsc::channel(4096);
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let mut records = std::mem::replace(&mut running.records, tokio::sync::mpsc::channel(1).1);
    let forward = tokio::spawn(async move {
        let mut flush = FlushTimer::default();
        loop {
            tokio::select! {
                r = records.recv() => {
                    let Some(record) = r else { break };
                    file.record_only(&record);
                    if flush.after_record(!records.is_empty()) {
                        file.flush();
                    }
                    // A screen that has quit takes no more; the file still does.
                    let _ = tx.send(record).await;
                }
                _ = flush.due() => file.flush(),
                // The screen is gone: what the tap already handed over still goes to the file.
                _ = &mut stopped => {
                    while let Ok(record) = records.try_recv() {
                        file.record_only(&record);
                    }
                    break;
                }
            }
        }
        file.flush();
    });
    let mut model = crate::tui::model::Model::new(&args.upstream, args.scrollback, false);
    model.tap = true;
    model.set_filter(filter);
    let ui = crate::tui::run(model, rx, crate::tui::Actor::Tap(running.controls()));
    let until = run_for(args.duration);
    let code = tokio::select! {
        code = ui => code,
        _ = until => exit::OK,
    };
    drop(running);
    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), forward).await;
    code
}

/// One command from stdin: acting on a session from the middle.
async fn act(controls: &Controls, line: &str) -> Result<(), String> {
    match crate::tap::command::parse(line, None)? {
        Some(command) => controls.apply(&command).await.map(|_| ()),
        None => Ok(()),
    }
}
