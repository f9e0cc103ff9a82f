//! Delivery latency: from the submitter's 201 to the mail server's 250 for the last of the
//! submission's emails, over real HTTPS and SMTP with STARTTLS on loopback, for 200
//! submissions; then how fast four lanes drain a backlog of committed submissions.
//!
//! `cargo bench --bench delivery` (release build; `PISG_BENCH_GAP_MS` sets the pause between
//! submissions, `PISG_BENCH_IMMEDIATE=1` makes them IMMEDIATE (two emails each: police
//! intelligence and the control room), `PISG_BENCH_LIVE_BACKLOG=N` posts N ROUTINE reports
//! alongside the series so it runs while their emails are sent, `PISG_BENCH_URGENT_LANES` sets
//! `delivery.urgent_lanes`, `PISG_BENCH_BACKLOG` sets the drain test's backlog, 0 skips it).
//! Prints median, p99 and max, what happened to each submission, and the backlog's emails a
//! second.

// A harness, read as one measurement from start to end, with the tests' own SMTP server: the
// 100-line limit is for the product's code.
#![allow(clippy::too_many_lines)]

// The same real SMTP server the integration tests use (its own tests compile here too).
#[path = "../tests/api/smtp_server.rs"]
#[allow(dead_code, unused_imports)]
mod smtp_server;

