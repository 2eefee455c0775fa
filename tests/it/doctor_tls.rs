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
    assert_eq!(run.verdict("tls"), "fail", "{}", run.dump());
    assert!(run.text("tls").contains("does not trust"), "{}", run.dump());
    assert!(run.text("tls").contains("--ca-cert"), "{}", run.dump());
    assert!(run.text("tls").contains("NODE_EXTRA_CA_CERTS"), "{}", run.dump());
    assert!(run.text("tls").contains("certificate 1: subject"), "{}", run.dump());
    assert!(run.text("tls").contains("names: localhost"), "{}", run.dump());
    assert_eq!(run.code, Some(1));

    let run = doctor(&url, &["--ca-cert", ca]);
    assert!(run.failures().is_empty(), "{}", run.dump());
    assert_eq!(run.verdict("tls"), "ok", "{}", run.dump());
    assert_eq!(run.verdict("websocket"), "ok", "{}", run.dump());
    assert_eq!(run.code, Some(0));

    let run = doctor(&format!("https://127.0.0.1:{}", server.port), &["--ca-cert", ca]);
    assert_eq!(run.verdict("tls"), "fail", "{}", run.dump());
    assert!(
        run.text("tls").contains("is for localhost, not 127.0.0.1"),
        "{}",
        run.dump()
    );
}

#[test]
fn an_expired_certificate_is_named_with_its_date() {
    let server = tls::start_with(true);
    let ca = server.dir.join("ca.pem");
    let run = doctor(
        &format!("https://localhost:{}", server.port),
        &["--ca-cert", ca.to_str().expect("path")],
    );
    assert_eq!(run.verdict("tls"), "fail", "{}", run.dump());
    assert!(run.text("tls").contains("expired on 2020-01-01"), "{}", run.dump());
    assert!(run.text("tls").contains("renew"), "{}", run.dump());
}
