//! The SQLite backend's own tests: migrations, files, query plans and the writer's batches.
//! Behaviour every backend shares is in the spool's contract suite.

use super::connection::{open_connection, prepare_files, Writable};
use super::lifecycle;
use super::outbox::{NEXT_DUE, OUTBOX_STATS};
use super::staging;
use super::submissions::{BY_LEGACY_REFERENCE, BY_NUMBER};
use super::writer::{write_batch, Commits, Control};
use super::*;
use crate::ack::AckKind;
use crate::spool::prelude::*;
use crate::spool::{
    CommitOutcome, DeliveryState, NewEnvelope, NewSubmission, RetentionPolicy, View,
};
use crate::triage::Priority;

/// Numbering for tests that drive the writer's functions on a bare connection.
fn numbering() -> Numbering {
    Numbering {
        cipher: ReferenceCipher::new(&[3; 32]),
        secrets: crate::spool::secrets::SpoolSecrets::random(),
        next: AtomicU64::new(1),
    }
}

fn r(s: &str) -> Reference {
    Reference::parse(s).expect("a reference")
}

fn draw(numbering: &Numbering) -> (u64, Reference) {
    numbering.draw().expect("a number")
}

fn drawn(spool: &SqliteSpool) -> (u64, Reference) {
    spool.next_reference().expect("a reference")
}

fn submission((number, reference): (u64, Reference), token: Option<[u8; 32]>) -> NewSubmission {
    NewSubmission {
        number,
        reference,
        received_at: "2026-11-23T19:00:00Z".into(),
        received_unix: 1_795_460_400,
        ack_deadline: None,
        form_id: "community".into(),
        form_version: 1,
        priority: Priority::Routine,
        reason_codes: vec![],
        token_hash: token,
        envelopes: vec![NewEnvelope {
            route: "police_intelligence".into(),
            mailbox: "intel@example.invalid".into(),
            view: View::Full,
            body: Some(vec![1, 2, 3]),
            notice: None,
            ack: AckKind::Acknowledge,
            attachments: vec![],
        }],
        follow_up: None,
        follow_up_notice: None,
    }
}

#[tokio::test]
async fn a_new_reference_never_repeats_one_kept_from_schema_1() {
    // A schema-1 spool whose one random reference happens to be what number 2 enciphers
    // to: number 1 is that row's, so 2 is the first drawn, and it must be refused.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let conn = Connection::open(&path).expect("open");
    conn.execute_batch(schema::MIGRATIONS[0]).expect("v1");
    let key = [9u8; 32];
    let clash = ReferenceCipher::new(&key).reference(2);
    conn.execute(
        "INSERT INTO settings (name, value) VALUES ('secret:reference_key', ?1)",
        [&key[..]],
    )
    .expect("key");
    conn.execute(
        "INSERT INTO submissions (reference, received_at, form_id, form_version, priority, reason_codes, received_unix)
         VALUES (?1, '2026-01-01T00:00:00Z', 'community', 1, 'ROUTINE', '[]', 100)",
        [clash.as_str()],
    )
    .expect("legacy row");
    conn.pragma_update(None, "user_version", 1).expect("v1");
    drop(conn);

    let spool = SqliteSpool::open(dir.path()).expect("migrated");
    let first = drawn(&spool);
    assert_eq!(first, (2, clash.clone()));
    assert_eq!(
        spool.commit(submission(first, None)).await.expect("commit"),
        CommitOutcome::ReferenceTaken
    );
    let CommitOutcome::Committed(fresh) = spool
        .commit(submission(drawn(&spool), None))
        .await
        .expect("commit")
    else {
        panic!("not committed")
    };
    assert_ne!(fresh, clash);
    let kept = spool.submission(&clash).await.expect("read");
    assert_eq!(
        kept.expect("legacy row").received_at,
        "2026-01-01T00:00:00Z"
    );
    assert!(spool.submission(&fresh).await.expect("read").is_some());
}

