//! The session around the frames: cookies, headers and query on every
//! request, reconnecting (asked for, and after a server restart) with the
//! namespaces re-joined, and connection state recovery (protocol.md §3.8).

use serde_json::json;
use sio::engine::{Options, TransportMode};
use sio::record::{Body, Direction, HttpRecord};

use crate::engine_util::{Client, is_state, opts, server_log, server_log_from};
use crate::support::node::{NodeServer, ServerKind};

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A server that sets `io=<sid>` gets it back on every later polling request and on
/// the upgrade, next to the user's own cookie, header and query.
async fn cookies_headers_query(kind: ServerKind) {
    let flags: &[&str] = if kind == ServerKind::V4 { &["--cookie"] } else { &[] };
    let server = NodeServer::start(kind, flags);
    let mut c = Client::start(Options {
        transport: TransportMode::Auto,
        cookies: vec!["user=1".into()],
        headers: vec![("X-Sio-Test".into(), "yes".into())],
        query: vec![("k".into(), "v w".into())],
        ..opts(&server.url())
    });
    let open = c.state("open").await;
    let sid = open.data["sid"].as_str().unwrap().to_string();
    c.state("upgraded").await;
    c.frames_in_order(&[r#"< 42["welcome","hi"]"#]).await;
    let connect = server_log(&server, r#""t":"connect""#);
    assert!(connect.contains(r#""x-sio-test":"yes""#), "{connect}");
    assert!(connect.contains(r#""k":"v w""#), "{connect}");
    assert!(connect.contains(r#""cookie":"user=1""#), "{connect}");
    let seen = c.disconnect().await;

    let https: Vec<HttpRecord> = seen
        .iter()
        .filter_map(|r| match &r.body {
            Body::Http(h) => Some(h.clone()),
            _ => None,
        })
        .collect();
    let (first, later) = https.split_first().expect("a handshake");
    assert_eq!(header(&first.request_headers, "cookie"), Some("user=1"), "{first:?}");
    let set_cookie = header(&first.response_headers, "set-cookie").expect("the server sets a cookie");
    assert!(set_cookie.starts_with(&format!("io={sid}")), "{set_cookie}");
    assert!(later.len() >= 2, "polls and the upgrade: {later:?}");
    let wanted = format!("user=1; io={sid}");
    for h in later {
        assert_eq!(header(&h.request_headers, "cookie"), Some(wanted.as_str()), "{h:?}");
        assert_eq!(header(&h.request_headers, "x-sio-test"), Some("yes"), "{h:?}");
        assert!(h.url.contains("k=v+w") || h.url.contains("k=v%20w"), "{}", h.url);
    }
    assert!(
        later
            .iter()
            .any(|h| h.url.starts_with("ws://") && h.status == Some(101)),
        "the upgrade carried the cookie too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_cookies_headers_query() {
    cookies_headers_query(ServerKind::V4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_cookies_headers_query() {
    cookies_headers_query(ServerKind::V2).await;
}

/// `handle.reconnect()`: the connection drops, a new Engine.IO session opens,
/// every namespace that was open is joined again.
async fn reconnect_rejoins(kind: ServerKind, transport: TransportMode) {
    let server = NodeServer::start(kind, &[]);
    let mut c = Client::start(Options {
        transport,
        namespaces: vec!["/".into(), "/admin".into()],
        auth: Some(json!({"token": "secret"})),
        ..opts(&server.url())
    });
    let first = c.state("open").await;
    let opened = c.mark();
    c.state("namespace connected").await;
    c.state("namespace connected").await;
    if transport == TransportMode::Auto {
        c.state_since(opened, "upgraded").await;
    }
    let mark = server.log_len();
    c.handle.reconnect().await.unwrap();
    let lost = c.state("disconnected").await;
    assert_eq!(lost.detail.as_deref(), Some("reconnect requested"));
    let again = c.state("reconnecting").await;
    assert_eq!(again.data["attempt"], json!(1));
    let connecting = c.state("connecting").await;
    assert_eq!(connecting.data["attempt"], json!(1));
    let second = c.state("open").await;
    let reopened = c.mark();
    assert_ne!(first.data["sid"], second.data["sid"]);
    let mut joined = vec![
        c.state("namespace connected").await.data["nsp"].clone(),
        c.state("namespace connected").await.data["nsp"].clone(),
    ];
    joined.sort_by_key(|v| v.to_string());
    assert_eq!(joined, vec![json!("/"), json!("/admin")]);
    if transport == TransportMode::Auto {
        c.state_since(reopened, "upgraded").await;
    }
    let reply = c
        .emit("/admin", "back", vec![json!("again")], vec![], true)
        .await
        .unwrap();
    assert_eq!(reply.args, json!(["again"]));
    server_log_from(&server, mark, r#""t":"connect","nsp":"/admin""#);
    c.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_auto_reconnect_rejoins() {
    reconnect_rejoins(ServerKind::V4, TransportMode::Auto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_polling_reconnect_rejoins() {
    reconnect_rejoins(ServerKind::V4, TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_websocket_reconnect_rejoins() {
    reconnect_rejoins(ServerKind::V2, TransportMode::Websocket).await;
}

/// The server goes away and comes back on the same port: every attempt is
/// visible, refused ones included, and the namespaces are joined again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restart_reconnects_and_rejoins() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let port = server.port();
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        namespaces: vec!["/".into(), "/admin".into()],
        auth: Some(json!({"token": "secret"})),
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    c.state("namespace connected").await;
    tokio::task::block_in_place(|| server.shutdown());

    let lost = c.state("disconnected").await;
    assert!(lost.detail.is_some(), "{lost:?}");
    let refused = c
        .next("a refused reconnect attempt", |r| {
            matches!(&r.body, Body::State(s) if s.state == "disconnected"
                && s.detail.as_deref() == Some(format!("connection refused at 127.0.0.1:{port}").as_str()))
        })
        .await;
    assert!(matches!(refused.body, Body::State(_)));

    let port_flag = port.to_string();
    let restarted = NodeServer::start(ServerKind::V4, &["--port", &port_flag]);
    assert_eq!(restarted.port(), port);
    c.state("open").await;
    c.state("namespace connected").await;
    c.state("namespace connected").await;
    let reply = c.emit("/admin", "back", vec![json!(1)], vec![], true).await.unwrap();
    assert_eq!(reply.args, json!([1]));
    server_log(&restarted, r#""t":"connect","nsp":"/admin""#);
    let seen = c.disconnect().await;
    let attempts: Vec<u64> = seen
        .iter()
        .filter_map(|r| match &r.body {
            Body::State(s) if s.state == "reconnecting" => s.data["attempt"].as_u64(),
            _ => None,
        })
        .collect();
    assert!(attempts.len() >= 2, "{attempts:?}");
    assert!(
        attempts.windows(2).all(|w| w[1] == w[0] + 1),
        "attempts count up: {attempts:?}"
    );
}

/// Connection state recovery: the pid and offsets are kept, sent back on
/// reconnect (merged with the auth), missed events are replayed before the
/// CONNECT reply, and the engine reports the session recovered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_sends_pid_and_offset_back() {
    let server = NodeServer::start(ServerKind::V4, &["--recovery"]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        auth: Some(json!({"token": "secret"})),
        // Long enough for the other client to broadcast while this one is away.
        reconnect_delay: std::time::Duration::from_millis(600),
        reconnect_delay_max: std::time::Duration::from_millis(600),
        ..opts(&server.url())
    });
    let joined = c.state("namespace connected").await;
    let pid = joined.data["pid"].as_str().expect("a pid with recovery on").to_string();
    let sid = joined.data["sid"].as_str().unwrap().to_string();
    assert_eq!(joined.data["recovered"], json!(false));
    assert!(joined.detail.unwrap().contains(&format!("recovery pid {pid}")));
    let welcome = c.frame(Direction::In, r#"42["welcome","hi","*"#).await;
    assert!(welcome.decoded.sio.is_some());
    c.emit("/", "join", vec![json!("room")], vec![], false).await;
    server_log(&server, r#""t":"join""#);
    c.emit("/", "echo", vec![json!("b")], vec![], false).await;
    let echo = c.frame(Direction::In, r#"42["echo","b","*"#).await;
    let offset = match &echo.raw {
        sio::record::Raw::Text { text } => {
            let v: serde_json::Value = serde_json::from_str(&text[2..]).unwrap();
            v[2].as_str().unwrap().to_string()
        }
        other => panic!("{other:?}"),
    };

    // Another client speaks to the room while this one is away.
    let mut other = Client::start(Options {
        transport: TransportMode::Websocket,
        ..opts(&server.url())
    });
    other.state("namespace connected").await;
    let mark = server.log_len();
    c.handle.reconnect().await.unwrap();
    c.state("reconnecting").await;
    server_log_from(&server, mark, r#""reason":"transport close""#);
    other
        .emit(
            "/",
            "to",
            vec![json!({"room": "room", "event": "news", "args": ["missed"]})],
            vec![],
            false,
        )
        .await;
    server_log_from(&server, mark, r#""event":"to""#);

    c.frame(
        Direction::Out,
        &format!(r#"40{{"token":"secret","pid":"{pid}","offset":"{offset}"}}"#),
    )
    .await;
    // The missed event first, then the CONNECT reply with the same ids.
    c.frame(Direction::In, r#"42["news","missed","*"#).await;
    c.frame(Direction::In, &format!(r#"40{{"sid":"{sid}","pid":"{pid}"}}"#))
        .await;
    let back = c.state("namespace connected").await;
    assert_eq!(back.data["recovered"], json!(true), "{back:?}");
    assert!(back.detail.unwrap().contains("session recovered"));
    let line = server_log_from(&server, mark, r#""recovered":true"#);
    assert!(line.contains(r#""t":"connect","nsp":"/""#), "{line}");
    other.disconnect().await;
    let seen = c.disconnect().await;
    assert!(!seen.iter().any(|r| is_state(r, "namespace failed")));
}
