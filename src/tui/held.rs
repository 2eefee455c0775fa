//! A record as the UI holds it. Most frames are text that decodes the same on its
//! own, so the UI keeps only their wire text (one buffer, not the frame and its data
//! slice) and decodes them again when drawn: the screen shows ~50 rows, the
//! scrollback holds 100,000. Everything else is kept whole.

use std::borrow::Cow;

use crate::proto::eio::{EioVersion, Frame};
use crate::proto::frame::{FrameDecoder, Parser};
use crate::record::{Body, Direction, FrameRecord, Raw, Record, Timestamp, Transport};

pub enum Held {
    Text(TextFrame),
    Whole(Box<Record>),
}

/// A text frame whose decoding needs no state from earlier frames.
pub struct TextFrame {
    seq: u64,
    time: Timestamp,
    /// The connection it belongs to, where the stream holds several (`sio tap`).
    conn: Option<Box<str>>,
    text: Box<str>,
    dir: Option<Direction>,
    transport: Option<Transport>,
    eio: EioVersion,
}

impl Held {
    pub fn new(record: Record) -> Held {
        match TextFrame::of(&record) {
            Some(frame) => {
                debug_assert_eq!(frame.to_record(), record, "a held frame decodes as it came");
                Held::Text(frame)
            }
            None => Held::Whole(Box::new(record)),
        }
    }

    /// The record as it came (decoded again for a text frame).
    pub fn record(&self) -> Cow<'_, Record> {
        match self {
            Held::Text(frame) => Cow::Owned(frame.to_record()),
            Held::Whole(record) => Cow::Borrowed(record),
        }
    }

    /// The record when it is kept whole (state and HTTP records always are).
    pub fn whole(&self) -> Option<&Record> {
        match self {
            Held::Text(_) => None,
            Held::Whole(record) => Some(record),
        }
    }

    pub fn seq(&self) -> u64 {
        match self {
            Held::Text(frame) => frame.seq,
            Held::Whole(record) => record.seq,
        }
    }

    pub fn time(&self) -> Timestamp {
        match self {
            Held::Text(frame) => frame.time,
            Held::Whole(record) => record.time,
        }
    }
}

impl TextFrame {
    /// Only frames a fresh decoder decodes identically: text with the default parser, no
    /// error (an error may come from the reassembly state), no binary packet or attachment,
    /// no quirk.
    fn of(record: &Record) -> Option<TextFrame> {
        let Body::Frame(frame) = &record.body else { return None };
        let Raw::Text { text } = &frame.raw else { return None };
        let decoded = &frame.decoded;
        let eio = decoded.eio.as_ref()?;
        if decoded.error.is_some()
            || decoded.attachment.is_some()
            // A quirk may be the session's finding (an event before its CONNECT), which a
            // fresh decoder cannot make again.
            || decoded
                .sio
                .as_ref()
                .is_some_and(|s| s.kind.is_binary() || !s.complete || !s.quirks.is_empty())
        {
            return None;
        }
        Some(TextFrame {
            seq: record.seq,
            time: record.time,
            conn: record.conn.as_deref().map(Into::into),
            text: text.as_str().into(),
            dir: frame.dir,
            transport: frame.transport,
            eio: eio.version,
        })
    }

    fn to_record(&self) -> Record {
        let decoded = FrameDecoder::new(self.eio, Parser::Default).decode(Frame::Text(&self.text));
        Record {
            seq: self.seq,
            time: self.time,
            conn: self.conn.as_deref().map(str::to_string),
            body: Body::Frame(FrameRecord {
                dir: self.dir,
                transport: self.transport,
                raw: Raw::Text {
                    text: self.text.to_string(),
                },
                decoded,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::StateRecord;

    fn frame(decoder: &mut FrameDecoder, seq: u64, text: &str) -> Record {
        Record {
            seq,
            time: Timestamp { micros: 1_000 + seq },
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: Some(Direction::In),
                transport: Some(Transport::Websocket),
                raw: Raw::Text { text: text.into() },
                decoded: decoder.decode(Frame::Text(text)),
            }),
        }
    }

    #[test]
    fn a_held_frame_keeps_its_connection() {
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        let mut record = frame(&mut decoder, 1, r#"42["chat","hi"]"#);
        record.conn = Some("9PS7ur4UsVpgE_ZhAAAA".into());
        let held = Held::new(record.clone());
        assert!(matches!(held, Held::Text(_)));
        assert_eq!(held.record().into_owned(), record);
    }

    #[test]
    fn text_frames_are_kept_as_text_and_come_back_the_same() {
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        for (i, text) in [
            r#"42["chat",{"a":1}]"#,
            "2",
            "3probe",
            r#"40{"sid":"x"}"#,
            r#"43/admin,7["ok"]"#,
        ]
        .into_iter()
        .enumerate()
        {
            let record = frame(&mut decoder, i as u64, text);
            let held = Held::new(record.clone());
            assert!(matches!(held, Held::Text(_)), "{text}");
            assert_eq!(*held.record(), record);
            assert_eq!(held.record().to_json_line(), record.to_json_line());
            assert_eq!((held.seq(), held.time()), (record.seq, record.time));
        }
    }

    #[test]
    fn frames_that_need_earlier_frames_or_failed_are_kept_whole() {
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        // A binary header waits for its attachment; a text frame then interrupts it (an
        // error only the decoder's state explains); a malformed frame; a binary frame.
        let header = frame(&mut decoder, 0, r#"451-["up",{"_placeholder":true,"num":0}]"#);
        let interrupting = frame(&mut decoder, 1, r#"42["x"]"#);
        let malformed = frame(&mut decoder, 2, "42[");
        assert!(interrupting.frame().and_then(|f| f.decoded.error.as_ref()).is_some());
        let binary = Record {
            seq: 3,
            time: Timestamp { micros: 3 },
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: Some(Direction::In),
                transport: Some(Transport::Websocket),
                raw: Raw::Binary(crate::proto::frame::Bytes(vec![1, 2])),
                decoded: decoder.decode(Frame::Binary(&[1, 2])),
            }),
        };
        let state = Record {
            seq: 4,
            time: Timestamp { micros: 4 },
            conn: None,
            body: Body::State(StateRecord {
                state: "open".into(),
                detail: None,
                data: serde_json::Map::new(),
            }),
        };
        for record in [header, interrupting, malformed, binary, state] {
            let held = Held::new(record.clone());
            assert!(held.whole().is_some(), "{}", record.to_json_line());
            assert_eq!(*held.record(), record);
        }
    }
}
