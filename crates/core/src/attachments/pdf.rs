//! What a PDF can do when it is opened, read by parsing it: names are taken as the parser
//! decodes them (`/J#61vaScript` is `/JavaScript`), object streams are inflated, and every
//! object the cross-reference lists is walked. A file that cannot be read whole, or that is
//! encrypted, is "not analysed": the officer is told to treat it as unsafe, never that it is
//! clean.
//!
//! The parser is not hardened against hostile input (a deflate bomb or a cross-reference
//! stream claiming billions of entries makes it allocate without bound), so this runs only in
//! a child process with memory, CPU and time limits ([`super::pdf_scan`]).

use serde::{Deserialize, Serialize};

/// Every name whose presence means the file can act when opened or clicked: run script,
/// submit or fetch, open another file or program, carry files or rich media, or hide its
/// objects by encryption. Shown to the officer in this order.
pub const ACTIVE_NAMES: &[&str] = &[
    "OpenAction",
    "AA",
    "JavaScript",
    "JS",
    "URI",
    "SubmitForm",
    "GoToR",
    "GoToE",
    "Launch",
    "ImportData",
    "XFA",
    "EmbeddedFile",
    "EmbeddedFiles",
    "RichMedia",
    "Encrypt",
];

/// Objects walked at most. A 10 MiB file holds far fewer; more means a file built to wear
/// the walker out, which is then not analysed.
const MAX_OBJECTS: usize = 2_000_000;

/// Whether `active_content` can be relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PdfAnalysis {
    /// Parsed whole and every object walked: `active_content` names all there is.
    Analysed,
    /// Not analysed, for this reason: treat the file as unsafe whatever `active_content` says.
    NotAnalysed { reason: NotAnalysed },
}

/// Why a PDF was not analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAnalysed {
    /// Its objects are encrypted, so what they hold cannot be read.
    Encrypted,
    /// It does not parse as a PDF.
    Unparseable,
    /// It parses, but objects its cross-reference lists, or that its objects refer to, could
    /// not be read (a viewer might find them where this parser did not: in a hybrid file's
    /// second cross-reference, or by rebuilding a broken table).
    Incomplete,
    /// More objects than the walker takes.
    TooComplex,
    /// The analysis went over its memory or CPU limit, or failed.
    Failed,
    /// The analysis went over its time limit and was stopped.
    TimedOut,
}

impl NotAnalysed {
    pub fn describe(self) -> &'static str {
        match self {
            NotAnalysed::Encrypted => "it is encrypted",
            NotAnalysed::Unparseable => "it does not parse as a PDF",
            NotAnalysed::Incomplete => "objects it lists or refers to could not be read",
            NotAnalysed::TooComplex => "it has more objects than the analysis takes",
            NotAnalysed::Failed => "the analysis went over its limits or failed",
            NotAnalysed::TimedOut => "the analysis went over its time limit",
        }
    }
}

impl PdfAnalysis {
    pub fn not(reason: NotAnalysed) -> Self {
        PdfAnalysis::NotAnalysed { reason }
    }

    /// The line the officer reads.
    pub fn describe(&self) -> String {
        match self {
            PdfAnalysis::Analysed => "active content analysed: every object parsed".into(),
            PdfAnalysis::NotAnalysed { reason } => {
                format!("not analysed: treat as unsafe ({})", reason.describe())
            }
        }
    }
}

/// What the analysis found: the child process's whole answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scan {
    pub analysis: PdfAnalysis,
    /// Names from [`ACTIVE_NAMES`] seen in the file, in that order. Only ever those names:
    /// nothing else from the file is carried.
    pub active_content: Vec<String>,
}

impl Scan {
    pub fn not(reason: NotAnalysed) -> Self {
        Scan {
            analysis: PdfAnalysis::not(reason),
            active_content: Vec::new(),
        }
    }
}

/// Parses `bytes` and names the active content. Unbounded on hostile input: call it only
/// inside the limited child ([`super::pdf_scan::child`]), or in tests on files they built.
pub fn analyse(bytes: &[u8]) -> Scan {
    let Ok(doc) = lopdf::Document::load_mem(bytes) else {
        return Scan::not(NotAnalysed::Unparseable);
    };
    let mut seen = [false; ACTIVE_NAMES.len()];
    let mut stack: Vec<&lopdf::Object> = Vec::new();
    let mut dangling = false;
    let too_many = doc.objects.len() > MAX_OBJECTS;
    if !too_many {
        walk_dict(&doc.trailer, &mut seen, &mut stack);
        for object in doc.objects.values() {
            stack.push(object);
            while let Some(o) = stack.pop() {
                if let lopdf::Object::Reference(id) = o {
                    dangling |= !doc.objects.contains_key(id);
                }
                walk(o, &mut seen, &mut stack);
            }
        }
    }
    // lopdf takes the Encrypt entry out of the trailer once it has decrypted with the empty
    // password; what it decrypted is still not trusted to be all there is.
    let encrypted = doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some();
    if encrypted {
        seen[ACTIVE_NAMES.len() - 1] = true;
    }
    let analysis = if encrypted {
        PdfAnalysis::not(NotAnalysed::Encrypted)
    } else if too_many {
        PdfAnalysis::not(NotAnalysed::TooComplex)
    } else if dangling || !all_listed_objects_read(&doc) {
        PdfAnalysis::not(NotAnalysed::Incomplete)
    } else {
        PdfAnalysis::Analysed
    };
    Scan {
        analysis,
        active_content: ACTIVE_NAMES
            .iter()
            .zip(seen)
            .filter(|(_, s)| *s)
            .map(|(n, _)| n.to_string())
            .collect(),
    }
}

fn mark(name: &[u8], seen: &mut [bool]) {
    if let Some(i) = ACTIVE_NAMES.iter().position(|n| n.as_bytes() == name) {
        seen[i] = true;
    }
}

fn walk<'a>(o: &'a lopdf::Object, seen: &mut [bool], stack: &mut Vec<&'a lopdf::Object>) {
    match o {
        lopdf::Object::Name(n) => mark(n, seen),
        lopdf::Object::Array(items) => stack.extend(items.iter()),
        lopdf::Object::Dictionary(d) => walk_dict(d, seen, stack),
        lopdf::Object::Stream(s) => walk_dict(&s.dict, seen, stack),
        _ => {}
    }
}

/// Keys and values both: `/URI (…)` is a key, `/S /URI` a value.
fn walk_dict<'a>(d: &'a lopdf::Dictionary, seen: &mut [bool], stack: &mut Vec<&'a lopdf::Object>) {
    for (k, v) in d.iter() {
        mark(k, seen);
        stack.push(v);
    }
}

/// Every object the cross-reference lists (in the file or in an object stream) was read. One
/// the parser skipped could hold anything, and a viewer that rebuilds the table would find it.
fn all_listed_objects_read(doc: &lopdf::Document) -> bool {
    doc.reference_table.entries.iter().all(|(id, entry)| {
        let generation = match entry {
            lopdf::xref::XrefEntry::Normal { generation, .. } => *generation,
            lopdf::xref::XrefEntry::Compressed { .. } => 0,
            _ => return true,
        };
        doc.objects.contains_key(&(*id, generation))
    })
}

#[cfg(test)]
mod tests;
