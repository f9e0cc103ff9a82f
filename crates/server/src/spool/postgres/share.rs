//! Sharing with MACE on a shared database: as SQLite's, with the submission row locked so two
//! gateways never both queue a share to one route.

use super::chain::{self, Event};
use super::db::{self, DbResult, SUBMISSION_ID};
use super::PostgresSpool;
use crate::ack::AckKind;
use crate::spool::share::{share_code, SHARE_RANK};
use crate::spool::{NewShare, ShareOutcome, ShareStore, SpoolFuture, View};
use deadpool_postgres::Pool;

async fn share(pool: &Pool, number: i64, s: &NewShare) -> DbResult<ShareOutcome> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let r = s.reference.as_str().to_string();
    let sql =
        format!("SELECT id, purged_at FROM submissions WHERE id = {SUBMISSION_ID} FOR UPDATE");
    let Some(row) = db::opt(&tx, &sql, &[&number, &r]).await? else {
        return Ok(ShareOutcome::Gone);
    };
    let id: i64 = row.get(0);
    let purged: Option<i64> = row.get(1);
    if purged.is_some() {
        return Ok(ShareOutcome::Gone);
    }
    if super::workflow::closed(&tx, id).await? {
        return Ok(ShareOutcome::Closed);
    }
    let taken = db::opt(
        &tx,
        "SELECT 1 FROM deliveries WHERE submission = $1 AND route = $2
         UNION ALL SELECT 1 FROM envelopes WHERE submission = $1 AND route = $2 LIMIT 1",
        &[&id, &s.route],
    )
    .await?
    .is_some();
    if taken {
        return Ok(ShareOutcome::AlreadyOnRoute);
    }
    db::exec(
        &tx,
        "INSERT INTO envelopes (submission, route, view, body) VALUES ($1, $2, $3, $4)",
        &[&id, &s.route, &View::Restricted.as_str(), &s.sealed],
    )
    .await?;
    db::exec(
        &tx,
        "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                                 next_attempt_at, retry_from, ack_kind)
         VALUES ($1, $2, $3, $4, NULL, $5, 'pending', $6, $6, $7)",
        &[
            &id,
            &s.route,
            &s.mailbox,
            &View::Restricted.as_str(),
            &(SHARE_RANK as i16),
            &s.now,
            &AckKind::ConfirmReceipt.as_str(),
        ],
    )
    .await?;
    super::workflow::insert(
        &tx,
        id,
        &crate::spool::Step::SharedWithMace {
            route: s.route.clone(),
        },
        &s.officer,
        s.now,
    )
    .await?;
    db::exec(&tx, db::NOTIFY, &[]).await?;
    chain::append(
        &tx,
        &[Event::new(s.now, "shared_with_mace", Some(&r))
            .route(&s.route)
            .code(Some(&share_code(&s.officer)))],
    )
    .await?;
    tx.commit().await?;
    Ok(ShareOutcome::Queued)
}

impl ShareStore for PostgresSpool {
    fn share_with_mace(&self, s: NewShare) -> SpoolFuture<'_, ShareOutcome> {
        let (number, _) = self.number(&s.reference);
        let pool = self.pool.clone();
        self.spawn(async move { share(&pool, number, &s).await })
    }
}
