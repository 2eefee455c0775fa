//! The `sio admin` screen on ratatui's TestBackend: the admin views beside the admin
//! connection's traffic, and an operation typed on the command line, confirmed, then queued.

use std::sync::{Arc, Mutex};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sio::admin::Tracker;
use sio::admin::model::Limits;
use sio::proto::eio::{EioVersion, Frame};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::record::{Body, Direction, FrameRecord, Raw, Record, Timestamp, Transport};
use sio::tui::admin_view::{AdminActor, AdminPane};
use sio::tui::keys::{Effect, handle_key};
use sio::tui::model::Model;
use sio::tui::view;

/// Frames as @socket.io/admin-ui 0.5.1 sent them (a server in development mode, two sockets).
const FRAMES: &[&str] = &[
    r#"42/admin,["config",{"supportedFeatures":["EMIT","JOIN","LEAVE","DISCONNECT","MJOIN","MLEAVE","MDISCONNECT","AGGREGATED_EVENTS","ALL_EVENTS"]}]"#,
    r#"42/admin,["all_sockets",[{"id":"sockAAAAAAAAAAAAAAAA","clientId":"c1","transport":"websocket","nsp":"/","data":{},"handshake":{"address":"10.1.2.3","headers":{"user-agent":"ua"}},"rooms":["sockAAAAAAAAAAAAAAAA","lobby"]}]]"#,
    r#"42/admin,["socket_connected",{"id":"sockBBBBBBBBBBBBBBBB","clientId":"c2","transport":"polling","nsp":"/chat","data":{},"handshake":{"address":"10.9.9.9","headers":{}},"rooms":["sockBBBBBBBBBBBBBBBB"]},"2026-12-03T12:00:00.000Z"]"#,
    r#"42/admin,["server_stats",{"serverId":"node-7","hostname":"h","pid":4242,"uptime":61,"clientsCount":2,"pollingClientsCount":1,"aggregatedEvents":[],"namespaces":[{"name":"/","socketsCount":1}]}]"#,
    r#"42/admin,["event_received","/","sockAAAAAAAAAAAAAAAA",["chat","hello"],"2026-12-03T12:00:01.000Z"]"#,
];

fn key(model: &mut Model, code: KeyCode) -> Vec<Effect> {
    handle_key(model, KeyEvent::new(code, KeyModifiers::NONE))
}

fn screen(model: &mut Model) -> String {
    let mut terminal = Terminal::new(TestBackend::new(170, 30)).expect("terminal");
    terminal.draw(|f| view::draw(f, model)).expect("draw");
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn admin_views_and_a_confirmed_operation() {
    let tracker = Arc::new(Mutex::new(Tracker::new("/admin", "admin", Limits::default())));
    let mut model = Model::new("http://127.0.0.1:3000", 1000, false);
    model.admin = Some(Box::new(AdminPane::new(tracker.clone())));
    let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
    for (seq, text) in FRAMES.iter().enumerate() {
        let record = Record {
            seq: seq as u64,
            time: Timestamp::now(),
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: Some(Direction::In),
                transport: Some(Transport::Websocket),
                raw: Raw::Text { text: text.to_string() },
                decoded: decoder.decode(Frame::Text(text)),
            }),
        };
        let (record, extra) = tracker.lock().expect("lock").take(record);
        model.push(record);
        model.push(extra.expect("an admin record"));
    }

    let text = screen(&mut model);
    assert!(text.contains("1 sockets 2"), "{text}");
    assert!(text.contains("server node-7  pid 4242  up 1m01s"), "{text}");
    assert!(
        text.contains("sockAAAAAAAAAAAAAAAA") && text.contains("10.1.2.3") && text.contains("lobby"),
        "{text}"
    );
    assert!(
        text.contains("sockBBBBBBBBBBBBBBBB") && text.contains("polling"),
        "{text}"
    );
    // The admin connection's own traffic is beside it.
    assert!(
        text.contains("traffic 10") && text.contains(r#"EVENT /admin "config""#),
        "{text}"
    );

    key(&mut model, KeyCode::Char('2'));
    let text = screen(&mut model);
    assert!(
        text.contains("lobby") && text.contains("1  sockAAAAAAAAAAAAAAAA"),
        "{text}"
    );
    key(&mut model, KeyCode::Char('3'));
    let text = screen(&mut model);
    assert!(
        text.contains(r#"→srv /        sockAAAAAAAAAAAAAAAA   "chat" ["hello"]"#),
        "{text}"
    );
    key(&mut model, KeyCode::Char('4'));
    assert!(screen(&mut model).contains("connections/s"));

    // An operation: typed, planned, shown for confirmation, sent only on `y`.
    key(&mut model, KeyCode::Char(':'));
    for c in "join vip sockBBBBBBBBBBBBBBBB".chars() {
        key(&mut model, KeyCode::Char(c));
    }
    assert!(key(&mut model, KeyCode::Enter).is_empty());
    let asked = model.message.clone().expect("a question");
    assert!(
        asked
            .0
            .contains(r#"make socket sockBBBBBBBBBBBBBBBB of /chat join room "vip"? y sends it"#),
        "{asked:?}"
    );
    let effects = key(&mut model, KeyCode::Char('y'));
    assert_eq!(
        effects,
        vec![Effect::Admin {
            line: "join vip sockBBBBBBBBBBBBBBBB".into()
        }]
    );
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let actor = AdminActor { tracker, ops: tx };
    assert!(actor.send("join vip sockBBBBBBBBBBBBBBBB").is_ok());
    let (_, send) = rx.try_recv().expect("queued");
    assert_eq!((send.event, send.args[0].as_str()), ("join", Some("/chat")));

    // Any other key cancels; a refused line stays on the command line with the reason.
    key(&mut model, KeyCode::Char(':'));
    for c in "disconnect *".chars() {
        key(&mut model, KeyCode::Char(c));
    }
    key(&mut model, KeyCode::Enter);
    assert!(key(&mut model, KeyCode::Char('n')).is_empty());
    assert!(model.message.as_ref().is_some_and(|m| m.0.starts_with("not sent")));
    key(&mut model, KeyCode::Char(':'));
    for c in "kick it".chars() {
        key(&mut model, KeyCode::Char(c));
    }
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.input, "kick it");
    assert!(
        model
            .message
            .as_ref()
            .is_some_and(|m| m.1 && m.0.contains("not an operation"))
    );
}
