//! The officer's workflow on a shared database: as SQLite's, with the submission row locked
//! while a step is numbered, so two gateways never give two steps one number.

use super::chain::{self, Event};
use super::db::{self, DbError, DbResult, SUBMISSION_ID};
use super::PostgresSpool;
use crate::reference::Reference;
use crate::spool::workflow::{
    self, Step, StepOutcome, WorkflowEntry, WorkflowStats, WorkflowStore, AUDIT_KIND,
};
use crate::spool::SpoolFuture;
use deadpool_postgres::{Pool, Transaction};

/// Whether the submission's workflow is closed (nothing is recorded after `closed`); read
/// under the submission row's lock, so no step lands after a `closed` recorded meanwhile.
pub(super) async fn closed(tx: &Transaction<'_>, id: i64) -> Result<bool, tokio_postgres::Error> {
    Ok(db::one(tx, &workflow::closed_sql("$1"), &[&id])
        .await?
        .get(0))
}

/// Adds the step inside an open transaction that holds the submission row's lock.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    id: i64,
    step: &Step,
    officer: &str,
    now: i64,
) -> Result<(), tokio_postgres::Error> {
    let n: i32 = db::one(
        tx,
        "SELECT COALESCE(MAX(n), 0) + 1 FROM workflow_steps WHERE submission = $1",
        &[&id],
    )
    .await?
    .get(0);
    db::exec(
        tx,
        "INSERT INTO workflow_steps (submission, n, at, step, detail, officer)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &id,
            &n,
            &now,
            &step.kind().as_str(),
            &step.detail(),
            &officer,
        ],
    )
    .await?;
    Ok(())
}

async fn record(
    pool: &Pool,
    (number, r): (i64, String),
    step: &Step,
    officer: &str,
    now: i64,
) -> DbResult<StepOutcome> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let sql =
        format!("SELECT id, purged_at FROM submissions WHERE id = {SUBMISSION_ID} FOR UPDATE");
    let Some(row) = db::opt(&tx, &sql, &[&number, &r]).await? else {
        return Ok(StepOutcome::Gone);
    };
    let id: i64 = row.get(0);
    if row.get::<_, Option<i64>>(1).is_some() {
        return Ok(StepOutcome::Gone);
    }
    if closed(&tx, id).await? {
        return Ok(StepOutcome::Closed);
    }
    insert(&tx, id, step, officer, now).await?;
    let e = Event::new(now, AUDIT_KIND, Some(&r))
        .route(officer)
        .code(Some(&step.audit_code()));
    chain::append(&tx, &[e]).await?;
    tx.commit().await?;
    Ok(StepOutcome::Recorded)
}

/// Retention: the workflow of a purged submission goes with its envelopes.
pub(super) async fn purge(tx: &Transaction<'_>, id: i64) -> Result<(), tokio_postgres::Error> {
    db::exec(
        tx,
        "DELETE FROM workflow_steps WHERE submission = $1",
        &[&id],
    )
    .await?;
    Ok(())
}

impl WorkflowStore for PostgresSpool {
    fn record_step(
        &self,
        reference: &Reference,
        step: Step,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, StepOutcome> {
        let key = self.number(reference);
        let (pool, officer) = (self.pool.clone(), officer.to_string());
        self.spawn(async move { record(&pool, key, &step, &officer, now).await })
    }

    fn workflow(&self, reference: &Reference) -> SpoolFuture<'_, Vec<WorkflowEntry>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT n, at, officer, step, detail FROM workflow_steps
                 WHERE submission = {SUBMISSION_ID} ORDER BY n"
            );
            let rows = db::rows(&client, &sql, &[&n, &r]).await?;
            rows.iter()
                .map(|row| {
                    Ok(WorkflowEntry {
                        n: row.get::<_, i32>(0).max(0) as u32,
                        at: row.get(1),
                        officer: row.get(2),
                        step: Step::from_stored(row.get(3), row.get(4))
                            .map_err(|_| DbError::Missing("a stored workflow step is unknown"))?,
                    })
                })
                .collect()
        })
    }

    fn workflow_stats(&self, triage_before: i64) -> SpoolFuture<'_, WorkflowStats> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let rows = db::rows(&client, workflow::STATE_COUNTS_SQL, &[]).await?;
            let by_state = rows
                .iter()
                .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1).max(0) as u64))
                .collect();
            let row = db::one(&client, &workflow::untriaged_sql("$1"), &[&triage_before]).await?;
            Ok(WorkflowStats {
                by_state,
                untriaged: row.get::<_, i64>(0).max(0) as u64,
                oldest_untriaged_at: row.get(1),
            })
        })
    }
}
