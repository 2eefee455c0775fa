//! `sio admin`: connect to the Admin UI's namespace of an instrumented server and show
//! the server's side. On a terminal the TUI; otherwise every admin event as a record,
//! `--snapshot` once, and with `--no-tui` operations from stdin.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::AsyncBufReadExt as _;
use tokio::sync::mpsc;

use super::common::{Observer, ready_within, run_for, runtime};
use super::exit;
use crate::admin::model::Limits;
use crate::admin::setup::{Credentials, Setup, fatal, no_config};
use crate::admin::{MALFORMED_STATE, Tracker, ops, snapshot};
use crate::cli::AdminArgs;
use crate::engine::Handle;
use crate::output::pace::FlushTimer;
use crate::output::printer::{Form, Printer};
use crate::record::{Body, Record, Timestamp};

/// What every record of the admin connection says in `conn`.
pub const CONN: &str = "admin";
/// Operations typed before the server's config arrived, kept until it does.
const QUEUED_OPS: usize = 1000;

pub fn run(args: &AdminArgs) -> u8 {
    use std::io::IsTerminal as _;
    let tui = !args.no_tui
        && !args.json
        && !args.snapshot
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal();
    match runtime() {
        Ok(rt) if tui => rt.block_on(ui(args)),
        Ok(rt) => rt.block_on(lines(args)),
        Err(code) => code,
    }
}

pub fn setup(args: &AdminArgs) -> Result<Setup, String> {
    if !args.connect.namespaces.is_empty() {
        return Err("-n/--namespace does not apply to sio admin: the admin namespace is --admin-namespace".into());
    }
    let credentials = Credentials {
        user: args.user.clone(),
        password: args.password.clone(),
        auth_given: args.connect.auth.is_some(),
    };
    let limits = Limits {
        sockets: args.max_sockets.max(1),
        events: args.max_events.max(1),
        ..Limits::default()
    };
    Setup::new(
        args.connect.to_options(),
        args.admin_namespace.as_deref(),
        &credentials,
        limits,
    )
}

/// Sends operations one after the other, off the record loop (an emit waits for the
/// engine, which may be waiting for the loop to take its records).
pub fn op_sender(handle: Handle, nsp: String) -> (mpsc::Sender<(String, ops::Send)>, mpsc::Receiver<OpDone>) {
    let (tx, mut rx) = mpsc::channel::<(String, ops::Send)>(QUEUED_OPS);
    let (done_tx, done_rx) = mpsc::channel(QUEUED_OPS);
    tokio::spawn(async move {
        while let Some((line, send)) = rx.recv().await {
            let result = handle
                .emit(&nsp, send.event, send.args, send.attachments, false)
                .await
                .map(|_| send.describe.clone());
            if done_tx.send(OpDone { line, result }).await.is_err() {
                break;
            }
        }
    });
    (tx, done_rx)
}

pub struct OpDone {
    pub line: String,
    /// What was asked, or why it was not sent.
    pub result: Result<String, String>,
}

/// Prints (or only records) one record: the admin connection's own frames and HTTP
/// requests only with --frames, since each admin event has a record of its own.
fn show(observer: &mut Observer, record: &Record, frames: bool, quiet: bool) {
    let own_traffic = match &record.body {
        Body::Frame(f) => f.decoded.error.is_none(),
        Body::Http(_) => true,
        Body::State(s) => s.state == "heartbeat",
    };
    if quiet || (own_traffic && !frames) {
        observer.record_only(record);
    } else {
        observer.observe(record);
    }
}

