//! What sio knows of an instrumented server, kept up to date from its admin events and
//! bounded: servers, sockets, rooms per namespace, the newest events (development mode) and
//! counters per second over the last minutes.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use super::event::{AdminEvent, ServerStats, SocketInfo};
use crate::proto::json_text::JsonText;
use crate::record::Timestamp;

/// How much the model holds at most.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Sockets listed; sockets beyond are counted, not kept.
    pub sockets: usize,
    /// Events kept (development mode), and their arguments' size together.
    pub events: usize,
    pub event_bytes: usize,
    pub servers: usize,
    /// Rooms kept per socket.
    pub rooms_per_socket: usize,
    /// Seconds of counters kept.
    pub seconds: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sockets: 100_000,
            events: 10_000,
            event_bytes: 16 * 1024 * 1024,
            servers: 256,
            rooms_per_socket: 1024,
            seconds: 600,
        }
    }
}

/// A server that stopped reporting this long ago is shown as stale; twice as long, forgotten.
pub const STALE_AFTER_SECS: f64 = 10.0;
const FORGET_AFTER_SECS: f64 = 60.0;
/// Sockets recently gone whose late room events are ignored (python-socketio sends room
/// changes in a batch, after the disconnection may already have been told).
const GONE_KEPT: usize = 4096;

/// (namespace, socket id).
pub type SocketKey = (String, String);

#[derive(Clone, Debug, PartialEq)]
pub struct SocketRow {
    pub info: SocketInfo,
    /// The server's time of the connection, when it said.
    pub connected_at: Option<String>,
    /// When sio first heard of it.
    pub seen: Timestamp,
    /// Known only from a room event so far (its `socket_connected` is still to come).
    pub partial: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServerRow {
    pub stats: ServerStats,
    pub last: Timestamp,
    pub reports: u64,
}

impl ServerRow {
    pub fn stale(&self, now: Timestamp) -> bool {
        now.seconds_since(self.last) > STALE_AFTER_SECS
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub time: Timestamp,
    pub at: Option<String>,
    pub received: bool,
    pub nsp: String,
    pub id: String,
    pub args: JsonText,
}

/// Counters of one second (the server's clock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Second {
    pub unix: u64,
    pub connections: u64,
    pub disconnections: u64,
    pub packets_in: u64,
    pub packets_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Events received and sent by the server (development mode).
    pub events_in: u64,
    pub events_out: u64,
}

#[derive(Clone, Debug, Default)]
pub struct AdminModel {
    pub limits: Limits,
    /// `supportedFeatures`, once the server sent its config.
    pub features: Option<Vec<String>>,
    /// The server's basic auth opened a session.
    pub session: bool,
    /// The server sent its list of sockets (development mode).
    pub sockets_listed: bool,
    /// Why the admin connection failed for good (refused, closed), for the screen.
    pub failure: Option<String>,
    /// The admin connection's own socket, to mark it.
    pub own: Option<SocketKey>,
    servers: BTreeMap<String, ServerRow>,
    sockets: BTreeMap<SocketKey, SocketRow>,
    /// (namespace, room) → members.
    rooms: BTreeMap<(String, String), BTreeSet<String>>,
    events: VecDeque<EventRow>,
    event_bytes: usize,
    seconds: VecDeque<Second>,
    discarded: Second,
    gone: VecDeque<SocketKey>,
    gone_set: HashSet<SocketKey>,
    /// Sockets the limit kept out of the list.
    pub sockets_not_listed: u64,
    pub events_let_go: u64,
    /// Grows with every change: a view redraws or re-sorts only when it moved.
    pub generation: u64,
}

impl AdminModel {
    pub fn new(limits: Limits) -> AdminModel {
        AdminModel {
            limits,
            ..AdminModel::default()
        }
    }

