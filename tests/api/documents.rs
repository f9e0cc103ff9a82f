//! The sealed document, the contract between the gateway and everyone who opens what it sends:
//! one golden document per view and form (`tests/data/documents/`), signed with the example
//! signing key. The gateway must write each byte for byte, and the readers must read each, so
//! a change to the format is a change to these files, made on purpose and reviewed.
//!
//! After a deliberate change: `PISG_BLESS_DOCUMENTS=1 cargo test --test api documents` writes
//! them again; read the diff before committing it.

use pis_gateway::attachments::{Facts, Kind, PdfAnalysis};
use pis_gateway::document::SealedDocument;
use pis_gateway::forms::validate::Note;
use pis_gateway::i18n::Lang;
use pis_gateway::reference::Reference;
use pis_gateway::routing::{Role, Route, View};
use pis_gateway::seal::{canonical_json, Document};
use pis_gateway::signing::{Keyring, SigningKey};
use pis_gateway::triage::{Finding, Priority, WrittenIn};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

fn golden(name: &str) -> PathBuf {
    Path::new("tests/data/documents").join(format!("{name}.json"))
}

fn signer() -> SigningKey {
    SigningKey::load(Path::new("certs-example/signing-key.pem")).expect("the example signing key")
}

fn route(name: &str, view: View, role: Role) -> Route {
    Route {
        name: name.into(),
        mailbox: "inbox@example.invalid".into(),
        view,
        role,
        localities: vec![],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: Vec::new(),
        recipients: vec![],
        officers: vec![],
    }
}

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("an object")
}

/// What every case shares; each case changes what makes it that case.
struct Case {
    name: &'static str,
    form: &'static str,
    view: View,
    route: Route,
    answers: Map<String, Value>,
    priority: Priority,
    reasons: Vec<String>,
    notes: Vec<Note>,
    findings: Vec<Finding>,
    languages: Vec<WrittenIn>,
    attachments: Vec<Facts>,
    submitted_via: Option<&'static str>,
    follow_up_of: Option<Reference>,
    page_language: Option<Lang>,
}

impl Case {
    fn new(name: &'static str, form: &'static str, view: View, route: Route) -> Self {
        Case {
            name,
            form,
            view,
            route,
            answers: Map::new(),
            priority: Priority::Routine,
            reasons: vec![],
            notes: vec![],
            findings: vec![],
            languages: vec![],
            attachments: vec![],
            submitted_via: None,
            follow_up_of: None,
            page_language: None,
        }
    }

    fn seal(&self) -> Vec<u8> {
        let reference = Reference::parse("PIS-7KQ2-M4XD").expect("a reference");
        let localities = ["SCARBOROUGH".to_string()];
        let doc = Document {
            reference: &reference,
            received_at: "2026-12-08T01:20:00Z",
            form_id: self.form,
            form_version: 2,
            priority: self.priority,
            reasons: &self.reasons,
            localities: &localities,
            answers: &self.answers,
            notes: &self.notes,
            findings: &self.findings,
            languages: &self.languages,
            submitted_via: self.submitted_via,
            attachments: &self.attachments,
            follow_up_of: self.follow_up_of.as_ref(),
            page_language: self.page_language,
        };
        canonical_json(&doc, &self.route, self.view, &signer())
            .expect("seals")
            .to_vec()
    }
}

fn finding(field: &str, start: usize, end: usize) -> Finding {
    Finding {
        priority: Priority::Immediate,
        reason: "narrative_meeting_now".into(),
        concept: 0,
        by_time: true,
        possible: false,
        field: field.into(),
        start,
        end,
        cues: Vec::new(),
    }
}

fn photo() -> Facts {
    Facts {
        n: 1,
        kind: Kind::Jpeg,
        media_type: "image/jpeg".into(),
        sha256_received: "ab".repeat(32),
        sha256_sealed: "cd".repeat(32),
        bytes_received: 48_213,
        bytes_sealed: 40_112,
        width: Some(1024),
        height: Some(768),
        cleaned: true,
        open_in_safe_viewer: false,
        active_content: vec![],
        pdf_analysis: None,
    }
}

fn letter() -> Facts {
    Facts {
        n: 2,
        kind: Kind::Pdf,
        media_type: "application/pdf".into(),
        sha256_received: "ef".repeat(32),
        sha256_sealed: "ef".repeat(32),
        bytes_received: 90_001,
        bytes_sealed: 90_001,
        width: None,
        height: None,
        cleaned: false,
        open_in_safe_viewer: true,
        active_content: vec!["JavaScript".into()],
        pdf_analysis: Some(PdfAnalysis::Analysed),
    }
}

fn professional_answers() -> Map<String, Value> {
    object(json!({
        "summary": "Girl, 14, meeting an adult male in Peasholm Park at 7 this evening",
        "details": "She told a friend she is meeting him at 7 tonight. He gives her vapes.",
        "concern_categories": ["CSE", "GOING_MISSING"],
        "people": [
            {"role": "CHILD", "name": "Child A", "age": "14"},
            {"role": "ADULT_OF_CONCERN", "description": "Man, 30s, grey Audi"}
        ],
        "vehicles": [{"vrm": "YX19 ABC", "note": "grey Audi"}],
        "submitter": {"organisation": "Example Academy", "role": "DSL"}
    }))
}

