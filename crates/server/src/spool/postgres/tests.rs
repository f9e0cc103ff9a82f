//! The PostgreSQL spool against a real server (a throwaway cluster, see
//! tests/support/pg_cluster.rs): what several gateways on one database must never do.

#[path = "../../../../../tests/support/pg_cluster.rs"]
pub(super) mod pg_cluster;

use super::*;
use crate::spool::{audit, DeliveryRoute, DeliveryState, NewEnvelope, PurgeReason};
use crate::triage::Priority;
use pg_cluster::Cluster;

pub(super) fn settings(c: &Cluster, db: &str) -> SpoolSettings {
    let mut s = crate::config::Settings::default().spool;
    s.backend = crate::config::SpoolBackend::Postgres;
    s.postgres_url = c.url(db);
    s.postgres_password_file = c.password_file();
    s.postgres_pool_size = 4;
    s.secrets_key_file = secrets_key();
    s
}

/// One secrets key for this process's databases, made once before any spool opens.
fn secrets_key() -> std::path::PathBuf {
    static KEY: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = KEY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        crate::secrets_key::SecretsKey::load_or_create(&dir.path().join("secrets.key"))
            .expect("the secrets key");
        dir
    });
    dir.path().join("secrets.key")
}

async fn open(c: &Cluster, db: &str) -> PostgresSpool {
    PostgresSpool::open(&settings(c, db)).await.expect("open")
}

/// A cluster and a fresh database, or SKIPPED.
pub(super) fn fresh(test: &str) -> Option<(&'static Cluster, String)> {
    let c = pg_cluster::or_skip(test)?;
    Some((c, c.database().expect("database")))
}

pub(super) fn submission(
    spool: &PostgresSpool,
    priority: Priority,
    token: Option<[u8; 32]>,
) -> NewSubmission {
    let (number, reference) = spool.next_reference().expect("a reference");
    NewSubmission {
        number,
        reference,
        received_at: "2026-11-23T19:00:00Z".into(),
        received_unix: 1_795_460_400,
        ack_deadline: (priority == Priority::Immediate).then_some(1_795_460_400 + 900),
        form_id: "community".into(),
        form_version: 1,
        priority,
        reason_codes: vec!["x".into()],
        token_hash: token,
        envelopes: vec![
            NewEnvelope {
                route: "police_intelligence".into(),
                mailbox: "intel@example.invalid".into(),
                view: View::Full,
                body: Some(vec![1, 2, 3]),
                notice: None,
                ack: AckKind::Acknowledge,
                attachments: vec![],
            },
            NewEnvelope {
                route: "mace_york".into(),
                mailbox: "york@example.invalid".into(),
                view: View::Restricted,
                body: Some(vec![4]),
                notice: None,
                ack: AckKind::ConfirmReceipt,
                attachments: vec![],
            },
        ],
        follow_up: None,
        follow_up_notice: None,
    }
}

