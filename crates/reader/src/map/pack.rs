//! The Level 2 pack: a printable summary of one locality's map for a MACE Level 2 meeting.
//! The persons posing risk with the most links, the vehicles and phones seen in several
//! reports, the places named most (hotspots) and a timeline of the period by week. Static
//! HTML with no script; the CSP allows only its own style sheet.

use super::entities::Kind;
use super::graph::{Entity, MapGraph};
use super::output::{escape, MARKING};
use super::page::bar;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Rows per list.
const TOP: usize = 20;

const STYLE: &str = "body{font-family:Arial,sans-serif;margin:1.5em;color:#0b0c0c;line-height:1.35}\
.marking{background:#d4351c;color:#fff;font-weight:bold;padding:.3em .6em;display:inline-block}\
table{border-collapse:collapse;margin:.6em 0 1.4em;width:100%}th,td{border-bottom:1px solid #b1b4b6;padding:.25em .5em;text-align:left;vertical-align:top}\
td.refs{font-size:.85em;overflow-wrap:anywhere}\
@page{size:A4;margin:15mm}@media print{body{margin:0;font-size:10pt}h2{break-after:avoid}tr{break-inside:avoid}}";

fn csp() -> String {
    use base64::Engine;
    let hash = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
    format!(
        "default-src 'none'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'",
        base64::engine::general_purpose::STANDARD.encode(hash.as_ref())
    )
}

fn references(g: &MapGraph, e: &Entity) -> String {
    let refs: Vec<String> = e
        .reports
        .iter()
        .take(12)
        .map(|r| escape(&g.reports[*r as usize].reference))
        .collect();
    let more = e.reports.len().saturating_sub(12);
    if more > 0 {
        format!("{} and {more} more", refs.join(" "))
    } else {
        refs.join(" ")
    }
}

/// The Monday of a `YYYY-MM-DD` day's ISO week, for the timeline.
fn week_of(day: &str) -> Option<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(day, fmt).ok()?;
    let monday = d - time::Duration::days(i64::from(d.weekday().number_days_from_monday()));
    monday.format(fmt).ok()
}

fn table_of(h: &mut String, g: &MapGraph, rows: &[(&Entity, usize)], count_name: &str) {
    let _ = write!(
        h,
        "<table><tr><th scope=\"col\">entity</th><th scope=\"col\">{count_name}</th><th scope=\"col\">submissions</th><th scope=\"col\">first seen</th><th scope=\"col\">last seen</th><th scope=\"col\">references</th></tr>"
    );
    for (e, n) in rows {
        let (first, last) = (e.first.as_str(), e.last.as_str());
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{n}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"refs\">{}</td></tr>",
            escape(&e.label),
            e.reports.len(),
            escape(first),
            escape(last),
            references(g, e)
        );
    }
    if rows.is_empty() {
        h.push_str("<tr><td colspan=\"6\">None in this period.</td></tr>");
    }
    h.push_str("</table>");
}

/// A table of counts, largest first, with a bar each.
fn counts(h: &mut String, heading: &str, what: &str, rows: &BTreeMap<String, usize>) {
    let _ = write!(
        h,
        "<h2>{heading}</h2><table><tr><th scope=\"col\">{what}</th><th scope=\"col\">reports</th><th></th></tr>"
    );
    let max = rows.values().copied().max().unwrap_or(1).max(1);
    let mut order: Vec<(&String, &usize)> = rows.iter().collect();
    order.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (k, n) in order {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{n}</td><td>{}</td></tr>",
            escape(&k.to_lowercase().replace('_', " ")),
            bar((n * 300 / max) as u64)
        );
    }
    if rows.is_empty() {
        h.push_str("<tr><td colspan=\"3\">None in this period.</td></tr>");
    }
    h.push_str("</table>");
}

