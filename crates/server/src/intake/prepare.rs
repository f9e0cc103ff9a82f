//! What intake decides before it seals: triage, the localities named, and the routes.

use super::Rules;
use crate::forms::fields;
use crate::forms::spec::Audience;
use crate::forms::FormSpec;
use crate::locality::LocalityTable;
use crate::routing::{Decision, Routes, RoutingFacts};
use crate::triage::Assessment;
use serde_json::{Map, Value};

/// Localities of every place named: the submitter's own choice, else the postcode's.
pub fn localities(answers: &Map<String, Value>, table: &LocalityTable) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for group in [fields::LOCATIONS, fields::PLACES] {
        for item in answers
            .get(group)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let get = |k: &str| item.get(k).and_then(Value::as_str);
            for l in table.for_location(get(fields::PLACE_LOCALITY), get(fields::PLACE_POSTCODE)) {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
        }
    }
    if out.len() > 1 {
        out.retain(|l| l != "UNKNOWN");
    }
    if out.is_empty() {
        out.push("UNKNOWN".into());
    }
    out
}

/// The facts routing needs, from the answers and the triage.
pub fn routing_facts(
    form: &FormSpec,
    answers: &Map<String, Value>,
    triage: &Assessment,
    localities: Vec<String>,
) -> RoutingFacts {
    let categories: Vec<&str> = answers
        .get(fields::CONCERN_CATEGORIES)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let text = |k: &str| answers.get(k).and_then(Value::as_str);
    RoutingFacts {
        community: form.audience == Audience::Community,
        priority: triage.priority,
        mace_relevant: categories.iter().any(|c| *c != "OTHER"),
        localities,
        source_at_risk: matches!(text(fields::SOURCE_RISK), Some("yes" | "not_sure"))
            || matches!(text(fields::RISK_TO_YOU), Some("yes" | "not_sure")),
        police_only: text(fields::HANDLING_RESTRICTIONS) == Some("POLICE_ONLY"),
    }
}

/// What intake decides before sealing: the triage, the localities and where it goes.
pub struct Prepared {
    pub triage: Assessment,
    pub localities: Vec<String>,
    pub decisions: Vec<Decision>,
}

/// Triage, locality and routing of one submission's answers, as of `at`: everything intake
/// decides before it seals. Pure: the CPU-ceiling bench calls it as intake does.
pub fn prepare(
    routes: &Routes,
    rules: &Rules,
    form: &FormSpec,
    answers: &Map<String, Value>,
    at: time::OffsetDateTime,
) -> Prepared {
    let triage = rules.triage.assess(answers, at);
    let localities = localities(answers, &rules.localities);
    let facts = routing_facts(form, answers, &triage, localities.clone());
    let decisions = routes.select(&facts);
    Prepared {
        triage,
        localities,
        decisions,
    }
}
