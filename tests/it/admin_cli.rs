//! `sio admin` against real instrumented servers: socket.io 4.8 with @socket.io/admin-ui
//! (development and production mode, with basic auth and without, read-only) and
//! python-socketio's `instrument()`. Real clients (the official Node client, and sio's own)
//! connect, join rooms and emit; each test checks what `sio admin` reports against what the
//! clients and the server know, and that each operation takes effect on the client.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::admin::{JsonChild, WAIT, admin_server, connected_ids, is_admin};
use crate::support::python::PythonServer;

const EXIT: Duration = Duration::from_secs(30);

/// `sio connect URL --no-tui --json`, and its socket id on "/".
fn sio_client(url: &str) -> (JsonChild, String) {
    let client = JsonChild::sio(&["connect", url, "--no-tui", "--json", "--no-reconnect"]);
    let connected = client.wait_for("namespace connected", |v| v["state"] == "namespace connected");
    let id = connected["data"]["sid"].as_str().expect("sid").to_string();
    (client, id)
}

/// `sio admin URL --no-tui --json ARGS`, once it has the server's sockets.
fn sio_admin(url: &str, args: &[&str], listed: bool) -> JsonChild {
    let mut all = vec!["admin", url, "--no-tui", "--json", "--linger", "1s"];
    all.extend_from_slice(args);
    let admin = JsonChild::sio(&all);
    admin.wait_for("config", |v| is_admin(v, "config"));
    if listed {
        admin.wait_for("all_sockets", |v| is_admin(v, "all_sockets"));
    }
    admin
}

fn snapshot(url: &str, args: &[&str]) -> Value {
    let mut all = vec!["admin", url, "--snapshot", "--json"];
    all.extend_from_slice(args);
    let mut child = JsonChild::sio(&all);
    let status = child.wait_exit(EXIT);
    assert!(status.success(), "snapshot failed: {:?}", child.stderr());
    child.values().pop().expect("one JSON object")
}

/// `sio admin …` that must fail: its last stderr line.
fn refused(args: &[&str], stdin: &[&str]) -> String {
    let mut child = JsonChild::sio(args);
    for line in stdin {
        child.say(line);
    }
    child.close_stdin();
    let status = child.wait_exit(EXIT);
    assert_eq!(status.code(), Some(1), "{args:?}: {:?}", child.stderr());
    child.last_error()
}

fn room_event(v: &Value, event: &str, room: &str, id: &str) -> bool {
    is_admin(v, event) && v["data"]["room"] == room && v["data"]["id"] == id
}

fn socket_in(snap: &Value, id: &str) -> Value {
    snap["sockets"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == id).cloned())
        .unwrap_or_else(|| panic!("{id} not in {snap}"))
}

