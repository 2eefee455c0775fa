//! Polling requests: one GET or POST, timed, with its headers, turned into an
//! [`HttpRecord`] so the user sees why a server said 400 or where a cookie came from.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use super::cookies::CookieJar;
use crate::record::HttpRecord;

/// The HTTP side of a session: client, extra headers, shared cookie jar.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    headers: Arc<Vec<(String, String)>>,
    pub jar: Arc<Mutex<CookieJar>>,
    /// The largest body read from the server (--max-payload).
    max_body: usize,
}

/// A request that got no usable answer: why, the record of it, and whether trying
/// again could help (a name that does not resolve or a certificate that fails
/// verification will fail the same way next time).
#[derive(Debug)]
pub struct RequestFailed {
    pub message: String,
    pub record: HttpRecord,
    pub permanent: bool,
}

impl RequestFailed {
    pub fn new(message: String, mut record: HttpRecord, permanent: bool) -> RequestFailed {
        record.error = Some(message.clone());
        RequestFailed {
            message,
            record,
            permanent,
        }
    }
}

/// A response whatever its status; `body` is the decoded body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    pub record: HttpRecord,
}

impl HttpClient {
    pub fn new(
        tls: Arc<rustls::ClientConfig>,
        headers: Vec<(String, String)>,
        jar: Arc<Mutex<CookieJar>>,
        timeout: Duration,
        max_body: usize,
    ) -> Result<HttpClient, String> {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls((*tls).clone())
            .connect_timeout(timeout)
            // Long polls wait up to pingInterval for data; the session's own timers judge liveness.
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(HttpClient {
            client,
            headers: Arc::new(headers),
            jar,
            max_body,
        })
    }

    pub fn max_body(&self) -> usize {
        self.max_body
    }

    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Sends one request; a transport failure comes back as a message and the record.
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Option<Vec<u8>>,
        authority: &str,
    ) -> Result<Response, RequestFailed> {
        let mut request_headers: Vec<(String, String)> = self.headers.iter().cloned().collect();
        if let Some(cookie) = self.jar.lock().ok().and_then(|j| j.header()) {
            request_headers.push(("Cookie".into(), cookie));
        }
        if body.is_some() {
            request_headers.push(("Content-Type".into(), "text/plain;charset=UTF-8".into()));
        }
        let mut record = HttpRecord {
            method: method.to_string(),
            url: url.to_string(),
            status: None,
            request_headers: request_headers.clone(),
            response_headers: Vec::new(),
            body_length: None,
            millis: None,
            error: None,
        };
        let mut builder = self.client.request(method, url);
        for (k, v) in &request_headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(body) = body {
            builder = builder.body(body);
        }
        let started = Instant::now();
        let max_body = self.max_body;
        let result = async {
            let mut response = builder.send().await.map_err(BodyError::Http)?;
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            // Read in chunks against the limit: a server streaming an endless body
            // must not take all the memory there is.
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(BodyError::Http)? {
                if body.len() + chunk.len() > max_body {
                    return Err(BodyError::TooLarge(body.len() + chunk.len()));
                }
                body.extend_from_slice(&chunk);
            }
            Ok((status, headers, body))
        }
        .await;
        record.millis = Some(started.elapsed().as_secs_f64() * 1000.0);
        match result {
            Ok((status, headers, body)) => {
                if let Ok(mut jar) = self.jar.lock() {
                    for (k, v) in &headers {
                        if k.eq_ignore_ascii_case("set-cookie") {
                            jar.apply_set_cookie(v);
                        }
                    }
                }
                let content_type = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    .map(|(_, v)| v.clone());
                record.status = Some(status);
                record.response_headers = headers;
                record.body_length = Some(body.len());
                Ok(Response {
                    status,
                    body,
                    content_type,
                    record,
                })
            }
            Err(BodyError::TooLarge(read)) => Err(RequestFailed::new(
                format!(
                    "the server's answer is larger than the limit of {max_body} bytes (--max-payload): {read} bytes had come when sio stopped reading"
                ),
                record,
                false,
            )),
            Err(BodyError::Http(e)) => {
                let (message, permanent) = describe_error(&e, authority);
                Err(RequestFailed::new(message, record, permanent))
            }
        }
    }
}

enum BodyError {
    Http(reqwest::Error),
    /// Bytes read when the limit was passed.
    TooLarge(usize),
}

