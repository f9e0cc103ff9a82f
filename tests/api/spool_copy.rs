//! `pis-gateway spool copy`: a deployment moved from one spool to another through the binary,
//! everything carried over and checked on both sides.

use pis_gateway::ack::AckKind;
use pis_gateway::config::{SpoolBackend, SpoolSettings};
use pis_gateway::reference::Reference;
use pis_gateway::secrets_key::{SecretsKey, ADDRESS};
use pis_gateway::spool::{
    self, AttemptOutcome, CommitOutcome, DeliveryId, DeliveryRoute, EscalationRoute, FollowUpKey,
    NewEnvelope, NewSubmission, NoticeAddress, RetentionPolicy, Spool, View,
};
use pis_gateway::triage::Priority;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn settings(dir: &Path) -> SpoolSettings {
    SpoolSettings {
        backend: SpoolBackend::Sqlite,
        dir: dir.to_path_buf(),
        ..pis_gateway::config::Settings::default().spool
    }
}

fn config(at: &Path, spool: &Path) -> PathBuf {
    std::fs::create_dir_all(at).expect("dir");
    let file = at.join("gateway.toml");
    std::fs::write(
        &file,
        format!(
            "[spool]\nbackend = \"sqlite\"\ndir = \"{}\"\n",
            spool.display()
        ),
    )
    .expect("config");
    file
}

