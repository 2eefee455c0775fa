//! The polling → WebSocket upgrade, step by step (protocol.md §2.7): probe on
//! the new WebSocket, probe answered, polling paused (the pending GET released
//! by a noop), `5`, and from then on WebSocket only.
//!
//! The servers hold the namespace CONNECT reply back (`--connect-delay`), so no
//! Socket.IO traffic races with the upgrade and the pending GET can only be
//! released by the noop.

use serde_json::json;
use sio::engine::{EioChoice, Options, TransportMode};
use sio::record::{Body, Direction, Transport};

use crate::engine_util::{Client, frame_text, is_state, opts, server_log};
use crate::support::node::{NodeServer, ServerKind};

async fn upgrade_step_by_step(kind: ServerKind) {
    let server = NodeServer::start(kind, &["--connect-delay", "800"]);
    let mut c = Client::start(Options {
        transport: TransportMode::Auto,
        eio: EioChoice::Auto,
        ..opts(&server.url())
    });
    let v2 = kind == ServerKind::V2;

    let open = c.state("open").await;
    assert_eq!(open.data["upgrades"], json!(["websocket"]), "{open:?}");
    assert!(
        open.detail.as_deref().is_some_and(|d| d.ends_with("polling")),
        "{open:?}"
    );
    if !v2 {
        let connect = c.frame(Direction::Out, "40").await;
        assert_eq!(connect.transport, Some(Transport::Polling));
    }
    let opening = c.state("upgrading").await;
    assert!(
        opening
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("transport=websocket&sid=")),
        "{opening:?}"
    );
    let handshake = c
        .next(
            "the WebSocket handshake",
            |r| matches!(&r.body, Body::Http(h) if h.url.starts_with("ws://")),
        )
        .await;
    let Body::Http(handshake) = handshake.body else {
        unreachable!()
    };
    assert_eq!(handshake.status, Some(101), "{handshake:?}");
    assert!(
        handshake
            .url
            .contains(&format!("sid={}", open.data["sid"].as_str().unwrap()))
    );
    c.state("upgrading").await; // probing
    let probe = c.frame(Direction::Out, "2probe").await;
    assert_eq!(probe.transport, Some(Transport::Websocket));
    let answer = c.frame(Direction::In, "3probe").await;
    assert_eq!(answer.transport, Some(Transport::Websocket));
    let pausing = c.state("upgrading").await;
    assert!(
        pausing.detail.as_deref().is_some_and(|d| d.contains("pausing")),
        "{pausing:?}"
    );
    let noop = c.frame(Direction::In, "6").await;
    assert_eq!(noop.transport, Some(Transport::Polling), "{noop:?}");
    let upgrade = c.frame(Direction::Out, "5").await;
    assert_eq!(upgrade.transport, Some(Transport::Websocket));
    let upgraded = c.state("upgraded").await;
    assert_eq!(upgraded.data["transport"], json!("websocket"));
    let upgraded_at = c.position(|r| is_state(r, "upgraded")).unwrap();
    server_log(&server, r#""t":"engine_upgrade""#);

    // The held-back CONNECT reply and everything after it come over the WebSocket.
    c.state("namespace connected").await;
    c.frame(Direction::In, r#"42["welcome","hi"]"#).await;
    c.emit("/", "echo", vec![json!("after-upgrade")], Vec::new(), false)
        .await;
    c.frame(Direction::Out, r#"42["echo","after-upgrade"]"#).await;
    c.frame(Direction::In, r#"42["echo","after-upgrade"]"#).await;
    let reply = c.emit("/", "acked", vec![json!(1)], Vec::new(), true).await.unwrap();
    assert_eq!(reply.args, json!([1]));

    let seen = c.disconnect().await;
    let after = &seen[upgraded_at..];
    for r in after {
        if let Some((_, transport, text)) = frame_text(r) {
            assert_eq!(transport, Transport::Websocket, "{text} after the upgrade");
        }
        if let Body::Http(h) = &r.body {
            panic!("an HTTP request after the upgrade: {h:?}");
        }
    }
    // The handshake GET and at least the GET the noop released came before the upgrade.
    let polls = seen[..upgraded_at]
        .iter()
        .filter(|r| matches!(&r.body, Body::Http(h) if h.method == "GET" && h.url.starts_with("http")))
        .count();
    assert!(polls >= 2, "the handshake GET and the GET the noop released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_upgrade_step_by_step() {
    upgrade_step_by_step(ServerKind::V4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_upgrade_step_by_step() {
    upgrade_step_by_step(ServerKind::V2).await;
}

/// A server that offers no upgrade: auto mode stays on polling and says nothing of upgrading.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_stays_on_polling_without_an_offered_upgrade() {
    let server = NodeServer::start(ServerKind::V4, &["--transports", "polling"]);
    let mut c = Client::start(opts(&server.url()));
    let open = c.state("open").await;
    assert_eq!(open.data["upgrades"], json!([]));
    c.frame(Direction::In, r#"42["welcome","hi"]"#).await;
    let reply = c.emit("/", "x", vec![json!("y")], Vec::new(), true).await.unwrap();
    assert_eq!(reply.args, json!(["y"]));
    let seen = c.disconnect().await;
    assert!(!seen.iter().any(|r| is_state(r, "upgrading")), "no upgrade attempt");
    assert!(
        seen.iter()
            .filter_map(frame_text)
            .all(|(_, t, _)| t == Transport::Polling)
    );
}

/// A websocket-only server refuses polling; `--transport websocket` connects at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_only_server() {
    let server = NodeServer::start(ServerKind::V4, &["--transports", "websocket"]);
    // Polling is refused with the server's own words, and with reconnect off the session ends.
    let mut refused = Client::start(Options {
        transport: TransportMode::Polling,
        reconnect: false,
        ..opts(&server.url())
    });
    let closed = refused.state("closed").await;
    let detail = closed.detail.unwrap_or_default();
    assert!(
        detail.contains("400") && detail.contains("Transport unknown"),
        "{detail}"
    );
    refused.drain_to_end().await;

    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        ..opts(&server.url())
    });
    c.frame(Direction::In, r#"42["welcome","hi"]"#).await;
    c.disconnect().await;
}

/// Leaving in the middle of the upgrade: the upgrade is given up, the goodbye goes
/// out by polling, and the server takes it as a plain close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_in_the_middle_of_the_upgrade() {
    for phase in ["opening", "probing the WebSocket", "probe answered"] {
        // Long enough to be sure "/" is still joining when we leave (nothing waits for it).
        let server = NodeServer::start(ServerKind::V4, &["--connect-delay", "3000"]);
        let mut c = Client::start(opts(&server.url()));
        c.next(&format!("upgrading: {phase}"), |r| {
            matches!(&r.body, Body::State(s) if s.state == "upgrading"
                && s.detail.as_deref().is_some_and(|d| d.starts_with(phase)))
        })
        .await;
        let seen = c.disconnect().await;
        assert!(
            !seen.iter().any(|r| is_state(r, "upgraded")),
            "{phase}: no upgrade after the goodbye"
        );
        assert!(
            !seen
                .iter()
                .any(|r| matches!(&r.body, Body::Http(h) if h.status.is_some_and(|s| s >= 400))),
            "{phase}: no request refused\n{}",
            crate::engine_util::dump(&seen)
        );
        // The goodbye went out by polling. "/" was still joining (the server holds it
        // back), so no DISCONNECT: a v5 server drops the connection on one.
        let out: Vec<String> = seen
            .iter()
            .filter_map(frame_text)
            .filter(|(d, t, _)| *d == Direction::Out && *t == Transport::Polling)
            .map(|(_, _, text)| text.to_string())
            .collect();
        assert_eq!(out, ["40", "1"], "{phase}");
        let closed = server_log(&server, r#""t":"engine_close""#);
        assert!(closed.contains(r#""reason":"transport close""#), "{phase}: {closed}");
    }
}
