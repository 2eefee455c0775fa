//! `sio decode`: frames in, explanations (or records) out, no network.

use std::io::{BufRead, Write};

use base64::Engine as _;

use super::exit;
use crate::cli::DecodeArgs;
use crate::explain;
use crate::filter::Filter;
use crate::output::explain_text;
use crate::output::recording::{self, Item, Source};
use crate::proto::eio::{EioVersion, Frame};
use crate::proto::frame::{Decoded, FrameDecoder, Parser, decode_payload};
use crate::record::{Body, FrameRecord, Raw, Record, Timestamp};

/// One input as bytes: text frames stay text, `--hex`/`--base64` give binary.
enum Input {
    Text(String),
    Binary(Vec<u8>),
}

fn parse_input(line: &str, args: &DecodeArgs) -> Result<Input, String> {
    if args.hex {
        let digits: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = digits.strip_prefix("0x").unwrap_or(&digits);
        if !digits.len().is_multiple_of(2) {
            return Err(format!("{line:?} is not hex: odd number of digits"));
        }
        (0..digits.len())
            .step_by(2)
            .map(|i| {
                u8::from_str_radix(&digits[i..i + 2], 16)
                    .map_err(|_| format!("{line:?} is not hex: {:?} at digit {}", &digits[i..i + 2], i + 1))
            })
            .collect::<Result<Vec<u8>, String>>()
            .map(Input::Binary)
    } else if args.base64 {
        base64::engine::general_purpose::STANDARD
            .decode(line.trim())
            .map(Input::Binary)
            .map_err(|e| format!("{line:?} is not base64: {e}"))
    } else {
        Ok(Input::Text(line.to_string()))
    }
}

struct Printer<'a> {
    out: &'a mut dyn Write,
    /// The current record's JSON line, reused.
    line: Vec<u8>,
    json: bool,
    eio: EioVersion,
    seq: u64,
    failed: bool,
    /// `--filter`: which frames are shown (all are decoded, in order).
    filter: Filter,
    /// Malformed frames the filter did not show.
    hidden_malformed: usize,
}

impl Printer<'_> {
    fn frame(&mut self, frame: Frame<'_>, decoded: Decoded, indent: &str) -> std::io::Result<()> {
        let malformed = decoded.error.is_some();
        self.failed |= malformed;
        let record = Record {
            seq: self.seq,
            time: Timestamp::now(),
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: None,
                transport: None,
                raw: Raw::from_frame(frame),
                decoded,
            }),
        };
        self.seq += 1;
        if !self.filter.matches(&record) {
            self.hidden_malformed += usize::from(malformed);
            return Ok(());
        }
        if self.json {
            self.line.clear();
            serde_json::to_writer(&mut self.line, &record)?;
            self.line.push(b'\n');
            return self.out.write_all(&self.line);
        }
        let Body::Frame(FrameRecord { raw, decoded, .. }) = &record.body else {
            return Ok(());
        };
        let parts = explain::parts(raw, decoded, self.eio);
        let line = match frame {
            Frame::Text(t) => t.to_string(),
            Frame::Binary(b) => format!("<binary {} bytes> {}", b.len(), explain::hex_preview(b, 32)),
        };
        write!(
            self.out,
            "{}",
            explain_text::render(&line, &parts, &explain::summary(decoded), indent)
        )
    }

    fn problem(&mut self, what: &str) -> std::io::Result<()> {
        self.failed = true;
        if self.json {
            let line = serde_json::json!({"kind": "error", "message": what});
            writeln!(self.out, "{line}")
        } else {
            writeln!(
                self.out,
                "{}",
                explain_text::paint(&format!("✗ {what}"), explain::Tone::Error)
            )
        }
    }
}

pub fn run(args: &DecodeArgs) -> u8 {
    let filter = match args.filter.parse() {
        Ok(f) => f,
        Err(code) => return code,
    };
    // Buffered here, flushed whenever input runs dry: one write per batch, not per line.
    let mut out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let result = match &args.har {
        Some(path) => {
            let parser = match Parser::from(args.parser) {
                Parser::Default => None,
                chosen => Some(chosen),
            };
            let source = match recording::open_with(path, parser) {
                Ok(s) => s,
                Err(e) => return exit::fail(if e.usage { exit::USAGE } else { exit::FAILURE }, e.message),
            };
            recording_to(source, &filter, args.json, &mut out)
        }
        None => run_to(args, filter, &mut out),
    };
    match result.and_then(|ok| out.flush().map(|_| ok)) {
        Ok(Outcome { failed: false, .. }) => exit::OK,
        Ok(Outcome {
            hidden_malformed: 0, ..
        }) => exit::fail(exit::FAILURE, "malformed input (each is marked ✗ above)"),
        Ok(Outcome { hidden_malformed, .. }) => exit::fail(
            exit::FAILURE,
            format!("malformed input ({hidden_malformed} of the malformed frames not shown: --filter hid them)"),
        ),
        // A closed pipe (`sio decode … | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => exit::fail(exit::FAILURE, e),
    }
}

