//! A page of submissions read out for `spool copy`, each with every row that hangs off it.

use super::super::db::{self, DbResult};
use super::{bad, hash32};
use crate::ack::AckKind;
use crate::reference::Reference;
use crate::spool::transfer::{
    AckTokenExport, AttachmentExport, DeliveryExport, FollowUpExport, SubmissionExport,
};
use crate::spool::{
    DeliveryRoute, DeliveryState, MessageFrom, StoredEnvelope, StoredMessage, View,
};
use crate::triage::Priority;
use deadpool_postgres::Transaction;
use std::collections::HashMap;
use tokio_postgres::Row;

/// Submissions numbered after `after`, at most `limit`, with their rows, all read in `tx`
/// (one snapshot, so a page never holds half a submission).
pub(super) async fn page(
    tx: &Transaction<'_>,
    after: u64,
    limit: usize,
) -> DbResult<Vec<SubmissionExport>> {
    let subs = submissions(tx, after, limit).await?;
    let Some(mut page) = Page::of(subs) else {
        return Ok(Vec::new());
    };

    page.envelopes(tx).await?;
    page.attachments(tx).await?;
    page.deliveries(tx).await?;
    page.ack_tokens(tx).await?;
    page.follow_ups(tx).await?;
    page.messages(tx).await?;
    page.workflow(tx).await?;
    Ok(page.subs)
}

/// The submissions themselves, their rows still to be added.
async fn submissions(
    tx: &Transaction<'_>,
    after: u64,
    limit: usize,
) -> DbResult<Vec<SubmissionExport>> {
    let rows = db::rows(
        tx,
        "SELECT id, reference, legacy, received_at, received_unix, form_id, form_version,
                priority, reason_codes, token_hash, ack_deadline, next_escalation_at,
                escalations, acknowledged_at, acknowledged_route, purged_at, purge_warned
         FROM submissions WHERE id > $1 ORDER BY id LIMIT $2",
        &[&(after as i64), &(limit as i64)],
    )
    .await?;
    let mut subs = Vec::with_capacity(rows.len());
    for r in rows {
        subs.push(SubmissionExport {
            number: r.get::<_, i64>(0) as u64,
            reference: Reference::parse(r.get(1)).ok_or(bad("a stored reference is malformed"))?,
            legacy: r.get(2),
            received_at: r.get(3),
            received_unix: r.get(4),
            form_id: r.get(5),
            form_version: r.get::<_, i32>(6).max(0) as u32,
            priority: Priority::parse(r.get(7)).ok_or(bad("a stored priority is unknown"))?,
            reason_codes: serde_json::from_str(r.get(8))
                .map_err(|_| bad("stored reason codes are malformed"))?,
            token_hash: r.get::<_, Option<Vec<u8>>>(9).map(hash32).transpose()?,
            ack_deadline: r.get(10),
            next_escalation_at: r.get(11),
            escalations: r.get::<_, i32>(12).max(0) as u32,
            acknowledged_at: r.get(13),
            acknowledged_route: r.get(14),
            purged_at: r.get(15),
            purge_warned: r.get(16),
            envelopes: Vec::new(),
            attachments: Vec::new(),
            deliveries: Vec::new(),
            ack_tokens: Vec::new(),
            follow_up: None,
            messages: Vec::new(),
            workflow: Vec::new(),
        });
    }
    Ok(subs)
}

/// A page of submissions and where each number sits in it: the rows below are read by
/// number range and attached by number.
struct Page {
    subs: Vec<SubmissionExport>,
    at: HashMap<i64, usize>,
    lo: i64,
    hi: i64,
}