#[test]
fn node_development_mode_shows_sockets_rooms_events_and_operations_act() {
    let server = admin_server(&["--mode", "development"]);
    let url = server.url();
    let mut admin = sio_admin(&url, &[], true);

    let mut node = JsonChild::node_clients(
        &url,
        &["--sockets", "2", "--join", "lobby", "--user-agent", "node-crowd"],
    );
    let ids = connected_ids(&node, 2);
    let (mut mine, mine_id) = sio_client(&url);
    mine.say("emit join sio-room");
    mine.say("emit echo hi 2");

    // What the clients did, as the server reports it.
    for id in &ids {
        let connected = admin.wait_for("socket_connected", |v| {
            is_admin(v, "socket_connected") && v["data"]["id"] == *id
        });
        assert_eq!(connected["conn"], "admin");
        assert_eq!(connected["data"]["nsp"], "/");
        assert_eq!(
            connected["data"]["socket"]["handshake"]["headers"]["user-agent"],
            "node-crowd"
        );
        admin.wait_for("lobby join", |v| room_event(v, "room_joined", "lobby", id));
    }
    admin.wait_for("sio-room join", |v| room_event(v, "room_joined", "sio-room", &mine_id));
    let echo = admin.wait_for("echo received", |v| {
        is_admin(v, "event_received") && v["data"]["id"] == mine_id && v["data"]["name"] == "echo"
    });
    assert_eq!(echo["data"]["args"], json!(["hi", 2]));
    admin.wait_for("echo sent back", |v| {
        is_admin(v, "event_sent") && v["data"]["id"] == mine_id && v["data"]["name"] == "echo"
    });

    // The snapshot agrees with the clients and the server.
    let snap = snapshot(&url, &[]);
    assert_eq!(snap["mode"], "development");
    let pid = server
        .json_log()
        .iter()
        .find_map(|l| serde_json::from_str::<Value>(l).ok().filter(|v| v["t"] == "listening"))
        .map(|v| v["pid"].clone())
        .expect("the server's pid");
    assert_eq!(snap["servers"][0]["pid"], pid, "{snap}");
    for id in &ids {
        let s = socket_in(&snap, id);
        assert_eq!(s["nsp"], "/");
        assert!(
            s["rooms"].as_array().is_some_and(|r| r.contains(&json!("lobby"))),
            "{s}"
        );
    }
    let lobby = snap["rooms"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "lobby").cloned())
        .expect("lobby");
    let mut members: Vec<&str> = lobby["sockets"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    members.sort();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(members, want);
    assert!(
        socket_in(&snap, &mine_id)["rooms"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("sio-room")))
    );

    // Operations take effect: on the server's own room list, and on the clients.
    let log_from = server.log_len();
    admin.say(&format!("join vip {}", ids[0]));
    server
        .wait_for_log_from(log_from, WAIT, |l| {
            l.contains(r#""t":"room_join""#) && l.contains(r#""room":"vip""#) && l.contains(&ids[0])
        })
        .expect("the server put the socket in vip");
    admin.wait_for("vip join", |v| room_event(v, "room_joined", "vip", &ids[0]));
    admin.wait_for("the operation's record", |v| {
        v["state"] == "admin operation"
            && v["data"]["sent"] == true
            && v["data"]["line"] == format!("join vip {}", ids[0])
    });

    admin.say(r#"emit vip hello {"n":1}"#);
    let hello = node.wait_for("hello", |v| v["t"] == "event" && v["event"] == "hello");
    assert_eq!(
        (hello["i"].clone(), hello["args"].clone()),
        (json!(0), json!([{"n": 1}]))
    );

    admin.say(&format!("leave lobby {}", ids[1]));
    server
        .wait_for_log_from(log_from, WAIT, |l| {
            l.contains(r#""t":"room_leave""#) && l.contains(r#""room":"lobby""#) && l.contains(&ids[1])
        })
        .expect("the server took the socket out of lobby");

    admin.say(&format!("disconnect {mine_id}"));
    let gone = mine.wait_for("its disconnection", |v| v["state"] == "namespace disconnected");
    assert_eq!(gone["data"]["nsp"], "/");
    admin.wait_for("socket_disconnected", |v| {
        is_admin(v, "socket_disconnected") && v["data"]["id"] == mine_id
    });

    admin.say("disconnect --match node-crowd");
    for i in 0..2 {
        let d = node.wait_for("disconnect", |v| v["t"] == "disconnect" && v["i"] == i);
        assert_eq!(d["reason"], "io server disconnect");
    }
    // The second client never was in vip.
    assert!(!node.values().iter().any(|v| v["event"] == "hello" && v["i"] == 1));

    admin.close_stdin();
    let status = admin.wait_exit(EXIT);
    assert!(status.success(), "{:?}", admin.stderr());
    node.close_stdin();
}

#[test]
fn node_production_mode_with_basic_auth() {
    let server = admin_server(&["--mode", "production", "--user", "admin", "--password", "pw-1"]);
    let url = server.url();

    let why = refused(&["admin", &url, "--snapshot"], &[]);
    assert!(why.starts_with("sio: admin: /admin needs credentials"), "{why}");
    assert!(why.contains("invalid credentials"), "{why}");
    let why = refused(
        &["admin", &url, "--snapshot", "--user", "admin", "--password", "wrong"],
        &[],
    );
    assert!(why.contains("wrong --user or --password"), "{why}");

    let mut node = JsonChild::node_clients(&url, &["--sockets", "3"]);
    connected_ids(&node, 3);
    let creds = ["--user", "admin", "--password", "pw-1"];
    let snap = snapshot(&url, &creds);
    assert_eq!(snap["mode"], "production");
    assert_eq!(snap["sockets_listed"], false);
    assert_eq!(snap["sockets"], json!([]));
    let root = snap["namespaces"]
        .as_array()
        .and_then(|n| n.iter().find(|n| n["name"] == "/").cloned())
        .expect("/");
    assert_eq!(root["sockets"], 3, "{snap}");

    // Production mode still takes operations on rooms and namespaces.
    let mut admin = sio_admin(&url, &creds, false);
    admin.say(r#"emit * broadcast "to all""#);
    for i in 0..3 {
        node.wait_for("the broadcast", |v| {
            v["t"] == "event" && v["event"] == "broadcast" && v["i"] == i
        });
    }
    // --match needs the list of sockets, which production mode does not send.
    admin.say("disconnect --match x");
    admin.close_stdin();
    let status = admin.wait_exit(EXIT);
    assert_eq!(status.code(), Some(1));
    assert!(
        admin.last_error().contains("development mode only"),
        "{:?}",
        admin.stderr()
    );
    node.close_stdin();
}

#[test]
fn read_only_and_uninstrumented_servers_are_refused_clearly() {
    let server = admin_server(&["--mode", "development", "--readonly"]);
    let url = server.url();
    let why = refused(&["admin", &url, "--no-tui", "--linger", "0s"], &["join vip *"]);
    assert_eq!(
        why,
        "sio: admin: join refused: the server is read-only (supportedFeatures: AGGREGATED_EVENTS, ALL_EVENTS)"
    );
    let why = refused(&["admin", &url, "--admin-namespace", "/monitor", "--snapshot"], &[]);
    assert!(why.contains("/monitor does not exist on this server"), "{why}");
    assert!(why.contains("not instrumented"), "{why}");
}

#[test]
fn python_socketio_instrumentation() {
    let server = PythonServer::start(&[
        "--instrument",
        "--admin-user",
        "admin",
        "--admin-password",
        "pw-2",
        "--ping-interval",
        "2000",
    ]);
    let url = server.url();
    let why = refused(
        &["admin", &url, "--snapshot", "--user", "admin", "--password", "nope"],
        &[],
    );
    assert!(
        why.contains("wrong --user or --password") && why.contains("authentication failed"),
        "{why}"
    );

    let creds = ["--user", "admin", "--password", "pw-2"];
    // python-socketio 5 sends `all_sockets` to the last socket it lists, not to the admin:
    // only the config is sure to come.
    let mut admin = sio_admin(&url, &creds, false);
    let mut node = JsonChild::node_clients(&url, &["--sockets", "2", "--join", "lobby"]);
    let ids = connected_ids(&node, 2);
    let (mut mine, mine_id) = sio_client(&url);
    mine.say("emit echo from-sio");
    for id in ids.iter().chain([&mine_id]) {
        admin.wait_for("socket_connected", |v| {
            is_admin(v, "socket_connected") && v["data"]["id"] == *id
        });
    }
    // python-socketio reports room changes in a batch after each server_stats.
    for id in &ids {
        admin.wait_for("lobby join", |v| room_event(v, "room_joined", "lobby", id));
    }
    let echo = admin.wait_for("echo received", |v| {
        is_admin(v, "event_received") && v["data"]["id"] == mine_id && v["data"]["name"] == "echo"
    });
    assert_eq!(echo["data"]["args"], json!(["from-sio"]));

    let snap = snapshot(&url, &creds);
    assert_eq!(snap["mode"], "development");
    let root = snap["namespaces"]
        .as_array()
        .and_then(|n| n.iter().find(|n| n["name"] == "/").cloned())
        .expect("/");
    assert_eq!(root["sockets"], 3, "{snap}");

    admin.say(r#"emit lobby hello-lobby 7"#);
    for i in 0..2 {
        let e = node.wait_for("hello-lobby", |v| {
            v["t"] == "event" && v["event"] == "hello-lobby" && v["i"] == i
        });
        assert_eq!(e["args"], json!([7]));
    }
    admin.say(&format!("disconnect {mine_id}"));
    mine.wait_for("its disconnection", |v| v["state"] == "namespace disconnected");
    admin.wait_for("socket_disconnected", |v| {
        is_admin(v, "socket_disconnected") && v["data"]["id"] == mine_id
    });
    admin.close_stdin();
    assert!(admin.wait_exit(EXIT).success(), "{:?}", admin.stderr());
    node.close_stdin();
}

#[test]
fn python_socketio_production_mode_counts_sockets() {
    let server = PythonServer::start(&["--instrument", "--admin-mode", "production", "--ping-interval", "2000"]);
    let url = server.url();
    let mut node = JsonChild::node_clients(&url, &["--sockets", "2"]);
    connected_ids(&node, 2);
    let snap = snapshot(&url, &[]);
    assert_eq!(snap["mode"], "production");
    assert_eq!(snap["sockets_listed"], false);
    let root = snap["namespaces"]
        .as_array()
        .and_then(|n| n.iter().find(|n| n["name"] == "/").cloned())
        .expect("/");
    assert_eq!(root["sockets"], 2, "{snap}");
    node.close_stdin();
}
