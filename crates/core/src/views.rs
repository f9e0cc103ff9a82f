//! What each route may see of a submission.
//!
//! `full` is every answer. `restricted` keeps only the fields the form marks shareable with
//! MACE; the form loader has already refused a shareable field in a sensitive section (the
//! submitter, the source) or a shareable vehicle registration, and this module checks the kind
//! again so a spec mistake cannot leak a plate. `notice` is the fewest: the categories alone
//! (the localities travel in the document's own field), sealed like every other view.

use crate::forms::spec::{FormSpec, Kind};
use crate::forms::Note;
use serde_json::{Map, Value};

/// The shareable subset of the answers.
pub fn restricted(spec: &FormSpec, answers: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for section in spec.sections.iter().filter(|s| !s.sensitive) {
        for f in &section.fields {
            let Some(v) = answers.get(&f.id) else {
                continue;
            };
            match &f.kind {
                Kind::Group { fields, .. } => {
                    let shared: Vec<&str> = fields
                        .iter()
                        .filter(|s| s.shareable && !matches!(s.kind, Kind::VehicleRegistration))
                        .map(|s| s.id.as_str())
                        .collect();
                    if shared.is_empty() {
                        continue;
                    }
                    let items: Vec<Value> = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_object)
                        .map(|item| {
                            item.iter()
                                .filter(|(k, _)| shared.contains(&k.as_str()))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect::<Map<String, Value>>()
                        })
                        .filter(|m| !m.is_empty())
                        .map(Value::Object)
                        .collect();
                    if !items.is_empty() {
                        out.insert(f.id.clone(), Value::Array(items));
                    }
                }
                Kind::VehicleRegistration => {}
                _ if f.shareable => {
                    out.insert(f.id.clone(), v.clone());
                }
                _ => {}
            }
        }
    }
    out
}

/// Notes about top-level fields a narrowed view still contains. Notes on group items are
/// dropped: the restricted view drops items left empty, so their indices no longer line up, and
/// the kinds that carry notes (plates, postcodes, phones) are not shared anyway.
pub fn notes_for(view_answers: &Map<String, Value>, notes: &[Note]) -> Vec<Note> {
    notes
        .iter()
        .filter(|n| !n.field.contains('[') && view_answers.contains_key(&n.field))
        .cloned()
        .collect()
}

/// The answers a notice carries: the concern categories (codes) and nothing else. No free
/// text, no names; the localities go in the sealed document's `localities`.
pub fn notice(answers: &Map<String, Value>) -> Map<String, Value> {
    let categories: Vec<Value> = answers
        .get(crate::forms::fields::CONCERN_CATEGORIES)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|v| v.is_string()).cloned().collect())
        .unwrap_or_default();
    let mut out = Map::new();
    out.insert(
        crate::forms::fields::CONCERN_CATEGORIES.to_string(),
        Value::Array(categories),
    );
    out
}
