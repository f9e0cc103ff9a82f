//! The HTML forms: `GET /forms/{id}` shows one, `POST /forms/{id}` adds an item, shows errors,
//! or accepts the submission and shows its reference. Works without JavaScript; keeps no
//! server-side state of partial answers.

use crate::attachments::{AttachmentError, CleanError};
use crate::follow_up::FollowUpCode;
use crate::forms::html::{
    blank_slots, carried, page_errors, read_posted, section_of, Action, PageError, Posted,
};
use crate::forms::review::review;
use crate::forms::spec::Audience;
use crate::forms::{describe, fields, validate, FieldError, FormSpec};
use crate::http::body::{media_type, read_limited, BodyError};
use crate::http::multipart::{read_multipart, Admission, MultipartError, MultipartLimits};
use crate::http::rate_limit::split;
use crate::http::rate_limit::{too_many_requests, Class};
use crate::http::token::TokenError;
use crate::http::AppState;
use crate::intake::{FollowUpRequest, Receipt};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The honeypot's name: a text box hidden from people (and from assistive technology), which
/// form-filling bots fill in.
const HONEYPOT: &str = "website";

/// The professional's work address: where their content-free follow-up notice goes.
const WORK_EMAIL: &str = "submitter.work_email";

/// The file input on the check-your-answers page.
const ATTACHMENTS: &str = "attachments";

fn not_found(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::NOT_FOUND,
        "Page not found",
        &[
            "If you typed the web address, check it is correct.",
            "You can start again from the home page.",
        ],
    )
}

struct FormPage<'a> {
    values: Map<String, Value>,
    errors: Vec<PageError>,
    slots: HashMap<String, usize>,
    token: String,
    notice: Option<&'a str>,
    /// The section on show; every other section's answers ride along as hidden inputs.
    section: usize,
    /// Came from the check-your-answers page: "Continue" goes back there.
    from_check: bool,
    honeypot: &'a str,
}

fn render_form(state: &AppState, spec: &FormSpec, page: FormPage<'_>) -> HttpResponse {
    let error_map: HashMap<&str, &str> = page
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    let section = page.section.min(spec.sections.len().saturating_sub(1));
    state.pages.respond(
        StatusCode::OK,
        "form.html",
        minijinja::context! {
            form => describe::describe(spec),
            section => section,
            section_count => spec.sections.len(),
            values => page.values,
            hidden => carried(spec, &page.values, Some(section)),
            errors => page.errors,
            error_map => error_map,
            slots => page.slots,
            token => page.token,
            notice => page.notice,
            from_check => page.from_check,
            honeypot => page.honeypot,
            contacts => &state.contacts,
        },
    )
}

/// The check-your-answers page, for answers that passed validation.
fn render_check(
    state: &AppState,
    spec: &FormSpec,
    posted: &Posted,
    answers: &Map<String, Value>,
    token: &str,
    honeypot: &str,
) -> HttpResponse {
    render_check_with(state, spec, posted, answers, token, honeypot, None)
}

/// The check-your-answers page, with the problem a chosen file had. The files must be chosen
/// again: a browser never fills in a file input for the page.
fn render_check_with(
    state: &AppState,
    spec: &FormSpec,
    posted: &Posted,
    answers: &Map<String, Value>,
    token: &str,
    honeypot: &str,
    file_error: Option<String>,
) -> HttpResponse {
    let limits = state.cleaner.limits();
    state.pages.respond(
        StatusCode::OK,
        "check.html",
        minijinja::context! {
            form => describe::summary(spec),
            sections => review(spec, answers),
            hidden => carried(spec, &posted.values, None),
            token => token,
            honeypot => honeypot,
            file_error => file_error,
            pdf => takes_pdf(spec),
            max_files => limits.max_files,
            max_file_mb => limits.max_file_bytes / (1024 * 1024),
            max_total_mb => limits.max_total_bytes / (1024 * 1024),
        },
    )
}

/// Professionals may send documents (a school's chronology); the public send images only.
pub fn takes_pdf(spec: &FormSpec) -> bool {
    spec.audience != crate::forms::spec::Audience::Community
}

