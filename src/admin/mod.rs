//! `sio admin`: the server's side of a Socket.IO deployment, read from the namespace that
//! `@socket.io/admin-ui` and python-socketio's `instrument()` serve for the Admin UI.
//! The connection is the client engine's; its admin events become records and a model.
//!
//! - [`event`]: the admin namespace's events, read.
//! - [`model`]: servers, sockets, rooms, events and counters, bounded.
//! - [`ops`]: operations (join, leave, disconnect, emit), parsed and checked against
//!   the server's `supportedFeatures`.
//! - [`snapshot`]: the model printed once, for people or as JSON.

pub mod event;
pub mod model;
pub mod ops;
pub mod setup;
pub mod snapshot;

use serde_json::{Map, Value, json};

use event::AdminEvent;
use model::{AdminModel, Limits};

use crate::record::{Body, Direction, Record, StateRecord, Timestamp};

/// The state of every record sio makes of an admin event (`data.event` names the event).
pub const ADMIN_STATE: &str = "admin";
/// An admin event whose arguments sio could not read.
pub const MALFORMED_STATE: &str = "admin malformed";
/// An operation sio sent, or refused.
pub const OPERATION_STATE: &str = "admin operation";

/// Between the engine and a front end: names and renumbers the engine's records, adds a
/// record after each admin event, and keeps the model up to date.
pub struct Tracker {
    pub model: AdminModel,
    /// The admin namespace.
    pub nsp: String,
    /// What every record's `conn` says.
    pub conn: String,
    /// Records of sio's own inserted so far (the engine's are renumbered after them).
    inserted: u64,
    last_seq: u64,
}

impl Tracker {
    pub fn new(nsp: &str, conn: &str, limits: Limits) -> Tracker {
        Tracker {
            model: AdminModel::new(limits),
            nsp: nsp.to_string(),
            conn: conn.to_string(),
            inserted: 0,
            last_seq: 0,
        }
    }

    /// One engine record: itself (named, renumbered) and, for an admin event, its record.
    pub fn take(&mut self, mut record: Record) -> (Record, Option<Record>) {
        record.seq += self.inserted;
        record.conn = Some(self.conn.clone());
        self.last_seq = record.seq;
        let now = record.time;
        let note = match &record.body {
            Body::Frame(f) if f.dir == Some(Direction::In) => f.decoded.sio.as_ref().and_then(|sio| {
                if !(sio.kind.is_event() && sio.complete && sio.nsp == self.nsp) {
                    return None;
                }
                let args: Vec<Value> = match sio.data.as_ref().map(|d| d.value()) {
                    Some(Value::Array(a)) => a,
                    _ => return None,
                };
                let name = sio.event.clone().unwrap_or_default();
                Some(self.read(&name, &args, now))
            }),
            Body::State(s) if s.state == "namespace connected" => {
                if s.data.get("nsp").and_then(Value::as_str) == Some(self.nsp.as_str()) {
                    let sid = s.data.get("sid").and_then(Value::as_str).unwrap_or_default();
                    self.model.own = Some((self.nsp.clone(), sid.to_string()));
                }
                None
            }
            _ => None,
        };
        let extra = note.map(|(state, detail, data)| self.make(state, detail, data, now));
        (record, extra)
    }

    /// The admin event in `name`/`args`, applied; its record's state, detail and data.
    fn read(&mut self, name: &str, args: &[Value], now: Timestamp) -> (&'static str, String, Map<String, Value>) {
        // args[0] is the event name itself.
        let rest = args.get(1..).unwrap_or(&[]);
        match AdminEvent::parse(name, rest) {
            Ok(Some(event)) => {
                self.model.apply(&event, now);
                (ADMIN_STATE, event.describe(), event.to_data())
            }
            Ok(None) => {
                let mut data = Map::new();
                data.insert("event".into(), name.into());
                data.insert("args".into(), Value::Array(rest.to_vec()));
                (ADMIN_STATE, format!("{name} (an event sio does not know)"), data)
            }
            Err(why) => {
                let mut data = Map::new();
                data.insert("event".into(), name.into());
                data.insert("error".into(), why.as_str().into());
                (MALFORMED_STATE, format!("{name}: {why}"), data)
            }
        }
    }

