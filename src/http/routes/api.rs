//! The JSON API for partner systems.

use crate::forms::{describe, validate, FieldError, FormRegistry, FormSpec, Validated};
use crate::http::body::{media_type, read_limited, BodyError, BodyLimits};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::intake::IntakeError;
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
    Ok(HttpResponse::Ok().json(describe::describe(spec)))
}

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

/// The partner agency a request's bearer token names; `None` for a public request. A token
/// that names no active partner is a 401 (charged to the client's own limit first), and a
/// partner over its quota a 429.
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
    match agency {
        Some(agency) => {
            state.limits.check_partner(&agency).map_err(retry)?;
            Ok(Some(agency))
        }
        None => {
            let client = state.limits.client_of(req);
            state
                .limits
                .check_client(crate::http::rate_limit::Class::Send, client)
                .map_err(retry)?;
            state
                .intake
                .metrics()
                .inc("pisg_partner_token_refused_total", &[]);
            Err(ApiError::Unauthorized)
        }
    }
}

/// A JSON body, within the size and time limits.
pub async fn read_json_body(
    req: &HttpRequest,
    payload: web::Payload,
    limits: &BodyLimits,
) -> Result<web::Bytes, ApiError> {
    if media_type(req) != "application/json" {
        return Err(ApiError::UnsupportedMediaType);
    }
    read_limited(req, payload, limits)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => ApiError::TooLarge {
                limit: limits.max_bytes,
            },
            BodyError::TooSlow => ApiError::TooSlow,
            BodyError::Broken => ApiError::Malformed,
        })
}

/// A submission body read as the API reads it: strict JSON, `form` and `answers` only, a known
/// form, answers validated against it (field-level errors). The CPU-ceiling bench calls this
/// too, so what it measures is this code.
pub fn parse_submission(
    forms: &FormRegistry,
    body: &[u8],
) -> Result<(Arc<FormSpec>, Validated), ApiError> {
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
    if let Some(extra) = obj.keys().find(|k| *k != "form" && *k != "answers") {
        return Err(invalid(
            extra,
            "unknown_field",
            "Only `form` and `answers` are allowed",
        ));
    }
    let (has_form, has_answers) = (obj.contains_key("form"), obj.contains_key("answers"));
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
    let validated =
        validate(&spec, &parsed.answers, crate::ukdate::uk_today()).map_err(ApiError::Invalid)?;
    Ok((spec, validated))
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let agency = partner(&state, &req).await?;
    let body = read_json_body(&req, payload, &state.body).await?;
    let (spec, validated) = parse_submission(&state.forms, &body)?;
    let receipt = state
        .intake
        .submit_via(&spec, validated, None, &[], agency.as_deref())
        .await
        .map_err(|e| match e {
            IntakeError::Unavailable(_) => ApiError::Unavailable,
            other => ApiError::Internal(other.to_string()),
        })?;
    if let Some(agency) = &agency {
        state
            .intake
            .metrics()
            .inc("pisg_partner_submissions_total", &[("agency", agency)]);
    }
    Ok(created(
        &receipt.reference,
        receipt.priority,
        &receipt.received_at,
    ))
}

/// The 201 for a stored submission: its reference, priority and time received.
pub fn created(reference: &Reference, priority: Priority, received_at: &str) -> HttpResponse {
    HttpResponse::Created().json(json!({
        "reference": reference.as_str(),
        "priority": priority,
        "received_at": received_at,
    }))
}
