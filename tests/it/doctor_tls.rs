//! `sio doctor` against socket.io over HTTPS with a test authority: the chain is
//! shown, and each certificate problem is named with what fixes it.

use crate::support::doctor::doctor;
use crate::tls;

#[test]
fn an_unknown_authority_is_named_and_ca_cert_fixes_it() {
    let server = tls::start();
    let ca = server.dir.join("ca.pem");
    let ca = ca.to_str().expect("path");
    let url = format!("https://localhost:{}", server.port);

    let run = doctor(&url, &[]);
    run.expect("tls", "fail");
    run.says("tls", "does not trust");
    run.says("tls", "--ca-cert");
    run.says("tls", "NODE_EXTRA_CA_CERTS");
    run.says("tls", "certificate 1: subject");
    run.says("tls", "names: localhost");
    assert_eq!(run.code, Some(1));

    let run = doctor(&url, &["--ca-cert", ca]);
    assert!(run.failures().is_empty(), "{}", run.dump());
    run.expect("tls", "ok");
    run.expect("websocket", "ok");
    assert_eq!(run.code, Some(0));

    let run = doctor(&format!("https://127.0.0.1:{}", server.port), &["--ca-cert", ca]);
    run.expect("tls", "fail");
    run.says("tls", "is for localhost, not 127.0.0.1");
}

#[test]
fn an_expired_certificate_is_named_with_its_date() {
    let server = tls::start_with(true);
    let ca = server.dir.join("ca.pem");
    let run = doctor(
        &format!("https://localhost:{}", server.port),
        &["--ca-cert", ca.to_str().expect("path")],
    );
    run.expect("tls", "fail");
    run.says("tls", "expired on 2020-01-01");
    run.says("tls", "renew");
}

#[test]
fn insecure_connects_but_still_says_what_checking_clients_get() {
    let server = tls::start();
    let run = doctor(&format!("https://localhost:{}", server.port), &["--insecure"]);
    run.expect("tls", "warn");
    run.says("tls", "does not trust");
    run.says("tls", "--insecure");
    run.expect("websocket", "ok");
    assert_eq!(run.code, Some(0), "{}", run.dump());
    assert!(run.stderr.contains("WARNING: --insecure"), "{}", run.stderr);
}
