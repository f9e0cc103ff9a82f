//! `/api/v1/officer/…`: officers' signed requests. Each is checked (signature, key on a route,
//! timestamp, a nonce never used before) before anything else is read; every refusal is a 401,
//! and one whose signature verified (stale, replayed, not on a route) is also an
//! `officer_request_refused` audit event (reason, key id, path: no content, no client
//! address); the rest are only counted (`pisg_officer_unverified_total`). An officer acts on a submission only through a route that received it in full
//! and whose role allows the action (police intelligence by default, `officer_actions` per
//! route): otherwise 403 and the same audit event. A MACE officer confirms receipt, by the
//! email's link, and does nothing here.
//!
//! - `GET  /api/v1/officer/follow-up-key?reference=PIS-…` → the submitter's age recipient and
//!   the route through which this officer acts.
//! - `POST /api/v1/officer/reply` `{"reference", "sealed"}` → 201 and the message's number.
//! - `POST /api/v1/officer/status` `{"reference", "status"}` → 200.
//! - `POST /api/v1/officer/share` `{"reference", "route", "sealed"}` → 201: an officer's
//!   restricted view, sealed on their machine to a MACE route's recipients, queued for that
//!   route.
//! - `POST /api/v1/officer/workflow` and `GET /api/v1/officer/workflow?reference=…`: the
//!   officer's workflow steps (see [`super::workflow`]).

use crate::forms::FieldError;
use crate::http::body::{media_type, read_limited, BodyError};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::officer::request::RequestParts;
use crate::officer::verify::{Refusal, NONCE_MEMORY_SECS};
use crate::reference::Reference;
use crate::routing::{OfficerAction, Role, View};
use crate::spool::{CaseStatus, DeliveryRoute, NewShare, ShareOutcome, View as DeliveryView};
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

/// What a binary age file starts with; replies are stored binary.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// An officer whose request checked out, acting through `route` on `reference`.
pub(super) struct Acting {
    pub(super) officer: String,
    pub(super) route: String,
}

pub(super) fn invalid(field: &str, code: &'static str, message: &str) -> ApiError {
    ApiError::Invalid(vec![FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }])
}

async fn refuse(state: &AppState, refusal: Refusal, officer: Option<&str>, path: &str) -> ApiError {
    let metrics = state.intake.metrics();
    metrics.inc(
        crate::metrics::Counter::OfficerRefused,
        &[("reason", refusal.code())],
    );
    if !refusal.signature_verified() {
        // Anyone can send these, as fast as they like: counted, never a durable write (and
        // logged only at debug level, so a flood does not fill the log either).
        metrics.inc(
            crate::metrics::Counter::OfficerUnverified,
            &[("reason", refusal.code())],
        );
        tracing::debug!(
            reason = refusal.code(),
            "unverified officer request refused"
        );
        return ApiError::OfficerRefused(refusal);
    }
    let now = state.now() as i64;
    if let Err(e) = state
        .intake
        .spool()
        .audit_officer_refusal(refusal.code(), officer, path, now)
        .await
    {
        // The refusal stands either way; a lost audit event is an operator's problem to hear.
        tracing::error!(error = %e, reason = refusal.code(), "officer refusal not audited");
    }
    tracing::warn!(reason = refusal.code(), "officer request refused");
    ApiError::OfficerRefused(refusal)
}

/// Checks the signature, the timestamp and the nonce. Returns the officer's key id.
async fn signed_by(state: &AppState, req: &HttpRequest, body: &[u8]) -> Result<String, ApiError> {
    let parts = RequestParts {
        method: req.method().as_str(),
        // The officers' check uses the gateway's own public host name, not the request's.
        host: "",
        path: req.path(),
        query: req.query_string(),
        body,
    };
    let now = state.now() as i64;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    let signed = match state.officers.check(header, &parts, now) {
        Ok(s) => s,
        Err((refusal, officer)) => {
            return Err(refuse(state, refusal, officer.as_deref(), req.path()).await)
        }
    };
    let fresh = state
        .intake
        .spool()
        .use_officer_nonce(&signed.key_id, signed.nonce, now, now - NONCE_MEMORY_SECS)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    if !fresh {
        return Err(refuse(state, Refusal::Replayed, Some(&signed.key_id), req.path()).await);
    }
    Ok(signed.key_id)
}

/// The route through which `officer` may take `action` on `reference`: one that lists the
/// officer, received the full view, and whose role (or `officer_actions`) allows the action.
async fn acting(
    state: &AppState,
    req: &HttpRequest,
    officer: String,
    action: OfficerAction,
    reference: &Reference,
) -> Result<Acting, ApiError> {
    let deliveries = state
        .intake
        .spool()
        .deliveries(reference)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let routes = deliveries.iter().filter_map(|d| match &d.route {
        DeliveryRoute::Route(name) => Some((name.as_str(), d.view == DeliveryView::Full)),
        DeliveryRoute::Escalation { .. } => None,
    });
    match state.officers.permit(&officer, action, routes) {
        Ok(route) => Ok(Acting {
            route: route.to_string(),
            officer,
        }),
        Err(refusal) => Err(refuse(state, refusal, Some(&officer), req.path()).await),
    }
}

