//! The spool's own settings: server secrets (the reference key, the form-token key), the write
//! probe, and partner agencies' API tokens (only a SHA-256 hash of each is kept, with the
//! agency's name; adding and revoking are audit events).

use super::writer::{Control, Job};
use super::{audit, SqliteSpool};
use crate::spool::secrets::{SpoolSecrets, Stored};
use crate::spool::{PartnerRecord, PartnerStore, SettingsStore, SpoolFuture};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// What a probe writes: about what one report with all its rows takes in the spool, so that
/// a nearly full disk, where SQLite can still reuse a page or two of its WAL, does not pass for
/// one that takes reports.
const PROBE_BYTES: usize = 64 * 1024;

pub(super) fn probe(conn: &mut Connection) -> rusqlite::Result<()> {
    use rand::RngCore;
    // Random bytes, so that every probe really changes every page it writes.
    let mut value = vec![0u8; PROBE_BYTES];
    rand::thread_rng().fill_bytes(&mut value);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO settings (name, value) VALUES ('probe', ?1)
         ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        [value],
    )?;
    tx.commit()
}

/// A secret of the spool's, made on first use and kept sealed (see
/// [`crate::spool::secrets`]); one kept in clear by an older gateway is sealed now.
pub(super) fn secret(
    conn: &mut Connection,
    secrets: &SpoolSecrets,
    name: &str,
    len: usize,
) -> rusqlite::Result<Vec<u8>> {
    let key = format!("secret:{name}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<Vec<u8>> = tx
        .query_row("SELECT value FROM settings WHERE name = ?1", [&key], |r| {
            r.get(0)
        })
        .optional()?;
    let opened = match existing {
        None => None,
        Some(stored) => Some(secrets.open(name, &stored).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
        })?),
    };
    let value = match opened {
        Some(Stored::Sealed(v)) if v.len() == len => v.to_vec(),
        Some(Stored::Clear(v)) if v.len() == len => {
            store(&tx, &key, &secrets.seal(name, &v))?;
            v
        }
        _ => {
            use rand::RngCore;
            let mut v = vec![0u8; len];
            rand::rngs::OsRng.fill_bytes(&mut v);
            store(&tx, &key, &secrets.seal(name, &v))?;
            v
        }
    };
    tx.commit()?;
    Ok(value)
}

fn store(tx: &Connection, key: &str, sealed: &[u8]) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO settings (name, value) VALUES (?1, ?2)
         ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        params![key, sealed],
    )?;
    Ok(())
}

/// Adds (or, after a revocation, re-adds) a partner with a new token. `false` when a partner
/// of that name is active: its token is never replaced silently.
pub(super) fn add_partner(
    conn: &mut Connection,
    name: &str,
    token_hash: &[u8; 32],
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let active = tx
        .prepare("SELECT 1 FROM partners WHERE name = ?1 AND revoked_at IS NULL")?
        .exists([name])?;
    if active {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO partners (name, token_hash, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET token_hash = ?2, created_at = ?3, revoked_at = NULL",
        params![name, &token_hash[..], now],
    )?;
    audit::append(&tx, now, "partner_added", None, None, Some(name))?;
    tx.commit()?;
    Ok(true)
}

/// Revokes a partner's token at once. `false` when there is no active partner of that name.
pub(super) fn revoke_partner(
    conn: &mut Connection,
    name: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let n = tx.execute(
        "UPDATE partners SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name, now],
    )?;
    if n > 0 {
        audit::append(&tx, now, "partner_revoked", None, None, Some(name))?;
    }
    tx.commit()?;
    Ok(n > 0)
}

/// The active partner a token belongs to.
pub(super) fn partner_for_token(
    conn: &Connection,
    token_hash: &[u8; 32],
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT name FROM partners WHERE token_hash = ?1 AND revoked_at IS NULL")?
        .query_row([&token_hash[..]], |r| r.get(0))
        .optional()
}

pub(super) fn list_partners(conn: &Connection) -> rusqlite::Result<Vec<PartnerRecord>> {
    conn.prepare("SELECT name, created_at, revoked_at FROM partners ORDER BY name")?
        .query_map([], |r| {
            Ok(PartnerRecord {
                name: r.get(0)?,
                created_at: r.get(1)?,
                revoked_at: r.get(2)?,
            })
        })?
        .collect()
}

impl SettingsStore for SqliteSpool {
    fn secret(&self, name: &str, len: usize) -> SpoolFuture<'_, Vec<u8>> {
        let name = name.to_string();
        Box::pin(self.ask(move |r| Job::Other(Control::Secret(name, len, r))))
    }
}

impl PartnerStore for SqliteSpool {
    fn partner_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<String>> {
        Box::pin(self.read(move |c| partner_for_token(c, &token_hash)))
    }

    fn add_partner(&self, name: &str, token_hash: [u8; 32], now: i64) -> SpoolFuture<'_, bool> {
        let name = name.to_string();
        Box::pin(self.ask(move |r| Job::Other(Control::AddPartner(name, token_hash, now, r))))
    }

    fn revoke_partner(&self, name: &str, now: i64) -> SpoolFuture<'_, bool> {
        let name = name.to_string();
        Box::pin(self.ask(move |r| Job::Other(Control::RevokePartner(name, now, r))))
    }

    fn partners(&self) -> SpoolFuture<'_, Vec<PartnerRecord>> {
        Box::pin(self.read(list_partners))
    }
}
