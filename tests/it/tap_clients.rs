//! `sio tap` between the official socket.io clients (4.8, 2.5; Node) and real
//! socket.io servers, each test comparing three views: what the client saw
//! (client-check.js), what the server logged (`--log-packets`: every Engine.IO
//! packet in and out, per sid) and the tap's records (every frame both ways, in
//! order, byte for byte).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use sio::record::{Body, Direction, Raw, Record};

use crate::support::node::{NodeServer, ServerKind, ensure_installed, peers_dir};
use crate::support::tap::TapRecords;

const CLIENT: Duration = Duration::from_secs(90);
const SETTLE: Duration = Duration::from_secs(20);

/// The tap running in this process, its records collected as they come.
pub struct TapUnderTest {
    pub rt: tokio::runtime::Runtime,
    pub url: String,
    pub running: sio::tap::Running,
    records: Arc<Mutex<Vec<Record>>>,
    live: Arc<Mutex<usize>>,
    changed: Arc<tokio::sync::Notify>,
}

impl TapUnderTest {
    pub fn start(upstream: &str, parser: Option<sio::proto::frame::Parser>) -> TapUnderTest {
        sio::engine::tls::install_provider();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let options = sio::tap::Options {
            upstream: upstream.to_string(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            insecure: false,
            ca_cert: None,
            parser,
            max_message: 1 << 24,
            record_buffer: 1024,
        };
        let mut running = rt.block_on(sio::tap::start(options)).expect("tap starts");
        let url = format!("http://{}", running.addr);
        let records = Arc::new(Mutex::new(Vec::new()));
        let live = Arc::new(Mutex::new(0));
        let changed = Arc::new(tokio::sync::Notify::new());
        let (r, l, c) = (records.clone(), live.clone(), changed.clone());
        let mut incoming = std::mem::replace(&mut running.records, tokio::sync::mpsc::channel(1).1);
        let tap = running.controls();
        rt.spawn(async move {
            while let Some(record) = incoming.recv().await {
                r.lock().unwrap().push(record);
                *l.lock().unwrap() = tap.live_sessions();
                c.notify_one();
            }
        });
        TapUnderTest {
            rt,
            url,
            running,
            records,
            live,
            changed,
        }
    }

    pub fn records(&self) -> Vec<Record> {
        self.records.lock().unwrap().clone()
    }

    /// Sessions the tap tracked at its latest record.
    pub fn live_sessions(&self) -> usize {
        *self.live.lock().unwrap()
    }

    /// Waits (bounded) until the records satisfy `done`; returns them either way.
    pub fn records_until(&self, done: impl Fn(&[Record]) -> bool) -> Vec<Record> {
        let deadline = Instant::now() + SETTLE;
        loop {
            let records = self.records();
            if done(&records) || Instant::now() >= deadline {
                return records;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            // The timeout is made inside the runtime: its timer needs the runtime's reactor.
            let _ = self
                .rt
                .block_on(async { tokio::time::timeout(left, self.changed.notified()).await });
        }
    }
}

impl TapRecords for TapUnderTest {
    fn records_until(&self, done: &dyn Fn(&[Record]) -> bool) -> Vec<Record> {
        TapUnderTest::records_until(self, done)
    }
}

/// Runs client-check.js against `url`; the results by check name (each must pass).
pub fn client_check(
    url: &str,
    client: &str,
    transports: &str,
    checks: &[&str],
    extra: &[&str],
) -> BTreeMap<String, Value> {
    ensure_installed();
    let node = std::env::var("SIO_TEST_NODE").unwrap_or_else(|_| "node".to_owned());
    let only = checks.join(",");
    let mut child = Command::new(node)
        .args([
            "client-check.js",
            "--url",
            url,
            "--client",
            client,
            "--transports",
            transports,
        ])
        .args(["--only", &only])
        .args(extra)
        .current_dir(peers_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn node client-check.js");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + CLIENT;
    let mut lines = Vec::new();
    let finished = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                let done = value["t"] == "done";
                lines.push(value);
                if done {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    if !finished {
        let _ = child.kill();
    }
    let _ = child.wait();
    assert!(finished, "client {client} over {transports} did not finish: {lines:?}");
    let mut results = BTreeMap::new();
    for line in lines.into_iter().filter(|l| l["t"] == "check") {
        let name = line["check"].as_str().expect("check name").to_owned();
        assert!(line.get("failed").is_none(), "check {name} failed: {line}");
        results.insert(name, line);
    }
    for check in checks {
        assert!(results.contains_key(*check), "no result for {check}");
    }
    results
}

/// An Engine.IO packet reduced to what both the server's log and the tap's raw
/// frame say: its type digit and its data (text, or binary as hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub kind: char,
    pub data: String,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digit_of(name: &str) -> char {
    match name {
        "open" => '0',
        "close" => '1',
        "ping" => '2',
        "pong" => '3',
        "message" => '4',
        "upgrade" => '5',
        "noop" => '6',
        other => panic!("packet type {other}"),
    }
}

/// The tap's raw frame as a packet (v4 base64 `b…` and v3 binary decoded).
fn packet_of_raw(raw: &Raw, eio3: bool) -> Packet {
    match raw {
        Raw::Binary(b) if eio3 => Packet {
            kind: char::from(b'0' + b.0[0]),
            data: format!("hex:{}", hex(&b.0[1..])),
        },
        Raw::Binary(b) => Packet {
            kind: '4',
            data: format!("hex:{}", hex(&b.0)),
        },
        Raw::Text { text } if text.starts_with('b') => {
            let (kind, encoded) = if eio3 {
                (text.as_bytes()[1] as char, &text[2..])
            } else {
                ('4', &text[1..])
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .expect("base64 binary");
            Packet {
                kind,
                data: format!("hex:{}", hex(&bytes)),
            }
        }
        Raw::Text { text } => Packet {
            kind: text.chars().next().expect("type digit"),
            data: text[1..].to_string(),
        },
    }
}

/// What the server logged for `sid` in one direction (`packet_in` or `packet_out`).
pub fn server_packets(server: &NodeServer, sid: &str, t: &str) -> Vec<Packet> {
    server
        .json_log()
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["t"] == t && v["sid"] == sid)
        .map(|v| Packet {
            kind: digit_of(v["type"].as_str().expect("type")),
            data: match &v["data"] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Object(o) if o.contains_key("$hex") => format!("hex:{}", o["$hex"].as_str().expect("hex")),
                other => other.to_string(),
            },
        })
        .collect()
}

/// The tap's frames for `sid` in one direction, as packets, leaving out what
/// engine.io's `packet` events never show: the upgrade's own packets (probe,
/// upgrade, noop) and a polling close (the transport takes it; see
/// [`assert_same_packets`] for how that one is checked).
pub fn tap_packets(records: &[Record], sid: &str, dir: Direction, eio3: bool) -> Vec<Packet> {
    records
        .iter()
        .filter(|r| r.conn.as_deref() == Some(sid))
        .filter_map(|r| r.frame())
        .filter(|f| f.dir == Some(dir))
        .map(|f| packet_of_raw(&f.raw, eio3))
        .filter(|p| !(p.data == "probe" || p.kind == '5' || p.kind == '6' || p.kind == '1'))
        .collect()
}

/// Every sid the server saw an Engine.IO connection for.
pub fn server_sids(server: &NodeServer) -> Vec<String> {
    server
        .json_log()
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["t"] == "engine_connection")
        .map(|v| v["sid"].as_str().expect("sid").to_string())
        .collect()
}

/// The server's and the tap's views of every session agree, packet for packet.
pub fn assert_same_packets(server: &NodeServer, tap: &impl TapRecords, eio3: bool) -> Vec<Record> {
    let sids = server_sids(server);
    assert!(!sids.is_empty(), "the server saw no connection");
    let count = |records: &[Record]| {
        sids.iter().all(|sid| {
            tap_packets(records, sid, Direction::Out, eio3).len() >= server_packets(server, sid, "packet_in").len()
                && tap_packets(records, sid, Direction::In, eio3).len()
                    >= server_packets(server, sid, "packet_out").len()
        })
    };
    let records = tap.records_until(&count);
    for sid in &sids {
        let into_server = server_packets(server, sid, "packet_in");
        let from_server = server_packets(server, sid, "packet_out");
        assert!(
            !into_server.is_empty() && !from_server.is_empty(),
            "{sid}: nothing logged"
        );
        same_packets(
            &tap_packets(&records, sid, Direction::Out, eio3),
            &into_server,
            &format!("{sid}: client → server"),
        );
        // engine.io makes the open packet (and socket.io 2 its "40") before a `connection`
        // listener can log: those lead the tap's list, then both lists are the same.
        let seen = tap_packets(&records, sid, Direction::In, eio3);
        let lead = seen.len().saturating_sub(from_server.len());
        assert!(
            seen.first()
                .is_some_and(|p| p.kind == '0' && p.data.contains(sid.as_str())),
            "{sid}: the tap's first packet to the client is not its open packet: {:?}",
            seen.first()
        );
        assert!(
            lead <= if eio3 { 2 } else { 1 },
            "{sid}: {lead} packets the server did not log"
        );
        same_packets(&seen[lead..], &from_server, &format!("{sid}: server → client"));
        // A close packet the tap saw from the client ended the session at the server.
        let closed_by_client = records.iter().any(|r| {
            r.conn.as_deref() == Some(sid.as_str())
                && r.frame().is_some_and(|f| {
                    f.dir == Some(Direction::Out) && matches!(&f.raw, Raw::Text { text } if text == "1")
                })
        });
        if closed_by_client {
            server.wait_for_log(&format!("engine_close for {sid}"), |l| {
                l.contains(r#""t":"engine_close""#) && l.contains(sid.as_str())
            });
        }
    }
    records
}

/// Equal lists, or a message naming the first difference.
pub fn same_packets(tap: &[Packet], server: &[Packet], what: &str) {
    if let Some(i) = (0..tap.len().max(server.len())).find(|&i| tap.get(i) != server.get(i)) {
        panic!(
            "{what}: packet {i} differs (tap {} packets, server {}):\n  tap:    {:?}\n  server: {:?}",
            tap.len(),
            server.len(),
            tap.get(i),
            server.get(i)
        );
    }
}

pub fn has_state(records: &[Record], sid: &str, state: &str) -> bool {
    records
        .iter()
        .any(|r| r.conn.as_deref() == Some(sid) && matches!(&r.body, Body::State(s) if s.state == state))
}

/// A Socket.IO packet with binary attachments, put back together by the tap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassembled {
    /// The event name (none for an ack).
    pub event: Option<String>,
    /// The ack id, when the packet asks for an ack or is one.
    pub id: Option<u64>,
    /// Each attachment as hex, in placeholder order.
    pub attachments: Vec<String>,
}

/// Every packet with attachments the tap reassembled for `sid` in one direction.
pub fn reassembled(records: &[Record], sid: &str, dir: Direction) -> Vec<Reassembled> {
    records
        .iter()
        .filter(|r| r.conn.as_deref() == Some(sid))
        .filter_map(|r| r.frame())
        .filter(|f| f.dir == Some(dir))
        .filter_map(|f| f.decoded.sio.as_ref())
        .filter(|s| s.complete && !s.attachments.is_empty())
        .map(|s| Reassembled {
            event: s.event.clone(),
            id: s.id,
            attachments: s.attachments.iter().map(|a| hex(&a.0)).collect(),
        })
        .collect()
}

/// Frames the tap decoded with an error: none are expected from real peers.
pub fn malformed(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .filter(|r| r.frame().is_some_and(|f| f.decoded.error.is_some()))
        .map(Record::to_json_line)
        .collect()
}

const CHECKS: &[&str] = &[
    "welcome",
    "echo",
    "ack",
    "binary",
    "server_binary",
    "answer",
    "admin_ok",
];

fn run_matrix(kind: ServerKind, client: &str, transports: &str, extra_checks: &[&str]) {
    let server = NodeServer::start(kind, &["--log-packets", "--transports", "both"]);
    let tap = TapUnderTest::start(&server.url(), None);
    let checks: Vec<&str> = CHECKS.iter().chain(extra_checks).copied().collect();
    let seen = client_check(&tap.url, client, transports, &checks, &[]);
    // What the client saw went through the tap.
    assert_eq!(seen["welcome"]["welcome"], json!(["hi"]));
    assert_eq!(seen["binary"]["is_buffer"], json!(true), "{:?}", seen["binary"]);
    assert_eq!(seen["server_binary"]["args"], json!([{"$hex": "010203"}]));
    assert_eq!(seen["answer"]["answered"], json!(["answer to why?", {"$hex": "0908"}]));
    assert_eq!(seen["admin_ok"]["welcome"], json!(["admin"]));
    // The server saw its own name as Host and the client's address forwarded.
    let connect: Value = server
        .json_log()
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["t"] == "connect" && v["nsp"] == "/")
        .expect("a connect log line");
    let headers = &connect["headers"];
    assert_eq!(
        headers["host"],
        json!(server.url().trim_start_matches("http://")),
        "{headers}"
    );
    assert_eq!(headers["x-forwarded-for"], json!("127.0.0.1"), "{headers}");
    assert_eq!(headers["x-forwarded-proto"], json!("http"), "{headers}");
    let eio3 = kind == ServerKind::V2;
    let records = assert_same_packets(&server, &tap, eio3);
    assert!(malformed(&records).is_empty(), "{:#?}", malformed(&records));
    // The client's engine id is a session the tap named.
    let engine_id = seen["welcome"]["engine_id"].as_str().expect("engine id");
    assert!(
        has_state(&records, engine_id, "session"),
        "no session record for {engine_id}"
    );
    // Binary reassembly per session and direction: the echo's attachments, both ways.
    let attachments = |dir: Direction| {
        reassembled(&records, engine_id, dir)
            .into_iter()
            .filter(|p| p.event.as_deref() == Some("echo"))
            .map(|p| p.attachments)
            .collect::<Vec<_>>()
    };
    let sent = [vec!["010203".to_string(), "0405".to_string()]];
    assert!(
        attachments(Direction::Out).contains(&sent[0]),
        "{:?}",
        attachments(Direction::Out)
    );
    assert!(
        attachments(Direction::In).contains(&sent[0]),
        "{:?}",
        attachments(Direction::In)
    );
    if transports == "both" {
        assert_eq!(seen["upgrade"]["transport"], json!("websocket"));
        assert!(has_state(&records, engine_id, "upgraded"), "no upgrade seen");
    }
}

#[test]
fn tap_v4_client_v4_server_polling() {
    run_matrix(ServerKind::V4, "v4", "polling", &[]);
}

#[test]
fn tap_v4_client_v4_server_websocket() {
    run_matrix(ServerKind::V4, "v4", "websocket", &[]);
}

#[test]
fn tap_v4_client_v4_server_upgrade() {
    run_matrix(ServerKind::V4, "v4", "both", &["upgrade", "rooms"]);
}

#[test]
fn tap_v2_client_v2_server_polling() {
    run_matrix(ServerKind::V2, "v2", "polling", &[]);
}

#[test]
fn tap_v2_client_v2_server_upgrade() {
    run_matrix(ServerKind::V2, "v2", "both", &["upgrade"]);
}
