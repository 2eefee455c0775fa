//! `sio listen`: connect, print what arrives, stop on --count, --for, Ctrl-C
//! (exit 130) or when the connection closes for good (exit 1).

use super::common::{Observer, run_for, runtime};
use super::exit;
use crate::cli::ListenArgs;
use crate::record::Body;

pub fn run(args: &ListenArgs) -> u8 {
    match runtime() {
        Ok(rt) => rt.block_on(listen(args)),
        Err(code) => code,
    }
}

async fn listen(args: &ListenArgs) -> u8 {
    let mut observer = match Observer::new(args.output.printer(args.events.clone()), &args.connect) {
        Ok(o) => o,
        Err(e) => {
            return exit::fail(exit::USAGE, e);
        }
    };
    let (handle, mut records) = match crate::engine::connect(args.connect.to_options()) {
        Ok(ok) => ok,
        Err(e) => {
            return exit::fail(exit::USAGE, e);
        }
    };
    let mut seen_events = 0u64;
    let until = run_for(args.duration);
    tokio::pin!(until);
    let code = loop {
        let record = tokio::select! {
            r = records.recv() => r,
            _ = tokio::signal::ctrl_c() => break exit::INTERRUPTED,
            _ = &mut until => break exit::OK,
        };
        let Some(record) = record else { break exit::FAILURE };
        observer.observe(&record);
        if observer.printer().is_counted_event(&record) {
            seen_events += 1;
            if args.count.is_some_and(|n| seen_events >= n) {
                break exit::OK;
            }
        }
        if let Body::State(s) = &record.body
            && s.state == "closed"
        {
            break exit::fail(
                exit::FAILURE,
                format!(
                    "connection closed: {}",
                    s.detail.as_deref().unwrap_or("no reason given")
                ),
            );
        }
    };
    // Leave cleanly; the recording (not stdout) keeps what the goodbye puts on the wire.
    let _ = handle.disconnect().await;
    drop(handle);
    let drain = async {
        while let Some(record) = records.recv().await {
            observer.record_only(&record);
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
    code
}
