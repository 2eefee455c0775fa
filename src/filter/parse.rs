//! Text → [`Expr`]. The grammar, loosest first:
//!
//! ```text
//! expr  = all ("or" all)*
//! all   = unary (SPACE unary)*
//! unary = "-" unary | "(" expr ")" | term
//! term  = FIELD ":" values | "data" ("." STEP)* ("=" | "~") values
//!       | "/" REGEX "/" ["i"] | '"' PHRASE '"' | WORD
//! values = value ("|" value)*        value = '"' TEXT '"' | BARE
//! ```
//!
//! Every error names the byte where it was noticed and what would have been taken there.

use std::fmt;

use regex::{Regex, RegexBuilder};

use super::FilterError;
use super::data::{DataTerm, Expected, Step, Test};
use super::glob::Glob;
use crate::record::{Direction, Transport};

/// How deep parentheses and `-` may nest (a bound on the parser's recursion).
const MAX_DEPTH: usize = 64;
/// The most memory one compiled `/regex/` or text term may take.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Clone, Debug)]
pub enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    Term(Term),
}

/// What a record is, for `kind:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Event,
    Ack,
    Connect,
    Disconnect,
    Error,
    Heartbeat,
    Upgrade,
    Binary,
    Http,
    State,
    Malformed,
}

impl Kind {
    pub const ALL: [(&'static str, Kind); 11] = [
        ("event", Kind::Event),
        ("ack", Kind::Ack),
        ("connect", Kind::Connect),
        ("disconnect", Kind::Disconnect),
        ("error", Kind::Error),
        ("heartbeat", Kind::Heartbeat),
        ("upgrade", Kind::Upgrade),
        ("binary", Kind::Binary),
        ("http", Kind::Http),
        ("state", Kind::State),
        ("malformed", Kind::Malformed),
    ];

    pub fn name(self) -> &'static str {
        Kind::ALL.iter().find(|(_, k)| *k == self).map_or("?", |(n, _)| n)
    }
}

/// `ack:ID`: one id, or `*` for any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckId {
    Any,
    Is(u64),
}

#[derive(Clone, Debug)]
pub enum Term {
    Event(Vec<Glob>),
    Ns(Vec<Glob>),
    Dir(Vec<Direction>),
    Transport(Vec<Transport>),
    Kind(Vec<Kind>),
    Client(Vec<Glob>),
    Sid(Vec<Glob>),
    Ack(Vec<AckId>),
    Data(DataTerm),
    /// A bare word or quoted phrase, case-insensitive (the text as typed beside it).
    Text(String, Regex),
    /// `/…/`, with `i` after it for case-insensitive.
    Regex(Regex, bool),
}

const FIELDS: &str = "event, ns, dir, transport, kind, client, sid, ack or data.PATH";

