//! Delivery latency: from the submitter's 201 to the mail server's 250, over real HTTPS and
//! SMTP with STARTTLS on loopback, for 200 submissions.
//!
//! `cargo bench --bench delivery` (release build; `PISG_BENCH_GAP_MS` sets the pause between
//! submissions). Prints median, p99 and max, and what happened to each submission.

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
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_host = "localhost".into();
        s.mail.smtp_port = smtp.port;
        s.mail.smtp_tls = SmtpTls::Starttls;
        s.mail.smtp_ca_file = SmtpServer::ca_file();
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
        }];
        let app = Application::build(s).await.expect("gateway builds");
        let url = format!("https://localhost:{}/api/v1/submissions", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let client = client();
        // PISG_BENCH_IMMEDIATE=1: IMMEDIATE submissions (police intelligence and control room).
        let immediate = std::env::var("PISG_BENCH_IMMEDIATE").is_ok_and(|v| v == "1");
        let payload = json!({"form": "community", "answers": {
            "gate.immediate_danger": if immediate { "yes" } else { "no" }, "gate.crime_against_you": "no",
            "what_happened": "Young people are going in and out of the flat at all hours and some look frightened.",
            "places": [{"street_or_landmark": "Flats behind the Co-op", "postcode": "YO24 3BZ"}],
            "when_known": "ONGOING", "when": "2026-10", "how_know": "SAW_OR_HEARD_MYSELF",
            "risk_to_you": "yes", "contact_ok": "no"
        }});

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
        let mail = smtp.wait_for(accepted.len(), Duration::from_secs(60)).await;
        let mut first_250: HashMap<String, (Instant, usize)> = HashMap::new();
        for m in &mail {
            let text = String::from_utf8_lossy(&m.data);
            if let Some(i) = text.find("Subject: [OFFICIAL-SENSITIVE] PIS ") {
                let reference = text[i + 34..i + 47].to_string();
                let e = first_250.entry(reference).or_insert((m.at, 0));
                e.1 += 1;
            }
        }
        let mut latencies = Vec::new();
        let (mut delivered_once, mut duplicated, mut missing) = (0, 0, 0);
        for (reference, at) in &accepted {
            match first_250.get(reference) {
                Some((t, n)) => {
                    latencies.push(t.saturating_duration_since(*at).as_secs_f64() * 1000.0);
                    if *n == 1 { delivered_once += 1 } else { duplicated += 1 }
                }
                None => missing += 1,
            }
        }
        latencies.sort_by(|a, b| a.total_cmp(b));
        println!("delivery bench: {SUBMISSIONS} submissions over HTTPS {gap} ms apart, SMTP with STARTTLS on loopback, 4 lanes");
        println!("  HTTP statuses: {statuses:?}");
        println!("  delivered exactly once: {delivered_once}, more than once: {duplicated}, not delivered: {missing}");
        if !latencies.is_empty() {
            println!(
                "  201 -> 250: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.99),
                latencies[latencies.len() - 1]
            );
        }
        assert_eq!(missing, 0, "every accepted submission was delivered");
    });
}
