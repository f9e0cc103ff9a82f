//! Group commit on the shared database, against the real test cluster: submissions that arrive
//! together share one transaction and one extension of the audit chain; a batch that cannot
//! commit gives nobody a reference and leaves nothing behind; several gateways batching at once
//! keep one chain.

use super::tests::pg_cluster::Cluster;
use super::tests::{fresh, settings, submission};
use super::*;
use crate::spool::{audit, FollowUpKey};
use crate::triage::Priority;
use std::collections::{BTreeMap, HashSet};

async fn open_batching(c: &Cluster, db: &str, max: usize, wait_ms: u64) -> Arc<PostgresSpool> {
    let mut s = settings(c, db);
    s.postgres_batch_max = max;
    s.postgres_batch_wait_ms = wait_ms;
    Arc::new(PostgresSpool::open(&s).await.expect("open"))
}

/// Commits `n` submissions from as many tasks, the i-th sent `gap_ms` × i after the first.
async fn commit_spread(
    spools: &[Arc<PostgresSpool>],
    n: usize,
    gap_ms: u64,
    make: impl Fn(usize, &PostgresSpool) -> NewSubmission,
) -> Vec<Result<CommitOutcome, SpoolError>> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let spool = Arc::clone(&spools[i % spools.len()]);
            let s = make(i, &spool);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(gap_ms * i as u64)).await;
                spool.commit(s).await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// The audit chain as stored, verified against its head; its length.
async fn verified_chain(spool: &PostgresSpool) -> usize {
    let entries = spool.audit_entries().await.expect("entries");
    let (seq, hash) = spool.audit_head().await.expect("head").expect("a head");
    audit::verify(&entries, Some((seq, &hash))).expect("the chain verifies")
}

/// Transactions (by the id PostgreSQL stamps each row with) and the audit sequence numbers
/// each wrote.
fn audit_by_transaction(c: &Cluster, db: &str) -> BTreeMap<String, Vec<i64>> {
    let rows = c
        .psql(
            db,
            "SELECT xmin::text || ' ' || seq FROM audit ORDER BY seq",
        )
        .expect("audit");
    let mut by = BTreeMap::<String, Vec<i64>>::new();
    for line in rows.lines() {
        let (tx, seq) = line.split_once(' ').expect("two columns");
        by.entry(tx.into())
            .or_default()
            .push(seq.parse().expect("seq"));
    }
    by
}

