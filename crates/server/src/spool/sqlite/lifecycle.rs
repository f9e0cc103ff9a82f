//! What happens to a submission after it is stored: acknowledgement, escalation, re-queueing
//! and purging. Each runs in one transaction with its audit events, on the writer's connection.

use super::rows::ack_kind;
use super::submissions::submission_id;
use super::writer::{Control, Job};
use super::{audit, SqliteSpool};
use crate::ack::{AckKind, Used};
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::{
    AckStore, DeliveryRoute, EscalationRoute, Housekeeping, PurgeReason, PurgeReport,
    RetentionPolicy, SpoolFuture, View,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::json;

pub(super) fn requeue(
    conn: &mut Connection,
    cipher: &ReferenceCipher,
    reference: &Reference,
    now: i64,
) -> rusqlite::Result<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(id) = submission_id(&tx, cipher, reference)? else {
        return Ok(0);
    };
    let routes: Vec<String> = tx
        .prepare(
            "SELECT route FROM deliveries WHERE submission = ?1 AND state IN ('pending', 'dead')",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let n = tx.execute(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = ?2, retry_from = ?2, dead_at = NULL
         WHERE submission = ?1 AND state IN ('pending', 'dead')",
        params![id, now],
    )?;
    for route in &routes {
        audit::append(
            &tx,
            now,
            "requeued",
            Some(reference.as_str()),
            Some(route),
            None,
        )?;
    }
    tx.commit()?;
    Ok(n)
}

pub(super) fn acknowledge(
    conn: &mut Connection,
    token_hash: &[u8; 32],
    now: i64,
    issued_after: i64,
) -> rusqlite::Result<Option<Used>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: Option<(i64, String, String, String)> = tx
        .query_row(
            "SELECT s.id, s.reference, a.route, a.kind FROM ack_tokens a JOIN submissions s ON s.id = a.submission
             WHERE a.token_hash = ?1 AND a.used_at IS NULL AND a.created_at >= ?2",
            params![&token_hash[..], issued_after],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((id, reference, route, kind)) = found else {
        return Ok(None);
    };
    let kind = ack_kind(&kind);
    tx.execute(
        "UPDATE ack_tokens SET used_at = ?2 WHERE token_hash = ?1",
        params![&token_hash[..], now],
    )?;
    match kind {
        AckKind::Acknowledge => {
            tx.execute(
                "UPDATE deliveries SET acknowledged_at = COALESCE(acknowledged_at, ?3)
                 WHERE submission = ?1 AND route = ?2",
                params![id, route, now],
            )?;
            tx.execute(
                "UPDATE submissions SET acknowledged_at = COALESCE(acknowledged_at, ?2),
                        acknowledged_route = COALESCE(acknowledged_route, ?3), next_escalation_at = NULL
                 WHERE id = ?1",
                params![id, now, route],
            )?;
            audit::append(
                &tx,
                now,
                "acknowledged",
                Some(&reference),
                Some(&route),
                None,
            )?;
        }
        // Receipt is its own event and changes nothing else: escalation and retention go on
        // as if the link had not been used.
        AckKind::ConfirmReceipt => {
            audit::append(
                &tx,
                now,
                "receipt_confirmed",
                Some(&reference),
                Some(&route),
                None,
            )?;
        }
    }
    tx.commit()?;
    Ok(Some(Used {
        reference,
        route,
        kind,
    }))
}

pub(super) fn escalate_due(
    conn: &mut Connection,
    now: i64,
    repeat_secs: i64,
    routes: &[EscalationRoute],
) -> rusqlite::Result<Vec<Reference>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let due: Vec<(i64, Reference, i64, u32)> = tx
        .prepare(
            "SELECT id, reference, ack_deadline, escalations FROM submissions
             WHERE acknowledged_at IS NULL AND next_escalation_at IS NOT NULL AND next_escalation_at <= ?1
             ORDER BY next_escalation_at",
        )?
        .query_map([now], |r| {
            Ok((
                r.get(0)?,
                super::rows::get(r, 1)?,
                r.get::<_, Option<i64>>(2)?.unwrap_or(now),
                r.get(3)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut escalated = Vec::new();
    for (id, reference, deadline, escalations) in due {
        let n = escalations + 1;
        let original: Vec<String> = tx
            .prepare(
                "SELECT route FROM deliveries WHERE submission = ?1 AND view NOT IN (?2, ?3)
                 ORDER BY route",
            )?
            .query_map(params![id, View::Escalation, View::FollowUp], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let notice = json!({
            "escalation": n,
            "overdue_minutes": (now - deadline).max(0) / 60,
            "routes": original,
        })
        .to_string();
        for EscalationRoute { name, mailbox } in routes {
            // One delivery per escalation round: the outbox sends it with the same retries and
            // dead letters as any other, and its Message-ID is stable.
            let delivery = DeliveryRoute::Escalation {
                route: name.clone(),
                round: n,
            };
            tx.execute(
                "INSERT OR IGNORE INTO deliveries (submission, route, mailbox, view, notice, rank, state, next_attempt_at, retry_from, ack_kind)
                 VALUES (?1, ?2, ?3, ?6, ?4, 0, 'pending', ?5, ?5, ?7)",
                params![
                    id,
                    delivery,
                    mailbox,
                    notice,
                    now,
                    View::Escalation,
                    AckKind::Acknowledge.as_str()
                ],
            )?;
            audit::append(
                &tx,
                now,
                "escalated",
                Some(reference.as_str()),
                Some(name),
                Some(&n.to_string()),
            )?;
        }
        tx.execute(
            "UPDATE submissions SET escalations = ?2, next_escalation_at = ?3 WHERE id = ?1",
            params![id, n, now + repeat_secs.max(60)],
        )?;
        escalated.push(reference);
    }
    tx.commit()?;
    Ok(escalated)
}

/// How many submissions one purge transaction handles: a wave of old submissions is purged in
/// steps, with the intake's commits in between, rather than in one long write.
pub(super) const PURGE_BATCH: usize = 500;

/// Submissions with something to do, found through the indexes of unpurged submissions (by
/// receipt and by acknowledgement) rather than by reading them all; and only those every
/// delivery of which has been made: a pending or dead delivery still needs its envelope.
/// ?1 maximum-age cut, ?2 warning cut, ?3 grace cut, ?4 batch size.
pub(super) const PURGE_CANDIDATES: &str = "SELECT s.id, s.reference, s.acknowledged_at, s.received_unix, s.purge_warned
     FROM submissions s
     WHERE s.id IN (
             SELECT id FROM submissions
             WHERE purged_at IS NULL AND received_unix <= max(?1, ?2)
               AND (received_unix <= ?1 OR (acknowledged_at IS NULL AND purge_warned = 0))
             UNION
             SELECT id FROM submissions
             WHERE purged_at IS NULL AND acknowledged_at IS NOT NULL AND acknowledged_at <= ?3)
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.submission = s.id AND d.state != 'delivered')
     ORDER BY s.id
     LIMIT ?4";

pub(super) fn purge_due(
    conn: &mut Connection,
    now: i64,
    policy: &RetentionPolicy,
) -> rusqlite::Result<PurgeReport> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let max_cut = now - policy.max_age_secs;
    let warn_cut = max_cut + policy.warn_secs;
    let grace_cut = now - policy.grace_secs;
    let candidates: Vec<(i64, Reference, Option<i64>, i64, bool)> = tx
        .prepare_cached(PURGE_CANDIDATES)?
        .query_map(
            params![max_cut, warn_cut, grace_cut, PURGE_BATCH as i64],
            |r| {
                Ok((
                    r.get(0)?,
                    super::rows::get(r, 1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, i64>(4)? != 0,
                ))
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut report = PurgeReport {
        more: candidates.len() == PURGE_BATCH,
        ..PurgeReport::default()
    };
    for (id, reference, acknowledged, received, warned) in candidates {
        let why = match acknowledged {
            Some(at) if at <= grace_cut => Some(PurgeReason::Grace),
            _ if received <= max_cut => Some(PurgeReason::MaxAge),
            _ => None,
        };
        match why {
            Some(why) => {
                tx.prepare_cached("DELETE FROM envelopes WHERE submission = ?1")?
                    .execute([id])?;
                super::staging::remove_adopted(&tx, id)?;
                tx.prepare_cached("DELETE FROM attachments WHERE submission = ?1")?
                    .execute([id])?;
                super::follow_up::purge(&tx, id)?;
                super::workflow::purge(&tx, id)?;
                tx.prepare_cached("UPDATE submissions SET purged_at = ?2 WHERE id = ?1")?
                    .execute(params![id, now])?;
                audit::append(
                    &tx,
                    now,
                    "purged",
                    Some(reference.as_str()),
                    None,
                    Some(why.as_str()),
                )?;
                report.purged.push((reference, why));
            }
            None if acknowledged.is_none() && !warned && received <= warn_cut => {
                tx.prepare_cached("UPDATE submissions SET purge_warned = 1 WHERE id = ?1")?
                    .execute([id])?;
                report.warned.push(reference);
            }
            None => {}
        }
    }
    // Large files staged for a submission that never committed (a form sent twice, say) and
    // somehow not removed at once.
    let orphans =
        super::staging::remove_orphans(&tx, Some(now - super::staging::ORPHAN_AFTER_SECS))?;
    tx.commit()?;
    if !report.purged.is_empty() || orphans > 0 {
        scrub_wal(conn);
    }
    Ok(report)
}

/// Copies everything into the database file and empties the WAL, so purged envelopes (which
/// `secure_delete` zeroed in the database) survive in no old WAL frame either. The checkpoint
/// waits (the connection's busy timeout) for readers to finish; if one still holds it back,
/// that is logged and the next purge that removes anything tries again.
fn scrub_wal(conn: &Connection) {
    match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(0) => {}
        Ok(_) => tracing::warn!("WAL checkpoint after a purge was held back by a reader; purged envelopes may remain in the WAL until the next purge"),
        Err(e) => tracing::warn!(error = %e, "WAL checkpoint after a purge failed; purged envelopes may remain in the WAL until the next purge"),
    }
}

impl AckStore for SqliteSpool {
    fn ack_token_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<AckKind>> {
        Box::pin(self.read(move |c| {
            let kind: Option<String> = c
                .prepare_cached(
                    "SELECT kind FROM ack_tokens
                     WHERE token_hash = ?1 AND used_at IS NULL AND created_at >= ?2",
                )?
                .query_row(params![&token_hash[..], issued_after], |r| r.get(0))
                .optional()?;
            Ok(kind.as_deref().map(ack_kind))
        }))
    }

    fn acknowledge(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Used>> {
        Box::pin(
            self.ask(move |r| Job::Other(Control::Acknowledge(token_hash, now, issued_after, r))),
        )
    }

    fn escalate_due(
        &self,
        now: i64,
        repeat_secs: i64,
        routes: Vec<EscalationRoute>,
    ) -> SpoolFuture<'_, Vec<Reference>> {
        Box::pin(self.ask(move |r| Job::Other(Control::Escalate(now, repeat_secs, routes, r))))
    }
}

impl Housekeeping for SqliteSpool {
    fn purge_due(&self, now: i64, policy: RetentionPolicy) -> SpoolFuture<'_, PurgeReport> {
        Box::pin(self.ask(move |r| Job::Other(Control::Purge(now, policy, r))))
    }
}
