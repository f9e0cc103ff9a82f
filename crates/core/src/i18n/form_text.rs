//! A form's words in another language. Forms are data: a form's English is its TOML, and its
//! other languages are `forms/locales/<code>/<form id>.ftl`, with message ids made from the
//! form's own ids, so a translator needs nothing but the TOML beside them:
//!
//! | TOML | message id |
//! |---|---|
//! | the form's `title`, `intro` | `<form>-title`, `<form>-intro` |
//! | a section's `title`, `hint` | `<form>-section-<section>-title`, `…-hint` |
//! | a field's `label`, `hint`, `item_label`, `error_required` | `<form>-<field>-label`, `…-hint`, `…-item-label`, `…-error-required` |
//! | an option's `label` | `<form>-<field>-option-<value>` (then `option-<value>` for yes, no, not sure) |
//!
//! Ids are lowercase, with anything but letters, digits, `_` and `-` written as `-`.

use super::{Catalog, Lang};
use crate::forms::review::Wording;
use crate::forms::spec::{Field, FormSpec, Kind};
use crate::forms::FieldError;
use serde_json::Value;

/// A form id, field id or option value as part of a message id.
pub fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Every message id the form's strings can have, with the English each stands for: what a
/// translation of the form is checked against.
pub fn form_ids(spec: &FormSpec) -> Vec<(String, String)> {
    let form = id_part(&spec.id);
    let mut out = vec![(format!("{form}-title"), spec.title.clone())];
    if let Some(intro) = &spec.intro {
        out.push((format!("{form}-intro"), intro.clone()));
    }
    for s in &spec.sections {
        let sid = format!("{form}-section-{}", id_part(&s.id));
        out.push((format!("{sid}-title"), s.title.clone()));
        if let Some(h) = &s.hint {
            out.push((format!("{sid}-hint"), h.clone()));
        }
    }
    for f in spec.sections.iter().flat_map(|s| &s.fields) {
        field_ids(&form, f, "", &mut out);
    }
    out
}

/// A field's ids; a group's sub-fields are named within it (`people.description`), since two
/// groups may each have a `description`.
fn field_ids(form: &str, f: &Field, within: &str, out: &mut Vec<(String, String)>) {
    let fid = format!("{form}-{}", id_part(&format!("{within}{}", f.id)));
    out.push((format!("{fid}-label"), f.label.clone()));
    if let Some(h) = &f.hint {
        out.push((format!("{fid}-hint"), h.clone()));
    }
    if let Some(e) = &f.error_required {
        out.push((format!("{fid}-error-required"), e.clone()));
    }
    match &f.kind {
        Kind::Group {
            item_label, fields, ..
        } => {
            if let Some(l) = item_label {
                out.push((format!("{fid}-item-label"), l.clone()));
            }
            for sub in fields {
                field_ids(form, sub, &format!("{}.", f.id), out);
            }
        }
        Kind::Choice { options } | Kind::MultiChoice { options } => {
            for o in options {
                out.push((
                    format!("{fid}-option-{}", id_part(&o.value)),
                    o.label.clone(),
                ));
            }
        }
        _ => {}
    }
}

fn put(catalog: &Catalog, lang: Lang, obj: &mut Value, key: &str, ids: &[String]) {
    if obj.get(key).is_none() {
        return;
    }
    if let Some(text) = ids.iter().find_map(|id| catalog.format(lang, id, &[])) {
        obj[key] = Value::String(text);
    }
}

fn localise_field(catalog: &Catalog, lang: Lang, form: &str, within: &str, field: &mut Value) {
    let id = field
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let fid = format!("{form}-{}", id_part(&format!("{within}{id}")));
    put(catalog, lang, field, "label", &[format!("{fid}-label")]);
    put(catalog, lang, field, "hint", &[format!("{fid}-hint")]);
    put(
        catalog,
        lang,
        field,
        "item_label",
        &[format!("{fid}-item-label")],
    );
    if let Some(options) = field.get_mut("options").and_then(Value::as_array_mut) {
        for o in options {
            let value = id_part(o.get("value").and_then(Value::as_str).unwrap_or(""));
            let ids = [format!("{fid}-option-{value}"), format!("option-{value}")];
            put(catalog, lang, o, "label", &ids);
        }
    }
    if let Some(subs) = field.get_mut("fields").and_then(Value::as_array_mut) {
        for sub in subs {
            localise_field(catalog, lang, form, &format!("{id}."), sub);
        }
    }
}

