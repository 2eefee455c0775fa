use super::*;
use crate::proto::eio::{EioVersion, Frame};
use crate::proto::frame::{FrameDecoder, Parser};
use crate::record::{FrameRecord, Raw};

/// Records of one connection, decoded in order, at times the test chooses.
struct Feed {
    decoder: FrameDecoder,
    seq: u64,
    stats: Stats,
}

impl Feed {
    fn new() -> Feed {
        Feed {
            decoder: FrameDecoder::new(EioVersion::V4, Parser::Default),
            seq: 0,
            stats: Stats::new(),
        }
    }

    fn at(&mut self, ms: u64, dir: Direction, transport: Transport, frame: Frame<'_>) {
        let record = Record {
            seq: self.seq,
            time: Timestamp {
                micros: 1_700_000_000_000_000 + ms * 1000,
            },
            conn: None,
            body: Body::Frame(FrameRecord {
                dir: Some(dir),
                transport: Some(transport),
                raw: Raw::from_frame(frame),
                decoded: self.decoder.decode(frame),
            }),
        };
        self.seq += 1;
        self.stats.observe(&record);
    }

    fn text(&mut self, ms: u64, dir: Direction, text: &str) {
        self.at(ms, dir, Transport::Websocket, Frame::Text(text));
    }
}

fn row<'r>(report: &'r Report, name: &str, dir: Direction) -> &'r EventRow {
    report
        .events
        .iter()
        .find(|e| e.name == name && e.dir == Some(dir))
        .unwrap_or_else(|| panic!("no row {name} {dir:?} in {:?}", report.events))
}

