//! The spool's contract: what every backend must do, written once against the spool's traits and
//! run against each backend.
//!
//! A backend is added with one line at the bottom of this file:
//!
//! ```ignore
//! contract!(postgres, crate::spool_contract::postgres());
//! ```
//!
//! where the expression is a future of `Option<Backend>`: `None` (after printing `SKIPPED: …`
//! with the reason) when the backend cannot be reached here.

use pis_gateway::ack::{AckKind, Used};
use pis_gateway::config::{SpoolBackend, SpoolSettings};
use pis_gateway::reference::Reference;
use pis_gateway::spool::audit;
use pis_gateway::spool::{
    AttemptOutcome, CaseStatus, CommitOutcome, DeliveryId, DeliveryRoute, DeliveryState,
    EscalationRoute, FollowUpKey, MessageFrom, NewEnvelope, NewSubmission, NoticeAddress,
    PartnerRecord, PurgeReason, RetentionPolicy, Spool, View,
};
use pis_gateway::triage::Priority;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub(crate) type Opened = Pin<Box<dyn Future<Output = Arc<dyn Spool>> + Send>>;

/// A backend under test: an empty store, opened as often as a case needs (a restart, or a
/// second gateway on the same store).
pub(crate) struct Backend {
    pub open: Box<dyn Fn() -> Opened + Send + Sync>,
    /// Whatever keeps the store alive for the test (a temporary folder, a throwaway database).
    pub keep: Box<dyn std::any::Any + Send + Sync>,
}

/// One secrets key for every store this test process makes, made once, before any store
/// opens: a copy is sealed under its source's key, which the destination must share (as
/// `spool copy` makes sure of).
pub(crate) fn shared_secrets_key() -> std::path::PathBuf {
    static KEY: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = KEY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        pis_gateway::secrets_key::SecretsKey::load_or_create(&dir.path().join("secrets.key"))
            .expect("the secrets key");
        dir
    });
    dir.path().join("secrets.key")
}

/// A fresh SQLite spool in a temporary folder.
pub(crate) async fn sqlite() -> Option<Backend> {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = SpoolSettings {
        backend: SpoolBackend::Sqlite,
        dir: dir.path().join("spool"),
        secrets_key_file: shared_secrets_key(),
        ..pis_gateway::config::Settings::default().spool
    };
    Some(Backend {
        open: opener(settings),
        keep: Box::new(dir),
    })
}

/// A fresh database of its own on the throwaway PostgreSQL cluster (tests/support), or
/// SKIPPED where there is no PostgreSQL to run.
pub(crate) async fn postgres() -> Option<Backend> {
    let cluster = crate::pg_cluster::or_skip("spool contract on PostgreSQL")?;
    let db = cluster.database().expect("a database");
    let settings = postgres_settings(cluster, &db);
    Some(Backend {
        open: opener(settings),
        keep: Box::new(db),
    })
}

/// The spool settings for a database on the test cluster.
pub(crate) fn postgres_settings(cluster: &crate::pg_cluster::Cluster, db: &str) -> SpoolSettings {
    SpoolSettings {
        backend: SpoolBackend::Postgres,
        postgres_url: cluster.url(db),
        postgres_password_file: cluster.password_file(),
        postgres_pool_size: 4,
        secrets_key_file: shared_secrets_key(),
        ..pis_gateway::config::Settings::default().spool
    }
}

fn opener(settings: SpoolSettings) -> Box<dyn Fn() -> Opened + Send + Sync> {
    Box::new(move || {
        let settings = settings.clone();
        Box::pin(async move {
            pis_gateway::spool::open(&settings)
                .await
                .expect("open the spool")
        })
    })
}

/// Runs every case of the contract against the backend the expression makes.
macro_rules! contract {
    ($name:ident, $backend:expr) => {
        mod $name {
            contract!(@cases $backend;
                commits_are_durable_and_survive_reopening,
                a_form_token_commits_once_and_then_names_its_reference,
                a_taken_number_is_reported_not_overwritten,
                two_gateways_on_one_store_never_share_a_reference,
                references_are_drawn_once_and_keep_their_key_across_restarts,
                the_outbox_sends_most_urgent_first_and_records_each_attempt,
                dead_letters_are_listed_counted_and_requeued,
                ack_tokens_are_found_used_once_and_expire,
                escalation_repeats_each_round_until_acknowledged,
                retention_purges_only_what_is_due_and_warns_once,
                the_audit_chain_records_every_change_and_verifies,
                partners_are_added_revoked_and_re_added,
                secrets_are_created_once_and_kept,
                evidence_files_are_kept_per_route_in_order_and_purged_with_the_envelope,
                a_download_link_opens_its_file_once_with_an_audit_event_until_it_expires,
                a_new_download_link_replaces_the_unused_one_to_the_same_file,
                a_follow_up_key_commits_with_its_submission_and_keeps_status_and_messages,
                a_professional_notice_is_queued_for_each_reply_and_only_when_asked_for,
                officer_nonces_are_used_once_and_forgotten_after_their_window,
                the_follow_up_thread_is_purged_with_the_submission,
                a_share_with_mace_is_stored_sealed_queued_once_per_route_and_audited,
                workflow_steps_are_numbered_audited_shown_with_shares_and_purged,
                nothing_is_recorded_after_closed_but_a_grade_may_be_revised,
                drafts_are_found_by_id_replaced_deleted_and_gone_when_idle,
                idle_drafts_are_purged_by_housekeeping_and_counted,
            );

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_copy_into_an_empty_store_matches_its_source() {
                let (Some(a), Some(b)) = ($backend.await, $backend.await) else {
                    return;
                };
                crate::spool_contract::a_copy_into_an_empty_store_matches_its_source(&a, &b)
                    .await;
                drop((a.keep, b.keep));
            }
        }
    };
    (@cases $backend:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(backend) = $backend.await else {
                    return;
                };
                crate::spool_contract::$case(&backend).await;
                drop(backend.keep);
            }
        )*
    };
}

contract!(sqlite_backend, crate::spool_contract::sqlite());
contract!(postgres_backend, crate::spool_contract::postgres());

