//! Polling, a direct WebSocket, and the upgrade from one to the other; a proxy
//! that strips `Upgrade` (polling works, the WebSocket is refused) told apart
//! from a server that does not offer WebSocket; and the latency seen on the way.

use std::time::Duration;

use super::context::Context;
use super::server::Server;
use super::session::{PollSession, WsSession};
use super::{Finding, Verdict};

/// The nginx and HAProxy lines a proxied WebSocket needs.
pub const PROXY_UPGRADE_FIX: &str = "the proxy in front drops the WebSocket upgrade. nginx: in the location, \
    proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; \
    HAProxy (mode http) passes upgrades by itself: check that no `http-request del-header Upgrade` or \
    `option httpclose` is in the way, and set `timeout tunnel`. Until then clients fall back to polling \
    (socket.io-client) or fail (transports: ['websocket'])";

/// Which transports work, for the probes that need a whole session.
#[derive(Clone, Copy, Debug, Default)]
pub struct Working {
    pub polling: bool,
    pub websocket: bool,
    pub upgrade: bool,
}

pub async fn probe(ctx: &Context, server: &Server, findings: &mut Vec<Finding>) -> Working {
    let mut working = Working {
        polling: server.polling,
        ..Working::default()
    };
    findings.push(polling_finding(ctx, server).await);
    let (websocket, rtt) = websocket(ctx, server).await;
    working.websocket = websocket.verdict == Verdict::Ok;
    findings.push(websocket);
    if working.polling && working.websocket {
        let upgrade = upgrade(ctx, server).await;
        working.upgrade = upgrade.verdict == Verdict::Ok;
        findings.push(upgrade);
    }
    findings.push(latency(server, rtt));
    working
}

async fn polling_finding(ctx: &Context, server: &Server) -> Finding {
    if server.polling {
        return Finding::ok(
            "polling",
            format!(
                "HTTP long-polling opens sessions (handshake {:.0} ms)",
                server.handshake_millis
            ),
        );
    }
    let evidence = match PollSession::open(ctx, server.eio, &[]).await {
        Ok(session) => {
            let line = session.lines[0].clone();
            session.close().await;
            line
        }
        Err(refused) => refused.line,
    };
    Finding::warn(
        "polling",
        "the server does not take HTTP long-polling: only WebSocket-only clients connect",
    )
    .evidence(evidence)
    .fix(
        "socket.io-client starts with polling by default: give clients transports: ['websocket'] \
             (python-socketio: transports=['websocket']), or let the server take polling too \
             (socket.io: transports: ['polling', 'websocket']; python-socketio: transports=['polling', 'websocket'])",
    )
}

/// A WebSocket opened directly (no polling first), and the ping round trip on it.
async fn websocket(ctx: &Context, server: &Server) -> (Finding, Option<Duration>) {
    let client = match ctx.client(&[]) {
        Ok(c) => c,
        Err(e) => return (Finding::fail("websocket", e), None),
    };
    let url = ctx.url(true, server.eio, "websocket", None);
    let offered = server.handshake.upgrades.iter().any(|u| u == "websocket") || !server.polling;
    let mut ws = match WsSession::open(ctx, &client, url).await {
        Ok(ws) => ws,
        Err(refused) => return (websocket_refused(server, offered, refused), None),
    };
    let mut evidence = vec![ws.line.clone()];
    let finding = match ws.read_open(ctx.step).await {
        Ok(h) => {
            evidence.push(format!("← 0{{\"sid\":\"{}\",…}}", h.sid));
            Finding::ok(
                "websocket",
                format!("a direct WebSocket opens a session ({:.0} ms)", ws.millis),
            )
        }
        Err(e) => Finding::fail(
            "websocket",
            format!("the WebSocket opened, but no open packet came: {e}"),
        )
        .fix("something between client and server answers the upgrade but does not pass the messages on: check the proxy's WebSocket support"),
    };
    let rtt = if finding.verdict == Verdict::Ok {
        ws.ping_round_trip(ctx.step).await.ok()
    } else {
        None
    };
    ws.close().await;
    (finding.with_evidence(evidence), rtt)
}