/// Statistics for the meeting: reports by locality, category and month (of the event), and
/// the IMMEDIATE reports.
fn statistics(h: &mut String, g: &MapGraph) {
    let mut by_locality: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_category: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
    for r in &g.reports {
        for l in &r.localities {
            *by_locality.entry(l.clone()).or_insert(0) += 1;
        }
        for c in &r.categories {
            *by_category.entry(c.clone()).or_insert(0) += 1;
        }
        let month: String = r.event.chars().take(7).collect();
        *by_month.entry(month).or_insert(0) += 1;
    }
    counts(h, "Reports by locality", "locality", &by_locality);
    counts(h, "Reports by category", "category", &by_category);
    h.push_str("<h2>Reports by month it happened</h2><table><tr><th scope=\"col\">month</th><th scope=\"col\">reports</th></tr>");
    for (m, n) in &by_month {
        let _ = write!(h, "<tr><td>{}</td><td>{n}</td></tr>", escape(m));
    }
    h.push_str("</table><h2>IMMEDIATE reports</h2><table><tr><th scope=\"col\">reference</th><th scope=\"col\">happened</th><th scope=\"col\">received</th><th scope=\"col\">localities</th></tr>");
    let mut any = false;
    for r in g.reports.iter().filter(|r| r.priority == "IMMEDIATE") {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.reference),
            escape(&r.event),
            escape(&r.date),
            escape(&r.localities.join(", "))
        );
        any = true;
    }
    if !any {
        h.push_str("<tr><td colspan=\"4\">None in this period.</td></tr>");
    }
    h.push_str("</table><p>Time to acknowledgement is not in the sealed reports: see the outbox and audit log.</p>");
}

/// The analyst's notes (from the workspace) on the entities and links of this map.
fn analyst_notes(h: &mut String, g: &MapGraph) {
    h.push_str("<h2>Analyst's notes</h2><table><tr><th scope=\"col\">entity or link</th><th scope=\"col\">note</th></tr>");
    let mut any = false;
    for e in g.entities.iter().filter(|e| !e.notes.is_empty()) {
        for n in &e.notes {
            let _ = write!(
                h,
                "<tr><td>{} ({})</td><td>{}</td></tr>",
                escape(&e.label),
                e.kind.as_str(),
                escape(n)
            );
            any = true;
        }
    }
    for (i, notes) in &g.link_notes {
        let l = &g.links[*i];
        for n in notes {
            let _ = write!(
                h,
                "<tr><td>{} – {} ({})</td><td>{}</td></tr>",
                escape(&g.entities[l.source].label),
                escape(&g.entities[l.target].label),
                l.kind().as_str(),
                escape(n)
            );
            any = true;
        }
    }
    if !any {
        h.push_str("<tr><td colspan=\"2\">None.</td></tr>");
    }
    h.push_str("</table>");
}

/// People and vehicles with a typed link the map did not have at the last meeting: every
/// report that gives the link was received on or after `since` (the day the last pack was
/// made).
fn newly_linked(h: &mut String, g: &MapGraph, since: Option<&str>) {
    let Some(since) = since else {
        h.push_str("<h2>Newly linked since the last meeting</h2><p>No earlier pack for this locality is recorded: run <code>map --workspace FILE --locality …</code> to keep the day each pack is made.</p>");
        return;
    };
    let _ = write!(
        h,
        "<h2>Newly linked since the last meeting ({})</h2><table><tr><th scope=\"col\">person or vehicle</th><th scope=\"col\">newly linked to</th><th scope=\"col\">references</th></tr>",
        escape(since)
    );
    let new = |seen: &[u32]| {
        seen.iter()
            .all(|r| g.reports[*r as usize].date.as_str() >= since)
    };
    let mut rows: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    // Typed links only: "named together" alone says too little to bring to a meeting.
    let typed =
        |l: &&crate::map::graph::Link| l.kind() != crate::map::entities::LinkKind::NamedTogether;
    for (i, l) in g
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| typed(l) && new(&l.seen))
    {
        for (a, b) in [(l.source, l.target), (l.target, l.source)] {
            let kind = g.entities[a].kind;
            if kind == Kind::Person || kind == Kind::Vehicle {
                rows.entry((usize::from(kind != Kind::Person), a))
                    .or_default()
                    .push((b, i));
            }
        }
    }
    for ((_, a), links) in rows.iter().take(TOP * 4) {
        let e = &g.entities[*a];
        let to: Vec<String> = links
            .iter()
            .map(|(b, i)| format!("{} ({})", g.entities[*b].label, g.links[*i].kind().as_str()))
            .collect();
        let mut seen: Vec<u32> = links
            .iter()
            .flat_map(|(_, i)| g.links[*i].seen.iter().copied())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        let refs: Vec<&str> = seen
            .iter()
            .map(|r| g.reports[*r as usize].reference.as_str())
            .collect();
        let _ = write!(
            h,
            "<tr><td>{} ({})</td><td>{}</td><td>{}</td></tr>",
            escape(&e.label),
            e.kind.as_str(),
            escape(&to.join("; ")),
            escape(&refs.join(", "))
        );
    }
    if rows.is_empty() {
        h.push_str("<tr><td colspan=\"3\">None.</td></tr>");
    }
    h.push_str("</table>");
}

