//! Abuse resistance that does not get in people's way: quotas that tell a journey from a
//! flood, a reserve for reports begun before a surge, forwarded addresses read line by line,
//! probes kept off the public listener, slow bodies cut off, private files and a scrubbed WAL.

use crate::helpers::*;
use crate::journey::Journey;
use pis_gateway::config::Settings;
use pis_gateway::http::clock::{Clock, ManualTime};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const START: u64 = 1_800_000_000;

/// The shipped limits, as a real gateway has them (the test defaults lift them).
fn shipped_limits(s: &mut Settings) {
    s.limits = Settings::default().limits;
    s.limits.min_fill_seconds = 0;
}

/// A professional report with three "Add another" presses: a third person and a second vehicle.
fn three_adds() -> Value {
    let mut answers = professional_answers();
    answers["people"]
        .as_array_mut()
        .expect("people")
        .push(json!({"role": "PERSON_POSING_RISK", "description": "Short, black puffer jacket"}));
    answers["vehicles"]
        .as_array_mut()
        .expect("vehicles")
        .push(json!({"registration": "yx19 abc", "colour": "BLACK", "vehicle_type": "CAR", "make": "Audi"}));
    answers
}

#[actix_web::test]
async fn a_twelve_page_professional_journey_with_three_add_another_presses_never_meets_429() {
    let time = Arc::new(ManualTime::new(START));
    let app = spawn_app_with_clock(shipped_limits, Clock::new(time.clone())).await;
    let mut journey = Journey::open(&app, "professional", &three_adds()).await;
    while journey.sent().is_none() {
        assert!(journey.pages < 40, "no end to the form");
        // A quick person: three seconds a page.
        time.advance(Duration::from_secs(3));
        journey.press(&app).await;
        assert_eq!(journey.page.status, 200, "{}", journey.page.body);
    }
    assert_eq!(journey.adds, 3);
    assert!(journey.pages >= 12, "{} pages", journey.pages);
    assert!(journey.statuses.iter().all(|s| *s == 200));
    let reference = journey.sent().expect("sent");
    assert_eq!(
        app.open(&reference)["answers"]["people"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}

#[actix_web::test]
async fn ten_colleagues_behind_one_address_each_send_a_report_within_ten_minutes() {
    let time = Arc::new(ManualTime::new(START));
    let app = spawn_app_with_clock(shipped_limits, Clock::new(time.clone())).await;
    let answers = three_adds();
    // Colleague k opens the form at 40k seconds and presses a button every 15 seconds, so up
    // to six of them are part-way through at once, all from the school's one address.
    let mut journeys = Vec::new();
    let mut next_at = Vec::new();
    let mut now = 0u64;
    for k in 0..10u64 {
        time.advance(Duration::from_secs(40 * k - now));
        now = 40 * k;
        journeys.push(Journey::open(&app, "professional", &answers).await);
        next_at.push(now + 15);
        // Everyone already under way presses in between.
        while let Some((i, at)) = next_at
            .iter()
            .enumerate()
            .filter(|(i, _)| journeys[*i].sent().is_none())
            .map(|(i, at)| (i, *at))
            .min_by_key(|(_, at)| *at)
        {
            if k < 9 && at >= 40 * (k + 1) {
                break;
            }
            time.advance(Duration::from_secs(at - now));
            now = at;
            journeys[i].press(&app).await;
            assert_eq!(
                journeys[i].page.status, 200,
                "colleague {i} at {now} s: {}",
                journeys[i].page.body
            );
            next_at[i] = now + 15;
        }
    }
    assert!(
        now <= 600,
        "all sent within ten minutes, the last at {now} s"
    );
    let references: std::collections::HashSet<String> =
        journeys.iter().filter_map(Journey::sent).collect();
    assert_eq!(references.len(), 10);
    assert_eq!(app.count(), 10);
}

#[actix_web::test]
async fn a_report_begun_before_a_flood_is_sent_during_it_and_one_begun_during_it_waits() {
    let time = Arc::new(ManualTime::new(START));
    let app = spawn_app_with_clock(
        |s| {
            s.limits.global_submissions_per_second = 4;
            s.limits.reserved_submissions_per_second = 2;
        },
        Clock::new(time.clone()),
    )
    .await;
    // Someone is filling in a report when the flood begins.
    let mut before = Journey::open(&app, "community", &community_answers()).await;
    while !before
        .page
        .body
        .contains("Check your answers before sending")
    {
        time.advance(Duration::from_secs(5));
        before.press(&app).await;
        assert_eq!(before.page.status, 200);
    }
    time.advance(Duration::from_secs(10));
    // The flood: the open quota is spent and the flooder refused.
    let payload = json!({"form": "community", "answers": community_answers()});
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.post_json(&payload).await.0);
    }
    assert_eq!(statuses, vec![201, 201, 429, 429]);
    // A form served during the flood waits like everyone else...
    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&community_answers());
    fields.push(("_token".into(), token));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let during = app.post_form("community", &borrowed).await;
    assert_eq!(during.status, 429, "{}", during.body);
    assert!(during.body.contains("Too many requests"));
    // ...while the report begun before it goes through.
    before.press(&app).await;
    assert_eq!(before.page.status, 200, "{}", before.page.body);
    let reference = before.sent().expect("sent during the flood");
    assert_eq!(app.open(&reference)["form"], "community");
    assert_eq!(
        app.post_json(&payload).await.0,
        429,
        "the flooder is still held"
    );
    assert_eq!(app.count(), 3);
}

