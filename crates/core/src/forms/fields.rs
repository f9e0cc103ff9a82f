//! Field ids that triage, routing and the pages rely on, in one place.
//!
//! Forms are data, but some answers decide who is told and how fast. If a form spec renamed
//! one of these, triage or routing would quietly stop seeing it; [`check`] runs when the forms
//! load and stops start-up with the file and field instead.

use super::spec::{Audience, Field, FormSpec, Kind, SpecProblem};

/// The form id of what a submitter adds on /follow-up, and the one answer it holds.
pub const ADDENDUM_FORM: &str = "follow_up";
pub const ADDENDUM_FIELD: &str = "addendum";

/// "Is anyone in immediate danger, or is something happening right now?"
pub const GATE: &str = "gate.immediate_danger";
/// The submitter's answer when the narrative shows danger the gate did not.
pub const NARRATIVE_CHECK: &str = "gate.narrative_check";
/// "Is this about a specific child?" (the MAST referral panel).
pub const SPECIFIC_CHILD: &str = "gate.specific_child";
/// The IMMEDIATE signals.
pub const URGENCY_NOW: &str = "urgency.now";
/// The PRIORITY signals.
pub const URGENCY_SOON: &str = "urgency.soon";
/// Categories of exploitation: whether MACE hears of it.
pub const CONCERN_CATEGORIES: &str = "concern_categories";
/// Risk to the source (professional form): narrows what MACE sees.
pub const SOURCE_RISK: &str = "source_protection.risk_to_source_or_you";
/// Risk to the submitter (community form): narrows what MACE sees.
pub const RISK_TO_YOU: &str = "risk_to_you";
/// "Police only" keeps MACE out.
pub const HANDLING_RESTRICTIONS: &str = "handling.restrictions";
/// How the submitter knows (professional form): the suggested provenance grade in `open`.
pub const HOW_KNOWN: &str = "provenance.how_known";
/// Whether anything supports it: B rather than C for second-hand information.
pub const CORROBORATED: &str = "provenance.corroborated";
/// The submitter's doubt about the information: `open` prompts the officer to consider E.
pub const SUSPECTED_FALSE: &str = "suspected_false_or_malicious";
/// Whether the source could be identified: handling code C.
pub const SOURCE_IDENTIFIABLE: &str = "source_protection.source_identifiable";
/// How the submitter knows (community form).
pub const HOW_KNOW: &str = "how_know";
/// People named.
pub const PEOPLE: &str = "people";
/// Within `people`: a child missing now.
pub const PERSON_CURRENTLY_MISSING: &str = "currently_missing";
/// Within `people`: date of birth and age bands, for "a missing child under 13".
pub const PERSON_DOB: &str = "dob";
pub const PERSON_AGE_ESTIMATE: &str = "age_estimate";
pub const PERSON_AGE_RANGE: &str = "age_range";
/// Places: the professional form's `locations`, the community form's `places`.
pub const LOCATIONS: &str = "locations";
pub const PLACES: &str = "places";
/// Within a place: locality and postcode, for routing to a MACE locality.
pub const PLACE_LOCALITY: &str = "locality";
pub const PLACE_POSTCODE: &str = "postcode";

/// Which forms must have a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forms {
    Every,
    Only(Audience),
}

/// A field relied on: its path (`group.field` within a group), kind, forms, and who relies on it.
struct Relied {
    path: &'static [&'static str],
    kind: &'static str,
    forms: Forms,
    by: &'static str,
}

