//! Triage: IMMEDIATE, PRIORITY or ROUTINE, with a reason code for each escalation.
//!
//! Structured answers decide first: the gate question, the "now or in the next 24 hours"
//! question, the "next few days" question, and facts given about people (a child missing, a
//! young child missing). Phrase rules from `config/triage.toml` come after
//! and can only raise. Triage only escalates, never refuses a submission, and records reason
//! codes, never the text that matched.

use crate::forms::date::{parse as parse_date, FuzzyDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;
use time::Date;

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
pub struct Assessment {
    pub priority: Priority,
    pub reasons: Vec<String>,
}

impl Assessment {
    fn new() -> Self {
        Assessment {
            priority: Priority::Routine,
            reasons: Vec::new(),
        }
    }

    /// Raises the priority to at least `to`, recording why. Never lowers it.
    pub fn escalate(&mut self, to: Priority, reason: &str) {
        self.priority = self.priority.max(to);
        if !self.reasons.iter().any(|r| r == reason) {
            self.reasons.push(reason.to_string());
        }
    }
}

/// The gate question: "Is anyone in immediate danger, or is something happening right now?".
pub const GATE_FIELD: &str = "gate.immediate_danger";

/// Options of `urgency.now` (both forms) and the reason code each records; all IMMEDIATE.
pub const NOW_SIGNALS: &[(&str, &str)] = &[
    ("DANGER_TO_LIFE", "danger_to_life"),
    ("CRIME_IN_PROGRESS", "crime_in_progress"),
    ("EVENT_WITHIN_24H", "event_within_24h"),
    ("MISSING_CHILD_WITH_RISK", "missing_child_with_risk"),
    ("WEAPONS", "weapons_now"),
    ("CHILD_HELD", "child_held"),
    ("MEDICAL_EMERGENCY", "medical_emergency"),
    ("RETALIATION_THREAT", "retaliation_threat"),
    ("ONLINE_HARM_NOW", "online_harm_now"),
];

/// Options of `urgency.soon` and their reason codes; all PRIORITY.
pub const SOON_SIGNALS: &[(&str, &str)] = &[
    ("CHILD_MISSING", "child_missing"),
    ("EVENT_WITHIN_DAYS", "event_within_days"),
    ("NEW_LINK_HIGH_RISK", "new_link_high_risk"),
    ("EVIDENCE_AT_RISK", "evidence_at_risk"),
];

/// A phrase rule from `config/triage.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseRule {
    pub code: String,
    pub priority: Priority,
    pub phrases: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rules: Vec<PhraseRule>,
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0}: {1}")]
    Invalid(String, String),
}

/// Triage with its phrase rules, loaded once at start.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    /// Each rule's phrases as lower-case word sequences.
    rules: Vec<(String, Priority, Vec<Vec<String>>)>,
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.replace('’', "'"))
        .collect()
}

impl Triage {
    pub fn load(path: &Path) -> Result<Self, RulesError> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| RulesError::Read(path.display().to_string(), e))?;
        Self::from_toml(&source).map_err(|e| match e {
            RulesError::Invalid(_, m) => RulesError::Invalid(path.display().to_string(), m),
            other => other,
        })
    }

    pub fn from_toml(source: &str) -> Result<Self, RulesError> {
        let file: RulesFile = toml::from_str(source)
            .map_err(|e| RulesError::Invalid("triage rules".into(), e.to_string()))?;
        let mut rules = Vec::new();
        for (i, r) in file.rules.into_iter().enumerate() {
            let ok = r.code.starts_with("phrase_")
                && r.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(RulesError::Invalid(
                    "triage rules".into(),
                    format!(
                        "rules[{i}].code must be `phrase_` and lower-case letters, digits or `_`"
                    ),
                ));
            }
            let phrases: Vec<Vec<String>> = r
                .phrases
                .iter()
                .map(|p| words(p))
                .filter(|w| !w.is_empty())
                .collect();
            if phrases.is_empty() {
                return Err(RulesError::Invalid(
                    "triage rules".into(),
                    format!("rules[{i}] ({}) has no phrases", r.code),
                ));
            }
            rules.push((r.code, r.priority, phrases));
        }
        Ok(Triage { rules })
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Assesses validated, normalised answers. `today` is the UK date, for ages.
    pub fn assess(&self, answers: &Map<String, Value>, today: Date) -> Assessment {
        let mut a = Assessment::new();
        match answers.get(GATE_FIELD).and_then(Value::as_str) {
            Some("yes") => a.escalate(Priority::Immediate, "gate_danger_now"),
            // "Not sure" counts as yes: someone who cannot rule out danger now should be read by
            // someone who can act now.
            Some("not_sure") => a.escalate(Priority::Immediate, "gate_danger_not_sure"),
            _ => {}
        }
        for (value, code) in NOW_SIGNALS {
            if chosen(answers, "urgency.now", value) {
                a.escalate(Priority::Immediate, code);
            }
        }
        for (value, code) in SOON_SIGNALS {
            if chosen(answers, "urgency.soon", value) {
                a.escalate(Priority::Priority, code);
            }
        }
        // A risk to the source is not in itself time-critical (DOMAIN §6, §7.2 item 8): it
        // narrows what MACE sees (routing) and, when the threat is current, the "now" question
        // above has RETALIATION_THREAT.
        people_signals(answers, today, &mut a);
        if !self.rules.is_empty() {
            let mut texts = Vec::new();
            collect_text(&Value::Object(answers.clone()), &mut texts);
            let tokens: Vec<Vec<String>> = texts.iter().map(|t| words(t)).collect();
            for (code, priority, phrases) in &self.rules {
                let hit = phrases.iter().any(|p| {
                    tokens
                        .iter()
                        .any(|t| t.windows(p.len()).any(|w| w == p.as_slice()))
                });
                if hit {
                    a.escalate(*priority, code);
                }
            }
        }
        a
    }
}

