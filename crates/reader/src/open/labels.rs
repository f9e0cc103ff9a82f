//! Words for the officer: questions without the form's residue, choice values as the form
//! words them, reason codes and validation notes in plain English.

use crate::forms::spec::{Field, Kind};
use crate::forms::vrm;
use serde_json::Value;

/// A question as a heading: "(optional)" and "if you know it" are for the submitter, not the
/// reader.
pub fn clean_label(label: &str) -> String {
    let mut s = label.trim().to_string();
    for residue in ["(optional)", ", if you know it", ", if you were given one"] {
        s = s.replace(residue, "");
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `yes`, `no`, `not_sure` in words; anything else as given.
pub fn yes_no(v: &str) -> String {
    match v {
        "yes" => "Yes".into(),
        "no" => "No".into(),
        "not_sure" => "Not sure".into(),
        other => other.to_string(),
    }
}

/// An answer as the form words it: option labels for choices, spaced plates, "; " between the
/// values of a multi-choice.
pub fn display_value(f: &Field, v: &Value) -> String {
    let label_of = |s: &str| {
        f.kind
            .options()
            .and_then(|o| o.into_iter().find(|o| o.value == s).map(|o| o.label))
            .unwrap_or_else(|| yes_no(s))
    };
    match (v, &f.kind) {
        (Value::String(s), Kind::VehicleRegistration) => vrm::display(s),
        (Value::String(s), _) => label_of(s),
        (Value::Array(items), _) => items
            .iter()
            .filter_map(Value::as_str)
            .map(label_of)
            .collect::<Vec<_>>()
            .join("; "),
        (other, _) => other.to_string(),
    }
}

/// A validation note on an answer, in words.
pub fn note_text(code: &str) -> String {
    match code {
        "partial_registration" => "partial registration: ? marks unknown characters".into(),
        "unusual_registration" => {
            "does not match a UK registration format (foreign, personalised or misread?)".into()
        }
        "partial_postcode" => "first part of the postcode only".into(),
        "partial_phone" => "partial number: ? marks unknown digits".into(),
        other => other.replace('_', " "),
    }
}

/// A reason code in words, with the code after it so the officer can search for it.
pub fn reason_words(code: &str) -> String {
    let words = match code {
        "gate_danger_now" => "The submitter said someone is in immediate danger now".into(),
        "gate_danger_not_sure" => {
            "The submitter could not rule out immediate danger (answered \"not sure\")".into()
        }
        "submitter_said_not_immediate" => {
            "The submitter said no one is in danger now, after being asked again".into()
        }
        "danger_to_life" => "Danger to life or serious injury".into(),
        "crime_in_progress" => "A crime is happening now".into(),
        "event_within_24h" => "Something involving a child is planned within 24 hours".into(),
        "missing_child_with_risk" => "A missing child may be with someone who poses a risk".into(),
        "weapons_now" => "Weapons involved now".into(),
        "child_held" => "A child or vulnerable person is being held".into(),
        "medical_emergency" => "A medical emergency".into(),
        "retaliation_threat" => "The submitter or source has been threatened".into(),
        "online_harm_now" => "Online harm happening now".into(),
        "child_missing" => "A child is missing".into(),
        "missing_child_under_13" => "A missing child under 13".into(),
        "event_within_days" => "Something is planned in the next few days".into(),
        "new_link_high_risk" => "A high-risk child has a new link to an adult or place".into(),
        "evidence_at_risk" => "Evidence may be lost soon".into(),
        // The learned reader's (pis-core's triage/model.rs): the highlighted sentence says where.
        "learned_danger_now" => {
            "words that often come with danger now, beside a concern the rules found".into()
        }
        "learned_presence_now" => {
            "a child, an adult and now in one paragraph, in words that often come with danger now"
                .into()
        }
        "narrative_unread_language" => {
            "Written in a language the triage rules do not read: have it translated and read soon"
                .into()
        }
        other => match other.strip_prefix("narrative_") {
            Some(concept) => format!(
                "In the submitter's words: {}",
                reason_words(concept)
                    .split(" (")
                    .next()
                    .unwrap_or(concept)
                    .to_lowercase()
            ),
            None => capitalise(&other.replace('_', " ")),
        },
    };
    format!("{words} ({code})")
}

/// A MACE locality (`CITY_OF_YORK`) in words, whichever form the document came from.
pub fn locality_words(code: &str) -> String {
    match code {
        "CITY_OF_YORK" => "City of York".into(),
        "OUTSIDE_AREA" => "Outside North Yorkshire and York".into(),
        "UNKNOWN" => "Not known".into(),
        other => capitalise(&other.to_lowercase().replace('_', " ")),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learned_readers_reasons_are_in_words() {
        assert_eq!(
            reason_words("narrative_learned_presence_now"),
            "In the submitter's words: a child, an adult and now in one paragraph, in words that \
             often come with danger now (narrative_learned_presence_now)"
        );
        assert!(reason_words("narrative_learned_danger_now")
            .starts_with("In the submitter's words: words that often come with danger now"));
    }

    #[test]
    fn form_residue_is_removed_from_labels() {
        assert_eq!(clean_label("Make (optional)"), "Make");
        assert_eq!(
            clean_label("Name, if you know it (optional)"),
            "Name",
            "community wording"
        );
        assert_eq!(
            clean_label("Police reference number, if you were given one (optional)"),
            "Police reference number"
        );
    }

    #[test]
    fn reason_codes_read_as_words() {
        assert_eq!(
            reason_words("narrative_weapons_now"),
            "In the submitter's words: weapons involved now (narrative_weapons_now)"
        );
        assert_eq!(
            reason_words("gate_danger_now"),
            "The submitter said someone is in immediate danger now (gate_danger_now)"
        );
        assert_eq!(
            reason_words("something_new"),
            "Something new (something_new)"
        );
    }
}
