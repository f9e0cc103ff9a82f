//! Officer powers by role: one table of every signed action against every kind of officer key.
//! Police intelligence acts; a control room acts only as its `officer_actions` allows; a MACE
//! officer (whose route received a restricted view, or only a notice) is refused everything
//! with 403, and nothing a refused request asked for is stored.

use crate::helpers::*;
use pis_gateway::ack::AckKind;
use pis_gateway::officer::request::{authorization, RequestParts};
use pis_gateway::reference::Reference;
use pis_gateway::routing::{OfficerAction, Role, RouteSettings, View as RouteView};
use pis_gateway::signing::SigningKey;
use pis_gateway::spool::{FollowUpKey, NewEnvelope, NewSubmission, View};
use pis_gateway::triage::Priority;
use std::path::Path;

const AGE_BYTES: &str = "YWdlLWVuY3J5cHRpb24ub3JnL3YxCnNlYWxlZCBvbiB0aGUgb2ZmaWNlcidzIG1hY2hpbmU=";

/// Who signs: each kind of officer key the roles rule tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Officer {
    /// Police intelligence: every action by default.
    Intel,
    /// A control room, full view, no `officer_actions`: nothing by default.
    Control,
    /// A second control room granted `officer_actions = ["status"]`.
    ControlStatusOnly,
    /// A MACE route that received the restricted view.
    MaceRestricted,
    /// A MACE route that received only a notice.
    MaceNotice,
}

/// A route of the test gateway: (name, role, view, the view this submission gave it, actions).
type RouteSpec = (
    &'static str,
    Role,
    RouteView,
    Option<View>,
    Option<Vec<OfficerAction>>,
);

fn route_table() -> Vec<(Officer, RouteSpec)> {
    vec![
        (
            Officer::Intel,
            (
                "police_intelligence",
                Role::PoliceIntelligence,
                RouteView::Full,
                Some(View::Full),
                None,
            ),
        ),
        (
            Officer::Control,
            (
                "control_room",
                Role::ControlRoom,
                RouteView::Full,
                Some(View::Full),
                None,
            ),
        ),
        (
            Officer::ControlStatusOnly,
            (
                "control_room_east",
                Role::ControlRoom,
                RouteView::Full,
                Some(View::Full),
                Some(vec![OfficerAction::Status]),
            ),
        ),
        (
            Officer::MaceRestricted,
            (
                "mace_harrogate",
                Role::Mace,
                RouteView::Restricted,
                Some(View::Restricted),
                None,
            ),
        ),
        (
            Officer::MaceNotice,
            (
                "mace_scarborough",
                Role::Mace,
                RouteView::Restricted,
                Some(View::Notice),
                None,
            ),
        ),
    ]
}

fn locality(name: &str) -> Vec<String> {
    match name.strip_prefix("mace_") {
        Some(place) => vec![place.to_ascii_uppercase()],
        None => vec![],
    }
}

fn settings_for(spec: &RouteSpec, officer: String, recipients: &[String]) -> RouteSettings {
    let (name, role, view, _, actions) = spec;
    RouteSettings {
        name: (*name).into(),
        mailbox: format!("{name}@example.invalid"),
        view: *view,
        recipients: recipients.to_vec(),
        role: Some(*role),
        localities: locality(name),
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officers: vec![officer],
        officer_actions: actions.clone(),
    }
}

/// A submission with a follow-up code, delivered to every route the table gives a view.
async fn seed(spool_dir: &Path, submitter: &str) -> Reference {
    let mut settings = pis_gateway::config::Settings::default().spool;
    settings.dir = spool_dir.to_path_buf();
    let spool = pis_gateway::spool::open(&settings).await.expect("spool");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (number, reference) = spool.next_reference().expect("a reference");
    let envelopes = route_table()
        .into_iter()
        .filter_map(|(_, (name, _, _, got, _))| {
            let view = got?;
            let notice = view == View::Notice;
            Some(NewEnvelope {
                route: name.into(),
                mailbox: format!("{name}@example.invalid"),
                view,
                body: (!notice).then(|| b"age-encryption.org/v1\nnot read here".to_vec()),
                notice: notice.then(|| "{}".to_string()),
                ack: AckKind::ConfirmReceipt,
                attachments: vec![],
            })
        })
        .collect();
    spool
        .commit(NewSubmission {
            number,
            reference: reference.clone(),
            received_at: "2026-12-01T10:00:00Z".into(),
            received_unix: now,
            form_id: "professional".into(),
            form_version: 1,
            priority: Priority::Routine,
            reason_codes: vec![],
            token_hash: None,
            ack_deadline: None,
            envelopes,
            follow_up: Some(FollowUpKey {
                lookup_id: [7; 32],
                recipient: submitter.to_string(),
            }),
            follow_up_notice: None,
        })
        .await
        .expect("committed");
    reference
}

/// One signed action: method, path, body (for a POST), and the status it gets when allowed.
struct Action {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<serde_json::Value>,
    allowed: u16,
}

