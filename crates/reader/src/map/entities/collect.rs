//! The entities of one document's answers gathered as mentions, one per entity, with the
//! typed links the form's structure gives between them.

use super::{band, date, fold, known_as, mention, text, year, Kind, LinkKind, Mention, Relation};
use crate::forms::{phone, postcode, vrm};
use crate::map::address;
use serde_json::Value;

/// The entities of one submission and the typed links between them, one mention per entity.
pub(super) struct Collector {
    pub(super) reference: String,
    pub(super) locality: String,
    pub(super) event_year: Option<i32>,
    pub(super) mentions: Vec<Mention>,
    pub(super) relations: Vec<Relation>,
    pub(super) index: std::collections::HashMap<(Kind, String), usize>,
}

impl Collector {
    /// Adds a mention, or finds the one already made for the same entity (its aliases and
    /// date joined in); its index.
    fn add(&mut self, m: Mention) -> usize {
        match self.index.get(&(m.kind, m.key.clone())) {
            Some(&i) => {
                let e = &mut self.mentions[i];
                for a in m.aliases {
                    if !e.aliases.contains(&a) {
                        e.aliases.push(a);
                    }
                }
                if e.date.is_none() {
                    e.date = m.date;
                }
                // Named in its own right somewhere in the report: no longer only implied.
                e.implied &= m.implied;
                i
            }
            None => {
                let i = self.mentions.len();
                self.index.insert((m.kind, m.key.clone()), i);
                self.mentions.push(m);
                i
            }
        }
    }

    fn relate(&mut self, a: usize, b: usize, kind: LinkKind) {
        if a != b {
            self.relations.push(Relation { a, b, kind });
        }
    }

    fn person(&mut self, i: usize, p: &Value) -> (usize, Vec<String>) {
        let raw = match (text(p, "forename"), text(p, "surname"), text(p, "name")) {
            (Some(f), Some(s), _) => Some(format!("{f} {s}")),
            (Some(f), None, _) => Some(f.to_string()),
            (None, Some(s), _) => Some(s.to_string()),
            (None, None, n) => n.map(str::to_string),
        };
        let (name, known) = match raw {
            Some(r) => {
                let (n, a) = known_as(&r);
                (Some(n).filter(|n| !n.is_empty()), a)
            }
            None => (None, None),
        };
        let mut aliases: Vec<String> = Vec::new();
        let given = [text(p, "aliases_nicknames"), text(p, "nickname")];
        for a in known
            .iter()
            .map(String::as_str)
            .chain(given.into_iter().flatten().flat_map(|s| s.split(',')))
        {
            let a = a.trim();
            if !a.is_empty() && !aliases.iter().any(|x| fold(x) == fold(a)) {
                aliases.push(a.to_string());
            }
        }
        let folded = name.as_deref().map(fold).filter(|n| n != "unknown");
        let full = folded.clone().filter(|n| n.contains(' '));
        let dob = date(p, "dob").filter(|d| d.len() == 10);
        let role = text(p, "role").map(str::to_string);
        let born = match (&dob, self.event_year) {
            (Some(d), _) => year(d).map(|y| (y, y)),
            (None, Some(y)) => text(p, "age_estimate")
                .or_else(|| text(p, "age_range"))
                .and_then(|b| band(b, y)),
            (None, None) => None,
        };
        let age_child = match (born, self.event_year) {
            (Some((_, latest)), Some(y)) if y - latest >= 18 => Some(false),
            (Some((earliest, _)), Some(y)) if y - earliest < 18 => Some(true),
            _ => None,
        };
        let child = match (text(p, "is_child"), role.as_deref()) {
            (Some("YES"), _) | (_, Some("CHILD_AT_RISK")) => Some(true),
            (Some("NO"), _) => Some(false),
            _ => age_child.or((role.as_deref() == Some("PERSON_POSING_RISK")).then_some(false)),
        };
        // A full name with a date of birth is a strong key. Anything weaker stays one person in
        // one submission here; the graph joins same-named people whose ages agree as "possible
        // same", with the evidence, and the analyst decides.
        let key = match (&full, &dob) {
            (Some(n), Some(d)) => format!("{n}|{d}"),
            _ => format!("{}#{i}", self.reference),
        };
        let label = name
            .clone()
            .or_else(|| aliases.first().cloned())
            .unwrap_or_else(|| match role.as_deref() {
                Some(r) => format!("unnamed {}", r.to_lowercase().replace('_', " ")),
                None => "unnamed person".into(),
            });
        let mut names: Vec<String> = folded.into_iter().collect();
        names.extend(aliases.iter().map(|a| fold(a)));
        let at = self.add(Mention {
            full_name: full,
            dob,
            role,
            aliases,
            born,
            child,
            ..mention(Kind::Person, key, label)
        });
        (at, names)
    }

