//! What differs by nature between two runs against the same server, and so is
//! never asserted by a generated `expect`.

use std::collections::HashSet;

use serde_json::Value;

use crate::record::Timestamp;

/// What differs by nature between two runs against the same server, and so is
/// never asserted: the session and socket ids the recording saw (Engine.IO sid,
/// namespace sid and pid), UUIDs, times (RFC 3339 strings,
/// epoch seconds or milliseconds within a day of the recording), binary
/// placeholders, and members named `sid`, `socketId`, `pid`, `offset`, `time`,
/// `timestamp`, `ts`, `date`, `createdAt`, `updatedAt` or `now` (any case, `_`/`-` ignored).
#[derive(Debug, Default)]
pub struct Volatile {
    ids: HashSet<String>,
    first_micros: Option<u64>,
    last_micros: u64,
}

const VOLATILE_KEYS: [&str; 11] = [
    "sid",
    "socketid",
    "pid",
    "offset",
    "time",
    "timestamp",
    "ts",
    "date",
    "createdat",
    "updatedat",
    "now",
];

impl Volatile {
    /// A record's time: the recording's span, for telling times in the data.
    pub fn saw_time(&mut self, t: Timestamp) {
        self.first_micros.get_or_insert(t.micros);
        self.last_micros = self.last_micros.max(t.micros);
    }

    /// A session or socket id the recording saw.
    pub fn saw_id(&mut self, id: &str) {
        if !id.is_empty() {
            self.ids.insert(id.to_string());
        }
    }

    fn key_is_volatile(key: &str) -> bool {
        let folded: String = key
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        VOLATILE_KEYS.contains(&folded.as_str())
    }

    fn looks_like_uuid(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    }

    fn near_recording(&self, micros: f64) -> bool {
        let Some(first) = self.first_micros else { return false };
        let day = 86_400e6;
        micros >= first as f64 - day && micros <= self.last_micros as f64 + day
    }

    /// Whether a value as a whole differs by nature.
    fn is_volatile(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => {
                self.ids.contains(s)
                    || Self::looks_like_uuid(s)
                    || s.parse::<Timestamp>().is_ok()
                    || looks_like_iso_time(s)
            }
            Value::Number(n) => n
                .as_f64()
                .is_some_and(|x| x > 1e9 && (self.near_recording(x * 1e6) || self.near_recording(x * 1e3))),
            Value::Object(o) => o.get("_placeholder") == Some(&Value::Bool(true)),
            _ => false,
        }
    }

    /// What of `v` can be asserted: objects lose their volatile members (an
    /// expect matches objects by subset); anything else is kept whole or not at all.
    pub fn assertable(&self, v: &Value) -> Option<Value> {
        if self.is_volatile(v) {
            return None;
        }
        match v {
            Value::Object(o) => Some(Value::Object(
                o.iter()
                    .filter(|(k, _)| !Self::key_is_volatile(k))
                    .filter_map(|(k, v)| self.assertable(v).map(|v| (k.clone(), v)))
                    .collect(),
            )),
            // Arrays are matched whole: one volatile element drops the lot.
            Value::Array(a) => a
                .iter()
                .all(|e| self.assertable(e).as_ref() == Some(e))
                .then(|| v.clone()),
            _ => Some(v.clone()),
        }
    }
}

/// `2026-01-31T12:00:00+01:00`, `2026-01-31T12:00:00.5Z`, `2026-01-31 12:00:00`: a date and a time.
fn looks_like_iso_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b' ')
        && digits(11..13)
        && b[13] == b':'
}
