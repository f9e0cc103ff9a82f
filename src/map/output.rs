//! The outputs, each written with mode 0600 and marked OFFICIAL-SENSITIVE: `map.html` (one
//! self-contained page: an SVG network, entity table, clusters, hotspots, timeline), `map.json`,
//! `map.dot` for GraphViz and `links.csv` for association-chart tools.
//!
//! The SVG layout is a plain Fruchterman–Reingold force-directed layout with a fixed start, so
//! the same input draws the same picture. It draws the largest clusters up to a node budget;
//! the tables and the other files hold everything.

use super::entities::Kind;
use super::graph::MapGraph;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

pub const MARKING: &str = "OFFICIAL-SENSITIVE";
/// Nodes drawn in the SVG at most.
const DRAWN: usize = 300;

fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        // An existing file keeps its old mode under `create`; tighten it first.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut f = opts.open(path)?;
    f.write_all(body)?;
    f.sync_all()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A quoted DOT string's contents: quotes and backslashes escaped (so nothing ends the string
/// early or starts an escape sequence), line breaks and other controls turned into spaces.
fn dot_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A CSV cell, quoted. A cell a spreadsheet would take for a formula (OWASP "CSV injection":
/// starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, so it is shown
/// as text and never run.
fn csv_cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    format!(
        "\"{}{}\"",
        if risky { "'" } else { "" },
        s.replace('"', "\"\"")
    )
}

/// The page's only style sheet; the Content-Security-Policy allows exactly this, by hash.
const STYLE: &str = "body{font-family:Arial,sans-serif;margin:1.5em;color:#0b0c0c}.marking{background:#d4351c;color:#fff;font-weight:bold;padding:.3em .6em;display:inline-block}\
     table{border-collapse:collapse;margin:1em 0}th,td{border-bottom:1px solid #b1b4b6;padding:.25em .6em;text-align:left;vertical-align:top}\
     .net{width:100%;max-width:1000px;border:1px solid #b1b4b6}.net line{stroke:#b1b4b6;stroke-width:1}.net line.possible{stroke:#d4351c;stroke-dasharray:4 3}\
     .net text{font-size:10px;fill:#0b0c0c}.key svg{margin:0 .3em 0 1em}";

/// Nothing may load or run: no scripts, no requests, no frames, no forms; only the page's own
/// style sheet. A value that escaped its escaping still could not do anything.
fn csp() -> String {
    use base64::Engine;
    let hash = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
    format!(
        "default-src 'none'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'",
        base64::engine::general_purpose::STANDARD.encode(hash.as_ref())
    )
}

/// A bar of `width` pixels, drawn without a style attribute (the CSP allows none).
fn bar(width: u64) -> String {
    format!("<svg width=\"{}\" height=\"10\" aria-hidden=\"true\"><rect width=\"{width}\" height=\"10\" fill=\"#1d70b8\"/></svg>", width.max(1))
}

fn colour(kind: Kind) -> &'static str {
    match kind {
        Kind::Person => "#d4351c",
        Kind::Nickname => "#f47738",
        Kind::Vehicle => "#1d70b8",
        Kind::Phone => "#00703c",
        Kind::Online => "#4c2c92",
        Kind::Place => "#505a5f",
    }
}

/// Positions for the drawn nodes, in a 1000 × 700 box: Fruchterman–Reingold with a pull
/// towards the centre, so separate clusters settle side by side instead of at the walls.
fn layout(n: usize, edges: &[(usize, usize)]) -> Vec<(f64, f64)> {
    let (w, h) = (1000.0f64, 700.0f64);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let k = ((w * h) / n.max(1) as f64).sqrt() * 0.45;
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 * 2.399_963; // golden angle: spread without randomness
            let r = 320.0 * ((i as f64 + 0.5) / n.max(1) as f64).sqrt();
            (cx + r * a.cos(), cy + r * a.sin() * 0.7)
        })
        .collect();
    let mut t = w / 12.0;
    for _ in 0..300 {
        let mut disp = vec![(0.0f64, 0.0f64); n];
        for i in 0..n {
            for j in i + 1..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d = (dx * dx + dy * dy).sqrt().max(0.5);
                if d > 4.0 * k {
                    continue;
                }
                let f = k * k / d;
                disp[i].0 += dx / d * f;
                disp[i].1 += dy / d * f;
                disp[j].0 -= dx / d * f;
                disp[j].1 -= dy / d * f;
            }
        }
        for &(a, b) in edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(0.5);
            let f = d * d / k;
            disp[a].0 -= dx / d * f;
            disp[a].1 -= dy / d * f;
            disp[b].0 += dx / d * f;
            disp[b].1 += dy / d * f;
        }
        for (i, p) in pos.iter_mut().enumerate() {
            // Gravity: proportional to the distance from the centre.
            disp[i].0 -= (p.0 - cx) * 0.05;
            disp[i].1 -= (p.1 - cy) * 0.08;
            let d = (disp[i].0 * disp[i].0 + disp[i].1 * disp[i].1)
                .sqrt()
                .max(0.01);
            p.0 = (p.0 + disp[i].0 / d * d.min(t)).clamp(30.0, w - 90.0);
            p.1 = (p.1 + disp[i].1 / d * d.min(t)).clamp(20.0, h - 20.0);
        }
        t = (t * 0.985).max(1.0);
    }
    pos
}

