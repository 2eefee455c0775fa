//! `sio admin` on a terminal: the admin views (sockets, rooms, events, counters over time)
//! beside the traffic of the admin connection itself, and operations on the command line,
//! each confirmed before it is sent.
//!
//! The engine's records go through a [`Tracker`] in a forwarding task (the `--record` file
//! gets them all); the pane reads the tracker's model under a lock when it draws.

use std::sync::{Arc, Mutex, MutexGuard};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};
use tokio::sync::mpsc;

use super::keys::Effect;
use super::model::{Focus, Model};
use super::view::{cut, dim};
use crate::admin::event::{human_uptime, split_event};
use crate::admin::model::{AdminModel, Second};
use crate::admin::{Tracker, ops};
use crate::output::sanitize::sanitize;

/// Which admin view the pane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminView {
    Sockets,
    Rooms,
    Events,
    Stats,
}

/// The pane's state; the model itself is the tracker's, shared with the forwarder.
pub struct AdminPane {
    pub tracker: Arc<Mutex<Tracker>>,
    pub view: AdminView,
    pub cursor: usize,
    /// An operation typed and planned, waiting for `y`: (line, what it asks).
    pub pending: Option<(String, String)>,
}

impl AdminPane {
    pub fn new(tracker: Arc<Mutex<Tracker>>) -> AdminPane {
        AdminPane {
            tracker,
            view: AdminView::Sockets,
            cursor: 0,
            pending: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tracker> {
        self.tracker.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn rows(&self) -> usize {
        let t = self.lock();
        let m = &t.model;
        match self.view {
            AdminView::Sockets => m.socket_count(),
            AdminView::Rooms => m.rooms(false).count(),
            AdminView::Events => m.events().len(),
            AdminView::Stats => 0,
        }
    }

    /// The id of the socket under the cursor (sockets view).
    fn selected_socket(&self) -> Option<String> {
        if self.view != AdminView::Sockets {
            return None;
        }
        let t = self.lock();
        t.model.sockets().nth(self.cursor).map(|s| s.info.id.clone())
    }
}

/// The runtime's side of the operations: the tracker (to plan against the model) and the
/// queue of the task that sends them.
pub struct AdminActor {
    pub tracker: Arc<Mutex<Tracker>>,
    pub ops: mpsc::Sender<(String, ops::Send)>,
}

impl AdminActor {
    /// Plans the confirmed line again (the model may have moved) and queues its sends.
    pub fn send(&self, line: &str) -> Result<String, String> {
        let sends = {
            let t = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
            let op = ops::parse(line)?.ok_or("nothing to send")?;
            ops::plan(&op, &t.model)?
        };
        let n = sends.len();
        for send in sends {
            self.ops
                .try_send((line.to_string(), send))
                .map_err(|_| "too many operations waiting to be sent".to_string())?;
        }
        Ok(format!("sent {n} request(s): {line}"))
    }
}

/// The admin keys, before the usual ones: `None` lets the key through.
pub fn key(model: &mut Model, key: KeyEvent) -> Option<Vec<Effect>> {
    let pane = model.admin.as_mut()?;
    if let Some((line, _)) = pane.pending.clone() {
        pane.pending = None;
        return Some(match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                model.message = Some((format!("sending: {line}"), false));
                vec![Effect::Admin { line }]
            }
            _ => {
                model.message = Some((format!("not sent: {line}"), false));
                Vec::new()
            }
        });
    }
    match model.focus {
        Focus::Command if key.code == KeyCode::Enter => {
            let line = std::mem::take(&mut model.input);
            if line.trim().is_empty() {
                model.focus = Focus::List;
                return Some(Vec::new());
            }
            if model.history.last() != Some(&line) {
                model.history.push(line.clone());
            }
            model.history_pos = None;
            let planned = {
                let t = pane.lock();
                ops::parse(&line).and_then(|op| match op {
                    Some(op) => ops::plan(&op, &t.model),
                    None => Ok(Vec::new()),
                })
            };
            match planned {
                Ok(sends) if sends.is_empty() => model.focus = Focus::List,
                Ok(sends) => {
                    let what = sends.iter().map(|s| s.describe.as_str()).collect::<Vec<_>>();
                    let what = if what.len() > 3 {
                        format!("{}; … {} in all", what[..3].join("; "), what.len())
                    } else {
                        what.join("; ")
                    };
                    model.message = Some((format!("{what}? y sends it, any other key cancels"), false));
                    pane.pending = Some((line, what));
                    model.focus = Focus::List;
                }
                Err(e) => {
                    model.message = Some((e, true));
                    model.input = line;
                }
            }
            Some(Vec::new())
        }
        Focus::Command if key.code == KeyCode::Tab => {
            if !model.input.contains(' ') {
                let matches: Vec<&str> = ops::COMMANDS
                    .iter()
                    .copied()
                    .filter(|c| c.starts_with(model.input.as_str()))
                    .collect();
                if let [one] = matches.as_slice() {
                    model.input = format!("{one} ");
                }
            }
            Some(Vec::new())
        }
        Focus::List => {
            let rows = pane.rows();
            match key.code {
                KeyCode::Char('1') => pane.view = AdminView::Sockets,
                KeyCode::Char('2') => pane.view = AdminView::Rooms,
                KeyCode::Char('3') => pane.view = AdminView::Events,
                KeyCode::Char('4') => pane.view = AdminView::Stats,
                KeyCode::Char('J') => pane.cursor = (pane.cursor + 1).min(rows.saturating_sub(1)),
                KeyCode::Char('K') => pane.cursor = pane.cursor.saturating_sub(1),
                KeyCode::Char('x') | KeyCode::Char('e') => {
                    // Starts the line for the socket under the cursor.
                    let id = pane.selected_socket()?;
                    model.input = if key.code == KeyCode::Char('x') {
                        format!("disconnect {id}")
                    } else {
                        format!("emit {id} ")
                    };
                    model.focus = Focus::Command;
                    model.message = None;
                }
                _ => return None,
            }
            if !matches!(key.code, KeyCode::Char('J' | 'K' | 'x' | 'e')) {
                pane.cursor = 0;
            }
            Some(Vec::new())
        }
        _ => None,
    }
}

/// The admin keys for the key bar.
pub fn bar() -> [(&'static str, &'static str); 3] {
    [
        ("1-4", "sockets/rooms/events/stats"),
        ("J/K", "move"),
        ("x e", "disconnect/emit"),
    ]
}

/// Draws the pane into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, pane: &AdminPane) {
    let t = pane.lock();
    let m = &t.model;
    let tabs = [
        (AdminView::Sockets, format!("1 sockets {}", m.socket_count())),
        (AdminView::Rooms, format!("2 rooms {}", m.rooms(false).count())),
        (AdminView::Events, format!("3 events {}", m.events().len())),
        (AdminView::Stats, "4 stats".to_string()),
    ];
    let mut title = vec![Span::styled(" admin ", Style::new().add_modifier(Modifier::BOLD))];
    for (view, label) in tabs {
        let style = if view == pane.view {
            Style::new()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            dim()
        };
        title.push(Span::styled(format!(" {label} "), style));
    }
    let block = Block::default().borders(Borders::ALL).title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let servers = m.servers().count().max(1) as u16;
    let [top, body] = Layout::vertical([Constraint::Length(servers + 1), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(server_lines(m, top.width as usize)), top);
    let width = body.width as usize;
    let height = body.height as usize;
    let lines: Vec<Line<'_>> = match pane.view {
        AdminView::Sockets => sockets(m, pane.cursor, width, height),
        AdminView::Rooms => rooms(m, pane.cursor, width, height),
        AdminView::Events => events(m, pane.cursor, width, height),
        AdminView::Stats => return stats(frame, body, m),
    };
    frame.render_widget(Paragraph::new(lines), body);
}

