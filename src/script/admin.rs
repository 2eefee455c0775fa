//! A script's admin connection: the `admin` line opens it (the Admin UI's namespace of an
//! instrumented server, read as `sio admin` reads it), and `expect-admin` waits until the
//! server's own view shows a fact about a client's socket. Its records go to the same
//! sink as the clients', named [`ADMIN`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::parse::{ADMIN, AdminFact, AdminLine, contains};
use super::run::{RecordSink, SharedSink, pump_records, wait_for_change};
use crate::admin::Tracker;
use crate::admin::model::{AdminModel, Limits};
use crate::admin::setup::{Credentials, Setup, fatal, no_config};
use crate::engine::{self, Handle, Options};

/// Where the admin connection of a run is, once an `admin` line opened it: every
/// client's session holds the same slot.
pub type AdminSlot = Arc<std::sync::OnceLock<AdminWatch>>;

struct WatchInner {
    tracker: Tracker,
    /// Why the connection failed for good.
    failure: Option<String>,
    /// Events an `expect-admin` took, by their place in the server's event stream.
    taken: HashSet<u64>,
}

struct WatchState {
    inner: Mutex<WatchInner>,
    changed: Notify,
}

impl WatchState {
    fn lock(&self) -> MutexGuard<'_, WatchInner> {
        // A poisoned lock only means a panic elsewhere; the model is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `check` yields a value or the deadline passes (then checks once more).
    async fn wait<T>(&self, deadline: Instant, mut check: impl FnMut(&mut WatchInner) -> Option<T>) -> Option<T> {
        wait_for_change(&self.changed, deadline, || check(&mut self.lock())).await
    }
}

/// The admin connection and the model of the server that its events keep.
pub struct AdminWatch {
    handle: Handle,
    state: Arc<WatchState>,
    pump: Mutex<Option<JoinHandle<()>>>,
    setup: Setup,
}

/// The socket a fact is about, for messages: `bob's socket X1 on /`.
pub struct Subject<'a> {
    pub client: &'a str,
    pub nsp: &'a str,
    pub id: &'a str,
    /// The id came from `--socket`, not from the client.
    pub given: bool,
}

impl std::fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.given {
            write!(f, "socket {} on {}", self.id, self.nsp)
        } else {
            write!(f, "{}'s socket {} on {}", self.client, self.id, self.nsp)
        }
    }
}

impl AdminWatch {
    /// Connects to the admin namespace with the command line's options and the line's.
    pub fn start(defaults: &Options, line: &AdminLine, sink: SharedSink) -> Result<AdminWatch, String> {
        let mut options = defaults.clone();
        options.auth = line.auth.clone();
        let password = line.password.clone().or_else(|| {
            line.user
                .as_ref()
                .and_then(|_| std::env::var("SIO_ADMIN_PASSWORD").ok())
        });
        let credentials = Credentials {
            user: line.user.clone(),
            password,
            auth_given: line.auth.is_some(),
        };
        let setup = Setup::new(options, line.nsp.as_deref(), &credentials, Limits::default())?;
        let (handle, records) = engine::connect(setup.options.clone())?;
        let state = Arc::new(WatchState {
            inner: Mutex::new(WatchInner {
                tracker: Tracker::new(&setup.nsp, ADMIN, setup.limits),
                failure: None,
                taken: HashSet::new(),
            }),
            changed: Notify::new(),
        });
        let (pump_state, pump_setup) = (state.clone(), setup.clone());
        let pump = tokio::spawn(async move {
            pump_records(records, sink, |record, sink| {
                let mut inner = pump_state.lock();
                let (record, extra) = inner.tracker.take(record);
                if let Some(why) = fatal(&record, &pump_setup) {
                    inner.failure.get_or_insert(why);
                }
                // The sink sees a record before any `expect-admin` can act on it.
                sink.observe(&record);
                if let Some(extra) = &extra {
                    sink.observe(extra);
                }
                drop(inner);
                pump_state.changed.notify_waiters();
            })
            .await;
            pump_state
                .lock()
                .failure
                .get_or_insert_with(|| "the admin connection ended".into());
            pump_state.changed.notify_waiters();
        });
        Ok(AdminWatch {
            handle,
            state,
            pump: Mutex::new(Some(pump)),
            setup,
        })
    }

