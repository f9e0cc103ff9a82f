//! `/api/v1/officer/workflow`: the officer's workflow on a submission, as signed requests
//! checked like every officer action (see [`super::officer`]).
//!
//! - `POST` `{"reference", "step"}` for `triaged` and `closed`; with `"grade": "2/B/P"` for
//!   `graded` (3x5x2); with `"force_reference"` for `recorded` → 201 and the step's number.
//!   `shared_with_mace` is recorded by sharing itself, never posted.
//! - `GET ?reference=PIS-…` → the steps, oldest first.

use super::officer::{invalid, reference, signed_get, signed_post, string_fields, Checked};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::routing::OfficerAction;
use crate::spool::workflow::{ForceRef, Grade, Step, StepKind};
use crate::spool::{StepOutcome, WorkflowEntry};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

/// The fields a step's body has, after `reference` and `step`.
fn step_fields(kind: StepKind) -> Option<&'static [&'static str]> {
    match kind {
        StepKind::Triaged | StepKind::Closed => Some(&["reference", "step"]),
        StepKind::Graded => Some(&["reference", "step", "grade"]),
        StepKind::Recorded => Some(&["reference", "step", "force_reference"]),
        StepKind::SharedWithMace => None,
    }
}

fn bad_step() -> ApiError {
    invalid(
        "step",
        "unknown_step",
        "One of triaged, graded, recorded or closed (sharing records shared_with_mace itself)",
    )
}

fn parse_step(body: &[u8]) -> Result<(crate::reference::Reference, Step), ApiError> {
    // The step decides which other fields belong; a body that is not JSON is refused below.
    let kind = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("step").and_then(Value::as_str).map(str::to_string));
    let Some(kind) = kind else {
        // Let the strict reader say what is wrong (syntax, missing or wrong type).
        string_fields(body, &["reference", "step"])?;
        return Err(bad_step());
    };
    let fields = StepKind::parse(&kind)
        .and_then(step_fields)
        .ok_or_else(bad_step)?;
    let values = string_fields(body, fields)?;
    let reference = reference(&values[0].1)?;
    let step = match StepKind::parse(&kind) {
        Some(StepKind::Triaged) => Step::Triaged,
        Some(StepKind::Closed) => Step::Closed,
        Some(StepKind::Graded) => Step::Graded(
            Grade::parse_3x5x2(&values[2].1)
                .map_err(|e| invalid("grade", "invalid_grade", &e.to_string()))?,
        ),
        Some(StepKind::Recorded) => {
            Step::Recorded(ForceRef::parse(&values[2].1).map_err(|e| {
                invalid("force_reference", "invalid_force_reference", &e.to_string())
            })?)
        }
        Some(StepKind::SharedWithMace) | None => return Err(bad_step()),
    };
    Ok((reference, step))
}

pub async fn record(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let Checked {
        acting,
        reference,
        fields: step,
    } = signed_post(&state, &req, payload, OfficerAction::Workflow, parse_step).await?;
    let kind = step.kind();
    let outcome = state
        .intake
        .spool()
        .record_step(&reference, step, &acting.officer, state.now() as i64)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    match outcome {
        StepOutcome::Recorded => {}
        StepOutcome::Gone => return Err(ApiError::NotFound),
        StepOutcome::Closed => return Err(ApiError::WorkflowClosed),
    }
    state.intake.metrics().inc(
        crate::metrics::Counter::WorkflowSteps,
        &[("step", kind.as_str())],
    );
    tracing::info!(reference = %reference, officer = %acting.officer, step = kind.as_str(), "workflow step recorded");
    Ok(HttpResponse::Created().json(json!({
        "reference": reference.as_str(),
        "step": kind.as_str(),
    })))
}

fn entry_json(e: &WorkflowEntry) -> Value {
    let mut v = json!({
        "n": e.n,
        "at": e.at,
        "officer": e.officer,
        "step": e.step.kind().as_str(),
    });
    match &e.step {
        Step::Graded(g) => v["grade"] = serde_json::to_value(g).unwrap_or(Value::Null),
        Step::Recorded(r) => v["force_reference"] = r.as_str().into(),
        Step::SharedWithMace { route } => v["route"] = route.as_str().into(),
        Step::Triaged | Step::Closed => {}
    }
    v
}

pub async fn history(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Checked { reference, .. } = signed_get(&state, &req, OfficerAction::Workflow).await?;
    let steps = state
        .intake
        .spool()
        .workflow(&reference)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    // The status the submitter sees on /follow-up, when they took a code: set with `--set`,
    // apart from the workflow, and shown beside it so an officer sees what they set.
    let follow_up = state
        .intake
        .spool()
        .follow_up_by_reference(&reference)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let submitter_status = follow_up.map(|f| {
        json!({
            "status": f.status.as_str(),
            "at": f.status_at,
        })
    });
    Ok(HttpResponse::Ok().json(json!({
        "reference": reference.as_str(),
        "steps": steps.iter().map(entry_json).collect::<Vec<_>>(),
        "submitter_status": submitter_status,
    })))
}