/// A signed officer request on one submission that checked out: who acts through which
/// route, the submission, and what else the request said.
pub(super) struct Checked<T> {
    pub(super) acting: Acting,
    pub(super) reference: Reference,
    pub(super) fields: T,
}

/// The preamble of every signed `POST` on a submission, in the order that tells a caller
/// the least: the JSON body is read within limits, then its signature, timestamp and nonce
/// are checked (401 and an audit event on refusal) before a byte of it is parsed; `parse`
/// reads the reference and what else the action needs (422 field by field); last, the
/// officer must be on a route that received the submission (401 and an audit event), in full
/// and with a role that allows `action` (403 and an audit event).
pub(super) async fn signed_post<T>(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    action: OfficerAction,
    parse: impl FnOnce(&[u8]) -> Result<(Reference, T), ApiError>,
) -> Result<Checked<T>, ApiError> {
    let body = read_json_body(state, req, payload).await?;
    let officer = signed_by(state, req, &body).await?;
    let (reference, fields) = parse(&body)?;
    let acting = acting(state, req, officer, action, &reference).await?;
    Ok(Checked {
        acting,
        reference,
        fields,
    })
}

/// As [`signed_post`] for a body of exactly `reference` and `others`, each a string: `parse`
/// reads the others' values, in the order named.
async fn signed_fields<T>(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    action: OfficerAction,
    others: &[&'static str],
    parse: impl FnOnce(&[(&str, String)]) -> Result<T, ApiError>,
) -> Result<Checked<T>, ApiError> {
    signed_post(state, req, payload, action, |body| {
        let names: Vec<&str> = std::iter::once("reference")
            .chain(others.iter().copied())
            .collect();
        let values = string_fields(body, &names)?;
        let reference = reference(&values[0].1)?;
        Ok((reference, parse(&values[1..])?))
    })
    .await
}

/// The preamble of every signed `GET` on a submission: the signature over an empty body,
/// then a query of exactly one `reference`, then a route of the officer's that received it in
/// full and allows `action`.
pub(super) async fn signed_get(
    state: &AppState,
    req: &HttpRequest,
    action: OfficerAction,
) -> Result<Checked<()>, ApiError> {
    let officer = signed_by(state, req, b"").await?;
    let query: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| invalid("", "malformed_query", "The query string cannot be read"))?;
    if let Some((k, _)) = query.iter().find(|(k, _)| k != "reference") {
        return Err(invalid(k, "unknown_field", "Only `reference` is allowed"));
    }
    let [(_, one)] = query.as_slice() else {
        return Err(invalid("reference", "required", "Give one `reference`"));
    };
    let reference = reference(one)?;
    let acting = acting(state, req, officer, action, &reference).await?;
    Ok(Checked {
        acting,
        reference,
        fields: (),
    })
}

