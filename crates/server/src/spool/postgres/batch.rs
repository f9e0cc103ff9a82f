//! A batch of submissions written with a few statements, whatever its size: each table's rows
//! go in as arrays (`UNNEST`), so a batch of 64 costs the database round trips of one. The
//! caller holds the transaction and appends the audit events it returns.

use super::chain::Event;
use super::commit::{rank, Job};
use super::db;
use crate::reference::Reference;
use crate::spool::{CommitOutcome, NewSubmission, View, CONFIRM_ROUTE};
use deadpool_postgres::Transaction;
use std::collections::{HashMap, HashSet};
use tokio_postgres::Error;

/// What each submission of the batch came to (in the batch's order), and the audit events of
/// those written, in the order the one-by-one path gives them.
pub(super) struct Written {
    pub outcomes: Vec<CommitOutcome>,
    pub events: Vec<Event>,
}

/// Writes every submission of `batch` that is neither a form sent before nor under a taken
/// reference. A statement that fails (another gateway committed the same form token a moment
/// ago, say) fails the whole batch: the caller then goes one by one.
pub(super) async fn write(tx: &Transaction<'_>, batch: &[Job]) -> Result<Written, Error> {
    let known = Known::read(tx, batch).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut fresh: Vec<&NewSubmission> = Vec::with_capacity(batch.len());
    // A form token sent twice within one batch: the second gets the first's reference.
    let mut tokens: HashMap<[u8; 32], Reference> = HashMap::new();
    for (s, _) in batch {
        let earlier = s
            .token_hash
            .and_then(|h| known.tokens.get(&h).or_else(|| tokens.get(&h)).cloned());
        if let Some(r) = earlier {
            outcomes.push(CommitOutcome::Duplicate(r));
        } else if known.ids.contains(&(s.number as i64))
            || known.legacy.contains(s.reference.as_str())
        {
            outcomes.push(CommitOutcome::ReferenceTaken);
        } else {
            if let Some(h) = s.token_hash {
                tokens.insert(h, s.reference.clone());
            }
            outcomes.push(CommitOutcome::Committed(s.reference.clone()));
            fresh.push(s);
        }
    }
    let mut events = Vec::new();
    if !fresh.is_empty() {
        submissions(tx, &fresh).await?;
        envelopes(tx, &fresh).await?;
        deliveries(tx, &fresh).await?;
        follow_ups(tx, &fresh).await?;
        for s in &fresh {
            events.extend(events_of(s));
        }
    }
    Ok(Written { outcomes, events })
}

/// What the database already holds that the batch's submissions could clash with.
struct Known {
    tokens: HashMap<[u8; 32], Reference>,
    ids: HashSet<i64>,
    legacy: HashSet<String>,
}

impl Known {
    async fn read(tx: &Transaction<'_>, batch: &[Job]) -> Result<Self, Error> {
        let hashes: Vec<&[u8]> = batch
            .iter()
            .filter_map(|(s, _)| s.token_hash.as_ref().map(|h| &h[..]))
            .collect();
        let ids: Vec<i64> = batch.iter().map(|(s, _)| s.number as i64).collect();
        let refs: Vec<&str> = batch.iter().map(|(s, _)| s.reference.as_str()).collect();
        let rows = db::rows(
            tx,
            "SELECT id, reference, legacy, token_hash FROM submissions
             WHERE token_hash = ANY($1::bytea[]) OR id = ANY($2::bigint[])
                OR (legacy AND reference = ANY($3::text[]))",
            &[&hashes, &ids, &refs],
        )
        .await?;
        let mut known = Known {
            tokens: HashMap::new(),
            ids: HashSet::new(),
            legacy: HashSet::new(),
        };
        for row in rows {
            let reference: String = row.get(1);
            if let Some(h) = row.get::<_, Option<Vec<u8>>>(3) {
                if let (Ok(h), Some(r)) = (<[u8; 32]>::try_from(h), Reference::parse(&reference)) {
                    known.tokens.insert(h, r);
                }
            }
            known.ids.insert(row.get(0));
            if row.get::<_, bool>(2) {
                known.legacy.insert(reference);
            }
        }
        Ok(known)
    }
}

async fn submissions(tx: &Transaction<'_>, fresh: &[&NewSubmission]) -> Result<(), Error> {
    let ids: Vec<i64> = fresh.iter().map(|s| s.number as i64).collect();
    let refs: Vec<&str> = fresh.iter().map(|s| s.reference.as_str()).collect();
    let at: Vec<&str> = fresh.iter().map(|s| s.received_at.as_str()).collect();
    let forms: Vec<&str> = fresh.iter().map(|s| s.form_id.as_str()).collect();
    let versions: Vec<i32> = fresh.iter().map(|s| s.form_version as i32).collect();
    let priorities: Vec<&str> = fresh.iter().map(|s| s.priority.as_str()).collect();
    let reasons: Vec<String> = fresh
        .iter()
        .map(|s| serde_json::to_string(&s.reason_codes).unwrap_or_else(|_| "[]".into()))
        .collect();
    let tokens: Vec<Option<&[u8]>> = fresh
        .iter()
        .map(|s| s.token_hash.as_ref().map(|h| &h[..]))
        .collect();
    let unix: Vec<i64> = fresh.iter().map(|s| s.received_unix).collect();
    let deadlines: Vec<Option<i64>> = fresh.iter().map(|s| s.ack_deadline).collect();
    db::exec(
        tx,
        "INSERT INTO submissions (id, reference, received_at, form_id, form_version, priority,
                                  reason_codes, token_hash, received_unix, ack_deadline,
                                  next_escalation_at)
         SELECT i, r, a, f, v, p, c, t, u, d, d
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::integer[],
                     $6::text[], $7::text[], $8::bytea[], $9::bigint[], $10::bigint[])
              AS x(i, r, a, f, v, p, c, t, u, d)",
        &[
            &ids,
            &refs,
            &at,
            &forms,
            &versions,
            &priorities,
            &reasons,
            &tokens,
            &unix,
            &deadlines,
        ],
    )
    .await?;
    Ok(())
}