fn websocket_refused(server: &Server, offered: bool, refused: super::session::WsRefused) -> Finding {
    let lower = refused.message.to_ascii_lowercase();
    let evidence = refused.line;
    if lower.contains("transport unknown") || lower.contains("invalid transport") || !offered {
        let mut finding = Finding::warn(
            "websocket",
            "the server does not offer WebSocket: clients stay on long-polling",
        )
        .evidence(evidence);
        if offered && server.polling {
            finding = finding.evidence(format!(
                "the handshake announces upgrades [{}] all the same: clients try the upgrade and fail",
                server.handshake.upgrades.join(", ")
            ));
        }
        return finding.fix(
            "polling works but costs a request per message batch: offer WebSocket on the server \
             (socket.io: transports: ['polling', 'websocket']; python-socketio: an async_mode with WebSocket \
             support, e.g. aiohttp, eventlet or gevent-websocket)",
        );
    }
    // Node answers a WebSocket request that lost its Upgrade header on the way with code 3.
    let stripped = server.polling && (lower.contains("bad request") || refused.status == Some(426));
    if stripped {
        return Finding::fail(
            "websocket",
            "polling works but the WebSocket is refused: a proxy in front strips the Upgrade header",
        )
        .evidence(evidence)
        .fix(PROXY_UPGRADE_FIX);
    }
    Finding::fail("websocket", format!("the WebSocket is refused: {}", refused.message))
        .evidence(evidence)
        .fix(PROXY_UPGRADE_FIX)
}

/// The upgrade as socket.io-client does it: polling first, then `2probe` / `3probe` / `5`
/// on a WebSocket that names the session.
async fn upgrade(ctx: &Context, server: &Server) -> Finding {
    let session = match PollSession::open(ctx, server.eio, &[]).await {
        Ok(s) => s,
        Err(refused) => return Finding::fail("upgrade", "the polling handshake failed").evidence(refused.line),
    };
    let mut evidence = session.lines.clone();
    let url = ctx.url(true, session.eio(), "websocket", Some(session.sid()));
    let outcome = match WsSession::open(ctx, &session.client, url).await {
        Err(refused) => {
            evidence.push(refused.line);
            if refused.message.contains("Session ID unknown") || refused.message.contains("Invalid session") {
                Finding::fail(
                    "upgrade",
                    "the upgrade's WebSocket reached a node that does not know the session",
                )
                .fix(super::sticky::STICKY_FIX)
            } else {
                Finding::fail(
                    "upgrade",
                    format!("the upgrade's WebSocket is refused: {}", refused.message),
                )
                .fix(PROXY_UPGRADE_FIX)
            }
        }
        Ok(mut ws) => {
            evidence.push(ws.line.clone());
            let probe = async {
                ws.send_text("2probe").await?;
                let answer = ws.next_text(ctx.step).await?;
                if answer != "3probe" {
                    return Err(format!("the probe was answered {answer:?}, not \"3probe\""));
                }
                ws.send_text("5").await
            }
            .await;
            let finding = match probe {
                Ok(()) => {
                    evidence.push("→ 2probe ← 3probe → 5".into());
                    Finding::ok("upgrade", "polling upgrades to WebSocket (2probe / 3probe / 5)")
                }
                Err(e) => Finding::fail("upgrade", format!("the upgrade probe failed: {e}")).fix(
                    "the server (or the node behind the proxy) did not answer the upgrade probe: check \
                     that one session's requests reach one node (sticky sessions) and that the proxy passes \
                     WebSocket messages",
                ),
            };
            ws.close().await;
            finding
        }
    };
    session.close().await;
    outcome.with_evidence(evidence)
}

fn latency(server: &Server, rtt: Option<Duration>) -> Finding {
    let handshake = server.handshake_millis;
    let rtt_text = rtt.map_or("no WebSocket ping round trip (no WebSocket)".to_string(), |d| {
        format!("WebSocket ping round trip {:.1} ms", d.as_secs_f64() * 1000.0)
    });
    let summary = format!("handshake {handshake:.0} ms, {rtt_text}");
    if handshake > 1000.0 || rtt.is_some_and(|d| d > Duration::from_millis(500)) {
        Finding::warn("latency", summary).fix(
            "slow answers: a busy server (event loop blocked: check CPU and synchronous work in handlers), \
             a far-away region, or a proxy that buffers (nginx: proxy_buffering off for the Socket.IO location)",
        )
    } else {
        Finding::ok("latency", summary)
    }
}
