//! What every connecting command shares: the runtime, and the observer that
//! prints and records each record as it arrives.

use super::exit;
use crate::cli::ConnectArgs;
use crate::output::printer::{Form, Printer};
use crate::output::recorder::Recorder;
use crate::output::stdout;
use crate::record::Record;
use crate::script::clients::{Clients, line_label};
use crate::script::run::RecordSink;

/// One thread: the engine, the consumer and the UI hand records to each other on it
/// without cross-thread wake-ups (measured: about a third less CPU under a flood and a
/// shorter emit→ack round trip than on the multi-thread runtime).
pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| exit::fail(exit::FAILURE, format!("cannot start the runtime: {e}")))
}

/// Prints (per the printer) and records (per --record) every record, each
/// serialised once for both when both want its JSON.
pub struct Observer {
    printer: Printer,
    recorder: Option<Recorder>,
    /// The current record's JSON line, reused from record to record.
    json: Vec<u8>,
}

impl Observer {
    pub fn new(printer: Printer, connect: &ConnectArgs) -> Result<Observer, String> {
        Observer::recording_to(printer, connect.record.as_deref(), connect.record_secrets)
    }

    /// With `record`, also appends every record to that file (secrets masked unless `secrets`).
    pub fn recording_to(printer: Printer, record: Option<&std::path::Path>, secrets: bool) -> Result<Observer, String> {
        let recorder = match record {
            Some(path) => Some(Recorder::create(path, secrets)?),
            None => None,
        };
        Ok(Observer {
            printer,
            recorder,
            json: Vec::new(),
        })
    }

    pub fn printer(&self) -> &Printer {
        &self.printer
    }

    fn recording_failed(&mut self, e: std::io::Error) {
        eprintln!("sio: recording stopped: {e}");
        self.recorder = None;
    }

    /// Records without printing (the goodbye after the user's stop condition).
    pub fn record_only(&mut self, record: &Record) {
        if let Some(recorder) = self.recorder.as_mut()
            && let Err(e) = recorder.write(record)
        {
            self.recording_failed(e);
        }
    }

    pub fn observe(&mut self, record: &Record) {
        let print = stdout::is_open() && self.printer.shown(record);
        let print_json = print && self.printer.form == Form::Json;
        let mut serialised = false;
        if let Some(recorder) = self.recorder.as_mut() {
            let written = if print_json && recorder.writes_plain(record) {
                serialise(record, &mut self.json);
                serialised = true;
                recorder.write_json(&self.json)
            } else {
                recorder.write(record)
            };
            if let Err(e) = written {
                self.recording_failed(e);
            }
        }
        if print_json {
            if !serialised {
                serialise(record, &mut self.json);
            }
            stdout::line(&self.json);
        } else if print && let Some(line) = self.printer.render(record) {
            stdout::line(line.as_bytes());
        }
    }

    /// Writes out what gathered in both outputs.
    pub fn flush(&mut self) {
        stdout::flush();
        if let Some(recorder) = self.recorder.as_mut()
            && let Err(e) = recorder.flush()
        {
            self.recording_failed(e);
        }
    }
}

/// The record's JSON line into `buf` (replacing what was there).
fn serialise(record: &Record, buf: &mut Vec<u8>) {
    buf.clear();
    // Our own types always serialise; the fallback only keeps the line valid JSON.
    if serde_json::to_writer(&mut *buf, record).is_err() {
        buf.clear();
        buf.extend_from_slice(record.to_json_line().as_bytes());
    }
}

impl RecordSink for Observer {
    fn observe(&mut self, record: &Record) {
        Observer::observe(self, record);
    }

    fn idle(&mut self) {
        self.flush();
    }
}

/// Prints one line of a command's own output (results, summaries) in the chosen
/// form, after every record printed before it.
pub fn say(json: bool, value: serde_json::Value, human: &str) {
    if json {
        stdout::line(value.to_string().as_bytes());
    } else {
        stdout::line(human.as_bytes());
    }
    stdout::flush();
}

/// Starts the engine with a printer and the --record file as its observer.
/// An error is already reported; the exit code comes back.
pub fn start_session(connect: &ConnectArgs, printer: Printer) -> Result<crate::script::run::Session, u8> {
    let observer = Observer::new(printer, connect).map_err(|e| exit::fail(exit::USAGE, e))?;
    crate::script::run::start(connect.to_options(), observer).map_err(|e| exit::fail(exit::USAGE, e))
}

/// [`start_session`] as the client `main` of a roster that `client` lines add to;
/// `named` when other clients are known to come (their records name them all).
pub fn start_clients(connect: &ConnectArgs, printer: Printer, named: bool) -> Result<Clients, u8> {
    let observer = Observer::new(printer, connect).map_err(|e| exit::fail(exit::USAGE, e))?;
    Clients::start(connect.to_options(), observer, named, ready_within(connect)).map_err(|e| exit::fail(exit::USAGE, e))
}

/// One result line of `run` or line mode: `✓ line 3 (bob): command — message` in
/// human form (the client only when results name clients), or a `result` object
/// with `client` in JSON.
pub fn say_result(json: bool, number: usize, client: Option<&str>, command: &str, result: &Result<String, String>) {
    let (ok, message, mark) = match result {
        Ok(m) => (true, m, '✓'),
        Err(e) => (false, e, '✗'),
    };
    let mut value =
        serde_json::json!({"kind": "result", "line": number, "ok": ok, "command": command, "message": message});
    if let Some(name) = client {
        value["client"] = serde_json::Value::from(name);
    }
    say(
        json,
        value,
        &format!("{mark} {}: {command} — {message}", line_label(number, client)),
    );
}

/// Resolves at `limit` from now (--for); never without one.
pub async fn run_for(limit: Option<std::time::Duration>) {
    match limit {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// How long to wait for the namespaces at start: the handshake's time, the CONNECT
/// answer's, and some, so the engine's own reason (which names the step) comes first.
pub fn ready_within(connect: &ConnectArgs) -> std::time::Duration {
    connect.timeout * 2 + std::time::Duration::from_secs(5)
}
