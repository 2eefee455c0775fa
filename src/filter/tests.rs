use proptest::prelude::*;

use super::*;
use crate::proto::eio::{EioVersion, Frame};
use crate::proto::frame::{Bytes, FrameDecoder, Parser};
use crate::record::{Direction, FrameRecord, HttpRecord, StateRecord, Timestamp};

fn record(body: Body) -> Record {
    Record {
        seq: 0,
        time: Timestamp { micros: 0 },
        conn: None,
        body,
    }
}

fn frame(dir: Direction, transport: Transport, text: &str) -> Record {
    record(Body::Frame(FrameRecord {
        dir: Some(dir),
        transport: Some(transport),
        raw: Raw::Text { text: text.into() },
        decoded: FrameDecoder::new(EioVersion::V4, Parser::Default).decode(Frame::Text(text)),
    }))
}

fn state(name: &str, detail: &str, data: serde_json::Value) -> Record {
    record(Body::State(StateRecord {
        state: name.into(),
        detail: Some(detail.into()),
        data: data.as_object().cloned().unwrap_or_default(),
    }))
}

fn http(url: &str, status: Option<u16>, error: Option<&str>) -> Record {
    record(Body::Http(HttpRecord {
        method: "GET".into(),
        url: url.into(),
        status,
        request_headers: Vec::new(),
        response_headers: Vec::new(),
        body_length: None,
        millis: None,
        error: error.map(str::to_string),
    }))
}