    fn make(&mut self, state: &str, detail: String, data: Map<String, Value>, time: Timestamp) -> Record {
        self.inserted += 1;
        self.last_seq += 1;
        Record {
            seq: self.last_seq,
            time,
            conn: Some(self.conn.clone()),
            body: Body::State(StateRecord {
                state: state.to_string(),
                detail: Some(detail),
                data,
            }),
        }
    }

    /// A record of sio's own (an operation sent or refused), numbered after the last one.
    pub fn note(&mut self, state: &str, detail: String, data: Value) -> Record {
        let data = match data {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => {
                let mut m = Map::new();
                m.insert("value".into(), other);
                m
            }
        };
        self.make(state, detail, data, Timestamp::now())
    }

    /// The record of an operation: sent, or refused and why.
    pub fn operation(&mut self, line: &str, outcome: Result<&str, &str>) -> Record {
        match outcome {
            Ok(what) => self.note(
                OPERATION_STATE,
                format!("asked the server to {what}"),
                json!({"line": line, "sent": true, "what": what}),
            ),
            Err(why) => self.note(
                OPERATION_STATE,
                why.to_string(),
                json!({"line": line, "sent": false, "error": why}),
            ),
        }
    }
}

/// Why the admin namespace refused us, in words a user can act on.
pub fn explain_refusal(nsp: &str, message: &str, gave_credentials: bool) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("invalid namespace") || lower.contains("unable to connect") {
        format!(
            "{nsp} does not exist on this server ({message:?}): it is not instrumented for the Admin UI \
             (Node: instrument(io, {{auth}}) from @socket.io/admin-ui; python-socketio: sio.instrument(auth=…)), \
             or it serves another namespace (--admin-namespace)"
        )
    } else if lower.contains("invalid credentials") || lower.contains("authentication failed") {
        if gave_credentials {
            format!("{nsp} refused the credentials ({message:?}): wrong --user or --password")
        } else {
            format!("{nsp} needs credentials ({message:?}): give --user and --password (or --auth JSON)")
        }
    } else {
        format!("{nsp} refused the connection: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::eio::{EioVersion, Frame};
    use crate::proto::frame::{FrameDecoder, Parser};
    use crate::record::{FrameRecord, Raw, Transport};

    fn frame(seq: u64, text: &str) -> Record {
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        Record {
            seq,
            time: Timestamp { micros: 1 },
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: Some(Direction::In),
                transport: Some(Transport::Websocket),
                raw: Raw::Text { text: text.into() },
                decoded: d.decode(Frame::Text(text)),
            }),
        }
    }

    #[test]
    fn admin_events_get_a_record_of_their_own_and_seq_stays_gapless() {
        let mut t = Tracker::new("/admin", "admin", Limits::default());
        let (r, extra) = t.take(frame(
            0,
            r#"42/admin,["room_joined","/","r1","abc","2026-01-01T00:00:00Z"]"#,
        ));
        assert_eq!((r.seq, r.conn.as_deref()), (0, Some("admin")));
        let extra = extra.expect("admin record");
        assert_eq!(extra.seq, 1);
        let line = extra.to_json_line();
        assert!(
            line.contains(r#""state":"admin""#) && line.contains(r#""event":"room_joined""#),
            "{line}"
        );
        assert!(line.contains(r#""conn":"admin""#), "{line}");
        let (r, extra) = t.take(frame(1, r#"42/other,["room_joined","/","r1","abc"]"#));
        assert_eq!(r.seq, 2);
        assert!(extra.is_none(), "another namespace's event is not the admin UI's");
        let (_, extra) = t.take(frame(2, r#"42/admin,["room_joined",7]"#));
        let extra = extra.expect("malformed record");
        assert!(extra.to_json_line().contains(MALFORMED_STATE));
        let (_, extra) = t.take(frame(3, r#"42/admin,["brand_new",1]"#));
        assert!(extra.expect("unknown").to_json_line().contains("does not know"));
        assert_eq!(t.operation("join r s", Err("join refused: read-only")).seq, 7);
        assert!(t.model.socket("/", "abc").is_some());
    }

    #[test]
    fn refusals_point_at_the_fix() {
        assert!(explain_refusal("/admin", "Invalid namespace", false).contains("not instrumented"));
        assert!(explain_refusal("/admin", "invalid credentials", true).contains("wrong --user or --password"));
        assert!(explain_refusal("/admin", "authentication failed", false).contains("give --user"));
        assert!(explain_refusal("/admin", "nope", false).ends_with("nope"));
    }
}
