//! The report from realistic professional and community documents, in every format, and
//! hostile content neutralised in each.

use super::*;
use serde_json::{json, Value};

pub(crate) fn professional() -> Value {
    let mut d = json!({
        "schema": "pis-gateway/submission/v1", "marking": "OFFICIAL-SENSITIVE",
        "reference": "PIS-K7QM-3XTD", "priority": "IMMEDIATE",
        "reason_codes": ["narrative_weapons_now", "child_missing"],
        "received_at": "2026-11-23T19:04:11Z", "form": "professional", "form_version": 2,
        "route": "police_intelligence", "view": "full", "localities": ["CITY_OF_YORK"],
        "narrative": [{"reason": "narrative_weapons_now", "field": "details", "start": 74, "end": 138}],
        "notes": [{"field": "phones[0].number", "code": "partial_phone"}]
    });
    d["answers"] = json!({
            "gate.immediate_danger": "no",
            "gate.specific_child": "yes",
            "submitter.full_name": "Siobhán O'Neill-Brown",
            "submitter.job_title": "Designated Safeguarding Lead",
            "submitter.organisation": "Example Academy",
            "submitter.agency_type": "EDUCATION_SCHOOL",
            "submitter.work_email": "dsl@example.sch.uk",
            "submitter.phone": "+44 1904 123456",
            "submitter.can_contact": "yes",
            "submitter.best_contact_times": "Weekday mornings",
            "concern_categories": ["CCE", "COUNTY_LINES"],
            "summary": "Pupil seen collecting packages from a car outside school",
            "details": "On three mornings a pupil was seen taking small packages from a grey car. Other pupils say the driver had a knife in the car this morning. He now has two phones.",
            "event_date_known": "ON_DATE",
            "event_date": "2026-11-02",
            "event_time": "MORNING",
            "date_learned": "2026-11-03",
            "frequency": "SEVERAL_TIMES",
            "indicators": ["MULTIPLE_OR_SECRETIVE_PHONES"],
            "provenance.how_known": "TOLD_BY_SOMEONE_ELSE",
            "provenance.original_source_relationship": "OTHER_CHILD",
            "provenance.corroborated": "yes",
            "provenance.corroborated_details": "CCTV from the school gate",
            "source_protection.source_aware_of_sharing": "yes",
            "source_protection.source_identifiable": "yes",
            "source_protection.risk_to_source_or_you": "not_sure",
            "handling.restrictions": "POLICE_ONLY",
            "people": [
                {"role": "CHILD_AT_RISK", "forename": "Jay", "surname": "Smith", "sex": "MALE", "age_estimate": "AGE_13_15", "currently_missing": "yes", "dob": "2012-04-09", "school_or_college": "Example Academy"},
                {"role": "PERSON_POSING_RISK", "aliases_nicknames": "Big T, Tee", "sex": "MALE", "age_estimate": "AGE_21_24", "description": "Tall, grey tracksuit"}
            ],
            "phones": [{"number": "07700 9001??", "linked_person": "Person 2"}],
            "online_accounts": [{"platform": "SNAPCHAT", "handle": "tee_runs"}],
            "vehicles": [{"registration": "YX21KCD", "colour": "GREY", "vehicle_type": "CAR", "make": "Ford", "model": "Focus", "seen_at": "Lay-by opposite the school"}],
            "locations": [{"location_type": "NEAR_SCHOOL", "postcode": "YO24 3BZ", "description_landmark": "Lay-by opposite the school gates", "town": "York", "activity_times": "08:15 to 08:40"}],
            "other_agencies": [{"agency": "Children's social care"}],
            "reported_elsewhere": ["MAST_REFERRAL"],
            "police_reference": "NYP-12345/26",
            "declaration": ["CONFIRMED"]
    });
    d
}

