//! Liveness and readiness for operators and load balancers.

use crate::http::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// Ready when the spool takes a write now and every route has keys to seal to.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let spool = state.intake.spool().probe_writable().await;
    if let Err(e) = &spool {
        tracing::warn!(error = %e, "readiness: spool not writable");
    }
    let keys = state
        .intake
        .routes()
        .all()
        .iter()
        .all(|r| !r.recipients.is_empty());
    let ready = spool.is_ok() && keys;
    let body = json!({
        "ready": ready,
        "checks": {
            "spool_writable": spool.is_ok(),
            "keys_loaded": keys,
        }
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
