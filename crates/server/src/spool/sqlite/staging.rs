//! Large evidence files, written in chunks over several short transactions.
//!
//! SQLite writes one transaction at a time, and writing and syncing a 10 MiB file holds the
//! writer for tens of milliseconds (over a hundred on a busy disk): every report committed
//! meanwhile waited behind it. So a submission carrying more than
//! [`super::writer::LARGE_BYTES`] of files is written in turns: each turn of the writer first
//! commits whatever small work has queued, then writes at most [`CHUNK_BYTES`] of the large
//! submission's files into `attachment_chunks` ("staged", adopted by nothing yet). When every
//! chunk is on disk, the submission's own short transaction inserts it and adopts the staged
//! files (`attachments.blob`). Its reference is given only after that commit: until then the
//! chunks belong to no submission, and a gateway that stops between them leaves chunks that
//! [`remove_orphans`] deletes at the next start (and retention, after [`ORPHAN_AFTER_SECS`]).

use super::submissions::insert_one;
use super::writer::Reply;
use super::{unavailable, Numbering};
use crate::spool::{CommitOutcome, NewSubmission};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Most bytes of file chunks one transaction writes: about what a small batch of reports costs
/// to write and sync, so a report arriving meanwhile waits for little more than its own turn.
pub(super) const CHUNK_BYTES: usize = 512 * 1024;

/// A staged file that no submission adopted within this long is removed by retention. Staging
/// a submission takes seconds; an hour leaves any in flight alone.
pub(super) const ORPHAN_AFTER_SECS: i64 = 3600;

/// Chunks one staged file has.
fn chunks_of(bytes: usize) -> usize {
    bytes.div_ceil(CHUNK_BYTES)
}

/// A large submission being written: its files in order (envelope by envelope, file 1 first),
/// how far staging has gone, and the staged file of each.
pub(super) struct Staging {
    submission: Box<NewSubmission>,
    reply: Reply<CommitOutcome>,
    /// (envelope, file) for every file, in the order `insert_one` adopts them.
    files: Vec<(usize, usize)>,
    /// The staged file (`attachment_blobs.id`) of each of `files` begun so far.
    blobs: Vec<i64>,
    /// The file being staged, and the next chunk of it.
    file: usize,
    seq: usize,
}

impl Staging {
    pub(super) fn new(submission: Box<NewSubmission>, reply: Reply<CommitOutcome>) -> Self {
        let files = submission
            .envelopes
            .iter()
            .enumerate()
            .flat_map(|(e, env)| (0..env.attachments.len()).map(move |f| (e, f)))
            .collect();
        Staging {
            submission,
            reply,
            files,
            blobs: Vec::new(),
            file: 0,
            seq: 0,
        }
    }

    fn bytes(&self, i: usize) -> &[u8] {
        let (e, f) = self.files[i];
        self.submission.envelopes[e].attachments[f].as_slice()
    }

    /// Writes the next chunks, at most [`CHUNK_BYTES`] of them, in one transaction. `true`
    /// once every file is staged and the submission can commit.
    pub(super) fn step(&mut self, conn: &mut Connection) -> rusqlite::Result<bool> {
        self.write_chunks(conn)?;
        Ok(self.file == self.files.len())
    }

    /// A write failed: the caller hears so (no reference is given). Returns the files staged
    /// so far, to remove.
    pub(super) fn fail(self, e: &rusqlite::Error) -> Vec<i64> {
        tracing::error!(error = %e, "staging evidence files failed");
        let _ = self.reply.send(Err(unavailable(e)));
        self.blobs
    }

    fn write_chunks(&mut self, conn: &mut Connection) -> rusqlite::Result<()> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Advanced on copies, kept only once the transaction has committed.
        let (mut file, mut seq, mut blobs) = (self.file, self.seq, self.blobs.clone());
        let mut written = 0usize;
        while file < self.files.len() {
            let bytes = self.bytes(file);
            if blobs.len() == file {
                tx.prepare_cached(
                    "INSERT INTO attachment_blobs (staged_at, bytes) VALUES (?1, ?2)",
                )?
                .execute(params![self.submission.received_unix, bytes.len() as i64])?;
                blobs.push(tx.last_insert_rowid());
            }
            if seq == chunks_of(bytes.len()) {
                (file, seq) = (file + 1, 0);
                continue;
            }
            let chunk = &bytes[seq * CHUNK_BYTES..((seq + 1) * CHUNK_BYTES).min(bytes.len())];
            if written > 0 && written + chunk.len() > CHUNK_BYTES {
                break;
            }
            tx.prepare_cached(
                "INSERT INTO attachment_chunks (blob, seq, data) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![blobs[file], seq as i64, chunk])?;
            written += chunk.len();
            seq += 1;
        }
        tx.commit()?;
        (self.file, self.seq, self.blobs) = (file, seq, blobs);
        Ok(())
    }

    /// The submission's own transaction, once every file is staged: inserted as any other,
    /// adopting the staged files. The caller hears the outcome only after COMMIT. Returns the
    /// staged files to remove when they were not adopted (a form sent twice, a number taken by
    /// another gateway, a failed commit).
    pub(super) fn commit(
        self,
        conn: &mut Connection,
        numbering: &Numbering,
    ) -> (
        Result<CommitOutcome, rusqlite::Error>,
        Reply<CommitOutcome>,
        Vec<i64>,
    ) {
        let Staging {
            submission,
            reply,
            blobs,
            ..
        } = self;
        let result = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = insert_one(&tx, numbering, &submission, Some(&blobs))?;
            tx.commit()?;
            Ok(outcome)
        })();
        let unadopted = match &result {
            Ok(CommitOutcome::Committed(_)) => Vec::new(),
            _ => blobs,
        };
        (result, reply, unadopted)
    }
}