pub fn parse(source: &str) -> Result<Option<Expr>, FilterError> {
    let mut p = Parser { s: source, pos: 0 };
    p.skip_space();
    if p.at_end() {
        return Ok(None);
    }
    let expr = p.any(0)?;
    p.skip_space();
    if !p.at_end() {
        // Only a `)` with nothing open stops `any` early.
        return Err(p.error("a term or `or` (this `)` closes nothing)"));
    }
    Ok(Some(expr))
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.s.len() - trimmed.len();
    }

    fn error(&self, expected: &str) -> FilterError {
        self.error_at(self.pos, expected)
    }

    fn error_at(&self, pos: usize, expected: &str) -> FilterError {
        let found = match self.s[pos..].chars().next() {
            None => "the end".to_string(),
            Some(_) => {
                let word: String = self.s[pos..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .take(20)
                    .collect();
                format!("{word:?}")
            }
        };
        FilterError {
            pos,
            expected: expected.to_string(),
            found,
        }
    }

    /// The keyword `or` (any case) as a word of its own.
    fn at_or(&self) -> bool {
        let r = self.rest();
        r.as_bytes().get(..2).is_some_and(|b| b.eq_ignore_ascii_case(b"or"))
            && r[2..].chars().next().is_none_or(|c| c.is_whitespace() || c == '(')
    }

    fn any(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut alternatives = vec![self.all(depth)?];
        loop {
            self.skip_space();
            if !self.at_or() {
                break;
            }
            self.pos += 2;
            self.skip_space();
            if self.at_end() || self.peek() == Some(')') {
                return Err(self.error("a term after `or`"));
            }
            alternatives.push(self.all(depth)?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Expr::Any(alternatives)
        })
    }

    fn all(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut terms = Vec::new();
        loop {
            self.skip_space();
            if self.at_end() || self.peek() == Some(')') {
                break;
            }
            if self.at_or() {
                if terms.is_empty() {
                    return Err(self.error("a term before `or`"));
                }
                break;
            }
            terms.push(self.unary(depth)?);
        }
        match terms.len() {
            0 => Err(self.error("a term")),
            1 => Ok(terms.remove(0)),
            _ => Ok(Expr::All(terms)),
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(&format!("a term (parentheses and `-` nest at most {MAX_DEPTH} deep)")));
        }
        match self.peek() {
            Some('-') => {
                self.pos += 1;
                match self.peek() {
                    None => Err(self.error("a term after `-`")),
                    Some(c) if c.is_whitespace() || c == ')' => Err(self.error("a term right after `-`")),
                    _ => Ok(Expr::Not(Box::new(self.unary(depth + 1)?))),
                }
            }
            Some('(') => {
                let open = self.pos;
                self.pos += 1;
                self.skip_space();
                if self.peek() == Some(')') {
                    return Err(self.error("a term inside the parentheses"));
                }
                let inner = self.any(depth + 1)?;
                self.skip_space();
                if self.peek() != Some(')') {
                    let mut e = self.error("`)`");
                    e.expected = format!("`)` to close the `(` at byte {open}");
                    return Err(e);
                }
                self.pos += 1;
                Ok(inner)
            }
            _ => self.term().map(Expr::Term),
        }
    }

    fn term(&mut self) -> Result<Term, FilterError> {
        let start = self.pos;
        match self.peek() {
            Some('"') => {
                let phrase = self.quoted()?;
                self.end_of_term()?;
                return text_term(phrase).map_err(|e| self.error_at(start, &e));
            }
            Some('/') => return self.regex(),
            _ => {}
        }
        let name_len = self
            .rest()
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(self.rest().len());
        let name = &self.s[start..start + name_len];
        let after = self.s[start + name_len..].chars().next();
        if name == "data" && matches!(after, Some('.' | '=' | '~')) {
            self.pos += name_len;
            return self.data();
        }
        if name_len > 0 && after == Some(':') {
            self.pos += name_len + 1;
            return self.field(name, start);
        }
        let word = self.bare(&[]);
        text_term(word.to_string()).map_err(|e| self.error_at(start, &e))
    }

    /// After a quoted phrase or a regex: white space, `)` or the end.
    fn end_of_term(&self) -> Result<(), FilterError> {
        match self.peek() {
            None | Some(')') => Ok(()),
            Some(c) if c.is_whitespace() => Ok(()),
            _ => Err(self.error("a space between terms")),
        }
    }

    /// Text up to white space, `)` or one of `stop`.
    fn bare(&mut self, stop: &[char]) -> &str {
        let start = self.pos;
        let len = self
            .rest()
            .find(|c: char| c.is_whitespace() || c == ')' || stop.contains(&c))
            .unwrap_or(self.rest().len());
        self.pos += len;
        &self.s[start..start + len]
    }

    /// `"…"` with `\"` and `\\`; the position is at the opening quote.
    fn quoted(&mut self) -> Result<String, FilterError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\'))) => out.push(e),
                    Some((_, e)) => {
                        out.push('\\');
                        out.push(e);
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        self.pos = self.s.len();
        let mut e = self.error("a closing `\"`");
        e.expected = format!("a `\"` to close the one at byte {open}");
        Err(e)
    }

    /// `a|b|"c d"` after `field:`, `=` or `~`.
    fn values(&mut self, what: &str) -> Result<Vec<(usize, String)>, FilterError> {
        let mut out = Vec::new();
        loop {
            let at = self.pos;
            let value = if self.peek() == Some('"') {
                self.quoted()?
            } else {
                let v = self.bare(&['|']).to_string();
                if v.is_empty() {
                    return Err(self.error(what));
                }
                v
            };
            out.push((at, value));
            if self.peek() == Some('|') {
                self.pos += 1;
                continue;
            }
            self.end_of_term()?;
            return Ok(out);
        }
    }

    fn field(&mut self, name: &str, start: usize) -> Result<Term, FilterError> {
        let globs = |values: Vec<(usize, String)>| values.into_iter().map(|(_, v)| Glob::new(&v)).collect();
        let field = name.to_ascii_lowercase();
        let term = match field.as_str() {
            "event" => Term::Event(globs(self.values("an event name after `event:` (a glob: chat*)")?)),
            "ns" => Term::Ns(
                self.values("a namespace after `ns:` (/admin)")?
                    .into_iter()
                    .map(|(_, v)| {
                        // `ns:admin` means `/admin`, as the namespace is always written.
                        if v.starts_with(['/', '*', '?']) {
                            Glob::new(&v)
                        } else {
                            Glob::new(&format!("/{v}"))
                        }
                    })
                    .collect(),
            ),
            "client" => Term::Client(globs(self.values("a client name after `client:`")?)),
            "sid" => Term::Sid(globs(self.values("a session id after `sid:`")?)),
            "dir" => Term::Dir(self.choices("in or out after `dir:`", |v| match v {
                "in" => Some(Direction::In),
                "out" => Some(Direction::Out),
                _ => None,
            })?),
            "transport" => Term::Transport(self.choices("polling or ws after `transport:`", |v| match v {
                "polling" => Some(Transport::Polling),
                "ws" | "websocket" => Some(Transport::Websocket),
                _ => None,
            })?),
            "kind" => {
                let all: Vec<&str> = Kind::ALL.iter().map(|(n, _)| *n).collect();
                let expected = format!("a kind after `kind:`: {}", all.join(", "));
                Term::Kind(self.choices(&expected, |v| Kind::ALL.iter().find(|(n, _)| *n == v).map(|(_, k)| *k))?)
            }
            "ack" => Term::Ack(self.choices("an ack id (digits) or * after `ack:`", |v| match v {
                "*" => Some(AckId::Any),
                digits if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok().map(AckId::Is),
                _ => None,
            })?),
            _ => {
                let mut e = self.error_at(start, FIELDS);
                e.expected = format!(
                    "a field name ({FIELDS}); `{name}:` is none (put text in quotes to search for it: \"{name}:…\")"
                );
                return Err(e);
            }
        };
        Ok(term)
    }

    /// Values from a fixed set (any case), each checked where it was written.
    fn choices<T>(&mut self, expected: &str, pick: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, FilterError> {
        self.values(expected)?
            .into_iter()
            .map(|(at, v)| pick(&v.to_ascii_lowercase()).ok_or_else(|| self.error_at(at, expected)))
            .collect()
    }

    /// After `data`: the path, `=` or `~`, the values.
    fn data(&mut self) -> Result<Term, FilterError> {
        let mut path = Vec::new();
        while self.peek() == Some('.') {
            self.pos += 1;
            let step = if self.peek() == Some('"') {
                Step::Key(self.quoted()?)
            } else {
                let s = self.bare(&['.', '=', '~', '|']);
                match s {
                    "" => return Err(self.error("a key or index after `.` (data.0.room)")),
                    "*" => Step::Any,
                    key => Step::Key(key.to_string()),
                }
            };
            path.push(step);
        }
        let test = match self.peek() {
            Some('=') => {
                self.pos += 1;
                let values = self.values("a value after `=`")?;
                Test::Equals(values.into_iter().map(|(_, v)| Expected::new(v)).collect())
            }
            Some('~') => {
                self.pos += 1;
                let values = self.values("text after `~`")?;
                Test::Contains(values.into_iter().map(|(_, v)| v.to_lowercase()).collect())
            }
            _ => return Err(self.error("`=` or `~` after the data path (data.0.room=r1, data.0~text)")),
        };
        Ok(Term::Data(DataTerm::new(path, test)))
    }

    /// `/…/` or `/…/i`; `\/` stands for a slash inside.
    fn regex(&mut self) -> Result<Term, FilterError> {
        let open = self.pos;
        self.pos += 1;
        let mut pattern = String::new();
        let mut chars = self.rest().char_indices();
        let mut close = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '/' => {
                    close = Some(i);
                    break;
                }
                '\\' => match chars.next() {
                    Some((_, '/')) => pattern.push('/'),
                    Some((_, e)) => {
                        pattern.push('\\');
                        pattern.push(e);
                    }
                    None => pattern.push('\\'),
                },
                c => pattern.push(c),
            }
        }
        let Some(close) = close else {
            self.pos = self.s.len();
            let mut e = self.error("a closing `/`");
            e.expected = format!("a `/` to close the regular expression at byte {open}");
            return Err(e);
        };
        self.pos += close + 1;
        let insensitive = self.peek() == Some('i');
        if insensitive {
            self.pos += 1;
        }
        self.end_of_term()?;
        if pattern.is_empty() {
            return Err(self.error_at(open, "a regular expression between the slashes"));
        }
        match RegexBuilder::new(&pattern)
            .case_insensitive(insensitive)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(re) => Ok(Term::Regex(re, insensitive)),
            Err(e) => {
                let why = e.to_string();
                // The regex crate's message spans lines (the pattern, a caret, the reason).
                let last = why.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim();
                Err(self.error_at(open, &format!("a valid regular expression ({last})")))
            }
        }
    }
}

