//! `GET /api/v1/routes`: the public route directory. Each route's role, view, age recipients
//! and the key ids of the officers who may act on what it receives: everything here is a
//! public key or a name, so no authentication. The officer commands seal replies to a
//! route's recipients from here; mailboxes are not listed.

use crate::http::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let routes: Vec<_> = state
        .intake
        .routes()
        .all()
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "role": r.role,
                "view": r.view,
                "recipients": r.recipients.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "officers": r.officers.iter().map(|k| k.id()).collect::<Vec<_>>(),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "routes": routes }))
}
