//! The events an `expect` can still take: kept in arrival order, each taken at
//! most once, and bounded by count, size and age so that a long or flooded
//! session keeps its memory flat. Pure: the caller passes the time.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::proto::frame::JsonText;

/// How much of the past `expect` can still reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The newest this many events are kept.
    pub count: usize,
    /// Their data (and names) together take at most about this many bytes; the newest event is always kept.
    pub bytes: usize,
    /// Events older than this are let go.
    pub age: Duration,
}

impl Default for Bound {
    fn default() -> Self {
        Bound {
            count: 10_000,
            bytes: 32 << 20,
            age: Duration::from_secs(300),
        }
    }
}

/// An event the server sent, as the decoder left it (nothing parsed).
#[derive(Clone, Debug)]
pub struct SeenEvent {
    pub nsp: String,
    pub name: String,
    /// The whole packet data, `["name", args...]`, as on the wire.
    pub data: JsonText,
}

impl SeenEvent {
    /// What it costs to keep, roughly: the texts and the bookkeeping around them.
    fn size(&self) -> usize {
        self.nsp.len() + self.name.len() + self.data.as_str().len() + std::mem::size_of::<Kept>()
    }
}

#[derive(Debug)]
struct Kept {
    event: SeenEvent,
    arrived: Instant,
    taken: bool,
}

/// Position in the stream of events: each `expect` keeps one and looks only at
/// what arrived after it, so waiting through N events costs N checks, not N².
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor(u64);

#[derive(Debug)]
pub struct EventQueue {
    kept: VecDeque<Kept>,
    /// Stream position of `kept[0]`.
    first: u64,
    bytes: usize,
    bound: Bound,
    /// Events let go before any `expect` took them, since the start.
    let_go: u64,
}

impl EventQueue {
    pub fn new(bound: Bound) -> EventQueue {
        EventQueue {
            kept: VecDeque::new(),
            first: 0,
            bytes: 0,
            bound,
            let_go: 0,
        }
    }

    pub fn bound(&self) -> Bound {
        self.bound
    }

    /// Events that arrived and were let go untaken, since the start.
    pub fn let_go(&self) -> u64 {
        self.let_go
    }

    /// Events kept (taken ones not yet at the front included).
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    pub fn push(&mut self, event: SeenEvent, now: Instant) {
        self.bytes += event.size();
        self.kept.push_back(Kept {
            event,
            arrived: now,
            taken: false,
        });
        while self.kept.len() > self.bound.count || (self.bytes > self.bound.bytes && self.kept.len() > 1) {
            self.pop_front();
        }
        self.forget_older_than(now);
    }

    /// Lets go of what passed the age bound.
    pub fn forget_older_than(&mut self, now: Instant) {
        while self
            .kept
            .front()
            .is_some_and(|k| now.saturating_duration_since(k.arrived) > self.bound.age)
        {
            self.pop_front();
        }
    }

    fn pop_front(&mut self) {
        if let Some(k) = self.kept.pop_front() {
            self.first += 1;
            if !k.taken {
                self.bytes -= k.event.size();
                self.let_go += 1;
            }
        }
    }

    /// The index in `kept` of the oldest event at or after `cursor` that no one
    /// took and `wanted` accepts; the cursor moves past every event looked at.
    fn seek(&self, cursor: &mut Cursor, mut wanted: impl FnMut(&SeenEvent) -> bool) -> Option<usize> {
        let start = cursor.0.max(self.first);
        let offset = (start - self.first) as usize;
        let found = self
            .kept
            .iter()
            .skip(offset)
            .position(|k| !k.taken && wanted(&k.event))
            .map(|i| i + offset);
        cursor.0 = self.first + found.map_or(self.kept.len(), |i| i + 1) as u64;
        found
    }

    /// The oldest event at or after `cursor` that no one took and `wanted`
    /// accepts, and when it arrived, leaving it for others (`expect-none`).
    pub fn find(&self, cursor: &mut Cursor, wanted: impl FnMut(&SeenEvent) -> bool) -> Option<(SeenEvent, Instant)> {
        let i = self.seek(cursor, wanted)?;
        let kept = &self.kept[i];
        Some((kept.event.clone(), kept.arrived))
    }

    /// Takes the oldest event at or after `cursor` that no one took and `wanted`
    /// accepts, and moves the cursor past every event it looked at.
    pub fn take(&mut self, cursor: &mut Cursor, wanted: impl FnMut(&SeenEvent) -> bool) -> Option<SeenEvent> {
        let i = self.seek(cursor, wanted)?;
        let kept = &mut self.kept[i];
        kept.taken = true;
        self.bytes -= kept.event.size();
        let event = SeenEvent {
            nsp: std::mem::take(&mut kept.event.nsp),
            name: std::mem::take(&mut kept.event.name),
            data: std::mem::replace(&mut kept.event.data, JsonText::new("")),
        };
        // Taken events at the front hold nothing anyone can use.
        while self.kept.front().is_some_and(|k| k.taken) {
            self.kept.pop_front();
            self.first += 1;
        }
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str) -> SeenEvent {
        SeenEvent {
            nsp: "/".into(),
            name: name.into(),
            data: JsonText::new(data),
        }
    }

