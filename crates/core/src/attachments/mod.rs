//! Evidence attachments: photos, screenshots and documents sent with a report.
//!
//! What a file is comes from its bytes only ([`sniff`]): never from its name or the type the
//! client declared. Images are decoded within bounded limits, turned the right way up and
//! encoded again ([`clean`]), so nothing the camera or phone wrote beside the pixels (EXIF
//! with GPS and serial numbers, XMP, comments, thumbnails, trailing bytes) reaches anyone.
//! A PDF is kept exactly as sent, because it is evidence, and flagged for a safe viewer; it
//! is parsed in a limited child process ([`pdf_scan`]) to name its active content ([`pdf`]).
//! [`facts`] is what the sealed document records about each file.
//!
//! File names are never kept or logged: a file is known by its position (1, 2, …).

pub mod clean;
pub mod cleaner;
pub mod facts;
pub mod limits;
pub mod pdf;
pub mod pdf_scan;
pub mod sniff;

pub use clean::{clean, Cleaned};
pub use cleaner::{CleanError, Cleaner};
pub use facts::Facts;
pub use limits::{AttachmentError, AttachmentLimits, Upload};
pub use pdf::{NotAnalysed, PdfAnalysis, Scan};
pub use pdf_scan::PdfScanner;
pub use sniff::Kind;
