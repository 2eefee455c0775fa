//! `sio replay FILE --format mermaid`: a session as a Mermaid `sequenceDiagram`
//! to paste into a bug report. One lane for the server and one per client
//! connection; each frame an arrow with its meaning (Socket.IO solid,
//! Engine.IO dotted, malformed crossed); the transport, its changes and the
//! upgrade as notes; runs of heartbeats folded into one note.
//!
//! Text from the wire is untrusted: everything but letters, digits, spaces and
//! punctuation Mermaid leaves alone is written as an entity code (`#59;`), so
//! no `;`, `#`, `%%`, `<br>`, quote or line break from a server can end a
//! statement, start a comment or inject markup. Pure: records in, text out.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::explain;
use crate::proto::eio::PacketType;
use crate::record::{Body, Direction, FrameRecord, Record, Transport};

/// Arrows drawn at most; later frames are counted in a last note.
pub const MAX_LINES: usize = 5_000;
/// Client lanes drawn at most; records of later connections are counted in a last note.
pub const MAX_LANES: usize = 64;
/// A run of more heartbeat frames than this is folded into one note.
pub const FOLD_HEARTBEATS: usize = 4;
/// The longest text on an arrow, in characters (before escaping).
pub const MAX_TEXT: usize = 100;

/// Writes `text` so that Mermaid shows it as it is and reads nothing into it.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || " .,_/()[]{}'=*!?@$^~|+-:".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_TEXT - 1).collect();
    cut.push('…');
    cut
}

/// A run of heartbeat frames on one lane, held until it ends.
#[derive(Default)]
struct Heartbeats {
    lines: Vec<String>,
    pings: usize,
    pongs: usize,
    first: String,
    last: String,
}

#[derive(Default)]
struct Lane {
    /// `C1`, `C2`…
    id: String,
    label: String,
    transport: Option<Transport>,
    heartbeats: Heartbeats,
}

/// Builds the diagram record by record; [`Diagram::finish`] gives the text.
#[derive(Default)]
pub struct Diagram {
    lanes: Vec<Lane>,
    by_conn: HashMap<Option<String>, usize>,
    lines: Vec<String>,
    /// Lines not kept once [`MAX_LINES`] were.
    dropped: usize,
    /// Records of connections beyond [`MAX_LANES`], and how many such connections.
    unlaned: usize,
    unlaned_conns: std::collections::HashSet<Option<String>>,
}

impl Diagram {
    pub fn new() -> Diagram {
        Diagram::default()
    }

    /// The lane of `conn`, made on first use; `None` once [`MAX_LANES`] are taken.
    fn lane(&mut self, conn: &Option<String>) -> Option<usize> {
        if let Some(&i) = self.by_conn.get(conn) {
            return Some(i);
        }
        let i = self.lanes.len();
        if i == MAX_LANES {
            self.unlaned += 1;
            if self.unlaned_conns.len() < 1_000_000 {
                self.unlaned_conns.insert(conn.clone());
            }
            return None;
        }
        let label = match conn {
            Some(sid) => format!("client {sid}"),
            None => "client".to_string(),
        };
        self.lanes.push(Lane {
            id: format!("C{}", i + 1),
            label,
            ..Lane::default()
        });
        self.by_conn.insert(conn.clone(), i);
        Some(i)
    }

    fn line(&mut self, line: String) {
        if self.lines.len() < MAX_LINES {
            self.lines.push(line);
        } else {
            self.dropped += 1;
        }
    }

    fn note(&mut self, lane: usize, text: &str) {
        let id = &self.lanes[lane].id;
        let line = format!("    Note over {id},S: {}", escape(&shorten(text)));
        self.line(line);
    }

    /// Ends the lane's run of heartbeats: a few stay arrows, more become one note.
    fn fold(&mut self, lane: usize) {
        let run = std::mem::take(&mut self.lanes[lane].heartbeats);
        let frames = run.pings + run.pongs;
        if frames == 0 {
            return;
        }
        if frames <= FOLD_HEARTBEATS {
            run.lines.into_iter().for_each(|l| self.line(l));
        } else {
            let text = format!(
                "{frames} heartbeat frames ({} ping, {} pong), {} to {}",
                run.pings, run.pongs, run.first, run.last
            );
            self.note(lane, &text);
        }
    }

    pub fn push(&mut self, record: &Record) {
        match &record.body {
            Body::Frame(frame) => {
                if let Some(lane) = self.lane(&record.conn) {
                    self.frame(lane, record, frame)
                }
            }
            Body::State(state) => {
                let shown = matches!(
                    state.state.as_str(),
                    "upgraded"
                        | "upgrade failed"
                        | "transport fallback"
                        | "disconnected"
                        | "reconnecting"
                        | "closed"
                        | "session closed"
                        | "namespace failed"
                        | "websocket close"
                        | "har gap"
                        | "har malformed"
                        | "request refused"
                        | "session refused"
                );
                if let Some(lane) = shown.then(|| self.lane(&record.conn)).flatten() {
                    self.fold(lane);
                    let text = match &state.detail {
                        Some(d) => format!("{}: {d}", state.state),
                        None => state.state.clone(),
                    };
                    self.note(lane, &text);
                }
            }
            Body::Http(_) => {}
        }
    }

