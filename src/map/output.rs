//! The outputs, each written with mode 0600 and marked OFFICIAL-SENSITIVE: `map.html` (see
//! `page`), `map.json`, `map.dot` for GraphViz, `links.csv` for association-chart tools,
//! `map.graphml` and `i2.csv` (see `exports`), and with `--locality` a printable Level 2 pack
//! (see `pack`). Large files are streamed to disk, never built whole in memory.

use super::graph::MapGraph;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

pub const MARKING: &str = "OFFICIAL-SENSITIVE";

/// Creates (or truncates) `path` with mode 0600 and writes it through `body`.
pub(super) fn write_private(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
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
    let mut f = std::io::BufWriter::with_capacity(1 << 16, opts.open(path)?);
    body(&mut f)?;
    f.into_inner().map_err(|e| e.into_error())?.sync_all()
}

pub(super) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
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
pub(super) fn csv_cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let mut o = String::with_capacity(s.len() + 3);
    o.push('"');
    if risky {
        o.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            o.push('"');
        }
        o.push(c);
    }
    o.push('"');
    o
}

/// GraphViz colours by type (the page has its own, colour-blind-safe palette with shapes).
fn colour(kind: super::entities::Kind) -> &'static str {
    use super::entities::Kind;
    match kind {
        Kind::Person => "#d55e00",
        Kind::Nickname => "#cc79a7",
        Kind::Vehicle => "#0072b2",
        Kind::Phone => "#009e73",
        Kind::Online => "#56b4e9",
        Kind::Place => "#e69f00",
    }
}

/// A sequence serialised from an iterator made on demand, so `map.json` streams.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

struct Json<'a>(&'a MapGraph);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.0;
        let mut outer = s.serialize_map(Some(2))?;
        outer.serialize_entry("marking", MARKING)?;
        struct Map<'a>(&'a MapGraph);
        impl Serialize for Map<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let g = self.0;
                let refs = |r: &[u32]| -> Vec<&str> {
                    r.iter()
                        .map(|i| g.reports[*i as usize].reference.as_str())
                        .collect()
                };
                let mut m = s.serialize_struct("map", 9)?;
                m.serialize_field(
                    "entities",
                    &Seq(|| {
                        g.entities.iter().map(|e| {
                            serde_json::json!({
                                "id": e.id, "kind": e.kind, "key": e.key, "label": e.label,
                                "references": refs(&e.reports), "localities": e.localities,
                                "roles": e.roles,
                            })
                        })
                    }),
                )?;
                m.serialize_field(
                    "links",
                    &Seq(|| {
                        g.links.iter().map(|l| {
                            let seen: Vec<_> = l
                                .seen
                                .iter()
                                .map(|i| {
                                    let r = &g.reports[*i as usize];
                                    serde_json::json!({"reference": r.reference, "date": r.date, "form": r.form})
                                })
                                .collect();
                            serde_json::json!({"source": l.source, "target": l.target, "seen": seen})
                        })
                    }),
                )?;
                m.serialize_field(
                    "possible_links",
                    &Seq(|| {
                        g.possible_links.iter().map(|p| {
                            serde_json::json!({"source": p.source, "target": p.target, "reason": p.reason})
                        })
                    }),
                )?;
                m.serialize_field(
                    "reports",
                    &Seq(|| {
                        g.reports.iter().map(|r| {
                            serde_json::json!({
                                "reference": r.reference, "date": r.date, "form": r.form,
                                "priority": r.priority, "localities": r.localities,
                                "attachments": r.attachments,
                            })
                        })
                    }),
                )?;
                m.serialize_field("clusters", &g.clusters)?;
                m.serialize_field("hotspots", &g.hotspots)?;
                m.serialize_field("timeline", &g.timeline)?;
                m.serialize_field("submissions", &g.reports.len())?;
                m.end()
            }
        }
        outer.serialize_entry("map", &Map(g))?;
        outer.end()
    }
}

fn json(g: &MapGraph, w: &mut dyn Write) -> std::io::Result<()> {
    // Compact: at a county's scale the file is hundreds of megabytes, and tools read it anyway.
    serde_json::to_writer(&mut *w, &Json(g))?;
    w.write_all(b"\n")
}

