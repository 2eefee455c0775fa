//! socket.io-msgpack-parser (placeholder, filled in below).
