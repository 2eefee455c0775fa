//! Drawing what belongs to several connections: the tag each row carries, the
//! status bar of `sio tap` (and of a replayed tap recording), the list of sessions.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::conns::Conn;
use super::model::Model;
use super::view::{centered, cut, dim};
use crate::output::sanitize::sanitize;
use crate::record::Transport;

/// Tag colours, by the order connections appeared (neighbours differ).
const PALETTE: [Color; 6] = [
    Color::Cyan,
    Color::Magenta,
    Color::Yellow,
    Color::Green,
    Color::Blue,
    Color::LightRed,
];
const TAG_WIDTH: usize = 8;

pub fn color_of(model: &Model, name: &str) -> Color {
    model
        .conns
        .position(name)
        .map_or(Color::Gray, |p| PALETTE[p % PALETTE.len()])
}

/// The connection column of a row: the name's start, in the connection's colour.
pub fn tag(model: &Model, conn: Option<&str>) -> Span<'static> {
    match conn {
        Some(name) => Span::styled(
            format!("{} ", cut(&sanitize(name), TAG_WIDTH)),
            Style::new().fg(color_of(model, name)),
        ),
        None => Span::styled(format!("{:<w$} ", "·", w = TAG_WIDTH), dim()),
    }
}

fn transport_word(t: Option<Transport>) -> &'static str {
    match t {
        Some(Transport::Websocket) => "websocket",
        Some(Transport::Polling) => "polling",
        None => "-",
    }
}

fn state_style(state: &str) -> Style {
    match state {
        "open" | "listening" => Style::new().fg(Color::Green),
        "closed" | "cut" | "refused" | "disconnected" => Style::new().fg(Color::Red),
        _ => Style::new().fg(Color::Yellow),
    }
}

