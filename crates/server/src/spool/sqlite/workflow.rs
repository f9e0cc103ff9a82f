//! The officer's workflow: numbered steps, each written with its audit event in one
//! transaction on the writer's connection.

use super::submissions::submission_id;
use super::writer::{Control, Job};
use super::{audit, SqliteSpool};
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::workflow::{
    self, Step, StepOutcome, WorkflowEntry, WorkflowStats, WorkflowStore, AUDIT_KIND,
};
use crate::spool::SpoolFuture;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Whether the submission's workflow is closed (nothing is recorded after `closed`).
pub(super) fn closed(c: &Connection, id: i64) -> rusqlite::Result<bool> {
    c.prepare_cached(&workflow::closed_sql("?1"))?
        .query_row([id], |r| r.get(0))
}

/// Adds the step inside an open transaction (sharing writes its own with the share).
pub(super) fn insert(
    tx: &Connection,
    id: i64,
    step: &Step,
    officer: &str,
    now: i64,
) -> rusqlite::Result<()> {
    let n: u32 = tx.query_row(
        "SELECT COALESCE(MAX(n), 0) + 1 FROM workflow_steps WHERE submission = ?1",
        [id],
        |r| r.get(0),
    )?;
    tx.prepare_cached(
        "INSERT INTO workflow_steps (submission, n, at, step, detail, officer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        n,
        now,
        step.kind().as_str(),
        step.detail(),
        officer
    ])?;
    Ok(())
}

pub(super) fn record(
    conn: &mut Connection,
    cipher: &ReferenceCipher,
    reference: &Reference,
    step: &Step,
    officer: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(id) = submission_id(&tx, cipher, reference)? else {
        return Ok(false);
    };
    let purged: Option<i64> = tx
        .query_row(
            "SELECT purged_at FROM submissions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    // Checked in the writer's transaction, so no step lands after a `closed` recorded at
    // the same moment.
    if purged.is_some() || closed(&tx, id)? {
        return Ok(false);
    }
    insert(&tx, id, step, officer, now)?;
    audit::append(
        &tx,
        now,
        AUDIT_KIND,
        Some(reference.as_str()),
        Some(officer),
        Some(&step.audit_code()),
    )?;
    tx.commit()?;
    Ok(true)
}

/// Retention: the workflow of a purged submission goes with its envelopes.
pub(super) fn purge(tx: &Connection, id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM workflow_steps WHERE submission = ?1")?
        .execute([id])?;
    Ok(())
}

impl WorkflowStore for SqliteSpool {
    fn record_step(
        &self,
        reference: &Reference,
        step: Step,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, StepOutcome> {
        let (reference, officer) = (reference.clone(), officer.to_string());
        Box::pin(async move {
            let asked = reference.clone();
            let recorded = self
                .ask(move |r| Job::Other(Control::RecordStep(asked, step, officer, now, r)))
                .await?;
            if recorded {
                return Ok(StepOutcome::Recorded);
            }
            // Why it was refused. Both causes are final (a closed workflow stays closed until
            // the purge, which removes its steps; a purge is never undone), so reading after
            // the writer's transaction gives the answer it had.
            let closed = self.read_submission(reference, false, closed).await?;
            Ok(if closed {
                StepOutcome::Closed
            } else {
                StepOutcome::Gone
            })
        })
    }

    fn workflow(&self, reference: &Reference) -> SpoolFuture<'_, Vec<WorkflowEntry>> {
        Box::pin(
            self.read_submission(reference.clone(), Vec::new(), |c, id| {
                c.prepare_cached(
                    "SELECT n, at, officer, step, detail FROM workflow_steps
                 WHERE submission = ?1 ORDER BY n",
                )?
                .query_map([id], |r| {
                    let kind: String = r.get(3)?;
                    let detail: Option<String> = r.get(4)?;
                    Ok(WorkflowEntry {
                        n: r.get(0)?,
                        at: r.get(1)?,
                        officer: r.get(2)?,
                        step: Step::from_stored(&kind, detail.as_deref()).map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                3,
                                rusqlite::types::Type::Text,
                                Box::new(e),
                            )
                        })?,
                    })
                })?
                .collect()
            }),
        )
    }

    fn workflow_stats(&self, triage_before: i64) -> SpoolFuture<'_, WorkflowStats> {
        Box::pin(self.read(move |c| {
            let by_state = c
                .prepare_cached(workflow::STATE_COUNTS_SQL)?
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let (untriaged, oldest_untriaged_at) = c
                .prepare_cached(&workflow::untriaged_sql("?1"))?
                .query_row([triage_before], |r| {
                    Ok((
                        r.get::<_, i64>(0)?.max(0) as u64,
                        r.get::<_, Option<i64>>(1)?,
                    ))
                })?;
            Ok(WorkflowStats {
                by_state,
                untriaged,
                oldest_untriaged_at,
            })
        }))
    }
}
