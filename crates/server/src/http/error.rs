//! Errors of the JSON API, each with its status and a body a partner system can act on.
//! Nothing here echoes a submitted value; an internal cause is logged, never returned.

use crate::forms::FieldError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    #[error("malformed JSON")]
    Malformed,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    TooLarge { limit: usize },
    #[error("body too slow")]
    TooSlow,
    #[error("not found")]
    NotFound,
    #[error("spool unavailable")]
    Unavailable,
    /// A submission the spool cannot take now, at the limit named (see [`crate::http::shed`]).
    #[error("submission shed at {0}")]
    Shed(&'static str),
    /// No memory for files just now (the client's share of uploads, or everyone's budget).
    #[error("busy receiving files")]
    Busy(crate::http::uploads::Busy),
    #[error("rate limited")]
    RateLimited,
    /// Over a partner's own quota: retry after this many seconds.
    #[error("partner rate limited")]
    PartnerRateLimited { retry_after: u64 },
    /// An `Authorization` header that is not an active partner's bearer token.
    #[error("invalid partner token")]
    Unauthorized,
    /// An officer's request that is unsigned, wrongly signed, stale, replayed, or from a key
    /// not on a route that received the submission.
    #[error("officer request refused")]
    OfficerRefused(crate::officer::verify::Refusal),
    /// The submitter took no follow-up code (or the submission is purged).
    #[error("no follow-up")]
    NoFollowUp,
    /// The submission's workflow is closed: no step (and no share) is recorded after `closed`.
    #[error("workflow closed")]
    WorkflowClosed,
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    errors: &'a [FieldError],
}

fn one(field: &str, code: &'static str, message: String) -> Vec<FieldError> {
    vec![FieldError {
        field: field.into(),
        code,
        message,
    }]
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Malformed => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unavailable | ApiError::Shed(_) | ApiError::Busy(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::RateLimited | ApiError::PartnerRateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::OfficerRefused(r) if r.forbidden() => StatusCode::FORBIDDEN,
            ApiError::Unauthorized | ApiError::OfficerRefused(_) => StatusCode::UNAUTHORIZED,
            ApiError::NoFollowUp => StatusCode::NOT_FOUND,
            ApiError::WorkflowClosed => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let errors = match self {
            ApiError::Invalid(e) => e.clone(),
            ApiError::Malformed => one("", "malformed_json", "The body is not valid JSON".into()),
            ApiError::UnsupportedMediaType => one(
                "",
                "unsupported_media_type",
                "Send the body as application/json".into(),
            ),
            ApiError::TooLarge { limit } => one(
                "",
                "payload_too_large",
                format!("The body must be {limit} bytes or fewer"),
            ),
            ApiError::TooSlow => one(
                "",
                "request_timeout",
                "The body arrived too slowly; nothing was accepted".into(),
            ),
            ApiError::NotFound => one("", "not_found", "No such resource".into()),
            ApiError::Unavailable | ApiError::Shed(_) => one(
                "",
                "unavailable",
                "The submission could not be stored and was not accepted; try again later".into(),
            ),
            ApiError::Busy(_) => one(
                "attachments",
                "busy",
                "Too many files are arriving just now; nothing was accepted. Send again after \
                 Retry-After seconds"
                    .into(),
            ),
            ApiError::RateLimited | ApiError::PartnerRateLimited { .. } => one(
                "",
                "rate_limited",
                "Too many requests; nothing was accepted. Wait for Retry-After seconds".into(),
            ),
            ApiError::Unauthorized => one(
                "",
                "invalid_token",
                "The bearer token is not an active partner token; nothing was accepted. \
                 Submit without an Authorization header to submit as the public"
                    .into(),
            ),
            ApiError::OfficerRefused(refusal) => one("", refusal.code(), refusal.message().into()),
            ApiError::NoFollowUp => one(
                "reference",
                "no_follow_up",
                "The submitter did not take a follow-up code, or the submission has been purged"
                    .into(),
            ),
            ApiError::WorkflowClosed => one(
                "reference",
                "workflow_closed",
                "This submission's workflow is closed: nothing is recorded after `closed` \
                 (no step, no share). Nothing was stored"
                    .into(),
            ),
            ApiError::Internal(cause) => {
                tracing::error!(cause = %cause, "internal error");
                one(
                    "",
                    "internal",
                    "Something went wrong; the submission was not accepted".into(),
                )
            }
        };
        let mut resp = HttpResponse::build(self.status_code());
        match self {
            ApiError::PartnerRateLimited { retry_after } => {
                resp.insert_header((header::RETRY_AFTER, retry_after.max(&1).to_string()));
            }
            ApiError::Unauthorized => {
                resp.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"pis-gateway\""));
            }
            ApiError::OfficerRefused(r) if !r.forbidden() => {
                resp.insert_header((
                    header::WWW_AUTHENTICATE,
                    crate::officer::request::SCHEME.to_string() + " realm=\"pis-gateway\"",
                ));
            }
            _ => {}
        }
        if matches!(self, ApiError::TooSlow | ApiError::Busy(_)) {
            // The rest of a slow body is not worth waiting for.
            resp.force_close();
        }
        let mut resp = resp.json(ErrorBody { errors: &errors });
        let shed = match self {
            ApiError::Unavailable => Some("spool_unavailable"),
            ApiError::Shed(limit) => Some(*limit),
            ApiError::Busy(busy) => Some(crate::http::shed::upload_limit(*busy)),
            _ => None,
        };
        if let Some(limit) = shed {
            crate::http::shed::mark(&mut resp, limit);
        }
        resp
    }
}
