//! System daemons the tests run with a config of their own (Debian's nginx and
//! redis-server): found on the machine or installed with apt-get once, and run
//! tied to the test process so that none outlives its tests.

use std::io::{BufRead as _, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// `name` on the PATH or in /usr/sbin, or `$env_var` when set.
pub fn find_program(name: &str, env_var: &str) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env_var) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The program `name`, installed as Debian's `package` with apt-get when missing
/// ([`super::apt::install`]). `Err` says why it cannot be had.
pub fn find_or_install(name: &str, env_var: &str, package: &str, needed_for: &str) -> Result<PathBuf, String> {
    super::apt::install(package, needed_for, env_var, || find_program(name, env_var))
}

/// A port the OS says is free now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A daemon that does not watch its stdin, run under `sh`, which kills it once
/// the test process closes the pipe (on drop, or when the test process exits).
pub struct Tied {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Option<ChildStderr>,
}

impl Tied {
    /// Runs `command` (a shell command line) tied to this process.
    pub fn spawn(command: &str, what: &str) -> Result<Tied, String> {
        let script = format!("{command} & pid=$!; cat >/dev/null; kill $pid; wait $pid");
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {what}: {e}"))?;
        Ok(Tied {
            stdin: child.stdin.take(),
            stderr: child.stderr.take(),
            child,
        })
    }

    /// Waits until every port in `ports` accepts connections; `Err` with the first
    /// lines the daemon wrote on stderr when one does not within 10 s.
    pub fn wait_for_ports(&mut self, ports: &[u16], what: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        for &port in ports {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if Instant::now() > deadline {
                    let mut why = String::new();
                    if let Some(e) = self.stderr.take() {
                        for line in BufReader::new(e).lines().map_while(Result::ok).take(20) {
                            why.push_str(&line);
                            why.push('\n');
                        }
                    }
                    return Err(format!("{what} did not listen on {port} within 10 s:\n{why}"));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }
}

impl Drop for Tied {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