/// The interruption shown when the narrative describes danger the gate answers did not:
/// what was noticed (in plain words, never the submitter's own), the 999 guidance, and the
/// question, whose answer travels with the others. `None` when there is nothing to ask.
fn narrative_check(
    state: &AppState,
    spec: &FormSpec,
    posted: &Posted,
    answers: &Map<String, Value>,
    token: &str,
    honeypot: &str,
    error: Option<&str>,
) -> Option<HttpResponse> {
    let noticed = state.intake.narrative_check(answers)?;
    let question = spec.field(fields::NARRATIVE_CHECK)?;
    let mut values = posted.values.clone();
    values.remove(fields::NARRATIVE_CHECK);
    Some(state.pages.respond(
        StatusCode::OK,
        "narrative_check.html",
        minijinja::context! {
            form => describe::summary(spec),
            question => describe::describe_field(question),
            noticed => noticed,
            error => error,
            token => token,
            hidden => carried(spec, &values, None),
            honeypot => honeypot,
            contacts => &state.contacts,
        },
    ))
}

pub async fn show(state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let Some(spec) = state.forms.get(&id) else {
        return not_found(&state);
    };
    let token = state.tokens.issue(&spec.id, state.now());
    render_form(
        &state,
        spec,
        FormPage {
            values: Map::new(),
            errors: Vec::new(),
            slots: blank_slots(spec),
            token,
            notice: None,
            section: 0,
            from_check: false,
            honeypot: "",
        },
    )
}

/// Errors that belong to the questions of one section.
fn errors_in(spec: &FormSpec, errors: &[FieldError], section: usize) -> Vec<FieldError> {
    errors
        .iter()
        .filter(|e| section_of(spec, &e.field) == Some(section))
        .cloned()
        .collect()
}

