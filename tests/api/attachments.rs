//! Evidence attachments: what is taken, what is refused, and what survives cleaning.

use crate::samples;
use image::ImageDecoder;
use pis_gateway::attachments::{
    clean, AttachmentError, AttachmentLimits, Kind, NotAnalysed, PdfAnalysis, PdfScanner, Upload,
};
use zeroize::Zeroizing;

fn upload(n: usize, bytes: Vec<u8>) -> Upload {
    Upload {
        n,
        bytes: Zeroizing::new(bytes),
    }
}

/// The PDF analysis as `serve` runs it: the built `pis-gateway` as a limited child process.
fn scanner() -> PdfScanner {
    PdfScanner::new(env!("CARGO_BIN_EXE_pis-gateway").into())
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
        &scanner(),
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
    let cleaned = clean(
        upload(1, png),
        &AttachmentLimits::default(),
        false,
        &scanner(),
    )
    .expect("taken");
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
        let got = clean(upload(3, bytes), &limits, pdf, &scanner())
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
    let e = clean(upload(1, bomb), &limits, false, &scanner())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, AttachmentError::TooManyPixels { n: 1, max: 40 });
    // Under the pixel count but over the memory bound (16-bit RGBA, 8 bytes a pixel): refused
    // before the decoder's buffer is allocated, saying how many pixels of that depth fit.
    let deep = samples::png_claiming(6_000, 6_000, 16);
    assert!(36_000_000 * 8 > limits.max_decode_bytes());
    let e = clean(upload(2, deep), &limits, false, &scanner())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, AttachmentError::TooManyPixels { n: 2, max: 20 });
    // Under both, the same header is read and the (empty) data refused as damaged.
    let small = samples::png_claiming(2_000, 2_000, 8);
    let e = clean(upload(3, small), &limits, false, &scanner())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, AttachmentError::Unreadable { n: 3 });
}

#[test]
fn a_photo_taken_on_its_side_counts_its_turned_copy_in_the_decode_bound() {
    let limits = AttachmentLimits::default();
    // 30 million pixels, three bytes each: one copy fits the bound, a second (the upright one
    // made for a quarter turn) does not, so it is refused before anything is decoded.
    let (w, h) = (6_325, 4_743);
    assert!(2 * 3 * w as u64 * h as u64 + 16 * 1024 * 1024 > limits.max_decode_bytes());
    let turned = samples::jpeg_claiming(w, h, 6);
    let e = clean(upload(1, turned), &limits, false, &scanner())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, AttachmentError::TooManyPixels { n: 1, max: 26 });
    // Turned half way (done in place, one copy), the same size is let through to the decoder.
    let half_turn = samples::jpeg_claiming(w, h, 3);
    let outcome = clean(upload(2, half_turn), &limits, false, &scanner()).map(|_| ());
    assert!(
        !matches!(outcome, Err(AttachmentError::TooManyPixels { .. })),
        "{outcome:?}"
    );
}

#[test]
fn a_pdf_on_the_professional_form_is_kept_as_sent_and_its_active_content_named() {
    let pdf = samples::pdf();
    let cleaned = clean(
        upload(1, pdf.clone()),
        &AttachmentLimits::default(),
        true,
        &scanner(),
    )
    .expect("taken");
    assert_eq!(cleaned.kind, Kind::Pdf);
    assert_eq!(
        &cleaned.bytes[..],
        &pdf[..],
        "evidence is kept byte for byte"
    );
    let f = &cleaned.facts;
    assert!(!f.cleaned && f.open_in_safe_viewer);
    assert_eq!(f.sha256_received, f.sha256_sealed);
    assert_eq!(f.active_content, vec!["OpenAction", "JavaScript", "JS"]);
    assert_eq!(f.pdf_analysis, Some(PdfAnalysis::Analysed));
    assert_eq!((f.width, f.height), (None, None));
}

