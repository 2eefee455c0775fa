//! Which Engine.IO revisions the server takes (hence which client majors can talk
//! to it), what kind of server it is, and what its handshake said.

use serde_json::Value;

use super::context::{Context, exchange_line};
use super::endpoint::{Answer, classify};
use super::session::{Opening, PollSession, WsSession};
use super::{Finding, Verdict};
use crate::engine::EioChoice;
use crate::engine::http::refuses_transport;
use crate::proto::eio::{EioVersion, Handshake};

/// Which implementation answers, as far as its answers tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Node's engine.io (socket.io): errors as `{"code":1,"message":"…"}`.
    Node,
    /// python-engineio (python-socketio): errors as a JSON string.
    Python,
    /// socketioxide (Rust): the error code as a string, `{"code":"1",…}`.
    Socketioxide,
    Unknown,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Node => "Node engine.io (socket.io)",
            Family::Python => "python-engineio (python-socketio)",
            Family::Socketioxide => "socketioxide",
            Family::Unknown => "an Engine.IO server of unknown make",
        }
    }
}

/// What the later probes need to know about the server.
#[derive(Clone, Debug)]
pub struct Server {
    /// The revision the probes speak: the user's --eio, or the newest the server takes.
    pub eio: EioVersion,
    /// A polling handshake opens a session.
    pub polling: bool,
    pub handshake: Handshake,
    pub handshake_millis: f64,
    /// Packets that came with the open packet.
    pub rest: Vec<String>,
    pub family: Family,
}

/// What one revision got, over polling or (when polling is refused) WebSocket.
struct RevisionAnswer {
    opening: Option<(Opening, f64, bool)>,
    refusal: Option<String>,
    polling_refused: bool,
    lines: Vec<String>,
}

async fn try_revision(ctx: &Context, eio: EioVersion) -> RevisionAnswer {
    let mut lines = Vec::new();
    match PollSession::open(ctx, eio, &[]).await {
        Ok(session) => {
            lines.push(session.lines[0].clone());
            let opening = session.opening.clone();
            let millis = session.millis;
            session.close().await;
            return RevisionAnswer {
                opening: Some((opening, millis, true)),
                refusal: None,
                polling_refused: false,
                lines,
            };
        }
        Err(refused) => {
            lines.push(refused.line.clone());
            let polling_refused = refused
                .exchange
                .answer()
                .is_some_and(|r| refuses_transport(r.status, &r.body));
            if !polling_refused {
                let refusal = match classify(&refused.exchange, eio) {
                    Answer::Refusal(r) | Answer::Other(r) => Some(r),
                    Answer::Open(_) => None,
                };
                return RevisionAnswer {
                    opening: None,
                    refusal,
                    polling_refused,
                    lines,
                };
            }
        }
    }
    // Polling is refused: ask over WebSocket.
    let client = match ctx.client(&[]) {
        Ok(c) => c,
        Err(e) => {
            return RevisionAnswer {
                opening: None,
                refusal: Some(e),
                polling_refused: true,
                lines,
            };
        }
    };
    let url = ctx.url(true, eio, "websocket", None);
    match WsSession::open(ctx, &client, url).await {
        Ok(mut ws) => {
            let millis = ws.millis;
            lines.push(ws.line.clone());
            let handshake = ws.read_open(ctx.step).await;
            ws.close().await;
            match handshake {
                Ok(handshake) => RevisionAnswer {
                    opening: Some((
                        Opening {
                            eio,
                            handshake,
                            rest: Vec::new(),
                        },
                        millis,
                        false,
                    )),
                    refusal: None,
                    polling_refused: true,
                    lines,
                },
                Err(e) => RevisionAnswer {
                    opening: None,
                    // Node's engine.io writes its HTTP refusal into the connection after the 101.
                    refusal: Some(if e.contains("protocol error") {
                        format!(
                            "101, then bytes that are not WebSocket frames, as an HTTP refusal written after the 101 ({e})"
                        )
                    } else {
                        e
                    }),
                    polling_refused: true,
                    lines,
                },
            }
        }
        Err(refused) => {
            lines.push(refused.line);
            RevisionAnswer {
                opening: None,
                refusal: Some(refused.message),
                polling_refused: true,
                lines,
            }
        }
    }
}

