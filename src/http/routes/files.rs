//! One-time download links for evidence files too large to email. Opening one shows a page
//! with a button; only the POST hands the file out (mail scanners follow links), once, with an
//! audit event. The file is still sealed: the link gives ciphertext only. An unknown, used or
//! expired token gets a 404 that says nothing about why.

use crate::ack;
use crate::http::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

fn gone(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::NOT_FOUND,
        "This link cannot be used",
        &["It may have been used already, or be too old. Each link works once."],
    )
}

fn unavailable(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Please try again shortly",
        &["The service cannot check this link right now."],
    )
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub async fn show(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    if !ack::plausible(&token) {
        return gone(&state);
    }
    let issued_after = state.download_links.issued_after(now());
    match state
        .intake
        .spool()
        .download_open(ack::hash(&token), issued_after)
        .await
    {
        Ok(Some((reference, n))) => state.pages.respond(
            StatusCode::OK,
            "download.html",
            minijinja::context! {
                token => token.as_str(),
                reference => reference.as_str(),
                n => n,
            },
        ),
        Ok(None) => gone(&state),
        Err(e) => {
            tracing::error!(error = %e, "download page: spool unavailable");
            unavailable(&state)
        }
    }
}

pub async fn download(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    if !ack::plausible(&token) {
        return gone(&state);
    }
    let now = now();
    match state
        .intake
        .spool()
        .take_download(
            ack::hash(&token),
            now,
            state.download_links.issued_after(now),
        )
        .await
    {
        Ok(Some(file)) => {
            tracing::info!(reference = %file.reference, route = %file.route, n = file.n, "evidence file downloaded");
            state
                .intake
                .metrics()
                .inc("pisg_evidence_downloads_total", &[("route", &file.route)]);
            HttpResponse::Ok()
                .content_type("application/octet-stream")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}-{}.age\"", file.reference, file.n),
                ))
                .body(file.body)
        }
        Ok(None) => gone(&state),
        Err(e) => {
            tracing::error!(error = %e, "download: spool unavailable");
            unavailable(&state)
        }
    }
}
