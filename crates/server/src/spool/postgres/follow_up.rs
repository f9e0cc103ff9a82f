//! The follow-up thread on a shared database: as SQLite's, with the submission's follow-up row
//! locked while a message is numbered, so two gateways never give two messages one number.

use super::chain::{self, Event};
use super::db::{self, DbError, DbResult, SUBMISSION_ID};
use super::PostgresSpool;
use crate::reference::Reference;
use crate::spool::follow_up::{self, NOTICE_ROUTE};
use crate::spool::CONFIRM_ROUTE;
use crate::spool::{
    CaseStatus, FollowUpRecord, FollowUpStore, MessageFrom, NewSubmission, SpoolFuture,
    StoredMessage, View,
};
use deadpool_postgres::{Pool, Transaction};

/// Inside the submission's own transaction: the key, and for a professional who asked for
/// notices, their sealed address with the email that asks them to confirm it.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    id: i64,
    s: &NewSubmission,
    events: &mut Vec<Event>,
) -> Result<(), tokio_postgres::Error> {
    let Some(key) = &s.follow_up else {
        return Ok(());
    };
    let notice = s.follow_up_notice.as_ref();
    db::exec(
        tx,
        "INSERT INTO follow_ups (submission, lookup_id, recipient, status, status_at, notify,
             notify_token)
         VALUES ($1, $2, $3, 'received', $4, $5, $6)",
        &[
            &id,
            &&key.lookup_id[..],
            &key.recipient,
            &s.received_unix,
            &notice.map(|n| &n.sealed),
            &notice.map(|n| &n.token_hash[..]),
        ],
    )
    .await?;
    if let Some(n) = notice {
        db::exec(
            tx,
            "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                                     next_attempt_at, retry_from, ack_kind)
             VALUES ($1, $2, $3, $4, NULL, 1, 'pending', $5, $5, 'receipt')",
            &[
                &id,
                &CONFIRM_ROUTE,
                &n.confirm_mailbox,
                &View::FollowUpConfirm.as_str(),
                &s.received_unix,
            ],
        )
        .await?;
    }
    let code = if notice.is_some() { "notify" } else { "code" };
    events.push(
        Event::new(s.received_unix, "follow_up_key", Some(s.reference.as_str())).code(Some(code)),
    );
    Ok(())
}

/// Confirms the notice address whose link carries this token: once (the row is locked and
/// the token cleared), and only while the submission is younger than `issued_after`.
async fn confirm_notify(
    pool: &Pool,
    token_hash: [u8; 32],
    issued_after: i64,
    now: i64,
) -> DbResult<bool> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let row = db::opt(
        &tx,
        "SELECT f.submission, s.reference FROM follow_ups f
         JOIN submissions s ON s.id = f.submission
         WHERE f.notify_token = $1 AND s.received_unix > $2 AND s.purged_at IS NULL
         FOR UPDATE OF f",
        &[&&token_hash[..], &issued_after],
    )
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let (id, reference): (i64, String) = (row.get(0), row.get(1));
    db::exec(
        &tx,
        "UPDATE follow_ups SET notify_token = NULL, notify_confirmed_at = $2 WHERE submission = $1",
        &[&id, &now],
    )
    .await?;
    chain::append(
        &tx,
        &[Event::new(
            now,
            "follow_up_notify_confirmed",
            Some(&reference),
        )],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

const RECORD: &str = "SELECT s.reference, f.recipient, f.status, f.status_at, f.notify IS NOT NULL
     FROM follow_ups f JOIN submissions s ON s.id = f.submission";

fn record(row: &tokio_postgres::Row) -> DbResult<FollowUpRecord> {
    Ok(FollowUpRecord {
        reference: Reference::parse(row.get(0))
            .ok_or(DbError::Missing("a stored reference is malformed"))?,
        recipient: row.get(1),
        status: row
            .get::<_, &str>(2)
            .parse()
            .map_err(|_| DbError::Missing("a stored follow-up status is unknown"))?,
        status_at: row.get(3),
        notify: row.get(4),
    })
}

/// The locked follow-up row of a live submission: (submission id, notice address once
/// confirmed).
async fn live(
    tx: &Transaction<'_>,
    n: i64,
    r: &str,
) -> Result<Option<(i64, Option<String>)>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT submission, CASE WHEN notify_confirmed_at IS NOT NULL THEN notify END
         FROM follow_ups WHERE submission = {SUBMISSION_ID} FOR UPDATE"
    );
    let row = db::opt(tx, &sql, &[&n, &r]).await?;
    Ok(row.map(|row| (row.get(0), row.get(1))))
}

