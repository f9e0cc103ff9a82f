//! The embedded spool: one SQLite database in `spool.dir`.
//!
//! WAL with `synchronous=FULL`, so a commit is on disk when it returns; `secure_delete=ON`, so
//! purged envelopes are overwritten rather than left in free pages. A single writer thread owns
//! the write connection and commits whatever submissions have queued up in one transaction
//! (group commit, see [`writer`]); reads go through a second connection.
//!
//! One file per concern: [`connection`] (files, pragmas, the write proof), [`writer`],
//! [`submissions`], [`staging`] (large evidence files, in chunks), [`checkpoint`] (WAL checkpoints off the writer), [`outbox`], [`lifecycle`] (acknowledgement, escalation, re-queueing and
//! purging), [`settings`] (secrets and partners), [`drafts`] (sealed web drafts), [`audit`], [`transfer`] (export and import), [`rows`] (typed columns) and
//! [`schema`] (migrations).

mod audit;
mod checkpoint;
mod connection;
mod downloads;
mod drafts;
mod follow_up;
mod lifecycle;
mod outbox;
mod rows;
pub mod schema;
mod settings;
mod share;
mod staging;
mod submissions;
mod transfer;
mod workflow;
mod writer;

pub use audit::AuditReader;

use crate::reference::{Reference, ReferenceCipher, SPACE};
use crate::spool::secrets::SpoolSecrets;
use crate::spool::SpoolError;
use connection::Writable;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use writer::{Job, Reply};

pub struct SqliteSpool {
    jobs: mpsc::Sender<Job>,
    reader: Arc<Mutex<Connection>>,
    path: PathBuf,
    numbering: Arc<Numbering>,
    writable: Arc<Writable>,
}

/// Submission numbers and the references that encipher them.
struct Numbering {
    cipher: ReferenceCipher,
    /// Seals the spool's secrets in `settings` (see [`crate::spool::secrets`]).
    secrets: SpoolSecrets,
    /// The next number to hand out. Numbers drawn but never committed are skipped; at start the
    /// count resumes after the highest committed one.
    next: AtomicU64,
}

impl Numbering {
    fn draw(&self) -> Result<(u64, Reference), SpoolError> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        if n >= SPACE {
            return Err(unavailable("every reference has been used"));
        }
        Ok((n, self.cipher.reference(n)))
    }
}

/// The spool's secret for [`ReferenceCipher`], created with the spool.
const REFERENCE_KEY: &str = "reference_key";

fn unavailable(e: impl std::fmt::Display) -> SpoolError {
    SpoolError::Unavailable(e.to_string())
}

impl SqliteSpool {
    /// Opens (creating if needed) the spool in `dir`, migrates it, and starts the writer; its
    /// secrets are sealed under `secrets.key` in `dir` (the default `spool.secrets_key_file`).
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        Self::open_with_key(dir, &dir.join("secrets.key"))
    }

    /// As [`SqliteSpool::open`], with the secrets key in `key_file`.
    pub fn open_with_key(dir: &Path, key_file: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let path = connection::prepare_files(dir)
            .with_context(|| format!("preparing spool folder {}", dir.display()))?;
        let mut writer = connection::open_connection(&path)
            .with_context(|| format!("opening spool {}", path.display()))?;
        schema::migrate(&mut writer).context("migrating the spool schema")?;
        // Large files staged by a gateway that stopped before their submission committed:
        // no reference was given for them, and nothing here is staging yet.
        let tx = writer
            .transaction()
            .context("removing unadopted evidence chunks")?;
        let orphans =
            staging::remove_orphans(&tx, None).context("removing unadopted evidence chunks")?;
        tx.commit().context("removing unadopted evidence chunks")?;
        if orphans > 0 {
            tracing::info!(
                files = orphans,
                "removed evidence files staged for submissions that never committed"
            );
        }
        let secrets = SpoolSecrets::load(key_file)
            .with_context(|| format!("the secrets key {}", key_file.display()))?;
        let key: [u8; 32] = settings::secret(&mut writer, &secrets, REFERENCE_KEY, 32)
            .context("reading the reference key")?
            .try_into()
            .map_err(|_| anyhow::anyhow!("the spool's reference key is not 32 bytes"))?;
        let highest: i64 = writer
            .query_row("SELECT COALESCE(MAX(id), 0) FROM submissions", [], |r| {
                r.get(0)
            })
            .context("reading the highest submission number")?;
        writer
            .pragma_update(None, "wal_autocheckpoint", checkpoint::BACKSTOP_PAGES)
            .context("setting the WAL checkpoint")?;
        let reader = connection::open_connection(&path).context("opening the spool for reading")?;
        let checkpointer =
            connection::open_connection(&path).context("opening the spool for checkpoints")?;
        let (tx, rx) = mpsc::channel(writer::QUEUE);
        let numbering = Arc::new(Numbering {
            cipher: ReferenceCipher::new(&key),
            secrets,
            next: AtomicU64::new(highest.max(0) as u64 + 1),
        });
        let writer_numbering = Arc::clone(&numbering);
        let writable = Arc::new(Writable::new());
        let writer_writable = Arc::clone(&writable);
        let checkpoints = Arc::new(checkpoint::Checkpoints::default());
        let writer_checkpoints = Arc::clone(&checkpoints);
        std::thread::Builder::new()
            .name("spool-checkpoint".into())
            .spawn(move || checkpoint::checkpointer_loop(checkpointer, &checkpoints))
            .context("starting the spool checkpointer")?;
        std::thread::Builder::new()
            .name("spool-writer".into())
            .spawn(move || {
                writer::writer_loop(
                    writer,
                    &writer_numbering,
                    &writer_writable,
                    &writer_checkpoints,
                    rx,
                );
                writer_checkpoints.stop();
            })
            .context("starting the spool writer")?;
        Ok(SqliteSpool {
            jobs: tx,
            reader: Arc::new(Mutex::new(reader)),
            path,
            numbering,
            writable,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn ask<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, SpoolError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(job(tx))
            .await
            .map_err(|_| SpoolError::Stopped)?;
        rx.await.map_err(|_| SpoolError::Stopped)?
    }

    /// Runs `f` with the submission row named by `reference`, or answers `none` if there is
    /// no such submission.
    async fn read_submission<T: Send + 'static>(
        &self,
        reference: Reference,
        none: T,
        f: impl FnOnce(&Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, SpoolError> {
        let numbering = Arc::clone(&self.numbering);
        self.read(
            move |c| match submissions::submission_id(c, &numbering.cipher, &reference)? {
                Some(id) => f(c, id),
                None => Ok(none),
            },
        )
        .await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, SpoolError> {
        let reader = Arc::clone(&self.reader);
        tokio::task::spawn_blocking(move || {
            // A poisoned lock only means another reader panicked; the connection is still sound.
            let conn = reader.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn).map_err(unavailable)
        })
        .await
        .map_err(|_| SpoolError::Stopped)?
    }
}

#[cfg(test)]
mod tests;
