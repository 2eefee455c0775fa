//! Text → steps. One command per line; `#` starts a comment; arguments are JSON
//! values, bare words are strings, `hex:…`/`base64:…` words are binary.
//! Parsing is separate from running, so a script with a typo fails before it
//! connects.
//!
//! A line may start with the clients that run it, `bob: emit x` or
//! `a,b: expect y`; without one it is the default client's (`main`, the
//! connection from the command line).

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::cli::parse_duration;
use crate::engine::TransportMode;

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
    /// Answers the newest ack request of this event that came on the namespace and
    /// was not answered yet (its id differs from run to run).
    AckEvent {
        event: String,
        args: Vec<Arg>,
    },
    SendText(String),
    SendBinary(Vec<u8>),
    Sleep(Duration),
    Disconnect,
    Reconnect,
    Print(String),
    /// Fails if a matching event that no `expect` took is there, or arrives within `within`.
    ExpectNone {
        event: String,
        subset: Option<Value>,
        within: Duration,
    },
    /// Opens another connection, with the command line's options except these.
    Client {
        name: String,
        options: Box<ClientOptions>,
    },
    /// Opens the admin connection ([`ADMIN`]): the server's own view, for `expect-admin`.
    Admin(Box<AdminLine>),
    /// Waits until the server's admin view shows this fact about the client's socket on
    /// its namespace (or the socket `socket` names).
    ExpectAdmin {
        fact: AdminFact,
        socket: Option<String>,
        within: Duration,
    },
}

/// What an `admin` line sets; the rest comes from the command line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdminLine {
    /// The admin namespace (default `/admin`).
    pub nsp: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub auth: Option<Value>,
}

/// A fact about one socket, as an instrumented server reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminFact {
    /// The socket is in the room.
    In(String),
    /// The socket is listed (or gone) and not in the room.
    NotIn(String),
    /// The server lists the socket.
    Connected,
    /// The server no longer lists the socket.
    Gone,
    /// The server received (`received`) this event from the socket, or sent it to the
    /// socket; the JSON matches the first argument. Each event is taken once.
    Event {
        received: bool,
        event: String,
        subset: Option<Value>,
    },
}

/// What a `client` line sets for its connection; the rest comes from the command line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientOptions {
    pub auth: Option<Value>,
    /// Each replaces the command line's parameter of the same name, or adds one.
    pub query: Vec<(String, String)>,
    /// Each replaces the command line's header of the same name (any case), or adds one.
    pub headers: Vec<(String, String)>,
    /// Each cookie replaces the command line's cookie of the same name, or adds one.
    pub cookies: Vec<String>,
    /// When given, the namespaces joined at start instead of the command line's.
    pub namespaces: Vec<String>,
    pub transport: Option<TransportMode>,
}

/// A step and the clients that run it; no clients: the default one.
#[derive(Clone, Debug, PartialEq)]
pub struct Addressed {
    pub clients: Vec<String>,
    pub step: Step,
    /// Where the command starts in the line, after the clients' prefix.
    pub command_at: usize,
}

/// A step with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub number: usize,
    /// The whole line, trimmed.
    pub text: String,
    /// The command without the clients' prefix.
    pub command: String,
    /// The clients named in the prefix; empty: `main`.
    pub clients: Vec<String>,
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
pub const COMMANDS: [&str; 16] = [
    "emit",
    "join",
    "leave",
    "use",
    "expect",
    "expect-none",
    "ack",
    "send",
    "sleep",
    "disconnect",
    "reconnect",
    "print",
    "client",
    "admin",
    "expect-admin",
    "#",
];

/// The connection from the command line, as a client name.
pub const MAIN: &str = "main";

/// The admin connection's name (in records' `conn`); no client can take it once an
/// `admin` line opened it.
pub const ADMIN: &str = "admin";

/// Default wait for `expect-admin` without `--within`.
pub const DEFAULT_EXPECT_ADMIN_WITHIN: Duration = Duration::from_secs(5);

/// Longest client name.
pub const MAX_CLIENT_NAME: usize = 32;

