//! The officer's side: envelopes open with `pis-gateway open` and with the reference `age` tool.

use crate::helpers::*;
use age::secrecy::ExposeSecret;
use serde_json::json;
use std::process::Command;

async fn one_envelope(app: &TestApp) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let (status, body) = app
        .post_json(&json!({"form": "professional", "answers": professional_answers()}))
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference").to_string();
    let envelope: Vec<u8> = app
        .db()
        .query_row(
            "SELECT body FROM envelopes WHERE submission = (SELECT id FROM submissions WHERE reference = ?1)",
            [&reference],
            |r| r.get(0),
        )
        .expect("envelope");
    let env_path = app.dir.path().join(format!("{reference}.age"));
    std::fs::write(&env_path, &envelope).expect("write envelope");
    let id_path = app.dir.path().join("officer.key");
    std::fs::write(
        &id_path,
        format!("{}\n", app.identities[0].to_string().expose_secret()),
    )
    .expect("write identity");
    (reference, env_path, id_path)
}

#[actix_web::test]
async fn the_reference_age_tool_decrypts_an_envelope() {
    let app = spawn_app().await;
    let (reference, env_path, id_path) = one_envelope(&app).await;
    let Ok(out) = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id_path)
        .arg(&env_path)
        .output()
    else {
        eprintln!(
            "SKIPPED: the `age` CLI is not installed (Debian package `age`; .ci/run installs it)"
        );
        return;
    };
    assert!(
        out.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["reference"], reference.as_str());
    assert_eq!(
        pis_gateway::signing::verify_document(&doc, &signer_keys()),
        Ok(signer().public().id()),
        "what age -d gives is the signed document itself"
    );
    assert_eq!(doc["answers"]["summary"], professional_answers()["summary"]);

    // And the armored form, as it will travel by email.
    let armored =
        pis_gateway::seal::armor(&std::fs::read(&env_path).expect("read")).expect("armor");
    let armored_path = app.dir.path().join("armored.age");
    std::fs::write(&armored_path, armored).expect("write");
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id_path)
        .arg(&armored_path)
        .output()
        .expect("age runs");
    assert!(out.status.success());
}

/// The gateway's published signing keys, saved as a reader would save them.
pub(crate) async fn published_keys(app: &TestApp) -> std::path::PathBuf {
    let page = app.get("/.well-known/pis-gateway/signing-keys").await;
    assert_eq!(page.status, 200);
    let v: serde_json::Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(v["keys"][0]["id"], signer().public().id());
    assert_eq!(v["keys"][0]["alg"], "Ed25519");
    assert_eq!(v["keys"][0]["current"], true);
    let path = app.dir.path().join("signing-keys.json");
    std::fs::write(&path, page.body).expect("write");
    path
}

