//! `flood {n, size}`: `n` events "flood" carrying `size` × "x", as fast as the
//! connection takes them.

use std::time::Duration;

use socketioxide::extract::SocketRef;
use socketioxide::{SendError, SocketError};

use super::args::Arg;

/// Largest string one flood event carries (1 MiB): enough for load tests, and
/// a client cannot make the server allocate without bound.
pub const MAX_SIZE: usize = 1 << 20;

/// `{n, size}` from the request; missing or bad values count as 0, sizes are capped at [`MAX_SIZE`].
pub fn params(request: Option<&Arg>) -> (u64, usize) {
    let field = |name: &str| request.and_then(|r| r.get(name)).and_then(Arg::as_count).unwrap_or(0);
    let size = usize::try_from(field("size")).unwrap_or(MAX_SIZE).min(MAX_SIZE);
    (field("n"), size)
}

/// Sends the events; returns how many went out (fewer when the client left).
///
/// socketioxide queues each emit in a bounded per-connection buffer and says
/// "full" instead of waiting; it has no way to wait for room, so a full buffer
/// is retried after a short pause (the transport drains it meanwhile).
pub async fn run(socket: &SocketRef, n: u64, size: usize) -> u64 {
    let text = "x".repeat(size);
    let mut sent = 0;
    while sent < n && socket.connected() {
        match socket.emit("flood", &text) {
            Ok(()) => {
                sent += 1;
                if sent % 64 == 0 {
                    // Let the transport and other clients run.
                    tokio::task::yield_now().await;
                }
            }
            Err(SendError::Socket(SocketError::InternalChannelFull)) => {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            Err(_) => break,
        }
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_default_to_zero_and_cap_the_size() {
        assert_eq!(params(None), (0, 0));
        assert_eq!(params(Some(&Arg::from(json!({"n": 5, "size": 10})))), (5, 10));
        assert_eq!(params(Some(&Arg::from(json!({"n": "5"})))), (0, 0));
        assert_eq!(params(Some(&Arg::from(json!({"n": 1, "size": 1e12})))), (1, MAX_SIZE));
    }
}
