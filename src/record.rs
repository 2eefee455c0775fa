//! The one record type that every front end shares: a frame as it crossed the
//! wire plus its decoded layers, or a change of connection state. It serialises
//! to one JSON object per line (NDJSON); the schema is documented in the README.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::proto::eio::Frame;
use crate::proto::frame::{Bytes, Decoded};

/// Which way a frame went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Server to client.
    In,
    /// Client to server.
    Out,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Polling,
    Websocket,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Polling => "polling",
            Transport::Websocket => "websocket",
        })
    }
}

/// The frame exactly as on the wire: text as a JSON string, binary as base64 with its length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Raw {
    Text { text: String },
    Binary(Bytes),
}

impl Raw {
    pub fn from_frame(frame: Frame<'_>) -> Raw {
        match frame {
            Frame::Text(t) => Raw::Text { text: t.to_owned() },
            Frame::Binary(b) => Raw::Binary(Bytes(b.to_vec())),
        }
    }

    pub fn as_frame(&self) -> Frame<'_> {
        match self {
            Raw::Text { text } => Frame::Text(text),
            Raw::Binary(b) => Frame::Binary(&b.0),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Raw::Text { text } => text.len(),
            Raw::Binary(b) => b.0.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A wall-clock time with microsecond resolution, written as RFC 3339 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub micros: u64,
}

impl Timestamp {
    pub fn now() -> Timestamp {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        Timestamp {
            micros: since.as_micros() as u64,
        }
    }

    /// Seconds from `earlier` to `self` (negative if earlier is later).
    pub fn seconds_since(self, earlier: Timestamp) -> f64 {
        (self.micros as f64 - earlier.micros as f64) / 1e6
    }

