//! The proxy core: takes each request, forwards it to the upstream, answers with
//! the upstream's answer, and hands a copy of what passed to the session that owns
//! it. WebSocket bytes are copied through as they arrive and read afterwards, so no
//! frame waits for its decoding.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::headers;
use super::session::{Client, Session, state};
use super::wsframe::WsReader;
use crate::proto::eio::EioVersion;
use crate::proto::frame::Parser;
use crate::record::{Body, Direction, HttpRecord, Record, Timestamp, Transport};

type Shared = Arc<Mutex<Session>>;

/// A polling session nobody asked about for this long is forgotten (its client went away
/// without a close): the table stays as small as the live sessions.
const IDLE: Duration = Duration::from_secs(300);

/// Numbers records and hands them to the front end, in one order.
struct Emitter {
    inner: tokio::sync::Mutex<(u64, mpsc::Sender<Record>)>,
}

impl Emitter {
    async fn emit(&self, conn: Option<String>, bodies: Vec<Body>) {
        if bodies.is_empty() {
            return;
        }
        let mut inner = self.inner.lock().await;
        for body in bodies {
            let record = Record {
                seq: inner.0,
                time: Timestamp::now(),
                conn: conn.clone(),
                body,
            };
            inner.0 += 1;
            // A front end that went away is no reason to stop forwarding.
            let _ = inner.1.send(record).await;
        }
    }
}

/// What an Engine.IO request says about itself in its query.
struct EioQuery {
    eio: EioVersion,
    sid: Option<String>,
}

impl EioQuery {
    fn parse(query: &str) -> Option<EioQuery> {
        let mut eio = None;
        let mut transport = false;
        let mut sid = None;
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                // engine.io reads anything but 4 as revision 3.
                "EIO" => eio = Some(if v == "4" { EioVersion::V4 } else { EioVersion::V3 }),
                "transport" => transport = true,
                "sid" => sid = Some(v.into_owned()),
                _ => {}
            }
        }
        Some(EioQuery { eio: eio?, sid }).filter(|_| transport)
    }
}

pub(super) struct Tap {
    upstream: url::Url,
    client: reqwest::Client,
    /// Engine.IO polling requests (the hot path) go through this one.
    polling_client: super::upstream::Upstream,
    sessions: Mutex<HashMap<String, Shared>>,
    next_conn: AtomicU64,
    parser: Option<Parser>,
    max_message: usize,
    emitter: Emitter,
}

type Reply = Response<reqwest::Body>;

impl Tap {
    pub(super) fn new(
        upstream: url::Url,
        client: reqwest::Client,
        polling_client: super::upstream::Upstream,
        parser: Option<Parser>,
        max_message: usize,
        records: mpsc::Sender<Record>,
    ) -> Tap {
        Tap {
            upstream,
            client,
            polling_client,
            sessions: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            parser,
            max_message,
            emitter: Emitter {
                inner: tokio::sync::Mutex::new((0, records)),
            },
        }
    }

    pub(super) async fn emit(&self, conn: Option<String>, bodies: Vec<Body>) {
        self.emitter.emit(conn, bodies).await;
    }

