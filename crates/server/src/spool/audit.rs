//! The audit log: append-only and hash-chained, written in the same transaction as the change it
//! records, content-free (reference, route, time and codes only). DPA 2018 s.62 asks for a log of
//! collection, disclosure and erasure; the chain makes an edit, a deletion, a reordering or a
//! truncation detectable.

use ring::digest;
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
