//! The gateway's Ed25519 signature on what it seals, and on the audit chain's head.
//!
//! age does not authenticate the sender: a route's recipients are public, so anyone can seal a
//! document to an inbox. The gateway therefore signs every canonical document before sealing it,
//! with a key kept outside the spool (`server.signing_key`), and `open` and `map` check the
//! signature against the gateway's published keys.
//!
//! Format (see the README): the signature travels inside the document as
//!
//! ```text
//! "signature": {"alg": "Ed25519", "key_id": "<16 hex>", "value": "<base64>"}
//! ```
//!
//! where `value` is the Ed25519 signature of the document's canonical JSON *without* its
//! `signature` member: keys sorted, no insignificant whitespace, strings escaped as RFC 8785
//! (JCS) does (the documents hold only ASCII keys, strings, integers, arrays and objects, for
//! which that is exactly serde_json's compact output). `key_id` is the first 8 bytes of the
//! SHA-256 of the 32-byte public key, in hex. The decrypted document stays plain JSON, so
//! `age -d` output is still read directly by `jq` and other tools.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde_json::{Map, Value};
use std::path::Path;
use zeroize::Zeroizing;

pub const ALG: &str = "Ed25519";
/// The member of a signed document that holds its signature.
pub const FIELD: &str = "signature";

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("{0} already exists; refusing to overwrite a signing key")]
    Exists(String),
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is not an Ed25519 private key in PKCS#8 PEM")]
    NotAKey(String),
    #[error("not an Ed25519 public key: {0}")]
    NotAPublicKey(String),
}

impl From<crate::keyfile::KeyFileError> for SigningError {
    fn from(e: crate::keyfile::KeyFileError) -> Self {
        match e {
            crate::keyfile::KeyFileError::Exists(path) => SigningError::Exists(path),
            crate::keyfile::KeyFileError::Io { path, source } => SigningError::Io { path, source },
        }
    }
}

/// An Ed25519 public key, as published.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// The base64 of the 32-byte key (the form printed and published).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_prefix("ed25519:").unwrap_or(s);
        let bytes = STANDARD.decode(s).ok()?;
        Some(PublicKey(bytes.try_into().ok()?))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// First 8 bytes of SHA-256 of the key, in hex.
    pub fn id(&self) -> String {
        let d = ring::digest::digest(&ring::digest::SHA256, &self.0);
        d.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

/// The gateway's signing key. Holds a private key: no Debug of its contents.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    public: PublicKey,
    /// The PKCS#8 document, kept to derive other keys from (acknowledgement tokens).
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public.id())
    }
}

fn from_pkcs8(der: &[u8]) -> Option<SigningKey> {
    // OpenSSL writes PKCS#8 v1 (no public key inside); ring's own files are v2.
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).ok()?;
    let public = PublicKey(pair.public_key().as_ref().try_into().ok()?);
    Some(SigningKey {
        pair,
        public,
        pkcs8: Zeroizing::new(der.to_vec()),
    })
}

fn pem(der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = Zeroizing::new(String::from("-----BEGIN PRIVATE KEY-----\n"));
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END PRIVATE KEY-----\n");
    out
}

impl SigningKey {
    /// A fresh key held only in memory (tests, benchmarks).
    pub fn generate() -> Self {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .expect("the system random source is available");
        from_pkcs8(doc.as_ref()).expect("ring reads the PKCS#8 document it just wrote")
    }

    /// Reads a PKCS#8 PEM private key (as `keygen --signing` or `openssl genpkey -algorithm
    /// ed25519` writes it).
    pub fn load(path: &Path) -> Result<Self, SigningError> {
        use rustls_pki_types::pem::PemObject;
        let shown = path.display().to_string();
        let text = Zeroizing::new(std::fs::read(path).map_err(|source| SigningError::Io {
            path: shown.clone(),
            source,
        })?);
        let key = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(&text)
            .map_err(|_| SigningError::NotAKey(shown.clone()))?;
        from_pkcs8(key.secret_pkcs8_der()).ok_or(SigningError::NotAKey(shown))
    }

    /// Writes a new key to `path` (mode 0600, never over an existing file) and returns its
    /// public key.
    pub fn create(path: &Path) -> Result<PublicKey, SigningError> {
        let key = SigningKey::generate();
        crate::keyfile::write_new(path, pem(&key.pkcs8).as_bytes())?;
        Ok(key.public)
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }

