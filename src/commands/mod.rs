//! One module per subcommand; each returns the process exit code.

pub mod admin;
pub mod common;
pub mod connect;
pub mod decode;
pub mod demo;
pub mod diff;
pub mod doctor;
pub mod emit;
pub mod listen;
pub mod man;
pub mod replay;
pub mod run;
pub mod serve;
pub mod tap;

/// Exit codes shared by every command, and the one line that says why a command failed.
pub mod exit {
    use std::sync::Mutex;

    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INTERRUPTED: u8 = 130;

    static WHY: Mutex<Option<String>> = Mutex::new(None);

    /// Notes why the command fails and gives back its exit code. `main` prints the
    /// reason as the last line on stderr (`sio: …`), after anything else the
    /// command wrote, so a user and a script find it in one place. The first reason
    /// wins: later ones are consequences.
    pub fn fail(code: u8, why: impl std::fmt::Display) -> u8 {
        let mut slot = WHY.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert_with(|| why.to_string());
        code
    }

    /// The reason noted by [`fail`], taken (once).
    pub fn take_reason() -> Option<String> {
        WHY.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// What to say when a command exits non-zero without a reason of its own.
    pub fn fallback_reason(code: u8) -> String {
        match code {
            INTERRUPTED => "interrupted".into(),
            USAGE => "bad arguments".into(),
            _ => format!("failed (exit {code})"),
        }
    }
}