/// The sealed envelopes and their evidence files.
async fn envelopes(tx: &Transaction<'_>, fresh: &[&NewSubmission]) -> Result<(), Error> {
    let (mut ids, mut routes, mut views, mut bodies) = (vec![], vec![], vec![], vec![]);
    let (mut file_ids, mut file_routes, mut ns, mut files) = (vec![], vec![], vec![], vec![]);
    for s in fresh {
        for e in &s.envelopes {
            if let Some(body) = &e.body {
                ids.push(s.number as i64);
                routes.push(e.route.as_str());
                views.push(e.view.as_str());
                bodies.push(body.as_slice());
            }
            for (i, file) in e.attachments.iter().enumerate() {
                file_ids.push(s.number as i64);
                file_routes.push(e.route.as_str());
                ns.push((i + 1) as i32);
                files.push(file.as_slice());
            }
        }
    }
    if !ids.is_empty() {
        db::exec(
            tx,
            "INSERT INTO envelopes (submission, route, view, body)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bytea[])",
            &[&ids, &routes, &views, &bodies],
        )
        .await?;
    }
    if !file_ids.is_empty() {
        db::exec(
            tx,
            "INSERT INTO attachments (submission, route, n, body)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::integer[], $4::bytea[])",
            &[&file_ids, &file_routes, &ns, &files],
        )
        .await?;
    }
    Ok(())
}

/// One pending delivery per route, and for a professional who asked for notices, the email
/// that asks them to confirm their address.
async fn deliveries(tx: &Transaction<'_>, fresh: &[&NewSubmission]) -> Result<(), Error> {
    let mut ids = vec![];
    let (mut routes, mut mailboxes, mut views): (Vec<&str>, Vec<&str>, Vec<&str>) =
        (vec![], vec![], vec![]);
    let (mut notices, mut ranks, mut due, mut acks): (Vec<Option<&str>>, Vec<i16>, Vec<i64>, _) =
        (vec![], vec![], vec![], Vec::<&str>::new());
    for s in fresh {
        for e in &s.envelopes {
            ids.push(s.number as i64);
            routes.push(e.route.as_str());
            mailboxes.push(e.mailbox.as_str());
            views.push(e.view.as_str());
            notices.push(e.notice.as_deref());
            ranks.push(rank(s.priority));
            due.push(s.received_unix);
            acks.push(e.ack.as_str());
        }
        if let (Some(_), Some(n)) = (&s.follow_up, &s.follow_up_notice) {
            ids.push(s.number as i64);
            routes.push(CONFIRM_ROUTE);
            mailboxes.push(n.confirm_mailbox.as_str());
            views.push(View::FollowUpConfirm.as_str());
            notices.push(None);
            ranks.push(1);
            due.push(s.received_unix);
            acks.push("receipt");
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    db::exec(
        tx,
        "INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
                                 next_attempt_at, retry_from, ack_kind)
         SELECT i, r, m, v, n, k, 'pending', d, d, a
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::smallint[], $7::bigint[], $8::text[]) AS x(i, r, m, v, n, k, d, a)",
        &[
            &ids, &routes, &mailboxes, &views, &notices, &ranks, &due, &acks,
        ],
    )
    .await?;
    Ok(())
}

/// The follow-up keys of the submitters who took a code.
async fn follow_ups(tx: &Transaction<'_>, fresh: &[&NewSubmission]) -> Result<(), Error> {
    let (mut ids, mut lookups, mut recipients, mut at) = (vec![], vec![], vec![], vec![]);
    let (mut sealed, mut tokens): (Vec<Option<&str>>, Vec<Option<&[u8]>>) = (vec![], vec![]);
    for s in fresh {
        let Some(key) = &s.follow_up else { continue };
        let notice = s.follow_up_notice.as_ref();
        ids.push(s.number as i64);
        lookups.push(&key.lookup_id[..]);
        recipients.push(key.recipient.as_str());
        at.push(s.received_unix);
        sealed.push(notice.map(|n| n.sealed.as_str()));
        tokens.push(notice.map(|n| &n.token_hash[..]));
    }
    if ids.is_empty() {
        return Ok(());
    }
    db::exec(
        tx,
        "INSERT INTO follow_ups (submission, lookup_id, recipient, status, status_at, notify,
                                 notify_token)
         SELECT i, l, r, 'received', a, n, t
         FROM UNNEST($1::bigint[], $2::bytea[], $3::text[], $4::bigint[], $5::text[],
                     $6::bytea[]) AS x(i, l, r, a, n, t)",
        &[&ids, &lookups, &recipients, &at, &sealed, &tokens],
    )
    .await?;
    Ok(())
}

/// A submission's audit events: received, sealed for each route, and its follow-up key.
fn events_of(s: &NewSubmission) -> Vec<Event> {
    let r = Some(s.reference.as_str());
    let mut events =
        vec![Event::new(s.received_unix, "received", r).code(Some(s.priority.as_str()))];
    for e in &s.envelopes {
        events.push(
            Event::new(s.received_unix, "sealed", r)
                .route(&e.route)
                .code(Some(e.view.as_str())),
        );
    }
    if s.follow_up.is_some() {
        let code = if s.follow_up_notice.is_some() {
            "notify"
        } else {
            "code"
        };
        events.push(Event::new(s.received_unix, "follow_up_key", r).code(Some(code)));
    }
    events
}
