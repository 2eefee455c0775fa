//! What an instrumented server tells the Admin UI, read from the admin namespace's events.
//!
//! The same events come from `@socket.io/admin-ui` (Node) and python-socketio's
//! `instrument()`; where the two differ, both forms are read:
//! - `socket_connected` (socket, time); python-socketio sends it again with every ping;
//! - `socket_updated` (a partial socket: `id`, `nsp` and `transport` or `data`);
//! - `socket_disconnected` (nsp, id, reason, time); python-socketio's reason is `N/A`;
//! - `room_joined` / `room_left` (nsp, room, id, time); python-socketio sends them in a batch
//!   after each `server_stats`;
//! - `event_received` / `event_sent` (nsp, id, [event, ...args], time), development mode only;
//! - `server_stats` (every 2 s per server: id, hostname, pid, uptime, clients, polling
//!   clients, per-namespace socket counts, and the counters of the last seconds);
//! - `config` (`supportedFeatures`), `all_sockets` (development mode), `session` (basic auth).

use serde_json::{Map, Value, json};

use crate::proto::json_text::JsonText;

/// One socket as the server describes it. The handshake is kept as its text: it is shown
/// for one socket at a time, and text is a fraction of a parsed value's size.
#[derive(Clone, Debug, PartialEq)]
pub struct SocketInfo {
    pub id: String,
    pub nsp: String,
    /// The Engine.IO connection's id (admin-ui cuts it to 12 characters).
    pub client_id: String,
    pub transport: String,
    pub address: String,
    pub user_agent: String,
    pub rooms: Vec<String>,
    pub data: JsonText,
    pub handshake: JsonText,
}

/// A server's periodic report.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerStats {
    pub server_id: String,
    pub hostname: String,
    pub pid: u64,
    pub uptime: f64,
    pub clients: u64,
    pub polling_clients: u64,
    /// (namespace, sockets in it).
    pub namespaces: Vec<(String, u64)>,
    /// Counters per second since the last report: (unix ms, type, sub-type, count).
    pub counters: Vec<Counter>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Counter {
    pub timestamp_ms: u64,
    /// `rawConnection`, `rawDisconnection`, `packetsIn`, `packetsOut`, `bytesIn`, `bytesOut`.
    pub kind: String,
    pub sub: Option<String>,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AdminEvent {
    Session(String),
    Config {
        features: Vec<String>,
    },
    ServerStats(ServerStats),
    AllSockets(Vec<SocketInfo>),
    SocketConnected {
        socket: SocketInfo,
        at: Option<String>,
    },
    SocketUpdated {
        nsp: String,
        id: String,
        transport: Option<String>,
        data: Option<JsonText>,
    },
    SocketDisconnected {
        nsp: String,
        id: String,
        reason: String,
        at: Option<String>,
    },
    RoomJoined {
        nsp: String,
        room: String,
        id: String,
        at: Option<String>,
    },
    RoomLeft {
        nsp: String,
        room: String,
        id: String,
        at: Option<String>,
    },
    /// An event the server received from (`received`) or sent to a socket.
    Event {
        received: bool,
        nsp: String,
        id: String,
        /// The event's name and arguments, as the server reported them.
        args: JsonText,
        at: Option<String>,
    },
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn want_str(args: &[Value], i: usize, what: &str) -> Result<String, String> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("{what} is {other}, not a string")),
        None => Err(format!("{what} is missing")),
    }
}

fn time_at(args: &[Value], i: usize) -> Option<String> {
    args.get(i).and_then(Value::as_str).map(str::to_string)
}

fn u64_of(v: Option<&Value>) -> u64 {
    v.and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)))
        .unwrap_or(0)
}

