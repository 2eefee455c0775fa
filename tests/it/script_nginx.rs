//! Several clients across two socket.io 4.8 nodes behind nginx, each client
//! pinned to a node by its own query (`-q node=b`; nginx maps `$arg_node` to
//! the node): without a shared adapter a broadcast stays on the node it was
//! sent on; with `@socket.io/redis-adapter` over Debian's redis-server it
//! reaches the room on both. One script tells the two deployments apart.

use serde_json::Value;

use crate::script_cli::{sio, text};
use crate::support::nginx::{Site, UPGRADE_HEADERS, free_port};
use crate::support::node::{NodeServer, ServerKind};
use crate::support::redis::Redis;

struct Nodes {
    _plain: [NodeServer; 2],
    /// nginx's port in front of two nodes that share nothing.
    plain: u16,
    /// The nodes that share rooms through redis, and nginx's port in front of
    /// them; or why they cannot run here.
    shared: Result<(Redis, [NodeServer; 2], u16), String>,
}

/// Two nodes, marked `a-` and `b-` in their session ids; `extra` flags for both.
fn two_nodes(extra: &[&str]) -> Result<[NodeServer; 2], String> {
    let start = |mark: &str| {
        let mut flags = vec!["--sid-prefix", mark];
        flags.extend_from_slice(extra);
        NodeServer::try_start(ServerKind::V4, &flags)
    };
    Ok([start("a-")?, start("b-")?])
}

/// `name`'s nodes behind nginx on `port`: `?node=b` goes to b, anything else to a.
fn server_block(name: &str, nodes: &[NodeServer; 2], port: u16) -> String {
    let (a, b) = (nodes[0].port(), nodes[1].port());
    format!(
        "  upstream {name}_a {{ server 127.0.0.1:{a}; }}\n\
         upstream {name}_b {{ server 127.0.0.1:{b}; }}\n\
         map $arg_node ${name} {{ b {name}_b; default {name}_a; }}\n\
         server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://${name}; {UPGRADE_HEADERS} }} }}\n"
    )
}

/// The nodes and server blocks of this module (see [`crate::support::nginx::SITES`]).
pub fn site() -> Result<Site, String> {
    let plain_nodes = two_nodes(&[])?;
    let plain = free_port();
    let mut http = server_block("nodes_plain", &plain_nodes, plain);
    let mut ports = vec![plain];
    let shared = Redis::start().and_then(|redis| {
        let nodes = two_nodes(&["--redis", &redis.url()])?;
        let port = free_port();
        http.push_str(&server_block("nodes_shared", &nodes, port));
        ports.push(port);
        Ok((redis, nodes, port))
    });
    Ok(Site {
        http,
        ports,
        state: Box::new(Nodes {
            _plain: plain_nodes,
            plain,
            shared,
        }),
    })
}

fn nodes() -> Option<&'static Nodes> {
    crate::support::nginx::site_or_skip("nodes")
}

/// nginx's port in front of the nodes that share rooms, or why there is none.
fn shared_port(nodes: &Nodes) -> Option<u16> {
    match &nodes.shared {
        Ok((_, _, port)) => Some(*port),
        Err(why) => {
            eprintln!("SKIPPED: redis-server is not available: {why}");
            None
        }
    }
}

/// main on node a (the command line's query), bob on node b; both in r1; bob
/// broadcasts to r1, and main must get it.
const ACROSS: &str = r#"client bob -q node=b
emit join r1 --ack
bob: emit join r1 --ack
bob: emit to {"room":"r1","event":"news","args":["from b"]}
bob: expect news "from b" --within 5s
main: expect news "from b" --within 2s
"#;

/// Runs `script` through nginx on `port` with main on node a, as JSON; the
/// outcome and which node each client's session opened on.
fn run_pinned(port: u16, script: &str) -> (std::process::Output, Vec<(String, String)>) {
    let url = format!("http://127.0.0.1:{port}");
    let o = sio(&["run", &url, "-", "-q", "node=a", "--json"], script);
    let opened = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| r["state"] == "open")
        .map(|r| {
            let conn = r["conn"].as_str().unwrap_or_default().to_string();
            let sid = r["data"]["sid"].as_str().unwrap_or_default().to_string();
            (conn, sid)
        })
        .collect();
    (o, opened)
}

fn assert_pinned(opened: &[(String, String)], out: &str) {
    for (conn, mark) in [("main", "a-"), ("bob", "b-")] {
        assert!(
            opened.iter().any(|(c, sid)| c == conn && sid.starts_with(mark)),
            "{conn} opened on the node marked {mark}: {opened:?}\n{out}"
        );
    }
}

#[test]
fn a_broadcast_crosses_nodes_only_with_the_shared_adapter() {
    let Some(nodes) = nodes() else { return };

    // Nothing shared: the broadcast reaches r1 on bob's node only, and the script says so.
    let (o, opened) = run_pinned(nodes.plain, ACROSS);
    let out = text(&o);
    assert_pinned(&opened, &out);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let bob_got_it = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .any(|r| r["kind"] == "result" && r["line"] == 5 && r["client"] == "bob" && r["ok"] == true);
    assert!(bob_got_it, "bob got the broadcast on his own node: {out}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr
            .trim_end()
            .ends_with("sio: line 6 (main) failed: no \"news\" with \"from b\" on / within 2 s"),
        "{stderr}"
    );

    // With the redis adapter the same script passes.
    let Some(port) = shared_port(nodes) else { return };
    let (o, opened) = run_pinned(port, ACROSS);
    let out = text(&o);
    assert_pinned(&opened, &out);
    assert_eq!(o.status.code(), Some(0), "{out}");
}

#[test]
fn expect_none_sees_whether_a_broadcast_stays_on_its_node() {
    let Some(nodes) = nodes() else { return };
    // Bob broadcasts to everyone but himself: main, on the other node, must not get it.
    let script = "client bob -q node=b\n\
                  bob: emit broadcast {\"event\":\"all\",\"args\":[\"b\"]}\n\
                  main: expect-none all --for 500ms\n";
    let (o, opened) = run_pinned(nodes.plain, script);
    assert_pinned(&opened, &text(&o));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let Some(port) = shared_port(nodes) else { return };
    let (o, _) = run_pinned(port, script);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("sio: line 3 (main) failed: got \"all\" [\"b\"] on /"),
        "{stderr}"
    );
}
