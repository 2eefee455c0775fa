//! Helpers for the engine tests: a client that keeps every record it saw,
//! waits for records with a deadline (never sleeps), and checks frame order.
//!
//! Waits are sequential: [`Client::next`] finds the first matching record
//! *after* the one the previous wait returned, so a run of waits also checks
//! the order of what they wait for. Every failure panics with the records
//! seen so far.

use std::time::Duration;

use serde_json::Value;
use sio::engine::{self, AckReply, Handle, Options};
use sio::record::{Body, Direction, FrameRecord, HttpRecord, Raw, Record, StateRecord, Transport};
use tokio::sync::mpsc::Receiver;

use crate::support::node::NodeServer;

/// The longest any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// Options for a test: fast reconnects, a short handshake timeout.
pub fn opts(url: &str) -> Options {
    Options {
        url: url.to_string(),
        reconnect_delay: Duration::from_millis(50),
        reconnect_delay_max: Duration::from_millis(100),
        timeout: Duration::from_secs(5),
        ..Options::default()
    }
}

/// A running engine and every record it produced so far.
pub struct Client {
    pub handle: Handle,
    rx: Receiver<Record>,
    pub seen: Vec<Record>,
    /// Index into `seen` where the next wait starts looking.
    cursor: usize,
    ended: bool,
}

impl Client {
    /// Starts the engine; must run inside a tokio runtime.
    pub fn start(options: Options) -> Client {
        let (handle, rx) = engine::connect(options).expect("the engine starts");
        Client {
            handle,
            rx,
            seen: Vec::new(),
            cursor: 0,
            ended: false,
        }
    }

