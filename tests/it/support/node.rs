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
//! start with P). A bad flag makes the script exit
//! with code 2 before `LISTENING`; [`NodeServer::try_start`] reports it.
//!
//! Behaviour on `/` and `/admin`:
//! - on connect: emit `welcome` (`"hi"` on `/`, `"admin"` on `/admin`);
//! - any event sent with an ack: the ack is called with the event's args;
//! - `echo ...args`: emit `echo` with the same args;
//! - `ask [q]`: emit `question` (default `"q?"`) with an ack; the client's
//!   answer comes back as event `answered`;
//! - `join room`, `leave room`, `to {room, event, args}`: rooms and broadcast;
//! - `binary`: emit `binary` with the bytes `01 02 03`;
//! - `disconnect-me`: the server disconnects the socket (`41`);
//! - `flood {n, size}`: `n` events `flood` carrying `size` × `"x"`, then
//!   `flood-done {n}` (and the ack, if any, is answered at the end with `{n}`).
//!
//! `/admin` admits only auth `{token: "secret"}` (v4) or the namespace query
//! `token=secret` (v2); others get the error `not authorized`.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to print `LISTENING`.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Default wait for a log line in the `wait_for_*` helpers.
pub const LOG_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a server may take to exit after its stdin closed.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

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
fn node_program() -> String {
    std::env::var("SIO_TEST_NODE").unwrap_or_else(|_| "node".to_owned())
}

/// The npm binary: `$SIO_TEST_NPM` or `npm` on the PATH.
fn npm_program() -> String {
    std::env::var("SIO_TEST_NPM").unwrap_or_else(|_| if cfg!(windows) { "npm.cmd" } else { "npm" }.to_owned())
}

/// Make sure `tests/peers/node_modules` matches `package-lock.json`.
///
/// Runs `npm ci` at most once per test process (a `OnceLock`), and across
/// processes under an exclusive lock on `tests/peers/.install.lock`, so
/// parallel test binaries never install over each other. A stamp holding a
/// hash of the lock file is written into `node_modules` after a successful
/// install; while it matches, nothing is run. Panics with an actionable
/// message when node or npm is missing or the install fails.
pub fn ensure_installed() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(message) = INSTALLED.get_or_init(install) {
        panic!("{message}");
    }
}

