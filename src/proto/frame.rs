//! One frame through every layer: Engine.IO, then Socket.IO (text or msgpack),
//! then binary reassembly. The result is what a record shows beside the raw bytes.
//!
//! [`FrameDecoder`] keeps the little state decoding needs across frames (the
//! half-built binary packet), so the engine and `sio decode` share it.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::binary::{Message, Reassembler, Step};
use super::eio::{self, EioVersion, Frame, Handshake};
pub use super::json_text::JsonText;
use super::sio::{self, DataInfo, PacketType, Quirk, SioVersion};
use super::{msgpack, payload};

/// How Socket.IO packets are encoded inside Engine.IO messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Parser {
    /// socket.io-parser: JSON text, binary as attachments.
    #[default]
    Default,
    /// socket.io-msgpack-parser: one msgpack map per binary message.
    Msgpack,
}

/// Bytes that serialise as `{"base64": "...", "length": n}`, losslessly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

#[derive(Serialize, Deserialize)]
struct BytesForm {
    base64: String,
    length: usize,
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BytesForm {
            base64: BASE64.encode(&self.0),
            length: self.0.len(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let form = BytesForm::deserialize(d)?;
        let bytes = BASE64.decode(&form.base64).map_err(serde::de::Error::custom)?;
        if bytes.len() != form.length {
            return Err(serde::de::Error::custom(format!(
                "base64 holds {} bytes but length says {}",
                bytes.len(),
                form.length
            )));
        }
        Ok(Bytes(bytes))
    }
}

/// Which layer refused the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Payload,
    Engineio,
    Socketio,
    Binary,
    Msgpack,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeError {
    pub layer: Layer,
    pub message: String,
}

/// The Engine.IO layer of a frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EioLayer {
    pub version: EioVersion,
    #[serde(rename = "type")]
    pub kind: eio::PacketType,
    /// The message carried bytes rather than text.
    #[serde(default, skip_serializing_if = "is_false")]
    pub binary: bool,
    /// Text after the type digit, for packets other than Socket.IO messages (`probe`, close reasons…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The open packet's handshake (boxed: one frame in a session has one, and every
    /// record would otherwise carry its room).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake: Option<Box<Handshake>>,
}

/// The Socket.IO layer of a frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SioLayer {
    pub version: SioVersion,
    #[serde(rename = "type")]
    pub kind: PacketType,
    pub nsp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The event name of EVENT / BINARY_EVENT packets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The JSON data as on the wire (binary values as placeholders).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub data: Option<JsonText>,
    /// Attachments the header announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<u32>,
    /// The binary values, in placeholder order, once all have arrived.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Bytes>,
    /// False while a binary header waits for its attachments.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quirks: Vec<Quirk>,
}

/// Where a binary attachment frame belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentOf {
    /// 1-based position of this attachment.
    pub index: u32,
    pub announced: u32,
}

/// Everything known about one frame beyond its raw bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decoded {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eio: Option<EioLayer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sio: Option<SioLayer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentOf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<DecodeError>,
}

/// A field that is there, even as `null` (a CONNECT may carry a JSON null): absent is `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<JsonText>, D::Error> {
    JsonText::deserialize(d).map(Some)
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

/// Decodes frames in order, carrying the binary reassembly state between them.
#[derive(Debug)]
pub struct FrameDecoder {
    pub eio: EioVersion,
    pub parser: Parser,
    reassembler: Reassembler,
}

impl FrameDecoder {
    pub fn new(eio: EioVersion, parser: Parser) -> Self {
        FrameDecoder {
            eio,
            parser,
            reassembler: Reassembler::new(),
        }
    }

    /// The Socket.IO revision that goes with the Engine.IO one.
    pub fn sio_version(&self) -> SioVersion {
        match self.eio {
            EioVersion::V3 => SioVersion::V4,
            EioVersion::V4 => SioVersion::V5,
        }
    }

    /// Decodes one frame (a WebSocket message or one polling record).
    pub fn decode(&mut self, frame: Frame<'_>) -> Decoded {
        let mut out = Decoded::default();
        let packet = match eio::decode(frame, self.eio) {
            Ok(p) => p,
            Err(e) => {
                out.error = Some(DecodeError {
                    layer: Layer::Engineio,
                    message: e.to_string(),
                });
                return out;
            }
        };
        let mut layer = EioLayer {
            version: self.eio,
            kind: packet.kind,
            binary: matches!(packet.data, eio::Data::Binary(_)),
            data: None,
            handshake: None,
        };
        match (packet.kind, packet.data) {
            (eio::PacketType::Message, eio::Data::Text(text)) => {
                out.eio = Some(layer);
                self.decode_sio_text(&text, &mut out);
            }
            (eio::PacketType::Message, eio::Data::Binary(bytes)) => {
                out.eio = Some(layer);
                self.decode_sio_binary(bytes.into_owned(), &mut out);
            }
            (eio::PacketType::Open, eio::Data::Text(text)) => {
                match Handshake::parse(&text) {
                    Ok(h) => layer.handshake = Some(Box::new(h)),
                    Err(message) => {
                        layer.data = Some(text.into_owned());
                        out.error = Some(DecodeError {
                            layer: Layer::Engineio,
                            message,
                        })
                    }
                }
                out.eio = Some(layer);
            }
            (_, eio::Data::Text(text)) => {
                if !text.is_empty() {
                    layer.data = Some(text.into_owned());
                }
                out.eio = Some(layer);
            }
            (_, eio::Data::Binary(bytes)) => {
                layer.data = Some(format!("<{} bytes>", bytes.len()));
                out.eio = Some(layer);
            }
        }
        out
    }

