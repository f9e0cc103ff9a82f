//! Entity resolution with the analyst in charge. People with the same full name and no date of
//! birth or age that disagrees become one "possible same" entity, with the evidence for it; a
//! person known only by a nickname joins the one named person who has that nickname. Anything
//! less sure is a possible link, never a merge. Then the analyst's decisions (the workspace)
//! are applied on top: their merges join, their splits keep an entity out of automatic joining.

use super::graph::{Entity, PossibleLink};
use super::workspace::Decisions;
use petgraph::unionfind::UnionFind;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};

/// What the resolution knows of one person entity (as built from its mentions).
#[derive(Debug, Clone, Default)]
pub struct PersonFacts {
    /// Full name, folded (two words or more).
    pub full_name: Option<String>,
    pub dob: Option<String>,
    /// Years of birth that fit every mention.
    pub born: Option<(i32, i32)>,
    /// No name given at all: known only by a nickname (or not at all).
    pub nameless: bool,
}

/// Entities joined, why, and what is only possibly the same.
pub struct Resolution {
    pub uf: UnionFind<usize>,
    /// Evidence per joined group, by any member's id (looked up through `uf`).
    pub evidence: FxHashMap<usize, Vec<String>>,
    pub possible: Vec<PossibleLink>,
    /// Workspace decisions that named an entity of this map, and those that named none.
    pub applied: usize,
    pub unknown: usize,
}

/// One group of same-named people being put together.
struct Group {
    members: Vec<usize>,
    dob: Option<String>,
    born: Option<(i32, i32)>,
}

fn conflict(g: &Group, p: &PersonFacts) -> Option<&'static str> {
    if let (Some(a), Some(b)) = (&g.dob, &p.dob) {
        if a != b {
            return Some("same name, different date of birth");
        }
    }
    if let (Some((a0, a1)), Some((b0, b1))) = (g.born, p.born) {
        if a1 < b0 || b1 < a0 {
            return Some("same name, ages do not agree");
        }
    }
    None
}

pub(super) fn narrow(a: Option<(i32, i32)>, b: Option<(i32, i32)>) -> Option<(i32, i32)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.max(b0), a1.min(b1))),
        (x, None) | (None, x) => x,
    }
}

fn identity(e: &Entity) -> String {
    format!("{}:{}", e.kind.as_str(), e.key)
}

/// Joins same-named people (see the module's comment), then applies `decisions`.
/// `find` gives the entity of an identity (`kind:key`).
pub fn resolve(
    entities: &[Entity],
    people: &FxHashMap<usize, PersonFacts>,
    decisions: &Decisions,
    find: &dyn Fn(&str) -> Option<usize>,
) -> Resolution {
    let mut uf = UnionFind::<usize>::new(entities.len());
    let mut evidence: FxHashMap<usize, Vec<String>> = FxHashMap::default();
    let mut possible = Vec::new();
    let kept_apart = |id: usize| {
        !decisions.splits.is_empty() && decisions.splits.contains(&identity(&entities[id]))
    };
    let mut ids: Vec<usize> = people.keys().copied().collect();
    ids.sort_unstable();
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for id in &ids {
        if let Some(n) = &people[id].full_name {
            by_name.entry(n.as_str()).or_default().push(*id);
        }
    }
    // Each person's group's first member, for the nickname step.
    let mut leader: HashMap<usize, usize> = HashMap::new();
    for members in by_name.values() {
        let mut groups: Vec<Group> = Vec::new();
        for id in members {
            let p = &people[id];
            // One group that fits is a join; two or more already make it ambiguous.
            let fits: Vec<usize> = (0..groups.len())
                .filter(|g| conflict(&groups[*g], p).is_none())
                .take(2)
                .collect();
            match fits.as_slice() {
                [g] if !kept_apart(*id) && !kept_apart(groups[*g].members[0]) => {
                    let g = &mut groups[*g];
                    g.members.push(*id);
                    g.dob = g.dob.take().or_else(|| p.dob.clone());
                    g.born = narrow(g.born, p.born);
                }
                _ => {
                    // Possibly the same as the first group of this name: why it is not joined.
                    if let Some(first) = groups.first() {
                        possible.push(PossibleLink {
                            source: first.members[0],
                            target: *id,
                            reason: conflict(first, p).unwrap_or(
                                if kept_apart(*id) || kept_apart(first.members[0]) {
                                    "same name, kept apart by the analyst"
                                } else {
                                    "same name, could be more than one person"
                                },
                            ),
                        });
                    }
                    groups.push(Group {
                        members: vec![*id],
                        dob: p.dob.clone(),
                        born: p.born,
                    });
                }
            }
        }
        for g in &groups {
            for m in &g.members {
                uf.union(g.members[0], *m);
                leader.insert(*m, g.members[0]);
            }
            if g.members.len() > 1 {
                evidence.insert(
                    uf.find(g.members[0]),
                    same_name_evidence(entities, people, g),
                );
            }
        }
    }
    nicknames(
        entities,
        people,
        &ids,
        &kept_apart,
        &mut uf,
        &mut evidence,
        &mut possible,
    );
    let (applied, unknown) = apply(decisions, find, &mut uf, &mut evidence);
    Resolution {
        uf,
        evidence,
        possible,
        applied,
        unknown,
    }
}

