//! The clients of one script, line-mode session or screen: `main` (the
//! connection the command line describes) and each one a `client` line opened.
//! Every client is a [`Session`] of its own (own engine, cookies, namespaces,
//! events kept for `expect`); all of them hand their records to one
//! [`SharedSink`], and once there are several, each record names its client in
//! `conn`. Front ends run a line with [`Clients::run`], or fork the sessions
//! with [`Clients::forks`] to run a waiting line in the background.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::admin::{AdminSlot, AdminWatch};
use super::events::Bound;
use super::parse::{ADMIN, AdminLine, ClientOptions, MAIN, Step, check_client_name};
use super::run::{RecordSink, Session, SharedSink, Stamp, start_stamped};
use crate::engine::Options;

/// At most this many clients at once: each is an engine with its own sockets
/// and up to [`Bound`] of kept events.
pub const MAX_CLIENTS: usize = 1000;

/// One client: its name and its session.
pub struct Client {
    pub name: String,
    pub session: Session,
}

/// What one client made of a line.
#[derive(Clone, Debug)]
pub struct ClientResult {
    pub client: String,
    pub result: Result<String, String>,
    /// How long this client's run of the line took.
    pub elapsed: Duration,
}

/// The named sessions of one run, `main` first.
pub struct Clients {
    /// The command line's options: every client starts from them.
    defaults: Options,
    bound: Bound,
    sink: SharedSink,
    /// Set once the run has (or will have) more than one client: records carry names.
    named: Arc<AtomicBool>,
    /// How long a `client` line waits for its namespaces.
    ready_within: Duration,
    list: Vec<Client>,
    /// The admin connection, once an `admin` line opened it; every session sees it.
    admin: AdminSlot,
}

impl Clients {
    /// Starts `main` with `defaults`; `named` when the run is known to have other
    /// clients (a script with `client` lines), so that even main's first records
    /// carry its name. Otherwise names start when a second client opens.
    pub fn start(
        defaults: Options,
        sink: impl RecordSink,
        named: bool,
        ready_within: Duration,
    ) -> Result<Clients, String> {
        let mut clients = Clients {
            defaults,
            bound: Bound::default(),
            sink: SharedSink::new(sink),
            named: Arc::new(AtomicBool::new(named)),
            ready_within,
            list: Vec::new(),
            admin: AdminSlot::default(),
        };
        let main = clients.start_session(MAIN, clients.defaults.clone())?;
        clients.list.push(Client {
            name: MAIN.to_string(),
            session: main,
        });
        Ok(clients)
    }

    fn start_session(&self, name: &str, options: Options) -> Result<Session, String> {
        let stamp = Stamp {
            name: name.to_string(),
            on: self.named.clone(),
        };
        let mut session = start_stamped(options, self.bound, self.sink.clone(), Some(stamp))?;
        session.admin = self.admin.clone();
        Ok(session)
    }

    /// Where the admin connection is (or will be).
    pub fn admin_slot(&self) -> AdminSlot {
        self.admin.clone()
    }

    /// Opens the admin connection (without waiting for it: see [`AdminWatch::ready`]).
    pub fn open_admin(&mut self, line: &AdminLine) -> Result<&AdminWatch, String> {
        if self.admin.get().is_some() {
            return Err("the admin connection is already open".into());
        }
        if self.get(ADMIN).is_some() {
            return Err(format!(
                "the admin connection is named {ADMIN:?}, and a client of that name is open"
            ));
        }
        self.named.store(true, Ordering::Relaxed);
        let watch = AdminWatch::start(&self.defaults, line, self.sink.clone())?;
        Ok(self.admin.get_or_init(|| watch))
    }

    /// Opens another client (without waiting for it to connect: see [`Session::ready`]).
    pub fn open(&mut self, name: &str, options: &ClientOptions) -> Result<&Session, String> {
        check_client_name(name)?;
        if name == ADMIN && self.admin.get().is_some() {
            return Err(format!("{ADMIN:?} is the admin connection: pick another name"));
        }
        if self.get(name).is_some() {
            return Err(if name == MAIN {
                "\"main\" is the connection from the command line; pick another name".into()
            } else {
                format!("client {name:?} is already open")
            });
        }
        if self.list.len() >= MAX_CLIENTS {
            return Err(format!("{MAX_CLIENTS} clients are open: no more"));
        }
        // From now on every record names its client, main's included.
        self.named.store(true, Ordering::Relaxed);
        let session = self.start_session(name, with_client_options(&self.defaults, options))?;
        self.list.push(Client {
            name: name.to_string(),
            session,
        });
        let last = self.list.len() - 1;
        Ok(&self.list[last].session)
    }

