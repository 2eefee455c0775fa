//! `sio demo`: the embedded server on a free port and a session against it, in
//! one process. On a terminal it is the TUI; otherwise a scripted walkthrough
//! that prints every frame and exits 0 when every step passed.

use std::time::Duration;

use clap::Parser as _;

use super::exit;
use crate::cli::{Cli, Command, DemoArgs};
use crate::serve::{self, Config, Transports};

/// What the walkthrough does, in the command language.
pub const WALKTHROUGH: &str = r#"# The server greets every new socket.
expect welcome
# An event with an ack: the server acks with the same arguments.
emit echo "hello from sio" --ack 2s
expect echo "hello from sio"
# Binary arguments travel as attachments after a BINARY_EVENT header.
emit binary
expect binary
# The server ticks every second.
expect tick --within 3s
# A namespace that wants auth.
join /admin {"token":"secret"}
use /admin
emit echo "hi admin" --ack 2s
"#;

pub fn run(args: &DemoArgs) -> u8 {
    let runtime = match super::common::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    runtime.block_on(demo(args))
}

async fn demo(args: &DemoArgs) -> u8 {
    use std::io::IsTerminal as _;
    let config = Config {
        host: "127.0.0.1".into(),
        port: 0,
        path: "/socket.io/".into(),
        ping_interval: args.ping_interval,
        ping_timeout: Duration::from_secs(20),
        transports: Transports::Both,
        token: "secret".into(),
        tick: Some(Duration::from_secs(1)),
    };
    let (server, mut entries) = match serve::start(config).await {
        Ok(s) => s,
        Err(e) => {
            return exit::fail(exit::FAILURE, format!("cannot start the embedded server: {e}"));
        }
    };
    // The server's own log is not shown here: the client side shows the wire.
    tokio::spawn(async move { while entries.recv().await.is_some() {} });
    let url = server.url();
    let tui = !args.no_tui
        && !args.output.json
        && !args.output.raw
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal();
    let code = if tui {
        let cli = Cli::try_parse_from(["sio", "connect", &url]);
        match cli.map(|c| c.command) {
            Ok(Command::Connect(connect)) => super::connect::ui(&connect, crate::filter::Filter::default()).await,
            _ => exit::FAILURE,
        }
    } else {
        walkthrough(args, &url).await
    };
    server.shutdown(Duration::from_secs(1)).await;
    code
}

async fn walkthrough(args: &DemoArgs, url: &str) -> u8 {
    let mut argv = vec!["sio", "run", url, "-"];
    if args.output.json {
        argv.push("--json");
    } else if args.output.raw {
        argv.push("--raw");
    }
    // The point of the demo is the wire: show every layer.
    argv.push("--frames");
    let Ok(Command::Run(run_args)) = Cli::try_parse_from(argv).map(|c| c.command) else {
        return exit::FAILURE;
    };
    let lines = match crate::script::parse::parse_script(WALKTHROUGH) {
        Ok(l) => l,
        Err(e) => {
            return exit::fail(exit::FAILURE, format!("the demo script does not parse: {e:?}"));
        }
    };
    super::run::run_lines(&run_args, "demo", &lines).await
}
