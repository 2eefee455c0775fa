//! `sio tap`: start the proxy and print (and record) what passes until Ctrl-C
//! (exit 130) or --for (exit 0).

use super::common::{Observer, run_for, runtime};
use super::exit;
use crate::cli::TapArgs;
use crate::tap::Options;

pub fn run(args: &TapArgs) -> u8 {
    match runtime() {
        Ok(rt) => rt.block_on(tap(args)),
        Err(code) => code,
    }
}

async fn tap(args: &TapArgs) -> u8 {
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
    loop {
        let record = tokio::select! {
            r = running.records.recv() => r,
            _ = tokio::signal::ctrl_c() => return exit::INTERRUPTED,
            _ = &mut until => return exit::OK,
        };
        match record {
            Some(record) => observer.observe(&record),
            None => return exit::fail(exit::FAILURE, "tap: the proxy stopped"),
        }
    }
}
