//! `sio replay`: a recording printed as listen would, its statistics (`--stats`), or
//! a script of the session (`--script`).
//! A bad or truncated line is reported with its number and the rest still plays.

use std::io::{BufRead, BufReader, Write};

use super::exit;
use crate::cli::ReplayArgs;
use crate::output::printer::Form;
use crate::record::Record;

pub fn run(args: &ReplayArgs) -> u8 {
    let filter = match args.filter.parse() {
        Ok(f) => f,
        Err(code) => return code,
    };
    let file = match std::fs::File::open(&args.file) {
        Ok(f) => f,
        Err(e) => {
            return exit::fail(exit::USAGE, format!("{}: {e}", args.file.display()));
        }
    };
    use std::io::IsTerminal as _;
    if !args.no_tui
        && !args.stats
        && !args.script
        && !args.output.json
        && !args.output.raw
        && std::io::stdout().is_terminal()
    {
        return replay_ui(args, file, filter);
    }
    if args.stats {
        return stats(args, file, filter);
    }
    if args.script {
        return script(args, file, filter);
    }
    let mut printer = args.output.printer(args.events.clone()).with_filter(filter);
    // --json passes every record through, the Engine.IO layer included.
    printer.frames |= printer.form == Form::Json;
    // One write per batch of lines, not per line; flushed before each message on stderr.
    let mut out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let read = each_record(args, file, &mut out, |out, text, record| {
        let rendered = if printer.form == Form::Json {
            // Pass records through exactly as they were written.
            printer.render(&record).map(|_| text.to_string())
        } else {
            printer.render(&record)
        };
        match rendered {
            Some(line) => writeln!(out, "{line}").is_ok(),
            None => true,
        }
    });
    finish(args, read, out.flush())
}

/// `--stats`: the recording's statistics (of the records --filter matches).
fn stats(args: &ReplayArgs, file: std::fs::File, filter: crate::filter::Filter) -> u8 {
    let mut stats = crate::stats::Stats::new();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let read = each_record(args, file, &mut out, |_, _, record| {
        if filter.matches(&record) {
            stats.observe(&record);
        }
        true
    });
    let report = stats.report(None, args.sort);
    let written = if args.output.json {
        serde_json::to_string(&report)
            .map_err(std::io::Error::other)
            .and_then(|line| writeln!(out, "{line}"))
    } else {
        write!(out, "{}", crate::stats::render_text(&report))
    };
    finish(args, read, written.and_then(|()| out.flush()))
}

/// `--script`: a `.sio` script of what the session did (of the records --filter matches).
fn script(args: &ReplayArgs, file: std::fs::File, filter: crate::filter::Filter) -> u8 {
    let mut writer = crate::script::generate::ScriptWriter::new();
    writer.source = Some(args.file.display().to_string());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let read = each_record(args, file, &mut out, |_, _, record| {
        if filter.matches(&record) {
            writer.push(&record);
        }
        true
    });
    let written = out.write_all(writer.finish().as_bytes());
    finish(args, read, written.and_then(|()| out.flush()))
}

/// How reading went: lines that were not records, or the read error that stopped it.
type Read = Result<usize, u8>;

/// Calls `take` with each record of the file (and its line as written) until it returns
/// false (a closed pipe); a line that is not a record is reported on stderr, after
/// what `out` holds, and skipped.
fn each_record<W: Write>(
    args: &ReplayArgs,
    file: std::fs::File,
    out: &mut W,
    mut take: impl FnMut(&mut W, &str, Record) -> bool,
) -> Read {
    let mut bad = 0usize;
    for (i, line) in BufReader::new(file).split(b'\n').enumerate() {
        let number = i + 1;
        let bytes = match line {
            Ok(b) => b,
            Err(e) => {
                let _ = out.flush();
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
        let record: Record = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                bad += 1;
                let _ = out.flush();
                eprintln!("sio: {}:{number}: not a record ({e})", args.file.display());
                continue;
            }
        };
        if !take(out, text, record) {
            break;
        }
    }
    Ok(bad)
}

/// The exit code once everything was read and written.
fn finish(args: &ReplayArgs, read: Read, written: std::io::Result<()>) -> u8 {
    let bad = match read {
        Ok(bad) => bad,
        Err(code) => return code,
    };
    if written.is_err() {
        // A closed pipe ends printing quietly.
        return exit::OK;
    }
    if bad > 0 {
        return exit::fail(
            exit::FAILURE,
            format!("{}: {bad} line(s) are not records (listed above)", args.file.display()),
        );
    }
    exit::OK
}

/// Opens the recording in the terminal UI, read-only.
fn replay_ui(args: &ReplayArgs, file: std::fs::File, filter: crate::filter::Filter) -> u8 {
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
    model.set_filter(filter);
    if !bad.is_empty() {
        model.message = Some((format!("{} bad line(s): {}", bad.len(), bad[0]), true));
    }
    match super::common::runtime() {
        Ok(rt) => rt.block_on(crate::tui::run(model, rx, crate::tui::Actor::None)),
        Err(code) => code,
    }
}
