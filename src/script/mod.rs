//! The command language shared by `sio run`, `sio emit`, `sio connect`'s line
//! mode and the TUI's command line: [`parse`] turns text into steps without
//! connecting, [`run`] executes them against the engine, [`events`] keeps what
//! `expect` can still take, [`clients`] holds the named connections of one
//! run (`main` and those `client` lines opened), [`admin`] the server's own view
//! for `expect-admin`, [`junit`] reports, and
//! [`generate`] writes a script of a recorded session.

pub mod admin;
pub mod clients;
pub mod events;
pub mod generate;
pub mod junit;
pub mod parse;
pub mod run;
