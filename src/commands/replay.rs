//! `sio replay`: a recording (NDJSON from `--record`, or a browser's HAR file)
//! printed as listen would, its statistics (`--stats`), a script of the session
//! (`--script`) or a diagram (`--format mermaid`). A bad or truncated line is
//! reported with its number and the rest still plays.

use std::io::Write;

use super::exit;
use crate::cli::{ReplayArgs, ReplayFormat};
use crate::filter::Filter;
use crate::output::mermaid::Diagram;
use crate::output::printer::Form;
use crate::output::recording::{self, Item, Source};
use crate::record::{Body, Record};

pub fn run(args: &ReplayArgs) -> u8 {
    let filter = match args.filter.parse() {
        Ok(f) => f,
        Err(code) => return code,
    };
    let source = match recording::open(&args.file) {
        Ok(s) => s,
        Err(e) => return exit::fail(if e.usage { exit::USAGE } else { exit::FAILURE }, e.message),
    };
    if args.format == Some(ReplayFormat::Mermaid) {
        return mermaid(args, source, &filter);
    }
    if args.script {
        return script(args, source, &filter);
    }
    if args.stats {
        return stats(args, source, &filter);
    }
    use std::io::IsTerminal as _;
    if !args.no_tui && !args.output.json && !args.output.raw && std::io::stdout().is_terminal() {
        return replay_ui(args, source, filter);
    }
    let mut printer = args.output.printer(args.events.clone()).with_filter(filter);
    // --json passes every record through, the Engine.IO layer included.
    printer.frames |= printer.form == Form::Json;
    // One write per batch of lines, not per line; flushed before each message on stderr.
    let mut out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let mut bad = 0usize;
    let mut malformed = 0usize;
    for item in source.items() {
        let (record, text) = match item {
            Ok(Item::Record(r, text)) => (r, text),
            Ok(Item::Bad(number, why)) => {
                bad += 1;
                let _ = out.flush();
                eprintln!("sio: {}:{number}: not a record ({why})", args.file.display());
                continue;
            }
            Err(why) => {
                let _ = out.flush();
                return exit::fail(exit::FAILURE, format!("{}: {why}", args.file.display()));
            }
        };
        malformed += usize::from(is_malformed_part(&record));
        let rendered = match text {
            // Pass records through exactly as they were written.
            Some(text) if printer.form == Form::Json => printer.render(&record).map(|_| text),
            _ => printer.render(&record),
        };
        if let Some(line) = rendered
            && writeln!(out, "{line}").is_err()
        {
            return exit::OK;
        }
    }
    if out.flush().is_err() {
        // A closed pipe ends printing quietly.
        return exit::OK;
    }
    finish(args, bad, malformed)
}

/// The exit code once everything was read: lines that were not records, parts of a HAR
/// that were malformed.
fn finish(args: &ReplayArgs, bad: usize, malformed: usize) -> u8 {
    if bad > 0 {
        return exit::fail(
            exit::FAILURE,
            format!("{}: {bad} line(s) are not records (listed above)", args.file.display()),
        );
    }
    if malformed > 0 {
        return exit::fail(
            exit::FAILURE,
            format!(
                "{}: {malformed} part(s) of the HAR are malformed (the \"har malformed\" records)",
                args.file.display()
            ),
        );
    }
    exit::OK
}

/// `--stats`: the recording's statistics (of the records --filter matches).
fn stats(args: &ReplayArgs, source: Source, filter: &Filter) -> u8 {
    let mut stats = crate::stats::Stats::new();
    let mut bad = 0usize;
    let mut malformed = 0usize;
    for item in source.items() {
        match item {
            Ok(Item::Record(record, _)) => {
                malformed += usize::from(is_malformed_part(&record));
                if filter.matches(&record) {
                    stats.observe(&record);
                }
            }
            Ok(Item::Bad(number, why)) => {
                bad += 1;
                eprintln!("sio: {}:{number}: not a record ({why})", args.file.display());
            }
            Err(why) => return exit::fail(exit::FAILURE, format!("{}: {why}", args.file.display())),
        }
    }
    let report = stats.report(None, args.sort);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if args.output.json {
        serde_json::to_string(&report)
            .map_err(std::io::Error::other)
            .and_then(|line| writeln!(out, "{line}"))
    } else {
        write!(out, "{}", crate::stats::render_text(&report))
    };
    if written.and_then(|()| out.flush()).is_err() {
        return exit::OK;
    }
    finish(args, bad, malformed)
}

fn is_malformed_part(record: &Record) -> bool {
    matches!(&record.body, Body::State(s) if s.state == "har malformed")
}

/// `--script`: a `.sio` script of what the session did (of the records --filter matches).
fn script(args: &ReplayArgs, source: Source, filter: &Filter) -> u8 {
    let mut writer = crate::script::generate::ScriptWriter::new();
    writer.source = Some(args.file.display().to_string());
    let mut bad = 0usize;
    let mut malformed = 0usize;
    for item in source.items() {
        match item {
            Ok(Item::Record(record, _)) => {
                malformed += usize::from(is_malformed_part(&record));
                if filter.matches(&record) {
                    writer.push(&record);
                }
            }
            Ok(Item::Bad(number, why)) => {
                bad += 1;
                eprintln!("sio: {}:{number}: not a record ({why})", args.file.display());
            }
            Err(why) => return exit::fail(exit::FAILURE, format!("{}: {why}", args.file.display())),
        }
    }
    let mut out = std::io::stdout().lock();
    if out
        .write_all(writer.finish().as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return exit::OK;
    }
    finish(args, bad, malformed)
}

/// The recording as a Mermaid sequenceDiagram, of the records `filter` lets through.
fn mermaid(args: &ReplayArgs, source: Source, filter: &Filter) -> u8 {
    let mut diagram = Diagram::new();
    let mut bad = 0usize;
    for item in source.items() {
        match item {
            Ok(Item::Record(record, _)) => {
                bad += usize::from(is_malformed_part(&record));
                if filter.matches(&record) {
                    diagram.push(&record);
                }
            }
            Ok(Item::Bad(number, why)) => {
                bad += 1;
                eprintln!("sio: {}:{number}: not a record ({why})", args.file.display());
            }
            Err(why) => return exit::fail(exit::FAILURE, format!("{}: {why}", args.file.display())),
        }
    }
    let mut out = std::io::stdout().lock();
    if out
        .write_all(diagram.finish().as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return exit::OK;
    }
    if bad > 0 {
        return exit::fail(
            exit::FAILURE,
            format!(
                "{}: {bad} line(s) or part(s) could not be read (listed above or in the diagram)",
                args.file.display()
            ),
        );
    }
    exit::OK
}

/// Opens the recording in the terminal UI, read-only.
fn replay_ui(args: &ReplayArgs, source: Source, filter: Filter) -> u8 {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Record>();
    let mut bad = Vec::new();
    for item in source.items() {
        match item {
            Ok(Item::Record(r, _)) => {
                let _ = tx.send(r);
            }
            Ok(Item::Bad(number, why)) => bad.push(format!("line {number}: {why}")),
            Err(why) => {
                bad.push(why);
                break;
            }
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
