use serde_json::json;

use super::*;
use crate::proto::eio::{EioVersion, Frame};
use crate::proto::frame::{FrameDecoder, Parser};
use crate::script::parse::parse_script;

const T0: u64 = 1_795_619_540_000_000;

/// Builds records as the engine writes them, frames decoded by the real decoder.
#[derive(Default)]
struct Session {
    records: Vec<Record>,
    decoders: Vec<(Option<String>, FrameDecoder)>,
}

impl Session {
    fn push(&mut self, conn: Option<&str>, ms: u64, body: Body) {
        let seq = self.records.iter().filter(|r| r.conn.as_deref() == conn).count() as u64;
        self.records.push(Record {
            seq,
            time: Timestamp { micros: T0 + ms * 1000 },
            conn: conn.map(str::to_string),
            body,
        });
    }

    fn frame(&mut self, conn: Option<&str>, ms: u64, dir: Direction, text: &str) -> &mut Self {
        let at = match self.decoders.iter().position(|(c, _)| c.as_deref() == conn) {
            Some(i) => i,
            None => {
                let decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
                self.decoders.push((conn.map(str::to_string), decoder));
                self.decoders.len() - 1
            }
        };
        let decoded = self.decoders[at].1.decode(Frame::Text(text));
        let body = Body::Frame(FrameRecord {
            dir: Some(dir),
            transport: Some(crate::record::Transport::Websocket),
            raw: Raw::Text { text: text.into() },
            decoded,
        });
        self.push(conn, ms, body);
        self
    }

    fn state(&mut self, conn: Option<&str>, ms: u64, state: &str, detail: &str, data: Value) -> &mut Self {
        let body = Body::State(StateRecord {
            state: state.into(),
            detail: Some(detail.into()),
            data: data.as_object().cloned().unwrap_or_default(),
        });
        self.push(conn, ms, body);
        self
    }

