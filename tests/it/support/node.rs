//! Real Node.js Socket.IO servers for the integration tests.
//!
//! The servers live in `tests/peers/` (`server-v4.js` runs socket.io 4.8,
//! `server-v2.js` runs socket.io 2.5). Their npm dependencies are pinned by
//! `tests/peers/package-lock.json` and installed on first use by
//! [`ensure_installed`].
//!
//! ```ignore
//! let server = NodeServer::start(ServerKind::V4, &["--transports", "websocket"]);
//! connect_somehow(&server.url());
//! server.wait_for_log_containing(r#""event":"echo""#);
//! ```
//!
//! # What a server does
//!
//! It binds 127.0.0.1 on a port the OS picks, prints one line
//! `LISTENING <port>` on stdout and keeps running until its stdin closes (so a
//! crashed test never leaks a server). Everything it sees is logged on stderr
//! as one JSON object per line, with a `t` field: `listening`,
//! `engine_connection`, `engine_upgrade`, `engine_close`, `engine_error` (v4),
//! `connect`, `refused`, `event`, `answer`, `join`, `leave`, `flood_done`,
//! `disconnect`, and with `--log-packets` also `packet_in` / `packet_out`.
//! Binary values appear as `{"$hex": "010203"}`.
//!
//! Flags (both versions unless noted): `--ping-interval MS`,
//! `--ping-timeout MS`, `--transports websocket|polling|both`,
//! `--allow-eio3` (v4; accepted and ignored by v2), `--parser msgpack` (v4
//! only), `--cookie` (v4; v2 sets the `io` cookie by default and has
//! `--no-cookie`), `--recovery` (v4 only: connection state recovery),
//! `--path P`, `--max-http-buffer-size N`, `--connect-timeout MS` (v4),
//! `--upgrade-timeout MS`, `--log-packets`, `--sid-prefix P` (v4: session ids
//! start with P), `--welcome TEXT` (v4: `/` welcomes with TEXT instead of `"hi"`),
//! `--echo-delay MS` (v4: `echo` answers MS late). A bad flag makes the script exit
//! with code 2 before `LISTENING`; [`NodeServer::try_start`] reports it.
//!
//! Behaviour on `/` and `/admin`:
//! - on connect: emit `welcome` (`"hi"` on `/`, `"admin"` on `/admin`);
//! - any event sent with an ack: the ack is called with the event's args;
//! - `echo ...args`: emit `echo` with the same args;
//! - `ask [q]`: emit `question` (default `"q?"`) with an ack; the client's
//!   answer comes back as event `answered`;
//! - `join room`, `leave room` (an ack is answered once done), `to {room, event,
//!   args}` (the room), `to-others {room, event, args}` (the room but the sender),
//!   `broadcast {event, args}` (everyone but the sender): rooms and broadcasts;
//! - `binary`: emit `binary` with the bytes `01 02 03`;
//! - `disconnect-me`: the server disconnects the socket (`41`);
//! - `flood {n, size}`: `n` events `flood` carrying `size` × `"x"`, then
//!   `flood-done {n}` (and the ack, if any, is answered at the end with `{n}`).
//!
//! `/admin` admits only auth `{token: "secret"}` (v4) or the namespace query
//! `token=secret` (v2); others get the error `not authorized`.

use std::fs;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

pub use super::peer::LOG_TIMEOUT;
use super::peer::{PeerProcess, fnv1a64, install_once_locked};

/// Which reference implementation to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// socket.io 4.8 (Engine.IO rev 4, Socket.IO rev 5; rev 3 with `--allow-eio3`).
    V4,
    /// socket.io 2.5 (Engine.IO rev 3, Socket.IO rev 4).
    V2,
}

impl ServerKind {
    /// The script in `tests/peers/` that runs this kind of server.
    pub fn script(self) -> &'static str {
        match self {
            ServerKind::V4 => "server-v4.js",
            ServerKind::V2 => "server-v2.js",
        }
    }
}

/// `tests/peers/` in this crate.
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("peers")
}

/// The node binary: `$SIO_TEST_NODE` or `node` on the PATH.
pub fn node_program() -> String {
    std::env::var("SIO_TEST_NODE").unwrap_or_else(|_| "node".to_owned())
}

