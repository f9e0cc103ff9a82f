//! The entities resolution joined made one, and what refers to them renumbered: links,
//! possible links and the analyst's notes; then the clusters of what is left.

use super::{Entity, Kind, Link, PossibleLink};
use petgraph::unionfind::UnionFind;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// The links between the joined entities (`of` maps each entity to its joined one): none
/// within one, the reports and types of links that became one merged; ordered by
/// (source, target).
pub(super) fn join_links(
    links: FxHashMap<(usize, usize), (Vec<u32>, u16)>,
    of: &[usize],
) -> Vec<Link> {
    let mut joined: FxHashMap<(usize, usize), (Vec<u32>, u16)> =
        FxHashMap::with_capacity_and_hasher(links.len(), Default::default());
    for ((a, b), (seen, kinds)) in links {
        let (a, b) = (of[a], of[b]);
        if a == b {
            continue;
        }
        let l = joined.entry((a.min(b), a.max(b))).or_default();
        l.1 |= kinds;
        if l.0.is_empty() {
            l.0 = seen;
        } else {
            l.0.extend(seen);
            l.0.sort_unstable();
            l.0.dedup();
        }
    }
    let mut links: Vec<Link> = joined
        .into_iter()
        .map(|((source, target), (seen, kinds))| Link {
            source,
            target,
            seen,
            kinds,
        })
        .collect();
    links.sort_unstable_by_key(|l| (l.source, l.target));
    links
}

/// The analyst's notes put on their joined entities, and those on a link returned by the
/// link's place in `links`; a note on a pair that is not linked (or on more than two) has no
/// place on the map and is left out.
pub(super) fn attach_notes(
    notes: Vec<(Vec<usize>, &str)>,
    of: &[usize],
    entities: &mut [Entity],
    links: &[Link],
) -> BTreeMap<usize, Vec<String>> {
    let mut link_notes: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (ids, text) in notes {
        match ids.as_slice() {
            [e] => entities[of[*e]].notes.push(text.to_string()),
            [a, b] => {
                let (a, b) = (of[*a].min(of[*b]), of[*a].max(of[*b]));
                if let Ok(i) = links.binary_search_by_key(&(a, b), |l| (l.source, l.target)) {
                    link_notes.entry(i).or_default().push(text.to_string());
                }
            }
            _ => {}
        }
    }
    link_notes
}

/// The connected components of two or more entities, largest first (ties by their first
/// entity, so the order is stable between runs).
pub(super) fn clusters(entities: &[Entity], links: &[Link]) -> Vec<Vec<usize>> {
    let mut uf = UnionFind::<usize>::new(entities.len());
    for l in links {
        uf.union(l.source, l.target);
    }
    let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for e in entities {
        groups.entry(uf.find(e.id)).or_default().push(e.id);
    }
    let mut clusters: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    clusters.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    clusters
}

/// Possible links between the joined entities: none within one, one per pair.
pub(super) fn remap_possible(possible: Vec<PossibleLink>, of: &[usize]) -> Vec<PossibleLink> {
    let mut seen = rustc_hash::FxHashSet::default();
    possible
        .into_iter()
        .filter_map(|p| {
            let (a, b) = (of[p.source], of[p.target]);
            (a != b && seen.insert((a.min(b), a.max(b)))).then_some(PossibleLink {
                source: a,
                target: b,
                reason: p.reason,
            })
        })
        .collect()
}

/// A person's label that is no name: "unnamed …", or one of their nicknames.
fn nameless(e: &Entity) -> bool {
    e.kind == Kind::Person && (e.label.starts_with("unnamed ") || e.aliases.contains(&e.label))
}

/// Entity `e` taken into `into`.
fn absorb(into: &mut Entity, e: Entity) {
    if into.members.is_empty() {
        into.members.push(into.key.clone());
    }
    into.members.push(e.key.clone());
    if nameless(into) && !nameless(&e) {
        into.label = e.label.clone();
    }
    let mut reports = std::mem::take(&mut into.reports);
    reports.extend(e.reports);
    reports.sort_unstable();
    reports.dedup();
    into.reports = reports;
    into.localities.extend(e.localities);
    into.roles.extend(e.roles);
    into.aliases.extend(e.aliases);
    into.notes.extend(e.notes);
    if !e.first.is_empty() && (into.first.is_empty() || e.first < into.first) {
        into.first = e.first;
    }
    if e.last > into.last {
        into.last = e.last;
    }
    if into.within.is_none() {
        into.within = e.within;
    }
}

/// The entities joined as `uf` says, numbered in the order of their first member; and each
/// first entity's new number.
pub(super) fn join(
    atoms: Vec<Entity>,
    uf: &UnionFind<usize>,
    evidence: &mut FxHashMap<usize, Vec<String>>,
) -> (Vec<Entity>, Vec<usize>) {
    let mut of = vec![0; atoms.len()];
    let mut number: FxHashMap<usize, usize> = FxHashMap::default();
    let mut out: Vec<Entity> = Vec::with_capacity(atoms.len());
    for mut e in atoms {
        let root = uf.find(e.id);
        match number.get(&root) {
            Some(&f) => {
                of[e.id] = f;
                absorb(&mut out[f], e);
            }
            None => {
                let f = out.len();
                number.insert(root, f);
                of[e.id] = f;
                e.id = f;
                e.evidence = evidence.remove(&root).unwrap_or_default();
                out.push(e);
            }
        }
    }
    for e in &mut out {
        e.within = e.within.map(|w| of[w]).filter(|w| *w != e.id);
    }
    (out, of)
}