/// Whether `name` can name a client: a short identifier of letters, digits, `_` and `-`.
pub fn check_client_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a client name cannot be empty".into());
    }
    if name.len() > MAX_CLIENT_NAME {
        return Err(format!(
            "client name {name:?} is longer than {MAX_CLIENT_NAME} characters"
        ));
    }
    if let Some(bad) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(format!(
            "client name {name:?} has {bad:?}: use letters, digits, _ and -"
        ));
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Parses a whole script; every bad line is reported. Client names are checked
/// across lines: a prefix names a client a `client` line opened above it (or
/// `main`), and no name is opened twice.
pub fn parse_script(text: &str) -> Result<Vec<Line>, Vec<ParseError>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    // Each client and the line that opened it (0: the command line).
    let mut opened: Vec<(String, usize)> = vec![(MAIN.to_string(), 0)];
    // The line that opened the admin connection.
    let mut admin_at: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let (addressed, names_at) = match parse_addressed(raw, number) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => continue,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let cursor = Cursor {
            text: raw,
            pos: 0,
            line: number,
        };
        for (name, at) in addressed.clients.iter().zip(&names_at) {
            if let (Some(line), true) = (admin_at, name == ADMIN) {
                errors.push(cursor.error(
                    *at,
                    format!("{ADMIN:?} is the admin connection (line {line}): it runs no commands; `expect-admin` lines check the clients' sockets"),
                ));
            } else if !opened.iter().any(|(n, _)| n == name) {
                errors.push(cursor.error(
                    *at,
                    format!("no client {name:?} is open here: open it above with `client {name}`"),
                ));
            }
        }
        match &addressed.step {
            Step::Client { name, .. } => match opened.iter().find(|(n, _)| n == name) {
                Some((_, line)) if admin_at == Some(*line) => errors.push(cursor.error(
                    addressed.command_at,
                    format!("{ADMIN:?} is the admin connection (line {line}): pick another name"),
                )),
                Some((_, line)) => errors.push(cursor.error(
                    addressed.command_at,
                    format!("client {name:?} is already open (line {line})"),
                )),
                None => opened.push((name.clone(), number)),
            },
            Step::Admin(_) => match (admin_at, opened.iter().find(|(n, _)| n == ADMIN)) {
                (Some(line), _) => errors.push(cursor.error(
                    addressed.command_at,
                    format!("the admin connection is already open (line {line})"),
                )),
                (None, Some((_, line))) => errors.push(cursor.error(
                    addressed.command_at,
                    format!("the admin connection is named {ADMIN:?}, and client {ADMIN:?} is open (line {line}): rename the client"),
                )),
                (None, None) => {
                    admin_at = Some(number);
                    opened.push((ADMIN.to_string(), number));
                }
            },
            Step::ExpectAdmin { .. } if admin_at.is_none() => errors.push(cursor.error(
                addressed.command_at,
                "no admin connection is open here: open it above with `admin` (options: --namespace, --user, --password, --auth)",
            )),
            _ => {}
        }
        lines.push(Line {
            number,
            text: raw.trim().to_string(),
            command: raw[addressed.command_at..].trim().to_string(),
            clients: addressed.clients,
            step: addressed.step,
        });
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

    /// A value that may be quoted shell-style, `'Name: value'`, besides a word or a JSON string.
    fn quoted_or_word(&mut self, what: &str) -> Result<(usize, String), ParseError> {
        self.skip_space();
        let at = self.pos;
        let Some(inner) = self.text[at..].strip_prefix('\'') else {
            return self.word(what);
        };
        match inner.find('\'') {
            Some(end) => {
                self.pos = at + 1 + end + 1;
                Ok((at, inner[..end].to_string()))
            }
            None => Err(self.error(at, format!("{what}: the quote is not closed"))),
        }
    }

    fn no_more(&mut self) -> Result<(), ParseError> {
        match self.next()? {
            None => Ok(()),
            Some(t) => Err(self.error(t.at, "unexpected extra argument")),
        }
    }
}

/// Parses one line; `Ok(None)` for blank lines and comments. Whether the
/// clients it names exist is for the caller to check.
pub fn parse_line(text: &str, line: usize) -> Result<Option<Addressed>, ParseError> {
    Ok(parse_addressed(text, line)?.map(|(addressed, _)| addressed))
}