    /// Waits until the server's config came (and in development mode its sockets), or
    /// the connection failed. A server in production mode reports no sockets, rooms or
    /// events: nothing for `expect-admin` to check, so that fails here.
    pub async fn ready(&self, within: Duration) -> Result<String, String> {
        let deadline = Instant::now() + within;
        let outcome = self
            .state
            .wait(deadline, |inner| {
                if let Some(why) = &inner.failure {
                    return Some(Err(why.clone()));
                }
                let m = &inner.tracker.model;
                if m.features.is_some() && !m.development() {
                    return Some(Err(format!(
                        "{} is in production mode: the server reports no sockets, rooms or events, so \
                         expect-admin has nothing to check (instrument it with mode \"development\")",
                        self.setup.nsp
                    )));
                }
                m.ready_for_operations().then(|| {
                    Ok(format!(
                        "connected to {} (development mode, {} socket(s) listed)",
                        self.setup.nsp,
                        m.socket_count()
                    ))
                })
            })
            .await;
        outcome.unwrap_or_else(|| {
            let inner = self.state.lock();
            Err(if inner.tracker.model.features.is_none() {
                no_config(&self.setup, within)
            } else {
                format!(
                    "the server's list of sockets did not come within {} s",
                    within.as_secs()
                )
            })
        })
    }

    /// Waits until the fact holds for the socket, or `within` passes.
    pub async fn expect(&self, fact: &AdminFact, subject: &Subject<'_>, within: Duration) -> Result<String, String> {
        let deadline = Instant::now() + within;
        let outcome = self
            .state
            .wait(deadline, |inner| {
                if let Some(why) = &inner.failure {
                    return Some(Err(format!("cannot tell: {why}")));
                }
                check(inner, fact, subject).map(Ok)
            })
            .await;
        outcome.unwrap_or_else(|| {
            let inner = self.state.lock();
            Err(format!(
                "{} within {} ms",
                missing(&inner.tracker.model, fact, subject),
                within.as_millis()
            ))
        })
    }

    /// Disconnects and waits until every record has reached the sink.
    pub async fn close(&self, linger: Duration) {
        let _ = tokio::time::timeout(linger, self.handle.disconnect()).await;
        let pump = self.pump.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(pump) = pump {
            // The engine ends once its handles are gone; the pump with it.
            if tokio::time::timeout(linger, pump).await.is_err() {
                self.state.lock().failure.get_or_insert_with(|| "closed".into());
            }
        }
    }
}

/// What passed, when the fact holds now.
fn check(inner: &mut WatchInner, fact: &AdminFact, s: &Subject<'_>) -> Option<String> {
    let m = &inner.tracker.model;
    let listed = m.socket(s.nsp, s.id).is_some_and(|row| !row.partial);
    let member = |room: &str| m.members(s.nsp, room).is_some_and(|members| members.contains(s.id));
    match fact {
        AdminFact::In(room) => member(room).then(|| format!("the server has {s} in {room:?}")),
        AdminFact::NotIn(room) => {
            (m.knows_sockets() && !member(room)).then(|| format!("the server does not have {s} in {room:?}"))
        }
        AdminFact::Connected => listed.then(|| format!("the server lists {s}")),
        AdminFact::Gone => (!listed).then(|| format!("the server no longer lists {s}")),
        AdminFact::Event {
            received,
            event,
            subset,
        } => {
            let first = m.events_let_go;
            inner.taken.retain(|at| *at >= first);
            let found = m.events().iter().enumerate().find_map(|(i, row)| {
                let at = first + i as u64;
                let args = row.args.value();
                let matches = row.received == *received
                    && row.nsp == s.nsp
                    && row.id == s.id
                    && !inner.taken.contains(&at)
                    && args.get(0).and_then(Value::as_str) == Some(event.as_str())
                    && subset
                        .as_ref()
                        .is_none_or(|want| args.get(1).is_some_and(|got| contains(got, want)));
                matches.then(|| (at, Value::Array(args.as_array().map_or(&[][..], |a| &a[1..]).to_vec())))
            });
            let (at, args) = found?;
            inner.taken.insert(at);
            let how = if *received { "received from" } else { "sent to" };
            Some(format!("the server {how} {s}: {event:?} {args}"))
        }
    }
}