    fn decode_sio_text(&mut self, text: &str, out: &mut Decoded) {
        let mut problems = Vec::new();
        if self.parser == Parser::Msgpack {
            // Still show what the default parser makes of it.
            problems.push((
                Layer::Msgpack,
                "a text message on a msgpack connection (msgpack packets are binary)".to_string(),
            ));
        }
        if let Some(e) = self.reassembler.interrupt() {
            problems.push((Layer::Binary, e.to_string()));
        }
        let version = self.sio_version();
        match sio::decode(text, version) {
            Ok(decoded) => {
                let mut layer = sio_layer(&decoded.packet, decoded.info, version, decoded.quirks);
                if decoded.packet.kind.is_binary() {
                    // Only a header waiting for its attachments needs a copy of its own.
                    let step = self.reassembler.push_packet(decoded.packet.into_owned());
                    layer.complete = !matches!(step, Ok(Step::Waiting { .. }));
                }
                out.sio = Some(layer);
            }
            Err(e) => problems.insert(0, (Layer::Socketio, e.shifted(1).to_string())),
        }
        if let Some((layer, _)) = problems.first() {
            let message = problems.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; ");
            out.error = Some(DecodeError { layer: *layer, message });
        }
    }

    fn decode_sio_binary(&mut self, bytes: Vec<u8>, out: &mut Decoded) {
        if self.parser == Parser::Msgpack {
            match msgpack::decode_with_quirks(&bytes) {
                Ok((message, quirks)) => {
                    let mut layer = sio_layer_of(message, SioVersion::V5);
                    layer.quirks = quirks;
                    out.sio = Some(layer);
                }
                Err(e) => {
                    out.error = Some(DecodeError {
                        layer: Layer::Msgpack,
                        message: e.to_string(),
                    })
                }
            }
            return;
        }
        match self.reassembler.push_binary(bytes) {
            Ok(Step::Waiting { received, announced }) => {
                out.attachment = Some(AttachmentOf {
                    index: received,
                    announced,
                })
            }
            Ok(Step::Complete(message)) => {
                let announced = message.packet.attachments.unwrap_or(0);
                out.attachment = Some(AttachmentOf {
                    index: announced,
                    announced,
                });
                out.sio = Some(sio_layer_of(message, self.sio_version()));
            }
            Err(e) => {
                out.error = Some(DecodeError {
                    layer: Layer::Binary,
                    message: e.to_string(),
                })
            }
        }
    }

    /// The stream ended: reports a binary packet still missing attachments.
    pub fn finish(&mut self) -> Option<DecodeError> {
        self.reassembler.finish().err().map(|e| DecodeError {
            layer: Layer::Binary,
            message: e.to_string(),
        })
    }
}

/// The layer of a decoded text packet (complete unless the caller finds it waits).
fn sio_layer(p: &sio::Packet<'_>, info: DataInfo<'_>, version: SioVersion, quirks: Vec<Quirk>) -> SioLayer {
    // Data a Value cannot hold is left out, and with it the event name, as records always did.
    let (data, event) = match &p.data {
        Some(d) if info.is_value => (Some(JsonText::new(&**d)), info.event.map(Cow::into_owned)),
        _ => (None, None),
    };
    SioLayer {
        version,
        kind: p.kind,
        nsp: p.nsp.to_string(),
        id: p.id,
        event,
        data,
        announced: p.attachments,
        attachments: Vec::new(),
        complete: true,
        quirks,
    }
}

/// The layer of a whole message: a binary packet with its attachments, or a msgpack packet.
fn sio_layer_of(message: Message, version: SioVersion) -> SioLayer {
    let p = &message.packet;
    let info = p
        .data
        .as_deref()
        .map_or_else(DataInfo::default, |d| sio::data_info(p.kind, d));
    let mut layer = sio_layer(p, info, version, Vec::new());
    layer.attachments = message.attachments.into_iter().map(Bytes).collect();
    layer
}

