//! The embedded spool: one SQLite database in `spool.dir`.
//!
//! WAL with `synchronous=FULL`, so a commit is on disk when it returns; `secure_delete=ON`, so
//! purged envelopes are overwritten rather than left in free pages. A single writer thread owns
//! the write connection and commits whatever submissions have queued up in one transaction
//! (group commit): under load many submissions share one fsync, and each caller is answered only
//! after the transaction holding its submission has committed.

use super::lifecycle::{self, PurgeReport, RetentionPolicy};
use super::partners;
use super::{
    audit, schema, AttemptOutcome, CommitOutcome, DeliveryRecord, DueDelivery, IssuedToken,
    NewSubmission, OutboxStats, Spool, SpoolError, SpoolFuture, StoredEnvelope, SubmissionRecord,
};
use crate::ack::{AckKind, Used};
use crate::reference::{Reference, ReferenceCipher, SPACE};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Most submissions committed in one transaction.
const MAX_BATCH: usize = 256;
/// Bytes of WAL kept after a checkpoint.
const WAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;
/// How long a proof that the spool takes writes stands for `/readyz`.
const WRITABLE_FRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// When the spool last proved it takes writes (a probe, or submissions committed): `/readyz`
/// needs no write of its own while that is recent. Any failed write withdraws the proof.
struct Writable {
    origin: std::time::Instant,
    /// Milliseconds after `origin`, plus one; 0 for "not proven".
    proven_at: AtomicU64,
}

impl Writable {
    fn new() -> Self {
        Writable {
            origin: std::time::Instant::now(),
            proven_at: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64 + 1
    }

    fn proven(&self) {
        self.proven_at.store(self.now(), Ordering::Relaxed);
    }

    fn doubted(&self) {
        self.proven_at.store(0, Ordering::Relaxed);
    }

    fn fresh(&self) -> bool {
        let at = self.proven_at.load(Ordering::Relaxed);
        at != 0 && self.now().saturating_sub(at) < WRITABLE_FRESH.as_millis() as u64
    }

    fn record<T, E>(&self, result: &Result<T, E>) {
        match result {
            Ok(_) => self.proven(),
            Err(_) => self.doubted(),
        }
    }
}
/// Submissions that may wait for the writer before callers wait for room.
const QUEUE: usize = 1024;

type Reply<T> = oneshot::Sender<Result<T, SpoolError>>;

enum Job {
    Commit(Box<NewSubmission>, Reply<CommitOutcome>),
    Other(Control),
}

/// Writer work that is not a submission: it runs after the batch of commits it arrived with.
enum Control {
    Probe(Reply<()>),
    Secret(String, usize, Reply<Vec<u8>>),
    Attempt(String, String, i64, AttemptOutcome, Reply<()>),
    Requeue(String, i64, Reply<usize>),
    AddAckToken([u8; 32], String, String, AckKind, i64, Reply<()>),
    Acknowledge([u8; 32], i64, i64, Reply<Option<Used>>),
    Escalate(i64, i64, Vec<(String, String)>, Reply<Vec<String>>),
    Purge(i64, RetentionPolicy, Reply<PurgeReport>),
    AddPartner(String, [u8; 32], i64, Reply<bool>),
    RevokePartner(String, i64, Reply<bool>),
}

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

/// When the next pending delivery falls due: the smallest of each rank's first entry in the
/// `deliveries_due` index (a MIN over all pending rows would read every one of them).
const NEXT_DUE: &str = "SELECT MIN(m) FROM (
        SELECT MIN(next_attempt_at) AS m FROM deliveries WHERE state = 'pending' AND rank = 0
        UNION ALL SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 1
        UNION ALL SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 2)";

/// Pending and dead counts (read from the index alone) and the age of the oldest pending
/// delivery (one step down `deliveries_pending_age`). ?1 is now.
const OUTBOX_STATS: &str = "SELECT
        (SELECT COUNT(*) FROM deliveries WHERE state = 'pending'),
        (SELECT COUNT(*) FROM deliveries WHERE state = 'dead'),
        COALESCE(?1 - (SELECT MIN(retry_from) FROM deliveries INDEXED BY deliveries_pending_age
                       WHERE state = 'pending'), 0)";

const BY_NUMBER: &str = "SELECT 1 FROM submissions WHERE id = ?1 AND reference = ?2";
const BY_LEGACY_REFERENCE: &str = "SELECT id FROM submissions WHERE reference = ?1 AND legacy = 1";

/// The row of the submission with this reference, if any.
pub(super) fn submission_id(
    conn: &Connection,
    cipher: &ReferenceCipher,
    reference: &str,
) -> rusqlite::Result<Option<i64>> {
    let Some(reference) = Reference::parse(reference) else {
        return Ok(None);
    };
    let n = cipher.number(&reference) as i64;
    let numbered = conn
        .prepare_cached(BY_NUMBER)?
        .exists(params![n, reference.as_str()])?;
    if numbered {
        return Ok(Some(n));
    }
    // Submissions stored before references were enciphered numbers keep their random ones.
    conn.prepare_cached(BY_LEGACY_REFERENCE)?
        .query_row([reference.as_str()], |r| r.get(0))
        .optional()
}

fn unavailable(e: impl std::fmt::Display) -> SpoolError {
    SpoolError::Unavailable(e.to_string())
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
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
    // they are overwritten. Purges checkpoint with TRUNCATE (see lifecycle::purge_due); this
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
fn prepare_files(dir: &Path) -> std::io::Result<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        let db = dir.join("spool.sqlite3");
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
        Ok(dir.join("spool.sqlite3"))
    }
}

