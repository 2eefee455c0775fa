//! Running steps against the engine. A pump task hands every record to the
//! front end's observer (printer, recorder) and keeps received events for
//! `expect`, so an event that arrived while an earlier line ran still counts.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::parse::{Arg, Step, contains};
use crate::engine::{self, Handle, Options, target::Target};
use crate::proto::binary::placeholder;
use crate::proto::frame::JsonText;
use crate::record::{Body, Direction, Record};

/// An event the server sent, kept until an `expect` takes it.
#[derive(Clone, Debug)]
struct SeenEvent {
    nsp: String,
    name: String,
    args: Vec<Value>,
}

#[derive(Default)]
struct LogInner {
    events: VecDeque<SeenEvent>,
    /// Initial namespaces not yet connected or refused.
    waiting_for: HashSet<String>,
    refused: Vec<String>,
    closed: Option<String>,
    /// Why the latest connection attempt failed, while reconnecting.
    last_failure: Option<String>,
}

/// What the pump saw, shared with the steps.
#[derive(Default)]
struct EventLog {
    inner: Mutex<LogInner>,
    changed: Notify,
}

impl EventLog {
    fn lock(&self) -> MutexGuard<'_, LogInner> {
        // A poisoned lock only means a panic elsewhere; the data is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn observe(&self, record: &Record) {
        let mut inner = self.lock();
        match &record.body {
            Body::Frame(f) if f.dir == Some(Direction::In) => {
                if let Some(sio) = &f.decoded.sio
                    && sio.kind.is_event()
                    && sio.complete
                    && let Some(Value::Array(items)) = sio.data.as_ref().map(JsonText::value)
                {
                    inner.events.push_back(SeenEvent {
                        nsp: sio.nsp.clone(),
                        name: sio.event.clone().unwrap_or_default(),
                        args: items.into_iter().skip(1).collect(),
                    });
                }
            }
            Body::State(s) => match s.state.as_str() {
                "namespace connected" | "namespace failed" => {
                    if let Some(nsp) = s.data.get("nsp").and_then(Value::as_str) {
                        inner.waiting_for.remove(nsp);
                    }
                    if s.state == "namespace failed" {
                        inner.refused.push(s.detail.clone().unwrap_or_default());
                    }
                }
                "closed" => inner.closed = Some(s.detail.clone().unwrap_or_else(|| "closed".into())),
                "disconnected" => inner.last_failure = s.detail.clone(),
                _ => {}
            },
            _ => {}
        }
        drop(inner);
        self.changed.notify_waiters();
    }

    /// Waits until `check` yields a value, or the deadline passes.
    async fn wait<T>(&self, deadline: Instant, mut check: impl FnMut(&mut LogInner) -> Option<T>) -> Option<T> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before checking, so a change between check and wait is not missed.
            notified.as_mut().enable();
            if let Some(v) = check(&mut self.lock()) {
                return Some(v);
            }
            if tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), notified)
                .await
                .is_err()
            {
                return check(&mut self.lock());
            }
        }
    }
}

/// A connected engine with the state the language needs (current namespace, events seen).
pub struct Session {
    pub handle: Handle,
    log: Arc<EventLog>,
    pump: Option<JoinHandle<()>>,
    /// The namespace `emit` and `ack` use; set by `use`.
    pub nsp: String,
}

/// Starts the engine; `observe` sees every record first, in order.
pub fn start(options: Options, mut observe: impl FnMut(&Record) + Send + 'static) -> Result<Session, String> {
    let target = Target::parse(&options.url)?;
    let initial: Vec<String> = if options.namespaces.is_empty() {
        vec![target.namespace.clone()]
    } else {
        options
            .namespaces
            .iter()
            .map(|n| engine::normalise_namespace(n))
            .collect()
    };
    let (handle, mut records) = engine::connect(options)?;
    let log = Arc::new(EventLog::default());
    log.lock().waiting_for = initial.iter().cloned().collect();
    let pump_log = log.clone();
    let pump = tokio::spawn(async move {
        while let Some(record) = records.recv().await {
            observe(&record);
            pump_log.observe(&record);
        }
        let mut inner = pump_log.lock();
        inner.closed.get_or_insert_with(|| "the engine stopped".into());
        drop(inner);
        pump_log.changed.notify_waiters();
    });
    Ok(Session {
        handle,
        log,
        pump: Some(pump),
        nsp: initial.first().cloned().unwrap_or_else(|| "/".into()),
    })
}

