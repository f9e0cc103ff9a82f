//! The JSON API for partner systems.

use crate::attachments::{CleanError, Upload};
use crate::follow_up::FollowUpCode;
use crate::forms::FormSpec;
use crate::forms::{describe, validate, FieldError, FormRegistry};
use crate::http::body::{media_type, read_limited, BodyError};
use crate::http::error::ApiError;
use crate::http::multipart::{read_multipart, Admission, MultipartError, MultipartLimits};
use crate::http::routes::form::takes_pdf;
use crate::http::uploads::Slot;
use crate::http::AppState;
use crate::intake::{FollowUpRequest, IntakeError};
use crate::reference::Reference;
use crate::triage::Priority;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub async fn list_forms(state: web::Data<AppState>) -> HttpResponse {
    let forms: Vec<Value> = state.forms.iter().map(|f| describe::summary(f)).collect();
    HttpResponse::Ok().json(json!({ "forms": forms }))
}

pub async fn describe_form(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let spec = state.forms.get(&id).ok_or(ApiError::NotFound)?;
    let mut description = describe::describe(spec);
    if let Some(obj) = description.as_object_mut() {
        obj.insert("attachments".into(), attachments_description(&state, spec));
    }
    Ok(HttpResponse::Ok().json(description))
}

/// How to send files with a submission, and what is taken.
fn attachments_description(state: &AppState, spec: &FormSpec) -> Value {
    let limits = state.cleaner.limits();
    let mut accepted = vec!["image/jpeg", "image/png", "image/webp"];
    if takes_pdf(spec) {
        accepted.push("application/pdf");
    }
    json!({
        "content_type": "multipart/form-data",
        "submission_part": SUBMISSION_PART,
        "file_part": FILE_PART,
        "accepted": accepted,
        "type_from": "content",
        "max_files": limits.max_files,
        "max_file_bytes": limits.max_file_bytes,
        "max_total_bytes": limits.max_total_bytes,
        "max_megapixels": limits.max_megapixels,
        "images": "decoded, turned upright and encoded again without metadata",
        "error_field": "attachments[i], from 0 in the order the file parts were sent",
    })
}

/// The multipart part that holds the JSON `{"form", "answers"}`.
const SUBMISSION_PART: &str = "submission";
/// The name of every file part.
const FILE_PART: &str = "attachments";
/// `"follow_up": true` asks for a follow-up code, returned once as `follow_up_code`.
const FOLLOW_UP: &str = "follow_up";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionBody {
    form: String,
    answers: Value,
}

fn invalid(field: &str, code: &'static str, message: &str) -> ApiError {
    ApiError::Invalid(vec![FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }])
}

