//! `sio doctor` against real Node socket.io servers (4.8 in its usual setups,
//! 2.5), a server that is not Socket.IO, a closed port and a name that does not
//! resolve: each verdict checked against what the test knows to be true.

use crate::support::doctor::{DoctorRun, doctor};
use crate::support::hostile::{Hostile, Reply};
use crate::support::node::{NodeServer, ServerKind};

/// A healthy deployment: no ✗, exit 0, within the default run's ~15 s.
fn assert_healthy(run: &DoctorRun) {
    assert!(run.failures().is_empty(), "{}", run.dump());
    assert_eq!(run.code, Some(0), "{}", run.dump());
    assert!(run.seconds < 15.0, "took {:.1} s\n{}", run.seconds, run.dump());
}

#[test]
fn socketio_4_default_is_healthy_and_every_probe_says_so() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    for id in [
        "dns",
        "tcp",
        "endpoint",
        "server",
        "handshake",
        "polling",
        "websocket",
        "upgrade",
        "sticky",
        "post-packets",
        "namespace /",
        "latency",
    ] {
        run.expect(id, "ok");
    }
    run.says("eio", "Engine.IO 4 only");
    run.says("eio", "allowEIO3");
    run.says("server", "Node engine.io");
    run.says("handshake", "pingInterval 25000 ms");
    run.says("handshake", "maxPayload 1000000");
    // socket.io 4 without `cors` sends no Access-Control-Allow-Origin.
    run.expect("origin", "warn");
    run.says("origin", "cors_allowed_origins");
    run.says("origin", "cors: {origin");
}

