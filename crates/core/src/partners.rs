//! Partner agencies (a council's case system, a health trust) submitting through the API with
//! their own bearer token. The token is 256 random bits, shown once when the partner is added;
//! the spool keeps only its SHA-256 hash. A request with no token is a public one; a request
//! with a token that is unknown, revoked or malformed is refused (401), never downgraded to
//! public.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// A partner's name: lower-case letters, digits, `-` and `_`, as it appears in the sealed
/// document and the metrics.
pub fn valid_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A new token and its hash.
pub fn new_token() -> (String, [u8; 32]) {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = format!("pisg_{}", URL_SAFE_NO_PAD.encode(raw));
    let hash = crate::ack::hash(&token);
    (token, hash)
}

/// What an `Authorization` header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// No header: a public submission.
    None,
    /// A token of the right shape, by its hash.
    Bearer([u8; 32]),
    /// A header that is not a usable bearer token.
    Malformed,
}

pub fn credential(header: Option<&[u8]>) -> Credential {
    let Some(value) = header else {
        return Credential::None;
    };
    let Some(text) = std::str::from_utf8(value).ok() else {
        return Credential::Malformed;
    };
    let Some((scheme, token)) = text.trim().split_once(' ') else {
        return Credential::Malformed;
    };
    let token = token.trim();
    let shaped = token.len() == 48
        && token.starts_with("pisg_")
        && token[5..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !scheme.eq_ignore_ascii_case("bearer") || !shaped {
        return Credential::Malformed;
    }
    Credential::Bearer(crate::ack::hash(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_headers_parse_strictly() {
        let (token, hash) = new_token();
        assert_eq!(token.len(), 48);
        assert_ne!(new_token().0, token);
        assert_eq!(
            credential(Some(format!("Bearer {token}").as_bytes())),
            Credential::Bearer(hash)
        );
        assert_eq!(
            credential(Some(format!("bearer  {token} ").as_bytes())),
            Credential::Bearer(hash)
        );
        assert_eq!(credential(None), Credential::None);
        for bad in [
            "Basic dXNlcjpwYXNz".to_string(),
            format!("Bearer {}", &token[..47]),
            format!("Bearer {token}x"),
            "Bearer".to_string(),
            format!("Token {token}"),
        ] {
            assert_eq!(
                credential(Some(bad.as_bytes())),
                Credential::Malformed,
                "{bad}"
            );
        }
        assert!(valid_name("nycc-childrens-social-care"));
        assert!(!valid_name("Bad Name"));
        assert!(!valid_name("x"));
    }
}
