//! The fan-out of one emitted event: which connections received what it caused,
//! and after how long. Rooms and broadcasts live on the server; this table is how
//! they are seen from outside, with several clients (or a tap's sessions).
//!
//! What an emit caused is what the connections received after it, up to the next
//! event any of them emitted (the next cause) or [`WINDOW`], whichever is first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::conns_view::color_of;
use super::model::Model;
use super::view::{centered, color, cut, dim};
use crate::explain::{self, Tone};
use crate::output::sanitize::sanitize;
use crate::record::{Direction, Record, Timestamp};

/// How long after the emit a received frame still counts as caused by it.
pub const WINDOW_MICROS: u64 = 5_000_000;
/// At most this many held records are looked at after the emit.
const SCAN: usize = 5_000;
/// At most this many rows are kept (a broadcast to a thousand sessions is summed up).
const ROWS: usize = 500;

#[derive(Clone, Debug, PartialEq)]
pub struct Fanout {
    /// The absolute number of the emit's record.
    pub cause: u64,
    /// The records held when this was computed: later ones may still belong to it.
    pub held_until: u64,
    /// The window closed: nothing later can change the table.
    pub complete: bool,
    /// The emitting connection (`None` where records name none).
    pub sender: Option<String>,
    /// The emit, as `explain::summary` says it.
    pub emit: String,
    pub at: Timestamp,
    /// What was received, in the order it arrived.
    pub rows: Vec<Received>,
    /// Received frames beyond [`ROWS`].
    pub more: usize,
    /// Known connections that received nothing in the window.
    pub silent: Vec<String>,
    /// Why the window closed early: the next emit's summary.
    pub ended_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub conn: Option<String>,
    pub what: String,
    pub delay_ms: f64,
}

/// An event (or binary event) a client sent: a cause.
fn emitted(record: &Record) -> Option<String> {
    let f = record.frame()?;
    let sio = f.decoded.sio.as_ref()?;
    (f.dir == Some(Direction::Out) && sio.kind.is_event()).then(|| explain::summary(&f.decoded))
}

/// A Socket.IO packet a client received (events, acks, disconnects…; heartbeats are not).
fn received(record: &Record) -> Option<String> {
    let f = record.frame()?;
    f.decoded.sio.as_ref()?;
    (f.dir == Some(Direction::In)).then(|| explain::summary(&f.decoded))
}

/// The fan-out of the selected row, or why there is none.
pub fn of_selected(model: &Model) -> Result<Fanout, String> {
    of_record(model, *model.visible.get(model.selected).ok_or("nothing selected")?)
}

/// Computes the table again if records arrived while its window was open.
pub fn refresh(model: &mut Model) {
    let held_until = model.first_index + model.records.len() as u64;
    if let Some(fanout) = &model.fanout
        && !fanout.complete
        && fanout.held_until != held_until
        && let Ok(fresh) = of_record(model, fanout.cause)
    {
        model.fanout = Some(fresh);
    }
}

