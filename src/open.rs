//! `pis-gateway open`: decrypts envelopes on the reader's machine and lays a submission out so
//! an officer can read it at a glance: priority first, then the form's sections with the
//! questions as they were asked, people, vehicles and places as numbered items.

use crate::attachments::facts::sha256_hex;
use crate::attachments::Facts;
use crate::forms::spec::{Field, FormSpec, Kind};
use crate::forms::{vrm, FormRegistry};
use serde_json::Value;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Whether the document's signature was checked, and by which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// Signed by the gateway with the key of this id.
    Signed(String),
    /// Shown without a valid signature (`--allow-unsigned`), for this reason.
    Unverified(String),
}

impl Provenance {
    fn describe(&self) -> String {
        match self {
            Provenance::Signed(id) => format!("signed by the gateway, key {id}"),
            Provenance::Unverified(why) => format!("NOT VERIFIED: {why}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Html,
}

enum Row {
    Answer {
        label: String,
        value: String,
        note: Option<String>,
    },
    Item {
        title: String,
        rows: Vec<Row>,
    },
}

struct Section {
    title: String,
    rows: Vec<Row>,
}

struct Layout {
    heading: Vec<(String, String)>,
    sections: Vec<Section>,
}

fn note_text(code: &str) -> String {
    match code {
        "partial_registration" => "partial registration: ? marks unknown characters".into(),
        "unusual_registration" => {
            "does not match a UK registration format (foreign, personalised or misread?)".into()
        }
        "partial_postcode" => "first part of the postcode only".into(),
        "partial_phone" => "partial number: ? marks unknown digits".into(),
        other => other.replace('_', " "),
    }
}

fn display_value(f: &Field, v: &Value) -> String {
    let label_of = |s: &str| {
        f.kind
            .options()
            .and_then(|o| o.into_iter().find(|o| o.value == s).map(|o| o.label))
            .unwrap_or_else(|| s.to_string())
    };
    match (v, &f.kind) {
        (Value::String(s), Kind::VehicleRegistration) => vrm::display(s),
        (Value::String(s), _) => label_of(s),
        (Value::Array(items), _) => items
            .iter()
            .filter_map(Value::as_str)
            .map(label_of)
            .collect::<Vec<_>>()
            .join("; "),
        (other, _) => other.to_string(),
    }
}

fn rows_for(
    fields: &[Field],
    answers: &serde_json::Map<String, Value>,
    path: &str,
    notes: &[(String, String)],
) -> Vec<Row> {
    let mut rows = Vec::new();
    for f in fields {
        let Some(v) = answers.get(&f.id) else {
            continue;
        };
        let here = if path.is_empty() {
            f.id.clone()
        } else {
            format!("{path}.{}", f.id)
        };
        if let Kind::Group {
            item_label,
            fields: subs,
            ..
        } = &f.kind
        {
            let label = item_label.as_deref().unwrap_or("Item");
            for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                let Some(obj) = item.as_object() else {
                    continue;
                };
                rows.push(Row::Item {
                    title: format!("{label} {}", i + 1),
                    rows: rows_for(subs, obj, &format!("{here}[{i}]"), notes),
                });
            }
        } else {
            let note = notes
                .iter()
                .find(|(field, _)| *field == here)
                .map(|(_, code)| note_text(code));
            rows.push(Row::Answer {
                label: f.label.clone(),
                value: display_value(f, v),
                note,
            });
        }
    }
    rows
}

/// The answer at a path such as `details` or `people[1].description`.
fn answer_at<'a>(answers: &'a serde_json::Map<String, Value>, path: &str) -> Option<&'a str> {
    let (head, rest) = match path.split_once('[') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let v = answers.get(head)?;
    match rest {
        None => v.as_str(),
        Some(r) => {
            let (index, sub) = r.split_once("].")?;
            let item = v
                .as_array()?
                .get(index.parse::<usize>().ok()?)?
                .as_object()?;
            answer_at(item, sub)
        }
    }
}

