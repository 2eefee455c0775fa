//! When buffered output is written out: at once when records come one by one,
//! at most every [`FLUSH_EVERY`] while they pour in. Flushing whenever the
//! record channel is empty alone is not enough: during a flood the consumer
//! often catches up with the engine, and every record became a write again.

use std::time::{Duration, Instant};

/// The longest a line waits in a buffer once no record is waiting.
pub const FLUSH_EVERY: Duration = Duration::from_millis(5);

#[derive(Debug, Default)]
pub struct FlushPacer {
    /// The last write-out; none yet at the start.
    last: Option<Instant>,
    /// A flush is owed by then.
    due: Option<Instant>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Pace {
    /// Write out now.
    Flush,
    /// A flush is owed at this time: set the timer.
    FlushAt(Instant),
    /// The timer already set stays.
    Wait,
}

impl FlushPacer {
    /// After a record, when no other is waiting.
    pub fn idle(&mut self, now: Instant) -> Pace {
        let last = match self.last {
            Some(last) if now.saturating_duration_since(last) < FLUSH_EVERY => last,
            _ => {
                self.flushed(now);
                return Pace::Flush;
            }
        };
        if self.due.is_some() {
            return Pace::Wait;
        }
        let due = last + FLUSH_EVERY;
        self.due = Some(due);
        Pace::FlushAt(due)
    }

    /// Whether a flush is owed (the timer is set).
    pub fn owed(&self) -> bool {
        self.due.is_some()
    }

    /// Output was written out (at a due time, or at the end).
    pub fn flushed(&mut self, now: Instant) {
        self.last = Some(now);
        self.due = None;
    }
}

/// A [`FlushPacer`] with its one timer, for a consumer's select loop: after each
/// record, [`FlushTimer::after_record`] says whether to write out now; otherwise
/// [`FlushTimer::due`] resolves when the owed write-out is due.
pub struct FlushTimer {
    pacer: FlushPacer,
    // One timer, moved only when a new write-out is owed.
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl Default for FlushTimer {
    fn default() -> Self {
        FlushTimer {
            pacer: FlushPacer::default(),
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
        }
    }
}

impl FlushTimer {
    /// After a record; `more_waiting` when the channel holds more. True: write out now.
    pub fn after_record(&mut self, more_waiting: bool) -> bool {
        if more_waiting {
            return false;
        }
        match self.pacer.idle(Instant::now()) {
            Pace::Flush => true,
            Pace::FlushAt(due) => {
                self.timer.as_mut().reset(due.into());
                false
            }
            Pace::Wait => false,
        }
    }

    /// Resolves when an owed write-out is due (never while none is owed); the caller
    /// writes out, and this counts as done.
    pub async fn due(&mut self) {
        if !self.pacer.owed() {
            return std::future::pending().await;
        }
        self.timer.as_mut().await;
        self.pacer.flushed(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_records_flush_at_once_and_a_flood_at_most_every_few_ms() {
        let start = Instant::now();
        let mut pacer = FlushPacer::default();
        assert_eq!(pacer.idle(start), Pace::Flush, "the first record goes out at once");
        let ms = |n| start + Duration::from_millis(n);
        assert_eq!(pacer.idle(ms(20)), Pace::Flush, "records far apart go out at once");
        // Records close together wait for one write, at a time that does not move.
        assert_eq!(pacer.idle(ms(21)), Pace::FlushAt(ms(25)));
        assert!(pacer.owed());
        assert_eq!(pacer.idle(ms(23)), Pace::Wait);
        pacer.flushed(ms(25));
        assert!(!pacer.owed());
        assert_eq!(pacer.idle(ms(26)), Pace::FlushAt(ms(30)));
        assert_eq!(pacer.idle(ms(31)), Pace::Flush, "a due flush is not put off");
    }
}