/// The fan-out of the record numbered `absolute`.
pub fn of_record(model: &Model, absolute: u64) -> Result<Fanout, String> {
    let start = absolute
        .checked_sub(model.first_index)
        .ok_or("the selected row is no longer held")? as usize;
    let cause = model
        .records
        .get(start)
        .ok_or("the selected row is no longer held")?
        .record();
    let emit = emitted(&cause).ok_or("select an event a client emitted (an ↑ EVENT row) to see who received what")?;
    let mut fanout = Fanout {
        cause: absolute,
        held_until: model.first_index + model.records.len() as u64,
        complete: false,
        sender: cause.conn.clone(),
        emit,
        at: cause.time,
        rows: Vec::new(),
        more: 0,
        silent: Vec::new(),
        ended_by: None,
    };
    for held in model.records.iter().skip(start + 1).take(SCAN) {
        let record = held.record();
        let after = record.time.micros.saturating_sub(fanout.at.micros);
        if after > WINDOW_MICROS {
            fanout.complete = true;
            break;
        }
        if let Some(next) = emitted(&record) {
            fanout.ended_by = Some(next);
            fanout.complete = true;
            break;
        }
        let Some(what) = received(&record) else { continue };
        if fanout.rows.len() == ROWS {
            fanout.more += 1;
            continue;
        }
        fanout.rows.push(Received {
            conn: record.conn.clone(),
            what,
            delay_ms: after as f64 / 1000.0,
        });
    }
    fanout.silent = model
        .conns
        .iter()
        .filter(|c| c.is_live() && !fanout.rows.iter().any(|r| r.conn.as_deref() == Some(c.name.as_str())))
        .map(|c| c.name.clone())
        .collect();
    Ok(fanout)
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let Some(fanout) = &model.fanout else { return };
    let noun = model.conn_noun();
    let height = (fanout.rows.len() + fanout.silent.len() + 7).min(usize::from(area.height.saturating_sub(2))) as u16;
    let popup = centered(area, area.width.saturating_sub(4).max(40), height);
    let name = |conn: &Option<String>| {
        conn.as_deref()
            .map_or_else(|| "·".to_string(), |n| sanitize(n).into_owned())
    };
    let style_of = |conn: &Option<String>| conn.as_deref().map_or(dim(), |n| Style::new().fg(color_of(model, n)));
    let receivers = {
        let mut names: Vec<&Option<String>> = Vec::new();
        for row in &fanout.rows {
            if !names.contains(&&row.conn) {
                names.push(&row.conn);
            }
        }
        names.len()
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                name(&fanout.sender),
                style_of(&fanout.sender).add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(" emitted at {}: ", fanout.at)),
            Span::styled(sanitize(&fanout.emit).into_owned(), color(Tone::Event)),
        ]),
        Line::styled(
            format!(
                "{} received by {receivers} {noun}(s){}",
                fanout.rows.len() + fanout.more,
                match &fanout.ended_by {
                    Some(next) => format!(", up to the next emit: {}", sanitize(next)),
                    None => format!(" within {} s", WINDOW_MICROS / 1_000_000),
                }
            ),
            dim(),
        ),
        Line::styled(
            format!("  {:<16} {:>10}  received", noun, "after"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
    ];
    let rows = usize::from(popup.height.saturating_sub(6)).max(1);
    for row in fanout.rows.iter().take(rows) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", cut(&name(&row.conn), 16)), style_of(&row.conn)),
            Span::raw(format!("{:>7.1} ms  ", row.delay_ms)),
            Span::raw(sanitize(&row.what).into_owned()),
        ]));
    }
    for silent in &fanout.silent {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {} ", cut(&sanitize(silent), 16)),
                Style::new().fg(color_of(model, silent)),
            ),
            Span::styled(format!("{:>10}  nothing", "—"), color(Tone::Disconnect)),
        ]));
    }
    let hidden = fanout.rows.len().saturating_sub(rows) + fanout.more;
    let footer = if hidden > 0 {
        format!("  {hidden} more not shown · Esc: close")
    } else {
        "  Esc: close".to_string()
    };
    let [body, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)])
        .areas(Block::default().borders(Borders::ALL).inner(popup));
    frame.render_widget(Clear, popup);
    frame.render_widget(Block::default().borders(Borders::ALL).title(" fan-out "), popup);
    frame.render_widget(Paragraph::new(lines), body);
    frame.render_widget(Paragraph::new(Line::styled(footer, dim())), foot);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::eio::{EioVersion, Frame};
    use crate::proto::frame::{FrameDecoder, Parser};
    use crate::record::{Body, FrameRecord, Raw, Transport};

    fn frame(seq: u64, micros: u64, conn: &str, dir: Direction, text: &str) -> Record {
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        Record {
            seq,
            time: Timestamp { micros },
            conn: Some(conn.into()),
            body: Body::Frame(FrameRecord {
                dir: Some(dir),
                transport: Some(Transport::Websocket),
                raw: Raw::Text { text: text.into() },
                decoded: decoder.decode(Frame::Text(text)),
            }),
        }
    }

    fn model(records: Vec<Record>) -> Model {
        let mut model = Model::new("http://x", 1000, false);
        for r in records {
            model.push(r);
        }
        model
    }

    #[test]
    fn an_emit_fans_out_until_the_next_emit() {
        let mut m = model(vec![
            frame(1, 0, "main", Direction::Out, r#"42["join",{"room":"r1"}]"#),
            frame(1, 1_000, "main", Direction::Out, r#"42["say","hi"]"#),
            frame(2, 3_500, "bob", Direction::In, r#"42["said","hi"]"#),
            frame(2, 3_600, "bob", Direction::In, "2"),
            frame(3, 4_000, "main", Direction::In, r#"42["said","hi"]"#),
            frame(4, 9_000, "carol", Direction::Out, r#"42["later"]"#),
            frame(3, 9_500, "carol", Direction::In, r#"42["said","late"]"#),
        ]);
        m.follow = false;
        m.selected = 1;
        let fanout = of_selected(&m).expect("an emit");
        assert_eq!(fanout.sender.as_deref(), Some("main"));
        let got: Vec<(Option<&str>, f64)> = fanout.rows.iter().map(|r| (r.conn.as_deref(), r.delay_ms)).collect();
        assert_eq!(
            got,
            vec![(Some("bob"), 2.5), (Some("main"), 3.0)],
            "the ping and carol's later event are not caused"
        );
        assert_eq!(fanout.silent, vec!["carol".to_string()]);
        assert!(
            fanout.ended_by.as_deref().is_some_and(|e| e.contains("later")),
            "{fanout:?}"
        );
    }

    #[test]
    fn a_received_row_has_no_fanout() {
        let mut m = model(vec![frame(1, 0, "bob", Direction::In, r#"42["said","hi"]"#)]);
        m.selected = 0;
        assert!(of_selected(&m).is_err());
    }

    #[test]
    fn the_window_closes_after_five_seconds() {
        let mut m = model(vec![
            frame(1, 0, "main", Direction::Out, r#"42["say"]"#),
            frame(2, WINDOW_MICROS + 1, "bob", Direction::In, r#"42["said"]"#),
        ]);
        m.follow = false;
        m.selected = 0;
        let fanout = of_selected(&m).expect("an emit");
        assert!(fanout.rows.is_empty());
        assert_eq!(fanout.silent, vec!["main".to_string(), "bob".to_string()]);
    }
}
