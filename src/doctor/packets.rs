//! Packets per POST: python-engineio drops a whole payload of more than
//! `max_decode_packets` (16) packets, answering `200 ok` all the same. A POST of
//! 17 small packets whose first is a CONNECT shows it: the CONNECT is never answered.

use std::time::Duration;

use super::Finding;
use super::context::Context;
use super::server::Server;
use super::session::PollSession;
use crate::proto::eio::EioVersion;

/// One more than python-engineio's default max_decode_packets.
pub const PACKETS: usize = 17;

/// `websocket`: clients can leave polling (a direct WebSocket works).
pub async fn probe(ctx: &Context, server: &Server, sticky: bool, websocket: bool) -> Vec<Finding> {
    if !server.polling {
        return Vec::new();
    }
    if !sticky {
        return vec![Finding::warn(
            "post-packets",
            "not checked: polling sessions lose their node (see sticky)",
        )];
    }
    let wait = ctx.step.min(Duration::from_secs(3));
    // The CONNECT first, then packets that change nothing: pongs (rev 4) or pings (rev 3).
    let (first, filler, answered): (&str, &str, fn(&str) -> bool) = match server.eio {
        EioVersion::V4 => ("40", "3", |p: &str| p.starts_with("40") || p.starts_with("44")),
        EioVersion::V3 => ("2", "2", |p: &str| p == "3"),
    };
    // A control: the same CONNECT alone, so a server that never answers is not blamed on the count.
    let control = match PollSession::open(ctx, server.eio, &[]).await {
        Ok(mut s) => {
            let _ = s.post(&[first]).await;
            let found = s.get_until(wait, answered).await.found;
            s.close().await;
            found
        }
        Err(_) => false,
    };
    let mut session = match PollSession::open(ctx, server.eio, &[]).await {
        Ok(s) => s,
        Err(refused) => {
            return vec![Finding::warn("post-packets", "could not open a session to test").evidence(refused.line)];
        }
    };
    let mut packets = vec![first];
    packets.extend(std::iter::repeat_n(filler, PACKETS - 1));
    let post = session.post(&packets).await;
    let polled = session.get_until(wait, answered).await;
    let (ok, seen) = (polled.found, polled.packets);
    let lines = session.lines.clone();
    session.close().await;
    let finding = if ok {
        Finding::ok("post-packets", format!("a POST of {PACKETS} packets is taken whole"))
    } else if !control {
        Finding::warn(
            "post-packets",
            "inconclusive: the server answers no CONNECT on polling, even alone",
        )
    } else if post.status() == Some(200) {
        // Clients that upgrade send few packets over polling; polling-only clients send all.
        // (python-engineio announces the upgrade even when it refuses WebSocket: ask the probe.)
        let upgrades = websocket;
        let summary = format!(
            "a POST of {PACKETS} packets was answered {} but its CONNECT never was: the server dropped the whole payload{}",
            post.text().trim(),
            if upgrades {
                " (clients lose packets only while on polling, before the upgrade)"
            } else {
                " (and every client stays on polling here)"
            }
        );
        Finding::new(
            "post-packets",
            if upgrades {
                super::Verdict::Warn
            } else {
                super::Verdict::Fail
            },
            summary,
        )
        .fix(
            "python-engineio takes at most max_decode_packets (16) packets per POST and silently drops larger \
             payloads: raise it on the server (socketio.AsyncServer(max_decode_packets=64) / engineio \
             max_decode_packets), or keep clients under it (sio --max-post-packets 16; socket.io-client batches \
             every queued packet into one POST)",
        )
    } else {
        Finding::fail(
            "post-packets",
            format!("a POST of {PACKETS} packets was refused"),
        )
        .fix("the server refuses payloads of many packets: raise its limit (python-engineio max_decode_packets, socket.io maxHttpBufferSize)")
    };
    let mut finding = finding.with_evidence(lines);
    if !ok && !seen.is_empty() {
        finding = finding.evidence(format!("packets seen instead: {}", seen.join(" ")));
    }
    vec![finding]
}
