//! Standard output through one buffer for the whole process. Rust's stdout is
//! line-buffered, which makes every record its own write; here lines gather
//! until [`flush`], which front ends call when no record is waiting (so light
//! traffic still shows at once), before their own result lines and before exit.
//! A closed pipe (`| head`) ends printing quietly; the session goes on.

use std::io::Write as _;
use std::sync::{Mutex, MutexGuard};

/// Written out without waiting for a flush once this much has gathered.
const HIGH_WATER: usize = 64 << 10;

struct Buffered {
    buf: Vec<u8>,
    /// False once a write failed (the reader went away).
    open: bool,
}

static OUT: Mutex<Buffered> = Mutex::new(Buffered {
    buf: Vec::new(),
    open: true,
});

fn out() -> MutexGuard<'static, Buffered> {
    // A poisoned lock only means a panic elsewhere; the buffer is still usable.
    OUT.lock().unwrap_or_else(|p| p.into_inner())
}

impl Buffered {
    fn write_out(&mut self) {
        if self.open && !self.buf.is_empty() {
            let mut stdout = std::io::stdout().lock();
            self.open = stdout.write_all(&self.buf).and_then(|_| stdout.flush()).is_ok();
        }
        self.buf.clear();
    }
}

/// Appends `text` and a line break; returns false once stdout is closed.
pub fn line(text: &[u8]) -> bool {
    let mut out = out();
    if !out.open {
        return false;
    }
    out.buf.extend_from_slice(text);
    out.buf.push(b'\n');
    if out.buf.len() >= HIGH_WATER {
        out.write_out();
    }
    out.open
}

/// Writes out what gathered.
pub fn flush() {
    out().write_out();
}

/// Whether stdout still takes output.
pub fn is_open() -> bool {
    out().open
}
