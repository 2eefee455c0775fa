//! Keys: what each does in each pane, the key bar, the help overlay. Keys
//! change the model directly; anything that needs the outside world comes back
//! as an [`Effect`] for the runtime to carry out.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use super::model::{DirFilter, Focus, Model, Overlay};
use crate::engine::HeartbeatMode;
use crate::script::parse::{COMMANDS, MAIN, Step, parse_line};

/// What the runtime must do after a key.
#[derive(Debug, PartialEq)]
pub enum Effect {
    Run {
        line: String,
        /// The clients named before `:`; empty: the one the command line speaks as.
        clients: Vec<String>,
        step: Step,
    },
    /// A tap command: cut or delay a session.
    Tap {
        line: String,
        command: crate::tap::command::TapCommand,
    },
    Heartbeat(HeartbeatMode),
    /// An admin operation the user confirmed (`sio admin`).
    Admin {
        line: String,
    },
    /// Copy text to the clipboard (OSC 52).
    Copy(String),
    /// Save records to a file: all held, or only the visible ones.
    Save {
        visible_only: bool,
    },
    /// `save FILE.sio` on the command line: the session as a script for `sio run`.
    SaveScript {
        /// None: a name of the runtime's choosing.
        path: Option<String>,
    },
    Quit,
}

pub const HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Moving",
        &[
            ("j k ↓ ↑", "move the selection"),
            ("PgUp PgDn", "move a page"),
            ("g G Home End", "first / last row (G follows the tail)"),
            ("space", "pause / resume following new rows"),
            ("Enter", "show / hide the detail pane"),
            ("Tab", "switch between the list and the details"),
            ("mouse", "wheel scrolls, click selects"),
        ],
    ),
    (
        "Showing",
        &[
            ("/", "filter: event:chat* dir:in kind:ack -word … (Esc clears)"),
            ("H", "hide / show heartbeats"),
            ("T", "show / hide the transport layer (HTTP requests, handshake)"),
            ("R f", "raw frames or their meaning · direction: both, in, out"),
            ("a n %", "acks per event (p50, p95, max) · namespaces · statistics"),
            ("c C", "the row's session or client only, or all · C: list them"),
            ("F", "fan-out: who got what the selected emit caused"),
        ],
    ),
    (
        "Acting",
        &[
            (": or i", "command line: emit, join, leave, use, ack… (tap: cut, delay)"),
            ("w d", "withhold / delay (3 s) heartbeat answers: see the timeout"),
            ("y", "copy the selected frame (OSC 52 clipboard)"),
            ("e", "the connection as socket.io-client / python-socketio code"),
            ("s S", "save all held records / only the visible ones (NDJSON)"),
            (": save F.sio", "the session as a script for sio run (a replay too)"),
            ("? Esc", "this help / close it · q or Ctrl-C: quit"),
        ],
    ),
];

/// The keys that work in the focused pane, for the bottom bar.
pub fn bar(model: &Model) -> Vec<(&'static str, &'static str)> {
    if model.overlay == Overlay::Code && !model.code.is_empty() {
        return vec![
            ("Tab", "language"),
            ("j/k", "scroll"),
            ("y", "copy"),
            ("Esc", "close"),
            ("q", "quit"),
        ];
    }
    if model.overlay == Overlay::Stats {
        return vec![("o", "order"), ("j/k", "scroll"), ("Esc", "close"), ("q", "quit")];
    }
    if model.overlay != Overlay::None {
        return vec![("Esc", "close"), ("q", "quit")];
    }
    match model.focus {
        Focus::Command => vec![
            ("Enter", "run"),
            ("Esc", "cancel"),
            ("↑↓", "history"),
            ("Tab", "complete"),
        ],
        Focus::Search => vec![("Enter", "done"), ("Esc", "clear")],
        Focus::Detail => vec![
            ("j/k", "scroll"),
            ("Tab", "list"),
            ("Esc", "back"),
            ("?", "help"),
            ("q", "quit"),
        ],
        Focus::List => {
            let mut keys = vec![
                ("j/k", "move"),
                ("Enter", "details"),
                ("space", if model.follow { "pause" } else { "follow" }),
            ];
            keys.push((":", if model.read_only { "save" } else { "command" }));
            // The connections' keys first: where there are several, they matter most.
            if model.several_conns() {
                keys.push(("c", if model.filter.conn.is_some() { "all" } else { "one" }));
                keys.push((
                    "C",
                    if model.conn_noun() == "session" {
                        "sessions"
                    } else {
                        "clients"
                    },
                ));
            }
            if model.admin.is_some() {
                keys.extend(super::admin_view::bar());
            }
            keys.extend([("/", "filter"), ("H", "heartbeats"), ("T", "http"), ("R", "raw")]);
            if !model.read_only && !model.tap {
                keys.push(("w", "withhold ♥"));
            }
            keys.extend([("a", "acks"), ("%", "stats"), ("?", "help"), ("q", "quit")]);
            keys
        }
    }
}

