//! `--deep`: does an idle connection survive a full `pingInterval`? A long-poll
//! GET and an idle WebSocket are held that long; a proxy that cuts them sooner
//! (nginx's 504 at proxy_read_timeout, a close 1006) is named with the time it cut at.

use std::time::{Duration, Instant};

use super::Finding;
use super::context::{Context, Exchange, seconds};
use super::server::Server;
use super::session::{PollSession, WsSession, packets_of};
use super::transports::Working;
use crate::proto::eio::EioVersion;

/// Time past pingInterval before an idle connection counts as having survived it.
const MARGIN: Duration = Duration::from_secs(2);

const TIMEOUT_FIX: &str = "a proxy or load balancer closes connections idle for less than pingInterval. \
    nginx: proxy_read_timeout (default 60s) and proxy_send_timeout above pingInterval + pingTimeout in the \
    Socket.IO location; HAProxy: timeout server and timeout client (polling) and timeout tunnel (WebSocket) \
    above it; cloud load balancers: the idle timeout. Or lower the server's pingInterval below the proxy's \
    timeout (socket.io: pingInterval; python-socketio: ping_interval)";

pub async fn probe(ctx: &Context, server: &Server, working: &Working) -> Vec<Finding> {
    let interval = Duration::from_millis(server.handshake.ping_interval);
    let (poll, ws) = tokio::join!(
        async {
            if working.polling {
                Some(long_poll(ctx, server, interval).await)
            } else {
                None
            }
        },
        async {
            if working.websocket {
                Some(idle_websocket(ctx, server, interval).await)
            } else {
                None
            }
        }
    );
    poll.into_iter().chain(ws).collect()
}

async fn long_poll(ctx: &Context, server: &Server, interval: Duration) -> Finding {
    let id = "idle-polling";
    let mut session = match PollSession::open(ctx, server.eio, &[]).await {
        Ok(s) => s,
        Err(refused) => return Finding::warn(id, "could not open a polling session").evidence(refused.line),
    };
    let started = Instant::now();
    let until = started + interval + MARGIN;
    let verdict = loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break Ok(());
        }
        let exchange = session.get(left).await;
        let at = started.elapsed();
        match &exchange {
            Exchange::Silent(_) => break Ok(()),
            Exchange::Answer(r) if r.status == 200 => {
                let packets = packets_of(&r.body, session.eio());
                if packets.iter().any(|p| p == "1") {
                    break Err(format!("the server closed the session after {}", seconds(at)));
                }
                if session.eio() == EioVersion::V4 && packets.iter().any(|p| p == "2") {
                    let _ = session.post(&["3"]).await;
                    if at + MARGIN >= interval {
                        break Ok(());
                    }
                }
            }
            _ => break Err(format!("the long-poll GET was cut after {}", seconds(at))),
        }
    };
    let lines = session.lines.clone();
    session.close().await;
    match verdict {
        Ok(()) => Finding::ok(
            id,
            format!("a long-poll GET stays open a full pingInterval ({})", seconds(interval)),
        ),
        Err(why) => Finding::fail(
            id,
            format!(
                "{why}, before pingInterval ({}): polling clients reconnect over and over",
                seconds(interval)
            ),
        )
        .fix(TIMEOUT_FIX),
    }
    .with_evidence(lines)
}

async fn idle_websocket(ctx: &Context, server: &Server, interval: Duration) -> Finding {
    let id = "idle-websocket";
    let client = match ctx.client(&[]) {
        Ok(c) => c,
        Err(e) => return Finding::warn(id, e),
    };
    let url = ctx.url(true, server.eio, "websocket", None);
    let mut ws = match WsSession::open(ctx, &client, url).await {
        Ok(ws) => ws,
        Err(refused) => return Finding::warn(id, "could not open a WebSocket").evidence(refused.line),
    };
    let mut evidence = vec![ws.line.clone()];
    let opened = ws.read_open(ctx.step).await;
    let started = Instant::now();
    let until = started + interval + MARGIN;
    let verdict = match opened {
        Err(e) => Err(e),
        Ok(_) => loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Ok(());
            }
            match ws.next_text(left).await {
                Ok(text) if text == "2" && server.eio == EioVersion::V4 => {
                    evidence.push(format!("← 2 after {}", seconds(started.elapsed())));
                    let _ = ws.send_text("3").await;
                    if started.elapsed() + MARGIN >= interval {
                        break Ok(());
                    }
                }
                Ok(_) => continue,
                Err(_) if Instant::now() >= until => break Ok(()),
                Err(e) => {
                    break Err(format!(
                        "the idle WebSocket was cut after {}: {e}",
                        seconds(started.elapsed())
                    ));
                }
            }
        },
    };
    ws.close().await;
    match verdict {
        Ok(()) => Finding::ok(
            id,
            format!(
                "an idle WebSocket lives through a full pingInterval ({})",
                seconds(interval)
            ),
        ),
        Err(why) => Finding::fail(id, format!("{why}, before pingInterval ({})", seconds(interval))).fix(TIMEOUT_FIX),
    }
    .with_evidence(evidence)
}