fn server_lines(m: &AdminModel, width: usize) -> Vec<Line<'static>> {
    let now = crate::record::Timestamp::now();
    let mode = match &m.features {
        None => "waiting for the server's config".to_string(),
        Some(_) if m.development() => "development mode".to_string(),
        Some(_) => "production mode: counts only, no socket list".to_string(),
    };
    let mut lines = vec![Line::styled(cut(&mode, width), dim())];
    if let Some(why) = &m.failure {
        lines[0] = Line::styled(
            cut(&sanitize(why), width),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        );
    }
    for s in m.servers() {
        let st = &s.stats;
        let text = format!(
            "server {}  pid {}  up {}  {} client(s), {} polling  {}{}",
            sanitize(&st.server_id),
            st.pid,
            human_uptime(st.uptime),
            st.clients,
            st.polling_clients,
            st.namespaces
                .iter()
                .map(|(n, c)| format!("{} {c}", sanitize(n)))
                .collect::<Vec<_>>()
                .join(", "),
            if s.stale(now) { "  (stale)" } else { "" }
        );
        lines.push(Line::raw(cut(&text, width)));
    }
    lines
}

/// The window of `height` rows that keeps `cursor` on screen.
fn window(cursor: usize, height: usize) -> usize {
    cursor.saturating_sub(height.saturating_sub(1))
}

fn row_style(selected: bool) -> Style {
    if selected {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    }
}