pub(crate) fn community() -> Value {
    json!({
        "schema": "pis-gateway/submission/v1", "marking": "OFFICIAL-SENSITIVE",
        "reference": "PIS-W2RB-9HFC", "priority": "ROUTINE", "reason_codes": [],
        "received_at": "2026-11-20T08:30:00Z", "form": "community", "form_version": 2,
        "route": "police_intelligence", "view": "full", "localities": ["CITY_OF_YORK"],
        "answers": {
            "gate.immediate_danger": "no",
            "gate.crime_against_you": "no",
            "worry_type": ["PEOPLE_COMING_AND_GOING", "ADULTS_AROUND_CHILDREN"],
            "what_happened": "Young people are going in and out of the flat at all hours and some look frightened. A man in a white van drops them off.",
            "when_known": "ONGOING",
            "when": "2026-10",
            "how_often": "REGULARLY",
            "places": [{"street_or_landmark": "Flats behind the Co-op on Front Street", "town": "Acomb", "postcode": "yo24 3bz"}],
            "people": [
                {"nickname": "Kez", "age_range": "AGE_13_15", "description": "Girl in a school uniform"},
                {"name": "Dave", "age_range": "AGE_40_49", "is_child": "no"}
            ],
            "vehicles": [{"registration": "AB12 C??", "colour": "WHITE", "make_model": "Ford Transit"}],
            "phones_or_online": [{"type": "PHONE", "value": "07700 900123"}, {"type": "ONLINE", "value": "@kez_x"}],
            "how_know": "SAW_OR_HEARD_MYSELF",
            "risk_to_you": "yes",
            "risk_to_you_details": "He lives next door",
            "told_anyone_else": ["COUNCIL"],
            "contact_ok": "no"
        }
    })
}

fn signed() -> Provenance {
    Provenance::Signed("0123456789abcdef".into())
}

fn forms() -> FormRegistry {
    FormRegistry::built_in().expect("forms")
}

fn at_a_glance(t: &str) -> &str {
    let start = t.find("== At a glance ==").expect("first screen");
    let end = t.find("== Source and handling").expect("grading");
    &t[start..end]
}

#[test]
fn professional_first_screen_answers_the_officers_questions() {
    let t = render(&professional(), &forms(), Format::Text, &signed(), &[]);
    let first = at_a_glance(&t);
    for fact in [
        "Why         In the submitter's words: weapons involved now (narrative_weapons_now)",
        ">> “Other pupils say the driver had a knife in the car this morning.” <<",
        "(in: Tell us what you know)",
        "A child is missing (child_missing)",
        "Alleged     Pupil seen collecting packages from a car outside school",
        "Concern     Child criminal exploitation (CCE); County lines",
        "area: City of York",
        "postcodes: YO24 3BZ",
        "Lay-by opposite the school gates, York, YO24 3BZ (near a school or college), activity: 08:15 to 08:40",
        "Children    Person 1: Jay Smith, male, age 14 (born 2012-04-09), looks 13 to 15, MISSING NOW",
        "Posing risk Person 2: name not given, known as Big T, Tee, male, age 21 to 24, Tall, grey tracksuit",
        "Vehicles    YX21 KCD, grey Ford Focus car, seen at Lay-by opposite the school",
        "Phones      07700 9001?? (partial), whose: Person 2",
        "Online      Snapchat: tee_runs",
        "When        2026-11-02, morning (on or around a date)",
        "how often: several times",
        "the submitter found out on 2026-11-03",
        "Reported    A safeguarding referral to children's social care (MAST)",
        "involved or told: Children's social care",
        "police reference NYP-12345/26",
    ] {
        assert!(first.contains(fact), "missing {fact:?} in\n{first}");
    }
    assert!(t.starts_with("OFFICIAL-SENSITIVE\n"), "{t}");
    assert!(t.contains("Priority   IMMEDIATE"), "{t}");
    // The first screen comes before every answer.
    assert!(t.find("== At a glance").unwrap_or(usize::MAX) < t.find("== About you").unwrap_or(0));
}

