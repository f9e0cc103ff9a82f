//! `spool copy` to and from a PostgreSQL spool: rows read out and written in as they are (see
//! `spool::transfer`), each import in one transaction.

use super::db::{self, DbError, DbResult};
use super::PostgresSpool;
use crate::ack::AckKind;
use crate::reference::Reference;
use crate::spool::audit::Entry;
use crate::spool::transfer::{
    AckTokenExport, AttachmentExport, DeliveryExport, FollowUpExport, NonceExport, PartnerExport,
    Setting, SpoolCounts, SubmissionExport, TransferStore,
};
use crate::spool::{
    DeliveryRoute, DeliveryState, MessageFrom, SpoolFuture, StoredEnvelope, StoredMessage, View,
};
use crate::triage::Priority;
use std::collections::HashMap;

/// The write probe's setting: transient, not copied.
const PROBE: &str = "probe";

fn hash32(v: Vec<u8>) -> DbResult<[u8; 32]> {
    <[u8; 32]>::try_from(v.as_slice())
        .map_err(|_| DbError::Missing("a stored hash is not 32 bytes"))
}

fn bad(what: &'static str) -> DbError {
    DbError::Missing(what)
}

impl TransferStore for PostgresSpool {
    fn counts(&self) -> SpoolFuture<'_, SpoolCounts> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let c = pool.get().await?;
            let r = db::one(
                &c,
                "SELECT (SELECT COUNT(*) FROM submissions), (SELECT COUNT(*) FROM envelopes),
                        (SELECT COUNT(*) FROM deliveries), (SELECT COUNT(*) FROM ack_tokens),
                        (SELECT COUNT(*) FROM audit), (SELECT COUNT(*) FROM partners)",
                &[],
            )
            .await?;
            let n = |i: usize| r.get::<_, i64>(i).max(0) as u64;
            Ok(SpoolCounts {
                submissions: n(0),
                envelopes: n(1),
                deliveries: n(2),
                ack_tokens: n(3),
                audit_entries: n(4),
                partners: n(5),
            })
        })
    }

    fn export_settings(&self) -> SpoolFuture<'_, Vec<Setting>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let c = pool.get().await?;
            let rows = db::rows(
                &c,
                "SELECT name, value FROM settings WHERE name <> $1 ORDER BY name COLLATE \"C\"",
                &[&PROBE],
            )
            .await?;
            Ok(rows
                .iter()
                .map(|r| Setting {
                    name: r.get(0),
                    value: r.get(1),
                })
                .collect())
        })
    }

    fn export_partners(&self) -> SpoolFuture<'_, Vec<PartnerExport>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let c = pool.get().await?;
            let rows = db::rows(
                &c,
                "SELECT name, token_hash, created_at, revoked_at FROM partners
                 ORDER BY name COLLATE \"C\"",
                &[],
            )
            .await?;
            rows.into_iter()
                .map(|r| {
                    Ok(PartnerExport {
                        name: r.get(0),
                        token_hash: hash32(r.get(1))?,
                        created_at: r.get(2),
                        revoked_at: r.get(3),
                    })
                })
                .collect()
        })
    }

    fn export_submissions(
        &self,
        after: u64,
        limit: usize,
    ) -> SpoolFuture<'_, Vec<SubmissionExport>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut c = pool.get().await?;
            // One snapshot for the page and its rows.
            let tx = c
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let rows = db::rows(
                &tx,
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
                    reference: Reference::parse(r.get(1))
                        .ok_or(bad("a stored reference is malformed"))?,
                    legacy: r.get(2),
                    received_at: r.get(3),
                    received_unix: r.get(4),
                    form_id: r.get(5),
                    form_version: r.get::<_, i32>(6).max(0) as u32,
                    priority: Priority::parse(r.get(7))
                        .ok_or(bad("a stored priority is unknown"))?,
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
            let (Some(first), Some(last)) = (subs.first(), subs.last()) else {
                return Ok(subs);
            };
            let (lo, hi) = (first.number as i64, last.number as i64);
            let at: HashMap<i64, usize> = subs
                .iter()
                .enumerate()
                .map(|(i, s)| (s.number as i64, i))
                .collect();
            for r in db::rows(
                &tx,
                "SELECT submission, route, view, body FROM envelopes
                 WHERE submission BETWEEN $1 AND $2 ORDER BY submission, route COLLATE \"C\"",
                &[&lo, &hi],
            )
            .await?
            {
                if let Some(&i) = at.get(&r.get::<_, i64>(0)) {
                    subs[i].envelopes.push(StoredEnvelope {
                        route: r.get(1),
                        view: View::parse(r.get(2)).ok_or(bad("a stored view is unknown"))?,
                        body: r.get(3),
                    });
                }
            }
            for r in db::rows(
                &tx,
                "SELECT submission, route, n, body FROM attachments
                 WHERE submission BETWEEN $1 AND $2 ORDER BY submission, route COLLATE \"C\", n",
                &[&lo, &hi],
            )
            .await?
            {
                if let Some(&i) = at.get(&r.get::<_, i64>(0)) {
                    subs[i].attachments.push(AttachmentExport {
                        route: r.get(1),
                        n: r.get::<_, i32>(2).max(0) as u32,
                        body: r.get(3),
                    });
                }
            }
            for r in db::rows(
                &tx,
                "SELECT submission, route, mailbox, view, notice, rank, state, attempts,
                        next_attempt_at, retry_from, last_attempt_at, last_error_class,
                        delivered_at, dead_at, acknowledged_at, ack_kind
                 FROM deliveries WHERE submission BETWEEN $1 AND $2
                 ORDER BY submission, route COLLATE \"C\"",
                &[&lo, &hi],
            )
            .await?
            {
                if let Some(&i) = at.get(&r.get::<_, i64>(0)) {
                    subs[i].deliveries.push(DeliveryExport {
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
                        ack: AckKind::parse(r.get(15))
                            .ok_or(bad("a stored link kind is unknown"))?,
                    });
                }
            }
            for r in db::rows(
                &tx,
                "SELECT submission, token_hash, route, created_at, used_at, kind FROM ack_tokens
                 WHERE submission BETWEEN $1 AND $2 ORDER BY submission, token_hash",
                &[&lo, &hi],
            )
            .await?
            {
                if let Some(&i) = at.get(&r.get::<_, i64>(0)) {
                    subs[i].ack_tokens.push(AckTokenExport {
                        hash: hash32(r.get(1))?,
                        route: r.get(2),
                        created_at: r.get(3),
                        used_at: r.get(4),
                        kind: AckKind::parse(r.get(5))
                            .ok_or(bad("a stored link kind is unknown"))?,
                    });
                }
            }
            for r in db::rows(
                &tx,
                "SELECT submission, lookup_id, recipient, status, status_at, notify, notify_token,
                     notify_confirmed_at
                 FROM follow_ups WHERE submission BETWEEN $1 AND $2 ORDER BY submission",
                &[&lo, &hi],
            )
            .await?
            {
                if let Some(&i) = at.get(&r.get::<_, i64>(0)) {
                    subs[i].follow_up = Some(FollowUpExport {
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
            for r in db::rows(
                &tx,
                "SELECT submission, n, at, sender, body FROM follow_up_messages
                 WHERE submission BETWEEN $1 AND $2 ORDER BY submission, n",
                &[&lo, &hi],
            )
            .await?
            {
                if let Some(&i) = at.get(&r.get::<_, i64>(0)) {
                    subs[i].messages.push(StoredMessage {
                        n: r.get::<_, i32>(1).max(0) as u32,
                        at: r.get(2),
                        from: MessageFrom::parse(r.get(3))
                            .ok_or(bad("a stored message sender is unknown"))?,
                        sealed: r.get(4),
                    });
                }
            }
            for r in db::rows(
                &tx,
                "SELECT submission, n, at, officer, step, detail FROM workflow_steps
                 WHERE submission BETWEEN $1 AND $2 ORDER BY submission, n",
                &[&lo, &hi],
            )
            .await?
            {
                if let Some(&i) = at.get(&r.get::<_, i64>(0)) {
                    subs[i].workflow.push(crate::spool::WorkflowEntry {
                        n: r.get::<_, i32>(1).max(0) as u32,
                        at: r.get(2),
                        officer: r.get(3),
                        step: crate::spool::Step::from_stored(r.get(4), r.get(5))
                            .map_err(|_| bad("a stored workflow step is unknown"))?,
                    });
                }
            }
            tx.commit().await?;
            Ok(subs)
        })
    }

    fn export_audit(&self, after: i64, limit: usize) -> SpoolFuture<'_, Vec<Entry>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let c = pool.get().await?;
            let rows = db::rows(
                &c,
                "SELECT seq, at, event, reference, route, code, prev_hash, hash FROM audit
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &(limit as i64)],
            )
            .await?;
            Ok(rows
                .iter()
                .map(|r| Entry {
                    seq: r.get(0),
                    at: r.get(1),
                    event: r.get(2),
                    reference: r.get(3),
                    route: r.get(4),
                    code: r.get(5),
                    prev_hash: r.get(6),
                    hash: r.get(7),
                })
                .collect())
        })
    }

    fn import_settings(&self, settings: Vec<Setting>) -> SpoolFuture<'_, ()> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut c = pool.get().await?;
            let tx = c.transaction().await?;
            if db::opt(&tx, "SELECT 1 FROM submissions LIMIT 1", &[])
                .await?
                .is_some()
            {
                return Err(bad("settings are imported only into an empty spool"));
            }
            for s in settings {
                db::exec(
                    &tx,
                    "INSERT INTO settings (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    &[&s.name, &s.value],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn import_partners(&self, partners: Vec<PartnerExport>) -> SpoolFuture<'_, ()> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut c = pool.get().await?;
            let tx = c.transaction().await?;
            for p in partners {
                db::exec(
                    &tx,
                    "INSERT INTO partners (name, token_hash, created_at, revoked_at)
                     VALUES ($1, $2, $3, $4)",
                    &[&p.name, &&p.token_hash[..], &p.created_at, &p.revoked_at],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn import_submissions(&self, submissions: Vec<SubmissionExport>) -> SpoolFuture<'_, ()> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut c = pool.get().await?;
            let tx = c.transaction().await?;
            let mut highest = 0i64;
            for s in &submissions {
                let id = s.number as i64;
                highest = highest.max(id);
                let reasons = serde_json::to_string(&s.reason_codes)
                    .map_err(|_| bad("reason codes cannot be written"))?;
                db::exec(
                    &tx,
                    "INSERT INTO submissions (id, reference, legacy, received_at, received_unix,
                         form_id, form_version, priority, reason_codes, token_hash, ack_deadline,
                         next_escalation_at, escalations, acknowledged_at, acknowledged_route,
                         purged_at, purge_warned)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                             $16, $17)",
                    &[
                        &id,
                        &s.reference.as_str(),
                        &s.legacy,
                        &s.received_at,
                        &s.received_unix,
                        &s.form_id,
                        &(s.form_version as i32),
                        &s.priority.as_str(),
                        &reasons,
                        &s.token_hash.as_ref().map(|h| &h[..]),
                        &s.ack_deadline,
                        &s.next_escalation_at,
                        &(s.escalations as i32),
                        &s.acknowledged_at,
                        &s.acknowledged_route,
                        &s.purged_at,
                        &s.purge_warned,
                    ],
                )
                .await?;
                for e in &s.envelopes {
                    db::exec(
                        &tx,
                        "INSERT INTO envelopes (submission, route, view, body)
                         VALUES ($1, $2, $3, $4)",
                        &[&id, &e.route, &e.view.as_str(), &e.body],
                    )
                    .await?;
                }
                for a in &s.attachments {
                    db::exec(
                        &tx,
                        "INSERT INTO attachments (submission, route, n, body)
                         VALUES ($1, $2, $3, $4)",
                        &[&id, &a.route, &(a.n as i32), &a.body],
                    )
                    .await?;
                }
                for d in &s.deliveries {
                    db::exec(
                        &tx,
                        "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank,
                             state, attempts, next_attempt_at, retry_from, last_attempt_at,
                             last_error_class, delivered_at, dead_at, acknowledged_at, ack_kind)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                                 $15, $16)",
                        &[
                            &id,
                            &d.route.to_string(),
                            &d.mailbox,
                            &d.view.as_str(),
                            &d.notice,
                            &(d.rank as i16),
                            &d.state.as_str(),
                            &(d.attempts as i32),
                            &d.next_attempt_at,
                            &d.retry_from,
                            &d.last_attempt_at,
                            &d.last_error_class,
                            &d.delivered_at,
                            &d.dead_at,
                            &d.acknowledged_at,
                            &d.ack.as_str(),
                        ],
                    )
                    .await?;
                }
                if let Some(f) = &s.follow_up {
                    db::exec(
                        &tx,
                        "INSERT INTO follow_ups (submission, lookup_id, recipient, status,
                             status_at, notify, notify_token, notify_confirmed_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        &[
                            &id,
                            &&f.lookup_id[..],
                            &f.recipient,
                            &f.status.as_str(),
                            &f.status_at,
                            &f.notify,
                            &f.notify_token.as_ref().map(|t| &t[..]),
                            &f.notify_confirmed_at,
                        ],
                    )
                    .await?;
                }
                for m in &s.messages {
                    db::exec(
                        &tx,
                        "INSERT INTO follow_up_messages (submission, n, at, sender, body)
                         VALUES ($1, $2, $3, $4, $5)",
                        &[&id, &(m.n as i32), &m.at, &m.from.as_str(), &m.sealed],
                    )
                    .await?;
                }
                for w in &s.workflow {
                    db::exec(
                        &tx,
                        "INSERT INTO workflow_steps (submission, n, at, step, detail, officer)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[
                            &id,
                            &(w.n as i32),
                            &w.at,
                            &w.step.kind().as_str(),
                            &w.step.detail(),
                            &w.officer,
                        ],
                    )
                    .await?;
                }
                for t in &s.ack_tokens {
                    db::exec(
                        &tx,
                        "INSERT INTO ack_tokens (token_hash, submission, route, created_at,
                             used_at, kind)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[
                            &&t.hash[..],
                            &id,
                            &t.route,
                            &t.created_at,
                            &t.used_at,
                            &t.kind.as_str(),
                        ],
                    )
                    .await?;
                }
            }
            // Numbering goes on after the highest copied number, on every gateway.
            db::exec(
                &tx,
                "SELECT setval('submission_numbers',
                     GREATEST($1, (SELECT last_value FROM submission_numbers)))",
                &[&highest],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn import_audit(&self, entries: Vec<Entry>) -> SpoolFuture<'_, ()> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut c = pool.get().await?;
            let tx = c.transaction().await?;
            db::one(&tx, "SELECT seq FROM audit_head FOR UPDATE", &[]).await?;
            let mut head = None;
            for e in entries {
                db::exec(
                    &tx,
                    "INSERT INTO audit (seq, at, event, reference, route, code, prev_hash, hash)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &e.seq,
                        &e.at,
                        &e.event,
                        &e.reference,
                        &e.route,
                        &e.code,
                        &e.prev_hash,
                        &e.hash,
                    ],
                )
                .await?;
                head = Some((e.seq, e.hash));
            }
            if let Some((seq, hash)) = head {
                db::exec(
                    &tx,
                    "UPDATE audit_head SET seq = $1, hash = $2 WHERE seq < $1",
                    &[&seq, &hash],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn export_officer_nonces(&self) -> SpoolFuture<'_, Vec<NonceExport>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let c = pool.get().await?;
            let rows = db::rows(
                &c,
                "SELECT officer, nonce, used_at FROM officer_nonces
                 ORDER BY officer COLLATE \"C\", nonce",
                &[],
            )
            .await?;
            rows.into_iter()
                .map(|r| {
                    let nonce: Vec<u8> = r.get(1);
                    Ok(NonceExport {
                        officer: r.get(0),
                        nonce: <[u8; 16]>::try_from(nonce.as_slice())
                            .map_err(|_| bad("a stored nonce is not 16 bytes"))?,
                        used_at: r.get(2),
                    })
                })
                .collect()
        })
    }

    fn import_officer_nonces(&self, nonces: Vec<NonceExport>) -> SpoolFuture<'_, ()> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut c = pool.get().await?;
            let tx = c.transaction().await?;
            for n in nonces {
                db::exec(
                    &tx,
                    "INSERT INTO officer_nonces (officer, nonce, used_at) VALUES ($1, $2, $3)",
                    &[&n.officer, &&n.nonce[..], &n.used_at],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
