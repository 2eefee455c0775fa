//! `sio replay` and `sio decode --har` on HAR files shaped as Chrome's and
//! Firefox's DevTools save them (tests/fixtures/har), and on broken ones.

use std::path::PathBuf;
use std::process::{Command, Output};

use sio::record::{Body, Direction, Record, Transport};

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/har")
        .join(name)
}

pub fn sio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run sio")
}

/// The last line on stderr, where the reason of a failure goes.
pub fn last_stderr_line(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

/// `sio replay FILE --json`, parsed.
pub fn replay_json(path: &std::path::Path) -> (Output, Vec<Record>) {
    let o = sio(&["replay", path.to_str().expect("utf-8 path"), "--json"]);
    let records = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Record>(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    (o, records)
}

fn frames(records: &[Record]) -> Vec<(Option<&str>, Direction, Transport, String)> {
    records
        .iter()
        .filter_map(|r| {
            let f = r.frame()?;
            let raw = match &f.raw {
                sio::record::Raw::Text { text } => text.clone(),
                sio::record::Raw::Binary(b) => {
                    format!("hex:{}", b.0.iter().map(|x| format!("{x:02x}")).collect::<String>())
                }
            };
            Some((r.conn.as_deref(), f.dir?, f.transport?, raw))
        })
        .collect()
}

fn states<'a>(records: &'a [Record], name: &str) -> Vec<&'a Record> {
    records
        .iter()
        .filter(|r| matches!(&r.body, Body::State(s) if s.state == name))
        .collect()
}

/// The details of the state records called `name`.
fn details(records: &[Record], name: &str) -> Vec<String> {
    states(records, name)
        .iter()
        .filter_map(|r| match &r.body {
            Body::State(s) => s.detail.clone(),
            _ => None,
        })
        .collect()
}