/// Splits a polling body and decodes each record. A framing error becomes a
/// last entry with no frame.
pub fn decode_payload<'a>(
    decoder: &mut FrameDecoder,
    body: &'a [u8],
) -> (Vec<(Frame<'a>, Decoded)>, Option<DecodeError>) {
    let split = payload::split(body, decoder.eio);
    let decoded = split.records.into_iter().map(|f| (f, decoder.decode(f))).collect();
    let error = split.error.map(|e| DecodeError {
        layer: Layer::Payload,
        message: e.to_string(),
    });
    (decoded, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_layers() {
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let out = d.decode(Frame::Text(r#"42/admin,7["chat",{"text":"hi"}]"#));
        assert_eq!(out.error, None);
        let sio = out.sio.expect("socket.io layer");
        assert_eq!(sio.event.as_deref(), Some("chat"));
        assert_eq!(sio.nsp, "/admin");
        assert_eq!(sio.id, Some(7));
    }

    #[test]
    fn binary_event_across_frames() {
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let header = d.decode(Frame::Text(r#"451-["upload",{"_placeholder":true,"num":0}]"#));
        assert!(!header.sio.expect("header").complete);
        let att = d.decode(Frame::Binary(&[1, 2, 3]));
        assert_eq!(att.attachment, Some(AttachmentOf { index: 1, announced: 1 }));
        let sio = att.sio.expect("complete");
        assert_eq!(sio.attachments, [Bytes(vec![1, 2, 3])]);
        assert!(d.finish().is_none());
    }

    #[test]
    fn errors_name_the_layer() {
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let out = d.decode(Frame::Text("42["));
        assert_eq!(
            out.error,
            Some(DecodeError {
                layer: Layer::Socketio,
                message: "invalid payload at byte 3: JSON EOF while parsing a list".into()
            })
        );
        let out = d.decode(Frame::Binary(&[1]));
        assert_eq!(out.error.expect("stray").layer, Layer::Binary);
    }

    #[test]
    fn data_is_written_as_it_came() {
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let text = r#"42["chat", {"text":"caf\u00e9","n":1.50}]"#;
        let sio = d.decode(Frame::Text(text)).sio.expect("socket.io layer");
        let data = sio.data.clone().expect("data");
        assert_eq!(data.as_str(), &text[2..]);
        let json = serde_json::to_string(&sio).expect("serialise");
        assert!(
            json.contains(r#""data":["chat", {"text":"caf\u00e9","n":1.50}]"#),
            "{json}"
        );
        // Read back through a value; equal all the same.
        let back: SioLayer = serde_json::from_str(&json).expect("read back");
        assert_eq!(
            back.data.as_ref().map(JsonText::as_str),
            Some(r#"["chat",{"text":"café","n":1.5}]"#)
        );
        assert_eq!(back, sio);
        // A line break between tokens would split an NDJSON line: such text is written compact.
        let sio = d.decode(Frame::Text("42[\"chat\",\r\n1]")).sio.expect("layer");
        let json = serde_json::to_string(&sio).expect("serialise");
        assert!(json.contains(r#""data":["chat",1]"#), "{json}");
    }

    #[test]
    fn null_data_reads_back() {
        // Revision 4 takes a JSON null as CONNECT data; a record keeps it apart from no data.
        let mut d = FrameDecoder::new(EioVersion::V3, Parser::Default);
        for text in ["40null", "40"] {
            let decoded = d.decode(Frame::Text(text));
            let json = serde_json::to_string(&decoded).expect("serialise");
            assert_eq!(
                serde_json::from_str::<Decoded>(&json).expect("read back"),
                decoded,
                "{json}"
            );
        }
    }

    #[test]
    fn data_no_value_holds_is_left_out() {
        // Valid for the reference (JSON.parse reads 1e400 as Infinity), but no Value holds it:
        // the record leaves out the data and the event name, as it always has.
        let mut d = FrameDecoder::new(EioVersion::V4, Parser::Default);
        for text in [r#"42["a",1e400]"#, r#"42["a","\udc00"]"#] {
            let out = d.decode(Frame::Text(text));
            assert_eq!(out.error, None);
            let sio = out.sio.expect("layer");
            assert_eq!((sio.event, sio.data), (None, None), "{text}");
        }
        let sio = d.decode(Frame::Text(r#"42["\u0063hat",7]"#)).sio.expect("layer");
        assert_eq!(sio.event.as_deref(), Some("chat"));
        let sio = d.decode(Frame::Text(r#"42[-1.5e2,7]"#)).sio.expect("layer");
        assert_eq!(sio.event.as_deref(), Some("-150.0"));
    }

    #[test]
    fn bytes_round_trip_through_json() {
        let b = Bytes(vec![0, 255, 7]);
        let json = serde_json::to_string(&b).expect("serialise");
        assert_eq!(json, r#"{"base64":"AP8H","length":3}"#);
        assert_eq!(serde_json::from_str::<Bytes>(&json).expect("parse"), b);
        assert!(serde_json::from_str::<Bytes>(r#"{"base64":"AP8H","length":4}"#).is_err());
    }
}
