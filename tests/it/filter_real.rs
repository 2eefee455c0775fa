//! The filter language and the statistics on traffic recorded from a real socket.io 4.8
//! server: `sio replay --filter` and the TUI's `/` pick what the test picks by reading
//! the recording itself; `--stats` counts what the test counts; bad expressions exit 2.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;
use sio::record::Record;
use sio::tui::model::Model;

use crate::script_cli::{sio, text};
use crate::support::node::{NodeServer, ServerKind};

/// Two clients, both transports, the upgrade, acks both ways, binary, a refused
/// namespace, heartbeats every 300 ms and a malformed frame at the end.
const SESSION: &str = r#"client bob
expect welcome
emit echo {"room":"r1","text":"Hello World"} --ack
emit join r1 --ack
emit to {"room":"r1","event":"chat","args":[{"room":"r1","text":"hi there"}]}
expect chat
emit ask q1
expect answered
emit binary
expect binary
bob: emit echo from-bob --ack
join /admin {"token":"secret"}
use /admin
emit ping --ack
join /nope
sleep 800ms
use /
send 42[
sleep 200ms
"#;

struct Recording {
    path: std::path::PathBuf,
    /// Every line of the recording, parsed as JSON by the test itself.
    lines: Vec<Value>,
}

/// The recording's file, for the tests in a real terminal.
pub(crate) fn recording_path() -> &'static std::path::Path {
    &recording().path
}

/// Recorded once per test run: the server is gone by the time the filters run.
fn recording() -> &'static Recording {
    static RECORDING: OnceLock<Recording> = OnceLock::new();
    RECORDING.get_or_init(|| {
        let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "300"]);
        let path = std::env::temp_dir().join(format!("sio-filter-real-{}.ndjson", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let path_text = path.display().to_string();
        let o = sio(
            &[
                "run",
                &server.url(),
                "-",
                "--keep-going",
                "--auto-ack",
                "--record",
                &path_text,
            ],
            SESSION,
        );
        // `join /nope` is refused, so the run fails; everything else passed.
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let out = text(&o);
        assert!(out.contains("1 failed"), "{out}");
        let body = std::fs::read_to_string(&path).expect("recording");
        let lines = body
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        Recording { path, lines }
    })
}

fn s<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str)
}

fn sio_type(v: &Value) -> &str {
    s(v, &["sio", "type"]).unwrap_or("")
}

fn eio_type(v: &Value) -> &str {
    s(v, &["eio", "type"]).unwrap_or("")
}

fn state(v: &Value) -> &str {
    if v["kind"] == "state" {
        s(v, &["state"]).unwrap_or("")
    } else {
        ""
    }
}

fn raw_text(v: &Value) -> String {
    s(v, &["raw", "text"]).unwrap_or("").to_lowercase()
}

/// The decoded arguments: an event's without its name, anything else's data itself.
fn args(v: &Value) -> Value {
    let data = v["sio"]["data"].clone();
    match (sio_type(v), data) {
        ("EVENT" | "BINARY_EVENT", Value::Array(items)) => Value::Array(items.into_iter().skip(1).collect()),
        (_, data) => data,
    }
}

type Pick = Box<dyn Fn(&Value) -> bool>;

