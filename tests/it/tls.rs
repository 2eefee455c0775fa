//! TLS: system roots by default, --ca-cert to trust an authority, --insecure
//! to trust anything (loudly), and errors a person can act on. The server is
//! socket.io 4 over HTTPS with a certificate made here for "localhost".

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

use crate::support::node;

pub(crate) struct TlsServer {
    child: Child,
    pub(crate) port: u16,
    pub(crate) dir: PathBuf,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway authority, a "localhost" certificate it signed, and a server using it.
pub(crate) fn start() -> TlsServer {
    start_with(false)
}

/// As [`start`]; with `expired`, the certificate's validity ended in 2020.
pub(crate) fn start_with(expired: bool) -> TlsServer {
    node::ensure_installed();
    let dir = std::env::temp_dir().join(format!("sio-tls-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    if expired {
        params.not_before = rcgen::date_time_ymd(2019, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    let cert = params.signed_by(&key, &issuer).expect("cert");
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).expect("write");
    std::fs::write(dir.join("cert.pem"), cert.pem()).expect("write");
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).expect("write");
    let mut child = Command::new("node")
        .arg(node::peers_dir().join("server-tls.js"))
        .args(["--cert", dir.join("cert.pem").to_str().expect("path")])
        .args(["--key", dir.join("key.pem").to_str().expect("path")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("LISTENING line");
    let port = line
        .trim()
        .strip_prefix("LISTENING ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the TLS server did not start: {line:?}"));
    TlsServer { child, port, dir }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn listen(url: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sio"))
        .args([
            "listen",
            url,
            "--count",
            "1",
            "--event",
            "welcome",
            "--no-reconnect",
            "--timeout",
            "10s",
        ])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("run sio")
}

fn both(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn certificates_are_checked_and_errors_say_why() {
    let server = start();
    let ca = server.dir.join("ca.pem");
    let ca = ca.to_str().expect("path");
    let url = format!("https://localhost:{}", server.port);

    let o = listen(&url, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(
        both(&o).contains("TLS: certificate signed by an unknown authority"),
        "{}",
        both(&o)
    );

    let o = listen(&url, &["--ca-cert", ca]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(both(&o).contains(r#"EVENT "welcome" "tls""#), "{}", both(&o));

    let o = listen(
        &format!("wss://localhost:{}", server.port),
        &["--ca-cert", ca, "--transport", "websocket"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));

    let o = listen(&format!("https://127.0.0.1:{}", server.port), &["--ca-cert", ca]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(both(&o).contains("TLS: certificate not valid for host"), "{}", both(&o));

    let o = listen(&format!("https://127.0.0.1:{}", server.port), &["--insecure"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("WARNING: --insecure"),
        "{}",
        both(&o)
    );

    let o = listen(&url, &["--ca-cert", "/nonexistent/ca.pem"]);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(both(&o).contains("--ca-cert /nonexistent/ca.pem"), "{}", both(&o));
}

#[test]
fn an_expired_certificate_is_named_and_not_retried() {
    let server = start_with(true);
    let ca = server.dir.join("ca.pem");
    let url = format!("https://localhost:{}", server.port);
    for transport in ["polling", "websocket"] {
        // Reconnecting allowed: an expired certificate must still end the first connection.
        let o = Command::new(env!("CARGO_BIN_EXE_sio"))
            .args(["listen", &url, "--transport", transport, "--ca-cert"])
            .arg(&ca)
            .env("NO_COLOR", "1")
            .output()
            .expect("run sio");
        assert_eq!(o.status.code(), Some(1), "{}", both(&o));
        let stderr = String::from_utf8_lossy(&o.stderr);
        let last = stderr.lines().last().unwrap_or("");
        assert!(
            last.starts_with("sio: connection closed: TLS: certificate expired"),
            "{transport}: {}",
            both(&o)
        );
    }
}
