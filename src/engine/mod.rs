//! The client engine: speaks Engine.IO (3 and 4) and Socket.IO (4 and 5) to any
//! server, over polling, WebSocket or both, and reports every frame it sends
//! and receives as a [`Record`], in order. Front ends drive it through a
//! [`Handle`] and read its records; none of them does IO of its own.
//!
//! - [`target`]: the user's URL → endpoint and namespace.
//! - [`session`]: the state machine (handshake, heartbeats, upgrade, namespaces, acks, reconnect).
//! - [`http`], [`ws`], [`cookies`], [`tls`]: the transports' plumbing.

pub mod backoff;
pub mod cookies;
pub mod http;
mod session;
pub mod target;
pub mod tls;
pub mod ws;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::proto::eio::OwnedFrame;
use crate::proto::frame::Parser;
use crate::proto::sio::RESERVED_EVENTS;
use crate::record::Record;

/// The default --max-payload: far above what real servers send (socket.io's own
/// maxHttpBufferSize is 1 MB), low enough that a hostile stream cannot exhaust memory.
pub const DEFAULT_MAX_PAYLOAD: usize = 32 * 1024 * 1024;

/// Which transports to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TransportMode {
    /// Polling handshake, then the WebSocket upgrade (what socket.io-client does).
    #[default]
    Auto,
    Polling,
    Websocket,
}

/// Which Engine.IO revision to speak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EioChoice {
    /// Start with 4 and fall back to 3 when the server turns out to be Socket.IO 2.x.
    #[default]
    Auto,
    V3,
    V4,
}

/// How the client answers heartbeats; lets a user watch the server's timeout at work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HeartbeatMode {
    #[default]
    Normal,
    /// Never answer (rev 4) or never ping (rev 3).
    Withhold,
    /// Answer (or ping) this much later than due.
    Delay(Duration),
}

/// Everything that shapes a connection.
#[derive(Clone, Debug)]
pub struct Options {
    pub url: String,
    /// Namespaces to join at start; empty means the URL's namespace.
    pub namespaces: Vec<String>,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub cookies: Vec<String>,
    pub transport: TransportMode,
    pub eio: EioChoice,
    pub parser: Parser,
    pub auth: Option<Value>,
    pub auto_ack: bool,
    pub reconnect: bool,
    /// None: try forever.
    pub reconnect_attempts: Option<u32>,
    /// Retry even a first connection that failed for a reason that will not go away by
    /// itself (a name that does not resolve, TLS, a 4xx answer, not a Socket.IO server).
    pub retry_forever: bool,
    pub reconnect_delay: Duration,
    pub reconnect_delay_max: Duration,
    /// Time allowed for the Engine.IO handshake, and for the server's answer to each
    /// namespace CONNECT.
    pub timeout: Duration,
    /// The largest polling body or WebSocket message taken from the server.
    pub max_payload: usize,
    pub max_post_packets: usize,
    pub insecure: bool,
    pub ca_cert: Option<PathBuf>,
    pub heartbeat: HeartbeatMode,
    /// How many records may wait for a slow consumer before the engine waits too.
    pub record_buffer: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            url: String::new(),
            namespaces: Vec::new(),
            path: "/socket.io/".into(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            transport: TransportMode::Auto,
            eio: EioChoice::Auto,
            parser: Parser::Default,
            auth: None,
            auto_ack: false,
            reconnect: true,
            reconnect_attempts: None,
            retry_forever: false,
            reconnect_delay: Duration::from_millis(1000),
            reconnect_delay_max: Duration::from_millis(5000),
            timeout: Duration::from_secs(20),
            max_payload: DEFAULT_MAX_PAYLOAD,
            max_post_packets: 16,
            insecure: false,
            ca_cert: None,
            heartbeat: HeartbeatMode::Normal,
            record_buffer: 1024,
        }
    }
}

/// The answer to an emit that asked for an ack.
#[derive(Clone, Debug, PartialEq)]
pub struct AckReply {
    /// The ack's arguments (a JSON array; binary values as placeholders).
    pub args: Value,
    pub attachments: Vec<Vec<u8>>,
    pub rtt: Duration,
}

pub type Reply<T> = oneshot::Sender<Result<T, String>>;

