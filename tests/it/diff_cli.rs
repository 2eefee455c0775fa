//! `sio diff` on recordings that `sio run --record` made against a real
//! socket.io 4.8 server: two runs of one script are equal, two different
//! scripts differ where they differ, and bad input is refused.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use crate::har_cli::last_stderr_line;
use crate::script_cli::{sio, text};
use crate::support::node::{NodeServer, ServerKind};

fn temp(name: &str) -> PathBuf {
    crate::support::temp_path("diff-test", name)
}

/// Runs `script` against `server`, recording into a new file named `name`.
fn record(server: &NodeServer, name: &str, script: &str) -> PathBuf {
    let path = temp(name);
    let o = sio(
        &["run", &server.url(), "-", "--record", path.to_str().expect("path")],
        script,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    path
}

pub const SCRIPT: &str = r#"expect welcome
emit echo hello {"n":1} --ack
expect echo
emit binary
expect binary
join /admin {"token":"secret"}
use /admin
emit echo admin --ack
expect echo
"#;

fn diff(a: &std::path::Path, b: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec!["diff", a.to_str().expect("a"), b.to_str().expect("b")];
    args.extend_from_slice(extra);
    sio(&args, "")
}

#[test]
fn two_runs_of_one_script_are_equal_and_different_scripts_are_named() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let first = record(&server, "first.ndjson", SCRIPT);
    let second = record(&server, "second.ndjson", SCRIPT);
    // The recordings do differ by nature: sids, socket ids, ack ids and times.
    let read = |p: &PathBuf| std::fs::read_to_string(p).expect("recording");
    assert_ne!(read(&first), read(&second));
    let o = diff(&first, &second, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("equal: "),
        "{}",
        text(&o)
    );
    // Every Socket.IO packet both ways: CONNECTs, welcomes, emits, acks, echoes, binary.
    let o = diff(&first, &second, &["--json"]);
    assert_eq!(o.status.code(), Some(0));
    let summary: Value = serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).expect("summary");
    assert_eq!(summary["summary"]["equal"], true);
    let steps = summary["summary"]["a"]["steps"].as_u64().expect("steps");
    assert!(steps >= 14, "{summary}");

    // Another script: "hello" became "bye", no binary, one more emit at the end.
    let changed = SCRIPT
        .replace("emit echo hello {\"n\":1} --ack", "emit echo bye {\"n\":1} --ack")
        .replace("emit binary\nexpect binary\n", "")
        + "emit echo extra\nexpect echo\n";
    let third = record(&server, "third.ndjson", &changed);
    let o = diff(&first, &third, &["--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let (summary, changes) = lines.split_last().expect("a summary");
    let named: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| {
            let step = if c["b"].is_null() {
                &c["a"]["step"]
            } else {
                &c["b"]["step"]
            };
            (
                c["change"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{} {}",
                    step["dir"].as_str().unwrap_or_default(),
                    step["type"].as_str().unwrap_or_default()
                ),
                step["event"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let owned = |c: &str, what: &str, event: &str| (c.to_string(), what.to_string(), event.to_string());
    assert_eq!(
        named,
        vec![
            // The emit, the server's ack of it and its echo event.
            owned("changed", "out EVENT", "echo"),
            owned("changed", "in ACK", ""),
            owned("changed", "in EVENT", "echo"),
            // The binary round trip is gone (attachments and all).
            owned("missing", "out EVENT", "binary"),
            owned("missing", "in BINARY_EVENT", "binary"),
            // The extra emit at the end, and the server's echo of it.
            owned("added", "out EVENT", "echo"),
            owned("added", "in EVENT", "echo"),
        ],
        "{changes:#?}"
    );
    let paths: Vec<&str> = changes[0]["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert_eq!(paths, ["data.1"], "{changes:#?}");
    assert_eq!(changes[0]["paths"][0]["a"], "hello");
    assert_eq!(changes[0]["paths"][0]["b"], "bye");
    assert_eq!(summary["summary"]["changed"], 3);
    let o = diff(&first, &third, &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("~ changed") && out.contains(r#"data.1: "hello" → "bye""#),
        "{out}"
    );
    assert!(out.contains("- missing") && out.contains("+ added"), "{out}");
    let why = last_stderr_line(&o);
    assert_eq!(
        why.split(" (").next(),
        Some("sio: the recordings differ: 2 added, 2 missing, 3 changed"),
        "{why}"
    );

    // --ignore takes away what differs: the echoed text, everywhere.
    let o = diff(&first, &third, &["--ignore", "data.1", "--ignore", "data.0", "--json"]);
    let last = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    let summary: Value = serde_json::from_str(&last).expect("summary");
    assert_eq!(
        summary["summary"]["changed"],
        0,
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // --eio compares the Engine.IO layer too: the handshakes agree (sids aside).
    let o = diff(&first, &second, &["--eio", "--json"]);
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert!(
        !lines
            .iter()
            .any(|l| l["a"]["step"]["type"] == "open" || l["b"]["step"]["type"] == "open"),
        "{lines:#?}"
    );
    assert!(lines.last().expect("summary")["summary"]["a"]["steps"].as_u64() > Some(steps));
}

#[test]
fn bad_input_exits_2() {
    let good = temp("good.ndjson");
    std::fs::write(&good, "").expect("write");
    let broken = temp("broken.ndjson");
    std::fs::write(
        &broken,
        "{\"seq\":0,\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"state\",\"state\":\"open\"}\nnot json\n",
    )
    .expect("write");
    let o = diff(&good, &broken, &[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let why = last_stderr_line(&o);
    assert!(why.starts_with("sio: ") && why.contains("line 2"), "{why}");
    let o = diff(&good, &temp("missing.ndjson"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = diff(&good, &good, &["--ignore", "data..x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(last_stderr_line(&o).contains("empty"), "{}", last_stderr_line(&o));
    let o = diff(&good, &good, &[]);
    assert_eq!(o.status.code(), Some(0), "two empty recordings are equal");
}