    fn named<'a>(name: &'a str) -> impl FnMut(&SeenEvent) -> bool + 'a {
        move |e| e.name == name
    }

    #[test]
    fn the_oldest_untaken_match_is_taken_once() {
        let now = Instant::now();
        let mut q = EventQueue::new(Bound::default());
        q.push(event("a", r#"["a",1]"#), now);
        q.push(event("b", r#"["b",2]"#), now);
        q.push(event("a", r#"["a",3]"#), now);
        let mut first = Cursor::default();
        let mut second = Cursor::default();
        assert_eq!(
            q.take(&mut first, named("a")).map(|e| e.data),
            Some(JsonText::new(r#"["a",1]"#))
        );
        // Another waiter starting from the beginning does not get the taken one again.
        assert_eq!(
            q.take(&mut second, named("a")).map(|e| e.data),
            Some(JsonText::new(r#"["a",3]"#))
        );
        assert!(q.take(&mut Cursor::default(), named("a")).is_none());
        assert_eq!(
            q.take(&mut Cursor::default(), named("b")).map(|e| e.name),
            Some("b".into())
        );
        assert!(q.is_empty(), "taken events do not stay");
        assert_eq!(q.let_go(), 0);
    }

    #[test]
    fn a_cursor_looks_at_each_event_once() {
        let now = Instant::now();
        let mut q = EventQueue::new(Bound::default());
        let mut cursor = Cursor::default();
        let mut looked = 0;
        for i in 0..1000 {
            q.push(event("flood", "[\"flood\"]"), now);
            // A waiter woken after every event, as during a flood.
            let found = q.take(&mut cursor, |e| {
                looked += 1;
                e.name == "done"
            });
            assert!(found.is_none(), "event {i}");
        }
        assert_eq!(looked, 1000, "one check per event, not one per event and wake-up");
        q.push(event("done", "[\"done\"]"), now);
        assert!(q.take(&mut cursor, named("done")).is_some());
        assert_eq!(looked, 1000);
        // Untaken events stay for later expects, which start from the beginning
        // (the taken one keeps its place, empty, until it reaches the front).
        assert_eq!(q.len(), 1001);
        assert!(q.take(&mut Cursor::default(), named("flood")).is_some());
    }

    #[test]
    fn find_looks_without_taking_and_skips_what_was_taken() {
        let now = Instant::now();
        let mut q = EventQueue::new(Bound::default());
        q.push(event("a", r#"["a",1]"#), now);
        q.push(event("a", r#"["a",2]"#), now + Duration::from_millis(5));
        assert!(q.take(&mut Cursor::default(), named("a")).is_some());
        let mut cursor = Cursor::default();
        let (found, arrived) = q.find(&mut cursor, named("a")).expect("the untaken one");
        assert_eq!(found.data, JsonText::new(r#"["a",2]"#));
        assert_eq!(arrived, now + Duration::from_millis(5));
        // Still there for an expect, and the cursor moved past it.
        assert!(q.find(&mut cursor, named("a")).is_none());
        assert!(q.take(&mut Cursor::default(), named("a")).is_some());
        assert!(q.find(&mut Cursor::default(), named("a")).is_none());
    }

    #[test]
    fn count_and_size_bounds_let_the_oldest_go() {
        let now = Instant::now();
        let mut q = EventQueue::new(Bound {
            count: 3,
            ..Bound::default()
        });
        for i in 0..5 {
            q.push(event("e", &format!("[\"e\",{i}]")), now);
        }
        assert_eq!((q.len(), q.let_go()), (3, 2));
        assert_eq!(
            q.take(&mut Cursor::default(), named("e")).map(|e| e.data),
            Some(JsonText::new("[\"e\",2]"))
        );
        // A cursor that points at events let go starts at the oldest one kept.
        let mut stale = Cursor(1);
        assert_eq!(
            q.take(&mut stale, named("e")).map(|e| e.data),
            Some(JsonText::new("[\"e\",3]"))
        );

        let big = "x".repeat(1000);
        let mut q = EventQueue::new(Bound {
            bytes: 2500,
            ..Bound::default()
        });
        for _ in 0..4 {
            q.push(event("big", &format!("[\"big\",\"{big}\"]")), now);
        }
        assert_eq!((q.len(), q.let_go()), (2, 2));
        // One event over the whole bound is still kept: it is the newest.
        let mut q = EventQueue::new(Bound {
            bytes: 10,
            ..Bound::default()
        });
        q.push(event("big", &format!("[\"big\",\"{big}\"]")), now);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn events_past_the_age_bound_are_let_go() {
        let start = Instant::now();
        let mut q = EventQueue::new(Bound {
            age: Duration::from_secs(60),
            ..Bound::default()
        });
        q.push(event("old", "[\"old\"]"), start);
        q.push(event("new", "[\"new\"]"), start + Duration::from_secs(50));
        q.forget_older_than(start + Duration::from_secs(59));
        assert_eq!(q.len(), 2);
        q.forget_older_than(start + Duration::from_secs(61));
        assert_eq!((q.len(), q.let_go()), (1, 1));
        assert!(q.take(&mut Cursor::default(), named("old")).is_none());
        // Taken events are not counted as let go.
        assert!(q.take(&mut Cursor::default(), named("new")).is_some());
        q.forget_older_than(start + Duration::from_secs(200));
        assert_eq!(q.let_go(), 1);
    }
}