/// Each narrative reason with the sentence that raised it, taken from the answer by its
/// character span (a span that does not fit the answer is shown as such, never guessed).
fn narrative_rows(
    doc: &Value,
    answers: &serde_json::Map<String, Value>,
    spec: Option<&FormSpec>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for f in doc
        .get("narrative")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(reason), Some(field)) = (
            f.get("reason").and_then(Value::as_str),
            f.get("field").and_then(Value::as_str),
        ) else {
            continue;
        };
        let start = f.get("start").and_then(Value::as_u64).unwrap_or(0) as usize;
        let end = f.get("end").and_then(Value::as_u64).unwrap_or(0) as usize;
        let sentence = answer_at(answers, field)
            .filter(|t| start < end && end <= t.chars().count())
            .map(|t| t.chars().skip(start).take(end - start).collect::<String>());
        let top = field.split(['[', '.']).next().unwrap_or(field);
        let label = spec
            .and_then(|s| s.field(field).or_else(|| s.field(top)))
            .map(|f| f.label.clone())
            .unwrap_or_else(|| field.to_string());
        rows.push(Row::Answer {
            label: reason_words(reason),
            value: match sentence {
                Some(s) => format!("“{s}”"),
                None => "(the sentence could not be found in the answer)".into(),
            },
            note: Some(format!("in: {label}")),
        });
    }
    rows
}

