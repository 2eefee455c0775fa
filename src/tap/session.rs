//! One client's Engine.IO session as the tap sees it from the middle: its name,
//! revision and parser, and a decoder per direction (binary reassembly is per
//! session and direction). Turns what passed into the record bodies the client
//! engine makes, with the project's one codec. No IO.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::wsframe::WsMessage;
use crate::proto::eio::{EioVersion, Frame, PacketType};
use crate::proto::frame::{DecodeError, Decoded, FrameDecoder, Layer, Parser, decode_payload};
use crate::record::{Body, Direction, FrameRecord, Raw, StateRecord, Transport};

/// Who opened the session, for the state record that announces it.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub peer: String,
    pub user_agent: Option<String>,
}

#[derive(Debug)]
pub struct Session {
    /// The sid once the handshake answer named it; `c<N>` before.
    pub name: String,
    pub eio: EioVersion,
    pub transport: Transport,
    pub client: Client,
    pub last_seen: Instant,
    /// Client to server.
    out: FrameDecoder,
    /// Server to client.
    inn: FrameDecoder,
    /// The parser was told (--parser) or already noticed: no more guessing.
    parser_settled: bool,
    /// Set once the session was cut from the middle: its transports end.
    cut: tokio::sync::watch::Sender<bool>,
    /// How long the tap holds each frame (polling: each request or answer) going this way.
    delay_out: Duration,
    delay_in: Duration,
}

