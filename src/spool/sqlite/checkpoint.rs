//! Checkpoints off the writer thread. SQLite's automatic checkpoint runs in the connection that
//! committed, after its commit: copying a few megabytes of WAL into the database and syncing it
//! there kept the writer from the next batch of submissions. A checkpoint in WAL mode runs
//! beside the writer (PASSIVE takes no write lock), so it has a connection and a thread of its
//! own, woken once enough has been written since the last.

use super::connection::open_connection;
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};

/// About as much as SQLite's own default (1,000 pages of 4 KiB) between checkpoints.
const CHECKPOINT_AFTER_BYTES: usize = 4 * 1024 * 1024;
/// What a committed submission or a small write costs in the WAL besides its envelopes (rows,
/// index pages, the audit entry).
pub(super) const ROW_BYTES: usize = 4096;

pub(super) struct Checkpoints {
    wake: SyncSender<()>,
    written: usize,
}

impl Checkpoints {
    /// Opens a connection to `path` for checkpoints and starts their thread; it ends when
    /// this is dropped (with the writer).
    pub(super) fn start(path: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let conn = open_connection(path).context("opening the spool for checkpoints")?;
        // At most one wake-up waits: writes during a checkpoint are covered by the next one.
        let (wake, woken) = sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("spool-checkpoint".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    // A PASSIVE checkpoint stops short of frames a reader still needs; the
                    // next one goes on from there.
                    let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Err(e) = done {
                        tracing::warn!(error = %e, "spool checkpoint failed; the next one retries");
                    }
                }
            })
            .context("starting the spool checkpoints")?;
        Ok(Checkpoints { wake, written: 0 })
    }

    /// After a transaction that wrote about `bytes`.
    pub(super) fn wrote(&mut self, bytes: usize) {
        self.written += bytes;
        if self.written >= CHECKPOINT_AFTER_BYTES {
            self.written = 0;
            // Full means a wake-up is already waiting; it covers these bytes too.
            let _ = self.wake.try_send(());
        }
    }
}
