//! `sio diff A B`: two recordings read (NDJSON or HAR), compared, and what
//! differs printed (human or `--json`). Exit 0 equal, 1 different, 2 bad input.

use std::io::Write;

use serde_json::{Value, json};

use super::exit;
use crate::cli::DiffArgs;
use crate::diff::{self, Change, Options, Step, Stepper};
use crate::output::recording::{self, Item};
use crate::output::sanitize::sanitize;

/// The widest a step is shown in the human form.
const SHOWN: usize = 160;

pub fn run(args: &DiffArgs) -> u8 {
    let options = Options {
        eio: args.eio,
        ignore: args.ignore.clone(),
    };
    let (a, b) = match (steps(&args.a, &options), steps(&args.b, &options)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(why), _) | (_, Err(why)) => return exit::fail(exit::USAGE, why),
    };
    let report = diff::compare_steps(&a, &b);
    let mut out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let printed = if args.json {
        print_json(&mut out, &report, args)
    } else {
        print_human(&mut out, &report, args)
    };
    if printed.and_then(|()| out.flush()).is_err() {
        // A closed pipe ends printing quietly; the verdict still stands.
    }
    if report.changes.is_empty() {
        exit::OK
    } else {
        exit::fail(
            exit::FAILURE,
            format!(
                "the recordings differ: {} ({} and {} steps)",
                report.tally(),
                report.a_steps,
                report.b_steps
            ),
        )
    }
}

/// The steps of the recording at `path`, read record by record (none is kept).
fn steps(path: &std::path::Path, options: &Options) -> Result<Vec<Vec<Step>>, String> {
    let source = recording::open(path).map_err(|e| e.message)?;
    let mut stepper = Stepper::new(options);
    let mut count = 0usize;
    for item in source.items() {
        match item {
            Ok(Item::Record(record, _)) => {
                count += 1;
                if count > recording::MAX_RECORDS {
                    return Err(format!(
                        "{}: more than {} records",
                        path.display(),
                        recording::MAX_RECORDS
                    ));
                }
                stepper.push(&record);
            }
            Ok(Item::Bad(line, why)) => {
                return Err(format!("{}: line {line} is not a record: {why}", path.display()));
            }
            Err(why) => return Err(format!("{}: {why}", path.display())),
        }
    }
    Ok(stepper.finish())
}

/// `A#12` or `A#12 (sid)` when the recording names its connections.
fn place(side: &str, step: &Step) -> String {
    match &step.conn {
        Some(conn) => format!("{side}#{} ({})", step.seq, sanitize(conn)),
        None => format!("{side}#{}", step.seq),
    }
}

/// A step in one line: `out EVENT /admin "chat" (ack) ["hi"]`.
fn describe(step: &Step) -> String {
    let v = &step.value();
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut s = format!("{:<3} ", text("dir"));
    if v.get("layer").is_some() {
        s.push_str(&format!("engine.io {}", text("type")));
    } else if v.get("malformed").is_some() {
        s.push_str(&format!("malformed: {}", text("malformed")));
    } else {
        s.push_str(&text("type"));
    }
    let nsp = text("nsp");
    if !nsp.is_empty() && nsp != "/" {
        s.push_str(&format!(" {nsp}"));
    }
    if let Some(event) = v.get("event") {
        s.push_str(&format!(" {event}"));
    }
    if v.get("ack").is_some() {
        s.push_str(" (ack)");
    }
    for field in ["data", "handshake", "attachments"] {
        if let Some(d) = v.get(field) {
            s.push_str(&format!(" {d}"));
        }
    }
    shorten(&sanitize(&s), SHOWN)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn shown(v: &Option<Value>) -> String {
    v.as_ref()
        .map_or_else(|| "(none)".to_string(), |v| shorten(&sanitize(&v.to_string()), 60))
}

fn print_human(out: &mut dyn Write, report: &diff::Report, args: &DiffArgs) -> std::io::Result<()> {
    for change in &report.changes {
        match change {
            Change::Added { b } => writeln!(out, "+ added      {:<14} {}", place("B", b), describe(b))?,
            Change::Missing { a } => writeln!(out, "- missing    {:<14} {}", place("A", a), describe(a))?,
            Change::Reordered { a, b } => writeln!(
                out,
                "↕ reordered  {} → {}  {}",
                place("A", a),
                place("B", b),
                describe(a)
            )?,
            Change::Changed { a, b, paths } => {
                writeln!(
                    out,
                    "~ changed    {} → {}  {}",
                    place("A", a),
                    place("B", b),
                    describe(a)
                )?;
                for (path, x, y) in paths {
                    writeln!(out, "               {}: {} → {}", sanitize(path), shown(x), shown(y))?;
                }
            }
        }
    }
    let sides = format!(
        "{} ({} steps, {} connection(s)) and {} ({} steps, {} connection(s))",
        args.a.display(),
        report.a_steps,
        report.a_conns,
        args.b.display(),
        report.b_steps,
        report.b_conns
    );
    if report.changes.is_empty() {
        writeln!(out, "equal: {sides}")?;
    } else {
        writeln!(out, "{}: {sides}", report.tally())?;
    }
    if report.approximate {
        writeln!(
            out,
            "(the alignment stopped searching after {} s: some steps may be named that a closer look would align)",
            diff::DEADLINE.as_secs()
        )?;
    }
    Ok(())
}

fn side(step: &Step) -> Value {
    json!({"seq": step.seq, "conn": step.conn, "step": step.value()})
}

fn print_json(out: &mut dyn Write, report: &diff::Report, args: &DiffArgs) -> std::io::Result<()> {
    for change in &report.changes {
        let line = match change {
            Change::Added { b } => json!({"change": "added", "b": side(b)}),
            Change::Missing { a } => json!({"change": "missing", "a": side(a)}),
            Change::Reordered { a, b } => json!({"change": "reordered", "a": side(a), "b": side(b)}),
            Change::Changed { a, b, paths } => {
                let paths: Vec<Value> = paths
                    .iter()
                    .map(|(p, x, y)| json!({"path": p, "a": x, "b": y}))
                    .collect();
                json!({"change": "changed", "a": side(a), "b": side(b), "paths": paths})
            }
        };
        writeln!(out, "{line}")?;
    }
    let summary = json!({"summary": {
        "equal": report.changes.is_empty(),
        "a": {"file": args.a.display().to_string(), "steps": report.a_steps, "connections": report.a_conns},
        "b": {"file": args.b.display().to_string(), "steps": report.b_steps, "connections": report.b_conns},
        "added": report.count("added"),
        "missing": report.count("missing"),
        "reordered": report.count("reordered"),
        "changed": report.count("changed"),
        "approximate": report.approximate,
    }});
    writeln!(out, "{summary}")
}
