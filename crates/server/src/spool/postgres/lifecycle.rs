//! Acknowledgement, escalation and retention on a shared database. Each runs in one
//! transaction with its audit events, and locks the rows it acts on: an escalation round or a
//! purge batch is taken by exactly one gateway (the other skips the locked rows, and once the
//! first commits they are no longer due).

use super::chain::{self, Event};
use super::db::{self, DbResult};
use crate::ack::{AckKind, Used};
use crate::reference::Reference;
use crate::spool::{EscalationRoute, PurgeReason, PurgeReport, RetentionPolicy};

/// How many submissions one purge transaction handles, as with SQLite: a wave of old
/// submissions is purged in steps.
pub(super) const PURGE_BATCH: usize = 500;
use deadpool_postgres::Pool;
use serde_json::json;

pub(super) async fn acknowledge(
    pool: &Pool,
    token_hash: &[u8; 32],
    now: i64,
    issued_after: i64,
) -> DbResult<Option<Used>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // The token's row is locked: a link opened twice at once is used once.
    let found = db::opt(
        &tx,
        "SELECT s.id, s.reference, a.route, a.kind FROM ack_tokens a
         JOIN submissions s ON s.id = a.submission
         WHERE a.token_hash = $1 AND a.used_at IS NULL AND a.created_at >= $2
         FOR UPDATE OF a",
        &[&&token_hash[..], &issued_after],
    )
    .await?;
    let Some(row) = found else {
        return Ok(None);
    };
    let (id, reference, route): (i64, String, String) = (row.get(0), row.get(1), row.get(2));
    let kind = AckKind::parse(row.get(3)).unwrap_or(AckKind::ConfirmReceipt);
    db::exec(
        &tx,
        "UPDATE ack_tokens SET used_at = $2 WHERE token_hash = $1",
        &[&&token_hash[..], &now],
    )
    .await?;
    let event = match kind {
        AckKind::Acknowledge => {
            db::exec(
                &tx,
                "UPDATE deliveries SET acknowledged_at = COALESCE(acknowledged_at, $3)
                 WHERE submission = $1 AND route = $2",
                &[&id, &route, &now],
            )
            .await?;
            db::exec(
                &tx,
                "UPDATE submissions SET acknowledged_at = COALESCE(acknowledged_at, $2),
                        acknowledged_route = COALESCE(acknowledged_route, $3),
                        next_escalation_at = NULL
                 WHERE id = $1",
                &[&id, &now, &route],
            )
            .await?;
            "acknowledged"
        }
        // Receipt is its own event and changes nothing else.
        AckKind::ConfirmReceipt => "receipt_confirmed",
    };
    let e = Event::new(now, event, Some(&reference)).route(&route);
    chain::append(&tx, &[e]).await?;
    tx.commit().await?;
    Ok(Some(Used {
        reference,
        route,
        kind,
    }))
}

/// Most submissions escalated in one transaction; the rest are taken in the next round.
const ESCALATION_BATCH: i64 = 500;