    /// Every record so far, one JSON line each.
    pub fn dump(&self) -> String {
        self.seen
            .iter()
            .map(Record::to_json_line)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Fails the test with `what` and every record seen.
    #[track_caller]
    pub fn fail(&self, what: &str) -> ! {
        panic!("{what}\n--- records ---\n{}", self.dump())
    }

    /// The next record after the cursor that matches; moves the cursor past it.
    pub async fn next(&mut self, what: &str, pred: impl Fn(&Record) -> bool) -> Record {
        self.next_within(WAIT, what, pred).await
    }

    pub async fn next_within(&mut self, limit: Duration, what: &str, pred: impl Fn(&Record) -> bool) -> Record {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(offset) = self.seen[self.cursor..].iter().position(&pred) {
                let index = self.cursor + offset;
                self.cursor = index + 1;
                return self.seen[index].clone();
            }
            self.cursor = self.seen.len();
            if self.ended {
                self.fail(&format!("the record stream ended before {what}"));
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(r)) => self.seen.push(r),
                Ok(None) => self.ended = true,
                Err(_) => self.fail(&format!("no {what} within {limit:?}")),
            }
        }
    }

    /// Where the next wait would start looking; pass it to [`Client::since`].
    pub fn mark(&self) -> usize {
        self.cursor
    }

    /// A record that matches at or after `mark` (seen already, or still to come);
    /// the cursor never moves back. For things whose order against the last wait
    /// is not fixed (a state and a frame from different transports, say).
    pub async fn since(&mut self, mark: usize, what: &str, pred: impl Fn(&Record) -> bool) -> Record {
        let saved = self.cursor;
        self.cursor = mark.min(self.seen.len());
        let r = self.next(what, pred).await;
        self.cursor = self.cursor.max(saved);
        r
    }

    /// A state record with this name at or after `mark` (see [`Client::since`]).
    pub async fn state_since(&mut self, mark: usize, state: &str) -> StateRecord {
        let r = self
            .since(mark, &format!("state {state:?}"), |r| is_state(r, state))
            .await;
        match r.body {
            Body::State(s) => s,
            _ => unreachable!("matched a state record"),
        }
    }

    /// A state record with this name anywhere in the session.
    pub async fn ever_state(&mut self, state: &str) -> StateRecord {
        self.state_since(0, state).await
    }

    /// The next state record with this name.
    pub async fn state(&mut self, state: &str) -> StateRecord {
        let r = self.next(&format!("state {state:?}"), |r| is_state(r, state)).await;
        match r.body {
            Body::State(s) => s,
            _ => unreachable!("matched a state record"),
        }
    }

    /// The next text frame in direction `dir` matching `pattern` (see [`text_matches`]).
    pub async fn frame(&mut self, dir: Direction, pattern: &str) -> FrameRecord {
        match self.frame_record(dir, pattern).await.body {
            Body::Frame(f) => f,
            _ => unreachable!("matched a frame record"),
        }
    }

    /// Like [`Client::frame`], but the whole record (with its time).
    pub async fn frame_record(&mut self, dir: Direction, pattern: &str) -> Record {
        let arrow = if dir == Direction::In { "<" } else { ">" };
        self.next(&format!("frame {arrow} {pattern}"), |r| {
            frame_text(r).is_some_and(|(d, _, t)| d == dir && text_matches(t, pattern))
        })
        .await
    }

    /// Reads every record until the stream ends (after `closed`), failing after [`WAIT`].
    pub async fn drain_to_end(&mut self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.ended {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(r)) => self.seen.push(r),
                Ok(None) => self.ended = true,
                Err(_) => self.fail("the record stream did not end"),
            }
        }
        // SIO_TEST_DUMP=1 shows every session's records (with --nocapture).
        if std::env::var_os("SIO_TEST_DUMP").is_some() {
            eprintln!("--- records ---\n{}", self.dump());
        }
    }

    /// Emits and waits for the ack (or for the send, without `ack`).
    pub async fn emit(
        &mut self,
        nsp: &str,
        event: &str,
        args: Vec<Value>,
        attachments: Vec<Vec<u8>>,
        ack: bool,
    ) -> Option<AckReply> {
        let call = self.handle.emit(nsp, event, args, attachments, ack);
        match tokio::time::timeout(WAIT, call).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => self.fail(&format!("emit {event:?} failed: {e}")),
            Err(_) => self.fail(&format!("emit {event:?}: no answer within {WAIT:?}")),
        }
    }

    /// Disconnects as the user would, then checks the `closed` record and the end of the stream.
    pub async fn disconnect(mut self) -> Vec<Record> {
        match tokio::time::timeout(WAIT, self.handle.disconnect()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.fail(&format!("disconnect failed: {e}")),
            Err(_) => self.fail("disconnect did not return"),
        }
        self.state("closed").await;
        self.drain_to_end().await;
        self.seen
    }

    /// Text frames rendered as `< text` / `> text` (binary frames as `< bin HEX`), in order.
    pub fn frames(&self) -> Vec<String> {
        self.seen.iter().filter_map(render_frame).collect()
    }

    /// Waits until these frame patterns have all appeared, in this order (other
    /// frames may come between); fails after [`WAIT`]. Does not move the cursor.
    pub async fn frames_in_order(&mut self, expected: &[&str]) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let frames = self.frames();
            let mut at = 0;
            let mut missing = None;
            for want in expected {
                match frames[at..].iter().position(|f| rendered_matches(f, want)) {
                    Some(i) => at += i + 1,
                    None => {
                        missing = Some((*want, at));
                        break;
                    }
                }
            }
            let Some((want, at)) = missing else { return };
            let why =
                format!("frame {want:?} missing (or out of order) after frame #{at}; expected order {expected:?}");
            if self.ended {
                self.fail(&why);
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(r)) => self.seen.push(r),
                Ok(None) => self.ended = true,
                Err(_) => self.fail(&why),
            }
        }
    }

    /// The state records named `state`, in order.
    pub fn states(&self, state: &str) -> Vec<StateRecord> {
        self.seen
            .iter()
            .filter_map(|r| match &r.body {
                Body::State(s) if s.state == state => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// The index in `seen` of the first record that matches.
    pub fn position(&self, pred: impl Fn(&Record) -> bool) -> Option<usize> {
        self.seen.iter().position(pred)
    }

    pub fn http_records(&self) -> Vec<HttpRecord> {
        self.seen
            .iter()
            .filter_map(|r| match &r.body {
                Body::Http(h) => Some(h.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Records as JSON lines, for failure messages.
pub fn dump(records: &[Record]) -> String {
    records.iter().map(Record::to_json_line).collect::<Vec<_>>().join("\n")
}

pub fn is_state(r: &Record, state: &str) -> bool {
    matches!(&r.body, Body::State(s) if s.state == state)
}

/// A text frame's direction, transport and text.
pub fn frame_text(r: &Record) -> Option<(Direction, Transport, &str)> {
    match &r.body {
        Body::Frame(FrameRecord {
            dir: Some(dir),
            transport: Some(transport),
            raw: Raw::Text { text },
            ..
        }) => Some((*dir, *transport, text.as_str())),
        _ => None,
    }
}

/// A binary frame's direction, transport and bytes.
pub fn frame_binary(r: &Record) -> Option<(Direction, Transport, &[u8])> {
    match &r.body {
        Body::Frame(FrameRecord {
            dir: Some(dir),
            transport: Some(transport),
            raw: Raw::Binary(b),
            ..
        }) => Some((*dir, *transport, b.0.as_slice())),
        _ => None,
    }
}

/// A frame as `< text`, `> text`, `< bin 010203`.
pub fn render_frame(r: &Record) -> Option<String> {
    let Body::Frame(f) = &r.body else { return None };
    let arrow = if f.dir == Some(Direction::Out) { ">" } else { "<" };
    Some(match &f.raw {
        Raw::Text { text } => format!("{arrow} {text}"),
        Raw::Binary(b) => format!("{arrow} bin {}", hex(&b.0)),
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `pattern` ending in `*` matches by prefix, otherwise exactly.
pub fn text_matches(text: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => text.starts_with(prefix),
        None => text == pattern,
    }
}

/// `rendered` is `< text`; `pattern` is `< pattern` as in [`text_matches`].
fn rendered_matches(rendered: &str, pattern: &str) -> bool {
    let (Some((a, text)), Some((b, pat))) = (rendered.split_once(' '), pattern.split_once(' ')) else {
        return false;
    };
    a == b && text_matches(text, pat)
}

/// Waits (without blocking the runtime's other tasks) for a server log line containing `needle`.
pub fn server_log(server: &NodeServer, needle: &str) -> String {
    tokio::task::block_in_place(|| server.wait_for_log_containing(needle))
}

/// Like [`server_log`], but only lines logged at index `from` or later.
pub fn server_log_from(server: &NodeServer, from: usize, needle: &str) -> String {
    tokio::task::block_in_place(|| match server.wait_for_log_from(from, WAIT, |l| l.contains(needle)) {
        Some((_, line)) => line,
        None => panic!(
            "no server log line containing {needle:?} (from line {from}) within {WAIT:?}\n--- server log ---\n{}",
            server.log_lines().join("\n")
        ),
    })
}
