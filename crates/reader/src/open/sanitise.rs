//! The restricted view an officer shares: the full document with the answers that could
//! identify the source removed, built on the officer's machine from the decrypted document.
//! Removals are paths as the report names them (`people[1]`, `locations[0].address_line1`,
//! `submitter.full_name`). A path that names nothing is an error, never ignored: a typo must not
//! leave the source's name in what is shared.

use crate::forms::spec::FormSpec;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One thing to remove from a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Removal {
    /// A whole answer: `summary`, `submitter.full_name`, or a whole group such as `people`.
    Answer(String),
    /// One item of a repeatable group: `people[1]`.
    Item { group: String, index: usize },
    /// One answer within an item: `locations[0].address_line1`.
    ItemField {
        group: String,
        index: usize,
        field: String,
    },
    /// The agency a partner token named (`submitted_via`): it identifies the submitter.
    SubmittedVia,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SanitiseError {
    /// Not a path: `what` is the text given.
    Syntax(String),
    /// A path that names nothing in this document.
    NotInDocument(String),
}

impl std::fmt::Display for SanitiseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SanitiseError::Syntax(p) => write!(
                f,
                "`{p}` is not a path such as people[1], locations[0].address_line1 or submitter.full_name"
            ),
            SanitiseError::NotInDocument(p) => write!(f, "`{p}` is not in this document"),
        }
    }
}

impl std::error::Error for SanitiseError {}

impl Removal {
    pub fn parse(path: &str) -> Result<Removal, SanitiseError> {
        let bad = || SanitiseError::Syntax(path.to_string());
        let is_id = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        };
        if path == "submitted_via" {
            return Ok(Removal::SubmittedVia);
        }
        let Some((group, rest)) = path.split_once('[') else {
            return if is_id(path) {
                Ok(Removal::Answer(path.to_string()))
            } else {
                Err(bad())
            };
        };
        let (index, field) = rest.split_once(']').ok_or_else(bad)?;
        let index: usize = index
            .parse()
            .ok()
            .filter(|_| index.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(bad)?;
        if !is_id(group) || group.contains('.') {
            return Err(bad());
        }
        match field {
            "" => Ok(Removal::Item {
                group: group.to_string(),
                index,
            }),
            f => match f.strip_prefix('.') {
                Some(sub) if is_id(sub) && !sub.contains('.') => Ok(Removal::ItemField {
                    group: group.to_string(),
                    index,
                    field: sub.to_string(),
                }),
                _ => Err(bad()),
            },
        }
    }

    /// The path as the report and `share --remove` write it.
    pub fn path(&self) -> String {
        match self {
            Removal::Answer(id) => id.clone(),
            Removal::Item { group, index } => format!("{group}[{index}]"),
            Removal::ItemField {
                group,
                index,
                field,
            } => format!("{group}[{index}].{field}"),
            Removal::SubmittedVia => "submitted_via".into(),
        }
    }
}

/// What is left to share, and what was taken out (in path order).
#[derive(Debug, Clone)]
pub struct Sanitised {
    pub document: Value,
    pub removed: Vec<String>,
}

/// The answers a restricted view leaves out unless the officer keeps them: every answer in a
/// section the form marks as identifying the submitter or source ("About you", "How you know
/// this", "Can we contact you?"), and the partner agency that sent it (DOMAIN.md §9.2).
pub fn default_removals(doc: &Value, spec: Option<&FormSpec>) -> Vec<Removal> {
    let answers = doc.get("answers").and_then(Value::as_object);
    let mut out: Vec<Removal> = spec
        .into_iter()
        .flat_map(|s| &s.sections)
        .filter(|sec| sec.sensitive)
        .flat_map(|sec| &sec.fields)
        .filter(|f| answers.is_some_and(|a| a.contains_key(&f.id)))
        .map(|f| Removal::Answer(f.id.clone()))
        .collect();
    if doc.get("submitted_via").is_some() {
        out.push(Removal::SubmittedVia);
    }
    out
}

/// Where an answer path (`details`, `people[1].description`) stands after the removals: gone,
/// or at its new index.
fn moved(
    path: &str,
    gone_answers: &BTreeSet<String>,
    gone_fields: &BTreeSet<(String, usize, String)>,
    renumber: &BTreeMap<String, Vec<Option<usize>>>,
) -> Option<String> {
    match Removal::parse(path).ok()? {
        Removal::Answer(id) => (!gone_answers.contains(&id)).then_some(id),
        Removal::Item { group, .. } | Removal::ItemField { group, .. }
            if gone_answers.contains(&group) =>
        {
            None
        }
        Removal::Item { group, index } => {
            let new = match renumber.get(&group) {
                Some(map) => (*map.get(index)?)?,
                None => index,
            };
            Some(format!("{group}[{new}]"))
        }
        Removal::ItemField {
            group,
            index,
            field,
        } => {
            if gone_fields.contains(&(group.clone(), index, field.clone())) {
                return None;
            }
            let new = match renumber.get(&group) {
                Some(map) => (*map.get(index)?)?,
                None => index,
            };
            Some(format!("{group}[{new}].{field}"))
        }
        Removal::SubmittedVia => None,
    }
}

