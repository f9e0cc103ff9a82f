//! `spool copy` to and from a PostgreSQL spool: rows read out and written in as they are (see
//! `spool::transfer`), each import in one transaction.

use super::db::{self, DbError, DbResult};
use super::PostgresSpool;
use crate::spool::audit::Entry;
use crate::spool::transfer::{
    NonceExport, PartnerExport, Setting, SpoolCounts, SubmissionExport, TransferStore,
};
use crate::spool::SpoolFuture;

mod export_rows;
mod import_rows;

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
            let subs = export_rows::page(&tx, after, limit).await?;
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
                highest = highest.max(s.number as i64);
                import_rows::write(&tx, s).await?;
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