pub(super) async fn escalate_due(
    pool: &Pool,
    now: i64,
    repeat_secs: i64,
    routes: &[EscalationRoute],
) -> DbResult<Vec<Reference>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // SKIP LOCKED: a submission another gateway is escalating right now is its round, not ours;
    // once that commits, its next escalation lies in the future and it is not due here either.
    let due = db::rows(
        &tx,
        "SELECT id, reference, ack_deadline, escalations FROM submissions
         WHERE acknowledged_at IS NULL AND next_escalation_at IS NOT NULL
           AND next_escalation_at <= $1
         ORDER BY next_escalation_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED",
        &[&now, &ESCALATION_BATCH],
    )
    .await?;
    let mut escalated = Vec::new();
    let mut events = Vec::new();
    for row in due {
        let id: i64 = row.get(0);
        let Some(reference) = Reference::parse(row.get(1)) else {
            continue;
        };
        let deadline = row.get::<_, Option<i64>>(2).unwrap_or(now);
        let n = row.get::<_, i32>(3) + 1;
        let original: Vec<String> = db::rows(
            &tx,
            "SELECT route FROM deliveries WHERE submission = $1
               AND view NOT IN ('escalation', 'follow_up')
             ORDER BY route COLLATE \"C\"",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        let notice = json!({
            "escalation": n,
            "overdue_minutes": (now - deadline).max(0) / 60,
            "routes": original,
        })
        .to_string();
        for EscalationRoute { name, mailbox } in routes {
            // One delivery per escalation round, named `route.n`, with a stable Message-ID.
            db::exec(
                &tx,
                "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                                         next_attempt_at, retry_from, ack_kind)
                 VALUES ($1, $2, $3, 'escalation', $4, 0, 'pending', $5, $5, 'acknowledge')
                 ON CONFLICT DO NOTHING",
                &[&id, &format!("{name}.{n}"), mailbox, &notice, &now],
            )
            .await?;
            events.push(
                Event::new(now, "escalated", Some(reference.as_str()))
                    .route(name)
                    .code(Some(&n.to_string())),
            );
        }
        db::exec(
            &tx,
            "UPDATE submissions SET escalations = $2, next_escalation_at = $3 WHERE id = $1",
            &[&id, &n, &(now + repeat_secs.max(60))],
        )
        .await?;
        escalated.push(reference);
    }
    chain::append(&tx, &events).await?;
    if !escalated.is_empty() {
        db::exec(&tx, db::NOTIFY, &[]).await?;
    }
    tx.commit().await?;
    Ok(escalated)
}

/// As SQLite's (see `lifecycle::PURGE_CANDIDATES`), with the rows locked: a batch another
/// gateway is purging is skipped. $1 maximum-age cut, $2 warning cut, $3 grace cut, $4 size.
const PURGE_CANDIDATES: &str = "SELECT s.id, s.reference, s.acknowledged_at, s.received_unix, s.purge_warned
     FROM submissions s
     WHERE s.id IN (
             SELECT id FROM submissions
             WHERE purged_at IS NULL AND received_unix <= GREATEST($1::bigint, $2::bigint)
               AND (received_unix <= $1 OR (acknowledged_at IS NULL AND NOT purge_warned))
             UNION
             SELECT id FROM submissions
             WHERE purged_at IS NULL AND acknowledged_at IS NOT NULL AND acknowledged_at <= $3)
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.submission = s.id AND d.state <> 'delivered')
     ORDER BY s.id
     LIMIT $4
     FOR UPDATE OF s SKIP LOCKED";

pub(super) async fn purge_due(
    pool: &Pool,
    now: i64,
    policy: &RetentionPolicy,
) -> DbResult<PurgeReport> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let max_cut = now - policy.max_age_secs;
    let warn_cut = max_cut + policy.warn_secs;
    let grace_cut = now - policy.grace_secs;
    let candidates = db::rows(
        &tx,
        PURGE_CANDIDATES,
        &[&max_cut, &warn_cut, &grace_cut, &(PURGE_BATCH as i64)],
    )
    .await?;
    let mut report = PurgeReport {
        more: candidates.len() == PURGE_BATCH,
        ..PurgeReport::default()
    };
    let mut events = Vec::new();
    for row in candidates {
        let id: i64 = row.get(0);
        let Some(reference) = Reference::parse(row.get(1)) else {
            continue;
        };
        let acknowledged: Option<i64> = row.get(2);
        let received: i64 = row.get(3);
        let warned: bool = row.get(4);
        let why = match acknowledged {
            Some(at) if at <= grace_cut => Some(PurgeReason::Grace),
            _ if received <= max_cut => Some(PurgeReason::MaxAge),
            _ => None,
        };
        match why {
            Some(why) => {
                db::exec(&tx, "DELETE FROM envelopes WHERE submission = $1", &[&id]).await?;
                db::exec(&tx, "DELETE FROM attachments WHERE submission = $1", &[&id]).await?;
                super::follow_up::purge(&tx, id).await?;
                super::workflow::purge(&tx, id).await?;
                db::exec(
                    &tx,
                    "UPDATE submissions SET purged_at = $2 WHERE id = $1",
                    &[&id, &now],
                )
                .await?;
                events.push(
                    Event::new(now, "purged", Some(reference.as_str())).code(Some(why.as_str())),
                );
                report.purged.push((reference, why));
            }
            None if acknowledged.is_none() && !warned && received <= warn_cut => {
                db::exec(
                    &tx,
                    "UPDATE submissions SET purge_warned = TRUE WHERE id = $1",
                    &[&id],
                )
                .await?;
                report.warned.push(reference);
            }
            None => {}
        }
    }
    chain::append(&tx, &events).await?;
    tx.commit().await?;
    Ok(report)
}