pub fn handle_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
        return vec![Effect::Quit];
    }
    if model.overlay == Overlay::None
        && let Some(effects) = super::admin_view::key(model, key)
    {
        return effects;
    }
    if model.overlay == Overlay::Conns {
        conns_key(model, key);
        return Vec::new();
    }
    if model.overlay == Overlay::Code {
        return code_key(model, key);
    }
    if model.overlay == Overlay::Stats {
        match key.code {
            KeyCode::Char('o') => model.stats_sort = model.stats_sort.next(),
            KeyCode::Char('j') | KeyCode::Down => model.stats_scroll = model.stats_scroll.saturating_add(1),
            KeyCode::Char('k') | KeyCode::Up => model.stats_scroll = model.stats_scroll.saturating_sub(1),
            KeyCode::Esc | KeyCode::Char('%') | KeyCode::Char('?') | KeyCode::Enter => model.overlay = Overlay::None,
            KeyCode::Char('q') => return vec![Effect::Quit],
            _ => {}
        }
        return Vec::new();
    }
    if model.overlay != Overlay::None {
        match key.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Enter => model.overlay = Overlay::None,
            KeyCode::Char('q') => return vec![Effect::Quit],
            _ => {}
        }
        return Vec::new();
    }
    match model.focus {
        Focus::Command => command_key(model, key),
        Focus::Search => search_key(model, key),
        Focus::List | Focus::Detail => pane_key(model, key),
    }
}

/// The code overlay: Tab switches the language, `y` copies the snippet shown.
fn code_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right if !model.code.is_empty() => {
            model.code_shown = (model.code_shown + 1) % model.code.len();
            model.code_scroll = 0;
        }
        KeyCode::Char('j') | KeyCode::Down => model.code_scroll = model.code_scroll.saturating_add(1),
        KeyCode::Char('k') | KeyCode::Up => model.code_scroll = model.code_scroll.saturating_sub(1),
        KeyCode::Char('y') => {
            if let Some((_, code)) = model.code.get(model.code_shown) {
                return vec![Effect::Copy(code.clone())];
            }
        }
        KeyCode::Char('q') => return vec![Effect::Quit],
        KeyCode::Esc | KeyCode::Char('e') | KeyCode::Char('?') | KeyCode::Enter => model.overlay = Overlay::None,
        _ => {}
    }
    Vec::new()
}

/// The connections overlay: move, Enter shows that one only, `a` all of them.
fn conns_key(model: &mut Model, key: KeyEvent) {
    let last = model.conns.len().saturating_sub(1);
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => model.conn_cursor = (model.conn_cursor + 1).min(last),
        KeyCode::Char('k') | KeyCode::Up => model.conn_cursor = model.conn_cursor.saturating_sub(1),
        KeyCode::Home | KeyCode::Char('g') => model.conn_cursor = 0,
        KeyCode::End | KeyCode::Char('G') => model.conn_cursor = last,
        KeyCode::Enter => {
            let chosen = model.conns.iter().nth(model.conn_cursor).map(|c| c.name.clone());
            if let Some(name) = chosen {
                model.show_conn(name);
            }
            model.overlay = Overlay::None;
        }
        KeyCode::Char('a') => {
            model.filter.conn = None;
            model.refilter();
            model.overlay = Overlay::None;
        }
        KeyCode::Esc | KeyCode::Char('C') | KeyCode::Char('?') => model.overlay = Overlay::None,
        KeyCode::Char('q') => model.quit = true,
        _ => {}
    }
}

