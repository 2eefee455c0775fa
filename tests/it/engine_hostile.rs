//! Bad input from a hostile test server (std threads, no Node): refused
//! connections, HTTP errors, handshakes that are not Engine.IO, garbage
//! frames, connections cut in the middle of the upgrade, servers that stop
//! pinging or ponging. Each time the engine must say what went wrong in a
//! record a person can act on, and never panic or hang.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use serde_json::json;
use sio::engine::{EioChoice, Options, TransportMode};
use sio::record::{Body, Direction, Transport};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket};

use crate::engine_util::{Client, WAIT, is_state, opts};

// ----- the hostile server -----

/// One HTTP request as the hostile server read it.
#[derive(Clone, Debug)]
struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_websocket(&self) -> bool {
        self.header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    }

    fn has_sid(&self) -> bool {
        self.target.contains("sid=")
    }
}

type WsScript = Box<dyn FnOnce(WebSocket<TcpStream>) + Send>;

/// What the hostile server does with a request.
enum Reply {
    Http(u16, &'static str, Vec<u8>),
    /// Keep the connection open and never answer.
    Hang,
    /// Close the connection without a word.
    Cut,
    /// Complete the WebSocket handshake and hand the socket to a script.
    Ws(WsScript),
}

fn text(status: u16, body: &str) -> Reply {
    Reply::Http(status, "text/plain; charset=UTF-8", body.as_bytes().to_vec())
}

/// A server on 127.0.0.1 that answers each request (one per connection) as `handler` says.
struct Hostile {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let (log, stopped) = (requests.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (handler, log) = (handler.clone(), log.clone());
                thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        Hostile { port, requests, stop }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits (blocking the worker, not the runtime) until a request matches.
    fn wait_request(&self, what: &str, pred: impl Fn(&Request) -> bool) -> Request {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(r) = self.requests().into_iter().find(&pred) {
                return r;
            }
            if std::time::Instant::now() > deadline {
                panic!("the hostile server saw no {what}; it saw {:#?}", self.requests());
            }
            tokio::task::block_in_place(|| thread::sleep(Duration::from_millis(5)));
        }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(stream: TcpStream, handler: &(dyn Fn(&Request) -> Reply + Send + Sync), log: &Mutex<Vec<Request>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Some(request) = read_request(&stream) else { return };
    log.lock().unwrap().push(request.clone());
    let mut stream = stream;
    match handler(&request) {
        Reply::Http(status, content_type, body) => {
            let head = format!(
                "HTTP/1.1 {status} Hostile\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
        Reply::Hang => {
            // Until the client goes away (or the safety timeout).
            let mut buf = [0u8; 256];
            while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        }
        Reply::Cut => {}
        Reply::Ws(script) => {
            let key = request.header("sec-websocket-key").unwrap_or_default();
            let head = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                derive_accept_key(key.as_bytes())
            );
            if stream.write_all(head.as_bytes()).is_ok() {
                script(WebSocket::from_raw_socket(stream, Role::Server, None));
            }
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn open_packet(upgrades: &[&str], interval: u64, timeout: u64) -> String {
    format!(
        "0{}",
        json!({"sid": "hostile-sid", "upgrades": upgrades, "pingInterval": interval, "pingTimeout": timeout, "maxPayload": 1000000})
    )
}

/// Reads messages until the client sends this text; false if the socket ends first.
fn read_until(ws: &mut WebSocket<TcpStream>, wanted: &str) -> bool {
    loop {
        match ws.read() {
            Ok(Message::Text(t)) if t.as_str() == wanted => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

/// Runs the engine until its record stream ends; returns the `closed` detail.
async fn run_to_close(c: &mut Client) -> String {
    let closed = c.state("closed").await;
    c.drain_to_end().await;
    closed.detail.unwrap_or_default()
}

fn no_reconnect(url: &str) -> Options {
    Options {
        reconnect: false,
        ..opts(url)
    }
}

// ----- connection-level failures -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_on_a_closed_port() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let refused = format!("connection refused at 127.0.0.1:{port}");
    for transport in [TransportMode::Polling, TransportMode::Websocket] {
        let mut c = Client::start(Options {
            transport,
            reconnect_attempts: Some(1),
            ..opts(&format!("http://127.0.0.1:{port}"))
        });
        let lost = c.state("disconnected").await;
        assert_eq!(lost.detail.as_deref(), Some(refused.as_str()), "{transport:?}");
        let again = c.state("reconnecting").await;
        assert_eq!(again.data["attempt"], json!(1));
        c.state("disconnected").await;
        let detail = run_to_close(&mut c).await;
        assert_eq!(
            detail,
            format!("gave up after 1 reconnect attempt(s): {refused}"),
            "{transport:?}"
        );
        let http = c.http_records();
        assert!(
            http.iter().all(|h| h.error.as_deref() == Some(refused.as_str())),
            "the transport records say it too: {http:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_never_answered_times_out() {
    let server = Hostile::start(|_| Reply::Hang);
    let mut c = Client::start(Options {
        timeout: Duration::from_millis(300),
        ..no_reconnect(&server.url())
    });
    let detail = run_to_close(&mut c).await;
    assert_eq!(detail, "no Engine.IO handshake within 0.3 s (--timeout)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_on_the_handshake() {
    let cases: [(Reply, &str); 4] = [
        (
            Reply::Http(500, "text/html", Vec::new()),
            "server answered 500 Internal Server Error",
        ),
        (
            Reply::Http(
                400,
                "application/json",
                br#"{"code":5,"message":"Unsupported protocol version"}"#.to_vec(),
            ),
            "server answered 400 Unsupported protocol version (code 5)",
        ),
        (
            text(404, "Cannot GET /socket.io/"),
            "server answered 404 Cannot GET /socket.io/",
        ),
        (Reply::Cut, ""),
    ];
    for (reply, expected) in cases {
        let reply = Mutex::new(Some(reply));
        let server = Hostile::start(move |_| reply.lock().unwrap().take().unwrap_or(Reply::Cut));
        let mut c = Client::start(no_reconnect(&server.url()));
        let detail = run_to_close(&mut c).await;
        if expected.is_empty() {
            // A connection closed before any answer.
            assert!(
                detail.contains(&format!("127.0.0.1:{}", server.port)),
                "names the server: {detail}"
            );
        } else {
            assert_eq!(detail, expected);
        }
        assert_eq!(c.states("disconnected").len(), 1, "{}", c.dump());
    }
}

/// 200 answers that are not an Engine.IO handshake, over polling and over a WebSocket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_handshakes() {
    let bodies: [&[u8]; 6] = [
        b"<html><body>It works!</body></html>",
        br#"0{"sid":"x","#,
        br#"0{"upgrades":[]}"#,
        b"",
        b"\xff\xfe\x00garbage",
        b"40",
    ];
    for body in bodies {
        let owned = body.to_vec();
        let server = Hostile::start(move |_| Reply::Http(200, "text/plain; charset=UTF-8", owned.clone()));
        let mut c = Client::start(Options {
            transport: TransportMode::Polling,
            ..no_reconnect(&server.url())
        });
        let detail = run_to_close(&mut c).await;
        assert!(
            detail.starts_with("the server's first packet was not an Engine.IO open packet: "),
            "{:?}: {detail}\n{}",
            String::from_utf8_lossy(body),
            c.dump()
        );
        if body.starts_with(b"<html>") {
            assert!(detail.contains("--path"), "{detail}");
        }
        // Nothing before an open packet is acted on (the `40` is recorded, not obeyed).
        assert!(
            !c.seen.iter().any(|r| is_state(r, "namespace connected")),
            "{}",
            c.dump()
        );
    }
    for first in ["hello", r#"0{"sid":"#, "40"] {
        let server = Hostile::start(move |r| {
            if !r.is_websocket() {
                return text(400, "websocket only");
            }
            Reply::Ws(Box::new(move |mut ws| {
                let _ = ws.send(Message::text(first));
                let _ = ws.read();
            }))
        });
        let mut c = Client::start(Options {
            transport: TransportMode::Websocket,
            ..no_reconnect(&server.url())
        });
        let detail = run_to_close(&mut c).await;
        assert!(
            detail.contains("not an Engine.IO open packet"),
            "{first:?}: {detail}\n{}",
            c.dump()
        );
        assert!(
            !c.seen.iter().any(|r| is_state(r, "namespace connected")),
            "{}",
            c.dump()
        );
        // The offending frame is on the record.
        assert!(
            c.frames().iter().any(|f| f == &format!("< {first}")),
            "{first:?} recorded\n{}",
            c.dump()
        );
    }
}

// ----- garbage after a good handshake -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_frames_over_websocket() {
    let garbage: Vec<Message> = vec![
        Message::text("zzz"),
        Message::text(""),
        Message::text("4"),
        Message::text("42["),
        Message::text(r#"42{"not":"an array"}"#),
        Message::text("439[\"nobody asked\"]"),
        Message::text(r#"451-["half",{"_placeholder":true,"num":0}]"#),
        Message::text(r#"42["interrupts the binary packet"]"#),
        Message::binary(vec![0xff, 0x00, 0x01]),
        Message::text("9999999999999999999999"),
        Message::text(r#"44/nowhere,{"message":"never asked"}"#),
        Message::text(r#"42["still alive"]"#),
    ];
    let count = garbage.len();
    let script = Mutex::new(Some(garbage));
    let server = Hostile::start(move |r| {
        if !r.is_websocket() {
            return text(400, "websocket only");
        }
        let garbage = script.lock().unwrap().take().unwrap_or_default();
        Reply::Ws(Box::new(move |mut ws| {
            let _ = ws.send(Message::text(open_packet(&[], 10_000, 10_000)));
            if !read_until(&mut ws, "40") {
                return;
            }
            let _ = ws.send(Message::text(r#"40{"sid":"nsp-sid"}"#));
            for m in garbage {
                let _ = ws.send(m);
            }
            // Hold the socket until the client says goodbye.
            let _ = read_until(&mut ws, "never");
        }))
    });
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        ..no_reconnect(&server.url())
    });
    c.state("namespace connected").await;
    c.frame(Direction::In, r#"42["still alive"]"#).await;
    let unmatched = c.states("unmatched ack");
    assert_eq!(unmatched.len(), 1, "{}", c.dump());
    assert_eq!(unmatched[0].data["id"], json!(9));
    // Every frame is on the record, and the bad ones say why.
    let after: Vec<_> = c
        .seen
        .iter()
        .filter_map(|r| r.frame())
        .filter(|f| f.dir == Some(Direction::In))
        .skip(2)
        .collect();
    assert_eq!(after.len(), count, "{}", c.dump());
    for (i, f) in after.iter().enumerate() {
        let expect_error = !matches!(i, 5 | 6 | 10 | 11);
        assert_eq!(
            f.decoded.error.is_some(),
            expect_error,
            "frame #{i} {:?} error: {:?}",
            f.raw,
            f.decoded.error
        );
    }
    // The session still works: an emit goes out.
    c.emit("/", "after", vec![json!(1)], vec![], false).await;
    c.frame(Direction::Out, r#"42["after",1]"#).await;
    c.disconnect().await;
}

/// Polling answers that break the payload framing, then a POST answered 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_polling_payloads_then_a_500() {
    let polls = AtomicUsize::new(0);
    let server = Hostile::start(move |r| {
        if r.is_websocket() {
            return text(400, "no");
        }
        if !r.has_sid() {
            return text(200, &open_packet(&[], 10_000, 10_000));
        }
        if r.method == "POST" {
            return if String::from_utf8_lossy(&r.body).contains("boom") {
                Reply::Http(500, "text/html", Vec::new())
            } else {
                text(200, "ok")
            };
        }
        match polls.fetch_add(1, Ordering::SeqCst) {
            0 => text(200, "40{\"sid\":\"nsp-sid\"}\u{1e}42[\"ok\"]"),
            1 => Reply::Http(
                200,
                "application/octet-stream",
                b"4a\x1e\xff\xfe\x1e42[\x1e\x1e".to_vec(),
            ),
            2 => text(200, "42[\"after the garbage\"]"),
            _ => Reply::Hang,
        }
    });
    let mut c = Client::start(Options {
        transport: TransportMode::Polling,
        ..no_reconnect(&server.url())
    });
    c.state("namespace connected").await;
    c.frame(Direction::In, r#"42["after the garbage"]"#).await;
    let bad: Vec<_> = c
        .seen
        .iter()
        .filter_map(|r| r.frame())
        .filter(|f| f.decoded.error.is_some())
        .collect();
    assert!(
        !bad.is_empty(),
        "the garbage is on the record with its errors\n{}",
        c.dump()
    );

    c.emit("/", "boom", vec![], vec![], false).await;
    let lost = c.state("disconnected").await;
    assert_eq!(
        lost.detail.as_deref(),
        Some("server answered 500 Internal Server Error")
    );
    let detail = run_to_close(&mut c).await;
    assert_eq!(detail, "server answered 500 Internal Server Error");
    let http = c.http_records();
    assert!(
        http.iter().any(|h| h.method == "POST" && h.status == Some(500)),
        "{http:?}"
    );
}

// ----- the upgrade cut short -----

/// How the hostile server breaks the upgrade.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cut {
    /// Close the TCP connection instead of answering the WebSocket handshake.
    BeforeHandshake,
    /// Complete the handshake, then close when `2probe` arrives.
    AtProbe,
    /// Answer `3probe`, never release the pending GET, close when the test says so.
    DuringPause,
}

async fn upgrade_cut(cut: Cut) {
    let (cut_tx, cut_rx) = mpsc::channel::<()>();
    let cut_rx = Mutex::new(Some(cut_rx));
    // The number of GETs with a sid so far; the probe is answered only once the
    // second one (which is never answered) is pending, so no answer can release
    // the pause but the noop this server never sends.
    let polls = Arc::new((Mutex::new(0usize), Condvar::new()));
    let polls_ws = polls.clone();
    let server = Hostile::start(move |r| {
        if r.is_websocket() {
            let signal = cut_rx.lock().unwrap().take();
            let polls = polls_ws.clone();
            return match cut {
                Cut::BeforeHandshake => Reply::Cut,
                Cut::AtProbe => Reply::Ws(Box::new(|mut ws| {
                    read_until(&mut ws, "2probe");
                })),
                Cut::DuringPause => Reply::Ws(Box::new(move |mut ws| {
                    if read_until(&mut ws, "2probe") {
                        let (count, changed) = &*polls;
                        let count = count.lock().unwrap();
                        drop(changed.wait_timeout_while(count, WAIT, |n| *n < 2).unwrap());
                        let _ = ws.send(Message::text("3probe"));
                        if let Some(signal) = signal {
                            let _ = signal.recv_timeout(WAIT);
                        }
                    }
                    // Dropped without a close frame: the connection is cut.
                })),
            };
        }
        if !r.has_sid() {
            return text(200, &open_packet(&["websocket"], 10_000, 10_000));
        }
        if r.method == "POST" {
            return text(200, "ok");
        }
        let n = {
            let (count, changed) = &*polls;
            let mut count = count.lock().unwrap();
            *count += 1;
            changed.notify_all();
            *count
        };
        match n {
            1 => text(200, r#"40{"sid":"nsp-sid"}"#),
            _ => Reply::Hang,
        }
    });
    let mut c = Client::start(Options {
        transport: TransportMode::Auto,
        ..no_reconnect(&server.url())
    });
    c.state("namespace connected").await;
    if cut == Cut::DuringPause {
        c.frame(Direction::In, "3probe").await;
        let pausing = c.state("upgrading").await;
        assert!(pausing.detail.unwrap().contains("pausing"));
        // Made while polling is paused: it waits in the queue.
        c.emit("/", "queued", vec![json!("during the pause")], vec![], false)
            .await;
        cut_tx.send(()).unwrap();
    }
    let failed = c.ever_state("upgrade failed").await;
    assert!(
        failed.detail.as_deref().unwrap().ends_with("staying on polling"),
        "{failed:?}"
    );
    assert!(c.states("upgraded").is_empty());

    // Still on polling: what was queued goes out at once, what comes next too.
    if cut == Cut::DuringPause {
        let queued = c.frame(Direction::Out, r#"42["queued","during the pause"]"#).await;
        assert_eq!(queued.transport, Some(Transport::Polling));
        server.wait_request("the POST of the packet queued during the pause", |r| {
            r.method == "POST" && String::from_utf8_lossy(&r.body).contains("during the pause")
        });
    }
    c.emit("/", "later", vec![json!(2)], vec![], false).await;
    let later = c.frame(Direction::Out, r#"42["later",2]"#).await;
    assert_eq!(later.transport, Some(Transport::Polling));
    server.wait_request("the POST after the failed upgrade", |r| {
        r.method == "POST" && String::from_utf8_lossy(&r.body).contains("later")
    });
    let seen = c.disconnect().await;
    assert!(
        !seen.iter().any(|r| is_state(r, "disconnected")),
        "the session survived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_cut_before_the_handshake() {
    upgrade_cut(Cut::BeforeHandshake).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_cut_at_the_probe() {
    upgrade_cut(Cut::AtProbe).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_cut_during_the_pause() {
    upgrade_cut(Cut::DuringPause).await;
}

// ----- heartbeats that stop -----

/// A rev-4 server that never pings: the engine notices after pingInterval + pingTimeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_that_stops_pinging() {
    let polls = AtomicUsize::new(0);
    let server = Hostile::start(move |r| {
        if !r.has_sid() {
            return text(200, &open_packet(&[], 100, 150));
        }
        if r.method == "POST" {
            return text(200, "ok");
        }
        match polls.fetch_add(1, Ordering::SeqCst) {
            0 => text(200, r#"40{"sid":"nsp-sid"}"#),
            _ => Reply::Hang,
        }
    });
    let mut c = Client::start(Options {
        transport: TransportMode::Polling,
        ..no_reconnect(&server.url())
    });
    c.state("namespace connected").await;
    let detail = run_to_close(&mut c).await;
    assert_eq!(
        detail,
        "no ping from the server within 250 ms (pingInterval + pingTimeout): ping timeout"
    );
}

/// A rev-3 server that takes the client's pings but never answers them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_server_that_stops_ponging() {
    let server = Hostile::start(|r| {
        if !r.is_websocket() {
            return text(400, "websocket only");
        }
        Reply::Ws(Box::new(|mut ws| {
            let _ = ws.send(Message::text(open_packet(&[], 100, 150)));
            let _ = ws.send(Message::text("40"));
            // Swallow everything, pings included.
            while ws.read().is_ok() {}
        }))
    });
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        eio: EioChoice::V3,
        ..no_reconnect(&server.url())
    });
    c.state("namespace connected").await;
    c.frame(Direction::Out, "2").await;
    let detail = run_to_close(&mut c).await;
    assert_eq!(detail, "no pong within 150 ms (pingTimeout): ping timeout");
    assert!(
        c.seen
            .iter()
            .any(|r| matches!(&r.body, Body::State(s) if s.state == "open" && s.data["eio"] == json!(3)))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binary_packet_cut_off_by_the_close_is_reported() {
    let server = Hostile::start(move |r| {
        if !r.is_websocket() {
            return text(400, "websocket only");
        }
        Reply::Ws(Box::new(move |mut ws| {
            let _ = ws.send(Message::text(open_packet(&[], 10_000, 10_000)));
            if !read_until(&mut ws, "40") {
                return;
            }
            let _ = ws.send(Message::text(r#"40{"sid":"nsp-sid"}"#));
            // Two attachments announced, one sent, then the server goes away.
            let _ = ws.send(Message::text(
                r#"452-["upload",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
            ));
            let _ = ws.send(Message::binary(vec![1, 2, 3]));
            let _ = ws.close(None);
        }))
    });
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        ..no_reconnect(&server.url())
    });
    c.state("namespace connected").await;
    let cut = c.state("malformed payload").await;
    let detail = cut.detail.clone().unwrap_or_default();
    assert_eq!(
        detail,
        "a binary packet was cut off: 2 attachments announced, 1 received",
        "{}",
        c.dump()
    );
    c.state("closed").await;
}
