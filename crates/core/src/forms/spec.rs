//! Form specs: the typed shape of `forms/*.toml`, and the checks that stop start-up on a bad one.

use serde::Deserialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    pub id: String,
    pub version: u32,
    pub title: String,
    #[serde(default)]
    pub intro: Option<String>,
    pub audience: Audience,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Professional,
    Community,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub required_when: Option<Condition>,
    #[serde(default)]
    pub required_unless_any: Vec<String>,
    /// What to say when a required answer is missing, in the words of the question ("Select
    /// when it happened"). Without it the label is followed by a general instruction.
    #[serde(default)]
    pub error_required: Option<String>,
    #[serde(default)]
    pub shareable: bool,
    /// Asked only on an interruption page (the question shown when the narrative describes
    /// danger the gate did not), never on its section's page.
    #[serde(default)]
    pub interruption_only: bool,
    /// Inside a group: asked only while a sibling's answer is one of these (see
    /// [`super::show_if`]).
    #[serde(default)]
    pub show_if: Option<Condition>,
    #[serde(flatten)]
    pub kind: Kind,
}

impl Field {
    /// Whether some answers make this field required.
    pub fn can_be_required(&self) -> bool {
        self.required || self.required_when.is_some() || !self.required_unless_any.is_empty()
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub none_of: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
    /// Fields of the same section shown under this option only (GOV.UK's conditional reveal):
    /// hidden until it is chosen where script runs, shown with their labels where it does not,
    /// and their answers dropped unless this option is the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reveal: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    Name,
    Reference,
    PisReference,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    Text {
        max_length: usize,
        #[serde(default)]
        min_length: Option<usize>,
        #[serde(default)]
        format: Option<TextFormat>,
        /// A group whose entries are offered as a list to pick from ("Whose is it?" picks one
        /// of the people entered), see [`super::pick`].
        #[serde(default)]
        pick_from: Option<String>,
    },
    Longtext {
        max_length: usize,
        #[serde(default)]
        min_length: Option<usize>,
    },
    Email,
    Phone {
        #[serde(default)]
        strict: bool,
    },
    Postcode {
        #[serde(default)]
        partial: bool,
    },
    VehicleRegistration,
    Date {
        #[serde(default)]
        max_years_ago: Option<u32>,
    },
    YesNo {
        #[serde(default)]
        not_sure: bool,
        #[serde(default)]
        not_sure_label: Option<String>,
    },
    Choice {
        options: Vec<ChoiceOption>,
    },
    MultiChoice {
        options: Vec<ChoiceOption>,
    },
    Group {
        max_items: usize,
        #[serde(default)]
        item_label: Option<String>,
        fields: Vec<Field>,
    },
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Text { .. } => "text",
            Kind::Longtext { .. } => "longtext",
            Kind::Email => "email",
            Kind::Phone { .. } => "phone",
            Kind::Postcode { .. } => "postcode",
            Kind::VehicleRegistration => "vehicle_registration",
            Kind::Date { .. } => "date",
            Kind::YesNo { .. } => "yes_no",
            Kind::Choice { .. } => "choice",
            Kind::MultiChoice { .. } => "multi_choice",
            Kind::Group { .. } => "group",
        }
    }

    /// Keys a field of this kind may carry, beyond the common ones. Serde's `flatten` cannot
    /// refuse unknown keys, and a mistyped `requried = true` must not pass silently.
    fn own_keys(kind: &str) -> Option<&'static [&'static str]> {
        Some(match kind {
            "text" => &["max_length", "min_length", "format", "pick_from"],
            "longtext" => &["max_length", "min_length"],
            "email" | "vehicle_registration" => &[],
            "phone" => &["strict"],
            "postcode" => &["partial"],
            "date" => &["max_years_ago"],
            "yes_no" => &["not_sure", "not_sure_label"],
            "choice" | "multi_choice" => &["options"],
            "group" => &["max_items", "item_label", "fields"],
            _ => return None,
        })
    }

    /// The option values a `yes_no`, `choice` or `multi_choice` accepts, with labels.
    pub fn options(&self) -> Option<Vec<ChoiceOption>> {
        let opt = |v: &str, l: &str| ChoiceOption {
            value: v.into(),
            label: l.into(),
            reveal: Vec::new(),
        };
        match self {
            Kind::YesNo {
                not_sure,
                not_sure_label,
            } => {
                let mut o = vec![opt("yes", "Yes"), opt("no", "No")];
                if *not_sure {
                    o.push(opt(
                        "not_sure",
                        not_sure_label.as_deref().unwrap_or("Not sure"),
                    ));
                }
                Some(o)
            }
            Kind::Choice { options } | Kind::MultiChoice { options } => Some(options.clone()),
            _ => None,
        }
    }
}

