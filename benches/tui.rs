//! The terminal UI's numbers: the time to draw one 200x50 frame with 100,000
//! records held, the memory after 1,000,000 received events with the default
//! scrollback, and key-to-redraw latency while 20,000 events/s pour in.
//!
//! Run: `cargo bench --bench tui` (release build). Prints one table. The flood runs on a
//! current-thread runtime, as `sio connect` does.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use sio::proto::eio::{EioVersion, Frame};
use sio::proto::frame::{FrameDecoder, Parser};
use sio::record::{Body, Direction, FrameRecord, Raw, Record, Timestamp, Transport};
use sio::tui::model::Model;
use sio::tui::view;

fn event_record(decoder: &mut FrameDecoder, seq: u64) -> Record {
    let text = format!(r#"42["chat",{{"user":"ann","n":{seq},"text":"hello there, this is message {seq}"}}]"#);
    let decoded = decoder.decode(Frame::Text(&text));
    Record {
        seq,
        time: Timestamp::now(),
        conn: None,
        body: Body::Frame(FrameRecord {
            dir: Some(Direction::In),
            transport: Some(Transport::Websocket),
            raw: Raw::Text { text },
            decoded,
        }),
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn render_time() -> f64 {
    let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
    let mut model = Model::new("http://127.0.0.1:3000", 100_000, false);
    for seq in 0..100_000 {
        model.push(event_record(&mut decoder, seq));
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    // Warm up, then time many frames.
    for _ in 0..20 {
        terminal.draw(|f| view::draw(f, &mut model)).expect("draw");
    }
    let frames = 500;
    let start = Instant::now();
    for i in 0..frames {
        // Move the selection so each frame has something new to draw.
        model.move_selection(if i % 2 == 0 { -1 } else { 1 });
        terminal.draw(|f| view::draw(f, &mut model)).expect("draw");
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(frames)
}

fn memory_after_a_million() -> (u64, u64) {
    let before = rss_kib();
    let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
    let mut model = Model::new("http://127.0.0.1:3000", 100_000, false);
    for seq in 0..1_000_000 {
        model.push(event_record(&mut decoder, seq));
    }
    let after = rss_kib();
    assert_eq!(model.records.len(), 100_000);
    (before, after)
}

/// A backend that notes when each frame reaches the terminal.
struct TimedBackend {
    inner: TestBackend,
    flushes: Arc<Mutex<Vec<Instant>>>,
}

impl Backend for TimedBackend {
    type Error = <TestBackend as Backend>::Error;
    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, content: I) -> Result<(), Self::Error> {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ratatui::backend::ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        if let Ok(mut f) = self.flushes.lock() {
            f.push(Instant::now());
        }
        self.inner.flush()
    }
}

/// Keys from a channel, as crossterm's EventStream would deliver them.
struct Keys(tokio::sync::mpsc::UnboundedReceiver<std::io::Result<Event>>);

impl futures_util::Stream for Keys {
    type Item = std::io::Result<Event>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// Key presses during the flood, 20 ms apart (enough for a p99).
const KEY_PRESSES: usize = 200;

fn key_latency_under_flood() -> (f64, f64, f64, f64, u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let flushes = Arc::new(Mutex::new(Vec::new()));
        let mut terminal = Terminal::new(TimedBackend {
            inner: TestBackend::new(200, 50),
            flushes: flushes.clone(),
        })
        .expect("terminal");
        let (records_tx, records_rx) = tokio::sync::mpsc::unbounded_channel();
        let (keys_tx, keys_rx) = tokio::sync::mpsc::unbounded_channel();
        // 20,000 events/s for 5 s, in 1 ms slices of 20.
        let producer = tokio::spawn(async move {
            let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
            let mut tick = tokio::time::interval(Duration::from_millis(1));
            let mut seq = 0;
            while seq < 100_000 {
                tick.tick().await;
                for _ in 0..20 {
                    let _ = records_tx.send(event_record(&mut decoder, seq));
                    seq += 1;
                }
            }
            seq
        });
        let presses = Arc::new(Mutex::new(Vec::new()));
        let presses_for_keys = presses.clone();
        let keys = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            for i in 0..KEY_PRESSES {
                let code = if i % 2 == 0 {
                    KeyCode::Char('k')
                } else {
                    KeyCode::Char('j')
                };
                if let Ok(mut p) = presses_for_keys.lock() {
                    p.push(Instant::now());
                }
                let _ = keys_tx.send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = keys_tx.send(Ok(Event::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE))));
        });
        let mut model = Model::new("http://127.0.0.1:3000", 100_000, false);
        sio::tui::event_loop(
            &mut terminal,
            &mut model,
            records_rx,
            sio::tui::Actor::None,
            Keys(keys_rx),
        )
        .await
        .expect("loop");
        let _ = keys.await;
        producer.abort();
        let received = model.status.frames_in;
        let flushes = flushes.lock().map(|f| f.clone()).unwrap_or_default();
        let presses = presses.lock().map(|p| p.clone()).unwrap_or_default();
        let mut latencies: Vec<f64> = presses
            .iter()
            .filter_map(|p| {
                flushes
                    .iter()
                    .find(|f| *f >= p)
                    .map(|f| f.duration_since(*p).as_secs_f64() * 1000.0)
            })
            .collect();
        latencies.sort_by(f64::total_cmp);
        let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
        (pick(0.5), pick(0.95), pick(0.99), pick(1.0), received)
    })
}

fn main() {
    // Memory first, in a fresh process, so earlier work does not blur the number.
    if std::env::args().any(|a| a == "--memory-only") {
        let (before, after) = memory_after_a_million();
        println!("{before} {after}");
        return;
    }
    // For profiling the frame alone: `perf record target/release/deps/tui-* --render-only`.
    if std::env::args().any(|a| a == "--render-only") {
        println!("{:.3} ms per frame", render_time());
        return;
    }
    let measured = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg("--memory-only")
        .output()
        .expect("memory run");
    let text = String::from_utf8_lossy(&measured.stdout);
    let mut numbers = text.split_whitespace().filter_map(|n| n.parse::<u64>().ok());
    let (before, after) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    let frame_ms = render_time();
    let (p50, p95, p99, max, received) = key_latency_under_flood();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| draw one 200x50 frame, 100,000 records held | {frame_ms:.3} ms |");
    println!(
        "| RSS after 1,000,000 events (scrollback 100,000) | {} MiB (was {} MiB before): {:.2} KiB per held record |",
        after / 1024,
        before / 1024,
        after.saturating_sub(before) as f64 / 100_000.0
    );
    println!(
        "| key-to-redraw during 20,000 events/s, p50 / p95 / p99 / max | {p50:.2} / {p95:.2} / {p99:.2} / {max:.2} ms ({received} events drained, {KEY_PRESSES} keys) |"
    );
}