#[actix_web::test]
async fn every_forwarded_for_line_is_read_and_a_spoofed_first_line_gives_no_fresh_quota() {
    let app = spawn_app_with(|s| {
        s.limits.submissions_per_minute = 6;
        s.limits.submission_burst = 2;
        s.limits.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        // The client writes a line of its own; the proxy adds the address it saw as another.
        let res = app
            .client
            .post(app.url("/api/v1/submissions"))
            .append_header(("X-Forwarded-For", format!("198.51.100.{i}")))
            .append_header(("X-Forwarded-For", "203.0.113.7"))
            .send_json(&json!({"form": "community", "answers": community_answers()}))
            .await
            .expect("POST");
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, vec![201, 201, 429, 429]);
    let res = app
        .client
        .post(app.url("/api/v1/submissions"))
        .append_header(("X-Forwarded-For", "203.0.113.7"))
        .append_header(("X-Forwarded-For", "203.0.113.8"))
        .send_json(&json!({"form": "community", "answers": community_answers()}))
        .await
        .expect("POST");
    assert_eq!(
        res.status().as_u16(),
        201,
        "the proxy's line names another client"
    );
}

#[actix_web::test]
async fn metrics_and_readiness_answer_only_on_the_admin_listener() {
    assert_eq!(Settings::default().server.admin_listen, "127.0.0.1:9464");
    let app = spawn_app().await;
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": community_answers()}))
        .await;
    assert_eq!(status, 201);
    for path in ["/metrics", "/readyz"] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path} on the public listener");
        assert!(!page.body.contains("pisg_"), "{path}");
    }
    assert_eq!(
        app.get("/healthz").await.status,
        200,
        "liveness stays public"
    );
    let metrics = app.admin_get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains("pisg_submissions_accepted_total{"),
        "{}",
        metrics.body
    );
    let ready = app.admin_get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert!(ready.body.contains("\"spool_writable\":true"));
}

