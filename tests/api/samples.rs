//! Real files made here, byte by byte where the metadata matters: a phone photo with EXIF
//! (GPS, serial number, orientation), XMP, a comment, an embedded thumbnail carrying its own
//! EXIF, and bytes after the end; a PNG with text chunks; a decompression bomb; a PDF; markup
//! dressed as an image.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

pub(crate) const CANARIES: &[&str] = &[
    "CanaryCam",
    "SERIAL-CANARY-42",
    "XMP-CANARY",
    "COMMENT-CANARY",
    "THUMB-CANARY",
    "TRAILING-CANARY",
    "PNG-TEXT-CANARY",
    "Exif",
    "http://ns.adobe.com/xap",
];

fn plain_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x * 15) as u8, (y * 30) as u8, 128]));
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .expect("encode jpeg");
    out
}

/// A TIFF IFD entry: tag, type, count, value-or-offset (little-endian).
fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&value.to_le_bytes());
}

/// An EXIF block: IFD0 (Make, Orientation, Exif IFD, GPS IFD) and, if a thumbnail is given,
/// IFD1 pointing at it.
fn exif(make: &str, orientation: u16, thumbnail: Option<&[u8]>) -> Vec<u8> {
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let make = format!("{make}\0");
    let serial = "SERIAL-CANARY-42\0";
    let ifd0 = 8u32;
    let ifd0_len = 2 + 4 * 12 + 4;
    let make_at = ifd0 + ifd0_len;
    let exif_ifd = make_at + make.len() as u32;
    let serial_at = exif_ifd + 18;
    let gps_ifd = serial_at + serial.len() as u32;
    let lat_at = gps_ifd + 2 + 2 * 12 + 4;
    let ifd1 = lat_at + 24;
    let thumb_at = ifd1 + 2 + 2 * 12 + 4;
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&ifd0.to_le_bytes());
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 0x010F, ASCII, make.len() as u32, make_at);
    entry(&mut t, 0x0112, SHORT, 1, u32::from(orientation));
    entry(&mut t, 0x8769, LONG, 1, exif_ifd);
    entry(&mut t, 0x8825, LONG, 1, gps_ifd);
    let next = if thumbnail.is_some() { ifd1 } else { 0 };
    t.extend_from_slice(&next.to_le_bytes());
    t.extend_from_slice(make.as_bytes());
    assert_eq!(t.len() as u32, exif_ifd);
    t.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut t, 0xA431, ASCII, serial.len() as u32, serial_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(serial.as_bytes());
    assert_eq!(t.len() as u32, gps_ifd);
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, 0x0001, ASCII, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, RATIONAL, 3, lat_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    for v in [54u32, 1, 17, 1, 30, 1] {
        t.extend_from_slice(&v.to_le_bytes());
    }
    if let Some(thumb) = thumbnail {
        assert_eq!(t.len() as u32, ifd1);
        t.extend_from_slice(&2u16.to_le_bytes());
        entry(&mut t, 0x0201, LONG, 1, thumb_at);
        entry(&mut t, 0x0202, LONG, 1, thumb.len() as u32);
        t.extend_from_slice(&0u32.to_le_bytes());
        t.extend_from_slice(thumb);
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&t);
    payload
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(payload);
    s
}

