//! The HTML forms, one page per step: `GET /forms/{id}` starts, `GET /forms/{id}/{step}` shows
//! a step with the answers kept in the browser's draft (see [`crate::http::draft`]), and a
//! `POST` to the same URL ([`super::form_post`]) stores the page's answers and redirects to the
//! next step. Works without JavaScript; no page carries another page's answers.

use crate::forms::html::{answers_of, blank_slots, page_errors, section_of, PageError};
use crate::forms::journey::JourneyStep;
use crate::forms::review::review_in;
use crate::forms::{describe, fields, validate, FieldError, FormSpec};
use crate::http::draft::{self, Draft, DraftKey};
use crate::http::AppState;
use crate::i18n::{form_text, page};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The honeypot's name: a text box hidden from people (and from assistive technology), which
/// form-filling bots fill in.
pub(super) const HONEYPOT: &str = "website";

/// The message on the danger-now question when it was not answered.
pub(super) const DANGER_UNANSWERED: &str =
    "Select yes if anyone is in danger now or something will happen in the next 24 hours";

pub(super) fn not_found(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::NOT_FOUND,
        "Page not found",
        &[
            "If you typed the web address, check it is correct.",
            "You can start again from the home page.",
        ],
    )
}

/// A 303 to a step of the form (`fragment` without its `#`).
pub(super) fn see_other(
    spec: &FormSpec,
    step: JourneyStep,
    fragment: Option<&str>,
) -> HttpResponse {
    let mut to = format!("/forms/{}/{}", spec.id, step.path(spec));
    if let Some(f) = fragment {
        to.push('#');
        to.push_str(f);
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// The start of the form, for a page asked for without a live draft.
fn to_start(spec: &FormSpec) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/forms/{}", spec.id)))
        .finish()
}

pub(super) fn draft_unavailable(state: &AppState, e: crate::spool::SpoolError) -> HttpResponse {
    tracing::error!(error = %e, "draft store unavailable");
    state.pages.message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sorry, there is a problem with the service",
        &[
            "Your answers could not be kept. Try again in a few minutes.",
            "If someone is in danger now, call 999. Otherwise you can call 101.",
        ],
    )
}

/// Professionals may send documents (a school's chronology); the public send images only.
pub fn takes_pdf(spec: &FormSpec) -> bool {
    spec.audience != crate::forms::spec::Audience::Community
}

