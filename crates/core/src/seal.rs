//! Sealing: the canonical JSON document of one route's view, encrypted with age to that route's
//! recipients. The plaintext lives only in memory, in buffers wiped when dropped.

use crate::document::{DocumentNote, NarrativeSpan, PageLanguage, SealedDocument, SubmittedVia};
pub use crate::document::{MARKING, SCHEMA};
use crate::forms::Note;
use crate::reference::Reference;
use crate::routing::{Route, View};
use crate::signing::SigningKey;
use crate::triage::Priority;
use serde_json::{Map, Value};
use std::io::Write;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// Everything that goes into a sealed document. Holds submission content: no Debug.
pub struct Document<'a> {
    pub reference: &'a Reference,
    pub received_at: &'a str,
    pub form_id: &'a str,
    pub form_version: u32,
    pub priority: Priority,
    pub reasons: &'a [String],
    /// Localities worked out from the places given (codes, not addresses).
    pub localities: &'a [String],
    /// The answers this view may hold (all of them for `full`).
    pub answers: &'a Map<String, Value>,
    pub notes: &'a [Note],
    /// Where each narrative reason was written; carried by the full view only.
    pub findings: &'a [crate::triage::Finding],
    /// The answers written in a language other than English, and whether a pack read them;
    /// carried by the full view only.
    pub languages: &'a [crate::triage::WrittenIn],
    /// The partner agency whose API token sent it; none for a public submission.
    pub submitted_via: Option<&'a str>,
    /// The facts of each evidence file sealed beside the document; the full view only.
    pub attachments: &'a [crate::attachments::Facts],
    /// For what a submitter added on /follow-up: the reference of the report it adds to.
    pub follow_up_of: Option<&'a Reference>,
    /// The language of the form's pages, for a report sent through them; the full view only.
    pub page_language: Option<crate::i18n::Lang>,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("route has no recipients")]
    NoRecipients,
    #[error("encryption failed")]
    Encrypt,
    #[error("the received time is not RFC 3339")]
    Time,
}

/// The canonical JSON, signed by the gateway: keys sorted (serde_json's map is ordered), no
/// insignificant whitespace, the signature inside (see [`crate::signing`]).
/// `doc.answers` must already be narrowed to `view` (see [`crate::views`]).
pub fn canonical_json(
    doc: &Document<'_>,
    route: &Route,
    view: View,
    signer: &SigningKey,
) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let sealed = sealed_document(doc, route, view)?;
    let document = sealed.to_value().map_err(|_| SealError::Encrypt)?;
    Ok(signer.sign_document(document))
}

/// The document one route receives: what its view may hold, and no more.
fn sealed_document(
    doc: &Document<'_>,
    route: &Route,
    view: View,
) -> Result<SealedDocument, SealError> {
    let received_at =
        OffsetDateTime::parse(doc.received_at, &Rfc3339).map_err(|_| SealError::Time)?;
    let full = view == View::Full;
    Ok(SealedDocument {
        schema: SCHEMA.into(),
        marking: MARKING.into(),
        reference: doc.reference.clone(),
        received_at,
        form: doc.form_id.into(),
        form_version: doc.form_version,
        priority: doc.priority,
        // A notice says where and what kind, never why: its reasons would say what was written.
        reason_codes: if view == View::Notice {
            Vec::new()
        } else {
            doc.reasons.to_vec()
        },
        route: route.name.clone(),
        view,
        localities: doc.localities.to_vec(),
        answers: doc.answers.clone(),
        notes: doc
            .notes
            .iter()
            .map(|n| DocumentNote {
                field: n.field.clone(),
                code: n.code.into(),
            })
            .collect(),
        submitted_via: doc.submitted_via.map(|agency| SubmittedVia {
            agency: agency.into(),
        }),
        follow_up_of: doc.follow_up_of.cloned(),
        // The answer and sentence behind each narrative reason, so `open` can show the officer
        // what raised it. Positions in the submitter's words: the full view only.
        narrative: full.then(|| doc.findings.iter().map(span).collect()),
        // Which language each answer was written in, so the officer knows to have an unread
        // one translated (and which pack read the others).
        languages: if full {
            doc.languages.to_vec()
        } else {
            Vec::new()
        },
        // What the submitter read: their words may be in a language the form was not.
        page_language: doc.page_language.filter(|_| full).map(|lang| PageLanguage {
            code: lang.code().into(),
            name: lang.english_name().into(),
        }),
        // Signed with the rest, so `open` can tell each sealed file is the one sent (by its
        // SHA-256) whatever it is called on the officer's machine.
        attachments: if full {
            doc.attachments.to_vec()
        } else {
            Vec::new()
        },
        signature: None,
    })
}