/// The clients' prefix of a line, `a,b:`.
struct Prefix {
    /// Each name and the byte where it starts.
    names: Vec<(String, usize)>,
    /// The byte after the `:`.
    after: usize,
}

/// The clients' prefix when the line starts with one. A line whose text before
/// its first `:` is not a list of names has none (`print at 10: ok`).
fn clients_prefix(c: &Cursor<'_>) -> Result<Option<Prefix>, ParseError> {
    let text = c.text;
    let Some(colon) = text.find(':') else {
        return Ok(None);
    };
    let head = &text[..colon];
    if !head
        .chars()
        .all(|ch| is_name_char(ch) || ch == ',' || ch.is_whitespace())
    {
        return Ok(None);
    }
    let mut names = Vec::new();
    let mut start = 0;
    for part in head.split(',') {
        let name = part.trim();
        let at = start + (part.len() - part.trim_start().len());
        start += part.len() + 1;
        if name.chars().any(char::is_whitespace) {
            return Ok(None);
        }
        if name.is_empty() {
            return Err(c.error(at, "an empty client name before ':' (e.g. a,b: emit x)"));
        }
        check_client_name(name).map_err(|e| c.error(at, e))?;
        if names.iter().any(|(n, _)| n == name) {
            return Err(c.error(at, format!("client {name:?} is named twice")));
        }
        names.push((name.to_string(), at));
    }
    Ok(Some(Prefix {
        names,
        after: colon + 1,
    }))
}

fn parse_addressed(text: &str, line: usize) -> Result<Option<(Addressed, Vec<usize>)>, ParseError> {
    let mut c = Cursor { text, pos: 0, line };
    if c.at_end() {
        return Ok(None);
    }
    let (clients, names_at) = match clients_prefix(&c)? {
        Some(Prefix { names, after }) => {
            c.pos = after;
            if c.at_end() {
                return Err(c.error(after, "expected a command after the clients' names"));
            }
            names.into_iter().unzip()
        }
        None => (Vec::new(), Vec::new()),
    };
    c.skip_space();
    let command_at = c.pos;
    let step = parse_step(&mut c)?;
    if matches!(step, Step::Client { .. }) && !clients.is_empty() {
        return Err(c.error(0, "`client` opens a connection of its own: it takes no clients' prefix"));
    }
    if matches!(step, Step::Admin(_)) && !clients.is_empty() {
        return Err(c.error(0, "`admin` opens the admin connection: it takes no clients' prefix"));
    }
    Ok(Some((
        Addressed {
            clients,
            step,
            command_at,
        },
        names_at,
    )))
}

fn parse_step(c: &mut Cursor<'_>) -> Result<Step, ParseError> {
    let text = c.text;
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
            let (event, subset, within) = event_and_subset(c, "expect", "--within")?;
            Step::Expect {
                event,
                subset,
                within: within.unwrap_or(DEFAULT_EXPECT_WITHIN),
            }
        }
        "ack" => {
            let (_, target) = c.word("an ack id or an event name after ack")?;
            let mut args = Vec::new();
            while let Some(token) = c.next()? {
                args.push(c.arg(token)?);
            }
            // A whole number is an ack id; anything else names the event that asked.
            match target.parse::<u64>() {
                Ok(id) => Step::Ack { id, args },
                Err(_) => Step::AckEvent { event: target, args },
            }
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
        "expect-none" => {
            let (event, subset, within) = event_and_subset(c, "expect-none", "--for")?;
            let Some(within) = within else {
                return Err(c.error(
                    text.len(),
                    "expected --for DUR: how long the event must not come, e.g. --for 500ms",
                ));
            };
            Step::ExpectNone { event, subset, within }
        }
        "client" => {
            let (name_at, name) = c.word("a client name after client")?;
            check_client_name(&name).map_err(|e| c.error(name_at, e))?;
            if name == MAIN {
                return Err(c.error(
                    name_at,
                    "\"main\" is the connection from the command line; pick another name",
                ));
            }
            let options = client_options(c)?;
            Step::Client {
                name,
                options: Box::new(options),
            }
        }
        "admin" => Step::Admin(Box::new(admin_line(c)?)),
        "expect-admin" => expect_admin(c)?,
        other => {
            return Err(c.error(
                at,
                format!("unknown command {other:?} (expected one of emit, join, leave, use, expect, expect-none, ack, send, sleep, disconnect, reconnect, print, client, admin, expect-admin)"),
            ));
        }
    };
    Ok(step)
}