/// The first section's answers say someone may be in danger now.
fn danger_now(answers: &Value) -> bool {
    answers
        .as_object()
        .is_some_and(crate::triage::structured::gate_says_danger)
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

pub async fn submit(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Some(spec) = state.forms.get(&id).cloned() else {
        return not_found(&state);
    };
    // Holds the memory of the files received until this request ends.
    let (pairs, uploads, file_error, _held) = match media_type(&req).as_str() {
        "application/x-www-form-urlencoded" => {
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
            (pairs, Vec::new(), None, None)
        }
        // The check-your-answers page, which carries the evidence upload.
        "multipart/form-data" => {
            if cross_site(&req) {
                return forbidden(&state);
            }
            let limits = MultipartLimits {
                text: &state.body,
                files: state.cleaner.limits(),
                file_field: ATTACHMENTS,
                uploads: &state.uploads,
                client: split(state.limits.client_of(&req)),
            };
            let admit = |fields: &[(String, String)]| admit_files(&state, &spec.id, fields);
            match read_multipart(&req, payload, &limits, admit).await {
                Ok(parts) => (parts.fields, parts.files, parts.file_error, parts.held),
                Err(MultipartError::Body(e)) => return body_error(&state, e),
                Err(MultipartError::Unexpected(_)) => return unreadable(&state),
                Err(MultipartError::Refused) => return refused_upload(&state),
                Err(MultipartError::Busy(_)) => return busy(&state),
            }
        }
        _ => {
            return state.pages.message(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This form could not be read",
                &["Send the form from its page on this site."],
            )
        }
    };
    let posted = read_posted(&spec, &pairs);
    let verified = match posted
        .token
        .as_deref()
        .map(|t| state.tokens.verify(&spec.id, t, state.now()))
    {
        Some(Ok(v)) => v,
        Some(Err(TokenError::Expired)) => {
            // Their answers are worth more than the page's age: show them again on a fresh
            // page rather than throwing them away.
            return render_form(
                &state,
                &spec,
                FormPage {
                    values: posted.values,
                    errors: Vec::new(),
                    slots: posted.slots,
                    token: state.tokens.issue(&spec.id, state.now()),
                    notice: Some("This page had been open for a long time. Your answers have not been sent yet: check them and send the form again."),
                    section: pairs
                        .iter()
                        .find(|(k, _)| k == "_step")
                        .and_then(|(_, v)| spec.sections.iter().position(|s| &s.id == v))
                        .unwrap_or(0),
                    from_check: false,
                    honeypot: "",
                },
            );
        }
        Some(Err(TokenError::Invalid)) | None => return forbidden(&state),
    };
    let token = posted.token.clone().unwrap_or_default();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let honeypot = field(HONEYPOT).unwrap_or("");
    let from_check = field("_return") == Some("check");
    // Files chosen on the check page travel only with "Send report": leaving it by Back or
    // Change drops them, and the page they land on says so.
    let files_dropped =
        field("_step") == Some("check") && (!uploads.is_empty() || file_error.is_some());
    let dropped_notice = files_dropped.then_some(
        "The files you chose have not been kept. Choose them again on the Check your answers page, just before you send your report.",
    );
    // The page the button was pressed on: a section id, "gate_ack" (the 999 interruption) or
    // "check". An old or scripted post names none.
    let step = field("_step");
    let shown = step.and_then(|s| spec.sections.iter().position(|x| x.id == s));
    let last = spec.sections.len() - 1;
    let page = |section: usize, errors: Vec<PageError>, from_check: bool| FormPage {
        values: posted.values.clone(),
        errors,
        slots: posted.slots.clone(),
        token: token.clone(),
        notice: None,
        section,
        from_check,
        honeypot,
    };
    let today = crate::ukdate::uk_today();
    match &posted.action {
        Action::AddItem(_) | Action::RemoveItem(..) => {
            return render_form(
                &state,
                &spec,
                page(shown.unwrap_or(0), Vec::new(), from_check),
            );
        }
        Action::Back => {
            let to = match step {
                Some("check" | "narrative_check") => last,
                _ => shown.unwrap_or(0).saturating_sub(1),
            };
            let mut page = page(to, Vec::new(), false);
            page.notice = dropped_notice;
            return render_form(&state, &spec, page);
        }
        Action::Change(id) => {
            let to = spec.sections.iter().position(|x| &x.id == id).unwrap_or(0);
            let mut page = page(to, Vec::new(), true);
            page.notice = dropped_notice;
            return render_form(&state, &spec, page);
        }
        Action::Continue => {
            let all = validate(&spec, &posted.answers, today);
            if step == Some("gate_ack") {
                return render_form(&state, &spec, page(1.min(last), Vec::new(), false));
            }
            if step == Some("narrative_check") {
                let answered = posted
                    .answers
                    .get(fields::NARRATIVE_CHECK)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.is_empty());
                return match all {
                    Ok(v) if answered => {
                        render_check(&state, &spec, &posted, &v.answers, &token, honeypot)
                    }
                    Ok(v) => narrative_check(
                        &state,
                        &spec,
                        &posted,
                        &v.answers,
                        &token,
                        honeypot,
                        Some("Select yes if anyone is in danger now or something will happen in the next 24 hours"),
                    )
                    .unwrap_or_else(|| {
                        render_check(&state, &spec, &posted, &v.answers, &token, honeypot)
                    }),
                    Err(e) => first_page_with_errors(&state, &spec, page, &e),
                };
            }
            let here = shown.unwrap_or(0);
            let errors = match &all {
                Ok(_) => Vec::new(),
                Err(e) => errors_in(&spec, e, here),
            };
            if !errors.is_empty() {
                let errors = page_errors(&spec, &errors);
                return render_form(&state, &spec, page(here, errors, from_check));
            }
            if here == 0 && danger_now(&posted.answers) && !from_check {
                // GOV.UK interruption: tell them to call 999, then let them carry on. The
                // answers so far ride along in hidden fields; nothing is kept on the server.
                return state.pages.respond(
                    StatusCode::OK,
                    "interruption.html",
                    minijinja::context! {
                        form => describe::summary(&spec),
                        token => token,
                        hidden => carried(&spec, &posted.values, None),
                        honeypot => honeypot,
                        contacts => &state.contacts,
                    },
                );
            }
            if here < last && !from_check {
                return render_form(&state, &spec, page(here + 1, Vec::new(), false));
            }
            return match all {
                // What they wrote describes danger now that the gate did not: ask them, with
                // the 999 guidance, before the check page.
                Ok(v) => {
                    narrative_check(&state, &spec, &posted, &v.answers, &token, honeypot, None)
                        .unwrap_or_else(|| {
                            render_check(&state, &spec, &posted, &v.answers, &token, honeypot)
                        })
                }
                // A problem left on an earlier page (a page skipped by hand): show that page.
                Err(e) => first_page_with_errors(&state, &spec, page, &e),
            };
        }
        Action::Submit => {}
    }
    let specific_child = posted
        .answers
        .get(fields::SPECIFIC_CHILD)
        .and_then(Value::as_str)
        == Some("yes");
    let validated = match validate(&spec, &posted.answers, today) {
        Ok(v) => v,
        Err(errors) => return first_page_with_errors(&state, &spec, page, &errors),
    };
    // Only the final send spends a submission (the middleware counted this press as
    // navigation); a form served before a surge may draw on the quota kept for it.
    let client = state.limits.client_of(&req);
    if let Err(wait) = state.limits.check_send(client, Some(verified.issued_at)) {
        return too_many_requests(&state, false, Class::Send, wait);
    }
    let refused = |e: Option<AttachmentError>| {
        let message = e.map(|e| e.field_error().message).unwrap_or_else(|| {
            "A file could not be read. Choose it again, or send the report without it".into()
        });
        render_check_with(
            &state,
            &spec,
            &posted,
            &validated.answers,
            &token,
            honeypot,
            Some(message),
        )
    };
    if let Some(e) = file_error {
        return refused(Some(e));
    }
    let files = match state.cleaner.clean_all(uploads, takes_pdf(&spec)).await {
        Ok(files) => files,
        Err(CleanError::Refused(e)) => return refused(Some(e)),
        Err(CleanError::Failed) => return refused(None),
    };
    // Bots: a honeypot field people never see, and a form sent faster than a person could.
    // Either flags the submission; it is still delivered, and its priority is untouched.
    let honeypot = !honeypot.trim().is_empty();
    let too_fast = state.now().saturating_sub(verified.issued_at) < state.min_fill_seconds;
    let flags: &[&str] = if honeypot || too_fast {
        &["suspected_automated"]
    } else {
        &[]
    };
    // The follow-up code is made here and shown once on the confirmation page; only the keys
    // derived from it are committed with the submission. It is never stored or logged.
    let mut code_failed = false;
    let (code, follow_up) = if field("_follow_up") == Some("yes") {
        let notice = (spec.audience == Audience::Professional
            && field("_follow_up_notify") == Some("yes"))
        .then(|| {
            validated
                .answers
                .get(WORK_EMAIL)
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .flatten();
        let code = FollowUpCode::generate();
        match state.follow_up.derive(code.clone()).await {
            Ok(keys) => (
                Some(code),
                Some(FollowUpRequest {
                    key: keys.key(),
                    notice,
                }),
            ),
            Err(e) => {
                tracing::error!(error = %e, "follow-up code not made; the report is sent without one");
                code_failed = true;
                (None, None)
            }
        }
    } else {
        (None, None)
    };
    match state
        .intake
        .submit_with_follow_up(
            &spec,
            validated,
            Some(verified.hash),
            flags,
            None,
            files,
            follow_up,
        )
        .await
    {
        Ok(receipt) => {
            let shown = code.filter(|_| receipt.follow_up).map(|c| c.grouped());
            confirmation(
                &state,
                &spec,
                &receipt,
                specific_child,
                shown.as_deref(),
                code_failed,
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "submission not stored");
            state.pages.message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, your report could not be saved",
                &[
                    "Nothing has been sent. Go back and send the form again in a few minutes: your answers are still on the previous page.",
                    "If someone is in danger now, call 999. Otherwise you can call 101.",
                ],
            )
        }
    }
}

/// The first section with a problem, showing that section's problems. Problems that belong
/// to no section (an unknown field in a crafted post) are shown on the first page.
fn first_page_with_errors<'a>(
    state: &AppState,
    spec: &FormSpec,
    page: impl Fn(usize, Vec<PageError>, bool) -> FormPage<'a>,
    errors: &[FieldError],
) -> HttpResponse {
    let section = errors
        .iter()
        .filter_map(|e| section_of(spec, &e.field))
        .min()
        .unwrap_or(0);
    let mine: Vec<FieldError> = errors
        .iter()
        .filter(|e| section_of(spec, &e.field).unwrap_or(0) == section)
        .cloned()
        .collect();
    render_form(state, spec, page(section, page_errors(spec, &mine), true))
}

