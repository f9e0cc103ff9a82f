//! The memory one image clean takes at its worst: a photo at the pixel limit, taken on its
//! side (EXIF orientation 6, as phones write portrait photos), decoded, turned upright and
//! encoded again. Prints the peak resident memory the clean added beside the decode budget.
//!
//! `cargo run --release --example decode_memory [MEGAPIXELS] [ORIENTATION]` (40 and 6 by
//! default). Run it as its own process: the peak is read from `/proc/self/status`.

use pis_gateway::attachments::pdf_scan::PdfScanner;
use pis_gateway::attachments::{clean, AttachmentLimits, Upload};
use zeroize::Zeroizing;

/// A minimal EXIF block (big-endian TIFF) holding only an orientation.
fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut tiff = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    tiff
}

/// A JPEG of about `megapixels` million pixels (4:3), with noise so it does not compress to
/// nothing, and its orientation in an APP1 segment after SOI.
fn photo(megapixels: u32, orientation: u16) -> Vec<u8> {
    let h = ((f64::from(megapixels) * 1e6 * 3.0 / 4.0).sqrt()) as u32;
    let w = (f64::from(megapixels) * 1e6 / f64::from(h)) as u32;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed & 0x1f) as u8;
        image::Rgb([(x % 200) as u8 + n, (y % 200) as u8 + n, 90 + n])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&img)
        .expect("encode");
    let exif = exif_orientation(orientation);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(exif.len() + 2).expect("short").to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status")
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("field")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let megapixels: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(40);
    let orientation: u16 = args.next().and_then(|a| a.parse().ok()).unwrap_or(6);
    let limits = AttachmentLimits {
        max_file_bytes: 64 * 1024 * 1024,
        max_total_bytes: 64 * 1024 * 1024,
        ..AttachmentLimits::default()
    };
    let bytes = photo(megapixels, orientation);
    let size = bytes.len();
    // The peak so far is the making of the test photo: start the count again from here.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak (Linux 4.0 or later)");
    let base = status_kib("VmRSS:");
    let upload = Upload {
        n: 1,
        bytes: Zeroizing::new(bytes),
    };
    // Images only: the PDF scanner is never started.
    let scanner = PdfScanner::new("pis-gateway".into());
    let outcome = clean(upload, &limits, false, &scanner).map(|c| (c.facts.width, c.facts.height));
    let peak = status_kib("VmHWM:");
    println!(
        "{megapixels} MP, orientation {orientation}, {:.1} MiB file: {outcome:?}; \
         peak added {:.0} MiB, decode budget {:.0} MiB",
        size as f64 / 1048576.0,
        peak.saturating_sub(base) as f64 / 1024.0,
        limits.max_decode_bytes() as f64 / 1048576.0,
    );
}