/// What the server shows instead, when the fact did not come true.
fn missing(m: &AdminModel, fact: &AdminFact, s: &Subject<'_>) -> String {
    let rooms = || match m.socket(s.nsp, s.id) {
        Some(row) => format!("its rooms are {:?}", row.info.rooms),
        None => format!("the server lists no socket {} on {}", s.id, s.nsp),
    };
    match fact {
        AdminFact::In(room) => format!("the server did not put {s} in {room:?} ({})", rooms()),
        AdminFact::NotIn(room) => format!("the server still has {s} in {room:?}"),
        AdminFact::Connected => format!("the server did not list {s}"),
        AdminFact::Gone => format!("the server still lists {s}"),
        AdminFact::Event {
            received,
            event,
            subset,
        } => {
            let how = if *received { "received from" } else { "sent to" };
            let with = subset.as_ref().map(|v| format!(" with {v}")).unwrap_or_default();
            let seen = m
                .events()
                .iter()
                .filter(|row| row.received == *received && row.nsp == s.nsp && row.id == s.id)
                .count();
            format!("the server reported no {event:?}{with} {how} {s} ({seen} other event(s) {how} it kept)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::event::AdminEvent;
    use crate::record::Timestamp;
    use serde_json::json;

    fn watch_inner() -> WatchInner {
        WatchInner {
            tracker: Tracker::new("/admin", ADMIN, Limits::default()),
            failure: None,
            taken: HashSet::new(),
        }
    }

    fn apply(inner: &mut WatchInner, v: Value) {
        let a = v.as_array().expect("array");
        let event = AdminEvent::parse(a[0].as_str().expect("name"), &a[1..])
            .expect("parses")
            .expect("known");
        inner.tracker.model.apply(&event, Timestamp::now());
    }

    const BOB: Subject<'static> = Subject {
        client: "bob",
        nsp: "/",
        id: "B1",
        given: false,
    };

    #[test]
    fn room_facts_follow_the_servers_joins_and_leaves() {
        let mut inner = watch_inner();
        apply(&mut inner, json!(["config", {"supportedFeatures": ["ALL_EVENTS"]}]));
        apply(&mut inner, json!(["all_sockets", []]));
        let lobby = AdminFact::In("lobby".into());
        assert_eq!(check(&mut inner, &AdminFact::Connected, &BOB), None);
        assert!(check(&mut inner, &AdminFact::Gone, &BOB).is_some());
        apply(
            &mut inner,
            json!(["socket_connected", {"id": "B1", "nsp": "/", "rooms": ["B1"], "handshake": {}}, "t"]),
        );
        assert!(check(&mut inner, &AdminFact::Connected, &BOB).is_some());
        assert_eq!(check(&mut inner, &lobby, &BOB), None);
        assert!(check(&mut inner, &AdminFact::NotIn("lobby".into()), &BOB).is_some());
        assert!(missing(&inner.tracker.model, &lobby, &BOB).contains("its rooms are [\"B1\"]"));
        apply(&mut inner, json!(["room_joined", "/", "lobby", "B1", "t"]));
        assert_eq!(
            check(&mut inner, &lobby, &BOB).as_deref(),
            Some("the server has bob's socket B1 on / in \"lobby\"")
        );
        // Another namespace's room of the same name is not it.
        let other = Subject { nsp: "/chat", ..BOB };
        assert_eq!(check(&mut inner, &lobby, &other), None);
        apply(&mut inner, json!(["room_left", "/", "lobby", "B1", "t"]));
        assert_eq!(check(&mut inner, &lobby, &BOB), None);
        apply(
            &mut inner,
            json!(["socket_disconnected", "/", "B1", "client namespace disconnect", "t"]),
        );
        assert!(check(&mut inner, &AdminFact::Gone, &BOB).is_some());
    }

    #[test]
    fn each_event_is_taken_once_and_matched_by_direction_socket_and_argument() {
        let mut inner = watch_inner();
        apply(&mut inner, json!(["config", {"supportedFeatures": ["ALL_EVENTS"]}]));
        let received = |subset: Option<Value>| AdminFact::Event {
            received: true,
            event: "chat".into(),
            subset,
        };
        apply(
            &mut inner,
            json!(["event_received", "/", "C1", ["chat", {"text": "x"}], "t"]),
        );
        apply(
            &mut inner,
            json!(["event_sent", "/", "B1", ["chat", {"text": "x"}], "t"]),
        );
        assert_eq!(
            check(&mut inner, &received(None), &BOB),
            None,
            "another socket's, and a sent one"
        );
        apply(
            &mut inner,
            json!(["event_received", "/", "B1", ["chat", {"text": "hi", "n": 1}], "t"]),
        );
        assert_eq!(check(&mut inner, &received(Some(json!({"text": "no"}))), &BOB), None);
        assert_eq!(
            check(&mut inner, &received(Some(json!({"text": "hi"}))), &BOB).as_deref(),
            Some("the server received from bob's socket B1 on /: \"chat\" [{\"text\":\"hi\",\"n\":1}]")
        );
        assert_eq!(check(&mut inner, &received(None), &BOB), None, "taken already");
        let sent = AdminFact::Event {
            received: false,
            event: "chat".into(),
            subset: None,
        };
        assert!(check(&mut inner, &sent, &BOB).is_some());
        assert!(
            missing(&inner.tracker.model, &received(None), &BOB).contains("(1 other event(s) received from it kept)")
        );
    }
}
