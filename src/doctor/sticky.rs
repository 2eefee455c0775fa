//! Sticky sessions: several polling sessions with several requests each. A
//! `400 Session ID unknown` (code 1) on some of them means the requests of one
//! session reach different nodes.

use std::time::Duration;

use super::Finding;
use super::context::{Context, Exchange};
use super::server::Server;
use super::session::PollSession;
use crate::proto::eio::EioVersion;

/// Sessions opened, one after the other (in parallel a round robin could pair them up by luck).
const SESSIONS: usize = 4;

pub const STICKY_FIX: &str = "every request of one polling session must reach the node that made it. \
    nginx: `ip_hash;` in the upstream (or `hash $remote_addr consistent;`; behind another proxy, hash on the \
    header that names the client), or route on a cookie the node sets (socket.io: new Server({cookie: true}) \
    sets `io`); HAProxy: `balance source`, or `cookie SERVERID insert indirect nocache` with `cookie s1` on \
    each server line. Or make the clients WebSocket-only (transports: ['websocket']): one connection reaches \
    one node and needs no stickiness (see socket.io's \"Using multiple nodes\")";

/// True when the answer says the session is not known here.
pub fn unknown_session(exchange: &Exchange) -> bool {
    let Some(r) = exchange.answer() else { return false };
    if r.status != 400 {
        return false;
    }
    let text = String::from_utf8_lossy(&r.body);
    text.contains("Session ID unknown") || text.contains("Invalid session") || text.contains("\"code\":1")
}

pub async fn probe(ctx: &Context, server: &Server) -> Finding {
    if !server.polling {
        return Finding::ok(
            "sticky",
            "not needed: the server takes WebSocket only, and one WebSocket reaches one node",
        );
    }
    // The requests of each session that lost its node, and of each that got no answer.
    let mut lost: Vec<Vec<String>> = Vec::new();
    let mut unclear: Vec<Vec<String>> = Vec::new();
    let mut requests = 0;
    for _ in 0..SESSIONS {
        let mut session = match PollSession::open(ctx, server.eio, &[]).await {
            Ok(s) => s,
            Err(refused) => {
                unclear.push(vec![refused.line]);
                continue;
            }
        };
        let wait = ctx.step.min(Duration::from_secs(3));
        // Requests the server answers at once: a CONNECT to "/" (rev 4), or a ping (rev 3, where the client pings).
        let (post, answered): (&[&str], fn(&str) -> bool) = match session.eio() {
            EioVersion::V4 => (&["40"], |p: &str| p.starts_with("40") || p.starts_with("44")),
            EioVersion::V3 => (&["2"], |p: &str| p == "3"),
        };
        let first = session.post(post).await;
        let mut failed = unknown_session(&first);
        let mut silent = matches!(first, Exchange::Silent(_));
        if !failed && !silent {
            match session.get_until(wait, answered).await.stopped {
                Some(e @ Exchange::Silent(_)) | Some(e @ Exchange::Failed(_)) => silent = !unknown_session(&e),
                Some(e) => failed = unknown_session(&e),
                None => {}
            }
        }
        if !failed && !silent {
            failed = unknown_session(&session.post(post_again(session.eio())).await);
        }
        requests += session.lines.len();
        if failed {
            lost.push(session.lines.clone());
        }
        let lines = session.lines.clone();
        session.close().await;
        // A server that stops answering would make every further session wait as long.
        if silent && !failed {
            unclear.push(lines);
            break;
        }
    }
    let lost_count = lost.len();
    if lost_count == 0 && unclear.is_empty() {
        return Finding::ok(
            "sticky",
            format!("{SESSIONS} sessions, {requests} requests: every request reached a node that knew its session"),
        );
    }
    if lost_count == 0 {
        return Finding::warn(
            "sticky",
            "some sessions got no answer: stickiness could not be checked fully",
        )
        .with_evidence(unclear.into_iter().flatten());
    }
    Finding::fail(
        "sticky",
        format!(
            "{lost_count} of {SESSIONS} sessions got \"Session ID unknown\": the requests of one session reach different nodes"
        ),
    )
    .with_evidence(lost.into_iter().next().unwrap_or_default())
    .fix(STICKY_FIX)
}

/// A second request: leave "/" again (rev 4), or another ping (rev 3).
fn post_again(eio: EioVersion) -> &'static [&'static str] {
    match eio {
        EioVersion::V4 => &["41"],
        EioVersion::V3 => &["2"],
    }
}