/// Each group's items' new places (`None` for an item removed).
type Renumbered = BTreeMap<String, Vec<Option<usize>>>;

/// What the removals name, each path checked against the full document.
#[derive(Default)]
struct Gone {
    answers: BTreeSet<String>,
    items: BTreeMap<String, BTreeSet<usize>>,
    fields: BTreeSet<(String, usize, String)>,
    via: bool,
}

/// Every path checked against the full document before anything is removed, so that one that
/// names nothing stops the view instead of leaving something in it.
fn checked(
    doc: &Value,
    answers: &Map<String, Value>,
    removals: &[Removal],
) -> Result<Gone, SanitiseError> {
    let mut gone = Gone::default();
    for r in removals {
        let missing = || SanitiseError::NotInDocument(r.path());
        let item = |group: &str, index: usize| {
            answers
                .get(group)
                .and_then(Value::as_array)
                .and_then(|a| a.get(index))
                .and_then(Value::as_object)
        };
        match r {
            Removal::Answer(id) => {
                answers.get(id).ok_or_else(missing)?;
                gone.answers.insert(id.clone());
            }
            Removal::Item { group, index } => {
                item(group, *index).ok_or_else(missing)?;
                gone.items.entry(group.clone()).or_default().insert(*index);
            }
            Removal::ItemField {
                group,
                index,
                field,
            } => {
                item(group, *index)
                    .and_then(|i| i.get(field))
                    .ok_or_else(missing)?;
                gone.fields.insert((group.clone(), *index, field.clone()));
            }
            Removal::SubmittedVia => {
                doc.get("submitted_via").ok_or_else(missing)?;
                gone.via = true;
            }
        }
    }
    Ok(gone)
}

/// The answers that stay, and for each group each item's new place (`None` when removed).
fn kept_answers(answers: &Map<String, Value>, gone: &Gone) -> (Map<String, Value>, Renumbered) {
    let mut renumber = Renumbered::new();
    let mut kept_answers = Map::new();
    for (id, v) in answers {
        if gone.answers.contains(id) {
            continue;
        }
        let Some(items) = v.as_array() else {
            kept_answers.insert(id.clone(), v.clone());
            continue;
        };
        let drop = gone.items.get(id);
        let mut map = Vec::with_capacity(items.len());
        let mut kept = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if drop.is_some_and(|d| d.contains(&i)) {
                map.push(None);
                continue;
            }
            map.push(Some(kept.len()));
            let mut item = item.clone();
            if let Some(obj) = item.as_object_mut() {
                for (g, n, f) in &gone.fields {
                    if g == id && *n == i {
                        obj.remove(f);
                    }
                }
            }
            kept.push(item);
        }
        renumber.insert(id.clone(), map);
        // A group with every item removed is removed, so no empty heading says it was there.
        if !kept.is_empty() {
            kept_answers.insert(id.clone(), Value::Array(kept));
        }
    }
    (kept_answers, renumber)
}

/// The narrative spans, validation notes and languages moved to where their answers now are;
/// those on something removed go with it.
fn follow_paths(obj: &mut Map<String, Value>, gone: &Gone, renumber: &Renumbered) {
    for key in ["narrative", "notes", "languages"] {
        let Some(list) = obj.get(key).and_then(Value::as_array).cloned() else {
            continue;
        };
        let kept: Vec<Value> = list
            .into_iter()
            .filter_map(|mut entry| {
                let path = entry.get("field")?.as_str()?.to_string();
                // The language of the account as a whole names no answer.
                if path.is_empty() {
                    return Some(entry);
                }
                let new = moved(&path, &gone.answers, &gone.fields, renumber)?;
                entry["field"] = Value::String(new);
                Some(entry)
            })
            .collect();
        obj.insert(key.into(), Value::Array(kept));
    }
}

