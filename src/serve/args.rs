//! Event arguments as socketioxide hands them over: JSON values where binary
//! stays binary, so `echo` can send back exactly what arrived.
//!
//! socketioxide's default parser turns binary placeholders into serde bytes
//! and serde bytes back into placeholders. [`Args`] reads and writes itself as
//! a serde *tuple*, which socketioxide takes as "every argument" (a plain
//! value would only get the first one, a `Vec` would be one array argument).

use std::fmt::{self, Write as _};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeTuple, Serializer};

use crate::proto::frame::Bytes;

/// One argument: JSON, plus binary.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Binary(Vec<u8>),
    Array(Vec<Arg>),
    /// Keys in arrival order.
    Object(Vec<(String, Arg)>),
}

/// Every argument of one event or ack, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Args(pub Vec<Arg>);

impl Arg {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Arg::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key` in an object.
    pub fn get(&self, key: &str) -> Option<&Arg> {
        match self {
            Arg::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A whole non-negative number (floats are cut, like `Math.floor` in the Node peers).
    pub fn as_count(&self) -> Option<u64> {
        match self {
            Arg::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64)),
            _ => None,
        }
    }

    /// For `--json`: binary as `{"base64": "...", "length": n}`, like frames in records.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Arg::Null => Value::Null,
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Number(n) => Value::Number(n.clone()),
            Arg::String(s) => Value::String(s.clone()),
            Arg::Binary(b) => serde_json::to_value(Bytes(b.clone())).unwrap_or(Value::Null),
            Arg::Array(items) => Value::Array(items.iter().map(Arg::to_json).collect()),
            Arg::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    /// Compact JSON text with binary shown as `<N bytes: hex…>` (not yet sanitised).
    fn render_into(&self, out: &mut String) {
        match self {
            Arg::Binary(b) => {
                let _ = write!(out, "<{} bytes: {}>", b.len(), crate::explain::hex_preview(b, 8));
            }
            Arg::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.render_into(out);
                }
                out.push(']');
            }
            Arg::Object(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{}:", serde_json::Value::String(k.clone()));
                    v.render_into(out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_json().to_string()),
        }
    }
}

impl Args {
    pub fn first(&self) -> Option<&Arg> {
        self.0.first()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.0.iter().map(Arg::to_json).collect())
    }

    /// The arguments separated by `, `, binary shown as bytes (not yet sanitised).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (i, arg) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            arg.render_into(&mut out);
        }
        out
    }
}

impl From<serde_json::Value> for Arg {
    fn from(v: serde_json::Value) -> Arg {
        use serde_json::Value;
        match v {
            Value::Null => Arg::Null,
            Value::Bool(b) => Arg::Bool(b),
            Value::Number(n) => Arg::Number(n),
            Value::String(s) => Arg::String(s),
            Value::Array(items) => Arg::Array(items.into_iter().map(Arg::from).collect()),
            Value::Object(map) => Arg::Object(map.into_iter().map(|(k, v)| (k, Arg::from(v))).collect()),
        }
    }
}

impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::Null => s.serialize_unit(),
            Arg::Bool(b) => s.serialize_bool(*b),
            Arg::Number(n) => n.serialize(s),
            Arg::String(text) => s.serialize_str(text),
            Arg::Binary(b) => s.serialize_bytes(b),
            Arg::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Arg::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

struct ArgVisitor;

impl<'de> Visitor<'de> for ArgVisitor {
    type Value = Arg;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value or binary data")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Arg, E> {
        Ok(Arg::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Arg, E> {
        Ok(Arg::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Arg, E> {
        Ok(Arg::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Arg, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Arg::Null, Arg::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Arg, E> {
        Ok(Arg::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Arg, E> {
        Ok(Arg::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Arg, E> {
        Ok(Arg::Binary(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Arg, E> {
        Ok(Arg::Binary(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Arg, E> {
        Ok(Arg::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Arg, E> {
        Ok(Arg::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Arg, D::Error> {
        Arg::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Arg, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Arg>()? {
            items.push(item);
        }
        Ok(Arg::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Arg, A::Error> {
        let mut fields = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Arg>()? {
            fields.push((k, v));
        }
        Ok(Arg::Object(fields))
    }
}

impl<'de> Deserialize<'de> for Arg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Arg, D::Error> {
        d.deserialize_any(ArgVisitor)
    }
}

impl Serialize for Args {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A tuple: socketioxide spreads it into separate arguments.
        let mut tuple = s.serialize_tuple(self.0.len())?;
        for arg in &self.0 {
            tuple.serialize_element(arg)?;
        }
        tuple.end()
    }
}

struct ArgsVisitor;

impl<'de> Visitor<'de> for ArgsVisitor {
    type Value = Args;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of arguments")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Args, A::Error> {
        let mut args = Vec::new();
        while let Some(arg) = seq.next_element::<Arg>()? {
            args.push(arg);
        }
        Ok(Args(args))
    }
}

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Args, D::Error> {
        // A tuple of any length: socketioxide then hands over every argument.
        d.deserialize_tuple(usize::MAX, ArgsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_and_renders_binary_as_bytes() {
        let args: Args = serde_json::from_value(json!(["hi", 1, 2.5, null, {"a": [true]}])).expect("args");
        assert_eq!(args.0.len(), 5);
        assert_eq!(
            serde_json::to_value(&args).expect("json"),
            json!(["hi", 1, 2.5, null, {"a": [true]}])
        );
        let with_bytes = Args(vec![Arg::String("x".into()), Arg::Binary(vec![1, 2, 3])]);
        assert_eq!(with_bytes.render(), r#""x", <3 bytes: 01 02 03>"#);
        assert_eq!(with_bytes.to_json(), json!(["x", {"base64": "AQID", "length": 3}]));
    }

    #[test]
    fn counts_accept_whole_and_fractional_numbers() {
        let o = Arg::from(json!({"n": 3, "size": 2.9, "bad": -1}));
        assert_eq!(o.get("n").and_then(Arg::as_count), Some(3));
        assert_eq!(o.get("size").and_then(Arg::as_count), Some(2));
        assert_eq!(o.get("bad").and_then(Arg::as_count), None);
        assert_eq!(o.get("missing"), None);
    }
}