const COMMON_KEYS: &[&str] = &[
    "id",
    "kind",
    "label",
    "hint",
    "required",
    "required_when",
    "error_required",
    "required_unless_any",
    "shareable",
    "interruption_only",
    "show_if",
];

/// A problem in a form spec, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    pub location: String,
    pub message: String,
}

impl std::fmt::Display for SpecProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

pub(super) fn problem(location: impl Into<String>, message: impl Into<String>) -> SpecProblem {
    SpecProblem {
        location: location.into(),
        message: message.into(),
    }
}

/// Parses and checks one spec. Every problem found is returned, not only the first.
pub fn parse_spec(source: &str) -> Result<FormSpec, Vec<SpecProblem>> {
    let table: toml::Table =
        toml::from_str(source).map_err(|e| vec![problem("toml", e.to_string())])?;
    let mut problems = Vec::new();
    check_field_keys(&table, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let spec: FormSpec =
        toml::from_str(source).map_err(|e| vec![problem("spec", e.to_string())])?;
    check_spec(&spec, &mut problems);
    if problems.is_empty() {
        Ok(spec)
    } else {
        Err(problems)
    }
}

fn check_field_keys(table: &toml::Table, problems: &mut Vec<SpecProblem>) {
    fn walk(fields: &[toml::Value], at: &str, problems: &mut Vec<SpecProblem>) {
        for (i, f) in fields.iter().enumerate() {
            let Some(t) = f.as_table() else { continue };
            let id = t.get("id").and_then(|v| v.as_str()).unwrap_or("?");
            let loc = format!("{at}field `{id}` (#{})", i + 1);
            let kind = t.get("kind").and_then(|v| v.as_str()).unwrap_or("");
            let Some(own) = Kind::own_keys(kind) else {
                problems.push(problem(&loc, format!("unknown or missing kind `{kind}`")));
                continue;
            };
            for key in t.keys() {
                if !COMMON_KEYS.contains(&key.as_str()) && !own.contains(&key.as_str()) {
                    problems.push(problem(
                        &loc,
                        format!("unknown key `{key}` for kind `{kind}`"),
                    ));
                }
            }
            if kind == "group" {
                if let Some(sub) = t.get("fields").and_then(|v| v.as_array()) {
                    walk(sub, &format!("{loc} > "), problems);
                }
            }
        }
    }
    let Some(sections) = table.get("sections").and_then(|v| v.as_array()) else {
        return;
    };
    for s in sections {
        let sid = s.get("id").and_then(|v| v.as_str()).unwrap_or("?");
        if let Some(fields) = s.get("fields").and_then(|v| v.as_array()) {
            walk(fields, &format!("section `{sid}` > "), problems);
        }
    }
}

fn valid_id(id: &str, allow_dots: bool) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || (allow_dots && c == '.')
        })
}

fn check_spec(spec: &FormSpec, problems: &mut Vec<SpecProblem>) {
    if !spec
        .id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        || spec.id.is_empty()
    {
        problems.push(problem(
            "id",
            "must be lower-case letters, digits, `-` or `_`",
        ));
    }
    if spec.sections.is_empty() {
        problems.push(problem("sections", "a form needs at least one section"));
    }
    let mut section_ids = HashSet::new();
    let top: Vec<&Field> = spec.sections.iter().flat_map(|s| &s.fields).collect();
    let mut top_ids = HashSet::new();
    for f in &top {
        if !top_ids.insert(f.id.as_str()) {
            problems.push(problem(format!("field `{}`", f.id), "duplicate field id"));
        }
    }
    for s in &spec.sections {
        if !section_ids.insert(s.id.as_str()) {
            problems.push(problem(
                format!("section `{}`", s.id),
                "duplicate section id",
            ));
        }
        if s.fields.is_empty() {
            problems.push(problem(
                format!("section `{}`", s.id),
                "a section needs fields",
            ));
        }
        for f in &s.fields {
            check_field(f, s.sensitive, &top, None, problems);
        }
        super::reveal::check_section(s, problems);
    }
    super::show_if::check_spec(spec, problems);
    super::pick::check_spec(spec, problems);
}

fn check_field(
    f: &Field,
    sensitive: bool,
    top: &[&Field],
    group: Option<&[Field]>,
    problems: &mut Vec<SpecProblem>,
) {
    let loc = match group {
        Some(_) => format!("group field `{}`", f.id),
        None => format!("field `{}`", f.id),
    };
    if !valid_id(&f.id, group.is_none()) {
        problems.push(problem(
            &loc,
            "id must be lower-case letters, digits and `_` (and `.` outside groups)",
        ));
    }
    if f.label.trim().is_empty() {
        problems.push(problem(&loc, "label is empty"));
    }
    if let Some(message) = &f.error_required {
        if message.trim().is_empty() {
            problems.push(problem(&loc, "error_required is empty"));
        }
        if !f.can_be_required() {
            problems.push(problem(
                &loc,
                "error_required on a field that is never required",
            ));
        }
    }
    if f.shareable && sensitive {
        problems.push(problem(
            &loc,
            "a field in a sensitive section cannot be shareable with MACE",
        ));
    }
    if f.shareable && matches!(f.kind, Kind::VehicleRegistration) {
        problems.push(problem(
            &loc,
            "vehicle registrations are never shareable with MACE",
        ));
    }
    check_conditions(f, &loc, top, group, problems);
    check_kind(f, &loc, sensitive, top, group, problems);
}