    /// Secret material from which keys for other purposes are derived (never used directly).
    pub fn derivation_secret(&self) -> &[u8] {
        &self.pkcs8
    }

    /// Signs a document (an object without a `signature` member) and returns its canonical
    /// bytes with the signature inside.
    pub fn sign_document(&self, mut doc: Map<String, Value>) -> Zeroizing<Vec<u8>> {
        doc.remove(FIELD);
        let signature = self.sign(&canonical(&doc));
        doc.insert(
            FIELD.into(),
            serde_json::json!({
                "alg": ALG,
                "key_id": self.public.id(),
                "value": STANDARD.encode(signature),
            }),
        );
        canonical(&doc)
    }
}

/// The canonical bytes of a JSON value: serde_json's compact output with sorted keys.
fn canonical(value: &Map<String, Value>) -> Zeroizing<Vec<u8>> {
    // Serialising a Value built from strings, integers, arrays and objects cannot fail.
    Zeroizing::new(serde_json::to_vec(value).expect("a JSON value serialises"))
}

/// The canonical bytes of a signed document without its signature, as `canonical` gives them
/// for the document with the signature removed, from a borrowed view: no copy of the document
/// is made (`map` checks a hundred thousand of them).
fn canonical_unsigned(doc: &Map<String, Value>) -> Zeroizing<Vec<u8>> {
    struct Unsigned<'a>(&'a Map<String, Value>);
    impl serde::Serialize for Unsigned<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            // The same entries in the same (sorted) order as the map itself serialises them.
            s.collect_map(self.0.iter().filter(|(k, _)| k.as_str() != FIELD))
        }
    }
    Zeroizing::new(serde_json::to_vec(&Unsigned(doc)).expect("a JSON value serialises"))
}

/// The public keys a reader trusts.
#[derive(Debug, Clone, Default)]
pub struct Keyring(pub Vec<PublicKey>);

impl Keyring {
    /// Reads keys from a file: the JSON published at `/.well-known/pis-gateway/signing-keys`,
    /// or one base64 public key per line (`#` starts a comment), as `check-config` and
    /// `keygen --signing` print them.
    pub fn read(path: &Path) -> Result<Self, SigningError> {
        let text = std::fs::read_to_string(path).map_err(|source| SigningError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, SigningError> {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            let keys = v["keys"]
                .as_array()
                .ok_or_else(|| SigningError::NotAPublicKey("a JSON file without keys".into()))?;
            return keys
                .iter()
                .map(|k| {
                    k["public_key"]
                        .as_str()
                        .and_then(PublicKey::parse)
                        .ok_or_else(|| SigningError::NotAPublicKey("an entry of keys".into()))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Keyring);
        }
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            // `check-config` prints "signing key <id> <base64>"; take the last word.
            let word = line.split_whitespace().last().unwrap_or(line);
            keys.push(
                PublicKey::parse(word)
                    .ok_or_else(|| SigningError::NotAPublicKey(format!("line {}", i + 1)))?,
            );
        }
        if keys.is_empty() {
            return Err(SigningError::NotAPublicKey("no key in the file".into()));
        }
        Ok(Keyring(keys))
    }

    pub fn get(&self, id: &str) -> Option<&PublicKey> {
        self.0.iter().find(|k| k.id() == id)
    }
}

/// Why a document's signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not signed by the gateway")]
    Unsigned,
    #[error("signed with key {0}, which is not among the trusted signing keys")]
    UnknownKey(String),
    #[error("the gateway's signature does not match: the document was altered or forged")]
    BadSignature,
}

/// A document's signature taken apart, ready to be checked: which key, over which bytes.
pub struct Signed {
    /// The key's place in the keyring it was prepared with.
    key: usize,
    /// The canonical bytes of the document without its signature (plaintext, so zeroised).
    message: Zeroizing<Vec<u8>>,
    /// The signature as decoded (of any length: a wrong one is refused by the check).
    signature: Vec<u8>,
}

/// Finds a document's signature and the trusted key it names. The errors come in the order
/// `verify_document` has always reported them.
fn prepare(doc: &Value, ids: &[String]) -> Result<Signed, VerifyError> {
    let Some(obj) = doc.as_object() else {
        return Err(VerifyError::Unsigned);
    };
    let Some(sig) = obj.get(FIELD).and_then(Value::as_object) else {
        return Err(VerifyError::Unsigned);
    };
    if sig.get("alg").and_then(Value::as_str) != Some(ALG) {
        return Err(VerifyError::BadSignature);
    }
    let id = sig.get("key_id").and_then(Value::as_str).unwrap_or("");
    let Some(key) = ids.iter().position(|k| k == id) else {
        return Err(VerifyError::UnknownKey(id.chars().take(16).collect()));
    };
    let signature = sig
        .get("value")
        .and_then(Value::as_str)
        .and_then(|v| STANDARD.decode(v).ok())
        .ok_or(VerifyError::BadSignature)?;
    Ok(Signed {
        key,
        message: canonical_unsigned(obj),
        signature,
    })
}