#[tokio::test]
async fn two_gateways_on_one_spool_never_share_a_reference() {
    // Two gateways overlapping on the same spool (a restart, say) start from the same
    // number. The second one's clash is caught and its next draw goes past the first's.
    let dir = tempfile::tempdir().expect("tempdir");
    let a = SqliteSpool::open(dir.path()).expect("open");
    let b = SqliteSpool::open(dir.path()).expect("open");
    let mut refs = Vec::new();
    for _ in 0..3 {
        match a.commit(submission(drawn(&a), None)).await.expect("commit") {
            CommitOutcome::Committed(r) => refs.push(r),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        b.commit(submission(drawn(&b), None)).await.expect("commit"),
        CommitOutcome::ReferenceTaken
    );
    match b.commit(submission(drawn(&b), None)).await.expect("commit") {
        CommitOutcome::Committed(r) => refs.push(r),
        other => panic!("{other:?}"),
    }
    for r in &refs {
        assert!(a.submission(r).await.expect("read").is_some());
        assert!(b.submission(r).await.expect("read").is_some());
    }
    assert_eq!(a.count_submissions().await.expect("count"), 4);
}

#[tokio::test]
async fn the_spool_files_are_private() {
    // Secrets and the rest of the contract are in tests/api/spool_contract.rs.
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = SqliteSpool::open(&dir.path().join("s")).expect("open");
    spool.secret("form_token", 32).await.expect("secret");
    spool.probe_writable().await.expect("writable");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("s")), 0o700);
        assert_eq!(mode(spool.path()), 0o600);
    }
}

#[tokio::test]
async fn readiness_writes_at_most_once_in_a_few_seconds_and_a_commit_counts_as_proof() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = SqliteSpool::open(&dir.path().join("s")).expect("open");
    let watcher = Connection::open(spool.path()).expect("watcher");
    let version = || -> i64 {
        watcher
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .expect("data_version")
    };
    let start = version();
    spool.probe_writable().await.expect("writable");
    let probed = version();
    assert_ne!(probed, start, "the first probe writes");
    for _ in 0..20 {
        spool.probe_writable().await.expect("writable");
    }
    assert_eq!(
        version(),
        probed,
        "later probes within seconds write nothing"
    );
    // A failed write withdraws the proof; a committed submission restores it.
    spool.writable.doubted();
    spool.probe_writable().await.expect("writable");
    let reprobed = version();
    assert_ne!(reprobed, probed, "probed again after a failure");
    spool.writable.doubted();
    let outcome = spool
        .commit(submission(drawn(&spool), None))
        .await
        .expect("commit");
    assert!(matches!(outcome, CommitOutcome::Committed(_)));
    let committed = version();
    spool.probe_writable().await.expect("writable");
    assert_eq!(version(), committed, "the commit was proof enough");
}

#[test]
fn a_spool_from_a_newer_gateway_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let conn = Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", 99)
        .expect("pragma");
    drop(conn);
    assert!(SqliteSpool::open(dir.path()).is_err());
}

