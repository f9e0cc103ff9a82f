//! The JSON description of a form (`GET /api/v1/forms/{id}`): enough for a partner system to
//! build a valid submission, and the data the HTML templates render from.

use super::spec::{Field, FormSpec, Kind};
use serde_json::{json, Map, Value};

pub fn describe(spec: &FormSpec) -> Value {
    json!({
        "id": spec.id,
        "version": spec.version,
        "title": spec.title,
        "intro": spec.intro,
        "audience": spec.audience,
        "sections": spec.sections.iter().map(|s| json!({
            "id": s.id,
            "title": s.title,
            "hint": s.hint,
            "sensitive": s.sensitive,
            "fields": s.fields.iter().map(describe_field).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn summary(spec: &FormSpec) -> Value {
    json!({ "id": spec.id, "version": spec.version, "title": spec.title, "audience": spec.audience })
}

pub fn describe_field(f: &Field) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(f.id));
    m.insert("kind".into(), json!(f.kind.name()));
    m.insert("label".into(), json!(f.label));
    if let Some(h) = &f.hint {
        m.insert("hint".into(), json!(h));
    }
    m.insert("required".into(), json!(f.required));
    if let Some(c) = &f.required_when {
        m.insert("required_when".into(), json!(c));
    }
    if !f.required_unless_any.is_empty() {
        m.insert("required_unless_any".into(), json!(f.required_unless_any));
    }
    m.insert("shareable".into(), json!(f.shareable));
    if f.interruption_only {
        m.insert("interruption_only".into(), json!(true));
    }
    if let Some(c) = &f.show_if {
        m.insert("show_if".into(), json!(c));
    }
    if let Some(options) = f.kind.options() {
        m.insert("options".into(), json!(options));
    }
    match &f.kind {
        Kind::Text {
            max_length,
            min_length,
            format,
            pick_from,
        } => {
            m.insert("max_length".into(), json!(max_length));
            if let Some(group) = pick_from {
                m.insert("pick_from".into(), json!(group));
            }
            if let Some(min) = min_length {
                m.insert("min_length".into(), json!(min));
            }
            if let Some(fmt) = format {
                m.insert("format".into(), json!(fmt));
            }
        }
        Kind::Longtext {
            max_length,
            min_length,
        } => {
            m.insert("max_length".into(), json!(max_length));
            if let Some(min) = min_length {
                m.insert("min_length".into(), json!(min));
            }
        }
        Kind::Email => {
            m.insert("max_length".into(), json!(254));
        }
        Kind::Phone { strict } => {
            m.insert("strict".into(), json!(strict));
        }
        Kind::Postcode { partial } => {
            m.insert("partial".into(), json!(partial));
        }
        Kind::VehicleRegistration => {
            m.insert("partial".into(), json!(true));
            m.insert("max_length".into(), json!(10));
        }
        Kind::Date { max_years_ago } => {
            m.insert("formats".into(), json!(["YYYY-MM-DD", "YYYY-MM", "YYYY"]));
            m.insert("not_future".into(), json!(true));
            if let Some(y) = max_years_ago {
                m.insert("max_years_ago".into(), json!(y));
            }
        }
        Kind::Group {
            max_items,
            item_label,
            fields,
        } => {
            m.insert("max_items".into(), json!(max_items));
            m.insert(
                "item_label".into(),
                json!(item_label.as_deref().unwrap_or("Item")),
            );
            m.insert(
                "fields".into(),
                Value::Array(fields.iter().map(describe_field).collect()),
            );
        }
        Kind::YesNo { .. } | Kind::Choice { .. } | Kind::MultiChoice { .. } => {}
    }
    Value::Object(m)
}