/// Each term beside the test's own reading of what it means.
fn cases(main_sid: &str) -> Vec<(String, Pick)> {
    let sid = main_sid.to_string();
    let sid2 = sid.clone();
    let mut cases: Vec<(String, Pick)> = vec![
        (
            "event:echo".into(),
            Box::new(|v| {
                s(v, &["sio", "event"]) == Some("echo") || (state(v) == "ack" && v["data"]["event"] == "echo")
            }),
        ),
        (
            "event:a*".into(),
            Box::new(|v| {
                s(v, &["sio", "event"]).is_some_and(|e| e.starts_with('a'))
                    || (state(v) == "ack" && s(v, &["data", "event"]).is_some_and(|e| e.starts_with('a')))
            }),
        ),
        (
            "ns:/admin".into(),
            Box::new(|v| {
                s(v, &["sio", "nsp"]) == Some("/admin") || (v["kind"] == "state" && v["data"]["nsp"] == "/admin")
            }),
        ),
        ("dir:in".into(), Box::new(|v| v["dir"] == "in")),
        ("dir:out".into(), Box::new(|v| v["dir"] == "out")),
        (
            "transport:polling".into(),
            Box::new(|v| {
                v["transport"] == "polling"
                    || (v["kind"] == "http" && s(v, &["url"]).is_some_and(|u| u.contains("transport=polling")))
            }),
        ),
        (
            "transport:ws".into(),
            Box::new(|v| {
                v["transport"] == "websocket"
                    || (v["kind"] == "http" && s(v, &["url"]).is_some_and(|u| u.contains("transport=websocket")))
            }),
        ),
        (
            "kind:event".into(),
            Box::new(|v| matches!(sio_type(v), "EVENT" | "BINARY_EVENT")),
        ),
        (
            "kind:ack".into(),
            Box::new(|v| matches!(sio_type(v), "ACK" | "BINARY_ACK") || matches!(state(v), "ack" | "unmatched ack")),
        ),
        ("kind:connect".into(), Box::new(|v| sio_type(v) == "CONNECT")),
        (
            "kind:disconnect".into(),
            Box::new(|v| sio_type(v) == "DISCONNECT" || eio_type(v) == "close"),
        ),
        (
            "kind:error".into(),
            Box::new(|v| {
                sio_type(v) == "CONNECT_ERROR"
                    || (v["kind"] == "http"
                        && (v.get("error").is_some() || v["status"].as_u64().is_some_and(|c| c >= 400)))
            }),
        ),
        (
            "kind:heartbeat".into(),
            Box::new(|v| {
                (matches!(eio_type(v), "ping" | "pong") && v["eio"]["data"] != "probe")
                    || state(v).starts_with("heartbeat")
            }),
        ),
        (
            "kind:upgrade".into(),
            Box::new(|v| {
                eio_type(v) == "upgrade"
                    || (matches!(eio_type(v), "ping" | "pong") && v["eio"]["data"] == "probe")
                    || matches!(state(v), "upgrading" | "upgraded" | "upgrade failed")
            }),
        ),
        (
            "kind:binary".into(),
            Box::new(|v| {
                v["raw"].get("base64").is_some()
                    || v.get("attachment").is_some()
                    || matches!(sio_type(v), "BINARY_EVENT" | "BINARY_ACK")
            }),
        ),
        ("kind:http".into(), Box::new(|v| v["kind"] == "http")),
        ("kind:state".into(), Box::new(|v| v["kind"] == "state")),
        (
            "kind:malformed".into(),
            Box::new(|v| v.get("error").is_some_and(|_| v["kind"] == "frame") || state(v).starts_with("malformed")),
        ),
        ("client:bob".into(), Box::new(|v| v["conn"] == "bob")),
        (
            format!("sid:{main_sid}"),
            Box::new(move |v| {
                s(v, &["conn"]) == Some(sid.as_str())
                    || s(v, &["eio", "handshake", "sid"]) == Some(sid.as_str())
                    || (v["kind"] == "state" && s(v, &["data", "sid"]) == Some(sid.as_str()))
            }),
        ),
        (
            "ack:*".into(),
            Box::new(|v| {
                v["sio"].get("id").is_some()
                    || (matches!(state(v), "ack" | "unmatched ack") && v["data"].get("id").is_some())
            }),
        ),
        (
            "ack:1".into(),
            Box::new(|v| v["sio"]["id"] == 1 || (matches!(state(v), "ack" | "unmatched ack") && v["data"]["id"] == 1)),
        ),
        ("data.0.room=r1".into(), Box::new(|v| args(v)[0]["room"] == "r1")),
        (
            "data.0.text~hello".into(),
            Box::new(|v| {
                args(v)[0]["text"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains("hello"))
            }),
        ),
        ("data.0=from-bob".into(), Box::new(|v| args(v)[0] == "from-bob")),
        (
            "\"hello world\"".into(),
            Box::new(|v| raw_text(v).contains("hello world")),
        ),
        ("from-bob".into(), Box::new(|v| raw_text(v).contains("from-bob"))),
        (
            r#"/r[12]"/"#.into(),
            Box::new(|v| {
                let t = raw_text(v);
                t.contains("r1\"") || t.contains("r2\"")
            }),
        ),
        (
            "event:echo -dir:in".into(),
            Box::new(|v| {
                v["dir"] != "in"
                    && (s(v, &["sio", "event"]) == Some("echo") || (state(v) == "ack" && v["data"]["event"] == "echo"))
            }),
        ),
        (
            "kind:connect or kind:error".into(),
            Box::new(|v| {
                matches!(sio_type(v), "CONNECT" | "CONNECT_ERROR")
                    || (v["kind"] == "http"
                        && (v.get("error").is_some() || v["status"].as_u64().is_some_and(|c| c >= 400)))
            }),
        ),
        ("-(kind:state or kind:http)".into(), Box::new(|v| v["kind"] == "frame")),
    ];
    // The main connection by its sid: every record it wrote, when the recording names it.
    cases.retain(|(expr, _)| !expr.starts_with("sid:") || !sid2.is_empty());
    cases
}

