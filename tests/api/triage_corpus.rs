//! The narrative reader against labelled narratives: the development corpus at the targets
//! (every IMMEDIATE found, nothing under-triaged, at most 10 % of capped cases raised above
//! their cap), the held-out set no worse than when it was first measured, and the originally
//! missed reports through the API as a partner system sends them.

use crate::helpers::*;
use pis_gateway::triage::{eval, Triage};

fn shipped() -> Triage {
    Triage::load(&repo().join("config/triage.toml")).expect("shipped rules")
}

fn corpus(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/data/triage").join(name)).expect("corpus")
}

#[test]
fn the_development_corpus_meets_the_targets() {
    let report = eval::run(&shipped(), &corpus("dev.jsonl")).expect("corpus reads");
    assert!(report.cases >= 200, "{} cases", report.cases);
    assert!(
        report.immediate * 2 >= report.cases,
        "at least half IMMEDIATE"
    );
    assert_eq!(report.recall(), 1.0, "{}", report.render());
    assert!(report.under.is_empty(), "{}", report.render());
    assert!(report.over_rate() <= 0.10, "{}", report.render());
}

#[test]
fn the_held_out_set_does_not_fall_back() {
    // Written apart from the rules; its figures are reported, not tuned to. This guards
    // against a rule change that reads worse on text it was not written for.
    let report = eval::run(&shipped(), &corpus("holdout.jsonl")).expect("corpus reads");
    assert!(report.recall() >= 0.93, "{}", report.render());
    assert!(report.over_rate() <= 0.10, "{}", report.render());
}

#[test]
fn the_independent_development_batches_do_not_fall_back() {
    // Written by people who never read the rules, in voices the first corpus lacked (night
    // logs, case-note shorthand, phone-typed public voices, English as a second language).
    // The rules were tuned on them (and on each round's holdout once it has been scored), so
    // they are guarded at the figures reached, not at the targets; the frozen holdout of the
    // round (round7/) is scored once a round, not here.
    let english: String = [
        corpus("round3/dev.jsonl"),
        corpus("round4/dev.jsonl"),
        corpus("round5/dev.jsonl"),
        corpus("round6/dev.jsonl"),
    ]
    .concat()
    .lines()
    .filter(|l| l.contains("\"language\": \"en\""))
    .map(|l| format!("{l}\n"))
    .collect();
    let report = eval::run(&shipped(), &english).expect("corpus reads");
    assert!(report.cases >= 900, "{} cases", report.cases);
    assert!(report.recall() >= 0.94, "{}", report.render());
    assert!(report.over_rate() <= 0.23, "{}", report.render());
}

#[test]
fn the_round_6_batch_does_not_fall_back() {
    // Round 6's holdout, scored once and now development, with its lines in the pack
    // languages: the learned reader was trained on it since, so it is guarded at the figures
    // reached (91/100, PRIORITY 39/47, 33/123 over-escalated), slightly loosened. Scored before
    // that by a reader trained without it: 84/100, 40/47, 33/123.
    let report = eval::run(&shipped(), &corpus("round6/dev.jsonl")).expect("corpus reads");
    assert_eq!(report.cases, 225, "{} cases", report.cases);
    assert!(report.recall() >= 0.89, "{}", report.render());
    assert!(report.priority_found >= 38, "{}", report.render());
    assert!(report.over_rate() <= 0.28, "{}", report.render());
}

#[test]
fn a_corpus_line_that_cannot_be_read_is_named() {
    let err = eval::run(&shipped(), "{\"text\": \"x\", \"form\": \"professional\", \"min\": \"ROUTINE\", \"max\": \"ROUTINE\"}\n{\"text\": 1}\n")
        .unwrap_err();
    assert!(err.starts_with("line 2:"), "{err}");
    let err = eval::run(
        &shipped(),
        "{\"text\": \"x\", \"form\": \"school\", \"min\": \"ROUTINE\", \"max\": \"ROUTINE\"}\n",
    )
    .unwrap_err();
    assert!(err.contains("unknown form"), "{err}");
}

#[actix_web::test]
async fn the_reports_that_were_missed_now_reach_the_control_room_through_the_api() {
    let app = spawn_app().await;
    for (text, code) in [
        (
            "an older man is collecting her from the home tonight at 9pm to take her to a hotel",
            "narrative_event_within_24h",
        ),
        (
            "he is outside the chip shop showing a knife",
            "narrative_weapons_now",
        ),
        (
            "they will share the pictures at midnight unless he pays",
            "narrative_online_harm_now",
        ),
        (
            "she has taken all her tablets",
            "narrative_medical_emergency",
        ),
    ] {
        let (body, doc) = send_narrative(&app, text).await;
        assert_eq!(body["priority"], "IMMEDIATE", "{text}");
        assert!(
            doc["reason_codes"].to_string().contains(code),
            "{text}: {}",
            doc["reason_codes"]
        );
    }
    for text in [
        "drill music about knives",
        "there is no immediate danger; she is safe tonight",
    ] {
        let (body, _) = send_narrative(
            &app,
            &format!("{text}. Sharing for awareness of the older males involved."),
        )
        .await;
        assert_ne!(body["priority"], "IMMEDIATE", "{text}");
    }
}