async fn lines(args: &AdminArgs) -> u8 {
    let setup = match setup(args) {
        Ok(s) => s,
        Err(e) => return exit::fail(exit::USAGE, format!("admin: {e}")),
    };
    let printer = Printer {
        form: if args.json { Form::Json } else { Form::Human },
        frames: args.frames,
        events: Vec::new(),
        filter: Default::default(),
    };
    let mut observer = match Observer::new(printer, &args.connect) {
        Ok(o) => o,
        Err(e) => return exit::fail(exit::USAGE, e),
    };
    let (handle, mut records) = match crate::engine::connect(setup.options.clone()) {
        Ok(ok) => ok,
        Err(e) => return exit::fail(exit::USAGE, format!("admin: {e}")),
    };
    let mut tracker = Tracker::new(&setup.nsp, CONN, setup.limits);
    let (ops_tx, mut ops_done) = op_sender(handle.clone(), setup.nsp.clone());
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = args.no_tui;
    let mut queued: VecDeque<String> = VecDeque::new();
    let mut in_flight = 0usize;
    let mut refused: Option<String> = None;
    let within = ready_within(&args.connect);
    let config_due = tokio::time::sleep(within);
    tokio::pin!(config_due);
    let mut linger_until: Option<Instant> = None;
    // A snapshot that never completes ends too.
    let limit = if args.snapshot {
        Some(args.duration.unwrap_or(within))
    } else {
        args.duration
    };
    let until = run_for(limit);
    tokio::pin!(until);
    let mut flush = FlushTimer::default();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);

    let code = loop {
        let linger = async {
            match linger_until {
                Some(t) if queued.is_empty() && in_flight == 0 => tokio::time::sleep_until(t.into()).await,
                _ => std::future::pending().await,
            }
        };
        tokio::select! {
            r = records.recv() => {
                let Some(record) = r else {
                    break exit::fail(exit::FAILURE, "admin: the connection ended");
                };
                let (record, extra) = tracker.take(record);
                show(&mut observer, &record, args.frames, args.snapshot);
                if let Some(extra) = &extra {
                    show(&mut observer, extra, args.frames, args.snapshot);
                    if let Body::State(s) = &extra.body && s.state == MALFORMED_STATE {
                        eprintln!("sio: admin: {}", s.detail.as_deref().unwrap_or("a malformed admin event"));
                    }
                }
                if flush.after_record(!records.is_empty()) {
                    observer.flush();
                }
                if let Some(why) = fatal(&record, &setup) {
                    break exit::fail(exit::FAILURE, format!("admin: {why}"));
                }
                if tracker.model.ready_for_operations() {
                    while let Some(line) = queued.pop_front() {
                        in_flight += dispatch(&line, &mut tracker, &mut observer, &ops_tx, &mut refused);
                    }
                }
                if args.snapshot && snapshot_ready(&tracker) {
                    break print_snapshot(&tracker, args.json);
                }
            }
            done = ops_done.recv() => {
                let Some(done) = done else { continue };
                in_flight = in_flight.saturating_sub(1);
                let record = match &done.result {
                    Ok(what) => tracker.operation(&done.line, Ok(what)),
                    Err(e) => {
                        let why = format!("{}: not sent: {e}", done.line.trim());
                        eprintln!("sio: admin: {why}");
                        refused.get_or_insert(why.clone());
                        tracker.operation(&done.line, Err(&why))
                    }
                };
                observer.observe(&record);
                observer.flush();
            }
            line = stdin.next_line(), if stdin_open => match line {
                Ok(Some(line)) => {
                    if tracker.model.ready_for_operations() && queued.is_empty() {
                        in_flight += dispatch(&line, &mut tracker, &mut observer, &ops_tx, &mut refused);
                    } else if queued.len() < QUEUED_OPS {
                        queued.push_back(line);
                    } else {
                        eprintln!("sio: admin: {} operations already wait for the server's config; {line:?} is dropped", QUEUED_OPS);
                    }
                }
                Ok(None) | Err(_) => {
                    stdin_open = false;
                    linger_until = Some(Instant::now() + args.linger);
                }
            },
            _ = &mut config_due, if tracker.model.features.is_none() => {
                break exit::fail(exit::FAILURE, format!("admin: {}", no_config(&setup, within)));
            }
            _ = linger => break finish(refused.as_deref()),
            _ = flush.due() => observer.flush(),
            _ = &mut ctrl_c => break exit::INTERRUPTED,
            _ = &mut until => {
                if args.snapshot {
                    break incomplete_snapshot(&tracker, args.json, &setup, within);
                }
                break finish(refused.as_deref());
            }
        }
    };
    observer.flush();
    let _ = tokio::time::timeout(Duration::from_secs(1), handle.disconnect()).await;
    drop(handle);
    let drain = async {
        while let Some(record) = records.recv().await {
            let (record, _) = tracker.take(record);
            observer.record_only(&record);
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
    observer.flush();
    code
}

/// The TUI: records go through the tracker to the file as they come, then to the screen.
async fn ui(args: &AdminArgs) -> u8 {
    let setup = match setup(args) {
        Ok(s) => s,
        Err(e) => return exit::fail(exit::USAGE, format!("admin: {e}")),
    };
    let printer = Printer {
        form: Form::Json,
        frames: true,
        events: Vec::new(),
        filter: Default::default(),
    };
    let mut file = match Observer::recording_to(printer, args.connect.record.as_deref(), args.connect.record_secrets) {
        Ok(o) => o,
        Err(e) => return exit::fail(exit::USAGE, e),
    };
    let (handle, mut records) = match crate::engine::connect(setup.options.clone()) {
        Ok(ok) => ok,
        Err(e) => return exit::fail(exit::USAGE, format!("admin: {e}")),
    };
    let tracker = Arc::new(Mutex::new(Tracker::new(&setup.nsp, CONN, setup.limits)));
    let (ops_tx, mut ops_done) = op_sender(handle.clone(), setup.nsp.clone());
    let (tx, rx) = mpsc::channel::<Record>(4096);
    let failure: Arc<Mutex<Option<String>>> = Arc::default();
    let (shared, seen, known) = (tracker.clone(), failure.clone(), setup.clone());
    let forward = tokio::spawn(async move {
        let mut flush = FlushTimer::default();
        loop {
            let mut out = Vec::with_capacity(2);
            tokio::select! {
                r = records.recv() => {
                    let Some(record) = r else { break };
                    let mut t = lock(&shared);
                    let (record, extra) = t.take(record);
                    if let Some(why) = fatal(&record, &known) {
                        t.model.failure.get_or_insert(why.clone());
                        seen.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(why);
                    }
                    drop(t);
                    out.push(record);
                    out.extend(extra);
                }
                done = ops_done.recv() => {
                    let Some(done) = done else { continue };
                    let mut t = lock(&shared);
                    out.push(match &done.result {
                        Ok(what) => t.operation(&done.line, Ok(what)),
                        Err(e) => t.operation(&done.line, Err(&format!("{}: not sent: {e}", done.line.trim()))),
                    });
                }
                _ = flush.due() => {
                    file.flush();
                    continue;
                }
            }
            for record in out {
                file.record_only(&record);
                // A screen that has quit takes no more; the file still does.
                let _ = tx.send(record).await;
            }
            if flush.after_record(!records.is_empty()) {
                file.flush();
            }
        }
        file.flush();
    });
    let mut model = crate::tui::model::Model::new(&args.connect.url, args.scrollback, false);
    model.nsp = setup.nsp.clone();
    model.admin = Some(Box::new(crate::tui::admin_view::AdminPane::new(tracker.clone())));
    let actor = crate::tui::Actor::Admin(crate::tui::admin_view::AdminActor { tracker, ops: ops_tx });
    let ui = crate::tui::run(model, rx, actor);
    let code = tokio::select! {
        code = ui => code,
        _ = run_for(args.duration) => exit::OK,
    };
    // What failed while the screen was up; the goodbye below closes the connection itself.
    let failed = failure.lock().unwrap_or_else(|p| p.into_inner()).take();
    let _ = tokio::time::timeout(Duration::from_secs(1), handle.disconnect()).await;
    drop(handle);
    let _ = tokio::time::timeout(Duration::from_secs(2), forward).await;
    match failed {
        Some(why) if code == exit::OK => exit::fail(exit::FAILURE, format!("admin: {why}")),
        _ => code,
    }
}

/// 0, or 1 with the first refusal when an operation was refused.
fn finish(refused: Option<&str>) -> u8 {
    match refused {
        Some(why) => exit::fail(exit::FAILURE, format!("admin: {why}")),
        None => exit::OK,
    }
}

/// One operation line: planned against the model and queued for sending, or refused
/// (said on stderr and in a record). How many sends it queued comes back.
fn dispatch(
    line: &str,
    tracker: &mut Tracker,
    observer: &mut Observer,
    ops_tx: &mpsc::Sender<(String, ops::Send)>,
    refused: &mut Option<String>,
) -> usize {
    let planned = match ops::parse(line) {
        Ok(None) => return 0,
        Ok(Some(op)) => ops::plan(&op, &tracker.model),
        Err(e) => Err(e),
    };
    match planned {
        Ok(sends) => {
            let mut queued = 0;
            for send in sends {
                if ops_tx.try_send((line.to_string(), send)).is_ok() {
                    queued += 1;
                } else {
                    eprintln!("sio: admin: too many operations waiting to be sent; the rest of {line:?} is dropped");
                    break;
                }
            }
            queued
        }
        Err(why) => {
            eprintln!("sio: admin: {why}");
            refused.get_or_insert(why.clone());
            let record = tracker.operation(line, Err(&why));
            observer.observe(&record);
            observer.flush();
            0
        }
    }
}

/// The config came, the sockets too (development mode; or a round later without them),
/// and every server reported.
pub fn snapshot_ready(tracker: &Tracker) -> bool {
    let m = &tracker.model;
    if m.features.is_none() || !m.servers_round_done() {
        return false;
    }
    m.sockets_listed || !m.development() || past_first_round(m)
}

/// In development mode without the list of sockets: a report after the one that made the
/// round (python-socketio never sends the list when other sockets are connected).
fn past_first_round(m: &crate::admin::model::AdminModel) -> bool {
    m.servers().any(|s| s.reports >= 3)
}

fn print_snapshot(tracker: &Tracker, json: bool) -> u8 {
    let now = Timestamp::now();
    let m = &tracker.model;
    if m.development() && !m.sockets_listed {
        eprintln!(
            "sio: admin: warning: the server did not send its list of sockets (python-socketio 5 sends it to \
             another socket while others are connected); listed are the sockets it announced since"
        );
    }
    let out = if json {
        snapshot::to_json(&tracker.model, now).to_string()
    } else {
        snapshot::to_text(&tracker.model, now).trim_end().to_string()
    };
    crate::output::stdout::line(out.as_bytes());
    crate::output::stdout::flush();
    exit::OK
}

fn incomplete_snapshot(tracker: &Tracker, json: bool, setup: &Setup, within: Duration) -> u8 {
    let m = &tracker.model;
    if m.features.is_none() {
        return exit::fail(exit::FAILURE, format!("admin: {}", no_config(setup, within)));
    }
    print_snapshot(tracker, json);
    let missing = if m.development() && !m.sockets_listed {
        "the list of sockets"
    } else {
        "a full round of server_stats"
    };
    exit::fail(
        exit::FAILURE,
        format!("admin: the snapshot is incomplete: {missing} did not arrive in time"),
    )
}

fn lock(t: &Mutex<Tracker>) -> std::sync::MutexGuard<'_, Tracker> {
    // A poisoned lock only means a panic elsewhere; the model is still usable.
    t.lock().unwrap_or_else(|p| p.into_inner())
}