/// Moving a deployment between backends: SQLite into PostgreSQL, and back.
mod across_backends {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sqlite_spool_copied_into_postgres_matches_and_carries_on() {
        let (Some(a), Some(b)) = (
            crate::spool_contract::sqlite().await,
            crate::spool_contract::postgres().await,
        ) else {
            return;
        };
        crate::spool_contract::a_copy_into_an_empty_store_matches_its_source(&a, &b).await;
        drop((a.keep, b.keep));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_postgres_spool_copied_into_sqlite_matches_and_carries_on() {
        let (Some(a), Some(b)) = (
            crate::spool_contract::postgres().await,
            crate::spool_contract::sqlite().await,
        ) else {
            return;
        };
        crate::spool_contract::a_copy_into_an_empty_store_matches_its_source(&a, &b).await;
        drop((a.keep, b.keep));
    }
}

const POLICE: &str = "police_intelligence";

fn r(number_of: &CommitOutcome) -> Reference {
    match number_of {
        CommitOutcome::Committed(r) => r.clone(),
        other => panic!("not committed: {other:?}"),
    }
}

/// A submission to police intelligence (full view, an envelope) and, when `notice`, a notice to
/// a MACE inbox (no envelope, receipt only).
fn submission(
    spool: &dyn Spool,
    received_unix: i64,
    priority: Priority,
    token: Option<[u8; 32]>,
    ack_deadline: Option<i64>,
    notice: bool,
) -> NewSubmission {
    let (number, reference) = spool.next_reference().expect("a reference");
    let mut envelopes = vec![NewEnvelope {
        route: POLICE.into(),
        mailbox: "intel@example.invalid".into(),
        view: View::Full,
        body: Some(format!("ciphertext of {reference}").into_bytes()),
        notice: None,
        ack: AckKind::Acknowledge,
        attachments: vec![],
    }];
    if notice {
        envelopes.push(NewEnvelope {
            route: "mace_selby".into(),
            mailbox: "mace@example.invalid".into(),
            view: View::Notice,
            body: None,
            notice: Some(r#"{"categories":["CCE"],"localities":["SELBY"]}"#.into()),
            ack: AckKind::ConfirmReceipt,
            attachments: vec![],
        });
    }
    NewSubmission {
        number,
        reference,
        received_at: "2026-11-23T19:00:00Z".into(),
        received_unix,
        form_id: "community".into(),
        form_version: 3,
        priority,
        reason_codes: vec!["gate_immediate".into()],
        token_hash: token,
        ack_deadline,
        envelopes,
        follow_up: None,
        follow_up_notice: None,
    }
}

async fn commit(spool: &dyn Spool, s: NewSubmission) -> Reference {
    r(&spool.commit(s).await.expect("commit"))
}

fn police(reference: &Reference) -> DeliveryId {
    DeliveryId::new(reference.clone(), DeliveryRoute::route(POLICE))
}

async fn state(spool: &dyn Spool, reference: &Reference, route: &str) -> DeliveryState {
    spool
        .deliveries(reference)
        .await
        .expect("read")
        .into_iter()
        .find(|d| d.route.to_string() == route)
        .unwrap_or_else(|| panic!("no delivery {route}"))
        .state
}

async fn events(spool: &dyn Spool) -> Vec<String> {
    spool
        .audit_entries()
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.event)
        .collect()
}

pub(crate) async fn commits_are_durable_and_survive_reopening(b: &Backend) {
    let spool = (b.open)().await;
    let mut handles = Vec::new();
    for i in 0..40 {
        let s = Arc::clone(&spool);
        handles.push(tokio::spawn(async move {
            let sub = submission(&*s, 1_000 + i, Priority::Routine, None, None, i % 2 == 0);
            s.commit(sub).await
        }));
    }
    let mut refs = Vec::new();
    for h in handles {
        refs.push(r(&h.await.expect("join").expect("commit")));
    }
    assert_eq!(refs.iter().collect::<HashSet<_>>().len(), 40);
    drop(spool);

    let spool = (b.open)().await;
    assert_eq!(spool.count_submissions().await.expect("count"), 40);
    for reference in &refs {
        let record = spool
            .submission(reference)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(&record.reference, reference);
        assert_eq!(record.priority, Priority::Routine);
        assert_eq!(record.form_id, "community");
        assert_eq!(record.form_version, 3);
        assert_eq!(record.received_at, "2026-11-23T19:00:00Z");
        assert_eq!(record.reason_codes, ["gate_immediate"]);
        let envelopes = spool.envelopes(reference).await.expect("read");
        assert_eq!(envelopes.len(), 1, "a notice has no envelope");
        assert_eq!(envelopes[0].route, POLICE);
        assert_eq!(envelopes[0].view, View::Full);
        assert_eq!(
            envelopes[0].body,
            format!("ciphertext of {reference}").into_bytes()
        );
        let deliveries = spool.deliveries(reference).await.expect("read");
        assert!(deliveries
            .iter()
            .all(|d| d.state == DeliveryState::Pending && d.attempts == 0));
        let to_police = deliveries
            .iter()
            .find(|d| d.route == DeliveryRoute::route(POLICE))
            .expect("a delivery to police intelligence");
        assert_eq!(to_police.mailbox, "intel@example.invalid");
        assert_eq!(to_police.view, View::Full);
    }
    let unknown = Reference::parse("PIS-2222-2222").expect("reference");
    assert!(spool.submission(&unknown).await.expect("read").is_none());
    assert!(spool.envelopes(&unknown).await.expect("read").is_empty());
    assert!(spool.deliveries(&unknown).await.expect("read").is_empty());
    spool.probe_writable().await.expect("writable");
}

pub(crate) async fn a_form_token_commits_once_and_then_names_its_reference(b: &Backend) {
    let spool = (b.open)().await;
    let first = commit(
        &*spool,
        submission(&*spool, 10, Priority::Priority, Some([7; 32]), None, false),
    )
    .await;
    let again = spool
        .commit(submission(
            &*spool,
            20,
            Priority::Immediate,
            Some([7; 32]),
            None,
            false,
        ))
        .await
        .expect("commit");
    assert_eq!(again, CommitOutcome::Duplicate(first.clone()));
    assert_eq!(
        spool.reference_for_token([7; 32]).await.expect("read"),
        Some(first.clone())
    );
    assert_eq!(
        spool.reference_for_token([8; 32]).await.expect("read"),
        None
    );
    assert_eq!(spool.count_submissions().await.expect("count"), 1);
    let kept = spool.submission(&first).await.expect("read").expect("kept");
    assert_eq!(kept.priority, Priority::Priority, "the original is kept");
}

pub(crate) async fn a_taken_number_is_reported_not_overwritten(b: &Backend) {
    let spool = (b.open)().await;
    let s = submission(&*spool, 10, Priority::Routine, None, None, false);
    let mut twin = submission(&*spool, 99, Priority::Immediate, None, None, false);
    twin.number = s.number;
    twin.reference = s.reference.clone();
    let reference = commit(&*spool, s).await;
    assert_eq!(
        spool.commit(twin).await.expect("commit"),
        CommitOutcome::ReferenceTaken
    );
    let kept = spool
        .submission(&reference)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(kept.priority, Priority::Routine);
    assert_eq!(spool.count_submissions().await.expect("count"), 1);
}

pub(crate) async fn two_gateways_on_one_store_never_share_a_reference(b: &Backend) {
    let a = (b.open)().await;
    let other = (b.open)().await;
    let mut refs = Vec::new();
    for i in 0..6 {
        let spool = if i % 2 == 0 { &a } else { &other };
        // As intake does: a reference someone else took is sealed again under a fresh one.
        let mut committed = None;
        for _ in 0..4 {
            let sub = submission(&**spool, 10 + i, Priority::Routine, None, None, false);
            match spool.commit(sub).await.expect("commit") {
                CommitOutcome::Committed(r) => {
                    committed = Some(r);
                    break;
                }
                CommitOutcome::ReferenceTaken => continue,
                other => panic!("{other:?}"),
            }
        }
        refs.push(committed.expect("committed within four draws"));
    }
    assert_eq!(refs.iter().collect::<HashSet<_>>().len(), 6);
    for r in &refs {
        assert!(a.submission(r).await.expect("read").is_some());
        assert!(other.submission(r).await.expect("read").is_some());
    }
    assert_eq!(a.count_submissions().await.expect("count"), 6);
}

pub(crate) async fn references_are_drawn_once_and_keep_their_key_across_restarts(b: &Backend) {
    let spool = (b.open)().await;
    let drawn: Vec<(u64, Reference)> = (0..50)
        .map(|_| spool.next_reference().expect("draw"))
        .collect();
    let numbers: HashSet<u64> = drawn.iter().map(|(n, _)| *n).collect();
    let references: HashSet<&Reference> = drawn.iter().map(|(_, r)| r).collect();
    assert_eq!(numbers.len(), 50);
    assert_eq!(references.len(), 50);
    for (_, r) in &drawn {
        assert_eq!(Reference::parse(r.as_str()).as_ref(), Some(r));
    }
    let sub = submission(&*spool, 10, Priority::Routine, None, None, false);
    let committed_number = sub.number;
    assert!(!numbers.contains(&committed_number), "never drawn twice");
    let first = commit(&*spool, sub).await;
    drop(spool);

    let spool = (b.open)().await;
    // The reference key is the store's: a reference from before the restart still finds its
    // submission, and numbering goes on past every number committed.
    assert!(spool.submission(&first).await.expect("read").is_some());
    let sub = submission(&*spool, 20, Priority::Routine, None, None, false);
    assert!(sub.number > committed_number);
    assert_ne!(sub.reference, first);
    let again = commit(&*spool, sub).await;
    assert!(spool.submission(&again).await.expect("read").is_some());
    assert_eq!(spool.count_submissions().await.expect("count"), 2);
}

pub(crate) async fn the_outbox_sends_most_urgent_first_and_records_each_attempt(b: &Backend) {
    let spool = (b.open)().await;
    let routine = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, false),
    )
    .await;
    let priority = commit(
        &*spool,
        submission(&*spool, 150, Priority::Priority, None, None, false),
    )
    .await;
    let immediate = commit(
        &*spool,
        submission(&*spool, 200, Priority::Immediate, None, None, true),
    )
    .await;
    assert!(spool.due(99, 10).await.expect("due").is_empty());
    assert_eq!(spool.next_due_at().await.expect("next"), Some(100));

    let due = spool.due(1_000, 10).await.expect("due");
    let order: Vec<(&Reference, String)> = due
        .iter()
        .map(|d| (&d.id.reference, d.id.route.to_string()))
        .collect();
    // Most urgent first; within a rank, oldest first.
    assert_eq!(order[0].0, &immediate);
    assert_eq!(order[1].0, &immediate);
    assert_eq!(
        order[2..],
        [
            (&priority, POLICE.to_string()),
            (&routine, POLICE.to_string())
        ]
    );
    let notice = due
        .iter()
        .find(|d| d.view == View::Notice)
        .expect("the notice is due");
    assert_eq!(notice.envelope, None);
    assert!(notice
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("SELBY")));
    assert_eq!(notice.ack, AckKind::ConfirmReceipt);
    let full = due
        .iter()
        .find(|d| d.id == police(&immediate))
        .expect("due");
    assert_eq!(full.priority, Priority::Immediate);
    assert_eq!(full.rank, 0);
    assert_eq!(full.attempts, 0);
    assert_eq!(full.retry_from, 200);
    assert_eq!(full.ack, AckKind::Acknowledge);
    assert_eq!(full.form_id, "community");
    assert_eq!(
        full.envelope.as_deref(),
        Some(format!("ciphertext of {immediate}").as_bytes())
    );
    assert_eq!(spool.due(1_000, 2).await.expect("due").len(), 2);

    // A lease is granted only on a delivery that is still due as it was read.
    let id = police(&immediate);
    assert!(
        !spool.lease(&id, 0, 150, 750).await.expect("lease"),
        "not due yet"
    );
    assert!(!spool.lease(&id, 1, 1_000, 1_600).await.expect("lease"));
    assert!(spool.lease(&id, 0, 1_000, 1_600).await.expect("lease"));
    spool
        .record_attempt(
            &id,
            1_000,
            AttemptOutcome::Retry {
                next_at: 1_300,
                class: "smtp_4xx".into(),
            },
        )
        .await
        .expect("recorded");
    let d = spool.deliveries(&immediate).await.expect("read");
    let d = d
        .iter()
        .find(|d| d.route.to_string() == POLICE)
        .expect("row");
    assert_eq!(
        (d.state, d.attempts, d.next_attempt_at),
        (DeliveryState::Pending, 1, 1_300)
    );
    assert_eq!(d.last_error_class.as_deref(), Some("smtp_4xx"));
    assert!(!spool.lease(&id, 0, 1_400, 2_000).await.expect("lease"));
    assert!(!spool
        .due(1_000, 10)
        .await
        .expect("due")
        .iter()
        .any(|d| d.id == id));
    let again = spool.due(1_300, 10).await.expect("due");
    let again = again.iter().find(|d| d.id == id).expect("due again");
    assert_eq!(again.attempts, 1);

    spool
        .record_attempt(&id, 1_300, AttemptOutcome::Delivered)
        .await
        .expect("recorded");
    let d = spool.deliveries(&immediate).await.expect("read");
    let d = d
        .iter()
        .find(|d| d.route.to_string() == POLICE)
        .expect("row");
    assert_eq!((d.state, d.attempts), (DeliveryState::Delivered, 2));
    assert_eq!(d.delivered_at, Some(1_300));
    assert!(!spool.lease(&id, 2, 2_000, 2_600).await.expect("lease"));
    assert_eq!(spool.requeue(&immediate, 2_000).await.expect("requeue"), 1);
    assert_eq!(
        state(&*spool, &immediate, POLICE).await,
        DeliveryState::Delivered,
        "a delivered email is not queued again (only the notice was)"
    );
    let events = events(&*spool).await;
    for event in ["received", "sealed", "delivery_failed", "delivered"] {
        assert!(events.iter().any(|e| e == event), "{event} in {events:?}");
    }
}