/// A state record's body.
pub fn state(name: &str, detail: Option<String>, data: Value) -> Body {
    let data = match data {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Body::State(StateRecord {
        state: name.to_string(),
        detail,
        data,
    })
}

impl Session {
    /// `parser`: Some when the user named it; None to notice msgpack from binary frames.
    pub fn new(name: String, eio: EioVersion, parser: Option<Parser>, transport: Transport, client: Client) -> Session {
        let chosen = parser.unwrap_or_default();
        Session {
            name,
            eio,
            transport,
            client,
            last_seen: Instant::now(),
            out: FrameDecoder::new(eio, chosen),
            inn: FrameDecoder::new(eio, chosen),
            parser_settled: parser.is_some(),
            cut: tokio::sync::watch::channel(false).0,
            delay_out: Duration::ZERO,
            delay_in: Duration::ZERO,
        }
    }

    /// Ends the session's transports (its WebSocket, its requests in flight).
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Resolves when the session is cut.
    pub fn cut_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.cut.subscribe()
    }

    pub fn is_cut(&self) -> bool {
        *self.cut.borrow()
    }

    pub fn set_delay(&mut self, dir: Direction, by: Duration) {
        match dir {
            Direction::Out => self.delay_out = by,
            Direction::In => self.delay_in = by,
        }
    }

    pub fn delay(&self, dir: Direction) -> Duration {
        match dir {
            Direction::Out => self.delay_out,
            Direction::In => self.delay_in,
        }
    }

    /// The sid an open packet among `bodies` announced (the handshake answer), if any.
    pub fn announced_sid(bodies: &[Body]) -> Option<String> {
        bodies.iter().find_map(|b| match b {
            Body::Frame(f) if f.dir == Some(Direction::In) => f
                .decoded
                .eio
                .as_ref()
                .and_then(|e| e.handshake.as_ref())
                .map(|h| h.sid.clone()),
            _ => None,
        })
    }

    /// The state record announcing a session whose handshake just passed; `before` is
    /// the name its first records carried (the connection's, until the sid was known).
    pub fn opened(&self, before: &str) -> Body {
        let ua = self.client.user_agent.as_deref().unwrap_or("no user agent");
        state(
            "session",
            Some(format!(
                "{} from {} ({ua}), Engine.IO {}, over {}",
                self.name,
                self.client.peer,
                self.eio.number(),
                self.transport
            )),
            json!({
                "sid": self.name,
                "peer": self.client.peer,
                "user_agent": self.client.user_agent,
                "eio": self.eio.number(),
                "transport": self.transport.to_string(),
                "before": before,
            }),
        )
    }

    /// One polling body: a POST's (out) or a GET's answer (in).
    pub fn polling(&mut self, dir: Direction, body: &[u8]) -> Vec<Body> {
        self.last_seen = Instant::now();
        let eio = self.eio;
        let decoder = self.decoder(dir);
        let (frames, error) = decode_payload(decoder, body);
        let owned: Vec<(crate::proto::eio::OwnedFrame, Decoded)> =
            frames.into_iter().map(|(f, d)| (f.to_owned_frame(), d)).collect();
        let mut bodies = Vec::new();
        for (frame, decoded) in owned {
            self.after_decode(dir, Transport::Polling, frame.as_frame(), decoded, &mut bodies);
        }
        if let Some(e) = error {
            bodies.push(state(
                "malformed payload",
                Some(format!("polling body ({}): {}", direction_words(dir), e.message)),
                json!({"body_length": body.len(), "eio": eio.number()}),
            ));
        }
        bodies
    }

    /// One WebSocket message (or control frame) that passed.
    pub fn websocket(&mut self, dir: Direction, message: WsMessage) -> Vec<Body> {
        self.last_seen = Instant::now();
        let mut bodies = Vec::new();
        match message {
            WsMessage::Text(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let decoded = self.decoder(dir).decode(Frame::Text(&text));
                    self.after_decode(dir, Transport::Websocket, Frame::Text(&text), decoded, &mut bodies);
                }
                Err(e) => {
                    // Shown as it came, with the reason: a text message must be UTF-8.
                    let bytes = e.into_bytes();
                    let decoded = Decoded {
                        error: Some(DecodeError {
                            layer: Layer::Engineio,
                            message: "WebSocket text message is not valid UTF-8".into(),
                        }),
                        ..Decoded::default()
                    };
                    bodies.push(frame_body(dir, Transport::Websocket, Frame::Binary(&bytes), decoded));
                }
            },
            WsMessage::Binary(bytes) => {
                let decoded = self.decoder(dir).decode(Frame::Binary(&bytes));
                self.after_decode(dir, Transport::Websocket, Frame::Binary(&bytes), decoded, &mut bodies);
            }
            WsMessage::Ping(data) => bodies.push(control("websocket ping", dir, &data)),
            WsMessage::Pong(data) => bodies.push(control("websocket pong", dir, &data)),
            WsMessage::Close { code, reason } => bodies.push(state(
                "websocket close",
                Some(format!(
                    "{}: {}{}",
                    direction_words(dir),
                    code.map_or_else(|| "no code".to_string(), |c| c.to_string()),
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(" {reason}")
                    }
                )),
                json!({"dir": dir, "code": code, "reason": reason}),
            )),
            WsMessage::Malformed(why) => bodies.push(state(
                "malformed websocket",
                Some(format!("{}: {why}; the bytes still pass", direction_words(dir))),
                json!({"dir": dir}),
            )),
        }
        bodies
    }

    fn decoder(&mut self, dir: Direction) -> &mut FrameDecoder {
        match dir {
            Direction::Out => &mut self.out,
            Direction::In => &mut self.inn,
        }
    }

    /// Records a decoded frame, noticing msgpack and the upgrade on the way.
    fn after_decode(
        &mut self,
        dir: Direction,
        transport: Transport,
        frame: Frame<'_>,
        mut decoded: Decoded,
        bodies: &mut Vec<Body>,
    ) {
        if !self.parser_settled && is_stray_binary(&decoded) {
            // socket.io-msgpack-parser sends every packet as one binary message: what the
            // default parser calls an attachment nobody announced.
            let again = FrameDecoder::new(self.eio, Parser::Msgpack).decode(frame);
            if again.error.is_none() && again.sio.is_some() {
                self.out.parser = Parser::Msgpack;
                self.inn.parser = Parser::Msgpack;
                self.parser_settled = true;
                decoded = again;
                bodies.push(state(
                    "parser",
                    Some("binary frames are msgpack: decoding as --parser msgpack".into()),
                    json!({"parser": "msgpack"}),
                ));
            }
        }
        if !self.parser_settled && decoded.sio.is_some() && decoded.error.is_none() {
            // A text Socket.IO packet went by: the default parser it is.
            self.parser_settled = true;
        }
        let kind = decoded.eio.as_ref().map(|e| e.kind);
        let probe = decoded.eio.as_ref().and_then(|e| e.data.as_deref()) == Some("probe");
        bodies.push(frame_body(dir, transport, frame, decoded));
        if kind == Some(PacketType::Upgrade) && dir == Direction::Out && transport == Transport::Websocket {
            self.transport = Transport::Websocket;
            bodies.push(state(
                "upgraded",
                Some(format!("{}: polling → websocket", self.name)),
                json!({}),
            ));
        } else if kind == Some(PacketType::Close) && !probe {
            bodies.push(state(
                "session closed",
                Some(format!("{} sent Engine.IO close", direction_words(dir))),
                json!({}),
            ));
        }
    }
}

/// An attachment frame when none was announced.
fn is_stray_binary(decoded: &Decoded) -> bool {
    decoded.eio.as_ref().is_some_and(|e| e.binary) && decoded.error.as_ref().is_some_and(|e| e.layer == Layer::Binary)
}

fn frame_body(dir: Direction, transport: Transport, frame: Frame<'_>, decoded: Decoded) -> Body {
    Body::Frame(FrameRecord {
        dir: Some(dir),
        transport: Some(transport),
        raw: Raw::from_frame(frame),
        decoded,
    })
}

fn control(name: &str, dir: Direction, data: &[u8]) -> Body {
    state(
        name,
        Some(format!("{}, {} bytes", direction_words(dir), data.len())),
        json!({"dir": dir, "length": data.len()}),
    )
}

pub fn direction_words(dir: Direction) -> &'static str {
    match dir {
        Direction::Out => "client → server",
        Direction::In => "server → client",
    }
}
