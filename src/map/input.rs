//! Inputs: `.age` envelopes (binary or armored), `.eml` files with an armored attachment, and
//! folders (a Maildir's `cur/` and `new/`, or any folder of such files), each decrypted in
//! memory. An input that cannot be opened is reported by name; the rest still run.

use super::entities::{extract, Submission};
use crate::reference::Reference;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Loaded {
    /// What each usable submission names, one per reference.
    pub submissions: Vec<Submission>,
    /// (input, why) for every input that could not be used.
    pub failures: Vec<(String, String)>,
    /// (input, why) for every document used without a valid signature (`--allow-unsigned`).
    pub unverified: Vec<(String, String)>,
    /// Evidence files (`<reference>-N.age`) among the inputs, left unopened: each report's
    /// signed document lists its own files, and the map counts them from there.
    pub evidence_files: usize,
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

/// An evidence file sealed beside its report, named `<reference>-N.age` as the email and
/// `open --extract` name it. It holds a cleaned photo or a PDF, not a document, so decrypting it
/// would only cost time and then fail; the report's own document says how many files it has.
fn is_evidence_file(path: &Path) -> bool {
    let Some(stem) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".age"))
    else {
        return false;
    };
    let Some((reference, n)) = stem.rsplit_once('-') else {
        return false;
    };
    !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && Reference::parse(reference).is_some_and(|r| r.as_str() == reference)
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

/// What became of one input.
enum Outcome {
    Used {
        reference: String,
        rank: u8,
        submission: Submission,
        /// Why its signature is not accepted, when used anyway (`--allow-unsigned`).
        unverified: Option<String>,
    },
    Failed(String),
}

fn open_one(path: &Path, identities: &[Box<dyn age::Identity>], trust: &Trust) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(format!("cannot read: {e}")),
    };
    let Some(env) = envelope(&bytes) else {
        return Outcome::Failed("no age envelope in it".into());
    };
    let doc = match crate::seal::decrypt(&env, identities) {
        Ok(plain) => match serde_json::from_slice::<Value>(&plain) {
            Ok(doc) => doc,
            Err(_) => return Outcome::Failed("decrypted, but not a JSON document".into()),
        },
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    if let Some(why) = refusal(&doc) {
        return Outcome::Failed(why.into());
    }
    let unverified = match crate::signing::verify_document(&doc, &trust.keys) {
        Ok(_) => None,
        Err(e) if trust.allow_unsigned => Some(e.to_string()),
        Err(e) => return Outcome::Failed(format!("refused: {e}")),
    };
    // Only what the map uses is kept; the decrypted document is dropped here.
    Outcome::Used {
        reference: doc["reference"].as_str().unwrap_or_default().to_string(),
        rank: rank(&doc),
        submission: extract(&doc),
        unverified,
    }
}

/// Reads, decrypts, checks and extracts every input, on as many threads as there are cores
/// (decryption and signature checks are most of the work). `identities` gives each thread its
/// own copy of the analyst's identities (an age identity need not be shareable between
/// threads). Results are taken in the inputs' order, so the outcome does not depend on timing.
pub fn read_inputs(
    inputs: &[PathBuf],
    identities: &(dyn Fn() -> Vec<Box<dyn age::Identity>> + Sync),
    trust: &Trust,
) -> Loaded {
    let mut files = Vec::new();
    for i in inputs {
        files_under(i, &mut files);
    }
    let before = files.len();
    files.retain(|f| !is_evidence_file(f));
    let evidence_files = before - files.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16)
        .min(files.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut outcomes: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let ids = identities();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(f) = files.get(i) else { break };
                        done.push((i, open_one(f, &ids, trust)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            // A worker that panicked is a bug; its inputs are reported below, not lost.
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    outcomes.sort_unstable_by_key(|(i, _)| *i);
    let mut submissions: Vec<Submission> = Vec::new();
    let mut ranks: Vec<u8> = Vec::new();
    let mut failures = Vec::new();
    let mut unverified = Vec::new();
    // One reference sealed for two routes (or read from an envelope and its email) is one
    // submission.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut reported = vec![false; files.len()];
    for (i, outcome) in outcomes {
        reported[i] = true;
        let name = files[i].display().to_string();
        match outcome {
            Outcome::Failed(why) => failures.push((name, why)),
            Outcome::Used {
                reference,
                rank,
                submission,
                unverified: why,
            } => {
                if let Some(why) = why {
                    unverified.push((name, why));
                }
                match seen.get(&reference) {
                    // The fuller view of the two is kept.
                    Some(&at) => {
                        if rank > ranks[at] {
                            submissions[at] = submission;
                            ranks[at] = rank;
                        }
                    }
                    None => {
                        seen.insert(reference, submissions.len());
                        submissions.push(submission);
                        ranks.push(rank);
                    }
                }
            }
        }
    }
    for (i, f) in files.iter().enumerate().filter(|(i, _)| !reported[*i]) {
        failures.push((
            f.display().to_string(),
            format!("not read (internal error on input {i})"),
        ));
    }
    Loaded {
        submissions,
        failures,
        unverified,
        evidence_files,
    }
}