    pub fn apply(&mut self, event: &AdminEvent, now: Timestamp) {
        self.generation += 1;
        match event {
            AdminEvent::Session(_) => self.session = true,
            AdminEvent::Config { features } => self.features = Some(features.clone()),
            AdminEvent::ServerStats(stats) => self.server_reported(stats, now),
            AdminEvent::AllSockets(list) => {
                // The server's whole list (sent on every admin connection): it replaces ours.
                self.sockets.clear();
                self.rooms.clear();
                self.sockets_not_listed = 0;
                for socket in list {
                    self.upsert(socket, None, now);
                }
                self.sockets_listed = true;
            }
            AdminEvent::SocketConnected { socket, at } => {
                let key = (socket.nsp.clone(), socket.id.clone());
                if self.gone_set.remove(&key) {
                    self.gone.retain(|k| k != &key);
                }
                self.upsert(socket, at.clone(), now)
            }
            AdminEvent::SocketUpdated {
                nsp,
                id,
                transport,
                data,
            } => {
                if let Some(row) = self.sockets.get_mut(&(nsp.clone(), id.clone())) {
                    if let Some(t) = transport {
                        row.info.transport = t.clone();
                    }
                    if let Some(d) = data {
                        row.info.data = d.clone();
                    }
                }
            }
            AdminEvent::SocketDisconnected { nsp, id, .. } => {
                let key = (nsp.clone(), id.clone());
                self.remove(&key);
                self.remember_gone(key);
            }
            AdminEvent::RoomJoined { nsp, room, id, .. } => self.joined(nsp, room, id, now),
            AdminEvent::RoomLeft { nsp, room, id, .. } => self.left(nsp, room, id),
            AdminEvent::Event {
                received,
                nsp,
                id,
                args,
                at,
            } => {
                // The server's clock, as its counters use.
                let when = at.as_deref().and_then(|a| a.parse::<Timestamp>().ok()).unwrap_or(now);
                let bucket = self.second(when.micros / 1_000_000);
                if *received {
                    bucket.events_in += 1;
                } else {
                    bucket.events_out += 1;
                }
                self.push_event(EventRow {
                    time: now,
                    at: at.clone(),
                    received: *received,
                    nsp: nsp.clone(),
                    id: id.clone(),
                    args: args.clone(),
                });
            }
        }
    }

    fn server_reported(&mut self, stats: &ServerStats, now: Timestamp) {
        for c in &stats.counters {
            let bucket = self.second(c.timestamp_ms / 1000);
            let field = match c.kind.as_str() {
                "rawConnection" => &mut bucket.connections,
                "rawDisconnection" => &mut bucket.disconnections,
                "packetsIn" => &mut bucket.packets_in,
                "packetsOut" => &mut bucket.packets_out,
                "bytesIn" => &mut bucket.bytes_in,
                "bytesOut" => &mut bucket.bytes_out,
                _ => continue,
            };
            *field = field.saturating_add(c.count);
        }
        let mut kept = stats.clone();
        kept.counters = Vec::new();
        let reports = self.servers.get(&stats.server_id).map_or(0, |s| s.reports);
        if reports == 0 && self.servers.len() >= self.limits.servers {
            return;
        }
        self.servers.insert(
            stats.server_id.clone(),
            ServerRow {
                stats: kept,
                last: now,
                reports: reports + 1,
            },
        );
        self.servers
            .retain(|_, s| now.seconds_since(s.last) <= FORGET_AFTER_SECS);
    }

    /// The counters of one second, made when missing; seconds beyond the limit go (a
    /// second older than all that is kept counts nowhere).
    fn second(&mut self, unix: u64) -> &mut Second {
        let keep = self.limits.seconds.max(1) as u64;
        let newest = self.seconds.back().map_or(unix, |s| s.unix.max(unix));
        if unix + keep <= newest {
            self.discarded = Second::default();
            return &mut self.discarded;
        }
        let at = match self.seconds.binary_search_by_key(&unix, |s| s.unix) {
            Ok(i) => i,
            Err(i) => {
                self.seconds.insert(
                    i,
                    Second {
                        unix,
                        ..Second::default()
                    },
                );
                i
            }
        };
        let mut dropped = 0;
        while self.seconds.front().is_some_and(|s| s.unix + keep <= newest) {
            self.seconds.pop_front();
            dropped += 1;
        }
        // The second asked for is within the limit, so it was not among those dropped.
        &mut self.seconds[at - dropped]
    }

