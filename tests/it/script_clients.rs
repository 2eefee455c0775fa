//! Several clients in one script (`client NAME`, `NAME: COMMAND`, `a,b: …`,
//! `expect-none`) against real servers with rooms: socket.io 4.8 and
//! python-socketio. What passes, what fails (naming the line and the client on
//! stderr and in the JUnit report), and records that name their client.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::script_cli::{sio, temp, text};
use crate::support::node::{NodeServer, ServerKind};
use crate::support::peer::PeerProcess;
use crate::support::python::PythonServer;

/// Rooms and broadcasts seen from three clients: what must arrive does, to each
/// one that must get it, and what must not does not.
const ROOMS: &str = r#"client bob --auth {"user":"bob"}
client carol -q who=carol
emit join r1 --ack
bob: emit join r1 --ack
bob: emit to-others {"room":"r1","event":"news","args":[{"from":"bob"}]}
main: expect news {"from":"bob"} --within 5s
carol,bob: expect-none news --for 300ms
carol: emit broadcast {"event":"hello","args":["carol"]}
main,bob: expect hello carol --within 5s
carol: expect-none hello --for 200ms
bob: emit leave r1 --ack
emit to {"room":"r1","event":"after","args":[1]}
expect after 1 --within 5s
bob: expect-none after --for 300ms
"#;

/// A server's log line about a socket that connected.
fn connect_log(line: &str) -> Option<Value> {
    serde_json::from_str::<Value>(line).ok().filter(|v| v["t"] == "connect")
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Runs ROOMS against `server`: everything passes, each client's options reached
/// the server, the report has a case per client, and every record names its client.
fn rooms_pass(server: &PeerProcess, tag: &str) {
    let junit = temp(&format!("rooms-{tag}.xml"));
    let recording = temp(&format!("rooms-{tag}.ndjson"));
    let o = sio(
        &[
            "run",
            &server.url(),
            "-",
            "--junit",
            junit.to_str().expect("path"),
            "--record",
            recording.to_str().expect("path"),
            "--record-secrets",
        ],
        ROOMS,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("16 passed, 0 failed"), "{out}");
    assert!(
        out.contains("✓ line 7 (carol): expect-none news --for 300ms — no \"news\" on / for 300 ms"),
        "{out}"
    );
    assert!(
        out.contains("✓ line 9 (bob): expect hello carol --within 5s — got \"hello\" [\"carol\"]"),
        "{out}"
    );
    // The human printer names each record's client.
    assert!(out.contains("[carol] ↑"), "{out}");

    // Each client's own options reached the server.
    server.wait_for_log("bob's auth", |l| {
        connect_log(l).is_some_and(|v| v["auth"]["user"] == "bob")
    });
    server.wait_for_log("carol's query", |l| {
        // socket.io logs the query as an object, python-socketio as the query string.
        connect_log(l).is_some_and(|v| {
            v["query"]["who"] == "carol" || v["query"].as_str().is_some_and(|q| q.contains("who=carol"))
        })
    });

    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.contains("tests=\"13\" failures=\"0\""), "{xml}");
    for case in [
        "line 1 (bob): client bob --auth {&quot;user&quot;:&quot;bob&quot;}",
        "line 7 (carol): expect-none news --for 300ms",
        "line 7 (bob): expect-none news --for 300ms",
        "line 9 (main): expect hello carol --within 5s",
        "line 13 (main): expect after 1 --within 5s",
    ] {
        assert!(xml.contains(&format!("name=\"{case}\"")), "{case} in {xml}");
    }

    // Every record names its client, main's too; each client numbers its own from 0.
    let records = json_lines(&std::fs::read_to_string(&recording).expect("recording"));
    let mut seqs: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in &records {
        let conn = r["conn"]
            .as_str()
            .unwrap_or_else(|| panic!("a record without conn: {r}"));
        seqs.entry(conn.to_string())
            .or_default()
            .push(r["seq"].as_u64().expect("seq"));
    }
    assert_eq!(
        seqs.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        BTreeSet::from(["main", "bob", "carol"])
    );
    for (conn, seq) in &seqs {
        assert_eq!(
            seq,
            &(0..seq.len() as u64).collect::<Vec<_>>(),
            "{conn}'s records in order"
        );
    }
    // Who sent what: the broadcast went out as carol's, the news came in as main's.
    let sent_by = |conn: &str, event: &str, dir: &str| {
        records.iter().any(|r| {
            r["conn"] == conn && r["dir"] == dir && r["sio"]["event"] == event && r["sio"]["complete"] != false
        })
    };
    assert!(sent_by("carol", "broadcast", "out"));
    assert!(sent_by("main", "news", "in"));
    assert!(!sent_by("carol", "news", "in"), "carol was never in r1");
    assert!(sent_by("bob", "hello", "in"));
    assert!(!sent_by("carol", "hello", "in"), "the sender is left out");
}

