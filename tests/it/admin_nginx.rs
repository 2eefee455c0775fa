//! `sio admin` on a cluster: two socket.io 4.8 nodes instrumented with @socket.io/admin-ui,
//! sharing rooms through `@socket.io/redis-adapter` over Debian's redis-server, behind
//! nginx (`?node=b` goes to node b, anything else to node a). The admin connection reaches
//! one node; it must list both servers, the sockets of both, and its operations must reach
//! the sockets on the other node; a script's `expect-admin` sees both nodes' side of a broadcast.

use serde_json::{Value, json};

use crate::support::admin::{JsonChild, connected_ids, is_admin};
use crate::support::nginx::{Site, UPGRADE_HEADERS, free_port};
use crate::support::peer::PeerProcess;
use crate::support::redis::Redis;

struct Cluster {
    _redis: Redis,
    _nodes: [PeerProcess; 2],
    port: u16,
}

/// The nodes and the server block of this module (see [`crate::support::nginx::SITES`]).
pub fn site() -> Result<Site, String> {
    let redis = Redis::start()?;
    let node = |id: &str| {
        crate::support::admin::try_admin_server(&["--mode", "development", "--server-id", id, "--redis", &redis.url()])
    };
    let nodes = [node("node-a")?, node("node-b")?];
    let port = free_port();
    let (a, b) = (nodes[0].port(), nodes[1].port());
    let http = format!(
        "  upstream admin_a {{ server 127.0.0.1:{a}; }}\n\
         upstream admin_b {{ server 127.0.0.1:{b}; }}\n\
         map $arg_node $admin_node {{ b admin_b; default admin_a; }}\n\
         server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://$admin_node; {UPGRADE_HEADERS} }} }}\n"
    );
    Ok(Site {
        http,
        ports: vec![port],
        state: Box::new(Cluster {
            _redis: redis,
            _nodes: nodes,
            port,
        }),
    })
}

#[test]
fn both_nodes_and_their_sockets_are_listed_and_operations_cross_nodes() {
    let Some(cluster) = crate::support::nginx::site_or_skip::<Cluster>("admin") else {
        return;
    };
    let url = format!("http://127.0.0.1:{}", cluster.port);
    let mut on_a = JsonChild::node_clients(
        &format!("{url}/?node=a"),
        &["--join", "lobby", "--transports", "websocket"],
    );
    let mut on_b = JsonChild::node_clients(
        &format!("{url}/?node=b"),
        &["--join", "lobby", "--transports", "websocket"],
    );
    let (a, b) = (connected_ids(&on_a, 1).remove(0), connected_ids(&on_b, 1).remove(0));

    let mut admin = JsonChild::sio(&["admin", &url, "-q", "node=a", "--no-tui", "--json", "--linger", "1s"]);
    let listed = admin.wait_for("all_sockets", |v| is_admin(v, "all_sockets"));
    let ids: Vec<&str> = listed["data"]["sockets"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(ids.contains(&a.as_str()) && ids.contains(&b.as_str()), "{ids:?}");
    for server in ["node-a", "node-b"] {
        admin.wait_for("server_stats", |v| {
            is_admin(v, "server_stats") && v["data"]["server"] == server
        });
    }

    let snap = {
        let mut child = JsonChild::sio(&["admin", &url, "-q", "node=b", "--snapshot", "--json"]);
        assert!(
            child.wait_exit(std::time::Duration::from_secs(30)).success(),
            "{:?}",
            child.stderr()
        );
        child.values().pop().expect("the snapshot")
    };
    let mut servers: Vec<&str> = snap["servers"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["id"].as_str()).collect())
        .unwrap_or_default();
    servers.sort();
    assert_eq!(servers, ["node-a", "node-b"], "{snap}");
    let lobby = snap["rooms"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "lobby").cloned())
        .unwrap_or(Value::Null);
    let mut members: Vec<&str> = lobby["sockets"]
        .as_array()
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    members.sort();
    let mut want = [a.as_str(), b.as_str()];
    want.sort();
    assert_eq!(members, want, "{snap}");

    // From node a, to the room on both nodes; and node b's socket disconnected from node a.
    admin.say(r#"emit lobby across "both nodes""#);
    for clients in [&on_a, &on_b] {
        let got = clients.wait_for("the broadcast", |v| v["t"] == "event" && v["event"] == "across");
        assert_eq!(got["args"], json!(["both nodes"]));
    }
    admin.say(&format!("disconnect {b}"));
    let gone = on_b.wait_for("its disconnection", |v| v["t"] == "disconnect");
    assert_eq!(gone["reason"], "io server disconnect");
    admin.close_stdin();
    assert!(
        admin.wait_exit(std::time::Duration::from_secs(30)).success(),
        "{:?}",
        admin.stderr()
    );
    on_a.close_stdin();
    on_b.close_stdin();
}

/// A script's admin connection on node a sees what node b did: bob (on b) in the room, the
/// broadcast bob sent through b, and that it reached main's socket on a.
#[test]
fn a_script_checks_the_cluster_from_the_servers_side() {
    let Some(cluster) = crate::support::nginx::site_or_skip::<Cluster>("admin") else {
        return;
    };
    let url = format!("http://127.0.0.1:{}", cluster.port);
    let script = r#"admin
client bob -q node=b
bob: emit join lobby --ack
bob: expect-admin in lobby --within 5s
emit join lobby --ack
bob: emit to {"room":"lobby","event":"news","args":["x"]}
expect news "x" --within 5s
expect-admin sent news "x" --within 5s
bob: expect-admin received to {"room":"lobby"} --within 5s
bob: expect-admin sent news "x" --within 5s
"#;
    let o = crate::script_cli::sio(&["run", &url, "-q", "node=a", "-"], script);
    let out = crate::script_cli::text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("10 passed, 0 failed"), "{out}");
    // bob's socket is node b's: the connection went there.
    assert!(
        out.contains("✓ line 4 (bob): expect-admin in lobby --within 5s — the server has bob's socket "),
        "{out}"
    );
}
