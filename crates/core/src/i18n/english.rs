//! Words the code writes in English with values in them ("File 2 must be smaller than 10 MB"),
//! found again among the catalog's English messages (`msg-file-too-large = File { $n } must be
//! smaller than { $size }`) so that another language can write them with the same values.
//! A message made only of text and variables is a template: its text must match in order and
//! each variable takes the words between, as gettext finds a message by its English.

use fluent_syntax::ast;

enum Part {
    Text(String),
    Var(String),
}

/// An English message as text and the variables between it.
pub(super) struct Template {
    pub(super) id: String,
    parts: Vec<Part>,
}

impl Template {
    /// The message's English as a template; `None` when it has anything but text and
    /// variables (a select, a term), no text of its own, or two variables side by side (which
    /// could not be told apart).
    pub(super) fn of(id: &str, pattern: &ast::Pattern<&str>) -> Option<Template> {
        let mut parts: Vec<Part> = Vec::new();
        for element in &pattern.elements {
            match element {
                ast::PatternElement::TextElement { value } => match parts.last_mut() {
                    Some(Part::Text(t)) => t.push_str(value),
                    _ => parts.push(Part::Text(value.to_string())),
                },
                ast::PatternElement::Placeable {
                    expression:
                        ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
                } => {
                    if matches!(parts.last(), Some(Part::Var(_))) {
                        return None;
                    }
                    parts.push(Part::Var(id.name.to_string()));
                }
                ast::PatternElement::Placeable { .. } => return None,
            }
        }
        let has_text = parts.iter().any(|p| matches!(p, Part::Text(_)));
        let has_var = parts.iter().any(|p| matches!(p, Part::Var(_)));
        (has_text && has_var).then(|| Template {
            id: id.to_string(),
            parts,
        })
    }

    /// How many characters of its own it has: of two templates that match the same words, the
    /// one with more of its own is the closer ("… smaller than { $max } megapixels" rather than
    /// "… smaller than { $size }").
    pub(super) fn own_text_len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.chars().count(),
                Part::Var(_) => 0,
            })
            .sum()
    }

    /// Each variable's value when `text` is this message filled in; `None` when it is not.
    pub(super) fn values<'t>(&self, text: &'t str) -> Option<Vec<(&str, &'t str)>> {
        let mut found = Vec::new();
        fill(&self.parts, text, &mut found).then_some(found)
    }
}

/// Whether `text` is `parts` filled in, the values pushed onto `found` (none empty). A value
/// ends at the first place the rest matches, trying later places in turn.
fn fill<'p, 't>(parts: &'p [Part], text: &'t str, found: &mut Vec<(&'p str, &'t str)>) -> bool {
    match parts {
        [] => text.is_empty(),
        [Part::Text(t), rest @ ..] => text
            .strip_prefix(t.as_str())
            .is_some_and(|after| fill(rest, after, found)),
        [Part::Var(name)] => {
            found.push((name.as_str(), text));
            !text.is_empty()
        }
        [Part::Var(name), rest @ ..] => {
            let Some(Part::Text(next)) = rest.first() else {
                return false;
            };
            for (at, _) in text.match_indices(next.as_str()).filter(|(at, _)| *at > 0) {
                let depth = found.len();
                found.push((name.as_str(), &text[..at]));
                if fill(rest, &text[at..], found) {
                    return true;
                }
                found.truncate(depth);
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(source: &str) -> Option<Template> {
        let resource = fluent_syntax::parser::parse(source).expect("parses");
        let Some(ast::Entry::Message(m)) = resource.body.first() else {
            panic!("one message");
        };
        Template::of(m.id.name, m.value.as_ref().expect("value"))
    }

    #[test]
    fn values_are_found_between_the_words() {
        let t = template("m = File { $n } must be smaller than { $size }\n").expect("template");
        assert_eq!(
            t.values("File 2 must be smaller than 10 MB"),
            Some(vec![("n", "2"), ("size", "10 MB")])
        );
        assert_eq!(
            t.values("File 2 must be smaller than "),
            None,
            "empty value"
        );
        assert_eq!(t.values("File 2 must be bigger than 10 MB"), None);
        assert_eq!(t.values("A File 2 must be smaller than 10 MB"), None);

        // A value may hold the words that follow it: the first place the rest matches wins
        // unless the rest then fails.
        let t = template("m = { $problem }. Choose your files again\n").expect("template");
        assert_eq!(
            t.values("File 1 is empty. Really. Choose your files again"),
            Some(vec![("problem", "File 1 is empty. Really")])
        );
    }

    #[test]
    fn only_text_and_variables_make_a_template() {
        assert!(template("m = Just words\n").is_none(), "nothing to fill");
        assert!(template("m = { $a }{ $b }\n").is_none(), "no words between");
        assert!(template("m = { $n ->\n    [one] a file\n   *[other] files\n}\n").is_none());
    }
}
