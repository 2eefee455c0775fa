//! The connections a record stream names (a record's `conn`): the sessions `sio tap`
//! sees, the clients of a script. Derived from the records as they pass; bounded, so a
//! tap that has seen a million short sessions keeps only the newest closed ones.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde_json::Value;

use crate::record::{Body, Direction, Record, Timestamp, Transport};

/// At most this many connections are remembered; closed ones go first.
pub const MAX_CONNS: usize = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conn {
    pub name: String,
    pub peer: Option<String>,
    pub user_agent: Option<String>,
    pub eio: Option<u64>,
    pub transport: Option<Transport>,
    /// open, closed, cut, refused, reconnecting…
    pub state: String,
    /// A delay set from the middle, as the tap described it.
    pub delay: Option<String>,
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub first: Timestamp,
    pub last: Timestamp,
}

impl Conn {
    fn new(name: &str, time: Timestamp) -> Conn {
        Conn {
            name: name.to_string(),
            peer: None,
            user_agent: None,
            eio: None,
            transport: None,
            state: "seen".into(),
            delay: None,
            frames_in: 0,
            frames_out: 0,
            bytes_in: 0,
            bytes_out: 0,
            first: time,
            last: time,
        }
    }

    pub fn is_live(&self) -> bool {
        !matches!(self.state.as_str(), "closed" | "cut" | "refused")
    }
}

#[derive(Debug, Default)]
pub struct Conns {
    /// By order of first appearance.
    by_order: BTreeMap<u64, Conn>,
    order_of: HashMap<String, u64>,
    next_order: u64,
    /// Connections let go to respect [`MAX_CONNS`].
    pub forgotten: u64,
    /// The tap's early names (`c<N>`) of sessions, to the sid that replaced them.
    renamed: HashMap<String, String>,
    /// The early names in the order they were renamed, oldest first (for the bound).
    renamed_order: VecDeque<String>,
}

impl Conns {
    pub fn is_empty(&self) -> bool {
        self.by_order.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_order.len()
    }

