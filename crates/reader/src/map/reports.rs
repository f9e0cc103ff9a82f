//! `map --reports`: each report as the officer's HTML report (what `open --format html`
//! shows), written beside the map in `reports/` (folder 0700, files 0600) so a reference in
//! the map's panel opens its report. Written while each envelope is decrypted (the map keeps
//! only what it draws), one file per view; when every input is read, the best view of each
//! report (full, else restricted, else notice) becomes `reports/<reference>.html`.

use crate::forms::FormRegistry;
use crate::open::{Format, Provenance};
use crate::signing::VerifyError;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Views, best first.
const VIEWS: [&str; 3] = ["full", "restricted", "notice"];

pub struct ReportPages {
    dir: PathBuf,
    forms: FormRegistry,
}

/// A file name's stem for a reference: its letters, digits and hyphens only. References are
/// checked before a document is mapped; this keeps a name safe whatever comes.
fn stem(reference: &str) -> Option<String> {
    let s: String = reference
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    (!s.is_empty()).then_some(s)
}

impl ReportPages {
    /// Makes `dir` (0700) for the pages.
    pub fn create(dir: PathBuf, forms: FormRegistry) -> std::io::Result<Self> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&dir)?;
        Ok(ReportPages { dir, forms })
    }

    /// Writes one decrypted document's page, as its view; a failure is said and the map goes
    /// on.
    pub(super) fn write(&self, doc: &Value, verdict: &Result<(), VerifyError>) {
        let (Some(stem), Some(view)) = (
            stem(doc["reference"].as_str().unwrap_or_default()),
            doc["view"].as_str().filter(|v| VIEWS.contains(v)),
        ) else {
            return;
        };
        let provenance = match verdict {
            Ok(()) => Provenance::Signed(
                doc["signature"]["key_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ),
            Err(e) => Provenance::Unverified(e.to_string()),
        };
        let html = crate::open::render(doc, &self.forms, Format::Html, &provenance, &[]);
        let path = self.dir.join(format!("{stem}.{view}.html"));
        if let Err(e) = super::output::write_private(&path, |w| w.write_all(html.as_bytes())) {
            eprintln!("{}: report page not written: {e}", path.display());
        }
    }

    /// Keeps the best view of each of `references` as `<reference>.html` and removes the rest.
    pub fn settle<'a>(&self, references: impl Iterator<Item = &'a str>) -> std::io::Result<()> {
        for reference in references {
            let Some(stem) = stem(reference) else {
                continue;
            };
            let page = |view: &str| self.dir.join(format!("{stem}.{view}.html"));
            if let Some(best) = VIEWS.iter().map(|v| page(v)).find(|p| p.exists()) {
                std::fs::rename(&best, self.dir.join(format!("{stem}.html")))?;
            }
            for p in VIEWS.iter().map(|v| page(v)).filter(|p| p.exists()) {
                std::fs::remove_file(p)?;
            }
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_becomes_a_safe_file_name() {
        assert_eq!(stem("PIS-GQKT-FDK2").as_deref(), Some("PIS-GQKT-FDK2"));
        assert_eq!(
            stem("PIS-<img src=x>/../..").as_deref(),
            Some("PIS-imgsrcx")
        );
        assert_eq!(stem("../"), None);
    }
}
