//! `sio listen`: connect, print what arrives, stop on --count, --for, Ctrl-C
//! (exit 130) or when the connection closes for good (exit 1).

use super::common::{Observer, run_for, runtime};
use super::exit;
use crate::cli::ListenArgs;
use crate::output::pace::FlushTimer;
use crate::record::Body;

pub fn run(args: &ListenArgs) -> u8 {
    match runtime() {
        Ok(rt) => rt.block_on(listen(args)),
        Err(code) => code,
    }
}

async fn listen(args: &ListenArgs) -> u8 {
    let filter = match args.filter.parse() {
        Ok(f) => f,
        Err(code) => return code,
    };
    let printer = args.output.printer(args.events.clone()).with_filter(filter);
    let observer = match Observer::new(printer, &args.connect) {
        Ok(o) => o,
        Err(e) => {
            return exit::fail(exit::USAGE, e);
        }
    };
    let (handle, records) = match crate::engine::connect(args.connect.to_options()) {
        Ok(ok) => ok,
        Err(e) => {
            return exit::fail(exit::USAGE, e);
        }
    };
    // On a worker thread like the engine, not on the main thread in block_on: handing each
    // record across to the main thread cost a wake-up (a syscall) per record.
    let consumer = tokio::spawn(consume(observer, handle, records, args.count, args.duration));
    consumer.await.unwrap_or(exit::FAILURE)
}

async fn consume(
    mut observer: Observer,
    handle: crate::engine::Handle,
    mut records: tokio::sync::mpsc::Receiver<crate::record::Record>,
    count: Option<u64>,
    duration: Option<std::time::Duration>,
) -> u8 {
    let mut seen_events = 0u64;
    let until = run_for(duration);
    tokio::pin!(until);
    let mut flush = FlushTimer::default();
    // One signal listener for the whole loop, not one per record.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let code = loop {
        let record = tokio::select! {
            r = records.recv() => r,
            _ = &mut ctrl_c => break exit::INTERRUPTED,
            _ = &mut until => break exit::OK,
            _ = flush.due() => {
                observer.flush();
                continue;
            }
        };
        let Some(record) = record else { break exit::FAILURE };
        observer.observe(&record);
        if flush.after_record(!records.is_empty()) {
            observer.flush();
        }
        if observer.printer().is_counted_event(&record) {
            seen_events += 1;
            if count.is_some_and(|n| seen_events >= n) {
                break exit::OK;
            }
        }
        if let Body::State(s) = &record.body
            && s.state == "closed"
        {
            observer.flush();
            break exit::fail(
                exit::FAILURE,
                format!(
                    "connection closed: {}",
                    s.detail.as_deref().unwrap_or("no reason given")
                ),
            );
        }
    };
    observer.flush();
    // Leave cleanly; the recording (not stdout) keeps what the goodbye puts on the wire.
    let _ = handle.disconnect().await;
    drop(handle);
    let drain = async {
        while let Some(record) = records.recv().await {
            observer.record_only(&record);
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
    observer.flush();
    code
}
