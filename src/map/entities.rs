//! Entities named in one submission, each with the exact normalised key that merges it with the
//! same entity elsewhere.

use crate::forms::{phone, postcode, vrm};
use serde::Serialize;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Person,
    Nickname,
    Vehicle,
    Phone,
    Online,
    Place,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Nickname => "nickname",
            Kind::Vehicle => "vehicle",
            Kind::Phone => "phone",
            Kind::Online => "online",
            Kind::Place => "place",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub kind: Kind,
    /// Mentions with the same kind and key are the same entity.
    pub key: String,
    pub label: String,
    /// A person's full name (two words or more), for possible links.
    pub full_name: Option<String>,
    pub dob: Option<String>,
    pub role: Option<String>,
    /// A plate or number with unknown characters (`?`).
    pub partial: bool,
}

#[derive(Debug, Clone)]
pub struct Submission {
    pub reference: String,
    /// The day received, `YYYY-MM-DD`.
    pub date: String,
    pub form: String,
    pub priority: String,
    pub localities: Vec<String>,
    pub mentions: Vec<Mention>,
    /// Evidence files sealed with it (photos, screenshots, documents), as its document lists.
    pub attachments: usize,
}

/// Lower case, NFC, single spaces: the form two spellings of one name share.
pub fn fold(s: &str) -> String {
    s.nfc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn text<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn mention(kind: Kind, key: String, label: String) -> Mention {
    Mention {
        kind,
        key,
        label,
        full_name: None,
        dob: None,
        role: None,
        partial: false,
    }
}

fn person(out: &mut Vec<Mention>, reference: &str, i: usize, p: &Value) {
    let name = match (text(p, "forename"), text(p, "surname"), text(p, "name")) {
        (Some(f), Some(s), _) => Some(format!("{f} {s}")),
        (Some(f), None, _) => Some(f.to_string()),
        (None, Some(s), _) => Some(s.to_string()),
        (None, None, n) => n.map(str::to_string),
    };
    let folded = name.as_deref().map(fold).filter(|n| n != "unknown");
    let full = folded.clone().filter(|n| n.contains(' '));
    let dob = text(p, "dob").map(str::to_string);
    let role = text(p, "role").map(str::to_string);
    // A full name with a date of birth is a strong key. Anything weaker (a first name alone,
    // a full name without a date of birth) stays one person in one submission: a shared first
    // name must not join two reports, and a shared full name is only a possible link.
    let key = match (&full, &dob) {
        (Some(n), Some(d)) => format!("{n}|{d}"),
        _ => format!("{reference}#{i}"),
    };
    let label = name.clone().unwrap_or_else(|| match role.as_deref() {
        Some(r) => format!("unnamed {}", r.to_lowercase().replace('_', " ")),
        None => "unnamed person".into(),
    });
    out.push(Mention {
        full_name: full,
        dob,
        role,
        ..mention(Kind::Person, key, label)
    });
    let nicknames = [text(p, "aliases_nicknames"), text(p, "nickname")];
    for n in nicknames.into_iter().flatten().flat_map(|s| s.split(',')) {
        let f = fold(n);
        if !f.is_empty() {
            out.push(mention(Kind::Nickname, f, n.trim().to_string()));
        }
    }
}

fn plate(out: &mut Vec<Mention>, raw: &str) {
    if let Ok(v) = vrm::parse(raw) {
        let partial = v.plate == vrm::Plate::Partial;
        out.push(Mention {
            partial,
            ..mention(
                Kind::Vehicle,
                v.normalised.clone(),
                vrm::display(&v.normalised),
            )
        });
    }
}

fn number(out: &mut Vec<Mention>, raw: &str) {
    if let Ok(p) = phone::parse_lenient(raw) {
        out.push(Mention {
            partial: p.partial,
            ..mention(Kind::Phone, p.normalised.clone(), p.normalised)
        });
    }
}

fn place(out: &mut Vec<Mention>, item: &Value) {
    let pc = text(item, "postcode").and_then(|p| postcode::parse(p, true));
    if let Some(pc) = &pc {
        let key = match pc {
            postcode::Postcode::Full(s) => format!("postcode:{s}"),
            postcode::Postcode::Outward(s) => format!("district:{s}"),
        };
        out.push(mention(Kind::Place, key, pc.as_str().to_string()));
    }
    // "Behind the Co-op" names a different place in every town: a landmark is keyed within its
    // postcode district, when one is given.
    let district = pc
        .as_ref()
        .map(|p| p.outward().to_string())
        .unwrap_or_default();
    for field in [
        "description_landmark",
        "street_or_landmark",
        "address_line1",
    ] {
        if let Some(t) = text(item, field) {
            out.push(mention(
                Kind::Place,
                format!("text:{district}:{}", fold(t)),
                t.to_string(),
            ));
        }
    }
}

pub fn extract(doc: &Value) -> Submission {
    let reference = doc["reference"].as_str().unwrap_or("").to_string();
    let answers = &doc["answers"];
    let items = |k: &str| {
        answers
            .get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut mentions = Vec::new();
    for (i, p) in items("people").iter().enumerate() {
        person(&mut mentions, &reference, i, p);
    }
    for v in items("vehicles") {
        if let Some(r) = text(&v, "registration") {
            plate(&mut mentions, r);
        }
    }
    for p in items("phones") {
        if let Some(n) = text(&p, "number") {
            number(&mut mentions, n);
        }
    }
    for a in items("online_accounts") {
        let platform = text(&a, "platform").unwrap_or("UNKNOWN").to_lowercase();
        if let Some(h) = text(&a, "handle").or_else(|| text(&a, "url")) {
            let handle = fold(h.trim_start_matches('@'));
            mentions.push(mention(
                Kind::Online,
                format!("{platform}:{handle}"),
                format!("{platform}: {h}"),
            ));
        }
    }
    for p in items("phones_or_online") {
        match (text(&p, "type"), text(&p, "value")) {
            (Some("PHONE"), Some(v)) => number(&mut mentions, v),
            (Some(_), Some(v)) => {
                let handle = fold(v.trim_start_matches('@'));
                mentions.push(mention(
                    Kind::Online,
                    format!("unknown:{handle}"),
                    v.to_string(),
                ));
            }
            _ => {}
        }
    }
    for group in ["locations", "places"] {
        for item in items(group) {
            place(&mut mentions, &item);
        }
    }
    // One mention per entity per submission.
    let mut seen = std::collections::HashSet::new();
    mentions.retain(|m| seen.insert((m.kind, m.key.clone())));
    Submission {
        attachments: doc["attachments"].as_array().map_or(0, Vec::len),
        date: doc["received_at"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(10)
            .collect(),
        form: doc["form"].as_str().unwrap_or("").to_string(),
        priority: doc["priority"].as_str().unwrap_or("").to_string(),
        localities: doc["localities"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        reference,
        mentions,
    }
}

#[cfg(test)]
mod tests {
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
        let s = extract(&doc);
        let keys: Vec<(&str, &str)> = s
            .mentions
            .iter()
            .map(|m| (m.kind.as_str(), m.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("person", "jay smith|2011-04-02"),
                ("nickname", "big t"),
                ("nickname", "tee"),
                ("vehicle", "YX21KCD"),
                ("phone", "+447700900123"),
                ("online", "snapchat:tee_runs"),
                ("place", "postcode:YO1 7HH"),
                ("place", "text:YO1:behind the co-op"),
            ]
        );
        assert_eq!(s.date, "2026-11-01");
    }

    #[test]
    fn weak_names_stay_within_their_submission() {
        let doc = json!({"reference": "PIS-AAAA-BBBB", "answers": {"people": [{"forename": "Jay"}, {"role": "PERSON_POSING_RISK"}]}});
        let s = extract(&doc);
        assert_eq!(s.mentions[0].key, "PIS-AAAA-BBBB#0");
        assert_eq!(s.mentions[0].full_name, None);
        assert_eq!(s.mentions[1].label, "unnamed person posing risk");
    }
}