#[test]
fn a_pdf_with_escaped_names_or_that_cannot_be_read_whole_is_never_passed_as_clean() {
    let limits = AttachmentLimits::default();
    let cases: Vec<(&str, Vec<u8>, Vec<&str>, PdfAnalysis)> = vec![
        (
            "escaped names, an open action to a web address",
            samples::pdf_with(&[
                "<</Type/Catalog/Pages 2 0 R/Open#41ction 3 0 R>>",
                "<</Type/Pages/Kids[]/Count 0>>",
                "<</S/#55RI/#55RI(https://beacon.example/t)/Next<</S/J#61vaScript/J#53(1)>>>>",
            ]),
            vec!["OpenAction", "JavaScript", "JS", "URI"],
            PdfAnalysis::Analysed,
        ),
        (
            "garbage with a PDF's header and end markers",
            b"%PDF-1.7\n\x00junk\nstartxref\n9\n%%EOF\n".to_vec(),
            vec![],
            PdfAnalysis::not(NotAnalysed::Unparseable),
        ),
    ];
    for (what, bytes, names, state) in cases {
        let cleaned = clean(upload(1, bytes.clone()), &limits, true, &scanner()).expect(what);
        assert_eq!(&cleaned.bytes[..], &bytes[..], "{what}: kept as sent");
        assert_eq!(cleaned.facts.active_content, names, "{what}");
        assert_eq!(cleaned.facts.pdf_analysis, Some(state), "{what}");
    }
}

#[test]
fn a_pdf_analysis_that_would_take_all_memory_or_time_is_stopped_and_reported() {
    // The object stream's one object lies a GiB in: the child, capped at 256 MiB, never
    // reaches it, so the file is not analysed (uncapped, it would inflate the GiB and name
    // the JavaScript).
    let bomb = samples::pdf_with_deflate_bomb(1024);
    assert!(bomb.len() < 4 * 1024 * 1024, "a small file: {}", bomb.len());
    let mut small = scanner();
    small.memory_bytes = 256 * 1024 * 1024;
    let cleaned = clean(
        upload(1, bomb.clone()),
        &AttachmentLimits::default(),
        true,
        &small,
    )
    .expect("taken, as sent");
    assert!(
        matches!(
            cleaned.facts.pdf_analysis,
            Some(PdfAnalysis::NotAnalysed {
                reason: NotAnalysed::Failed | NotAnalysed::Incomplete
            })
        ),
        "{:?}",
        cleaned.facts.pdf_analysis
    );
    assert_eq!(&cleaned.bytes[..], &bomb[..]);
    let mut hurried = scanner();
    hurried.wall_time = std::time::Duration::ZERO;
    let cleaned = clean(
        upload(1, samples::pdf()),
        &AttachmentLimits::default(),
        true,
        &hurried,
    )
    .expect("taken, as sent");
    assert_eq!(
        cleaned.facts.pdf_analysis,
        Some(PdfAnalysis::not(NotAnalysed::TimedOut))
    );
    assert!(cleaned.facts.active_content.is_empty());
}

// ---- Through the gateway: the browser's check page, the API, SMTP, the `age` tool ----

use crate::delivery::{header, parse_mail, smtp_settings};
use crate::helpers::*;
use crate::smtp_server::{SmtpServer, Tls};
use age::secrecy::ExposeSecret;
use pis_gateway::config::RouteSettings;
use serde_json::{json, Value};
use std::time::Duration;

pub(crate) const BOUNDARY: &str = "----pisgTestBoundary7MA4YWxkTrZu0gW";

pub(crate) enum Part<'a> {
    Text(&'a str, &'a str),
    File {
        name: &'a str,
        filename: &'a str,
        content_type: &'a str,
        bytes: &'a [u8],
    },
}

