//! Follow-up over HTTPS as a browser uses it: a report sent with a follow-up code, a reply from
//! police sealed to the submitter, read on /follow-up with the code, and an addendum that
//! arrives by email, triaged, and opens with the `age` CLI to a document naming the original.

use crate::at_rest::Store;
use crate::delivery::{header, parse_mail, smtp_settings};
use crate::helpers::*;
use crate::smtp_server::{SmtpServer, Tls};
use age::secrecy::ExposeSecret;
use pis_gateway::follow_up::FollowUpCode;
use pis_gateway::reference::Reference;
use pis_gateway::spool::prelude::*;
use pis_gateway::spool::sqlite::SqliteSpool;
use pis_gateway::spool::{CaseStatus, Spool};
use std::process::Command;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

fn as_fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn post_follow_up(app: &TestApp, fields: &[(String, String)]) -> Page {
    let body = serde_urlencoded::to_string(fields).expect("encode");
    app.post_raw(
        "/follow-up",
        "application/x-www-form-urlencoded",
        body.into_bytes(),
        &[
            ("Origin", &format!("https://localhost:{}", app.port)),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    )
    .await
}

/// Sends the community form as a browser does from its check page, choosing a code or not.
pub(crate) async fn send_report(app: &TestApp, answers: &serde_json::Value, code: bool) -> Page {
    send_form(
        app,
        "community",
        answers,
        &[("_follow_up", if code { "yes" } else { "no" })],
    )
    .await
}

async fn send_form(
    app: &TestApp,
    form: &str,
    answers: &serde_json::Value,
    choices: &[(&str, &str)],
) -> Page {
    let token = app.form_token(form).await;
    let mut fields = as_form_fields(answers);
    fields.push(("_token".into(), token));
    fields.push(("_step".into(), "check".into()));
    fields.extend(as_fields(choices));
    fields.push(("_action".into(), "submit".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    app.post_form(form, &borrowed).await
}

/// The code as the confirmation page shows it.
pub(crate) fn shown_code(body: &str) -> Option<String> {
    let start = body.find("id=\"follow-up-code\">")? + "id=\"follow-up-code\">".len();
    let end = body[start..].find('<')? + start;
    Some(body[start..end].trim().to_string())
}

/// Opens /follow-up and enters `code`, as typed.
pub(crate) async fn enter_code(app: &TestApp, code: &str) -> Page {
    let page = app.get("/follow-up").await;
    assert_eq!(page.status, 200);
    let token = extract_token(&page.body).expect("the page carries a token");
    post_follow_up(
        app,
        &as_fields(&[("_token", &token), ("code", code), ("_action", "open")]),
    )
    .await
}

/// Every byte of every file under `dir`.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push((p, bytes));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The same page for two codes that match nothing, once the per-request parts (the page's
/// token, what was typed) are taken out.
fn shape(body: &str, typed: &str) -> String {
    let token = extract_token(body).unwrap_or_default();
    body.replace(&token, "TOKEN").replace(typed, "TYPED")
}

#[actix_web::test]
async fn an_anonymous_report_with_a_code_hears_back_and_adds_more_which_arrives_sealed_and_triaged()
{
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let outbox = tempfile::tempdir().expect("tempdir");
    let app = spawn_app_with(|s| {
        s.mail = smtp_settings(smtp.port, outbox.path());
        s.server.public_url = "https://gateway.example".into();
    })
    .await;

    // The report, with a code: shown once on the confirmation page, held nowhere.
    let page = send_report(&app, &community_answers(), true).await;
    assert!(page.body.contains("Information sent"), "{}", page.body);
    let original = extract_reference(&page.body).expect("reference");
    let code = shown_code(&page.body).expect("the confirmation page shows the code");
    assert_eq!(code.split(' ').count(), 8, "eight words: {code}");
    // The same code as 20 characters, as codes were given before.
    let grouped = FollowUpCode::parse(&code)
        .expect("the words read back")
        .grouped();
    assert!(page.body.contains("Write this code down now"));
    assert!(page
        .body
        .contains("somewhere the person you reported cannot see it"));
    // A routine report: to police intelligence alone.
    let first_mail = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(first_mail.len(), 1);

    // Police reply, sealed to the submitter's key (fetched by reference, as the officer's
    // tool does) and the route's own recipients, written through the spool's seam.
    let spool = SqliteSpool::open(&app.dir.path().join("spool")).expect("spool");
    let reference = Reference::parse(&original).expect("reference");
    let thread = spool
        .follow_up_by_reference(&reference)
        .await
        .expect("read")
        .expect("the key was committed with the report");
    let submitter = age::x25519::Recipient::from_str(&thread.recipient).expect("an age key");
    let reply_canary =
        "canary-reply-7f3e which flat is it, the one above the shop? <script>alert(1)</script>";
    let mut recipients = vec![submitter];
    recipients.extend(app.identities.iter().map(|i| i.to_public()));
    let sealed = pis_gateway::seal::encrypt_to(reply_canary.as_bytes(), &recipients).expect("seal");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert_eq!(
        spool
            .add_reply(&reference, sealed, "officer-test", now)
            .await
            .expect("reply"),
        Some(1)
    );
    assert!(spool
        .set_case_status(&reference, CaseStatus::BeingLookedAt, "officer-test", now)
        .await
        .expect("status"));

    // The submitter reads it with the code, typed loosely; the character form works as well.
    let loose = code.to_uppercase().replace(' ', "-");
    assert_eq!(enter_code(&app, &grouped.to_lowercase()).await.status, 200);
    let thread_page = enter_code(&app, &loose).await;
    assert_eq!(thread_page.status, 200);
    assert!(
        thread_page
            .body
            .contains("which flat is it, the one above the shop?"),
        "{}",
        thread_page.body
    );
    assert!(
        thread_page.body.contains("&lt;script&gt;alert(1)")
            && !thread_page.body.contains("<script>alert(1)"),
        "what police wrote is shown as text"
    );
    assert!(thread_page.body.contains("Being looked at"));
    assert!(thread_page.body.contains(&original));
    assert!(thread_page.body.contains("Exit this page"));

    // They answer; what they say is urgent.
    let addendum_canary = "canary-addendum-91c2";
    let text = format!("Flat 2. He is coming tonight to pick her up. {addendum_canary}");
    let token = extract_token(&thread_page.body).expect("token");
    let sent = post_follow_up(
        &app,
        &as_fields(&[
            ("_token", &token),
            ("code", &code),
            ("addendum", &text),
            ("_action", "add"),
        ]),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body
            .contains("What you added has been sent to the police"),
        "{}",
        sent.body
    );
    assert!(
        sent.body.contains("call 999 now"),
        "an urgent addendum says so"
    );
    let marker = "<strong id=\"added-reference\">";
    let start = sent.body.find(marker).expect("reference") + marker.len();
    let added = sent.body[start..start + 13].to_string();
    assert_ne!(added, original);
    assert!(
        sent.body.contains(addendum_canary),
        "their own words are in the thread"
    );

    // It arrives by email to police intelligence only, with its own acknowledgement link,
    // and opens with the age CLI to a signed document naming the original reference.
    let mail = smtp.wait_for(2, Duration::from_secs(20)).await;
    let new: Vec<_> = mail
        .iter()
        .filter(|m| {
            let p = parse_mail(&m.data);
            header(&p.headers, "Subject").is_some_and(|s| s.contains(&added))
        })
        .collect();
    assert_eq!(
        new.len(),
        1,
        "to the police intelligence route only: {:?}",
        mail.iter()
            .map(|m| (m.rcpt_to.clone(), parse_mail(&m.data).headers))
            .collect::<Vec<_>>()
    );
    assert_eq!(new[0].rcpt_to, ["intel@example.invalid"]);
    let parsed = parse_mail(&new[0].data);
    assert!(header(&parsed.headers, "Subject").is_some_and(|s| s.contains("IMMEDIATE")));
    let text_of = String::from_utf8_lossy(&new[0].data).replace("=\r\n", "");
    assert!(
        text_of.contains("https://gateway.example/ack/"),
        "its own link"
    );
    let armored = parsed.armored.expect("an encrypted attachment");
    let env = app.dir.path().join("addendum.age");
    std::fs::write(&env, armored).expect("write");
    let id = app.dir.path().join("intel.key");
    std::fs::write(
        &id,
        format!("{}\n", app.identities[0].to_string().expose_secret()),
    )
    .expect("write");
    match Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id)
        .arg(&env)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            assert_eq!(doc["reference"], added.as_str());
            assert_eq!(doc["follow_up_of"], original.as_str());
            assert_eq!(doc["priority"], "IMMEDIATE");
            assert_eq!(doc["form"], "follow_up");
            assert_eq!(doc["answers"]["addendum"], text.as_str());
            assert_eq!(
                pis_gateway::signing::verify_document(&doc, &signer_keys()),
                Ok(signer().public().id())
            );
        }
        Err(_) => eprintln!("SKIPPED: the `age` CLI is not installed (the rest was checked)"),
    }

    // Neither canary, nor the code, is anywhere in the clear: spool files (WAL included),
    // the outbox folder, or any email.
    drop(spool);
    let canonical = grouped.replace('-', "");
    for (path, bytes) in files_under(app.dir.path())
        .into_iter()
        .filter(|(p, _)| p.extension().is_none_or(|x| x != "age" && x != "key"))
        .chain(files_under(outbox.path()))
    {
        for secret in [
            addendum_canary,
            "canary-reply-7f3e",
            &code,
            &grouped,
            &canonical,
        ] {
            assert!(!contains(&bytes, secret), "{secret} in {}", path.display());
        }
    }
    for m in first_mail.iter().chain(mail.iter()) {
        for secret in [addendum_canary, "canary-reply-7f3e", &code, &canonical] {
            assert!(!contains(&m.data, secret), "{secret} in an email");
        }
    }
    // The audit log holds the events, none of the content.
    let events: Vec<(String, Option<String>)> = app
        .db()
        .prepare("SELECT event, code FROM audit WHERE event LIKE 'follow_up%' ORDER BY seq")
        .expect("audit")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("audit")
        .collect::<Result<_, _>>()
        .expect("audit");
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        names,
        [
            "follow_up_key",
            "follow_up_reply",
            "follow_up_status",
            "follow_up_addendum"
        ]
    );
    assert_eq!(events[3].1.as_deref(), Some(added.as_str()));
}

