//! Uploads in flight must not hold back other reports: small JSON submissions' latency alone,
//! then while five clients send 10 MiB photos back to back (each decoded, cleaned, sealed and
//! committed).
//!
//! `cargo bench --bench uploads` (release build). Prints p50, p99, p99.9 and max of the small
//! submissions in both phases, and how many uploads completed (and at what rate).

mod common;
use common::{client, repo};
use pis_gateway::config::{RouteSettings, Settings};
use pis_gateway::routing::View;
use pis_gateway::startup::Application;
use serde_json::json;
use std::time::{Duration, Instant};

const PHASE: Duration = Duration::from_secs(20);
const UPLOADERS: usize = 5;
const SMALL_EVERY: Duration = Duration::from_millis(50);
const BOUNDARY: &str = "----pisgBenchBoundary";

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// A noisy photo just under 10 MiB as a JPEG (noise does not compress, like a real photo's
/// detail does not).
fn big_jpeg() -> Vec<u8> {
    use image::{DynamicImage, Rgb, RgbImage};
    let mut side = 2600u32;
    loop {
        let mut seed = 0x9E37_79B9u32;
        let img = RgbImage::from_fn(side, side, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8])
        });
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
        DynamicImage::ImageRgb8(img)
            .write_with_encoder(enc)
            .expect("encode");
        if out.len() <= 10 * 1024 * 1024 {
            return out;
        }
        side -= 100;
    }
}

fn multipart(submission: &str, file: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"submission\"\r\n\r\n{submission}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"p.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// Small reports every `SMALL_EVERY` for a phase, on a runtime of their own (called from a
/// thread of its own, see `run_small_phase`), as a separate client would be: the uploaders' TLS
/// and body writes never delay these requests on the client side. Returns the sorted latencies
/// of the 201s and the count of anything else.
fn small_phase(url: &str, payload: &serde_json::Value) -> (Vec<f64>, u32) {
    actix_web::rt::System::new().block_on(async move {
        let c = client();
        let end = Instant::now() + PHASE;
        let mut latencies = Vec::new();
        let (mut n, mut failed) = (0u32, 0u32);
        while Instant::now() < end {
            let started = Instant::now();
            n += 1;
            let res = c
                .post(url)
                .insert_header(("X-Forwarded-For", format!("198.51.100.{}", n % 250 + 1)))
                .send_json(&payload)
                .await;
            if matches!(res.map(|r| r.status().as_u16()), Ok(201)) {
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            } else {
                failed += 1;
            }
            actix_web::rt::time::sleep(SMALL_EVERY.saturating_sub(started.elapsed())).await;
        }
        latencies.sort_by(|a, b| a.total_cmp(b));
        (latencies, failed)
    })
}

async fn run_small_phase(url: &str, payload: &serde_json::Value) -> (Vec<f64>, u32) {
    let (url, payload) = (url.to_string(), payload.clone());
    actix_web::rt::task::spawn_blocking(move || small_phase(&url, &payload))
        .await
        .expect("small reports' phase")
}

fn show(label: &str, (l, failed): &(Vec<f64>, u32)) {
    println!(
        "{label}: {} small submissions, p50 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms, max {:.1} ms, {failed} not accepted",
        l.len(),
        percentile(l, 0.5),
        percentile(l, 0.99),
        percentile(l, 0.999),
        l.last().copied().unwrap_or(f64::NAN)
    );
}

fn main() {
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
        s.limits.submissions_per_minute = 100_000;
        s.limits.submission_burst = 10_000;
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
        let photo = big_jpeg();
        println!("upload: a {:.1} MiB JPEG", photo.len() as f64 / 1_048_576.0);
        let body = multipart(&payload.to_string(), &photo);

        // Off this thread: it runs the gateway's server future and, later, the uploaders.
        let alone = run_small_phase(&url, &payload).await;
        show("alone", &alone);

        let end = Instant::now() + PHASE;
        let uploaders: Vec<_> = (0..UPLOADERS)
            .map(|i| {
                let (url, body) = (url.clone(), body.clone());
                actix_web::rt::spawn(async move {
                    let c = client();
                    let (mut ok, mut other) = (0u32, 0u32);
                    while Instant::now() < end {
                        let res = c
                            .post(&url)
                            .timeout(Duration::from_secs(120))
                            .insert_header(("X-Forwarded-For", format!("203.0.113.{}", i + 1)))
                            .insert_header((
                                "Content-Type",
                                format!("multipart/form-data; boundary={BOUNDARY}"),
                            ))
                            .send_body(body.clone())
                            .await;
                        match res.map(|r| r.status().as_u16()) {
                            Ok(201) => ok += 1,
                            _ => other += 1,
                        }
                    }
                    (ok, other)
                })
            })
            .collect();
        let during = run_small_phase(&url, &payload).await;
        let mut uploads = (0, 0);
        for u in uploaders {
            let (ok, other) = u.await.expect("uploader");
            uploads = (uploads.0 + ok, uploads.1 + other);
        }
        show(&format!("with {UPLOADERS} uploading"), &during);
        println!(
            "uploads: {} of 10 MiB accepted ({:.1} MiB/s cleaned, sealed and committed), {} refused or failed",
            uploads.0,
            uploads.0 as f64 * photo.len() as f64 / 1_048_576.0 / PHASE.as_secs_f64(),
            uploads.1
        );
    });
}