fn human_duration(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// JSON arguments with binary ones replaced by placeholders, and the attachments.
pub fn split_args(args: &[Arg]) -> (Vec<Value>, Vec<Vec<u8>>) {
    let mut attachments = Vec::new();
    let values = args
        .iter()
        .map(|a| match a {
            Arg::Json(v) => v.clone(),
            Arg::Binary(b) => {
                attachments.push(b.clone());
                placeholder(attachments.len() - 1)
            }
        })
        .collect();
    (values, attachments)
}

impl Session {
    /// Another view of the same connection, for steps that run in the background.
    pub fn fork(&self) -> Session {
        Session {
            handle: self.handle.clone(),
            log: self.log.clone(),
            pump: None,
            nsp: self.nsp.clone(),
        }
    }

    /// Waits until the namespaces asked for at start are connected (or refused).
    pub async fn ready(&self, within: Duration) -> Result<(), String> {
        let deadline = Instant::now() + within;
        let outcome = self
            .log
            .wait(deadline, |inner| {
                if let Some(reason) = &inner.closed {
                    return Some(Err(format!("connection closed: {reason}")));
                }
                if let Some(refused) = inner.refused.first() {
                    return Some(Err(refused.clone()));
                }
                inner.waiting_for.is_empty().then_some(Ok(()))
            })
            .await;
        outcome.unwrap_or_else(|| {
            let last = match &self.log.lock().last_failure {
                Some(why) => format!("; the last attempt failed: {why}"),
                None => String::new(),
            };
            Err(format!("not connected within {}{last}", human_duration(within)))
        })
    }

    /// Waits until the connection has ended for good; why it did.
    pub async fn closed_reason(&self) -> String {
        loop {
            let notified = self.log.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(reason) = self.log.lock().closed.clone() {
                return reason;
            }
            notified.await;
        }
    }

    /// The reason the connection ended, if it has.
    pub fn closed(&self) -> Option<String> {
        self.log.lock().closed.clone()
    }

    /// Runs one step; Ok carries what happened, Err why the step failed.
    pub async fn run(&mut self, step: &Step) -> Result<String, String> {
        let handle = self.handle.clone();
        match step {
            Step::Emit { event, args, ack } => {
                let (values, attachments) = split_args(args);
                match ack {
                    None => handle
                        .emit(&self.nsp, event, values, attachments, false)
                        .await
                        .map(|_| format!("emitted {event:?} on {}", self.nsp)),
                    Some(limit) => {
                        let waited =
                            tokio::time::timeout(*limit, handle.emit(&self.nsp, event, values, attachments, true))
                                .await;
                        match waited {
                            Err(_) => Err(format!("no ack for {event:?} within {}", human_duration(*limit))),
                            Ok(Err(e)) => Err(e),
                            Ok(Ok(None)) => Err("no ack was asked for".into()),
                            Ok(Ok(Some(reply))) => {
                                let mut text = format!(
                                    "ack for {event:?} after {:.1} ms: {}",
                                    reply.rtt.as_secs_f64() * 1000.0,
                                    reply.args
                                );
                                if !reply.attachments.is_empty() {
                                    text.push_str(&format!(" + {} attachment(s)", reply.attachments.len()));
                                }
                                Ok(text)
                            }
                        }
                    }
                }
            }
            Step::Join { nsp, auth } => {
                let limit = Duration::from_secs(20);
                match tokio::time::timeout(limit, handle.join(nsp, auth.clone())).await {
                    Err(_) => Err(format!("{nsp} not joined within {}", human_duration(limit))),
                    Ok(r) => r.map(|_| format!("joined {nsp}")),
                }
            }
            Step::Leave { nsp } => handle.leave(nsp).await.map(|_| format!("left {nsp}")),
            Step::Use { nsp } => {
                self.nsp = nsp.clone();
                Ok(format!("using {nsp}"))
            }
            Step::Expect { event, subset, within } => self.expect(event, subset.as_ref(), *within).await,
            Step::Ack { id, args } => {
                let (values, attachments) = split_args(args);
                handle
                    .ack(&self.nsp, *id, values, attachments)
                    .await
                    .map(|_| format!("answered ack #{id} on {}", self.nsp))
            }
            Step::SendText(text) => handle
                .send_raw(crate::proto::eio::OwnedFrame::Text(text.clone()))
                .await
                .map(|_| "sent".into()),
            Step::SendBinary(bytes) => handle
                .send_raw(crate::proto::eio::OwnedFrame::Binary(bytes.clone()))
                .await
                .map(|_| format!("sent {} bytes", bytes.len())),
            Step::Sleep(d) => {
                tokio::time::sleep(*d).await;
                Ok(format!("slept {}", human_duration(*d)))
            }
            Step::Disconnect => handle.disconnect().await.map(|_| "disconnected".into()),
            Step::Reconnect => handle.reconnect().await.map(|_| "reconnecting".into()),
            Step::Print(text) => Ok(text.clone()),
        }
    }

    async fn expect(&self, event: &str, subset: Option<&Value>, within: Duration) -> Result<String, String> {
        let nsp = self.nsp.clone();
        let deadline = Instant::now() + within;
        let found = self
            .log
            .wait(deadline, |inner| {
                let index = inner.events.iter().position(|e| {
                    e.nsp == nsp
                        && e.name == event
                        && subset.is_none_or(|s| e.args.first().is_some_and(|a| contains(a, s)))
                });
                if let Some(i) = index {
                    return inner.events.remove(i).map(Ok);
                }
                inner.closed.as_ref().map(|r| Err(format!("connection closed: {r}")))
            })
            .await;
        match found {
            Some(Ok(e)) => Ok(format!("got {:?} {}", e.name, Value::Array(e.args))),
            Some(Err(reason)) => Err(format!("{event:?} never came: {reason}")),
            None => {
                let what = match subset {
                    Some(s) => format!("{event:?} with {s}"),
                    None => format!("{event:?}"),
                };
                Err(format!("no {what} on {nsp} within {}", human_duration(within)))
            }
        }
    }

    /// Disconnects and waits until every record has reached the observer.
    pub async fn close(self, linger: Duration) {
        let _ = tokio::time::timeout(linger, self.handle.disconnect()).await;
        drop(self.handle);
        if let Some(pump) = self.pump {
            let _ = tokio::time::timeout(linger, pump).await;
        }
    }
}
