//! Can the server be reached at all: the name, a TCP connection, and for https
//! the TLS handshake and the certificate chain the server sends.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rustls::CertificateError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier as _;
use rustls::pki_types::{ServerName, UnixTime};
use tokio::net::TcpStream;

use super::cert::{CertInfo, date};
use super::context::{Context, seconds};
use super::{Finding, Verdict};
use crate::engine::http::describe_tls;
use crate::engine::tls::AcceptAnything;

/// Certificates that end sooner than this are worth a warning.
const EXPIRY_WARNING_DAYS: i64 = 14;

/// DNS, TCP, TLS. False when the server cannot be reached, so nothing else can run.
pub async fn probe(ctx: &Context, findings: &mut Vec<Finding>) -> bool {
    let host = ctx
        .target
        .host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = ctx.target.port;
    let addresses = match resolve(ctx, &host, port).await {
        Ok((finding, addresses)) => {
            findings.push(finding);
            addresses
        }
        Err(finding) => {
            findings.push(finding);
            return false;
        }
    };
    let Some(stream) = tcp(ctx, &addresses, findings).await else {
        return false;
    };
    if ctx.target.secure {
        let finding = tls(ctx, &host, stream).await;
        let trusted = finding.verdict != Verdict::Fail;
        findings.push(finding);
        // Every later request would fail on the same certificate.
        return trusted;
    }
    true
}

async fn resolve(ctx: &Context, host: &str, port: u16) -> Result<(Finding, Vec<SocketAddr>), Finding> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok((
            Finding::ok("dns", format!("{host} is an address: no name to look up")),
            vec![SocketAddr::new(ip, port)],
        ));
    }
    let started = Instant::now();
    match tokio::time::timeout(ctx.step, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(found)) => {
            let addresses: Vec<SocketAddr> = found.collect();
            let list: Vec<String> = addresses.iter().map(|a| a.ip().to_string()).collect();
            Ok((
                Finding::ok(
                    "dns",
                    format!(
                        "{host} resolves to {} ({})",
                        list.join(", "),
                        seconds(started.elapsed())
                    ),
                ),
                addresses,
            ))
        }
        Ok(Err(e)) => Err(Finding::fail("dns", format!("{host} does not resolve: {e}"))
            .fix("check the host name in the URL; on this machine, check /etc/hosts and the DNS server (`getent hosts NAME`)")),
        Err(_) => Err(
            Finding::fail("dns", format!("no DNS answer for {host} within {}", seconds(ctx.step)))
                .fix("the resolver does not answer: check /etc/resolv.conf and the network"),
        ),
    }
}

async fn tcp(ctx: &Context, addresses: &[SocketAddr], findings: &mut Vec<Finding>) -> Option<TcpStream> {
    let mut evidence = Vec::new();
    for address in addresses {
        let started = Instant::now();
        match tokio::time::timeout(ctx.step, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                let took = started.elapsed();
                findings.push(
                    Finding::ok("tcp", format!("{address} accepts connections ({})", ms(took))).with_evidence(evidence),
                );
                return Some(stream);
            }
            Ok(Err(e)) => evidence.push(format!("connect {address} → {e}")),
            Err(_) => evidence.push(format!("connect {address} → no answer within {}", seconds(ctx.step))),
        }
    }
    let refused = evidence.iter().any(|e| e.contains("refused"));
    let port = ctx.target.port;
    let finding = if refused {
        Finding::fail("tcp", format!("nothing accepts connections on port {port}"))
            .fix(format!(
                "start the server, or fix the port in the URL; a server bound to 127.0.0.1 is not reachable from \
                 other machines (listen on 0.0.0.0), and in a container the port must be published (docker -p {port}:{port})"
            ))
    } else {
        Finding::fail("tcp", format!("port {port} does not answer"))
            .fix("a firewall or security group drops the connection, or the host is down")
    };
    findings.push(finding.with_evidence(evidence));
    None
}