#[tokio::test]
async fn a_version_1_spool_is_migrated_with_every_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let conn = Connection::open(&path).expect("open");
    conn.execute_batch(schema::MIGRATIONS[0]).expect("v1");
    conn.execute_batch(
        "PRAGMA user_version = 1;
         INSERT INTO submissions (reference, received_at, form_id, form_version, priority, reason_codes,
                                  received_unix, acknowledged_at)
             VALUES ('PIS-AAAA-AAAA', '2026-01-01T00:00:00Z', 'community', 1, 'ROUTINE', '[]', 100, NULL),
                    ('PIS-BBBB-BBBB', '2026-01-02T00:00:00Z', 'partner', 1, 'IMMEDIATE', '[\"x\"]', 200, 250);
         INSERT INTO envelopes (reference, route, view, body)
             VALUES ('PIS-BBBB-BBBB', 'intel', 'full', x'0102'), ('PIS-BBBB-BBBB', 'mace', 'restricted', x'03'),
                    ('PIS-AAAA-AAAA', 'intel', 'full', x'04');
         INSERT INTO deliveries (reference, route, mailbox, view, rank, state, next_attempt_at, retry_from)
             VALUES ('PIS-BBBB-BBBB', 'intel', 'i@example.invalid', 'full', 0, 'delivered', 200, 200),
                    ('PIS-BBBB-BBBB', 'mace', 'm@example.invalid', 'restricted', 0, 'dead', 200, 200),
                    ('PIS-AAAA-AAAA', 'intel', 'i@example.invalid', 'full', 2, 'pending', 100, 100);
         INSERT INTO ack_tokens (token_hash, reference, route, created_at)
             VALUES (x'07', 'PIS-BBBB-BBBB', 'intel', 210);",
    )
    .expect("v1 rows");
    drop(conn);

    let spool = SqliteSpool::open(dir.path()).expect("migrated");
    assert_eq!(spool.count_submissions().await.expect("count"), 2);
    let b = spool
        .envelopes(&r("PIS-BBBB-BBBB"))
        .await
        .expect("envelopes");
    let b: Vec<_> = b
        .iter()
        .map(|e| (e.route.as_str(), e.body.clone()))
        .collect();
    assert_eq!(b, [("intel", vec![1, 2]), ("mace", vec![3])]);
    let states: Vec<_> = spool
        .deliveries(&r("PIS-BBBB-BBBB"))
        .await
        .expect("deliveries")
        .into_iter()
        .map(|d| d.state)
        .collect();
    assert_eq!(states, [DeliveryState::Delivered, DeliveryState::Dead]);
    let record = spool.submission(&r("PIS-BBBB-BBBB")).await.expect("read");
    assert_eq!(record.expect("record").reason_codes, ["x"]);
    assert_eq!(
        spool.due(1_000, 10).await.expect("due")[0].envelope,
        Some(vec![4])
    );
    // New submissions go on from where the old ones stop, and the keys still hold.
    spool
        .commit(submission(drawn(&spool), None))
        .await
        .expect("commit");
    assert_eq!(spool.count_submissions().await.expect("count"), 3);
    let conn = open_connection(&path).expect("open");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, schema::CURRENT_VERSION);
    assert!(!conn
        .prepare("PRAGMA foreign_key_check")
        .expect("check")
        .exists([])
        .expect("check"));
    let foreign_keys: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("pragma");
    assert!(foreign_keys);
}

#[test]
fn a_wave_of_due_submissions_is_purged_in_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let mut conn = open_connection(&path).expect("open");
    schema::migrate(&mut conn).expect("migrate");
    let numbers = numbering();
    let total = lifecycle::PURGE_BATCH * 2 + 100;
    let (commits, _answers): (Commits, Vec<_>) = (0..total)
        .map(|_| {
            let (tx, rx) = oneshot::channel();
            ((Box::new(submission(draw(&numbers), None)), tx), rx)
        })
        .unzip();
    write_batch(&mut conn, &numbers, &Writable::new(), commits, vec![]);
    conn.execute("UPDATE deliveries SET state = 'delivered'", [])
        .expect("delivered");
    let policy = RetentionPolicy {
        grace_secs: 10,
        max_age_secs: 100,
        warn_secs: 10,
    };
    let now = submission(draw(&numbers), None).received_unix + 100;
    let mut sizes = Vec::new();
    loop {
        let report = lifecycle::purge_due(&mut conn, now, &policy).expect("purge");
        sizes.push(report.purged.len());
        if !report.more {
            break;
        }
    }
    assert_eq!(sizes, [lifecycle::PURGE_BATCH, lifecycle::PURGE_BATCH, 100]);
    let left: i64 = conn
        .query_row("SELECT COUNT(*) FROM envelopes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 0);
}