/// Checks a decrypted document's signature; returns the id of the key that signed it.
pub fn verify_document(doc: &Value, keys: &Keyring) -> Result<String, VerifyError> {
    let ids: Vec<String> = keys.0.iter().map(PublicKey::id).collect();
    let signed = prepare(doc, &ids)?;
    if keys.0[signed.key].verify(&signed.message, &signed.signature) {
        Ok(ids[signed.key].clone())
    } else {
        Err(VerifyError::BadSignature)
    }
}

/// The trusted keys made ready for checking many documents (`map` checks a hundred thousand):
/// each key's id computed once, and the signatures checked many at a time.
///
/// Batches use ed25519-dalek's batch verification, about twice as fast per signature as one
/// check at a time, but only as a fast way to *accept*: whatever a batch does not accept
/// is checked again one by one with ring, exactly as `verify_document` checks it, so every
/// refusal, and the name of every refused document, is ring's. For a batch's acceptance to
/// imply ring's, only signatures on which the two checks agree go into a batch:
/// - the key is a canonical encoding of a point of prime order (checked once per key), so
///   `[s]B - [k]A` lies in the prime-order group;
/// - `R` is a canonical encoding (ring compares `R`'s bytes with the encoding of
///   `[s]B - [k]A`, and a non-canonical `R` never matches) and not of small order (as
///   `verify_strict` refuses).
///
/// Then a batch that holds shows, but for a chance of 2^-128, that each `[s]B - [k]A - R` is
/// a point of small order; with the key and `R` as above that point is the identity, which is
/// ring's equation, except when `R` itself has a small-order component. Making such a
/// signature (and one whose batch coefficients cancel it) takes the private signing key,
/// which can sign any document properly anyway.
pub struct Checker {
    keys: Vec<PublicKey>,
    ids: Vec<String>,
    /// The key as a point, where it may go into a batch.
    points: Vec<Option<ed25519_dalek::VerifyingKey>>,
    /// Every encoding of a point of small order (with `y` canonical): the eight points, and
    /// the second encoding of the two whose `x` is 0.
    small_order: Vec<[u8; 32]>,
}

impl Checker {
    pub fn new(keys: &Keyring) -> Self {
        let points = keys
            .0
            .iter()
            .map(|k| {
                let point = ed25519_dalek::VerifyingKey::from_bytes(&k.0).ok()?;
                let edwards = point.to_edwards();
                (edwards.compress().as_bytes() == &k.0
                    && !edwards.is_small_order()
                    && edwards.is_torsion_free())
                .then_some(point)
            })
            .collect();
        let mut small_order = Vec::new();
        for t in curve25519_dalek::constants::EIGHT_TORSION {
            let canonical = t.compress().to_bytes();
            let mut other = canonical;
            other[31] ^= 0x80;
            small_order.push(canonical);
            if curve25519_dalek::edwards::CompressedEdwardsY(other).decompress() == Some(t) {
                small_order.push(other);
            }
        }
        Checker {
            keys: keys.0.clone(),
            ids: keys.0.iter().map(PublicKey::id).collect(),
            points,
            small_order,
        }
    }

    /// Takes a document's signature apart (no cryptography yet).
    pub fn prepare(&self, doc: &Value) -> Result<Signed, VerifyError> {
        prepare(doc, &self.ids)
    }

    /// One signature, checked by ring (as `verify_document` checks it).
    fn check_one(&self, s: &Signed) -> Result<(), VerifyError> {
        if self.keys[s.key].verify(&s.message, &s.signature) {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        }
    }

    /// The parts of a signature that may go into a batch, if it may.
    fn batchable(
        &self,
        s: &Signed,
    ) -> Option<(ed25519_dalek::VerifyingKey, ed25519_dalek::Signature)> {
        let key = self.points[s.key]?;
        let bytes: &[u8; 64] = s.signature.as_slice().try_into().ok()?;
        let r: [u8; 32] = bytes[..32].try_into().ok()?;
        // An R that is no point at all fails the batch, and ring then refuses it.
        (canonical_y(&r) && !self.small_order.contains(&r))
            .then(|| (key, ed25519_dalek::Signature::from_bytes(bytes)))
    }

