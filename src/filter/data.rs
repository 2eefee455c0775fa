//! `data.PATH=VALUE` and `data.PATH~TEXT`: a path into a packet's decoded
//! arguments and what the value found there must be.

use std::fmt;

use serde_json::Value;

use super::glob::Glob;
use crate::proto::sio::PacketType;
use crate::record::Record;

/// One step of a path: an object key or array index, or `*` for every child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Any,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// `=`: equal to the value (strings as a glob; `*` alone: any value).
    Equals(Vec<Expected>),
    /// `~`: the value's text contains this, ignoring case (kept lowercase).
    Contains(Vec<String>),
}

/// A value `=` compares with, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    pub text: String,
    glob: Glob,
    /// The text read as JSON, when it is JSON (numbers, true, objects…).
    json: Option<Value>,
}

impl Expected {
    pub fn new(text: String) -> Expected {
        Expected {
            glob: Glob::new(&text),
            json: serde_json::from_str(&text).ok(),
            text,
        }
    }

    fn holds_for(&self, found: &Value) -> bool {
        if self.text == "*" {
            return true;
        }
        match found {
            Value::String(s) => self.glob.matches(s),
            Value::Number(n) => match (&self.json, n.as_f64()) {
                (Some(Value::Number(want)), Some(have)) => want.as_f64() == Some(have),
                _ => self.text.parse::<f64>().ok() == n.as_f64(),
            },
            Value::Bool(b) => self.text == if *b { "true" } else { "false" },
            Value::Null => self.text == "null",
            Value::Array(_) | Value::Object(_) => self.json.as_ref() == Some(found),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DataTerm {
    pub path: Vec<Step>,
    pub test: Test,
    /// Text the packet's data must hold for the test to have a chance, when that can be
    /// told without parsing it (most records fail here, at the cost of a text search).
    prefilter: Option<regex::Regex>,
}

impl DataTerm {
    pub fn new(path: Vec<Step>, test: Test) -> DataTerm {
        let prefilter = prefilter(&test);
        DataTerm { path, test, prefilter }
    }

    /// False only when the data's wire text shows that the test cannot hold.
    pub fn may_hold_in(&self, data: &str) -> bool {
        // An escape (`\u0068`) can stand for any character: only parsing tells.
        match &self.prefilter {
            Some(re) if !data.contains('\\') => re.is_match(data),
            _ => true,
        }
    }

    pub fn holds_for(&self, args: &Value) -> bool {
        let mut found = Vec::new();
        walk(args, &self.path, &mut found);
        found.into_iter().any(|value| match &self.test {
            Test::Equals(alternatives) => alternatives.iter().any(|e| e.holds_for(value)),
            Test::Contains(alternatives) => {
                let text = match value {
                    Value::String(s) => s.to_lowercase(),
                    other => other.to_string().to_lowercase(),
                };
                alternatives.iter().any(|a| text.contains(a.as_str()))
            }
        })
    }
}

/// A search for what every alternative needs in the wire text, where the wire text
/// must hold it as typed: a string compared with `=` (not a glob, not a number, which
/// may be written `5.0`), or `~` text of letters and spaces (which no re-serialising
/// of numbers or white space between tokens can produce).
fn prefilter(test: &Test) -> Option<regex::Regex> {
    let (literals, insensitive): (Vec<&str>, bool) = match test {
        Test::Equals(alternatives) => {
            let plain = alternatives.iter().all(|e| {
                !e.text.is_empty()
                    && !e.text.contains(['*', '?'])
                    && !matches!(e.json, Some(Value::Number(_) | Value::Array(_) | Value::Object(_)))
            });
            (
                plain.then(|| alternatives.iter().map(|e| e.text.as_str()).collect())?,
                false,
            )
        }
        Test::Contains(alternatives) => {
            let plain = alternatives
                .iter()
                .all(|a| !a.trim().is_empty() && a.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '_'));
            (plain.then(|| alternatives.iter().map(String::as_str).collect())?, true)
        }
    };
    let pattern: Vec<String> = literals.iter().map(|l| regex::escape(l)).collect();
    regex::RegexBuilder::new(&pattern.join("|"))
        .case_insensitive(insensitive)
        .size_limit(1 << 20)
        .build()
        .ok()
}

/// Every value the path reaches (several through `*`).
fn walk<'v>(value: &'v Value, path: &[Step], found: &mut Vec<&'v Value>) {
    let Some((step, rest)) = path.split_first() else {
        found.push(value);
        return;
    };
    match (step, value) {
        (Step::Any, Value::Array(items)) => items.iter().for_each(|v| walk(v, rest, found)),
        (Step::Any, Value::Object(map)) => map.values().for_each(|v| walk(v, rest, found)),
        (Step::Key(k), Value::Array(items)) => {
            if let Some(v) = k.parse::<usize>().ok().and_then(|i| items.get(i)) {
                walk(v, rest, found);
            }
        }
        (Step::Key(k), Value::Object(map)) => {
            if let Some(v) = map.get(k) {
                walk(v, rest, found);
            }
        }
        _ => {}
    }
}

/// What `data.` paths start from: an event's arguments (its name left out), an ack's
/// arguments, another packet's payload (CONNECT's auth or reply, CONNECT_ERROR's reason).
pub fn arguments(record: &Record) -> Option<Value> {
    let sio = record.frame()?.decoded.sio.as_ref()?;
    let value = sio.data.as_ref()?.value();
    match (sio.kind, value) {
        (PacketType::Event | PacketType::BinaryEvent, Value::Array(mut items)) => {
            if !items.is_empty() {
                items.remove(0);
            }
            Some(Value::Array(items))
        }
        (_, value) => Some(value),
    }
}

impl fmt::Display for DataTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("data")?;
        for step in &self.path {
            match step {
                Step::Any => f.write_str(".*")?,
                Step::Key(k) => write!(f, ".{}", super::parse::quoted_if_needed(k, true))?,
            }
        }
        let (op, values): (char, Vec<&str>) = match &self.test {
            Test::Equals(v) => ('=', v.iter().map(|e| e.text.as_str()).collect()),
            Test::Contains(v) => ('~', v.iter().map(String::as_str).collect()),
        };
        write!(f, "{op}")?;
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            f.write_str(&super::parse::quoted_if_needed(v, false))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eq(path: &[&str], values: &[&str]) -> DataTerm {
        DataTerm::new(
            path.iter()
                .map(|s| if *s == "*" { Step::Any } else { Step::Key(s.to_string()) })
                .collect(),
            Test::Equals(values.iter().map(|v| Expected::new(v.to_string())).collect()),
        )
    }

