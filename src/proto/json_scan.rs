//! Reading JSON text without building it: the top-level shape `sio::decode` judges a
//! payload by (an array? what is its first element?), and an event's last argument.
//!
//! Two readers give the same answers. A byte scanner takes the common case; whenever
//! it is unsure (a number or an escaped string where a value must be read, a number
//! that might not fit an f64, a surrogate escape, deep nesting, a key serde_json treats
//! specially, invalid text) it says so and serde_json decides, so verdicts and error
//! messages are serde_json's. The scanner never accepts what serde_json refuses:
//! [`fast_shape_check`] states it, and a proptest and the `shape` fuzz target hold it to it.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The top-level shape of a JSON value.
#[derive(Debug, PartialEq)]
pub(crate) enum Shape<'a> {
    Null,
    Bool,
    Number,
    String,
    Object,
    Array { len: usize, first: Option<Head<'a>> },
}

/// The first element of an array: what an event name can be.
#[derive(Debug, PartialEq)]
pub(crate) enum Head<'a> {
    String(Cow<'a, str>),
    Number(serde_json::Number),
    Other(&'static str),
}

/// What one pass over JSON text learnt.
#[derive(Debug, PartialEq)]
pub(crate) struct Scan<'a> {
    pub shape: Shape<'a>,
    /// Whether the text also reads as a `serde_json::Value`. The shape pass skips the
    /// values it need not read, as leniently as serde_json skips them, so it accepts a
    /// few texts a `Value` cannot hold: numbers beyond f64 (`1e400`), lone surrogate
    /// escapes, nesting deeper than 128 levels.
    pub is_value: bool,
}

/// The shape of `json`, with serde_json's error if it is not one JSON value.
pub(crate) fn scan(json: &str) -> Result<Scan<'_>, serde_json::Error> {
    if let Some(shape) = fast_shape(json) {
        return Ok(Scan { shape, is_value: true });
    }
    let shape = serde_shape(json)?;
    // Only texts the scanner was unsure of are parsed whole, to learn what a Value makes of them.
    let is_value = serde_json::from_str::<Value>(json).is_ok();
    Ok(Scan { shape, is_value })
}

/// The last element of a JSON array of two or more, if it is a string (where an event
/// carries its recovery offset), in one pass that builds nothing else.
pub fn last_string(json: &str) -> Option<String> {
    match fast_last_string(json) {
        Some(found) => found,
        // Unsure (see the module's doc): as the parsed value has it.
        None => match serde_json::from_str::<Value>(json) {
            Ok(Value::Array(mut items)) if items.len() > 1 => match items.pop() {
                Some(Value::String(s)) => Some(s),
                _ => None,
            },
            _ => None,
        },
    }
}

/// [`last_string`] by the scanner: `None` when unsure.
fn fast_last_string(json: &str) -> Option<Option<String>> {
    let b = json.as_bytes();
    let mut i = skip_ws(b, 0);
    if *b.get(i)? != b'[' {
        return Some(None);
    }
    i = skip_ws(b, i + 1);
    if *b.get(i)? == b']' {
        return Some(None);
    }
    let mut count = 0;
    let last = loop {
        let end = skip_value(b, i, 0)?;
        count += 1;
        let start = i;
        i = skip_ws(b, end);
        match *b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b']' => break start..end,
            _ => return None,
        }
    };
    if skip_ws(b, i + 1) != b.len() {
        return None;
    }
    if count < 2 || b[last.start] != b'"' {
        return Some(None);
    }
    let text = &json[last];
    if text.contains('\\') {
        return serde_json::from_str(text).ok().map(Some);
    }
    Some(Some(text[1..text.len() - 1].to_owned()))
}

fn serde_shape(json: &str) -> Result<Shape<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let shape = ShapeSeed.deserialize(&mut de)?;
    de.end()?;
    Ok(shape)
}

