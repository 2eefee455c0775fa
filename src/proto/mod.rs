//! The pure protocol codec: bytes in, values out. No IO, no clock, no tokio.
//!
//! - [`eio`]: Engine.IO packets (revisions 3 and 4) and the open handshake.
//! - [`payload`]: polling bodies that carry many Engine.IO packets.
//! - [`sio`]: Socket.IO packets in the default JSON text encoding.
//! - [`json_scan`]: reading JSON text's shape without building a value.
//! - [`json_text`]: packet data kept as the JSON text that crossed the wire.
//! - [`binary`]: putting binary packets back together from header and attachments.
//! - [`frame`]: one frame through every layer, as records show it.
//! - [`msgpack`]: the socket.io-msgpack-parser encoding.

#[cfg(test)]
mod arbitrary_json;
pub mod binary;
pub mod eio;
pub mod frame;
pub mod json_scan;
pub mod json_text;
pub mod msgpack;
pub mod payload;
pub mod sio;
