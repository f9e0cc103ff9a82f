//! The audit log: append-only and hash-chained, written in the same transaction as the change it
//! records, content-free (reference, route, time and codes only). DPA 2018 s.62 asks for a log of
//! collection, disclosure and erasure; the chain makes an edit, a deletion, a reordering or a
//! truncation detectable.

use ring::digest;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

pub const GENESIS: [u8; 32] = [0; 32];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub event: String,
    pub reference: Option<String>,
    pub route: Option<String>,
    pub code: Option<String>,
    #[serde(serialize_with = "hex")]
    pub prev_hash: Vec<u8>,
    #[serde(serialize_with = "hex")]
    pub hash: Vec<u8>,
}

fn hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_hex(bytes))
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The link hash. Fields are length-prefixed so no two different entries hash alike.
pub fn link_hash(
    prev: &[u8],
    seq: i64,
    at: i64,
    event: &str,
    reference: Option<&str>,
    route: Option<&str>,
    code: Option<&str>,
) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(prev);
    ctx.update(&seq.to_be_bytes());
    ctx.update(&at.to_be_bytes());
    for part in [Some(event), reference, route, code] {
        match part {
            Some(p) => {
                ctx.update(&[1]);
                ctx.update(&(p.len() as u64).to_be_bytes());
                ctx.update(p.as_bytes());
            }
            None => ctx.update(&[0]),
        }
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Appends one event inside the caller's transaction.
pub fn append(
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

pub fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, Vec<u8>)>> {
    conn.query_row(
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Entries in storage order (rowid), which is what a tamperer can reorder.
pub fn entries(conn: &Connection) -> rusqlite::Result<Vec<Entry>> {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// An entry's content no longer matches its hash.
    Edited { seq: i64 },
    /// Entries are missing before this one (a gap in the sequence).
    Deleted { after: i64, next: i64 },
    /// An entry is out of order or does not follow from the one before.
    Reordered { seq: i64 },
    /// The log ends before the head recorded elsewhere (in the service log).
    Truncated { last: i64, expected: i64 },
    /// The log reaches the recorded head's sequence, but with another hash there.
    HeadMismatch { seq: i64 },
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Edited { seq } => write!(
                f,
                "entry {seq} was edited: its content does not match its hash"
            ),
            Broken::Deleted { after, next } => {
                write!(f, "entries between {after} and {next} were deleted")
            }
            Broken::Reordered { seq } => write!(
                f,
                "entry {seq} is out of order or does not follow from the entry before it"
            ),
            Broken::Truncated { last, expected } => write!(
                f,
                "the log ends at entry {last} but the recorded head is entry {expected}: truncated"
            ),
            Broken::HeadMismatch { seq } => {
                write!(f, "entry {seq} does not match the recorded head: rewritten")
            }
        }
    }
}

/// Walks the chain and reports the first broken link. `expected_head` is a (seq, hash) noted
/// from the service log, to detect a truncated tail.
pub fn verify(entries: &[Entry], expected_head: Option<(i64, &[u8])>) -> Result<usize, Broken> {
    let mut prev_seq = 0i64;
    let mut prev_hash = GENESIS.to_vec();
    for (i, e) in entries.iter().enumerate() {
        if e.seq <= prev_seq {
            return Err(Broken::Reordered { seq: e.seq });
        }
        let at_seq = |seq: i64| {
            link_hash(
                &e.prev_hash,
                seq,
                e.at,
                &e.event,
                e.reference.as_deref(),
                e.route.as_deref(),
                e.code.as_deref(),
            )
        };
        if at_seq(e.seq)[..] != e.hash[..] {
            // An intact entry that belongs at another position was moved, not edited.
            let moved = entries
                .iter()
                .any(|other| other.seq != e.seq && at_seq(other.seq)[..] == e.hash[..]);
            return Err(if moved {
                Broken::Reordered { seq: e.seq }
            } else {
                Broken::Edited { seq: e.seq }
            });
        }
        if e.seq != prev_seq + 1 {
            // The missing entry further on means the order was changed, not that it was lost.
            if entries[i + 1..]
                .iter()
                .any(|later| later.seq == prev_seq + 1)
            {
                return Err(Broken::Reordered { seq: e.seq });
            }
            return Err(Broken::Deleted {
                after: prev_seq,
                next: e.seq,
            });
        }
        if e.prev_hash != prev_hash {
            return Err(Broken::Reordered { seq: e.seq });
        }
        prev_seq = e.seq;
        prev_hash = e.hash.clone();
    }
    if let Some((seq, hash)) = expected_head {
        match entries.iter().find(|e| e.seq == seq) {
            None if prev_seq < seq => {
                return Err(Broken::Truncated {
                    last: prev_seq,
                    expected: seq,
                })
            }
            Some(e) if e.hash != hash => return Err(Broken::HeadMismatch { seq }),
            _ => {}
        }
    }
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

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