    /// `connecting`, the open packet, the engine's CONNECT and its answer.
    fn connect(&mut self, conn: Option<&str>, ms: u64, sid: &str, nsp_connect: &str) -> &mut Self {
        let open = format!(r#"0{{"sid":"{sid}","upgrades":[],"pingInterval":25000,"pingTimeout":20000}}"#);
        self.state(
            conn,
            ms,
            "connecting",
            "http://127.0.0.1:3000",
            json!({"attempt": 0, "transport": "auto"}),
        )
        .frame(conn, ms + 1, Direction::In, &open)
        .state(conn, ms + 1, "open", "Engine.IO 4", json!({"sid": sid}))
        .frame(conn, ms + 1, Direction::Out, nsp_connect)
    }

    fn script(&self) -> String {
        script_of(&self.records, Some("test.ndjson"))
    }
}

/// The script's lines without the header's comments.
fn body(script: &str) -> Vec<String> {
    let parsed = parse_script(script);
    assert!(parsed.is_ok(), "{script}\n{parsed:?}");
    script
        .lines()
        .skip_while(|l| l.starts_with("# "))
        .map(str::to_string)
        .collect()
}

#[test]
fn margins_are_three_times_or_half_a_second_more() {
    assert_eq!(margin(Duration::ZERO), Duration::from_millis(500));
    assert_eq!(margin(Duration::from_millis(100)), Duration::from_millis(600));
    assert_eq!(margin(Duration::from_millis(250)), Duration::from_millis(750));
    assert_eq!(margin(Duration::from_millis(400)), Duration::from_millis(1200));
    assert_eq!(margin(Duration::from_micros(100_400)), Duration::from_millis(601));
}

#[test]
fn emits_acks_joins_and_the_events_that_answered_them() {
    let mut s = Session::default();
    s.connect(None, 0, "EIOSID0000000000AAAA", "40")
        .frame(None, 5, Direction::In, r#"40{"sid":"NSPSID0000000000AAAA"}"#)
        .state(
            None,
            5,
            "namespace connected",
            "/",
            json!({"nsp": "/", "sid": "NSPSID0000000000AAAA"}),
        )
        .frame(None, 6, Direction::In, r#"42["welcome","hi"]"#)
        .frame(None, 1000, Direction::Out, r#"42["echo","hello",{"a":1}]"#)
        .frame(None, 1200, Direction::In, r#"42["echo","hello",{"a":1}]"#)
        .frame(None, 2000, Direction::Out, r#"421["ping",1]"#)
        .frame(None, 2040, Direction::In, "431[1]")
        .state(
            None,
            2040,
            "ack",
            "",
            json!({"nsp": "/", "id": 1, "event": "ping", "rtt_ms": 40.0}),
        )
        .frame(None, 3000, Direction::Out, r#"40/admin,{"token":"secret"}"#)
        .frame(None, 3010, Direction::In, r#"40/admin,{"sid":"ADMSID0000000000AAAB"}"#)
        .state(None, 3010, "namespace connected", "/admin", json!({"nsp": "/admin"}))
        .frame(None, 3011, Direction::In, r#"42/admin,["welcome","admin"]"#)
        .frame(None, 4000, Direction::Out, r#"42/admin,["ask"]"#)
        .frame(None, 4100, Direction::In, r#"42/admin,7["question","q?"]"#)
        .frame(None, 5000, Direction::Out, r#"43/admin,7["yes"]"#)
        .frame(None, 5300, Direction::In, r#"42/admin,["answered","yes"]"#)
        .frame(None, 6000, Direction::Out, "41/admin,")
        .state(None, 6000, "namespace left", "/admin left", json!({"nsp": "/admin"}))
        .frame(None, 7000, Direction::Out, r#"42["bye"]"#)
        .frame(None, 7001, Direction::Out, "41")
        .state(None, 7001, "closed", "io client disconnect", json!({}));
    let script = s.script();
    assert_eq!(
        body(&script),
        [
            r#"expect welcome "hi" --within 501ms"#,
            r#"emit echo "hello" {"a":1}"#,
            r#"expect echo "hello" --within 700ms"#,
            "emit ping 1 --ack 540ms",
            r#"join /admin {"token":"secret"}"#,
            "use /admin",
            r#"expect welcome "admin" --within 501ms"#,
            "emit ask",
            r#"expect question "q?" --within 600ms"#,
            r#"ack question "yes""#,
            r#"expect answered "yes" --within 900ms"#,
            "leave /admin",
            "use /",
            r#"emit bye"#,
        ],
        "{script}"
    );
    assert!(
        script.starts_with("# sio script of the session in test.ndjson"),
        "{script}"
    );
    assert!(
        script.contains("# run it: sio run http://127.0.0.1:3000 FILE.sio"),
        "{script}"
    );
}

#[test]
fn what_differs_by_nature_is_not_asserted() {
    let mut s = Session::default();
    let event = format!(
        r#"42["hello",{{"user":"ann","sid":"x","socketId":"y","from":"NSPSID0000000000AAAA","at":"2026-11-25T15:12:21.5Z","n":1,"seen":{},"req":"123e4567-e89b-12d3-a456-426614174000","list":[1,2],"ids":["NSPSID0000000000AAAA"]}}]"#,
        T0 / 1000 + 900
    );
    s.connect(None, 0, "EIOSID0000000000AAAA", "40")
        .state(
            None,
            5,
            "namespace connected",
            "/",
            json!({"nsp": "/", "sid": "NSPSID0000000000AAAA"}),
        )
        .frame(None, 6, Direction::In, &event)
        .frame(None, 7, Direction::In, r#"42["whoami","NSPSID0000000000AAAA"]"#)
        .frame(None, 8, Direction::In, r#"42["clock",1795619540]"#)
        .frame(None, 9, Direction::In, r#"451-["blob",{"_placeholder":true,"num":0}]"#);
    let script = s.script();
    assert_eq!(
        body(&script),
        [
            r#"expect hello {"user":"ann","n":1,"list":[1,2]} --within 501ms"#,
            "expect whoami --within 502ms",
            "expect clock --within 503ms",
        ],
        "{script}"
    );
}

#[test]
fn other_connections_become_clients_and_the_end_is_no_disconnect() {
    let mut s = Session::default();
    s.connect(Some("main"), 0, "EIOSID0000000000AAAA", "40")
        .state(Some("main"), 5, "namespace connected", "/", json!({"nsp": "/"}))
        .state(
            Some("bob"),
            10,
            "connecting",
            "http://127.0.0.1:3000",
            json!({"transport": "websocket"}),
        );
    s.push(
        Some("bob"),
        11,
        Body::Http(HttpRecord {
            method: "GET".into(),
            url: "ws://127.0.0.1:3000/socket.io/?who=bob&EIO=4&transport=websocket".into(),
            status: Some(101),
            request_headers: vec![("host".into(), "x".into()), ("X-Team".into(), "blue sky".into())],
            response_headers: vec![],
            body_length: None,
            millis: None,
            error: None,
        }),
    );
    s.frame(
        Some("bob"),
        12,
        Direction::In,
        r#"0{"sid":"EIOSID0000000000BBBB","upgrades":[],"pingInterval":1,"pingTimeout":1}"#,
    )
    .state(Some("bob"), 12, "open", "", json!({}))
    .frame(Some("bob"), 12, Direction::Out, r#"40/admin,{"token":"secret"}"#)
    .state(
        Some("bob"),
        20,
        "namespace connected",
        "/admin",
        json!({"nsp": "/admin"}),
    )
    .frame(Some("bob"), 100, Direction::Out, r#"42/admin,["to",{"room":"r"}]"#)
    .frame(Some("main"), 150, Direction::In, r#"42["news",1]"#)
    .frame(Some("main"), 200, Direction::Out, r#"423["slow"]"#)
    .frame(Some("main"), 300, Direction::Out, "41")
    .state(Some("main"), 300, "closed", "io client disconnect", json!({}))
    .frame(Some("bob"), 301, Direction::Out, "41/admin,")
    .state(Some("bob"), 301, "closed", "io client disconnect", json!({}));
    let script = s.script();
    assert_eq!(
        body(&script),
        [
            r#"client bob -n /admin --auth {"token":"secret"} -q who=bob -H "X-Team: blue sky" --transport websocket"#,
            r#"bob: emit to {"room":"r"}"#,
            "expect news 1 --within 550ms",
            "# the server never answered this emit's ack (id 3): written without --ack",
            "emit slow",
        ],
        "{script}"
    );
}

#[test]
fn floods_are_folded_and_runs_split() {
    let mut s = Session::default();
    s.connect(None, 0, "EIOSID0000000000AAAA", "40")
        .state(None, 1, "namespace connected", "/", json!({"nsp": "/"}))
        .frame(None, 2, Direction::Out, r#"42["flood",{"n":15}]"#);
    for i in 0..15 {
        s.frame(None, 10 + i, Direction::In, r#"42["flood","xx"]"#);
    }
    s.frame(None, 30, Direction::In, r#"42["flood-done",{"n":15}]"#);
    let script = s.script();
    let lines = body(&script);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("expect flood \"xx\"")).count(),
        10,
        "{script}"
    );
    assert_eq!(
        lines[lines.len() - 2..],
        [
            r#"expect flood-done {"n":15} --within 528ms"#,
            r#"# and 5 more "flood" on / for main, not expected one by one"#
        ],
        "{script}"
    );

    // A second run appended to the same file: the script is of the last one.
    let mut again = Session::default();
    again
        .connect(None, 0, "EIOSID0000000000CCCC", "40")
        .state(None, 1, "namespace connected", "/", json!({"nsp": "/"}))
        .frame(None, 2, Direction::Out, r#"42["second"]"#);
    s.records.extend(again.records);
    let script = s.script();
    assert_eq!(body(&script), ["emit second"], "{script}");
    assert!(
        script.contains("# the recording holds 2 runs: this is the last one"),
        "{script}"
    );
}

#[test]
fn tap_sessions_become_clients_named_by_their_sid() {
    let mut s = Session::default();
    // The tap's own state names no connection; a session's first records go by c<N>.
    s.state(
        None,
        0,
        "listening",
        "http://127.0.0.1:4000 → http://127.0.0.1:3000/",
        json!({}),
    )
    .frame(
        Some("SIDONE0000000000AAAA"),
        1,
        Direction::In,
        r#"0{"sid":"SIDONE0000000000AAAA","upgrades":[],"pingInterval":1,"pingTimeout":1}"#,
    )
    .state(
        Some("SIDONE0000000000AAAA"),
        1,
        "session",
        "",
        json!({"transport": "polling"}),
    )
    .frame(Some("SIDONE0000000000AAAA"), 2, Direction::Out, "40")
    .frame(Some("SIDONE0000000000AAAA"), 3, Direction::In, r#"40{"sid":"x"}"#)
    .frame(Some("SIDONE0000000000AAAA"), 4, Direction::Out, r#"42["hello"]"#);
    s.push(
        Some("c2"),
        10,
        Body::Http(HttpRecord {
            method: "GET".into(),
            url: "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket".into(),
            status: Some(101),
            request_headers: vec![],
            response_headers: vec![],
            body_length: None,
            millis: None,
            error: None,
        }),
    );
    s.frame(
        Some("SIDTWO0000000000BBBB"),
        11,
        Direction::In,
        r#"0{"sid":"SIDTWO0000000000BBBB","upgrades":[],"pingInterval":1,"pingTimeout":1}"#,
    )
    .state(
        Some("SIDTWO0000000000BBBB"),
        11,
        "session",
        "",
        json!({"transport": "websocket", "before": "c2"}),
    )
    .frame(Some("SIDTWO0000000000BBBB"), 12, Direction::Out, "40")
    .frame(Some("SIDTWO0000000000BBBB"), 13, Direction::In, r#"40{"sid":"y"}"#)
    .frame(Some("SIDTWO0000000000BBBB"), 14, Direction::In, r#"42["welcome"]"#)
    .frame(Some("SIDTWO0000000000BBBB"), 20, Direction::Out, r#"42["bye"]"#);
    let script = s.script();
    assert_eq!(
        body(&script),
        [
            "emit hello",
            "client SIDTWO0000000000BBBB --transport websocket",
            "SIDTWO0000000000BBBB: expect welcome --within 501ms",
            "SIDTWO0000000000BBBB: emit bye",
        ],
        "{script}"
    );
}

#[test]
fn names_that_are_not_words_are_json_strings() {
    assert_eq!(word("chat"), "chat");
    assert_eq!(word("a b"), r#""a b""#);
    assert_eq!(word("#tag"), r##""#tag""##);
    assert_eq!(word(""), r#""""#);
    assert_eq!(word("{x"), r#""{x""#);
    let mut s = Session::default();
    s.connect(None, 0, "EIOSID0000000000AAAA", "40")
        .state(None, 1, "namespace connected", "/", json!({"nsp": "/"}))
        .frame(None, 2, Direction::Out, r#"42["a b:c",{"x":"--ack"}]"#)
        .frame(None, 3, Direction::Out, "4bogus")
        .frame(None, 4, Direction::Out, r#"451-["up",{"_placeholder":true,"num":0}]"#);
    let decoded = s.decoders[0].1.decode(Frame::Binary(&[1, 2]));
    s.push(
        None,
        4,
        Body::Frame(FrameRecord {
            dir: Some(Direction::Out),
            transport: None,
            raw: Raw::Binary(crate::proto::frame::Bytes(vec![1, 2])),
            decoded,
        }),
    );
    let script = s.script();
    let lines = body(&script);
    assert_eq!(
        lines,
        [r#"emit "a b:c" {"x":"--ack"}"#, "send 4bogus", "emit up hex:0102"],
        "{script}"
    );
    let parsed = parse_script(&script).expect("parses");
    assert!(
        matches!(&parsed[0].step, crate::script::parse::Step::Emit { event, .. } if event == "a b:c"),
        "{parsed:?}"
    );
}

#[test]
fn the_admin_connection_becomes_an_admin_line_and_its_room_events_facts() {
    let mut s = Session::default();
    s.connect(Some("main"), 0, "EIOSID0000000000AAAA", "40")
        .state(
            Some("main"),
            5,
            "namespace connected",
            "/",
            json!({"nsp": "/", "sid": "MAIN1"}),
        )
        .connect(
            Some("admin"),
            10,
            "EIOSID0000000000CCCC",
            r#"40/admin,{"username":"ops","password":"***"}"#,
        )
        .state(
            Some("admin"),
            12,
            "namespace connected",
            "/admin",
            json!({"nsp": "/admin", "sid": "ADM1"}),
        )
        .frame(
            Some("admin"),
            13,
            Direction::In,
            r#"42/admin,["room_joined","/admin","ADM1","ADM1","t"]"#,
        )
        .state(
            Some("admin"),
            13,
            "admin",
            "/admin ADM1 joined",
            json!({"event": "room_joined", "nsp": "/admin", "room": "ADM1", "id": "ADM1"}),
        )
        .frame(Some("main"), 100, Direction::Out, r#"420["join","lobby"]"#)
        .frame(
            Some("admin"),
            110,
            Direction::In,
            r#"42/admin,["room_joined","/","lobby","MAIN1","t"]"#,
        )
        .state(
            Some("admin"),
            110,
            "admin",
            "/ MAIN1 joined \"lobby\"",
            json!({"event": "room_joined", "nsp": "/", "room": "lobby", "id": "MAIN1"}),
        )
        .frame(Some("main"), 111, Direction::In, r#"430["lobby"]"#)
        .frame(Some("main"), 200, Direction::Out, r#"421["leave","lobby"]"#)
        .frame(Some("main"), 201, Direction::In, r#"431["lobby"]"#)
        .state(
            Some("admin"),
            300,
            "admin",
            "/ MAIN1 left \"lobby\"",
            json!({"event": "room_left", "nsp": "/", "room": "lobby", "id": "MAIN1"}),
        )
        .state(
            Some("admin"),
            300,
            "admin",
            "/ OTHER left \"lobby\"",
            json!({"event": "room_left", "nsp": "/", "room": "lobby", "id": "OTHER"}),
        );
    let script = s.script();
    assert_eq!(
        body(&script),
        [
            "admin --user ops  # the password: SIO_ADMIN_PASSWORD",
            r#"emit join "lobby" --ack 511ms"#,
            "expect-admin in lobby --within 510ms",
            r#"emit leave "lobby" --ack 501ms"#,
            "expect-admin not in lobby --within 599ms",
        ],
        "{script}"
    );
}