    pub(super) async fn handle(self: Arc<Self>, req: Request<Incoming>, peer: SocketAddr) -> Result<Reply, Infallible> {
        let eio = req.uri().query().and_then(EioQuery::parse);
        let websocket = headers::wants_websocket(req.headers());
        Ok(match (eio, websocket) {
            (eio, true) => self.websocket(req, peer, eio).await,
            (Some(eio), false) => self.polling(req, peer, eio).await,
            (None, false) => self.plain(req, peer).await,
        })
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Shared>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The session a request belongs to: by sid (a session the tap joins midway is
    /// made on first sight), or a new connection awaiting its handshake answer.
    fn session_for(&self, eio: &EioQuery, client: Client, transport: Transport) -> Shared {
        if let Some(sid) = &eio.sid {
            let mut sessions = self.sessions();
            return sessions
                .entry(sid.clone())
                .or_insert_with(|| {
                    Arc::new(Mutex::new(Session::new(
                        sid.clone(),
                        eio.eio,
                        self.parser,
                        transport,
                        client,
                    )))
                })
                .clone();
        }
        let n = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let session = Session::new(format!("c{n}"), eio.eio, self.parser, transport, client);
        Arc::new(Mutex::new(session))
    }

    /// After a handshake answer: the session takes its sid and joins the table.
    fn name_session(&self, session: &Shared, sid: &str, bodies: &mut Vec<Body>) {
        let opened = {
            let mut s = lock(session);
            if s.name == sid {
                return;
            }
            let before = std::mem::replace(&mut s.name, sid.to_string());
            s.opened(&before)
        };
        bodies.push(opened);
        let mut sessions = self.sessions();
        sessions.retain(|_, s| lock(s).last_seen.elapsed() < IDLE);
        sessions.insert(sid.to_string(), session.clone());
    }

    pub(super) fn live(&self) -> usize {
        self.sessions().len()
    }

    fn named(&self, name: &str) -> Result<Shared, String> {
        self.sessions()
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no session {name:?} (see the `session` records for sids)"))
    }

    /// Cuts a session's transports. It stays in the table, cut, so that its client's
    /// next requests are refused too and it makes a new session, as after a real cut.
    pub(super) async fn cut(&self, name: &str) -> Result<(), String> {
        let session = self.named(name)?;
        lock(&session).cut();
        let detail = "its transports were cut from the middle".to_string();
        self.emit(
            Some(name.to_string()),
            vec![state("session cut", Some(detail), json!({}))],
        )
        .await;
        Ok(())
    }

    /// Holds each frame of one direction of a session by `by` (zero: no more delay).
    pub(super) async fn delay(&self, name: &str, dir: Direction, by: Duration) -> Result<(), String> {
        let session = self.named(name)?;
        lock(&session).set_delay(dir, by);
        let detail = format!("{} held {} ms", super::session::direction_words(dir), by.as_millis());
        let data = json!({"dir": dir, "millis": by.as_millis() as u64});
        self.emit(Some(name.to_string()), vec![state("delay", Some(detail), data)])
            .await;
        Ok(())
    }

    fn forget(&self, name: &str) {
        self.sessions().remove(name);
    }

    /// The upstream's URL for a request: its path prefix, then the request's path and query.
    /// Set on a copy of the parsed upstream rather than parsed whole from a string: the
    /// scheme and host (IDNA and all) were checked once, at start (a tenth of the tap's
    /// CPU on the polling path went to parsing the same host again for every request).
    fn upstream_url(&self, uri: &hyper::Uri) -> url::Url {
        let mut url = self.upstream.clone();
        let path = format!("{}{}", self.upstream.path().trim_end_matches('/'), uri.path());
        url.set_path(&path);
        url.set_query(uri.query());
        url
    }

    fn bad_gateway(&self, why: &str) -> Reply {
        let body = format!("sio tap: the upstream {} did not answer: {why}\n", self.upstream);
        let mut reply = Response::new(reqwest::Body::from(body));
        *reply.status_mut() = StatusCode::BAD_GATEWAY;
        reply.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        reply
    }

    async fn polling(&self, req: Request<Incoming>, peer: SocketAddr, eio: EioQuery) -> Reply {
        let started = Instant::now();
        let (parts, body) = req.into_parts();
        let client = client_of(&parts.headers, peer);
        let url = self.upstream_url(&parts.uri);
        let body = match body.collect().await {
            Ok(b) => b.to_bytes(),
            // The client went away mid-body: nothing reached the upstream.
            Err(_) => return status_only(StatusCode::BAD_REQUEST),
        };
        let session = self.session_for(&eio, client, Transport::Polling);
        let (mut cut, delay_out, delay_in) = {
            let s = lock(&session);
            (s.cut_signal(), s.delay(Direction::Out), s.delay(Direction::In))
        };
        let mut http = exchange(&parts, url.as_str());
        let mut bodies = Vec::new();
        let already_cut = *cut.borrow();
        if already_cut {
            http.status = Some(502);
            http.error = Some("cut by sio tap: not forwarded".into());
            self.emit(Some(eio.sid.unwrap_or_default()), vec![Body::Http(http)])
                .await;
            return cut_reply();
        }
        // What the client sent is recorded as it arrives, not once the upstream answered:
        // an answer on a concurrent GET must not come before the emit that caused it.
        if parts.method == Method::POST {
            let (name, sent) = {
                let mut s = lock(&session);
                let sent = s.polling(Direction::Out, &body);
                (s.name.clone(), sent)
            };
            // Forgotten before its record goes out: whoever reads "session closed" finds it gone.
            if closes(&sent) {
                self.forget(&name);
            }
            self.emit(Some(name), sent).await;
        }
        let round_trip = async {
            hold(delay_out).await;
            let target = &url[url::Position::BeforePath..];
            let to_upstream = headers::to_upstream(&parts.headers, peer.ip(), false);
            let answer = self
                .polling_client
                .send(parts.method.clone(), target, to_upstream, body)
                .await?;
            hold(delay_in).await;
            Ok::<_, String>((answer.status, answer.headers, answer.body))
        };
        let answer = tokio::select! {
            a = round_trip => a,
            // The guard `wait_for` gives is dropped inside: it may not live across an await.
            () = async { drop(cut.wait_for(|c| *c).await) } => {
                // What the request carried is still shown; whether it reached the server is not known.
                http.status = Some(502);
                http.error = Some("cut by sio tap before the answer".into());
                bodies.push(Body::Http(http));
                let name = lock(&session).name.clone();
                self.emit(Some(name), bodies).await;
                return cut_reply();
            }
        };
        let (status, response_headers, answer) = match answer {
            Ok(ok) => ok,
            Err(why) => {
                let record = failed(http, &why, started);
                bodies.push(record);
                let name = lock(&session).name.clone();
                self.emit(Some(name), bodies).await;
                return self.bad_gateway(&why);
            }
        };
        http.status = Some(status.as_u16());
        http.response_headers = headers::listed(&response_headers);
        http.body_length = Some(answer.len());
        http.millis = Some(millis(started));
        bodies.push(Body::Http(http));
        if parts.method == Method::GET && status == StatusCode::OK {
            let answered = lock(&session).polling(Direction::In, &answer);
            let sid = Session::announced_sid(&answered);
            bodies.extend(answered);
            if let Some(sid) = sid {
                self.name_session(&session, &sid, &mut bodies);
            }
        }
        let name = lock(&session).name.clone();
        if eio.sid.is_some() && status == StatusCode::BAD_REQUEST {
            // engine.io's "Session ID unknown" and the like: the session is over here.
            self.forget(&name);
            bodies.push(state(
                "session refused",
                Some(format!("the server answered 400: {}", String::from_utf8_lossy(&answer))),
                json!({}),
            ));
        } else if closes(&bodies) {
            self.forget(&name);
        }
        self.emit(Some(name), bodies).await;
        let mut reply = Response::new(reqwest::Body::from(answer));
        *reply.status_mut() = status;
        *reply.headers_mut() = headers::to_client(&response_headers, false);
        reply
    }

    /// Everything that is not Engine.IO: streamed both ways, recorded as one exchange.
    async fn plain(&self, req: Request<Incoming>, peer: SocketAddr) -> Reply {
        let started = Instant::now();
        let (parts, body) = req.into_parts();
        let url = self.upstream_url(&parts.uri);
        let mut http = exchange(&parts, url.as_str());
        let sent = self
            .client
            .request(parts.method.clone(), url)
            .headers(headers::to_upstream(&parts.headers, peer.ip(), false))
            .body(reqwest::Body::wrap_stream(body.into_data_stream()))
            .send()
            .await;
        http.millis = Some(millis(started));
        match sent {
            Ok(response) => {
                let status = response.status();
                http.status = Some(status.as_u16());
                http.response_headers = headers::listed(response.headers());
                http.body_length = response.content_length().map(|n| n as usize);
                let response_headers = headers::to_client(response.headers(), false);
                self.emit(None, vec![Body::Http(http)]).await;
                let mut reply = Response::new(reqwest::Body::wrap_stream(response.bytes_stream()));
                *reply.status_mut() = status;
                *reply.headers_mut() = response_headers;
                reply
            }
            Err(e) => {
                let why = error_chain(&e);
                let record = failed(http, &why, started);
                self.emit(None, vec![record]).await;
                self.bad_gateway(&why)
            }
        }
    }

    /// A WebSocket handshake: forwarded; on 101 both sides' bytes are joined.
    async fn websocket(self: Arc<Self>, mut req: Request<Incoming>, peer: SocketAddr, eio: Option<EioQuery>) -> Reply {
        let started = Instant::now();
        let client_side = hyper::upgrade::on(&mut req);
        let (parts, _) = req.into_parts();
        let client = client_of(&parts.headers, peer);
        let url = self.upstream_url(&parts.uri);
        let session = eio.as_ref().map(|e| self.session_for(e, client, Transport::Websocket));
        let name = |s: &Option<Shared>| s.as_ref().map(|s| lock(s).name.clone());
        let mut http = exchange(&parts, url.as_str());
        let sent = self
            .client
            .request(parts.method.clone(), url)
            .headers(headers::to_upstream(&parts.headers, peer.ip(), true))
            .send()
            .await;
        http.millis = Some(millis(started));
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                let why = error_chain(&e);
                let record = failed(http, &why, started);
                self.emit(name(&session), vec![record]).await;
                return self.bad_gateway(&why);
            }
        };
        let status = response.status();
        http.status = Some(status.as_u16());
        http.response_headers = headers::listed(response.headers());
        if status != StatusCode::SWITCHING_PROTOCOLS {
            // Refused (400 Session ID unknown, Bad request…): the client gets the answer as it was.
            let response_headers = headers::to_client(response.headers(), false);
            let answer = response.bytes().await.unwrap_or_default();
            http.body_length = Some(answer.len());
            self.emit(name(&session), vec![Body::Http(http)]).await;
            let mut reply = Response::new(reqwest::Body::from(answer));
            *reply.status_mut() = status;
            *reply.headers_mut() = response_headers;
            return reply;
        }
        let reply_headers = headers::to_client(response.headers(), true);
        self.emit(name(&session), vec![Body::Http(http)]).await;
        let tap = self.clone();
        tokio::spawn(async move {
            let (Ok(upstream), Ok(client)) = (response.upgrade().await, client_side.await) else {
                tap.emit(
                    name(&session),
                    vec![state(
                        "websocket failed",
                        Some("the upgrade did not complete".into()),
                        json!({}),
                    )],
                )
                .await;
                return;
            };
            let client = hyper_util::rt::TokioIo::new(client);
            let (client_read, client_write) = tokio::io::split(client);
            let (upstream_read, upstream_write) = tokio::io::split(upstream);
            let outward = tap
                .clone()
                .pump(session.clone(), Direction::Out, client_read, upstream_write);
            let inward = tap
                .clone()
                .pump(session.clone(), Direction::In, upstream_read, client_write);
            tokio::join!(outward, inward);
            let mut bodies = vec![state("websocket closed", None, json!({}))];
            if let Some(s) = &session {
                let (n, over) = {
                    let s = lock(s);
                    (s.name.clone(), s.transport == Transport::Websocket)
                };
                if over {
                    tap.forget(&n);
                    bodies.push(state("session closed", Some("its WebSocket ended".into()), json!({})));
                }
            }
            tap.emit(name(&session), bodies).await;
        });
        let mut reply = Response::new(reqwest::Body::from(Vec::new()));
        *reply.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        *reply.headers_mut() = reply_headers;
        reply
    }