fn ms(d: std::time::Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn tls(ctx: &Context, host: &str, stream: TcpStream) -> Finding {
    crate::engine::tls::install_provider();
    let provider = rustls::crypto::ring::default_provider();
    // Accept whatever comes, then judge the chain with the roots the transports use,
    // so every problem is named rather than the first one rustls stops at.
    let recorder = Arc::new(AcceptAnything::new(provider.clone()));
    let config = match rustls::ClientConfig::builder_with_provider(Arc::new(provider.clone()))
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth(),
        Err(e) => return Finding::fail("tls", format!("TLS cannot be set up here: {e}")),
    };
    let Ok(name) = ServerName::try_from(host.to_string()) else {
        return Finding::fail("tls", format!("{host:?} is not a name TLS can check"));
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let started = Instant::now();
    let version = match tokio::time::timeout(ctx.step, connector.connect(name.clone(), stream)).await {
        Ok(Ok(tls)) => tls
            .get_ref()
            .1
            .protocol_version()
            .map(|v| format!("{v:?}").replace('_', "."))
            .unwrap_or_default(),
        Ok(Err(e)) => {
            return Finding::fail("tls", format!("the TLS handshake failed: {e}")).fix(
                "is this port serving HTTPS? For a plain HTTP server use http:// (or ws://); behind a proxy, \
                 check that TLS ends where the URL says (nginx: listen 443 ssl; HAProxy: bind :443 ssl crt FILE)",
            );
        }
        Err(_) => {
            return Finding::fail("tls", format!("no TLS answer within {}", seconds(ctx.step)))
                .fix("the port accepts TCP but does not speak TLS: is it a plain HTTP port (use http://)?");
        }
    };
    let took = started.elapsed();
    let chain = recorder.chain();
    let infos: Vec<CertInfo> = chain.iter().filter_map(|c| CertInfo::parse(c).ok()).collect();
    let evidence: Vec<String> = infos
        .iter()
        .enumerate()
        .map(|(i, c)| format!("certificate {}: {}", i + 1, c.line()))
        .collect();
    let Some((leaf, intermediates)) = chain.split_first() else {
        return Finding::fail("tls", "the server sent no certificate");
    };
    let verdict = match crate::engine::tls::root_store(ctx.options.ca_cert.as_deref()) {
        Ok(roots) => WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::new(provider))
            .build()
            .map_err(|e| (format!("cannot check the certificate: {e}"), String::new()))
            .and_then(|v| {
                v.verify_server_cert(leaf, intermediates, &name, &[], UnixTime::now())
                    .map(|_| ())
                    .map_err(|e| describe_problem(&e, ctx, host, infos.first(), infos.len()))
            }),
        Err(e) => Err((e, "check the --ca-cert file".to_string())),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let first = infos.first();
    match verdict {
        Ok(()) => {
            let summary = format!(
                "{version}, certificate for {} trusted ({} in the chain, {})",
                first.map_or("?".into(), |c| c.subject.clone()),
                chain.len(),
                ms(took)
            );
            match first {
                Some(c) if c.not_after - now < EXPIRY_WARNING_DAYS * 86_400 => {
                    Finding::warn("tls", format!("{summary}, but it expires on {}", date(c.not_after)))
                        .fix("renew the certificate before it expires (certbot renew, or your authority's process)")
                }
                _ => Finding::ok("tls", summary),
            }
            .with_evidence(evidence)
        }
        Err((summary, fix)) => {
            // With --insecure sio connects anyway; clients that check certificates will not.
            let finding = if ctx.options.insecure {
                Finding::warn(
                    "tls",
                    format!("{summary} (sio runs with --insecure; clients that check certificates fail)"),
                )
            } else {
                Finding::new("tls", Verdict::Fail, summary)
            };
            finding.with_evidence(evidence).fix(fix)
        }
    }
}

/// A verification failure: what is wrong and what fixes it.
fn describe_problem(
    e: &rustls::Error,
    ctx: &Context,
    host: &str,
    leaf: Option<&CertInfo>,
    sent: usize,
) -> (String, String) {
    let issuer = leaf.map_or("?".to_string(), |c| c.issuer.clone());
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            let summary = format!("the certificate chain ends at {issuer}, an authority this machine does not trust");
            let fix = if ctx.options.ca_cert.is_some() {
                "the --ca-cert file is not the authority that signed this chain: pass the certificate of the \
                 authority named above"
                    .to_string()
            } else if leaf.is_some_and(CertInfo::self_signed) || sent > 1 {
                "trust the authority: sio --ca-cert CA.pem; Node clients: the `ca` option or NODE_EXTRA_CA_CERTS=CA.pem; \
                 python-socketio: ssl_verify='CA.pem' (or REQUESTS_CA_BUNDLE); or give the server a certificate from a \
                 public authority"
                    .to_string()
            } else {
                "the server sends only its own certificate: if its authority is public, send the intermediate \
                 certificates too (nginx: ssl_certificate with the full-chain file; HAProxy: the chain in the crt \
                 PEM); for a private authority: sio --ca-cert CA.pem, NODE_EXTRA_CA_CERTS for Node clients"
                    .to_string()
            };
            (summary, fix)
        }
        rustls::Error::InvalidCertificate(CertificateError::NotValidForName)
        | rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. }) => {
            let names = leaf.map(|c| c.names.join(", ")).unwrap_or_default();
            (
                format!("the certificate is for {names}, not {host}"),
                format!("connect with a name the certificate holds, or reissue it with {host} in subjectAltName"),
            )
        }
        rustls::Error::InvalidCertificate(CertificateError::Expired)
        | rustls::Error::InvalidCertificate(CertificateError::ExpiredContext { .. }) => (
            format!(
                "the certificate expired on {}",
                leaf.map_or("?".to_string(), |c| date(c.not_after))
            ),
            "renew the certificate and reload the server or proxy (certbot renew; nginx -s reload)".into(),
        ),
        other => (
            format!("the certificate is not accepted: {}", describe_tls(other)),
            "check the certificate the server sends (openssl s_client -connect HOST:PORT -showcerts)".into(),
        ),
    }
}
