//! A page of submissions read out for `spool copy`, each with every row that hangs off it.

use super::super::rows::hash32;
use super::conversion;
use crate::spool::transfer::{
    AckTokenExport, AttachmentExport, DeliveryExport, FollowUpExport, SubmissionExport,
};
use crate::spool::{MessageFrom, StoredEnvelope, StoredMessage};
use rusqlite::{params, Connection};
use std::collections::HashMap;

/// Submissions numbered after `after`, at most `limit`, with their rows.
pub(super) fn page(
    c: &Connection,
    after: u64,
    limit: usize,
) -> rusqlite::Result<Vec<SubmissionExport>> {
    // One read transaction: the page and its rows from the same snapshot.
    let tx = c.unchecked_transaction()?;
    let subs = submissions(&tx, after, limit)?;
    let Some(mut page) = Page::of(subs) else {
        return Ok(Vec::new());
    };
    page.envelopes(&tx)?;
    page.attachments(&tx)?;
    page.deliveries(&tx)?;
    page.ack_tokens(&tx)?;
    page.follow_ups(&tx)?;
    page.messages(&tx)?;
    page.workflow(&tx)?;
    Ok(page.subs)
}

/// The submissions themselves, their rows still to be added.
fn submissions(
    c: &Connection,
    after: u64,
    limit: usize,
) -> rusqlite::Result<Vec<SubmissionExport>> {
    c.prepare(
        "SELECT id, reference, legacy, received_at, received_unix, form_id, form_version,
                    priority, reason_codes, token_hash, ack_deadline, next_escalation_at,
                    escalations, acknowledged_at, acknowledged_route, purged_at, purge_warned
             FROM submissions WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?
    .query_map(params![after as i64, limit as i64], |r| {
        let reasons: String = r.get(8)?;
        Ok(SubmissionExport {
            number: r.get::<_, i64>(0)? as u64,
            reference: super::super::rows::get(r, 1)?,
            legacy: r.get::<_, i64>(2)? != 0,
            received_at: r.get(3)?,
            received_unix: r.get(4)?,
            form_id: r.get(5)?,
            form_version: r.get(6)?,
            priority: super::super::rows::get(r, 7)?,
            reason_codes: serde_json::from_str(&reasons).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    8,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            token_hash: r
                .get::<_, Option<Vec<u8>>>(9)?
                .map(|h| hash32(9, h))
                .transpose()?,
            ack_deadline: r.get(10)?,
            next_escalation_at: r.get(11)?,
            escalations: r.get(12)?,
            acknowledged_at: r.get(13)?,
            acknowledged_route: r.get(14)?,
            purged_at: r.get(15)?,
            purge_warned: r.get::<_, i64>(16)? != 0,
            envelopes: Vec::new(),
            attachments: Vec::new(),
            deliveries: Vec::new(),
            ack_tokens: Vec::new(),
            follow_up: None,
            messages: Vec::new(),
            workflow: Vec::new(),
        })
    })?
    .collect::<rusqlite::Result<_>>()
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

    /// The submission numbered `number`, if it is on this page.
    fn owner(&mut self, number: i64) -> Option<&mut SubmissionExport> {
        let i = *self.at.get(&number)?;
        Some(&mut self.subs[i])
    }

    /// Each route's sealed document.
    fn envelopes(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut st = tx.prepare(
            "SELECT submission, route, view, body FROM envelopes
             WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, route",
        )?;
        let mut rows = st.query(params![self.lo, self.hi])?;
        while let Some(r) = rows.next()? {
            if let Some(s) = self.owner(r.get(0)?) {
                s.envelopes.push(StoredEnvelope {
                    route: r.get(1)?,
                    view: r.get(2)?,
                    body: r.get(3)?,
                });
            }
        }
        Ok(())
    }

    /// Each route's sealed evidence files, staged ones read whole.
    fn attachments(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut st = tx.prepare(
            "SELECT submission, route, n, body, blob FROM attachments
             WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, route, n",
        )?;
        let mut rows = st.query(params![self.lo, self.hi])?;
        while let Some(r) = rows.next()? {
            if let Some(s) = self.owner(r.get(0)?) {
                s.attachments.push(AttachmentExport {
                    route: r.get(1)?,
                    n: r.get(2)?,
                    body: super::super::staging::read_file(tx, r.get(3)?, r.get(4)?)?,
                });
            }
        }
        Ok(())
    }

    /// Where each envelope is going and how far it got.
    fn deliveries(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut st = tx.prepare(
            "SELECT submission, route, mailbox, view, notice, rank, state, attempts, next_attempt_at,
                    retry_from, last_attempt_at, last_error_class, delivered_at, dead_at,
                    acknowledged_at, ack_kind
             FROM deliveries WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, route",
        )?;
        let mut rows = st.query(params![self.lo, self.hi])?;
        while let Some(r) = rows.next()? {
            if let Some(s) = self.owner(r.get(0)?) {
                s.deliveries.push(DeliveryExport {
                    route: r.get(1)?,
                    mailbox: r.get(2)?,
                    view: r.get(3)?,
                    notice: r.get(4)?,
                    rank: r.get(5)?,
                    state: r.get(6)?,
                    attempts: r.get(7)?,
                    next_attempt_at: r.get(8)?,
                    retry_from: r.get(9)?,
                    last_attempt_at: r.get(10)?,
                    last_error_class: r.get(11)?,
                    delivered_at: r.get(12)?,
                    dead_at: r.get(13)?,
                    acknowledged_at: r.get(14)?,
                    ack: super::super::rows::get(r, 15)?,
                });
            }
        }
        Ok(())
    }

    /// The links recipients acknowledge with.
    fn ack_tokens(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut st = tx.prepare(
            "SELECT submission, token_hash, route, created_at, used_at, kind FROM ack_tokens
             WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, token_hash",
        )?;
        let mut rows = st.query(params![self.lo, self.hi])?;
        while let Some(r) = rows.next()? {
            if let Some(s) = self.owner(r.get(0)?) {
                s.ack_tokens.push(AckTokenExport {
                    hash: hash32(1, r.get(1)?)?,
                    route: r.get(2)?,
                    created_at: r.get(3)?,
                    used_at: r.get(4)?,
                    kind: super::super::rows::get(r, 5)?,
                });
            }
        }
        Ok(())
    }

    /// The follow-up key and notice address, where the submitter asked for one.
    fn follow_ups(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut st = tx.prepare(
            "SELECT submission, lookup_id, recipient, status, status_at, notify, notify_token,
                 notify_confirmed_at
             FROM follow_ups WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission",
        )?;
        let mut rows = st.query(params![self.lo, self.hi])?;
        while let Some(r) = rows.next()? {
            if let Some(s) = self.owner(r.get(0)?) {
                let status: String = r.get(3)?;
                s.follow_up = Some(FollowUpExport {
                    lookup_id: hash32(1, r.get(1)?)?,
                    recipient: r.get(2)?,
                    status: status.parse().map_err(|_| conversion(3, "status"))?,
                    status_at: r.get(4)?,
                    notify: r.get(5)?,
                    notify_token: r
                        .get::<_, Option<Vec<u8>>>(6)?
                        .map(|t| hash32(6, t))
                        .transpose()?,
                    notify_confirmed_at: r.get(7)?,
                });
            }
        }
        Ok(())
    }

    /// The follow-up thread.
    fn messages(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut st = tx.prepare(
            "SELECT submission, n, at, sender, body FROM follow_up_messages
             WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, n",
        )?;
        let mut rows = st.query(params![self.lo, self.hi])?;
        while let Some(r) = rows.next()? {
            if let Some(s) = self.owner(r.get(0)?) {
                let from: String = r.get(3)?;
                s.messages.push(StoredMessage {
                    n: r.get(1)?,
                    at: r.get(2)?,
                    from: MessageFrom::parse(&from).ok_or_else(|| conversion(3, "sender"))?,
                    sealed: r.get(4)?,
                });
            }
        }
        Ok(())
    }

    /// The officers' workflow steps.
    fn workflow(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut st = tx.prepare(
            "SELECT submission, n, at, officer, step, detail FROM workflow_steps
             WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, n",
        )?;
        let mut rows = st.query(params![self.lo, self.hi])?;
        while let Some(r) = rows.next()? {
            if let Some(s) = self.owner(r.get(0)?) {
                let kind: String = r.get(4)?;
                let detail: Option<String> = r.get(5)?;
                s.workflow.push(crate::spool::WorkflowEntry {
                    n: r.get(1)?,
                    at: r.get(2)?,
                    officer: r.get(3)?,
                    step: crate::spool::Step::from_stored(&kind, detail.as_deref())
                        .map_err(|_| conversion(4, "step"))?,
                });
            }
        }
        Ok(())
    }
}
