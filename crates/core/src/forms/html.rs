//! Between the HTML form and the answers object: reading an urlencoded body into the same JSON
//! shape the API takes, and turning answers back into control values for a re-rendered page.
//!
//! Names follow the answers' paths: `summary`, `people[1].dob`; a date is three boxes named
//! `{path}-day`, `{path}-month`, `{path}-year`.

use super::date;
use super::spec::{Field, FormSpec, Kind};
use super::validate::FieldError;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What the submitter asked for with the button they pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send the whole form. Also what a post without a button means (a script, an old page).
    Submit,
    /// Check this section's answers and go on to the next page.
    Continue,
    /// The previous page, without checking this one.
    Back,
    /// From the check-your-answers page: show the named section again.
    Change(String),
    /// "Add another" for the named group: a round trip that adds an empty item.
    AddItem(String),
    /// "Remove" on one item of the named group.
    RemoveItem(String, usize),
    /// "Change" on one entry of a group shown as a list: open it for editing.
    EditItem(String, usize),
    /// "Save and view all sections": keep this page's answers and show the task list.
    Tasks,
    /// "Save and come back later": keep the answers under a key emailed in a link.
    Save,
}

impl Action {
    fn parse(raw: &str) -> Action {
        if let Some(group) = raw.strip_prefix("add:") {
            return Action::AddItem(group.to_string());
        }
        if let Some(rest) = raw.strip_prefix("remove:") {
            if let Some((group, i)) = rest.rsplit_once(':') {
                if let Ok(i) = i.parse() {
                    return Action::RemoveItem(group.to_string(), i);
                }
            }
        }
        if let Some(rest) = raw.strip_prefix("edit:") {
            if let Some((group, i)) = rest.rsplit_once(':') {
                if let Ok(i) = i.parse() {
                    return Action::EditItem(group.to_string(), i);
                }
            }
        }
        if let Some(section) = raw.strip_prefix("change:") {
            return Action::Change(section.to_string());
        }
        match raw {
            "continue" => Action::Continue,
            "back" => Action::Back,
            "tasks" => Action::Tasks,
            "save" => Action::Save,
            _ => Action::Submit,
        }
    }
}

pub struct Posted {
    pub answers: Value,
    pub token: Option<String>,
    pub action: Action,
    /// Raw control values, to show the page again exactly as it was filled in.
    pub values: Map<String, Value>,
    /// Items to show per group.
    pub slots: HashMap<String, usize>,
}

/// An error as the page shows it: the message, and the control the summary links to.
#[derive(Debug, Clone, Serialize)]
pub struct PageError {
    pub field: String,
    pub anchor: String,
    pub message: String,
}

/// A date whose boxes cannot be read at all; the validator reports it as a format error.
const UNREADABLE_DATE: &str = "unreadable";

pub fn read_posted(spec: &FormSpec, pairs: &[(String, String)]) -> Posted {
    let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, v) in pairs {
        by_name.entry(k.as_str()).or_default().push(v.as_str());
    }
    let first = |name: &str| {
        by_name
            .get(name)
            .and_then(|v| v.first().copied())
            .unwrap_or("")
    };
    let token = by_name
        .get("_token")
        .and_then(|v| v.first())
        .map(|s| s.to_string());
    let action = Action::parse(first("_action"));

    let mut answers = Map::new();
    let mut values = Map::new();
    let mut slots = HashMap::new();
    for f in spec.fields() {
        if let Kind::Group {
            max_items, fields, ..
        } = &f.kind
        {
            // Indices present in the body; a crafted body cannot make us allocate more than
            // the group's maximum plus one (which then fails validation as too many).
            let prefix = format!("{}[", f.id);
            let count = pairs
                .iter()
                .filter_map(|(k, _)| {
                    k.strip_prefix(&prefix)?
                        .split(']')
                        .next()?
                        .parse::<usize>()
                        .ok()
                })
                .filter(|i| *i <= *max_items)
                .map(|i| i + 1)
                .max()
                .unwrap_or(0);
            let mut items = Vec::with_capacity(count);
            for i in 0..count {
                let mut item = Map::new();
                for sub in fields {
                    let name = format!("{}[{i}].{}", f.id, sub.id);
                    if let Some(v) = read_control(sub, &name, &by_name, &mut values) {
                        item.insert(sub.id.clone(), v);
                    }
                }
                items.push(Value::Object(item));
            }
            let mut shown = count.max(1);
            if action == Action::AddItem(f.id.clone()) {
                shown = (count + 1).min(*max_items).max(1);
            }
            if let Action::RemoveItem(group, i) = &action {
                if *group == f.id && *i < count {
                    remove_item(&mut values, &f.id, *i);
                    items.remove(*i);
                    shown = items.len().max(1);
                }
            }
            slots.insert(f.id.clone(), shown);
            if !items.is_empty() {
                answers.insert(f.id.clone(), Value::Array(items));
            }
        } else if let Some(v) = read_control(f, &f.id, &by_name, &mut values) {
            answers.insert(f.id.clone(), v);
        }
    }
    Posted {
        answers: Value::Object(answers),
        token,
        action,
        values,
        slots,
    }
}

