//! A form page sent: its answers go into the browser's sealed draft, [`next`] says which step
//! follows, and the answer is always a 303 to that step's URL (post/redirect/get), so Back,
//! Forward and refresh never post anything again.
//!
//! `POST /forms/{id}/{step}` is the journey. `POST /forms/{id}` takes a body that carries the
//! whole form: a page served by an earlier version (its `_step` names the page, its hidden
//! inputs the other answers) or a script sending everything at once.

use super::form::{cross_site, draft_unavailable, errors_in, not_found, see_other, HONEYPOT};
use super::form_errors::{body_error, busy, forbidden, refused_upload, unreadable};
use super::form_send::{self, Sending};
use crate::attachments::{AttachmentError, Upload};
use crate::forms::html::{answers_of, item_anchor, read_posted, replace_section, section_of};
use crate::forms::html::{Action, Posted};
use crate::forms::journey::{diverted, next, JourneyAction, JourneyStep, Validation};
use crate::forms::{fields, validate, FormSpec};
use crate::http::body::{media_type, read_limited};
use crate::http::draft::{self, Draft, DraftKey};
use crate::http::multipart::{read_multipart, Admission, MultipartError, MultipartLimits};
use crate::http::rate_limit::split;
use crate::http::token::TokenError;
use crate::http::uploads::Slot;
use crate::http::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

/// The file input on the check-your-answers page.
const ATTACHMENTS: &str = "attachments";

/// `POST /forms/{id}`: a body carrying the whole form.
pub async fn submit(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    receive(&state, &id, None, &req, payload).await
}

/// `POST /forms/{id}/{step}`.
pub async fn submit_step(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (id, step) = path.into_inner();
    receive(&state, &id, Some(&step), &req, payload).await
}

/// `POST /forms/{id}/{section}/danger-now`.
pub async fn submit_danger(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (id, section) = path.into_inner();
    receive(
        &state,
        &id,
        Some(&format!("{section}/danger-now")),
        &req,
        payload,
    )
    .await
}

/// What arrived: the text fields, and the files with the memory they hold.
struct Received {
    pairs: Vec<(String, String)>,
    uploads: Vec<Upload>,
    file_error: Option<AttachmentError>,
    _held: Option<Slot>,
}

async fn receive(
    state: &AppState,
    id: &str,
    path: Option<&str>,
    req: &HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Some(spec) = state.forms.get(id).cloned() else {
        return not_found(state);
    };
    let Some(step) = path.map(|p| JourneyStep::parse(&spec, p)) else {
        return receive_at(state, spec, None, req, payload).await;
    };
    match step {
        Some(s) => receive_at(state, spec, Some(s), req, payload).await,
        None => not_found(state),
    }
}

/// The form's token checked: `None` when it has expired (the answers are kept and the page is
/// shown again), an error when it is missing or forged.
fn verified(
    state: &AppState,
    spec: &FormSpec,
    posted: &Posted,
) -> Result<Option<crate::http::token::Verified>, TokenError> {
    match posted
        .token
        .as_deref()
        .map(|t| state.tokens.verify(&spec.id, t, state.now()))
    {
        Some(Ok(v)) => Ok(Some(v)),
        // Their answers are worth more than the page's age: kept, and the page shown again.
        Some(Err(TokenError::Expired)) => Ok(None),
        Some(Err(TokenError::Invalid)) | None => Err(TokenError::Invalid),
    }
}

