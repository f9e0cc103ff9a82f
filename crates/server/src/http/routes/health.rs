//! Liveness and readiness for operators and load balancers.

use crate::http::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// Ready when the spool takes a write (and, after a failure, has taken several in a row: a
/// nearly full disk must not make the node flap) and every route has keys to seal to.
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
    let ready = state.readiness.observe(spool.is_ok()) && keys;
    let now = state.now() as i64;
    let outbox = state.intake.spool().outbox_stats(now).await.ok();
    let workflow = state
        .intake
        .spool()
        .workflow_stats(now - state.triage_within_secs)
        .await
        .ok();
    // Dead letters need an operator but do not stop intake: taking a node out of a load
    // balancer because one mailbox bounced would turn away the next submitter.
    let body = json!({
        "ready": ready,
        "checks": {
            "spool_writable": spool.is_ok(),
            "keys_loaded": keys,
        },
        "outbox": outbox.map(|o| json!({
            "pending": o.pending,
            "dead_letters": o.dead,
            "oldest_pending_seconds": o.oldest_pending_secs,
        })),
        // Officers being behind is for an operator to hear, not a reason to stop intake. A
        // count and an age only: the admin listener names no submission.
        "untriaged": workflow.map(|w| json!({
            "count": w.untriaged,
            "oldest_seconds": w.oldest_untriaged_at.map(|t| (now - t).max(0)),
            "within_minutes": state.triage_within_secs / 60,
        })),
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let now = state.now() as i64;
    let stats = state.intake.spool().outbox_stats(now).await.ok();
    let workflow = state
        .intake
        .spool()
        .workflow_stats(now - state.triage_within_secs)
        .await
        .ok();
    let body = state
        .intake
        .metrics()
        .render(stats.as_ref(), workflow.as_ref());
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(body)
}
