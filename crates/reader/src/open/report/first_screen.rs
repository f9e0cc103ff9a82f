//! The first screen of a report: what an officer needs before reading every answer, each
//! person, vehicle, phone and place in one line with the item it came from.

use super::{alleged, one_line, reasons, reported, when, written_in, FirstScreen, Line};
use crate::forms::date::{parse as parse_date, FuzzyDate};
use crate::forms::{phone, postcode, vrm};
use crate::open::document::{text_of, Document};
use serde_json::{Map, Value};

/// A choice answer within a group item, in the form's words.
fn item_choice(
    doc: &Document<'_>,
    group: &str,
    item: &Map<String, Value>,
    id: &str,
) -> Option<String> {
    let v = text_of(item, id)?;
    Some(doc.option_label(&format!("{group}.{id}"), v))
}

/// Age from a date of birth at the day the submission was received: exact for a full date,
/// "about" for a month or year.
fn age_from_dob(dob: &str, received: &str) -> Option<String> {
    let born = parse_date(dob).ok()?;
    let today = parse_date(received.get(..10)?).ok()?;
    let FuzzyDate::Day(today) = today else {
        return None;
    };
    let (y, m, d, exact) = match born {
        FuzzyDate::Day(b) => (b.year(), u8::from(b.month()), b.day(), true),
        FuzzyDate::Month(y, m) => (y, u8::from(m), 1, false),
        FuzzyDate::Year(y) => (y, 1, 1, false),
    };
    let mut age = today.year() - y;
    if (u8::from(today.month()), today.day()) < (m, d) {
        age -= 1;
    }
    (age >= 0).then(|| {
        if exact {
            format!("{age}")
        } else {
            format!("about {age}")
        }
    })
}

fn person_line(doc: &Document<'_>, item: &Map<String, Value>) -> String {
    let mut parts = Vec::new();
    let name = match (
        text_of(item, "forename"),
        text_of(item, "surname"),
        text_of(item, "name"),
    ) {
        (Some(f), Some(s), _) => Some(format!("{f} {s}")),
        (Some(n), None, _) | (None, Some(n), _) | (None, None, Some(n)) => Some(n.to_string()),
        _ => None,
    };
    parts.push(name.unwrap_or_else(|| "name not given".into()));
    if let Some(a) = text_of(item, "aliases_nicknames").or_else(|| text_of(item, "nickname")) {
        parts.push(format!("known as {a}"));
    }
    if let Some(s) = item_choice(doc, "people", item, "sex") {
        parts.push(s.to_lowercase());
    }
    let band = item_choice(doc, "people", item, "age_estimate")
        .or_else(|| item_choice(doc, "people", item, "age_range"));
    match (text_of(item, "dob"), band) {
        (Some(dob), band) => {
            let age = age_from_dob(dob, doc.header("received_at"));
            parts.push(match age {
                Some(a) => format!("age {a} (born {dob})"),
                None => format!("born {dob}"),
            });
            if let Some(b) = band {
                parts.push(format!("looks {}", b.to_lowercase()));
            }
        }
        (None, Some(b)) => parts.push(format!("age {}", b.to_lowercase())),
        (None, None) => {}
    }
    if text_of(item, "currently_missing") == Some("yes") {
        parts.push("MISSING NOW".into());
    }
    if text_of(item, "looked_after") == Some("yes") {
        parts.push("looked after".into());
    }
    if let Some(d) = text_of(item, "description") {
        parts.push(one_line(d, 80));
    }
    parts.join(", ")
}

/// Whether a person is a child: the role says so, or (community form, which does not ask the
/// role) they are said to be under 18 or their age band is.
fn is_child(item: &Map<String, Value>) -> bool {
    text_of(item, "role") == Some("CHILD_AT_RISK")
        || text_of(item, "is_child") == Some("yes")
        || (text_of(item, "role").is_none()
            && matches!(
                text_of(item, "age_range"),
                Some("AGE_UNDER_10" | "AGE_10_12" | "AGE_13_15" | "AGE_16_17")
            ))
}

fn plate_text(raw: &str) -> String {
    match vrm::parse(raw) {
        Ok(v) if v.plate == vrm::Plate::Partial => {
            format!("{} (partial)", vrm::display(&v.normalised))
        }
        Ok(v) => vrm::display(&v.normalised),
        Err(_) => raw.to_string(),
    }
}

fn phone_text(raw: &str) -> String {
    match phone::parse_lenient(raw) {
        Ok(p) if p.partial => format!("{raw} (partial)"),
        Ok(p) if p.normalised != raw => format!("{raw} ({})", p.normalised),
        _ => raw.to_string(),
    }
}

pub(super) fn first_screen(doc: &Document<'_>) -> FirstScreen {
    let mut s = FirstScreen {
        follow_up_of: Some(doc.header("follow_up_of"))
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        priority: doc.header("priority").into(),
        reasons: reasons(doc),
        alleged: alleged(doc),
        categories: ["concern_categories", "worry_type"]
            .iter()
            .flat_map(|f| {
                doc.chosen(f)
                    .into_iter()
                    .map(move |v| doc.option_label(f, v))
            })
            .collect(),
        localities: doc
            .strings("localities")
            .into_iter()
            .map(crate::open::labels::locality_words)
            .collect(),
        postcodes: Vec::new(),
        places: Vec::new(),
        children_at_risk: Vec::new(),
        posing_risk: Vec::new(),
        other_people: Vec::new(),
        vehicles: Vec::new(),
        phones: Vec::new(),
        online: Vec::new(),
        when: when(doc),
        reported_elsewhere: reported(doc),
        written_in: written_in(doc),
    };
    places(doc, &mut s);
    people(doc, &mut s);
    vehicles(doc, &mut s);
    phones_and_online(doc, &mut s);
    s
}