/// `required_when` and `required_unless_any`: they name real fields (of the same group, or at
/// the top), and real options of them.
fn check_conditions(
    f: &Field,
    loc: &str,
    top: &[&Field],
    group: Option<&[Field]>,
    problems: &mut Vec<SpecProblem>,
) {
    let find = |id: &str| -> Option<&Field> {
        group
            .and_then(|g| g.iter().find(|x| x.id == id))
            .or_else(|| top.iter().copied().find(|x| x.id == id))
    };
    if let Some(c) = &f.required_when {
        if f.required {
            problems.push(problem(
                loc,
                "`required` and `required_when` together: drop one",
            ));
        }
        if c.any_of.is_empty() == c.none_of.is_empty() {
            problems.push(problem(
                loc,
                "`required_when` needs exactly one of `any_of` or `none_of`",
            ));
        }
        match find(&c.field) {
            None => problems.push(problem(
                loc,
                format!("`required_when` names unknown field `{}`", c.field),
            )),
            Some(other) => match other.kind.options() {
                None => problems.push(problem(
                    loc,
                    format!("`required_when` field `{}` has no options", c.field),
                )),
                Some(opts) => {
                    for v in c.any_of.iter().chain(&c.none_of) {
                        if !opts.iter().any(|o| &o.value == v) {
                            problems.push(problem(
                                loc,
                                format!(
                                    "`required_when` value `{v}` is not an option of `{}`",
                                    c.field
                                ),
                            ));
                        }
                    }
                }
            },
        }
    }
    for other in &f.required_unless_any {
        if find(other).is_none() {
            problems.push(problem(
                loc,
                format!("`required_unless_any` names unknown field `{other}`"),
            ));
        }
    }
}

/// What each kind needs: lengths in range, options distinct, groups of fields (checked in turn).
fn check_kind(
    f: &Field,
    loc: &str,
    sensitive: bool,
    top: &[&Field],
    group: Option<&[Field]>,
    problems: &mut Vec<SpecProblem>,
) {
    match &f.kind {
        Kind::Text {
            max_length,
            min_length,
            ..
        }
        | Kind::Longtext {
            max_length,
            min_length,
        } => {
            if *max_length == 0 || *max_length > 100_000 {
                problems.push(problem(loc, "max_length must be between 1 and 100000"));
            }
            if min_length.is_some_and(|m| m > *max_length) {
                problems.push(problem(loc, "min_length is above max_length"));
            }
        }
        Kind::Choice { options } | Kind::MultiChoice { options } => {
            if options.is_empty() {
                problems.push(problem(loc, "options are empty"));
            }
            let mut seen = HashSet::new();
            for o in options {
                if o.value.is_empty() || o.label.trim().is_empty() {
                    problems.push(problem(loc, "an option has an empty value or label"));
                }
                if !seen.insert(o.value.as_str()) {
                    problems.push(problem(
                        loc,
                        format!("duplicate option value `{}`", o.value),
                    ));
                }
            }
        }
        Kind::Group {
            max_items, fields, ..
        } => {
            if group.is_some() {
                problems.push(problem(loc, "groups cannot contain groups"));
            }
            if *max_items == 0 || *max_items > 100 {
                problems.push(problem(loc, "max_items must be between 1 and 100"));
            }
            if fields.is_empty() {
                problems.push(problem(loc, "a group needs fields"));
            }
            let mut seen = HashSet::new();
            for sub in fields {
                if !seen.insert(sub.id.as_str()) {
                    problems.push(problem(
                        format!("{loc} > `{}`", sub.id),
                        "duplicate id in group",
                    ));
                }
                if group.is_none() {
                    check_field(sub, sensitive, top, Some(fields), problems);
                }
            }
        }
        _ => {}
    }
}

impl FormSpec {
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| &s.fields)
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().find(|f| f.id == id)
    }

    /// The option that reveals `id`, as (controlling field, option value), if any.
    pub fn revealed_by(&self, id: &str) -> Option<(&str, &str)> {
        self.fields().find_map(|f| match &f.kind {
            Kind::Choice { options } => options
                .iter()
                .find(|o| o.reveal.iter().any(|r| r == id))
                .map(|o| (f.id.as_str(), o.value.as_str())),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests;
