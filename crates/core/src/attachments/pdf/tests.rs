//! Hostile PDFs built here, byte for byte, each of which a byte search for `/OpenAction`,
//! `/JavaScript` and the like passed as clean.

use super::*;

/// A PDF with a correct cross-reference table; its objects are numbered from 1 and object 1
/// is the catalog.
fn build(objects: &[&str], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
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
            "trailer\n<</Size {}/Root 1 0 R{trailer_extra}>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

const PAGES: &str = "<</Type/Pages/Kids[]/Count 0>>";

fn has(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn analysed(bytes: &[u8]) -> Vec<String> {
    let scan = analyse(bytes);
    assert_eq!(scan.analysis, PdfAnalysis::Analysed, "{scan:?}");
    scan.active_content
}

#[test]
fn a_plain_pdf_is_analysed_and_has_nothing_active() {
    let pdf = build(&["<</Type/Catalog/Pages 2 0 R>>", PAGES], "");
    assert!(analysed(&pdf).is_empty());
}

#[test]
fn escaped_names_are_read_as_the_names_they_spell() {
    let pdf = build(
        &[
            "<</Type/Catalog/Pages 2 0 R/Open#41ction 3 0 R>>",
            PAGES,
            "<</S/J#61vaScript/J#53(app.alert(1))>>",
        ],
        "",
    );
    for plain in ["/OpenAction", "/JavaScript", "/JS"] {
        assert!(!has(&pdf, plain), "the file never spells {plain}");
    }
    assert_eq!(analysed(&pdf), ["OpenAction", "JavaScript", "JS"]);
}

#[test]
fn an_escaped_open_action_to_a_web_address_is_named() {
    let pdf = build(
        &[
            "<</Type/Catalog/Pages 2 0 R/Open#41ction<</S/#55RI/#55RI(https://beacon.example/t)>>>>",
            PAGES,
        ],
        "",
    );
    assert_eq!(analysed(&pdf), ["OpenAction", "URI"]);
}

#[test]
fn every_active_name_is_found_where_a_viewer_would_act_on_it() {
    let cases: &[(&str, &str)] = &[
        ("OpenAction", "/OpenAction 3 0 R"),
        ("AA", "/AA<</O 3 0 R>>"),
        ("JavaScript", "/Names<</JavaScript 3 0 R>>"),
        ("JS", "/OpenAction<</S/Named/JS 3 0 R>>"),
        ("URI", "/URI<</Base(https://beacon.example/)>>"),
        ("SubmitForm", "/Next<</S/SubmitForm/F(https://x.example/)>>"),
        ("GoToR", "/Next<</S/GoToR/F(other.pdf)>>"),
        ("GoToE", "/Next<</S/GoToE/T<</R/C>>>>"),
        ("Launch", "/Next<</S/Launch/F(cmd.exe)>>"),
        ("ImportData", "/Next<</S/ImportData/F(data.fdf)>>"),
        ("XFA", "/AcroForm<</Fields[]/XFA 3 0 R>>"),
        ("EmbeddedFile", "/Extra<</Type/EmbeddedFile>>"),
        ("EmbeddedFiles", "/Names<</EmbeddedFiles 3 0 R>>"),
        ("RichMedia", "/Extra<</Subtype/RichMedia>>"),
    ];
    for (name, entry) in cases {
        let catalog = format!("<</Type/Catalog/Pages 2 0 R{entry}>>");
        let pdf = build(&[&catalog, PAGES, "<<>>"], "");
        let found = analysed(&pdf);
        assert!(found.iter().any(|f| f == name), "{name}: found {found:?}");
        assert!(
            found.iter().all(|f| ACTIVE_NAMES.contains(&f.as_str())),
            "only names from the list are carried"
        );
    }
    // A longer name is another key.
    let pdf = build(&["<</Type/Catalog/Pages 2 0 R/AAA 1/URIx 2>>", PAGES], "");
    assert!(analysed(&pdf).is_empty());
}

#[test]
fn an_action_inside_a_compressed_object_stream_is_found() {
    use lopdf::{dictionary, Document, Object};
    let mut doc = Document::with_version("1.7");
    let pages = doc.add_object(dictionary! {"Type" => "Pages", "Kids" => vec![], "Count" => 0});
    let action = doc.add_object(dictionary! {
        "S" => "JavaScript",
        "JS" => Object::string_literal("app.launchURL('https://beacon.example/')"),
    });
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages,
        "OpenAction" => action,
    });
    doc.trailer.set("Root", catalog);
    let mut pdf = Vec::new();
    doc.save_modern(&mut pdf).expect("written");
    assert!(has(&pdf, "/ObjStm"), "written with an object stream");
    for plain in ["/OpenAction", "/JavaScript", "/JS"] {
        assert!(
            !has(&pdf, plain),
            "{plain} is only inside the compressed stream"
        );
    }
    assert_eq!(analysed(&pdf), ["OpenAction", "JavaScript", "JS"]);
}

