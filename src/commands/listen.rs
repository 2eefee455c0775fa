//! `sio listen`: connect, print what arrives, stop on --count, --for, Ctrl-C
//! (exit 130) or when the connection closes for good (exit 1).

use std::io::Write;

use super::exit;
use crate::cli::ListenArgs;
use crate::output::human;
use crate::record::{Body, Raw, Record};

pub fn run(args: &ListenArgs) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sio: cannot start the runtime: {e}");
            return exit::FAILURE;
        }
    };
    runtime.block_on(listen(args))
}

fn is_event(record: &Record, names: &[String]) -> bool {
    let Some(sio) = record.frame().and_then(|f| f.decoded.sio.as_ref()) else {
        return false;
    };
    sio.kind.is_event() && sio.complete && (names.is_empty() || sio.event.as_ref().is_some_and(|e| names.contains(e)))
}

fn shown(record: &Record, args: &ListenArgs) -> bool {
    if !args.events.is_empty() {
        // A filter shows the matching events and what explains the connection's fate.
        return is_event(record, &args.events)
            || matches!(&record.body, Body::State(s) if matches!(s.state.as_str(), "closed" | "disconnected" | "namespace failed"));
    }
    args.frames || !human::is_engine_layer(record)
}

async fn listen(args: &ListenArgs) -> u8 {
    let (handle, mut records) = match crate::engine::connect(args.connect.to_options()) {
        Ok(ok) => ok,
        Err(e) => {
            eprintln!("sio: {e}");
            return exit::USAGE;
        }
    };
    let stdout = std::io::stdout();
    let mut seen_events = 0u64;
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let until = async move {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(until);
    let code = loop {
        let record = tokio::select! {
            r = records.recv() => r,
            _ = tokio::signal::ctrl_c() => break exit::INTERRUPTED,
            _ = &mut until => break exit::OK,
        };
        let Some(record) = record else { break exit::FAILURE };
        if shown(&record, args) {
            let line = if args.json {
                record.to_json_line()
            } else if args.raw {
                match record.frame().map(|f| &f.raw) {
                    Some(Raw::Text { text }) => crate::output::sanitize::sanitize(text).into_owned(),
                    Some(Raw::Binary(b)) => crate::explain::hex_preview(&b.0, usize::MAX).replace(' ', ""),
                    None => continue,
                }
            } else {
                human::line(&record)
            };
            let mut out = stdout.lock();
            if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                // The reader went away (`| head`): stop quietly.
                break exit::OK;
            }
        }
        if is_event(&record, &args.events) {
            seen_events += 1;
            if args.count.is_some_and(|n| seen_events >= n) {
                break exit::OK;
            }
        }
        if let Body::State(s) = &record.body
            && s.state == "closed"
        {
            let detail = s.detail.clone().unwrap_or_default();
            if !args.json {
                eprintln!("sio: connection closed: {detail}");
            }
            break exit::FAILURE;
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), handle.disconnect()).await;
    code
}