fn actions(reference: &str) -> Vec<Action> {
    let post = |name, path, body, allowed| Action {
        name,
        method: "POST",
        path,
        body: Some(body),
        allowed,
    };
    let get = |name, path| Action {
        name,
        method: "GET",
        path,
        body: None,
        allowed: 200,
    };
    vec![
        get("follow-up key", "/api/v1/officer/follow-up-key"),
        post(
            "reply",
            "/api/v1/officer/reply",
            serde_json::json!({"reference": reference, "sealed": AGE_BYTES}),
            201,
        ),
        post(
            "status",
            "/api/v1/officer/status",
            serde_json::json!({"reference": reference, "status": "being_looked_at"}),
            200,
        ),
        post(
            "workflow step",
            "/api/v1/officer/workflow",
            serde_json::json!({"reference": reference, "step": "triaged"}),
            201,
        ),
        get("workflow history", "/api/v1/officer/workflow"),
        post(
            "share",
            "/api/v1/officer/share",
            serde_json::json!({"reference": reference, "route": "mace_selby", "sealed": AGE_BYTES}),
            201,
        ),
    ]
}

/// What each kind of key gets for each action: `None` when allowed, else the refusal's code.
fn expected(officer: Officer, action: &str) -> Option<&'static str> {
    match officer {
        Officer::Intel => None,
        Officer::ControlStatusOnly if action == "status" => None,
        Officer::Control | Officer::ControlStatusOnly => Some("action_not_permitted"),
        Officer::MaceRestricted | Officer::MaceNotice => Some("not_full_view"),
    }
}

async fn send(app: &TestApp, key: &SigningKey, action: &Action, reference: &str) -> Page {
    let query = format!("reference={reference}");
    let body = action
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).expect("json"))
        .unwrap_or_default();
    let parts = RequestParts {
        method: action.method,
        host: "localhost",
        path: action.path,
        query: if action.body.is_some() { "" } else { &query },
        body: &body,
    };
    let header = authorization(
        key,
        &parts,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    );
    if action.body.is_some() {
        return app
            .post_raw(
                action.path,
                "application/json",
                body,
                &[("Authorization", &header)],
            )
            .await;
    }
    let mut res = app
        .client
        .get(app.url(&format!("{}?{query}", action.path)))
        .insert_header(("Authorization", header))
        .send()
        .await
        .expect("GET");
    let bytes = res.body().await.expect("body");
    Page {
        status: res.status().as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

#[actix_web::test]
async fn each_officer_action_is_allowed_by_role_and_full_view_and_refused_with_403_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let submitter = age::x25519::Identity::generate();
    let spool_dir = dir.path().join("spool");
    let reference = seed(&spool_dir, &submitter.to_public().to_string()).await;
    let keys: Vec<(Officer, SigningKey)> = route_table()
        .iter()
        .map(|(o, _)| (*o, SigningKey::generate()))
        .collect();
    let key_of = |o: Officer| &keys.iter().find(|(k, _)| *k == o).expect("a key").1;
    let app = spawn_app_with(|s| {
        s.spool.dir = spool_dir.clone();
        let recipients = s.routes[0].recipients.clone();
        let mut routes: Vec<RouteSettings> = route_table()
            .iter()
            .map(|(o, spec)| settings_for(spec, key_of(*o).public().to_base64(), &recipients))
            .collect();
        // A MACE route that received nothing yet: where police intelligence shares.
        let mut selby = settings_for(
            &("mace_selby", Role::Mace, RouteView::Restricted, None, None),
            SigningKey::generate().public().to_base64(),
            &recipients,
        );
        selby.officers.clear();
        routes.push(selby);
        s.routes = routes;
    })
    .await;

    // Refusals first, then what is allowed, so a refused request that stored something would
    // show in the counts below.
    let r = reference.as_str();
    let mut table: Vec<(Officer, Action)> = Vec::new();
    for officer in [
        Officer::Control,
        Officer::MaceRestricted,
        Officer::MaceNotice,
        Officer::ControlStatusOnly,
        Officer::Intel,
    ] {
        table.extend(actions(r).into_iter().map(|a| (officer, a)));
    }
    let mut refused = 0;
    for (officer, action) in &table {
        let page = send(&app, key_of(*officer), action, r).await;
        let v: serde_json::Value = serde_json::from_str(&page.body).unwrap_or_default();
        let case = format!("{officer:?} {}: {}", action.name, page.body);
        match expected(*officer, action.name) {
            None => assert_eq!(page.status, action.allowed, "{case}"),
            Some(code) => {
                refused += 1;
                assert_eq!(page.status, 403, "{case}");
                assert_eq!(v["errors"][0]["code"], code, "{case}");
            }
        }
    }
    assert_eq!(refused, 3 * 6 + 5);

    let db = rusqlite::Connection::open(spool_dir.join("spool.sqlite3")).expect("spool db");
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |row| row.get(0)).expect(sql) };
    assert_eq!(count("SELECT COUNT(*) FROM follow_up_messages"), 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM deliveries WHERE route = 'mace_selby'"),
        1
    );
    let audited = count(
        "SELECT COUNT(*) FROM audit WHERE event = 'officer_request_refused' \
         AND (code LIKE 'not_full_view %' OR code LIKE 'action_not_permitted %')",
    );
    assert_eq!(
        audited, refused,
        "each refusal of a signed request is audited"
    );
}
