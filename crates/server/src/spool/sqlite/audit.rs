//! The audit log's rows in SQLite: appended inside the transaction of the change they record.

use super::SqliteSpool;
use crate::spool::audit::{link_hash, Entry, GENESIS};
use crate::spool::{AuditStore, SpoolError, SpoolFuture};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Appends one event inside the caller's transaction.
pub(super) fn append(
    conn: &Connection,
    at: i64,
    event: &str,
    reference: Option<&str>,
    route: Option<&str>,
    code: Option<&str>,
) -> rusqlite::Result<()> {
    let head: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_vec()),
    };
    let hash = link_hash(&prev, seq, at, event, reference, route, code);
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, event, reference, route, code, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![seq, at, event, reference, route, code, prev, &hash[..]])?;
    Ok(())
}

pub(super) fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, Vec<u8>)>> {
    conn.query_row(
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Entries in storage order (rowid), which is what a tamperer can reorder.
pub(super) fn entries(conn: &Connection) -> rusqlite::Result<Vec<Entry>> {
    let mut st = conn.prepare(
        "SELECT seq, at, event, reference, route, code, prev_hash, hash FROM audit ORDER BY rowid",
    )?;
    let rows = st.query_map([], |r| {
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
    })?;
    rows.collect()
}

impl AuditStore for SqliteSpool {
    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>> {
        Box::pin(self.read(head))
    }

    fn audit_entries(&self) -> SpoolFuture<'_, Vec<Entry>> {
        Box::pin(self.read(entries))
    }
}

/// The audit log of an existing spool, opened read-only (for `audit verify` and `export`).
pub struct AuditReader {
    conn: Arc<Mutex<Connection>>,
}

impl AuditReader {
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        Ok(AuditReader {
            conn: Arc::new(Mutex::new(super::connection::open_read_only(dir)?)),
        })
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, SpoolError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A poisoned lock only means another reader panicked; the connection is still sound.
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn).map_err(super::unavailable)
        })
        .await
        .map_err(|_| SpoolError::Stopped)?
    }
}

impl AuditStore for AuditReader {
    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>> {
        Box::pin(self.read(head))
    }

    fn audit_entries(&self) -> SpoolFuture<'_, Vec<Entry>> {
        Box::pin(self.read(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::audit::{from_hex, to_hex, verify, Broken};

    fn log(n: i64) -> (Connection, Vec<Entry>) {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, event TEXT NOT NULL, reference TEXT, route TEXT, code TEXT, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)",
        )
        .expect("table");
        for i in 0..n {
            append(
                &conn,
                1000 + i,
                "delivered",
                Some("PIS-ABCD-EFGH"),
                Some("police_intelligence"),
                None,
            )
            .expect("append");
        }
        let e = entries(&conn).expect("entries");
        (conn, e)
    }

    #[test]
    fn an_intact_chain_verifies_against_its_head() {
        let (conn, e) = log(5);
        let (seq, hash) = head(&conn).expect("head").expect("some");
        assert_eq!(verify(&e, Some((seq, &hash))), Ok(5));
    }

    #[test]
    fn each_kind_of_tampering_is_caught() {
        let (_, e) = log(6);
        let mut edited = e.clone();
        edited[2].route = Some("control_room".into());
        assert_eq!(verify(&edited, None), Err(Broken::Edited { seq: 3 }));

        let mut deleted = e.clone();
        deleted.remove(3);
        assert_eq!(
            verify(&deleted, None),
            Err(Broken::Deleted { after: 3, next: 5 })
        );

        let mut reordered = e.clone();
        reordered.swap(1, 2);
        assert_eq!(verify(&reordered, None), Err(Broken::Reordered { seq: 3 }));

        // Entries swapped in place, each keeping the other's sequence number.
        let mut swapped = e.clone();
        let (s1, s2) = (swapped[1].seq, swapped[2].seq);
        swapped.swap(1, 2);
        swapped[1].seq = s1;
        swapped[2].seq = s2;
        assert_eq!(verify(&swapped, None), Err(Broken::Reordered { seq: 2 }));

        let truncated = e[..4].to_vec();
        assert_eq!(
            verify(&truncated, None),
            Ok(4),
            "truncation alone needs a recorded head"
        );
        assert_eq!(
            verify(&truncated, Some((6, &e[5].hash))),
            Err(Broken::Truncated {
                last: 4,
                expected: 6
            })
        );

        // A rewritten tail: a new valid chain from entry 4 on, with different content.
        let mut rewritten = e[..3].to_vec();
        let mut prev = rewritten[2].hash.clone();
        for seq in 4..=6 {
            let hash = link_hash(&prev, seq, 5, "purged", None, None, None);
            rewritten.push(Entry {
                seq,
                at: 5,
                event: "purged".into(),
                reference: None,
                route: None,
                code: None,
                prev_hash: prev.clone(),
                hash: hash.to_vec(),
            });
            prev = hash.to_vec();
        }
        assert_eq!(verify(&rewritten, None), Ok(6));
        assert_eq!(
            verify(&rewritten, Some((6, &e[5].hash))),
            Err(Broken::HeadMismatch { seq: 6 })
        );
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(
            from_hex(&to_hex(&[0, 1, 254, 255])),
            Some(vec![0, 1, 254, 255])
        );
        assert_eq!(from_hex("0g"), None);
    }
}
