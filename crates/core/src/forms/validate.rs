//! Validation of answers against a form spec.
//!
//! The same code serves the HTML form and the JSON API: both arrive here as a JSON object keyed
//! by field id. Values are normalised on the way through (NFC text, spaced postcodes, E.164
//! phones, compact plates). Messages name the question and the rule, never the value given.

use super::spec::{Field, FormSpec, Kind, TextFormat};
use super::{date, phone, postcode, text, vrm};
use crate::reference::Reference;
use serde::Serialize;
use serde_json::{Map, Value};
use time::Date;
use validator::ValidateEmail;

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

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.' | '’')
}

fn is_reference_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ' ' | '/' | '-')
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
/// (an error is recorded for the latter).
fn check_value(
    ctx: &mut Ctx,
    f: &Field,
    v: &Value,
    path: &str,
    item: Option<(&str, usize)>,
) -> Option<Value> {
    let who = subject(&f.label, item);
    if v.is_null() {
        return None;
    }
    if let Kind::Group {
        max_items,
        item_label,
        fields,
    } = &f.kind
    {
        let Some(items) = v.as_array() else {
            ctx.errors.push(err(
                path,
                "wrong_type",
                format!("{who}: must be a list of items"),
            ));
            return None;
        };
        if items.len() > *max_items {
            ctx.errors.push(err(
                path,
                "too_many_items",
                format!("{who}: you can add up to {max_items}"),
            ));
            return None;
        }
        let label = item_label.as_deref().unwrap_or("Item");
        let mut out = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let ipath = format!("{path}[{i}]");
            let Some(obj) = it.as_object() else {
                ctx.errors.push(err(
                    &ipath,
                    "wrong_type",
                    format!("{label} {}: must be an object", i + 1),
                ));
                continue;
            };
            for key in obj.keys() {
                if !fields.iter().any(|s| &s.id == key) {
                    ctx.errors.push(err(
                        &format!("{ipath}.{key}"),
                        "unknown_field",
                        format!("{label} {}: no such question", i + 1),
                    ));
                }
            }
            let mut norm = Map::new();
            // A question the entry does not ask (by its `show_if`) is not checked or kept.
            for sub in fields.iter().filter(|s| super::show_if::shown_in(s, obj)) {
                if let Some(sv) = obj.get(&sub.id) {
                    if let Some(n) = check_value(
                        ctx,
                        sub,
                        sv,
                        &format!("{ipath}.{}", sub.id),
                        Some((label, i)),
                    ) {
                        norm.insert(sub.id.clone(), n);
                    }
                }
            }
            // An item left entirely blank (a spare "add another" slot) is not an answer.
            if norm.is_empty() {
                continue;
            }
            out.push((i, norm));
        }
        let mut kept = Vec::new();
        for (i, norm) in out {
            for sub in fields.iter().filter(|s| super::show_if::shown_in(s, &norm)) {
                let spath = format!("{path}[{i}].{}", sub.id);
                if !norm.contains_key(&sub.id)
                    && !ctx.errors.iter().any(|e| e.field == spath)
                    && is_required(sub, Some(&norm), &Map::new())
                {
                    ctx.errors
                        .push(required_error(sub, &spath, Some((label, i))));
                }
            }
            kept.push(Value::Object(norm));
        }
        return (!kept.is_empty()).then_some(Value::Array(kept));
    }
    if let Kind::MultiChoice { options } = &f.kind {
        let Some(items) = v.as_array() else {
            ctx.errors.push(err(
                path,
                "wrong_type",
                format!("{who}: must be a list of option values"),
            ));
            return None;
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
                _ => {
                    ctx.errors.push(err(
                        path,
                        "invalid_option",
                        format!("{who}: select from the options given"),
                    ));
                    return None;
                }
            }
        }
        return (!out.is_empty()).then_some(Value::Array(out));
    }
    let Some(raw) = v.as_str() else {
        ctx.errors
            .push(err(path, "wrong_type", format!("{who}: must be text")));
        return None;
    };
    macro_rules! fail {
        ($code:expr, $msg:expr) => {{
            let msg: String = $msg;
            ctx.errors.push(err(path, $code, format!("{who}: {msg}")));
            return None;
        }};
    }
    match &f.kind {
        Kind::Text {
            max_length,
            min_length,
            format,
            ..
        } => {
            let s = text::clean_line(raw);
            if s.is_empty() {
                return None;
            }
            let len = text::char_len(&s);
            if len > *max_length {
                fail!(
                    "too_long",
                    format!("must be {max_length} characters or fewer")
                );
            }
            if let Some(min) = min_length.filter(|m| len < *m) {
                fail!("too_short", format!("must be at least {min} characters"));
            }
            match format {
                Some(TextFormat::Name) if !s.chars().all(is_name_char) => {
                    fail!(
                        "invalid_characters",
                        "can only include letters, spaces, hyphens, apostrophes and full stops"
                            .into()
                    );
                }
                Some(TextFormat::Reference) if !s.chars().all(is_reference_char) => {
                    fail!(
                        "invalid_characters",
                        "can only include letters, numbers, spaces, / and -".into()
                    );
                }
                Some(TextFormat::PisReference) => {
                    return match Reference::parse(&s) {
                        Some(r) => Some(Value::String(r.to_string())),
                        None => fail!("invalid_format", "must look like PIS-ABCD-1234".into()),
                    };
                }
                _ => {}
            }
            Some(Value::String(s))
        }
        Kind::Longtext {
            max_length,
            min_length,
        } => {
            let s = text::clean_multiline(raw);
            if s.is_empty() {
                return None;
            }
            let len = text::char_len(&s);
            if len > *max_length {
                fail!(
                    "too_long",
                    format!("must be {max_length} characters or fewer")
                );
            }
            if let Some(min) = min_length.filter(|m| len < *m) {
                fail!("too_short", format!("must be at least {min} characters"));
            }
            Some(Value::String(s))
        }
        Kind::Email => {
            let s = text::clean_line(raw);
            if s.is_empty() {
                return None;
            }
            if s.len() > 254 || s.contains(' ') || !s.as_str().validate_email() {
                fail!(
                    "invalid_format",
                    "enter an email address in the correct format, like name@example.org".into()
                );
            }
            let (local, domain) = s.rsplit_once('@').unwrap_or((&s, ""));
            Some(Value::String(format!("{local}@{}", domain.to_lowercase())))
        }
        Kind::Phone { strict } => {
            let s = text::clean_line(raw);
            if s.is_empty() {
                return None;
            }
            let parsed = if *strict {
                phone::parse_strict(&s)
            } else {
                phone::parse_lenient(&s)
            };
            match parsed {
                Ok(p) => {
                    if p.partial {
                        ctx.notes.push(Note {
                            field: path.into(),
                            code: "partial_phone",
                        });
                    }
                    Some(Value::String(p.normalised))
                }
                Err(phone::PhoneError::InvalidCharacters) => {
                    fail!(
                        "invalid_characters",
                        "can only include numbers, spaces, brackets, hyphens and + at the start"
                            .into()
                    )
                }
                Err(phone::PhoneError::NotUk) => {
                    fail!("invalid_format", "enter a UK phone number, like 01632 960 001 or 07700 900 982, or an international number starting with +".into())
                }
                Err(phone::PhoneError::WrongLength) => fail!(
                    "invalid_format",
                    if *strict {
                        "must have between 8 and 15 digits after the +".into()
                    } else {
                        "must have between 6 and 15 digits".into()
                    }
                ),
            }
        }
        Kind::Postcode { partial } => {
            let s = text::clean_line(raw);
            if s.is_empty() {
                return None;
            }
            match postcode::parse(&s, *partial) {
                Some(p) => {
                    if matches!(p, postcode::Postcode::Outward(_)) {
                        ctx.notes.push(Note {
                            field: path.into(),
                            code: "partial_postcode",
                        });
                    }
                    Some(Value::String(p.as_str().to_string()))
                }
                None if *partial => fail!(
                    "invalid_format",
                    "enter a real postcode, like YO1 7HH, or the first part only, like YO1".into()
                ),
                None => fail!(
                    "invalid_format",
                    "enter a real postcode, like YO1 7HH".into()
                ),
            }
        }
        Kind::VehicleRegistration => {
            let s = text::clean_line(raw);
            if s.is_empty() {
                return None;
            }
            match vrm::parse(&s) {
                Ok(v) => {
                    match v.plate {
                        vrm::Plate::Partial => ctx.notes.push(Note { field: path.into(), code: "partial_registration" }),
                        vrm::Plate::Unusual => ctx.notes.push(Note { field: path.into(), code: "unusual_registration" }),
                        _ => {}
                    }
                    Some(Value::String(v.normalised))
                }
                Err(vrm::VrmError::InvalidCharacters) => fail!("invalid_characters", "can only include letters, numbers, spaces and ? for characters you could not see".into()),
                Err(vrm::VrmError::WrongLength) => fail!("invalid_format", "must be between 1 and 8 letters and numbers".into()),
            }
        }
        Kind::Date { max_years_ago } => {
            let s = raw.trim();
            if s.is_empty() {
                return None;
            }
            match date::parse_checked(s, ctx.today, *max_years_ago) {
                Ok(d) => Some(Value::String(d.to_string())),
                Err(date::DateError::Format) => fail!(
                    "invalid_format",
                    "enter a date as day, month and year, or month and year, or year only".into()
                ),
                Err(date::DateError::NotReal) => {
                    fail!("invalid_date", "must be a real date".into())
                }
                Err(date::DateError::Future) => {
                    fail!("future_date", "must be today or in the past".into())
                }
                Err(date::DateError::TooLongAgo) => fail!(
                    "too_long_ago",
                    format!(
                        "must be within the last {} years",
                        max_years_ago.unwrap_or(0)
                    )
                ),
            }
        }
        Kind::YesNo { .. } | Kind::Choice { .. } => {
            let s = raw.trim();
            if s.is_empty() {
                return None;
            }
            let options = f.kind.options().unwrap_or_default();
            if options.iter().any(|o| o.value == s) {
                Some(Value::String(s.to_string()))
            } else {
                fail!("invalid_option", "select from the options given".into())
            }
        }
        Kind::MultiChoice { .. } | Kind::Group { .. } => unreachable!("handled above"),
    }
}
