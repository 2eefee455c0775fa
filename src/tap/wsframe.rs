//! A passive RFC 6455 reader: the tap copies a WebSocket's bytes through as they
//! come and feeds a copy here, which turns them into messages (fragments joined,
//! client masks removed) for decoding. Pure: bytes in, messages out.

/// One thing a WebSocket carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsMessage {
    /// A text message's bytes (not yet checked for UTF-8: that is the decoder's verdict).
    Text(Vec<u8>),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close {
        code: Option<u16>,
        reason: String,
    },
    /// The stream cannot be read further; the bytes still pass, unread.
    Malformed(String),
}

const FIN: u8 = 0x80;
const RSV: u8 = 0x70;
const MASKED: u8 = 0x80;

/// Reads one direction of a WebSocket.
#[derive(Debug)]
pub struct WsReader {
    buf: Vec<u8>,
    /// A data message begun by a frame without FIN: its opcode and bytes so far.
    partial: Option<(u8, Vec<u8>)>,
    max_message: usize,
    broken: bool,
}

impl WsReader {
    pub fn new(max_message: usize) -> WsReader {
        WsReader {
            buf: Vec::new(),
            partial: None,
            max_message,
            broken: false,
        }
    }

    /// Takes the next bytes of the stream and gives back the messages they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<WsMessage> {
        let mut out = Vec::new();
        if self.broken {
            return out;
        }
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        loop {
            match self.frame_at(at) {
                Ok(Some((used, message))) => {
                    at += used;
                    if let Some(m) = message {
                        out.push(m);
                    }
                }
                Ok(None) => break,
                Err(why) => {
                    self.broken = true;
                    self.buf = Vec::new();
                    out.push(WsMessage::Malformed(why));
                    return out;
                }
            }
        }
        self.buf.drain(..at);
        out
    }

    /// The frame starting at `at`: bytes used and the message it completes; None until whole.
    fn frame_at(&mut self, at: usize) -> Result<Option<(usize, Option<WsMessage>)>, String> {
        let b = &self.buf[at..];
        if b.len() < 2 {
            return Ok(None);
        }
        let (fin, opcode) = (b[0] & FIN != 0, b[0] & 0x0f);
        if b[0] & RSV != 0 {
            return Err(format!(
                "frame with reserved bits {:#04x} set (a compression extension?): not readable",
                b[0] & RSV
            ));
        }
        let masked = b[1] & MASKED != 0;
        let (len, mut head) = match b[1] & 0x7f {
            126 if b.len() >= 4 => (u64::from(u16::from_be_bytes([b[2], b[3]])), 4),
            127 if b.len() >= 10 => {
                let mut n = [0u8; 8];
                n.copy_from_slice(&b[2..10]);
                (u64::from_be_bytes(n), 10)
            }
            126 | 127 => return Ok(None),
            n => (u64::from(n), 2),
        };
        let limit = self.max_message as u64;
        let so_far = self.partial.as_ref().map_or(0, |(_, d)| d.len() as u64);
        if len + so_far > limit {
            return Err(format!("message of more than {limit} bytes: not read further"));
        }
        let len = len as usize;
        let mask = if masked {
            if b.len() < head + 4 {
                return Ok(None);
            }
            let m = [b[head], b[head + 1], b[head + 2], b[head + 3]];
            head += 4;
            Some(m)
        } else {
            None
        };
        if b.len() < head + len {
            return Ok(None);
        }
        let mut payload = b[head..head + len].to_vec();
        if let Some(m) = mask {
            for (i, byte) in payload.iter_mut().enumerate() {
                *byte ^= m[i % 4];
            }
        }
        let used = head + len;
        let message = match opcode {
            0x0 => {
                let Some((_, data)) = self.partial.as_mut() else {
                    return Err("continuation frame with no message begun".into());
                };
                data.extend_from_slice(&payload);
                if fin {
                    self.partial.take().map(|(op, data)| data_message(op, data))
                } else {
                    None
                }
            }
            0x1 | 0x2 if self.partial.is_some() => {
                return Err("new data frame while a fragmented message is unfinished".into());
            }
            0x1 | 0x2 if !fin => {
                self.partial = Some((opcode, payload));
                None
            }
            0x1 | 0x2 => Some(data_message(opcode, payload)),
            0x8..=0xA if !fin || len > 125 => {
                return Err(format!("control frame {opcode:#x} fragmented or longer than 125 bytes"));
            }
            0x8 => Some(close_message(&payload)),
            0x9 => Some(WsMessage::Ping(payload)),
            0xA => Some(WsMessage::Pong(payload)),
            other => return Err(format!("unknown opcode {other:#x}")),
        };
        Ok(Some((used, message)))
    }
}

