//! Partner agencies: a bearer token per agency, named in the sealed document, with its own
//! quota; a wrong token is a 401, and no token stays the public's way in.

use crate::helpers::*;
use serde_json::json;
use std::process::Command;

fn partner_cli(config: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["partner", "--config"])
        .arg(config)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Adds an active partner agency through the CLI, as an operator does, and returns its token.
pub(crate) fn add_partner(config: &std::path::Path, name: &str) -> String {
    let (ok, token, stderr) = partner_cli(config, &["add", name]);
    assert!(ok, "{stderr}");
    token.trim().to_string()
}

#[actix_web::test]
async fn a_partner_token_names_the_agency_in_the_sealed_document_has_its_own_quota_and_can_be_revoked(
) {
    let app = spawn_app_with(|s| {
        s.limits.partner_submissions_per_minute = 1;
        s.limits.partner_submission_burst = 2;
    })
    .await;
    let config = app.dir.path().join("operator.toml");
    std::fs::write(
        &config,
        format!(
            "[spool]\ndir = \"{}\"\n",
            app.dir.path().join("spool").display()
        ),
    )
    .expect("config");
    let (ok, token, stderr) = partner_cli(&config, &["add", "nycc-social-care"]);
    assert!(ok, "{stderr}");
    let token = token.trim().to_string();
    assert!(token.starts_with("pisg_") && token.len() == 48, "{token}");
    let (ok, _, _) = partner_cli(&config, &["add", "nycc-social-care"]);
    assert!(!ok, "an active partner's token is never replaced silently");
    let (ok, _, _) = partner_cli(&config, &["add", "Not A Name"]);
    assert!(!ok);

    let body = serde_json::to_vec(&json!({"form": "community", "answers": community_answers()}))
        .expect("json");
    let send = |auth: Option<String>| {
        let body = body.clone();
        let app = &app;
        async move {
            let mut req = app
                .client
                .post(app.url("/api/v1/submissions"))
                .insert_header(("Content-Type", "application/json"));
            if let Some(a) = auth {
                req = req.insert_header(("Authorization", a));
            }
            let mut res = req.send_body(body).await.expect("POST");
            let text = res.body().await.expect("body");
            let header = |h: &str| {
                res.headers()
                    .get(h)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            (
                res.status().as_u16(),
                serde_json::from_slice::<serde_json::Value>(&text).unwrap_or_default(),
                header("WWW-Authenticate"),
                header("Retry-After"),
            )
        }
    };

    let (status, receipt, _, _) = send(Some(format!("Bearer {token}"))).await;
    assert_eq!(status, 201, "{receipt}");
    let reference = receipt["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let doc = app.open(&reference);
    assert_eq!(doc["submitted_via"], json!({"agency": "nycc-social-care"}));
    assert!(
        pis_gateway::signing::verify_document(&doc, &signer_keys()).is_ok(),
        "the agency is under the gateway's signature"
    );

    let before = app.count();
    let mut forged = token.clone();
    forged.replace_range(10..11, if &token[10..11] == "A" { "B" } else { "A" });
    for bad in [
        format!("Bearer {forged}"),
        "Bearer not-a-token".to_string(),
        format!("Basic {token}"),
    ] {
        let (status, body, challenge, _) = send(Some(bad.clone())).await;
        assert_eq!(status, 401, "{bad}: {body}");
        assert_eq!(body["errors"][0]["code"], "invalid_token");
        assert!(challenge.is_some_and(|c| c.starts_with("Bearer")));
    }
    assert_eq!(app.count(), before, "nothing stored for a wrong token");

    // The public, without a token, as before.
    let (status, receipt, _, _) = send(None).await;
    assert_eq!(status, 201);
    let public = app.open(receipt["reference"].as_str().expect("reference"));
    assert!(public.get("submitted_via").is_none());

    // Its own quota: a burst of two, then 429 with Retry-After, while the public goes on.
    let (status, _, _, _) = send(Some(format!("Bearer {token}"))).await;
    assert_eq!(status, 201);
    let (status, body, _, retry) = send(Some(format!("Bearer {token}"))).await;
    assert_eq!(status, 429, "{body}");
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)));
    assert_eq!(send(None).await.0, 201);

    // Only the hash is kept.
    let (stored, hash): (String, Vec<u8>) = app
        .db()
        .query_row("SELECT name, token_hash FROM partners", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("row");
    assert_eq!(stored, "nycc-social-care");
    assert_eq!(hash, pis_gateway::ack::hash(&token).to_vec());

    let (ok, list, _) = partner_cli(&config, &["list"]);
    assert!(
        ok && list.contains("nycc-social-care") && !list.contains(&token),
        "{list}"
    );
    let (ok, _, _) = partner_cli(&config, &["revoke", "nycc-social-care"]);
    assert!(ok);
    assert_eq!(
        send(Some(format!("Bearer {token}"))).await.0,
        401,
        "revoked at once"
    );
    let (ok, list, _) = partner_cli(&config, &["list"]);
    assert!(
        ok && !list.lines().nth(1).unwrap_or("").ends_with(" -"),
        "{list}"
    );

    // Read last: closing a file this process opened on the database drops every POSIX lock the
    // process's own SQLite connections hold on it, after which another process's connection
    // believes it is the last one, checkpoints and deletes the WAL under the gateway's feet.
    let db_bytes = std::fs::read(app.dir.path().join("spool/spool.sqlite3")).expect("db");
    assert!(!db_bytes.windows(token.len()).any(|w| w == token.as_bytes()));
}

