//! The link graph: entities merged on their keys, then resolved (same-named people as
//! "possible same", the analyst's workspace decisions), typed links weighted by the reports that
//! give them, possible links with reasons, clusters (connected components, with petgraph's
//! union-find) ranked by size, per-locality hotspots and a timeline by event date.
//!
//! Sized for a county's years of reports (100,000 submissions): submissions are numbered once
//! and entities and links refer to them by number, so nothing is copied per mention.

use super::entities::{Kind, LinkKind, Submission};
use super::resolve::{resolve, PersonFacts};
use super::workspace::Decisions;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod joining;
use joining::{attach_notes, clusters, join, join_links, remap_possible};

/// One submission as the map refers to it.
#[derive(Debug, Clone)]
pub struct Report {
    pub reference: String,
    /// The day received, `YYYY-MM-DD`.
    pub date: String,
    /// The day it happened as the report gives it, else the day received.
    pub event: String,
    pub form: String,
    pub priority: String,
    pub localities: Vec<String>,
    /// Evidence files sealed with it.
    pub attachments: usize,
    /// The form's concern categories.
    pub categories: Vec<String>,
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
    /// Nicknames and "known as" names of a person.
    pub aliases: BTreeSet<String>,
    /// First and last seen, by the dates of the events in its reports.
    pub first: String,
    pub last: String,
    /// What it is part of (an entity id): a flat's building, a building's street.
    pub within: Option<usize>,
    /// The keys of the entities joined into this one, when there are several.
    pub members: Vec<String>,
    /// Why they were joined.
    pub evidence: Vec<String>,
    /// The analyst's notes on it (from the workspace).
    pub notes: Vec<String>,
}

/// Two entities named in the same submissions.
#[derive(Debug, Clone)]
pub struct Link {
    pub source: usize,
    pub target: usize,
    /// Where it was seen (indices into `MapGraph::reports`), so an officer can go back to the
    /// source; its length is the link's weight.
    pub seen: Vec<u32>,
    /// The types the reports give it, one bit per `LinkKind`.
    pub kinds: u16,
}

impl Link {
    /// The strongest type the reports give it.
    pub fn kind(&self) -> LinkKind {
        LinkKind::strongest(self.kinds)
    }
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
    /// Submissions per event day (the day received where none is given).
    pub timeline: BTreeMap<String, usize>,
    /// Workspace decisions applied, and those naming no entity of this map.
    pub decisions: (usize, usize),
    /// The analyst's notes on links, by the link's place in `links`.
    pub link_notes: BTreeMap<usize, Vec<String>>,
    /// Each report's page was written into `reports/` beside the map (`map --reports`), so
    /// the page links its references there.
    pub report_pages: bool,
    /// Each report's event day as its place among the days in `timeline`: spans over many
    /// reports compare small numbers side by side instead of following each report to its date.
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

    /// The first and last event day among these submissions.
    pub fn span(&self, reports: &[u32]) -> (&str, &str) {
        let date = |r: Option<u32>| r.map_or("", |r| self.reports[r as usize].event.as_str());
        let (first, last) = ends(&self.day_rank, reports);
        (date(first), date(last))
    }

