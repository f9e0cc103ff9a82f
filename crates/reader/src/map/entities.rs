//! Entities named in one submission, each with the exact normalised key that merges it with the
//! same entity elsewhere.

use crate::document::Header;
use serde::Serialize;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

mod collect;
use collect::{people_and_things, Collector};

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
mod tests;
