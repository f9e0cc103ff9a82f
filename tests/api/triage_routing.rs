//! Triage and routing: a table of submissions, each with the priority, reasons, routes and
//! views it must get, checked by opening every envelope with that route's own key.

use crate::helpers::*;
use pis_gateway::config::RouteSettings;
use pis_gateway::forms::FormRegistry;
use pis_gateway::intake::Intake;
use pis_gateway::metrics::Metrics;
use pis_gateway::routing::{Role, Routes, View};
use pis_gateway::spool::sqlite::SqliteSpool;
use pis_gateway::spool::Spool;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const MACE: &[&str] = &[
    "CRAVEN",
    "HAMBLETON",
    "HARROGATE",
    "RICHMONDSHIRE",
    "RYEDALE",
    "SCARBOROUGH",
    "SELBY",
    "CITY_OF_YORK",
];

/// Every route of the shipped layout, each with its own key so each envelope is opened by its
/// own inbox's identity only.
struct Network {
    _dir: tempfile::TempDir,
    spool: Arc<dyn Spool>,
    intake: Intake,
    keys: HashMap<String, age::x25519::Identity>,
    forms: FormRegistry,
}

fn route(
    name: &str,
    role: Role,
    view: View,
    localities: &[&str],
    fallback: bool,
    key: &age::x25519::Identity,
) -> RouteSettings {
    RouteSettings {
        name: name.into(),
        mailbox: format!("{}@police.example", name.replace('_', "-")),
        view,
        recipients: vec![key.to_public().to_string()],
        role: Some(role),
        localities: localities.iter().map(|l| l.to_string()).collect(),
        fallback,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: None,
        officers: vec![],
    }
}

fn network() -> Network {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut keys = HashMap::new();
    let mut settings = Vec::new();
    let mut add = |name: String, role, view, locs: Vec<&str>, fallback| {
        let key = age::x25519::Identity::generate();
        settings.push(route(&name, role, view, &locs, fallback, &key));
        keys.insert(name, key);
    };
    add(
        "police_intelligence".into(),
        Role::PoliceIntelligence,
        View::Full,
        vec![],
        false,
    );
    add(
        "control_room".into(),
        Role::ControlRoom,
        View::Full,
        vec![],
        false,
    );
    for l in MACE {
        add(
            format!("mace_{}", l.to_lowercase()),
            Role::Mace,
            View::Restricted,
            vec![l],
            false,
        );
    }
    add(
        "mace_county".into(),
        Role::Mace,
        View::Restricted,
        vec![],
        true,
    );
    add(
        "escalation".into(),
        Role::Escalation,
        View::Notice,
        vec![],
        false,
    );
    let spool: Arc<dyn Spool> =
        Arc::new(SqliteSpool::open(&dir.path().join("spool")).expect("spool"));
    let routes = Arc::new(Routes::from_settings(&settings).expect("routes"));
    let intake = Intake::new(
        Arc::clone(&spool),
        routes,
        Arc::new(rules()),
        Arc::new(Metrics::default()),
        Arc::new(tokio::sync::Notify::new()),
        signer(),
    );
    Network {
        _dir: dir,
        spool,
        intake,
        keys,
        forms: FormRegistry::built_in().expect("forms"),
    }
}

/// A professional report whose base routing is ROUTINE, police intelligence in full and the
/// City of York MACE inbox in the restricted view.
fn professional() -> Value {
    let mut a = professional_answers();
    a["source_protection.risk_to_source_or_you"] = json!("no");
    a["handling.restrictions"] = json!("NONE");
    a
}

fn patched(mut base: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().expect("object") {
        if v.is_null() {
            base.as_object_mut().expect("object").remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

struct Case {
    why: &'static str,
    form: &'static str,
    answers: Value,
    priority: &'static str,
    reasons: &'static [&'static str],
    routes: &'static [(&'static str, &'static str)],
}

fn p(
    why: &'static str,
    patch: Value,
    priority: &'static str,
    reasons: &'static [&'static str],
    routes: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        why,
        form: "professional",
        answers: patched(professional(), patch),
        priority,
        reasons,
        routes,
    }
}

