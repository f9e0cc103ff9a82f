//! The sealed document: what the gateway seals to a route, and what every reader opens.
//!
//! One type for both sides. The gateway builds it and [`crate::seal`] signs its canonical JSON
//! (keys sorted, as serde_json's map keeps them); `open`, `map`, the desk and the officer's
//! share read it back with [`SealedDocument::from_value`]. The golden documents in
//! `tests/data/documents/` pin the format: a change to this type that changes a byte of them
//! fails the tests until they are written again on purpose.
//!
//! Holds submission content: no `Debug`.

use crate::attachments::Facts;
use crate::reference::Reference;
use crate::routing::View;
use crate::triage::{Priority, WrittenIn};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// The format's name and version, the first thing a reader checks.
pub const SCHEMA: &str = "pis-gateway/submission/v1";
/// The Government Security Classification every document carries.
pub const MARKING: &str = "OFFICIAL-SENSITIVE";

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedDocument {
    pub schema: String,
    pub marking: String,
    pub reference: Reference,
    /// To the second, in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The form's id (`professional`, `community`, `follow_up` for an addendum).
    pub form: String,
    pub form_version: u32,
    pub priority: Priority,
    /// Why it has its priority (none in a notice: the reasons would say what was written).
    pub reason_codes: Vec<String>,
    /// The route it was sealed to, and how much of the report that route sees.
    pub route: String,
    pub view: View,
    /// Locality codes worked out from the places given (never the addresses).
    pub localities: Vec<String>,
    /// The answers the view may hold, by the form's field ids.
    pub answers: Map<String, Value>,
    pub notes: Vec<DocumentNote>,
    /// The partner agency whose API token sent it; absent for a public submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_via: Option<SubmittedVia>,
    /// For an addendum sent on /follow-up: the report it adds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_of: Option<Reference>,
    /// Where each narrative reason was written. The full view only (present, if empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<Vec<NarrativeSpan>>,
    /// The answers written in a language other than English; the full view only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<WrittenIn>,
    /// The language of the pages the submitter read; the full view only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_language: Option<PageLanguage>,
    /// The facts of each evidence file sealed beside it; the full view only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Facts>,
    /// The gateway's signature over everything else (see [`crate::signing`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureEnvelope>,
}

/// Something an officer should know about an accepted answer (`vrm_partial`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentNote {
    /// The answer's path (`vehicles[0].vrm`).
    pub field: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedVia {
    pub agency: String,
}

/// One narrative reason and the sentence that raised it, in characters of that answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NarrativeSpan {
    pub reason: String,
    /// The answer's path (`details`, `people[1].description`).
    pub field: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLanguage {
    /// The language's code (`pl`).
    pub code: String,
    /// Its name in English, for the officer.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureEnvelope {
    pub alg: String,
    pub key_id: String,
    /// Base64.
    pub value: String,
}

/// Why a decrypted document cannot be read as a sealed document.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("not a pis-gateway document of this version (schema {0:?})")]
    Schema(String),
    /// Serde's message is not kept: it can quote a value, and an unsigned document is hostile.
    #[error("not a sealed document of this version: a field is missing or of the wrong type")]
    Shape,
}

impl SealedDocument {
    /// Reads a decrypted document (already parsed, as the signature check needs it): the
    /// schema this reader knows, every field of the type it should be.
    pub fn from_value(raw: &Value) -> Result<Self, DocumentError> {
        check_schema(raw)?;
        SealedDocument::deserialize(raw).map_err(|_| DocumentError::Shape)
    }

    /// The document as a JSON object, keys sorted: the form that is signed and sealed.
    pub fn to_value(&self) -> Result<Map<String, Value>, serde_json::Error> {
        match serde_json::to_value(self)? {
            Value::Object(map) => Ok(map),
            _ => Err(serde::ser::Error::custom("a document is an object")),
        }
    }

    /// The narrative spans, none outside the full view.
    pub fn narrative(&self) -> &[NarrativeSpan] {
        self.narrative.as_deref().unwrap_or_default()
    }
}

/// The header of a sealed document, read without copying its answers: what `map` needs of a
/// hundred thousand documents, and what the officer's tools check before acting on one. The
/// same fields, of the same types, as [`SealedDocument`].
#[derive(Deserialize)]
pub struct Header<'a> {
    pub reference: Reference,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub form: &'a str,
    pub form_version: u32,
    pub priority: Priority,
    pub route: &'a str,
    pub view: View,
    /// Absent from documents sealed before localities were worked out: none.
    #[serde(borrow, default)]
    pub localities: Vec<&'a str>,
    #[serde(default)]
    pub follow_up_of: Option<Reference>,
    /// How many evidence files were sealed beside it (their facts are not read here).
    #[serde(default, deserialize_with = "count")]
    pub attachments: usize,
}

impl<'a> Header<'a> {
    /// Reads the header of a decrypted document: the schema this reader knows, each header
    /// field of the type it should be.
    pub fn from_value(raw: &'a Value) -> Result<Self, DocumentError> {
        check_schema(raw)?;
        Header::deserialize(raw).map_err(|_| DocumentError::Shape)
    }
}

fn check_schema(raw: &Value) -> Result<(), DocumentError> {
    let schema = raw.get("schema").and_then(Value::as_str).unwrap_or("");
    if schema == SCHEMA {
        Ok(())
    } else {
        Err(DocumentError::Schema(schema.chars().take(64).collect()))
    }
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    Ok(Vec::<serde::de::IgnoredAny>::deserialize(d)?.len())
}

/// A reference is written as the gateway writes it (`PIS-XXXX-XXXX`); a document holding any
/// other spelling is not one the gateway sealed.
impl Serialize for Reference {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Reference::parse(&s)
            .filter(|r| r.as_str() == s)
            .ok_or_else(|| serde::de::Error::custom("not a reference as the gateway writes it"))
    }
}
