//! `sio run`: a script, line by line; stop at the first failure unless
//! --keep-going; a JUnit report for CI.

use std::io::Read as _;

use serde_json::json;

use super::common::{ready_within, runtime, say, say_result, start_clients};
use super::exit;
use crate::cli::RunArgs;
use crate::script::clients::{ClientResult, line_label};
use crate::script::junit::{self, Outcome};
use crate::script::parse::{Line, MAIN, Step, parse_script};

pub fn run(args: &RunArgs) -> u8 {
    let (name, text) = if args.script == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            return exit::fail(exit::USAGE, format!("reading the script from stdin: {e}"));
        }
        ("stdin".to_string(), text)
    } else {
        match std::fs::read_to_string(&args.script) {
            Ok(t) => (args.script.clone(), t),
            Err(e) => {
                return exit::fail(exit::USAGE, format!("{}: {e}", args.script));
            }
        }
    };
    let lines = match parse_script(&text) {
        Ok(lines) => lines,
        Err(errors) => {
            let count = errors.len();
            for e in errors {
                eprintln!("sio: {name}: {e}");
            }
            return exit::fail(
                exit::USAGE,
                format!("{name}: {count} line(s) do not parse; nothing was run"),
            );
        }
    };
    match runtime() {
        Ok(rt) => rt.block_on(run_lines(args, &name, &lines)),
        Err(code) => code,
    }
}

fn is_check(step: &Step) -> bool {
    matches!(
        step,
        Step::Expect { .. }
            | Step::ExpectNone { .. }
            | Step::ExpectAdmin { .. }
            | Step::Emit { ack: Some(_), .. }
            | Step::Client { .. }
            | Step::Admin(_)
    )
}

pub async fn run_lines(args: &RunArgs, name: &str, lines: &[Line]) -> u8 {
    let json = args.output.json;
    let wait = ready_within(&args.connect);
    // Known before connecting, so that main's first record names it too.
    let several = lines
        .iter()
        .any(|l| matches!(l.step, Step::Client { .. } | Step::Admin(_)));
    let mut clients = match start_clients(&args.connect, args.output.printer(Vec::new()), several) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut outcomes: Vec<Outcome> = Vec::new();
    let ready = clients.main().ready(wait).await;
    let mut ran = 0;
    for line in lines {
        if ready.is_err() {
            break;
        }
        ran += 1;
        let results = tokio::select! {
            r = clients.run(MAIN, &line.clients, &line.step) => r,
            _ = tokio::signal::ctrl_c() => {
                clients.close(std::time::Duration::from_secs(1)).await;
                return exit::INTERRUPTED;
            }
        };
        let mut failed = false;
        for ClientResult {
            client,
            result,
            elapsed,
        } in results
        {
            let client = clients.label(&client).map(str::to_string);
            // With names, the client is said in front: the command goes without its prefix.
            let command = if client.is_some() { &line.command } else { &line.text };
            say_result(json, line.number, client.as_deref(), command, &result);
            failed |= result.is_err();
            outcomes.push(Outcome {
                line: line.number,
                client,
                text: command.clone(),
                result,
                elapsed,
                is_check: is_check(&line.step),
            });
        }
        if failed && !args.keep_going {
            break;
        }
    }
    // Never connected: nothing to say goodbye to, so no reason to linger.
    let linger = if ready.is_ok() { 2000 } else { 300 };
    clients.close(std::time::Duration::from_millis(linger)).await;
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count() + usize::from(ready.is_err());
    let passed = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let skipped = lines.len() - ran;
    if let Some(path) = &args.junit {
        let mut report_outcomes = outcomes.clone();
        if let Err(e) = &ready {
            report_outcomes.push(Outcome {
                line: 0,
                client: None,
                text: "connect".into(),
                result: Err(e.clone()),
                elapsed: std::time::Duration::ZERO,
                is_check: true,
            });
        }
        if let Err(e) = std::fs::write(path, junit::report(name, &report_outcomes)) {
            return exit::fail(exit::FAILURE, format!("--junit {}: {e}", path.display()));
        }
    }
    let summary = if skipped > 0 {
        format!("{passed} passed, {failed} failed, {skipped} skipped")
    } else {
        format!("{passed} passed, {failed} failed")
    };
    say(
        json,
        json!({"kind": "summary", "passed": passed, "failed": failed, "skipped": skipped}),
        &summary,
    );
    if failed == 0 {
        return exit::OK;
    }
    let why = match &ready {
        Err(e) => format!("cannot connect: {e}"),
        Ok(()) => {
            let mut failures = outcomes.iter().filter_map(|o| {
                o.result
                    .as_ref()
                    .err()
                    .map(|e| (line_label(o.line, o.client.as_deref()), e.as_str()))
            });
            let (line, first) = failures.next().unwrap_or_else(|| ("line 0".into(), "no reason given"));
            let more = failures.count();
            // Several clients: a line can fail once per client.
            let what = if several { "failure(s)" } else { "failed line(s)" };
            let rest = if more > 0 {
                format!(" (and {more} more {what})")
            } else {
                String::new()
            };
            format!("{line} failed: {first}{rest}")
        }
    };
    exit::fail(exit::FAILURE, why)
}
