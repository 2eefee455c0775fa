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
        assert_eq!(run.verdict(id), "ok", "{id}\n{}", run.dump());
    }
    assert!(run.text("eio").contains("Engine.IO 4 only"), "{}", run.dump());
    assert!(run.text("eio").contains("allowEIO3"), "{}", run.dump());
    assert!(run.text("server").contains("Node engine.io"), "{}", run.dump());
    assert!(
        run.text("handshake").contains("pingInterval 25000 ms"),
        "{}",
        run.dump()
    );
    assert!(run.text("handshake").contains("maxPayload 1000000"), "{}", run.dump());
    // socket.io 4 without `cors` sends no Access-Control-Allow-Origin.
    assert_eq!(run.verdict("origin"), "warn", "{}", run.dump());
    assert!(run.text("origin").contains("cors_allowed_origins"), "{}", run.dump());
    assert!(run.text("origin").contains("cors: {origin"), "{}", run.dump());
}

#[test]
fn websocket_only_server_polling_is_named_and_no_stickiness_is_needed() {
    let server = NodeServer::start(ServerKind::V4, &["--transports", "websocket"]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    assert_eq!(run.verdict("polling"), "warn", "{}", run.dump());
    assert!(
        run.text("polling").contains("transports: ['websocket']"),
        "{}",
        run.dump()
    );
    assert_eq!(run.verdict("websocket"), "ok", "{}", run.dump());
    assert_eq!(run.verdict("upgrade"), "absent", "{}", run.dump());
    assert!(run.text("sticky").contains("not needed"), "{}", run.dump());
    assert!(run.text("eio").contains("Engine.IO 4 only"), "{}", run.dump());
    assert!(run.text("namespace /").contains("websocket"), "{}", run.dump());
}

#[test]
fn polling_only_server_is_told_apart_from_a_proxy_that_strips_upgrade() {
    let server = NodeServer::start(ServerKind::V4, &["--transports", "polling"]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    assert_eq!(run.verdict("polling"), "ok", "{}", run.dump());
    assert_eq!(run.verdict("websocket"), "warn", "{}", run.dump());
    assert!(
        run.text("websocket").contains("does not offer WebSocket"),
        "{}",
        run.dump()
    );
    assert!(!run.text("websocket").contains("proxy"), "{}", run.dump());
}

#[test]
fn a_custom_path_is_found_from_the_url_and_named_in_the_fix() {
    let server = NodeServer::start(ServerKind::V4, &["--path", "/custom/"]);
    let run = doctor(&server.url(), &["--path", "/custom/"]);
    assert_healthy(&run);
    assert_eq!(run.verdict("endpoint"), "ok", "{}", run.dump());

    // The path typed into the URL, as if it were the Engine.IO path.
    let run = doctor(&format!("{}/custom", server.url()), &[]);
    assert_eq!(run.verdict("endpoint"), "fail", "{}", run.dump());
    assert!(run.text("endpoint").contains("/custom/ answers"), "{}", run.dump());
    assert!(run.text("endpoint").contains("--path /custom/"), "{}", run.dump());
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
    assert!(run.text("eio").contains("Engine.IO 4 and 3"), "{}", run.dump());
}

#[test]
fn socketio_2_is_engineio_3_only_and_fails_a_v4_client() {
    let server = NodeServer::start(ServerKind::V2, &[]);
    let run = doctor(&server.url(), &[]);
    assert_healthy(&run);
    assert_eq!(run.verdict("eio"), "warn", "{}", run.dump());
    assert!(run.text("eio").contains("Engine.IO 3 only"), "{}", run.dump());
    assert!(run.text("eio").contains("revision 3 framing"), "{}", run.dump());
    assert!(run.text("server").contains("engine.io 3.x"), "{}", run.dump());
    assert!(run.text("handshake").contains("no maxPayload"), "{}", run.dump());
    for id in [
        "polling",
        "websocket",
        "upgrade",
        "sticky",
        "post-packets",
        "namespace /",
    ] {
        assert_eq!(run.verdict(id), "ok", "{id}\n{}", run.dump());
    }

    // A client that speaks only Engine.IO 4 cannot talk to it.
    let run = doctor(&server.url(), &["--eio", "4"]);
    assert_eq!(run.verdict("eio"), "fail", "{}", run.dump());
    assert_eq!(run.code, Some(1), "{}", run.dump());
}

#[test]
fn a_namespace_that_needs_auth_is_refused_with_the_servers_reason() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let url = format!("{}/admin", server.url());
    let run = doctor(&url, &[]);
    assert_eq!(run.verdict("namespace /admin"), "fail", "{}", run.dump());
    assert!(
        run.text("namespace /admin").contains("not authorized"),
        "{}",
        run.dump()
    );
    assert!(run.text("namespace /admin").contains("--auth"), "{}", run.dump());
    assert_eq!(run.failures(), ["namespace /admin"], "{}", run.dump());
    assert_eq!(run.code, Some(1));

    let run = doctor(&url, &["--auth", r#"{"token":"secret"}"#]);
    assert_healthy(&run);
    assert_eq!(run.verdict("namespace /admin"), "ok", "{}", run.dump());
    // The credentials are not repeated in the report.
    assert!(!run.dump().contains("secret"), "{}", run.dump());

    // -n replaces the URL's namespace, and each one is reported.
    let run = doctor(&server.url(), &["-n", "/", "-n", "/nope"]);
    assert_eq!(run.verdict("namespace /"), "ok", "{}", run.dump());
    assert_eq!(run.verdict("namespace /nope"), "fail", "{}", run.dump());
    assert!(
        run.text("namespace /nope").contains("Invalid namespace"),
        "{}",
        run.dump()
    );
}

#[test]
fn deep_holds_an_idle_long_poll_and_websocket_through_a_ping_interval() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "1500"]);
    let run = doctor(&server.url(), &["--deep"]);
    assert_healthy(&run);
    assert_eq!(run.verdict("idle-polling"), "ok", "{}", run.dump());
    assert_eq!(run.verdict("idle-websocket"), "ok", "{}", run.dump());
    assert!(
        run.seconds > 1.5,
        "the idle probes waited a whole pingInterval: {:.1} s",
        run.seconds
    );

    // Without --deep they are not run.
    let run = doctor(&server.url(), &[]);
    assert_eq!(run.verdict("idle-polling"), "absent", "{}", run.dump());
}