/// Sends the headers of a POST declaring `declared` bytes over real TLS, then one byte every
/// `every`, and returns the status line the gateway answers with (or "" if it closed first).
async fn trickle(
    port: u16,
    path: &str,
    content_type: &str,
    declared: usize,
    every: Duration,
) -> String {
    use rustls_pki_types::pem::PemObject;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(repo().join("certs-example/ca.pem"))
        .expect("CA file")
    {
        roots.add(cert.expect("CA cert")).expect("CA added");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").expect("name"),
            tcp,
        )
        .await
        .expect("TLS");
    let (mut rd, mut wr) = tokio::io::split(tls);
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Type: {content_type}\r\nContent-Length: {declared}\r\nSec-Fetch-Site: same-origin\r\n\r\n"
    );
    wr.write_all(head.as_bytes()).await.expect("headers");
    wr.flush().await.expect("flush");
    let writer = actix_web::rt::spawn(async move {
        for _ in 0..declared {
            actix_web::rt::time::sleep(every).await;
            if wr.write_all(b"a").await.is_err() || wr.flush().await.is_err() {
                break;
            }
        }
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Bounded so that a gateway that never answers fails the test instead of hanging it.
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    writer.abort();
    assert!(
        read.is_ok(),
        "the slow body was still being read after 60 s"
    );
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[actix_web::test]
async fn a_body_that_trickles_in_is_cut_off_at_its_deadline_or_its_minimum_rate() {
    // The whole-body deadline, with no minimum rate to trip first.
    let app = spawn_app_with(|s| {
        s.server.body_timeout_secs = 2;
        s.server.body_min_bytes_per_second = 0;
    })
    .await;
    let status = trickle(
        app.port,
        "/api/v1/submissions",
        "application/json",
        200_000,
        Duration::from_millis(50),
    )
    .await;
    assert!(status.starts_with("HTTP/1.1 408"), "{status}");
    let status = trickle(
        app.port,
        "/forms/community",
        "application/x-www-form-urlencoded",
        200_000,
        Duration::from_millis(50),
    )
    .await;
    assert!(status.starts_with("HTTP/1.1 408"), "{status}");
    // The minimum rate, with a deadline far away: one byte a second is not a person's upload.
    let app = spawn_app_with(|s| {
        s.server.body_timeout_secs = 600;
        s.server.body_min_bytes_per_second = 100;
    })
    .await;
    let status = trickle(
        app.port,
        "/api/v1/submissions",
        "application/json",
        200_000,
        Duration::from_secs(1),
    )
    .await;
    assert!(status.starts_with("HTTP/1.1 408"), "{status}");
    // A genuine submission still goes through.
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": community_answers()}))
        .await;
    assert_eq!(status, 201, "{body}");
}

/// One client sending junk `Authorization` headers as fast as it can: each costs the sender's
/// own send quota, never everyone's, so five genuine clients and a partner agency are all
/// accepted meanwhile, and once the flooder's quota is spent its tokens are not even looked up.
#[actix_web::test]
async fn junk_authorization_headers_cost_their_sender_and_never_the_public() {
    let time = Arc::new(ManualTime::new(START));
    let app = spawn_app_with_clock(
        |s| {
            shipped_limits(s);
            s.limits.global_submissions_per_second = 8;
            s.limits.reserved_submissions_per_second = 2;
            s.limits.trusted_proxies = vec!["127.0.0.1".into()];
        },
        Clock::new(time.clone()),
    )
    .await;
    let config = app.dir.path().join("operator.toml");
    std::fs::write(
        &config,
        format!(
            "[spool]\ndir = \"{}\"\n",
            app.dir.path().join("spool").display()
        ),
    )
    .expect("config");
    let token = crate::partners::add_partner(&config, "nycc-social-care");
    let send = |from: String, auth: Option<String>| {
        let app = &app;
        async move {
            let mut req = app
                .client
                .post(app.url("/api/v1/submissions"))
                .insert_header(("X-Forwarded-For", from));
            if let Some(auth) = auth {
                req = req.insert_header(("Authorization", auth));
            }
            let res = req
                .send_json(&json!({"form": "community", "answers": community_answers()}))
                .await
                .expect("POST");
            res.status().as_u16()
        }
    };
    let mut flood = std::collections::HashMap::<u16, u32>::new();
    for i in 0..200 {
        let junk = ["x", "Bearer junk", "Bearer pisg_0000", "Basic Zm9vOmJhcg=="][i % 4];
        *flood
            .entry(send("203.0.113.66".into(), Some(junk.into())).await)
            .or_default() += 1;
    }
    let burst = Settings::default().limits.submission_burst;
    assert_eq!(flood.get(&401).copied(), Some(burst), "{flood:?}");
    assert_eq!(flood.get(&429).copied(), Some(200 - burst), "{flood:?}");
    for i in 1..=5 {
        assert_eq!(
            send(format!("198.51.100.{i}"), None).await,
            201,
            "client {i}"
        );
    }
    let partner = send("192.0.2.40".into(), Some(format!("Bearer {token}"))).await;
    assert_eq!(
        partner, 201,
        "a verified partner is charged to its own quota"
    );
    assert_eq!(app.count(), 6);
    let metrics = app.admin_get("/metrics").await.body;
    assert!(
        metrics.contains(&format!("pisg_partner_token_refused_total {burst}")),
        "held requests are refused before any lookup: {metrics}"
    );
}

/// A body that stops arriving is cut off after `server.body_idle_secs` without a byte, however
/// far away its deadline and however fast it came before: an average rate alone would hold a
/// body sent fast and then stalled (and its memory) for most of the deadline.
#[actix_web::test]
async fn a_body_that_stops_arriving_is_cut_off_after_the_idle_limit() {
    let app = spawn_app_with(|s| {
        s.server.body_timeout_secs = 600;
        s.server.body_min_bytes_per_second = 0;
        s.server.body_idle_secs = 1;
        s.attachments.upload_timeout_secs = 600;
    })
    .await;
    for (path, content_type) in [
        ("/api/v1/submissions", "application/json"),
        (
            "/forms/professional",
            "multipart/form-data; boundary=----pisgTestBoundary7MA4YWxkTrZu0gW",
        ),
    ] {
        let status = trickle(
            app.port,
            path,
            content_type,
            200_000,
            Duration::from_secs(4),
        )
        .await;
        assert!(status.starts_with("HTTP/1.1 408"), "{path}: {status}");
    }
}