    /// `HH:MM:SS.mmm` in UTC, for compact displays.
    pub fn clock(self) -> String {
        let text = self.rfc3339();
        // The time of day and milliseconds of `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
        String::from_utf8_lossy(&text[11..23]).into_owned()
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, written digit by digit: every record's
    /// time is formatted, so this avoids the formatting machinery.
    pub fn rfc3339(self) -> [u8; 27] {
        let secs = self.micros / 1_000_000;
        let (y, m, d) = civil_from_days((secs / 86_400) as i64);
        let day = secs % 86_400;
        let mut out = *b"0000-00-00T00:00:00.000000Z";
        let mut put = |at: usize, width: usize, mut n: u64| {
            for i in (at..at + width).rev() {
                out[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, y.clamp(0, 9999) as u64);
        put(5, 2, u64::from(m));
        put(8, 2, u64::from(d));
        put(11, 2, day / 3600);
        put(14, 2, day / 60 % 60);
        put(17, 2, day % 60);
        put(20, 6, self.micros % 1_000_000);
        out
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.rfc3339();
        // Only ASCII digits and separators were written.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl std::str::FromStr for Timestamp {
    type Err = String;
    fn from_str(s: &str) -> Result<Timestamp, String> {
        let bad = || format!("{s:?} is not a time like 2026-01-31T12:00:00.000000Z");
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u64>().ok()).ok_or_else(bad);
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let rest = s.get(19..).ok_or_else(bad)?;
        let rest = rest.strip_suffix('Z').ok_or_else(bad)?;
        let micros_frac = match rest.strip_prefix('.') {
            None if rest.is_empty() => 0,
            Some(frac) if !frac.is_empty() && frac.len() <= 6 && frac.bytes().all(|c| c.is_ascii_digit()) => {
                frac.parse::<u64>().map_err(|_| bad())? * 10u64.pow(6 - frac.len() as u32)
            }
            _ => return Err(bad()),
        };
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
            return Err(bad());
        }
        let days = days_from_civil(y as i64, mo as u32, d as u32);
        let secs = u64::try_from(days).map_err(|_| bad())? * 86_400 + h * 3600 + mi * 60 + se;
        Ok(Timestamp {
            micros: secs * 1_000_000 + micros_frac,
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.rfc3339();
        s.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A frame and everything decoded from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameRecord {
    /// Unknown for frames decoded offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    pub raw: Raw,
    #[serde(flatten)]
    pub decoded: Decoded,
}

/// What a record describes.
// Frames are nearly every record; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// One Engine.IO packet in either direction.
    Frame(FrameRecord),
    /// A change of connection state (connecting, open, upgraded, reconnecting, closed…).
    State(StateRecord),
    /// An HTTP exchange of the polling transport or the WebSocket handshake.
    Http(HttpRecord),
}

/// A change of connection state, with free-form details (handshake values, reasons).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StateRecord {
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// A request and its response on the transport layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpRecord {
    pub method: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub millis: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One line of NDJSON: a numbered, timed [`Body`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    pub time: Timestamp,
    /// The connection the record belongs to, where a front end sees several: `sio tap`
    /// names the Engine.IO session (its sid; a connection id before the handshake answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn: Option<String>,
    #[serde(flatten)]
    pub body: Body,
}

impl Record {
    /// The record as one line of JSON (no trailing newline).
    pub fn to_json_line(&self) -> String {
        // Serialising our own types into a String cannot fail.
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"kind\":\"error\",\"message\":{:?}}}", e.to_string()))
    }

    pub fn frame(&self) -> Option<&FrameRecord> {
        match &self.body {
            Body::Frame(f) => Some(f),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::eio::EioVersion;
    use crate::proto::frame::{FrameDecoder, Parser};

    #[test]
    fn timestamps_round_trip() {
        let t = Timestamp {
            micros: 1_795_619_540_123_456,
        };
        let s = t.to_string();
        assert_eq!(s, "2026-11-25T15:12:20.123456Z");
        assert_eq!(s.parse::<Timestamp>(), Ok(t));
        assert_eq!("1970-01-01T00:00:00Z".parse::<Timestamp>(), Ok(Timestamp { micros: 0 }));
        assert!("2026-13-01T00:00:00Z".parse::<Timestamp>().is_err());
        assert_eq!(t.clock(), "15:12:20.123");
        for (micros, text) in [
            (0, "1970-01-01T00:00:00.000000Z"),
            (951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
            (1_704_067_199_999_999, "2023-12-31T23:59:59.999999Z"),
        ] {
            let t = Timestamp { micros };
            assert_eq!(t.to_string(), text);
            assert_eq!(serde_json::to_string(&t).ok(), Some(format!("\"{text}\"")));
            assert_eq!(text.parse::<Timestamp>(), Ok(t));
        }
    }

    #[test]
    fn records_round_trip_through_ndjson() {
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let frames: [Frame<'_>; 4] = [
            Frame::Text(r#"451-/admin,3["up",{"_placeholder":true,"num":0}]"#),
            Frame::Binary(&[0, 159, 255]),
            Frame::Text("42["),
            Frame::Text(r#"0{"sid":"x","upgrades":[],"pingInterval":1,"pingTimeout":2,"extra":true}"#),
        ];
        for (i, frame) in frames.into_iter().enumerate() {
            let record = Record {
                seq: i as u64,
                time: Timestamp::now(),
                conn: None,
                body: Body::Frame(FrameRecord {
                    dir: Some(Direction::In),
                    transport: Some(Transport::Websocket),
                    raw: Raw::from_frame(frame),
                    decoded: decoder.decode(frame),
                }),
            };
            let line = record.to_json_line();
            let back: Record = serde_json::from_str(&line).expect(&line);
            assert_eq!(back, record, "{line}");
        }
    }

    #[test]
    fn the_connection_is_named_only_when_known() {
        let mut record = Record {
            seq: 3,
            time: Timestamp { micros: 0 },
            conn: None,
            body: Body::State(StateRecord {
                state: "open".into(),
                detail: None,
                data: serde_json::Map::new(),
            }),
        };
        assert!(!record.to_json_line().contains("conn"), "{}", record.to_json_line());
        record.conn = Some("9PS7ur4UsVpgE_ZhAAAA".into());
        let line = record.to_json_line();
        assert!(line.contains(r#""conn":"9PS7ur4UsVpgE_ZhAAAA""#), "{line}");
        assert_eq!(serde_json::from_str::<Record>(&line).expect(&line), record);
    }

    #[test]
    fn older_and_newer_recordings_read() {
        // An older sio wrote the parsed data; a newer one writes the wire text as it came.
        let older = r#"{"seq":0,"time":"2026-01-31T12:00:00Z","kind":"frame","dir":"in","raw":{"text":"42[\"a\", 1.50, \"\\u00e9\"]"},"eio":{"version":4,"type":"message"},"sio":{"version":5,"type":"EVENT","nsp":"/","event":"a","data":["a",1.5,"é"]}}"#;
        let newer = older.replace(r#""data":["a",1.5,"é"]"#, r#""data":["a", 1.50, "\u00e9"]"#);
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let decoded = decoder.decode(Frame::Text("42[\"a\", 1.50, \"\\u00e9\"]"));
        assert_eq!(
            decoded.sio.as_ref().and_then(|s| s.data.as_ref()).map(|d| d.as_str()),
            Some(r#"["a", 1.50, "\u00e9"]"#)
        );
        for line in [older, newer.as_str()] {
            let record: Record = serde_json::from_str(line).expect(line);
            let frame = record.frame().expect("frame");
            assert_eq!(frame.decoded, decoded, "{line}");
        }
        // Data read back is kept compact (the wire text is still in `raw`).
        let record: Record = serde_json::from_str(&newer).expect("newer");
        assert!(record.to_json_line().contains(r#""data":["a",1.5,"é"]"#));
        // A frame decoded now is written with its wire text.
        let fresh = Record {
            seq: 0,
            time: Timestamp { micros: 0 },
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: Some(Direction::In),
                transport: None,
                raw: Raw::Text { text: "x".into() },
                decoded,
            }),
        };
        assert!(
            fresh.to_json_line().contains(r#""data":["a", 1.50, "\u00e9"]"#),
            "{}",
            fresh.to_json_line()
        );
    }
}