/// A `multipart/form-data` body as a browser builds it.
pub(crate) fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match p {
            Part::Text(name, value) => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File {
                name,
                filename,
                content_type,
                bytes,
            } => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(bytes);
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

pub(crate) fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A professional report MACE may see a restricted view of.
pub(crate) fn shareable_answers() -> Value {
    let mut a = professional_answers();
    a["handling.restrictions"] = json!("NONE");
    a["source_protection.risk_to_source_or_you"] = json!("no");
    a
}

/// Every armored block in a raw message, with the file name of the part it came in.
pub(crate) fn armored_parts(data: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(data).replace("\r\n", "\n");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("-----BEGIN AGE ENCRYPTED FILE-----") {
        let before = &rest[..start];
        let name = before
            .rfind("filename=\"")
            .map(|i| {
                let tail = &before[i + 10..];
                tail[..tail.find('"').unwrap_or(0)].to_string()
            })
            .unwrap_or_default();
        let end_marker = "-----END AGE ENCRYPTED FILE-----";
        let end = rest[start..].find(end_marker).expect("armor ends") + start + end_marker.len();
        out.push((name, rest[start..end].to_string() + "\n"));
        rest = &rest[end..];
    }
    out
}

pub(crate) fn age_cli_decrypt(path: &std::path::Path, key: &std::path::Path) -> Option<Vec<u8>> {
    let out = std::process::Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(key)
        .arg(path)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

#[actix_web::test]
async fn a_photo_added_on_check_your_answers_arrives_cleaned_by_smtp_decrypts_with_age_and_mace_sees_no_file(
) {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let mace_key = age::x25519::Identity::generate();
    let mace_public = mace_key.to_public().to_string();
    let app = spawn_app_with(|s| {
        let outbox = s.mail.file_dir.clone();
        s.mail = smtp_settings(smtp.port, &outbox);
        s.routes.push(RouteSettings {
            name: "mace_county".into(),
            mailbox: "mace@example.invalid".into(),
            view: pis_gateway::routing::View::Restricted,
            recipients: vec![mace_public],
            role: Some(pis_gateway::routing::Role::Mace),
            localities: vec![],
            fallback: true,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officer_actions: None,
            officers: vec![],
        });
    })
    .await;

    // The check page offers the upload and posts as multipart, with the answers hidden.
    let token = app.form_token("professional").await;
    let mut fields = as_form_fields(&shareable_answers());
    fields.push(("_token".into(), token));
    fields.push(("_step".into(), "check".into()));
    let photo = samples::phone_photo();
    let png = samples::png_with_text();
    let mut parts: Vec<Part<'_>> = fields
        .iter()
        .map(|(k, v)| Part::Text(k.as_str(), v.as_str()))
        .collect();
    parts.push(Part::File {
        name: "attachments",
        filename: "IMG_20261123_Jays_phone.jpg",
        content_type: "image/jpeg",
        bytes: &photo,
    });
    parts.push(Part::File {
        name: "attachments",
        filename: "screenshot.png",
        content_type: "image/png",
        bytes: &png,
    });
    parts.push(Part::Text("_action", "submit"));
    let origin = format!("https://localhost:{}", app.port);
    let page = app
        .post_raw(
            "/forms/professional",
            &content_type(),
            multipart(&parts),
            &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let reference = extract_reference(&page.body).expect("confirmation with a reference");

    // Only the full view's route holds sealed files.
    let routes: Vec<(String, i64)> = {
        let db = app.db();
        let mut st = db
            .prepare("SELECT route, n FROM attachments ORDER BY route, n")
            .expect("attachments table");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read")
    };
    assert_eq!(
        routes,
        vec![
            ("police_intelligence".to_string(), 1),
            ("police_intelligence".to_string(), 2)
        ]
    );

    let mail = smtp.wait_for(2, Duration::from_secs(20)).await;
    let intel = mail
        .iter()
        .find(|m| m.rcpt_to == vec!["intel@example.invalid".to_string()])
        .expect("intelligence email");
    let mace = mail
        .iter()
        .find(|m| m.rcpt_to == vec!["mace@example.invalid".to_string()])
        .expect("MACE email");

    // No file name, no metadata, no content in the clear anywhere in either email.
    for m in [intel, mace] {
        let raw = String::from_utf8_lossy(&m.data);
        assert!(!raw.contains("IMG_20261123") && !raw.contains("screenshot.png"));
        assert!(!raw.contains("CanaryCam") && !raw.contains("Pupil seen"));
    }
    let blocks = armored_parts(&intel.data);
    let names: Vec<&str> = blocks.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            format!("{reference}.age"),
            format!("{reference}-1.age"),
            format!("{reference}-2.age")
        ]
    );
    // Long lines travel quoted-printable: undo its soft line breaks.
    let body = String::from_utf8_lossy(&intel.data).replace("=\r\n", "");
    assert!(
        body.contains(&format!(
            "--extract FOLDER {reference}.age {reference}-1.age"
        )),
        "{body}"
    );

    // The reference `age` tool opens every part.
    let key = app.dir.path().join("officer.key");
    std::fs::write(
        &key,
        format!("{}\n", app.identities[0].to_string().expose_secret()),
    )
    .expect("key");
    let mut plain = Vec::new();
    for (name, armored) in &blocks {
        let path = app.dir.path().join(name);
        std::fs::write(&path, armored).expect("write");
        match age_cli_decrypt(&path, &key) {
            Some(p) => plain.push(p),
            None => {
                eprintln!("SKIPPED the age CLI part: `age` is not installed (.ci/run installs it)");
                let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(app.identities[0].clone())];
                plain.push(
                    pis_gateway::seal::decrypt(armored.as_bytes(), &ids)
                        .expect("decrypts")
                        .to_vec(),
                );
            }
        }
    }
    let doc: Value = serde_json::from_slice(&plain[0]).expect("the document");
    let facts = doc["attachments"]
        .as_array()
        .expect("facts in the full view");
    assert_eq!(facts.len(), 2);
    assert_eq!(facts[0]["type"], "jpeg");
    assert_eq!(facts[0]["width"], 8, "turned upright");
    assert_eq!(facts[0]["height"], 16);
    assert_eq!(facts[0]["sha256_received"], sha256(&photo).as_str());
    assert_eq!(facts[0]["sha256_sealed"], sha256(&plain[1]).as_str());
    assert_eq!(facts[1]["type"], "png");
    assert_eq!(facts[1]["sha256_sealed"], sha256(&plain[2]).as_str());
    assert!(!doc.to_string().contains("IMG_2026"), "no file name kept");
    for canary in samples::CANARIES {
        assert!(!contains(&plain[1], canary), "{canary} reached the officer");
        assert!(!contains(&plain[2], canary), "{canary} reached the officer");
    }
    let (_, trailing) = samples::jpeg_markers(&plain[1]);
    assert!(trailing.is_empty());

    // The MACE view of the same submission: one envelope, no file, no mention of files.
    let mace_blocks = armored_parts(&mace.data);
    assert_eq!(mace_blocks.len(), 1, "the restricted view alone");
    assert_eq!(mace_blocks[0].0, format!("{reference}.age"));
    let mace_doc = decrypt_with(mace_blocks[0].1.as_bytes(), &mace_key);
    assert_eq!(mace_doc["view"], "restricted");
    assert!(mace_doc.get("attachments").is_none());
    let mace_raw = String::from_utf8_lossy(&mace.data);
    assert!(!mace_raw.contains("-1.age") && !mace_raw.to_lowercase().contains("evidence"));
    assert!(header(&parse_mail(&mace.data).headers, "Subject").is_some());

    // `open --extract` writes the files (0600) beside the report, matched by their hashes
    // whatever their names; the HTML report shows the images inline.
    let out_dir = app.dir.path().join("extracted");
    std::fs::create_dir(&out_dir).expect("dir");
    let files: Vec<std::path::PathBuf> = blocks
        .iter()
        .rev()
        .map(|(name, _)| app.dir.path().join(name))
        .collect();
    let signers = crate::age_cli::published_keys(&app).await;
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["open", "--format", "html", "--identity"])
        .arg(&key)
        .arg("--signer")
        .arg(&signers)
        .arg("--extract")
        .arg(&out_dir)
        .args(&files)
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = String::from_utf8_lossy(&run.stdout);
    assert!(html.contains("<img alt=\"File 1\" src=\"data:image/jpeg;base64,"));
    assert!(html.contains("img-src data:"), "no external request");
    use std::os::unix::fs::PermissionsExt;
    for (n, ext, bytes) in [(1, "jpg", &plain[1]), (2, "png", &plain[2])] {
        let path = out_dir.join(format!("{reference}-{n}.{ext}"));
        let meta = std::fs::metadata(&path).expect("extracted");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(&std::fs::read(&path).expect("read"), bytes);
    }
}

