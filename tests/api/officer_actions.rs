//! Officer actions over HTTPS with the real command line: replies sealed on the officer's
//! machine, case statuses, and every kind of bad signed request refused and audited.

use crate::helpers::*;
use crate::officer::officer_keygen;
use crate::process::{start, write_config_with};
use age::secrecy::ExposeSecret;
use pis_gateway::ack::AckKind;
use pis_gateway::http::clock::Time;
use pis_gateway::officer::request::{authorization, RequestParts};
use pis_gateway::reference::Reference;
use pis_gateway::signing::{PublicKey, SigningKey};
use pis_gateway::spool::{FollowUpKey, NewEnvelope, NewSubmission, View};
use pis_gateway::triage::Priority;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

const STATUS: &str = "/api/v1/officer/status";

/// Runs the real binary (off the test's runtime, which may be serving the gateway).
pub(crate) async fn cli(args: Vec<String>) -> Output {
    actix_web::rt::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
            .args(&args)
            .current_dir(repo())
            .output()
            .expect("runs")
    })
    .await
    .expect("joined")
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The officer's flags for `reply` and `status`.
pub(crate) fn target(key: &Path, reference: &Reference, port: u16) -> Vec<String> {
    vec![
        "--officer-key".into(),
        key.display().to_string(),
        "--reference".into(),
        reference.to_string(),
        "--gateway".into(),
        format!("https://localhost:{port}"),
        "--ca".into(),
        repo().join("certs-example/ca.pem").display().to_string(),
    ]
}

async fn status_cli(key: &Path, reference: &Reference, port: u16, status: &str) -> Output {
    let mut args = vec!["status".to_string()];
    args.extend(target(key, reference, port));
    args.extend(["--set".to_string(), status.to_string()]);
    cli(args).await
}

/// A submission to police intelligence whose submitter took a follow-up code, committed to the
/// spool in `spool_dir` before the gateway starts, and one without a code. The follow-up key
/// is an age key pair here, as the code's derivation gives one.
pub(crate) async fn seed(spool_dir: &Path, submitter: &str) -> (Reference, Reference) {
    let mut settings = pis_gateway::config::Settings::default().spool;
    settings.dir = spool_dir.to_path_buf();
    let spool = pis_gateway::spool::open(&settings).await.expect("spool");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut out = Vec::new();
    for (i, follow_up) in [true, false].into_iter().enumerate() {
        let (number, reference) = spool.next_reference().expect("a reference");
        let submission = NewSubmission {
            number,
            reference: reference.clone(),
            received_at: "2026-12-01T10:00:00Z".into(),
            received_unix: now,
            form_id: "community".into(),
            form_version: 1,
            priority: Priority::Routine,
            reason_codes: vec![],
            token_hash: None,
            ack_deadline: None,
            envelopes: vec![NewEnvelope {
                route: "police_intelligence".into(),
                mailbox: "intel@example.invalid".into(),
                view: View::Full,
                body: Some(b"age-encryption.org/v1\nnot read by these tests".to_vec()),
                notice: None,
                ack: AckKind::Acknowledge,
                attachments: vec![],
            }],
            follow_up: follow_up.then(|| FollowUpKey {
                lookup_id: [i as u8 + 1; 32],
                recipient: submitter.to_string(),
            }),
            follow_up_notice: None,
        };
        spool.commit(submission).await.expect("committed");
        out.push(reference);
    }
    (out[0].clone(), out[1].clone())
}

/// An age identity made by `pis-gateway keygen`, as an inbox owner makes one; its public key.
fn age_keygen(path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["keygen", "--output"])
        .arg(path)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn age_available() -> bool {
    Command::new("age").arg("--version").output().is_ok()
}

