//! Records → a `.sio` script of what the user did in a session, so that a
//! session tried by hand becomes a test that `sio run` passes against the same
//! server. Pure: records in, text out (`sio replay FILE --script` and the TUI's
//! `save FILE.sio` both feed it).
//!
//! What becomes a line:
//! - the client's own acts, read from the frames it sent: `emit` (with
//!   `--ack` when an ack came back in the recording), `ack` (an answer to the
//!   server's ack request), `join` (a CONNECT that was not one the engine sent
//!   by itself right after the Engine.IO handshake), `leave` (a DISCONNECT
//!   followed by more of the client's acts), `send` (a frame that does not
//!   decode), `reconnect`, `disconnect`, and `client NAME` for every other
//!   connection of the recording;
//! - `use NS` wherever the next line's namespace is not the client's current one;
//! - between two acts, one `expect` per event the server sent (to any client)
//!   after the first act and before the second: the event name and its first
//!   argument, less what differs by nature from run to run (see [`Volatile`]),
//!   each `--within` [`margin`] of the delay observed after the act. At most
//!   [`MAX_EXPECTS_PER_NAME`] per event name between two acts; the rest are
//!   counted in a comment.
//!
//! A recording file that holds several runs (`--record` appends) gives the
//! script of its last run.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use super::parse::{MAIN, check_client_name};
use crate::proto::eio::PacketType as EioType;
use crate::proto::sio::PacketType;
use crate::record::{Body, Direction, FrameRecord, HttpRecord, Raw, Record, StateRecord, Timestamp};

/// The `--within` (and `--ack`) time for an observed delay: three times the
/// delay, and at least the delay plus half a second, in whole milliseconds.
pub fn margin(observed: Duration) -> Duration {
    let ms = observed.as_secs_f64() * 1000.0;
    let within = (3.0 * ms).max(ms + 500.0);
    Duration::from_millis(within.ceil() as u64)
}

/// Expects written for one event name (of one client and namespace) between two acts.
pub const MAX_EXPECTS_PER_NAME: usize = 10;
/// A first argument longer than this (compact JSON) is not asserted.
pub const MAX_ASSERTED_JSON: usize = 1024;
/// The server's ack requests remembered to name the event an `ack` answers.
const MAX_ASKED: usize = 256;
/// Lines of the script at most; what would follow is counted in a comment.
pub const MAX_LINES: usize = 20_000;

/// How an act's line stands while the recording is read.
#[derive(Clone, Debug, PartialEq)]
enum AckState {
    /// Sent without an ack id.
    NotAsked,
    /// Asked with this id on this namespace, sent at this time; no answer yet.
    Waiting { nsp: String, id: u64, sent: Timestamp },
    /// The ack came back after this long.
    Answered(Duration),
}

#[derive(Clone, Debug, PartialEq)]
enum JoinState {
    Waiting,
    Joined,
    Refused(String),
}

/// One line (or comment) of the script, rendered at the end.
#[derive(Clone, Debug)]
enum Item {
    Comment(String),
    /// A command already written out (`use`, `ack`, `send`, `reconnect`…).
    Plain {
        client: usize,
        text: String,
        act: bool,
    },
    Emit {
        client: usize,
        /// `emit NAME ARGS…` without `--ack`.
        text: String,
        ack: AckState,
        /// The namespace and ack id it asked with.
        ack_key: Option<(String, u64)>,
    },
    Expect {
        client: usize,
        event: String,
        first: FirstArg,
        delay: Duration,
    },
    Join {
        client: usize,
        nsp: String,
        auth: Option<Value>,
        state: JoinState,
    },
    /// `leave` or `disconnect`: written only when the client acts again later.
    Tentative {
        client: usize,
        text: String,
    },
    Client {
        client: usize,
    },
}

impl Item {
    /// Whether the item is one of the client's own acts (not an expect, a use or a comment).
    fn act_of(&self) -> Option<usize> {
        match self {
            Item::Plain { client, act: true, .. }
            | Item::Emit { client, .. }
            | Item::Join { client, .. }
            | Item::Client { client } => Some(*client),
            _ => None,
        }
    }
}

/// The first argument of an event, as far as it is kept.
#[derive(Clone, Debug)]
enum FirstArg {
    None,
    Value(Value),
    TooBig,
}

/// What the recording tells about one connection.
#[derive(Debug, Default)]
struct Conn {
    /// The connection's name in the recording (`conn`), if any.
    key: Option<String>,
    /// Its name in the script.
    name: String,
    /// The namespace `use` picked last, in the script.
    nsp: Option<String>,
    /// Right after the Engine.IO handshake: CONNECTs now are the engine's own.
    after_open: bool,
    opened: bool,
    /// The namespaces joined at start, and the auth of the first of them.
    initial: Vec<String>,
    initial_auth: Option<Value>,
    /// Initial namespaces not yet connected (a `client` line waits for them).
    waiting: Vec<String>,
    transport: Option<String>,
    /// The first request's query and headers (the user's own, with the engine's taken out).
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    /// The URL the connection was opened with (scheme, host and port).
    url: Option<String>,
    /// The Engine.IO path of its first request.
    engine_path: Option<String>,
    seen_http: bool,
}

/// An event the server sent since the last act.
#[derive(Debug)]
struct Answer {
    client: usize,
    nsp: String,
    event: String,
    first: FirstArg,
    delay: Duration,
}

/// Turns records, one at a time, into a script; [`ScriptWriter::finish`] writes it.
#[derive(Debug, Default)]
pub struct ScriptWriter {
    conns: Vec<Conn>,
    items: Vec<Item>,
    answers: Vec<Answer>,
    /// When the last act was done (its ack, join or connection included).
    reference: Option<Timestamp>,
    volatile: Volatile,
    /// The server's recent ack requests: client, namespace, id and the event that asked.
    asked: std::collections::VecDeque<(usize, String, u64, String)>,
    /// Runs of the recording before the last one.
    earlier_runs: usize,
    records: u64,
    first_seq: Option<(Option<String>, u64)>,
    /// Lines left out past [`MAX_LINES`].
    cut: usize,
    /// Records let go before these (the TUI's scrollback), said in the header.
    pub let_go: u64,
    /// Where the records came from, for the header.
    pub source: Option<String>,
}