#[test]
fn where_gives_each_place_s_whole_address() {
    let mut d = professional();
    d["answers"]["locations"]
        .as_array_mut()
        .expect("locations")
        .push(json!({"address_line1": "Flat 2", "address_line2": "14 Station Parade", "town": "Selby", "postcode": "yo8 4aa"}));
    let t = render(&d, &forms(), Format::Text, &signed(), &[]);
    let first = at_a_glance(&t);
    assert!(
        first.contains("Flat 2, 14 Station Parade, Selby, YO8 4AA"),
        "{first}"
    );
}

#[test]
fn the_suggested_grading_is_shown_with_its_answers_and_marked_as_a_suggestion() {
    let t = render(&professional(), &forms(), Format::Text, &signed(), &[]);
    let g = &t[t
        .find("== Source and handling: SUGGESTED")
        .expect("grading")..];
    for fact in [
        "Provenance  B: Known indirectly to the source but corroborated (suggested)",
        "from: How do you know this? Someone else told me",
        "from: Does any other information support this? Yes",
        "Handling    C: Lawful sharing permitted with conditions: specific handling applies (suggested)",
        "from: Could someone work out who told you from this information? Yes",
        "from: Would you, or the person who told you, be at risk if people found out this information had been shared? Not sure",
        "from: Should this information only be shared in certain ways? Police only",
        "the officer's own evaluation",
    ] {
        assert!(g.contains(fact), "missing {fact:?} in\n{g}");
    }
    let c = render(&community(), &forms(), Format::Text, &signed(), &[]);
    let g = &c[c.find("== Source and handling").expect("grading")..];
    assert!(
        g.contains("Provenance  A: Known directly to the source (suggested)"),
        "{g}"
    );
    assert!(
        g.contains("from: How do you know about this? I saw or heard it myself"),
        "{g}"
    );
    assert!(g.contains("Handling    C:"), "{g}");
    assert!(
        g.contains(
            "from: Would you, or someone else, be at risk if people found out you told us? Yes"
        ),
        "{g}"
    );
}

#[test]
fn community_first_screen_reads_the_community_form() {
    let t = render(&community(), &forms(), Format::Text, &signed(), &[]);
    let first = at_a_glance(&t);
    for fact in [
        "Alleged     Young people are going in and out of the flat at all hours and some look frightened.",
        "Concern     Lots of people coming and going from a house; Adults hanging around children or picking children up",
        "postcodes: YO24 3BZ",
        "Flats behind the Co-op on Front Street, Acomb",
        "Children    Person 1: name not given, known as Kez, age 13 to 15, Girl in a school uniform",
        "People      Person 2: Dave, age 40 to 49",
        "Vehicles    AB12C?? (partial), white Ford Transit",
        "Phones      07700 900123 (+447700900123)",
        "Online      @kez_x",
        "When        2026-10 (it is still happening)",
        "how often: regularly",
        "Reported    The council",
    ] {
        assert!(first.contains(fact), "missing {fact:?} in\n{first}");
    }
    assert!(!first.contains("Why "), "no reasons, no line: {first}");
}

#[test]
fn full_answers_are_grouped_by_entity_without_form_residue() {
    let t = render(&professional(), &forms(), Format::Text, &signed(), &[]);
    let answers = &t[t.find("== Source and handling").expect("grading")..];
    assert!(!answers.contains("(optional)"), "{answers}");
    assert!(answers.contains("== People ==\nPerson 1: a child at risk  [people[0]]\n  How are they involved?: A child at risk\n  First name: Jay"), "{answers}");
    assert!(
        answers.contains("Person 2: a person who may pose a risk  [people[1]]"),
        "{answers}"
    );
    assert!(
        answers
            .contains("== Vehicles ==\nVehicle 1  [vehicles[0]]\n  Registration number: YX21 KCD"),
        "{answers}"
    );
    assert!(answers.contains("== Phone numbers ==\nPhone number 1  [phones[0]]\n  Phone number: 07700 9001??\n      (note: partial number"), "{answers}");
    assert!(
        answers.contains("== About you (may identify the source: remove before sharing) =="),
        "{answers}"
    );
    assert!(
        answers.contains("== How you know this (may identify the source"),
        "{answers}"
    );
    let c = render(&community(), &forms(), Format::Text, &signed(), &[]);
    assert!(
        c.contains("== People involved ==\nPerson 1  [people[0]]\n  Nickname, or what people call them: Kez"),
        "{c}"
    );
    assert!(
        c.contains("== Vehicles ==") && c.contains("== Phone numbers or online accounts =="),
        "{c}"
    );
    assert!(!c.contains("(optional)"), "{c}");
}

