//! `map.html`: one self-contained page. The network is drawn in the browser by cytoscape.js
//! with the fcose force layout (bundled at build time into `assets/map.js` from
//! `frontend/`), with search, filters, a timeline with a range control, clusters and an
//! entity panel; the tables below it (clusters not drawn, possible links, hotspots, timeline,
//! entities) are plain HTML and print.
//!
//! The page's data is JSON in a `<script type="application/json">` element, which never runs,
//! escaped so that nothing in it can end that element; the script shows every value as text.
//! The Content-Security-Policy allows exactly the page's one script and one style sheet, by
//! hash, and nothing else: no request can leave the page, from `file://` or anywhere.

use super::entities::Kind;
use super::graph::MapGraph;
use super::output::{escape, MARKING};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

mod tables;
use tables::tables;

/// The bundled script (cytoscape, cytoscape-fcose and the page's code; licences in
/// `frontend/LICENSES.txt`).
const SCRIPT: &str = include_str!("assets/map.js");

/// Entities drawn at most by default (`map --draw`): the largest clusters that fit, whole; the
/// rest are listed. A first cluster larger than this is drawn by its most-seen entities.
pub const DRAWN: usize = 1500;
/// Entities of the listed clusters carried in the page at most, so that the search finds them
/// and any one of those clusters can be drawn on its own; larger maps keep the page light and
/// leave the rest to map.json.
const LISTED: usize = 20_000;
/// Rows in the page's long tables at most (map.json and the exports hold everything).
const ROWS: usize = 500;

pub const KINDS: [Kind; 5] = [
    Kind::Person,
    Kind::Vehicle,
    Kind::Phone,
    Kind::Online,
    Kind::Place,
];

/// The page's only style sheet. Its id is the one cytoscape gives the style sheet it would
/// otherwise add itself (which the CSP would refuse); this sheet carries that rule.
const STYLE: &str = "body{font-family:Arial,sans-serif;margin:.5em 1em;color:#0b0c0c;line-height:1.35}\
.marking{background:#d4351c;color:#fff;font-weight:bold;padding:.2em .6em;display:inline-block;margin:.2em 0}\
.top{display:flex;flex-wrap:wrap;gap:0 1em;align-items:baseline}.top p{margin:.2em 0}h1{margin:.1em 0;font-size:1.5rem}table{border-collapse:collapse;margin:1em 0}th,td{border-bottom:1px solid #b1b4b6;padding:.25em .6em;text-align:left;vertical-align:top}\
.__________cytoscape_container{position:relative}\
.layout{display:grid;grid-template-columns:auto minmax(0,1fr) auto;gap:.8em;align-items:start}\
@media (max-width:60rem){.layout{grid-template-columns:minmax(0,1fr)}}\
details.fold>summary{font-weight:bold;cursor:pointer;padding:.3em;border:2px solid #0b0c0c;background:#f3f2f1;min-height:24px}\
details.fold[open]{width:17rem}#panel-fold[open]{width:20rem}\
.controls label,.controls legend{display:block;font-weight:bold;margin:.6em 0 .2em}\
.controls fieldset{border:0;padding:0;margin:0}.controls .check label{display:inline;font-weight:normal;margin:0 0 0 .3em}\
.controls .check{margin:.15em 0}.controls input[type=search],.controls select{width:100%;box-sizing:border-box;font-size:1rem;padding:.25em;border:2px solid #0b0c0c}\
.controls input[type=range]{width:100%}.controls h2{font-size:1.2rem;margin:.8em 0 .2em}\
input:focus,select:focus,button:focus,summary:focus,[tabindex]:focus{outline:3px solid #ffdd00;outline-offset:0;box-shadow:0 0 0 5px #0b0c0c}\
button{font-size:1rem;padding:.3em .6em;margin:.4em 0;border:2px solid #0b0c0c;background:#f3f2f1;color:#0b0c0c;cursor:pointer}\
button.link{border:0;background:none;color:#1d70b8;text-decoration:underline;padding:0;margin:0;text-align:left;min-height:24px;min-width:24px}#results li,#panel li{margin:.25em 0}\
button.small{font-size:.9rem;padding:.1em .4em;margin:0 0 0 .4em}\
#results{list-style:none;padding:0;margin:.3em 0;max-height:14em;overflow:auto}\
#graph{height:calc(100vh - 8rem);min-height:22rem;border:1px solid #b1b4b6;background:#fff}\
.network-bar{display:flex;flex-wrap:wrap;gap:.3em 1.2em;align-items:center;margin:.2em 0}.network-bar p,.network-bar h2{margin:0}.network-bar h2{font-size:1.2rem}\
.network-bar .check label{font-weight:normal;margin-left:.3em}\
#timeline{width:100%;height:3.5em;display:block;margin-top:.3em}\
#panel{border-left:5px solid #1d70b8;padding:0 .8em;max-height:calc(100vh - 9rem);overflow:auto;overflow-wrap:anywhere}\
#panel textarea{width:100%;box-sizing:border-box;font-size:1rem;border:2px solid #0b0c0c}#panel label{display:block;font-weight:bold;margin-top:.6em}#panel dt{font-weight:bold}#panel dd{margin:0 0 .3em}#panel ul{padding-left:1.1em}#panel select{font-size:1rem;max-width:100%}.link-note{margin:.1em 0;font-style:italic}\
.key span{margin-right:1em;white-space:nowrap}.key svg{vertical-align:middle;margin-right:.3em}\
@media print{.controls,#graph,#status,.key,.network-bar,details.fold>summary{display:none}.layout{display:block}}";

