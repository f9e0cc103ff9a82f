//! Inputs: `.age` envelopes (binary or armored), `.eml` files with an armored attachment, and
//! folders (a Maildir's `cur/` and `new/`, or any folder of such files), each decrypted in
//! memory. An input that cannot be opened is reported by name; the rest still run.

use crate::reference::Reference;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Loaded {
    pub documents: Vec<Value>,
    /// (input, why) for every input that could not be used.
    pub failures: Vec<(String, String)>,
    /// (input, why) for every document used without a valid signature (`--allow-unsigned`).
    pub unverified: Vec<(String, String)>,
}

/// Whose documents are mapped.
pub struct Trust {
    pub keys: crate::signing::Keyring,
    /// Map documents that are unsigned or wrongly signed too (each is reported).
    pub allow_unsigned: bool,
}

fn files_under(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            // Maildir's tmp/ holds mail still being written.
            if e.file_name().is_some_and(|n| n == "tmp") {
                continue;
            }
            files_under(&e, out);
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// The envelope inside a file: the file itself, or the armored block of an email.
fn envelope(bytes: &[u8]) -> Option<Vec<u8>> {
    const BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
    const END: &[u8] = b"-----END AGE ENCRYPTED FILE-----";
    if bytes.starts_with(b"age-encryption.org/") {
        return Some(bytes.to_vec());
    }
    let start = bytes.windows(BEGIN.len()).position(|w| w == BEGIN)?;
    let end = bytes[start..].windows(END.len()).position(|w| w == END)? + start + END.len();
    // Armor inside an email may carry CRLF line ends; age's armor reader wants LF.
    let text: Vec<u8> = bytes[start..end]
        .iter()
        .copied()
        .filter(|b| *b != b'\r')
        .collect();
    let mut out = text;
    out.push(b'\n');
    Some(out)
}

/// How much of a submission a document's view holds.
fn rank(doc: &Value) -> u8 {
    match doc["view"].as_str() {
        Some("full") => 2,
        Some("restricted") => 1,
        _ => 0,
    }
}

/// Why a decrypted document is not mapped, if it is not.
fn refusal(doc: &Value) -> Option<&'static str> {
    if doc["schema"] != crate::seal::SCHEMA {
        return Some("not a pis-gateway submission");
    }
    // The reference reaches every output; only a well-formed one is believed.
    match doc["reference"].as_str().and_then(Reference::parse) {
        Some(r) if r.as_str() == doc["reference"] => None,
        _ => Some("its reference is not a gateway reference (PIS-XXXX-XXXX)"),
    }
}

pub fn read_inputs(
    inputs: &[PathBuf],
    identities: &[Box<dyn age::Identity>],
    trust: &Trust,
) -> Loaded {
    let mut files = Vec::new();
    for i in inputs {
        files_under(i, &mut files);
    }
    let mut documents = Vec::new();
    let mut failures = Vec::new();
    let mut unverified = Vec::new();
    // One reference sealed for two routes (or read from an envelope and its email) is one
    // submission.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for f in files {
        let name = f.display().to_string();
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(e) => {
                failures.push((name, format!("cannot read: {e}")));
                continue;
            }
        };
        let Some(env) = envelope(&bytes) else {
            failures.push((name, "no age envelope in it".into()));
            continue;
        };
        let doc = match crate::seal::decrypt(&env, identities) {
            Ok(plain) => match serde_json::from_slice::<Value>(&plain) {
                Ok(doc) => doc,
                Err(_) => {
                    failures.push((name, "decrypted, but not a JSON document".into()));
                    continue;
                }
            },
            Err(e) => {
                failures.push((name, e.to_string()));
                continue;
            }
        };
        if let Some(why) = refusal(&doc) {
            failures.push((name, why.into()));
            continue;
        }
        match crate::signing::verify_document(&doc, &trust.keys) {
            Ok(_) => {}
            Err(e) if trust.allow_unsigned => unverified.push((name, e.to_string())),
            Err(e) => {
                failures.push((name, format!("refused: {e}")));
                continue;
            }
        }
        let reference = doc["reference"].as_str().unwrap_or_default().to_string();
        match seen.get(&reference) {
            // The fuller view of the two is kept.
            Some(&i) => {
                if rank(&doc) > rank(&documents[i]) {
                    documents[i] = doc;
                }
            }
            None => {
                seen.insert(reference, documents.len());
                documents.push(doc);
            }
        }
    }
    Loaded {
        documents,
        failures,
        unverified,
    }
}
