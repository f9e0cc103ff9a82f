//! `pis-gateway share` end to end: a community report over HTTPS is delivered to police
//! intelligence through a real SMTP server; the officer shares a restricted view with a MACE
//! route from the envelope in that email, with the real binary; the MACE email arrives through
//! the same server and the `age` CLI opens it, with the MACE inbox's key, to exactly what was
//! kept. Unsigned requests, other officers and non-MACE routes are refused.

use crate::delivery::{header, parse_mail};
use crate::helpers::*;
use crate::officer::officer_keygen;
use crate::process::{app_for, start, write_config_with};
use crate::smtp_server::{Received, SmtpServer, Tls};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const CANARY: &str = "CANARY-SHARE-garage-4Tq9-behind";

async fn cli(args: Vec<String>) -> Output {
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

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn age_keygen(path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["keygen", "--output"])
        .arg(path)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn age_decrypt(identity: &Path, sealed: &Path) -> Output {
    Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(sealed)
        .output()
        .expect("age runs")
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

/// The first message to `mailbox`, waiting for the outbox.
async fn mail_to(smtp: &SmtpServer, mailbox: &str) -> Received {
    for _ in 0..600 {
        if let Some(m) = smtp
            .received()
            .into_iter()
            .find(|m| m.rcpt_to.iter().any(|r| r == mailbox))
        {
            return m;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email to {mailbox}");
}

#[actix_web::test]
async fn an_officer_shares_a_restricted_view_with_mace_which_opens_only_what_was_kept() {
    if Command::new("age").arg("--version").output().is_err() {
        eprintln!("age CLI not installed; skipping");
        return;
    }
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let desk = tempfile::tempdir().expect("the officer's machine");
    let officer_key = desk.path().join("officer.pem");
    let officer_public = officer_keygen(&officer_key);
    let mace_officer_key = desk.path().join("mace-officer.pem");
    let mace_officer_public = officer_keygen(&mace_officer_key);
    let unit_identity = desk.path().join("unit.key");
    let unit_public = age_keygen(&unit_identity);
    let mace_identity = desk.path().join("mace.key");
    let mace_public = age_keygen(&mace_identity);

    let mail = format!(
        "transport = \"smtp\"\nsmtp_host = \"localhost\"\nsmtp_port = {}\nsmtp_ca_file = \"{}\"\nsmtp_timeout_secs = 5\nfrom = \"pis-gateway@gateway.example\"",
        smtp.port,
        SmtpServer::ca_file().display()
    );
    let delivery = "retry_initial_secs = 1\nretry_max_delay_secs = 2\npoll_interval_secs = 1";
    let config = write_config_with(dir.path(), &[unit_public], &mail, delivery);
    let toml = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        format!(
            "{toml}officers = [\"{officer_public}\"]\n\
             [[routes]]\nname = \"mace_harrogate\"\nmailbox = \"mace-harrogate@example.invalid\"\n\
             view = \"restricted\"\nrole = \"mace\"\nlocalities = [\"HARROGATE\"]\n\
             recipients = [\"{mace_public}\"]\nofficers = [\"{mace_officer_public}\"]\n\
             [[routes]]\nname = \"mace_scarborough\"\nmailbox = \"mace-scarborough@example.invalid\"\n\
             view = \"restricted\"\nrole = \"mace\"\nlocalities = [\"SCARBOROUGH\"]\n\
             recipients = [\"{mace_public}\"]\nofficers = [\"{mace_officer_public}\"]\n"
        ),
    )
    .expect("write");
    let gw = start(&config);
    let app = app_for(&gw, &dir);

    let mut answers = community_answers();
    answers["places"] = json!([
        {"street_or_landmark": "Flats behind the Co-op on Front Street", "town": "Acomb", "postcode": "yo24 3bz"},
        {"street_or_landmark": format!("The {CANARY} garage where I live"), "town": "Acomb"}
    ]);
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference").to_string();

    // The officer saves the envelope their email carried.
    let intel = mail_to(&smtp, "intel@example.invalid").await;
    let envelope = desk.path().join(format!("{reference}.age"));
    std::fs::write(
        &envelope,
        parse_mail(&intel.data).armored.expect("an envelope"),
    )
    .expect("write");

    let ca = repo().join("certs-example/ca.pem").display().to_string();
    let share = |key: &Path, route: &str, extra: &[&str]| {
        let mut args: Vec<String> = vec![
            "share".into(),
            "--identity".into(),
            unit_identity.display().to_string(),
            "--officer-key".into(),
            key.display().to_string(),
            "--reference".into(),
            reference.clone(),
            "--route".into(),
            route.into(),
            "--envelope".into(),
            envelope.display().to_string(),
            "--config".into(),
            config.display().to_string(),
            "--gateway".into(),
            format!("https://localhost:{}", gw.port),
            "--ca".into(),
            ca.clone(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };

    // Refused: a removal path that names nothing (nothing is sent), a route that is not MACE,
    // an officer who may not act on this submission.
    let out = cli(share(
        &officer_key,
        "mace_harrogate",
        &["--remove", "places[7]", "--yes"],
    ))
    .await;
    assert!(!out.status.success());
    assert!(text(&out).contains("places[7]"), "{}", text(&out));
    let out = cli(share(&officer_key, "police_intelligence", &["--yes"])).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("not_mace"), "{}", text(&out));
    let out = cli(share(&mace_officer_key, "mace_harrogate", &["--yes"])).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("HTTP 401"), "{}", text(&out));
    // Without --yes, a "no" sends nothing.
    let mut declined = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(share(
            &officer_key,
            "mace_harrogate",
            &["--remove", "places[1]"],
        ))
        .current_dir(repo())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    {
        use std::io::Write;
        declined
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"no\n")
            .expect("write");
    }
    let out = actix_web::rt::task::spawn_blocking(move || declined.wait_with_output())
        .await
        .expect("joined")
        .expect("ran");
    assert!(!out.status.success());
    assert!(text(&out).contains("Nothing was sent"), "{}", text(&out));

    // Unsigned: 401 before anything is read.
    let unsigned = app
        .client
        .post(app.url("/api/v1/officer/share"))
        .insert_header(("Content-Type", "application/json"))
        .send_body(
            json!({"reference": reference, "route": "mace_harrogate", "sealed": "YWdl"})
                .to_string(),
        )
        .await
        .expect("request")
        .status()
        .as_u16();
    assert_eq!(unsigned, 401);

    let out = cli(share(
        &officer_key,
        "mace_harrogate",
        &["--remove", "places[1]", "--yes"],
    ))
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("places[1]") && shown.contains("Taken out"),
        "{shown}"
    );
    assert!(
        shown.contains("Front Street"),
        "the kept answers are shown: {shown}"
    );
    assert!(!shown.contains(CANARY), "{shown}");

    let mace = mail_to(&smtp, "mace-harrogate@example.invalid").await;
    let parsed = parse_mail(&mace.data);
    assert!(header(&parsed.headers, "Subject").is_some());
    let text_of_mail = String::from_utf8_lossy(&mace.data)
        .replace("=\r\n", "")
        .replace("=\n", "");
    assert!(
        text_of_mail.contains("/ack/"),
        "its own link: {text_of_mail}"
    );
    let sealed = desk.path().join("mace.age");
    std::fs::write(&sealed, parsed.armored.expect("an envelope")).expect("write");
    // Police intelligence's key does not open MACE's copy; MACE's does.
    assert!(!age_decrypt(&unit_identity, &sealed).status.success());
    let opened = age_decrypt(&mace_identity, &sealed);
    assert!(opened.status.success(), "{}", text(&opened));
    let doc: Value = serde_json::from_slice(&opened.stdout).expect("JSON");
    assert_eq!(doc["reference"], reference.as_str());
    assert_eq!(doc["view"], "restricted");
    assert_eq!(doc["route"], "mace_harrogate");
    let officer_id = pis_gateway::signing::PublicKey::parse(&officer_public)
        .expect("key")
        .id();
    assert_eq!(doc["signature"]["key_id"], officer_id.as_str());
    assert_eq!(doc["shared_by"]["officer"], officer_id.as_str());
    assert!(doc.get("attachments").is_none());
    mace_opens_the_share_signed_and_refuses_a_forged_one(
        &app,
        &desk,
        &mace_identity,
        &mace_public,
        &sealed,
        &officer_id,
    )
    .await;
    let a = &doc["answers"];
    assert_eq!(a["what_happened"], community_answers()["what_happened"]);
    assert_eq!(a["places"].as_array().map(Vec::len), Some(1));
    assert_eq!(a["places"][0]["town"], "Acomb");
    for gone in ["how_know", "risk_to_you", "contact_ok"] {
        assert!(a.get(gone).is_none(), "{gone} is a suggested removal: {a}");
    }
    assert!(!String::from_utf8_lossy(&opened.stdout).contains(CANARY));

    // The canary is in no email and no spool or outbox file in the clear.
    for m in smtp.received() {
        assert!(!String::from_utf8_lossy(&m.data).contains(CANARY));
    }
    let mut files = Vec::new();
    files_under(dir.path(), &mut files);
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "{} holds the canary",
            f.display()
        );
    }

    // Once per route; the audit log names the route and the officer, nothing more.
    let out = cli(share(
        &officer_key,
        "mace_harrogate",
        &["--remove", "places[1]", "--yes"],
    ))
    .await;
    assert!(!out.status.success());
    assert!(text(&out).contains("already_on_route"), "{}", text(&out));

    // Once the officer has closed the case, it is shared with no other route either.
    let close = [
        "status",
        "--officer-key",
        &officer_key.display().to_string(),
        "--reference",
        &reference,
        "--gateway",
        &format!("https://localhost:{}", gw.port),
        "--ca",
        &ca,
        "--record",
        "closed",
    ]
    .map(String::from)
    .to_vec();
    let out = cli(close).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = cli(share(&officer_key, "mace_scarborough", &["--yes"])).await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains("HTTP 409") && text(&out).contains("workflow_closed"),
        "{}",
        text(&out)
    );
    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    let shared: Vec<(Option<String>, Option<String>, Option<String>)> = db
        .prepare("SELECT reference, route, code FROM audit WHERE event = 'shared_with_mace'")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(
        shared,
        [(
            Some(reference.clone()),
            Some("mace_harrogate".to_string()),
            Some(format!("officer={officer_id}"))
        )]
    );
    drop(gw);
}