pub async fn probe(ctx: &Context, findings: &mut Vec<Finding>) -> Option<Server> {
    let (four, three) = tokio::join!(try_revision(ctx, EioVersion::V4), try_revision(ctx, EioVersion::V3));
    let takes = |a: &RevisionAnswer, eio: EioVersion| a.opening.as_ref().is_some_and(|(o, _, _)| o.eio == eio);
    let takes4 = takes(&four, EioVersion::V4);
    let takes3 = takes(&three, EioVersion::V3);
    // engine.io 3.x ignores EIO and answers every request in revision 3.
    let three_only = takes(&four, EioVersion::V3);
    let mut evidence: Vec<String> = four.lines.iter().chain(&three.lines).cloned().collect();
    evidence.dedup();
    let user = ctx.options.eio;
    let finding = match (takes4, takes3 || three_only) {
        (true, true) => Finding::ok(
            "eio",
            "Engine.IO 4 and 3: socket.io-client 3.x/4.x and 2.x (and python-socketio clients 5.x and 4.x) can connect",
        ),
        (true, false) => {
            let why = three.refusal.clone().unwrap_or_else(|| "refused".into());
            let finding = Finding::new(
                "eio",
                if user == EioChoice::V3 {
                    Verdict::Fail
                } else {
                    Verdict::Ok
                },
                format!("Engine.IO 4 only: socket.io-client 3.x/4.x can connect; 2.x clients are refused ({why})"),
            );
            finding.fix(
                "to admit socket.io-client 2.x: new Server({allowEIO3: true}) (socket.io ≥ 3.1); python-socketio 5.x \
                 takes only Engine.IO 4: old clients need python-socketio 4.x or a client upgrade",
            )
        }
        (false, true) => {
            let why = if three_only {
                "an EIO=4 request was answered in revision 3 framing: engine.io 3.x (socket.io 2.x)".to_string()
            } else {
                four.refusal.clone().unwrap_or_else(|| "refused".into())
            };
            Finding::new(
                "eio",
                if user == EioChoice::V4 {
                    Verdict::Fail
                } else {
                    Verdict::Warn
                },
                format!("Engine.IO 3 only: only socket.io-client 1.x/2.x can connect; 3.x/4.x clients fail ({why})"),
            )
            .fix(
                "upgrade the server to socket.io 4 with allowEIO3: true (old and new clients both work), or pin the \
                 clients to socket.io-client 2.x",
            )
        }
        (false, false) => {
            let why = four.refusal.clone().unwrap_or_else(|| "no open packet".into());
            findings.push(
                Finding::fail("eio", format!("Engine.IO answers but opens no session: {why}"))
                    .with_evidence(evidence)
                    .fix(
                        "the server refuses every handshake: check allowRequest / the auth middleware in front of it, \
                         and the headers or cookies it expects (sio -H, --cookie)",
                    ),
            );
            return None;
        }
    };
    findings.push(finding.with_evidence(evidence));
    let chosen = match user {
        EioChoice::V3 => EioVersion::V3,
        EioChoice::V4 => EioVersion::V4,
        EioChoice::Auto if takes4 => EioVersion::V4,
        EioChoice::Auto => EioVersion::V3,
    };
    let answer = if chosen == EioVersion::V4 && takes4 {
        &four
    } else {
        &three
    };
    let answer = if answer.opening.is_some() { answer } else { &four };
    let (opening, millis, polling) = answer.opening.clone()?;
    let family = family(ctx, opening.eio, findings).await;
    findings.push(handshake_finding(&opening, polling));
    Some(Server {
        eio: opening.eio,
        polling: polling && !answer.polling_refused,
        handshake: opening.handshake,
        handshake_millis: millis,
        rest: opening.rest,
        family,
    })
}

/// Tells the implementation by how it refuses a session id it never issued.
async fn family(ctx: &Context, eio: EioVersion, findings: &mut Vec<Finding>) -> Family {
    let Ok(client) = ctx.client(&[]) else {
        return Family::Unknown;
    };
    let url = ctx.url(false, eio, "polling", Some("sio-doctor-unknown-sid"));
    let exchange = ctx.get(&client, url.clone()).await;
    let line = exchange_line("GET", &url, &exchange);
    let family = match serde_json::from_str::<Value>(&exchange.text()) {
        Ok(Value::Object(m)) => match m.get("code") {
            Some(Value::Number(_)) => Family::Node,
            Some(Value::String(_)) => Family::Socketioxide,
            _ => Family::Unknown,
        },
        Ok(Value::String(_)) => Family::Python,
        _ => Family::Unknown,
    };
    let mut summary = family.name().to_string();
    if family == Family::Node {
        summary.push_str(if eio == EioVersion::V3 && ctx.options.eio != EioChoice::V3 {
            ", engine.io 3.x (socket.io 2.x)"
        } else {
            ""
        });
    }
    let mut finding = Finding::ok("server", summary).evidence(line);
    if let Some(server) = exchange.header("server") {
        finding = finding.evidence(format!(
            "Server: {server} (the header of a web server or proxy in front)"
        ));
    }
    findings.push(finding);
    family
}

fn handshake_finding(opening: &Opening, polling: bool) -> Finding {
    let h = &opening.handshake;
    let max = h
        .max_payload
        .map_or("no maxPayload (a server older than socket.io 4.5)".to_string(), |m| {
            format!("maxPayload {m} B")
        });
    let summary = format!(
        "pingInterval {} ms, pingTimeout {} ms, {max}, upgrades [{}] (over {})",
        h.ping_interval,
        h.ping_timeout,
        h.upgrades.join(", "),
        if polling { "polling" } else { "WebSocket" }
    );
    let mut finding =
        Finding::ok("handshake", summary).evidence(format!("0{}", serde_json::to_string(h).unwrap_or_default()));
    if h.ping_interval == 0 {
        finding = Finding::warn("handshake", finding.summary.clone())
            .with_evidence(finding.evidence)
            .fix(
                "pingInterval 0: python-engineio announces whole seconds, so a sub-second ping_interval reads as 0 \
                 to clients; use at least 1 s",
            );
    }
    finding
}
