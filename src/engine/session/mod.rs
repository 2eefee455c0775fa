//! The session state machine. One task owns all state and reads the WebSocket
//! itself; HTTP requests run in small tasks that only move bytes and report back
//! through one channel, so every record leaves in the order things happened.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::sleep_until;
use tokio_tungstenite::tungstenite::Message;

use super::backoff::Backoff;
use super::cookies::CookieJar;
use super::http::{HttpClient, RequestFailed, Response, describe_status, refuses_transport};
use super::target::Target;
use super::{AckReply, Command, EioChoice, HeartbeatMode, Options, Reply, TransportMode, ws};
use crate::proto::binary;
use crate::proto::eio::{self, BinaryForm, EioVersion, Handshake, OwnedFrame};
use crate::proto::frame::{Decoded, FrameDecoder, Parser};
use crate::proto::msgpack;
use crate::proto::payload;
use crate::proto::sio::{self, PacketType};
mod connected;

use crate::record::{Body, Direction, FrameRecord, HttpRecord, Raw, Record, StateRecord, Timestamp, Transport};

/// What the transport tasks report.
enum Inbound {
    Poll { generation: u64, result: HttpResult },
    Post { generation: u64, result: HttpResult },
    WsOpen { generation: u64, result: Box<WsResult> },
}

type HttpResult = Result<Response, RequestFailed>;
type WsResult = Result<(ws::Socket, HttpRecord), RequestFailed>;

