use super::*;
use crate::map::entities::extract_json as extract;
use crate::map::workspace::{Decision, Workspace};
use serde_json::{json, Value};

fn doc(reference: &str, event: &str, answers: Value) -> Submission {
    let mut answers = answers;
    answers["event_date"] = json!(event);
    extract(
        &json!({"reference": reference, "received_at": "2026-11-20T10:00:00Z",
            "form": "professional", "localities": ["SCARBOROUGH"], "answers": answers}),
    )
}

fn person(name: &str, extra: Value) -> Value {
    let (f, s) = name.split_once(' ').unwrap_or((name, ""));
    let mut p = json!({"role": "PERSON_POSING_RISK", "forename": f});
    if !s.is_empty() {
        p["surname"] = json!(s);
    }
    for (k, v) in extra.as_object().into_iter().flatten() {
        p[k] = v.clone();
    }
    p
}

fn set() -> Vec<Submission> {
    vec![
        doc(
            "PIS-AAAA-0001",
            "2026-07-01",
            json!({"people": [person("Kai Brown", json!({"dob": "2009-01-01"}))]}),
        ),
        doc(
            "PIS-AAAA-0002",
            "2026-08-01",
            json!({"people": [person("kai  BROWN", json!({"age_estimate": "AGE_16_17"}))]}),
        ),
        doc(
            "PIS-AAAA-0003",
            "2026-09-01",
            json!({"people": [person("Kai Brown", json!({}))]}),
        ),
        doc(
            "PIS-AAAA-0004",
            "2026-09-02",
            json!({"people": [person("Kai Brown", json!({"age_estimate": "AGE_40_49"}))]}),
        ),
        doc(
            "PIS-AAAA-0005",
            "2026-09-03",
            json!({"people": [person("Kai Brown", json!({"dob": "2011-05-05"}))]}),
        ),
        doc(
            "PIS-AAAA-0006",
            "2026-07-10",
            json!({"people": [person("Tyler Reeve", json!({"aliases_nicknames": "Big T"}))],
                "vehicles": [{"registration": "YX21 KCD", "linked_person": "Tyler"}]}),
        ),
        doc(
            "PIS-AAAA-0007",
            "2026-10-10",
            json!({"people": [{"role": "PERSON_POSING_RISK", "nickname": "big t"}],
                "vehicles": [{"registration": "YX21 KCD", "linked_person": "Big T"}, {"registration": "YX?? KCE"}]}),
        ),
    ]
}

fn entity<'a>(g: &'a MapGraph, reference: &str, kind: Kind) -> &'a Entity {
    let r = g
        .reports
        .iter()
        .position(|r| r.reference == reference)
        .expect("report") as u32;
    g.entities
        .iter()
        .find(|e| e.kind == kind && e.reports.contains(&r))
        .expect("entity")
}

#[test]
fn same_named_people_whose_ages_agree_are_one_possible_same_person() {
    let g = build(&set());
    let kai = entity(&g, "PIS-AAAA-0001", Kind::Person);
    // Born 2009; 16 or 17 in 2026; no age: one person. 40 to 49, and born 2011: not.
    assert_eq!(
        kai.members,
        ["kai brown|2009-01-01", "PIS-AAAA-0002#0", "PIS-AAAA-0003#0"]
    );
    assert_eq!(kai.reports, [0, 1, 2]);
    assert!(
        kai.evidence[0].starts_with("possible same: the name \"Kai Brown\" in 3 reports"),
        "{:?}",
        kai.evidence
    );
    assert!(kai
        .evidence
        .iter()
        .any(|e| e.contains("date of birth 2009-01-01")));
    assert_eq!(
        (kai.first.as_str(), kai.last.as_str()),
        ("2026-07-01", "2026-09-01")
    );
    let older = entity(&g, "PIS-AAAA-0004", Kind::Person);
    let younger = entity(&g, "PIS-AAAA-0005", Kind::Person);
    assert!(older.members.is_empty() && younger.members.is_empty());
    let reasons: Vec<(usize, usize, &str)> = g
        .possible_links
        .iter()
        .map(|p| (p.source, p.target, p.reason))
        .collect();
    assert!(
        reasons.contains(&(kai.id, older.id, "same name, ages do not agree")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(kai.id, younger.id, "same name, different date of birth")),
        "{reasons:?}"
    );
}

