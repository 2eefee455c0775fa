//! A bare Engine.IO session, driven one request at a time, so a probe controls
//! exactly what goes on the wire and sees every answer: a polling session
//! (handshake GET, then POSTs and GETs with its sid) and a WebSocket.

use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use super::context::{Context, Exchange, exchange_line, seconds};
use crate::engine::http::HttpClient;
use crate::engine::ws::{self, Socket};
use crate::proto::eio::{self, EioVersion, Frame, Handshake, Packet, PacketType};
use crate::proto::payload;

/// What an Engine.IO open packet said, and in which framing it came.
#[derive(Clone, Debug)]
pub struct Opening {
    /// The revision of the framing the server answered in (engine.io 3.x answers
    /// revision 3 whatever the request asked for).
    pub eio: EioVersion,
    pub handshake: Handshake,
    /// Packets that came with the open packet (`40` from a Socket.IO 2.x server).
    pub rest: Vec<String>,
}

/// Reads a polling body as an open packet, in the framing asked for or the other one.
pub fn parse_open(body: &[u8], asked: EioVersion) -> Option<Opening> {
    let other = match asked {
        EioVersion::V4 => EioVersion::V3,
        EioVersion::V3 => EioVersion::V4,
    };
    [asked, other].into_iter().find_map(|eio| {
        let split = payload::split(body, eio);
        let mut texts = split.records.iter().filter_map(|f| match f {
            Frame::Text(t) => Some(t.to_string()),
            Frame::Binary(_) => None,
        });
        let first = texts.next()?;
        let data = first.strip_prefix('0')?;
        let handshake = Handshake::parse(data).ok()?;
        Some(Opening {
            eio,
            handshake,
            rest: texts.collect(),
        })
    })
}

/// The text packets of a polling body.
pub fn packets_of(body: &[u8], eio: EioVersion) -> Vec<String> {
    payload::split(body, eio)
        .records
        .iter()
        .map(|f| match f {
            Frame::Text(t) => t.to_string(),
            Frame::Binary(b) => format!("<{} bytes of binary>", b.len()),
        })
        .collect()
}

/// A polling body of text packets, each given as `<type digit><data>`.
pub fn body_of(packets: &[&str], eio: EioVersion) -> Vec<u8> {
    let decoded: Vec<Packet<'_>> = packets.iter().filter_map(|p| eio::decode_text(p, eio).ok()).collect();
    payload::join_text(&decoded, eio).into_bytes()
}

/// What a run of GETs brought.
#[derive(Default)]
pub struct Polled {
    /// The packet waited for came.
    pub found: bool,
    /// Every packet that came, in order.
    pub packets: Vec<String>,
    /// The answer that ended the wait early (not 200), or the silence that ended it.
    pub stopped: Option<Exchange>,
}

/// A polling session that got its open packet.
pub struct PollSession<'a> {
    ctx: &'a Context,
    pub client: HttpClient,
    pub opening: Opening,
    /// The handshake's time.
    pub millis: f64,
    /// Every request of the session so far, in short.
    pub lines: Vec<String>,
}

/// A polling handshake that did not open a session: the exchange and its line.
pub struct Refused {
    pub exchange: Exchange,
    pub line: String,
}

impl<'a> PollSession<'a> {
    /// Sends the handshake GET with a fresh client (a new cookie jar: a new browser).
    pub async fn open(
        ctx: &'a Context,
        eio: EioVersion,
        extra: &[(String, String)],
    ) -> Result<PollSession<'a>, Refused> {
        let client = match ctx.client(extra) {
            Ok(c) => c,
            Err(e) => {
                return Err(Refused {
                    line: e.clone(),
                    exchange: Exchange::Failed(e),
                });
            }
        };
        Self::open_with(ctx, client, eio).await
    }

    pub async fn open_with(ctx: &'a Context, client: HttpClient, eio: EioVersion) -> Result<PollSession<'a>, Refused> {
        let url = ctx.url(false, eio, "polling", None);
        let exchange = ctx.get(&client, url.clone()).await;
        let line = exchange_line("GET", &url, &exchange);
        let opening = exchange
            .answer()
            .filter(|r| r.status == 200)
            .and_then(|r| parse_open(&r.body, eio));
        match (opening, &exchange) {
            (Some(opening), Exchange::Answer(r)) => Ok(PollSession {
                ctx,
                client,
                opening,
                millis: r.record.millis.unwrap_or(0.0),
                lines: vec![line],
            }),
            _ => Err(Refused { exchange, line }),
        }
    }

    pub fn sid(&self) -> &str {
        &self.opening.handshake.sid
    }

    pub fn eio(&self) -> EioVersion {
        self.opening.eio
    }

    fn session_url(&self) -> Url {
        self.ctx.url(false, self.eio(), "polling", Some(self.sid()))
    }

    /// POSTs text packets (`40`, `3`…) as one body.
    pub async fn post(&mut self, packets: &[&str]) -> Exchange {
        let url = self.session_url();
        let body = body_of(packets, self.eio());
        let exchange = self
            .ctx
            .send(
                &self.client,
                reqwest::Method::POST,
                url.clone(),
                Some(body),
                self.ctx.step,
            )
            .await;
        let what = if packets.len() > 3 {
            format!("POST ({} packets)", packets.len())
        } else {
            format!("POST {}", packets.join(" "))
        };
        self.lines.push(exchange_line(&what, &url, &exchange));
        exchange
    }

    /// A long-poll GET that may wait up to `wait`.
    pub async fn get(&mut self, wait: Duration) -> Exchange {
        let url = self.session_url();
        let exchange = self
            .ctx
            .send(&self.client, reqwest::Method::GET, url.clone(), None, wait)
            .await;
        self.lines.push(exchange_line("GET", &url, &exchange));
        exchange
    }

    /// GETs until a packet matching `wanted` arrives, the session answers with
    /// something other than 200, or `wait` has passed.
    pub async fn get_until(&mut self, wait: Duration, wanted: impl Fn(&str) -> bool) -> Polled {
        let deadline = Instant::now() + wait;
        let mut polled = Polled::default();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                polled.stopped = Some(Exchange::Silent(wait));
                return polled;
            }
            let exchange = self.get(left).await;
            let Some(answer) = exchange.answer().filter(|r| r.status == 200) else {
                polled.stopped = Some(exchange);
                return polled;
            };
            let packets = packets_of(&answer.body, self.eio());
            polled.found = packets.iter().any(|p| wanted(p));
            let closed = packets.iter().any(|p| p == "1");
            polled.packets.extend(packets);
            if polled.found || closed {
                return polled;
            }
        }
    }

    /// Ends the session politely (an Engine.IO close), without waiting long.
    pub async fn close(mut self) {
        let url = self.session_url();
        let body = body_of(&["1"], self.eio());
        let _ = self
            .ctx
            .send(
                &self.client,
                reqwest::Method::POST,
                url,
                Some(body),
                Duration::from_secs(1),
            )
            .await;
        self.lines.clear();
    }
}