    #[test]
    fn paths_reach_into_arrays_and_objects() {
        let args = json!([{"room": "r1", "n": 5, "ok": true, "tags": ["a", "b"], "none": null}, "second"]);
        assert!(eq(&["0", "room"], &["r1"]).holds_for(&args));
        assert!(eq(&["0", "room"], &["r*"]).holds_for(&args));
        assert!(!eq(&["0", "room"], &["r2"]).holds_for(&args));
        assert!(eq(&["0", "room"], &["r2", "r1"]).holds_for(&args));
        assert!(eq(&["0", "n"], &["5"]).holds_for(&args));
        assert!(eq(&["0", "n"], &["5.0"]).holds_for(&args));
        assert!(!eq(&["0", "n"], &["6"]).holds_for(&args));
        assert!(eq(&["0", "ok"], &["true"]).holds_for(&args));
        assert!(eq(&["0", "none"], &["null"]).holds_for(&args));
        assert!(eq(&["0", "tags"], &[r#"["a","b"]"#]).holds_for(&args));
        assert!(eq(&["0", "tags", "1"], &["b"]).holds_for(&args));
        assert!(eq(&["1"], &["second"]).holds_for(&args));
        assert!(eq(&["*", "room"], &["r1"]).holds_for(&args));
        assert!(eq(&["0", "missing"], &["*"]).holds_for(&args).eq(&false));
        assert!(eq(&["0", "room"], &["*"]).holds_for(&args));
        assert!(!eq(&["5"], &["*"]).holds_for(&args));
        let contains = DataTerm::new(
            vec![Step::Key("0".into())],
            Test::Contains(vec!["\"room\":\"r1\"".into()]),
        );
        assert!(contains.holds_for(&args));
        let contains = DataTerm::new(vec![Step::Key("1".into())], Test::Contains(vec!["econ".into()]));
        assert!(contains.holds_for(&args));
    }

    #[test]
    fn the_prefilter_never_refuses_what_parsing_would_take() {
        let cases = [
            // (data as on the wire, path, =value or ~text, holds)
            (r#"[{"room":"r1"}]"#, "0.room", "=r1", true),
            (r#"[{"room":"r2"}]"#, "0.room", "=r1", false),
            (r#"[{"room":"r1"}]"#, "0.room", "=r1", true),
            (r#"[{"n":5.0}]"#, "0.n", "=5", true),
            (r#"[{"n":1e2}]"#, "0.n", "=100", true),
            (r#"[{"t":"Hello World"}]"#, "0.t", "~world", true),
            (r#"[{"t":"Hello   World"}]"#, "0.t", "~o w", false),
            (r#"[{"a": {"b": 1}}]"#, "0.a", r#"~"b":1"#, true),
            (r#"[{"a":true}]"#, "0.a", "=true", true),
            (r#"[{"a":"x"}]"#, "0.a", "=x*", true),
        ];
        for (wire, path, op, holds) in cases {
            let value: Value = serde_json::from_str(wire).expect(wire);
            let steps = path.split('.').map(|k| Step::Key(k.into())).collect();
            let test = match op.split_at(1) {
                ("=", v) => Test::Equals(vec![Expected::new(v.into())]),
                (_, v) => Test::Contains(vec![v.to_lowercase()]),
            };
            let term = DataTerm::new(steps, test);
            assert_eq!(term.holds_for(&value), holds, "{wire} {path}{op}");
            if holds {
                assert!(term.may_hold_in(wire), "the prefilter refused {wire} {path}{op}");
            }
        }
    }
}
