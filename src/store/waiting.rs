//! Saying that a write waits for another's. A write may wait up to 15 s
//! for the lock (SQLite's busy handler, PostgreSQL's write lock); a person
//! at a frozen screen under a deadline takes it for a hang. The front end
//! says how it tells them (the TUI on its status line, the command line on
//! standard error); the store calls it once a write has waited a moment.

use std::sync::OnceLock;

static NOTICE: OnceLock<fn()> = OnceLock::new();

/// How this process tells its user that a write waits. Set once, at start.
pub fn on_wait(notice: fn()) {
    let _ = NOTICE.set(notice);
}

/// A write has begun to wait for another's lock.
pub(crate) fn waiting() {
    if let Some(notice) = NOTICE.get() {
        notice();
    }
}
