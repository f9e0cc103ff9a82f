//! Reading the whole spool out and writing one into an empty spool (`spool copy`): rows exactly
//! as stored, so nothing is re-sealed, re-numbered or re-chained.

use super::rows::hash32;
use super::writer::{Control, Job};
use super::{Numbering, SqliteSpool};
use crate::spool::audit::Entry;
use crate::spool::transfer::{
    AckTokenExport, AttachmentExport, DeliveryExport, FollowUpExport, NonceExport, PartnerExport,
    Setting, SpoolCounts, SubmissionExport,
};
use crate::spool::{MessageFrom, SpoolFuture, StoredEnvelope, StoredMessage, TransferStore};
use rusqlite::{params, Connection, TransactionBehavior};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

/// One import, each written in one transaction by the writer.
pub(super) enum Import {
    Settings(Vec<Setting>),
    Partners(Vec<PartnerExport>),
    Submissions(Vec<SubmissionExport>),
    Audit(Vec<Entry>),
    Nonces(Vec<NonceExport>),
}

fn conversion(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        col,
        rusqlite::types::Type::Text,
        format!("unexpected {what}").into(),
    )
}

/// The write probe's setting: transient, not copied.
const PROBE: &str = "probe";

fn counts(c: &Connection) -> rusqlite::Result<SpoolCounts> {
    c.query_row(
        "SELECT (SELECT COUNT(*) FROM submissions), (SELECT COUNT(*) FROM envelopes),
                (SELECT COUNT(*) FROM deliveries), (SELECT COUNT(*) FROM ack_tokens),
                (SELECT COUNT(*) FROM audit), (SELECT COUNT(*) FROM partners)",
        [],
        |r| {
            Ok(SpoolCounts {
                submissions: r.get(0)?,
                envelopes: r.get(1)?,
                deliveries: r.get(2)?,
                ack_tokens: r.get(3)?,
                audit_entries: r.get(4)?,
                partners: r.get(5)?,
            })
        },
    )
}

