//! What the sealed document records about each file, so the officer can trust and check it.

use super::Kind;
use serde::{Deserialize, Serialize};

/// One file's facts, in the full view's `attachments` list. No name: the file is its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Position in the report, from 1; the file sealed beside the document is
    /// `<reference>-<n>.age`.
    pub n: usize,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub media_type: String,
    /// SHA-256 (hex) of the bytes as they arrived.
    pub sha256_received: String,
    /// SHA-256 (hex) of the bytes sealed: the cleaned image, or the PDF unchanged.
    pub sha256_sealed: String,
    pub bytes_received: usize,
    pub bytes_sealed: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// The image was decoded and encoded again: no metadata, thumbnails or trailing bytes.
    pub cleaned: bool,
    /// Kept as sent (a PDF): open it in a safe viewer, away from the network.
    pub open_in_safe_viewer: bool,
    /// Active PDF features found in the file (names from `pdf::ACTIVE_NAMES`), for the
    /// officer's caution; empty for images. Complete only where `pdf_analysis` says
    /// `analysed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active_content: Vec<String>,
    /// For a PDF: whether it was parsed whole, or is not analysed and to be treated as unsafe.
    /// Absent for images, and in documents sealed before PDFs were parsed (whose
    /// `active_content` came from a byte search that escaped names slipped past).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_analysis: Option<super::PdfAnalysis>,
}

impl Kind {
    /// The name given to a sealed file beside its report.
    pub fn file_name(reference: &str, n: usize) -> String {
        format!("{reference}-{n}.age")
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