/// The document without what `removals` name. Items removed from a group close up (what was
/// `people[2]` becomes `people[1]`), and the narrative spans and validation notes follow them;
/// a span or note on something removed goes with it. The gateway's signature goes too: it
/// covers the full document, and the view is no longer that.
pub fn sanitise(doc: &Value, removals: &[Removal]) -> Result<Sanitised, SanitiseError> {
    let mut out = doc.clone();
    let empty = Map::new();
    let answers = doc
        .get("answers")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let gone = checked(doc, answers, removals)?;
    let (kept_answers, renumber) = kept_answers(answers, &gone);
    let Some(obj) = out.as_object_mut() else {
        return Ok(Sanitised {
            document: out,
            removed: Vec::new(),
        });
    };
    obj.insert("answers".into(), Value::Object(kept_answers));
    obj.remove("signature");
    // The original files' SHA-256, sizes and pixel dimensions identify them (and so, often,
    // the source): a restricted view carries no file, so no fact about one either.
    obj.remove("attachments");
    if gone.via {
        obj.remove("submitted_via");
    }
    follow_paths(obj, &gone, &renumber);
    let mut removed: Vec<String> = removals.iter().map(Removal::path).collect();
    removed.sort();
    removed.dedup();
    Ok(Sanitised {
        document: out,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::FormRegistry;
    use serde_json::json;

    fn doc() -> Value {
        let mut d = super::super::tests::professional();
        d["signature"] = json!({"key": "k", "sig": "s"});
        d["submitted_via"] = json!({"agency": "nycc-social-care"});
        d["answers"]["people"][1]["description"] = json!("Tall. He has a knife now.");
        d["answers"]["people"]
            .as_array_mut()
            .expect("people")
            .push(json!({"role": "WITNESS", "forename": "Ann", "description": "Saw it all."}));
        d["narrative"] = json!([
            {"reason": "narrative_weapons_now", "field": "people[1].description", "start": 6, "end": 25},
            {"reason": "narrative_weapons_now", "field": "details", "start": 74, "end": 138}
        ]);
        d["notes"] = json!([
            {"field": "phones[0].number", "code": "partial_phone"},
            {"field": "people[2].description", "code": "test_note"}
        ]);
        d
    }

    fn paths(ps: &[&str]) -> Vec<Removal> {
        ps.iter()
            .map(|p| Removal::parse(p).expect("path"))
            .collect()
    }

    #[test]
    fn paths_parse_as_the_report_writes_them() {
        assert_eq!(
            Removal::parse("people[1]"),
            Ok(Removal::Item {
                group: "people".into(),
                index: 1
            })
        );
        assert_eq!(
            Removal::parse("locations[0].address_line1"),
            Ok(Removal::ItemField {
                group: "locations".into(),
                index: 0,
                field: "address_line1".into()
            })
        );
        assert_eq!(
            Removal::parse("submitter.full_name"),
            Ok(Removal::Answer("submitter.full_name".into()))
        );
        for bad in [
            "",
            "people[",
            "people[x]",
            "people[-1]",
            "people[+1]",
            "people[1]x",
            "people[1].",
            "a b",
            "people[1].a.b",
            "people[1][2]",
            "../answers",
        ] {
            assert_eq!(
                Removal::parse(bad),
                Err(SanitiseError::Syntax(bad.into())),
                "{bad}"
            );
        }
        for p in [
            "people[1]",
            "locations[0].address_line1",
            "summary",
            "submitted_via",
        ] {
            assert_eq!(Removal::parse(p).expect("parses").path(), p);
        }
    }

    #[test]
    fn removed_items_close_up_and_their_spans_and_notes_follow() {
        let s = sanitise(
            &doc(),
            &paths(&["people[1]", "locations[0].postcode", "submitter.full_name"]),
        )
        .expect("sanitised");
        let d = &s.document;
        let people = d["answers"]["people"].as_array().expect("people");
        assert_eq!(people.len(), 2);
        assert_eq!(people[0]["forename"], "Jay");
        assert_eq!(people[1]["forename"], "Ann", "people[2] is now people[1]");
        assert!(d["answers"]["locations"][0].get("postcode").is_none());
        assert_eq!(
            d["answers"]["locations"][0]["description_landmark"],
            "Lay-by opposite the school gates"
        );
        assert!(d["answers"].get("submitter.full_name").is_none());
        assert_eq!(
            d["answers"]["submitter.job_title"],
            "Designated Safeguarding Lead"
        );
        assert_eq!(
            d["narrative"],
            json!([{"reason": "narrative_weapons_now", "field": "details", "start": 74, "end": 138}]),
            "the span inside the removed person goes with them"
        );
        assert_eq!(
            d["notes"],
            json!([
                {"field": "phones[0].number", "code": "partial_phone"},
                {"field": "people[1].description", "code": "test_note"}
            ])
        );
        assert!(
            d.get("signature").is_none(),
            "the signature covered the full view"
        );
        assert_eq!(
            d["submitted_via"],
            doc()["submitted_via"],
            "kept unless removed"
        );
        assert_eq!(
            s.removed,
            vec!["locations[0].postcode", "people[1]", "submitter.full_name"]
        );
        let shown = serde_json::to_string(d).expect("json");
        for gone in ["Big T", "Tall. He has a knife now.", "YO24 3BZ", "Siobhán"] {
            assert!(!shown.contains(gone), "{gone} still there");
        }
    }

    #[test]
    fn the_language_of_a_removed_answer_goes_with_it() {
        let mut d = doc();
        d["languages"] = json!([
            {"field": "people[1].description", "code": "pl", "name": "Polish", "read": true},
            {"field": "people[2].description", "code": "fra", "name": "French", "read": false},
            {"field": "", "code": "ro", "name": "Romanian", "read": true}
        ]);
        let s = sanitise(&d, &paths(&["people[1]"])).expect("sanitised");
        assert_eq!(
            s.document["languages"],
            json!([
                {"field": "people[1].description", "code": "fra", "name": "French", "read": false},
                {"field": "", "code": "ro", "name": "Romanian", "read": true}
            ])
        );
    }

    #[test]
    fn a_path_that_names_nothing_removes_nothing_and_says_so() {
        for p in [
            "people[7]",
            "people[0].shoe_size",
            "nothing_here",
            "phones[0].number.x",
        ] {
            let r = Removal::parse(p).and_then(|r| sanitise(&doc(), &[r]));
            assert!(
                matches!(r, Err(SanitiseError::NotInDocument(ref x) | SanitiseError::Syntax(ref x)) if x == p),
                "{p}: {r:?}"
            );
        }
        let mut d = doc();
        d.as_object_mut().expect("object").remove("submitted_via");
        assert_eq!(
            sanitise(&d, &[Removal::SubmittedVia]).map(|s| s.removed),
            Err(SanitiseError::NotInDocument("submitted_via".into()))
        );
    }

    #[test]
    fn a_shared_view_carries_no_facts_about_the_evidence_files() {
        let mut d = doc();
        d["attachments"] = json!([{"n": 1, "sha256": "ab12", "size": 52_311, "width": 4032,
                                   "height": 3024, "media_type": "image/jpeg"}]);
        let s = sanitise(&d, &[]).expect("sanitised");
        assert!(s.document.get("attachments").is_none(), "{}", s.document);
        assert!(!s.document.to_string().contains("4032"));
        assert!(s.removed.is_empty(), "not a removal the officer chose");
    }

    #[test]
    fn a_group_with_every_item_removed_is_gone() {
        let s = sanitise(&doc(), &paths(&["phones[0]", "vehicles"])).expect("sanitised");
        assert!(s.document["answers"].get("phones").is_none());
        assert!(s.document["answers"].get("vehicles").is_none());
        assert_eq!(
            s.document["notes"],
            json!([{"field": "people[2].description", "code": "test_note"}])
        );
    }

    #[test]
    fn the_default_removals_are_the_source_identifying_sections_and_the_agency() {
        let forms = FormRegistry::built_in().expect("forms");
        let d = doc();
        let spec = forms.get("professional").map(|s| s.as_ref());
        let defaults = default_removals(&d, spec);
        let names: Vec<String> = defaults.iter().map(Removal::path).collect();
        for must in [
            "submitter.full_name",
            "submitter.work_email",
            "submitter.phone",
            "provenance.how_known",
            "source_protection.source_identifiable",
            "handling.restrictions",
            "submitted_via",
        ] {
            assert!(names.iter().any(|n| n == must), "{must} in {names:?}");
        }
        assert!(!names.iter().any(|n| n == "summary" || n == "people"));
        let s = sanitise(&d, &defaults).expect("sanitised");
        let shown = serde_json::to_string(&s.document).expect("json");
        for gone in [
            "Siobhán",
            "dsl@example.sch.uk",
            "nycc-social-care",
            "CCTV from the school gate",
        ] {
            assert!(!shown.contains(gone), "{gone}");
        }
        assert_eq!(
            s.document["answers"]["summary"],
            "Pupil seen collecting packages from a car outside school"
        );
        let community = super::super::tests::community();
        let names: Vec<String> =
            default_removals(&community, forms.get("community").map(|s| s.as_ref()))
                .iter()
                .map(Removal::path)
                .collect();
        assert!(
            names.contains(&"risk_to_you_details".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"contact_ok".to_string()), "{names:?}");
    }
}