#[test]
fn html_report_has_the_first_screen_grading_and_print_marking() {
    for (doc, facts) in [
        (
            professional(),
            vec![
                "<mark>Other pupils say the driver had a knife in the car this morning.</mark>",
                "<th>Children at risk</th><td>Person 1: Jay Smith, male, age 14",
                "<th>Posing risk</th><td>Person 2: name not given, known as Big T, Tee",
                "<span class=grade>B</span> Known indirectly to the source but corroborated <em>(suggested)</em>",
                "<span class=grade>C</span>",
                "Pupil seen collecting packages from a car outside school",
                "postcodes: YO24 3BZ",
                "YX21 KCD, grey Ford Focus car",
            ],
        ),
        (
            community(),
            vec![
                "<span class=grade>A</span> Known directly to the source",
                "<th>Children at risk</th><td>Person 1: name not given, known as Kez",
                "AB12C?? (partial), white Ford Transit",
            ],
        ),
    ] {
        let h = render(&doc, &forms(), Format::Html, &signed(), &[]);
        for f in facts {
            assert!(h.contains(f), "missing {f:?} in\n{h}");
        }
        assert!(h.contains("suggested, for the officer to confirm"));
        assert!(h.contains("@page{size:A4"), "prints on A4");
        assert!(h.contains("h1:not(:first-of-type){break-before:page"), "one report a sheet");
        assert!(
            h.contains("@top-center{content:\"OFFICIAL-SENSITIVE\"")
                && h.contains("@bottom-center{content:\"OFFICIAL-SENSITIVE\""),
            "the marking on every printed page"
        );
        assert!(h.contains("default-src 'none'; img-src data:"), "strict CSP");
        assert!(!h.contains("http://") && !h.contains("https://") && !h.contains("src=\"/"), "no request: {h}");
        assert!(!h.contains("(optional)"));
    }
}

#[test]
fn the_report_says_which_language_was_written_and_whether_triage_read_it() {
    let mut d = professional();
    d["reason_codes"] = json!(["narrative_unread_language"]);
    d["languages"] = json!([
        {"field": "details", "code": "fra", "name": "French", "read": false},
        {"field": "", "code": "pl", "name": "Polish", "read": true}
    ]);
    let t = render(&d, &forms(), Format::Text, &signed(), &[]);
    let first = at_a_glance(&t);
    assert!(
        first.contains("French (fra), in: ")
            && first.contains("not read by triage: have it translated"),
        "{first}"
    );
    assert!(
        first.contains("Polish (pl), in: the account as a whole; read by the Polish triage rules"),
        "{first}"
    );
    let h = render(&d, &forms(), Format::Html, &signed(), &[]);
    assert!(h.contains("<th>Written in</th>"), "{h}");
    assert!(
        h.contains("Written in a language the triage rules do not read"),
        "{h}"
    );
    let plain = render(&professional(), &forms(), Format::Html, &signed(), &[]);
    assert!(!plain.contains("Written in"), "English says nothing");
}

#[test]
fn the_narrative_sentence_is_marked_in_the_full_answer_too() {
    let h = render(&professional(), &forms(), Format::Html, &signed(), &[]);
    let answers = &h[h
        .find("<h2>What the information is about")
        .expect("section")..];
    assert!(
        answers.contains("from a grey car. <mark>Other pupils say the driver had a knife"),
        "{answers}"
    );
}

