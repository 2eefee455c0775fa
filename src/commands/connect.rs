//! `sio connect` in line mode: commands from stdin as the user types them,
//! records on stdout, like websocat. When stdin ends, pending acks get up to
//! --linger, then a clean disconnect.

use std::time::Instant;

use serde_json::json;
use tokio::io::AsyncBufReadExt as _;

use super::common::{ready_within, runtime, say, start_clients};
use super::exit;
use crate::cli::ConnectCmdArgs;
use crate::script::clients::{ClientResult, Clients, line_label, run_forks};
use crate::script::parse::{ClientOptions, MAIN, Step, parse_line};
use crate::script::run;

pub fn run(args: &ConnectCmdArgs) -> u8 {
    if let Some(lang) = args.print_code {
        return match crate::snippets::snippet(&args.connect.to_options(), lang) {
            Ok(code) => {
                use std::io::Write as _;
                let mut out = std::io::stdout().lock();
                // A closed pipe is no failure.
                let _ = out.write_all(code.as_bytes()).and_then(|()| out.flush());
                exit::OK
            }
            Err(e) => exit::fail(exit::USAGE, e),
        };
    }
    let filter = match args.filter.parse() {
        Ok(f) => f,
        Err(code) => return code,
    };
    use std::io::IsTerminal as _;
    let tui = !args.no_tui
        && !args.output.json
        && !args.output.raw
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal();
    match runtime() {
        Ok(rt) if tui => rt.block_on(ui(args, filter)),
        Ok(rt) => rt.block_on(line_mode(args, filter)),
        Err(code) => code,
    }
}

pub async fn ui(args: &ConnectCmdArgs, filter: crate::filter::Filter) -> u8 {
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
    let mut clients = match Clients::start(
        args.connect.to_options(),
        observe,
        // Named from the first record: a `client` line may open another at any time.
        true,
        ready_within(&args.connect),
    ) {
        Ok(c) => c,
        Err(e) => {
            return exit::fail(exit::USAGE, e);
        }
    };
    if let Err(code) = open_clients(&mut clients, &args.clients) {
        clients.close(std::time::Duration::from_secs(1)).await;
        return code;
    }
    let mut model = crate::tui::model::Model::new(&args.connect.url, args.scrollback, false);
    model.nsp = clients.main().nsp.clone();
    let options = args.connect.to_options();
    model.code = [crate::snippets::Lang::Js, crate::snippets::Lang::Python]
        .into_iter()
        .filter_map(|lang| crate::snippets::snippet(&options, lang).ok().map(|code| (lang, code)))
        .collect();
    model.set_filter(filter);
    let handles: Vec<_> = clients.iter().map(|c| c.session.handle.clone()).collect();
    let code = crate::tui::run(model, rx, crate::tui::Actor::Client(Box::new(clients))).await;
    let goodbyes = handles.iter().map(|h| h.disconnect());
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        futures_util::future::join_all(goodbyes),
    )
    .await;
    code
}