/// A small session's worth of records, of every kind the terms tell apart.
fn sample() -> Vec<Record> {
    use Direction::{In, Out};
    use Transport::{Polling, Websocket};
    let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
    decoder.decode(Frame::Text(r#"451-["up",{"_placeholder":true,"num":0}]"#));
    let binary = record(Body::Frame(FrameRecord {
        dir: Some(In),
        transport: Some(Websocket),
        raw: Raw::Binary(Bytes(vec![1, 2, 3])),
        decoded: decoder.decode(Frame::Binary(&[1, 2, 3])),
    }));
    let mut tapped = frame(Out, Websocket, r#"42["typing",true]"#);
    tapped.conn = Some("9PS7ur4UsVpgE_ZhAAAA".into());
    vec![
        frame(
            In,
            Polling,
            r#"0{"sid":"EtKW","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}"#,
        ),
        frame(Out, Polling, "40"),
        frame(In, Polling, r#"40{"sid":"KICn"}"#),
        frame(In, Polling, r#"42["welcome","hi"]"#),
        frame(Out, Websocket, "2probe"),
        frame(In, Websocket, "3probe"),
        frame(Out, Websocket, "5"),
        frame(In, Websocket, "2"),
        frame(Out, Websocket, "3"),
        frame(
            Out,
            Websocket,
            r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#,
        ),
        frame(In, Websocket, r#"43/admin,7[{"ok":true,"n":5}]"#),
        frame(In, Websocket, r#"42["chatroom",{"room":"r2"}]"#),
        frame(In, Websocket, r#"44/admin,{"message":"not authorized"}"#),
        frame(In, Websocket, "41"),
        frame(In, Websocket, "1"),
        frame(In, Websocket, "42["),
        binary,
        tapped,
        state("upgraded", "polling → websocket", serde_json::json!({})),
        state(
            "ack",
            "/admin #7 \"chat\" answered in 3.1 ms",
            serde_json::json!({"nsp": "/admin", "id": 7, "event": "chat", "rtt_ms": 3.1}),
        ),
        state("heartbeat", "rtt 1 ms", serde_json::json!({"rtt_ms": 1.0})),
        state(
            "namespace connected",
            "/ connected",
            serde_json::json!({"nsp": "/", "sid": "KICn"}),
        ),
        http("http://h/socket.io/?EIO=4&transport=polling&t=1", Some(200), None),
        http(
            "http://h/socket.io/?EIO=4&transport=websocket&sid=EtKW",
            Some(400),
            None,
        ),
    ]
}

/// The raw text (or state name) of every record the expression lets through.
fn picks(expr: &str) -> Vec<String> {
    let filter = Filter::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    sample()
        .iter()
        .filter(|r| filter.matches(r))
        .map(|r| match &r.body {
            Body::Frame(f) => match &f.raw {
                Raw::Text { text } => text.clone(),
                Raw::Binary(_) => "<binary>".into(),
            },
            Body::State(s) => format!("state {}", s.state),
            Body::Http(h) => format!("http {}", h.status.unwrap_or(0)),
        })
        .collect()
}

#[test]
fn the_empty_filter_lets_everything_through() {
    for expr in ["", "   ", "\t"] {
        let f = Filter::parse(expr).expect("empty");
        assert!(f.is_empty());
        assert_eq!(picks(expr).len(), sample().len());
    }
}

#[test]
fn each_term_picks_its_records() {
    let cases: &[(&str, &[&str])] = &[
        (
            "event:chat",
            &[r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#, "state ack"],
        ),
        (
            "event:chat*",
            &[
                r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#,
                r#"42["chatroom",{"room":"r2"}]"#,
                "state ack",
            ],
        ),
        (
            "event:welcome|typing",
            &[r#"42["welcome","hi"]"#, r#"42["typing",true]"#],
        ),
        (
            "ns:/admin",
            &[
                r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#,
                r#"43/admin,7[{"ok":true,"n":5}]"#,
                r#"44/admin,{"message":"not authorized"}"#,
                "state ack",
            ],
        ),
        ("ns:admin kind:ack", &[r#"43/admin,7[{"ok":true,"n":5}]"#, "state ack"]),
        ("dir:out transport:polling", &["40"]),
        ("transport:polling kind:http", &["http 200"]),
        ("transport:ws kind:http", &["http 400"]),
        ("kind:connect", &["40", r#"40{"sid":"KICn"}"#]),
        ("kind:disconnect", &["41", "1"]),
        ("kind:error", &[r#"44/admin,{"message":"not authorized"}"#, "http 400"]),
        ("kind:heartbeat", &["2", "3", "state heartbeat"]),
        ("kind:upgrade", &["2probe", "3probe", "5", "state upgraded"]),
        ("kind:binary", &["<binary>"]),
        ("kind:malformed", &["42["]),
        (
            "kind:state -kind:ack -kind:heartbeat",
            &["state upgraded", "state namespace connected"],
        ),
        ("client:9PS7*", &[r#"42["typing",true]"#]),
        (
            "sid:EtKW",
            &[r#"0{"sid":"EtKW","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}"#],
        ),
        ("sid:KICn", &["state namespace connected"]),
        (
            "ack:7",
            &[
                r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#,
                r#"43/admin,7[{"ok":true,"n":5}]"#,
                "state ack",
            ],
        ),
        ("ack:8", &[]),
        (
            "data.0.room=r1",
            &[r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#],
        ),
        (
            "data.0.room=r*",
            &[
                r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#,
                r#"42["chatroom",{"room":"r2"}]"#,
            ],
        ),
        (
            "data.0.text~hello",
            &[r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#],
        ),
        ("data.0.n=5", &[r#"43/admin,7[{"ok":true,"n":5}]"#]),
        ("data.0=hi", &[r#"42["welcome","hi"]"#]),
        ("data.message=*", &[r#"44/admin,{"message":"not authorized"}"#]),
        ("data.0=true", &[r#"42["typing",true]"#]),
        (
            "\"hello world\"",
            &[r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#],
        ),
        ("welcome", &[r#"42["welcome","hi"]"#]),
        // The meaning counts too: the frame `2` is a PING, `1` a CLOSE.
        (
            "ping -probe",
            &[
                r#"0{"sid":"EtKW","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}"#,
                "2",
                r#"42["typing",true]"#,
            ],
        ),
        ("answered", &["state ack"]),
        (
            "/\"r[12]\"/",
            &[
                r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#,
                r#"42["chatroom",{"room":"r2"}]"#,
            ],
        ),
        ("/WORLD/", &[]),
        (
            "/WORLD/i",
            &[r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#],
        ),
        ("-dir:in -dir:out -kind:state", &["http 200", "http 400"]),
        (
            "event:welcome or event:typing",
            &[r#"42["welcome","hi"]"#, r#"42["typing",true]"#],
        ),
        (
            "kind:disconnect dir:in transport:ws or kind:connect dir:out",
            &["40", "41", "1"],
        ),
        (
            "-(kind:state or kind:http or dir:in)",
            &[
                "40",
                "2probe",
                "5",
                "3",
                r#"42/admin,7["chat",{"room":"r1","text":"Hello World"}]"#,
                r#"42["typing",true]"#,
            ],
        ),
    ];
    for (expr, expected) in cases {
        assert_eq!(picks(expr), *expected, "{expr}");
    }
}

fn error(expr: &str) -> FilterError {
    match Filter::parse(expr) {
        Ok(f) => panic!("{expr:?} parsed as {f}"),
        Err(e) => e,
    }
}

#[test]
fn bad_expressions_name_the_place_and_what_was_expected() {
    let cases: &[(&str, usize, &str)] = &[
        ("event:", 6, "an event name"),
        ("dir:up", 4, "in or out"),
        ("dir:in|sideways", 7, "in or out"),
        ("kind:frame", 5, "a kind after `kind:`: event, ack, connect"),
        ("transport:carrier-pigeon", 10, "polling or ws"),
        ("evnt:chat", 0, "a field name"),
        ("ack:seven", 4, "an ack id"),
        ("chat or", 7, "a term after `or`"),
        ("or chat", 0, "a term before `or`"),
        ("(chat", 5, "`)` to close the `(` at byte 0"),
        ("chat)", 4, "this `)` closes nothing"),
        ("()", 1, "a term inside the parentheses"),
        ("- chat", 1, "a term right after `-`"),
        ("\"open", 5, "a `\"` to close the one at byte 0"),
        ("/(unclosed/", 0, "a valid regular expression"),
        ("/abc", 4, "a `/` to close the regular expression at byte 0"),
        ("data.0", 6, "`=` or `~` after the data path"),
        ("data..x=1", 5, "a key or index after `.`"),
        ("data.0=", 7, "a value after `=`"),
        ("\"a\"b", 3, "a space between terms"),
        ("\"\"", 0, "a word or phrase"),
    ];
    for (expr, pos, expected) in cases {
        let e = error(expr);
        assert_eq!(e.pos, *pos, "{expr}: {e}");
        assert!(e.expected.contains(expected), "{expr}: {e}");
    }
    let e = error("event:chat or");
    assert_eq!(e.to_string(), "at byte 13: expected a term after `or`, found the end");
    let e = error("kind:frame");
    assert!(e.to_string().ends_with("found \"frame\""), "{e}");
    let deep = "(".repeat(200) + "x" + &")".repeat(200);
    assert!(error(&deep).expected.contains("nest at most"));
    let negations = "-".repeat(200) + "x";
    assert!(error(&negations).expected.contains("nest at most"));
}

#[test]
fn or_binds_looser_than_and_and_keywords_need_their_own_word() {
    let f = Filter::parse("a b or c").expect("parses");
    assert_eq!(f.to_string(), "(a b) or c");
    let f = Filter::parse("orange or -(x or y)").expect("parses");
    assert_eq!(f.to_string(), "orange or -(x or y)");
    let f = Filter::parse("\"or\" OR ns:admin").expect("parses");
    assert_eq!(f.to_string(), "\"or\" or ns:/admin");
    assert_eq!(Filter::parse("  kind:ack  ").expect("parses").source(), "kind:ack");
}

fn term_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "event:chat",
            "event:chat*",
            "event:welcome|typing",
            "ns:/admin",
            "ns:/",
            "dir:in",
            "dir:out",
            "transport:polling",
            "transport:ws",
            "kind:event",
            "kind:ack|error",
            "kind:heartbeat",
            "kind:state",
            "kind:http",
            "kind:binary",
            "kind:malformed",
            "kind:upgrade",
            "client:9PS7*",
            "sid:EtKW",
            "ack:7",
            "ack:*",
            "data.0.room=r1",
            "data.0.text~world",
            "data.*.room=r*",
            "data.0=hi",
            "hello",
            "\"hello world\"",
            "/4[23]/",
            "/PING/i",
            "probe",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,5}".prop_filter("or is a keyword", |w| w != "or"),
    ]
}

fn expr_strategy() -> impl Strategy<Value = String> {
    let leaf = term_strategy();
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("-({e})")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" ")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" or "))),
        ]
    })
}

proptest! {
    /// Whatever is typed, parsing ends with a filter or an error inside the text.
    #[test]
    fn parsing_never_panics_and_errors_point_into_the_text(text in r#"[a-z:.|~=()"/\\* \-]{0,30}"#) {
        if let Err(e) = Filter::parse(&text) {
            prop_assert!(e.pos <= text.len(), "{text:?}: {e}");
            prop_assert!(text.is_char_boundary(e.pos), "{text:?}: {e}");
            prop_assert!(!e.expected.is_empty());
        }
    }

    #[test]
    fn any_unicode_text_parses_or_fails_cleanly(text in "\\PC{0,24}") {
        if let Err(e) = Filter::parse(&text) {
            prop_assert!(e.pos <= text.len() && text.is_char_boundary(e.pos), "{text:?}: {e}");
        }
    }

    /// The normal form reads back to the same filter, which picks the same records.
    #[test]
    fn the_normal_form_parses_back_to_the_same_filter(expr in expr_strategy()) {
        let first = Filter::parse(&expr).map_err(|e| TestCaseError::fail(format!("{expr}: {e}")))?;
        let written = first.to_string();
        let second = Filter::parse(&written).map_err(|e| TestCaseError::fail(format!("{written}: {e}")))?;
        prop_assert_eq!(second.to_string(), written.clone());
        for record in sample() {
            prop_assert_eq!(first.matches(&record), second.matches(&record), "{} / {}", expr, written);
        }
    }

    /// `-`, space and `or` mean not, and, or, on every record.
    #[test]
    fn the_connectives_are_boolean(a in expr_strategy(), b in expr_strategy()) {
        let parse = |s: &str| Filter::parse(s).map_err(|e| TestCaseError::fail(format!("{s}: {e}")));
        let (fa, fb) = (parse(&a)?, parse(&b)?);
        let not_a = parse(&format!("-({a})"))?;
        let both = parse(&format!("({a}) ({b})"))?;
        let either = parse(&format!("({a}) or ({b})"))?;
        for record in sample() {
            let (x, y) = (fa.matches(&record), fb.matches(&record));
            prop_assert_eq!(not_a.matches(&record), !x);
            prop_assert_eq!(both.matches(&record), x && y);
            prop_assert_eq!(either.matches(&record), x || y);
        }
    }

    /// A quoted phrase finds exactly the raw frames that contain it, in any case.
    #[test]
    fn a_phrase_finds_what_contains_it(word in "[a-zA-Z ]{1,6}") {
        let escaped = word.replace('"', "\\\"");
        let filter = Filter::parse(&format!("\"{escaped}\"")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for record in sample() {
            if let Some(Raw::Text { text }) = record.frame().map(|f| &f.raw)
                && text.to_lowercase().contains(&word.to_lowercase())
            {
                prop_assert!(filter.matches(&record), "{word:?} in {text}");
            }
        }
    }
}
