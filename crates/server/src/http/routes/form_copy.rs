//! `GET /forms/{id}/copy`: "Print or save a copy" of a professional report just sent, for the
//! sender's own records, with a print stylesheet that puts the reference on every printed page.
//!
//! The page shows the answers in plain text, so it is shown only to the browser whose cookie
//! opens the draft that holds them (sealed under that key, which the server does not keep),
//! only for `forms.draft_minutes` after sending, and never again after Exit or a new form.
//! Like every page it is `no-store`.

use super::form::{draft_unavailable, not_found, summary};
use crate::forms::FormSpec;
use crate::http::draft::{self, SentCopy};
use crate::http::AppState;
use crate::i18n::{form_text, page};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

/// The path segment after `/forms/{id}/`.
pub(super) const COPY: &str = "copy";

/// Whether the copy may still be shown: for `forms.draft_minutes` after sending, however
/// often the confirmation is looked at in between.
pub(super) fn available(state: &AppState, copy: &SentCopy) -> bool {
    (state.now() as i64).saturating_sub(copy.sent_at) <= state.draft_idle_secs
}

pub(super) async fn show(state: &AppState, req: &HttpRequest, spec: &FormSpec) -> HttpResponse {
    let draft = match draft::load(state, req, &spec.id).await {
        Ok(d) => d,
        Err(e) => return draft_unavailable(state, e),
    };
    let Some((_, draft)) = draft else {
        return gone(spec);
    };
    super::form::follow_draft_language(state, &draft);
    let Some(sent) = draft.sent.as_ref() else {
        return gone(spec);
    };
    let Some(copy) = sent.copy.as_ref().filter(|c| available(state, c)) else {
        return not_found(state);
    };
    let at = time::OffsetDateTime::from_unix_timestamp(copy.sent_at)
        .map(crate::ukdate::uk_date)
        .ok();
    let catalog = state.pages.catalog();
    state.pages.respond(
        StatusCode::OK,
        "copy.html",
        minijinja::context! {
            form => summary(state, spec),
            reference => sent.reference,
            sent_on => at.map(|d| form_text::day_in_words(catalog, page::current().lang, d)),
            sections => copy.sections,
        },
    )
}

/// No draft (after Exit, or from another browser): the start of the form, as for any step.
fn gone(spec: &FormSpec) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/forms/{}", spec.id)))
        .finish()
}
