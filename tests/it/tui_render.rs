//! The terminal UI drawn on ratatui's TestBackend, compared with snapshot files
//! in tests/snapshots (set SIO_UPDATE_SNAPSHOTS=1 to rewrite them after an
//! intended change, and review the diff).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use sio::proto::eio::{EioVersion, Frame};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::record::{Body, Direction, FrameRecord, Raw, Record, StateRecord, Timestamp, Transport};
use sio::tui::model::{Model, Overlay};
use sio::tui::view;

const T0: u64 = 1_795_619_540_000_000;

struct Script {
    records: Vec<Record>,
    decoder_in: FrameDecoder,
    decoder_out: FrameDecoder,
}

impl Script {
    fn new() -> Script {
        Script {
            records: Vec::new(),
            decoder_in: FrameDecoder::new(EioVersion::V4, Parser::Default),
            decoder_out: FrameDecoder::new(EioVersion::V4, Parser::Default),
        }
    }

    fn push(&mut self, body: Body) {
        let seq = self.records.len() as u64;
        self.records.push(Record {
            seq,
            time: Timestamp {
                micros: T0 + seq * 12_345,
            },
            conn: None,
            body,
        });
    }

    fn state(&mut self, state: &str, detail: &str, data: serde_json::Value) {
        let data = match data {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        self.push(Body::State(StateRecord {
            state: state.into(),
            detail: Some(detail.into()),
            data,
        }));
    }

    fn frame(&mut self, dir: Direction, transport: Transport, frame: Frame<'_>) {
        let decoder = if dir == Direction::In {
            &mut self.decoder_in
        } else {
            &mut self.decoder_out
        };
        let decoded = decoder.decode(frame);
        self.push(Body::Frame(FrameRecord {
            dir: Some(dir),
            transport: Some(transport),
            raw: Raw::from_frame(frame),
            decoded,
        }));
    }

    fn text(&mut self, dir: Direction, transport: Transport, text: &str) {
        self.frame(dir, transport, Frame::Text(text));
    }
}

fn upgraded_session() -> Script {
    use Direction::{In, Out};
    use Transport::{Polling, Websocket};
    let mut s = Script::new();
    s.state("connecting", "http://127.0.0.1:3000", json!({"attempt": 0}));
    s.text(In, Polling, r#"0{"sid":"Lrt6h6k3l0OkYMF_AAAB","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#);
    s.state(
        "open",
        "Engine.IO 4 / Socket.IO 5, sid Lrt6h6k3l0OkYMF_AAAB, ping 25000/20000 ms, polling",
        json!({"eio": 4, "sio": 5, "sid": "Lrt6h6k3l0OkYMF_AAAB", "pingInterval": 25000, "pingTimeout": 20000}),
    );
    s.text(Out, Polling, "40");
    s.state("upgrading", "probing the WebSocket", json!({}));
    s.text(Out, Websocket, "2probe");
    s.text(In, Websocket, "3probe");
    s.text(In, Polling, r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#);
    s.state(
        "namespace connected",
        "/ connected, socket id wZX3oN0bSVIhsaknAAAI",
        json!({"nsp": "/", "sid": "wZX3oN0bSVIhsaknAAAI"}),
    );
    s.text(In, Polling, "6");
    s.text(Out, Websocket, "5");
    s.state("upgraded", "polling → websocket", json!({"transport": "websocket"}));
    s.text(In, Websocket, r#"42["welcome","hi"]"#);
    s.text(Out, Websocket, r#"420["echo",{"text":"hello"}]"#);
    s.text(In, Websocket, r#"430[{"text":"hello"}]"#);
    s.state(
        "ack",
        "/ #0 \"echo\" answered in 3.2 ms",
        json!({"nsp": "/", "id": 0, "event": "echo", "rtt_ms": 3.2}),
    );
    s.text(In, Websocket, "2");
    s.text(Out, Websocket, "3");
    s
}

fn model_of(script: &Script) -> Model {
    let mut model = Model::new("http://127.0.0.1:3000", 100_000, false);
    for r in &script.records {
        model.push(r.clone());
    }
    model.now = Timestamp { micros: T0 + 5_000_000 };
    model
}

pub(crate) fn render(model: &mut Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| view::draw(f, model)).expect("draws");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        for x in 0..width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn check(name: &str, screen: &str) {
    let path = format!("{}/tests/snapshots/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("SIO_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, screen).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {path}; run with SIO_UPDATE_SNAPSHOTS=1 to create it"));
    assert!(
        expected == screen,
        "{name} differs from its snapshot; got:\n{screen}\nexpected:\n{expected}"
    );
}

#[test]
fn connecting() {
    let mut s = Script::new();
    s.state("connecting", "http://127.0.0.1:3000", json!({"attempt": 0}));
    let mut model = model_of(&s);
    let screen = render(&mut model, 100, 24);
    assert!(screen.contains("connecting"));
    check("connecting", &screen);
}

#[test]
fn upgraded_with_ack_details() {
    let s = upgraded_session();
    let mut model = model_of(&s);
    // Select the ACK row.
    let ack_row = model.visible.iter().position(|&a| a == 14).expect("ack row");
    model.selected = ack_row;
    model.follow = false;
    let screen = render(&mut model, 120, 40);
    assert!(screen.contains("websocket (upgraded from polling)"), "{screen}");
    assert!(screen.contains("ack #0 matched: round trip 3.2 ms"), "{screen}");
    check("upgraded", &screen);
}

#[test]
fn namespace_failed() {
    let mut s = upgraded_session();
    s.text(Direction::Out, Transport::Websocket, r#"40/admin,{"token":"nope"}"#);
    s.text(
        Direction::In,
        Transport::Websocket,
        r#"44/admin,{"message":"not authorized"}"#,
    );
    s.state(
        "namespace failed",
        "/admin refused: not authorized",
        json!({"nsp": "/admin", "message": "not authorized"}),
    );
    let mut model = model_of(&s);
    let screen = render(&mut model, 100, 30);
    assert!(screen.contains("/admin ✗ not authorized"), "{screen}");
    check("namespace_failed", &screen);
}

#[test]
fn malformed_frame_stands_out_with_its_reason() {
    let mut s = upgraded_session();
    s.text(Direction::In, Transport::Websocket, "42[\"x\",\u{1b}]");
    let mut model = model_of(&s);
    let screen = render(&mut model, 100, 30);
    assert!(screen.contains("malformed: invalid payload"), "{screen}");
    assert!(!screen.contains('\u{1b}'), "escape reached the screen");
    check("malformed", &screen);
}

#[test]
fn binary_event_details() {
    let mut s = upgraded_session();
    s.text(
        Direction::In,
        Transport::Websocket,
        r#"451-["binary",{"_placeholder":true,"num":0}]"#,
    );
    s.frame(Direction::In, Transport::Websocket, Frame::Binary(&[1, 2, 3, 0xff]));
    let mut model = model_of(&s);
    let screen = render(&mut model, 100, 40);
    assert!(screen.contains("attachment #0: 4 bytes: 01 02 03 ff"), "{screen}");
    check("binary_details", &screen);
}

#[test]
fn help_and_acks_overlays() {
    let s = upgraded_session();
    let mut model = model_of(&s);
    model.overlay = Overlay::Help;
    let screen = render(&mut model, 100, 40);
    assert!(screen.contains("withhold / delay (3 s) heartbeat answers"), "{screen}");
    check("help", &screen);
    model.overlay = Overlay::Acks;
    let screen = render(&mut model, 100, 30);
    assert!(screen.contains("echo"), "{screen}");
    check("acks", &screen);
}

#[test]
fn fits_80_by_24() {
    let s = upgraded_session();
    let mut model = model_of(&s);
    let screen = render(&mut model, 80, 24);
    assert!(screen.lines().all(|l| l.chars().count() <= 80));
    check("small", &screen);
    // Every key of the help shows at 80x24 too.
    model.overlay = Overlay::Help;
    let screen = render(&mut model, 80, 24);
    for (_, entries) in sio::tui::keys::HELP {
        for (key, _) in *entries {
            assert!(
                screen.contains(key),
                "{key:?} missing from the help at 80x24:\n{screen}"
            );
        }
    }
    check("small_help", &screen);
}

#[test]
fn scrollback_is_bounded_and_says_so() {
    let s = upgraded_session();
    let mut model = Model::new("http://x", 5, false);
    for r in &s.records {
        model.push(r.clone());
    }
    assert_eq!(model.records.len(), 5);
    assert_eq!(model.dropped, s.records.len() as u64 - 5);
    let screen = render(&mut model, 100, 24);
    assert!(
        screen.contains(&format!("{} older let go (scrollback 5)", s.records.len() - 5)),
        "{screen}"
    );
}

/// What `sio tap` hands the screen: two sessions, one upgraded, one on polling.
fn tapped_sessions() -> Model {
    use Direction::{In, Out};
    use Transport::{Polling, Websocket};
    let mut s = Script::new();
    s.state(
        "listening",
        "http://127.0.0.1:4000 → http://127.0.0.1:3000/",
        json!({"listen": "127.0.0.1:4000"}),
    );
    let named = |s: &mut Script, conn: &str| {
        if let Some(last) = s.records.last_mut() {
            last.conn = Some(conn.into());
        }
    };
    for (sid, peer, transport) in [
        ("AAAAsessionOne", "127.0.0.1:50001", Websocket),
        ("BBBBsessionTwo", "127.0.0.1:50002", Polling),
    ] {
        s.text(
            In,
            Polling,
            &format!(r#"0{{"sid":"{sid}","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}}"#),
        );
        named(&mut s, sid);
        s.state(
            "session",
            &format!("{sid} from {peer} (node-XMLHttpRequest), Engine.IO 4, over polling"),
            json!({"sid": sid, "peer": peer, "user_agent": "node-XMLHttpRequest", "eio": 4, "transport": "polling", "before": "c1"}),
        );
        named(&mut s, sid);
        s.text(Out, Polling, "40");
        named(&mut s, sid);
        s.text(In, transport, r#"42["welcome","hi"]"#);
        named(&mut s, sid);
    }
    s.state("upgraded", "AAAAsessionOne: polling → websocket", json!({}));
    named(&mut s, "AAAAsessionOne");
    // As `sio tap` does: the screen is the tap's before the first record.
    let mut model = Model::new("http://127.0.0.1:3000", 100_000, false);
    model.tap = true;
    for r in &s.records {
        model.push(r.clone());
    }
    model.now = Timestamp { micros: T0 + 5_000_000 };
    model
}

pub(crate) fn key(model: &mut Model, code: crossterm::event::KeyCode) -> Vec<sio::tui::keys::Effect> {
    sio::tui::keys::handle_key(
        model,
        crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE),
    )
}

#[test]
fn tap_rows_name_their_session_and_one_can_be_shown_alone() {
    use crossterm::event::KeyCode;
    let mut model = tapped_sessions();
    let screen = render(&mut model, 120, 30);
    assert!(
        screen.contains("sio tap ▸ http://127.0.0.1:4000 → http://127.0.0.1:3000/"),
        "{screen}"
    );
    assert!(screen.contains("2 sessions live · 2 seen"), "{screen}");
    assert!(screen.contains("AAAAses… ↓ ws 42[\"welcome\""), "{screen}");
    assert!(screen.contains("BBBBses… ↓ po 42[\"welcome\""), "{screen}");
    check("tap", &screen);

    // The list of sessions; Enter on the second shows it alone.
    key(&mut model, KeyCode::Char('C'));
    let listed = render(&mut model, 120, 30);
    assert!(listed.contains("sessions: 2 live, 2 listed"), "{listed}");
    assert!(listed.contains("127.0.0.1:50002"), "{listed}");
    check("tap_sessions", &listed);
    key(&mut model, KeyCode::Down);
    key(&mut model, KeyCode::Enter);
    let alone = render(&mut model, 120, 30);
    assert!(alone.contains("session BBBBsessionTwo only"), "{alone}");
    assert!(
        alone.contains("BBBBsessionTwo open from 127.0.0.1:50002 EIO4 polling"),
        "{alone}"
    );
    assert!(!alone.contains("AAAAses…"), "{alone}");

    // The command line speaks tap: `cut` with no sid is the session shown.
    key(&mut model, KeyCode::Char(':'));
    for c in "cut".chars() {
        key(&mut model, KeyCode::Char(c));
    }
    let effects = key(&mut model, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![sio::tui::keys::Effect::Tap {
            line: "cut".into(),
            command: sio::tap::command::TapCommand::Cut {
                sid: "BBBBsessionTwo".into()
            }
        }]
    );
    // `c` again: every session.
    key(&mut model, KeyCode::Char('c'));
    let all = render(&mut model, 120, 30);
    assert!(all.contains("AAAAses…") && all.contains("BBBBses…"), "{all}");
    // Heartbeat keys belong to a client, not to the tap.
    assert!(key(&mut model, KeyCode::Char('w')).is_empty());
}

#[test]
fn a_closed_session_counts_as_seen_not_live() {
    let mut model = tapped_sessions();
    model.push(Record {
        seq: 99,
        time: Timestamp { micros: T0 + 9_000_000 },
        conn: Some("AAAAsessionOne".into()),
        body: Body::State(StateRecord {
            state: "session closed".into(),
            detail: Some("client → server sent Engine.IO close".into()),
            data: serde_json::Map::new(),
        }),
    });
    let screen = render(&mut model, 120, 30);
    assert!(screen.contains("1 sessions live · 2 seen"), "{screen}");
}

/// Types `text` and Enter on the command line through the real event loop (on a
/// TestBackend), then quits; the screen of the last draw is returned.
fn type_command(model: &mut Model, text: &str) -> String {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let press = |code| Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    let mut keys = vec![press(KeyCode::Char(':'))];
    keys.extend(text.chars().map(|c| press(KeyCode::Char(c))));
    keys.push(press(KeyCode::Enter));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Record>();
    drop(tx);
    model.quit = false;
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("test terminal");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // The input ends after Enter, which quits the loop once the line ran.
    runtime
        .block_on(sio::tui::event_loop(
            &mut terminal,
            model,
            rx,
            sio::tui::Actor::None,
            futures_util::stream::iter(keys),
        ))
        .expect("the loop ends cleanly");
    let buffer = terminal.backend().buffer().clone();
    (0..30)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn save_writes_the_session_as_a_script_from_a_replay() {
    let mut s = upgraded_session();
    s.text(Direction::Out, Transport::Websocket, r#"42["ask"]"#);
    s.text(Direction::In, Transport::Websocket, r#"425["question","q?"]"#);
    s.text(Direction::Out, Transport::Websocket, r#"435["yes"]"#);
    // A replay: read-only, yet `:` opens the command line for `save`.
    let mut model = Model::new("session.ndjson", 100_000, true);
    for r in &s.records {
        model.push(r.clone());
    }
    let dir = std::env::temp_dir().join(format!("sio-tui-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("again.sio");
    let _ = std::fs::remove_file(&path);
    let screen = type_command(&mut model, &format!("save {}", path.display()));
    let written = std::fs::read_to_string(&path).expect("the script was written");
    assert_eq!(written, model.script());
    let lines: Vec<&str> = written.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            // Rows are 12.345 ms apart: 4 rows after the namespace connected.
            r#"expect welcome "hi" --within 550ms"#,
            r#"emit echo {"text":"hello"} --ack 513ms"#,
            "emit ask",
            r#"expect question "q?" --within 513ms"#,
            r#"ack question "yes""#,
        ],
        "{written}"
    );
    assert!(
        screen.contains(&format!("saved a script of 5 lines to {}", path.display())),
        "{screen}"
    );
    assert!(sio::script::parse::parse_script(&written).is_ok(), "{written}");

    // Another line in a replay says what does work there.
    let screen = type_command(&mut model, "emit x");
    assert!(screen.contains("read-only: nothing to send to"), "{screen}");
}

#[test]
fn the_code_overlay_shows_the_connection_in_each_language() {
    use crossterm::event::KeyCode;
    let mut model = model_of(&upgraded_session());
    // In a replay there are no options to show.
    key(&mut model, KeyCode::Char('e'));
    assert_eq!(model.overlay, Overlay::Code);
    let screen = render(&mut model, 100, 30);
    assert!(screen.contains("--print-code js|python"), "{screen}");
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.overlay, Overlay::None);

    let options = sio::engine::Options {
        url: "http://127.0.0.1:3000/admin".into(),
        auth: Some(json!({"token": "secret"})),
        ..sio::engine::Options::default()
    };
    model.code = [sio::snippets::Lang::Js, sio::snippets::Lang::Python]
        .into_iter()
        .map(|lang| (lang, sio::snippets::snippet(&options, lang).expect("snippet")))
        .collect();
    key(&mut model, KeyCode::Char('e'));
    let screen = render(&mut model, 100, 30);
    assert!(
        screen.contains("JavaScript (socket.io-client) · Tab: Python · j/k scroll"),
        "{screen}"
    );
    assert!(
        screen.contains(r#"const socket = io("http://127.0.0.1:3000/admin", options);"#),
        "{screen}"
    );
    assert!(
        screen.contains("Tab language  j/k scroll  y copy  Esc close"),
        "{screen}"
    );
    key(&mut model, KeyCode::Tab);
    for _ in 0..5 {
        key(&mut model, KeyCode::Char('j'));
    }
    let screen = render(&mut model, 100, 30);
    assert!(screen.contains(r#"auth={"token": "secret"},"#), "{screen}");
    assert!(screen.contains("asyncio.run(main())"), "scrolled to the end:\n{screen}");
    check("code_python", &screen);
    // y copies the snippet shown, whole.
    let effects = key(&mut model, KeyCode::Char('y'));
    assert_eq!(effects, [sio::tui::keys::Effect::Copy(model.code[1].1.clone())]);
    key(&mut model, KeyCode::Char('e'));
    assert_eq!(model.overlay, Overlay::None);
}

/// Three clients of one screen: main and bob in room r1, carol not; main emits to the room.
fn three_clients() -> Model {
    use Direction::{In, Out};
    use Transport::Websocket;
    let mut s = Script::new();
    let named = |s: &mut Script, conn: &str| {
        if let Some(last) = s.records.last_mut() {
            last.conn = Some(conn.into());
        }
    };
    for (client, sid) in [("main", "AAAAmain"), ("bob", "BBBBbob"), ("carol", "CCCCcarol")] {
        s.state(
            "open",
            &format!("Engine.IO 4 / Socket.IO 5, sid {sid}, ping 25000/20000 ms, websocket"),
            json!({"eio": 4, "sio": 5, "sid": sid, "pingInterval": 25000, "pingTimeout": 20000, "transport": "websocket"}),
        );
        named(&mut s, client);
        s.text(Out, Websocket, "40");
        named(&mut s, client);
    }
    s.text(
        Out,
        Websocket,
        r#"42["to",{"room":"r1","event":"hello","args":["hi"]}]"#,
    );
    named(&mut s, "main");
    s.text(In, Websocket, r#"42["hello","hi"]"#);
    named(&mut s, "main");
    s.text(In, Websocket, r#"42["hello","hi"]"#);
    named(&mut s, "bob");
    model_of(&s)
}

#[test]
fn several_clients_have_a_column_a_roster_a_speaker_and_a_fanout() {
    use crossterm::event::KeyCode;
    use sio::tui::keys::Effect;
    let mut model = three_clients();
    let screen = render(&mut model, 120, 30);
    assert!(
        screen.contains("clients: ▸main open websocket ↓1 ↑2  bob open websocket ↓1 ↑1  carol open websocket ↓0 ↑1"),
        "{screen}"
    );
    assert!(screen.contains(r#"bob      ↓ ws 42["hello","hi"]"#), "{screen}");
    check("clients", &screen);

    // The emit two rows up: who received what it caused, and who did not.
    key(&mut model, KeyCode::Char('k'));
    key(&mut model, KeyCode::Char('k'));
    key(&mut model, KeyCode::Char('F'));
    assert_eq!(model.overlay, Overlay::Fanout);
    let fanout = render(&mut model, 120, 30);
    assert!(fanout.contains("2 received by 2 client(s)"), "{fanout}");
    assert!(
        fanout.contains("main                12.3 ms  EVENT \"hello\" \"hi\""),
        "{fanout}"
    );
    assert!(
        fanout.contains("bob                 24.7 ms  EVENT \"hello\" \"hi\""),
        "{fanout}"
    );
    assert!(fanout.contains("carol                     —  nothing"), "{fanout}");
    check("clients_fanout", &fanout);
    key(&mut model, KeyCode::Esc);

    // A received row has no fan-out: the reason is said.
    key(&mut model, KeyCode::Char('j'));
    key(&mut model, KeyCode::Char('F'));
    assert_eq!(model.overlay, Overlay::None);
    assert!(
        model
            .message
            .as_ref()
            .is_some_and(|(m, error)| *error && m.contains("emitted"))
    );

    // Bob's row, `c`: bob alone, and the command line speaks as bob.
    key(&mut model, KeyCode::Char('j'));
    key(&mut model, KeyCode::Char('c'));
    key(&mut model, KeyCode::Char(':'));
    for c in "emit ping".chars() {
        key(&mut model, KeyCode::Char(c));
    }
    let typing = render(&mut model, 120, 30);
    assert!(typing.contains("bob ▸ :emit ping"), "{typing}");
    assert!(typing.contains("▸bob open"), "{typing}");
    match key(&mut model, KeyCode::Enter).as_slice() {
        [Effect::Run { clients, .. }] => assert_eq!(clients, &["bob".to_string()]),
        other => panic!("expected a run as bob, got {other:?}"),
    }
    // A line that names its clients keeps them.
    key(&mut model, KeyCode::Char(':'));
    for c in "carol,main: emit ping".chars() {
        key(&mut model, KeyCode::Char(c));
    }
    match key(&mut model, KeyCode::Enter).as_slice() {
        [Effect::Run { clients, .. }] => assert_eq!(clients, &["carol".to_string(), "main".to_string()]),
        other => panic!("expected a run as carol and main, got {other:?}"),
    }
    // Back to all: main speaks again, and its line names nobody.
    key(&mut model, KeyCode::Char('c'));
    key(&mut model, KeyCode::Char(':'));
    key(&mut model, KeyCode::Char('x'));
    match key(&mut model, KeyCode::Enter).as_slice() {
        [] => {}
        other => panic!("`x` is no command: {other:?}"),
    }
}

#[test]
fn one_client_named_main_needs_no_column() {
    let mut s = upgraded_session();
    for r in &mut s.records {
        r.conn = Some("main".into());
    }
    let mut model = model_of(&s);
    let screen = render(&mut model, 120, 30);
    assert!(!screen.contains("clients:"), "{screen}");
    assert!(!screen.contains("main    "), "{screen}");
    assert!(screen.contains("EIO4/SIO5"), "the status is main's: {screen}");
}

#[test]
fn a_websocket_sessions_early_rows_go_with_it() {
    use Direction::In;
    use crossterm::event::KeyCode;
    // A WebSocket-only session: its handshake is named c1 until the tap learns the sid.
    let mut s = Script::new();
    s.state("listening", "http://127.0.0.1:4000 → http://127.0.0.1:3000/", json!({}));
    s.state("websocket", "GET /socket.io/?EIO=4&transport=websocket", json!({}));
    s.records.last_mut().expect("a record").conn = Some("c1".into());
    s.text(
        In,
        Transport::Websocket,
        r#"0{"sid":"WWWWsocketOnly","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#,
    );
    s.records.last_mut().expect("a record").conn = Some("WWWWsocketOnly".into());
    s.state(
        "session",
        "WWWWsocketOnly from 127.0.0.1:5 (node), Engine.IO 4, over websocket",
        json!({"sid": "WWWWsocketOnly", "peer": "127.0.0.1:5", "eio": 4, "transport": "websocket", "before": "c1"}),
    );
    s.records.last_mut().expect("a record").conn = Some("WWWWsocketOnly".into());
    let mut model = Model::new("http://127.0.0.1:3000", 1000, false);
    model.tap = true;
    for r in &s.records {
        model.push(r.clone());
    }
    key(&mut model, KeyCode::Char('c'));
    let alone = render(&mut model, 120, 20);
    assert!(alone.contains("session WWWWsocketOnly only"), "{alone}");
    assert!(
        alone.contains("WWWWsoc… • websocket"),
        "the c1 row is the session's: {alone}"
    );
    assert!(!alone.contains("c1 "), "{alone}");
}

/// Types `text` after `/`, key by key, as a user does.
pub(crate) fn type_filter(model: &mut Model, text: &str) {
    use crossterm::event::KeyCode;
    key(model, KeyCode::Char('/'));
    for c in text.chars() {
        key(model, KeyCode::Char(c));
    }
}

#[test]
fn the_filter_language_on_slash_hides_rows_and_says_how_many() {
    use crossterm::event::KeyCode;
    let s = upgraded_session();
    let mut model = model_of(&s);
    type_filter(&mut model, "event:echo or kind:ack");
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.focus, sio::tui::model::Focus::List);
    let shown: Vec<String> = model
        .visible
        .iter()
        .filter_map(|&a| model.record(a))
        .map(|r| match &r.body {
            Body::Frame(f) => format!("{:?}", f.raw),
            Body::State(st) => st.state.clone(),
            Body::Http(_) => "http".into(),
        })
        .collect();
    assert_eq!(
        shown,
        [
            r#"Text { text: "420[\"echo\",{\"text\":\"hello\"}]" }"#,
            r#"Text { text: "430[{\"text\":\"hello\"}]" }"#,
            "ack"
        ],
        "{shown:?}"
    );
    // Held records the toggles show (the HTTP ones are off by default) less those shown.
    let toggled_in = s.records.iter().filter(|r| !matches!(r.body, Body::Http(_))).count();
    let hidden = toggled_in - 3;
    let screen = render(&mut model, 100, 30);
    assert!(
        screen.contains(&format!("/event:echo or kind:ack hides {hidden}")),
        "{screen}"
    );
    check("filtered", &screen);

    // H stays on top: hiding heartbeats changes nothing here, showing HTTP adds none.
    key(&mut model, KeyCode::Char('H'));
    key(&mut model, KeyCode::Char('T'));
    assert_eq!(model.visible.len(), 3);

    // A bad expression: the reason inline, the last good filter still in force, Enter
    // keeps the line open, Esc clears everything.
    type_filter(&mut model, " or");
    assert_eq!(model.visible.len(), 3);
    let screen = render(&mut model, 100, 30);
    assert!(
        screen.contains("✗ at byte 25: expected a term after `or`, found the end"),
        "{screen}"
    );
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.focus, sio::tui::model::Focus::Search);
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.focus, sio::tui::model::Focus::List);
    assert!(model.filter.expr.is_empty());
    let screen = render(&mut model, 100, 30);
    assert!(!screen.contains("hides"), "{screen}");
}

#[test]
fn the_statistics_overlay_counts_and_reorders() {
    use crossterm::event::KeyCode;
    let s = upgraded_session();
    let mut model = model_of(&s);
    key(&mut model, KeyCode::Char('%'));
    assert_eq!(model.overlay, Overlay::Stats);
    let screen = render(&mut model, 120, 40);
    assert!(screen.contains("statistics · by count"), "{screen}");
    assert!(screen.contains("\"echo\""), "{screen}");
    assert!(screen.contains("announced pingInterval"), "{screen}");
    check("stats", &screen);
    key(&mut model, KeyCode::Char('o'));
    let screen = render(&mut model, 120, 40);
    assert!(screen.contains("statistics · by bytes"), "{screen}");
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.overlay, Overlay::None);
}
