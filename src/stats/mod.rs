//! Statistics of a stream of records, fed one record at a time (the TUI as records
//! arrive, `sio replay --stats` over a file): per event name and direction, per
//! namespace, per transport, and the heartbeat. Pure (times come from the records)
//! and bounded: at most [`MAX_EVENTS`] event names and [`MAX_NAMESPACES`] namespaces
//! are told apart (later ones count as "other"), ack delays and heartbeat gaps keep
//! their newest [`SAMPLES`] values, and at most [`MAX_PENDING`] asked acks wait for
//! their answer (the oldest are let go).

mod report;

use std::collections::{HashMap, VecDeque};

pub use report::{CountRow, EventRow, HeartbeatRow, Report, SortBy, render_text};

use crate::proto::eio;
use crate::record::{Body, Direction, Record, Timestamp, Transport};

pub const MAX_EVENTS: usize = 256;
pub const MAX_NAMESPACES: usize = 64;
pub const MAX_PENDING: usize = 4096;
/// Connections whose last ping is remembered (for the gap to the next).
pub const MAX_CONNS: usize = 4096;
pub const SAMPLES: usize = 1024;
/// The window "rate now" looks back over, in seconds.
pub const RATE_WINDOW: u64 = 10;
/// The name events beyond [`MAX_EVENTS`] (and namespaces beyond their bound) count under.
pub const OTHER: &str = "(other)";

/// Events per second: one bucket per second of the last [`RATE_WINDOW`], and the
/// busiest second seen.
#[derive(Clone, Debug, Default)]
struct Rate {
    /// (second, count), oldest first.
    buckets: VecDeque<(u64, u64)>,
    peak: u64,
}

impl Rate {
    fn add(&mut self, time: Timestamp) {
        let second = time.micros / 1_000_000;
        match self.buckets.back_mut() {
            Some((s, n)) if *s == second => *n += 1,
            // A record older than the newest second (merged streams) counts in the newest.
            Some((s, n)) if *s > second => *n += 1,
            _ => self.buckets.push_back((second, 1)),
        }
        while self.buckets.front().is_some_and(|(s, _)| *s + RATE_WINDOW <= second) {
            self.buckets.pop_front();
        }
        if let Some((_, n)) = self.buckets.back() {
            self.peak = self.peak.max(*n);
        }
    }

    /// Per second over the last [`RATE_WINDOW`] seconds before `now` (fewer when the
    /// name was first seen less long ago).
    fn now(&self, now: Timestamp, first: Timestamp) -> f64 {
        let second = now.micros / 1_000_000;
        let recent: u64 = self
            .buckets
            .iter()
            .filter(|(s, _)| *s + RATE_WINDOW > second && *s <= second)
            .map(|(_, n)| n)
            .sum();
        let span = (second.saturating_sub(first.micros / 1_000_000) + 1).min(RATE_WINDOW);
        recent as f64 / span as f64
    }
}

/// The newest [`SAMPLES`] values, for quantiles.
#[derive(Clone, Debug, Default)]
struct Samples {
    values: VecDeque<f64>,
}

impl Samples {
    fn add(&mut self, v: f64) {
        if self.values.len() == SAMPLES {
            self.values.pop_front();
        }
        self.values.push_back(v);
    }

    /// The q-quantile (nearest rank), or None without samples.
    fn quantile(&self, q: f64) -> Option<f64> {
        if self.values.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.values.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        Some(sorted[rank - 1])
    }
}

#[derive(Clone, Debug)]
struct EventStats {
    count: u64,
    bytes: u64,
    first: Timestamp,
    last: Timestamp,
    rate: Rate,
    acks_asked: u64,
    acks_answered: u64,
    ack_delays_ms: Samples,
}

impl EventStats {
    fn new(time: Timestamp) -> Self {
        EventStats {
            count: 0,
            bytes: 0,
            first: time,
            last: time,
            rate: Rate::default(),
            acks_asked: 0,
            acks_answered: 0,
            ack_delays_ms: Samples::default(),
        }
    }
}

/// Frames and bytes each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

impl Counter {
    fn add(&mut self, dir: Option<Direction>, bytes: usize) {
        if dir == Some(Direction::Out) {
            self.frames_out += 1;
            self.bytes_out += bytes as u64;
        } else {
            self.frames_in += 1;
            self.bytes_in += bytes as u64;
        }
    }
}

type EventKey = (String, Option<Direction>);

/// An ack asked for: which connection, namespace, id and asking direction.
type AckKey = (Option<String>, String, u64, Option<Direction>);

#[derive(Clone, Debug, Default)]
struct Heartbeats {
    pings: u64,
    pongs: u64,
    /// The pingInterval / pingTimeout the last handshake announced.
    announced_interval: Option<u64>,
    announced_timeout: Option<u64>,
    gaps_ms: Samples,
    gap_min: Option<f64>,
    gap_max: Option<f64>,
    gap_count: u64,
    gap_sum: f64,
    last_ping: HashMap<Option<String>, Timestamp>,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    records: u64,
    frames: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    events: HashMap<EventKey, EventStats>,
    namespaces: HashMap<String, Counter>,
    transports: HashMap<Option<Transport>, Counter>,
    heartbeats: Heartbeats,
    pending: HashMap<AckKey, (EventKey, Timestamp)>,
    /// Asked acks in the order asked, to let the oldest go (entries already answered
    /// are skipped when they come up).
    pending_order: VecDeque<AckKey>,
    /// Asked acks let go unanswered to respect [`MAX_PENDING`].
    pub pending_dropped: u64,
}

