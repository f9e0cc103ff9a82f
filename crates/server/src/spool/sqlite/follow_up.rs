//! The follow-up thread: the key committed with a submission, the status police set, sealed
//! messages, and officers' request nonces. Writes run on the writer's connection, each in one
//! transaction with its audit event.

use super::submissions::submission_id;
use super::writer::{Control, Job};
use super::{audit, SqliteSpool};
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::follow_up::{self, NOTICE_ROUTE};
use crate::spool::CONFIRM_ROUTE;
use crate::spool::{
    CaseStatus, FollowUpRecord, FollowUpStore, MessageFrom, NewSubmission, SpoolFuture,
    StoredMessage, View,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Inside the submission's own transaction: the key, and for a professional who asked for
/// notices, their sealed address with the email that asks them to confirm it.
pub(super) fn insert(tx: &Connection, id: i64, s: &NewSubmission) -> rusqlite::Result<()> {
    let Some(key) = &s.follow_up else {
        return Ok(());
    };
    let notice = s.follow_up_notice.as_ref();
    tx.prepare_cached(
        "INSERT INTO follow_ups (submission, lookup_id, recipient, status, status_at, notify,
             notify_token)
         VALUES (?1, ?2, ?3, 'received', ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        &key.lookup_id[..],
        key.recipient,
        s.received_unix,
        notice.map(|n| &n.sealed),
        notice.map(|n| &n.token_hash[..])
    ])?;
    if let Some(n) = notice {
        tx.prepare_cached(
            "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                 next_attempt_at, retry_from, ack_kind)
             VALUES (?1, ?2, ?3, ?4, NULL, 1, 'pending', ?5, ?5, 'receipt')",
        )?
        .execute(params![
            id,
            CONFIRM_ROUTE,
            n.confirm_mailbox,
            View::FollowUpConfirm.as_str(),
            s.received_unix
        ])?;
    }
    audit::append(
        tx,
        s.received_unix,
        "follow_up_key",
        Some(s.reference.as_str()),
        None,
        Some(if notice.is_some() { "notify" } else { "code" }),
    )
}

/// Confirms the notice address whose link carries this token: once, and only while the
/// submission is younger than `issued_after`. Returns whether it did.
pub(super) fn confirm_notify(
    conn: &mut Connection,
    token_hash: &[u8; 32],
    issued_after: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: Option<(i64, String)> = tx
        .prepare_cached(
            "SELECT f.submission, s.reference FROM follow_ups f
             JOIN submissions s ON s.id = f.submission
             WHERE f.notify_token = ?1 AND s.received_unix > ?2 AND s.purged_at IS NULL",
        )?
        .query_row(params![&token_hash[..], issued_after], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((id, reference)) = found else {
        return Ok(false);
    };
    tx.execute(
        "UPDATE follow_ups SET notify_token = NULL, notify_confirmed_at = ?2 WHERE submission = ?1",
        params![id, now],
    )?;
    audit::append(
        &tx,
        now,
        "follow_up_notify_confirmed",
        Some(&reference),
        None,
        None,
    )?;
    tx.commit()?;
    Ok(true)
}

const RECORD: &str = "SELECT s.reference, f.recipient, f.status, f.status_at, f.notify IS NOT NULL
     FROM follow_ups f JOIN submissions s ON s.id = f.submission";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<FollowUpRecord> {
    let status: String = r.get(2)?;
    Ok(FollowUpRecord {
        reference: super::rows::get(r, 0)?,
        recipient: r.get(1)?,
        status: status.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
        })?,
        status_at: r.get(3)?,
        notify: r.get(4)?,
    })
}

