//! The terminal UI: `sio connect URL` and `sio replay FILE` on a terminal.
//!
//! - [`model`]: what is shown, as data; [`view`]: drawing it; [`keys`]: what keys do.
//! - This module: the runtime. The engine runs in its own tasks; the UI drains
//!   records in batches and redraws at a bounded rate, so a flood never blocks
//!   a key. The terminal is restored on exit, on Ctrl-C and on a panic.

pub mod admin_view;
pub mod conns;
mod conns_view;
pub mod fanout;
pub mod held;
pub mod keys;
pub mod model;
mod stats_view;
pub mod view;

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use futures_util::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use keys::Effect;
use model::Model;

use crate::record::{Record, Timestamp};
use crate::script::clients::{ClientResult, Clients, run_forks};
use crate::script::parse::{MAIN, Step};

/// How often the screen may be redrawn while records pour in.
const FRAME: Duration = Duration::from_millis(33);
/// Redraw at least this often, for the clocks ("last ping 3.1s ago").
const IDLE_FRAME: Duration = Duration::from_millis(500);
/// Command-line history kept across runs.
const HISTORY_LINES: usize = 500;

fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("sio").join("history"))
}

fn load_history() -> Vec<String> {
    history_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

fn save_history(history: &[String]) {
    let Some(path) = history_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let start = history.len().saturating_sub(HISTORY_LINES);
    let _ = std::fs::write(path, history[start..].join("\n") + "\n");
}

/// Puts the terminal back when dropped: raw mode off, main screen, mouse released.
struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// What the command line and the acting keys act on.
pub enum Actor {
    /// A replay: nothing.
    None,
    /// The clients of `sio connect` (`main` and those it opened).
    Client(Box<Clients>),
    /// The tap's sessions, from the middle (`sio tap`).
    Tap(crate::tap::Controls),
    /// An instrumented server's admin namespace (`sio admin`).
    Admin(admin_view::AdminActor),
}

/// Where records come from: the engine's unbounded channel, or the tap's bounded one.
pub trait RecordSource {
    /// Waits for records and moves up to `limit` into `buf`; 0 once the source is done.
    fn recv_many(&mut self, buf: &mut Vec<Record>, limit: usize) -> impl std::future::Future<Output = usize>;
}

impl RecordSource for mpsc::UnboundedReceiver<Record> {
    fn recv_many(&mut self, buf: &mut Vec<Record>, limit: usize) -> impl std::future::Future<Output = usize> {
        mpsc::UnboundedReceiver::recv_many(self, buf, limit)
    }
}

impl RecordSource for mpsc::Receiver<Record> {
    fn recv_many(&mut self, buf: &mut Vec<Record>, limit: usize) -> impl std::future::Future<Output = usize> {
        mpsc::Receiver::recv_many(self, buf, limit)
    }
}

/// Runs the UI on the real terminal until the user quits. The actor (none for a
/// replay) does what the command line says; records come from `records`.
pub async fn run(mut model: Model, records: impl RecordSource, actor: Actor) -> u8 {
    model.history = load_history();
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            return crate::commands::exit::fail(
                crate::commands::exit::FAILURE,
                format!("cannot open the terminal UI: {e} (use --no-tui)"),
            );
        }
    };
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    // Restores the terminal however this future ends, dropped (`--for` ran out) included.
    let restore = RestoreOnDrop;
    let result = event_loop(&mut terminal, &mut model, records, actor, EventStream::new()).await;
    drop(restore);
    save_history(&model.history);
    match result {
        Ok(()) => crate::commands::exit::OK,
        Err(e) => crate::commands::exit::fail(crate::commands::exit::FAILURE, e),
    }
}