#[test]
fn websocket_only_server_polling_is_named_and_no_stickiness_is_needed() {
    let server = NodeServer::start(ServerKind::V4, &["--transports", "websocket"]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    run.expect("polling", "warn");
    run.says("polling", "transports: ['websocket']");
    run.expect("websocket", "ok");
    run.expect("upgrade", "absent");
    run.says("sticky", "not needed");
    run.says("eio", "Engine.IO 4 only");
    run.says("namespace /", "websocket");
}

#[test]
fn polling_only_server_is_told_apart_from_a_proxy_that_strips_upgrade() {
    let server = NodeServer::start(ServerKind::V4, &["--transports", "polling"]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    run.expect("polling", "ok");
    run.expect("websocket", "warn");
    run.says("websocket", "does not offer WebSocket");
    assert!(!run.text("websocket").contains("proxy"), "{}", run.dump());
}

#[test]
fn a_custom_path_is_found_from_the_url_and_named_in_the_fix() {
    let server = NodeServer::start(ServerKind::V4, &["--path", "/custom/"]);
    let run = doctor(&server.url(), &["--path", "/custom/"]);
    assert_healthy(&run);
    run.expect("endpoint", "ok");

    // The path typed into the URL, as if it were the Engine.IO path.
    let run = doctor(&format!("{}/custom", server.url()), &[]);
    run.expect("endpoint", "fail");
    run.says("endpoint", "/custom/ answers");
    run.says("endpoint", "--path /custom/");
    assert_eq!(run.code, Some(1), "{}", run.dump());
    assert!(run.seconds < 15.0, "took {:.1} s", run.seconds);
    let last = run.stderr.lines().last().unwrap_or("");
    assert!(last.starts_with("sio: doctor: "), "{}", run.stderr);
    assert!(last.contains("endpoint"), "{}", run.stderr);
}

#[test]
fn allow_eio3_admits_both_client_generations() {
    let server = NodeServer::start(ServerKind::V4, &["--allow-eio3"]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    run.says("eio", "Engine.IO 4 and 3");
}

#[test]
fn socketio_2_is_engineio_3_only_and_fails_a_v4_client() {
    let server = NodeServer::start(ServerKind::V2, &[]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    run.expect("eio", "warn");
    run.says("eio", "Engine.IO 3 only");
    run.says("eio", "revision 3 framing");
    run.says("server", "engine.io 3.x");
    run.says("handshake", "no maxPayload");
    for id in [
        "polling",
        "websocket",
        "upgrade",
        "sticky",
        "post-packets",
        "namespace /",
    ] {
        run.expect(id, "ok");
    }

    // A client that speaks only Engine.IO 4 cannot talk to it.
    let run = doctor(&server.url(), &["--eio", "4"]);
    run.expect("eio", "fail");
    assert_eq!(run.code, Some(1), "{}", run.dump());
}

#[test]
fn a_namespace_that_needs_auth_is_refused_with_the_servers_reason() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let url = format!("{}/admin", server.url());
    let run = doctor(&url, &[]);
    run.expect("namespace /admin", "fail");
    run.says("namespace /admin", "not authorized");
    run.says("namespace /admin", "--auth");
    assert_eq!(run.failures(), ["namespace /admin"], "{}", run.dump());
    assert_eq!(run.code, Some(1));

    let run = doctor(&url, &["--auth", r#"{"token":"secret"}"#]);
    assert_healthy(&run);
    run.expect("namespace /admin", "ok");
    // The credentials are not repeated in the report.
    assert!(!run.dump().contains("secret"), "{}", run.dump());

    // -n replaces the URL's namespace, and each one is reported.
    let run = doctor(&server.url(), &["-n", "/", "-n", "/nope"]);
    run.expect("namespace /", "ok");
    run.expect("namespace /nope", "fail");
    run.says("namespace /nope", "Invalid namespace");
}

#[test]
fn deep_holds_an_idle_long_poll_and_websocket_through_a_ping_interval() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "1500"]);
    let run = doctor(&server.url(), &["--deep"]);
    assert_healthy(&run);
    run.expect("idle-polling", "ok");
    run.expect("idle-websocket", "ok");
    assert!(
        run.seconds > 1.5,
        "the idle probes waited a whole pingInterval: {:.1} s",
        run.seconds
    );

    // Without --deep they are not run.
    let run = doctor(&server.url(), &[]);
    run.expect("idle-polling", "absent");
}

#[test]
fn a_web_server_that_is_not_socketio_is_named_as_such() {
    let page = b"<!DOCTYPE html><html><body>Welcome</body></html>".to_vec();
    let server = Hostile::start(move |_| Reply::Http(200, "text/html", page.clone()));
    let run = doctor(&server.url(), &[]);
    run.expect("tcp", "ok");
    run.expect("endpoint", "fail");
    run.says("endpoint", "an HTML page");
    run.says("endpoint", "also tried");
    run.expect("eio", "absent");
    assert_eq!(run.code, Some(1));
}

#[test]
fn a_closed_port_and_an_unknown_name_stop_at_the_first_probe() {
    let port = crate::support::nginx::free_port();
    let run = doctor(&format!("http://127.0.0.1:{port}"), &[]);
    run.expect("tcp", "fail");
    run.says("tcp", "start the server");
    assert_eq!(run.findings.len(), 2, "{}", run.dump());
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.trim_end().ends_with("tcp"), "{}", run.stderr);

    let run = doctor("http://sio-doctor.invalid:3000", &[]);
    run.expect("dns", "fail");
    assert_eq!(run.findings.len(), 1, "{}", run.dump());
    assert_eq!(run.code, Some(1));
}

#[test]
fn the_human_report_has_marks_evidence_fixes_and_a_count() {
    let server = NodeServer::start(ServerKind::V4, &["--transports", "polling"]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(["doctor", &server.url()])
        .env("NO_COLOR", "1")
        .output()
        .expect("run sio");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.starts_with(&format!("sio doctor {}\n", server.url())), "{text}");
    assert!(text.contains("✓ tcp "), "{text}");
    assert!(text.contains("⚠ websocket "), "{text}");
    assert!(text.contains("GET /socket.io/?EIO=4&transport=websocket"), "{text}");
    assert!(text.contains("fix: "), "{text}");
    let last = text.lines().last().unwrap_or("");
    assert!(last.contains(" ✓, ") && last.contains(" ⚠, 0 ✗ in "), "{text}");
}

#[test]
fn socketioxide_is_recognised_by_its_string_error_codes() {
    let server = crate::serve_cli::Serve::start(&["--no-tick"]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    run.says("server", "socketioxide");
    run.says("eio", "Engine.IO 4 and 3");
}

#[test]
fn bad_arguments_exit_2_with_the_reason_last() {
    for args in [
        vec!["ftp://127.0.0.1:1"],
        vec!["http://127.0.0.1:1", "--cookie", "no-equals-sign"],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_sio"))
            .arg("doctor")
            .args(&args)
            .output()
            .expect("run sio");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.lines().last().is_some_and(|l| l.starts_with("sio: ")),
            "{stderr}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn a_server_that_goes_silent_after_the_handshake_still_gets_a_report_in_time() {
    use crate::support::hostile::{open_packet, text};
    let server = Hostile::start(|r| {
        if r.has_sid() || r.is_websocket() || r.method != "GET" {
            Reply::Hang
        } else {
            text(200, &open_packet(&["websocket"], 25000, 20000))
        }
    });
    let run = doctor(&server.url(), &[]);
    assert!(run.seconds < 17.0, "took {:.1} s\n{}", run.seconds, run.dump());
    run.expect("endpoint", "ok");
    assert!(
        run.findings
            .iter()
            .any(|f| f["summary"].as_str().is_some_and(|s| s.contains("not finished within"))),
        "{}",
        run.dump()
    );
    assert_eq!(run.code, Some(1), "a WebSocket that never opens is a ✗\n{}", run.dump());
}
