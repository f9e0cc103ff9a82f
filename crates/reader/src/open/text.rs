//! The report as terminal text: the first screen, the suggested grading, then every answer.
//! Everything is assembled first and made terminal-safe once, at the exit.

use super::files::{file_lines, FileView};
use super::grading::Suggestion;
use super::report::{FirstScreen, Line, Report, Row};
use super::safe::terminal_safe;
use std::fmt::Write;

const WIDTH: usize = 11;

/// `Key        first value`, further values on their own lines under the first.
fn field(out: &mut String, key: &str, values: &[String]) {
    let pad = " ".repeat(WIDTH + 1);
    for (i, v) in values.iter().enumerate() {
        let mut lines = v.lines();
        let first = lines.next().unwrap_or("");
        if i == 0 {
            let _ = writeln!(out, "{key:<WIDTH$} {first}");
        } else {
            let _ = writeln!(out, "{pad}{first}");
        }
        for l in lines {
            let _ = writeln!(out, "{pad}  {l}");
        }
    }
}

fn lines(items: &[Line]) -> Vec<String> {
    items.iter().map(|l| l.text.clone()).collect()
}

fn rows(out: &mut String, items: &[Row], indent: usize) {
    let pad = " ".repeat(indent);
    for r in items {
        match r {
            Row::Answer {
                label, value, note, ..
            } => {
                let mut lines = value.lines();
                let _ = writeln!(out, "{pad}{label}: {}", lines.next().unwrap_or(""));
                for l in lines {
                    let _ = writeln!(out, "{pad}    {l}");
                }
                if let Some(n) = note {
                    let _ = writeln!(out, "{pad}    (note: {n})");
                }
            }
            Row::Item {
                title,
                rows: r,
                item,
            } => {
                // The path names the item for `share --remove`.
                let _ = writeln!(out, "{pad}{title}  [{item}]");
                rows(out, r, indent + 2);
            }
        }
    }
}

pub(super) fn render(r: &Report, files: &[FileView<'_>]) -> String {
    let mut out = String::new();
    head(&mut out, r);
    at_a_glance(&mut out, &r.first_screen);
    suggested_grading(&mut out, &r.suggested_grading);
    for sec in &r.sections {
        let mark = if sec.source_identifying {
            " (may identify the source: remove before sharing)"
        } else {
            ""
        };
        let _ = writeln!(out, "\n== {}{mark} ==", sec.title);
        rows(&mut out, &sec.rows, 0);
    }
    if !files.is_empty() {
        out.push_str("\n== Evidence files ==\n");
        for f in files {
            let _ = writeln!(out, "File {}", f.facts.n);
            for l in file_lines(f) {
                let _ = writeln!(out, "    {l}");
            }
        }
    }
    // Everything shown came from the document: made safe once, at the exit.
    terminal_safe(&out)
}

/// The marking, then the reference, priority and where the report came from.
fn head(out: &mut String, r: &Report) {
    let _ = writeln!(out, "{}", r.marking);
    let head = [
        ("Reference", r.reference.clone()),
        ("Priority", r.first_screen.priority.clone()),
        ("Signature", r.signature.clone()),
        ("Received", r.received_at.clone()),
        (
            "Form",
            format!(
                "{} (version {}), route {} ({} view)",
                r.form, r.form_version, r.route, r.view
            ),
        ),
    ];
    for (k, v) in head {
        let _ = writeln!(out, "{k:<10} {v}");
    }
    for n in &r.notes {
        let _ = writeln!(out, "{:<10} {n}", "Note");
    }
}

/// The first screen: why it is urgent (with the sentence that says so), who and what it
/// names, where and when.
fn at_a_glance(out: &mut String, s: &FirstScreen) {
    out.push_str("\n== At a glance ==\n");
    if let Some(original) = &s.follow_up_of {
        let _ = writeln!(
            out,
            "Adds to {original} (what the submitter added to that report)"
        );
    }
    let why: Vec<String> = s
        .reasons
        .iter()
        .map(|x| {
            let mut t = x.words.clone();
            match (&x.sentence, &x.in_answer) {
                (Some(sentence), Some(q)) => {
                    let _ = write!(t, "\n>> “{}” <<\n(in: {q})", sentence.trim());
                }
                (None, Some(q)) => {
                    let _ = write!(t, "\n(the sentence could not be found in: {q})");
                }
                _ => {}
            }
            t
        })
        .collect();
    field(out, "Why", &why);
    field(out, "Alleged", std::slice::from_ref(&s.alleged));
    if !s.categories.is_empty() {
        field(out, "Concern", &[s.categories.join("; ")]);
    }
    let mut place = Vec::new();
    if !s.localities.is_empty() {
        place.push(format!("area: {}", s.localities.join(", ")));
    }
    if !s.postcodes.is_empty() {
        place.push(format!("postcodes: {}", s.postcodes.join(", ")));
    }
    place.extend(lines(&s.places));
    field(out, "Where", &place);
    field(out, "Children", &lines(&s.children_at_risk));
    field(out, "Posing risk", &lines(&s.posing_risk));
    field(out, "People", &lines(&s.other_people));
    field(out, "Vehicles", &lines(&s.vehicles));
    field(out, "Phones", &lines(&s.phones));
    field(out, "Online", &lines(&s.online));
    field(out, "When", &s.when);
    field(out, "Reported", &s.reported_elsewhere);
    field(out, "Written in", &s.written_in);
}

/// The suggested provenance and handling codes with what each was suggested from; the
/// source's evaluation is the officer's alone.
fn suggested_grading(out: &mut String, g: &Suggestion) {
    out.push_str("\n== Source and handling: SUGGESTED, for the officer to confirm ==\n");
    let mut prov = vec![format!(
        "{:?}: {} (suggested)",
        g.provenance.code, g.provenance.meaning
    )];
    for b in &g.provenance.basis {
        prov.push(format!("from: {} {}", b.question, b.answer));
    }
    if let Some(a) = &g.provenance.alternative {
        prov.push(format!("or {:?} {}", a.code, a.when));
    }
    if g.provenance.consider_e {
        prov.push("consider E: the submitter doubts the information".into());
    }
    if g.provenance.basis.is_empty() {
        prov.push("from: no answer says how it is known".into());
    }
    field(out, "Provenance", &prov);
    let mut handling = vec![format!(
        "{:?}: {} (suggested)",
        g.handling.code, g.handling.meaning
    )];
    for b in &g.handling.basis {
        handling.push(format!("from: {} {}", b.question, b.answer));
    }
    field(out, "Handling", &handling);
    field(
        out,
        "Source",
        &["1, 2 or 3: the officer's own evaluation of the source (not suggested)".into()],
    );
}