    fn upsert(&mut self, socket: &SocketInfo, at: Option<String>, now: Timestamp) {
        let key = (socket.nsp.clone(), socket.id.clone());
        let mut info = socket.clone();
        info.rooms.truncate(self.limits.rooms_per_socket);
        let (seen, connected_at) = match self.sockets.get(&key) {
            Some(old) => (old.seen, at.or_else(|| old.connected_at.clone())),
            None => {
                if self.sockets.len() >= self.limits.sockets {
                    self.sockets_not_listed += 1;
                    return;
                }
                (now, at)
            }
        };
        if let Some(old) = self.sockets.get(&key) {
            let old_rooms = old.info.rooms.clone();
            for room in old_rooms {
                self.unindex(&key.0, &room, &key.1);
            }
        }
        for room in &info.rooms {
            self.rooms
                .entry((key.0.clone(), room.clone()))
                .or_default()
                .insert(key.1.clone());
        }
        self.sockets.insert(
            key,
            SocketRow {
                info,
                connected_at,
                seen,
                partial: false,
            },
        );
    }

    fn remove(&mut self, key: &SocketKey) {
        if let Some(row) = self.sockets.remove(key) {
            for room in &row.info.rooms {
                self.unindex(&key.0, room, &key.1);
            }
        }
    }

    fn remember_gone(&mut self, key: SocketKey) {
        if self.gone_set.insert(key.clone()) {
            self.gone.push_back(key);
        }
        while self.gone.len() > GONE_KEPT {
            if let Some(old) = self.gone.pop_front() {
                self.gone_set.remove(&old);
            }
        }
    }

    fn unindex(&mut self, nsp: &str, room: &str, id: &str) {
        let key = (nsp.to_string(), room.to_string());
        if let Some(members) = self.rooms.get_mut(&key) {
            members.remove(id);
            if members.is_empty() {
                self.rooms.remove(&key);
            }
        }
    }

    fn joined(&mut self, nsp: &str, room: &str, id: &str, now: Timestamp) {
        let key = (nsp.to_string(), id.to_string());
        if self.gone_set.contains(&key) {
            return;
        }
        let row = match self.sockets.get_mut(&key) {
            Some(row) => row,
            None => {
                // Socket.IO puts a socket in its own room before it reports the connection.
                if self.sockets.len() >= self.limits.sockets {
                    return;
                }
                self.sockets.entry(key.clone()).or_insert(SocketRow {
                    info: SocketInfo {
                        id: id.to_string(),
                        nsp: nsp.to_string(),
                        client_id: String::new(),
                        transport: String::new(),
                        address: String::new(),
                        user_agent: String::new(),
                        rooms: Vec::new(),
                        data: JsonText::new("{}"),
                        handshake: JsonText::new("{}"),
                    },
                    connected_at: None,
                    seen: now,
                    partial: true,
                })
            }
        };
        if row.info.rooms.iter().any(|r| r == room) || row.info.rooms.len() >= self.limits.rooms_per_socket {
            return;
        }
        row.info.rooms.push(room.to_string());
        self.rooms
            .entry((nsp.to_string(), room.to_string()))
            .or_default()
            .insert(id.to_string());
    }

    fn left(&mut self, nsp: &str, room: &str, id: &str) {
        let key = (nsp.to_string(), id.to_string());
        if let Some(row) = self.sockets.get_mut(&key) {
            row.info.rooms.retain(|r| r != room);
            self.unindex(nsp, room, id);
        }
    }

    fn push_event(&mut self, row: EventRow) {
        self.event_bytes += row.args.as_str().len();
        self.events.push_back(row);
        while self.events.len() > 1
            && (self.events.len() > self.limits.events || self.event_bytes > self.limits.event_bytes)
        {
            if let Some(old) = self.events.pop_front() {
                self.event_bytes -= old.args.as_str().len();
                self.events_let_go += 1;
            }
        }
    }

    pub fn servers(&self) -> impl Iterator<Item = &ServerRow> {
        self.servers.values()
    }

    /// Sockets by namespace, then id.
    pub fn sockets(&self) -> impl Iterator<Item = &SocketRow> {
        self.sockets.values()
    }

    pub fn socket_count(&self) -> usize {
        self.sockets.len()
    }

