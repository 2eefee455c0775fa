//! Drawing the model. Only the rows on screen are formatted, so the cost of a
//! frame does not grow with the records held. Server text is sanitised.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Sparkline, Wrap};

use super::conns_view;
use super::held::Held;
use super::keys;
use super::model::{DirFilter, Focus, Model, Overlay};
use crate::engine::HeartbeatMode;
use crate::explain::{self, Tone};
use crate::output::sanitize::sanitize;
use crate::record::{Body, Direction, Raw, Record, Transport};

pub fn color(tone: Tone) -> Style {
    match tone {
        Tone::Heartbeat | Tone::Transport => Style::new().fg(Color::DarkGray),
        Tone::Event => Style::new().fg(Color::Cyan),
        Tone::Ack => Style::new().fg(Color::Green),
        Tone::Connect => Style::new().fg(Color::Blue),
        Tone::Disconnect => Style::new().fg(Color::Yellow),
        Tone::Error => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Tone::Binary => Style::new().fg(Color::Magenta),
        Tone::Plain => Style::new(),
    }
}

pub(super) fn cut(s: &str, width: usize) -> String {
    let count = s.chars().count();
    if count <= width {
        format!("{s:<width$}")
    } else if width == 0 {
        String::new()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

pub(super) fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Draws everything.
pub fn draw(frame: &mut Frame<'_>, model: &mut Model) {
    if model.overlay == Overlay::Fanout {
        super::fanout::refresh(model);
    }
    let area = frame.area();
    // Live clients get a line of their own: each one's state, who the command line speaks as.
    let roster = !model.read_only && model.speaker().is_some();
    let [status, list_and_detail, input, keybar] = Layout::vertical([
        Constraint::Length(if roster { 3 } else { 2 }),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    if roster {
        let [status, clients] = Layout::vertical([Constraint::Length(2), Constraint::Length(1)]).areas(status);
        draw_status(frame, status, model);
        conns_view::draw_roster(frame, clients, model);
    } else {
        draw_status(frame, status, model);
    }
    // `sio admin`: the admin views on the left, the admin connection's own traffic beside them.
    let list_and_detail = match &model.admin {
        Some(pane) => {
            let [admin, rest] =
                Layout::horizontal([Constraint::Percentage(60), Constraint::Min(20)]).areas(list_and_detail);
            super::admin_view::draw(frame, admin, pane);
            rest
        }
        None => list_and_detail,
    };
    let detail_height = if model.show_detail && list_and_detail.height >= 12 {
        (list_and_detail.height * 2 / 5).max(6)
    } else {
        0
    };
    let [list, detail] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail_height)]).areas(list_and_detail);
    draw_list(frame, list, model);
    if detail_height > 0 {
        draw_detail(frame, detail, model);
    }
    draw_input(frame, input, model);
    draw_keybar(frame, keybar, model);
    match model.overlay {
        Overlay::None => {}
        Overlay::Help => draw_help(frame, area),
        Overlay::Acks => draw_acks(frame, area, model),
        Overlay::Namespaces => draw_namespaces(frame, area, model),
        Overlay::Conns => conns_view::draw_list(frame, area, model),
        Overlay::Code => draw_code(frame, area, model),
        Overlay::Fanout => super::fanout::draw(frame, area, model),
        Overlay::Stats => super::stats_view::draw(frame, area, model),
    }
}

fn draw_status(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    if model.tap || (model.read_only && model.several_conns()) {
        return conns_view::draw_status(frame, area, model);
    }
    let s = &model.status;
    let mut first = vec![
        Span::styled(" sio ▸ ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(sanitize(&s.url).into_owned()),
        Span::raw("  "),
    ];
    if let (Some(e), Some(i)) = (s.eio, s.sio) {
        first.push(Span::raw(format!("EIO{e}/SIO{i}  ")));
    }
    let transport = match s.transport {
        Some(Transport::Websocket) => "websocket",
        Some(Transport::Polling) => "polling",
        None => "",
    };
    if !transport.is_empty() {
        first.push(Span::styled(transport, Style::new().fg(Color::Cyan)));
        if !s.upgrade.is_empty() {
            first.push(Span::styled(format!(" ({})", s.upgrade), dim()));
        }
        first.push(Span::raw("  "));
    }
    if let Some(sid) = &s.sid {
        first.push(Span::styled(format!("sid {}  ", sanitize(sid)), dim()));
    }
    let state_style = match s.state.as_str() {
        "open" => Style::new().fg(Color::Green),
        "closed" | "disconnected" => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        _ => Style::new().fg(Color::Yellow),
    };
    let mut state = s.state.clone();
    if let Some(n) = s.reconnect_attempt {
        state.push_str(&format!(" #{n}"));
    }
    if let Some(reason) = &s.closed {
        state.push_str(&format!(": {}", sanitize(reason)));
    }
    if model.read_only {
        state = "replay".into();
    }
    first.push(Span::styled(state, state_style));

    let mut second = Vec::new();
    let heart_style = match model.heartbeat_mode {
        HeartbeatMode::Normal => Style::new().fg(Color::Red),
        _ => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    };
    second.push(Span::styled(" ♥ ", heart_style));
    if let (Some(i), Some(t)) = (s.ping_interval, s.ping_timeout) {
        second.push(Span::raw(format!("ping {}s/{}s", i as f64 / 1000.0, t as f64 / 1000.0)));
    }
    if let Some(last) = s.last_ping {
        let ago = model.now.seconds_since(last);
        let window = (s.ping_interval.unwrap_or(0) + s.ping_timeout.unwrap_or(0)) as f64 / 1000.0;
        let style = if window > 0.0 && ago > window * 0.8 && model.status.state == "open" {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        second.push(Span::styled(format!(" · last {ago:.1}s ago"), style));
    }
    if let Some(rtt) = s.last_heartbeat_rtt_ms {
        second.push(Span::raw(format!(" · rtt {rtt:.0} ms")));
    }
    match model.heartbeat_mode {
        HeartbeatMode::Normal => {}
        HeartbeatMode::Withhold => second.push(Span::styled(" · WITHHOLDING", heart_style)),
        HeartbeatMode::Delay(d) => second.push(Span::styled(format!(" · DELAY {}ms", d.as_millis()), heart_style)),
    }
    if !s.namespaces.is_empty() {
        second.push(Span::raw("  ns:"));
        for ns in &s.namespaces {
            let (mark, style) = match ns.state.as_str() {
                "connected" => ("✓", Style::new().fg(Color::Green)),
                "failed" => ("✗", Style::new().fg(Color::Red)),
                _ => ("–", Style::new().fg(Color::Yellow)),
            };
            let mut text = format!(" {} {mark}", sanitize(&ns.name));
            if !ns.detail.is_empty() {
                text.push_str(&format!(" {}", sanitize(&ns.detail)));
            }
            second.push(Span::styled(text, style));
        }
    }
    second.push(Span::styled(
        format!(
            "  ↓{} {}B ↑{} {}B",
            s.frames_in,
            human_bytes(s.bytes_in),
            s.frames_out,
            human_bytes(s.bytes_out)
        ),
        dim(),
    ));
    let [line1, line2] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(first)), line1);
    let strip_width = 24.min(line2.width / 4);
    let [text_area, strip] = Layout::horizontal([Constraint::Min(10), Constraint::Length(strip_width)]).areas(line2);
    frame.render_widget(Paragraph::new(Line::from(second)), text_area);
    let gaps: Vec<u64> = model.heartbeat_gaps.iter().copied().collect();
    let start = gaps.len().saturating_sub(strip_width as usize);
    frame.render_widget(
        Sparkline::default()
            .data(&gaps[start..])
            .style(Style::new().fg(Color::Red)),
        strip,
    );
}

fn human_bytes(n: u64) -> String {
    match n {
        0..=9_999 => format!("{n}"),
        10_000..=9_999_999 => format!("{}k", n / 1000),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// One row of the traffic list.
fn row(
    record: &Record,
    number: u64,
    width: usize,
    raw_view: bool,
    start: Option<crate::record::Timestamp>,
    conn: Option<Span<'static>>,
) -> Line<'static> {
    let time = match start {
        Some(s) => format!("+{:.3}s", record.time.seconds_since(s)),
        None => record.time.clock(),
    };
    let head = format!("{:>6} {:>12} ", number, cut(&time, 12));
    let mut rest = width.saturating_sub(head.chars().count());
    let mut spans = vec![Span::styled(head, dim())];
    if let Some(tag) = conn {
        rest = rest.saturating_sub(tag.width());
        spans.push(tag);
    }
    match &record.body {
        Body::Frame(f) => {
            let arrow = match f.dir {
                Some(Direction::In) => "↓",
                Some(Direction::Out) => "↑",
                None => "·",
            };
            let tr = match f.transport {
                Some(Transport::Websocket) => "ws",
                Some(Transport::Polling) => "po",
                None => "  ",
            };
            let raw = match &f.raw {
                Raw::Text { text } => sanitize(text).into_owned(),
                Raw::Binary(b) => format!("<{}B> {}", b.0.len(), explain::hex_preview(&b.0, 8)),
            };
            let tone = explain::tone(&f.decoded);
            spans.push(Span::styled(
                format!("{arrow} {tr} "),
                Style::new().add_modifier(Modifier::BOLD),
            ));
            let rest = rest.saturating_sub(6);
            if raw_view {
                spans.push(Span::styled(cut(&raw, rest), color(tone)));
            } else {
                let raw_width = (rest * 2 / 5).clamp(8, 48);
                spans.push(Span::styled(cut(&raw, raw_width), dim()));
                spans.push(Span::raw(" "));
                let meaning = sanitize(&explain::summary(&f.decoded)).into_owned();
                spans.push(Span::styled(
                    cut(&meaning, rest.saturating_sub(raw_width + 1)),
                    color(tone),
                ));
            }
        }
        Body::State(s) => {
            let tone = explain::state_tone(&s.state);
            let text = format!("• {}  {}", s.state, sanitize(s.detail.as_deref().unwrap_or("")));
            spans.push(Span::styled(cut(&text, rest), color(tone)));
        }
        Body::Http(h) => {
            let outcome = match (&h.status, &h.error) {
                (_, Some(e)) => format!("✗ {e}"),
                (Some(s), None) => s.to_string(),
                (None, None) => "…".into(),
            };
            let text = format!("⇄ {} {} → {}", h.method, sanitize(&h.url), sanitize(&outcome));
            let tone = if h.error.is_some() || h.status.is_some_and(|s| s >= 400) {
                Tone::Error
            } else {
                Tone::Transport
            };
            spans.push(Span::styled(cut(&text, rest), color(tone)));
        }
    }
    Line::from(spans)
}

fn draw_list(frame: &mut Frame<'_>, area: Rect, model: &mut Model) {
    let mut title = format!(" traffic {} ", model.visible.len());
    if model.dropped > 0 {
        title.push_str(&format!(
            "· {} older let go (scrollback {}) ",
            model.dropped, model.scrollback
        ));
    }
    if !model.follow && model.waiting > 0 {
        title.push_str(&format!("· ⏸ {} new ", model.waiting));
    } else if !model.follow {
        title.push_str("· ⏸ paused ");
    }
    let f = &model.filter;
    let mut filters = Vec::new();
    if !f.expr.is_empty() {
        filters.push(format!("/{} hides {}", sanitize(f.expr.source()), model.expr_hidden));
    }
    if f.hide_heartbeats {
        filters.push("no heartbeats".into());
    }
    if f.show_transport {
        filters.push("+http".into());
    }
    match f.dir {
        DirFilter::In => filters.push("in only".into()),
        DirFilter::Out => filters.push("out only".into()),
        DirFilter::Both => {}
    }
    if model.raw_view {
        filters.push("raw".into());
    }
    if let Some(conn) = &f.conn {
        filters.push(format!("{} {} only", model.conn_noun(), sanitize(conn)));
    }
    if !filters.is_empty() {
        title.push_str(&format!("· {} ", filters.join(", ")));
    }
    let border_style = if model.focus == Focus::List {
        Style::new().fg(Color::Cyan)
    } else {
        dim()
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .title(title)
        .border_style(border_style);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    model.list_height = inner.height;
    if model.selected < model.list_top {
        model.list_top = model.selected;
    } else if height > 0 && model.selected >= model.list_top + height {
        model.list_top = model.selected + 1 - height;
    }
    if model.follow {
        model.list_top = model.visible.len().saturating_sub(height);
    }
    let start = model.records.front().map(Held::time).filter(|_| false);
    let mut lines = Vec::with_capacity(height);
    for pos in model.list_top..(model.list_top + height).min(model.visible.len()) {
        let absolute = model.visible[pos];
        let Some(record) = model.record(absolute) else { continue };
        let tag = model
            .several_conns()
            .then(|| conns_view::tag(model, record.conn.as_deref().map(|c| model.conns.current(c))));
        let mut line = row(&record, absolute + 1, inner.width as usize, model.raw_view, start, tag);
        if pos == model.selected {
            line = line.style(Style::new().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(Line::styled("  waiting for traffic…", dim()));
    }
    draw_rows(frame.buffer_mut(), inner, &lines);
}

/// Draws one line per row as `Paragraph::new(lines)` does. Printable ASCII goes
/// straight into the cells: splitting every row into graphemes was half the time of a
/// frame, and traffic is mostly ASCII (anything else still takes ratatui's way).
fn draw_rows(buf: &mut Buffer, area: Rect, lines: &[Line<'_>]) {
    let area = area.intersection(buf.area);
    for (line, y) in lines.iter().zip(area.top()..area.bottom()) {
        let mut x = area.left();
        for span in &line.spans {
            if x >= area.right() {
                break;
            }
            let style = line.style.patch(span.style);
            let text = span.content.as_ref();
            if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                for b in text.bytes().take(usize::from(area.right() - x)) {
                    buf[(x, y)].set_char(char::from(b)).set_style(style);
                    x += 1;
                }
            } else {
                x = buf.set_stringn(x, y, text, usize::from(area.right() - x), style).0;
            }
        }
    }
}

/// The detail pane's lines for a record.
pub fn detail_lines(model: &Model, record: &Record) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let head = |s: &str| Line::styled(s.to_string(), Style::new().add_modifier(Modifier::BOLD));
    match &record.body {
        Body::Frame(f) => {
            let eio_version = f
                .decoded
                .eio
                .as_ref()
                .map_or(crate::proto::eio::EioVersion::V4, |e| e.version);
            lines.push(head(&format!(
                "{} {} {}",
                record.time,
                match f.dir {
                    Some(Direction::In) => "server → client",
                    Some(Direction::Out) => "client → server",
                    None => "",
                },
                f.transport.map(|t| t.to_string()).unwrap_or_default()
            )));
            if let Some(sio) = &f.decoded.sio {
                if let Some(id) = sio.id {
                    lines.push(match ack_rtt(model, record, &sio.nsp, id) {
                        Some(rtt) => {
                            Line::styled(format!("ack #{id} matched: round trip {rtt:.1} ms"), color(Tone::Ack))
                        }
                        None if sio.kind.is_event() && f.dir == Some(Direction::Out) => {
                            Line::styled(format!("ack #{id}: waiting (or timed out)"), color(Tone::Disconnect))
                        }
                        None if sio.kind.is_event() => Line::styled(
                            format!("the server asks for ack #{id}: answer with  ack {id} [args]"),
                            color(Tone::Ack),
                        ),
                        None => Line::raw(""),
                    });
                }
                for (i, a) in sio.attachments.iter().enumerate() {
                    lines.push(Line::styled(
                        format!(
                            "attachment #{i}: {} bytes: {}",
                            a.0.len(),
                            explain::hex_preview(&a.0, 24)
                        ),
                        color(Tone::Binary),
                    ));
                }
            }
            match &f.raw {
                Raw::Text { text } => {
                    lines.push(Line::styled(format!("raw ({} bytes):", text.len()), dim()));
                    lines.push(Line::raw(sanitize(text).into_owned()));
                }
                Raw::Binary(b) => {
                    lines.push(Line::styled(format!("raw binary ({} bytes):", b.0.len()), dim()));
                    for chunk in b.0.chunks(16).take(32) {
                        let hex = explain::hex_preview(chunk, 16);
                        let ascii: String = chunk
                            .iter()
                            .map(|&c| if c.is_ascii_graphic() { c as char } else { '.' })
                            .collect();
                        lines.push(Line::raw(format!("  {hex:<47}  {ascii}")));
                    }
                }
            }
            lines.push(Line::raw(""));
            for p in explain::parts(&f.raw, &f.decoded, eio_version) {
                let text = cut(&sanitize(&p.text), 24);
                lines.push(Line::from(vec![
                    Span::styled(format!("  {text} "), color(p.tone)),
                    Span::styled(format!("{:<11}", p.label), dim()),
                    Span::styled(sanitize(&p.meaning).into_owned(), color(p.tone)),
                ]));
            }
            if let Some(data) = f.decoded.sio.as_ref().and_then(|sio| sio.data.as_ref()) {
                lines.push(Line::raw(""));
                lines.push(Line::styled("data:", dim()));
                // Parsed for the pretty form only here: records keep the wire text.
                let pretty = serde_json::to_string_pretty(&data.value()).unwrap_or_default();
                for l in pretty.lines() {
                    lines.push(Line::styled(format!("  {}", sanitize(l)), json_style(l)));
                }
            }
        }
        Body::State(s) => {
            lines.push(head(&format!("{}  {}", record.time, s.state)));
            if let Some(d) = &s.detail {
                lines.push(Line::raw(sanitize(d).into_owned()));
            }
            let pretty = serde_json::to_string_pretty(&s.data).unwrap_or_default();
            for l in pretty.lines() {
                lines.push(Line::styled(format!("  {}", sanitize(l)), json_style(l)));
            }
        }
        Body::Http(h) => {
            lines.push(head(&format!("{}  {} {}", record.time, h.method, sanitize(&h.url))));
            if let Some(e) = &h.error {
                lines.push(Line::styled(format!("error: {}", sanitize(e)), color(Tone::Error)));
            }
            lines.push(Line::raw(format!(
                "status {} · {} · {} bytes",
                h.status.map_or("-".into(), |s| s.to_string()),
                h.millis.map_or("-".into(), |m| format!("{m:.1} ms")),
                h.body_length.unwrap_or(0)
            )));
            lines.push(Line::styled("request headers:", dim()));
            for (k, v) in &h.request_headers {
                lines.push(Line::raw(format!("  {}: {}", sanitize(k), sanitize(v))));
            }
            lines.push(Line::styled("response headers:", dim()));
            for (k, v) in &h.response_headers {
                lines.push(Line::raw(format!("  {}: {}", sanitize(k), sanitize(v))));
            }
        }
    }
    lines
}

fn json_style(line: &str) -> Style {
    let t = line.trim_start();
    if t.starts_with('"') && t.contains("\":") {
        Style::new().fg(Color::Blue)
    } else if t.starts_with('"') {
        Style::new().fg(Color::Green)
    } else if t.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        Style::new().fg(Color::Yellow)
    } else {
        Style::new()
    }
}

/// The round trip of the ack that answers (or is answered by) this frame.
/// The round trip of the selected emit's ack, from the engine's `ack` record after it.
/// Found by position, not `seq`: each connection numbers its own records.
fn ack_rtt(model: &Model, record: &Record, nsp: &str, id: u64) -> Option<f64> {
    let selected = *model.visible.get(model.selected)?;
    let start = selected.checked_sub(model.first_index)? as usize;
    // Ack state records are always held whole: frames need no decoding here.
    let mut states = model.records.iter().skip(start).take(5000).filter_map(Held::whole);
    states.find_map(|r| match &r.body {
        Body::State(s)
            if s.state == "ack"
                && r.conn == record.conn
                && s.data.get("id").and_then(|v| v.as_u64()) == Some(id)
                && s.data.get("nsp").and_then(|v| v.as_str()) == Some(nsp) =>
        {
            s.data.get("rtt_ms").and_then(|v| v.as_f64())
        }
        _ => None,
    })
}

fn draw_detail(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let border_style = if model.focus == Focus::Detail {
        Style::new().fg(Color::Cyan)
    } else {
        dim()
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .title(" details ")
        .border_style(border_style);
    let lines = match model.selected_record() {
        Some(r) => detail_lines(model, &r),
        None => vec![Line::styled("  nothing selected", dim())],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((model.detail_scroll, 0)),
        area,
    );
}

fn draw_input(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let line = match model.focus {
        Focus::Command => {
            let mut spans = Vec::new();
            // With several clients, the line runs as this one unless it names others.
            if let Some(speaker) = model.speaker() {
                spans.push(Span::styled(
                    format!("{} ▸ ", sanitize(speaker)),
                    Style::new()
                        .fg(conns_view::color_of(model, speaker))
                        .add_modifier(Modifier::BOLD),
                ));
            }
            spans.extend([
                Span::styled(":", Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)),
                Span::raw(model.input.clone()),
                Span::styled("█", Style::new().fg(Color::Cyan)),
            ]);
            // A line that did not parse stays for fixing, with the reason beside it.
            if let Some((text, true)) = &model.message {
                spans.push(Span::styled(format!("  ✗ {}", sanitize(text)), color(Tone::Error)));
            }
            Line::from(spans)
        }
        Focus::Search => {
            let mut spans = vec![
                Span::styled("/", Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)),
                Span::raw(sanitize(&model.input).into_owned()),
                Span::styled("█", Style::new().fg(Color::Cyan)),
            ];
            if let Some(e) = &model.filter_error {
                spans.push(Span::styled(
                    format!("  ✗ {}", sanitize(&e.to_string())),
                    color(Tone::Error),
                ));
            }
            Line::from(spans)
        }
        _ => match &model.message {
            Some((text, true)) => Line::styled(format!("✗ {}", sanitize(text)), color(Tone::Error)),
            Some((text, false)) => Line::styled(format!("✓ {}", sanitize(text)), color(Tone::Ack)),
            None if model.read_only => Line::styled("replay: read-only", dim()),
            None if model.tap => Line::styled(": to type a command: cut SID, delay SID in|out 2s", dim()),
            None if model.admin.is_some() => Line::styled(
                ": to type an operation: join ROOM TARGET, leave ROOM TARGET, disconnect TARGET, emit TARGET EVENT [ARG]…",
                dim(),
            ),
            None => match model.speaker() {
                Some(speaker) => Line::styled(
                    format!(
                        ": to type a command as {} (c on a row: as its client; bob: emit … names one)",
                        sanitize(speaker)
                    ),
                    dim(),
                ),
                None => Line::styled(": to type a command, e.g. emit echo \"hi\" --ack", dim()),
            },
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_keybar(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let mut spans = Vec::new();
    for (key, what) in fitting(keys::bar(model), usize::from(area.width)) {
        spans.push(Span::styled(
            format!(" {key}"),
            Style::new().fg(Color::Black).bg(Color::Cyan),
        ));
        spans.push(Span::raw(format!(" {what} ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The keys that fit in `width`, in their order; `?` and `q` stay whatever goes.
fn fitting(keys: Vec<(&'static str, &'static str)>, width: usize) -> Vec<(&'static str, &'static str)> {
    let cost = |(key, what): &(&str, &str)| key.chars().count() + what.chars().count() + 3;
    let pinned = |(key, _): &(&str, &str)| matches!(*key, "?" | "q");
    let mut room = width.saturating_sub(keys.iter().filter(|k| pinned(k)).map(cost).sum());
    keys.into_iter()
        .filter(|k| {
            if pinned(k) {
                return true;
            }
            let fits = cost(k) <= room;
            // Once one is left out, later ones are too: the bar keeps its order.
            room = if fits { room - cost(k) } else { 0 };
            fits
        })
        .collect()
}

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_help(frame: &mut Frame<'_>, area: Rect) {
    let mut lines = Vec::new();
    let entries: usize = keys::HELP.iter().map(|(_, e)| e.len()).sum();
    // On a small terminal (80x24) the section titles give way to the keys.
    let titles = entries + keys::HELP.len() + 2 <= usize::from(area.height);
    for (section, entries) in keys::HELP {
        if titles {
            lines.push(Line::styled(
                section.to_string(),
                Style::new().add_modifier(Modifier::BOLD),
            ));
        }
        for (key, what) in *entries {
            lines.push(Line::from(vec![
                Span::styled(format!("  {key:<14}"), Style::new().fg(Color::Cyan)),
                Span::raw(what.to_string()),
            ]));
        }
    }
    let popup = centered(area, 76, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" keys (Esc or ? to close) "),
        ),
        popup,
    );
}

fn draw_acks(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let mut lines = vec![Line::styled(
        format!(
            "{:<24} {:>6} {:>9} {:>9} {:>9}",
            "event", "acks", "p50 ms", "p95 ms", "max ms"
        ),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for (event, n, p50, p95, max) in model.acks.table() {
        lines.push(Line::raw(format!(
            "{:<24} {n:>6} {p50:>9.1} {p95:>9.1} {max:>9.1}",
            cut(&sanitize(&event), 24)
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "waiting: {} · unmatched acks: {}",
            model.acks.pending, model.acks.unmatched
        ),
        dim(),
    ));
    let popup = centered(area, 64, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" acks (Esc to close) ")),
        popup,
    );
}

/// The connection as code, one language at a time (Tab for the other).
fn draw_code(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let Some((lang, code)) = model.code.get(model.code_shown) else {
        let why = if model.tap {
            "a tap has no connection of its own: its sessions are the app's"
        } else {
            "a replay has no connection options (sio connect URL … --print-code js|python)"
        };
        let popup = centered(area, why.chars().count() as u16 + 2, 3);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(Line::styled(why, dim()))
                .block(Block::default().borders(Borders::ALL).title(" code (Esc to close) ")),
            popup,
        );
        return;
    };
    let lines: Vec<Line<'_>> = code.lines().map(|l| Line::raw(sanitize(l).into_owned())).collect();
    let width = code.lines().map(|l| l.chars().count()).max().unwrap_or(0) as u16 + 2;
    let popup = centered(area, width.max(60), lines.len() as u16 + 2);
    let others: Vec<&str> = model
        .code
        .iter()
        .filter(|(l, _)| l != lang)
        .map(|(l, _)| l.short())
        .collect();
    let title = format!(" {} · Tab: {} · j/k scroll · y copy ", lang.name(), others.join(", "));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((model.code_scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        popup,
    );
}

fn draw_namespaces(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let mut lines = Vec::new();
    for ns in &model.status.namespaces {
        let style = match ns.state.as_str() {
            "connected" => Style::new().fg(Color::Green),
            "failed" => Style::new().fg(Color::Red),
            _ => Style::new().fg(Color::Yellow),
        };
        lines.push(Line::styled(
            format!("{:<20} {:<13} {}", sanitize(&ns.name), ns.state, sanitize(&ns.detail)),
            style,
        ));
    }
    if lines.is_empty() {
        lines.push(Line::styled("no namespace yet", dim()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "join: :join /admin {\"token\":\"…\"}    leave: :leave /admin    use: :use /admin",
        dim(),
    ));
    let popup = centered(area, 72, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" namespaces (Esc to close) "),
        ),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use ratatui::widgets::Widget as _;

    use super::*;

    #[test]
    fn rows_draw_exactly_as_a_paragraph_does() {
        let lines = vec![
            Line::from(vec![
                Span::styled("    12 10:00:00.000 ", dim()),
                Span::styled("↓ ws ", Style::new().add_modifier(Modifier::BOLD)),
                Span::styled(r#"42["chat","hi"]"#, dim()),
                Span::raw(" "),
                Span::styled(
                    "EVENT \"chat\" an argument that runs past the edge",
                    Style::new().fg(Color::Cyan),
                ),
            ])
            .style(Style::new().add_modifier(Modifier::REVERSED)),
            Line::from(vec![
                Span::raw("wide 中文 and é, then \u{7} a bell"),
                Span::raw(" tail"),
            ]),
            Line::from("short"),
            Line::from("a row below the area is not drawn"),
        ];
        let area = Rect::new(2, 1, 40, 3);
        let mut expected = Buffer::empty(Rect::new(0, 0, 44, 5));
        Paragraph::new(lines.clone()).render(area, &mut expected);
        let mut drawn = Buffer::empty(Rect::new(0, 0, 44, 5));
        draw_rows(&mut drawn, area, &lines);
        assert_eq!(drawn, expected);
    }
}
