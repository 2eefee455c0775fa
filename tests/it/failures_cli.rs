//! Misbehaving servers as a user meets them through the commands: each case must
//! end within its bound with the right exit code, one last stderr line
//! `sio: what failed: why`, no terminal control byte from the server on either
//! stream, and a `--record` file that is still valid NDJSON.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::support::hostile::{Hostile, Reply, open_packet, read_until, text};
use crate::support::node::{NodeServer, ServerKind};

/// What a finished `sio` run left.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    record: Vec<serde_json::Value>,
}

impl Outcome {
    fn last_error_line(&self) -> &str {
        self.stderr.lines().last().unwrap_or("")
    }

    fn context(&self) -> String {
        format!(
            "exit {:?} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.took, self.stdout, self.stderr
        )
    }

    /// The exit code, the reason on the last stderr line, and the time bound.
    fn failed_with(&self, code: i32, reason: &str, within: Duration) {
        let ctx = self.context();
        assert_eq!(self.code, Some(code), "{ctx}");
        let last = self.last_error_line();
        assert!(last.starts_with("sio: "), "last stderr line {last:?}\n{ctx}");
        assert!(
            last.contains(reason),
            "last stderr line {last:?} lacks {reason:?}\n{ctx}"
        );
        assert!(self.took < within, "took {:?}, bound {within:?}\n{ctx}", self.took);
        // Shown with --nocapture: how long each case takes to end.
        println!("ended in {:>6.0} ms: {last}", self.took.as_secs_f64() * 1000.0);
    }
}

/// Runs sio with a recording; kills it (and fails) if it outlives `hard_limit`.
fn sio(args: &[&str], stdin: &str, hard_limit: Duration) -> Outcome {
    let dir = std::env::temp_dir().join(format!("sio-failures-{}-{:?}", std::process::id(), Instant::now()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let record = dir.join("session.ndjson");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(args)
        .arg("--record")
        .arg(&record)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sio");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    let (mut out, mut err) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > hard_limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sio {args:?} still running after {hard_limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let (stdout, stderr) = (out_reader.join().expect("stdout"), err_reader.join().expect("stderr"));
    for (name, bytes) in [("stdout", &stdout), ("stderr", &stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text
                .chars()
                .any(|c| c == '\u{1b}' || ('\u{80}'..='\u{9f}').contains(&c)),
            "a terminal control character reached {name}: {text:?}"
        );
    }
    let recorded = std::fs::read_to_string(&record).unwrap_or_default();
    let record = recorded
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("--record line is not JSON ({e}): {l:?}")))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    Outcome {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        took,
        record,
    }
}

const LIMIT: Duration = Duration::from_secs(40);

/// The server's answer admitting `/`.
const CONNECTED: &str = r#"40{"sid":"s1"}"#;

fn script(body: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("sio-failures-{}-{:?}.sio", std::process::id(), Instant::now()));
    std::fs::write(&path, body).expect("write script");
    path
}