    pub fn get(&self, name: &str) -> Option<&Session> {
        self.list.iter().find(|c| c.name == name).map(|c| &c.session)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Session> {
        self.list.iter_mut().find(|c| c.name == name).map(|c| &mut c.session)
    }

    /// The connection from the command line.
    pub fn main(&self) -> &Session {
        &self.list[0].session
    }

    pub fn main_mut(&mut self) -> &mut Session {
        &mut self.list[0].session
    }

    /// Every client, `main` first, then in the order they were opened.
    pub fn iter(&self) -> impl Iterator<Item = &Client> {
        self.list.iter()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|c| c.name.as_str())
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How long a new client may take to connect its namespaces.
    pub fn ready_within(&self) -> Duration {
        self.ready_within
    }

    /// Whether records and results name their client (more than one client).
    pub fn is_named(&self) -> bool {
        self.named.load(Ordering::Relaxed)
    }

    /// `name` when results name their client, for "line 6 (carol)".
    pub fn label<'a>(&self, name: &'a str) -> Option<&'a str> {
        self.is_named().then_some(name)
    }

    /// The sessions that run a line addressed to `clients` (none: `speaker`), as
    /// forks that can run in the background; an unknown name is an error.
    pub fn forks(&self, speaker: &str, clients: &[String]) -> Result<Vec<(String, Session)>, String> {
        let speaker = [speaker.to_string()];
        let names = if clients.is_empty() { &speaker[..] } else { clients };
        names
            .iter()
            .map(|name| match self.get(name) {
                Some(session) => Ok((name.clone(), session.fork())),
                None if name == ADMIN && self.admin.get().is_some() => Err(format!(
                    "{ADMIN:?} is the admin connection: it runs no commands (expect-admin lines check the clients' sockets)"
                )),
                None => Err(format!("no client named {name:?}: open it with `client {name}`")),
            })
            .collect()
    }

    /// Runs one line: `client` opens and waits for the new client; `use` sets
    /// each client's namespace; anything else runs as each client at once (each
    /// `expect` within its own time). One result per client, in the line's order.
    pub async fn run(&mut self, speaker: &str, clients: &[String], step: &Step) -> Vec<ClientResult> {
        let started = Instant::now();
        let done = |client: &str, result| ClientResult {
            client: client.to_string(),
            result,
            elapsed: started.elapsed(),
        };
        if let Step::Client { name, options } = step {
            let ready_within = self.ready_within;
            let result = match self.open(name, options) {
                Ok(session) => session
                    .ready(ready_within)
                    .await
                    .map(|()| format!("connected on {}", session.nsp)),
                Err(e) => Err(e),
            };
            return vec![done(name, result)];
        }
        if let Step::Admin(line) = step {
            let ready_within = self.ready_within;
            let result = match self.open_admin(line) {
                Ok(watch) => watch.ready(ready_within).await,
                Err(e) => Err(e),
            };
            return vec![done(ADMIN, result)];
        }
        let forks = match self.forks(speaker, clients) {
            Ok(forks) => forks,
            Err(e) => {
                let who = clients.first().map_or(speaker, String::as_str);
                return vec![done(who, Err(e))];
            }
        };
        if let Step::Use { nsp } = step {
            return forks
                .into_iter()
                .map(|(name, _)| {
                    if let Some(session) = self.get_mut(&name) {
                        session.nsp = nsp.clone();
                    }
                    done(&name, Ok(format!("using {nsp}")))
                })
                .collect();
        }
        run_forks(forks, step).await
    }

    /// Disconnects every client at once; waits until their records reached the sink.
    pub async fn close(self, linger: Duration) {
        let admin = async {
            if let Some(watch) = self.admin.get() {
                watch.close(linger).await;
            }
        };
        let clients = futures_util::future::join_all(self.list.into_iter().map(|c| c.session.close(linger)));
        futures_util::future::join(admin, clients).await;
    }
}

