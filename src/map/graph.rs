//! The link graph: entities merged on their keys, links between entities named in the same
//! submission, possible links with reasons, clusters (connected components, with petgraph's
//! union-find) ranked by size, per-locality hotspots and a timeline.
//!
//! Sized for a county's years of reports (100,000 submissions): submissions are numbered once
//! and entities and links refer to them by number, so nothing is copied per mention.

use super::entities::{Kind, Submission};
use petgraph::unionfind::UnionFind;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One submission as the map refers to it.
#[derive(Debug, Clone)]
pub struct Report {
    pub reference: String,
    /// The day received, `YYYY-MM-DD`.
    pub date: String,
    pub form: String,
    pub priority: String,
    pub localities: Vec<String>,
    /// Evidence files sealed with it.
    pub attachments: usize,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub id: usize,
    pub kind: Kind,
    pub key: String,
    pub label: String,
    /// The submissions it is named in (indices into `MapGraph::reports`), ascending.
    pub reports: Vec<u32>,
    pub localities: BTreeSet<String>,
    /// Roles given to a person (`PERSON_POSING_RISK`, `CHILD_AT_RISK`, …).
    pub roles: BTreeSet<String>,
}

/// Two entities named in the same submissions.
#[derive(Debug, Clone)]
pub struct Link {
    pub source: usize,
    pub target: usize,
    /// Where it was seen (indices into `MapGraph::reports`), so an officer can go back to the
    /// source.
    pub seen: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PossibleLink {
    pub source: usize,
    pub target: usize,
    pub reason: &'static str,
}

#[derive(Debug)]
pub struct MapGraph {
    pub reports: Vec<Report>,
    pub entities: Vec<Entity>,
    /// Ordered by (source, target).
    pub links: Vec<Link>,
    pub possible_links: Vec<PossibleLink>,
    /// Entity ids per cluster, largest first; single entities are not clusters.
    pub clusters: Vec<Vec<usize>>,
    /// Submissions per locality.
    pub hotspots: BTreeMap<String, usize>,
    /// Submissions per day.
    pub timeline: BTreeMap<String, usize>,
    /// Each report's day as its place among the days in `timeline`: spans over many reports
    /// compare small numbers side by side instead of following each report to its date.
    day_rank: Vec<u32>,
    /// Each link's first and last report by day, found once (three outputs give every link's
    /// dates).
    link_spans: Vec<(Option<u32>, Option<u32>)>,
}

impl MapGraph {
    /// The cluster each entity belongs to, if any (an index into `clusters`).
    pub fn cluster_of(&self) -> Vec<Option<usize>> {
        let mut of = vec![None; self.entities.len()];
        for (i, c) in self.clusters.iter().enumerate() {
            for id in c {
                of[*id] = Some(i);
            }
        }
        of
    }

    /// Links per entity.
    pub fn degrees(&self) -> Vec<usize> {
        let mut d = vec![0; self.entities.len()];
        for l in &self.links {
            d[l.source] += 1;
            d[l.target] += 1;
        }
        d
    }

    /// The first and last day among these submissions.
    pub fn span(&self, reports: &[u32]) -> (&str, &str) {
        let date = |r: Option<u32>| r.map_or("", |r| self.reports[r as usize].date.as_str());
        let (first, last) = ends(&self.day_rank, reports);
        (date(first), date(last))
    }

