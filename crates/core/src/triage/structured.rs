//! Triage from the structured answers: the gate question, the urgency questions, and facts
//! given about people (a child missing, a young child missing).

use super::{Assessment, Priority};
use crate::forms::date::{parse as parse_date, FuzzyDate};
use crate::forms::fields;
use serde_json::{Map, Value};
use time::Date;

/// The gate question: "Is anyone in immediate danger, or is something happening right now?".
pub const GATE_FIELD: &str = fields::GATE;

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

/// The gate answers already say someone may be in danger now.
pub fn gate_says_danger(answers: &Map<String, Value>) -> bool {
    let gate = answers.get(fields::GATE).and_then(Value::as_str);
    let now = answers
        .get(fields::URGENCY_NOW)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str().is_some_and(|v| v != "NONE")));
    matches!(gate, Some("yes" | "not_sure")) || now
}

/// Raises `a` for the structured answers. `today` is the UK date, for ages.
pub fn assess(answers: &Map<String, Value>, today: Date, a: &mut Assessment) {
    match answers.get(fields::GATE).and_then(Value::as_str) {
        Some("yes") => a.escalate(Priority::Immediate, "gate_danger_now"),
        // "Not sure" counts as yes: someone who cannot rule out danger now should be read by
        // someone who can act now.
        Some("not_sure") => a.escalate(Priority::Immediate, "gate_danger_not_sure"),
        _ => {}
    }
    for (value, code) in NOW_SIGNALS {
        if chosen(answers, fields::URGENCY_NOW, value) {
            a.escalate(Priority::Immediate, code);
        }
    }
    for (value, code) in SOON_SIGNALS {
        if chosen(answers, fields::URGENCY_SOON, value) {
            a.escalate(Priority::Priority, code);
        }
    }
    // A risk to the source is not in itself time-critical (DOMAIN §6, §7.2 item 8): it
    // narrows what MACE sees (routing) and, when the threat is current, the "now" question
    // above has RETALIATION_THREAT.
    people_signals(answers, today, a);
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
    let Some(people) = answers.get(fields::PEOPLE).and_then(Value::as_array) else {
        return;
    };
    for p in people.iter().filter_map(Value::as_object) {
        if p.get(fields::PERSON_CURRENTLY_MISSING)
            .and_then(Value::as_str)
            != Some("yes")
        {
            continue;
        }
        a.escalate(Priority::Priority, "child_missing");
        if youngest_age(p, today).is_some_and(|age| age < 13) {
            a.escalate(Priority::Immediate, "missing_child_under_13");
        }
    }
}
