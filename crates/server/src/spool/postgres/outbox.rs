//! The outbox on a shared database. A gateway takes each due delivery with a lease (a row lock
//! taken with SKIP LOCKED, so two gateways never take the same row), sends the email outside
//! any transaction, and records the result only while it still holds the lease. A gateway that
//! dies mid-send leaves its lease to run out; another then sends again, with the same
//! Message-ID, so the recipient's mail system can recognise the repeat.

use super::chain::{self, Event};
use super::db::{self, DbResult, SUBMISSION_ID};
use crate::ack::AckKind;
use crate::reference::Reference;
use crate::spool::{
    AttemptOutcome, DeliveryId, DeliveryRecord, DeliveryRoute, DeliveryState, DueDelivery,
    OutboxStats, View,
};
use crate::triage::Priority;
use deadpool_postgres::{GenericClient, Pool};
use tokio_postgres::{Error, Row};

/// Up to `limit` pending deliveries due at `now`, most urgent first, leaving out those another
/// gateway holds a live lease on. A read: [`lease`] takes one.
pub(super) async fn due(
    pool: &Pool,
    owner: &str,
    now: i64,
    limit: usize,
) -> DbResult<Vec<DueDelivery>> {
    let client = pool.get().await?;
    let limit = limit as i64;
    let rows = db::rows(
        &client,
        "SELECT s.reference, d.route, d.mailbox, d.view, d.attempts, d.retry_from, s.priority,
                s.received_at, s.form_id, e.body, d.notice, d.rank, d.ack_kind
         FROM deliveries d
         JOIN submissions s ON s.id = d.submission
         LEFT JOIN envelopes e ON e.submission = d.submission AND e.route = d.route
         WHERE d.state = 'pending' AND d.next_attempt_at <= $1
           AND (d.lease_owner IS NULL OR d.lease_owner = $3 OR d.lease_until < $1)
         ORDER BY d.rank, d.next_attempt_at
         LIMIT $2",
        &[&now, &limit, &owner],
    )
    .await?;
    Ok(rows.iter().filter_map(due_row).collect())
}

/// Takes the delivery for `owner` until `until`, if it is still pending, due at `now`, not
/// attempted since it was read, and not held by another gateway whose lease still runs. A row
/// another gateway is taking at this instant is skipped rather than waited for.
#[allow(clippy::too_many_arguments)]
pub(super) async fn lease(
    pool: &Pool,
    owner: &str,
    number: i64,
    reference: &str,
    route: &str,
    attempts: u32,
    now: i64,
    until: i64,
) -> DbResult<bool> {
    let client = pool.get().await?;
    let attempts = attempts as i32;
    let sql = format!(
        "UPDATE deliveries SET lease_owner = $3, lease_until = $4
         WHERE (submission, route) IN (
             SELECT submission, route FROM deliveries
             WHERE submission = {SUBMISSION_ID} AND route = $5 AND state = 'pending'
               AND attempts = $6 AND next_attempt_at <= $7
               AND (lease_owner IS NULL OR lease_owner = $3 OR lease_until < $7)
             FOR UPDATE SKIP LOCKED)
         RETURNING submission"
    );
    let taken = db::rows(
        &client,
        &sql,
        &[&number, &reference, &owner, &until, &route, &attempts, &now],
    )
    .await?;
    Ok(!taken.is_empty())
}

fn due_row(r: &Row) -> Option<DueDelivery> {
    Some(DueDelivery {
        id: DeliveryId::new(Reference::parse(r.get(0))?, DeliveryRoute::parse(r.get(1))),
        mailbox: r.get(2),
        view: View::parse(r.get(3))?,
        attempts: r.get::<_, i32>(4).max(0) as u32,
        retry_from: r.get(5),
        priority: Priority::parse(r.get(6))?,
        received_at: r.get(7),
        form_id: r.get(8),
        envelope: r.get(9),
        notice: r.get(10),
        rank: i64::from(r.get::<_, i16>(11)),
        ack: AckKind::parse(r.get(12)).unwrap_or(AckKind::ConfirmReceipt),
    })
}