fn span(f: &crate::triage::Finding) -> NarrativeSpan {
    NarrativeSpan {
        reason: f.reason.clone(),
        field: f.field.clone(),
        start: f.start,
        end: f.end,
    }
}

/// Encrypts to the route's recipients; binary age format (the spool's form).
pub fn encrypt(plaintext: &[u8], route: &Route) -> Result<Vec<u8>, SealError> {
    encrypt_to(plaintext, &route.recipients)
}

/// Encrypts to these recipients; binary age format.
pub fn encrypt_to(
    plaintext: &[u8],
    recipients: &[age::x25519::Recipient],
) -> Result<Vec<u8>, SealError> {
    if recipients.is_empty() {
        return Err(SealError::NoRecipients);
    }
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| SealError::Encrypt)?;
    // age adds a header of ~100 bytes per recipient and 16 bytes per 64 KiB chunk.
    let mut out = Vec::with_capacity(plaintext.len() + 256 + 100 * recipients.len());
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|_| SealError::Encrypt)?;
    writer
        .write_all(plaintext)
        .map_err(|_| SealError::Encrypt)?;
    // finish() writes the last chunk; without it the envelope is truncated.
    writer.finish().map_err(|_| SealError::Encrypt)?;
    Ok(out)
}

/// Armors a binary envelope for email (ASCII, `-----BEGIN AGE ENCRYPTED FILE-----`).
pub fn armor(envelope: &[u8]) -> std::io::Result<String> {
    use age::armor::{ArmoredWriter, Format};
    let mut out = Vec::with_capacity(envelope.len() * 4 / 3 + 128);
    let mut w = ArmoredWriter::wrap_output(&mut out, Format::AsciiArmor)?;
    w.write_all(envelope)?;
    w.finish()?;
    String::from_utf8(out).map_err(|_| std::io::Error::other("armor produced non-UTF-8"))
}

