//! What the screen shows, as plain data: the records held (bounded by the
//! scrollback), which of them pass the filter, the selection, the connection's
//! status derived from the records, and the input line. No IO here; views
//! read it, [`super::update`] changes it.

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

use super::conns::Conns;
use super::held::Held;
use crate::engine::HeartbeatMode;
use crate::proto::eio;
use crate::record::{Body, Direction, Record, Timestamp, Transport};

/// Which pane keys go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
    Command,
    Search,
}

/// An overlay drawn over the panes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Acks,
    Namespaces,
    /// The sessions (tap) or clients the records name.
    Conns,
    /// The connection as socket.io-client / python-socketio code.
    Code,
    /// Who received what an emitted event caused.
    Fanout,
    /// Statistics per event, namespace, transport; heartbeats.
    Stats,
}

/// Which direction the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirFilter {
    Both,
    In,
    Out,
}

#[derive(Clone, Debug)]
pub struct Filter {
    /// The expression typed after `/` (or given with --filter): the language of `--filter`.
    pub expr: crate::filter::Filter,
    pub hide_heartbeats: bool,
    pub show_transport: bool,
    pub dir: DirFilter,
    /// Only this connection's records (a tap session, a client).
    pub conn: Option<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            expr: crate::filter::Filter::default(),
            hide_heartbeats: false,
            show_transport: false,
            dir: DirFilter::Both,
            conn: None,
        }
    }
}

/// A namespace as the status bar shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsStatus {
    pub name: String,
    pub state: String,
    pub detail: String,
}

/// The connection, derived from state records.
#[derive(Clone, Debug, Default)]
pub struct Status {
    pub url: String,
    pub state: String,
    pub eio: Option<u64>,
    pub sio: Option<u64>,
    pub sid: Option<String>,
    pub transport: Option<Transport>,
    pub upgrade: String,
    pub ping_interval: Option<u64>,
    pub ping_timeout: Option<u64>,
    pub last_ping: Option<Timestamp>,
    pub last_heartbeat_rtt_ms: Option<f64>,
    pub reconnect_attempt: Option<u64>,
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub namespaces: Vec<NsStatus>,
    pub closed: Option<String>,
}

/// Ack round trips per event name.
#[derive(Clone, Debug, Default)]
pub struct AckStats {
    pub by_event: BTreeMap<String, Vec<f64>>,
    pub pending: u64,
    pub unmatched: u64,
}

impl AckStats {
    /// (event, count, p50, p95, max) in ms.
    pub fn table(&self) -> Vec<(String, usize, f64, f64, f64)> {
        self.by_event
            .iter()
            .map(|(event, rtts)| {
                let mut sorted = rtts.clone();
                sorted.sort_by(f64::total_cmp);
                let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
                (event.clone(), sorted.len(), pick(0.5), pick(0.95), pick(1.0))
            })
            .collect()
    }
}

pub struct Model {
    /// Records held, oldest first; `first_index` is the absolute number of the front one.
    pub records: VecDeque<Held>,
    pub first_index: u64,
    pub scrollback: usize,
    /// Records let go to respect the scrollback (the record file keeps them).
    pub dropped: u64,
    /// Absolute numbers of the records the filter lets through, in order.
    pub visible: VecDeque<u64>,
    pub filter: Filter,
    /// Held records the toggles (H, T, f, c) show but the expression hides.
    pub expr_hidden: u64,
    /// Why the expression being typed after `/` does not parse (the last good one applies).
    pub filter_error: Option<crate::filter::FilterError>,
    /// Statistics of every record taken (the statistics overlay), in the order chosen.
    pub stats: crate::stats::Stats,
    pub stats_sort: crate::stats::SortBy,
    pub stats_scroll: u16,
    /// Position in `visible` of the selected row.
    pub selected: usize,
    pub follow: bool,
    /// Rows that arrived while not following.
    pub waiting: u64,
    pub raw_view: bool,
    pub show_detail: bool,
    pub detail_scroll: u16,
    pub focus: Focus,
    pub overlay: Overlay,
    pub input: String,
    pub history: Vec<String>,
    pub history_pos: Option<usize>,
    /// The last command's result (text, is an error).
    pub message: Option<(String, bool)>,
    pub status: Status,
    pub acks: AckStats,
    /// Gaps between server pings (ms), newest last, for the heartbeat strip.
    pub heartbeat_gaps: VecDeque<u64>,
    pub heartbeat_mode: HeartbeatMode,
    /// Event names seen so far, for completion.
    pub event_names: Vec<String>,
    pub read_only: bool,
    pub quit: bool,
    /// Rows of the list as last drawn (for PgUp/PgDn and clicks).
    pub list_height: u16,
    pub list_top: usize,
    /// The time the next draw shows ("last ping 3.1s ago"); set by the runtime, fixed in tests.
    pub now: Timestamp,
    /// The namespace commands use (`use NS` changes it).
    pub nsp: String,
    /// The connections the records name, where there are several.
    pub conns: Conns,
    /// The row chosen in the connections overlay.
    pub conn_cursor: usize,
    /// The screen of `sio tap`: its command line cuts and delays sessions.
    pub tap: bool,
    /// The connection in code, one snippet per language (none in a replay or a tap).
    pub code: Vec<(crate::snippets::Lang, String)>,
    /// The snippet the code overlay shows, and how far it is scrolled.
    pub code_shown: usize,
    pub code_scroll: u16,
    /// The fan-out table the `F` overlay shows, computed when it opened.
    pub fanout: Option<super::fanout::Fanout>,
    /// `sio admin`: the admin views beside the list.
    pub admin: Option<Box<super::admin_view::AdminPane>>,
}

