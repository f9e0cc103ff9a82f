//! Entities named in one submission, each with the exact normalised key that merges it with the
//! same entity elsewhere.

use super::address;
use crate::document::Header;
use crate::forms::{phone, postcode, vrm};
use serde::Serialize;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Person,
    Vehicle,
    Phone,
    Online,
    /// Only so a `Mention` can be built field by field (`..Mention::default()`); every mention
    /// sets its own kind.
    #[default]
    Place,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Vehicle => "vehicle",
            Kind::Phone => "phone",
            Kind::Online => "online",
            Kind::Place => "place",
        }
    }
}

/// What a link says, read from the form's structure. Ordered strongest first: a link seen as
/// several types is shown as the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Owns,
    Drives,
    Uses,
    LivesAt,
    WorksAt,
    SeenAt,
    SeenWith,
    PartOf,
    /// Only named in the same report: the weak link, hidden on the page until asked for.
    NamedTogether,
}

impl LinkKind {
    pub const ALL: [LinkKind; 9] = [
        LinkKind::Owns,
        LinkKind::Drives,
        LinkKind::Uses,
        LinkKind::LivesAt,
        LinkKind::WorksAt,
        LinkKind::SeenAt,
        LinkKind::SeenWith,
        LinkKind::PartOf,
        LinkKind::NamedTogether,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            LinkKind::Owns => "owns",
            LinkKind::Drives => "drives",
            LinkKind::Uses => "uses",
            LinkKind::LivesAt => "lives at",
            LinkKind::WorksAt => "works at",
            LinkKind::SeenAt => "seen at",
            LinkKind::SeenWith => "seen with",
            LinkKind::PartOf => "part of",
            LinkKind::NamedTogether => "named together",
        }
    }

    /// One bit per type, for a link's set of types.
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The strongest type among `bits` (named together when none).
    pub fn strongest(bits: u16) -> LinkKind {
        LinkKind::ALL
            .into_iter()
            .find(|k| bits & k.bit() != 0)
            .unwrap_or(LinkKind::NamedTogether)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// Nicknames and "known as" names given for this person, as typed.
    pub aliases: Vec<String>,
    /// The years a person can have been born in, from a date of birth or an age band at the
    /// time of the event.
    pub born: Option<(i32, i32)>,
    /// Whether a person is a child (`Some(true)`) or an adult, where the report says.
    pub child: Option<bool>,
    /// What it is part of: a flat's building, a building's street (the index of its mention
    /// in the same submission).
    pub within: Option<usize>,
    /// Only implied by another mention (the street of a building given with its number): it
    /// is linked by its part-of link alone, not named together with the rest of the report.
    pub implied: bool,
    /// A date of its own (the day a vehicle was seen), else the report's event date applies.
    pub date: Option<String>,
}

/// A typed link the form's structure gives between two mentions (indices into `mentions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub a: usize,
    pub b: usize,
    pub kind: LinkKind,
}

#[derive(Debug, Clone)]
pub struct Submission {
    pub reference: String,
    /// The day received, `YYYY-MM-DD`.
    pub date: String,
    /// The day it happened, as the report gives it (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), else
    /// the day received.
    pub event: String,
    pub form: String,
    pub priority: String,
    pub localities: Vec<String>,
    pub mentions: Vec<Mention>,
    /// Typed links; pairs not listed are only named together.
    pub relations: Vec<Relation>,
    /// Evidence files sealed with it (photos, screenshots, documents), as its document lists.
    pub attachments: usize,
    /// What it is about: the form's concern categories (option codes).
    pub categories: Vec<String>,
}