/// The follow-up row of a live submission: (submission id, notice address once confirmed).
fn live(
    tx: &Connection,
    cipher: &ReferenceCipher,
    reference: &Reference,
) -> rusqlite::Result<Option<(i64, Option<String>)>> {
    let Some(id) = submission_id(tx, cipher, reference)? else {
        return Ok(None);
    };
    tx.prepare_cached(
        "SELECT CASE WHEN notify_confirmed_at IS NOT NULL THEN notify END
         FROM follow_ups WHERE submission = ?1",
    )?
    .query_row([id], |r| Ok((id, r.get(0)?)))
    .optional()
}

pub(super) fn set_status(
    conn: &mut Connection,
    cipher: &ReferenceCipher,
    reference: &Reference,
    status: CaseStatus,
    officer: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some((id, _)) = live(&tx, cipher, reference)? else {
        return Ok(false);
    };
    tx.execute(
        "UPDATE follow_ups SET status = ?2, status_at = ?3 WHERE submission = ?1",
        params![id, status.as_str(), now],
    )?;
    audit::append(
        &tx,
        now,
        "follow_up_status",
        Some(reference.as_str()),
        Some(officer),
        Some(follow_up::status_code(status)),
    )?;
    tx.commit()?;
    Ok(true)
}

/// Adds a message; for an officer's, queues the professional's notice if one was asked for.
pub(super) fn add_message(
    conn: &mut Connection,
    cipher: &ReferenceCipher,
    reference: &Reference,
    from: MessageFrom,
    sealed: &[u8],
    who: &str,
    now: i64,
) -> rusqlite::Result<Option<u32>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some((id, notify)) = live(&tx, cipher, reference)? else {
        return Ok(None);
    };
    let n: u32 = tx.query_row(
        "SELECT COALESCE(MAX(n), 0) + 1 FROM follow_up_messages WHERE submission = ?1",
        [id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO follow_up_messages (submission, n, at, sender, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, n, now, from.as_str(), sealed],
    )?;
    let r = Some(reference.as_str());
    match from {
        MessageFrom::Officer => {
            audit::append(
                &tx,
                now,
                "follow_up_reply",
                r,
                Some(who),
                Some(&follow_up::reply_code(n, sealed.len())),
            )?;
            if let Some(mailbox) = notify {
                let route = format!("{NOTICE_ROUTE}.{n}");
                tx.execute(
                    "INSERT OR IGNORE INTO deliveries (submission, route, mailbox, view, notice, rank,
                         state, next_attempt_at, retry_from, ack_kind)
                     VALUES (?1, ?2, ?3, ?4, NULL, 1, 'pending', ?5, ?5, 'receipt')",
                    params![id, route, mailbox, View::FollowUp.as_str(), now],
                )?;
            }
        }
        MessageFrom::Submitter => {
            audit::append(&tx, now, "follow_up_addendum", r, None, Some(who))?;
        }
    }
    tx.commit()?;
    Ok(Some(n))
}

pub(super) fn use_nonce(
    conn: &mut Connection,
    officer: &str,
    nonce: &[u8; 16],
    now: i64,
    forget_before: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "DELETE FROM officer_nonces WHERE used_at < ?1",
        [forget_before],
    )?;
    let fresh = tx.execute(
        "INSERT OR IGNORE INTO officer_nonces (officer, nonce, used_at) VALUES (?1, ?2, ?3)",
        params![officer, &nonce[..], now],
    )? == 1;
    tx.commit()?;
    Ok(fresh)
}

pub(super) fn refused(
    conn: &mut Connection,
    reason: &str,
    officer: Option<&str>,
    path: &str,
    now: i64,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    audit::append(
        &tx,
        now,
        "officer_request_refused",
        None,
        officer,
        Some(&follow_up::refusal_code(reason, path)),
    )?;
    tx.commit()
}

/// Retention: the follow-up of a purged submission goes with its envelopes.
pub(super) fn purge(tx: &Connection, id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM follow_up_messages WHERE submission = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM follow_ups WHERE submission = ?1")?
        .execute([id])?;
    Ok(())
}