#[test]
fn rooms_and_broadcasts_pass_against_socket_io() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    rooms_pass(&server, "node");
}

#[test]
fn rooms_and_broadcasts_pass_against_python_socketio() {
    let server = PythonServer::start(&[]);
    rooms_pass(&server, "python");
}

/// A broadcast meant for a room goes to everyone: carol's expect-none catches
/// it, and the failure names the line and carol everywhere a failure is told.
fn leak_is_caught(server: &PeerProcess, tag: &str) {
    let junit = temp(&format!("leak-{tag}.xml"));
    let script = "client bob\n\
                  client carol\n\
                  emit join r1 --ack\n\
                  bob: emit join r1 --ack\n\
                  bob: emit broadcast {\"event\":\"news\",\"args\":[\"for r1 only\"]}\n\
                  main: expect news --within 5s\n\
                  carol: expect-none news --for 500ms\n\
                  print not reached\n";
    let o = sio(
        &["run", &server.url(), "-", "--junit", junit.to_str().expect("path")],
        script,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("sio: line 7 (carol) failed: got \"news\" [\"for r1 only\"] on /, "),
        "{stderr}"
    );
    assert!(
        out.contains("✗ line 7 (carol): expect-none news --for 500ms — got \"news\""),
        "{out}"
    );
    assert!(out.contains("6 passed, 1 failed, 1 skipped"), "{out}");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.contains("tests=\"6\" failures=\"1\""), "{xml}");
    let case = xml
        .split("<testcase ")
        .find(|c| c.contains("name=\"line 7 (carol): expect-none news --for 500ms\""))
        .unwrap_or_else(|| panic!("carol's case in {xml}"));
    assert!(case.contains("<failure message=\"got &quot;news&quot;"), "{case}");
}

#[test]
fn expect_none_catches_a_leaked_broadcast_on_socket_io() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    leak_is_caught(&server, "node");
}

#[test]
fn expect_none_catches_a_leaked_broadcast_on_python_socketio() {
    let server = PythonServer::start(&[]);
    leak_is_caught(&server, "python");
}

#[test]
fn expect_none_counts_an_event_that_came_before_the_line_unless_an_expect_took_it() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    // The welcome arrived before line 1 ran: it counts, as it would for expect.
    let o = sio(
        &["run", &server.url(), "-", "--keep-going"],
        "expect-none welcome --for 100ms\nexpect welcome\nexpect-none welcome --for 100ms\n",
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("✗ line 1: expect-none welcome --for 100ms — got \"welcome\" [\"hi\"] on /,"),
        "{out}"
    );
    assert!(out.contains("before this line ran"), "{out}");
    // expect-none took nothing: the expect still gets it; after that nothing is left.
    assert!(
        out.contains("✓ line 2: expect welcome — got \"welcome\" [\"hi\"]"),
        "{out}"
    );
    assert!(out.contains("✓ line 3: expect-none welcome --for 100ms"), "{out}");
}

#[test]
fn an_expect_for_several_clients_needs_each_of_them() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let junit = temp("both.xml");
    // Only main and bob are in r1: carol's part of line 5 fails, theirs pass, in parallel
    // (three 1 s waits that would take 3 s one after the other).
    let script = "client bob\nclient carol\nmain,bob: emit join r1 --ack\n\
                  emit to {\"room\":\"r1\",\"event\":\"ping-room\",\"args\":[7]}\n\
                  main,bob,carol: expect ping-room 7 --within 1s\n";
    let started = std::time::Instant::now();
    let o = sio(
        &[
            "run",
            &server.url(),
            "-",
            "--json",
            "--junit",
            junit.to_str().expect("path"),
        ],
        script,
    );
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let results: Vec<Value> = json_lines(&String::from_utf8_lossy(&o.stdout))
        .into_iter()
        .filter(|v| v["kind"] == "result" && v["line"] == 5)
        .collect();
    let by_client: BTreeMap<&str, bool> = results
        .iter()
        .map(|r| (r["client"].as_str().expect("client"), r["ok"].as_bool().expect("ok")))
        .collect();
    assert_eq!(
        by_client,
        BTreeMap::from([("main", true), ("bob", true), ("carol", false)]),
        "{results:?}"
    );
    let carol = results.iter().find(|r| r["client"] == "carol").expect("carol");
    assert_eq!(carol["message"], "no \"ping-room\" with 7 on / within 1 s");
    assert_eq!(carol["command"], "expect ping-room 7 --within 1s");
    assert!(
        took < std::time::Duration::from_secs(3),
        "the waits ran at once: {took:?}"
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr
            .trim_end()
            .ends_with("sio: line 5 (carol) failed: no \"ping-room\" with 7 on / within 1 s"),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.contains("name=\"line 5 (bob): expect ping-room 7 --within 1s\" time"),
        "{xml}"
    );
    assert!(xml.contains("tests=\"7\" failures=\"1\""), "{xml}");
}

