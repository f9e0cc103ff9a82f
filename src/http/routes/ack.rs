//! Acknowledgement links. Opening one shows a page with a button; only the POST acknowledges,
//! because mail scanners follow links. An unknown, used or expired token gets a 404 that says
//! nothing about why.
//!
//! A link is an acknowledgement (it stops escalation) only for a route that holds a deadline
//! for the submission's priority; any other inbox's link confirms receipt and stops nothing.

use crate::ack::{self, AckKind};
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

fn gone(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::NOT_FOUND,
        "This link cannot be used",
        &["It may have been used already, or be too old. Each link works once."],
    )
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub async fn show(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    if !ack::plausible(&token) {
        return gone(&state);
    }
    let issued_after = state.ack_tokens.issued_after(now());
    match state
        .intake
        .spool()
        .ack_token_open(ack::hash(&token), issued_after)
        .await
    {
        Ok(Some(kind)) => state.pages.respond(
            StatusCode::OK,
            "ack.html",
            minijinja::context! {
                token => token.as_str(),
                done => false,
                receipt => kind == AckKind::ConfirmReceipt,
            },
        ),
        Ok(None) => gone(&state),
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
    let now = now();
    match state
        .intake
        .spool()
        .acknowledge(ack::hash(&token), now, state.ack_tokens.issued_after(now))
        .await
    {
        Ok(Some(used)) => {
            let (reference, route) = (used.reference, used.route);
            let receipt = used.kind == AckKind::ConfirmReceipt;
            if receipt {
                tracing::info!(%reference, %route, "receipt confirmed");
                state
                    .intake
                    .metrics()
                    .inc("pisg_receipts_confirmed_total", &[("route", &route)]);
            } else {
                tracing::info!(%reference, %route, "acknowledged");
                state
                    .intake
                    .metrics()
                    .inc("pisg_acknowledgements_total", &[("route", &route)]);
            }
            state.pages.respond(
                StatusCode::OK,
                "ack.html",
                minijinja::context! { done => true, reference => reference, receipt => receipt },
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