    pub fn live(&self) -> usize {
        self.by_order.values().filter(|c| c.is_live()).count()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Conn> {
        self.by_order.values()
    }

    pub fn get(&self, name: &str) -> Option<&Conn> {
        self.order_of.get(name).and_then(|o| self.by_order.get(o))
    }

    /// Position of a connection in [`Conns::iter`]'s order (for its colour and the list).
    pub fn position(&self, name: &str) -> Option<usize> {
        let order = self.order_of.get(name)?;
        Some(self.by_order.range(..order).count())
    }

    /// The name a connection goes by now: a tap session's sid for its early `c<N>`.
    pub fn current<'a>(&'a self, name: &'a str) -> &'a str {
        self.renamed.get(name).map_or(name, String::as_str)
    }

    /// Takes one record that names its connection.
    pub fn observe(&mut self, record: &Record) {
        let Some(name) = record.conn.as_deref() else { return };
        // The tap names a connection until its handshake answer gives the sid: one session.
        if let Body::State(st) = &record.body
            && st.state == "session"
            && let Some(before) = st.data.get("before").and_then(Value::as_str)
            && before != name
        {
            if let Some(order) = self.order_of.remove(before) {
                self.by_order.remove(&order);
            }
            self.renamed.insert(before.to_string(), name.to_string());
            self.renamed_order.push_back(before.to_string());
            if self.renamed_order.len() > MAX_CONNS
                && let Some(oldest) = self.renamed_order.pop_front()
            {
                self.renamed.remove(&oldest);
            }
        }
        let conn = self.entry(name, record.time);
        conn.last = record.time;
        match &record.body {
            Body::Frame(f) => {
                let size = f.raw.len() as u64;
                if f.dir == Some(Direction::Out) {
                    conn.frames_out += 1;
                    conn.bytes_out += size;
                } else {
                    conn.frames_in += 1;
                    conn.bytes_in += size;
                }
                if let Some(t) = f.transport {
                    conn.transport = Some(t);
                }
            }
            Body::State(st) => {
                let text = |key: &str| st.data.get(key).and_then(Value::as_str).map(str::to_string);
                match st.state.as_str() {
                    // The tap's announcement of a session, the engine's handshake.
                    "session" | "open" => {
                        conn.state = "open".into();
                        conn.peer = text("peer").or(conn.peer.take());
                        conn.user_agent = text("user_agent").or(conn.user_agent.take());
                        conn.eio = st.data.get("eio").and_then(Value::as_u64).or(conn.eio);
                        if let Some(t) = text("transport") {
                            conn.transport = match t.as_str() {
                                "websocket" => Some(Transport::Websocket),
                                "polling" => Some(Transport::Polling),
                                _ => conn.transport,
                            };
                        }
                    }
                    "upgraded" => conn.transport = Some(Transport::Websocket),
                    // A cut session then closes; "cut" says more about why.
                    "session closed" | "closed" if conn.state != "cut" => conn.state = "closed".into(),
                    "session cut" => conn.state = "cut".into(),
                    "session refused" => conn.state = "refused".into(),
                    "connecting" | "reconnecting" | "disconnected" => conn.state = st.state.clone(),
                    // A client whose namespace refused it is connected, but not in.
                    "namespace failed" => conn.state = "ns failed".into(),
                    "namespace connected" if conn.state == "ns failed" => conn.state = "open".into(),
                    "delay" => {
                        let millis = st.data.get("millis").and_then(Value::as_u64).unwrap_or(0);
                        conn.delay = (millis > 0).then(|| st.detail.clone().unwrap_or_default());
                    }
                    _ => {}
                }
            }
            Body::Http(_) => {}
        }
        self.bound();
    }

    fn entry(&mut self, name: &str, time: Timestamp) -> &mut Conn {
        let order = match self.order_of.get(name) {
            Some(&o) => o,
            None => {
                let o = self.next_order;
                self.next_order += 1;
                self.order_of.insert(name.to_string(), o);
                o
            }
        };
        self.by_order.entry(order).or_insert_with(|| Conn::new(name, time))
    }

    fn bound(&mut self) {
        while self.by_order.len() > MAX_CONNS {
            let victim = self
                .by_order
                .iter()
                .find(|(_, c)| !c.is_live())
                .or_else(|| self.by_order.iter().next())
                .map(|(&o, c)| (o, c.name.clone()));
            let Some((order, name)) = victim else { return };
            self.by_order.remove(&order);
            self.order_of.remove(&name);
            self.forgotten += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::StateRecord;

    fn state(seq: u64, conn: &str, name: &str, data: Value) -> Record {
        Record {
            seq,
            time: Timestamp { micros: seq },
            conn: Some(conn.into()),
            body: Body::State(StateRecord {
                state: name.into(),
                detail: None,
                data: data.as_object().cloned().unwrap_or_default(),
            }),
        }
    }

    #[test]
    fn sessions_are_followed_from_their_records() {
        let mut conns = Conns::default();
        conns.observe(&state(
            1,
            "s1",
            "session",
            serde_json::json!({"peer": "127.0.0.1:5000", "user_agent": "node", "eio": 4, "transport": "polling"}),
        ));
        conns.observe(&state(2, "s2", "session", serde_json::json!({})));
        conns.observe(&state(3, "s1", "upgraded", serde_json::json!({})));
        conns.observe(&state(4, "s2", "session closed", serde_json::json!({})));
        let s1 = conns.get("s1").expect("s1");
        assert_eq!(s1.peer.as_deref(), Some("127.0.0.1:5000"));
        assert_eq!(s1.transport, Some(Transport::Websocket));
        assert_eq!(s1.eio, Some(4));
        assert_eq!(conns.get("s2").map(|c| c.state.as_str()), Some("closed"));
        assert_eq!(conns.live(), 1);
        assert_eq!(conns.position("s2"), Some(1));
    }

    #[test]
    fn an_early_name_goes_by_the_sid_that_replaced_it() {
        let mut conns = Conns::default();
        conns.observe(&state(1, "c7", "connecting", serde_json::json!({})));
        assert_eq!(conns.current("c7"), "c7");
        conns.observe(&state(2, "sidA", "session", serde_json::json!({"before": "c7"})));
        assert_eq!(conns.current("c7"), "sidA");
        assert_eq!(conns.current("sidA"), "sidA");
        assert!(conns.get("c7").is_none(), "one session, listed once");
    }

    #[test]
    fn closed_sessions_are_forgotten_first() {
        let mut conns = Conns::default();
        conns.observe(&state(0, "keep", "session", serde_json::json!({})));
        for i in 1..=MAX_CONNS as u64 + 10 {
            let name = format!("s{i}");
            conns.observe(&state(i, &name, "session", serde_json::json!({})));
            conns.observe(&state(i, &name, "session closed", serde_json::json!({})));
        }
        assert_eq!(conns.len(), MAX_CONNS);
        assert_eq!(conns.forgotten, 11);
        assert!(conns.get("keep").is_some(), "the live one stays");
        assert!(conns.get("s1").is_none());
    }
}
