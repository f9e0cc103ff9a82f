//! Cleaning: images decoded within bounds, turned upright and encoded again; PDFs checked,
//! analysed in a limited child process and kept as sent.

use super::facts::{sha256_hex, Facts};
use super::limits::{AttachmentError, AttachmentLimits, Upload};
use super::pdf_scan::PdfScanner;
use super::sniff::{sniff, Kind};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use std::io::Cursor;
use zeroize::Zeroizing;

/// The longest side any image may claim. With the pixel limit this refuses a decompression
/// bomb from its header, before a byte of pixels is allocated.
const MAX_SIDE: u32 = 50_000;

/// JPEG quality for re-encoded photos: high enough that writing on a screenshot of messages
/// stays sharp.
const JPEG_QUALITY: u8 = 90;

/// A file ready to seal: the bytes to seal (cleaned image or PDF as sent) and its facts.
/// Holds submission content: no Debug of the bytes.
pub struct Cleaned {
    pub kind: Kind,
    pub bytes: Zeroizing<Vec<u8>>,
    pub facts: Facts,
}

impl std::fmt::Debug for Cleaned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cleaned")
            .field("n", &self.facts.n)
            .field("kind", &self.kind)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Checks and cleans one file. `pdf` says whether the form takes PDFs, and `scanner` runs
/// their analysis. The upload is wiped when this returns.
pub fn clean(
    upload: Upload,
    limits: &AttachmentLimits,
    pdf: bool,
    scanner: &PdfScanner,
) -> Result<Cleaned, AttachmentError> {
    let n = upload.n;
    let kind = match sniff(&upload.bytes) {
        Some(Kind::Pdf) if !pdf => None,
        other => other,
    }
    .ok_or(AttachmentError::NotAccepted { n, pdf })?;
    let received = sha256_hex(&upload.bytes);
    let bytes_received = upload.bytes.len();
    let (bytes, size, scan) = if kind.is_image() {
        let (bytes, w, h) = clean_image(kind, &upload.bytes, limits, n)?;
        (bytes, Some((w, h)), None)
    } else {
        if !has_pdf_outline(&upload.bytes) {
            return Err(AttachmentError::Unreadable { n });
        }
        let scan = scanner.scan(&upload.bytes);
        (upload.bytes, None, Some(scan))
    };
    let facts = Facts {
        n,
        kind,
        media_type: kind.media_type().to_string(),
        sha256_received: received,
        sha256_sealed: sha256_hex(&bytes),
        bytes_received,
        bytes_sealed: bytes.len(),
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
        cleaned: kind.is_image(),
        open_in_safe_viewer: !kind.is_image(),
        active_content: scan
            .as_ref()
            .map(|s| s.active_content.clone())
            .unwrap_or_default(),
        pdf_analysis: scan.map(|s| s.analysis),
    };
    Ok(Cleaned { kind, bytes, facts })
}

fn clean_image(
    kind: Kind,
    bytes: &[u8],
    limits: &AttachmentLimits,
    n: usize,
) -> Result<(Zeroizing<Vec<u8>>, u32, u32), AttachmentError> {
    let format = match kind {
        Kind::Jpeg => ImageFormat::Jpeg,
        Kind::Png => ImageFormat::Png,
        Kind::Webp => ImageFormat::WebP,
        Kind::Pdf => return Err(AttachmentError::Unreadable { n }),
    };
    let too_big = AttachmentError::TooManyPixels {
        n,
        max: limits.max_megapixels,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut bounds = image::Limits::default();
    bounds.max_image_width = Some(MAX_SIDE);
    bounds.max_image_height = Some(MAX_SIDE);
    bounds.max_alloc = Some(limits.max_decode_bytes());
    reader.limits(bounds);
    // Only the header has been read when this returns; the dimensions are checked against
    // `Limits` here.
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_big.clone(),
        _ => AttachmentError::Unreadable { n },
    })?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > limits.max_pixels() {
        return Err(too_big);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    // The decoder allocates the whole output buffer at once, and `image` leaves that buffer
    // to the caller to bound: refuse here, before it exists, counting every copy the clean
    // will hold at once.
    let copies = copies_held(orientation);
    if decoder.total_bytes().saturating_mul(copies) + WORKING_BYTES > limits.max_decode_bytes() {
        let per_pixel = decoder.total_bytes() / (u64::from(w) * u64::from(h)).max(1);
        let fits = (limits.max_decode_bytes() - WORKING_BYTES) / (copies * per_pixel.max(1));
        return Err(AttachmentError::TooManyPixels {
            n,
            max: u32::try_from(fits / 1_000_000)
                .unwrap_or(u32::MAX)
                .min(limits.max_megapixels),
        });
    }
    let img =
        Pixels(DynamicImage::from_decoder(decoder).map_err(|_| AttachmentError::Unreadable { n })?);
    let img = upright(img, orientation);
    let (w, h) = (img.0.width(), img.0.height());
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() + bytes.len() / 2));
    encode(&img.0, kind, &mut out).map_err(|_| AttachmentError::Unreadable { n })?;
    Ok((out, w, h))
}