fn pane_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let page = i64::from(model.list_height.max(2)) - 1;
    let detail = model.focus == Focus::Detail;
    match key.code {
        KeyCode::Char('q') => return vec![Effect::Quit],
        KeyCode::Char('j') | KeyCode::Down if detail => model.detail_scroll = model.detail_scroll.saturating_add(1),
        KeyCode::Char('k') | KeyCode::Up if detail => model.detail_scroll = model.detail_scroll.saturating_sub(1),
        KeyCode::PageDown if detail => model.detail_scroll = model.detail_scroll.saturating_add(10),
        KeyCode::PageUp if detail => model.detail_scroll = model.detail_scroll.saturating_sub(10),
        KeyCode::Esc if detail => model.focus = Focus::List,
        KeyCode::Char('j') | KeyCode::Down => model.move_selection(1),
        KeyCode::Char('k') | KeyCode::Up => model.move_selection(-1),
        KeyCode::PageDown => model.move_selection(page),
        KeyCode::PageUp => model.move_selection(-page),
        KeyCode::Char('g') | KeyCode::Home => {
            model.follow = false;
            model.selected = 0;
            model.detail_scroll = 0;
        }
        KeyCode::Char('G') | KeyCode::End => model.select_last(),
        KeyCode::Char(' ') => model.toggle_follow(),
        KeyCode::Enter => model.show_detail = !model.show_detail,
        KeyCode::Tab => {
            model.focus = if detail { Focus::List } else { Focus::Detail };
            model.show_detail = true;
        }
        // A replay's command line takes only `save FILE.sio`.
        KeyCode::Char(':') | KeyCode::Char('i') => {
            model.focus = Focus::Command;
            model.message = None;
            model.input.clear();
            model.history_pos = None;
        }
        KeyCode::Char('/') => {
            model.focus = Focus::Search;
            model.input = model.filter.expr.source().to_string();
            model.filter_error = None;
        }
        KeyCode::Char('H') => {
            model.filter.hide_heartbeats = !model.filter.hide_heartbeats;
            model.refilter();
        }
        KeyCode::Char('T') => {
            model.filter.show_transport = !model.filter.show_transport;
            model.refilter();
        }
        KeyCode::Char('R') => model.raw_view = !model.raw_view,
        KeyCode::Char('f') => {
            model.filter.dir = match model.filter.dir {
                DirFilter::Both => DirFilter::In,
                DirFilter::In => DirFilter::Out,
                DirFilter::Out => DirFilter::Both,
            };
            model.refilter();
        }
        KeyCode::Char('a') => model.overlay = Overlay::Acks,
        KeyCode::Char('%') => {
            model.stats_scroll = 0;
            model.overlay = Overlay::Stats;
        }
        KeyCode::Char('n') => model.overlay = Overlay::Namespaces,
        KeyCode::Char('e') => model.overlay = Overlay::Code,
        KeyCode::Char('c') => model.toggle_conn_filter(),
        KeyCode::Char('C') => {
            // Open on the connection shown, if one is.
            let shown = model.filter.conn.as_deref().and_then(|n| model.conns.position(n));
            model.conn_cursor = shown.unwrap_or(0).min(model.conns.len().saturating_sub(1));
            model.overlay = Overlay::Conns;
        }
        KeyCode::Char('F') => match super::fanout::of_selected(model) {
            Ok(fanout) => {
                model.fanout = Some(fanout);
                model.overlay = Overlay::Fanout;
            }
            Err(why) => model.message = Some((why, true)),
        },
        KeyCode::Char('?') => model.overlay = Overlay::Help,
        KeyCode::Char('w') if !model.read_only && !model.tap => {
            let mode = match model.heartbeat_mode {
                HeartbeatMode::Withhold => HeartbeatMode::Normal,
                _ => HeartbeatMode::Withhold,
            };
            model.heartbeat_mode = mode;
            return vec![Effect::Heartbeat(mode)];
        }
        KeyCode::Char('d') if !model.read_only && !model.tap => {
            let mode = match model.heartbeat_mode {
                HeartbeatMode::Delay(_) => HeartbeatMode::Normal,
                _ => HeartbeatMode::Delay(Duration::from_secs(3)),
            };
            model.heartbeat_mode = mode;
            return vec![Effect::Heartbeat(mode)];
        }
        KeyCode::Char('y') => {
            if let Some(text) = model.selected_record().as_deref().map(copy_text) {
                return vec![Effect::Copy(text)];
            }
        }
        KeyCode::Char('s') => return vec![Effect::Save { visible_only: false }],
        KeyCode::Char('S') => return vec![Effect::Save { visible_only: true }],
        _ => {}
    }
    Vec::new()
}