/// The page's CSP: its script and its style sheet by hash; nothing may load, connect, frame or
/// submit.
fn csp() -> String {
    use base64::Engine;
    let hash = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .encode(ring::digest::digest(&ring::digest::SHA256, s.as_bytes()).as_ref())
    };
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'",
        hash(SCRIPT),
        hash(STYLE)
    )
}

/// JSON that can sit inside an HTML `<script>` element: `<`, `>` and `&` as `\u` escapes, so
/// no `</script>` or `<!--` can appear, and the line separators U+2028/U+2029 escaped too.
fn embed(v: &impl Serialize) -> serde_json::Result<String> {
    let s = serde_json::to_string(v)?;
    let mut o = String::with_capacity(s.len() + 64);
    for c in s.chars() {
        match c {
            '<' => o.push_str("\\u003c"),
            '>' => o.push_str("\\u003e"),
            '&' => o.push_str("\\u0026"),
            '\u{2028}' => o.push_str("\\u2028"),
            '\u{2029}' => o.push_str("\\u2029"),
            c => o.push(c),
        }
    }
    Ok(o)
}

/// The legend's shape for a type, as inline SVG (the page's script uses the same colours and
/// shapes; Okabe–Ito colours, distinguishable with common colour-vision deficiencies).
fn symbol(kind: Kind) -> String {
    let (fill, shape) = match kind {
        Kind::Person => ("#D55E00", "<circle cx=\"8\" cy=\"8\" r=\"7\""),
        Kind::Vehicle => (
            "#0072B2",
            "<rect x=\"1\" y=\"3\" width=\"14\" height=\"10\" rx=\"2\"",
        ),
        Kind::Phone => ("#009E73", "<path d=\"M8 1l7 7-7 7-7-7z\""),
        Kind::Online => ("#56B4E9", "<path d=\"M4 1h8l3 7-3 7H4L1 8z\""),
        Kind::Place => ("#E69F00", "<path d=\"M8 1l7 14H1z\""),
    };
    format!("<svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" aria-hidden=\"true\" focusable=\"false\">{shape} fill=\"{fill}\" stroke=\"#0b0c0c\"/></svg>")
}

/// A bar of `width` pixels, drawn without a style attribute (the CSP allows none).
pub(super) fn bar(width: u64) -> String {
    format!("<svg width=\"{}\" height=\"10\" aria-hidden=\"true\"><rect width=\"{width}\" height=\"10\" fill=\"#0072B2\"/></svg>", width.max(1))
}

/// What the page draws: entity ids, and the clusters drawn whole.
struct Drawn {
    ids: Vec<usize>,
    /// Listed clusters the page carries (each small enough to draw on its own), and their
    /// entities.
    listed: Vec<usize>,
    listed_ids: Vec<usize>,
    /// Clusters drawn whole.
    whole: usize,
    /// A first cluster too large to draw whole: (its size, entities drawn).
    partial: Option<(usize, usize)>,
}