#[actix_web::test]
async fn the_api_takes_a_submission_part_with_file_parts_and_refuses_each_bad_file_by_position() {
    let app = spawn_app_with(|s| {
        s.attachments.max_files = 2;
        s.attachments.max_file_bytes = 64 * 1024;
        s.attachments.max_total_bytes = 96 * 1024;
    })
    .await;
    let description = app.get("/api/v1/forms/professional").await;
    let d: Value = serde_json::from_str(&description.body).expect("json");
    assert_eq!(d["attachments"]["submission_part"], "submission");
    assert_eq!(d["attachments"]["max_files"], 2);
    assert!(d["attachments"]["accepted"]
        .as_array()
        .expect("list")
        .contains(&json!("application/pdf")));
    let c: Value =
        serde_json::from_str(&app.get("/api/v1/forms/community").await.body).expect("json");
    assert!(!c["attachments"]["accepted"]
        .as_array()
        .expect("list")
        .contains(&json!("application/pdf")));

    let submission = json!({"form": "professional", "answers": professional_answers()}).to_string();
    let community = json!({"form": "community", "answers": community_answers()}).to_string();
    let jpeg = samples::small_jpeg();
    let big = vec![0xFFu8; 65 * 1024];
    let half = {
        let mut v = samples::small_jpeg();
        v.resize(50 * 1024, 0);
        v
    };
    let bomb = samples::png_claiming(100_000, 100_000, 8);
    let (html, svg, pdf) = (samples::html(), samples::svg(), samples::pdf());
    let file = |bytes: &'static [u8]| bytes;
    let _ = file;
    struct Case<'a> {
        what: &'a str,
        submission: &'a str,
        files: Vec<(&'a str, &'a [u8])>,
        want: (&'a str, &'a str),
    }
    let cases = vec![
        Case {
            what: "HTML renamed .jpg",
            submission: &submission,
            files: vec![("a.jpg", &jpeg), ("evidence.jpg", &html)],
            want: ("attachments[1]", "file_type"),
        },
        Case {
            what: "SVG renamed .jpg",
            submission: &submission,
            files: vec![("photo.jpg", &svg)],
            want: ("attachments[0]", "file_type"),
        },
        Case {
            what: "a PDF on the community form",
            submission: &community,
            files: vec![("chronology.pdf", &pdf)],
            want: ("attachments[0]", "file_type"),
        },
        Case {
            what: "three files",
            submission: &submission,
            files: vec![("1.jpg", &jpeg), ("2.jpg", &jpeg), ("3.jpg", &jpeg)],
            want: ("attachments", "too_many_files"),
        },
        Case {
            what: "one file too large",
            submission: &submission,
            files: vec![("big.jpg", &big)],
            want: ("attachments[0]", "file_too_large"),
        },
        Case {
            what: "too large together",
            submission: &submission,
            files: vec![("1.jpg", &half), ("2.jpg", &half)],
            want: ("attachments", "files_too_large"),
        },
        Case {
            what: "a decompression bomb",
            submission: &submission,
            files: vec![("bomb.png", &bomb)],
            want: ("attachments[0]", "image_too_large"),
        },
    ];
    for case in &cases {
        let mut parts = vec![Part::Text("submission", case.submission)];
        for (filename, bytes) in &case.files {
            parts.push(Part::File {
                name: "attachments",
                filename,
                content_type: "image/jpeg",
                bytes,
            });
        }
        let page = app
            .post_raw(
                "/api/v1/submissions",
                &content_type(),
                multipart(&parts),
                &[],
            )
            .await;
        assert_eq!(page.status, 422, "{}: {}", case.what, page.body);
        let v: Value = serde_json::from_str(&page.body).expect("json");
        assert_eq!(v["errors"][0]["field"], case.want.0, "{}", case.what);
        assert_eq!(v["errors"][0]["code"], case.want.1, "{}", case.what);
        for (filename, _) in &case.files {
            assert!(!page.body.contains(filename), "{}: name echoed", case.what);
        }
    }
    assert_eq!(app.count(), 0, "nothing refused was stored");

    let parts = vec![
        Part::Text("submission", &submission),
        Part::File {
            name: "attachments",
            filename: "chronology.pdf",
            content_type: "application/pdf",
            bytes: &pdf,
        },
    ];
    let page = app
        .post_raw(
            "/api/v1/submissions",
            &content_type(),
            multipart(&parts),
            &[],
        )
        .await;
    assert_eq!(page.status, 201, "{}", page.body);
    let reference = serde_json::from_str::<Value>(&page.body).expect("json")["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let doc = app.open(&reference);
    assert_eq!(doc["attachments"][0]["type"], "pdf");
    assert_eq!(doc["attachments"][0]["open_in_safe_viewer"], true);
    assert_eq!(
        doc["attachments"][0]["active_content"],
        json!(["OpenAction", "JavaScript", "JS"]),
        "analysed by the gateway's own child process"
    );
    assert_eq!(
        doc["attachments"][0]["pdf_analysis"],
        json!({"state": "analysed"})
    );
    open_extract_writes_the_pdf_and_its_flattened_copy(&app, &reference, &pdf).await;
}

