//! `map.json`: the whole map, streamed row by row as it is written (at a county's scale the
//! file is hundreds of megabytes, so no JSON value is built for it).

use super::{types, MARKING};
use crate::map::graph::MapGraph;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::Serialize;
use std::io::Write;

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

/// Reports' references, by index.
struct Refs<'a>(&'a MapGraph, &'a [u32]);

impl Serialize for Refs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.1
                .iter()
                .map(|i| self.0.reports[*i as usize].reference.as_str()),
        )
    }
}

/// The reports that named a link together.
struct Seen<'a>(&'a MapGraph, &'a [u32]);

impl Serialize for Seen<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|i| {
            let r = &self.0.reports[*i as usize];
            SeenRow {
                date: &r.date,
                event: &r.event,
                form: &r.form,
                reference: &r.reference,
            }
        }))
    }
}

// `map.json`'s rows. Fields stay in alphabetical order (the order the file has always had).
#[derive(Serialize)]
struct EntityRow<'a> {
    aliases: &'a std::collections::BTreeSet<String>,
    evidence: &'a [String],
    first_seen: &'a str,
    id: usize,
    key: &'a str,
    kind: crate::map::entities::Kind,
    label: &'a str,
    last_seen: &'a str,
    localities: &'a std::collections::BTreeSet<String>,
    members: &'a [String],
    notes: &'a [String],
    references: Refs<'a>,
    roles: &'a std::collections::BTreeSet<String>,
    within: Option<usize>,
}

#[derive(Serialize)]
struct SeenRow<'a> {
    date: &'a str,
    event: &'a str,
    form: &'a str,
    reference: &'a str,
}

#[derive(Serialize)]
struct LinkRow<'a> {
    kind: &'static str,
    notes: &'a [String],
    seen: Seen<'a>,
    source: usize,
    target: usize,
    types: Vec<&'static str>,
    weight: usize,
}

#[derive(Serialize)]
struct PossibleRow {
    reason: &'static str,
    source: usize,
    target: usize,
}

#[derive(Serialize)]
struct ReportRow<'a> {
    attachments: usize,
    date: &'a str,
    event: &'a str,
    form: &'a str,
    localities: &'a [String],
    priority: &'a str,
    reference: &'a str,
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
                // Typed rows with their fields in sorted order: the bytes `json!` objects (sorted
                // maps) gave, without building a JSON value per row.
                let mut m = s.serialize_struct("map", 9)?;
                m.serialize_field(
                    "entities",
                    &Seq(|| {
                        g.entities.iter().map(|e| EntityRow {
                            aliases: &e.aliases,
                            evidence: &e.evidence,
                            first_seen: &e.first,
                            id: e.id,
                            key: &e.key,
                            kind: e.kind,
                            label: &e.label,
                            last_seen: &e.last,
                            localities: &e.localities,
                            members: &e.members,
                            notes: &e.notes,
                            references: Refs(g, &e.reports),
                            roles: &e.roles,
                            within: e.within,
                        })
                    }),
                )?;
                m.serialize_field(
                    "links",
                    &Seq(|| {
                        g.links.iter().enumerate().map(|(i, l)| LinkRow {
                            kind: l.kind().as_str(),
                            notes: g.link_notes.get(&i).map_or(&[], Vec::as_slice),
                            seen: Seen(g, &l.seen),
                            source: l.source,
                            target: l.target,
                            types: types(l.kinds),
                            weight: l.seen.len(),
                        })
                    }),
                )?;
                m.serialize_field(
                    "possible_links",
                    &Seq(|| {
                        g.possible_links.iter().map(|p| PossibleRow {
                            reason: p.reason,
                            source: p.source,
                            target: p.target,
                        })
                    }),
                )?;
                m.serialize_field(
                    "reports",
                    &Seq(|| {
                        g.reports.iter().map(|r| ReportRow {
                            attachments: r.attachments,
                            date: &r.date,
                            event: &r.event,
                            form: &r.form,
                            localities: &r.localities,
                            priority: &r.priority,
                            reference: &r.reference,
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

pub(super) fn json<W: Write>(g: &MapGraph, w: &mut W) -> std::io::Result<()> {
    // Compact: at a county's scale the file is hundreds of megabytes, and tools read it anyway.
    serde_json::to_writer(&mut *w, &Json(g))?;
    w.write_all(b"\n")
}
