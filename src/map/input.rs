//! Inputs: `.age` envelopes (binary or armored), `.eml` files with an armored attachment, and
//! folders (a Maildir's `cur/` and `new/`, or any folder of such files), each decrypted in
//! memory. An input that cannot be opened is reported by name; the rest still run.

use serde_json::Value;
use std::path::{Path, PathBuf};

pub struct Loaded {
    pub documents: Vec<Value>,
    /// (input, why) for every input that could not be used.
    pub failures: Vec<(String, String)>,
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

pub fn read_inputs(inputs: &[PathBuf], identities: &[Box<dyn age::Identity>]) -> Loaded {
    let mut files = Vec::new();
    for i in inputs {
        files_under(i, &mut files);
    }
    let mut documents = Vec::new();
    let mut failures = Vec::new();
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
        match crate::seal::decrypt(&env, identities) {
            Ok(plain) => match serde_json::from_slice::<Value>(&plain) {
                Ok(doc) if doc["schema"] == crate::seal::SCHEMA => documents.push(doc),
                Ok(_) => failures.push((name, "not a pis-gateway submission".into())),
                Err(_) => failures.push((name, "decrypted, but not a JSON document".into())),
            },
            Err(e) => failures.push((name, e.to_string())),
        }
    }
    Loaded {
        documents,
        failures,
    }
}