fn age_decrypt(identity: &Path, sealed: &Path) -> Vec<u8> {
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(sealed)
        .output()
        .expect("age runs");
    assert!(out.status.success(), "age -d: {}", text(&out));
    out.stdout
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[actix_web::test]
async fn an_officer_replies_and_sets_the_status_from_the_command_line_and_only_sealed_bytes_reach_the_gateway(
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let officer_dir = tempfile::tempdir().expect("the officer's machine");
    let officer_key = officer_dir.path().join("officer.pem");
    let officer_public = officer_keygen(&officer_key);
    let officer_id = PublicKey::parse(&officer_public).expect("key").id();
    let unit_identity = officer_dir.path().join("unit.key");
    let unit_public = age_keygen(&unit_identity);
    let colleague = age::x25519::Identity::generate();
    let submitter = age::x25519::Identity::generate();
    let submitter_file = officer_dir.path().join("submitter.key");
    std::fs::write(
        &submitter_file,
        format!("{}\n", submitter.to_string().expose_secret()),
    )
    .expect("write");
    let (reference, no_code) = seed(
        &dir.path().join("spool"),
        &submitter.to_public().to_string(),
    )
    .await;

    let recipients = vec![unit_public, colleague.to_public().to_string()];
    let config = write_config_with(dir.path(), &recipients, "", "");
    let toml = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        format!("{toml}officers = [\"{officer_public}\"]\n"),
    )
    .expect("write");
    let gw = start(&config);

    let canary = "CANARY-REPLY-flat-9b-7Qx2";
    let message = officer_dir.path().join("reply.txt");
    std::fs::write(
        &message,
        format!("Thank you. Which flat was it? ({canary})\n"),
    )
    .expect("write");
    let mut args = vec![
        "reply".to_string(),
        "--identity".into(),
        unit_identity.display().to_string(),
        "--message".into(),
        message.display().to_string(),
    ];
    args.extend(target(&officer_key, &reference, gw.port));
    let out = cli(args.clone()).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{reference}: reply 1 stored")),
        "{}",
        text(&out)
    );

    // An identity that is not among the route's recipients cannot confirm the unit's copy:
    // nothing is sent.
    let mut wrong = args.clone();
    wrong[2] = submitter_file.display().to_string();
    let out = cli(wrong).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("nothing was sent"), "{}", text(&out));

    // No code taken: no one to reply to, and the officer is told so.
    let mut none = args.clone();
    let at = none.iter().position(|a| a == "--reference").expect("flag") + 1;
    none[at] = no_code.to_string();
    let out = cli(none).await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains("did not take a follow-up code"),
        "{}",
        text(&out)
    );

    let out = status_cli(&officer_key, &reference, gw.port, "being_looked_at").await;
    assert!(out.status.success(), "{}", text(&out));
    // `status` straight after, with no workflow step recorded, shows what was set.
    let mut history = vec!["status".to_string()];
    history.extend(target(&officer_key, &reference, gw.port));
    let out = cli(history).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("status the submitter sees: being_looked_at (set "),
        "{}",
        text(&out)
    );
    let out = status_cli(&officer_key, &reference, gw.port, "sideways").await;
    assert!(!out.status.success(), "an unknown status is refused");

    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    let sealed: Vec<Vec<u8>> = db
        .prepare("SELECT m.body FROM follow_up_messages m JOIN submissions s ON s.id = m.submission WHERE s.reference = ?1 ORDER BY m.n")
        .expect("sql")
        .query_map([reference.as_str()], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(sealed.len(), 1, "one reply stored");
    let status: String = db
        .query_row(
            "SELECT f.status FROM follow_ups f JOIN submissions s ON s.id = f.submission WHERE s.reference = ?1",
            [reference.as_str()],
            |r| r.get(0),
        )
        .expect("status");
    assert_eq!(status, "being_looked_at");
    let audited: Vec<(String, Option<String>)> = db
        .prepare("SELECT event, route FROM audit WHERE event IN ('follow_up_reply', 'follow_up_status') ORDER BY seq")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        audited,
        vec![
            ("follow_up_reply".to_string(), Some(officer_id.clone())),
            ("follow_up_status".to_string(), Some(officer_id.clone())),
        ]
    );

    // The reply opens for the unit and for the submitter, and for no one else.
    let expected = format!("Thank you. Which flat was it? ({canary})\n");
    let ids =
        |i: &age::x25519::Identity| -> Vec<Box<dyn age::Identity>> { vec![Box::new(i.clone())] };
    for who in [&colleague, &submitter] {
        let plain = pis_gateway::seal::decrypt(&sealed[0], &ids(who)).expect("opens");
        assert_eq!(plain.as_slice(), expected.as_bytes());
    }
    assert!(
        pis_gateway::seal::decrypt(&sealed[0], &ids(&age::x25519::Identity::generate())).is_err()
    );
    if age_available() {
        let file = officer_dir.path().join("reply.age");
        std::fs::write(&file, &sealed[0]).expect("write");
        assert_eq!(age_decrypt(&unit_identity, &file), expected.as_bytes());
        assert_eq!(age_decrypt(&submitter_file, &file), expected.as_bytes());
    } else {
        eprintln!("SKIPPED: age -d (the `age` CLI is not installed; .ci/run installs it)");
    }

    // The gateway never had the reply in the clear: not in the spool, its journal, the
    // outbox or the log.
    drop(db);
    let mut files = Vec::new();
    files_under(dir.path(), &mut files);
    assert!(files.iter().any(|f| f.ends_with("spool.sqlite3")));
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{} holds the reply in the clear",
            f.display()
        );
    }
    let log = gw.log.lock().expect("log").join("\n");
    assert!(log.contains("officer reply stored"), "{log}");
    assert!(!log.contains(canary), "the log holds the reply");
}

