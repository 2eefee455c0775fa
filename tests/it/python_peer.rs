//! The python-socketio test peers proven: sio's engine against the real
//! python-socketio server over polling, WebSocket and the upgrade (welcome,
//! echo with an ack, binary), the ws-only server refusing polling, and the
//! python-socketio client against that server.

use serde_json::{Value, json};
use sio::engine::{Options, TransportMode};
use sio::record::{Body, Direction, Record, Transport};

use crate::engine_util::{Client, frame_text, opts};
use crate::support::http_get;
use crate::support::python::{PythonServer, client_command};

/// The `binary` event with its attachment, whole.
fn is_binary_event(r: &Record) -> bool {
    matches!(&r.body, Body::Frame(f) if f.dir == Some(Direction::In)
        && f.decoded.sio.as_ref().is_some_and(|s| s.event.as_deref() == Some("binary")
            && s.attachments.iter().map(|b| b.0.as_slice()).eq([&[1u8, 2, 3][..]])))
}

fn transport_of(r: &Record) -> Option<Transport> {
    match &r.body {
        Body::Frame(f) => f.transport,
        _ => None,
    }
}

/// Welcome, echo with an ack, binary; returns the client for transport checks.
async fn exercise(server: &PythonServer, transport: TransportMode) -> Client {
    let mut client = Client::start(Options {
        transport,
        ..opts(&server.url())
    });
    client.ever_state("namespace connected").await;
    // python-socketio sends welcome before the CONNECT reply: look from the start.
    client
        .since(0, "the welcome event", |r| {
            frame_text(r).is_some_and(|(d, _, t)| d == Direction::In && t == r#"42["welcome","hi"]"#)
        })
        .await;
    let reply = client
        .emit("/", "echo", vec![json!("a"), json!({"n": 1})], Vec::new(), true)
        .await
        .expect("an ack");
    assert_eq!(reply.args, json!(["a", {"n": 1}]));
    let line = tokio::task::block_in_place(|| server.wait_for_log_containing(r#""event": "echo""#));
    assert!(line.contains(r#""args": ["a", {"n": 1}]"#), "{line}");
    client.emit("/", "binary", Vec::new(), Vec::new(), false).await;
    client.next("the binary event with 01 02 03", is_binary_event).await;
    client
}

/// The whole session on one transport, never upgraded.
async fn stays_on(server_flags: &[&str], mode: TransportMode, transport: Transport) {
    let server = PythonServer::start(server_flags);
    let client = exercise(&server, mode).await;
    let seen = client.disconnect().await;
    assert!(
        seen.iter().filter_map(transport_of).all(|t| t == transport),
        "a frame went over something else than {transport:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_server_over_polling() {
    stays_on(&[], TransportMode::Polling, Transport::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_server_over_websocket() {
    stays_on(
        &["--transports", "websocket"],
        TransportMode::Websocket,
        Transport::Websocket,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_server_upgrades_polling_to_websocket() {
    let server = PythonServer::start(&[]);
    let mut client = exercise(&server, TransportMode::Auto).await;
    client.ever_state("upgraded").await;
    // After the upgrade the echo goes over the WebSocket.
    client.emit("/", "echo", vec![json!("after")], Vec::new(), false).await;
    let echo = client.frame(Direction::In, r#"42["echo","after"]"#).await;
    assert_eq!(echo.transport, Some(Transport::Websocket));
    client.disconnect().await;
}

#[test]
fn websocket_only_python_server_refuses_polling() {
    // What `--transport auto` meets on a python-socketio server without polling.
    let server = PythonServer::start(&["--transports", "websocket"]);
    let answer = http_get(server.port(), "/socket.io/?EIO=4&transport=polling");
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(answer.text(), r#""Invalid transport""#);
}

#[test]
fn bad_flag_is_reported() {
    let failure = match PythonServer::try_start(&["--transports", "carrier-pigeon"]) {
        Ok(_) => panic!("the server started with a bad flag"),
        Err(message) => message,
    };
    assert!(
        failure.contains("exited") && failure.contains("--transports"),
        "{failure}"
    );
}

fn client_lines(args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let output = client_command(args).output().expect("client.py runs");
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect();
    (output.status.code(), lines)
}

#[test]
fn python_client_talks_to_the_python_server() {
    for parser in ["default", "msgpack"] {
        let server = PythonServer::start(&["--parser", parser]);
        let url = server.url();
        let (code, lines) = client_lines(&[
            &url,
            "--parser",
            parser,
            "--emit",
            "echo",
            r#"["a", {"$hex": "0102"}]"#,
            "--until",
            "echo",
        ]);
        assert_eq!(code, Some(0), "{parser}: {lines:?}");
        let ack = lines.iter().find(|l| l["t"] == "ack").expect("an ack line");
        assert_eq!(ack["args"], json!(["a", {"$hex": "0102"}]), "{parser}");
        assert!(
            lines.iter().any(|l| l["t"] == "event" && l["event"] == "welcome"),
            "{parser}: {lines:?}"
        );
        assert_eq!(lines.last().map(|l| l["t"].clone()), Some(json!("done")), "{parser}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_falls_back_to_websocket_on_a_websocket_only_python_server() {
    let server = PythonServer::start(&["--transports", "websocket"]);
    let mut client = Client::start(opts(&server.url()));
    let fallback = client.ever_state("transport fallback").await;
    let detail = fallback.detail.unwrap_or_default();
    assert!(detail.contains("Invalid transport"), "{detail}");
    client.ever_state("namespace connected").await;
    client
        .emit("/", "echo", vec![json!("over ws")], Vec::new(), false)
        .await;
    let echo = client.frame(Direction::In, r#"42["echo","over ws"]"#).await;
    assert_eq!(echo.transport, Some(Transport::Websocket));
    client.disconnect().await;
}

/// An incoming event with this name and these arguments (after the name).
fn is_event(r: &Record, name: &str, args: &Value) -> bool {
    matches!(&r.body, Body::Frame(f) if f.dir == Some(Direction::In)
        && f.decoded.sio.as_ref().is_some_and(|s| s.event.as_deref() == Some(name)
            && s.data.as_ref().is_some_and(|d| d.value().as_array().map(|a| &a[1..]) == args.as_array().map(|a| &a[..]))))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_server_behaviours_match_the_node_peers() {
    let server = PythonServer::start(&["--transports", "websocket"]);
    let mut client = Client::start(Options {
        transport: TransportMode::Websocket,
        auto_ack: true,
        ..opts(&server.url())
    });
    client.ever_state("namespace connected").await;
    // ask: the server asks with an ack; sio's auto-ack answers [], which comes back as "answered".
    client.emit("/", "ask", vec![json!("q?")], Vec::new(), false).await;
    client
        .next("question", |r| is_event(r, "question", &json!(["q?"])))
        .await;
    client.next("answered", |r| is_event(r, "answered", &json!([]))).await;
    // rooms
    client.emit("/", "join", vec![json!("r1")], Vec::new(), false).await;
    tokio::task::block_in_place(|| server.wait_for_log_containing(r#""t": "join""#));
    let to = json!({"room": "r1", "event": "roomy", "args": [1, "two"]});
    client.emit("/", "to", vec![to], Vec::new(), false).await;
    client.next("roomy", |r| is_event(r, "roomy", &json!([1, "two"]))).await;
    // flood: n events, then flood-done, and the ack at the end.
    let done = client
        .emit("/", "flood", vec![json!({"n": 5, "size": 3})], Vec::new(), true)
        .await
        .expect("the flood's ack");
    assert_eq!(done.args, json!([{"n": 5}]));
    client
        .since(0, "flood-done", |r| is_event(r, "flood-done", &json!([{"n": 5}])))
        .await;
    let floods = client
        .seen
        .iter()
        .filter(|r| is_event(r, "flood", &json!(["xxx"])))
        .count();
    assert_eq!(floods, 5);
    // /admin: refused without the token, admitted with it.
    let refused = client.handle.join("/admin", None).await.expect_err("refused");
    assert!(refused.contains("not authorized"), "{refused}");
    client
        .handle
        .join("/admin", Some(json!({"token": "secret"})))
        .await
        .expect("admitted");
    client
        .since(0, "welcome on /admin", |r| is_event(r, "welcome", &json!(["admin"])))
        .await;
    client.disconnect().await;
}

#[test]
fn python_cors_refusal_is_named_with_the_servers_words() {
    let server = PythonServer::start(&["--cors", "http://good.example"]);
    for transport in ["polling", "websocket"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_sio"))
            .args(["listen", &server.url(), "--for", "5s", "--transport", transport])
            .args(["-H", "Origin: http://bad.example"])
            .env("NO_COLOR", "1")
            .output()
            .expect("sio runs");
        assert_eq!(output.status.code(), Some(1), "{transport}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("sio: ") && last.contains("400") && last.contains("not an accepted origin"),
            "{transport}: {stderr}"
        );
    }
}
