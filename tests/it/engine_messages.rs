//! What travels inside a namespace: acks the server asks for (answered by hand
//! or automatically), binary arguments both ways, and the msgpack parser.

use serde_json::{Value, json};
use sio::engine::{Options, TransportMode};
use sio::proto::frame::{JsonText, Parser};
use sio::record::{Direction, Record};

use crate::engine_util::{Client, frame_binary, opts, server_log};
use crate::support::node::{NodeServer, ServerKind};

fn placeholder(num: u32) -> Value {
    json!({"_placeholder": true, "num": num})
}

/// The next record whose Socket.IO layer is a complete packet for `event`, in direction `dir`.
async fn sio_event(c: &mut Client, dir: Direction, event: &str) -> Record {
    c.next(&format!("a complete {event:?} event ({dir:?})"), |r| {
        r.frame().is_some_and(|f| {
            f.dir == Some(dir)
                && f.decoded
                    .sio
                    .as_ref()
                    .is_some_and(|s| s.complete && s.event.as_deref() == Some(event))
        })
    })
    .await
}

/// The server asks ("question" with an ack id); the user answers by hand, then with binary.
async fn server_asks(kind: ServerKind, transport: TransportMode) {
    let server = NodeServer::start(kind, &[]);
    let mut c = Client::start(Options {
        transport,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    c.emit("/", "ask", vec![], vec![], false).await;
    c.frame(Direction::Out, r#"42["ask"]"#).await;
    let question = c.frame(Direction::In, r#"420["question","q?"]"#).await;
    let sio = question.decoded.sio.expect("a Socket.IO packet");
    assert_eq!(sio.id, Some(0), "the server asks for an ack");
    c.handle
        .ack("/", 0, vec![json!("yes"), json!(42)], vec![])
        .await
        .unwrap();
    c.frame(Direction::Out, r#"430["yes",42]"#).await;
    let answer = server_log(&server, r#""t":"answer""#);
    assert!(answer.contains(r#""args":["yes",42]"#), "{answer}");
    c.frame(Direction::In, r#"42["answered","yes",42]"#).await;

    // A second question gets the next id; the answer carries bytes.
    c.emit("/", "ask", vec![json!("bytes?")], vec![], false).await;
    c.frame(Direction::In, r#"421["question","bytes?"]"#).await;
    c.handle
        .ack("/", 1, vec![placeholder(0)], vec![vec![0xde, 0xad]])
        .await
        .unwrap();
    c.frame(Direction::Out, r#"461-1[{"_placeholder":true,"num":0}]"#).await;
    let answer = crate::engine_util::server_log_from(&server, 0, r#""args":[{"$hex":"dead"}]"#);
    assert!(answer.contains(r#""t":"answer""#), "{answer}");
    let back = sio_event(&mut c, Direction::In, "answered").await;
    let back = back.frame().unwrap().decoded.sio.clone().unwrap();
    assert_eq!(back.data.map(|d| d.value()), Some(json!(["answered", placeholder(0)])));
    assert_eq!(back.attachments.len(), 1);
    assert_eq!(back.attachments[0].0, vec![0xde, 0xad]);
    c.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_websocket_server_asks() {
    server_asks(ServerKind::V4, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_polling_server_asks() {
    server_asks(ServerKind::V4, TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_websocket_server_asks() {
    server_asks(ServerKind::V2, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_polling_server_asks() {
    server_asks(ServerKind::V2, TransportMode::Polling).await;
}

/// `auto_ack`: every event that asks for an ack is answered at once, empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_ack_answers_empty() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        auto_ack: true,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    c.emit("/", "ask", vec![json!("auto?")], vec![], false).await;
    c.frame(Direction::In, r#"420["question","auto?"]"#).await;
    c.frame(Direction::Out, "430[]").await;
    c.frame(Direction::In, r#"42["answered"]"#).await;
    let answer = server_log(&server, r#""t":"answer""#);
    assert!(answer.contains(r#""args":[]"#), "{answer}");
    c.disconnect().await;
}

/// Binary both ways: the server's `binary` event, an emit with an attachment and its binary ack.
async fn binary_both_ways(kind: ServerKind, transport: TransportMode) {
    let server = NodeServer::start(kind, &[]);
    let v2 = kind == ServerKind::V2;
    let mut c = Client::start(Options {
        transport,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;

    c.emit("/", "binary", vec![], vec![], false).await;
    c.frame(Direction::In, r#"451-["binary",{"_placeholder":true,"num":0}]"#)
        .await;
    let whole = sio_event(&mut c, Direction::In, "binary").await;
    let f = whole.frame().unwrap();
    let sio = f.decoded.sio.as_ref().unwrap();
    assert_eq!(
        sio.data.as_ref().map(JsonText::value),
        Some(json!(["binary", placeholder(0)]))
    );
    assert_eq!(sio.attachments.len(), 1, "{f:?}");
    assert_eq!(sio.attachments[0].0, vec![1, 2, 3]);
    // The attachment as on the wire.
    match transport {
        TransportMode::Websocket => {
            let (_, _, bytes) = frame_binary(&whole).expect("a binary WebSocket message");
            assert_eq!(bytes, if v2 { &[4, 1, 2, 3][..] } else { &[1, 2, 3][..] });
        }
        _ => {
            let text = crate::engine_util::render_frame(&whole).unwrap();
            let expected = if v2 { "< b4AQID" } else { "< bAQID" };
            let ok = text == expected || (v2 && text == "< bin 04010203");
            assert!(ok, "attachment frame {text}\n{}", c.dump());
        }
    }

    // Emit with an attachment and an ack: the server acks with the same arguments, bytes included.
    let reply = c
        .emit(
            "/",
            "bin",
            vec![placeholder(0), json!("t"), placeholder(1)],
            vec![vec![9, 8, 7], vec![]],
            true,
        )
        .await
        .expect("an ack");
    assert_eq!(reply.args, json!([placeholder(0), "t", placeholder(1)]));
    assert_eq!(reply.attachments, vec![vec![9, 8, 7], vec![]]);
    c.frames_in_order(&[
        r#"> 452-0["bin",{"_placeholder":true,"num":0},"t",{"_placeholder":true,"num":1}]"#,
        r#"< 462-0[{"_placeholder":true,"num":0},"t",{"_placeholder":true,"num":1}]"#,
    ])
    .await;
    let logged = server_log(&server, r#""event":"bin""#);
    assert!(
        logged.contains(r#""args":[{"$hex":"090807"},"t",{"$hex":""}]"#),
        "{logged}"
    );
    c.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_websocket_binary() {
    binary_both_ways(ServerKind::V4, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_polling_binary() {
    binary_both_ways(ServerKind::V4, TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_websocket_binary() {
    binary_both_ways(ServerKind::V2, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_polling_binary() {
    binary_both_ways(ServerKind::V2, TransportMode::Polling).await;
}

/// socket.io-msgpack-parser: every Socket.IO packet is one binary message.
async fn msgpack(transport: TransportMode) {
    let server = NodeServer::start(ServerKind::V4, &["--parser", "msgpack"]);
    let mut c = Client::start(Options {
        transport,
        parser: Parser::Msgpack,
        ..opts(&server.url())
    });
    let joined = c.state("namespace connected").await;
    assert!(joined.data["sid"].is_string(), "{joined:?}");
    let welcome = sio_event(&mut c, Direction::In, "welcome").await;
    assert_eq!(
        welcome
            .frame()
            .unwrap()
            .decoded
            .sio
            .as_ref()
            .unwrap()
            .data
            .as_ref()
            .map(JsonText::value),
        Some(json!(["welcome", "hi"]))
    );

    c.emit("/", "echo", vec![json!("m"), json!({"n": 1.5})], vec![], false)
        .await;
    let echo = sio_event(&mut c, Direction::In, "echo").await;
    assert_eq!(
        echo.frame()
            .unwrap()
            .decoded
            .sio
            .as_ref()
            .unwrap()
            .data
            .as_ref()
            .map(JsonText::value),
        Some(json!(["echo", "m", {"n": 1.5}]))
    );
    let reply = c.emit("/", "hello", vec![json!([1, 2])], vec![], true).await.unwrap();
    assert_eq!(reply.args, json!([[1, 2]]));

    // Binary inside msgpack: no attachments, the bytes are in the one message.
    let reply = c
        .emit("/", "bytes", vec![placeholder(0)], vec![vec![5, 6]], true)
        .await
        .unwrap();
    let logged = server_log(&server, r#""event":"bytes""#);
    assert!(logged.contains(r#""args":[{"$hex":"0506"}]"#), "{logged}");
    assert_eq!(reply.args, json!([placeholder(0)]), "{reply:?}");
    assert_eq!(reply.attachments, vec![vec![5, 6]]);
    c.emit("/", "binary", vec![], vec![], false).await;
    sio_event(&mut c, Direction::In, "binary").await;

    let seen = c.disconnect().await;
    // Socket.IO packets never travel as text.
    for r in &seen {
        if let Some((_, _, text)) = crate::engine_util::frame_text(r) {
            assert!(!text.starts_with('4'), "a text Socket.IO packet under msgpack: {text}");
        }
    }
    // The DISCONNECT was msgpack too, so the server understood it.
    server_log(&server, r#""reason":"client namespace disconnect""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msgpack_websocket() {
    msgpack(TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msgpack_polling() {
    msgpack(TransportMode::Polling).await;
}

/// Many emits at once: over polling they are batched (at most `max_post_packets`
/// per POST), and nothing is lost or reordered on either transport.
async fn burst_keeps_order(transport: TransportMode) {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut c = Client::start(Options {
        transport,
        max_post_packets: 16,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    const N: usize = 50;
    let mut pending = Vec::new();
    for i in 0..N {
        pending.push(c.handle.emit("/", "n", vec![json!(i)], vec![], i == N - 1));
    }
    for (i, emit) in pending.into_iter().enumerate() {
        let reply = tokio::time::timeout(crate::engine_util::WAIT, emit)
            .await
            .expect("in time")
            .expect("sent");
        assert_eq!(reply.is_some(), i == N - 1);
    }
    server_log(&server, r#""event":"n","args":[49]"#);
    let got: Vec<i64> = server
        .json_log()
        .iter()
        .filter(|l| l.contains(r#""event":"n""#))
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["args"][0].as_i64().unwrap())
        .collect();
    assert_eq!(
        got,
        (0..N as i64).collect::<Vec<_>>(),
        "the server got every emit, in order"
    );
    let seen = c.disconnect().await;
    let sent: Vec<String> = seen
        .iter()
        .filter_map(crate::engine_util::frame_text)
        .filter(|(d, _, t)| *d == Direction::Out && t.contains(r#"["n","#))
        .map(|(_, _, t)| t.to_string())
        .collect();
    assert_eq!(sent.len(), N, "every emit recorded once");
    if transport == TransportMode::Polling {
        // Between two POST records, at most 16 packets went out.
        let mut in_batch = 0;
        for r in &seen {
            match &r.body {
                sio::record::Body::Http(h) if h.method == "POST" => in_batch = 0,
                sio::record::Body::Frame(f) if f.dir == Some(Direction::Out) => {
                    in_batch += 1;
                    assert!(in_batch <= 16, "more than 16 packets in one POST");
                }
                _ => {}
            }
        }
        let posts = seen
            .iter()
            .filter(|r| matches!(&r.body, sio::record::Body::Http(h) if h.method == "POST"))
            .count();
        assert!(posts > N / 16, "{posts} POSTs for {N} packets");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_burst_is_batched_in_order() {
    burst_keeps_order(TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_burst_in_order() {
    burst_keeps_order(TransportMode::Websocket).await;
}

/// A consumer that falls behind slows the engine down; no record is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_consumer_loses_nothing() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        record_buffer: 2,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    const N: usize = 2000;
    c.emit("/", "flood", vec![json!({"n": N, "size": 10})], vec![], false)
        .await;
    // Fall behind now and then (load, not synchronisation: nothing waits on this).
    let mut floods = 0;
    while floods < N {
        let r = c
            .next("a flood event", |r| {
                crate::engine_util::frame_text(r).is_some_and(|(_, _, t)| t.starts_with(r#"42["flood""#))
            })
            .await;
        assert!(r.frame().is_some());
        floods += 1;
        if floods % 400 == 0 {
            tokio::task::block_in_place(|| std::thread::sleep(std::time::Duration::from_millis(30)));
        }
    }
    c.frame(Direction::In, &format!(r#"42["flood-done",{{"n":{N}}}]"#))
        .await;
    let seen = c.disconnect().await;
    for (i, r) in seen.iter().enumerate() {
        assert_eq!(r.seq, i as u64, "records are numbered without a gap");
    }
}

/// The raw escape hatch: a frame goes out exactly as given; a bad one gets us
/// dropped by the server, which the engine reports and recovers from.
async fn raw_frames(transport: TransportMode) {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut c = Client::start(Options {
        transport,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    let raw = sio::proto::eio::OwnedFrame::Text(r#"42["raw",{"a":1}]"#.into());
    c.handle.send_raw(raw).await.unwrap();
    c.frame(Direction::Out, r#"42["raw",{"a":1}]"#).await;
    let logged = server_log(&server, r#""event":"raw""#);
    assert!(logged.contains(r#""args":[{"a":1}]"#), "{logged}");

    // `42[` is not JSON: a v5 server closes the whole connection (protocol.md §3.9).
    c.handle
        .send_raw(sio::proto::eio::OwnedFrame::Text("42[".into()))
        .await
        .unwrap();
    let out = c.frame(Direction::Out, "42[").await;
    assert!(out.decoded.error.is_some(), "the record says the frame is malformed");
    c.state("disconnected").await;
    // socket.io answers a packet it cannot decode by closing the connection.
    server_log(&server, r#""reason":"forced close""#);
    c.state("reconnecting").await;
    c.state("open").await;
    c.state("namespace connected").await;
    c.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_frames_over_websocket() {
    raw_frames(TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_frames_over_polling() {
    raw_frames(TransportMode::Polling).await;
}

/// Leaving right after an emit over polling: the emit's POST is still in flight,
/// and the goodbye must not overlap it (the server answers an overlapping POST 400).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_disconnect_right_after_an_emit() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut c = Client::start(Options {
        transport: TransportMode::Polling,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    for i in 0..20 {
        c.emit("/", "last", vec![json!(i)], vec![], false).await;
    }
    let seen = c.disconnect().await;
    server_log(&server, r#""reason":"client namespace disconnect""#);
    let log = server.json_log();
    let got: Vec<i64> = log
        .iter()
        .filter(|l| l.contains(r#""event":"last""#))
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["args"][0].as_i64().unwrap())
        .collect();
    assert_eq!(
        got,
        (0..20).collect::<Vec<_>>(),
        "every emit arrived before the goodbye"
    );
    let bye = log.iter().position(|l| l.contains(r#""t":"disconnect""#)).unwrap();
    let last = log.iter().rposition(|l| l.contains(r#""event":"last""#)).unwrap();
    assert!(last < bye, "the emits came before the DISCONNECT");
    let https: Vec<_> = seen
        .iter()
        .filter_map(|r| match &r.body {
            sio::record::Body::Http(h) => Some(h.clone()),
            _ => None,
        })
        .collect();
    assert!(
        https.iter().all(|h| h.status == Some(200)),
        "no request refused: {https:#?}"
    );
}
