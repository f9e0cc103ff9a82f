//! Delivery through a real SMTP server on loopback, over real TLS.

use crate::helpers::*;
use crate::smtp_server::{Reply, SmtpServer, Tls};
use pis_gateway::config::{MailSettings, MailTransport, RouteSettings, SmtpTls};
use pis_gateway::delivery::mailer::Mailer;
use pis_gateway::delivery::retry::RetrySchedule;
use pis_gateway::delivery::{ManualClock, Outbox, Outcome};
use pis_gateway::forms::FormRegistry;
use pis_gateway::intake::Intake;
use pis_gateway::metrics::Metrics;
use pis_gateway::reference::Reference;
use pis_gateway::routing::{Routes, View};
use pis_gateway::spool::sqlite::SqliteSpool;
use pis_gateway::spool::Spool;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn smtp_settings(port: u16, outbox: &std::path::Path) -> MailSettings {
    let mut m = pis_gateway::config::Settings::default().mail;
    m.transport = MailTransport::Smtp;
    m.smtp_host = "localhost".into();
    m.smtp_port = port;
    m.smtp_tls = SmtpTls::Starttls;
    m.smtp_ca_file = SmtpServer::ca_file();
    m.smtp_timeout_secs = 5;
    m.file_dir = outbox.to_path_buf();
    m.from = "pis-gateway@gateway.example".into();
    m
}

/// Headers and the armored attachment of a raw message.
pub(crate) struct Mail {
    pub headers: String,
    pub armored: Option<String>,
}

pub(crate) fn parse_mail(data: &[u8]) -> Mail {
    let text = String::from_utf8_lossy(data).replace("\r\n", "\n");
    // Unfolded, as a mail client reads them: a long subject is folded onto two lines.
    let headers = text
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    let armored = text
        .find("-----BEGIN AGE ENCRYPTED FILE-----")
        .and_then(|start| {
            let end_marker = "-----END AGE ENCRYPTED FILE-----";
            text[start..]
                .find(end_marker)
                .map(|end| text[start..start + end + end_marker.len()].to_string() + "\n")
        });
    Mail { headers, armored }
}

pub(crate) fn header<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A spool, an intake and an outbox with a clock the test moves.
struct Rig {
    _dir: tempfile::TempDir,
    spool: Arc<dyn Spool>,
    intake: Intake,
    outbox: Outbox,
    clock: Arc<ManualClock>,
    identity: age::x25519::Identity,
    forms: FormRegistry,
}

fn rig(mail: impl FnOnce(&std::path::Path) -> MailSettings, max_age_secs: u64) -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let identity = age::x25519::Identity::generate();
    let spool: Arc<dyn Spool> =
        Arc::new(SqliteSpool::open(&dir.path().join("spool")).expect("spool"));
    let routes = Arc::new(
        Routes::from_settings(&[RouteSettings {
            name: "police_intelligence".into(),
            mailbox: "intel@police.example".into(),
            view: View::Full,
            recipients: vec![identity.to_public().to_string()],
            role: None,
            localities: vec![],
            fallback: false,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officer_actions: None,
            officers: vec![],
        }])
        .expect("routes"),
    );
    let metrics = Arc::new(Metrics::default());
    let wake = Arc::new(tokio::sync::Notify::new());
    // A few seconds ahead of the wall clock, so a submission made just after this (stamped
    // with the wall clock) is already due when the test first looks.
    let clock = Arc::new(ManualClock::new(
        time::OffsetDateTime::now_utc().unix_timestamp() + 5,
    ));
    let settings = mail(dir.path());
    let outbox = Outbox::new(
        spool.clone(),
        Mailer::from_settings(&settings, 1).expect("mailer"),
        RetrySchedule {
            initial_secs: 30,
            max_delay_secs: 600,
            max_age_secs,
        },
        clock.clone(),
        settings.from.clone(),
        Arc::clone(&metrics),
        Arc::clone(&wake),
        Duration::from_secs(1),
    );
    let intake = Intake::new(
        Arc::clone(&spool),
        routes,
        Arc::new(rules()),
        metrics,
        wake,
        signer(),
    );
    Rig {
        _dir: dir,
        spool,
        intake,
        outbox,
        clock,
        identity,
        forms: FormRegistry::built_in().expect("forms"),
    }
}