const DOWNLOAD: &str = "SELECT s.reference, t.n, t.route, a.body FROM download_tokens t
     JOIN submissions s ON s.id = t.submission
     JOIN attachments a ON a.submission = t.submission AND a.route = t.route AND a.n = t.n
     WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.created_at >= $2";

/// The file a download link opens, without using it.
pub(super) async fn download_open(
    pool: &Pool,
    token_hash: &[u8; 32],
    issued_after: i64,
) -> DbResult<Option<(Reference, u32)>> {
    let client = pool.get().await?;
    let row = db::opt(&client, DOWNLOAD, &[&&token_hash[..], &issued_after]).await?;
    Ok(row.and_then(|r| {
        Some((
            Reference::parse(r.get(0))?,
            r.get::<_, i32>(1).max(0) as u32,
        ))
    }))
}

/// Uses a download link once, with its audit event, in one transaction. The token's row is
/// locked: a link opened twice at once is used once.
pub(super) async fn take_download(
    pool: &Pool,
    token_hash: &[u8; 32],
    now: i64,
    issued_after: i64,
) -> DbResult<Option<crate::spool::Download>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let sql = format!("{DOWNLOAD} FOR UPDATE OF t");
    let Some(row) = db::opt(&tx, &sql, &[&&token_hash[..], &issued_after]).await? else {
        return Ok(None);
    };
    let (reference, route): (String, String) = (row.get(0), row.get(2));
    let n = row.get::<_, i32>(1).max(0) as u32;
    let Some(parsed) = Reference::parse(&reference) else {
        return Ok(None);
    };
    db::exec(
        &tx,
        "UPDATE download_tokens SET used_at = $2 WHERE token_hash = $1",
        &[&&token_hash[..], &now],
    )
    .await?;
    let code = n.to_string();
    let e = Event::new(now, "attachment_downloaded", Some(&reference))
        .route(&route)
        .code(Some(&code));
    chain::append(&tx, &[e]).await?;
    tx.commit().await?;
    Ok(Some(crate::spool::Download {
        reference: parsed,
        route,
        n,
        body: row.get(3),
    }))
}

mod store {
    //! The spool's trait for this concern, implemented on the shared database.
    use super::super::*;

    impl AckStore for PostgresSpool {
        fn ack_token_open(
            &self,
            token_hash: [u8; 32],
            issued_after: i64,
        ) -> SpoolFuture<'_, Option<AckKind>> {
            let pool = self.pool.clone();
            self.spawn(async move {
                let client = pool.get().await?;
                let row = db::opt(
                    &client,
                    "SELECT kind FROM ack_tokens
                     WHERE token_hash = $1 AND used_at IS NULL AND created_at >= $2",
                    &[&&token_hash[..], &issued_after],
                )
                .await?;
                Ok(row.map(|r| AckKind::parse(r.get(0)).unwrap_or(AckKind::ConfirmReceipt)))
            })
        }

        fn acknowledge(
            &self,
            token_hash: [u8; 32],
            now: i64,
            issued_after: i64,
        ) -> SpoolFuture<'_, Option<Used>> {
            let pool = self.pool.clone();
            self.spawn(async move {
                lifecycle::acknowledge(&pool, &token_hash, now, issued_after).await
            })
        }

        fn escalate_due(
            &self,
            now: i64,
            repeat_secs: i64,
            routes: Vec<EscalationRoute>,
        ) -> SpoolFuture<'_, Vec<Reference>> {
            let pool = self.pool.clone();
            self.spawn(
                async move { lifecycle::escalate_due(&pool, now, repeat_secs, &routes).await },
            )
        }
    }

    impl Housekeeping for PostgresSpool {
        fn purge_due(&self, now: i64, policy: RetentionPolicy) -> SpoolFuture<'_, PurgeReport> {
            let pool = self.pool.clone();
            self.spawn(async move { lifecycle::purge_due(&pool, now, &policy).await })
        }
    }
}
