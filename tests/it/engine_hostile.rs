//! Bad input from a hostile test server (std threads, no Node): refused
//! connections, HTTP errors, handshakes that are not Engine.IO, garbage
//! frames, connections cut in the middle of the upgrade, servers that stop
//! pinging or ponging. Each time the engine must say what went wrong in a
//! record a person can act on, and never panic or hang.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::Duration;

use serde_json::json;
use sio::engine::{EioChoice, Options, TransportMode};
use sio::record::{Body, Direction, Transport};
use tokio_tungstenite::tungstenite::Message;

use crate::engine_util::{Client, WAIT, is_state, opts};
use crate::support::hostile::{Hostile, Reply, open_packet, read_until, text};

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
    // A 4xx will be the same next time: the first connection is not retried.
    let not_retried = " (not retried: --retry-forever keeps trying)";
    let cases: [(Reply, &str, bool); 4] = [
        (
            Reply::Http(500, "text/html", Vec::new()),
            "server answered 500 Internal Server Error",
            false,
        ),
        (
            Reply::Http(
                400,
                "application/json",
                br#"{"code":5,"message":"Unsupported protocol version"}"#.to_vec(),
            ),
            "server answered 400 Unsupported protocol version (code 5)",
            true,
        ),
        (
            text(404, "Cannot GET /socket.io/"),
            "server answered 404 Cannot GET /socket.io/",
            true,
        ),
        (Reply::Cut, "", false),
    ];
    for (reply, expected, permanent) in cases {
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
        } else if permanent {
            assert_eq!(detail, format!("{expected}{not_retried}"));
        } else {
            assert_eq!(detail, expected);
        }
        let disconnects = if permanent { 0 } else { 1 };
        assert_eq!(c.states("disconnected").len(), disconnects, "{}", c.dump());
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