/// The answers kept so far, as an object.
pub(super) fn answers_so_far(spec: &FormSpec, draft: &Draft) -> Map<String, Value> {
    match answers_of(spec, &draft.values) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `GET /forms/{id}`: the first page. A live draft fills it in; without one it is blank.
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> HttpResponse {
    let Some(spec) = state.forms.get(&id) else {
        return not_found(&state);
    };
    let draft = match draft::load(&state, &req, &spec.id).await {
        Ok(d) => d.filter(|(_, d)| d.sent.is_none()),
        Err(e) => return draft_unavailable(&state, e),
    };
    let draft = match draft {
        Some((key, mut d)) => match journey_language(&state, &spec.id, &key, &mut d).await {
            Ok(()) => Some(d),
            Err(e) => return draft_unavailable(&state, e),
        },
        None => None,
    };
    section_page(&state, spec, 0, draft)
}

/// `GET /forms/{id}/{step}`.
pub async fn step(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (id, step) = path.into_inner();
    show_step(&state, &req, &id, &step).await
}

/// `GET /forms/{id}/{section}/danger-now`.
pub async fn danger_step(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (id, section) = path.into_inner();
    show_step(&state, &req, &id, &format!("{section}/danger-now")).await
}

async fn show_step(state: &AppState, req: &HttpRequest, id: &str, step: &str) -> HttpResponse {
    let Some(spec) = state.forms.get(id) else {
        return not_found(state);
    };
    if step == super::form_copy::COPY {
        return super::form_copy::show(state, req, spec).await;
    }
    let Some(step) = JourneyStep::parse(spec, step) else {
        return not_found(state);
    };
    let draft = match draft::load(state, req, &spec.id).await {
        Ok(d) => d,
        Err(e) => return draft_unavailable(state, e),
    };
    let Some((key, mut draft)) = draft else {
        // Nothing to show but the start: a page from before Exit, or from a draft gone idle.
        return to_start(spec);
    };
    if let Err(e) = journey_language(state, &spec.id, &key, &mut draft).await {
        return draft_unavailable(state, e);
    }
    if draft.sent.is_some() && step != JourneyStep::Sent {
        return see_other(spec, JourneyStep::Sent, None);
    }
    match step {
        JourneyStep::Section(i) => section_page(state, spec, i, Some(draft)),
        JourneyStep::CallNow => call_now_page(state, spec, &draft),
        JourneyStep::DangerCheck { after } => danger_page(state, spec, after, &draft),
        JourneyStep::Check => check_page(state, spec, &draft),
        JourneyStep::Sent => confirmation(state, spec, &draft),
        JourneyStep::Tasks => {
            // A sitting spread over the task list (after a break, perhaps): if the gate said
            // danger now, the Call 999 page comes again before the report goes.
            if !draft.call_now_due {
                draft.call_now_due = true;
                if let Err(e) = draft::save(state, &key, &spec.id, &draft).await {
                    return draft_unavailable(state, e);
                }
            }
            super::form_tasks::tasks_page(state, spec, &draft)
        }
    }
}

/// The journey's language: one chosen on this page (`?lang=`) is kept in the draft for the pages
/// after it; without one, the draft's earlier choice is this page's language.
async fn journey_language(
    state: &AppState,
    form: &str,
    key: &DraftKey,
    draft: &mut Draft,
) -> Result<(), crate::spool::SpoolError> {
    let here = page::current();
    if here.chosen {
        if draft.lang != Some(here.lang) {
            draft.lang = Some(here.lang);
            draft::save(state, key, form, draft).await?;
        }
    } else {
        follow_draft_language(state, draft);
    }
    Ok(())
}

/// Shows this page in the language the journey chose, if it is still offered.
pub(super) fn follow_draft_language(state: &AppState, draft: &Draft) {
    if let Some(lang) = draft.lang.filter(|l| state.pages.languages().contains(l)) {
        page::choose(lang);
    }
}

/// The form's description, in the page's language.
pub(super) fn described(state: &AppState, spec: &FormSpec) -> Value {
    let mut d = describe::describe(spec);
    form_text::localise(
        state.pages.catalog(),
        page::current().lang,
        &spec.id,
        &mut d,
    );
    d
}

/// The form's id, title and audience, in the page's language.
pub(super) fn summary(state: &AppState, spec: &FormSpec) -> Value {
    let mut d = describe::summary(spec);
    form_text::localise(
        state.pages.catalog(),
        page::current().lang,
        &spec.id,
        &mut d,
    );
    d
}

/// Validation messages in the page's language (the validator's English where it lacks them);
/// the API's too, in the language its `Accept-Language` asks for. Codes and fields stay.
pub(crate) fn localised(
    state: &AppState,
    spec: &FormSpec,
    mut errors: Vec<FieldError>,
) -> Vec<FieldError> {
    let lang = page::current().lang;
    for e in &mut errors {
        if let Some(m) = form_text::error_message(state.pages.catalog(), lang, spec, e) {
            e.message = m;
        }
    }
    errors
}

/// A refused file's error in the language asked for (the API's `Accept-Language`); the field
/// and code stay.
pub(crate) fn localised_file_error(
    state: &AppState,
    e: &crate::attachments::AttachmentError,
) -> FieldError {
    let mut error = e.field_error();
    error.message = state
        .pages
        .catalog()
        .translate_english(page::current().lang, &error.message);
    error
}

/// Errors that belong to the questions of one section.
pub(super) fn errors_in(spec: &FormSpec, errors: &[FieldError], section: usize) -> Vec<FieldError> {
    errors
        .iter()
        .filter(|e| section_of(spec, &e.field).unwrap_or(0) == section)
        .cloned()
        .collect()
}

fn section_page(
    state: &AppState,
    spec: &FormSpec,
    section: usize,
    draft: Option<Draft>,
) -> HttpResponse {
    let section = section.min(spec.sections.len().saturating_sub(1));
    let draft = draft.unwrap_or_else(|| Draft {
        token: state.tokens.issue(&spec.id, state.now()),
        slots: blank_slots(spec),
        ..Draft::default()
    });
    let here = JourneyStep::Section(section).path(spec);
    let errors: Vec<PageError> = if draft.errors_at.as_deref() == Some(here.as_str()) {
        let answers = answers_of(spec, &draft.values);
        match validate(spec, &answers, crate::ukdate::uk_today()) {
            Ok(_) => Vec::new(),
            Err(e) => page_errors(spec, &localised(state, spec, errors_in(spec, &e, section))),
        }
    } else {
        Vec::new()
    };
    let error_map: HashMap<&str, &str> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    let mut slots = blank_slots(spec);
    slots.extend(draft.slots.iter().map(|(k, v)| (k.clone(), *v)));
    let with_problems: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    let listed = super::form_list::listed(spec, section, &slots, &with_problems);
    state.pages.respond(
        StatusCode::OK,
        "form.html",
        minijinja::context! {
            form => described(state, spec),
            section => section,
            section_count => spec.sections.len(),
            action => format!("/forms/{}/{here}", spec.id),
            values => draft.values,
            errors => errors,
            error_map => error_map,
            slots => slots,
            listed => listed,
            open_entries => draft.open,
            picks => crate::forms::pick::choices(spec, &draft.values),
            token => draft.token,
            notice => draft.notice,
            from_check => draft.returning,
            honeypot => draft.honeypot,
            contacts => &state.contacts,
        },
    )
}

fn call_now_page(state: &AppState, spec: &FormSpec, draft: &Draft) -> HttpResponse {
    state.pages.respond(
        StatusCode::OK,
        "interruption.html",
        minijinja::context! {
            form => summary(state, spec),
            action => format!("/forms/{}/{}", spec.id, JourneyStep::CallNow.path(spec)),
            token => draft.token,
            contacts => &state.contacts,
        },
    )
}

/// The question asked when what was written reads as danger now that the gate answers did not:
/// what was noticed (in plain words, never the submitter's own), the 999 guidance, and Yes / No
/// / Not sure. Nothing to ask (answered already, or the words changed): the journey goes on.
fn danger_page(state: &AppState, spec: &FormSpec, after: usize, draft: &Draft) -> HttpResponse {
    let step = JourneyStep::DangerCheck { after };
    let answers = answers_so_far(spec, draft);
    let (Some(noticed), Some(question)) = (
        state.intake.narrative_check(&answers),
        spec.field(fields::NARRATIVE_CHECK),
    ) else {
        let onward = if after + 1 < spec.sections.len() && !draft.returning {
            JourneyStep::Section(after + 1)
        } else {
            JourneyStep::Check
        };
        return see_other(spec, onward, None);
    };
    let error =
        (draft.errors_at.as_deref() == Some(step.path(spec).as_str())).then_some(DANGER_UNANSWERED);
    state.pages.respond(
        StatusCode::OK,
        "narrative_check.html",
        minijinja::context! {
            form => summary(state, spec),
            action => format!("/forms/{}/{}", spec.id, step.path(spec)),
            question => {
                let mut q = describe::describe_field(question);
                form_text::localise(state.pages.catalog(), page::current().lang, &spec.id, &mut q);
                q
            },
            noticed => noticed,
            error => error,
            token => draft.token,
            contacts => &state.contacts,
        },
    )
}

/// The check-your-answers page, for answers that pass validation; otherwise the first page
/// with a problem.
fn check_page(state: &AppState, spec: &FormSpec, draft: &Draft) -> HttpResponse {
    let answers = answers_of(spec, &draft.values);
    let validated = match validate(spec, &answers, crate::ukdate::uk_today()) {
        Ok(v) => v,
        Err(errors) => {
            let first = errors
                .iter()
                .filter_map(|e| section_of(spec, &e.field))
                .min()
                .unwrap_or(0);
            return see_other(spec, JourneyStep::Section(first), None);
        }
    };
    // Yes, no and dates in words too, besides the form's own words.
    let wording = form_text::PageWording {
        catalog: state.pages.catalog(),
        lang: page::current().lang,
    };
    let limits = state.cleaner.limits();
    state.pages.respond(
        StatusCode::OK,
        "check.html",
        minijinja::context! {
            form => summary(state, spec),
            action => format!("/forms/{}/{}", spec.id, JourneyStep::Check.path(spec)),
            sections => review_in(
                &form_text::localised_spec(wording.catalog, wording.lang, spec),
                &validated.answers,
                &wording,
            ),
            token => draft.token,
            notice => draft.notice,
            file_error => draft.file_error,
            pdf => takes_pdf(spec),
            max_files => limits.max_files,
            max_file_mb => limits.max_file_bytes / (1024 * 1024),
            max_total_mb => limits.max_total_bytes / (1024 * 1024),
        },
    )
}

pub(super) fn confirmation(state: &AppState, spec: &FormSpec, draft: &Draft) -> HttpResponse {
    let Some(sent) = &draft.sent else {
        return see_other(spec, JourneyStep::Check, None);
    };
    state.pages.respond(
        StatusCode::OK,
        "confirmation.html",
        minijinja::context! {
            form => summary(state, spec),
            reference => sent.reference,
            priority => sent.priority,
            immediate => sent.immediate,
            duplicate => sent.duplicate,
            specific_child => sent.specific_child,
            code => sent.code,
            code_failed => sent.code_failed,
            copy => sent.copy.as_ref().is_some_and(|c| super::form_copy::available(state, c)),
            contacts => &state.contacts,
        },
    )
}

/// A browser posting from another site is not our form, whatever token it carries.
///
/// `Sec-Fetch-Site` is set by the browser and cannot be written by a page, so when it says
/// same-origin that settles it: a same-origin post can still carry `Origin: null` (Chromium and
/// Firefox send that for a navigation from a page whose referrer policy is `no-referrer`).
/// Browsers without `Sec-Fetch-Site` fall back to the `Origin` check.
pub(crate) fn cross_site(req: &HttpRequest) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site != "same-origin" && site != "none";
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return true;
        }
    }
    false
}