const RELIED: &[Relied] = &[
    Relied {
        path: &[GATE],
        kind: "yes_no",
        forms: Forms::Every,
        by: "triage (the gate question)",
    },
    Relied {
        path: &[NARRATIVE_CHECK],
        kind: "yes_no",
        forms: Forms::Every,
        by: "triage (the question asked when the narrative shows danger)",
    },
    Relied {
        path: &[URGENCY_NOW],
        kind: "multi_choice",
        forms: Forms::Every,
        by: "triage (IMMEDIATE signals)",
    },
    Relied {
        path: &[URGENCY_SOON],
        kind: "multi_choice",
        forms: Forms::Every,
        by: "triage (PRIORITY signals)",
    },
    Relied {
        path: &[SPECIFIC_CHILD],
        kind: "yes_no",
        forms: Forms::Only(Audience::Professional),
        by: "the safeguarding referral panel",
    },
    Relied {
        path: &[CONCERN_CATEGORIES],
        kind: "multi_choice",
        forms: Forms::Only(Audience::Professional),
        by: "routing (MACE relevance)",
    },
    Relied {
        path: &[SOURCE_RISK],
        kind: "yes_no",
        forms: Forms::Only(Audience::Professional),
        by: "routing (source protection)",
    },
    Relied {
        path: &[RISK_TO_YOU],
        kind: "yes_no",
        forms: Forms::Only(Audience::Community),
        by: "routing (source protection)",
    },
    Relied {
        path: &[HANDLING_RESTRICTIONS],
        kind: "choice",
        forms: Forms::Only(Audience::Professional),
        by: "routing (police only)",
    },
    Relied {
        path: &[HOW_KNOWN],
        kind: "choice",
        forms: Forms::Only(Audience::Professional),
        by: "open (the suggested provenance grade)",
    },
    Relied {
        path: &[CORROBORATED],
        kind: "yes_no",
        forms: Forms::Only(Audience::Professional),
        by: "open (the suggested provenance grade)",
    },
    Relied {
        path: &[SUSPECTED_FALSE],
        kind: "choice",
        forms: Forms::Only(Audience::Professional),
        by: "open (the prompt to consider E)",
    },
    Relied {
        path: &[SOURCE_IDENTIFIABLE],
        kind: "yes_no",
        forms: Forms::Only(Audience::Professional),
        by: "open (the suggested handling code)",
    },
    Relied {
        path: &[HOW_KNOW],
        kind: "choice",
        forms: Forms::Only(Audience::Community),
        by: "open (the suggested provenance grade)",
    },
    Relied {
        path: &[PEOPLE],
        kind: "group",
        forms: Forms::Every,
        by: "triage (missing children)",
    },
    Relied {
        path: &[PEOPLE, PERSON_CURRENTLY_MISSING],
        kind: "yes_no",
        forms: Forms::Only(Audience::Professional),
        by: "triage (missing children)",
    },
    Relied {
        path: &[PEOPLE, PERSON_DOB],
        kind: "date",
        forms: Forms::Only(Audience::Professional),
        by: "triage (missing children under 13)",
    },
    Relied {
        path: &[PEOPLE, PERSON_AGE_ESTIMATE],
        kind: "choice",
        forms: Forms::Only(Audience::Professional),
        by: "triage (missing children under 13)",
    },
    Relied {
        path: &[PEOPLE, PERSON_AGE_RANGE],
        kind: "choice",
        forms: Forms::Only(Audience::Community),
        by: "triage (ages)",
    },
    Relied {
        path: &[LOCATIONS, PLACE_POSTCODE],
        kind: "postcode",
        forms: Forms::Only(Audience::Professional),
        by: "routing (locality)",
    },
    Relied {
        path: &[LOCATIONS, PLACE_LOCALITY],
        kind: "choice",
        forms: Forms::Only(Audience::Professional),
        by: "routing (locality)",
    },
    Relied {
        path: &[PLACES, PLACE_POSTCODE],
        kind: "postcode",
        forms: Forms::Only(Audience::Community),
        by: "routing (locality)",
    },
];

fn find<'a>(fields: &'a [Field], path: &[&str]) -> Option<&'a Field> {
    let (first, rest) = path.split_first()?;
    let f = fields.iter().find(|f| f.id == *first)?;
    if rest.is_empty() {
        return Some(f);
    }
    match &f.kind {
        Kind::Group { fields, .. } => find(fields, rest),
        _ => None,
    }
}

/// Every relied-on field this form lacks or has with another kind.
pub fn check(spec: &FormSpec) -> Vec<SpecProblem> {
    let top: Vec<Field> = spec.fields().cloned().collect();
    let mut problems = Vec::new();
    for r in RELIED {
        if let Forms::Only(a) = r.forms {
            if a != spec.audience {
                continue;
            }
        }
        let path = r.path.join(".");
        match find(&top, r.path) {
            None => problems.push(SpecProblem {
                location: format!("field `{path}`"),
                message: format!(
                    "is missing: {} relies on it (a {} field with this id)",
                    r.by, r.kind
                ),
            }),
            Some(f) if f.kind.name() != r.kind => problems.push(SpecProblem {
                location: format!("field `{path}`"),
                message: format!(
                    "must be a {} field: {} relies on it (it is {})",
                    r.kind,
                    r.by,
                    f.kind.name()
                ),
            }),
            Some(_) => {}
        }
    }
    if let Some(Kind::MultiChoice { options, .. }) = find(&top, &[URGENCY_NOW]).map(|f| &f.kind) {
        for (value, _) in crate::triage::NOW_SIGNALS {
            if !options.iter().any(|o| o.value == *value) {
                problems.push(SpecProblem {
                    location: format!("field `{URGENCY_NOW}`"),
                    message: format!("has no option `{value}`: triage reads it"),
                });
            }
        }
    }
    problems
}