/// `EVENT [JSON] [FLAG DUR]`, for `expect` and `expect-none`.
fn event_and_subset(
    c: &mut Cursor<'_>,
    command: &str,
    flag: &str,
) -> Result<(String, Option<Value>, Option<Duration>), ParseError> {
    let (_, event) = c.word(&format!("an event name after {command}"))?;
    let mut subset = None;
    let mut time = None;
    while let Some(token) = c.next()? {
        match token.kind {
            TokenKind::Word(w) if w == flag => time = Some(c.duration(&format!("a time after {flag}"))?),
            kind if subset.is_none() => {
                subset = Some(match kind {
                    TokenKind::Json(v) => v,
                    TokenKind::Word(w) => word_value(&w),
                })
            }
            _ => return Err(c.error(token.at, "unexpected extra argument")),
        }
    }
    Ok((event, subset, time))
}

/// The options of an `admin` line.
fn admin_line(c: &mut Cursor<'_>) -> Result<AdminLine, ParseError> {
    const OPTIONS: &str = "--namespace, --user, --password, --auth";
    let mut line = AdminLine::default();
    while let Some(token) = c.next()? {
        let TokenKind::Word(flag) = token.kind else {
            return Err(c.error(token.at, format!("expected an option ({OPTIONS})")));
        };
        match flag.as_str() {
            "-n" | "--namespace" | "--admin-namespace" => {
                let (_, nsp) = c.quoted_or_word("the admin namespace after --namespace")?;
                line.nsp = Some(crate::engine::normalise_namespace(&nsp));
            }
            "--user" => line.user = Some(c.quoted_or_word("a user name after --user")?.1),
            "--password" => line.password = Some(c.quoted_or_word("a password after --password")?.1),
            "--auth" => {
                line.auth = Some(match c.next()? {
                    Some(Token {
                        kind: TokenKind::Json(v),
                        ..
                    }) => v,
                    Some(t) => {
                        return Err(c.error(t.at, "expected the auth payload as JSON, e.g. --auth {\"token\":\"x\"}"));
                    }
                    None => return Err(c.error(c.text.len(), "expected the auth payload as JSON after --auth")),
                })
            }
            other => return Err(c.error(token.at, format!("unknown admin option {other:?} (expected {OPTIONS})"))),
        }
    }
    if line.password.is_some() && line.user.is_none() {
        return Err(c.error(c.text.len(), "--password needs --user"));
    }
    Ok(line)
}

/// `expect-admin FACT [--socket ID] [--within DUR]`.
fn expect_admin(c: &mut Cursor<'_>) -> Result<Step, ParseError> {
    const FACTS: &str = "in ROOM, not in ROOM, connected, gone, received EVENT [JSON], sent EVENT [JSON]";
    let (at, word) = c.word(&format!("a fact after expect-admin ({FACTS})"))?;
    let fact = match word.as_str() {
        "in" => AdminFact::In(c.word("a room after in")?.1),
        "not" => {
            let (at, word) = c.word("`in ROOM` after not")?;
            if word != "in" {
                return Err(c.error(at, "expected `in ROOM` after not"));
            }
            AdminFact::NotIn(c.word("a room after not in")?.1)
        }
        "connected" => AdminFact::Connected,
        "gone" => AdminFact::Gone,
        "received" | "sent" => AdminFact::Event {
            received: word == "received",
            event: c.word(&format!("an event name after {word}"))?.1,
            subset: None,
        },
        other => return Err(c.error(at, format!("unknown fact {other:?} (expected {FACTS})"))),
    };
    let mut fact = fact;
    let mut socket = None;
    let mut within = None;
    while let Some(token) = c.next()? {
        match token.kind {
            TokenKind::Word(w) if w == "--within" => within = Some(c.duration("a time after --within")?),
            TokenKind::Word(w) if w == "--socket" => socket = Some(c.word("a socket id after --socket")?.1),
            kind => match &mut fact {
                AdminFact::Event {
                    subset: subset @ None, ..
                } => {
                    *subset = Some(match kind {
                        TokenKind::Json(v) => v,
                        TokenKind::Word(w) => word_value(&w),
                    })
                }
                _ => return Err(c.error(token.at, "unexpected extra argument")),
            },
        }
    }
    Ok(Step::ExpectAdmin {
        fact,
        socket,
        within: within.unwrap_or(DEFAULT_EXPECT_ADMIN_WITHIN),
    })
}