mod common;
use common::{client, repo};
use pis_gateway::config::{MailTransport, RouteSettings, Settings, SmtpTls};
use pis_gateway::routing::View;
use pis_gateway::startup::Application;
use serde_json::{json, Value};
use smtp_server::{SmtpServer, Tls};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const SUBMISSIONS: usize = 200;

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    actix_web::rt::System::new().block_on(async {
        let smtp = SmtpServer::start(Tls::StartTls).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let identity = age::x25519::Identity::generate();
        let mut s = Settings::default();
        s.server.listen = "127.0.0.1:0".into();
        s.server.admin_listen = "127.0.0.1:0".into();
        s.server.tls_cert = repo().join("certs-example/localhost.pem");
        s.server.tls_key = repo().join("certs-example/localhost-key.pem");
        s.server.signing_key = repo().join("certs-example/signing-key.pem");
        s.spool.dir = dir.path().join("spool");
        s.forms.dir = repo().join("forms");
        s.routing.triage_rules = repo().join("config/triage.toml");
        s.routing.localities = repo().join("config/localities.toml");
        s.limits.submissions_per_minute = 1_000_000;
        s.limits.submission_burst = 100_000;
        s.limits.global_submissions_per_second = 1_000_000;
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_host = "localhost".into();
        s.mail.smtp_port = smtp.port;
        s.mail.smtp_tls = SmtpTls::Starttls;
        s.mail.smtp_ca_file = SmtpServer::ca_file();
        if let Some(n) = env_number("PISG_BENCH_URGENT_LANES") {
            s.delivery.urgent_lanes = n;
        }
        s.routes = vec![RouteSettings {
            name: "police_intelligence".into(),
            mailbox: "intel@police.example".into(),
            view: View::Full,
            recipients: vec![identity.to_public().to_string(), age::x25519::Identity::generate().to_public().to_string()],
            role: None,
            localities: vec![],
            fallback: false,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officer_actions: None,
            officers: vec![],
        }, RouteSettings {
            name: "control_room".into(),
            mailbox: "control@police.example".into(),
            view: View::Full,
            recipients: vec![identity.to_public().to_string()],
            role: Some(pis_gateway::routing::Role::ControlRoom),
            localities: vec![],
            fallback: false,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officer_actions: None,
            officers: vec![],
        }];
        let urgent_lanes = s.delivery.urgent_lanes;
        let app = Application::build(s).await.expect("gateway builds");
        let url = format!("https://localhost:{}/api/v1/submissions", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let client = client();
        // PISG_BENCH_IMMEDIATE=1: IMMEDIATE submissions (police intelligence and control room).
        let immediate = std::env::var("PISG_BENCH_IMMEDIATE").is_ok_and(|v| v == "1");
        let payload = community(immediate);
        // Posted alongside the series, so its emails are queued and sent while it runs.
        let live_backlog = env_number("PISG_BENCH_LIVE_BACKLOG").unwrap_or(0);
        let backlog = actix_web::rt::spawn(post_backlog(url.clone(), live_backlog));
        actix_web::rt::time::sleep(Duration::from_millis(if live_backlog > 0 { 500 } else { 0 })).await;

        // One submission at a time, GAP ms apart (PISG_BENCH_GAP_MS, default 5: a surge of
        // well over 100 a second; 50 is a busy day).
        let gap: u64 = std::env::var("PISG_BENCH_GAP_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
        let mut accepted: Vec<(String, Instant)> = Vec::new();
        let mut statuses: HashMap<u16, usize> = HashMap::new();
        for _ in 0..SUBMISSIONS {
            let mut res = client.post(&url).send_json(&payload).await.expect("POST");
            let status = res.status().as_u16();
            let at = Instant::now();
            *statuses.entry(status).or_default() += 1;
            if status == 201 {
                let body: Value = res.json().await.expect("json");
                accepted.push((body["reference"].as_str().expect("reference").to_string(), at));
            }
            actix_web::rt::time::sleep(Duration::from_millis(gap)).await;
        }
        let backlog_posted = backlog.await.expect("backlog poster");
        // Each submission's emails: one per route it reaches (two for IMMEDIATE).
        let per_report = if immediate { 2 } else { 1 };
        let expected = backlog_posted + accepted.len() * per_report;
        let mail = smtp.wait_for(expected, Duration::from_secs(300)).await;
        let mut last_250: HashMap<String, (Instant, usize)> = HashMap::new();
        for m in &mail {
            let text = String::from_utf8_lossy(&m.data);
            if let Some(i) = text.find("Subject: [OFFICIAL-SENSITIVE] PIS ") {
                let reference = text[i + 34..i + 47].to_string();
                let e = last_250.entry(reference).or_insert((m.at, 0));
                e.0 = e.0.max(m.at);
                e.1 += 1;
            }
        }
        let mut latencies = Vec::new();
        let (mut delivered_once, mut duplicated, mut missing) = (0, 0, 0);
        for (reference, at) in &accepted {
            match last_250.get(reference) {
                Some((t, n)) if *n >= per_report => {
                    latencies.push(t.saturating_duration_since(*at).as_secs_f64() * 1000.0);
                    if *n == per_report { delivered_once += 1 } else { duplicated += 1 }
                }
                _ => missing += 1,
            }
        }
        latencies.sort_by(|a, b| a.total_cmp(b));
        println!("delivery bench: {SUBMISSIONS} submissions over HTTPS {gap} ms apart ({per_report} email(s) each), SMTP with STARTTLS on loopback, 4 lanes and {urgent_lanes} urgent lanes, {backlog_posted} ROUTINE reports posted alongside over 16 connections");
        println!("  HTTP statuses: {statuses:?}");
        println!("  delivered exactly once: {delivered_once}, more than once: {duplicated}, not delivered: {missing}");
        if !latencies.is_empty() {
            println!(
                "  201 -> 250 of its last email: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.99),
                latencies[latencies.len() - 1]
            );
        }
        assert_eq!(missing, 0, "every accepted submission was delivered");

        let backlog: usize = std::env::var("PISG_BENCH_BACKLOG").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
        if backlog > 0 {
            drain_backlog(backlog).await;
        }
    });
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// A community report, IMMEDIATE (police intelligence and the control room) or ROUTINE.
fn community(immediate: bool) -> Value {
    json!({"form": "community", "answers": {
        "gate.immediate_danger": if immediate { "yes" } else { "no" }, "gate.crime_against_you": "no",
        "what_happened": "Young people are going in and out of the flat at all hours and some look frightened.",
        "places": [{"street_or_landmark": "Flats behind the Co-op", "postcode": "YO24 3BZ"}],
        "when_known": "ONGOING", "when": "2026-10", "how_know": "SAW_OR_HEARD_MYSELF",
        "risk_to_you": "yes", "contact_ok": "no"
    }})
}

/// Posts `n` ROUTINE reports over 16 connections and returns how many were accepted (one email
/// each).
async fn post_backlog(url: String, n: usize) -> usize {
    let tasks: Vec<_> = (0..16)
        .map(|k| {
            let url = url.to_string();
            actix_web::rt::spawn(async move {
                let client = client();
                let payload = community(false);
                let mut ok = 0;
                for _ in (k..n).step_by(16) {
                    let res = client.post(&url).send_json(&payload).await.expect("POST");
                    ok += usize::from(res.status().as_u16() == 201);
                }
                ok
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await.expect("poster");
    }
    accepted
}

/// Commits `n` submissions with no worker running, then starts an outbox with four lanes (as
/// the gateway does) against a fresh SMTP server and times the drain.
async fn drain_backlog(n: usize) {
    use pis_gateway::delivery::mailer::Mailer;
    use pis_gateway::delivery::retry::RetrySchedule;
    use pis_gateway::delivery::{Outbox, SystemClock};
    use pis_gateway::intake::{Intake, Rules};
    use pis_gateway::metrics::Metrics;
    use pis_gateway::routing::Routes;
    use pis_gateway::spool::{sqlite::SqliteSpool, Spool};
    use std::sync::Arc;

    const LANES: usize = 4;
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let spool: Arc<dyn Spool> =
        Arc::new(SqliteSpool::open(&dir.path().join("spool")).expect("spool"));
    let routes = Arc::new(
        Routes::from_settings(&[RouteSettings {
            name: "police_intelligence".into(),
            mailbox: "intel@police.example".into(),
            view: View::Full,
            recipients: vec![age::x25519::Identity::generate().to_public().to_string()],
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
    let rules = Rules {
        triage: pis_gateway::triage::Triage::load(&repo().join("config/triage.toml"))
            .expect("triage"),
        localities: pis_gateway::locality::LocalityTable::load(
            &repo().join("config/localities.toml"),
        )
        .expect("localities"),
    };
    let metrics = Arc::new(Metrics::default());
    let wake = Arc::new(tokio::sync::Notify::new());
    let signer = Arc::new(pis_gateway::signing::SigningKey::generate());
    let intake = Intake::new(
        Arc::clone(&spool),
        routes,
        Arc::new(rules),
        Arc::clone(&metrics),
        Arc::clone(&wake),
        signer,
    );
    let forms = pis_gateway::forms::FormRegistry::built_in().expect("forms");
    let spec = forms.get("community").expect("form");
    let answers = json!({
        "gate.immediate_danger": "no", "gate.crime_against_you": "no",
        "what_happened": "Young people are going in and out of the flat at all hours and some look frightened.",
        "places": [{"street_or_landmark": "Flats behind the Co-op", "postcode": "YO24 3BZ"}],
        "when_known": "ONGOING", "when": "2026-10", "how_know": "SAW_OR_HEARD_MYSELF",
        "risk_to_you": "yes", "contact_ok": "no"
    });
    for _ in 0..n {
        let v = pis_gateway::forms::validate(spec, &answers, pis_gateway::ukdate::uk_today())
            .expect("valid");
        intake.submit(spec, v, None).await.expect("accepted");
    }
    let mut mail = pis_gateway::config::Settings::default().mail;
    mail.transport = MailTransport::Smtp;
    mail.smtp_host = "localhost".into();
    mail.smtp_port = smtp.port;
    mail.smtp_tls = SmtpTls::Starttls;
    mail.smtp_ca_file = SmtpServer::ca_file();
    mail.file_dir = dir.path().join("outbox");
    let outbox = Arc::new(
        Outbox::new(
            spool.clone(),
            Mailer::from_settings(&mail, LANES).expect("mailer"),
            RetrySchedule {
                initial_secs: 30,
                max_delay_secs: 600,
                max_age_secs: 3600,
            },
            Arc::new(SystemClock),
            "pis-gateway@gateway.example".into(),
            metrics,
            wake,
            Duration::from_secs(1),
        )
        .with_lanes(LANES),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let worker = tokio::spawn(Arc::clone(&outbox).run(stopped));
    let got = smtp.wait_for(n, Duration::from_secs(300)).await;
    let last = got.iter().map(|m| m.at).max().unwrap_or(started);
    let secs = last.saturating_duration_since(started).as_secs_f64();
    let _ = stop.send(true);
    let _ = worker.await;
    println!("backlog: {n} committed ROUTINE submissions, one route, {LANES} lanes, SMTP with STARTTLS on loopback");
    println!(
        "  delivered {} in {:.2} s: {:.0} emails a second, over {} SMTP connections",
        got.len(),
        secs,
        got.len() as f64 / secs.max(1e-9),
        smtp.connections()
    );
    assert_eq!(got.len(), n, "the whole backlog was delivered");
}
