//! `sio doctor URL`: runs the probes of [`crate::doctor`] and prints the report;
//! exit 0 without ✗, 1 otherwise.

use std::io::Write as _;

use super::common::runtime;
use super::exit;
use crate::cli::DoctorArgs;
use crate::doctor::{self, context::Context, report};

pub fn run(args: &DoctorArgs) -> u8 {
    let options = args.connect.to_options();
    let ctx = match Context::new(options) {
        Ok(ctx) => ctx,
        Err(e) => return exit::fail(exit::USAGE, e),
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let report = rt.block_on(doctor::run(ctx, args.deep));
    let text = if args.json {
        report::json_lines(&report.findings)
    } else {
        report::human(&report, &args.connect.url)
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    let failed: Vec<&str> = report.failures().map(|f| f.id.as_str()).collect();
    if failed.is_empty() {
        exit::OK
    } else {
        exit::fail(
            exit::FAILURE,
            format!("doctor: {} problem(s) found: {}", failed.len(), failed.join(", ")),
        )
    }
}
