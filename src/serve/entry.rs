//! What the server saw: a connection, a refusal, an event, a disconnection.
//! One line each, for people (like `sio listen`'s lines) or as JSON.

use colored::Colorize;
use serde::Serialize;

use super::args::Args;
use crate::explain::Tone;
use crate::output::explain_text::paint;
use crate::output::sanitize::sanitize;
use crate::record::{Timestamp, Transport};

/// One thing the server saw, from one client socket in one namespace.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub time: Timestamp,
    /// The socket id (the Engine.IO session id).
    pub sid: String,
    pub nsp: String,
    /// The transport in use when it happened.
    pub transport: Transport,
    /// 5 for Socket.IO 3 and 4 clients (Engine.IO 4), 4 for Socket.IO 2 clients (Engine.IO 3).
    pub protocol: u8,
    pub what: Seen,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    /// Admitted to the namespace, with the CONNECT auth payload (if any).
    Connect {
        auth: Option<serde_json::Value>,
    },
    /// Refused by the namespace's auth check: a CONNECT_ERROR went back.
    Refused {
        reason: String,
        auth: Option<serde_json::Value>,
    },
    /// An event the client sent; `ack` is its ack id when it asked for an acknowledgement.
    Event {
        event: String,
        args: Args,
        ack: Option<i64>,
    },
    /// An event whose arguments could not be read.
    Malformed {
        event: String,
        error: String,
    },
    Disconnect {
        reason: String,
    },
}

#[derive(Serialize)]
struct JsonForm<'a> {
    seq: u64,
    time: Timestamp,
    kind: &'static str,
    sid: &'a str,
    nsp: &'a str,
    transport: Transport,
    protocol: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ack: Option<bool>,
    /// The ack id, as `sio listen` records show it.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl Entry {
    pub fn kind(&self) -> &'static str {
        match self.what {
            Seen::Connect { .. } => "connect",
            Seen::Refused { .. } => "refused",
            Seen::Event { .. } => "event",
            Seen::Malformed { .. } => "malformed",
            Seen::Disconnect { .. } => "disconnect",
        }
    }

    /// One JSON object, no newline: `{"seq":…,"time":…,"kind":"event","sid":…,"nsp":"/","event":"echo","args":[…],"ack":false}`.
    pub fn to_json_line(&self, seq: u64) -> String {
        let mut form = JsonForm {
            seq,
            time: self.time,
            kind: self.kind(),
            sid: &self.sid,
            nsp: &self.nsp,
            transport: self.transport,
            protocol: self.protocol,
            event: None,
            args: None,
            ack: None,
            id: None,
            auth: None,
            reason: None,
        };
        match &self.what {
            Seen::Connect { auth } => form.auth = auth.as_ref(),
            Seen::Refused { reason, auth } => {
                form.reason = Some(reason);
                form.auth = auth.as_ref();
            }
            Seen::Event { event, args, ack } => {
                form.event = Some(event);
                form.args = Some(args.to_json());
                form.ack = Some(ack.is_some());
                form.id = *ack;
            }
            Seen::Malformed { event, error } => {
                form.event = Some(event);
                form.reason = Some(error);
            }
            Seen::Disconnect { reason } => form.reason = Some(reason),
        }
        serde_json::to_string(&form)
            .unwrap_or_else(|e| format!("{{\"kind\":\"error\",\"message\":{:?}}}", e.to_string()))
    }

    /// One line for people, no newline: time, arrow, transport, socket id, namespace, what happened.
    /// Client-supplied text is sanitised.
    pub fn human_line(&self) -> String {
        let time = self.time.clock().dimmed();
        let transport = match self.transport {
            Transport::Websocket => "ws",
            Transport::Polling => "poll",
        };
        let (arrow, tone, text) = match &self.what {
            Seen::Connect { auth } => {
                let auth = shown(auth).map(|a| format!(" auth {a}")).unwrap_or_default();
                let version = if self.protocol == 4 {
                    "Engine.IO 3 / Socket.IO 4"
                } else {
                    "Engine.IO 4 / Socket.IO 5"
                };
                ("+", Tone::Connect, format!("connected ({version}){auth}"))
            }
            Seen::Refused { reason, auth } => {
                let auth = shown(auth).map(|a| format!(" (auth {a})")).unwrap_or_default();
                ("✗", Tone::Error, format!("refused: {reason}{auth}"))
            }
            Seen::Event { event, args, ack } => {
                let mut text = format!("EVENT {event:?}");
                if let Some(id) = ack {
                    text.push_str(&format!(" #{id}"));
                }
                let args = args.render();
                if !args.is_empty() {
                    text.push(' ');
                    text.push_str(&args);
                }
                ("↓", Tone::Event, text)
            }
            Seen::Malformed { event, error } => ("↓", Tone::Error, format!("EVENT {event:?} malformed: {error}")),
            Seen::Disconnect { reason } => ("-", Tone::Disconnect, format!("disconnected: {reason}")),
        };
        format!(
            "{time} {arrow} {transport:<4} {} {}  {}",
            sanitize(&self.sid).dimmed(),
            sanitize(&self.nsp),
            paint(&sanitize(&text), tone).bold()
        )
    }
}

/// The auth payload worth showing: not absent, not `{}` (what a client without auth gets).
fn shown(auth: &Option<serde_json::Value>) -> Option<&serde_json::Value> {
    auth.as_ref().filter(|a| !a.as_object().is_some_and(|o| o.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::args::Arg;

    fn entry(what: Seen) -> Entry {
        Entry {
            time: Timestamp { micros: 0 },
            sid: "abc".into(),
            nsp: "/".into(),
            transport: Transport::Polling,
            protocol: 5,
            what,
        }
    }

    #[test]
    fn json_lines_carry_the_event_and_its_arguments() {
        let e = entry(Seen::Event {
            event: "echo".into(),
            args: Args(vec![Arg::String("hi".into()), Arg::Binary(vec![1])]),
            ack: Some(3),
        });
        let v: serde_json::Value = serde_json::from_str(&e.to_json_line(7)).expect("json");
        assert_eq!(v["seq"], 7);
        assert_eq!(v["kind"], "event");
        assert_eq!(v["event"], "echo");
        assert_eq!(v["args"][0], "hi");
        assert_eq!(v["args"][1]["base64"], "AQ==");
        assert_eq!(v["ack"], true);
        assert_eq!(v["id"], 3);
        assert_eq!(v["transport"], "polling");
        assert!(v.get("reason").is_none());
    }

    #[test]
    fn human_lines_escape_control_characters() {
        let e = entry(Seen::Event {
            event: "x\x1b[2J".into(),
            args: Args(vec![Arg::String("\x07".into())]),
            ack: None,
        });
        let line = e.human_line();
        // Colours may be on; the client's escape sequence and bell must not be.
        assert!(!line.contains("\x1b[2J") && !line.contains('\x07'), "{line:?}");
        assert!(line.contains("EVENT"), "{line}");
    }
}