/// An open WebSocket to the Engine.IO endpoint.
pub struct WsSession {
    pub socket: Socket,
    /// The 101 answer's time.
    pub millis: f64,
    pub line: String,
}

/// Why a WebSocket did not open: the status when there was an answer, and why.
pub struct WsRefused {
    pub status: Option<u16>,
    pub message: String,
    pub line: String,
}

impl WsSession {
    pub async fn open(ctx: &Context, client: &HttpClient, url: Url) -> Result<WsSession, WsRefused> {
        let request = super::context::request_line("GET", &url) + " (Upgrade: websocket)";
        let opened = tokio::time::timeout(
            ctx.step,
            ws::open(url, client, ctx.tls.clone(), &ctx.target.authority()),
        )
        .await;
        match opened {
            Ok(Ok((socket, record))) => {
                let millis = record.millis.unwrap_or(0.0);
                Ok(WsSession {
                    socket,
                    millis,
                    line: format!("{request} → 101 Switching Protocols ({millis:.0} ms)"),
                })
            }
            Ok(Err(failed)) => Err(WsRefused {
                status: failed.record.status,
                line: format!("{request} → {}", failed.message),
                message: failed.message,
            }),
            Err(_) => Err(WsRefused {
                status: None,
                message: format!("no answer within {}", seconds(ctx.step)),
                line: format!("{request} → no answer within {}", seconds(ctx.step)),
            }),
        }
    }

    /// The next text message, or why none came within `wait`.
    pub async fn next_text(&mut self, wait: Duration) -> Result<String, String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next()).await;
            match next {
                Err(_) => return Err(format!("nothing within {}", seconds(wait))),
                Ok(None) => return Err("the connection ended (close 1006, abnormal closure)".into()),
                Ok(Some(Err(e))) => return Err(ws::describe_error(&e, usize::MAX)),
                Ok(Some(Ok(Message::Text(t)))) => return Ok(t.to_string()),
                Ok(Some(Ok(Message::Close(frame)))) => return Err(ws::describe_close(frame.as_ref())),
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn send_text(&mut self, text: &str) -> Result<(), String> {
        self.socket
            .send(Message::text(text))
            .await
            .map_err(|e| ws::describe_error(&e, usize::MAX))
    }

    /// The first message as an open packet.
    pub async fn read_open(&mut self, wait: Duration) -> Result<Handshake, String> {
        let first = self.next_text(wait).await?;
        let data = first
            .strip_prefix(PacketType::Open.digit())
            .ok_or_else(|| format!("the first message is {first:?}, not an open packet"))?;
        Handshake::parse(data)
    }

    /// A WebSocket ping and its pong: the network's round trip, without the server's code.
    pub async fn ping_round_trip(&mut self, wait: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        self.socket
            .send(Message::Ping(b"sio-doctor".to_vec().into()))
            .await
            .map_err(|e| ws::describe_error(&e, usize::MAX))?;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => return Err(format!("no pong within {}", seconds(wait))),
                Ok(Some(Ok(Message::Pong(_)))) => return Ok(started.elapsed()),
                Ok(Some(Ok(Message::Close(frame)))) => return Err(ws::describe_close(frame.as_ref())),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(e))) => return Err(ws::describe_error(&e, usize::MAX)),
                Ok(None) => return Err("the connection ended".into()),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.socket.close(None)).await;
    }
}
