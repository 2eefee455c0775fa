//! `sio listen` as a user runs it against a real Node server.

use std::process::{Command, Output};

use crate::support::node::{NodeServer, ServerKind};

fn sio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run sio")
}

#[test]
fn prints_the_welcome_event_and_stops_after_count() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let o = sio(&["listen", &server.url(), "--count", "1", "--event", "welcome", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(records.len(), 1, "{out}");
    assert_eq!(records[0]["sio"]["event"], "welcome");
    assert_eq!(records[0]["dir"], "in");
}

#[test]
fn human_output_shows_the_handshake_and_namespace() {
    let server = NodeServer::start(ServerKind::V2, &[]);
    let o = sio(&["listen", &server.url(), "--count", "1", "--transport", "websocket"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Engine.IO 3 / Socket.IO 4"), "{out}");
    assert!(out.contains(r#"EVENT "welcome" "hi""#), "{out}");
}

#[test]
fn refused_namespace_and_closed_port_exit_1_with_the_reason() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let url = format!("{}/admin", server.url());
    let o = sio(&["listen", &url, "--auth", r#"{"token":"wrong"}"#]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("/admin refused: not authorized"));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let o = sio(&["listen", &format!("http://127.0.0.1:{port}"), "--no-reconnect"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("connection refused at 127.0.0.1:{port}")));
}

#[test]
fn bad_flags_are_usage_errors() {
    assert_eq!(sio(&["listen", "http://x", "--timeout", "soon"]).status.code(), Some(2));
    assert_eq!(sio(&["listen", "http://x", "-H", "no colon"]).status.code(), Some(2));
    assert_eq!(sio(&["listen", "http://x", "--auth", "{"]).status.code(), Some(2));
    assert_eq!(sio(&["listen", "ftp://x"]).status.code(), Some(2));
}
