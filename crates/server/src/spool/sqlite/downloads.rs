//! One-time download links for evidence files too large to email.

use super::submissions::submission_id;
use super::writer::{Control, Job};
use super::{audit, SqliteSpool};
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::{Download, DownloadStore, SpoolFuture};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Stores a link's hash, in place of any unused link to the same file: an email sent again
/// carries new links, and only its links work.
pub(super) fn add(
    conn: &mut Connection,
    cipher: &ReferenceCipher,
    hash: &[u8; 32],
    reference: &Reference,
    route: &str,
    n: u32,
    now: i64,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let id = submission_id(&tx, cipher, reference)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    tx.execute(
        "DELETE FROM download_tokens
         WHERE submission = ?1 AND route = ?2 AND n = ?3 AND used_at IS NULL AND token_hash <> ?4",
        params![id, route, n, &hash[..]],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO download_tokens (token_hash, submission, route, n, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![&hash[..], id, route, n, now],
    )?;
    tx.commit()
}

const OPEN: &str = "SELECT s.reference, t.n, t.route, a.body, s.id, a.blob FROM download_tokens t
     JOIN submissions s ON s.id = t.submission
     JOIN attachments a ON a.submission = t.submission AND a.route = t.route AND a.n = t.n
     WHERE t.token_hash = ?1 AND t.used_at IS NULL AND t.created_at >= ?2";

/// Uses the link once, with its audit event, in one transaction.
pub(super) fn take(
    conn: &mut Connection,
    hash: &[u8; 32],
    now: i64,
    issued_after: i64,
) -> rusqlite::Result<Option<Download>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Reference, file, route, the file if kept whole, its staged chunks if not.
    type Found = (String, u32, String, Vec<u8>, Option<i64>);
    let found: Option<Found> = tx
        .query_row(OPEN, params![&hash[..], issued_after], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?))
        })
        .optional()?;
    let Some((reference, n, route, body, blob)) = found else {
        return Ok(None);
    };
    let body = super::staging::read_file(&tx, body, blob)?;
    let Some(parsed) = Reference::parse(&reference) else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE download_tokens SET used_at = ?2 WHERE token_hash = ?1",
        params![&hash[..], now],
    )?;
    audit::append(
        &tx,
        now,
        "attachment_downloaded",
        Some(&reference),
        Some(&route),
        Some(&n.to_string()),
    )?;
    tx.commit()?;
    Ok(Some(Download {
        reference: parsed,
        route,
        n,
        body,
    }))
}

impl DownloadStore for SqliteSpool {
    fn download_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<(Reference, u32)>> {
        Box::pin(self.read(move |c| {
            let row: Option<(String, u32)> = c
                .prepare_cached(OPEN)?
                .query_row(params![&token_hash[..], issued_after], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            Ok(row.and_then(|(r, n)| Some((Reference::parse(&r)?, n))))
        }))
    }

    fn take_download(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Download>> {
        Box::pin(
            self.ask(move |r| Job::Other(Control::TakeDownload(token_hash, now, issued_after, r))),
        )
    }
}
