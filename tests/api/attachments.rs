//! Evidence attachments: what is taken, what is refused, and what survives cleaning.

use crate::samples;
use image::ImageDecoder;
use pis_gateway::attachments::{clean, AttachmentError, AttachmentLimits, Kind, Upload};
use zeroize::Zeroizing;

fn upload(n: usize, bytes: Vec<u8>) -> Upload {
    Upload {
        n,
        bytes: Zeroizing::new(bytes),
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_phone_photo_comes_out_upright_with_no_exif_xmp_comment_thumbnail_or_trailing_bytes() {
    let photo = samples::phone_photo();
    for canary in [
        "CanaryCam",
        "SERIAL-CANARY-42",
        "XMP-CANARY",
        "COMMENT-CANARY",
    ] {
        assert!(contains(&photo, canary), "the sample carries {canary}");
    }
    let (markers, trailing) = samples::jpeg_markers(&photo);
    assert!(markers.contains(&0xE1) && markers.contains(&0xFE));
    assert_eq!(trailing, b"TRAILING-CANARY");

    let cleaned = clean(
        upload(1, photo.clone()),
        &AttachmentLimits::default(),
        false,
    )
    .expect("a real photo is taken");
    assert_eq!(cleaned.kind, Kind::Jpeg);
    let out = &cleaned.bytes[..];
    for canary in samples::CANARIES {
        assert!(!contains(out, canary), "{canary} survived cleaning");
    }
    let (markers, trailing) = samples::jpeg_markers(out);
    assert!(trailing.is_empty(), "nothing after the end of the image");
    for m in &markers {
        assert!(
            !(0xE1..=0xEF).contains(m) && *m != 0xFE,
            "no APP1–APP15 or comment segment: found {m:#x} in {markers:x?}"
        );
    }
    // Orientation 6 was applied to the pixels, so the 16 × 8 photo is now 8 × 16, and the
    // result says nothing about orientation any more.
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(out)).expect("decodes");
    assert_eq!(decoder.dimensions(), (8, 16));
    assert_eq!(decoder.exif_metadata().expect("reads"), None);
    assert_eq!(decoder.icc_profile().expect("reads"), None);

    let f = &cleaned.facts;
    assert_eq!((f.width, f.height), (Some(8), Some(16)));
    assert_eq!(f.bytes_received, photo.len());
    assert_eq!(f.bytes_sealed, out.len());
    assert_eq!(f.sha256_received, sha256(&photo));
    assert_eq!(f.sha256_sealed, sha256(out));
    assert!(f.cleaned && !f.open_in_safe_viewer);
}

fn sha256(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_png_loses_its_text_chunks() {
    let png = samples::png_with_text();
    assert!(contains(&png, "PNG-TEXT-CANARY"));
    let cleaned = clean(upload(1, png), &AttachmentLimits::default(), false).expect("taken");
    assert_eq!(cleaned.kind, Kind::Png);
    assert!(!contains(&cleaned.bytes, "PNG-TEXT-CANARY"));
    let img = image::load_from_memory(&cleaned.bytes).expect("a PNG still");
    assert_eq!((img.width(), img.height()), (6, 4));
}

#[test]
fn markup_dressed_as_an_image_and_damaged_images_are_refused_by_position() {
    let limits = AttachmentLimits::default();
    let mut truncated = samples::small_jpeg();
    truncated.truncate(40);
    let cases: Vec<(&str, Vec<u8>, bool, AttachmentError)> = vec![
        (
            "HTML named evidence.jpg",
            samples::html(),
            true,
            AttachmentError::NotAccepted { n: 3, pdf: true },
        ),
        (
            "SVG named photo.jpg",
            samples::svg(),
            false,
            AttachmentError::NotAccepted { n: 3, pdf: false },
        ),
        (
            "a PDF on the community form",
            samples::pdf(),
            false,
            AttachmentError::NotAccepted { n: 3, pdf: false },
        ),
        (
            "a JPEG cut short",
            truncated,
            false,
            AttachmentError::Unreadable { n: 3 },
        ),
        (
            "a PDF with no end",
            b"%PDF-1.7\n1 0 obj".to_vec(),
            true,
            AttachmentError::Unreadable { n: 3 },
        ),
    ];
    for (what, bytes, pdf, want) in cases {
        let got = clean(upload(3, bytes), &limits, pdf)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(got, want, "{what}");
        assert_eq!(got.field_error().field, "attachments[2]", "{what}");
    }
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header_within_the_decode_bound() {
    let limits = AttachmentLimits::default();
    let bomb = samples::png_claiming(100_000, 100_000, 8);
    assert!(bomb.len() < 100, "a tiny file");
    let e = clean(upload(1, bomb), &limits, false)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, AttachmentError::TooManyPixels { n: 1, max: 40 });
    // Under the pixel count but over the memory bound (16-bit RGBA, 8 bytes a pixel): refused
    // before the decoder's buffer is allocated.
    let deep = samples::png_claiming(6_000, 6_000, 16);
    assert!(36_000_000 * 8 > limits.max_decode_bytes());
    let e = clean(upload(2, deep), &limits, false)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, AttachmentError::TooManyPixels { n: 2, max: 40 });
    // Under both, the same header is read and the (empty) data refused as damaged.
    let small = samples::png_claiming(2_000, 2_000, 8);
    let e = clean(upload(3, small), &limits, false)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, AttachmentError::Unreadable { n: 3 });
}

#[test]
fn a_pdf_on_the_professional_form_is_kept_as_sent_and_flagged() {
    let pdf = samples::pdf();
    let cleaned = clean(upload(1, pdf.clone()), &AttachmentLimits::default(), true).expect("taken");
    assert_eq!(cleaned.kind, Kind::Pdf);
    assert_eq!(
        &cleaned.bytes[..],
        &pdf[..],
        "evidence is kept byte for byte"
    );
    let f = &cleaned.facts;
    assert!(!f.cleaned && f.open_in_safe_viewer);
    assert_eq!(f.sha256_received, f.sha256_sealed);
    assert_eq!(f.active_content, vec!["JavaScript", "OpenAction"]);
    assert_eq!((f.width, f.height), (None, None));
}