/// What `y` copies: the raw frame (hex for binary), or the record as JSON.
fn copy_text(record: &crate::record::Record) -> String {
    match record.frame().map(|f| &f.raw) {
        Some(crate::record::Raw::Text { text }) => text.clone(),
        Some(crate::record::Raw::Binary(b)) => crate::explain::hex_preview(&b.0, usize::MAX).replace(' ', ""),
        None => record.to_json_line(),
    }
}

fn command_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            model.focus = Focus::List;
            model.input.clear();
        }
        KeyCode::Enter => {
            let line = std::mem::take(&mut model.input);
            if line.trim().is_empty() {
                model.focus = Focus::List;
                return Vec::new();
            }
            if model.history.last() != Some(&line) {
                model.history.push(line.clone());
            }
            model.history_pos = None;
            if let Some(path) = save_command(&line) {
                model.focus = Focus::List;
                return vec![Effect::SaveScript { path }];
            }
            if model.tap {
                return tap_line(model, line);
            }
            match parse_line(&line, 1) {
                Ok(Some(addressed)) => {
                    model.focus = Focus::List;
                    model.message = Some((format!("running: {line}"), false));
                    // A line that names no client runs as the one shown alone.
                    let clients = match model.speaker() {
                        Some(speaker) if addressed.clients.is_empty() && speaker != MAIN => vec![speaker.to_string()],
                        _ => addressed.clients,
                    };
                    return vec![Effect::Run {
                        line,
                        clients,
                        step: addressed.step,
                    }];
                }
                Ok(None) => model.focus = Focus::List,
                Err(e) => {
                    // Keep the line so the user can fix it.
                    let column = e.column;
                    model.message = Some((format!("column {column}: {}", e.message), true));
                    model.input = line;
                }
            }
        }
        KeyCode::Backspace => {
            model.input.pop();
        }
        KeyCode::Up => {
            if model.history.is_empty() {
                return Vec::new();
            }
            let pos = match model.history_pos {
                None => model.history.len() - 1,
                Some(p) => p.saturating_sub(1),
            };
            model.history_pos = Some(pos);
            model.input = model.history[pos].clone();
        }
        KeyCode::Down => match model.history_pos {
            Some(p) if p + 1 < model.history.len() => {
                model.history_pos = Some(p + 1);
                model.input = model.history[p + 1].clone();
            }
            _ => {
                model.history_pos = None;
                model.input.clear();
            }
        },
        KeyCode::Tab => complete(model),
        KeyCode::Char(c) => model.input.push(c),
        _ => {}
    }
    Vec::new()
}

/// `save` or `save FILE`: the path (None: none given).
fn save_command(line: &str) -> Option<Option<String>> {
    let rest = line.trim().strip_prefix("save")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let path = rest.trim();
    Some((!path.is_empty()).then(|| path.to_string()))
}