impl SqliteSpool {
    /// Opens (creating if needed) the spool in `dir`, migrates it, and starts the writer.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let path = prepare_files(dir)
            .with_context(|| format!("preparing spool folder {}", dir.display()))?;
        let mut writer =
            open_connection(&path).with_context(|| format!("opening spool {}", path.display()))?;
        schema::migrate(&mut writer).context("migrating the spool schema")?;
        let key: [u8; 32] = secret(&mut writer, REFERENCE_KEY, 32)
            .context("reading the reference key")?
            .try_into()
            .map_err(|_| anyhow::anyhow!("the spool's reference key is not 32 bytes"))?;
        let highest: i64 = writer
            .query_row("SELECT COALESCE(MAX(id), 0) FROM submissions", [], |r| {
                r.get(0)
            })
            .context("reading the highest submission number")?;
        let reader = open_connection(&path).context("opening the spool for reading")?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let numbering = Arc::new(Numbering {
            cipher: ReferenceCipher::new(&key),
            next: AtomicU64::new(highest.max(0) as u64 + 1),
        });
        let writer_numbering = Arc::clone(&numbering);
        let writable = Arc::new(Writable::new());
        let writer_writable = Arc::clone(&writable);
        std::thread::Builder::new()
            .name("spool-writer".into())
            .spawn(move || writer_loop(writer, &writer_numbering, &writer_writable, rx))
            .context("starting the spool writer")?;
        Ok(SqliteSpool {
            jobs: tx,
            reader: Arc::new(Mutex::new(reader)),
            path,
            numbering,
            writable,
        })
    }

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
        reference: String,
        none: T,
        f: impl FnOnce(&Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, SpoolError> {
        let numbering = Arc::clone(&self.numbering);
        self.read(
            move |c| match submission_id(c, &numbering.cipher, &reference)? {
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

fn writer_loop(
    mut conn: Connection,
    numbering: &Numbering,
    writable: &Writable,
    mut rx: mpsc::Receiver<Job>,
) {
    let cipher = &numbering.cipher;
    while let Some(first) = rx.blocking_recv() {
        let mut commits = Vec::new();
        let mut others = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Commit(s, reply) => commits.push((s, reply)),
                Job::Other(control) => others.push(control),
            }
            if commits.len() + others.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        // The outbox's frequent small writes (attempt results, acknowledgement tokens) ride in
        // the same transaction as the submissions, so one sync serves both.
        let (small, others): (Vec<Control>, Vec<Control>) = others
            .into_iter()
            .partition(|c| matches!(c, Control::Attempt(..) | Control::AddAckToken(..)));
        if !commits.is_empty() || !small.is_empty() {
            write_batch(&mut conn, numbering, writable, commits, small);
        }
        for control in others {
            match control {
                Control::Probe(reply) => {
                    let result = probe(&mut conn);
                    writable.record(&result);
                    let _ = reply.send(result.map_err(unavailable));
                }
                Control::Secret(name, len, reply) => {
                    let _ = reply.send(secret(&mut conn, &name, len).map_err(unavailable));
                }
                Control::AddPartner(name, hash, now, reply) => {
                    let _ = reply
                        .send(partners::add(&mut conn, &name, &hash, now).map_err(unavailable));
                }
                Control::RevokePartner(name, now, reply) => {
                    let _ =
                        reply.send(partners::revoke(&mut conn, &name, now).map_err(unavailable));
                }
                Control::Requeue(reference, now, reply) => {
                    let _ = reply.send(
                        lifecycle::requeue(&mut conn, cipher, &reference, now).map_err(unavailable),
                    );
                }
                Control::Acknowledge(hash, now, issued_after, reply) => {
                    let _ = reply.send(
                        lifecycle::acknowledge(&mut conn, &hash, now, issued_after)
                            .map_err(unavailable),
                    );
                }
                Control::Escalate(now, repeat_secs, routes, reply) => {
                    let _ = reply.send(
                        lifecycle::escalate_due(&mut conn, now, repeat_secs, &routes)
                            .map_err(unavailable),
                    );
                }
                // Written together in small_batch above.
                Control::Attempt(..) | Control::AddAckToken(..) => {}
                Control::Purge(now, policy, reply) => {
                    let _ = reply
                        .send(lifecycle::purge_due(&mut conn, now, &policy).map_err(unavailable));
                }
            }
        }
    }
}

type Commits = Vec<(Box<NewSubmission>, Reply<CommitOutcome>)>;

/// One transaction, one sync: the batch's submissions, then the outbox's small writes, each
/// part under its own savepoint so that a failure in one part undoes only that part. Callers
/// hear the outcome only after COMMIT; if COMMIT fails, nobody's write happened and everyone
/// hears so (no reference is given).
fn write_batch(
    conn: &mut Connection,
    numbering: &Numbering,
    writable: &Writable,
    commits: Commits,
    small: Vec<Control>,
) {
    let cipher = &numbering.cipher;
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            writable.doubted();
            return fail_all(&e, commits, small);
        }
    };
    let committed = if commits.is_empty() {
        Ok(Vec::new())
    } else {
        in_savepoint(&tx, |sp| {
            commits
                .iter()
                .map(|(s, _)| insert_one(sp, numbering, s))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
    };
    let small_done = if small.is_empty() {
        Ok(())
    } else {
        in_savepoint(&tx, |sp| {
            for job in &small {
                match job {
                    Control::Attempt(reference, route, now, outcome, _) => {
                        record_attempt(sp, cipher, reference, route, *now, outcome)?
                    }
                    Control::AddAckToken(hash, reference, route, kind, now, _) => {
                        let id = submission_id(sp, cipher, reference)?
                            .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                        sp.prepare_cached(
                            "INSERT OR IGNORE INTO ack_tokens (token_hash, submission, route, created_at, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
                        )?
                        .execute(params![&hash[..], id, route, now, kind.as_str()])?;
                    }
                    _ => {}
                }
            }
            Ok(())
        })
    };
    if let Err(e) = tx.commit() {
        writable.doubted();
        return fail_all(&e, commits, small);
    }
    if !commits.is_empty() {
        writable.record(&committed);
    }
    match committed {
        Ok(outcomes) => {
            for ((_, reply), outcome) in commits.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            // Nothing in the batch's submissions committed; every caller hears so and none
            // gets a reference.
            tracing::error!(error = %e, batch = commits.len(), "spool commit failed");
            for (_, reply) in commits {
                let _ = reply.send(Err(unavailable(&e)));
            }
        }
    }
    if let Err(e) = &small_done {
        tracing::error!(error = %e, batch = small.len(), "spool write failed");
    }
    reply_small(small, small_done.map_err(|e| e.to_string()));
}

/// Runs `f` under a savepoint: released on success, rolled back (and only it) on failure.
fn in_savepoint<T>(
    tx: &rusqlite::Transaction<'_>,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.execute_batch("SAVEPOINT part")?;
    match f(tx) {
        Ok(v) => {
            tx.execute_batch("RELEASE part")?;
            Ok(v)
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO part; RELEASE part")?;
            Err(e)
        }
    }
}

fn fail_all(e: &rusqlite::Error, commits: Commits, small: Vec<Control>) {
    tracing::error!(error = %e, batch = commits.len() + small.len(), "spool commit failed");
    for (_, reply) in commits {
        let _ = reply.send(Err(unavailable(e)));
    }
    reply_small(small, Err(e.to_string()));
}

fn reply_small(small: Vec<Control>, result: Result<(), String>) {
    for job in small {
        if let Control::Attempt(.., reply) | Control::AddAckToken(.., reply) = job {
            let _ = reply.send(result.clone().map_err(unavailable));
        }
    }
}

/// The order deliveries are sent in: most urgent first.
fn rank(p: crate::triage::Priority) -> i64 {
    match p {
        crate::triage::Priority::Immediate => 0,
        crate::triage::Priority::Priority => 1,
        crate::triage::Priority::Routine => 2,
    }
}

fn insert_one(
    tx: &rusqlite::Transaction<'_>,
    numbering: &Numbering,
    s: &NewSubmission,
) -> rusqlite::Result<CommitOutcome> {
    if let Some(hash) = &s.token_hash {
        let existing: Option<String> = tx
            .prepare_cached("SELECT reference FROM submissions WHERE token_hash = ?1")?
            .query_row([&hash[..]], |r| r.get(0))
            .optional()?;
        if let Some(r) = existing.and_then(|r| Reference::parse(&r)) {
            return Ok(CommitOutcome::Duplicate(r));
        }
    }
    // The number is taken only if another gateway writes to the same spool (two overlapping
    // during a restart, say): numbering then carries on after the highest stored, so the retry
    // does not collide again.
    let number_taken = tx
        .prepare_cached("SELECT 1 FROM submissions WHERE id = ?1")?
        .exists([s.number as i64])?;
    if number_taken {
        let highest: i64 = tx
            .prepare_cached("SELECT MAX(id) FROM submissions")?
            .query_row([], |r| r.get(0))?;
        numbering
            .next
            .fetch_max(highest.max(0) as u64 + 1, Ordering::Relaxed);
        return Ok(CommitOutcome::ReferenceTaken);
    }
    // The reference is taken only by a submission kept from schema 1.
    let reference_taken = tx
        .prepare_cached(BY_LEGACY_REFERENCE)?
        .exists([s.reference.as_str()])?;
    if reference_taken {
        return Ok(CommitOutcome::ReferenceTaken);
    }
    let reasons = serde_json::to_string(&s.reason_codes).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "INSERT INTO submissions (id, reference, received_at, form_id, form_version, priority, reason_codes,
                                  token_hash, received_unix, ack_deadline, next_escalation_at)
         VALUES (?10, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        s.reference.as_str(),
        s.received_at,
        s.form_id,
        s.form_version,
        s.priority.as_str(),
        reasons,
        s.token_hash.as_ref().map(|h| &h[..]),
        s.received_unix,
        s.ack_deadline,
        s.number as i64,
    ])?;
    let id = s.number as i64;
    let r = Some(s.reference.as_str());
    audit::append(
        tx,
        s.received_unix,
        "received",
        r,
        None,
        Some(s.priority.as_str()),
    )?;
    for e in &s.envelopes {
        if let Some(body) = &e.body {
            tx.prepare_cached(
                "INSERT INTO envelopes (submission, route, view, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, e.route, e.view, body])?;
        }
        tx.prepare_cached(
            "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state, next_attempt_at, retry_from, ack_kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?8)",
        )?
        .execute(params![
            id,
            e.route,
            e.mailbox,
            e.view,
            e.notice,
            rank(s.priority),
            s.received_unix,
            e.ack.as_str()
        ])?;
        audit::append(
            tx,
            s.received_unix,
            "sealed",
            r,
            Some(&e.route),
            Some(e.view),
        )?;
    }
    Ok(CommitOutcome::Committed(s.reference.clone()))
}

/// The attempt's result and its audit event, inside the caller's transaction.
fn record_attempt(
    tx: &rusqlite::Transaction<'_>,
    cipher: &ReferenceCipher,
    reference: &str,
    route: &str,
    now: i64,
    outcome: &AttemptOutcome,
) -> rusqlite::Result<()> {
    let (state, next, class, delivered, dead, event) = match outcome {
        AttemptOutcome::Delivered => ("delivered", now, None, Some(now), None, "delivered"),
        AttemptOutcome::Retry { next_at, class } => (
            "pending",
            *next_at,
            Some(class.as_str()),
            None,
            None,
            "delivery_failed",
        ),
        AttemptOutcome::Dead { class } => (
            "dead",
            now,
            Some(class.as_str()),
            None,
            Some(now),
            "dead_lettered",
        ),
    };
    let id = submission_id(tx, cipher, reference)?;
    tx.prepare_cached(
        "UPDATE deliveries SET state = ?3, attempts = attempts + 1, last_attempt_at = ?4, next_attempt_at = ?5,
                last_error_class = COALESCE(?6, last_error_class), delivered_at = COALESCE(?7, delivered_at),
                dead_at = ?8
         WHERE submission = ?1 AND route = ?2",
    )?
    .execute(params![id, route, state, now, next, class, delivered, dead])?;
    audit::append(tx, now, event, Some(reference), Some(route), class)
}

/// Columns read into a [`DeliveryRecord`], from `deliveries d JOIN submissions s`.
const DELIVERY_COLUMNS: &str = "s.reference, d.route, d.mailbox, d.view, d.state, d.attempts, d.next_attempt_at, d.last_error_class, d.delivered_at, d.dead_at";

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        reference: r.get(0)?,
        route: r.get(1)?,
        mailbox: r.get(2)?,
        view: r.get(3)?,
        state: r.get(4)?,
        attempts: r.get(5)?,
        next_attempt_at: r.get(6)?,
        last_error_class: r.get(7)?,
        delivered_at: r.get(8)?,
        dead_at: r.get(9)?,
    })
}

