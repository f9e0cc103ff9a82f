//! Sharing with MACE: the sealed view, its delivery and the audit event in one transaction.

use super::submissions::submission_id;
use super::writer::{Control, Job};
use super::{audit, SqliteSpool};
use crate::ack::AckKind;
use crate::reference::ReferenceCipher;
use crate::spool::share::{share_code, SHARE_RANK};
use crate::spool::{NewShare, ShareOutcome, ShareStore, SpoolFuture, View};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

pub(super) fn share(
    conn: &mut Connection,
    cipher: &ReferenceCipher,
    s: &NewShare,
) -> rusqlite::Result<ShareOutcome> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(id) = submission_id(&tx, cipher, &s.reference)? else {
        return Ok(ShareOutcome::Gone);
    };
    let purged: Option<i64> = tx
        .query_row(
            "SELECT purged_at FROM submissions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if purged.is_some() {
        return Ok(ShareOutcome::Gone);
    }
    if super::workflow::closed(&tx, id)? {
        return Ok(ShareOutcome::Closed);
    }
    let taken = tx
        .prepare_cached("SELECT 1 FROM deliveries WHERE submission = ?1 AND route = ?2")?
        .exists(params![id, s.route])?
        || tx
            .prepare_cached("SELECT 1 FROM envelopes WHERE submission = ?1 AND route = ?2")?
            .exists(params![id, s.route])?;
    if taken {
        return Ok(ShareOutcome::AlreadyOnRoute);
    }
    tx.execute(
        "INSERT INTO envelopes (submission, route, view, body) VALUES (?1, ?2, ?3, ?4)",
        params![id, s.route, View::Restricted.as_str(), s.sealed],
    )?;
    tx.execute(
        "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
             next_attempt_at, retry_from, ack_kind)
         VALUES (?1, ?2, ?3, ?4, NULL, ?5, 'pending', ?6, ?6, ?7)",
        params![
            id,
            s.route,
            s.mailbox,
            View::Restricted.as_str(),
            SHARE_RANK,
            s.now,
            AckKind::ConfirmReceipt.as_str()
        ],
    )?;
    super::workflow::insert(
        &tx,
        id,
        &crate::spool::Step::SharedWithMace {
            route: s.route.clone(),
        },
        &s.officer,
        s.now,
    )?;
    audit::append(
        &tx,
        s.now,
        "shared_with_mace",
        Some(s.reference.as_str()),
        Some(&s.route),
        Some(&share_code(&s.officer)),
    )?;
    tx.commit()?;
    Ok(ShareOutcome::Queued)
}

impl ShareStore for SqliteSpool {
    fn share_with_mace(&self, share: NewShare) -> SpoolFuture<'_, ShareOutcome> {
        Box::pin(self.ask(move |r| Job::Other(Control::Share(Box::new(share), r))))
    }
}