/// `open --extract` on the sealed report and PDF: the original as sent, a flattened copy
/// beside it, and a report that names the active content and links the copy.
async fn open_extract_writes_the_pdf_and_its_flattened_copy(
    app: &TestApp,
    reference: &str,
    pdf: &[u8],
) {
    let sealed = |sql: &str| -> Vec<u8> {
        app.db()
            .query_row(sql, [reference], |r| r.get(0))
            .expect("sealed")
    };
    let dir = app.dir.path().join("open-pdf");
    let out = dir.join("extracted");
    std::fs::create_dir_all(&out).expect("dir");
    let report = dir.join(format!("{reference}.age"));
    let file = dir.join(format!("{reference}-1.age"));
    std::fs::write(&report, sealed("SELECT body FROM envelopes WHERE route = 'police_intelligence' AND submission = (SELECT id FROM submissions WHERE reference = ?1)")).expect("write");
    std::fs::write(&file, sealed("SELECT body FROM attachments WHERE route = 'police_intelligence' AND n = 1 AND submission = (SELECT id FROM submissions WHERE reference = ?1)")).expect("write");
    let key = dir.join("officer.key");
    std::fs::write(
        &key,
        format!("{}\n", app.identities[1].to_string().expose_secret()),
    )
    .expect("key");
    let signers = crate::age_cli::published_keys(app).await;
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["open", "--format", "html", "--identity"])
        .arg(&key)
        .arg("--signer")
        .arg(&signers)
        .arg("--extract")
        .arg(&out)
        .arg(&report)
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let html = String::from_utf8_lossy(&run.stdout);
    assert!(html.contains("active content analysed"), "{html}");
    assert!(html.contains("active content found: OpenAction, JavaScript, JS"));
    assert_eq!(
        std::fs::read(out.join(format!("{reference}-1.pdf"))).expect("the original"),
        pdf,
        "the original is still written, as sent"
    );
    let flat = out.join(format!("{reference}-1.flattened.html"));
    if std::process::Command::new("pdftoppm")
        .arg("-v")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED the flattened copy: pdftoppm is not installed (.ci/run installs poppler-utils)");
        assert!(html.contains("no flattened copy: pdftoppm is not installed"));
        return;
    }
    let copy = std::fs::read_to_string(&flat).expect("the flattened copy");
    assert_eq!(
        copy.matches("src=\"data:image/png;base64,").count(),
        1,
        "one page"
    );
    assert!(!copy.contains("app.alert"), "nothing of the script");
    assert!(html.contains(&format!(
        "<a href=\"{reference}-1.flattened.html\">Open the flattened copy</a>"
    )));
    assert!(stderr.contains(&format!("wrote {}", flat.display())));
}

