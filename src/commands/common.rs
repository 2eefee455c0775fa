//! What every connecting command shares: the runtime, and the observer that
//! prints and records each record as it arrives.

use std::io::Write;

use super::exit;
use crate::cli::ConnectArgs;
use crate::output::printer::Printer;
use crate::output::recorder::Recorder;
use crate::record::Record;

pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| exit::fail(exit::FAILURE, format!("cannot start the runtime: {e}")))
}

/// Prints (per the printer) and records (per --record) every record.
pub struct Observer {
    printer: Printer,
    recorder: Option<Recorder>,
    stdout_open: bool,
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
            stdout_open: true,
        })
    }

    pub fn printer(&self) -> &Printer {
        &self.printer
    }

    /// Records without printing (the goodbye after the user's stop condition).
    pub fn record_only(&mut self, record: &Record) {
        if let Some(recorder) = self.recorder.as_mut()
            && let Err(e) = recorder.write(record)
        {
            eprintln!("sio: recording stopped: {e}");
            self.recorder = None;
        }
    }

    pub fn observe(&mut self, record: &Record) {
        if let Some(recorder) = self.recorder.as_mut()
            && let Err(e) = recorder.write(record)
        {
            eprintln!("sio: recording stopped: {e}");
            self.recorder = None;
        }
        if self.stdout_open
            && let Some(line) = self.printer.render(record)
        {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) ends printing, not the session or the recording.
            if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                self.stdout_open = false;
            }
        }
    }
}

/// Prints one line of a command's own output (results, summaries) in the chosen form.
pub fn say(json: bool, value: serde_json::Value, human: &str) {
    let mut out = std::io::stdout().lock();
    let _ = if json {
        writeln!(out, "{value}")
    } else {
        writeln!(out, "{human}")
    };
}

/// Starts the engine with a printer and the --record file as its observer.
/// An error is already reported; the exit code comes back.
pub fn start_session(connect: &ConnectArgs, printer: Printer) -> Result<crate::script::run::Session, u8> {
    let mut observer = Observer::new(printer, connect).map_err(|e| exit::fail(exit::USAGE, e))?;
    crate::script::run::start(connect.to_options(), move |r| observer.observe(r))
        .map_err(|e| exit::fail(exit::USAGE, e))
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