fn unreadable(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::BAD_REQUEST,
        "This form could not be read",
        &["Nothing has been sent. Go back and send the form again."],
    )
}

/// Files are read only from the check-your-answers page (its step comes before them), and only
/// under a form token this gateway issued for this form. A token that is genuine but old has
/// its page shown again with the answers, so its files are read past but not kept.
fn admit_files(state: &AppState, form: &str, fields: &[(String, String)]) -> Admission {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if field("_step").map(String::as_str) != Some("check") {
        return Admission::Refuse;
    }
    match field("_token").map(|t| state.tokens.verify(form, t, state.now())) {
        Some(Ok(_)) => Admission::Keep,
        Some(Err(TokenError::Expired)) => Admission::Skip,
        Some(Err(TokenError::Invalid)) | None => Admission::Refuse,
    }
}

/// Files sent without the form's token and step before them: not read, and the connection
/// closed, since the rest of the body is not worth receiving.
fn refused_upload(state: &AppState) -> HttpResponse {
    let mut resp = forbidden(state);
    resp.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    resp
}

/// No memory for files just now: the client already has uploads arriving, or everyone's
/// budget is spent. Nothing is kept; trying again shortly works.
fn busy(state: &AppState) -> HttpResponse {
    let mut resp = state.pages.message(
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is busy receiving files",
        &[
            "Nothing has been sent yet. Wait a minute, go back and send the form again: your answers are still on the page you came from.",
            "If someone is in danger now, call 999.",
        ],
    );
    resp.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from_static("30"),
    );
    resp.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    resp
}

