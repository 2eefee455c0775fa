//! One module per subcommand; each returns the process exit code.

pub mod common;
pub mod connect;
pub mod decode;
pub mod demo;
pub mod emit;
pub mod listen;
pub mod replay;
pub mod run;
pub mod serve;

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INTERRUPTED: u8 = 130;
}
