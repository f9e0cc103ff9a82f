//! The officer's workflow through the real command line against a TLS gateway: each step
//! recorded, the history shown safely, and wrong or unsigned requests refused.

use crate::helpers::*;
use crate::officer::officer_keygen;
use crate::officer_actions::{cli, seed, target, text};
use pis_gateway::http::clock::Time;
use pis_gateway::officer::request::{authorization, RequestParts};
use pis_gateway::reference::Reference;
use pis_gateway::signing::SigningKey;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

const WORKFLOW: &str = "/api/v1/officer/workflow";

async fn status(key: &Path, reference: &Reference, port: u16, extra: &[&str]) -> Output {
    let mut args = vec!["status".to_string()];
    args.extend(target(key, reference, port));
    args.extend(extra.iter().map(|s| s.to_string()));
    cli(args).await
}

#[actix_web::test]
async fn an_officer_records_each_workflow_step_from_the_command_line_and_reads_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = tempfile::tempdir().expect("the officers' machines");
    let intel = keys.path().join("intel.pem");
    let control = keys.path().join("control.pem");
    let intel_public = officer_keygen(&intel);
    let control_public = officer_keygen(&control);
    let intel_id = SigningKey::load(&intel).expect("key").public().id();
    let submitter = age::x25519::Identity::generate();
    let spool_dir = dir.path().join("spool");
    let (reference, _) = seed(&spool_dir, &submitter.to_public().to_string()).await;
    let clock = Arc::new(pis_gateway::http::clock::ManualTime::new(
        time::OffsetDateTime::now_utc().unix_timestamp() as u64,
    ));
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

    // Nothing yet.
    let out = status(&intel, &reference, app.port, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no workflow steps recorded yet"),
        "{}",
        text(&out)
    );

    for step in [
        vec!["--record", "triaged"],
        vec!["--record", "graded", "--grade", "2/b/p"],
        vec!["--record", "recorded", "--force-ref", "NYP/2026:0042-A"],
        vec!["--record", "closed"],
    ] {
        let out = status(&intel, &reference, app.port, &step).await;
        assert!(out.status.success(), "{step:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains(&format!("{reference}: recorded {}", step[1])),
            "{}",
            text(&out)
        );
    }
    // `--set` still sets what the submitter sees.
    let out = status(&intel, &reference, app.port, &["--set", "being_looked_at"]).await;
    assert!(out.status.success(), "{}", text(&out));
    // ...and the history shows it beside the steps, so the officer sees what they set.
    let out = status(&intel, &reference, app.port, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("status the submitter sees: being_looked_at (set "),
        "{}",
        text(&out)
    );

    // `closed` is the last step: nothing is recorded after it, and the officer is told why.
    for step in [
        vec!["--record", "triaged"],
        vec!["--record", "graded", "--grade", "1/A/P"],
        vec!["--record", "closed"],
    ] {
        let out = status(&intel, &reference, app.port, &step).await;
        assert!(!out.status.success(), "{step:?} after closed was accepted");
        assert!(
            text(&out).contains("HTTP 409")
                && text(&out).contains("workflow_closed")
                && text(&out).contains("nothing is recorded after `closed`"),
            "{step:?}: {}",
            text(&out)
        );
    }

    // Refused on the officer's machine before anything is sent.
    for bad in [
        vec!["--record", "graded", "--grade", "4/Z/P"],
        vec!["--record", "graded"],
        vec!["--record", "recorded", "--force-ref", "x\u{1b}[2J"],
        vec!["--record", "shared_with_mace"],
        vec!["--record", "triaged", "--grade", "1/A/P"],
    ] {
        let out = status(&intel, &reference, app.port, &bad).await;
        assert!(!out.status.success(), "{bad:?} was accepted");
    }
    // An officer of a route that never received the submission is refused by the gateway.
    let out = status(&control, &reference, app.port, &["--record", "triaged"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains("401") && text(&out).contains("not_on_route"),
        "{}",
        text(&out)
    );
    let out = status(&control, &reference, app.port, &[]).await;
    assert!(text(&out).contains("not_on_route"), "{}", text(&out));

    let out = status(&intel, &reference, app.port, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<&str> = shown.lines().skip(1).collect();
    assert_eq!(
        lines.len(),
        5,
        "four steps and the submitter's status: {shown}"
    );
    assert!(
        lines[4].contains("status the submitter sees: being_looked_at"),
        "{shown}"
    );
    assert!(
        lines[0].contains("triaged") && lines[0].contains(&intel_id),
        "{shown}"
    );
    assert!(lines[1].contains("graded 3x5x2 2/B/P"), "{shown}");
    assert!(lines[2].contains("recorded NYP/2026:0042-A"), "{shown}");
    assert!(lines[3].contains("closed"), "{shown}");

    // Signed by the right officer but hostile: refused field by field, nothing stored.
    let post = |body: serde_json::Value, signed: bool| {
        let body = serde_json::to_vec(&body).expect("json");
        let header = authorization(
            &SigningKey::load(&intel).expect("key"),
            &RequestParts {
                method: "POST",
                host: "localhost",
                path: WORKFLOW,
                query: "",
                body: &body,
            },
            clock.unix() as i64,
        );
        let app = &app;
        async move {
            let h: Vec<(&str, &str)> = if signed {
                vec![("Authorization", header.as_str())]
            } else {
                vec![]
            };
            app.post_raw(WORKFLOW, "application/json", body, &h).await
        }
    };
    let r = reference.as_str();
    let code = |page: &Page| -> (u16, String, String) {
        let v: serde_json::Value = serde_json::from_str(&page.body).unwrap_or_default();
        (
            page.status,
            v["errors"][0]["field"].as_str().unwrap_or("").to_string(),
            v["errors"][0]["code"].as_str().unwrap_or("").to_string(),
        )
    };
    let unsigned = post(
        serde_json::json!({"reference": r, "step": "triaged"}),
        false,
    )
    .await;
    assert_eq!(unsigned.status, 401, "{}", unsigned.body);
    let cases = [
        (
            serde_json::json!({"reference": r, "step": "recorded", "force_reference": "\u{1b}]0;pwned\u{7}"}),
            "force_reference",
            "invalid_force_reference",
        ),
        (
            serde_json::json!({"reference": r, "step": "graded", "grade": "9/A/P"}),
            "grade",
            "invalid_grade",
        ),
        (
            serde_json::json!({"reference": r, "step": "shared_with_mace"}),
            "step",
            "unknown_step",
        ),
        (
            serde_json::json!({"reference": r, "step": "triaged", "note": "x"}),
            "note",
            "unknown_field",
        ),
    ];
    for (body, field, want) in cases {
        let page = post(body, true).await;
        assert_eq!(
            code(&page),
            (422, field.into(), want.into()),
            "{}",
            page.body
        );
        assert!(!page.body.contains("pwned"), "the value is not echoed");
    }

    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    let steps: Vec<(String, Option<String>, String)> = db
        .prepare("SELECT step, detail, officer FROM workflow_steps ORDER BY n")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        steps,
        vec![
            ("triaged".into(), None, intel_id.clone()),
            (
                "graded".into(),
                Some(r#"{"scheme":"3x5x2","source":"2","intelligence":"B","handling":"P"}"#.into()),
                intel_id.clone()
            ),
            (
                "recorded".into(),
                Some("NYP/2026:0042-A".into()),
                intel_id.clone()
            ),
            ("closed".into(), None, intel_id.clone()),
        ]
    );
    let audited: Vec<(Option<String>, Option<String>)> = db
        .prepare("SELECT route, code FROM audit WHERE event = 'workflow_step' ORDER BY seq")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(audited.len(), 4);
    assert!(audited
        .iter()
        .all(|(who, _)| who.as_deref() == Some(intel_id.as_str())));
    assert_eq!(audited[0].1.as_deref(), Some("triaged"));
    assert!(
        !format!("{audited:?}").contains("NYP/2026"),
        "the force reference is not audited"
    );
}

/// Commits a submission to police intelligence received at `at`, before the gateway starts.
async fn seed_at(
    spool: &dyn pis_gateway::spool::Spool,
    at: i64,
    priority: pis_gateway::triage::Priority,
) -> Reference {
    use pis_gateway::ack::AckKind;
    use pis_gateway::spool::{NewEnvelope, NewSubmission, View};
    let (number, reference) = spool.next_reference().expect("a reference");
    spool
        .commit(NewSubmission {
            number,
            reference: reference.clone(),
            received_at: "2026-12-01T10:00:00Z".into(),
            received_unix: at,
            form_id: "community".into(),
            form_version: 1,
            priority,
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
            follow_up: None,
            follow_up_notice: None,
        })
        .await
        .expect("committed");
    reference
}

fn gauge(metrics: &str, line: &str) -> Option<u64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(line)?.trim().parse().ok())
}