fn seqs(lines: &[Value], pick: &Pick) -> Vec<u64> {
    lines
        .iter()
        .filter(|v| pick(v))
        .filter_map(|v| v["seq"].as_u64())
        .collect()
}

/// The main connection's Engine.IO sid, from its open packet.
fn main_sid(lines: &[Value]) -> String {
    lines
        .iter()
        .find(|v| v["conn"] == "main" && eio_type(v) == "open")
        .and_then(|v| s(v, &["eio", "handshake", "sid"]))
        .unwrap_or("")
        .to_string()
}

#[test]
fn replay_filter_picks_what_each_term_means() {
    let rec = recording();
    let path = rec.path.display().to_string();
    let sid = main_sid(&rec.lines);
    assert!(!sid.is_empty(), "no open packet of main in the recording");
    for (expr, pick) in cases(&sid) {
        let expected = seqs(&rec.lines, &pick);
        assert!(!expected.is_empty(), "{expr}: the recording holds nothing it picks");
        assert!(expected.len() < rec.lines.len(), "{expr}: picks everything");
        let o = sio(&["replay", &path, "--json", "--filter", &expr], "");
        assert_eq!(o.status.code(), Some(0), "{expr}: {}", text(&o));
        let got: Vec<u64> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).expect("json")["seq"]
                    .as_u64()
                    .expect("seq")
            })
            .collect();
        assert_eq!(got, expected, "{expr}");
    }
}

/// The recording's records, as the TUI takes them.
fn model_of_recording(rec: &Recording) -> Model {
    let mut model = Model::new("recording", usize::MAX, true);
    let body = std::fs::read_to_string(&rec.path).expect("recording");
    for line in body.lines() {
        model.push(serde_json::from_str::<Record>(line).expect("a record"));
    }
    model
}

#[test]
fn the_tui_slash_picks_the_same_and_counts_what_it_hides() {
    use crossterm::event::KeyCode;
    let rec = recording();
    let sid = main_sid(&rec.lines);
    let mut model = model_of_recording(rec);
    // The transport layer is off in the UI by default (T): the HTTP records never show.
    let toggled_in: Vec<&Value> = rec.lines.iter().filter(|v| v["kind"] != "http").collect();
    for (expr, pick) in cases(&sid) {
        crate::tui_render::type_filter(&mut model, &expr);
        crate::tui_render::key(&mut model, KeyCode::Enter);
        assert!(model.filter_error.is_none(), "{expr}: {:?}", model.filter_error);
        let expected: Vec<u64> = toggled_in
            .iter()
            .filter(|v| pick(v))
            .filter_map(|v| v["seq"].as_u64())
            .collect();
        let got: Vec<u64> = model
            .visible
            .iter()
            .filter_map(|&a| model.record(a))
            .map(|r| r.seq)
            .collect();
        assert_eq!(got, expected, "{expr}");
        let screen = crate::tui_render::render(&mut model, 160, 30);
        let hidden = toggled_in.len() - expected.len();
        assert!(
            screen.contains(&format!("hides {hidden} ")),
            "{expr}: {hidden}\n{screen}"
        );
        // Clear it for the next one.
        crate::tui_render::key(&mut model, KeyCode::Char('/'));
        crate::tui_render::key(&mut model, KeyCode::Esc);
    }
}