pub(crate) async fn dead_letters_are_listed_counted_and_requeued(b: &Backend) {
    let spool = (b.open)().await;
    let dead = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, false),
    )
    .await;
    let waiting = commit(
        &*spool,
        submission(&*spool, 300, Priority::Routine, None, None, false),
    )
    .await;
    spool
        .record_attempt(
            &police(&dead),
            500,
            AttemptOutcome::Dead {
                class: "smtp_5xx".into(),
            },
        )
        .await
        .expect("recorded");
    let listed: Vec<(Reference, DeliveryState)> = spool
        .outbox()
        .await
        .expect("outbox")
        .into_iter()
        .map(|d| (d.reference, d.state))
        .collect();
    assert_eq!(
        listed,
        [
            (dead.clone(), DeliveryState::Dead),
            (waiting.clone(), DeliveryState::Pending)
        ]
    );
    let d = &spool.deliveries(&dead).await.expect("read")[0];
    assert_eq!(d.dead_at, Some(500));
    assert_eq!(d.last_error_class.as_deref(), Some("smtp_5xx"));
    let stats = spool.outbox_stats(1_000).await.expect("stats");
    assert_eq!((stats.pending, stats.dead), (1, 1));
    assert_eq!(stats.oldest_pending_secs, 700);
    assert!(spool
        .due(10_000, 10)
        .await
        .expect("due")
        .iter()
        .all(|d| d.id.reference != dead));

    assert_eq!(spool.requeue(&dead, 2_000).await.expect("requeue"), 1);
    let d = &spool.deliveries(&dead).await.expect("read")[0];
    assert_eq!(
        (d.state, d.next_attempt_at, d.dead_at),
        (DeliveryState::Pending, 2_000, None)
    );
    let stats = spool.outbox_stats(2_000).await.expect("stats");
    assert_eq!((stats.pending, stats.dead), (2, 0));
    assert_eq!(
        stats.oldest_pending_secs, 1_700,
        "the waiting one, from 300"
    );
    let unknown = Reference::parse("PIS-2222-2222").expect("reference");
    assert_eq!(spool.requeue(&unknown, 2_000).await.expect("requeue"), 0);
    let events = events(&*spool).await;
    assert!(events.iter().any(|e| e == "dead_lettered"));
    assert!(events.iter().any(|e| e == "requeued"));
    assert_eq!(
        spool
            .outbox_stats(0)
            .await
            .expect("stats")
            .oldest_pending_secs,
        0,
        "never negative"
    );
}

pub(crate) async fn ack_tokens_are_found_used_once_and_expire(b: &Backend) {
    let spool = (b.open)().await;
    let s = commit(
        &*spool,
        submission(&*spool, 1_000, Priority::Immediate, None, Some(1_900), true),
    )
    .await;
    let (old, mace, newest) = ([1; 32], [2; 32], [3; 32]);
    spool
        .add_ack_token(old, &s, POLICE, AckKind::Acknowledge, 1_100)
        .await
        .expect("token");
    spool
        .add_ack_token(mace, &s, "mace_selby", AckKind::ConfirmReceipt, 1_100)
        .await
        .expect("token");
    spool
        .add_ack_token(newest, &s, POLICE, AckKind::Acknowledge, 1_200)
        .await
        .expect("token");
    let latest = spool
        .latest_ack_token(&s, POLICE)
        .await
        .expect("read")
        .expect("issued");
    assert_eq!(
        (latest.hash, latest.issued_at, latest.used),
        (newest, 1_200, false)
    );
    assert_eq!(
        spool
            .latest_ack_token(&s, "control_room")
            .await
            .expect("read"),
        None
    );

    assert_eq!(
        spool.ack_token_open(old, 1_000).await.expect("read"),
        Some(AckKind::Acknowledge)
    );
    assert_eq!(
        spool.ack_token_open(mace, 1_000).await.expect("read"),
        Some(AckKind::ConfirmReceipt)
    );
    assert_eq!(
        spool.ack_token_open(old, 1_150).await.expect("read"),
        None,
        "expired"
    );
    assert_eq!(spool.ack_token_open([9; 32], 0).await.expect("read"), None);
    assert_eq!(
        spool.acknowledge(old, 1_300, 1_150).await.expect("ack"),
        None,
        "expired"
    );

    // Receipt is recorded and stops nothing.
    assert_eq!(
        spool.acknowledge(mace, 1_300, 0).await.expect("ack"),
        Some(Used {
            reference: s.to_string(),
            route: "mace_selby".into(),
            kind: AckKind::ConfirmReceipt,
        })
    );
    assert_eq!(
        spool.acknowledge(mace, 1_301, 0).await.expect("ack"),
        None,
        "once"
    );
    let esc = vec![EscalationRoute {
        name: "escalation".into(),
        mailbox: "duty@example.invalid".into(),
    }];
    assert_eq!(
        spool
            .escalate_due(1_900, 900, esc.clone())
            .await
            .expect("escalate"),
        vec![s.clone()]
    );

    // An acknowledgement stops escalation.
    assert_eq!(
        spool.acknowledge(old, 2_000, 0).await.expect("ack"),
        Some(Used {
            reference: s.to_string(),
            route: POLICE.into(),
            kind: AckKind::Acknowledge,
        })
    );
    assert_eq!(
        spool.ack_token_open(old, 0).await.expect("read"),
        None,
        "used"
    );
    let latest = spool
        .latest_ack_token(&s, POLICE)
        .await
        .expect("read")
        .expect("issued");
    assert!(!latest.used, "the newest token is another one");
    assert!(spool
        .escalate_due(100_000, 900, esc)
        .await
        .expect("escalate")
        .is_empty());
    let events = events(&*spool).await;
    assert!(events.iter().any(|e| e == "receipt_confirmed"));
    assert!(events.iter().any(|e| e == "acknowledged"));
}

pub(crate) async fn escalation_repeats_each_round_until_acknowledged(b: &Backend) {
    let spool = (b.open)().await;
    let s = commit(
        &*spool,
        submission(&*spool, 100, Priority::Immediate, None, Some(1_000), false),
    )
    .await;
    let never = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, false),
    )
    .await;
    let routes = vec![
        EscalationRoute {
            name: "duty".into(),
            mailbox: "duty@example.invalid".into(),
        },
        EscalationRoute {
            name: "inspector".into(),
            mailbox: "inspector@example.invalid".into(),
        },
    ];
    assert!(spool
        .escalate_due(999, 900, routes.clone())
        .await
        .expect("escalate")
        .is_empty());
    assert_eq!(
        spool
            .escalate_due(1_060, 900, routes.clone())
            .await
            .expect("escalate"),
        vec![s.clone()]
    );
    assert!(
        spool
            .escalate_due(1_060, 900, routes.clone())
            .await
            .expect("escalate")
            .is_empty(),
        "once a round"
    );
    let due = spool.due(1_060, 10).await.expect("due");
    let round: Vec<_> = due.iter().filter(|d| d.view == View::Escalation).collect();
    assert_eq!(round.len(), 2);
    let duty = round
        .iter()
        .find(|d| d.id.route.route_name() == "duty")
        .expect("duty");
    assert_eq!(
        duty.id.route,
        DeliveryRoute::Escalation {
            route: "duty".into(),
            round: 1
        }
    );
    assert_eq!(duty.mailbox, "duty@example.invalid");
    assert_eq!((duty.rank, duty.envelope.as_ref()), (0, None));
    assert_eq!(duty.ack, AckKind::Acknowledge);
    let notice: serde_json::Value =
        serde_json::from_str(duty.notice.as_deref().expect("notice")).expect("json");
    assert_eq!(notice["escalation"], 1);
    assert_eq!(notice["overdue_minutes"], 1);
    assert_eq!(notice["routes"], serde_json::json!([POLICE]));

    assert!(spool
        .escalate_due(1_959, 900, routes.clone())
        .await
        .expect("escalate")
        .is_empty());
    assert_eq!(
        spool
            .escalate_due(1_960, 900, routes.clone())
            .await
            .expect("escalate"),
        vec![s.clone()]
    );
    let names: Vec<String> = spool
        .deliveries(&s)
        .await
        .expect("read")
        .into_iter()
        .filter(|d| d.view == View::Escalation)
        .map(|d| d.route.to_string())
        .collect();
    assert_eq!(names, ["duty.1", "duty.2", "inspector.1", "inspector.2"]);
    assert!(spool.deliveries(&never).await.expect("read").len() == 1);
    let escalated = spool
        .audit_entries()
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.event == "escalated")
        .count();
    assert_eq!(escalated, 4, "one event per route and round");

    spool
        .add_ack_token([5; 32], &s, "duty", AckKind::Acknowledge, 2_000)
        .await
        .expect("token");
    assert!(spool
        .acknowledge([5; 32], 2_001, 0)
        .await
        .expect("ack")
        .is_some());
    assert!(spool
        .escalate_due(100_000, 900, routes)
        .await
        .expect("escalate")
        .is_empty());
}