#[actix_web::test]
async fn a_refused_file_shows_check_your_answers_again_with_the_error_and_the_answers_kept() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&community_answers());
    fields.push(("_token".into(), token));
    fields.push(("_step".into(), "check".into()));
    let html = samples::html();
    let mut parts: Vec<Part<'_>> = fields
        .iter()
        .map(|(k, v)| Part::Text(k.as_str(), v.as_str()))
        .collect();
    parts.push(Part::File {
        name: "attachments",
        filename: "<b>evidence</b>.jpg",
        content_type: "image/jpeg",
        bytes: &html,
    });
    parts.push(Part::Text("_action", "submit"));
    let origin = format!("https://localhost:{}", app.port);
    let page = app
        .post_raw(
            "/forms/community",
            &content_type(),
            multipart(&parts),
            &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>Error: Check your answers"));
    assert!(page
        .body
        .contains("<a href=\"#attachments\">File 1 must be a JPG, PNG or WebP image</a>"));
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("Flats behind the Co-op"), "answers kept");
    assert!(
        !page.body.contains("evidence</b>"),
        "the file's name is not shown"
    );
    assert_eq!(app.count(), 0);
}

#[actix_web::test]
async fn files_too_large_for_email_travel_as_one_time_audited_links_to_the_still_sealed_file() {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let app = spawn_app_with(|s| {
        let outbox = s.mail.file_dir.clone();
        s.mail = smtp_settings(smtp.port, &outbox);
        s.mail.max_attachment_bytes = 100;
    })
    .await;
    let submission = json!({"form": "professional", "answers": professional_answers()}).to_string();
    let jpeg = samples::small_jpeg();
    let parts = vec![
        Part::Text("submission", &submission),
        Part::File {
            name: "attachments",
            filename: "car.jpg",
            content_type: "image/jpeg",
            bytes: &jpeg,
        },
    ];
    let page = app
        .post_raw(
            "/api/v1/submissions",
            &content_type(),
            multipart(&parts),
            &[],
        )
        .await;
    assert_eq!(page.status, 201, "{}", page.body);
    let reference = serde_json::from_str::<Value>(&page.body).expect("json")["reference"]
        .as_str()
        .expect("reference")
        .to_string();

    let mail = smtp.wait_for(1, Duration::from_secs(20)).await;
    let blocks = armored_parts(&mail[0].data);
    assert_eq!(blocks.len(), 1, "the report is attached, the file is not");
    let body = String::from_utf8_lossy(&mail[0].data).replace("=\r\n", "");
    let at = body.find("/files/").expect("a download link") + "/files/".len();
    let token: String = body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(body.contains(&format!("{reference}-1.age: https://")));

    let path = format!("/files/{token}");
    let shown = app.get(&path).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("Download file 1"));
    let mut res = app
        .client
        .post(app.url(&path))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .send_body("")
        .await
        .expect("POST");
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{reference}-1.age\"")
    );
    let sealed = res.body().limit(1 << 20).await.expect("body").to_vec();
    assert!(!contains(&sealed, "JFIF"), "still encrypted");
    let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(app.identities[0].clone())];
    let plain = pis_gateway::seal::decrypt(&sealed, &ids).expect("opens with the inbox key");
    let doc = app.open(&reference);
    assert_eq!(
        doc["attachments"][0]["sha256_sealed"],
        sha256(&plain).as_str()
    );

    // Once only, and audited.
    let again = app
        .post_raw(&path, "application/x-www-form-urlencoded", vec![], &[])
        .await;
    assert_eq!(again.status, 404);
    assert_eq!(app.get(&path).await.status, 404);
    let downloads: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE event = 'attachment_downloaded' AND reference = ?1 AND route = 'police_intelligence' AND code = '1'",
            [&reference],
            |r| r.get(0),
        )
        .expect("audit");
    assert_eq!(downloads, 1);
}