fn cases() -> Vec<Case> {
    let police = || route("police_intelligence", View::Full, Role::PoliceIntelligence);
    let mace = route("mace_scarborough", View::Restricted, Role::Mace);
    let control = route("control_room", View::Notice, Role::ControlRoom);

    let mut full = Case::new("professional-full", "professional", View::Full, police());
    full.answers = professional_answers();
    full.priority = Priority::Immediate;
    full.reasons = vec!["narrative_meeting_now".into(), "gate_danger_now".into()];
    full.notes = vec![Note {
        field: "vehicles[0].vrm".into(),
        code: "vrm_partial",
    }];
    full.findings = vec![finding("details", 0, 42)];
    full.attachments = vec![photo(), letter()];

    let mut restricted = Case::new(
        "professional-restricted",
        "professional",
        View::Restricted,
        mace,
    );
    restricted.answers = object(json!({
        "concern_categories": ["CSE", "GOING_MISSING"],
        "summary": "Girl, 14, meeting an adult male in Peasholm Park at 7 this evening"
    }));
    restricted.priority = Priority::Immediate;
    restricted.reasons = full.reasons.clone();
    restricted.findings = full.findings.clone();

    let mut notice = Case::new("community-notice", "community", View::Notice, control);
    notice.answers = object(json!({"concern_categories": ["CSE"]}));
    notice.priority = Priority::Immediate;
    notice.reasons = vec!["gate_danger_now".into()];

    let mut community = Case::new("community-full", "community", View::Full, police());
    community.answers = object(json!({
        "details": "Dziewczyna, 13 lat, jest teraz w mieszkaniu z dorosłymi mężczyznami.",
        "where": "Flat 2, 14 Example Street, Scarborough"
    }));
    community.priority = Priority::Immediate;
    community.reasons = vec!["narrative_held_now".into()];
    community.findings = vec![finding("details", 0, 68)];
    community.languages = vec![WrittenIn {
        field: "details".into(),
        code: "pl".into(),
        name: "Polish".into(),
        read: true,
    }];
    community.page_language = Some(Lang::Pl);

    let mut partner = Case::new("partner-full", "professional", View::Full, police());
    partner.answers = object(json!({"summary": "Sent by a partner agency's system"}));
    partner.priority = Priority::Priority;
    partner.reasons = vec!["soon_within_days".into()];
    partner.submitted_via = Some("example_housing");

    let mut addendum = Case::new("follow-up-full", "follow_up", View::Full, police());
    addendum.answers = object(json!({"addendum": "He has been back again tonight."}));
    addendum.follow_up_of = Reference::parse("PIS-3HJN-Q8WT");

    vec![full, restricted, notice, community, partner, addendum]
}

#[test]
fn the_gateway_seals_each_golden_document_byte_for_byte() {
    let bless = std::env::var_os("PISG_BLESS_DOCUMENTS").is_some();
    for case in cases() {
        let sealed = case.seal();
        let path = golden(case.name);
        if bless {
            std::fs::create_dir_all(path.parent().expect("folder")).expect("folder");
            std::fs::write(&path, &sealed).expect("writes");
        }
        let want = std::fs::read(&path).expect("a golden document");
        assert!(
            sealed == want,
            "{}: the sealed document changed; if on purpose, bless it (see the top of this file)\n got: {}\nwant: {}",
            case.name,
            String::from_utf8_lossy(&sealed),
            String::from_utf8_lossy(&want)
        );
    }
}

#[test]
fn the_readers_read_every_golden_document_and_its_signature_holds() {
    let keys = Keyring(vec![signer().public().clone()]);
    for case in cases() {
        let bytes = std::fs::read(golden(case.name)).expect("a golden document");
        let raw: Value = serde_json::from_slice(&bytes).expect("JSON");
        pis_gateway::signing::verify_document(&raw, &keys).expect("signed by the example key");
        let doc = SealedDocument::from_value(&raw).expect("reads as a sealed document");
        assert_eq!(doc.view, case.view, "{}", case.name);
        assert_eq!(doc.form, case.form, "{}", case.name);
        assert_eq!(doc.form_version, 2);
        assert_eq!(doc.reference.as_str(), "PIS-7KQ2-M4XD");
        assert_eq!(doc.priority, case.priority, "{}", case.name);
        assert_eq!(doc.route, case.route.name);
        assert_eq!(doc.answers, case.answers, "{}", case.name);
        assert_eq!(
            doc.received_at,
            time::macros::datetime!(2026-12-08 01:20:00 UTC)
        );
        assert_eq!(
            doc.attachments.len(),
            case.attachments.len(),
            "{}",
            case.name
        );
        let spans = if case.view == View::Full {
            case.findings.len()
        } else {
            0
        };
        assert_eq!(doc.narrative().len(), spans, "{}", case.name);
        assert_eq!(
            doc.follow_up_of.as_ref().map(Reference::as_str),
            case.follow_up_of.as_ref().map(Reference::as_str)
        );
        assert_eq!(
            doc.submitted_via.as_ref().map(|s| s.agency.as_str()),
            case.submitted_via
        );
        assert!(doc.signature.is_some(), "{}", case.name);
        // Read back and written again, a document is the same document.
        assert_eq!(
            Value::Object(doc.to_value().expect("writes")),
            raw,
            "{}",
            case.name
        );
    }
}

#[test]
fn a_document_of_another_schema_or_with_a_field_of_the_wrong_type_is_refused() {
    let bytes = std::fs::read(golden("professional-full")).expect("a golden document");
    let raw: Value = serde_json::from_slice(&bytes).expect("JSON");
    let mut other = raw.clone();
    other["schema"] = json!("pis-gateway/submission/v9");
    assert!(SealedDocument::from_value(&other).is_err());
    let mut bad = raw.clone();
    bad["received_at"] = json!("yesterday");
    assert!(SealedDocument::from_value(&bad).is_err());
    let mut bad = raw;
    bad["priority"] = json!("URGENT");
    assert!(SealedDocument::from_value(&bad).is_err());
}