    /// Checks every signature; the answers are in the order given, each as ring's
    /// one-by-one check would give it.
    pub fn check_all(&self, all: &[&Signed]) -> Vec<Result<(), VerifyError>> {
        let mut answers: Vec<Option<Result<(), VerifyError>>> = vec![None; all.len()];
        let mut at = Vec::new();
        let mut messages = Vec::new();
        let mut signatures = Vec::new();
        let mut keys = Vec::new();
        for (i, s) in all.iter().enumerate() {
            if let Some((key, signature)) = self.batchable(s) {
                at.push(i);
                messages.push(s.message.as_slice());
                signatures.push(signature);
                keys.push(key);
            }
        }
        if !at.is_empty() && ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
            for i in at {
                answers[i] = Some(Ok(()));
            }
        }
        answers
            .into_iter()
            .zip(all)
            .map(|(answer, s)| answer.unwrap_or_else(|| self.check_one(s)))
            .collect()
    }
}

/// Whether the 255 bits of `y` (the top bit is `x`'s sign) are below p = 2^255 - 19, so this
/// is the one encoding of its point. (A point whose `x` is 0 has a second encoding with the
/// sign bit set; both such points have small order, refused separately.)
fn canonical_y(y: &[u8; 32]) -> bool {
    !(y[31] & 0x7f == 0x7f && y[1..31].iter().all(|b| *b == 0xff) && y[0] >= 0xed)
}

/// The audit chain's head as the gateway logs it, signed: whoever can rewrite the spool cannot
/// also produce a head the gateway signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    pub seq: i64,
    pub hash: Vec<u8>,
    pub key_id: String,
    pub signature: Vec<u8>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn head_message(seq: i64, hash: &[u8]) -> Vec<u8> {
    format!("pis-gateway/audit-head/v1\n{seq}\n{}", hex(hash)).into_bytes()
}

impl SignedHead {
    pub fn sign(key: &SigningKey, seq: i64, hash: &[u8]) -> Self {
        SignedHead {
            seq,
            hash: hash.to_vec(),
            key_id: key.public().id(),
            signature: key.sign(&head_message(seq, hash)),
        }
    }

    pub fn hash_hex(&self) -> String {
        hex(&self.hash)
    }

    pub fn signature_base64(&self) -> String {
        STANDARD.encode(&self.signature)
    }

