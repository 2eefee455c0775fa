//! `sio tap` beyond the client matrix: msgpack noticed from binary frames, the
//! python-socketio client, an upstream that is down (the real binary, 502), and
//! 200 sessions at once.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use sio::record::{Body, Direction, Raw, Record};

use crate::engine_util::{Client, opts};
use crate::support::http_get;
use crate::support::node::{NodeServer, ServerKind, ensure_installed, peers_dir};
use crate::support::python::{PythonServer, client_command};
use crate::support::tap::TapProcess;
use sio::engine::Options;

use crate::tap_clients::{TapUnderTest, client_check, server_packets, server_sids, tap_packets};

fn events(records: &[Record], dir: Direction, name: &str) -> usize {
    records
        .iter()
        .filter_map(Record::frame)
        .filter(|f| f.dir == Some(dir) && f.decoded.error.is_none())
        .filter(|f| {
            f.decoded
                .sio
                .as_ref()
                .is_some_and(|s| s.complete && s.event.as_deref() == Some(name))
        })
        .count()
}

#[test]
fn tap_notices_msgpack_from_binary_frames() {
    let server = NodeServer::start(ServerKind::V4, &["--log-packets", "--parser", "msgpack"]);
    let tap = TapUnderTest::start(&server.url(), None);
    let seen = client_check(
        &tap.url,
        "v4",
        "both",
        &["welcome", "echo", "ack", "binary", "answer", "admin_ok"],
        &["--parser", "msgpack"],
    );
    assert_eq!(seen["answer"]["answered"], json!(["answer to why?", {"$hex": "0908"}]));
    let sid = server_sids(&server)[0].clone();
    let records = tap.records_until(|r| {
        tap_packets(r, &sid, Direction::Out, false).len() >= server_packets(&server, &sid, "packet_in").len()
    });
    let noticed = records
        .iter()
        .find(|r| matches!(&r.body, Body::State(s) if s.state == "parser"))
        .expect("the tap says it noticed msgpack");
    assert_eq!(noticed.conn.as_deref(), Some(sid.as_str()));
    // Every msgpack frame decoded: events both ways, binary included, no errors.
    let bad: Vec<String> = records
        .iter()
        .filter(|r| r.frame().is_some_and(|f| f.decoded.error.is_some()))
        .map(Record::to_json_line)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(events(&records, Direction::Out, "echo") >= 22);
    assert!(events(&records, Direction::In, "echo") >= 22);
    // Byte for byte: what the client sent is what the server logged.
    assert_eq!(
        tap_packets(&records, &sid, Direction::Out, false),
        server_packets(&server, &sid, "packet_in")
    );
}

#[test]
fn tap_python_client_to_python_server() {
    for transports in ["polling", "websocket", "both"] {
        let server = PythonServer::start(&["--log-packets"]);
        let tap = TapUnderTest::start(&server.url(), None);
        let output = client_command(&[
            &tap.url,
            "--transports",
            transports,
            "--emit",
            "echo",
            r#"["a", {"$hex": "0102"}]"#,
            "--until",
            "echo",
        ])
        .output()
        .expect("client.py runs");
        let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
            .collect();
        assert_eq!(output.status.code(), Some(0), "{transports}: {lines:?}");
        let ack = lines.iter().find(|l| l["t"] == "ack").expect("an ack line");
        assert_eq!(ack["args"], json!(["a", {"$hex": "0102"}]), "{transports}");
        // The server's view: every Engine.IO message it took, in order.
        let logged: Vec<String> = server
            .json_log()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["t"] == "packet_in")
            .map(|v| match &v["data"] {
                Value::String(s) => s.clone(),
                Value::Object(o) => format!("hex:{}", o["$hex"].as_str().unwrap_or_default()),
                other => other.to_string(),
            })
            .collect();
        let sid = server
            .json_log()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["t"] == "packet_in")
            .and_then(|v| v["sid"].as_str().map(str::to_string))
            .expect("a packet_in with its sid");
        let messages = |records: &[Record]| -> Vec<String> {
            tap_packets(records, &sid, Direction::Out, false)
                .into_iter()
                .filter(|p| p.kind == '4')
                .map(|p| p.data)
                .collect()
        };
        let records = tap.records_until(|r| messages(r).len() >= logged.len());
        assert_eq!(messages(&records), logged, "{transports}");
        assert_eq!(events(&records, Direction::In, "echo"), 1, "{transports}");
        if transports == "both" {
            assert!(
                records
                    .iter()
                    .any(|r| matches!(&r.body, Body::State(s) if s.state == "upgraded")),
                "no upgrade seen"
            );
        }
    }
}

