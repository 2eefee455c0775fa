//! `sio doctor` behind nginx (Debian's package, run with a config written here)
//! in front of two Node socket.io servers: round robin without stickiness, a
//! sticky setup, a config without the Upgrade headers, and a proxy_read_timeout
//! shorter than pingInterval. The binary's one nginx, with one server block per
//! setup, serves every test of this module.

use crate::support::doctor::doctor;
use crate::support::nginx::{Site, UPGRADE_HEADERS, free_port};
use crate::support::node::{NodeServer, ServerKind};

/// The nodes ping every 3 s; the short-timeout block cuts idle reads after 1 s.
const PING_INTERVAL_MS: &str = "3000";

struct Deployment {
    _nodes: [NodeServer; 2],
    round_robin: u16,
    sticky: u16,
    no_upgrade: u16,
    short_timeout: u16,
}

/// The shared deployment, or why there is none (nginx cannot be installed here).
fn deployment() -> Option<&'static Deployment> {
    crate::support::nginx::site_or_skip("doctor")
}

/// The nodes and server blocks of this module (see [`crate::support::nginx::SITES`]).
pub fn site() -> Result<Site, String> {
    // Each node marks its session ids, so the sticky blocks can route a session to its node.
    let a = NodeServer::start(
        ServerKind::V4,
        &["--sid-prefix", "a-", "--ping-interval", PING_INTERVAL_MS],
    );
    let b = NodeServer::start(
        ServerKind::V4,
        &["--sid-prefix", "b-", "--ping-interval", PING_INTERVAL_MS],
    );
    let ports = [free_port(), free_port(), free_port(), free_port()];
    let (pa, pb) = (a.port(), b.port());
    let [rr, sticky, no_upgrade, short] = ports;
    // A handshake (no sid yet) goes round robin; every later request follows its sid's mark.
    let http = format!(
        "  upstream round_robin {{ server 127.0.0.1:{pa}; server 127.0.0.1:{pb}; }}\n\
         upstream handshakes {{ server 127.0.0.1:{pa}; server 127.0.0.1:{pb}; }}\n\
         upstream node_a {{ server 127.0.0.1:{pa}; }}\n\
         upstream node_b {{ server 127.0.0.1:{pb}; }}\n\
         map $arg_sid $by_sid {{ ~^a- node_a; ~^b- node_b; default handshakes; }}\n\
         server {{ listen 127.0.0.1:{rr}; location / {{ proxy_pass http://round_robin; {UPGRADE_HEADERS} }} }}\n\
         server {{ listen 127.0.0.1:{sticky}; location / {{ proxy_pass http://$by_sid; {UPGRADE_HEADERS} }} }}\n\
         server {{ listen 127.0.0.1:{no_upgrade}; location / {{ proxy_pass http://$by_sid; }} }}\n\
         server {{ listen 127.0.0.1:{short}; location / {{ proxy_pass http://$by_sid; {UPGRADE_HEADERS} \
         proxy_read_timeout 1s; }} }}\n"
    );
    Ok(Site {
        http,
        ports: ports.to_vec(),
        state: Box::new(Deployment {
            _nodes: [a, b],
            round_robin: rr,
            sticky,
            no_upgrade,
            short_timeout: short,
        }),
    })
}

fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

#[test]
fn round_robin_without_stickiness_loses_sessions() {
    let Some(d) = deployment() else { return };
    let run = doctor(&url(d.round_robin), &[]);
    run.expect("sticky", "fail");
    run.says("sticky", "Session ID unknown");
    run.says("sticky", "ip_hash");
    run.says("sticky", "balance source");
    run.says("sticky", "transports: ['websocket']");
    // One WebSocket reaches one node: the namespace still works that way.
    run.expect("namespace /", "ok");
    run.says("namespace /", "websocket");
    run.says("server", "nginx");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("sticky"), "{}", run.stderr);
}

#[test]
fn a_sticky_setup_is_healthy() {
    let Some(d) = deployment() else { return };
    let run = doctor(&url(d.sticky), &[]);
    assert!(run.failures().is_empty(), "{}", run.dump());
    assert_eq!(run.code, Some(0), "{}", run.dump());
    for id in [
        "sticky",
        "polling",
        "websocket",
        "upgrade",
        "post-packets",
        "namespace /",
    ] {
        run.expect(id, "ok");
    }
    assert!(run.seconds < 15.0, "{:.1} s", run.seconds);

    // Idle connections live through a full pingInterval here.
    let run = doctor(&url(d.sticky), &["--deep"]);
    run.expect("idle-polling", "ok");
    run.expect("idle-websocket", "ok");
    assert_eq!(run.code, Some(0), "{}", run.dump());
}

#[test]
fn a_proxy_without_the_upgrade_headers_is_named() {
    let Some(d) = deployment() else { return };
    let run = doctor(&url(d.no_upgrade), &[]);
    run.expect("polling", "ok");
    run.expect("websocket", "fail");
    run.says("websocket", "strips the Upgrade header");
    run.says("websocket", "proxy_http_version 1.1");
    // The server's words, read through the chunked framing nginx adds.
    run.says("websocket", r#"400 Bad request (code 3)"#);
    assert_eq!(run.failures(), ["websocket"], "{}", run.dump());
}

#[test]
fn deep_names_a_read_timeout_shorter_than_ping_interval() {
    let Some(d) = deployment() else { return };
    // The default run does not wait that long: nothing is wrong as far as it can see.
    let run = doctor(&url(d.short_timeout), &[]);
    assert!(run.failures().is_empty(), "{}", run.dump());

    let run = doctor(&url(d.short_timeout), &["--deep"]);
    run.expect("idle-polling", "fail");
    run.says("idle-polling", "504");
    run.says("idle-polling", "GET was cut after");
    run.says("idle-polling", "before pingInterval (3.0 s)");
    run.expect("idle-websocket", "fail");
    run.says("idle-websocket", "close 1006");
    run.says("idle-websocket", "proxy_read_timeout");
    assert_eq!(run.code, Some(1));
}