    pub fn socket(&self, nsp: &str, id: &str) -> Option<&SocketRow> {
        self.sockets.get(&(nsp.to_string(), id.to_string()))
    }

    /// Every listed socket with this id, whatever its namespace.
    pub fn sockets_with_id<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a SocketRow> {
        self.sockets.values().filter(move |s| s.info.id == id)
    }

    /// Rooms with their members, by namespace then name. A socket's own room (named by
    /// its id) is left out unless `private`.
    pub fn rooms(&self, private: bool) -> impl Iterator<Item = (&str, &str, &BTreeSet<String>)> {
        self.rooms
            .iter()
            .filter(move |((_, room), members)| private || !(members.len() == 1 && members.contains(room)))
            .map(|((nsp, room), members)| (nsp.as_str(), room.as_str(), members))
    }

    pub fn members(&self, nsp: &str, room: &str) -> Option<&BTreeSet<String>> {
        self.rooms.get(&(nsp.to_string(), room.to_string()))
    }

    pub fn events(&self) -> &VecDeque<EventRow> {
        &self.events
    }

    /// Counters per second, oldest first.
    pub fn seconds(&self) -> &VecDeque<Second> {
        &self.seconds
    }

    /// Sockets per namespace as the servers count them (every mode), summed over servers.
    pub fn namespace_counts(&self) -> BTreeMap<&str, u64> {
        let mut out = BTreeMap::new();
        for s in self.servers.values() {
            for (nsp, n) in &s.stats.namespaces {
                *out.entry(nsp.as_str()).or_insert(0) += n;
            }
        }
        out
    }

    pub fn supports(&self, feature: &str) -> bool {
        self.features.as_ref().is_some_and(|f| f.iter().any(|x| x == feature))
    }

    /// The server reports every socket, room change and event (`ALL_EVENTS`).
    pub fn development(&self) -> bool {
        self.supports("ALL_EVENTS")
    }

    /// Operations can be planned: the config came, and in development mode the sockets too
    /// (a socket id or `--match` is looked up among them), or a round of reports went by
    /// without the list (python-socketio 5 sends `all_sockets` to another socket when
    /// others are connected; its sockets are then known as it announces them, on each ping).
    pub fn ready_for_operations(&self) -> bool {
        self.features.is_some() && (self.sockets_listed || !self.development() || self.servers_round_done())
    }

    /// The sockets known are the server's word: its list came, or it announces every
    /// socket as it connects (development mode).
    pub fn knows_sockets(&self) -> bool {
        self.sockets_listed || self.development()
    }

