//! A single client flooding submissions past its quota while genuine clients submit at a human
//! pace: how much the flooder gets, and what the genuine clients see meanwhile. Two floods, one
//! after the other on fresh gateways: plain submissions, and submissions carrying a junk
//! `Authorization` header (which must cost the flooder alone, never the public's quota).
//!
//! `cargo bench --bench flood` (release build, default limits; the clients are told apart by
//! `X-Forwarded-For` from a trusted proxy on loopback).

// A harness, read as one measurement from start to end: the 100-line limit is for the
// product's code.
#![allow(clippy::too_many_lines)]

mod common;
use common::{client, repo};
use pis_gateway::config::{RouteSettings, Settings};
use pis_gateway::routing::View;
use pis_gateway::startup::Application;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const SECONDS: u64 = 30;
const GENUINE: usize = 5;

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// What the flooder sends with each submission.
#[derive(Clone, Copy)]
enum Flood {
    Plain,
    JunkAuthorization,
}

impl Flood {
    fn label(self) -> &'static str {
        match self {
            Flood::Plain => "plain submissions",
            Flood::JunkAuthorization => "junk `Authorization: x` headers",
        }
    }
}

fn main() {
    for flood in [Flood::Plain, Flood::JunkAuthorization] {
        run(flood);
    }
}

fn run(variant: Flood) {
    actix_web::rt::System::new().block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Settings::default();
        s.server.listen = "127.0.0.1:0".into();
        s.server.admin_listen = "127.0.0.1:0".into();
        s.server.tls_cert = repo().join("certs-example/localhost.pem");
        s.server.tls_key = repo().join("certs-example/localhost-key.pem");
        s.server.signing_key = repo().join("certs-example/signing-key.pem");
        s.spool.dir = dir.path().join("spool");
        s.forms.dir = repo().join("forms");
        s.mail.file_dir = dir.path().join("outbox");
        s.routing.triage_rules = repo().join("config/triage.toml");
        s.routing.localities = repo().join("config/localities.toml");
        s.limits.trusted_proxies = vec!["127.0.0.1".into()];
        s.routes = vec![RouteSettings {
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
        }];
        let limits = s.limits.clone();
        let app = Application::build(s).await.expect("gateway builds");
        let url = format!("https://localhost:{}/api/v1/submissions", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let payload = json!({"form": "community", "answers": {
            "gate.immediate_danger": "no", "gate.crime_against_you": "no",
            "what_happened": "Young people are going in and out of the flat at all hours and some look frightened.",
            "places": [{"street_or_landmark": "Flats behind the Co-op", "postcode": "YO24 3BZ"}],
            "when_known": "ONGOING", "when": "2026-10", "how_know": "SAW_OR_HEARD_MYSELF",
            "risk_to_you": "yes", "contact_ok": "no"
        }});
        let deadline = Instant::now() + Duration::from_secs(SECONDS);

        // The flooder: as fast as one connection allows.
        let flood = {
            let (url, payload) = (url.clone(), payload.clone());
            actix_web::rt::spawn(async move {
                let c = client();
                let mut statuses: HashMap<u16, u64> = HashMap::new();
                while Instant::now() < deadline {
                    let mut req = c.post(&url).insert_header(("X-Forwarded-For", "203.0.113.66"));
                    if let Flood::JunkAuthorization = variant {
                        req = req.insert_header(("Authorization", "x"));
                    }
                    let res = req.send_json(&payload).await;
                    *statuses.entry(res.map(|r| r.status().as_u16()).unwrap_or(0)).or_default() += 1;
                }
                statuses
            })
        };
        // Genuine clients: one submission every six seconds each (the per-client rate), from
        // their own addresses.
        let genuine: Vec<_> = (0..GENUINE)
            .map(|i| {
                let (url, payload) = (url.clone(), payload.clone());
                actix_web::rt::spawn(async move {
                    let c = client();
                    let mut out = Vec::new();
                    while Instant::now() < deadline {
                        let started = Instant::now();
                        let res = c.post(&url).insert_header(("X-Forwarded-For", format!("198.51.100.{}", i + 1))).send_json(&payload).await;
                        out.push((res.map(|r| r.status().as_u16()).unwrap_or(0), started.elapsed().as_secs_f64() * 1000.0));
                        actix_web::rt::time::sleep(Duration::from_secs(6)).await;
                    }
                    out
                })
            })
            .collect();
        let flood = flood.await.expect("flooder");
        let mut genuine_statuses: HashMap<u16, u64> = HashMap::new();
        let mut latencies = Vec::new();
        for g in genuine {
            for (status, ms) in g.await.expect("genuine") {
                *genuine_statuses.entry(status).or_default() += 1;
                latencies.push(ms);
            }
        }
        latencies.sort_by(|a, b| a.total_cmp(b));
        let total: u64 = flood.values().sum();
        println!(
            "flood bench, {}: {SECONDS} s, limits {} submissions/min per client after a burst of {}",
            variant.label(), limits.submissions_per_minute, limits.submission_burst
        );
        println!(
            "  flooder: {total} requests ({:.0}/s), accepted {} ({:.2}/s), refused 401: {}, 429: {}",
            total as f64 / SECONDS as f64,
            flood.get(&201).copied().unwrap_or(0),
            flood.get(&201).copied().unwrap_or(0) as f64 / SECONDS as f64,
            flood.get(&401).copied().unwrap_or(0),
            flood.get(&429).copied().unwrap_or(0)
        );
        println!(
            "  genuine clients ({GENUINE}): accepted {} of {} ({:.0} %), statuses {genuine_statuses:?}; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            genuine_statuses.get(&201).copied().unwrap_or(0),
            latencies.len(),
            100.0 * genuine_statuses.get(&201).copied().unwrap_or(0) as f64 / latencies.len().max(1) as f64,
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies.last().copied().unwrap_or(f64::NAN)
        );
    });
}