/// One connection in a line: who, from where, over what, and how much.
fn describe(conn: &Conn) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(
        format!("{} ", conn.state),
        state_style(&conn.state).add_modifier(Modifier::BOLD),
    )];
    if let Some(peer) = &conn.peer {
        spans.push(Span::raw(format!("from {} ", sanitize(peer))));
    }
    if let Some(eio) = conn.eio {
        spans.push(Span::raw(format!("EIO{eio} ")));
    }
    spans.push(Span::styled(
        format!("{} ", transport_word(conn.transport)),
        Style::new().fg(Color::Cyan),
    ));
    if let Some(delay) = &conn.delay {
        spans.push(Span::styled(
            format!("DELAY {} ", sanitize(delay)),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    spans.push(Span::styled(format!("↓{} ↑{}", conn.frames_in, conn.frames_out), dim()));
    if let Some(ua) = &conn.user_agent {
        spans.push(Span::styled(format!("  {}", sanitize(ua)), dim()));
    }
    spans
}

pub fn draw_status(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let s = &model.status;
    let noun = model.conn_noun();
    let mut first = vec![
        Span::styled(
            if model.tap { " sio tap ▸ " } else { " sio ▸ " },
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(sanitize(&s.url).into_owned()),
        Span::raw("  "),
    ];
    let state = if model.read_only { "replay" } else { s.state.as_str() };
    first.push(Span::styled(format!("{state}  "), state_style(state)));
    first.push(Span::raw(format!(
        "{} {noun}s live · {} seen",
        model.conns.live(),
        model.conns.len() as u64 + model.conns.forgotten
    )));
    let shown = model.filter.conn.as_deref();
    let mut second = match shown.and_then(|name| model.conns.get(name).map(|c| (name, c))) {
        Some((name, conn)) => {
            let mut spans = vec![Span::styled(
                format!(" {} ", sanitize(name)),
                Style::new().fg(color_of(model, name)).add_modifier(Modifier::BOLD),
            )];
            spans.extend(describe(conn));
            spans
        }
        None => vec![
            Span::styled(
                format!(" all {noun}s  ↓{} ↑{} frames", s.frames_in, s.frames_out),
                dim(),
            ),
            Span::styled(format!("   c: one {noun} · C: {noun}s"), dim()),
        ],
    };
    if let Some(name) = shown
        && model.conns.get(name).is_none()
    {
        second = vec![Span::styled(format!(" {} (forgotten)", sanitize(name)), dim())];
    }
    let [line1, line2] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(first)), line1);
    frame.render_widget(Paragraph::new(Line::from(second)), line2);
}

/// One line for several clients: each one's state, transport and frames; the
/// one the command line speaks as marked ▸. As many as fit, then how many more.
pub fn draw_roster(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let speaker = model.speaker();
    let mut spans = vec![Span::styled(" clients:", dim())];
    let mut width = 9;
    let total = model.conns.len();
    for (i, conn) in model.conns.iter().enumerate() {
        let name = sanitize(&conn.name);
        let text_len = name.chars().count() + conn.state.len() + 16;
        if width + text_len + 10 > usize::from(area.width) && i + 1 < total {
            spans.push(Span::styled(format!("  +{} more (C lists them)", total - i), dim()));
            break;
        }
        width += text_len;
        let mark = if speaker == Some(conn.name.as_str()) {
            " ▸"
        } else {
            "  "
        };
        spans.push(Span::raw(mark));
        spans.push(Span::styled(
            name.into_owned(),
            Style::new()
                .fg(color_of(model, &conn.name))
                .add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::styled(format!(" {}", conn.state), state_style(&conn.state)));
        if conn.is_live()
            && let Some(t) = conn.transport
        {
            spans.push(Span::styled(format!(" {}", transport_word(Some(t))), dim()));
        }
        spans.push(Span::styled(
            format!(" ↓{} ↑{}", conn.frames_in, conn.frames_out),
            dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The overlay listing every connection remembered, oldest first, the cursor's row marked.
pub fn draw_list(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let noun = model.conn_noun();
    let height = (model.conns.len().max(1) + 5).min(usize::from(area.height.saturating_sub(2))) as u16;
    let popup = centered(area, area.width.saturating_sub(4).max(40), height);
    let rows = usize::from(popup.height.saturating_sub(4)).max(1);
    let top = model.conn_cursor.saturating_sub(rows - 1);
    let mut lines = vec![Line::styled(
        format!(
            "  {:<22} {:<9} {:<9} {:<4} {:<21} {:>12}  user agent",
            noun, "state", "transport", "EIO", "peer", "frames ↓/↑"
        ),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for (i, conn) in model.conns.iter().enumerate().skip(top).take(rows) {
        let mark = if i == model.conn_cursor { "▶ " } else { "  " };
        let mut line = Line::from(vec![
            Span::raw(mark),
            Span::styled(
                format!("{} ", cut(&sanitize(&conn.name), 22)),
                Style::new().fg(color_of(model, &conn.name)),
            ),
            Span::styled(format!("{:<9} ", cut(&conn.state, 9)), state_style(&conn.state)),
            Span::raw(format!(
                "{:<9} {:<4} {:<21} {:>12}  {}",
                transport_word(conn.transport),
                conn.eio.map_or("-".into(), |e| e.to_string()),
                cut(&sanitize(conn.peer.as_deref().unwrap_or("-")), 21),
                format!("{}/{}", conn.frames_in, conn.frames_out),
                sanitize(conn.user_agent.as_deref().unwrap_or("")),
            )),
        ]);
        if i == model.conn_cursor {
            line = line.style(Style::new().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    if model.conns.is_empty() {
        lines.push(Line::styled(format!("  no {noun} yet"), dim()));
    }
    let mut footer = format!("  Enter: only this {noun} · a: all · Esc: close");
    if model.conns.forgotten > 0 {
        footer.push_str(&format!(" · {} closed ones forgotten", model.conns.forgotten));
    }
    let [body, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)])
        .areas(Block::default().borders(Borders::ALL).inner(popup));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Block::default().borders(Borders::ALL).title(format!(
            " {noun}s: {} live, {} listed ",
            model.conns.live(),
            model.conns.len()
        )),
        popup,
    );
    frame.render_widget(Paragraph::new(lines), body);
    frame.render_widget(Paragraph::new(Line::styled(footer, dim())), foot);
}