    /// Copies one direction through as it comes, then reads what passed.
    async fn pump<R, W>(self: Arc<Self>, session: Option<Shared>, dir: Direction, mut from: R, mut to: W)
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let mut reader = WsReader::new(self.max_message);
        let mut buf = vec![0u8; 64 * 1024];
        let mut cut = session.as_ref().map(|s| lock(s).cut_signal());
        loop {
            let cut_now = async {
                match cut.as_mut() {
                    Some(c) => drop(c.wait_for(|c| *c).await),
                    None => std::future::pending().await,
                }
            };
            let n = tokio::select! {
                r = from.read(&mut buf) => match r {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                },
                _ = cut_now => break,
            };
            hold(session.as_ref().map_or(Duration::ZERO, |s| lock(s).delay(dir))).await;
            if to.write_all(&buf[..n]).await.is_err() || to.flush().await.is_err() {
                break;
            }
            let Some(session) = &session else { continue };
            let messages = reader.push(&buf[..n]);
            if messages.is_empty() {
                continue;
            }
            let mut bodies = Vec::new();
            {
                let mut s = lock(session);
                for m in messages {
                    bodies.extend(s.websocket(dir, m));
                }
            }
            if let Some(sid) = Session::announced_sid(&bodies) {
                self.name_session(session, &sid, &mut bodies);
            }
            let name = lock(session).name.clone();
            self.emit(Some(name), bodies).await;
        }
        let _ = to.shutdown().await;
    }
}

