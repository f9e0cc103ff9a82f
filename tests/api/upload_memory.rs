//! Uploads cannot take the gateway's memory: files are read only after the form's token and
//! step, within a budget of bytes in flight and a share per client, and a body that stalls is
//! cut off. Measured on the real binary's resident memory while thirty stalled uploads hold
//! their connections open, and a genuine report with a photo still goes through.

use crate::attachments::{content_type, multipart, shareable_answers, Part, BOUNDARY};
use crate::helpers::*;
use crate::process::{app_for, keys, start, write_config_with, Gateway};
use actix_web::web::Bytes;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ATTACKERS: usize = 30;
/// Two files of 9.5 MiB: each under the per-file limit, 19 MiB together.
const FILE_BYTES: usize = 19 * 1024 * 1024 / 2;
const CHUNK: usize = 64 * 1024;

/// The gateway with the shipped upload limits, clients told apart by `X-Forwarded-For` from
/// loopback, and a short idle limit so the stalled bodies end within the test.
fn gateway(dir: &tempfile::TempDir) -> Gateway {
    let (_, recipients) = keys();
    let config = write_config_with(dir.path(), &recipients, "", "");
    let text = std::fs::read_to_string(&config).expect("config");
    let text = text
        .replace("[server]\n", "[server]\nbody_idle_secs = 4\n")
        .replace(
            "[limits]\n",
            "[limits]\ntrusted_proxies = [\"127.0.0.1\"]\n",
        );
    std::fs::write(&config, text).expect("config");
    start(&config)
}

/// A multipart body that sends `fields`, then two large file parts, then stalls for good,
/// counting the bytes taken from it.
fn stalling_body(
    fields: Vec<(String, String)>,
    sent: Arc<AtomicUsize>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let parts: Vec<Part<'_>> = fields
        .iter()
        .map(|(k, v)| Part::Text(k.as_str(), v.as_str()))
        .collect();
    let mut head = multipart(&parts);
    // Drop the closing boundary: the files follow.
    head.truncate(head.len() - BOUNDARY.len() - 6);
    let file_head = |i: usize| {
        Bytes::from(format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{i}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        ))
    };
    let filler = Bytes::from(vec![0xFFu8; CHUNK]);
    let mut chunks = vec![Bytes::from(head)];
    for i in 0..2 {
        chunks.push(file_head(i));
        chunks.extend(std::iter::repeat_n(filler.clone(), FILE_BYTES / CHUNK));
        chunks.push(Bytes::from_static(b"\r\n"));
    }
    let counted = futures_util::stream::iter(chunks).map(move |c| {
        sent.fetch_add(c.len(), Ordering::SeqCst);
        Ok(c)
    });
    futures_util::StreamExt::chain(counted, futures_util::stream::pending())
}

use futures_util::StreamExt as _;

/// Thirty connections from one client, each sending 19 MiB of files and then stalling.
async fn attack(
    app: &TestApp,
    fields: Vec<(String, String)>,
) -> Vec<actix_web::rt::task::JoinHandle<()>> {
    let origin = format!("https://localhost:{}", app.port);
    let mut tasks = Vec::new();
    let mut counters = Vec::new();
    for _ in 0..ATTACKERS {
        let sent = Arc::new(AtomicUsize::new(0));
        counters.push(Arc::clone(&sent));
        let req = https_client()
            .post(app.url("/forms/professional"))
            .timeout(Duration::from_secs(120))
            .insert_header(("Content-Type", content_type()))
            .insert_header(("X-Forwarded-For", "203.0.113.66"))
            .insert_header(("Origin", origin.clone()))
            .insert_header(("Sec-Fetch-Site", "same-origin"));
        let body = stalling_body(fields.clone(), sent);
        tasks.push(actix_web::rt::spawn(async move {
            let _ = req.send_stream(body).await;
        }));
    }
    // Until every body is sent whole, or its connection has ended.
    let whole = 2 * FILE_BYTES;
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until
        && !counters
            .iter()
            .zip(&tasks)
            .all(|(c, t)| c.load(Ordering::SeqCst) >= whole || t.is_finished())
    {
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    tasks
}

/// The most resident memory seen over a second.
async fn peak_rss(gw: &Gateway) -> u64 {
    let mut peak = 0;
    for _ in 0..10 {
        peak = peak.max(gw.rss_mib());
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    peak
}

/// A professional report with a phone photo, from its own address.
async fn genuine_report_with_a_photo(app: &TestApp) -> Page {
    let token = app.form_token("professional").await;
    let mut fields = as_form_fields(&shareable_answers());
    fields.push(("_token".into(), token));
    fields.push(("_step".into(), "check".into()));
    let photo = crate::samples::phone_photo();
    let mut parts: Vec<Part<'_>> = fields
        .iter()
        .map(|(k, v)| Part::Text(k.as_str(), v.as_str()))
        .collect();
    parts.push(Part::File {
        name: "attachments",
        filename: "photo.jpg",
        content_type: "image/jpeg",
        bytes: &photo,
    });
    parts.push(Part::Text("_action", "submit"));
    let origin = format!("https://localhost:{}", app.port);
    app.post_raw(
        "/forms/professional",
        &content_type(),
        multipart(&parts),
        &[
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("X-Forwarded-For", "198.51.100.20"),
        ],
    )
    .await
}

#[actix_web::test]
async fn thirty_stalled_uploads_leave_memory_bounded_and_a_genuine_photo_still_goes_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gw = gateway(&dir);
    let app = app_for(&gw, &dir);
    let before = gw.rss_mib();

    // No token at all: files are not read.
    let tasks = attack(&app, vec![("_step".into(), "check".into())]).await;
    let untokened = peak_rss(&gw).await;
    tasks.iter().for_each(|t| t.abort());

    // A genuine token and step, as anyone can have by loading the form: the client's share
    // of uploads and everyone's budget bound what is held.
    let token = app.form_token("professional").await;
    let fields = vec![("_token".into(), token), ("_step".into(), "check".into())];
    let tasks = attack(&app, fields).await;
    let tokened = peak_rss(&gw).await;
    let page = genuine_report_with_a_photo(&app).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        extract_reference(&page.body).is_some(),
        "a genuine report with a photo is sent during the attack: {}",
        page.body
    );
    tasks.iter().for_each(|t| t.abort());

    // The stalled bodies are cut off by the idle limit and their memory given back: within
    // half a minute the gateway is back within one budget of where it started.
    let settled = before + 64;
    let until = Instant::now() + Duration::from_secs(30);
    let mut after = gw.rss_mib();
    while after > settled && Instant::now() < until {
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        after = gw.rss_mib();
    }
    println!(
        "resident memory: {before} MiB before, {untokened} MiB under uploads without a token, \
         {tokened} MiB under uploads with one, {after} MiB after"
    );
    assert!(untokened < 200, "{untokened} MiB without a token");
    assert!(tokened < 200, "{tokened} MiB with a token");
    assert!(after <= settled, "{after} MiB after the uploads ended");
}
