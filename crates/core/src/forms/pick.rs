//! Answers picked from entries already given (`pick_from = "people"` on a text field): "Whose
//! is it?" offers the people entered so far, by name or "Person 2: tall, grey tracksuit", rather
//! than asking the person to remember who was Person 2. The answer stays text (what the list
//! showed), so a partner's JSON answer and an earlier report read as before.

use super::spec::{problem, FormSpec, Kind, SpecProblem, TextFormat};
use serde_json::{Map, Value};

/// Longest shown description of an entry, in characters.
const MAX_CHOICE: usize = 60;

/// `pick_from` names a top-level group of the form.
pub(super) fn check_spec(spec: &FormSpec, problems: &mut Vec<SpecProblem>) {
    let groups: Vec<&str> = spec
        .fields()
        .filter(|f| matches!(f.kind, Kind::Group { .. }))
        .map(|f| f.id.as_str())
        .collect();
    let mut check = |loc: String, kind: &Kind| {
        if let Kind::Text {
            pick_from: Some(g), ..
        } = kind
        {
            if !groups.contains(&g.as_str()) {
                problems.push(problem(
                    loc,
                    format!("`pick_from` names `{g}`, which is not a group of this form"),
                ));
            }
        }
    };
    for f in spec.fields() {
        check(format!("field `{}`", f.id), &f.kind);
        if let Kind::Group { fields, .. } = &f.kind {
            for sub in fields {
                check(format!("group `{}` > field `{}`", f.id, sub.id), &sub.kind);
            }
        }
    }
}

/// The choices each `pick_from` group offers, from the control values kept so far: one per
/// entry with anything in it, in order.
pub fn choices(spec: &FormSpec, values: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for f in spec.fields() {
        let Kind::Group {
            fields,
            max_items,
            item_label,
        } = &f.kind
        else {
            continue;
        };
        let picked = spec.fields().any(|g| match &g.kind {
            Kind::Group { fields, .. } => fields.iter().any(|s| picks(&s.kind, &f.id)),
            other => picks(other, &f.id),
        });
        if !picked {
            continue;
        }
        let label = item_label.as_deref().unwrap_or("Item");
        let entries: Vec<Value> = (0..*max_items)
            .filter_map(|i| {
                let get = |id: &str| {
                    values
                        .get(&format!("{}[{i}].{id}", f.id))
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                };
                let names: Vec<&str> = fields
                    .iter()
                    .filter(|s| {
                        matches!(
                            s.kind,
                            Kind::Text {
                                format: Some(TextFormat::Name),
                                ..
                            }
                        )
                    })
                    .filter_map(|s| get(&s.id))
                    .collect();
                let words = (!names.is_empty()).then(|| names.join(" ")).or_else(|| {
                    fields
                        .iter()
                        .filter(|s| matches!(s.kind, Kind::Text { .. } | Kind::Longtext { .. }))
                        .find_map(|s| get(&s.id).map(str::to_string))
                        .or_else(|| {
                            fields.iter().find_map(|s| {
                                let v = get(&s.id)?;
                                let options = s.kind.options()?;
                                let o = options.into_iter().find(|o| o.value == v)?;
                                Some(o.label)
                            })
                        })
                })?;
                let line = words.split_whitespace().collect::<Vec<_>>().join(" ");
                let full = format!("{label} {}: {line}", i + 1);
                Some(Value::String(full.chars().take(MAX_CHOICE).collect()))
            })
            .collect();
        out.insert(f.id.clone(), Value::Array(entries));
    }
    out
}

fn picks(kind: &Kind, group: &str) -> bool {
    matches!(kind, Kind::Text { pick_from: Some(g), .. } if g == group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_offered_by_name_else_description_else_role() {
        let reg = crate::forms::FormRegistry::built_in().expect("built-in forms");
        let spec = reg.get("professional").expect("professional form");
        let values = serde_json::json!({
            "people[0].role": "CHILD_AT_RISK",
            "people[0].forename": "Jay",
            "people[0].surname": " Smith ",
            "people[1].role": "PERSON_POSING_RISK",
            "people[1].aliases_nicknames": "Big T,\r\n Tee",
            "people[2].role": "WITNESS",
            "people[4].forename": "A name far, far longer than any list should show in full, really",
        })
        .as_object()
        .cloned()
        .expect("object");
        let offered = choices(spec, &values);
        assert_eq!(
            offered["people"],
            serde_json::json!([
                "Person 1: Jay Smith",
                "Person 2: Big T, Tee",
                "Person 3: A witness",
                "Person 5: A name far, far longer than any list should show i"
            ])
        );
    }

    #[test]
    fn a_pick_from_that_names_no_group_is_refused() {
        let source = crate::forms::registry::BUILT_IN
            .iter()
            .find(|(name, _)| *name == "professional.toml")
            .map(|(_, s)| *s)
            .expect("professional.toml");
        let bad = source.replacen("pick_from = \"people\"", "pick_from = \"peeple\"", 1);
        let problems = super::super::spec::parse_spec(&bad).unwrap_err();
        assert!(
            problems.iter().any(|p| p.message.contains("`peeple`")),
            "{problems:?}"
        );
    }
}
