//! Heartbeats over several intervals (protocol.md §2.4), and the switch that
//! withholds or delays them: the server drops a client that stops answering,
//! the engine reports it, reconnects and re-joins its namespaces.

use std::time::Duration;

use serde_json::json;
use sio::engine::{HeartbeatMode, Options, TransportMode};
use sio::record::{Direction, Record};

use crate::engine_util::{Client, is_state, opts, server_log};
use crate::support::node::{NodeServer, ServerKind};

// A pingTimeout of 200 ms flakes on a loaded 2-core machine; 400 ms does not.
const FAST: [&str; 4] = ["--ping-interval", "200", "--ping-timeout", "400"];

fn with_admin(url: &str, transport: TransportMode) -> Options {
    Options {
        transport,
        namespaces: vec!["/".into(), "/admin".into()],
        auth: Some(json!({"token": "secret"})),
        ..opts(url)
    }
}

/// Waits for `n` heartbeat exchanges in the version's direction.
async fn beats(c: &mut Client, v2: bool, n: usize) -> Vec<(Record, Record)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let (ping, pong) = if v2 {
            (Direction::Out, Direction::In)
        } else {
            (Direction::In, Direction::Out)
        };
        let ping_record = c.frame_record(ping, "2").await;
        let pong_record = c.frame_record(pong, "3").await;
        out.push((ping_record, pong_record));
    }
    out
}

async fn withhold_then_recover(kind: ServerKind, transport: TransportMode) {
    let server = NodeServer::start(kind, &FAST);
    let v2 = kind == ServerKind::V2;
    // Against socket.io 2 the auth goes out as the namespace's query (`40/admin?token=secret,`).
    let mut c = Client::start(with_admin(&server.url(), transport));
    c.state("namespace connected").await;
    c.state("namespace connected").await;
    beats(&mut c, v2, 3).await;
    assert!(c.states("disconnected").is_empty(), "{}", c.dump());

    let log_mark = server.log_len();
    c.handle.heartbeat(HeartbeatMode::Withhold).await.unwrap();
    c.state("heartbeat mode").await;
    if !v2 {
        c.frame(Direction::In, "2").await;
    }
    c.state("heartbeat withheld").await;
    if !v2 {
        // The server waits for that ping's pong and sends no other ping before it gives
        // up, so answering again from now on cannot save the session.
        c.handle.heartbeat(HeartbeatMode::Normal).await.unwrap();
    }
    let lost = c.state("disconnected").await;
    assert!(
        lost.detail.is_some_and(|d| d.contains("the server closed")),
        "{}",
        c.dump()
    );
    crate::engine_util::server_log_from(&server, log_mark, r#""reason":"ping timeout""#);
    let reconnecting = c.state("reconnecting").await;
    assert_eq!(reconnecting.data["attempt"], json!(1), "{reconnecting:?}");
    if v2 {
        // A rev-3 client pings at once when told to again, which would have saved the
        // session; so only now.
        c.handle.heartbeat(HeartbeatMode::Normal).await.unwrap();
    }

    let open = c.state("open").await;
    assert_ne!(
        open.data["sid"],
        c.states("open")[0].data["sid"],
        "a new Engine.IO session\n{}",
        c.dump()
    );
    let mut joined = vec![
        c.state("namespace connected").await.data["nsp"].clone(),
        c.state("namespace connected").await.data["nsp"].clone(),
    ];
    joined.sort_by_key(|v| v.to_string());
    assert_eq!(joined, vec![json!("/"), json!("/admin")], "both namespaces re-joined");
    beats(&mut c, v2, 2).await;
    let reply = c
        .emit("/admin", "still-here", vec![json!(1)], Vec::new(), true)
        .await
        .unwrap();
    assert_eq!(reply.args, json!([1]));
    // The session that answers again stays up until we leave.
    let last_open = c.seen.iter().rposition(|r| is_state(r, "open"));
    let last_drop = c.seen.iter().rposition(|r| is_state(r, "disconnected"));
    if last_drop > last_open {
        c.fail("dropped again after answering heartbeats again");
    }
    let seen = c.disconnect().await;
    assert_eq!(seen.iter().filter(|r| is_state(r, "closed")).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_websocket_withheld_pongs_get_us_dropped_and_we_reconnect() {
    withhold_then_recover(ServerKind::V4, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_polling_withheld_pongs_get_us_dropped_and_we_reconnect() {
    withhold_then_recover(ServerKind::V4, TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_websocket_withheld_pings_get_us_dropped_and_we_reconnect() {
    withhold_then_recover(ServerKind::V2, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_polling_withheld_pings_get_us_dropped_and_we_reconnect() {
    withhold_then_recover(ServerKind::V2, TransportMode::Polling).await;
}

/// Delayed pongs (shorter than pingTimeout) keep the session alive and arrive late.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_delayed_pongs_arrive_late_and_the_session_lives() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "150", "--ping-timeout", "400"]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        heartbeat: HeartbeatMode::Delay(Duration::from_millis(120)),
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    for (ping, pong) in beats(&mut c, false, 3).await {
        let late = pong.time.seconds_since(ping.time);
        assert!(late >= 0.110, "pong only {late} s after the ping\n{}", c.dump());
    }
    let seen = c.disconnect().await;
    assert!(!seen.iter().any(|r| crate::engine_util::is_state(r, "disconnected")));
    assert!(!server.json_log().iter().any(|l| l.contains("ping timeout")));
}

/// Over several intervals on every transport, v4 pings are all answered (and nothing else is sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_polling_heartbeats_over_several_intervals() {
    let server = NodeServer::start(ServerKind::V4, &FAST);
    let mut c = Client::start(Options {
        transport: TransportMode::Polling,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    beats(&mut c, false, 4).await;
    let seen = c.disconnect().await;
    let pings = seen
        .iter()
        .filter_map(crate::engine_util::frame_text)
        .filter(|(d, _, t)| *d == Direction::In && *t == "2")
        .count();
    let pongs = seen
        .iter()
        .filter_map(crate::engine_util::frame_text)
        .filter(|(d, _, t)| *d == Direction::Out && *t == "3")
        .count();
    assert_eq!(pings, pongs, "every ping answered once");
    assert!(!seen.iter().any(|r| crate::engine_util::is_state(r, "disconnected")));
    server_log(&server, r#""reason":"client namespace disconnect""#);
}
