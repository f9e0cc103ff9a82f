//! "Exit this page" on a form: the draft and the browser's key are deleted on the server's
//! side (so it works without JavaScript), then the browser goes to a neutral site. A page
//! restored later from the browser's history finds no draft and shows only the start.

use super::form::not_found;
use crate::http::draft::{self, DraftKey};
use crate::http::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

/// Where Exit goes: a busy, ordinary site that says nothing about this one.
pub const NEUTRAL_SITE: &str = "https://www.bbc.co.uk/weather";

/// `GET /forms/{id}/exit`.
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
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, NEUTRAL_SITE))
        .insert_header((header::SET_COOKIE, DraftKey::removal(&spec.id)))
        // Asks the browser to drop this site's cached pages too (where it supports it).
        .insert_header(("Clear-Site-Data", "\"cache\""))
        .finish()
}