#[test]
fn chrome_har_polling_upgrade_and_websocket_messages() {
    let (o, records) = replay_json(&fixture("chrome.har"));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let sid = "lv_VI97HAXpY6yYWAAAC";
    // Every record belongs to the one session, numbered in order.
    assert!(records.iter().all(|r| r.conn.as_deref() == Some(sid)), "{records:#?}");
    assert!(records.iter().enumerate().all(|(i, r)| r.seq == i as u64));
    assert!(
        records.windows(2).all(|w| w[0].time <= w[1].time),
        "in the order of time"
    );
    let got = frames(&records);
    use Direction::{In, Out};
    use Transport::{Polling, Websocket};
    let expected: Vec<(Direction, Transport, &str)> = vec![
        (
            In,
            Polling,
            r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
        ),
        (Out, Polling, "40"),
        (In, Polling, r#"40{"sid":"Fh0CqNDe7jWiAaWsAAAD"}"#),
        (In, Polling, r#"42["welcome","hi"]"#),
        (Out, Websocket, "2probe"),
        (In, Websocket, "3probe"),
        (Out, Websocket, "5"),
        // The last long poll came back with a noop while the upgrade went on.
        (In, Polling, "6"),
        (Out, Websocket, r#"421["echo","hi ;#<br>%%"]"#),
        (In, Websocket, r#"431["hi ;#<br>%%"]"#),
        (Out, Websocket, r#"451-["up",{"_placeholder":true,"num":0}]"#),
        (Out, Websocket, "hex:010203"),
        (In, Websocket, "2"),
        (Out, Websocket, "3"),
        (In, Websocket, "2"),
        (Out, Websocket, "3"),
        (In, Websocket, "2"),
        (Out, Websocket, "3"),
        (Out, Websocket, "41"),
    ];
    let got_short: Vec<(Direction, Transport, &str)> = got.iter().map(|(_, d, t, r)| (*d, *t, r.as_str())).collect();
    assert_eq!(got_short, expected);
    // The binary event was put back together from its two WebSocket messages.
    let up = records
        .iter()
        .filter_map(Record::frame)
        .filter_map(|f| f.decoded.sio.as_ref())
        .find(|s| s.event.as_deref() == Some("up") && s.complete)
        .expect("the reassembled binary event");
    assert_eq!(up.attachments.len(), 1);
    assert_eq!(up.attachments[0].0, vec![1, 2, 3]);
    assert_eq!(states(&records, "upgraded").len(), 1);
    let session = states(&records, "session");
    assert_eq!(session.len(), 1);
    let Body::State(s) = &session[0].body else {
        unreachable!()
    };
    assert_eq!(s.data["sid"], sid);
    assert!(
        s.data["user_agent"]
            .as_str()
            .is_some_and(|ua| ua.contains("Chrome/156")),
        "{s:?}"
    );
    // Each Engine.IO request is an http record; the page itself is not Socket.IO and is left out.
    let http: Vec<&str> = records
        .iter()
        .filter_map(|r| match &r.body {
            Body::Http(h) => Some(h.method.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(http, ["GET", "POST", "GET", "GET", "GET"]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("<!doctype"));
    // The first frame's time is the handshake answer's: startedDateTime + time.
    let first = records.iter().find(|r| r.frame().is_some()).expect("a frame");
    assert_eq!(first.time.to_string(), "2026-05-28T20:26:40.004100Z");
}

#[test]
fn firefox_har_offsets_base64_bodies_and_no_websocket_messages() {
    let (o, records) = replay_json(&fixture("firefox.har"));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let sid = "ZmlyZWZveC1zZXNzaW9uLTE";
    let got = frames(&records);
    let raws: Vec<&str> = got
        .iter()
        .filter(|(c, ..)| *c == Some(sid))
        .map(|(_, _, _, r)| r.as_str())
        .collect();
    assert_eq!(
        raws,
        [
            r#"0{"sid":"ZmlyZWZveC1zZXNzaW9uLTE","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
            r#"40/admin,{"token":"secret"}"#,
            r#"40/admin,{"sid":"b2RkIHNvY2tldA"}"#,
            r#"42/admin,["news",{"title":"t"}]"#,
        ]
    );
    // startedDateTime 22:26:40.000+02:00 is 20:26:40Z; the answer came 3 ms later.
    let first = records.iter().find(|r| r.frame().is_some()).expect("a frame");
    assert_eq!(first.time.to_string(), "2026-05-28T20:26:40.003000Z");
    // What the HAR does not hold is said: a body Firefox left out, the WebSocket's messages.
    let gaps = details(&records, "har gap");
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    assert!(gaps[0].contains("Response bodies are not included"), "{gaps:#?}");
    assert!(gaps[1].contains("WebSocket's messages are not in the HAR"), "{gaps:#?}");
    // A request the server refused is its own (unknown) session, with the server's words.
    let refused = states(&records, "request refused");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].conn.as_deref(), Some("unknownsid"));
    let Body::State(s) = &refused[0].body else {
        unreachable!()
    };
    assert!(
        s.detail
            .as_deref()
            .is_some_and(|d| d.contains("400") && d.contains("Session ID unknown"))
    );
}

#[test]
fn a_har_without_socket_io_says_so() {
    let o = sio(&["replay", fixture("no-socketio.har").to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let why = last_stderr_line(&o);
    assert!(
        why.starts_with("sio: ") && why.contains("no Socket.IO traffic"),
        "{why}"
    );
    assert!(o.stdout.is_empty());
    let o = sio(&["decode", "--har", fixture("no-socketio.har").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(last_stderr_line(&o).contains("none of its 1 entries is an Engine.IO request"));
}

#[test]
fn broken_hars_are_refused_or_marked() {
    let o = sio(&["replay", fixture("truncated.har").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let why = last_stderr_line(&o);
    assert!(
        why.starts_with("sio: ") && why.contains("not a HAR file") && why.contains("line"),
        "{why}"
    );

    // Broken parts are marked where they are and the rest is read; the exit says so.
    let (o, records) = replay_json(&fixture("malformed-parts.har"));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let notes = details(&records, "har malformed");
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert!(
        notes[0].contains("entry 2") && notes[0].contains("base64"),
        "{notes:#?}"
    );
    assert!(
        notes[1].contains("message 1") && notes[1].contains("not base64"),
        "{notes:#?}"
    );
    assert!(notes[2].contains("\"sideways\""), "{notes:#?}");
    let last = records.iter().rev().find_map(Record::frame).expect("the last frame");
    assert!(last.decoded.error.is_some(), "42[ is malformed and still shown");
    assert!(last_stderr_line(&o).contains("malformed"));

    let o = sio(&["decode", "--har", fixture("malformed-parts.har").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("✗ entry 2") && out.contains("JSON EOF"), "{out}");

    let o = sio(&["replay", "/nonexistent/app.har"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}

#[test]
fn decode_explains_every_frame_of_a_har() {
    let o = sio(&["decode", "--har", fixture("chrome.har").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    for expected in [
        "lv_VI97HAXpY6yYWAAAC ↑ client → server websocket",
        "lv_VI97HAXpY6yYWAAAC ↓ server → client polling",
        "= UPGRADE",
        r#"= BINARY_EVENT "up" <3 bytes: 01 02 03> (attachment 1 of 1 completes it)"#,
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    let o = sio(&["decode", "--har", fixture("chrome.har").to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let lines = String::from_utf8_lossy(&o.stdout).lines().count();
    assert_eq!(lines, 19, "one record per frame");
}
