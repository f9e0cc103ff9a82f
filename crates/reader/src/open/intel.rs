//! `open --format intel-json`: the report's entities and suggested grading for import into a
//! force intelligence system. The shape is `config/intel-report.schema.json` (JSON Schema
//! 2020-12, documented in docs/src/officer.md): every key is always present, with `null` for an
//! answer not given, so an importer maps fields without guessing. Codes are the forms'
//! option values (stable); labels are the words shown to the submitter.

use super::document::{text_of, Document};
use super::grading::{self, Basis, Handling, Provenance, Suggestion};
use crate::forms::{phone, postcode, vrm};
use serde::Serialize;
use serde_json::{Map, Value};

pub const SCHEMA: &str = "pis-gateway/intel-report/v1";

/// The JSON Schema the output follows, shipped in `config/` and built in.
pub const JSON_SCHEMA: &str = include_str!("../../../../config/intel-report.schema.json");

#[derive(Serialize)]
pub struct IntelReport {
    pub schema: &'static str,
    pub reference: String,
    /// For what a submitter added on /follow-up: the reference of the report it adds to.
    pub follow_up_of: Option<String>,
    pub received_at: String,
    pub marking: String,
    pub form: String,
    pub form_version: u64,
    pub route: String,
    pub view: String,
    pub signature: Signature,
    pub priority: Priority,
    pub summary: String,
    pub categories: Vec<Coded>,
    pub when: When,
    pub localities: Vec<String>,
    pub entities: Entities,
    pub reported_elsewhere: Reported,
    pub grading: Grading,
}

#[derive(Serialize)]
pub struct Signature {
    pub verified: bool,
    pub key_id: Option<String>,
    pub problem: Option<String>,
}

#[derive(Serialize)]
pub struct Priority {
    pub level: String,
    pub reasons: Vec<Reason>,
}

#[derive(Serialize)]
pub struct Reason {
    pub code: String,
    pub description: String,
    pub sentence: Option<String>,
    /// The answer that holds the sentence (`details`, `people[0].description`) and its question.
    pub field: Option<String>,
    pub question: Option<String>,
}

#[derive(Serialize)]
pub struct Coded {
    pub code: String,
    pub label: String,
}

#[derive(Serialize)]
pub struct When {
    pub known: Option<String>,
    pub date: Option<String>,
    pub time_of_day: Option<String>,
    pub frequency: Option<String>,
    pub learned: Option<String>,
}

#[derive(Serialize)]
pub struct Entities {
    pub people: Vec<Person>,
    pub vehicles: Vec<Vehicle>,
    pub phones: Vec<Phone>,
    pub online_accounts: Vec<Online>,
    pub locations: Vec<Location>,
}

#[derive(Serialize)]
pub struct Person {
    pub id: String,
    pub role: Option<String>,
    pub forename: Option<String>,
    pub surname: Option<String>,
    pub name: Option<String>,
    pub aliases: Vec<String>,
    pub sex: Option<String>,
    pub dob: Option<String>,
    pub age_band: Option<String>,
    pub under_18: Option<bool>,
    pub missing_now: Option<bool>,
    pub description: Option<String>,
}

#[derive(Serialize)]
pub struct Vehicle {
    pub id: String,
    pub registration: Option<String>,
    pub registration_partial: bool,
    pub make: Option<String>,
    pub model: Option<String>,
    pub colour: Option<String>,
    pub vehicle_type: Option<String>,
    pub description: Option<String>,
    pub linked_person: Option<String>,
    pub seen_at: Option<String>,
    pub seen_date: Option<String>,
}

#[derive(Serialize)]
pub struct Phone {
    pub id: String,
    pub number: String,
    pub e164: Option<String>,
    pub partial: bool,
    pub linked_person: Option<String>,
}

#[derive(Serialize)]
pub struct Online {
    pub id: String,
    pub platform: Option<String>,
    pub handle: Option<String>,
    pub url: Option<String>,
    pub linked_person: Option<String>,
}

#[derive(Serialize)]
pub struct Location {
    pub id: String,
    pub location_type: Option<String>,
    pub address: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub postcode_partial: bool,
    pub locality: Option<String>,
    pub description: Option<String>,
    pub activity_times: Option<String>,
}

#[derive(Serialize)]
pub struct Reported {
    pub to: Vec<Coded>,
    pub police_reference: Option<String>,
    pub previous_reference: Option<String>,
}

#[derive(Serialize)]
pub struct Grading {
    pub system: &'static str,
    /// Always "suggested": the officer's own grading is recorded separately.
    pub status: &'static str,
    /// The "3": the officer's evaluation of the source, never suggested.
    pub source_evaluation: Option<String>,
    pub provenance: ProvenanceOut,
    pub handling: HandlingOut,
}