fn export_submissions(
    c: &Connection,
    after: u64,
    limit: usize,
) -> rusqlite::Result<Vec<SubmissionExport>> {
    // One read transaction: the page and its rows from the same snapshot.
    let tx = c.unchecked_transaction()?;
    let mut subs: Vec<SubmissionExport> = tx
        .prepare(
            "SELECT id, reference, legacy, received_at, received_unix, form_id, form_version,
                    priority, reason_codes, token_hash, ack_deadline, next_escalation_at,
                    escalations, acknowledged_at, acknowledged_route, purged_at, purge_warned
             FROM submissions WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map(params![after as i64, limit as i64], |r| {
            let reasons: String = r.get(8)?;
            Ok(SubmissionExport {
                number: r.get::<_, i64>(0)? as u64,
                reference: super::rows::get(r, 1)?,
                legacy: r.get::<_, i64>(2)? != 0,
                received_at: r.get(3)?,
                received_unix: r.get(4)?,
                form_id: r.get(5)?,
                form_version: r.get(6)?,
                priority: super::rows::get(r, 7)?,
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
        .collect::<rusqlite::Result<_>>()?;
    let (Some(first), Some(last)) = (subs.first(), subs.last()) else {
        return Ok(subs);
    };
    let range = params![first.number as i64, last.number as i64];
    let at: HashMap<i64, usize> = subs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.number as i64, i))
        .collect();
    let mut st = tx.prepare(
        "SELECT submission, route, view, body FROM envelopes
         WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, route",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = at.get(&r.get(0)?) {
            subs[i].envelopes.push(StoredEnvelope {
                route: r.get(1)?,
                view: r.get(2)?,
                body: r.get(3)?,
            });
        }
    }
    let mut st = tx.prepare(
        "SELECT submission, route, n, body, blob FROM attachments
         WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, route, n",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = at.get(&r.get(0)?) {
            subs[i].attachments.push(AttachmentExport {
                route: r.get(1)?,
                n: r.get(2)?,
                body: super::staging::read_file(&tx, r.get(3)?, r.get(4)?)?,
            });
        }
    }
    let mut st = tx.prepare(
        "SELECT submission, route, mailbox, view, notice, rank, state, attempts, next_attempt_at,
                retry_from, last_attempt_at, last_error_class, delivered_at, dead_at,
                acknowledged_at, ack_kind
         FROM deliveries WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, route",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = at.get(&r.get(0)?) {
            subs[i].deliveries.push(DeliveryExport {
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
                ack: super::rows::get(r, 15)?,
            });
        }
    }
    let mut st = tx.prepare(
        "SELECT submission, token_hash, route, created_at, used_at, kind FROM ack_tokens
         WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, token_hash",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = at.get(&r.get(0)?) {
            subs[i].ack_tokens.push(AckTokenExport {
                hash: hash32(1, r.get(1)?)?,
                route: r.get(2)?,
                created_at: r.get(3)?,
                used_at: r.get(4)?,
                kind: super::rows::get(r, 5)?,
            });
        }
    }
    let mut st = tx.prepare(
        "SELECT submission, lookup_id, recipient, status, status_at, notify, notify_token,
             notify_confirmed_at
         FROM follow_ups WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = at.get(&r.get(0)?) {
            let status: String = r.get(3)?;
            subs[i].follow_up = Some(FollowUpExport {
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
    let mut st = tx.prepare(
        "SELECT submission, n, at, sender, body FROM follow_up_messages
         WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, n",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = at.get(&r.get(0)?) {
            let from: String = r.get(3)?;
            subs[i].messages.push(StoredMessage {
                n: r.get(1)?,
                at: r.get(2)?,
                from: MessageFrom::parse(&from).ok_or_else(|| conversion(3, "sender"))?,
                sealed: r.get(4)?,
            });
        }
    }
    let mut st = tx.prepare(
        "SELECT submission, n, at, officer, step, detail FROM workflow_steps
         WHERE submission BETWEEN ?1 AND ?2 ORDER BY submission, n",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = at.get(&r.get(0)?) {
            let kind: String = r.get(4)?;
            let detail: Option<String> = r.get(5)?;
            subs[i].workflow.push(crate::spool::WorkflowEntry {
                n: r.get(1)?,
                at: r.get(2)?,
                officer: r.get(3)?,
                step: crate::spool::Step::from_stored(&kind, detail.as_deref())
                    .map_err(|_| conversion(4, "step"))?,
            });
        }
    }
    Ok(subs)
}

fn export_nonces(c: &Connection) -> rusqlite::Result<Vec<NonceExport>> {
    c.prepare("SELECT officer, nonce, used_at FROM officer_nonces ORDER BY officer, nonce")?
        .query_map([], |r| {
            let nonce: Vec<u8> = r.get(1)?;
            Ok(NonceExport {
                officer: r.get(0)?,
                nonce: nonce
                    .as_slice()
                    .try_into()
                    .map_err(|_| conversion(1, "nonce length"))?,
                used_at: r.get(2)?,
            })
        })?
        .collect()
}

fn export_audit(c: &Connection, after: i64, limit: usize) -> rusqlite::Result<Vec<Entry>> {
    c.prepare(
        "SELECT seq, at, event, reference, route, code, prev_hash, hash FROM audit
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?
    .query_map(params![after, limit as i64], |r| {
        Ok(Entry {
            seq: r.get(0)?,
            at: r.get(1)?,
            event: r.get(2)?,
            reference: r.get(3)?,
            route: r.get(4)?,
            code: r.get(5)?,
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
        })
    })?
    .collect()
}

/// Writes one import in one transaction.
pub(super) fn import(
    conn: &mut Connection,
    numbering: &Numbering,
    job: Import,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    match job {
        Import::Settings(settings) => {
            let live = tx.prepare("SELECT 1 FROM submissions")?.exists([])?;
            if live {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                    Some("settings are imported only into an empty spool".into()),
                ));
            }
            for s in settings {
                tx.execute(
                    "INSERT INTO settings (name, value) VALUES (?1, ?2)
                     ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    params![s.name, s.value],
                )?;
            }
        }
        Import::Partners(partners) => {
            for p in partners {
                tx.execute(
                    "INSERT INTO partners (name, token_hash, created_at, revoked_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![p.name, &p.token_hash[..], p.created_at, p.revoked_at],
                )?;
            }
        }
        Import::Submissions(subs) => {
            let mut highest = 0;
            for s in subs {
                let id = s.number as i64;
                highest = highest.max(s.number);
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
                    .execute(params![
                        id,
                        m.n,
                        m.at,
                        m.from.as_str(),
                        m.sealed
                    ])?;
                }
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
            }
            tx.commit()?;
            numbering.next.fetch_max(highest + 1, Ordering::Relaxed);
            return Ok(());
        }
        Import::Nonces(nonces) => {
            for n in nonces {
                tx.execute(
                    "INSERT INTO officer_nonces (officer, nonce, used_at) VALUES (?1, ?2, ?3)",
                    params![n.officer, &n.nonce[..], n.used_at],
                )?;
            }
        }
        Import::Audit(entries) => {
            for e in entries {
                tx.prepare_cached(
                    "INSERT INTO audit (seq, at, event, reference, route, code, prev_hash, hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    e.seq,
                    e.at,
                    e.event,
                    e.reference,
                    e.route,
                    e.code,
                    e.prev_hash,
                    e.hash
                ])?;
            }
        }
    }
    tx.commit()
}

