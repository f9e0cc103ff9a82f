//! Files added on /follow-up: cleaned and limited as a report's are, sealed to police as an
//! addendum to the report ("PIS Addendum to …"), each file its own envelope that the `age`
//! CLI opens; hostile files refused with a 422 naming the file, and nothing sent.

use crate::attachments::{age_cli_decrypt, armored_parts, content_type, multipart, Part};
use crate::delivery::{header, parse_mail, smtp_settings};
use crate::follow_up::{enter_code, send_report, shown_code};
use crate::helpers::*;
use crate::samples;
use crate::smtp_server::{SmtpServer, Tls};
use age::secrecy::ExposeSecret;
use serde_json::Value;
use std::time::Duration;

fn sha256(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A file part as a browser sends it, under its own name.
fn file<'a>(filename: &'a str, content_type: &'a str, bytes: &'a [u8]) -> Part<'a> {
    Part::File {
        name: "attachments",
        filename,
        content_type,
        bytes,
    }
}

/// The thread's form sent as the browser sends it: its fields in page order, the files, then
/// the button pressed.
async fn add_files(
    app: &TestApp,
    token: &str,
    code: &str,
    text: &str,
    files: Vec<Part<'_>>,
) -> Page {
    let mut parts = vec![
        Part::Text("_token", token),
        Part::Text("code", code),
        Part::Text("addendum", text),
    ];
    parts.extend(files);
    parts.push(Part::Text("_action", "add"));
    let origin = format!("https://localhost:{}", app.port);
    app.post_raw(
        "/follow-up",
        &content_type(),
        multipart(&parts),
        &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
    )
    .await
}

/// A community report with a code, and the thread's page opened with it.
async fn opened_thread(app: &TestApp) -> (String, String, Page) {
    let page = send_report(app, &community_answers(), true).await;
    let original = extract_reference(&page.body).expect("reference");
    let code = shown_code(&page.body).expect("a code");
    let thread = enter_code(app, &code).await;
    assert_eq!(thread.status, 200, "{}", thread.body);
    assert!(
        thread.body.contains("enctype=\"multipart/form-data\"")
            && thread
                .body
                .contains("name=\"attachments\" type=\"file\" multiple"),
        "the thread's page offers files: {}",
        thread.body
    );
    (original, code, thread)
}

#[actix_web::test]
async fn files_added_on_follow_up_arrive_cleaned_as_an_addendum_that_the_age_cli_opens() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let outbox = tempfile::tempdir().expect("tempdir");
    let app = spawn_app_with(|s| s.mail = smtp_settings(smtp.port, outbox.path())).await;
    let (original, code, thread) = opened_thread(&app).await;
    let token = extract_token(&thread.body).expect("token");
    let photo = samples::phone_photo();
    let png = samples::png_with_text();
    let sent = add_files(
        &app,
        &token,
        &code,
        "Photos of the car from this morning.",
        vec![
            file("IMG_20261123_Jays_phone.jpg", "image/jpeg", &photo),
            file("screenshot.png", "image/png", &png),
        ],
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let marker = "<strong id=\"added-reference\">";
    let start = sent.body.find(marker).expect("the addendum's reference") + marker.len();
    let added = sent.body[start..start + 13].to_string();
    assert!(
        sent.body.contains("(2 files added)"),
        "the thread says files went, not what they were: {}",
        sent.body
    );

    // Files are kept sealed for police intelligence only, under the addendum's reference.
    let stored: Vec<(String, String, i64)> = {
        let db = app.db();
        let mut st = db
            .prepare("SELECT s.reference, a.route, a.n FROM attachments a JOIN submissions s ON s.id = a.submission ORDER BY a.n")
            .expect("attachments table");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read")
    };
    let intel = "police_intelligence".to_string();
    assert_eq!(
        stored,
        vec![(added.clone(), intel.clone(), 1), (added.clone(), intel, 2)]
    );

    let mut mail = None;
    for _ in 0..100 {
        mail = smtp.received().into_iter().find(|m| {
            let parsed = parse_mail(&m.data);
            m.rcpt_to == ["intel@example.invalid"]
                && header(&parsed.headers, "Subject").is_some_and(|s| s.contains(&added))
        });
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mail = mail.expect("the addendum's email");
    let parsed = parse_mail(&mail.data);
    let subject = header(&parsed.headers, "Subject").expect("subject");
    assert!(
        subject.starts_with(&format!(
            "[OFFICIAL-SENSITIVE] PIS Addendum to {original}: {added} "
        )),
        "{subject}"
    );
    let raw = String::from_utf8_lossy(&mail.data);
    assert!(!raw.contains("IMG_20261123") && !raw.contains("screenshot.png"));
    assert!(!raw.contains("Photos of the car"), "no words in the clear");
    let blocks = armored_parts(&mail.data);
    let names: Vec<&str> = blocks.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            format!("{added}.age"),
            format!("{added}-1.age"),
            format!("{added}-2.age")
        ]
    );

    // The reference `age` tool opens the document and both files.
    let key = app.dir.path().join("officer.key");
    std::fs::write(
        &key,
        format!("{}\n", app.identities[0].to_string().expose_secret()),
    )
    .expect("key");
    let mut plain = Vec::new();
    for (name, armored) in &blocks {
        let path = app.dir.path().join(name);
        std::fs::write(&path, armored).expect("write");
        plain.push(age_cli_decrypt(&path, &key).expect("the age CLI is installed"));
    }
    let doc: Value = serde_json::from_slice(&plain[0]).expect("the document");
    assert_eq!(doc["follow_up_of"], original.as_str(), "{doc}");
    assert_eq!(
        doc["answers"]["addendum"],
        "Photos of the car from this morning."
    );
    let facts = doc["attachments"].as_array().expect("the files' facts");
    assert_eq!(facts.len(), 2);
    assert_eq!(facts[0]["type"], "jpeg");
    assert_eq!(facts[0]["width"], 8, "turned upright");
    assert_eq!(facts[0]["sha256_received"], sha256(&photo).as_str());
    assert_eq!(facts[0]["sha256_sealed"], sha256(&plain[1]).as_str());
    assert_eq!(facts[1]["type"], "png");
    assert_eq!(facts[1]["sha256_sealed"], sha256(&plain[2]).as_str());
    for canary in samples::CANARIES {
        assert!(!contains(&plain[1], canary), "{canary} reached the officer");
        assert!(!contains(&plain[2], canary), "{canary} reached the officer");
    }
    let (_, trailing) = samples::jpeg_markers(&plain[1]);
    assert!(trailing.is_empty());

    // A file on its own, with no words, is an addendum too.
    let token = extract_token(&sent.body).expect("token");
    let small = samples::small_jpeg();
    let alone = add_files(
        &app,
        &token,
        &code,
        "",
        vec![file("a.jpg", "image/jpeg", &small)],
    )
    .await;
    assert_eq!(alone.status, 200, "{}", alone.body);
    assert!(alone.body.contains("(1 file added)"), "{}", alone.body);
}