pub(crate) async fn retention_purges_only_what_is_due_and_warns_once(b: &Backend) {
    let spool = (b.open)().await;
    let policy = RetentionPolicy {
        grace_secs: 10,
        max_age_secs: 1_000,
        warn_secs: 100,
    };
    let acked = commit(
        &*spool,
        submission(&*spool, 0, Priority::Routine, None, None, false),
    )
    .await;
    let unacked = commit(
        &*spool,
        submission(&*spool, 0, Priority::Routine, None, None, false),
    )
    .await;
    let pending = commit(
        &*spool,
        submission(&*spool, 0, Priority::Routine, None, None, false),
    )
    .await;
    for r in [&acked, &unacked] {
        spool
            .record_attempt(&police(r), 5, AttemptOutcome::Delivered)
            .await
            .expect("delivered");
    }
    spool
        .add_ack_token([4; 32], &acked, POLICE, AckKind::Acknowledge, 5)
        .await
        .expect("token");
    assert!(spool
        .acknowledge([4; 32], 50, 0)
        .await
        .expect("ack")
        .is_some());

    let report = spool.purge_due(55, policy).await.expect("purge");
    assert!(report.purged.is_empty() && report.warned.is_empty() && !report.more);
    let report = spool.purge_due(61, policy).await.expect("purge");
    assert_eq!(report.purged, vec![(acked.clone(), PurgeReason::Grace)]);
    assert!(spool.envelopes(&acked).await.expect("read").is_empty());
    assert!(
        spool.submission(&acked).await.expect("read").is_some(),
        "the content-free record stays"
    );
    assert!(spool
        .purge_due(62, policy)
        .await
        .expect("purge")
        .purged
        .is_empty());

    let report = spool.purge_due(899, policy).await.expect("purge");
    assert!(report.warned.is_empty());
    let report = spool.purge_due(901, policy).await.expect("purge");
    assert_eq!(
        report.warned,
        vec![unacked.clone()],
        "announced before the maximum age"
    );
    assert!(report.purged.is_empty());
    assert!(
        spool
            .purge_due(902, policy)
            .await
            .expect("purge")
            .warned
            .is_empty(),
        "once"
    );

    let report = spool.purge_due(1_001, policy).await.expect("purge");
    assert_eq!(report.purged, vec![(unacked.clone(), PurgeReason::MaxAge)]);
    assert!(spool.envelopes(&unacked).await.expect("read").is_empty());
    // A delivery still to be made keeps its envelope, however old.
    let report = spool.purge_due(1_000_000, policy).await.expect("purge");
    assert!(report.purged.is_empty());
    assert_eq!(spool.envelopes(&pending).await.expect("read").len(), 1);
    let purged = spool
        .audit_entries()
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.event == "purged")
        .map(|e| (e.reference, e.code))
        .collect::<Vec<_>>();
    assert_eq!(
        purged,
        [
            (Some(acked.to_string()), Some("grace".to_string())),
            (Some(unacked.to_string()), Some("max_age".to_string()))
        ]
    );
}

/// An audit entry without its hashes: event, reference, route, code, time.
type Summary<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    i64,
);

pub(crate) async fn the_audit_chain_records_every_change_and_verifies(b: &Backend) {
    let spool = (b.open)().await;
    assert_eq!(spool.audit_head().await.expect("head"), None);
    assert!(spool.audit_entries().await.expect("audit").is_empty());
    let s = commit(
        &*spool,
        submission(&*spool, 100, Priority::Priority, None, None, true),
    )
    .await;
    spool
        .record_attempt(&police(&s), 200, AttemptOutcome::Delivered)
        .await
        .expect("recorded");
    assert!(spool.add_partner("nyp", [1; 32], 300).await.expect("add"));
    let entries = spool.audit_entries().await.expect("audit");
    let summary: Vec<Summary<'_>> = entries
        .iter()
        .map(|e| {
            (
                e.event.as_str(),
                e.reference.as_deref(),
                e.route.as_deref(),
                e.code.as_deref(),
                e.at,
            )
        })
        .collect();
    let r = Some(s.as_str());
    assert_eq!(
        summary,
        [
            ("received", r, None, Some("PRIORITY"), 100),
            ("sealed", r, Some(POLICE), Some("full"), 100),
            ("sealed", r, Some("mace_selby"), Some("notice"), 100),
            ("delivered", r, Some(POLICE), None, 200),
            ("partner_added", None, None, Some("nyp"), 300),
        ]
    );
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    let (seq, hash) = spool.audit_head().await.expect("head").expect("some");
    assert_eq!((seq, &hash), (5, &entries[4].hash));
    assert_eq!(audit::verify(&entries, Some((seq, &hash))), Ok(5));
    let mut edited = entries.clone();
    edited[1].route = Some("control_room".into());
    assert!(audit::verify(&edited, None).is_err());
    drop(spool);
    let spool = (b.open)().await;
    spool
        .record_attempt(&police(&s), 400, AttemptOutcome::Delivered)
        .await
        .expect("recorded");
    let entries = spool.audit_entries().await.expect("audit");
    assert_eq!(
        audit::verify(&entries, Some((seq, &hash))),
        Ok(6),
        "the chain goes on across a restart"
    );
}

pub(crate) async fn partners_are_added_revoked_and_re_added(b: &Backend) {
    let spool = (b.open)().await;
    assert!(spool.partners().await.expect("list").is_empty());
    assert!(spool.add_partner("nyp", [1; 32], 10).await.expect("add"));
    assert!(
        !spool.add_partner("nyp", [2; 32], 11).await.expect("add"),
        "an active partner's token is never replaced"
    );
    assert_eq!(
        spool
            .partner_for_token([1; 32])
            .await
            .expect("read")
            .as_deref(),
        Some("nyp")
    );
    assert_eq!(spool.partner_for_token([2; 32]).await.expect("read"), None);
    assert!(spool.revoke_partner("nyp", 20).await.expect("revoke"));
    assert!(!spool.revoke_partner("nyp", 21).await.expect("revoke"));
    assert!(!spool.revoke_partner("nobody", 21).await.expect("revoke"));
    assert_eq!(spool.partner_for_token([1; 32]).await.expect("read"), None);
    assert_eq!(
        spool.partners().await.expect("list"),
        [PartnerRecord {
            name: "nyp".into(),
            created_at: 10,
            revoked_at: Some(20)
        }]
    );
    assert!(spool.add_partner("nyp", [3; 32], 30).await.expect("re-add"));
    assert!(spool
        .add_partner("childrens-services", [4; 32], 31)
        .await
        .expect("add"));
    assert_eq!(spool.partner_for_token([1; 32]).await.expect("read"), None);
    assert_eq!(
        spool
            .partner_for_token([3; 32])
            .await
            .expect("read")
            .as_deref(),
        Some("nyp")
    );
    assert_eq!(
        spool.partners().await.expect("list"),
        [
            PartnerRecord {
                name: "childrens-services".into(),
                created_at: 31,
                revoked_at: None
            },
            PartnerRecord {
                name: "nyp".into(),
                created_at: 30,
                revoked_at: None
            }
        ]
    );
    let events = events(&*spool).await;
    assert_eq!(
        events,
        [
            "partner_added",
            "partner_revoked",
            "partner_added",
            "partner_added"
        ]
    );
}

pub(crate) async fn secrets_are_created_once_and_kept(b: &Backend) {
    let spool = (b.open)().await;
    let a = spool.secret("form_token", 32).await.expect("secret");
    assert_eq!(a.len(), 32);
    assert_ne!(a, vec![0; 32]);
    assert_eq!(spool.secret("form_token", 32).await.expect("secret"), a);
    let other = spool.secret("another", 32).await.expect("secret");
    assert_ne!(other, a);
    assert_eq!(spool.secret("short", 16).await.expect("secret").len(), 16);
    drop(spool);
    let spool = (b.open)().await;
    assert_eq!(spool.secret("form_token", 32).await.expect("secret"), a);
    assert_eq!(spool.secret("another", 32).await.expect("secret"), other);
    spool.probe_writable().await.expect("writable");
}

/// Evidence files travel with the full view's envelope: stored per route in order, never for a
/// route that was given none, gone once the envelope is purged. A file of several megabytes
/// (which a store may write in parts) reads back byte for byte.
pub(crate) async fn evidence_files_are_kept_per_route_in_order_and_purged_with_the_envelope(
    b: &Backend,
) {
    let spool = (b.open)().await;
    let mut s = submission(spool.as_ref(), 10, Priority::Routine, None, None, true);
    let mut x = 0x2545_F491u32;
    let large: Vec<u8> = (0..3 * 1024 * 1024 + 17)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    s.envelopes[0].attachments = vec![
        std::sync::Arc::new(b"sealed file one".to_vec()),
        std::sync::Arc::new(large.clone()),
    ];
    let reference = commit(spool.as_ref(), s).await;
    let plain = commit(
        spool.as_ref(),
        submission(spool.as_ref(), 10, Priority::Routine, None, None, false),
    )
    .await;
    assert!(
        spool.attachments(&reference, POLICE).await.expect("read")
            == vec![b"sealed file one".to_vec(), large.clone()]
    );
    assert!(spool
        .attachments(&reference, "mace_selby")
        .await
        .expect("read")
        .is_empty());
    assert!(spool
        .attachments(&plain, POLICE)
        .await
        .expect("read")
        .is_empty());
    // Survives a restart.
    drop(spool);
    let spool = (b.open)().await;
    assert_eq!(
        spool
            .attachments(&reference, POLICE)
            .await
            .expect("read")
            .len(),
        2
    );
    for route in [POLICE, "mace_selby"] {
        spool
            .record_attempt(
                &DeliveryId::new(reference.clone(), DeliveryRoute::route(route)),
                20,
                AttemptOutcome::Delivered,
            )
            .await
            .expect("delivered");
    }
    let policy = RetentionPolicy {
        grace_secs: 1_000,
        max_age_secs: 50,
        warn_secs: 10,
    };
    spool.purge_due(100, policy).await.expect("purge");
    assert!(spool
        .attachments(&reference, POLICE)
        .await
        .expect("read")
        .is_empty());
}