#[test]
fn a_web_server_that_is_not_socketio_is_named_as_such() {
    let page = b"<!DOCTYPE html><html><body>Welcome</body></html>".to_vec();
    let server = Hostile::start(move |_| Reply::Http(200, "text/html", page.clone()));
    let run = doctor(&server.url(), &[]);
    assert_eq!(run.verdict("tcp"), "ok", "{}", run.dump());
    assert_eq!(run.verdict("endpoint"), "fail", "{}", run.dump());
    assert!(run.text("endpoint").contains("an HTML page"), "{}", run.dump());
    assert!(run.text("endpoint").contains("also tried"), "{}", run.dump());
    assert_eq!(run.verdict("eio"), "absent", "{}", run.dump());
    assert_eq!(run.code, Some(1));
}

#[test]
fn a_closed_port_and_an_unknown_name_stop_at_the_first_probe() {
    let port = crate::support::nginx::free_port();
    let run = doctor(&format!("http://127.0.0.1:{port}"), &[]);
    assert_eq!(run.verdict("tcp"), "fail", "{}", run.dump());
    assert!(run.text("tcp").contains("start the server"), "{}", run.dump());
    assert_eq!(run.findings.len(), 2, "{}", run.dump());
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.trim_end().ends_with("tcp"), "{}", run.stderr);

    let run = doctor("http://sio-doctor.invalid:3000", &[]);
    assert_eq!(run.verdict("dns"), "fail", "{}", run.dump());
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
    assert!(run.text("server").contains("socketioxide"), "{}", run.dump());
    assert!(run.text("eio").contains("Engine.IO 4 and 3"), "{}", run.dump());
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
    assert_eq!(run.verdict("endpoint"), "ok", "{}", run.dump());
    assert!(
        run.findings
            .iter()
            .any(|f| f["summary"].as_str().is_some_and(|s| s.contains("not finished within"))),
        "{}",
        run.dump()
    );
    assert_eq!(run.code, Some(1), "a WebSocket that never opens is a ✗\n{}", run.dump());
}