/// The record of one request, filled in as the answer comes.
fn exchange(parts: &hyper::http::request::Parts, url: &str) -> HttpRecord {
    HttpRecord {
        method: parts.method.to_string(),
        url: url.to_string(),
        status: None,
        request_headers: headers::listed(&parts.headers),
        response_headers: Vec::new(),
        body_length: None,
        millis: None,
        error: None,
    }
}

/// An upstream that did not answer: the exchange's record says why.
fn failed(mut http: HttpRecord, why: &str, started: Instant) -> Body {
    http.status = Some(502);
    http.error = Some(format!("upstream: {why}"));
    http.millis = Some(millis(started));
    Body::Http(http)
}

/// Waits out a delay set from the middle. None is no wait at all: a zero sleep still
/// waits for the timer's next tick (about a millisecond).
async fn hold(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

fn lock(session: &Shared) -> std::sync::MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|p| p.into_inner())
}

fn closes(bodies: &[Body]) -> bool {
    bodies
        .iter()
        .any(|b| matches!(b, Body::State(s) if s.state == "session closed"))
}

fn client_of(h: &hyper::HeaderMap, peer: SocketAddr) -> Client {
    Client {
        peer: peer.to_string(),
        user_agent: h
            .get(header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    }
}

/// A request of a session cut from the middle: refused, as a server gone away would be.
fn cut_reply() -> Reply {
    let mut reply = Response::new(reqwest::Body::from("sio tap: this session was cut\n"));
    *reply.status_mut() = StatusCode::BAD_GATEWAY;
    reply
}

fn status_only(status: StatusCode) -> Reply {
    let mut reply = Response::new(reqwest::Body::from(Vec::new()));
    *reply.status_mut() = status;
    reply
}

fn millis(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// reqwest's own message is "error sending request": the causes say what happened.
fn error_chain(e: &reqwest::Error) -> String {
    super::upstream::chain(e)
}
