//! Running steps against the engine. A pump task hands every record to the
//! front end's sink (printer, recorder, TUI) and keeps received events for
//! `expect`, so an event that arrived while an earlier line ran still counts.
//! What is kept is bounded ([`Bound`]); letting older events go is said in a
//! state record.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::admin::{AdminSlot, Subject};
use super::events::{Bound, Cursor, EventQueue, SeenEvent};
use super::parse::{AdminFact, Arg, Step, contains};
use crate::engine::{self, Handle, Options, target::Target};
use crate::output::pace::FlushTimer;
use crate::proto::binary::placeholder;
use crate::record::{Body, Direction, Record, StateRecord, Timestamp};

/// A front end that sees every record of a session, in order.
pub trait RecordSink: Send + 'static {
    fn observe(&mut self, record: &Record);
    /// No record is waiting right now: the moment to flush buffered output.
    fn idle(&mut self) {}
}

impl<F: FnMut(&Record) + Send + 'static> RecordSink for F {
    fn observe(&mut self, record: &Record) {
        self(record)
    }
}

/// One sink behind the pumps of several sessions (the clients of one script or
/// screen): each pump hands it a record before `expect` can see the record, so
/// a result is never printed before the record that made it.
#[derive(Clone)]
pub struct SharedSink(Arc<Mutex<Box<dyn RecordSink>>>);

impl SharedSink {
    pub fn new(sink: impl RecordSink) -> SharedSink {
        SharedSink(Arc::new(Mutex::new(Box::new(sink))))
    }

    fn lock(&self) -> MutexGuard<'_, Box<dyn RecordSink>> {
        // A poisoned lock only means a panic elsewhere; the sink is still usable.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl RecordSink for SharedSink {
    fn observe(&mut self, record: &Record) {
        self.lock().observe(record);
    }

    fn idle(&mut self) {
        self.lock().idle();
    }
}

/// The client name a session's records carry in `conn`, once `on` (a run with
/// several clients) is set.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub name: String,
    pub on: Arc<AtomicBool>,
}

impl Stamp {
    fn conn(&self) -> Option<String> {
        self.on.load(Ordering::Relaxed).then(|| self.name.clone())
    }
}

/// An `expect` waiting now, woken only by events it could take.
struct Waiter {
    id: u64,
    nsp: String,
    name: String,
    wake: Arc<Notify>,
}

/// How often letting events go is told again after the first time.
const LET_GO_NOTICE_EVERY: Duration = Duration::from_secs(60);

struct LogInner {
    events: EventQueue,
    waiters: Vec<Waiter>,
    next_waiter: u64,
    /// Initial namespaces not yet connected or refused.
    waiting_for: HashSet<String>,
    refused: Vec<String>,
    closed: Option<String>,
    /// Why the latest connection attempt failed, while reconnecting.
    last_failure: Option<String>,
    /// When letting go was last told, and how many had gone by then.
    let_go_told: Option<(Instant, u64)>,
    /// The server's ack requests (namespace, event, id), oldest first, for `ack EVENT`.
    ack_requests: std::collections::VecDeque<(String, String, u64)>,
    /// The socket id of each namespace, from its latest connection (for `expect-admin`).
    sids: std::collections::HashMap<String, String>,
}

/// Ack requests kept for `ack EVENT`: the newest ones.
const MAX_ACK_REQUESTS: usize = 256;

/// What the pump saw, shared with the steps.
struct EventLog {
    inner: Mutex<LogInner>,
    /// Connection state changed (namespaces, closed): for [`Session::ready`].
    changed: Notify,
}