/// What differs by nature between two runs against the same server, and so is
/// never asserted: the session and socket ids the recording saw (Engine.IO sid,
/// namespace sid and pid), UUIDs, times (RFC 3339 strings,
/// epoch seconds or milliseconds within a day of the recording), binary
/// placeholders, and members named `sid`, `socketId`, `pid`, `offset`, `time`,
/// `timestamp`, `ts`, `date`, `createdAt`, `updatedAt` or `now` (any case, `_`/`-` ignored).
#[derive(Debug, Default)]
pub struct Volatile {
    ids: HashSet<String>,
    first_micros: Option<u64>,
    last_micros: u64,
}

const VOLATILE_KEYS: [&str; 11] = [
    "sid",
    "socketid",
    "pid",
    "offset",
    "time",
    "timestamp",
    "ts",
    "date",
    "createdat",
    "updatedat",
    "now",
];

impl Volatile {
    fn saw_time(&mut self, t: Timestamp) {
        self.first_micros.get_or_insert(t.micros);
        self.last_micros = self.last_micros.max(t.micros);
    }

    fn saw_id(&mut self, id: &str) {
        if !id.is_empty() {
            self.ids.insert(id.to_string());
        }
    }

    fn key_is_volatile(key: &str) -> bool {
        let folded: String = key
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        VOLATILE_KEYS.contains(&folded.as_str())
    }

    fn looks_like_uuid(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    }

    fn near_recording(&self, micros: f64) -> bool {
        let Some(first) = self.first_micros else { return false };
        let day = 86_400e6;
        micros >= first as f64 - day && micros <= self.last_micros as f64 + day
    }

    /// Whether a value as a whole differs by nature.
    fn is_volatile(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => {
                self.ids.contains(s)
                    || Self::looks_like_uuid(s)
                    || s.parse::<Timestamp>().is_ok()
                    || looks_like_iso_time(s)
            }
            Value::Number(n) => n
                .as_f64()
                .is_some_and(|x| x > 1e9 && (self.near_recording(x * 1e6) || self.near_recording(x * 1e3))),
            Value::Object(o) => o.get("_placeholder") == Some(&Value::Bool(true)),
            _ => false,
        }
    }

    /// What of `v` can be asserted: objects lose their volatile members (an
    /// expect matches objects by subset); anything else is kept whole or not at all.
    pub fn assertable(&self, v: &Value) -> Option<Value> {
        if self.is_volatile(v) {
            return None;
        }
        match v {
            Value::Object(o) => Some(Value::Object(
                o.iter()
                    .filter(|(k, _)| !Self::key_is_volatile(k))
                    .filter_map(|(k, v)| self.assertable(v).map(|v| (k.clone(), v)))
                    .collect(),
            )),
            // Arrays are matched whole: one volatile element drops the lot.
            Value::Array(a) => a
                .iter()
                .all(|e| self.assertable(e).as_ref() == Some(e))
                .then(|| v.clone()),
            _ => Some(v.clone()),
        }
    }
}

/// `2026-01-31T12:00:00+01:00`, `2026-01-31T12:00:00.5Z`, `2026-01-31 12:00:00`: a date and a time.
fn looks_like_iso_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b' ')
        && digits(11..13)
        && b[13] == b':'
}

/// A name or namespace as one word of the language, or as a JSON string when
/// a bare word would read otherwise.
fn word(s: &str) -> String {
    let bare = !s.is_empty()
        && !s.starts_with(['{', '[', '"', '#', '\''])
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    if bare {
        s.to_string()
    } else {
        json(&Value::String(s.to_string()))
    }
}

fn json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

fn since(later: Timestamp, earlier: Option<Timestamp>) -> Duration {
    earlier.map_or(Duration::ZERO, |e| {
        Duration::from_micros(later.micros.saturating_sub(e.micros))
    })
}

/// Query parameters the engine adds itself.
const ENGINE_QUERY: [&str; 5] = ["EIO", "transport", "t", "sid", "j"];
/// Headers a client sends without being asked.
const ENGINE_HEADERS: [&str; 10] = [
    "host",
    "connection",
    "upgrade",
    "content-type",
    "content-length",
    "accept",
    "accept-encoding",
    "user-agent",
    "origin",
    "cookie",
];

impl ScriptWriter {
    pub fn new() -> ScriptWriter {
        ScriptWriter::default()
    }

    /// Reads one record.
    pub fn push(&mut self, record: &Record) {
        // `--record` appends: a record numbered 0 of the first connection again starts another run.
        match &self.first_seq {
            None => self.first_seq = Some((record.conn.clone(), record.seq)),
            Some((conn, _)) if record.seq == 0 && *conn == record.conn && self.records > 0 => {
                let (source, let_go, runs) = (self.source.take(), self.let_go, self.earlier_runs + 1);
                *self = ScriptWriter::default();
                self.source = source;
                self.let_go = let_go;
                self.earlier_runs = runs;
                self.first_seq = Some((record.conn.clone(), 0));
            }
            Some(_) => {}
        }
        self.records += 1;
        self.volatile.saw_time(record.time);
        let client = self.client_of(record.conn.as_deref());
        match &record.body {
            Body::Frame(frame) => self.frame(client, record.time, frame),
            Body::State(state) => self.state(client, record.time, state),
            Body::Http(http) => self.http(client, http),
        }
    }

    /// The index of the record's connection, opening it (a `client` line) when new.
    fn client_of(&mut self, key: Option<&str>) -> usize {
        if let Some(i) = self.conns.iter().position(|c| c.key.as_deref() == key) {
            return i;
        }
        let index = self.conns.len();
        let name = match key {
            _ if index == 0 => MAIN.to_string(),
            Some(k) if k != MAIN && check_client_name(k).is_ok() => k.to_string(),
            _ => format!("c{index}"),
        };
        self.conns.push(Conn {
            key: key.map(str::to_string),
            name,
            ..Conn::default()
        });
        if index > 0 {
            self.act(Item::Client { client: index });
        }
        index
    }

    /// Adds an act: first the expects for what answered the acts before it.
    fn act(&mut self, item: Item) {
        self.flush_answers();
        self.add(item);
    }

