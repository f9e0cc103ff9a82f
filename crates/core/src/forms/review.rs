//! The check-your-answers page: validated answers as people read them, section by section.
//!
//! Values are shown as the labels the person chose ("Yes", "Someone could be seriously hurt")
//! and dates in words ("3 March 2025"), never as codes.

use super::spec::{Field, FormSpec, Kind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReviewSection {
    pub id: String,
    pub title: String,
    pub rows: Vec<ReviewRow>,
}

/// One question and its answer. An answer can have several lines: the choices ticked, the
/// lines of a long text, or the answered questions of one item in a group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReviewRow {
    pub key: String,
    pub lines: Vec<String>,
}

/// How a page writes what is not the form's own words: a yes/no question's "Yes" and "No", and
/// dates in words. `None` leaves the English.
pub trait Wording {
    /// A yes/no question's answer (`yes`, `no`, `not_sure`) in the page's words.
    fn answer(&self, _value: &str) -> Option<String> {
        None
    }
    /// A date in words: its year, month (1 to 12) and day when known.
    fn date(&self, _year: &str, _month: u8, _day: Option<u8>) -> Option<String> {
        None
    }
    /// What goes between the answers listed on one line (", ", or Arabic's "، ").
    fn comma(&self) -> Option<String> {
        None
    }
}

/// English: the form's labels and [`date_in_words`].
pub struct English;
impl Wording for English {}

pub fn review(spec: &FormSpec, answers: &Map<String, Value>) -> Vec<ReviewSection> {
    review_in(spec, answers, &English)
}

/// The answers as [`review`] shows them, yes, no and dates written by `w`.
pub fn review_in(
    spec: &FormSpec,
    answers: &Map<String, Value>,
    w: &dyn Wording,
) -> Vec<ReviewSection> {
    spec.sections
        .iter()
        .map(|s| ReviewSection {
            id: s.id.clone(),
            title: s.title.clone(),
            rows: s
                .fields
                .iter()
                .flat_map(|f| rows_for(f, answers.get(&f.id), w))
                .collect(),
        })
        .collect()
}

fn rows_for(f: &Field, value: Option<&Value>, w: &dyn Wording) -> Vec<ReviewRow> {
    let Some(value) = value else {
        return Vec::new();
    };
    if let Kind::Group {
        item_label, fields, ..
    } = &f.kind
    {
        let item_label = item_label.as_deref().unwrap_or("Item");
        let comma = w.comma().unwrap_or_else(|| ", ".into());
        return value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .enumerate()
            .map(|(i, item)| ReviewRow {
                key: format!("{item_label} {}", i + 1),
                lines: fields
                    .iter()
                    .filter_map(|sub| {
                        let shown = lines(sub, item.get(&sub.id)?, w);
                        (!shown.is_empty())
                            .then(|| format!("{}: {}", sub.label, shown.join(&comma)))
                    })
                    .collect(),
            })
            .filter(|row| !row.lines.is_empty())
            .collect();
    }
    let shown = lines(f, value, w);
    if shown.is_empty() {
        return Vec::new();
    }
    vec![ReviewRow {
        key: f.label.clone(),
        lines: shown,
    }]
}

