//! `pis-gateway open`: decrypts envelopes on the reader's machine and lays each submission out
//! as an intelligence report: a first screen with what the officer asks first (priority and
//! why, what, where, who, vehicles and phones, when, reported elsewhere), a suggested 3x5x2
//! provenance grade and handling code, then every answer grouped by entity. Text, HTML and
//! JSON render one model ([`report::Report`]); `intel-json` exports the entities and grading
//! for a force intelligence system ([`intel`]).

pub mod document;
pub mod files;
pub mod flatten;
pub mod grading;
mod html;
pub mod imap;
pub mod intel;
pub mod labels;
pub mod mailbox;
pub mod report;
pub mod safe;
pub mod sanitise;
mod text;
pub mod thread;

pub use files::{extract, files_of, FileView};
pub use flatten::{Flat, Flattener};
pub use safe::terminal_safe;

use crate::forms::FormRegistry;
use document::Document;
use serde_json::Value;

/// Whether the document's signature was checked, and by which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// Signed by the gateway with the key of this id.
    Signed(String),
    /// Shown without a valid signature (`--allow-unsigned`), for this reason.
    Unverified(String),
    /// A restricted view built on this machine (`share`) from a full document the gateway
    /// signed with the key of this id. The gateway's signature covers only the full document.
    Restricted(String),
    /// A restricted view shared with MACE, signed by the officer whose key (of this id) the
    /// gateway publishes.
    SharedBy(String),
}

impl Provenance {
    fn describe(&self) -> String {
        match self {
            Provenance::Signed(id) => format!("signed by the gateway, key {id}"),
            Provenance::Unverified(why) => format!("NOT VERIFIED: {why}"),
            Provenance::Restricted(id) => format!(
                "restricted view built on this machine from the full document signed by the \
                 gateway, key {id}"
            ),
            Provenance::SharedBy(id) => format!(
                "restricted view shared by officer key {id}, signed by that officer (a key the \
                 gateway publishes); the gateway's own signature covered the full document"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The report for a terminal.
    Text,
    /// The report as JSON, with the signed document itself under `document`.
    Json,
    /// The report as one self-contained page that prints on A4.
    Html,
    /// Entities and suggested grading for a force intelligence system
    /// (config/intel-report.schema.json).
    IntelJson,
}

/// Renders one decrypted document, with the files it lists (images shown inline in HTML).
pub fn render(
    doc: &Value,
    forms: &FormRegistry,
    format: Format,
    provenance: &Provenance,
    files: &[FileView<'_>],
) -> String {
    render_in_thread(doc, None, forms, format, provenance, files)
}

/// As [`render`]; an addendum is graded as `original`, the verified report it adds to, when
/// that was opened with it ([`thread::order`] pairs them).
pub fn render_in_thread(
    doc: &Value,
    original: Option<&Value>,
    forms: &FormRegistry,
    format: Format,
    provenance: &Provenance,
    files: &[FileView<'_>],
) -> String {
    let d = Document::new(doc, forms);
    let o = original.map(|o| Document::new(o, forms));
    let build = || report::build_in_thread(&d, provenance, o.as_ref());
    match format {
        Format::Text => text::render(&build(), files),
        Format::Html => html::render(&build(), files),
        Format::Json => {
            let mut v = serde_json::to_value(build()).unwrap_or_default();
            v["document"] = doc.clone();
            v["files"] = files
                .iter()
                .map(|f| {
                    serde_json::json!({"n": f.facts.n, "opened": f.bytes.is_some(), "facts": f.facts,
                        "flattened": f.flat.as_ref().map(|x| x.describe())})
                })
                .collect();
            json_out(&v)
        }
        Format::IntelJson => json_out(&intel::build_in_thread(&d, provenance, o.as_ref())),
    }
}

/// Pretty JSON, one document per line group, with controls and bidi characters escaped.
fn json_out<T: serde::Serialize>(v: &T) -> String {
    safe::json(&serde_json::to_string_pretty(v).unwrap_or_default()) + "\n"
}
#[cfg(test)]
mod tests;
