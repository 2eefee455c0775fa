//! `sio run`, `sio emit`, `sio connect --no-tui`, `--record` and `sio replay`
//! as users run them, against a real socket.io 4 server.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::node::{NodeServer, ServerKind};

pub(crate) fn sio(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sio");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.as_bytes()).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("sio exits")
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub(crate) fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sio-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

const PASSING: &str = r#"# a script that passes
expect welcome "hi"
emit echo hello {"a": 1} --ack 2s
emit echo round-trip
expect echo round-trip
join /admin {"token":"secret"}
use /admin
expect welcome admin
emit bin hex:0102 --ack
"#;

#[test]
fn a_passing_script_exits_0_with_a_summary_and_junit() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let junit = temp("pass.xml");
    let o = sio(
        &["run", &server.url(), "-", "--junit", junit.to_str().expect("path")],
        PASSING,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("✓ line 3: emit echo hello {\"a\": 1} --ack 2s — ack for \"echo\" after"),
        "{out}"
    );
    assert!(out.contains("8 passed, 0 failed"), "{out}");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.contains("tests=\"5\" failures=\"0\""), "{xml}");
    // The server saw what the script sent.
    server.wait_for_log_containing(r#""round-trip""#);
}

#[test]
fn a_failing_script_names_the_line_and_stops() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let script = "expect welcome\nexpect never --within 200ms\nemit echo after\n";
    let o = sio(&["run", &server.url(), "-"], script);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("✗ line 2: expect never --within 200ms — no \"never\" on / within 200 ms"),
        "{out}"
    );
    assert!(out.contains("1 passed, 1 failed, 1 skipped"), "{out}");
    assert!(!out.contains("emitted \"echo\""), "stopped at the failure: {out}");

    let o = sio(&["run", &server.url(), "-", "--keep-going"], script);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("2 passed, 1 failed"), "{}", text(&o));
}

#[test]
fn a_script_with_a_typo_fails_before_connecting() {
    // Nothing listens on this URL: a parse error must come first.
    let o = sio(&["run", "http://127.0.0.1:9", "-"], "emit ok\nemti oops\njoin\n");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("stdin: line 2, column 1: unknown command \"emti\""),
        "{err}"
    );
    assert!(
        err.contains("stdin: line 3, column 5: expected a namespace after join"),
        "{err}"
    );
}

#[test]
fn emit_with_ack_prints_the_answer() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let o = sio(&["emit", &server.url(), "echo", "hello world", "-1", "--ack", "2s"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains(r#"ack for "echo" after"#), "{}", text(&o));
    assert!(text(&o).contains(r#"["hello world",-1]"#), "{}", text(&o));
    let o = sio(&["emit", &server.url(), "connect"], "");
    assert_eq!(o.status.code(), Some(2), "reserved names are refused");
    assert!(String::from_utf8_lossy(&o.stderr).contains("reserved event name"));
}

#[test]
fn line_mode_reads_commands_from_a_pipe() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "60000"]);
    let o = sio(
        &["connect", &server.url(), "--no-tui", "--json"],
        "emit echo piped --ack\nbogus\nexpect echo piped\n",
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "the bad line makes the session fail: {}",
        text(&o)
    );
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["kind"] == "result")
        .collect();
    assert_eq!(results.len(), 3, "{}", text(&o));
    let bad = results.iter().find(|r| r["line"] == 2).expect("line 2 reported");
    assert_eq!(bad["ok"], false);
    assert!(results.iter().filter(|r| r["ok"] == true).count() == 2, "{}", text(&o));
}