impl Model {
    pub fn new(url: &str, scrollback: usize, read_only: bool) -> Model {
        Model {
            records: VecDeque::new(),
            first_index: 0,
            scrollback: scrollback.max(1),
            dropped: 0,
            visible: VecDeque::new(),
            filter: Filter::default(),
            expr_hidden: 0,
            filter_error: None,
            stats: crate::stats::Stats::new(),
            stats_sort: crate::stats::SortBy::Count,
            stats_scroll: 0,
            selected: 0,
            follow: true,
            waiting: 0,
            raw_view: false,
            show_detail: true,
            detail_scroll: 0,
            focus: Focus::List,
            overlay: Overlay::None,
            input: String::new(),
            history: Vec::new(),
            history_pos: None,
            message: None,
            status: Status {
                url: url.to_string(),
                state: "connecting".into(),
                ..Status::default()
            },
            acks: AckStats::default(),
            heartbeat_gaps: VecDeque::new(),
            heartbeat_mode: HeartbeatMode::Normal,
            event_names: Vec::new(),
            read_only,
            quit: false,
            list_height: 10,
            list_top: 0,
            now: Timestamp::now(),
            nsp: "/".into(),
            conns: Conns::default(),
            conn_cursor: 0,
            tap: false,
            code: Vec::new(),
            code_shown: 0,
            code_scroll: 0,
            fanout: None,
            admin: None,
        }
    }

    /// The `.sio` script of the records held (what `save FILE.sio` writes).
    pub fn script(&self) -> String {
        let mut writer = crate::script::generate::ScriptWriter::new();
        writer.source = Some(self.status.url.clone());
        writer.let_go = self.dropped;
        for held in &self.records {
            writer.push(&held.record());
        }
        writer.finish()
    }

