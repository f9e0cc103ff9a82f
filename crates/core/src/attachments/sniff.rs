//! The type of a file, from its first bytes.

use serde::{Deserialize, Serialize};

/// A type the gateway accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpeg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Pdf => "pdf",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
            Kind::Pdf => "application/pdf",
        }
    }

    /// The file name ending `open --extract` gives it.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Pdf => "pdf",
        }
    }

    pub fn is_image(self) -> bool {
        self != Kind::Pdf
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Jpeg, Kind::Png, Kind::Webp, Kind::Pdf]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The kind the magic number at the start names, if it is one we take. This is only the
/// first check: an image must then decode whole, and a PDF must have a PDF's structure.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Kind::Webp)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_bytes_and_markup_is_nothing_we_take() {
        let cases: &[(&str, &[u8], Option<Kind>)] = &[
            ("jpeg", b"\xFF\xD8\xFF\xE0\0\x10JFIF", Some(Kind::Jpeg)),
            ("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(Kind::Png)),
            ("webp", b"RIFF\x10\0\0\0WEBPVP8 ", Some(Kind::Webp)),
            ("pdf", b"%PDF-1.7\n", Some(Kind::Pdf)),
            ("html", b"<!doctype html><script>alert(1)</script>", None),
            ("svg", b"<?xml version=\"1.0\"?><svg xmlns=", None),
            ("riff but wave", b"RIFF\x10\0\0\0WAVEfmt ", None),
            ("empty", b"", None),
            ("pdf marker late", b"  %PDF-1.7", None),
        ];
        for (what, bytes, want) in cases {
            assert_eq!(sniff(bytes), *want, "{what}");
        }
    }
}
