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
    run.says("server", "python-engineio");
    run.says("eio", "Engine.IO 4 only");
    // The server offers the upgrade, so only the polling phase loses packets: a warning.
    run.expect("post-packets", "warn");
    run.says("post-packets", "dropped the whole payload");
    run.says("post-packets", "max_decode_packets");
    // The test server admits any origin.
    run.expect("origin", "ok");

    let raised = PythonServer::start(&["--max-decode-packets", "64"]);
    let run = doctor(&raised.url(), &[]);
    run.expect("post-packets", "ok");
}

#[test]
fn a_polling_only_python_server_loses_every_large_post() {
    let server = PythonServer::start(&["--transports", "polling"]);
    let run = doctor(&server.url(), &[]);
    run.expect("post-packets", "fail");
    assert_eq!(run.failures(), ["post-packets"], "{}", run.dump());
    assert_eq!(run.code, Some(1));
}

#[test]
fn a_foreign_origin_refused_by_python_engineio_is_named() {
    let server = PythonServer::start(&["--cors", "http://allowed.example"]);
    let run = doctor(&server.url(), &[]);
    run.expect("origin", "warn");
    run.says("origin", "not an accepted origin");
    run.says("origin", "cors_allowed_origins");
    assert!(run.failures().is_empty(), "{}", run.dump());
}