#[test]
fn a_nickname_sits_under_its_person_and_links_are_typed_and_weighed() {
    let g = build(&set());
    let tyler = entity(&g, "PIS-AAAA-0006", Kind::Person);
    assert_eq!(tyler.label, "Tyler Reeve");
    assert_eq!(
        tyler.reports,
        [5, 6],
        "\"Big T\" alone is Tyler Reeve's nickname"
    );
    assert!(tyler.aliases.contains("Big T") && tyler.aliases.contains("big t"));
    assert!(g
        .entities
        .iter()
        .all(|e| e.label != "big t" && e.label != "Big T"));
    let plate = g
        .entities
        .iter()
        .find(|e| e.key == "YX21KCD")
        .expect("plate");
    let link = g
        .links
        .iter()
        .find(|l| (l.source, l.target) == (tyler.id.min(plate.id), tyler.id.max(plate.id)))
        .expect("a link");
    assert_eq!((link.kind(), link.seen.len()), (LinkKind::Owns, 2));
    let i = g
        .links
        .iter()
        .position(|l| std::ptr::eq(l, link))
        .expect("index");
    assert_eq!(
        g.link_span(i),
        ("2026-07-10", "2026-10-10"),
        "by event date"
    );
}

#[test]
fn a_flat_sits_under_its_building_and_the_building_under_its_street() {
    let place = |text: &str| json!({"locations": [{"address_line1": text}]});
    let g = build(&[
        doc(
            "PIS-AAAA-0011",
            "2026-07-01",
            place("Flat 2, 14 Station Parade"),
        ),
        doc("PIS-AAAA-0012", "2026-07-02", place("14 station pde")),
        doc("PIS-AAAA-0013", "2026-07-03", place("Station Parade")),
    ]);
    let by_key = |k: &str| {
        g.entities
            .iter()
            .find(|e| e.key == k)
            .unwrap_or_else(|| panic!("{k}"))
    };
    let street = by_key("street:scarborough:station parade");
    let building = by_key("building:scarborough:14 station parade");
    let flat = by_key("flat:scarborough:14 station parade:flat 2");
    assert_eq!(g.entities.len(), 3, "three places, one inside the next");
    assert_eq!(flat.within, Some(building.id));
    assert_eq!(building.within, Some(street.id));
    assert_eq!(street.within, None);
    assert_eq!(street.reports, [0, 1, 2], "each report names the street");
    let kinds: Vec<(usize, usize, LinkKind)> = g
        .links
        .iter()
        .map(|l| (l.source, l.target, l.kind()))
        .collect();
    let pair = |a: usize, b: usize| (a.min(b), a.max(b));
    let (s_b, b_f) = (pair(street.id, building.id), pair(building.id, flat.id));
    assert_eq!(
        kinds,
        [
            (s_b.0, s_b.1, LinkKind::PartOf),
            (b_f.0, b_f.1, LinkKind::PartOf)
        ]
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>(),
        "part of, and the street not named together with the flat"
    );
}

#[test]
fn the_analysts_decisions_merge_and_split() {
    let ws = Workspace {
        decisions: vec![
            Decision::Merge {
                members: vec!["vehicle:YX??KCE".into(), "vehicle:YX21KCD".into()],
            },
            Decision::Split {
                member: "person:PIS-AAAA-0003#0".into(),
            },
            Decision::Merge {
                members: vec!["person:nobody".into(), "vehicle:AB12CDE".into()],
            },
        ],
        ..Workspace::default()
    };
    let g = build_with(&set(), &ws.decisions());
    let plate = g
        .entities
        .iter()
        .find(|e| e.key == "YX21KCD")
        .expect("merged plate");
    assert_eq!(plate.members, ["YX21KCD", "YX??KCE"]);
    assert_eq!(
        plate.evidence.last().map(String::as_str),
        Some("merged by the analyst (workspace)")
    );
    assert_eq!(plate.reports, [5, 6]);
    let kai = entity(&g, "PIS-AAAA-0001", Kind::Person);
    assert_eq!(kai.members, ["kai brown|2009-01-01", "PIS-AAAA-0002#0"]);
    let apart = entity(&g, "PIS-AAAA-0003", Kind::Person);
    assert!(g.possible_links.contains(&PossibleLink {
        source: kai.id,
        target: apart.id,
        reason: "same name, kept apart by the analyst"
    }));
    assert_eq!(
        g.decisions,
        (1, 1),
        "one merge applied, one naming nothing here"
    );
}
