//! `sio connect` in line mode: commands from stdin as the user types them,
//! records on stdout, like websocat. When stdin ends, pending acks get up to
//! --linger, then a clean disconnect.

use std::time::Instant;

use serde_json::json;
use tokio::io::AsyncBufReadExt as _;

use super::common::{runtime, say, start_session};
use super::exit;
use crate::cli::ConnectCmdArgs;
use crate::script::parse::{Step, parse_line};
use crate::script::run;

pub fn run(args: &ConnectCmdArgs) -> u8 {
    use std::io::IsTerminal as _;
    let tui = !args.no_tui
        && !args.output.json
        && !args.output.raw
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal();
    match runtime() {
        Ok(rt) if tui => rt.block_on(ui(args)),
        Ok(rt) => rt.block_on(line_mode(args)),
        Err(code) => code,
    }
}

pub async fn ui(args: &ConnectCmdArgs) -> u8 {
    let recorder = match &args.connect.record {
        Some(path) => match crate::output::recorder::Recorder::create(path, args.connect.record_secrets) {
            Ok(r) => Some(r),
            Err(e) => {
                return exit::fail(exit::USAGE, e);
            }
        },
        None => None,
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let observe = UiSink { recorder, tx };
    let session = match run::start(args.connect.to_options(), observe) {
        Ok(s) => s,
        Err(e) => {
            return exit::fail(exit::USAGE, e);
        }
    };
    let mut model = crate::tui::model::Model::new(&args.connect.url, args.scrollback, false);
    model.nsp = session.nsp.clone();
    let handle = session.handle.clone();
    let code = crate::tui::run(model, rx, crate::tui::Actor::Client(session)).await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), handle.disconnect()).await;
    code
}

/// The TUI's sink: every record to the file, and to the UI's channel.
struct UiSink {
    recorder: Option<crate::output::recorder::Recorder>,
    tx: tokio::sync::mpsc::UnboundedSender<crate::record::Record>,
}

impl run::RecordSink for UiSink {
    fn observe(&mut self, record: &crate::record::Record) {
        // The file gets every record, whatever the UI keeps in memory.
        if let Some(r) = self.recorder.as_mut()
            && r.write(record).is_err()
        {
            self.recorder = None;
        }
        let _ = self.tx.send(record.clone());
    }

    fn idle(&mut self) {
        if let Some(r) = self.recorder.as_mut()
            && r.flush().is_err()
        {
            self.recorder = None;
        }
    }
}

async fn line_mode(args: &ConnectCmdArgs) -> u8 {
    let json = args.output.json;
    let mut session = match start_session(&args.connect, args.output.printer(Vec::new())) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut background = tokio::task::JoinSet::new();
    // The first failure is the one the exit line names; later ones are often its echo.
    let mut failure: Option<String> = None;
    let mut number = 0usize;
    let report = |failure: &mut Option<String>, number: usize, text: &str, result: &Result<String, String>| match result
    {
        Ok(m) => say(
            json,
            json!({"kind": "result", "line": number, "ok": true, "command": text, "message": m}),
            &format!("✓ {m}"),
        ),
        Err(e) => {
            failure.get_or_insert_with(|| e.clone());
            say(
                json,
                json!({"kind": "result", "line": number, "ok": false, "command": text, "message": e}),
                &format!("✗ {e}"),
            )
        }
    };
    let mut user_disconnected = false;
    loop {
        let line = tokio::select! {
            l = stdin.next_line() => l,
            _ = tokio::signal::ctrl_c() => {
                session.close(std::time::Duration::from_secs(1)).await;
                return exit::INTERRUPTED;
            }
            // A connection gone for good ends line mode: no command can work any more.
            reason = session.closed_reason(), if !user_disconnected => {
                failure.get_or_insert_with(|| format!("connection closed: {reason}"));
                break;
            }
        };
        let line = match line {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                failure.get_or_insert_with(|| format!("reading stdin: {e}"));
                break;
            }
        };
        number += 1;
        let step = match parse_line(&line, number) {
            Ok(Some(step)) => step,
            Ok(None) => continue,
            Err(e) => {
                report(&mut failure, number, &line, &Err(e.to_string()));
                continue;
            }
        };
        if let Some(reason) = session.closed() {
            let result = Err(format!("line {number}: connection closed: {reason}"));
            report(&mut failure, number, &line, &result);
            break;
        }
        // Waiting steps run in the background so typing can go on.
        if matches!(step, Step::Emit { ack: Some(_), .. } | Step::Expect { .. }) {
            let mut fork = session.fork();
            let text = line.clone();
            background.spawn(async move {
                let result = fork.run(&step).await.map_err(|e| format!("line {number}: {e}"));
                (number, text, result)
            });
            continue;
        }
        user_disconnected |= matches!(step, Step::Disconnect);
        let result = session.run(&step).await.map_err(|e| format!("line {number}: {e}"));
        report(&mut failure, number, &line, &result);
    }
    let deadline = Instant::now() + args.linger;
    while !background.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, background.join_next()).await {
            Ok(Some(Ok((number, text, result)))) => report(&mut failure, number, &text, &result),
            Ok(Some(Err(_))) | Ok(None) => {}
            Err(_) => {
                let message = format!("{} step(s) still waiting when --linger ran out", background.len());
                say(
                    json,
                    json!({"kind": "result", "ok": false, "message": message}),
                    &format!("✗ {message}"),
                );
                failure.get_or_insert(message);
                background.abort_all();
                break;
            }
        }
    }
    session.close(std::time::Duration::from_secs(2)).await;
    match failure {
        Some(why) => exit::fail(exit::FAILURE, why),
        None => exit::OK,
    }
}
