//! The JSON API for partner systems.

use crate::forms::{describe, validate, FieldError};
use crate::http::body::{media_type, read_limited, BodyError};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::intake::IntakeError;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

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

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if media_type(&req) != "application/json" {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = read_limited(&req, payload, &state.body)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => ApiError::TooLarge {
                limit: state.body.max_bytes,
            },
            BodyError::TooSlow => ApiError::TooSlow,
            BodyError::Broken => ApiError::Malformed,
        })?;
    let value: Value = crate::http::strict_json::parse(&body).map_err(|e| match e {
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
    let spec = state.forms.get(&parsed.form).cloned().ok_or_else(|| {
        invalid(
            "form",
            "unknown_form",
            "No such form; see GET /api/v1/forms",
        )
    })?;
    let validated =
        validate(&spec, &parsed.answers, crate::ukdate::uk_today()).map_err(ApiError::Invalid)?;
    let receipt = state
        .intake
        .submit(&spec, validated, None)
        .await
        .map_err(|e| match e {
            IntakeError::Unavailable(_) => ApiError::Unavailable,
            other => ApiError::Internal(other.to_string()),
        })?;
    Ok(HttpResponse::Created().json(json!({
        "reference": receipt.reference.as_str(),
        "priority": receipt.priority,
        "received_at": receipt.received_at,
    })))
}
