//! The gateway's Ed25519 signature on what it seals, and on the audit chain's head.
//!
//! age does not authenticate the sender: a route's recipients are public, so anyone can seal a
//! document to an inbox. The gateway therefore signs every canonical document before sealing it,
//! with a key kept outside the spool (`server.signing_key`), and `open` and `map` check the
//! signature against the gateway's published keys.
//!
//! Format (see docs/src/security.md): the signature travels inside the document as
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
/// each key's id computed once, and every signature checked on its own by ring, exactly as
/// `verify_document` checks it, so `map` and `open` never disagree about a document.
pub struct Checker {
    keys: Vec<PublicKey>,
    ids: Vec<String>,
}

impl Checker {
    pub fn new(keys: &Keyring) -> Self {
        Checker {
            keys: keys.0.clone(),
            ids: keys.0.iter().map(PublicKey::id).collect(),
        }
    }

    /// Takes a document's signature apart (no cryptography yet).
    pub fn prepare(&self, doc: &Value) -> Result<Signed, VerifyError> {
        prepare(doc, &self.ids)
    }

    /// Checks one signature with ring.
    pub fn check(&self, s: &Signed) -> Result<(), VerifyError> {
        if self.keys[s.key].verify(&s.message, &s.signature) {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        }
    }

    /// Checks a document's signature: `verify_document`'s answer, without the key id.
    pub fn verify(&self, doc: &Value) -> Result<(), VerifyError> {
        self.check(&self.prepare(doc)?)
    }
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
    fn the_checker_accepts_every_valid_document_and_refuses_each_damaged_one() {
        let (a, b) = (SigningKey::generate(), SigningKey::generate());
        let keys = Keyring(vec![a.public().clone(), b.public().clone()]);
        let checker = Checker::new(&keys);
        let docs: Vec<Value> = (0..8)
            .map(|i| {
                let mut d = doc();
                d.insert("reference".into(), json!(format!("PIS-0000-{i:04}")));
                let key = if i % 3 == 0 { &b } else { &a };
                serde_json::from_slice(&key.sign_document(d)).expect("json")
            })
            .collect();
        let mut signed: Vec<Signed> = docs
            .iter()
            .map(|d| checker.prepare(d).expect("signed"))
            .collect();
        // Wrong in different ways: altered text, a flipped bit, s + ℓ (the same signature with
        // a non-canonical s), a short signature, the other trusted key, and R the identity
        // with s = 0.
        signed[0].message.push(b' ');
        signed[1].signature[3] ^= 1;
        signed[2].signature = plus_order(&signed[2].signature);
        signed[3].signature.truncate(63);
        signed[4].key = 1 - signed[4].key;
        signed[5].signature = [[1u8].as_slice(), &[0; 63]].concat();
        for (i, s) in signed.iter().enumerate() {
            let want = if i < 6 {
                Err(VerifyError::BadSignature)
            } else {
                Ok(())
            };
            assert_eq!(checker.check(s), want, "document {i}");
        }
        // Whole documents: the checker's answer is verify_document's.
        for d in &docs {
            assert_eq!(checker.verify(d), verify_document(d, &keys).map(|_| ()));
        }
        let mut altered = docs[7].clone();
        altered["answers"]["a"][0] = json!("2");
        assert_eq!(checker.verify(&altered), Err(VerifyError::BadSignature));
    }

    fn unhex_32(s: &str) -> [u8; 32] {
        unhex(s).expect("hex").try_into().expect("32 bytes")
    }

    /// Cases 3 to 9 of the edge cases of "Taming the many EdDSAs" (Chalkias, Garillot and
    /// Nikolaenko, 2020; github.com/novifinancial/ed25519-speccheck, cases.txt). Cases 4 and 5
    /// hold under the cofactored equation that batch verification checks, and not under the
    /// cofactorless one: a checker that took a batch's word would accept them.
    #[test]
    fn signatures_only_a_batch_or_a_lax_check_would_accept_are_refused() {
        let key = "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d";
        let other = "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43";
        let cases = [
            // 3: an ordinary valid signature.
            (key, "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
             "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009", true),
            // 4 and 5: valid only when the equation is multiplied by the cofactor.
            (key, "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
             "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09", false),
            (key, "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
             "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405", false),
            // 6 and 7: s at or above the group order.
            ("442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
             "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
             "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514", false),
            ("442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
             "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
             "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22", false),
            // 8 and 9: a non-canonical encoding of R (of small order).
            (other, "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
             "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f", false),
            (other, "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
             "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908", false),
        ];
        let keys = Keyring(vec![PublicKey(unhex_32(key)), PublicKey(unhex_32(other))]);
        let checker = Checker::new(&keys);
        for (i, (k, msg, sig, valid)) in cases.iter().enumerate() {
            let s = Signed {
                key: usize::from(*k == other),
                message: Zeroizing::new(unhex(msg).expect("hex")),
                signature: unhex(sig).expect("hex"),
            };
            let want = if *valid {
                Ok(())
            } else {
                Err(VerifyError::BadSignature)
            };
            assert_eq!(checker.check(&s), want, "case {}", i + 3);
        }
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
