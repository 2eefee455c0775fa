//! `sio doctor` against python-socketio: its refusal of a foreign Origin, and
//! python-engineio's silent drop of a POST of more than 16 packets.

use crate::support::doctor::doctor;
use crate::support::python::PythonServer;

#[test]
fn python_socketio_is_recognised_and_its_packet_limit_found() {
    let server = PythonServer::start(&[]);
    let run = doctor(&server.url(), &[]);
    assert!(run.failures().is_empty(), "{}", run.dump());
    assert_eq!(run.code, Some(0), "{}", run.dump());
    assert!(run.text("server").contains("python-engineio"), "{}", run.dump());
    assert!(run.text("eio").contains("Engine.IO 4 only"), "{}", run.dump());
    // The server offers the upgrade, so only the polling phase loses packets: a warning.
    assert_eq!(run.verdict("post-packets"), "warn", "{}", run.dump());
    assert!(
        run.text("post-packets").contains("dropped the whole payload"),
        "{}",
        run.dump()
    );
    assert!(
        run.text("post-packets").contains("max_decode_packets"),
        "{}",
        run.dump()
    );
    // The test server admits any origin.
    assert_eq!(run.verdict("origin"), "ok", "{}", run.dump());

    let raised = PythonServer::start(&["--max-decode-packets", "64"]);
    let run = doctor(&raised.url(), &[]);
    assert_eq!(run.verdict("post-packets"), "ok", "{}", run.dump());
}

#[test]
fn a_polling_only_python_server_loses_every_large_post() {
    let server = PythonServer::start(&["--transports", "polling"]);
    let run = doctor(&server.url(), &[]);
    assert_eq!(run.verdict("post-packets"), "fail", "{}", run.dump());
    assert_eq!(run.failures(), ["post-packets"], "{}", run.dump());
    assert_eq!(run.code, Some(1));
}

#[test]
fn a_foreign_origin_refused_by_python_engineio_is_named() {
    let server = PythonServer::start(&["--cors", "http://allowed.example"]);
    let run = doctor(&server.url(), &[]);
    assert_eq!(run.verdict("origin"), "warn", "{}", run.dump());
    assert!(run.text("origin").contains("not an accepted origin"), "{}", run.dump());
    assert!(run.text("origin").contains("cors_allowed_origins"), "{}", run.dump());
    assert!(run.failures().is_empty(), "{}", run.dump());
}
