//! Is it Socket.IO at this path? An Engine.IO answer, an HTML page, a 404; when
//! not, the usual alternatives are tried and the one that answers is named.

use std::time::Duration;

use serde_json::Value;

use super::Finding;
use super::context::{Context, Exchange, exchange_line};
use super::session::{Opening, parse_open};
use crate::engine::EioChoice;
use crate::engine::http::{describe_status, refuses_transport};
use crate::proto::eio::EioVersion;

/// How one handshake request was answered.
pub enum Answer {
    Open(Opening),
    /// An Engine.IO server's refusal, in its words.
    Refusal(String),
    /// Not Engine.IO: why not.
    Other(String),
}

/// Reads one handshake answer.
pub fn classify(exchange: &Exchange, asked: EioVersion) -> Answer {
    let response = match exchange {
        Exchange::Answer(r) => r,
        Exchange::Failed(why) => return Answer::Other(why.clone()),
        Exchange::Silent(_) => return Answer::Other("no answer".into()),
    };
    if response.status == 200
        && let Some(opening) = parse_open(&response.body, asked)
    {
        return Answer::Open(opening);
    }
    if is_engineio_error(response.status, &response.body) {
        return Answer::Refusal(describe_status(response.status, &response.body));
    }
    Answer::Other(describe_status(response.status, &response.body))
}

/// Engine.IO's error shapes: `{"code":…,"message":…}`, a JSON string (python-engineio), or
/// the words for a refused transport.
fn is_engineio_error(status: u16, body: &[u8]) -> bool {
    // Engine.IO servers refuse with 400 (bad request, unknown sid or transport) or 403
    // (allowRequest, python's origin check); other statuses are some other web server's.
    if status != 400 && status != 403 {
        return false;
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m.contains_key("code") && m.contains_key("message"),
        Ok(Value::String(_)) => true,
        _ => refuses_transport(status, body),
    }
}

/// Finds the Engine.IO endpoint (switching `ctx.path` to one that answers when the
/// user's does not), the revisions it takes and the server behind it.
pub async fn probe(ctx: &mut Context, findings: &mut Vec<Finding>) -> Option<super::server::Server> {
    let first = ask_at(ctx, &ctx.path.clone(), preferred(ctx)).await;
    match &first.0 {
        Answer::Open(_) | Answer::Refusal(_) => {
            findings
                .push(Finding::ok("endpoint", format!("Engine.IO answers at {}", ctx.path)).evidence(first.1.clone()));
        }
        Answer::Other(why) => {
            let finding = search_alternatives(ctx, why, first.1.clone()).await;
            let found = finding.1;
            findings.push(finding.0);
            ctx.path = found?;
        }
    }
    super::server::probe(ctx, findings).await
}

/// The revision to ask with first: the user's, or 4.
fn preferred(ctx: &Context) -> EioVersion {
    match ctx.options.eio {
        EioChoice::V3 => EioVersion::V3,
        _ => EioVersion::V4,
    }
}

/// One polling handshake at `path`; a session it opened is closed again.
async fn ask_at(ctx: &Context, path: &str, eio: EioVersion) -> (Answer, String) {
    let client = match ctx.client(&[]) {
        Ok(c) => c,
        Err(e) => return (Answer::Other(e.clone()), e),
    };
    let url = ctx.url_at(path, false, eio, "polling", None);
    let exchange = ctx.get(&client, url.clone()).await;
    let line = exchange_line("GET", &url, &exchange);
    let answer = classify(&exchange, eio);
    if let Answer::Open(opening) = &answer {
        let close = ctx.url_at(path, false, opening.eio, "polling", Some(&opening.handshake.sid));
        let body = super::session::body_of(&["1"], opening.eio);
        let _ = ctx
            .send(
                &client,
                reqwest::Method::POST,
                close,
                Some(body),
                Duration::from_secs(1),
            )
            .await;
    }
    (answer, line)
}

/// The user's path gave no Engine.IO answer: try the usual alternatives at once
/// and say which answers. The finding, and the path to go on with.
async fn search_alternatives(ctx: &Context, why: &str, first_line: String) -> (Finding, Option<String>) {
    let asked = ctx.path.clone();
    let mut candidates: Vec<String> = Vec::new();
    let mut add = |p: String| {
        if p != asked && !candidates.contains(&p) {
            candidates.push(p);
        }
    };
    add("/socket.io/".into());
    add("/socket.io".into());
    add(asked.trim_end_matches('/').to_string());
    // The URL's path may have been meant as the Engine.IO path rather than a namespace.
    if ctx.target.namespace != "/" {
        add(format!("{}/", ctx.target.namespace));
        add(format!("{}/socket.io/", ctx.target.namespace));
    }
    add("/engine.io/".into());
    let eio = preferred(ctx);
    let answers = futures_util::future::join_all(candidates.iter().map(|p| ask_at(ctx, p, eio))).await;
    let mut evidence = vec![first_line];
    let mut found = None;
    for (path, (answer, line)) in candidates.iter().zip(answers) {
        if found.is_none() && matches!(answer, Answer::Open(_) | Answer::Refusal(_)) {
            found = Some(path.clone());
            evidence.push(line);
        }
    }
    let Some(path) = found else {
        return (
            Finding::fail("endpoint", format!("no Engine.IO server at {asked}: {why}"))
                .evidence(evidence.remove(0))
                .evidence(format!(
                    "also tried: {} (none answers as Engine.IO)",
                    candidates.join(", ")
                ))
                .fix(
                    "check the URL and the Engine.IO path: the server's `path` option (socket.io: new Server({path}), \
                     python-socketio: socketio_path=) must equal the client's (`path`, sio --path); behind a proxy, \
                     check that the location forwards it (nginx: location /socket.io/ { proxy_pass … })",
                ),
            None,
        );
    };
    let fix = if path.trim_end_matches('/') == asked.trim_end_matches('/') {
        format!(
            "only the trailing slash differs: the server answers at {path}, the client asks at {asked}; socket.io's \
             `addTrailingSlash` option must be the same on server and client"
        )
    } else {
        let mut fix = format!(
            "use the path {path} (sio --path {path}; socket.io-client `path`, python-socketio `socketio_path`)"
        );
        let name = asked.trim_end_matches('/');
        if asked != "/socket.io/" && !name.is_empty() {
            fix.push_str(&format!(
                "; if {name} is a namespace, it belongs in the URL (http://host{name}) and the path stays {path}"
            ));
        }
        fix
    };
    (
        Finding::fail(
            "endpoint",
            format!("no Engine.IO server at {asked} ({why}), but {path} answers"),
        )
        .with_evidence(evidence)
        .fix(fix),
        Some(path),
    )
}