/// A server that opens an Engine.IO 4 session over polling and then answers every
/// GET with what `then` says (the CONNECT is read from POSTs and otherwise ignored).
fn polling_server(then: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Hostile {
    let gets = std::sync::atomic::AtomicUsize::new(0);
    Hostile::start(move |r| {
        if r.is_websocket() {
            return text(400, "no websocket here");
        }
        if r.method == "POST" {
            return text(200, "ok");
        }
        if !r.has_sid() {
            return text(200, &open_packet(&[], 25000, 20000));
        }
        then(gets.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    })
}

/// A WebSocket-only server: it answers the client's `40` with `connect_answer`, then
/// hands the socket to `script`.
fn websocket_server(
    connect_answer: &str,
    script: impl Fn(&mut tokio_tungstenite::tungstenite::WebSocket<TcpStream>) + Send + Sync + 'static,
) -> Hostile {
    let script = std::sync::Arc::new(script);
    let connect_answer = connect_answer.to_string();
    Hostile::start(move |r| {
        if !r.is_websocket() {
            return Reply::Http(
                400,
                "application/json",
                br#"{"code":0,"message":"Transport unknown"}"#.to_vec(),
            );
        }
        let (script, answer) = (script.clone(), connect_answer.clone());
        Reply::Ws(Box::new(move |mut ws| {
            let _ = ws.send(Message::text(open_packet(&[], 25000, 20000)));
            if read_until(&mut ws, "40") {
                let _ = ws.send(Message::text(answer));
                script(&mut ws);
            }
        }))
    })
}

// ----- handshake -----

#[test]
fn a_silent_server_bounds_run_by_the_timeout() {
    let server = Hostile::start(|_| Reply::Hang);
    let s = script("emit hi\n");
    let o = sio(
        &["run", &server.url(), s.to_str().unwrap(), "--timeout", "500ms"],
        "",
        LIMIT,
    );
    // Retried (a silent server may wake up) but never past run's own bound.
    o.failed_with(1, "cannot connect: not connected within", Duration::from_secs(15));
    assert!(
        o.last_error_line()
            .contains("the last attempt failed: no Engine.IO handshake within 0.5 s (--timeout)"),
        "{}",
        o.context()
    );
}

#[test]
fn a_trickling_handshake_is_cut_by_the_timeout() {
    let body = open_packet(&[], 25000, 20000).into_bytes();
    let server = Hostile::start(move |_| Reply::Trickle(body.clone(), Duration::from_millis(40)));
    let o = sio(
        &["listen", &server.url(), "--timeout", "1s", "--no-reconnect"],
        "",
        LIMIT,
    );
    o.failed_with(
        1,
        "no Engine.IO handshake within 1 s (--timeout)",
        Duration::from_secs(10),
    );
}

#[test]
fn an_endless_body_stops_at_max_payload() {
    let server = Hostile::start(|_| Reply::Endless(512 * 1024 * 1024));
    let o = sio(
        &["listen", &server.url(), "--max-payload", "2MiB", "--no-reconnect"],
        "",
        LIMIT,
    );
    o.failed_with(
        1,
        "larger than the limit of 2097152 bytes (--max-payload)",
        Duration::from_secs(20),
    );
}

#[test]
fn permanent_refusals_end_the_first_connection_without_retrying() {
    let cases: [(Reply, &str); 4] = [
        (
            text(404, "Cannot GET /socket.io/"),
            "server answered 404 Cannot GET /socket.io/",
        ),
        (
            Reply::Http(403, "application/json", br#"{"code":4,"message":"Forbidden"}"#.to_vec()),
            "server answered 403 Forbidden (code 4)",
        ),
        (
            Reply::Http(200, "text/html", b"<!doctype html><h1>It works</h1>".to_vec()),
            "an HTML page",
        ),
        (text(200, r#"0{"sid":"x","#), "not an Engine.IO open packet"),
    ];
    for (reply, reason) in cases {
        let reply = std::sync::Mutex::new(Some(reply));
        let server = Hostile::start(move |_| reply.lock().unwrap().take().unwrap_or(Reply::Cut));
        // No --no-reconnect: the default must not retry what will fail the same way.
        let o = sio(&["listen", &server.url()], "", LIMIT);
        o.failed_with(1, reason, Duration::from_secs(10));
        assert!(o.last_error_line().contains("not retried"), "{}", o.context());
        assert_eq!(server.requests().len(), 1, "one request, no retry: {}", o.context());
    }
}

#[test]
fn a_wrong_sec_websocket_accept_is_named() {
    let server = Hostile::start(|_| Reply::WrongAccept);
    let o = sio(&["listen", &server.url(), "--transport", "websocket"], "", LIMIT);
    o.failed_with(
        1,
        "the server's Sec-WebSocket-Accept does not match our key",
        Duration::from_secs(10),
    );
    assert_eq!(server.requests().len(), 1, "not retried: {}", o.context());
}

#[test]
fn a_redirect_loop_is_named() {
    let server = Hostile::start(|r| Reply::Redirect(r.target.clone()));
    let o = sio(&["listen", &server.url()], "", LIMIT);
    o.failed_with(
        1,
        "redirected more than 10 times: a redirect loop?",
        Duration::from_secs(10),
    );
}

#[test]
fn a_ping_flood_is_answered_and_the_session_goes_on() {
    let server = websocket_server(CONNECTED, |ws| {
        for _ in 0..5000 {
            let _ = ws.send(Message::text("2"));
        }
        let _ = ws.send(Message::text(r#"42["after-the-flood"]"#));
        let _ = read_until(ws, "never");
    });
    let s = script("expect after-the-flood --within 20s\n");
    let o = sio(&["run", &server.url(), s.to_str().unwrap()], "", LIMIT);
    assert_eq!(o.code, Some(0), "{}", o.context());
    let pongs = o
        .record
        .iter()
        .filter(|r| r["dir"] == "out" && r["raw"]["text"] == "3")
        .count();
    assert_eq!(pongs, 5000, "every ping answered, in the recording");
}

#[test]
fn an_unknown_host_fails_at_once_with_a_scheme_hint() {
    let o = sio(&["emit", "no-such-host.invalid:3000", "hi"], "", LIMIT);
    o.failed_with(
        1,
        r#"cannot resolve the host name "no-such-host.invalid""#,
        Duration::from_secs(10),
    );
    assert!(
        o.last_error_line()
            .contains("did you mean http://no-such-host.invalid:3000 or https://no-such-host.invalid:3000?"),
        "{}",
        o.context()
    );
}

#[test]
fn an_absurd_ping_interval_is_taken_without_a_panic() {
    let server = Hostile::start(|r| {
        if r.has_sid() {
            return Reply::Hang;
        }
        let open = json!({"sid": "s", "upgrades": [], "pingInterval": u64::MAX, "pingTimeout": u64::MAX});
        text(200, &format!("0{open}"))
    });
    let o = sio(
        &["listen", &server.url(), "--timeout", "1s", "--no-reconnect", "--frames"],
        "",
        LIMIT,
    );
    // The server never answers the CONNECT: that bounds the run, not the heartbeat.
    o.failed_with(
        1,
        "the server did not answer the CONNECT within 1 s",
        Duration::from_secs(10),
    );
    assert!(
        o.stdout.contains("18446744073709551615"),
        "the open packet is shown as sent\n{}",
        o.context()
    );
}

// ----- namespaces -----

#[test]
fn a_connect_never_answered_fails_run_and_connect_naming_the_namespace() {
    // Noops for ever keep the session alive; the CONNECT is never answered.
    let server = polling_server(|_| text(200, "6"));
    let s = script("emit hi\n");
    let o = sio(
        &["run", &server.url(), s.to_str().unwrap(), "--timeout", "1s"],
        "",
        LIMIT,
    );
    o.failed_with(
        1,
        "/: the server did not answer the CONNECT within 1 s (--timeout)",
        Duration::from_secs(10),
    );
    let o = sio(
        &[
            "connect",
            &format!("{}/admin", server.url()),
            "--no-tui",
            "--timeout",
            "1s",
        ],
        "emit hi\n",
        LIMIT,
    );
    o.failed_with(
        1,
        "/admin: the server did not answer the CONNECT",
        Duration::from_secs(10),
    );
}

#[test]
fn a_garbage_connect_answer_is_shown_and_still_bounded() {
    let server = polling_server(|n| {
        if n == 0 {
            text(200, "4zz\u{1e}40{not json")
        } else {
            Reply::Hang
        }
    });
    let o = sio(
        &["listen", &server.url(), "--timeout", "1s", "--no-reconnect"],
        "",
        LIMIT,
    );
    o.failed_with(1, "did not answer the CONNECT within 1 s", Duration::from_secs(10));
    assert!(o.stdout.contains("malformed"), "{}", o.context());
}

#[test]
fn refusals_with_escape_sequences_and_odd_data_are_named_safely() {
    let answers = [
        (r#"44{"message":"\u001b[2J\u001b]0;pwned\u0007denied"}"#, r"\x1b[2J"),
        (r#"44{"message":42,"data":[1,{"a":null}]}"#, "refused: 42"),
        // The reference parser takes a string too (an array it calls malformed, as sio does).
        (r#"44"go away""#, "/ refused: go away"),
    ];
    for (answer, shown) in answers {
        let server = websocket_server(answer, |ws| {
            let _ = read_until(ws, "never");
        });
        let o = sio(&["emit", &server.url(), "hi"], "", LIMIT);
        o.failed_with(1, shown, Duration::from_secs(10));
    }
}

// ----- frames -----

#[test]
fn websocket_failures_are_named() {
    type Case = (
        &'static str,
        Box<dyn Fn(&mut tokio_tungstenite::tungstenite::WebSocket<TcpStream>) + Send + Sync>,
    );
    let cases: Vec<Case> = vec![
        (
            "a WebSocket message of 5000 bytes, over the limit of 1024 bytes (--max-payload",
            Box::new(|ws| {
                let _ = ws.send(Message::text(format!("42[\"big\",\"{}\"]", "x".repeat(4988))));
                let _ = read_until(ws, "never");
            }),
        ),
        (
            "closed the WebSocket with 1011 (internal error): boom",
            Box::new(|ws| {
                let _ = ws.close(Some(CloseFrame {
                    code: CloseCode::Error,
                    reason: "boom\u{1b}[31m".into(),
                }));
                let _ = read_until(ws, "never");
            }),
        ),
        (
            "text frame that is not valid UTF-8",
            Box::new(|ws| {
                // FIN + text, 3 bytes, unmasked: an invalid UTF-8 sequence.
                let _ = ws.get_mut().write_all(&[0x81, 0x03, 0xff, 0xfe, 0x41]);
                let _ = read_until(ws, "never");
            }),
        ),
        (
            "masked frame",
            Box::new(|ws| {
                let payload = b"42[\"m\"]";
                let mask = [1u8, 2, 3, 4];
                let mut frame = vec![0x81, 0x80 | payload.len() as u8];
                frame.extend_from_slice(&mask);
                frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
                let _ = ws.get_mut().write_all(&frame);
                let _ = read_until(ws, "never");
            }),
        ),
    ];
    for (reason, behaviour) in cases {
        let server = websocket_server(CONNECTED, behaviour);
        let s = script("expect never --within 10s\n");
        let o = sio(
            &[
                "run",
                &server.url(),
                s.to_str().unwrap(),
                "--max-payload",
                "1KiB",
                "--no-reconnect",
            ],
            "",
            LIMIT,
        );
        o.failed_with(1, reason, Duration::from_secs(10));
        assert!(
            o.record.iter().any(|r| r["state"] == "closed"),
            "the recording ends with the close\n{}",
            o.context()
        );
    }
}

// ----- acks -----

#[test]
fn acks_never_twice_and_unknown_are_told_apart() {
    let server = websocket_server(CONNECTED, |ws| {
        loop {
            match ws.read() {
                Ok(Message::Text(t)) if t.as_str().starts_with("420") => {
                    // Answer ack 0 twice, and an id nobody asked for.
                    let _ = ws.send(Message::text("430[\"ok\"]"));
                    let _ = ws.send(Message::text("430[\"again\"]"));
                    let _ = ws.send(Message::text("4399[\"stray\"]"));
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    let s = script("emit first --ack 2s\nemit second --ack 300ms\n");
    let o = sio(&["run", &server.url(), s.to_str().unwrap(), "--json"], "", LIMIT);
    o.failed_with(
        1,
        r#"line 2 failed: no ack for "second" within 300 ms"#,
        Duration::from_secs(10),
    );
    let unmatched: Vec<_> = o.record.iter().filter(|r| r["state"] == "unmatched ack").collect();
    assert_eq!(unmatched.len(), 2, "the repeated and the unknown ack\n{}", o.context());
}

// ----- the fallback to WebSocket against real servers -----

#[test]
fn auto_reaches_websocket_only_node_servers() {
    for kind in [ServerKind::V4, ServerKind::V2] {
        let server = NodeServer::start(kind, &["--transports", "websocket"]);
        let o = sio(
            &["listen", &server.url(), "--count", "1", "--event", "welcome"],
            "",
            LIMIT,
        );
        assert_eq!(o.code, Some(0), "{kind:?}\n{}", o.context());
        let fallback = o
            .record
            .iter()
            .find(|r| r["state"] == "transport fallback")
            .unwrap_or_else(|| panic!("{kind:?}: no fallback record\n{}", o.context()));
        assert_eq!(
            fallback["detail"],
            "polling refused by the server (400 Transport unknown (code 0)): connecting over websocket"
        );
        assert!(
            o.stdout.contains(r#"EVENT "welcome" "hi""#),
            "{kind:?}\n{}",
            o.context()
        );
    }
}

/// Polling works and offers the upgrade; `websocket` answers the upgrade's request,
/// and gets a signal to send once the probe has had its answer. The welcome event
/// comes by polling only after that signal, so it follows whatever the upgrade did.
fn upgrade_offering_server(
    websocket: impl Fn(std::sync::mpsc::Sender<()>) -> Reply + Send + Sync + 'static,
) -> Hostile {
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let done_tx = std::sync::Mutex::new(done_tx);
    let done_rx = std::sync::Mutex::new(done_rx);
    let gets = std::sync::atomic::AtomicUsize::new(0);
    Hostile::start(move |r| {
        if r.is_websocket() {
            return websocket(done_tx.lock().unwrap().clone());
        }
        if r.method == "POST" {
            return text(200, "ok");
        }
        if !r.has_sid() {
            return text(200, &open_packet(&["websocket"], 25000, 20000));
        }
        match gets.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => text(200, "40{\"sid\":\"a\"}"),
            1 => {
                let _ = done_rx.lock().unwrap().recv_timeout(Duration::from_secs(10));
                text(200, "42[\"welcome\"]")
            }
            _ => Reply::Hang,
        }
    })
}

/// `listen` until the welcome; the `upgrade failed` record's detail.
fn upgrade_failure(server: &Hostile) -> serde_json::Value {
    let o = sio(
        &[
            "listen",
            &server.url(),
            "--count",
            "1",
            "--event",
            "welcome",
            "--frames",
        ],
        "",
        LIMIT,
    );
    assert_eq!(o.code, Some(0), "{}", o.context());
    let failed = o
        .record
        .iter()
        .find(|r| r["state"] == "upgrade failed")
        .unwrap_or_else(|| panic!("no upgrade failed record\n{}", o.context()));
    failed["detail"].clone()
}

#[test]
fn a_proxy_that_refuses_websocket_keeps_polling_and_says_why() {
    // Every WebSocket attempt gets a 400, as from a proxy without the Upgrade headers.
    let server = upgrade_offering_server(|done| {
        let _ = done.send(());
        Reply::Http(
            400,
            "application/json",
            br#"{"code":3,"message":"Bad request"}"#.to_vec(),
        )
    });
    assert_eq!(
        upgrade_failure(&server),
        "WebSocket refused: server answered 400 Bad request (code 3); staying on polling"
    );
}

#[test]
fn a_wrong_answer_to_the_probe_fails_the_upgrade() {
    let server = upgrade_offering_server(|done| {
        Reply::Ws(Box::new(move |mut ws| {
            if read_until(&mut ws, "2probe") {
                let _ = ws.send(Message::text("3wrong"));
            }
            let _ = done.send(());
            let _ = read_until(&mut ws, "never");
        }))
    });
    assert_eq!(
        upgrade_failure(&server),
        "the server answered the probe with something other than 3probe; staying on polling"
    );
}
