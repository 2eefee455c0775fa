//! A hostile server for the tests: std threads on 127.0.0.1, one request per
//! connection, answered as the test says, so any byte can be wrong.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket};

/// How long `wait_request` waits.
pub const WAIT: Duration = Duration::from_secs(10);

// ----- the hostile server -----

/// One HTTP request as the hostile server read it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_websocket(&self) -> bool {
        self.header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    }

    pub fn has_sid(&self) -> bool {
        self.target.contains("sid=")
    }
}

pub type WsScript = Box<dyn FnOnce(WebSocket<TcpStream>) + Send>;

/// What the hostile server does with a request.
pub enum Reply {
    Http(u16, &'static str, Vec<u8>),
    /// Keep the connection open and never answer.
    Hang,
    /// Close the connection without a word.
    Cut,
    /// Complete the WebSocket handshake and hand the socket to a script.
    Ws(WsScript),
    /// `200` with a chunked body that never ends (stops after this many bytes, or
    /// when the client goes away).
    Endless(usize),
    /// `200` whose headers and body come one byte at a time, this far apart.
    Trickle(Vec<u8>, Duration),
    /// `302 Found` to this location.
    Redirect(String),
    /// A `101` whose `Sec-WebSocket-Accept` does not match the client's key.
    WrongAccept,
}

pub fn text(status: u16, body: &str) -> Reply {
    Reply::Http(status, "text/plain; charset=UTF-8", body.as_bytes().to_vec())
}

/// A server on 127.0.0.1 that answers each request (one per connection) as `handler` says.
pub struct Hostile {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Hostile {
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

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits (blocking the worker, not the runtime) until a request matches.
    pub fn wait_request(&self, what: &str, pred: impl Fn(&Request) -> bool) -> Request {
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
        Reply::WrongAccept => {
            let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let mut buf = [0u8; 256];
            while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        }
        Reply::Redirect(location) => {
            let head =
                format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(head.as_bytes());
        }
        Reply::Endless(limit) => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            let mut sent = 0;
            while sent < limit && stream.write_all(&framed).is_ok() {
                sent += chunk.len();
            }
        }
        Reply::Trickle(body, gap) => {
            let whole = [
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes(),
                body,
            ]
            .concat();
            for byte in whole {
                if stream.write_all(&[byte]).is_err() {
                    return;
                }
                thread::sleep(gap);
            }
        }
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

pub fn open_packet(upgrades: &[&str], interval: u64, timeout: u64) -> String {
    format!(
        "0{}",
        json!({"sid": "hostile-sid", "upgrades": upgrades, "pingInterval": interval, "pingTimeout": timeout, "maxPayload": 1000000})
    )
}

/// Reads messages until the client sends this text; false if the socket ends first.
pub fn read_until(ws: &mut WebSocket<TcpStream>, wanted: &str) -> bool {
    loop {
        match ws.read() {
            Ok(Message::Text(t)) if t.as_str() == wanted => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}
