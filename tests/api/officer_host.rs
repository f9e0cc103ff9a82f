//! A signed officer request names the gateway it is for: one officer key listed at two
//! deployments cannot be replayed from one to the other, and a client that signs no host
//! (version 1 of the signed form) is refused by name.

use crate::helpers::*;
use crate::officer_actions::seed;
use base64::Engine;
use pis_gateway::officer::request::{authorization, RequestParts};
use pis_gateway::signing::SigningKey;

const STATUS: &str = "/api/v1/officer/status";

fn code(page: &Page) -> String {
    let v: serde_json::Value = serde_json::from_str(&page.body).unwrap_or_default();
    v["errors"][0]["code"].as_str().unwrap_or("").to_string()
}

/// The header an officer's tool made before hosts were signed: version 1 of the signed lines.
fn version_1(key: &SigningKey, body: &[u8], ts: i64) -> String {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let nonce = [9u8; 16];
    let id = key.public().id();
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    let lines = [
        "pis-gateway/officer-request/v1".to_string(),
        "POST".into(),
        STATUS.into(),
        String::new(),
        hex(digest.as_ref()),
        ts.to_string(),
        hex(&nonce),
        id.clone(),
    ]
    .join("\n");
    let sig = base64::engine::general_purpose::STANDARD.encode(key.sign(lines.as_bytes()));
    format!(
        "PISG-Ed25519 key={id},ts={ts},nonce={},sig={sig}",
        hex(&nonce)
    )
}

async fn post(app: &TestApp, body: &[u8], header: String) -> Page {
    app.post_raw(
        STATUS,
        "application/json",
        body.to_vec(),
        &[("Authorization", &header)],
    )
    .await
}

#[actix_web::test]
async fn a_request_signed_for_one_gateway_is_refused_by_another_listing_the_same_key() {
    let intel = SigningKey::generate();
    let submitter = age::x25519::Identity::generate().to_public().to_string();
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (reference, _) = seed(&a_dir.path().join("spool"), &submitter).await;
    let (reference_b, _) = seed(&b_dir.path().join("spool"), &submitter).await;
    let gateway = |dir: std::path::PathBuf, url: &'static str| {
        let key = intel.public().to_base64();
        spawn_app_with(move |s| {
            s.spool.dir = dir;
            s.server.public_url = url.into();
            s.routes[0].officers = vec![key];
        })
    };
    let a = gateway(a_dir.path().join("spool"), "https://pis.force-a.example").await;
    let b = gateway(
        b_dir.path().join("spool"),
        "https://PIS.force-b.example:8443",
    )
    .await;
    let body_of = |r: &pis_gateway::reference::Reference| {
        serde_json::to_vec(
            &serde_json::json!({"reference": r.as_str(), "status": "being_looked_at"}),
        )
        .expect("json")
    };
    let (body, body_b) = (body_of(&reference), body_of(&reference_b));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let for_a = authorization(
        &intel,
        &RequestParts {
            method: "POST",
            host: "pis.force-a.example",
            path: STATUS,
            query: "",
            body: &body,
        },
        now,
    );
    let at_b = post(&b, &body, for_a.clone()).await;
    assert_eq!(
        (at_b.status, code(&at_b)),
        (401, "wrong_gateway".into()),
        "{}",
        at_b.body
    );
    let at_a = post(&a, &body, for_a).await;
    assert_eq!(at_a.status, 200, "{}", at_a.body);
    // The port and the case of the configured URL do not matter; the name does.
    let for_b = authorization(
        &intel,
        &RequestParts {
            method: "POST",
            host: "pis.force-b.example",
            path: STATUS,
            query: "",
            body: &body_b,
        },
        now,
    );
    assert_eq!(post(&b, &body_b, for_b).await.status, 200);

    // An officer's tool from before hosts were signed: refused, and told what to do.
    let old = post(&a, &body, version_1(&intel, &body, now)).await;
    assert_eq!(
        (old.status, code(&old)),
        (401, "host_not_signed".into()),
        "{}",
        old.body
    );
    assert!(old.body.contains("update pis-gateway"), "{}", old.body);

    // The replay across deployments is audited at B (an officer's key signed it); the old
    // client's request, whose signature was never checked, is only counted.
    let audited = |dir: &std::path::Path| -> Vec<String> {
        rusqlite::Connection::open(dir.join("spool/spool.sqlite3"))
            .expect("db")
            .prepare("SELECT code FROM audit WHERE event = 'officer_request_refused'")
            .expect("sql")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(
        audited(b_dir.path()),
        vec![format!("wrong_gateway {STATUS}")]
    );
    assert!(audited(a_dir.path()).is_empty());
    let metrics = a.admin_get("/metrics").await.body;
    assert!(
        metrics.contains("pisg_officer_unverified_total{reason=\"host_not_signed\"} 1"),
        "{metrics}"
    );
}