async fn committed(spool: &PostgresSpool, s: NewSubmission) -> Reference {
    match spool.commit(s).await.expect("commit") {
        CommitOutcome::Committed(r) => r,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn two_gateways_starting_together_migrate_once_and_share_the_reference_key() {
    let Some((c, db)) = fresh("two_gateways_starting_together_migrate_once") else {
        return;
    };
    let (a, b) = tokio::join!(open(c, &db), open(c, &db));
    assert_eq!(
        c.count(&db, "SELECT COUNT(*) FROM schema_migrations"),
        crate::spool::postgres::migrate::CURRENT_VERSION
    );
    assert_eq!(
        c.count(
            &db,
            "SELECT COUNT(*) FROM settings WHERE name = 'secret:reference_key'"
        ),
        1
    );
    // Either gateway reads what the other committed: same key, same numbering, no clash.
    let mut refs = Vec::new();
    for _ in 0..3 {
        refs.push(committed(&a, submission(&a, Priority::Routine, None)).await);
        refs.push(committed(&b, submission(&b, Priority::Routine, None)).await);
    }
    for r in &refs {
        let rec = b.submission(r).await.expect("read").expect("found");
        assert_eq!(rec.reason_codes, ["x"]);
        assert_eq!(a.envelopes(r).await.expect("read").len(), 2);
    }
    let distinct: std::collections::HashSet<_> = refs.iter().collect();
    assert_eq!(distinct.len(), 6);
    assert_eq!(a.count_submissions().await.expect("count"), 6);
    // A third start finds nothing to do.
    drop(open(c, &db).await);
    assert_eq!(
        c.count(&db, "SELECT COUNT(*) FROM schema_migrations"),
        crate::spool::postgres::migrate::CURRENT_VERSION
    );
}

#[tokio::test]
async fn a_database_from_a_newer_gateway_is_refused() {
    let Some((c, db)) = fresh("a_database_from_a_newer_gateway_is_refused") else {
        return;
    };
    drop(open(c, &db).await);
    c.psql(
        &db,
        "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')",
    )
    .expect("insert");
    let e = PostgresSpool::open(&settings(c, &db))
        .await
        .err()
        .expect("refused");
    assert!(format!("{e:#}").contains("newer"), "{e:#}");
}

#[tokio::test]
async fn a_form_sent_twice_to_two_gateways_is_stored_once() {
    let Some((c, db)) = fresh("a_form_sent_twice_to_two_gateways_is_stored_once") else {
        return;
    };
    let (a, b) = tokio::join!(open(c, &db), open(c, &db));
    let token = [9u8; 32];
    let (x, y) = tokio::join!(
        a.commit(submission(&a, Priority::Routine, Some(token))),
        b.commit(submission(&b, Priority::Routine, Some(token)))
    );
    let (x, y) = (x.expect("a"), y.expect("b"));
    let reference = |o: &CommitOutcome| match o {
        CommitOutcome::Committed(r) | CommitOutcome::Duplicate(r) => r.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(reference(&x), reference(&y), "{x:?} {y:?}");
    assert!(
        matches!(x, CommitOutcome::Duplicate(_)) ^ matches!(y, CommitOutcome::Duplicate(_)),
        "{x:?} {y:?}"
    );
    assert_eq!(a.count_submissions().await.expect("count"), 1);
}

#[tokio::test]
async fn a_delivery_is_leased_to_one_gateway_and_only_the_holder_records_it() {
    let Some((c, db)) = fresh("a_delivery_is_leased_to_one_gateway") else {
        return;
    };
    let (a, b) = tokio::join!(open(c, &db), open(c, &db));
    let r = committed(&a, submission(&a, Priority::Immediate, None)).await;
    let police = DeliveryId::new(r.clone(), DeliveryRoute::route("police_intelligence"));
    let mace = DeliveryId::new(r.clone(), DeliveryRoute::route("mace_york"));
    let now = 1_795_460_400 + 5;
    assert_eq!(a.due(now, 10).await.expect("due").len(), 2);
    // Both gateways go for the same deliveries at once: each is taken by exactly one.
    let mut tries = Vec::new();
    for _ in 0..4 {
        for id in [&police, &mace] {
            tries.push(a.lease(id, 0, now, now + 60));
            tries.push(b.lease(id, 0, now, now + 60));
        }
    }
    let granted = futures_util::future::join_all(tries)
        .await
        .into_iter()
        .map(|g| g.expect("lease"))
        .collect::<Vec<bool>>();
    // Tries alternate a, b for police then mace; a gateway may take its own lease again.
    let by = |gateway: usize, delivery: usize| {
        granted
            .iter()
            .enumerate()
            .any(|(i, g)| *g && i % 2 == gateway && (i / 2) % 2 == delivery)
    };
    for delivery in 0..2 {
        assert!(
            by(0, delivery) ^ by(1, delivery),
            "delivery {delivery}: exactly one gateway holds it: {granted:?}"
        );
    }
    let (holder, other) = if by(0, 0) { (&a, &b) } else { (&b, &a) };
    // The other gateway does not see it as due, and cannot record it.
    assert!(!other
        .due(now, 10)
        .await
        .expect("due")
        .iter()
        .any(|d| d.id == police));
    other
        .record_attempt(&police, now, AttemptOutcome::Delivered)
        .await
        .expect("record");
    let state = |rows: &[DeliveryRecord], id: &DeliveryId| {
        rows.iter()
            .find(|d| d.route == id.route)
            .map(|d| (d.state, d.attempts))
            .expect("row")
    };
    let rows = a.deliveries(&r).await.expect("rows");
    assert_eq!(state(&rows, &police), (DeliveryState::Pending, 0));
    holder
        .record_attempt(&police, now, AttemptOutcome::Delivered)
        .await
        .expect("record");
    let rows = a.deliveries(&r).await.expect("rows");
    assert_eq!(state(&rows, &police), (DeliveryState::Delivered, 1));
    // The holder of mace_york dies: once its lease runs out the other takes it over, and the
    // late result of the first changes nothing.
    let (mace_holder, heir) = if by(0, 1) { (&a, &b) } else { (&b, &a) };
    assert!(!heir
        .lease(&mace, 0, now + 59, now + 119)
        .await
        .expect("lease"));
    let later = now + 61;
    assert!(heir
        .lease(&mace, 0, later, later + 60)
        .await
        .expect("lease"));
    mace_holder
        .record_attempt(
            &mace,
            later,
            AttemptOutcome::Retry {
                next_at: later + 30,
                class: "smtp_4xx".into(),
            },
        )
        .await
        .expect("record");
    heir.record_attempt(&mace, later, AttemptOutcome::Delivered)
        .await
        .expect("record");
    let rows = a.deliveries(&r).await.expect("rows");
    assert_eq!(state(&rows, &mace), (DeliveryState::Delivered, 1));
    let recorded = a
        .audit_entries()
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.event == "delivered" || e.event == "delivery_failed")
        .count();
    assert_eq!(recorded, 2, "one event per recorded attempt");
    assert_eq!(a.next_due_at().await.expect("next"), None);
}

#[tokio::test]
async fn an_unacknowledged_immediate_is_escalated_once_per_round_by_two_gateways() {
    let Some((c, db)) = fresh("an_unacknowledged_immediate_is_escalated_once_per_round") else {
        return;
    };
    let (a, b) = tokio::join!(open(c, &db), open(c, &db));
    let r = committed(&a, submission(&a, Priority::Immediate, None)).await;
    committed(&a, submission(&a, Priority::Routine, None)).await;
    let routes = vec![
        EscalationRoute {
            name: "control_room".into(),
            mailbox: "control@example.invalid".into(),
        },
        EscalationRoute {
            name: "duty_inspector".into(),
            mailbox: "duty@example.invalid".into(),
        },
    ];
    let deadline = 1_795_460_400 + 900;
    assert!(a
        .escalate_due(deadline - 1, 600, routes.clone())
        .await
        .expect("early")
        .is_empty());
    for round in 1..=2 {
        let now = deadline + (round - 1) * 600;
        // Both gateways' housekeeping at the same moment, many times over.
        let mut tries = Vec::new();
        for _ in 0..4 {
            tries.push(a.escalate_due(now, 600, routes.clone()));
            tries.push(b.escalate_due(now, 600, routes.clone()));
        }
        let escalated: Vec<Reference> = futures_util::future::join_all(tries)
            .await
            .into_iter()
            .flat_map(|r| r.expect("escalate"))
            .collect();
        assert_eq!(escalated, std::slice::from_ref(&r), "round {round}");
    }
    let rows = a.deliveries(&r).await.expect("rows");
    let mut escalations: Vec<String> = rows
        .iter()
        .filter(|d| d.view == View::Escalation)
        .map(|d| d.route.to_string())
        .collect();
    escalations.sort();
    assert_eq!(
        escalations,
        [
            "control_room.1",
            "control_room.2",
            "duty_inspector.1",
            "duty_inspector.2"
        ]
    );
    let entries = a.audit_entries().await.expect("audit");
    assert_eq!(entries.iter().filter(|e| e.event == "escalated").count(), 4);
    let (seq, hash) = a.audit_head().await.expect("head").expect("some");
    assert_eq!(
        audit::verify(&entries, Some((seq, &hash))),
        Ok(entries.len())
    );
}

#[tokio::test]
async fn two_gateways_writing_at_once_keep_one_unbroken_audit_chain() {
    let Some((c, db)) = fresh("two_gateways_writing_at_once_keep_one_unbroken_audit_chain") else {
        return;
    };
    let (a, b) = tokio::join!(open(c, &db), open(c, &db));
    let (a, b) = (Arc::new(a), Arc::new(b));
    let mut tasks = Vec::new();
    for i in 0..60 {
        let s = Arc::clone(if i % 2 == 0 { &a } else { &b });
        tasks.push(tokio::spawn(async move {
            let r = committed(&s, submission(&s, Priority::Routine, None)).await;
            // An outbox write and a partner change from the same gateway, in between.
            let now = 1_795_460_400 + 1;
            s.due(now, 4).await.expect("due");
            let id = DeliveryId::new(r, DeliveryRoute::route("mace_york"));
            if s.lease(&id, 0, now, now + 60).await.expect("lease") {
                s.record_attempt(&id, now, AttemptOutcome::Delivered)
                    .await
                    .expect("record");
            }
        }));
    }
    tasks.push(tokio::spawn({
        let a = Arc::clone(&a);
        async move {
            assert!(a.add_partner("nspcc", [1; 32], 5).await.expect("add"));
            assert!(!a.add_partner("nspcc", [2; 32], 6).await.expect("again"));
            assert!(a.revoke_partner("nspcc", 7).await.expect("revoke"));
            assert!(a.add_partner("nspcc", [3; 32], 8).await.expect("re-add"));
        }
    }));
    for t in tasks {
        t.await.expect("task");
    }
    let entries = b.audit_entries().await.expect("entries");
    let (seq, hash) = b.audit_head().await.expect("head").expect("some");
    assert_eq!(
        audit::verify(&entries, Some((seq, &hash))),
        Ok(entries.len())
    );
    // received + two sealed per submission, the deliveries recorded, three partner events.
    let received = entries.iter().filter(|e| e.event == "received").count();
    assert_eq!(received, 60);
    assert_eq!(
        b.partner_for_token([3; 32]).await.expect("partner"),
        Some("nspcc".into())
    );
    assert_eq!(b.partner_for_token([1; 32]).await.expect("partner"), None);
}

#[tokio::test]
async fn a_token_used_on_two_gateways_at_once_acknowledges_once() {
    let Some((c, db)) = fresh("a_token_used_on_two_gateways_at_once_acknowledges_once") else {
        return;
    };
    let (a, b) = tokio::join!(open(c, &db), open(c, &db));
    let r = committed(&a, submission(&a, Priority::Immediate, None)).await;
    a.add_ack_token(
        [5; 32],
        &r,
        "police_intelligence",
        AckKind::Acknowledge,
        100,
    )
    .await
    .expect("token");
    assert_eq!(
        b.ack_token_open([5; 32], 0).await.expect("open"),
        Some(AckKind::Acknowledge)
    );
    let latest = b
        .latest_ack_token(&r, "police_intelligence")
        .await
        .expect("latest")
        .expect("some");
    assert_eq!(
        (latest.hash, latest.issued_at, latest.used),
        ([5; 32], 100, false)
    );
    let (x, y) = tokio::join!(
        a.acknowledge([5; 32], 200, 0),
        b.acknowledge([5; 32], 200, 0)
    );
    let used: Vec<_> = [x.expect("a"), y.expect("b")]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(used.len(), 1, "{used:?}");
    // Acknowledged: nothing escalates.
    let routes = vec![EscalationRoute {
        name: "control_room".into(),
        mailbox: "c@example.invalid".into(),
    }];
    assert!(a
        .escalate_due(i64::MAX / 2, 600, routes)
        .await
        .expect("escalate")
        .is_empty());
}

#[tokio::test]
async fn a_purge_batch_is_taken_by_one_gateway() {
    let Some((c, db)) = fresh("a_purge_batch_is_taken_by_one_gateway") else {
        return;
    };
    let (a, b) = tokio::join!(open(c, &db), open(c, &db));
    for _ in 0..20 {
        committed(&a, submission(&a, Priority::Routine, None)).await;
    }
    c.psql(&db, "UPDATE deliveries SET state = 'delivered'")
        .expect("delivered");
    let policy = RetentionPolicy {
        grace_secs: 10,
        max_age_secs: 100,
        warn_secs: 10,
    };
    let now = 1_795_460_400 + 100;
    let (x, y) = tokio::join!(a.purge_due(now, policy), b.purge_due(now, policy));
    let (x, y) = (x.expect("a"), y.expect("b"));
    assert!(x
        .purged
        .iter()
        .chain(&y.purged)
        .all(|(_, why)| *why == PurgeReason::MaxAge));
    let mut purged: Vec<_> = x
        .purged
        .iter()
        .chain(&y.purged)
        .map(|(r, _)| r.as_str().to_string())
        .collect();
    purged.sort();
    purged.dedup();
    assert_eq!(x.purged.len() + y.purged.len(), 20, "each purged once");
    assert_eq!(purged.len(), 20);
    assert_eq!(c.count(&db, "SELECT COUNT(*) FROM envelopes"), 0);
    let entries = a.audit_entries().await.expect("entries");
    assert_eq!(entries.iter().filter(|e| e.event == "purged").count(), 20);
}

#[tokio::test]
async fn a_commit_wakes_another_gateways_outbox() {
    let Some((c, db)) = fresh("a_commit_wakes_another_gateways_outbox") else {
        return;
    };
    let a = open(c, &db).await;
    let wake = Arc::new(Notify::new());
    let b = open(c, &db).await;
    b.wake_on_remote_commit(Arc::clone(&wake));
    // The listener's first wake-up, once it listens, is for anything committed before.
    tokio::time::timeout(Duration::from_secs(20), wake.notified())
        .await
        .expect("listening");
    committed(&a, submission(&a, Priority::Routine, None)).await;
    tokio::time::timeout(Duration::from_secs(20), wake.notified())
        .await
        .expect("woken by a's commit");
    drop(b);
}

#[tokio::test]
async fn tls_to_the_database_is_verified_against_the_configured_ca() {
    let Some((c, db)) = fresh("tls_to_the_database_is_verified_against_the_configured_ca") else {
        return;
    };
    let mut s = settings(c, &db);
    s.postgres_url = c.tls_url(&db);
    s.postgres_ca_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs-example/ca.pem").into();
    let spool = PostgresSpool::open(&s).await.expect("open over TLS");
    let ssl = c.count(
        "postgres",
        &format!(
            "SELECT COUNT(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
             WHERE ssl AND datname = '{db}'"
        ),
    );
    assert!(ssl >= 1, "connections use TLS");
    drop(spool);
    // The system roots do not vouch for the example certificate: refused, not downgraded.
    s.postgres_ca_file = std::path::PathBuf::new();
    assert!(PostgresSpool::open(&s).await.is_err());
    // Nor does a wrong password get in.
    s.postgres_url = c.url(&db);
    let wrong = c.dir.join("wrong-password");
    std::fs::write(&wrong, "not-it").expect("write");
    s.postgres_password_file = wrong;
    assert!(PostgresSpool::open(&s).await.is_err());
}

#[tokio::test]
async fn the_upgrade_drops_what_earlier_versions_kept_in_clear() {
    let Some((c, db)) = fresh("the_upgrade_drops_what_earlier_versions_kept_in_clear") else {
        return;
    };
    // A database an earlier gateway migrated to 0005, with a professional's unconfirmed
    // address and a MACE notice's codes in clear.
    let mut sql = String::from(
        "SET ROLE pisg; CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY,
             name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());",
    );
    for (i, (name, m)) in crate::spool::postgres::migrate::MIGRATIONS[..5]
        .iter()
        .enumerate()
    {
        sql.push_str(m);
        sql.push_str(&format!(
            ";INSERT INTO schema_migrations (version, name) VALUES ({}, '{name}');",
            i + 1
        ));
    }
    sql.push_str(
        "INSERT INTO submissions (id, reference, received_at, form_id, form_version, priority,
             reason_codes, received_unix)
         VALUES (1, 'PIS-AAAA-BBBB', '2026-01-01T00:00:00Z', 'professional', 1, 'ROUTINE', '[]', 100);
         INSERT INTO follow_ups (submission, lookup_id, recipient, status_at, notify)
         VALUES (1, decode(repeat('00', 32), 'hex'), 'age1x', 100, 'dsl@example.sch.uk');
         INSERT INTO deliveries (submission, route, mailbox, view, notice, rank, state,
             next_attempt_at, retry_from, ack_kind)
         VALUES (1, 'follow_up.1', 'dsl@example.sch.uk', 'follow_up', NULL, 1, 'pending', 100, 100, 'receipt'),
                (1, 'mace_selby', 'mace@example.invalid', 'notice', 'CCE SELBY', 2, 'delivered', 100, 100, 'receipt');",
    );
    c.psql(&db, &sql).expect("an earlier database");

    drop(open(c, &db).await);
    assert_eq!(
        c.psql(&db, "SELECT COALESCE(notify, '-') FROM follow_ups")
            .expect("read"),
        "-"
    );
    assert_eq!(
        c.psql(
            &db,
            "SELECT string_agg(route || ',' || mailbox || ',' || state || ',' || COALESCE(notice, '-'), ';' ORDER BY route) FROM deliveries"
        )
        .expect("read"),
        "follow_up.1,,dead,-;mace_selby,mace@example.invalid,delivered,-"
    );
}
