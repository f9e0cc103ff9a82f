//! The key kept outside the database (`spool.secrets_key_file`) that seals what the gateway
//! must read back itself but a reader of the database must not: a professional's notice
//! address, and the spool's own secrets (the form-token key, the reference key, the pepper).
//!
//! The file holds 32 random bytes in hex. Each use derives its own key from them (HMAC-SHA256
//! of a label), so an address sealed under one label never opens as a secret under another.
//! Sealing is ChaCha20-Poly1305 (`ring::aead`) with a random 96-bit nonce and the label as
//! associated data; a sealed value is `nonce || ciphertext || tag`.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::hmac;
use std::path::Path;
use zeroize::Zeroizing;

const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretsKeyError {
    #[error("cannot read the secrets key file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the secrets key file {0} does not hold a key (64 hex digits)")]
    Malformed(String),
    #[error(transparent)]
    Write(#[from] crate::keyfile::KeyFileError),
}

/// The 32 bytes from the key file. Holds key material: no Debug.
pub struct SecretsKey(Zeroizing<[u8; KEY_LEN]>);

impl SecretsKey {
    /// Reads the key file, or creates it (mode 0600, 32 random bytes) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretsKeyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).ok_or_else(|| SecretsKeyError::Malformed(shown(path))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| SecretsKeyError::Read {
                        path: shown(path),
                        source,
                    })?;
                }
                let key = Self::random();
                let mut text = Zeroizing::new(hex(&key.0[..]));
                text.push('\n');
                crate::keyfile::write_new(path, text.as_bytes())?;
                Ok(key)
            }
            Err(source) => Err(SecretsKeyError::Read {
                path: shown(path),
                source,
            }),
        }
    }

    /// A key of its own for this process (tests, and tools that keep nothing).
    pub fn random() -> Self {
        let mut raw = Zeroizing::new([0u8; KEY_LEN]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut raw[..]);
        SecretsKey(raw)
    }

    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 2 * KEY_LEN {
            return None;
        }
        let mut raw = Zeroizing::new([0u8; KEY_LEN]);
        for (i, b) in raw.iter_mut().enumerate() {
            *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(SecretsKey(raw))
    }

    /// The sealing key for one use, named by `label`.
    pub fn sealer(&self, label: &'static str) -> Sealer {
        let k = hmac::Key::new(hmac::HMAC_SHA256, &self.0[..]);
        let derived = hmac::sign(&k, label.as_bytes());
        let key = UnboundKey::new(&CHACHA20_POLY1305, derived.as_ref())
            .expect("an HMAC-SHA256 tag is a 32-byte ChaCha20-Poly1305 key");
        Sealer {
            key: LessSafeKey::new(key),
            label,
        }
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seals and opens values under one derived key.
pub struct Sealer {
    key: LessSafeKey,
    label: &'static str,
}

impl Sealer {
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
        let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + 16);
        out.extend_from_slice(&nonce);
        let mut body = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(self.label.as_bytes()),
                &mut body,
            )
            .expect("ChaCha20-Poly1305 seals any buffer under 256 GiB");
        out.extend_from_slice(&body);
        out
    }

    /// `None` for anything not sealed by this key and label, or altered since.
    pub fn open(&self, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = Zeroizing::new(body.to_vec());
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(self.label.as_bytes()), &mut body)
            .ok()?
            .len();
        body.truncate(plain);
        Some(body)
    }

    /// As [`Sealer::seal`], as text for a text column: `sealed1:` and URL-safe base64.
    pub fn seal_text(&self, plain: &str) -> String {
        use base64::Engine;
        format!(
            "{TEXT_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.seal(plain.as_bytes()))
        )
    }

    /// Opens what [`Sealer::seal_text`] made.
    pub fn open_text(&self, sealed: &str) -> Option<Zeroizing<String>> {
        use base64::Engine;
        let b64 = sealed.strip_prefix(TEXT_PREFIX)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .ok()?;
        let plain = self.open(&bytes)?;
        String::from_utf8(plain.to_vec()).ok().map(Zeroizing::new)
    }
}

/// The label of professionals' notice addresses (and the confirmation links sealed with them).
pub const ADDRESS: &str = "pis-gateway/notice-address/v1";

/// How a sealed text value starts.
pub const TEXT_PREFIX: &str = "sealed1:";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_under_its_own_key_and_label_and_unaltered() {
        let key = SecretsKey::random();
        let a = key.sealer("address");
        let sealed = a.seal_text("dsl@example.sch.uk");
        assert!(!sealed.contains("dsl"));
        assert_eq!(
            a.open_text(&sealed).as_deref().map(String::as_str),
            Some("dsl@example.sch.uk")
        );
        assert!(key.sealer("settings").open_text(&sealed).is_none());
        assert!(SecretsKey::random()
            .sealer("address")
            .open_text(&sealed)
            .is_none());
        let mut raw = a.seal(b"x");
        raw[NONCE_LEN] ^= 1;
        assert!(a.open(&raw).is_none(), "a tampered byte");
        assert!(a.open(&raw[..5]).is_none(), "truncated");
        assert_ne!(a.seal(b"x"), a.seal(b"x"), "a fresh nonce each time");
    }

    #[test]
    fn the_key_file_is_made_once_0600_and_a_malformed_one_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets.key");
        let sealed = SecretsKey::load_or_create(&path)
            .expect("made")
            .sealer("t")
            .seal(b"v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = SecretsKey::load_or_create(&path).expect("read back");
        assert_eq!(
            again.sealer("t").open(&sealed).map(|v| v.to_vec()),
            Some(b"v".to_vec())
        );
        std::fs::write(&path, "not a key\n").expect("write");
        let err = SecretsKey::load_or_create(&path).err().expect("refused");
        assert!(err.to_string().contains("does not hold a key"), "{err}");
    }
}