/// The partner agency a request's bearer token names; `None` for a public request. A verified
/// partner is charged to its own quota and then the global one (429 when either is spent). A
/// token that is malformed or names no active partner is a 401, charged to the client's own send
/// quota (429 once that is spent), so a junk header costs its sender and never the public.
async fn partner(state: &AppState, req: &HttpRequest) -> Result<Option<String>, ApiError> {
    use crate::partners::{credential, Credential};
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    let agency = match credential(header) {
        Credential::None => return Ok(None),
        Credential::Bearer(hash) => state
            .intake
            .spool()
            .partner_for_token(hash)
            .await
            .map_err(|_| ApiError::Unavailable)?,
        Credential::Malformed => None,
    };
    let retry = |wait: std::time::Duration| ApiError::PartnerRateLimited {
        retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
    };
    if let Some(agency) = agency {
        state.limits.check_partner(&agency).map_err(retry)?;
        return Ok(Some(agency));
    }
    let client = state.limits.client_of(req);
    state
        .limits
        .charge_refused_credential(client)
        .map_err(retry)?;
    state
        .intake
        .metrics()
        .inc(crate::metrics::Counter::PartnerTokenRefused, &[]);
    Err(ApiError::Unauthorized)
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let agency = partner(&state, &req).await?;
    // Holds the memory of the files received until this request ends.
    let (body, uploads, _held) = match media_type(&req).as_str() {
        "application/json" => read_json(&state, &req, payload).await?,
        "multipart/form-data" => read_multipart_submission(&state, &req, payload).await?,
        _ => return Err(ApiError::UnsupportedMediaType),
    };
    let (spec, answers, wants_code) = parse_submission_with_options(&state.forms, &body)?;
    let validated = validate(&spec, &answers, crate::ukdate::uk_today())
        .map_err(|errors| ApiError::Invalid(super::form::localised(&state, &spec, errors)))?;
    let files = state
        .cleaner
        .clean_all(uploads, takes_pdf(&spec))
        .await
        .map_err(|e| match e {
            CleanError::Refused(e) => {
                ApiError::Invalid(vec![super::form::localised_file_error(&state, &e)])
            }
            CleanError::Failed => ApiError::Internal("a file could not be cleaned".into()),
        })?;
    // As on the confirmation page: made here, only its keys committed, returned once.
    let (code, follow_up) = if wants_code {
        let code = FollowUpCode::generate();
        let keys = state
            .follow_up
            .derive(code.clone())
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        (
            Some(code),
            Some(FollowUpRequest {
                key: keys.key(),
                notice: None,
            }),
        )
    } else {
        (None, None)
    };
    let receipt = state
        .intake
        .submit_with_follow_up(
            &spec,
            validated,
            None,
            &[],
            agency.as_deref(),
            files,
            follow_up,
        )
        .await
        .map_err(|e| match e {
            IntakeError::Unavailable(e) => ApiError::Shed(e.limit()),
            other => ApiError::Internal(other.to_string()),
        })?;
    if let Some(agency) = &agency {
        state.intake.metrics().inc(
            crate::metrics::Counter::PartnerSubmissions,
            &[("agency", agency)],
        );
    }
    let mut resp = json!({
        "reference": receipt.reference.as_str(),
        "priority": receipt.priority,
        "received_at": receipt.received_at,
    });
    if let Some(code) = code.filter(|_| receipt.follow_up) {
        resp["follow_up_code"] = json!(code.grouped());
        // The same code as eight words, for a partner system to show a person.
        resp["follow_up_words"] = json!(code.words());
    }
    Ok(HttpResponse::Created().json(resp))
}

/// A body that broke a limit or the connection, as the API says it.
fn body_error(state: &AppState, e: BodyError) -> ApiError {
    match e {
        BodyError::TooLarge => ApiError::TooLarge {
            limit: state.body.max_bytes + state.cleaner.limits().max_total_bytes,
        },
        BodyError::TooSlow => ApiError::TooSlow,
        BodyError::Broken => ApiError::Malformed,
    }
}

/// The submission, and the files sent with it and the memory they hold (to keep while they live).
type Received = (Vec<u8>, Vec<Upload>, Option<Slot>);

/// A submission sent as JSON alone.
async fn read_json(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Received, ApiError> {
    let body = read_limited(req, payload, &state.body)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => ApiError::TooLarge {
                limit: state.body.max_bytes,
            },
            other => body_error(state, other),
        })?;
    Ok((body.to_vec(), Vec::new(), None))
}

