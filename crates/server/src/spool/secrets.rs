//! The spool's own secrets (the reference key, the form-token key, the follow-up pepper) are
//! kept in its `settings` table sealed under the secrets key (`spool.secrets_key_file`, outside
//! the database), so a reader of the database can neither forge form tokens nor read the
//! submissions' order from their references. A value is stored as a marker, then the sealed
//! name and value (see [`crate::secrets_key`]); the name is sealed with it, so a sealed value
//! moved to another name does not open. A value from before sealing (clear, with no marker) is
//! sealed on the first start that reads it.

use crate::secrets_key::{Sealer, SecretsKey};
use std::path::Path;
use zeroize::Zeroizing;

/// The label the spool's secrets are sealed under.
pub const LABEL: &str = "pis-gateway/spool-secrets/v1";
/// How a sealed value starts (a clear one is random bytes of its own length).
const MARKER: &[u8] = b"pisg-sealed1\0";

/// A sealed value that the key given does not open.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the spool's secrets do not open with the key in {0}: spool.secrets_key_file must be the key \
     file this spool was sealed with"
)]
pub struct WrongKey(pub String);

/// What a stored value turned out to be.
pub enum Stored {
    Sealed(Zeroizing<Vec<u8>>),
    /// Kept in clear by a gateway from before sealing: seal it and write it back.
    Clear(Vec<u8>),
}

pub struct SpoolSecrets {
    sealer: Sealer,
    path: String,
}

impl SpoolSecrets {
    /// The key in `path`, made (mode 0600) if there is none yet.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let key = SecretsKey::load_or_create(path)?;
        Ok(SpoolSecrets {
            sealer: key.sealer(LABEL),
            path: path.display().to_string(),
        })
    }

    /// Under `key`; `shown` names it in a refusal.
    pub fn with_key(key: &SecretsKey, shown: &str) -> Self {
        SpoolSecrets {
            sealer: key.sealer(LABEL),
            path: shown.to_string(),
        }
    }

    /// A key of this process's own, kept nowhere (tests that drive the writer directly).
    pub fn random() -> Self {
        SpoolSecrets {
            sealer: SecretsKey::random().sealer(LABEL),
            path: "(a key kept nowhere)".into(),
        }
    }

    pub fn seal(&self, name: &str, value: &[u8]) -> Vec<u8> {
        let mut plain = Zeroizing::new(Vec::with_capacity(name.len() + 1 + value.len()));
        plain.extend_from_slice(name.as_bytes());
        plain.push(0);
        plain.extend_from_slice(value);
        let mut out = MARKER.to_vec();
        out.extend(self.sealer.seal(&plain));
        out
    }

    pub fn open(&self, name: &str, stored: &[u8]) -> Result<Stored, WrongKey> {
        let Some(sealed) = stored.strip_prefix(MARKER) else {
            return Ok(Stored::Clear(stored.to_vec()));
        };
        let wrong = || WrongKey(self.path.clone());
        let plain = self.sealer.open(sealed).ok_or_else(wrong)?;
        let value = plain
            .strip_prefix(name.as_bytes())
            .and_then(|rest| rest.strip_prefix(&[0u8][..]))
            .ok_or_else(wrong)?;
        Ok(Stored::Sealed(Zeroizing::new(value.to_vec())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_opens_under_its_key_and_name_and_a_clear_one_is_told_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = SpoolSecrets::load(&dir.path().join("k")).expect("key");
        let sealed = s.seal("form_token", &[7; 32]);
        assert!(!sealed.windows(32).any(|w| w == [7; 32]));
        assert!(
            matches!(s.open("form_token", &sealed), Ok(Stored::Sealed(v)) if *v == vec![7; 32])
        );
        assert!(
            s.open("reference_key", &sealed).is_err(),
            "moved to another name"
        );
        assert!(matches!(s.open("x", &[7; 32]), Ok(Stored::Clear(v)) if v == vec![7; 32]));
        let other = SpoolSecrets::load(&dir.path().join("other")).expect("key");
        let e = other.open("form_token", &sealed).err().expect("refused");
        assert!(e.to_string().contains("spool.secrets_key_file"), "{e}");
    }
}