/// Each location once as its whole address (as an officer would write it on an envelope),
/// and each postcode once in the summary.
fn places(doc: &Document<'_>, s: &mut FirstScreen) {
    for group in ["locations", "places"] {
        for (i, item) in doc.items(group) {
            if let Some(pc) = text_of(item, "postcode").and_then(|p| postcode::parse(p, true)) {
                let pc = pc.as_str().to_string();
                if !s.postcodes.contains(&pc) {
                    s.postcodes.push(pc);
                }
            }
            // The whole address as given, as an officer would write it on an envelope; the
            // postcode as parsed (the summary above lists each once too).
            let mut parts: Vec<String> = [
                "address_line1",
                "address_line2",
                "street_or_landmark",
                "description_landmark",
                "town",
            ]
            .iter()
            .filter_map(|f| text_of(item, f).map(str::to_string))
            .collect();
            let postcode = text_of(item, "postcode").map(|p| {
                postcode::parse(p, true).map_or_else(|| p.to_string(), |pc| pc.as_str().into())
            });
            parts.extend(postcode);
            let mut text = parts.join(", ");
            if let Some(t) = item_choice(doc, group, item, "location_type") {
                text = format!("{text} ({})", t.to_lowercase()).trim().to_string();
            }
            if let Some(t) = text_of(item, "activity_times") {
                text.push_str(&format!(", activity: {t}"));
            }
            s.places.push(Line {
                item: format!("{group}[{i}]"),
                text,
            });
        }
    }
}

/// The people, sorted into children at risk, those posing risk, and the others with their role.
fn people(doc: &Document<'_>, s: &mut FirstScreen) {
    for (i, item) in doc.items("people") {
        let line = Line {
            item: format!("people[{i}]"),
            text: format!("Person {}: {}", i + 1, person_line(doc, item)),
        };
        if is_child(item) {
            s.children_at_risk.push(line);
        } else if text_of(item, "role") == Some("PERSON_POSING_RISK") {
            s.posing_risk.push(line);
        } else {
            let role = item_choice(doc, "people", item, "role");
            s.other_people.push(match role {
                Some(r) => Line {
                    text: format!("{} ({})", line.text, r.to_lowercase()),
                    ..line
                },
                None => line,
            });
        }
    }
}

/// Each vehicle in one line: the plate as parsed, what it looks like, and where it was seen.
fn vehicles(doc: &Document<'_>, s: &mut FirstScreen) {
    for (i, item) in doc.items("vehicles") {
        let mut parts = vec![text_of(item, "registration")
            .map(plate_text)
            .unwrap_or_else(|| "no registration".into())];
        let looks: Vec<String> = [
            item_choice(doc, "vehicles", item, "colour").map(|c| c.to_lowercase()),
            text_of(item, "make").map(str::to_string),
            text_of(item, "model").map(str::to_string),
            text_of(item, "make_model").map(str::to_string),
            item_choice(doc, "vehicles", item, "vehicle_type").map(|c| c.to_lowercase()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !looks.is_empty() {
            parts.push(looks.join(" "));
        }
        for (f, prefix) in [
            ("licence_plate_number", "licence plate "),
            ("operator", "operator "),
            ("distinguishing_features", ""),
            ("description", ""),
            ("linked_person", "used by "),
            ("seen_at", "seen at "),
            ("seen_date", "seen "),
        ] {
            if let Some(v) = text_of(item, f) {
                parts.push(format!("{prefix}{}", one_line(v, 80)));
            }
        }
        s.vehicles.push(Line {
            item: format!("vehicles[{i}]"),
            text: parts.join(", "),
        });
    }
}

/// The phones and online accounts, including the community form's combined list, sorted by
/// the type the submitter chose.
fn phones_and_online(doc: &Document<'_>, s: &mut FirstScreen) {
    for (i, item) in doc.items("phones") {
        let Some(n) = text_of(item, "number") else {
            continue;
        };
        let mut t = phone_text(n);
        if let Some(p) = text_of(item, "linked_person") {
            t.push_str(&format!(", whose: {p}"));
        }
        s.phones.push(Line {
            item: format!("phones[{i}]"),
            text: t,
        });
    }
    for (i, item) in doc.items("online_accounts") {
        let platform = item_choice(doc, "online_accounts", item, "platform")
            .unwrap_or_else(|| "Online".into());
        let handle = text_of(item, "handle")
            .or_else(|| text_of(item, "url"))
            .unwrap_or("");
        let mut t = format!("{platform}: {handle}");
        if let Some(p) = text_of(item, "linked_person") {
            t.push_str(&format!(", whose: {p}"));
        }
        s.online.push(Line {
            item: format!("online_accounts[{i}]"),
            text: t,
        });
    }
    for (i, item) in doc.items("phones_or_online") {
        let Some(v) = text_of(item, "value") else {
            continue;
        };
        let line = |text| Line {
            item: format!("phones_or_online[{i}]"),
            text,
        };
        if text_of(item, "type") == Some("PHONE") {
            s.phones.push(line(phone_text(v)));
        } else {
            s.online.push(line(v.to_string()));
        }
    }
}