/// A submission sent as multipart: the JSON in its `submission` part, then the files.
async fn read_multipart_submission(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Received, ApiError> {
    let limits = MultipartLimits {
        text: &state.body,
        files: state.cleaner.limits(),
        file_field: FILE_PART,
        uploads: &state.uploads,
        client: crate::http::rate_limit::split(state.limits.client_of(req)),
    };
    // Files are read only after the submission they belong to.
    let admit = |fields: &[(String, String)]| {
        if fields.iter().any(|(k, _)| k == SUBMISSION_PART) {
            Admission::Keep
        } else {
            Admission::Refuse
        }
    };
    let mut parts = read_multipart(req, payload, &limits, admit)
        .await
        .map_err(|e| match e {
            MultipartError::Body(e) => body_error(state, e),
            MultipartError::Unexpected(name) => invalid(
                &name,
                "unknown_field",
                "Files go in parts named `attachments`",
            ),
            MultipartError::Refused => invalid(
                SUBMISSION_PART,
                "submission_first",
                "Send the `submission` part before the `attachments` file parts",
            ),
            MultipartError::Busy(busy) => ApiError::Busy(busy),
        })?;
    let held = parts.held.take();
    if let Some(e) = parts.file_error {
        return Err(ApiError::Invalid(vec![super::form::localised_file_error(
            state, &e,
        )]));
    }
    let mut submission = None;
    for (name, value) in parts.fields {
        if name != SUBMISSION_PART || submission.is_some() {
            return Err(invalid(
                &name,
                "unknown_field",
                "Send one `submission` part (the JSON) and `attachments` file parts",
            ));
        }
        submission = Some(value.into_bytes());
    }
    let submission = submission.ok_or_else(|| {
        invalid(
            SUBMISSION_PART,
            "required",
            "Send the JSON submission in a part named `submission`",
        )
    })?;
    Ok((submission, parts.files, held))
}

/// The 201 for a stored submission: its reference, priority and time received.
pub fn created(reference: &Reference, priority: Priority, received_at: &str) -> HttpResponse {
    HttpResponse::Created().json(json!({
        "reference": reference.as_str(),
        "priority": priority,
        "received_at": received_at,
    }))
}

/// The JSON `{"form", "answers"}`, strictly read: the form it names and its answers. The
/// CPU-ceiling bench (benches/cpu_ceiling.rs) reads bodies with this too.
pub fn parse_submission(
    forms: &FormRegistry,
    body: &[u8],
) -> Result<(Arc<FormSpec>, Value), ApiError> {
    parse_submission_with_options(forms, body).map(|(spec, answers, _)| (spec, answers))
}

/// As [`parse_submission`], with the optional `"follow_up": true` (make a follow-up code and
/// return it, once, in the 201).
pub fn parse_submission_with_options(
    forms: &FormRegistry,
    body: &[u8],
) -> Result<(Arc<FormSpec>, Value, bool), ApiError> {
    let value: Value = crate::http::strict_json::parse(body).map_err(|e| match e {
        crate::http::strict_json::JsonError::Syntax => ApiError::Malformed,
        crate::http::strict_json::JsonError::Refused {
            field,
            code,
            message,
        } => invalid(&field, code, message),
    })?;
    let Some(obj) = value.as_object() else {
        return Err(invalid(
            "",
            "wrong_type",
            "The body must be an object with `form` and `answers`",
        ));
    };
    if let Some(extra) = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "form" | "answers" | FOLLOW_UP))
    {
        return Err(invalid(
            extra,
            "unknown_field",
            "Only `form`, `answers` and `follow_up` are allowed",
        ));
    }
    let follow_up = match obj.get(FOLLOW_UP) {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(invalid(
                FOLLOW_UP,
                "wrong_type",
                "`follow_up` must be true or false",
            ))
        }
    };
    let (has_form, has_answers) = (obj.contains_key("form"), obj.contains_key("answers"));
    let mut value = value;
    if let Some(obj) = value.as_object_mut() {
        obj.remove(FOLLOW_UP);
    }
    let parsed: SubmissionBody = match serde_json::from_value(value) {
        Ok(b) => b,
        Err(_) if !has_form => return Err(invalid("form", "required", "Name the form")),
        Err(_) if !has_answers => return Err(invalid("answers", "required", "Send the answers")),
        Err(_) => return Err(invalid("form", "wrong_type", "`form` must be a form id")),
    };
    let spec = forms.get(&parsed.form).cloned().ok_or_else(|| {
        invalid(
            "form",
            "unknown_form",
            "No such form; see GET /api/v1/forms",
        )
    })?;
    Ok((spec, parsed.answers, follow_up))
}