#[test]
fn recordings_mask_secrets_and_replay_survives_a_cut_line() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let recording = temp("session.ndjson");
    let path = recording.to_str().expect("path");
    let o = sio(
        &[
            "run",
            &server.url(),
            "-",
            "--record",
            path,
            "-H",
            "Authorization: Bearer hunter2",
        ],
        "join /admin {\"token\":\"secret\"}\nuse /admin\nemit echo recorded --ack\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let recorded = std::fs::read_to_string(&recording).expect("recording");
    assert!(
        !recorded.contains("secret") && !recorded.contains("hunter2"),
        "{recorded}"
    );
    assert!(recorded.contains(r#"40/admin,{\"token\":\"***\"}"#), "{recorded}");
    // Every record is there, in order.
    let seqs: Vec<u64> = recorded
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["seq"]
                .as_u64()
                .expect("seq")
        })
        .collect();
    assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>());
    assert!(recorded.contains(r#""event":"echo""#));

    // Cut the file in the middle of a line, and add a broken line before it.
    let cut = format!(
        "{}not json\n{}",
        &recorded[..recorded.len() / 2],
        &recorded[recorded.len() / 2..recorded.len() - 10]
    );
    std::fs::write(&recording, cut).expect("write");
    let o = sio(&["replay", path], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a record"), "{err}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("namespace connected"),
        "{}",
        text(&o)
    );
    let o = sio(&["replay", path, "--json"], "");
    let passed: usize = String::from_utf8_lossy(&o.stdout).lines().count();
    // At most three lines are broken: the two halves around the cut, and the truncated last one.
    assert!(
        passed + 3 >= seqs.len(),
        "records passed through: {passed} of {}",
        seqs.len()
    );

    // And secrets stay when asked for.
    let kept = temp("kept.ndjson");
    let o = sio(
        &[
            "run",
            &server.url(),
            "-",
            "--record",
            kept.to_str().expect("path"),
            "--record-secrets",
        ],
        "join /admin {\"token\":\"secret\"}\n",
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(std::fs::read_to_string(&kept).expect("recording").contains("secret"));
}

#[test]
fn the_recording_matches_what_the_server_logged() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let recording = temp("matches.ndjson");
    let script = "emit note one\nemit note {\"two\":2}\nemit note 3 hex:0a0b --ack\n";
    let o = sio(
        &["run", &server.url(), "-", "--record", recording.to_str().expect("path")],
        script,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    server.wait_for_log_containing(r#""0a0b""#);
    // What the client recorded sending, in order...
    let sent: Vec<serde_json::Value> = std::fs::read_to_string(&recording)
        .expect("recording")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .filter(|r| r["dir"] == "out" && r["sio"]["event"] == "note" && r["sio"]["complete"] != false)
        .map(|r| r["sio"]["data"].clone())
        .collect();
    // ...is what the server received, in order.
    let received: Vec<serde_json::Value> = server
        .json_log()
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .filter(|l| l["t"] == "event" && l["event"] == "note")
        .map(|l| l["args"].clone())
        .collect();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(received.len(), 3, "{received:?}");
    assert_eq!(sent[0], serde_json::json!(["note", "one"]));
    assert_eq!(received[0], serde_json::json!(["one"]));
    assert_eq!(sent[1], serde_json::json!(["note", {"two": 2}]));
    assert_eq!(received[1], serde_json::json!([{"two": 2}]));
    // Binary: a placeholder on the wire, the bytes on the server.
    assert_eq!(
        sent[2],
        serde_json::json!(["note", 3, {"_placeholder": true, "num": 0}])
    );
    assert_eq!(received[2], serde_json::json!([3, {"$hex": "0a0b"}]));
}

#[test]
fn events_kept_for_expect_are_bounded_and_letting_go_is_told_once() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    // 10,050 floods after the welcome: more than the 10,000 events kept.
    let script = "emit flood {\"n\": 10050, \"size\": 1}\n\
                  expect flood-done --within 60s\n\
                  expect welcome --within 200ms\n\
                  expect flood\n";
    let o = sio(
        &["run", &server.url(), "-", "--json", "--frames", "--keep-going"],
        script,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    let ok = |line: u64| {
        lines
            .iter()
            .find(|v| v["kind"] == "result" && v["line"] == line)
            .map(|v| v["ok"].clone())
    };
    assert_eq!(ok(2), Some(true.into()), "flood-done was taken");
    assert_eq!(ok(3), Some(false.into()), "the welcome was let go");
    assert_eq!(ok(4), Some(true.into()), "the newest floods are still there");
    let notes: Vec<&serde_json::Value> = lines.iter().filter(|v| v["state"] == "events let go").collect();
    assert_eq!(notes.len(), 1, "told once, not per event");
    assert_eq!(notes[0]["data"]["let_go"], 1, "told when the first one went");
    assert_eq!(notes[0]["data"]["max_events"], 10_000);
    // The note is numbered among the engine's records without a gap.
    let seqs: Vec<u64> = lines.iter().filter_map(|v| v["seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "seq gapless");
}