#[test]
fn json_report_carries_the_first_screen_grading_and_the_signed_document() {
    let j: Value = serde_json::from_str(&render(
        &professional(),
        &forms(),
        Format::Json,
        &signed(),
        &[],
    ))
    .expect("json");
    assert_eq!(j["schema"], "pis-gateway/open-report/v1");
    assert_eq!(j["reference"], "PIS-K7QM-3XTD");
    assert_eq!(j["first_screen"]["priority"], "IMMEDIATE");
    assert_eq!(
        j["first_screen"]["reasons"][0]["sentence"],
        "Other pupils say the driver had a knife in the car this morning."
    );
    assert_eq!(
        j["first_screen"]["children_at_risk"][0]["item"],
        "people[0]"
    );
    assert_eq!(j["first_screen"]["posing_risk"][0]["item"], "people[1]");
    assert_eq!(j["suggested_grading"]["confirmed"], false);
    assert_eq!(j["suggested_grading"]["provenance"]["code"], "B");
    assert_eq!(j["suggested_grading"]["handling"]["code"], "C");
    assert_eq!(
        j["document"],
        professional(),
        "the signed document, untouched"
    );
    let c: Value = serde_json::from_str(&render(
        &community(),
        &forms(),
        Format::Json,
        &signed(),
        &[],
    ))
    .expect("json");
    assert_eq!(c["suggested_grading"]["provenance"]["code"], "A");
    assert_eq!(c["first_screen"]["online"][0]["text"], "@kez_x");
}