fn svg(g: &MapGraph) -> String {
    let drawn: Vec<usize> = g.clusters.iter().flatten().copied().take(DRAWN).collect();
    let slot: std::collections::HashMap<usize, usize> =
        drawn.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let edges: Vec<(usize, usize)> = g
        .links
        .iter()
        .filter_map(|l| Some((*slot.get(&l.source)?, *slot.get(&l.target)?)))
        .collect();
    let pos = layout(drawn.len(), &edges);
    let mut s = String::from(
        "<svg viewBox=\"0 0 1000 700\" role=\"img\" aria-label=\"Link network\" class=\"net\">",
    );
    for (a, b) in &edges {
        let _ = write!(
            s,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
            pos[*a].0, pos[*a].1, pos[*b].0, pos[*b].1
        );
    }
    let ps: std::collections::HashSet<(usize, usize)> = g
        .possible_links
        .iter()
        .map(|p| (p.source, p.target))
        .collect();
    for (a, b) in &ps {
        if let (Some(x), Some(y)) = (slot.get(a), slot.get(b)) {
            let _ = write!(
                s,
                "<line class=\"possible\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
                pos[*x].0, pos[*x].1, pos[*y].0, pos[*y].1
            );
        }
    }
    for (i, id) in drawn.iter().enumerate() {
        let e = &g.entities[*id];
        let r = 5.0 + (e.references.len() as f64).sqrt() * 2.0;
        let _ = write!(
            s,
            "<g><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r:.1}\" fill=\"{}\"><title>{} ({} submissions)</title></circle><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            pos[i].0, pos[i].1, colour(e.kind), escape(&e.label), e.references.len(), pos[i].0 + r + 2.0, pos[i].1 + 4.0, escape(&e.label)
        );
    }
    s.push_str("</svg>");
    s
}

fn html(g: &MapGraph, title_note: &str) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{MARKING} – locality map</title><style>{STYLE}</style></head><body>\
         <p class=\"marking\">{MARKING}</p><h1>Locality map</h1><p>{} submissions; {} entities; {} links; {} possible links; {} clusters. {}</p>",
        csp(),
        g.submissions,
        g.entities.len(),
        g.links.len(),
        g.possible_links.len(),
        g.clusters.len(),
        escape(title_note)
    );
    h.push_str("<h2>Network</h2><p class=\"key\">");
    for k in [
        Kind::Person,
        Kind::Nickname,
        Kind::Vehicle,
        Kind::Phone,
        Kind::Online,
        Kind::Place,
    ] {
        let _ = write!(
            h,
            "<svg width=\"10\" height=\"10\" aria-hidden=\"true\"><circle cx=\"5\" cy=\"5\" r=\"5\" fill=\"{}\"/></svg>{}",
            colour(k),
            k.as_str()
        );
    }
    let _ = write!(h, " · dashed red: possible link</p>{}", svg(g));
    h.push_str("<h2>Clusters, largest first</h2><table><tr><th>#</th><th>size</th><th>entities</th><th>references</th></tr>");
    for (i, c) in g.clusters.iter().enumerate().take(100) {
        let labels: Vec<String> = c.iter().map(|id| escape(&g.entities[*id].label)).collect();
        let refs: std::collections::BTreeSet<String> = c
            .iter()
            .flat_map(|id| g.entities[*id].references.iter().map(|r| escape(r)))
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            c.len(),
            labels.join(", "),
            refs.into_iter().collect::<Vec<_>>().join(" ")
        );
    }
    h.push_str("</table><h2>Possible links (not merged)</h2><table><tr><th>entity</th><th>entity</th><th>why</th></tr>");
    for p in &g.possible_links {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&g.entities[p.source].label),
            escape(&g.entities[p.target].label),
            escape(&p.reason)
        );
    }
    h.push_str("</table><h2>Hotspots by locality</h2><table><tr><th>locality</th><th>submissions</th><th></th></tr>");
    let max = g.hotspots.values().copied().max().unwrap_or(1).max(1);
    for (l, n) in &g.hotspots {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{n}</td><td>{}</td></tr>",
            escape(l),
            bar((n * 200 / max) as u64)
        );
    }
    h.push_str("</table><h2>Timeline</h2><table><tr><th>day received</th><th>submissions</th><th></th></tr>");
    let max = g.timeline.values().copied().max().unwrap_or(1).max(1);
    for (d, n) in &g.timeline {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{n}</td><td>{}</td></tr>",
            escape(d),
            bar((n * 200 / max) as u64)
        );
    }
    h.push_str("</table><h2>Entities</h2><table><tr><th>type</th><th>entity</th><th>submissions</th><th>references</th></tr>");
    let mut order: Vec<&super::graph::Entity> = g.entities.iter().collect();
    order.sort_by(|a, b| {
        b.references
            .len()
            .cmp(&a.references.len())
            .then(a.id.cmp(&b.id))
    });
    for e in order {
        let refs: Vec<String> = e.references.iter().map(|r| escape(r)).collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.kind.as_str(),
            escape(&e.label),
            e.references.len(),
            refs.join(" ")
        );
    }
    let _ = writeln!(
        h,
        "</table><p class=\"marking\">{MARKING}</p></body></html>"
    );
    h
}

