//! For the tests of `sio admin`: the instrumented Node server (`tests/peers/server-admin.js`),
//! and child processes whose stdout is JSON lines (`sio admin --json`, `sio connect --json`,
//! `tests/peers/admin-client.js`), waited on by condition with a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::node::{ensure_installed, node_program, peers_dir};
use super::peer::PeerProcess;

/// How long a wait for output may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// `node server-admin.js FLAGS` (see the script for its flags).
pub fn admin_server(flags: &[&str]) -> PeerProcess {
    try_admin_server(flags).unwrap_or_else(|e| panic!("{e}"))
}

/// [`admin_server`], with the failure (and the server's stderr) as a message.
pub fn try_admin_server(flags: &[&str]) -> Result<PeerProcess, String> {
    ensure_installed();
    let mut command = Command::new(node_program());
    command.arg("server-admin.js").args(flags).current_dir(peers_dir());
    PeerProcess::spawn(command, "node server-admin.js")
}

#[derive(Default)]
struct Output {
    /// ("out" | "err", line) in arrival order, and how many of the two streams ended.
    lines: Mutex<(Vec<(&'static str, String)>, u8)>,
    grew: Condvar,
}

/// A child process; its output is kept as it comes. Killed on drop.
pub struct JsonChild {
    name: String,
    child: Child,
    output: Arc<Output>,
}

impl JsonChild {
    pub fn spawn(mut command: Command, name: &str) -> JsonChild {
        let mut child = command
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        let output = Arc::new(Output::default());
        let streams: [(&'static str, Box<dyn Read + Send>); 2] = [
            ("out", Box::new(child.stdout.take().expect("stdout"))),
            ("err", Box::new(child.stderr.take().expect("stderr"))),
        ];
        for (stream, reader) in streams {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(reader).lines().map_while(Result::ok) {
                    output.lines.lock().unwrap().0.push((stream, line));
                    output.grew.notify_all();
                }
                output.lines.lock().unwrap().1 += 1;
                output.grew.notify_all();
            });
        }
        JsonChild {
            name: name.to_string(),
            child,
            output,
        }
    }

    /// `sio ARGS`.
    pub fn sio(args: &[&str]) -> JsonChild {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sio"));
        command.args(args);
        JsonChild::spawn(command, &format!("sio {}", args.join(" ")))
    }

    /// `node admin-client.js --url URL ARGS`.
    pub fn node_clients(url: &str, args: &[&str]) -> JsonChild {
        ensure_installed();
        let mut command = Command::new(node_program());
        command
            .arg("admin-client.js")
            .args(["--url", url])
            .args(args)
            .current_dir(peers_dir());
        JsonChild::spawn(command, "node admin-client.js")
    }

    /// Every stdout line that is JSON, so far.
    pub fn values(&self) -> Vec<Value> {
        let lines = self.output.lines.lock().unwrap();
        lines
            .0
            .iter()
            .filter(|(s, _)| *s == "out")
            .filter_map(|(_, l)| serde_json::from_str(l).ok())
            .collect()
    }

    pub fn stderr(&self) -> Vec<String> {
        let lines = self.output.lines.lock().unwrap();
        lines
            .0
            .iter()
            .filter(|(s, _)| *s == "err")
            .map(|(_, l)| l.clone())
            .collect()
    }

    fn everything(&self) -> String {
        let lines = self.output.lines.lock().unwrap();
        lines
            .0
            .iter()
            .map(|(s, l)| format!("{s}: {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first stdout JSON value that satisfies `pred`, waiting up to [`WAIT`]; panics
    /// with everything the child printed when none comes.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_until(what, |values| values.iter().find(|v| pred(v)).cloned())
    }

    /// Waits until `check` over every stdout value so far gives something.
    pub fn wait_until<T>(&self, what: &str, check: impl Fn(&[Value]) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            let seen = self.output.lines.lock().unwrap().0.len();
            if let Some(found) = check(&self.values()) {
                return found;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "{}: no {what} within {WAIT:?}; output:\n{}",
                    self.name,
                    self.everything()
                );
            }
            let lines = self.output.lines.lock().unwrap();
            let _ = self
                .output
                .grew
                .wait_timeout_while(lines, left, |l| l.0.len() == seen && l.1 < 2);
            if self.output.lines.lock().unwrap().1 == 2 && check(&self.values()).is_none() {
                // Both streams ended: nothing more will come.
                panic!("{}: ended without {what}; output:\n{}", self.name, self.everything());
            }
        }
    }

    /// One line on the child's stdin.
    pub fn say(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// Waits (bounded) for the exit: its output ends when the process does; the status, or
    /// a panic with the output.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let lines = self.output.lines.lock().unwrap();
        let (lines, _) = self.output.grew.wait_timeout_while(lines, within, |l| l.1 < 2).unwrap();
        let ended = lines.1 == 2;
        drop(lines);
        if !ended {
            panic!(
                "{} still runs after {within:?}; output:\n{}",
                self.name,
                self.everything()
            );
        }
        self.child.wait().expect("wait")
    }

    /// The last stderr line (where sio says why it failed).
    pub fn last_error(&self) -> String {
        self.stderr().last().cloned().unwrap_or_default()
    }
}

impl Drop for JsonChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `v` is `sio admin`'s record of the admin event `event`.
pub fn is_admin(v: &Value, event: &str) -> bool {
    v["kind"] == "state" && v["state"] == "admin" && v["data"]["event"] == event
}

/// The ids the Node clients printed as connected, in socket order.
pub fn connected_ids(clients: &JsonChild, n: usize) -> Vec<String> {
    clients.wait_for("all sockets connected", |v| v["t"] == "all_connected");
    let mut ids = vec![String::new(); n];
    for v in clients.values() {
        if v["t"] == "connected"
            && let (Some(i), Some(id)) = (v["i"].as_u64(), v["id"].as_str())
            && (i as usize) < n
        {
            ids[i as usize] = id.to_string();
        }
    }
    ids
}
