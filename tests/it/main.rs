//! The single integration test binary (one link step for all integration
//! tests). Each module below is one area; `support` holds shared helpers.

mod support;

mod code_snippets;
mod codec_props;
mod decode_cli;
mod demo_cli;
mod dialects_real;
mod doctor_nginx;
mod doctor_node;
mod doctor_python;
mod doctor_tls;
mod engine_heartbeat;
mod engine_hostile;
mod engine_messages;
mod engine_namespaces;
mod engine_session;
mod engine_smoke;
mod engine_transports;
mod engine_upgrade;
mod engine_util;
mod failures_cli;
mod filter_real;
mod fixtures;
mod listen_cli;
mod man_cli;
mod node_harness;
mod python_peer;
mod script_cli;
mod script_clients;
mod script_generate;
mod script_nginx;
mod serve_cli;
mod tap_browser;
mod tap_clients;
mod tap_more;
mod tls;
mod tui_render;
mod tui_tmux;
mod vectors;
