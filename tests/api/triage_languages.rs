//! Narratives in other languages through the API as a partner system sends them: a Polish one
//! read by its pack, a French one (no pack) raised to PRIORITY and named for the officer in the
//! sealed document and in the report opened from it.

use crate::helpers::*;
use pis_gateway::forms::FormRegistry;
use pis_gateway::open::{render, Format, Provenance};
use serde_json::{json, Value};

#[actix_web::test]
async fn a_polish_danger_is_immediate_and_a_french_narrative_is_priority_and_named() {
    let app = spawn_app().await;
    let (body, doc) = send_narrative(
        &app,
        "Moja córka (13) jest teraz zamknięta w mieszkaniu u dorosłego faceta w Selby i on nie \
         pozwala jej wyjść. Napisała mi to przed chwilą, proszę pomóżcie.",
    )
    .await;
    assert_eq!(body["priority"], "IMMEDIATE", "{doc}");
    assert!(
        doc["reason_codes"]
            .to_string()
            .contains("narrative_child_held"),
        "{}",
        doc["reason_codes"]
    );
    assert_eq!(
        doc["languages"],
        json!([{"field": "details", "code": "pl", "name": "Polish", "read": true}])
    );

    let (body, doc) = send_narrative(
        &app,
        "Ma fille de quatorze ans est dans une voiture avec deux hommes qui refusent de la \
         laisser partir. Elle vient de m'envoyer un message, je ne sais pas où elle est.",
    )
    .await;
    assert_eq!(body["priority"], "PRIORITY", "{doc}");
    assert_eq!(doc["reason_codes"], json!(["narrative_unread_language"]));
    assert_eq!(
        doc["languages"],
        json!([{"field": "details", "code": "fra", "name": "French", "read": false}])
    );
    let forms = FormRegistry::built_in().expect("forms");
    let html = render(
        &doc,
        &forms,
        Format::Html,
        &Provenance::Signed("k".into()),
        &[],
    );
    assert!(
        html.contains("<th>Written in</th><td>French (fra), in: ")
            && html.contains("not read by triage: have it translated"),
        "{html}"
    );
    assert!(
        html.contains("Written in a language the triage rules do not read"),
        "{html}"
    );
}

#[test]
fn each_pack_language_meets_the_target_on_its_development_lines() {
    let triage =
        pis_gateway::triage::Triage::load(&repo().join("config/triage.toml")).expect("rules");
    let read = |name: &str| {
        std::fs::read_to_string(repo().join("tests/data/triage").join(name)).expect("corpus")
    };
    let corpus: String = [read("round3/dev.jsonl"), read("round4/languages-dev.jsonl")]
        .concat()
        .lines()
        .filter(|l| {
            serde_json::from_str::<Value>(l)
                .is_ok_and(|v| v["language"].as_str().is_some_and(|c| c != "en"))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let report = pis_gateway::triage::eval::run(&triage, &corpus).expect("reads");
    for code in triage.pack_languages() {
        let t = &report.by_language[code];
        assert!(
            t.immediate > 0 && t.immediate_found * 10 >= t.immediate * 9,
            "{code}: {}",
            report.render()
        );
    }
    assert!(report.under.is_empty(), "{}", report.render());
    assert!(report.over_rate() <= 0.10, "{}", report.render());
}

#[test]
fn the_scored_language_lines_do_not_fall_back() {
    // Last round's frozen holdouts in the pack languages, scored once and now development
    // text: guarded at the figures reached (18 of 31 IMMEDIATE), not at the target.
    let triage =
        pis_gateway::triage::Triage::load(&repo().join("config/triage.toml")).expect("rules");
    let corpus =
        std::fs::read_to_string(repo().join("tests/data/triage/round4/languages-dev-b.jsonl"))
            .expect("corpus");
    let report = pis_gateway::triage::eval::run(&triage, &corpus).expect("reads");
    assert!(report.cases >= 61, "{} cases", report.cases);
    assert!(report.recall() >= 0.58, "{}", report.render());
    assert!(report.over_rate() <= 0.10, "{}", report.render());
}