    fn frame(&mut self, lane: usize, record: &Record, frame: &FrameRecord) {
        let decoded = &frame.decoded;
        let eio = decoded.eio.as_ref();
        let probe = eio.and_then(|e| e.data.as_deref()) == Some("probe");
        let kind = eio.map(|e| e.kind);
        let heartbeat = !probe && matches!(kind, Some(PacketType::Ping | PacketType::Pong));
        if !heartbeat {
            self.fold(lane);
        }
        // The lane's transport is set by its first frame and changed by the upgrade; a
        // frame over the other one (the probe, the last long poll) says so on its arrow.
        let mut over = None;
        if let Some(t) = frame.transport {
            match self.lanes[lane].transport {
                None => {
                    self.lanes[lane].transport = Some(t);
                    if heartbeat {
                        self.fold(lane);
                    }
                    self.note(lane, &format!("over {t}"));
                }
                Some(current) if current != t => over = Some(t),
                Some(_) => {}
            }
        }
        let upgrade = kind == Some(PacketType::Upgrade) && frame.transport == Some(Transport::Websocket);
        let id = self.lanes[lane].id.clone();
        let (from, to) = match frame.dir {
            Some(Direction::In) => ("S".to_string(), id),
            _ => (id, "S".to_string()),
        };
        let arrow = if decoded.error.is_some() {
            "-x"
        } else if decoded.sio.is_some() || decoded.attachment.is_some() {
            "->>"
        } else {
            "-->>"
        };
        let mut text = explain::summary(decoded);
        if text.is_empty() {
            text = format!("{} bytes", frame.raw.len());
        }
        if let Some(t) = over {
            text = format!("{text} (over {t})");
        }
        let line = format!("    {from}{arrow}{to}: {}", escape(&shorten(&text)));
        if heartbeat {
            let clock = record.time.clock();
            let run = &mut self.lanes[lane].heartbeats;
            if run.pings + run.pongs == 0 {
                run.first = clock.clone();
            }
            run.last = clock;
            match kind {
                Some(PacketType::Ping) => run.pings += 1,
                _ => run.pongs += 1,
            }
            if run.lines.len() < FOLD_HEARTBEATS {
                run.lines.push(line);
            }
        } else {
            self.line(line);
        }
        if upgrade {
            self.lanes[lane].transport = Some(Transport::Websocket);
        }
    }

    /// The diagram: its header, the lanes, then the arrows and notes.
    pub fn finish(mut self) -> String {
        for lane in 0..self.lanes.len() {
            self.fold(lane);
        }
        let mut out = String::from("sequenceDiagram\n");
        for lane in &self.lanes {
            let _ = writeln!(out, "    participant {} as {}", lane.id, escape(&lane.label));
        }
        out.push_str("    participant S as server\n");
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        let first = self.lanes.first().map_or("S", |l| l.id.as_str());
        if self.unlaned > 0 {
            let _ = writeln!(
                out,
                "    Note over {first},S: {}",
                escape(&format!(
                    "{} records of {} more connections not drawn (at most {MAX_LANES} lanes; --filter sid:SID picks one)",
                    self.unlaned,
                    self.unlaned_conns.len()
                ))
            );
        }
        if self.dropped > 0 {
            let _ = writeln!(
                out,
                "    Note over {first},S: {}",
                escape(&format!(
                    "{} more lines not drawn (at most {MAX_LINES}; --filter picks what to draw)",
                    self.dropped
                ))
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_and_lines_are_bounded() {
        use crate::proto::eio::{EioVersion, Frame};
        use crate::proto::frame::{FrameDecoder, Parser};
        use crate::record::{Raw, Timestamp};
        let mut diagram = Diagram::new();
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        for i in 0..(MAX_LANES + 6) * 100 {
            let text = r#"42["tick"]"#;
            diagram.push(&Record {
                seq: i as u64,
                time: Timestamp { micros: 0 },
                conn: Some(format!("sid{}", i % (MAX_LANES + 6))),
                body: Body::Frame(FrameRecord {
                    dir: Some(Direction::In),
                    transport: None,
                    raw: Raw::Text { text: text.into() },
                    decoded: decoder.decode(Frame::Text(text)),
                }),
            });
        }
        let out = diagram.finish();
        assert_eq!(out.lines().filter(|l| l.contains("participant C")).count(), MAX_LANES);
        assert!(out.contains("600 records of 6 more connections not drawn"), "{out}");
        assert!(
            out.contains(&format!("{} more lines not drawn", 6400 - MAX_LINES)),
            "{out}"
        );
        assert_eq!(out.lines().count(), 1 + MAX_LANES + 1 + MAX_LINES + 2);
    }

    #[test]
    fn untrusted_text_is_escaped() {
        assert_eq!(escape("hi ;#<br>%%\"\n"), "hi #59;#35;#60;br#62;#37;#37;#34;#10;");
        assert_eq!(escape("EVENT \"chat\" {a:1}"), "EVENT #34;chat#34; {a:1}");
        assert_eq!(escape("é→"), "#233;#8594;");
    }
}
