//! A copied submission written in for `spool copy`, with every row that hangs off it.

use super::super::db::{self, DbResult};
use super::bad;
use crate::spool::transfer::SubmissionExport;
use deadpool_postgres::Transaction;

/// One copied submission and its rows, under the number it had.
pub(super) async fn write(tx: &Transaction<'_>, s: &SubmissionExport) -> DbResult<()> {
    let id = s.number as i64;
    insert_submission(tx, id, s).await?;
    insert_sealed(tx, id, s).await?;
    insert_deliveries(tx, id, s).await?;
    insert_follow_up(tx, id, s).await?;
    insert_workflow(tx, id, s).await?;
    insert_ack_tokens(tx, id, s).await?;
    Ok(())
}

/// The submission's own row.
async fn insert_submission(tx: &Transaction<'_>, id: i64, s: &SubmissionExport) -> DbResult<()> {
    let reasons = serde_json::to_string(&s.reason_codes)
        .map_err(|_| bad("reason codes cannot be written"))?;
    db::exec(
        tx,
        "INSERT INTO submissions (id, reference, legacy, received_at, received_unix,
             form_id, form_version, priority, reason_codes, token_hash, ack_deadline,
             next_escalation_at, escalations, acknowledged_at, acknowledged_route,
             purged_at, purge_warned)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 $16, $17)",
        &[
            &id,
            &s.reference.as_str(),
            &s.legacy,
            &s.received_at,
            &s.received_unix,
            &s.form_id,
            &(s.form_version as i32),
            &s.priority.as_str(),
            &reasons,
            &s.token_hash.as_ref().map(|h| &h[..]),
            &s.ack_deadline,
            &s.next_escalation_at,
            &(s.escalations as i32),
            &s.acknowledged_at,
            &s.acknowledged_route,
            &s.purged_at,
            &s.purge_warned,
        ],
    )
    .await?;
    Ok(())
}

/// Its envelopes and evidence files, sealed as they were.
async fn insert_sealed(tx: &Transaction<'_>, id: i64, s: &SubmissionExport) -> DbResult<()> {
    for e in &s.envelopes {
        db::exec(
            tx,
            "INSERT INTO envelopes (submission, route, view, body)
             VALUES ($1, $2, $3, $4)",
            &[&id, &e.route, &e.view.as_str(), &e.body],
        )
        .await?;
    }
    for a in &s.attachments {
        db::exec(
            tx,
            "INSERT INTO attachments (submission, route, n, body)
             VALUES ($1, $2, $3, $4)",
            &[&id, &a.route, &(a.n as i32), &a.body],
        )
        .await?;
    }
    Ok(())
}

/// Its deliveries, in whatever state they had reached.
async fn insert_deliveries(tx: &Transaction<'_>, id: i64, s: &SubmissionExport) -> DbResult<()> {
    for d in &s.deliveries {
        db::exec(
            tx,
            "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank,
                 state, attempts, next_attempt_at, retry_from, last_attempt_at,
                 last_error_class, delivered_at, dead_at, acknowledged_at, ack_kind)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                     $15, $16)",
            &[
                &id,
                &d.route.to_string(),
                &d.mailbox,
                &d.view.as_str(),
                &d.notice,
                &(d.rank as i16),
                &d.state.as_str(),
                &(d.attempts as i32),
                &d.next_attempt_at,
                &d.retry_from,
                &d.last_attempt_at,
                &d.last_error_class,
                &d.delivered_at,
                &d.dead_at,
                &d.acknowledged_at,
                &d.ack.as_str(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Its follow-up key and thread.
async fn insert_follow_up(tx: &Transaction<'_>, id: i64, s: &SubmissionExport) -> DbResult<()> {
    if let Some(f) = &s.follow_up {
        db::exec(
            tx,
            "INSERT INTO follow_ups (submission, lookup_id, recipient, status,
                 status_at, notify, notify_token, notify_confirmed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id,
                &&f.lookup_id[..],
                &f.recipient,
                &f.status.as_str(),
                &f.status_at,
                &f.notify,
                &f.notify_token.as_ref().map(|t| &t[..]),
                &f.notify_confirmed_at,
            ],
        )
        .await?;
    }
    for m in &s.messages {
        db::exec(
            tx,
            "INSERT INTO follow_up_messages (submission, n, at, sender, body)
             VALUES ($1, $2, $3, $4, $5)",
            &[&id, &(m.n as i32), &m.at, &m.from.as_str(), &m.sealed],
        )
        .await?;
    }
    Ok(())
}

/// Its workflow steps.
async fn insert_workflow(tx: &Transaction<'_>, id: i64, s: &SubmissionExport) -> DbResult<()> {
    for w in &s.workflow {
        db::exec(
            tx,
            "INSERT INTO workflow_steps (submission, n, at, step, detail, officer)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id,
                &(w.n as i32),
                &w.at,
                &w.step.kind().as_str(),
                &w.step.detail(),
                &w.officer,
            ],
        )
        .await?;
    }
    Ok(())
}

/// Its acknowledgement links.
async fn insert_ack_tokens(tx: &Transaction<'_>, id: i64, s: &SubmissionExport) -> DbResult<()> {
    for t in &s.ack_tokens {
        db::exec(
            tx,
            "INSERT INTO ack_tokens (token_hash, submission, route, created_at,
                 used_at, kind)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &&t.hash[..],
                &id,
                &t.route,
                &t.created_at,
                &t.used_at,
                &t.kind.as_str(),
            ],
        )
        .await?;
    }
    Ok(())
}
