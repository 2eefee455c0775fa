//! The tap's own commands, acting on a session from the middle. One parser for
//! the lines typed on stdin (`--no-tui`) and on the TUI's command line.

use std::time::Duration;

use crate::cli::parse_duration;
use crate::record::Direction;

pub const USAGE: &str = "commands: cut [SID] | delay [SID] in|out DUR (0 ends the delay)";

/// The command words, for completion.
pub const COMMANDS: &[&str] = &["cut", "delay"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TapCommand {
    /// Cut the session's transports: its client should reconnect.
    Cut { sid: String },
    /// Hold every frame one way of the session by `by` (zero ends the delay).
    Delay { sid: String, dir: Direction, by: Duration },
}

/// One line: `Ok(None)` for a blank line. `shown` is the session the user is looking
/// at (the TUI's one-session view), used when the line names none.
pub fn parse(line: &str, shown: Option<&str>) -> Result<Option<TapCommand>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let sid = |given: Option<&&str>| -> Result<String, String> {
        match (given, shown) {
            (Some(s), _) => Ok((*s).to_string()),
            (None, Some(s)) => Ok(s.to_string()),
            (None, None) => Err(format!("name the session's sid (or show one session first); {USAGE}")),
        }
    };
    match words.as_slice() {
        [] => Ok(None),
        ["cut"] => Ok(Some(TapCommand::Cut { sid: sid(None)? })),
        ["cut", s] => Ok(Some(TapCommand::Cut { sid: sid(Some(s))? })),
        ["delay", rest @ ..] if (2..=3).contains(&rest.len()) => {
            let (given, way, duration) = match rest {
                [way, duration] => (None, way, duration),
                [s, way, duration] => (Some(s), way, duration),
                _ => unreachable!("two or three words"),
            };
            let dir = match *way {
                "in" => Direction::In,
                "out" => Direction::Out,
                other => return Err(format!("delay: {other:?} is not in or out; {USAGE}")),
            };
            let by = parse_duration(duration).map_err(|e| format!("delay: {e}"))?;
            Ok(Some(TapCommand::Delay {
                sid: sid(given)?,
                dir,
                by,
            }))
        }
        _ => Err(format!("{line:?} is not a tap command; {USAGE}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_commands() {
        assert_eq!(parse("  ", None), Ok(None));
        assert_eq!(parse("cut abc", None), Ok(Some(TapCommand::Cut { sid: "abc".into() })));
        assert_eq!(
            parse("cut", Some("shown")),
            Ok(Some(TapCommand::Cut { sid: "shown".into() }))
        );
        assert_eq!(
            parse("delay abc in 2s", None),
            Ok(Some(TapCommand::Delay {
                sid: "abc".into(),
                dir: Direction::In,
                by: Duration::from_secs(2)
            }))
        );
        assert_eq!(
            parse("delay out 0", Some("s")),
            Ok(Some(TapCommand::Delay {
                sid: "s".into(),
                dir: Direction::Out,
                by: Duration::ZERO
            }))
        );
    }

    #[test]
    fn bad_lines_say_why() {
        for (line, why) in [
            ("cut", "name the session"),
            ("delay abc up 2s", "not in or out"),
            ("delay abc in soon", "delay:"),
            ("emit x", "not a tap command"),
            ("cut a b", "not a tap command"),
        ] {
            let err = parse(line, None).expect_err(line);
            assert!(err.contains(why), "{line}: {err}");
        }
    }
}