impl Page {
    /// `None` for an empty page: there is nothing to add rows to.
    fn of(subs: Vec<SubmissionExport>) -> Option<Self> {
        let (Some(first), Some(last)) = (subs.first(), subs.last()) else {
            return None;
        };
        let (lo, hi) = (first.number as i64, last.number as i64);
        let at: HashMap<i64, usize> = subs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.number as i64, i))
            .collect();
        Some(Page { subs, at, lo, hi })
    }

    /// The submission a row (whose first column is its number) belongs to.
    fn owner(&mut self, r: &Row) -> Option<&mut SubmissionExport> {
        let i = *self.at.get(&r.get::<_, i64>(0))?;
        Some(&mut self.subs[i])
    }

    /// Each route's sealed document.
    async fn envelopes(&mut self, tx: &Transaction<'_>) -> DbResult<()> {
        for r in db::rows(
            tx,
            "SELECT submission, route, view, body FROM envelopes
             WHERE submission BETWEEN $1 AND $2 ORDER BY submission, route COLLATE \"C\"",
            &[&self.lo, &self.hi],
        )
        .await?
        {
            if let Some(s) = self.owner(&r) {
                s.envelopes.push(StoredEnvelope {
                    route: r.get(1),
                    view: View::parse(r.get(2)).ok_or(bad("a stored view is unknown"))?,
                    body: r.get(3),
                });
            }
        }
        Ok(())
    }

    /// Each route's sealed evidence files.
    async fn attachments(&mut self, tx: &Transaction<'_>) -> DbResult<()> {
        for r in db::rows(
            tx,
            "SELECT submission, route, n, body FROM attachments
             WHERE submission BETWEEN $1 AND $2 ORDER BY submission, route COLLATE \"C\", n",
            &[&self.lo, &self.hi],
        )
        .await?
        {
            if let Some(s) = self.owner(&r) {
                s.attachments.push(AttachmentExport {
                    route: r.get(1),
                    n: r.get::<_, i32>(2).max(0) as u32,
                    body: r.get(3),
                });
            }
        }
        Ok(())
    }

    /// Where each envelope is going and how far it got.
    async fn deliveries(&mut self, tx: &Transaction<'_>) -> DbResult<()> {
        for r in db::rows(
            tx,
            "SELECT submission, route, mailbox, view, notice, rank, state, attempts,
                    next_attempt_at, retry_from, last_attempt_at, last_error_class,
                    delivered_at, dead_at, acknowledged_at, ack_kind
             FROM deliveries WHERE submission BETWEEN $1 AND $2
             ORDER BY submission, route COLLATE \"C\"",
            &[&self.lo, &self.hi],
        )
        .await?
        {
            if let Some(s) = self.owner(&r) {
                s.deliveries.push(DeliveryExport {
                    route: DeliveryRoute::parse(r.get(1)),
                    mailbox: r.get(2),
                    view: View::parse(r.get(3)).ok_or(bad("a stored view is unknown"))?,
                    notice: r.get(4),
                    rank: i64::from(r.get::<_, i16>(5)),
                    state: DeliveryState::parse(r.get(6))
                        .ok_or(bad("a stored delivery state is unknown"))?,
                    attempts: r.get::<_, i32>(7).max(0) as u32,
                    next_attempt_at: r.get(8),
                    retry_from: r.get(9),
                    last_attempt_at: r.get(10),
                    last_error_class: r.get(11),
                    delivered_at: r.get(12),
                    dead_at: r.get(13),
                    acknowledged_at: r.get(14),
                    ack: AckKind::parse(r.get(15)).ok_or(bad("a stored link kind is unknown"))?,
                });
            }
        }
        Ok(())
    }

    /// The links recipients acknowledge with.
    async fn ack_tokens(&mut self, tx: &Transaction<'_>) -> DbResult<()> {
        for r in db::rows(
            tx,
            "SELECT submission, token_hash, route, created_at, used_at, kind FROM ack_tokens
             WHERE submission BETWEEN $1 AND $2 ORDER BY submission, token_hash",
            &[&self.lo, &self.hi],
        )
        .await?
        {
            if let Some(s) = self.owner(&r) {
                s.ack_tokens.push(AckTokenExport {
                    hash: hash32(r.get(1))?,
                    route: r.get(2),
                    created_at: r.get(3),
                    used_at: r.get(4),
                    kind: AckKind::parse(r.get(5)).ok_or(bad("a stored link kind is unknown"))?,
                });
            }
        }
        Ok(())
    }

    /// The follow-up key and notice address, where the submitter asked for one.
    async fn follow_ups(&mut self, tx: &Transaction<'_>) -> DbResult<()> {
        for r in db::rows(
            tx,
            "SELECT submission, lookup_id, recipient, status, status_at, notify, notify_token,
                 notify_confirmed_at
             FROM follow_ups WHERE submission BETWEEN $1 AND $2 ORDER BY submission",
            &[&self.lo, &self.hi],
        )
        .await?
        {
            if let Some(s) = self.owner(&r) {
                s.follow_up = Some(FollowUpExport {
                    lookup_id: hash32(r.get(1))?,
                    recipient: r.get(2),
                    status: r
                        .get::<_, &str>(3)
                        .parse()
                        .map_err(|_| bad("a stored follow-up status is unknown"))?,
                    status_at: r.get(4),
                    notify: r.get(5),
                    notify_token: r.get::<_, Option<Vec<u8>>>(6).map(hash32).transpose()?,
                    notify_confirmed_at: r.get(7),
                });
            }
        }
        Ok(())
    }

    /// The follow-up thread.
    async fn messages(&mut self, tx: &Transaction<'_>) -> DbResult<()> {
        for r in db::rows(
            tx,
            "SELECT submission, n, at, sender, body FROM follow_up_messages
             WHERE submission BETWEEN $1 AND $2 ORDER BY submission, n",
            &[&self.lo, &self.hi],
        )
        .await?
        {
            if let Some(s) = self.owner(&r) {
                s.messages.push(StoredMessage {
                    n: r.get::<_, i32>(1).max(0) as u32,
                    at: r.get(2),
                    from: MessageFrom::parse(r.get(3))
                        .ok_or(bad("a stored message sender is unknown"))?,
                    sealed: r.get(4),
                });
            }
        }
        Ok(())
    }

    /// The officers' workflow steps.
    async fn workflow(&mut self, tx: &Transaction<'_>) -> DbResult<()> {
        for r in db::rows(
            tx,
            "SELECT submission, n, at, officer, step, detail FROM workflow_steps
             WHERE submission BETWEEN $1 AND $2 ORDER BY submission, n",
            &[&self.lo, &self.hi],
        )
        .await?
        {
            if let Some(s) = self.owner(&r) {
                s.workflow.push(crate::spool::WorkflowEntry {
                    n: r.get::<_, i32>(1).max(0) as u32,
                    at: r.get(2),
                    officer: r.get(3),
                    step: crate::spool::Step::from_stored(r.get(4), r.get(5))
                        .map_err(|_| bad("a stored workflow step is unknown"))?,
                });
            }
        }
        Ok(())
    }
}