async fn set_status(
    pool: &Pool,
    (n, r): (i64, String),
    status: CaseStatus,
    officer: &str,
    now: i64,
) -> DbResult<bool> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some((id, _)) = live(&tx, n, &r).await? else {
        return Ok(false);
    };
    db::exec(
        &tx,
        "UPDATE follow_ups SET status = $2, status_at = $3 WHERE submission = $1",
        &[&id, &status.as_str(), &now],
    )
    .await?;
    let e = Event::new(now, "follow_up_status", Some(&r))
        .route(officer)
        .code(Some(follow_up::status_code(status)));
    chain::append(&tx, &[e]).await?;
    tx.commit().await?;
    Ok(true)
}

async fn add_message(
    pool: &Pool,
    (number, r): (i64, String),
    from: MessageFrom,
    sealed: &[u8],
    who: &str,
    now: i64,
) -> DbResult<Option<u32>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some((id, notify)) = live(&tx, number, &r).await? else {
        return Ok(None);
    };
    let n: i32 = db::one(
        &tx,
        "SELECT COALESCE(MAX(n), 0) + 1 FROM follow_up_messages WHERE submission = $1",
        &[&id],
    )
    .await?
    .get(0);
    db::exec(
        &tx,
        "INSERT INTO follow_up_messages (submission, n, at, sender, body)
         VALUES ($1, $2, $3, $4, $5)",
        &[&id, &n, &now, &from.as_str(), &sealed],
    )
    .await?;
    let n = n.max(1) as u32;
    let event = match from {
        MessageFrom::Officer => {
            if let Some(mailbox) = &notify {
                db::exec(
                    &tx,
                    "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                                             next_attempt_at, retry_from, ack_kind)
                     VALUES ($1, $2, $3, $4, NULL, 1, 'pending', $5, $5, 'receipt')
                     ON CONFLICT DO NOTHING",
                    &[
                        &id,
                        &format!("{NOTICE_ROUTE}.{n}"),
                        mailbox,
                        &View::FollowUp.as_str(),
                        &now,
                    ],
                )
                .await?;
                db::exec(&tx, db::NOTIFY, &[]).await?;
            }
            Event::new(now, "follow_up_reply", Some(&r))
                .route(who)
                .code(Some(&follow_up::reply_code(n, sealed.len())))
        }
        MessageFrom::Submitter => Event::new(now, "follow_up_addendum", Some(&r)).code(Some(who)),
    };
    chain::append(&tx, &[event]).await?;
    tx.commit().await?;
    Ok(Some(n))
}

/// Retention: the follow-up of a purged submission goes with its envelopes.
pub(super) async fn purge(tx: &Transaction<'_>, id: i64) -> Result<(), tokio_postgres::Error> {
    db::exec(
        tx,
        "DELETE FROM follow_up_messages WHERE submission = $1",
        &[&id],
    )
    .await?;
    db::exec(tx, "DELETE FROM follow_ups WHERE submission = $1", &[&id]).await?;
    Ok(())
}

