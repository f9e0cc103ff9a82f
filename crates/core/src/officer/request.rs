//! The canonical form of an officer's request, and the `Authorization` header that carries its
//! signature.
//!
//! The signed bytes are these lines, joined by `\n`:
//!
//! ```text
//! pis-gateway/officer-request/v2
//! <METHOD>
//! <host: the gateway's host name, lower-case, no port>
//! <path>
//! <query string as sent, empty when there is none>
//! <SHA-256 of the body, lower-case hex>
//! <timestamp: Unix seconds>
//! <nonce: 16 random bytes, lower-case hex>
//! <officer key id>
//! ```
//!
//! and the header is
//! `Authorization: PISG-Ed25519 key=<key id>,host=<host>,ts=<timestamp>,nonce=<hex>,sig=<base64>`.
//! The key id is [`PublicKey::id`], as the route directory lists it. Nothing in a line can hold
//! a newline (the path and query are what the request line carried, the host is checked to be
//! a host name), so the lines cannot be shifted into one another.
//!
//! The host names the gateway a request is for, so a request to one deployment cannot be
//! replayed at another that lists the same officer key. Version 1 signed no host; a header
//! without `host=` is refused (`host_not_signed`) rather than read the old way.

use crate::signing::{PublicKey, SigningKey};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The `Authorization` scheme of a signed officer request.
pub const SCHEME: &str = "PISG-Ed25519";
const CONTEXT: &str = "pis-gateway/officer-request/v2";

/// What a request is, as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// The gateway's host name, as [`host_of`] gives it.
    pub host: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub body: &'a [u8],
}

/// The signature fields of an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub key_id: String,
    /// The host the request was signed for; `None` from a client that signs no host (v1).
    pub host: Option<String>,
    pub timestamp: i64,
    pub nonce: [u8; 16],
    pub value: Vec<u8>,
}

/// The host name of a gateway URL (`https://Host[:port]`, no path), lower-case and without the
/// port: what an officer signs and what the gateway checks against its `server.public_url`.
/// `None` for anything else.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .trim_end_matches('/')
        .strip_prefix("https://")
        .or_else(|| url.trim().strip_prefix("http://"))?;
    let authority = rest.split('/').next()?;
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host);
    is_host(host).then(|| host.to_ascii_lowercase())
}

/// A DNS name or IPv4 address: letters, digits, `.` and `-`, at most 253 of them.
fn is_host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex16(s: &str) -> Option<[u8; 16]> {
    if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The bytes an officer signs.
pub fn canonical(
    parts: &RequestParts<'_>,
    key_id: &str,
    timestamp: i64,
    nonce: &[u8; 16],
) -> Vec<u8> {
    let body = ring::digest::digest(&ring::digest::SHA256, parts.body);
    [
        CONTEXT,
        &parts.method.to_ascii_uppercase(),
        &parts.host.to_ascii_lowercase(),
        parts.path,
        parts.query,
        &hex(body.as_ref()),
        &timestamp.to_string(),
        &hex(nonce),
        key_id,
    ]
    .join("\n")
    .into_bytes()
}

/// Signs a request with a fresh nonce; returns the `Authorization` header's value.
pub fn authorization(key: &SigningKey, parts: &RequestParts<'_>, timestamp: i64) -> String {
    use ring::rand::SecureRandom;
    let mut nonce = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut nonce)
        .expect("the system random source is available");
    let key_id = key.public().id();
    let value = key.sign(&canonical(parts, &key_id, timestamp, &nonce));
    format!(
        "{SCHEME} key={key_id},host={},ts={timestamp},nonce={},sig={}",
        parts.host.to_ascii_lowercase(),
        hex(&nonce),
        STANDARD.encode(value)
    )
}