/// Checks that a staged file is whole and adopted by nothing yet, and marks it adopted by the
/// submission being inserted: a file removed as an orphan meanwhile (by another gateway starting on the same spool)
/// fails the commit rather than commit a submission without its evidence.
pub(super) fn check_staged(
    tx: &rusqlite::Transaction<'_>,
    blob: i64,
    bytes: usize,
) -> rusqlite::Result<()> {
    let found: Option<(i64, i64)> = tx
        .prepare_cached(
            "SELECT b.bytes, (SELECT COUNT(*) FROM attachment_chunks c WHERE c.blob = b.id)
             FROM attachment_blobs b WHERE b.id = ?1 AND b.adopted = 0",
        )?
        .query_row([blob], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if found == Some((bytes as i64, chunks_of(bytes) as i64)) {
        tx.prepare_cached("UPDATE attachment_blobs SET adopted = 1 WHERE id = ?1")?
            .execute([blob])?;
        Ok(())
    } else {
        Err(incomplete())
    }
}

pub(super) fn incomplete() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some("a staged evidence file is incomplete".into()),
    )
}

/// A stored file's bytes: `body` itself, or the chunks of its staged file in order (checked
/// against the length it was staged with, so a damaged file is an error, never a short file).
pub(super) fn read_file(
    conn: &Connection,
    body: Vec<u8>,
    blob: Option<i64>,
) -> rusqlite::Result<Vec<u8>> {
    let Some(blob) = blob else {
        return Ok(body);
    };
    let bytes: i64 = conn
        .prepare_cached("SELECT bytes FROM attachment_blobs WHERE id = ?1")?
        .query_row([blob], |r| r.get(0))?;
    let mut out = Vec::with_capacity(bytes as usize);
    let mut st =
        conn.prepare_cached("SELECT data FROM attachment_chunks WHERE blob = ?1 ORDER BY seq")?;
    let mut rows = st.query([blob])?;
    while let Some(r) = rows.next()? {
        out.extend_from_slice(r.get_ref(0)?.as_blob()?);
    }
    if out.len() as i64 != bytes {
        return Err(incomplete());
    }
    Ok(out)
}

/// Removes at most one chunk of the first of `blobs`, or the staged file itself once its
/// chunks are gone (so removing a refused 10 MiB file costs no more per turn than staging it:
/// `secure_delete` overwrites what it frees). Returns whether anything is left to remove.
pub(super) fn discard_step(conn: &mut Connection, blobs: &mut Vec<i64>) -> rusqlite::Result<bool> {
    let Some(&blob) = blobs.first() else {
        return Ok(false);
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let removed = tx
        .prepare_cached(
            "DELETE FROM attachment_chunks WHERE blob = ?1
               AND seq = (SELECT MIN(seq) FROM attachment_chunks WHERE blob = ?1)",
        )?
        .execute([blob])?;
    if removed == 0 {
        tx.prepare_cached("DELETE FROM attachment_blobs WHERE id = ?1 AND adopted = 0")?
            .execute([blob])?;
    }
    tx.commit()?;
    if removed == 0 {
        blobs.remove(0);
    }
    Ok(!blobs.is_empty())
}

/// Staged files no submission adopted, staged before ?1 (through their own small index).
pub(super) const ORPHANS: &str =
    "SELECT id FROM attachment_blobs WHERE adopted = 0 AND staged_at < ?1";

/// Removes staged files no submission adopted, staged before `before` (Unix seconds), or all of
/// them (at start, when nothing can be in flight in this gateway). Returns how many.
pub(super) fn remove_orphans(
    tx: &rusqlite::Transaction<'_>,
    before: Option<i64>,
) -> rusqlite::Result<usize> {
    let orphans: Vec<i64> = tx
        .prepare_cached(ORPHANS)?
        .query_map([before.unwrap_or(i64::MAX)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for blob in &orphans {
        tx.prepare_cached("DELETE FROM attachment_chunks WHERE blob = ?1")?
            .execute([blob])?;
        tx.prepare_cached("DELETE FROM attachment_blobs WHERE id = ?1")?
            .execute([blob])?;
    }
    Ok(orphans.len())
}

/// Removes the staged files a submission's attachments adopted (when they are purged).
pub(super) fn remove_adopted(
    tx: &rusqlite::Transaction<'_>,
    submission: i64,
) -> rusqlite::Result<()> {
    let blobs: Vec<i64> = tx
        .prepare_cached("SELECT blob FROM attachments WHERE submission = ?1 AND blob IS NOT NULL")?
        .query_map([submission], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for blob in &blobs {
        tx.prepare_cached("DELETE FROM attachment_chunks WHERE blob = ?1")?
            .execute([blob])?;
        tx.prepare_cached("UPDATE attachments SET blob = NULL WHERE blob = ?1")?
            .execute([blob])?;
        tx.prepare_cached("DELETE FROM attachment_blobs WHERE id = ?1")?
            .execute([blob])?;
    }
    Ok(())
}