async fn read_json_body(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Vec<u8>, ApiError> {
    if media_type(req) != "application/json" {
        return Err(ApiError::UnsupportedMediaType);
    }
    read_limited(req, payload, &state.body)
        .await
        .map(|b| b.to_vec())
        .map_err(|e| match e {
            BodyError::TooLarge => ApiError::TooLarge {
                limit: state.body.max_bytes,
            },
            BodyError::TooSlow => ApiError::TooSlow,
            BodyError::Broken => ApiError::Malformed,
        })
}

/// The body's object with exactly `fields`, each a string.
pub(super) fn string_fields<'a>(
    body: &[u8],
    fields: &[&'a str],
) -> Result<Vec<(&'a str, String)>, ApiError> {
    let value = crate::http::strict_json::parse(body).map_err(|e| match e {
        crate::http::strict_json::JsonError::Syntax => ApiError::Malformed,
        crate::http::strict_json::JsonError::Refused {
            field,
            code,
            message,
        } => invalid(&field, code, message),
    })?;
    let Value::Object(mut obj): Value = value else {
        return Err(invalid("", "wrong_type", "The body must be a JSON object"));
    };
    let mut errors = Vec::new();
    let extra: Vec<String> = obj
        .keys()
        .filter(|k| !fields.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in extra {
        errors.push(FieldError {
            field: k,
            code: "unknown_field",
            message: format!("Only {} are allowed", fields.join(" and ")),
        });
    }
    let mut out = Vec::new();
    for f in fields {
        match obj.remove(*f) {
            Some(Value::String(s)) => out.push((*f, s)),
            None => errors.push(FieldError {
                field: (*f).into(),
                code: "required",
                message: format!("`{f}` is required"),
            }),
            Some(_) => errors.push(FieldError {
                field: (*f).into(),
                code: "wrong_type",
                message: format!("`{f}` must be a string"),
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

/// `sealed`: base64 of a binary age file.
fn sealed_bytes(s: &str) -> Result<Vec<u8>, ApiError> {
    let sealed = STANDARD
        .decode(s.as_bytes())
        .map_err(|_| invalid("sealed", "not_base64", "`sealed` must be base64"))?;
    if !sealed.starts_with(AGE_MAGIC) || sealed.len() <= AGE_MAGIC.len() {
        return Err(invalid(
            "sealed",
            "not_age",
            "`sealed` must be a binary age file (not armored)",
        ));
    }
    Ok(sealed)
}

pub(super) fn reference(s: &str) -> Result<Reference, ApiError> {
    Reference::parse(s).ok_or_else(|| {
        invalid(
            "reference",
            "invalid_reference",
            "Not a reference (PIS-XXXX-XXXX)",
        )
    })
}

pub async fn follow_up_key(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Checked {
        acting, reference, ..
    } = signed_get(&state, &req, OfficerAction::Reply).await?;
    let record = state
        .intake
        .spool()
        .follow_up_by_reference(&reference)
        .await
        .map_err(|_| ApiError::Unavailable)?
        .ok_or(ApiError::NoFollowUp)?;
    Ok(HttpResponse::Ok().json(json!({
        "reference": reference.as_str(),
        "recipient": record.recipient,
        "route": acting.route,
    })))
}

pub async fn reply(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let Checked {
        acting,
        reference,
        fields: sealed,
    } = signed_fields(
        &state,
        &req,
        payload,
        OfficerAction::Reply,
        &["sealed"],
        |v| sealed_bytes(&v[0].1),
    )
    .await?;
    let n = state
        .intake
        .spool()
        .add_reply(&reference, sealed, &acting.officer, state.now() as i64)
        .await
        .map_err(|_| ApiError::Unavailable)?
        .ok_or(ApiError::NoFollowUp)?;
    tracing::info!(reference = %reference, officer = %acting.officer, route = %acting.route, message = n, "officer reply stored");
    Ok(HttpResponse::Created().json(json!({
        "reference": reference.as_str(),
        "message": n,
    })))
}

pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let Checked {
        acting,
        reference,
        fields: status,
    } = signed_fields(
        &state,
        &req,
        payload,
        OfficerAction::Status,
        &["status"],
        |v| {
            v[0].1.parse::<CaseStatus>().map_err(|_| {
                invalid(
                    "status",
                    "unknown_status",
                    "One of received, being_looked_at, passed_to_team or closed",
                )
            })
        },
    )
    .await?;
    let set = state
        .intake
        .spool()
        .set_case_status(&reference, status, &acting.officer, state.now() as i64)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    if !set {
        return Err(ApiError::NoFollowUp);
    }
    tracing::info!(reference = %reference, officer = %acting.officer, status = status.as_str(), "case status set");
    let mut out = Map::new();
    out.insert("reference".into(), reference.as_str().into());
    out.insert("status".into(), status.as_str().into());
    Ok(HttpResponse::Ok().json(Value::Object(out)))
}

/// An officer's restricted view for a MACE route. The gateway cannot read it (it is sealed to
/// the route's recipients); it checks who sends it, that the officer may act on the
/// submission, and that the route is a MACE route that may see a restricted view, then stores
/// and queues it with its audit event in one transaction.
pub async fn share(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let Checked {
        acting,
        reference,
        fields: (route, sealed),
    } = signed_fields(
        &state,
        &req,
        payload,
        OfficerAction::Share,
        &["route", "sealed"],
        |v| {
            let route = state
                .intake
                .routes()
                .get(&v[0].1)
                .filter(|r| r.role == Role::Mace && r.view != View::Notice)
                .cloned()
                .ok_or_else(|| {
                    invalid(
                        "route",
                        "not_mace",
                        "Not a MACE route of this gateway that takes a restricted view",
                    )
                })?;
            Ok((route, sealed_bytes(&v[1].1)?))
        },
    )
    .await?;
    let outcome = state
        .intake
        .spool()
        .share_with_mace(NewShare {
            reference: reference.clone(),
            route: route.name.clone(),
            mailbox: route.mailbox.clone(),
            sealed,
            officer: acting.officer.clone(),
            now: state.now() as i64,
        })
        .await
        .map_err(|_| ApiError::Unavailable)?;
    match outcome {
        ShareOutcome::Queued => {}
        ShareOutcome::AlreadyOnRoute => {
            return Err(invalid(
                "route",
                "already_on_route",
                "This route already has a delivery of this submission",
            ))
        }
        ShareOutcome::Gone => return Err(ApiError::NotFound),
        ShareOutcome::Closed => return Err(ApiError::WorkflowClosed),
    }
    state.intake.wake_outbox();
    state.intake.metrics().inc(
        crate::metrics::Counter::OfficerShares,
        &[("route", &route.name)],
    );
    tracing::info!(reference = %reference, officer = %acting.officer, route = %route.name, "shared with MACE");
    Ok(HttpResponse::Created().json(json!({
        "reference": reference.as_str(),
        "route": route.name,
    })))
}