/// Inserts segments straight after the start-of-image marker.
fn with_segments(jpeg: &[u8], segments: &[Vec<u8>]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    for s in segments {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A 16 × 8 photo whose EXIF says "rotate 90° clockwise" (orientation 6), with GPS, a camera
/// serial number, XMP, a comment, a thumbnail with its own EXIF, and trailing bytes.
pub(crate) fn phone_photo() -> Vec<u8> {
    let thumb = with_segments(
        &plain_jpeg(4, 2),
        &[segment(0xE1, &exif("THUMB-CANARY", 1, None))],
    );
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><rdf:Description exif:GPSLatitude='54,17.5N' xmp:CreatorTool='XMP-CANARY'/></rdf:RDF></x:xmpmeta>";
    let mut photo = with_segments(
        &plain_jpeg(16, 8),
        &[
            segment(0xE1, &exif("CanaryCam", 6, Some(&thumb))),
            segment(0xE1, xmp),
            segment(0xFE, b"COMMENT-CANARY"),
        ],
    );
    photo.extend_from_slice(b"TRAILING-CANARY");
    photo
}

/// The markers of a JPEG up to the scan, and whatever follows its end-of-image marker.
pub(crate) fn jpeg_markers(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "starts with SOI");
    let mut markers = Vec::new();
    let mut i = 2;
    loop {
        assert_eq!(bytes[i], 0xFF, "a marker at {i}");
        let m = bytes[i + 1];
        markers.push(m);
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        i += 2 + len;
        if m == 0xDA {
            break;
        }
    }
    // The entropy-coded scan: 0xFF is followed by 0x00 or a restart marker until EOI.
    while !(bytes[i] == 0xFF && bytes[i + 1] == 0xD9) {
        i += 1;
    }
    (markers, bytes[i + 2..].to_vec())
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    c
}

/// A PNG with a `tEXt` comment before its image data.
pub(crate) fn png_with_text() -> Vec<u8> {
    let img = RgbImage::from_fn(6, 4, |x, _| Rgb([x as u8 * 40, 10, 10]));
    let mut png = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .expect("encode png");
    // Signature (8) and IHDR (25) come first.
    let mut out = png[..33].to_vec();
    out.extend(chunk(b"tEXt", b"Comment\0PNG-TEXT-CANARY"));
    out.extend_from_slice(&png[33..]);
    out
}

/// A small PNG whose header claims `w` × `h` pixels: a decompression bomb.
pub(crate) fn png_claiming(w: u32, h: u32, bit_depth: u8) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[bit_depth, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    // An empty zlib stream: the real bomb's megabytes of zeros are not needed to claim it.
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// A one-page PDF (a black square) whose catalog runs JavaScript when it opens.
pub(crate) fn pdf() -> Vec<u8> {
    pdf_with(&[
        "<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>",
        "<</Type/Pages/Kids[4 0 R]/Count 1>>",
        "<</S/JavaScript/JS(app.alert(1))>>",
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 5 0 R>>",
        "<</Length 27>>\nstream\n0 0 0 rg 50 50 100 100 re f\nendstream",
    ])
}

/// A PDF with a correct cross-reference table; its objects are numbered from 1 and object 1
/// is the catalog.
pub(crate) fn pdf_with(objects: &[&str]) -> Vec<u8> {
    let bodies: Vec<Vec<u8>> = objects.iter().map(|o| o.as_bytes().to_vec()).collect();
    pdf_of(&bodies)
}

fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A PDF whose catalog opens object 4, listed in the cross-reference stream as the only
/// object in an object stream that inflates to `mib` MiB: zeros, then object 4 (JavaScript)
/// at the very end. Only a parser that inflates all of it finds object 4. The deflate blocks
/// of one MiB of zeros are repeated: each ends on a byte boundary and refers back only to
/// zeros.
pub(crate) fn pdf_with_deflate_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let object = b"<</S/JavaScript/JS(app.alert(1))>>";
    let header = format!("4 {} ", mib * 1024 * 1024);
    let mut c = Compress::new(Compression::best(), true);
    let mut part = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(256 * 1024);
        let before = c.total_in();
        c.compress_vec(input, &mut out, flush).expect("compressed");
        assert_eq!(c.total_in() - before, input.len() as u64, "all in one go");
        out
    };
    let mut data = part(header.as_bytes(), FlushCompress::Sync);
    let zeros = part(&vec![0u8; 1024 * 1024], FlushCompress::Sync);
    for _ in 0..mib {
        data.extend_from_slice(&zeros);
    }
    data.extend(part(object, FlushCompress::Finish));
    // The checksum the compressor wrote covers one MiB of zeros; put the whole stream's in
    // its place, or the inflater drops the last read (object 4) with the error.
    let (mut a, mut b) = (1u64, 0u64);
    for x in header.as_bytes() {
        a = (a + u64::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    b = (b + (mib as u64 * 1024 * 1024 % 65521) * a) % 65521;
    for x in object {
        a = (a + u64::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    data.truncate(data.len() - 4);
    data.extend_from_slice(&((b << 16 | a) as u32).to_be_bytes());
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for body in [
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>".to_vec(),
        b"<</Type/Pages/Kids[]/Count 0>>".to_vec(),
        [
            format!(
                "<</Type/ObjStm/N 1/First {}/Filter/FlateDecode/Length {}>>\nstream\n",
                header.len(),
                data.len()
            )
            .as_bytes(),
            &data,
            b"\nendstream",
        ]
        .concat(),
    ] {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\nendobj\n");
    }
    // The cross-reference stream (object 5), uncompressed: type, offset or container, index.
    let xref_at = out.len();
    let mut entries = vec![0u8, 0, 0, 0, 0, 0xFF, 0xFF];
    for o in &offsets {
        entries.push(1);
        entries.extend_from_slice(&(*o as u32).to_be_bytes());
        entries.extend_from_slice(&[0, 0]);
    }
    entries.extend_from_slice(&[2, 0, 0, 0, 3, 0, 0]);
    entries.push(1);
    entries.extend_from_slice(&(xref_at as u32).to_be_bytes());
    entries.extend_from_slice(&[0, 0]);
    out.extend_from_slice(
        format!(
            "5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 1 0 R/Length {}>>\nstream\n",
            entries.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&entries);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

pub(crate) fn html() -> Vec<u8> {
    b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec()
}

pub(crate) fn svg() -> Vec<u8> {
    b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect width=\"1\" height=\"1\"/></svg>".to_vec()
}

/// A small JPEG, for the journeys.
pub(crate) fn small_jpeg() -> Vec<u8> {
    plain_jpeg(24, 16)
}

/// A JPEG whose header claims `w` × `h` pixels and an EXIF orientation, with the data of a
/// small one: the header is real, so the size checks run, and the pixels never come.
pub(crate) fn jpeg_claiming(w: u16, h: u16, orientation: u16) -> Vec<u8> {
    let mut jpeg = with_segments(
        &plain_jpeg(16, 8),
        &[segment(0xE1, &exif("Cam", orientation, None))],
    );
    let sof = jpeg
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // SOF0: marker, length (2), precision (1), then height and width.
    jpeg[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    jpeg
}