#[actix_web::test]
async fn pis_gateway_open_shows_the_report_in_each_format() {
    let app = spawn_app().await;
    let (reference, env_path, id_path) = one_envelope(&app).await;
    let keys = published_keys(&app).await;
    let bin = env!("CARGO_BIN_EXE_pis-gateway");
    let run = |format: &str| {
        let out = Command::new(bin)
            .args(["open", "--format", format, "--identity"])
            .arg(&id_path)
            .arg("--signer")
            .arg(&keys)
            .arg(&env_path)
            .output()
            .expect("open runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    };
    let text = run("text");
    assert!(text.contains(&reference));
    assert!(
        text.contains(&format!(
            "signed by the gateway, key {}",
            signer().public().id()
        )),
        "{text}"
    );
    assert!(text.contains("Priority   ROUTINE"));
    assert!(
        text.contains("YX21 KCD"),
        "plates shown with their spacing: {text}"
    );
    assert!(text.contains("Person 2"), "{text}");
    assert!(text.contains("Pupil seen collecting packages"));
    let json_out: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    assert_eq!(json_out["reference"], reference.as_str());
    let html = run("html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("OFFICIAL-SENSITIVE"));

    // A wrong key is reported by file name and the exit code says so.
    let wrong = app.dir.path().join("wrong.key");
    std::fs::write(
        &wrong,
        format!(
            "{}\n",
            age::x25519::Identity::generate()
                .to_string()
                .expose_secret()
        ),
    )
    .expect("write");
    let out = Command::new(bin)
        .args(["open", "--identity"])
        .arg(&wrong)
        .arg("--signer")
        .arg(&keys)
        .arg(&env_path)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{reference}.age")));
}

#[actix_web::test]
async fn open_refuses_forged_and_unsigned_documents_by_name_unless_allowed() {
    let app = spawn_app().await;
    let (_, env_path, id_path) = one_envelope(&app).await;
    let keys = published_keys(&app).await;
    let bin = env!("CARGO_BIN_EXE_pis-gateway");
    let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(app.identities[0].clone())];
    let genuine: serde_json::Value = serde_json::from_slice(
        &pis_gateway::seal::decrypt(&std::fs::read(&env_path).expect("read"), &ids)
            .expect("decrypts"),
    )
    .expect("json");
    let route = pis_gateway::routing::Route {
        name: "police_intelligence".into(),
        mailbox: "x@example.invalid".into(),
        view: pis_gateway::routing::View::Full,
        role: pis_gateway::routing::Role::PoliceIntelligence,
        localities: vec![],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: Vec::new(),
        recipients: vec![app.identities[0].to_public()],
        officers: vec![],
    };
    let write = |name: &str, plain: &[u8]| {
        let path = app.dir.path().join(name);
        std::fs::write(
            &path,
            pis_gateway::seal::encrypt(plain, &route).expect("sealed"),
        )
        .expect("write");
        path
    };
    // Anyone can seal to an inbox's public key: a forger re-signs a changed document...
    let mut changed = genuine.as_object().cloned().expect("object");
    changed.insert("priority".into(), json!("ROUTINE"));
    changed.insert("reference".into(), json!("PIS-FAKE-0001"));
    let forged = write(
        "forged.age",
        &pis_gateway::signing::SigningKey::generate().sign_document(changed.clone()),
    );
    // ...or edits a genuine one and keeps its signature, or leaves it unsigned.
    let mut edited = genuine.clone();
    edited["answers"]["summary"] = json!("Nothing to see here");
    let tampered = write("tampered.age", &serde_json::to_vec(&edited).expect("json"));
    changed.remove("signature");
    let unsigned = write("unsigned.age", &serde_json::to_vec(&changed).expect("json"));
    let open = |extra: &[&str], path: &std::path::Path| {
        let out = Command::new(bin)
            .args(["open", "--identity"])
            .arg(&id_path)
            .args(extra)
            .arg(path)
            .output()
            .expect("runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let signer_arg = keys.to_str().expect("utf8 path");
    for (path, why) in [
        (&forged, "not among the trusted signing keys"),
        (&tampered, "does not match"),
        (&unsigned, "not signed by the gateway"),
    ] {
        let (ok, stdout, stderr) = open(&["--signer", signer_arg], path);
        assert!(!ok, "{} was shown: {stdout}", path.display());
        assert!(
            stderr.contains(&path.display().to_string()) && stderr.contains(why),
            "{stderr}"
        );
        assert!(!stdout.contains("Nothing to see here") && !stdout.contains("PIS-FAKE"));
    }
    let (ok, stdout, stderr) = open(&["--signer", signer_arg, "--allow-unsigned"], &unsigned);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("NOT VERIFIED: not signed by the gateway"),
        "{stdout}"
    );
    assert!(stderr.contains("unsigned.age"), "{stderr}");
    // The keys can come from the gateway's configuration instead.
    let config = app.dir.path().join("reader.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nsigning_key = \"{}\"\n",
            repo().join("certs-example/signing-key.pem").display()
        ),
    )
    .expect("config");
    let (ok, stdout, stderr) = open(&["--config", config.to_str().expect("utf8")], &env_path);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("signed by the gateway, key"), "{stdout}");
    // And with neither, open says what it needs.
    let (ok, _, stderr) = open(&[], &env_path);
    assert!(!ok && stderr.contains("--signer"), "{stderr}");
}

#[test]
fn keygen_signing_writes_a_private_key_and_prints_its_public_half() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("signing.pem");
    let bin = env!("CARGO_BIN_EXE_pis-gateway");
    let out = Command::new(bin)
        .args(["keygen", "--signing", "--output"])
        .arg(&path)
        .output()
        .expect("keygen runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).expect("utf8");
    let key = pis_gateway::signing::SigningKey::load(&path).expect("loads");
    assert_eq!(
        printed.trim(),
        format!(
            "signing key {} {}",
            key.public().id(),
            key.public().to_base64()
        )
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!printed.contains("PRIVATE"));
    let again = Command::new(bin)
        .args(["keygen", "--signing", "--output"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(!again.status.success(), "never overwrites a key");
}

#[test]
fn keygen_writes_an_identity_that_age_and_open_both_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inbox.key");
    let bin = env!("CARGO_BIN_EXE_pis-gateway");
    let out = Command::new(bin)
        .args(["keygen", "--output"])
        .arg(&path)
        .output()
        .expect("keygen runs");
    assert!(out.status.success());
    let public = String::from_utf8(out.stdout).expect("utf8");
    assert!(public.trim().starts_with("age1"));
    let again = Command::new(bin)
        .args(["keygen", "--output"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(!again.status.success(), "never overwrites an identity");
    if let Ok(out) = Command::new("age-keygen").arg("-y").arg(&path).output() {
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), public.trim());
    } else {
        eprintln!("SKIPPED part: `age-keygen` is not installed");
    }
}

/// A submission posted as a browser's script would, its police intelligence envelope saved
/// into `dir` as the inbox would keep it.
async fn envelope_into(
    app: &TestApp,
    dir: &std::path::Path,
    form: &str,
    answers: serde_json::Value,
) -> String {
    let (status, body) = app
        .post_json(&json!({"form": form, "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference").to_string();
    let envelope: Vec<u8> = app
        .db()
        .query_row(
            "SELECT body FROM envelopes WHERE route = 'police_intelligence' AND submission = (SELECT id FROM submissions WHERE reference = ?1)",
            [&reference],
            |r| r.get(0),
        )
        .expect("envelope");
    std::fs::write(dir.join(format!("{reference}.age")), &envelope).expect("write envelope");
    reference
}

fn run_open(args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .arg("open")
        .args(args)
        .output()
        .expect("open runs");
    (
        out.status.success(),
        String::from_utf8(out.stdout).expect("utf8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[actix_web::test]
async fn open_reports_a_professional_and_a_community_submission_from_a_folder_in_every_format() {
    let app = spawn_app().await;
    let inbox = app.dir.path().join("inbox");
    std::fs::create_dir(&inbox).expect("mkdir");
    let mut professional = professional_answers();
    professional["details"] = json!(
        "On three mornings a pupil was seen taking small packages from the driver of a grey car. \
         The driver has a knife in the car right now."
    );
    let pro = envelope_into(&app, &inbox, "professional", professional).await;
    let com = envelope_into(&app, &inbox, "community", community_answers()).await;
    let id_path = app.dir.path().join("intel.key");
    std::fs::write(
        &id_path,
        format!("{}\n", app.identities[1].to_string().expose_secret()),
    )
    .expect("write identity");
    let keys = published_keys(&app).await;
    let open = |format: &str| {
        let (ok, out, err) = run_open(&[
            "--format".as_ref(),
            format.as_ref(),
            "--identity".as_ref(),
            id_path.as_os_str(),
            "--signer".as_ref(),
            keys.as_os_str(),
            inbox.as_os_str(),
        ]);
        assert!(ok, "{format}: {err}");
        out
    };

    let text = open("text");
    let (first, second) = if text.find(&pro) < text.find(&com) {
        (&pro, &com)
    } else {
        (&com, &pro)
    };
    let split = text
        .find(&format!("Reference  {second}"))
        .expect("both reports");
    let (a, b) = text.split_at(split);
    let (pro_text, com_text) = if first == &pro { (a, b) } else { (b, a) };
    for fact in [
        "Priority   IMMEDIATE",
        "In the submitter's words: weapons involved now (narrative_weapons_now)",
        ">> “The driver has a knife in the car right now” <<",
        "Lay-by opposite the school gates, YO24 (near a school or college)",
        "Alleged     Pupil seen collecting packages from a car outside school",
        "Concern     Child criminal exploitation (CCE); County lines",
        "postcodes: YO24",
        "Children    Person 1: Jay, male, age about 14 (born 2012-04), looks 13 to 15",
        "Posing risk Person 2: name not given, known as Big T, Tee, Tall, grey tracksuit",
        "Vehicles    YX21 KCD, grey Ford car",
        "Phones      077009001?? (partial), whose: Person 2",
        "Online      Snapchat: tee_runs",
        "When        2026-11-02, morning (on or around a date)",
        "Reported    A safeguarding referral to children's social care (MAST)",
        "Provenance  C: Known indirectly to the source (suggested)",
        "from: Does any other information support this? Not sure",
        "Handling    C: Lawful sharing permitted with conditions",
        "from: Should this information only be shared in certain ways? Police only",
    ] {
        assert!(pro_text.contains(fact), "missing {fact:?} in\n{pro_text}");
    }
    for fact in [
        "Priority   ROUTINE",
        "Alleged     Young people are going in and out of the flat at all hours and some look frightened.",
        "Concern     Lots of people coming and going from a house",
        "area: City of York",
        "postcodes: YO24 3BZ",
        "Flats behind the Co-op on Front Street, Acomb",
        "When        2026-10 (it is still happening)",
        "Provenance  A: Known directly to the source (suggested)",
        "Handling    C:",
    ] {
        assert!(com_text.contains(fact), "missing {fact:?} in\n{com_text}");
    }
    assert!(!text.contains("(optional)"), "{text}");

    let html = open("html");
    assert_eq!(html.matches("<!DOCTYPE html>").count(), 2);
    assert!(
        html.contains("<mark>The driver has a knife in the car right now</mark>"),
        "{html}"
    );
    assert!(html.contains("<span class=grade>A</span> Known directly to the source"));
    assert!(html.contains("@page{size:A4"));

    let stream: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&open("json"))
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("one JSON report per document");
    assert_eq!(stream.len(), 2);
    for r in &stream {
        let grade = &r["suggested_grading"]["provenance"]["code"];
        if r["reference"] == pro.as_str() {
            assert_eq!(grade, "C");
            assert_eq!(r["first_screen"]["posing_risk"][0]["item"], "people[1]");
            assert_eq!(
                r["document"]["answers"]["summary"],
                professional_answers()["summary"]
            );
        } else {
            assert_eq!(r["reference"], com.as_str());
            assert_eq!(grade, "A");
        }
    }

    let intel: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&open("intel-json"))
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("one export per document");
    let pro_intel = intel
        .iter()
        .find(|r| r["reference"] == pro.as_str())
        .expect("professional export");
    assert_eq!(pro_intel["schema"], "pis-gateway/intel-report/v1");
    assert_eq!(pro_intel["signature"]["verified"], true);
    assert_eq!(
        pro_intel["entities"]["vehicles"][0]["registration"],
        "YX21KCD"
    );
    assert_eq!(pro_intel["entities"]["people"][0]["role"], "CHILD_AT_RISK");
    assert_eq!(pro_intel["grading"]["provenance"]["code"], "C");
    assert_eq!(pro_intel["grading"]["handling"]["code"], "C");
    assert_eq!(pro_intel["grading"]["status"], "suggested");

    // A folder with nothing to open is named, not passed over.
    let empty = app.dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let (ok, _, err) = run_open(&[
        "--identity".as_ref(),
        id_path.as_os_str(),
        "--signer".as_ref(),
        keys.as_os_str(),
        empty.as_os_str(),
    ]);
    assert!(!ok && err.contains("no age envelope in it"), "{err}");
}

#[actix_web::test]
async fn open_neutralises_hostile_content_in_every_format_end_to_end() {
    // The gateway strips controls at intake, so hostile bytes reach `open` only in a document
    // sealed by someone else to the inbox's public key: shown with --allow-unsigned, never obeyed.
    let app = spawn_app().await;
    let evil = "<img src=x onerror=alert(1)>\u{1b}[2J\u{1b}]0;owned\u{7}\rPriority   ROUTINE\u{202e}gnp.exe";
    let mut answers = professional_answers();
    answers["summary"] = json!(evil);
    answers["people"][0]["forename"] = json!(evil);
    let doc = json!({
        "schema": "pis-gateway/submission/v1", "marking": "OFFICIAL-SENSITIVE",
        "reference": "PIS-HOST-1LE0", "priority": "IMMEDIATE", "reason_codes": ["gate_danger_now"],
        "received_at": "2026-11-23T19:00:00Z", "form": "professional", "form_version": 2,
        "route": "police_intelligence", "view": "full", "answers": answers
    });
    let route = pis_gateway::routing::Route {
        name: "police_intelligence".into(),
        mailbox: "x@example.invalid".into(),
        view: pis_gateway::routing::View::Full,
        role: pis_gateway::routing::Role::PoliceIntelligence,
        localities: vec![],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: Vec::new(),
        recipients: vec![app.identities[0].to_public()],
        officers: vec![],
    };
    let path = app.dir.path().join("hostile.age");
    std::fs::write(
        &path,
        pis_gateway::seal::encrypt(&serde_json::to_vec(&doc).expect("json"), &route)
            .expect("sealed"),
    )
    .expect("write");
    let id_path = app.dir.path().join("officer.key");
    std::fs::write(
        &id_path,
        format!("{}\n", app.identities[0].to_string().expose_secret()),
    )
    .expect("write identity");
    for format in ["text", "html", "json", "intel-json"] {
        let (ok, out, err) = run_open(&[
            "--format".as_ref(),
            format.as_ref(),
            "--identity".as_ref(),
            id_path.as_os_str(),
            "--allow-unsigned".as_ref(),
            path.as_os_str(),
        ]);
        assert!(ok, "{format}: {err}");
        assert!(
            !out.chars()
                .any(|c| (c.is_control() && c != '\n' && c != '\t')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{format}: {out:?}"
        );
        assert!(
            format == "text" || !out.contains("<img src=x"),
            "{format}: {out}"
        );
        if format == "text" {
            assert_eq!(
                out.lines().filter(|l| l.starts_with("Priority")).count(),
                1,
                "{out}"
            );
            assert!(out.contains("NOT VERIFIED"), "{out}");
        }
        if format.ends_with("json") {
            let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            let kept = if format == "json" {
                &v["document"]["answers"]["people"][0]["forename"]
            } else {
                &v["entities"]["people"][0]["forename"]
            };
            assert_eq!(kept, evil, "{format}: the value itself is kept");
        }
    }
}