fn c(
    why: &'static str,
    patch: Value,
    priority: &'static str,
    reasons: &'static [&'static str],
    routes: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        why,
        form: "community",
        answers: patched(community_answers(), patch),
        priority,
        reasons,
        routes,
    }
}

const PI: (&str, &str) = ("police_intelligence", "full");
const CR: (&str, &str) = ("control_room", "full");

fn cases() -> Vec<Case> {
    let missing = |age: &str| json!({"people": [{"role": "CHILD_AT_RISK", "currently_missing": "yes", "age_estimate": age}]});
    vec![
        p(
            "a routine professional report",
            json!({}),
            "ROUTINE",
            &[],
            &[PI, ("mace_city_of_york", "restricted")],
        ),
        p(
            "gate: danger now",
            json!({"gate.immediate_danger": "yes"}),
            "IMMEDIATE",
            &["gate_danger_now"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "gate: not sure",
            json!({"gate.immediate_danger": "not_sure"}),
            "IMMEDIATE",
            &["gate_danger_not_sure"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: danger to life",
            json!({"urgency.now": ["DANGER_TO_LIFE"]}),
            "IMMEDIATE",
            &["danger_to_life"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: crime in progress",
            json!({"urgency.now": ["CRIME_IN_PROGRESS"]}),
            "IMMEDIATE",
            &["crime_in_progress"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: event within 24 h",
            json!({"urgency.now": ["EVENT_WITHIN_24H"]}),
            "IMMEDIATE",
            &["event_within_24h"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: missing child with a person posing risk",
            json!({"urgency.now": ["MISSING_CHILD_WITH_RISK"]}),
            "IMMEDIATE",
            &["missing_child_with_risk"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: weapons",
            json!({"urgency.now": ["WEAPONS"]}),
            "IMMEDIATE",
            &["weapons_now"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: child held",
            json!({"urgency.now": ["CHILD_HELD"]}),
            "IMMEDIATE",
            &["child_held"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: medical emergency",
            json!({"urgency.now": ["MEDICAL_EMERGENCY"]}),
            "IMMEDIATE",
            &["medical_emergency"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: retaliation threat",
            json!({"urgency.now": ["RETALIATION_THREAT"]}),
            "IMMEDIATE",
            &["retaliation_threat"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: online harm",
            json!({"urgency.now": ["ONLINE_HARM_NOW"]}),
            "IMMEDIATE",
            &["online_harm_now"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "now: none of these",
            json!({"urgency.now": ["NONE"]}),
            "ROUTINE",
            &[],
            &[PI, ("mace_city_of_york", "restricted")],
        ),
        p(
            "soon: child missing",
            json!({"urgency.soon": ["CHILD_MISSING"]}),
            "PRIORITY",
            &["child_missing"],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "soon: event within days",
            json!({"urgency.soon": ["EVENT_WITHIN_DAYS"]}),
            "PRIORITY",
            &["event_within_days"],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "soon: new link to a high-risk child",
            json!({"urgency.soon": ["NEW_LINK_HIGH_RISK"]}),
            "PRIORITY",
            &["new_link_high_risk"],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "soon: evidence at risk",
            json!({"urgency.soon": ["EVIDENCE_AT_RISK"]}),
            "PRIORITY",
            &["evidence_at_risk"],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "a missing 13-15 year old",
            missing("AGE_13_15"),
            "PRIORITY",
            &["child_missing"],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "a missing child under 10",
            missing("AGE_UNDER_10"),
            "IMMEDIATE",
            &["child_missing", "missing_child_under_13"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "a missing child born in 2016",
            json!({"people": [{"role": "CHILD_AT_RISK", "currently_missing": "yes", "dob": "2016-05-01"}]}),
            "IMMEDIATE",
            &["child_missing", "missing_child_under_13"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "words about a knife, with no time",
            json!({"details": "Older boys gave him a knife to carry on the bus to Selby."}),
            "PRIORITY",
            &["narrative_weapons"],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "words in a group item: a child held",
            json!({"locations": [{"location_type": "OTHER_RESIDENTIAL", "postcode": "YO24 3BZ", "why_concerning": "A girl was locked in the back bedroom"}]}),
            "IMMEDIATE",
            &["narrative_child_held"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "no phrase inside another word",
            json!({"details": "He works at the knifesmith and the gunnery museum, and says little."}),
            "ROUTINE",
            &[],
            &[PI, ("mace_city_of_york", "restricted")],
        ),
        p(
            "structured and narrative reasons together",
            json!({"gate.immediate_danger": "yes", "urgency.now": ["WEAPONS"], "details": "He has a machete in the car and is going there tonight."}),
            "IMMEDIATE",
            &["gate_danger_now", "weapons_now", "narrative_weapons_now"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "soon, and words that say tonight",
            json!({"urgency.soon": ["CHILD_MISSING"], "details": "She said they would collect her tonight from the park."}),
            "IMMEDIATE",
            &["child_missing", "narrative_event_within_24h"],
            &[PI, CR, ("mace_city_of_york", "notice")],
        ),
        p(
            "the source may be at risk",
            json!({"source_protection.risk_to_source_or_you": "yes"}),
            "ROUTINE",
            &[],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "the source is not sure",
            json!({"source_protection.risk_to_source_or_you": "not_sure"}),
            "ROUTINE",
            &[],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "police only",
            json!({"handling.restrictions": "POLICE_ONLY"}),
            "ROUTINE",
            &[],
            &[PI, ("mace_city_of_york", "notice")],
        ),
        p(
            "not MACE-relevant (other only)",
            json!({"concern_categories": ["OTHER"]}),
            "ROUTINE",
            &[],
            &[PI],
        ),
        p(
            "Harrogate postcode",
            json!({"locations": [{"location_type": "PARK_OPEN_SPACE", "postcode": "HG1 2AB"}]}),
            "ROUTINE",
            &[],
            &[PI, ("mace_harrogate", "restricted")],
        ),
        p(
            "a district across two localities",
            json!({"locations": [{"location_type": "PARK_OPEN_SPACE", "postcode": "HG3"}]}),
            "ROUTINE",
            &[],
            &[PI, ("mace_craven", "notice"), ("mace_harrogate", "notice")],
        ),
        p(
            "the submitter's locality wins",
            json!({"locations": [{"location_type": "SHOP", "postcode": "YO24 3BZ", "locality": "SELBY"}]}),
            "ROUTINE",
            &[],
            &[PI, ("mace_selby", "restricted")],
        ),
        p(
            "no place at all",
            json!({"locations": null}),
            "ROUTINE",
            &[],
            &[PI, ("mace_county", "restricted")],
        ),
        p(
            "a postcode outside the table",
            json!({"locations": [{"location_type": "SHOP", "postcode": "LS1 4AP"}]}),
            "ROUTINE",
            &[],
            &[PI, ("mace_county", "restricted")],
        ),
        p(
            "a district partly outside the area",
            json!({"locations": [{"location_type": "SHOP", "postcode": "LS25 1AA"}]}),
            "ROUTINE",
            &[],
            &[PI, ("mace_selby", "restricted")],
        ),
        p(
            "two places in two localities",
            json!({"locations": [{"location_type": "SHOP", "postcode": "YO24 3BZ"}, {"location_type": "CAR_PARK", "postcode": "DL9 3AB"}]}),
            "ROUTINE",
            &[],
            &[
                PI,
                ("mace_city_of_york", "notice"),
                ("mace_richmondshire", "notice"),
            ],
        ),
        p(
            "outside the area by the submitter's choice",
            json!({"locations": [{"location_type": "SHOP", "description_landmark": "A service station", "locality": "OUTSIDE_AREA"}]}),
            "ROUTINE",
            &[],
            &[PI, ("mace_county", "restricted")],
        ),
        c(
            "a routine community report",
            json!({}),
            "ROUTINE",
            &[],
            &[PI],
        ),
        c(
            "community: danger now",
            json!({"gate.immediate_danger": "yes"}),
            "IMMEDIATE",
            &["gate_danger_now"],
            &[PI, CR],
        ),
        c(
            "community: someone held",
            json!({"urgency.now": ["CHILD_HELD"]}),
            "IMMEDIATE",
            &["child_held"],
            &[PI, CR],
        ),
        c(
            "community: evidence may go",
            json!({"urgency.soon": ["EVIDENCE_AT_RISK"]}),
            "PRIORITY",
            &["evidence_at_risk"],
            &[PI],
        ),
        c(
            "community: words about an overdose days ago",
            json!({"what_happened": "Someone in the flat took an overdose four days ago and nobody called anyone."}),
            "PRIORITY",
            &["narrative_medical_emergency"],
            &[PI],
        ),
        c(
            "community: a Harrogate address never reaches MACE",
            json!({"places": [{"street_or_landmark": "Valley Gardens", "postcode": "HG1 2AB"}]}),
            "ROUTINE",
            &[],
            &[PI],
        ),
        c(
            "community: the reporter is at risk",
            json!({"risk_to_you": "yes"}),
            "ROUTINE",
            &[],
            &[PI],
        ),
    ]
}

fn contains_key(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| k == key || contains_key(v, key)),
        Value::Array(a) => a.iter().any(|v| contains_key(v, key)),
        _ => false,
    }
}

#[actix_web::test]
async fn every_submission_in_the_table_gets_its_priority_reasons_routes_and_views() {
    let net = network();
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for case in &cases {
        let spec = net.forms.get(case.form).expect("form");
        let validated =
            pis_gateway::forms::validate(spec, &case.answers, pis_gateway::ukdate::uk_today())
                .unwrap_or_else(|e| panic!("{}: invalid: {e:?}", case.why));
        let receipt = net
            .intake
            .submit(spec, validated, None)
            .await
            .expect("accepted");
        let reference = receipt.reference.clone();
        assert_eq!(receipt.priority.as_str(), case.priority, "{}", case.why);

        let record = net
            .spool
            .submission(&reference)
            .await
            .expect("read")
            .expect("record");
        assert_eq!(record.priority.as_str(), case.priority, "{}", case.why);
        assert_eq!(
            record.reason_codes,
            case.reasons
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>(),
            "{}",
            case.why
        );

        let mut got: Vec<(String, String)> = net
            .spool
            .deliveries(&reference)
            .await
            .expect("read")
            .into_iter()
            .map(|d| (d.route.to_string(), d.view.to_string()))
            .collect();
        got.sort();
        let mut want: Vec<(String, String)> = case
            .routes
            .iter()
            .map(|(r, v)| (r.to_string(), v.to_string()))
            .collect();
        want.sort();
        assert_eq!(got, want, "{}", case.why);

        let envelopes = net.spool.envelopes(&reference).await.expect("read");
        for (route, view) in &want {
            let env = envelopes
                .iter()
                .find(|e| &e.route == route)
                .unwrap_or_else(|| panic!("{}: no envelope for {route}", case.why));
            // Only this route's own key opens it.
            let doc = decrypt_with(&env.body, &net.keys[route]);
            let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(net.keys["escalation"].clone())];
            assert!(
                pis_gateway::seal::decrypt(&env.body, &ids).is_err(),
                "{}: another inbox opened {route}",
                case.why
            );
            assert_eq!(doc["view"], view.as_str(), "{}", case.why);
            assert_eq!(doc["priority"], case.priority, "{}", case.why);
            if view == "notice" {
                // Sealed like any view, and holding the categories alone: no reasons, no text.
                assert_eq!(doc["reason_codes"], json!([]), "{}", case.why);
                assert_eq!(
                    doc["answers"]
                        .as_object()
                        .map(|a| a.keys().map(String::as_str).collect::<Vec<_>>()),
                    Some(vec!["concern_categories"]),
                    "{}",
                    case.why
                );
                continue;
            }
            assert_eq!(doc["reason_codes"], json!(case.reasons), "{}", case.why);
            let answers = &doc["answers"];
            if view == "full" {
                assert_eq!(
                    answers,
                    &validated_answers(&net, case),
                    "{}: full view holds every answer",
                    case.why
                );
            } else {
                assert_restricted(answers, case.why);
                assert!(
                    answers.get("concern_categories").is_some() && answers.get("summary").is_some(),
                    "{}: {answers}",
                    case.why
                );
            }
        }
    }
}

fn validated_answers(net: &Network, case: &Case) -> Value {
    let spec = net.forms.get(case.form).expect("form");
    Value::Object(
        pis_gateway::forms::validate(spec, &case.answers, pis_gateway::ukdate::uk_today())
            .expect("valid")
            .answers,
    )
}

/// What a restricted view must never hold: the submitter, the source, plates, free narrative.
fn assert_restricted(answers: &Value, why: &str) {
    for key in [
        "submitter.full_name",
        "submitter.work_email",
        "submitter.phone",
        "submitter.organisation",
        "provenance.how_known",
        "source_protection.risk_to_source_or_you",
        "source_protection.source_identifiable",
        "handling.restrictions",
        "details",
        "registration",
        "forename",
        "surname",
        "aliases_nicknames",
        "postcode",
        "address_line1",
        "number",
        "handle",
        "name",
    ] {
        assert!(
            !contains_key(answers, key),
            "{why}: restricted view holds {key}: {answers}"
        );
    }
}

#[actix_web::test]
async fn notices_carry_only_categories_and_localities() {
    let net = network();
    let spec = net.forms.get("professional").expect("form");
    let answers = patched(
        professional(),
        json!({"handling.restrictions": "POLICE_ONLY"}),
    );
    let v = pis_gateway::forms::validate(spec, &answers, pis_gateway::ukdate::uk_today())
        .expect("valid");
    let reference = net
        .intake
        .submit(spec, v, None)
        .await
        .expect("accepted")
        .reference
        .to_string();
    let db = rusqlite::Connection::open(net._dir.path().join("spool/spool.sqlite3")).expect("db");
    let (notice, body): (Option<String>, Vec<u8>) = db
        .query_row(
            "SELECT d.notice, e.body FROM deliveries d JOIN envelopes e USING (submission, route)
             WHERE d.submission = (SELECT id FROM submissions WHERE reference = ?1) AND d.view = 'notice'",
            [&reference],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("notice row");
    assert_eq!(notice, None, "nothing of the notice is kept in clear");
    let doc = decrypt_with(&body, &net.keys["mace_city_of_york"]);
    assert_eq!(doc["view"], "notice");
    assert_eq!(
        doc["answers"],
        json!({"concern_categories": ["CCE", "COUNTY_LINES"]})
    );
    assert_eq!(doc["localities"], json!(["CITY_OF_YORK"]));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Answers that can raise a priority, each as (field, value).
    fn signals() -> Vec<(&'static str, Value)> {
        vec![
            ("gate.immediate_danger", json!("yes")),
            ("gate.immediate_danger", json!("not_sure")),
            ("urgency.now", json!(["WEAPONS"])),
            ("urgency.now", json!(["CHILD_HELD", "DANGER_TO_LIFE"])),
            ("urgency.soon", json!(["CHILD_MISSING"])),
            ("urgency.soon", json!(["EVIDENCE_AT_RISK"])),
            (
                "people",
                json!([{"currently_missing": "yes", "age_estimate": "AGE_10_12"}]),
            ),
            (
                "people",
                json!([{"currently_missing": "yes", "age_estimate": "AGE_16_17"}]),
            ),
            ("details", json!("a knife was seen")),
            ("summary", json!("going there tonight")),
            ("source_protection.risk_to_source_or_you", json!("yes")),
            ("handling.restrictions", json!("POLICE_ONLY")),
            ("concern_categories", json!(["OTHER"])),
            ("gate.immediate_danger", json!("no")),
            ("what_happened", json!("she has taken all her tablets")),
            ("gate.narrative_check", json!("no")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn adding_any_answer_never_lowers_the_priority(
            base in proptest::collection::vec(0usize..16, 0..5),
            extra in 0usize..16,
        ) {
            let triage = rules().triage;
            let at = time::OffsetDateTime::now_utc();
            let all = signals();
            let mut answers = serde_json::Map::new();
            for i in &base {
                let (k, v) = &all[*i];
                answers.insert(k.to_string(), v.clone());
            }
            let before = triage.assess(&answers, at);
            let (k, v) = &all[extra];
            // Adding an answer the submission did not have (an answer already given is not
            // "added" by giving a different one).
            if !answers.contains_key(*k) {
                answers.insert(k.to_string(), v.clone());
                let after = triage.assess(&answers, at);
                prop_assert!(after.priority >= before.priority, "{:?} -> {:?}", before, after);
                for r in &before.reasons {
                    prop_assert!(after.reasons.contains(r));
                }
            }
        }

        #[test]
        fn no_restricted_view_or_notice_holds_the_submitter_the_source_or_a_plate(
            seed in proptest::collection::vec("[a-z]{6}", 120),
        ) {
            let forms = FormRegistry::built_in().expect("forms");
            let spec = forms.get("professional").expect("form");
            // Every field answered with its own unique random word (or a valid value).
            let mut answers = serde_json::Map::new();
            let mut secrets = Vec::new();
            let mut n = 0;
            let mut word = |secret: bool, secrets: &mut Vec<String>| {
                n += 1;
                let w = format!("zq{}{}", seed[n % seed.len()], n);
                if secret { secrets.push(w.clone()); }
                w
            };
            for s in &spec.sections {
                for f in &s.fields {
                    use pis_gateway::forms::spec::Kind;
                    let secret = s.sensitive || !f.shareable;
                    let v = match &f.kind {
                        Kind::Text { .. } | Kind::Longtext { .. } => json!(word(secret, &mut secrets)),
                        Kind::Group { fields, .. } => {
                            let item: serde_json::Map<String, Value> = fields.iter().map(|sub| {
                                let v = match &sub.kind {
                                    Kind::Text { .. } | Kind::Longtext { .. } => json!(word(!sub.shareable, &mut secrets)),
                                    Kind::VehicleRegistration => { let w = word(true, &mut secrets); json!(w) }
                                    Kind::Choice { options } => json!(options[0].value),
                                    _ => json!(word(!sub.shareable, &mut secrets)),
                                };
                                (sub.id.clone(), v)
                            }).collect();
                            json!([item])
                        }
                        Kind::Email | Kind::Phone { .. } | Kind::Postcode { .. } | Kind::Date { .. } => json!(word(secret, &mut secrets)),
                        _ => continue,
                    };
                    answers.insert(f.id.clone(), v);
                }
            }
            let restricted = Value::Object(pis_gateway::views::restricted(spec, &answers));
            let notice = Value::Object(pis_gateway::views::notice(&answers));
            let text = format!("{restricted}{notice}");
            for s in &secrets {
                prop_assert!(!text.contains(s.as_str()), "{} leaked into {}", s, text);
            }
            for s in spec.sections.iter().filter(|s| s.sensitive) {
                for f in &s.fields {
                    prop_assert!(!contains_key(&restricted, &f.id));
                }
            }
            prop_assert!(!contains_key(&restricted, "registration"));
            prop_assert_eq!(notice.as_object().map(|o| o.len()), Some(1));
        }

        #[test]
        fn a_community_submission_never_reaches_mace(
            postcode in proptest::sample::select(vec!["YO24 3BZ", "HG1 2AB", "HG3", "DL9 3AB", "LS1 4AP", "BD23 1AA"]),
            gate in proptest::sample::select(vec!["yes", "no", "not_sure"]),
            soon in proptest::bool::ANY,
        ) {
            let net = network();
            let spec = net.forms.get("community").expect("form");
            let mut answers = patched(community_answers(), json!({"gate.immediate_danger": gate, "places": [{"postcode": postcode, "street_or_landmark": "The corner"}]}));
            if soon {
                answers["urgency.soon"] = json!(["CHILD_MISSING"]);
            }
            let validated = pis_gateway::forms::validate(spec, &answers, pis_gateway::ukdate::uk_today()).expect("valid");
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            let routes: Vec<String> = runtime.block_on(async {
                let r = net.intake.submit(spec, validated, None).await.expect("accepted");
                net.spool.deliveries(&r.reference).await.expect("read").into_iter().map(|d| d.route.to_string()).collect()
            });
            prop_assert!(routes.iter().all(|r| !r.starts_with("mace")), "{:?}", routes);
            prop_assert!(routes.contains(&"police_intelligence".to_string()));
        }
    }
}
