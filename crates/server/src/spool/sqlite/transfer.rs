//! Reading the whole spool out and writing one into an empty spool (`spool copy`): rows exactly
//! as stored, so nothing is re-sealed, re-numbered or re-chained.

use super::rows::hash32;
use super::writer::{Control, Job};
use super::{Numbering, SqliteSpool};
use crate::spool::audit::Entry;
use crate::spool::transfer::{NonceExport, PartnerExport, Setting, SpoolCounts, SubmissionExport};
use crate::spool::{SpoolFuture, TransferStore};
use rusqlite::{params, Connection, TransactionBehavior};
use std::sync::atomic::Ordering;

mod export_rows;
mod import_rows;

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
            for s in &subs {
                highest = highest.max(s.number);
                import_rows::write(&tx, s)?;
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
        Box::pin(self.read(move |c| export_rows::page(c, after, limit)))
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