/// What decoding every input found.
pub struct Outcome {
    /// Some input was malformed.
    pub failed: bool,
    /// Malformed frames that `--filter` did not show.
    pub hidden_malformed: usize,
}

/// Explains every frame of a recording (a HAR's or `--record`'s), each under a line
/// naming its time, session, direction and transport, showing the frames `filter` matches.
fn recording_to(source: Source, filter: &Filter, json: bool, out: &mut dyn Write) -> std::io::Result<Outcome> {
    let mut ok = true;
    let mut hidden_malformed = 0usize;
    for item in source.items() {
        let record = match item {
            Ok(Item::Record(r, _)) => r,
            Ok(Item::Bad(number, why)) => {
                ok = false;
                writeln!(out, "✗ line {number}: not a record ({why})")?;
                continue;
            }
            Err(why) => {
                writeln!(out, "✗ {why}")?;
                return Ok(Outcome {
                    failed: true,
                    hidden_malformed,
                });
            }
        };
        let frame = match &record.body {
            Body::Frame(frame) => frame,
            Body::State(s) if s.state == "har malformed" => {
                ok = false;
                if !json {
                    writeln!(
                        out,
                        "✗ {}",
                        s.detail.as_deref().unwrap_or("part of the HAR is malformed")
                    )?;
                }
                continue;
            }
            _ => continue,
        };
        let well_formed = frame.decoded.error.is_none();
        ok &= well_formed;
        if !filter.matches(&record) {
            hidden_malformed += usize::from(!well_formed);
            continue;
        }
        if json {
            writeln!(out, "{}", record.to_json_line())?;
            continue;
        }
        let eio = frame.decoded.eio.as_ref().map_or(EioVersion::V4, |e| e.version);
        let arrow = match frame.dir {
            Some(crate::record::Direction::Out) => "↑ client → server",
            Some(crate::record::Direction::In) => "↓ server → client",
            None => "·",
        };
        let transport = frame.transport.map(|t| t.to_string()).unwrap_or_default();
        let conn = record.conn.as_deref().unwrap_or("-");
        writeln!(out, "{} {conn} {arrow} {transport}", record.time.clock())?;
        let line = match frame.raw.as_frame() {
            Frame::Text(t) => t.to_string(),
            Frame::Binary(b) => format!("<binary {} bytes> {}", b.len(), explain::hex_preview(b, 32)),
        };
        let parts = explain::parts(&frame.raw, &frame.decoded, eio);
        write!(
            out,
            "{}",
            explain_text::render(&line, &parts, &explain::summary(&frame.decoded), "  ")
        )?;
    }
    Ok(Outcome {
        failed: !ok,
        hidden_malformed,
    })
}

/// Decodes every input, showing the frames `filter` matches.
pub fn run_to(args: &DecodeArgs, filter: Filter, out: &mut dyn Write) -> std::io::Result<Outcome> {
    let eio: EioVersion = args.eio.into();
    let mut decoder = FrameDecoder::new(eio, args.parser.into());
    let mut printer = Printer {
        out,
        line: Vec::new(),
        json: args.json,
        eio,
        seq: 0,
        failed: false,
        filter,
        hidden_malformed: 0,
    };
    let mut handle = |line: &str, printer: &mut Printer<'_>| -> std::io::Result<()> {
        let input = match parse_input(line, args) {
            Ok(i) => i,
            Err(e) => return printer.problem(&e),
        };
        let bytes: &[u8] = match &input {
            Input::Text(t) => t.as_bytes(),
            Input::Binary(b) => b,
        };
        if args.payload {
            let (records, error) = decode_payload(&mut decoder, bytes);
            if !printer.json {
                writeln!(printer.out, "payload of {} record(s), Engine.IO {eio}", records.len())?;
            }
            for (frame, decoded) in records {
                printer.frame(frame, decoded, "  ")?;
            }
            if let Some(e) = error {
                printer.problem(&format!("payload: {}", e.message))?;
            }
            return Ok(());
        }
        let frame = match &input {
            Input::Text(t) => Frame::Text(t),
            Input::Binary(b) => Frame::Binary(b),
        };
        let decoded = decoder.decode(frame);
        printer.frame(frame, decoded, "")
    };
    if args.frames.is_empty() {
        let mut input = std::io::BufReader::with_capacity(64 << 10, std::io::stdin().lock());
        let mut line = String::new();
        loop {
            // Someone typing frames sees each answer before typing the next.
            if input.buffer().is_empty() {
                printer.out.flush()?;
            }
            line.clear();
            if input.read_line(&mut line)? == 0 {
                break;
            }
            let text = line.strip_suffix('\n').unwrap_or(&line);
            let text = text.strip_suffix('\r').unwrap_or(text);
            if text.is_empty() && !args.payload {
                continue;
            }
            handle(text, &mut printer)?;
        }
    } else {
        for frame in &args.frames {
            handle(frame, &mut printer)?;
        }
    }
    if let Some(e) = decoder.finish() {
        printer.problem(&format!("end of input: {}", e.message))?;
    }
    Ok(Outcome {
        failed: printer.failed,
        hidden_malformed: printer.hidden_malformed,
    })
}