/// The loop, generic over the backend and the input stream so tests can drive it.
pub async fn event_loop<B, R, S>(
    terminal: &mut Terminal<B>,
    model: &mut Model,
    mut records: R,
    mut actor: Actor,
    mut input: S,
) -> Result<(), String>
where
    B: Backend,
    R: RecordSource,
    S: futures_util::Stream<Item = std::io::Result<Event>> + Unpin,
{
    let (results_tx, mut results_rx) = mpsc::unbounded_channel::<(String, Result<String, String>)>();
    let mut frame_tick = tokio::time::interval(FRAME);
    frame_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut batch = Vec::with_capacity(4096);
    let mut dirty = true;
    let mut last_draw = tokio::time::Instant::now();
    let mut records_open = true;
    loop {
        tokio::select! {
            event = input.next() => {
                match event {
                    Some(Ok(Event::Key(key))) if key.kind != crossterm::event::KeyEventKind::Release => {
                        for effect in keys::handle_key(model, key) {
                            apply(effect, model, &mut actor, &results_tx);
                        }
                    }
                    Some(Ok(Event::Mouse(mouse))) => keys::handle_mouse(model, mouse, 3),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(format!("reading the terminal: {e}")),
                    None => model.quit = true,
                }
                // Keys answer at once, not at the next frame.
                draw(terminal, model)?;
                last_draw = tokio::time::Instant::now();
                dirty = false;
            }
            n = records.recv_many(&mut batch, 4096), if records_open => {
                if n == 0 {
                    records_open = false;
                }
                for record in batch.drain(..) {
                    model.push(record);
                }
                dirty = true;
            }
            Some((line, result)) = results_rx.recv() => {
                model.message = Some(match result {
                    Ok(m) => (format!("{line} — {m}"), false),
                    Err(e) => (format!("{line} — {e}"), true),
                });
                dirty = true;
            }
            _ = frame_tick.tick() => {
                if dirty || last_draw.elapsed() >= IDLE_FRAME {
                    draw(terminal, model)?;
                    last_draw = tokio::time::Instant::now();
                    dirty = false;
                }
            }
        }
        if model.quit {
            return Ok(());
        }
    }
}

/// Runs a command-line line as the clients it names (the key handler names the
/// speaker when the line names none), else as `main`; the result comes back on `results`.
fn run_line(
    model: &mut Model,
    clients: &mut Clients,
    line: String,
    names: &[String],
    step: Step,
    results: &mpsc::UnboundedSender<(String, Result<String, String>)>,
) {
    let speaker = MAIN;
    match &step {
        // `use` changes what later lines mean, so it applies here and now.
        Step::Use { nsp } => {
            let targets: Vec<String> = if names.is_empty() {
                vec![speaker.into()]
            } else {
                names.to_vec()
            };
            for name in &targets {
                match clients.get_mut(name) {
                    Some(session) => session.nsp = nsp.clone(),
                    None => {
                        model.message = Some((format!("no client named {name:?}"), true));
                        return;
                    }
                }
            }
            if targets.iter().any(|n| n == MAIN) {
                model.nsp = nsp.clone();
            }
            model.message = Some((format!("using {nsp}"), false));
        }
        Step::Client { name, options } => match clients.open(name, options) {
            Ok(session) => {
                let fork = session.fork();
                let results = results.clone();
                let within = clients.ready_within();
                let name = name.clone();
                tokio::spawn(async move {
                    let result = fork
                        .ready(within)
                        .await
                        .map(|()| format!("{name} connected on {}", fork.nsp));
                    let _ = results.send((line, result));
                });
            }
            Err(e) => model.message = Some((format!("{line} — {e}"), true)),
        },
        Step::Admin(admin) => match clients.open_admin(admin) {
            Ok(_) => {
                let slot = clients.admin_slot();
                let results = results.clone();
                let within = clients.ready_within();
                tokio::spawn(async move {
                    let result = match slot.get() {
                        Some(watch) => watch.ready(within).await,
                        None => Err("the admin connection did not open".into()),
                    };
                    let _ = results.send((line, result));
                });
            }
            Err(e) => model.message = Some((format!("{line} — {e}"), true)),
        },
        _ => match clients.forks(speaker, names) {
            Ok(forks) => {
                let results = results.clone();
                let named = clients.is_named();
                tokio::spawn(async move {
                    let outcome = merge_results(run_forks(forks, &step).await, named);
                    let _ = results.send((line, outcome));
                });
            }
            Err(e) => model.message = Some((format!("{line} — {e}"), true)),
        },
    }
}