#[derive(Serialize)]
pub struct ProvenanceOut {
    pub code: Provenance,
    pub label: &'static str,
    pub alternative: Option<Provenance>,
    pub alternative_when: Option<&'static str>,
    pub consider_e: bool,
    pub basis: Vec<Basis>,
}

#[derive(Serialize)]
pub struct HandlingOut {
    pub code: Handling,
    pub label: &'static str,
    pub basis: Vec<Basis>,
}

fn owned(m: &Map<String, Value>, id: &str) -> Option<String> {
    text_of(m, id).map(str::to_string)
}

fn coded(doc: &Document<'_>, field: &str) -> Vec<Coded> {
    doc.chosen(field)
        .into_iter()
        .map(|v| Coded {
            code: v.to_string(),
            label: doc.option_label(field, v),
        })
        .collect()
}

fn yes(m: &Map<String, Value>, id: &str) -> Option<bool> {
    match text_of(m, id) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

fn entities(doc: &Document<'_>) -> Entities {
    let (phones, online_accounts) = phones_and_online(doc);
    Entities {
        people: people(doc),
        vehicles: vehicles(doc),
        phones,
        online_accounts,
        locations: locations(doc),
    }
}

/// The people named, under 18 where the form says so or their age band does.
fn people(doc: &Document<'_>) -> Vec<Person> {
    doc.items("people")
        .into_iter()
        .map(|(i, p)| {
            let band = owned(p, "age_estimate").or_else(|| owned(p, "age_range"));
            Person {
                id: format!("people[{i}]"),
                role: owned(p, "role"),
                forename: owned(p, "forename"),
                surname: owned(p, "surname"),
                name: owned(p, "name"),
                aliases: text_of(p, "aliases_nicknames")
                    .or_else(|| text_of(p, "nickname"))
                    .map(|a| {
                        a.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                sex: owned(p, "sex"),
                dob: owned(p, "dob"),
                under_18: yes(p, "is_child").or(match band.as_deref() {
                    Some("AGE_UNDER_10" | "AGE_10_12" | "AGE_13_15" | "AGE_16_17") => Some(true),
                    Some("UNKNOWN") | None => None,
                    Some(_) => Some(false),
                }),
                age_band: band,
                missing_now: yes(p, "currently_missing"),
                description: owned(p, "description"),
            }
        })
        .collect()
}

/// The vehicles named, with the plate normalised (and marked when only part of it is known).
fn vehicles(doc: &Document<'_>) -> Vec<Vehicle> {
    doc.items("vehicles")
        .into_iter()
        .map(|(i, v)| {
            let plate = text_of(v, "registration").and_then(|r| vrm::parse(r).ok());
            let (make, model) = match (owned(v, "make"), owned(v, "model"), owned(v, "make_model"))
            {
                (None, None, Some(mm)) => (Some(mm), None),
                (make, model, _) => (make, model),
            };
            Vehicle {
                id: format!("vehicles[{i}]"),
                registration_partial: plate
                    .as_ref()
                    .is_some_and(|p| p.plate == vrm::Plate::Partial),
                registration: plate.map(|p| p.normalised),
                make,
                model,
                colour: owned(v, "colour"),
                vehicle_type: owned(v, "vehicle_type"),
                description: owned(v, "distinguishing_features")
                    .or_else(|| owned(v, "description")),
                linked_person: owned(v, "linked_person"),
                seen_at: owned(v, "seen_at"),
                seen_date: owned(v, "seen_date"),
            }
        })
        .collect()
}

/// A phone number as given, with its E.164 form where it is whole and international.
fn phone_of(id: String, number: &str, linked: Option<String>) -> Phone {
    let parsed = phone::parse_lenient(number).ok();
    Phone {
        id,
        number: number.to_string(),
        partial: parsed.as_ref().is_some_and(|p| p.partial),
        e164: parsed
            .filter(|p| !p.partial && p.normalised.starts_with('+'))
            .map(|p| p.normalised),
        linked_person: linked,
    }
}

/// The phones and online accounts named, including those of the community form's combined
/// "phone or online" list, sorted by the type the submitter chose.
fn phones_and_online(doc: &Document<'_>) -> (Vec<Phone>, Vec<Online>) {
    let mut phones: Vec<Phone> = doc
        .items("phones")
        .into_iter()
        .filter_map(|(i, p)| {
            Some(phone_of(
                format!("phones[{i}]"),
                text_of(p, "number")?,
                owned(p, "linked_person"),
            ))
        })
        .collect();
    let mut online: Vec<Online> = doc
        .items("online_accounts")
        .into_iter()
        .map(|(i, a)| Online {
            id: format!("online_accounts[{i}]"),
            platform: owned(a, "platform"),
            handle: owned(a, "handle"),
            url: owned(a, "url"),
            linked_person: owned(a, "linked_person"),
        })
        .collect();
    for (i, p) in doc.items("phones_or_online") {
        let Some(v) = text_of(p, "value") else {
            continue;
        };
        let id = format!("phones_or_online[{i}]");
        if text_of(p, "type") == Some("PHONE") {
            phones.push(phone_of(id, v, None));
        } else {
            online.push(Online {
                id,
                platform: None,
                handle: Some(v.to_string()),
                url: None,
                linked_person: None,
            });
        }
    }
    (phones, online)
}

/// The locations of both forms (`locations` and `places`), in that order.
fn locations(doc: &Document<'_>) -> Vec<Location> {
    let mut locations = Vec::new();
    for group in ["locations", "places"] {
        for (i, l) in doc.items(group) {
            let pc = text_of(l, "postcode").and_then(|p| postcode::parse(p, true));
            let address: Vec<&str> = ["address_line1", "address_line2", "street_or_landmark"]
                .iter()
                .filter_map(|f| text_of(l, f))
                .collect();
            locations.push(Location {
                id: format!("{group}[{i}]"),
                location_type: owned(l, "location_type"),
                address: (!address.is_empty()).then(|| address.join(", ")),
                town: owned(l, "town"),
                postcode_partial: matches!(pc, Some(postcode::Postcode::Outward(_))),
                postcode: pc.map(|p| p.as_str().to_string()),
                locality: owned(l, "locality"),
                description: owned(l, "description_landmark")
                    .or_else(|| owned(l, "why_concerning")),
                activity_times: owned(l, "activity_times"),
            });
        }
    }
    locations
}

fn grading(g: Suggestion) -> Grading {
    Grading {
        system: "3x5x2",
        status: "suggested",
        source_evaluation: None,
        provenance: ProvenanceOut {
            code: g.provenance.code,
            label: g.provenance.meaning,
            alternative: g.provenance.alternative.as_ref().map(|a| a.code),
            alternative_when: g.provenance.alternative.as_ref().map(|a| a.when),
            consider_e: g.provenance.consider_e,
            basis: g.provenance.basis,
        },
        handling: HandlingOut {
            code: g.handling.code,
            label: g.handling.meaning,
            basis: g.handling.basis,
        },
    }
}

pub fn build(doc: &Document<'_>, provenance: &super::Provenance) -> IntelReport {
    build_in_thread(doc, provenance, None)
}

/// As [`build`]; an addendum graded as `original`, the report it adds to.
pub fn build_in_thread(
    doc: &Document<'_>,
    provenance: &super::Provenance,
    original: Option<&Document<'_>>,
) -> IntelReport {
    let report = super::report::build_in_thread(doc, provenance, original);
    let professional = doc.form_kind() != super::document::FormKind::Community;
    let (known, date, time, often) = if professional {
        ("event_date_known", "event_date", "event_time", "frequency")
    } else {
        ("when_known", "when", "", "how_often")
    };
    IntelReport {
        schema: SCHEMA,
        reference: report.reference,
        follow_up_of: report.first_screen.follow_up_of,
        received_at: report.received_at,
        marking: report.marking,
        form: report.form,
        form_version: report.form_version,
        route: report.route,
        view: report.view,
        signature: match provenance {
            super::Provenance::Signed(id) => Signature {
                verified: true,
                key_id: Some(id.clone()),
                problem: None,
            },
            super::Provenance::Unverified(why) => Signature {
                verified: false,
                key_id: None,
                problem: Some(why.clone()),
            },
            super::Provenance::SharedBy(id) => Signature {
                verified: true,
                key_id: Some(id.clone()),
                problem: None,
            },
            super::Provenance::Restricted(id) => Signature {
                verified: false,
                key_id: Some(id.clone()),
                problem: Some("a restricted view: the signature covers the full document".into()),
            },
        },
        priority: Priority {
            level: report.first_screen.priority,
            reasons: report
                .first_screen
                .reasons
                .into_iter()
                .map(|r| Reason {
                    description: r.words,
                    code: r.code,
                    sentence: r.sentence,
                    field: r.field,
                    question: r.in_answer,
                })
                .collect(),
        },
        summary: report.first_screen.alleged,
        categories: if professional {
            coded(doc, "concern_categories")
        } else {
            coded(doc, "worry_type")
        },
        when: When {
            known: doc.text(known).map(str::to_string),
            date: doc.text(date).map(str::to_string),
            time_of_day: doc.text(time).map(str::to_string),
            frequency: doc.text(often).map(str::to_string),
            learned: doc.text("date_learned").map(str::to_string),
        },
        localities: doc
            .strings("localities")
            .into_iter()
            .map(str::to_string)
            .collect(),
        entities: entities(doc),
        reported_elsewhere: Reported {
            to: if professional {
                coded(doc, "reported_elsewhere")
            } else {
                coded(doc, "told_anyone_else")
            },
            police_reference: doc.text("police_reference").map(str::to_string),
            previous_reference: doc.text("previous_pis_reference").map(str::to_string),
        },
        grading: grading(grading::suggest(doc)),
    }
}