/// A reqwest error as a person can act on it, and whether it is permanent.
pub fn describe_error(e: &reqwest::Error, authority: &str) -> (String, bool) {
    if let Some(tls) = find_tls_error(e) {
        return (format!("TLS: {}", describe_tls(tls)), true);
    }
    if e.is_redirect() {
        let to = e.url().map(|u| format!(" (last: {u})")).unwrap_or_default();
        return (
            format!("the server redirected more than 10 times: a redirect loop?{to} (check the URL and --path)"),
            true,
        );
    }
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut innermost = e.to_string();
    let mut dns = false;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return (format!("connection refused at {authority}"), false),
                std::io::ErrorKind::ConnectionReset => return (format!("connection reset by {authority}"), false),
                _ => {}
            }
        }
        innermost = s.to_string();
        dns |= innermost.starts_with("dns error") || is_lookup_failure(&innermost);
        source = s.source();
    }
    if dns {
        return (unresolved(authority, &innermost), true);
    }
    if e.is_timeout() {
        return (format!("timed out talking to {authority}"), false);
    }
    if e.is_connect() {
        return (format!("cannot connect to {authority}: {innermost}"), false);
    }
    (format!("HTTP request to {authority} failed: {innermost}"), false)
}

/// The resolver's words for a name it could not look up.
pub fn is_lookup_failure(message: &str) -> bool {
    message.contains("failed to lookup address") || message.contains("Name or service not known")
}

pub fn unresolved(authority: &str, why: &str) -> String {
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    format!("cannot resolve the host name {host:?}: {why}")
}

/// The rustls error somewhere in a chain. io::Error::source skips the error an
/// io::Error wraps (and wrappers nest), so look inside those by hand.
pub fn find_tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
        return find_tls_error(inner);
    }
    e.source().and_then(find_tls_error)
}

pub fn describe_tls(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName)
        | rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext { .. }) => {
            "certificate not valid for host".into()
        }
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
            "certificate signed by an unknown authority (try --ca-cert FILE, or --insecure)".into()
        }
        rustls::Error::InvalidCertificate(rustls::CertificateError::Expired)
        | rustls::Error::InvalidCertificate(rustls::CertificateError::ExpiredContext { .. }) => {
            "certificate expired".into()
        }
        other => other.to_string(),
    }
}

/// Engine.IO's error answers: `{"code":1,"message":"Session ID unknown"}`, a JSON
/// string (python-engineio), or anything else.
pub fn describe_status(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let detail = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(map)) => match (map.get("code"), map.get("message")) {
            (Some(code), Some(serde_json::Value::String(m))) => format!("{m} (code {code})"),
            (_, Some(serde_json::Value::String(m))) => m.clone(),
            _ => text.to_string(),
        },
        Ok(serde_json::Value::String(s)) => s,
        // A web page is no Engine.IO answer: say so instead of dumping its markup.
        _ if text.trim_start().starts_with('<') => {
            "(an HTML page, not an Engine.IO answer: is this a Socket.IO server? check the URL and --path)".into()
        }
        _ => text.chars().take(200).collect(),
    };
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let detail = crate::output::sanitize::sanitize(detail.trim()).into_owned();
    if detail.is_empty() {
        format!("server answered {status} {reason}")
    } else {
        format!("server answered {status} {detail}")
    }
}

/// The server's answer when it does not offer long-polling at all: engine.io's
/// `400 {"code":0,"message":"Transport unknown"}`, python-engineio's `400 "Invalid transport"`.
pub fn refuses_transport(status: u16, body: &[u8]) -> bool {
    if status != 400 {
        return false;
    }
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    text.contains("transport unknown") || text.contains("invalid transport")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engineio_error_bodies() {
        assert_eq!(
            describe_status(400, br#"{"code":1,"message":"Session ID unknown"}"#),
            "server answered 400 Session ID unknown (code 1)"
        );
        assert_eq!(
            describe_status(400, br#""The client is using an unsupported version""#),
            "server answered 400 The client is using an unsupported version"
        );
        assert_eq!(describe_status(500, b""), "server answered 500 Internal Server Error");
        assert_eq!(
            describe_status(404, b"<!DOCTYPE HTML>\n<html><p>Error code: 404</p></html>"),
            "server answered 404 (an HTML page, not an Engine.IO answer: is this a Socket.IO server? check the URL and --path)"
        );
    }
}