/// When the next delivery falls due for this gateway: the earliest unleased (or own) pending
/// delivery of each rank, or the end of another gateway's lease.
pub(super) const NEXT_DUE: &str = "SELECT LEAST(
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 0
            AND (lease_owner IS NULL OR lease_owner = $1)),
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 1
            AND (lease_owner IS NULL OR lease_owner = $1)),
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 2
            AND (lease_owner IS NULL OR lease_owner = $1)),
        (SELECT MIN(GREATEST(lease_until, next_attempt_at)) FROM deliveries
            WHERE state = 'pending' AND lease_owner <> $1))";

/// Records an attempt and its audit event, unless another gateway holds a live lease on the
/// delivery (it took it over after this gateway's lease ran out; its result stands). Returns
/// whether it did.
pub(super) async fn record_attempt(
    pool: &Pool,
    owner: &str,
    number: i64,
    reference: &str,
    route: &str,
    now: i64,
    outcome: &AttemptOutcome,
) -> DbResult<bool> {
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
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let sql = format!(
        "UPDATE deliveries SET state = $3, attempts = attempts + 1, last_attempt_at = $4,
                next_attempt_at = $5, last_error_class = COALESCE($6, last_error_class),
                delivered_at = COALESCE($7, delivered_at), dead_at = $8,
                lease_owner = NULL, lease_until = NULL
         WHERE submission = {SUBMISSION_ID} AND route = $9
           AND (lease_owner IS NULL OR lease_owner = $10 OR lease_until < $4)"
    );
    let n = db::exec(
        &tx,
        &sql,
        &[
            &number, &reference, &state, &now, &next, &class, &delivered, &dead, &route, &owner,
        ],
    )
    .await?;
    if n == 0 {
        // The lease ran out and another gateway took the delivery over: its result stands.
        return Ok(false);
    }
    let e = Event::new(now, event, Some(reference))
        .route(route)
        .code(class);
    chain::append(&tx, &[e]).await?;
    tx.commit().await?;
    Ok(true)
}

/// Columns read into a [`DeliveryRecord`], from `deliveries d JOIN submissions s`.
pub(super) const DELIVERY_COLUMNS: &str = "s.reference, d.route, d.mailbox, d.view, d.state, d.attempts, d.next_attempt_at, d.last_error_class, d.delivered_at, d.dead_at";

pub(super) fn delivery_row(r: &Row) -> Option<DeliveryRecord> {
    Some(DeliveryRecord {
        reference: Reference::parse(r.get(0))?,
        route: DeliveryRoute::parse(r.get(1)),
        mailbox: r.get(2),
        view: View::parse(r.get(3))?,
        state: DeliveryState::parse(r.get(4))?,
        attempts: r.get::<_, i32>(5).max(0) as u32,
        next_attempt_at: r.get(6),
        last_error_class: r.get(7),
        delivered_at: r.get(8),
        dead_at: r.get(9),
    })
}

pub(super) async fn stats<C: GenericClient>(c: &C, now: i64) -> Result<OutboxStats, Error> {
    let r = db::one(
        c,
        "SELECT (SELECT COUNT(*) FROM deliveries WHERE state = 'pending'),
                (SELECT COUNT(*) FROM deliveries WHERE state = 'dead'),
                COALESCE($1 - (SELECT MIN(retry_from) FROM deliveries WHERE state = 'pending'), 0)",
        &[&now],
    )
    .await?;
    Ok(OutboxStats {
        pending: r.get::<_, i64>(0).max(0) as u64,
        dead: r.get::<_, i64>(1).max(0) as u64,
        oldest_pending_secs: r.get::<_, i64>(2).max(0),
    })
}