fn choose(g: &MapGraph, limit: usize) -> Drawn {
    let limit = limit.max(1);
    let mut ids = Vec::new();
    let mut whole = 0;
    let mut partial = None;
    for c in &g.clusters {
        if ids.len() + c.len() <= limit {
            ids.extend_from_slice(c);
            whole += 1;
        } else {
            if whole == 0 {
                let mut top = c.clone();
                top.sort_by_key(|id| (std::cmp::Reverse(g.entities[*id].reports.len()), *id));
                top.truncate(limit);
                partial = Some((c.len(), top.len()));
                ids.extend(top);
            }
            break;
        }
    }
    // Entities linked to nothing, while there is room (so the search finds them too).
    if partial.is_none() && whole == g.clusters.len() {
        let clustered: usize = g.clusters.iter().map(Vec::len).sum();
        if ids.len() + (g.entities.len() - clustered) <= limit {
            let inside: BTreeSet<usize> = ids.iter().copied().collect();
            ids.extend(
                g.entities
                    .iter()
                    .map(|e| e.id)
                    .filter(|id| !inside.contains(id)),
            );
        }
    }
    let shown = whole + usize::from(partial.is_some());
    let mut listed = Vec::new();
    let mut listed_ids = Vec::new();
    for (i, c) in g.clusters.iter().enumerate().skip(shown).take(ROWS) {
        if c.len() > limit || listed_ids.len() + c.len() > LISTED {
            continue;
        }
        listed.push(i);
        listed_ids.extend_from_slice(c);
    }
    Drawn {
        ids,
        listed,
        listed_ids,
        whole,
        partial,
    }
}

/// One entity as the script reads it. Fields in alphabetical order: the bytes a JSON object
/// (a sorted map) gave, without building a JSON value per entity.
#[derive(Serialize)]
struct Node<'a> {
    aliases: &'a BTreeSet<String>,
    cluster: Option<usize>,
    drawn: bool,
    evidence: &'a [String],
    first: &'a str,
    id: usize,
    key: &'a str,
    kind: Kind,
    label: &'a str,
    last: &'a str,
    localities: &'a BTreeSet<String>,
    members: &'a [String],
    notes: &'a [String],
    roles: Vec<String>,
    subs: Vec<usize>,
    within: Option<usize>,
}

/// A submission as the script reads it: reference, day received, form, priority,
/// localities, evidence files and the day it happened.
type Sub<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [String],
    usize,
    &'a str,
);

/// A link as the script reads it: its ends, the submissions that give it (their number is its
/// weight), its type (the strongest the reports give it) and the analyst's notes on it.
type LinkData<'a> = (usize, usize, Vec<usize>, &'static str, &'a [String]);

#[derive(Serialize)]
struct Data<'a> {
    links: Vec<LinkData<'a>>,
    nodes: Vec<Node<'a>>,
    possible: Vec<(usize, usize, &'static str)>,
    submissions: Vec<Sub<'a>>,
    /// The workspace as read, so that its export keeps what was decided before.
    workspace: &'a super::workspace::Workspace,
    /// Whether `reports/<reference>.html` was written beside the map for each report.
    reports: bool,
}

