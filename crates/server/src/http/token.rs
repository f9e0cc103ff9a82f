//! Form tokens: each form page carries one. It proves the page came from this gateway, when it
//! was issued and for which form, and its nonce makes a resubmission of the same page
//! recognisable, so it returns the original reference instead of a second copy.
//!
//! `base64url(version | issued_at | nonce | form id) . base64url(HMAC-SHA256)`, keyed by a secret
//! kept in the spool so tokens survive a restart. No server-side state per page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use ring::{digest, hmac};

const VERSION: u8 = 1;
const NONCE: usize = 16;
/// Clock skew tolerated between issue and check (tokens are checked by the same host, but a
/// clock step must not lock everyone out).
const SKEW_SECS: u64 = 120;

pub struct FormTokens {
    key: hmac::Key,
    max_age_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token this gateway issued: forged, altered, or for another form.
    Invalid,
    /// Genuine but too old (or from the future).
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// SHA-256 over the nonce and form: the key that makes resubmission idempotent.
    pub hash: [u8; 32],
    pub issued_at: u64,
}

impl FormTokens {
    pub fn new(secret: &[u8], max_age_secs: u64) -> Self {
        FormTokens {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            max_age_secs,
        }
    }

    pub fn issue(&self, form_id: &str, now: u64) -> String {
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut payload = Vec::with_capacity(1 + 8 + NONCE + form_id.len());
        payload.push(VERSION);
        payload.extend_from_slice(&now.to_be_bytes());
        payload.extend_from_slice(&nonce);
        payload.extend_from_slice(form_id.as_bytes());
        let tag = hmac::sign(&self.key, &payload);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    pub fn verify(&self, form_id: &str, token: &str, now: u64) -> Result<Verified, TokenError> {
        let (p, t) = token.split_once('.').ok_or(TokenError::Invalid)?;
        if p.len() > 512 || t.len() > 64 {
            return Err(TokenError::Invalid);
        }
        let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| TokenError::Invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(t).map_err(|_| TokenError::Invalid)?;
        hmac::verify(&self.key, &payload, &tag).map_err(|_| TokenError::Invalid)?;
        if payload.len() < 1 + 8 + NONCE || payload[0] != VERSION {
            return Err(TokenError::Invalid);
        }
        if &payload[1 + 8 + NONCE..] != form_id.as_bytes() {
            return Err(TokenError::Invalid);
        }
        let mut issued = [0u8; 8];
        issued.copy_from_slice(&payload[1..9]);
        let issued_at = u64::from_be_bytes(issued);
        if issued_at > now + SKEW_SECS || now.saturating_sub(issued_at) > self.max_age_secs {
            return Err(TokenError::Expired);
        }
        let d = digest::digest(&digest::SHA256, &payload[9..]);
        let mut hash = [0u8; 32];
        hash.copy_from_slice(d.as_ref());
        Ok(Verified { hash, issued_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens() -> FormTokens {
        FormTokens::new(&[9u8; 32], 3600)
    }

    #[test]
    fn a_token_verifies_for_its_own_form_only() {
        let t = tokens();
        let tok = t.issue("community", 1_000_000);
        let v = t.verify("community", &tok, 1_000_100).expect("valid");
        assert_eq!(v.issued_at, 1_000_000);
        assert_eq!(
            t.verify("professional", &tok, 1_000_100),
            Err(TokenError::Invalid)
        );
        assert_ne!(t.issue("community", 1_000_000), tok, "nonces differ");
    }

    #[test]
    fn old_and_future_tokens_are_expired() {
        let t = tokens();
        let tok = t.issue("community", 1_000_000);
        assert_eq!(
            t.verify("community", &tok, 1_003_601),
            Err(TokenError::Expired)
        );
        assert_eq!(
            t.verify("community", &tok, 999_000),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn altered_tokens_and_other_keys_are_refused() {
        let t = tokens();
        let tok = t.issue("community", 1_000_000);
        let mut chars: Vec<char> = tok.chars().collect();
        chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
        let altered: String = chars.into_iter().collect();
        assert_eq!(
            t.verify("community", &altered, 1_000_000),
            Err(TokenError::Invalid)
        );
        let other = FormTokens::new(&[8u8; 32], 3600);
        assert_eq!(
            other.verify("community", &tok, 1_000_000),
            Err(TokenError::Invalid)
        );
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_verify_or_panic(s in "\\PC{0,200}") {
            prop_assert!(tokens().verify("community", &s, 1_000_000).is_err());
        }
    }
}