fn same_name_evidence(
    entities: &[Entity],
    people: &FxHashMap<usize, PersonFacts>,
    g: &Group,
) -> Vec<String> {
    let reports: usize = g.members.iter().map(|m| entities[*m].reports.len()).sum();
    let with_dob = g
        .members
        .iter()
        .filter(|m| people[*m].dob.is_some())
        .count();
    let mut out = vec![format!(
        "possible same: the name \"{}\" in {reports} reports",
        entities[g.members[0]].label
    )];
    out.push(match &g.dob {
        Some(d) => format!(
            "date of birth {d} in {with_dob} of {} entries, none different",
            g.members.len()
        ),
        None => "no date of birth given".into(),
    });
    out.push(match g.born {
        Some((a, b)) if a == b => format!("born {a}, no age given disagrees"),
        Some((a, b)) => format!("ages given agree (born {a} to {b})"),
        None => "no age given".into(),
    });
    out
}

/// A person known only by a nickname joins the one person who has that nickname; other people
/// who share a nickname are possible links.
#[allow(clippy::too_many_arguments)]
fn nicknames(
    entities: &[Entity],
    people: &FxHashMap<usize, PersonFacts>,
    ids: &[usize],
    kept_apart: &dyn Fn(usize) -> bool,
    uf: &mut UnionFind<usize>,
    evidence: &mut FxHashMap<usize, Vec<String>>,
    possible: &mut Vec<PossibleLink>,
) {
    // Nickname → the named people (their groups' roots) who have it, in order.
    let mut named: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for id in ids.iter().filter(|id| !people[id].nameless) {
        for a in &entities[*id].aliases {
            let roots = named.entry(super::entities::fold(a)).or_default();
            let root = uf.find(*id);
            if !roots.iter().any(|r| uf.equiv(*r, root)) {
                roots.push(root);
            }
        }
    }
    for roots in named.values() {
        for r in roots.iter().skip(1) {
            possible.push(PossibleLink {
                source: roots[0],
                target: *r,
                reason: "same nickname",
            });
        }
    }
    for id in ids.iter().filter(|id| people[id].nameless) {
        let mut owners: Vec<usize> = Vec::new();
        for a in &entities[*id].aliases {
            for r in named.get(&super::entities::fold(a)).into_iter().flatten() {
                if !owners.contains(r) {
                    owners.push(*r);
                }
            }
        }
        match owners.as_slice() {
            [one] if !kept_apart(*id) => {
                let root = uf.find(*one);
                let mut ev = evidence.remove(&root).unwrap_or_default();
                ev.push(format!(
                    "possible same: known as \"{}\", a nickname only this person has",
                    entities[*id].label
                ));
                uf.union(root, *id);
                evidence.insert(uf.find(*id), ev);
            }
            // Proposed against the first owner only: a common nickname in a large set gives
            // one possible link per person, not one per pair.
            _ => {
                if let Some(o) = owners.first() {
                    possible.push(PossibleLink {
                        source: *o,
                        target: *id,
                        reason: "same nickname",
                    });
                }
            }
        }
    }
}

/// Applies the analyst's merges; counts those that name entities of this map.
fn apply(
    decisions: &Decisions,
    find: &dyn Fn(&str) -> Option<usize>,
    uf: &mut UnionFind<usize>,
    evidence: &mut FxHashMap<usize, Vec<String>>,
) -> (usize, usize) {
    let (mut applied, mut unknown) = (0, 0);
    for m in &decisions.merges {
        let found: Vec<usize> = m.iter().filter_map(|k| find(k)).collect();
        if found.len() < 2 {
            unknown += 1;
            continue;
        }
        applied += 1;
        let mut ev: Vec<String> = Vec::new();
        for f in &found {
            if let Some(e) = evidence.remove(&uf.find(*f)) {
                ev.extend(e);
            }
            uf.union(found[0], *f);
        }
        ev.push("merged by the analyst (workspace)".into());
        evidence.insert(uf.find(found[0]), ev);
    }
    (applied, unknown)
}