#[actix_web::test]
async fn unsigned_forged_foreign_replayed_and_stale_officer_requests_are_each_refused_with_401_and_only_verified_ones_audited(
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = tempfile::tempdir().expect("the officers' machines");
    let intel = keys.path().join("intel.pem");
    let control = keys.path().join("control.pem");
    let stranger = keys.path().join("stranger.pem");
    let intel_public = officer_keygen(&intel);
    let control_public = officer_keygen(&control);
    officer_keygen(&stranger);
    let id = |p: &Path| SigningKey::load(p).expect("key").public().id();
    let submitter = age::x25519::Identity::generate();
    let (reference, no_code) = seed(
        &dir.path().join("spool"),
        &submitter.to_public().to_string(),
    )
    .await;
    let start_unix = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let clock = Arc::new(pis_gateway::http::clock::ManualTime::new(start_unix));
    let spool_dir = dir.path().join("spool");
    let outbox = dir.path().join("outbox");
    let app = spawn_app_with_clock(
        |s| {
            s.spool.dir = spool_dir;
            s.mail.file_dir = outbox;
            s.routes[0].officers = vec![intel_public.clone()];
            s.routes[1].officers = vec![control_public.clone()];
        },
        pis_gateway::http::clock::Clock::new(clock.clone()),
    )
    .await;
    let body = |status: &str| {
        serde_json::to_vec(&serde_json::json!({"reference": reference.as_str(), "status": status}))
            .expect("json")
    };
    let signed_for = |path: &str, key: &Path, body: &[u8], ts: u64| {
        authorization(
            &SigningKey::load(key).expect("key"),
            &RequestParts {
                method: "POST",
                host: "localhost",
                path,
                query: "",
                body,
            },
            ts as i64,
        )
    };
    let signed = |key: &Path, body: &[u8], ts: u64| signed_for(STATUS, key, body, ts);
    let post = |body: Vec<u8>, header: Option<String>| {
        let headers: Vec<(&str, String)> =
            header.into_iter().map(|h| ("Authorization", h)).collect();
        let app = &app;
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_raw(STATUS, "application/json", body, &h).await
        }
    };
    let code = |page: &Page| -> String {
        let v: serde_json::Value = serde_json::from_str(&page.body).unwrap_or_default();
        v["errors"][0]["code"].as_str().unwrap_or("").to_string()
    };

    // A good request sets the status; the same bytes again are a replay.
    let good = body("being_looked_at");
    let header = signed(&intel, &good, clock.unix());
    let page = post(good.clone(), Some(header.clone())).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let replay = post(good.clone(), Some(header)).await;
    assert_eq!(
        (replay.status, code(&replay)),
        (401, "replayed_nonce".into()),
        "{}",
        replay.body
    );

    let closed = body("closed");
    let unsigned = post(closed.clone(), None).await;
    assert_eq!((unsigned.status, code(&unsigned)), (401, "unsigned".into()));
    let forged = post(closed.clone(), Some(signed(&intel, &good, clock.unix()))).await;
    assert_eq!(
        (forged.status, code(&forged)),
        (401, "bad_signature".into())
    );
    let garbled = post(closed.clone(), Some("PISG-Ed25519 key=nonsense".into())).await;
    assert_eq!(
        (garbled.status, code(&garbled)),
        (401, "malformed_signature".into())
    );

    // Through the real command line: an officer of another route, a key on no route, and a
    // request signed an hour before the gateway's clock (the command line signs with this
    // machine's time).
    let out = status_cli(&control, &reference, app.port, "closed").await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains("401") && text(&out).contains("not_on_route"),
        "{}",
        text(&out)
    );
    let out = status_cli(&stranger, &reference, app.port, "closed").await;
    assert!(
        text(&out).contains("401") && text(&out).contains("unknown_key"),
        "{}",
        text(&out)
    );
    clock.advance(std::time::Duration::from_secs(3600));
    let out = status_cli(&intel, &reference, app.port, "closed").await;
    assert!(
        text(&out).contains("401") && text(&out).contains("stale_timestamp"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("clock"), "{}", text(&out));

    // Signed, fresh, permitted, but wrong: field-level 4xx, and nothing changed.
    let bad = body("sideways");
    let page = post(bad.clone(), Some(signed(&intel, &bad, clock.unix()))).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let v: serde_json::Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(v["errors"][0]["field"], "status");
    assert!(!page.body.contains("sideways"), "the value is not echoed");
    let none =
        serde_json::to_vec(&serde_json::json!({"reference": no_code.as_str(), "status": "closed"}))
            .expect("json");
    let page = post(none.clone(), Some(signed(&intel, &none, clock.unix()))).await;
    assert_eq!(page.status, 404, "{}", page.body);

    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    let status: String = db
        .query_row(
            "SELECT f.status FROM follow_ups f JOIN submissions s ON s.id = f.submission WHERE s.reference = ?1",
            [reference.as_str()],
            |r| r.get(0),
        )
        .expect("status");
    assert_eq!(
        status, "being_looked_at",
        "no refused request changed anything"
    );
    let refused: Vec<(Option<String>, String)> = db
        .prepare(
            "SELECT route, code FROM audit WHERE event = 'officer_request_refused' ORDER BY seq",
        )
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    // Signed replies with bodies the gateway will not take: 422, naming the field.
    let reply_path = "/api/v1/officer/reply";
    let r = reference.as_str();
    for (why, body, field) in [
        (
            "not base64",
            serde_json::json!({"reference": r, "sealed": "!!"}),
            "sealed",
        ),
        (
            "armored, not binary age",
            serde_json::json!({"reference": r, "sealed": "LS0tLS1CRUdJTiBBR0U="}),
            "sealed",
        ),
        ("no sealed", serde_json::json!({"reference": r}), "sealed"),
        (
            "an extra field",
            serde_json::json!({"reference": r, "sealed": "YWdl", "text": "hello"}),
            "text",
        ),
        (
            "not a reference",
            serde_json::json!({"reference": "PIS-NOPE", "sealed": "YWdl"}),
            "reference",
        ),
        (
            "a number",
            serde_json::json!({"reference": 5, "sealed": "YWdl"}),
            "reference",
        ),
    ] {
        let bytes = serde_json::to_vec(&body).expect("json");
        let header = signed_for(reply_path, &intel, &bytes, clock.unix());
        let page = app
            .post_raw(
                reply_path,
                "application/json",
                bytes,
                &[("Authorization", &header)],
            )
            .await;
        assert_eq!(page.status, 422, "{why}: {}", page.body);
        let v: serde_json::Value = serde_json::from_str(&page.body).expect("json");
        assert!(
            v["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .any(|e| e["field"] == field),
            "{why}: {}",
            page.body
        );
    }
    let messages: i64 = db
        .query_row("SELECT COUNT(*) FROM follow_up_messages", [], |r| r.get(0))
        .expect("count");
    assert_eq!(messages, 0);

    let metrics = app.admin_get("/metrics").await.body;
    assert!(
        metrics.contains("pisg_officer_refused_total{reason=\"unsigned\"} 1"),
        "{metrics}"
    );
    // Refusals whose signature never verified are counted, not audited.
    for reason in [
        "unsigned",
        "bad_signature",
        "malformed_signature",
        "unknown_key",
    ] {
        assert!(
            metrics.contains(&format!(
                "pisg_officer_unverified_total{{reason=\"{reason}\"}} 1"
            )),
            "{reason}: {metrics}"
        );
    }
    assert!(
        !metrics.contains("pisg_officer_unverified_total{reason=\"replayed_nonce\"}"),
        "{metrics}"
    );
    let path = format!(" {STATUS}");
    assert_eq!(
        refused,
        vec![
            (Some(id(&intel)), format!("replayed_nonce{path}")),
            (Some(id(&control)), format!("not_on_route{path}")),
            (Some(id(&intel)), format!("stale_timestamp{path}")),
        ]
    );
}

/// The community form sent from its check page with a follow-up code, as a browser sends it;
/// the reference and the code the confirmation page shows.
async fn report_with_code(app: &TestApp) -> (Reference, String) {
    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&community_answers());
    for (k, v) in [
        ("_token", token.as_str()),
        ("_step", "check"),
        ("_follow_up", "yes"),
        ("_action", "submit"),
    ] {
        fields.push((k.into(), v.into()));
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = app.post_form("community", &borrowed).await;
    assert_eq!(page.status, 200);
    let reference = extract_reference(&page.body).expect("a reference");
    let marker = "id=\"follow-up-code\">";
    let start = page.body.find(marker).expect("a code is shown") + marker.len();
    let end = page.body[start..].find('<').expect("end") + start;
    (
        Reference::parse(&reference).expect("reference"),
        page.body[start..end].trim().to_string(),
    )
}

#[actix_web::test]
async fn a_reply_sent_with_the_command_line_is_read_by_the_submitter_with_their_code_and_opens_with_age(
) {
    let officer = tempfile::tempdir().expect("the officer's machine");
    let officer_key = officer.path().join("officer.pem");
    let officer_public = officer_keygen(&officer_key);
    let unit_identity = officer.path().join("unit.key");
    let unit_public = age_keygen(&unit_identity);
    let colleague = age::x25519::Identity::generate().to_public().to_string();
    let app = spawn_app_with(|s| {
        s.routes[0].recipients = vec![unit_public.clone(), colleague.clone()];
        s.routes[0].officers = vec![officer_public.clone()];
    })
    .await;
    let (reference, code) = report_with_code(&app).await;

    let canary = "canary-cli-reply-3d9a";
    let words = format!("Thank you for telling us. Is the car there most evenings? {canary}");
    let message = officer.path().join("reply.txt");
    std::fs::write(&message, &words).expect("write");
    let mut args = vec![
        "reply".to_string(),
        "--identity".into(),
        unit_identity.display().to_string(),
        "--message".into(),
        message.display().to_string(),
    ];
    args.extend(target(&officer_key, &reference, app.port));
    let out = cli(args).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = status_cli(&officer_key, &reference, app.port, "passed_to_team").await;
    assert!(out.status.success(), "{}", text(&out));

    // The submitter reads it on /follow-up with the code.
    let page = app.get("/follow-up").await;
    let token = extract_token(&page.body).expect("token");
    let fields = [
        ("_token", token.as_str()),
        ("code", code.as_str()),
        ("_action", "open"),
    ];
    let page = app
        .post_raw(
            "/follow-up",
            "application/x-www-form-urlencoded",
            serde_urlencoded::to_string(fields)
                .expect("encode")
                .into_bytes(),
            &[
                ("Origin", &format!("https://localhost:{}", app.port)),
                ("Sec-Fetch-Site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&words), "{}", page.body);
    assert!(
        page.body.contains("Passed to the right team"),
        "{}",
        page.body
    );

    // What is stored opens with `age -d` for the unit and for the identity the code derives.
    let spool = pis_gateway::spool::sqlite::SqliteSpool::open(&app.dir.path().join("spool"))
        .expect("spool");
    use pis_gateway::spool::prelude::*;
    let stored = spool.messages(&reference).await.expect("read");
    assert_eq!(stored.len(), 1);
    let pepper = spool
        .secret(
            pis_gateway::follow_up::keys::PEPPER_SECRET,
            pis_gateway::follow_up::keys::PEPPER_LEN,
        )
        .await
        .expect("pepper");
    let derived =
        pis_gateway::follow_up::Deriver::new(pepper, pis_gateway::follow_up::Cost::default(), 1)
            .derive_now(&pis_gateway::follow_up::FollowUpCode::parse(&code).expect("code"))
            .expect("derived");
    let submitter_file = officer.path().join("submitter.key");
    std::fs::write(
        &submitter_file,
        format!("{}\n", derived.identity().to_string().expose_secret()),
    )
    .expect("write");
    let sealed = officer.path().join("reply.age");
    std::fs::write(&sealed, &stored[0].sealed).expect("write");
    if age_available() {
        assert_eq!(age_decrypt(&unit_identity, &sealed), words.as_bytes());
        assert_eq!(age_decrypt(&submitter_file, &sealed), words.as_bytes());
    } else {
        let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(derived.identity().clone())];
        let plain = pis_gateway::seal::decrypt(&stored[0].sealed, &ids).expect("opens");
        assert_eq!(plain.as_slice(), words.as_bytes());
        eprintln!("SKIPPED: age -d (the `age` CLI is not installed; .ci/run installs it)");
    }
    let mut files = Vec::new();
    files_under(app.dir.path(), &mut files);
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{} holds the reply in the clear",
            f.display()
        );
    }
}
