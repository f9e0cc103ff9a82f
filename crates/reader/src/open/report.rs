//! The intelligence report built from one document: a first screen that answers the officer's
//! questions (how urgent and why, what, where, who, which vehicles and phones, when, reported
//! where else), the suggested grading, then every answer grouped by entity. Text, HTML and JSON
//! all render this one model, so they cannot disagree.

use super::document::{text_of, Document, FormKind};
use super::grading::{self, Suggestion};
use super::labels::{clean_label, display_value, note_text, reason_words};
use crate::forms::spec::{Field, Kind};
use serde::Serialize;
use serde_json::{Map, Value};

/// Why the submission has its priority: a reason code in words and, for a narrative reason,
/// the sentence that raised it.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    pub code: String,
    pub words: String,
    pub sentence: Option<String>,
    /// The answer that holds the sentence, by path, and its question.
    pub field: Option<String>,
    pub in_answer: Option<String>,
}

/// One line per person, vehicle, phone or place on the first screen, with the item it came
/// from (`people[1]`), the path the full answers and `share --remove` use.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub item: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FirstScreen {
    /// For what a submitter added on /follow-up: the reference of the report it adds to.
    pub follow_up_of: Option<String>,
    pub priority: String,
    pub reasons: Vec<Reason>,
    /// What is alleged, in one line.
    pub alleged: String,
    pub categories: Vec<String>,
    pub localities: Vec<String>,
    pub postcodes: Vec<String>,
    pub places: Vec<Line>,
    pub children_at_risk: Vec<Line>,
    pub posing_risk: Vec<Line>,
    pub other_people: Vec<Line>,
    pub vehicles: Vec<Line>,
    pub phones: Vec<Line>,
    pub online: Vec<Line>,
    pub when: Vec<String>,
    pub reported_elsewhere: Vec<String>,
    /// The languages other than English the submitter wrote in, and whether triage read them.
    pub written_in: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Row {
    Answer {
        field: String,
        label: String,
        value: String,
        note: Option<String>,
    },
    Item {
        item: String,
        title: String,
        rows: Vec<Row>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: String,
    /// It may identify the submitter or the source: not for dissemination as it stands.
    pub source_identifying: bool,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub marking: String,
    pub reference: String,
    pub received_at: String,
    pub form: String,
    pub form_version: u64,
    pub form_kind: FormKind,
    pub route: String,
    pub view: String,
    pub signature: String,
    pub verified: bool,
    pub first_screen: FirstScreen,
    pub suggested_grading: Suggestion,
    pub notes: Vec<String>,
    pub sections: Vec<Section>,
}

mod first_screen;
use first_screen::first_screen;

pub const SCHEMA: &str = "pis-gateway/open-report/v1";

pub fn build(doc: &Document<'_>, provenance: &super::Provenance) -> Report {
    build_in_thread(doc, provenance, None)
}

/// The report of `doc`; for an addendum, graded as `original` (the report it adds to, when
/// it was opened with it and its reference is the one the addendum names).
pub fn build_in_thread(
    doc: &Document<'_>,
    provenance: &super::Provenance,
    original: Option<&Document<'_>>,
) -> Report {
    let version = doc
        .raw
        .get("form_version")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut notes = Vec::new();
    if let Some(spec) = doc.spec {
        if u64::from(spec.version) != version {
            notes.push(format!(
                "labels are from form version {}; the submission used version {version}",
                spec.version
            ));
        }
    }
    Report {
        schema: SCHEMA,
        marking: match doc.header("marking") {
            "" => "OFFICIAL-SENSITIVE".into(),
            m => m.to_string(),
        },
        reference: doc.header("reference").into(),
        received_at: doc.header("received_at").into(),
        form: doc.header("form").into(),
        form_version: version,
        form_kind: doc.form_kind(),
        route: doc.header("route").into(),
        view: doc.header("view").into(),
        signature: provenance.describe(),
        verified: matches!(
            provenance,
            super::Provenance::Signed(_) | super::Provenance::SharedBy(_)
        ),
        first_screen: first_screen(doc),
        suggested_grading: suggested_grading(doc, original),
        notes,
        sections: sections(doc),
    }
}

fn suggested_grading(doc: &Document<'_>, original: Option<&Document<'_>>) -> Suggestion {
    match doc.header("follow_up_of") {
        "" => grading::suggest(doc),
        of => grading::for_addendum(
            of,
            original
                .filter(|o| o.header("reference") == of)
                .map(grading::suggest),
        ),
    }
}

fn reasons(doc: &Document<'_>) -> Vec<Reason> {
    let narrative = doc.narrative();
    doc.strings("reason_codes")
        .into_iter()
        .map(|code| {
            let n = narrative.iter().find(|n| n.reason == code);
            Reason {
                code: code.to_string(),
                words: reason_words(code),
                sentence: n.and_then(|n| n.sentence.clone()),
                field: n.map(|n| n.field.clone()),
                in_answer: n.map(|n| doc.label_of_path(&n.field)),
            }
        })
        .chain(
            // A narrative reason the header does not list is still shown, never dropped.
            narrative
                .iter()
                .filter(|n| !doc.strings("reason_codes").contains(&n.reason.as_str()))
                .map(|n| Reason {
                    code: n.reason.clone(),
                    words: reason_words(&n.reason),
                    sentence: n.sentence.clone(),
                    field: Some(n.field.clone()),
                    in_answer: Some(doc.label_of_path(&n.field)),
                }),
        )
        .collect()
}

/// "Polish (pl), in: What happened; read by the Polish triage rules", or, for a language no
/// rules read, that the words need translating.
fn written_in(doc: &Document<'_>) -> Vec<String> {
    // The language of the form's pages, when it was not English: "… (form in Polish)", and
    // "English (form in Polish)" when the words are English but the pages were not.
    let form_in = doc
        .raw
        .get("page_language")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .filter(|name| *name != "English");
    let mut lines: Vec<String> = doc
        .raw
        .get("languages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|w| {
            let name = w.get("name")?.as_str()?;
            let code = w.get("code").and_then(Value::as_str).unwrap_or("und");
            let field = w.get("field").and_then(Value::as_str).unwrap_or("");
            let place = if field.is_empty() {
                "the account as a whole".to_string()
            } else {
                doc.label_of_path(field)
            };
            let read = if w.get("read").and_then(Value::as_bool) == Some(true) {
                format!("read by the {name} triage rules")
            } else {
                "not read by triage: have it translated".to_string()
            };
            Some(format!("{name} ({code}), in: {place}; {read}"))
        })
        .collect();
    if let Some(form) = form_in {
        if lines.is_empty() {
            lines.push("English".to_string());
        }
        for line in &mut lines {
            line.push_str(&format!(" (form in {form})"));
        }
    }
    lines
}

