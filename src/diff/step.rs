//! A recording as the steps `sio diff` compares: each Socket.IO packet (with
//! `--eio`, each Engine.IO packet too) as a JSON value without what differs
//! from run to run by nature: times, sids, ack ids, socket ids, recovery
//! offsets and pids. Paths the user names (`--ignore data.0.time`) go too.

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::proto::eio;
use crate::proto::sio::PacketType;
use crate::record::{Body, Direction, Record};

/// What replaces an ignored value (on both sides, so that they compare equal).
pub const IGNORED: &str = "<ignored>";

/// One segment of an `--ignore` path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    /// `*`: every key or index.
    Any,
}

/// A path into a step: `data.0.time`, `data.*.id`, `nsp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnorePath(pub Vec<Segment>);

impl std::str::FromStr for IgnorePath {
    type Err = String;
    fn from_str(s: &str) -> Result<IgnorePath, String> {
        if s.trim().is_empty() {
            return Err("an empty path: name a field such as data.0.time".into());
        }
        let segments = s
            .split('.')
            .enumerate()
            .map(|(i, part)| match part {
                "" => Err(format!(
                    "{s:?}: segment {} is empty (two dots, or a dot at an end)",
                    i + 1
                )),
                "*" => Ok(Segment::Any),
                key => Ok(Segment::Key(key.to_string())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(IgnorePath(segments))
    }
}

/// What to compare.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Compare the Engine.IO layer too (heartbeats, probes, the upgrade, noops, handshakes, transports).
    pub eio: bool,
    pub ignore: Vec<IgnorePath>,
}

/// One comparable step of a recording.
#[derive(Clone, Debug)]
pub struct Step {
    /// The record it came from.
    pub seq: u64,
    /// The record's connection, as written (a sid), if it named one.
    pub conn: Option<String>,
    /// `in`, `out`, or `-` for a frame without a direction.
    pub dir: &'static str,
    /// The normalised step as compact JSON: equal steps have equal keys. (Kept as text
    /// only: a parsed value per step would cost several times the memory.)
    pub key: String,
    /// What makes two different steps the same step changed: direction, layer, type, namespace, event.
    pub identity: String,
}

impl Step {
    /// The normalised step.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.key).unwrap_or(Value::Null)
    }
}

/// The steps of a recording, one list per connection in the order connections first
/// appear (a recording of one client is one list, whatever its sids).
pub fn steps(records: &[Record], options: &Options) -> Vec<Vec<Step>> {
    let mut stepper = Stepper::new(options);
    records.iter().for_each(|r| stepper.push(r));
    stepper.finish()
}

/// Makes the steps of a recording record by record, so that the records need not be held.
pub struct Stepper<'o> {
    options: &'o Options,
    lists: Vec<Vec<Step>>,
    order: HashMap<Option<String>, usize>,
    /// Connections and namespaces whose CONNECT answer carried a pid: connection state
    /// recovery is on, and the server appends an offset to every event it sends.
    recovering: HashMap<(Option<String>, String), bool>,
}

