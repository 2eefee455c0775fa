//! Text → steps. One command per line; `#` starts a comment; arguments are JSON
//! values, bare words are strings, `hex:…`/`base64:…` words are binary.
//! Parsing is separate from running, so a script with a typo fails before it
//! connects.

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::cli::parse_duration;

/// One argument of an emit or ack.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Json(Value),
    Binary(Vec<u8>),
}

/// One command of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Emit {
        event: String,
        args: Vec<Arg>,
        /// Some: wait this long for the ack.
        ack: Option<Duration>,
    },
    Join {
        nsp: String,
        auth: Option<Value>,
    },
    Leave {
        nsp: String,
    },
    Use {
        nsp: String,
    },
    Expect {
        event: String,
        /// The first argument must contain this JSON (objects by subset).
        subset: Option<Value>,
        within: Duration,
    },
    Ack {
        id: u64,
        args: Vec<Arg>,
    },
    SendText(String),
    SendBinary(Vec<u8>),
    Sleep(Duration),
    Disconnect,
    Reconnect,
    Print(String),
}

/// A step with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub number: usize,
    pub text: String,
    pub step: Step,
}

/// What is wrong with a line, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Default wait for `emit … --ack` without a time.
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(5);
/// Default wait for `expect` without `--within`.
pub const DEFAULT_EXPECT_WITHIN: Duration = Duration::from_secs(5);

/// The command names, for help and completion.
pub const COMMANDS: [&str; 12] = [
    "emit",
    "join",
    "leave",
    "use",
    "expect",
    "ack",
    "send",
    "sleep",
    "disconnect",
    "reconnect",
    "print",
    "#",
];

/// Parses a whole script; every bad line is reported.
pub fn parse_script(text: &str) -> Result<Vec<Line>, Vec<ParseError>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        match parse_line(raw, i + 1) {
            Ok(Some(step)) => lines.push(Line {
                number: i + 1,
                text: raw.trim().to_string(),
                step,
            }),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

/// A token and the byte where it starts.
#[derive(Debug)]
struct Token {
    at: usize,
    kind: TokenKind,
}

#[derive(Debug)]
enum TokenKind {
    Word(String),
    Json(Value),
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, at: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line,
            column: self.text[..at.min(self.text.len())].chars().count() + 1,
            message: message.into(),
        }
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.text[self.pos..].chars().next() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_space();
        self.pos >= self.text.len() || self.text[self.pos..].starts_with('#')
    }

    /// The rest of the line, trimmed (for `send` and `print`).
    fn rest(&mut self) -> &'a str {
        self.skip_space();
        let rest = &self.text[self.pos..];
        self.pos = self.text.len();
        rest.trim_end()
    }

    fn next(&mut self) -> Result<Option<Token>, ParseError> {
        if self.at_end() {
            return Ok(None);
        }
        let at = self.pos;
        let rest = &self.text[at..];
        let first = rest.chars().next().unwrap_or(' ');
        if matches!(first, '{' | '[' | '"') {
            let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            return match stream.next() {
                Some(Ok(v)) => {
                    self.pos = at + stream.byte_offset();
                    Ok(Some(Token {
                        at,
                        kind: TokenKind::Json(v),
                    }))
                }
                Some(Err(e)) => {
                    let message = e.to_string();
                    let message = message.split(" at line ").next().unwrap_or(&message).to_string();
                    Err(self.error(at + e.column().saturating_sub(1), format!("invalid JSON: {message}")))
                }
                None => Err(self.error(at, "expected a value")),
            };
        }
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..len];
        self.pos = at + len;
        Ok(Some(Token {
            at,
            kind: TokenKind::Word(word.to_string()),
        }))
    }
}

/// A bare word as a value: numbers, true/false/null as JSON, anything else a string.
fn word_value(word: &str) -> Value {
    match serde_json::from_str::<Value>(word) {
        Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => v,
        _ => Value::String(word.to_string()),
    }
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return Err("odd number of hex digits".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| format!("{:?} is not hex", &s[i..i + 2])))
        .collect()
}

impl Cursor<'_> {
    fn arg(&self, token: Token) -> Result<Arg, ParseError> {
        match token.kind {
            TokenKind::Json(v) => Ok(Arg::Json(v)),
            TokenKind::Word(w) => {
                if let Some(hex) = w.strip_prefix("hex:") {
                    decode_hex(hex).map(Arg::Binary).map_err(|e| self.error(token.at, e))
                } else if let Some(b64) = w.strip_prefix("base64:") {
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .map(Arg::Binary)
                        .map_err(|e| self.error(token.at, format!("invalid base64: {e}")))
                } else {
                    Ok(Arg::Json(word_value(&w)))
                }
            }
        }
    }

    fn word(&mut self, what: &str) -> Result<(usize, String), ParseError> {
        let end = self.text.len();
        match self.next()? {
            Some(Token {
                at,
                kind: TokenKind::Word(w),
            }) => Ok((at, w)),
            Some(Token {
                at,
                kind: TokenKind::Json(Value::String(s)),
            }) => Ok((at, s)),
            Some(t) => Err(self.error(t.at, format!("expected {what}"))),
            None => Err(self.error(end, format!("expected {what}"))),
        }
    }

    fn duration(&mut self, what: &str) -> Result<Duration, ParseError> {
        let (at, w) = self.word(what)?;
        parse_duration(&w).map_err(|e| self.error(at, e))
    }

    fn no_more(&mut self) -> Result<(), ParseError> {
        match self.next()? {
            None => Ok(()),
            Some(t) => Err(self.error(t.at, "unexpected extra argument")),
        }
    }
}