/// Puts a submission's dead (or pending) deliveries back in the queue, due now, lease free.
pub(super) async fn requeue(
    pool: &Pool,
    number: i64,
    reference: &str,
    now: i64,
) -> DbResult<usize> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let sql = format!(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = $3, retry_from = $3,
                dead_at = NULL, lease_owner = NULL, lease_until = NULL
         WHERE submission = {SUBMISSION_ID} AND state IN ('pending', 'dead')
         RETURNING route"
    );
    let rows = db::rows(&tx, &sql, &[&number, &reference, &now]).await?;
    let mut routes: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    routes.sort();
    let events: Vec<Event> = routes
        .iter()
        .map(|route| Event::new(now, "requeued", Some(reference)).route(route))
        .collect();
    chain::append(&tx, &events).await?;
    if !routes.is_empty() {
        db::exec(&tx, db::NOTIFY, &[]).await?;
    }
    tx.commit().await?;
    Ok(routes.len())
}

mod store {
    //! The spool's trait for this concern, implemented on the shared database.
    use super::super::*;

    impl OutboxStore for PostgresSpool {
        fn add_download_token(
            &self,
            token_hash: [u8; 32],
            reference: &Reference,
            route: &str,
            n: u32,
            now: i64,
        ) -> SpoolFuture<'_, ()> {
            let (number, r) = self.number(reference);
            let (pool, route) = (self.pool.clone(), route.to_string());
            self.spawn(async move {
                let mut client = pool.get().await?;
                // In place of any unused link to the same file, in one transaction: an email sent
                // again carries new links, and only its links work.
                let tx = client.transaction().await?;
                let replaced = format!(
                    "DELETE FROM download_tokens t USING {SUBMISSION_ID} AS s(id)
                     WHERE t.submission = s.id AND t.route = $4::text AND t.n = $5::integer
                       AND t.used_at IS NULL AND t.token_hash <> $3::bytea"
                );
                db::exec(
                    &tx,
                    &replaced,
                    &[&number, &r, &&token_hash[..], &route, &(n as i32)],
                )
                .await?;
                let sql = format!(
                    "INSERT INTO download_tokens (token_hash, submission, route, n, created_at)
                     SELECT $3::bytea, id, $4::text, $5::integer, $6::bigint FROM {SUBMISSION_ID} AS s(id)
                     ON CONFLICT DO NOTHING"
                );
                db::exec(
                    &tx,
                    &sql,
                    &[&number, &r, &&token_hash[..], &route, &(n as i32), &now],
                )
                .await?;
                tx.commit().await?;
                Ok(())
            })
        }