/// Runs `step` on each fork at once; one result per fork, in order.
pub async fn run_forks(forks: Vec<(String, Session)>, step: &Step) -> Vec<ClientResult> {
    let runs = forks.into_iter().map(|(client, mut session)| async move {
        let started = Instant::now();
        let result = session.run(step).await;
        ClientResult {
            client,
            result,
            elapsed: started.elapsed(),
        }
    });
    futures_util::future::join_all(runs).await
}

/// "line 6 (carol)", or "line 6" when results do not name clients.
pub fn line_label(number: usize, client: Option<&str>) -> String {
    match client {
        Some(name) => format!("line {number} ({name})"),
        None => format!("line {number}"),
    }
}

/// The command line's options with a `client` line's on top.
pub fn with_client_options(defaults: &Options, client: &ClientOptions) -> Options {
    let mut options = defaults.clone();
    if let Some(auth) = &client.auth {
        options.auth = Some(auth.clone());
    }
    options
        .query
        .retain(|(k, _)| !client.query.iter().any(|(ck, _)| ck == k));
    options.query.extend(client.query.iter().cloned());
    options
        .headers
        .retain(|(k, _)| !client.headers.iter().any(|(ck, _)| ck.eq_ignore_ascii_case(k)));
    options.headers.extend(client.headers.iter().cloned());
    if !client.cookies.is_empty() {
        let overridden: Vec<&str> = client.cookies.iter().flat_map(|c| cookie_names(c)).collect();
        options.cookies = options
            .cookies
            .iter()
            .filter_map(|list| {
                let kept: Vec<&str> = list
                    .split(';')
                    .map(str::trim)
                    .filter(|pair| !pair.is_empty() && !overridden.contains(&cookie_name(pair)))
                    .collect();
                (!kept.is_empty()).then(|| kept.join("; "))
            })
            .chain(client.cookies.iter().cloned())
            .collect();
    }
    if !client.namespaces.is_empty() {
        options.namespaces = client.namespaces.clone();
    }
    if let Some(transport) = client.transport {
        options.transport = transport;
    }
    options
}

fn cookie_name(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(name, _)| name).trim()
}

fn cookie_names(list: &str) -> impl Iterator<Item = &str> {
    list.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(cookie_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TransportMode;
    use serde_json::json;

    #[test]
    fn a_client_starts_from_the_command_line_and_overrides_by_name() {
        let defaults = Options {
            url: "http://127.0.0.1:3000".into(),
            query: vec![("room".into(), "1".into()), ("v".into(), "2".into())],
            headers: vec![
                ("Authorization".into(), "Bearer main".into()),
                ("X-A".into(), "a".into()),
            ],
            cookies: vec!["a=1; b=2".into(), "c=3".into()],
            auth: Some(json!({"user": "main"})),
            namespaces: vec!["/chat".into()],
            ..Options::default()
        };
        let same = with_client_options(&defaults, &ClientOptions::default());
        assert_eq!(same.query, defaults.query);
        assert_eq!(same.cookies, defaults.cookies);
        assert_eq!(same.auth, defaults.auth);

        let bob = with_client_options(
            &defaults,
            &ClientOptions {
                auth: Some(json!({"user": "bob"})),
                query: vec![("room".into(), "2".into()), ("room".into(), "3".into())],
                headers: vec![("authorization".into(), "Bearer bob".into())],
                cookies: vec!["b=9".into()],
                namespaces: vec!["/admin".into()],
                transport: Some(TransportMode::Websocket),
            },
        );
        assert_eq!(bob.auth, Some(json!({"user": "bob"})));
        assert_eq!(
            bob.query,
            vec![
                ("v".to_string(), "2".to_string()),
                ("room".into(), "2".into()),
                ("room".into(), "3".into())
            ]
        );
        assert_eq!(
            bob.headers,
            vec![
                ("X-A".to_string(), "a".to_string()),
                ("authorization".into(), "Bearer bob".into())
            ]
        );
        assert_eq!(bob.cookies, vec!["a=1".to_string(), "c=3".into(), "b=9".into()]);
        assert_eq!(bob.namespaces, vec!["/admin".to_string()]);
        assert_eq!(bob.transport, TransportMode::Websocket);
        assert_eq!(bob.url, defaults.url);
    }

    #[test]
    fn labels_name_the_client_only_when_asked() {
        assert_eq!(line_label(6, Some("carol")), "line 6 (carol)");
        assert_eq!(line_label(6, None), "line 6");
    }
}