pub(crate) async fn a_copy_into_an_empty_store_matches_its_source(a: &Backend, b: &Backend) {
    use pis_gateway::spool::transfer;
    let source = (a.open)().await;
    let s = commit(
        &*source,
        submission(
            &*source,
            100,
            Priority::Immediate,
            Some([3; 32]),
            Some(500),
            true,
        ),
    )
    .await;
    let t = commit(
        &*source,
        submission(&*source, 200, Priority::Routine, None, None, false),
    )
    .await;
    source
        .record_attempt(&police(&t), 300, AttemptOutcome::Delivered)
        .await
        .expect("recorded");
    source
        .add_ack_token([6; 32], &s, POLICE, AckKind::Acknowledge, 300)
        .await
        .expect("token");
    let route = EscalationRoute {
        name: "duty".into(),
        mailbox: "duty@example.invalid".into(),
    };
    assert_eq!(
        source
            .escalate_due(600, 900, vec![route.clone()])
            .await
            .expect("escalate"),
        vec![s.clone()]
    );
    assert!(source.add_partner("nyp", [1; 32], 10).await.expect("add"));
    let key = source.secret("form_token", 32).await.expect("secret");
    let mut with_code = submission(&*source, 250, Priority::Routine, None, None, false);
    with_code.follow_up = Some(follow_up_key(9));
    with_code.follow_up_notice = Some(notice_address(4));
    let f = commit(&*source, with_code).await;
    source
        .set_case_status(&f, CaseStatus::PassedToTeam, "officer-a", 260)
        .await
        .expect("status");
    source
        .add_reply(&f, b"sealed reply".to_vec(), "officer-a", 270)
        .await
        .expect("reply");
    assert!(source
        .use_officer_nonce("officer-a", [5; 16], 270, 0)
        .await
        .expect("nonce"));
    let grade = pis_gateway::spool::workflow::Grade::parse_3x5x2("2/B/C").expect("grade");
    for (step, at) in [
        (pis_gateway::spool::Step::Triaged, 280),
        (pis_gateway::spool::Step::Graded(grade), 290),
    ] {
        assert_eq!(
            source
                .record_step(&f, step, "officer-a", at)
                .await
                .expect("step"),
            pis_gateway::spool::StepOutcome::Recorded
        );
    }

    let destination = (b.open)().await;
    let counts = transfer::copy(&*source, &*destination)
        .await
        .expect("copied");
    assert_eq!(counts.submissions, 3);
    drop(destination);
    let destination = (b.open)().await;
    let verified = transfer::verify_copy(&*source, &*destination)
        .await
        .expect("the copy matches");
    assert_eq!(verified.counts, counts);
    assert_eq!(
        destination.secret("form_token", 32).await.expect("secret"),
        key
    );
    assert!(destination.submission(&s).await.expect("read").is_some());
    assert_eq!(
        destination
            .reference_for_token([3; 32])
            .await
            .expect("read"),
        Some(s.clone())
    );
    // The copy goes on where the source left off: the next round, the same link.
    assert_eq!(
        destination
            .escalate_due(1_500, 900, vec![route])
            .await
            .expect("escalate"),
        vec![s.clone()]
    );
    assert!(destination
        .acknowledge([6; 32], 1_600, 0)
        .await
        .expect("ack")
        .is_some());
    // The follow-up thread came across: the code still finds it, and a replayed nonce is
    // still refused.
    let thread = destination
        .follow_up_by_lookup(follow_up_key(9).lookup_id)
        .await
        .expect("read")
        .expect("the follow-up came across");
    assert_eq!(thread.reference, f);
    assert_eq!(thread.status, CaseStatus::PassedToTeam);
    assert!(thread.notify);
    let messages = destination.messages(&f).await.expect("messages");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].sealed, b"sealed reply");
    assert!(!destination
        .use_officer_nonce("officer-a", [5; 16], 280, 0)
        .await
        .expect("nonce"));
    // So did the workflow, numbered as it was.
    assert_eq!(
        destination.workflow(&f).await.expect("workflow"),
        source.workflow(&f).await.expect("workflow")
    );
    assert_eq!(destination.workflow(&f).await.expect("workflow").len(), 2);
    let entries = destination.audit_entries().await.expect("audit");
    assert!(audit::verify(&entries, None).is_ok());

    // Never into a store that holds anything; never a live store's keys replaced.
    assert!(transfer::copy(&*source, &*destination).await.is_err());
    assert!(destination
        .import_settings(source.export_settings().await.expect("settings"))
        .await
        .is_err());
    assert!(destination.submission(&s).await.expect("read").is_some());
}

/// A download link names one file; it opens it once (with its audit event), never after it
/// expires, and never once the file is purged.
pub(crate) async fn a_download_link_opens_its_file_once_with_an_audit_event_until_it_expires(
    b: &Backend,
) {
    let spool = (b.open)().await;
    let mut s = submission(spool.as_ref(), 10, Priority::Routine, None, None, false);
    s.envelopes[0].attachments = vec![
        std::sync::Arc::new(b"file one".to_vec()),
        std::sync::Arc::new(b"file two".to_vec()),
    ];
    let reference = commit(spool.as_ref(), s).await;
    let (fresh, old) = ([1u8; 32], [2u8; 32]);
    spool
        .add_download_token(fresh, &reference, POLICE, 2, 100)
        .await
        .expect("stored");
    spool
        .add_download_token(old, &reference, POLICE, 1, 40)
        .await
        .expect("stored");
    assert_eq!(
        spool.download_open(fresh, 50).await.expect("read"),
        Some((reference.clone(), 2))
    );
    assert_eq!(
        spool.download_open(old, 50).await.expect("read"),
        None,
        "expired"
    );
    assert_eq!(spool.take_download(old, 120, 50).await.expect("take"), None);
    let file = spool
        .take_download(fresh, 120, 50)
        .await
        .expect("take")
        .expect("the file");
    assert_eq!((file.n, file.body.as_slice()), (2, &b"file two"[..]));
    assert_eq!(file.route, POLICE);
    assert_eq!(
        spool.take_download(fresh, 121, 50).await.expect("take"),
        None,
        "once"
    );
    assert_eq!(spool.download_open(fresh, 50).await.expect("read"), None);
    let entries = spool.audit_entries().await.expect("audit");
    let downloaded: Vec<_> = entries
        .iter()
        .filter(|e| e.event == "attachment_downloaded")
        .collect();
    assert_eq!(downloaded.len(), 1);
    assert_eq!(downloaded[0].code.as_deref(), Some("2"));
    assert!(audit::verify(&entries, None).is_ok());
}

/// An email sent again carries new links: each replaces the unused link to the same file, so
/// the old email's link stops working. Other files' links, and a link already used, stay as
/// they were.
pub(crate) async fn a_new_download_link_replaces_the_unused_one_to_the_same_file(b: &Backend) {
    let spool = (b.open)().await;
    let mut s = submission(spool.as_ref(), 10, Priority::Routine, None, None, false);
    s.envelopes[0].attachments = vec![
        std::sync::Arc::new(b"file one".to_vec()),
        std::sync::Arc::new(b"file two".to_vec()),
    ];
    let reference = commit(spool.as_ref(), s).await;
    let (first, second, used, again) = ([1u8; 32], [2u8; 32], [3u8; 32], [4u8; 32]);
    for (hash, n, at) in [(first, 1, 100), (second, 2, 100), (used, 1, 90)] {
        spool
            .add_download_token(hash, &reference, POLICE, n, at)
            .await
            .expect("stored");
    }
    // `used` was stored last for file 1, so it replaced `first`; taken, it is used.
    assert_eq!(spool.download_open(first, 50).await.expect("read"), None);
    assert!(spool
        .take_download(used, 110, 50)
        .await
        .expect("take")
        .is_some());
    spool
        .add_download_token(again, &reference, POLICE, 1, 120)
        .await
        .expect("stored");
    assert_eq!(
        spool.download_open(again, 50).await.expect("read"),
        Some((reference.clone(), 1)),
        "the new link works"
    );
    assert_eq!(
        spool.download_open(second, 50).await.expect("read"),
        Some((reference.clone(), 2)),
        "another file's link is untouched"
    );
    let downloaded = spool
        .audit_entries()
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.event == "attachment_downloaded")
        .count();
    assert_eq!(downloaded, 1, "the used link's download stays on record");
    // Storing the same link again (a retried write) keeps it.
    spool
        .add_download_token(again, &reference, POLICE, 1, 120)
        .await
        .expect("stored");
    assert!(spool
        .download_open(again, 50)
        .await
        .expect("read")
        .is_some());
}

/// The follow-up key the submitter's code `seed` stands for (lookup id and public key only).
fn follow_up_key(seed: u8) -> FollowUpKey {
    FollowUpKey {
        lookup_id: [seed; 32],
        recipient: format!("age1recipient{seed}"),
    }
}

