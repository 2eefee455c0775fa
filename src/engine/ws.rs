//! Opening a WebSocket with the session's headers and cookies; the handshake
//! (request headers, the 101 answer) becomes an [`HttpRecord`].

use std::sync::Arc;
use std::time::Instant;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use url::Url;

use super::http::{HttpClient, describe_status, describe_tls, find_tls_error};
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
) -> Result<(Socket, HttpRecord), (String, HttpRecord)> {
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
    let fail = |mut record: HttpRecord, message: String| {
        record.error = Some(message.clone());
        Err((message, record))
    };
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
    let result =
        tokio_tungstenite::connect_async_tls_with_config(request, None, true, Some(Connector::Rustls(tls))).await;
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
            use tokio_tungstenite::tungstenite::Error;
            let message = match &e {
                Error::Http(response) => {
                    record.status = Some(response.status().as_u16());
                    let body = response.body().clone().unwrap_or_default();
                    record.body_length = Some(body.len());
                    format!(
                        "WebSocket refused: {}",
                        describe_status(response.status().as_u16(), &body)
                    )
                }
                Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                    format!("connection refused at {authority}")
                }
                Error::Io(io) if find_tls_error(io).is_some() => {
                    format!("TLS: {}", find_tls_error(io).map(describe_tls).unwrap_or_default())
                }
                Error::Tls(tls) => format!("TLS: {}", tls_message(tls)),
                other => format!("WebSocket to {authority} failed: {other}"),
            };
            fail(record, message)
        }
    }
}

fn tls_message(e: &tokio_tungstenite::tungstenite::error::TlsError) -> String {
    use tokio_tungstenite::tungstenite::error::TlsError;
    match e {
        TlsError::Rustls(inner) => describe_tls(inner),
        other => other.to_string(),
    }
}
