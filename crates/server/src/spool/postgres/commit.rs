//! Committing submissions: one task per gateway takes the submissions that arrive together
//! and commits them in one transaction (group commit): a batch closes at
//! `spool.postgres_batch_max` submissions, or `spool.postgres_batch_wait_ms` after its first
//! arrived. Each table's rows go in with one statement for the whole batch, and the audit
//! chain is extended once, so a batch holds the chain's head for a moment whatever its size.
//! Should one of those statements fail (a form token another gateway has just committed), the
//! batch is written again one submission at a time, each under its own savepoint, so that one
//! that cannot be stored fails alone. Callers hear the outcome only after COMMIT returns; if
//! it fails, nobody in the batch gets a reference.

use super::batch;
use super::chain::{self, Event};
use super::db::{self, unavailable, DbError, DbResult};
use crate::reference::Reference;
use crate::spool::{CommitOutcome, NewSubmission, SpoolError};
use deadpool_postgres::{Pool, Transaction};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_postgres::error::SqlState;

/// Submissions that may wait for the committer before callers wait for room.
pub(super) const QUEUE: usize = 1024;
/// A submission carrying more sealed evidence than this commits in a transaction of its own,
/// after the small ones it arrived with: the reports without files should not wait while
/// megabytes are written.
const LARGE_BYTES: usize = 256 * 1024;

pub(super) type Reply = oneshot::Sender<Result<CommitOutcome, SpoolError>>;
pub(super) type Job = (Box<NewSubmission>, Reply);

/// When a batch closes: at `max` submissions, or `wait` after its first arrived.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub max: usize,
    pub wait: Duration,
}

pub(super) async fn run(
    pool: Pool,
    mut jobs: mpsc::Receiver<Job>,
    bounds: Bounds,
    proven: impl Fn(bool) + Send,
) {
    while let Some(first) = jobs.recv().await {
        let (small, large): (Vec<Job>, Vec<Job>) = gather(first, &mut jobs, bounds)
            .await
            .into_iter()
            .partition(|(s, _)| !is_large(s));
        for batch in std::iter::once(small).chain(large.into_iter().map(|job| vec![job])) {
            if !batch.is_empty() {
                answer(&pool, batch, &proven).await;
            }
        }
    }
}

/// The first submission and those that join it before the batch closes.
async fn gather(first: Job, jobs: &mut mpsc::Receiver<Job>, bounds: Bounds) -> Vec<Job> {
    let closes = Instant::now() + bounds.wait;
    let mut batch = vec![first];
    while batch.len() < bounds.max {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(mpsc::error::TryRecvError::Disconnected) => break,
            Err(mpsc::error::TryRecvError::Empty) => {
                match tokio::time::timeout_at(closes, jobs.recv()).await {
                    Ok(Some(job)) => batch.push(job),
                    Ok(None) | Err(_) => break,
                }
            }
        }
    }
    batch
}

fn is_large(s: &NewSubmission) -> bool {
    s.envelopes
        .iter()
        .map(|e| e.attachment_bytes())
        .sum::<usize>()
        > LARGE_BYTES
}

/// Commits one batch and answers each of its callers.
async fn answer(pool: &Pool, batch: Vec<Job>, proven: &impl Fn(bool)) {
    let outcomes = match commit(pool, &batch).await {
        // A statement was refused: perhaps one submission's doing, so each on its own.
        Err(e) if refused(&e) => {
            tracing::warn!(error = %e, batch = batch.len(), "batch refused; committing one by one");
            one_by_one(pool, &batch).await
        }
        other => other,
    };
    match outcomes {
        Ok(outcomes) => {
            proven(true);
            for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            proven(false);
            tracing::error!(error = %e, batch = batch.len(), "spool commit failed");
            for (_, reply) in batch {
                let _ = reply.send(Err(unavailable(&e)));
            }
        }
    }
}

/// The database refused a statement (rather than being out of reach, or failing the commit),
/// so the same submissions may go in one at a time.
fn refused(e: &DbError) -> bool {
    e.code().is_some_and(|c| {
        let class = &c.code()[..2];
        // 08: connection exception; 57: operator intervention (shutdown); 53: out of resources;
        // 40: the transaction was rolled back (serialization, deadlock).
        !matches!(class, "08" | "57" | "53" | "40")
    })
}

/// The whole batch with one statement per table, one audit append and one commit.
async fn commit(pool: &Pool, batch: &[Job]) -> DbResult<Vec<Result<CommitOutcome, SpoolError>>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let written = batch::write(&tx, batch).await?;
    finish(tx, &written.events, &written.outcomes).await?;
    Ok(written.outcomes.into_iter().map(Ok).collect())
}