fn sockets(m: &AdminModel, cursor: usize, width: usize, height: usize) -> Vec<Line<'static>> {
    if !m.knows_sockets() {
        let counts: Vec<String> = m.namespace_counts().iter().map(|(n, c)| format!("{n}: {c}")).collect();
        return vec![
            Line::styled("the server lists its sockets in development mode only", dim()),
            Line::raw(format!("sockets per namespace: {}", counts.join(", "))),
        ];
    }
    let header = Line::styled(
        cut(
            &format!(
                "{:<8} {:<22} {:<9} {:<15} {}",
                "NSP", "ID", "TRANSPORT", "ADDRESS", "ROOMS"
            ),
            width,
        ),
        dim(),
    );
    let top = window(cursor, height.saturating_sub(1));
    let mut lines = vec![header];
    for (i, s) in m.sockets().enumerate().skip(top).take(height.saturating_sub(1)) {
        let info = &s.info;
        let mine = m.own.as_ref() == Some(&(info.nsp.clone(), info.id.clone()));
        let rooms: Vec<&str> = info
            .rooms
            .iter()
            .filter(|r| **r != info.id)
            .map(String::as_str)
            .collect();
        let text = format!(
            "{:<8} {:<22} {:<9} {:<15} {}",
            sanitize(&info.nsp),
            format!("{}{}", sanitize(&info.id), if mine { "*" } else { "" }),
            sanitize(&info.transport),
            sanitize(&info.address),
            sanitize(&rooms.join(" "))
        );
        lines.push(Line::styled(cut(&text, width), row_style(i == cursor)));
    }
    if m.sockets_not_listed > 0 {
        lines.push(Line::styled(
            format!("… {} more not listed", m.sockets_not_listed),
            dim(),
        ));
    }
    lines
}

fn rooms(m: &AdminModel, cursor: usize, width: usize, height: usize) -> Vec<Line<'static>> {
    let top = window(cursor, height);
    let lines: Vec<Line<'static>> = m
        .rooms(false)
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, (nsp, room, members))| {
            let text = format!(
                "{:<8} {:<16} {:>4}  {}",
                sanitize(nsp),
                sanitize(room),
                members.len(),
                sanitize(&members.iter().map(String::as_str).collect::<Vec<_>>().join(" "))
            );
            Line::styled(cut(&text, width), row_style(i == cursor))
        })
        .collect();
    if lines.is_empty() {
        return vec![Line::styled("no rooms besides each socket's own", dim())];
    }
    lines
}

fn events(m: &AdminModel, cursor: usize, width: usize, height: usize) -> Vec<Line<'static>> {
    if m.features.is_some() && !m.development() {
        return vec![Line::styled(
            "the server reports its events in development mode only",
            dim(),
        )];
    }
    let all = m.events();
    // Newest at the bottom; the cursor counts from the newest.
    let end = all.len().saturating_sub(cursor);
    let start = end.saturating_sub(height);
    all.range(start..end)
        .map(|e| {
            let args = e.args.value();
            let (name, rest) = split_event(&args);
            let text = format!(
                "{} {} {:<8} {:<22} {:?} {}",
                e.time.clock(),
                if e.received { "→srv" } else { "srv→" },
                sanitize(&e.nsp),
                sanitize(&e.id),
                sanitize(&name),
                sanitize(&serde_json::Value::Array(rest.to_vec()).to_string())
            );
            let style = if e.received {
                Style::new().fg(Color::Cyan)
            } else {
                Style::new().fg(Color::Green)
            };
            Line::styled(cut(&text, width), style)
        })
        .collect()
}

/// Which counter of a second a chart shows.
type Pick = fn(&Second) -> u64;

/// Counters per second as sparklines: connections, packets, bytes, events.
fn stats(frame: &mut Frame<'_>, area: Rect, m: &AdminModel) {
    let series: [(&str, Pick); 5] = [
        ("connections/s", |s| s.connections),
        ("disconnections/s", |s| s.disconnections),
        ("packets in+out/s", |s| s.packets_in + s.packets_out),
        ("bytes in+out/s", |s| s.bytes_in + s.bytes_out),
        ("events/s", |s| s.events_in + s.events_out),
    ];
    let rows = Layout::vertical(series.iter().map(|_| Constraint::Ratio(1, series.len() as u32))).split(area);
    let width = area.width.saturating_sub(2) as u64;
    let seconds = m.seconds();
    // One bar per second up to the newest, quiet seconds included (they have no counters).
    let newest = seconds.back().map_or(0, |s| s.unix);
    let first = newest.saturating_sub(width.saturating_sub(1));
    let at = |unix: u64| {
        seconds
            .binary_search_by_key(&unix, |s| s.unix)
            .ok()
            .map(|i| &seconds[i])
    };
    for ((label, pick), row) in series.iter().zip(rows.iter()) {
        let data: Vec<u64> = (first..=newest).map(|t| at(t).map_or(0, pick)).collect();
        let last = data.last().copied().unwrap_or(0);
        let max = data.iter().copied().max().unwrap_or(0);
        let title = format!(" {label}: now {last}, max {max} ");
        frame.render_widget(
            Sparkline::default()
                .block(Block::default().title(title))
                .data(&data)
                .style(Style::new().fg(Color::Cyan)),
            *row,
        );
    }
}