/// Differential check (for fuzzing and tests): whatever the scanner accepts, serde_json
/// accepts with the same shape and reads as a `Value`; [`last_string`] finds what the
/// parsed value has, for any text.
#[doc(hidden)]
pub fn fast_shape_check(json: &str) {
    let by_value = match serde_json::from_str::<Value>(json) {
        Ok(Value::Array(items)) if items.len() > 1 => items.last().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    assert_eq!(last_string(json), by_value, "last string of {json:?}");
    let Some(fast) = fast_shape(json) else { return };
    match serde_shape(json) {
        Ok(slow) => assert_eq!(fast, slow, "{json:?}"),
        Err(e) => panic!("the scanner accepts {json:?}, serde_json refuses it: {e}"),
    }
    if let Err(e) = serde_json::from_str::<Value>(json) {
        panic!("the scanner accepts {json:?}, which no Value holds: {e}");
    }
}

// ---------------------------------------------------------------------------
// The byte scanner
// ---------------------------------------------------------------------------

/// Arrays and objects nest no deeper than this in what the scanner accepts, well under
/// the 128 levels a `Value` may have.
const MAX_DEPTH: usize = 100;

/// The shape in one byte scan, or `None` when unsure.
fn fast_shape(json: &str) -> Option<Shape<'_>> {
    let b = json.as_bytes();
    let mut i = skip_ws(b, 0);
    let shape = match *b.get(i)? {
        b'[' => {
            i = skip_ws(b, i + 1);
            if *b.get(i)? == b']' {
                i += 1;
                Shape::Array { len: 0, first: None }
            } else {
                let end = skip_value(b, i, 0)?;
                let first = match b[i] {
                    b'"' => {
                        let text = &json[i..end];
                        if text.contains('\\') {
                            // The scan checked the escapes; serde_json undoes them.
                            Head::String(Cow::Owned(serde_json::from_str(text).ok()?))
                        } else {
                            Head::String(Cow::Borrowed(&text[1..text.len() - 1]))
                        }
                    }
                    b'[' => Head::Other("an array"),
                    b'{' => Head::Other("an object"),
                    b't' | b'f' => Head::Other("a boolean"),
                    b'n' => Head::Other("null"),
                    // A number name is read as serde_json reads it.
                    _ => return None,
                };
                i = end;
                let mut len = 1;
                loop {
                    i = skip_ws(b, i);
                    match *b.get(i)? {
                        b',' => {
                            i = skip_value(b, skip_ws(b, i + 1), 0)?;
                            len += 1;
                        }
                        b']' => {
                            i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                Shape::Array {
                    len,
                    first: Some(first),
                }
            }
        }
        b'-' | b'0'..=b'9' => return None,
        c => {
            i = skip_value(b, i, 0)?;
            match c {
                b'{' => Shape::Object,
                b'"' => Shape::String,
                b't' | b'f' => Shape::Bool,
                _ => Shape::Null,
            }
        }
    };
    (skip_ws(b, i) == b.len()).then_some(shape)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// Skips one value that starts at `b[i]`: the index after it.
fn skip_value(b: &[u8], i: usize, depth: usize) -> Option<usize> {
    walk(b, i, depth, &mut SyntaxOnly)
}

/// The `num` of every placeholder in JSON text, if each is written as encoders write it,
/// `{"_placeholder":true,"num":N}`, and no other key is `_placeholder` or `num`. Then the
/// placeholders a parsed value holds are among these (a repeated key only drops values).
/// `None` when unsure: serde_json decides.
pub(crate) fn placeholder_nums(json: &str) -> Option<Vec<u64>> {
    let b = json.as_bytes();
    let mut watch = Placeholders(Vec::new());
    let end = walk(b, skip_ws(b, 0), 0, &mut watch)?;
    (skip_ws(b, end) == b.len()).then_some(watch.0)
}

/// What a walk over JSON text looks out for besides its syntax.
trait Watch {
    /// At an object's `{`: `Some(Some(end))` if the watch took the whole object,
    /// `Some(None)` to walk it as usual, `None` to give up.
    fn object(&mut self, b: &[u8], i: usize) -> Option<Option<usize>>;
    /// At each key, its text between the quotes: `None` to give up.
    fn key(&mut self, key: &[u8]) -> Option<()>;
}

struct SyntaxOnly;

impl Watch for SyntaxOnly {
    #[inline(always)]
    fn object(&mut self, _: &[u8], _: usize) -> Option<Option<usize>> {
        Some(None)
    }
    #[inline(always)]
    fn key(&mut self, _: &[u8]) -> Option<()> {
        Some(())
    }
}

struct Placeholders(Vec<u64>);

impl Watch for Placeholders {
    fn object(&mut self, b: &[u8], i: usize) -> Option<Option<usize>> {
        const HEAD: &[u8] = br#"{"_placeholder":true,"num":"#;
        if !b[i..].starts_with(HEAD) {
            return Some(None);
        }
        let start = i + HEAD.len();
        let end = skip_digits(b, start);
        let canonical = end > start && (b[start] != b'0' || end == start + 1) && b.get(end) == Some(&b'}');
        if !canonical {
            return None;
        }
        // Digits only, so UTF-8; too many for a u64 is a num a Value holds as a float.
        self.0.push(std::str::from_utf8(&b[start..end]).ok()?.parse().ok()?);
        Some(Some(end + 1))
    }
    fn key(&mut self, key: &[u8]) -> Option<()> {
        // An escape could spell either name.
        (key != b"_placeholder" && key != b"num" && !key.contains(&b'\\')).then_some(())
    }
}

/// Skips one value that starts at `b[i]`, telling `watch` about objects and keys.
fn walk<W: Watch>(b: &[u8], i: usize, depth: usize, watch: &mut W) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i + 1),
        b'[' if depth < MAX_DEPTH => {
            let mut i = skip_ws(b, i + 1);
            if *b.get(i)? == b']' {
                return Some(i + 1);
            }
            loop {
                i = skip_ws(b, walk(b, i, depth + 1, watch)?);
                match *b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b']' => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        b'{' if depth < MAX_DEPTH => {
            if let Some(end) = watch.object(b, i)? {
                return Some(end);
            }
            let mut i = skip_ws(b, i + 1);
            if *b.get(i)? == b'}' {
                return Some(i + 1);
            }
            // With serde_json's raw_value feature on, a Value reads an object whose first key
            // is its private token (`$serde_json::private::RawValue`) differently: leave
            // first keys that may spell it, directly or escaped, to serde_json.
            if let Some(b'$' | b'\\') = b.get(i + 1) {
                return None;
            }
            loop {
                if *b.get(i)? != b'"' {
                    return None;
                }
                let end = skip_string(b, i + 1)?;
                watch.key(&b[i + 1..end - 1])?;
                i = skip_ws(b, end);
                if *b.get(i)? != b':' {
                    return None;
                }
                i = skip_ws(b, walk(b, skip_ws(b, i + 1), depth + 1, watch)?);
                match *b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b'}' => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        b't' => b[i..].starts_with(b"true").then_some(i + 4),
        b'f' => b[i..].starts_with(b"false").then_some(i + 5),
        b'n' => b[i..].starts_with(b"null").then_some(i + 4),
        b'-' | b'0'..=b'9' => skip_number(b, i),
        _ => None,
    }
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while let Some(b'0'..=b'9') = b.get(i) {
        i += 1;
    }
    i
}

/// Skips a number, if its syntax is JSON's and it surely fits an f64: serde_json refuses
/// numbers that overflow, so only magnitudes under 10^300 are taken.
fn skip_number(b: &[u8], mut i: usize) -> Option<usize> {
    if b[i] == b'-' {
        i += 1;
    }
    let int_start = i;
    match *b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = skip_digits(b, i + 1),
        _ => return None,
    }
    let int_digits = i - int_start;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = skip_digits(b, start);
        if i == start {
            return None;
        }
    }
    let mut exponent = 0;
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        let negative = b.get(i) == Some(&b'-');
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let start = i;
        i = skip_digits(b, start);
        if i == start {
            return None;
        }
        // Tiny numbers become 0 without complaint; only large ones overflow.
        if !negative {
            exponent = b[start..i]
                .iter()
                .fold(0usize, |n, d| (n * 10 + usize::from(d - b'0')).min(1000));
        }
    }
    (int_digits + exponent <= 300).then_some(i)
}

/// Skips the rest of a string whose opening quote is before `b[i]`: the index after its
/// closing quote. Surrogate escapes are left to serde_json: a lone one is refused where a
/// string is read but not where one is skipped.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    loop {
        // Eight bytes at a time up to the first quote, backslash or control character:
        // a byte equal to c leaves a zero byte in x ^ c·ONES, and (v - ONES) & !v & HIGH
        // flags zero bytes (and bytes under n for v - n·ONES), the lowest one exactly.
        while let Some(chunk) = b.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            let quote = x ^ (ONES * u64::from(b'"'));
            let backslash = x ^ (ONES * u64::from(b'\\'));
            let special = ((quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (x.wrapping_sub(ONES * 0x20) & !x))
                & HIGH;
            if special != 0 {
                i += (special.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *b.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = b.get(i + 2..i + 6)?;
                    let unit = hex
                        .iter()
                        .try_fold(0u32, |n, &h| Some(n * 16 + (h as char).to_digit(16)?))?;
                    if (0xd800..0xe000).contains(&unit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

// ---------------------------------------------------------------------------
// serde_json's reading, which decides whenever the scanner is unsure
// ---------------------------------------------------------------------------

struct ShapeSeed;

impl<'de> DeserializeSeed<'de> for ShapeSeed {
    type Value = Shape<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shape<'de>, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Shape<'de>, E> {
        Ok(Shape::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Shape<'de>, E> {
        Ok(Shape::Bool)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Shape<'de>, E> {
        Ok(Shape::Number)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Shape<'de>, E> {
        Ok(Shape::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Shape<'de>, E> {
        Ok(Shape::Number)
    }
    fn visit_str<E>(self, _: &str) -> Result<Shape<'de>, E> {
        Ok(Shape::String)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Shape::Object)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape<'de>, A::Error> {
        let first = seq.next_element::<HeadOf>()?.map(|h| h.0);
        let mut len = usize::from(first.is_some());
        while seq.next_element::<IgnoredAny>()?.is_some() {
            len += 1;
        }
        Ok(Shape::Array { len, first })
    }
}

struct HeadOf<'a>(Head<'a>);

impl<'de> Deserialize<'de> for HeadOf<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeadVisitor).map(HeadOf)
    }
}

struct HeadVisitor;

impl<'de> Visitor<'de> for HeadVisitor {
    type Value = Head<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Head<'de>, E> {
        Ok(Head::Other("null"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Head<'de>, E> {
        Ok(Head::Other("a boolean"))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Head<'de>, E> {
        Ok(Head::Number(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Head<'de>, E> {
        Ok(Head::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Head<'de>, E> {
        // serde_json yields finite numbers only, which every Number holds.
        Ok(serde_json::Number::from_f64(v).map_or(Head::Other("a number"), Head::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Head<'de>, E> {
        Ok(Head::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Head<'de>, E> {
        Ok(Head::String(Cow::Owned(v.to_owned())))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Head::Other("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Head<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Head::Other("an array"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::proto::arbitrary_json::json_value;

    fn shape(json: &str) -> Shape<'_> {
        scan(json).expect("valid").shape
    }

    #[test]
    fn shapes() {
        assert_eq!(
            shape(r#" ["chat", {"a": [1, 2.5e-3]}, null] "#),
            Shape::Array {
                len: 3,
                first: Some(Head::String(Cow::Borrowed("chat")))
            }
        );
        assert_eq!(
            shape(r#"["caf\u00e9"]"#),
            Shape::Array {
                len: 1,
                first: Some(Head::String(Cow::Owned("café".into())))
            }
        );
        assert_eq!(
            shape("[7, true]"),
            Shape::Array {
                len: 2,
                first: Some(Head::Number(7.into()))
            }
        );
        assert_eq!(shape("{}"), Shape::Object);
        assert_eq!(shape(r#""a\nb""#), Shape::String);
        assert_eq!(shape("-1.5"), Shape::Number);
        assert_eq!(shape("null"), Shape::Null);
        assert!(scan("[1,]").is_err());
        assert!(scan(r#"["a"] x"#).is_err());
    }

    #[test]
    fn what_a_value_cannot_hold_is_told() {
        // Accepted by the shape pass (as the reference accepts it), refused by a Value.
        for json in [r#"["a",1e400]"#, r#"["a","\ud800"]"#, r#"["a",{"\udfff":1}]"#] {
            let scan = scan(json).expect(json);
            assert!(!scan.is_value, "{json}");
        }
        let deep = format!(r#"["a",{}1{}]"#, "[".repeat(200), "]".repeat(200));
        assert!(!scan(&deep).expect("deep").is_value);
        let scan = scan(r#"["a",1e300,"\ud83d\ude00",-0.0]"#).expect("valid");
        assert!(scan.is_value);
    }

    #[test]
    fn last_strings() {
        assert_eq!(last_string(r#"["ev",1,"off-7"]"#).as_deref(), Some("off-7"));
        assert_eq!(last_string(r#"["ev","a\"b"]"#).as_deref(), Some("a\"b"));
        assert_eq!(last_string(r#"["ev",1e5,"\ud83d\ude00"]"#).as_deref(), Some("😀"));
        assert_eq!(last_string(r#"["ev"]"#), None);
        assert_eq!(last_string(r#"["ev",{"x":"y"}]"#), None);
        assert_eq!(last_string(r#"{"a":"b"}"#), None);
    }

    #[test]
    fn swar_finds_the_first_special_byte() {
        // Quotes, backslashes and control characters at every offset of an 8-byte word.
        for at in 0..20 {
            let pad = "é".repeat(at / 2) + &"x".repeat(at % 2);
            fast_shape_check(&format!(r#"["{pad}\"", 1]"#));
            fast_shape_check(&format!("[\"{pad}\u{1f}\"]"));
            fast_shape_check(&format!(r#"["{pad}","{pad}\\"]"#));
            assert_eq!(last_string(&format!(r#"[1,"{pad}\"q"]"#)), Some(format!("{pad}\"q")));
        }
    }

    /// Numbers near every edge of the grammar and of f64's range.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            "-?(0|[1-9][0-9]{0,3}|0[0-9]{1,2})(\\.[0-9]{0,3})?([eE][-+]?[0-9]{0,3})?",
            "[1-9][0-9]{0,3}[eE]\\+?(29[0-9]|30[0-9]|31[0-9])",
            "-?[1-9][0-9]{295,310}(\\.[0-9])?",
        ]
    }

    /// Strings with every kind of escape, surrogates (paired or lone) and stray bytes.
    fn string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-z é😀/]{1,9}",
            "\\\\[\"\\\\/bfnrt]",
            "\\\\u[0-9a-fA-F]{4}",
            "\\\\u[dD][89abAB][0-9a-f]{2}\\\\u[dD][c-fC-F][0-9a-f]{2}",
            "\\\\u[dD][89a-fA-F][0-9a-f]{2}",
            "\\\\[xu0]",
            "[\u{0}-\u{1f}\u{7f}]",
            Just("$serde_json::private::RawValue".to_string()),
        ];
        prop::collection::vec(piece, 0..4).prop_map(|p| format!("\"{}\"", p.concat()))
    }

    fn ws() -> impl Strategy<Value = &'static str> {
        prop_oneof![4 => Just(""), 1 => Just(" "), 1 => Just("\n\t"), 1 => Just("\r")]
    }

    /// JSON text, valid or nearly so, nested up to past the scanner's depth limit.
    fn text() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            number(),
            string(),
        ];
        let nested = leaf.prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                (prop::collection::vec((ws(), inner.clone()), 0..6), ws()).prop_map(|(items, end)| {
                    format!(
                        "[{}{end}]",
                        items
                            .into_iter()
                            .map(|(w, v)| format!("{w}{v}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                }),
                prop::collection::vec((string(), ws(), inner), 0..6).prop_map(|entries| {
                    let entries: Vec<String> = entries.into_iter().map(|(k, w, v)| format!("{k}{w}:{v}")).collect();
                    format!("{{{}}}", entries.join(","))
                }),
            ]
        });
        (nested, 0usize..130).prop_map(|(text, depth)| match depth {
            // Sometimes deeper than the scanner goes or a Value may.
            96..=130 => format!("{}{text}{}", "[".repeat(depth), "]".repeat(depth)),
            _ => text,
        })
    }

    /// Valid-looking text, then maybe cut short, or a byte dropped, or a token put in.
    fn jsonish() -> impl Strategy<Value = String> {
        let noise = prop_oneof![
            Just(""),
            Just(","),
            Just("]"),
            Just("}"),
            Just("\""),
            Just("\\"),
            Just(":"),
            Just("0"),
            Just("x"),
        ];
        let event = (string(), text()).prop_map(|(name, rest)| format!("[{name},{rest}]"));
        let text = prop_oneof![2 => text(), 1 => event, 1 => any::<String>()];
        (text, any::<prop::sample::Index>(), 0u8..4, noise).prop_map(|(text, at, how, noise)| {
            let mut at = at.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match how {
                0 => text,
                1 => text[..at].to_string(),
                2 => {
                    let next = text[at..].chars().next().map_or(0, char::len_utf8);
                    format!("{}{}", &text[..at], &text[at + next..])
                }
                _ => format!("{}{noise}{}", &text[..at], &text[at..]),
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The scanner agrees with serde_json on whatever it accepts.
        #[test]
        fn scanner_agrees_with_serde_json(json in jsonish()) {
            fast_shape_check(&json);
            if let Some(rest) = json.get(1..) {
                fast_shape_check(rest);
            }
        }

        /// Real values, compact (as a peer's JSON.stringify writes them) and pretty.
        #[test]
        fn scanner_agrees_on_real_values(items in prop::collection::vec(json_value(), 1..5)) {
            let json = Value::Array(items).to_string();
            fast_shape_check(&json);
            let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&json).unwrap()).unwrap();
            fast_shape_check(&pretty);
        }
    }
}