/// The periodic queries read indexes, not the whole spool: under a surge of hundreds of
/// thousands of stored submissions they must not hold the writer for long.
#[test]
fn periodic_queries_use_indexes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let mut conn = open_connection(&path).expect("open");
    schema::migrate(&mut conn).expect("migrate");
    let plan = |sql: &str| -> String {
        let mut st = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan");
        let n = st.parameter_count();
        let rows = st
            .query_map(rusqlite::params_from_iter(vec![0i64; n]), |r| {
                r.get::<_, String>(3)
            })
            .expect("plan");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().join("; ")
    };
    let purge = plan(lifecycle::PURGE_CANDIDATES);
    assert!(purge.contains("submissions_unpurged"), "{purge}");
    assert!(purge.contains("submissions_acknowledged"), "{purge}");
    assert!(!purge.contains("SCAN"), "{purge}");
    // A reference is found by its number; one kept from schema 1 through its own index.
    let numbered = plan(BY_NUMBER);
    assert!(numbered.contains("INTEGER PRIMARY KEY"), "{numbered}");
    let legacy = plan(BY_LEGACY_REFERENCE);
    assert!(legacy.contains("submissions_legacy_reference"), "{legacy}");
    // The outbox's figures come from the indexes, never a read of the whole backlog.
    let stats = plan(OUTBOX_STATS);
    assert!(stats.contains("COVERING INDEX deliveries_due"), "{stats}");
    assert!(stats.contains("deliveries_pending_age"), "{stats}");
    assert!(!stats.contains("SCAN deliveries"), "{stats}");
    // Retention's look for unadopted staged files reads only those.
    let orphans = plan(staging::ORPHANS);
    assert!(orphans.contains("attachment_blobs_unadopted"), "{orphans}");
    let next = plan(NEXT_DUE);
    assert!(next.contains("(state=? AND rank=?)"), "{next}");
    assert!(!next.contains("SCAN deliveries"), "{next}");
}

#[test]
fn a_failing_part_of_a_batch_undoes_only_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let mut conn = open_connection(&path).expect("open");
    schema::migrate(&mut conn).expect("migrate");
    let numbers = numbering();
    // A submission already in the spool, for the outbox's write to refer to.
    let earlier = submission(draw(&numbers), None);
    let earlier_ref = earlier.reference.clone();
    let (tx, mut rx) = oneshot::channel();
    write_batch(
        &mut conn,
        &numbers,
        &Writable::new(),
        vec![(Box::new(earlier), tx)],
        vec![],
    );
    assert!(matches!(
        rx.try_recv().expect("answered"),
        Ok(CommitOutcome::Committed(_))
    ));
    let good = submission(draw(&numbers), None);
    // The same route twice breaks the envelopes' primary key: this submission cannot commit.
    let mut bad = submission(draw(&numbers), None);
    let again = submission(draw(&numbers), None).envelopes.remove(0);
    bad.envelopes.push(again);
    let (good_tx, mut good_rx) = oneshot::channel();
    let (bad_tx, mut bad_rx) = oneshot::channel();
    let (ack_tx, mut ack_rx) = oneshot::channel();
    write_batch(
        &mut conn,
        &numbers,
        &Writable::new(),
        vec![(Box::new(good), good_tx), (Box::new(bad), bad_tx)],
        vec![Control::AddAckToken(
            [7; 32],
            earlier_ref.clone(),
            "police_intelligence".into(),
            AckKind::Acknowledge,
            1,
            ack_tx,
        )],
    );
    // One submission failing fails its whole part: neither gets a reference.
    assert!(good_rx.try_recv().expect("answered").is_err());
    assert!(bad_rx.try_recv().expect("answered").is_err());
    let submissions: i64 = conn
        .query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))
        .expect("count");
    assert_eq!(submissions, 1, "only the earlier one");
    // The outbox's write in the same transaction still committed.
    assert!(ack_rx.try_recv().expect("answered").is_ok());
    let tokens: i64 = conn
        .query_row("SELECT count(*) FROM ack_tokens", [], |r| r.get(0))
        .expect("count");
    assert_eq!(tokens, 1);
}

#[tokio::test]
async fn evidence_files_commit_with_their_envelope_and_are_purged_with_it() {
    use crate::spool::Housekeeping;
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = SqliteSpool::open(dir.path()).expect("open");
    let mut s = submission(drawn(&spool), None);
    s.envelopes[0].attachments = vec![Arc::new(vec![9; 10]), Arc::new(vec![8; 20])];
    let CommitOutcome::Committed(r) = spool.commit(s).await.expect("commit") else {
        panic!("committed");
    };
    let files = spool
        .attachments(&r, "police_intelligence")
        .await
        .expect("read");
    assert_eq!(
        files,
        vec![vec![9; 10], vec![8; 20]],
        "in order, file 1 first"
    );
    assert!(spool
        .attachments(&r, "mace_county")
        .await
        .expect("read")
        .is_empty());
    spool
        .record_attempt(
            &crate::spool::DeliveryId::new(
                r.clone(),
                crate::spool::DeliveryRoute::route("police_intelligence"),
            ),
            1_795_460_401,
            crate::spool::AttemptOutcome::Delivered,
        )
        .await
        .expect("delivered");
    let policy = RetentionPolicy {
        grace_secs: 10,
        max_age_secs: 100,
        warn_secs: 10,
    };
    let report = spool
        .purge_due(1_795_460_400 + 100, policy)
        .await
        .expect("purge");
    assert_eq!(report.purged.len(), 1);
    assert!(spool
        .attachments(&r, "police_intelligence")
        .await
        .expect("read")
        .is_empty());
}

