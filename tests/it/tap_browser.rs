//! `sio tap` (the binary, `--json`) between a real browser and socket.io 4.8:
//! headless chromium loads a page at the tap's origin whose client bundle the
//! server serves through the tap (`serveClient`, `/socket.io/socket.io.js`);
//! the page connects through the tap, emits with acks and binary, answers the
//! server's question and disconnects. Each test compares what the page saw,
//! what the server logged (`--log-packets`) and the tap's records.

use serde_json::{Value, json};
use sio::record::{Body, Direction, Raw, Record, Transport};

use crate::support::browser::{self, Visit};
use crate::support::http_get;
use crate::support::node::{NodeServer, ServerKind, peers_dir};
use crate::support::peer::fnv1a64;
use crate::support::tap::{TapProcess, TapRecords};
use crate::tap_clients::{Reassembled, assert_same_packets, has_state, malformed, reassembled, server_sids};

/// The page drive.js answers itself, at the tap's origin.
const PAGE: &str = "/sio-browser-page.html";
const BUNDLE: &str = "/socket.io/socket.io.js";

/// Everything one page load left behind.
struct Run {
    server: NodeServer,
    seen: Visit,
    /// The Engine.IO session the page had.
    sid: String,
    records: Vec<Record>,
}

/// Loads the page through a tap in front of a fresh socket.io 4.8 server and
/// checks what every run must show; `None` where there is no chromium.
fn run(test: &str, transports: &[&str]) -> Option<Run> {
    let browser = browser::shared(test)?;
    let server = NodeServer::start(ServerKind::V4, &["--log-packets", "--serve-client"]);
    let tap = TapProcess::start(&server.url());
    let seen = browser.visit(&format!("{}{PAGE}", tap.url()), transports);
    eprintln!(
        "{test}: {} (started in {} ms) ran the page in {} ms",
        browser.version,
        browser.start_millis,
        seen.get("done")["ms"]
    );
    seen.assert_finished();

    // The bundle passed untouched: a working `io`, and what the browser got
    // (after undoing the server's Content-Encoding) is the file socket.io serves.
    assert_eq!(seen.get("bundle")["io"], "function");
    assert_eq!(seen.get("bundle")["manager"], "function");
    let got = seen.get("bundle_response");
    let file = std::fs::read(peers_dir().join("node_modules/socket.io/client-dist/socket.io.js"))
        .expect("socket.io's client bundle");
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["bytes"], file.len(), "{got}");
    assert_eq!(got["fnv"], format!("{:016x}", fnv1a64(&file)), "{got}");

    // The page's session is the one the server saw, and the tap named it.
    let connect = seen.get("connect");
    // The handshake went over polling (the upgrade may be done by the time the page connects).
    assert_eq!(connect["first"], "polling", "{connect}");
    let sid = connect["engine_id"].as_str().expect("engine id").to_string();
    assert_eq!(server_sids(&server), vec![sid.clone()]);

    // What the page saw came from the server, through the tap.
    let buffer = |hex: &str| json!({"$hex": hex, "type": "ArrayBuffer"});
    let sent = json!(["from the browser", buffer("010203"), {"nested": buffer("0405")}]);
    assert_eq!(seen.get("welcome")["args"], json!(["hi"]));
    assert_eq!(seen.get("ack")["args"], sent);
    assert_eq!(seen.get("echo")["args"], sent);
    assert_eq!(seen.get("binary")["args"], json!([buffer("010203")]));
    assert_eq!(seen.get("answered")["args"], json!(["answer to why?", buffer("0908")]));

    // What the server logged of it: the browser's event with its binary, and its answer.
    let logged = |t: &str| -> Vec<Value> {
        server
            .json_log()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["t"] == t)
            .collect()
    };
    let echo = logged("event")
        .into_iter()
        .find(|v| v["event"] == "echo")
        .expect("echo logged");
    assert_eq!(
        echo["args"],
        json!(["from the browser", {"$hex": "010203"}, {"nested": {"$hex": "0405"}}])
    );
    assert_eq!(echo["ack"], true);
    assert_eq!(logged("answer")[0]["args"], json!(["answer to why?", {"$hex": "0908"}]));
    let headers = &logged("connect")[0]["headers"];
    assert!(
        headers["user-agent"]
            .as_str()
            .is_some_and(|ua| ua.contains("HeadlessChrome")),
        "{headers}"
    );
    assert_eq!(headers["host"], json!(server.url().trim_start_matches("http://")));
    assert_eq!(headers["x-forwarded-for"], "127.0.0.1", "{headers}");

    // The page disconnected: once the server saw the session end, the tap's
    // records of it are complete and every frame both ways is what the server logged.
    server.wait_for_log(&format!("engine_close for {sid}"), |l| {
        l.contains(r#""t":"engine_close""#) && l.contains(sid.as_str())
    });
    assert_same_packets(&server, &tap, false);
    let records = tap.records_until(&|r: &[Record]| has_state(r, &sid, "session closed"));
    assert!(
        has_state(&records, &sid, "session closed"),
        "the tap saw no end of {sid}"
    );
    assert!(malformed(&records).is_empty(), "{:#?}", malformed(&records));
    assert!(has_state(&records, &sid, "session"), "no session record for {sid}");
    let session = records
        .iter()
        .find(|r| matches!(&r.body, Body::State(s) if s.state == "session"))
        .and_then(|r| match &r.body {
            Body::State(s) => Some(s.data.clone()),
            _ => None,
        })
        .expect("a session record");
    assert!(
        session["user_agent"]
            .as_str()
            .is_some_and(|ua| ua.contains("HeadlessChrome")),
        "{session:?}"
    );
    let bundle_exchange = records
        .iter()
        .find_map(|r| match &r.body {
            Body::Http(h) if h.url.ends_with(BUNDLE) => Some((r.conn.clone(), h.clone())),
            _ => None,
        })
        .expect("the tap recorded the bundle's request");
    assert_eq!(bundle_exchange.0, None, "the bundle belongs to no session");
    assert_eq!(bundle_exchange.1.status, Some(200), "{:?}", bundle_exchange.1);
    let encoding = |headers: &[(String, String)]| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-encoding"))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        encoding(&bundle_exchange.1.response_headers).as_deref(),
        got["headers"]["content-encoding"].as_str(),
        "the browser got the server's encoding"
    );
    // Every Engine.IO request of the session went through with the server's answer.
    for r in records.iter().filter(|r| r.conn.as_deref() == Some(sid.as_str())) {
        if let Body::Http(h) = &r.body {
            assert!(matches!(h.status, Some(200 | 101)), "{h:?}");
        }
    }

    // Binary reassembled per direction: the page's event and the server's ack
    // of it, the server's binary event, the page's ack of the question.
    let ack_id = reassembled(&records, &sid, Direction::Out)
        .iter()
        .find(|p| p.event.as_deref() == Some("echo"))
        .and_then(|p| p.id)
        .expect("an ack id on the page's echo");
    // The server's question asked for an ack, with an id of the server's choosing.
    let question_id = records
        .iter()
        .filter(|r| r.conn.as_deref() == Some(sid.as_str()))
        .filter_map(Record::frame)
        .filter(|f| f.dir == Some(Direction::In))
        .filter_map(|f| f.decoded.sio.as_ref())
        .find(|s| s.event.as_deref() == Some("question"))
        .and_then(|s| s.id)
        .expect("the question's ack id");
    let pieces = |hex: &[&str]| hex.iter().map(|h| h.to_string()).collect::<Vec<_>>();
    assert_eq!(
        reassembled(&records, &sid, Direction::Out),
        vec![
            Reassembled {
                event: Some("echo".into()),
                id: Some(ack_id),
                attachments: pieces(&["010203", "0405"]),
            },
            Reassembled {
                event: None,
                id: Some(question_id),
                attachments: pieces(&["0908"]),
            },
        ]
    );
    assert_eq!(
        reassembled(&records, &sid, Direction::In),
        vec![
            Reassembled {
                event: None,
                id: Some(ack_id),
                attachments: pieces(&["010203", "0405"]),
            },
            Reassembled {
                event: Some("echo".into()),
                id: None,
                attachments: pieces(&["010203", "0405"]),
            },
            Reassembled {
                event: Some("binary".into()),
                id: None,
                attachments: pieces(&["010203"]),
            },
            Reassembled {
                event: Some("answered".into()),
                id: None,
                attachments: pieces(&["0908"]),
            },
        ]
    );
    Some(Run {
        server,
        seen,
        sid,
        records,
    })
}

