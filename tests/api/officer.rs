//! Officer keys: `keygen --officer`, `officers = [...]` on routes, `check-config`, and the public
//! route directory the officer commands read.

use crate::helpers::*;
use crate::process::{keys, write_config_with};
use std::path::Path;
use std::process::Command;

fn gateway_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("runs")
}

/// `keygen --officer --output path`, as an officer runs it: the public key it prints.
pub(crate) fn officer_keygen(path: &Path) -> String {
    let out = gateway_cli(&[
        "keygen",
        "--officer",
        "--output",
        &path.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

#[actix_web::test]
async fn an_officer_key_from_keygen_is_taken_by_check_config_and_listed_in_the_route_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_path = dir.path().join("officer.pem");
    let public = officer_keygen(&key_path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the private key is for its owner only");
    }
    let parsed = pis_gateway::signing::PublicKey::parse(&public).expect("a public key");
    let loaded = pis_gateway::signing::SigningKey::load(&key_path).expect("a private key");
    assert_eq!(loaded.public(), &parsed, "the printed key is the file's");
    let again = gateway_cli(&[
        "keygen",
        "--officer",
        "--output",
        &key_path.display().to_string(),
    ]);
    assert!(
        !again.status.success(),
        "an existing key is never overwritten"
    );
    assert_eq!(
        pis_gateway::signing::SigningKey::load(&key_path)
            .expect("still there")
            .public(),
        &parsed
    );
    let printed = gateway_cli(&["keygen", "--officer"]);
    assert!(!printed.status.success(), "a private key is never printed");

    // The printed form is what a route's `officers` takes.
    let (_, recipients) = keys();
    let config = write_config_with(dir.path(), &recipients, "", "");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}officers = [\"{public}\"]\n")).expect("write");
    let ok = gateway_cli(&["check-config", "--config", &config.display().to_string()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains(&format!(
            "officer key {} on route police_intelligence",
            parsed.id()
        )),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let truncated = &public[..public.len() - 8];
    std::fs::write(
        &config,
        format!("{text}officers = [\"{public}\", \"{truncated}\"]\n"),
    )
    .expect("write");
    let bad = gateway_cli(&["check-config", "--config", &config.display().to_string()]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("routes[0].officers[1]"), "{err}");
    assert!(
        !err.contains(truncated),
        "a key's value was printed:\n{err}"
    );

    let app = spawn_app_with(|s| s.routes[0].officers = vec![public.clone()]).await;
    let page = app.get("/api/v1/routes").await;
    assert_eq!(page.status, 200);
    let dir: serde_json::Value = serde_json::from_str(&page.body).expect("json");
    let routes = dir["routes"].as_array().expect("routes");
    assert_eq!(routes.len(), 2);
    let police = &routes[0];
    assert_eq!(police["name"], "police_intelligence");
    assert_eq!(police["role"], "police_intelligence");
    assert_eq!(police["view"], "full");
    assert_eq!(police["officers"], serde_json::json!([parsed.id()]));
    let listed: Vec<String> = app
        .identities
        .iter()
        .map(|i| i.to_public().to_string())
        .collect();
    assert_eq!(police["recipients"], serde_json::json!(listed));
    assert_eq!(routes[1]["officers"], serde_json::json!([]));
    assert!(
        !page.body.contains("example.invalid"),
        "mailboxes are not published: {}",
        page.body
    );
}
