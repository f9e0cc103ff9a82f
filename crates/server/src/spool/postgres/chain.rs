//! The audit chain on a shared database. Each transaction gathers its events and appends them
//! last, just before it commits: it locks the one-row head, chains its entries after it and
//! moves the head. Two gateways' transactions therefore append one after the other and the
//! chain never forks, while the lock is held only for the append and the commit.

use super::db;
use crate::spool::audit::{link_hash, Entry};
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Error;

/// An event not yet chained.
#[derive(Debug, Clone)]
pub(super) struct Event {
    pub at: i64,
    pub event: &'static str,
    pub reference: Option<String>,
    pub route: Option<String>,
    pub code: Option<String>,
}

impl Event {
    pub(super) fn new(at: i64, event: &'static str, reference: Option<&str>) -> Self {
        Event {
            at,
            event,
            reference: reference.map(str::to_string),
            route: None,
            code: None,
        }
    }

    pub(super) fn route(mut self, route: &str) -> Self {
        self.route = Some(route.to_string());
        self
    }

    pub(super) fn code(mut self, code: Option<&str>) -> Self {
        self.code = code.map(str::to_string);
        self
    }
}

pub(super) async fn append(tx: &Transaction<'_>, events: &[Event]) -> Result<(), Error> {
    if events.is_empty() {
        return Ok(());
    }
    let head = db::one(tx, "SELECT seq, hash FROM audit_head FOR UPDATE", &[]).await?;
    let mut seq: i64 = head.get(0);
    let mut prev: Vec<u8> = head.get(1);
    let n = events.len();
    let (mut seqs, mut ats, mut names) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut refs, mut routes, mut codes) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut prevs, mut hashes) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for e in events {
        seq += 1;
        let hash = link_hash(
            &prev,
            seq,
            e.at,
            e.event,
            e.reference.as_deref(),
            e.route.as_deref(),
            e.code.as_deref(),
        )
        .to_vec();
        seqs.push(seq);
        ats.push(e.at);
        names.push(e.event.to_string());
        refs.push(e.reference.clone());
        routes.push(e.route.clone());
        codes.push(e.code.clone());
        prevs.push(std::mem::replace(&mut prev, hash.clone()));
        hashes.push(hash);
    }
    db::exec(
        tx,
        "INSERT INTO audit (seq, at, event, reference, route, code, prev_hash, hash)
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::bytea[], $8::bytea[])",
        &[&seqs, &ats, &names, &refs, &routes, &codes, &prevs, &hashes],
    )
    .await?;
    db::exec(
        tx,
        "UPDATE audit_head SET seq = $1, hash = $2",
        &[&seq, &prev],
    )
    .await?;
    Ok(())
}

pub(super) async fn head<C: GenericClient>(c: &C) -> Result<Option<(i64, Vec<u8>)>, Error> {
    let row = db::one(c, "SELECT seq, hash FROM audit_head", &[]).await?;
    let seq: i64 = row.get(0);
    Ok((seq > 0).then(|| (seq, row.get(1))))
}

/// Entries in sequence order. (PostgreSQL keeps no insertion order a reader could rely on;
/// the chain's hashes still catch an edit, a deletion or a truncation.)
pub(super) async fn entries<C: GenericClient>(c: &C) -> Result<Vec<Entry>, Error> {
    let rows = db::rows(
        c,
        "SELECT seq, at, event, reference, route, code, prev_hash, hash FROM audit ORDER BY seq",
        &[],
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
}