#[test]
fn a_run_with_one_client_keeps_its_records_and_results_as_they_were() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let recording = temp("single.ndjson");
    let o = sio(
        &[
            "run",
            &server.url(),
            "-",
            "--json",
            "--record",
            recording.to_str().expect("path"),
        ],
        "expect welcome\nmain: emit echo x --ack\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = json_lines(&String::from_utf8_lossy(&o.stdout));
    assert!(
        stdout
            .iter()
            .all(|v| v.get("conn").is_none() && v.get("client").is_none()),
        "{stdout:?}"
    );
    let records = std::fs::read_to_string(&recording).expect("recording");
    assert!(!records.contains("\"conn\""), "{records}");
}

#[test]
fn bad_client_lines_fail_before_connecting_and_name_the_line() {
    // Nothing listens here: the errors must come from parsing.
    let o = sio(
        &["run", "http://127.0.0.1:9", "-"],
        "client bob\nclient bob\nclient main\ndave: emit x\nexpect-none x\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for line in [
        "sio: stdin: line 2, column 1: client \"bob\" is already open (line 1)",
        "sio: stdin: line 3, column 8: \"main\" is the connection from the command line; pick another name",
        "sio: stdin: line 4, column 1: no client \"dave\" is open here: open it above with `client dave`",
        "sio: stdin: line 5, column 14: expected --for DUR: how long the event must not come, e.g. --for 500ms",
    ] {
        assert!(err.contains(line), "{line} in {err}");
    }
    assert!(
        err.trim_end()
            .ends_with("sio: stdin: 4 line(s) do not parse; nothing was run"),
        "{err}"
    );
}

#[test]
fn line_mode_starts_with_the_clients_of_the_command_line() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "60000"]);
    let recording = temp("line-mode.ndjson");
    // Waiting lines run in the background; the sleeps only keep the typed order.
    let o = sio(
        &[
            "connect",
            &server.url(),
            "--no-tui",
            "--json",
            "--client",
            r#"bob={"user":"bob"}"#,
            "--record",
            recording.to_str().expect("path"),
            "--record-secrets",
        ],
        "bob: expect welcome\nbob: emit join r2 --ack\nsleep 300ms\nemit to {\"room\":\"r2\",\"event\":\"n\",\"args\":[2]}\n\
         bob: expect n 2\nmain: expect-none n --for 200ms\nzed: emit x\n",
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "the unknown client fails the session: {}",
        text(&o)
    );
    let results: Vec<Value> = json_lines(&String::from_utf8_lossy(&o.stdout))
        .into_iter()
        .filter(|v| v["kind"] == "result")
        .collect();
    let ok_of = |line: u64| results.iter().find(|r| r["line"] == line).map(|r| r["ok"].clone());
    for line in [1, 2, 5, 6] {
        assert_eq!(ok_of(line), Some(true.into()), "line {line}: {results:?}");
    }
    let zed = results.iter().find(|r| r["line"] == 7).expect("line 7");
    assert_eq!(
        zed["message"],
        "line 7 (zed): no client named \"zed\": open it with `client zed`"
    );
    server.wait_for_log("bob's auth", |l| {
        connect_log(l).is_some_and(|v| v["auth"]["user"] == "bob")
    });
    let records = json_lines(&std::fs::read_to_string(&recording).expect("recording"));
    let conns: BTreeSet<&str> = records.iter().filter_map(|r| r["conn"].as_str()).collect();
    assert_eq!(conns, BTreeSet::from(["main", "bob"]));
    assert!(
        records.iter().all(|r| r.get("conn").is_some()),
        "every record names its client"
    );
    let o = sio(&["connect", &server.url(), "--no-tui", "--client", "main"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// `sio serve` relays as the Node and Python peers do (to, to-others, broadcast):
/// the same script passes against it, and a broadcast reaches everyone but its sender.
#[test]
fn rooms_and_broadcasts_pass_against_sio_serve() {
    let server = crate::serve_cli::Serve::start(&[]);
    let o = sio(&["run", &server.url(), "-", "--json"], ROOMS);
    assert!(o.status.success(), "{}", text(&o));
    let records = json_lines(&String::from_utf8_lossy(&o.stdout));
    let got = |client: &str, event: &str| {
        records
            .iter()
            .any(|r| r["conn"] == client && r["dir"] == "in" && r["sio"]["event"] == event)
    };
    assert!(
        got("main", "hello") && got("bob", "hello"),
        "the broadcast reached main and bob"
    );
    assert!(!got("carol", "hello"), "the broadcast left out its sender");
    assert!(got("main", "news") && !got("bob", "news"), "to-others left out bob");
}
