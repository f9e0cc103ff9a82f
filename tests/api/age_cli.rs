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

#[actix_web::test]
async fn pis_gateway_open_shows_the_report_in_each_format() {
    let app = spawn_app().await;
    let (reference, env_path, id_path) = one_envelope(&app).await;
    let bin = env!("CARGO_BIN_EXE_pis-gateway");
    let run = |format: &str| {
        let out = Command::new(bin)
            .args(["open", "--format", format, "--identity"])
            .arg(&id_path)
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
        .arg(&env_path)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{reference}.age")));
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