fn lines(f: &Field, value: &Value, w: &dyn Wording) -> Vec<String> {
    let label_of = |code: &str| {
        // A yes/no question's answers are the page's words, "Not sure" too unless the form
        // words its own.
        let own_label = matches!(
            &f.kind,
            Kind::YesNo {
                not_sure_label: Some(_),
                ..
            }
        );
        if matches!(f.kind, Kind::YesNo { .. }) && !(own_label && code == "not_sure") {
            if let Some(words) = w.answer(code) {
                return words;
            }
        }
        f.kind
            .options()
            .and_then(|o| o.into_iter().find(|o| o.value == code))
            .map(|o| o.label)
            .unwrap_or_else(|| code.to_string())
    };
    match (&f.kind, value) {
        (Kind::MultiChoice { .. }, Value::Array(codes)) => codes
            .iter()
            .filter_map(Value::as_str)
            .map(label_of)
            .collect(),
        (Kind::YesNo { .. } | Kind::Choice { .. }, Value::String(code)) => vec![label_of(code)],
        (Kind::Date { .. }, Value::String(d)) => vec![written_date(d, w)],
        (_, Value::String(s)) => s
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        (_, other) => vec![other.to_string()],
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as `w` writes it, or in English.
fn written_date(d: &str, w: &dyn Wording) -> String {
    let parts: Vec<&str> = d.split('-').collect();
    let month = |m: &str| m.parse::<u8>().ok().filter(|m| (1..=12).contains(m));
    let words = match parts.as_slice() {
        [y, m, day] => month(m)
            .zip(day.parse::<u8>().ok())
            .and_then(|(m, day)| w.date(y, m, Some(day))),
        [y, m] => month(m).and_then(|m| w.date(y, m, None)),
        _ => None,
    };
    words.unwrap_or_else(|| date_in_words(d))
}

/// `2025-03-07` → "7 March 2025"; `2025-03` → "March 2025"; `2025` stays.
fn date_in_words(d: &str) -> String {
    let parts: Vec<&str> = d.split('-').collect();
    let month = |m: &str| {
        m.parse::<usize>()
            .ok()
            .and_then(|m| MONTHS.get(m.checked_sub(1)?))
    };
    match parts.as_slice() {
        [y, m, day] => match (month(m), day.parse::<u8>()) {
            (Some(m), Ok(day)) => format!("{day} {m} {y}"),
            _ => d.to_string(),
        },
        [y, m] => match month(m) {
            Some(m) => format!("{m} {y}"),
            None => d.to_string(),
        },
        _ => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::FormRegistry;
    use serde_json::json;

    #[test]
    fn dates_read_as_words() {
        assert_eq!(date_in_words("2025-03-07"), "7 March 2025");
        assert_eq!(date_in_words("2025-12"), "December 2025");
        assert_eq!(date_in_words("2025"), "2025");
        assert_eq!(date_in_words("2025-13"), "2025-13");
    }

    #[test]
    fn answers_show_as_the_labels_chosen_and_groups_as_items() {
        let reg = FormRegistry::built_in().expect("built-in forms load");
        let spec = reg.get("community").expect("community form");
        let answers = json!({
            "gate.immediate_danger": "not_sure",
            "urgency.now": ["WEAPONS", "NONE"],
            "what_happened": "Line one\r\n\r\nLine two",
            "when": "2026-10",
            "places": [{ "town": "York", "postcode": "YO24 3BZ" }, {}],
        });
        let sections = review(spec, answers.as_object().expect("object"));
        assert_eq!(sections.len(), spec.sections.len());
        let first = &sections[0];
        assert_eq!(first.rows[0].lines, vec!["Not sure"]);
        assert_eq!(
            first.rows[1].lines,
            vec!["Someone has a knife, gun or other weapon", "None of these"]
        );
        let all: Vec<&ReviewRow> = sections.iter().flat_map(|s| &s.rows).collect();
        let row = |key: &str| all.iter().find(|r| r.key.starts_with(key)).copied();
        assert_eq!(
            row("Tell us what is happening").map(|r| r.lines.clone()),
            Some(vec!["Line one".to_string(), "Line two".to_string()])
        );
        let place = all
            .iter()
            .find(|r| r.lines.iter().any(|l| l.contains("YO24 3BZ")))
            .expect("place row");
        assert!(place.key.ends_with(" 1"), "{}", place.key);
        assert!(place.lines.iter().any(|l| l.ends_with(": York")));
        // The empty second place shows nothing rather than an empty row.
        assert!(!all.iter().any(|r| r.lines.is_empty()));
        assert!(all.iter().any(|r| r.lines == vec!["October 2026"]));
    }
}
