//! WAL checkpoints off the writer.
//!
//! SQLite's own checkpoint runs inside whichever commit takes the WAL past its threshold: that
//! commit copies megabytes into the database file and syncs it before its caller hears back,
//! and every commit queued behind it waits too. While large files are written (4 MiB of WAL
//! every few chunks) that is most of what a small report waits for. So a thread of its own,
//! with its own connection, copies the WAL into the database file (PASSIVE: it never blocks the
//! writer, which goes on appending to the WAL meanwhile) a moment after each burst of commits.
//! The writer keeps SQLite's checkpoint only as a backstop, far above the usual threshold
//! ([`BACKSTOP_PAGES`]), for a WAL that a long run of writes never lets this thread finish.

use rusqlite::Connection;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// WAL pages at which the writer checkpoints by itself after all (SQLite's default is 1000).
pub(super) const BACKSTOP_PAGES: i64 = 16 * 1024;
/// Commits gather this long after a checkpoint before the next: one checkpoint (and one sync
/// of the database file) serves many commits.
const GATHER: Duration = Duration::from_millis(250);

#[derive(Default)]
struct State {
    /// Something was committed since the last checkpoint began.
    dirty: bool,
    stopped: bool,
}

#[derive(Default)]
pub(super) struct Checkpoints {
    state: Mutex<State>,
    wake: Condvar,
    /// Held while a checkpoint runs, here or in the writer's purge: SQLite runs one checkpoint
    /// at a time and answers a second with SQLITE_BUSY at once, without its busy timeout.
    running: Mutex<()>,
}

impl Checkpoints {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means the other side panicked; two flags cannot be left torn.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// While the guard is held the checkpointer starts no checkpoint.
    pub(super) fn exclusive(&self) -> std::sync::MutexGuard<'_, ()> {
        // The lock guards no data, so a poisoned one is as good as a clean one.
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The writer committed something.
    pub(super) fn committed(&self) {
        let mut state = self.lock();
        if !state.dirty {
            state.dirty = true;
            self.wake.notify_one();
        }
    }

    /// The writer has stopped: the checkpointer does a last checkpoint and closes.
    pub(super) fn stop(&self) {
        self.lock().stopped = true;
        self.wake.notify_one();
    }

    /// Waits until there is something to checkpoint; `false` once stopped with nothing left.
    fn wait(&self) -> bool {
        let mut state = self.lock();
        while !state.dirty && !state.stopped {
            state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        let go = state.dirty;
        state.dirty = false;
        go
    }

    /// Lets commits gather (returns early once stopped).
    fn gather(&self) {
        let state = self.lock();
        if !state.stopped {
            let waited = self.wake.wait_timeout_while(state, GATHER, |s| !s.stopped);
            drop(waited);
        }
    }
}

/// The checkpointer's loop, on its own thread and connection, until the writer stops.
pub(super) fn checkpointer_loop(conn: Connection, checkpoints: &Checkpoints) {
    while checkpoints.wait() {
        let alone = checkpoints.exclusive();
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0));
        drop(alone);
        if let Err(e) = done {
            // Nothing is lost: the pages stay in the WAL (synced), and the writer's backstop
            // or the next checkpoint copies them.
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
        checkpoints.gather();
    }
}