fn read_control(
    f: &Field,
    name: &str,
    by_name: &HashMap<&str, Vec<&str>>,
    values: &mut Map<String, Value>,
) -> Option<Value> {
    let get = |n: &str| by_name.get(n).and_then(|v| v.first().copied());
    match &f.kind {
        Kind::MultiChoice { .. } => {
            let chosen: Vec<Value> = by_name
                .get(name)
                .map(|v| v.iter().map(|s| Value::String(s.to_string())).collect())
                .unwrap_or_default();
            values.insert(name.to_string(), Value::Array(chosen.clone()));
            (!chosen.is_empty()).then_some(Value::Array(chosen))
        }
        Kind::Date { .. } => {
            let parts = ["day", "month", "year"].map(|p| {
                let n = format!("{name}-{p}");
                let v = get(&n).unwrap_or("");
                values.insert(n, Value::String(v.to_string()));
                v
            });
            match date::from_parts(parts[0], parts[1], parts[2]) {
                Ok(Some(s)) => Some(Value::String(s)),
                Ok(None) => None,
                Err(_) => Some(Value::String(UNREADABLE_DATE.into())),
            }
        }
        _ => {
            let v = get(name)?;
            values.insert(name.to_string(), Value::String(v.to_string()));
            (!v.trim().is_empty()).then(|| Value::String(v.to_string()))
        }
    }
}

/// Drops item `index` of a group from the control values and renumbers the ones after it, so
/// the page shows the remaining items in order.
pub fn remove_item(values: &mut Map<String, Value>, group: &str, index: usize) {
    let prefix = format!("{group}[");
    let renamed: Vec<(String, Option<String>)> = values
        .keys()
        .filter_map(|k| {
            let rest = k.strip_prefix(&prefix)?;
            let (i, tail) = rest.split_once(']')?;
            let i: usize = i.parse().ok()?;
            Some(match i.cmp(&index) {
                std::cmp::Ordering::Less => return None,
                std::cmp::Ordering::Equal => (k.clone(), None),
                std::cmp::Ordering::Greater => {
                    (k.clone(), Some(format!("{prefix}{}]{tail}", i - 1)))
                }
            })
        })
        .collect();
    let mut moved = Vec::new();
    for (old, new) in renamed {
        let v = values.remove(&old);
        if let (Some(new), Some(v)) = (new, v) {
            moved.push((new, v));
        }
    }
    values.extend(moved);
}

/// The section a control belongs to: `people[0].dob-day` is in the section of `people`.
pub fn section_of(spec: &FormSpec, name: &str) -> Option<usize> {
    // Field ids may contain '-', so a date's box suffix is stripped only when the whole name
    // is not itself a field.
    let root = name.split('[').next().unwrap_or(name);
    let find = |id: &str| {
        spec.sections
            .iter()
            .position(|s| s.fields.iter().any(|f| f.id == id))
    };
    find(root).or_else(|| {
        ["-day", "-month", "-year"]
            .iter()
            .find_map(|suffix| root.strip_suffix(suffix))
            .and_then(find)
    })
}

/// Control values as name/value pairs, as a page would post them (for rebuilding answers from
/// a draft).
fn as_pairs(values: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, v) in values {
        match v {
            Value::String(s) if !s.is_empty() => out.push((name.clone(), s.clone())),
            Value::Array(items) => out.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| (name.clone(), s.to_string())),
            ),
            _ => {}
        }
    }
    out
}

/// The answers object that control values (as kept between pages) stand for.
pub fn answers_of(spec: &FormSpec, values: &Map<String, Value>) -> Value {
    read_posted(spec, &as_pairs(values)).answers
}

/// Puts one page's posted values in place of that section's earlier ones. Values of other
/// sections are left alone (a page's post names every field, with empty values for the ones
/// it does not show); a question asked only on an interruption keeps its answer.
pub fn replace_section(
    spec: &FormSpec,
    kept: &mut Map<String, Value>,
    posted: &Map<String, Value>,
    section: usize,
) {
    let interruption = |name: &str| spec.field(name).is_some_and(|f| f.interruption_only);
    kept.retain(|name, _| section_of(spec, name) != Some(section) || interruption(name));
    for (name, v) in posted {
        if section_of(spec, name) == Some(section) && !interruption(name) {
            kept.insert(name.clone(), v.clone());
        }
    }
}

/// The anchor of the first control of item `index` of a group: where "Add another" and
/// "Remove" land.
pub fn item_anchor(spec: &FormSpec, group: &str, index: usize) -> Option<String> {
    match &spec.field(group)?.kind {
        Kind::Group { fields, .. } => {
            let first = fields.first()?;
            Some(control_anchor(
                &format!("{group}[{index}].{}", first.id),
                &first.kind,
            ))
        }
        _ => None,
    }
}

