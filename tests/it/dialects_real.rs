//! Dialect frames captured from real servers: python-socketio 5.18 and
//! socket.io 2.5. Each is decoded (not called malformed), carries the quirk
//! that names its sender and the reference's verdict, and the engine acts on
//! it as its sender meant.

use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;
use sio::engine::{Options, TransportMode};
use sio::proto::eio::{EioVersion, Frame};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::proto::sio::{PacketType, Quirk};
use sio::record::{Body, Direction, FrameRecord, Raw, Record};

use crate::engine_util::{Client, hex, opts};
use crate::support::node::{NodeServer, ServerKind};
use crate::support::python::PythonServer;

/// The first incoming frame whose Socket.IO packet is `kind` on `nsp`.
async fn packet(client: &mut Client, kind: PacketType, nsp: &str) -> FrameRecord {
    let r = client
        .since(0, &format!("an incoming {kind:?} on {nsp}"), |r| {
            matches!(&r.body, Body::Frame(f) if f.dir == Some(Direction::In)
                && f.decoded.sio.as_ref().is_some_and(|s| s.kind == kind && s.nsp == nsp))
        })
        .await;
    match r.body {
        Body::Frame(f) => f,
        _ => unreachable!("matched a frame"),
    }
}

fn quirks(frame: &FrameRecord) -> Vec<Quirk> {
    frame.decoded.sio.as_ref().map(|s| s.quirks.clone()).unwrap_or_default()
}