fn dot(g: &MapGraph) -> String {
    let q = dot_escape;
    let mut d =
        format!("// {MARKING}\ngraph pis_map {{\n  node [style=filled, fontcolor=white];\n");
    for e in &g.entities {
        let _ = writeln!(
            d,
            "  n{} [label=\"{}\", fillcolor=\"{}\", kind=\"{}\"];",
            e.id,
            q(&e.label),
            colour(e.kind),
            e.kind.as_str()
        );
    }
    for l in &g.links {
        let refs: Vec<&str> = l.seen.iter().map(|s| s.reference.as_str()).collect();
        let _ = writeln!(
            d,
            "  n{} -- n{} [references=\"{}\"];",
            l.source,
            l.target,
            q(&refs.join(" "))
        );
    }
    for p in &g.possible_links {
        let _ = writeln!(
            d,
            "  n{} -- n{} [style=dashed, color=red, label=\"{}\"];",
            p.source,
            p.target,
            q(&p.reason)
        );
    }
    d.push_str("}\n");
    d
}

fn csv(g: &MapGraph) -> String {
    let f = csv_cell;
    let mut c = String::from(
        "marking,entity_a,type_a,link,entity_b,type_b,references,first_seen,last_seen,forms\n",
    );
    for l in &g.links {
        let (a, b) = (&g.entities[l.source], &g.entities[l.target]);
        let refs: Vec<&str> = l.seen.iter().map(|s| s.reference.as_str()).collect();
        let first = l.seen.iter().map(|s| s.date.as_str()).min().unwrap_or("");
        let last = l.seen.iter().map(|s| s.date.as_str()).max().unwrap_or("");
        let forms: std::collections::BTreeSet<&str> =
            l.seen.iter().map(|s| s.form.as_str()).collect();
        let _ = writeln!(
            c,
            "{MARKING},{},{},named together,{},{},{},{first},{last},{}",
            f(&a.label),
            a.kind.as_str(),
            f(&b.label),
            b.kind.as_str(),
            f(&refs.join(" ")),
            f(&forms.into_iter().collect::<Vec<_>>().join(" "))
        );
    }
    for p in &g.possible_links {
        let (a, b) = (&g.entities[p.source], &g.entities[p.target]);
        let _ = writeln!(
            c,
            "{MARKING},{},{},{},{},{},,,,",
            f(&a.label),
            a.kind.as_str(),
            f(&format!("possible: {}", p.reason)),
            f(&b.label),
            b.kind.as_str()
        );
    }
    c
}

/// Writes the four files into `dir`. Folders it creates are 0700; a folder that already exists
/// keeps its permissions (it may be shared on purpose), and the files in it are 0600 anyway.
pub fn write_all(g: &MapGraph, dir: &Path, note: &str) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    let json = serde_json::json!({ "marking": MARKING, "map": g });
    write_private(
        &dir.join("map.json"),
        serde_json::to_string_pretty(&json)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    write_private(&dir.join("map.dot"), dot(g).as_bytes())?;
    write_private(&dir.join("links.csv"), csv(g).as_bytes())?;
    write_private(&dir.join("map.html"), html(g, note).as_bytes())
}