/// MACE opens the share with `open --signer` (the gateway's published keys, officers'
/// included), without `--allow-unsigned`, and is told which officer shared it; a view sealed
/// to the same inbox and signed by a key the gateway does not publish, or not signed at all,
/// is refused.
async fn mace_opens_the_share_signed_and_refuses_a_forged_one(
    app: &TestApp,
    desk: &tempfile::TempDir,
    mace_identity: &Path,
    mace_public: &str,
    sealed: &Path,
    officer_id: &str,
) {
    let published = app.get("/.well-known/pis-gateway/signing-keys").await;
    assert_eq!(published.status, 200);
    let v: Value = serde_json::from_str(&published.body).expect("json");
    assert_eq!(v["officers"][0]["id"], officer_id, "{v}");
    assert_eq!(
        v["officers"].as_array().map(Vec::len),
        Some(1),
        "MACE officers may not share: {v}"
    );
    let signer = desk.path().join("signing-keys.json");
    std::fs::write(&signer, &published.body).expect("write");
    let open = |envelope: &Path| {
        vec![
            "open".to_string(),
            "--identity".into(),
            mace_identity.display().to_string(),
            "--signer".into(),
            signer.display().to_string(),
            envelope.display().to_string(),
        ]
    };
    let out = cli(open(sealed)).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("shared by officer key {officer_id}")),
        "{}",
        text(&out)
    );

    let recipient = pis_gateway::keys::parse_recipient(mace_public).expect("age recipient");
    let forger = pis_gateway::signing::SigningKey::generate();
    let view = json!({"reference": "PIS-AAAA-AAAA", "view": "restricted", "route": "mace_harrogate",
                      "form": "community", "answers": {"what_happened": "forged"}});
    let forged = pis_gateway::officer::signed_share::sign(view.clone(), &forger).expect("signed");
    for (why, plain) in [
        ("a key the gateway does not publish", forged.to_vec()),
        ("unsigned", serde_json::to_vec(&view).expect("json")),
    ] {
        let path = desk.path().join("forged.age");
        let sealed = pis_gateway::seal::encrypt_to(&plain, std::slice::from_ref(&recipient))
            .expect("sealed");
        std::fs::write(&path, sealed).expect("write");
        let out = cli(open(&path)).await;
        assert!(!out.status.success(), "{why}: {}", text(&out));
        assert!(text(&out).contains("refused"), "{why}: {}", text(&out));
        assert!(
            !text(&out).contains("forged\""),
            "{why}: shown: {}",
            text(&out)
        );
    }
}