/// The summary line if the form has one, else the first sentence of the account (for an
/// addendum, of what the submitter added), cut short.
fn alleged(doc: &Document<'_>) -> String {
    if let Some(s) = doc.text("summary") {
        return one_line(s, 200);
    }
    let account = doc
        .text("what_happened")
        .or_else(|| doc.text("details"))
        .or_else(|| doc.text(crate::forms::fields::ADDENDUM_FIELD))
        .unwrap_or("");
    let first = account
        .split_inclusive(['.', '!', '?', '\n'])
        .next()
        .unwrap_or(account);
    one_line(first, 200)
}

fn one_line(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        flat.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn when(doc: &Document<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let (known, date, time, often) = match doc.form_kind() {
        FormKind::Community => ("when_known", "when", "", "how_often"),
        _ => ("event_date_known", "event_date", "event_time", "frequency"),
    };
    // "2026-11-02, morning (on or around a date)": the date first, as the officer records it.
    let mut first = doc.text(date).map(str::to_string).unwrap_or_default();
    if let Some(t) = doc.text(time).filter(|t| *t != "UNKNOWN") {
        if !first.is_empty() {
            first.push_str(", ");
        }
        first.push_str(&doc.option_label(time, t).to_lowercase());
    }
    if let Some(k) = doc.text(known) {
        let k = doc.option_label(known, k);
        first = if first.is_empty() {
            k
        } else {
            format!("{first} ({})", k.to_lowercase())
        };
    }
    if !first.is_empty() {
        out.push(first);
    }
    if let Some(f) = doc.text(often).filter(|f| *f != "UNKNOWN") {
        out.push(format!(
            "how often: {}",
            doc.option_label(often, f).to_lowercase()
        ));
    }
    if let Some(d) = doc.text("date_learned") {
        out.push(format!("the submitter found out on {d}"));
    }
    out
}

fn reported(doc: &Document<'_>) -> Vec<String> {
    let mut out: Vec<String> = ["reported_elsewhere", "told_anyone_else"]
        .iter()
        .flat_map(|f| {
            doc.chosen(f)
                .into_iter()
                .map(move |v| doc.option_label(f, v))
        })
        .collect();
    for (_, item) in doc.items("other_agencies") {
        if let Some(a) = text_of(item, "agency") {
            out.push(format!("involved or told: {a}"));
        }
    }
    if let Some(r) = doc.text("police_reference") {
        out.push(format!("police reference {r}"));
    }
    if let Some(r) = doc.text("previous_pis_reference") {
        out.push(format!("earlier form {r}"));
    }
    out
}

/// Every answer: each form section's own answers under its title, and each repeatable group
/// (people, vehicles, phones, places…) as a section of its own, one item per entity.
fn sections(doc: &Document<'_>) -> Vec<Section> {
    let notes = doc.notes();
    let mut out = Vec::new();
    let mut known = std::collections::HashSet::new();
    if let Some(spec) = doc.spec {
        for sec in &spec.sections {
            known.extend(sec.fields.iter().map(|f| f.id.clone()));
            let plain: Vec<Field> = sec
                .fields
                .iter()
                .filter(|f| !matches!(f.kind, Kind::Group { .. }))
                .cloned()
                .collect();
            let rows = rows_for(doc, &plain, doc.answers, "", &notes);
            if !rows.is_empty() {
                out.push(Section {
                    title: sec.title.clone(),
                    source_identifying: sec.sensitive,
                    rows,
                });
            }
            for f in sec
                .fields
                .iter()
                .filter(|f| matches!(f.kind, Kind::Group { .. }))
            {
                let rows = rows_for(doc, std::slice::from_ref(f), doc.answers, "", &notes);
                if !rows.is_empty() {
                    out.push(Section {
                        title: clean_label(&f.label),
                        source_identifying: sec.sensitive,
                        rows,
                    });
                }
            }
        }
    }
    // Anything the form spec does not know (another version, or no spec at hand) is still shown.
    let other: Vec<Row> = doc
        .answers
        .iter()
        .filter(|(k, _)| !known.contains(*k))
        .map(|(k, v)| Row::Answer {
            field: k.clone(),
            label: k.clone(),
            value: match v {
                Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            },
            note: None,
        })
        .collect();
    if !other.is_empty() {
        out.push(Section {
            title: "Other answers".into(),
            source_identifying: false,
            rows: other,
        });
    }
    // What a submitter adds is in their own words, under the original's source protection.
    if !doc.header("follow_up_of").is_empty() {
        for s in &mut out {
            s.source_identifying = true;
        }
    }
    out
}

fn rows_for(
    doc: &Document<'_>,
    fields: &[Field],
    answers: &Map<String, Value>,
    path: &str,
    notes: &[(String, String)],
) -> Vec<Row> {
    let mut rows = Vec::new();
    for f in fields {
        let Some(v) = answers.get(&f.id) else {
            continue;
        };
        let here = if path.is_empty() {
            f.id.clone()
        } else {
            format!("{path}.{}", f.id)
        };
        if let Kind::Group {
            item_label,
            fields: subs,
            ..
        } = &f.kind
        {
            let label = item_label.as_deref().unwrap_or("Item");
            for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                let Some(obj) = item.as_object() else {
                    continue;
                };
                let role = text_of(obj, "role")
                    .map(|r| {
                        format!(
                            ": {}",
                            doc.option_label(&format!("{}.role", f.id), r)
                                .to_lowercase()
                        )
                    })
                    .unwrap_or_default();
                rows.push(Row::Item {
                    item: format!("{here}[{i}]"),
                    title: format!("{label} {}{role}", i + 1),
                    rows: rows_for(doc, subs, obj, &format!("{here}[{i}]"), notes),
                });
            }
        } else {
            let note = notes
                .iter()
                .find(|(field, _)| *field == here)
                .map(|(_, code)| note_text(code));
            rows.push(Row::Answer {
                field: here,
                label: clean_label(&f.label),
                value: display_value(f, v),
                note,
            });
        }
    }
    rows
}
