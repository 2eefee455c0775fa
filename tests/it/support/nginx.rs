//! nginx in front of Node socket.io servers, for the doctor's proxy tests and
//! the multi-node script tests.
//!
//! Debian's nginx is run with a config written here, on ports the OS picked,
//! one worker (so round robin alternates strictly), never the system service.
//! One nginx serves the whole test binary: each module that needs it adds a
//! [`Site`] to [`SITES`] and gets it back with [`site`].
//! It is installed with apt-get on first use when missing (as the Node
//! packages are installed by [`super::node`]); where that is impossible the
//! tests that need it say so and skip.
//!
//! nginx does not watch its stdin, so it runs [`Tied`] to the test process: no
//! nginx outlives its tests.

use std::any::Any;
use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

pub use super::daemon::free_port;
use super::daemon::{Tied, find_or_install};

/// nginx, installed with apt-get if missing (once per process). `Err` says why it
/// cannot be had.
pub fn ensure_installed() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| find_or_install("nginx", "SIO_TEST_NGINX", "nginx", "the proxy tests"))
        .clone()
}

/// A running nginx; killed on drop (and when the test process exits).
pub struct Nginx {
    _process: Tied,
    pub dir: PathBuf,
}

impl Nginx {
    /// Starts nginx with `http_block` (the inside of `http { }`) and waits until every
    /// port in `ports` accepts connections.
    pub fn start(http_block: &str, ports: &[u16]) -> Result<Nginx, String> {
        let program = ensure_installed()?;
        let dir = std::env::temp_dir().join(format!("sio-nginx-{}-{}", std::process::id(), free_port()));
        fs::create_dir_all(dir.join("tmp")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let d = dir.display();
        let config = format!(
            "worker_processes 1;\nerror_log {d}/error.log warn;\npid {d}/nginx.pid;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/tmp/body;\n  proxy_temp_path {d}/tmp/proxy;\n  \
             fastcgi_temp_path {d}/tmp/fastcgi;\n  uwsgi_temp_path {d}/tmp/uwsgi;\n  scgi_temp_path {d}/tmp/scgi;\n\
             {http_block}\n}}\n"
        );
        let conf = dir.join("nginx.conf");
        fs::write(&conf, config).map_err(|e| format!("{}: {e}", conf.display()))?;
        let command = format!(
            "{} -c {} -p {} -g 'daemon off;'",
            program.display(),
            conf.display(),
            dir.display()
        );
        let mut process = Tied::spawn(&command, "nginx")?;
        if let Err(why) = process.wait_for_ports(ports, "nginx") {
            let log = fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            return Err(format!("{why}{log}"));
        }
        Ok(Nginx { _process: process, dir })
    }

    pub fn error_log(&self) -> String {
        fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// One module's part of the shared nginx: its server blocks (and upstreams, maps,
/// all names its own), the ports they listen on, and whatever must live as long
/// as nginx (the servers it proxies to), for the module to look at again.
pub struct Site {
    pub http: String,
    pub ports: Vec<u16>,
    pub state: Box<dyn Any + Send + Sync>,
}

impl Site {
    /// The module's state, as it made it.
    pub fn state<T: 'static>(&self) -> &T {
        self.state.downcast_ref().expect("the site's own state type")
    }
}

/// Starts a site's servers and says what nginx must do for it.
type StartSite = fn() -> Result<Site, String>;

/// Every site of this test binary, by name: nginx is started once, with all of
/// them, the first time a test asks for one.
const SITES: [(&str, StartSite); 3] = [
    ("doctor", crate::doctor_nginx::site),
    ("nodes", crate::script_nginx::site),
    ("admin", crate::admin_nginx::site),
];

struct Shared {
    _nginx: Nginx,
    sites: Vec<(&'static str, Result<Site, String>)>,
}

/// The site `name` behind the shared nginx, or why there is none (nginx cannot be
/// had here, or the site's own servers could not start).
pub fn site(name: &str) -> Result<&'static Site, String> {
    static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();
    let shared = SHARED.get_or_init(start_shared).as_ref().map_err(Clone::clone)?;
    match shared.sites.iter().find(|(n, _)| *n == name) {
        Some((_, Ok(site))) => Ok(site),
        Some((_, Err(why))) => Err(why.clone()),
        None => Err(format!("no nginx site {name:?}")),
    }
}

/// The state of site `name`, or None after saying on stderr why the test skips.
pub fn site_or_skip<T: 'static>(name: &str) -> Option<&'static T> {
    match site(name) {
        Ok(site) => Some(site.state()),
        Err(why) => {
            eprintln!("SKIPPED: nginx or the servers behind it are not available: {why}");
            None
        }
    }
}

fn start_shared() -> Result<Shared, String> {
    ensure_installed()?;
    // The sites start their servers at the same time: each takes a moment.
    let sites: Vec<(&'static str, Result<Site, String>)> = std::thread::scope(|scope| {
        let started: Vec<_> = SITES.iter().map(|(name, start)| (*name, scope.spawn(start))).collect();
        started
            .into_iter()
            .map(|(name, handle)| {
                (
                    name,
                    handle.join().unwrap_or_else(|_| Err(format!("site {name} panicked"))),
                )
            })
            .collect()
    });
    let mut http = format!("  {CONNECTION_UPGRADE_MAP}\n");
    let mut ports = Vec::new();
    for site in sites.iter().filter_map(|(_, s)| s.as_ref().ok()) {
        http.push_str(&site.http);
        ports.extend(&site.ports);
    }
    let nginx = Nginx::start(&http, &ports)?;
    Ok(Shared { sites, _nginx: nginx })
}

/// The Upgrade and Connection headers a proxied WebSocket needs.
pub const UPGRADE_HEADERS: &str = "proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; \
    proxy_set_header Connection $connection_upgrade;";

/// `map $http_upgrade $connection_upgrade`, as nginx's WebSocket guide has it.
pub const CONNECTION_UPGRADE_MAP: &str = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
