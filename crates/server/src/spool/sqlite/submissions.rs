//! Submissions: numbering, the durable commit, and reading back what was stored.

use super::rows::{delivery_row, DELIVERY_COLUMNS};
use super::writer::{Control, Job};
use super::{audit, Numbering, SqliteSpool};
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::{
    rank, CommitOutcome, DeliveryRecord, IntakeStore, NewEnvelope, NewSubmission, RecordStore,
    SpoolError, SpoolFuture, StoredEnvelope, SubmissionRecord,
};
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::atomic::Ordering;

pub(super) const BY_NUMBER: &str = "SELECT 1 FROM submissions WHERE id = ?1 AND reference = ?2";
pub(super) const BY_LEGACY_REFERENCE: &str =
    "SELECT id FROM submissions WHERE reference = ?1 AND legacy = 1";

/// The row of the submission with this reference, if any.
pub(super) fn submission_id(
    conn: &Connection,
    cipher: &ReferenceCipher,
    reference: &Reference,
) -> rusqlite::Result<Option<i64>> {
    let n = cipher.number(reference) as i64;
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

/// Inserts one submission. Its evidence files are written here whole, or, for a large
/// submission, were staged in chunks beforehand and are adopted here: `staged` holds the staged
/// file of each, envelope by envelope, file 1 first (see [`super::staging`]).
pub(super) fn insert_one(
    tx: &rusqlite::Transaction<'_>,
    numbering: &Numbering,
    s: &NewSubmission,
    staged: Option<&[i64]>,
) -> rusqlite::Result<CommitOutcome> {
    if let Some(refused) = refusal(tx, numbering, s)? {
        return Ok(refused);
    }
    let id = insert_row(tx, s)?;
    let mut staged = staged.map(|blobs| blobs.iter());
    for e in &s.envelopes {
        insert_envelope(tx, id, s, e, staged.as_mut())?;
    }
    super::follow_up::insert(tx, id, s)?;
    Ok(CommitOutcome::Committed(s.reference.clone()))
}

/// Why this submission is not to be inserted, if it is not: sent already (the same token), or
/// its number or reference taken.
fn refusal(
    tx: &rusqlite::Transaction<'_>,
    numbering: &Numbering,
    s: &NewSubmission,
) -> rusqlite::Result<Option<CommitOutcome>> {
    if let Some(hash) = &s.token_hash {
        let existing: Option<String> = tx
            .prepare_cached("SELECT reference FROM submissions WHERE token_hash = ?1")?
            .query_row([&hash[..]], |r| r.get(0))
            .optional()?;
        if let Some(r) = existing.and_then(|r| Reference::parse(&r)) {
            return Ok(Some(CommitOutcome::Duplicate(r)));
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
        return Ok(Some(CommitOutcome::ReferenceTaken));
    }
    // The reference is taken only by a submission kept from schema 1.
    let reference_taken = tx
        .prepare_cached(BY_LEGACY_REFERENCE)?
        .exists([s.reference.as_str()])?;
    if reference_taken {
        return Ok(Some(CommitOutcome::ReferenceTaken));
    }
    Ok(None)
}

/// The submission's own row, audited as received; its row id.
fn insert_row(tx: &rusqlite::Transaction<'_>, s: &NewSubmission) -> rusqlite::Result<i64> {
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
    Ok(id)
}

/// One route's envelope: its document, its files, its delivery, audited as sealed.
fn insert_envelope(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    s: &NewSubmission,
    e: &NewEnvelope,
    staged: Option<&mut std::slice::Iter<'_, i64>>,
) -> rusqlite::Result<()> {
    let r = Some(s.reference.as_str());
    if let Some(body) = &e.body {
        tx.prepare_cached(
            "INSERT INTO envelopes (submission, route, view, body) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, e.route, e.view, body])?;
    }
    insert_files(tx, id, e, staged)?;
    tx.prepare_cached(
        "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state, next_attempt_at, retry_from, ack_kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?8)",
    )?
    .execute(params![
        id,
        e.route,
        e.mailbox,
        e.view.as_str(),
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
        Some(e.view.as_str()),
    )?;
    Ok(())
}

/// An envelope's evidence files, numbered from 1: written whole, or adopted from staging.
fn insert_files(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    e: &NewEnvelope,
    mut staged: Option<&mut std::slice::Iter<'_, i64>>,
) -> rusqlite::Result<()> {
    for (i, file) in e.attachments.iter().enumerate() {
        let n = (i + 1) as i64;
        match staged.as_mut() {
            None => {
                tx.prepare_cached(
                    "INSERT INTO attachments (submission, route, n, body) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, e.route, n, file.as_slice()])?;
            }
            Some(blobs) => {
                let blob = *blobs.next().ok_or_else(super::staging::incomplete)?;
                super::staging::check_staged(tx, blob, file.len())?;
                tx.prepare_cached(
                    "INSERT INTO attachments (submission, route, n, body, blob) VALUES (?1, ?2, ?3, x'', ?4)",
                )?
                .execute(params![id, e.route, n, blob])?;
            }
        }
    }
    Ok(())
}

impl IntakeStore for SqliteSpool {
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
}

impl RecordStore for SqliteSpool {
    fn submission(&self, reference: &Reference) -> SpoolFuture<'_, Option<SubmissionRecord>> {
        Box::pin(self.read_submission(reference.clone(), None, move |c, id| {
            c.query_row(
                "SELECT reference, received_at, form_id, form_version, priority, reason_codes FROM submissions WHERE id = ?1",
                [id],
                |r| {
                    let reasons: String = r.get(5)?;
                    Ok(SubmissionRecord {
                        reference: super::rows::get(r, 0)?,
                        received_at: r.get(1)?,
                        form_id: r.get(2)?,
                        form_version: r.get(3)?,
                        priority: super::rows::get(r, 4)?,
                        reason_codes: serde_json::from_str(&reasons).unwrap_or_default(),
                    })
                },
            )
            .optional()
        }))
    }

    fn envelopes(&self, reference: &Reference) -> SpoolFuture<'_, Vec<StoredEnvelope>> {
        Box::pin(
            self.read_submission(reference.clone(), Vec::new(), move |c, id| {
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

    fn deliveries(&self, reference: &Reference) -> SpoolFuture<'_, Vec<DeliveryRecord>> {
        Box::pin(self.read_submission(reference.clone(), Vec::new(), move |c, id| {
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN submissions s ON s.id = d.submission
                 WHERE d.submission = ?1 ORDER BY d.route"
            );
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map([id], delivery_row)?;
            rows.collect()
        }))
    }

    fn count_submissions(&self) -> SpoolFuture<'_, u64> {
        Box::pin(self.read(|c| c.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))))
    }
}