    fn plate(&mut self, raw: &str, date: Option<String>) -> Option<usize> {
        let v = vrm::parse(raw).ok()?;
        let partial = v.plate == vrm::Plate::Partial;
        Some(self.add(Mention {
            partial,
            date,
            ..mention(
                Kind::Vehicle,
                v.normalised.clone(),
                vrm::display(&v.normalised),
            )
        }))
    }

    fn number(&mut self, raw: &str) -> Option<usize> {
        let p = phone::parse_lenient(raw).ok()?;
        Some(self.add(Mention {
            partial: p.partial,
            ..mention(Kind::Phone, p.normalised.clone(), p.normalised)
        }))
    }

    fn online(&mut self, key: String, label: String) -> usize {
        self.add(mention(Kind::Online, key, label))
    }

    /// A place given as text: a flat under its building, a building, a street, or a landmark
    /// (keyed within its postcode district, since "behind the Co-op" names a different place
    /// in every town). Its mentions, most specific first.
    fn place_text(&mut self, t: &str, scope: &str, district: &str) -> Vec<usize> {
        let Some(a) = address::parse(t) else {
            return vec![self.add(mention(
                Kind::Place,
                format!("text:{district}:{}", fold(t)),
                t.to_string(),
            ))];
        };
        let Some(number) = &a.number else {
            return vec![self.add(mention(
                Kind::Place,
                format!("street:{scope}:{}", a.street),
                t.to_string(),
            ))];
        };
        let building = format!("{number} {}", a.street);
        // The building's street, so that "14 Station Parade" and "Station Parade" are a
        // building under its street, not two unrelated places.
        let street = self.add(Mention {
            implied: true,
            ..mention(
                Kind::Place,
                format!("street:{scope}:{}", a.street),
                address::title(&a.street),
            )
        });
        let b = self.add(Mention {
            within: Some(street),
            ..mention(
                Kind::Place,
                format!("building:{scope}:{building}"),
                address::title(&building),
            )
        });
        self.relate(b, street, LinkKind::PartOf);
        match &a.flat {
            Some(flat) => {
                let f = self.add(Mention {
                    within: Some(b),
                    ..mention(
                        Kind::Place,
                        format!("flat:{scope}:{building}:{flat}"),
                        format!("{}, {}", address::title(flat), address::title(&building)),
                    )
                });
                self.relate(f, b, LinkKind::PartOf);
                vec![f, b]
            }
            None => vec![b],
        }
    }

    /// A place item's mentions: its postcode and what its text names.
    fn place(&mut self, item: &Value) -> Vec<usize> {
        let mut out = Vec::new();
        let pc = text(item, "postcode").and_then(|p| postcode::parse(p, true));
        if let Some(pc) = &pc {
            let key = match pc {
                postcode::Postcode::Full(s) => format!("postcode:{s}"),
                postcode::Postcode::Outward(s) => format!("district:{s}"),
            };
            out.push(self.add(mention(Kind::Place, key, pc.as_str().to_string())));
        }
        let district = pc
            .as_ref()
            .map(|p| p.outward().to_string())
            .unwrap_or_default();
        let scope = self.scope(&district, text(item, "town"));
        // Address lines 1 and 2 read together ("Flat 2" and "14 Station Parade").
        if let (Some(l1), Some(l2)) = (text(item, "address_line1"), text(item, "address_line2")) {
            let both = format!("{l1}, {l2}");
            if address::parse(&both).is_some() {
                out.extend(self.place_text(&both, &scope, &district));
                for f in ["description_landmark", "street_or_landmark"] {
                    if let Some(t) = text(item, f) {
                        out.extend(self.place_text(t, &scope, &district));
                    }
                }
                return out;
            }
        }
        for f in [
            "description_landmark",
            "street_or_landmark",
            "address_line1",
        ] {
            if let Some(t) = text(item, f) {
                out.extend(self.place_text(t, &scope, &district));
            }
        }
        out
    }

    /// What an address is unique within: the report's locality, else the postcode district,
    /// else the town given.
    fn scope(&self, district: &str, town: Option<&str>) -> String {
        if !self.locality.is_empty() {
            self.locality.to_lowercase()
        } else if !district.is_empty() {
            district.to_lowercase()
        } else {
            town.map(fold).unwrap_or_default()
        }
    }
}

