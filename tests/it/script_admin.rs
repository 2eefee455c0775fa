//! A script's `admin` line and `expect-admin` against real instrumented servers: socket.io
//! 4.8 with @socket.io/admin-ui (development mode with basic auth, production mode) and
//! python-socketio's `instrument()`. Clients join rooms and broadcast; the script checks from
//! the server's own view that each is where it should be, beside what each client received.

use serde_json::Value;

use crate::script_cli::{sio, temp, text};
use crate::support::admin::admin_server;
use crate::support::python::PythonServer;

/// Both sides of one broadcast: the server's (who is in the room, what it received from
/// the sender, what it sent to one socket) and the clients' (who got it, who did not).
const BROADCAST: &str = r#"admin --user admin --password pw-1
client bob
client carol
bob: emit join lobby --ack
main: emit join lobby --ack
bob,main: expect-admin in lobby --within 5s
carol: expect-admin not in lobby
carol: expect-admin connected
bob: emit to {"room":"lobby","event":"news","args":["hi"]}
bob: expect-admin received to {"room":"lobby"} --within 5s
main,bob: expect news "hi" --within 5s
main,bob: expect-admin sent news "hi" --within 5s
carol: expect-none news --for 300ms
carol: emit echo 7
carol: expect-admin sent echo 7 --within 5s
bob: emit leave lobby --ack
bob: expect-admin not in lobby --within 5s
carol: disconnect
carol: expect-admin gone --within 5s
"#;

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn node_admin_ui_shows_the_servers_side_of_a_broadcast() {
    let server = admin_server(&["--mode", "development", "--user", "admin", "--password", "pw-1"]);
    let junit = temp("admin-broadcast.xml");
    let o = sio(
        &[
            "run",
            &server.url(),
            "-",
            "--json",
            "--junit",
            junit.to_str().expect("path"),
        ],
        BROADCAST,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let values = json_lines(&o.stdout);
    let results: Vec<&Value> = values.iter().filter(|v| v["kind"] == "result").collect();
    let result = |line: u64, client: &str| -> &Value {
        results
            .iter()
            .find(|r| r["line"] == line && r["client"] == client)
            .unwrap_or_else(|| panic!("no result of line {line} ({client}) in {out}"))
    };
    assert!(
        result(1, "admin")["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("connected to /admin (development mode"))
    );
    // The socket ids the server reported are the clients' own.
    let sid = |client: &str| -> String {
        values
            .iter()
            .find(|v| v["conn"] == client && v["state"] == "namespace connected" && v["data"]["nsp"] == "/")
            .and_then(|v| v["data"]["sid"].as_str())
            .unwrap_or_else(|| panic!("{client} connected on /: {out}"))
            .to_string()
    };
    let (bob, carol) = (sid("bob"), sid("carol"));
    assert_eq!(
        result(6, "bob")["message"],
        format!("the server has bob's socket {bob} on / in \"lobby\"")
    );
    assert_eq!(
        result(7, "carol")["message"],
        format!("the server does not have carol's socket {carol} on / in \"lobby\"")
    );
    assert_eq!(
        result(10, "bob")["message"],
        format!(
            "the server received from bob's socket {bob} on /: \"to\" [{{\"room\":\"lobby\",\"event\":\"news\",\"args\":[\"hi\"]}}]"
        )
    );
    // socket.io 4.8 tells outgoing listeners of a room's sockets too: the broadcast as sent.
    assert_eq!(
        result(12, "main")["message"],
        format!(
            "the server sent to main's socket {} on /: \"news\" [\"hi\"]",
            sid("main")
        )
    );
    assert_eq!(
        result(15, "carol")["message"],
        format!("the server sent to carol's socket {carol} on /: \"echo\" [7]")
    );
    assert_eq!(
        result(19, "carol")["message"],
        format!("the server no longer lists carol's socket {carol} on /")
    );
    assert!(out.contains("\"passed\":22"), "{out}");
    // The admin connection's records are in the stream, named.
    assert!(
        values
            .iter()
            .any(|v| v["conn"] == "admin" && v["state"] == "admin" && v["data"]["event"] == "room_joined")
    );
    let report = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        report.contains("line 6 (main): expect-admin in lobby --within 5s"),
        "{report}"
    );
    assert!(
        report.contains("line 1 (admin): admin --user admin --password pw-1"),
        "{report}"
    );
}

#[test]
fn a_client_the_server_did_not_put_in_the_room_fails_naming_its_rooms() {
    let server = admin_server(&["--mode", "development"]);
    let script = "admin\nclient carol\nemit join lobby --ack\ncarol: expect-admin in lobby --within 700ms\n";
    let o = sio(&["run", &server.url(), "-"], script);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let last = String::from_utf8_lossy(&o.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(
        last.starts_with("sio: line 4 (carol) failed: the server did not put carol's socket ")
            && last.contains(" on / in \"lobby\" (its rooms are [\"")
            && last.ends_with("\"]) within 700 ms"),
        "{out}"
    );
    assert!(out.contains("✓ line 1 (admin): admin — connected to /admin"), "{out}");
}

#[test]
fn production_mode_and_a_wrong_password_fail_the_admin_line() {
    let production = admin_server(&["--mode", "production"]);
    let o = sio(&["run", &production.url(), "-"], "admin\nexpect-admin connected\n");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "sio: line 1 (admin) failed: /admin is in production mode: the server reports no sockets, rooms or events"
        ),
        "{out}"
    );
    assert!(out.contains("0 passed, 1 failed, 1 skipped"), "{out}");

    let guarded = admin_server(&["--mode", "development", "--user", "admin", "--password", "right"]);
    let o = sio(
        &["run", &guarded.url(), "-"],
        "admin --user admin --password wrong\nexpect-admin connected\n",
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("sio: line 1 (admin) failed: /admin refused the credentials"),
        "{out}"
    );
}

#[test]
fn python_socketio_instrumentation_answers_expect_admin() {
    let server = PythonServer::start(&[
        "--instrument",
        "--admin-user",
        "admin",
        "--admin-password",
        "pw-3",
        "--ping-interval",
        "1000",
    ]);
    // python-socketio reports room changes in a batch after each server_stats (every 2 s).
    let script = r#"admin --user admin --password pw-3
client bob
bob: emit join lobby --ack
bob: expect-admin in lobby --within 10s
expect-admin not in lobby
bob: emit to {"room":"lobby","event":"news","args":[1]}
bob: expect news 1
bob: expect-admin received to --within 10s
"#;
    let o = sio(&["run", &server.url(), "-"], script);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("✓ line 4 (bob): expect-admin in lobby --within 10s — the server has bob's socket "),
        "{out}"
    );
    assert!(out.contains("8 passed, 0 failed"), "{out}");
}
