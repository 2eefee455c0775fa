//! The periodic "tick" on "/", so a fresh session has something live to watch.

use std::time::Duration;

use socketioxide::SocketIo;

use super::args::Arg;
use crate::record::Timestamp;

/// Emits `tick {n, time}` to every socket of "/" every `period`, n counting from 1.
pub(super) async fn run(io: SocketIo, period: Duration) {
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut n: u64 = 0;
    loop {
        interval.tick().await;
        n += 1;
        let tick = Arg::Object(vec![
            ("n".into(), Arg::Number(n.into())),
            ("time".into(), Arg::String(Timestamp::now().to_string())),
        ]);
        if let Some(root) = io.of("/") {
            let _ = root.emit("tick", &tick).await;
        }
    }
}
