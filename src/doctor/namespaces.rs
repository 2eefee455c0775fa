//! The namespaces the client would join (the URL's, or each `-n`): accepted,
//! refused (the server's reason and data), or needing auth. These run a whole
//! session through the engine, as the other commands do.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Finding;
use super::context::Context;
use super::server::Server;
use super::transports::Working;
use crate::engine::{EioChoice, TransportMode};
use crate::proto::eio::EioVersion;
use crate::record::{Body, Direction, Raw};

enum Outcome {
    Connected { sid: Option<String>, millis: f64 },
    Refused { message: String, data: Option<Value> },
    Failed(String),
}

pub async fn probe(ctx: &Context, server: &Server, working: &Working, sticky_ok: bool) -> Vec<Finding> {
    let names: Vec<String> = if ctx.options.namespaces.is_empty() {
        vec![ctx.target.namespace.clone()]
    } else {
        ctx.options
            .namespaces
            .iter()
            .map(|n| crate::engine::normalise_namespace(n))
            .collect()
    };
    let mut options = ctx.options.clone();
    options.namespaces = names.clone();
    options.path = ctx.path.clone();
    options.reconnect = false;
    options.retry_forever = false;
    options.timeout = ctx.step;
    options.eio = match server.eio {
        EioVersion::V3 => EioChoice::V3,
        EioVersion::V4 => EioChoice::V4,
    };
    // The transport that works; WebSocket alone when polling sessions lose their node.
    options.transport = if working.polling && sticky_ok {
        if working.upgrade {
            TransportMode::Auto
        } else {
            TransportMode::Polling
        }
    } else if working.websocket {
        TransportMode::Websocket
    } else {
        TransportMode::Polling
    };
    let transport = format!("{:?}", options.transport).to_lowercase();
    let (handle, mut records) = match crate::engine::connect(options) {
        Ok(ok) => ok,
        Err(e) => return vec![Finding::fail("namespace", e)],
    };
    let started = Instant::now();
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut frames: Vec<String> = Vec::new();
    let deadline = tokio::time::Instant::now() + ctx.step * 2;
    while outcomes.len() < names.len() {
        let record = match tokio::time::timeout_at(deadline, records.recv()).await {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(_) => break,
        };
        match &record.body {
            Body::Frame(f) => {
                if let Raw::Text { text } = &f.raw
                    && (text.starts_with("40") || text.starts_with("44") || text.starts_with("41"))
                {
                    let arrow = if f.dir == Some(Direction::Out) { "→" } else { "←" };
                    frames.push(format!("{arrow} {}", shown(text, f.dir, ctx.options.auth.is_some())));
                }
            }
            Body::State(s) => {
                let nsp = s.data.get("nsp").and_then(Value::as_str).map(str::to_string);
                match (s.state.as_str(), nsp) {
                    ("namespace connected", Some(nsp)) => {
                        let sid = s.data.get("sid").and_then(Value::as_str).map(str::to_string);
                        outcomes.insert(
                            nsp,
                            Outcome::Connected {
                                sid,
                                millis: started.elapsed().as_secs_f64() * 1000.0,
                            },
                        );
                    }
                    ("namespace failed", Some(nsp)) => {
                        let outcome = match s.data.get("message").and_then(Value::as_str) {
                            Some(m) => Outcome::Refused {
                                message: m.to_string(),
                                data: s.data.get("data").filter(|d| !d.is_null()).cloned(),
                            },
                            None => Outcome::Failed(s.detail.clone().unwrap_or_default()),
                        };
                        outcomes.insert(nsp, outcome);
                    }
                    ("closed", _) => {
                        let why = s.detail.clone().unwrap_or_else(|| "the connection closed".into());
                        for n in &names {
                            outcomes
                                .entry(n.clone())
                                .or_insert_with(|| Outcome::Failed(why.clone()));
                        }
                    }
                    _ => {}
                }
            }
            Body::Http(_) => {}
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), handle.disconnect()).await;
    names
        .iter()
        .map(|n| finding(ctx, n, outcomes.remove(n), &transport, &frames))
        .collect()
}

/// A CONNECT as it went out, with the auth payload masked (the report may be pasted into an issue).
fn shown(text: &str, dir: Option<Direction>, auth: bool) -> String {
    if dir == Some(Direction::Out) && auth && text.starts_with("40") {
        let head = text.find(['{', '[']).map_or(text, |i| &text[..i]);
        return format!("{head}{{…auth…}}");
    }
    crate::output::sanitize::sanitize(text).chars().take(160).collect()
}

fn finding(ctx: &Context, nsp: &str, outcome: Option<Outcome>, transport: &str, frames: &[String]) -> Finding {
    let id = format!("namespace {nsp}");
    let mine: Vec<String> = frames.iter().filter(|f| frame_namespace(f) == nsp).cloned().collect();
    let finding = match outcome {
        Some(Outcome::Connected { sid, millis }) => Finding::ok(
            id,
            format!(
                "{nsp} accepts the client ({transport}, {millis:.0} ms{})",
                sid.map(|s| format!(", socket id {s}")).unwrap_or_default()
            ),
        ),
        Some(Outcome::Refused { message, data }) => {
            let data_text = data.map(|d| format!(" (data {d})")).unwrap_or_default();
            let unknown = message.contains("Invalid namespace") || message.contains("Unable to connect");
            let fix = if unknown {
                format!(
                    "the server has no namespace {nsp}: socket.io: io.of(\"{nsp}\").on(\"connection\", …); \
                     python-socketio: handlers with namespace='{nsp}' (or namespaces='*'); or was {nsp} meant as \
                     the Engine.IO path (--path)?"
                )
            } else if ctx.options.auth.is_none() {
                format!(
                    "the server's middleware refused the CONNECT: send the credentials it expects, sio --auth \
                     '{{\"token\":\"…\"}}' (socket.io-client: io(url, {{auth: {{…}}}}); python-socketio client: \
                     connect(url, auth={{…}}); Socket.IO 2.x clients: the query); server side: \
                     io.of(\"{nsp}\").use(…) / python-socketio's connect handler"
                )
            } else {
                format!(
                    "the credentials in --auth were refused: check them against the server's middleware \
                     (io.of(\"{nsp}\").use(…); python-socketio: the connect handler raising ConnectionRefusedError)"
                )
            };
            Finding::fail(id, format!("{nsp} refuses the client: {message}{data_text}")).fix(fix)
        }
        Some(Outcome::Failed(why)) => Finding::fail(id, format!("{nsp}: {why}")).fix(
            "the CONNECT got no answer: a namespace middleware that never calls next(), or a server too busy to answer",
        ),
        None => Finding::fail(id, format!("{nsp}: no answer within {} s", (ctx.step * 2).as_secs()))
            .fix("the session did not get as far as the namespace: see the transport findings above"),
    };
    finding.with_evidence(mine)
}

/// The namespace a shown `40`/`44` frame is about.
fn frame_namespace(shown: &str) -> String {
    let text = shown.get(4..).unwrap_or("");
    let text = text.get(2..).unwrap_or("");
    if text.starts_with('/') {
        // Socket.IO 2.x carries the namespace's query after `?`.
        let end = text.find([',', '{', '[', '?']).unwrap_or(text.len());
        text[..end].to_string()
    } else {
        "/".to_string()
    }
}