/// A form's description (or summary, or one field's) with its words in `lang` where the
/// language has them. English is the TOML itself: nothing to do.
pub fn localise(catalog: &Catalog, lang: Lang, form_id: &str, described: &mut Value) {
    if lang == Lang::En {
        return;
    }
    let form = id_part(form_id);
    if described.get("kind").is_some() {
        return localise_field(catalog, lang, &form, "", described);
    }
    put(
        catalog,
        lang,
        described,
        "title",
        &[format!("{form}-title")],
    );
    put(
        catalog,
        lang,
        described,
        "intro",
        &[format!("{form}-intro")],
    );
    if let Some(sections) = described.get_mut("sections").and_then(Value::as_array_mut) {
        for s in sections {
            let sid = format!(
                "{form}-section-{}",
                id_part(s.get("id").and_then(Value::as_str).unwrap_or(""))
            );
            put(catalog, lang, s, "title", &[format!("{sid}-title")]);
            put(catalog, lang, s, "hint", &[format!("{sid}-hint")]);
            for f in s
                .get_mut("fields")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                localise_field(catalog, lang, &form, "", f);
            }
        }
    }
}

/// The field an error's path names (`people[1].dob`).
struct Located<'a> {
    field: &'a Field,
    /// Its id for messages: `people.dob`.
    id: String,
    /// The group item it is in: the group, and the item's index.
    item: Option<(&'a Field, usize)>,
}

fn field_at<'a>(spec: &'a FormSpec, path: &str) -> Option<Located<'a>> {
    match path.split_once('[') {
        None => spec.field(path).map(|field| Located {
            field,
            id: field.id.clone(),
            item: None,
        }),
        Some((group, rest)) => {
            let (index, sub) = rest.split_once("].")?;
            let g = spec.field(group)?;
            let Kind::Group { fields, .. } = &g.kind else {
                return None;
            };
            Some(Located {
                field: fields.iter().find(|f| f.id == sub)?,
                id: format!("{group}.{sub}"),
                item: Some((g, index.parse().ok()?)),
            })
        }
    }
}

/// A validation message in `lang`, made again from its code and the field it is about; `None`
/// when the language lacks the words (the English message is shown).
pub fn error_message(
    catalog: &Catalog,
    lang: Lang,
    spec: &FormSpec,
    e: &FieldError,
) -> Option<String> {
    if lang == Lang::En {
        return None;
    }
    let Located {
        field,
        id: field_id,
        item,
    } = field_at(spec, &e.field)?;
    let form = id_part(&spec.id);
    let text = |id: &str| catalog.format(lang, id, &[]);
    let label = text(&format!("{form}-{}-label", id_part(&field_id)))?;
    let item_prefix = match item {
        Some((group, i)) => Some(format!(
            "{} {}",
            text(&format!("{form}-{}-item-label", id_part(&group.id)))?,
            i + 1
        )),
        None => None,
    };
    let within = |message: String| match &item_prefix {
        Some(p) => format!("{p}: {message}"),
        None => message,
    };
    if e.code == "required" && field.error_required.is_some() {
        let message = text(&format!("{form}-{}-error-required", id_part(&field_id)))?;
        return Some(within(message));
    }
    let who = within(label);
    let (id, args) = rule(field, e.code, &e.message)?;
    let mut args: Vec<(&str, String)> = args;
    args.push(("field", who));
    catalog.format(lang, &id, &args)
}

