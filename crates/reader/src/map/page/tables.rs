//! The page's plain tables below the drawing: the clusters not drawn, possible links,
//! hotspots, the timeline and the entities. They print, and they hold what the drawing leaves
//! out, cut at `ROWS` each (map.json holds everything).

use super::{bar, Drawn, ROWS};
use crate::map::graph::{Entity, MapGraph};
use crate::map::output::escape;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// All the tables, in the page's order.
pub(super) fn tables(h: &mut String, g: &MapGraph, drawn: &Drawn) {
    undrawn_clusters(h, g, drawn);
    possible_links(h, g);
    h.push_str("<h2>Hotspots by locality</h2><table><tr><th scope=\"col\">locality</th><th scope=\"col\">submissions</th><th></th></tr>");
    counts(h, &g.hotspots);
    h.push_str("</table><h2>Timeline</h2><table><tr><th scope=\"col\">day it happened (received, where not given)</th><th scope=\"col\">submissions</th><th></th></tr>");
    counts(h, &g.timeline);
    entities(h, g);
}

/// The clusters the drawing leaves out, largest first, each with a button to draw it where
/// the page carries its entities.
fn undrawn_clusters(h: &mut String, g: &MapGraph, drawn: &Drawn) {
    let shown = drawn.whole + usize::from(drawn.partial.is_some());
    if g.clusters.len() <= shown {
        return;
    }
    let _ = write!(
        h,
        "<h2>Clusters not drawn</h2><p>{} smaller clusters, largest first{}.</p>\
         <table><tr><th scope=\"col\">#</th><th scope=\"col\">entities</th><th scope=\"col\">submissions</th><th scope=\"col\">seen most</th><th scope=\"col\">map</th></tr>",
        g.clusters.len() - shown,
        if g.clusters.len() - shown > ROWS {
            format!("; the first {ROWS} here, all of them in map.json")
        } else {
            String::new()
        }
    );
    for (i, c) in g.clusters.iter().enumerate().skip(shown).take(ROWS) {
        let mut top: Vec<usize> = c.clone();
        top.sort_by_key(|id| (std::cmp::Reverse(g.entities[*id].reports.len()), *id));
        let labels: Vec<String> = top
            .iter()
            .take(6)
            .map(|id| escape(&g.entities[*id].label))
            .collect();
        let subs: BTreeSet<u32> = c
            .iter()
            .flat_map(|id| g.entities[*id].reports.iter().copied())
            .collect();
        let draw = if drawn.listed.binary_search(&i).is_ok() {
            format!(
                "<button type=\"button\" class=\"link\" data-cluster=\"{i}\">Draw cluster {}</button>",
                i + 1
            )
        } else {
            "in map.json".to_string()
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{draw}</td></tr>",
            i + 1,
            c.len(),
            subs.len(),
            labels.join(", ")
        );
    }
    h.push_str("</table>");
}

/// The possible links (never merged), with why each was proposed.
fn possible_links(h: &mut String, g: &MapGraph) {
    h.push_str("<h2>Possible links (not merged)</h2><table><tr><th scope=\"col\">entity</th><th scope=\"col\">entity</th><th scope=\"col\">why</th></tr>");
    for p in g.possible_links.iter().take(ROWS) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&g.entities[p.source].label),
            escape(&g.entities[p.target].label),
            escape(p.reason)
        );
    }
    h.push_str("</table>");
    if g.possible_links.len() > ROWS {
        let _ = write!(
            h,
            "<p>The first {ROWS} of {}; all of them in map.json.</p>",
            g.possible_links.len()
        );
    }
}

/// A table's rows of submissions per key (a locality, a day), each with a bar scaled to the
/// largest count.
fn counts(h: &mut String, counts: &BTreeMap<String, usize>) {
    let max = counts.values().copied().max().unwrap_or(1).max(1);
    for (k, n) in counts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{n}</td><td>{}</td></tr>",
            escape(k),
            bar((n * 200 / max) as u64)
        );
    }
}

/// The entities, most seen first, with the references of the reports that name them.
fn entities(h: &mut String, g: &MapGraph) {
    let _ = write!(
        h,
        "</table><h2>Entities, most seen first</h2>{}<table><tr><th scope=\"col\">type</th><th scope=\"col\">entity</th><th scope=\"col\">submissions</th><th scope=\"col\">references</th></tr>",
        if g.entities.len() > ROWS {
            format!(
                "<p>The first {ROWS} of {}; all of them in map.json.</p>",
                g.entities.len()
            )
        } else {
            String::new()
        }
    );
    let mut order: Vec<&Entity> = g.entities.iter().collect();
    order.sort_by(|a, b| b.reports.len().cmp(&a.reports.len()).then(a.id.cmp(&b.id)));
    for e in order.into_iter().take(ROWS) {
        let refs: Vec<String> = e
            .reports
            .iter()
            .take(50)
            .map(|r| escape(&g.reports[*r as usize].reference))
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            e.kind.as_str(),
            escape(&e.label),
            e.reports.len(),
            refs.join(" "),
            if e.reports.len() > 50 { " …" } else { "" }
        );
    }
    h.push_str("</table>");
}
