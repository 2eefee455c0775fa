//! HAR files that a real Chromium wrote: headless chromium (the shared test
//! browser) loads a page at a socket.io 4.8 server's origin that connects over
//! polling, the upgrade and WebSocket (or one of them), emits with acks and
//! binary and disconnects, while its network traffic is saved as a HAR from the
//! DevTools protocol (tests/peers/browser/har.js, Chrome's `_webSocketMessages`
//! shape). `sio replay` must read from the HAR every packet the server logged,
//! both ways; `sio diff` finds two visits equal.

use std::path::PathBuf;

use serde_json::Value;
use sio::record::{Direction, Record, Transport};

use crate::har_cli::{replay_json, sio};
use crate::support::browser::{self, Visit};
use crate::support::node::{NodeServer, ServerKind};
use crate::support::tap::TapRecords;
use crate::tap_clients::{Reassembled, assert_same_packets, has_state, malformed, reassembled, server_sids};

const PAGE: &str = "/sio-browser-page.html";

/// The records `sio replay FILE.har --json` printed: all there at once.
struct HarRecords(Vec<Record>);

impl TapRecords for HarRecords {
    fn records_until(&self, _done: &dyn Fn(&[Record]) -> bool) -> Vec<Record> {
        self.0.clone()
    }
}

fn har_path(name: &str) -> PathBuf {
    crate::support::temp_path("har-browser", name)
}

/// One visit of the page at a fresh server's origin, recorded as a HAR; the
/// server's session is over when this returns. `None` where there is no chromium.
fn visit(test: &str, transports: &[&str], name: &str) -> Option<(NodeServer, Visit, PathBuf, String)> {
    let browser = browser::shared(test)?;
    let server = NodeServer::start(ServerKind::V4, &["--log-packets", "--serve-client"]);
    let har = har_path(name);
    let seen = browser.visit_recording(&format!("{}{PAGE}", server.url()), transports, &har);
    eprintln!(
        "{test}: {} ran the page in {} ms",
        browser.version,
        seen.get("done")["ms"]
    );
    seen.assert_finished();
    assert!(seen.get("har")["entries"].as_u64() > Some(2), "{:#?}", seen.lines);
    let sid = seen.get("connect")["engine_id"]
        .as_str()
        .expect("engine id")
        .to_string();
    assert_eq!(server_sids(&server), vec![sid.clone()]);
    server.wait_for_log(&format!("engine_close for {sid}"), |l| {
        l.contains(r#""t":"engine_close""#) && l.contains(sid.as_str())
    });
    Some((server, seen, har, sid))
}

/// What every visit's HAR must give: the server's packets both ways, binary put
/// back together, nothing malformed, every record the session's.
fn check(server: &NodeServer, har: &std::path::Path, sid: &str) -> Vec<Record> {
    let (o, records) = replay_json(har);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        records.iter().all(|r| r.conn.as_deref() == Some(sid)),
        "only the page's one session"
    );
    assert!(malformed(&records).is_empty(), "{:#?}", malformed(&records));
    assert_same_packets(server, &HarRecords(records.clone()), false);
    let hex = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let out: Vec<(Option<String>, Vec<String>)> = reassembled(&records, sid, Direction::Out)
        .into_iter()
        .map(|r| (r.event, r.attachments))
        .collect();
    assert_eq!(
        out,
        vec![
            (Some("echo".to_string()), hex(&["010203", "0405"])),
            (None, hex(&["0908"])),
        ]
    );
    let inn: Vec<Reassembled> = reassembled(&records, sid, Direction::In);
    let events: Vec<Option<&str>> = inn.iter().map(|r| r.event.as_deref()).collect();
    assert_eq!(events, [None, Some("echo"), Some("binary"), Some("answered")]);
    // `sio decode --har` explains the same frames and finds none malformed.
    let o = sio(&["decode", "--har", har.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    records
}

fn transports(records: &[Record]) -> Vec<Transport> {
    let mut seen: Vec<Transport> = records.iter().filter_map(|r| r.frame()?.transport).collect();
    seen.dedup();
    seen
}

#[test]
fn har_from_chromium_polling_upgrade_and_websocket() {
    let test = "har_from_chromium_polling_upgrade_and_websocket";
    let Some((server, seen, har, sid)) = visit(test, &["polling", "websocket"], "upgrade.har") else {
        return;
    };
    assert_eq!(seen.get("upgrade")["transport"], "websocket");
    let records = check(&server, &har, &sid);
    assert!(has_state(&records, &sid, "upgraded"), "no upgrade record");
    let t = transports(&records);
    assert_eq!(t.first(), Some(&Transport::Polling), "{t:?}");
    assert!(t.contains(&Transport::Websocket), "{t:?}");
    // The file is the shape DevTools saves: the WebSocket's messages in `_webSocketMessages`.
    let file: Value = serde_json::from_slice(&std::fs::read(&har).expect("har")).expect("json");
    let ws = file["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["_resourceType"] == "websocket")
        .expect("a websocket entry");
    let first = &ws["_webSocketMessages"][0];
    assert_eq!(
        (first["type"].as_str(), first["opcode"].as_u64(), first["data"].as_str()),
        (Some("send"), Some(1), Some("2probe"))
    );
    assert!(first["time"].as_f64().is_some_and(|t| t > 1.7e9), "{first}");
    assert!(
        ws["_webSocketMessages"]
            .as_array()
            .expect("messages")
            .iter()
            .any(|m| m["opcode"] == 2 && m["type"] == "receive"),
        "binary messages from the server"
    );
}

#[test]
fn har_from_chromium_websocket_only() {
    let test = "har_from_chromium_websocket_only";
    let Some((server, _, har, sid)) = visit(test, &["websocket"], "websocket.har") else {
        return;
    };
    // No sid in the WebSocket's URL: the session is named by its open packet.
    let records = check(&server, &har, &sid);
    assert_eq!(transports(&records), [Transport::Websocket]);
}

#[test]
fn har_from_chromium_polling_only_and_two_visits_diff_equal() {
    let test = "har_from_chromium_polling_only_and_two_visits_diff_equal";
    let Some((server, _, first, sid)) = visit(test, &["polling"], "polling-1.har") else {
        return;
    };
    let records = check(&server, &first, &sid);
    assert_eq!(transports(&records), [Transport::Polling]);
    let Some((server, _, second, sid)) = visit(test, &["polling"], "polling-2.har") else {
        return;
    };
    check(&server, &second, &sid);
    // Two visits: other sids, ack ids and times, the same conversation.
    let o = sio(&["diff", first.to_str().expect("path"), second.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}