/// The key commits with the submission (in its transaction: a submission without one has no
/// thread), is found by lookup id and by reference, and keeps the status police set and their
/// sealed messages, each with an audit event that holds no content.
pub(crate) async fn a_follow_up_key_commits_with_its_submission_and_keeps_status_and_messages(
    b: &Backend,
) {
    let spool = (b.open)().await;
    let mut s = submission(&*spool, 100, Priority::Routine, None, None, false);
    s.follow_up = Some(follow_up_key(1));
    let with_code = commit(&*spool, s).await;
    let declined = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, false),
    )
    .await;
    drop(spool);
    let spool = (b.open)().await;

    let found = spool
        .follow_up_by_lookup([1; 32])
        .await
        .expect("read")
        .expect("found by its lookup id");
    assert_eq!(found.reference, with_code);
    assert_eq!(found.recipient, "age1recipient1");
    assert_eq!(found.status, CaseStatus::Received);
    assert_eq!(found.status_at, 100);
    assert!(!found.notify);
    assert_eq!(
        spool
            .follow_up_by_reference(&with_code)
            .await
            .expect("read"),
        Some(found)
    );
    assert!(spool
        .follow_up_by_lookup([2; 32])
        .await
        .expect("read")
        .is_none());
    assert!(spool
        .follow_up_by_reference(&declined)
        .await
        .expect("read")
        .is_none());

    // Without a key there is nothing to set or write to.
    assert!(!spool
        .set_case_status(&declined, CaseStatus::Closed, "officer-a", 110)
        .await
        .expect("status"));
    assert_eq!(
        spool
            .add_reply(&declined, b"x".to_vec(), "officer-a", 110)
            .await
            .expect("reply"),
        None
    );
    let unknown = Reference::parse("PIS-2222-2222").expect("reference");
    assert!(!spool
        .set_case_status(&unknown, CaseStatus::Closed, "officer-a", 110)
        .await
        .expect("status"));

    assert!(spool
        .set_case_status(&with_code, CaseStatus::BeingLookedAt, "officer-a", 120)
        .await
        .expect("status"));
    let now = spool
        .follow_up_by_lookup([1; 32])
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        (now.status, now.status_at),
        (CaseStatus::BeingLookedAt, 120)
    );
    assert_eq!(
        spool
            .add_reply(&with_code, b"first sealed".to_vec(), "officer-a", 130)
            .await
            .expect("reply"),
        Some(1)
    );
    let addendum = declined.clone();
    assert_eq!(
        spool
            .add_submitter_message(&with_code, b"own words sealed".to_vec(), &addendum, 140)
            .await
            .expect("addendum"),
        Some(2)
    );
    assert_eq!(
        spool
            .add_reply(&with_code, b"second sealed".to_vec(), "officer-b", 150)
            .await
            .expect("reply"),
        Some(3)
    );
    let messages = spool.messages(&with_code).await.expect("messages");
    let summary: Vec<_> = messages
        .iter()
        .map(|m| (m.n, m.at, m.from, m.sealed.as_slice()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, 130, MessageFrom::Officer, &b"first sealed"[..]),
            (2, 140, MessageFrom::Submitter, &b"own words sealed"[..]),
            (3, 150, MessageFrom::Officer, &b"second sealed"[..]),
        ]
    );
    assert!(spool
        .messages(&declined)
        .await
        .expect("messages")
        .is_empty());

    spool
        .audit_officer_refusal(
            "bad_signature",
            Some("officer-z"),
            "/api/v1/officer/reply",
            160,
        )
        .await
        .expect("audited");
    spool
        .audit_officer_refusal("unsigned", None, "/api/v1/officer/status\x1b[2J", 161)
        .await
        .expect("audited");
    let entries = spool.audit_entries().await.expect("audit");
    assert!(audit::verify(&entries, None).is_ok());
    let w = with_code.to_string();
    let follow_up: Vec<Summary<'_>> = entries
        .iter()
        .filter(|e| e.event.starts_with("follow_up") || e.event.starts_with("officer"))
        .map(|e| {
            (
                e.event.as_str(),
                e.reference.as_deref(),
                e.route.as_deref(),
                e.code.as_deref(),
                e.at,
            )
        })
        .collect();
    let a = addendum.to_string();
    assert_eq!(
        follow_up,
        [
            ("follow_up_key", Some(w.as_str()), None, Some("code"), 100),
            (
                "follow_up_status",
                Some(w.as_str()),
                Some("officer-a"),
                Some("being_looked_at"),
                120
            ),
            (
                "follow_up_reply",
                Some(w.as_str()),
                Some("officer-a"),
                Some("1:12"),
                130
            ),
            (
                "follow_up_addendum",
                Some(w.as_str()),
                None,
                Some(a.as_str()),
                140
            ),
            (
                "follow_up_reply",
                Some(w.as_str()),
                Some("officer-b"),
                Some("3:13"),
                150
            ),
            (
                "officer_request_refused",
                None,
                Some("officer-z"),
                Some("bad_signature /api/v1/officer/reply"),
                160
            ),
            (
                "officer_request_refused",
                None,
                None,
                Some("unsigned /api/v1/officer/status[2J"),
                161
            ),
        ]
    );
}

/// A notice address as intake hands it over: sealed values the spool only stores.
fn notice_address(n: u8) -> NoticeAddress {
    NoticeAddress {
        sealed: format!("sealed1:address-{n}"),
        confirm_mailbox: format!("sealed1:address-and-link-{n}"),
        token_hash: [n; 32],
    }
}

/// A professional who asked gets one email asking to confirm the address, then, once the
/// link's token is used (once, before it expires), a content-free notice delivery per reply (to
/// the sealed address, receipt only); a submitter who did not ask gets none.
pub(crate) async fn a_professional_notice_is_queued_for_each_reply_and_only_when_asked_for(
    b: &Backend,
) {
    let spool = (b.open)().await;
    let mut s = submission(&*spool, 100, Priority::Routine, None, None, false);
    s.follow_up = Some(follow_up_key(1));
    s.follow_up_notice = Some(notice_address(7));
    let asked = commit(&*spool, s).await;
    let mut s = submission(&*spool, 100, Priority::Routine, None, None, false);
    s.follow_up = Some(follow_up_key(2));
    let not_asked = commit(&*spool, s).await;
    let mut s = submission(&*spool, 50, Priority::Routine, None, None, false);
    s.follow_up = Some(follow_up_key(3));
    s.follow_up_notice = Some(notice_address(9));
    let too_old = commit(&*spool, s).await;
    let confirm: Vec<_> = spool
        .deliveries(&asked)
        .await
        .expect("read")
        .into_iter()
        .filter(|d| d.view == View::FollowUpConfirm)
        .map(|d| (d.route.to_string(), d.mailbox, d.state))
        .collect();
    assert_eq!(
        confirm,
        [(
            "follow_up.confirm".to_string(),
            "sealed1:address-and-link-7".to_string(),
            DeliveryState::Pending
        )]
    );
    // Unconfirmed: a reply queues nothing to the address.
    spool
        .add_reply(&asked, b"early".to_vec(), "officer-a", 101)
        .await
        .expect("reply");
    assert!(spool
        .deliveries(&asked)
        .await
        .expect("read")
        .iter()
        .all(|d| d.view != View::FollowUp));
    assert!(!spool
        .confirm_notify([8; 32], 99, 105)
        .await
        .expect("confirm"));
    assert!(
        !spool
            .confirm_notify([9; 32], 60, 105)
            .await
            .expect("confirm"),
        "expired: {too_old}"
    );
    assert!(spool
        .confirm_notify([7; 32], 99, 105)
        .await
        .expect("confirm"));
    assert!(
        !spool
            .confirm_notify([7; 32], 99, 106)
            .await
            .expect("confirm"),
        "once"
    );
    assert!(
        spool
            .follow_up_by_reference(&asked)
            .await
            .expect("read")
            .expect("found")
            .notify
    );
    spool
        .record_attempt(&police(&too_old), 110, AttemptOutcome::Delivered)
        .await
        .expect("delivered");
    for r in [&asked, &not_asked] {
        spool
            .record_attempt(&police(r), 110, AttemptOutcome::Delivered)
            .await
            .expect("delivered");
        spool
            .add_reply(r, b"sealed".to_vec(), "officer-a", 120)
            .await
            .expect("reply");
    }
    spool
        .add_submitter_message(&asked, b"own".to_vec(), &not_asked, 125)
        .await
        .expect("addendum");
    spool
        .add_reply(&asked, b"sealed".to_vec(), "officer-a", 130)
        .await
        .expect("reply");
    let notices: Vec<_> = spool
        .deliveries(&asked)
        .await
        .expect("read")
        .into_iter()
        .filter(|d| d.view == View::FollowUp)
        .map(|d| (d.route.to_string(), d.mailbox, d.state, d.next_attempt_at))
        .collect();
    assert_eq!(
        notices,
        [
            (
                "follow_up.2".to_string(),
                "sealed1:address-7".to_string(),
                DeliveryState::Pending,
                120
            ),
            (
                "follow_up.4".to_string(),
                "sealed1:address-7".to_string(),
                DeliveryState::Pending,
                130
            ),
        ]
    );
    assert!(spool
        .deliveries(&not_asked)
        .await
        .expect("read")
        .iter()
        .all(|d| d.view != View::FollowUp));
    let due: Vec<_> = spool
        .due(200, 10)
        .await
        .expect("due")
        .into_iter()
        .map(|d| (d.id.reference, d.view, d.envelope.is_none()))
        .collect();
    assert_eq!(
        due,
        [
            (too_old.clone(), View::FollowUpConfirm, true),
            (asked.clone(), View::FollowUpConfirm, true),
            (asked.clone(), View::FollowUp, true),
            (asked.clone(), View::FollowUp, true)
        ],
        "queued for the outbox, with no envelope"
    );
}