/// Bytes that do not repeat (sealed files look like noise), `len` of them.
fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

/// A submission with a file of several chunks and a small one: more than `LARGE_BYTES`.
fn large_submission(
    drawn: (u64, Reference),
    token: Option<[u8; 32]>,
) -> (NewSubmission, Vec<Vec<u8>>) {
    let files = vec![noise(staging::CHUNK_BYTES * 2 + 1234, 7), noise(5000, 9)];
    let mut s = submission(drawn, token);
    s.envelopes[0].attachments = files.iter().cloned().map(Arc::new).collect();
    (s, files)
}

/// A large file is stored in chunks of its own, each written in a short transaction, and
/// reads back byte for byte: for the email, through a download link and in a copy of the
/// spool. Purged, nothing of it is left.
#[tokio::test]
async fn a_large_file_is_stored_in_chunks_and_reads_back_whole_everywhere() {
    use crate::spool::{AttemptOutcome, DeliveryId, DeliveryRoute, DownloadStore, Housekeeping};
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = SqliteSpool::open(dir.path()).expect("open");
    let (s, files) = large_submission(drawn(&spool), None);
    let CommitOutcome::Committed(r) = spool.commit(s).await.expect("commit") else {
        panic!("committed");
    };
    let raw = rusqlite::Connection::open(spool.path()).expect("raw");
    assert_eq!(count(&raw, "SELECT COUNT(*) FROM attachment_chunks"), 3 + 1);
    assert_eq!(
        count(&raw, "SELECT MAX(length(data)) FROM attachment_chunks"),
        staging::CHUNK_BYTES as i64
    );
    assert_eq!(
        count(
            &raw,
            "SELECT COUNT(*) FROM attachments WHERE blob IS NOT NULL AND length(body) = 0"
        ),
        2,
        "both files adopted from their chunks, none kept whole"
    );
    let route = "police_intelligence";
    assert_eq!(spool.attachments(&r, route).await.expect("read"), files);
    spool
        .add_download_token([5; 32], &r, route, 1, 10)
        .await
        .expect("link");
    let download = spool
        .take_download([5; 32], 11, 0)
        .await
        .expect("take")
        .expect("the file");
    assert!(
        download.body == files[0],
        "the download is the file, byte for byte"
    );
    let exported = spool.export_submissions(0, 10).await.expect("export");
    let copied: Vec<_> = exported[0]
        .attachments
        .iter()
        .map(|a| a.body.clone())
        .collect();
    assert!(
        copied == files,
        "a copy of the spool carries the files whole"
    );

    spool
        .record_attempt(
            &DeliveryId::new(r.clone(), DeliveryRoute::route(route)),
            1_795_460_401,
            AttemptOutcome::Delivered,
        )
        .await
        .expect("delivered");
    let policy = RetentionPolicy {
        grace_secs: 10,
        max_age_secs: 100,
        warn_secs: 10,
    };
    let report = spool
        .purge_due(1_795_460_400 + 100, policy)
        .await
        .expect("purge");
    assert_eq!(report.purged.len(), 1);
    assert!(spool.attachments(&r, route).await.expect("read").is_empty());
    assert_eq!(count(&raw, "SELECT COUNT(*) FROM attachment_chunks"), 0);
    assert_eq!(count(&raw, "SELECT COUNT(*) FROM attachment_blobs"), 0);
}

