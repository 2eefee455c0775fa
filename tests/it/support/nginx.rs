//! nginx in front of Node socket.io servers, for the doctor's proxy tests.
//!
//! Debian's nginx is run with a config written here, on ports the OS picked,
//! one worker (so round robin alternates strictly), never the system service.
//! It is installed with apt-get on first use when missing (as the Node
//! packages are installed by [`super::node`]); where that is impossible the
//! tests that need it say so and skip.
//!
//! nginx does not watch its stdin, so it runs under `sh` that kills it once
//! the test process closes the pipe: no nginx outlives its tests.

use std::fs;
use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The nginx binary: `$SIO_TEST_NGINX`, or `nginx` on the PATH or in /usr/sbin.
fn nginx_program() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SIO_TEST_NGINX") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file())
}

/// nginx, installed with apt-get if missing (once per process). `Err` says why it
/// cannot be had.
pub fn ensure_installed() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| super::apt::install("nginx", "the doctor's proxy tests", "SIO_TEST_NGINX", nginx_program))
        .clone()
}

/// A port the OS says is free now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running nginx; killed on drop (and when the test process exits).
pub struct Nginx {
    child: Child,
    stdin: Option<ChildStdin>,
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
        let script = format!(
            "{} -c {} -p {} -g 'daemon off;' & pid=$!; cat >/dev/null; kill $pid",
            program.display(),
            conf.display(),
            dir.display()
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start nginx: {e}"))?;
        let stdin = child.stdin.take();
        let stderr = child.stderr.take();
        let nginx = Nginx { child, stdin, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        for &port in ports {
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if Instant::now() > deadline {
                    let mut why = String::new();
                    if let Some(e) = stderr {
                        for line in BufReader::new(e).lines().map_while(Result::ok).take(20) {
                            why.push_str(&line);
                            why.push('\n');
                        }
                    }
                    let log = fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                    return Err(format!("nginx did not listen on {port} within 10 s:\n{why}{log}"));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(nginx)
    }

    pub fn error_log(&self) -> String {
        fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The Upgrade and Connection headers a proxied WebSocket needs.
pub const UPGRADE_HEADERS: &str = "proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; \
    proxy_set_header Connection $connection_upgrade;";

/// `map $http_upgrade $connection_upgrade`, as nginx's WebSocket guide has it.
pub const CONNECTION_UPGRADE_MAP: &str = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