fn chosen(answers: &Map<String, Value>, field: &str, value: &str) -> bool {
    answers
        .get(field)
        .and_then(Value::as_array)
        .is_some_and(|v| v.iter().any(|x| x.as_str() == Some(value)))
}

/// The youngest the person could be: from a date of birth (the latest day it could mean) or an
/// age band's lower bound.
fn youngest_age(person: &Map<String, Value>, today: Date) -> Option<i32> {
    if let Some(dob) = person
        .get("dob")
        .and_then(Value::as_str)
        .and_then(|d| parse_date(d).ok())
    {
        let (y, m, d) = match dob {
            FuzzyDate::Day(d) => (d.year(), u8::from(d.month()), d.day()),
            FuzzyDate::Month(y, m) => (y, u8::from(m), 31),
            FuzzyDate::Year(y) => (y, 12, 31),
        };
        let mut age = today.year() - y;
        if (u8::from(today.month()), today.day()) < (m, d) {
            age -= 1;
        }
        return Some(age);
    }
    let band = person
        .get("age_estimate")
        .or_else(|| person.get("age_range"))
        .and_then(Value::as_str)?;
    Some(match band {
        "AGE_UNDER_10" => 0,
        "AGE_10_12" => 10,
        "AGE_13_15" => 13,
        "AGE_16_17" => 16,
        _ => 18,
    })
}

fn people_signals(answers: &Map<String, Value>, today: Date, a: &mut Assessment) {
    let Some(people) = answers.get("people").and_then(Value::as_array) else {
        return;
    };
    for p in people.iter().filter_map(Value::as_object) {
        if p.get("currently_missing").and_then(Value::as_str) != Some("yes") {
            continue;
        }
        a.escalate(Priority::Priority, "child_missing");
        if youngest_age(p, today).is_some_and(|age| age < 13) {
            a.escalate(Priority::Immediate, "missing_child_under_13");
        }
    }
}

fn collect_text(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_text(i, out)),
        Value::Object(m) => m.values().for_each(|i| collect_text(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn answers(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn shipped() -> Triage {
        Triage::from_toml(include_str!("../config/triage.toml")).expect("shipped rules load")
    }

    #[test]
    fn the_gate_question_decides_immediate() {
        let t = Triage::default();
        let a = t.assess(&answers(json!({"gate.immediate_danger": "yes"})), TODAY);
        assert_eq!(
            (a.priority, a.reasons.clone()),
            (Priority::Immediate, vec!["gate_danger_now".to_string()])
        );
        assert_eq!(
            t.assess(
                &answers(json!({"gate.immediate_danger": "not_sure"})),
                TODAY
            )
            .priority,
            Priority::Immediate
        );
        assert_eq!(
            t.assess(&answers(json!({"gate.immediate_danger": "no"})), TODAY)
                .priority,
            Priority::Routine
        );
    }

    #[test]
    fn a_young_missing_child_is_immediate_an_older_one_priority() {
        let t = Triage::default();
        let young = t.assess(
            &answers(json!({"people": [{"currently_missing": "yes", "dob": "2014"}]})),
            TODAY,
        );
        assert_eq!(young.priority, Priority::Immediate);
        assert_eq!(
            young.reasons,
            vec!["child_missing", "missing_child_under_13"]
        );
        let older = t.assess(
            &answers(
                json!({"people": [{"currently_missing": "yes", "age_estimate": "AGE_13_15"}]}),
            ),
            TODAY,
        );
        assert_eq!(older.priority, Priority::Priority);
        // Born 23 November 2013: 13 today.
        let thirteen = t.assess(
            &answers(json!({"people": [{"currently_missing": "yes", "dob": "2013-11-23"}]})),
            TODAY,
        );
        assert_eq!(thirteen.priority, Priority::Priority);
    }

    #[test]
    fn phrases_match_whole_words_and_record_only_the_code() {
        let t = shipped();
        let a = t.assess(
            &answers(json!({"details": "He carries a KNIFE in his bag"})),
            TODAY,
        );
        assert_eq!(a.reasons, vec!["phrase_weapon"]);
        assert_eq!(a.priority, Priority::Priority);
        let none = t.assess(
            &answers(json!({"details": "She went to the knifesmith and the gunnery"})),
            TODAY,
        );
        assert!(none.reasons.is_empty(), "{:?}", none.reasons);
        let nested = t.assess(
            &answers(json!({"people": [{"description": "was locked in a flat"}]})),
            TODAY,
        );
        assert_eq!(nested.reasons, vec!["phrase_held"]);
    }

    #[test]
    fn a_phrase_rule_never_lowers_a_structured_immediate() {
        let t = shipped();
        let a = t.assess(
            &answers(json!({"urgency.now": ["WEAPONS"], "details": "a knife"})),
            TODAY,
        );
        assert_eq!(a.priority, Priority::Immediate);
        assert_eq!(a.reasons, vec!["weapons_now", "phrase_weapon"]);
    }

    #[test]
    fn bad_rule_files_are_refused() {
        assert!(Triage::from_toml(
            "[[rules]]\ncode = \"Weapon\"\npriority = \"PRIORITY\"\nphrases = [\"x\"]"
        )
        .is_err());
        assert!(Triage::from_toml(
            "[[rules]]\ncode = \"phrase_x\"\npriority = \"URGENT\"\nphrases = [\"x\"]"
        )
        .is_err());
        assert!(Triage::from_toml(
            "[[rules]]\ncode = \"phrase_x\"\npriority = \"PRIORITY\"\nphrases = [\"  \"]"
        )
        .is_err());
    }
}