/// Between two chunks of a large submission, small submissions commit (each in its own
/// short transaction) and get their references; the large one has none until its own commit
/// adopts the chunks.
#[test]
fn small_submissions_commit_between_the_chunks_of_a_large_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let mut conn = open_connection(&path).expect("open");
    schema::migrate(&mut conn).expect("migrate");
    let numbers = numbering();
    let (large, files) = large_submission(draw(&numbers), None);
    let (large_tx, mut large_rx) = oneshot::channel();
    let mut staging = staging::Staging::new(Box::new(large), large_tx);
    let mut turns = 0;
    loop {
        let ready = staging.step(&mut conn).expect("a chunk");
        turns += 1;
        if ready {
            break;
        }
        // A small report arriving meanwhile: committed now, not after the large one.
        let (tx, mut rx) = oneshot::channel();
        write_batch(
            &mut conn,
            &numbers,
            &Writable::new(),
            vec![(Box::new(submission(draw(&numbers), None)), tx)],
            vec![],
        );
        assert!(matches!(
            rx.try_recv().expect("answered"),
            Ok(CommitOutcome::Committed(_))
        ));
        assert!(
            large_rx.try_recv().is_err(),
            "no reference before its commit"
        );
    }
    // 2 full chunks, then the rest of file 1 with all of file 2 (under one chunk together).
    assert_eq!(turns, 3);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM submissions"), 2);
    let (outcome, reply, unadopted) = staging.commit(&mut conn, &numbers);
    assert!(matches!(outcome, Ok(CommitOutcome::Committed(_))));
    assert!(unadopted.is_empty());
    drop(reply);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM submissions"), 3);
    let stored: Vec<Vec<u8>> = conn
        .prepare("SELECT body, blob FROM attachments ORDER BY n")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .map(|row| {
            let (body, blob) = row.expect("row");
            staging::read_file(&conn, body, blob).expect("read")
        })
        .collect();
    assert!(stored == files);
}

/// A gateway stopping between two chunk writes leaves no submission and gave no reference;
/// at the next start, the chunks it had written are removed.
#[tokio::test]
async fn stopping_between_chunks_leaves_no_submission_and_the_chunks_go_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let mut rx = {
        let mut conn = open_connection(&path).expect("open");
        schema::migrate(&mut conn).expect("migrate");
        let numbers = numbering();
        let (large, _) = large_submission(draw(&numbers), Some([4; 32]));
        let (tx, rx) = oneshot::channel();
        let mut staging = staging::Staging::new(Box::new(large), tx);
        assert!(
            !staging.step(&mut conn).expect("one chunk"),
            "more to write"
        );
        assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_chunks"), 1);
        // The gateway stops here: the staging and its connection are gone.
        rx
    };
    assert!(rx.try_recv().is_err(), "no reference was given");
    let spool = SqliteSpool::open(dir.path()).expect("open again");
    assert_eq!(spool.count_submissions().await.expect("count"), 0);
    assert_eq!(
        spool.reference_for_token([4; 32]).await.expect("read"),
        None,
        "the form can be sent again"
    );
    let raw = rusqlite::Connection::open(spool.path()).expect("raw");
    assert_eq!(count(&raw, "SELECT COUNT(*) FROM attachment_chunks"), 0);
    assert_eq!(count(&raw, "SELECT COUNT(*) FROM attachment_blobs"), 0);
}

