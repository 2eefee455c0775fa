//! Operations on an instrumented server, as the Admin UI asks for them: make sockets join or
//! leave a room, disconnect them, emit to them. One parser for the lines of `--no-tui`
//! stdin and the TUI's command line; the server's `supportedFeatures` decide what is sent.
//!
//! On the wire (both servers): `join` (nsp, room, filter), `leave` (nsp, room, filter),
//! `_disconnect` (nsp, close, filter), `emit` (nsp, filter, event, ...args), where the filter
//! is a room, a socket id (every socket is in the room named by its id) or null for every
//! socket of the namespace.

use serde_json::Value;

use super::model::AdminModel;
use crate::script::parse::{Arg, Step, parse_line};

pub const USAGE: &str = "operations: join ROOM TARGET | leave ROOM TARGET | disconnect TARGET [--close] | \
                         emit TARGET EVENT [ARG]... — TARGET is a socket id, a room, * (every socket of the \
                         namespace) or --match TEXT (listed sockets whose id, address, user agent, transport \
                         or rooms contain TEXT); -n NS picks the namespace (default: the socket's, else /)";

/// The operation words, for completion.
pub const COMMANDS: &[&str] = &["join", "leave", "disconnect", "emit"];

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Join { room: String },
    Leave { room: String },
    Disconnect { close: bool },
    Emit { event: String, args: Vec<Arg> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every socket of the namespace.
    All,
    /// A socket id or a room.
    Named(String),
    /// The listed sockets whose row contains the text.
    Match(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    pub kind: Kind,
    pub nsp: Option<String>,
    pub target: Target,
}

/// One event to emit on the admin namespace.
#[derive(Clone, Debug, PartialEq)]
pub struct Send {
    pub event: &'static str,
    pub args: Vec<Value>,
    pub attachments: Vec<Vec<u8>>,
    /// What it asks the server, for people.
    pub describe: String,
}

/// Words with where each begins in the line.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

/// One line: `Ok(None)` for a blank line.
pub fn parse(line: &str) -> Result<Option<Op>, String> {
    let all = words(line);
    let Some(&(_, command)) = all.first() else {
        return Ok(None);
    };
    if !COMMANDS.contains(&command) {
        return Err(format!("{command:?} is not an operation; {USAGE}"));
    }
    let mut nsp = None;
    let mut target = None;
    let mut close = false;
    let mut positional: Vec<&str> = Vec::new();
    let mut rest_at = None;
    // join/leave take ROOM TARGET; disconnect TARGET; emit TARGET then the event and its args.
    let wanted = match command {
        "join" | "leave" => 2,
        _ => 1,
    };
    let mut i = 1;
    while i < all.len() {
        let (at, w) = all[i];
        let value = |what: &str| {
            all.get(i + 1)
                .map(|(_, v)| v.to_string())
                .ok_or_else(|| format!("{command}: {w} needs {what}"))
        };
        match w {
            "-n" | "--nsp" | "--namespace" => {
                nsp = Some(crate::engine::normalise_namespace(&value("a namespace")?));
                i += 2;
                continue;
            }
            "--match" => {
                target = Some(Target::Match(value("the text to match")?));
                i += 2;
                continue;
            }
            "--close" if command == "disconnect" => close = true,
            _ if positional.len() + usize::from(target.is_some()) < wanted => positional.push(w),
            _ => {
                rest_at = Some(at);
                break;
            }
        }
        i += 1;
    }
    let mut positional = positional.into_iter();
    let room = if wanted == 2 {
        Some(
            positional
                .next()
                .ok_or_else(|| format!("{command}: which room? {USAGE}"))?
                .to_string(),
        )
    } else {
        None
    };
    let target = match (target, positional.next()) {
        (Some(t), None) => t,
        (None, Some("*")) => Target::All,
        (None, Some(name)) => Target::Named(name.to_string()),
        (Some(_), Some(extra)) => return Err(format!("{command}: {extra:?} besides --match")),
        (None, None) => {
            return Err(format!(
                "{command}: which sockets? a socket id, a room, * or --match TEXT; {USAGE}"
            ));
        }
    };
    let kind = match command {
        "join" | "leave" => {
            if let Some(at) = rest_at {
                return Err(format!("{command}: unexpected {:?}", &line[at..]));
            }
            let room = room.unwrap_or_default();
            if command == "join" {
                Kind::Join { room }
            } else {
                Kind::Leave { room }
            }
        }
        "disconnect" => {
            if let Some(at) = rest_at {
                return Err(format!("disconnect: unexpected {:?}", &line[at..]));
            }
            Kind::Disconnect { close }
        }
        _ => {
            let at = rest_at.ok_or_else(|| format!("emit: which event? {USAGE}"))?;
            match parse_line(&format!("emit {}", &line[at..]), 1).map(|a| a.map(|a| a.step)) {
                Ok(Some(Step::Emit { event, args, ack: None })) => Kind::Emit { event, args },
                Ok(Some(Step::Emit { .. })) => {
                    return Err("emit: --ack is not possible here: the server emits, and keeps any ack".into());
                }
                Ok(_) => return Err(format!("emit: which event? {USAGE}")),
                Err(e) => return Err(format!("emit: {}", e.message)),
            }
        }
    };
    Ok(Some(Op { kind, nsp, target }))
}

fn matches(row: &super::model::SocketRow, text: &str) -> bool {
    let i = &row.info;
    [&i.id, &i.address, &i.user_agent, &i.transport, &i.client_id]
        .iter()
        .any(|f| f.contains(text))
        || i.rooms.iter().any(|r| r.contains(text))
}

/// What to emit for `op`, or why not: the server did not send its config yet, does not
/// allow the operation, or `--match` found nothing.
pub fn plan(op: &Op, model: &AdminModel) -> Result<Vec<Send>, String> {
    let Some(features) = &model.features else {
        return Err("the server has not sent its config (supportedFeatures) yet".into());
    };
    // (namespace, filter, whether one socket is meant)
    let mut targets: Vec<(String, Option<String>, bool)> = Vec::new();
    match &op.target {
        Target::All => targets.push((op.nsp.clone().unwrap_or_else(|| "/".into()), None, false)),
        Target::Named(name) => {
            let known: Vec<&str> = model
                .sockets_with_id(name)
                .map(|s| s.info.nsp.as_str())
                .filter(|n| op.nsp.as_deref().is_none_or(|want| want == *n))
                .collect();
            let nsp = op
                .nsp
                .clone()
                .or_else(|| known.first().map(|n| n.to_string()))
                .unwrap_or_else(|| "/".into());
            targets.push((nsp, Some(name.clone()), !known.is_empty()));
        }
        Target::Match(text) => {
            if !model.knows_sockets() {
                return Err(
                    "--match needs the server's list of sockets, which it sends in development mode only".into(),
                );
            }
            for row in model.sockets() {
                if op.nsp.as_deref().is_none_or(|n| n == row.info.nsp)
                    && model.own.as_ref() != Some(&(row.info.nsp.clone(), row.info.id.clone()))
                    && matches(row, text)
                {
                    targets.push((row.info.nsp.clone(), Some(row.info.id.clone()), true));
                }
            }
            if targets.is_empty() {
                return Err(format!("no listed socket matches {text:?}"));
            }
        }
    }
    let (word, single, many) = match &op.kind {
        Kind::Join { .. } => ("join", "JOIN", "MJOIN"),
        Kind::Leave { .. } => ("leave", "LEAVE", "MLEAVE"),
        Kind::Disconnect { .. } => ("disconnect", "DISCONNECT", "MDISCONNECT"),
        Kind::Emit { .. } => ("emit", "EMIT", "EMIT"),
    };
    let one_socket = targets.iter().all(|t| t.2);
    let feature = if one_socket { single } else { many };
    if !features.iter().any(|f| f == feature) {
        let have = if features.is_empty() {
            "none".to_string()
        } else {
            features.join(", ")
        };
        let why = if features
            .iter()
            .any(|f| ["JOIN", "LEAVE", "DISCONNECT", "EMIT"].contains(&f.as_str()))
        {
            format!("the server does not offer {feature}")
        } else {
            "the server is read-only".to_string()
        };
        return Err(format!("{word} refused: {why} (supportedFeatures: {have})"));
    }
    let sends = targets
        .into_iter()
        .map(|(nsp, filter, one)| {
            let who = match (&filter, one) {
                (None, _) => format!("every socket of {nsp}"),
                (Some(f), true) => format!("socket {f} of {nsp}"),
                (Some(f), false) => format!("the sockets of {nsp} in room {f:?}"),
            };
            let filter_value = filter.map_or(Value::Null, Value::String);
            match &op.kind {
                Kind::Join { room } | Kind::Leave { room } => {
                    let join = matches!(op.kind, Kind::Join { .. });
                    Send {
                        event: if join { "join" } else { "leave" },
                        args: vec![nsp.into(), room.as_str().into(), filter_value],
                        attachments: Vec::new(),
                        describe: format!("make {who} {} room {room:?}", if join { "join" } else { "leave" }),
                    }
                }
                Kind::Disconnect { close } => Send {
                    event: "_disconnect",
                    args: vec![nsp.into(), (*close).into(), filter_value],
                    attachments: Vec::new(),
                    describe: format!(
                        "disconnect {who}{}",
                        if *close { " and close its connection" } else { "" }
                    ),
                },
                Kind::Emit { event, args } => {
                    let (values, attachments) = crate::script::run::split_args(args);
                    let mut all = vec![nsp.into(), filter_value, event.as_str().into()];
                    all.extend(values);
                    Send {
                        event: "emit",
                        args: all,
                        attachments,
                        describe: format!("emit {event:?} to {who}"),
                    }
                }
            }
        })
        .collect();
    Ok(sends)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::event::AdminEvent;
    use crate::record::Timestamp;
    use serde_json::json;

    fn model(features: &[&str]) -> AdminModel {
        let mut m = AdminModel::default();
        let now = Timestamp { micros: 0 };
        m.apply(
            &AdminEvent::Config {
                features: features.iter().map(|s| s.to_string()).collect(),
            },
            now,
        );
        let sockets = json!([
            {"id": "s1", "nsp": "/chat", "transport": "websocket", "handshake": {"address": "10.0.0.1",
             "headers": {"user-agent": "curl"}}, "rooms": ["s1", "lobby"]},
            {"id": "s2", "nsp": "/", "transport": "polling", "handshake": {"address": "10.0.0.2"}, "rooms": ["s2"]}
        ]);
        if let Ok(Some(e)) = AdminEvent::parse("all_sockets", &[sockets]) {
            m.apply(&e, now);
        }
        m
    }

    const ALL: [&str; 7] = ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"];

    fn one(line: &str, m: &AdminModel) -> Result<Vec<Send>, String> {
        let op = parse(line)?.ok_or("blank")?;
        plan(&op, m)
    }

    #[test]
    fn operations_become_the_admin_uis_events() {
        let m = model(&ALL);
        let s = one("join r1 s1", &m).expect("join");
        assert_eq!(
            (s[0].event, s[0].args.clone()),
            ("join", vec![json!("/chat"), json!("r1"), json!("s1")])
        );
        let s = one("leave lobby * -n /chat", &m).expect("leave");
        assert_eq!(s[0].args, vec![json!("/chat"), json!("lobby"), Value::Null]);
        let s = one("disconnect lobby --close -n /chat", &m).expect("disconnect");
        assert_eq!(
            (s[0].event, s[0].args.clone()),
            ("_disconnect", vec![json!("/chat"), json!(true), json!("lobby")])
        );
        assert!(s[0].describe.contains("in room \"lobby\""), "{}", s[0].describe);
        let s = one(r#"emit s2 hello {"a": [1, 2]} 3 word"#, &m).expect("emit");
        assert_eq!(
            s[0].args,
            vec![
                json!("/"),
                json!("s2"),
                json!("hello"),
                json!({"a": [1, 2]}),
                json!(3),
                json!("word")
            ]
        );
        let s = one("disconnect --match 10.0.0", &m).expect("match");
        assert_eq!(s.len(), 2);
        let s = one("disconnect --match curl", &m).expect("match");
        assert_eq!(s[0].args[2], json!("s1"));
    }

    #[test]
    fn refusals_say_why() {
        let ro = model(&["AGGREGATED_EVENTS"]);
        let e = one("join r1 s1", &ro).expect_err("read-only");
        assert!(e.contains("join refused: the server is read-only"), "{e}");
        let v3 = model(&["EMIT", "JOIN", "LEAVE", "DISCONNECT"]);
        assert!(one("join r1 s1", &v3).is_ok());
        let e = one("join r1 *", &v3).expect_err("no MJOIN");
        assert!(e.contains("does not offer MJOIN"), "{e}");
        let e = one("disconnect --match nothing-like-this", &model(&ALL)).expect_err("no match");
        assert!(e.contains("no listed socket"), "{e}");
        let e = plan(&parse("join r s1").ok().flatten().expect("op"), &AdminModel::default()).expect_err("no config");
        assert!(e.contains("config"), "{e}");
    }

    #[test]
    fn bad_lines_are_explained() {
        assert_eq!(parse("   "), Ok(None));
        for (line, says) in [
            ("kick s1", "not an operation"),
            ("join r1", "which sockets"),
            ("join", "which room"),
            ("emit s1", "which event"),
            ("emit s1 ev --ack", "--ack is not possible"),
            ("disconnect s1 extra", "unexpected"),
            ("disconnect -n", "needs a namespace"),
            ("emit s1 ev {bad", "emit:"),
        ] {
            let e = parse(line).expect_err(line);
            assert!(e.contains(says), "{line}: {e}");
        }
    }
}
