//! The report as one self-contained HTML page: it prints on A4 with the protective marking at
//! the top and foot of every page, its Content-Security-Policy forbids every request (images
//! are inline `data:`), and every value from the document is escaped after its controls are
//! made visible. Several reports written one after another read as one page in a browser,
//! each printing from a new sheet.

use super::files::{file_lines, FileView};
use super::grading::Suggestion;
use super::report::{FirstScreen, Line, Reason, Report, Row};
use super::safe::html as esc;
use std::fmt::Write;

const CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; \
                   base-uri 'none'; form-action 'none'";

const STYLE: &str = "\
@page{size:A4;margin:18mm 15mm 16mm;\
@top-center{content:var(--marking);font:bold 10pt Arial,sans-serif;color:#d4351c}\
@bottom-center{content:var(--marking) ' · page ' counter(page) ' of ' counter(pages);font:bold 9pt Arial,sans-serif;color:#d4351c}}\
body{font:11pt/1.4 Arial,sans-serif;color:#0b0c0c;max-width:60em;margin:1.5em auto;padding:0 1em}\
.marking{background:#d4351c;color:#fff;font-weight:bold;padding:.2em .6em;display:inline-block;letter-spacing:.05em}\
h1{font-size:1.4em;margin:.4em 0}h1:not(:first-of-type){break-before:page;margin-top:2em}h2{font-size:1.15em;border-bottom:2px solid #0b0c0c;margin-top:1.4em;break-after:avoid}\
table{border-collapse:collapse;width:100%}th{text-align:left;vertical-align:top;padding:.25em 1em .25em 0;width:9em;white-space:nowrap}\
td{vertical-align:top;padding:.25em 0}tr+tr>*{border-top:1px solid #e5e5e5}ul{margin:0;padding-left:1.1em}\
.prio{font-weight:bold;padding:.1em .5em;border:2px solid #0b0c0c}.prio-IMMEDIATE{background:#d4351c;color:#fff;border-color:#d4351c}\
.prio-PRIORITY{background:#ffdd00}mark{background:#ffdd00;padding:0 .1em}\
blockquote{margin:.3em 0;padding:.2em .6em;border-left:4px solid #ffdd00;background:#fffbe6}\
.suggest{border:3px dashed #1d70b8;padding:.4em .8em;margin-top:1.2em}.suggest h2{border:0;margin-top:.2em}\
.grade{font-size:1.3em;font-weight:bold}.src{color:#6f3700}small{color:#505a5f}\
dl{margin:.3em 0}dt{font-weight:bold;margin-top:.4em}dd{margin-left:1em;white-space:pre-wrap}\
dt.item{margin-top:.8em;border-top:1px solid #b1b4b6;padding-top:.4em}section,tr,dt,dd{break-inside:avoid}\
figure{margin:1em 0;break-inside:avoid}figure img{max-width:100%;max-height:120mm;border:1px solid #b1b4b6}\
@media print{body{margin:0;max-width:none;padding:0}.marking.top{display:none}}";

/// The marking as it may appear inside a CSS string: a gateway marking is capital letters,
/// hyphens and spaces; anything else falls back to the gateway's own.
fn css_marking(m: &str) -> &str {
    if !m.is_empty()
        && m.chars()
            .all(|c| c.is_ascii_uppercase() || c == '-' || c == ' ')
    {
        m
    } else {
        "OFFICIAL-SENSITIVE"
    }
}

fn list(out: &mut String, key: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let _ = write!(out, "<tr><th>{}</th><td>", esc(key));
    if values.len() == 1 {
        out.push_str(&esc(&values[0]));
    } else {
        out.push_str("<ul>");
        for v in values {
            let _ = write!(out, "<li>{}</li>", esc(v));
        }
        out.push_str("</ul>");
    }
    out.push_str("</td></tr>");
}

fn texts(items: &[Line]) -> Vec<String> {
    items.iter().map(|l| l.text.clone()).collect()
}

/// An answer with each sentence that raised the priority marked where it stands.
fn marked(value: &str, sentences: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = value;
    loop {
        let hit = sentences
            .iter()
            .filter(|s| !s.trim().is_empty())
            .filter_map(|s| rest.find(s.trim()).map(|at| (at, s.trim())))
            .min_by_key(|(at, _)| *at);
        match hit {
            Some((at, s)) => {
                out.push_str(&esc(&rest[..at]));
                let _ = write!(out, "<mark>{}</mark>", esc(s));
                rest = &rest[at + s.len()..];
            }
            None => {
                out.push_str(&esc(rest));
                return out;
            }
        }
    }
}

