//! `sio doctor`: why a client cannot connect. A battery of probes against one
//! deployment, each ending in findings (✓ / ⚠ / ✗) with the requests and answers
//! that show it and, when something is wrong, the fix in the words of the server
//! and of the proxy in front of it.
//!
//! - [`context`]: what every probe shares (the target, fresh HTTP clients, URLs, timed requests).
//! - [`session`]: a bare polling session and a WebSocket, driven request by request.
//! - [`reach`] (DNS, TCP, TLS with [`cert`]), [`endpoint`] (is it Engine.IO at the path),
//!   [`server`] (which revisions, which make, the handshake), [`transports`] (polling, WebSocket, upgrade, latency),
//!   [`origin`] (CORS), [`sticky`], [`namespaces`], [`packets`] (packets per POST),
//!   [`heartbeat`] (`--deep`): the probes.
//! - [`report`]: findings printed for people or as JSON lines.

pub mod cert;
pub mod context;
pub mod endpoint;
pub mod heartbeat;
pub mod namespaces;
pub mod origin;
pub mod packets;
pub mod reach;
pub mod report;
pub mod server;
pub mod session;
pub mod sticky;
pub mod transports;

use std::time::{Duration, Instant};

use serde::Serialize;

use context::Context;
use transports::Working;

/// How a finding reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Works, or a fact worth knowing.
    Ok,
    /// Works for some clients or setups only, or will break later.
    Warn,
    /// A client configured this way cannot connect, or loses its connection.
    Fail,
}

impl Verdict {
    pub fn mark(self) -> &'static str {
        match self {
            Verdict::Ok => "✓",
            Verdict::Warn => "⚠",
            Verdict::Fail => "✗",
        }
    }
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable name of what was checked (`tcp`, `websocket`, `namespace /admin`…).
    pub id: String,
    pub verdict: Verdict,
    /// What was found, in one sentence.
    pub summary: String,
    /// The requests and answers that show it, in short.
    pub evidence: Vec<String>,
    /// For ⚠ and ✗: what to change, in the server's and the proxy's vocabulary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    pub fn new(id: impl Into<String>, verdict: Verdict, summary: impl Into<String>) -> Finding {
        Finding {
            id: id.into(),
            verdict,
            summary: summary.into(),
            evidence: Vec::new(),
            fix: None,
        }
    }

    pub fn ok(id: impl Into<String>, summary: impl Into<String>) -> Finding {
        Finding::new(id, Verdict::Ok, summary)
    }

    pub fn warn(id: impl Into<String>, summary: impl Into<String>) -> Finding {
        Finding::new(id, Verdict::Warn, summary)
    }

    pub fn fail(id: impl Into<String>, summary: impl Into<String>) -> Finding {
        Finding::new(id, Verdict::Fail, summary)
    }

    pub fn with_evidence(mut self, lines: impl IntoIterator<Item = String>) -> Finding {
        self.evidence.extend(lines);
        self
    }

    pub fn evidence(mut self, line: impl Into<String>) -> Finding {
        self.evidence.push(line.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

/// What the run found, in the order the probes ran, and how long it took.
pub struct Report {
    pub findings: Vec<Finding>,
    pub seconds: f64,
}

impl Report {
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.verdict == Verdict::Fail)
    }
}

/// The default run's time: the probes after it are not started (a server that answers
/// slowly or not at all would otherwise make every probe wait its full step).
pub const BUDGET: Duration = Duration::from_secs(14);

/// Runs every probe that can run: a probe that needs what an earlier one could not
/// reach (no TCP, no Engine.IO endpoint) is not run, since its answer would only
/// repeat the earlier failure.
pub async fn run(mut ctx: Context, deep: bool) -> Report {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + BUDGET;
    let mut findings = Vec::new();
    let reachable = reach::probe(&ctx, &mut findings).await;
    if reachable && let Some(server) = endpoint::probe(&mut ctx, &mut findings).await {
        let found = within(deadline, "transports", transports::probe(&ctx, &server, &mut findings)).await;
        let found = found.unwrap_or_else(|late| {
            findings.push(late);
            Working::default()
        });
        // Alone: other probes' requests in between could pair a round robin up by luck.
        let sticky = within(deadline, "sticky", sticky::probe(&ctx, &server)).await;
        let sticky = sticky.unwrap_or_else(|late| late);
        let sticky_ok = sticky.verdict != Verdict::Fail;
        findings.push(sticky);
        let both = async {
            let (origin, packets) = tokio::join!(
                origin::probe(&ctx, &server),
                packets::probe(&ctx, &server, sticky_ok, found.websocket)
            );
            origin.into_iter().chain(packets).collect::<Vec<_>>()
        };
        findings.extend(within(deadline, "origin", both).await.unwrap_or_else(|late| vec![late]));
        let namespaces = namespaces::probe(&ctx, &server, &found, sticky_ok);
        findings.extend(
            within(deadline, "namespace", namespaces)
                .await
                .unwrap_or_else(|late| vec![late]),
        );
        if deep {
            findings.extend(heartbeat::probe(&ctx, &server, &found).await);
        }
    }
    Report {
        findings,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// A probe's result, or a ⚠ saying it did not finish within the run's time.
async fn within<T>(
    deadline: tokio::time::Instant,
    id: &str,
    probe: impl std::future::Future<Output = T>,
) -> Result<T, Finding> {
    tokio::time::timeout_at(deadline, probe).await.map_err(|_| {
        Finding::warn(
            id,
            format!(
                "not finished within the run's {} s: the server answers slowly or not at all",
                BUDGET.as_secs()
            ),
        )
    })
}