fn committed(outcomes: &[Result<CommitOutcome, SpoolError>]) -> Vec<Reference> {
    outcomes
        .iter()
        .map(|o| match o {
            Ok(CommitOutcome::Committed(r)) => r.clone(),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn submissions_arriving_together_share_one_transaction_and_one_chain_extension() {
    let Some((c, db)) = fresh("submissions_arriving_together_share_one_transaction") else {
        return;
    };
    // The batch closes at its count: 40 submissions sent over about 80 ms, one transaction
    // (its time bound is set long, so that a slow machine cannot close it first).
    let spool = open_batching(c, &db, 40, 2000).await;
    let outcomes = commit_spread(&[Arc::clone(&spool)], 40, 2, |_, s| {
        submission(s, Priority::Routine, None)
    })
    .await;
    let refs = committed(&outcomes);
    assert_eq!(refs.iter().collect::<HashSet<_>>().len(), 40);
    assert_eq!(
        c.count(&db, "SELECT COUNT(DISTINCT xmin::text) FROM submissions"),
        1,
        "one transaction for the batch"
    );
    for r in &refs {
        assert_eq!(spool.envelopes(r).await.expect("read").len(), 2);
        assert_eq!(spool.deliveries(r).await.expect("read").len(), 2);
    }
    // received and two sealed per submission, appended once, in one run of the chain.
    assert_eq!(verified_chain(&spool).await, 120);
    let by = audit_by_transaction(c, &db);
    assert_eq!(by.len(), 1, "{by:?}");

    // The batch closes at its time, too: a submission alone waits that long, and no longer.
    let alone = open_batching(c, &db, 1000, 300).await;
    let started = std::time::Instant::now();
    committed(&[alone
        .commit(submission(&alone, Priority::Routine, None))
        .await]);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(290), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    assert_eq!(verified_chain(&alone).await, 123);
}

#[tokio::test]
async fn a_batch_that_cannot_commit_answers_every_caller_with_an_error_and_stores_nothing() {
    let Some((c, db)) = fresh("a_batch_that_cannot_commit_answers_every_caller_with_an_error")
    else {
        return;
    };
    let spool = open_batching(c, &db, 16, 2000).await;
    committed(&[spool
        .commit(submission(&spool, Priority::Routine, None))
        .await]);
    // The chain's append is refused, as a full disk or a failing database would refuse it,
    // after every submission of the batch has been written.
    c.psql(
        &db,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'the audit log takes nothing now'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON audit
             FOR EACH STATEMENT EXECUTE FUNCTION refuse()",
    )
    .expect("trigger");
    let outcomes = commit_spread(&[Arc::clone(&spool)], 16, 1, |i, s| {
        submission(s, Priority::Routine, Some([i as u8 + 1; 32]))
    })
    .await;
    for o in &outcomes {
        assert!(matches!(o, Err(SpoolError::Unavailable(_))), "{o:?}");
    }
    for table in ["submissions", "envelopes", "deliveries", "audit"] {
        let expected = match table {
            "submissions" => 1,
            "audit" => 3,
            _ => 2,
        };
        let sql = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(c.count(&db, &sql), expected, "{table}: nothing partial");
    }
    // The same forms once the database takes writes again: stored, not duplicates.
    c.psql(&db, "DROP TRIGGER refuse ON audit").expect("drop");
    let outcomes = commit_spread(&[Arc::clone(&spool)], 16, 1, |i, s| {
        submission(s, Priority::Routine, Some([i as u8 + 1; 32]))
    })
    .await;
    assert_eq!(committed(&outcomes).len(), 16);
    assert_eq!(verified_chain(&spool).await, 51);
}

#[tokio::test]
async fn a_submission_the_database_refuses_fails_alone_and_leaves_nothing_of_itself() {
    let Some((c, db)) = fresh("a_submission_the_database_refuses_fails_alone") else {
        return;
    };
    let spool = open_batching(c, &db, 12, 2000).await;
    let key = |seed: u8| FollowUpKey {
        lookup_id: [seed; 32],
        recipient: format!("age1recipient{seed}"),
    };
    let mut first = submission(&spool, Priority::Routine, None);
    first.follow_up = Some(key(7));
    committed(&[spool.commit(first).await]);
    // One of a batch of twelve carries a follow-up key already stored: a unique index refuses
    // the batch's statement; the other eleven are stored all the same.
    let outcomes = commit_spread(&[Arc::clone(&spool)], 12, 1, |i, s| {
        let mut n = submission(s, Priority::Routine, None);
        n.follow_up = Some(key(if i == 5 { 7 } else { 20 + i as u8 }));
        n
    })
    .await;
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(SpoolError::Unavailable(_))))
        .count();
    assert_eq!(refused, 1, "{outcomes:?}");
    assert!(outcomes[5].is_err());
    assert_eq!(c.count(&db, "SELECT COUNT(*) FROM submissions"), 12);
    assert_eq!(c.count(&db, "SELECT COUNT(*) FROM envelopes"), 24);
    assert_eq!(c.count(&db, "SELECT COUNT(*) FROM deliveries"), 24);
    assert_eq!(c.count(&db, "SELECT COUNT(*) FROM follow_ups"), 12);
    // received, two sealed and the key's event for each stored submission.
    assert_eq!(verified_chain(&spool).await, 48);
}

#[tokio::test]
async fn two_gateways_batching_at_once_keep_one_chain() {
    let Some((c, db)) = fresh("two_gateways_batching_at_once_keep_one_chain") else {
        return;
    };
    let (a, b) = tokio::join!(open_batching(c, &db, 8, 20), open_batching(c, &db, 8, 20));
    let outcomes = commit_spread(&[Arc::clone(&a), Arc::clone(&b)], 120, 0, |i, s| {
        let priority = if i % 3 == 0 {
            Priority::Immediate
        } else {
            Priority::Routine
        };
        submission(s, priority, Some([i as u8; 32]))
    })
    .await;
    let refs = committed(&outcomes);
    assert_eq!(refs.iter().collect::<HashSet<_>>().len(), 120);
    assert_eq!(verified_chain(&a).await, 360);
    assert_eq!(verified_chain(&b).await, 360);
    // Batches, not one transaction each, and each batch's entries are one unbroken run of
    // the chain: the head was taken once per batch, by one gateway at a time.
    let by = audit_by_transaction(c, &db);
    assert!(by.len() < 120, "{} transactions", by.len());
    assert!(by.len() >= 120 / 8, "{} transactions", by.len());
    for seqs in by.values() {
        let run: Vec<i64> = (seqs[0]..seqs[0] + seqs.len() as i64).collect();
        assert_eq!(seqs, &run);
    }
}

#[tokio::test]
async fn a_burst_draws_several_blocks_of_references_without_waiting_on_the_database() {
    let Some((c, db)) = fresh("a_burst_draws_several_blocks_of_references") else {
        return;
    };
    let spool = open_batching(c, &db, 64, 2).await;
    // Nothing is awaited between the draws, so the database is not asked meanwhile: a burst
    // at intake's pace, while every connection is busy, is served from the reserve.
    let drawn: HashSet<u64> = (0..320)
        .map(|_| spool.next_reference().expect("a reference").0)
        .collect();
    assert_eq!(drawn.len(), 320);
}
