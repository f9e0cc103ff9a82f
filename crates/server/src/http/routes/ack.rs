//! Acknowledgement links. Opening one shows a page with a button; only the POST acknowledges,
//! because mail scanners follow links. An unknown, used or expired token gets a 404 that says
//! nothing about why.
//!
//! A link is an acknowledgement (it stops escalation) only for a route that holds a deadline
//! for the submission's priority; any other inbox's link confirms receipt and stops nothing.

use super::link_page::{cannot_check, gone, now, token_hash, unavailable};
use crate::ack::AckKind;
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

pub async fn show(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let Some(hash) = token_hash(&token) else {
        return gone(&state);
    };
    let issued_after = state.ack_tokens.issued_after(now());
    match state
        .intake
        .spool()
        .ack_token_open(hash, issued_after)
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
            cannot_check(&state)
        }
    }
}

pub async fn acknowledge(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let Some(hash) = token_hash(&token) else {
        return gone(&state);
    };
    let now = now();
    match state
        .intake
        .spool()
        .acknowledge(hash, now, state.ack_tokens.issued_after(now))
        .await
    {
        Ok(Some(used)) => {
            let (reference, route) = (used.reference, used.route);
            let receipt = used.kind == AckKind::ConfirmReceipt;
            if receipt {
                tracing::info!(%reference, %route, "receipt confirmed");
                state.intake.metrics().inc(
                    crate::metrics::Counter::ReceiptsConfirmed,
                    &[("route", &route)],
                );
            } else {
                tracing::info!(%reference, %route, "acknowledged");
                state.intake.metrics().inc(
                    crate::metrics::Counter::Acknowledgements,
                    &[("route", &route)],
                );
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
            unavailable(
                &state,
                "Your acknowledgement was not recorded",
                "Please try again in a moment. Until it is recorded, escalation continues.",
            )
        }
    }
}