    /// The first and last event day link `i` was seen (`i` indexes `links`).
    pub fn link_span(&self, i: usize) -> (&str, &str) {
        let date = |r: Option<u32>| r.map_or("", |r| self.reports[r as usize].event.as_str());
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
    build_with(submissions, &Decisions::default())
}

/// Builds the graph from submissions in order, with the analyst's decisions.
pub fn build_with(submissions: &[Submission], decisions: &Decisions) -> MapGraph {
    let mut b = Builder::default();
    for s in submissions {
        b.add(s);
    }
    b.finish(decisions)
}

fn slot(k: Kind) -> usize {
    match k {
        Kind::Person => 0,
        Kind::Vehicle => 1,
        Kind::Phone => 2,
        Kind::Online => 3,
        Kind::Place => 4,
    }
}

/// The graph made one submission at a time (so it can be built while later inputs are still
/// being decrypted), then finished with resolution, possible links and clusters.
#[derive(Default)]
pub struct Builder {
    /// One index per kind, looked up by the key as borrowed: no copy per mention.
    index: [HashMap<String, usize>; 5],
    entities: Vec<Entity>,
    // Keyed by entity numbers this builder hands out, never by text a submitter chose, so a
    // fast unkeyed hash cannot be flooded; the tables keyed by names keep std's keyed one.
    links: FxHashMap<(usize, usize), (Vec<u32>, u16)>,
    hotspots: BTreeMap<String, usize>,
    timeline: BTreeMap<String, usize>,
    /// What resolution needs of each person entity.
    people: FxHashMap<usize, PersonFacts>,
    reports: Vec<Report>,
    /// Scratch: the entity of each mention of the submission being added, and its typed pairs.
    ids: Vec<usize>,
    typed: FxHashMap<(usize, usize), u16>,
    implied: Vec<usize>,
}

impl Builder {
    /// The entity of a mention, made when first seen.
    fn entity(&mut self, m: &super::entities::Mention) -> usize {
        let table = &mut self.index[slot(m.kind)];
        if let Some(id) = table.get(m.key.as_str()) {
            return *id;
        }
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
            aliases: BTreeSet::new(),
            first: String::new(),
            last: String::new(),
            within: None,
            members: Vec::new(),
            evidence: Vec::new(),
            notes: Vec::new(),
        });
        if m.kind == Kind::Person {
            self.people.insert(
                id,
                PersonFacts {
                    full_name: m.full_name.clone(),
                    dob: m.dob.clone(),
                    born: m.born,
                    nameless: m.label == m.aliases.first().map_or("", String::as_str)
                        || m.label.starts_with("unnamed "),
                },
            );
        }
        id
    }

    pub fn add(&mut self, s: &Submission) {
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
        *self.timeline.entry(s.event.clone()).or_insert(0) += 1;
        self.ids.clear();
        for m in &s.mentions {
            let id = self.entity(m);
            self.ids.push(id);
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
            for a in &m.aliases {
                if !e.aliases.contains(a) {
                    e.aliases.insert(a.clone());
                }
            }
            let day = m.date.as_deref().unwrap_or(&s.event);
            if !day.is_empty() {
                if e.first.is_empty() || day < e.first.as_str() {
                    e.first = day.to_string();
                }
                if day > e.last.as_str() {
                    e.last = day.to_string();
                }
            }
            if let Some(p) = self.people.get_mut(&id) {
                p.born = super::resolve::narrow(p.born, m.born);
            }
        }
        for (i, m) in s.mentions.iter().enumerate() {
            if let Some(b) = m.within.and_then(|w| self.ids.get(w)).copied() {
                let id = self.ids[i];
                self.entities[id].within.get_or_insert(b);
            }
        }
        self.typed.clear();
        for r in &s.relations {
            let (a, b) = (self.ids[r.a], self.ids[r.b]);
            let pair = (a.min(b), a.max(b));
            *self.typed.entry(pair).or_insert(0) |= r.kind.bit();
        }
        // A mention only implied (a building's street) is linked by its typed links alone.
        self.implied.clear();
        for (i, m) in s.mentions.iter().enumerate() {
            if m.implied {
                self.implied.push(self.ids[i]);
            }
        }
        let mut ids = std::mem::take(&mut self.ids);
        ids.sort_unstable();
        ids.dedup();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                let bits = match self.typed.get(&(*a, *b)) {
                    Some(bits) => *bits,
                    None if self.implied.contains(a) || self.implied.contains(b) => continue,
                    None => LinkKind::NamedTogether.bit(),
                };
                let (seen, kinds) = self.links.entry((*a, *b)).or_default();
                seen.push(n);
                *kinds |= bits;
            }
        }
        self.ids = ids;
        self.reports.push(Report {
            reference: s.reference.clone(),
            date: s.date.clone(),
            event: s.event.clone(),
            form: s.form.clone(),
            priority: s.priority.clone(),
            localities,
            attachments: s.attachments,
            categories: s.categories.clone(),
        });
    }

    pub fn finish(self, decisions: &Decisions) -> MapGraph {
        let Builder {
            index,
            entities,
            links,
            hotspots,
            timeline,
            people,
            reports,
            ..
        } = self;
        let find = |identity: &str| {
            let (kind, key) = identity.split_once(':')?;
            let kind = [
                Kind::Person,
                Kind::Vehicle,
                Kind::Phone,
                Kind::Online,
                Kind::Place,
            ]
            .into_iter()
            .find(|k| k.as_str() == kind)?;
            index[slot(kind)].get(key).copied()
        };
        let mut res = resolve(&entities, &people, decisions, &find);
        // The notes' entities, found while the index is here.
        let notes: Vec<(Vec<usize>, &str)> = decisions
            .notes
            .iter()
            .filter_map(|n| {
                let ids: Option<Vec<usize>> = n.about.iter().map(|a| find(a)).collect();
                Some((ids?, n.text.as_str()))
            })
            .collect();
        drop(people);
        drop(index);
        let mut possible = std::mem::take(&mut res.possible);
        partial_plates(&entities, &mut possible);
        let (mut entities, of) = join(entities, &res.uf, &mut res.evidence);
        let possible = remap_possible(possible, &of);

        let links = join_links(links, &of);
        let link_notes = attach_notes(notes, &of, &mut entities, &links);
        let clusters = clusters(&entities, &links);

        let ranks: HashMap<&str, u32> = timeline.keys().map(String::as_str).zip(0..).collect();
        // Every report's event day went into `timeline` above.
        let day_rank: Vec<u32> = reports.iter().map(|r| ranks[r.event.as_str()]).collect();
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
            decisions: (res.applied, res.unknown),
            link_notes,
            report_pages: false,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod resolution_tests;