impl FollowUpStore for PostgresSpool {
    fn follow_up_by_lookup(&self, lookup_id: [u8; 32]) -> SpoolFuture<'_, Option<FollowUpRecord>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!("{RECORD} WHERE f.lookup_id = $1");
            let row = db::opt(&client, &sql, &[&&lookup_id[..]]).await?;
            row.as_ref().map(record).transpose()
        })
    }

    fn follow_up_by_reference(
        &self,
        reference: &Reference,
    ) -> SpoolFuture<'_, Option<FollowUpRecord>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!("{RECORD} WHERE f.submission = {SUBMISSION_ID}");
            let row = db::opt(&client, &sql, &[&n, &r]).await?;
            row.as_ref().map(record).transpose()
        })
    }

    fn set_case_status(
        &self,
        reference: &Reference,
        status: CaseStatus,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, bool> {
        let key = self.number(reference);
        let (pool, officer) = (self.pool.clone(), officer.to_string());
        self.spawn(async move { set_status(&pool, key, status, &officer, now).await })
    }

    fn add_reply(
        &self,
        reference: &Reference,
        sealed: Vec<u8>,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, Option<u32>> {
        let key = self.number(reference);
        let (pool, officer) = (self.pool.clone(), officer.to_string());
        self.spawn(async move {
            add_message(&pool, key, MessageFrom::Officer, &sealed, &officer, now).await
        })
    }

    fn add_submitter_message(
        &self,
        reference: &Reference,
        sealed: Vec<u8>,
        addendum: &Reference,
        now: i64,
    ) -> SpoolFuture<'_, Option<u32>> {
        let key = self.number(reference);
        let (pool, addendum) = (self.pool.clone(), addendum.to_string());
        self.spawn(async move {
            add_message(&pool, key, MessageFrom::Submitter, &sealed, &addendum, now).await
        })
    }

    fn confirm_notify(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
        now: i64,
    ) -> SpoolFuture<'_, bool> {
        let pool = self.pool.clone();
        self.spawn(async move { confirm_notify(&pool, token_hash, issued_after, now).await })
    }

    fn messages(&self, reference: &Reference) -> SpoolFuture<'_, Vec<StoredMessage>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT n, at, sender, body FROM follow_up_messages
                 WHERE submission = {SUBMISSION_ID} ORDER BY n"
            );
            let rows = db::rows(&client, &sql, &[&n, &r]).await?;
            rows.iter()
                .map(|row| {
                    Ok(StoredMessage {
                        n: row.get::<_, i32>(0).max(0) as u32,
                        at: row.get(1),
                        from: MessageFrom::parse(row.get(2))
                            .ok_or(DbError::Missing("a stored message sender is unknown"))?,
                        sealed: row.get(3),
                    })
                })
                .collect()
        })
    }

    fn use_officer_nonce(
        &self,
        officer: &str,
        nonce: [u8; 16],
        now: i64,
        forget_before: i64,
    ) -> SpoolFuture<'_, bool> {
        let (pool, officer) = (self.pool.clone(), officer.to_string());
        self.spawn(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            db::exec(
                &tx,
                "DELETE FROM officer_nonces WHERE used_at < $1",
                &[&forget_before],
            )
            .await?;
            // Two gateways given the same request at once: the primary key lets one in.
            let fresh = db::exec(
                &tx,
                "INSERT INTO officer_nonces (officer, nonce, used_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&officer, &&nonce[..], &now],
            )
            .await?
                == 1;
            tx.commit().await?;
            Ok(fresh)
        })
    }

    fn audit_officer_refusal(
        &self,
        reason: &str,
        officer: Option<&str>,
        path: &str,
        now: i64,
    ) -> SpoolFuture<'_, ()> {
        let code = follow_up::refusal_code(reason, path);
        let (pool, officer) = (self.pool.clone(), officer.map(str::to_string));
        self.spawn(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            let mut e = Event::new(now, "officer_request_refused", None).code(Some(&code));
            e.route = officer;
            chain::append(&tx, &[e]).await?;
            tx.commit().await?;
            Ok(())
        })
    }
}
