//! Reading what `--record` wrote (NDJSON, one record a line) or a browser's HAR
//! file, told apart by their first bytes: the commands that take recordings
//! (`replay`, `decode --har`, `diff`) take both.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::har;
use crate::proto::frame::Parser;
use crate::record::Record;

/// How many records a command that holds a whole recording takes.
pub const MAX_RECORDS: usize = 10_000_000;

/// One item of a recording, in order.
// Records are nearly every item; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub enum Item {
    /// A record, with the line it was read from (NDJSON only).
    Record(Record, Option<String>),
    /// A line that is not a record: `LINE: why`.
    Bad(usize, String),
}

/// An open recording.
pub enum Source {
    Ndjson(BufReader<std::fs::File>),
    Har(har::Loaded),
}

/// Why a recording could not be read: a file that is not there or cannot be read
/// (`usage`), or one that is not a recording.
pub struct OpenError {
    pub message: String,
    pub usage: bool,
}

/// Opens `path`: a HAR is read and decoded whole; NDJSON is read as it is iterated.
pub fn open(path: &Path) -> Result<Source, OpenError> {
    open_with(path, None)
}

/// [`open`], decoding a HAR with `parser` (None: notice msgpack from binary frames).
pub fn open_with(path: &Path, parser: Option<Parser>) -> Result<Source, OpenError> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| OpenError {
        message: format!("{shown}: {e}"),
        usage: true,
    })?;
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let start = reader.fill_buf().map_err(|e| OpenError {
        message: format!("{shown}: {e}"),
        usage: true,
    })?;
    let is_har = har::looks_like_har(start)
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("har") && !start.starts_with(b"{\"seq\""));
    if !is_har {
        return Ok(Source::Ndjson(reader));
    }
    let mut bytes = Vec::new();
    reader
        .take(har::MAX_HAR_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| OpenError {
            message: format!("{shown}: {e}"),
            usage: true,
        })?;
    har::read(&bytes, parser).map(Source::Har).map_err(|e| OpenError {
        message: format!("{shown}: {e}"),
        usage: false,
    })
}

impl Source {
    /// The records in order; NDJSON lines that are not records come as [`Item::Bad`].
    /// A read error ends the iteration with `Err`.
    pub fn items(self) -> Box<dyn Iterator<Item = Result<Item, String>>> {
        match self {
            Source::Har(loaded) => Box::new(loaded.records.into_iter().map(|r| Ok(Item::Record(r, None)))),
            Source::Ndjson(reader) => Box::new(reader.split(b'\n').enumerate().filter_map(|(i, line)| {
                let number = i + 1;
                let bytes = match line {
                    Ok(b) => b,
                    Err(e) => return Some(Err(format!("reading line {number}: {e}"))),
                };
                let text = String::from_utf8_lossy(&bytes);
                let text = text.trim_end_matches('\r');
                if text.trim().is_empty() {
                    return None;
                }
                Some(Ok(match serde_json::from_str::<Record>(text) {
                    Ok(r) => Item::Record(r, Some(text.to_string())),
                    Err(e) => Item::Bad(number, e.to_string()),
                }))
            })),
        }
    }
}

/// A whole recording in memory.
pub struct Loaded {
    pub records: Vec<Record>,
    /// Lines that were not records: `line N: why`.
    pub bad: Vec<String>,
}

/// Reads every record of `path` (at most [`MAX_RECORDS`]).
pub fn load(path: &Path) -> Result<Loaded, OpenError> {
    let source = open(path)?;
    let mut loaded = Loaded {
        records: Vec::new(),
        bad: Vec::new(),
    };
    for item in source.items() {
        match item {
            Ok(Item::Record(r, _)) => {
                if loaded.records.len() == MAX_RECORDS {
                    return Err(OpenError {
                        message: format!("{}: more than {MAX_RECORDS} records", path.display()),
                        usage: false,
                    });
                }
                loaded.records.push(r);
            }
            Ok(Item::Bad(line, why)) => loaded.bad.push(format!("line {line}: {why}")),
            Err(why) => {
                return Err(OpenError {
                    message: format!("{}: {why}", path.display()),
                    usage: false,
                });
            }
        }
    }
    Ok(loaded)
}
