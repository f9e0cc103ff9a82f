//! Validation of answers against a form spec.
//!
//! The same code serves the HTML form and the JSON API: both arrive here as a JSON object keyed
//! by field id. Values are normalised on the way through (NFC text, spaced postcodes, E.164
//! phones, compact plates). Messages name the question and the rule, never the value given.

use super::check::{wrong, Checked, Notes};
use super::spec::{Field, FormSpec, Kind};
use super::{date, phone, postcode, text, vrm};
use serde::Serialize;
use serde_json::{Map, Value};
use time::Date;

/// A problem with one answer. `field` is a path such as `people[1].dob`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Something an officer should know about an accepted answer (a partial or unusual plate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub field: String,
    pub code: &'static str,
}

/// Answers that passed validation, normalised.
pub struct Validated {
    pub answers: Map<String, Value>,
    pub notes: Vec<Note>,
    /// The language of the pages the answers were given on (the HTML journey sets it; the API
    /// does not), so the officer knows what the submitter read.
    pub page_language: Option<crate::i18n::Lang>,
}

// Answers are submission content: a derived Debug would print them into any log that formats
// this value. Field names and sizes only.
impl std::fmt::Debug for Validated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validated")
            .field("answered_fields", &self.answers.keys().collect::<Vec<_>>())
            .field("notes", &self.notes.len())
            .finish()
    }
}

struct Ctx {
    today: Date,
    errors: Vec<FieldError>,
    notes: Vec<Note>,
}

fn err(field: &str, code: &'static str, message: String) -> FieldError {
    FieldError {
        field: field.to_string(),
        code,
        message,
    }
}

/// How a question is named inside a message: the label, or "Person 2: label" in a group.
fn subject(label: &str, item: Option<(&str, usize)>) -> String {
    match item {
        Some((item_label, i)) => format!("{item_label} {}: {label}", i + 1),
        None => label.to_string(),
    }
}

pub fn validate(spec: &FormSpec, input: &Value, today: Date) -> Result<Validated, Vec<FieldError>> {
    let Some(obj) = input.as_object() else {
        return Err(vec![err(
            "answers",
            "wrong_type",
            "Answers must be an object keyed by field id".into(),
        )]);
    };
    let mut ctx = Ctx {
        today,
        errors: Vec::new(),
        notes: Vec::new(),
    };
    for key in obj.keys() {
        if spec.field(key).is_none() {
            ctx.errors.push(err(
                key,
                "unknown_field",
                "This form has no such question".into(),
            ));
        }
    }
    let mut answers = Map::new();
    for f in spec.fields() {
        if super::reveal::is_hidden(spec, obj, &f.id) {
            continue;
        }
        if let Some(v) = obj.get(&f.id) {
            if let Some(norm) = check_value(&mut ctx, f, v, &f.id, None) {
                answers.insert(f.id.clone(), norm);
            }
        }
    }
    for f in spec.fields() {
        let answered = answers.contains_key(&f.id);
        if !answered
            && is_required(f, None, &answers)
            && !ctx.errors.iter().any(|e| e.field == f.id)
        {
            ctx.errors.push(required_error(f, &f.id, None));
        }
    }
    if ctx.errors.is_empty() {
        Ok(Validated {
            answers,
            notes: ctx.notes,
            page_language: None,
        })
    } else {
        // Present problems in the order of the form, as the error summary lists them.
        let order: Vec<&str> = spec.fields().map(|f| f.id.as_str()).collect();
        let pos = |e: &FieldError| {
            let root = e.field.split('[').next().unwrap_or(&e.field);
            order
                .iter()
                .position(|id| *id == root)
                .unwrap_or(usize::MAX)
        };
        ctx.errors.sort_by_key(pos);
        Err(ctx.errors)
    }
}

fn answer_str<'a>(
    id: &str,
    item: Option<&'a Map<String, Value>>,
    top: &'a Map<String, Value>,
) -> Option<&'a Value> {
    item.and_then(|m| m.get(id)).or_else(|| top.get(id))
}

