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

mod render;
mod volatile;

use std::fmt::Write as _;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use super::parse::{MAIN, check_client_name};
use crate::proto::eio::PacketType as EioType;
use crate::proto::sio::PacketType;
use crate::record::{Body, Direction, FrameRecord, HttpRecord, Raw, Record, StateRecord, Timestamp};
pub use volatile::Volatile;

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
    /// Another name of that connection: its records are the other's.
    alias: Option<usize>,
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
    /// The connection is `sio admin`'s (its records carry admin notes): an `admin` line,
    /// and its events become `expect-admin` facts about the clients' sockets.
    admin: bool,
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
    /// Each client's sockets, (namespace, socket id) → client, for admin facts.
    sockets: std::collections::HashMap<(String, String), usize>,
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
        if let Body::State(state) = &record.body {
            // `sio tap` names a connection `c<N>` until its sid is known: one client still.
            if state.state == "session"
                && let (Some(sid), Some(before)) = (&record.conn, state.data.get("before").and_then(Value::as_str))
            {
                self.rename(before, sid);
            }
            // A state of no connection seen yet (the tap's `listening`) opens none.
            let known = self.conns.iter().any(|c| c.key == record.conn);
            if !known && state.state != "connecting" {
                return;
            }
        }
        let client = self.client_of(record.conn.as_deref());
        match &record.body {
            Body::Frame(frame) => self.frame(client, record.time, frame),
            Body::State(state) => self.state(client, record.time, state),
            Body::Http(http) => self.http(client, http),
        }
    }

    /// The connection named `before` goes by `after` from now on (and in the script,
    /// when `after` can name a client and no other connection has it). Records of
    /// `after` that came first (the tap writes the open packet under the sid) are
    /// the same connection's.
    fn rename(&mut self, before: &str, after: &str) {
        let Some(b) = self.conns.iter().position(|c| c.key.as_deref() == Some(before)) else {
            return;
        };
        match self.conns.iter().position(|c| c.key.as_deref() == Some(after)) {
            Some(a) if self.conns[a].alias.is_none() && a != b => {
                let (after_open, opened) = (self.conns[a].after_open, self.conns[a].opened);
                self.conns[b].after_open |= after_open;
                self.conns[b].opened |= opened;
                self.conns[a].alias = Some(b);
                self.items
                    .retain(|i| !matches!(i, Item::Client { client } if *client == a));
            }
            Some(_) => return,
            None => self.conns[b].key = Some(after.to_string()),
        }
        let taken = self.conns.iter().any(|c| c.name == after && c.alias.is_none());
        if b > 0 && check_client_name(after).is_ok() && after != MAIN && !taken {
            self.conns[b].name = after.to_string();
        }
    }

    /// The index of the record's connection, opening it (a `client` line) when new.
    fn client_of(&mut self, key: Option<&str>) -> usize {
        if let Some(i) = self.conns.iter().position(|c| c.key.as_deref() == key) {
            return self.conns[i].alias.unwrap_or(i);
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
            // The tap's word for a connection: one that began on the WebSocket wanted only that.
            "session" => {
                let conn = &mut self.conns[client];
                if conn.transport.is_none() && state.data.get("transport").and_then(Value::as_str) == Some("websocket")
                {
                    conn.transport = Some("websocket".into());
                }
            }
            "namespace connected" => {
                if let Some(nsp) = state.data.get("nsp").and_then(Value::as_str) {
                    self.joined(client, time, nsp);
                }
                for key in ["sid", "pid"] {
                    if let Some(id) = state.data.get(key).and_then(Value::as_str) {
                        self.volatile.saw_id(id);
                    }
                }
                if let (Some(nsp), Some(sid)) = (
                    state.data.get("nsp").and_then(Value::as_str),
                    state.data.get("sid").and_then(Value::as_str),
                ) && self.sockets.len() < MAX_LINES
                {
                    self.sockets.insert((nsp.to_string(), sid.to_string()), client);
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
            crate::admin::ADMIN_STATE | crate::admin::OPERATION_STATE | crate::admin::MALFORMED_STATE => {
                self.admin_note(client, time, state);
                return;
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

    /// A note of the admin connection: it is one (its events are not expected as a
    /// client's), and a room change or disconnection of a client's socket is a fact.
    fn admin_note(&mut self, admin: usize, time: Timestamp, state: &StateRecord) {
        if !self.conns[admin].admin {
            self.conns[admin].admin = true;
            self.answers.retain(|a| a.client != admin);
        }
        let text = |key: &str| state.data.get(key).and_then(Value::as_str);
        let (Some(event), Some(nsp), Some(id)) = (text("event"), text("nsp"), text("id")) else {
            return;
        };
        let Some(&client) = self.sockets.get(&(nsp.to_string(), id.to_string())) else {
            return;
        };
        let fact = match (event, text("room")) {
            // A socket's own room, named by its id, comes with every connection.
            (_, Some(room)) if room == id => return,
            ("room_joined", Some(room)) => format!("in {}", word(room)),
            ("room_left", Some(room)) => format!("not in {}", word(room)),
            ("socket_disconnected", _) => "gone".to_string(),
            _ => return,
        };
        self.flush_answers();
        self.use_nsp(client, nsp);
        let within = margin(since(time, self.reference));
        self.add(Item::Plain {
            client,
            text: format!("expect-admin {fact} --within {}", millis(within)),
            act: false,
        });
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
                if self.conns[client].admin {
                    return;
                }
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
mod tests;
