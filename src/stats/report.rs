//! What [`Stats`] show: rows sorted as asked, as JSON (`--stats --json`), as a text
//! table (`--stats`) or drawn by the TUI.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Counter, Stats};
use crate::record::{Direction, Timestamp, Transport};

/// How the rows are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Most frequent first.
    #[default]
    Count,
    /// Most bytes first.
    Bytes,
    /// By name.
    Name,
    /// Busiest now first (events; the others by count).
    Rate,
    /// Most recently seen first (events; the others by count).
    Last,
}

impl SortBy {
    pub const ALL: [SortBy; 5] = [SortBy::Count, SortBy::Bytes, SortBy::Name, SortBy::Rate, SortBy::Last];

    pub fn name(self) -> &'static str {
        match self {
            SortBy::Count => "count",
            SortBy::Bytes => "bytes",
            SortBy::Name => "name",
            SortBy::Rate => "rate",
            SortBy::Last => "last",
        }
    }

    /// The next order (the TUI's key cycles through them).
    pub fn next(self) -> SortBy {
        let i = SortBy::ALL.iter().position(|s| *s == self).unwrap_or(0);
        SortBy::ALL[(i + 1) % SortBy::ALL.len()]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<Direction>,
    pub count: u64,
    pub bytes: u64,
    /// Per second over the last 10 s (or since first seen).
    pub rate_now: f64,
    /// The busiest second.
    pub rate_peak: u64,
    pub first: Timestamp,
    pub last: Timestamp,
    pub acks_asked: u64,
    pub acks_answered: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_p50_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_p95_ms: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountRow {
    pub name: String,
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HeartbeatRow {
    pub pings: u64,
    pub pongs: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced_interval_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced_timeout_ms: Option<u64>,
    /// Gaps between one connection's pings.
    pub intervals: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_min_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_mean_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_p50_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_p95_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_max_ms: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub records: u64,
    pub frames: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    pub sort: SortBy,
    pub events: Vec<EventRow>,
    pub namespaces: Vec<CountRow>,
    pub transports: Vec<CountRow>,
    pub heartbeats: HeartbeatRow,
    /// Acks asked and not (yet) answered.
    pub acks_pending: u64,
    /// Asked acks no longer waited for (the bound on pending acks).
    pub acks_let_go: u64,
}

impl CountRow {
    fn of(name: String, c: &Counter) -> CountRow {
        CountRow {
            name,
            frames_in: c.frames_in,
            frames_out: c.frames_out,
            bytes_in: c.bytes_in,
            bytes_out: c.bytes_out,
        }
    }

    fn frames(&self) -> u64 {
        self.frames_in + self.frames_out
    }

    fn bytes(&self) -> u64 {
        self.bytes_in + self.bytes_out
    }
}

fn sort_counts(rows: &mut [CountRow], sort: SortBy) {
    match sort {
        SortBy::Name => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        SortBy::Bytes => rows.sort_by(|a, b| b.bytes().cmp(&a.bytes()).then_with(|| a.name.cmp(&b.name))),
        _ => rows.sort_by(|a, b| b.frames().cmp(&a.frames()).then_with(|| a.name.cmp(&b.name))),
    }
}

impl Stats {
    /// The rows as of `now` (for "rate now"; the last record's time when None).
    pub fn report(&self, now: Option<Timestamp>, sort: SortBy) -> Report {
        let now = now.or(self.last).unwrap_or(Timestamp { micros: 0 });
        let mut events: Vec<EventRow> = self
            .events
            .iter()
            .map(|((name, dir), e)| EventRow {
                name: name.clone(),
                dir: *dir,
                count: e.count,
                bytes: e.bytes,
                rate_now: e.rate.now(now, e.first),
                rate_peak: e.rate.peak,
                first: e.first,
                last: e.last,
                acks_asked: e.acks_asked,
                acks_answered: e.acks_answered,
                ack_p50_ms: e.ack_delays_ms.quantile(0.5),
                ack_p95_ms: e.ack_delays_ms.quantile(0.95),
            })
            .collect();
        // Ties by name then direction, so the order never depends on the hash map.
        let by_name =
            |a: &EventRow, b: &EventRow| a.name.cmp(&b.name).then_with(|| dir_rank(a.dir).cmp(&dir_rank(b.dir)));
        match sort {
            SortBy::Count => events.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| by_name(a, b))),
            SortBy::Bytes => events.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| by_name(a, b))),
            SortBy::Name => events.sort_by(by_name),
            SortBy::Rate => events.sort_by(|a, b| b.rate_now.total_cmp(&a.rate_now).then_with(|| by_name(a, b))),
            SortBy::Last => events.sort_by(|a, b| b.last.cmp(&a.last).then_with(|| by_name(a, b))),
        }
        let mut namespaces: Vec<CountRow> = self
            .namespaces
            .iter()
            .map(|(n, c)| CountRow::of(n.clone(), c))
            .collect();
        sort_counts(&mut namespaces, sort);
        let mut transports: Vec<CountRow> = self
            .transports
            .iter()
            .map(|(t, c)| {
                let name = match t {
                    Some(Transport::Polling) => "polling",
                    Some(Transport::Websocket) => "websocket",
                    None => "(none)",
                };
                CountRow::of(name.to_string(), c)
            })
            .collect();
        sort_counts(&mut transports, sort);
        let h = &self.heartbeats;
        Report {
            records: self.records,
            frames: self.frames,
            first: self.first,
            last: self.last,
            sort,
            events,
            namespaces,
            transports,
            heartbeats: HeartbeatRow {
                pings: h.pings,
                pongs: h.pongs,
                announced_interval_ms: h.announced_interval,
                announced_timeout_ms: h.announced_timeout,
                intervals: h.gap_count,
                interval_min_ms: h.gap_min,
                interval_mean_ms: (h.gap_count > 0).then(|| h.gap_sum / h.gap_count as f64),
                interval_p50_ms: h.gaps_ms.quantile(0.5),
                interval_p95_ms: h.gaps_ms.quantile(0.95),
                interval_max_ms: h.gap_max,
            },
            acks_pending: self.pending.len() as u64,
            acks_let_go: self.pending_dropped,
        }
    }
}

