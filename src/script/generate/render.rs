//! The script as text, once the whole recording was read: the header (how to
//! run it), every line, and the `client` lines with what differs from main.

use std::fmt::Write as _;

use serde_json::Value;

use super::{AckState, Conn, FirstArg, Item, JoinState, MAX_LINES, ScriptWriter, json, margin, millis, word};

impl ScriptWriter {
    /// The script.
    pub fn finish(mut self) -> String {
        self.flush_answers();
        let mut out = String::new();
        self.header(&mut out);
        // The last act of each client: a `leave`/`disconnect` after it is the session's end.
        let mut last_act = vec![None; self.conns.len()];
        for (i, item) in self.items.iter().enumerate() {
            if let Some(c) = item.act_of() {
                last_act[c] = Some(i);
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            let prefix = |client: usize| match client {
                0 => String::new(),
                c => format!("{}: ", self.conns[c].name),
            };
            match item {
                Item::Comment(text) => {
                    let _ = writeln!(out, "# {}", text.replace(['\n', '\r'], " "));
                }
                Item::Plain { client, text, .. } => {
                    let _ = writeln!(out, "{}{text}", prefix(*client));
                }
                Item::Emit { client, text, ack, .. } => match ack {
                    AckState::NotAsked => {
                        let _ = writeln!(out, "{}{text}", prefix(*client));
                    }
                    AckState::Answered(rtt) => {
                        let _ = writeln!(out, "{}{text} --ack {}", prefix(*client), millis(margin(*rtt)));
                    }
                    AckState::Waiting { id, .. } => {
                        let _ = writeln!(
                            out,
                            "# the server never answered this emit's ack (id {id}): written without --ack"
                        );
                        let _ = writeln!(out, "{}{text}", prefix(*client));
                    }
                },
                Item::Expect {
                    client,
                    event,
                    first,
                    delay,
                } => {
                    let asserted = match first {
                        FirstArg::Value(v) => self.volatile.assertable(v).map(|v| format!(" {}", json(&v))),
                        FirstArg::None | FirstArg::TooBig => None,
                    };
                    let _ = writeln!(
                        out,
                        "{}expect {}{} --within {}",
                        prefix(*client),
                        word(event),
                        asserted.unwrap_or_default(),
                        millis(margin(*delay))
                    );
                }
                Item::Join {
                    client,
                    nsp,
                    auth,
                    state,
                } => {
                    let auth_text = auth.as_ref().map(|a| format!(" {}", json(a))).unwrap_or_default();
                    let line = format!("{}join {}{auth_text}", prefix(*client), word(nsp));
                    if auth.as_ref().is_some_and(masked) {
                        let _ = writeln!(
                            out,
                            "# the auth was masked in the recording (record with --record-secrets to keep it): fill it in"
                        );
                    }
                    match state {
                        JoinState::Refused(why) => {
                            let _ = writeln!(out, "# refused ({}): {line}", why.replace(['\n', '\r'], " "));
                        }
                        JoinState::Waiting => {
                            let _ = writeln!(out, "# never answered: {line}");
                        }
                        JoinState::Joined => {
                            let _ = writeln!(out, "{line}");
                        }
                    }
                }
                Item::Tentative { client, text } => {
                    if last_act[*client].is_some_and(|last| last > i) {
                        let _ = writeln!(out, "{}{text}", prefix(*client));
                    }
                }
                Item::Client { client } => {
                    let _ = writeln!(out, "{}", self.client_line(*client));
                }
            }
        }
        if self.cut > 0 {
            let _ = writeln!(
                out,
                "# the script stops at {MAX_LINES} lines: {} more were left out",
                self.cut
            );
        }
        out
    }

    fn header(&self, out: &mut String) {
        let from = self.source.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "# sio script of the session in{from}, made by sio {}",
            env!("CARGO_PKG_VERSION")
        );
        let main = self.conns.first();
        let url = main.and_then(|m| m.url.clone()).unwrap_or_else(|| "URL".into());
        let mut command = format!("sio run {}", shell_word(&url));
        if let Some(m) = main {
            if let Some(path) = m.engine_path.as_deref().filter(|p| *p != "/socket.io/") {
                let _ = write!(command, " --path {}", shell_word(path));
            }
            if m.initial.len() > 1 || m.initial.first().is_some_and(|n| n != "/") {
                for n in &m.initial {
                    let _ = write!(command, " -n {}", shell_word(n));
                }
            }
            if let Some(auth) = &m.initial_auth {
                let _ = write!(command, " --auth {}", shell_word(&json(auth)));
            }
            for (k, v) in &m.query {
                let _ = write!(command, " -q {}", shell_word(&format!("{k}={v}")));
            }
            for (k, v) in &m.headers {
                let _ = write!(command, " -H {}", shell_word(&format!("{k}: {v}")));
            }
            if let Some(t) = m.transport.as_deref().filter(|t| *t != "auto") {
                let _ = write!(command, " --transport {t}");
            }
        }
        let _ = writeln!(out, "# run it: {command} FILE.sio");
        let _ = writeln!(
            out,
            "# each expect waits max(3 × the delay seen, the delay + 500 ms); ids, sids and times are not asserted"
        );
        if main.and_then(|m| m.initial_auth.as_ref()).is_some_and(masked) {
            let _ = writeln!(
                out,
                "# main's auth was masked in the recording (--record-secrets keeps it)"
            );
        }
        if self.earlier_runs > 0 {
            let _ = writeln!(
                out,
                "# the recording holds {} runs: this is the last one",
                self.earlier_runs + 1
            );
        }
        if self.let_go > 0 {
            let _ = writeln!(
                out,
                "# {} older records were let go before these (--scrollback): the session's start is missing",
                self.let_go
            );
        }
    }