/// A line on the tap's command line.
fn tap_line(model: &mut Model, line: String) -> Vec<Effect> {
    match crate::tap::command::parse(&line, model.filter.conn.as_deref()) {
        Ok(Some(command)) => {
            model.focus = Focus::List;
            model.message = Some((format!("running: {line}"), false));
            vec![Effect::Tap { line, command }]
        }
        Ok(None) => {
            model.focus = Focus::List;
            Vec::new()
        }
        Err(e) => {
            model.message = Some((e, true));
            model.input = line;
            Vec::new()
        }
    }
}

/// Completes the word under the cursor: commands first, then namespaces and event names
/// (on the tap: its commands, then live sessions).
fn complete(model: &mut Model) {
    let words: Vec<&str> = model.input.split(' ').collect();
    let Some(last) = words.last().copied() else { return };
    let candidates: Vec<String> = if model.tap {
        if words.len() == 1 {
            crate::tap::command::COMMANDS.iter().map(|c| c.to_string()).collect()
        } else if words.len() == 2 {
            model
                .conns
                .iter()
                .filter(|c| c.is_live())
                .map(|c| c.name.clone())
                .collect()
        } else if words[0] == "delay" && words.len() == 3 {
            vec!["in".into(), "out".into()]
        } else {
            Vec::new()
        }
    } else if words.len() == 1 {
        COMMANDS
            .iter()
            .filter(|c| **c != "#")
            .map(|c| c.to_string())
            .chain(["save".to_string()])
            .collect()
    } else {
        match words[0] {
            "join" | "leave" | "use" => model.status.namespaces.iter().map(|n| n.name.clone()).collect(),
            "emit" | "expect" if words.len() == 2 => model.event_names.clone(),
            _ => Vec::new(),
        }
    };
    let matches: Vec<&String> = candidates
        .iter()
        .filter(|c| c.starts_with(last) && c.as_str() != last)
        .collect();
    let completion = match matches.as_slice() {
        [] => return,
        [one] => format!("{one} "),
        many => {
            // The longest common prefix.
            let first = many[0].as_str();
            let len = (0..first.len())
                .take_while(|&i| many.iter().all(|m| m.as_bytes().get(i) == first.as_bytes().get(i)))
                .count();
            let prefix = &first[..len];
            model.message = Some((many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("  "), false));
            prefix.to_string()
        }
    };
    let keep = model.input.len() - last.len();
    model.input.truncate(keep);
    model.input.push_str(&completion);
}

/// `/`: the filter applies as it is typed; while the text does not parse, the last
/// expression that did stays in force and the reason shows beside the text.
fn search_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            model.input.clear();
            model.filter_error = None;
            model.focus = Focus::List;
            model.set_filter(crate::filter::Filter::default());
        }
        // A text that does not parse stays open for fixing.
        KeyCode::Enter if model.filter_error.is_none() => model.focus = Focus::List,
        KeyCode::Backspace => {
            model.input.pop();
            let text = model.input.clone();
            model.set_filter_text(&text);
        }
        KeyCode::Char(c) => {
            model.input.push(c);
            let text = model.input.clone();
            model.set_filter_text(&text);
        }
        _ => {}
    }
    Vec::new()
}

/// Wheel scrolls the list; a click on a row selects it.
pub fn handle_mouse(model: &mut Model, mouse: MouseEvent, list_first_row: u16) {
    match mouse.kind {
        MouseEventKind::ScrollDown => model.move_selection(3),
        MouseEventKind::ScrollUp => model.move_selection(-3),
        MouseEventKind::Down(_) if mouse.row >= list_first_row && mouse.row < list_first_row + model.list_height => {
            let pos = model.list_top + usize::from(mouse.row - list_first_row);
            if pos < model.visible.len() {
                model.selected = pos;
                model.follow = false;
                model.detail_scroll = 0;
            }
        }
        _ => {}
    }
}