#[actix_web::test]
async fn a_wrong_code_gets_the_same_page_as_one_nobody_has_and_a_declined_code_makes_none() {
    let app = spawn_app().await;
    let page = send_report(&app, &community_answers(), false).await;
    assert!(page.body.contains("Information sent"), "{}", page.body);
    assert!(shown_code(&page.body).is_none(), "declined: no code");
    let reference = extract_reference(&page.body).expect("reference");
    let keys: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM follow_ups", [], |r| r.get(0))
        .expect("count");
    assert_eq!(keys, 0, "{reference} has no follow-up key");

    let with = send_report(&app, &community_answers(), true).await;
    let real = FollowUpCode::parse(&shown_code(&with.body).expect("code"))
        .expect("reads back")
        .grouped();
    // One character changed: a wrong code. And one nobody was ever given.
    let mut wrong: Vec<char> = real.chars().collect();
    wrong[0] = if wrong[0] == '7' { '8' } else { '7' };
    let wrong: String = wrong.into_iter().collect();
    let unknown = "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ";
    let a = enter_code(&app, &wrong).await;
    let b = enter_code(&app, unknown).await;
    assert_eq!(a.status, b.status);
    assert!(a.body.contains("No report matches this code"), "{}", a.body);
    assert_eq!(shape(&a.body, &wrong), shape(&b.body, unknown));
    assert!(!a.body.contains("Your report PIS-"));
    // Not a code at all: told what a code looks like.
    let c = enter_code(&app, "not a code").await;
    assert!(c.body.contains("20 letters and numbers"), "{}", c.body);
    assert!(enter_code(&app, &real)
        .await
        .body
        .contains("There are no messages yet"));

    // A post from elsewhere, or without the page's token, is refused.
    let forged = post_follow_up(&app, &as_fields(&[("code", &real)])).await;
    assert_eq!(forged.status, 403);
    let page = app.get("/follow-up").await;
    let token = extract_token(&page.body).expect("token");
    let body = serde_urlencoded::to_string(as_fields(&[("_token", &token), ("code", &real)]))
        .expect("encode");
    let cross = app
        .post_raw(
            "/follow-up",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[
                ("Origin", "https://evil.example"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(cross.status, 403);
    // Never from a URL.
    let in_url = app
        .get(&format!("/follow-up?code={}", real.replace('-', "")))
        .await;
    assert!(!in_url.body.contains("Your report PIS-"));
}

#[actix_web::test]
async fn code_entries_are_limited_per_client_and_per_code() {
    let app = spawn_app_with(|s| {
        s.limits.follow_up_per_minute = 1;
        s.limits.follow_up_burst = 3;
    })
    .await;
    for i in 0..3 {
        let page = enter_code(&app, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ").await;
        assert_eq!(page.status, 200, "entry {i}");
    }
    let refused = enter_code(&app, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ").await;
    assert_eq!(refused.status, 429);

    let app = spawn_app_with(|s| {
        s.limits.follow_up_per_code_per_hour = 1;
        s.limits.follow_up_per_code_burst = 2;
    })
    .await;
    let code = "7KQ2-M9XD-A1B0-CDEF-GH12";
    for _ in 0..2 {
        assert_eq!(enter_code(&app, code).await.status, 200);
    }
    assert_eq!(
        enter_code(&app, "7kq2 m9xd albo cdef gh12").await.status,
        429,
        "the same code however it is typed"
    );
    assert_eq!(
        enter_code(&app, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ").await.status,
        200,
        "another code is not held back"
    );
}

/// The link in the first email to a notice address (quoted-printable soft breaks undone).
fn confirm_path(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw)
        .replace("=\r\n", "")
        .replace("=\n", "");
    let start = text.find("/follow-up/confirm/")?;
    let end = text[start..]
        .find(|c: char| c.is_whitespace())
        .map(|e| start + e)
        .unwrap_or(text.len());
    Some(text[start..end].to_string())
}

/// The notice routes queued for a report (`follow_up.N`).
async fn notices(spool: &Arc<dyn Spool>, reference: &Reference) -> Vec<String> {
    spool
        .deliveries(reference)
        .await
        .expect("read")
        .into_iter()
        .map(|d| d.route.to_string())
        .filter(|r| r.starts_with("follow_up.") && r != "follow_up.confirm")
        .collect()
}

/// A professional asks for notices at their work address: it is kept sealed, gets one email
/// asking them to confirm it (naming no report), and only once the link is followed does a
/// reply from police send "There is a message for you" there, naming nothing either.
async fn a_notice_address_is_sealed_confirmed_first_and_told_nothing(store: Store) {
    const ADDRESS: &str = "canary.worker77@example.sch.uk";
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let outbox = tempfile::tempdir().expect("tempdir");
    let app = spawn_app_with(|s| {
        s.mail = smtp_settings(smtp.port, outbox.path());
        s.server.public_url = "https://gateway.example".into();
        store.apply(s);
    })
    .await;
    let mut answers = professional_answers();
    answers["submitter.work_email"] = serde_json::json!(ADDRESS);
    let page = send_form(
        &app,
        "professional",
        &answers,
        &[("_follow_up", "yes"), ("_follow_up_notify", "yes")],
    )
    .await;
    assert!(page.body.contains("Information sent"), "{}", page.body);
    let code = shown_code(&page.body).expect("professionals get the same code");
    let reference =
        Reference::parse(&extract_reference(&page.body).expect("reference")).expect("reference");
    let to_address = |mail: &[crate::smtp_server::Received]| {
        mail.iter()
            .filter(|m| m.rcpt_to == [ADDRESS])
            .map(|m| String::from_utf8_lossy(&m.data).into_owned())
            .collect::<Vec<_>>()
    };
    let mail = smtp.wait_for(2, Duration::from_secs(20)).await;
    let first = to_address(&mail);
    assert_eq!(first.len(), 1, "one email asks to confirm the address");
    assert!(
        first[0].contains("Someone asked for notices"),
        "{}",
        first[0]
    );
    assert!(
        !first[0].contains("PIS-"),
        "it names no report: {}",
        first[0]
    );
    let path = confirm_path(first[0].as_bytes()).expect("a confirmation link");

    // Before the link is followed, a reply queues nothing to the address.
    let spool = store.open(&app).await;
    let thread = spool
        .follow_up_by_reference(&reference)
        .await
        .expect("read")
        .expect("a key");
    assert!(thread.notify);
    let submitter = age::x25519::Recipient::from_str(&thread.recipient).expect("key");
    let reply = |text: &'static [u8]| {
        pis_gateway::seal::encrypt_to(text, std::slice::from_ref(&submitter)).expect("seal")
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    spool
        .add_reply(
            &reference,
            reply(b"first, unannounced"),
            "officer-test",
            now,
        )
        .await
        .expect("reply");
    assert!(notices(&spool, &reference).await.is_empty());

    let shown = app.get(&path).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("Confirm your email address"));
    let post = || app.post_raw(&path, "application/x-www-form-urlencoded", vec![], &[]);
    let done = post().await;
    assert_eq!(done.status, 200);
    assert!(
        done.body.contains("Email address confirmed"),
        "{}",
        done.body
    );
    assert_eq!(post().await.status, 404, "the link works once");
    assert_eq!(
        app.get("/follow-up/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await
            .status,
        200,
        "the page itself checks nothing; only its button does"
    );

    spool
        .add_reply(
            &reference,
            reply(b"canary-notice-55aa call me"),
            "officer-test",
            now,
        )
        .await
        .expect("reply");
    assert_eq!(notices(&spool, &reference).await, ["follow_up.2"]);
    drop(spool);
    // The gateway's outbox learns of it on its next poll, as it would from another gateway.
    let mail = smtp.wait_for(mail.len() + 1, Duration::from_secs(30)).await;
    let sent = to_address(&mail);
    assert_eq!(sent.len(), 2, "the confirmation, then one notice");
    let text = &sent[1].replace("=\r\n", "").replace("=\n", "");
    assert!(
        text.contains("There is a message for you. Use your follow-up code at https://gateway.example/follow-up."),
        "{text}"
    );
    assert!(
        text.contains("Subject: There is a message for you"),
        "{text}"
    );
    assert!(!text.contains("PIS-"), "no reference anywhere: {text}");
    assert!(!text.contains("canary-notice-55aa"));
    assert!(!text.contains("BEGIN AGE"), "no attachment");
    assert!(!text.contains(&code) && !text.contains(&code.replace('-', "")));
    assert!(enter_code(&app, &code)
        .await
        .body
        .contains("canary-notice-55aa call me"));
    crate::at_rest::assert_nowhere(&store.raw(&app), "canary.worker77", "the notice address");
}

#[actix_web::test]
async fn a_notice_address_is_sealed_and_confirmed_on_sqlite() {
    a_notice_address_is_sealed_confirmed_first_and_told_nothing(Store::Sqlite).await;
}

#[actix_web::test]
async fn a_notice_address_is_sealed_and_confirmed_on_postgres() {
    let Some(store) = Store::postgres("a_notice_address_is_sealed_and_confirmed_on_postgres")
    else {
        return;
    };
    a_notice_address_is_sealed_confirmed_first_and_told_nothing(store).await;
}

#[actix_web::test]
async fn the_api_returns_a_code_only_when_asked_and_it_opens_the_thread() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(&serde_json::json!({
            "form": "professional", "answers": professional_answers(), "follow_up": true
        }))
        .await;
    assert_eq!(status, 201, "{body}");
    let code = body["follow_up_code"].as_str().expect("a code").to_string();
    let words = body["follow_up_words"].as_str().expect("the code as words");
    assert_eq!(
        FollowUpCode::parse(words),
        FollowUpCode::parse(&code),
        "one code, two forms"
    );
    let page = enter_code(&app, words).await;
    assert!(
        page.body.contains(&format!(
            "Your report {}",
            body["reference"].as_str().expect("ref")
        )),
        "{}",
        page.body
    );
    let (status, body) = app
        .post_json(&serde_json::json!({"form": "professional", "answers": professional_answers()}))
        .await;
    assert_eq!(status, 201);
    assert!(body.get("follow_up_code").is_none(), "{body}");
    assert!(body.get("follow_up_words").is_none(), "{body}");
    let (status, body) = app
        .post_json(&serde_json::json!({
            "form": "professional", "answers": professional_answers(), "follow_up": "yes"
        }))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "follow_up", "{body}");
}

#[actix_web::test]
async fn addenda_spend_the_same_send_quota_as_reports() {
    let app = spawn_app_with(|s| {
        s.limits.submissions_per_minute = 1;
        s.limits.submission_burst = 2;
        s.limits.follow_up_per_minute = 1_000;
        s.limits.follow_up_burst = 1_000;
        s.limits.follow_up_per_code_per_hour = 1_000;
        s.limits.follow_up_per_code_burst = 1_000;
    })
    .await;
    let sent = send_report(&app, &community_answers(), true).await;
    assert_eq!(sent.status, 200, "the report spends one send");
    let code = shown_code(&sent.body).expect("a code");
    let add = |text: &'static str| {
        let (app, code) = (&app, code.clone());
        async move {
            let page = enter_code(app, &code).await;
            let token = extract_token(&page.body).expect("token");
            post_follow_up(
                app,
                &as_fields(&[
                    ("_token", &token),
                    ("code", &code),
                    ("addendum", text),
                    ("_action", "add"),
                ]),
            )
            .await
        }
    };
    let first = add("The car was back this morning.").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("What you added has been sent"));
    let second = add("And again tonight.").await;
    assert_eq!(second.status, 429, "the third send of the minute");
    let metrics = app.admin_get("/metrics").await.body;
    assert!(
        metrics.contains("pisg_rate_limited_total{class=\"submission\"} 1"),
        "{metrics}"
    );
    assert_eq!(app.count(), 2, "the report and one addendum");
}

/// A report with a code and what its submitter added, as the police intelligence inbox
/// received them: (original reference, addendum reference, original email, addendum email).
pub(crate) async fn a_report_and_its_addendum_by_email(
    app_with: impl FnOnce(&mut pis_gateway::config::Settings, u16),
) -> (TestApp, SmtpServer, String, String, Vec<u8>, Vec<u8>) {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let port = smtp.port;
    let app = spawn_app_with(|s| app_with(s, port)).await;
    // The submitter says they would be at risk if it were known they told.
    assert_eq!(community_answers()["risk_to_you"], "yes");
    let page = send_report(&app, &community_answers(), true).await;
    let original = extract_reference(&page.body).expect("reference");
    let code = shown_code(&page.body).expect("a code");
    let thread = enter_code(&app, &code).await;
    let token = extract_token(&thread.body).expect("token");
    let sent = post_follow_up(
        &app,
        &as_fields(&[
            ("_token", &token),
            ("code", &code),
            ("addendum", "The car was back this morning."),
            ("_action", "add"),
        ]),
    )
    .await;
    let marker = "<strong id=\"added-reference\">";
    let start = sent.body.find(marker).expect("added") + marker.len();
    let added = sent.body[start..start + 13].to_string();
    let mut original_mail = None;
    let mut added_mail = None;
    for _ in 0..100 {
        for m in smtp.received() {
            let parsed = parse_mail(&m.data);
            let subject = header(&parsed.headers, "Subject").unwrap_or_default();
            if m.rcpt_to != ["intel@example.invalid"] {
                continue;
            }
            if subject.contains(&added) {
                added_mail = Some(m.data.clone());
            } else if subject.contains(&original) {
                original_mail = Some(m.data.clone());
            }
        }
        if original_mail.is_some() && added_mail.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (o, a) = (
        original_mail.expect("the report's email"),
        added_mail.expect("the addendum's email"),
    );
    (app, smtp, original, added, o, a)
}

/// What a submitter adds reaches the inbox as an addendum to their report, threaded under it,
/// and `open` shows it after the report, graded and handled as the report: the submitter said
/// they would be at risk, so conditions apply to what they add too.
#[actix_web::test]
async fn an_addendum_arrives_as_an_addendum_and_opens_after_its_report_with_its_handling() {
    let outbox = tempfile::tempdir().expect("tempdir");
    let (app, _smtp, original, added, original_mail, added_mail) =
        a_report_and_its_addendum_by_email(|s, port| s.mail = smtp_settings(port, outbox.path()))
            .await;
    let parsed = parse_mail(&added_mail);
    let subject = header(&parsed.headers, "Subject").expect("subject");
    assert!(
        subject.starts_with(&format!(
            "[OFFICIAL-SENSITIVE] PIS Addendum to {original}: {added} "
        )),
        "{subject}"
    );
    let first = parse_mail(&original_mail);
    let parent = header(&first.headers, "Message-ID").expect("id");
    assert_eq!(header(&parsed.headers, "In-Reply-To"), Some(parent));
    assert_eq!(header(&parsed.headers, "References"), Some(parent));
    let body = String::from_utf8_lossy(&added_mail).replace("=\r\n", "");
    assert!(body.contains(&format!("Addendum to: {original}")), "{body}");
    assert!(
        !body.contains("A Partnership Information Sharing submission has arrived"),
        "{body}"
    );

    // The inbox as a Maildir, the addendum's file first by name.
    let folder = tempfile::tempdir().expect("tempdir");
    let key = folder.path().join("my-key.txt");
    std::fs::write(&key, app.identities[0].to_string().expose_secret()).expect("key");
    let keys = app.get("/.well-known/pis-gateway/signing-keys").await;
    std::fs::write(folder.path().join("signing-keys.json"), keys.body).expect("keys saved");
    let maildir = folder.path().join("Maildir");
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(d)).expect("maildir");
    }
    std::fs::write(maildir.join("new/1.addendum"), &added_mail).expect("addendum");
    std::fs::write(maildir.join("new/2.report"), &original_mail).expect("report");
    let open = |input: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
            .args(["open", "--identity"])
            .arg(&key)
            .args(["--signer", "signing-keys.json"])
            .arg(input)
            .current_dir(folder.path())
            .output()
            .expect("open runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = open(&maildir);
    let report_at = shown
        .find(&format!("Reference  {original}"))
        .expect("the report");
    let added_at = shown
        .find(&format!("Reference  {added}"))
        .expect("the addendum");
    assert!(report_at < added_at, "the report first: {shown}");
    let addendum = &shown[added_at..];
    assert!(
        addendum.contains(&format!("Adds to {original}")),
        "{addendum}"
    );
    assert!(
        addendum.contains(&format!("Graded as the report it adds to {original}")),
        "{addendum}"
    );
    assert!(addendum.contains("Handling    C: "), "{addendum}");
    assert!(addendum.contains("(may identify the source"), "{addendum}");

    // Opened on its own: conditions until the report is read with it, never weaker.
    let alone = folder.path().join("addendum.eml");
    std::fs::write(&alone, &added_mail).expect("eml");
    let shown = open(&alone);
    assert!(shown.contains("Handling    C: "), "{shown}");
    assert!(
        shown.contains(&format!("Adds to a report not opened with it {original}")),
        "{shown}"
    );
}