/// Opens the clients of `--client NAME[=AUTH]`; a name used twice is a usage error.
fn open_clients(clients: &mut Clients, extra: &[(String, Option<serde_json::Value>)]) -> Result<(), u8> {
    for (name, auth) in extra {
        let options = ClientOptions {
            auth: auth.clone(),
            ..ClientOptions::default()
        };
        if let Err(e) = clients.open(name, &options) {
            return Err(exit::fail(exit::USAGE, format!("--client {name}: {e}")));
        }
    }
    Ok(())
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

/// Says each line's result as it comes; keeps the first failure for the exit line.
struct Reporter {
    json: bool,
    /// The first failure is the one the exit line names; later ones are often its echo.
    failure: Option<String>,
}

impl Reporter {
    /// `result`'s error already names its line (and client).
    fn report(&mut self, number: usize, text: &str, client: Option<&str>, result: &Result<String, String>) {
        let (ok, message) = match result {
            Ok(m) => (true, m),
            Err(e) => {
                self.failure.get_or_insert_with(|| e.clone());
                (false, e)
            }
        };
        let mut value = json!({"kind": "result", "line": number, "ok": ok, "command": text, "message": message});
        if let Some(name) = client {
            value["client"] = name.into();
        }
        let human = match (ok, client) {
            (true, Some(name)) => format!("✓ {name}: {message}"),
            (true, None) => format!("✓ {message}"),
            (false, _) => format!("✗ {message}"),
        };
        say(self.json, value, &human);
    }

    /// One result per client: errors get their line and client in front.
    fn report_all(&mut self, clients: &Clients, number: usize, text: &str, results: Vec<ClientResult>) {
        for ClientResult {
            client: name, result, ..
        } in results
        {
            let client = clients.label(&name);
            let result = result.map_err(|e| format!("{}: {e}", line_label(number, client)));
            self.report(number, text, client, &result);
        }
    }
}

async fn line_mode(args: &ConnectCmdArgs, filter: crate::filter::Filter) -> u8 {
    let printer = args.output.printer(Vec::new()).with_filter(filter);
    let mut clients = match start_clients(&args.connect, printer, !args.clients.is_empty()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Err(code) = open_clients(&mut clients, &args.clients) {
        clients.close(std::time::Duration::from_secs(1)).await;
        return code;
    }
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut background = tokio::task::JoinSet::new();
    let mut out = Reporter {
        json: args.output.json,
        failure: None,
    };
    let mut number = 0usize;
    let mut user_disconnected = false;
    loop {
        let line = tokio::select! {
            l = stdin.next_line() => l,
            _ = tokio::signal::ctrl_c() => {
                clients.close(std::time::Duration::from_secs(1)).await;
                return exit::INTERRUPTED;
            }
            // The main connection gone for good ends line mode.
            reason = clients.main().closed_reason(), if !user_disconnected => {
                out.failure.get_or_insert_with(|| format!("connection closed: {reason}"));
                break;
            }
        };
        let line = match line {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                out.failure.get_or_insert_with(|| format!("reading stdin: {e}"));
                break;
            }
        };
        number += 1;
        let addressed = match parse_line(&line, number) {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                out.report(number, &line, None, &Err(e.to_string()));
                continue;
            }
        };
        if let Some(reason) = clients.main().closed() {
            let result = Err(format!("line {number}: connection closed: {reason}"));
            out.report(number, &line, None, &result);
            break;
        }
        let step = addressed.step;
        // Waiting steps run in the background so typing can go on.
        if matches!(
            step,
            Step::Emit { ack: Some(_), .. } | Step::Expect { .. } | Step::ExpectNone { .. } | Step::ExpectAdmin { .. }
        ) {
            match clients.forks(MAIN, &addressed.clients) {
                Ok(forks) => {
                    let text = line.clone();
                    background.spawn(async move { (number, text, run_forks(forks, &step).await) });
                }
                Err(e) => out.report(number, &line, None, &Err(format!("line {number}: {e}"))),
            }
            continue;
        }
        user_disconnected |= matches!(step, Step::Disconnect)
            && (addressed.clients.is_empty() || addressed.clients.iter().any(|c| c == MAIN));
        let results = clients.run(MAIN, &addressed.clients, &step).await;
        out.report_all(&clients, number, &line, results);
    }
    let deadline = Instant::now() + args.linger;
    while !background.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, background.join_next()).await {
            Ok(Some(Ok((number, text, results)))) => out.report_all(&clients, number, &text, results),
            Ok(Some(Err(_))) | Ok(None) => {}
            Err(_) => {
                let message = format!("{} step(s) still waiting when --linger ran out", background.len());
                say(
                    out.json,
                    json!({"kind": "result", "ok": false, "message": message}),
                    &format!("✗ {message}"),
                );
                out.failure.get_or_insert(message);
                background.abort_all();
                break;
            }
        }
    }
    clients.close(std::time::Duration::from_secs(2)).await;
    match out.failure {
        Some(why) => exit::fail(exit::FAILURE, why),
        None => exit::OK,
    }
}