/// The data the script reads: submissions (only those the entities carried are named in), the
/// entities drawn and those of the listed clusters carried (`drawn: false`), and the links and
/// possible links among them.
fn data<'a>(
    g: &'a MapGraph,
    drawn: &Drawn,
    cluster_of: &[Option<usize>],
    workspace: &'a super::workspace::Workspace,
) -> Data<'a> {
    let carried = || drawn.ids.iter().chain(&drawn.listed_ids);
    let inside: HashMap<usize, bool> = drawn
        .ids
        .iter()
        .map(|id| (*id, true))
        .chain(drawn.listed_ids.iter().map(|id| (*id, false)))
        .collect();
    let mut local: BTreeMap<u32, usize> = BTreeMap::new();
    for id in carried() {
        for r in &g.entities[*id].reports {
            local.insert(*r, 0);
        }
    }
    for (i, v) in local.values_mut().enumerate() {
        *v = i;
    }
    let at = |r: &u32| local.get(r).copied().unwrap_or(0);
    let submissions = local
        .keys()
        .map(|r| {
            let s = &g.reports[*r as usize];
            (
                s.reference.as_str(),
                s.date.as_str(),
                s.form.as_str(),
                s.priority.as_str(),
                s.localities.as_slice(),
                s.attachments,
                s.event.as_str(),
            )
        })
        .collect();
    let nodes = carried()
        .map(|id| {
            let e = &g.entities[*id];
            Node {
                aliases: &e.aliases,
                cluster: cluster_of[*id],
                drawn: inside.get(id).copied().unwrap_or(false),
                evidence: &e.evidence,
                first: &e.first,
                id: e.id,
                key: &e.key,
                kind: e.kind,
                label: &e.label,
                last: &e.last,
                localities: &e.localities,
                members: &e.members,
                notes: &e.notes,
                roles: e
                    .roles
                    .iter()
                    .map(|r| r.to_lowercase().replace('_', " "))
                    .collect(),
                subs: e.reports.iter().map(at).collect(),
                within: e.within.filter(|w| inside.contains_key(w)),
            }
        })
        .collect();
    let links = g
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| inside.contains_key(&l.source) && inside.contains_key(&l.target))
        .map(|(i, l)| {
            (
                l.source,
                l.target,
                l.seen.iter().map(at).collect(),
                l.kind().as_str(),
                g.link_notes.get(&i).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect();
    let possible = g
        .possible_links
        .iter()
        .filter(|p| inside.contains_key(&p.source) && inside.contains_key(&p.target))
        .map(|p| (p.source, p.target, p.reason))
        .collect();
    Data {
        links,
        nodes,
        possible,
        submissions,
        workspace,
        reports: g.report_pages,
    }
}

fn options(h: &mut String, id: &str, label: &str, all: &str, values: &BTreeSet<&str>) {
    let _ = write!(
        h,
        "<label for=\"{id}\">{label}</label><select id=\"{id}\"><option value=\"\">{all}</option>"
    );
    for v in values {
        let _ = write!(
            h,
            "<option value=\"{}\">{}</option>",
            escape(v),
            escape(&v.to_lowercase().replace('_', " "))
        );
    }
    h.push_str("</select>");
}

fn controls(h: &mut String, g: &MapGraph, drawn: &Drawn, subs: &[u32]) {
    h.push_str("<details class=\"fold\" id=\"controls-fold\" open><summary>Search, filters and workspace</summary>\
        <section class=\"controls\" aria-labelledby=\"controls-heading\"><h2 id=\"controls-heading\">Search and filters</h2>\
        <label for=\"search\">Search a name, nickname, plate, phone or account</label>\
        <input type=\"search\" id=\"search\" autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"results-count\">\
        <p id=\"results-count\" aria-live=\"polite\"></p><ul id=\"results\" aria-label=\"Search results\"></ul>\
        <fieldset><legend>Entity types</legend>");
    for k in KINDS {
        let _ = write!(
            h,
            "<div class=\"check\"><input type=\"checkbox\" name=\"kind\" id=\"kind-{0}\" value=\"{0}\" checked><label for=\"kind-{0}\">{1}{0}</label></div>",
            k.as_str(),
            symbol(k)
        );
    }
    h.push_str("</fieldset>");
    let reports = || subs.iter().map(|r| &g.reports[*r as usize]);
    let localities: BTreeSet<&str> = reports()
        .flat_map(|r| r.localities.iter().map(String::as_str))
        .collect();
    let forms: BTreeSet<&str> = reports().map(|r| r.form.as_str()).collect();
    let priorities: BTreeSet<&str> = reports().map(|r| r.priority.as_str()).collect();
    options(h, "locality", "Locality", "All localities", &localities);
    options(h, "form", "Form", "All forms", &forms);
    options(h, "priority", "Priority", "All priorities", &priorities);
    h.push_str("<fieldset><legend>Days it happened</legend>\
        <label for=\"from\">From</label><input type=\"range\" id=\"from\" min=\"0\" max=\"0\" step=\"1\" value=\"0\">\
        <label for=\"to\">To</label><input type=\"range\" id=\"to\" min=\"0\" max=\"0\" step=\"1\" value=\"0\">\
        <p id=\"range-label\" aria-live=\"polite\"></p><p>By the dates of the events in the reports; the day received where a report gives none.</p>\
        <svg id=\"timeline\" viewBox=\"0 0 600 60\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\"></svg></fieldset>\
        <label for=\"cluster\">Cluster</label><select id=\"cluster\"><option value=\"\">All drawn</option>");
    let shown = drawn.whole + usize::from(drawn.partial.is_some());
    for (i, c) in g.clusters.iter().enumerate().take(shown) {
        let _ = write!(
            h,
            "<option value=\"{i}\">Cluster {}: {} entities</option>",
            i + 1,
            c.len()
        );
    }
    for i in &drawn.listed {
        let _ = write!(
            h,
            "<option value=\"{i}\">Cluster {}: {} entities (listed, drawn alone)</option>",
            i + 1,
            g.clusters[*i].len()
        );
    }
    h.push_str("</select>\
        <div class=\"check\"><input type=\"checkbox\" id=\"possible\" checked><label for=\"possible\">Show possible links (dashed)</label></div>\
        <div class=\"check\"><input type=\"checkbox\" id=\"group\" checked><label for=\"group\">Group by locality (a box per locality the reports give)</label></div>\
        <button type=\"button\" id=\"reset\">Show all again</button>\
        <h2 id=\"workspace-heading\">Workspace</h2><p id=\"workspace-status\" aria-live=\"polite\"></p>\
        <ul id=\"decisions\" aria-labelledby=\"workspace-heading\"></ul>\
        <button type=\"button\" id=\"export\">Export the workspace</button>\
        <p>Save it, then run <code>map --workspace</code> with that file: your merges and splits are kept on every run.</p></section></details>");
}

/// The page, drawing at most `limit` entities (`map --draw`).
pub fn html(
    g: &MapGraph,
    note: &str,
    limit: usize,
    workspace: &super::workspace::Workspace,
) -> serde_json::Result<String> {
    let drawn = choose(g, limit);
    let cluster_of = g.cluster_of();
    let data = data(g, &drawn, &cluster_of, workspace);
    let subs: BTreeSet<u32> = drawn
        .ids
        .iter()
        .chain(&drawn.listed_ids)
        .flat_map(|id| g.entities[*id].reports.iter().copied())
        .collect();
    let subs: Vec<u32> = subs.into_iter().collect();
    let mut h = String::with_capacity(SCRIPT.len() + (1 << 20));
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{MARKING} – locality map</title><style id=\"__________cytoscape_stylesheet\">{STYLE}</style></head><body>\
         <header class=\"top\"><p class=\"marking\">{MARKING}</p><h1>Locality map</h1><p>{} submissions; {} entities; {} links; {} possible links; {} clusters. {}</p></header>",
        csp(),
        g.reports.len(),
        g.entities.len(),
        g.links.len(),
        g.possible_links.len(),
        g.clusters.len(),
        escape(note)
    );
    let scope = match drawn.partial {
        Some((size, n)) => format!(
            "Drawn: the {n} entities seen most often in the largest cluster ({size} entities). Narrow the map with --locality or --since to draw more of it."
        ),
        None if drawn.whole < g.clusters.len() => format!(
            "Drawn: the {} largest clusters ({} entities); the others are listed below.",
            drawn.whole,
            drawn.ids.len()
        ),
        None => format!("Drawn: all {} clusters.", g.clusters.len()),
    };
    h.push_str("<main class=\"layout\">");
    controls(&mut h, g, &drawn, &subs);
    let _ = write!(
        h,
        "<section aria-labelledby=\"network-heading\"><div class=\"network-bar\"><h2 id=\"network-heading\">Network</h2><p>{}</p></div>\
         <div class=\"network-bar\"><p id=\"status\" role=\"status\"></p>\
         <div class=\"check\"><input type=\"checkbox\" id=\"weak\"><label for=\"weak\">Show weak links (only named together)</label></div>\
         <label for=\"hops\">Selecting an entity shows</label><select id=\"hops\"><option value=\"1\">its links</option><option value=\"2\">links two steps out</option></select></div>\
         <div id=\"graph\" role=\"img\" aria-label=\"Link network. Every entity drawn can be reached with the search and the panel's lists.\"></div>\
         <p class=\"key\">",
        escape(&scope)
    );
    for k in KINDS {
        let _ = write!(h, "<span>{}{}</span>", symbol(k), k.as_str());
    }
    h.push_str(
        "<span>dashed line: possible link</span><span>line width: reports that give the link</span></p></section>\
        <details class=\"fold\" id=\"panel-fold\" open><summary>Selected entity</summary>\
        <aside id=\"panel\" aria-label=\"Selected entity\"><p>Select an entity in the drawing or the search.</p></aside></details></main>",
    );
    tables(&mut h, g, &drawn);
    let _ = writeln!(
        h,
        "<script type=\"application/json\" id=\"map-data\">{}</script><script>{SCRIPT}</script>\
         <p class=\"marking\">{MARKING}</p></body></html>",
        embed(&data)?
    );
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_end_its_script_element() {
        let v = serde_json::json!({"label": "</script><script>alert(1)</script><!-- \u{2028}\u{2029} &amp;"});
        let s = embed(&v).expect("serialises");
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'));
        let back: serde_json::Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
    }

    #[test]
    fn the_bundled_script_cannot_end_its_element_either() {
        let lower = SCRIPT.to_ascii_lowercase();
        assert!(!lower.contains("</script") && !lower.contains("<!--"));
    }
}