#[test]
fn events_are_counted_per_name_and_direction_with_their_acks() {
    use Direction::{In, Out};
    let mut f = Feed::new();
    f.at(
        0,
        In,
        Transport::Polling,
        Frame::Text(r#"0{"sid":"s","upgrades":["websocket"],"pingInterval":1000,"pingTimeout":500}"#),
    );
    f.text(10, Out, r#"421["echo","a"]"#);
    f.text(14, In, r#"431["a"]"#);
    f.text(20, Out, r#"422["echo","bb"]"#);
    f.text(40, In, r#"432["bb"]"#);
    f.text(50, Out, r#"423["echo","never answered"]"#);
    f.text(60, In, r#"42["echo","a"]"#);
    f.text(1_000, In, "2");
    f.text(1_001, Out, "3");
    f.text(2_010, In, "2");
    f.text(2_011, Out, "3");
    f.text(3_000, In, r#"42/admin,["news",1]"#);
    let report = f.stats.report(None, SortBy::Count);
    let echo_out = row(&report, "echo", Out);
    assert_eq!((echo_out.count, echo_out.acks_asked, echo_out.acks_answered), (3, 3, 2));
    assert_eq!(
        echo_out.bytes,
        (r#"421["echo","a"]"#.len() + r#"422["echo","bb"]"#.len() + r#"423["echo","never answered"]"#.len()) as u64
    );
    assert_eq!(echo_out.ack_p50_ms, Some(4.0));
    assert_eq!(echo_out.ack_p95_ms, Some(20.0));
    assert_eq!(echo_out.rate_peak, 3);
    let echo_in = row(&report, "echo", In);
    assert_eq!((echo_in.count, echo_in.acks_asked), (1, 0));
    assert_eq!(report.events[0].name, "echo", "sorted by count: {:?}", report.events);
    assert_eq!(report.acks_pending, 1);
    // Namespaces count Socket.IO packets; transports every frame.
    let admin = report.namespaces.iter().find(|n| n.name == "/admin").expect("/admin");
    assert_eq!((admin.frames_in, admin.frames_out), (1, 0));
    let slash = report.namespaces.iter().find(|n| n.name == "/").expect("/");
    assert_eq!((slash.frames_in, slash.frames_out), (3, 3));
    let ws = report.transports.iter().find(|t| t.name == "websocket").expect("ws");
    assert_eq!(ws.frames_in + ws.frames_out, 11);
    let polling = report.transports.iter().find(|t| t.name == "polling").expect("polling");
    assert_eq!(polling.frames_in, 1);
    let h = &report.heartbeats;
    assert_eq!((h.pings, h.pongs, h.intervals), (2, 2, 1));
    assert_eq!(
        (h.announced_interval_ms, h.announced_timeout_ms),
        (Some(1000), Some(500))
    );
    assert_eq!(h.interval_max_ms, Some(1010.0));
    // The text form has every section.
    let text = render_text(&report);
    for part in [
        "\"echo\"",
        "↑ out",
        "/admin",
        "websocket",
        "announced pingInterval 1000 ms",
        "1 intervals seen",
    ] {
        assert!(text.contains(part), "{part} in\n{text}");
    }
}

#[test]
fn a_binary_event_counts_once_and_its_ack_is_matched() {
    use Direction::{In, Out};
    let mut f = Feed::new();
    f.text(0, Out, r#"451-5["up",{"_placeholder":true,"num":0}]"#);
    f.at(1, Out, Transport::Websocket, Frame::Binary(&[1, 2, 3]));
    f.text(9, In, "435[]");
    let report = f.stats.report(None, SortBy::Count);
    let up = row(&report, "up", Out);
    assert_eq!((up.count, up.acks_asked, up.acks_answered), (1, 1, 1));
    assert_eq!(up.ack_p50_ms, Some(9.0));
}

#[test]
fn rates_look_back_ten_seconds_and_remember_the_peak() {
    let mut f = Feed::new();
    for i in 0..50 {
        f.text(i * 10, Direction::In, r#"42["tick"]"#);
    }
    for s in 1..=20 {
        f.text(s * 1000, Direction::In, r#"42["tick"]"#);
    }
    let report = f.stats.report(None, SortBy::Rate);
    let tick = row(&report, "tick", Direction::In);
    assert_eq!(tick.count, 70);
    assert_eq!(tick.rate_peak, 50);
    assert!((tick.rate_now - 1.0).abs() < 1e-9, "{}", tick.rate_now);
    // Later, with nothing new, the rate falls.
    let later = Timestamp {
        micros: 1_700_000_000_000_000 + 25_000_000,
    };
    let tick = f.stats.report(Some(later), SortBy::Count).events[0].clone();
    assert!((tick.rate_now - 0.5).abs() < 1e-9, "{}", tick.rate_now);
}

#[test]
fn memory_stays_bounded_however_many_names_and_unanswered_acks() {
    let mut f = Feed::new();
    for i in 0..(MAX_EVENTS + 50) {
        f.text(i as u64, Direction::In, &format!(r#"42["e{i}"]"#));
    }
    for i in 0..(MAX_PENDING + 10) {
        f.text(1000 + i as u64, Direction::Out, &format!(r#"42{i}["ask"]"#));
    }
    let report = f.stats.report(None, SortBy::Name);
    // MAX_EVENTS names in, the rest as "other" (per direction): "ask" came too late.
    let other = row(&report, OTHER, Direction::In);
    assert_eq!(other.count, 50);
    assert_eq!(row(&report, OTHER, Direction::Out).count, MAX_PENDING as u64 + 10);
    assert_eq!(report.events.len(), MAX_EVENTS + 2);
    assert_eq!(report.acks_pending, MAX_PENDING as u64);
    assert_eq!(report.acks_let_go, 10);
    assert!(f.stats.pending_order.len() <= 2 * MAX_PENDING + 1);
    for name in ["e0", "e1", "e10"] {
        assert!(report.events.iter().any(|e| e.name == name));
    }
    // Sorted by name: ordered, whatever the hash map's order.
    let names: Vec<&str> = report.events.iter().map(|e| e.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn each_sort_orders_its_own_way() {
    use Direction::In;
    let mut f = Feed::new();
    f.text(0, In, r#"42["many"]"#);
    f.text(1, In, r#"42["many"]"#);
    f.text(2, In, r#"42["many"]"#);
    f.text(3, In, &format!(r#"42["big","{}"]"#, "x".repeat(200)));
    f.text(4, In, r#"42["late"]"#);
    f.at(5, In, Transport::Websocket, Frame::Binary(&[0; 4]));
    let first = |sort| f.stats.report(None, sort).events[0].name.clone();
    assert_eq!(first(SortBy::Count), "many");
    assert_eq!(first(SortBy::Bytes), "big");
    assert_eq!(first(SortBy::Name), "big");
    assert_eq!(first(SortBy::Last), "late");
    assert_eq!(first(SortBy::Rate), "many");
    let mut s = SortBy::Count;
    for _ in 0..SortBy::ALL.len() {
        s = s.next();
    }
    assert_eq!(s, SortBy::Count);
}