/// A nonce is taken once per officer; another officer's same nonce is theirs; a nonce older
/// than the window is forgotten.
pub(crate) async fn officer_nonces_are_used_once_and_forgotten_after_their_window(b: &Backend) {
    let spool = (b.open)().await;
    assert!(spool
        .use_officer_nonce("officer-a", [1; 16], 100, 0)
        .await
        .expect("nonce"));
    assert!(!spool
        .use_officer_nonce("officer-a", [1; 16], 101, 0)
        .await
        .expect("nonce"));
    assert!(spool
        .use_officer_nonce("officer-b", [1; 16], 101, 0)
        .await
        .expect("nonce"));
    drop(spool);
    let spool = (b.open)().await;
    assert!(
        !spool
            .use_officer_nonce("officer-a", [1; 16], 102, 0)
            .await
            .expect("nonce"),
        "kept across a restart"
    );
    // Two gateways given the same request at once: one takes it.
    let other = (b.open)().await;
    let (x, y) = tokio::join!(
        spool.use_officer_nonce("officer-a", [2; 16], 103, 0),
        other.use_officer_nonce("officer-a", [2; 16], 103, 0)
    );
    assert_eq!(
        [x.expect("nonce"), y.expect("nonce")]
            .iter()
            .filter(|b| **b)
            .count(),
        1
    );
    assert!(spool
        .use_officer_nonce("officer-a", [3; 16], 500, 400)
        .await
        .expect("nonce"));
    assert!(
        spool
            .use_officer_nonce("officer-a", [1; 16], 501, 400)
            .await
            .expect("nonce"),
        "forgotten once older than the window (the timestamp check refuses it by then)"
    );
    let kept = spool.export_officer_nonces().await.expect("export");
    assert_eq!(
        kept.iter()
            .map(|n| (n.officer.as_str(), n.nonce[0]))
            .collect::<Vec<_>>(),
        [("officer-a", 1), ("officer-a", 3)]
    );
}

/// Retention removes the follow-up key, status and messages with the envelopes: the code then
/// finds nothing, and nothing more can be written to the thread.
pub(crate) async fn the_follow_up_thread_is_purged_with_the_submission(b: &Backend) {
    let spool = (b.open)().await;
    let policy = RetentionPolicy {
        grace_secs: 10,
        max_age_secs: 1_000,
        warn_secs: 100,
    };
    let mut s = submission(&*spool, 0, Priority::Routine, None, None, false);
    s.follow_up = Some(follow_up_key(1));
    let old = commit(&*spool, s).await;
    let mut s = submission(&*spool, 500, Priority::Routine, None, None, false);
    s.follow_up = Some(follow_up_key(2));
    let young = commit(&*spool, s).await;
    for r in [&old, &young] {
        spool
            .record_attempt(&police(r), 5, AttemptOutcome::Delivered)
            .await
            .expect("delivered");
        spool
            .add_reply(r, b"sealed".to_vec(), "officer-a", 10)
            .await
            .expect("reply");
    }
    let report = spool.purge_due(1_001, policy).await.expect("purge");
    assert_eq!(report.purged, vec![(old.clone(), PurgeReason::MaxAge)]);
    assert!(spool
        .follow_up_by_lookup([1; 32])
        .await
        .expect("read")
        .is_none());
    assert!(spool
        .follow_up_by_reference(&old)
        .await
        .expect("read")
        .is_none());
    assert!(spool.messages(&old).await.expect("messages").is_empty());
    assert_eq!(
        spool
            .add_reply(&old, b"late".to_vec(), "officer-a", 1_002)
            .await
            .expect("reply"),
        None
    );
    assert!(!spool
        .set_case_status(&old, CaseStatus::Closed, "officer-a", 1_002)
        .await
        .expect("status"));
    // The younger one is untouched.
    assert!(spool
        .follow_up_by_lookup([2; 32])
        .await
        .expect("read")
        .is_some());
    assert_eq!(spool.messages(&young).await.expect("messages").len(), 1);
    let exported = spool.export_submissions(0, 10).await.expect("export");
    let old_row = exported
        .iter()
        .find(|e| e.reference == old)
        .expect("the content-free record stays");
    assert!(old_row.follow_up.is_none() && old_row.messages.is_empty());
}

/// An officer's share: the sealed view stored as the MACE route's envelope, a pending
/// restricted delivery with a receipt link, one `shared_with_mace` event naming the route and
/// the officer, all or nothing; never a second delivery to a route that has one.
pub(crate) async fn a_share_with_mace_is_stored_sealed_queued_once_per_route_and_audited(
    b: &Backend,
) {
    use pis_gateway::spool::{NewShare, ShareOutcome};
    let spool = (b.open)().await;
    let reference = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, true),
    )
    .await;
    spool
        .record_attempt(&police(&reference), 110, AttemptOutcome::Delivered)
        .await
        .expect("delivered");
    let share = |route: &str, reference: &Reference| NewShare {
        reference: reference.clone(),
        route: route.into(),
        mailbox: "mace-harrogate@example.invalid".into(),
        sealed: b"age-encryption.org/v1\nthe sealed view".to_vec(),
        officer: "0123456789abcdef".into(),
        now: 150,
    };
    let before = events(&*spool).await.len();
    assert_eq!(
        spool
            .share_with_mace(share("mace_harrogate", &reference))
            .await
            .expect("share"),
        ShareOutcome::Queued
    );
    let envelope = spool
        .envelopes(&reference)
        .await
        .expect("read")
        .into_iter()
        .find(|e| e.route == "mace_harrogate")
        .expect("the share's envelope");
    assert_eq!(envelope.view, View::Restricted);
    assert_eq!(envelope.body, b"age-encryption.org/v1\nthe sealed view");
    let due: Vec<_> = spool
        .due(200, 10)
        .await
        .expect("due")
        .into_iter()
        .map(|d| (d.id.to_string(), d.mailbox, d.view, d.envelope, d.ack))
        .collect();
    assert!(
        due.contains(&(
            format!("{reference} mace_harrogate"),
            "mace-harrogate@example.invalid".to_string(),
            View::Restricted,
            Some(b"age-encryption.org/v1\nthe sealed view".to_vec()),
            AckKind::ConfirmReceipt
        )),
        "{due:?}"
    );
    // Once per route: again, or to the route that had the notice, stores nothing.
    for route in ["mace_harrogate", "mace_selby"] {
        assert_eq!(
            spool
                .share_with_mace(share(route, &reference))
                .await
                .expect("share"),
            ShareOutcome::AlreadyOnRoute,
            "{route}"
        );
    }
    let (_, never_committed) = spool.next_reference().expect("a reference");
    assert_eq!(
        spool
            .share_with_mace(share("mace_harrogate", &never_committed))
            .await
            .expect("share"),
        ShareOutcome::Gone
    );
    let entries = spool.audit_entries().await.expect("audit");
    let shared: Vec<_> = entries
        .iter()
        .filter(|e| e.event == "shared_with_mace")
        .map(|e| (e.reference.clone(), e.route.clone(), e.code.clone()))
        .collect();
    assert_eq!(
        shared,
        [(
            Some(reference.to_string()),
            Some("mace_harrogate".to_string()),
            Some("officer=0123456789abcdef".to_string())
        )]
    );
    assert_eq!(entries.len(), before + 1, "only the share wrote an event");
    assert!(spool
        .deliveries(&reference)
        .await
        .expect("read")
        .iter()
        .all(|d| d.route.to_string() != "mace_selby" || d.view == View::Notice));
}

