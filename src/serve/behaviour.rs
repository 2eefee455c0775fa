//! What the server does on "/" and "/admin", and what it reports.
//!
//! The same behaviour as the Node test peers (`tests/peers/server-v4.js`), on
//! both namespaces:
//! - on connect: emit "welcome" ("hi" on "/", "admin" on "/admin");
//! - any event sent with an ack: the ack carries the event's arguments
//!   (`flood`'s ack waits for the end and carries `{n}`);
//! - "echo" ...args: emit "echo" with the same arguments (binary stays binary);
//! - "join" room / "leave" room; "to" {room, event, args}: emit to the room;
//!   "to-others" {room, event, args}: to the room but the sender; "broadcast"
//!   {event, args}: to everyone on the namespace but the sender;
//! - "binary": emit "binary" with the bytes 01 02 03;
//! - "disconnect-me": the server disconnects the socket;
//! - "flood" {n, size}: n events "flood" carrying size × "x", then "flood-done" {n}.
//!
//! "/admin" admits auth `{"token": TOKEN}` only and refuses others with
//! CONNECT_ERROR "not authorized".
//!
//! socketioxide calls a handler closure in arrival order but spawns the future
//! it returns as a task of its own, so two quick events could be handled in
//! either order. Every handler here therefore does its work in the closure
//! body, synchronously, and returns a finished future; only `flood` runs as
//! a task.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::Arc;

use futures_util::FutureExt as _;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event, SocketRef, TryData};
use socketioxide::handler::{ConnectHandler as _, FromMessageParts, Value};
use socketioxide::socket::{DisconnectReason, Socket};
use socketioxide::{ProtocolVersion, SocketIo, TransportType};
use tokio::sync::mpsc::UnboundedSender;

use super::args::{Arg, Args};
use super::entry::{Entry, Seen};
use super::flood;
use crate::record::{Timestamp, Transport};

/// The CONNECT_ERROR message for a bad or missing `/admin` token.
pub const NOT_AUTHORIZED: &str = "not authorized";

/// What every handler needs.
pub(super) struct Shared {
    pub entries: UnboundedSender<Entry>,
    pub token: String,
}

impl Shared {
    fn report(&self, socket: &Socket<impl Adapter>, what: Seen) {
        let entry = Entry {
            time: Timestamp::now(),
            sid: socket.id.to_string(),
            nsp: socket.ns().to_owned(),
            transport: match socket.transport_type() {
                TransportType::Polling => Transport::Polling,
                TransportType::Websocket => Transport::Websocket,
            },
            protocol: socket.protocol() as u8,
            what,
        };
        // Nobody listening any more (shutting down): nothing to do.
        let _ = self.entries.send(entry);
    }
}

/// The ack id, when the client asked for an ack (socketioxide's `AckSender` keeps it to itself).
struct AckId(Option<i64>);

impl<A: Adapter> FromMessageParts<A> for AckId {
    type Error = Infallible;
    fn from_message_parts(_: &Arc<Socket<A>>, _: &mut Value, ack_id: &Option<i64>) -> Result<Self, Infallible> {
        Ok(AckId(*ack_id))
    }
}

/// Registers "/" (open to all) and "/admin" (auth `{"token": …}`).
pub(super) fn install(io: &SocketIo, shared: Arc<Shared>) {
    let root = shared.clone();
    io.ns(
        "/",
        move |socket: SocketRef, TryData(auth): TryData<serde_json::Value>| {
            on_connect(&root, socket, auth.ok(), "hi");
            ready(())
        },
    );

    let admin = shared.clone();
    let gate = shared;
    let check = move |socket: SocketRef, TryData(auth): TryData<serde_json::Value>| {
        let verdict = admit(&gate, &socket, auth.ok());
        ready(verdict)
    };
    io.ns(
        "/admin",
        (move |socket: SocketRef, TryData(auth): TryData<serde_json::Value>| {
            on_connect(&admin, socket, auth.ok(), "admin");
            ready(())
        })
        .with(check),
    );
}

/// The `/admin` gate: auth `{"token": …}`; Socket.IO 2 clients, which cannot send
/// auth, may put `token=…` in the connection URL's query instead.
fn admit(shared: &Shared, socket: &SocketRef, auth: Option<serde_json::Value>) -> Result<(), &'static str> {
    let from_auth = auth
        .as_ref()
        .and_then(|a| a.get("token"))
        .and_then(|t| t.as_str())
        .map(str::to_owned);
    let from_query = || {
        if socket.protocol() != ProtocolVersion::V4 {
            return None;
        }
        let query = socket.req_parts().uri.query()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    };
    if from_auth.or_else(from_query).as_deref() == Some(shared.token.as_str()) {
        return Ok(());
    }
    shared.report(
        socket,
        Seen::Refused {
            reason: NOT_AUTHORIZED.into(),
            auth,
        },
    );
    Err(NOT_AUTHORIZED)
}

