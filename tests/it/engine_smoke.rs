//! The engine against a real Node socket.io 4.x server, end to end.

use std::time::Duration;

use serde_json::json;
use sio::engine::{self, Options, TransportMode};
use sio::record::{Body, Record};
use tokio::sync::mpsc::Receiver;

use crate::support::node::{NodeServer, ServerKind};

/// Reads records until one matches, failing with everything seen after `limit`.
pub async fn wait_for(
    rx: &mut Receiver<Record>,
    seen: &mut Vec<Record>,
    what: &str,
    pred: impl Fn(&Record) -> bool,
) -> Record {
    let limit = Duration::from_secs(15);
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(r)) => {
                seen.push(r.clone());
                if pred(&r) {
                    return r;
                }
            }
            Ok(None) => panic!("record stream ended before {what}; saw:\n{}", dump(seen)),
            Err(_) => panic!("no {what} within {limit:?}; saw:\n{}", dump(seen)),
        }
    }
}

pub fn dump(seen: &[Record]) -> String {
    seen.iter().map(|r| r.to_json_line()).collect::<Vec<_>>().join("\n")
}

pub fn is_state(r: &Record, state: &str) -> bool {
    matches!(&r.body, Body::State(s) if s.state == state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_transport_upgrades_and_acks() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let (handle, mut rx) = engine::connect(Options {
        url: server.url(),
        transport: TransportMode::Auto,
        ..Options::default()
    })
    .expect("starts");
    let mut seen = Vec::new();
    // The namespace may connect before or after the upgrade completes.
    let mut connected = false;
    let mut upgraded = false;
    while !(connected && upgraded) {
        let r = wait_for(&mut rx, &mut seen, "namespace connected and upgraded", |r| {
            is_state(r, "namespace connected") || is_state(r, "upgraded")
        })
        .await;
        connected |= is_state(&r, "namespace connected");
        upgraded |= is_state(&r, "upgraded");
    }
    let reply = tokio::time::timeout(
        Duration::from_secs(10),
        handle.emit("/", "hello", vec![json!("x"), json!(7)], Vec::new(), true),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    let reply = reply.expect("an ack reply");
    assert_eq!(reply.args, json!(["x", 7]));
    handle.disconnect().await.expect("disconnect");
    wait_for(&mut rx, &mut seen, "closed", |r| is_state(r, "closed")).await;
}