/// The decoder's own working space, counted in the decode bound beside the pixels.
const WORKING_BYTES: u64 = 16 * 1024 * 1024;

/// Copies of the decoded pixels held at once: two for a quarter turn (the upright copy is
/// made before the sideways one is wiped), one otherwise (flips and half turns are done in
/// place).
fn copies_held(orientation: image::metadata::Orientation) -> u64 {
    use image::metadata::Orientation as O;
    match orientation {
        O::Rotate90 | O::Rotate90FlipH | O::Rotate270 | O::Rotate270FlipH => 2,
        _ => 1,
    }
}

/// Decoded pixels, wiped when dropped: they are the photo itself, in the clear.
struct Pixels(DynamicImage);

impl Drop for Pixels {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Overwrites every sample with zero.
fn wipe(img: &mut DynamicImage) {
    use zeroize::Zeroize;
    match img {
        DynamicImage::ImageLuma8(b) => (**b).zeroize(),
        DynamicImage::ImageLumaA8(b) => (**b).zeroize(),
        DynamicImage::ImageRgb8(b) => (**b).zeroize(),
        DynamicImage::ImageRgba8(b) => (**b).zeroize(),
        DynamicImage::ImageLuma16(b) => (**b).zeroize(),
        DynamicImage::ImageLumaA16(b) => (**b).zeroize(),
        DynamicImage::ImageRgb16(b) => (**b).zeroize(),
        DynamicImage::ImageRgba16(b) => (**b).zeroize(),
        DynamicImage::ImageRgb32F(b) => (**b).zeroize(),
        DynamicImage::ImageRgba32F(b) => (**b).zeroize(),
        // A layout added to `image` later: wiped through a copy of its bytes is no wipe at
        // all, so say so rather than pretend.
        other => {
            tracing::warn!(color = ?other.color(), "decoded pixels of this layout are not wiped")
        }
    }
}

/// Turned the right way up. A quarter turn makes a new buffer: the old one is wiped, where
/// `apply_orientation` would drop it as it was.
fn upright(mut img: Pixels, orientation: image::metadata::Orientation) -> Pixels {
    use image::metadata::Orientation as O;
    let turned = match orientation {
        O::Rotate90 | O::Rotate90FlipH => img.0.rotate90(),
        O::Rotate270 | O::Rotate270FlipH => img.0.rotate270(),
        in_place => {
            img.0.apply_orientation(in_place);
            return img;
        }
    };
    let mut turned = Pixels(turned);
    if matches!(orientation, O::Rotate90FlipH | O::Rotate270FlipH) {
        turned.0.apply_orientation(O::FlipHorizontal);
    }
    turned
}

/// Writes the pixels and nothing else: no EXIF, XMP, ICC, comments or thumbnails. A copy made
/// to suit the encoder is wiped like the decoded pixels.
fn encode(img: &DynamicImage, kind: Kind, out: &mut Vec<u8>) -> image::ImageResult<()> {
    match kind {
        Kind::Jpeg => {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(out, JPEG_QUALITY);
            match img {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => {
                    img.write_with_encoder(enc)
                }
                _ => Pixels(DynamicImage::ImageRgb8(img.to_rgb8()))
                    .0
                    .write_with_encoder(enc),
            }
        }
        Kind::Png => img.write_with_encoder(image::codecs::png::PngEncoder::new(out)),
        // image's WebP encoder is lossless, so a WebP stays exactly the pixels sent.
        _ => {
            let enc = image::codecs::webp::WebPEncoder::new_lossless(out);
            match img {
                DynamicImage::ImageLuma8(_)
                | DynamicImage::ImageLumaA8(_)
                | DynamicImage::ImageRgb8(_)
                | DynamicImage::ImageRgba8(_) => img.write_with_encoder(enc),
                _ => Pixels(DynamicImage::ImageRgba8(img.to_rgba8()))
                    .0
                    .write_with_encoder(enc),
            }
        }
    }
}

/// Whether the file has a PDF's outline: the header, a cross-reference pointer, and an
/// end-of-file marker near the end. A file without it is refused, so the sender can send it
/// again whole; one with it is kept, whatever the analysis makes of it.
fn has_pdf_outline(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    bytes.starts_with(b"%PDF-") && contains(tail, b"%%EOF") && contains(bytes, b"startxref")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_pixels_are_wiped_whatever_their_layout() {
        let rgb = image::RgbImage::from_pixel(3, 2, image::Rgb([200, 100, 50]));
        let rgb = DynamicImage::ImageRgb8(rgb);
        for mut img in [
            rgb.clone(),
            DynamicImage::ImageRgba8(rgb.to_rgba8()),
            DynamicImage::ImageLuma8(rgb.to_luma8()),
            DynamicImage::ImageLumaA8(rgb.to_luma_alpha8()),
            DynamicImage::ImageRgb16(rgb.to_rgb16()),
            DynamicImage::ImageRgba16(rgb.to_rgba16()),
            DynamicImage::ImageLuma16(rgb.to_luma16()),
            DynamicImage::ImageLumaA16(rgb.to_luma_alpha16()),
            DynamicImage::ImageRgb32F(rgb.to_rgb32f()),
            DynamicImage::ImageRgba32F(rgb.to_rgba32f()),
        ] {
            assert!(img.as_bytes().iter().any(|b| *b != 0));
            wipe(&mut img);
            assert!(
                img.as_bytes().iter().all(|b| *b == 0),
                "{:?} left pixels behind",
                img.color()
            );
        }
    }

    #[test]
    fn a_quarter_turn_keeps_the_pixels_where_they_belong() {
        use image::metadata::Orientation as O;
        // 2 wide, 1 high: red then blue. Turned a quarter clockwise, red is on top.
        let mut strip = image::RgbImage::new(2, 1);
        strip.put_pixel(0, 0, image::Rgb([255, 0, 0]));
        strip.put_pixel(1, 0, image::Rgb([0, 0, 255]));
        let img = Pixels(DynamicImage::ImageRgb8(strip));
        let turned = upright(img, O::Rotate90);
        let rgb = turned.0.to_rgb8();
        assert_eq!((rgb.width(), rgb.height()), (1, 2));
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 0, 0]);
        assert_eq!(rgb.get_pixel(0, 1).0, [0, 0, 255]);
        let flipped = upright(Pixels(turned.0.clone()), O::FlipVertical);
        assert_eq!(flipped.0.to_rgb8().get_pixel(0, 0).0, [0, 0, 255]);
    }

    #[test]
    fn a_pdf_needs_its_outline() {
        assert!(has_pdf_outline(b"%PDF-1.4\nstartxref\n9\n%%EOF\n"));
        assert!(!has_pdf_outline(b"%PDF-1.4\nno end"), "no end marker");
        assert!(
            !has_pdf_outline(b"%PDF-1.4\n%%EOF"),
            "no cross-reference pointer"
        );
    }
}
