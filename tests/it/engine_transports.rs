//! Every transport mode against socket.io 4 and socket.io 2: connect, the
//! welcome event, an echo, an emit with ack; the frames in wire order, on the
//! transports they should use. Against socket.io 2 (`EioChoice::Auto`) the
//! engine must notice Engine.IO 3 and send the pings itself.

use serde_json::json;
use sio::engine::{EioChoice, TransportMode};
use sio::record::{Direction, Transport};

use crate::engine_util::{Client, frame_text, opts, server_log};
use crate::support::node::{NodeServer, ServerKind};

async fn round_trip(kind: ServerKind, mode: TransportMode) {
    let server = NodeServer::start(kind, &["--ping-interval", "300", "--ping-timeout", "1000"]);
    let mut c = Client::start(sio::engine::Options {
        transport: mode,
        eio: EioChoice::Auto,
        ..opts(&server.url())
    });
    let v2 = kind == ServerKind::V2;

    let open = c.state("open").await;
    let eio = if v2 { 3 } else { 4 };
    assert_eq!(open.data["eio"], json!(eio), "{open:?}");
    assert_eq!(open.data["pingInterval"], json!(300), "{open:?}");
    let detected = c.states("version detected");
    if v2 {
        assert_eq!(detected.len(), 1, "v2 must be detected once\n{}", c.dump());
        assert_eq!(detected[0].data["eio"], json!(3));
    } else {
        assert!(detected.is_empty(), "a v4 server is not a v2 server\n{}", c.dump());
    }

    let joined = c.state("namespace connected").await;
    assert_eq!(joined.data["nsp"], json!("/"));
    if v2 {
        // Socket.IO 4 (v2 servers) has no socket id in the CONNECT reply.
        assert_eq!(joined.data["sid"], json!(null), "{joined:?}");
    } else {
        assert!(joined.data["sid"].is_string(), "{joined:?}");
    }
    c.frame(Direction::In, r#"42["welcome","hi"]"#).await;
    if mode == TransportMode::Auto {
        // The upgrade runs beside the namespace traffic: before or after the welcome.
        c.ever_state("upgraded").await;
    }

    // Echo: the server emits the same arguments back.
    let args = vec![json!("a"), json!(1), json!({"k": [true, null]})];
    c.emit("/", "echo", args.clone(), Vec::new(), false).await;
    let sent = c.frame(Direction::Out, r#"42["echo","a",1,{"k":[true,null]}]"#).await;
    let back = c.frame(Direction::In, r#"42["echo","a",1,{"k":[true,null]}]"#).await;
    let later = if mode == TransportMode::Polling {
        Transport::Polling
    } else {
        Transport::Websocket
    };
    assert_eq!(sent.transport, Some(later), "{sent:?}");
    assert_eq!(back.transport, Some(later), "{back:?}");

    // Emit with ack: the server acks with the same arguments.
    let reply = c
        .emit("/", "hello", vec![json!("x"), json!(7)], Vec::new(), true)
        .await
        .expect("an ack reply");
    assert_eq!(reply.args, json!(["x", 7]));
    assert!(reply.attachments.is_empty());
    assert!(reply.rtt > std::time::Duration::ZERO && reply.rtt < crate::engine_util::WAIT);
    c.frame(Direction::Out, r#"420["hello","x",7]"#).await;
    c.frame(Direction::In, r#"430["x",7]"#).await;
    let ack = c.state("ack").await;
    assert_eq!(ack.data["id"], json!(0));
    assert!(ack.data["rtt_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{ack:?}");
    let logged = server_log(&server, r#""event":"hello""#);
    assert!(logged.contains(r#""args":["x",7],"ack":true"#), "{logged}");

    // The opening frames in wire order.
    if v2 {
        // socket.io 2 joins "/" by itself: the client never sends `40`.
        c.frames_in_order(&["< 0{*", "< 40", r#"< 42["welcome","hi"]"#]).await;
        assert!(
            !c.frames().iter().any(|f| f == "> 40"),
            "no 40 to a v2 server\n{}",
            c.dump()
        );
    } else {
        c.frames_in_order(&["< 0{*", "> 40", r#"< 40{"sid":*"#, r#"< 42["welcome","hi"]"#])
            .await;
    }

    // Heartbeats as the version defines them: v2 client pings, v4 server pings.
    let (ping_dir, pong_dir) = if v2 {
        (Direction::Out, Direction::In)
    } else {
        (Direction::In, Direction::Out)
    };
    for _ in 0..2 {
        c.frame(ping_dir, "2").await;
        c.frame(pong_dir, "3").await;
    }
    if v2 {
        let beat = c.state("heartbeat").await;
        assert!(beat.data["rtt_ms"].is_number(), "{beat:?}");
    }
    assert!(
        !c.seen
            .iter()
            .filter_map(frame_text)
            .any(|(d, _, t)| d == pong_dir.opposite() && t == "3"),
        "a pong in the wrong direction\n{}",
        c.dump()
    );

    // Every frame used the expected transports.
    for (_, transport, text) in c.seen.iter().filter_map(frame_text) {
        match mode {
            TransportMode::Polling => assert_eq!(transport, Transport::Polling, "{text}\n{}", c.dump()),
            TransportMode::Websocket => assert_eq!(transport, Transport::Websocket, "{text}\n{}", c.dump()),
            TransportMode::Auto => {}
        }
    }
    let https = c.http_records();
    match mode {
        TransportMode::Websocket => {
            assert_eq!(https.len(), 1, "one WebSocket handshake only\n{}", c.dump());
            assert_eq!(https[0].status, Some(101));
            assert!(https[0].url.contains("transport=websocket"), "{:?}", https[0]);
        }
        TransportMode::Polling => {
            assert!(
                https
                    .iter()
                    .all(|h| h.url.contains("transport=polling") && h.status == Some(200)),
                "{}",
                c.dump()
            );
        }
        TransportMode::Auto => {}
    }

    let seen = c.disconnect().await;
    // The session's last word is `closed`; nothing reconnects after a user's disconnect.
    assert!(
        !seen.iter().any(|r| crate::engine_util::is_state(r, "reconnecting")),
        "{seen:?}"
    );
    server_log(&server, r#""reason":"client namespace disconnect""#);
}

trait Opposite {
    fn opposite(self) -> Self;
}

impl Opposite for Direction {
    fn opposite(self) -> Self {
        match self {
            Direction::In => Direction::Out,
            Direction::Out => Direction::In,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_auto() {
    round_trip(ServerKind::V4, TransportMode::Auto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_polling() {
    round_trip(ServerKind::V4, TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_websocket() {
    round_trip(ServerKind::V4, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_auto() {
    round_trip(ServerKind::V2, TransportMode::Auto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_polling() {
    round_trip(ServerKind::V2, TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_websocket() {
    round_trip(ServerKind::V2, TransportMode::Websocket).await;
}