fn body_error(state: &AppState, e: BodyError) -> HttpResponse {
    match e {
        BodyError::TooLarge => state.pages.message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Your answers are too long to send",
            &[
                "Nothing has been sent. Go back, shorten the longest answers or send fewer or smaller files, and send the form again.",
                "If someone is in danger now, call 999.",
            ],
        ),
        BodyError::TooSlow => {
            let mut resp = state.pages.message(
                StatusCode::REQUEST_TIMEOUT,
                "Your answers took too long to arrive",
                &[
                    "Nothing has been sent. Check your connection, go back and send the form again.",
                    "If someone is in danger now, call 999.",
                ],
            );
            resp.head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            resp
        }
        BodyError::Broken => state.pages.message(
            StatusCode::BAD_REQUEST,
            "Your answers did not arrive",
            &["Nothing has been sent. Go back and send the form again."],
        ),
    }
}

fn forbidden(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::FORBIDDEN,
        "This form could not be checked",
        &[
            "Nothing has been sent. Open the form again from this site and fill it in there.",
            "If someone is in danger now, call 999.",
        ],
    )
}

fn confirmation(
    state: &AppState,
    spec: &FormSpec,
    receipt: &Receipt,
    specific_child: bool,
    code: Option<&str>,
    code_failed: bool,
) -> HttpResponse {
    state.pages.respond(
        StatusCode::OK,
        "confirmation.html",
        minijinja::context! {
            form => describe::summary(spec),
            reference => receipt.reference.as_str(),
            priority => receipt.priority.as_str(),
            immediate => receipt.priority == crate::triage::Priority::Immediate,
            duplicate => receipt.duplicate,
            specific_child => specific_child,
            code => code,
            code_failed => code_failed,
            contacts => &state.contacts,
        },
    )
}
