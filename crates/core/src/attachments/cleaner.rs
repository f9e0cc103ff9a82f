//! Cleaning off the HTTP workers: decoding a 40-megapixel photo takes a core for a while, so
//! it runs on the blocking pool, a few at a time, while small reports go on being taken.

use super::clean::{clean, Cleaned};
use super::limits::{AttachmentError, AttachmentLimits, Upload};
use super::pdf_scan::PdfScanner;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub struct Cleaner {
    limits: AttachmentLimits,
    /// Files being decoded at once. Each may hold `limits.max_decode_bytes()`, so this also
    /// bounds the memory cleaning can take.
    permits: Arc<Semaphore>,
    /// Runs each PDF's analysis in a limited child process, under the same permit.
    scanner: Arc<PdfScanner>,
}

#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error(transparent)]
    Refused(#[from] AttachmentError),
    /// The cleaning task itself failed (it panicked in a decoder): nothing is taken.
    #[error("a file could not be cleaned")]
    Failed,
}

impl Cleaner {
    pub fn new(limits: AttachmentLimits, at_once: usize, scanner: PdfScanner) -> Self {
        Cleaner {
            limits,
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            scanner: Arc::new(scanner),
        }
    }

    pub fn limits(&self) -> &AttachmentLimits {
        &self.limits
    }

    /// Checks the limits, then cleans each file in turn; the first refusal wins. `pdf` says
    /// whether the form takes PDFs.
    pub async fn clean_all(
        &self,
        uploads: Vec<Upload>,
        pdf: bool,
    ) -> Result<Vec<Cleaned>, CleanError> {
        self.limits.check(&uploads)?;
        let mut out = Vec::with_capacity(uploads.len());
        for upload in uploads {
            let permit = Arc::clone(&self.permits)
                .acquire_owned()
                .await
                .map_err(|_| CleanError::Failed)?;
            let limits = self.limits;
            let scanner = Arc::clone(&self.scanner);
            let cleaned = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                clean(upload, &limits, pdf, &scanner)
            })
            .await
            .map_err(|_| CleanError::Failed)??;
            out.push(cleaned);
        }
        Ok(out)
    }
}
