use super::*;

const MINIMAL: &str = r#"
id = "t"
version = 1
title = "Test"
audience = "community"
[[sections]]
id = "s"
title = "S"
[[sections.fields]]
id = "a"
kind = "yes_no"
label = "A?"
required = true
[[sections.fields]]
id = "b"
kind = "text"
label = "B"
max_length = 10
required_when = { field = "a", any_of = ["yes"] }
"#;

#[test]
fn a_minimal_spec_loads() {
    let spec = parse_spec(MINIMAL).expect("valid");
    assert_eq!(spec.fields().count(), 2);
}

#[test]
fn mistyped_keys_are_named_with_their_field() {
    let bad = MINIMAL.replace("required = true", "requried = true");
    let problems = parse_spec(&bad).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].location.contains("field `a`"), "{problems:?}");
    assert!(problems[0].message.contains("requried"));
}

#[test]
fn every_semantic_problem_is_listed() {
    let bad = MINIMAL
        .replace("any_of = [\"yes\"]", "any_of = [\"maybe\"]")
        .replace("max_length = 10", "max_length = 0")
        .replace("id = \"b\"", "id = \"a\"");
    let problems = parse_spec(&bad).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        text.iter().any(|p| p.contains("duplicate field id")),
        "{text:?}"
    );
    assert!(text.iter().any(|p| p.contains("max_length")), "{text:?}");
    assert!(text.iter().any(|p| p.contains("`maybe`")), "{text:?}");
}

#[test]
fn plates_and_sensitive_answers_cannot_be_shared_with_mace() {
    let bad = MINIMAL.replace(
            "title = \"S\"",
            "title = \"S\"\nsensitive = true\n[[sections.fields]]\nid = \"reg\"\nkind = \"vehicle_registration\"\nlabel = \"Reg\"\nshareable = true",
        );
    let text: Vec<String> = parse_spec(&bad)
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(
        text.iter().any(|p| p.contains("never shareable")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|p| p.contains("sensitive section")),
        "{text:?}"
    );
}