#[test]
fn replay_stats_count_what_the_recording_holds() {
    let rec = recording();
    let o = sio(&["replay", &rec.path.display().to_string(), "--stats", "--json"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    let frames: Vec<&Value> = rec.lines.iter().filter(|v| v["kind"] == "frame").collect();
    assert_eq!(report["records"], rec.lines.len());
    assert_eq!(report["frames"], frames.len());

    // Per event name and direction: complete events, and the acks each asked for and got.
    let mut counts: HashMap<(String, String), (u64, u64, u64)> = HashMap::new();
    for (i, v) in frames.iter().enumerate() {
        if !matches!(sio_type(v), "EVENT" | "BINARY_EVENT") {
            continue;
        }
        let key = (
            s(v, &["sio", "event"]).unwrap_or("").to_string(),
            s(v, &["dir"]).unwrap_or("").to_string(),
        );
        let entry = counts.entry(key).or_default();
        if v["sio"]["complete"] != false {
            entry.0 += 1;
        }
        if let Some(id) = v["sio"]["id"].as_u64()
            && v.get("attachment").is_none()
        {
            entry.1 += 1;
            let answered = frames[i + 1..].iter().any(|a| {
                matches!(sio_type(a), "ACK" | "BINARY_ACK")
                    && a["sio"]["complete"] != false
                    && a["sio"]["id"] == id
                    && a["sio"]["nsp"] == v["sio"]["nsp"]
                    && a["conn"] == v["conn"]
                    && a["dir"] != v["dir"]
            });
            entry.2 += u64::from(answered);
        }
    }
    let rows = report["events"].as_array().expect("events");
    assert_eq!(rows.len(), counts.len(), "{rows:?}");
    for row in rows {
        let key = (
            row["name"].as_str().unwrap_or("").to_string(),
            row["dir"].as_str().unwrap_or("").to_string(),
        );
        let (count, asked, answered) = counts[&key];
        assert_eq!(
            (
                row["count"].as_u64(),
                row["acks_asked"].as_u64(),
                row["acks_answered"].as_u64()
            ),
            (Some(count), Some(asked), Some(answered)),
            "{key:?}"
        );
        if answered > 0 {
            let (p50, p95) = (row["ack_p50_ms"].as_f64(), row["ack_p95_ms"].as_f64());
            assert!(p50.is_some_and(|p| p >= 0.0) && p95 >= p50, "{row}");
        }
    }
    // Acks went both ways: sio's emits, and the server's "question" that --auto-ack answered.
    assert!(counts[&("echo".to_string(), "out".to_string())].2 >= 2);
    assert_eq!(counts[&("question".to_string(), "in".to_string())].2, 1);
    let counts_sorted: Vec<u64> = rows.iter().filter_map(|r| r["count"].as_u64()).collect();
    assert!(
        counts_sorted.windows(2).all(|w| w[0] >= w[1]),
        "sorted by count: {counts_sorted:?}"
    );

    // Per namespace and per transport: frames each way.
    for (list, field, of) in [("namespaces", "nsp", true), ("transports", "transport", false)] {
        for row in report[list].as_array().expect(list) {
            let name = row["name"].as_str().unwrap_or("");
            for dir in ["in", "out"] {
                let expected = frames
                    .iter()
                    .filter(|v| v["dir"] == dir)
                    .filter(|v| {
                        if of {
                            s(v, &["sio", field]) == Some(name)
                        } else {
                            s(v, &[field]) == Some(name)
                        }
                    })
                    .count();
                assert_eq!(row[format!("frames_{dir}")], expected, "{list} {name} {dir}");
            }
        }
    }
    // Heartbeats: every ping, against the 300 ms the server announced.
    let h = &report["heartbeats"];
    let pings = frames
        .iter()
        .filter(|v| eio_type(v) == "ping" && v["eio"]["data"] != "probe")
        .count();
    assert!(pings >= 2, "{pings}");
    assert_eq!(h["pings"], pings);
    assert_eq!(h["announced_interval_ms"], 300);
    let p50 = h["interval_p50_ms"].as_f64().expect("intervals");
    assert!((200.0..600.0).contains(&p50), "{h}");

    // The text form and another order.
    let o = sio(
        &["replay", &rec.path.display().to_string(), "--stats", "--sort", "name"],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("sorted by name"), "{out}");
    assert!(out.contains("announced pingInterval 300 ms"), "{out}");
    let binary = out.find("\"binary\"").expect("binary row");
    let welcome = out.find("\"welcome\"").expect("welcome row");
    assert!(binary < welcome, "{out}");
    // --filter narrows the statistics too.
    let o = sio(
        &[
            "replay",
            &rec.path.display().to_string(),
            "--stats",
            "--json",
            "--filter",
            "client:bob",
        ],
        "",
    );
    let report: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(
        report["records"],
        rec.lines.iter().filter(|v| v["conn"] == "bob").count()
    );
}

/// The last line on stderr, where sio says why it failed.
fn reason(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_bad_expression_exits_2_naming_the_place_on_every_command() {
    let rec = recording();
    let path = rec.path.display().to_string();
    // Nothing listens here: the expression is refused before anything connects.
    let nowhere = "http://127.0.0.1:9";
    let runs: [&[&str]; 6] = [
        &["replay", &path],
        &["decode", "42[\"a\"]"],
        &["listen", nowhere],
        &["connect", nowhere, "--no-tui"],
        &["tap", nowhere, "--no-tui"],
        &["replay", &path, "--stats"],
    ];
    for args in runs {
        for (expr, expected) in [
            (
                "kind:frame",
                "sio: --filter: at byte 5: expected a kind after `kind:`: event, ack,",
            ),
            (
                "event:chat or",
                "sio: --filter: at byte 13: expected a term after `or`, found the end",
            ),
            ("evnt:chat", "sio: --filter: at byte 0: expected a field name"),
        ] {
            let mut all = args.to_vec();
            all.extend(["--filter", expr]);
            let o = sio(&all, "");
            assert_eq!(o.status.code(), Some(2), "{all:?}: {}", text(&o));
            assert!(reason(&o).starts_with(expected), "{all:?}: {}", text(&o));
            assert!(o.stdout.is_empty(), "{all:?}");
        }
    }
}

#[test]
fn the_filter_picks_what_is_shown_and_the_recording_keeps_everything() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let file = std::env::temp_dir().join(format!("sio-filter-record-{}.ndjson", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let file_text = file.display().to_string();
    let o = sio(
        &[
            "listen",
            &server.url(),
            "--json",
            "--count",
            "1",
            "--filter",
            "event:welcome",
            "--record",
            &file_text,
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let shown: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["sio"]["event"], "welcome");
    let recorded: Vec<Value> = std::fs::read_to_string(&file)
        .expect("recording")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    // The handshake, the CONNECT, states, the welcome: all of it, in order.
    assert!(recorded.len() > 5, "{recorded:?}");
    assert!(recorded.iter().any(|v| eio_type(v) == "open"));
    assert!(recorded.iter().any(|v| sio_type(v) == "CONNECT"));
    let seqs: Vec<u64> = recorded.iter().filter_map(|v| v["seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let welcome = recorded
        .iter()
        .find(|v| v["sio"]["event"] == "welcome")
        .expect("welcome recorded");
    assert_eq!(welcome, &shown[0]);

    // decode: every frame decoded in order, the matching ones shown; a hidden malformed one still fails.
    let o = sio(
        &["decode", "--json", "--filter", "kind:ack", r#"42["a"]"#, "43[1]", "42["],
        "",
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["raw"]["text"], "43[1]");
    assert_eq!(lines[0]["seq"], 1);
    assert!(reason(&o).contains("--filter hid them"), "{}", text(&o));
}
