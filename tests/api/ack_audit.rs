//! Acknowledgement, escalation, the audit chain and retention.

use crate::delivery::{header, parse_mail};
use crate::helpers::*;
use crate::smtp_server::{SmtpServer, Tls};
use pis_gateway::ack::{AckKind, TokenPolicy, Used};
use pis_gateway::config::RouteSettings;
use pis_gateway::delivery::mailer::Mailer;
use pis_gateway::delivery::retry::RetrySchedule;
use pis_gateway::delivery::{Clock, ManualClock, Outbox, Outcome};
use pis_gateway::forms::FormRegistry;
use pis_gateway::housekeeping::Housekeeping;
use pis_gateway::intake::Intake;
use pis_gateway::metrics::Metrics;
use pis_gateway::reference::Reference;
use pis_gateway::routing::{Role, Routes, View};
use pis_gateway::spool::sqlite::SqliteSpool;
use pis_gateway::spool::Spool;
use pis_gateway::spool::{PurgeReason, RetentionPolicy};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The acknowledgement link in a raw email (quoted-printable soft breaks undone).
fn ack_link(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw)
        .replace("=\r\n", "")
        .replace("=\n", "");
    text.split_whitespace()
        .find(|w| w.starts_with("https://") && w.contains("/ack/"))
        .map(str::to_string)
}

/// The path of the acknowledgement link in the police intelligence email of a spawned app.
async fn police_link_path(app: &TestApp) -> String {
    link_path_to(app, "intel@example.invalid").await
}