/// Parses one line; `Ok(None)` for blank lines and comments.
pub fn parse_line(text: &str, line: usize) -> Result<Option<Step>, ParseError> {
    let mut c = Cursor { text, pos: 0, line };
    if c.at_end() {
        return Ok(None);
    }
    let (at, command) = c.word("a command")?;
    let step = match command.as_str() {
        "emit" => {
            let (_, event) = c.word("an event name after emit")?;
            let mut args = Vec::new();
            let mut ack = None;
            while let Some(token) = c.next()? {
                if matches!(&token.kind, TokenKind::Word(w) if w == "--ack") {
                    let save = c.pos;
                    ack = Some(match c.next()? {
                        None => DEFAULT_ACK_TIMEOUT,
                        Some(Token {
                            at,
                            kind: TokenKind::Word(w),
                        }) => parse_duration(&w).map_err(|e| c.error(at, e))?,
                        Some(t) => {
                            c.pos = save;
                            return Err(c.error(t.at, "expected a time after --ack, e.g. --ack 5s"));
                        }
                    });
                    c.no_more()?;
                    break;
                }
                args.push(c.arg(token)?);
            }
            Step::Emit { event, args, ack }
        }
        "join" => {
            let (_, nsp) = c.word("a namespace after join")?;
            let auth = match c.next()? {
                None => None,
                Some(Token {
                    kind: TokenKind::Json(v),
                    ..
                }) => Some(v),
                Some(t) => return Err(c.error(t.at, "expected the auth payload as JSON, e.g. {\"token\":\"x\"}")),
            };
            c.no_more()?;
            Step::Join {
                nsp: crate::engine::normalise_namespace(&nsp),
                auth,
            }
        }
        "leave" | "use" => {
            let (_, nsp) = c.word(&format!("a namespace after {command}"))?;
            c.no_more()?;
            let nsp = crate::engine::normalise_namespace(&nsp);
            if command == "leave" {
                Step::Leave { nsp }
            } else {
                Step::Use { nsp }
            }
        }
        "expect" => {
            let (_, event) = c.word("an event name after expect")?;
            let mut subset = None;
            let mut within = DEFAULT_EXPECT_WITHIN;
            while let Some(token) = c.next()? {
                match token.kind {
                    TokenKind::Word(w) if w == "--within" => within = c.duration("a time after --within")?,
                    kind if subset.is_none() => {
                        subset = Some(match kind {
                            TokenKind::Json(v) => v,
                            TokenKind::Word(w) => word_value(&w),
                        })
                    }
                    _ => return Err(c.error(token.at, "unexpected extra argument")),
                }
            }
            Step::Expect { event, subset, within }
        }
        "ack" => {
            let (id_at, id) = c.word("an ack id after ack")?;
            let id = id
                .parse::<u64>()
                .map_err(|_| c.error(id_at, format!("{id:?} is not an ack id (a whole number)")))?;
            let mut args = Vec::new();
            while let Some(token) = c.next()? {
                args.push(c.arg(token)?);
            }
            Step::Ack { id, args }
        }
        "send" => {
            let save = c.pos;
            match c.next()? {
                Some(Token {
                    kind: TokenKind::Word(w),
                    ..
                }) if w == "--hex" => {
                    let (at, hex) = c.word("hex bytes after --hex")?;
                    let bytes = decode_hex(&hex).map_err(|e| c.error(at, e))?;
                    c.no_more()?;
                    Step::SendBinary(bytes)
                }
                Some(_) => {
                    c.pos = save;
                    Step::SendText(c.rest().to_string())
                }
                None => return Err(c.error(text.len(), "expected a frame after send, e.g. send 42[\"x\"]")),
            }
        }
        "sleep" => {
            let d = c.duration("a time after sleep, e.g. sleep 500ms")?;
            c.no_more()?;
            Step::Sleep(d)
        }
        "disconnect" => {
            c.no_more()?;
            Step::Disconnect
        }
        "reconnect" => {
            c.no_more()?;
            Step::Reconnect
        }
        "print" => Step::Print(c.rest().to_string()),
        other => {
            return Err(c.error(
                at,
                format!("unknown command {other:?} (expected one of emit, join, leave, use, expect, ack, send, sleep, disconnect, reconnect, print)"),
            ));
        }
    };
    Ok(Some(step))
}