impl SocketInfo {
    /// Reads one serialised socket; `id` and `nsp` are required, the rest defaults.
    pub fn from_value(v: &Value) -> Result<SocketInfo, String> {
        let o = v.as_object().ok_or_else(|| format!("a socket is {v}, not an object"))?;
        let id = match o.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err("a socket without an id".into()),
        };
        let handshake = o.get("handshake").cloned().unwrap_or(Value::Null);
        let header = |name: &str| {
            handshake
                .get("headers")
                .and_then(|h| h.get(name))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let rooms = match o.get("rooms") {
            Some(Value::Array(a)) => a.iter().map(|r| text(Some(r))).collect(),
            _ => Vec::new(),
        };
        Ok(SocketInfo {
            id,
            nsp: o.get("nsp").and_then(Value::as_str).unwrap_or("/").to_string(),
            client_id: text(o.get("clientId")),
            transport: text(o.get("transport")),
            address: text(handshake.get("address")),
            // python-socketio names headers as the WSGI environ does (`user_agent`).
            user_agent: Some(header("user-agent"))
                .filter(|ua| !ua.is_empty())
                .unwrap_or_else(|| header("user_agent")),
            rooms,
            data: JsonText::from_value(o.get("data").unwrap_or(&Value::Null)),
            handshake: JsonText::from_value(&handshake),
        })
    }

    /// The socket as the server sent it (the handshake and data as they came).
    pub fn to_value(&self) -> Value {
        json!({
            "id": self.id,
            "nsp": self.nsp,
            "clientId": self.client_id,
            "transport": self.transport,
            "rooms": self.rooms,
            "data": self.data.value(),
            "handshake": self.handshake.value(),
        })
    }
}

