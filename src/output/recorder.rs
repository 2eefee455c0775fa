//! `--record FILE`: every record appended as NDJSON. Lines gather in a buffer
//! that the front end flushes whenever no record is waiting (so a light session
//! is on disk at once, and a flood costs a write per batch, not per record) and
//! before exit. Secrets (auth payloads, Authorization and Cookie headers) are
//! masked unless asked otherwise.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::Value;

use crate::proto::frame::{Bytes, JsonText};
use crate::proto::msgpack;
use crate::proto::sio::{self, PacketType};
use crate::record::{Body, Direction, Raw, Record};

pub const MASK: &str = "***";

pub struct Recorder {
    out: BufWriter<File>,
    keep_secrets: bool,
}

impl Recorder {
    pub fn create(path: &Path, keep_secrets: bool) -> Result<Recorder, String> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("--record {}: {e}", path.display()))?;
        Ok(Recorder {
            out: BufWriter::with_capacity(64 << 10, file),
            keep_secrets,
        })
    }

    /// Appends a record (buffered).
    pub fn write(&mut self, record: &Record) -> std::io::Result<()> {
        if self.keep_secrets {
            serde_json::to_writer(&mut self.out, record)?;
        } else {
            serde_json::to_writer(&mut self.out, &*masked(record))?;
        }
        self.out.write_all(b"\n")
    }

    /// Whether the line written for `record` is its plain JSON, which the caller
    /// may then serialise once for every output and hand to [`Recorder::write_json`].
    pub fn writes_plain(&self, record: &Record) -> bool {
        self.keep_secrets || !has_secret(record)
    }

    /// Appends `json`, the record's line already serialised (see [`Recorder::writes_plain`]).
    pub fn write_json(&mut self, json: &[u8]) -> std::io::Result<()> {
        self.out.write_all(json)?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn mask_values(data: &JsonText) -> JsonText {
    let masked = match data.value() {
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, _)| (k, Value::String(MASK.into()))).collect()),
        _ => Value::String(MASK.into()),
    };
    JsonText::from_value(&masked)
}

/// `/admin?token=x` → `/admin?token=***`.
fn mask_query(nsp: &str) -> String {
    match nsp.split_once('?') {
        None => nsp.to_string(),
        Some((path, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) => format!("{k}={MASK}"),
                    None => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
    }
}

/// The record with secrets replaced by `***`.
pub fn mask(record: &Record) -> Record {
    masked(record).into_owned()
}

fn is_secret_header(name: &str) -> bool {
    ["authorization", "proxy-authorization", "cookie"].contains(&name.to_ascii_lowercase().as_str())
}

/// Whether a record carries something [`mask`] hides: an outgoing CONNECT with
/// auth (payload or namespace query), or a secret request header.
fn has_secret(record: &Record) -> bool {
    match &record.body {
        Body::Http(h) => h.request_headers.iter().any(|(name, _)| is_secret_header(name)),
        Body::Frame(f) if f.dir == Some(Direction::Out) => f
            .decoded
            .sio
            .as_ref()
            .is_some_and(|sio| sio.kind == PacketType::Connect && (sio.data.is_some() || sio.nsp.contains('?'))),
        _ => false,
    }
}

/// Like [`mask`], copying only the records that need it: recording is per
/// record, and almost none carry a secret.
fn masked(record: &Record) -> std::borrow::Cow<'_, Record> {
    if !has_secret(record) {
        return std::borrow::Cow::Borrowed(record);
    }
    let mut record = record.clone();
    match &mut record.body {
        Body::Http(h) => {
            for (name, value) in &mut h.request_headers {
                if is_secret_header(name) {
                    *value = MASK.into();
                }
            }
        }
        Body::Frame(f) if f.dir == Some(Direction::Out) => {
            // has_secret made sure this is a CONNECT with auth.
            let Some(sio_layer) = f.decoded.sio.as_mut() else {
                return std::borrow::Cow::Owned(record);
            };
            sio_layer.data = sio_layer.data.as_ref().map(mask_values);
            sio_layer.nsp = mask_query(&sio_layer.nsp);
            let mut packet = sio::Packet::new(PacketType::Connect, sio_layer.nsp.clone());
            packet.data = sio_layer.data.as_ref().map(|d| d.as_str().to_owned().into());
            f.raw = match &f.raw {
                Raw::Text { .. } => Raw::Text {
                    text: format!("4{}", sio::encode(&packet)),
                },
                Raw::Binary(_) => Raw::Binary(Bytes(msgpack::encode(&packet, &[]).unwrap_or_default())),
            };
        }
        _ => {}
    }
    std::borrow::Cow::Owned(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::eio::{EioVersion, Frame};
    use crate::proto::frame::{FrameDecoder, Parser};
    use crate::record::{FrameRecord, HttpRecord, Timestamp, Transport};

    fn out_frame(text: &str) -> Record {
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        Record {
            seq: 0,
            time: Timestamp::now(),
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: Some(Direction::Out),
                transport: Some(Transport::Websocket),
                raw: Raw::Text { text: text.into() },
                decoded: d.decode(Frame::Text(text)),
            }),
        }
    }

    #[test]
    fn auth_payloads_and_headers_are_masked() {
        let masked = mask(&out_frame(r#"40/admin,{"token":"secret"}"#));
        let line = masked.to_json_line();
        assert!(!line.contains("secret"), "{line}");
        assert_eq!(
            masked.frame().map(|f| f.raw.clone()),
            Some(Raw::Text {
                text: r#"40/admin,{"token":"***"}"#.into()
            })
        );
        let masked = mask(&out_frame("40/admin?token=secret,"));
        assert!(!masked.to_json_line().contains("secret"));
        let untouched = out_frame(r#"42["chat","secret"]"#);
        assert_eq!(mask(&untouched), untouched);

        let http = Record {
            seq: 1,
            time: Timestamp::now(),
            conn: None,
            body: Body::Http(HttpRecord {
                method: "GET".into(),
                url: "http://x/".into(),
                status: Some(200),
                request_headers: vec![
                    ("Cookie".into(), "io=abc".into()),
                    ("Authorization".into(), "Bearer t".into()),
                ],
                response_headers: vec![],
                body_length: None,
                millis: None,
                error: None,
            }),
        };
        let line = mask(&http).to_json_line();
        assert!(!line.contains("io=abc") && !line.contains("Bearer"), "{line}");
    }
}