/// One command-line argument (already split by the shell) as an argument:
/// JSON when it parses as JSON, binary with `hex:`/`base64:`, else the whole string.
pub fn arg_from_cli(s: &str) -> Result<Arg, String> {
    if let Some(hex) = s.strip_prefix("hex:") {
        return decode_hex(hex).map(Arg::Binary).map_err(|e| format!("{s:?}: {e}"));
    }
    if let Some(b64) = s.strip_prefix("base64:") {
        return base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map(Arg::Binary)
            .map_err(|e| format!("{s:?}: invalid base64: {e}"));
    }
    let trimmed = s.trim_start();
    if trimmed.starts_with(['{', '[', '"']) {
        return serde_json::from_str(s)
            .map(Arg::Json)
            .map_err(|e| format!("{s:?} is not valid JSON: {e}"));
    }
    Ok(Arg::Json(word_value(s)))
}

/// Whether `actual` contains `expected`: objects by subset, arrays and scalars by equality.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        (a, e) => a == e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(s: &str) -> Step {
        parse_line(s, 1).expect("parses").expect("a step")
    }

    fn err(s: &str) -> String {
        parse_line(s, 3).expect_err("fails").to_string()
    }

    #[test]
    fn emit_with_json_words_binary_and_ack() {
        assert_eq!(
            one(r#"emit chat {"text": "hi there"} 42 hello true hex:0102 --ack 2s"#),
            Step::Emit {
                event: "chat".into(),
                args: vec![
                    Arg::Json(json!({"text": "hi there"})),
                    Arg::Json(json!(42)),
                    Arg::Json(json!("hello")),
                    Arg::Json(json!(true)),
                    Arg::Binary(vec![1, 2]),
                ],
                ack: Some(Duration::from_secs(2)),
            }
        );
        assert_eq!(
            one("emit ping --ack"),
            Step::Emit {
                event: "ping".into(),
                args: vec![],
                ack: Some(DEFAULT_ACK_TIMEOUT)
            }
        );
    }

    #[test]
    fn other_commands() {
        assert_eq!(
            one(r#"join admin {"token":"x"}"#),
            Step::Join {
                nsp: "/admin".into(),
                auth: Some(json!({"token":"x"}))
            }
        );
        assert_eq!(
            one(r#"expect welcome "hi" --within 1s"#),
            Step::Expect {
                event: "welcome".into(),
                subset: Some(json!("hi")),
                within: Duration::from_secs(1)
            }
        );
        assert_eq!(one("send 42[\"x\"]  "), Step::SendText("42[\"x\"]".into()));
        assert_eq!(one("send --hex 0102"), Step::SendBinary(vec![1, 2]));
        assert_eq!(
            one("ack 3 ok"),
            Step::Ack {
                id: 3,
                args: vec![Arg::Json(json!("ok"))]
            }
        );
        assert_eq!(one("  print hello  world "), Step::Print("hello  world".into()));
        assert_eq!(parse_line("  # just a comment", 1), Ok(None));
        assert_eq!(one("leave /admin # gone"), Step::Leave { nsp: "/admin".into() });
    }

    #[test]
    fn errors_name_line_column_and_what_was_expected() {
        assert_eq!(
            err("emti x"),
            "line 3, column 1: unknown command \"emti\" (expected one of emit, join, leave, use, expect, ack, send, sleep, disconnect, reconnect, print)"
        );
        assert_eq!(err("emit"), "line 3, column 5: expected an event name after emit");
        assert_eq!(
            err(r#"emit x {"a":}"#),
            "line 3, column 13: invalid JSON: expected value"
        );
        assert_eq!(
            err("sleep soon"),
            "line 3, column 7: \"soon\" is not a duration like 20s or 500ms"
        );
        assert_eq!(
            err("ack x"),
            "line 3, column 5: \"x\" is not an ack id (a whole number)"
        );
        assert_eq!(err("emit x hex:0"), "line 3, column 8: odd number of hex digits");
        assert_eq!(err("disconnect now"), "line 3, column 12: unexpected extra argument");
    }

    #[test]
    fn whole_scripts_report_every_bad_line() {
        let errors = parse_script("emit a\nbogus\njoin\n").expect_err("two errors");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, 2);
        assert_eq!(errors[1].line, 3);
    }

    #[test]
    fn subset_matching() {
        assert!(contains(
            &json!({"a": 1, "b": {"c": 2, "d": 3}}),
            &json!({"b": {"c": 2}})
        ));
        assert!(!contains(&json!({"a": 1}), &json!({"a": 2})));
        assert!(contains(&json!("hi"), &json!("hi")));
    }
}
