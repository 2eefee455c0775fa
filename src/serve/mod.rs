//! An embedded Socket.IO server for debugging clients, built on socketioxide.
//!
//! [`start`] binds, serves "/" and "/admin" (see [`behaviour`] for what they
//! do) and hands back a [`Server`] and a channel of [`Entry`]s: every
//! connection, refusal, received event and disconnection, as it happens.
//! `sio serve` prints them; tests and other front ends may consume them.
//!
//! Socket.IO 3/4 clients (Engine.IO 4, Socket.IO protocol 5) and Socket.IO 2
//! clients (Engine.IO 3, protocol 4) are both served, with two limits of
//! socketioxide 0.18 for the latter: binary sent to them over HTTP
//! long-polling is mis-encoded (WebSocket is fine), and a query on a
//! namespace (`io(url + "/admin?token=x")`) becomes part of the namespace's
//! name, so the namespace is not found (the Engine.IO query works).

mod args;
mod behaviour;
mod entry;
mod flood;
mod http;
mod tick;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use socketioxide::{SocketIo, TransportType};
use tokio::net::TcpListener;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::task::JoinHandle;

pub use args::{Arg, Args};
pub use behaviour::NOT_AUTHORIZED;
pub use entry::{Entry, Seen};
pub use flood::MAX_SIZE as MAX_FLOOD_SIZE;

/// Which transports clients may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transports {
    Both,
    PollingOnly,
    WebsocketOnly,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Address or host name to bind; 127.0.0.1 unless the user insists.
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    /// The Engine.IO path, e.g. `/socket.io`.
    pub path: String,
    pub ping_interval: Duration,
    pub ping_timeout: Duration,
    pub transports: Transports,
    /// The token "/admin" admits.
    pub token: String,
    /// How often "/" gets a "tick"; `None` for never.
    pub tick: Option<Duration>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            host: "127.0.0.1".into(),
            port: 3000,
            path: "/socket.io".into(),
            ping_interval: Duration::from_secs(25),
            ping_timeout: Duration::from_secs(20),
            transports: Transports::Both,
            token: "secret".into(),
            tick: Some(Duration::from_secs(1)),
        }
    }
}

/// `socket.io/` → `/socket.io`: one leading slash, no trailing one (`/` stays `/`).
pub fn normalize_path(path: &str) -> String {
    let trimmed = path.trim().trim_matches('/');
    format!("/{trimmed}")
}

/// A running server. Dropping it stops accepting connections; [`Server::shutdown`]
/// also says goodbye to the clients.
pub struct Server {
    addr: SocketAddr,
    io: SocketIo,
    tasks: Vec<JoinHandle<()>>,
}

/// Binds and starts serving. Must run inside a Tokio runtime.
pub async fn start(config: Config) -> std::io::Result<(Server, UnboundedReceiver<Entry>)> {
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot listen on {}:{}: {e}", config.host, config.port),
            )
        })?;
    let addr = listener.local_addr()?;

    let builder = SocketIo::builder()
        .req_path(normalize_path(&config.path))
        .ping_interval(config.ping_interval)
        .ping_timeout(config.ping_timeout)
        // Like Node's maxHttpBufferSize: the largest polling body a client may POST.
        .max_payload(1_000_000);
    let builder = match config.transports {
        Transports::Both => builder.transports([TransportType::Polling, TransportType::Websocket]),
        Transports::PollingOnly => builder.transports([TransportType::Polling]),
        Transports::WebsocketOnly => builder.transports([TransportType::Websocket]),
    };
    let (service, io) = builder.build_svc();

    let (entries, receiver) = mpsc::unbounded_channel();
    behaviour::install(
        &io,
        Arc::new(behaviour::Shared {
            entries,
            token: config.token.clone(),
        }),
    );

    let mut tasks = vec![tokio::spawn(http::accept_loop(listener, service))];
    if let Some(period) = config.tick.filter(|p| !p.is_zero()) {
        tasks.push(tokio::spawn(tick::run(io.clone(), period)));
    }
    Ok((Server { addr, io, tasks }, receiver))
}

impl Server {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:3000` (IPv6 addresses in brackets).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, then disconnects every client (waiting at most `grace`).
    pub async fn shutdown(mut self, grace: Duration) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
        let _ = tokio::time::timeout(grace, self.io.close()).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_get_one_leading_slash_and_no_trailing_one() {
        assert_eq!(normalize_path("/socket.io/"), "/socket.io");
        assert_eq!(normalize_path("socket.io"), "/socket.io");
        assert_eq!(normalize_path("/a/b/"), "/a/b");
        assert_eq!(normalize_path("/"), "/");
    }
}