impl TransferStore for SqliteSpool {
    fn counts(&self) -> SpoolFuture<'_, SpoolCounts> {
        Box::pin(self.read(counts))
    }

    fn export_settings(&self) -> SpoolFuture<'_, Vec<Setting>> {
        Box::pin(self.read(|c| {
            c.prepare("SELECT name, value FROM settings WHERE name != ?1 ORDER BY name")?
                .query_map([PROBE], |r| {
                    Ok(Setting {
                        name: r.get(0)?,
                        value: r.get(1)?,
                    })
                })?
                .collect()
        }))
    }

    fn export_partners(&self) -> SpoolFuture<'_, Vec<PartnerExport>> {
        Box::pin(self.read(|c| {
            c.prepare(
                "SELECT name, token_hash, created_at, revoked_at FROM partners ORDER BY name",
            )?
            .query_map([], |r| {
                Ok(PartnerExport {
                    name: r.get(0)?,
                    token_hash: hash32(1, r.get(1)?)?,
                    created_at: r.get(2)?,
                    revoked_at: r.get(3)?,
                })
            })?
            .collect()
        }))
    }

    fn export_submissions(
        &self,
        after: u64,
        limit: usize,
    ) -> SpoolFuture<'_, Vec<SubmissionExport>> {
        Box::pin(self.read(move |c| export_submissions(c, after, limit)))
    }

    fn export_audit(&self, after: i64, limit: usize) -> SpoolFuture<'_, Vec<Entry>> {
        Box::pin(self.read(move |c| export_audit(c, after, limit)))
    }

    fn import_settings(&self, settings: Vec<Setting>) -> SpoolFuture<'_, ()> {
        Box::pin(self.ask(move |r| Job::Other(Control::Import(Import::Settings(settings), r))))
    }

    fn import_partners(&self, partners: Vec<PartnerExport>) -> SpoolFuture<'_, ()> {
        Box::pin(self.ask(move |r| Job::Other(Control::Import(Import::Partners(partners), r))))
    }

    fn import_submissions(&self, submissions: Vec<SubmissionExport>) -> SpoolFuture<'_, ()> {
        Box::pin(
            self.ask(move |r| Job::Other(Control::Import(Import::Submissions(submissions), r))),
        )
    }

    fn import_audit(&self, entries: Vec<Entry>) -> SpoolFuture<'_, ()> {
        Box::pin(self.ask(move |r| Job::Other(Control::Import(Import::Audit(entries), r))))
    }

    fn export_officer_nonces(&self) -> SpoolFuture<'_, Vec<NonceExport>> {
        Box::pin(self.read(export_nonces))
    }

    fn import_officer_nonces(&self, nonces: Vec<NonceExport>) -> SpoolFuture<'_, ()> {
        Box::pin(self.ask(move |r| Job::Other(Control::Import(Import::Nonces(nonces), r))))
    }
}
