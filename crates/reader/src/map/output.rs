//! The outputs, each written with mode 0600 and marked OFFICIAL-SENSITIVE: `map.html` (see
//! `page`), `map.json`, `map.dot` for GraphViz, `links.csv` for association-chart tools,
//! `map.graphml` and `i2.csv` (see `exports`), and with `--locality` a printable Level 2 pack
//! (see `pack`). Large files are streamed to disk, never built whole in memory.

use super::graph::MapGraph;
use std::io::Write;
use std::path::Path;

mod json;
use json::json;

pub const MARKING: &str = "OFFICIAL-SENSITIVE";

/// Where an output is written: a concrete type, so the formatting code is compiled for it
/// (through `dyn Write` each of the many small writes is an indirect call).
pub(super) type Out = std::io::BufWriter<std::fs::File>;

/// Creates (or truncates) `path` with mode 0600 and writes it through `body`.
pub(super) fn write_private(
    path: &Path,
    body: impl FnOnce(&mut Out) -> std::io::Result<()>,
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
/// Written straight into the output (these files are hundreds of megabytes).
pub(super) struct Dot<'a>(pub &'a str);

fn dot_swap(c: char) -> Option<&'static str> {
    match c {
        '\\' => Some("\\\\"),
        '"' => Some("\\\""),
        c if c.is_control() => Some(" "),
        _ => None,
    }
}

impl std::fmt::Display for Dot<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        escaped(f, self.0, dot_swap)
    }
}

/// Writes `s` with each character `swap` names replaced, copying the runs between them whole.
pub(super) fn escaped(
    f: &mut impl std::fmt::Write,
    s: &str,
    swap: impl Fn(char) -> Option<&'static str>,
) -> std::fmt::Result {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(with) = swap(c) {
            f.write_str(&s[start..i])?;
            f.write_str(with)?;
            start = i + c.len_utf8();
        }
    }
    f.write_str(&s[start..])
}

/// One line of an export, put together in a buffer that is reused and written whole. The exports
/// are hundreds of megabytes of short pieces at a county's scale; through `write!` every piece
/// and every number is a call through the formatting machinery and the writer's adapter.
#[derive(Default)]
pub(super) struct Row {
    line: String,
    digits: itoa::Buffer,
}

impl Row {
    pub(super) fn text(&mut self, s: &str) -> &mut Self {
        self.line.push_str(s);
        self
    }

    pub(super) fn number(&mut self, n: usize) -> &mut Self {
        self.line.push_str(self.digits.format(n));
        self
    }

    /// `s` with each character `swap` names replaced (see `escaped`).
    pub(super) fn escaped(
        &mut self,
        s: &str,
        swap: impl Fn(char) -> Option<&'static str>,
    ) -> &mut Self {
        // Writing into a `String` cannot fail.
        let _ = escaped(&mut self.line, s, swap);
        self
    }

    /// The CSV cell of `words` (see `Csv`).
    pub(super) fn csv<'a>(&mut self, words: impl Iterator<Item = &'a str> + Clone) -> &mut Self {
        // Writing into a `String` cannot fail.
        let _ = csv_cell(&mut self.line, words);
        self
    }

    /// `words` joined by single spaces, each with the characters `swap` names replaced.
    pub(super) fn words<'a>(
        &mut self,
        words: impl Iterator<Item = &'a str>,
        swap: impl Fn(char) -> Option<&'static str> + Copy,
    ) -> &mut Self {
        for (n, w) in words.enumerate() {
            if n > 0 {
                self.line.push(' ');
            }
            self.escaped(w, swap);
        }
        self
    }

    /// Ends the line and writes it.
    pub(super) fn end(&mut self, w: &mut impl Write) -> std::io::Result<()> {
        self.line.push('\n');
        let written = w.write_all(self.line.as_bytes());
        self.line.clear();
        written
    }
}

/// Words joined by single spaces, each shown through `show` (every escape here works
/// character by character, so escaping the words one by one gives the escaped whole).
pub(super) struct Words<'a, I, D>(pub I, pub fn(&'a str) -> D);

impl<'a, I, D> std::fmt::Display for Words<'a, I, D>
where
    I: Iterator<Item = &'a str> + Clone,
    D: std::fmt::Display,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, w) in self.0.clone().enumerate() {
            if n > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", (self.1)(w))?;
        }
        Ok(())
    }
}

/// A CSV cell, quoted. A cell a spreadsheet would take for a formula (OWASP "CSV injection":
/// starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, so it is shown
/// as text and never run. `Csv` is the cell of these words joined by spaces.
pub(super) struct Csv<'a, I>(pub I)
where
    I: Iterator<Item = &'a str> + Clone;

impl<'a, I> std::fmt::Display for Csv<'a, I>
where
    I: Iterator<Item = &'a str> + Clone,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        csv_cell(f, self.0.clone())
    }
}

/// Writes the cell of `words` (see `Csv`).
fn csv_cell<'a>(
    f: &mut impl std::fmt::Write,
    words: impl Iterator<Item = &'a str> + Clone,
) -> std::fmt::Result {
    f.write_str("\"")?;
    // The joined text starts with the first word (or a space, when that word is empty).
    if words
        .clone()
        .next()
        .is_some_and(|w| w.starts_with(['=', '+', '-', '@', '\t', '\r']))
    {
        f.write_str("'")?;
    }
    for (n, w) in words.enumerate() {
        if n > 0 {
            f.write_str(" ")?;
        }
        escaped(f, w, |c| (c == '"').then_some("\"\""))?;
    }
    f.write_str("\"")
}

/// One CSV cell (see `Csv`).
pub(super) fn cell(s: &str) -> Csv<'_, std::iter::Once<&str>> {
    Csv(std::iter::once(s))
}