impl Rig {
    async fn submit(&self) -> String {
        let spec = self.forms.get("community").expect("form");
        let validated = pis_gateway::forms::validate(
            spec,
            &community_answers(),
            pis_gateway::ukdate::uk_today(),
        )
        .expect("valid");
        self.intake
            .submit(spec, validated, None)
            .await
            .expect("accepted")
            .reference
            .to_string()
    }

    async fn state(&self, reference: &str) -> (String, u32, Option<String>) {
        let reference = Reference::parse(reference).expect("a reference");
        let d = self.spool.deliveries(&reference).await.expect("read");
        (
            d[0].state.to_string(),
            d[0].attempts,
            d[0].last_error_class.clone(),
        )
    }
}

#[actix_web::test]
async fn a_browser_submission_arrives_by_email_over_starttls_and_the_attachment_decrypts() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let app = spawn_app_with(|s| {
        let outbox = s.mail.file_dir.clone();
        s.mail = smtp_settings(smtp.port, &outbox);
    })
    .await;

    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&community_answers());
    fields.push(("_token".into(), token));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = app.post_form("community", &borrowed).await;
    let reference = extract_reference(&page.body).expect("reference");

    let mail = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mail.len(), 1, "one email for the one route");
    let m = &mail[0];
    assert!(m.tls, "sent over TLS");
    assert_eq!(m.rcpt_to, vec!["intel@example.invalid".to_string()]);
    let parsed = parse_mail(&m.data);
    let h = &parsed.headers;
    assert_eq!(
        header(h, "Subject"),
        Some(format!("[OFFICIAL-SENSITIVE] PIS {reference} ROUTINE").as_str())
    );
    assert_eq!(
        header(h, "Message-ID"),
        Some(format!("<{reference}.police_intelligence@gateway.example>").as_str())
    );
    assert_eq!(header(h, "From"), Some("pis-gateway@gateway.example"));
    assert!(header(h, "Reply-To").is_none());
    assert!(!h.contains("127.0.0.1") && !h.to_ascii_lowercase().contains("user-agent"));
    let body = String::from_utf8_lossy(&m.data);
    assert!(
        !body.contains("Young people are going"),
        "no content outside the envelope"
    );
    let doc = decrypt_with(
        parsed.armored.expect("armored attachment").as_bytes(),
        &app.identities[0],
    );
    assert_eq!(doc["reference"], reference.as_str());
    assert_eq!(
        doc["answers"]["what_happened"],
        community_answers()["what_happened"]
    );

    // The worker counts the send once the server's 250 reaches it, just after the server logged it.
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = app.admin_get("/metrics").await.body;
        if metrics.contains("pisg_deliveries_sent_total{") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        metrics.contains("pisg_deliveries_sent_total{route=\"police_intelligence\"} 1"),
        "{metrics}"
    );
    assert!(metrics
        .contains("pisg_submissions_accepted_total{form=\"community\",priority=\"ROUTINE\"} 1"));
}