/// The form's categories: option codes only (capitals, digits and `_`), so nothing else a
/// document holds reaches the pack under that name.
fn categories(answers: &Value) -> Vec<String> {
    ["concern_categories", "worry_type"]
        .iter()
        .filter_map(|k| answers.get(*k))
        .flat_map(|v| match v {
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>(),
            Value::String(s) => vec![s.as_str()],
            _ => Vec::new(),
        })
        .filter(|c| {
            !c.is_empty()
                && c.len() <= 60
                && c.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
        .map(str::to_string)
        .collect()
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

/// A form date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), or `None` for anything else: only a
/// well-formed date reaches the outputs and the timeline.
fn date(v: &Value, k: &str) -> Option<String> {
    let d = text(v, k)?;
    let ok = matches!(d.len(), 4 | 7 | 10)
        && d.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    ok.then(|| d.to_string())
}

fn year(d: &str) -> Option<i32> {
    d.get(..4)?.parse().ok()
}

fn mention(kind: Kind, key: String, label: String) -> Mention {
    Mention {
        kind,
        key,
        label,
        ..Mention::default()
    }
}

/// A name with its "known as" part taken out: "Tyler Reeve (Big T)", "Tyler aka Big T" and
/// "Tyler Reeve, known as Big T" give the name and the alias.
fn known_as(name: &str) -> (String, Option<String>) {
    let trimmed = name.trim_end();
    if let Some((n, rest)) = trimmed
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once('('))
        .filter(|(n, _)| !n.trim().is_empty())
    {
        let alias = rest.trim();
        let alias = alias
            .strip_prefix("aka ")
            .or_else(|| alias.strip_prefix("known as "))
            .unwrap_or(alias);
        return (n.trim().to_string(), Some(alias.trim().to_string()));
    }
    let lower = name.to_lowercase();
    for marker in [", known as ", " known as ", " a.k.a. ", " aka "] {
        if let Some(at) = lower.find(marker) {
            // The marker is ASCII, so `at` and its length are byte offsets in `name` too.
            let alias = name[at + marker.len()..].trim();
            return (
                name[..at].trim().trim_end_matches(',').to_string(),
                Some(alias.to_string()),
            );
        }
    }
    (name.to_string(), None)
}

/// The years a person of this age band can have been born in, the event being in `year`.
fn band(code: &str, year: i32) -> Option<(i32, i32)> {
    let (lo, hi) = match code {
        "AGE_UNDER_10" => (0, 9),
        "AGE_10_12" => (10, 12),
        "AGE_13_15" => (13, 15),
        "AGE_16_17" => (16, 17),
        "AGE_18_20" => (18, 20),
        "AGE_21_24" => (21, 24),
        "AGE_25_29" => (25, 29),
        "AGE_30_39" => (30, 39),
        "AGE_40_49" => (40, 49),
        "AGE_50_59" => (50, 59),
        "AGE_60_PLUS" => (60, 120),
        _ => return None,
    };
    // Born in year - hi - 1 at the earliest (a birthday still to come), year - lo at the latest.
    Some((year - hi - 1, year - lo))
}

/// The entities of one submission and the typed links between them, one mention per entity.
struct Collector {
    reference: String,
    locality: String,
    event_year: Option<i32>,
    mentions: Vec<Mention>,
    relations: Vec<Relation>,
    index: std::collections::HashMap<(Kind, String), usize>,
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
fn people_and_things(c: &mut Collector, answers: &Value) {
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

/// What the map keeps of one document: its header's facts and the entities of its answers.
pub fn extract(header: &Header<'_>, answers: &Value) -> Submission {
    let reference = header.reference.as_str().to_string();
    let received: String = header.received_at.date().to_string();
    let event = date(answers, "event_date").or_else(|| date(answers, "when"));
    let localities: Vec<String> = header.localities.iter().map(|l| l.to_string()).collect();
    let mut c = Collector {
        reference: reference.clone(),
        locality: localities
            .iter()
            .find(|l| *l != "UNKNOWN")
            .cloned()
            .unwrap_or_default(),
        event_year: event.as_deref().or(Some(received.as_str())).and_then(year),
        mentions: Vec::new(),
        relations: Vec::new(),
        index: std::collections::HashMap::new(),
    };
    people_and_things(&mut c, answers);
    let mut relations = c.relations;
    relations.sort_unstable_by_key(|r| (r.a, r.b, r.kind));
    relations.dedup();
    Submission {
        attachments: header.attachments,
        categories: categories(answers),
        event: event.unwrap_or_else(|| received.clone()),
        date: received,
        form: header.form.to_string(),
        priority: header.priority.as_str().to_string(),
        localities,
        reference,
        mentions: c.mentions,
        relations,
    }
}

/// [`extract`] from a test's JSON, its header completed where the test leaves it out.
#[cfg(test)]
pub(crate) fn extract_json(doc: &Value) -> Submission {
    let mut doc = doc.clone();
    let defaults = serde_json::json!({"schema": crate::document::SCHEMA, "form": "professional",
        "form_version": 2, "priority": "ROUTINE", "route": "police_intelligence", "view": "full",
        "localities": [], "answers": {}, "received_at": "2026-11-01T10:00:00Z"});
    for (k, v) in defaults.as_object().into_iter().flatten() {
        if doc.get(k).is_none() {
            doc[k] = v.clone();
        }
    }
    let header = Header::from_value(&doc).expect("a test document's header");
    extract(&header, &doc["answers"])
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
}
