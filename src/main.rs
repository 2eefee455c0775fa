//! The `sio` binary: parse arguments, run a command, map the result to an exit code.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use sio::cli::{Cli, Command};
use sio::commands::{self, exit};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return ExitCode::from(exit::OK);
            }
            // clap's message ends with a hint line; the reason comes last, as for every failure.
            // Its first paragraph, on one line: "the following required arguments were
            // not provided:" is followed by the arguments on lines of their own.
            let rendered = e.to_string();
            let first: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let first = first.join(" ");
            eprintln!("sio: bad arguments: {}", first.trim_start_matches("error: "));
            return ExitCode::from(exit::USAGE);
        }
    };
    sio::output::init_color(cli.color);
    sio::engine::tls::install_provider();
    let code = match &cli.command {
        Command::Decode(args) => commands::decode::run(args),
        Command::Listen(args) => commands::listen::run(args),
        Command::Emit(args) => commands::emit::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Connect(args) => commands::connect::run(args),
        Command::Replay(args) => commands::replay::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Doctor(args) => commands::doctor::run(args),
        Command::Tap(args) => commands::tap::run(args),
        Command::Admin(args) => commands::admin::run(args),
        Command::Man(args) => commands::man::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "sio", &mut std::io::stdout());
            exit::OK
        }
    };
    // Lines still gathering in the shared stdout buffer go out before exit, and before
    // the reason, which comes last.
    sio::output::stdout::flush();
    if code != exit::OK {
        let why = exit::take_reason().unwrap_or_else(|| exit::fallback_reason(code));
        eprintln!("sio: {}", sio::output::sanitize::sanitize(&why));
    }
    ExitCode::from(code)
}