/// Files travel only with "Send report": one chosen and then left behind by Change or Back is
/// not kept, and the page the person lands on says so (and says nothing when no file was
/// chosen). The check page says before its Change buttons that files are chosen last.
#[actix_web::test]
async fn files_left_behind_by_change_or_back_are_named_on_the_page_that_follows() {
    let app = spawn_app().await;
    let photo = samples::phone_photo();
    let origin = format!("https://localhost:{}", app.port);
    let notice = "The files you chose have not been kept";
    for (action, with_file) in [
        ("change:where_it_happened", true),
        ("back", true),
        ("change:where_it_happened", false),
    ] {
        let token = app.form_token("community").await;
        let mut fields = as_form_fields(&community_answers());
        fields.push(("_token".into(), token));
        fields.push(("_step".into(), "check".into()));
        let mut parts: Vec<Part<'_>> = fields
            .iter()
            .map(|(k, v)| Part::Text(k.as_str(), v.as_str()))
            .collect();
        parts.push(Part::File {
            name: "attachments",
            filename: if with_file { "IMG_1.jpg" } else { "" },
            content_type: "image/jpeg",
            bytes: if with_file { &photo } else { &[] },
        });
        parts.push(Part::Text("_action", action));
        let page = app
            .post_raw(
                "/forms/community",
                &content_type(),
                multipart(&parts),
                &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
            )
            .await;
        assert_eq!(page.status, 200, "{action}");
        assert!(
            !page.body.contains("Check your answers before sending"),
            "{action} leaves the check page"
        );
        assert_eq!(
            page.body.contains(notice),
            with_file,
            "{action}, file chosen: {with_file}"
        );
    }

    // The check page (here shown again for a file that is not an image) says, before its
    // first Change button, that files are chosen last.
    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&community_answers());
    fields.push(("_token".into(), token));
    fields.push(("_step".into(), "check".into()));
    let html = samples::html();
    let mut parts: Vec<Part<'_>> = fields
        .iter()
        .map(|(k, v)| Part::Text(k.as_str(), v.as_str()))
        .collect();
    parts.push(Part::File {
        name: "attachments",
        filename: "a.jpg",
        content_type: "image/jpeg",
        bytes: &html,
    });
    parts.push(Part::Text("_action", "submit"));
    let check = app
        .post_raw(
            "/forms/community",
            &content_type(),
            multipart(&parts),
            &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
        )
        .await;
    let said = check
        .body
        .find("files are chosen at the end of this page")
        .expect("the check page says when files are chosen");
    let first_change = check.body.find("value=\"change:").expect("a Change button");
    assert!(said < first_change, "said before the first Change button");
    assert_eq!(app.count(), 0, "nothing sent");
}

