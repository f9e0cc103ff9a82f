//! Acknowledgement tokens: sent in one delivery's emails, stored only as a SHA-256 hash.
//!
//! A token is an HMAC of the delivery and the time it was issued, under a key the spool does not
//! hold: so a resend of the same delivery can carry the same live link again (the gateway
//! recomputes it) while a copy of the spool alone can produce none. Tokens expire after
//! `escalation.ack_token_days`.
//!
//! Two kinds of link go out. A route that holds a deadline for the submission's priority (police
//! intelligence, the control room, the escalation route, or a route given its own deadline)
//! gets an *acknowledgement*: it stops escalation. Any other inbox (a MACE locality) gets a
//! *confirm receipt* link: it records that the inbox has it, and stops nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use ring::{digest, hmac};

/// What using a token does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckKind {
    /// Someone in a route that holds a deadline has it in hand: escalation stops.
    Acknowledge,
    /// An inbox without a deadline confirms it received the delivery; escalation goes on.
    ConfirmReceipt,
}

impl AckKind {
    /// The name stored in the spool.
    pub fn as_str(&self) -> &'static str {
        match self {
            AckKind::Acknowledge => "acknowledge",
            AckKind::ConfirmReceipt => "receipt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "acknowledge" => Some(AckKind::Acknowledge),
            "receipt" => Some(AckKind::ConfirmReceipt),
            _ => None,
        }
    }
}

/// A token used once, and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Used {
    pub reference: String,
    pub route: String,
    pub kind: AckKind,
}

/// How long a token stays usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenPolicy {
    pub max_age_secs: i64,
}

impl TokenPolicy {
    pub fn from_days(days: u64) -> Self {
        TokenPolicy {
            max_age_secs: 86_400 * days as i64,
        }
    }

    /// The oldest issue time still accepted at `now`.
    pub fn issued_after(&self, now: i64) -> i64 {
        now - self.max_age_secs
    }
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy::from_days(14)
    }
}

/// The key tokens are derived under. Kept in memory only.
pub struct TokenKey(hmac::Key);

impl TokenKey {
    /// A key of its own for this process: resends within its lifetime reuse their token, and
    /// after a restart a resend issues a fresh one (the old one stays usable until it expires).
    pub fn random() -> Self {
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        TokenKey(hmac::Key::new(hmac::HMAC_SHA256, &raw))
    }

    /// A key derived from secret material held outside the spool (the signing key), so that
    /// tokens can be reproduced across restarts.
    pub fn derived_from(secret: &[u8]) -> Self {
        let k = hmac::Key::new(hmac::HMAC_SHA256, b"pis-gateway/ack-token-key/v1");
        TokenKey(hmac::Key::new(
            hmac::HMAC_SHA256,
            hmac::sign(&k, secret).as_ref(),
        ))
    }

    /// The token of one delivery issued at `issued_at`.
    pub fn token(&self, reference: &str, route: &str, issued_at: i64) -> String {
        let msg = format!("{reference}\n{route}\n{issued_at}");
        let tag = hmac::sign(&self.0, msg.as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }
}

/// A new random token and its hash (when a reproducible one cannot be used).
pub fn new_token() -> (String, [u8; 32]) {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    let hash = hash(&token);
    (token, hash)
}

pub fn hash(token: &str) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// A token as it can appear in a link: 43 URL-safe base64 characters. Anything else is not
/// looked up at all.
pub fn plausible(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_plausible_and_hash_consistently() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(plausible(&a));
        assert_eq!(hash(&a), ha);
        assert!(!plausible("short"));
        assert!(!plausible(&format!("{}!", &a[..42])));
    }

    #[test]
    fn derived_tokens_repeat_for_one_delivery_and_differ_otherwise() {
        let k = TokenKey::derived_from(b"secret");
        let t = k.token("PIS-AAAA-BBBB", "control_room", 100);
        assert!(plausible(&t));
        assert_eq!(
            t,
            TokenKey::derived_from(b"secret").token("PIS-AAAA-BBBB", "control_room", 100)
        );
        assert_ne!(t, k.token("PIS-AAAA-BBBB", "control_room", 101));
        assert_ne!(t, k.token("PIS-AAAA-BBBB", "police_intelligence", 100));
        assert_ne!(
            t,
            TokenKey::derived_from(b"other").token("PIS-AAAA-BBBB", "control_room", 100)
        );
        assert_ne!(
            t,
            TokenKey::random().token("PIS-AAAA-BBBB", "control_room", 100)
        );
    }
}