    /// The first and last day link `i` was seen (`i` indexes `links`).
    pub fn link_span(&self, i: usize) -> (&str, &str) {
        let date = |r: Option<u32>| r.map_or("", |r| self.reports[r as usize].date.as_str());
        self.link_spans
            .get(i)
            .map_or(("", ""), |(first, last)| (date(*first), date(*last)))
    }
}

/// The reports with the earliest and the latest day among `reports` (`None` for none).
fn ends(day_rank: &[u32], reports: &[u32]) -> (Option<u32>, Option<u32>) {
    let rank = |r: &&u32| day_rank[**r as usize];
    (
        reports.iter().min_by_key(rank).copied(),
        reports.iter().max_by_key(rank).copied(),
    )
}

/// Whether a partial plate (`?` for unknown characters) could be this full one.
fn plate_matches(partial: &str, full: &str) -> bool {
    partial.len() == full.len()
        && partial
            .chars()
            .zip(full.chars())
            .all(|(p, f)| p == '?' || p == f)
}

/// The plate with the characters at `mask`'s unknown positions blanked, for lookup.
fn masked(plate: &str, mask: &[bool]) -> String {
    plate
        .chars()
        .zip(mask)
        .map(|(c, unknown)| if *unknown { '?' } else { c })
        .collect()
}

/// Partial plates against full ones. Each pattern of unknown positions is one hash lookup per
/// full plate, instead of comparing every partial plate with every full one.
fn partial_plates(entities: &[Entity], possible: &mut Vec<PossibleLink>) {
    let plates = || entities.iter().filter(|e| e.kind == Kind::Vehicle);
    let mut by_mask: BTreeMap<Vec<bool>, Vec<&Entity>> = BTreeMap::new();
    for p in plates().filter(|e| e.key.contains('?')) {
        by_mask
            .entry(p.key.chars().map(|c| c == '?').collect())
            .or_default()
            .push(p);
    }
    let full: Vec<&Entity> = plates().filter(|e| !e.key.contains('?')).collect();
    let mut found = Vec::new();
    for (mask, partials) in &by_mask {
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for f in full.iter().filter(|f| f.key.chars().count() == mask.len()) {
            index.entry(masked(&f.key, mask)).or_default().push(f.id);
        }
        for p in partials {
            for f in index.get(&p.key).into_iter().flatten() {
                debug_assert!(plate_matches(&p.key, &entities[*f].key));
                found.push((p.id, *f));
            }
        }
    }
    found.sort_unstable();
    possible.extend(found.into_iter().map(|(source, target)| PossibleLink {
        source,
        target,
        reason: "partial plate matches this registration",
    }));
}

/// Builds the graph from submissions in order.
pub fn build(submissions: &[Submission]) -> MapGraph {
    let mut b = Builder::default();
    for s in submissions {
        b.add(s);
    }
    b.finish()
}

/// The graph made one submission at a time (so it can be built while later inputs are still
/// being decrypted), then finished with possible links and clusters.
#[derive(Default)]
pub struct Builder {
    /// One index per kind, looked up by the key as borrowed: no copy per mention.
    index: [HashMap<String, usize>; 6],
    entities: Vec<Entity>,
    // Keyed by entity numbers this builder hands out, never by text a submitter chose, so a
    // fast unkeyed hash cannot be flooded; the tables keyed by names keep std's keyed one.
    links: FxHashMap<(usize, usize), Vec<u32>>,
    hotspots: BTreeMap<String, usize>,
    timeline: BTreeMap<String, usize>,
    /// (entity, full name, date of birth) of each person, for same-name possible links.
    people: Vec<(usize, String, Option<String>)>,
    reports: Vec<Report>,
    /// Scratch: the entities of the submission being added.
    ids: Vec<usize>,
}

impl Builder {
    pub fn add(&mut self, s: &Submission) {
        let slot = |k: Kind| match k {
            Kind::Person => 0,
            Kind::Nickname => 1,
            Kind::Vehicle => 2,
            Kind::Phone => 3,
            Kind::Online => 4,
            Kind::Place => 5,
        };
        let n = self.reports.len() as u32;
        let localities: Vec<String> = s
            .localities
            .iter()
            .filter(|l| *l != "UNKNOWN")
            .cloned()
            .collect();
        for l in &localities {
            *self.hotspots.entry(l.clone()).or_insert(0) += 1;
        }
        *self.timeline.entry(s.date.clone()).or_insert(0) += 1;
        self.ids.clear();
        for m in &s.mentions {
            let table = &mut self.index[slot(m.kind)];
            let id = match table.get(m.key.as_str()) {
                Some(id) => *id,
                None => {
                    let id = self.entities.len();
                    table.insert(m.key.clone(), id);
                    self.entities.push(Entity {
                        id,
                        kind: m.kind,
                        key: m.key.clone(),
                        label: m.label.clone(),
                        reports: Vec::new(),
                        localities: BTreeSet::new(),
                        roles: BTreeSet::new(),
                    });
                    if let Some(name) = &m.full_name {
                        self.people.push((id, name.clone(), m.dob.clone()));
                    }
                    id
                }
            };
            let e = &mut self.entities[id];
            // Mentions are one per entity per submission, and submissions come in order.
            if e.reports.last() != Some(&n) {
                e.reports.push(n);
            }
            for l in &localities {
                if !e.localities.contains(l) {
                    e.localities.insert(l.clone());
                }
            }
            if let Some(r) = &m.role {
                if !e.roles.contains(r) {
                    e.roles.insert(r.clone());
                }
            }
            self.ids.push(id);
        }
        let ids = &mut self.ids;
        ids.sort_unstable();
        ids.dedup();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                self.links.entry((*a, *b)).or_default().push(n);
            }
        }
        self.reports.push(Report {
            reference: s.reference.clone(),
            date: s.date.clone(),
            form: s.form.clone(),
            priority: s.priority.clone(),
            localities,
            attachments: s.attachments,
        });
    }

    pub fn finish(self) -> MapGraph {
        let Builder {
            entities,
            links,
            hotspots,
            timeline,
            people,
            reports,
            ..
        } = self;
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
                    reason,
                });
            }
        }
        partial_plates(&entities, &mut possible);

        let mut links: Vec<Link> = links
            .into_iter()
            .map(|((source, target), seen)| Link {
                source,
                target,
                seen,
            })
            .collect();
        links.sort_unstable_by_key(|l| (l.source, l.target));

        let mut uf = UnionFind::<usize>::new(entities.len());
        for l in &links {
            uf.union(l.source, l.target);
        }
        let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
        for e in &entities {
            groups.entry(uf.find(e.id)).or_default().push(e.id);
        }
        let mut clusters: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
        clusters.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));

        let ranks: HashMap<&str, u32> = timeline.keys().map(String::as_str).zip(0..).collect();
        // Every report's day went into `timeline` above.
        let day_rank: Vec<u32> = reports.iter().map(|r| ranks[r.date.as_str()]).collect();
        let link_spans = links.iter().map(|l| ends(&day_rank, &l.seen)).collect();
        MapGraph {
            day_rank,
            link_spans,
            reports,
            entities,
            links,
            possible_links: possible,
            clusters,
            hotspots,
            timeline,
        }
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

    #[test]
    fn the_plate_index_finds_what_comparing_every_pair_finds() {
        let plates = [
            "YX??KCD", "YX21KCD", "YX22KCD", "YX21KCE", "?X21KCD", "YX21KC", "Y?21K?D", "AB12CDE",
        ];
        let entities: Vec<Entity> = plates
            .iter()
            .enumerate()
            .map(|(id, p)| Entity {
                id,
                kind: Kind::Vehicle,
                key: p.to_string(),
                label: p.to_string(),
                reports: vec![],
                localities: BTreeSet::new(),
                roles: BTreeSet::new(),
            })
            .collect();
        let mut indexed = Vec::new();
        partial_plates(&entities, &mut indexed);
        let mut pairs = Vec::new();
        for p in plates.iter().enumerate().filter(|(_, p)| p.contains('?')) {
            for f in plates.iter().enumerate().filter(|(_, f)| !f.contains('?')) {
                if plate_matches(p.1, f.1) {
                    pairs.push((p.0, f.0));
                }
            }
        }
        pairs.sort_unstable();
        let got: Vec<(usize, usize)> = indexed.iter().map(|p| (p.source, p.target)).collect();
        assert_eq!(got, pairs);
        assert_eq!(got.len(), 4);
    }
}
