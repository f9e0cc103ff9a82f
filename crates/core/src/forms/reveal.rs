//! Conditional reveals (`reveal = [...]` on a `choice` option): the checks a spec must pass,
//! and which answers count. A field under an option that was not chosen was hidden from the
//! person (or, without script, shown under an option they did not pick): what it holds is not
//! theirs to send, so it is dropped, never validated nor sealed.

use super::spec::{problem, Field, FormSpec, Kind, Section, SpecProblem};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Every revealed id names a later plain field of the same section, revealed by one option
/// only, and never required while hidden.
pub(super) fn check_section(s: &Section, problems: &mut Vec<SpecProblem>) {
    let mut by: HashMap<&str, &str> = HashMap::new();
    for (i, f) in s.fields.iter().enumerate() {
        let loc = format!("field `{}`", f.id);
        let options = match &f.kind {
            Kind::Choice { options } => options,
            Kind::MultiChoice { options } => {
                if options.iter().any(|o| !o.reveal.is_empty()) {
                    problems.push(problem(&loc, "`reveal` is for `choice` options only"));
                }
                continue;
            }
            _ => continue,
        };
        for o in options {
            for id in &o.reveal {
                let at = format!("{loc} option `{}`", o.value);
                let Some(pos) = s.fields.iter().position(|x| &x.id == id) else {
                    problems.push(problem(
                        &at,
                        format!("`reveal` names `{id}`, which is not a field of this section"),
                    ));
                    continue;
                };
                if pos <= i {
                    problems.push(problem(
                        &at,
                        format!(
                            "`reveal` names `{id}`, which does not come after `{}`",
                            f.id
                        ),
                    ));
                }
                if by.insert(id, &f.id).is_some() {
                    problems.push(problem(&at, format!("`{id}` is revealed twice")));
                }
                check_revealed(&s.fields[pos], &f.id, &at, problems);
            }
        }
    }
}

fn check_revealed(r: &Field, controller: &str, at: &str, problems: &mut Vec<SpecProblem>) {
    let id = &r.id;
    if matches!(r.kind, Kind::Group { .. }) {
        problems.push(problem(
            at,
            format!("`{id}` is a group and cannot be revealed"),
        ));
    }
    if let Kind::Choice { options } = &r.kind {
        if options.iter().any(|o| !o.reveal.is_empty()) {
            problems.push(problem(
                at,
                format!("`{id}` reveals fields itself: no nesting"),
            ));
        }
    }
    if r.interruption_only {
        problems.push(problem(
            at,
            format!("`{id}` is asked only on an interruption page"),
        ));
    }
    if r.required {
        problems.push(problem(
            at,
            format!("`{id}` is `required` but hidden until chosen: use `required_when`"),
        ));
    }
    if r.required_when
        .as_ref()
        .is_some_and(|c| c.field != controller)
    {
        problems.push(problem(
            at,
            format!("`{id}`'s `required_when` must name `{controller}`, which reveals it"),
        ));
    }
}

/// Whether `id` sits under an option that is not the answer.
pub fn is_hidden(spec: &FormSpec, answers: &Map<String, Value>, id: &str) -> bool {
    spec.revealed_by(id)
        .is_some_and(|(field, value)| answers.get(field).and_then(Value::as_str) != Some(value))
}

/// The answers without those of fields whose revealing option is not the answer.
pub fn visible_answers(spec: &FormSpec, answers: &Map<String, Value>) -> Map<String, Value> {
    answers
        .iter()
        .filter(|(id, _)| !is_hidden(spec, answers, id))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::spec::parse_spec;
    use super::*;

    const SPEC: &str = r#"
id = "t"
version = 1
title = "Test"
audience = "community"
[[sections]]
id = "s"
title = "S"
[[sections.fields]]
id = "ok"
kind = "choice"
label = "Can we contact you?"
required = true
options = [
  { value = "yes", label = "Yes", reveal = ["name", "safe"] },
  { value = "no", label = "No" },
]
[[sections.fields]]
id = "name"
kind = "text"
label = "Your name"
max_length = 10
required_when = { field = "ok", any_of = ["yes"] }
[[sections.fields]]
id = "safe"
kind = "yes_no"
label = "Safe to leave a message?"
"#;

    fn problems(source: &str) -> Vec<String> {
        parse_spec(source)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn a_reveal_loads_and_is_found_from_the_revealed_field() {
        let spec = parse_spec(SPEC).expect("valid");
        assert_eq!(spec.revealed_by("name"), Some(("ok", "yes")));
        assert_eq!(spec.revealed_by("ok"), None);
    }

    #[test]
    fn reveals_of_unknown_earlier_required_or_twice_named_fields_are_refused() {
        let unknown = problems(&SPEC.replace("\"name\", \"safe\"", "\"name\", \"nmae\""));
        assert!(unknown.iter().any(|p| p.contains("`nmae`")), "{unknown:?}");

        let itself = problems(&SPEC.replace("\"name\", \"safe\"", "\"ok\""));
        assert!(
            itself.iter().any(|p| p.contains("does not come after")),
            "{itself:?}"
        );

        let twice = problems(&SPEC.replace(
            "{ value = \"no\", label = \"No\" }",
            "{ value = \"no\", label = \"No\", reveal = [\"safe\"] }",
        ));
        assert!(
            twice.iter().any(|p| p.contains("revealed twice")),
            "{twice:?}"
        );

        let required = problems(&SPEC.replace(
            "required_when = { field = \"ok\", any_of = [\"yes\"] }",
            "required = true",
        ));
        assert!(
            required.iter().any(|p| p.contains("`required`")),
            "{required:?}"
        );

        let typo = problems(&SPEC.replace("reveal = [", "reveals = ["));
        assert!(typo.iter().any(|p| p.contains("reveals")), "{typo:?}");
    }

    #[test]
    fn answers_under_an_option_not_chosen_are_dropped() {
        let spec = parse_spec(SPEC).expect("valid");
        let answers = |ok: &str| {
            serde_json::json!({ "ok": ok, "name": "Sam", "safe": "no" })
                .as_object()
                .cloned()
                .expect("object")
        };
        let kept = visible_answers(&spec, &answers("yes"));
        assert_eq!(kept.len(), 3);
        let dropped = visible_answers(&spec, &answers("no"));
        assert_eq!(dropped.keys().collect::<Vec<_>>(), vec!["ok"]);
    }
}