fn dir_rank(d: Option<Direction>) -> u8 {
    match d {
        Some(Direction::In) => 0,
        Some(Direction::Out) => 1,
        None => 2,
    }
}

pub fn dir_arrow(d: Option<Direction>) -> &'static str {
    match d {
        Some(Direction::In) => "↓ in",
        Some(Direction::Out) => "↑ out",
        None => "",
    }
}

pub fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

/// A whole-column-aligned table; the first row is the header.
fn table(out: &mut String, rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            // Names left, numbers right.
            if c == 0 || c == 1 {
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            } else {
                let _ = write!(line, "{}{cell}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// The report as text tables, for `sio replay --stats`.
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    let span = match (r.first, r.last) {
        (Some(f), Some(l)) => format!(", {} to {} ({:.1} s)", f.clock(), l.clock(), l.seconds_since(f)),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} records, {} frames{span}; sorted by {}",
        r.records,
        r.frames,
        r.sort.name()
    );
    out.push('\n');
    let mut rows = vec![
        [
            "event", "dir", "count", "bytes", "rate/s", "peak/s", "first", "last", "acks", "answered", "p50 ms",
            "p95 ms",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for e in &r.events {
        rows.push(vec![
            format!("{:?}", e.name),
            dir_arrow(e.dir).to_string(),
            e.count.to_string(),
            e.bytes.to_string(),
            format!("{:.1}", e.rate_now),
            e.rate_peak.to_string(),
            e.first.clock(),
            e.last.clock(),
            e.acks_asked.to_string(),
            e.acks_answered.to_string(),
            ms(e.ack_p50_ms),
            ms(e.ack_p95_ms),
        ]);
    }
    if r.events.is_empty() {
        out.push_str("no events\n");
    } else {
        table(&mut out, &rows);
    }
    for (title, list) in [("namespace", &r.namespaces), ("transport", &r.transports)] {
        out.push('\n');
        let mut rows = vec![
            [title, "", "frames in", "frames out", "bytes in", "bytes out"]
                .map(String::from)
                .to_vec(),
        ];
        for c in list {
            rows.push(vec![
                crate::output::sanitize::sanitize(&c.name).into_owned(),
                String::new(),
                c.frames_in.to_string(),
                c.frames_out.to_string(),
                c.bytes_in.to_string(),
                c.bytes_out.to_string(),
            ]);
        }
        table(&mut out, &rows);
    }
    let h = &r.heartbeats;
    out.push('\n');
    let announced = match (h.announced_interval_ms, h.announced_timeout_ms) {
        (Some(i), Some(t)) => format!("announced pingInterval {i} ms, pingTimeout {t} ms"),
        _ => "no handshake seen".to_string(),
    };
    let _ = writeln!(out, "heartbeats: {} pings, {} pongs; {announced}", h.pings, h.pongs);
    if h.intervals > 0 {
        let _ = writeln!(
            out,
            "  {} intervals seen: min {} ms, p50 {} ms, mean {} ms, p95 {} ms, max {} ms",
            h.intervals,
            ms(h.interval_min_ms),
            ms(h.interval_p50_ms),
            ms(h.interval_mean_ms),
            ms(h.interval_p95_ms),
            ms(h.interval_max_ms)
        );
    }
    if r.acks_pending > 0 || r.acks_let_go > 0 {
        let _ = writeln!(
            out,
            "acks: {} asked and not answered{}",
            r.acks_pending,
            if r.acks_let_go > 0 {
                format!(", {} more no longer waited for", r.acks_let_go)
            } else {
                String::new()
            }
        );
    }
    out
}
