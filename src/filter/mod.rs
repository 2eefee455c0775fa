//! The filter language shared by `/` in the TUI and `--filter` on the command line:
//! parse an expression once, then ask of each record whether it matches. Pure: no IO,
//! no clock, no state between records (a record matches or not on its own).
//!
//! Terms separated by spaces must all hold, `or` between them offers alternatives, `-`
//! negates, parentheses group: `event:chat* -dir:out or kind:error`. The terms:
//!
//! | term | holds for |
//! |---|---|
//! | `event:NAME` | an EVENT / BINARY_EVENT of that name (glob: `chat*`), and the `ack` state record of an emit of it |
//! | `ns:/admin` | packets of that namespace (`ns:admin` too), and state records about it |
//! | `dir:in`, `dir:out` | frames that came in (server → client) or went out |
//! | `transport:polling`, `transport:ws` | frames, and HTTP exchanges, of that transport |
//! | `kind:K` | `event ack connect disconnect error heartbeat upgrade binary http state malformed` |
//! | `client:NAME`, `sid:SID` | records of that connection (`conn`); `sid:` also the handshake that names it |
//! | `ack:ID`, `ack:*` | packets with that ack id (or any), and the `ack` state record of it |
//! | `data.PATH=VALUE`, `data.PATH~TEXT` | a value in the decoded arguments: `data.0.room=r1` |
//! | `WORD`, `"a phrase"` | text anywhere in the raw frame or its meaning, any case |
//! | `/REGEX/`, `/REGEX/i` | the same text, by regular expression |
//!
//! Every field takes alternatives with `|`: `kind:event|ack`, `event:join|leave`.

mod data;
mod glob;
mod parse;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;

use serde_json::Value;

use crate::explain;
use crate::proto::{eio, sio};
use crate::record::{Body, Raw, Record, Transport};
use parse::{AckId, Expr, Kind, Term};

/// A parsed filter expression. The empty expression lets everything through.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    source: String,
    expr: Option<Expr>,
}

/// Why an expression does not parse: where, and what would have been taken there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// Byte offset into the expression, from 0.
    pub pos: usize,
    pub expected: String,
    /// What is there instead (`the end`, or the next word quoted).
    pub found: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at byte {}: expected {}, found {}",
            self.pos, self.expected, self.found
        )
    }
}

impl std::error::Error for FilterError {}

impl Filter {
    pub fn parse(source: &str) -> Result<Filter, FilterError> {
        Ok(Filter {
            source: source.trim().to_string(),
            expr: parse::parse(source)?,
        })
    }

    /// The expression as typed (trimmed).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the filter lets every record through.
    pub fn is_empty(&self) -> bool {
        self.expr.is_none()
    }

    pub fn matches(&self, record: &Record) -> bool {
        match &self.expr {
            None => true,
            Some(expr) => holds(expr, &Subject::new(record)),
        }
    }
}

/// The expression in a normal form that parses back to the same filter.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expr {
            None => Ok(()),
            Some(e) => write!(f, "{e}"),
        }
    }
}

/// A record and what terms derive from it, each worked out once and only when asked.
struct Subject<'a> {
    record: &'a Record,
    args: OnceCell<Option<Value>>,
    text: OnceCell<Cow<'a, str>>,
    meaning: OnceCell<String>,
}

impl<'a> Subject<'a> {
    fn new(record: &'a Record) -> Self {
        Subject {
            record,
            args: OnceCell::new(),
            text: OnceCell::new(),
            meaning: OnceCell::new(),
        }
    }

    fn sio(&self) -> Option<&'a crate::proto::frame::SioLayer> {
        self.record.frame().and_then(|f| f.decoded.sio.as_ref())
    }

    fn eio(&self) -> Option<&'a crate::proto::frame::EioLayer> {
        self.record.frame().and_then(|f| f.decoded.eio.as_ref())
    }

    fn state_data(&self, key: &str) -> Option<&'a Value> {
        match &self.record.body {
            Body::State(s) => s.data.get(key),
            _ => None,
        }
    }

    fn state(&self) -> Option<&'a str> {
        match &self.record.body {
            Body::State(s) => Some(&s.state),
            _ => None,
        }
    }

    /// The frame as on the wire (binary as hex), a state's name, an HTTP request line.
    fn text(&self) -> &str {
        let record: &'a Record = self.record;
        self.text.get_or_init(|| match &record.body {
            Body::Frame(f) => match &f.raw {
                Raw::Text { text } => Cow::Borrowed(text.as_str()),
                Raw::Binary(b) => Cow::Owned(explain::hex_preview(&b.0, 64)),
            },
            Body::State(s) => Cow::Borrowed(s.state.as_str()),
            Body::Http(h) => Cow::Owned(match h.status {
                Some(status) => format!("{} {} {status}", h.method, h.url),
                None => format!("{} {}", h.method, h.url),
            }),
        })
    }

    /// What it means: the frame's summary, a state's detail, an HTTP error. The decoded
    /// arguments are left out when the raw frame holds them as they read (no escapes, no
    /// binary placeholders), which spares parsing the data of every record searched.
    fn meaning(&self) -> &str {
        self.meaning.get_or_init(|| match &self.record.body {
            Body::Frame(f) => {
                let data = f.decoded.sio.as_ref().and_then(|s| s.data.as_ref()).map(|d| d.as_str());
                let args_differ = data.is_some_and(|d| d.contains('\\') || d.contains("_placeholder"));
                explain::summary_with(&f.decoded, args_differ)
            }
            Body::State(s) => s.detail.clone().unwrap_or_default(),
            Body::Http(h) => h.error.clone().unwrap_or_default(),
        })
    }

    fn args(&self) -> Option<&Value> {
        self.args.get_or_init(|| data::arguments(self.record)).as_ref()
    }
}