/// A port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn tap_answers_502_while_the_upstream_is_down_and_keeps_serving() {
    let upstream = format!("http://127.0.0.1:{}", closed_port());
    let mut tap = TapProcess::start(&upstream);
    for path in ["/socket.io/?EIO=4&transport=polling", "/index.html"] {
        let answer = http_get(tap.port, path);
        assert_eq!(answer.status, 502, "{path}");
        assert_eq!(answer.header("content-type"), Some("text/plain; charset=utf-8"));
        let text = answer.text();
        assert!(text.contains("did not answer") && text.contains(&upstream), "{text}");
        // The tap reports it, as an HTTP record with the reason.
        let record = tap.record("http", None);
        assert_eq!(record["status"], 502, "{record}");
        assert!(
            record["error"].as_str().is_some_and(|e| e.contains("upstream")),
            "{record}"
        );
    }
    assert!(tap.running(), "the tap kept serving");
}

#[test]
fn tap_takes_cut_and_delay_on_stdin() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let mut tap = TapProcess::start(&server.url());
    for (bad, says) in [
        ("frobnicate", "not a tap command"),
        ("delay x sideways 1s", "not in or out"),
        ("cut no-such-sid", "no session"),
    ] {
        tap.say(bad);
        let line = tap.next("err", |l| l.starts_with("sio: tap:"));
        assert!(line.contains(says), "{bad}: {line}");
    }
    let rt = client_runtime();
    let url = format!("http://127.0.0.1:{}", tap.port);
    let mut client = rt.block_on(async {
        let mut client = Client::start(opts(&url));
        client.ever_state("namespace connected").await;
        client
    });
    let session = tap.record("state", Some("session"));
    let sid = session["conn"].as_str().expect("conn").to_string();
    tap.say(&format!("delay {sid} out 0s"));
    assert_eq!(tap.record("state", Some("delay"))["conn"], json!(sid));
    tap.say(&format!("cut {sid}"));
    assert_eq!(tap.record("state", Some("session cut"))["conn"], json!(sid));
    rt.block_on(async {
        client.state("reconnecting").await;
        client.state("namespace connected").await;
    });
}