#[actix_web::test]
async fn hostile_files_on_follow_up_get_a_422_naming_the_file_and_nothing_is_sent() {
    // Each refused try spends a send and an entry of the code, as a report's does: room for
    // all of them here.
    let app = spawn_app_with(|s| {
        s.limits.submissions_per_minute = 1_000;
        s.limits.submission_burst = 1_000;
        s.limits.follow_up_per_minute = 1_000;
        s.limits.follow_up_burst = 1_000;
        s.limits.follow_up_per_code_per_hour = 1_000;
        s.limits.follow_up_per_code_burst = 1_000;
    })
    .await;
    let (_original, code, thread) = opened_thread(&app).await;
    let before = app.count();
    let html = samples::html();
    let svg = samples::svg();
    let pdf = samples::pdf();
    let photo = samples::small_jpeg();
    let mut truncated = samples::small_jpeg();
    truncated.truncate(40);
    let six: Vec<Part<'_>> = (0..6)
        .map(|_| file("p.jpg", "image/jpeg", &photo))
        .collect();
    let cases: Vec<(&str, Vec<Part<'_>>, &str)> = vec![
        (
            "HTML named evidence.jpg",
            vec![file("evidence.jpg", "image/jpeg", &html)],
            "File 1 must be a JPG, PNG or WebP image",
        ),
        (
            "SVG second, after a good photo",
            vec![
                file("ok.jpg", "image/jpeg", &photo),
                file("photo.jpg", "image/jpeg", &svg),
            ],
            "File 2 must be a JPG, PNG or WebP image",
        ),
        (
            "a PDF added to a community report",
            vec![file("notes.pdf", "application/pdf", &pdf)],
            "File 1 must be a JPG, PNG or WebP image",
        ),
        (
            "a JPEG cut short",
            vec![file("cut.jpg", "image/jpeg", &truncated)],
            "File 1 could not be opened: it may be damaged",
        ),
        ("six files", six, "You can add up to 5 files"),
    ];
    let mut token = extract_token(&thread.body).expect("token");
    for (what, files, message) in cases {
        let page = add_files(&app, &token, &code, "<script>alert(1)</script>", files).await;
        assert_eq!(page.status, 422, "{what}: {}", page.body);
        assert!(page.body.contains(message), "{what}: {}", page.body);
        assert!(
            page.body.contains("href=\"#attachments\"")
                && page.body.contains("id=\"attachments-error\""),
            "{what}: the summary links to the file input: {}",
            page.body
        );
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;")
                && !page.body.contains("<script>alert"),
            "{what}: the words are kept, escaped"
        );
        token = extract_token(&page.body).expect("token");
    }
    assert_eq!(app.count(), before, "no addendum was sent");

    // Files without the page's token are not read at all.
    let origin = format!("https://localhost:{}", app.port);
    let forged = app
        .post_raw(
            "/follow-up",
            &content_type(),
            multipart(&[
                Part::Text("_token", "forged"),
                Part::Text("code", &code),
                file("a.jpg", "image/jpeg", &photo),
                Part::Text("_action", "add"),
            ]),
            &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.count(), before);
}