fn cli(args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy(from: &Path, to: &Path) -> (bool, String, String) {
    cli(&[
        "spool".as_ref(),
        "copy".as_ref(),
        "--from".as_ref(),
        from.as_os_str(),
        "--to".as_ref(),
        to.as_os_str(),
    ])
}

/// A spool that has lived a while: more submissions than one copy step takes, deliveries in
/// every state, escalations, acknowledgements, a purge, partners and the form-token key.
async fn lived_in(spool: &Arc<dyn Spool>) -> Vec<Reference> {
    let mut refs = Vec::new();
    for i in 0..230i64 {
        let (number, reference) = spool.next_reference().expect("draw");
        let priority = match i % 3 {
            0 => Priority::Immediate,
            1 => Priority::Priority,
            _ => Priority::Routine,
        };
        let mut envelopes = vec![NewEnvelope {
            route: "police_intelligence".into(),
            mailbox: "intel@example.invalid".into(),
            view: View::Full,
            body: Some(format!("age ciphertext {i}").into_bytes()),
            notice: None,
            ack: AckKind::Acknowledge,
            attachments: if i % 5 == 0 {
                vec![std::sync::Arc::new(format!("sealed file {i}").into_bytes())]
            } else {
                vec![]
            },
        }];
        if i % 4 == 0 {
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
        let outcome = spool
            .commit(NewSubmission {
                number,
                reference,
                received_at: format!("2026-11-23T19:{:02}:00Z", i % 60),
                received_unix: 1_000 + i,
                form_id: "community".into(),
                form_version: 1,
                priority,
                reason_codes: vec![format!("reason_{i}")],
                token_hash: (i % 2 == 0).then_some([i as u8; 32]),
                ack_deadline: (priority == Priority::Immediate).then_some(2_000 + i),
                envelopes,
                follow_up: None,
                follow_up_notice: None,
            })
            .await
            .expect("commit");
        let CommitOutcome::Committed(r) = outcome else {
            panic!("{outcome:?}")
        };
        refs.push(r);
    }
    let police =
        |r: &Reference| DeliveryId::new(r.clone(), DeliveryRoute::route("police_intelligence"));
    for r in &refs[..150] {
        spool
            .record_attempt(&police(r), 1_500, AttemptOutcome::Delivered)
            .await
            .expect("delivered");
    }
    spool
        .record_attempt(
            &police(&refs[200]),
            1_500,
            AttemptOutcome::Dead {
                class: "smtp_5xx".into(),
            },
        )
        .await
        .expect("dead");
    spool
        .record_attempt(
            &police(&refs[201]),
            1_500,
            AttemptOutcome::Retry {
                next_at: 9_000,
                class: "smtp_4xx".into(),
            },
        )
        .await
        .expect("retry");
    for (n, r) in refs[..10].iter().enumerate() {
        spool
            .add_ack_token(
                [100 + n as u8; 32],
                r,
                "police_intelligence",
                AckKind::Acknowledge,
                1_600,
            )
            .await
            .expect("token");
    }
    for n in 0..5u8 {
        assert!(spool
            .acknowledge([100 + n; 32], 1_700, 0)
            .await
            .expect("ack")
            .is_some());
    }
    let escalated = spool
        .escalate_due(
            5_000,
            900,
            vec![EscalationRoute {
                name: "duty".into(),
                mailbox: "duty@example.invalid".into(),
            }],
        )
        .await
        .expect("escalate");
    assert!(!escalated.is_empty());
    let purged = spool
        .purge_due(
            1_760,
            RetentionPolicy {
                grace_secs: 10,
                max_age_secs: 1_000_000,
                warn_secs: 10,
            },
        )
        .await
        .expect("purge");
    assert!(!purged.purged.is_empty(), "some envelopes purged");
    assert!(spool
        .add_partner("nyp", [1; 32], 10)
        .await
        .expect("partner"));
    assert!(spool
        .add_partner("old-agency", [2; 32], 11)
        .await
        .expect("partner"));
    assert!(spool
        .revoke_partner("old-agency", 12)
        .await
        .expect("revoke"));
    spool.secret("form_token", 32).await.expect("secret");
    refs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spool_is_copied_whole_and_checked_and_never_into_a_used_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (src_dir, dst_dir) = (dir.path().join("a/spool"), dir.path().join("b/spool"));
    let src_config = config(&dir.path().join("a"), &src_dir);
    let dst_config = config(&dir.path().join("b"), &dst_dir);
    let source = spool::open(&settings(&src_dir)).await.expect("open");
    let refs = lived_in(&source).await;
    let form_key = source.secret("form_token", 32).await.expect("secret");
    let head = source.audit_head().await.expect("head").expect("entries");
    let counts = source.counts().await.expect("counts");
    let outbox = source.outbox().await.expect("outbox");
    drop(source);

    let (ok, out, err) = copy(&src_config, &dst_config);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains(&format!(
            "copied 230 submissions, {} envelopes, {} deliveries, 10 acknowledgement tokens, {} audit entries, 2 partners",
            counts.envelopes, counts.deliveries, counts.audit_entries
        )),
        "{out}"
    );
    assert!(out.contains("verified:"), "{out}");
    assert!(
        out.contains(&format!(
            "audit chain intact on both sides: {} entries, head {}:{}",
            head.0,
            head.0,
            spool::audit::to_hex(&head.1)
        )),
        "{out}"
    );

    // The copy works as the gateway would use it.
    let copied = spool::open(&settings(&dst_dir))
        .await
        .expect("open the copy");
    assert_eq!(copied.counts().await.expect("counts"), counts);
    assert_eq!(copied.audit_head().await.expect("head"), Some(head.clone()));
    assert_eq!(copied.outbox().await.expect("outbox"), outbox);
    for r in [&refs[0], &refs[150], &refs[229]] {
        assert!(copied.submission(r).await.expect("read").is_some(), "{r}");
    }
    assert_eq!(
        copied.secret("form_token", 32).await.expect("secret"),
        form_key
    );
    assert_eq!(
        copied
            .partner_for_token([1; 32])
            .await
            .expect("read")
            .as_deref(),
        Some("nyp")
    );
    assert_eq!(copied.partner_for_token([2; 32]).await.expect("read"), None);
    assert_eq!(
        copied.reference_for_token([0; 32]).await.expect("read"),
        Some(refs[0].clone()),
        "a form sent again still gets its reference"
    );
    assert!(
        copied
            .ack_token_open([105; 32], 0)
            .await
            .expect("read")
            .is_some(),
        "an unused link in a delivered email still works"
    );
    assert!(copied
        .ack_token_open([100; 32], 0)
        .await
        .expect("read")
        .is_none());
    let (number, reference) = copied.next_reference().expect("draw");
    assert!(
        number > 230,
        "numbering goes on after the copied submissions"
    );
    assert!(!refs.contains(&reference));
    drop(copied);
    let (ok, out, _) = cli(&[
        "audit".as_ref(),
        "--config".as_ref(),
        dst_config.as_os_str(),
        "verify".as_ref(),
        "--head".as_ref(),
        format!("{}:{}", head.0, spool::audit::to_hex(&head.1)).as_ref(),
    ]);
    assert!(ok, "{out}");

    // Never into a spool that holds anything, nor from a spool into itself.
    let (ok, out, err) = copy(&src_config, &dst_config);
    assert!(!ok, "{out}");
    assert!(err.contains("not empty"), "{err}");
    let copied = spool::open(&settings(&dst_dir))
        .await
        .expect("open the copy");
    assert_eq!(copied.counts().await.expect("counts"), counts, "untouched");
    drop(copied);
    let (ok, _, err) = copy(&src_config, &src_config);
    assert!(!ok);
    assert!(err.contains("same spool"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_with_a_broken_audit_chain_is_not_copied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (src_dir, dst_dir) = (dir.path().join("a/spool"), dir.path().join("b/spool"));
    let src_config = config(&dir.path().join("a"), &src_dir);
    let dst_config = config(&dir.path().join("b"), &dst_dir);
    let source = spool::open(&settings(&src_dir)).await.expect("open");
    lived_in(&source).await;
    drop(source);
    let db = rusqlite::Connection::open(src_dir.join("spool.sqlite3")).expect("db");
    db.execute("UPDATE audit SET route = 'control_room' WHERE seq = 3", [])
        .expect("tamper");
    drop(db);

    let (ok, out, err) = copy(&src_config, &dst_config);
    assert!(!ok, "{out}");
    assert!(
        err.contains("audit log is broken") && err.contains("entry 3"),
        "{err}"
    );
    let copied = spool::open(&settings(&dst_dir)).await.expect("open");
    assert!(
        copied.counts().await.expect("counts").is_empty(),
        "nothing copied"
    );
}

/// A professional's submission with a notice address sealed under `key`.
async fn with_notice_address(spool: &Arc<dyn Spool>, key: &SecretsKey, address: &str) -> Reference {
    let sealer = key.sealer(ADDRESS);
    let (number, reference) = spool.next_reference().expect("a number");
    let outcome = spool
        .commit(NewSubmission {
            number,
            reference,
            received_at: "2026-11-23T19:00:00Z".into(),
            received_unix: 1_000,
            form_id: "professional".into(),
            form_version: 1,
            priority: Priority::Routine,
            reason_codes: vec![],
            token_hash: None,
            ack_deadline: None,
            envelopes: vec![NewEnvelope {
                route: "police_intelligence".into(),
                mailbox: "intel@example.invalid".into(),
                view: View::Full,
                body: Some(b"ciphertext".to_vec()),
                notice: None,
                ack: AckKind::Acknowledge,
                attachments: vec![],
            }],
            follow_up: Some(FollowUpKey {
                lookup_id: [5; 32],
                recipient: "age1recipient".into(),
            }),
            follow_up_notice: Some(NoticeAddress {
                sealed: sealer.seal_text(address),
                confirm_mailbox: sealer.seal_text(&format!("{address}\ntoken")),
                token_hash: [6; 32],
            }),
        })
        .await
        .expect("commit");
    let CommitOutcome::Committed(r) = outcome else {
        panic!("{outcome:?}")
    };
    r
}

/// Rotating the secrets key: a copy into a spool whose key file holds another key has the
/// spool's secrets and the notice addresses sealed again under that key. The copy opens with
/// its own key and not with the old one, and its check compares the values opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_into_a_spool_with_another_key_is_sealed_again_under_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (src_dir, dst_dir) = (dir.path().join("a/spool"), dir.path().join("b/spool"));
    let src_config = config(&dir.path().join("a"), &src_dir);
    let dst_config = config(&dir.path().join("b"), &dst_dir);
    let source = spool::open(&settings(&src_dir)).await.expect("open");
    let form_key = source.secret("form_token", 32).await.expect("secret");
    let old = SecretsKey::load_or_create(&src_dir.join("secrets.key")).expect("key");
    let r = with_notice_address(&source, &old, "canary.rotate@example.org").await;
    drop(source);
    std::fs::create_dir_all(&dst_dir).expect("dir");
    let new = SecretsKey::load_or_create(&dst_dir.join("secrets.key")).expect("a new key");

    let (ok, out, err) = copy(&src_config, &dst_config);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("re-sealing under the destination's secrets key"),
        "{out}"
    );
    assert!(out.contains("verified:"), "{out}");

    let copied = spool::open(&settings(&dst_dir))
        .await
        .expect("opens with its own key");
    assert_eq!(
        copied.secret("form_token", 32).await.expect("secret"),
        form_key
    );
    assert!(
        copied.submission(&r).await.expect("read").is_some(),
        "references still resolve"
    );
    let confirm = copied
        .deliveries(&r)
        .await
        .expect("read")
        .into_iter()
        .find(|d| d.view == View::FollowUpConfirm)
        .expect("the confirmation email");
    let opened = new
        .sealer(ADDRESS)
        .open_text(&confirm.mailbox)
        .expect("opens");
    assert_eq!(opened.as_str(), "canary.rotate@example.org\ntoken");
    assert!(old.sealer(ADDRESS).open_text(&confirm.mailbox).is_none());
    drop(copied);
    let mut with_old = settings(&dst_dir);
    with_old.secrets_key_file = src_dir.join("secrets.key");
    let e = spool::open(&with_old)
        .await
        .err()
        .expect("the old key no longer opens it");
    assert!(format!("{e:#}").contains("spool.secrets_key_file"), "{e:#}");
}
