//! `GET /forms/{id}/tasks`: the task list, every section with its status and a link to its
//! page, and the check-your-answers page once nothing is left to do.

use super::form::{described, localised};
use crate::forms::html::answers_of;
use crate::forms::tasks::{statuses, TaskStatus};
use crate::forms::{validate, FormSpec};
use crate::http::draft::Draft;
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

pub(super) fn tasks_page(state: &AppState, spec: &FormSpec, draft: &Draft) -> HttpResponse {
    let answers = answers_of(spec, &draft.values);
    let errors = validate(spec, &answers, crate::ukdate::uk_today())
        .err()
        .map(|e| localised(state, spec, e))
        .unwrap_or_default();
    let status = statuses(spec, &draft.values, &draft.done, &errors);
    let completed = status
        .iter()
        .filter(|s| **s == TaskStatus::Completed)
        .count();
    let tasks: Vec<_> = status
        .iter()
        .enumerate()
        .map(|(i, st)| {
            minijinja::context! {
                status => st,
                index => i,
            }
        })
        .collect();
    state.pages.respond(
        StatusCode::OK,
        "tasks.html",
        minijinja::context! {
            form => described(state, spec),
            tasks => tasks,
            completed => completed,
            all_done => errors.is_empty(),
        },
    )
}
