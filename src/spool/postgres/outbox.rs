//! The outbox on a shared database. A gateway claims due deliveries with a lease (row locks
//! taken with SKIP LOCKED, so two gateways never claim the same row), sends each email outside
//! any transaction, and records the result only while it still holds the lease. A gateway that
//! dies mid-send leaves its lease to run out; another then sends again, with the same
//! Message-ID, so the recipient's mail system can recognise the repeat.

use super::chain::{self, Event};
use super::db::{self, DbResult, SUBMISSION_ID};
use crate::ack::AckKind;
use crate::spool::{AttemptOutcome, DeliveryRecord, DueDelivery, OutboxStats};
use deadpool_postgres::{GenericClient, Pool};
use tokio_postgres::{Error, Row};

/// Claims up to `limit` due deliveries for `owner` until `now + lease`, most urgent first.
/// Deliveries this gateway already holds are claimed again (its lanes share them; the outbox
/// keeps its own lanes apart); another gateway's are skipped until their lease runs out.
pub async fn claim(
    pool: &Pool,
    owner: &str,
    lease: i64,
    now: i64,
    limit: usize,
) -> DbResult<Vec<DueDelivery>> {
    let client = pool.get().await?;
    let until = now + lease;
    let limit = limit as i64;
    let rows = db::rows(
        &client,
        "WITH claimed AS (
             UPDATE deliveries d SET lease_owner = $3, lease_until = $4
             WHERE (d.submission, d.route) IN (
                 SELECT submission, route FROM deliveries
                 WHERE state = 'pending' AND next_attempt_at <= $1
                   AND (lease_owner IS NULL OR lease_owner = $3 OR lease_until < $1)
                 ORDER BY rank, next_attempt_at
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED)
             RETURNING d.submission, d.route, d.mailbox, d.view, d.attempts, d.retry_from,
                       d.notice, d.rank, d.ack_kind, d.next_attempt_at)
         SELECT s.reference, c.route, c.mailbox, c.view, c.attempts, c.retry_from, s.priority,
                s.received_at, s.form_id, e.body, c.notice, c.rank, c.ack_kind
         FROM claimed c
         JOIN submissions s ON s.id = c.submission
         LEFT JOIN envelopes e ON e.submission = c.submission AND e.route = c.route
         ORDER BY c.rank, c.next_attempt_at",
        &[&now, &limit, &owner, &until],
    )
    .await?;
    Ok(rows.iter().map(due_row).collect())
}

fn due_row(r: &Row) -> DueDelivery {
    DueDelivery {
        reference: r.get(0),
        route: r.get(1),
        mailbox: r.get(2),
        view: r.get(3),
        attempts: r.get::<_, i32>(4).max(0) as u32,
        retry_from: r.get(5),
        priority: r.get(6),
        received_at: r.get(7),
        form_id: r.get(8),
        envelope: r.get(9),
        notice: r.get(10),
        rank: i64::from(r.get::<_, i16>(11)),
        ack: AckKind::parse(r.get(12)).unwrap_or(AckKind::ConfirmReceipt),
    }
}

/// When the next delivery falls due for this gateway: the earliest unleased (or own) pending
/// delivery of each rank, or the end of another gateway's lease.
pub const NEXT_DUE: &str = "SELECT LEAST(
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 0
            AND (lease_owner IS NULL OR lease_owner = $1)),
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 1
            AND (lease_owner IS NULL OR lease_owner = $1)),
        (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND rank = 2
            AND (lease_owner IS NULL OR lease_owner = $1)),
        (SELECT MIN(GREATEST(lease_until, next_attempt_at)) FROM deliveries
            WHERE state = 'pending' AND lease_owner <> $1))";

/// Records an attempt and its audit event, if `owner` still holds the delivery's lease.
/// Returns whether it did.
pub async fn record_attempt(
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
         WHERE submission = {SUBMISSION_ID} AND route = $9 AND lease_owner = $10"
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
pub const DELIVERY_COLUMNS: &str = "s.reference, d.route, d.mailbox, d.view, d.state, d.attempts, d.next_attempt_at, d.last_error_class, d.delivered_at, d.dead_at";

pub fn delivery_row(r: &Row) -> DeliveryRecord {
    DeliveryRecord {
        reference: r.get(0),
        route: r.get(1),
        mailbox: r.get(2),
        view: r.get(3),
        state: r.get(4),
        attempts: r.get::<_, i32>(5).max(0) as u32,
        next_attempt_at: r.get(6),
        last_error_class: r.get(7),
        delivered_at: r.get(8),
        dead_at: r.get(9),
    }
}

pub async fn stats<C: GenericClient>(c: &C, now: i64) -> Result<OutboxStats, Error> {
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
pub async fn requeue(pool: &Pool, number: i64, reference: &str, now: i64) -> DbResult<usize> {
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