    /// `client NAME` with what differs from main's connection.
    fn client_line(&self, client: usize) -> String {
        let conn = &self.conns[client];
        if conn.admin {
            return admin_line(conn);
        }
        let main = &self.conns[0];
        let mut line = format!("client {}", conn.name);
        if !conn.initial.is_empty() && conn.initial != main.initial {
            for n in &conn.initial {
                let _ = write!(line, " -n {}", word(n));
            }
        }
        if let Some(auth) = &conn.initial_auth
            && Some(auth) != main.initial_auth.as_ref()
        {
            let _ = write!(line, " --auth {}", json(auth));
        }
        for (k, v) in conn.query.iter().filter(|p| !main.query.contains(p)) {
            let _ = write!(line, " -q {}", quoted(&format!("{k}={v}")));
        }
        for (k, v) in conn.headers.iter().filter(|p| !main.headers.contains(p)) {
            let _ = write!(line, " -H {}", quoted(&format!("{k}: {v}")));
        }
        if let Some(t) = &conn.transport
            && conn.transport != main.transport
        {
            let _ = write!(line, " --transport {t}");
        }
        line
    }
}

/// The `admin` line of `sio admin`'s connection: its namespace and user. A password the
/// recording masked is left to `SIO_ADMIN_PASSWORD`.
fn admin_line(conn: &Conn) -> String {
    let mut line = "admin".to_string();
    if let Some(nsp) = conn.initial.first().filter(|n| *n != "/admin") {
        let _ = write!(line, " --namespace {}", word(nsp));
    }
    let auth = conn.initial_auth.as_ref();
    let field = |key: &str| auth.and_then(|a| a.get(key)).and_then(Value::as_str);
    match (field("username"), field("password")) {
        (Some(user), Some(password)) if password != crate::output::recorder::MASK => {
            let _ = write!(line, " --user {} --password {}", quoted(user), quoted(password));
        }
        (Some(user), _) => {
            let _ = write!(line, " --user {}  # the password: SIO_ADMIN_PASSWORD", quoted(user));
        }
        _ => {
            if let Some(auth) = auth {
                let _ = write!(line, " --auth {}", json(auth));
            }
        }
    }
    line
}

/// A `client` option value: bare, or as a JSON string when it has spaces or quotes.
fn quoted(s: &str) -> String {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '\'' || c == '"') || s.starts_with(['{', '[', '#']) {
        json(&Value::String(s.to_string()))
    } else {
        s.to_string()
    }
}

/// A word for the shell, in single quotes when needed.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Whether a payload holds `***`, the recorder's mask.
fn masked(v: &Value) -> bool {
    match v {
        Value::String(s) => s == "***",
        Value::Object(o) => o.values().any(masked),
        Value::Array(a) => a.iter().any(masked),
        _ => false,
    }
}