/// Why opening a connection failed, and what may be done about it.
struct OpenFailed {
    message: String,
    kind: OpenFailure,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OpenFailure {
    /// Could go away by itself (refused, reset, 5xx, a timeout): try again.
    Transient,
    /// Will fail the same way next time (unknown host, TLS, 4xx, not Socket.IO).
    Permanent,
    /// The server does not offer long-polling (400 Transport unknown / Invalid transport).
    PollingRefused,
}

impl From<String> for OpenFailed {
    fn from(message: String) -> Self {
        OpenFailed {
            message,
            kind: OpenFailure::Transient,
        }
    }
}

impl From<&str> for OpenFailed {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

impl From<RequestFailed> for OpenFailed {
    fn from(f: RequestFailed) -> Self {
        OpenFailed {
            message: f.message,
            kind: if f.permanent {
                OpenFailure::Permanent
            } else {
                OpenFailure::Transient
            },
        }
    }
}

impl OpenFailed {
    fn permanent(message: String) -> Self {
        OpenFailed {
            message,
            kind: OpenFailure::Permanent,
        }
    }
}

/// How a connected phase ended.
enum End {
    /// By the user or a server decision that forbids reconnecting.
    Closed(String),
    /// The connection broke; reconnecting is allowed.
    Lost(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Upgrade {
    None,
    /// The WebSocket is being opened.
    Opening,
    /// `2probe` sent, waiting for `3probe`.
    Probing,
    /// Probe answered; waiting for the in-flight polls to end before sending `5`.
    Pausing,
    Done,
}

enum Outgoing {
    Packet(eio::Packet<'static>),
    RawBody(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum NsState {
    Joining,
    Connected,
    Failed(String),
    Left,
    Disconnected(String),
}

struct PendingAck {
    event: String,
    sent: Instant,
    reply: Option<Reply<Option<AckReply>>>,
}

/// An emit waiting for its namespace to connect. Its sender hears when it was
/// really sent (emits without an ack), or that it never will be.
struct Queued {
    packet: sio::Packet<'static>,
    attachments: Vec<Vec<u8>>,
    reply: Option<Reply<Option<AckReply>>>,
}

struct Namespace {
    name: String,
    state: NsState,
    auth: Option<Value>,
    sid: Option<String>,
    pid: Option<String>,
    offset: Option<String>,
    next_ack: u64,
    pending: HashMap<u64, PendingAck>,
    join_waiters: Vec<Reply<()>>,
    /// While joining: the server must answer the CONNECT before this.
    answer_by: Option<Instant>,
    /// Emits made while the namespace was still joining, sent once it is connected.
    outbox: VecDeque<Queued>,
    /// Re-joined after a reconnect.
    wanted: bool,
}

impl Namespace {
    fn new(name: String, auth: Option<Value>) -> Self {
        Namespace {
            name,
            state: NsState::Joining,
            auth,
            sid: None,
            pid: None,
            offset: None,
            next_ack: 0,
            pending: HashMap::new(),
            join_waiters: Vec::new(),
            answer_by: None,
            outbox: VecDeque::new(),
            wanted: true,
        }
    }

    fn active(&self) -> bool {
        matches!(self.state, NsState::Joining | NsState::Connected)
    }

    /// Gives up the emits still waiting for the namespace, telling their senders why.
    fn drop_outbox(&mut self, why: &str) {
        for queued in self.outbox.drain(..) {
            if let Some(reply) = queued.reply {
                let _ = reply.send(Err(format!("not emitted: {why}")));
            }
        }
    }
}

/// One Engine.IO connection.
struct Conn {
    eio: EioVersion,
    sid: Option<String>,
    ping_interval: Duration,
    ping_timeout: Duration,
    upgrades: Vec<String>,
    max_payload: Option<u64>,
    websocket: bool,
    /// The WebSocket (the transport, or the upgrade's probe), read by the session itself:
    /// a reader task and a channel cost a task switch per frame.
    ws: Option<ws::Socket>,
    upgrade: Upgrade,
    get_in_flight: bool,
    post_in_flight: bool,
    queue: VecDeque<Outgoing>,
    decoder_in: FrameDecoder,
    decoder_out: FrameDecoder,
    tasks: Vec<JoinHandle<()>>,
    /// Rev 4: the server must ping before this.
    ping_deadline: Option<Instant>,
    /// Rev 3: when the client pings next.
    next_ping: Option<Instant>,
    /// Rev 3: the pong must come before this.
    pong_deadline: Option<Instant>,
    ping_sent: Option<Instant>,
    /// Rev 4 pongs held back by a heartbeat delay.
    delayed_pongs: VecDeque<Instant>,
    /// An open-time frame to handle once the connection is set up (rev detection over WS).
    replay: Vec<OwnedFrame>,
    /// The server's first frame, to say what came instead of an open packet.
    first: Option<OwnedFrame>,
}

impl Conn {
    fn new(eio: EioVersion, parser: Parser, websocket: bool) -> Conn {
        Conn {
            eio,
            sid: None,
            ping_interval: Duration::from_secs(25),
            ping_timeout: Duration::from_secs(20),
            upgrades: Vec::new(),
            max_payload: None,
            websocket,
            ws: None,
            upgrade: Upgrade::None,
            get_in_flight: false,
            post_in_flight: false,
            queue: VecDeque::new(),
            decoder_in: FrameDecoder::new(eio, parser),
            decoder_out: FrameDecoder::new(eio, parser),
            tasks: Vec::new(),
            ping_deadline: None,
            next_ping: None,
            pong_deadline: None,
            ping_sent: None,
            delayed_pongs: VecDeque::new(),
            replay: Vec::new(),
            first: None,
        }
    }

    fn transport(&self) -> Transport {
        if self.websocket {
            Transport::Websocket
        } else {
            Transport::Polling
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        [
            self.ping_deadline,
            self.next_ping,
            self.pong_deadline,
            self.delayed_pongs.front().copied(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn set_version(&mut self, eio: EioVersion, parser: Parser) {
        self.eio = eio;
        self.decoder_in = FrameDecoder::new(eio, parser);
        self.decoder_out = FrameDecoder::new(eio, parser);
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// What an incoming frame asks of the session, read before the record is sent.
enum Act {
    Nothing,
    Open(Box<Handshake>),
    Ping(bool),
    Pong(bool),
    Close,
    Sio {
        kind: PacketType,
        nsp: String,
        id: Option<u64>,
        data: Option<Value>,
        attachments: Vec<Vec<u8>>,
    },
}

pub(super) struct Session {
    opts: Options,
    target: Target,
    tls: Arc<rustls::ClientConfig>,
    http: HttpClient,
    records: mpsc::Sender<Record>,
    commands: mpsc::Receiver<Command>,
    commands_open: bool,
    inbound_tx: mpsc::Sender<Inbound>,
    inbound_rx: mpsc::Receiver<Inbound>,
    seq: u64,
    generation: u64,
    conn: Option<Conn>,
    namespaces: Vec<Namespace>,
    heartbeat: HeartbeatMode,
    backoff: Backoff,
    /// Settled after the first successful open (auto detection).
    eio_known: Option<EioVersion>,
    /// A connection was open once: from then on every failure is retried as a reconnect.
    opened_once: bool,
    /// `--transport auto` found that the server refuses polling: open over WebSocket.
    polling_refused: bool,
}

impl Session {
    pub(super) fn new(
        opts: Options,
        commands: mpsc::Receiver<Command>,
        records: mpsc::Sender<Record>,
    ) -> Result<Session, String> {
        let target = Target::parse(&opts.url)?;
        let tls = super::tls::client_config(opts.ca_cert.as_deref(), opts.insecure)?;
        let jar = Arc::new(Mutex::new(CookieJar::from_user(&opts.cookies)?));
        let http = HttpClient::new(tls.clone(), opts.headers.clone(), jar, opts.timeout, opts.max_payload)?;
        let mut namespaces: Vec<Namespace> = Vec::new();
        let wanted = if opts.namespaces.is_empty() {
            vec![target.namespace.clone()]
        } else {
            opts.namespaces.iter().map(|n| super::normalise_namespace(n)).collect()
        };
        for name in wanted {
            if !namespaces.iter().any(|n| n.name == name) {
                namespaces.push(Namespace::new(name, opts.auth.clone()));
            }
        }
        let (inbound_tx, inbound_rx) = mpsc::channel(64);
        let seed = Timestamp::now().micros ^ u64::from(std::process::id());
        let mut backoff = Backoff::reference(seed);
        backoff.base = opts.reconnect_delay;
        backoff.max = opts.reconnect_delay_max;
        Ok(Session {
            heartbeat: opts.heartbeat,
            eio_known: match opts.eio {
                EioChoice::V3 => Some(EioVersion::V3),
                EioChoice::V4 => Some(EioVersion::V4),
                EioChoice::Auto => None,
            },
            opts,
            target,
            tls,
            http,
            records,
            commands,
            commands_open: true,
            inbound_tx,
            inbound_rx,
            seq: 0,
            generation: 0,
            conn: None,
            namespaces,
            backoff,
            opened_once: false,
            polling_refused: false,
        })
    }

    // ----- records -----

    async fn record(&mut self, body: Body) {
        let record = self.stamp(body);
        if let Some(record) = self.try_hand_over(record) {
            let _ = self.records.send(record).await;
        }
    }

    /// The body as the next record: numbered and timed.
    fn stamp(&mut self, body: Body) -> Record {
        let record = Record {
            seq: self.seq,
            time: Timestamp::now(),
            conn: None,
            body,
        };
        self.seq += 1;
        record
    }

    /// Hands the record to the consumer if the channel has room (the usual case: no send
    /// future built around it); gives it back when the channel is full. A consumer that
    /// went away is no reason to stop the session.
    fn try_hand_over(&mut self, record: Record) -> Option<Record> {
        match self.records.try_send(record) {
            Err(mpsc::error::TrySendError::Full(record)) => Some(record),
            _ => None,
        }
    }

    async fn state(&mut self, state: &str, detail: Option<String>, data: Value) {
        let data = match data {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                let mut m = Map::new();
                m.insert("value".into(), other);
                m
            }
        };
        self.record(Body::State(StateRecord {
            state: state.to_string(),
            detail,
            data,
        }))
        .await;
    }

    async fn http_record(&mut self, record: HttpRecord) {
        self.record(Body::Http(record)).await;
    }

    async fn frame_record(&mut self, dir: Direction, transport: Transport, raw: Raw, decoded: Decoded) {
        self.record(Body::Frame(FrameRecord {
            dir: Some(dir),
            transport: Some(transport),
            raw,
            decoded,
        }))
        .await;
    }

    // ----- the life cycle -----

    pub(super) async fn run(mut self) {
        let mut attempt: u32 = 0;
        loop {
            let url = self.opts.url.clone();
            self.state(
                "connecting",
                Some(url),
                json!({"attempt": attempt, "transport": format!("{:?}", self.opts.transport).to_lowercase()}),
            )
            .await;
            let opened = tokio::time::timeout(self.opts.timeout, self.open()).await;
            let end = match opened {
                Ok(Ok(())) => {
                    attempt = 0;
                    self.opened_once = true;
                    self.backoff.reset();
                    self.serve().await
                }
                Ok(Err(failed))
                    if failed.kind == OpenFailure::Permanent && !self.opened_once && !self.opts.retry_forever =>
                {
                    let mut why = failed.message;
                    if let Some(hint) = self.target.scheme_hint(&self.opts.url) {
                        why.push_str(&format!("; {hint}"));
                    }
                    End::Closed(format!("{why} (not retried: --retry-forever keeps trying)"))
                }
                Ok(Err(failed)) => End::Lost(failed.message),
                Err(_) => End::Lost(format!(
                    "no Engine.IO handshake within {} s (--timeout)",
                    self.opts.timeout.as_secs_f64()
                )),
            };
            let incomplete = self.drop_connection();
            if let Some(detail) = incomplete {
                self.state("malformed payload", Some(detail), Value::Null).await;
            }
            let reason = match end {
                End::Closed(reason) => {
                    self.finish(&reason).await;
                    return;
                }
                End::Lost(reason) => reason,
            };
            self.fail_pending(&reason);
            self.state("disconnected", Some(reason.clone()), Value::Null).await;
            let limit_reached =
                !self.opts.retry_forever && self.opts.reconnect_attempts.is_some_and(|max| attempt >= max);
            if !self.opts.reconnect || limit_reached || !self.commands_open {
                let why = if limit_reached {
                    format!("gave up after {attempt} reconnect attempt(s): {reason}")
                } else {
                    reason
                };
                self.finish(&why).await;
                return;
            }
            attempt += 1;
            let delay = self.backoff.next_delay();
            self.state(
                "reconnecting",
                Some(format!("attempt {attempt} in {} ms", delay.as_millis())),
                json!({"attempt": attempt, "delay_ms": delay.as_millis() as u64}),
            )
            .await;
            if !self.wait_offline(delay).await {
                self.finish("io client disconnect").await;
                return;
            }
        }
    }

    async fn finish(&mut self, reason: &str) {
        self.fail_pending(reason);
        self.state("closed", Some(reason.to_string()), Value::Null).await;
    }

    /// Ends the connection; a binary packet still missing attachments comes back
    /// so it can be reported, not silently lost.
    fn drop_connection(&mut self) -> Option<String> {
        self.generation += 1;
        let incomplete = self
            .conn
            .take()
            .and_then(|mut conn| conn.decoder_in.finish())
            .map(|e| format!("a binary packet was cut off: {}", e.message));
        // Stale reports from the old transports are skipped by generation.
        while self.inbound_rx.try_recv().is_ok() {}
        incomplete
    }

    fn fail_pending(&mut self, reason: &str) {
        for ns in &mut self.namespaces {
            for (_, pending) in ns.pending.drain() {
                if let Some(reply) = pending.reply {
                    let _ = reply.send(Err(format!("no ack: {reason}")));
                }
            }
            for waiter in ns.join_waiters.drain(..) {
                let _ = waiter.send(Err(format!("not joined: {reason}")));
            }
            ns.drop_outbox(reason);
            if ns.state == NsState::Connected || ns.state == NsState::Joining {
                ns.state = NsState::Disconnected(reason.to_string());
            }
        }
    }

    /// Waits before a reconnect while still answering commands. False when told to stop.
    async fn wait_offline(&mut self, delay: Duration) -> bool {
        let until = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return true,
                cmd = self.commands.recv(), if self.commands_open => match cmd {
                    None => { self.commands_open = false; return false; }
                    Some(Command::Disconnect { reply }) => { let _ = reply.send(Ok(())); return false; }
                    Some(Command::Reconnect) => return true,
                    Some(other) => self.command_offline(other),
                }
            }
        }
    }

    fn command_offline(&mut self, cmd: Command) {
        fn msg<T>() -> Result<T, String> {
            Err("not connected (reconnecting)".to_string())
        }
        match cmd {
            Command::Emit { reply, .. } => drop(reply.send(msg())),
            Command::Join { nsp, auth, reply } => {
                let ns = self.namespace_entry(&nsp, auth);
                ns.wanted = true;
                ns.join_waiters.push(reply);
            }
            Command::Leave { nsp, reply } => {
                if let Some(ns) = self.namespaces.iter_mut().find(|n| n.name == nsp) {
                    ns.wanted = false;
                    ns.state = NsState::Left;
                }
                let _ = reply.send(Ok(()));
            }
            Command::Ack { reply, .. } | Command::Raw { reply, .. } => drop(reply.send(msg())),
            Command::Heartbeat(mode) => self.heartbeat = mode,
            Command::Reconnect => {}
            Command::Disconnect { reply } => drop(reply.send(Ok(()))),
        }
    }

    fn namespace_entry(&mut self, nsp: &str, auth: Option<Value>) -> &mut Namespace {
        let index = match self.namespaces.iter().position(|n| n.name == nsp) {
            Some(i) => {
                if auth.is_some() {
                    self.namespaces[i].auth = auth;
                }
                i
            }
            None => {
                self.namespaces.push(Namespace::new(nsp.to_string(), auth));
                self.namespaces.len() - 1
            }
        };
        &mut self.namespaces[index]
    }

    // ----- opening -----

    fn version_to_ask(&self) -> EioVersion {
        self.eio_known.unwrap_or(EioVersion::V4)
    }

    async fn open(&mut self) -> Result<(), OpenFailed> {
        self.generation += 1;
        match self.opts.transport {
            TransportMode::Websocket => self.open_websocket().await?,
            TransportMode::Auto if self.polling_refused => self.open_websocket().await?,
            TransportMode::Auto => match self.open_polling().await {
                Err(f) if f.kind == OpenFailure::PollingRefused => {
                    self.polling_refused = true;
                    self.state(
                        "transport fallback",
                        Some(format!(
                            "polling refused by the server ({}): connecting over websocket",
                            f.message.trim_start_matches("server answered ")
                        )),
                        json!({"from": "polling", "to": "websocket"}),
                    )
                    .await;
                    self.open_websocket().await?
                }
                other => other?,
            },
            TransportMode::Polling => self.open_polling().await?,
        }
        let conn = self.conn.as_ref().ok_or("no connection")?;
        if conn.sid.is_none() {
            return Err(OpenFailed::permanent(not_an_open_packet(
                conn.first.as_ref(),
                conn.eio,
                self.opts.parser,
            )));
        }
        let (eio, sid, interval, timeout, upgrades) = (
            conn.eio,
            conn.sid.clone().unwrap_or_default(),
            conn.ping_interval,
            conn.ping_timeout,
            conn.upgrades.clone(),
        );
        self.eio_known.get_or_insert(eio);
        let sio_version = if eio == EioVersion::V3 { 4 } else { 5 };
        self.state(
            "open",
            Some(format!(
                "Engine.IO {eio} / Socket.IO {sio_version}, sid {sid}, ping {}/{} ms, {}",
                interval.as_millis(),
                timeout.as_millis(),
                if self.conn.as_ref().is_some_and(|c| c.websocket) {
                    "websocket"
                } else {
                    "polling"
                }
            )),
            json!({"eio": eio.number(), "sio": sio_version, "sid": sid, "pingInterval": interval.as_millis() as u64,
                   "pingTimeout": timeout.as_millis() as u64, "upgrades": upgrades}),
        )
        .await;
        self.arm_heartbeat();
        self.join_wanted().await?;
        // Frames that came with the handshake (rev 3's implicit `40`, early events).
        let replay = self
            .conn
            .as_mut()
            .map(|c| std::mem::take(&mut c.replay))
            .unwrap_or_default();
        for frame in replay {
            let transport = self.conn.as_ref().map_or(Transport::Polling, Conn::transport);
            if let Some(end) = self.on_frame(frame, transport).await {
                return Err(match end {
                    End::Closed(r) | End::Lost(r) => OpenFailed::from(r),
                });
            }
        }
        if !self.conn.as_ref().is_some_and(|c| c.websocket) {
            self.start_get();
            if self.opts.transport == TransportMode::Auto && upgrades.iter().any(|u| u == "websocket") {
                self.start_upgrade().await;
            }
        }
        Ok(())
    }

    fn cache_buster(&self) -> String {
        // Like the JS client's `t`: different on every request.
        let n = Timestamp::now().micros.wrapping_mul(6_364_136_223_846_793_005) ^ self.seq;
        format!("{:x}", n & 0xffff_ffff_ffff)
    }

    fn polling_url(&self, eio: EioVersion, sid: Option<&str>) -> url::Url {
        let version = eio.number().to_string();
        let t = self.cache_buster();
        let mut params: Vec<(&str, &str)> = vec![("EIO", &version), ("transport", "polling"), ("t", &t)];
        if let Some(sid) = sid {
            params.push(("sid", sid));
        }
        self.target.endpoint(false, &self.opts.path, &params, &self.opts.query)
    }

    fn websocket_url(&self, eio: EioVersion, sid: Option<&str>) -> url::Url {
        let version = eio.number().to_string();
        let mut params: Vec<(&str, &str)> = vec![("EIO", &version), ("transport", "websocket")];
        if let Some(sid) = sid {
            params.push(("sid", sid));
        }
        self.target.endpoint(true, &self.opts.path, &params, &self.opts.query)
    }

    async fn open_polling(&mut self) -> Result<(), OpenFailed> {
        let asked = self.version_to_ask();
        let url = self.polling_url(asked, None);
        let authority = self.target.authority();
        let response = match self.http.send(reqwest::Method::GET, url, None, &authority).await {
            Ok(r) => r,
            Err(failed) => {
                self.http_record(failed.record.clone()).await;
                return Err(failed.into());
            }
        };
        self.http_record(response.record.clone()).await;
        if response.status != 200 {
            let message = describe_status(response.status, &response.body);
            let kind = if refuses_transport(response.status, &response.body) {
                OpenFailure::PollingRefused
            } else if (400..500).contains(&response.status) && !matches!(response.status, 408 | 429) {
                OpenFailure::Permanent
            } else {
                OpenFailure::Transient
            };
            return Err(OpenFailed { message, kind });
        }
        // A body like `97:0{…}` answers EIO=4 in rev-3 framing: a Socket.IO 2.x server.
        let eio = if self.opts.eio == EioChoice::Auto && looks_like_v3_payload(&response.body) {
            EioVersion::V3
        } else {
            asked
        };
        if eio != asked {
            self.state(
                "version detected",
                Some("the server answered in Engine.IO 3 framing: Socket.IO 2.x; speaking Engine.IO 3".into()),
                json!({"eio": 3}),
            )
            .await;
        }
        self.conn = Some(Conn::new(eio, self.opts.parser, false));
        let frames = self.split_body(&response.body).await;
        let mut frames = frames.into_iter();
        if let Some(first) = frames.next() {
            self.on_first_frame(first, Transport::Polling).await;
        }
        if let Some(conn) = self.conn.as_mut() {
            conn.replay.extend(frames);
        }
        Ok(())
    }

    /// Splits a polling body into owned frames; a framing error becomes a state record.
    async fn split_body(&mut self, body: &[u8]) -> Vec<OwnedFrame> {
        let Some(conn) = self.conn.as_ref() else {
            return Vec::new();
        };
        let split = payload::split(body, conn.eio);
        let frames: Vec<OwnedFrame> = split.records.iter().map(|f| f.to_owned_frame()).collect();
        if let Some(e) = split.error {
            self.state(
                "malformed payload",
                Some(format!("polling body: {e}")),
                json!({"body_length": body.len()}),
            )
            .await;
        }
        frames
    }

    async fn open_websocket(&mut self) -> Result<(), OpenFailed> {
        let asked = self.version_to_ask();
        let url = self.websocket_url(asked, None);
        let authority = self.target.authority();
        let (socket, record) = match ws::open(url, &self.http, self.tls.clone(), &authority).await {
            Ok(ok) => ok,
            Err(failed) => {
                self.http_record(failed.record.clone()).await;
                return Err(failed.into());
            }
        };
        self.http_record(record).await;
        let mut socket = socket;
        self.conn = Some(Conn::new(asked, self.opts.parser, true));
        // The first message is the open packet.
        let first = next_ws_frame(&mut socket, self.opts.max_payload)
            .await
            .map_err(|why| format!("{why}, before the Engine.IO open packet"))?;
        self.on_first_frame(first, Transport::Websocket).await;
        if self.conn.as_ref().is_some_and(|c| c.sid.is_none()) {
            // Not an open packet: `open` reports it; no version probing on a broken session.
            return Ok(());
        }
        // Only engine.io ≥ 6.2 sends maxPayload: such a server is surely modern.
        let is_modern = self.conn.as_ref().is_some_and(|c| c.max_payload.is_some());
        if self.opts.eio == EioChoice::Auto && !is_modern {
            // A Socket.IO 2.x server sends `40` unprompted right after open.
            let probe = tokio::time::timeout(
                Duration::from_millis(500),
                next_ws_frame(&mut socket, self.opts.max_payload),
            )
            .await;
            if let Ok(Ok(frame)) = probe {
                if matches!(&frame, OwnedFrame::Text(t) if t == "40") {
                    if let Some(conn) = self.conn.as_mut() {
                        conn.set_version(EioVersion::V3, self.opts.parser);
                    }
                    self.state(
                        "version detected",
                        Some("the server connected / unprompted: Socket.IO 2.x; speaking Engine.IO 3".into()),
                        json!({"eio": 3}),
                    )
                    .await;
                }
                if let Some(conn) = self.conn.as_mut() {
                    conn.replay.push(frame);
                }
            }
        }
        if let Some(conn) = self.conn.as_mut() {
            conn.ws = Some(socket);
        }
        Ok(())
    }
}

/// What reading the connection's WebSocket gave.
enum WsRead {
    Frame(OwnedFrame),
    /// The socket is done, and why.
    Ended(String),
}

/// The next frame of the connection's WebSocket; never resolves without one.
async fn read_ws(socket: Option<&mut ws::Socket>, limit: usize) -> WsRead {
    let Some(socket) = socket else {
        return std::future::pending().await;
    };
    match next_ws_frame(socket, limit).await {
        Ok(frame) => WsRead::Frame(frame),
        Err(reason) => WsRead::Ended(reason),
    }
}

/// The next frame if the socket already has one, without waiting. The serve loop
/// polls the socket again with its own waker before it sleeps.
fn ready_ws(socket: Option<&mut ws::Socket>, limit: usize) -> Option<WsRead> {
    use futures_util::FutureExt as _;
    socket.and_then(|s| read_ws(Some(s), limit).now_or_never())
}

/// Reads the next text or binary message; why not, when the socket ends.
async fn next_ws_frame(stream: &mut ws::Socket, limit: usize) -> Result<OwnedFrame, String> {
    loop {
        match stream.next().await {
            Some(Ok(Message::Text(t))) => return Ok(OwnedFrame::Text(t.as_str().to_owned())),
            Some(Ok(Message::Binary(b))) => return Ok(OwnedFrame::Binary(b.to_vec())),
            Some(Ok(Message::Close(close))) => return Err(ws::describe_close(close.as_ref())),
            Some(Err(e)) => return Err(ws::describe_error(&e, limit)),
            Some(Ok(_)) => {}
            None => return Err("the WebSocket connection ended".into()),
        }
    }
}

/// What came instead of the open packet, and why it is not one.
fn not_an_open_packet(first: Option<&OwnedFrame>, eio: EioVersion, parser: Parser) -> String {
    let base = "the server's first packet was not an Engine.IO open packet";
    let Some(frame) = first else {
        return format!("{base}: no packet could be read from the answer");
    };
    let shown = match frame {
        OwnedFrame::Text(t) => {
            let cut: String = t.chars().take(60).collect();
            let more = if cut.len() < t.len() { "…" } else { "" };
            format!("{cut:?}{more}")
        }
        OwnedFrame::Binary(b) => format!("{} bytes of binary", b.len()),
    };
    let why = FrameDecoder::new(eio, parser)
        .decode(frame.as_frame())
        .error
        .map(|e| format!(" ({})", e.message))
        .unwrap_or_default();
    let html = matches!(frame, OwnedFrame::Text(t) if t.trim_start().starts_with('<'));
    let hint = if html {
        "; an HTML page: is this a web server rather than Socket.IO, or the wrong --path?"
    } else {
        ""
    };
    format!("{base}: got {shown}{why}{hint}")
}

/// `<digits>:0{` at the start: a rev-3 length-prefixed open packet.
fn looks_like_v3_payload(body: &[u8]) -> bool {
    let digits = body.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && body.get(digits) == Some(&b':') && body.get(digits + 1) == Some(&b'0')
}
