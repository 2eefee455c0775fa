//! `sio replay`: a recording printed as listen would. A bad or truncated line
//! is reported with its number and the rest still plays.

use std::io::{BufRead, BufReader, Write};
use std::ops::ControlFlow;

use super::exit;
use crate::cli::ReplayArgs;
use crate::output::printer::Form;
use crate::record::Record;

pub fn run(args: &ReplayArgs) -> u8 {
    let file = match std::fs::File::open(&args.file) {
        Ok(f) => f,
        Err(e) => {
            return exit::fail(exit::USAGE, format!("{}: {e}", args.file.display()));
        }
    };
    if args.script {
        return script(args, file);
    }
    use std::io::IsTerminal as _;
    if !args.no_tui && !args.output.json && !args.output.raw && std::io::stdout().is_terminal() {
        return replay_ui(args, file);
    }
    let mut printer = args.output.printer(args.events.clone());
    // --json passes every record through, the Engine.IO layer included.
    printer.frames |= printer.form == Form::Json;
    // One write per batch of lines, not per line; flushed before each message on stderr.
    let mut out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let read = read_records(args, file, |line| {
        let (text, record) = match line {
            Line::Record(text, record) => (text, record),
            Line::Bad => {
                let _ = out.flush();
                return ControlFlow::Continue(());
            }
        };
        let rendered = if printer.form == Form::Json {
            // Pass records through exactly as they were written.
            printer.render(record).map(|_| text.to_string())
        } else {
            printer.render(record)
        };
        match rendered {
            Some(line) if writeln!(out, "{line}").is_err() => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    });
    // A closed pipe ends printing quietly.
    let flushed = out.flush().is_ok();
    finish(args, read, flushed)
}

/// A line of the recording, for [`read_records`]'s caller.
enum Line<'a> {
    /// A record and the text it was read from.
    Record(&'a str, &'a Record),
    /// A line that is not a record: reported on stderr right after this.
    Bad,
}

/// Reads the recording line by line and hands each to `each` (which may stop
/// the reading); a line that is not a record is reported with its number and
/// the rest still read. Ok: how many lines were bad, or `None` when `each`
/// stopped; Err: the exit code of a failed read.
fn read_records(
    args: &ReplayArgs,
    file: std::fs::File,
    mut each: impl FnMut(Line<'_>) -> ControlFlow<()>,
) -> Result<Option<usize>, u8> {
    let mut bad = 0usize;
    for (i, line) in BufReader::new(file).split(b'\n').enumerate() {
        let number = i + 1;
        let bytes = match line {
            Ok(b) => b,
            Err(e) => {
                let _ = each(Line::Bad);
                return Err(exit::fail(
                    exit::FAILURE,
                    format!("{}: reading line {number}: {e}", args.file.display()),
                ));
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        let flow = match serde_json::from_str::<Record>(text) {
            Ok(record) => each(Line::Record(text, &record)),
            Err(e) => {
                bad += 1;
                let flow = each(Line::Bad);
                eprintln!("sio: {}:{number}: not a record ({e})", args.file.display());
                flow
            }
        };
        if flow.is_break() {
            return Ok(None);
        }
    }
    Ok(Some(bad))
}

/// The exit code once the recording was read (and the output `flushed`).
fn finish(args: &ReplayArgs, read: Result<Option<usize>, u8>, flushed: bool) -> u8 {
    match read {
        Err(code) => code,
        Ok(None) => exit::OK,
        Ok(Some(_)) if !flushed => exit::OK,
        Ok(Some(0)) => exit::OK,
        Ok(Some(bad)) => exit::fail(
            exit::FAILURE,
            format!("{}: {bad} line(s) are not records (listed above)", args.file.display()),
        ),
    }
}

/// Writes the `.sio` script of the recording on stdout; bad lines are reported
/// and skipped, as when printing.
fn script(args: &ReplayArgs, file: std::fs::File) -> u8 {
    let mut writer = crate::script::generate::ScriptWriter::new();
    writer.source = Some(args.file.display().to_string());
    let read = read_records(args, file, |line| {
        if let Line::Record(_, record) = line {
            writer.push(record);
        }
        ControlFlow::Continue(())
    });
    if read.is_err() {
        return finish(args, read, true);
    }
    let mut out = std::io::stdout().lock();
    let flushed = out
        .write_all(writer.finish().as_bytes())
        .and_then(|()| out.flush())
        .is_ok();
    finish(args, read, flushed)
}

/// Opens the recording in the terminal UI, read-only.
fn replay_ui(args: &ReplayArgs, file: std::fs::File) -> u8 {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut bad = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(&line) {
            Ok(r) => {
                let _ = tx.send(r);
            }
            Err(e) => bad.push(format!("line {}: {e}", i + 1)),
        }
    }
    drop(tx);
    let mut model = crate::tui::model::Model::new(&args.file.display().to_string(), usize::MAX, true);
    if !bad.is_empty() {
        model.message = Some((format!("{} bad line(s): {}", bad.len(), bad[0]), true));
    }
    match super::common::runtime() {
        Ok(rt) => rt.block_on(crate::tui::run(model, rx, crate::tui::Actor::None)),
        Err(code) => code,
    }
}
