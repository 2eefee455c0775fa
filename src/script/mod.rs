//! The command language shared by `sio run`, `sio emit`, `sio connect`'s line
//! mode and the TUI's command line: [`parse`] turns text into steps without
//! connecting, [`run`] executes them against the engine, [`events`] keeps what
//! `expect` can still take, [`junit`] reports.

pub mod events;
pub mod junit;
pub mod parse;
pub mod run;
