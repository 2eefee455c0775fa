//! `sio emit`: connect, emit one event, optionally wait for its ack, exit.

use super::common::{ready_within, runtime, say, start_session};
use super::exit;
use crate::cli::EmitArgs;
use crate::script::parse::{Step, arg_from_cli};

pub fn run(args: &EmitArgs) -> u8 {
    match runtime() {
        Ok(rt) => rt.block_on(emit(args)),
        Err(code) => code,
    }
}

async fn emit(args: &EmitArgs) -> u8 {
    let step_args = match args.args.iter().map(|a| arg_from_cli(a)).collect::<Result<Vec<_>, _>>() {
        Ok(a) => a,
        Err(e) => {
            return exit::fail(exit::USAGE, e);
        }
    };
    if let Err(e) = crate::engine::check_event_name(&args.event) {
        return exit::fail(exit::USAGE, e);
    }
    let step = Step::Emit {
        event: args.event.clone(),
        args: step_args,
        ack: args.ack,
    };
    let wait = ready_within(&args.connect);
    let mut session = match start_session(&args.connect, args.output.printer(Vec::new())) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let code = match session.ready(wait).await {
        Err(e) => exit::fail(exit::FAILURE, e),
        Ok(()) => match session.run(&step).await {
            Ok(message) => {
                if args.ack.is_some() {
                    say(
                        args.output.json,
                        serde_json::json!({"kind": "result", "ok": true, "message": message}),
                        &format!("✓ {message}"),
                    );
                }
                exit::OK
            }
            Err(e) => exit::fail(exit::FAILURE, e),
        },
    };
    session.close(std::time::Duration::from_secs(2)).await;
    code
}