/// The session's frames, in the tap's order: (seq, direction, transport, raw text or `<binary>`).
fn frames(records: &[Record], sid: &str) -> Vec<(u64, Direction, Transport, String)> {
    records
        .iter()
        .filter(|r| r.conn.as_deref() == Some(sid))
        .filter_map(|r| r.frame().map(|f| (r.seq, f)))
        .map(|(seq, f)| {
            let text = match &f.raw {
                Raw::Text { text } => text.clone(),
                Raw::Binary(_) => "<binary>".into(),
            };
            (
                seq,
                f.dir.expect("a direction"),
                f.transport.expect("a transport"),
                text,
            )
        })
        .collect()
}

#[test]
fn tap_browser_page_upgrades_to_websocket_through_the_tap() {
    let Some(run) = run(
        "tap_browser_page_upgrades_to_websocket_through_the_tap",
        &["polling", "websocket"],
    ) else {
        return;
    };
    let Run {
        server,
        seen,
        sid,
        records,
        ..
    } = run;
    assert_eq!(seen.get("upgrade")["transport"], "websocket");
    assert_eq!(seen.get("ack")["transport"], "websocket");
    assert_eq!(seen.get("finished")["transport"], "websocket");
    server.wait_for_log(&format!("engine_upgrade for {sid}"), |l| {
        l.contains(r#""t":"engine_upgrade""#) && l.contains(sid.as_str()) && l.contains("websocket")
    });
    assert!(has_state(&records, &sid, "upgraded"), "no upgrade record");

    // The upgrade seen from the middle: the probe both ways and the client's
    // upgrade packet, on the new WebSocket, in that order.
    let frames = frames(&records, &sid);
    let at = |dir: Direction, text: &str| {
        frames
            .iter()
            .find(|(_, d, t, x)| *d == dir && *t == Transport::Websocket && x == text)
            .map(|(seq, ..)| *seq)
            .unwrap_or_else(|| panic!("no {dir:?} {text:?} on the websocket: {frames:#?}"))
    };
    let probe = at(Direction::Out, "2probe");
    let answer = at(Direction::In, "3probe");
    let upgrade = at(Direction::Out, "5");
    assert!(probe < answer && answer < upgrade, "{frames:#?}");
    // Before the probe the session was on polling (the open packet and the
    // namespace's CONNECT among it); after the upgrade only on the WebSocket.
    let open = frames.first().expect("frames");
    assert!(open.3.starts_with("0{") && open.2 == Transport::Polling, "{open:?}");
    assert!(
        frames
            .iter()
            .any(|(_, d, t, x)| *d == Direction::Out && *t == Transport::Polling && x == "40"),
        "{frames:#?}"
    );
    let after: Vec<_> = frames.iter().filter(|(seq, ..)| *seq > upgrade).collect();
    assert!(!after.is_empty(), "nothing after the upgrade");
    assert!(
        after.iter().all(|(_, _, t, _)| *t == Transport::Websocket),
        "{after:#?}"
    );
    // The page's echo and its ack went over the WebSocket, binary frames included.
    assert!(
        after
            .iter()
            .any(|(_, d, _, x)| *d == Direction::Out && x.starts_with("452-") && x.contains("\"echo\"")),
        "{after:#?}"
    );
    assert!(
        after.iter().any(|(_, d, _, x)| *d == Direction::In && x == "<binary>"),
        "{after:#?}"
    );
    // The page's disconnect: its namespace left, then the WebSocket closed.
    assert!(
        after.iter().any(|(_, d, _, x)| *d == Direction::Out && x == "41"),
        "{after:#?}"
    );
    assert!(
        records.iter().any(|r| r.conn.as_deref() == Some(sid.as_str())
            && matches!(&r.body, Body::State(s) if s.state == "websocket closed")),
        "no websocket close record"
    );
}

#[test]
fn tap_browser_page_on_polling_through_the_tap() {
    let Some(run) = run("tap_browser_page_on_polling_through_the_tap", &["polling"]) else {
        return;
    };
    let Run { seen, sid, records, .. } = run;
    assert_eq!(seen.get("finished")["transport"], "polling");
    let frames = frames(&records, &sid);
    assert!(
        frames.iter().all(|(_, _, t, _)| *t == Transport::Polling),
        "{frames:#?}"
    );
    assert!(!has_state(&records, &sid, "upgraded"));
    // Binary over polling is base64 in the payload (`b...`), both ways.
    for dir in [Direction::Out, Direction::In] {
        assert!(
            frames.iter().any(|(_, d, _, x)| *d == dir && x.starts_with('b')),
            "{dir:?}: {frames:#?}"
        );
    }
    // The page's disconnect: its namespace left, then its close packet ended the session.
    let last: Vec<&str> = frames
        .iter()
        .filter(|(_, d, ..)| *d == Direction::Out)
        .map(|(.., x)| x.as_str())
        .collect();
    assert!(last.ends_with(&["41", "1"]), "{last:?}");
}

/// Without a browser too: the bundle a page would load comes through the tap
/// byte for byte (no Accept-Encoding here, so the server sends it as it is on disk).
#[test]
fn tap_passes_the_client_bundle_untouched() {
    let server = NodeServer::start(ServerKind::V4, &["--serve-client"]);
    let tap = TapProcess::start(&server.url());
    let file = std::fs::read(peers_dir().join("node_modules/socket.io/client-dist/socket.io.js"))
        .expect("socket.io's client bundle");
    let direct = http_get(server.port(), BUNDLE);
    let through = http_get(tap.port, BUNDLE);
    assert_eq!(direct.status, 200);
    assert_eq!(through.status, 200);
    assert!(
        through.body == file,
        "{} bytes through the tap, {} on disk",
        through.body.len(),
        file.len()
    );
    assert_eq!(through.header("etag"), direct.header("etag"));
    assert_eq!(through.header("content-type"), direct.header("content-type"));
    let record = tap.record("http", None);
    assert_eq!(record["status"], 200, "{record}");
    assert!(record["url"].as_str().is_some_and(|u| u.ends_with(BUNDLE)), "{record}");
    assert!(record.get("conn").is_none(), "{record}");
}
