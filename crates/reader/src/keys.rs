//! age identities, on the reader's machine: read from the files `keygen` and `age-keygen`
//! write. The recipients' side of the keys (parsing `age1…`, `keygen`) is shared with the
//! server in `pis_core::keys`; only this crate reads an identity.

pub use pis_core::keys::*;
use std::path::Path;

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
    use age::x25519::Identity;

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