fn dot(g: &MapGraph, w: &mut dyn Write) -> std::io::Result<()> {
    let q = dot_escape;
    write!(
        w,
        "// {MARKING}\ngraph pis_map {{\n  node [style=filled, fontcolor=white];\n"
    )?;
    for e in &g.entities {
        writeln!(
            w,
            "  n{} [label=\"{}\", fillcolor=\"{}\", kind=\"{}\"];",
            e.id,
            q(&e.label),
            colour(e.kind),
            e.kind.as_str()
        )?;
    }
    for l in &g.links {
        let refs: Vec<&str> = l
            .seen
            .iter()
            .map(|s| g.reports[*s as usize].reference.as_str())
            .collect();
        writeln!(
            w,
            "  n{} -- n{} [references=\"{}\"];",
            l.source,
            l.target,
            q(&refs.join(" "))
        )?;
    }
    for p in &g.possible_links {
        writeln!(
            w,
            "  n{} -- n{} [style=dashed, color=red, label=\"{}\"];",
            p.source,
            p.target,
            q(p.reason)
        )?;
    }
    w.write_all(b"}\n")
}

fn csv(g: &MapGraph, w: &mut dyn Write) -> std::io::Result<()> {
    let f = csv_cell;
    w.write_all(
        b"marking,entity_a,type_a,link,entity_b,type_b,references,first_seen,last_seen,forms\n",
    )?;
    for l in &g.links {
        let (a, b) = (&g.entities[l.source], &g.entities[l.target]);
        let seen = || l.seen.iter().map(|s| &g.reports[*s as usize]);
        let refs: Vec<&str> = seen().map(|r| r.reference.as_str()).collect();
        let (first, last) = g.span(&l.seen);
        let forms: std::collections::BTreeSet<&str> = seen().map(|r| r.form.as_str()).collect();
        writeln!(
            w,
            "{MARKING},{},{},named together,{},{},{},{first},{last},{}",
            f(&a.label),
            a.kind.as_str(),
            f(&b.label),
            b.kind.as_str(),
            f(&refs.join(" ")),
            f(&forms.into_iter().collect::<Vec<_>>().join(" "))
        )?;
    }
    for p in &g.possible_links {
        let (a, b) = (&g.entities[p.source], &g.entities[p.target]);
        writeln!(
            w,
            "{MARKING},{},{},{},{},{},,,,",
            f(&a.label),
            a.kind.as_str(),
            f(&format!("possible: {}", p.reason)),
            f(&b.label),
            b.kind.as_str()
        )?;
    }
    Ok(())
}

/// The Level 2 pack's file name for a locality (upper case, `_` for spaces).
pub fn pack_name(locality: &str) -> String {
    let safe: String = locality
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("level2-{safe}.html")
}

/// Writes the files into `dir`, and the Level 2 pack when the map is of one `locality`;
/// `map.html` draws at most `draw` entities.
/// Folders it creates are 0700; a folder that already exists keeps its permissions (it may be
/// shared on purpose), and the files in it are 0600 anyway.
pub fn write_all(
    g: &MapGraph,
    dir: &Path,
    note: &str,
    locality: Option<&str>,
    draw: usize,
) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    type Job<'a> = (
        String,
        Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + Send + 'a>,
    );
    let mut jobs: Vec<Job> = vec![
        ("map.json".into(), Box::new(|w| json(g, w))),
        ("map.dot".into(), Box::new(|w| dot(g, w))),
        ("links.csv".into(), Box::new(|w| csv(g, w))),
        (
            "map.graphml".into(),
            Box::new(|w| super::exports::graphml(g, w)),
        ),
        ("i2.csv".into(), Box::new(|w| super::exports::i2(g, w))),
        (
            "map.html".into(),
            Box::new(|w| w.write_all(super::page::html(g, note, draw).as_bytes())),
        ),
    ];
    if let Some(l) = locality {
        jobs.push((
            pack_name(l),
            Box::new(move |w| w.write_all(super::pack::html(g, l, note).as_bytes())),
        ));
    }
    // At a county's scale each file takes seconds to format and to sync; written side by side
    // they take the time of the largest, not the sum. Each is streamed, so memory stays small.
    let results: Vec<std::io::Result<()>> = std::thread::scope(|scope| {
        let running: Vec<_> = jobs
            .into_iter()
            .map(|(name, body)| {
                let path = dir.join(name);
                scope.spawn(move || write_private(&path, body))
            })
            .collect();
        running
            .into_iter()
            .map(|t| {
                t.join().unwrap_or_else(|_| {
                    Err(std::io::Error::other(
                        "an output could not be written (internal error)",
                    ))
                })
            })
            .collect()
    });
    results.into_iter().collect()
}
