use super::*;
use serde_json::json;

#[test]
fn spellings_normalise_to_one_key() {
    let doc = json!({"reference": "PIS-AAAA-BBBB", "received_at": "2026-11-01T10:00:00Z", "form": "professional",
    "answers": {
        "people": [{"forename": "Jay", "surname": " SMITH ", "dob": "2011-04-02", "aliases_nicknames": "Big T, Tee"}],
        "vehicles": [{"registration": "yx21 kcd"}],
        "phones": [{"number": "07700 900123"}],
        "online_accounts": [{"platform": "SNAPCHAT", "handle": "@Tee_Runs"}],
        "locations": [{"postcode": "yo1 7hh", "description_landmark": "Behind  the Co-op"}]
    }});
    let s = extract_json(&doc);
    let keys: Vec<(&str, &str)> = s
        .mentions
        .iter()
        .map(|m| (m.kind.as_str(), m.key.as_str()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("person", "jay smith|2011-04-02"),
            ("vehicle", "YX21KCD"),
            ("phone", "+447700900123"),
            ("online", "snapchat:tee_runs"),
            ("place", "postcode:YO1 7HH"),
            ("place", "text:YO1:behind the co-op"),
        ]
    );
    assert_eq!(s.date, "2026-11-01");
    assert_eq!(
        s.mentions[0].aliases,
        ["Big T", "Tee"],
        "nicknames sit on their person"
    );
}

fn relations(s: &Submission) -> Vec<(String, &'static str, String)> {
    s.relations
        .iter()
        .map(|r| {
            (
                s.mentions[r.a].label.clone(),
                r.kind.as_str(),
                s.mentions[r.b].label.clone(),
            )
        })
        .collect()
}

#[test]
fn the_forms_structure_types_the_links() {
    let doc = json!({"reference": "PIS-AAAA-BBBB", "received_at": "2026-11-01T10:00:00Z", "localities": ["SCARBOROUGH"],
    "answers": {
        "event_date": "2026-07-14",
        "people": [
            {"role": "CHILD_AT_RISK", "forename": "Kai", "surname": "Brown"},
            {"role": "PERSON_POSING_RISK", "forename": "Tyler", "surname": "Reeve", "aliases_nicknames": "Big T"},
            {"role": "OTHER", "name": "Dan Hill (known as Dazza)", "age_estimate": "AGE_30_39"}
        ],
        "vehicles": [{"registration": "YX21 KCD", "linked_person": "Big T drives it", "seen_at": "Station Parade", "seen_date": "2026-06-30"}],
        "phones": [{"number": "07700 900123", "linked_person": "Tyler's"}],
        "locations": [
            {"location_type": "HOME_ADDRESS", "address_line1": "Flat 2", "address_line2": "14 Station Parade", "linked_person": "Tyler Reeve"},
            {"location_type": "SHOP", "description_landmark": "the chip shop", "linked_person": "Dan works there"}
        ]
    }});
    let s = extract_json(&doc);
    assert_eq!(
        s.event, "2026-07-14",
        "the day it happened, not the day received"
    );
    let vehicle = s
        .mentions
        .iter()
        .find(|m| m.kind == Kind::Vehicle)
        .expect("plate");
    assert_eq!(vehicle.date.as_deref(), Some("2026-06-30"));
    let dan = &s.mentions[2];
    assert_eq!(
        (dan.label.as_str(), dan.aliases.as_slice()),
        ("Dan Hill", &["Dazza".to_string()][..])
    );
    assert_eq!(dan.born, Some((1986, 1996)));
    let mut got = relations(&s);
    got.sort();
    let want = [
        ("14 Station Parade", "part of", "Station Parade"),
        ("Dan Hill", "works at", "the chip shop"),
        ("Flat 2, 14 Station Parade", "part of", "14 Station Parade"),
        ("Kai Brown", "seen with", "Dan Hill"),
        ("Kai Brown", "seen with", "Tyler Reeve"),
        ("Tyler Reeve", "drives", "YX21 KCD"),
        ("Tyler Reeve", "lives at", "14 Station Parade"),
        ("Tyler Reeve", "lives at", "Flat 2, 14 Station Parade"),
        ("Tyler Reeve", "uses", "+447700900123"),
        ("YX21 KCD", "seen at", "Station Parade"),
    ];
    let want: Vec<(String, &str, String)> = want
        .iter()
        .map(|(a, k, b)| (a.to_string(), *k, b.to_string()))
        .collect();
    assert_eq!(got, want);
    let flat = s
        .mentions
        .iter()
        .find(|m| m.label.starts_with("Flat 2"))
        .expect("flat");
    assert_eq!(flat.key, "flat:scarborough:14 station parade:flat 2");
    let building = &s.mentions[flat.within.expect("in its building")];
    assert_eq!(building.key, "building:scarborough:14 station parade");
    let street = &s.mentions[building.within.expect("on its street")];
    assert_eq!(street.key, "street:scarborough:station parade");
    assert!(!street.implied, "the vehicle was seen on the street itself");
}

#[test]
fn a_date_that_is_not_a_form_date_is_not_taken() {
    for bad in ["2026-7-14", "soon", "2026-07-14T00:00", "</script>"] {
        let doc = json!({"reference": "PIS-AAAA-BBBB", "received_at": "2026-11-01T10:00:00Z", "answers": {"event_date": bad}});
        assert_eq!(extract_json(&doc).event, "2026-11-01", "{bad}");
    }
    let doc = json!({"reference": "PIS-AAAA-BBBB", "received_at": "2026-11-01T10:00:00Z", "answers": {"when": "2026-05"}});
    assert_eq!(extract_json(&doc).event, "2026-05");
}

#[test]
fn weak_names_stay_within_their_submission() {
    let doc = json!({"reference": "PIS-AAAA-BBBB", "answers": {"people": [{"forename": "Jay"}, {"role": "PERSON_POSING_RISK"}]}});
    let s = extract_json(&doc);
    assert_eq!(s.mentions[0].key, "PIS-AAAA-BBBB#0");
    assert_eq!(s.mentions[0].full_name, None);
    assert_eq!(s.mentions[1].label, "unnamed person posing risk");
}
