//! A flood of officer requests whose signature never verifies (unsigned, malformed, an
//! unknown key, a forged signature) writes nothing durable: each is a 401 and a count in
//! `/metrics`, and the audit log grows only for requests an officer's key really signed.

use crate::helpers::*;
use pis_gateway::officer::request::{authorization, RequestParts};
use pis_gateway::signing::SigningKey;

const PATHS: [&str; 3] = [
    "/api/v1/officer/status",
    "/api/v1/officer/reply",
    "/api/v1/officer/workflow",
];

#[actix_web::test]
async fn unverified_officer_requests_by_the_hundred_write_no_audit_rows_and_are_counted() {
    let intel = SigningKey::generate();
    let stranger = SigningKey::generate();
    let app = spawn_app_with(|s| {
        s.routes[0].officers = vec![intel.public().to_base64()];
        // One test client stands for the issue's many rotating ones: no limit in the way.
        s.limits.global_submissions_per_second = 100_000;
        s.limits.global_pages_per_second = 100_000;
        s.limits.global_navigation_per_second = 100_000;
    })
    .await;
    let audit_rows = || -> i64 {
        app.db()
            .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
            .expect("count")
    };
    let before = audit_rows();
    let body = br#"{"reference":"PIS-AAAA-AAAA","status":"closed"}"#.to_vec();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signed = |key: &SigningKey, path: &str, body: &[u8]| {
        authorization(
            key,
            &RequestParts {
                method: "POST",
                host: "localhost",
                path,
                query: "",
                body,
            },
            now,
        )
    };
    let rounds = 25;
    for _ in 0..rounds {
        for path in PATHS {
            let kinds: [(&str, Option<String>); 4] = [
                ("unsigned", None),
                ("malformed_signature", Some("PISG-Ed25519 key=zz".into())),
                ("unknown_key", Some(signed(&stranger, path, &body))),
                // The officer's real key id over other bytes: a forgery.
                ("bad_signature", Some(signed(&intel, path, b"{}"))),
            ];
            for (why, header) in kinds {
                let headers: Vec<(&str, &str)> = header
                    .as_deref()
                    .map(|h| ("Authorization", h))
                    .into_iter()
                    .collect();
                let page = app
                    .post_raw(path, "application/json", body.clone(), &headers)
                    .await;
                assert_eq!(page.status, 401, "{why} {path}: {}", page.body);
                assert!(page.body.contains(why), "{why}: {}", page.body);
            }
        }
    }
    assert_eq!(audit_rows(), before, "nothing unverified was audited");
    let metrics = app.admin_get("/metrics").await.body;
    let each = rounds * PATHS.len();
    for reason in [
        "unsigned",
        "malformed_signature",
        "unknown_key",
        "bad_signature",
    ] {
        assert!(
            metrics.contains(&format!(
                "pisg_officer_unverified_total{{reason=\"{reason}\"}} {each}"
            )),
            "{reason}: {metrics}"
        );
    }

    // A request the officer's key did sign, refused for being an hour old, is audited.
    let stale = authorization(
        &intel,
        &RequestParts {
            method: "POST",
            host: "localhost",
            path: PATHS[0],
            query: "",
            body: &body,
        },
        now - 3600,
    );
    let page = app
        .post_raw(
            PATHS[0],
            "application/json",
            body.clone(),
            &[("Authorization", &stale)],
        )
        .await;
    assert_eq!(page.status, 401, "{}", page.body);
    let audited: Vec<(Option<String>, String)> = app
        .db()
        .prepare("SELECT route, code FROM audit WHERE event = 'officer_request_refused'")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        audited,
        vec![(
            Some(intel.public().id()),
            format!("stale_timestamp {}", PATHS[0])
        )]
    );
}
