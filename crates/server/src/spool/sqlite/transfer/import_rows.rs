//! A copied submission written in for `spool copy`, with every row that hangs off it.

use crate::spool::transfer::SubmissionExport;
use rusqlite::{params, Connection};

/// One copied submission and its rows, under the number it had.
pub(super) fn write(tx: &Connection, s: &SubmissionExport) -> rusqlite::Result<()> {
    let id = s.number as i64;
    insert_submission(tx, id, s)?;
    insert_sealed(tx, id, s)?;
    insert_deliveries(tx, id, s)?;
    insert_follow_up(tx, id, s)?;
    insert_workflow(tx, id, s)?;
    Ok(())
}

/// The submission's own row.
fn insert_submission(tx: &Connection, id: i64, s: &SubmissionExport) -> rusqlite::Result<()> {
    let reasons = serde_json::to_string(&s.reason_codes)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.prepare_cached(
        "INSERT INTO submissions (id, reference, legacy, received_at, received_unix,
             form_id, form_version, priority, reason_codes, token_hash, ack_deadline,
             next_escalation_at, escalations, acknowledged_at, acknowledged_route,
             purged_at, purge_warned)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        id,
        s.reference.as_str(),
        s.legacy as i64,
        s.received_at,
        s.received_unix,
        s.form_id,
        s.form_version,
        s.priority.as_str(),
        reasons,
        s.token_hash.as_ref().map(|h| &h[..]),
        s.ack_deadline,
        s.next_escalation_at,
        s.escalations,
        s.acknowledged_at,
        s.acknowledged_route,
        s.purged_at,
        s.purge_warned as i64,
    ])?;
    Ok(())
}

/// Its envelopes and evidence files, sealed as they were.
fn insert_sealed(tx: &Connection, id: i64, s: &SubmissionExport) -> rusqlite::Result<()> {
    for e in &s.envelopes {
        tx.prepare_cached(
            "INSERT INTO envelopes (submission, route, view, body) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, e.route, e.view, e.body])?;
    }
    for a in &s.attachments {
        tx.prepare_cached(
            "INSERT INTO attachments (submission, route, n, body) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, a.route, a.n, a.body])?;
    }
    Ok(())
}

/// Its deliveries, in whatever state they had reached, and their acknowledgement links.
fn insert_deliveries(tx: &Connection, id: i64, s: &SubmissionExport) -> rusqlite::Result<()> {
    for d in &s.deliveries {
        tx.prepare_cached(
            "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                 attempts, next_attempt_at, retry_from, last_attempt_at, last_error_class,
                 delivered_at, dead_at, acknowledged_at, ack_kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?
        .execute(params![
            id,
            d.route,
            d.mailbox,
            d.view,
            d.notice,
            d.rank,
            d.state,
            d.attempts,
            d.next_attempt_at,
            d.retry_from,
            d.last_attempt_at,
            d.last_error_class,
            d.delivered_at,
            d.dead_at,
            d.acknowledged_at,
            d.ack.as_str(),
        ])?;
    }
    for t in &s.ack_tokens {
        tx.prepare_cached(
            "INSERT INTO ack_tokens (token_hash, submission, route, created_at, used_at, kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            &t.hash[..],
            id,
            t.route,
            t.created_at,
            t.used_at,
            t.kind.as_str()
        ])?;
    }
    Ok(())
}

/// Its follow-up key and thread.
fn insert_follow_up(tx: &Connection, id: i64, s: &SubmissionExport) -> rusqlite::Result<()> {
    if let Some(f) = &s.follow_up {
        tx.prepare_cached(
            "INSERT INTO follow_ups (submission, lookup_id, recipient, status, status_at, notify,
                 notify_token, notify_confirmed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id,
            &f.lookup_id[..],
            f.recipient,
            f.status.as_str(),
            f.status_at,
            f.notify,
            f.notify_token.as_ref().map(|t| &t[..]),
            f.notify_confirmed_at
        ])?;
    }
    for m in &s.messages {
        tx.prepare_cached(
            "INSERT INTO follow_up_messages (submission, n, at, sender, body)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, m.n, m.at, m.from.as_str(), m.sealed])?;
    }
    Ok(())
}

/// Its workflow steps.
fn insert_workflow(tx: &Connection, id: i64, s: &SubmissionExport) -> rusqlite::Result<()> {
    for w in &s.workflow {
        tx.prepare_cached(
            "INSERT INTO workflow_steps (submission, n, at, step, detail, officer)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            id,
            w.n,
            w.at,
            w.step.kind().as_str(),
            w.step.detail(),
            w.officer
        ])?;
    }
    Ok(())
}