    /// The fields of a logged line: `seq=N hash=H key=ID sig=S` anywhere in it (the plain log),
    /// or the same names as JSON fields (at the top level or under `fields`).
    pub fn parse(line: &str) -> Option<Self> {
        let json: Option<Value> = line
            .find('{')
            .and_then(|i| serde_json::from_str(&line[i..]).ok());
        let get = |k: &str| -> Option<String> {
            let v = json.as_ref()?;
            let f = v.get("fields").filter(|f| f.get(k).is_some()).unwrap_or(v);
            match f.get(k)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let words: Vec<(String, String)> = line
            .split_whitespace()
            .filter_map(|w| {
                let (k, v) = w.split_once('=')?;
                Some((k.to_string(), v.trim_matches('"').to_string()))
            })
            .collect();
        let field = |k: &str| {
            get(k).or_else(|| {
                words
                    .iter()
                    .rev()
                    .find(|(wk, _)| wk == k)
                    .map(|(_, v)| v.clone())
            })
        };
        Some(SignedHead {
            seq: field("seq")?.parse().ok()?,
            hash: unhex(&field("hash")?)?,
            key_id: field("key")?,
            signature: STANDARD.decode(field("sig")?).ok()?,
        })
    }

    pub fn verify(&self, keys: &Keyring) -> Result<(), VerifyError> {
        let key = keys
            .get(&self.key_id)
            .ok_or_else(|| VerifyError::UnknownKey(self.key_id.chars().take(16).collect()))?;
        if key.verify(&head_message(self.seq, &self.hash), &self.signature) {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_y_refuses_exactly_the_values_from_p_up() {
        let mut p = [0xff; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(!canonical_y(&p));
        let mut below = p;
        below[0] = 0xec;
        assert!(canonical_y(&below));
        assert!(!canonical_y(&[0xff; 32]), "the sign bit is not part of y");
        let mut signed_zero = [0u8; 32];
        signed_zero[31] = 0x80;
        assert!(canonical_y(&signed_zero));
    }

    #[test]
    fn the_borrowed_unsigned_view_gives_the_bytes_of_the_document_without_its_signature() {
        for doc in [
            json!({"signature": {"alg": ALG}}),
            json!({"a": 1, "signature": {"v": "x"}, "z": {"signature": "nested stays"}}),
            json!({"answers": {"people": [{"forename": "Jay \u{2028} <b>"}]}, "reference": "PIS-0000-0001"}),
        ] {
            let obj = doc.as_object().unwrap();
            let mut unsigned = obj.clone();
            unsigned.remove(FIELD);
            assert_eq!(*canonical_unsigned(obj), *canonical(&unsigned));
        }
    }

    fn doc() -> Map<String, Value> {
        json!({"schema": "s", "reference": "PIS-AAAA-BBBB", "form_version": 1,
               "answers": {"z": "é \u{2028} \" \n", "a": ["1", {"b": "c"}]}})
        .as_object()
        .cloned()
        .expect("object")
    }

    #[test]
    fn a_signed_document_verifies_and_any_change_breaks_it() {
        let key = SigningKey::generate();
        let ring = Keyring(vec![key.public().clone()]);
        let bytes = key.sign_document(doc());
        let parsed: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(verify_document(&parsed, &ring), Ok(key.public().id()));
        assert_eq!(parsed["answers"]["a"][0], "1", "still plain JSON");

        let mut altered = parsed.clone();
        altered["answers"]["a"][0] = json!("2");
        assert_eq!(
            verify_document(&altered, &ring),
            Err(VerifyError::BadSignature)
        );
        let mut unsigned = parsed.clone();
        unsigned.as_object_mut().expect("object").remove(FIELD);
        assert_eq!(
            verify_document(&unsigned, &ring),
            Err(VerifyError::Unsigned)
        );
        let other = SigningKey::generate();
        let forged: Value = serde_json::from_slice(&other.sign_document(doc())).expect("json");
        assert!(matches!(
            verify_document(&forged, &ring),
            Err(VerifyError::UnknownKey(_))
        ));
        // A forger who copies the real key id still fails.
        let mut relabelled = forged.clone();
        relabelled[FIELD]["key_id"] = json!(key.public().id());
        assert_eq!(
            verify_document(&relabelled, &ring),
            Err(VerifyError::BadSignature)
        );
    }

    /// s + ℓ: the same signature with a non-canonical s, which ring refuses.
    fn plus_order(sig: &[u8]) -> Vec<u8> {
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut out = sig.to_vec();
        let mut carry = 0u16;
        for (i, l) in L.iter().enumerate() {
            let sum = u16::from(out[32 + i]) + u16::from(*l) + carry;
            out[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        out
    }

    #[test]
    fn checking_in_batches_gives_rings_answer_for_every_document_in_its_place() {
        let (a, b) = (SigningKey::generate(), SigningKey::generate());
        let keys = Keyring(vec![a.public().clone(), b.public().clone()]);
        let checker = Checker::new(&keys);
        let docs: Vec<Value> = (0..150)
            .map(|i| {
                let mut d = doc();
                d.insert("reference".into(), json!(format!("PIS-0000-{i:04}")));
                let key = if i % 3 == 0 { &b } else { &a };
                serde_json::from_slice(&key.sign_document(d)).expect("json")
            })
            .collect();
        let mut prepared: Vec<Signed> = docs
            .iter()
            .map(|d| checker.prepare(d).expect("signed"))
            .collect();
        // Wrong in different ways, at a batch's first and last places and in between.
        prepared[0].message.push(b' ');
        prepared[17].signature[3] ^= 1;
        prepared[63].signature = plus_order(&prepared[63].signature);
        prepared[64].signature.truncate(63);
        prepared[100].key = 1 - prepared[100].key;
        // R of small order (the identity) with s = 0.
        prepared[149].signature = [[1u8].as_slice(), &[0; 63]].concat();
        let bad = [0, 17, 63, 64, 100, 149];
        let ring_says: Vec<bool> = prepared
            .iter()
            .map(|p| keys.0[p.key].verify(&p.message, &p.signature))
            .collect();
        for (i, ok) in ring_says.iter().enumerate() {
            assert_eq!(*ok, !bad.contains(&i), "document {i}");
        }
        for run in [
            &prepared[..],
            &prepared[..64],
            &prepared[60..70],
            &prepared[1..17],
        ] {
            let all: Vec<&Signed> = run.iter().collect();
            let got = checker.check_all(&all);
            let want: Vec<Result<(), VerifyError>> = run
                .iter()
                .map(|p| {
                    if keys.0[p.key].verify(&p.message, &p.signature) {
                        Ok(())
                    } else {
                        Err(VerifyError::BadSignature)
                    }
                })
                .collect();
            assert_eq!(got, want);
        }
        // Valid ones all go through the batch path, and are accepted.
        assert!(prepared[1..17]
            .iter()
            .all(|p| checker.batchable(p).is_some()));
        assert!(checker.batchable(&prepared[149]).is_none(), "small-order R");
        // The same answers as verify_document, document by document.
        assert_eq!(checker.prepare(&docs[5]).map(|_| ()), Ok(()));
        assert_eq!(
            verify_document(&docs[5], &keys),
            Ok(a.public().id()),
            "unchanged"
        );
    }

    #[test]
    fn the_small_order_encodings_are_exactly_those_that_decode_to_small_order_points() {
        let checker = Checker::new(&Keyring(vec![]));
        assert_eq!(checker.small_order.len(), 10);
        for r in &checker.small_order {
            let p = curve25519_dalek::edwards::CompressedEdwardsY(*r)
                .decompress()
                .expect("a point");
            assert!(p.is_small_order() && canonical_y(r));
        }
        // And a valid signature's R is not among them.
        let key = SigningKey::generate();
        let sig = key.sign(b"m");
        assert!(!checker.small_order.iter().any(|r| r[..] == sig[..32]));
    }

    #[test]
    fn a_trusted_key_of_small_order_is_never_checked_in_a_batch() {
        // The identity point's encoding: a "key" ring checks one signature at a time.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        let checker = Checker::new(&Keyring(vec![PublicKey(weak)]));
        assert!(checker.points[0].is_none());
        let sig = Signed {
            key: 0,
            message: Zeroizing::new(b"m".to_vec()),
            signature: [[1u8].as_slice(), &[0; 63]].concat(),
        };
        assert!(checker.batchable(&sig).is_none());
        assert_eq!(
            checker.check_all(&[&sig]),
            vec![if PublicKey(weak).verify(b"m", &sig.signature) {
                Ok(())
            } else {
                Err(VerifyError::BadSignature)
            }]
        );
    }

    #[test]
    fn a_logged_head_parses_from_either_log_form_and_verifies() {
        let key = SigningKey::generate();
        let ring = Keyring(vec![key.public().clone()]);
        let head = SignedHead::sign(&key, 42, &[0xab; 32]);
        let plain = format!(
            "2026-12-01T10:00:00Z  INFO pis_gateway::housekeeping: audit chain head seq=42 hash={} key={} sig={}",
            head.hash_hex(),
            head.key_id,
            head.signature_base64()
        );
        assert_eq!(SignedHead::parse(&plain), Some(head.clone()));
        let json_line =
            json!({"level": "INFO", "fields": {"message": "audit chain head", "seq": 42,
            "hash": head.hash_hex(), "key": head.key_id, "sig": head.signature_base64()}})
            .to_string();
        assert_eq!(SignedHead::parse(&json_line), Some(head.clone()));
        assert_eq!(head.verify(&ring), Ok(()));
        let mut moved = head.clone();
        moved.seq = 41;
        assert_eq!(moved.verify(&ring), Err(VerifyError::BadSignature));
        assert!(SignedHead::parse("seq=42 hash=ab").is_none());
    }

    #[test]
    fn keys_are_written_0600_read_back_and_listed_in_either_form() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("signing.pem");
        let public = SigningKey::create(&path).expect("created");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            SigningKey::create(&path),
            Err(SigningError::Exists(_))
        ));
        let key = SigningKey::load(&path).expect("loads");
        assert_eq!(key.public(), &public);
        assert_eq!(public.id().len(), 16);
        let lines = Keyring::parse(&format!(
            "# keys\nsigning key {} {}\n",
            public.id(),
            public.to_base64()
        ))
        .expect("lines");
        assert_eq!(lines.0, vec![public.clone()]);
        let published = Keyring::parse(
            &json!({"keys": [{"id": public.id(), "alg": ALG, "public_key": public.to_base64()}]})
                .to_string(),
        )
        .expect("json");
        assert_eq!(published.0, vec![public]);
        assert!(Keyring::parse("not a key").is_err());
    }
}