/// What a front end asks of the engine.
#[derive(Debug)]
pub enum Command {
    Emit {
        nsp: String,
        event: String,
        /// Arguments after the event name; binary values as placeholders numbered into `attachments`.
        args: Vec<Value>,
        attachments: Vec<Vec<u8>>,
        /// With an ack: the reply comes when the ack arrives.
        ack: bool,
        reply: Reply<Option<AckReply>>,
    },
    Join {
        nsp: String,
        auth: Option<Value>,
        reply: Reply<()>,
    },
    Leave {
        nsp: String,
        reply: Reply<()>,
    },
    /// Answers an ack the server asked for.
    Ack {
        nsp: String,
        id: u64,
        args: Vec<Value>,
        attachments: Vec<Vec<u8>>,
        reply: Reply<()>,
    },
    /// A frame sent verbatim, for testing how a server takes bad input.
    Raw {
        frame: OwnedFrame,
        reply: Reply<()>,
    },
    Heartbeat(HeartbeatMode),
    /// Drop the connection and connect again, re-joining namespaces.
    Reconnect,
    /// Leave every namespace, close the session, no reconnect.
    Disconnect {
        reply: Reply<()>,
    },
}

/// Drives a running engine. Cloning gives another handle to the same engine.
#[derive(Clone, Debug)]
pub struct Handle {
    tx: mpsc::Sender<Command>,
}

fn gone() -> String {
    "the connection is closed".to_string()
}

impl Handle {
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, String> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(make(tx)).await.map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }

    /// Emits an event; with `ack`, waits for the answer (wrap it in a timeout).
    pub async fn emit(
        &self,
        nsp: &str,
        event: &str,
        args: Vec<Value>,
        attachments: Vec<Vec<u8>>,
        ack: bool,
    ) -> Result<Option<AckReply>, String> {
        check_event_name(event)?;
        self.ask(|reply| Command::Emit {
            nsp: nsp.to_string(),
            event: event.to_string(),
            args,
            attachments,
            ack,
            reply,
        })
        .await
    }

    /// Joins a namespace; resolves when the server accepts or refuses it.
    pub async fn join(&self, nsp: &str, auth: Option<Value>) -> Result<(), String> {
        self.ask(|reply| Command::Join {
            nsp: normalise_namespace(nsp),
            auth,
            reply,
        })
        .await
    }

    pub async fn leave(&self, nsp: &str) -> Result<(), String> {
        self.ask(|reply| Command::Leave {
            nsp: normalise_namespace(nsp),
            reply,
        })
        .await
    }

    pub async fn ack(&self, nsp: &str, id: u64, args: Vec<Value>, attachments: Vec<Vec<u8>>) -> Result<(), String> {
        self.ask(|reply| Command::Ack {
            nsp: normalise_namespace(nsp),
            id,
            args,
            attachments,
            reply,
        })
        .await
    }

    pub async fn send_raw(&self, frame: OwnedFrame) -> Result<(), String> {
        self.ask(|reply| Command::Raw { frame, reply }).await
    }

    pub async fn heartbeat(&self, mode: HeartbeatMode) -> Result<(), String> {
        self.tx.send(Command::Heartbeat(mode)).await.map_err(|_| gone())
    }

    pub async fn reconnect(&self) -> Result<(), String> {
        self.tx.send(Command::Reconnect).await.map_err(|_| gone())
    }

    pub async fn disconnect(&self) -> Result<(), String> {
        self.ask(|reply| Command::Disconnect { reply }).await
    }
}

/// Refuses the names Socket.IO reserves, as the official client does.
pub fn check_event_name(event: &str) -> Result<(), String> {
    if RESERVED_EVENTS.contains(&event) {
        return Err(format!(
            "{event:?} is a reserved event name: servers drop the connection on it (send it raw to test that)"
        ));
    }
    Ok(())
}

/// `admin` → `/admin`.
pub fn normalise_namespace(nsp: &str) -> String {
    if nsp.starts_with('/') {
        nsp.to_string()
    } else {
        format!("/{nsp}")
    }
}

/// Starts the engine on the current tokio runtime: a handle to drive it and the
/// ordered stream of records. The stream ends after the `closed` record.
pub fn connect(options: Options) -> Result<(Handle, mpsc::Receiver<Record>), String> {
    let (cmd_tx, cmd_rx) = mpsc::channel(256);
    let (rec_tx, rec_rx) = mpsc::channel(options.record_buffer.max(1));
    let session = session::Session::new(options, cmd_rx, rec_tx)?;
    tokio::spawn(session.run());
    Ok((Handle { tx: cmd_tx }, rec_rx))
}
