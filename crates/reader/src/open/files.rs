//! Evidence files listed by a document: matched to their decrypted bytes by the SHA-256 the
//! signed document records, described, and written out by `--extract`.

use super::flatten::{Flat, Flattener};
use crate::attachments::facts::sha256_hex;
use crate::attachments::{Facts, Kind};
use serde_json::Value;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// One evidence file a document lists, and its decrypted bytes if it was given to `open`.
pub struct FileView<'a> {
    pub facts: Facts,
    pub bytes: Option<&'a [u8]>,
    /// For a PDF written by `--extract`: its flattened copy, or why there is none.
    pub flat: Option<Flat>,
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
            FileView {
                facts,
                bytes,
                flat: None,
            }
        })
        .collect()
}

/// Writes each matched file into `dir` as `<reference>-<n>.<ext>`, mode 0600, never over an
/// existing file, and beside each PDF its flattened copy (`<reference>-<n>.flattened.html`,
/// recorded in the file's `flat`). Returns the paths written.
pub fn extract(
    dir: &Path,
    reference: &str,
    files: &mut [FileView<'_>],
    flattener: &Flattener,
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
        let stem = format!("{safe}-{}", f.facts.n);
        let path = dir.join(format!("{stem}.{}", f.facts.kind.extension()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        written.push(path);
        if f.facts.kind == Kind::Pdf {
            let flat = flattener.flatten(bytes, dir, &stem);
            if let Flat::Written { name, .. } = &flat {
                written.push(dir.join(name));
            }
            f.flat = Some(flat);
        }
    }
    Ok(written)
}

pub fn file_lines(f: &FileView<'_>) -> Vec<String> {
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
    if x.kind == Kind::Pdf {
        lines.push(match &x.pdf_analysis {
            Some(a) => a.describe(),
            // Sealed before PDFs were parsed: a byte search that escaped names slipped past.
            None => "not analysed: treat as unsafe (checked only by an older byte search)".into(),
        });
    }
    if !x.active_content.is_empty() {
        lines.push(format!(
            "active content found: {}",
            x.active_content.join(", ")
        ));
    }
    if let Some(flat) = &f.flat {
        lines.push(flat.describe());
    }
    lines.push(format!("SHA-256 as sent:  {}", x.sha256_received));
    lines.push(format!("SHA-256 sealed:   {}", x.sha256_sealed));
    if f.bytes.is_none() {
        lines.push("not opened: give its .age file to open as well".into());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachments::{NotAnalysed, PdfAnalysis};

    fn pdf(analysis: Option<PdfAnalysis>, active: &[&str]) -> Facts {
        Facts {
            n: 1,
            kind: Kind::Pdf,
            media_type: "application/pdf".into(),
            sha256_received: "a".into(),
            sha256_sealed: "a".into(),
            bytes_received: 9,
            bytes_sealed: 9,
            width: None,
            height: None,
            cleaned: false,
            open_in_safe_viewer: true,
            active_content: active.iter().map(|a| a.to_string()).collect(),
            pdf_analysis: analysis,
        }
    }

    fn lines(facts: Facts) -> String {
        file_lines(&FileView {
            facts,
            bytes: None,
            flat: None,
        })
        .join("\n")
    }

    #[test]
    fn a_pdf_not_analysed_or_sealed_before_analysis_is_never_shown_as_clean() {
        let encrypted = lines(pdf(
            Some(PdfAnalysis::not(NotAnalysed::Encrypted)),
            &["Encrypt"],
        ));
        assert!(encrypted.contains("not analysed: treat as unsafe (it is encrypted)"));
        assert!(encrypted.contains("active content found: Encrypt"));
        let old = lines(pdf(None, &[]));
        assert!(old.contains("not analysed: treat as unsafe"), "{old}");
        let analysed = lines(pdf(Some(PdfAnalysis::Analysed), &["OpenAction", "URI"]));
        assert!(analysed.contains("active content analysed"));
        assert!(analysed.contains("active content found: OpenAction, URI"));
        // A document sealed before the analysis still opens: the field is optional.
        let v = serde_json::json!({"n": 1, "type": "pdf", "media_type": "application/pdf",
            "sha256_received": "a", "sha256_sealed": "a", "bytes_received": 9,
            "bytes_sealed": 9, "cleaned": false, "open_in_safe_viewer": true,
            "active_content": ["OpenAction"]});
        let f: Facts = serde_json::from_value(v).expect("an old document's facts");
        assert_eq!(f.pdf_analysis, None);
    }
}