impl FollowUpStore for SqliteSpool {
    fn follow_up_by_lookup(&self, lookup_id: [u8; 32]) -> SpoolFuture<'_, Option<FollowUpRecord>> {
        Box::pin(self.read(move |c| {
            c.prepare_cached(&format!("{RECORD} WHERE f.lookup_id = ?1"))?
                .query_row([&lookup_id[..]], record)
                .optional()
        }))
    }

    fn follow_up_by_reference(
        &self,
        reference: &Reference,
    ) -> SpoolFuture<'_, Option<FollowUpRecord>> {
        Box::pin(self.read_submission(reference.clone(), None, |c, id| {
            c.prepare_cached(&format!("{RECORD} WHERE f.submission = ?1"))?
                .query_row([id], record)
                .optional()
        }))
    }

    fn set_case_status(
        &self,
        reference: &Reference,
        status: CaseStatus,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, bool> {
        let (reference, officer) = (reference.clone(), officer.to_string());
        Box::pin(
            self.ask(move |r| {
                Job::Other(Control::SetCaseStatus(reference, status, officer, now, r))
            }),
        )
    }

    fn add_reply(
        &self,
        reference: &Reference,
        sealed: Vec<u8>,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, Option<u32>> {
        let (reference, officer) = (reference.clone(), officer.to_string());
        Box::pin(self.ask(move |r| {
            Job::Other(Control::AddMessage(
                reference,
                MessageFrom::Officer,
                sealed,
                officer,
                now,
                r,
            ))
        }))
    }

    fn add_submitter_message(
        &self,
        reference: &Reference,
        sealed: Vec<u8>,
        addendum: &Reference,
        now: i64,
    ) -> SpoolFuture<'_, Option<u32>> {
        let (reference, addendum) = (reference.clone(), addendum.to_string());
        Box::pin(self.ask(move |r| {
            Job::Other(Control::AddMessage(
                reference,
                MessageFrom::Submitter,
                sealed,
                addendum,
                now,
                r,
            ))
        }))
    }

    fn confirm_notify(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
        now: i64,
    ) -> SpoolFuture<'_, bool> {
        Box::pin(
            self.ask(move |r| Job::Other(Control::ConfirmNotify(token_hash, issued_after, now, r))),
        )
    }

    fn messages(&self, reference: &Reference) -> SpoolFuture<'_, Vec<StoredMessage>> {
        Box::pin(self.read_submission(reference.clone(), Vec::new(), |c, id| {
            c.prepare_cached(
                "SELECT n, at, sender, body FROM follow_up_messages WHERE submission = ?1 ORDER BY n",
            )?
            .query_map([id], |r| {
                let from: String = r.get(2)?;
                Ok(StoredMessage {
                    n: r.get(0)?,
                    at: r.get(1)?,
                    from: MessageFrom::parse(&from).ok_or_else(|| {
                        rusqlite::Error::FromSqlConversionFailure(
                            2,
                            rusqlite::types::Type::Text,
                            format!("unexpected sender {from:?}").into(),
                        )
                    })?,
                    sealed: r.get(3)?,
                })
            })?
            .collect()
        }))
    }

    fn use_officer_nonce(
        &self,
        officer: &str,
        nonce: [u8; 16],
        now: i64,
        forget_before: i64,
    ) -> SpoolFuture<'_, bool> {
        let officer = officer.to_string();
        Box::pin(
            self.ask(move |r| Job::Other(Control::UseNonce(officer, nonce, now, forget_before, r))),
        )
    }

    fn audit_officer_refusal(
        &self,
        reason: &str,
        officer: Option<&str>,
        path: &str,
        now: i64,
    ) -> SpoolFuture<'_, ()> {
        let (reason, officer, path) = (
            reason.to_string(),
            officer.map(str::to_string),
            path.to_string(),
        );
        Box::pin(self.ask(move |r| Job::Other(Control::Refused(reason, officer, path, now, r))))
    }
}