/// Each series name in a Prometheus exposition, with whether a `# HELP` and a `# TYPE` line
/// came before it for its family.
fn series_without_help_or_type(exposition: &str) -> Vec<String> {
    let mut help = std::collections::HashSet::new();
    let mut typed = std::collections::HashSet::new();
    let mut missing = Vec::new();
    for line in exposition.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            help.insert(rest.split(' ').next().unwrap_or("").to_string());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            typed.insert(rest.split(' ').next().unwrap_or("").to_string());
        } else if !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['{', ' ']).next().unwrap_or("").to_string();
            // OpenMetrics names a counter's family without the `_total` its samples carry.
            let family = name.strip_suffix("_total").unwrap_or(&name).to_string();
            let declared = |set: &std::collections::HashSet<String>| {
                set.contains(&name) || set.contains(&family)
            };
            if !declared(&help) || !declared(&typed) {
                missing.push(name);
            }
        }
    }
    missing
}

#[actix_web::test]
async fn a_refused_partner_token_is_counted_in_metrics_with_its_help_and_type() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&json!({"form": "community", "answers": community_answers()}))
        .expect("json");
    let res = app
        .client
        .post(app.url("/api/v1/submissions"))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Authorization", "Bearer not-a-token"))
        .send_body(body)
        .await
        .expect("POST");
    assert_eq!(res.status().as_u16(), 401);

    let metrics = app.admin_get("/metrics").await;
    assert_eq!(metrics.status, 200);
    let m = metrics.body;
    assert!(
        m.contains(
            "# HELP pisg_partner_token_refused API requests refused with 401 for a wrong or revoked partner token.\n\
             # TYPE pisg_partner_token_refused counter\n\
             pisg_partner_token_refused_total 1\n"
        ),
        "{m}"
    );
    // Every counter the gateway keeps is listed, zero included, each with its help and type.
    for counter in pis_gateway::metrics::Counter::ALL {
        assert!(
            m.contains(&format!(
                "# TYPE {} counter\n",
                counter.name().trim_end_matches("_total")
            )),
            "{}: {m}",
            counter.name()
        );
    }
    assert_eq!(series_without_help_or_type(&m), Vec::<String>::new(), "{m}");
    assert!(m.ends_with("# EOF\n"), "{m}");
}
