//! age keys: parsing recipients (public keys) for the server, and `keygen` for inbox owners.
//!
//! The server only ever parses recipients. Identities are read by `open` and `map`, which run on
//! the reader's own machine.

use age::x25519::{Identity, Recipient};
use std::path::Path;
use std::str::FromStr;

const EXAMPLE_RECIPIENTS: &str = include_str!("../config/example-keys/recipients.EXAMPLE.txt");

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

/// Reads identities from an age identity file (as written by `keygen` or `age-keygen`).
pub fn read_identities(path: &Path) -> anyhow::Result<Vec<Box<dyn age::Identity>>> {
    use anyhow::Context;
    let file = age::IdentityFile::from_file(path.display().to_string())
        .with_context(|| format!("reading identity file {}", path.display()))?;
    file.into_identities()
        .map_err(|_| anyhow::anyhow!("{} holds no usable age identity", path.display()))
}

/// Identities from an identity file's text (already read, so several threads can each parse
/// their own copy without reading the file again).
pub fn parse_identities(text: &str) -> Option<Vec<Box<dyn age::Identity>>> {
    age::IdentityFile::from_buffer(text.as_bytes())
        .ok()?
        .into_identities()
        .ok()
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

    #[test]
    fn identities_parsed_from_a_key_file_open_their_envelopes_and_no_others() {
        use age::secrecy::ExposeSecret;
        let ours = Identity::generate();
        let other = Identity::generate();
        let text = format!(
            "# created: now\n# public key: {}\n{}\n",
            ours.to_public(),
            ours.to_string().expose_secret()
        );
        let ids = parse_identities(&text).expect("reads");
        assert_eq!(ids.len(), 1);
        let for_us = age::encrypt(&ours.to_public(), b"secret").expect("seals");
        let for_other = age::encrypt(&other.to_public(), b"secret").expect("seals");
        assert_eq!(
            crate::seal::decrypt(&for_us, &ids)
                .expect("opens")
                .as_slice(),
            b"secret"
        );
        assert_eq!(
            crate::seal::decrypt(&for_other, &ids).err(),
            Some(crate::seal::DecryptError::NoMatchingKey)
        );
        assert!(parse_identities("not an identity").is_none());
    }

    #[test]
    fn keygen_writes_0600_refuses_to_overwrite_and_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("id.key");
        let public = keygen(&path).expect("keygen");
        assert!(public.starts_with("age1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(keygen(&path), Err(KeygenError::Exists(_))));
        assert_eq!(read_identities(&path).expect("reads").len(), 1);
    }
}