/// One message for the line: each client's result, named when there are several.
fn merge_results(results: Vec<ClientResult>, named: bool) -> Result<String, String> {
    if let [only] = &results[..]
        && !named
    {
        return only.result.clone();
    }
    let failed = results.iter().any(|r| r.result.is_err());
    let text = results
        .iter()
        .map(|r| match &r.result {
            Ok(m) | Err(m) => format!("{}: {m}", r.client),
        })
        .collect::<Vec<_>>()
        .join("; ");
    if failed { Err(text) } else { Ok(text) }
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, model: &mut Model) -> Result<(), String> {
    model.now = Timestamp::now();
    terminal
        .draw(|frame| view::draw(frame, model))
        .map(|_| ())
        .map_err(|e| format!("drawing: {e}"))
}

fn apply(
    effect: Effect,
    model: &mut Model,
    actor: &mut Actor,
    results: &mpsc::UnboundedSender<(String, Result<String, String>)>,
) {
    match effect {
        Effect::Quit => model.quit = true,
        Effect::Tap { line, command } => {
            let Actor::Tap(controls) = actor else {
                model.message = Some(("no tap to act on".into(), true));
                return;
            };
            let controls = controls.clone();
            let results = results.clone();
            tokio::spawn(async move {
                let result = controls.apply(&command).await;
                let _ = results.send((line, result));
            });
        }
        Effect::Admin { line } => {
            let Actor::Admin(admin) = actor else {
                model.message = Some(("no admin connection to act on".into(), true));
                return;
            };
            model.message = Some(match admin.send(&line) {
                Ok(m) => (m, false),
                Err(e) => (format!("{line} — {e}"), true),
            });
        }
        Effect::Run {
            line,
            clients: names,
            step,
        } => {
            let Actor::Client(clients) = actor else {
                model.message = Some((
                    "read-only: nothing to send to (`save FILE.sio` writes the session as a script)".into(),
                    true,
                ));
                return;
            };
            run_line(model, clients, line, &names, step, results);
        }
        Effect::Heartbeat(mode) => {
            if let Actor::Client(clients) = actor {
                let handle = clients.main().handle.clone();
                tokio::spawn(async move {
                    let _ = handle.heartbeat(mode).await;
                });
            }
        }
        Effect::Copy(text) => {
            // OSC 52: the terminal puts it on the clipboard, even over ssh.
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            let mut out = std::io::stdout();
            let _ = write!(out, "\x1b]52;c;{encoded}\x07");
            let _ = out.flush();
            model.message = Some((format!("copied {} bytes", text.len()), false));
        }
        Effect::SaveScript { path } => {
            let path = path.unwrap_or_else(|| format!("sio-{}.sio", model.now.to_string().replace(':', "-")));
            let script = model.script();
            let lines = script.lines().filter(|l| !l.starts_with('#')).count();
            model.message = Some(match std::fs::write(&path, script) {
                Ok(()) => (
                    format!("saved a script of {lines} lines to {path} (sio run URL {path})"),
                    false,
                ),
                Err(e) => (format!("saving {path}: {e}"), true),
            });
        }
        Effect::Save { visible_only } => {
            let name = format!("sio-{}.ndjson", model.now.to_string().replace(':', "-"));
            let lines: Vec<String> = if visible_only {
                model
                    .visible
                    .iter()
                    .filter_map(|&a| model.record(a))
                    .map(|r| r.to_json_line())
                    .collect()
            } else {
                model.records.iter().map(|h| h.record().to_json_line()).collect()
            };
            model.message = Some(match std::fs::write(&name, lines.join("\n") + "\n") {
                Ok(()) => (format!("saved {} records to {name}", lines.len()), false),
                Err(e) => (format!("saving {name}: {e}"), true),
            });
        }
    }
}
