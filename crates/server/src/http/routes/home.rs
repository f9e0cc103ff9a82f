//! The start page: which form to use, and when to call 999 or 101 instead.

use crate::forms::describe;
use crate::http::headers::csp_with_style;
use crate::http::routes::assets::START_STYLES;
use crate::http::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

pub async fn home(state: web::Data<AppState>) -> HttpResponse {
    let lang = crate::i18n::page::current().lang;
    let forms: Vec<_> = state
        .forms
        .iter()
        .map(|f| {
            let mut d = describe::summary(f);
            crate::i18n::form_text::localise(state.pages.catalog(), lang, &f.id, &mut d);
            d
        })
        .collect();
    let mut res = state.pages.respond(
        StatusCode::OK,
        "home.html",
        minijinja::context! { forms => forms, contacts => &state.contacts },
    );
    // The page carries its own styles (home.html) and is allowed exactly those.
    if let Some(style) = state.assets.inline_style(START_STYLES) {
        if let Ok(csp) = HeaderValue::from_str(&csp_with_style(&style.source)) {
            res.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    res
}

/// Anything unrouted: a page for people, JSON under `/api/`.
pub async fn not_found(state: web::Data<AppState>, req: actix_web::HttpRequest) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return actix_web::ResponseError::error_response(&crate::http::error::ApiError::NotFound);
    }
    state.pages.message(
        StatusCode::NOT_FOUND,
        "Page not found",
        &["If you typed the web address, check it is correct."],
    )
}

/// How to hide a visit to this site: history, private browsing, shared devices.
pub async fn hide_your_visit(state: web::Data<AppState>) -> HttpResponse {
    state.pages.respond(
        StatusCode::OK,
        "hide_your_visit.html",
        minijinja::context! { contacts => &state.contacts },
    )
}

/// The accessibility statement and the privacy notice.
pub async fn accessibility(state: web::Data<AppState>) -> HttpResponse {
    state.pages.respond(
        StatusCode::OK,
        "accessibility.html",
        minijinja::context! { contacts => &state.contacts },
    )
}

pub async fn privacy(state: web::Data<AppState>) -> HttpResponse {
    state.pages.respond(
        StatusCode::OK,
        "privacy.html",
        minijinja::context! { contacts => &state.contacts },
    )
}
