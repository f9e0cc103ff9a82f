//! Writes a synthetic set of sealed submissions for trying `pis-gateway map`, with links
//! planted among them: shared phones, plates (some partial), postcodes and nicknames.
//!
//! cargo run --release --example synthetic -- COUNT OUT_DIR   (this file is registered as an
//! example in Cargo.toml; it sits with the benches because it feeds them)
//!
//! OUT_DIR receives `analyst.key` (an identity made for this set), `envelopes/*.age` signed with
//! the EXAMPLE signing key of `certs-example/` and sealed to two recipients (the analyst's key
//! and a colleague's, as a route has), and `signing-keys.txt` (its public key, for
//! `map --signer`), and `workspace.json`: an analyst's workspace of up to 1,000 decisions
//! (merges and splits) for `map --workspace`.
//! Nothing here is real: names, numbers and places are generated.

// A generator of test data, read as one recipe: the 100-line limit is for the product's code.
#![allow(clippy::too_many_lines)]

use age::secrecy::ExposeSecret;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

const FORENAMES: &[&str] = &[
    "Jay", "Kai", "Mia", "Leo", "Ava", "Noah", "Isla", "Tyler", "Skye", "Reece", "Demi", "Cole",
];
const SURNAMES: &[&str] = &[
    "Brown", "Reeve", "Walsh", "Carter", "Hughes", "Patel", "Moore", "Bell", "Khan", "Firth",
];
const NICKNAMES: &[&str] = &[
    "Big T", "Ghost", "Snowy", "Blaze", "Shadow", "Kilo", "Nines", "Spider",
];
const STREETS: &[&str] = &[
    "Station Parade",
    "Castle Road",
    "North Marine Road",
    "Victoria Street",
    "Eastfield Lane",
];
const OUTWARD: &[(&str, &str)] = &[
    ("YO11", "SCARBOROUGH"),
    ("YO12", "SCARBOROUGH"),
    ("YO1", "CITY_OF_YORK"),
    ("YO24", "CITY_OF_YORK"),
    ("HG1", "HARROGATE"),
    ("HG2", "HARROGATE"),
    ("BD23", "CRAVEN"),
    ("DL9", "RICHMONDSHIRE"),
    ("YO8", "SELBY"),
    ("DL6", "HAMBLETON"),
    ("YO17", "RYEDALE"),
];
/// Mostly routine, as real reports are.
const PRIORITIES: &[&str] = &["ROUTINE", "ROUTINE", "ROUTINE", "PRIORITY", "IMMEDIATE"];
const LANDMARKS: &[&str] = &[
    "the bus station",
    "the park gates",
    "the chip shop",
    "the retail park",
    "the seafront arcade",
    "the skate park",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(60);
    let out = std::path::PathBuf::from(args.get(2).map(String::as_str).unwrap_or("synthetic"));
    let envelopes = out.join("envelopes");
    std::fs::create_dir_all(&envelopes).expect("output folder");
    let key = age::x25519::Identity::generate();
    std::fs::write(
        out.join("analyst.key"),
        format!("{}\n", key.to_string().expose_secret()),
    )
    .expect("key");
    let signer = pis_gateway::signing::SigningKey::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("certs-example/signing-key.pem"),
    )
    .expect("the example signing key");
    std::fs::write(
        out.join("signing-keys.txt"),
        format!(
            "signing key {} {}\n",
            signer.public().id(),
            signer.public().to_base64()
        ),
    )
    .expect("keys file");
    let route = pis_gateway::routing::Route {
        name: "police_intelligence".into(),
        mailbox: "intel@example.invalid".into(),
        view: pis_gateway::routing::View::Full,
        role: pis_gateway::routing::Role::PoliceIntelligence,
        localities: vec![],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: Vec::new(),
        // Two recipients, as every route in config/routes.toml has: the analyst's key first,
        // then a colleague's. `map` tries the analyst's identity on the stanzas in order, so
        // each envelope costs one X25519 exchange here (two if the analyst's key came second).
        recipients: vec![
            key.to_public(),
            age::x25519::Identity::generate().to_public(),
        ],
        officers: vec![],
    };
    let mut rng = StdRng::seed_from_u64(7);
    // What was added later (event dates, more people, addresses) draws from its own stream, so
    // everything the first stream gives stays as it was.
    let mut more = StdRng::seed_from_u64(11);
    let mut strong_keys: Vec<String> = Vec::new();
    // Shared pools are small relative to the count, so some values recur: the planted links.
    let pool = (count * 2).max(4);
    for i in 0..count {
        // Digits only: every one is a valid gateway reference.
        let reference = format!("PIS-{:04}-{:04}", i / 10_000, i % 10_000);
        let (outward, locality) = OUTWARD[rng.gen_range(0..OUTWARD.len())];
        let phone = format!("07700 9{:05}", rng.gen_range(0..pool));
        let plate = format!(
            "Y{}{:02}K{}{}",
            (b'A' + rng.gen_range(0..4) as u8) as char,
            rng.gen_range(10..20),
            (b'A' + rng.gen_range(0..8) as u8) as char,
            (b'A' + rng.gen_range(0..8) as u8) as char
        );
        let person = json!({
            "role": if rng.gen_bool(0.5) { "PERSON_POSING_RISK" } else { "CHILD_AT_RISK" },
            "forename": FORENAMES[rng.gen_range(0..FORENAMES.len())],
            "surname": SURNAMES[rng.gen_range(0..SURNAMES.len())],
            "dob": format!("{}-0{}-1{}", rng.gen_range(1990..2012), rng.gen_range(1..10), rng.gen_range(0..10)),
            "aliases_nicknames": if rng.gen_bool(0.06) { NICKNAMES[rng.gen_range(0..NICKNAMES.len())] } else { "" },
        });
        let (month, day) = (rng.gen_range(8..12), rng.gen_range(1..29));
        strong_keys.push(format!(
            "person:{} {}|{}",
            person["forename"].as_str().unwrap_or("").to_lowercase(),
            person["surname"].as_str().unwrap_or("").to_lowercase(),
            person["dob"].as_str().unwrap_or("")
        ));
        let doc = json!({
            "schema": pis_gateway::seal::SCHEMA, "marking": "OFFICIAL-SENSITIVE",
            "reference": reference, "received_at": format!("2026-{month:02}-{day:02}T10:00:00Z"),
            "form": if rng.gen_bool(0.7) { "professional" } else { "community" }, "form_version": 1,
            "priority": PRIORITIES[rng.gen_range(0..PRIORITIES.len())], "reason_codes": [],
            "route": "police_intelligence", "view": "full", "localities": [locality],
            "answers": {
                "people": [person],
                "phones": [{"number": phone}],
                "vehicles": [{"registration": if rng.gen_bool(0.1) { format!("{}??{}", &plate[..2], &plate[4..]) } else { plate }}],
                "locations": [{"location_type": "OTHER", "postcode": format!("{outward} {}{}{}", rng.gen_range(1..10), b"ABDEFGHJ"[rng.gen_range(0..8)] as char, b"ABDEFGHJ"[rng.gen_range(0..8)] as char), "description_landmark": format!("near {}", LANDMARKS[rng.gen_range(0..LANDMARKS.len())])}],
            },
            "notes": []
        });
        let mut doc = doc.as_object().cloned().expect("object");
        more_answers(&mut doc, &mut more, month, day);
        // Some reports list evidence photos, as the gateway records them (the files themselves
        // are not written: `map` counts them from the document). Taken from the index, not the
        // random stream, so everything else stays as it was.
        let photos = if i % 4 == 1 { 1 + (i / 4) % 3 } else { 0 };
        if photos > 0 {
            let facts: Vec<_> = (1..=photos)
                .map(|n| {
                    json!({
                        "n": n, "type": "jpeg", "media_type": "image/jpeg",
                        "sha256_received": format!("{:064x}", i * 10 + n),
                        "sha256_sealed": format!("{:064x}", i * 10 + n + 5),
                        "bytes_received": 182_000, "bytes_sealed": 151_000,
                        "width": 1600, "height": 1200, "cleaned": true, "open_in_safe_viewer": false,
                    })
                })
                .collect();
            doc.insert("attachments".into(), json!(facts));
        }
        let signed = signer.sign_document(doc);
        let sealed = pis_gateway::seal::encrypt(&signed, &route).expect("sealed");
        std::fs::write(envelopes.join(format!("{reference}.age")), sealed).expect("envelope");
    }
    write_workspace(&out, &strong_keys);
    eprintln!(
        "{count} envelopes and analyst.key written to {}",
        out.display()
    );
}

