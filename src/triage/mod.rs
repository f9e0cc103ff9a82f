//! Triage: IMMEDIATE, PRIORITY or ROUTINE, with a reason code for each escalation.
//!
//! Structured answers decide first (`structured`): the gate question, the urgency questions
//! and facts about people. The narrative reader (`narrative`) then reads what people wrote,
//! with rules from `config/triage.toml` (`rules`) and times resolved against the moment of
//! receipt (`time`). Triage only escalates, never refuses a submission, and records reason
//! codes in the cleartext record, never the text that matched; the sealed full view carries
//! the field and sentence behind each narrative reason, for the officer.

pub mod company;
pub mod eval;
pub mod grammar;
pub mod narrative;
pub mod rules;
pub mod structured;
pub mod time;
mod tokens;

use crate::forms::fields;
use ::time::OffsetDateTime;
pub use narrative::{Finding, Reader};
use rules::Rules;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;
pub use structured::{GATE_FIELD, NOW_SIGNALS, SOON_SIGNALS};

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
    /// Where each narrative reason was written. Holds positions in submission content: for
    /// the sealed full view only, never the cleartext record, logs or a narrower view.
    pub findings: Vec<Finding>,
}

impl Assessment {
    fn new() -> Self {
        Assessment {
            priority: Priority::Routine,
            reasons: Vec::new(),
            findings: Vec::new(),
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

/// The rules shipped in `config/triage.toml`, built in for `triage-eval` away from a checkout.
pub const SHIPPED_RULES: &str = include_str!("../../config/triage.toml");

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{0}")]
    Invalid(String),
}

/// Triage with its narrative rules, loaded once at start.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    reader: Option<Reader>,
    /// The highest priority words alone may give (`[triage] narrative_max`).
    narrative_max: Option<Priority>,
}

impl Triage {
    /// Loads the narrative rules.
    pub fn load(path: &Path) -> Result<Self, RulesError> {
        let rules = Rules::load(path).map_err(RulesError::Invalid)?;
        Ok(Triage {
            reader: Some(Reader::new(rules)),
            narrative_max: None,
        })
    }

    pub fn from_toml(source: &str) -> Result<Self, RulesError> {
        let rules = Rules::from_toml(source).map_err(RulesError::Invalid)?;
        Ok(Triage {
            reader: Some(Reader::new(rules)),
            narrative_max: None,
        })
    }

    /// Words alone raise a submission no higher than `max`.
    pub fn with_narrative_max(mut self, max: Priority) -> Self {
        self.narrative_max = Some(max);
        self
    }

    pub fn rule_count(&self) -> usize {
        self.reader.as_ref().map_or(0, |r| r.rules.concepts.len())
    }

    /// What the narrative reader finds in every free-text answer.
    pub fn read_narrative(&self, answers: &Map<String, Value>, at: OffsetDateTime) -> Vec<Finding> {
        let Some(reader) = &self.reader else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (field, text) in free_text(answers) {
            out.extend(reader.read(&field, text, at));
        }
        out
    }

    /// How the narrative reader reads one text (for `triage-eval --explain`).
    pub fn explain(&self, text: &str, at: OffsetDateTime) -> Vec<String> {
        self.reader
            .as_ref()
            .map(|r| r.explain(text, at))
            .unwrap_or_default()
    }

    /// Assesses validated, normalised answers received at `at`.
    pub fn assess(&self, answers: &Map<String, Value>, at: OffsetDateTime) -> Assessment {
        let mut a = Assessment::new();
        structured::assess(answers, crate::ukdate::uk_date(at), &mut a);
        let findings = self.read_narrative(answers, at);
        let cap = self.narrative_max.unwrap_or(Priority::Immediate);
        for f in &findings {
            a.escalate(f.priority.min(cap), &f.reason);
        }
        let narrative_immediate = findings.iter().any(|f| f.priority == Priority::Immediate);
        match answers.get(fields::NARRATIVE_CHECK).and_then(Value::as_str) {
            Some("yes") => a.escalate(Priority::Immediate, "gate_danger_now"),
            Some("not_sure") => a.escalate(Priority::Immediate, "gate_danger_not_sure"),
            // Triage only escalates: the narrative's finding stands, and the officer sees that
            // the submitter thought otherwise.
            Some("no") if narrative_immediate => {
                a.escalate(Priority::Routine, "submitter_said_not_immediate")
            }
            _ => {}
        }
        a.findings = findings;
        a
    }