#[test]
fn tap_carries_200_sessions_at_once_and_forgets_them_when_closed() {
    ensure_installed();
    let server = NodeServer::start(ServerKind::V4, &["--transports", "both"]);
    let tap = TapUnderTest::start(&server.url(), None);
    let node = std::env::var("SIO_TEST_NODE").unwrap_or_else(|_| "node".to_owned());
    let output = Command::new(node)
        .args(["tap-crowd.js", "--url", &tap.url, "--clients", "200"])
        .current_dir(peers_dir())
        .stdin(Stdio::null())
        .output()
        .expect("tap-crowd.js runs");
    let line = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    assert_eq!(report["connected"], 200, "{report}");
    assert_eq!(report["acked"], 200, "{report}");
    let ids: BTreeSet<String> = report["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 200);
    // Every session closed: the tap's table is empty again (memory follows live sessions).
    let closed = |records: &[Record]| {
        records
            .iter()
            .filter(|r| matches!(&r.body, Body::State(s) if s.state == "session closed"))
            .filter_map(|r| r.conn.clone())
            .collect::<BTreeSet<_>>()
    };
    let records = tap.records_until(|r| closed(r).len() >= 200);
    assert_eq!(closed(&records), ids, "every session the clients had, closed");
    let named: BTreeSet<String> = records
        .iter()
        .filter(|r| matches!(&r.body, Body::State(s) if s.state == "session"))
        .filter_map(|r| r.conn.clone())
        .collect();
    assert_eq!(named, ids);
    // Each session's ack went back to its own client, decoded under its own name.
    for id in &ids {
        let acks = records
            .iter()
            .filter(|r| r.conn.as_deref() == Some(id.as_str()))
            .filter_map(Record::frame)
            .filter(|f| {
                f.dir == Some(Direction::In) && matches!(&f.raw, Raw::Text { text } if text.starts_with("430["))
            })
            .count();
        assert_eq!(acks, 1, "{id}");
    }
    assert_eq!(tap.live_sessions(), 0);
}

/// The session the tap named last (the newest `session` record).
fn newest_session(tap: &TapUnderTest, other_than: Option<&str>) -> String {
    let newest = |records: &[Record]| {
        records
            .iter()
            .rev()
            .filter(|r| matches!(&r.body, Body::State(s) if s.state == "session"))
            .filter_map(|r| r.conn.clone())
            .find(|c| Some(c.as_str()) != other_than)
    };
    let records = tap.records_until(|r| newest(r).is_some());
    newest(&records).expect("a session record")
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn tap_cut_from_the_middle_makes_the_client_reconnect() {
    use sio::engine::TransportMode;
    for transport in [TransportMode::Websocket, TransportMode::Polling] {
        let server = NodeServer::start(ServerKind::V4, &[]);
        let tap = TapUnderTest::start(&server.url(), None);
        let rt = client_runtime();
        let mut client = rt.block_on(async {
            let mut client = Client::start(Options {
                transport,
                ..opts(&tap.url)
            });
            client.ever_state("namespace connected").await;
            client
        });
        let first = newest_session(&tap, None);
        let controls = tap.running.controls();
        tap.rt.block_on(controls.cut(&first)).expect("the session is known");
        rt.block_on(async {
            client.state("reconnecting").await;
            client.state("namespace connected").await;
            let reply = client
                .emit("/", "echo", vec![json!("after the cut")], Vec::new(), true)
                .await;
            assert_eq!(reply.map(|r| r.args), Some(json!(["after the cut"])), "{transport:?}");
        });
        let second = newest_session(&tap, Some(&first));
        assert_ne!(first, second);
        let records = tap.records();
        assert!(
            records.iter().any(|r| r.conn.as_deref() == Some(first.as_str())
                && matches!(&r.body, Body::State(s) if s.state == "session cut")),
            "{transport:?}: no cut record"
        );
        let unknown = tap.rt.block_on(controls.cut("no-such-sid")).expect_err("unknown sid");
        assert!(unknown.contains("no session"), "{unknown}");
    }
}

#[test]
fn tap_delay_holds_one_direction() {
    use sio::engine::TransportMode;
    let server = NodeServer::start(ServerKind::V4, &[]);
    let tap = TapUnderTest::start(&server.url(), None);
    let rt = client_runtime();
    let mut client = rt.block_on(async {
        let mut client = Client::start(Options {
            transport: TransportMode::Websocket,
            ..opts(&tap.url)
        });
        client.ever_state("namespace connected").await;
        client
    });
    let sid = newest_session(&tap, None);
    let controls = tap.running.controls();
    let hold = Duration::from_millis(400);
    tap.rt
        .block_on(controls.delay(&sid, Direction::In, hold))
        .expect("the session is known");
    rt.block_on(async {
        let reply = client.emit("/", "echo", vec![json!(1)], Vec::new(), true).await;
        let rtt = reply.expect("an ack").rtt;
        assert!(rtt >= hold, "the ack came back after {rtt:?}, under the {hold:?} delay");
    });
    let records = tap.records();
    assert!(
        records.iter().any(|r| r.conn.as_deref() == Some(sid.as_str())
            && matches!(&r.body, Body::State(s) if s.state == "delay" && s.data["millis"] == 400)),
        "no delay record"
    );
}
