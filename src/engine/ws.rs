//! Opening a WebSocket with the session's headers and cookies; the handshake
//! (request headers, the 101 answer) becomes an [`HttpRecord`].

use std::sync::Arc;
use std::time::Instant;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use url::Url;

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, error::CapacityError, error::ProtocolError};

use super::http::{
    HttpClient, RequestFailed, describe_status, describe_tls, find_tls_error, is_lookup_failure, unresolved,
};
use crate::output::sanitize::sanitize;
use crate::record::HttpRecord;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens the socket; on failure, a message and the record of what happened.
// The record is large, but it is what the user needs to see why the handshake failed.
#[allow(clippy::result_large_err)]
pub async fn open(
    url: Url,
    http: &HttpClient,
    tls: Arc<rustls::ClientConfig>,
    authority: &str,
) -> Result<(Socket, HttpRecord), RequestFailed> {
    let mut record = HttpRecord {
        method: "GET".into(),
        url: url.to_string(),
        status: None,
        request_headers: Vec::new(),
        response_headers: Vec::new(),
        body_length: None,
        millis: None,
        error: None,
    };
    let fail = |record: HttpRecord, message: String| Err(RequestFailed::new(message, record, false));
    let mut request = match url.as_str().into_client_request() {
        Ok(r) => r,
        Err(e) => return fail(record, format!("bad WebSocket URL {url}: {e}")),
    };
    let mut extra: Vec<(String, String)> = http.headers().to_vec();
    if let Some(cookie) = http.jar.lock().ok().and_then(|j| j.header()) {
        extra.push(("Cookie".into(), cookie));
    }
    for (k, v) in &extra {
        let (Ok(name), Ok(value)) = (
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) else {
            return fail(record, format!("header {k:?} cannot be sent"));
        };
        request.headers_mut().append(name, value);
    }
    record.request_headers = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let started = Instant::now();
    // One limit for a message and for a frame: a frame can never be larger than its message.
    let config = WebSocketConfig::default()
        .max_message_size(Some(http.max_body()))
        .max_frame_size(Some(http.max_body()));
    let result =
        tokio_tungstenite::connect_async_tls_with_config(request, Some(config), true, Some(Connector::Rustls(tls)))
            .await;
    record.millis = Some(started.elapsed().as_secs_f64() * 1000.0);
    match result {
        Ok((socket, response)) => {
            record.status = Some(response.status().as_u16());
            record.response_headers = response
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            if let Ok(mut jar) = http.jar.lock() {
                for (k, v) in &record.response_headers {
                    if k.eq_ignore_ascii_case("set-cookie") {
                        jar.apply_set_cookie(v);
                    }
                }
            }
            Ok((socket, record))
        }
        Err(e) => {
            let mut permanent = false;
            let message = match &e {
                WsError::Http(response) => {
                    let status = response.status().as_u16();
                    record.status = Some(status);
                    let body = response.body().clone().unwrap_or_default();
                    record.body_length = Some(body.len());
                    // The handshake reader keeps HTTP's chunked framing (as a proxy sends it); the
                    // server's words are inside.
                    let chunked = response
                        .headers()
                        .get("transfer-encoding")
                        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
                    let body = if chunked { dechunk(&body).unwrap_or(body) } else { body };
                    permanent = (400..500).contains(&status) && status != 408 && status != 429;
                    format!("WebSocket refused: {}", describe_status(status, &body))
                }
                WsError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                    format!("connection refused at {authority}")
                }
                WsError::Io(io) if find_tls_error(io).is_some() => {
                    permanent = true;
                    format!("TLS: {}", find_tls_error(io).map(describe_tls).unwrap_or_default())
                }
                WsError::Io(io) if is_lookup_failure(&io.to_string()) => {
                    permanent = true;
                    unresolved(authority, &io.to_string())
                }
                WsError::Tls(tls) => {
                    permanent = true;
                    format!("TLS: {}", tls_message(tls))
                }
                WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch) => {
                    permanent = true;
                    "the server's Sec-WebSocket-Accept does not match our key: not a WebSocket server, or a proxy changed the handshake".into()
                }
                other => format!(
                    "WebSocket to {authority} failed: {}",
                    describe_error(other, http.max_body())
                ),
            };
            Err(RequestFailed::new(message, record, permanent))
        }
    }
}

/// A chunked HTTP body's data, or None when the framing is broken.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
}

/// A WebSocket error after the handshake, in words a user can act on.
pub fn describe_error(e: &WsError, limit: usize) -> String {
    match e {
        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => format!(
            "the server sent a WebSocket message of {size} bytes, over the limit of {max_size} bytes (--max-payload; now {limit})"
        ),
        WsError::Capacity(other) => format!("the server's WebSocket data is over a limit: {other}"),
        WsError::Utf8(why) => format!("the server sent a text frame that is not valid UTF-8 ({why}): a protocol error"),
        WsError::Protocol(ProtocolError::MaskedFrameFromServer) => {
            "the server sent a masked frame, which servers must never do: a protocol error".into()
        }
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            "the connection was cut without a WebSocket close (close 1006, abnormal closure)".into()
        }
        WsError::Protocol(p) => format!("WebSocket protocol error from the server: {p}"),
        WsError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionReset => {
            "the connection was reset (close 1006, abnormal closure)".into()
        }
        other => format!("WebSocket error: {other}"),
    }
}

/// The server's close frame: the code with its meaning (RFC 6455 §7.4), and its reason.
pub fn describe_close(frame: Option<&CloseFrame>) -> String {
    let Some(frame) = frame else {
        return "the server closed the WebSocket without a status code (1005)".into();
    };
    let code = u16::from(frame.code);
    let meaning = close_code_meaning(code);
    let reason = sanitize(frame.reason.as_str()).into_owned();
    let mut text = format!("the server closed the WebSocket with {code} ({meaning})");
    if !reason.is_empty() {
        text.push_str(&format!(": {reason}"));
    }
    text
}

pub fn close_code_meaning(code: u16) -> &'static str {
    match code {
        1000 => "normal closure",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1005 => "no status code",
        1006 => "abnormal closure",
        1007 => "invalid payload data",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "an extension was expected",
        1011 => "internal error",
        1012 => "service restart",
        1013 => "try again later",
        1014 => "bad gateway",
        1015 => "TLS handshake failure",
        3000..=3999 => "registered by a library or framework",
        4000..=4999 => "application-defined",
        _ => "not a defined code",
    }
}

fn tls_message(e: &tokio_tungstenite::tungstenite::error::TlsError) -> String {
    use tokio_tungstenite::tungstenite::error::TlsError;
    match e {
        TlsError::Rustls(inner) => describe_tls(inner),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::dechunk;

    #[test]
    fn chunked_refusals_are_read_through() {
        assert_eq!(
            dechunk(b"22\r\n{\"code\":3,\"message\":\"Bad request\"}\r\n0\r\n\r\n").as_deref(),
            Some(&b"{\"code\":3,\"message\":\"Bad request\"}"[..])
        );
        assert_eq!(dechunk(b"zz\r\nxx"), None);
        assert_eq!(dechunk(b"5\r\nab"), None);
    }
}
