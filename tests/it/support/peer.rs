//! What every test peer process shares, whatever runs it (Node, Python): an
//! install done once under a file lock, and a child process that prints
//! `LISTENING <port>` on stdout, logs JSON lines on stderr and exits when its
//! stdin closes. [`super::node::NodeServer`] and [`super::python::PythonServer`]
//! wrap a [`PeerProcess`].

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to print `LISTENING`.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Default wait for a log line in the `wait_for_*` helpers.
pub const LOG_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a server may take to exit after its stdin closed.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `install` unless `stamp` already holds `want`, under an exclusive lock
/// on `lock_path` so parallel test processes never install over each other;
/// writes `want` into `stamp` once `install` succeeded.
pub fn install_once_locked(
    lock_path: &Path,
    stamp: &Path,
    want: &str,
    install: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let lock_file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    // Blocks while another test process is installing.
    if let Err(e) = lock_file.lock() {
        eprintln!(
            "warning: could not lock {} ({e}); installing without the lock",
            lock_path.display()
        );
    }
    if fs::read_to_string(stamp).is_ok_and(|have| have == want) {
        return Ok(());
    }
    install()?;
    fs::write(stamp, want).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
    // `lock_file` drops here, releasing the lock.
}

/// 64-bit FNV-1a: enough to notice that a lock or requirements file changed.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
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

/// A running test server process. Killed on drop.
pub struct PeerProcess {
    /// What it is, for messages (`server-v4.js`, `python server.py`).
    name: String,
    port: u16,
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    log: Arc<Log>,
}

impl PeerProcess {
    /// Spawns `command` with piped stdio and waits for its `LISTENING` line.
    /// The failure (spawn error, exit, timeout) comes back as a message that
    /// includes the server's stderr.
    pub fn spawn(mut command: Command, name: &str) -> Result<PeerProcess, String> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not spawn `{name}`: {e}"))?;

        let log = Arc::new(Log::default());
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr_log = Arc::clone(&log);
        thread::Builder::new()
            .name(format!("{name} stderr"))
            .spawn(move || {
                for_each_line(stderr, |line| stderr_log.push(line));
                stderr_log.close();
            })
            .map_err(|e| format!("could not start the stderr reader: {e}"))?;

        let stdout = child.stdout.take().expect("stdout is piped");
        let (port_tx, port_rx) = mpsc::channel::<Result<u16, String>>();
        thread::Builder::new()
            .name(format!("{name} stdout"))
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
        let mut peer = PeerProcess {
            name: name.to_owned(),
            port: 0,
            child: Some(child),
            stdin,
            log,
        };
        match port_rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(port)) => {
                peer.port = port;
                Ok(peer)
            }
            Ok(Err(message)) => Err(peer.failure(&message)),
            Err(RecvTimeoutError::Disconnected) => {
                // stdout closed without LISTENING: the script exited.
                peer.log.wait_closed(EXIT_TIMEOUT);
                let status = peer.child.as_mut().and_then(|c| c.wait().ok());
                let status = status.map_or_else(|| "unknown status".to_owned(), |s| s.to_string());
                Err(peer.failure(&format!("`{name}` exited ({status}) before printing LISTENING")))
            }
            Err(RecvTimeoutError::Timeout) => Err(peer.failure(&format!(
                "`{name}` did not print LISTENING within {} s",
                START_TIMEOUT.as_secs()
            ))),
        }
        // On the error paths `peer` drops here and kills the process.
    }

    /// `what`, followed by everything the server logged.
    pub fn failure(&self, what: &str) -> String {
        format!(
            "{what}\n--- {} stderr ---\n{}",
            self.name,
            self.log.snapshot().join("\n")
        )
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

    /// Number of stderr lines so far; pass it to [`PeerProcess::wait_for_log_from`]
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

impl Drop for PeerProcess {
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