/// Appends the batch's audit events, wakes the other gateways' outboxes if anything was
/// committed, and commits.
async fn finish(tx: Transaction<'_>, events: &[Event], outcomes: &[CommitOutcome]) -> DbResult<()> {
    chain::append(&tx, events).await?;
    if outcomes
        .iter()
        .any(|o| matches!(o, CommitOutcome::Committed(_)))
    {
        db::exec(&tx, db::NOTIFY, &[]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The batch again, each submission under a savepoint of its own.
async fn one_by_one(
    pool: &Pool,
    batch: &[Job],
) -> DbResult<Vec<Result<CommitOutcome, SpoolError>>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let mut events = Vec::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    for (s, _) in batch {
        tx.batch_execute("SAVEPOINT one").await?;
        let mut mine = Vec::new();
        match insert_one(&tx, s, &mut mine).await {
            Ok(outcome) => {
                tx.batch_execute("RELEASE one").await?;
                events.extend(mine);
                outcomes.push(Ok(outcome));
            }
            Err(e) => {
                tx.batch_execute("ROLLBACK TO one; RELEASE one").await?;
                // Another gateway committed the same form token a moment ago: its reference.
                let same_token =
                    e.code() == Some(&SqlState::UNIQUE_VIOLATION) && s.token_hash.is_some();
                let earlier = match (same_token, &s.token_hash) {
                    (true, Some(hash)) => reference_for_token(&tx, hash).await?,
                    _ => None,
                };
                match earlier {
                    Some(r) => outcomes.push(Ok(CommitOutcome::Duplicate(r))),
                    None => {
                        tracing::error!(error = %e, "a submission could not be stored");
                        outcomes.push(Err(unavailable(&e)));
                    }
                }
            }
        }
    }
    let stored: Vec<CommitOutcome> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok().cloned())
        .collect();
    finish(tx, &events, &stored).await?;
    Ok(outcomes)
}

pub(super) async fn reference_for_token<C: deadpool_postgres::GenericClient>(
    c: &C,
    hash: &[u8; 32],
) -> Result<Option<Reference>, tokio_postgres::Error> {
    let row = db::opt(
        c,
        "SELECT reference FROM submissions WHERE token_hash = $1",
        &[&&hash[..]],
    )
    .await?;
    Ok(row.and_then(|r| Reference::parse(r.get(0))))
}

/// The order deliveries are sent in: most urgent first.
pub(super) fn rank(p: crate::triage::Priority) -> i16 {
    match p {
        crate::triage::Priority::Immediate => 0,
        crate::triage::Priority::Priority => 1,
        crate::triage::Priority::Routine => 2,
    }
}

async fn insert_one(
    tx: &Transaction<'_>,
    s: &NewSubmission,
    events: &mut Vec<Event>,
) -> Result<CommitOutcome, tokio_postgres::Error> {
    if let Some(hash) = &s.token_hash {
        if let Some(r) = reference_for_token(tx, hash).await? {
            return Ok(CommitOutcome::Duplicate(r));
        }
    }
    let id = s.number as i64;
    // The number comes from the database's sequence, so it is never taken; the reference can
    // be, by a submission copied from a spool of before references were numbered.
    let taken = db::opt(
        tx,
        "SELECT 1 FROM submissions WHERE id = $1 OR (legacy AND reference = $2)",
        &[&id, &s.reference.as_str()],
    )
    .await?;
    if taken.is_some() {
        return Ok(CommitOutcome::ReferenceTaken);
    }
    let reasons = serde_json::to_string(&s.reason_codes).unwrap_or_else(|_| "[]".into());
    let version = s.form_version as i32;
    db::exec(
        tx,
        "INSERT INTO submissions (id, reference, received_at, form_id, form_version, priority,
                                  reason_codes, token_hash, received_unix, ack_deadline,
                                  next_escalation_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        &[
            &id,
            &s.reference.as_str(),
            &s.received_at,
            &s.form_id,
            &version,
            &s.priority.as_str(),
            &reasons,
            &s.token_hash.as_ref().map(|h| &h[..]),
            &s.received_unix,
            &s.ack_deadline,
        ],
    )
    .await?;
    let r = Some(s.reference.as_str());
    events.push(Event::new(s.received_unix, "received", r).code(Some(s.priority.as_str())));
    let rank = rank(s.priority);
    for e in &s.envelopes {
        if let Some(body) = &e.body {
            db::exec(
                tx,
                "INSERT INTO envelopes (submission, route, view, body) VALUES ($1, $2, $3, $4)",
                &[&id, &e.route, &e.view.as_str(), body],
            )
            .await?;
        }
        for (i, file) in e.attachments.iter().enumerate() {
            db::exec(
                tx,
                "INSERT INTO attachments (submission, route, n, body) VALUES ($1, $2, $3, $4)",
                &[&id, &e.route, &((i + 1) as i32), &file.as_slice()],
            )
            .await?;
        }
        db::exec(
            tx,
            "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                                     next_attempt_at, retry_from, ack_kind)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8)",
            &[
                &id,
                &e.route,
                &e.mailbox,
                &e.view.as_str(),
                &e.notice,
                &rank,
                &s.received_unix,
                &e.ack.as_str(),
            ],
        )
        .await?;
        events.push(
            Event::new(s.received_unix, "sealed", r)
                .route(&e.route)
                .code(Some(e.view.as_str())),
        );
    }
    super::follow_up::insert(tx, id, s, events).await?;
    Ok(CommitOutcome::Committed(s.reference.clone()))
}
