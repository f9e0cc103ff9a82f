//! age keys: parsing recipients (public keys) for the server, and `keygen` for inbox owners.
//!
//! The server only ever parses recipients. Identities are read by `open` and `map`, which run on
//! the reader's own machine.

use age::x25519::{Identity, Recipient};
use std::path::Path;
use std::str::FromStr;

const EXAMPLE_RECIPIENTS: &str =
    include_str!("../../../config/example-keys/recipients.EXAMPLE.txt");

pub fn is_example_recipient(recipient: &str) -> bool {
    EXAMPLE_RECIPIENTS
        .lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && l == recipient.trim())
}

/// Parses an `age1…` X25519 recipient.
pub fn parse_recipient(s: &str) -> Option<Recipient> {
    Recipient::from_str(s.trim()).ok()
}

#[derive(Debug, thiserror::Error)]
pub enum KeygenError {
    #[error("{0} already exists; refusing to overwrite an identity")]
    Exists(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl From<crate::keyfile::KeyFileError> for KeygenError {
    fn from(e: crate::keyfile::KeyFileError) -> Self {
        match e {
            crate::keyfile::KeyFileError::Exists(path) => KeygenError::Exists(path),
            crate::keyfile::KeyFileError::Io { path, source } => KeygenError::Io { path, source },
        }
    }
}

/// Writes a new identity to `path` (mode 0600, never over an existing file) and returns its
/// public key, in the format `age-keygen` writes so either tool reads the other's files.
pub fn keygen(path: &Path) -> Result<String, KeygenError> {
    use age::secrecy::ExposeSecret;
    let identity = Identity::generate();
    let public = identity.to_public().to_string();
    let created = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let body = zeroize::Zeroizing::new(format!(
        "# created: {created}\n# public key: {public}\n{}\n",
        identity.to_string().expose_secret()
    ));
    crate::keyfile::write_new(path, body.as_bytes())?;
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_recipients_are_recognised() {
        assert!(is_example_recipient(
            "age12wlf0kq003zfh7wnp3kumwgrts4jn49a7hhvhzrhpfyy5g3k8q4qzp8xfg"
        ));
        let fresh = Identity::generate().to_public().to_string();
        assert!(!is_example_recipient(&fresh));
        assert!(parse_recipient(&fresh).is_some());
        assert!(parse_recipient("age1notakey").is_none());
    }
}
