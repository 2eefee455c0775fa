//! The `sio` binary: parse arguments, run a command, map the result to an exit code.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use sio::cli::{Cli, Command};
use sio::commands::{self, exit};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
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
        Command::Serve(args) => commands::serve::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "sio", &mut std::io::stdout());
            exit::OK
        }
    };
    // Lines still gathering in the shared stdout buffer go out before exit.
    sio::output::stdout::flush();
    ExitCode::from(code)
}