    fn add(&mut self, item: Item) {
        if self.items.len() >= MAX_LINES {
            self.cut += 1;
            return;
        }
        self.items.push(item);
    }

    /// `use NS` when the client's current namespace is another.
    fn use_nsp(&mut self, client: usize, nsp: &str) {
        let conn = &mut self.conns[client];
        let current = conn.nsp.clone().unwrap_or_else(|| "/".into());
        conn.nsp = Some(nsp.to_string());
        if current != nsp {
            self.add(Item::Plain {
                client,
                text: format!("use {}", word(nsp)),
                act: false,
            });
        }
    }

    fn flush_answers(&mut self) {
        let answers = std::mem::take(&mut self.answers);
        let mut written: Vec<((usize, &str, &str), usize)> = Vec::new();
        for a in &answers {
            let key = (a.client, a.nsp.as_str(), a.event.as_str());
            let count = match written.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => n,
                None => {
                    written.push((key, 0));
                    &mut written.last_mut().expect("just pushed").1
                }
            };
            *count += 1;
            if *count > MAX_EXPECTS_PER_NAME {
                continue;
            }
            self.use_nsp(a.client, &a.nsp);
            self.add(Item::Expect {
                client: a.client,
                event: a.event.clone(),
                first: a.first.clone(),
                delay: a.delay,
            });
        }
        for ((client, nsp, event), n) in written {
            if n > MAX_EXPECTS_PER_NAME {
                let who = &self.conns[client].name;
                self.add(Item::Comment(format!(
                    "and {} more {} on {nsp} for {who}, not expected one by one",
                    n - MAX_EXPECTS_PER_NAME,
                    json(&Value::String(event.to_string()))
                )));
            }
        }
    }

    fn http(&mut self, client: usize, http: &HttpRecord) {
        let conn = &mut self.conns[client];
        if conn.seen_http {
            return;
        }
        conn.seen_http = true;
        let Ok(url) = url::Url::parse(&http.url) else { return };
        conn.query = url
            .query_pairs()
            .filter(|(k, _)| !ENGINE_QUERY.contains(&k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        conn.headers = http
            .request_headers
            .iter()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !ENGINE_HEADERS.contains(&k.as_str()) && !k.starts_with("sec-websocket-")
            })
            .cloned()
            .collect();
        conn.engine_path = Some(url.path().to_string());
        conn.url.get_or_insert_with(|| base_url(&http.url));
    }

    fn state(&mut self, client: usize, time: Timestamp, state: &StateRecord) {
        let detail = state.detail.as_deref().unwrap_or("");
        match state.state.as_str() {
            "connecting" => {
                let conn = &mut self.conns[client];
                if conn.transport.is_none() {
                    conn.transport = state.data.get("transport").and_then(Value::as_str).map(str::to_string);
                }
                if conn.url.is_none() && !detail.is_empty() {
                    conn.url = Some(base_url(detail));
                }
            }
            "open" => self.opened(client),
            "namespace connected" => {
                if let Some(nsp) = state.data.get("nsp").and_then(Value::as_str) {
                    self.joined(client, time, nsp);
                }
                for key in ["sid", "pid"] {
                    if let Some(id) = state.data.get(key).and_then(Value::as_str) {
                        self.volatile.saw_id(id);
                    }
                }
            }
            "namespace failed" => {
                if let Some(nsp) = state.data.get("nsp").and_then(Value::as_str) {
                    self.refused(client, nsp, detail);
                }
            }
            "namespace left" => {
                if let Some(nsp) = state.data.get("nsp").and_then(Value::as_str) {
                    self.left(client, nsp);
                }
            }
            "disconnected" if detail == "reconnect requested" => self.act(Item::Plain {
                client,
                text: "reconnect".into(),
                act: true,
            }),
            "disconnected" => {
                let who = self.conns[client].name.clone();
                self.add(Item::Comment(format!(
                    "{who}'s connection was lost here ({detail}) and sio reconnected: the lines below may need a `reconnect`"
                )));
            }
            // The engine's own round trip, from the emit asked for to its ack.
            "ack" => {
                let (nsp, id) = (
                    state.data.get("nsp").and_then(Value::as_str),
                    state.data.get("id").and_then(Value::as_u64),
                );
                let rtt = state.data.get("rtt_ms").and_then(Value::as_f64);
                if let (Some(nsp), Some(id), Some(rtt)) = (nsp, id, rtt) {
                    self.ack_rtt(client, nsp, id, Duration::from_secs_f64(rtt.max(0.0) / 1000.0));
                }
            }
            "closed" if detail == "io client disconnect" => {
                self.flush_answers();
                self.add(Item::Tentative {
                    client,
                    text: "disconnect".into(),
                });
            }
            _ => {}
        }
        self.reference_at(time, state);
    }

    /// Acts that end with a state record (an ack, a join) are done then.
    fn reference_at(&mut self, time: Timestamp, state: &StateRecord) {
        if matches!(state.state.as_str(), "namespace connected" | "namespace left") {
            self.reference = Some(time);
        }
    }

    fn opened(&mut self, client: usize) {
        self.conns[client].after_open = true;
    }

    fn joined(&mut self, client: usize, time: Timestamp, nsp: &str) {
        self.settle_join(client, nsp, JoinState::Joined);
        self.reference = Some(time);
    }

    fn refused(&mut self, client: usize, nsp: &str, why: &str) {
        if !self.settle_join(client, nsp, JoinState::Refused(why.to_string())) {
            let who = self.conns[client].name.clone();
            self.add(Item::Comment(format!("{who}: {nsp} was refused: {why}")));
        }
    }

    /// The server answered a namespace's CONNECT: the `join` waiting for it (if
    /// any; false otherwise) is settled.
    fn settle_join(&mut self, client: usize, nsp: &str, answer: JoinState) -> bool {
        self.conns[client].waiting.retain(|n| n != nsp);
        for item in self.items.iter_mut().rev() {
            if let Item::Join {
                client: c,
                nsp: n,
                state: state @ JoinState::Waiting,
                ..
            } = item
                && *c == client
                && n == nsp
            {
                *state = answer;
                return true;
            }
        }
        false
    }

    fn left(&mut self, client: usize, nsp: &str) {
        self.act(Item::Plain {
            client,
            text: format!("leave {}", word(nsp)),
            act: true,
        });
    }

    fn frame(&mut self, client: usize, time: Timestamp, frame: &FrameRecord) {
        let Some(eio) = &frame.decoded.eio else {
            if frame.dir == Some(Direction::Out) {
                self.send_raw(client, &frame.raw);
            }
            return;
        };
        if eio.kind == EioType::Open {
            if let Some(h) = &eio.handshake {
                self.volatile.saw_id(&h.sid);
            }
            if frame.dir == Some(Direction::In) {
                self.opened(client);
            }
            return;
        }
        if frame.decoded.error.is_some() {
            if frame.dir == Some(Direction::Out) {
                self.send_raw(client, &frame.raw);
            }
            return;
        }
        let Some(sio) = &frame.decoded.sio else { return };
        if !sio.complete {
            return;
        }
        let dir = frame.dir.unwrap_or(Direction::In);
        let data = sio.data.as_ref().map(|d| d.value());
        let attachments: Vec<&[u8]> = sio.attachments.iter().map(|b| b.0.as_slice()).collect();
        let conn = &mut self.conns[client];
        match (dir, sio.kind) {
            (Direction::Out, PacketType::Connect) if conn.after_open => {
                // The engine's own CONNECT after the handshake: the namespaces it joins by itself.
                if !conn.opened {
                    if conn.initial.is_empty() {
                        conn.initial_auth = data.clone();
                        conn.nsp.get_or_insert_with(|| sio.nsp.clone());
                    }
                    conn.initial.push(sio.nsp.clone());
                    conn.waiting.push(sio.nsp.clone());
                }
            }
            (Direction::Out, PacketType::Connect) => {
                conn.opened = true;
                self.act(Item::Join {
                    client,
                    nsp: sio.nsp.clone(),
                    auth: data,
                    state: JoinState::Waiting,
                });
            }
            (Direction::In, PacketType::Connect) => {
                self.end_of_open(client);
                if let Some(id) = data.as_ref().and_then(|d| d.get("sid")).and_then(Value::as_str) {
                    self.volatile.saw_id(id);
                }
                // A tap has no state records: the frame says the namespace is joined.
                self.joined(client, time, &sio.nsp);
            }
            (Direction::In, PacketType::ConnectError) => {
                self.end_of_open(client);
                let why = data.map(|d| match d {
                    Value::String(s) => s,
                    Value::Object(o) => o.get("message").and_then(Value::as_str).unwrap_or_default().to_string(),
                    other => json(&other),
                });
                self.refused(client, &sio.nsp, &why.unwrap_or_default());
            }
            (Direction::Out, PacketType::Disconnect) => {
                self.end_of_open(client);
            }
            (Direction::Out, kind) if kind.is_event() => {
                self.end_of_open(client);
                let args = match &data {
                    Some(Value::Array(a)) => &a[1.min(a.len())..],
                    _ => &[][..],
                };
                let event = sio.event.clone().unwrap_or_default();
                let ack = match sio.id {
                    Some(id) => AckState::Waiting {
                        nsp: sio.nsp.clone(),
                        id,
                        sent: time,
                    },
                    None => AckState::NotAsked,
                };
                match written_args(args, &attachments) {
                    Some(args) => {
                        self.flush_answers();
                        self.use_nsp(client, &sio.nsp);
                        self.act(Item::Emit {
                            client,
                            text: format!("emit {}{args}", word(&event)),
                            ack,
                            ack_key: sio.id.map(|id| (sio.nsp.clone(), id)),
                        });
                    }
                    None => self.act(Item::Comment(format!(
                        "{} emitted {} with binary inside an argument: not written as a line",
                        self.conns[client].name,
                        word(&event)
                    ))),
                }
                self.reference = Some(time);
            }
            (Direction::Out, kind) if kind.is_ack() => {
                self.end_of_open(client);
                let args = match &data {
                    Some(Value::Array(a)) => &a[..],
                    _ => &[][..],
                };
                let id = sio.id.unwrap_or_default();
                // The id differs from run to run: the line names the event that asked.
                let asked = self
                    .asked
                    .iter()
                    .rposition(|(c, n, i, _)| *c == client && *n == sio.nsp && *i == id)
                    .and_then(|at| self.asked.remove(at))
                    .map(|(_, _, _, event)| event)
                    .filter(|event| event.parse::<u64>().is_err());
                let target = asked.map_or_else(|| id.to_string(), |e| word(&e));
                match written_args(args, &attachments) {
                    Some(args) => {
                        self.flush_answers();
                        self.use_nsp(client, &sio.nsp);
                        self.act(Item::Plain {
                            client,
                            text: format!("ack {target}{args}"),
                            act: true,
                        });
                    }
                    None => self.act(Item::Comment(format!(
                        "{} answered ack {id} with binary inside an argument: not written as a line",
                        self.conns[client].name
                    ))),
                }
                self.reference = Some(time);
            }
            (Direction::In, kind) if kind.is_event() => {
                self.end_of_open(client);
                if let Some(id) = sio.id {
                    if self.asked.len() >= MAX_ASKED {
                        self.asked.pop_front();
                    }
                    self.asked
                        .push_back((client, sio.nsp.clone(), id, sio.event.clone().unwrap_or_default()));
                }
                let first = match &data {
                    Some(Value::Array(a)) => match a.get(1) {
                        None => FirstArg::None,
                        Some(v) if json(v).len() > MAX_ASSERTED_JSON => FirstArg::TooBig,
                        Some(v) => FirstArg::Value(v.clone()),
                    },
                    _ => FirstArg::None,
                };
                if self.answers.len() < MAX_LINES {
                    self.answers.push(Answer {
                        client,
                        nsp: sio.nsp.clone(),
                        event: sio.event.clone().unwrap_or_default(),
                        first,
                        delay: since(time, self.reference),
                    });
                } else {
                    self.cut += 1;
                }
            }
            (Direction::In, kind) if kind.is_ack() => {
                self.end_of_open(client);
                self.acked(client, &sio.nsp, sio.id, time);
            }
            _ => self.end_of_open(client),
        }
    }

    /// Other traffic after the handshake: CONNECTs from now on are the user's.
    fn end_of_open(&mut self, client: usize) {
        let conn = &mut self.conns[client];
        if conn.after_open {
            conn.after_open = false;
            conn.opened = true;
        }
    }

    fn acked(&mut self, client: usize, nsp: &str, id: Option<u64>, time: Timestamp) {
        let Some(id) = id else { return };
        for item in self.items.iter_mut().rev() {
            if let Item::Emit { client: c, ack, .. } = item
                && *c == client
                && let AckState::Waiting { nsp: n, id: i, sent } = ack
                && n == nsp
                && *i == id
            {
                let rtt = since(time, Some(*sent));
                *ack = AckState::Answered(rtt);
                // The `emit --ack` line ends when the ack comes: later events count from here.
                if self.reference.is_some_and(|r| r <= time) {
                    self.reference = Some(time);
                }
                return;
            }
        }
    }

    /// The round trip the engine measured for an answered ack, which includes a
    /// wait before the emit could go out (during the upgrade, say).
    fn ack_rtt(&mut self, client: usize, nsp: &str, id: u64, rtt: Duration) {
        for item in self.items.iter_mut().rev() {
            if let Item::Emit {
                client: c,
                ack: AckState::Answered(seen),
                ack_key: Some((n, i)),
                ..
            } = item
                && *c == client
                && n == nsp
                && *i == id
            {
                *seen = (*seen).max(rtt);
                return;
            }
        }
    }

    fn send_raw(&mut self, client: usize, raw: &Raw) {
        self.end_of_open(client);
        let item = match raw {
            Raw::Text { text } if !text.contains(['\n', '\r']) && !text.trim().is_empty() && text.trim() == text => {
                Item::Plain {
                    client,
                    text: format!("send {text}"),
                    act: true,
                }
            }
            Raw::Text { text } => Item::Comment(format!(
                "{} sent a frame a line cannot hold ({} bytes)",
                self.conns[client].name,
                text.len()
            )),
            Raw::Binary(b) => Item::Plain {
                client,
                text: format!("send --hex {}", hex(&b.0)),
                act: true,
            },
        };
        self.act(item);
    }

    /// The script.
    pub fn finish(mut self) -> String {
        self.flush_answers();
        let mut out = String::new();
        self.header(&mut out);
        // The last act of each client: a `leave`/`disconnect` after it is the session's end.
        let mut last_act = vec![None; self.conns.len()];
        for (i, item) in self.items.iter().enumerate() {
            if let Some(c) = item.act_of() {
                last_act[c] = Some(i);
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            let prefix = |client: usize| match client {
                0 => String::new(),
                c => format!("{}: ", self.conns[c].name),
            };
            match item {
                Item::Comment(text) => {
                    let _ = writeln!(out, "# {}", text.replace(['\n', '\r'], " "));
                }
                Item::Plain { client, text, .. } => {
                    let _ = writeln!(out, "{}{text}", prefix(*client));
                }
                Item::Emit { client, text, ack, .. } => match ack {
                    AckState::NotAsked => {
                        let _ = writeln!(out, "{}{text}", prefix(*client));
                    }
                    AckState::Answered(rtt) => {
                        let _ = writeln!(out, "{}{text} --ack {}", prefix(*client), millis(margin(*rtt)));
                    }
                    AckState::Waiting { id, .. } => {
                        let _ = writeln!(
                            out,
                            "# the server never answered this emit's ack (id {id}): written without --ack"
                        );
                        let _ = writeln!(out, "{}{text}", prefix(*client));
                    }
                },
                Item::Expect {
                    client,
                    event,
                    first,
                    delay,
                } => {
                    let asserted = match first {
                        FirstArg::Value(v) => self.volatile.assertable(v).map(|v| format!(" {}", json(&v))),
                        FirstArg::None | FirstArg::TooBig => None,
                    };
                    let _ = writeln!(
                        out,
                        "{}expect {}{} --within {}",
                        prefix(*client),
                        word(event),
                        asserted.unwrap_or_default(),
                        millis(margin(*delay))
                    );
                }
                Item::Join {
                    client,
                    nsp,
                    auth,
                    state,
                } => {
                    let auth_text = auth.as_ref().map(|a| format!(" {}", json(a))).unwrap_or_default();
                    let line = format!("{}join {}{auth_text}", prefix(*client), word(nsp));
                    if auth.as_ref().is_some_and(masked) {
                        let _ = writeln!(
                            out,
                            "# the auth was masked in the recording (record with --record-secrets to keep it): fill it in"
                        );
                    }
                    match state {
                        JoinState::Refused(why) => {
                            let _ = writeln!(out, "# refused ({}): {line}", why.replace(['\n', '\r'], " "));
                        }
                        JoinState::Waiting => {
                            let _ = writeln!(out, "# never answered: {line}");
                        }
                        JoinState::Joined => {
                            let _ = writeln!(out, "{line}");
                        }
                    }
                }
                Item::Tentative { client, text } => {
                    if last_act[*client].is_some_and(|last| last > i) {
                        let _ = writeln!(out, "{}{text}", prefix(*client));
                    }
                }
                Item::Client { client } => {
                    let _ = writeln!(out, "{}", self.client_line(*client));
                }
            }
        }
        if self.cut > 0 {
            let _ = writeln!(
                out,
                "# the script stops at {MAX_LINES} lines: {} more were left out",
                self.cut
            );
        }
        out
    }

    fn header(&self, out: &mut String) {
        let from = self.source.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "# sio script of the session in{from}, made by sio {}",
            env!("CARGO_PKG_VERSION")
        );
        let main = self.conns.first();
        let url = main.and_then(|m| m.url.clone()).unwrap_or_else(|| "URL".into());
        let mut command = format!("sio run {}", shell_word(&url));
        if let Some(m) = main {
            if let Some(path) = m.engine_path.as_deref().filter(|p| *p != "/socket.io/") {
                let _ = write!(command, " --path {}", shell_word(path));
            }
            if m.initial.len() > 1 || m.initial.first().is_some_and(|n| n != "/") {
                for n in &m.initial {
                    let _ = write!(command, " -n {}", shell_word(n));
                }
            }
            if let Some(auth) = &m.initial_auth {
                let _ = write!(command, " --auth {}", shell_word(&json(auth)));
            }
            for (k, v) in &m.query {
                let _ = write!(command, " -q {}", shell_word(&format!("{k}={v}")));
            }
            for (k, v) in &m.headers {
                let _ = write!(command, " -H {}", shell_word(&format!("{k}: {v}")));
            }
            if let Some(t) = m.transport.as_deref().filter(|t| *t != "auto") {
                let _ = write!(command, " --transport {t}");
            }
        }
        let _ = writeln!(out, "# run it: {command} FILE.sio");
        let _ = writeln!(
            out,
            "# each expect waits max(3 × the delay seen, the delay + 500 ms); ids, sids and times are not asserted"
        );
        if main.and_then(|m| m.initial_auth.as_ref()).is_some_and(masked) {
            let _ = writeln!(
                out,
                "# main's auth was masked in the recording (--record-secrets keeps it)"
            );
        }
        if self.earlier_runs > 0 {
            let _ = writeln!(
                out,
                "# the recording holds {} runs: this is the last one",
                self.earlier_runs + 1
            );
        }
        if self.let_go > 0 {
            let _ = writeln!(
                out,
                "# {} older records were let go before these (--scrollback): the session's start is missing",
                self.let_go
            );
        }
    }

    /// `client NAME` with what differs from main's connection.
    fn client_line(&self, client: usize) -> String {
        let conn = &self.conns[client];
        let main = &self.conns[0];
        let mut line = format!("client {}", conn.name);
        if !conn.initial.is_empty() && conn.initial != main.initial {
            for n in &conn.initial {
                let _ = write!(line, " -n {}", word(n));
            }
        }
        if let Some(auth) = &conn.initial_auth
            && Some(auth) != main.initial_auth.as_ref()
        {
            let _ = write!(line, " --auth {}", json(auth));
        }
        for (k, v) in conn.query.iter().filter(|p| !main.query.contains(p)) {
            let _ = write!(line, " -q {}", quoted(&format!("{k}={v}")));
        }
        for (k, v) in conn.headers.iter().filter(|p| !main.headers.contains(p)) {
            let _ = write!(line, " -H {}", quoted(&format!("{k}: {v}")));
        }
        if let Some(t) = &conn.transport
            && conn.transport != main.transport
        {
            let _ = write!(line, " --transport {t}");
        }
        line
    }
}

