//! The tap's client for Engine.IO polling requests: HTTP/1.1 straight on hyper, with a
//! small pool of kept-alive connections to the one upstream. Polling is the hot path (a
//! request each way per message); through reqwest each request parsed the URL again on
//! the way back and went through its redirect, cookie and retry layers: about a quarter
//! of the tap's CPU on that path. Everything else (the page, WebSocket handshakes) still
//! goes through reqwest, once per request or session.

use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Idle connections kept for the next requests (more are closed once answered).
const MAX_IDLE: usize = 32;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub(super) struct Upstream {
    /// `host:port`, as connected to.
    address: String,
    /// The Host header the upstream gets (its own name: virtual hosts and TLS need it).
    host: HeaderValue,
    tls: Option<(tokio_rustls::TlsConnector, ServerName<'static>)>,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

/// What the upstream answered, its body read whole.
pub(super) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Upstream {
    pub(super) fn new(url: &url::Url, tls: Arc<rustls::ClientConfig>) -> Result<Upstream, String> {
        let host = url.host_str().ok_or_else(|| format!("{url} names no host"))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| format!("{url} names no port"))?;
        let host_header = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let tls = match url.scheme() {
            "https" => {
                let name = match url.host() {
                    Some(url::Host::Ipv4(ip)) => ServerName::IpAddress(std::net::IpAddr::V4(ip).into()),
                    Some(url::Host::Ipv6(ip)) => ServerName::IpAddress(std::net::IpAddr::V6(ip).into()),
                    _ => ServerName::try_from(host.to_string()).map_err(|e| format!("{host}: {e}"))?,
                };
                Some((tokio_rustls::TlsConnector::from(tls), name))
            }
            _ => None,
        };
        Ok(Upstream {
            address: format!("{host}:{port}"),
            host: HeaderValue::from_str(&host_header).map_err(|e| format!("{host_header}: {e}"))?,
            tls,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends one request (`target`: the path and query) and reads the whole answer.
    pub(super) async fn send(
        &self,
        method: Method,
        target: &str,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<Answer, String> {
        headers.insert(header::HOST, self.host.clone());
        let mut request = Request::builder()
            .method(method)
            .uri(target)
            .body(Full::new(body))
            .map_err(|e| format!("cannot forward {target:?}: {e}"))?;
        *request.headers_mut() = headers;
        // A kept-alive connection the server has just closed gives the request back
        // unsent: it goes again on a new connection (a request once sent never does).
        let (mut sender, reused) = match self.checkout() {
            Some(s) => (s, true),
            None => (self.connect().await?, false),
        };
        let response = match sender.try_send_request(request).await {
            Ok(r) => r,
            Err(mut e) => match e.take_message() {
                Some(request) if reused => {
                    sender = self.connect().await?;
                    sender.send_request(request).await.map_err(|e| chain(&e))?
                }
                _ => return Err(chain(e.error())),
            },
        };
        let (parts, incoming) = response.into_parts();
        let body = incoming.collect().await.map_err(|e| chain(&e))?.to_bytes();
        self.checkin(sender);
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    fn checkout(&self) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(s) = idle.pop() {
            if s.is_ready() {
                return Some(s);
            }
        }
        None
    }

    fn checkin(&self, sender: SendRequest<Full<Bytes>>) {
        if !sender.is_ready() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(sender);
        }
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, String> {
        let tcp = TcpStream::connect(&self.address)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.address))?;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = match &self.tls {
            Some((connector, name)) => Box::new(
                connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| format!("TLS with {}: {e}", self.address))?,
            ),
            None => Box::new(tcp),
        };
        let (sender, connection) = http1::handshake(TokioIo::new(io)).await.map_err(|e| chain(&e))?;
        // The connection's own task: it ends when the upstream or the pool lets it go.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }
}

/// hyper's message with its causes ("connection closed before message completed"…).
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}