/// The day it happened (up to four months before it was received), a second person now and
/// then (named without a date of birth, or known only by a nickname), whose the vehicle is, and
/// some addresses with flats.
fn more_answers(
    doc: &mut serde_json::Map<String, serde_json::Value>,
    rng: &mut StdRng,
    month: u32,
    day: u32,
) {
    let event_month = rng.gen_range(month.saturating_sub(4).max(1)..=month);
    let event_day = if event_month == month {
        rng.gen_range(1..=day)
    } else {
        rng.gen_range(1..29)
    };
    let answers = doc
        .get_mut("answers")
        .and_then(|a| a.as_object_mut())
        .expect("answers");
    answers.insert(
        "event_date".into(),
        json!(format!("2026-{event_month:02}-{event_day:02}")),
    );
    let first = answers["people"][0]["forename"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let roll: f64 = rng.gen();
    if roll < 0.25 {
        answers["people"]
            .as_array_mut()
            .expect("people")
            .push(json!({
                "role": "ASSOCIATE_OR_PEER",
                "forename": FORENAMES[rng.gen_range(0..FORENAMES.len())],
                "surname": SURNAMES[rng.gen_range(0..SURNAMES.len())],
                "age_estimate": "AGE_16_17",
            }));
    } else if roll < 0.32 {
        answers["people"]
            .as_array_mut()
            .expect("people")
            .push(json!({
                "role": "PERSON_POSING_RISK",
                "aliases_nicknames": NICKNAMES[rng.gen_range(0..NICKNAMES.len())],
            }));
    }
    if rng.gen_bool(0.6) {
        let whose = if rng.gen_bool(0.3) {
            format!("{first} drives it")
        } else {
            first.clone()
        };
        answers["vehicles"][0]["linked_person"] = json!(whose);
    }
    if rng.gen_bool(0.3) {
        let street = STREETS[rng.gen_range(0..STREETS.len())];
        let mut place = json!({
            "location_type": "HOME_ADDRESS",
            "address_line2": format!("{} {street}", rng.gen_range(1..6)),
            "linked_person": first,
        });
        if rng.gen_bool(0.6) {
            place["address_line1"] = json!(format!("Flat {}", rng.gen_range(1..4)));
        } else {
            place["address_line1"] = place["address_line2"].take();
        }
        answers["locations"]
            .as_array_mut()
            .expect("locations")
            .push(place);
    }
}

/// An analyst's workspace: up to 1,000 decisions, merges of two people and splits taking a
/// report's second person out of whoever they were joined with.
fn write_workspace(out: &std::path::Path, strong_keys: &[String]) {
    let n = strong_keys.len().min(1000);
    let decisions: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                json!({"action": "merge", "members": [strong_keys[i], strong_keys[(i + 1) % strong_keys.len()]]})
            } else {
                json!({"action": "split", "member": format!("person:PIS-{:04}-{:04}#1", i / 10_000, i % 10_000)})
            }
        })
        .collect();
    let ws = json!({"marking": "OFFICIAL-SENSITIVE", "version": 1, "decisions": decisions});
    std::fs::write(out.join("workspace.json"), ws.to_string()).expect("workspace");
}
