//! Triage: IMMEDIATE, PRIORITY or ROUTINE, with a reason code for each escalation.
//!
//! Triage only escalates: a rule can raise the priority, never lower it, and a submission is
//! never refused because of it. Reason codes name the rule, never the text that matched.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Priority {
    Routine,
    Priority,
    Immediate,
}

impl Priority {
    pub fn as_str(&self) -> &'static str {
        match self {
            Priority::Routine => "ROUTINE",
            Priority::Priority => "PRIORITY",
            Priority::Immediate => "IMMEDIATE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ROUTINE" => Some(Priority::Routine),
            "PRIORITY" => Some(Priority::Priority),
            "IMMEDIATE" => Some(Priority::Immediate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    pub priority: Priority,
    pub reasons: Vec<&'static str>,
}

impl Triage {
    fn new() -> Self {
        Triage {
            priority: Priority::Routine,
            reasons: Vec::new(),
        }
    }

    /// Raises the priority to at least `to`, recording why. Never lowers it.
    fn escalate(&mut self, to: Priority, reason: &'static str) {
        self.priority = self.priority.max(to);
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
    }
}

/// The answer the submitter gave to the gate question "Is anyone in immediate danger, or is
/// something happening right now?".
pub const GATE_FIELD: &str = "gate.immediate_danger";

pub fn assess(answers: &Map<String, Value>) -> Triage {
    let mut t = Triage::new();
    match answers.get(GATE_FIELD).and_then(Value::as_str) {
        Some("yes") => t.escalate(Priority::Immediate, "gate_danger_now"),
        // "Not sure" is treated as yes: a person who cannot rule out danger tonight should be
        // read by someone who can act tonight.
        Some("not_sure") => t.escalate(Priority::Immediate, "gate_danger_not_sure"),
        _ => {}
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answers(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn the_gate_question_decides_immediate() {
        let t = assess(&answers(json!({"gate.immediate_danger": "yes"})));
        assert_eq!(t.priority, Priority::Immediate);
        assert_eq!(t.reasons, vec!["gate_danger_now"]);
        let t = assess(&answers(json!({"gate.immediate_danger": "not_sure"})));
        assert_eq!(t.priority, Priority::Immediate);
        let t = assess(&answers(json!({"gate.immediate_danger": "no"})));
        assert_eq!(t.priority, Priority::Routine);
        assert!(t.reasons.is_empty());
    }

    #[test]
    fn escalation_never_lowers() {
        let mut t = Triage::new();
        t.escalate(Priority::Immediate, "a");
        t.escalate(Priority::Priority, "b");
        assert_eq!(t.priority, Priority::Immediate);
        assert_eq!(t.reasons, vec!["a", "b"]);
    }
}