fn rows(out: &mut String, rows_: &[Row], sentences: &[&str]) {
    out.push_str("<dl>");
    for r in rows_ {
        match r {
            Row::Answer {
                label, value, note, ..
            } => {
                let _ = write!(
                    out,
                    "<dt>{}</dt><dd>{}",
                    esc(label),
                    marked(value, sentences)
                );
                if let Some(n) = note {
                    let _ = write!(out, " <small>({})</small>", esc(n));
                }
                out.push_str("</dd>");
            }
            Row::Item {
                title,
                rows: r,
                item,
            } => {
                let _ = write!(
                    out,
                    "<dt class=item>{} <small>[{}]</small></dt><dd>",
                    esc(title),
                    esc(item)
                );
                rows(out, r, sentences);
                out.push_str("</dd>");
            }
        }
    }
    out.push_str("</dl>");
}

/// Each file's facts, and each image itself from its decrypted bytes.
fn files_html(out: &mut String, files: &[FileView<'_>]) {
    use base64::Engine as _;
    if files.is_empty() {
        return;
    }
    out.push_str("<h2>Evidence files</h2>");
    for f in files {
        let _ = write!(
            out,
            "<figure><figcaption><strong>File {}</strong>",
            f.facts.n
        );
        for line in file_lines(f) {
            let _ = write!(out, "<br>{}", esc(&line));
        }
        // The flattened copy sits beside the report when both are saved in the extract folder.
        if let Some(super::Flat::Written { name, .. }) = &f.flat {
            let _ = write!(
                out,
                "<br><a href=\"{}\">Open the flattened copy</a>",
                esc(name)
            );
        }
        out.push_str("</figcaption>");
        if let (Some(bytes), true) = (f.bytes, f.facts.kind.is_image()) {
            let _ = write!(
                out,
                "<img alt=\"File {}\" src=\"data:{};base64,{}\">",
                f.facts.n,
                f.facts.kind.media_type(),
                base64::engine::general_purpose::STANDARD.encode(bytes)
            );
        }
        out.push_str("</figure>");
    }
}

pub(super) fn render(r: &Report, files: &[FileView<'_>]) -> String {
    let mut out = String::new();
    head(&mut out, r);
    at_a_glance(&mut out, &r.first_screen);
    suggested_grading(&mut out, &r.suggested_grading);
    sections(&mut out, r);
    files_html(&mut out, files);
    let _ = writeln!(
        out,
        "<p class=marking>{}</p></body></html>",
        esc(&r.marking)
    );
    out
}

/// The page's head (the marking in the printed header and footer), the title with the
/// priority, and where the report came from.
fn head(out: &mut String, r: &Report) {
    let s = &r.first_screen;
    let marking = css_marking(&r.marking);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=en-GB><head><meta charset=utf-8>\
         <meta http-equiv=Content-Security-Policy content=\"{CSP}\">\
         <meta name=referrer content=no-referrer><title>{} {} {}</title>\
         <style>{}</style></head><body>",
        esc(marking),
        esc(&r.reference),
        esc(&s.priority),
        STYLE.replace("var(--marking)", &format!("\"{marking}\""))
    );
    let _ = write!(
        out,
        "<p class=\"marking top\">{}</p><h1>Intelligence report {} \
         <span class=\"prio prio-{}\">{}</span></h1>",
        esc(&r.marking),
        esc(&r.reference),
        // The class takes only the three gateway priorities; the text shows whatever it says.
        match s.priority.as_str() {
            p @ ("IMMEDIATE" | "PRIORITY" | "ROUTINE") => p,
            _ => "other",
        },
        esc(&s.priority)
    );
    out.push_str("<table>");
    list(out, "Received", std::slice::from_ref(&r.received_at));
    list(
        out,
        "Form",
        &[format!(
            "{} (version {}), route {} ({} view)",
            r.form, r.form_version, r.route, r.view
        )],
    );
    list(out, "Signature", std::slice::from_ref(&r.signature));
    list(out, "Note", &r.notes);
    out.push_str("</table>");
}

/// The first screen: why it is urgent, who and what it names, where and when.
fn at_a_glance(out: &mut String, s: &FirstScreen) {
    out.push_str("<h2>At a glance</h2>");
    if let Some(original) = &s.follow_up_of {
        let _ = write!(
            out,
            "<p><strong>Adds to {}</strong> (what the submitter added to that report)</p>",
            esc(original)
        );
    }
    out.push_str("<table>");
    reasons(out, &s.reasons);
    list(out, "Alleged", std::slice::from_ref(&s.alleged));
    if !s.categories.is_empty() {
        list(out, "Concern", &[s.categories.join("; ")]);
    }
    let mut place = Vec::new();
    if !s.localities.is_empty() {
        place.push(format!("area: {}", s.localities.join(", ")));
    }
    if !s.postcodes.is_empty() {
        place.push(format!("postcodes: {}", s.postcodes.join(", ")));
    }
    place.extend(texts(&s.places));
    list(out, "Where", &place);
    list(out, "Children at risk", &texts(&s.children_at_risk));
    list(out, "Posing risk", &texts(&s.posing_risk));
    list(out, "Other people", &texts(&s.other_people));
    list(out, "Vehicles", &texts(&s.vehicles));
    list(out, "Phones", &texts(&s.phones));
    list(out, "Online", &texts(&s.online));
    list(out, "When", &s.when);
    list(out, "Reported elsewhere", &s.reported_elsewhere);
    list(out, "Written in", &s.written_in);
    out.push_str("</table>");
}

/// The reasons for the priority, each with the sentence that gave it quoted from its answer
/// (or a note that the sentence could not be found there), so the officer can check it.
fn reasons(out: &mut String, reasons: &[Reason]) {
    if reasons.is_empty() {
        return;
    }
    out.push_str("<tr><th>Why</th><td>");
    for x in reasons {
        let _ = write!(out, "<div>{}", esc(&x.words));
        match (&x.sentence, &x.in_answer) {
            (Some(sentence), Some(q)) => {
                let _ = write!(
                    out,
                    "<blockquote><mark>{}</mark><br><small>in: {}</small></blockquote>",
                    esc(sentence.trim()),
                    esc(q)
                );
            }
            (None, Some(q)) => {
                let _ = write!(
                    out,
                    "<br><small>(the sentence could not be found in: {})</small>",
                    esc(q)
                );
            }
            _ => {}
        }
        out.push_str("</div>");
    }
    out.push_str("</td></tr>");
}

/// The suggested provenance and handling codes with what each was suggested from, marked as
/// suggestions for the officer to confirm; the source's evaluation is the officer's alone.
fn suggested_grading(out: &mut String, g: &Suggestion) {
    out.push_str(
        "<section class=suggest><h2>Source and handling: suggested, for the officer to confirm</h2><table>",
    );
    let mut prov = Vec::new();
    for b in &g.provenance.basis {
        prov.push(format!("from: {} {}", b.question, b.answer));
    }
    if let Some(a) = &g.provenance.alternative {
        prov.push(format!("or {:?} {}", a.code, a.when));
    }
    if g.provenance.consider_e {
        prov.push("consider E: the submitter doubts the information".into());
    }
    let _ = write!(
        out,
        "<tr><th>Provenance</th><td><span class=grade>{:?}</span> {} <em>(suggested)</em><ul>",
        g.provenance.code,
        esc(g.provenance.meaning)
    );
    for p in &prov {
        let _ = write!(out, "<li>{}</li>", esc(p));
    }
    let _ = write!(
        out,
        "</ul></td></tr><tr><th>Handling</th><td><span class=grade>{:?}</span> {} <em>(suggested)</em><ul>",
        g.handling.code,
        esc(g.handling.meaning)
    );
    for b in &g.handling.basis {
        let _ = write!(
            out,
            "<li>from: {} {}</li>",
            esc(&b.question),
            esc(&b.answer)
        );
    }
    out.push_str(
        "</ul></td></tr><tr><th>Source</th><td>1, 2 or 3: the officer's own evaluation \
         of the source (not suggested)</td></tr></table></section>",
    );
}

/// The form's sections in full, with the sentences that set the priority marked where they
/// appear.
fn sections(out: &mut String, r: &Report) {
    let sentences: Vec<&str> = r
        .first_screen
        .reasons
        .iter()
        .filter_map(|x| x.sentence.as_deref())
        .collect();
    for sec in &r.sections {
        let _ = write!(out, "<section><h2>{}", esc(&sec.title));
        if sec.source_identifying {
            out.push_str(
                " <small class=src>(may identify the source: remove before sharing)</small>",
            );
        }
        out.push_str("</h2>");
        rows(out, &sec.rows, &sentences);
        out.push_str("</section>");
    }
}