/// Slots for a blank form: one item per group.
pub fn blank_slots(spec: &FormSpec) -> HashMap<String, usize> {
    spec.fields()
        .filter(|f| matches!(f.kind, Kind::Group { .. }))
        .map(|f| (f.id.clone(), 1))
        .collect()
}

/// Errors with the anchor of the control each one should move focus to.
pub fn page_errors(spec: &FormSpec, errors: &[FieldError]) -> Vec<PageError> {
    errors
        .iter()
        .map(|e| {
            let kind = field_kind(spec, &e.field);
            let anchor = match kind {
                // "Add at least one place": the first box of the first item, so the link
                // lands where typing can start.
                Some(Kind::Group { fields, .. }) if !e.field.contains('[') => {
                    match fields.first() {
                        Some(first) => {
                            control_anchor(&format!("{}[0].{}", e.field, first.id), &first.kind)
                        }
                        None => format!("f-{}", e.field),
                    }
                }
                Some(kind) => control_anchor(&e.field, kind),
                None => format!("f-{}", e.field),
            };
            PageError {
                field: e.field.clone(),
                anchor,
                message: e.message.clone(),
            }
        })
        .collect()
}

fn control_anchor(name: &str, kind: &Kind) -> String {
    match kind {
        Kind::Date { .. } => format!("f-{name}-day"),
        Kind::YesNo { .. } | Kind::Choice { .. } | Kind::MultiChoice { .. } => {
            format!("f-{name}-0")
        }
        _ => format!("f-{name}"),
    }
}

fn field_kind<'a>(spec: &'a FormSpec, path: &str) -> Option<&'a Kind> {
    let (root, rest) = match path.split_once('[') {
        Some((root, rest)) => (root, Some(rest)),
        None => (path, None),
    };
    let f = spec.field(root)?;
    match (rest.and_then(|r| r.split_once("].")), &f.kind) {
        (Some((_, sub)), Kind::Group { fields, .. }) => {
            fields.iter().find(|s| s.id == sub).map(|s| &s.kind)
        }
        _ => Some(&f.kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::FormRegistry;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_posted_body_becomes_the_api_shape() {
        let reg = FormRegistry::built_in().expect("built-in forms load");
        let spec = reg.get("community").expect("community form");
        let posted = read_posted(
            spec,
            &pairs(&[
                ("_token", "t"),
                ("gate.immediate_danger", "no"),
                ("places[0].postcode", "yo1 7hh"),
                ("places[2].town", "York"),
                ("when-day", ""),
                ("when-month", "3"),
                ("when-year", "2025"),
                ("people[0].name", ""),
            ]),
        );
        assert_eq!(posted.token.as_deref(), Some("t"));
        assert_eq!(posted.action, Action::Submit);
        let a = posted.answers.as_object().expect("object");
        assert_eq!(a["gate.immediate_danger"], "no");
        assert_eq!(a["when"], "2025-03");
        assert_eq!(a["places"].as_array().map(|v| v.len()), Some(3));
        assert_eq!(posted.slots["places"], 3);
        assert_eq!(posted.slots["vehicles"], 1);
    }

    #[test]
    fn add_another_adds_one_slot_up_to_the_maximum() {
        let reg = FormRegistry::built_in().expect("built-in forms load");
        let spec = reg.get("community").expect("community form");
        let posted = read_posted(
            spec,
            &pairs(&[("_action", "add:vehicles"), ("vehicles[0].colour", "")]),
        );
        assert_eq!(posted.action, Action::AddItem("vehicles".into()));
        assert_eq!(posted.slots["vehicles"], 2);
        let many: Vec<(String, String)> = (0..50)
            .map(|i| (format!("vehicles[{i}].description"), "x".to_string()))
            .chain([("_action".to_string(), "add:vehicles".to_string())])
            .collect();
        let posted = read_posted(spec, &many);
        assert!(posted.slots["vehicles"] <= 5);
    }

    #[test]
    fn error_links_land_on_a_control_that_takes_typing() {
        let reg = FormRegistry::built_in().expect("built-in forms load");
        let spec = reg.get("community").expect("community form");
        let err = |field: &str| FieldError {
            field: field.into(),
            code: "required",
            message: "m".into(),
        };
        let anchors: Vec<String> = page_errors(
            spec,
            &[
                err("places"),
                err("when"),
                err("gate.immediate_danger"),
                err("what_happened"),
            ],
        )
        .into_iter()
        .map(|e| e.anchor)
        .collect();
        assert_eq!(
            anchors,
            [
                "f-places[0].street_or_landmark",
                "f-when-day",
                "f-gate.immediate_danger-0",
                "f-what_happened"
            ]
        );
    }
}