/// A post to `step` of `spec` (none: the whole form at its old address).
async fn receive_at(
    state: &AppState,
    spec: std::sync::Arc<FormSpec>,
    step: Option<JourneyStep>,
    req: &HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let received = match read_body(state, &spec, step, req, payload).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let posted = read_posted(&spec, &received.pairs);
    let Ok(verified) = verified(state, &spec, &posted) else {
        return forbidden(state);
    };
    let field = |name: &str| {
        received
            .pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let whole = step.is_none();
    let step = step.unwrap_or_else(|| legacy_step(&spec, field("_step")));
    let (key, mut draft, fresh) = match open_draft(state, &spec, req).await {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    if draft.token.is_empty() {
        draft.token = posted.token.clone().unwrap_or_default();
    }
    // The first page carries a language chosen before the journey had a draft.
    if let Some(lang) = field("_lang").and_then(crate::i18n::Lang::parse) {
        draft.lang = Some(lang);
    }
    super::form::follow_draft_language(state, &draft);
    let mut posted = posted;
    let list_landing = match step {
        JourneyStep::Section(_) => {
            super::form_list::complete(&spec, &mut draft, &received.pairs, &mut posted)
        }
        _ => None,
    };
    keep_answers(&spec, &mut draft, &posted, step, whole);
    if let Some(h) = field(HONEYPOT) {
        draft.honeypot = h.to_string();
    }
    draft.notice = None;
    draft.errors_at = None;
    draft.file_error = None;
    let Some(verified) = verified else {
        draft.token = state.tokens.issue(&spec.id, state.now());
        draft.notice = Some("This page had been open for a long time. Your answers have not been sent yet: check them and send the form again.".into());
        return stored(
            state,
            &spec,
            &key,
            &draft,
            fresh,
            see_other(&spec, step, None),
        )
        .await;
    };
    if posted.action == Action::Save && spec.audience == crate::forms::Audience::Professional {
        return super::form_save::save(state, req, &spec, step, key, draft, fresh).await;
    }
    let action = action_of(&spec, &posted.action);
    // Files chosen on the check page travel only with "Send report": leaving it by Back or
    // Change drops them, and the page they land on says so.
    if step == JourneyStep::Check
        && action != JourneyAction::Send
        && (!received.uploads.is_empty() || received.file_error.is_some())
    {
        draft.notice = Some("The files you chose have not been kept. Choose them again on the Check your answers page, just before you send your report.".into());
    }
    let to = decide(state, &spec, &mut draft, step, action);
    if to == JourneyStep::Sent && action == JourneyAction::Send {
        let sending = Sending {
            key,
            draft,
            fresh,
            verified,
            uploads: received.uploads,
            file_error: received.file_error,
            follow_up: field("_follow_up") == Some("yes"),
            notify: field("_follow_up_notify") == Some("yes"),
        };
        return form_send::send(state, &spec, req, sending).await;
    }
    let fragment = list_landing.or_else(|| landing(&spec, &posted));
    let resp = see_other(&spec, to, fragment.as_deref());
    stored(state, &spec, &key, &draft, fresh, resp).await
}

/// The browser's draft, or a new one (with a new key, `true`) when it has none alive.
async fn open_draft(
    state: &AppState,
    spec: &FormSpec,
    req: &HttpRequest,
) -> Result<(DraftKey, Draft, bool), HttpResponse> {
    match draft::load(state, req, &spec.id).await {
        Ok(Some((key, draft))) if draft.sent.is_none() => Ok((key, draft, false)),
        // A new report after one was sent: the same browser key, a new draft.
        Ok(Some((key, _))) => Ok((key, Draft::default(), false)),
        Ok(None) => match DraftKey::generate() {
            Some(key) => Ok((key, Draft::default(), true)),
            None => Err(draft_unavailable(
                state,
                crate::spool::SpoolError::Unavailable("no randomness for a draft key".into()),
            )),
        },
        Err(e) => Err(draft_unavailable(state, e)),
    }
}

/// Seals and stores the draft, then answers with `resp` (and the cookie, for a new draft).
pub(super) async fn stored(
    state: &AppState,
    spec: &FormSpec,
    key: &DraftKey,
    draft: &Draft,
    fresh: bool,
    resp: HttpResponse,
) -> HttpResponse {
    if let Err(e) = draft::save(state, key, &spec.id, draft).await {
        return draft_unavailable(state, e);
    }
    stored_cookie(spec, key, fresh, resp)
}

/// `resp` with the browser's key set, for a draft just made.
pub(super) fn stored_cookie(
    spec: &FormSpec,
    key: &DraftKey,
    fresh: bool,
    mut resp: HttpResponse,
) -> HttpResponse {
    if fresh {
        if let Ok(v) = header::HeaderValue::from_str(&key.cookie(&spec.id)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The page a body from an earlier version names in `_step`; none means the whole form sent.
fn legacy_step(spec: &FormSpec, step: Option<&str>) -> JourneyStep {
    match step {
        Some("gate_ack") => JourneyStep::CallNow,
        Some("narrative_check") => JourneyStep::DangerCheck {
            after: spec.sections.len().saturating_sub(1),
        },
        Some(s) => JourneyStep::parse(spec, s).unwrap_or(JourneyStep::Check),
        None => JourneyStep::Check,
    }
}

/// Puts what the page sent into the draft: a section's own questions, the danger-now answer,
/// or (a whole-form body) everything.
fn keep_answers(
    spec: &FormSpec,
    draft: &mut Draft,
    posted: &Posted,
    step: JourneyStep,
    whole: bool,
) {
    if whole {
        draft.values = posted.values.clone();
        draft.slots = posted.slots.clone();
        crate::forms::show_if::drop_hidden_values(spec, &mut draft.values);
        return;
    }
    match step {
        JourneyStep::Section(i) => {
            replace_section(spec, &mut draft.values, &posted.values, i);
            for (group, shown) in &posted.slots {
                if section_of(spec, group) == Some(i) {
                    draft.slots.insert(group.clone(), *shown);
                }
            }
        }
        JourneyStep::DangerCheck { .. } => {
            if let Some(v) = posted.values.get(fields::NARRATIVE_CHECK) {
                draft
                    .values
                    .insert(fields::NARRATIVE_CHECK.to_string(), v.clone());
            }
        }
        JourneyStep::CallNow | JourneyStep::Check | JourneyStep::Sent | JourneyStep::Tasks => {}
    }
    // Questions an entry does not ask (a child's school, about an adult) are not kept.
    crate::forms::show_if::drop_hidden_values(spec, &mut draft.values);
}

fn action_of(spec: &FormSpec, action: &Action) -> JourneyAction {
    match action {
        Action::Submit => JourneyAction::Send,
        Action::Continue => JourneyAction::Continue,
        Action::Back => JourneyAction::Back,
        Action::Change(id) => {
            JourneyAction::Change(spec.sections.iter().position(|s| &s.id == id).unwrap_or(0))
        }
        Action::AddItem(_) | Action::RemoveItem(..) | Action::EditItem(..) => JourneyAction::Stay,
        Action::Tasks => JourneyAction::Tasks,
        // Handled before the journey moves: the page is kept and its answers saved.
        Action::Save => JourneyAction::Stay,
    }
}

/// The step that follows, with the draft marked for it: the problems to show where the move
/// was turned aside, and whether Continue returns to the check page.
fn decide(
    state: &AppState,
    spec: &FormSpec,
    draft: &mut Draft,
    step: JourneyStep,
    action: JourneyAction,
) -> JourneyStep {
    let v = validation(state, spec, draft, step);
    let to = next(step, action, &v);
    if diverted(step, action, &v) {
        draft.errors_at = Some(to.path(spec));
    }
    // A section left with Continue and nothing wrong on it counts as done on the task list.
    if let (JourneyStep::Section(i), JourneyAction::Continue, true) = (step, action, v.page_ok) {
        if let Some(s) = spec.sections.get(i) {
            if !draft.done.contains(&s.id) {
                draft.done.push(s.id.clone());
            }
        }
    }
    if action == JourneyAction::Tasks {
        draft.returning = false;
    }
    // The Call 999 page has been seen and left.
    if step == JourneyStep::CallNow {
        draft.call_now_due = false;
    }
    if let JourneyAction::Change(_) = action {
        draft.returning = true;
    }
    if to == JourneyStep::Check {
        draft.returning = false;
    }
    to
}

/// What the answers kept so far allow.
fn validation(state: &AppState, spec: &FormSpec, draft: &Draft, step: JourneyStep) -> Validation {
    let answers = answers_of(spec, &draft.values);
    let empty = serde_json::Map::new();
    let map = answers.as_object().unwrap_or(&empty);
    let errors = validate(spec, &answers, crate::ukdate::uk_today())
        .err()
        .unwrap_or_default();
    let page_ok = match step {
        JourneyStep::Section(i) => errors_in(spec, &errors, i).is_empty(),
        JourneyStep::DangerCheck { .. } => map
            .get(fields::NARRATIVE_CHECK)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty()),
        JourneyStep::CallNow | JourneyStep::Check | JourneyStep::Sent | JourneyStep::Tasks => true,
    };
    let danger_now = crate::triage::structured::gate_says_danger(map);
    Validation {
        sections: spec.sections.len(),
        page_ok,
        first_problem: errors
            .iter()
            .map(|e| section_of(spec, &e.field).unwrap_or(0))
            .min(),
        danger_now,
        ask_danger: state.intake.narrative_check(map).is_some(),
        returning: draft.returning,
        call_now_due: draft.call_now_due && danger_now,
    }
}

/// Where "Add another" and "Remove" land: the first box of the entry they changed (the new
/// one, or the one that took the removed one's place).
fn landing(spec: &FormSpec, posted: &Posted) -> Option<String> {
    let (group, index) = match &posted.action {
        Action::AddItem(g) => (g, posted.slots.get(g)?.saturating_sub(1)),
        Action::RemoveItem(g, i) => (g, (*i).min(posted.slots.get(g)?.saturating_sub(1))),
        _ => return None,
    };
    item_anchor(spec, group, index)
}

/// Reads the body: urlencoded for every page, multipart (with the evidence files) from the
/// check page.
async fn read_body(
    state: &AppState,
    spec: &FormSpec,
    step: Option<JourneyStep>,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Received, HttpResponse> {
    match media_type(req).as_str() {
        "application/x-www-form-urlencoded" => {
            let body = read_limited(req, payload, &state.body)
                .await
                .map_err(|e| body_error(state, e))?;
            if cross_site(req) {
                return Err(forbidden(state));
            }
            let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .map_err(|_| unreadable(state))?;
            Ok(Received {
                pairs,
                uploads: Vec::new(),
                file_error: None,
                _held: None,
            })
        }
        "multipart/form-data" => {
            if cross_site(req) {
                return Err(forbidden(state));
            }
            let limits = MultipartLimits {
                text: &state.body,
                files: state.cleaner.limits(),
                file_field: ATTACHMENTS,
                uploads: &state.uploads,
                client: split(state.limits.client_of(req)),
            };
            let admit = |fields: &[(String, String)]| admit_files(state, &spec.id, step, fields);
            match read_multipart(req, payload, &limits, admit).await {
                Ok(parts) => Ok(Received {
                    pairs: parts.fields,
                    uploads: parts.files,
                    file_error: parts.file_error,
                    _held: parts.held,
                }),
                Err(MultipartError::Body(e)) => Err(body_error(state, e)),
                Err(MultipartError::Unexpected(_)) => Err(unreadable(state)),
                Err(MultipartError::Refused) => Err(refused_upload(state)),
                Err(MultipartError::Busy(why)) => Err(busy(state, why)),
            }
        }
        _ => Err(state.pages.message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This form could not be read",
            &["Send the form from its page on this site."],
        )),
    }
}

/// Files are read only from the check-your-answers page (its URL, or for a whole-form body
/// its `_step` before them), and only under a form token this gateway issued for this form. A
/// token that is genuine but old has its page shown again, so its files are read past but not
/// kept.
fn admit_files(
    state: &AppState,
    form: &str,
    step: Option<JourneyStep>,
    fields: &[(String, String)],
) -> Admission {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let at_check = match step {
        Some(s) => s == JourneyStep::Check,
        None => field("_step").map(String::as_str) == Some("check"),
    };
    if !at_check {
        return Admission::Refuse;
    }
    match field("_token").map(|t| state.tokens.verify(form, t, state.now())) {
        Some(Ok(_)) => Admission::Keep,
        Some(Err(TokenError::Expired)) => Admission::Skip,
        Some(Err(TokenError::Invalid)) | None => Admission::Refuse,
    }
}