/// The person a "Whose is it?" or "Who is linked to this place?" answer names, among the
/// report's people: the first whose full name, nickname or first name it contains.
fn whose(answer: &str, people: &[(usize, Vec<String>)]) -> Option<usize> {
    let a = fold(answer);
    let words: Vec<&str> = a
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |name: &str| {
        let n: Vec<&str> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        !n.is_empty() && words.windows(n.len()).any(|w| w == n.as_slice())
    };
    people
        .iter()
        .find(|(_, names)| names.iter().any(|n| has(n)))
        .or_else(|| {
            people.iter().find(|(_, names)| {
                names
                    .first()
                    .and_then(|n| n.split(' ').next())
                    .is_some_and(has)
            })
        })
        .map(|(i, _)| *i)
}

/// What a "Whose is it?" answer says the person does with a vehicle.
fn vehicle_link(answer: &str) -> LinkKind {
    let a = fold(answer);
    if a.contains("driv") {
        LinkKind::Drives
    } else if a.contains("use") || a.contains("borrow") {
        LinkKind::Uses
    } else {
        LinkKind::Owns
    }
}

/// What a place answer says the person does there.
fn place_link(answer: &str, location_type: Option<&str>) -> LinkKind {
    let a = fold(answer);
    if a.contains("work") {
        LinkKind::WorksAt
    } else if location_type == Some("HOME_ADDRESS") || a.contains("live") || a.contains("home") {
        LinkKind::LivesAt
    } else {
        LinkKind::SeenAt
    }
}

fn items<'a>(answers: &'a Value, k: &str) -> &'a [Value] {
    answers
        .get(k)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// People, and the typed links the form's structure gives between them and everything else.
pub(super) fn people_and_things(c: &mut Collector, answers: &Value) {
    let people: Vec<(usize, Vec<String>)> = items(answers, "people")
        .iter()
        .enumerate()
        .map(|(i, p)| c.person(i, p))
        .collect();
    let owner =
        |c: &mut Collector, thing: Option<usize>, item: &Value, kind: fn(&str) -> LinkKind| {
            if let (Some(t), Some(who)) = (thing, text(item, "linked_person")) {
                if let Some(p) = whose(who, &people) {
                    c.relate(p, t, kind(who));
                }
            }
        };
    for v in items(answers, "vehicles") {
        let seen = date(v, "seen_date");
        let plate = text(v, "registration").and_then(|r| c.plate(r, seen));
        owner(c, plate, v, vehicle_link);
        if let (Some(p), Some(at)) = (plate, text(v, "seen_at")) {
            let scope = c.scope("", None);
            for place in c.place_text(at, &scope, "") {
                c.relate(p, place, LinkKind::SeenAt);
            }
        }
    }
    for p in items(answers, "phones") {
        let n = text(p, "number").and_then(|n| c.number(n));
        owner(c, n, p, |a| {
            if fold(a).contains("own") {
                LinkKind::Owns
            } else {
                LinkKind::Uses
            }
        });
    }
    for a in items(answers, "online_accounts") {
        let platform = text(a, "platform").unwrap_or("UNKNOWN").to_lowercase();
        let account = text(a, "handle").or_else(|| text(a, "url")).map(|h| {
            let handle = fold(h.trim_start_matches('@'));
            c.online(format!("{platform}:{handle}"), format!("{platform}: {h}"))
        });
        owner(c, account, a, |_| LinkKind::Uses);
    }
    for p in items(answers, "phones_or_online") {
        match (text(p, "type"), text(p, "value")) {
            (Some("PHONE"), Some(v)) => {
                c.number(v);
            }
            (Some(_), Some(v)) => {
                let handle = fold(v.trim_start_matches('@'));
                c.online(format!("unknown:{handle}"), v.to_string());
            }
            _ => {}
        }
    }
    for item in items(answers, "locations") {
        let places = c.place(item);
        if let Some(who) = text(item, "linked_person") {
            if let Some(p) = whose(who, &people) {
                let kind = place_link(who, text(item, "location_type"));
                for place in &places {
                    c.relate(p, *place, kind);
                }
            }
        }
    }
    // The community form's places are where it happened: everyone in the report was seen there.
    for item in items(answers, "places") {
        for place in c.place(item) {
            for (p, _) in &people {
                c.relate(*p, place, LinkKind::SeenAt);
            }
        }
    }
    for (a, _) in &people {
        for (b, _) in &people {
            let (ma, mb) = (&c.mentions[*a], &c.mentions[*b]);
            if ma.child == Some(true) && mb.child == Some(false) {
                c.relate(*a, *b, LinkKind::SeenWith);
            }
        }
    }
}
