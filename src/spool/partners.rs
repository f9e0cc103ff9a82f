//! Partner agencies' API tokens: only a SHA-256 hash of each is kept, with the agency's name.
//! Adding and revoking are audit events.

use super::audit;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// A partner agency as the spool knows it. Holds no token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Adds (or, after a revocation, re-adds) a partner with a new token. `false` when a partner
/// of that name is active: its token is never replaced silently.
pub fn add(
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
pub fn revoke(conn: &mut Connection, name: &str, now: i64) -> rusqlite::Result<bool> {
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
pub fn for_token(conn: &Connection, token_hash: &[u8; 32]) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT name FROM partners WHERE token_hash = ?1 AND revoked_at IS NULL")?
        .query_row([&token_hash[..]], |r| r.get(0))
        .optional()
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<PartnerRecord>> {
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
