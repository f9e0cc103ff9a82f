//! "Save and come back later" on the professional form (see [`crate::http::saved`]): the
//! button that saves and emails the link, the page that says it was sent, and the page the link
//! opens, which restores the answers in that browser.

use super::form::{cross_site, draft_unavailable, not_found, see_other, summary};
use super::form_errors::{body_error, forbidden, unreadable};
use super::form_post::stored_cookie;
use crate::forms::html::answers_of;
use crate::forms::journey::JourneyStep;
use crate::forms::{validate, FormSpec};
use crate::http::body::read_limited;
use crate::http::draft::{self, Draft, DraftKey};
use crate::http::rate_limit::{too_many_requests, Class};
use crate::http::saved::{self, SaveError};
use crate::http::token::TokenError;
use crate::http::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

/// The work address the link goes to.
const WORK_EMAIL: &str = "submitter.work_email";

/// The work address as the answers give it, if it is a valid one.
fn work_email(spec: &FormSpec, draft: &Draft) -> Option<String> {
    let answers = answers_of(spec, &draft.values);
    let errors = validate(spec, &answers, crate::ukdate::uk_today())
        .err()
        .unwrap_or_default();
    if errors.iter().any(|e| e.field == WORK_EMAIL) {
        return None;
    }
    answers
        .get(WORK_EMAIL)
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// "Save and come back later" pressed on `step`, whose answers are already in `draft`.
pub(super) async fn save(
    state: &AppState,
    req: &HttpRequest,
    spec: &FormSpec,
    step: JourneyStep,
    key: DraftKey,
    mut draft: Draft,
    fresh: bool,
) -> HttpResponse {
    let Some(address) = work_email(spec, &draft) else {
        // Nowhere to send the link yet: keep the answers and ask for the address.
        draft.notice = Some("To save your answers and come back later, first enter your work email address here: the link to your saved form is sent there. Then choose Save and come back later again.".into());
        let about = spec
            .sections
            .iter()
            .position(|s| s.fields.iter().any(|f| f.id == WORK_EMAIL))
            .map_or(step, JourneyStep::Section);
        let resp = see_other(spec, about, None);
        return super::form_post::stored(state, spec, &key, &draft, fresh, resp).await;
    };
    // Each save sends an email to an address someone typed: it spends a submission from the
    // client's quota, so the form cannot be used to send mail in bulk.
    if let Err(wait) = state.limits.check_send(state.limits.client_of(req), None) {
        return too_many_requests(state, false, Class::Send, wait);
    }
    // A bot that filled the field people never see is shown the same pages, and no email goes
    // to the address it typed.
    if draft.honeypot.trim().is_empty() {
        let mut kept = draft.clone();
        kept.notice = None;
        kept.errors_at = None;
        match saved::save_and_send(state, &spec.id, &kept, &address).await {
            Ok(()) => {}
            Err(SaveError::Spool(e)) => return draft_unavailable(state, e),
            Err(SaveError::Mail) => {
                tracing::warn!("the link to a saved form could not be emailed");
                draft.notice = Some("Your answers could not be saved for later, because the email with the link could not be sent. They are still here: try again in a few minutes, or carry on now.".into());
                let resp = see_other(spec, step, None);
                return super::form_post::stored(state, spec, &key, &draft, fresh, resp).await;
            }
        }
    }
    // Saved: nothing is left in this browser's draft, as after Exit.
    if let Err(e) = state.intake.spool().delete_draft(key.id()).await {
        return draft_unavailable(state, e);
    }
    // The draft that kept a chosen language is gone: the page after it carries the choice.
    let here = crate::i18n::page::current();
    let query = if here.chosen {
        format!("?lang={}", here.lang.code())
    } else {
        String::new()
    };
    let mut resp = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/forms/{}/saved{query}", spec.id)))
        .finish();
    if let Ok(v) = header::HeaderValue::from_str(&DraftKey::removal(&spec.id)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// `GET /forms/{id}/saved`: where the link went, and for how long it works.
pub(super) async fn saved(state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let Some(spec) = state.forms.get(&id) else {
        return not_found(&state);
    };
    let days = state.saved.keep_secs / 86_400;
    state.pages.respond(
        StatusCode::OK,
        "saved.html",
        minijinja::context! { form => summary(&state, spec), days => days },
    )
}

/// `GET /forms/{id}/resume`: the page the emailed link opens. Its key is in the fragment,
/// which the browser keeps to itself: the page's form sends it in a POST body (filled in by
/// the script, or pasted by the person where script does not run).
pub(super) async fn resume_page(state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let Some(spec) = state.forms.get(&id) else {
        return not_found(&state);
    };
    resume_form(&state, spec, false)
}

fn resume_form(state: &AppState, spec: &FormSpec, failed: bool) -> HttpResponse {
    state.pages.respond(
        if failed {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        },
        "resume.html",
        minijinja::context! {
            form => summary(state, spec),
            token => state.tokens.issue(&spec.id, state.now()),
            failed => failed,
        },
    )
}

/// `POST /forms/{id}/resume`: the saved draft the key opens becomes this browser's draft (the
/// saved copy is removed: the link works once), and the task list shows where things stand.
pub(super) async fn resume(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Some(spec) = state.forms.get(&id) else {
        return not_found(&state);
    };
    let body = match read_limited(&req, payload, &state.body).await {
        Ok(b) => b,
        Err(e) => return body_error(&state, e),
    };
    if cross_site(&req) {
        return forbidden(&state);
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return unreadable(&state);
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match field("_token").map(|t| state.tokens.verify(&spec.id, t, state.now())) {
        Some(Ok(_)) | Some(Err(TokenError::Expired)) => {}
        Some(Err(TokenError::Invalid)) | None => return forbidden(&state),
    }
    let Some(link_key) = field("key").and_then(DraftKey::decode) else {
        return resume_form(&state, spec, true);
    };
    let mut restored = match saved::take(&state, &spec.id, &link_key).await {
        Ok(Some(d)) => d,
        Ok(None) => return resume_form(&state, spec, true),
        Err(e) => return draft_unavailable(&state, e),
    };
    // This browser's own key from now on: the link's key is spent.
    let Some(key) = DraftKey::generate() else {
        return draft_unavailable(
            &state,
            crate::spool::SpoolError::Unavailable("no randomness for a draft key".into()),
        );
    };
    restored.token = state.tokens.issue(&spec.id, state.now());
    restored.notice = None;
    if let Err(e) = draft::save(&state, &key, &spec.id, &restored).await {
        return draft_unavailable(&state, e);
    }
    let resp = see_other(spec, JourneyStep::Tasks, None);
    stored_cookie(spec, &key, true, resp)
}
