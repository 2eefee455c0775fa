//! What the tap changes in headers, and nothing more: hop-by-hop headers go (they
//! belong to one connection, not the exchange), `Host` becomes the upstream's,
//! `X-Forwarded-For/-Proto` are added. `Origin`, cookies and everything else pass
//! as they came.

use std::net::IpAddr;

use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};

/// RFC 9110 §7.6.1 and the older ones every proxy also drops.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The headers with hop-by-hop ones removed, including those `Connection` names.
pub fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|t| t.trim().to_ascii_lowercase()))
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n) || named.iter().any(|c| c == n) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The request's headers as the upstream gets them. `upgrade`: a WebSocket handshake,
/// which keeps its `Upgrade` and loses `Sec-WebSocket-Extensions` so that no
/// compression is negotiated and the frames stay readable from the middle.
pub fn to_upstream(headers: &HeaderMap, peer: IpAddr, upgrade: bool) -> HeaderMap {
    let mut out = end_to_end(headers);
    // The upstream's own name (the client's is the tap's): virtual hosts and TLS need it.
    out.remove(header::HOST);
    let forwarded_for = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(earlier) => format!("{earlier}, {peer}"),
        None => peer.to_string(),
    };
    if let Ok(v) = HeaderValue::from_str(&forwarded_for) {
        out.insert(HeaderName::from_static("x-forwarded-for"), v);
    }
    if !out.contains_key("x-forwarded-proto") {
        out.insert(
            HeaderName::from_static("x-forwarded-proto"),
            HeaderValue::from_static("http"),
        );
    }
    if upgrade {
        out.remove(header::SEC_WEBSOCKET_EXTENSIONS);
        restore_upgrade(headers, &mut out);
    }
    out
}

/// The response's headers as the client gets them (`upgrade`: a 101 answer).
pub fn to_client(headers: &HeaderMap, upgrade: bool) -> HeaderMap {
    let mut out = end_to_end(headers);
    if upgrade {
        restore_upgrade(headers, &mut out);
    }
    out
}

fn restore_upgrade(from: &HeaderMap, to: &mut HeaderMap) {
    to.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    let upgrade = from
        .get(header::UPGRADE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("websocket"));
    to.insert(header::UPGRADE, upgrade);
}

/// Whether a request asks to become a WebSocket.
pub fn wants_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Headers as a record lists them.
pub fn listed(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(HeaderName::from_static(n), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn hop_by_hop_go_and_forwarding_is_added() {
        let h = map(&[
            ("host", "127.0.0.1:9"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("keep-alive", "timeout=5"),
            ("origin", "http://127.0.0.1:9"),
            ("cookie", "io=abc"),
            ("x-forwarded-for", "10.0.0.1"),
        ]);
        let out = to_upstream(&h, "127.0.0.2".parse().expect("ip"), false);
        let mut names: Vec<&str> = out.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["cookie", "origin", "x-forwarded-for", "x-forwarded-proto"]);
        assert_eq!(out["x-forwarded-for"], "10.0.0.1, 127.0.0.2");
        assert_eq!(out["origin"], "http://127.0.0.1:9");
    }

    #[test]
    fn a_websocket_handshake_keeps_its_upgrade_but_no_compression() {
        let h = map(&[
            ("connection", "Upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("sec-websocket-extensions", "permessage-deflate"),
        ]);
        assert!(wants_websocket(&h));
        let out = to_upstream(&h, "127.0.0.1".parse().expect("ip"), true);
        assert_eq!(out["upgrade"], "websocket");
        assert_eq!(out["connection"], "Upgrade");
        assert_eq!(out["sec-websocket-key"], "dGhlIHNhbXBsZSBub25jZQ==");
        assert!(!out.contains_key("sec-websocket-extensions"));
    }
}