#[actix_web::test]
async fn a_451_is_retried_on_schedule_and_then_delivered() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let rig = rig(|d| smtp_settings(smtp.port, &d.join("outbox")), 3600);
    let reference = rig.submit().await;
    smtp.set_reply(Reply::TempFail);
    let first = rig.outbox.try_execute_task().await.expect("spool");
    assert!(
        matches!(&first, Outcome::Retrying { class, .. } if class == "smtp_451"),
        "{first:?}"
    );
    assert_eq!(
        rig.state(&reference).await,
        ("pending".into(), 1, Some("smtp_451".into()))
    );
    assert_eq!(
        rig.outbox.try_execute_task().await.expect("spool"),
        Outcome::Idle,
        "not due before its backoff"
    );
    smtp.set_reply(Reply::Accept);
    rig.clock.advance(37); // past the first backoff (30 s ± 20 %)
    let second = rig.outbox.try_execute_task().await.expect("spool");
    assert!(matches!(second, Outcome::Delivered { .. }), "{second:?}");
    assert_eq!(rig.state(&reference).await.0, "delivered");
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(smtp.attempts(), 2);
    let doc = decrypt_with(
        parse_mail(&smtp.received()[0].data)
            .armored
            .expect("attachment")
            .as_bytes(),
        &rig.identity,
    );
    assert_eq!(doc["reference"], reference.as_str());
}

#[actix_web::test]
async fn a_550_dead_letters_loudly_and_outbox_retry_delivers_it() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let rig = rig(|d| smtp_settings(smtp.port, &d.join("outbox")), 3600);
    let reference = rig.submit().await;
    smtp.set_reply(Reply::PermFail);
    let out = rig.outbox.try_execute_task().await.expect("spool");
    assert!(
        matches!(&out, Outcome::DeadLettered { class, .. } if class == "smtp_550"),
        "{out:?}"
    );
    assert_eq!(rig.state(&reference).await.0, "dead");
    let stats = rig
        .spool
        .outbox_stats(pis_gateway::delivery::Clock::now(rig.clock.as_ref()))
        .await
        .expect("stats");
    assert_eq!((stats.pending, stats.dead), (0, 1));
    rig.clock.advance(3600);
    assert_eq!(
        rig.outbox.try_execute_task().await.expect("spool"),
        Outcome::Idle,
        "dead letters are not retried by themselves"
    );

    // The operator's command, on the same spool.
    let config = rig._dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "[spool]\ndir = \"{}\"\n",
            rig._dir.path().join("spool").display()
        ),
    )
    .expect("config");
    let bin = env!("CARGO_BIN_EXE_pis-gateway");
    let list = std::process::Command::new(bin)
        .args(["outbox", "--config"])
        .arg(&config)
        .arg("list")
        .output()
        .expect("runs");
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(
        listing.contains(&reference) && listing.contains("dead") && listing.contains("smtp_550"),
        "{listing}"
    );
    let retry = std::process::Command::new(bin)
        .args(["outbox", "--config"])
        .arg(&config)
        .args(["retry", &reference])
        .output()
        .expect("runs");
    assert!(
        retry.status.success(),
        "{}",
        String::from_utf8_lossy(&retry.stderr)
    );

    smtp.set_reply(Reply::Accept);
    rig.clock.advance(60);
    let out = rig.outbox.try_execute_task().await.expect("spool");
    assert!(matches!(out, Outcome::Delivered { .. }), "{out:?}");
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(rig.state(&reference).await.0, "delivered");
}

#[actix_web::test]
async fn a_delivery_failing_past_the_maximum_age_is_dead_lettered() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let rig = rig(|d| smtp_settings(smtp.port, &d.join("outbox")), 600);
    let reference = rig.submit().await;
    smtp.set_reply(Reply::TempFail);
    let mut outcomes = Vec::new();
    for _ in 0..20 {
        rig.clock.advance(120);
        match rig.outbox.try_execute_task().await.expect("spool") {
            Outcome::Idle => {}
            o => outcomes.push(o),
        }
        if matches!(outcomes.last(), Some(Outcome::DeadLettered { .. })) {
            break;
        }
    }
    assert!(
        matches!(outcomes.last(), Some(Outcome::DeadLettered { class, .. }) if class == "smtp_451"),
        "{outcomes:?}"
    );
    assert!(
        outcomes.len() >= 3,
        "retried before giving up: {outcomes:?}"
    );
    assert_eq!(rig.state(&reference).await.0, "dead");
}

