//! The human form of an explained frame, as `sio decode` prints it.

use std::fmt::Write as _;

use colored::{ColoredString, Colorize};

use super::sanitize::sanitize;
use crate::explain::{Part, Tone};

/// Colours text by what it is about.
pub fn paint(text: &str, tone: Tone) -> ColoredString {
    match tone {
        Tone::Heartbeat => text.dimmed(),
        Tone::Event => text.cyan(),
        Tone::Ack => text.green(),
        Tone::Connect => text.blue(),
        Tone::Disconnect => text.yellow(),
        Tone::Error => text.red().bold(),
        Tone::Binary => text.magenta(),
        Tone::Transport => text.dimmed(),
        Tone::Plain => text.normal(),
    }
}

/// Longest text shown in the part column before it is cut.
const PART_WIDTH: usize = 40;

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// The frame, then one line per part (`text  label  meaning`), then the summary.
pub fn render(frame_line: &str, parts: &[Part], summary: &str, indent: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{indent}{}", sanitize(frame_line).bold());
    let texts: Vec<String> = parts.iter().map(|p| cut(&sanitize(&p.text), PART_WIDTH)).collect();
    let width = texts.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    for (p, text) in parts.iter().zip(&texts) {
        let pad = " ".repeat(width - text.chars().count());
        let label = format!("{:<11}", p.label);
        let meaning = sanitize(&p.meaning);
        let meaning = if p.tone == Tone::Error {
            paint(&format!("✗ {meaning}"), Tone::Error)
        } else {
            paint(&meaning, p.tone)
        };
        let _ = writeln!(
            out,
            "{indent}  {}{pad}  {}{meaning}",
            paint(text, p.tone),
            label.dimmed()
        );
    }
    if !summary.is_empty() {
        let _ = writeln!(out, "{indent}  {} {}", "=".dimmed(), sanitize(summary));
    }
    out
}