/// The path of the link in the email a spawned app sent to `mailbox`.
async fn link_path_to(app: &TestApp, mailbox: &str) -> String {
    // The file transport writes one .eml per route; find the one to `mailbox`.
    let outbox = app.dir.path().join("outbox");
    let mut link = None;
    for _ in 0..200 {
        for f in std::fs::read_dir(&outbox).into_iter().flatten().flatten() {
            let raw = std::fs::read(f.path()).expect("eml");
            let h = parse_mail(&raw).headers;
            if header(&h, "To") == Some(mailbox) {
                link = ack_link(&raw);
            }
        }
        if link.is_some() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    let link = link.expect("an acknowledgement link in the police intelligence email");
    link.split_once("/ack/")
        .map(|(_, t)| format!("/ack/{t}"))
        .expect("path")
}

#[actix_web::test]
async fn a_mace_inbox_link_is_a_confirm_receipt_page_that_acknowledges_nothing() {
    let app = spawn_app_with(|s| {
        let mut mace = s.routes[0].clone();
        mace.name = "mace_city_of_york".into();
        mace.mailbox = "mace-york@example.invalid".into();
        mace.role = Some(Role::Mace);
        mace.view = View::Restricted;
        mace.localities = vec!["CITY_OF_YORK".into()];
        s.routes.push(mace);
    })
    .await;
    let mut answers = professional_answers();
    answers["gate.immediate_danger"] = json!("yes");
    let (status, body) = app
        .post_json(&json!({"form": "professional", "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference").to_string();
    let path = link_path_to(&app, "mace-york@example.invalid").await;
    let page = app.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Confirm receipt"), "{}", page.body);
    assert!(page.body.contains("does not stop its escalation"));
    let done = app
        .post_raw(&path, "application/x-www-form-urlencoded", vec![], &[])
        .await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Receipt confirmed") && done.body.contains(&reference));
    assert!(!done
        .body
        .contains("Escalation for this submission has stopped"));
    let (acknowledged, next): (Option<i64>, Option<i64>) = app
        .db()
        .query_row(
            "SELECT acknowledged_at, next_escalation_at FROM submissions WHERE reference = ?1",
            [&reference],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("record");
    assert_eq!(acknowledged, None);
    assert!(next.is_some(), "escalation is still scheduled");
    // The control room's link, on the same submission, is an acknowledgement.
    let cr = link_path_to(&app, "control-room@example.invalid").await;
    assert!(app
        .get(&cr)
        .await
        .body
        .contains("This stops its escalation"));
}

#[actix_web::test]
async fn a_link_older_than_ack_token_days_is_404_and_acknowledges_nothing() {
    let app = spawn_app_with(|s| s.escalation.ack_token_days = 3).await;
    let mut answers = community_answers();
    answers["gate.immediate_danger"] = json!("yes");
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": answers}))
        .await;
    assert_eq!(status, 201);
    let path = police_link_path(&app).await;
    assert_eq!(app.get(&path).await.status, 200);
    // Issued four days ago.
    app.db()
        .execute(
            "UPDATE ack_tokens SET created_at = created_at - 4 * 86400",
            [],
        )
        .expect("age the tokens");
    assert_eq!(app.get(&path).await.status, 404);
    let post = app
        .post_raw(&path, "application/x-www-form-urlencoded", vec![], &[])
        .await;
    assert_eq!(post.status, 404);
    let acknowledged: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM submissions WHERE acknowledged_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(acknowledged, 0);
}

#[actix_web::test]
async fn get_shows_a_button_post_acknowledges_and_a_used_link_is_404() {
    let app = spawn_app().await;
    let mut answers = community_answers();
    answers["gate.immediate_danger"] = json!("yes");
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": answers}))
        .await;
    assert_eq!(status, 201);
    let reference = body["reference"].as_str().expect("reference").to_string();

    let path = police_link_path(&app).await;
    let acknowledged = || -> Option<(i64, String)> {
        app.db()
            .query_row(
                "SELECT acknowledged_at, acknowledged_route FROM submissions WHERE reference = ?1",
                [&reference],
                |r| {
                    Ok(r.get::<_, Option<i64>>(0)?
                        .zip(r.get::<_, Option<String>>(1)?))
                },
            )
            .expect("record")
    };

    let page = app.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<form method=\"post\""),
        "a button, not an action"
    );
    assert_eq!(
        acknowledged(),
        None,
        "opening the link (as a mail scanner would) acknowledges nothing"
    );
    let page = app.get(&path).await;
    assert_eq!(page.status, 200, "and can be opened again");

    let done = app
        .post_raw(&path, "application/x-www-form-urlencoded", vec![], &[])
        .await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Acknowledged") && done.body.contains(&reference));
    let (at, route) = acknowledged().expect("acknowledged");
    assert!(at > 0);
    assert_eq!(route, "police_intelligence");

    assert_eq!(
        app.post_raw(&path, "application/x-www-form-urlencoded", vec![], &[])
            .await
            .status,
        404
    );
    assert_eq!(app.get(&path).await.status, 404);
    assert_eq!(
        app.get("/ack/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await
            .status,
        404
    );
    assert_eq!(app.get("/ack/not-a-token").await.status, 404);
    let events: Vec<String> = app
        .db()
        .prepare("SELECT event FROM audit WHERE reference = ?1 ORDER BY seq")
        .and_then(|mut s| s.query_map([&reference], |r| r.get(0))?.collect())
        .expect("audit");
    assert!(events.contains(&"acknowledged".to_string()), "{events:?}");
}

/// Police intelligence, control room and escalation routes on one spool, with a clock the test
/// moves, an outbox sending to a real SMTP server, and the housekeeping that escalates.
struct Rig {
    dir: tempfile::TempDir,
    spool: Arc<dyn Spool>,
    intake: Intake,
    outbox: Outbox,
    clock: Arc<ManualClock>,
    forms: FormRegistry,
    smtp: SmtpServer,
}

fn route(name: &str, role: Role, key: &age::x25519::Identity) -> RouteSettings {
    RouteSettings {
        name: name.into(),
        mailbox: format!("{}@police.example", name.replace('_', "-")),
        view: if role == Role::Escalation {
            View::Notice
        } else {
            View::Full
        },
        recipients: vec![key.to_public().to_string()],
        role: Some(role),
        localities: vec![],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: None,
        officers: vec![],
    }
}

async fn rig_at(dir: tempfile::TempDir, start: i64) -> Rig {
    rig_with(dir, start, false).await
}

/// As [`rig_at`], with the City of York MACE inbox as well when `mace`.
async fn rig_with(dir: tempfile::TempDir, start: i64, mace: bool) -> Rig {
    let key = age::x25519::Identity::generate();
    let spool: Arc<dyn Spool> =
        Arc::new(SqliteSpool::open(&dir.path().join("spool")).expect("spool"));
    let mut settings = vec![
        route("police_intelligence", Role::PoliceIntelligence, &key),
        route("control_room", Role::ControlRoom, &key),
        route("escalation", Role::Escalation, &key),
    ];
    if mace {
        let mut m = route("mace_city_of_york", Role::Mace, &key);
        m.view = View::Restricted;
        m.localities = vec!["CITY_OF_YORK".into()];
        settings.push(m);
    }
    let routes = Arc::new(Routes::from_settings(&settings).expect("routes"));
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let settings = crate::delivery::smtp_settings(smtp.port, &dir.path().join("outbox"));
    let clock = Arc::new(ManualClock::new(start));
    let metrics = Arc::new(Metrics::default());
    let wake = Arc::new(tokio::sync::Notify::new());
    let outbox = Outbox::new(
        spool.clone(),
        Mailer::from_settings(&settings, 1).expect("mailer"),
        RetrySchedule {
            initial_secs: 30,
            max_delay_secs: 600,
            max_age_secs: 86_400,
        },
        clock.clone(),
        settings.from.clone(),
        Arc::clone(&metrics),
        Arc::clone(&wake),
        Duration::from_secs(1),
    )
    .with_public_url("https://gateway.example");
    let intake = Intake::new(
        Arc::clone(&spool),
        routes,
        Arc::new(rules()),
        metrics,
        wake,
        signer(),
    );
    Rig {
        dir,
        spool,
        intake,
        outbox,
        clock,
        forms: FormRegistry::built_in().expect("forms"),
        smtp,
    }
}

impl Rig {
    fn housekeeping(
        &self,
        routes: Vec<(String, String)>,
        retention: RetentionPolicy,
    ) -> Housekeeping {
        Housekeeping::new(
            Arc::clone(&self.spool),
            self.clock.clone(),
            Arc::new(Metrics::default()),
            routes,
            15 * 60,
            retention,
            600,
            Arc::new(tokio::sync::Notify::new()),
            Duration::from_secs(1),
        )
    }

    async fn submit(&self, immediate: bool) -> Reference {
        let mut answers = community_answers();
        if immediate {
            answers["gate.immediate_danger"] = json!("yes");
        }
        let spec = self.forms.get("community").expect("form");
        let v = pis_gateway::forms::validate(spec, &answers, pis_gateway::ukdate::uk_today())
            .expect("valid");
        self.intake
            .submit(spec, v, None)
            .await
            .expect("accepted")
            .reference
    }

    /// An IMMEDIATE professional report about the City of York, which MACE hears of.
    async fn submit_professional_immediate(&self) -> Reference {
        let mut answers = professional_answers();
        answers["gate.immediate_danger"] = json!("yes");
        answers["source_protection.risk_to_source_or_you"] = json!("no");
        answers["handling.restrictions"] = json!("NONE");
        let spec = self.forms.get("professional").expect("form");
        let v = pis_gateway::forms::validate(spec, &answers, pis_gateway::ukdate::uk_today())
            .expect("valid");
        let receipt = self.intake.submit(spec, v, None).await.expect("accepted");
        assert_eq!(receipt.priority.as_str(), "IMMEDIATE");
        receipt.reference
    }

    async fn drain(&self) {
        while self.outbox.try_execute_task().await.expect("spool") != Outcome::Idle {}
    }

    /// Uses the link in `mail` as its POST would, under the default 14-day token policy.
    async fn use_link(&self, mail: &[u8]) -> Option<Used> {
        let link = ack_link(mail).expect("link");
        let token = link.rsplit('/').next().expect("token");
        let now = self.clock.now();
        self.spool
            .acknowledge(
                pis_gateway::ack::hash(token),
                now,
                TokenPolicy::default().issued_after(now),
            )
            .await
            .expect("spool")
    }

    fn mails_to(&self, mailbox: &str) -> Vec<Vec<u8>> {
        self.smtp
            .received()
            .into_iter()
            .filter(|m| m.rcpt_to == vec![mailbox.to_string()])
            .map(|m| m.data)
            .collect()
    }

    fn escalation_mails(&self) -> Vec<Vec<u8>> {
        self.smtp
            .received()
            .into_iter()
            .filter(|m| m.rcpt_to == vec!["escalation@police.example".to_string()])
            .map(|m| m.data)
            .collect()
    }
}

fn escalation_routes() -> Vec<(String, String)> {
    vec![("escalation".into(), "escalation@police.example".into())]
}

const KEEP: RetentionPolicy = RetentionPolicy {
    grace_secs: 30 * 86_400,
    max_age_secs: 90 * 86_400,
    warn_secs: 7 * 86_400,
};

#[actix_web::test]
async fn an_unacknowledged_immediate_escalates_at_its_deadline_repeats_and_one_acknowledgement_stops_it(
) {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let rig = rig_at(tempfile::tempdir().expect("tempdir"), start).await;
    let hk = rig.housekeeping(escalation_routes(), KEEP);
    let reference = rig.submit(true).await;
    rig.drain().await;
    assert_eq!(
        rig.smtp.received().len(),
        2,
        "police intelligence and control room"
    );

    rig.clock.advance(14 * 60);
    assert!(
        hk.tick().await.expect("tick").escalated.is_empty(),
        "not before the 15-minute deadline"
    );
    rig.clock.advance(2 * 60);
    assert_eq!(
        hk.tick().await.expect("tick").escalated,
        vec![reference.clone()]
    );
    assert!(
        hk.tick().await.expect("tick").escalated.is_empty(),
        "once per period"
    );
    rig.drain().await;
    let first = rig.escalation_mails();
    assert_eq!(first.len(), 1);
    let h = parse_mail(&first[0]).headers;
    assert_eq!(
        header(&h, "Subject"),
        Some(format!("[OFFICIAL-SENSITIVE] PIS {reference} IMMEDIATE UNACKNOWLEDGED").as_str())
    );
    let text = String::from_utf8_lossy(&first[0]).replace("=\r\n", "");
    assert!(text.contains("Minutes overdue: 1"), "{text}");
    assert!(text.contains("control_room, police_intelligence"), "{text}");
    assert!(!text.contains("BEGIN AGE"), "content-free");

    rig.clock.advance(15 * 60);
    assert_eq!(
        hk.tick().await.expect("tick").escalated,
        vec![reference.clone()],
        "repeats"
    );
    rig.drain().await;
    assert_eq!(rig.escalation_mails().len(), 2);

    // The control room acknowledges from its email.
    let cr = rig
        .smtp
        .received()
        .into_iter()
        .find(|m| m.rcpt_to == vec!["control-room@police.example".to_string()])
        .expect("control room email");
    let acked = rig.use_link(&cr.data).await.expect("acknowledged");
    assert_eq!(
        (acked.reference.as_str(), acked.route.as_str(), acked.kind),
        (reference.as_str(), "control_room", AckKind::Acknowledge)
    );

    rig.clock.advance(60 * 60);
    assert!(
        hk.tick().await.expect("tick").escalated.is_empty(),
        "acknowledged: no more escalations"
    );
    rig.drain().await;
    assert_eq!(rig.escalation_mails().len(), 2);
    assert!(rig.use_link(&cr.data).await.is_none(), "a link works once");
}

#[actix_web::test]
async fn a_mace_confirmation_of_receipt_leaves_escalation_running_until_the_control_room_acknowledges(
) {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let rig = rig_with(tempfile::tempdir().expect("tempdir"), start, true).await;
    let hk = rig.housekeeping(escalation_routes(), KEEP);
    let reference = rig.submit_professional_immediate().await;
    rig.drain().await;
    let mace = rig.mails_to("mace-city-of-york@police.example");
    assert_eq!(mace.len(), 1, "MACE hears of it");
    let text = String::from_utf8_lossy(&mace[0]).replace("=\r\n", "");
    assert!(text.contains("Confirm receipt"), "{text}");
    assert!(!text.contains("stops its escalation"), "{text}");

    // MACE confirms receipt a minute in.
    rig.clock.advance(60);
    let used = rig.use_link(&mace[0]).await.expect("link works");
    assert_eq!(
        (used.route.as_str(), used.kind),
        ("mace_city_of_york", AckKind::ConfirmReceipt)
    );
    assert!(
        rig.use_link(&mace[0]).await.is_none(),
        "a receipt link works once too"
    );
    let db = rusqlite::Connection::open(rig.dir.path().join("spool/spool.sqlite3")).expect("db");
    let acknowledged: Option<i64> = db
        .query_row(
            "SELECT acknowledged_at FROM submissions WHERE reference = ?1",
            [reference.as_str()],
            |r| r.get(0),
        )
        .expect("record");
    assert_eq!(acknowledged, None, "receipt is not acknowledgement");
    let events: Vec<(String, Option<String>)> = db
        .prepare("SELECT event, route FROM audit WHERE reference = ?1 ORDER BY seq")
        .and_then(|mut s| {
            s.query_map([reference.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .expect("audit");
    assert!(
        events.contains(&(
            "receipt_confirmed".to_string(),
            Some("mace_city_of_york".to_string())
        )),
        "{events:?}"
    );
    assert!(
        !events.iter().any(|(e, _)| e == "acknowledged"),
        "{events:?}"
    );

    // The deadline passes: the escalation still goes.
    rig.clock.advance(15 * 60);
    assert_eq!(
        hk.tick().await.expect("tick").escalated,
        vec![reference.clone()]
    );
    rig.drain().await;
    assert_eq!(rig.escalation_mails().len(), 1);

    // The control room acknowledges: escalation stops.
    let cr = rig.mails_to("control-room@police.example");
    let text = String::from_utf8_lossy(&cr[0]).replace("=\r\n", "");
    assert!(text.contains("stops its escalation"), "{text}");
    let used = rig.use_link(&cr[0]).await.expect("link works");
    assert_eq!(used.kind, AckKind::Acknowledge);
    rig.clock.advance(60 * 60);
    assert!(hk.tick().await.expect("tick").escalated.is_empty());
    rig.drain().await;
    assert_eq!(rig.escalation_mails().len(), 1);
}

#[actix_web::test]
async fn a_resend_carries_the_same_live_link_and_a_link_expires_after_its_days() {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let rig = rig_at(tempfile::tempdir().expect("tempdir"), start).await;
    let hk = rig.housekeeping(escalation_routes(), KEEP);
    let reference = rig.submit(true).await;
    assert!(!reference.as_str().is_empty());
    // Every first attempt fails and is retried: each attempt used to add a live token.
    rig.smtp.set_reply(crate::smtp_server::Reply::TempFail);
    rig.drain().await;
    rig.smtp.set_reply(crate::smtp_server::Reply::Accept);
    rig.clock.advance(60);
    rig.drain().await;
    assert_eq!(rig.smtp.attempts(), 4, "two failed, two delivered");
    let db = rusqlite::Connection::open(rig.dir.path().join("spool/spool.sqlite3")).expect("db");
    let tokens = |route: &str| -> i64 {
        db.query_row(
            "SELECT COUNT(*) FROM ack_tokens WHERE route = ?1",
            [route],
            |r| r.get(0),
        )
        .expect("count")
    };
    assert_eq!(
        tokens("control_room"),
        1,
        "the resend reused the live token"
    );
    assert_eq!(tokens("police_intelligence"), 1);

    // Each round of escalation carries the escalation route's one live link.
    rig.clock.advance(15 * 60);
    hk.tick().await.expect("tick");
    rig.drain().await;
    rig.clock.advance(15 * 60);
    hk.tick().await.expect("tick");
    rig.drain().await;
    let rounds = rig.escalation_mails();
    assert_eq!(rounds.len(), 2);
    assert_eq!(ack_link(&rounds[0]), ack_link(&rounds[1]));
    assert_eq!(tokens("escalation"), 1);

    // Thirteen days on, a link still works; fifteen, and it does not.
    let cr = rig.mails_to("control-room@police.example");
    let pi = rig.mails_to("police-intelligence@police.example");
    rig.clock.advance(13 * 86_400);
    assert!(
        rig.use_link(&cr[0]).await.is_some(),
        "thirteen days after issue it still works"
    );
    rig.clock.advance(2 * 86_400);
    assert!(rig.use_link(&pi[0]).await.is_none(), "expired");
}

#[actix_web::test]
async fn a_restart_during_the_deadline_escalates_exactly_once_per_period() {
    let dir = tempfile::tempdir().expect("tempdir");
    let start = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let spool_dir = dir.path().to_path_buf();
    let reference;
    {
        let rig = rig_at(dir, start).await;
        reference = rig.submit(true).await;
        let hk = rig.housekeeping(escalation_routes(), KEEP);
        rig.clock.advance(16 * 60);
        assert_eq!(hk.tick().await.expect("tick").escalated.len(), 1);
        // Dropped here, as a crash would: the escalation is queued but not sent.
        std::mem::forget(rig.dir);
    }
    let rig = rig_at(
        tempfile::TempDir::new_in(&spool_dir).expect("scratch"),
        start + 16 * 60,
    )
    .await;
    let spool: Arc<dyn Spool> =
        Arc::new(SqliteSpool::open(&spool_dir.join("spool")).expect("reopen"));
    let hk = Housekeeping::new(
        Arc::clone(&spool),
        rig.clock.clone(),
        Arc::new(Metrics::default()),
        escalation_routes(),
        15 * 60,
        KEEP,
        600,
        Arc::new(tokio::sync::Notify::new()),
        Duration::from_secs(1),
    );
    assert!(
        hk.tick().await.expect("tick").escalated.is_empty(),
        "the first period's escalation is not repeated"
    );
    rig.clock.advance(15 * 60);
    assert_eq!(
        hk.tick().await.expect("tick").escalated,
        vec![reference.clone()]
    );
    let rounds: Vec<String> = spool
        .deliveries(&reference)
        .await
        .expect("read")
        .into_iter()
        .filter(|d| d.view == pis_gateway::spool::View::Escalation)
        .map(|d| d.route.to_string())
        .collect();
    assert_eq!(rounds, vec!["escalation.1", "escalation.2"]);
}

fn audit_cli(config: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["audit", "--config"])
        .arg(config)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn copy_spool(from: &Path, to: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(to.join("spool")).expect("dir");
    let src = rusqlite::Connection::open(from.join("spool/spool.sqlite3")).expect("open");
    src.execute(
        "VACUUM INTO ?1",
        [to.join("spool/spool.sqlite3").display().to_string()],
    )
    .expect("copy");
    let config = to.join("gateway.toml");
    std::fs::write(
        &config,
        format!("[spool]\ndir = \"{}\"\n", to.join("spool").display()),
    )
    .expect("config");
    config
}

#[actix_web::test]
async fn audit_verify_passes_on_the_real_log_and_catches_each_kind_of_tampering() {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let rig = rig_at(tempfile::tempdir().expect("tempdir"), start).await;
    for immediate in [true, false, false] {
        rig.submit(immediate).await;
    }
    rig.drain().await;
    rig.clock.advance(20 * 60);
    rig.housekeeping(escalation_routes(), KEEP)
        .tick()
        .await
        .expect("tick");
    rig.drain().await;
    let (seq, hash) = rig
        .spool
        .audit_head()
        .await
        .expect("head")
        .expect("entries");
    assert!(
        seq >= 10,
        "received, sealed, delivered, escalated...: {seq}"
    );
    let head = format!("{seq}:{}", pis_gateway::spool::audit::to_hex(&hash));

    let work = tempfile::tempdir().expect("tempdir");
    let intact = copy_spool(rig.dir.path(), &work.path().join("intact"));
    let (ok, out) = audit_cli(&intact, &["verify", "--head", &head]);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("{seq} entries")), "{out}");
    let (ok, export) = audit_cli(&intact, &["export"]);
    assert!(ok);
    assert_eq!(export.lines().count() as i64, seq);
    let first: serde_json::Value =
        serde_json::from_str(export.lines().next().expect("line")).expect("json");
    assert_eq!(first["event"], "received");
    assert!(!export.contains("Young people"), "content-free");

    let tamper = |name: &str, sql: &str| {
        let config = copy_spool(rig.dir.path(), &work.path().join(name));
        let db =
            rusqlite::Connection::open(config.parent().expect("dir").join("spool/spool.sqlite3"))
                .expect("open");
        db.execute_batch(sql).expect("tamper");
        drop(db);
        config
    };
    let cases = [
        (
            "edited",
            "UPDATE audit SET route = 'mace_selby' WHERE seq = 3",
            "entry 3 was edited",
        ),
        (
            "deleted",
            "DELETE FROM audit WHERE seq = 4",
            "between 3 and 5 were deleted",
        ),
        // Two entries trade places: each keeps its content and takes the other's position.
        (
            "reordered",
            "UPDATE audit SET seq = -5 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 6;
                       UPDATE audit SET seq = 6 WHERE seq = -5;",
            "out of order",
        ),
    ];
    for (name, sql, expect) in cases {
        let config = tamper(name, sql);
        let (ok, out) = audit_cli(&config, &["verify"]);
        assert!(!ok, "{name}: {out}");
        assert!(out.contains(expect), "{name}: {out}");
    }
    let truncated = tamper(
        "truncated",
        &format!("DELETE FROM audit WHERE seq > {}", seq - 2),
    );
    let (ok, out) = audit_cli(&truncated, &["verify"]);
    assert!(
        ok,
        "without a recorded head a clean truncation cannot be seen: {out}"
    );
    let (ok, out) = audit_cli(&truncated, &["verify", "--head", &head]);
    assert!(!ok && out.contains("truncated"), "{out}");

    // One byte changed in the database file itself.
    let config = copy_spool(rig.dir.path(), &work.path().join("byte"));
    let file = config.parent().expect("dir").join("spool/spool.sqlite3");
    let mut bytes = std::fs::read(&file).expect("read");
    // "escalated" is written only by the audit log.
    let at = bytes
        .windows(9)
        .position(|w| w == b"escalated")
        .expect("an audit event in the file");
    bytes[at] = b'D';
    std::fs::write(&file, bytes).expect("write");
    let (ok, out) = audit_cli(&config, &["verify"]);
    assert!(!ok && out.contains("edited"), "{out}");
}

#[actix_web::test]
async fn purging_takes_envelopes_only_when_due_and_never_from_a_pending_delivery() {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let rig = rig_at(tempfile::tempdir().expect("tempdir"), start).await;
    let hk = rig.housekeeping(escalation_routes(), KEEP);
    let acked = rig.submit(false).await;
    let unacked = rig.submit(false).await;
    rig.drain().await;
    let pending = rig.submit(false).await; // never sent: the outbox is not run again
    let who = rig.use_link(&rig.smtp.received()[0].data).await;
    assert_eq!(who.map(|w| w.reference), Some(acked.to_string()));

    let envelopes = |r: Reference| {
        let spool = Arc::clone(&rig.spool);
        async move { spool.envelopes(&r).await.expect("read").len() }
    };
    assert!(hk.tick().await.expect("tick").purge.purged.is_empty());
    rig.clock.advance(30 * 86_400 + 60);
    let t = hk.tick().await.expect("tick");
    assert_eq!(t.purge.purged, vec![(acked.clone(), PurgeReason::Grace)]);
    assert_eq!(envelopes(acked.clone()).await, 0);
    assert!(
        rig.spool.submission(&acked).await.expect("read").is_some(),
        "the content-free record stays"
    );
    assert_eq!(envelopes(unacked.clone()).await, 1);

    rig.clock.advance(53 * 86_400);
    let t = hk.tick().await.expect("tick");
    assert_eq!(
        t.purge.warned,
        vec![unacked.clone()],
        "announced before the maximum age"
    );
    assert!(t.purge.purged.is_empty());
    assert!(
        hk.tick().await.expect("tick").purge.warned.is_empty(),
        "announced once"
    );
    rig.clock.advance(8 * 86_400);
    let t = hk.tick().await.expect("tick");
    assert_eq!(t.purge.purged, vec![(unacked.clone(), PurgeReason::MaxAge)]);
    assert_eq!(
        envelopes(pending.clone()).await,
        1,
        "a pending delivery keeps its envelope"
    );
    rig.clock.advance(365 * 86_400);
    hk.tick().await.expect("tick");
    assert_eq!(envelopes(pending).await, 1);
    let purged: i64 = rusqlite::Connection::open(rig.dir.path().join("spool/spool.sqlite3"))
        .expect("db")
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE event = 'purged'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(purged, 2);
}

#[actix_web::test]
async fn a_purged_envelope_leaves_no_trace_in_any_spool_file() {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let rig = rig_at(tempfile::tempdir().expect("tempdir"), start).await;
    let hk = rig.housekeeping(escalation_routes(), KEEP);
    let canary = rig.submit(false).await;
    let other = rig.submit(false).await;
    rig.drain().await;
    let envelope = rig.spool.envelopes(&canary).await.expect("read")[0]
        .body
        .clone();
    // Pieces of the ciphertext past its header (the header's opening is the same in every
    // envelope): the beginning of the payload, the middle and the end.
    let n = envelope.len();
    let pieces: Vec<&[u8]> = vec![
        &envelope[n / 2 - 16..n / 2 + 16],
        &envelope[n - 48..n - 16],
        &envelope[n - 32..],
    ];
    let spool_dir = rig.dir.path().join("spool");
    let found_in = |pieces: &[&[u8]]| -> Vec<String> {
        let mut hits = Vec::new();
        for entry in std::fs::read_dir(&spool_dir).expect("spool dir").flatten() {
            let bytes = std::fs::read(entry.path()).expect("read");
            if pieces
                .iter()
                .any(|p| bytes.windows(p.len()).any(|w| w == *p))
            {
                hits.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        hits
    };
    assert!(
        !found_in(&pieces).is_empty(),
        "the envelope is on disk before the purge (the test can see it)"
    );
    rig.clock.advance(90 * 86_400 + 60);
    let t = hk.tick().await.expect("tick");
    let purged: Vec<&Reference> = t.purge.purged.iter().map(|(r, _)| r).collect();
    assert!(purged.contains(&&canary), "{purged:?}");
    assert!(purged.contains(&&other));
    let hits = found_in(&pieces);
    assert!(hits.is_empty(), "purged ciphertext still in {hits:?}");
    // The spool still works afterwards.
    let later = rig.submit(false).await;
    assert_eq!(rig.spool.envelopes(&later).await.expect("read").len(), 1);
}