#[actix_web::test]
async fn a_server_without_starttls_is_refused_while_tls_is_required() {
    let smtp = SmtpServer::start(Tls::Plain).await;
    let rig = rig(|d| smtp_settings(smtp.port, &d.join("outbox")), 3600);
    let reference = rig.submit().await;
    let out = rig.outbox.try_execute_task().await.expect("spool");
    assert!(matches!(out, Outcome::Retrying { .. }), "{out:?}");
    assert!(
        smtp.received().is_empty(),
        "nothing was handed over in clear"
    );
    assert_eq!(rig.state(&reference).await.0, "pending");
}

#[actix_web::test]
async fn implicit_tls_delivers_and_only_the_configured_ca_is_trusted() {
    let smtp = SmtpServer::start(Tls::Implicit).await;
    let implicit = rig(
        |d| {
            let mut m = smtp_settings(smtp.port, &d.join("outbox"));
            m.smtp_tls = SmtpTls::Implicit;
            m
        },
        3600,
    );
    implicit.submit().await;
    let out = implicit.outbox.try_execute_task().await.expect("spool");
    assert!(matches!(out, Outcome::Delivered { .. }), "{out:?}");
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls);

    // The same server, but trusting another certificate (the server's own leaf, which signs
    // nothing): the handshake is refused and nothing is sent.
    for tls in [SmtpTls::Implicit, SmtpTls::Starttls] {
        let server = SmtpServer::start(match tls {
            SmtpTls::Implicit => Tls::Implicit,
            SmtpTls::Starttls => Tls::StartTls,
        })
        .await;
        let refused = rig(
            |d| {
                let mut m = smtp_settings(server.port, &d.join("outbox"));
                m.smtp_tls = tls;
                m.smtp_ca_file = SmtpServer::ca_file().with_file_name("localhost.pem");
                m
            },
            3600,
        );
        let reference = refused.submit().await;
        let out = refused.outbox.try_execute_task().await.expect("spool");
        assert!(matches!(out, Outcome::Retrying { .. }), "{tls:?}: {out:?}");
        assert!(server.received().is_empty(), "{tls:?}: nothing was sent");
        assert_eq!(refused.state(&reference).await.0, "pending");
    }
}

#[actix_web::test]
async fn one_connection_is_kept_between_sends_and_replaced_when_the_server_drops_it() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let port = smtp.port;
    let rig = rig(|d| smtp_settings(port, &d.join("outbox")), 3600);
    for _ in 0..3 {
        rig.submit().await;
        let out = rig.outbox.try_execute_task().await.expect("spool");
        assert!(matches!(out, Outcome::Delivered { .. }), "{out:?}");
    }
    assert_eq!(smtp.received().len(), 3);
    assert_eq!(smtp.connections(), 1, "three emails on one kept connection");

    // The server goes away and comes back on the same port: the kept connection is dead, and
    // the next send opens a new one instead of failing.
    drop(smtp);
    let smtp = loop {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            break SmtpServer::start_on(port, Tls::StartTls).await;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    };
    rig.submit().await;
    let out = rig.outbox.try_execute_task().await.expect("spool");
    assert!(matches!(out, Outcome::Delivered { .. }), "{out:?}");
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(smtp.connections(), 1);
}

