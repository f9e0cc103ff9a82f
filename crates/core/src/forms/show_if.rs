//! Questions shown by another answer in the same entry (`show_if` on a field inside a group):
//! "Is this child looked after?" is asked about a person whose role is a child, not about an
//! adult. A question whose condition is answered otherwise was not asked: what it holds is
//! dropped, neither validated nor sealed in the draft. While the condition is unanswered the
//! question stays in view (with a note saying when it applies), so nothing typed is lost while
//! the page is still being filled in; the next load of the page hides it.

use super::spec::{problem, Condition, Field, FormSpec, Kind, SpecProblem};
use serde_json::{Map, Value};

/// `show_if` only inside a group, naming an earlier sibling with options, with `any_of` values
/// that are its options; the question is not `required` and its condition is not conditional.
pub(super) fn check_spec(spec: &FormSpec, problems: &mut Vec<SpecProblem>) {
    for f in spec.fields() {
        if f.show_if.is_some() {
            problems.push(problem(
                format!("field `{}`", f.id),
                "`show_if` is for fields inside a group (use `reveal` on a top-level choice)",
            ));
        }
        let Kind::Group { fields, .. } = &f.kind else {
            continue;
        };
        for (i, sub) in fields.iter().enumerate() {
            if let Some(c) = &sub.show_if {
                let loc = format!("group `{}` > field `{}`", f.id, sub.id);
                check_condition(c, &fields[..i], sub, &loc, problems);
            }
        }
    }
}

fn check_condition(
    c: &Condition,
    earlier: &[Field],
    sub: &Field,
    loc: &str,
    problems: &mut Vec<SpecProblem>,
) {
    if c.any_of.is_empty() || !c.none_of.is_empty() {
        problems.push(problem(loc, "`show_if` needs `any_of` (and no `none_of`)"));
    }
    if sub.required {
        problems.push(problem(
            loc,
            "`required` on a question shown only sometimes: use `required_when`",
        ));
    }
    let Some(other) = earlier.iter().find(|x| x.id == c.field) else {
        problems.push(problem(
            loc,
            format!(
                "`show_if` names `{}`, which is not an earlier field of this group",
                c.field
            ),
        ));
        return;
    };
    if other.show_if.is_some() {
        problems.push(problem(
            loc,
            format!(
                "`show_if` names `{}`, which is itself shown only sometimes",
                c.field
            ),
        ));
    }
    let Some(options) = other.kind.options() else {
        problems.push(problem(
            loc,
            format!("`show_if` field `{}` has no options", c.field),
        ));
        return;
    };
    for v in &c.any_of {
        if !options.iter().any(|o| &o.value == v) {
            problems.push(problem(
                loc,
                format!("`show_if` value `{v}` is not an option of `{}`", c.field),
            ));
        }
    }
}

/// Whether `sub` is asked in an entry whose condition answer is `answer` (`None`: unanswered,
/// so still in view).
pub fn shown_for(sub: &Field, answer: Option<&str>) -> bool {
    match (&sub.show_if, answer.filter(|a| !a.trim().is_empty())) {
        (Some(c), Some(a)) => c.any_of.iter().any(|v| v == a),
        _ => true,
    }
}

/// Whether `sub` is asked in `item` (an entry of the group's answers).
pub fn shown_in(sub: &Field, item: &Map<String, Value>) -> bool {
    let answer = sub
        .show_if
        .as_ref()
        .and_then(|c| item.get(&c.field))
        .and_then(Value::as_str);
    shown_for(sub, answer)
}

/// Removes, from a page's control values (`people[0].school_or_college`, `people[0].dob-day`),
/// those of questions their entry does not ask.
pub fn drop_hidden_values(spec: &FormSpec, values: &mut Map<String, Value>) {
    for f in spec.fields() {
        let Kind::Group {
            fields, max_items, ..
        } = &f.kind
        else {
            continue;
        };
        for sub in fields.iter().filter(|s| s.show_if.is_some()) {
            let Some(c) = &sub.show_if else { continue };
            for i in 0..=*max_items {
                let answer = values
                    .get(&format!("{}[{i}].{}", f.id, c.field))
                    .and_then(Value::as_str);
                if shown_for(sub, answer) {
                    continue;
                }
                let name = format!("{}[{i}].{}", f.id, sub.id);
                values.retain(|k, _| {
                    k != &name
                        && k.strip_prefix(name.as_str())
                            .is_none_or(|s| !s.starts_with('-'))
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::spec::parse_spec;
    use super::*;

    const SPEC: &str = r#"
id = "t"
version = 1
title = "Test"
audience = "professional"
[[sections]]
id = "s"
title = "S"
[[sections.fields]]
id = "people"
kind = "group"
label = "People"
max_items = 3
[[sections.fields.fields]]
id = "role"
kind = "choice"
label = "Role"
options = [
  { value = "CHILD", label = "A child" },
  { value = "ADULT", label = "An adult" },
]
[[sections.fields.fields]]
id = "school"
kind = "text"
label = "School"
max_length = 50
show_if = { field = "role", any_of = ["CHILD"] }
[[sections.fields.fields]]
id = "dob"
kind = "date"
label = "Born"
show_if = { field = "role", any_of = ["CHILD"] }
"#;

    fn problems(source: &str) -> Vec<String> {
        parse_spec(source)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn a_condition_on_an_unknown_field_or_value_is_refused() {
        parse_spec(SPEC).expect("valid");
        let field = problems(&SPEC.replacen("field = \"role\"", "field = \"rloe\"", 1));
        assert!(field.iter().any(|p| p.contains("`rloe`")), "{field:?}");
        let value = problems(&SPEC.replacen("[\"CHILD\"]", "[\"CHILDREN\"]", 1));
        assert!(value.iter().any(|p| p.contains("`CHILDREN`")), "{value:?}");
        let later = problems(&SPEC.replacen("field = \"role\"", "field = \"dob\"", 1));
        assert!(
            later.iter().any(|p| p.contains("not an earlier")),
            "{later:?}"
        );
        let required =
            problems(&SPEC.replacen("max_length = 50", "max_length = 50\nrequired = true", 1));
        assert!(
            required.iter().any(|p| p.contains("`required`")),
            "{required:?}"
        );
        let typo = problems(&SPEC.replacen("show_if =", "shows_if =", 1));
        assert!(typo.iter().any(|p| p.contains("shows_if")), "{typo:?}");
    }

    #[test]
    fn values_of_questions_the_entry_does_not_ask_are_dropped() {
        let spec = parse_spec(SPEC).expect("valid");
        let mut values = serde_json::json!({
            "people[0].role": "ADULT",
            "people[0].school": "Hill School",
            "people[0].dob-year": "1980",
            "people[1].role": "CHILD",
            "people[1].school": "Vale School",
            "people[2].school": "Undecided School",
        })
        .as_object()
        .cloned()
        .expect("object");
        drop_hidden_values(&spec, &mut values);
        let mut kept: Vec<&str> = values.keys().map(String::as_str).collect();
        kept.sort_unstable();
        assert_eq!(
            kept,
            [
                "people[0].role",
                "people[1].role",
                "people[1].school",
                "people[2].school"
            ]
        );
    }
}