        fn attachments(&self, reference: &Reference, route: &str) -> SpoolFuture<'_, Vec<Vec<u8>>> {
            let (n, r) = self.number(reference);
            let route = route.to_string();
            let pool = self.pool.clone();
            self.spawn(async move {
                let client = pool.get().await?;
                let sql = format!(
                    "SELECT body FROM attachments WHERE submission = {SUBMISSION_ID} AND route = $3
                     ORDER BY n"
                );
                let rows = db::rows(&client, &sql, &[&n, &r, &route]).await?;
                Ok(rows.iter().map(|row| row.get(0)).collect())
            })
        }

        fn due(&self, now: i64, limit: usize) -> SpoolFuture<'_, Vec<DueDelivery>> {
            let (pool, owner) = (self.pool.clone(), self.owner.clone());
            self.spawn(async move { outbox::due(&pool, &owner, now, limit).await })
        }

        fn lease(
            &self,
            delivery: &DeliveryId,
            attempts: u32,
            now: i64,
            until: i64,
        ) -> SpoolFuture<'_, bool> {
            let (n, r) = self.number(&delivery.reference);
            let route = delivery.route.to_string();
            let (pool, owner) = (self.pool.clone(), self.owner.clone());
            self.spawn(async move {
                outbox::lease(&pool, &owner, n, &r, &route, attempts, now, until).await
            })
        }

        fn next_due_at(&self) -> SpoolFuture<'_, Option<i64>> {
            let (pool, owner) = (self.pool.clone(), self.owner.clone());
            self.spawn(async move {
                let client = pool.get().await?;
                Ok(db::one(&client, outbox::NEXT_DUE, &[&owner]).await?.get(0))
            })
        }

        fn record_attempt(
            &self,
            delivery: &DeliveryId,
            now: i64,
            outcome: AttemptOutcome,
        ) -> SpoolFuture<'_, ()> {
            let (n, r) = self.number(&delivery.reference);
            let route = delivery.route.to_string();
            let (pool, owner) = (self.pool.clone(), self.owner.clone());
            self.spawn(async move {
                let held = outbox::record_attempt(&pool, &owner, n, &r, &route, now, &outcome).await?;
                if !held {
                    tracing::warn!(reference = %r, %route, "delivery lease ran out before its result was recorded; the gateway that took it over records its own");
                }
                Ok(())
            })
        }

        fn outbox(&self) -> SpoolFuture<'_, Vec<DeliveryRecord>> {
            let pool = self.pool.clone();
            self.spawn(async move {
                let client = pool.get().await?;
                let sql = format!(
                    "SELECT {} FROM deliveries d JOIN submissions s ON s.id = d.submission
                     WHERE d.state IN ('pending', 'dead')
                     ORDER BY d.retry_from, s.reference COLLATE \"C\", d.route COLLATE \"C\"",
                    outbox::DELIVERY_COLUMNS
                );
                let rows = db::rows(&client, &sql, &[]).await?;
                Ok(rows.iter().filter_map(outbox::delivery_row).collect())
            })
        }

        fn requeue(&self, reference: &Reference, now: i64) -> SpoolFuture<'_, usize> {
            let (n, r) = self.number(reference);
            let pool = self.pool.clone();
            self.spawn(async move { outbox::requeue(&pool, n, &r, now).await })
        }

        fn outbox_stats(&self, now: i64) -> SpoolFuture<'_, OutboxStats> {
            let pool = self.pool.clone();
            self.spawn(async move {
                let client = pool.get().await?;
                Ok(outbox::stats(&client, now).await?)
            })
        }

        fn add_ack_token(
            &self,
            token_hash: [u8; 32],
            reference: &Reference,
            route: &str,
            kind: AckKind,
            now: i64,
        ) -> SpoolFuture<'_, ()> {
            let (n, r) = self.number(reference);
            let (pool, route) = (self.pool.clone(), route.to_string());
            self.spawn(async move {
                let client = pool.get().await?;
                let sql = format!(
                    "INSERT INTO ack_tokens (token_hash, submission, route, created_at, kind)
                     SELECT $3::bytea, id, $4::text, $5::bigint, $6::text FROM {SUBMISSION_ID} AS s(id)
                     ON CONFLICT DO NOTHING"
                );
                let n = db::exec(
                    &client,
                    &sql,
                    &[&n, &r, &&token_hash[..], &route, &now, &kind.as_str()],
                )
                .await?;
                let stored = n == 1
                    || db::opt(
                        &client,
                        "SELECT 1 FROM ack_tokens WHERE token_hash = $1",
                        &[&&token_hash[..]],
                    )
                    .await?
                    .is_some();
                if !stored {
                    return Err(DbError::Missing("no such submission for the token"));
                }
                Ok(())
            })
        }

        fn latest_ack_token(
            &self,
            reference: &Reference,
            route: &str,
        ) -> SpoolFuture<'_, Option<IssuedToken>> {
            let (n, r) = self.number(reference);
            let (pool, route) = (self.pool.clone(), route.to_string());
            self.spawn(async move {
                let client = pool.get().await?;
                let sql = format!(
                    "SELECT token_hash, created_at, used_at IS NOT NULL FROM ack_tokens
                     WHERE submission = {SUBMISSION_ID} AND route = $3
                     ORDER BY created_at DESC LIMIT 1"
                );
                let row = db::opt(&client, &sql, &[&n, &r, &route]).await?;
                Ok(row.and_then(|row| {
                    let hash: Vec<u8> = row.get(0);
                    Some(IssuedToken {
                        hash: <[u8; 32]>::try_from(hash.as_slice()).ok()?,
                        issued_at: row.get(1),
                        used: row.get(2),
                    })
                }))
            })
        }

        fn wake_on_remote_commit(&self, wake: Arc<Notify>) {
            self.listeners.push(wake);
        }
    }
}
