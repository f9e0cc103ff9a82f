//! The outbox's side of the spool: due deliveries, attempt results, and the acknowledgement
//! tokens the emails carry.

use super::rows::{ack_kind, delivery_row, DELIVERY_COLUMNS};
use super::submissions::submission_id;
use super::writer::{Control, Job};
use super::{audit, SqliteSpool};
use crate::ack::AckKind;
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::{
    AttemptOutcome, DeliveryId, DeliveryRecord, DeliveryState, DueDelivery, IssuedToken,
    OutboxStats, OutboxStore, SpoolFuture,
};
use rusqlite::{params, OptionalExtension};

/// When the next pending delivery falls due: the smallest of each rank's first entry in the
/// `deliveries_due` index (a MIN over all pending rows would read every one of them).
pub(super) const NEXT_DUE: &str = "SELECT MIN(m) FROM (
        SELECT MIN(next_attempt_at) AS m FROM deliveries WHERE state = 'pending' AND rank = 0
        UNION ALL SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 1
        UNION ALL SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 2)";

/// Pending and dead counts (read from the index alone) and the age of the oldest pending
/// delivery (one step down `deliveries_pending_age`). ?1 is now.
pub(super) const OUTBOX_STATS: &str = "SELECT
        (SELECT COUNT(*) FROM deliveries WHERE state = 'pending'),
        (SELECT COUNT(*) FROM deliveries WHERE state = 'dead'),
        COALESCE(?1 - (SELECT MIN(retry_from) FROM deliveries INDEXED BY deliveries_pending_age
                       WHERE state = 'pending'), 0)";

/// The attempt's result and its audit event, inside the caller's transaction.
pub(super) fn record_attempt(
    tx: &rusqlite::Transaction<'_>,
    cipher: &ReferenceCipher,
    delivery: &DeliveryId,
    now: i64,
    outcome: &AttemptOutcome,
) -> rusqlite::Result<()> {
    let (state, next, class, delivered, dead, event) = match outcome {
        AttemptOutcome::Delivered => (
            DeliveryState::Delivered,
            now,
            None,
            Some(now),
            None,
            "delivered",
        ),
        AttemptOutcome::Retry { next_at, class } => (
            DeliveryState::Pending,
            *next_at,
            Some(class.as_str()),
            None,
            None,
            "delivery_failed",
        ),
        AttemptOutcome::Dead { class } => (
            DeliveryState::Dead,
            now,
            Some(class.as_str()),
            None,
            Some(now),
            "dead_lettered",
        ),
    };
    let id = submission_id(tx, cipher, &delivery.reference)?;
    let route = delivery.route.to_string();
    tx.prepare_cached(
        "UPDATE deliveries SET state = ?3, attempts = attempts + 1, last_attempt_at = ?4, next_attempt_at = ?5,
                last_error_class = COALESCE(?6, last_error_class), delivered_at = COALESCE(?7, delivered_at),
                dead_at = ?8
         WHERE submission = ?1 AND route = ?2",
    )?
    .execute(params![id, route, state, now, next, class, delivered, dead])?;
    audit::append(
        tx,
        now,
        event,
        Some(delivery.reference.as_str()),
        Some(&route),
        class,
    )
}

/// Stores a token's hash, inside the caller's transaction.
pub(super) fn add_ack_token(
    tx: &rusqlite::Transaction<'_>,
    cipher: &ReferenceCipher,
    hash: &[u8; 32],
    reference: &Reference,
    route: &str,
    kind: AckKind,
    now: i64,
) -> rusqlite::Result<()> {
    let id = submission_id(tx, cipher, reference)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO ack_tokens (token_hash, submission, route, created_at, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![&hash[..], id, route, now, kind.as_str()])?;
    Ok(())
}

impl OutboxStore for SqliteSpool {
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
                    id: DeliveryId::new(super::rows::get(r, 0)?, r.get(1)?),
                    mailbox: r.get(2)?,
                    view: r.get(3)?,
                    attempts: r.get(4)?,
                    retry_from: r.get(5)?,
                    priority: super::rows::get(r, 6)?,
                    received_at: r.get(7)?,
                    form_id: r.get(8)?,
                    envelope: r.get(9)?,
                    notice: r.get(10)?,
                    rank: r.get(11)?,
                    ack: ack_kind(&r.get::<_, String>(12)?),
                })
            })?
            .collect()
        }))
    }

    fn lease(
        &self,
        delivery: &DeliveryId,
        attempts: u32,
        now: i64,
        _until: i64,
    ) -> SpoolFuture<'_, bool> {
        // One gateway sends from an embedded spool, and its lanes claim work in memory, so the
        // lease is a check that nobody finished the delivery since it was read; it writes
        // nothing.
        let delivery = delivery.clone();
        Box::pin(
            self.read_submission(delivery.reference, false, move |c, id| {
                c.prepare_cached(
                    "SELECT 1 FROM deliveries
                     WHERE submission = ?1 AND route = ?2 AND state = 'pending'
                       AND attempts = ?3 AND next_attempt_at <= ?4",
                )?
                .exists(params![id, delivery.route, attempts, now])
            }),
        )
    }

    fn attachments(&self, reference: &Reference, route: &str) -> SpoolFuture<'_, Vec<Vec<u8>>> {
        let route = route.to_string();
        Box::pin(
            self.read_submission(reference.clone(), Vec::new(), move |c, id| {
                let mut st = c.prepare_cached(
                    "SELECT body, blob FROM attachments WHERE submission = ?1 AND route = ?2 ORDER BY n",
                )?;
                let rows = st
                    .query_map(params![id, route], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                rows.into_iter()
                    .map(|(body, blob)| super::staging::read_file(c, body, blob))
                    .collect()
            }),
        )
    }

    fn add_download_token(
        &self,
        token_hash: [u8; 32],
        reference: &Reference,
        route: &str,
        n: u32,
        now: i64,
    ) -> SpoolFuture<'_, ()> {
        let (reference, route) = (reference.clone(), route.to_string());
        Box::pin(self.ask(move |r| {
            Job::Other(Control::AddDownloadToken(
                token_hash, reference, route, n, now, r,
            ))
        }))
    }

    fn next_due_at(&self) -> SpoolFuture<'_, Option<i64>> {
        Box::pin(self.read(|c| c.prepare_cached(NEXT_DUE)?.query_row([], |r| r.get(0))))
    }

    fn record_attempt(
        &self,
        delivery: &DeliveryId,
        now: i64,
        outcome: AttemptOutcome,
    ) -> SpoolFuture<'_, ()> {
        let delivery = delivery.clone();
        Box::pin(self.ask(move |r| Job::Other(Control::Attempt(delivery, now, outcome, r))))
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

    fn requeue(&self, reference: &Reference, now: i64) -> SpoolFuture<'_, usize> {
        let reference = reference.clone();
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

    fn add_ack_token(
        &self,
        token_hash: [u8; 32],
        reference: &Reference,
        route: &str,
        kind: AckKind,
        now: i64,
    ) -> SpoolFuture<'_, ()> {
        let (reference, route) = (reference.clone(), route.to_string());
        Box::pin(self.ask(move |r| {
            Job::Other(Control::AddAckToken(
                token_hash, reference, route, kind, now, r,
            ))
        }))
    }

    fn latest_ack_token(
        &self,
        reference: &Reference,
        route: &str,
    ) -> SpoolFuture<'_, Option<IssuedToken>> {
        let route = route.to_string();
        Box::pin(self.read_submission(reference.clone(), None, move |c, id| {
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
        }))
    }
}