/// The options of a `client` line, as on the command line.
fn client_options(c: &mut Cursor<'_>) -> Result<ClientOptions, ParseError> {
    let mut options = ClientOptions::default();
    while let Some(token) = c.next()? {
        let TokenKind::Word(flag) = token.kind else {
            return Err(c.error(
                token.at,
                "expected an option (--auth, -q, -H, --cookie, -n, --transport)",
            ));
        };
        match flag.as_str() {
            "--auth" => {
                let (at, quoted) = {
                    c.skip_space();
                    (c.pos, c.text[c.pos..].starts_with('\''))
                };
                options.auth = Some(if quoted {
                    let (_, text) = c.quoted_or_word("the auth payload")?;
                    serde_json::from_str(&text).map_err(|e| c.error(at, format!("--auth: not JSON: {e}")))?
                } else {
                    match c.next()? {
                        Some(Token {
                            kind: TokenKind::Json(v),
                            ..
                        }) => v,
                        Some(t) => {
                            return Err(
                                c.error(t.at, "expected the auth payload as JSON, e.g. --auth {\"token\":\"x\"}")
                            );
                        }
                        None => return Err(c.error(c.text.len(), "expected the auth payload as JSON after --auth")),
                    }
                });
            }
            "-q" | "--query" => {
                let (at, kv) = c.quoted_or_word("K=V after -q")?;
                options
                    .query
                    .push(crate::cli::parse_query(&kv).map_err(|e| c.error(at, e))?);
            }
            "-H" | "--header" => {
                let (at, header) = c.quoted_or_word("'Name: value' after -H")?;
                options
                    .headers
                    .push(crate::cli::parse_header(&header).map_err(|e| c.error(at, e))?);
            }
            "--cookie" => {
                let (_, cookies) = c.quoted_or_word("cookies after --cookie, e.g. 'a=1; b=2'")?;
                options.cookies.push(cookies);
            }
            "-n" | "--namespace" => {
                let (_, nsp) = c.quoted_or_word("a namespace after -n")?;
                options.namespaces.push(crate::engine::normalise_namespace(&nsp));
            }
            "--transport" => {
                let (at, mode) = c.word("auto, polling or websocket after --transport")?;
                options.transport = Some(match mode.as_str() {
                    "auto" => TransportMode::Auto,
                    "polling" => TransportMode::Polling,
                    "websocket" => TransportMode::Websocket,
                    other => {
                        return Err(c.error(
                            at,
                            format!("--transport {other:?}: expected auto, polling or websocket"),
                        ));
                    }
                });
            }
            other => {
                return Err(c.error(
                    token.at,
                    format!("unknown client option {other:?} (expected --auth, -q, -H, --cookie, -n, --transport)"),
                ));
            }
        }
    }
    Ok(options)
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
        parse_line(s, 1).expect("parses").expect("a step").step
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
        assert_eq!(
            one(r#"ack question "yes" 2"#),
            Step::AckEvent {
                event: "question".into(),
                args: vec![Arg::Json(json!("yes")), Arg::Json(json!(2))]
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
            "line 3, column 1: unknown command \"emti\" (expected one of emit, join, leave, use, expect, expect-none, ack, send, sleep, disconnect, reconnect, print, client, admin, expect-admin)"
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
            err("ack"),
            "line 3, column 4: expected an ack id or an event name after ack"
        );
        assert_eq!(err("emit x hex:0"), "line 3, column 8: odd number of hex digits");
        assert_eq!(err("disconnect now"), "line 3, column 12: unexpected extra argument");
    }

    fn addressed(s: &str) -> Addressed {
        parse_line(s, 1).expect("parses").expect("a step")
    }

    #[test]
    fn a_prefix_names_the_clients_that_run_the_line() {
        let a = addressed("bob: emit hi");
        assert_eq!(a.clients, vec!["bob".to_string()]);
        assert_eq!(
            a.step,
            Step::Emit {
                event: "hi".into(),
                args: vec![],
                ack: None
            }
        );
        assert_eq!(&"bob: emit hi"[a.command_at..], "emit hi");
        let a = addressed("  a, b-2,c_3:expect x --within 1s");
        assert_eq!(a.clients, vec!["a".to_string(), "b-2".into(), "c_3".into()]);
        assert!(matches!(a.step, Step::Expect { .. }));
        // A colon further on is not a prefix.
        assert!(addressed("print at 10: ok").clients.is_empty());
        assert!(addressed(r#"emit x {"a":1}"#).clients.is_empty());
        assert!(addressed("send 42[\"a:b\"]").clients.is_empty());
        assert_eq!(
            err("a,,b: emit x"),
            "line 3, column 3: an empty client name before ':' (e.g. a,b: emit x)"
        );
        assert_eq!(err("a,a: emit x"), "line 3, column 3: client \"a\" is named twice");
        assert_eq!(
            err("bob:"),
            "line 3, column 5: expected a command after the clients' names"
        );
        assert_eq!(
            err("bob: client carol"),
            "line 3, column 1: `client` opens a connection of its own: it takes no clients' prefix"
        );
    }

    #[test]
    fn client_lines_take_the_connection_options() {
        let Step::Client { name, options } = one(
            r#"client bob --auth {"user":"bob"} -q room=r1 -H 'X-Who: bob b' --cookie "a=1; b=2" -n /admin --transport websocket"#,
        ) else {
            panic!("a client step")
        };
        assert_eq!(name, "bob");
        assert_eq!(
            *options,
            ClientOptions {
                auth: Some(json!({"user": "bob"})),
                query: vec![("room".into(), "r1".into())],
                headers: vec![("X-Who".into(), "bob b".into())],
                cookies: vec!["a=1; b=2".into()],
                namespaces: vec!["/admin".into()],
                transport: Some(TransportMode::Websocket),
            }
        );
        let Step::Client { options, .. } = one(r#"client c --auth '{"a": [1, 2]}'"#) else {
            panic!("a client step")
        };
        assert_eq!(options.auth, Some(json!({"a": [1, 2]})));
        assert_eq!(
            one("client carol"),
            Step::Client {
                name: "carol".into(),
                options: Box::default()
            }
        );
        assert_eq!(
            err("client main"),
            "line 3, column 8: \"main\" is the connection from the command line; pick another name"
        );
        assert_eq!(
            err("client b.o"),
            "line 3, column 8: client name \"b.o\" has '.': use letters, digits, _ and -"
        );
        assert_eq!(
            err("client bob --auth bob"),
            "line 3, column 19: expected the auth payload as JSON, e.g. --auth {\"token\":\"x\"}"
        );
        assert_eq!(err("client bob -q room"), "line 3, column 15: \"room\" is not k=v");
        assert_eq!(
            err("client bob -H 'X: y"),
            "line 3, column 15: 'Name: value' after -H: the quote is not closed"
        );
        assert_eq!(
            err("client bob --transport pigeon"),
            "line 3, column 24: --transport \"pigeon\": expected auto, polling or websocket"
        );
        assert_eq!(
            err("client bob --eio 3"),
            "line 3, column 12: unknown client option \"--eio\" (expected --auth, -q, -H, --cookie, -n, --transport)"
        );
    }

    #[test]
    fn expect_none_needs_a_time() {
        assert_eq!(
            one(r#"expect-none news {"room":"r1"} --for 500ms"#),
            Step::ExpectNone {
                event: "news".into(),
                subset: Some(json!({"room": "r1"})),
                within: Duration::from_millis(500)
            }
        );
        assert_eq!(
            err("expect-none news"),
            "line 3, column 17: expected --for DUR: how long the event must not come, e.g. --for 500ms"
        );
        assert_eq!(
            err("expect-none"),
            "line 3, column 12: expected an event name after expect-none"
        );
    }

    #[test]
    fn scripts_check_client_names_across_lines() {
        let lines = parse_script("client bob\nbob: emit hi\nmain,bob: expect x\nexpect y\n").expect("parses");
        assert_eq!(lines[1].clients, vec!["bob".to_string()]);
        assert_eq!(lines[1].command, "emit hi");
        assert_eq!(lines[1].text, "bob: emit hi");
        assert_eq!(lines[2].clients, vec!["main".to_string(), "bob".into()]);
        assert!(lines[3].clients.is_empty());
        let errors = parse_script("carol: emit early\nclient carol\nclient carol\nclient main\n").expect_err("errors");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "line 1, column 1: no client \"carol\" is open here: open it above with `client carol`",
                "line 3, column 1: client \"carol\" is already open (line 2)",
                "line 4, column 8: \"main\" is the connection from the command line; pick another name",
            ]
        );
    }

    #[test]
    fn admin_lines_and_their_facts() {
        assert_eq!(
            one("admin --namespace secret-admin --user alice --password 'p w'"),
            Step::Admin(Box::new(AdminLine {
                nsp: Some("/secret-admin".into()),
                user: Some("alice".into()),
                password: Some("p w".into()),
                auth: None,
            }))
        );
        assert_eq!(one("admin"), Step::Admin(Box::default()));
        let fact = |s: &str| match one(s) {
            Step::ExpectAdmin { fact, socket, within } => (fact, socket, within),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fact("expect-admin in lobby"),
            (AdminFact::In("lobby".into()), None, DEFAULT_EXPECT_ADMIN_WITHIN)
        );
        assert_eq!(
            fact("expect-admin not in lobby --socket X1 --within 2s"),
            (
                AdminFact::NotIn("lobby".into()),
                Some("X1".into()),
                Duration::from_secs(2)
            )
        );
        assert_eq!(fact("expect-admin connected").0, AdminFact::Connected);
        assert_eq!(fact("expect-admin gone --within 1s").0, AdminFact::Gone);
        assert_eq!(
            fact("expect-admin received chat {\"text\":\"hi\"} --within 3s").0,
            AdminFact::Event {
                received: true,
                event: "chat".into(),
                subset: Some(json!({"text": "hi"})),
            }
        );
        assert_eq!(
            fact("expect-admin sent news").0,
            AdminFact::Event {
                received: false,
                event: "news".into(),
                subset: None,
            }
        );
        assert!(err("expect-admin joined lobby").contains("unknown fact \"joined\" (expected in ROOM, not in ROOM"));
        assert!(err("expect-admin not lobby").contains("expected `in ROOM` after not"));
        assert!(err("expect-admin in").contains("expected a room after in"));
        assert!(err("expect-admin in a b").contains("unexpected extra argument"));
        assert!(err("admin --password x").contains("--password needs --user"));
        assert!(err("admin --mode dev").contains("unknown admin option \"--mode\""));
        assert!(err("bob: admin").contains("takes no clients' prefix"));
    }

    #[test]
    fn scripts_check_the_admin_connection_across_lines() {
        let lines = parse_script("client bob\nadmin\nbob,main: expect-admin in r1\n").expect("parses");
        assert_eq!(lines[2].clients, vec!["bob".to_string(), "main".into()]);
        let errors = parse_script("expect-admin connected\nadmin\nadmin\nadmin: expect-admin in r\nclient admin\n")
            .expect_err("errors");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "line 1, column 1: no admin connection is open here: open it above with `admin` (options: --namespace, --user, --password, --auth)",
                "line 3, column 1: the admin connection is already open (line 2)",
                "line 4, column 1: \"admin\" is the admin connection (line 2): it runs no commands; `expect-admin` lines check the clients' sockets",
                "line 5, column 1: \"admin\" is the admin connection (line 2): pick another name",
            ]
        );
        let errors = parse_script("client admin\nadmin\n").expect_err("a clash");
        assert!(
            errors[0]
                .to_string()
                .contains("client \"admin\" is open (line 1): rename the client")
        );
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