impl<'o> Stepper<'o> {
    pub fn new(options: &'o Options) -> Stepper<'o> {
        Stepper {
            options,
            lists: Vec::new(),
            order: HashMap::new(),
            recovering: HashMap::new(),
        }
    }

    /// The lists, one per connection.
    pub fn finish(self) -> Vec<Vec<Step>> {
        self.lists
    }

    pub fn push(&mut self, record: &Record) {
        let options = self.options;
        let Body::Frame(frame) = &record.body else { return };
        let conn = record.conn.as_deref();
        let dir = match frame.dir {
            Some(Direction::In) => "in",
            Some(Direction::Out) => "out",
            None => "-",
        };
        let mut value = Map::new();
        value.insert("dir".into(), json!(dir));
        let identity;
        if let Some(sio) = &frame.decoded.sio {
            if !sio.complete {
                // The header of a binary packet: the step is its last attachment, whole.
                return;
            }
            value.insert("type".into(), json!(sio.kind.name(sio.version)));
            value.insert("nsp".into(), json!(sio.nsp));
            if let Some(event) = &sio.event {
                value.insert("event".into(), json!(event));
            }
            if sio.id.is_some() && sio.kind.is_event() {
                value.insert("ack".into(), json!(true));
            }
            let mut data = sio.data.as_ref().map(|d| d.value());
            if sio.kind == PacketType::Connect
                && frame.dir == Some(Direction::In)
                && let Some(Value::Object(map)) = &mut data
            {
                let pid = map.remove("pid");
                map.remove("sid");
                let on = pid.is_some_and(|p| !p.is_null());
                self.recovering.insert((record.conn.clone(), sio.nsp.clone()), on);
            }
            if sio.kind.is_event()
                && frame.dir == Some(Direction::In)
                && self
                    .recovering
                    .get(&(record.conn.clone(), sio.nsp.clone()))
                    .copied()
                    .unwrap_or(false)
                && let Some(Value::Array(items)) = &mut data
                && items.len() >= 2
                && items.last().is_some_and(Value::is_string)
            {
                items.pop();
                items.push(json!("<recovery offset>"));
            }
            if let Some(data) = data {
                value.insert("data".into(), data);
            }
            if !sio.attachments.is_empty() {
                let encoded: Vec<Value> = sio
                    .attachments
                    .iter()
                    .map(|b| json!(base64::engine::general_purpose::STANDARD.encode(&b.0)))
                    .collect();
                value.insert("attachments".into(), Value::Array(encoded));
            }
            identity = format!(
                "{dir} {} {} {}",
                sio.kind.name(sio.version),
                sio.nsp,
                sio.event.as_deref().unwrap_or("")
            );
        } else if let Some(error) = &frame.decoded.error {
            value.insert("malformed".into(), json!(error.message));
            identity = format!("{dir} malformed");
        } else if let Some(eio_layer) = &frame.decoded.eio {
            if !options.eio || frame.decoded.attachment.is_some() {
                return;
            }
            value.insert("layer".into(), json!("engine.io"));
            value.insert("type".into(), json!(eio_layer.kind.name()));
            if let Some(t) = frame.transport {
                value.insert("transport".into(), json!(t.to_string()));
            }
            if let Some(h) = &eio_layer.handshake {
                let mut shown = serde_json::to_value(h).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut shown {
                    map.remove("sid");
                }
                value.insert("handshake".into(), shown);
            } else if let Some(d) = &eio_layer.data
                && eio_layer.kind != eio::PacketType::Message
            {
                value.insert("data".into(), json!(d));
            }
            identity = format!("{dir} engine.io {}", eio_layer.kind.name());
        } else {
            return;
        }
        let mut value = Value::Object(value);
        for path in &options.ignore {
            ignore(&mut value, &path.0);
        }
        let next = self.lists.len();
        let list = *self.order.entry(conn.map(str::to_string)).or_insert(next);
        if list == self.lists.len() {
            self.lists.push(Vec::new());
        }
        self.lists[list].push(Step {
            seq: record.seq,
            conn: record.conn.clone(),
            dir,
            key: value.to_string(),
            identity,
        });
    }
}

/// Replaces what `path` names in `value` by [`IGNORED`].
fn ignore(value: &mut Value, path: &[Segment]) {
    let Some((first, rest)) = path.split_first() else {
        *value = json!(IGNORED);
        return;
    };
    match (first, value) {
        (Segment::Any, Value::Object(map)) => map.values_mut().for_each(|v| ignore(v, rest)),
        (Segment::Any, Value::Array(items)) => items.iter_mut().for_each(|v| ignore(v, rest)),
        (Segment::Key(k), Value::Object(map)) => {
            if let Some(v) = map.get_mut(k) {
                ignore(v, rest);
            }
        }
        (Segment::Key(k), Value::Array(items)) => {
            if let Some(v) = k.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                ignore(v, rest);
            }
        }
        _ => {}
    }
}

/// Where two values differ: `(path, a, b)`, at most `limit` of them, `None` for a side that lacks it.
pub fn differences(a: &Value, b: &Value, limit: usize) -> Vec<(String, Option<Value>, Option<Value>)> {
    let mut out = Vec::new();
    walk(a, b, String::new(), limit, &mut out);
    out
}

fn walk(a: &Value, b: &Value, at: String, limit: usize, out: &mut Vec<(String, Option<Value>, Option<Value>)>) {
    if out.len() >= limit || a == b {
        return;
    }
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => walk(va, vb, join(k), limit, out),
                    None if out.len() < limit => out.push((join(k), Some(va.clone()), None)),
                    None => return,
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) && out.len() < limit {
                    out.push((join(k), None, Some(vb.clone())));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                match (x.get(i), y.get(i)) {
                    (Some(va), Some(vb)) => walk(va, vb, join(&i.to_string()), limit, out),
                    (va, vb) if out.len() < limit => out.push((join(&i.to_string()), va.cloned(), vb.cloned())),
                    _ => return,
                }
            }
        }
        _ => out.push((
            if at.is_empty() { "(the step)".into() } else { at },
            Some(a.clone()),
            Some(b.clone()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_ignore() {
        assert!("".parse::<IgnorePath>().is_err());
        assert!("data..x".parse::<IgnorePath>().is_err());
        let path: IgnorePath = "data.*.time".parse().expect("path");
        let mut v = json!({"data": ["tick", {"time": 1, "n": 2}, 3]});
        ignore(&mut v, &path.0);
        assert_eq!(v, json!({"data": ["tick", {"time": IGNORED, "n": 2}, 3]}));
        let mut v = json!({"data": ["a", "b"]});
        ignore(&mut v, &"data.1".parse::<IgnorePath>().expect("path").0);
        assert_eq!(v, json!({"data": ["a", IGNORED]}));
    }

    #[test]
    fn differences_name_their_paths() {
        let a = json!({"data": ["echo", {"x": 1}], "ack": true});
        let b = json!({"data": ["echo", {"x": 2}, 3]});
        assert_eq!(
            differences(&a, &b, 10),
            vec![
                ("data.1.x".to_string(), Some(json!(1)), Some(json!(2))),
                ("data.2".to_string(), None, Some(json!(3))),
                ("ack".to_string(), Some(json!(true)), None),
            ]
        );
        assert_eq!(differences(&a, &b, 1).len(), 1);
    }
}