/// The pack; `since` is the day of the last meeting's pack, where the workspace records one.
pub fn html(g: &MapGraph, locality: &str, note: &str, since: Option<&str>) -> String {
    let degrees = g.degrees();
    let days: Vec<&str> = g.reports.iter().map(|r| r.date.as_str()).collect();
    let first = days.iter().min().copied().unwrap_or("");
    let last = days.iter().max().copied().unwrap_or("");
    let mut h = String::new();
    let title = format!("Level 2 pack: {}", locality.replace('_', " "));
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{MARKING} – {}</title><style>{STYLE}</style></head><body>\
         <p class=\"marking\">{MARKING}</p><h1>{}</h1>\
         <p>{} submissions received {} to {}; {} entities, {} links, {} possible links. {}</p>",
        csp(),
        escape(&title),
        escape(&title),
        g.reports.len(),
        escape(first),
        escape(last),
        g.entities.len(),
        g.links.len(),
        g.possible_links.len(),
        escape(note)
    );

    let mut risk: Vec<(&Entity, usize)> = g
        .entities
        .iter()
        .filter(|e| e.kind == Kind::Person && e.roles.contains("PERSON_POSING_RISK"))
        .map(|e| (e, degrees[e.id]))
        .collect();
    risk.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(b.0.reports.len().cmp(&a.0.reports.len()))
            .then(a.0.id.cmp(&b.0.id))
    });
    risk.truncate(TOP);
    h.push_str("<h2>Persons posing risk with the most links</h2>");
    table_of(&mut h, g, &risk, "links");

    for (kind, heading) in [
        (Kind::Vehicle, "Vehicles seen in several reports"),
        (Kind::Phone, "Phones seen in several reports"),
    ] {
        let mut rows: Vec<(&Entity, usize)> = g
            .entities
            .iter()
            .filter(|e| e.kind == kind && e.reports.len() > 1)
            .map(|e| (e, degrees[e.id]))
            .collect();
        rows.sort_by(|a, b| {
            b.0.reports
                .len()
                .cmp(&a.0.reports.len())
                .then(b.1.cmp(&a.1))
                .then(a.0.id.cmp(&b.0.id))
        });
        rows.truncate(TOP);
        let _ = write!(h, "<h2>{heading}</h2>");
        table_of(&mut h, g, &rows, "links");
    }

    let mut places: Vec<(&Entity, usize)> = g
        .entities
        .iter()
        .filter(|e| e.kind == Kind::Place)
        .map(|e| (e, degrees[e.id]))
        .collect();
    places.sort_by(|a, b| {
        b.0.reports
            .len()
            .cmp(&a.0.reports.len())
            .then(a.0.id.cmp(&b.0.id))
    });
    places.truncate(TOP);
    h.push_str("<h2>Hotspots: places named most</h2>");
    table_of(&mut h, g, &places, "links");

    newly_linked(&mut h, g, since);
    analyst_notes(&mut h, g);
    statistics(&mut h, g);

    let mut weeks: BTreeMap<String, usize> = BTreeMap::new();
    for (d, n) in &g.timeline {
        let w = week_of(d).unwrap_or_else(|| "unknown".into());
        *weeks.entry(w).or_insert(0) += n;
    }
    h.push_str("<h2>Timeline: submissions per week</h2><table><tr><th scope=\"col\">week beginning</th><th scope=\"col\">submissions</th><th></th></tr>");
    let max = weeks.values().copied().max().unwrap_or(1).max(1);
    for (w, n) in &weeks {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{n}</td><td>{}</td></tr>",
            escape(w),
            bar((n * 300 / max) as u64)
        );
    }
    let _ = writeln!(
        h,
        "</table><p class=\"marking\">{MARKING}</p></body></html>"
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_counts_reports_by_locality_category_and_month_and_lists_immediate_ones() {
        use crate::map::entities::extract_json as extract;
        let doc =
            |r: &str, locality: &str, priority: &str, event: &str, cats: serde_json::Value| {
                extract(
                    &serde_json::json!({"reference": r, "received_at": "2026-11-20T10:00:00Z",
                "priority": priority, "localities": [locality],
                "answers": {"event_date": event, "concern_categories": cats}}),
                )
            };
        let g = crate::map::build(&[
            doc(
                "PIS-AAAA-0001",
                "SELBY",
                "ROUTINE",
                "2026-09-03",
                serde_json::json!(["CCE", "COUNTY_LINES"]),
            ),
            doc(
                "PIS-AAAA-0002",
                "SELBY",
                "IMMEDIATE",
                "2026-10-13",
                serde_json::json!(["CCE"]),
            ),
            doc(
                "PIS-AAAA-0003",
                "CRAVEN",
                "ROUTINE",
                "2026-10-01",
                serde_json::json!(["<b>not a code</b>", "CSE"]),
            ),
        ]);
        let h = html(&g, "SELBY", "", None);
        let part = |heading: &str| {
            let start = h.find(&format!("<h2>{heading}")).expect(heading);
            let rest = &h[start + 4..];
            rest[..rest.find("<h2>").unwrap_or(rest.len())].to_string()
        };
        assert!(part("Reports by locality").contains("<td>selby</td><td>2</td>"));
        let cats = part("Reports by category");
        assert!(
            cats.contains("<td>cce</td><td>2</td>")
                && cats.contains("<td>county lines</td><td>1</td>")
        );
        assert!(!cats.contains("not a code"), "only option codes: {cats}");
        let months = part("Reports by month it happened");
        assert!(
            months.contains("<td>2026-09</td><td>1</td>")
                && months.contains("<td>2026-10</td><td>2</td>")
        );
        let immediate = part("IMMEDIATE reports");
        assert!(immediate.contains(
            "<td>PIS-AAAA-0002</td><td>2026-10-13</td><td>2026-11-20</td><td>SELBY</td>"
        ));
        assert!(!immediate.contains("PIS-AAAA-0001"));
    }

    #[test]
    fn the_pack_lists_people_and_vehicles_newly_linked_since_the_last_meeting() {
        use crate::map::entities::extract_json as extract;
        let doc = |r: &str, received: &str, answers: serde_json::Value| {
            extract(&serde_json::json!({"reference": r, "received_at": received,
                "localities": ["SELBY"], "answers": answers}))
        };
        let tyler = serde_json::json!([{"role": "PERSON_POSING_RISK", "forename": "Tyler", "surname": "Reeve"}]);
        let g = crate::map::build(&[
            doc(
                "PIS-AAAA-0001",
                "2026-09-01T10:00:00Z",
                serde_json::json!({"people": tyler, "vehicles": [{"registration": "YX21 KCD", "linked_person": "Tyler"}]}),
            ),
            doc(
                "PIS-AAAA-0002",
                "2026-11-20T10:00:00Z",
                serde_json::json!({"people": tyler, "vehicles": [{"registration": "YX21 KCD", "linked_person": "Tyler"}],
                    "phones": [{"number": "07700 900123", "linked_person": "Tyler"}]}),
            ),
        ]);
        let h = html(&g, "SELBY", "", Some("2026-10-01"));
        let start = h
            .find("<h2>Newly linked since the last meeting (2026-10-01)")
            .expect("section");
        let part = &h[start..start + h[start..].find("</table>").expect("table")];
        assert!(
            part.contains(
                "<td>Tyler Reeve (person)</td><td>+447700900123 (uses)</td><td>PIS-AAAA-0002</td>"
            ),
            "{part}"
        );
        assert!(
            !part.contains("YX21 KCD"),
            "linked before the meeting: {part}"
        );
        let first = html(&g, "SELBY", "", None);
        assert!(first.contains("No earlier pack for this locality is recorded"));
    }

    #[test]
    fn weeks_begin_on_monday() {
        assert_eq!(super::week_of("2026-10-01").as_deref(), Some("2026-09-28"));
        assert_eq!(super::week_of("2026-09-28").as_deref(), Some("2026-09-28"));
        assert_eq!(super::week_of("nonsense"), None);
    }
}