/// Decrypts an envelope, binary or armored, with the given identities.
pub fn decrypt(
    envelope: &[u8],
    identities: &[Box<dyn age::Identity>],
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    use std::io::Read;
    let reader = age::armor::ArmoredReader::new(envelope);
    // The buffered constructor parses the header line by line; the plain one re-parses it
    // after every few bytes (a tenth of `map`'s time over many envelopes).
    let decryptor =
        age::Decryptor::new_buffered(reader).map_err(|_| DecryptError::NotAnEnvelope)?;
    let mut r = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|_| DecryptError::NoMatchingKey)?;
    let mut out = Zeroizing::new(Vec::new());
    r.read_to_end(&mut out).map_err(|_| DecryptError::Corrupt)?;
    Ok(out)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecryptError {
    #[error("not an age envelope")]
    NotAnEnvelope,
    #[error("no identity given can open this envelope")]
    NoMatchingKey,
    #[error("the envelope is damaged or truncated")]
    Corrupt,
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::x25519::Identity;
    use serde_json::json;

    fn route(ids: &[&Identity]) -> Route {
        Route {
            name: "police_intelligence".into(),
            mailbox: "x@example.invalid".into(),
            view: View::Full,
            role: crate::routing::Role::PoliceIntelligence,
            localities: vec![],
            fallback: false,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officer_actions: Vec::new(),
            recipients: ids.iter().map(|i| i.to_public()).collect(),
            officers: vec![],
        }
    }

    fn sealed(r: &Route) -> Vec<u8> {
        let reference = Reference::random();
        let answers = json!({"summary": "canary-summary"})
            .as_object()
            .cloned()
            .expect("object");
        let doc = Document {
            reference: &reference,
            received_at: "2026-11-23T19:00:00Z",
            form_id: "professional",
            form_version: 1,
            priority: Priority::Routine,
            reasons: &[],
            localities: &[],
            answers: &answers,
            notes: &[],
            findings: &[],
            languages: &[],
            submitted_via: None,
            attachments: &[],
            follow_up_of: None,
            page_language: None,
        };
        let plain = canonical_json(&doc, r, View::Full, &SigningKey::generate()).expect("json");
        encrypt(&plain, r).expect("sealed")
    }

    #[test]
    fn every_recipient_can_open_and_no_one_else() {
        let (a, b, c) = (
            Identity::generate(),
            Identity::generate(),
            Identity::generate(),
        );
        let r = route(&[&a, &b]);
        let env = sealed(&r);
        assert!(!env.windows(14).any(|w| w == b"canary-summary"));
        for id in [a, b] {
            let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(id)];
            let plain = decrypt(&env, &ids).expect("opens");
            let v: Value = serde_json::from_slice(&plain).expect("json");
            assert_eq!(v["schema"], SCHEMA);
            assert_eq!(v["answers"]["summary"], "canary-summary");
        }
        let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(c)];
        assert_eq!(
            decrypt(&env, &ids).unwrap_err(),
            DecryptError::NoMatchingKey
        );
    }

    #[test]
    fn tampered_and_truncated_envelopes_are_refused() {
        let a = Identity::generate();
        let r = route(&[&a]);
        let env = sealed(&r);
        let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(a)];
        let mut tampered = env.clone();
        let last = tampered.len() - 5;
        tampered[last] ^= 1;
        assert_eq!(decrypt(&tampered, &ids).unwrap_err(), DecryptError::Corrupt);
        assert!(decrypt(&env[..env.len() - 20], &ids).is_err());
        assert_eq!(
            decrypt(b"hello", &ids).unwrap_err(),
            DecryptError::NotAnEnvelope
        );
    }

    #[test]
    fn armored_envelopes_open_too() {
        let a = Identity::generate();
        let r = route(&[&a]);
        let armored = armor(&sealed(&r)).expect("armor");
        assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(a)];
        assert!(decrypt(armored.as_bytes(), &ids).is_ok());
    }

    #[test]
    fn the_document_is_canonical() {
        let a = Identity::generate();
        let r = route(&[&a]);
        let reference = Reference::random();
        let answers = json!({"z": "1", "a": "2"})
            .as_object()
            .cloned()
            .expect("object");
        let doc = Document {
            reference: &reference,
            received_at: "2026-11-23T19:00:00Z",
            form_id: "f",
            form_version: 1,
            priority: Priority::Immediate,
            reasons: &["gate_danger_now".to_string()],
            localities: &[],
            answers: &answers,
            notes: &[],
            findings: &[],
            languages: &[],
            submitted_via: None,
            attachments: &[],
            follow_up_of: None,
            page_language: None,
        };
        let key = SigningKey::generate();
        let plain = canonical_json(&doc, &r, View::Full, &key).expect("json");
        let text = String::from_utf8(plain.to_vec()).expect("utf8");
        let parsed: Value = serde_json::from_slice(&plain).expect("json");
        let ring = crate::signing::Keyring(vec![key.public().clone()]);
        assert_eq!(
            crate::signing::verify_document(&parsed, &ring),
            Ok(key.public().id()),
            "signed by the gateway"
        );
        assert!(
            text.starts_with("{\"answers\":{\"a\":\"2\",\"z\":\"1\"}"),
            "{text}"
        );
        assert!(text.contains("\"priority\":\"IMMEDIATE\""));
    }

    #[test]
    fn only_the_full_view_names_the_languages_written_and_the_page_language() {
        let r = route(&[&Identity::generate()]);
        let reference = Reference::random();
        let answers = Map::new();
        let languages = [crate::triage::WrittenIn {
            field: "details".into(),
            code: "fra".into(),
            name: "French".into(),
            read: false,
        }];
        let doc = Document {
            reference: &reference,
            received_at: "2026-11-23T19:00:00Z",
            form_id: "f",
            form_version: 1,
            priority: Priority::Priority,
            reasons: &["narrative_unread_language".to_string()],
            localities: &[],
            answers: &answers,
            notes: &[],
            findings: &[],
            languages: &languages,
            submitted_via: None,
            attachments: &[],
            follow_up_of: None,
            page_language: Some(crate::i18n::Lang::Pl),
        };
        let key = SigningKey::generate();
        let read = |view| -> Value {
            serde_json::from_slice(&canonical_json(&doc, &r, view, &key).expect("json"))
                .expect("json")
        };
        assert_eq!(
            read(View::Full)["languages"],
            json!([{"field": "details", "code": "fra", "name": "French", "read": false}])
        );
        assert!(read(View::Restricted).get("languages").is_none());
        assert!(read(View::Notice).get("languages").is_none());
        assert_eq!(
            read(View::Full)["page_language"],
            json!({"code": "pl", "name": "Polish"})
        );
        assert!(read(View::Restricted).get("page_language").is_none());
        assert!(read(View::Notice).get("page_language").is_none());
    }
}