/// A large form sent twice: the second copy's staged chunks are not adopted and are removed
/// (a chunk per turn); the first copy's files are untouched. Retention removes staged files
/// nobody adopted once they are an hour old, never one still being written.
#[test]
fn unadopted_chunks_are_removed_and_adopted_ones_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let mut conn = open_connection(&path).expect("open");
    schema::migrate(&mut conn).expect("migrate");
    let numbers = numbering();
    let stage_all = |conn: &mut rusqlite::Connection, s: NewSubmission| {
        let (tx, _rx) = oneshot::channel();
        let mut staging = staging::Staging::new(Box::new(s), tx);
        while !staging.step(conn).expect("a chunk") {}
        staging
    };
    let (first, files) = large_submission(draw(&numbers), Some([6; 32]));
    let (outcome, _, unadopted) = stage_all(&mut conn, first).commit(&mut conn, &numbers);
    assert!(matches!(outcome, Ok(CommitOutcome::Committed(_))));
    assert!(unadopted.is_empty());
    let (again, _) = large_submission(draw(&numbers), Some([6; 32]));
    let (outcome, _, mut unadopted) = stage_all(&mut conn, again).commit(&mut conn, &numbers);
    assert!(matches!(outcome, Ok(CommitOutcome::Duplicate(_))));
    assert_eq!(unadopted.len(), 2);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_chunks"), 8);
    let mut turns = 1;
    while staging::discard_step(&mut conn, &mut unadopted).expect("discard") {
        turns += 1;
    }
    // 4 chunks and 2 staged files, one a turn.
    assert_eq!(turns, 6);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_chunks"), 4);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_blobs"), 2);
    let kept: Vec<Vec<u8>> = conn
        .prepare("SELECT body, blob FROM attachments ORDER BY n")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .map(|row| {
            let (body, blob) = row.expect("row");
            staging::read_file(&conn, body, blob).expect("read")
        })
        .collect();
    assert!(kept == files);

    // Staged and never adopted (as if removing it had failed).
    let (orphan, _) = large_submission(draw(&numbers), None);
    let staged_at = orphan.received_unix;
    drop(stage_all(&mut conn, orphan));
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_blobs"), 4);
    let policy = RetentionPolicy {
        grace_secs: 1_000_000,
        max_age_secs: 1_000_000,
        warn_secs: 10,
    };
    lifecycle::purge_due(&mut conn, staged_at + 60, &policy).expect("purge");
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM attachment_blobs"),
        4,
        "a file staged a minute ago may still be adopted"
    );
    lifecycle::purge_due(
        &mut conn,
        staged_at + staging::ORPHAN_AFTER_SECS + 1,
        &policy,
    )
    .expect("purge");
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_blobs"), 2);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM attachment_chunks"), 4);
}

#[tokio::test]
async fn the_upgrade_drops_what_earlier_versions_kept_in_clear() {
    // A schema-10 spool with a professional's unconfirmed address and a MACE notice's codes in
    // clear, as an earlier gateway left them.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = prepare_files(dir.path()).expect("files");
    let conn = Connection::open(&path).expect("open");
    // As `schema::migrate` applies them: table rebuilds need the keys checked by hand.
    conn.pragma_update(None, "foreign_keys", false)
        .expect("pragma");
    for m in &schema::MIGRATIONS[..10] {
        conn.execute_batch(m).expect("an earlier schema");
    }
    conn.pragma_update(None, "user_version", 10).expect("v10");
    conn.execute_batch(
        "INSERT INTO submissions (id, reference, received_at, form_id, form_version, priority,
             reason_codes, received_unix)
         VALUES (1, 'PIS-AAAA-BBBB', '2026-01-01T00:00:00Z', 'professional', 1, 'ROUTINE', '[]', 100);
         INSERT INTO follow_ups (submission, lookup_id, recipient, status_at, notify)
         VALUES (1, zeroblob(32), 'age1x', 100, 'dsl@example.sch.uk');
         INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
             next_attempt_at, retry_from, ack_kind)
         VALUES (1, 'follow_up.1', 'dsl@example.sch.uk', 'follow_up', NULL, 1, 'pending', 100, 100, 'receipt'),
                (1, 'mace_selby', 'mace@example.invalid', 'notice',
                 '{\"categories\":[\"CCE\"],\"localities\":[\"SELBY\"]}', 2, 'delivered', 100, 100, 'receipt');",
    )
    .expect("rows");
    drop(conn);

    drop(SqliteSpool::open(dir.path()).expect("migrated"));
    let conn = Connection::open(&path).expect("open");
    let notify: Option<String> = conn
        .query_row("SELECT notify FROM follow_ups", [], |r| r.get(0))
        .expect("row");
    assert_eq!(notify, None);
    let rows: Vec<(String, String, String, Option<String>)> = conn
        .prepare("SELECT route, mailbox, state, notice FROM deliveries ORDER BY route")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        [
            ("follow_up.1".into(), String::new(), "dead".into(), None),
            (
                "mace_selby".into(),
                "mace@example.invalid".into(),
                "delivered".into(),
                None
            ),
        ]
    );
}
