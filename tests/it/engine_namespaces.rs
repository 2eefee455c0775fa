//! Namespaces (protocol.md §3.4, §3.6): several on one connection, auth,
//! CONNECT_ERROR with the server's message, join and leave while connected,
//! and the server's DISCONNECT, after which nothing reconnects.

use serde_json::json;
use sio::engine::{Options, TransportMode};
use sio::record::Direction;

use crate::engine_util::{Client, is_state, opts, server_log};
use crate::support::node::{NodeServer, ServerKind};

/// Two namespaces at start, one with auth; join a refused one, join it right, leave it.
async fn join_refuse_leave(kind: ServerKind, transport: TransportMode) {
    let server = NodeServer::start(kind, &[]);
    let v2 = kind == ServerKind::V2;
    let mut c = Client::start(Options {
        transport,
        namespaces: vec!["/".into(), "admin".into()],
        auth: Some(json!({"token": "secret"})),
        ..opts(&server.url())
    });
    let mut joined = Vec::new();
    for _ in 0..2 {
        joined.push(c.state("namespace connected").await.data["nsp"].clone());
    }
    joined.sort_by_key(|v| v.to_string());
    assert_eq!(joined, vec![json!("/"), json!("/admin")]);
    // Each namespace has its own welcome, and its own acks.
    c.frame(Direction::In, r#"42/admin,["welcome","admin"]"#).await;
    if v2 {
        c.frames_in_order(&["> 40/admin?token=secret,", "< 40/admin*"]).await;
    } else {
        c.frames_in_order(&[
            r#"> 40{"token":"secret"}"#,
            r#"> 40/admin,{"token":"secret"}"#,
            r#"< 40/admin,{"sid":*"#,
        ])
        .await;
    }
    let reply = c
        .emit("/admin", "where", vec![json!("admin")], Vec::new(), true)
        .await
        .unwrap();
    assert_eq!(reply.args, json!(["admin"]));
    c.frame(Direction::Out, r#"42/admin,0["where","admin"]"#).await;
    c.frame(Direction::In, r#"43/admin,0["admin"]"#).await;
    server_log(&server, r#""event":"where""#);

    // Leave /admin: DISCONNECT for it alone; "/" keeps working.
    c.handle.leave("/admin").await.unwrap();
    c.frame(Direction::Out, "41/admin,").await;
    // Over polling the frame is recorded when its POST leaves, which may be after the state.
    let left = c.ever_state("namespace left").await;
    assert_eq!(left.data["nsp"], json!("/admin"));
    server_log(&server, r#""nsp":"/admin","#);
    server_log(&server, r#""reason":"client namespace disconnect""#);
    let refused = c.handle.emit("/admin", "x", vec![], vec![], false).await.unwrap_err();
    assert!(refused.contains("not joined to /admin"), "{refused}");

    // Join /admin with a wrong token: refused with the server's message, the connection stays.
    let err = c
        .handle
        .join("/admin", Some(json!({"token": "wrong"})))
        .await
        .unwrap_err();
    assert!(err.contains("not authorized"), "{err}");
    if v2 {
        c.frame(Direction::Out, "40/admin?token=wrong,").await;
        c.frame(Direction::In, r#"44/admin,"not authorized""#).await;
    } else {
        c.frame(Direction::Out, r#"40/admin,{"token":"wrong"}"#).await;
        c.frame(Direction::In, r#"44/admin,{"message":"not authorized"}"#).await;
    }
    let failed = c.state("namespace failed").await;
    assert_eq!(failed.data["nsp"], json!("/admin"));
    assert_eq!(failed.data["message"], json!("not authorized"));
    assert!(failed.detail.unwrap().contains("/admin refused: not authorized"));
    server_log(&server, r#""t":"refused""#);

    // And with the right one.
    c.handle.join("/admin", Some(json!({"token": "secret"}))).await.unwrap();
    c.state("namespace connected").await;
    let reply = c.emit("/", "root", vec![json!(1)], Vec::new(), true).await.unwrap();
    assert_eq!(reply.args, json!([1]));
    let seen = c.disconnect().await;
    assert!(
        !seen.iter().any(|r| is_state(r, "disconnected")),
        "the connection never dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_websocket_join_refuse_leave() {
    join_refuse_leave(ServerKind::V4, TransportMode::Websocket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_polling_join_refuse_leave() {
    join_refuse_leave(ServerKind::V4, TransportMode::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_websocket_join_refuse_leave() {
    join_refuse_leave(ServerKind::V2, TransportMode::Websocket).await;
}

/// The URL's path names the namespace; refused at start with nothing else joined, the session ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_only_namespace_closes_without_reconnecting() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        auth: Some(json!({"token": "nope"})),
        ..opts(&format!("{}/admin", server.url()))
    });
    c.frame(Direction::Out, r#"40/admin,{"token":"nope"}"#).await;
    let failed = c.state("namespace failed").await;
    assert_eq!(failed.data["message"], json!("not authorized"));
    let closed = c.state("closed").await;
    assert!(closed.detail.unwrap().contains("no namespace left"));
    c.drain_to_end().await;
    assert!(!c.seen.iter().any(|r| is_state(r, "reconnecting")), "{}", c.dump());
}

/// The server disconnects the socket (`41`): reported, no re-join, and with no namespace left, closed.
async fn server_disconnect(kind: ServerKind) {
    let server = NodeServer::start(kind, &[]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        namespaces: vec!["/".into(), "/admin".into()],
        auth: Some(json!({"token": "secret"})),
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    c.state("namespace connected").await;

    // /admin goes; "/" stays.
    c.emit("/admin", "disconnect-me", vec![], vec![], false).await;
    c.frame(Direction::In, "41/admin*").await;
    let gone = c.state("namespace disconnected").await;
    assert_eq!(gone.data["nsp"], json!("/admin"));
    assert_eq!(gone.data["reason"], json!("io server disconnect"));
    let err = c.handle.emit("/admin", "x", vec![], vec![], false).await.unwrap_err();
    assert!(err.contains("not joined"), "{err}");
    let reply = c.emit("/", "still", vec![json!(true)], Vec::new(), true).await.unwrap();
    assert_eq!(reply.args, json!([true]));

    // "/" goes too: nothing left, the session is over for good.
    c.emit("/", "disconnect-me", vec![], vec![], false).await;
    c.frame(Direction::In, "41").await;
    c.state("namespace disconnected").await;
    let closed = c.state("closed").await;
    assert!(closed.detail.unwrap().contains("io server disconnect"));
    c.drain_to_end().await;
    assert!(!c.seen.iter().any(|r| is_state(r, "reconnecting")), "{}", c.dump());
    server_log(&server, r#""reason":"server namespace disconnect""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_server_disconnect_is_final() {
    server_disconnect(ServerKind::V4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_server_disconnect_is_final() {
    server_disconnect(ServerKind::V2).await;
}

/// Emits made while a namespace is still joining wait for its CONNECT reply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emits_wait_for_the_namespace() {
    let server = NodeServer::start(ServerKind::V4, &["--connect-delay", "200"]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        ..opts(&server.url())
    });
    c.state("open").await;
    let emit = c.handle.emit("/", "early", vec![json!(1)], vec![], true);
    let reply = tokio::time::timeout(crate::engine_util::WAIT, emit)
        .await
        .expect("ack in time")
        .expect("ack")
        .expect("a reply");
    assert_eq!(reply.args, json!([1]));
    c.frame(Direction::In, "430[1]").await;
    c.frames_in_order(&["> 40", r#"< 40{"sid":*"#, r#"> 420["early",1]"#, r#"< 430[1]"#])
        .await;
    c.disconnect().await;
}

/// Reserved event names are refused before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_event_names_are_refused() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    for name in ["connect", "disconnect", "connect_error"] {
        let err = c.handle.emit("/", name, vec![], vec![], false).await.unwrap_err();
        assert!(err.contains("reserved"), "{name}: {err}");
    }
    let seen = c.disconnect().await;
    assert!(
        !seen
            .iter()
            .filter_map(crate::engine_util::render_frame)
            .any(|f| f.contains("connect\""))
    );
}

/// Leaving a namespace whose CONNECT is still unanswered: the join fails at once,
/// and the DISCONNECT waits for the server's answer (a v5 server drops the whole
/// connection on a DISCONNECT for a namespace it has not admitted yet).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_while_joining() {
    let server = NodeServer::start(ServerKind::V4, &["--connect-delay", "800"]);
    let mut c = Client::start(Options {
        transport: TransportMode::Websocket,
        namespaces: vec!["/admin".into()],
        auth: Some(json!({"token": "secret"})),
        ..opts(&server.url())
    });
    c.state("namespace connected").await;
    let handle = c.handle.clone();
    let join = tokio::spawn(async move { handle.join("/", None).await });
    c.frame(Direction::Out, "40").await;
    c.handle.leave("/").await.unwrap();
    let err = tokio::time::timeout(crate::engine_util::WAIT, join)
        .await
        .expect("the join answers")
        .unwrap()
        .unwrap_err();
    assert!(err.contains("left before the server answered"), "{err}");
    let left = c.state("namespace left").await;
    assert!(left.detail.unwrap().contains("before the server answered"));
    // The server's late answer, then our DISCONNECT; the connection lives on.
    c.frame(Direction::In, r#"40{"sid":*"#).await;
    c.frame(Direction::Out, "41").await;
    let reply = c.emit("/admin", "still", vec![json!(1)], vec![], true).await.unwrap();
    assert_eq!(reply.args, json!([1]));
    server_log(&server, r#""nsp":"/","id""#);
    server_log(&server, r#""reason":"client namespace disconnect""#);
    let seen = c.disconnect().await;
    assert!(
        !seen.iter().any(|r| is_state(r, "disconnected")),
        "the connection never dropped"
    );
    assert!(!seen.iter().any(|r| is_state(r, "namespace connected")
        && matches!(&r.body, sio::record::Body::State(s) if s.data["nsp"] == json!("/"))));
    assert!(!server.json_log().iter().any(|l| l.contains("forced close")));
}