fn data_message(opcode: u8, data: Vec<u8>) -> WsMessage {
    if opcode == 0x1 {
        WsMessage::Text(data)
    } else {
        WsMessage::Binary(data)
    }
}

fn close_message(payload: &[u8]) -> WsMessage {
    match payload {
        [hi, lo, reason @ ..] => WsMessage::Close {
            code: Some(u16::from_be_bytes([*hi, *lo])),
            reason: String::from_utf8_lossy(reason).into_owned(),
        },
        _ => WsMessage::Close {
            code: None,
            reason: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(first: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
        let mut out = vec![first];
        let m = if mask.is_some() { MASKED } else { 0 };
        match payload.len() {
            n if n < 126 => out.push(m | n as u8),
            n if n < 65536 => {
                out.push(m | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(m | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        match mask {
            Some(k) => {
                out.extend_from_slice(&k);
                out.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
            }
            None => out.extend_from_slice(payload),
        }
        out
    }

    #[test]
    fn masked_fragmented_and_control_frames_byte_by_byte() {
        let key = Some([1, 2, 3, 4]);
        let mut wire = frame(0x01, b"42[\"a\",", key);
        wire.extend(frame(0x89, b"hb", key));
        wire.extend(frame(0x80, b"1]", key));
        wire.extend(frame(0x82, &vec![7u8; 300], None));
        wire.extend(frame(0x88, &[0x03, 0xe8, b'b', b'y', b'e'], key));
        let mut reader = WsReader::new(1 << 20);
        let mut got = Vec::new();
        for byte in &wire {
            got.extend(reader.push(std::slice::from_ref(byte)));
        }
        assert_eq!(
            got,
            [
                WsMessage::Ping(b"hb".to_vec()),
                WsMessage::Text(b"42[\"a\",1]".to_vec()),
                WsMessage::Binary(vec![7u8; 300]),
                WsMessage::Close {
                    code: Some(1000),
                    reason: "bye".into()
                },
            ]
        );
    }

    #[test]
    fn long_lengths_and_limits() {
        let mut reader = WsReader::new(1 << 20);
        let big = vec![9u8; 70_000];
        assert_eq!(reader.push(&frame(0x82, &big, None)), [WsMessage::Binary(big)]);
        let mut small = WsReader::new(10);
        let out = small.push(&frame(0x81, b"more than ten", None));
        assert!(
            matches!(&out[..], [WsMessage::Malformed(m)] if m.contains("more than 10")),
            "{out:?}"
        );
        // Once broken, the rest passes unread.
        assert!(small.push(&frame(0x81, b"4", None)).is_empty());
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        for (wire, why) in [
            (frame(0xC1, b"x", None), "reserved bits"),
            (frame(0x80, b"x", None), "continuation"),
            (frame(0x83, b"x", None), "unknown opcode"),
            (frame(0x09, b"x", None), "control frame"),
        ] {
            let out = WsReader::new(100).push(&wire);
            assert!(
                matches!(&out[..], [WsMessage::Malformed(m)] if m.contains(why)),
                "{out:?}"
            );
        }
    }
}
