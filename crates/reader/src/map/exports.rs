//! Exports for analysts' tools: GraphML (Gephi, yEd) and a CSV laid out for i2 Analyst's
//! Notebook's import specification (one row per link: both ends' entity type, identity and
//! label, then the link's type, label and dates).

use super::entities::{Kind, LinkKind};
use super::graph::MapGraph;
use super::output::{cell, escaped, references, Row, Words, MARKING};
use std::io::Write;

/// Text for an XML attribute or element: markup characters escaped, and characters XML 1.0
/// cannot carry at all (most controls, U+FFFE, U+FFFF) replaced by a space, so a hostile label
/// can neither add markup nor make the file unreadable. Written straight into the output.
struct Xml<'a>(&'a str);

fn xml_swap(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        '\t' | '\n' | '\r' => Some(" "),
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => Some(" "),
        _ => None,
    }
}

impl std::fmt::Display for Xml<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        escaped(f, self.0, xml_swap)
    }
}

#[cfg(test)]
fn xml(s: &str) -> String {
    Xml(s).to_string()
}

/// The entity types as i2 Analyst's Notebook names them.
fn i2_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Person => "Person",
        Kind::Vehicle => "Vehicle",
        Kind::Phone => "Telephone",
        Kind::Online => "Online Account",
        Kind::Place => "Location",
    }
}

pub fn graphml<W: Write>(g: &MapGraph, w: &mut W) -> std::io::Result<()> {
    write!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- {MARKING} -->\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n\
         <key id=\"marking\" for=\"graph\" attr.name=\"marking\" attr.type=\"string\"/>\n\
         <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n\
         <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n\
         <key id=\"identity\" for=\"node\" attr.name=\"identity\" attr.type=\"string\"/>\n\
         <key id=\"submissions\" for=\"node\" attr.name=\"submissions\" attr.type=\"int\"/>\n\
         <key id=\"roles\" for=\"node\" attr.name=\"roles\" attr.type=\"string\"/>\n\
         <key id=\"localities\" for=\"node\" attr.name=\"localities\" attr.type=\"string\"/>\n\
         <key id=\"aliases\" for=\"node\" attr.name=\"aliases\" attr.type=\"string\"/>\n\
         <key id=\"part_of\" for=\"node\" attr.name=\"part_of\" attr.type=\"string\"/>\n\
         <key id=\"note\" for=\"all\" attr.name=\"note\" attr.type=\"string\"/>\n\
         <key id=\"link\" for=\"edge\" attr.name=\"link\" attr.type=\"string\"/>\n\
         <key id=\"reason\" for=\"edge\" attr.name=\"reason\" attr.type=\"string\"/>\n\
         <key id=\"references\" for=\"all\" attr.name=\"references\" attr.type=\"string\"/>\n\
         <key id=\"first_seen\" for=\"all\" attr.name=\"first_seen\" attr.type=\"string\"/>\n\
         <key id=\"last_seen\" for=\"all\" attr.name=\"last_seen\" attr.type=\"string\"/>\n\
         <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n\
         <graph id=\"pis_map\" edgedefault=\"undirected\">\n<data key=\"marking\">{MARKING}</data>\n"
    )?;
    let refs = |r| Words(references(g, r), Xml);
    for e in &g.entities {
        let (first, last) = (e.first.as_str(), e.last.as_str());
        writeln!(
            w,
            "<node id=\"n{}\"><data key=\"type\">{}</data><data key=\"label\">{}</data>\
             <data key=\"identity\">{}:{}</data><data key=\"submissions\">{}</data>\
             <data key=\"roles\">{}</data><data key=\"localities\">{}</data>\
             <data key=\"aliases\">{}</data>\
             <data key=\"references\">{}</data><data key=\"first_seen\">{}</data>\
             <data key=\"last_seen\">{}</data><data key=\"note\">{}</data>{}</node>",
            e.id,
            e.kind.as_str(),
            Xml(&e.label),
            Xml(e.kind.as_str()),
            Xml(&e.key),
            e.reports.len(),
            Words(e.roles.iter().map(String::as_str), Xml),
            Words(e.localities.iter().map(String::as_str), Xml),
            Words(e.aliases.iter().map(String::as_str), Xml),
            refs(&e.reports),
            Xml(first),
            Xml(last),
            Xml(&joined(&e.notes)),
            // A flat's building, a building's street: by identity, as the i2 export names it.
            e.within.map_or(String::new(), |p| {
                let p = &g.entities[p];
                format!(
                    "<data key=\"part_of\">{}:{}</data>",
                    p.kind.as_str(),
                    Xml(&p.key)
                )
            })
        )?;
    }
    let mut row = Row::default();
    for (i, l) in g.links.iter().enumerate() {
        let (first, last) = g.link_span(i);
        row.text("<edge id=\"l")
            .number(i)
            .text("\" source=\"n")
            .number(l.source)
            .text("\" target=\"n")
            .number(l.target)
            .text("\"><data key=\"link\">")
            .text(l.kind().as_str())
            .text("</data><data key=\"weight\">")
            .number(l.seen.len())
            .text("</data><data key=\"references\">")
            .words(references(g, &l.seen), xml_swap)
            .text("</data><data key=\"first_seen\">")
            .escaped(first, xml_swap)
            .text("</data><data key=\"last_seen\">")
            .escaped(last, xml_swap)
            .text("</data><data key=\"note\">")
            .escaped(
                &joined(g.link_notes.get(&i).map_or(&[], Vec::as_slice)),
                xml_swap,
            )
            .text("</data></edge>")
            .end(w)?;
    }
    for (i, p) in g.possible_links.iter().enumerate() {
        writeln!(
            w,
            "<edge id=\"p{i}\" source=\"n{}\" target=\"n{}\"><data key=\"link\">possible</data>\
             <data key=\"reason\">{}</data><data key=\"weight\">0.5</data></edge>",
            p.source,
            p.target,
            Xml(p.reason)
        )?;
    }
    w.write_all(b"</graph>\n</graphml>\n")
}