impl Signature {
    /// Reads the header's value; `None` for anything but the four fields and `host`, once
    /// each (a missing `host` is read as `None`, for the gateway to refuse by name).
    pub fn parse(header: &str) -> Option<Self> {
        let rest = header.trim().strip_prefix(SCHEME)?.strip_prefix(' ')?;
        let (mut key_id, mut timestamp, mut nonce, mut value) = (None, None, None, None);
        let mut host = None;
        for field in rest.split(',') {
            let (name, v) = field.trim().split_once('=')?;
            let slot_taken = match name {
                "key" => key_id.replace(v.to_string()).is_some(),
                "host" if is_host(v) => host.replace(v.to_ascii_lowercase()).is_some(),
                "ts" => timestamp.replace(v.parse::<i64>().ok()?).is_some(),
                "nonce" => nonce.replace(unhex16(v)?).is_some(),
                // base64 itself may end in `=`: split_once took only the first.
                "sig" => value.replace(STANDARD.decode(v).ok()?).is_some(),
                _ => return None,
            };
            if slot_taken {
                return None;
            }
        }
        let key_id: String = key_id?;
        if key_id.len() != 16 || !key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Signature {
            key_id,
            host,
            timestamp: timestamp?,
            nonce: nonce?,
            value: value?,
        })
    }

    /// Whether `key` made this signature over `parts` (`parts.host` is what is checked, not
    /// the header's `host`).
    pub fn verifies(&self, key: &PublicKey, parts: &RequestParts<'_>) -> bool {
        key.id() == self.key_id
            && key.verify(
                &canonical(parts, &self.key_id, self.timestamp, &self.nonce),
                &self.value,
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(body: &[u8]) -> RequestParts<'_> {
        RequestParts {
            method: "POST",
            host: "pis.example.org",
            path: "/api/v1/officer/reply",
            query: "",
            body,
        }
    }

    #[test]
    fn a_signed_request_verifies_and_any_change_to_what_was_signed_breaks_it() {
        let key = SigningKey::generate();
        let header = authorization(&key, &parts(b"{}"), 1_800_000_000);
        let sig = Signature::parse(&header).expect("parses");
        assert_eq!(sig.key_id, key.public().id());
        assert_eq!(sig.timestamp, 1_800_000_000);
        assert!(sig.verifies(key.public(), &parts(b"{}")));
        assert!(!sig.verifies(key.public(), &parts(b"{ }")), "body");
        let mut other = parts(b"{}");
        other.path = "/api/v1/officer/status";
        assert!(!sig.verifies(key.public(), &other), "path");
        other = parts(b"{}");
        other.query = "reference=PIS-AAAA-AAAA";
        assert!(!sig.verifies(key.public(), &other), "query");
        other = parts(b"{}");
        other.method = "GET";
        assert!(!sig.verifies(key.public(), &other), "method");
        other = parts(b"{}");
        other.host = "pis.other-force.example";
        assert!(!sig.verifies(key.public(), &other), "host");
        assert_eq!(sig.host.as_deref(), Some("pis.example.org"));
        let mut moved = sig.clone();
        moved.timestamp += 1;
        assert!(!moved.verifies(key.public(), &parts(b"{}")), "timestamp");
        let mut renonced = sig.clone();
        renonced.nonce[0] ^= 1;
        assert!(!renonced.verifies(key.public(), &parts(b"{}")), "nonce");
        let stranger = SigningKey::generate();
        assert!(!sig.verifies(stranger.public(), &parts(b"{}")), "other key");
        // Two requests never share a nonce.
        let again =
            Signature::parse(&authorization(&key, &parts(b"{}"), 1_800_000_000)).expect("parses");
        assert_ne!(again.nonce, sig.nonce);
    }

    #[test]
    fn malformed_headers_are_refused_rather_than_guessed() {
        let key = SigningKey::generate();
        let good = authorization(&key, &parts(b""), 5);
        assert!(Signature::parse(&good).is_some());
        let sig = good.rsplit_once("sig=").expect("sig").1;
        let nonce = "00112233445566778899aabbccddeeff";
        let id = key.public().id();
        for (why, header) in [
            ("bearer", "Bearer abc".to_string()),
            ("no fields", SCHEME.to_string()),
            (
                "missing sig",
                format!("{SCHEME} key={id},ts=5,nonce={nonce}"),
            ),
            (
                "field twice",
                format!("{SCHEME} key={id},key={id},ts=5,nonce={nonce},sig={sig}"),
            ),
            (
                "unknown field",
                format!("{SCHEME} key={id},ts=5,nonce={nonce},sig={sig},x=1"),
            ),
            (
                "short nonce",
                format!("{SCHEME} key={id},ts=5,nonce=0011,sig={sig}"),
            ),
            (
                "bad ts",
                format!("{SCHEME} key={id},ts=soon,nonce={nonce},sig={sig}"),
            ),
            (
                "bad key id",
                format!("{SCHEME} key=zz{id},ts=5,nonce={nonce},sig={sig}"),
            ),
            (
                "bad base64",
                format!("{SCHEME} key={id},ts=5,nonce={nonce},sig=!!"),
            ),
            (
                "host twice",
                format!("{SCHEME} key={id},host=a,host=b,ts=5,nonce={nonce},sig={sig}"),
            ),
            (
                "host with a newline",
                format!("{SCHEME} key={id},host=a\nb,ts=5,nonce={nonce},sig={sig}"),
            ),
        ] {
            assert!(Signature::parse(&header).is_none(), "{why}");
        }
        // A version 1 header (no host) is read, so the gateway can refuse it by name.
        let v1 = format!("{SCHEME} key={id},ts=5,nonce={nonce},sig={sig}");
        assert_eq!(Signature::parse(&v1).map(|s| s.host), Some(None));
    }

    #[test]
    fn the_signed_host_is_the_gateway_urls_host_name_in_lower_case_without_port() {
        for (url, host) in [
            ("https://PIS.Example.org", Some("pis.example.org")),
            ("https://pis.example.org:8443/", Some("pis.example.org")),
            ("https://localhost:8443", Some("localhost")),
            ("https://10.0.0.7", Some("10.0.0.7")),
            ("http://plain.example", Some("plain.example")),
            ("https://user@pis.example.org", None),
            ("https://", None),
            ("ftp://pis.example.org", None),
        ] {
            assert_eq!(host_of(url).as_deref(), host, "{url}");
        }
    }
}
