//! Smoke tests for the Node test peers: the servers start, answer an
//! Engine.IO handshake in their protocol revision, take flags, log as JSON
//! and exit when their stdin closes.

use crate::support::http_get;
use crate::support::node::{NodeServer, ServerKind};

const HANDSHAKE: &str = "/socket.io/?EIO=4&transport=polling";

/// `^\d+:0\{`: a rev-3 length-prefixed payload whose first packet is `open`.
fn is_rev3_open_payload(body: &str) -> bool {
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && body[digits..].starts_with(":0{")
}

#[test]
fn v4_server_answers_a_rev4_handshake() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.port()));
    let response = http_get(server.port(), HANDSHAKE);
    assert_eq!(response.status, 200, "{response:?}");
    let body = response.text();
    assert!(body.starts_with("0{"), "v4 handshake body: {body:?}");
    assert!(body.contains(r#""sid":"#), "v4 handshake body: {body:?}");
    let line = server.wait_for_log_containing(r#""t":"engine_connection""#);
    assert!(line.contains(r#""protocol":4"#), "{line}");
}

#[test]
fn v2_server_answers_a_rev3_handshake() {
    let server = NodeServer::start(ServerKind::V2, &[]);
    let response = http_get(server.port(), HANDSHAKE);
    assert_eq!(response.status, 200, "{response:?}");
    let body = response.text();
    assert!(is_rev3_open_payload(&body), "v2 handshake body: {body:?}");
    // socket.io 2 joins "/" by itself and says so in the same body.
    assert!(body.ends_with("2:40"), "v2 handshake body: {body:?}");
    server.wait_for_log_containing(r#""t":"connect","nsp":"/""#);
}

#[test]
fn flags_reach_the_server() {
    let server = NodeServer::start(
        ServerKind::V4,
        &["--ping-interval", "1234", "--ping-timeout", "567", "--cookie"],
    );
    let response = http_get(server.port(), HANDSHAKE);
    let body = response.text();
    assert!(body.contains(r#""pingInterval":1234,"pingTimeout":567"#), "{body:?}");
    let cookie = response.header("set-cookie").unwrap_or_default();
    assert!(cookie.starts_with("io="), "Set-Cookie: {cookie:?}");

    let v2 = NodeServer::start(ServerKind::V2, &["--ping-interval", "1234", "--transports", "polling"]);
    let body = http_get(v2.port(), HANDSHAKE).text();
    assert!(body.contains(r#""upgrades":[],"pingInterval":1234"#), "{body:?}");
}

#[test]
fn bad_flags_fail_fast_with_the_reason() {
    let err = NodeServer::try_start(ServerKind::V4, &["--no-such-flag"])
        .err()
        .expect("start must fail");
    assert!(err.contains("unknown flag --no-such-flag"), "{err}");
    let err = NodeServer::try_start(ServerKind::V2, &["--recovery"])
        .err()
        .expect("start must fail");
    assert!(err.contains("--recovery"), "{err}");
}

#[test]
fn servers_exit_when_stdin_closes() {
    for kind in [ServerKind::V4, ServerKind::V2] {
        let server = NodeServer::start(kind, &[]);
        server.wait_for_log_containing(r#""t":"listening""#);
        let status = server.shutdown();
        assert!(status.success(), "{kind:?} exited with {status}");
    }
}

#[test]
fn unknown_session_is_a_logged_engine_error() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mark = server.log_len();
    let response = http_get(server.port(), "/socket.io/?EIO=4&transport=polling&sid=nope");
    assert_eq!(response.status, 400);
    assert_eq!(response.text(), r#"{"code":1,"message":"Session ID unknown"}"#);
    let (_, line) = server
        .wait_for_log_from(mark, crate::support::node::LOG_TIMEOUT, |l| {
            l.contains(r#""t":"engine_error""#)
        })
        .expect("engine_error log line");
    assert!(line.contains(r#""code":1"#), "{line}");
}