/// The i2 import file's columns, in order.
pub const I2_COLUMNS: &str = "entity1_type,entity1_identity,entity1_label,entity2_type,entity2_identity,entity2_label,link_type,link_label,date_from,date_to,references,marking,entity1_note,entity2_note,link_note";

/// Notes as one cell's text ("" for none).
fn joined(notes: &[String]) -> std::borrow::Cow<'_, str> {
    match notes {
        [] => "".into(),
        [one] => one.as_str().into(),
        more => more.join(" / ").into(),
    }
}

pub fn i2<W: Write>(g: &MapGraph, w: &mut W) -> std::io::Result<()> {
    writeln!(w, "{I2_COLUMNS}")?;
    // Each entity's three cells, made once: an entity ends many links.
    let ends: Vec<String> = g
        .entities
        .iter()
        .map(|e| {
            format!(
                "{},{},{}",
                cell(i2_type(e.kind)),
                cell(&format!("{}:{}", e.kind.as_str(), e.key)),
                cell(&e.label)
            )
        })
        .collect();
    let end = |id: usize| ends[id].as_str();
    // i2 link types: the map's types with a capital ("Named together", "Lives at").
    let named: Vec<String> = LinkKind::ALL
        .iter()
        .map(|k| cell(&super::address::title_first(k.as_str())).to_string())
        .collect();
    let (possible, marking) = (cell("Possible link").to_string(), cell(MARKING).to_string());
    let mut row = Row::default();
    for (i, l) in g.links.iter().enumerate() {
        let (first, last) = g.link_span(i);
        let n = l.seen.len();
        // A part first, then what it is part of ("Flat 2 … Part of 14 Station Parade").
        let (a, b) = if g.entities[l.target].within == Some(l.source) {
            (l.target, l.source)
        } else {
            (l.source, l.target)
        };
        // The link's label is a count the map made, written in its quotes as it stands.
        row.text(end(a))
            .text(",")
            .text(end(b))
            .text(",")
            .text(&named[l.kind() as usize])
            .text(",\"")
            .number(n)
            .text(if n == 1 {
                " submission\","
            } else {
                " submissions\","
            })
            .csv(std::iter::once(first))
            .text(",")
            .csv(std::iter::once(last))
            .text(",")
            .csv(references(g, &l.seen))
            .text(",")
            .text(&marking)
            .text(",")
            .csv(std::iter::once(joined(&g.entities[a].notes).as_ref()))
            .text(",")
            .csv(std::iter::once(joined(&g.entities[b].notes).as_ref()))
            .text(",")
            .csv(std::iter::once(
                joined(g.link_notes.get(&i).map_or(&[], Vec::as_slice)).as_ref(),
            ))
            .end(w)?;
    }
    for p in &g.possible_links {
        writeln!(
            w,
            "{},{},{possible},{},,,,{marking},{},{},",
            end(p.source),
            end(p.target),
            cell(p.reason),
            cell(&joined(&g.entities[p.source].notes)),
            cell(&joined(&g.entities[p.target].notes)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_cannot_add_markup_or_break_the_file() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{0}\u{1b}\u{FFFF}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;   "
        );
    }

    #[test]
    fn graphml_and_i2_give_a_flat_its_building_and_the_building_its_street() {
        let doc = serde_json::json!({"reference": "PIS-AAAA-0001", "received_at": "2026-11-20T10:00:00Z",
            "localities": ["SCARBOROUGH"],
            "answers": {"locations": [{"address_line1": "Flat 2, 14 Station Parade"}]}});
        let g = super::super::build(&[super::super::entities::extract_json(&doc)]);
        let mut out = Vec::new();
        graphml(&g, &mut out).expect("graphml");
        let out = String::from_utf8(out).expect("utf-8");
        assert!(
            out.contains(
                "<data key=\"part_of\">place:building:scarborough:14 station parade</data></node>"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "<data key=\"part_of\">place:street:scarborough:station parade</data></node>"
            ),
            "{out}"
        );
        let mut csv = Vec::new();
        i2(&g, &mut csv).expect("i2");
        let csv = String::from_utf8(csv).expect("utf-8");
        assert!(csv.contains("\"place:building:scarborough:14 station parade\",\"14 Station Parade\",\"Location\",\"place:street:scarborough:station parade\",\"Station Parade\",\"Part of\""), "{csv}");
    }
}
