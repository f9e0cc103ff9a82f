//! Opening the database: its files private from the first byte, WAL with full sync, and the
//! proof that it takes writes.

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The database file in the spool folder.
pub(super) const FILE: &str = "spool.sqlite3";
/// Bytes of WAL kept after a checkpoint.
const WAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;
/// How long a proof that the spool takes writes stands for `/readyz`.
const WRITABLE_FRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// When the spool last proved it takes writes (a probe, or submissions committed): `/readyz`
/// needs no write of its own while that is recent. Any failed write withdraws the proof.
pub(super) struct Writable {
    origin: std::time::Instant,
    /// Milliseconds after `origin`, plus one; 0 for "not proven".
    proven_at: AtomicU64,
}

impl Writable {
    pub(super) fn new() -> Self {
        Writable {
            origin: std::time::Instant::now(),
            proven_at: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64 + 1
    }

    pub(super) fn proven(&self) {
        self.proven_at.store(self.now(), Ordering::Relaxed);
    }

    pub(super) fn doubted(&self) {
        self.proven_at.store(0, Ordering::Relaxed);
    }

    pub(super) fn fresh(&self) -> bool {
        let at = self.proven_at.load(Ordering::Relaxed);
        at != 0 && self.now().saturating_sub(at) < WRITABLE_FRESH.as_millis() as u64
    }

    pub(super) fn record<T, E>(&self, result: &Result<T, E>) {
        match result {
            Ok(_) => self.proven(),
            Err(_) => self.doubted(),
        }
    }
}

pub(super) fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, WAL required"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    // secure_delete does not reach the WAL: purged envelopes live on in its old frames until
    // they are overwritten. Purges checkpoint with TRUNCATE (see `lifecycle::purge_due`); this
    // bounds what any other checkpoint leaves behind.
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    // Statement journals stay in memory: no temporary file per transaction (each one costs an
    // inode), and no copy of spool pages outside the spool folder.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Creates the spool folder (0700) and the database file (0600) before SQLite does, so the
/// state is private to the gateway's user from the first byte. SQLite gives the WAL and
/// shared-memory files the database file's permissions.
pub(super) fn prepare_files(dir: &Path) -> std::io::Result<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        let db = dir.join(FILE);
        if !db.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&db)?;
        }
        Ok(db)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)?;
        Ok(dir.join(FILE))
    }
}

/// Opens an existing spool for reading only (no file is created, nothing is migrated).
pub(super) fn open_read_only(dir: &Path) -> anyhow::Result<Connection> {
    let db = dir.join(FILE);
    if !db.is_file() {
        anyhow::bail!("no spool at {}", db.display());
    }
    Ok(Connection::open_with_flags(
        &db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?)
}
