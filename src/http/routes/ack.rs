//! Acknowledgement links. Opening one shows a page with a button; only the POST acknowledges,
//! because mail scanners follow links. An unknown or used token gets a 404 that says nothing
//! about why.

use crate::ack;
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

fn gone(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::NOT_FOUND,
        "This link cannot be used",
        &["It may have been used already. Each acknowledgement link works once."],
    )
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub async fn show(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    if !ack::plausible(&token) {
        return gone(&state);
    }
    match state.intake.spool().ack_token_open(ack::hash(&token)).await {
        Ok(true) => state.pages.respond(
            StatusCode::OK,
            "ack.html",
            minijinja::context! { token => token.as_str(), done => false },
        ),
        Ok(false) => gone(&state),
        Err(e) => {
            tracing::error!(error = %e, "acknowledgement page: spool unavailable");
            state.pages.message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again shortly",
                &["The service cannot check this link right now."],
            )
        }
    }
}

pub async fn acknowledge(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    if !ack::plausible(&token) {
        return gone(&state);
    }
    match state
        .intake
        .spool()
        .acknowledge(ack::hash(&token), now())
        .await
    {
        Ok(Some((reference, route))) => {
            tracing::info!(%reference, %route, "acknowledged");
            state
                .intake
                .metrics()
                .inc("pisg_acknowledgements_total", &[("route", &route)]);
            state.pages.respond(
                StatusCode::OK,
                "ack.html",
                minijinja::context! { done => true, reference => reference },
            )
        }
        Ok(None) => gone(&state),
        Err(e) => {
            tracing::error!(error = %e, "acknowledgement not recorded: spool unavailable");
            state.pages.message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Your acknowledgement was not recorded",
                &["Please try again in a moment. Until it is recorded, escalation continues."],
            )
        }
    }
}
