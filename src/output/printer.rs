//! Which records a command prints and in what form: human lines, JSON records,
//! or raw frames. One printer serves listen, emit, run, connect and replay.

use super::human;
use super::sanitize::sanitize;
use crate::explain;
use crate::filter::Filter;
use crate::record::{Body, Raw, Record};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Human,
    Json,
    Raw,
}

#[derive(Clone, Debug)]
pub struct Printer {
    pub form: Form,
    /// Also the Engine.IO and transport layers.
    pub frames: bool,
    /// Only these events (and what explains the connection's fate).
    pub events: Vec<String>,
    /// `--filter`: only the records it matches, on top of the choices above.
    pub filter: Filter,
}

impl Printer {
    /// Whether `record` is a complete event the filter lets through.
    pub fn is_counted_event(&self, record: &Record) -> bool {
        let Some(sio) = record.frame().and_then(|f| f.decoded.sio.as_ref()) else {
            return false;
        };
        sio.kind.is_event()
            && sio.complete
            && (self.events.is_empty() || sio.event.as_ref().is_some_and(|e| self.events.contains(e)))
            && self.filter.matches(record)
    }

    /// Shows only what `filter` matches (of what it shows already).
    pub fn with_filter(mut self, filter: Filter) -> Printer {
        self.filter = filter;
        self
    }

    pub fn shown(&self, record: &Record) -> bool {
        self.layer_shown(record) && self.filter.matches(record)
    }

    /// Whether the layer and `--event` choices show the record.
    fn layer_shown(&self, record: &Record) -> bool {
        if self.form == Form::Json && self.frames {
            return true;
        }
        if !self.events.is_empty() {
            return self.is_counted_event(record)
                || matches!(&record.body, Body::State(s)
                    if matches!(s.state.as_str(), "closed" | "disconnected" | "namespace failed"));
        }
        self.frames || !human::is_engine_layer(record)
    }

    /// The line to print for a record, if any (no newline).
    pub fn render(&self, record: &Record) -> Option<String> {
        if !self.shown(record) {
            return None;
        }
        match self.form {
            Form::Json => Some(record.to_json_line()),
            Form::Human => Some(human::line(record)),
            Form::Raw => match record.frame().map(|f| &f.raw) {
                Some(Raw::Text { text }) => Some(sanitize(text).into_owned()),
                Some(Raw::Binary(b)) => Some(explain::hex_preview(&b.0, usize::MAX).replace(' ', "")),
                None => None,
            },
        }
    }
}