/// Checks a value against the subset of JSON Schema the shipped schema uses: type, const,
/// enum, required, properties, additionalProperties: false, items, $ref to $defs.
fn conforms(v: &Value, s: &Value, root: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").ok_or(format!("{at}: ref {r}"))?;
        return conforms(v, &root["$defs"][name], root, at);
    }
    if let Some(c) = s.get("const") {
        if v != c {
            return Err(format!("{at}: {v} is not {c}"));
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return Err(format!("{at}: {v} not in {e:?}"));
        }
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_u64() || v.is_i64(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            return Err(format!("{at}: {v} is not {types:?}"));
        }
    }
    if let (Some(obj), Some(props)) = (
        v.as_object(),
        s.get("properties").and_then(Value::as_object),
    ) {
        for r in s["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !obj.contains_key(r) {
                return Err(format!("{at}: {r} missing"));
            }
        }
        for (k, x) in obj {
            match props.get(k) {
                Some(ps) => conforms(x, ps, root, &format!("{at}.{k}"))?,
                None if s["additionalProperties"] == false => {
                    return Err(format!("{at}: {k} not in the schema"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(is)) = (v.as_array(), s.get("items")) {
        for (i, x) in items.iter().enumerate() {
            conforms(x, is, root, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn intel_json_follows_the_shipped_schema_for_both_forms() {
    let schema: Value = serde_json::from_str(intel::JSON_SCHEMA).expect("schema is JSON");
    for doc in [professional(), community()] {
        let out = render(&doc, &forms(), Format::IntelJson, &signed(), &[]);
        let v: Value = serde_json::from_str(&out).expect("json");
        conforms(&v, &schema, &schema, "$").unwrap_or_else(|e| panic!("{e}\n{out}"));
    }
    let unsigned = render(
        &community(),
        &forms(),
        Format::IntelJson,
        &Provenance::Unverified("not signed by the gateway".into()),
        &[],
    );
    let v: Value = serde_json::from_str(&unsigned).expect("json");
    conforms(&v, &schema, &schema, "$").expect("unverified conforms too");
    assert_eq!(v["signature"]["verified"], false);
    // The checker itself refuses what the schema does not allow.
    let mut bad = v.clone();
    bad["entities"]["people"][0]["shoe_size"] = json!(9);
    assert!(conforms(&bad, &schema, &schema, "$").is_err());
    bad = v;
    bad["grading"]["provenance"]["code"] = json!("F");
    assert!(conforms(&bad, &schema, &schema, "$").is_err());
}

#[test]
fn intel_json_has_the_entities_and_grading_an_intelligence_system_imports() {
    let v: Value = serde_json::from_str(&render(
        &professional(),
        &forms(),
        Format::IntelJson,
        &signed(),
        &[],
    ))
    .expect("json");
    assert_eq!(v["schema"], "pis-gateway/intel-report/v1");
    assert_eq!(v["priority"]["level"], "IMMEDIATE");
    assert_eq!(v["priority"]["reasons"][0]["field"], "details");
    assert_eq!(
        v["categories"][1],
        json!({"code": "COUNTY_LINES", "label": "County lines"})
    );
    let p = &v["entities"]["people"];
    assert_eq!(p[0]["role"], "CHILD_AT_RISK");
    assert_eq!(p[0]["under_18"], true);
    assert_eq!(p[0]["missing_now"], true);
    assert_eq!(p[1]["aliases"], json!(["Big T", "Tee"]));
    assert_eq!(p[1]["under_18"], false);
    assert_eq!(v["entities"]["vehicles"][0]["registration"], "YX21KCD");
    assert_eq!(v["entities"]["phones"][0]["partial"], true);
    assert_eq!(v["entities"]["phones"][0]["e164"], Value::Null);
    assert_eq!(v["entities"]["locations"][0]["postcode"], "YO24 3BZ");
    assert_eq!(
        v["entities"]["locations"][0]["location_type"],
        "NEAR_SCHOOL"
    );
    assert_eq!(v["reported_elsewhere"]["to"][0]["code"], "MAST_REFERRAL");
    let g = &v["grading"];
    assert_eq!(g["system"], "3x5x2");
    assert_eq!(g["status"], "suggested");
    assert_eq!(g["source_evaluation"], Value::Null);
    assert_eq!(g["provenance"]["code"], "B");
    assert_eq!(g["handling"]["code"], "C");
    assert_eq!(g["handling"]["basis"].as_array().map(Vec::len), Some(3));
    let c: Value = serde_json::from_str(&render(
        &community(),
        &forms(),
        Format::IntelJson,
        &signed(),
        &[],
    ))
    .expect("json");
    assert_eq!(c["entities"]["phones"][0]["e164"], "+447700900123");
    assert_eq!(c["entities"]["online_accounts"][0]["handle"], "@kez_x");
    assert_eq!(c["entities"]["vehicles"][0]["registration_partial"], true);
    assert_eq!(c["entities"]["people"][0]["under_18"], true);
    assert_eq!(c["entities"]["locations"][0]["id"], "places[0]");
    assert_eq!(c["grading"]["provenance"]["code"], "A");
    assert_eq!(c["reported_elsewhere"]["to"][0]["code"], "COUNCIL");
}

/// A document whose every text carries markup, terminal escapes and bidi overrides.
fn hostile() -> Value {
    let mut d = professional();
    let evil = "<script>alert(1)</script>\u{1b}[2J\u{1b}]0;owned\u{7}\rPriority   ROUTINE\u{202e}dlrow\u{2066}\u{9b}";
    d["answers"]["summary"] = json!(evil);
    d["answers"]["people"][0]["forename"] = json!(evil);
    d["answers"]["vehicles"][0]["make"] = json!(evil);
    d["answers"]["locations"][0]["description_landmark"] = json!(evil);
    d["answers"]["mystery"] = json!(evil);
    d["reference"] = json!(format!("PIS-K7QM-3XTD{evil}"));
    d["follow_up_of"] = json!(format!("PIS-7RNA-4KWP{evil}"));
    d
}

fn no_raw_controls(s: &str) -> bool {
    !s.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn hostile_content_is_neutralised_in_every_format() {
    let d = hostile();
    for format in [Format::Text, Format::Html, Format::Json, Format::IntelJson] {
        let out = render(&d, &forms(), format, &signed(), &[]);
        assert!(no_raw_controls(&out), "{format:?}: {out:?}");
        // Markup is inert in a terminal and in JSON; only HTML must escape it.
        assert!(
            format == Format::Text || !out.contains("<script>"),
            "{format:?}"
        );
        match format {
            Format::Text => {
                assert!(
                    out.contains("\\u{1b}[2J") && out.contains("\\u{202e}dlrow"),
                    "shown, not obeyed"
                );
                assert_eq!(
                    out.lines().filter(|l| l.starts_with("Priority")).count(),
                    1,
                    "{out}"
                );
            }
            Format::Html => {
                assert!(
                    out.contains("&lt;script&gt;alert(1)&lt;/script&gt;\\u{1b}[2J"),
                    "{out}"
                );
                assert!(out.contains("\\u{202e}dlrow"), "{out}");
            }
            Format::Json | Format::IntelJson => {
                let v: Value = serde_json::from_str(&out).expect("still JSON");
                let kept = if format == Format::Json {
                    &v["document"]["answers"]["summary"]
                } else {
                    &v["entities"]["people"][0]["forename"]
                };
                assert_eq!(
                    kept.as_str(),
                    d["answers"]["summary"].as_str(),
                    "the value is kept, escaped"
                );
                assert!(out.contains("\\u202e"), "{out}");
            }
        }
    }
}

#[test]
fn unverified_documents_say_so_on_every_format() {
    let u = Provenance::Unverified("not signed by the gateway".into());
    let t = render(&community(), &forms(), Format::Text, &u, &[]);
    assert!(
        t.contains("Signature  NOT VERIFIED: not signed by the gateway"),
        "{t}"
    );
    let h = render(&community(), &forms(), Format::Html, &u, &[]);
    assert!(h.contains("NOT VERIFIED: not signed by the gateway"));
    let j: Value =
        serde_json::from_str(&render(&community(), &forms(), Format::Json, &u, &[])).expect("json");
    assert_eq!(j["verified"], false);
}

#[test]
fn a_narrative_span_that_does_not_fit_is_reported_not_guessed() {
    let mut d = professional();
    d["narrative"][0]["end"] = json!(9000);
    let t = render(&d, &forms(), Format::Text, &signed(), &[]);
    assert!(
        t.contains("(the sentence could not be found in: Tell us what you know)"),
        "{t}"
    );
}

/// What a submitter added on /follow-up, as the gateway seals it: a document of its own,
/// naming the report it adds to.
fn addendum() -> Value {
    json!({
        "schema": "pis-gateway/submission/v1", "marking": "OFFICIAL-SENSITIVE",
        "reference": "PIS-9WQX-2M4H", "priority": "ROUTINE", "reason_codes": [],
        "received_at": "2026-11-24T08:12:40Z", "form": "follow_up", "form_version": 1,
        "route": "police_intelligence", "view": "full", "localities": [],
        "follow_up_of": "PIS-K7QM-3XTD",
        "answers": {"addendum": "The grey car was back this morning, same driver."}
    })
}

#[test]
fn an_addendum_names_the_report_it_adds_to_on_the_first_screen_in_every_format() {
    let t = render(&addendum(), &forms(), Format::Text, &signed(), &[]);
    assert!(
        at_a_glance(&t).starts_with(
            "== At a glance ==\nAdds to PIS-K7QM-3XTD (what the submitter added to that report)\n"
        ),
        "{t}"
    );
    // What was added is the first screen's one line, as a report's account is.
    assert!(
        at_a_glance(&t).contains("Alleged     The grey car was back this morning, same driver."),
        "{t}"
    );
    let h = render(&addendum(), &forms(), Format::Html, &signed(), &[]);
    let glance = h.find("<h2>At a glance</h2>").expect("first screen");
    assert!(
        h[glance..].starts_with("<h2>At a glance</h2><p><strong>Adds to PIS-K7QM-3XTD</strong>"),
        "{h}"
    );
    let j: Value =
        serde_json::from_str(&render(&addendum(), &forms(), Format::Json, &signed(), &[]))
            .expect("json");
    assert_eq!(j["first_screen"]["follow_up_of"], "PIS-K7QM-3XTD");
    let schema: Value = serde_json::from_str(intel::JSON_SCHEMA).expect("schema is JSON");
    let out = render(&addendum(), &forms(), Format::IntelJson, &signed(), &[]);
    let v: Value = serde_json::from_str(&out).expect("json");
    conforms(&v, &schema, &schema, "$").unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(v["follow_up_of"], "PIS-K7QM-3XTD");

    // A report that adds to none says nothing of it.
    let t = render(&professional(), &forms(), Format::Text, &signed(), &[]);
    assert!(!t.contains("Adds to"), "{t}");
    let v: Value = serde_json::from_str(&render(
        &professional(),
        &forms(),
        Format::IntelJson,
        &signed(),
        &[],
    ))
    .expect("json");
    assert_eq!(v["follow_up_of"], Value::Null);

    // A hostile value is shown, not obeyed.
    let out = render(&hostile(), &forms(), Format::Text, &signed(), &[]);
    assert!(out.contains("Adds to PIS-7RNA-4KWP<script>"), "{out}");
    let out = render(&hostile(), &forms(), Format::Html, &signed(), &[]);
    assert!(out.contains("Adds to PIS-7RNA-4KWP&lt;script&gt;"), "{out}");
}

/// The community report `addendum()` adds to, as the submitter sent it: they said they would
/// be at risk if it were known they told.
fn original_of_addendum() -> Value {
    let mut c = community();
    c["reference"] = json!("PIS-K7QM-3XTD");
    c
}

#[test]
fn an_addendum_is_graded_as_its_original_and_never_weaker_without_it() {
    let original = original_of_addendum();
    let own = report::build(&Document::new(&original, &forms()), &signed()).suggested_grading;
    assert_eq!(own.handling.code, grading::Handling::C, "{own:?}");

    let registry = forms();
    let (add, orig) = (addendum(), original.clone());
    let with = report::build_in_thread(
        &Document::new(&add, &registry),
        &signed(),
        Some(&Document::new(&orig, &registry)),
    );
    let g = &with.suggested_grading;
    assert_eq!(g.handling.code, own.handling.code);
    assert_eq!(g.provenance.code, own.provenance.code);
    assert_eq!(g.handling.basis[0].answer, "PIS-K7QM-3XTD");
    assert_eq!(&g.handling.basis[1..], &own.handling.basis[..]);
    // The submitter's own words are under the original's source protection.
    assert!(with.sections.iter().all(|s| s.source_identifying));
    assert!(!with.sections.is_empty());

    // Opened alone (or with another report): conditions until the original is read.
    let mut other = original.clone();
    other["reference"] = json!("PIS-0000-0000");
    for original in [None, Some(&other)] {
        let t = render_in_thread(&add, original, &registry, Format::Text, &signed(), &[]);
        assert!(t.contains("Handling    C: "), "{t}");
        assert!(
            t.contains("Adds to a report not opened with it PIS-K7QM-3XTD"),
            "{t}"
        );
    }
    let t = render_in_thread(&add, Some(&orig), &registry, Format::Text, &signed(), &[]);
    assert!(
        t.contains("Graded as the report it adds to PIS-K7QM-3XTD"),
        "{t}"
    );
    let v: Value = serde_json::from_str(&render_in_thread(
        &add,
        Some(&orig),
        &registry,
        Format::IntelJson,
        &signed(),
        &[],
    ))
    .expect("json");
    assert_eq!(v["follow_up_of"], "PIS-K7QM-3XTD");
    let schema: Value = serde_json::from_str(intel::JSON_SCHEMA).expect("schema is JSON");
    conforms(&v, &schema, &schema, "$").unwrap_or_else(|e| panic!("{e}\n{v}"));
}