fn probe(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO settings (name, value) VALUES ('probe', ?1)
         ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        // Nanoseconds, so that every probe really changes a page.
        [time::OffsetDateTime::now_utc()
            .unix_timestamp_nanos()
            .to_be_bytes()
            .to_vec()],
    )?;
    tx.commit()
}

fn secret(conn: &mut Connection, name: &str, len: usize) -> rusqlite::Result<Vec<u8>> {
    let key = format!("secret:{name}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<Vec<u8>> = tx
        .query_row("SELECT value FROM settings WHERE name = ?1", [&key], |r| {
            r.get(0)
        })
        .optional()?;
    let value = match existing {
        Some(v) if v.len() == len => v,
        _ => {
            use rand::RngCore;
            let mut v = vec![0u8; len];
            rand::rngs::OsRng.fill_bytes(&mut v);
            tx.execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?;
            v
        }
    };
    tx.commit()?;
    Ok(value)
}

impl Spool for SqliteSpool {
    fn commit(&self, submission: NewSubmission) -> SpoolFuture<'_, CommitOutcome> {
        Box::pin(self.ask(|r| Job::Commit(Box::new(submission), r)))
    }

    fn reference_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<Reference>> {
        Box::pin(self.read(move |c| {
            let r: Option<String> = c
                .prepare_cached("SELECT reference FROM submissions WHERE token_hash = ?1")?
                .query_row([&token_hash[..]], |r| r.get(0))
                .optional()?;
            Ok(r.and_then(|r| Reference::parse(&r)))
        }))
    }

    fn probe_writable(&self) -> SpoolFuture<'_, ()> {
        if self.writable.fresh() {
            return Box::pin(std::future::ready(Ok(())));
        }
        Box::pin(self.ask(|r| Job::Other(Control::Probe(r))))
    }

    fn next_reference(&self) -> Result<(u64, Reference), SpoolError> {
        self.numbering.draw()
    }

    fn submission(&self, reference: &str) -> SpoolFuture<'_, Option<SubmissionRecord>> {
        Box::pin(self.read_submission(reference.to_string(), None, move |c, id| {
            c.query_row(
                "SELECT reference, received_at, form_id, form_version, priority, reason_codes FROM submissions WHERE id = ?1",
                [id],
                |r| {
                    let reasons: String = r.get(5)?;
                    Ok(SubmissionRecord {
                        reference: r.get(0)?,
                        received_at: r.get(1)?,
                        form_id: r.get(2)?,
                        form_version: r.get(3)?,
                        priority: r.get(4)?,
                        reason_codes: serde_json::from_str(&reasons).unwrap_or_default(),
                    })
                },
            )
            .optional()
        }))
    }

    fn envelopes(&self, reference: &str) -> SpoolFuture<'_, Vec<StoredEnvelope>> {
        Box::pin(
            self.read_submission(reference.to_string(), Vec::new(), move |c, id| {
                let mut st = c.prepare_cached(
                    "SELECT route, view, body FROM envelopes WHERE submission = ?1 ORDER BY route",
                )?;
                let rows = st.query_map([id], |r| {
                    Ok(StoredEnvelope {
                        route: r.get(0)?,
                        view: r.get(1)?,
                        body: r.get(2)?,
                    })
                })?;
                rows.collect()
            }),
        )
    }

    fn deliveries(&self, reference: &str) -> SpoolFuture<'_, Vec<DeliveryRecord>> {
        Box::pin(self.read_submission(reference.to_string(), Vec::new(), move |c, id| {
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN submissions s ON s.id = d.submission
                 WHERE d.submission = ?1 ORDER BY d.route"
            );
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map([id], delivery_row)?;
            rows.collect()
        }))
    }

    fn due(&self, now: i64, limit: usize) -> SpoolFuture<'_, Vec<DueDelivery>> {
        Box::pin(self.read(move |c| {
            c.prepare_cached(
                // Walks the (state, rank, next_attempt_at) index in order and stops at the
                // limit: no sort over the whole backlog.
                "SELECT s.reference, d.route, d.mailbox, d.view, d.attempts, d.retry_from,
                        s.priority, s.received_at, s.form_id, e.body, d.notice, d.rank, d.ack_kind
                 FROM deliveries d
                 JOIN submissions s ON s.id = d.submission
                 LEFT JOIN envelopes e ON e.submission = d.submission AND e.route = d.route
                 WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                 ORDER BY d.rank, d.next_attempt_at
                 LIMIT ?2",
            )?
            .query_map(params![now, limit as i64], |r| {
                Ok(DueDelivery {
                    reference: r.get(0)?,
                    route: r.get(1)?,
                    mailbox: r.get(2)?,
                    view: r.get(3)?,
                    attempts: r.get(4)?,
                    retry_from: r.get(5)?,
                    priority: r.get(6)?,
                    received_at: r.get(7)?,
                    form_id: r.get(8)?,
                    envelope: r.get(9)?,
                    notice: r.get(10)?,
                    rank: r.get(11)?,
                    ack: AckKind::parse(&r.get::<_, String>(12)?)
                        .unwrap_or(AckKind::ConfirmReceipt),
                })
            })?
            .collect()
        }))
    }

    fn next_due_at(&self) -> SpoolFuture<'_, Option<i64>> {
        Box::pin(self.read(|c| c.prepare_cached(NEXT_DUE)?.query_row([], |r| r.get(0))))
    }

    fn record_attempt(
        &self,
        reference: &str,
        route: &str,
        now: i64,
        outcome: AttemptOutcome,
    ) -> SpoolFuture<'_, ()> {
        let (reference, route) = (reference.to_string(), route.to_string());
        Box::pin(self.ask(move |r| Job::Other(Control::Attempt(reference, route, now, outcome, r))))
    }

    fn outbox(&self) -> SpoolFuture<'_, Vec<DeliveryRecord>> {
        Box::pin(self.read(|c| {
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN submissions s ON s.id = d.submission
                 WHERE d.state IN ('pending', 'dead') ORDER BY d.retry_from, s.reference, d.route"
            );
            let mut st = c.prepare(&sql)?;
            let rows = st.query_map([], delivery_row)?;
            rows.collect()
        }))
    }

    fn requeue(&self, reference: &str, now: i64) -> SpoolFuture<'_, usize> {
        let reference = reference.to_string();
        Box::pin(self.ask(move |r| Job::Other(Control::Requeue(reference, now, r))))
    }

    fn outbox_stats(&self, now: i64) -> SpoolFuture<'_, OutboxStats> {
        Box::pin(self.read(move |c| {
            c.prepare_cached(OUTBOX_STATS)?.query_row([now], |r| {
                Ok(OutboxStats {
                    pending: r.get(0)?,
                    dead: r.get(1)?,
                    oldest_pending_secs: r.get::<_, i64>(2)?.max(0),
                })
            })
        }))
    }

    fn count_submissions(&self) -> SpoolFuture<'_, u64> {
        Box::pin(self.read(|c| c.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))))
    }

    fn add_ack_token(
        &self,
        token_hash: [u8; 32],
        reference: &str,
        route: &str,
        kind: AckKind,
        now: i64,
    ) -> SpoolFuture<'_, ()> {
        let (reference, route) = (reference.to_string(), route.to_string());
        Box::pin(self.ask(move |r| {
            Job::Other(Control::AddAckToken(
                token_hash, reference, route, kind, now, r,
            ))
        }))
    }

    fn latest_ack_token(
        &self,
        reference: &str,
        route: &str,
    ) -> SpoolFuture<'_, Option<IssuedToken>> {
        let route = route.to_string();
        Box::pin(
            self.read_submission(reference.to_string(), None, move |c, id| {
                c.prepare_cached(
                    "SELECT token_hash, created_at, used_at IS NOT NULL FROM ack_tokens
                 WHERE submission = ?1 AND route = ?2 ORDER BY created_at DESC LIMIT 1",
                )?
                .query_row(params![id, route], |r| {
                    let hash: Vec<u8> = r.get(0)?;
                    <[u8; 32]>::try_from(hash.as_slice())
                        .ok()
                        .map(|hash| -> rusqlite::Result<IssuedToken> {
                            Ok(IssuedToken {
                                hash,
                                issued_at: r.get(1)?,
                                used: r.get(2)?,
                            })
                        })
                        .transpose()
                })
                .optional()
                .map(Option::flatten)
            }),
        )
    }

    fn ack_token_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<AckKind>> {
        Box::pin(self.read(move |c| {
            let kind: Option<String> = c
                .prepare_cached(
                    "SELECT kind FROM ack_tokens
                     WHERE token_hash = ?1 AND used_at IS NULL AND created_at >= ?2",
                )?
                .query_row(params![&token_hash[..], issued_after], |r| r.get(0))
                .optional()?;
            Ok(kind.map(|k| AckKind::parse(&k).unwrap_or(AckKind::ConfirmReceipt)))
        }))
    }

    fn acknowledge(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Used>> {
        Box::pin(
            self.ask(move |r| Job::Other(Control::Acknowledge(token_hash, now, issued_after, r))),
        )
    }

    fn escalate_due(
        &self,
        now: i64,
        repeat_secs: i64,
        routes: Vec<(String, String)>,
    ) -> SpoolFuture<'_, Vec<String>> {
        Box::pin(self.ask(move |r| Job::Other(Control::Escalate(now, repeat_secs, routes, r))))
    }

    fn purge_due(&self, now: i64, policy: RetentionPolicy) -> SpoolFuture<'_, PurgeReport> {
        Box::pin(self.ask(move |r| Job::Other(Control::Purge(now, policy, r))))
    }

    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>> {
        Box::pin(self.read(audit::head))
    }

    fn audit_entries(&self) -> SpoolFuture<'_, Vec<audit::Entry>> {
        Box::pin(self.read(audit::entries))
    }

    fn secret(&self, name: &str, len: usize) -> SpoolFuture<'_, Vec<u8>> {
        let name = name.to_string();
        Box::pin(self.ask(move |r| Job::Other(Control::Secret(name, len, r))))
    }

    fn partner_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<String>> {
        Box::pin(self.read(move |c| partners::for_token(c, &token_hash)))
    }

    fn add_partner(&self, name: &str, token_hash: [u8; 32], now: i64) -> SpoolFuture<'_, bool> {
        let name = name.to_string();
        Box::pin(self.ask(move |r| Job::Other(Control::AddPartner(name, token_hash, now, r))))
    }

    fn revoke_partner(&self, name: &str, now: i64) -> SpoolFuture<'_, bool> {
        let name = name.to_string();
        Box::pin(self.ask(move |r| Job::Other(Control::RevokePartner(name, now, r))))
    }

    fn partners(&self) -> SpoolFuture<'_, Vec<partners::PartnerRecord>> {
        Box::pin(self.read(partners::list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::NewEnvelope;
    use crate::triage::Priority;

    /// Numbering for tests that drive the writer's functions on a bare connection.
    fn numbering() -> Numbering {
        Numbering {
            cipher: ReferenceCipher::new(&[3; 32]),
            next: AtomicU64::new(1),
        }
    }

    fn draw(numbering: &Numbering) -> (u64, Reference) {
        numbering.draw().expect("a number")
    }

    fn drawn(spool: &SqliteSpool) -> (u64, Reference) {
        spool.next_reference().expect("a reference")
    }

    fn submission((number, reference): (u64, Reference), token: Option<[u8; 32]>) -> NewSubmission {
        NewSubmission {
            number,
            reference,
            received_at: "2026-11-23T19:00:00Z".into(),
            received_unix: 1_795_460_400,
            ack_deadline: None,
            form_id: "community".into(),
            form_version: 1,
            priority: Priority::Routine,
            reason_codes: vec![],
            token_hash: token,
            envelopes: vec![NewEnvelope {
                route: "police_intelligence".into(),
                mailbox: "intel@example.invalid".into(),
                view: "full",
                body: Some(vec![1, 2, 3]),
                notice: None,
                ack: AckKind::Acknowledge,
            }],
        }
    }

    #[tokio::test]
    async fn concurrent_commits_are_all_durable_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = Arc::new(SqliteSpool::open(dir.path()).expect("open"));
        let mut handles = Vec::new();
        for _ in 0..200 {
            let s = Arc::clone(&spool);
            handles.push(tokio::spawn(async move {
                s.commit(submission(drawn(&s), None)).await
            }));
        }
        let mut refs = Vec::new();
        for h in handles {
            match h.await.expect("join").expect("commit") {
                CommitOutcome::Committed(r) => refs.push(r),
                other => panic!("unexpected {other:?}"),
            }
        }
        drop(spool);
        let spool = SqliteSpool::open(dir.path()).expect("reopen");
        assert_eq!(spool.count_submissions().await.expect("count"), 200);
        for r in refs.iter().take(5) {
            assert!(spool.submission(r.as_str()).await.expect("read").is_some());
            assert_eq!(spool.envelopes(r.as_str()).await.expect("read").len(), 1);
            assert_eq!(
                spool.deliveries(r.as_str()).await.expect("read")[0].state,
                "pending"
            );
        }
    }

    #[tokio::test]
    async fn a_token_commits_once_and_then_names_its_reference() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = SqliteSpool::open(dir.path()).expect("open");
        let first = spool
            .commit(submission(drawn(&spool), Some([7; 32])))
            .await
            .expect("commit");
        let CommitOutcome::Committed(r) = first else {
            panic!("{first:?}")
        };
        let again = spool
            .commit(submission(drawn(&spool), Some([7; 32])))
            .await
            .expect("commit");
        assert_eq!(again, CommitOutcome::Duplicate(r.clone()));
        assert_eq!(
            spool.reference_for_token([7; 32]).await.expect("read"),
            Some(r)
        );
        assert_eq!(spool.count_submissions().await.expect("count"), 1);
    }

    #[tokio::test]
    async fn a_taken_reference_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = SqliteSpool::open(dir.path()).expect("open");
        let s = submission(drawn(&spool), None);
        let mut twin = submission(drawn(&spool), None);
        twin.number = s.number;
        twin.reference = s.reference.clone();
        spool.commit(s).await.expect("commit");
        assert_eq!(
            spool.commit(twin).await.expect("commit"),
            CommitOutcome::ReferenceTaken
        );
    }

    #[tokio::test]
    async fn a_new_reference_never_repeats_one_kept_from_schema_1() {
        // A schema-1 spool whose one random reference happens to be what number 2 enciphers
        // to: number 1 is that row's, so 2 is the first drawn, and it must be refused.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = prepare_files(dir.path()).expect("files");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(schema::MIGRATIONS[0]).expect("v1");
        let key = [9u8; 32];
        let clash = ReferenceCipher::new(&key).reference(2);
        conn.execute(
            "INSERT INTO settings (name, value) VALUES ('secret:reference_key', ?1)",
            [&key[..]],
        )
        .expect("key");
        conn.execute(
            "INSERT INTO submissions (reference, received_at, form_id, form_version, priority, reason_codes, received_unix)
             VALUES (?1, '2026-01-01T00:00:00Z', 'community', 1, 'ROUTINE', '[]', 100)",
            [clash.as_str()],
        )
        .expect("legacy row");
        conn.pragma_update(None, "user_version", 1).expect("v1");
        drop(conn);

        let spool = SqliteSpool::open(dir.path()).expect("migrated");
        let first = drawn(&spool);
        assert_eq!(first, (2, clash.clone()));
        assert_eq!(
            spool.commit(submission(first, None)).await.expect("commit"),
            CommitOutcome::ReferenceTaken
        );
        let CommitOutcome::Committed(fresh) = spool
            .commit(submission(drawn(&spool), None))
            .await
            .expect("commit")
        else {
            panic!("not committed")
        };
        assert_ne!(fresh, clash);
        let kept = spool.submission(clash.as_str()).await.expect("read");
        assert_eq!(
            kept.expect("legacy row").received_at,
            "2026-01-01T00:00:00Z"
        );
        assert!(spool
            .submission(fresh.as_str())
            .await
            .expect("read")
            .is_some());
    }

    #[tokio::test]
    async fn two_gateways_on_one_spool_never_share_a_reference() {
        // Two gateways overlapping on the same spool (a restart, say) start from the same
        // number. The second one's clash is caught and its next draw goes past the first's.
        let dir = tempfile::tempdir().expect("tempdir");
        let a = SqliteSpool::open(dir.path()).expect("open");
        let b = SqliteSpool::open(dir.path()).expect("open");
        let mut refs = Vec::new();
        for _ in 0..3 {
            match a.commit(submission(drawn(&a), None)).await.expect("commit") {
                CommitOutcome::Committed(r) => refs.push(r),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            b.commit(submission(drawn(&b), None)).await.expect("commit"),
            CommitOutcome::ReferenceTaken
        );
        match b.commit(submission(drawn(&b), None)).await.expect("commit") {
            CommitOutcome::Committed(r) => refs.push(r),
            other => panic!("{other:?}"),
        }
        for r in &refs {
            assert!(a.submission(r.as_str()).await.expect("read").is_some());
            assert!(b.submission(r.as_str()).await.expect("read").is_some());
        }
        assert_eq!(a.count_submissions().await.expect("count"), 4);
    }

    #[tokio::test]
    async fn secrets_persist_and_files_are_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = SqliteSpool::open(&dir.path().join("s")).expect("open");
        let a = spool.secret("form_token", 32).await.expect("secret");
        assert_eq!(a, spool.secret("form_token", 32).await.expect("secret"));
        spool.probe_writable().await.expect("writable");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("s")), 0o700);
            assert_eq!(mode(spool.path()), 0o600);
        }
    }

    #[tokio::test]
    async fn readiness_writes_at_most_once_in_a_few_seconds_and_a_commit_counts_as_proof() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool = SqliteSpool::open(&dir.path().join("s")).expect("open");
        let watcher = Connection::open(spool.path()).expect("watcher");
        let version = || -> i64 {
            watcher
                .query_row("PRAGMA data_version", [], |r| r.get(0))
                .expect("data_version")
        };
        let start = version();
        spool.probe_writable().await.expect("writable");
        let probed = version();
        assert_ne!(probed, start, "the first probe writes");
        for _ in 0..20 {
            spool.probe_writable().await.expect("writable");
        }
        assert_eq!(
            version(),
            probed,
            "later probes within seconds write nothing"
        );
        // A failed write withdraws the proof; a committed submission restores it.
        spool.writable.doubted();
        spool.probe_writable().await.expect("writable");
        let reprobed = version();
        assert_ne!(reprobed, probed, "probed again after a failure");
        spool.writable.doubted();
        let outcome = spool
            .commit(submission(drawn(&spool), None))
            .await
            .expect("commit");
        assert!(matches!(outcome, CommitOutcome::Committed(_)));
        let committed = version();
        spool.probe_writable().await.expect("writable");
        assert_eq!(version(), committed, "the commit was proof enough");
    }

    #[test]
    fn a_spool_from_a_newer_gateway_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = prepare_files(dir.path()).expect("files");
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99)
            .expect("pragma");
        drop(conn);
        assert!(SqliteSpool::open(dir.path()).is_err());
    }

    #[tokio::test]
    async fn a_version_1_spool_is_migrated_with_every_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = prepare_files(dir.path()).expect("files");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(schema::MIGRATIONS[0]).expect("v1");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO submissions (reference, received_at, form_id, form_version, priority, reason_codes,
                                      received_unix, acknowledged_at)
                 VALUES ('PIS-AAAA-AAAA', '2026-01-01T00:00:00Z', 'community', 1, 'ROUTINE', '[]', 100, NULL),
                        ('PIS-BBBB-BBBB', '2026-01-02T00:00:00Z', 'partner', 1, 'IMMEDIATE', '[\"x\"]', 200, 250);
             INSERT INTO envelopes (reference, route, view, body)
                 VALUES ('PIS-BBBB-BBBB', 'intel', 'full', x'0102'), ('PIS-BBBB-BBBB', 'mace', 'restricted', x'03'),
                        ('PIS-AAAA-AAAA', 'intel', 'full', x'04');
             INSERT INTO deliveries (reference, route, mailbox, view, rank, state, next_attempt_at, retry_from)
                 VALUES ('PIS-BBBB-BBBB', 'intel', 'i@example.invalid', 'full', 0, 'delivered', 200, 200),
                        ('PIS-BBBB-BBBB', 'mace', 'm@example.invalid', 'restricted', 0, 'dead', 200, 200),
                        ('PIS-AAAA-AAAA', 'intel', 'i@example.invalid', 'full', 2, 'pending', 100, 100);
             INSERT INTO ack_tokens (token_hash, reference, route, created_at)
                 VALUES (x'07', 'PIS-BBBB-BBBB', 'intel', 210);",
        )
        .expect("v1 rows");
        drop(conn);

        let spool = SqliteSpool::open(dir.path()).expect("migrated");
        assert_eq!(spool.count_submissions().await.expect("count"), 2);
        let b = spool.envelopes("PIS-BBBB-BBBB").await.expect("envelopes");
        let b: Vec<_> = b
            .iter()
            .map(|e| (e.route.as_str(), e.body.clone()))
            .collect();
        assert_eq!(b, [("intel", vec![1, 2]), ("mace", vec![3])]);
        let states: Vec<_> = spool
            .deliveries("PIS-BBBB-BBBB")
            .await
            .expect("deliveries")
            .into_iter()
            .map(|d| d.state)
            .collect();
        assert_eq!(states, ["delivered", "dead"]);
        let record = spool.submission("PIS-BBBB-BBBB").await.expect("read");
        assert_eq!(record.expect("record").reason_codes, ["x"]);
        assert_eq!(
            spool.due(1_000, 10).await.expect("due")[0].envelope,
            Some(vec![4])
        );
        // New submissions go on from where the old ones stop, and the keys still hold.
        spool
            .commit(submission(drawn(&spool), None))
            .await
            .expect("commit");
        assert_eq!(spool.count_submissions().await.expect("count"), 3);
        let conn = open_connection(&path).expect("open");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, schema::CURRENT_VERSION);
        assert!(!conn
            .prepare("PRAGMA foreign_key_check")
            .expect("check")
            .exists([])
            .expect("check"));
        let foreign_keys: bool = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert!(foreign_keys);
    }

    #[test]
    fn a_wave_of_due_submissions_is_purged_in_batches() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = prepare_files(dir.path()).expect("files");
        let mut conn = open_connection(&path).expect("open");
        schema::migrate(&mut conn).expect("migrate");
        let numbers = numbering();
        let total = lifecycle::PURGE_BATCH * 2 + 100;
        let (commits, _answers): (Commits, Vec<_>) = (0..total)
            .map(|_| {
                let (tx, rx) = oneshot::channel();
                ((Box::new(submission(draw(&numbers), None)), tx), rx)
            })
            .unzip();
        write_batch(&mut conn, &numbers, &Writable::new(), commits, vec![]);
        conn.execute("UPDATE deliveries SET state = 'delivered'", [])
            .expect("delivered");
        let policy = lifecycle::RetentionPolicy {
            grace_secs: 10,
            max_age_secs: 100,
            warn_secs: 10,
        };
        let now = submission(draw(&numbers), None).received_unix + 100;
        let mut sizes = Vec::new();
        loop {
            let report = lifecycle::purge_due(&mut conn, now, &policy).expect("purge");
            sizes.push(report.purged.len());
            if !report.more {
                break;
            }
        }
        assert_eq!(sizes, [lifecycle::PURGE_BATCH, lifecycle::PURGE_BATCH, 100]);
        let left: i64 = conn
            .query_row("SELECT COUNT(*) FROM envelopes", [], |r| r.get(0))
            .expect("count");
        assert_eq!(left, 0);
    }

    /// The periodic queries read indexes, not the whole spool: under a surge of hundreds of
    /// thousands of stored submissions they must not hold the writer for long.
    #[test]
    fn periodic_queries_use_indexes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = prepare_files(dir.path()).expect("files");
        let mut conn = open_connection(&path).expect("open");
        schema::migrate(&mut conn).expect("migrate");
        let plan = |sql: &str| -> String {
            let mut st = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("plan");
            let n = st.parameter_count();
            let rows = st
                .query_map(rusqlite::params_from_iter(vec![0i64; n]), |r| {
                    r.get::<_, String>(3)
                })
                .expect("plan");
            rows.map(|r| r.expect("row")).collect::<Vec<_>>().join("; ")
        };
        let purge = plan(lifecycle::PURGE_CANDIDATES);
        assert!(purge.contains("submissions_unpurged"), "{purge}");
        assert!(purge.contains("submissions_acknowledged"), "{purge}");
        assert!(!purge.contains("SCAN"), "{purge}");
        // A reference is found by its number; one kept from schema 1 through its own index.
        let numbered = plan(BY_NUMBER);
        assert!(numbered.contains("INTEGER PRIMARY KEY"), "{numbered}");
        let legacy = plan(BY_LEGACY_REFERENCE);
        assert!(legacy.contains("submissions_legacy_reference"), "{legacy}");
        // The outbox's figures come from the indexes, never a read of the whole backlog.
        let stats = plan(OUTBOX_STATS);
        assert!(stats.contains("COVERING INDEX deliveries_due"), "{stats}");
        assert!(stats.contains("deliveries_pending_age"), "{stats}");
        assert!(!stats.contains("SCAN deliveries"), "{stats}");
        let next = plan(NEXT_DUE);
        assert!(next.contains("(state=? AND rank=?)"), "{next}");
        assert!(!next.contains("SCAN deliveries"), "{next}");
    }

    #[test]
    fn a_failing_part_of_a_batch_undoes_only_itself() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = prepare_files(dir.path()).expect("files");
        let mut conn = open_connection(&path).expect("open");
        schema::migrate(&mut conn).expect("migrate");
        let numbers = numbering();
        // A submission already in the spool, for the outbox's write to refer to.
        let earlier = submission(draw(&numbers), None);
        let earlier_ref = earlier.reference.clone();
        let (tx, mut rx) = oneshot::channel();
        write_batch(
            &mut conn,
            &numbers,
            &Writable::new(),
            vec![(Box::new(earlier), tx)],
            vec![],
        );
        assert!(matches!(
            rx.try_recv().expect("answered"),
            Ok(CommitOutcome::Committed(_))
        ));
        let good = submission(draw(&numbers), None);
        // The same route twice breaks the envelopes' primary key: this submission cannot commit.
        let mut bad = submission(draw(&numbers), None);
        let again = submission(draw(&numbers), None).envelopes.remove(0);
        bad.envelopes.push(again);
        let (good_tx, mut good_rx) = oneshot::channel();
        let (bad_tx, mut bad_rx) = oneshot::channel();
        let (ack_tx, mut ack_rx) = oneshot::channel();
        write_batch(
            &mut conn,
            &numbers,
            &Writable::new(),
            vec![(Box::new(good), good_tx), (Box::new(bad), bad_tx)],
            vec![Control::AddAckToken(
                [7; 32],
                earlier_ref.as_str().to_string(),
                "police_intelligence".into(),
                AckKind::Acknowledge,
                1,
                ack_tx,
            )],
        );
        // One submission failing fails its whole part: neither gets a reference.
        assert!(good_rx.try_recv().expect("answered").is_err());
        assert!(bad_rx.try_recv().expect("answered").is_err());
        let submissions: i64 = conn
            .query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(submissions, 1, "only the earlier one");
        // The outbox's write in the same transaction still committed.
        assert!(ack_rx.try_recv().expect("answered").is_ok());
        let tokens: i64 = conn
            .query_row("SELECT count(*) FROM ack_tokens", [], |r| r.get(0))
            .expect("count");
        assert_eq!(tokens, 1);
    }
}