/// A `client` option value: bare, or as a JSON string when it has spaces or quotes.
fn quoted(s: &str) -> String {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '\'' || c == '"') || s.starts_with(['{', '[', '#']) {
        json(&Value::String(s.to_string()))
    } else {
        s.to_string()
    }
}

/// A word for the shell, in single quotes when needed.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `http://h:3000/socket.io/?EIO=4` → `http://h:3000`: the scheme, host and port
/// (the namespaces and the path are options of their own).
fn base_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.has_host() => {
            let mut base = format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default());
            if let Some(port) = u.port() {
                let _ = write!(base, ":{port}");
            }
            base
        }
        _ => url.to_string(),
    }
}

/// Whether a payload holds `***`, the recorder's mask.
fn masked(v: &Value) -> bool {
    match v {
        Value::String(s) => s == "***",
        Value::Object(o) => o.values().any(masked),
        Value::Array(a) => a.iter().any(masked),
        _ => false,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The arguments as words of the language (` a b c`, JSON each, binary as
/// `hex:`); `None` when binary sits inside an argument, which no line can say.
fn written_args(args: &[Value], attachments: &[&[u8]]) -> Option<String> {
    let mut out = String::new();
    for arg in args {
        match placeholder_num(arg) {
            Some(n) => {
                let bytes = attachments.get(n)?;
                if bytes.len() <= 64 {
                    let _ = write!(out, " hex:{}", hex(bytes));
                } else {
                    let _ = write!(
                        out,
                        " base64:{}",
                        base64::engine::general_purpose::STANDARD.encode(bytes)
                    );
                }
            }
            None if has_placeholder(arg) => return None,
            None => {
                let _ = write!(out, " {}", json(arg));
            }
        }
    }
    Some(out)
}

fn placeholder_num(v: &Value) -> Option<usize> {
    let o = v.as_object()?;
    (o.get("_placeholder") == Some(&Value::Bool(true)))
        .then(|| o.get("num").and_then(Value::as_u64))
        .flatten()
        .map(|n| n as usize)
}

fn has_placeholder(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.get("_placeholder") == Some(&Value::Bool(true)) || o.values().any(has_placeholder),
        Value::Array(a) => a.iter().any(has_placeholder),
        _ => false,
    }
}

/// The script of a whole recording.
pub fn script_of<'a>(records: impl IntoIterator<Item = &'a Record>, source: Option<&str>) -> String {
    let mut writer = ScriptWriter::new();
    writer.source = source.map(str::to_string);
    for record in records {
        writer.push(record);
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::proto::eio::{EioVersion, Frame};
    use crate::proto::frame::{FrameDecoder, Parser};
    use crate::script::parse::parse_script;

    const T0: u64 = 1_795_619_540_000_000;

    /// Builds records as the engine writes them, frames decoded by the real decoder.
    #[derive(Default)]
    struct Session {
        records: Vec<Record>,
        decoders: Vec<(Option<String>, FrameDecoder)>,
    }

    impl Session {
        fn push(&mut self, conn: Option<&str>, ms: u64, body: Body) {
            let seq = self.records.iter().filter(|r| r.conn.as_deref() == conn).count() as u64;
            self.records.push(Record {
                seq,
                time: Timestamp { micros: T0 + ms * 1000 },
                conn: conn.map(str::to_string),
                body,
            });
        }

        fn frame(&mut self, conn: Option<&str>, ms: u64, dir: Direction, text: &str) -> &mut Self {
            let at = match self.decoders.iter().position(|(c, _)| c.as_deref() == conn) {
                Some(i) => i,
                None => {
                    let decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
                    self.decoders.push((conn.map(str::to_string), decoder));
                    self.decoders.len() - 1
                }
            };
            let decoded = self.decoders[at].1.decode(Frame::Text(text));
            let body = Body::Frame(FrameRecord {
                dir: Some(dir),
                transport: Some(crate::record::Transport::Websocket),
                raw: Raw::Text { text: text.into() },
                decoded,
            });
            self.push(conn, ms, body);
            self
        }

        fn state(&mut self, conn: Option<&str>, ms: u64, state: &str, detail: &str, data: Value) -> &mut Self {
            let body = Body::State(StateRecord {
                state: state.into(),
                detail: Some(detail.into()),
                data: data.as_object().cloned().unwrap_or_default(),
            });
            self.push(conn, ms, body);
            self
        }

        /// `connecting`, the open packet, the engine's CONNECT and its answer.
        fn connect(&mut self, conn: Option<&str>, ms: u64, sid: &str, nsp_connect: &str) -> &mut Self {
            let open = format!(r#"0{{"sid":"{sid}","upgrades":[],"pingInterval":25000,"pingTimeout":20000}}"#);
            self.state(
                conn,
                ms,
                "connecting",
                "http://127.0.0.1:3000",
                json!({"attempt": 0, "transport": "auto"}),
            )
            .frame(conn, ms + 1, Direction::In, &open)
            .state(conn, ms + 1, "open", "Engine.IO 4", json!({"sid": sid}))
            .frame(conn, ms + 1, Direction::Out, nsp_connect)
        }

        fn script(&self) -> String {
            script_of(&self.records, Some("test.ndjson"))
        }
    }

    /// The script's lines without the header's comments.
    fn body(script: &str) -> Vec<String> {
        let parsed = parse_script(script);
        assert!(parsed.is_ok(), "{script}\n{parsed:?}");
        script
            .lines()
            .skip_while(|l| l.starts_with("# "))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn margins_are_three_times_or_half_a_second_more() {
        assert_eq!(margin(Duration::ZERO), Duration::from_millis(500));
        assert_eq!(margin(Duration::from_millis(100)), Duration::from_millis(600));
        assert_eq!(margin(Duration::from_millis(250)), Duration::from_millis(750));
        assert_eq!(margin(Duration::from_millis(400)), Duration::from_millis(1200));
        assert_eq!(margin(Duration::from_micros(100_400)), Duration::from_millis(601));
    }

    #[test]
    fn emits_acks_joins_and_the_events_that_answered_them() {
        let mut s = Session::default();
        s.connect(None, 0, "EIOSID0000000000AAAA", "40")
            .frame(None, 5, Direction::In, r#"40{"sid":"NSPSID0000000000AAAA"}"#)
            .state(
                None,
                5,
                "namespace connected",
                "/",
                json!({"nsp": "/", "sid": "NSPSID0000000000AAAA"}),
            )
            .frame(None, 6, Direction::In, r#"42["welcome","hi"]"#)
            .frame(None, 1000, Direction::Out, r#"42["echo","hello",{"a":1}]"#)
            .frame(None, 1200, Direction::In, r#"42["echo","hello",{"a":1}]"#)
            .frame(None, 2000, Direction::Out, r#"421["ping",1]"#)
            .frame(None, 2040, Direction::In, "431[1]")
            .state(
                None,
                2040,
                "ack",
                "",
                json!({"nsp": "/", "id": 1, "event": "ping", "rtt_ms": 40.0}),
            )
            .frame(None, 3000, Direction::Out, r#"40/admin,{"token":"secret"}"#)
            .frame(None, 3010, Direction::In, r#"40/admin,{"sid":"ADMSID0000000000AAAB"}"#)
            .state(None, 3010, "namespace connected", "/admin", json!({"nsp": "/admin"}))
            .frame(None, 3011, Direction::In, r#"42/admin,["welcome","admin"]"#)
            .frame(None, 4000, Direction::Out, r#"42/admin,["ask"]"#)
            .frame(None, 4100, Direction::In, r#"42/admin,7["question","q?"]"#)
            .frame(None, 5000, Direction::Out, r#"43/admin,7["yes"]"#)
            .frame(None, 5300, Direction::In, r#"42/admin,["answered","yes"]"#)
            .frame(None, 6000, Direction::Out, "41/admin,")
            .state(None, 6000, "namespace left", "/admin left", json!({"nsp": "/admin"}))
            .frame(None, 7000, Direction::Out, r#"42["bye"]"#)
            .frame(None, 7001, Direction::Out, "41")
            .state(None, 7001, "closed", "io client disconnect", json!({}));
        let script = s.script();
        assert_eq!(
            body(&script),
            [
                r#"expect welcome "hi" --within 501ms"#,
                r#"emit echo "hello" {"a":1}"#,
                r#"expect echo "hello" --within 700ms"#,
                "emit ping 1 --ack 540ms",
                r#"join /admin {"token":"secret"}"#,
                "use /admin",
                r#"expect welcome "admin" --within 501ms"#,
                "emit ask",
                r#"expect question "q?" --within 600ms"#,
                r#"ack question "yes""#,
                r#"expect answered "yes" --within 900ms"#,
                "leave /admin",
                "use /",
                r#"emit bye"#,
            ],
            "{script}"
        );
        assert!(
            script.starts_with("# sio script of the session in test.ndjson"),
            "{script}"
        );
        assert!(
            script.contains("# run it: sio run http://127.0.0.1:3000 FILE.sio"),
            "{script}"
        );
    }

    #[test]
    fn what_differs_by_nature_is_not_asserted() {
        let mut s = Session::default();
        let event = format!(
            r#"42["hello",{{"user":"ann","sid":"x","socketId":"y","from":"NSPSID0000000000AAAA","at":"2026-11-25T15:12:21.5Z","n":1,"seen":{},"req":"123e4567-e89b-12d3-a456-426614174000","list":[1,2],"ids":["NSPSID0000000000AAAA"]}}]"#,
            T0 / 1000 + 900
        );
        s.connect(None, 0, "EIOSID0000000000AAAA", "40")
            .state(
                None,
                5,
                "namespace connected",
                "/",
                json!({"nsp": "/", "sid": "NSPSID0000000000AAAA"}),
            )
            .frame(None, 6, Direction::In, &event)
            .frame(None, 7, Direction::In, r#"42["whoami","NSPSID0000000000AAAA"]"#)
            .frame(None, 8, Direction::In, r#"42["clock",1795619540]"#)
            .frame(None, 9, Direction::In, r#"451-["blob",{"_placeholder":true,"num":0}]"#);
        let script = s.script();
        assert_eq!(
            body(&script),
            [
                r#"expect hello {"user":"ann","n":1,"list":[1,2]} --within 501ms"#,
                "expect whoami --within 502ms",
                "expect clock --within 503ms",
            ],
            "{script}"
        );
    }

    #[test]
    fn other_connections_become_clients_and_the_end_is_no_disconnect() {
        let mut s = Session::default();
        s.connect(Some("main"), 0, "EIOSID0000000000AAAA", "40")
            .state(Some("main"), 5, "namespace connected", "/", json!({"nsp": "/"}))
            .state(
                Some("bob"),
                10,
                "connecting",
                "http://127.0.0.1:3000",
                json!({"transport": "websocket"}),
            );
        s.push(
            Some("bob"),
            11,
            Body::Http(HttpRecord {
                method: "GET".into(),
                url: "ws://127.0.0.1:3000/socket.io/?who=bob&EIO=4&transport=websocket".into(),
                status: Some(101),
                request_headers: vec![("host".into(), "x".into()), ("X-Team".into(), "blue sky".into())],
                response_headers: vec![],
                body_length: None,
                millis: None,
                error: None,
            }),
        );
        s.frame(
            Some("bob"),
            12,
            Direction::In,
            r#"0{"sid":"EIOSID0000000000BBBB","upgrades":[],"pingInterval":1,"pingTimeout":1}"#,
        )
        .state(Some("bob"), 12, "open", "", json!({}))
        .frame(Some("bob"), 12, Direction::Out, r#"40/admin,{"token":"secret"}"#)
        .state(
            Some("bob"),
            20,
            "namespace connected",
            "/admin",
            json!({"nsp": "/admin"}),
        )
        .frame(Some("bob"), 100, Direction::Out, r#"42/admin,["to",{"room":"r"}]"#)
        .frame(Some("main"), 150, Direction::In, r#"42["news",1]"#)
        .frame(Some("main"), 200, Direction::Out, r#"423["slow"]"#)
        .frame(Some("main"), 300, Direction::Out, "41")
        .state(Some("main"), 300, "closed", "io client disconnect", json!({}))
        .frame(Some("bob"), 301, Direction::Out, "41/admin,")
        .state(Some("bob"), 301, "closed", "io client disconnect", json!({}));
        let script = s.script();
        assert_eq!(
            body(&script),
            [
                r#"client bob -n /admin --auth {"token":"secret"} -q who=bob -H "X-Team: blue sky" --transport websocket"#,
                r#"bob: emit to {"room":"r"}"#,
                "expect news 1 --within 550ms",
                "# the server never answered this emit's ack (id 3): written without --ack",
                "emit slow",
            ],
            "{script}"
        );
    }

    #[test]
    fn floods_are_folded_and_runs_split() {
        let mut s = Session::default();
        s.connect(None, 0, "EIOSID0000000000AAAA", "40")
            .state(None, 1, "namespace connected", "/", json!({"nsp": "/"}))
            .frame(None, 2, Direction::Out, r#"42["flood",{"n":15}]"#);
        for i in 0..15 {
            s.frame(None, 10 + i, Direction::In, r#"42["flood","xx"]"#);
        }
        s.frame(None, 30, Direction::In, r#"42["flood-done",{"n":15}]"#);
        let script = s.script();
        let lines = body(&script);
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("expect flood \"xx\"")).count(),
            10,
            "{script}"
        );
        assert_eq!(
            lines[lines.len() - 2..],
            [
                r#"expect flood-done {"n":15} --within 528ms"#,
                r#"# and 5 more "flood" on / for main, not expected one by one"#
            ],
            "{script}"
        );

        // A second run appended to the same file: the script is of the last one.
        let mut again = Session::default();
        again
            .connect(None, 0, "EIOSID0000000000CCCC", "40")
            .state(None, 1, "namespace connected", "/", json!({"nsp": "/"}))
            .frame(None, 2, Direction::Out, r#"42["second"]"#);
        s.records.extend(again.records);
        let script = s.script();
        assert_eq!(body(&script), ["emit second"], "{script}");
        assert!(
            script.contains("# the recording holds 2 runs: this is the last one"),
            "{script}"
        );
    }

    #[test]
    fn names_that_are_not_words_are_json_strings() {
        assert_eq!(word("chat"), "chat");
        assert_eq!(word("a b"), r#""a b""#);
        assert_eq!(word("#tag"), r##""#tag""##);
        assert_eq!(word(""), r#""""#);
        assert_eq!(word("{x"), r#""{x""#);
        let mut s = Session::default();
        s.connect(None, 0, "EIOSID0000000000AAAA", "40")
            .state(None, 1, "namespace connected", "/", json!({"nsp": "/"}))
            .frame(None, 2, Direction::Out, r#"42["a b:c",{"x":"--ack"}]"#)
            .frame(None, 3, Direction::Out, "4bogus")
            .frame(None, 4, Direction::Out, r#"451-["up",{"_placeholder":true,"num":0}]"#);
        let decoded = s.decoders[0].1.decode(Frame::Binary(&[1, 2]));
        s.push(
            None,
            4,
            Body::Frame(FrameRecord {
                dir: Some(Direction::Out),
                transport: None,
                raw: Raw::Binary(crate::proto::frame::Bytes(vec![1, 2])),
                decoded,
            }),
        );
        let script = s.script();
        let lines = body(&script);
        assert_eq!(
            lines,
            [r#"emit "a b:c" {"x":"--ack"}"#, "send 4bogus", "emit up hex:0102"],
            "{script}"
        );
        let parsed = parse_script(&script).expect("parses");
        assert!(
            matches!(&parsed[0].step, crate::script::parse::Step::Emit { event, .. } if event == "a b:c"),
            "{parsed:?}"
        );
    }
}