#[actix_web::test]
async fn metrics_count_submissions_by_workflow_state_and_readyz_shows_urgent_ones_left_untriaged() {
    use pis_gateway::triage::Priority;
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = tempfile::tempdir().expect("the officer's machine");
    let intel = keys.path().join("intel.pem");
    let intel_public = officer_keygen(&intel);
    let spool_dir = dir.path().join("spool");
    let t0 = time::OffsetDateTime::now_utc().unix_timestamp() - 2 * 3600;
    let (urgent, immediate, routine) = {
        let mut settings = pis_gateway::config::Settings::default().spool;
        settings.dir = spool_dir.clone();
        let spool = pis_gateway::spool::open(&settings).await.expect("spool");
        (
            seed_at(&*spool, t0, Priority::Priority).await,
            seed_at(&*spool, t0 + 600, Priority::Immediate).await,
            seed_at(&*spool, t0, Priority::Routine).await,
        )
    };
    let clock = Arc::new(pis_gateway::http::clock::ManualTime::new(
        (t0 + 30 * 60) as u64,
    ));
    let outbox = dir.path().join("outbox");
    let app = spawn_app_with_clock(
        |s| {
            s.spool.dir = spool_dir;
            s.mail.file_dir = outbox;
            s.routes[0].officers = vec![intel_public.clone()];
            s.workflow.triage_within_minutes = 60;
        },
        pis_gateway::http::clock::Clock::new(clock.clone()),
    )
    .await;
    let untriaged = || async {
        let page = app.admin_get("/readyz").await;
        assert_eq!(page.status, 200, "{}", page.body);
        for r in [&urgent, &immediate, &routine] {
            assert!(
                !page.body.contains(r.as_str()),
                "readyz names no submission"
            );
        }
        let v: serde_json::Value = serde_json::from_str(&page.body).expect("json");
        (
            v["untriaged"]["count"].as_u64().expect("count"),
            v["untriaged"]["oldest_seconds"].as_i64(),
        )
    };
    let state = |metrics: &str, s: &str| {
        gauge(
            metrics,
            &format!("pisg_submissions_by_workflow_state{{state=\"{s}\"}}"),
        )
    };

    // Half an hour in: nothing is overdue yet.
    assert_eq!(untriaged().await, (0, None));
    let m = app.admin_get("/metrics").await.body;
    assert_eq!(state(&m, "received"), Some(3), "{m}");
    assert_eq!(state(&m, "triaged"), Some(0), "{m}");

    // An hour and five minutes: the PRIORITY one is overdue, the IMMEDIATE one (ten minutes
    // younger) not yet, the ROUTINE one never counts.
    clock.advance(std::time::Duration::from_secs(35 * 60));
    assert_eq!(untriaged().await, (1, Some(65 * 60)));
    clock.advance(std::time::Duration::from_secs(10 * 60));
    assert_eq!(untriaged().await, (2, Some(75 * 60)));

    let record = |reference: &Reference, body: serde_json::Value| {
        let mut body = body;
        body["reference"] = reference.as_str().into();
        let body = serde_json::to_vec(&body).expect("json");
        let header = authorization(
            &SigningKey::load(&intel).expect("key"),
            &RequestParts {
                method: "POST",
                host: "localhost",
                path: WORKFLOW,
                query: "",
                body: &body,
            },
            clock.unix() as i64,
        );
        let app = &app;
        async move {
            app.post_raw(
                WORKFLOW,
                "application/json",
                body,
                &[("Authorization", header.as_str())],
            )
            .await
        }
    };
    let page = record(&urgent, serde_json::json!({"step": "triaged"})).await;
    assert_eq!(page.status, 201, "{}", page.body);
    assert_eq!(untriaged().await, (1, Some(65 * 60)));
    let page = record(
        &immediate,
        serde_json::json!({"step": "graded", "grade": "1/A/C"}),
    )
    .await;
    assert_eq!(page.status, 201, "{}", page.body);
    assert_eq!(untriaged().await, (0, None));

    let m = app.admin_get("/metrics").await.body;
    assert_eq!(state(&m, "received"), Some(1), "{m}");
    assert_eq!(state(&m, "triaged"), Some(1), "{m}");
    assert_eq!(state(&m, "graded"), Some(1), "{m}");
    assert_eq!(state(&m, "closed"), Some(0), "{m}");
    assert_eq!(gauge(&m, "pisg_untriaged"), Some(0), "{m}");
    assert_eq!(
        gauge(&m, "pisg_workflow_steps_total{step=\"graded\"}"),
        Some(1),
        "{m}"
    );
}
