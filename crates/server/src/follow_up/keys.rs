//! From a follow-up code to the keys the server uses: a slow KDF (Argon2id, keyed with the
//! deployment's pepper) and then HKDF with one label per key, so that the lookup id the spool
//! indexes reveals nothing about the age identity that opens the submitter's messages.
//!
//! Argon2id's salt is fixed per deployment (the pepper is its secret input): a code must find
//! its submission without anything stored beside it, and 100 random bits need no per-user
//! salt to resist precomputation.

use super::code::FollowUpCode;
use crate::spool::FollowUpKey;
use argon2::{Algorithm, Argon2, Params, Version};
use bech32::ToBase32;
use ring::hkdf;
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::Semaphore;
use zeroize::{Zeroize, Zeroizing};

/// The spool secret that keys Argon2id (`SettingsStore::secret`): created with the spool,
/// copied by `spool copy`, shared by every gateway on a PostgreSQL spool.
pub const PEPPER_SECRET: &str = "follow_up_pepper";
pub const PEPPER_LEN: usize = 32;

const SALT: &[u8] = b"pis-gateway follow-up v1";
const IDENTITY_LABEL: &[u8] = b"pis-gateway follow-up age identity v1";
const LOOKUP_LABEL: &[u8] = b"pis-gateway follow-up lookup id v1";

/// Argon2id's cost: 19 MiB, two passes, one lane (OWASP's baseline). The code's 100 bits are
/// what make guessing hopeless; the KDF multiplies each guess's cost, and at these settings a
/// page still answers in well under a second (docs/src/public.md, "Follow-up codes", has the measurement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub memory_kib: u32,
    pub passes: u32,
}

impl Default for Cost {
    fn default() -> Self {
        Cost {
            memory_kib: 19 * 1024,
            passes: 2,
        }
    }
}

/// What a code stands for: the age identity that opens the submitter's messages, and the id
/// the spool finds the submission by.
pub struct Derived {
    identity: age::x25519::Identity,
    pub lookup_id: [u8; 32],
}

impl Derived {
    pub fn identity(&self) -> &age::x25519::Identity {
        &self.identity
    }

    pub fn recipient(&self) -> age::x25519::Recipient {
        self.identity.to_public()
    }

    /// What the spool keeps: the lookup id and the public key, never the code.
    pub fn key(&self) -> FollowUpKey {
        FollowUpKey {
            lookup_id: self.lookup_id,
            recipient: self.recipient().to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    #[error("the key derivation failed")]
    Kdf,
    #[error("the key derivation was interrupted")]
    Stopped,
}

/// Derives keys from codes, a few at a time (each derivation holds its memory cost).
#[derive(Clone)]
pub struct Deriver {
    pepper: Arc<Zeroizing<Vec<u8>>>,
    cost: Cost,
    slots: Arc<Semaphore>,
}

impl Deriver {
    pub fn new(pepper: Vec<u8>, cost: Cost, at_once: usize) -> Self {
        Deriver {
            pepper: Arc::new(Zeroizing::new(pepper)),
            cost,
            slots: Arc::new(Semaphore::new(at_once.max(1))),
        }
    }

    /// Derives off the async workers, waiting for a slot.
    pub async fn derive(&self, code: FollowUpCode) -> Result<Derived, DeriveError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| DeriveError::Stopped)?;
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.derive_now(&code))
            .await
            .map_err(|_| DeriveError::Stopped)?
    }

    /// Derives on this thread.
    pub fn derive_now(&self, code: &FollowUpCode) -> Result<Derived, DeriveError> {
        let params = Params::new(self.cost.memory_kib, self.cost.passes, 1, Some(32))
            .map_err(|_| DeriveError::Kdf)?;
        let argon =
            Argon2::new_with_secret(&self.pepper, Algorithm::Argon2id, Version::V0x13, params)
                .map_err(|_| DeriveError::Kdf)?;
        let mut master = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(code.as_bytes(), SALT, &mut master[..])
            .map_err(|_| DeriveError::Kdf)?;
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(&master[..]);
        let expand = |label: &[u8]| -> Result<Zeroizing<[u8; 32]>, DeriveError> {
            let mut out = Zeroizing::new([0u8; 32]);
            prk.expand(&[label], Len32)
                .and_then(|okm| okm.fill(&mut out[..]))
                .map_err(|_| DeriveError::Kdf)?;
            Ok(out)
        };
        let secret = expand(IDENTITY_LABEL)?;
        let lookup = expand(LOOKUP_LABEL)?;
        Ok(Derived {
            identity: identity_from(&secret)?,
            lookup_id: *lookup,
        })
    }
}

struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// The age X25519 identity whose secret scalar is these bytes (age clamps it as X25519 does),
/// through its bech32 text form, the one constructor age offers.
fn identity_from(secret: &[u8; 32]) -> Result<age::x25519::Identity, DeriveError> {
    let mut text = bech32::encode(
        "age-secret-key-",
        secret.to_base32(),
        bech32::Variant::Bech32,
    )
    .map_err(|_| DeriveError::Kdf)?;
    text.make_ascii_uppercase();
    let identity = age::x25519::Identity::from_str(&text).map_err(|_| DeriveError::Kdf);
    text.zeroize();
    identity
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small enough for tests; the shape is the same.
    fn quick(pepper: u8) -> Deriver {
        Deriver::new(
            vec![pepper; PEPPER_LEN],
            Cost {
                memory_kib: 64,
                passes: 1,
            },
            2,
        )
    }

    #[test]
    fn the_same_code_gives_the_same_keys_and_the_keys_differ_from_each_other() {
        let code = FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH12").expect("code");
        let a = quick(1).derive_now(&code).expect("derive");
        let b = quick(1)
            .derive_now(&FollowUpCode::parse("7kq2 m9xd albo cdef gh12").expect("code"))
            .expect("derive");
        assert_eq!(a.lookup_id, b.lookup_id);
        assert_eq!(a.recipient().to_string(), b.recipient().to_string());
        assert!(a.recipient().to_string().starts_with("age1"));
        // The lookup id is not the identity's secret or its public key.
        let public = a.recipient().to_string();
        assert!(!public.contains(&crate::spool::audit::to_hex(&a.lookup_id)));
    }

    #[test]
    fn another_code_or_another_deployment_gives_other_keys() {
        let code = FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH12").expect("code");
        let other = FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH13").expect("code");
        let a = quick(1).derive_now(&code).expect("derive");
        let b = quick(1).derive_now(&other).expect("derive");
        let c = quick(2).derive_now(&code).expect("derive");
        assert_ne!(a.lookup_id, b.lookup_id);
        assert_ne!(a.lookup_id, c.lookup_id);
        assert_ne!(a.recipient().to_string(), c.recipient().to_string());
    }

    #[test]
    fn what_is_sealed_to_the_derived_recipient_opens_with_the_derived_identity() {
        let code = FollowUpCode::generate();
        let d = quick(1).derive_now(&code).expect("derive");
        let recipient = d.recipient();
        let sealed = age::encrypt(&recipient, b"which flat?").expect("encrypt");
        assert_eq!(
            age::decrypt(d.identity(), &sealed).expect("decrypt"),
            b"which flat?"
        );
    }

    #[test]
    fn the_default_cost_is_argon2id_at_19_mib_and_two_passes() {
        assert_eq!(
            Cost::default(),
            Cost {
                memory_kib: 19_456,
                passes: 2
            }
        );
    }
}