impl ServerStats {
    fn from_value(v: &Value) -> Result<ServerStats, String> {
        let o = v
            .as_object()
            .ok_or_else(|| format!("server_stats is {v}, not an object"))?;
        let server_id = text(o.get("serverId"));
        let hostname = text(o.get("hostname"));
        let namespaces = match o.get("namespaces") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|n| (text(n.get("name")), u64_of(n.get("socketsCount"))))
                .collect(),
            _ => Vec::new(),
        };
        let counters = match o.get("aggregatedEvents") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|c| {
                    Some(Counter {
                        timestamp_ms: c.get("timestamp")?.as_u64()?,
                        kind: c.get("type")?.as_str()?.to_string(),
                        sub: c.get("subType").and_then(Value::as_str).map(str::to_string),
                        count: u64_of(c.get("count")),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(ServerStats {
            server_id: if server_id.is_empty() {
                hostname.clone()
            } else {
                server_id
            },
            hostname,
            pid: u64_of(o.get("pid")),
            uptime: o.get("uptime").and_then(Value::as_f64).unwrap_or(0.0),
            clients: u64_of(o.get("clientsCount")),
            polling_clients: u64_of(o.get("pollingClientsCount")),
            namespaces,
            counters,
        })
    }
}

impl AdminEvent {
    /// Reads one event of the admin namespace: `Ok(None)` for a name it does not know
    /// (a newer server's), an error for a known name with arguments of the wrong shape.
    pub fn parse(name: &str, args: &[Value]) -> Result<Option<AdminEvent>, String> {
        let first = || args.first().ok_or_else(|| format!("{name} without arguments"));
        let event = match name {
            "session" => AdminEvent::Session(text(args.first())),
            "config" => {
                let features = match first()?.get("supportedFeatures") {
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                    _ => Vec::new(),
                };
                AdminEvent::Config { features }
            }
            "server_stats" => AdminEvent::ServerStats(ServerStats::from_value(first()?)?),
            "all_sockets" => match first()? {
                Value::Array(a) => {
                    AdminEvent::AllSockets(a.iter().map(SocketInfo::from_value).collect::<Result<Vec<_>, _>>()?)
                }
                other => return Err(format!("all_sockets carries {other}, not a list")),
            },
            "socket_connected" => AdminEvent::SocketConnected {
                socket: SocketInfo::from_value(first()?)?,
                at: time_at(args, 1),
            },
            "socket_updated" => {
                let o = first()?;
                AdminEvent::SocketUpdated {
                    id: want_str(
                        std::slice::from_ref(o.get("id").unwrap_or(&Value::Null)),
                        0,
                        "the socket id",
                    )?,
                    nsp: o.get("nsp").and_then(Value::as_str).unwrap_or("/").to_string(),
                    transport: o.get("transport").and_then(Value::as_str).map(str::to_string),
                    data: o.get("data").map(JsonText::from_value),
                }
            }
            "socket_disconnected" => AdminEvent::SocketDisconnected {
                nsp: want_str(args, 0, "the namespace")?,
                id: want_str(args, 1, "the socket id")?,
                reason: text(args.get(2)),
                at: time_at(args, 3),
            },
            "room_joined" | "room_left" => {
                let (nsp, room, id, at) = (
                    want_str(args, 0, "the namespace")?,
                    text(args.get(1)),
                    want_str(args, 2, "the socket id")?,
                    time_at(args, 3),
                );
                if name == "room_joined" {
                    AdminEvent::RoomJoined { nsp, room, id, at }
                } else {
                    AdminEvent::RoomLeft { nsp, room, id, at }
                }
            }
            "event_received" | "event_sent" => AdminEvent::Event {
                received: name == "event_received",
                nsp: want_str(args, 0, "the namespace")?,
                id: want_str(args, 1, "the socket id")?,
                args: JsonText::from_value(args.get(2).unwrap_or(&Value::Null)),
                at: time_at(args, 3),
            },
            _ => return Ok(None),
        };
        Ok(Some(event))
    }

    pub fn name(&self) -> &'static str {
        match self {
            AdminEvent::Session(_) => "session",
            AdminEvent::Config { .. } => "config",
            AdminEvent::ServerStats(_) => "server_stats",
            AdminEvent::AllSockets(_) => "all_sockets",
            AdminEvent::SocketConnected { .. } => "socket_connected",
            AdminEvent::SocketUpdated { .. } => "socket_updated",
            AdminEvent::SocketDisconnected { .. } => "socket_disconnected",
            AdminEvent::RoomJoined { .. } => "room_joined",
            AdminEvent::RoomLeft { .. } => "room_left",
            AdminEvent::Event { received: true, .. } => "event_received",
            AdminEvent::Event { received: false, .. } => "event_sent",
        }
    }

    /// The record's `data`: the event's name and its fields by name, for `jq`.
    pub fn to_data(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("event".into(), self.name().into());
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        match self {
            AdminEvent::Session(id) => put("session", id.as_str().into()),
            AdminEvent::Config { features } => put("features", json!(features)),
            AdminEvent::ServerStats(s) => {
                put("server", s.server_id.as_str().into());
                put("hostname", s.hostname.as_str().into());
                put("pid", s.pid.into());
                put("uptime", json!(s.uptime));
                put("clients", s.clients.into());
                put("polling_clients", s.polling_clients.into());
                put(
                    "namespaces",
                    s.namespaces
                        .iter()
                        .map(|(n, c)| json!({"name": n, "sockets": c}))
                        .collect(),
                );
                put(
                    "counters",
                    s.counters
                        .iter()
                        .map(|c| {
                            let mut o = json!({"timestamp": c.timestamp_ms, "type": c.kind, "count": c.count});
                            if let (Some(sub), Some(obj)) = (&c.sub, o.as_object_mut()) {
                                obj.insert("subType".into(), sub.as_str().into());
                            }
                            o
                        })
                        .collect(),
                );
            }
            AdminEvent::AllSockets(sockets) => {
                put("count", sockets.len().into());
                put("sockets", sockets.iter().map(SocketInfo::to_value).collect());
            }
            AdminEvent::SocketConnected { socket, at } => {
                put("nsp", socket.nsp.as_str().into());
                put("id", socket.id.as_str().into());
                put("socket", socket.to_value());
                put("at", json!(at));
            }
            AdminEvent::SocketUpdated {
                nsp,
                id,
                transport,
                data,
            } => {
                put("nsp", nsp.as_str().into());
                put("id", id.as_str().into());
                if let Some(t) = transport {
                    put("transport", t.as_str().into());
                }
                if let Some(d) = data {
                    put("data", d.value());
                }
            }
            AdminEvent::SocketDisconnected { nsp, id, reason, at } => {
                put("nsp", nsp.as_str().into());
                put("id", id.as_str().into());
                put("reason", reason.as_str().into());
                put("at", json!(at));
            }
            AdminEvent::RoomJoined { nsp, room, id, at } | AdminEvent::RoomLeft { nsp, room, id, at } => {
                put("nsp", nsp.as_str().into());
                put("room", room.as_str().into());
                put("id", id.as_str().into());
                put("at", json!(at));
            }
            AdminEvent::Event { nsp, id, args, at, .. } => {
                put("nsp", nsp.as_str().into());
                put("id", id.as_str().into());
                let all = args.value();
                let (name, rest) = split_event(&all);
                put("name", name.into());
                put("args", Value::Array(rest.to_vec()));
                put("at", json!(at));
            }
        }
        m
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            AdminEvent::Session(_) => "admin session opened (basic auth accepted)".into(),
            AdminEvent::Config { features } => format!(
                "supported features: {}",
                if features.is_empty() {
                    "none".to_string()
                } else {
                    features.join(", ")
                }
            ),
            AdminEvent::ServerStats(s) => format!(
                "server {} (pid {}, up {}): {} client(s), {} polling; {}",
                s.server_id,
                s.pid,
                human_uptime(s.uptime),
                s.clients,
                s.polling_clients,
                s.namespaces
                    .iter()
                    .map(|(n, c)| format!("{n} {c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            AdminEvent::AllSockets(s) => format!("{} socket(s) connected now", s.len()),
            AdminEvent::SocketConnected { socket, .. } => format!(
                "{} {} connected ({}, {}{})",
                socket.nsp,
                socket.id,
                socket.transport,
                socket.address,
                if socket.rooms.is_empty() {
                    String::new()
                } else {
                    format!(", rooms {}", socket.rooms.join(" "))
                }
            ),
            AdminEvent::SocketUpdated {
                nsp,
                id,
                transport,
                data,
            } => match (transport, data) {
                (Some(t), _) => format!("{nsp} {id} now on {t}"),
                (None, Some(d)) => format!("{nsp} {id} data {}", d.as_str()),
                (None, None) => format!("{nsp} {id} updated"),
            },
            AdminEvent::SocketDisconnected { nsp, id, reason, .. } => {
                format!("{nsp} {id} disconnected ({reason})")
            }
            AdminEvent::RoomJoined { nsp, room, id, .. } => format!("{nsp} {id} joined {room:?}"),
            AdminEvent::RoomLeft { nsp, room, id, .. } => format!("{nsp} {id} left {room:?}"),
            AdminEvent::Event {
                received,
                nsp,
                id,
                args,
                ..
            } => format!(
                "{nsp} {id} {} {}",
                if *received { "sent the server" } else { "was sent" },
                args.as_str()
            ),
        }
    }
}

/// `["echo", 1, 2]` → ("echo", [1, 2]); anything else has no name.
pub fn split_event(all: &Value) -> (String, &[Value]) {
    match all.as_array() {
        Some(a) => match a.split_first() {
            Some((Value::String(name), rest)) => (name.clone(), rest),
            _ => (String::new(), a.as_slice()),
        },
        None => (String::new(), &[]),
    }
}

/// `3725.2` seconds → `1h02m`.
pub fn human_uptime(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, s / 60 % 60),
        _ => format!("{}d{:02}h", s / 86_400, s / 3600 % 24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> AdminEvent {
        let v: Vec<Value> = serde_json::from_str(text).expect("json");
        let (name, args) = v.split_first().expect("name");
        AdminEvent::parse(name.as_str().expect("str"), args)
            .expect("parses")
            .expect("known")
    }

    #[test]
    fn reads_what_admin_ui_sends() {
        // Frames as @socket.io/admin-ui 0.5.1 on socket.io 4.8 sent them.
        let e = parse(
            r#"["socket_connected",{"id":"5HVuOrW9g8flfk9KAAAB","clientId":"_67b2EyBnffo","transport":"polling","nsp":"/","data":{},"handshake":{"address":"127.0.0.1","headers":{"user-agent":"node-XMLHttpRequest","accept":"*/*"},"query":{"EIO":"4"},"issued":1796300328615,"secure":false,"url":"/socket.io/?EIO=4","xdomain":false},"rooms":["5HVuOrW9g8flfk9KAAAB"]},"2026-12-03T12:18:48.617Z"]"#,
        );
        let AdminEvent::SocketConnected { socket, at } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(socket.id, "5HVuOrW9g8flfk9KAAAB");
        assert_eq!(socket.user_agent, "node-XMLHttpRequest");
        assert_eq!(socket.address, "127.0.0.1");
        assert_eq!(socket.rooms, ["5HVuOrW9g8flfk9KAAAB"]);
        assert_eq!(at.as_deref(), Some("2026-12-03T12:18:48.617Z"));
        assert_eq!(e.to_data()["socket"]["handshake"]["query"]["EIO"], "4");

        let e = parse(r#"["event_received","/","5HVu",["echo",1,{"a":2}],"2026-12-03T12:18:48.626Z"]"#);
        let data = e.to_data();
        assert_eq!(data["name"], "echo");
        assert_eq!(data["args"], json!([1, {"a": 2}]));
        assert_eq!(e.name(), "event_received");

        let e = parse(
            r#"["server_stats",{"serverId":"vm","hostname":"vm","pid":3652,"uptime":2.19,"clientsCount":2,"pollingClientsCount":0,"aggregatedEvents":[{"timestamp":1796300327000,"type":"rawDisconnection","subType":"transport close","count":1}],"namespaces":[{"name":"/","socketsCount":1}]}]"#,
        );
        let AdminEvent::ServerStats(s) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            (s.clients, s.pid, s.namespaces.clone()),
            (2, 3652, vec![("/".to_string(), 1)])
        );
        assert_eq!(s.counters[0].sub.as_deref(), Some("transport close"));
        assert!(e.describe().contains("server vm (pid 3652"), "{}", e.describe());
    }

    #[test]
    fn reads_what_python_socketio_sends() {
        // python-socketio sends no socket data and its own header names (from the WSGI environ).
        let e = parse(
            r#"["socket_connected",{"id":"abc","clientId":"eio1","transport":"websocket","nsp":"/","data":{},"handshake":{"address":"127.0.0.1","headers":{"user_agent":"x"},"query":{},"secure":false,"url":"/socket.io/","issued":1.7e12,"time":"2026-12-03T12:00:00Z"},"rooms":["abc"]},"2026-12-03T12:00:00Z"]"#,
        );
        let AdminEvent::SocketConnected { socket, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(socket.user_agent, "x");
        let e = parse(r#"["socket_disconnected","/","abc","N/A","2026-12-03T12:00:00Z"]"#);
        assert_eq!(e.to_data()["reason"], "N/A");
    }

    #[test]
    fn bad_shapes_are_errors_and_new_names_are_not() {
        assert!(AdminEvent::parse("room_joined", &[json!(1)]).is_err());
        assert!(AdminEvent::parse("all_sockets", &[json!({"id": 1})]).is_err());
        assert!(AdminEvent::parse("all_sockets", &[json!([{"nsp": "/"}])]).is_err());
        assert!(AdminEvent::parse("server_stats", &[]).is_err());
        assert_eq!(AdminEvent::parse("something_new", &[json!(1)]), Ok(None));
    }

    #[test]
    fn uptime_reads_like_a_clock() {
        assert_eq!(human_uptime(5.2), "5s");
        assert_eq!(human_uptime(3725.0), "1h02m");
        assert_eq!(human_uptime(-1.0), "0s");
        assert_eq!(human_uptime(90_000.0), "1d01h");
    }
}
