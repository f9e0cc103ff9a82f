//! How many files, how big, and what each refusal says.

use crate::forms::FieldError;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// `[attachments]` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentLimits {
    /// Files in one report.
    pub max_files: usize,
    /// Bytes in one file, as sent.
    pub max_file_bytes: usize,
    /// Bytes in all of a report's files together, as sent.
    pub max_total_bytes: usize,
    /// Pixels in one image, in millions. Checked from the header, before anything is decoded.
    pub max_megapixels: u32,
    /// Seconds a report with files may take to arrive (a phone on a weak signal sends 20 MiB
    /// slowly); the minimum rate still applies.
    pub upload_timeout_secs: u64,
    /// Bytes of files being received at once, for everyone together: an upload that would pass
    /// it is refused (503, try again shortly) rather than held in memory.
    pub max_bytes_in_flight: usize,
    /// Uploads one client (an IPv4 address or an IPv6 /64) may have arriving at once.
    pub max_uploads_per_client: usize,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        AttachmentLimits {
            max_files: 5,
            max_file_bytes: 10 * 1024 * 1024,
            max_total_bytes: 20 * 1024 * 1024,
            max_megapixels: 40,
            upload_timeout_secs: 300,
            max_bytes_in_flight: 64 * 1024 * 1024,
            max_uploads_per_client: 2,
        }
    }
}

impl AttachmentLimits {
    pub fn max_pixels(&self) -> u64 {
        u64::from(self.max_megapixels) * 1_000_000
    }

    /// The most memory one clean may take: the pixels at four bytes each, plus the decoder's
    /// own working space. Every copy of the pixels held at once counts (a photo taken on its
    /// side is turned into a second buffer), and a file that needs more is refused before the
    /// first buffer is allocated.
    pub fn max_decode_bytes(&self) -> u64 {
        self.max_pixels() * 4 + 16 * 1024 * 1024
    }

    /// Checks count and sizes, before anything is decoded.
    pub fn check(&self, uploads: &[Upload]) -> Result<(), AttachmentError> {
        if uploads.len() > self.max_files {
            return Err(AttachmentError::TooMany {
                max: self.max_files,
            });
        }
        for u in uploads {
            if u.bytes.is_empty() {
                return Err(AttachmentError::Empty { n: u.n });
            }
            if u.bytes.len() > self.max_file_bytes {
                return Err(AttachmentError::TooLarge {
                    n: u.n,
                    max: self.max_file_bytes,
                });
            }
        }
        if uploads.iter().map(|u| u.bytes.len()).sum::<usize>() > self.max_total_bytes {
            return Err(AttachmentError::TotalTooLarge {
                max: self.max_total_bytes,
            });
        }
        Ok(())
    }
}

/// One file as it arrived: its position (from 1) and its bytes, wiped when dropped. Its name
/// and declared type are not kept.
pub struct Upload {
    pub n: usize,
    pub bytes: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("n", &self.n)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Why a file was refused. Each names the file by its position only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("more than {max} files")]
    TooMany { max: usize },
    #[error("file {n} is empty")]
    Empty { n: usize },
    #[error("file {n} is larger than {max} bytes")]
    TooLarge { n: usize, max: usize },
    #[error("the files together are larger than {max} bytes")]
    TotalTooLarge { max: usize },
    #[error("file {n} is not a type this form takes")]
    NotAccepted { n: usize, pdf: bool },
    #[error("file {n} could not be read as the type it claims")]
    Unreadable { n: usize },
    #[error("file {n} has more than {max} million pixels")]
    TooManyPixels { n: usize, max: u32 },
}

fn mib(bytes: usize) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    if m.fract() == 0.0 {
        format!("{m:.0} MB")
    } else {
        format!("{m:.1} MB")
    }
}

impl AttachmentError {
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentError::TooMany { .. } => "too_many_files",
            AttachmentError::Empty { .. } => "empty_file",
            AttachmentError::TooLarge { .. } => "file_too_large",
            AttachmentError::TotalTooLarge { .. } => "files_too_large",
            AttachmentError::NotAccepted { .. } => "file_type",
            AttachmentError::Unreadable { .. } => "file_unreadable",
            AttachmentError::TooManyPixels { .. } => "image_too_large",
        }
    }

    /// The field-level error: `attachments` for the set, `attachments[i]` (from 0, like every
    /// other list path) for one file. The message counts from 1, as people do.
    pub fn field_error(&self) -> FieldError {
        let (field, message) = match self {
            AttachmentError::TooMany { max } => (
                "attachments".to_string(),
                format!("You can add up to {max} files"),
            ),
            AttachmentError::Empty { n } => (one(*n), format!("File {n} is empty")),
            AttachmentError::TooLarge { n, max } => (
                one(*n),
                format!("File {n} must be smaller than {}", mib(*max)),
            ),
            AttachmentError::TotalTooLarge { max } => (
                "attachments".to_string(),
                format!("The files together must be smaller than {}", mib(*max)),
            ),
            AttachmentError::NotAccepted { n, pdf } => (
                one(*n),
                if *pdf {
                    format!("File {n} must be a JPG, PNG, WebP or PDF")
                } else {
                    format!("File {n} must be a JPG, PNG or WebP image")
                },
            ),
            AttachmentError::Unreadable { n } => (
                one(*n),
                format!("File {n} could not be opened: it may be damaged"),
            ),
            AttachmentError::TooManyPixels { n, max } => (
                one(*n),
                format!("File {n} must be smaller than {max} megapixels"),
            ),
        };
        FieldError {
            field,
            code: self.code(),
            message,
        }
    }
}

fn one(n: usize) -> String {
    format!("attachments[{}]", n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(n: usize, len: usize) -> Upload {
        Upload {
            n,
            bytes: Zeroizing::new(vec![0xAB; len]),
        }
    }

    #[test]
    fn each_limit_gives_its_own_error_naming_the_file_by_position() {
        let limits = AttachmentLimits {
            max_files: 2,
            max_file_bytes: 10,
            max_total_bytes: 15,
            ..AttachmentLimits::default()
        };
        type Case = (
            &'static str,
            Vec<Upload>,
            Option<(&'static str, &'static str)>,
        );
        let cases: Vec<Case> = vec![
            ("within every limit", vec![upload(1, 7), upload(2, 8)], None),
            (
                "one file too many",
                vec![upload(1, 1), upload(2, 1), upload(3, 1)],
                Some(("attachments", "too_many_files")),
            ),
            (
                "the second file too large",
                vec![upload(1, 1), upload(2, 11)],
                Some(("attachments[1]", "file_too_large")),
            ),
            (
                "together too large",
                vec![upload(1, 8), upload(2, 8)],
                Some(("attachments", "files_too_large")),
            ),
            (
                "an empty file",
                vec![upload(1, 0)],
                Some(("attachments[0]", "empty_file")),
            ),
        ];
        for (what, uploads, want) in cases {
            let got = limits.check(&uploads).err().map(|e| e.field_error());
            assert_eq!(
                got.as_ref().map(|e| (e.field.as_str(), e.code)),
                want,
                "{what}"
            );
        }
        let e = AttachmentError::TooLarge {
            n: 2,
            max: 10 * 1024 * 1024,
        }
        .field_error();
        assert_eq!(e.message, "File 2 must be smaller than 10 MB");
    }
}