#[actix_web::test]
async fn the_file_transport_writes_the_same_email_to_disk() {
    let rig = rig(
        |d| {
            let mut m = pis_gateway::config::Settings::default().mail;
            m.file_dir = d.join("outbox");
            m
        },
        3600,
    );
    let reference = rig.submit().await;
    assert!(matches!(
        rig.outbox.try_execute_task().await.expect("spool"),
        Outcome::Delivered { .. }
    ));
    let dir = rig._dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("outbox dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let mail = parse_mail(&std::fs::read(files[0].path()).expect("eml"));
    assert!(mail.headers.contains(&reference));
    let doc = decrypt_with(mail.armored.expect("attachment").as_bytes(), &rig.identity);
    assert_eq!(doc["reference"], reference.as_str());
}

#[actix_web::test]
async fn mail_queued_while_smtp_is_down_survives_kill_9_and_is_delivered_once_it_returns() {
    use crate::process::{app_for, keys, start, write_config_with};
    let dir = tempfile::tempdir().expect("tempdir");
    let (ids, recipients) = keys();
    // A port with nothing listening: reserve one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mail = format!(
        "transport = \"smtp\"\nsmtp_host = \"localhost\"\nsmtp_port = {port}\nsmtp_ca_file = \"{}\"\nsmtp_timeout_secs = 5\nfrom = \"pis-gateway@gateway.example\"",
        SmtpServer::ca_file().display()
    );
    let delivery = "retry_initial_secs = 1\nretry_max_delay_secs = 2\npoll_interval_secs = 1";
    let config = write_config_with(dir.path(), &recipients, &mail, delivery);

    let gw = start(&config);
    let app = app_for(&gw, &dir);
    let mut references = Vec::new();
    for _ in 0..20 {
        let (status, body) = app
            .post_json(&json!({"form": "community", "answers": community_answers()}))
            .await;
        assert_eq!(status, 201, "accepted while the mail server is down");
        references.push(body["reference"].as_str().expect("reference").to_string());
    }
    // Let the outbox fail at least once, so there is retry state to survive.
    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    let failed = || -> i64 {
        db.query_row(
            "SELECT COUNT(*) FROM deliveries WHERE attempts > 0 AND state = 'pending'",
            [],
            |r| r.get(0),
        )
        .expect("count")
    };
    for _ in 0..200 {
        if failed() > 0 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        failed() > 0,
        "the outbox tried and failed while SMTP was down"
    );
    drop(gw); // kill -9

    let gw = start(&config);
    let smtp = SmtpServer::start_on(port, Tls::StartTls).await;
    // Wait for every reference, not a count: a resend after the kill is allowed and would
    // make a count arrive early.
    let mut by_id = std::collections::HashMap::<String, usize>::new();
    let mut mail = Vec::new();
    for _ in 0..600 {
        mail = smtp.received();
        by_id.clear();
        for m in &mail {
            let parsed = parse_mail(&m.data);
            let id = header(&parsed.headers, "Message-ID")
                .expect("Message-ID")
                .to_string();
            let doc = decrypt_with(parsed.armored.expect("attachment").as_bytes(), &ids[0]);
            assert_eq!(
                id,
                format!(
                    "<{}.police_intelligence@gateway.example>",
                    doc["reference"].as_str().expect("reference")
                )
            );
            *by_id.entry(id).or_default() += 1;
        }
        if by_id.len() >= references.len() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    for r in &references {
        let id = format!("<{r}.police_intelligence@gateway.example>");
        assert!(by_id.contains_key(&id), "{r} was never delivered");
    }
    assert_eq!(by_id.len(), 20);
    // At-least-once: a resend can only repeat a Message-ID, never mint a new one.
    let resent: usize = by_id.values().map(|n| n - 1).sum();
    assert_eq!(mail.len(), 20 + resent);
    for _ in 0..100 {
        let delivered: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        if delivered == 20 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let delivered: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(delivered, 20);
    drop(gw);
}

#[actix_web::test]
async fn concurrent_lanes_send_each_delivery_exactly_once() {
    lanes_send_everything_once(None).await;
}

#[actix_web::test]
async fn during_a_surge_urgent_email_goes_and_the_routine_backlog_drains_after() {
    // A threshold of one submission a second: intake is "busy" from the first commit on, and
    // stays busy while `record` is called, as it would during a flood.
    let pressure = Arc::new(pis_gateway::delivery::IntakePressure::new(1));
    let surge = {
        let p = Arc::clone(&pressure);
        actix_web::rt::spawn(async move {
            loop {
                p.record();
                actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let (smtp, stop, worker, outbox_stats) = lanes_start(
        Some(Arc::clone(&pressure)),
        &[false, false, false, true, false],
    )
    .await;
    let first = smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(first.len(), 1);
    assert!(
        String::from_utf8_lossy(&first[0].data).contains("IMMEDIATE"),
        "the urgent one goes first"
    );
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        smtp.received().len(),
        1,
        "routine email waits out the surge"
    );
    assert!(pressure.busy());
    surge.abort();
    let all = smtp.wait_for(5, Duration::from_secs(30)).await;
    assert_eq!(all.len(), 5, "the backlog drains once intake calms");
    let _ = stop.send(true);
    let _ = worker.await;
    assert_eq!(
        outbox_stats.outbox_stats(0).await.expect("stats").pending,
        0
    );
}

async fn lanes_send_everything_once(pressure: Option<Arc<pis_gateway::delivery::IntakePressure>>) {
    let (smtp, stop, worker, spool) = lanes_start(pressure, &[false; 30]).await;
    let mail = smtp.wait_for(30, Duration::from_secs(30)).await;
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let _ = stop.send(true);
    let _ = worker.await;
    let all = smtp.received();
    let ids: std::collections::HashSet<String> = all
        .iter()
        .filter_map(|m| header(&parse_mail(&m.data).headers, "Message-ID").map(str::to_string))
        .collect();
    assert_eq!(mail.len(), 30);
    assert_eq!(all.len(), 30, "no delivery was sent twice");
    assert_eq!(ids.len(), 30);
    assert_eq!(spool.outbox_stats(0).await.expect("stats").pending, 0);
}

/// An outbox with four lanes running against an SMTP server, and one submission committed per
/// entry of `immediate` (IMMEDIATE when true, else ROUTINE), in that order.
async fn lanes_start(
    pressure: Option<Arc<pis_gateway::delivery::IntakePressure>>,
    immediate: &[bool],
) -> (
    SmtpServer,
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
    Arc<dyn Spool>,
) {
    let rig = Lanes::start(pressure, 0).await;
    for &urgent in immediate {
        rig.submit(urgent).await;
    }
    let Lanes {
        smtp,
        stop,
        worker,
        spool,
        ..
    } = rig;
    (smtp, stop, worker, spool)
}

/// An outbox with four ordinary lanes and `urgent_lanes` more for urgent email, sending to a
/// real SMTP server, and the intake that feeds it.
struct Lanes {
    smtp: SmtpServer,
    stop: tokio::sync::watch::Sender<bool>,
    worker: tokio::task::JoinHandle<()>,
    spool: Arc<dyn Spool>,
    intake: Intake,
    forms: FormRegistry,
    /// Kept for the spool's life.
    _dir: tempfile::TempDir,
}

impl Lanes {
    async fn start(
        pressure: Option<Arc<pis_gateway::delivery::IntakePressure>>,
        urgent_lanes: usize,
    ) -> Lanes {
        let smtp = SmtpServer::start(Tls::StartTls).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let identity = age::x25519::Identity::generate();
        let spool: Arc<dyn Spool> =
            Arc::new(SqliteSpool::open(&dir.path().join("spool")).expect("spool"));
        let routes = Arc::new(
            Routes::from_settings(&[RouteSettings {
                name: "police_intelligence".into(),
                mailbox: "intel@police.example".into(),
                view: View::Full,
                recipients: vec![identity.to_public().to_string()],
                role: None,
                localities: vec![],
                fallback: false,
                ack_immediate_minutes: None,
                ack_priority_minutes: None,
                officer_actions: None,
                officers: vec![],
            }])
            .expect("routes"),
        );
        let metrics = Arc::new(Metrics::default());
        let wake = Arc::new(tokio::sync::Notify::new());
        let urgent = Arc::new(tokio::sync::Notify::new());
        let mut settings = smtp_settings(smtp.port, &dir.path().join("outbox"));
        // Longer than any test here waits: a lane held by a slow relay stays busy, and never
        // frees itself by giving up on the send.
        settings.smtp_timeout_secs = 60;
        let mut outbox = Outbox::new(
            spool.clone(),
            Mailer::from_settings(&settings, 4 + urgent_lanes).expect("mailer"),
            RetrySchedule {
                initial_secs: 30,
                max_delay_secs: 600,
                max_age_secs: 3600,
            },
            Arc::new(pis_gateway::delivery::SystemClock),
            settings.from.clone(),
            Arc::clone(&metrics),
            Arc::clone(&wake),
            Duration::from_secs(1),
        )
        .with_lanes(4)
        .with_urgent_lanes(urgent_lanes, Arc::clone(&urgent));
        let mut intake = Intake::new(
            Arc::clone(&spool),
            routes,
            Arc::new(rules()),
            metrics,
            Arc::clone(&wake),
            signer(),
        )
        .with_urgent_wake(urgent);
        if let Some(p) = &pressure {
            outbox = outbox.with_pressure(Arc::clone(p));
            intake = intake.with_pressure(p.clone());
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(Arc::new(outbox).run(stopped));
        Lanes {
            smtp,
            stop,
            worker,
            spool,
            intake,
            forms: FormRegistry::built_in().expect("forms"),
            _dir: dir,
        }
    }

    /// Commits one community submission: IMMEDIATE when `urgent`, else ROUTINE.
    async fn submit(&self, urgent: bool) {
        let spec = self.forms.get("community").expect("form");
        let mut answers = community_answers();
        if urgent {
            answers["gate.immediate_danger"] = "yes".into();
        }
        let v = pis_gateway::forms::validate(spec, &answers, pis_gateway::ukdate::uk_today())
            .expect("valid");
        let receipt = self.intake.submit(spec, v, None).await.expect("accepted");
        let expected = if urgent { "IMMEDIATE" } else { "ROUTINE" };
        assert_eq!(receipt.priority.as_str(), expected);
    }
}

#[actix_web::test]
async fn an_immediate_email_goes_on_a_lane_of_its_own_while_every_ordinary_lane_is_busy() {
    let rig = Lanes::start(None, 2).await;
    // The server sits on every routine email unanswered, as a relay slow under a backlog.
    rig.smtp.hold("ROUTINE\r\n");
    for _ in 0..4 {
        rig.submit(false).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while rig.smtp.held() < 4 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(rig.smtp.held(), 4, "every ordinary lane is busy");
    rig.submit(true).await;
    let sent = rig.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(sent.len(), 1, "the IMMEDIATE email waited for a busy lane");
    assert!(String::from_utf8_lossy(&sent[0].data).contains("IMMEDIATE"));
    rig.smtp.release();
    let all = rig.smtp.wait_for(5, Duration::from_secs(30)).await;
    assert_eq!(all.len(), 5, "the routine emails go once answered");
    let _ = rig.stop.send(true);
    let _ = rig.worker.await;
    assert_eq!(rig.spool.outbox_stats(0).await.expect("stats").pending, 0);
}

#[actix_web::test]
async fn smtp_credentials_come_from_a_secret_file_and_travel_only_under_tls() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let rig = rig(
        |d| {
            let secret = d.join("smtp-password");
            std::fs::write(&secret, "s3cret-from-file\n").expect("secret");
            let mut m = smtp_settings(smtp.port, &d.join("outbox"));
            m.smtp_username = "gateway".into();
            m.smtp_password_file = secret;
            m
        },
        3600,
    );
    rig.submit().await;
    assert!(matches!(
        rig.outbox.try_execute_task().await.expect("spool"),
        Outcome::Delivered { .. }
    ));
    let got = smtp.received();
    assert_eq!(
        got[0].auth,
        Some(("gateway".into(), "s3cret-from-file".into()))
    );
    assert!(got[0].tls);
}