/// A reason code in words, for the officer.
fn reason_words(code: &str) -> String {
    let words = code
        .strip_prefix("narrative_")
        .unwrap_or(code)
        .replace('_', " ");
    format!("{} ({code})", capitalise(&words))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn layout(doc: &Value, forms: &FormRegistry, provenance: &Provenance) -> Layout {
    let s = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let reasons: Vec<String> = doc
        .get("reason_codes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let version = doc.get("form_version").and_then(Value::as_u64).unwrap_or(0);
    let mut heading = vec![
        ("Marking".into(), s("marking")),
        ("Reference".into(), s("reference")),
        ("Priority".into(), s("priority")),
        ("Signature".into(), provenance.describe()),
    ];
    if !reasons.is_empty() {
        heading.push(("Why".into(), reasons.join(", ")));
    }
    heading.push(("Received".into(), s("received_at")));
    let localities: Vec<&str> = doc
        .get("localities")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !localities.is_empty() {
        heading.push(("Localities".into(), localities.join(", ")));
    }
    heading.push(("Form".into(), format!("{} (version {version})", s("form"))));
    // What a submitter added on /follow-up names the report it adds to.
    if let Some(original) = doc.get("follow_up_of").and_then(Value::as_str) {
        heading.push(("Adds to report".into(), original.to_string()));
    }
    heading.push((
        "Route".into(),
        format!("{} ({} view)", s("route"), s("view")),
    ));

    let empty = serde_json::Map::new();
    let answers = doc
        .get("answers")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let notes: Vec<(String, String)> = doc
        .get("notes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| {
            Some((
                n.get("field")?.as_str()?.to_string(),
                n.get("code")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let spec: Option<&FormSpec> = forms.get(&s("form")).map(|a| a.as_ref());
    let mut sections = Vec::new();
    // The sentence behind each narrative reason, first: what the officer must not miss.
    let raised = narrative_rows(doc, answers, spec);
    if !raised.is_empty() {
        sections.push(Section {
            title: "What raised the priority (the submitter's words)".into(),
            rows: raised,
        });
    }
    let mut known = std::collections::HashSet::new();
    if let Some(spec) = spec {
        if u64::from(spec.version) != version {
            heading.push((
                "Note".into(),
                format!(
                    "labels are from form version {}; the submission used version {version}",
                    spec.version
                ),
            ));
        }
        for sec in &spec.sections {
            known.extend(sec.fields.iter().map(|f| f.id.clone()));
            let rows = rows_for(&sec.fields, answers, "", &notes);
            if !rows.is_empty() {
                sections.push(Section {
                    title: sec.title.clone(),
                    rows,
                });
            }
        }
    }
    // Anything the form spec does not know (another version, or no spec at hand) is still shown.
    let other: Vec<Row> = answers
        .iter()
        .filter(|(k, _)| !known.contains(*k))
        .map(|(k, v)| Row::Answer {
            label: k.clone(),
            value: match v {
                Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            },
            note: None,
        })
        .collect();
    if !other.is_empty() {
        sections.push(Section {
            title: "Other answers".into(),
            rows: other,
        });
    }
    Layout { heading, sections }
}

fn text_rows(out: &mut String, rows: &[Row], indent: usize) {
    let pad = " ".repeat(indent);
    for r in rows {
        match r {
            Row::Answer { label, value, note } => {
                let mut lines = value.lines();
                let _ = writeln!(out, "{pad}{label}: {}", lines.next().unwrap_or(""));
                for l in lines {
                    let _ = writeln!(out, "{pad}    {l}");
                }
                if let Some(n) = note {
                    let _ = writeln!(out, "{pad}    (note: {n})");
                }
            }
            Row::Item { title, rows } => {
                let _ = writeln!(out, "{pad}{title}");
                text_rows(out, rows, indent + 2);
            }
        }
    }
}

fn escape(s: &str) -> String {
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

fn html_rows(out: &mut String, rows: &[Row]) {
    out.push_str("<dl>");
    for r in rows {
        match r {
            Row::Answer { label, value, note } => {
                let _ = write!(
                    out,
                    "<dt>{}</dt><dd>{}",
                    escape(label),
                    escape(value).replace('\n', "<br>")
                );
                if let Some(n) = note {
                    let _ = write!(out, " <em>({})</em>", escape(n));
                }
                out.push_str("</dd>");
            }
            Row::Item { title, rows } => {
                let _ = write!(out, "<dt class=item>{}</dt><dd>", escape(title));
                html_rows(out, rows);
                out.push_str("</dd>");
            }
        }
    }
    out.push_str("</dl>");
}

/// Each file's facts, and each image itself from its decrypted bytes.
fn html_files(out: &mut String, files: &[FileView<'_>]) {
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
            let _ = write!(out, "<br>{}", escape(&line));
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

/// Text safe for a terminal: C0 and C1 control characters (ESC, CSI, carriage return, BEL…)
/// are shown as `\u{..}` rather than obeyed, so a document cannot rewrite the lines around it.
/// Line feeds and tabs are kept.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let code = c as u32;
        let control = (code < 0x20 && c != '\n' && c != '\t') || (0x7f..=0x9f).contains(&code);
        if control {
            let _ = write!(out, "\\u{{{code:x}}}");
        } else {
            out.push(c);
        }
    }
    out
}

/// One evidence file a document lists, and its decrypted bytes if it was given to `open`.
pub struct FileView<'a> {
    pub facts: Facts,
    pub bytes: Option<&'a [u8]>,
}

/// The files a document lists, each matched to the decrypted file whose SHA-256 the (signed)
/// document records, so a file renamed or mixed up on the way is still matched, and a file
/// changed on the way matches nothing.
pub fn files_of<'a>(doc: &Value, decrypted: &'a [Zeroizing<Vec<u8>>]) -> Vec<FileView<'a>> {
    let listed: Vec<Facts> = doc
        .get("attachments")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let hashes: Vec<String> = decrypted.iter().map(|b| sha256_hex(b)).collect();
    listed
        .into_iter()
        .map(|facts| {
            let bytes = hashes
                .iter()
                .position(|h| *h == facts.sha256_sealed)
                .map(|i| decrypted[i].as_slice());
            FileView { facts, bytes }
        })
        .collect()
}

/// Writes each matched file into `dir` as `<reference>-<n>.<ext>`, mode 0600, never over an
/// existing file. Returns the paths written.
pub fn extract(
    dir: &Path,
    reference: &str,
    files: &[FileView<'_>],
) -> std::io::Result<Vec<PathBuf>> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    // The reference names the file: only its own characters, never a path.
    let safe: String = reference
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let mut written = Vec::new();
    for f in files {
        let Some(bytes) = f.bytes else { continue };
        let path = dir.join(format!("{safe}-{}.{}", f.facts.n, f.facts.kind.extension()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        written.push(path);
    }
    Ok(written)
}

fn file_lines(f: &FileView<'_>) -> Vec<String> {
    let x = &f.facts;
    let mut lines = vec![format!(
        "{} ({}), {} bytes sealed{}",
        x.kind.as_str().to_uppercase(),
        x.media_type,
        x.bytes_sealed,
        match (x.width, x.height) {
            (Some(w), Some(h)) => format!(", {w} × {h} pixels"),
            _ => String::new(),
        }
    )];
    if x.cleaned {
        lines.push(format!(
            "cleaned: decoded and encoded again without metadata ({} bytes as sent)",
            x.bytes_received
        ));
    }
    if x.open_in_safe_viewer {
        lines.push("kept exactly as sent: open it in a safe viewer, away from the network".into());
    }
    if !x.active_content.is_empty() {
        lines.push(format!(
            "active content declared: {}",
            x.active_content.join(", ")
        ));
    }
    lines.push(format!("SHA-256 as sent:  {}", x.sha256_received));
    lines.push(format!("SHA-256 sealed:   {}", x.sha256_sealed));
    if f.bytes.is_none() {
        lines.push("not opened: give its .age file to open as well".into());
    }
    lines
}

fn files_section(files: &[FileView<'_>]) -> Option<Section> {
    if files.is_empty() {
        return None;
    }
    Some(Section {
        title: "Evidence files".into(),
        rows: files
            .iter()
            .map(|f| Row::Answer {
                label: format!("File {}", f.facts.n),
                value: file_lines(f).join("\n"),
                note: None,
            })
            .collect(),
    })
}

/// Renders one decrypted document, with the files it lists (images shown inline in HTML).
pub fn render(
    doc: &Value,
    forms: &FormRegistry,
    format: Format,
    provenance: &Provenance,
    files: &[FileView<'_>],
) -> String {
    if format == Format::Json {
        return serde_json::to_string_pretty(doc).unwrap_or_default() + "\n";
    }
    let mut l = layout(doc, forms, provenance);
    if format == Format::Text {
        l.sections.extend(files_section(files));
    }
    let mut out = String::new();
    match format {
        Format::Text => {
            for (k, v) in &l.heading {
                let _ = writeln!(out, "{k:<10} {v}");
            }
            for s in &l.sections {
                let _ = writeln!(out, "\n== {} ==", s.title);
                text_rows(&mut out, &s.rows, 0);
            }
            // Everything shown came from the document: made safe once, at the exit.
            out = terminal_safe(&out);
        }
        Format::Html => {
            out.push_str("<!DOCTYPE html><html lang=en-GB><head><meta charset=utf-8><title>");
            out.push_str(&escape(
                l.heading.get(1).map(|h| h.1.as_str()).unwrap_or(""),
            ));
            // Nothing in the report may reach the network: images are inline data, and the
            // policy forbids every other source.
            out.push_str("</title><meta http-equiv=Content-Security-Policy content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\"><style>body{font-family:Arial,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}\
                .marking{background:#d4351c;color:#fff;font-weight:bold;padding:.3em .6em;display:inline-block}\
                table{border-collapse:collapse}th{text-align:left;padding-right:1em}dt{font-weight:bold;margin-top:.5em}\
                dd{margin-left:1em}dt.item{margin-top:1em;border-top:1px solid #b1b4b6;padding-top:.5em}\
                figure{margin:1em 0}figure img{max-width:100%;border:1px solid #b1b4b6}</style></head><body>");
            out.push_str("<p class=marking>OFFICIAL-SENSITIVE</p><table>");
            for (k, v) in &l.heading {
                let _ = write!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
            }
            out.push_str("</table>");
            for s in &l.sections {
                let _ = write!(out, "<h2>{}</h2>", escape(&s.title));
                html_rows(&mut out, &s.rows);
            }
            html_files(&mut out, files);
            out.push_str("</body></html>\n");
        }
        Format::Json => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "schema": "pis-gateway/submission/v1", "marking": "OFFICIAL-SENSITIVE",
            "reference": "PIS-ABCD-EFGH", "priority": "IMMEDIATE", "reason_codes": ["gate_danger_now"],
            "received_at": "2026-11-23T19:00:00Z", "form": "community", "form_version": 1,
            "route": "police_intelligence", "view": "full",
            "answers": {
                "gate.immediate_danger": "yes",
                "what_happened": "Line one <b>\nLine two",
                "vehicles": [{"registration": "YX21KCD"}],
                "mystery": "kept"
            },
            "notes": [{"field": "vehicles[0].registration", "code": "unusual_registration"}]
        })
    }

    fn signed() -> Provenance {
        Provenance::Signed("0123456789abcdef".into())
    }

    #[test]
    fn text_strips_terminal_controls_from_every_value() {
        let forms = FormRegistry::built_in().expect("forms");
        let mut d = doc();
        d["answers"]["what_happened"] =
            json!("calm\u{1b}[2K\u{1b}[1A\rPriority   ROUTINE\u{9b}2J\u{7}");
        d["reference"] = json!("PIS-ABCD-EFGH\u{1b}]0;owned\u{7}");
        let t = render(&d, &forms, Format::Text, &signed(), &[]);
        assert!(
            !t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{t:?}"
        );
        assert!(t.contains("\\u{1b}[2K"), "shown, not obeyed: {t}");
        assert!(t.contains("Signature  signed by the gateway, key 0123456789abcdef"));
        assert_eq!(
            t.lines().filter(|l| l.starts_with("Priority")).count(),
            1,
            "{t}"
        );
        let u = render(
            &d,
            &forms,
            Format::Text,
            &Provenance::Unverified("not signed by the gateway".into()),
            &[],
        );
        assert!(u.contains("NOT VERIFIED: not signed by the gateway"));
    }

    #[test]
    fn text_shows_priority_labels_items_and_unknown_answers() {
        let forms = FormRegistry::built_in().expect("forms");
        let t = render(&doc(), &forms, Format::Text, &signed(), &[]);
        assert!(t.contains("Priority   IMMEDIATE"), "{t}");
        assert!(
            t.contains("Vehicle 1") || t.contains("vehicle 1") || t.contains(" 1\n"),
            "{t}"
        );
        assert!(t.contains("YX21 KCD"), "{t}");
        assert!(t.contains("(note: does not match"), "{t}");
        assert!(t.contains("    Line two"), "{t}");
        assert!(t.contains("mystery: kept"), "{t}");
        assert!(t.contains(": Yes"), "{t}");
    }

    #[test]
    fn html_escapes_everything_submitted() {
        let forms = FormRegistry::built_in().expect("forms");
        let h = render(&doc(), &forms, Format::Html, &signed(), &[]);
        assert!(h.contains("Line one &lt;b&gt;<br>Line two"), "{h}");
        assert!(!h.contains("<b>"));
    }

    #[test]
    fn the_sentence_behind_a_narrative_reason_is_shown_first() {
        let forms = FormRegistry::built_in().expect("forms");
        let mut d = doc();
        d["answers"]["what_happened"] =
            json!("All calm. He is outside the shop <showing> a knife.");
        d["narrative"] = json!([
            {"reason": "narrative_weapons_now", "field": "what_happened", "start": 10, "end": 50},
            {"reason": "narrative_child_held", "field": "what_happened", "start": 40, "end": 900}
        ]);
        let t = render(&d, &forms, Format::Text, &signed(), &[]);
        let first = t.find("What raised the priority").expect("section");
        let section = &t[first..];
        assert!(
            section.contains("Weapons now (narrative_weapons_now)"),
            "{t}"
        );
        assert!(
            section.contains("“He is outside the shop <showing> a knife”"),
            "{t}"
        );
        assert!(section.contains("could not be found"), "{t}");
        assert!(
            first < t.find("What is worrying you").unwrap_or(usize::MAX),
            "{t}"
        );
        let h = render(&d, &forms, Format::Html, &signed(), &[]);
        assert!(
            h.contains("He is outside the shop &lt;showing&gt; a knife"),
            "{h}"
        );
    }
}
