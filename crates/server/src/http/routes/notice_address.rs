//! Confirming a professional's notice address: the link in the first email sent there. Opening
//! it shows a page with a button; only the POST confirms, because mail scanners follow links.
//! A token is looked up by its SHA-256 (so its comparison reveals nothing of a stored token),
//! works once, and expires with acknowledgement links (`escalation.ack_token_days` after the
//! report). An unknown, used or expired token gets the 404 that says nothing about why.

use super::link_page::{gone, now, token_hash, unavailable};
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

pub async fn show(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    if token_hash(&token).is_none() {
        return gone(&state);
    }
    state.pages.respond(
        StatusCode::OK,
        "notify_confirm.html",
        minijinja::context! { token => token.as_str(), done => false },
    )
}

pub async fn confirm(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let Some(hash) = token_hash(&token) else {
        return gone(&state);
    };
    let now = now();
    match state
        .intake
        .spool()
        .confirm_notify(hash, state.ack_tokens.issued_after(now), now)
        .await
    {
        Ok(true) => {
            tracing::info!("notice address confirmed");
            state.pages.respond(
                StatusCode::OK,
                "notify_confirm.html",
                minijinja::context! { done => true },
            )
        }
        Ok(false) => gone(&state),
        Err(e) => {
            tracing::error!(error = %e, "notice address not confirmed: spool unavailable");
            unavailable(
                &state,
                "Your email address was not confirmed",
                "Please try again in a moment.",
            )
        }
    }
}