fn install() -> Result<(), String> {
    check_node()?;
    let peers = peers_dir();
    let lock_path = peers.join(".install.lock");
    let lock_file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    // Blocks while another test process is installing.
    if let Err(e) = lock_file.lock() {
        eprintln!(
            "warning: could not lock {} ({e}); installing without the lock",
            lock_path.display()
        );
    }

    let lock_json = fs::read(peers.join("package-lock.json"))
        .map_err(|e| format!("cannot read tests/peers/package-lock.json: {e}"))?;
    let want = format!("{:016x}\n", fnv1a64(&lock_json));
    let stamp = peers.join("node_modules").join(".sio-install-stamp");
    if fs::read_to_string(&stamp).is_ok_and(|have| have == want) {
        return Ok(());
    }

    eprintln!("installing the Node test peers: npm ci in {}", peers.display());
    let started = Instant::now();
    let output = Command::new(npm_program())
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(&peers)
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
    fs::write(&stamp, want).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    eprintln!("npm ci took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
    // `lock_file` drops here, releasing the lock.
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

/// 64-bit FNV-1a: enough to notice that the lock file changed.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Lines the server wrote on stderr, shared with the reader thread.
#[derive(Default)]
struct Log {
    state: Mutex<LogState>,
    changed: Condvar,
}

#[derive(Default)]
struct LogState {
    lines: Vec<String>,
    /// stderr reached EOF: the process has exited (or closed stderr).
    closed: bool,
}

impl Log {
    fn push(&self, line: String) {
        self.state.lock().unwrap().lines.push(line);
        self.changed.notify_all();
    }

    fn close(&self) {
        self.state.lock().unwrap().closed = true;
        self.changed.notify_all();
    }

    fn snapshot(&self) -> Vec<String> {
        self.state.lock().unwrap().lines.clone()
    }

    /// Wait until stderr is closed; false on timeout.
    fn wait_closed(&self, timeout: Duration) -> bool {
        let guard = self.state.lock().unwrap();
        let (guard, _) = self.changed.wait_timeout_while(guard, timeout, |s| !s.closed).unwrap();
        guard.closed
    }
}

/// A running Node Socket.IO server. Killed on drop.
pub struct NodeServer {
    kind: ServerKind,
    port: u16,
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    log: Arc<Log>,
}

impl NodeServer {
    /// Start a server and wait for its `LISTENING` line. Panics with the
    /// server's stderr if it fails to start within [`START_TIMEOUT`].
    pub fn start(kind: ServerKind, opts: &[&str]) -> NodeServer {
        Self::try_start(kind, opts).unwrap_or_else(|message| panic!("{message}"))
    }

    /// Like [`NodeServer::start`], but returns the failure (bad flag, crash,
    /// timeout) as a message that includes the server's stderr.
    pub fn try_start(kind: ServerKind, opts: &[&str]) -> Result<NodeServer, String> {
        ensure_installed();
        let script = kind.script();
        let mut child = Command::new(node_program())
            .arg(script)
            .args(opts)
            .current_dir(peers_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not spawn `node {script}`: {e}"))?;

        let log = Arc::new(Log::default());
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr_log = Arc::clone(&log);
        thread::Builder::new()
            .name(format!("{script} stderr"))
            .spawn(move || {
                for_each_line(stderr, |line| stderr_log.push(line));
                stderr_log.close();
            })
            .map_err(|e| format!("could not start the stderr reader: {e}"))?;

        let stdout = child.stdout.take().expect("stdout is piped");
        let (port_tx, port_rx) = mpsc::channel::<Result<u16, String>>();
        thread::Builder::new()
            .name(format!("{script} stdout"))
            .spawn(move || {
                let mut announced = false;
                // Keep reading after LISTENING so the pipe never fills up.
                for_each_line(stdout, |line| {
                    if announced {
                        return;
                    }
                    if let Some(rest) = line.strip_prefix("LISTENING ") {
                        announced = true;
                        let parsed = rest
                            .trim()
                            .parse::<u16>()
                            .map_err(|e| format!("bad LISTENING line {line:?}: {e}"));
                        let _ = port_tx.send(parsed);
                    }
                });
                // Dropping the sender tells the waiter that stdout ended.
            })
            .map_err(|e| format!("could not start the stdout reader: {e}"))?;

        let stdin = child.stdin.take();
        let mut server = NodeServer {
            kind,
            port: 0,
            child: Some(child),
            stdin,
            log,
        };
        match port_rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(port)) => {
                server.port = port;
                Ok(server)
            }
            Ok(Err(message)) => Err(server.failure(&message)),
            Err(RecvTimeoutError::Disconnected) => {
                // stdout closed without LISTENING: the script exited.
                server.log.wait_closed(EXIT_TIMEOUT);
                let status = server.child.as_mut().and_then(|c| c.wait().ok());
                let status = status.map_or_else(|| "unknown status".to_owned(), |s| s.to_string());
                Err(server.failure(&format!("`node {script}` exited ({status}) before printing LISTENING")))
            }
            Err(RecvTimeoutError::Timeout) => Err(server.failure(&format!(
                "`node {script}` did not print LISTENING within {} s",
                START_TIMEOUT.as_secs()
            ))),
        }
        // On the error paths `server` drops here and kills the process.
    }

    fn failure(&self, what: &str) -> String {
        format!(
            "{what}\n--- {} stderr ---\n{}",
            self.kind.script(),
            self.log.snapshot().join("\n")
        )
    }

    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `ws://127.0.0.1:PORT`
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// The OS process id (for diagnostics).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Every stderr line so far, JSON or not.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.snapshot()
    }

    /// The stderr lines that are JSON log records (start with `{`).
    pub fn json_log(&self) -> Vec<String> {
        self.log.snapshot().into_iter().filter(|l| l.starts_with('{')).collect()
    }

    /// Number of stderr lines so far; pass it to [`NodeServer::wait_for_log_from`]
    /// to wait only for lines logged after this point.
    pub fn log_len(&self) -> usize {
        self.log.state.lock().unwrap().lines.len()
    }

    /// Wait for the first stderr line at index >= `from` that matches.
    /// Returns its index and text, or `None` on timeout or when the server
    /// has exited without logging it.
    pub fn wait_for_log_from(
        &self,
        from: usize,
        timeout: Duration,
        mut matches: impl FnMut(&str) -> bool,
    ) -> Option<(usize, String)> {
        let deadline = Instant::now() + timeout;
        let mut next = from;
        let mut state = self.log.state.lock().unwrap();
        loop {
            while next < state.lines.len() {
                if matches(&state.lines[next]) {
                    return Some((next, state.lines[next].clone()));
                }
                next += 1;
            }
            if state.closed {
                return None;
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            state = self.log.changed.wait_timeout(state, left).unwrap().0;
        }
    }

    /// Wait (up to [`LOG_TIMEOUT`]) for a stderr line that matches `matches`;
    /// `what` describes it in the panic message, which also dumps the log.
    pub fn wait_for_log(&self, what: &str, matches: impl FnMut(&str) -> bool) -> String {
        match self.wait_for_log_from(0, LOG_TIMEOUT, matches) {
            Some((_, line)) => line,
            None => panic!(
                "{}",
                self.failure(&format!("no log line {what} within {} s", LOG_TIMEOUT.as_secs()))
            ),
        }
    }

    /// Wait (up to [`LOG_TIMEOUT`]) for a stderr line containing `needle`,
    /// e.g. `r#""t":"connect""#`.
    pub fn wait_for_log_containing(&self, needle: &str) -> String {
        self.wait_for_log(&format!("containing {needle:?}"), |line| line.contains(needle))
    }

    /// Close the server's stdin and wait for it to exit on its own, as it
    /// does when a test process dies. Panics (after killing it) if it is
    /// still running after [`EXIT_TIMEOUT`].
    pub fn shutdown(mut self) -> ExitStatus {
        drop(self.stdin.take());
        let exited = self.log.wait_closed(EXIT_TIMEOUT);
        let mut child = self.child.take().expect("child is present until drop");
        if !exited {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{}",
                self.failure(&format!(
                    "server did not exit within {} s after its stdin closed",
                    EXIT_TIMEOUT.as_secs()
                ))
            );
        }
        child
            .wait()
            .unwrap_or_else(|e| panic!("waiting for the server process failed: {e}"))
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Call `f` with each line of `reader` (lossy UTF-8, without the line end).
fn for_each_line(reader: impl Read, mut f: impl FnMut(String)) {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                    buf.pop();
                }
                f(String::from_utf8_lossy(&buf).into_owned());
            }
        }
    }
}
