//! Real python-socketio servers (and a client) for the integration tests.
//!
//! The peers live in `tests/peers/python/`: `server.py` runs a python-socketio
//! `AsyncServer` on aiohttp, `client.py` a python-socketio `AsyncClient`. Their
//! packages are pinned by `requirements.txt` and installed on first use by
//! [`ensure_installed`] into `tests/peers/python/.venv` (python3 with its `venv`
//! module must be on the PATH, or set `SIO_TEST_PYTHON`).
//!
//! ```ignore
//! let server = PythonServer::start(&["--transports", "websocket"]);
//! connect_somehow(&server.url());
//! server.wait_for_log_containing(r#""event": "echo""#);
//! ```
//!
//! # What the server does
//!
//! As the Node servers (see [`super::node`]): it binds 127.0.0.1 on a port
//! the OS picks, prints `LISTENING <port>`, logs one JSON object per line on
//! stderr (`listening`, `connect`, `refused`, `event`, `answer`, `join`,
//! `leave`, `flood_done`, `disconnect`; with `--log-packets` also `packet_in`
//! and `packet_out`) and exits when its stdin closes. Python writes JSON with
//! a space after `:` and `,` (`{"t": "event"}`). Bytes appear as `{"$hex": "010203"}`.
//!
//! Flags: `--transports websocket|polling|both`, `--parser msgpack`,
//! `--ping-interval MS` (python-engineio pings every MS but announces whole
//! seconds in the handshake: 300 is announced as `"pingInterval":0`),
//! `--ping-timeout MS`, `--cors ORIGIN` (repeatable; default any origin),
//! `--max-decode-packets N` (python-engineio takes 16 packets per POST by
//! default; a POST with more is answered `ok` and all its packets are dropped,
//! the error only in the server's log), `--max-http-buffer-size N`,
//! `--always-connect` (python-socketio answers CONNECT before its handler
//! runs, and sends a refusal as a DISCONNECT with the reason as data),
//! `--path P` (default `socket.io`), `--log-packets`. A bad flag exits with 2.
//!
//! Behaviour on `/` and `/admin` is server-v4.js's (welcome, echo, acks with
//! the args, ask/answered, join/leave/to/to-others/broadcast, binary, disconnect-me, flood and
//! flood-done; `/admin` wants auth `{token: "secret"}`), with python-socketio's
//! own wire habits, which the dialect tests rely on: what the connect handler
//! emits (`welcome`) goes out before the CONNECT reply, an unknown namespace
//! gets `44/nope,"Unable to connect"`, and with msgpack every packet carries
//! `data` (nil in a DISCONNECT).

use std::fs;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use super::peer::{PeerProcess, fnv1a64, install_once_locked};

/// `tests/peers/python/` in this crate.
pub fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("peers")
        .join("python")
}

/// The python that makes the venv: `$SIO_TEST_PYTHON` or `python3` on the PATH.
fn base_python() -> String {
    std::env::var("SIO_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn venv_dir() -> PathBuf {
    python_dir().join(".venv")
}

/// The venv's python, which runs the peers.
fn venv_python() -> PathBuf {
    if cfg!(windows) {
        venv_dir().join("Scripts").join("python.exe")
    } else {
        venv_dir().join("bin").join("python")
    }
}

/// Make sure `tests/peers/python/.venv` holds exactly `requirements.txt`.
///
/// As the Node install: at most once per test process, and across processes
/// under a lock on `tests/peers/python/.install.lock`; a stamp in the venv
/// holds a hash of the requirements, and a changed file rebuilds the venv.
/// Panics with an actionable message when python or pip fails.
pub fn ensure_installed() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(message) = INSTALLED.get_or_init(install) {
        panic!("{message}");
    }
}

fn install() -> Result<(), String> {
    let dir = python_dir();
    let requirements = fs::read(dir.join("requirements.txt"))
        .map_err(|e| format!("cannot read tests/peers/python/requirements.txt: {e}"))?;
    let want = format!("{:016x}\n", fnv1a64(&requirements));
    let stamp = venv_dir().join(".sio-install-stamp");
    install_once_locked(&dir.join(".install.lock"), &stamp, &want, || make_venv(&dir))
}

fn make_venv(dir: &Path) -> Result<(), String> {
    eprintln!("installing the python test peers: a venv in {}", venv_dir().display());
    let started = Instant::now();
    // --clear: a venv from older requirements is rebuilt, not patched.
    run(
        Command::new(base_python())
            .args(["-m", "venv", "--clear"])
            .arg(venv_dir()),
        "make the venv",
    )?;
    run(
        Command::new(venv_python())
            .args([
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "--quiet",
                "-r",
                "requirements.txt",
            ])
            .current_dir(dir),
        "pip install -r requirements.txt (is the package registry reachable?)",
    )?;
    eprintln!("the python venv took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command.stdin(Stdio::null()).output().map_err(|e| {
        format!(
            "could not {what}: {e}. The python-socketio tests need python3 (>= 3.9, with venv) on \
             the PATH, or SIO_TEST_PYTHON set to one."
        )
    })?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "could not {what} ({}).\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    ))
}

/// A running python-socketio server. Killed on drop. Everything about the
/// process (`url()`, `wait_for_log_containing()`, ...) is [`PeerProcess`]'s.
pub struct PythonServer {
    process: PeerProcess,
}

impl Deref for PythonServer {
    type Target = PeerProcess;
    fn deref(&self) -> &PeerProcess {
        &self.process
    }
}

impl PythonServer {
    /// Start `server.py` with these flags and wait for its `LISTENING` line;
    /// panics with its stderr if it does not start.
    pub fn start(opts: &[&str]) -> PythonServer {
        Self::try_start(opts).unwrap_or_else(|message| panic!("{message}"))
    }

    /// Like [`PythonServer::start`], returning the failure with the server's stderr.
    pub fn try_start(opts: &[&str]) -> Result<PythonServer, String> {
        ensure_installed();
        let mut command = Command::new(venv_python());
        // -u: unbuffered, so every log line arrives as it is written.
        command.arg("-u").arg("server.py").args(opts).current_dir(python_dir());
        let process = PeerProcess::spawn(command, "python server.py")?;
        Ok(PythonServer { process })
    }

    /// See [`PeerProcess::shutdown`].
    pub fn shutdown(self) -> ExitStatus {
        self.process.shutdown()
    }
}

/// The venv's python (installed first), to run a script of the test's own.
pub fn venv_python_command() -> Command {
    ensure_installed();
    Command::new(venv_python())
}

/// `client.py` with these arguments (see its docstring), ready to run: it
/// prints JSON lines on stdout and exits 0 when everything went through.
pub fn client_command(args: &[&str]) -> Command {
    ensure_installed();
    let mut command = Command::new(venv_python());
    command.arg("-u").arg("client.py").args(args).current_dir(python_dir());
    command
}
