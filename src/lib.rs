//! sio: a terminal tool for people who build and debug Socket.IO systems.
//!
//! Frames flow one way: transport → [`proto`] decode → [`record::Record`] → observers
//! (printers, recorder, TUI). Commands flow the other way.
//!
//! - [`proto`]: the pure wire codec (Engine.IO, Socket.IO, msgpack).
//! - [`diff`]: two recordings compared step by step (`sio diff`).
//! - [`engine`]: the client engine (transports, handshake, heartbeats, upgrade, namespaces, acks, reconnect).
//! - [`record`]: the one record type every front end shares, and its NDJSON form.
//! - [`har`]: browser HAR files (DevTools' saved network log) read as records.
//! - [`explain`]: a frame explained part by part, for people.
//! - [`filter`]: the filter language of `/` and `--filter` (parse an expression, match records).
//! - [`doctor`]: the probes behind `sio doctor` (why a client cannot connect).
//! - [`script`]: the command language (parse, run, JUnit report; a recorded session as a script).
//! - [`snippets`]: the same connection as socket.io-client and python-socketio code.

//! - [`stats`]: statistics of a record stream (per event, namespace, transport; heartbeats), fed one record at a time.
//! - [`serve`]: the embedded Socket.IO server behind `sio serve` (socketioxide).
//! - [`tap`]: the recording reverse proxy behind `sio tap` (a real app's own traffic, decoded).
//! - [`tui`]: the terminal UI (model, view, keys), generic over the ratatui backend.
//! - [`admin`]: `sio admin`: an instrumented server's sockets, rooms and events (the Admin UI's namespace).
//! - [`cli`]: the command line; [`man`]: its manual pages.

#![forbid(unsafe_code)]

pub mod admin;
pub mod cli;
pub mod commands;
pub mod diff;
pub mod doctor;
pub mod engine;
pub mod explain;
pub mod filter;
pub mod har;
pub mod man;
pub mod output;
pub mod proto;
pub mod record;
pub mod script;
pub mod serve;
pub mod snippets;
pub mod stats;
pub mod tap;
pub mod tui;