/// The npm binary: `$SIO_TEST_NPM` or `npm` on the PATH.
fn npm_program() -> String {
    std::env::var("SIO_TEST_NPM").unwrap_or_else(|_| if cfg!(windows) { "npm.cmd" } else { "npm" }.to_owned())
}

/// Make sure `tests/peers/node_modules` matches `package-lock.json`.
///
/// Runs `npm ci` at most once per test process (a `OnceLock`); see
/// [`npm_ci_once`]. Panics with an actionable message when node or npm is
/// missing or the install fails.
pub fn ensure_installed() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(message) = INSTALLED.get_or_init(|| npm_ci_once(&peers_dir())) {
        panic!("{message}");
    }
}

/// Make sure `dir/node_modules` matches `dir/package-lock.json`: `npm ci` under
/// an exclusive lock on `dir/.install.lock`, so parallel test binaries never
/// install over each other. A stamp holding a hash of the lock file is written
/// into `node_modules` after a successful install; while it matches, nothing is run.
pub fn npm_ci_once(dir: &Path) -> Result<(), String> {
    check_node()?;
    let lock_json = fs::read(dir.join("package-lock.json"))
        .map_err(|e| format!("cannot read {}/package-lock.json: {e}", dir.display()))?;
    let want = format!("{:016x}\n", fnv1a64(&lock_json));
    let stamp = dir.join("node_modules").join(".sio-install-stamp");
    install_once_locked(&dir.join(".install.lock"), &stamp, &want, || npm_ci(dir))
}

fn npm_ci(peers: &Path) -> Result<(), String> {
    eprintln!("installing Node test packages: npm ci in {}", peers.display());
    let started = Instant::now();
    let output = Command::new(npm_program())
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(peers)
        // puppeteer-core (tests/peers/browser) drives Debian's chromium: no browser download.
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "could not run `{} ci` ({e}). The integration tests run real Socket.IO servers and need \
                 Node.js >= 18 with npm on the PATH (or set SIO_TEST_NPM to the npm binary).",
                npm_program()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "`npm ci` in {} failed ({}). Is the npm registry reachable?\n--- stdout ---\n{}\n--- stderr ---\n{}",
            peers.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        ));
    }
    eprintln!("npm ci took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn check_node() -> Result<(), String> {
    let program = node_program();
    let output = Command::new(&program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "could not run `{program} --version` ({e}). The integration tests run real Socket.IO \
             servers and need Node.js >= 18 on the PATH (or set SIO_TEST_NODE to the node binary)."
            )
        })?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if major >= 18 => Ok(()),
        _ => Err(format!(
            "the integration tests need Node.js >= 18, but `{program} --version` said {version:?}"
        )),
    }
}

/// A running Node Socket.IO server. Killed on drop. Everything about the
/// process (`url()`, `wait_for_log_containing()`, ...) is [`PeerProcess`]'s.
pub struct NodeServer {
    kind: ServerKind,
    process: PeerProcess,
}

impl Deref for NodeServer {
    type Target = PeerProcess;
    fn deref(&self) -> &PeerProcess {
        &self.process
    }
}

impl NodeServer {
    /// Start a server and wait for its `LISTENING` line. Panics with the
    /// server's stderr if it fails to start within [`super::peer::START_TIMEOUT`].
    pub fn start(kind: ServerKind, opts: &[&str]) -> NodeServer {
        Self::try_start(kind, opts).unwrap_or_else(|message| panic!("{message}"))
    }

    /// Like [`NodeServer::start`], but returns the failure (bad flag, crash,
    /// timeout) as a message that includes the server's stderr.
    pub fn try_start(kind: ServerKind, opts: &[&str]) -> Result<NodeServer, String> {
        ensure_installed();
        let script = kind.script();
        let mut command = Command::new(node_program());
        command.arg(script).args(opts).current_dir(peers_dir());
        let process = PeerProcess::spawn(command, &format!("node {script}"))?;
        Ok(NodeServer { kind, process })
    }

    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// See [`PeerProcess::shutdown`].
    pub fn shutdown(self) -> ExitStatus {
        self.process.shutdown()
    }
}
