//! [`JsonText`]: a packet's JSON data kept as the text that crossed the wire.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// JSON text exactly as it crossed the wire, parsed only when asked ([`JsonText::value`]):
/// most records are never looked at closely, and text is far smaller than a parsed value.
/// It serialises as the JSON value it is (the very text, unless that holds a line break,
/// which would split an NDJSON line) and compares by value.
#[derive(Clone, Debug)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// The text must be one JSON value a `serde_json::Value` can hold.
    pub fn new(text: impl Into<Box<str>>) -> Self {
        JsonText(text.into())
    }

    pub fn from_value(value: &Value) -> Self {
        JsonText(value.to_string().into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The parsed value (`null` for text that is not one, which decoding never keeps).
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.value() == other.value()
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Line breaks can only be white space between tokens (strings escape them).
        let one_line = !self.0.contains(['\n', '\r']);
        match serde_json::from_str::<&serde_json::value::RawValue>(&self.0) {
            Ok(raw) if one_line => raw.serialize(s),
            _ => self.value().serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Records flatten their layers, so the data comes through serde's buffer, where a
        // RawValue cannot be read. Nor through a Value: with serde_json's raw_value feature
        // a Value reads an object whose first key is `$serde_json::private::RawValue` in a
        // way of its own, and a recording may hold any key a server sent.
        let mut text = Vec::new();
        TextOf(&mut text).deserialize(d)?;
        String::from_utf8(text)
            .map(JsonText::new)
            .map_err(serde::de::Error::custom)
    }
}

/// Writes the value it is given as compact JSON, as `Value::to_string` would.
struct TextOf<'a>(&'a mut Vec<u8>);

impl TextOf<'_> {
    fn json<T: Serialize + ?Sized, E: serde::de::Error>(self, v: &T) -> Result<(), E> {
        serde_json::to_writer(self.0, v).map_err(E::custom)
    }
}

impl<'de> DeserializeSeed<'de> for TextOf<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextOf<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<(), E> {
        self.json(&v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
        self.json(&v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
        self.json(&v)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<(), E> {
        // As a Value holds it: a number, or null if it is not finite.
        self.json(&Value::from(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.json(v)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push(b'[');
        let mut first = true;
        loop {
            let at = self.0.len();
            if !first {
                self.0.push(b',');
            }
            if seq.next_element_seed(TextOf(self.0))?.is_none() {
                self.0.truncate(at);
                break;
            }
            first = false;
        }
        self.0.push(b']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.push(b'{');
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if !first {
                self.0.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut *self.0, &key).map_err(serde::de::Error::custom)?;
            self.0.push(b':');
            map.next_value_seed(TextOf(self.0))?;
        }
        self.0.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::proto::arbitrary_json::json_value;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Outer {
        kind: String,
        #[serde(flatten)]
        inner: Inner,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Inner {
        data: Option<JsonText>,
    }

    #[test]
    fn written_verbatim_read_back_compact() {
        let data = JsonText::new(r#"[ "a", {"b":1.50,"c":"\u00e9"} ]"#);
        let line = serde_json::to_string(&Outer {
            kind: "frame".into(),
            inner: Inner {
                data: Some(data.clone()),
            },
        })
        .expect("serialise");
        assert_eq!(line, r#"{"kind":"frame","data":[ "a", {"b":1.50,"c":"\u00e9"} ]}"#);
        let back: Outer = serde_json::from_str(&line).expect("read back");
        let text = back.inner.data.expect("data");
        assert_eq!(text.as_str(), r#"["a",{"b":1.5,"c":"é"}]"#);
        assert_eq!(text, data);
    }

    #[test]
    fn any_key_reads_back() {
        // What an older sio wrote for such data, read back inside a flattened layer as well.
        let line = r#"{"kind":"frame","data":{"$serde_json::private::RawValue":1}}"#;
        let back: Outer = serde_json::from_str(line).expect("read back");
        assert_eq!(
            back.inner.data.as_ref().map(JsonText::as_str),
            Some(r#"{"$serde_json::private::RawValue":1}"#)
        );
    }

    proptest! {
        /// Reading back gives the text the parsed Value writes, directly or through a flatten.
        #[test]
        fn reads_back_as_a_value_writes(v in json_value()) {
            let text = v.to_string();
            // (Not `text` itself: without float_roundtrip, a few floats read back a bit off.)
            let expected = serde_json::from_str::<Value>(&text).expect("value").to_string();
            let direct: JsonText = serde_json::from_str(&text).expect("direct");
            prop_assert_eq!(direct.as_str(), expected.as_str());
            let line = format!(r#"{{"kind":"k","data":{text}}}"#);
            let flat: Outer = serde_json::from_str(&line).expect("flattened");
            // A plain `Option` reads `null` as no data (`SioLayer` tells the two apart).
            let expected = Some(expected.as_str()).filter(|_| !v.is_null());
            prop_assert_eq!(flat.inner.data.as_ref().map(JsonText::as_str), expected);
        }
    }
}