fn text_term(text: String) -> Result<Term, String> {
    if text.is_empty() {
        return Err("a word or phrase (\"\" is empty)".into());
    }
    let re = RegexBuilder::new(&regex::escape(&text))
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("a shorter phrase ({e})"))?;
    Ok(Term::Text(text, re))
}

/// The text quoted when it would not read back as one bare value.
pub fn quoted_if_needed(text: &str, in_path: bool) -> String {
    let special =
        |c: char| c.is_whitespace() || matches!(c, '"' | ')' | '|') || (in_path && matches!(c, '.' | '=' | '~'));
    if text.is_empty() || text.contains(special) || (in_path && text == "*") {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    } else {
        text.to_string()
    }
}

/// The expression written back in a form that parses to the same thing (fully
/// parenthesised where it matters).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::All(terms) => write_joined(f, terms, " "),
            Expr::Any(alternatives) => write_joined(f, alternatives, " or "),
            Expr::Not(inner) => {
                f.write_str("-")?;
                write_grouped(f, inner)
            }
            Expr::Term(term) => write!(f, "{term}"),
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, items: &[Expr], between: &str) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(between)?;
        }
        write_grouped(f, e)?;
    }
    Ok(())
}

fn write_grouped(f: &mut fmt::Formatter<'_>, e: &Expr) -> fmt::Result {
    match e {
        Expr::All(_) | Expr::Any(_) => write!(f, "({e})"),
        _ => write!(f, "{e}"),
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list<T>(f: &mut fmt::Formatter<'_>, field: &str, items: &[T], show: impl Fn(&T) -> String) -> fmt::Result {
            let values: Vec<String> = items.iter().map(show).collect();
            write!(f, "{field}:{}", values.join("|"))
        }
        let glob = |g: &Glob| quoted_if_needed(g.as_str(), false);
        match self {
            Term::Event(g) => list(f, "event", g, glob),
            Term::Ns(g) => list(f, "ns", g, glob),
            Term::Client(g) => list(f, "client", g, glob),
            Term::Sid(g) => list(f, "sid", g, glob),
            Term::Dir(d) => list(f, "dir", d, |d| {
                match d {
                    Direction::In => "in",
                    Direction::Out => "out",
                }
                .into()
            }),
            Term::Transport(t) => list(f, "transport", t, |t| {
                match t {
                    Transport::Polling => "polling",
                    Transport::Websocket => "ws",
                }
                .into()
            }),
            Term::Kind(k) => list(f, "kind", k, |k| k.name().into()),
            Term::Ack(a) => list(f, "ack", a, |a| match a {
                AckId::Any => "*".into(),
                AckId::Is(n) => n.to_string(),
            }),
            Term::Data(d) => write!(f, "{d}"),
            Term::Text(text, _) => {
                let needs_quotes = text.starts_with(['-', '(', '/'])
                    || text.eq_ignore_ascii_case("or")
                    || text
                        .find(|c: char| !c.is_ascii_alphabetic())
                        .is_some_and(|i| text[i..].starts_with(':'))
                    || text.starts_with("data") && text[4..].starts_with(['.', '=', '~']);
                if needs_quotes || text.contains(|c: char| c.is_whitespace() || c == '"' || c == ')') {
                    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
                    write!(f, "\"{escaped}\"")
                } else {
                    f.write_str(text)
                }
            }
            Term::Regex(re, insensitive) => {
                write!(
                    f,
                    "/{}/{}",
                    re.as_str().replace('/', "\\/"),
                    if *insensitive { "i" } else { "" }
                )
            }
        }
    }
}