fn is_required(f: &Field, item: Option<&Map<String, Value>>, top: &Map<String, Value>) -> bool {
    let by_condition = f.required_when.as_ref().is_some_and(|c| {
        let Some(v) = answer_str(&c.field, item, top) else {
            return false;
        };
        let values: Vec<&str> = match v {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
            _ => vec![],
        };
        if !c.any_of.is_empty() {
            values.iter().any(|v| c.any_of.iter().any(|a| a == v))
        } else {
            !values.iter().any(|v| c.none_of.iter().any(|a| a == v))
        }
    });
    let excused = f
        .required_unless_any
        .iter()
        .any(|other| answer_str(other, item, top).is_some());
    // `required_unless_any` alone means "required unless one of these is answered"; with
    // `required_when`, it excuses a field the condition would otherwise require.
    let implied = f.required_when.is_none() && !f.required_unless_any.is_empty();
    (f.required || by_condition || implied) && !excused
}

fn required_error(f: &Field, path: &str, item: Option<(&str, usize)>) -> FieldError {
    if let Some(message) = &f.error_required {
        let message = match item {
            Some((item_label, i)) => format!("{item_label} {}: {message}", i + 1),
            None => message.clone(),
        };
        return err(path, "required", message);
    }
    let who = subject(&f.label, item);
    let message = match f.kind {
        Kind::YesNo { .. } | Kind::Choice { .. } => format!("{who}: select an answer"),
        Kind::MultiChoice { .. } => format!("{who}: select at least one"),
        Kind::Group { .. } => format!("{who}: add at least one"),
        _ => format!("{who}: enter an answer"),
    };
    err(path, "required", message)
}

/// Checks one value. Returns the normalised value, or `None` when the answer is empty or wrong
/// (an error is recorded for the latter, naming the question).
fn check_value(
    ctx: &mut Ctx,
    f: &Field,
    v: &Value,
    path: &str,
    item: Option<(&str, usize)>,
) -> Option<Value> {
    if v.is_null() {
        return None;
    }
    let checked = match &f.kind {
        Kind::Group {
            max_items,
            item_label,
            fields,
        } => {
            let group = Group {
                max_items: *max_items,
                label: item_label.as_deref().unwrap_or("Item"),
                fields,
            };
            return check_group(ctx, &group, v, path, &subject(&f.label, item));
        }
        Kind::MultiChoice { options } => check_multi(options, v),
        _ => match v.as_str() {
            Some(raw) => check_text_kind(ctx, f, raw, path),
            None => wrong("wrong_type", "must be text"),
        },
    };
    match checked {
        Ok(value) => value,
        Err(w) => {
            let who = subject(&f.label, item);
            ctx.errors
                .push(err(path, w.code, format!("{who}: {}", w.message)));
            None
        }
    }
}

/// The kinds answered with one string, each checked beside its kind.
fn check_text_kind(ctx: &mut Ctx, f: &Field, raw: &str, path: &str) -> Checked {
    let mut notes = Notes {
        path,
        notes: &mut ctx.notes,
    };
    match &f.kind {
        Kind::Text {
            max_length,
            min_length,
            format,
            ..
        } => text::check_line(raw, *max_length, *min_length, format.as_ref()),
        Kind::Longtext {
            max_length,
            min_length,
        } => text::check_multiline(raw, *max_length, *min_length),
        Kind::Email => text::check_email(raw),
        Kind::Phone { strict } => phone::check(raw, *strict, &mut notes),
        Kind::Postcode { partial } => postcode::check(raw, *partial, &mut notes),
        Kind::VehicleRegistration => vrm::check(raw, &mut notes),
        Kind::Date { max_years_ago } => date::check(raw, ctx.today, *max_years_ago),
        Kind::YesNo { .. } | Kind::Choice { .. } => {
            let s = raw.trim();
            if s.is_empty() {
                return Ok(None);
            }
            let options = f.kind.options().unwrap_or_default();
            if options.iter().any(|o| o.value == s) {
                Ok(Some(Value::String(s.to_string())))
            } else {
                wrong("invalid_option", "select from the options given")
            }
        }
        Kind::MultiChoice { .. } | Kind::Group { .. } => wrong("wrong_type", "must be text"),
    }
}

