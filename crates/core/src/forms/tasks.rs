//! The task list (GOV.UK's pattern) for a long form: each section with its status, so a
//! professional can see what is left, go to any part, and come back to it.

use super::html::section_of;
use super::spec::FormSpec;
use super::validate::FieldError;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Completed,
}

/// Each section's status: completed once its page was left with Continue and nothing on it is
/// wrong now; in progress once anything is answered on it (or it was completed and a problem
/// has since appeared); otherwise not started.
pub fn statuses(
    spec: &FormSpec,
    values: &Map<String, Value>,
    done: &[String],
    errors: &[FieldError],
) -> Vec<TaskStatus> {
    spec.sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let wrong = errors
                .iter()
                .any(|e| section_of(spec, &e.field).unwrap_or(0) == i);
            let answered = values
                .iter()
                .any(|(name, v)| section_of(spec, name) == Some(i) && has_answer(v));
            let left = done.iter().any(|d| d == &s.id);
            match (left && !wrong, answered || left) {
                (true, _) => TaskStatus::Completed,
                (false, true) => TaskStatus::InProgress,
                (false, false) => TaskStatus::NotStarted,
            }
        })
        .collect()
}

fn has_answer(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    #[test]
    fn a_section_is_completed_when_left_with_nothing_wrong() {
        let reg = crate::forms::FormRegistry::built_in().expect("built-in forms");
        let spec = reg.get("professional").expect("professional form");
        let values = serde_json::json!({
            "gate.immediate_danger": "no",
            "submitter.full_name": "Sam",
            "summary": "",
            "vehicles[0].make": "",
        })
        .as_object()
        .cloned()
        .expect("object");
        let done = vec!["before_you_start".to_string(), "vehicles_seen".to_string()];
        let errors = vec![FieldError {
            field: "submitter.work_email".into(),
            code: "required",
            message: "Enter your work email address".into(),
        }];
        let s = statuses(spec, &values, &done, &errors);
        assert_eq!(s[0], Completed);
        assert_eq!(s[1], InProgress, "answered, not finished");
        assert_eq!(s[2], NotStarted, "an empty box is not an answer");
        let vehicles = spec
            .sections
            .iter()
            .position(|x| x.id == "vehicles_seen")
            .expect("vehicles");
        assert_eq!(s[vehicles], Completed, "nothing to add is an answer too");
        // Done, but a problem there now: back in progress.
        let late = vec![FieldError {
            field: "gate.immediate_danger".into(),
            ..errors[0].clone()
        }];
        assert_eq!(statuses(spec, &values, &done, &late)[0], InProgress);
    }
}