    pub fn record(&self, absolute: u64) -> Option<Cow<'_, Record>> {
        absolute
            .checked_sub(self.first_index)
            .and_then(|i| self.records.get(i as usize))
            .map(Held::record)
    }

    pub fn selected_record(&self) -> Option<Cow<'_, Record>> {
        self.visible.get(self.selected).and_then(|&a| self.record(a))
    }

    /// Takes one record: status, stats, scrollback, filter.
    pub fn push(&mut self, record: Record) {
        if record.conn.is_some() {
            self.conns.observe(&record);
        }
        self.observe(&record);
        self.stats.observe(&record);
        let absolute = self.first_index + self.records.len() as u64;
        let toggled_in = self.toggles_pass(&record);
        let passes = toggled_in && self.filter.expr.matches(&record);
        self.expr_hidden += u64::from(toggled_in && !passes);
        self.records.push_back(Held::new(record));
        if passes {
            self.visible.push_back(absolute);
            if self.follow {
                self.selected = self.visible.len() - 1;
            } else {
                self.waiting += 1;
            }
        }
        while self.records.len() > self.scrollback {
            let Some(gone) = self.records.pop_front() else { break };
            let was_visible = self.visible.front() == Some(&self.first_index);
            self.first_index += 1;
            self.dropped += 1;
            if was_visible {
                self.visible.pop_front();
                self.selected = self.selected.saturating_sub(1);
            } else if self.expr_hidden > 0 && self.toggles_pass(&gone.record()) {
                // It was one of those the expression hid.
                self.expr_hidden -= 1;
            }
        }
    }

    /// Whether the filter lets a record through: the toggles, then the expression.
    pub fn passes(&self, record: &Record) -> bool {
        self.toggles_pass(record) && self.filter.expr.matches(record)
    }

    /// Applies the expression typed after `/`; one that does not parse leaves the last
    /// good one in force and says why ([`Model::filter_error`]).
    pub fn set_filter_text(&mut self, text: &str) {
        match crate::filter::Filter::parse(text) {
            Ok(expr) => {
                self.filter_error = None;
                self.set_filter(expr);
            }
            Err(e) => self.filter_error = Some(e),
        }
    }

    pub fn set_filter(&mut self, expr: crate::filter::Filter) {
        self.filter.expr = expr;
        self.refilter();
    }

    /// The toggles' part of the filter: H, T, f and c.
    fn toggles_pass(&self, record: &Record) -> bool {
        let f = &self.filter;
        if let Some(shown) = &f.conn
            && record.conn.as_deref().map(|c| self.conns.current(c)) != Some(shown.as_str())
        {
            return false;
        }
        match &record.body {
            Body::Http(_) if !f.show_transport => return false,
            Body::Frame(frame) => {
                if f.hide_heartbeats && is_heartbeat(record) {
                    return false;
                }
                match (f.dir, frame.dir) {
                    (DirFilter::In, Some(Direction::Out)) | (DirFilter::Out, Some(Direction::In)) => return false,
                    _ => {}
                }
            }
            Body::State(s) if f.hide_heartbeats && s.state.starts_with("heartbeat") => return false,
            _ => {}
        }
        true
    }

    /// Recomputes the visible rows after a filter change, keeping the selection when it still shows.
    pub fn refilter(&mut self) {
        let keep = self.visible.get(self.selected).copied();
        let mut visible = VecDeque::new();
        let mut expr_hidden = 0;
        for (i, held) in self.records.iter().enumerate() {
            let record = held.record();
            if !self.toggles_pass(&record) {
                continue;
            }
            if self.filter.expr.matches(&record) {
                visible.push_back(self.first_index + i as u64);
            } else {
                expr_hidden += 1;
            }
        }
        self.visible = visible;
        self.expr_hidden = expr_hidden;
        self.selected = match keep.and_then(|k| self.visible.iter().position(|&a| a >= k)) {
            Some(p) if !self.follow => p,
            _ => self.visible.len().saturating_sub(1),
        };
    }

    pub fn move_selection(&mut self, delta: i64) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() - 1;
        let target = (self.selected as i64 + delta).clamp(0, last as i64) as usize;
        self.selected = target;
        self.follow = target == last && delta > 0;
        if self.follow {
            self.waiting = 0;
        }
        self.detail_scroll = 0;
    }

    pub fn select_last(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
        self.follow = true;
        self.waiting = 0;
        self.detail_scroll = 0;
    }

    /// Shows only the selected row's connection, or all of them again.
    pub fn toggle_conn_filter(&mut self) {
        if self.filter.conn.take().is_none() {
            let conn = self.selected_record().and_then(|r| r.conn.clone());
            match conn.map(|c| self.conns.current(&c).to_string()) {
                Some(name) => self.filter.conn = Some(name),
                None => {
                    self.message = Some(("this row names no session or client".into(), true));
                    return;
                }
            }
        }
        self.refilter();
    }

    /// Shows only the named connection.
    pub fn show_conn(&mut self, name: String) {
        self.filter.conn = Some(name);
        self.refilter();
    }

    /// Who the command line speaks as, where there are several clients: the one
    /// shown alone (`c`, `C`), else `main`. `None` with one client, or on a tap.
    pub fn speaker(&self) -> Option<&str> {
        if self.tap || self.read_only || self.conns.len() < 2 {
            return None;
        }
        Some(self.filter.conn.as_deref().unwrap_or(crate::script::parse::MAIN))
    }

    /// Whether rows carry their connection's tag: every tap session, or clients
    /// once there are two (a lone `main` needs no column).
    pub fn several_conns(&self) -> bool {
        if self.conn_noun() == "session" {
            !self.conns.is_empty()
        } else {
            self.conns.len() >= 2
        }
    }

    /// What the connections are called on this screen.
    pub fn conn_noun(&self) -> &'static str {
        if self.tap || self.conns.iter().any(|c| c.peer.is_some()) {
            "session"
        } else {
            "client"
        }
    }

    pub fn toggle_follow(&mut self) {
        if self.follow {
            self.follow = false;
        } else {
            self.select_last();
        }
    }

    fn observe(&mut self, record: &Record) {
        // The status bar of a live screen describes the tap, or `main`: other
        // clients have their own line (the roster) and list (`C`).
        let primary = self.tap
            || self.read_only
            || self.admin.is_some()
            || record.conn.as_deref().is_none_or(|c| c == crate::script::parse::MAIN);
        self.observe_any(record);
        if !primary {
            return;
        }
        let s = &mut self.status;
        match &record.body {
            Body::Frame(f) => {
                let size = f.raw.len() as u64;
                match f.dir {
                    Some(Direction::Out) => {
                        s.frames_out += 1;
                        s.bytes_out += size;
                    }
                    _ => {
                        s.frames_in += 1;
                        s.bytes_in += size;
                    }
                }
                if let Some(t) = f.transport {
                    s.transport.get_or_insert(t);
                }
                if let Some(e) = &f.decoded.eio
                    && e.kind == eio::PacketType::Ping
                    && e.data.is_none()
                    && f.dir == Some(Direction::In)
                {
                    if let Some(last) = s.last_ping {
                        let gap = record.time.micros.saturating_sub(last.micros) / 1000;
                        self.heartbeat_gaps.push_back(gap);
                        if self.heartbeat_gaps.len() > 120 {
                            self.heartbeat_gaps.pop_front();
                        }
                    }
                    s.last_ping = Some(record.time);
                }
            }
            Body::State(st) => {
                let data = &st.data;
                match st.state.as_str() {
                    "open" => {
                        s.eio = data.get("eio").and_then(Value::as_u64);
                        s.sio = data.get("sio").and_then(Value::as_u64);
                        s.sid = data.get("sid").and_then(Value::as_str).map(str::to_string);
                        s.ping_interval = data.get("pingInterval").and_then(Value::as_u64);
                        s.ping_timeout = data.get("pingTimeout").and_then(Value::as_u64);
                        s.reconnect_attempt = None;
                        s.state = "open".into();
                        s.upgrade.clear();
                        s.transport = None;
                    }
                    "upgrading" => s.upgrade = "probing".into(),
                    "upgraded" => {
                        s.upgrade = "upgraded from polling".into();
                        s.transport = Some(Transport::Websocket);
                    }
                    "upgrade failed" => s.upgrade = "upgrade failed".into(),
                    "reconnecting" => {
                        s.state = "reconnecting".into();
                        s.reconnect_attempt = data.get("attempt").and_then(Value::as_u64);
                    }
                    "disconnected" => s.state = "disconnected".into(),
                    "connecting" => s.state = "connecting".into(),
                    "closed" => {
                        s.state = "closed".into();
                        s.closed = st.detail.clone();
                    }
                    // The tap's first record: where it listens and what it forwards to.
                    "listening" => {
                        s.url = st.detail.clone().unwrap_or_default();
                        s.state = "listening".into();
                    }
                    "heartbeat" => s.last_heartbeat_rtt_ms = data.get("rtt_ms").and_then(Value::as_f64),
                    "namespace connected" | "namespace failed" | "namespace left" | "namespace disconnected" => {
                        let name = data.get("nsp").and_then(Value::as_str).unwrap_or("/").to_string();
                        let state = st.state.trim_start_matches("namespace ").to_string();
                        let detail = match st.state.as_str() {
                            "namespace failed" => data.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
                            "namespace disconnected" => {
                                data.get("reason").and_then(Value::as_str).unwrap_or("").to_string()
                            }
                            _ => String::new(),
                        };
                        match s.namespaces.iter_mut().find(|n| n.name == name) {
                            Some(n) => {
                                n.state = state;
                                n.detail = detail;
                            }
                            None => s.namespaces.push(NsStatus { name, state, detail }),
                        }
                    }
                    _ => {}
                }
            }
            Body::Http(_) => {}
        }
    }

    /// What every connection's records count for: event names, ack round trips.
    fn observe_any(&mut self, record: &Record) {
        match &record.body {
            Body::Frame(f) => {
                let Some(sio) = &f.decoded.sio else { return };
                if let Some(name) = &sio.event
                    && !self.event_names.contains(name)
                    && self.event_names.len() < 500
                {
                    self.event_names.push(name.clone());
                }
                if f.dir == Some(Direction::Out) && sio.kind.is_event() && sio.id.is_some() {
                    self.acks.pending += 1;
                }
            }
            Body::State(st) => match st.state.as_str() {
                "ack" => {
                    let event = st.data.get("event").and_then(Value::as_str).unwrap_or("?").to_string();
                    if let Some(rtt) = st.data.get("rtt_ms").and_then(Value::as_f64) {
                        self.acks.by_event.entry(event).or_default().push(rtt);
                    }
                    self.acks.pending = self.acks.pending.saturating_sub(1);
                }
                "unmatched ack" => self.acks.unmatched += 1,
                _ => {}
            },
            Body::Http(_) => {}
        }
    }
}

/// Heartbeat frames: pings and pongs (probes excluded: they belong to the upgrade).
pub use crate::filter::is_heartbeat;
