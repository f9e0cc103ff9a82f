//! Abuse and faults: rate limits, bots, hostile input, and a spool that runs out of disk.

use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn post_as(app: &TestApp, client_ip: &str) -> (u16, Option<String>, Value) {
    let mut res = app
        .client
        .post(app.url("/api/v1/submissions"))
        .insert_header(("X-Forwarded-For", client_ip))
        .send_json(&json!({"form": "community", "answers": community_answers()}))
        .await
        .expect("POST");
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (res.status().as_u16(), retry, body)
}

#[actix_web::test]
async fn one_client_past_its_quota_gets_429_and_others_are_unaffected() {
    let app = spawn_app_with(|s| {
        s.limits.submissions_per_minute = 6;
        s.limits.submission_burst = 3;
        // The test's "clients" arrive through a proxy on loopback.
        s.limits.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let mut accepted = 0;
    let mut first_refusal = None;
    for i in 0..10 {
        let (status, retry, body) = post_as(&app, "203.0.113.7").await;
        match status {
            201 => accepted += 1,
            429 => {
                first_refusal.get_or_insert(i);
                let secs: u64 = retry.expect("Retry-After").parse().expect("seconds");
                assert!((1..=60).contains(&secs));
                assert_eq!(body["errors"][0]["code"], "rate_limited");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        accepted, 3,
        "the burst, then nothing until the quota refills"
    );
    assert_eq!(first_refusal, Some(3));
    // Another client, and the same /64 for IPv6.
    assert_eq!(post_as(&app, "203.0.113.8").await.0, 201);
    for _ in 0..3 {
        assert_eq!(post_as(&app, "2001:db8:5:6::1").await.0, 201);
    }
    assert_eq!(
        post_as(&app, "2001:db8:5:6:abcd::9").await.0,
        429,
        "IPv6 is limited per /64"
    );
    // Pages have their own quota: the limited client can still read the start page.
    let res = app
        .client
        .get(app.url("/"))
        .insert_header(("X-Forwarded-For", "203.0.113.7"))
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status().as_u16(), 200);
    // A browser's send gets a page, not JSON.
    let mut fields = as_form_fields(&community_answers());
    fields.push(("_token".into(), app.form_token("community").await));
    let page = app
        .post_raw(
            "/forms/community",
            "application/x-www-form-urlencoded",
            serde_urlencoded::to_string(&fields)
                .expect("encode")
                .into_bytes(),
            &[
                ("X-Forwarded-For", "203.0.113.7"),
                ("Sec-Fetch-Site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("Too many requests") && page.body.contains("999"));
    assert_eq!(app.count(), 7);
}

#[actix_web::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with(|s| {
        s.limits.submissions_per_minute = 6;
        s.limits.submission_burst = 2;
    })
    .await;
    assert_eq!(post_as(&app, "198.51.100.1").await.0, 201);
    assert_eq!(post_as(&app, "198.51.100.2").await.0, 201);
    assert_eq!(
        post_as(&app, "198.51.100.3").await.0,
        429,
        "every request is the peer's own"
    );
}

#[actix_web::test]
async fn a_filled_honeypot_or_a_too_fast_form_is_flagged_and_still_delivered() {
    let app = spawn_app_with(|s| s.limits.min_fill_seconds = 3).await;
    for (why, honeypot) in [("too fast", ""), ("honeypot", "http://spam.example")] {
        let token = app.form_token("community").await;
        let mut fields = as_form_fields(&community_answers());
        fields.push(("_token".into(), token));
        fields.push(("website".into(), honeypot.into()));
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let page = app.post_form("community", &borrowed).await;
        let reference = extract_reference(&page.body)
            .unwrap_or_else(|| panic!("{why}: accepted: {}", page.body));
        let doc = app.open(&reference);
        assert_eq!(doc["reason_codes"], json!(["suspected_automated"]), "{why}");
        assert_eq!(
            doc["priority"], "ROUTINE",
            "{why}: the priority is untouched"
        );
    }
    // A person who takes their time, with the honeypot left empty, is not flagged.
    let token = app.form_token("community").await;
    actix_web::rt::time::sleep(Duration::from_millis(3100)).await;
    let mut fields = as_form_fields(&community_answers());
    fields.push(("_token".into(), token));
    fields.push(("website".into(), String::new()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let reference =
        extract_reference(&app.post_form("community", &borrowed).await.body).expect("reference");
    assert_eq!(app.open(&reference)["reason_codes"], json!([]));
}

#[actix_web::test]
async fn hostile_input_gets_a_clear_4xx_and_never_a_500() {
    let app = spawn_app().await;
    let json_cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "duplicate keys",
            br#"{"form":"community","form":"professional","answers":{}}"#.to_vec(),
            422,
            "duplicate_key",
        ),
        (
            "duplicate keys inside answers",
            br#"{"form":"community","answers":{"how_know":"OTHER","how_know":"SEEN_ONLINE"}}"#
                .to_vec(),
            422,
            "duplicate_key",
        ),
        (
            "a huge number",
            br#"{"form":"community","answers":{"what_happened":1e999}}"#.to_vec(),
            422,
            "number_out_of_range",
        ),
        (
            "a big integer where text belongs",
            br#"{"form":"community","answers":{"what_happened":123456789012345678901234567890}}"#
                .to_vec(),
            422,
            "",
        ),
        (
            "deep nesting",
            format!(
                "{{\"form\":\"community\",\"answers\":{}{}}}",
                "[".repeat(5000),
                "]".repeat(5000)
            )
            .into_bytes(),
            422,
            "too_deep",
        ),
        (
            "invalid UTF-8",
            b"{\"form\":\"community\",\"answers\":{\"what_happened\":\"\xff\xfe\"}}".to_vec(),
            400,
            "malformed_json",
        ),
        (
            "a NUL byte in JSON text",
            br#"{"form":"community","answers":{"what_happened":"a\u0000b"}}"#.to_vec(),
            422,
            "",
        ),
        (
            "wrong type for answers",
            br#"{"form":"community","answers":"all of them"}"#.to_vec(),
            422,
            "",
        ),
        (
            "a form id with path characters",
            br#"{"form":"../../etc/passwd","answers":{}}"#.to_vec(),
            422,
            "unknown_form",
        ),
        (
            "an object where a string belongs",
            br#"{"form":{"id":"community"},"answers":{}}"#.to_vec(),
            422,
            "wrong_type",
        ),
        ("an empty body", vec![], 400, "malformed_json"),
    ];
    for (why, body, status, code) in json_cases {
        let page = app
            .post_raw("/api/v1/submissions", "application/json", body, &[])
            .await;
        assert_eq!(page.status, status, "{why}: {}", page.body);
        let v: Value =
            serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("{why}: JSON error body"));
        if !code.is_empty() {
            assert_eq!(v["errors"][0]["code"], code, "{why}: {v}");
        }
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{why}"
        );
    }

    // Script, CR/LF, NUL, bidi and zero-width characters in answers: accepted, neutralised.
    let script = "<script>alert('pwned')</script>";
    let mut answers = community_answers();
    answers["what_happened"] = json!(format!("{script} Bcc: x@example.org\r\nSubject: hijack \u{0000} \u{202E}evil\u{202C} zero\u{200B}width and more words"));
    answers["contact_ok"] = json!("yes");
    answers["contact.name"] = json!("Ann\r\nBcc Victim");
    answers["contact.email"] = json!("ann@example.org");
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference").to_string();
    let doc = app.open(&reference);
    let text = doc["answers"]["what_happened"].as_str().expect("text");
    assert!(!text.contains('\u{0000}') && !text.contains('\u{202E}'));
    assert!(
        !doc["answers"]["contact.name"]
            .as_str()
            .expect("name")
            .contains('\n'),
        "CR/LF gone from one-line answers"
    );
    // The email for it: no header came from the answers.
    let mut mail = None;
    for _ in 0..200 {
        if let Some(f) = std::fs::read_dir(app.dir.path().join("outbox"))
            .into_iter()
            .flatten()
            .flatten()
            .next()
        {
            mail = Some(std::fs::read_to_string(f.path()).expect("eml"));
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    let mail = mail.expect("an email");
    let headers = mail.split("\r\n\r\n").next().unwrap_or("");
    assert!(!headers.to_ascii_lowercase().contains("bcc"), "{headers}");
    assert!(!headers.contains("hijack"));
    assert!(
        !mail.contains("Victim") && !mail.contains("pwned"),
        "content stays in the envelope"
    );

    // The same payloads through the browser form: escaped on the error page.
    let token = app.form_token("community").await;
    let page = app
        .post_form(
            "community",
            &[
                ("_token", &token),
                ("what_happened", script),
                ("places[0].town", "\"><img src=x onerror=alert(1)>"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    // Kept in the draft, and shown escaped on the pages that ask for them.
    for path in [
        "/forms/community/what_is_worrying_you",
        "/forms/community/where_it_happened",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains(script) && !page.body.contains("<img src=x"),
            "rendered escaped"
        );
        assert!(
            page.body.contains("&lt;script&gt;") || page.body.contains("&lt;img src=x"),
            "{path}"
        );
    }

    // Invalid UTF-8 and junk in a form body.
    let junk = app
        .post_raw(
            "/forms/community",
            "application/x-www-form-urlencoded",
            b"_token=%FF%FE&what_happened=%C0%AF\xff".to_vec(),
            &[],
        )
        .await;
    assert!((400..500).contains(&junk.status), "{}", junk.status);

    // Form ids with path characters.
    for path in [
        "/forms/..%2F..%2Fetc%2Fpasswd",
        "/forms/%2e%2e",
        "/api/v1/forms/..%2Fconfig",
        "/forms/community%00",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path}");
    }
    let metrics = app.admin_get("/metrics").await.body;
    assert!(!metrics.contains("pwned") && !metrics.contains("Victim"));
}

/// A small tmpfs, mounted for the test and unmounted after.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .output();
    }
}

#[actix_web::test]
async fn a_full_disk_gives_503_and_readyz_false_and_never_a_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mount = dir.path().join("small");
    let Some(_tmpfs) = Tmpfs::mount(&mount, "2m") else {
        eprintln!(
            "SKIPPED: cannot mount a tmpfs here (needs root); the full-disk test did not run"
        );
        return;
    };
    let spool = mount.join("spool");
    let app = spawn_app_with(|s| s.spool.dir = spool).await;
    let db = mount.join("spool/spool.sqlite3");
    let count = || -> i64 {
        rusqlite::Connection::open(&db)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0)))
            .expect("count")
    };
    let payload = json!({"form": "community", "answers": community_answers()});
    let (status, _) = app.post_json(&payload).await;
    assert_eq!(status, 201, "works while there is room");

    // Fill the filesystem to the last byte.
    let filler = mount.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let mut small = vec![0u8; 512];
        while !small.is_empty() {
            if f.write_all(&small).is_err() {
                small.truncate(small.len() / 2);
            }
        }
        let _ = f.sync_all();
    }
    // SQLite reuses its WAL's space once a checkpoint has copied it back, so a few commits may
    // still fit on the full disk, each one durable (and its 201 true). Once the WAL must grow
    // and the database cannot take the checkpoint, every write fails: submit until then.
    let before = count();
    let mut accepted = 0;
    let mut refused = false;
    for _ in 0..500 {
        let (status, body) = app.post_json(&payload).await;
        assert!(status == 503 || status == 201, "{status}: {body}");
        if status == 201 {
            accepted += 1;
            continue;
        }
        assert!(
            body["reference"].is_null(),
            "no reference without durability: {body}"
        );
        assert_eq!(body["errors"][0]["code"], "unavailable");
        refused = true;
        break;
    }
    assert!(refused, "a full disk must refuse submissions");
    let ready = app.admin_get("/readyz").await;
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert!(ready.body.contains("\"spool_writable\":false"));
    // Every 201 given is in the spool; the 503 left nothing.
    assert_eq!(count(), before + accepted);

    // Room again: intake resumes at once; readiness only after several good probes in a row,
    // so a disk hovering at full does not make the node flap in and out of a load balancer.
    std::fs::remove_file(&filler).expect("remove filler");
    let (status, _) = app.post_json(&payload).await;
    assert_eq!(status, 201);
    for _ in 1..pis_gateway::http::readiness::RECOVERY_PROBES {
        let probe = app.admin_get("/readyz").await;
        assert_eq!(probe.status, 503, "{}", probe.body);
        assert!(
            probe.body.contains("\"spool_writable\":true"),
            "{}",
            probe.body
        );
    }
    assert_eq!(app.admin_get("/readyz").await.status, 200);
}