/// The officer's workflow: steps numbered in order with the officer and time, the grade kept
/// as its tagged value, a share appearing as `shared_with_mace`, one `workflow_step` event per
/// recorded step (never the force reference), nothing for an unknown submission, and all of
/// it gone with a purge.
pub(crate) async fn workflow_steps_are_numbered_audited_shown_with_shares_and_purged(b: &Backend) {
    use pis_gateway::spool::workflow::{ForceRef, Grade};
    use pis_gateway::spool::{NewShare, Step};
    let spool = (b.open)().await;
    let reference = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, true),
    )
    .await;
    let before = events(&*spool).await.len();
    let grade = Grade::parse_3x5x2("1/C/C").expect("grade");
    let force = ForceRef::parse("NYP-77").expect("ref");
    for (step, at) in [
        (Step::Triaged, 110),
        (Step::Graded(grade), 120),
        (Step::Recorded(force.clone()), 130),
    ] {
        assert_eq!(
            spool
                .record_step(&reference, step, "officer-a", at)
                .await
                .expect("record"),
            pis_gateway::spool::StepOutcome::Recorded
        );
    }
    spool
        .share_with_mace(NewShare {
            reference: reference.clone(),
            route: "mace_harrogate".into(),
            mailbox: "mace-harrogate@example.invalid".into(),
            sealed: b"age-encryption.org/v1\nview".to_vec(),
            officer: "officer-b".into(),
            now: 140,
        })
        .await
        .expect("share");
    assert_eq!(
        spool
            .record_step(&reference, Step::Closed, "officer-a", 150)
            .await
            .expect("record"),
        pis_gateway::spool::StepOutcome::Recorded
    );
    let steps: Vec<_> = spool
        .workflow(&reference)
        .await
        .expect("read")
        .into_iter()
        .map(|e| (e.n, e.at, e.officer, e.step))
        .collect();
    assert_eq!(
        steps,
        vec![
            (1, 110, "officer-a".to_string(), Step::Triaged),
            (2, 120, "officer-a".to_string(), Step::Graded(grade)),
            (3, 130, "officer-a".to_string(), Step::Recorded(force)),
            (
                4,
                140,
                "officer-b".to_string(),
                Step::SharedWithMace {
                    route: "mace_harrogate".into()
                }
            ),
            (5, 150, "officer-a".to_string(), Step::Closed),
        ]
    );
    let entries = spool.audit_entries().await.expect("audit");
    let steps: Vec<_> = entries
        .iter()
        .filter(|e| e.event == "workflow_step")
        .map(|e| (e.reference.clone(), e.route.clone(), e.code.clone()))
        .collect();
    let r = Some(reference.to_string());
    let a = Some("officer-a".to_string());
    assert_eq!(
        steps,
        vec![
            (r.clone(), a.clone(), Some("triaged".to_string())),
            (
                r.clone(),
                a.clone(),
                Some(
                    r#"graded {"scheme":"3x5x2","source":"1","intelligence":"C","handling":"C"}"#
                        .to_string()
                )
            ),
            (r.clone(), a.clone(), Some("recorded".to_string())),
            (r.clone(), a.clone(), Some("closed".to_string())),
        ]
    );
    assert_eq!(entries.len(), before + 5, "four steps and the share");
    let (_, never_committed) = spool.next_reference().expect("a reference");
    assert_eq!(
        spool
            .record_step(&never_committed, Step::Triaged, "officer-a", 160)
            .await
            .expect("record"),
        pis_gateway::spool::StepOutcome::Gone
    );
    assert!(spool
        .workflow(&never_committed)
        .await
        .expect("read")
        .is_empty());

    // By state: this one's latest step is `closed`; an urgent one received at 50 with no
    // step is untriaged for a cut-off after 50 only.
    let urgent = commit(
        &*spool,
        submission(&*spool, 50, Priority::Immediate, None, None, false),
    )
    .await;
    let stats = spool.workflow_stats(60).await.expect("stats");
    assert_eq!(
        stats.by_state,
        vec![("closed".to_string(), 1), ("received".to_string(), 1)]
    );
    assert_eq!((stats.untriaged, stats.oldest_untriaged_at), (1, Some(50)));
    assert_eq!(spool.workflow_stats(50).await.expect("stats").untriaged, 0);
    assert_eq!(
        spool
            .record_step(&urgent, Step::Triaged, "officer-a", 165)
            .await
            .expect("record"),
        pis_gateway::spool::StepOutcome::Recorded
    );
    let stats = spool.workflow_stats(60).await.expect("stats");
    assert_eq!((stats.untriaged, stats.oldest_untriaged_at), (0, None));

    for route in [POLICE, "mace_selby", "mace_harrogate"] {
        let id = DeliveryId::new(reference.clone(), DeliveryRoute::route(route));
        spool
            .record_attempt(&id, 170, AttemptOutcome::Delivered)
            .await
            .expect("delivered");
    }
    let policy = RetentionPolicy {
        grace_secs: 10,
        max_age_secs: 1_000,
        warn_secs: 100,
    };
    let report = spool.purge_due(1_101, policy).await.expect("purge");
    assert!(
        report.purged.iter().any(|(p, _)| p == &reference),
        "{:?}",
        report.purged
    );
    assert!(spool.workflow(&reference).await.expect("read").is_empty());
    assert_eq!(
        spool
            .record_step(&reference, Step::Triaged, "officer-a", 1_102)
            .await
            .expect("record"),
        pis_gateway::spool::StepOutcome::Gone
    );
}

/// `closed` is the workflow's last step: after it, no step (not even `closed` again) and no
/// share is stored, and the caller is told it is closed (not that the submission is gone).
/// Before it, a grade may be revised and every step is kept in the order it was recorded.
pub(crate) async fn nothing_is_recorded_after_closed_but_a_grade_may_be_revised(b: &Backend) {
    use pis_gateway::spool::workflow::{ForceRef, Grade};
    use pis_gateway::spool::{NewShare, ShareOutcome, Step, StepOutcome};
    let spool = (b.open)().await;
    let reference = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, true),
    )
    .await;
    let first = Grade::parse_3x5x2("2/C/P").expect("grade");
    let revised = Grade::parse_3x5x2("2/B/C").expect("grade");
    for (step, at) in [
        (Step::Triaged, 110),
        (Step::Graded(first), 120),
        (Step::Graded(revised), 125),
        (Step::Closed, 130),
    ] {
        assert_eq!(
            spool
                .record_step(&reference, step.clone(), "officer-a", at)
                .await
                .expect("record"),
            StepOutcome::Recorded,
            "{step:?}"
        );
    }
    let events_before = events(&*spool).await.len();
    for (step, at) in [
        (Step::Triaged, 140),
        (Step::Graded(first), 141),
        (Step::Recorded(ForceRef::parse("NYP-1").expect("ref")), 142),
        (Step::Closed, 143),
    ] {
        assert_eq!(
            spool
                .record_step(&reference, step.clone(), "officer-b", at)
                .await
                .expect("record"),
            StepOutcome::Closed,
            "{step:?} after closed"
        );
    }
    assert_eq!(
        spool
            .share_with_mace(NewShare {
                reference: reference.clone(),
                route: "mace_harrogate".into(),
                mailbox: "mace-harrogate@example.invalid".into(),
                sealed: b"age-encryption.org/v1\nview".to_vec(),
                officer: "officer-b".into(),
                now: 150,
            })
            .await
            .expect("share"),
        ShareOutcome::Closed
    );
    assert!(
        !spool
            .envelopes(&reference)
            .await
            .expect("read")
            .iter()
            .any(|e| e.route == "mace_harrogate"),
        "a refused share stores no envelope"
    );
    let steps: Vec<_> = spool
        .workflow(&reference)
        .await
        .expect("read")
        .into_iter()
        .map(|e| (e.n, e.step))
        .collect();
    assert_eq!(
        steps,
        vec![
            (1, Step::Triaged),
            (2, Step::Graded(first)),
            (3, Step::Graded(revised)),
            (4, Step::Closed),
        ]
    );
    assert_eq!(
        events(&*spool).await.len(),
        events_before,
        "nothing refused is audited as a step or a share"
    );
    // Another submission is not affected, and an unknown one is gone, not closed.
    let other = commit(
        &*spool,
        submission(&*spool, 100, Priority::Routine, None, None, false),
    )
    .await;
    assert_eq!(
        spool
            .record_step(&other, Step::Triaged, "officer-a", 160)
            .await
            .expect("record"),
        StepOutcome::Recorded
    );
    let (_, never_committed) = spool.next_reference().expect("a reference");
    assert_eq!(
        spool
            .record_step(&never_committed, Step::Closed, "officer-a", 170)
            .await
            .expect("record"),
        StepOutcome::Gone
    );
}

/// Drafts: kept by id, replaced whole, read only while they are live, deleted by Exit.
pub(crate) async fn drafts_are_found_by_id_replaced_deleted_and_gone_when_idle(b: &Backend) {
    let spool = (b.open)().await;
    let (a, other) = ([1u8; 32], [2u8; 32]);
    assert_eq!(spool.draft(a, 0).await.expect("read"), None);
    spool
        .put_draft(a, b"sealed one".to_vec(), 100)
        .await
        .expect("put");
    spool
        .put_draft(other, b"sealed two".to_vec(), 100)
        .await
        .expect("put");
    spool
        .put_draft(a, b"sealed again".to_vec(), 200)
        .await
        .expect("replace");
    assert_eq!(
        spool.draft(a, 150).await.expect("read"),
        Some(b"sealed again".to_vec())
    );
    // Written at 100 and idle since: gone for anyone asking after 150.
    assert_eq!(spool.draft(other, 150).await.expect("read"), None);
    assert_eq!(
        spool.draft(other, 100).await.expect("read"),
        Some(b"sealed two".to_vec())
    );
    // Kept across a restart (a shared store serves any gateway).
    let reopened = (b.open)().await;
    assert_eq!(
        reopened.draft(a, 0).await.expect("read"),
        Some(b"sealed again".to_vec())
    );
    assert!(spool.delete_draft(a).await.expect("delete"));
    assert!(!spool.delete_draft(a).await.expect("delete"), "once");
    assert_eq!(spool.draft(a, 0).await.expect("read"), None);
    assert_eq!(spool.purge_drafts(101).await.expect("purge"), 1);
    assert_eq!(spool.draft(other, 0).await.expect("read"), None);
}

/// Housekeeping purges drafts idle for `forms.draft_minutes` and counts them.
pub(crate) async fn idle_drafts_are_purged_by_housekeeping_and_counted(b: &Backend) {
    use pis_gateway::delivery::ManualClock;
    use pis_gateway::housekeeping::Housekeeping;
    use pis_gateway::metrics::Metrics;
    let spool = (b.open)().await;
    let clock = Arc::new(ManualClock::new(10_000));
    let metrics = Arc::new(Metrics::default());
    let hk = Housekeeping::new(
        Arc::clone(&spool),
        clock.clone(),
        Arc::clone(&metrics),
        Vec::new(),
        900,
        RetentionPolicy {
            grace_secs: 86_400,
            max_age_secs: 86_400 * 30,
            warn_secs: 86_400,
        },
        600,
        Arc::new(tokio::sync::Notify::new()),
        std::time::Duration::from_secs(1),
    )
    .with_draft_minutes(10);
    spool
        .put_draft([1; 32], vec![1], 10_000)
        .await
        .expect("put");
    spool
        .put_draft([2; 32], vec![2], 10_000)
        .await
        .expect("put");
    spool
        .put_draft([3; 32], vec![3], 10_300)
        .await
        .expect("put");
    clock.advance(599);
    assert_eq!(hk.tick().await.expect("tick").drafts_purged, 0);
    clock.advance(2);
    assert_eq!(hk.tick().await.expect("tick").drafts_purged, 2);
    assert!(spool.draft([3; 32], 0).await.expect("read").is_some());
    assert!(
        metrics
            .render(None, None)
            .contains("pisg_drafts_purged_total 2\n"),
        "{}",
        metrics.render(None, None)
    );
}