impl Stats {
    pub fn new() -> Stats {
        Stats::default()
    }

    /// Takes one record into account.
    pub fn observe(&mut self, record: &Record) {
        self.records += 1;
        let time = record.time;
        self.first.get_or_insert(time);
        self.last = Some(self.last.map_or(time, |l| l.max(time)));
        let Body::Frame(frame) = &record.body else { return };
        self.frames += 1;
        let bytes = frame.raw.len();
        self.transports
            .entry(frame.transport)
            .or_default()
            .add(frame.dir, bytes);
        if let Some(e) = &frame.decoded.eio {
            self.heartbeat(record, e);
        }
        let Some(sio) = &frame.decoded.sio else { return };
        let nsp = if self.namespaces.contains_key(&sio.nsp) || self.namespaces.len() < MAX_NAMESPACES {
            sio.nsp.clone()
        } else {
            OTHER.to_string()
        };
        self.namespaces.entry(nsp).or_default().add(frame.dir, bytes);
        if sio.kind.is_event() {
            let name = sio.event.clone().unwrap_or_default();
            let key = self.event_key(name, frame.dir);
            let entry = self.events.entry(key.clone()).or_insert_with(|| EventStats::new(time));
            entry.bytes += bytes as u64;
            // A binary event counts once, when its last attachment completed it.
            if sio.complete {
                entry.count += 1;
                entry.last = entry.last.max(time);
                entry.rate.add(time);
            }
            // A binary event asks in its header; the attachment that completes it does not ask again.
            if let Some(id) = sio.id
                && frame.decoded.attachment.is_none()
            {
                entry.acks_asked += 1;
                self.ask((record.conn.clone(), sio.nsp.clone(), id, frame.dir), key, time);
            }
        } else if sio.kind.is_ack()
            && sio.complete
            && let Some(id) = sio.id
        {
            let asker = frame.dir.map(|d| match d {
                Direction::In => Direction::Out,
                Direction::Out => Direction::In,
            });
            let ack_key = (record.conn.clone(), sio.nsp.clone(), id, asker);
            if let Some((event, asked)) = self.pending.remove(&ack_key)
                && let Some(entry) = self.events.get_mut(&event)
            {
                entry.acks_answered += 1;
                entry.ack_delays_ms.add(time.seconds_since(asked).max(0.0) * 1000.0);
            }
        }
    }

    /// The name as tracked: itself while there is room, else [`OTHER`].
    fn event_key(&self, name: String, dir: Option<Direction>) -> EventKey {
        let key = (name, dir);
        if self.events.contains_key(&key) || self.events.len() < MAX_EVENTS {
            key
        } else {
            (OTHER.to_string(), dir)
        }
    }

    fn ask(&mut self, key: AckKey, event: EventKey, time: Timestamp) {
        self.pending_order.push_back(key.clone());
        self.pending.insert(key, (event, time));
        while self.pending.len() > MAX_PENDING {
            let Some(oldest) = self.pending_order.pop_front() else {
                break;
            };
            if self.pending.remove(&oldest).is_some() {
                self.pending_dropped += 1;
            }
        }
        // Answered entries linger in the order until they come up; keep them bounded.
        if self.pending_order.len() > 2 * MAX_PENDING {
            let pending = &self.pending;
            self.pending_order.retain(|k| pending.contains_key(k));
        }
    }

    fn heartbeat(&mut self, record: &Record, e: &crate::proto::frame::EioLayer) {
        let h = &mut self.heartbeats;
        match e.kind {
            eio::PacketType::Open => {
                if let Some(hs) = &e.handshake {
                    h.announced_interval = Some(hs.ping_interval);
                    h.announced_timeout = Some(hs.ping_timeout);
                }
                // A new session: the gap from the old one's last ping is no heartbeat gap.
                h.last_ping.remove(&record.conn);
            }
            eio::PacketType::Ping if e.data.as_deref() != Some("probe") => {
                h.pings += 1;
                if let Some(last) = h.last_ping.get(&record.conn) {
                    let gap = record.time.seconds_since(*last).max(0.0) * 1000.0;
                    h.gaps_ms.add(gap);
                    h.gap_count += 1;
                    h.gap_sum += gap;
                    h.gap_min = Some(h.gap_min.map_or(gap, |m| m.min(gap)));
                    h.gap_max = Some(h.gap_max.map_or(gap, |m| m.max(gap)));
                }
                if h.last_ping.len() >= MAX_CONNS && !h.last_ping.contains_key(&record.conn) {
                    h.last_ping.clear();
                }
                h.last_ping.insert(record.conn.clone(), record.time);
            }
            eio::PacketType::Pong if e.data.as_deref() != Some("probe") => h.pongs += 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
