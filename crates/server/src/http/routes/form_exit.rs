//! "Exit this page": every form's draft and the browser's key for it are deleted on the
//! server's side (so it works without JavaScript), then the browser goes to a neutral site. A
//! page brought back later from the browser's history finds no draft and shows only the start.
//!
//! Each form's cookie is sent only to that form's pages, so Exit visits each form's exit in
//! turn (`/exit`, then `/forms/{id}/exit` for each form, each a small redirect): a draft left
//! on one form is cleared by Exit on any page, the start page included.

use super::form::not_found;
use crate::http::draft::{self, DraftKey};
use crate::http::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

/// Where Exit ends: a busy, ordinary site that says nothing about this one.
pub const NEUTRAL_SITE: &str = "https://www.bbc.co.uk/weather";

/// The exit of the form after `after` (the first, for `None`), or the neutral site.
fn next_exit(state: &AppState, after: Option<&str>) -> String {
    let mut ids = state.forms.iter().map(|f| f.id.as_str());
    let next = match after {
        None => ids.next(),
        Some(id) => ids.skip_while(|x| *x != id).nth(1),
    };
    match next {
        Some(id) => format!("/forms/{id}/exit"),
        None => NEUTRAL_SITE.to_string(),
    }
}

fn leave(to: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        // Asks the browser to drop this site's cached pages too (where it supports it).
        .insert_header(("Clear-Site-Data", "\"cache\""))
        .finish()
}

/// `GET /exit`: the first form's exit.
pub async fn exit_all(state: web::Data<AppState>) -> HttpResponse {
    leave(next_exit(&state, None))
}

/// `GET /forms/{id}/exit`: this form's draft and cookie, then the next form's exit.
pub async fn exit(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> HttpResponse {
    let Some(spec) = state.forms.get(&id) else {
        return not_found(&state);
    };
    if let Err(e) = draft::discard(&state, &req).await {
        // Still leave: the draft cannot be opened without the key the cookie removal drops,
        // and housekeeping purges it when it goes idle.
        tracing::error!(error = %e, "draft not deleted on exit");
    }
    let mut resp = leave(next_exit(&state, Some(&spec.id)));
    if DraftKey::from_request(&req).is_some() {
        if let Ok(v) = header::HeaderValue::from_str(&DraftKey::removal(&spec.id)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}
