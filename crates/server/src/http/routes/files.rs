//! One-time download links for evidence files too large to email. Opening one shows a page
//! with a button; only the POST hands the file out (mail scanners follow links), once, with an
//! audit event. The file is still sealed: the link gives ciphertext only. An unknown, used or
//! expired token gets a 404 that says nothing about why.

use super::link_page::{cannot_check, gone, now, token_hash};
use crate::http::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

pub async fn show(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let Some(hash) = token_hash(&token) else {
        return gone(&state);
    };
    let issued_after = state.download_links.issued_after(now());
    match state.intake.spool().download_open(hash, issued_after).await {
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
            cannot_check(&state)
        }
    }
}

pub async fn download(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let Some(hash) = token_hash(&token) else {
        return gone(&state);
    };
    let now = now();
    match state
        .intake
        .spool()
        .take_download(hash, now, state.download_links.issued_after(now))
        .await
    {
        Ok(Some(file)) => {
            tracing::info!(reference = %file.reference, route = %file.route, n = file.n, "evidence file downloaded");
            state.intake.metrics().inc(
                crate::metrics::Counter::EvidenceDownloads,
                &[("route", &file.route)],
            );
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
            cannot_check(&state)
        }
    }
}
