//! `sio run`: a script, line by line; stop at the first failure unless
//! --keep-going; a JUnit report for CI.

use std::io::Read as _;
use std::time::Instant;

use serde_json::json;

use super::common::{ready_within, runtime, say, start_session};
use super::exit;
use crate::cli::RunArgs;
use crate::script::junit::{self, Outcome};
use crate::script::parse::{Line, Step, parse_script};

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
    matches!(step, Step::Expect { .. } | Step::Emit { ack: Some(_), .. })
}

pub async fn run_lines(args: &RunArgs, name: &str, lines: &[Line]) -> u8 {
    let json = args.output.json;
    let wait = ready_within(&args.connect);
    let mut session = match start_session(&args.connect, args.output.printer(Vec::new())) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut outcomes: Vec<Outcome> = Vec::new();
    let ready = session.ready(wait).await;
    for line in lines {
        if ready.is_err() {
            break;
        }
        let started = Instant::now();
        let result = tokio::select! {
            r = session.run(&line.step) => r,
            _ = tokio::signal::ctrl_c() => {
                session.close(std::time::Duration::from_secs(1)).await;
                return exit::INTERRUPTED;
            }
        };
        let outcome = Outcome {
            line: line.number,
            text: line.text.clone(),
            result,
            elapsed: started.elapsed(),
            is_check: is_check(&line.step),
        };
        match &outcome.result {
            Ok(message) => say(
                json,
                json!({"kind": "result", "line": line.number, "ok": true, "command": line.text, "message": message}),
                &format!("✓ line {}: {} — {message}", line.number, line.text),
            ),
            Err(e) => say(
                json,
                json!({"kind": "result", "line": line.number, "ok": false, "command": line.text, "message": e}),
                &format!("✗ line {}: {} — {e}", line.number, line.text),
            ),
        }
        let failed = outcome.result.is_err();
        outcomes.push(outcome);
        if failed && !args.keep_going {
            break;
        }
    }
    // Never connected: nothing to say goodbye to, so no reason to linger.
    let linger = if ready.is_ok() { 2000 } else { 300 };
    session.close(std::time::Duration::from_millis(linger)).await;
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count() + usize::from(ready.is_err());
    let passed = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let skipped = lines.len() - outcomes.len();
    if let Some(path) = &args.junit {
        let mut report_outcomes = outcomes.clone();
        if let Err(e) = &ready {
            report_outcomes.push(Outcome {
                line: 0,
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
            let mut failures = outcomes
                .iter()
                .filter_map(|o| o.result.as_ref().err().map(|e| (o.line, e.as_str())));
            let (line, first) = failures.next().unwrap_or((0, "no reason given"));
            let more = failures.count();
            let rest = if more > 0 {
                format!(" (and {more} more failed line(s))")
            } else {
                String::new()
            };
            format!("line {line} failed: {first}{rest}")
        }
    };
    exit::fail(exit::FAILURE, why)
}