fn holds(expr: &Expr, s: &Subject<'_>) -> bool {
    match expr {
        Expr::All(terms) => terms.iter().all(|t| holds(t, s)),
        Expr::Any(alternatives) => alternatives.iter().any(|t| holds(t, s)),
        Expr::Not(inner) => !holds(inner, s),
        Expr::Term(term) => term_holds(term, s),
    }
}

fn term_holds(term: &Term, s: &Subject<'_>) -> bool {
    let record = s.record;
    let frame = record.frame();
    let any_glob = |globs: &[glob::Glob], text: Option<&str>| text.is_some_and(|t| globs.iter().any(|g| g.matches(t)));
    match term {
        Term::Event(globs) => {
            let name = match s.sio() {
                Some(sio) => sio.event.as_deref(),
                // The engine's `ack` record names the emit it answers.
                None => s.state_data("event").and_then(Value::as_str),
            };
            any_glob(globs, name)
        }
        Term::Ns(globs) => {
            let nsp = match s.sio() {
                Some(sio) => Some(sio.nsp.as_str()),
                None => s.state_data("nsp").and_then(Value::as_str),
            };
            any_glob(globs, nsp)
        }
        Term::Dir(dirs) => frame.and_then(|f| f.dir).is_some_and(|d| dirs.contains(&d)),
        Term::Transport(transports) => {
            let transport = match &record.body {
                Body::Frame(f) => f.transport,
                Body::Http(h) if h.url.contains("transport=polling") => Some(Transport::Polling),
                Body::Http(h) if h.url.contains("transport=websocket") => Some(Transport::Websocket),
                _ => None,
            };
            transport.is_some_and(|t| transports.contains(&t))
        }
        Term::Kind(kinds) => kinds.iter().any(|&k| is_kind(k, s)),
        Term::Client(globs) => any_glob(globs, record.conn.as_deref()),
        Term::Sid(globs) => {
            any_glob(globs, record.conn.as_deref())
                || any_glob(
                    globs,
                    s.eio().and_then(|e| e.handshake.as_ref()).map(|h| h.sid.as_str()),
                )
                || any_glob(globs, s.state_data("sid").and_then(Value::as_str))
        }
        Term::Ack(ids) => {
            let id = match s.sio() {
                Some(sio) => sio.id,
                None if matches!(s.state(), Some("ack" | "unmatched ack")) => {
                    s.state_data("id").and_then(Value::as_u64)
                }
                None => None,
            };
            id.is_some_and(|id| ids.iter().any(|a| matches!(a, AckId::Any) || *a == AckId::Is(id)))
        }
        Term::Data(d) => {
            let text = s.sio().and_then(|l| l.data.as_ref()).map(|d| d.as_str());
            text.is_some_and(|t| d.may_hold_in(t)) && s.args().is_some_and(|args| d.holds_for(args))
        }
        Term::Text(_, re) | Term::Regex(re, _) => re.is_match(s.text()) || re.is_match(s.meaning()),
    }
}

fn is_kind(kind: Kind, s: &Subject<'_>) -> bool {
    use sio::PacketType as P;
    let sio_kind = s.sio().map(|l| l.kind);
    let eio_kind = s.eio().map(|e| e.kind);
    let state = s.state();
    match kind {
        Kind::Event => matches!(sio_kind, Some(P::Event | P::BinaryEvent)),
        Kind::Ack => matches!(sio_kind, Some(P::Ack | P::BinaryAck)) || matches!(state, Some("ack" | "unmatched ack")),
        Kind::Connect => sio_kind == Some(P::Connect),
        Kind::Disconnect => sio_kind == Some(P::Disconnect) || eio_kind == Some(eio::PacketType::Close),
        Kind::Error => {
            sio_kind == Some(P::ConnectError)
                || matches!(&s.record.body, Body::Http(h) if h.error.is_some() || h.status.is_some_and(|c| c >= 400))
        }
        Kind::Heartbeat => is_heartbeat(s.record) || state.is_some_and(|st| st.starts_with("heartbeat")),
        Kind::Upgrade => {
            eio_kind == Some(eio::PacketType::Upgrade)
                || s.eio().is_some_and(|e| {
                    matches!(e.kind, eio::PacketType::Ping | eio::PacketType::Pong)
                        && e.data.as_deref() == Some("probe")
                })
                || matches!(state, Some("upgrading" | "upgraded" | "upgrade failed"))
        }
        Kind::Binary => s.record.frame().is_some_and(|f| {
            matches!(f.raw, Raw::Binary(_))
                || f.decoded.attachment.is_some()
                || matches!(sio_kind, Some(P::BinaryEvent | P::BinaryAck))
        }),
        Kind::Http => matches!(s.record.body, Body::Http(_)),
        Kind::State => state.is_some(),
        Kind::Malformed => {
            s.record.frame().is_some_and(|f| f.decoded.error.is_some())
                || state.is_some_and(|st| st.starts_with("malformed"))
        }
    }
}

/// Heartbeat frames: pings and pongs (probes excluded: they belong to the upgrade).
pub fn is_heartbeat(record: &Record) -> bool {
    record.frame().and_then(|f| f.decoded.eio.as_ref()).is_some_and(|e| {
        matches!(e.kind, eio::PacketType::Ping | eio::PacketType::Pong) && e.data.as_deref() != Some("probe")
    })
}

#[cfg(test)]
mod tests;