/// The frame's bytes in hex; a polling record `b<base64>` is the binary message it carries.
fn raw_hex(frame: &FrameRecord) -> String {
    match &frame.raw {
        Raw::Binary(b) => hex(&b.0),
        Raw::Text { text } => match text.strip_prefix('b').map(|b64| BASE64.decode(b64)) {
            Some(Ok(bytes)) => hex(&bytes),
            _ => text.clone(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_msgpack_disconnect_with_nil_data_disconnects_the_namespace() {
    let server = PythonServer::start(&["--parser", "msgpack"]);
    for transport in [TransportMode::Websocket, TransportMode::Polling] {
        let mut client = Client::start(Options {
            parser: Parser::Msgpack,
            transport,
            ..opts(&server.url())
        });
        client.ever_state("namespace connected").await;
        client.emit("/", "disconnect-me", Vec::new(), Vec::new(), false).await;
        let gone = client.state("namespace disconnected").await;
        assert_eq!(gone.data["reason"], json!("io server disconnect"), "{transport:?}");
        let frame = packet(&mut client, PacketType::Disconnect, "/").await;
        // {type: 1, data: nil, nsp: "/"} exactly as python-socketio wrote it.
        assert_eq!(
            raw_hex(&frame),
            "83a47479706501a464617461c0a36e7370a12f",
            "{transport:?}"
        );
        assert_eq!(frame.decoded.error, None, "{transport:?}");
        assert_eq!(quirks(&frame), [Quirk::DisconnectWithNilData], "{transport:?}");
        // No namespace left: the session ends, and no reconnect (as for "io server disconnect").
        client.state("closed").await;
        client.drain_to_end().await;
        assert!(
            client.states("reconnecting").is_empty(),
            "{transport:?}\n{}",
            client.dump()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_refusal_sent_as_disconnect_is_read_as_one() {
    // always_connect=True: python-socketio admits /admin, then sends the refusal on a DISCONNECT.
    for parser in [Parser::Default, Parser::Msgpack] {
        let flag = if parser == Parser::Msgpack {
            "msgpack"
        } else {
            "default"
        };
        let server = PythonServer::start(&["--always-connect", "--parser", flag]);
        let mut client = Client::start(Options {
            parser,
            transport: TransportMode::Websocket,
            namespaces: vec!["/admin".into()],
            ..opts(&server.url())
        });
        let gone = client.ever_state("namespace disconnected").await;
        assert_eq!(gone.data["nsp"], json!("/admin"), "{parser:?}");
        assert_eq!(gone.data["message"], json!("not authorized"), "{parser:?}");
        assert!(
            gone.detail.as_deref().is_some_and(|d| d.contains("not authorized")),
            "{parser:?}: {gone:?}"
        );
        let frame = packet(&mut client, PacketType::Disconnect, "/admin").await;
        assert_eq!(frame.decoded.error, None, "{parser:?}");
        assert_eq!(quirks(&frame), [Quirk::DisconnectWithPayload], "{parser:?}");
        let data = frame.decoded.sio.and_then(|s| s.data).expect("the refusal");
        assert_eq!(data.value(), json!({"message": "not authorized"}), "{parser:?}");
        client.state("closed").await;
    }
}

/// The `welcome` event, and the CONNECT reply, on `/`.
fn is_welcome(r: &Record) -> bool {
    matches!(&r.body, Body::Frame(f) if f.dir == Some(Direction::In)
        && f.decoded.sio.as_ref().is_some_and(|s| s.event.as_deref() == Some("welcome")))
}

fn is_echo(r: &Record) -> bool {
    matches!(&r.body, Body::Frame(f) if f.dir == Some(Direction::In)
        && f.decoded.sio.as_ref().is_some_and(|s| s.event.as_deref() == Some("echo")))
}

fn is_connect_reply(r: &Record) -> bool {
    matches!(&r.body, Body::Frame(f) if f.dir == Some(Direction::In)
        && f.decoded.sio.as_ref().is_some_and(|s| s.kind == PacketType::Connect))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_events_before_the_connect_reply_are_marked() {
    // python-socketio sends what its connect handler emits (welcome) before the CONNECT reply.
    for (parser, flag) in [(Parser::Default, "default"), (Parser::Msgpack, "msgpack")] {
        let server = PythonServer::start(&["--parser", flag]);
        let mut client = Client::start(Options {
            parser,
            transport: TransportMode::Websocket,
            ..opts(&server.url())
        });
        client.ever_state("namespace connected").await;
        let welcome_at = client.position(is_welcome).expect("welcome");
        let connect_at = client.position(is_connect_reply).expect("the CONNECT reply");
        assert!(
            welcome_at < connect_at,
            "{parser:?}: python-socketio sent welcome after the CONNECT reply this time\n{}",
            client.dump()
        );
        let Body::Frame(welcome) = &client.seen[welcome_at].body else {
            unreachable!("a frame")
        };
        assert_eq!(quirks(welcome), [Quirk::EventBeforeConnect], "{parser:?}");
        // Once connected, events are ordinary.
        client.emit("/", "echo", vec![json!("later")], Vec::new(), false).await;
        let echo = client.next("the echo", is_echo).await;
        let Body::Frame(echo) = &echo.body else {
            unreachable!("a frame")
        };
        assert_eq!(quirks(echo), [], "{parser:?}");
        client.disconnect().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_unknown_namespace_gets_a_string_connect_error() {
    let server = PythonServer::start(&[]);
    let mut client = Client::start(Options {
        transport: TransportMode::Websocket,
        ..opts(&server.url())
    });
    client.ever_state("namespace connected").await;
    let refused = client.handle.join("/nope", None).await.expect_err("refused");
    assert!(refused.contains("Unable to connect"), "{refused}");
    let frame = client.frame(Direction::In, r#"44/nope,"Unable to connect""#).await;
    assert_eq!(frame.decoded.error, None);
    assert_eq!(quirks(&frame), [Quirk::StringConnectError]);
    client.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socketio_v2_string_error_is_its_own_revision_form() {
    let server = NodeServer::start(ServerKind::V2, &[]);
    let mut client = Client::start(opts(&server.url()));
    client.ever_state("namespace connected").await;
    let refused = client.handle.join("/admin", None).await.expect_err("refused");
    assert!(refused.contains("not authorized"), "{refused}");
    let frame = client.frame(Direction::In, r#"44/admin,"not authorized""#).await;
    // Revision 4 (Socket.IO 2.x) writes errors as strings: no quirk there...
    assert_eq!(frame.decoded.error, None);
    assert_eq!(quirks(&frame), []);
    client.disconnect().await;
    // ...but the same frame read as revision 5 is the form socket.io-client 3+ misreads.
    let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
    let decoded = decoder.decode(Frame::Text(r#"44/admin,"not authorized""#));
    assert_eq!(decoded.error, None);
    assert_eq!(decoded.sio.map(|s| s.quirks), Some(vec![Quirk::StringConnectError]));
}

fn sio_decode(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sio"))
        .arg("decode")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("sio decode runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn sio_decode_shows_the_dialects_and_exits_0() {
    // (arguments, what the explanation must say) for frames captured from python-socketio.
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--parser", "msgpack", "--hex", "83a47479706501a464617461c0a36e7370a12f"],
            &["Socket.IO  DISCONNECT", "quirk", "python-socketio", "parse error"],
        ),
        (
            &[r#"41/admin,{"message":"not authorized"}"#],
            &["= DISCONNECT /admin", "quirk", "always_connect"],
        ),
        (
            &[r#"44/nope,"Unable to connect""#],
            &["= CONNECT_ERROR /nope", "quirk", "empty message"],
        ),
    ];
    for (args, expected) in cases {
        let (code, out) = sio_decode(args);
        assert_eq!(code, Some(0), "{args:?}\n{out}");
        for e in *expected {
            assert!(out.contains(e), "{args:?}: {e:?} missing\n{out}");
        }
    }
    // What stays malformed still fails.
    let (code, out) = sio_decode(&["41[1]"]);
    assert_eq!(code, Some(1), "{out}");
}