/// The message id (in `errors.ftl`) for a code on a kind of field, and its numbers.
fn rule(field: &Field, code: &str, message: &str) -> Option<(String, Vec<(&'static str, String)>)> {
    use crate::forms::spec::TextFormat;
    let kind = field.kind.name().replace('_', "-");
    let code_id = code.replace('_', "-");
    Some(match (&field.kind, code) {
        (Kind::YesNo { .. } | Kind::Choice { .. }, "required") => {
            ("error-required-choose".into(), vec![])
        }
        (Kind::MultiChoice { .. }, "required") => ("error-required-multi".into(), vec![]),
        (Kind::Group { .. }, "required") => ("error-required-group".into(), vec![]),
        (_, "required") => ("error-required".into(), vec![]),
        (Kind::Text { max_length, .. } | Kind::Longtext { max_length, .. }, "too_long") => (
            "error-too-long".into(),
            vec![("max", max_length.to_string())],
        ),
        (
            Kind::Text {
                min_length: Some(m),
                ..
            }
            | Kind::Longtext {
                min_length: Some(m),
                ..
            },
            "too_short",
        ) => ("error-too-short".into(), vec![("min", m.to_string())]),
        (
            Kind::Text {
                format: Some(TextFormat::Name),
                ..
            },
            _,
        ) => (format!("error-{code_id}-name"), vec![]),
        (
            Kind::Text {
                format: Some(TextFormat::Reference),
                ..
            },
            _,
        ) => (format!("error-{code_id}-reference"), vec![]),
        (
            Kind::Text {
                format: Some(TextFormat::PisReference),
                ..
            },
            _,
        ) => (format!("error-{code_id}-pis-reference"), vec![]),
        (Kind::Postcode { partial: true }, _) => {
            (format!("error-{code_id}-postcode-partial"), vec![])
        }
        (Kind::Phone { strict: true }, "invalid_format") => {
            ("error-invalid-format-phone-strict".into(), vec![])
        }
        // One code, two rules for a lenient phone: the validator's words tell them apart.
        (Kind::Phone { strict: false }, "invalid_format") if message.ends_with("digits") => {
            ("error-invalid-format-phone-length".into(), vec![])
        }
        (Kind::Date { .. }, "too_long_ago") => return None,
        _ => (format!("error-{code_id}-{kind}"), vec![]),
    })
}

/// The form with its words in `lang` where the language has them, for pages that read the
/// spec itself (check your answers). Ids, kinds and rules are untouched.
pub fn localised_spec(catalog: &Catalog, lang: Lang, spec: &FormSpec) -> FormSpec {
    let mut out = spec.clone();
    if lang == Lang::En {
        return out;
    }
    let form = id_part(&spec.id);
    let text = |id: String| catalog.format(lang, &id, &[]);
    if let Some(t) = text(format!("{form}-title")) {
        out.title = t;
    }
    for s in &mut out.sections {
        let sid = format!("{form}-section-{}", id_part(&s.id));
        if let Some(t) = text(format!("{sid}-title")) {
            s.title = t;
        }
        for f in &mut s.fields {
            localise_spec_field(catalog, lang, &form, "", f);
        }
    }
    out
}

fn localise_spec_field(catalog: &Catalog, lang: Lang, form: &str, within: &str, f: &mut Field) {
    let fid = format!("{form}-{}", id_part(&format!("{within}{}", f.id)));
    let text = |id: String| catalog.format(lang, &id, &[]);
    if let Some(t) = text(format!("{fid}-label")) {
        f.label = t;
    }
    match &mut f.kind {
        Kind::Group {
            item_label, fields, ..
        } => {
            if let Some(t) = text(format!("{fid}-item-label")) {
                *item_label = Some(t);
            }
            let within = format!("{}.", f.id);
            for sub in fields {
                localise_spec_field(catalog, lang, form, &within, sub);
            }
        }
        Kind::Choice { options } | Kind::MultiChoice { options } => {
            for o in options {
                if let Some(t) = text(format!("{fid}-option-{}", id_part(&o.value))) {
                    o.label = t;
                }
            }
        }
        Kind::YesNo { not_sure_label, .. } => {
            if let Some(t) =
                text(format!("{fid}-option-not_sure")).or_else(|| text("option-not_sure".into()))
            {
                *not_sure_label = Some(t);
            }
        }
        _ => {}
    }
}

/// Yes, no and dates in words in the page's language, for check your answers: the words a
/// form does not hold itself. English leaves the form's own.
pub struct PageWording<'a> {
    pub catalog: &'a Catalog,
    pub lang: Lang,
}

impl Wording for PageWording<'_> {
    fn answer(&self, value: &str) -> Option<String> {
        (self.lang != Lang::En)
            .then(|| {
                self.catalog
                    .format(self.lang, &format!("option-{}", id_part(value)), &[])
            })
            .flatten()
    }

    fn date(&self, year: &str, month: u8, day: Option<u8>) -> Option<String> {
        (self.lang != Lang::En)
            .then(|| written_date(self.catalog, self.lang, year, month, day))
            .flatten()
    }

    fn comma(&self) -> Option<String> {
        self.catalog.format(self.lang, "list-comma", &[])
    }
}

/// A date in words (`date-in-words`, or `date-month-year` without a day) in `lang` or, when it
/// lacks them, in English.
pub fn written_date(
    catalog: &Catalog,
    lang: Lang,
    year: &str,
    month: u8,
    day: Option<u8>,
) -> Option<String> {
    let mut args = vec![("year", year.to_string()), ("month", month.to_string())];
    let id = match day {
        Some(d) => {
            args.push(("day", d.to_string()));
            "date-in-words"
        }
        None => "date-month-year",
    };
    catalog.lookup(lang, id, &args)
}

/// A day in words in the page's language, as a page shows when something was sent or said.
pub fn day_in_words(catalog: &Catalog, lang: Lang, d: time::Date) -> String {
    let year = d.year().to_string();
    written_date(catalog, lang, &year, u8::from(d.month()), Some(d.day()))
        .unwrap_or_else(|| format!("{} {} {}", d.day(), d.month(), d.year()))
}