fn on_connect(shared: &Arc<Shared>, socket: SocketRef, auth: Option<serde_json::Value>, welcome: &str) {
    shared.report(&socket, Seen::Connect { auth });

    let events = shared.clone();
    socket.on_fallback(
        move |io: SocketIo,
              socket: SocketRef,
              Event(event): Event,
              AckId(ack_id): AckId,
              ack: AckSender,
              TryData(args): TryData<Args>| {
            on_event(
                &events,
                &io,
                socket,
                event,
                args.map_err(|e| e.to_string()),
                ack_id,
                ack,
            );
            ready(())
        },
    );
    let gone = shared.clone();
    socket.on_disconnect(move |socket: SocketRef, reason: DisconnectReason| -> Ready<()> {
        gone.report(
            &socket,
            Seen::Disconnect {
                reason: reason.to_string(),
            },
        );
        ready(())
    });
    let _ = socket.emit("welcome", welcome);
}

fn on_event(
    shared: &Shared,
    io: &SocketIo,
    socket: SocketRef,
    event: String,
    args: Result<Args, String>,
    ack_id: Option<i64>,
    ack: AckSender,
) {
    let args = match args {
        Ok(args) => args,
        Err(error) => {
            shared.report(&socket, Seen::Malformed { event, error });
            return;
        }
    };
    shared.report(
        &socket,
        Seen::Event {
            event: event.clone(),
            args: args.clone(),
            ack: ack_id,
        },
    );
    // Send failures mean the client is gone or too slow; its disconnection is reported.
    match event.as_str() {
        "flood" => {
            let (n, size) = flood::params(args.first());
            tokio::spawn(async move {
                let sent = flood::run(&socket, n, size).await;
                let done = Arg::Object(vec![("n".into(), Arg::Number(sent.into()))]);
                let _ = socket.emit("flood-done", &done);
                let _ = ack.send(&done);
            });
            return;
        }
        "echo" => {
            let _ = socket.emit("echo", &args);
        }
        "join" => {
            if let Some(room) = room_name(args.first()) {
                socket.join(room);
            }
        }
        "leave" => {
            if let Some(room) = room_name(args.first()) {
                socket.leave(room);
            }
        }
        "to" => broadcast(io, &socket, args.first(), Audience::Room),
        "to-others" => broadcast(io, &socket, args.first(), Audience::RoomButSender),
        "broadcast" => broadcast(io, &socket, args.first(), Audience::AllButSender),
        "binary" => {
            let _ = socket.emit("binary", &Arg::Binary(vec![1, 2, 3]));
        }
        "disconnect-me" => {
            let _ = ack.send(&args);
            let _ = socket.disconnect();
            return;
        }
        _ => {}
    }
    let _ = ack.send(&args);
}

/// A room is named by a string (or a number, as socket.io's `join(1)` allows).
fn room_name(arg: Option<&Arg>) -> Option<String> {
    match arg? {
        Arg::String(s) => Some(s.clone()),
        Arg::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Who a relayed event goes to.
#[derive(Clone, Copy)]
enum Audience {
    /// Every socket of the namespace in the room, the sender included when it joined.
    Room,
    RoomButSender,
    /// Every socket of the namespace but the sender (no room).
    AllButSender,
}

/// `to`, `to-others` {room, event, args} and `broadcast` {event, args}: relay an
/// event. `args` is a list of arguments or one argument.
fn broadcast(io: &SocketIo, socket: &SocketRef, request: Option<&Arg>, audience: Audience) {
    let Some(request) = request else { return };
    let Some(event) = request.get("event").and_then(Arg::as_str) else {
        return;
    };
    let room = room_name(request.get("room"));
    let args = match request.get("args") {
        None => Args::default(),
        Some(Arg::Array(items)) => Args(items.clone()),
        Some(one) => Args(vec![one.clone()]),
    };
    // The in-memory adapter broadcasts within the first poll, so the order of
    // replies stays the order of requests.
    let _ = match (audience, room) {
        (Audience::Room, Some(room)) => {
            let Some(nsp) = io.of(socket.ns()) else { return };
            nsp.to(room).emit(event, &args).now_or_never()
        }
        (Audience::RoomButSender, Some(room)) => socket.to(room).emit(event, &args).now_or_never(),
        (Audience::AllButSender, _) => socket.broadcast().emit(event, &args).now_or_never(),
        (_, None) => return,
    };
}