#[test]
fn an_encrypted_pdf_is_not_analysed() {
    let pdf = build(
        &[
            "<</Type/Catalog/Pages 2 0 R>>",
            PAGES,
            "<</Filter/Standard/V 1/R 2/Length 40/P -4\
             /O<0000000000000000000000000000000000000000000000000000000000000000>\
             /U<0000000000000000000000000000000000000000000000000000000000000000>>>",
        ],
        "/Encrypt 3 0 R/ID[<00112233445566778899AABBCCDDEEFF><00112233445566778899AABBCCDDEEFF>]",
    );
    let scan = analyse(&pdf);
    assert_eq!(
        scan.analysis,
        PdfAnalysis::not(NotAnalysed::Encrypted),
        "{scan:?}"
    );
    assert_eq!(scan.active_content, ["Encrypt"]);
}

#[test]
fn garbage_or_a_file_cut_short_that_still_claims_to_be_a_pdf_is_not_analysed() {
    let garbage = b"%PDF-1.7\n\x00\x13junk that is no object at all\nstartxref\n9\n%%EOF\n";
    assert_eq!(
        analyse(garbage).analysis,
        PdfAnalysis::not(NotAnalysed::Unparseable)
    );
    // A file whose middle was lost on the way: the end markers are still there.
    let whole = build(
        &[
            "<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>",
            PAGES,
            "<</S/Launch/F(cmd.exe)>>",
        ],
        "",
    );
    let from = whole.len() / 4;
    let to = from + whole.len() / 3;
    let mut cut = whole[..from].to_vec();
    cut.extend_from_slice(&whole[to..]);
    let scan = analyse(&cut);
    assert_eq!(
        scan.analysis,
        PdfAnalysis::not(NotAnalysed::Unparseable),
        "{scan:?}"
    );
}

#[test]
fn the_state_is_written_as_the_sealed_document_records_it() {
    let scan = Scan::not(NotAnalysed::Encrypted);
    assert_eq!(
        serde_json::to_value(scan.analysis).expect("json"),
        serde_json::json!({"state": "not_analysed", "reason": "encrypted"})
    );
    assert_eq!(
        serde_json::to_value(PdfAnalysis::Analysed).expect("json"),
        serde_json::json!({"state": "analysed"})
    );
    assert!(scan
        .analysis
        .describe()
        .starts_with("not analysed: treat as unsafe"));
}

#[test]
fn an_action_the_parser_cannot_reach_makes_the_file_not_analysed() {
    // Object 9 is named by the link's action but listed nowhere this parser reads (a hybrid
    // file can list it in a cross-reference stream only some viewers follow).
    let pdf = build(
        &[
            "<</Type/Catalog/Pages 2 0 R>>",
            "<</Type/Pages/Kids[3 0 R]/Count 1>>",
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 99 99]/Annots[<</Subtype/Link/A 9 0 R>>]>>",
        ],
        "",
    );
    let scan = analyse(&pdf);
    assert_eq!(
        scan.analysis,
        PdfAnalysis::not(NotAnalysed::Incomplete),
        "{scan:?}"
    );
}
