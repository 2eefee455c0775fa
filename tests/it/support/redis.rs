//! redis-server (Debian's package) for the socket.io nodes that share rooms
//! through `@socket.io/redis-adapter`. Installed with apt-get on first use when
//! missing (or `SIO_TEST_REDIS`); run on a port the OS picked, in memory only
//! (nothing saved), tied to the test process.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::daemon::{Tied, find_or_install, free_port};

/// redis-server, installed if missing. `Err` says why it cannot be had.
pub fn ensure_installed() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            find_or_install(
                "redis-server",
                "SIO_TEST_REDIS",
                "redis-server",
                "the tests of nodes that share rooms",
            )
        })
        .clone()
}

/// A running redis-server; stopped on drop.
pub struct Redis {
    _process: Tied,
    pub port: u16,
}

impl Redis {
    pub fn start() -> Result<Redis, String> {
        let program = ensure_installed()?;
        let port = free_port();
        let command = format!(
            "{} --port {port} --bind 127.0.0.1 --save '' --appendonly no --protected-mode no",
            program.display()
        );
        let mut process = Tied::spawn(&command, "redis-server")?;
        process.wait_for_ports(&[port], "redis-server")?;
        let redis = Redis {
            _process: process,
            port,
        };
        redis.wait_for_pong()?;
        Ok(redis)
    }

    /// `redis://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Accepting connections is not yet answering: waits for PING's PONG.
    fn wait_for_pong(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = String::new();
        while Instant::now() < deadline {
            match self.ping() {
                Ok(answer) if answer.starts_with("+PONG") => return Ok(()),
                Ok(answer) => last = answer,
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "redis-server on {} did not answer PING within 10 s: {last}",
            self.port
        ))
    }

    fn ping(&self) -> std::io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.write_all(b"PING\r\n")?;
        let mut answer = [0u8; 64];
        let n = stream.read(&mut answer)?;
        Ok(String::from_utf8_lossy(&answer[..n]).into_owned())
    }
}