/// Reports' references, in the order given.
pub(super) fn references<'a>(
    g: &'a MapGraph,
    reports: &'a [u32],
) -> impl Iterator<Item = &'a str> + Clone + 'a {
    reports
        .iter()
        .map(|r| g.reports[*r as usize].reference.as_str())
}

/// GraphViz colours by type (the page has its own, colour-blind-safe palette with shapes).
fn colour(kind: super::entities::Kind) -> &'static str {
    use super::entities::Kind;
    match kind {
        Kind::Person => "#d55e00",
        Kind::Vehicle => "#0072b2",
        Kind::Phone => "#009e73",
        Kind::Online => "#56b4e9",
        Kind::Place => "#e69f00",
    }
}

/// The names of the types in a link's set.
pub(super) fn types(bits: u16) -> Vec<&'static str> {
    super::entities::LinkKind::ALL
        .into_iter()
        .filter(|k| bits & k.bit() != 0)
        .map(|k| k.as_str())
        .collect()
}

fn dot<W: Write>(g: &MapGraph, w: &mut W) -> std::io::Result<()> {
    write!(
        w,
        "// {MARKING}\ngraph pis_map {{\n  node [style=filled, fontcolor=white];\n"
    )?;
    for e in &g.entities {
        writeln!(
            w,
            "  n{} [label=\"{}\", fillcolor=\"{}\", kind=\"{}\"];",
            e.id,
            Dot(&e.label),
            colour(e.kind),
            e.kind.as_str()
        )?;
    }
    let mut row = Row::default();
    for l in &g.links {
        row.text("  n")
            .number(l.source)
            .text(" -- n")
            .number(l.target)
            .text(" [references=\"")
            .words(references(g, &l.seen), dot_swap)
            .text("\"];")
            .end(w)?;
    }
    for p in &g.possible_links {
        writeln!(
            w,
            "  n{} -- n{} [style=dashed, color=red, label=\"{}\"];",
            p.source,
            p.target,
            Dot(p.reason)
        )?;
    }
    w.write_all(b"}\n")
}

fn csv<W: Write>(g: &MapGraph, w: &mut W) -> std::io::Result<()> {
    w.write_all(
        b"marking,entity_a,type_a,link,entity_b,type_b,references,first_seen,last_seen,forms\n",
    )?;
    let mut forms: Vec<&str> = Vec::new();
    let mut row = Row::default();
    for (i, l) in g.links.iter().enumerate() {
        let (a, b) = (&g.entities[l.source], &g.entities[l.target]);
        let (first, last) = g.link_span(i);
        // The distinct forms in order, as a set gives them.
        forms.clear();
        forms.extend(l.seen.iter().map(|s| g.reports[*s as usize].form.as_str()));
        forms.sort_unstable();
        forms.dedup();
        row.text(MARKING)
            .text(",")
            .csv(std::iter::once(a.label.as_str()))
            .text(",")
            .text(a.kind.as_str())
            .text(",")
            .text(l.kind().as_str())
            .text(",")
            .csv(std::iter::once(b.label.as_str()))
            .text(",")
            .text(b.kind.as_str())
            .text(",")
            .csv(references(g, &l.seen))
            .text(",")
            .text(first)
            .text(",")
            .text(last)
            .text(",")
            .csv(forms.iter().copied())
            .end(w)?;
    }
    for p in &g.possible_links {
        let (a, b) = (&g.entities[p.source], &g.entities[p.target]);
        writeln!(
            w,
            "{MARKING},{},{},{},{},{},,,,",
            cell(&a.label),
            a.kind.as_str(),
            cell(&format!("possible: {}", p.reason)),
            cell(&b.label),
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
    workspace: &super::workspace::Workspace,
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
        Box<dyn FnOnce(&mut Out) -> std::io::Result<()> + Send + 'a>,
    );
    let mut jobs: Vec<Job<'_>> = vec![
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
            Box::new(|w| w.write_all(super::page::html(g, note, draw, workspace)?.as_bytes())),
        ),
    ];
    if let Some(l) = locality {
        jobs.push((
            pack_name(l),
            Box::new(move |w| {
                let since = workspace.pack_since(l);
                w.write_all(super::pack::html(g, l, note, since).as_bytes())
            }),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A line put together in a `Row` says what the `Display` forms say, for hostile text too.
    #[test]
    fn a_row_escapes_as_the_cells_do() {
        let hostile = [
            "=HYPERLINK(\"http://evil.example\")",
            "+1 \"quoted\"",
            "-x",
            "@SUM(A1)",
            "\tTab",
            "\rReturn",
            "plain",
            "",
            "back\\slash \"quote\" \u{7}bell\nline",
        ];
        let mut out = Vec::new();
        let mut row = Row::default();
        for s in hostile {
            out.clear();
            row.csv(std::iter::once(s)).end(&mut out).expect("writes");
            assert_eq!(String::from_utf8_lossy(&out), format!("{}\n", cell(s)));
            out.clear();
            row.csv(hostile.iter().copied())
                .end(&mut out)
                .expect("writes");
            assert_eq!(
                String::from_utf8_lossy(&out),
                format!("{}\n", Csv(hostile.iter().copied()))
            );
            out.clear();
            row.text("[")
                .words([s, s].into_iter(), dot_swap)
                .text("]")
                .number(42)
                .end(&mut out)
                .expect("writes");
            assert_eq!(
                String::from_utf8_lossy(&out),
                format!("[{}]42\n", Words([s, s].into_iter(), Dot))
            );
        }
        assert!(
            String::from_utf8_lossy(&out).starts_with("[back\\\\slash \\\"quote\\\"  bell line")
        );
    }
}
