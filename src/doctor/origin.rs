//! What a browser page from another origin gets: the header CORS needs, or a
//! refusal (python-engineio refuses a foreign `Origin` by default).

use super::Finding;
use super::context::{Context, exchange_line};
use super::endpoint::{Answer, classify};
use super::server::Server;
use super::session::{WsSession, body_of};

/// An origin no deployment admits on purpose.
pub const FOREIGN_ORIGIN: &str = "https://sio-doctor.invalid";

const CORS_FIX: &str = "pages served from this server's own origin need nothing. For pages on other origins: \
    socket.io: new Server({cors: {origin: ['https://app.example.com'], credentials: true}}); \
    python-socketio: AsyncServer(cors_allowed_origins=['https://app.example.com']) (or '*'); \
    behind nginx, do not add a second Access-Control-Allow-Origin with add_header";

pub async fn probe(ctx: &Context, server: &Server) -> Vec<Finding> {
    let extra = [("Origin".to_string(), FOREIGN_ORIGIN.to_string())];
    let client = match ctx.client(&extra) {
        Ok(c) => c,
        Err(e) => return vec![Finding::fail("origin", e)],
    };
    if !server.polling {
        let url = ctx.url(true, server.eio, "websocket", None);
        return vec![match WsSession::open(ctx, &client, url).await {
            Ok(ws) => {
                let line = ws.line.clone();
                ws.close().await;
                Finding::ok(
                    "origin",
                    format!("a WebSocket from {FOREIGN_ORIGIN} is accepted (browsers apply no CORS to WebSocket)"),
                )
                .evidence(line)
            }
            Err(refused) => Finding::warn(
                "origin",
                format!("a WebSocket from another origin is refused: {}", refused.message),
            )
            .evidence(refused.line)
            .fix(CORS_FIX),
        }];
    }
    let url = ctx.url(false, server.eio, "polling", None);
    let exchange = ctx.get(&client, url.clone()).await;
    let line = format!("Origin: {FOREIGN_ORIGIN}: {}", exchange_line("GET", &url, &exchange));
    let allowed = exchange.header("access-control-allow-origin").map(str::to_string);
    let credentials = exchange.header("access-control-allow-credentials").map(str::to_string);
    let finding = match classify(&exchange, server.eio) {
        Answer::Open(opening) => {
            let close = ctx.url(false, opening.eio, "polling", Some(&opening.handshake.sid));
            let _ = ctx
                .send(
                    &client,
                    reqwest::Method::POST,
                    close,
                    Some(body_of(&["1"], opening.eio)),
                    std::time::Duration::from_secs(1),
                )
                .await;
            match allowed.as_deref() {
                Some("*") => Finding::ok(
                    "origin",
                    "pages from any origin can connect (Access-Control-Allow-Origin: *; no cookies sent along)",
                ),
                Some(o) if o == FOREIGN_ORIGIN => Finding::ok(
                    "origin",
                    format!(
                        "pages from other origins can connect (the origin is echoed{})",
                        if credentials.as_deref() == Some("true") {
                            ", with credentials"
                        } else {
                            ""
                        }
                    ),
                ),
                Some(o) => Finding::warn(
                    "origin",
                    format!("CORS admits only {o}: pages on other origins are blocked by the browser"),
                )
                .fix(CORS_FIX),
                None => Finding::warn(
                    "origin",
                    "no Access-Control-Allow-Origin: a browser blocks pages on other origins (same-origin pages and non-browser clients work)",
                )
                .fix(CORS_FIX),
            }
        }
        Answer::Refusal(why) | Answer::Other(why) => {
            Finding::warn("origin", format!("the server refuses a foreign Origin: {why}")).fix(CORS_FIX)
        }
    };
    let mut finding = finding.evidence(line);
    if let Some(a) = allowed {
        finding = finding.evidence(format!("Access-Control-Allow-Origin: {a}"));
    }
    vec![finding]
}
