//! A suggested 3x5x2 provenance grade and handling code (DOMAIN.md §6.1), from the answers the
//! forms collect instead of asking partners to grade. Only ever a suggestion: the officer
//! grades, and the report says so wherever it shows these.

use super::document::{Document, FormKind};
use crate::forms::fields;
use serde::Serialize;

/// The "5" of 3x5x2: how the information is known to the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Provenance {
    A,
    B,
    C,
    D,
    E,
}

impl Provenance {
    pub fn meaning(self) -> &'static str {
        match self {
            Provenance::A => "Known directly to the source",
            Provenance::B => "Known indirectly to the source but corroborated",
            Provenance::C => "Known indirectly to the source",
            Provenance::D => "Not known",
            Provenance::E => "Suspected to be false or malicious",
        }
    }
}

/// The "2" of 3x5x2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Handling {
    P,
    C,
}

impl Handling {
    pub fn meaning(self) -> &'static str {
        match self {
            Handling::P => {
                "Lawful sharing permitted, subject to a policing purpose and local protocols"
            }
            Handling::C => "Lawful sharing permitted with conditions: specific handling applies",
        }
    }
}

/// One answer a suggestion rests on: the field, the question and the answer in the form's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Basis {
    pub field: String,
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenanceSuggestion {
    pub code: Provenance,
    pub meaning: &'static str,
    /// Another grade the officer may prefer, and when.
    pub alternative: Option<Alternative>,
    /// The submitter doubts the information: the officer should consider E.
    pub consider_e: bool,
    pub basis: Vec<Basis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub code: Provenance,
    pub when: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlingSuggestion {
    pub code: Handling,
    pub meaning: &'static str,
    /// Every answer that asks for conditions (for P: the answers that were checked).
    pub basis: Vec<Basis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Always false: the gateway suggests, the officer confirms.
    pub confirmed: bool,
    pub provenance: ProvenanceSuggestion,
    pub handling: HandlingSuggestion,
}

fn basis(doc: &Document<'_>, field: &str, value: &str) -> Basis {
    Basis {
        field: field.to_string(),
        question: doc.question(field),
        answer: doc.option_label(field, value),
    }
}

/// The professional and community forms name the provenance questions differently.
struct Fields {
    how_known: &'static str,
    corroborated: Option<&'static str>,
    malicious: Option<&'static str>,
}

fn fields(kind: FormKind) -> Fields {
    match kind {
        FormKind::Community => Fields {
            how_known: fields::HOW_KNOW,
            corroborated: None,
            malicious: None,
        },
        FormKind::Professional | FormKind::Other => Fields {
            how_known: fields::HOW_KNOWN,
            corroborated: Some(fields::CORROBORATED),
            malicious: Some(fields::SUSPECTED_FALSE),
        },
    }
}

pub fn suggest(doc: &Document<'_>) -> Suggestion {
    Suggestion {
        confirmed: false,
        provenance: provenance(doc),
        handling: handling(doc),
    }
}

/// An addendum is graded as the report it adds to: the same source, the same risk to them.
/// With that report at hand, its suggestion (both codes and the answers they rest on); without
/// it, D and conditions until it is read, since what the submitter adds may identify them and
/// the original's source protection is not known here. Never weaker than the original's.
pub fn for_addendum(original_ref: &str, original: Option<Suggestion>) -> Suggestion {
    let first = |question: &str, answer: String| Basis {
        field: "follow_up_of".into(),
        question: question.into(),
        answer,
    };
    match original {
        Some(mut s) => {
            let why = || first("Graded as the report it adds to", original_ref.to_string());
            s.provenance.basis.insert(0, why());
            s.handling.basis.insert(0, why());
            s
        }
        None => {
            let why = first(
                "Adds to a report not opened with it",
                format!(
                    "{original_ref}: its grading, handling code and source protection apply; \
                     open the two together"
                ),
            );
            Suggestion {
                confirmed: false,
                provenance: ProvenanceSuggestion {
                    code: Provenance::D,
                    meaning: Provenance::D.meaning(),
                    alternative: None,
                    consider_e: false,
                    basis: vec![why.clone()],
                },
                handling: HandlingSuggestion {
                    code: Handling::C,
                    meaning: Handling::C.meaning(),
                    basis: vec![why],
                },
            }
        }
    }
}

fn provenance(doc: &Document<'_>) -> ProvenanceSuggestion {
    let f = fields(doc.form_kind());
    let mut why = Vec::new();
    let how = doc.text(f.how_known);
    if let Some(h) = how {
        why.push(basis(doc, f.how_known, h));
    }
    let corroborated = f.corroborated.and_then(|c| doc.text(c).map(|v| (c, v)));
    let mut alternative = None;
    // Second-hand information is C, and B when the submitter says something supports it.
    let second_hand = |why: &mut Vec<Basis>| match corroborated {
        Some((field, v)) => {
            why.push(basis(doc, field, v));
            if v == "yes" {
                Provenance::B
            } else {
                Provenance::C
            }
        }
        None => Provenance::C,
    };
    let code = match how {
        Some("SAW_OR_HEARD_MYSELF") => Provenance::A,
        Some("TOLD_BY_PERSON_INVOLVED") => {
            // The submitter relays a disclosure: to the police the submitter is the source and
            // knows it indirectly; an officer who records the child as the source grades A.
            alternative = Some(Alternative {
                code: Provenance::A,
                when: "if the person it happened to is recorded as the source",
            });
            second_hand(&mut why)
        }
        // Records and online content are seen first-hand, but the events in them are not.
        Some("TOLD_BY_SOMEONE_ELSE" | "FROM_RECORDS_OR_SYSTEMS" | "SEEN_ONLINE") => {
            second_hand(&mut why)
        }
        Some("RUMOUR_OR_COMMUNITY_TALK") => Provenance::D,
        // "Another way", or no answer: the source's own knowledge is unclear.
        _ => Provenance::D,
    };
    let doubt = f.malicious.and_then(|m| doc.text(m).map(|v| (m, v)));
    let consider_e = matches!(doubt, Some((_, "YES" | "POSSIBLY")));
    if let (true, Some((field, v))) = (consider_e, doubt) {
        why.push(basis(doc, field, v));
    }
    ProvenanceSuggestion {
        code,
        meaning: code.meaning(),
        alternative,
        consider_e,
        basis: why,
    }
}

fn handling(doc: &Document<'_>) -> HandlingSuggestion {
    let checks: &[(&str, &[&str])] = match doc.form_kind() {
        FormKind::Community => &[("risk_to_you", &["yes", "not_sure"])],
        FormKind::Professional | FormKind::Other => &[
            (
                "source_protection.source_identifiable",
                &["yes", "not_sure"],
            ),
            (
                "source_protection.risk_to_source_or_you",
                &["yes", "not_sure"],
            ),
            ("source_protection.source_aware_of_sharing", &["no"]),
            (
                fields::HANDLING_RESTRICTIONS,
                &["POLICE_ONLY", "DO_NOT_SHARE_WITH_NAMED_AGENCY", "OTHER"],
            ),
        ],
    };
    let mut conditions = Vec::new();
    let mut checked = Vec::new();
    for (field, raise) in checks {
        let Some(v) = doc.text(field) else { continue };
        // "The person who gave you this" is the submitter when they saw it themselves.
        if *field == "source_protection.source_aware_of_sharing"
            && doc.text(fields::HOW_KNOWN) == Some("SAW_OR_HEARD_MYSELF")
        {
            continue;
        }
        let b = basis(doc, field, v);
        if raise.contains(&v) {
            conditions.push(b);
        } else {
            checked.push(b);
        }
    }
    let (code, basis) = if conditions.is_empty() {
        (Handling::P, checked)
    } else {
        (Handling::C, conditions)
    };
    HandlingSuggestion {
        code,
        meaning: code.meaning(),
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::FormRegistry;
    use serde_json::{json, Value};

    fn suggest_for(form: &str, answers: Value) -> Suggestion {
        let forms = FormRegistry::built_in().expect("forms");
        let raw = json!({"form": form, "answers": answers});
        suggest(&Document::new(&raw, &forms))
    }

    #[test]
    fn each_professional_provenance_answer_suggests_its_grade() {
        use Provenance::*;
        for (how, corroborated, grade, alt) in [
            ("SAW_OR_HEARD_MYSELF", None, A, None),
            ("TOLD_BY_PERSON_INVOLVED", None, C, Some(A)),
            ("TOLD_BY_PERSON_INVOLVED", Some("yes"), B, Some(A)),
            ("TOLD_BY_SOMEONE_ELSE", None, C, None),
            ("TOLD_BY_SOMEONE_ELSE", Some("not_sure"), C, None),
            ("TOLD_BY_SOMEONE_ELSE", Some("no"), C, None),
            ("TOLD_BY_SOMEONE_ELSE", Some("yes"), B, None),
            ("FROM_RECORDS_OR_SYSTEMS", Some("yes"), B, None),
            ("SEEN_ONLINE", None, C, None),
            ("RUMOUR_OR_COMMUNITY_TALK", Some("yes"), D, None),
            ("OTHER", None, D, None),
        ] {
            let mut a = json!({"provenance.how_known": how});
            if let Some(c) = corroborated {
                a["provenance.corroborated"] = json!(c);
            }
            let s = suggest_for("professional", a).provenance;
            assert_eq!(s.code, grade, "{how} {corroborated:?}");
            assert_eq!(s.alternative.map(|a| a.code), alt, "{how}");
            assert!(!s.consider_e);
            assert_eq!(s.basis[0].field, "provenance.how_known");
        }
        let s = suggest_for(
            "professional",
            json!({"provenance.how_known": "TOLD_BY_SOMEONE_ELSE", "provenance.corroborated": "yes"}),
        );
        assert_eq!(
            s.provenance.basis[1],
            Basis {
                field: "provenance.corroborated".into(),
                question: "Does any other information support this?".into(),
                answer: "Yes".into()
            }
        );
        assert_eq!(s.provenance.basis[0].answer, "Someone else told me");
        assert!(!s.confirmed);
    }

    #[test]
    fn doubt_about_the_information_prompts_e() {
        for (answer, prompt) in [("YES", true), ("POSSIBLY", true), ("NO", false)] {
            let s = suggest_for(
                "professional",
                json!({"provenance.how_known": "SAW_OR_HEARD_MYSELF", "suspected_false_or_malicious": answer}),
            )
            .provenance;
            assert_eq!(s.code, Provenance::A, "the grade is the officer's to lower");
            assert_eq!(s.consider_e, prompt, "{answer}");
            assert_eq!(s.basis.len(), if prompt { 2 } else { 1 });
        }
    }

    #[test]
    fn each_community_provenance_answer_suggests_its_grade() {
        use Provenance::*;
        for (how, grade) in [
            ("SAW_OR_HEARD_MYSELF", A),
            ("TOLD_BY_SOMEONE_ELSE", C),
            ("SEEN_ONLINE", C),
            ("RUMOUR_OR_COMMUNITY_TALK", D),
            ("OTHER", D),
        ] {
            let s = suggest_for("community", json!({"how_know": how})).provenance;
            assert_eq!(s.code, grade, "{how}");
        }
        let none = suggest_for("community", json!({})).provenance;
        assert_eq!(none.code, D, "unknown provenance is not known");
        assert!(none.basis.is_empty());
    }

    #[test]
    fn handling_is_c_for_an_identifiable_or_endangered_source_or_restrictions() {
        for (field, value, code) in [
            ("source_protection.source_identifiable", "yes", Handling::C),
            (
                "source_protection.source_identifiable",
                "not_sure",
                Handling::C,
            ),
            ("source_protection.source_identifiable", "no", Handling::P),
            (
                "source_protection.risk_to_source_or_you",
                "yes",
                Handling::C,
            ),
            ("source_protection.risk_to_source_or_you", "no", Handling::P),
            (
                "source_protection.source_aware_of_sharing",
                "no",
                Handling::C,
            ),
            (
                "source_protection.source_aware_of_sharing",
                "yes",
                Handling::P,
            ),
            ("handling.restrictions", "POLICE_ONLY", Handling::C),
            (
                "handling.restrictions",
                "DO_NOT_SHARE_WITH_NAMED_AGENCY",
                Handling::C,
            ),
            ("handling.restrictions", "OTHER", Handling::C),
            ("handling.restrictions", "NONE", Handling::P),
        ] {
            let h = suggest_for("professional", json!({ field: value })).handling;
            assert_eq!(h.code, code, "{field} = {value}");
            assert_eq!(h.basis.len(), 1, "{field}");
            assert_eq!(h.basis[0].field, field);
        }
        let h = suggest_for(
            "professional",
            json!({"handling.restrictions": "POLICE_ONLY", "source_protection.source_identifiable": "no"}),
        )
        .handling;
        assert_eq!(h.basis.len(), 1, "only the answers that ask for conditions");
        assert_eq!(h.basis[0].answer, "Police only");
        for (value, code) in [
            ("yes", Handling::C),
            ("not_sure", Handling::C),
            ("no", Handling::P),
        ] {
            let h = suggest_for("community", json!({ "risk_to_you": value })).handling;
            assert_eq!(h.code, code, "community risk_to_you = {value}");
        }
        assert_eq!(
            suggest_for("community", json!({})).handling.code,
            Handling::P
        );
    }
}