impl EventLog {
    fn new(bound: Bound, waiting_for: HashSet<String>) -> EventLog {
        EventLog {
            inner: Mutex::new(LogInner {
                events: EventQueue::new(bound),
                waiters: Vec::new(),
                next_waiter: 0,
                waiting_for,
                refused: Vec::new(),
                closed: None,
                last_failure: None,
                let_go_told: None,
                ack_requests: std::collections::VecDeque::new(),
                sids: std::collections::HashMap::new(),
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LogInner> {
        // A poisoned lock only means a panic elsewhere; the data is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes what `expect` and `ready` need from a record the sink already saw;
    /// returns a note to show when older events were let go.
    fn observe(&self, record: Record) -> Option<StateRecord> {
        match record.body {
            Body::Frame(f) if f.dir == Some(Direction::In) => {
                let sio = f.decoded.sio?;
                if let (Some(id), true) = (sio.id, sio.kind.is_event() && sio.complete) {
                    self.lock()
                        .ack_request(&sio.nsp, sio.event.as_deref().unwrap_or_default(), id);
                }
                let data = sio.data?;
                if !(sio.kind.is_event() && sio.complete && data.as_str().trim_start().starts_with('[')) {
                    return None;
                }
                let event = SeenEvent {
                    nsp: sio.nsp,
                    name: sio.event.unwrap_or_default(),
                    data,
                };
                let now = Instant::now();
                let mut inner = self.lock();
                for w in &inner.waiters {
                    if w.name == event.name && w.nsp == event.nsp {
                        // Stored if the waiter is between checks: no wake-up is lost.
                        w.wake.notify_one();
                    }
                }
                inner.events.push(event, now);
                inner.let_go_note(now)
            }
            Body::State(s) => {
                let mut inner = self.lock();
                match s.state.as_str() {
                    "namespace connected" | "namespace failed" => {
                        if let Some(nsp) = s.data.get("nsp").and_then(Value::as_str) {
                            inner.waiting_for.remove(nsp);
                            if let Some(sid) = s.data.get("sid").and_then(Value::as_str) {
                                inner.sids.insert(nsp.to_string(), sid.to_string());
                            }
                        }
                        if s.state == "namespace failed" {
                            inner.refused.push(s.detail.unwrap_or_default());
                        }
                    }
                    "closed" => inner.closed = Some(s.detail.unwrap_or_else(|| "closed".into())),
                    "disconnected" => inner.last_failure = s.detail,
                    _ => return None,
                }
                inner.wake_all();
                drop(inner);
                self.changed.notify_waiters();
                None
            }
            _ => None,
        }
    }

    fn engine_stopped(&self) {
        let mut inner = self.lock();
        inner.closed.get_or_insert_with(|| "the engine stopped".into());
        inner.wake_all();
        drop(inner);
        self.changed.notify_waiters();
    }

    /// Waits until `check` yields a value, or the deadline passes.
    async fn wait<T>(&self, deadline: Instant, mut check: impl FnMut(&mut LogInner) -> Option<T>) -> Option<T> {
        wait_for_change(&self.changed, deadline, || check(&mut self.lock())).await
    }
}

/// Waits until `check` yields a value, checking again whenever `changed` is notified,
/// until the deadline (then once more).
pub async fn wait_for_change<T>(
    changed: &Notify,
    deadline: Instant,
    mut check: impl FnMut() -> Option<T>,
) -> Option<T> {
    loop {
        let notified = changed.notified();
        tokio::pin!(notified);
        // Registered before checking, so a change between check and wait is not missed.
        notified.as_mut().enable();
        if let Some(v) = check() {
            return Some(v);
        }
        if tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), notified)
            .await
            .is_err()
        {
            return check();
        }
    }
}

impl LogInner {
    /// The server asked for an ack of this event: `ack EVENT` can answer it.
    fn ack_request(&mut self, nsp: &str, event: &str, id: u64) {
        if self.ack_requests.len() >= MAX_ACK_REQUESTS {
            self.ack_requests.pop_front();
        }
        self.ack_requests.push_back((nsp.to_string(), event.to_string(), id));
    }

    /// The id of the newest request of `event` on `nsp` not answered by name yet.
    fn take_ack_request(&mut self, nsp: &str, event: &str) -> Option<u64> {
        let at = self.ack_requests.iter().rposition(|(n, e, _)| n == nsp && e == event)?;
        self.ack_requests.remove(at).map(|(_, _, id)| id)
    }

    fn wake_all(&self) {
        for w in &self.waiters {
            w.wake.notify_one();
        }
    }

    /// A note when events were let go: the first time at once, then at most
    /// once every [`LET_GO_NOTICE_EVERY`], so a flood does not become a flood of notes.
    fn let_go_note(&mut self, now: Instant) -> Option<StateRecord> {
        let total = self.events.let_go();
        let told = match self.let_go_told {
            None if total > 0 => 0,
            Some((at, told)) if total > told && now.duration_since(at) >= LET_GO_NOTICE_EVERY => told,
            _ => return None,
        };
        self.let_go_told = Some((now, total));
        let bound = self.events.bound();
        let mut data = serde_json::Map::new();
        data.insert("let_go".into(), json!(total - told));
        data.insert("let_go_total".into(), json!(total));
        data.insert("kept".into(), json!(self.events.len()));
        data.insert("max_events".into(), json!(bound.count));
        data.insert("max_bytes".into(), json!(bound.bytes));
        data.insert("max_age_s".into(), json!(bound.age.as_secs()));
        Some(StateRecord {
            state: "events let go".into(),
            detail: Some(format!(
                "{} older event(s) no expect took were let go ({total} so far); expect can still take the newest {} events of the last {} s (at most {} MiB)",
                total - told,
                bound.count,
                bound.age.as_secs(),
                bound.bytes >> 20
            )),
            data,
        })
    }
}

/// Takes a waiter off the list when its `expect` ends, however it ends.
struct Registered<'a> {
    log: &'a EventLog,
    id: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.log.lock().waiters.retain(|w| w.id != self.id);
    }
}

/// A connected engine with the state the language needs (current namespace, events seen).
pub struct Session {
    pub handle: Handle,
    log: Arc<EventLog>,
    pump: Option<JoinHandle<()>>,
    /// The namespace `emit` and `ack` use; set by `use`.
    pub nsp: String,
    /// The run's admin connection, once opened (shared by its clients).
    pub admin: AdminSlot,
    /// The client's name, for what `expect-admin` says.
    pub name: String,
}

/// Starts the engine; `sink` sees every record first, in order.
pub fn start(options: Options, sink: impl RecordSink) -> Result<Session, String> {
    start_bounded(options, Bound::default(), sink)
}

/// [`start`] with another bound on the events kept for `expect`.
pub fn start_bounded(options: Options, bound: Bound, sink: impl RecordSink) -> Result<Session, String> {
    start_stamped(options, bound, sink, None)
}

/// [`start_bounded`] whose records carry the client's name when `stamp` says so.
pub fn start_stamped(
    options: Options,
    bound: Bound,
    sink: impl RecordSink,
    stamp: Option<Stamp>,
) -> Result<Session, String> {
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
    let (handle, records) = engine::connect(options)?;
    let name = stamp
        .as_ref()
        .map_or_else(|| super::parse::MAIN.to_string(), |s| s.name.clone());
    let log = Arc::new(EventLog::new(bound, initial.iter().cloned().collect()));
    let pump_log = log.clone();
    let pump = tokio::spawn(async move {
        // Notes of our own go between the engine's records; renumbering keeps `seq` gapless.
        let mut inserted = 0u64;
        pump_records(records, sink, |mut record, sink| {
            record.seq += inserted;
            let seq = record.seq;
            let conn = stamp.as_ref().and_then(Stamp::conn);
            record.conn.clone_from(&conn);
            sink.observe(&record);
            if let Some(note) = pump_log.observe(record) {
                inserted += 1;
                sink.observe(&Record {
                    seq: seq + 1,
                    time: Timestamp::now(),
                    conn,
                    body: Body::State(note),
                });
            }
        })
        .await;
        pump_log.engine_stopped();
    });
    Ok(Session {
        handle,
        log,
        pump: Some(pump),
        nsp: initial.first().cloned().unwrap_or_else(|| "/".into()),
        admin: AdminSlot::default(),
        name,
    })
}

/// Hands each record to `each` with the sink, in order; tells the sink when no record is
/// waiting (the moment to flush output), and once more when the engine is done.
pub async fn pump_records<S: RecordSink>(
    mut records: tokio::sync::mpsc::Receiver<Record>,
    mut sink: S,
    mut each: impl FnMut(Record, &mut S),
) {
    let mut flush = FlushTimer::default();
    loop {
        let record = tokio::select! {
            r = records.recv() => r,
            _ = flush.due() => {
                sink.idle();
                continue;
            }
        };
        let Some(record) = record else { break };
        each(record, &mut sink);
        if flush.after_record(!records.is_empty()) {
            sink.idle();
        }
    }
    sink.idle();
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
            admin: self.admin.clone(),
            name: self.name.clone(),
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
                self.log
                    .lock()
                    .ack_requests
                    .retain(|(n, _, i)| !(*n == self.nsp && i == id));
                let (values, attachments) = split_args(args);
                handle
                    .ack(&self.nsp, *id, values, attachments)
                    .await
                    .map(|_| format!("answered ack #{id} on {}", self.nsp))
            }
            Step::AckEvent { event, args } => {
                let Some(id) = self.log.lock().take_ack_request(&self.nsp, event) else {
                    return Err(format!(
                        "no ack request of {event:?} on {} is waiting to be answered",
                        self.nsp
                    ));
                };
                let (values, attachments) = split_args(args);
                handle
                    .ack(&self.nsp, id, values, attachments)
                    .await
                    .map(|_| format!("answered {event:?}'s ack #{id} on {}", self.nsp))
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
            Step::ExpectNone { event, subset, within } => self.expect_none(event, subset.as_ref(), *within).await,
            Step::Client { name, .. } => Err(format!(
                "`client {name}` opens a connection: it runs on the clients of a script or screen, not on one client"
            )),
            Step::Admin(_) => Err(
                "`admin` opens the admin connection: it runs on the clients of a script or screen, not on one client"
                    .into(),
            ),
            Step::ExpectAdmin { fact, socket, within } => self.expect_admin(fact, socket.as_deref(), *within).await,
        }
    }

    /// Waits until `check` yields a value, or the deadline passes (then checks once
    /// more). `check` runs again whenever an event named `event` arrives on this
    /// session's namespace, or the connection state changes.
    async fn watch<T>(
        &self,
        event: &str,
        deadline: Instant,
        mut check: impl FnMut(&mut LogInner) -> Option<T>,
    ) -> Option<T> {
        let wake = Arc::new(Notify::new());
        let _registered = {
            let mut inner = self.log.lock();
            let id = inner.next_waiter;
            inner.next_waiter += 1;
            inner.waiters.push(Waiter {
                id,
                nsp: self.nsp.clone(),
                name: event.to_string(),
                wake: wake.clone(),
            });
            Registered { log: &self.log, id }
        };
        loop {
            if let Some(outcome) = check(&mut self.log.lock()) {
                return Some(outcome);
            }
            let woken = tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), wake.notified()).await;
            if woken.is_err() {
                return check(&mut self.log.lock());
            }
        }
    }

    /// Whether an event is the one a line asks for: its name, this namespace, and
    /// (only when the name matches, and only the first argument parsed) the JSON.
    fn matcher<'a>(&'a self, event: &'a str, subset: Option<&'a Value>) -> impl Fn(&SeenEvent) -> bool + 'a {
        move |e| {
            e.nsp == self.nsp && e.name == event && subset.is_none_or(|s| first_arg(e).is_some_and(|a| contains(&a, s)))
        }
    }

    /// Waits until `pick` finds a matching event in what this client kept
    /// (from the oldest on), the connection closes, or the deadline passes (None).
    async fn wait_for_event<T>(
        &self,
        event: &str,
        subset: Option<&Value>,
        deadline: Instant,
        mut pick: impl FnMut(&mut EventQueue, &mut Cursor, &dyn Fn(&SeenEvent) -> bool) -> Option<T>,
    ) -> Option<Result<T, String>> {
        let wanted = self.matcher(event, subset);
        let mut cursor = Cursor::default();
        self.watch(event, deadline, |inner| {
            inner.events.forget_older_than(Instant::now());
            if let Some(found) = pick(&mut inner.events, &mut cursor, &wanted) {
                return Some(Ok(found));
            }
            inner.closed.as_ref().map(|r| Err(format!("connection closed: {r}")))
        })
        .await
    }

    async fn expect(&self, event: &str, subset: Option<&Value>, within: Duration) -> Result<String, String> {
        let deadline = Instant::now() + within;
        let found = self
            .wait_for_event(event, subset, deadline, |events, cursor, wanted| {
                events.take(cursor, wanted)
            })
            .await;
        match found {
            Some(Ok(e)) => Ok(format!("got {:?} {}", e.name, Value::Array(args_of(&e)))),
            Some(Err(reason)) => Err(format!("{event:?} never came: {reason}")),
            None => Err(format!(
                "no {} on {} within {}",
                what_event(event, subset),
                self.nsp,
                human_duration(within)
            )),
        }
    }

    /// Passes when no matching event is there for the whole of `within`. Like
    /// `expect`, it sees the events that arrived before the line ran and that no
    /// `expect` took (a broadcast that leaked before the line started counts);
    /// it takes none, so a later `expect` can still take what it saw.
    async fn expect_none(&self, event: &str, subset: Option<&Value>, within: Duration) -> Result<String, String> {
        let started = Instant::now();
        let deadline = started + within;
        let seen = self
            .wait_for_event(event, subset, deadline, |events, cursor, wanted| {
                events.find(cursor, wanted)
            })
            .await;
        match seen {
            None => Ok(format!(
                "no {} on {} for {}",
                what_event(event, subset),
                self.nsp,
                human_duration(within)
            )),
            Some(Ok((e, arrived))) => {
                let when = if arrived < started {
                    format!(
                        "{} before this line ran",
                        human_duration(started.duration_since(arrived))
                    )
                } else {
                    format!(
                        "{} into the {}",
                        human_duration(arrived - started),
                        human_duration(within)
                    )
                };
                Err(format!(
                    "got {:?} {} on {}, {when}",
                    e.name,
                    Value::Array(args_of(&e)),
                    self.nsp
                ))
            }
            Some(Err(reason)) => Err(format!("cannot tell whether {event:?} comes: {reason}")),
        }
    }

    /// Waits until the server's admin view shows `fact` about this client's socket on its
    /// namespace (or the socket `socket` names there).
    async fn expect_admin(&self, fact: &AdminFact, socket: Option<&str>, within: Duration) -> Result<String, String> {
        let Some(admin) = self.admin.get() else {
            return Err("no admin connection is open: open it with `admin` first".into());
        };
        let own = self.log.lock().sids.get(&self.nsp).cloned();
        let id = match (socket, own) {
            (Some(id), _) => id.to_string(),
            (None, Some(id)) => id,
            (None, None) => {
                return Err(format!(
                    "{} has no socket on {}: it never connected there (join it, or name one with --socket)",
                    self.name, self.nsp
                ));
            }
        };
        let subject = Subject {
            client: &self.name,
            nsp: &self.nsp,
            id: &id,
            given: socket.is_some(),
        };
        admin.expect(fact, &subject, within).await
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

/// `"news"`, or `"news" with {"room":"r1"}`.
fn what_event(event: &str, subset: Option<&Value>) -> String {
    match subset {
        Some(s) => format!("{event:?} with {s}"),
        None => format!("{event:?}"),
    }
}

/// The event's arguments (its data without the name).
fn args_of(event: &SeenEvent) -> Vec<Value> {
    match event.data.value() {
        Value::Array(items) => items.into_iter().skip(1).collect(),
        _ => Vec::new(),
    }
}

/// The event's first argument, parsed alone.
fn first_arg(event: &SeenEvent) -> Option<Value> {
    let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(event.data.as_str()).ok()?;
    serde_json::from_str(items.get(1)?.get()).ok()
}
