//! The real `sio tap` binary for the tests (`--json --frames`): its stderr and
//! stdout lines kept as they come, its records parsed back into [`Record`]s.
//! [`TapRecords`] is what the comparisons in `tap_clients` need from a tap,
//! this process or the in-process `TapUnderTest`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sio::record::Record;

/// How long a wait for a line or for records may take.
const WAIT: Duration = Duration::from_secs(10);

/// A tap whose records can be waited for.
pub trait TapRecords {
    /// Waits (bounded) until the records satisfy `done`; returns them either way.
    fn records_until(&self, done: &dyn Fn(&[Record]) -> bool) -> Vec<Record>;
}

/// Every line either stream printed, in arrival order: ("out" | "err", line).
#[derive(Default)]
struct Lines {
    seen: Mutex<Vec<(&'static str, String)>>,
    grew: Condvar,
}

/// `sio tap UPSTREAM --json --frames`; killed on drop.
pub struct TapProcess {
    child: Child,
    lines: Arc<Lines>,
    /// Lines up to here were taken (or passed over) by [`TapProcess::next`].
    cursor: Mutex<usize>,
    pub port: u16,
}

impl TapProcess {
    /// Starts the tap and reads its port from the `listening on` line.
    pub fn start(upstream: &str) -> TapProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sio"))
            .args(["tap", upstream, "--json", "--frames"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sio tap starts");
        let lines = Arc::new(Lines::default());
        let streams: [(&'static str, Box<dyn Read + Send>); 2] = [
            ("err", Box::new(child.stderr.take().expect("stderr"))),
            ("out", Box::new(child.stdout.take().expect("stdout"))),
        ];
        for (name, stream) in streams {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.seen.lock().unwrap().push((name, line));
                    lines.grew.notify_all();
                }
            });
        }
        let mut tap = TapProcess {
            child,
            lines,
            cursor: Mutex::new(0),
            port: 0,
        };
        let listening = tap.next("err", |_| true);
        tap.port = listening
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {listening:?}"));
        tap
    }

    /// `http://127.0.0.1:PORT`, the tap's own origin.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The next line on `stream` ("out" or "err") that matches, after the one
    /// the previous call returned; lines passed over are not looked at again.
    pub fn next(&self, stream: &str, matches: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        let mut cursor = self.cursor.lock().unwrap();
        let mut seen = self.lines.seen.lock().unwrap();
        loop {
            while let Some((s, line)) = seen.get(*cursor) {
                *cursor += 1;
                if *s == stream && matches(line) {
                    return line.clone();
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no {stream} line within {WAIT:?}");
            seen = self.lines.grew.wait_timeout(seen, left).unwrap().0;
        }
    }

    /// The next JSON record of this kind (and state, for state records).
    pub fn record(&self, kind: &str, state: Option<&str>) -> Value {
        let line = self.next("out", |l| {
            serde_json::from_str::<Value>(l).is_ok_and(|v| v["kind"] == kind && state.is_none_or(|s| v["state"] == s))
        });
        serde_json::from_str(&line).expect("JSON")
    }

    /// Every record printed so far, whatever [`TapProcess::next`] took.
    pub fn records(&self) -> Vec<Record> {
        self.records_and_lines().0
    }

    /// The records so far, and how many lines (both streams) they were read from.
    fn records_and_lines(&self) -> (Vec<Record>, usize) {
        let seen = self.lines.seen.lock().unwrap();
        let records = seen
            .iter()
            .filter(|(s, _)| *s == "out")
            .map(|(_, line)| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a record ({e}): {line}")))
            .collect();
        (records, seen.len())
    }

    /// What the tap printed on stderr so far.
    pub fn stderr(&self) -> Vec<String> {
        let seen = self.lines.seen.lock().unwrap();
        seen.iter()
            .filter(|(s, _)| *s == "err")
            .map(|(_, l)| l.clone())
            .collect()
    }

    /// One command line on the tap's stdin.
    pub fn say(&mut self, command: &str) {
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{command}").expect("write a command");
        stdin.flush().expect("flush");
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl TapRecords for TapProcess {
    fn records_until(&self, done: &dyn Fn(&[Record]) -> bool) -> Vec<Record> {
        let deadline = Instant::now() + WAIT;
        loop {
            let (records, count) = self.records_and_lines();
            let left = deadline.saturating_duration_since(Instant::now());
            if done(&records) || left.is_zero() {
                return records;
            }
            let seen = self.lines.seen.lock().unwrap();
            let _ = self.lines.grew.wait_timeout_while(seen, left, |s| s.len() == count);
        }
    }
}

impl Drop for TapProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