    /// A full round of reports: some server has reported twice, so every server that
    /// reports as often has reported at least once.
    pub fn servers_round_done(&self) -> bool {
        self.servers.values().any(|s| s.reports >= 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn ev(v: Value) -> AdminEvent {
        let a = v.as_array().expect("array");
        AdminEvent::parse(a[0].as_str().expect("name"), &a[1..])
            .expect("parses")
            .expect("known")
    }

    fn socket(id: &str, nsp: &str) -> Value {
        json!({"id": id, "nsp": nsp, "clientId": "c", "transport": "polling", "data": {},
               "handshake": {"address": "127.0.0.1", "headers": {}}, "rooms": [id]})
    }

    fn t(secs: u64) -> Timestamp {
        Timestamp {
            micros: secs * 1_000_000,
        }
    }

    #[test]
    fn follows_sockets_and_rooms() {
        let mut m = AdminModel::new(Limits::default());
        m.apply(&ev(json!(["room_joined", "/", "a", "a", "x"])), t(1));
        assert!(m.socket("/", "a").is_some_and(|s| s.partial));
        m.apply(&ev(json!(["socket_connected", socket("a", "/"), "x"])), t(1));
        m.apply(&ev(json!(["socket_connected", socket("b", "/chat"), "x"])), t(1));
        m.apply(&ev(json!(["room_joined", "/", "r1", "a", "x"])), t(2));
        m.apply(&ev(json!(["room_joined", "/", "r1", "a", "x"])), t(2));
        let a = m.socket("/", "a").expect("a");
        assert!(!a.partial);
        assert_eq!(a.info.rooms, ["a", "r1"]);
        let rooms: Vec<_> = m.rooms(false).map(|(n, r, s)| (n, r, s.len())).collect();
        assert_eq!(rooms, [("/", "r1", 1)]);
        assert_eq!(m.rooms(true).count(), 3);
        m.apply(
            &ev(json!(["socket_updated", {"id": "a", "nsp": "/", "transport": "websocket"}])),
            t(3),
        );
        assert_eq!(m.socket("/", "a").map(|s| s.info.transport.as_str()), Some("websocket"));
        m.apply(&ev(json!(["room_left", "/", "r1", "a", "x"])), t(3));
        assert_eq!(m.rooms(false).count(), 0);
        m.apply(
            &ev(json!(["socket_disconnected", "/", "a", "transport close", "x"])),
            t(4),
        );
        // Late room events of a gone socket do not bring it back.
        m.apply(&ev(json!(["room_joined", "/", "r2", "a", "x"])), t(4));
        assert!(m.socket("/", "a").is_none());
        assert_eq!(m.socket_count(), 1);
        // The whole list replaces what was known.
        m.apply(&ev(json!(["all_sockets", [socket("c", "/")]])), t(5));
        assert_eq!(m.sockets().map(|s| s.info.id.as_str()).collect::<Vec<_>>(), ["c"]);
        assert!(m.sockets_listed);
    }

    #[test]
    fn python_socketio_repeats_socket_connected_without_doubling() {
        let mut m = AdminModel::new(Limits::default());
        for i in 0..3 {
            m.apply(&ev(json!(["socket_connected", socket("a", "/"), "x"])), t(i));
        }
        assert_eq!(m.socket_count(), 1);
        assert_eq!(m.socket("/", "a").map(|s| s.seen), Some(t(0)));
        assert_eq!(m.members("/", "a").map(|s| s.len()), Some(1));
    }

    #[test]
    fn stays_within_its_limits() {
        let limits = Limits {
            sockets: 2,
            events: 3,
            seconds: 5,
            ..Limits::default()
        };
        let mut m = AdminModel::new(limits);
        for id in ["a", "b", "c"] {
            m.apply(&ev(json!(["socket_connected", socket(id, "/"), "x"])), t(1));
        }
        assert_eq!((m.socket_count(), m.sockets_not_listed), (2, 1));
        for i in 0..5 {
            m.apply(&ev(json!(["event_sent", "/", "a", ["e", i], "x"])), t(10 + i));
        }
        assert_eq!((m.events().len(), m.events_let_go), (3, 2));
        assert_eq!(m.events()[0].args.value(), json!(["e", 2]));
        assert!(m.seconds().len() <= 5, "{:?}", m.seconds());
        assert_eq!(m.seconds().back().map(|s| (s.unix, s.events_out)), Some((14, 1)));
    }

    #[test]
    fn servers_report_and_go_stale() {
        let mut m = AdminModel::new(Limits::default());
        let stats = |id: &str| {
            ev(
                json!(["server_stats", {"serverId": id, "hostname": "h", "pid": 1, "uptime": 1.0,
                "clientsCount": 3, "pollingClientsCount": 1,
                "namespaces": [{"name": "/", "socketsCount": 2}],
                "aggregatedEvents": [{"timestamp": 1000, "type": "rawConnection", "count": 2},
                                     {"timestamp": 1000, "type": "bytesIn", "count": 40}]}]),
            )
        };
        m.apply(&stats("n1"), t(100));
        m.apply(&stats("n2"), t(101));
        assert!(!m.servers_round_done());
        m.apply(&stats("n1"), t(102));
        assert!(m.servers_round_done());
        assert_eq!(m.namespace_counts().get("/"), Some(&4));
        assert_eq!(
            m.seconds()
                .iter()
                .find(|s| s.unix == 1)
                .map(|s| (s.connections, s.bytes_in)),
            Some((6, 120))
        );
        let n2 = m.servers().find(|s| s.stats.server_id == "n2").expect("n2");
        assert!(n2.stale(t(115)) && !n2.stale(t(105)));
        m.apply(&stats("n1"), t(170));
        assert_eq!(m.servers().count(), 1);
    }
}
