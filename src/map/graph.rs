//! The link graph: entities merged on their keys, links between entities named in the same
//! submission, possible links with reasons, clusters (connected components, with petgraph's
//! union-find) ranked by size, per-locality hotspots and a timeline.

use super::entities::{Kind, Submission};
use petgraph::unionfind::UnionFind;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    pub id: usize,
    pub kind: Kind,
    pub key: String,
    pub label: String,
    pub references: BTreeSet<String>,
    pub localities: BTreeSet<String>,
}

/// Where a link was seen: so an officer can go back to the source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Sighting {
    pub reference: String,
    pub date: String,
    pub form: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub source: usize,
    pub target: usize,
    pub seen: Vec<Sighting>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PossibleLink {
    pub source: usize,
    pub target: usize,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct MapGraph {
    pub entities: Vec<Entity>,
    pub links: Vec<Link>,
    pub possible_links: Vec<PossibleLink>,
    /// Entity ids per cluster, largest first; single entities are not clusters.
    pub clusters: Vec<Vec<usize>>,
    /// Submissions per locality.
    pub hotspots: BTreeMap<String, usize>,
    /// Submissions per day.
    pub timeline: BTreeMap<String, usize>,
    pub submissions: usize,
}

/// Whether a partial plate (`?` for unknown characters) could be this full one.
fn plate_matches(partial: &str, full: &str) -> bool {
    partial.len() == full.len()
        && partial
            .chars()
            .zip(full.chars())
            .all(|(p, f)| p == '?' || p == f)
}

pub fn build(submissions: &[Submission]) -> MapGraph {
    let mut index: HashMap<(Kind, String), usize> = HashMap::new();
    let mut entities: Vec<Entity> = Vec::new();
    let mut links: BTreeMap<(usize, usize), Vec<Sighting>> = BTreeMap::new();
    let mut hotspots = BTreeMap::new();
    let mut timeline = BTreeMap::new();
    let mut people: Vec<(usize, String, Option<String>)> = Vec::new();
    for s in submissions {
        for l in s.localities.iter().filter(|l| *l != "UNKNOWN") {
            *hotspots.entry(l.clone()).or_insert(0) += 1;
        }
        *timeline.entry(s.date.clone()).or_insert(0) += 1;
        let mut ids = Vec::with_capacity(s.mentions.len());
        for m in &s.mentions {
            let id = *index.entry((m.kind, m.key.clone())).or_insert_with(|| {
                entities.push(Entity {
                    id: entities.len(),
                    kind: m.kind,
                    key: m.key.clone(),
                    label: m.label.clone(),
                    references: BTreeSet::new(),
                    localities: BTreeSet::new(),
                });
                if let Some(name) = &m.full_name {
                    people.push((entities.len() - 1, name.clone(), m.dob.clone()));
                }
                entities.len() - 1
            });
            entities[id].references.insert(s.reference.clone());
            entities[id]
                .localities
                .extend(s.localities.iter().filter(|l| *l != "UNKNOWN").cloned());
            ids.push(id);
        }
        ids.sort_unstable();
        ids.dedup();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                links.entry((*a, *b)).or_default().push(Sighting {
                    reference: s.reference.clone(),
                    date: s.date.clone(),
                    form: s.form.clone(),
                });
            }
        }
    }

    // Possible links: the same full name under different keys, and partial plates.
    let mut possible = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<(usize, Option<&str>)>> = BTreeMap::new();
    for (id, name, dob) in &people {
        by_name
            .entry(name.as_str())
            .or_default()
            .push((*id, dob.as_deref()));
    }
    // Each same-named person is proposed against the first one seen: a common name in a large
    // set gives one link per person, not one per pair.
    for group in by_name.values() {
        let Some((first, first_dob)) = group.first() else {
            continue;
        };
        for (b, db) in &group[1..] {
            let reason = match (first_dob, db) {
                (Some(x), Some(y)) if x != y => "same name, different date of birth",
                (Some(_), Some(_)) => continue,
                _ => "same name, date of birth not given in one or both",
            };
            possible.push(PossibleLink {
                source: *first,
                target: *b,
                reason: reason.into(),
            });
        }
    }
    let plates: Vec<&Entity> = entities
        .iter()
        .filter(|e| e.kind == Kind::Vehicle)
        .collect();
    for p in plates.iter().filter(|e| e.key.contains('?')) {
        for f in plates.iter().filter(|e| !e.key.contains('?')) {
            if plate_matches(&p.key, &f.key) {
                possible.push(PossibleLink {
                    source: p.id,
                    target: f.id,
                    reason: "partial plate matches this registration".into(),
                });
            }
        }
    }

    let mut uf = UnionFind::<usize>::new(entities.len());
    for (a, b) in links.keys() {
        uf.union(*a, *b);
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for e in &entities {
        groups.entry(uf.find(e.id)).or_default().push(e.id);
    }
    let mut clusters: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    clusters.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));

    MapGraph {
        links: links
            .into_iter()
            .map(|((source, target), seen)| Link {
                source,
                target,
                seen,
            })
            .collect(),
        entities,
        possible_links: possible,
        clusters,
        hotspots,
        timeline,
        submissions: submissions.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_plates_match_by_position() {
        assert!(plate_matches("YX??KCD", "YX21KCD"));
        assert!(!plate_matches("YX??KCD", "YX21KCE"));
        assert!(!plate_matches("YX?KCD", "YX21KCD"));
    }
}