    /// When the narrative shows danger now (or possible danger now: `narrative_possible_now`)
    /// that the gate answers did not, and the submitter
    /// has not yet been asked: what was noticed, in plain words, for the interruption page.
    pub fn narrative_check(
        &self,
        answers: &Map<String, Value>,
        at: OffsetDateTime,
    ) -> Option<Vec<String>> {
        let reader = self.reader.as_ref()?;
        if structured::gate_says_danger(answers)
            || answers
                .get(fields::NARRATIVE_CHECK)
                .and_then(Value::as_str)
                .is_some()
        {
            return None;
        }
        let findings = self.read_narrative(answers, at);
        let mut plain: Vec<String> = Vec::new();
        // Danger now, confident or written with doubt: either way the person is asked.
        for f in findings
            .iter()
            .filter(|f| f.priority == Priority::Immediate || f.possible)
        {
            let words = if f.by_time {
                reader.rules.plain_soon.clone()
            } else {
                reader.rules.concepts[f.concept].plain.clone()
            };
            if !plain.contains(&words) {
                plain.push(words);
            }
        }
        (!plain.is_empty()).then_some(plain)
    }
}

/// Free-text answers with their field paths. Option codes (`DANGER_TO_LIFE`), yes/no answers
/// and the gate's own questions are not narrative.
fn free_text(answers: &Map<String, Value>) -> Vec<(String, &str)> {
    fn walk<'a>(path: String, v: &'a Value, out: &mut Vec<(String, &'a str)>) {
        match v {
            Value::String(s) => {
                let code = s
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if !code && !matches!(s.as_str(), "yes" | "no" | "not_sure") {
                    out.push((path, s));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(format!("{path}[{i}]"), item, out);
                }
            }
            Value::Object(m) => {
                for (k, item) in m {
                    walk(format!("{path}.{k}"), item, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in answers {
        if k.starts_with("gate.") || k.starts_with("urgency.") {
            continue;
        }
        walk(k.clone(), v, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::datetime;
    use serde_json::json;

    /// A Monday afternoon in November (UK time is UTC).
    const AT: OffsetDateTime = datetime!(2026-11-23 14:30 UTC);

    fn answers(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn shipped() -> Triage {
        Triage::from_toml(SHIPPED_RULES).expect("shipped rules load")
    }

    #[test]
    fn the_gate_question_decides_immediate() {
        let t = Triage::default();
        let a = t.assess(&answers(json!({"gate.immediate_danger": "yes"})), AT);
        assert_eq!(
            (a.priority, a.reasons.clone()),
            (Priority::Immediate, vec!["gate_danger_now".to_string()])
        );
        assert_eq!(
            t.assess(&answers(json!({"gate.immediate_danger": "not_sure"})), AT)
                .priority,
            Priority::Immediate
        );
        assert_eq!(
            t.assess(&answers(json!({"gate.immediate_danger": "no"})), AT)
                .priority,
            Priority::Routine
        );
    }

    #[test]
    fn a_young_missing_child_is_immediate_an_older_one_priority() {
        let t = Triage::default();
        let young = t.assess(
            &answers(json!({"people": [{"currently_missing": "yes", "dob": "2014"}]})),
            AT,
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
            AT,
        );
        assert_eq!(older.priority, Priority::Priority);
        // Born 23 November 2013: 13 today.
        let thirteen = t.assess(
            &answers(json!({"people": [{"currently_missing": "yes", "dob": "2013-11-23"}]})),
            AT,
        );
        assert_eq!(thirteen.priority, Priority::Priority);
    }

    #[test]
    fn the_narrative_raises_with_a_code_and_keeps_where_it_was_written() {
        let t = shipped();
        let a = t.assess(
            &answers(json!({
                "gate.immediate_danger": "no",
                "urgency.now": ["NONE"],
                "people": [{"description": "Calm lad. He is outside the chip shop showing a knife."}],
            })),
            AT,
        );
        assert_eq!(a.priority, Priority::Immediate);
        assert!(
            a.reasons.contains(&"narrative_weapons_now".to_string()),
            "{:?}",
            a.reasons
        );
        let knife = a
            .findings
            .iter()
            .find(|f| f.reason == "narrative_weapons_now")
            .expect("the knife's finding");
        assert_eq!(knife.field, "people[0].description");
        assert_eq!((knife.start, knife.end), (10, 53));
    }

    #[test]
    fn possible_danger_now_is_asked_on_the_web_and_priority_through_the_api() {
        let t = shipped();
        let text = "Maybe she is in the car with those men right now, I can't tell.";
        let mut a = answers(json!({
            "gate.immediate_danger": "no",
            "urgency.now": ["NONE"],
            "details": text,
        }));
        assert!(t.narrative_check(&a, AT).is_some(), "the person is asked");
        let api = t.assess(&a, AT);
        assert_eq!(api.priority, Priority::Priority);
        assert!(
            api.reasons.contains(&"narrative_possible_now".to_string()),
            "{:?}",
            api.reasons
        );
        a.insert(fields::NARRATIVE_CHECK.into(), json!("not_sure"));
        assert!(t.narrative_check(&a, AT).is_none(), "asked once");
        let answered = t.assess(&a, AT);
        assert_eq!(answered.priority, Priority::Immediate);
        assert!(answered
            .reasons
            .contains(&"gate_danger_not_sure".to_string()));
    }

    #[test]
    fn option_codes_and_the_gate_are_not_narrative() {
        let t = shipped();
        let a = t.assess(
            &answers(
                json!({"concern_categories": ["DANGER_TO_LIFE"], "gate.radicalisation": "no"}),
            ),
            AT,
        );
        assert!(a.reasons.is_empty(), "{:?}", a.reasons);
    }

    #[test]
    fn narrative_max_caps_words_alone_but_not_the_submitters_yes() {
        let t = shipped().with_narrative_max(Priority::Priority);
        let words = json!({"details": "she has taken all her tablets"});
        let a = t.assess(&answers(words.clone()), AT);
        assert_eq!(a.priority, Priority::Priority);
        assert_eq!(a.reasons, vec!["narrative_medical_emergency"]);
        let mut said_yes = answers(words);
        said_yes.insert("gate.narrative_check".into(), json!("yes"));
        assert_eq!(t.assess(&said_yes, AT).priority, Priority::Immediate);
    }

    #[test]
    fn the_submitters_no_never_lowers_the_narrative() {
        let t = shipped();
        let a = t.assess(
            &answers(
                json!({"details": "she has taken all her tablets", "gate.narrative_check": "no"}),
            ),
            AT,
        );
        assert_eq!(a.priority, Priority::Immediate);
        assert_eq!(
            a.reasons,
            vec![
                "narrative_medical_emergency",
                "submitter_said_not_immediate"
            ]
        );
        let unsure = t.assess(
            &answers(json!({"details": "she has taken all her tablets", "gate.narrative_check": "not_sure"})),
            AT,
        );
        assert!(unsure.reasons.contains(&"gate_danger_not_sure".to_string()));
    }

    #[test]
    fn the_check_is_asked_only_when_the_words_say_more_than_the_gate() {
        let t = shipped();
        let words = json!({"gate.immediate_danger": "no", "details": "they will share the pictures at midnight unless he pays"});
        let plain = t
            .narrative_check(&answers(words.clone()), AT)
            .expect("asked");
        assert!(!plain.is_empty());
        assert!(plain.iter().all(|p| !p.contains("pictures")), "{plain:?}");
        let mut gate_yes = answers(words.clone());
        gate_yes.insert("gate.immediate_danger".into(), json!("yes"));
        assert_eq!(t.narrative_check(&gate_yes, AT), None);
        let mut answered = answers(words);
        answered.insert("gate.narrative_check".into(), json!("no"));
        assert_eq!(t.narrative_check(&answered, AT), None);
        assert_eq!(
            t.narrative_check(&answers(json!({"details": "drill music about knives"})), AT),
            None
        );
    }

    #[test]
    fn bad_rule_files_are_refused() {
        assert!(Triage::from_toml("[[concept]]\ncode = \"Weapon\"").is_err());
        assert!(Triage::from_toml("").is_err());
    }
}
