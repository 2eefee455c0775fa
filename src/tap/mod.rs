//! `sio tap`: a reverse proxy that shows a real app's own Socket.IO traffic. The
//! core moves bytes and hands copies to per-session decoders; front ends observe
//! the records, as they observe the client engine's.
//!
//! - [`proxy`]: accept, forward to the upstream, answer (HTTP and WebSocket).
//! - [`headers`]: what changes in headers on the way (hop-by-hop, Host, X-Forwarded-*).
//! - [`session`]: one Engine.IO session seen from the middle → record bodies.
//! - [`wsframe`]: a passive WebSocket frame reader.
//! - [`command`]: the commands that act from the middle (cut, delay).

pub mod command;
pub mod headers;
mod proxy;
pub mod session;
mod upstream;
pub mod wsframe;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::proto::frame::Parser;
use crate::record::Record;

#[derive(Clone, Debug)]
pub struct Options {
    /// Where requests go: `http(s)://host:port`, optionally with a path prefix.
    pub upstream: String,
    pub listen: SocketAddr,
    pub insecure: bool,
    pub ca_cert: Option<PathBuf>,
    /// None: the default parser, switching to msgpack when binary frames say so.
    pub parser: Option<Parser>,
    /// The largest WebSocket message read for decoding (larger ones still pass).
    pub max_message: usize,
    /// How many records may wait for a slow front end before the tap waits too.
    pub record_buffer: usize,
}

/// A running tap: where it listens, and its records in order.
pub struct Running {
    pub addr: SocketAddr,
    pub records: mpsc::Receiver<Record>,
    tap: Arc<proxy::Tap>,
    accept: tokio::task::JoinHandle<()>,
}

impl Running {
    /// A handle that acts on the tap from the middle while it runs.
    pub fn controls(&self) -> Controls {
        Controls { tap: self.tap.clone() }
    }
}

/// Acting on a running tap, for debugging: cut a session, delay one of its directions.
#[derive(Clone)]
pub struct Controls {
    tap: Arc<proxy::Tap>,
}

impl Controls {
    /// Sessions the tap tracks now (closed ones are forgotten: memory follows the live count).
    pub fn live_sessions(&self) -> usize {
        self.tap.live()
    }

    /// Cuts one session's transports (by sid): watch its client reconnect.
    pub async fn cut(&self, sid: &str) -> Result<(), String> {
        self.tap.cut(sid).await
    }

    /// Holds every frame one way of a session (by sid) by `by`: watch heartbeats and ack timeouts.
    pub async fn delay(&self, sid: &str, dir: crate::record::Direction, by: Duration) -> Result<(), String> {
        self.tap.delay(sid, dir, by).await
    }

    /// Carries out one command; the answer says what was done.
    pub async fn apply(&self, command: &command::TapCommand) -> Result<String, String> {
        match command {
            command::TapCommand::Cut { sid } => self.cut(sid).await.map(|()| format!("cut {sid}")),
            command::TapCommand::Delay { sid, dir, by } => {
                self.delay(sid, *dir, *by).await?;
                let way = session::direction_words(*dir);
                Ok(match by.is_zero() {
                    true => format!("{sid}: {way} no longer delayed"),
                    false => format!("{sid}: {way} delayed by {} ms", by.as_millis()),
                })
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// The upstream URL as the tap needs it: http(s), a host, no query.
pub fn parse_upstream(upstream: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(upstream).map_err(|e| format!("{upstream:?} is not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" => {}
        "ws" | "wss" => {
            return Err(format!(
                "{upstream:?}: give the upstream as http:// or https:// (the tap forwards WebSocket upgrades to it)"
            ));
        }
        other => return Err(format!("{upstream:?}: scheme {other:?} is not http or https")),
    }
    if url.host_str().is_none() {
        return Err(format!("{upstream:?} names no host"));
    }
    if url.query().is_some() {
        return Err(format!(
            "{upstream:?}: the upstream takes no query (clients send their own)"
        ));
    }
    Ok(url)
}

/// Binds the listening address and starts forwarding on the current runtime.
pub async fn start(options: Options) -> Result<Running, String> {
    let upstream = parse_upstream(&options.upstream)?;
    let tls = crate::engine::tls::client_config(options.ca_cert.as_deref(), options.insecure)?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        // The client follows redirects itself; the proxy passes them on as they are.
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        // Upgrades need HTTP/1.1 end to end.
        .http1_only()
        .tcp_nodelay(true)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let (tx, records) = mpsc::channel(options.record_buffer.max(1));
    let polling_client = upstream::Upstream::new(&upstream, tls.clone())?;
    let tap = Arc::new(proxy::Tap::new(
        upstream.clone(),
        client,
        polling_client,
        options.parser,
        options.max_message,
        tx,
    ));
    tap.emit(
        None,
        vec![session::state(
            "listening",
            Some(format!("http://{addr} → {upstream}")),
            json!({"listen": addr.to_string(), "upstream": upstream.as_str()}),
        )],
    )
    .await;
    let accept = tokio::spawn(accept_loop(listener, tap.clone()));
    Ok(Running {
        addr,
        records,
        tap,
        accept,
    })
}

async fn accept_loop(listener: TcpListener, tap: Arc<proxy::Tap>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(ok) => ok,
            // Out of file descriptors and the like: pause instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let tap = tap.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| tap.clone().handle(req, peer));
            // A client that goes away mid-request is its own business.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_are_checked() {
        assert!(parse_upstream("http://127.0.0.1:3000").is_ok());
        assert!(parse_upstream("https://example.test/app/").is_ok());
        for (bad, why) in [
            ("ws://127.0.0.1:3000", "http:// or https://"),
            ("ftp://h", "not http"),
            ("127.0.0.1:3000", "not a URL"),
            ("http://h/?x=1", "no query"),
        ] {
            let err = parse_upstream(bad).expect_err(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
