//! What every probe shares: where the server is, the user's connection options,
//! a fresh HTTP client per session (each with its own cookie jar, as separate
//! browsers would have), URLs, and requests bounded in time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use crate::engine::Options;
use crate::engine::cookies::CookieJar;
use crate::engine::http::{HttpClient, Response};
use crate::engine::target::Target;
use crate::output::sanitize::sanitize;
use crate::proto::eio::EioVersion;

/// The longest one probe request may take: the whole default run must end in ~15 s.
pub const STEP: Duration = Duration::from_secs(5);

pub struct Context {
    pub target: Target,
    /// The Engine.IO path in use, verbatim (the endpoint probe may switch to one that answers).
    pub path: String,
    /// The user's connection options (headers, cookies, query, auth, namespaces, --eio).
    pub options: Options,
    pub tls: Arc<rustls::ClientConfig>,
    /// Time for one request or one wait.
    pub step: Duration,
}

/// How a request ended.
pub enum Exchange {
    Answer(Response),
    /// No usable answer: refused, reset, TLS, a name that does not resolve.
    Failed(String),
    /// Nothing came back within the time allowed.
    Silent(Duration),
}

impl Exchange {
    pub fn answer(&self) -> Option<&Response> {
        match self {
            Exchange::Answer(r) => Some(r),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        self.answer().map(|r| r.status)
    }

    /// The answer's body as text, when there is one.
    pub fn text(&self) -> String {
        self.answer()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .unwrap_or_default()
    }

    /// A header of the answer (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.answer().and_then(|r| {
            r.record
                .response_headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        })
    }
}

impl Context {
    pub fn new(options: Options) -> Result<Context, String> {
        let target = Target::parse(&options.url)?;
        // Every probe makes its own jar from these: a bad one is the user's to fix first.
        CookieJar::from_user(&options.cookies)?;
        let tls = crate::engine::tls::client_config(options.ca_cert.as_deref(), options.insecure)?;
        let step = options.timeout.min(STEP);
        Ok(Context {
            target,
            path: crate::engine::target::normalise_path(&options.path),
            options,
            tls,
            step,
        })
    }

    /// A client with the user's headers and cookies, plus `extra` headers, and a jar of its own.
    pub fn client(&self, extra: &[(String, String)]) -> Result<HttpClient, String> {
        let jar = CookieJar::from_user(&self.options.cookies)?;
        let mut headers = self.options.headers.clone();
        headers.extend(extra.iter().cloned());
        HttpClient::new(
            self.tls.clone(),
            headers,
            Arc::new(Mutex::new(jar)),
            self.step,
            self.options.max_payload,
        )
    }

    /// The Engine.IO URL at `path` (verbatim) for a transport, revision and session.
    pub fn url_at(&self, path: &str, websocket: bool, eio: EioVersion, transport: &str, sid: Option<&str>) -> Url {
        let scheme = match (websocket, self.target.secure) {
            (false, false) => "http",
            (false, true) => "https",
            (true, false) => "ws",
            (true, true) => "wss",
        };
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let base = format!("{scheme}://{}{path}", self.target.authority());
        let mut url = Url::parse(&base).unwrap_or_else(|_| Url::parse("http://invalid/").expect("static URL"));
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in self.target.query.iter().chain(&self.options.query) {
                q.append_pair(k, v);
            }
            q.append_pair("EIO", &eio.number().to_string());
            q.append_pair("transport", transport);
            if let Some(sid) = sid {
                q.append_pair("sid", sid);
            }
        }
        url
    }

    /// The Engine.IO URL at the path in use.
    pub fn url(&self, websocket: bool, eio: EioVersion, transport: &str, sid: Option<&str>) -> Url {
        self.url_at(&self.path, websocket, eio, transport, sid)
    }

    /// One request, bounded by `wait`.
    pub async fn send(
        &self,
        client: &HttpClient,
        method: reqwest::Method,
        url: Url,
        body: Option<Vec<u8>>,
        wait: Duration,
    ) -> Exchange {
        let authority = self.target.authority();
        match tokio::time::timeout(wait, client.send(method, url, body, &authority)).await {
            Ok(Ok(response)) => Exchange::Answer(response),
            Ok(Err(failed)) => Exchange::Failed(failed.message),
            Err(_) => Exchange::Silent(wait),
        }
    }

    pub async fn get(&self, client: &HttpClient, url: Url) -> Exchange {
        self.send(client, reqwest::Method::GET, url, None, self.step).await
    }
}

/// `GET /socket.io/?EIO=4&transport=polling → 200 0{"sid":…} (3 ms)`: a request and its
/// answer in one line, the body cut short and made safe for a terminal.
pub fn exchange_line(method: &str, url: &Url, exchange: &Exchange) -> String {
    let request = request_line(method, url);
    match exchange {
        Exchange::Answer(r) => {
            let ms = r.record.millis.unwrap_or(0.0);
            format!("{request} → {} {} ({ms:.0} ms)", r.status, excerpt(&r.body))
                .trim_end()
                .to_string()
        }
        Exchange::Failed(why) => format!("{request} → {why}"),
        Exchange::Silent(wait) => format!("{request} → no answer within {}", seconds(*wait)),
    }
}

/// The request without scheme and host (the report names the host once).
pub fn request_line(method: &str, url: &Url) -> String {
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("{method} {}{query}", url.path())
}

/// A body in at most 100 characters, safe to print.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.replace('\u{1e}', "␞");
    // Pages come with line breaks: one line of evidence is enough to recognise them.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = sanitize(&text).into_owned();
    let mut out: String = text.chars().take(100).collect();
    if text.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// `1.5 s`, `250 ms`.
pub fn seconds(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Milliseconds since `start`, for evidence.
pub fn millis_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}