/// Files are read only after what they belong to: an API body whose files come before its
/// `submission` part, and a form post whose files come without the check page's token and
/// step, are refused without the files being taken in.
#[actix_web::test]
async fn files_sent_before_their_submission_or_without_the_form_token_are_not_read() {
    let app = spawn_app().await;
    let photo = samples::phone_photo();
    let submission = json!({"form": "community", "answers": community_answers()}).to_string();
    let file = Part::File {
        name: "attachments",
        filename: "photo.jpg",
        content_type: "image/jpeg",
        bytes: &photo,
    };
    let body = multipart(&[file, Part::Text("submission", &submission)]);
    let page = app
        .post_raw("/api/v1/submissions", &content_type(), body, &[])
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    let v: Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(v["errors"][0]["field"], "submission");
    assert_eq!(v["errors"][0]["code"], "submission_first");

    let origin = format!("https://localhost:{}", app.port);
    let headers = [
        ("Origin", origin.as_str()),
        ("Sec-Fetch-Site", "same-origin"),
    ];
    let token = app.form_token("professional").await;
    for fields in [
        vec![("_step", "check")],
        vec![("_token", "forged.token"), ("_step", "check")],
        vec![("_token", token.as_str()), ("_step", "people")],
    ] {
        let mut parts: Vec<Part<'_>> = fields.iter().map(|(k, v)| Part::Text(k, v)).collect();
        parts.push(Part::File {
            name: "attachments",
            filename: "photo.jpg",
            content_type: "image/jpeg",
            bytes: &photo,
        });
        let page = app
            .post_raw(
                "/forms/professional",
                &content_type(),
                multipart(&parts),
                &headers,
            )
            .await;
        assert_eq!(page.status, 403, "{fields:?}: {}", page.body);
    }
    assert_eq!(app.count(), 0);
}
