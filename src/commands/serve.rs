//! `sio serve`: run the embedded Socket.IO server and print what clients do,
//! until Ctrl-C (exit 130) or, with --exit-on-stdin-eof, the end of stdin (exit 0).

use std::io::{Read, Write};
use std::time::Duration;

use super::exit;
use crate::cli::{ServeArgs, ServeTransport};
use crate::serve::{self, Config, Transports};

pub fn run(args: &ServeArgs) -> u8 {
    let config = match config(args) {
        Ok(c) => c,
        Err(message) => {
            return exit::fail(exit::USAGE, message);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            return exit::fail(exit::FAILURE, format!("cannot start the runtime: {e}"));
        }
    };
    runtime.block_on(serve(config, args))
}

fn config(args: &ServeArgs) -> Result<Config, String> {
    if args.ping_interval.is_zero() || args.ping_timeout.is_zero() {
        return Err("--ping-interval and --ping-timeout must be longer than 0".into());
    }
    let polling = args.transports.contains(&ServeTransport::Polling);
    let websocket = args.transports.contains(&ServeTransport::Websocket);
    let transports = match (polling, websocket) {
        (true, true) => Transports::Both,
        (true, false) => Transports::PollingOnly,
        (false, true) => Transports::WebsocketOnly,
        (false, false) => return Err("--transports needs polling, websocket or both".into()),
    };
    Ok(Config {
        host: args.host.clone(),
        port: args.port,
        path: args.path.clone(),
        ping_interval: args.ping_interval,
        ping_timeout: args.ping_timeout,
        transports,
        token: args.token.clone(),
        tick: (!args.no_tick).then_some(Duration::from_secs(1)),
    })
}

/// Resolves once stdin reaches its end (or fails). A plain thread: a blocked
/// read must not hold up the runtime's shutdown.
fn stdin_closed() -> tokio::sync::oneshot::Receiver<()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name("stdin watch".into()).spawn(move || {
        let mut buf = [0u8; 4096];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    if let Err(e) = spawned {
        eprintln!("sio: cannot watch stdin: {e}");
    }
    rx
}

/// Resolves on Ctrl-C (SIGINT). The handler is installed by this call, not at
/// the first poll as with `tokio::signal::ctrl_c`.
fn interrupted() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    #[cfg(windows)]
    let mut signal = tokio::signal::windows::ctrl_c().ok();
    async move {
        match signal.as_mut() {
            Some(s) => {
                s.recv().await;
            }
            // No handler could be installed: the default action (exit) stays.
            None => std::future::pending().await,
        }
    }
}

async fn serve(config: Config, args: &ServeArgs) -> u8 {
    let (server, mut entries) = match serve::start(config).await {
        Ok(ok) => ok,
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                " (--port 0 picks a free port)"
            } else {
                ""
            };
            return exit::fail(exit::FAILURE, format!("{e}{hint}"));
        }
    };
    // Catch Ctrl-C from here on: a test (or a user) may press it as soon as the line below is out.
    let ctrl_c = interrupted();
    tokio::pin!(ctrl_c);
    let addr = server.local_addr();
    if !addr.ip().is_loopback() {
        eprintln!(
            "sio: WARNING: listening on {}, which is not a loopback address. Anyone who can reach \
             this machine can connect, join rooms and make the server flood; --token is a test \
             fixture, not protection. Use this on trusted networks only.",
            addr.ip()
        );
    }
    eprintln!("listening on {}", server.url());

    let stdin_eof = async {
        if args.exit_on_stdin_eof {
            let _ = stdin_closed().await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stdin_eof);

    let stdout = std::io::stdout();
    let mut seq = 0u64;
    let code = loop {
        let entry = tokio::select! {
            e = entries.recv() => e,
            _ = &mut ctrl_c => break exit::INTERRUPTED,
            _ = &mut stdin_eof => break exit::OK,
        };
        // The server holds the sender for as long as it runs.
        let Some(entry) = entry else { break exit::FAILURE };
        let line = if args.json {
            entry.to_json_line(seq)
        } else {
            entry.human_line()
        };
        seq += 1;
        let mut out = stdout.lock();
        if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
            // The reader went away (`| head`): stop quietly.
            break exit::OK;
        }
    };
    server.shutdown(Duration::from_millis(500)).await;
    code
}
