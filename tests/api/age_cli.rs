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
pub async fn published_keys(app: &TestApp) -> std::path::PathBuf {
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