/// The values chosen of a multi-choice question, each once, in the order given.
fn check_multi(options: &[super::spec::ChoiceOption], v: &Value) -> Checked {
    let Some(items) = v.as_array() else {
        return wrong("wrong_type", "must be a list of option values");
    };
    let mut out: Vec<Value> = Vec::new();
    for it in items {
        match it.as_str() {
            Some(s) if options.iter().any(|o| o.value == s) => {
                if !out.iter().any(|x| x.as_str() == Some(s)) {
                    out.push(Value::String(s.to_string()));
                }
            }
            Some("") => {}
            _ => return wrong("invalid_option", "select from the options given"),
        }
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// A repeatable group's shape, as its entries are checked against it.
struct Group<'a> {
    max_items: usize,
    label: &'a str,
    fields: &'a [Field],
}

/// A repeatable group: each entry checked question by question (the questions it asks, by
/// their `show_if`), blank entries dropped, then each kept entry's required questions.
fn check_group(
    ctx: &mut Ctx,
    group: &Group<'_>,
    v: &Value,
    path: &str,
    who: &str,
) -> Option<Value> {
    let Some(items) = v.as_array() else {
        ctx.errors.push(err(
            path,
            "wrong_type",
            format!("{who}: must be a list of items"),
        ));
        return None;
    };
    if items.len() > group.max_items {
        let max_items = group.max_items;
        ctx.errors.push(err(
            path,
            "too_many_items",
            format!("{who}: you can add up to {max_items}"),
        ));
        return None;
    }
    let entries: Vec<(usize, Map<String, Value>)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| check_entry(ctx, group, it, &format!("{path}[{i}]"), i))
        .collect();
    let mut kept = Vec::new();
    for (i, norm) in entries {
        require_in_entry(ctx, group, &norm, path, i);
        kept.push(Value::Object(norm));
    }
    (!kept.is_empty()).then_some(Value::Array(kept))
}

/// One entry of a group, normalised; `None` when it is not an object or left entirely blank
/// (a spare "add another" slot is not an answer).
fn check_entry(
    ctx: &mut Ctx,
    group: &Group<'_>,
    it: &Value,
    ipath: &str,
    i: usize,
) -> Option<(usize, Map<String, Value>)> {
    let label = group.label;
    let Some(obj) = it.as_object() else {
        ctx.errors.push(err(
            ipath,
            "wrong_type",
            format!("{label} {}: must be an object", i + 1),
        ));
        return None;
    };
    for key in obj.keys() {
        if !group.fields.iter().any(|s| &s.id == key) {
            ctx.errors.push(err(
                &format!("{ipath}.{key}"),
                "unknown_field",
                format!("{label} {}: no such question", i + 1),
            ));
        }
    }
    let mut norm = Map::new();
    // A question the entry does not ask (by its `show_if`) is not checked or kept.
    for sub in group
        .fields
        .iter()
        .filter(|s| super::show_if::shown_in(s, obj))
    {
        if let Some(sv) = obj.get(&sub.id) {
            let spath = format!("{ipath}.{}", sub.id);
            if let Some(n) = check_value(ctx, sub, sv, &spath, Some((label, i))) {
                norm.insert(sub.id.clone(), n);
            }
        }
    }
    (!norm.is_empty()).then_some((i, norm))
}

/// The required questions a kept entry asks but left unanswered (and not already wrong).
fn require_in_entry(
    ctx: &mut Ctx,
    group: &Group<'_>,
    norm: &Map<String, Value>,
    path: &str,
    i: usize,
) {
    for sub in group
        .fields
        .iter()
        .filter(|s| super::show_if::shown_in(s, norm))
    {
        let spath = format!("{path}[{i}].{}", sub.id);
        if !norm.contains_key(&sub.id)
            && !ctx.errors.iter().any(|e| e.field == spath)
            && is_required(sub, Some(norm), &Map::new())
        {
            ctx.errors
                .push(required_error(sub, &spath, Some((group.label, i))));
        }
    }
}
