//! The officer's signature on a restricted view shared with MACE, and its check in `open`.
//!
//! The gateway's signature covers the full document only, so a share is signed again, by the
//! sharing officer's key, in the same form as the gateway's ([`crate::signing`]), over the
//! view with `"shared_by": {"officer": "<key id>"}` added. `open` accepts it against the
//! officer keys the gateway publishes (`"officers"` beside `"keys"` at
//! `/.well-known/pis-gateway/signing-keys`: officers of routes that may share), and only as
//! what it is: a restricted view, never a gateway's document. An officer key can therefore
//! never pass a forged full view off as the gateway's, and a MACE reader needs no
//! `--allow-unsigned`.

use crate::signing::{verify_document, Keyring, PublicKey, SigningKey, VerifyError};
use serde_json::{json, Value};
use zeroize::Zeroizing;

/// The member naming the officer who shared the view.
pub const SHARED_BY: &str = "shared_by";

/// Why a share's signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("{0}")]
    Signature(VerifyError),
    #[error(
        "signed by an officer key, but not a restricted view: only shares are signed by officers"
    )]
    NotAShare,
    #[error("the officer named in shared_by is not the key that signed it")]
    WrongOfficer,
}

/// Signs the view as shared by `key`'s officer; returns the bytes to seal.
pub fn sign(mut view: Value, key: &SigningKey) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    view[SHARED_BY] = json!({ "officer": key.public().id() });
    let Value::Object(map) = view else {
        anyhow::bail!("a restricted view is a JSON object");
    };
    Ok(key.sign_document(map))
}

/// Checks a share against the published officer keys; returns the officer's key id.
pub fn verify(doc: &Value, officers: &Keyring) -> Result<String, ShareError> {
    let id = verify_document(doc, officers).map_err(ShareError::Signature)?;
    if doc.get("view").and_then(Value::as_str) != Some("restricted") {
        return Err(ShareError::NotAShare);
    }
    let named = doc
        .get(SHARED_BY)
        .and_then(|s| s.get("officer"))
        .and_then(Value::as_str);
    if named != Some(id.as_str()) {
        return Err(ShareError::WrongOfficer);
    }
    Ok(id)
}

/// The officer keys in a file published at `/.well-known/pis-gateway/signing-keys`
/// (`"officers": [{"public_key"}]`); none for any other form of file.
pub fn published_officers(text: &str) -> Vec<PublicKey> {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    v.get("officers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| o.get("public_key")?.as_str().and_then(PublicKey::parse))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> Value {
        json!({"reference": "PIS-AAAA-AAAA", "view": "restricted", "route": "mace_york",
               "answers": {"what_happened": "x"}})
    }

    fn parsed(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).expect("json")
    }

    #[test]
    fn a_signed_share_names_its_officer_and_nothing_else_passes() {
        let officer = SigningKey::generate();
        let stranger = SigningKey::generate();
        let published = Keyring(vec![officer.public().clone()]);
        let doc = parsed(&sign(view(), &officer).expect("signed"));
        assert_eq!(verify(&doc, &published), Ok(officer.public().id()));
        assert_eq!(doc[SHARED_BY]["officer"], officer.public().id());

        let forged = parsed(&sign(view(), &stranger).expect("signed"));
        assert!(matches!(
            verify(&forged, &published),
            Err(ShareError::Signature(VerifyError::UnknownKey(_)))
        ));
        let mut altered = doc.clone();
        altered["answers"]["what_happened"] = json!("y");
        assert_eq!(
            verify(&altered, &published),
            Err(ShareError::Signature(VerifyError::BadSignature))
        );
        let mut unsigned = view();
        unsigned[SHARED_BY] = json!({"officer": officer.public().id()});
        assert_eq!(
            verify(&unsigned, &published),
            Err(ShareError::Signature(VerifyError::Unsigned))
        );
        let mut full = view();
        full["view"] = json!("full");
        let full = parsed(&sign(full, &officer).expect("signed"));
        assert_eq!(verify(&full, &published), Err(ShareError::NotAShare));
        // Someone else's name under the officer's own signature.
        let mut other = view();
        other[SHARED_BY] = json!({"officer": stranger.public().id()});
        let Value::Object(map) = other else {
            unreachable!()
        };
        let other = parsed(&officer.sign_document(map));
        assert_eq!(verify(&other, &published), Err(ShareError::WrongOfficer));
    }

    #[test]
    fn officer_keys_are_read_from_the_published_file_only() {
        let officer = SigningKey::generate();
        let file = json!({"keys": [], "officers": [
            {"id": officer.public().id(), "alg": "Ed25519", "public_key": officer.public().to_base64()}
        ]})
        .to_string();
        assert_eq!(published_officers(&file), vec![officer.public().clone()]);
        assert!(published_officers(&officer.public().to_base64()).is_empty());
    }
}
