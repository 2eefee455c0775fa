//! The single integration test binary (one link step for all integration
//! tests). Each module below is one area; `support` holds shared helpers.

mod support;

mod codec_props;
mod decode_cli;
mod engine_smoke;
mod engine_transports;
mod engine_util;
mod fixtures;
mod node_harness;
